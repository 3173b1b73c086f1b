import CelerCore
import CelerHarness

// The SIMD escape-time kernel shared by the `simd`, `parallel` and `cardioid`
// rungs of Julia and Mandelbrot. It counts the pixels of a band of rows; the
// rungs decide which rows run where (the schedule), this file only how one
// band is computed (the algorithm).
//
// Design, measured on this machine's Zen 5 cores with AVX2 code (16 ymm
// registers; see docs/fractals.md for the numbers):
// - 4 pixels per group (SIMD4<Double>, one ymm register), counted per lane
//   under a mask; a group ends when no lane is inside or after maxiter steps.
//   Wider groups waste more lanes: a group runs as long as its slowest pixel
//   (on the Julia seed 86% of lane-steps are useful with 4 lanes, 79% with 8).
// - One orbit step is a dependency chain of about 10 cycles (mul, sub, add)
//   but only ~2.5 cycles of issue, so one group leaves the FP units idle.
//   Three independent groups ("streams") run interleaved, and each is
//   refilled with the band's next group as soon as it ends, so a slow group
//   does not hold the others back. A fourth stream runs out of registers.
// - Escape is permanent when |c|² ≤ 3: once |z|² ≥ 4, |z'| ≥ |z|² − |c| > 2.2
//   (far beyond rounding), and |z| then grows to inf/NaN, which compares as
//   outside forever. So a lane's count can add its "inside" mask at every
//   step, with no sticky alive mask to keep in a register. Groups with a lane
//   where |c|² > 3 (far-out Mandelbrot pixels, or a Julia c outside that
//   disc) run a careful loop with a sticky mask instead.
// - "Any lane inside?" is tested every `checkInterval` steps; the extra steps
//   after a group ends cannot change its counts (escaped lanes stay out).

package enum EscapeKernel {
    /// Orbit steps between tests of "any lane still inside".
    static let checkInterval = 4
    /// Pixels per group.
    static let groupWidth = Lanes.scalarCount
    /// |c|² at or below which an escaped orbit provably never returns.
    static let permanentEscapeBound = 3.0

    /// One group of pixels in flight.
    struct Group {
        var zr = Lanes(), zi = Lanes(), cr = Lanes(), ci = Lanes()
        /// Steps each lane was inside for (its count so far).
        var count = LaneInts()
        /// Lanes inside at the last test (all ones = inside).
        var inside = LaneInts()
        /// Steps done.
        var steps = 0
        /// Index of the group's first pixel, and how many of its lanes are real pixels.
        var base = 0, valid = 0

        /// One orbit step, counting lanes that are inside before it.
        @inline(__always)
        mutating func step<R: EscapeRule>(_: R.Type) {
            let x2 = zr * zr, y2 = zi * zi, xy = zr * zi
            inside = R.inside(x2 + y2)
            count &-= inside
            zr = x2 - y2 + cr
            zi = xy * 2 + ci
        }

        /// One step that also keeps `inside` sticky: exact for any c.
        @inline(__always)
        mutating func carefulStep<R: EscapeRule>(_: R.Type) {
            let x2 = zr * zr, y2 = zi * zi, xy = zr * zi
            inside &= R.inside(x2 + y2)
            count &-= inside
            zr = x2 - y2 + cr
            zi = xy * 2 + ci
        }

        func done(maxiter: Int) -> Bool { steps >= maxiter || !inside.anyNegative }
    }

    /// Walks the groups of a band of rows, row by row; a row's last group is
    /// padded with copies of its last pixel.
    struct GroupCursor {
        var row: Int, col = 0
        let rowEnd: Int, width: Int
        mutating func next() -> (row: Int, col: Int)? {
            guard row < rowEnd else { return nil }
            let here = (row, col)
            col += EscapeKernel.groupWidth
            if col >= width { col = 0; row += 1 }
            return here
        }
    }

    /// Counts the pixels of rows `rows` into `out` (the whole image, row-major).
    package static func countRows<R: EscapeRule>(_ rule: R.Type, _ problem: EscapeProblem, rows: Range<Int>,
                                         into out: UnsafeMutablePointer<Int32>) {
        problem.xs.withUnsafeBufferPointer { xs in
            problem.ys.withUnsafeBufferPointer { ys in
                countRows(rule, xs: xs, ys: ys, c: problem.c, maxiter: problem.maxiter, rows: rows, into: out)
            }
        }
    }

    @inline(__always)
    static func countRows<R: EscapeRule>(_: R.Type, xs: UnsafeBufferPointer<Double>, ys: UnsafeBufferPointer<Double>,
                                         c: (re: Double, im: Double), maxiter: Int, rows: Range<Int>,
                                         into out: UnsafeMutablePointer<Int32>) {
        let width = xs.count
        var cursor = GroupCursor(row: rows.lowerBound, rowEnd: rows.upperBound, width: width)
        let k = checkInterval

        /// Starts the next group that needs iterating in `g`; groups that
        /// need none (all interior) or need the careful loop are finished
        /// here. Returns false when the band is done.
        func load(_ g: inout Group) -> Bool {
            while let (row, col) = cursor.next() {
                let valid = min(groupWidth, width - col)
                var x = Lanes()
                if valid == groupWidth {
                    x = UnsafeRawPointer(xs.baseAddress! + col).loadUnaligned(as: Lanes.self)
                } else {
                    for l in 0..<groupWidth { x[l] = xs[col + min(l, valid - 1)] }
                }
                let y = Lanes(repeating: ys[row])
                (g.zr, g.zi, g.cr, g.ci) = R.start(x: x, y: y, c: c)
                g.count = LaneInts()
                g.inside = LaneInts(repeating: -1)
                g.steps = 0
                g.base = row * width + col
                g.valid = valid
                if R.skipsInterior {
                    // Interior lanes: count maxiter, orbit NaN (outside from now on).
                    let interior = MandelbrotInterior.contains(g.cr, g.ci)
                    if interior.allNegative {
                        g.count = LaneInts(repeating: Int64(maxiter))
                        store(g)
                        continue
                    }
                    g.count = LaneInts(repeating: Int64(maxiter)) & interior
                    g.zr = g.zr.poisoned(where: interior)
                    g.inside = ~interior
                }
                let c2 = g.cr * g.cr + g.ci * g.ci
                if !(c2 .<= Lanes(repeating: permanentEscapeBound)).allTrue {
                    runCarefully(&g)
                    store(g)
                    continue
                }
                return true
            }
            return false
        }

        func runCarefully(_ g: inout Group) {
            while !g.done(maxiter: maxiter) {
                let n = min(k, maxiter - g.steps)
                for _ in 0..<n { g.carefulStep(R.self) }
                g.steps += n
            }
        }

        func store(_ g: Group) {
            let counts = LaneCounts(truncatingIfNeeded: g.count)
            if g.valid == groupWidth {
                UnsafeMutableRawPointer(out + g.base).storeBytes(of: counts, as: LaneCounts.self)
            } else {
                for l in 0..<g.valid { out[g.base + l] = counts[l] }
            }
        }

        // Independent streams in lock step, each refilled when its group ends.
        var a = Group(), b = Group(), d = Group()
        var hasA = load(&a), hasB = load(&b), hasD = load(&d)
        while hasA && hasB && hasD {
            let n = min(k, maxiter - max(a.steps, b.steps, d.steps))
            for _ in 0..<n {
                a.step(R.self); b.step(R.self); d.step(R.self)
            }
            a.steps += n; b.steps += n; d.steps += n
            if a.done(maxiter: maxiter) { store(a); hasA = load(&a) }
            if b.done(maxiter: maxiter) { store(b); hasB = load(&b) }
            if d.done(maxiter: maxiter) { store(d); hasD = load(&d) }
        }
        // The band's last groups: one stream at a time.
        for (has, group) in [(hasA, a), (hasB, b), (hasD, d)] where has {
            var g = group
            repeat {
                while !g.done(maxiter: maxiter) {
                    let n = min(k, maxiter - g.steps)
                    for _ in 0..<n { g.step(R.self) }
                    g.steps += n
                }
                store(g)
            } while load(&g)
        }
    }
}

extension SIMDMask where Storage == LaneInts {
    /// Whether every lane is true (through the integer lanes, avoiding the
    /// generic reduction loop).
    @inline(__always) var allTrue: Bool { unsafeBitCast(self, to: LaneInts.self).allNegative }
}
