import CelerCore
import CelerHarness
import CelerParallel

// Escape-time fractals (Julia, Mandelbrot): the pieces both case studies
// share. Every pixel runs the orbit z ↦ z² + c until |z|² leaves the disc of
// radius 2 or `maxiter` steps are done; its count is the number of steps
// taken. The two fractals differ only in where the orbit starts, which c it
// uses, and whether |z|² = 4 is still inside: an `EscapeRule` says which.
//
// Arithmetic is the definition's, in its order, without FMA, so every rung
// gives bit-identical orbits and therefore identical counts:
//     x' = (x·x − y·y) + cr,   y' = (x·y)·2 + ci
// ((x·y)·2 equals x·y + x·y bit for bit: doubling is exact.)

/// A rectangle of the complex plane: real parts xmin…xmax, imaginary ymin…ymax.
public struct Region: Sendable, Equatable, CustomStringConvertible {
    public var xmin: Double, xmax: Double, ymin: Double, ymax: Double
    public init(xmin: Double, xmax: Double, ymin: Double, ymax: Double) {
        self.xmin = xmin; self.xmax = xmax; self.ymin = ymin; self.ymax = ymax
    }
    public var description: String { "\(xmin),\(xmax),\(ymin),\(ymax)" }
}

/// What an escape-time kernel computes: the sample points (column j has real
/// part `xs[j]`, row i imaginary part `ys[i]`), Julia's constant c, `maxiter`.
/// Counts are stored row-major: pixel (i, j) at `i * width + j`.
public struct EscapeProblem: Sendable {
    public let xs: [Double]
    public let ys: [Double]
    public let c: (re: Double, im: Double)
    public let maxiter: Int
    public var width: Int { xs.count }
    public var height: Int { ys.count }
    public var pixels: Int { xs.count * ys.count }
}

// MARK: - Options shared by both case studies

/// Validation of the options both fractals take. Each throws a one-line
/// error naming the option and what it allows.
package enum EscapeOptions {
    static let maxSide = 100_000
    static let maxPixels = 1_000_000_000
    static let maxIterations = OptionLimits.maxiter.upperBound

    static func size(_ value: [Int]?, default fallback: (Int, Int)) throws(CelerError) -> (width: Int, height: Int) {
        guard let value else { return fallback }
        let shown = value.map(String.init).joined(separator: "x")
        guard value.count == 2 else {
            throw .invalidOption("--size", shown, allowed: "give WIDTHxHEIGHT (two numbers)")
        }
        let (w, h) = (value[0], value[1])
        guard (1...maxSide).contains(w), (1...maxSide).contains(h) else {
            throw .invalidOption("--size", shown, allowed: "width and height must be 1...\(maxSide)")
        }
        guard w * h <= maxPixels else {
            throw .invalidOption("--size", shown, allowed: "at most \(maxPixels) pixels")
        }
        return (w, h)
    }

    static func maxiter(_ value: Int?, default fallback: Int) throws(CelerError) -> Int {
        guard let value else { return fallback }
        guard (1...maxIterations).contains(value) else {
            throw .invalidOption("--maxiter", "\(value)", allowed: "use 1...\(maxIterations)")
        }
        return value
    }

    static func region(_ value: [Double]?, default fallback: Region) throws(CelerError) -> Region {
        guard let value else { return fallback }
        let shown = value.map { "\($0)" }.joined(separator: ",")
        guard value.count == 4 else {
            throw .invalidOption("--region", shown, allowed: "give XMIN,XMAX,YMIN,YMAX (four numbers)")
        }
        let r = Region(xmin: value[0], xmax: value[1], ymin: value[2], ymax: value[3])
        guard value.allSatisfy(\.isFinite), (r.xmax - r.xmin).isFinite, (r.ymax - r.ymin).isFinite else {
            throw .invalidOption("--region", shown, allowed: "values and spans must be finite")
        }
        guard r.xmin < r.xmax, r.ymin < r.ymax else {
            throw .invalidOption("--region", shown, allowed: "need XMIN < XMAX and YMIN < YMAX")
        }
        return r
    }

    static func c(_ value: [Double]?, default fallback: (Double, Double)) throws(CelerError) -> (re: Double, im: Double) {
        guard let value else { return fallback }
        let shown = value.map { "\($0)" }.joined(separator: ",")
        guard value.count == 2 else {
            throw .invalidOption("--c", shown, allowed: "give RE,IM (two numbers)")
        }
        guard value.allSatisfy(\.isFinite) else {
            throw .invalidOption("--c", shown, allowed: "both parts must be finite")
        }
        return (value[0], value[1])
    }

    /// Floating-point operations per orbit step: x², y², x·y, ·2, x²−y², +cr,
    /// +ci, and the escape test x²+y² and its comparison.
    static let flopsPerIteration = 9.0

    /// The work of `counted` orbit steps (the sum of the counts, which the
    /// validation marks `countsWork`).
    package static func work(counted: Double?) -> Work {
        Work(flops: (counted ?? 0) * flopsPerIteration, bytes: 0, bound: .compute)
    }

    /// The validation of a count image: the sum of all counts.
    package static func validation(_ counts: AlignedBuffer<Int32>) -> [ValidationValue] {
        var sum: Int64 = 0
        for k in 0..<counts.count { sum &+= Int64(counts.pointer[k]) }
        return [ValidationValue("sum", sum, countsWork: true)]
    }

    /// `--grid`: the tutorial grid must accumulate to a sane number of points.
    static func checkGrid(_ grid: EscapeGrid, _ region: Region, width: Int, height: Int) throws(CelerError) {
        guard grid == .tutorial else { return }
        guard let (w, h) = TutorialGrid.size(region, width: width, height: height) else {
            throw .invalidOption("--grid", "tutorial", allowed:
                "its accumulated steps do not advance across --region=\(region) at \(width)x\(height); use --grid formula or a wider region")
        }
        guard w * h <= maxPixels else {
            throw .invalidOption("--size", "\(width)x\(height)", allowed: "at most \(maxPixels) pixels (the tutorial grid gives \(w)x\(h))")
        }
    }

    /// The parameters a grid adds to a study's: none for the formula grid
    /// (its rows read as before); for the tutorial grid its name and the
    /// divisions of the steps, since accumulation may add a row or column to
    /// the `width` and `height` reported (the points actually sampled).
    static func gridParameters(_ grid: EscapeGrid, width: Int, height: Int) -> [Parameter] {
        grid == .tutorial
            ? [Parameter("grid", .text("tutorial")), Parameter("divisions", .text("\(width)x\(height)"))]
            : []
    }
}

/// How the sample points are placed (`--grid`); see `TutorialGrid`.
public typealias EscapeGrid = WorkloadOptions.Grid

// MARK: - Shared rung plumbing

/// A count kernel: fills the image (row-major) with the counts of a problem.
package typealias EscapeCountKernel = @Sendable (EscapeProblem, UnsafeMutablePointer<Int32>) -> Void

/// A prepared run of a count kernel: the sample points and the count image
/// are made here, outside the timing; `kernel` fills the image.
package func prepared<C>(_ config: C, _ kernel: @escaping EscapeCountKernel) -> Preparation
where C: EscapeConfig {
    let problem = config.problem
    let counts = AlignedBuffer<Int32>(repeating: 0, count: problem.pixels)
    return .ready(run: { kernel(problem, counts.pointer) },
                       validation: { config.validation(counts) })
}

/// A configuration that defines an escape-time problem.
package protocol EscapeConfig {
    var problem: EscapeProblem { get }
    /// The validation values of a count image of `problem`.
    func validation(_ counts: AlignedBuffer<Int32>) -> [ValidationValue]
}
extension EscapeConfig {
    /// The sum of the counts (marked `countsWork`).
    package func validation(_ counts: AlignedBuffer<Int32>) -> [ValidationValue] {
        EscapeOptions.validation(counts)
    }
}
extension Julia.Config: EscapeConfig {}
extension Mandelbrot.Config: EscapeConfig {
    /// The 2011 guide's values on the tutorial grid (`TutorialMandelbrotRule`),
    /// the sum of the counts on the formula grid.
    package func validation(_ counts: AlignedBuffer<Int32>) -> [ValidationValue] {
        grid == .tutorial ? TutorialMandelbrotRule.validation(counts, maxiter: maxiter) : EscapeOptions.validation(counts)
    }
}

/// The count kernels of the rungs for one rule: the algorithm is `R`, the
/// schedule is the kernel's (one pixel at a time, SIMD groups, threads).
package enum EscapeKernels<R: EscapeRule> {
    package static var scalar: EscapeCountKernel { { p, out in scalarCounts(R.self, p, into: out) } }
    package static var simd: EscapeCountKernel {
        { p, out in EscapeKernel.countRows(R.self, p, rows: 0..<p.height, into: out) }
    }
    package static var parallel: EscapeCountKernel { { p, out in countParallel(R.self, p, into: out) } }
}

/// The scalar rungs' loop, one pixel at a time, for any rule: the orbit
/// step of the SIMD kernel on two doubles, tested before each step.
package func scalarCounts<R: EscapeRule>(_: R.Type, _ p: EscapeProblem, into out: UnsafeMutablePointer<Int32>) {
    for i in 0..<p.height {
        let y = p.ys[i]
        for j in 0..<p.width {
            out[i * p.width + j] = Int32(scalarCount(R.self, x: p.xs[j], y: y, c: p.c, maxiter: p.maxiter))
        }
    }
}

/// Steps taken while `R.inside`, at most `maxiter`, from the pixel (x, y).
@inline(__always)
package func scalarCount<R: EscapeRule>(_: R.Type, x: Double, y: Double, c: (re: Double, im: Double), maxiter: Int) -> Int {
    var (zr, zi, cr, ci) = R.start(x: x, y: y, c: c)
    var n = 0
    while n < maxiter {
        let x2 = zr * zr, y2 = zi * zi
        if !R.inside(x2 + y2) { break }
        let xy = zr * zi
        zr = x2 - y2 + cr
        zi = xy * 2 + ci
        n += 1
    }
    return n
}

/// Rows dealt in chunks from a shared counter: the cost of a row varies a lot
/// (rows through the set's interior run maxiter steps per pixel).
package func countParallel<R: EscapeRule>(_ rule: R.Type, _ p: EscapeProblem, into out: UnsafeMutablePointer<Int32>) {
    let image = UncheckedSendable(out)
    parallelFor(0..<p.height, schedule: .dynamic(rowsPerChunk(p.height))) { rows in
        EscapeKernel.countRows(rule, p, rows: rows, into: image.value)
    }
}

/// About 16 chunks per thread, at most 8 rows each.
package func rowsPerChunk(_ height: Int) -> Int {
    max(1, min(8, height / (16 * max(1, Parallel.threadCount))))
}

// MARK: - Escape rules

/// SIMD lanes of one group of pixels: 4 doubles (one AVX2 register).
package typealias Lanes = SIMD4<Double>
/// Per-lane integers and masks (all ones = true) matching `Lanes`.
package typealias LaneInts = SIMD4<Int64>
/// Per-lane counts as stored.
package typealias LaneCounts = SIMD4<Int32>

/// Where a fractal's orbit starts and when it stops.
package protocol EscapeRule: SendableMetatype {
    /// Whether a point with |z|² = s is still inside: the loop condition.
    static func inside(_ s: Double) -> Bool
    /// `inside` for every lane, as all-ones / zero lanes.
    static func inside(_ s: Lanes) -> LaneInts
    /// z₀ and c of the pixels at (x, y); `c` is Julia's constant.
    static func start(x: Lanes, y: Lanes, c: (re: Double, im: Double)) -> (zr: Lanes, zi: Lanes, cr: Lanes, ci: Lanes)
    /// `start` for one pixel.
    static func start(x: Double, y: Double, c: (re: Double, im: Double)) -> (zr: Double, zi: Double, cr: Double, ci: Double)
    /// Whether to test for the Mandelbrot set's main cardioid and period-2
    /// bulb and give those points `maxiter` without iterating.
    static var skipsInterior: Bool { get }
}

/// Julia: z₀ is the pixel, c is fixed, continue while |z|² < 4.
package enum JuliaRule: EscapeRule {
    @inline(__always) package static func inside(_ s: Double) -> Bool { s < 4 }
    @inline(__always) package static func inside(_ s: Lanes) -> LaneInts {
        unsafeBitCast(s .< Lanes(repeating: 4), to: LaneInts.self)
    }
    @inline(__always) package static func start(x: Lanes, y: Lanes, c: (re: Double, im: Double)) -> (zr: Lanes, zi: Lanes, cr: Lanes, ci: Lanes) {
        (x, y, Lanes(repeating: c.re), Lanes(repeating: c.im))
    }
    @inline(__always) package static func start(x: Double, y: Double, c: (re: Double, im: Double)) -> (zr: Double, zi: Double, cr: Double, ci: Double) {
        (x, y, c.re, c.im)
    }
    package static var skipsInterior: Bool { false }
}

/// Mandelbrot: z₀ = 0, c is the pixel, continue while |z|² ≤ 4.
package enum MandelbrotRule: EscapeRule {
    @inline(__always) package static func inside(_ s: Double) -> Bool { s <= 4 }
    @inline(__always) package static func inside(_ s: Lanes) -> LaneInts {
        unsafeBitCast(s .<= Lanes(repeating: 4), to: LaneInts.self)
    }
    @inline(__always) package static func start(x: Lanes, y: Lanes, c: (re: Double, im: Double)) -> (zr: Lanes, zi: Lanes, cr: Lanes, ci: Lanes) {
        (Lanes(), Lanes(), x, y)
    }
    @inline(__always) package static func start(x: Double, y: Double, c: (re: Double, im: Double)) -> (zr: Double, zi: Double, cr: Double, ci: Double) {
        (0, 0, x, y)
    }
    package static var skipsInterior: Bool { false }
}

/// Mandelbrot with the interior shortcut (the `cardioid` rung).
package enum MandelbrotInteriorRule: EscapeRule {
    @inline(__always) package static func inside(_ s: Double) -> Bool { s <= 4 }
    @inline(__always) package static func inside(_ s: Lanes) -> LaneInts { MandelbrotRule.inside(s) }
    @inline(__always) package static func start(x: Lanes, y: Lanes, c: (re: Double, im: Double)) -> (zr: Lanes, zi: Lanes, cr: Lanes, ci: Lanes) {
        MandelbrotRule.start(x: x, y: y, c: c)
    }
    @inline(__always) package static func start(x: Double, y: Double, c: (re: Double, im: Double)) -> (zr: Double, zi: Double, cr: Double, ci: Double) {
        MandelbrotRule.start(x: x, y: y, c: c)
    }
    package static var skipsInterior: Bool { true }
}

/// Points whose orbit provably never leaves |z| ≤ 2: the main cardioid and
/// the period-2 disc, each shrunk by a margin so that a point the
/// floating-point test calls inside is inside by far more than any rounding
/// error (orbits there converge to an attracting cycle of modulus below 1.5,
/// so the computed orbit never nears the escape radius either).
enum MandelbrotInterior {
    /// Margin, in the units of each test's left-hand side.
    static let margin = 1e-9

    /// Scalar test: (x−¼)² + y² = q, q·(q + x − ¼) < y²/4 (cardioid);
    /// (x+1)² + y² < 1/16 (period-2 disc).
    @inline(__always) static func contains(_ x: Double, _ y: Double) -> Bool {
        let xq = x - 0.25
        let y2 = y * y
        let q = xq * xq + y2
        if q * (q + xq) < 0.25 * y2 - margin { return true }
        let xp = x + 1
        return xp * xp + y2 < 0.0625 - margin
    }

    @inline(__always) static func contains(_ x: Lanes, _ y: Lanes) -> LaneInts {
        let xq = x - 0.25
        let y2 = y * y
        let q = xq * xq + y2
        let cardioid = q * (q + xq) .< 0.25 * y2 - margin
        let xp = x + 1
        let bulb = xp * xp + y2 .< Lanes(repeating: 0.0625 - margin)
        return unsafeBitCast(cardioid .| bulb, to: LaneInts.self)
    }
}

// MARK: - Lane helpers

extension SIMD4 where Scalar == Int64 {
    /// Whether any lane has its sign bit set (a true mask lane). Or-reduced
    /// by halves, which compiles to a few vector instructions; `any(SIMDMask)`
    /// reduces through a generic `min()` loop (swiftlang/swift#78203).
    @inline(__always) var anyNegative: Bool {
        let h = lowHalf | highHalf
        return (h[0] | h[1]) < 0
    }
    /// Whether every lane has its sign bit set.
    @inline(__always) var allNegative: Bool {
        let h = lowHalf & highHalf
        return (h[0] & h[1]) < 0
    }
}

extension SIMD4 where Scalar == Double {
    /// These lanes, with every bit set (a NaN) where `mask` is true.
    @inline(__always) func poisoned(where mask: LaneInts) -> Lanes {
        unsafeBitCast(unsafeBitCast(self, to: LaneInts.self) | mask, to: Lanes.self)
    }
}
