import ArgumentParser
import CelerGPU

/// `celer gpu`: what the GPU backend finds (driver, devices, NVRTC, cache);
/// with `--selftest`, the on-device checks (device arrays, copies, the
/// kernel builders, caches, errors, a bandwidth measurement). Runs from a
/// `--static-swift-stdlib` binary on a machine without a Swift toolchain,
/// which is how scripts/gpu-check.sh uses it.
struct GPUCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpu",
        abstract: "Report the CUDA driver, devices and NVRTC the GPU rungs would use; --selftest runs the on-device checks.",
        discussion: """
            Nothing CUDA is linked at build time: the driver (libcuda.so.1) and NVRTC are opened at \
            run time. NVRTC is looked for in $CELER_NVRTC, the pip wheels nvidia-cuda-nvrtc (CUDA 13) \
            and nvidia-cuda-nvrtc-cu12 under site-packages, the CUDA toolkit, then the loader's path. \
            Compiled kernels are cached in $CELER_GPU_CACHE_DIR (else ~/.cache/celer/kernels); \
            CELER_GPU_CACHE=0 turns that off; CELER_GPU_DUMP_SOURCE=1 prints a kernel's source when it \
            does not compile. Exit status: 0, or 1 when --selftest has a failed check or no GPU.
            """)

    @Flag(help: "Run the on-device checks (needs a GPU).")
    var selftest = false

    func run() throws {
        for line in GPUReport.lines() { print(line) }
        guard selftest else { return }
        print("")
        var failed = 0
        for outcome in GPUSelfTest.run() {
            print("\(outcome.passed ? "PASS" : "FAIL") \(outcome.name): \(outcome.detail)")
            if !outcome.passed { failed += 1 }
        }
        print(failed == 0 ? "selftest: all checks passed" : "selftest: \(failed) check(s) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}
