import CelerCore
import CelerHarness
import CelerWorkloads
import Testing
@testable import CelerGPU

// The GPU rungs as `celer compare` sees them. Without a GPU each one is a
// skipped row with the reason; with one, each validates against the CPU
// rungs at the small sizes (and on the seeds' exact values).

let gpuRungNames: [String: [String]] = [
    "julia": ["gpu"], "mandelbrot": ["gpu", "gpu-cardioid"], "sieve": ["gpu"], "derivative": ["gpu"],
    "laplacian": ["gpu"], "diffusion": ["gpu", "gpu-tiled"], "add": ["gpu"],
]

func extendedStudies() -> [AnyCaseStudy] {
    CaseStudies.all.map { $0.extended(with: GPURungs.extensions) }
}

@Suite struct RungTests {
    @Test func everyStudyGetsItsGPURungs() {
        let studies = extendedStudies()
        #expect(Set(studies.map(\.name)) == Set(gpuRungNames.keys))
        for study in studies {
            let original = CaseStudies.all.first { $0.name == study.name }!
            #expect(study.rungNames == original.rungNames + gpuRungNames[study.name]!)
        }
    }

    @Test(.enabled(if: !GPU.availability.isAvailable, "a GPU is present: the rungs run instead"))
    func withoutAGPUEveryRungIsSkippedWithTheReason() throws {
        let reason = try #require(GPU.refusalReason)
        for study in extendedStudies() {
            var options = WorkloadOptions()
            options.preset = .small
            let configured = try study.configure(options)
            let variants = gpuRungNames[study.name]!
            let rows = try Harness.run(configured, variants: variants, settings: HarnessSettings(repeats: 1, warmup: 0))
            #expect(rows.map(\.variant) == variants)
            for row in rows {
                #expect(row.skipped == reason, "\(study.name)/\(row.variant)")
                #expect(row.ok == nil)
            }
        }
    }

    @Test(.enabled(if: GPU.availability.isAvailable, "needs a CUDA device"))
    func onAGPUEveryRungMatchesTheCPU() throws {
        for study in extendedStudies() {
            var options = WorkloadOptions()
            options.preset = .small
            if study.name == "sieve" { options.limit = 1_000_000 }  // several segments, π known
            let configured = try study.configure(options)
            let rows = try Harness.run(configured, variants: ["naive"] + gpuRungNames[study.name]!,
                                       settings: HarnessSettings(repeats: 1, warmup: 0))
            for row in rows.dropFirst() {
                #expect(row.ok == true, "\(study.name)/\(row.variant): \(row.validation) \(row.skipped ?? "")")
                #expect(row.backend.kind == .gpu)
                #expect(row.phases.map(\.name) == ["copy in", "copy out"])
            }
        }
    }

    // MARK: Host-side helpers of the rungs

    @Test func hostHelpersAgreeWithTheCPUStudies() {
        #expect(oddPrimes(upTo: 30) == [3, 5, 7, 11, 13, 17, 19, 23, 29])
        #expect(oddPrimes(upTo: 2).isEmpty)
        #expect(oddPrimes(upTo: 1_000_000).count == 78_498 - 1)
        #expect(integerRoot(999_999_999_999) == 999_999 && integerRoot(1_000_000_000_000) == 1_000_000)
        for n in [0, 1, 2, 16, 17, 100, 10_000, 1_000_000] {
            #expect(primeCountBound(n) >= oddPrimes(upTo: n).count + (n >= 2 ? 1 : 0))
        }
        #expect(exactReciprocal(0.25) == 4 && exactReciprocal(1) == 1 && exactReciprocal(0.3) == nil)
        #expect(uniformInput(seed: 42, count: 3) == (0..<3).map { SplitMix64(seed: 42).uniform($0) })
    }
}

@Suite struct DeviceTests {
    /// The on-device checks of `celer gpu --selftest`, where a device exists.
    @Test(.enabled(if: GPU.availability.isAvailable, "needs a CUDA device"))
    func selfTestPasses() {
        for outcome in GPUSelfTest.run() {
            #expect(outcome.passed, "\(outcome.name): \(outcome.detail)")
        }
    }

    @Test func reportNamesDriverNVRTCAndCache() {
        let lines = GPUReport.lines()
        #expect(lines.first?.hasPrefix("driver: ") == true)
        #expect(lines.contains { $0.hasPrefix("nvrtc: ") })
        #expect(lines.last?.hasPrefix("kernel cache: ") == true)
    }
}
