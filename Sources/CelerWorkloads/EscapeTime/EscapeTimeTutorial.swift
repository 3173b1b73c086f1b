import CelerCore
import CelerHarness

// `--grid tutorial`: the sample points as the tutorials' Python builds them,
// and the 2011 guide's Mandelbrot rule (docs/workloads.md, "The tutorials'
// own grid"). With them `celer compare mandelbrot --grid tutorial`
// reproduces the guide's own run of `pure_python.py 1000 1000` figure for
// figure.

/// The tutorials' grid: coordinates by accumulation, not by formula.
///
/// `x_step = (xmax − xmin)/width`; x starts at xmin and is appended while
/// `x < xmax` (`x += x_step`). `y_step = (ymin − ymax)/height`; y starts at
/// **ymax** and is appended while `y > ymin`, going down, so row 0 is the top
/// of the picture. Rounding in the running sum can add one more column or row
/// than asked (1000 columns of [−2.13, 0.77) accumulate to 1001): that is the
/// tutorials' behaviour, and it is kept.
package enum TutorialGrid {
    /// The points of one axis: `start`, `start + step`, … while on the near
    /// side of `end`; nil if more than `limit` would be needed (a step below
    /// the coordinates' rounding never advances).
    static func axis(from start: Double, to end: Double, step: Double, limit: Int) -> [Double]? {
        guard step != 0, step.isFinite else { return nil }
        var points: [Double] = []
        var v = start
        while step > 0 ? v < end : v > end {
            guard points.count < limit else { return nil }
            points.append(v)
            v += step
        }
        return points
    }

    /// Most points an axis of `n` divisions may accumulate to before the grid
    /// is refused (in practice n or n + 1).
    static func limit(_ n: Int) -> Int { 2 * n + 2 }

    static func xs(_ r: Region, width: Int) -> [Double]? {
        axis(from: r.xmin, to: r.xmax, step: (r.xmax - r.xmin) / Double(width), limit: limit(width))
    }

    static func ys(_ r: Region, height: Int) -> [Double]? {
        axis(from: r.ymax, to: r.ymin, step: (r.ymin - r.ymax) / Double(height), limit: limit(height))
    }

    /// The number of columns and rows the grid accumulates to, or nil if an
    /// axis would not finish within its limit.
    static func size(_ r: Region, width: Int, height: Int) -> (width: Int, height: Int)? {
        guard let xs = xs(r, width: width), let ys = ys(r, height: height), !xs.isEmpty, !ys.isEmpty else { return nil }
        return (xs.count, ys.count)
    }

    /// The problem on this grid. An axis `size` refuses (which `configure`
    /// rejects) falls back to its first point rather than trapping.
    static func problem(_ r: Region, width: Int, height: Int, c: (re: Double, im: Double), maxiter: Int) -> EscapeProblem {
        let xs = xs(r, width: width) ?? [r.xmin]
        let ys = ys(r, height: height) ?? [r.ymax]
        return EscapeProblem(xs: xs.isEmpty ? [r.xmin] : xs, ys: ys.isEmpty ? [r.ymax] : ys, c: c, maxiter: maxiter)
    }
}

/// The 2011 guide's Mandelbrot rule. Per point q: z = 0; for iteration in
/// 0 ..< maxiter { z = z·z + q; if |z| > 2 { output = iteration; stop } };
/// output is 0 for a point that never escapes. The update comes before the
/// test, so the guide tests z₁ … z_maxiter, one step further than the count
/// rule of `MandelbrotRule`, and its first update gives z₁ = q exactly.
///
/// As an `EscapeRule` that is: the orbit starts at z₀ = q (the first update
/// done), c = q, and continues while |z|² ≤ 4. The count the kernels store is
/// then the guide's `iteration` at its `break` for a point that escapes, and
/// `maxiter` for one that never does, so every kernel (naive, scalar, SIMD,
/// threads, the interior shortcut) runs this rule unchanged. From that count
/// per point come the guide's three figures (`validation`): `sum` of its
/// outputs, `updates` (its z-updates: iteration + 1 for an escaped point,
/// maxiter otherwise; the line-profiler hit count of `z = z*z + q`) and
/// `escaped`.
///
/// `|z| > 2` is tested as |z|² > 4 on the rounded x² + y², as every kernel
/// does; the guide's `abs` (hypot) differs only for |z| within an ulp or so of
/// 2, and hypot, √(x² + y²) and x² + y² > 4 all give the guide's figures.
package enum TutorialMandelbrotRule: EscapeRule {
    @inline(__always) package static func inside(_ s: Double) -> Bool { MandelbrotRule.inside(s) }
    @inline(__always) package static func inside(_ s: Lanes) -> LaneInts { MandelbrotRule.inside(s) }
    @inline(__always) package static func start(x: Lanes, y: Lanes, c: (re: Double, im: Double)) -> (zr: Lanes, zi: Lanes, cr: Lanes, ci: Lanes) {
        (x, y, x, y)
    }
    @inline(__always) package static func start(x: Double, y: Double, c: (re: Double, im: Double)) -> (zr: Double, zi: Double, cr: Double, ci: Double) {
        (x, y, x, y)
    }
    package static var skipsInterior: Bool { false }

    /// The guide's `output` of a point whose stored count is `count`.
    @inline(__always) package static func output(count: Int, maxiter: Int) -> Int { count < maxiter ? count : 0 }

    /// The guide's z-updates for a point whose stored count is `count`.
    @inline(__always) package static func updates(count: Int, maxiter: Int) -> Int { count < maxiter ? count + 1 : maxiter }

    /// The guide's figures for a count image: `sum` (of its outputs),
    /// `updates` (the work, marked `countsWork`) and `escaped`.
    package static func validation(_ counts: AlignedBuffer<Int32>, maxiter: Int) -> [ValidationValue] {
        var sum: Int64 = 0, updates: Int64 = 0, escaped: Int64 = 0
        let m = Int64(maxiter)
        for k in 0..<counts.count {
            let n = Int64(counts.pointer[k])
            if n < m {
                sum &+= n; updates &+= n + 1; escaped &+= 1
            } else {
                updates &+= m
            }
        }
        return [ValidationValue("sum", sum), ValidationValue("updates", updates, countsWork: true),
                ValidationValue("escaped", escaped)]
    }
}

extension TutorialMandelbrotRule {
    /// The guide's figures from the counts of the definition's loop
    /// (`MandelbrotRule`: z₀ = 0, test, then update) run to maxiter + 1: the
    /// guide's loop escapes at iteration k exactly when that loop counts
    /// k + 1, so count − 1 is this rule's count. For a backend whose kernel
    /// is the definition's (the GPU rungs); the Python peers do the same.
    package static func validation(definitionCounts counts: AlignedBuffer<Int32>, maxiter: Int) -> [ValidationValue] {
        let shifted = AlignedBuffer<Int32>(repeating: 0, count: counts.count)
        for k in 0..<counts.count { shifted.pointer[k] = counts.pointer[k] - 1 }
        return validation(shifted, maxiter: maxiter)
    }
}

extension Mandelbrot.Config {
    /// What a backend whose kernel runs the definition's count loop runs,
    /// and how its counts are read: on the formula grid the problem and the
    /// sum of the counts; on the tutorial grid the problem with maxiter + 1
    /// and the guide's figures (`validation(definitionCounts:maxiter:)`).
    package var definitionLoop: (problem: EscapeProblem, validation: @Sendable (AlignedBuffer<Int32>) -> [ValidationValue]) {
        let p = problem
        guard grid == .tutorial else { return (p, { EscapeOptions.validation($0) }) }
        let maxiter = self.maxiter
        return (EscapeProblem(xs: p.xs, ys: p.ys, c: p.c, maxiter: maxiter + 1),
                { TutorialMandelbrotRule.validation(definitionCounts: $0, maxiter: maxiter) })
    }
}

/// The 2011 rule with the interior shortcut (the `cardioid` rung): points in
/// the main cardioid or period-2 bulb never escape, so they get count maxiter
/// (output 0, maxiter updates) without iterating; `updates` stays exact.
package enum TutorialMandelbrotInteriorRule: EscapeRule {
    @inline(__always) package static func inside(_ s: Double) -> Bool { MandelbrotRule.inside(s) }
    @inline(__always) package static func inside(_ s: Lanes) -> LaneInts { MandelbrotRule.inside(s) }
    @inline(__always) package static func start(x: Lanes, y: Lanes, c: (re: Double, im: Double)) -> (zr: Lanes, zi: Lanes, cr: Lanes, ci: Lanes) {
        TutorialMandelbrotRule.start(x: x, y: y, c: c)
    }
    @inline(__always) package static func start(x: Double, y: Double, c: (re: Double, im: Double)) -> (zr: Double, zi: Double, cr: Double, ci: Double) {
        TutorialMandelbrotRule.start(x: x, y: y, c: c)
    }
    package static var skipsInterior: Bool { true }
}
