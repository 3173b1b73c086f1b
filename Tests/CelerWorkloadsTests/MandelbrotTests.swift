import Testing
import CelerCore
import CelerHarness
@testable import CelerWorkloads

/// Counts by the definition, one pixel at a time, written independently of the library.
func mandelbrotReference(_ p: EscapeProblem) -> [Int32] {
    var out: [Int32] = []
    for ci in p.ys {
        for cr in p.xs {
            var (x, y, n) = (0.0, 0.0, 0)
            while n < p.maxiter && x * x + y * y <= 4 {
                (x, y) = (x * x - y * y + cr, 2 * x * y + ci)
                n += 1
            }
            out.append(Int32(n))
        }
    }
    return out
}

func mandelbrotConfig(_ w: Int, _ h: Int, region: Region = Mandelbrot.seed.region,
                      maxiter: Int = 1000) -> Mandelbrot.Config {
    Mandelbrot.Config(width: w, height: h, region: region, maxiter: maxiter)
}

/// Every kernel a Mandelbrot rung runs, by rung name.
let mandelbrotKernels: [(String, @Sendable (EscapeProblem, UnsafeMutablePointer<Int32>) -> Void)] = [
    ("naive", { Mandelbrot.naiveCounts($0, into: $1) }),
    ("scalar", { Mandelbrot.scalarCounts($0, into: $1) }),
    ("simd", { EscapeKernel.countRows(MandelbrotRule.self, $0, rows: 0..<$0.height, into: $1) }),
    ("parallel", { countParallel(MandelbrotRule.self, $0, into: $1) }),
    ("cardioid", { countParallel(MandelbrotInteriorRule.self, $0, into: $1) }),
]

@Suite struct MandelbrotTests {
    @Test func seedSumFromTheScalarRung() throws {
        let config = try Mandelbrot.configure({ var o = WorkloadOptions(); o.preset = .seed; return o }())
        #expect(config == Mandelbrot.seed)
        #expect(Mandelbrot.expected(config) == [ValidationValue("sum", 51_198_208)])
        let rung = try #require(Mandelbrot.rungs.first { $0.name == "scalar" })
        let run = rung.prepare(config).ready!
        run.run()
        #expect(run.validation() == [ValidationValue("sum", 51_198_208)])
    }

    @Test func rungNames() {
        #expect(Mandelbrot.rungs.map(\.name) == ["naive", "scalar", "simd", "parallel", "cardioid"])
        #expect(Mandelbrot.rungs.map(\.backend) == [.serial, .serial, .serial, .threads, .threads])
    }

    @Test(arguments: [(1, 1), (7, 13), (17, 1), (1, 9), (31, 29), (5, 64)])
    func rungsAgreePixelByPixelAtOddSizes(size: (Int, Int)) {
        let settings: [(Region, Int)] = [
            (Mandelbrot.seed.region, 250),
            (Mandelbrot.seed.region, 1),
            (Mandelbrot.seed.region, 3),
            // Around the cusp of the cardioid, the neck to the period-2 bulb,
            // and a bulb edge: long orbits beside points the shortcut skips.
            (Region(xmin: 0.2, xmax: 0.3, ymin: -0.05, ymax: 0.05), 400),
            (Region(xmin: -0.8, xmax: -0.7, ymin: -0.05, ymax: 0.05), 300),
            (Region(xmin: -1.3, xmax: -1.2, ymin: -0.1, ymax: 0.1), 200),
            // Far out: every group has |c|² > 3 and runs the careful loop.
            (Region(xmin: -2.5, xmax: 2.5, ymin: -2.5, ymax: 2.5), 100),
        ]
        for (region, maxiter) in settings {
            let problem = mandelbrotConfig(size.0, size.1, region: region, maxiter: maxiter).problem
            let reference = mandelbrotReference(problem)
            for (name, kernel) in mandelbrotKernels {
                #expect(counts(problem, kernel) == reference, "\(name) at \(size) \(region) maxiter=\(maxiter)")
            }
        }
    }

    @Test func interiorShortcutOnlySkipsPointsThatNeverEscape() {
        // A grid across the whole cardioid and bulb, iterated long: every
        // point the test calls interior runs all maxiter steps.
        let problem = mandelbrotConfig(61, 47, region: Region(xmin: -1.5, xmax: 0.5, ymin: -0.9, ymax: 0.9),
                                       maxiter: 5000).problem
        let reference = mandelbrotReference(problem)
        var skipped = 0
        for (i, y) in problem.ys.enumerated() {
            for (j, x) in problem.xs.enumerated() where MandelbrotInterior.contains(x, y) {
                skipped += 1
                #expect(reference[i * problem.width + j] == 5000, "(\(x), \(y))")
                let lanes = MandelbrotInterior.contains(Lanes(repeating: x), Lanes(repeating: y))
                #expect(lanes.allNegative)
            }
        }
        #expect(skipped > 500)
        #expect(counts(problem) { countParallel(MandelbrotInteriorRule.self, $0, into: $1) } == reference)
    }

    @Test func gridSamplesBothEdgesAndWidthOneSamplesTheMinimum() {
        let p = mandelbrotConfig(5, 3, region: Region(xmin: -2, xmax: 2, ymin: -1, ymax: 1)).problem
        #expect(p.xs == [-2, -1, 0, 1, 2])
        #expect(p.ys == [-1, 0, 1])
        let one = mandelbrotConfig(1, 1, region: Region(xmin: -0.5, xmax: 2, ymin: 0.25, ymax: 1)).problem
        #expect(one.xs == [-0.5] && one.ys == [0.25])
        for (name, kernel) in mandelbrotKernels {
            #expect(counts(one, kernel) == [1000], "\(name)")
        }
    }

    @Test func optionsAndPresets() throws {
        var options = WorkloadOptions()
        options.preset = .small
        let small = try Mandelbrot.configure(options)
        #expect(small.width == 64 && small.height == 64 && small.maxiter == 200)
        #expect(Mandelbrot.expected(small) == nil)
        options.preset = .default
        #expect(try Mandelbrot.configure(options) == Mandelbrot.seed)
        options.maxiter = 999
        #expect(Mandelbrot.expected(try Mandelbrot.configure(options)) == nil)
        options.maxiter = 0
        #expect(throws: CelerError.self) { try Mandelbrot.configure(options) }
        options.maxiter = nil
        options.size = [3, 0]
        #expect(throws: CelerError.self) { try Mandelbrot.configure(options) }
    }

    @Test func smoothValuesMarkExactlyThePointsThatNeverEscape() {
        let config = mandelbrotConfig(41, 29, maxiter: 150)
        let reference = mandelbrotReference(config.problem)
        let smooth = Mandelbrot.smoothIterations(config)
        for (nu, n) in zip(smooth, reference) {
            if n == 150 {
                #expect(nu == EscapeRender.inside)
            } else {
                // ν − n = 4 − log₂ ln|z| three steps past the escape, |z| > 2 there.
                #expect(nu >= 0 && nu.isFinite && nu - Float(n) > -3 && nu - Float(n) < 4.53, "ν \(nu) for count \(n)")
            }
        }
    }
}
