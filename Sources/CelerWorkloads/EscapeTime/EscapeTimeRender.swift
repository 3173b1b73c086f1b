import CelerCore
import CelerHarness
import CelerParallel
import RealModule

/// Smooth iteration counts for pictures (`celer render`): the integer count
/// n makes visible bands; the normalised count
///     ν = n + 1 − log₂(ln |z|)
/// varies continuously across them, because ln |z| roughly doubles with each
/// step once |z| is large. Taking a few extra steps past the escape before
/// measuring |z| makes that "roughly" precise enough that no seams show with
/// an escape radius as small as 2. Points that never escape get `inside`.
///
/// The kernel is the counting kernel with one change: a lane's z stops
/// updating when it escapes (a blend per step), so |z| at the escape is kept.
public enum EscapeRender {
    /// Value of points still inside after maxiter steps.
    public static let inside: Float = -1
    /// Steps past the escape before |z| is measured.
    static let extraSteps = 3

    /// Smooth counts of every pixel, row-major, rows dealt dynamically to
    /// `Parallel.threadCount` threads; `progress` advances by rows.
    static func smoothIterations<R: EscapeRule>(_ rule: R.Type, _ problem: EscapeProblem,
                                                progress: ProgressBar?) -> [Float] {
        var values = [Float](repeating: 0, count: problem.pixels)
        values.withUnsafeMutableBufferPointer { buffer in
            let out = UncheckedSendable(buffer.baseAddress!)
            parallelFor(0..<problem.height, schedule: .dynamic(rowsPerChunk(problem.height))) { rows in
                smoothRows(rule, problem, rows: rows, into: out.value)
                progress?.advance(by: rows.count)
            }
        }
        return values
    }

    /// Smooth counts of the pixels of `rows` into `out` (the whole image).
    static func smoothRows<R: EscapeRule>(_: R.Type, _ p: EscapeProblem, rows: Range<Int>,
                                          into out: UnsafeMutablePointer<Float>) {
        let width = p.width, maxiter = p.maxiter
        let lanes = Lanes.scalarCount
        for row in rows {
            var col = 0
            while col < width {
                let valid = min(lanes, width - col)
                var x = Lanes()
                for l in 0..<lanes { x[l] = p.xs[col + min(l, valid - 1)] }
                var (zr, zi, cr, ci) = R.start(x: x, y: Lanes(repeating: p.ys[row]), c: p.c)
                var alive = LaneInts(repeating: -1)
                var count = LaneInts()
                if R.skipsInterior {
                    let interior = MandelbrotInterior.contains(cr, ci)
                    alive = ~interior
                    count = interior & LaneInts(repeating: Int64(maxiter))
                }
                var steps = 0
                while steps < maxiter && alive.anyNegative {
                    let n = min(EscapeKernel.checkInterval, maxiter - steps)
                    for _ in 0..<n {
                        let x2 = zr * zr, y2 = zi * zi, xy = zr * zi
                        alive &= R.inside(x2 + y2)
                        count &-= alive
                        zr = blend(x2 - y2 + cr, zr, alive)
                        zi = blend(xy * 2 + ci, zi, alive)
                    }
                    steps += n
                }
                for l in 0..<valid {
                    out[row * width + col + l] = count[l] >= maxiter
                        ? inside
                        : smooth(count: Int(count[l]), zr: zr[l], zi: zi[l], cr: cr[l], ci: ci[l])
                }
                col += lanes
            }
        }
    }

    /// Lanes of `a` where `mask` is set, of `b` elsewhere.
    @inline(__always)
    static func blend(_ a: Lanes, _ b: Lanes, _ mask: LaneInts) -> Lanes {
        let ai = unsafeBitCast(a, to: LaneInts.self), bi = unsafeBitCast(b, to: LaneInts.self)
        return unsafeBitCast((ai & mask) | (bi & ~mask), to: Lanes.self)
    }

    /// ν for a point that escaped after `count` steps with z = (zr, zi).
    static func smooth(count: Int, zr: Double, zi: Double, cr: Double, ci: Double) -> Float {
        var (x, y) = (zr, zi)
        for _ in 0..<extraSteps {
            (x, y) = (x * x - y * y + cr, (x * y) * 2 + ci)
        }
        let logModulus = Double.log(x * x + y * y) / 2
        let nu = Double(count + extraSteps) + 1 - Double.log2(logModulus)
        return nu.isFinite ? Float(max(0, nu)) : Float(count)
    }
}
