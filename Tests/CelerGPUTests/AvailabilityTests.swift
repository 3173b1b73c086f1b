import Testing
@testable import CelerGPU

// The no-driver path: loading fails with a reason that names the library and
// the loader's error, and nothing crashes.

@Suite struct AvailabilityTests {
    @Test func missingDriverNamesTheLibraryAndTheReason() {
        let result = CUDADriver.load(candidates: ["libcuda-celer-test-missing.so.1"])
        guard case .failure(let error) = result else { Issue.record("loaded a library that does not exist"); return }
        let text = error.description
        #expect(text.contains("no CUDA driver"))
        #expect(text.contains("libcuda-celer-test-missing.so.1"))
        #expect(text.contains("cannot open shared object file"))
    }

    @Test func aLibraryThatIsNotTheDriverIsRefused() {
        // libz is on every machine that builds Celer (the PNG encoder needs it).
        let result = CUDADriver.load(candidates: ["libz.so.1"])
        guard case .failure(let error) = result else { Issue.record("libz taken for a CUDA driver"); return }
        #expect(error.description.contains("not a CUDA driver"))
    }

    @Test func availabilityGivesAReasonOrDevices() {
        switch GPU.availability {
        case .available(let driver, let devices):
            #expect(!devices.isEmpty)
            #expect(driver.version >= 11000)
            #expect(devices.allSatisfy { $0.arch >= 50 && $0.totalMemory > 0 && !$0.name.isEmpty })
        case .unavailable(let reason):
            #expect(!reason.isEmpty)
            #expect(reason.contains("libcuda.so.1") || reason.contains("cuInit") || reason.contains("no device"))
            #expect(throws: GPUError.self) { try GPU.defaultDevice() }
            #expect(GPU.refusalReason != nil)
        }
    }

    @Test func missingNVRTCNamesWhatWasTriedAndHowToInstall() {
        let result = NVRTC.load(candidates: ["/nonexistent/libnvrtc.so.13", "libnvrtc-celer-test-missing.so.12"])
        guard case .failure(let error) = result else { Issue.record("loaded a missing NVRTC"); return }
        #expect(error.description.contains("/nonexistent/libnvrtc.so.13"))
        #expect(error.description.contains("pip install nvidia-cuda-nvrtc"))
    }

    @Test func nvrtcSearchOrderStartsWithTheEnvironmentAndEndsWithSonames() {
        let paths = NVRTC.candidatePaths()
        #expect(paths.suffix(2) == ["libnvrtc.so.13", "libnvrtc.so.12"])
        #expect(Set(paths).count == paths.count)
        // Wheel directories, when present, come before the bare sonames.
        if let wheel = paths.firstIndex(where: { $0.contains("/nvidia/") }) {
            #expect(wheel < paths.count - 2)
        }
    }

    @Test func errorsNameTheCallAndTheReason() {
        let e = GPUError.driver(call: "cuMemAlloc_v2(8 bytes)", code: 1, name: "CUDA_ERROR_INVALID_VALUE",
                                message: "invalid argument")
        #expect(e.description == "cuMemAlloc_v2(8 bytes) failed: CUDA_ERROR_INVALID_VALUE (1): invalid argument")
        let oom = GPUError.outOfMemory(call: "cuMemAlloc_v2", bytes: 1 << 40, message: "out of memory")
        #expect(oom.description.contains("out of device memory allocating 1099511627776 bytes"))
    }
}
