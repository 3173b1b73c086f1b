import Testing
import CelerCore
import CelerHarness
@testable import CelerWorkloads

/// Counts from one kernel, into a fresh image.
func counts(_ problem: EscapeProblem, _ kernel: (EscapeProblem, UnsafeMutablePointer<Int32>) -> Void) -> [Int32] {
    let out = AlignedBuffer<Int32>(repeating: -1, count: problem.pixels)
    kernel(problem, out.pointer)
    return Array(out.buffer)
}

/// Counts by the definition, one pixel at a time, written independently of the library.
func juliaReference(_ p: EscapeProblem) -> [Int32] {
    var out: [Int32] = []
    for y in p.ys {
        for x in p.xs {
            var (zr, zi, n) = (x, y, 0)
            while zr * zr + zi * zi < 4 && n < p.maxiter {
                (zr, zi) = (zr * zr - zi * zi + p.c.re, 2 * zr * zi + p.c.im)
                n += 1
            }
            out.append(Int32(n))
        }
    }
    return out
}

func juliaConfig(_ w: Int, _ h: Int, region: Region = Julia.seed.region,
                 c: (Double, Double) = (Julia.seed.cRe, Julia.seed.cIm), maxiter: Int = 300) -> Julia.Config {
    Julia.Config(width: w, height: h, region: region, cRe: c.0, cIm: c.1, maxiter: maxiter)
}

/// Every kernel a Julia rung runs, by rung name.
let juliaKernels: [(String, @Sendable (EscapeProblem, UnsafeMutablePointer<Int32>) -> Void)] = [
    ("naive", { Julia.naiveCounts($0, into: $1) }),
    ("scalar", { Julia.scalarCounts($0, into: $1) }),
    ("simd", { EscapeKernel.countRows(JuliaRule.self, $0, rows: 0..<$0.height, into: $1) }),
    ("parallel", { countParallel(JuliaRule.self, $0, into: $1) }),
]

@Suite struct JuliaTests {
    @Test func seedSumFromTheScalarRung() throws {
        let config = try Julia.configure({ var o = WorkloadOptions(); o.preset = .seed; return o }())
        #expect(config == Julia.seed)
        #expect(Julia.expected(config) == [ValidationValue("sum", 33_219_980)])
        for name in ["scalar"] {
            let rung = try #require(Julia.rungs.first { $0.name == name })
            let run = rung.prepare(config).ready!
            run.run()
            #expect(run.validation() == [ValidationValue("sum", 33_219_980)], "rung \(name)")
        }
    }

    @Test(arguments: [(1, 1), (7, 13), (17, 1), (1, 9), (31, 29), (5, 64)])
    func rungsAgreePixelByPixelAtOddSizes(size: (Int, Int)) {
        let settings: [(Region, (Double, Double), Int)] = [
            (Julia.seed.region, (Julia.seed.cRe, Julia.seed.cIm), 300),
            (Region(xmin: -1.5, xmax: 1.5, ymin: -1, ymax: 1), (-0.8, 0.156), 77),
            (Region(xmin: -0.1, xmax: 0.3, ymin: -0.2, ymax: 0.05), (0.285, 0.01), 500),
            // |c|² > 3: escapes need not be permanent, the careful loop runs.
            (Region(xmin: -2.5, xmax: 2.5, ymin: -2.5, ymax: 2.5), (-2.0, 0.0), 60),
            (Region(xmin: -3, xmax: 3, ymin: -3, ymax: 3), (1.5, -1.25), 40),
            (Julia.seed.region, (Julia.seed.cRe, Julia.seed.cIm), 1),
            (Julia.seed.region, (Julia.seed.cRe, Julia.seed.cIm), 2),
        ]
        for (region, c, maxiter) in settings {
            let problem = juliaConfig(size.0, size.1, region: region, c: c, maxiter: maxiter).problem
            let reference = juliaReference(problem)
            for (name, kernel) in juliaKernels {
                #expect(counts(problem, kernel) == reference, "\(name) at \(size) c=\(c) maxiter=\(maxiter)")
            }
        }
    }

    @Test func escapesThatReturnAreCountedAtTheFirstEscape() {
        // c = -4: z = 2.1 escapes at once, then z² + c = 0.41 is back inside;
        // the count must stop at the first escape (0), not count later steps.
        let problem = EscapeProblem(xs: [2.1, 0.0, -2.05, 1.0], ys: [0.0], c: (-4, 0), maxiter: 10)
        let reference = juliaReference(problem)
        #expect(reference == [0, 1, 0, 1])
        for (name, kernel) in juliaKernels {
            #expect(counts(problem, kernel) == reference, "\(name)")
        }
    }

    @Test func gridSamplesTheLeftAndBottomEdgesOnly() {
        let p = juliaConfig(4, 2, region: Region(xmin: -2, xmax: 2, ymin: 0, ymax: 1)).problem
        #expect(p.xs == [-2, -1, 0, 1])
        #expect(p.ys == [0, 0.5])
    }

    @Test func optionsAndPresets() throws {
        var options = WorkloadOptions()
        options.preset = .small
        let small = try Julia.configure(options)
        #expect(small.width == 100 && small.height == 100 && small.maxiter == 300)
        #expect(Julia.expected(small) == nil)
        options.size = [640, 480]
        options.region = [-1, 1, -0.5, 0.5]
        options.c = [0.3, -0.2]
        options.maxiter = 50
        let custom = try Julia.configure(options)
        #expect(custom == juliaConfig(640, 480, region: Region(xmin: -1, xmax: 1, ymin: -0.5, ymax: 0.5),
                                      c: (0.3, -0.2), maxiter: 50))
        let work = Julia.work(Julia.seed, counted: 1000)
        #expect(work.flops == 9000 && work.bound == .compute)
    }

    @Test func badOptionsNameTheOption() {
        func error(_ edit: (inout WorkloadOptions) -> Void) -> CelerError? {
            var options = WorkloadOptions()
            edit(&options)
            do { _ = try Julia.configure(options); return nil } catch { return error }
        }
        #expect(error { $0.size = [0, 10] }?.subject == "--size")
        #expect(error { $0.size = [10] }?.subject == "--size")
        #expect(error { $0.size = [100_001, 1] }?.subject == "--size")
        #expect(error { $0.size = [100_000, 100_000] }?.subject == "--size")
        #expect(error { $0.maxiter = 0 }?.subject == "--maxiter")
        #expect(error { $0.maxiter = 10_000_001 }?.subject == "--maxiter")
        #expect(error { $0.region = [1, -1, 0, 1] }?.subject == "--region")
        #expect(error { $0.region = [0, 1, 1, 1] }?.subject == "--region")
        #expect(error { $0.region = [0, 1, 0] }?.subject == "--region")
        #expect(error { $0.region = [0, .infinity, 0, 1] }?.subject == "--region")
        #expect(error { $0.region = [.nan, 1, 0, 1] }?.subject == "--region")
        #expect(error { $0.region = [-1e308, 1e308, 0, 1] }?.subject == "--region")
        #expect(error { $0.c = [.nan, 0] }?.subject == "--c")
        #expect(error { $0.c = [1] }?.subject == "--c")
        #expect(error { $0.size = [1, 1]; $0.maxiter = 10_000_000 } == nil)
    }

    @Test func smoothValuesMarkExactlyThePointsThatNeverEscape() {
        let config = juliaConfig(37, 23, maxiter: 120)
        let problem = config.problem
        let reference = juliaReference(problem)
        let smooth = Julia.smoothIterations(config)
        #expect(smooth.count == reference.count)
        for (nu, n) in zip(smooth, reference) {
            if n == 120 {
                #expect(nu == EscapeRender.inside)
            } else {
                // ν − n = 4 − log₂ ln|z| three steps past the escape, |z| > 2 there.
                #expect(nu >= 0 && nu.isFinite && nu - Float(n) > -3 && nu - Float(n) < 4.53, "ν \(nu) for count \(n)")
            }
        }
    }
}
