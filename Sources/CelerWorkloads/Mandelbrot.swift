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
public enum Mandelbrot: CaseStudy {
    public struct Config: Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var region: Region
        public var maxiter: Int

        public init(width: Int, height: Int, region: Region, maxiter: Int) {
            self.width = width; self.height = height; self.region = region; self.maxiter = maxiter
        }

        public var problem: EscapeProblem {
            let r = region
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

    public static let name = "mandelbrot"
    public static let summary = "Mandelbrot escape counts, SIMD lanes, threads, interior shortcut"
    public static let optionsHelp = """
        --size WxH (default 500x500, small 64x64), --region=XMIN,XMAX,YMIN,YMAX \
        (default -2.13,0.77,-1.3,1.3), --maxiter N (default 1000, small 200)
        """

    public static var rungs: [Rung<Config>] {
        [
            Rung("naive", "Complex<Double> from swift-numerics, |z| ≤ 2 via z.length (a square root)",
                 prepare: { prepared($0) { p, out in naiveCounts(p, into: out) } }),
            Rung("scalar", "real and imaginary parts by hand, |z|² ≤ 4: no square root",
                 prepare: { prepared($0) { p, out in scalarCounts(p, into: out) } }),
            Rung("simd", "4 pixels per SIMD4<Double> group, 3 independent groups interleaved",
                 prepare: { prepared($0) { p, out in
                     EscapeKernel.countRows(MandelbrotRule.self, p, rows: 0..<p.height, into: out) } }),
            Rung("parallel", "the simd kernel, rows dealt dynamically to Parallel.threadCount threads", backend: .threads,
                 prepare: { prepared($0) { p, out in countParallel(MandelbrotRule.self, p, into: out) } }),
            Rung("cardioid", "parallel, and points in the main cardioid or period-2 bulb get maxiter at once",
                 backend: .threads, skipsWork: true,
                 prepare: { prepared($0) { p, out in countParallel(MandelbrotInteriorRule.self, p, into: out) } }),
        ]
    }

    public static func configure(_ options: WorkloadOptions) throws(CelerError) -> Config {
        var config = seed
        if options.preset == .small { (config.width, config.height, config.maxiter) = (64, 64, 200) }
        (config.width, config.height) = try EscapeOptions.size(options.size, default: (config.width, config.height))
        config.region = try EscapeOptions.region(options.region, default: config.region)
        config.maxiter = try EscapeOptions.maxiter(options.maxiter, default: config.maxiter)
        return config
    }

    public static func parameters(_ config: Config) -> [Parameter] {
        [
            Parameter("width", .integer(config.width)),
            Parameter("height", .integer(config.height)),
            Parameter("region", .text(config.region.description)),
            Parameter("maxiter", .integer(config.maxiter)),
        ]
    }

    public static func expected(_ config: Config) -> [ValidationValue]? {
        config == seed ? [ValidationValue("sum", seedSum, countsWork: true)] : nil
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

    /// The same loop on two doubles, testing |z|² ≤ 4.
    static func scalarCounts(_ p: EscapeProblem, into out: UnsafeMutablePointer<Int32>) {
        for i in 0..<p.height {
            let y = p.ys[i]
            for j in 0..<p.width {
                out[i * p.width + j] = Int32(scalarCount(cr: p.xs[j], ci: y, maxiter: p.maxiter))
            }
        }
    }

    @inline(__always)
    static func scalarCount(cr: Double, ci: Double, maxiter: Int) -> Int {
        var zr = 0.0, zi = 0.0
        var n = 0
        while n < maxiter {
            let x2 = zr * zr, y2 = zi * zi
            if !(x2 + y2 <= 4) { break }
            let xy = zr * zi
            zr = x2 - y2 + cr
            zi = xy * 2 + ci
            n += 1
        }
        return n
    }

    // MARK: Smooth colouring

    /// The smooth iteration count of every pixel, row-major (see
    /// `EscapeRender`), on `Parallel.threadCount` threads; interior points
    /// found by the cardioid/bulb test are not iterated.
    public static func smoothIterations(_ config: Config, progress: ProgressBar? = nil) -> [Float] {
        EscapeRender.smoothIterations(MandelbrotInteriorRule.self, config.problem, progress: progress)
    }
}
