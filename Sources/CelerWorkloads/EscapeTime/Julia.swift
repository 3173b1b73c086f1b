import CelerCore
import CelerHarness
import CelerParallel
import Numerics

/// The Julia set of z ↦ z² + c (docs/workloads.md §1): for each pixel z₀,
/// count the steps while |z| < 2, at most `maxiter`. The seed image is
/// 1000×1000 over [−1.8, 1.8]², c = −0.62772 − 0.42193i, maxiter 300, and its
/// counts sum to 33219980.
///
/// Grid: `xs[j] = xmin + j·(xmax − xmin)/width`, `ys[i] = ymin + i·(ymax − ymin)/height`
/// (the right and top edges are not sampled), rows are y. `--grid tutorial`
/// samples the tutorials' accumulated grid instead (`TutorialGrid`; same
/// rule), whose seed sum is 33219980 too.
public enum Julia: CaseStudy {
    public struct Config: Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var region: Region
        public var cRe: Double
        public var cIm: Double
        public var maxiter: Int
        /// Where the points lie.
        public var grid: EscapeGrid

        public init(width: Int, height: Int, region: Region, cRe: Double, cIm: Double, maxiter: Int,
                    grid: EscapeGrid = .formula) {
            self.width = width; self.height = height; self.region = region
            self.cRe = cRe; self.cIm = cIm; self.maxiter = maxiter; self.grid = grid
        }

        /// The sample points and constants the kernels read.
        public var problem: EscapeProblem {
            let r = region
            if grid == .tutorial {
                return TutorialGrid.problem(r, width: width, height: height, c: (cRe, cIm), maxiter: maxiter)
            }
            let xs = (0..<width).map { r.xmin + Double($0) * (r.xmax - r.xmin) / Double(width) }
            let ys = (0..<height).map { r.ymin + Double($0) * (r.ymax - r.ymin) / Double(height) }
            return EscapeProblem(xs: xs, ys: ys, c: (cRe, cIm), maxiter: maxiter)
        }
    }

    /// The configuration of docs/workloads.md, whose sum is known.
    public static let seed = Config(width: 1000, height: 1000,
                                    region: Region(xmin: -1.8, xmax: 1.8, ymin: -1.8, ymax: 1.8),
                                    cRe: -0.62772, cIm: -0.42193, maxiter: 300)
    public static let seedSum: Int64 = 33_219_980

    public static let name = "julia"
    public static let summary = "Julia set escape counts (z² + c), SIMD lanes and threads"
    public static let optionsHelp = """
        --size WxH (default 1000x1000, small 100x100), --region=XMIN,XMAX,YMIN,YMAX \
        (default -1.8,1.8,-1.8,1.8), --c=RE,IM (default -0.62772,-0.42193), --maxiter N (default 300), \
        --grid formula|tutorial (tutorial: the guides' accumulated grid)
        """

    public static var rungs: [Rung<Config>] {
        [
            Rung("naive", "Complex<Double> from swift-numerics, |z| < 2 via z.length (a square root)",
                 prepare: { prepared($0) { p, out in naiveCounts(p, into: out) } }),
            Rung("scalar", "real and imaginary parts by hand, |z|² < 4: no square root",
                 prepare: { prepared($0) { p, out in scalarCounts(p, into: out) } }),
            Rung("simd", "4 pixels per SIMD4<Double> group, 3 independent groups interleaved",
                 prepare: { prepared($0) { p, out in
                     EscapeKernel.countRows(JuliaRule.self, p, rows: 0..<p.height, into: out) } }),
            Rung("parallel", "the simd kernel, rows dealt dynamically to Parallel.threadCount threads", backend: .threads,
                 prepare: { prepared($0) { p, out in countParallel(JuliaRule.self, p, into: out) } }),
        ]
    }

    public static func configure(_ options: WorkloadOptions) throws(CelerError) -> Config {
        var config = seed
        if options.preset == .small { (config.width, config.height) = (100, 100) }
        (config.width, config.height) = try EscapeOptions.size(options.size, default: (config.width, config.height))
        config.region = try EscapeOptions.region(options.region, default: config.region)
        (config.cRe, config.cIm) = try EscapeOptions.c(options.c, default: (config.cRe, config.cIm))
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
            Parameter("c", .text("\(config.cRe),\(config.cIm)")),
            Parameter("maxiter", .integer(config.maxiter)),
        ] + EscapeOptions.gridParameters(config.grid, width: config.width, height: config.height)
    }

    public static func expected(_ config: Config) -> [ValidationValue]? {
        var onSeed = config
        onSeed.grid = .formula
        return onSeed == seed ? [ValidationValue("sum", seedSum, countsWork: true)] : nil
    }

    public static func work(_ config: Config, counted: Double?) -> Work {
        EscapeOptions.work(counted: counted)
    }

    // MARK: Rungs

    /// The tutorial's loop on complex numbers: |z| is a square root per step.
    /// (`length < 2` and `|z|² < 4` agree for every double: √ is correctly
    /// rounded and monotonic, and √s < 2 exactly when s < 4.)
    static func naiveCounts(_ p: EscapeProblem, into out: UnsafeMutablePointer<Int32>) {
        let c = Complex(p.c.re, p.c.im)
        for i in 0..<p.height {
            for j in 0..<p.width {
                var z = Complex(p.xs[j], p.ys[i])
                var n = 0
                while z.length < 2 && n < p.maxiter {
                    z = z * z + c
                    n += 1
                }
                out[i * p.width + j] = Int32(n)
            }
        }
    }

    /// The same loop on two doubles, testing |z|² < 4.
    static func scalarCounts(_ p: EscapeProblem, into out: UnsafeMutablePointer<Int32>) {
        CelerWorkloads.scalarCounts(JuliaRule.self, p, into: out)
    }

    // MARK: Smooth colouring

    /// The smooth iteration count of every pixel, row-major (see
    /// `EscapeRender`), computed on `Parallel.threadCount` threads.
    public static func smoothIterations(_ config: Config, progress: ProgressBar? = nil) -> [Float] {
        EscapeRender.smoothIterations(JuliaRule.self, config.problem, progress: progress)
    }
}
