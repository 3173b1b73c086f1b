import CelerCore
import CelerHarness
import CelerParallel
import Numerics

/// The Mandelbrot set (docs/workloads.md §2): for each pixel c, iterate
/// z ↦ z² + c from z = 0 while |z|² ≤ 4, at most `maxiter` steps; the count
/// is the number of steps. The seed image is 500×500 over
/// [−2.13, 0.77] × [−1.3, 1.3], maxiter 1000, and its counts sum to 51198208
/// (51198489 if a compiler contracted the step into FMAs: Swift does not).
///
/// Grid: `xs[j] = xmin + j·step` with `step = (xmax − xmin)/(width − 1)`
/// computed first (as NumPy's linspace does; multiplying j by the span before
/// dividing rounds differently and sums to 51198099), likewise `ys` with
/// height. A width (height) of 1 samples xmin (ymin) only, instead of
/// dividing by zero.
///
/// `--grid tutorial` samples the tutorials' accumulated grid (`TutorialGrid`)
/// and runs the 2011 guide's rule (`TutorialMandelbrotRule`: output =
/// iteration at escape, 0 if never), validated by its `sum`, `updates` and
/// `escaped`; at the guide's own run (500×500, the seed region, maxiter 1000)
/// those are 1148485, 51414419 and 199934.
public enum Mandelbrot: CaseStudy {
    public struct Config: Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var region: Region
        public var maxiter: Int
        /// Where the points lie and, with them, which rule runs.
        public var grid: EscapeGrid

        public init(width: Int, height: Int, region: Region, maxiter: Int, grid: EscapeGrid = .formula) {
            self.width = width; self.height = height; self.region = region; self.maxiter = maxiter
            self.grid = grid
        }

        public var problem: EscapeProblem {
            let r = region
            if grid == .tutorial {
                return TutorialGrid.problem(r, width: width, height: height, c: (0, 0), maxiter: maxiter)
            }
            return EscapeProblem(xs: Self.samples(r.xmin, r.xmax, width),
                                 ys: Self.samples(r.ymin, r.ymax, height),
                                 c: (0, 0), maxiter: maxiter)
        }

        /// `n` points from `lo` to about `hi`, `lo + j·step`; `[lo]` when n is 1.
        static func samples(_ lo: Double, _ hi: Double, _ n: Int) -> [Double] {
            guard n > 1 else { return [lo] }
            let step = (hi - lo) / Double(n - 1)
            return (0..<n).map { lo + Double($0) * step }
        }
    }

    public static let seed = Config(width: 500, height: 500,
                                    region: Region(xmin: -2.13, xmax: 0.77, ymin: -1.3, ymax: 1.3),
                                    maxiter: 1000)
    public static let seedSum: Int64 = 51_198_208

    /// The 2011 guide's run of `pure_python.py 1000 1000`: the seed on the
    /// tutorial grid (500×500 points), and the figures it printed.
    public static let guideRun = Config(width: 500, height: 500, region: seed.region, maxiter: 1000, grid: .tutorial)
    public static let guideFigures = [ValidationValue("sum", 1_148_485),
                                      ValidationValue("updates", 51_414_419, countsWork: true),
                                      ValidationValue("escaped", 199_934)]

    public static let name = "mandelbrot"
    public static let summary = "Mandelbrot escape counts, SIMD lanes, threads, interior shortcut"
    public static let optionsHelp = """
        --size WxH (default 500x500, small 64x64), --region=XMIN,XMAX,YMIN,YMAX \
        (default -2.13,0.77,-1.3,1.3), --maxiter N (default 1000, small 200), \
        --grid formula|tutorial (tutorial: the 2011 guide's grid and rule)
        """

    typealias Definition = EscapeKernels<MandelbrotRule>
    typealias Interior = EscapeKernels<MandelbrotInteriorRule>
    typealias Tutorial = EscapeKernels<TutorialMandelbrotRule>
    typealias TutorialInterior = EscapeKernels<TutorialMandelbrotInteriorRule>

    /// Each rung picks its kernel by the grid: the definition's rule on the
    /// formula grid, the 2011 guide's on the tutorial grid. The schedule
    /// (one pixel at a time, SIMD groups, threads) is the same for both.
    public static var rungs: [Rung<Config>] {
        [
            Rung("naive", "Complex<Double> from swift-numerics, |z| ≤ 2 via z.length (a square root)",
                 prepare: { byGrid($0, { naiveCounts($0, into: $1) }, { tutorialNaiveCounts($0, into: $1) }) }),
            Rung("scalar", "real and imaginary parts by hand, |z|² ≤ 4: no square root",
                 prepare: { byGrid($0, Definition.scalar, Tutorial.scalar) }),
            Rung("simd", "4 pixels per SIMD4<Double> group, 3 independent groups interleaved",
                 prepare: { byGrid($0, Definition.simd, Tutorial.simd) }),
            Rung("parallel", "the simd kernel, rows dealt dynamically to Parallel.threadCount threads", backend: .threads,
                 prepare: { byGrid($0, Definition.parallel, Tutorial.parallel) }),
            Rung("cardioid", "parallel, and points in the main cardioid or period-2 bulb get maxiter at once",
                 backend: .threads, skipsWork: true,
                 prepare: { byGrid($0, Interior.parallel, TutorialInterior.parallel) }),
        ]
    }

    /// A rung's run with the kernel of the configuration's grid.
    static func byGrid(_ config: Config, _ formula: @escaping EscapeCountKernel,
                       _ tutorial: @escaping EscapeCountKernel) -> Preparation {
        prepared(config, config.grid == .tutorial ? tutorial : formula)
    }

    public static func configure(_ options: WorkloadOptions) throws(CelerError) -> Config {
        var config = seed
        if options.preset == .small { (config.width, config.height, config.maxiter) = (64, 64, 200) }
        (config.width, config.height) = try EscapeOptions.size(options.size, default: (config.width, config.height))
        config.region = try EscapeOptions.region(options.region, default: config.region)
        config.maxiter = try EscapeOptions.maxiter(options.maxiter, default: config.maxiter)
        config.grid = options.grid
        try EscapeOptions.checkGrid(config.grid, config.region, width: config.width, height: config.height)
        return config
    }

    /// `width` and `height` are the points sampled (on the tutorial grid,
    /// possibly one more than the divisions asked for).
    public static func parameters(_ config: Config) -> [Parameter] {
        let p = config.problem
        return [
            Parameter("width", .integer(p.width)),
            Parameter("height", .integer(p.height)),
            Parameter("region", .text(config.region.description)),
            Parameter("maxiter", .integer(config.maxiter)),
        ] + EscapeOptions.gridParameters(config.grid, width: config.width, height: config.height)
    }

    public static func expected(_ config: Config) -> [ValidationValue]? {
        if config == seed { return [ValidationValue("sum", seedSum, countsWork: true)] }
        if config == guideRun { return guideFigures }
        return nil
    }

    public static func work(_ config: Config, counted: Double?) -> Work {
        EscapeOptions.work(counted: counted)
    }

    // MARK: Rungs

    /// The tutorial's loop on complex numbers, |z| ≤ 2 by a square root. The
    /// definition's test is |z|² ≤ 4; √ rounds |z|² = 4 + 2⁻⁵⁰ (the double
    /// after 4) down to 2, so `length <= 2` alone would keep that one value
    /// inside. The second test settles it as the definition does.
    static func naiveCounts(_ p: EscapeProblem, into out: UnsafeMutablePointer<Int32>) {
        for i in 0..<p.height {
            for j in 0..<p.width {
                let c = Complex(p.xs[j], p.ys[i])
                var z = Complex<Double>.zero
                var n = 0
                while n < p.maxiter && z.length <= 2 && z.lengthSquared <= 4 {
                    z = z * z + c
                    n += 1
                }
                out[i * p.width + j] = Int32(n)
            }
        }
    }

    /// The 2011 guide's loop on complex numbers, update then test, |z| > 2
    /// via z.length; the count stored is its `iteration` at the escape, or
    /// maxiter (see `TutorialMandelbrotRule`). As in `naiveCounts`, the
    /// second test settles |z|² = 4 + 2⁻⁵⁰, whose square root rounds to 2.
    static func tutorialNaiveCounts(_ p: EscapeProblem, into out: UnsafeMutablePointer<Int32>) {
        for i in 0..<p.height {
            for j in 0..<p.width {
                let q = Complex(p.xs[j], p.ys[i])
                var z = Complex<Double>.zero
                var escapedAt = p.maxiter
                for iteration in 0..<p.maxiter {
                    z = z * z + q
                    if z.length > 2 || z.lengthSquared > 4 {
                        escapedAt = iteration
                        break
                    }
                }
                out[i * p.width + j] = Int32(escapedAt)
            }
        }
    }

    /// The same loop on two doubles, testing |z|² ≤ 4.
    static func scalarCounts(_ p: EscapeProblem, into out: UnsafeMutablePointer<Int32>) {
        CelerWorkloads.scalarCounts(MandelbrotRule.self, p, into: out)
    }

    // MARK: Smooth colouring

    /// The smooth iteration count of every pixel, row-major (see
    /// `EscapeRender`), on `Parallel.threadCount` threads; interior points
    /// found by the cardioid/bulb test are not iterated.
    public static func smoothIterations(_ config: Config, progress: ProgressBar? = nil) -> [Float] {
        config.grid == .tutorial
            ? EscapeRender.smoothIterations(TutorialMandelbrotInteriorRule.self, config.problem, progress: progress)
            : EscapeRender.smoothIterations(MandelbrotInteriorRule.self, config.problem, progress: progress)
    }
}
