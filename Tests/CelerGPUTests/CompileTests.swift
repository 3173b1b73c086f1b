import Testing
@testable import CelerGPU
import ComplexModule

// Every kernel Celer ships or generates is compiled by NVRTC, on the CPU,
// to CUBIN for sm_90 (H100/H200) and sm_80 (A100) and to PTX, with every
// NVRTC found (CUDA 12 and 13 when both wheels are installed), so a kernel
// that does not compile fails here. CI installs NVRTC from PyPI; where it is
// absent these tests are skipped, and `nvrtcPresenceIsReported` says why.

let installedNVRTC = NVRTC.allInstalled()
let nvrtcMissing: Comment = "NVRTC not found (pip install nvidia-cuda-nvrtc-cu12 nvidia-cuda-nvrtc, or set CELER_NVRTC)"

/// The generated kernels the tests compile: one of each builder's shapes,
/// over every element type the generated code handles.
let generatedModules: [SourceModule] = {
    var modules: [SourceModule] = []
    modules.append(try! ElementwiseKernel("saxpy", [.scalar("a", Double.self), .input("x", Double.self),
                                                    .input("y", Double.self), .output("z", Double.self)],
                                          "z = a * x + y").module)
    modules.append(try! ElementwiseKernel("float_ops", [.input("x", Float.self), .output("s", Float.self), .output("c", Float.self)],
                                          "s = sinf(x); c = cosf(x)").module)
    modules.append(try! ElementwiseKernel("int_mix", [.input("a", Int64.self), .input("b", Int32.self), .input("m", UInt8.self),
                                                      .input("flag", Bool.self), .output("out", Int64.self)],
                                          "out = flag ? a + b : a - (long long)m * i").module)
    modules.append(try! ElementwiseKernel("complex_abs2", [.input("z", Complex<Double>.self), .output("r", Double.self)],
                                          "r = z.x * z.x + z.y * z.y").module)
    modules.append(try! ReductionKernel("sum_squares", [.input("x", Double.self)], Double.self,
                                        map: "x * x", reduce: "a + b", identity: "0.0").module)
    modules.append(try! ReductionKernel("max_int", [.input("v", Int32.self)], Int32.self,
                                        map: "v", reduce: "a > b ? a : b", identity: "(-2147483647 - 1)").module)
    modules.append(try! ReductionKernel("count_true", [.input("f", Bool.self)], Int64.self,
                                        map: "f ? 1LL : 0LL", reduce: "a + b", identity: "0LL").module)
    modules.append(try! ReductionKernel("rms", [.input("x", Float.self), .scalar("n_", Int64.self)], Float.self,
                                        map: "x * x", reduce: "a + b", identity: "0.0f", post: "sqrtf(a)").module)
    return modules
}()

struct CompileCase: CustomTestStringConvertible, Sendable {
    let module: SourceModule
    let nvrtc: NVRTC
    var testDescription: String { "\(module.name) with NVRTC \(nvrtc.versionString)" }
}

let compileCases: [CompileCase] = installedNVRTC.flatMap { nvrtc in
    (StudyKernels.all + generatedModules).map { CompileCase(module: $0, nvrtc: nvrtc) }
}

/// The targets every kernel must compile for.
let requiredTargets: [GPUTarget] = [.cubin(90), .cubin(80), .ptx(80)]

@Suite struct CompileTests {
    @Test func nvrtcPresenceIsReported() {
        switch NVRTC.shared {
        case .success(let nvrtc):
            #expect(nvrtc.version.major >= 12)
            #expect(nvrtc.supportsCUBIN(90) && nvrtc.supportsCUBIN(80))
            #expect(nvrtc.preferredTarget(deviceArch: 90) == .cubin(90))
        case .failure(let error):
            #expect(error.description.contains("no NVRTC"))
            withKnownIssue("NVRTC is not installed here, so no kernel was compiled") {
                Issue.record("\(error)")
            }
        }
    }

    @Test(.enabled(if: !installedNVRTC.isEmpty, nvrtcMissing), arguments: compileCases)
    func compilesForEveryTarget(_ c: CompileCase) throws {
        for target in requiredTargets {
            let compiled = try c.nvrtc.compile(c.module.source, name: c.module.name, target: target, options: c.module.options)
            #expect(compiled.target == target)
            switch target.kind {
            case .cubin:
                #expect(compiled.image.starts(with: [0x7f, 0x45, 0x4c, 0x46]), "a CUBIN is an ELF file")
            case .ptx:
                let text = String(decoding: compiled.image.dropLast(), as: UTF8.self)
                #expect(compiled.image.last == 0, "PTX is passed NUL-terminated")
                #expect(text.contains(".target sm_80"))
                // --fmad=false: every double multiply, add and subtract rounds on its own.
                for op in ["mul.f64 ", "add.f64 ", "sub.f64 ", "fma.rn.f64"] {
                    #expect(!text.contains(op), "\(op) in the PTX of \(c.module.name): contractible")
                }
            }
        }
    }

    @Test(.enabled(if: !installedNVRTC.isEmpty, nvrtcMissing))
    func shippedKernelsExportTheirNames() throws {
        let nvrtc = installedNVRTC[0]
        let expected: [String: [String]] = [
            "celer_escape_time": ["celer_julia", "celer_mandelbrot", "celer_mandelbrot_cardioid"],
            "celer_stencils": ["celer_derivative", "celer_laplacian"],
            "celer_diffusion": ["celer_diffusion_step", "celer_diffusion_tiled"],
            "celer_sieve": ["celer_sieve_segments", "celer_sieve_offsets", "celer_sieve_compact"],
            "celer_add": ["celer_add"],
        ]
        for module in StudyKernels.all {
            let ptx = try nvrtc.compile(module.source, name: module.name, target: .ptx(80), options: module.options)
            let text = String(decoding: ptx.image, as: UTF8.self)
            for name in try #require(expected[module.name]) {
                #expect(text.contains(".entry \(name)("), "\(module.name) exports \(name) unmangled")
            }
        }
    }

    @Test(.enabled(if: !installedNVRTC.isEmpty, nvrtcMissing))
    func aBrokenKernelFailsWithTheLog() {
        let nvrtc = installedNVRTC[0]
        let broken = "extern \"C\" __global__ void broken(double* x) { x[0] = undefined_name + 1.0; }"
        do {
            _ = try nvrtc.compile(broken, name: "broken", target: .cubin(90))
            Issue.record("a broken kernel compiled")
        } catch {
            guard case .compilation(let program, let target, let log) = error else {
                Issue.record("unexpected error \(error)"); return
            }
            #expect(program == "broken" && target == "cubin sm_90")
            #expect(log.contains("undefined_name"))
            #expect(error.description.contains("nvrtcCompileProgram failed for broken"))
        }
    }

    @Test(.enabled(if: !installedNVRTC.isEmpty, nvrtcMissing))
    func fmadFalseIsWhatKeepsCountsExact() throws {
        // PTX `mul.f64` without a rounding mode may be fused into an FMA by the
        // assembler (ptxas); `mul.rn.f64` may not. --fmad=false gives only the latter.
        let source = "extern \"C\" __global__ void k(double* z, const double* x, const double* y) { z[0] = x[0] * x[1] - y[0] * y[1] + z[1]; }"
        let nvrtc = installedNVRTC[0]
        let contracted = String(decoding: try nvrtc.compile(source, name: "k", target: .ptx(80), options: ["--fmad=true"]).image, as: UTF8.self)
        let exact = String(decoding: try nvrtc.compile(source, name: "k", target: .ptx(80), options: NVRTC.defaultOptions).image, as: UTF8.self)
        #expect(contracted.contains("mul.f64 ") || contracted.contains("fma.rn.f64"))
        #expect(exact.contains("mul.rn.f64") && exact.contains("sub.rn.f64") && exact.contains("add.rn.f64"))
        #expect(!exact.contains("mul.f64 ") && !exact.contains("fma.rn.f64"))
        // And the machine code differs (the default fuses the multiply-adds).
        let cubinContracted = try nvrtc.compile(source, name: "k", target: .cubin(90), options: ["--fmad=true"]).image
        let cubinExact = try nvrtc.compile(source, name: "k", target: .cubin(90), options: NVRTC.defaultOptions).image
        #expect(cubinContracted != cubinExact)
    }

    @Test(.enabled(if: !installedNVRTC.isEmpty, nvrtcMissing))
    func compilerGoesThroughTheDiskCache() throws {
        let dir = temporaryDirectory("compiler")
        defer { removeTree(dir) }
        let cache = KernelDiskCache(directory: dir)
        let compiler = KernelCompiler(nvrtc: installedNVRTC[0], cache: cache, driverVersion: nil)
        let module = StudyKernels.stencils
        let first = try compiler.compile(module.source, name: module.name, target: .cubin(90), options: module.options)
        let second = try compiler.compile(module.source, name: module.name, target: .cubin(90), options: module.options)
        #expect(first.image == second.image)
        #expect(cache.statistics.misses == 1 && cache.statistics.hits == 1 && cache.statistics.writes == 1)
        // Another target is another entry.
        _ = try compiler.compile(module.source, name: module.name, target: .cubin(80), options: module.options)
        #expect(cache.statistics.misses == 2 && globPaths(dir + "/*.kernel").count == 2)
    }

    @Test func dumpedSourceHasLineNumbersOptionsAndLog() {
        let text = NVRTC.dumpText("int a;\nint b = c;", name: "prog", options: ["--fmad=false"],
                                  log: "prog(2): error: identifier \"c\" is undefined")
        #expect(text.contains("prog, options: --fmad=false"))
        #expect(text.contains("    1  int a;\n    2  int b = c;\n"))
        #expect(text.hasSuffix("prog(2): error: identifier \"c\" is undefined\n"))
    }

    @Test func generatorsRejectBadNames() {
        #expect(throws: GPUError.self) { try ElementwiseKernel("9bad", [.output("z", Double.self)], "z = 1") }
        #expect(throws: GPUError.self) { try ElementwiseKernel("k", [.output("i", Double.self)], "i = 1") }
        #expect(throws: GPUError.self) { try ElementwiseKernel("k", [.input("x", Double.self)], "x") }
        #expect(throws: GPUError.self) {
            try ElementwiseKernel("k", [.input("x", Double.self), .output("x", Double.self)], "x = x")
        }
        #expect(throws: GPUError.self) {
            try ReductionKernel("r", [.output("x", Double.self)], Double.self, map: "x", reduce: "a+b", identity: "0")
        }
    }

    @Test func elementwiseSourceReadsComputesAndWrites() throws {
        let k = try ElementwiseKernel("axpb", [.scalar("a", Double.self), .input("x", Double.self), .output("y", Double.self)],
                                      "y = a * x")
        #expect(k.source.contains("extern \"C\" __global__ void axpb(const double a, const double* __restrict__ x_ptr, double* __restrict__ y_ptr, const long long n)"))
        #expect(k.source.contains("const double x = x_ptr[i];"))
        #expect(k.source.contains("{ y = a * x; }"))
        #expect(k.source.contains("y_ptr[i] = y;"))
    }
}
