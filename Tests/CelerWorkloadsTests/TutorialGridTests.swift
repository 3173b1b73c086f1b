import Testing
import CelerCore
import CelerHarness
@testable import CelerWorkloads

// `--grid tutorial`: the guides' accumulated grid and the 2011 guide's
// Mandelbrot rule, checked against the guide's printed figures and against
// a straightforward transcription of its program written here.

/// The guide's grid, transcribed: x from x1 while < x2, y from y2 down while > y1.
func guideGrid(_ r: Region, width: Int, height: Int) -> (xs: [Double], ys: [Double]) {
    let xStep = (r.xmax - r.xmin) / Double(width)
    let yStep = (r.ymin - r.ymax) / Double(height)
    var xs: [Double] = [], ys: [Double] = []
    var y = r.ymax
    while y > r.ymin { ys.append(y); y += yStep }
    var x = r.xmin
    while x < r.xmax { xs.append(x); x += xStep }
    return (xs, ys)
}

/// The guide's loop, transcribed: per point z = 0; update, then test |z| > 2;
/// output = iteration at the escape, 0 if none. Returns each point's
/// iteration at the escape (maxiter if none) and the guide's three figures.
func guideRun(xs: [Double], ys: [Double], maxiter: Int)
    -> (escapedAt: [Int32], sum: Int64, updates: Int64, escaped: Int64) {
    var escapedAt: [Int32] = []
    var (sum, updates, escaped): (Int64, Int64, Int64) = (0, 0, 0)
    for qi in ys {
        for qr in xs {
            var (x, y) = (0.0, 0.0)
            var output = 0, at = maxiter
            for iteration in 0..<maxiter {
                (x, y) = (x * x - y * y + qr, x * y + y * x + qi)
                updates += 1
                if x * x + y * y > 4 {
                    output = iteration
                    at = iteration
                    escaped += 1
                    break
                }
            }
            sum += Int64(output)
            escapedAt.append(Int32(at))
        }
    }
    return (escapedAt, sum, updates, escaped)
}

func tutorialOptions(size: [Int]? = nil, region: [Double]? = nil, maxiter: Int? = nil) -> WorkloadOptions {
    var o = WorkloadOptions()
    o.grid = .tutorial
    o.size = size
    o.region = region
    o.maxiter = maxiter
    return o
}

func parameter(_ name: String, _ ps: [Parameter]) -> Parameter.Value? { ps.first { $0.name == name }?.value }

/// Every kernel a Mandelbrot rung runs on the tutorial grid, by rung name.
let tutorialKernels: [(String, EscapeCountKernel)] = [
    ("naive", { Mandelbrot.tutorialNaiveCounts($0, into: $1) }),
    ("scalar", Mandelbrot.Tutorial.scalar),
    ("simd", Mandelbrot.Tutorial.simd),
    ("parallel", Mandelbrot.Tutorial.parallel),
    ("cardioid", Mandelbrot.TutorialInterior.parallel),
]

@Suite struct TutorialGridTests {
    /// The 2011 guide's own run, 500×500 points, maxiter 1000: every rung
    /// prints its figures 1148485, 51414419, 199934.
    @Test(arguments: Mandelbrot.rungs.map(\.name))
    func guideFiguresFromEveryRung(rung name: String) throws {
        let config = try Mandelbrot.configure(tutorialOptions(size: [500, 500], maxiter: 1000))
        #expect(config == Mandelbrot.guideRun)
        #expect(Mandelbrot.expected(config) == [ValidationValue("sum", 1_148_485),
                                                ValidationValue("updates", 51_414_419, countsWork: true),
                                                ValidationValue("escaped", 199_934)])
        let problem = config.problem
        #expect(problem.width == 500 && problem.height == 500)
        let rung = try #require(Mandelbrot.rungs.first { $0.name == name })
        let run = try #require(rung.prepare(config).ready)
        run.run()
        let values = run.validation()
        #expect(values == Mandelbrot.guideFigures, "\(name)")
        #expect(values.first(where: \.countsWork)?.name == "updates")
    }

    /// The transcription of the guide's program gives its figures too (so the
    /// reference the other tests use is the guide's).
    @Test func transcribedGuideProgramGivesTheGuidesFigures() {
        let (xs, ys) = guideGrid(Mandelbrot.seed.region, width: 500, height: 500)
        #expect(xs.count == 500 && ys.count == 500)
        let run = guideRun(xs: xs, ys: ys, maxiter: 1000)
        #expect((run.sum, run.updates, run.escaped) == (1_148_485, 51_414_419, 199_934))
    }

    @Test func defaultOptionsWithTheTutorialGridAreTheGuidesRun() throws {
        let config = try Mandelbrot.configure(tutorialOptions())
        #expect(config == Mandelbrot.guideRun)
        let ps = Mandelbrot.parameters(config)
        #expect(parameter("grid", ps) == .text("tutorial"))
        #expect(parameter("divisions", ps) == .text("500x500"))
        #expect(parameter("width", ps) == .integer(500) && parameter("height", ps) == .integer(500))
        // The formula grid's rows read as before: no grid parameters.
        #expect(Mandelbrot.parameters(Mandelbrot.seed).map(\.name) == ["width", "height", "region", "maxiter"])
        #expect(Mandelbrot.expected(Mandelbrot.seed) == [ValidationValue("sum", 51_198_208, countsWork: true)])
    }

    @Test func gridAccumulatesLikeTheGuideWithItsExtraRowsAndColumns() {
        // Sizes where the running sum overshoots by one point on an axis.
        let cases: [(Region, Int, Int, Int, Int)] = [
            (Mandelbrot.seed.region, 1000, 1000, 1001, 1000),
            (Mandelbrot.seed.region, 7, 7, 8, 7),
            (Mandelbrot.seed.region, 8, 8, 8, 9),
            (Julia.seed.region, 3, 3, 4, 4),
            (Julia.seed.region, 1000, 1000, 1000, 1000),
            // Ten steps of 0.1 sum to 0.9999999999999999 < 1: eleven points each way.
            (Region(xmin: 0, xmax: 1, ymin: 0, ymax: 1), 10, 10, 11, 11),
            (Region(xmin: 0, xmax: 1, ymin: 0, ymax: 1), 8, 4, 8, 4),
        ]
        for (region, w, h, cols, rows) in cases {
            let p = TutorialGrid.problem(region, width: w, height: h, c: (0, 0), maxiter: 1)
            let (xs, ys) = guideGrid(region, width: w, height: h)
            #expect(p.xs == xs && p.ys == ys, "\(region) \(w)x\(h)")
            #expect((p.width, p.height) == (cols, rows), "\(region) \(w)x\(h)")
            #expect(p.xs.first == region.xmin && p.ys.first == region.ymax)
            #expect(p.xs.allSatisfy { $0 < region.xmax } && p.ys.allSatisfy { $0 > region.ymin })
            #expect(zip(p.ys, p.ys.dropFirst()).allSatisfy { $0 > $1 }, "rows go down")
        }
    }

    @Test func parametersReportThePointsSampled() throws {
        let config = try Mandelbrot.configure(tutorialOptions(size: [7, 7], maxiter: 50))
        let ps = Mandelbrot.parameters(config)
        #expect(parameter("width", ps) == .integer(8) && parameter("height", ps) == .integer(7))
        #expect(parameter("divisions", ps) == .text("7x7"))
        #expect(Mandelbrot.expected(config) == nil)
        let julia = try Julia.configure(tutorialOptions(size: [3, 5]))
        let jp = Julia.parameters(julia)
        #expect(parameter("width", jp) == .integer(4) && parameter("divisions", jp) == .text("3x5"))
        #expect(julia.problem.pixels == 4 * julia.problem.height)
    }

    /// Every kernel against the transcription, point by point, at odd sizes,
    /// in other regions (cusp, neck, bulb edge; far out, where every group runs
    /// the careful loop) and small maxiter.
    @Test(arguments: [(1, 1), (7, 7), (8, 8), (13, 5), (1, 9), (31, 29)])
    func everyKernelMatchesTheTranscriptionPointByPoint(size: (Int, Int)) {
        let settings: [(Region, Int)] = [
            (Mandelbrot.seed.region, 250),
            (Mandelbrot.seed.region, 1),
            (Mandelbrot.seed.region, 2),
            (Region(xmin: 0.2, xmax: 0.3, ymin: -0.05, ymax: 0.05), 400),
            (Region(xmin: -0.8, xmax: -0.7, ymin: -0.05, ymax: 0.05), 300),
            (Region(xmin: -1.3, xmax: -1.2, ymin: -0.1, ymax: 0.1), 200),
            (Region(xmin: -2.5, xmax: 2.5, ymin: -2.5, ymax: 2.5), 100),
        ]
        for (region, maxiter) in settings {
            let config = Mandelbrot.Config(width: size.0, height: size.1, region: region, maxiter: maxiter, grid: .tutorial)
            let problem = config.problem
            let reference = guideRun(xs: problem.xs, ys: problem.ys, maxiter: maxiter)
            for (name, kernel) in tutorialKernels {
                let image = counts(problem, kernel)
                #expect(image == reference.escapedAt, "\(name) at \(size) \(region) maxiter=\(maxiter)")
                let buffer = AlignedBuffer<Int32>(repeating: 0, count: image.count)
                for (k, v) in image.enumerated() { buffer.pointer[k] = v }
                #expect(config.validation(buffer) == [ValidationValue("sum", reference.sum),
                                                      ValidationValue("updates", reference.updates, countsWork: true),
                                                      ValidationValue("escaped", reference.escaped)])
            }
        }
    }

    /// A mid-size run through the rungs (prepare, run, validation), other region.
    @Test func rungsAgreeWithTheTranscriptionOffTheGuidesRun() throws {
        let config = try Mandelbrot.configure(tutorialOptions(size: [61, 47], region: [-1.5, 0.5, -0.9, 0.9], maxiter: 700))
        let p = config.problem
        let reference = guideRun(xs: p.xs, ys: p.ys, maxiter: 700)
        #expect(reference.escaped < Int64(p.pixels))  // interior points are in it
        for rung in Mandelbrot.rungs {
            let run = try #require(rung.prepare(config).ready)
            run.run()
            #expect(run.validation() == [ValidationValue("sum", reference.sum),
                                         ValidationValue("updates", reference.updates, countsWork: true),
                                         ValidationValue("escaped", reference.escaped)], "\(rung.name)")
        }
    }

    /// The small preset on the tutorial grid: every rung, run twice, gives
    /// the transcription's figures (mandelbrot) or the reference sum (julia).
    @Test func everyRungAtTheSmallPresetOnTheTutorialGrid() throws {
        var options = tutorialOptions()
        options.preset = .small
        let mandelbrot = try Mandelbrot.configure(options)
        let p = mandelbrot.problem
        let guide = guideRun(xs: p.xs, ys: p.ys, maxiter: mandelbrot.maxiter)
        let julia = try Julia.configure(options)
        let juliaSum = juliaReference(julia.problem).reduce(Int64(0)) { $0 + Int64($1) }
        let cases: [(String, [ValidationValue], [Rung<Mandelbrot.Config>]?, [Rung<Julia.Config>]?)] = [
            ("mandelbrot", [ValidationValue("sum", guide.sum), ValidationValue("updates", guide.updates, countsWork: true),
                            ValidationValue("escaped", guide.escaped)], Mandelbrot.rungs, nil),
            ("julia", [ValidationValue("sum", juliaSum, countsWork: true)], nil, Julia.rungs),
        ]
        for (name, expected, mRungs, jRungs) in cases {
            let runs = (mRungs ?? []).map { ($0.name, $0.prepare(mandelbrot).ready!) }
                + (jRungs ?? []).map { ($0.name, $0.prepare(julia).ready!) }
            for (rung, run) in runs {
                run.run()
                run.run()
                #expect(run.validation() == expected, "\(name)/\(rung)")
            }
        }
    }

    /// What a backend with the definition's kernel runs (the GPU rungs):
    /// that loop to maxiter + 1, read as count − 1, gives the guide's figures.
    @Test func definitionLoopOneStepLongerGivesTheGuidesFigures() {
        let loop = Mandelbrot.guideRun.definitionLoop
        #expect(loop.problem.maxiter == 1001 && loop.problem.xs == Mandelbrot.guideRun.problem.xs)
        let counts = AlignedBuffer<Int32>(repeating: 0, count: loop.problem.pixels)
        scalarCounts(MandelbrotRule.self, loop.problem, into: counts.pointer)
        #expect(loop.validation(counts) == Mandelbrot.guideFigures)
        // On the formula grid it is the problem itself and the sum.
        let formula = Mandelbrot.seed.definitionLoop
        #expect(formula.problem.maxiter == 1000)
        let image = AlignedBuffer<Int32>(repeating: 0, count: formula.problem.pixels)
        EscapeKernels<MandelbrotInteriorRule>.parallel(formula.problem, image.pointer)
        #expect(formula.validation(image) == [ValidationValue("sum", Mandelbrot.seedSum, countsWork: true)])
    }

    @Test func juliaSeedOnTheTutorialGridSumsTo33219980() throws {
        let config = try Julia.configure(tutorialOptions())
        #expect(config.grid == .tutorial && config.problem.width == 1000 && config.problem.height == 1000)
        #expect(Julia.expected(config) == [ValidationValue("sum", 33_219_980, countsWork: true)])
        let run = try #require(Julia.rungs.first { $0.name == "scalar" }?.prepare(config).ready)
        run.run()
        #expect(run.validation() == [ValidationValue("sum", 33_219_980, countsWork: true)])
    }

    @Test func juliaKernelsAgreeOnTheTutorialGrid() throws {
        let config = try Julia.configure(tutorialOptions(size: [13, 8], region: [-1.5, 1.3, -1.1, 0.9], maxiter: 120))
        let p = config.problem
        #expect((p.width, p.height) == (guideGrid(config.region, width: 13, height: 8).xs.count,
                                        guideGrid(config.region, width: 13, height: 8).ys.count))
        let reference = juliaReference(p)
        for rung in Julia.rungs {
            let run = try #require(rung.prepare(config).ready)
            run.run()
            #expect(run.validation() == [ValidationValue("sum", reference.reduce(0) { $0 + Int64($1) }, countsWork: true)],
                    "\(rung.name)")
        }
    }

    @Test func regionWhoseStepsDoNotAdvanceIsRefused() {
        // 10 divisions of a span below one ulp of its coordinates: x += step never moves.
        let tiny = tutorialOptions(size: [10, 10], region: [1e10, 1e10 + 1e-5, 0, 1])
        #expect(throws: CelerError.self) { try Mandelbrot.configure(tiny) }
        #expect(throws: CelerError.self) { try Julia.configure(tiny) }
        var formula = tiny
        formula.grid = .formula
        #expect(throws: Never.self) { try Mandelbrot.configure(formula) }
    }

    @Test func smoothValuesMarkExactlyThePointsThatNeverEscape() throws {
        let config = try Mandelbrot.configure(tutorialOptions(size: [41, 29], maxiter: 150))
        let p = config.problem
        let reference = guideRun(xs: p.xs, ys: p.ys, maxiter: 150)
        let smooth = Mandelbrot.smoothIterations(config)
        #expect(smooth.count == p.pixels)
        for (nu, at) in zip(smooth, reference.escapedAt) {
            #expect((nu == EscapeRender.inside) == (at == 150))
        }
    }
}
