import CelerArray
import CelerCore
import CelerHarness
import CelerParallel

/// The 5-point Laplacian of an N×M grid, interior points only
/// (docs/workloads.md §5): `out[i−1][j−1] = (f[i−1][j] + f[i+1][j])/dx² +
/// (f[i][j−1] + f[i][j+1])/dy² − f[i][j]·(2/dx² + 2/dy²)`, f = SplitMix64
/// stream 42 row-major. Seven flops per 16 bytes (f read once: three rows stay
/// in cache; out written once): bandwidth-bound. One row kernel (`point`
/// over a row) is shared by the rungs; they differ in how rows are dealt.
public enum Laplacian: CaseStudy {
    public struct Config: Sendable, Equatable {
        public var rows: Int
        public var cols: Int
        public var dx: Double
        public var dy: Double
        public init(rows: Int, cols: Int, dx: Double = 1, dy: Double = 1) {
            self.rows = rows; self.cols = cols; self.dx = dx; self.dy = dy
        }
        var outputRows: Int { rows - 2 }
        var outputCols: Int { cols - 2 }
    }

    public static let name = "laplacian"
    public static let summary = "2-D 5-point Laplacian into a preallocated output (memory-bound)"
    public static let optionsHelp =
        "--size ROWS,COLS (each >= 3; default 4000,4000, seed 10000,10000, small 67,61), dx = dy = 1"
    static let seed: UInt64 = 42

    public static var rungs: [Rung<Config>] {
        [
            Rung("naive", "nested Swift arrays, bounds-checked indexing, constants in the loop") { config in
                let flat = StencilInput.uniformArray(seed: seed, count: config.rows * config.cols)
                let f = (0..<config.rows).map { Array(flat[($0 * config.cols)..<(($0 + 1) * config.cols)]) }
                let out = StencilBox([[Double]](repeating: [Double](repeating: 0, count: config.outputCols),
                                                count: config.outputRows))
                return .ready(run: { naive(f, dx: config.dx, dy: config.dy, out: &out.value) },
                                   validation: {
                                       var summary = StencilSummary()
                                       for row in out.value { row.withUnsafeBufferPointer { summary.add($0) } }
                                       return validationValues(summary)
                                   })
            },
            Rung("ndarray", "NumPy style on NDArray: sums of shifted slices into a preallocated out", backend: .threads) { config in
                let f = NDArray<Double>(copying: makeInput(config), shape: [config.rows, config.cols])
                let out = NDArray<Double>.zeros([config.outputRows, config.outputCols])
                return .ready(run: { _ = ndarrayLaplacian(f: f, dx: config.dx, dy: config.dy, out: out) },
                                   validation: { out.withContiguousElements(validationSummary) })
            },
            Rung("tuned", "flat buffers, unsafe pointers, constants hoisted (exact reciprocals)") { config in
                prepared(config, parallel: false) { f, out in tuned(f, config, out: out) }
            },
            Rung("simd", "SIMD4 row kernel (plain stores: streaming ones measured slower here)") { config in
                prepared(config, parallel: false) { f, out in simd(f, config, out: out) }
            },
            Rung("parallel", "simd rows in a static block per thread", backend: .threads) { config in
                prepared(config, parallel: true) { f, out in parallel(f, config, out: out) }
            },
        ]
    }

    public static func configure(_ options: WorkloadOptions) throws(CelerError) -> Config {
        let fallback: [Int]
        switch options.preset {
        case .small: fallback = [67, 61]
        case .default: fallback = [4000, 4000]
        case .seed: fallback = [10000, 10000]
        }
        let size = try StencilOptions.size(options, dimensions: 2, minimum: [3, 3], fallback: fallback,
                                           shape: "ROWS,COLS")
        return Config(rows: size[0], cols: size[1])
    }

    public static func parameters(_ config: Config) -> [Parameter] {
        [Parameter("rows", .integer(config.rows)), Parameter("cols", .integer(config.cols)),
         Parameter("dx", .real(config.dx)), Parameter("dy", .real(config.dy))]
    }

    /// Exactly rounded sums (math.fsum) at the square sizes whose values are known:
    /// 10000² and 2000² from docs/workloads.md, 4000² computed the same way
    /// (the same script reproduces the 2000² values exactly).
    public static func expected(_ config: Config) -> [ValidationValue]? {
        guard config.dx == 1, config.dy == 1, config.rows == config.cols else { return nil }
        let values: (Double, Double)
        switch config.rows {
        case 10000: values = (44.219397988866035, 108291477.69543593)
        case 4000: values = (69.60394842341756, 17320370.78006199)
        case 2000: values = (-26.046349357752057, 4327364.339032597)
        default: return nil
        }
        return [ValidationValue("sum", values.0), ValidationValue("sum_abs", values.1)]
    }

    public static func work(_ config: Config, counted: Double?) -> Work {
        // Per point: two adds, two divisions, add, multiply, subtract = 7 flops.
        let points = Double(config.outputRows) * Double(config.outputCols)
        return Work(flops: 7 * points, bytes: 8 * Double(config.rows) * Double(config.cols) + 8 * points,
                    bound: .memory)
    }

    // MARK: Inputs and validation (shared with the ndarray rung)

    /// f: rows·cols values of SplitMix64 stream 42, row-major, generated in parallel.
    static func makeInput(_ config: Config) -> AlignedBuffer<Double> {
        StencilInput.uniform(seed: seed, count: config.rows * config.cols)
    }

    /// `sum` and `sum_abs` of an output, accurately summed.
    static func validationSummary(_ out: UnsafeBufferPointer<Double>) -> [ValidationValue] {
        validationValues(StencilSummary(out))
    }

    private static func validationValues(_ summary: StencilSummary) -> [ValidationValue] {
        [ValidationValue("sum", summary.sum.value), ValidationValue("sum_abs", summary.sumAbs.value)]
    }

    private static func prepared(_ config: Config, parallel: Bool,
                                 _ kernel: @escaping (UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> Void)
        -> Preparation {
        let f = makeInput(config)
        let out = StencilInput.output(count: config.outputRows * config.outputCols, parallel: parallel)
        return .ready(run: { kernel(UnsafeBufferPointer(f.buffer), out.buffer) },
                           validation: { validationSummary(UnsafeBufferPointer(out.buffer)) })
    }

    // MARK: The algorithm

    /// The grid constants of the formula, computed once.
    struct Constants<DX: StencilDivisor, DY: StencilDivisor>: Sendable {
        let dx2: DX
        let dy2: DY
        /// 2/dx² + 2/dy², as the definition writes it.
        let centerWeight: Double
    }

    /// One output point from its neighbours, in the order of the definition.
    @inline(__always)
    static func point<V: StencilLanes, DX, DY>(up: V, down: V, left: V, right: V, center: V,
                                               _ k: Constants<DX, DY>) -> V {
        k.dx2.divide(up + down) + k.dy2.divide(left + right) - center * k.centerWeight
    }

    /// The grid constants for a configuration: divisions become exact
    /// multiplications where dx² and dy² are powers of two.
    enum Divisors {
        case exact(Constants<MultiplyByExactReciprocal, MultiplyByExactReciprocal>)
        case general(Constants<DivideBy, DivideBy>)

        init(_ config: Config) {
            let dx2 = config.dx * config.dx, dy2 = config.dy * config.dy
            let weight = 2 / dx2 + 2 / dy2
            if let ex = MultiplyByExactReciprocal.of(dx2), let ey = MultiplyByExactReciprocal.of(dy2) {
                self = .exact(Constants(dx2: ex, dy2: ey, centerWeight: weight))
            } else {
                self = .general(Constants(dx2: DivideBy(d: dx2), dy2: DivideBy(d: dy2), centerWeight: weight))
            }
        }
    }

    /// Output row of `cols − 2` points from the three input rows at `f`, one point at a time.
    @inline(__always)
    static func scalarRow<DX, DY>(_ f: UnsafePointer<Double>, cols: Int, _ out: UnsafeMutablePointer<Double>,
                                  _ k: Constants<DX, DY>) {
        let center = f + cols + 1, up = f + 1, down = f + 2 * cols + 1
        for c in 0..<(cols - 2) {
            out[c] = point(up: up[c], down: down[c], left: center[c - 1], right: center[c + 1], center: center[c], k)
        }
    }

    /// The same row, four points at a time.
    @inline(__always)
    static func simdRow<DX, DY>(_ f: UnsafePointer<Double>, cols: Int, _ out: UnsafeMutablePointer<Double>,
                                _ k: Constants<DX, DY>, streaming: Bool = false) {
        let center = f + cols + 1, up = f + 1, down = f + 2 * cols + 1, left = f + cols, right = f + cols + 2
        StreamingStore.storeSIMD4(count: cols - 2, to: out, streaming: streaming,
                   vector: { c in point(up: up.load4(c), down: down.load4(c), left: left.load4(c),
                                        right: right.load4(c), center: center.load4(c), k) },
                   scalar: { c in point(up: up[c], down: down[c], left: left[c], right: right[c],
                                        center: center[c], k) })
    }

    /// Output rows `range` (input rows shifted by one).
    @inline(__always)
    static func rows<DX, DY>(_ f: UnsafePointer<Double>, cols: Int, _ out: UnsafeMutablePointer<Double>,
                             _ range: Range<Int>, _ k: Constants<DX, DY>, simd: Bool, streaming: Bool = false) {
        for r in range {
            let input = f + r * cols, output = out + r * (cols - 2)
            if simd {
                simdRow(input, cols: cols, output, k, streaming: streaming)
            } else {
                scalarRow(input, cols: cols, output, k)
            }
        }
        if streaming { StreamingStore.fence() }
    }

    // MARK: Rungs (schedules around the row kernel)

    /// The tutorial's double loop on nested Swift arrays.
    static func naive(_ f: [[Double]], dx: Double, dy: Double, out: inout [[Double]]) {
        for i in 1..<(f.count - 1) {
            for j in 1..<(f[i].count - 1) {
                out[i - 1][j - 1] = (f[i - 1][j] + f[i + 1][j]) / (dx * dx) + (f[i][j - 1] + f[i][j + 1]) / (dy * dy)
                    - f[i][j] * (2 / (dx * dx) + 2 / (dy * dy))
            }
        }
    }

    /// Flat buffers and pointers, one point at a time (LLVM vectorises it).
    static func tuned(_ f: UnsafeBufferPointer<Double>, _ config: Config, out: UnsafeMutableBufferPointer<Double>) {
        func run<DX, DY>(_ k: Constants<DX, DY>) {
            rows(f.baseAddress!, cols: config.cols, out.baseAddress!, 0..<config.outputRows, k, simd: false)
        }
        switch Divisors(config) { case .exact(let k): run(k); case .general(let k): run(k) }
    }

    /// Four points at a time, explicitly.
    static func simd(_ f: UnsafeBufferPointer<Double>, _ config: Config, out: UnsafeMutableBufferPointer<Double>) {
        func run<DX, DY>(_ k: Constants<DX, DY>) {
            rows(f.baseAddress!, cols: config.cols, out.baseAddress!, 0..<config.outputRows, k, simd: true)
        }
        switch Divisors(config) { case .exact(let k): run(k); case .general(let k): run(k) }
    }

    /// `simd` rows in one static block of rows per thread.
    /// With `streaming`, whole output cache lines are stored non-temporally;
    /// off by default, since that measured slower here even at 10000²
    /// (docs/stencils.md).
    static func parallel(_ f: UnsafeBufferPointer<Double>, _ config: Config, out: UnsafeMutableBufferPointer<Double>,
                         streaming: Bool = false) {
        let pointers = UncheckedSendable((f.baseAddress!, out.baseAddress!))
        func run<DX, DY>(_ k: Constants<DX, DY>) {
            parallelFor(0..<config.outputRows, schedule: .static) { range in
                rows(pointers.value.0, cols: config.cols, pointers.value.1, range, k, simd: true, streaming: streaming)
            }
        }
        switch Divisors(config) { case .exact(let k): run(k); case .general(let k): run(k) }
    }
}
