import CelerArray
import CelerCore
import CelerHarness
import CelerParallel

/// 2-D diffusion on a periodic R×C grid (docs/workloads.md §6): each step
/// `u ← u + (D·dt)·lap`, `lap = ((u[i−1][j] + u[i+1][j]) + u[i][j−1]) +
/// u[i][j+1] − 4·u[i][j]`, indices mod R and C; the start is zero but for a
/// square of 0.005. Seven flops per point per step. One row kernel (`point`
/// over a row with its column wrap) is shared by every rung; they differ in
/// how rows and steps are scheduled, and the `blocked` rung fuses several
/// steps over a band of rows that stays in cache (temporal blocking) while
/// computing every point from the same operands in the same order, so all
/// rungs give bit-identical grids.
public enum Diffusion: CaseStudy {
    public struct Config: Sendable, Equatable {
        public var rows: Int
        public var cols: Int
        public var steps: Int
        public var dt: Double
        /// The diffusion coefficient D.
        public var diffusivity: Double
        public init(rows: Int, cols: Int, steps: Int, dt: Double = 0.1, diffusivity: Double = 1) {
            self.rows = rows; self.cols = cols; self.steps = steps; self.dt = dt; self.diffusivity = diffusivity
        }
        /// D·dt, the weight of the Laplacian in a step (0.1 exactly at the defaults).
        var weight: Double { diffusivity * dt }
        var count: Int { rows * cols }
    }

    public static let name = "diffusion"
    public static let summary = "2-D periodic diffusion, many time steps (cache-resident; temporal blocking)"
    public static let optionsHelp =
        "--size ROWS,COLS (each >= 1; default 640,640, small 48,37), --steps N (0...10000000; default 500, small 20), D = 1, dt = 0.1"

    public static var rungs: [Rung<Config>] {
        [
            Rung("naive", "nested Swift arrays, % for the wrap, bounds-checked") { config in
                let initial = initialArray(config)
                // Two grids of their own (not sharing the initial grid's storage), so
                // that no run copies on write.
                let grids = StencilBox((initialArray(config), initialArray(config)))
                return .ready(run: { naive(initial, config, grids: &grids.value) },
                                   validation: {
                                       var summary = StencilSummary()
                                       for row in grids.value.0 { row.withUnsafeBufferPointer { summary.add($0) } }
                                       return validationValues(summary)
                                   })
            },
            Rung("ndarray", "NumPy style on NDArray: rolled copies, whole-grid adds, in place", backend: .threads) { config in
                let initial = makeInput(config)
                let u = NDArray<Double>.empty([config.rows, config.cols])
                return .ready(run: {
                    u.baseAddress.update(from: initial.pointer, count: initial.count)
                    ndarrayDiffusion(u: u, steps: config.steps, dt: config.dt, D: config.diffusivity)
                }, validation: { u.withContiguousElements(validationSummary) })
            },
            Rung("tuned", "flat buffers, unsafe pointers, wrap only at the edges") { config in
                prepared(config, parallel: false) { initial, a, b in tuned(initial, config, a, b) }
            },
            Rung("simd", "SIMD4 kernel over pairs of rows, scalar wrap columns") { config in
                prepared(config, parallel: false) { initial, a, b in simd(initial, config, a, b) }
            },
            Rung("parallel", "simd row pairs in a static block of rows per thread, one parallel loop per step",
                 backend: .threads) { config in
                prepared(config, parallel: true) { initial, a, b in parallel(initial, config, a, b) }
            },
            Rung("blocked", "temporal blocking: bands of rows advance several steps in cache, on all threads",
                 backend: .threads) { config in
                let plan = BlockingPlan(config, bands: Parallel.threadCount)
                return prepared(config, parallel: true) { initial, a, b in blocked(initial, config, a, b, plan: plan) }
            },
        ]
    }

    public static func configure(_ options: WorkloadOptions) throws(CelerError) -> Config {
        let small = options.preset == .small
        let size = try StencilOptions.size(options, dimensions: 2, minimum: [1, 1],
                                           fallback: small ? [48, 37] : [640, 640], shape: "ROWS,COLS")
        let steps = try StencilOptions.steps(options, fallback: small ? 20 : 500)
        return Config(rows: size[0], cols: size[1], steps: steps)
    }

    public static func parameters(_ config: Config) -> [Parameter] {
        [Parameter("rows", .integer(config.rows)), Parameter("cols", .integer(config.cols)),
         Parameter("steps", .integer(config.steps)), Parameter("dt", .real(config.dt)),
         Parameter("D", .real(config.diffusivity))]
    }

    public static func expected(_ config: Config) -> [ValidationValue]? {
        guard config.rows == 640, config.cols == 640, config.dt == 0.1, config.diffusivity == 1 else { return nil }
        switch config.steps {
        case 500:
            return [ValidationValue("sum", 20.48), ValidationValue("max", 0.0049859556767277834),
                    ValidationValue("sum_sq", 0.06948909766860575)]
        case 10:
            return [ValidationValue("sum", 20.48), ValidationValue("max", 0.005),
                    ValidationValue("sum_sq", 0.09748586131221627)]
        default: return nil
        }
    }

    /// Seven flops per point per step. While both grids fit in the last-level
    /// cache (640² is 6.5 MB of 32 MB here) only the first read and the last
    /// write must reach memory, and the bound is the arithmetic (and the
    /// caches); larger grids stream both grids through memory every step.
    public static func work(_ config: Config, counted: Double?) -> Work {
        let points = Double(config.count), steps = Double(config.steps)
        let gridBytes = 8 * points
        if 2 * gridBytes <= Double(StreamingStore.lastLevelCache) {
            return Work(flops: 7 * points * steps, bytes: 2 * gridBytes, bound: .compute)
        }
        return Work(flops: 7 * points * steps, bytes: 2 * gridBytes * max(steps, 1), bound: .memory)
    }

    // MARK: Inputs and validation (shared with the ndarray rung)

    /// The initial grid: zero, with 0.005 on rows int(0.4·R) ..< int(0.5·R)
    /// and columns int(0.4·C) ..< int(0.5·C).
    static func makeInput(_ config: Config) -> AlignedBuffer<Double> {
        let grid = AlignedBuffer<Double>(repeating: 0, count: config.count)
        let (rows, cols) = squareRanges(config)
        for i in rows { for j in cols { grid[i * config.cols + j] = 0.005 } }
        return grid
    }

    private static func squareRanges(_ config: Config) -> (Range<Int>, Range<Int>) {
        (Int(0.4 * Double(config.rows))..<Int(0.5 * Double(config.rows)),
         Int(0.4 * Double(config.cols))..<Int(0.5 * Double(config.cols)))
    }

    private static func initialArray(_ config: Config) -> [[Double]] {
        let (rows, cols) = squareRanges(config)
        return (0..<config.rows).map { i in
            (0..<config.cols).map { j in rows.contains(i) && cols.contains(j) ? 0.005 : 0 }
        }
    }

    /// `sum`, `max` and `sum_sq` of a grid, accurately summed.
    static func validationSummary(_ grid: UnsafeBufferPointer<Double>) -> [ValidationValue] {
        validationValues(StencilSummary(grid))
    }

    private static func validationValues(_ s: StencilSummary) -> [ValidationValue] {
        [ValidationValue("sum", s.sum.value), ValidationValue("max", s.maximum),
         ValidationValue("sum_sq", s.sumSquares.value)]
    }

    /// Allocates the initial grid and the two grids the steps alternate
    /// between; a run starts from `initial` and leaves its result in `a`.
    private static func prepared(
        _ config: Config, parallel: Bool,
        _ kernel: @escaping (UnsafePointer<Double>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void
    ) -> Preparation {
        let initial = makeInput(config)
        let a = StencilInput.output(count: config.count, parallel: parallel)
        // Grid b starts 2 KiB into its (2 MiB-aligned) buffer, so a step's
        // stores and the next rows' loads are not 4 KiB apart, which the core
        // would take for a possible alias and stall on (5-9 % at 640 columns).
        let offset = 256
        let b = StencilInput.output(count: config.count + offset, parallel: parallel)
        return .ready(run: { kernel(UnsafePointer(initial.pointer), a.pointer, b.pointer + offset) },
                           validation: { validationSummary(UnsafeBufferPointer(a.buffer)) })
    }

    // MARK: The algorithm

    /// One point's next value from its four neighbours and itself, in the
    /// order of the definition.
    @inline(__always)
    static func point<V: StencilLanes>(up: V, down: V, left: V, right: V, center: V, weight: Double) -> V {
        center + weight * (up + down + left + right - 4 * center)
    }

    /// Next values of one row of `cols` points, the rows above and below
    /// given; the first and last columns wrap around.
    @inline(__always)
    static func stepRow(up: UnsafePointer<Double>, mid: UnsafePointer<Double>, down: UnsafePointer<Double>,
                        out: UnsafeMutablePointer<Double>, cols: Int, weight: Double, simd: Bool) {
        @inline(__always) func wrapped(_ j: Int) -> Double {
            point(up: up[j], down: down[j], left: mid[j == 0 ? cols - 1 : j - 1],
                  right: mid[j == cols - 1 ? 0 : j + 1], center: mid[j], weight: weight)
        }
        out[0] = wrapped(0)
        if cols == 1 { return }
        let inner = cols - 2
        if simd {
            // Scalar points until `out` (and so `mid`, at the same offset in its
            // grid) is 32-byte aligned: aligned centre loads never straddle a
            // cache line (about 7 % faster here).
            let head = min(inner, (4 - (Int(bitPattern: out + 1) >> 3) & 3) & 3)
            for j in 1..<(1 + head) {
                out[j] = point(up: up[j], down: down[j], left: mid[j - 1], right: mid[j + 1], center: mid[j],
                               weight: weight)
            }
            let first = 1 + head
            let u = up + first, d = down + first, c = mid + first, l = mid + first - 1, r = mid + first + 1
            StreamingStore.storeSIMD4(count: inner - head, to: out + first, streaming: false,
                       vector: { j in point(up: u.load4(j), down: d.load4(j), left: l.load4(j), right: r.load4(j),
                                            center: c.load4(j), weight: weight) },
                       scalar: { j in point(up: u[j], down: d[j], left: l[j], right: r[j], center: c[j], weight: weight) })
        } else {
            for j in 1...max(1, inner) where j <= inner {
                out[j] = point(up: up[j], down: down[j], left: mid[j - 1], right: mid[j + 1], center: mid[j],
                               weight: weight)
            }
        }
        out[cols - 1] = wrapped(cols - 1)
    }

    /// Next values of two adjacent rows `top` and `bottom` at once (the
    /// rows above `top` and below `bottom` given), four points of each per
    /// iteration: `top` and `bottom` are each loaded once for both output
    /// rows (8 loads per 8 points instead of 10). Same `point`, same operands.
    @inline(__always)
    static func stepRowPair(up: UnsafePointer<Double>, top: UnsafePointer<Double>, bottom: UnsafePointer<Double>,
                            down: UnsafePointer<Double>, out0: UnsafeMutablePointer<Double>,
                            out1: UnsafeMutablePointer<Double>, cols: Int, weight: Double) {
        if cols < 8 {
            stepRow(up: up, mid: top, down: bottom, out: out0, cols: cols, weight: weight, simd: true)
            stepRow(up: top, mid: bottom, down: down, out: out1, cols: cols, weight: weight, simd: true)
            return
        }
        @inline(__always) func scalarPair(_ j: Int, left: Int, right: Int) {
            out0[j] = point(up: up[j], down: bottom[j], left: top[left], right: top[right], center: top[j],
                            weight: weight)
            out1[j] = point(up: top[j], down: down[j], left: bottom[left], right: bottom[right], center: bottom[j],
                            weight: weight)
        }
        scalarPair(0, left: cols - 1, right: 1)
        // Scalar points until out0 is 32-byte aligned (see stepRow).
        let head = (4 - (Int(bitPattern: out0 + 1) >> 3) & 3) & 3
        var j = 1
        while j < 1 + head { scalarPair(j, left: j - 1, right: j + 1); j &+= 1 }
        let end = cols - 1
        while j &+ 4 <= end {
            let t = top.load4(j), b = bottom.load4(j)
            let v0 = point(up: up.load4(j), down: b, left: top.load4(j &- 1), right: top.load4(j &+ 1), center: t,
                           weight: weight)
            let v1 = point(up: t, down: down.load4(j), left: bottom.load4(j &- 1), right: bottom.load4(j &+ 1),
                           center: b, weight: weight)
            UnsafeMutableRawPointer(out0 + j).storeBytes(of: v0, as: SIMD4<Double>.self)
            UnsafeMutableRawPointer(out1 + j).storeBytes(of: v1, as: SIMD4<Double>.self)
            j &+= 4
        }
        while j < end { scalarPair(j, left: j - 1, right: j + 1); j &+= 1 }
        scalarPair(cols - 1, left: cols - 2, right: 0)
    }

    /// One step for rows `range` from grid `src` into grid `dst`; with
    /// `pairs`, two rows per pass (``stepRowPair``).
    @inline(__always)
    static func stepRows(_ src: UnsafePointer<Double>, _ dst: UnsafeMutablePointer<Double>, _ range: Range<Int>,
                         _ config: Config, simd: Bool, pairs: Bool = false) {
        let rows = config.rows, cols = config.cols
        @inline(__always) func row(_ i: Int) -> Int { i < 0 ? i + rows : (i >= rows ? i - rows : i) }
        var i = range.lowerBound
        if pairs && simd {
            while i + 2 <= range.upperBound {
                stepRowPair(up: src + row(i - 1) * cols, top: src + i * cols, bottom: src + (i + 1) * cols,
                            down: src + row(i + 2) * cols, out0: dst + i * cols, out1: dst + (i + 1) * cols,
                            cols: cols, weight: config.weight)
                i += 2
            }
        }
        while i < range.upperBound {
            stepRow(up: src + row(i - 1) * cols, mid: src + i * cols, down: src + row(i + 1) * cols,
                    out: dst + i * cols, cols: cols, weight: config.weight, simd: simd)
            i += 1
        }
    }

    /// The grids of pass `pass` (1-based) of `passes`: the first reads
    /// `initial`, then they alternate so that the last pass writes `a`.
    @inline(__always)
    static func grids(pass: Int, of passes: Int, _ initial: UnsafePointer<Double>,
                      _ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>)
        -> (src: UnsafePointer<Double>, dst: UnsafeMutablePointer<Double>) {
        let dst = (passes - pass) % 2 == 0 ? a : b
        let src = pass == 1 ? initial : UnsafePointer((passes - pass) % 2 == 0 ? b : a)
        return (src, dst)
    }

    // MARK: Rungs (schedules around the row kernel)

    /// The straightforward loops on nested Swift arrays; the result ends in `grids.0`.
    static func naive(_ initial: [[Double]], _ config: Config, grids: inout ([[Double]], [[Double]])) {
        let rows = config.rows, cols = config.cols, weight = config.diffusivity * config.dt
        for i in 0..<rows { for j in 0..<cols { grids.0[i][j] = initial[i][j] } }
        for _ in 0..<config.steps {
            let u = grids.0
            for i in 0..<rows {
                for j in 0..<cols {
                    grids.1[i][j] = u[i][j] + weight * (u[(i - 1 + rows) % rows][j] + u[(i + 1) % rows][j]
                        + u[i][(j - 1 + cols) % cols] + u[i][(j + 1) % cols] - 4 * u[i][j])
                }
            }
            swap(&grids.0, &grids.1)
        }
    }

    /// Flat grids and pointers, one point at a time; the wrap only at the edges.
    static func tuned(_ initial: UnsafePointer<Double>, _ config: Config,
                      _ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>) {
        serialSteps(initial, config, a, b, simd: false)
    }

    /// The row kernel four points at a time.
    static func simd(_ initial: UnsafePointer<Double>, _ config: Config,
                     _ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>) {
        serialSteps(initial, config, a, b, simd: true)
    }

    private static func serialSteps(_ initial: UnsafePointer<Double>, _ config: Config,
                                    _ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, simd: Bool) {
        if config.steps == 0 { a.update(from: initial, count: config.count); return }
        for step in 1...config.steps {
            let (src, dst) = grids(pass: step, of: config.steps, initial, a, b)
            stepRows(src, dst, 0..<config.rows, config, simd: simd, pairs: simd)
        }
    }

    /// The `simd` kernel on all threads: each step is one `parallelFor` over
    /// the rows with a `.static` schedule, so every thread keeps the same
    /// block of rows (partly still in its L2 from the step before) and the fork and
    /// join cost a few µs a step. (All steps in one parallel loop with
    /// band-to-band waits instead measured slower: see docs/stencils.md.)
    static func parallel(_ initial: UnsafePointer<Double>, _ config: Config,
                         _ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>) {
        if config.steps == 0 { a.update(from: initial, count: config.count); return }
        for step in 1...config.steps {
            let grids = UncheckedSendable(grids(pass: step, of: config.steps, initial, a, b))
            parallelFor(0..<config.rows, schedule: .static) { range in
                stepRows(grids.value.src, grids.value.dst, range, config, simd: true, pairs: true)
            }
        }
    }

    // MARK: Temporal blocking

    /// How the blocked rung cuts the work: `bands` bands of whole rows (one
    /// per thread), each advancing `depth` steps per pass, with scratch rows
    /// for the intermediate steps allocated here, outside timing.
    final class BlockingPlan: @unchecked Sendable {
        let bands: Int
        let depth: Int
        /// Per band: `depth − 1` rings of three rows each, `ringStride` apart.
        let scratch: [AlignedBuffer<Double>]
        /// Elements from one ring row to the next: the row padded by a cache
        /// line and more, so that rows do not sit a multiple of 4 KiB apart
        /// (loads that look like they alias an earlier store stall).
        let ringStride: Int

        /// `depth` nil picks the deepest that keeps a band's rings in half of
        /// its core's L2 cache, at most 32 steps, and at most 1 + 1/32 of a
        /// band's rows: a band recomputes about depth − 1 halo rows per step,
        /// which costs a compute-bound (cache-resident) grid that fraction.
        init(_ config: Config, bands: Int, depth: Int? = nil) {
            self.bands = max(1, min(bands, config.rows))
            let rowBytes = 8 * config.cols
            let l2 = SystemInfo.cacheSize(level: 2) ?? (1 << 20)
            let bandRows = (config.rows + self.bands - 1) / self.bands
            let automatic = max(1, min(32, (l2 / 2) / max(1, 3 * rowBytes) + 1, bandRows / 32 + 1))
            self.depth = max(1, min(depth ?? automatic, max(1, config.steps)))
            ringStride = (config.cols + 7) / 8 * 8 + 8
            let ringCount = 3 * ringStride * (self.depth - 1)
            scratch = (0..<self.bands).map { _ in AlignedBuffer<Double>(repeating: 0, count: max(1, ringCount)) }
        }
    }

    /// Passes of `plan.depth` fused steps, each band of rows on its own thread.
    static func blocked(_ initial: UnsafePointer<Double>, _ config: Config,
                        _ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, plan: BlockingPlan) {
        if config.steps == 0 { a.update(from: initial, count: config.count); return }
        let passes = (config.steps + plan.depth - 1) / plan.depth
        for pass in 1...passes {
            let depth = min(plan.depth, config.steps - (pass - 1) * plan.depth)
            let grids = UncheckedSendable(grids(pass: pass, of: passes, initial, a, b))
            parallelFor(0..<plan.bands, schedule: .static) { bandRange in
                for band in bandRange {
                    let r0 = config.rows * band / plan.bands, r1 = config.rows * (band + 1) / plan.bands
                    fusedSteps(grids.value.src, grids.value.dst, rows: r0..<r1, depth: depth, config,
                               rings: plan.scratch[band].pointer, ringStride: plan.ringStride)
                }
            }
        }
    }

    /// Advances rows `rows` of `src` by `depth` steps into `dst`, reading a
    /// halo of `depth` rows either side (mod R), without writing any other row.
    ///
    /// Level s (s = 1 … depth) is the grid after s steps; it is needed on rows
    /// `rows` widened by depth − s. The levels are computed as a pipeline: at
    /// iteration k, level s computes its row `first + k − (s − 1)`, where
    /// `first` is level 1's first row, just after level s − 1 computed the row
    /// below it; so each intermediate level needs only a ring of its last three
    /// rows, and the whole band advances `depth` steps while its working set
    /// (3·(depth − 1) rows) stays in cache. Rows are virtual (unwrapped) row
    /// numbers; level 0 row y is `src` row y mod R, so any R ≥ 1 works.
    static func fusedSteps(_ src: UnsafePointer<Double>, _ dst: UnsafeMutablePointer<Double>, rows: Range<Int>,
                           depth: Int, _ config: Config, rings: UnsafeMutablePointer<Double>, ringStride: Int) {
        if rows.isEmpty { return }
        let cols = config.cols, gridRows = config.rows
        @inline(__always) func wrap(_ y: Int, _ n: Int) -> Int { let m = y % n; return m < 0 ? m + n : m }
        /// Row y of level `level` (0 ..< depth), for reading.
        @inline(__always) func row(_ level: Int, _ y: Int) -> UnsafePointer<Double> {
            if level == 0 { return src + wrap(y, gridRows) * cols }
            return UnsafePointer(rings + ((level - 1) * 3 + wrap(y, 3)) * ringStride)
        }
        let first = rows.lowerBound - (depth - 1)
        let iterations = rows.count + 2 * depth - 2
        for k in 0..<iterations {
            for level in 1...depth {
                let y = first + k - (level - 1)
                let widen = depth - level
                guard y >= rows.lowerBound - widen, y < rows.upperBound + widen else { continue }
                let out = level == depth ? dst + y * cols : rings + ((level - 1) * 3 + wrap(y, 3)) * ringStride
                stepRow(up: row(level - 1, y - 1), mid: row(level - 1, y), down: row(level - 1, y + 1),
                        out: out, cols: cols, weight: config.weight, simd: true)
            }
        }
    }
}
