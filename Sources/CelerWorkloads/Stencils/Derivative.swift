import CelerArray
import CelerCore
import CelerHarness
import CelerParallel

/// The 1-D second derivative by central finite differences:
/// `out[i−1] = (f[i−1] − 2·f[i] + f[i+1]) / dx²` for i = 1 … n−2, f = SplitMix64
/// stream 7 (docs/workloads.md §4). Four flops per 16 bytes (read f, write
/// out): bandwidth-bound. The rungs share one point formula (`point`) and
/// differ only in how they loop over it.
public enum Derivative: CaseStudy {
    public struct Config: Sendable, Equatable {
        /// Number of samples of f (the output has n − 2).
        public var n: Int
        /// Grid spacing.
        public var dx: Double
        public init(n: Int, dx: Double = 0.5) { self.n = n; self.dx = dx }
        var outputCount: Int { n - 2 }
    }

    public static let name = "derivative"
    public static let summary = "1-D second derivative by central differences (memory-bound)"
    public static let optionsHelp = "--size N (samples, N >= 3; default 10000000, small 10007), dx = 0.5"
    static let seed: UInt64 = 7

    public static var rungs: [Rung<Config>] {
        [
            Rung("naive", "Swift arrays, bounds-checked indexing, dx² in the loop") { config in
                let f = StencilInput.uniformArray(seed: seed, count: config.n)
                let out = StencilBox([Double](repeating: 0, count: config.outputCount))
                return .ready(run: { naive(f, dx: config.dx, out: &out.value) },
                                   validation: { out.value.withUnsafeBufferPointer(validationSummary) })
            },
            Rung("ndarray", "NumPy style on NDArray: (f[:-2] - 2*f[1:-1] + f[2:]) / dx**2, with temporaries",
                 backend: .threads) { config in
                let f = NDArray<Double>(copying: makeInput(config))
                let out = StencilBox(NDArray<Double>.empty([config.outputCount]))
                return .ready(run: { out.value = ndarrayDerivative(f: f, dx: config.dx) },
                                   validation: { out.value.withContiguousElements(validationSummary) })
            },
            Rung("tuned", "unsafe pointers, no bounds checks, 1/dx² hoisted (exact when a power of two)") { config in
                prepared(config, parallel: false) { f, out in tuned(f, dx: config.dx, out: out) }
            },
            Rung("simd", "SIMD4 loads of the three neighbours, streaming stores for big outputs") { config in
                prepared(config, parallel: false) { f, out in simd(f, dx: config.dx, out: out) }
            },
            Rung("parallel", "simd on a static block per thread", backend: .threads) { config in
                prepared(config, parallel: true) { f, out in parallel(f, dx: config.dx, out: out) }
            },
        ]
    }

    public static func configure(_ options: WorkloadOptions) throws(CelerError) -> Config {
        let fallback: Int
        switch options.preset {
        case .small: fallback = 10_007
        case .default, .seed: fallback = 10_000_000
        }
        let size = try StencilOptions.size(options, dimensions: 1, minimum: [3], fallback: [fallback],
                                           shape: "one size N")
        return Config(n: size[0])
    }

    public static func parameters(_ config: Config) -> [Parameter] {
        [Parameter("n", .integer(config.n)), Parameter("dx", .real(config.dx))]
    }

    public static func expected(_ config: Config) -> [ValidationValue]? {
        guard config == Config(n: 10_000_000, dx: 0.5) else { return nil }
        return [ValidationValue("sum", 3.136096010394917), ValidationValue("sum_abs", 23336665.401019946)]
    }

    public static func work(_ config: Config, counted: Double?) -> Work {
        // Per output point: 2·f, −, +, / : 4 flops; read f once, write out once.
        Work(flops: 4 * Double(config.outputCount),
             bytes: 8 * Double(config.n) + 8 * Double(config.outputCount), bound: .memory)
    }

    // MARK: Inputs and validation (shared with the ndarray rung)

    /// f: n values of SplitMix64 stream 7, generated in parallel.
    static func makeInput(_ config: Config) -> AlignedBuffer<Double> {
        StencilInput.uniform(seed: seed, count: config.n)
    }

    /// `sum` and `sum_abs` of an output, accurately summed.
    static func validationSummary(_ out: UnsafeBufferPointer<Double>) -> [ValidationValue] {
        let s = StencilSummary(out)
        return [ValidationValue("sum", s.sum.value), ValidationValue("sum_abs", s.sumAbs.value)]
    }

    private static func prepared(_ config: Config, parallel: Bool,
                                 _ kernel: @escaping (UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> Void)
        -> Preparation {
        let f = makeInput(config)
        let out = StencilInput.output(count: config.outputCount, parallel: parallel)
        return .ready(run: { kernel(UnsafeBufferPointer(f.buffer), out.buffer) },
                           validation: { validationSummary(UnsafeBufferPointer(out.buffer)) })
    }

    // MARK: The algorithm

    /// One output point from its three neighbours, in the order of the
    /// definition: ((left − 2·center) + right) / dx².
    @inline(__always)
    static func point<V: StencilLanes, D: StencilDivisor>(_ left: V, _ center: V, _ right: V, _ dx2: D) -> V {
        dx2.divide(left - 2 * center + right)
    }

    // MARK: Rungs (schedules around `point`)

    /// The tutorial's loop on Swift arrays.
    static func naive(_ f: [Double], dx: Double, out: inout [Double]) {
        for i in 1..<(f.count - 1) {
            out[i - 1] = (f[i - 1] - 2 * f[i] + f[i + 1]) / (dx * dx)
        }
    }

    /// Pointers, no bounds checks; 1/dx² multiplied when exact.
    static func tuned(_ f: UnsafeBufferPointer<Double>, dx: Double, out: UnsafeMutableBufferPointer<Double>) {
        func run<D: StencilDivisor>(_ dx2: D) { scalarRange(f, out, 0..<out.count, dx2) }
        if let exact = MultiplyByExactReciprocal.of(dx * dx) { run(exact) } else { run(DivideBy(d: dx * dx)) }
    }

    /// Four outputs per step from three unaligned loads; streaming stores
    /// when the output exceeds the last-level cache.
    static func simd(_ f: UnsafeBufferPointer<Double>, dx: Double, out: UnsafeMutableBufferPointer<Double>) {
        let streaming = StreamingStore.worthwhile(bytes: out.count * 8)
        func run<D: StencilDivisor>(_ dx2: D) { simdRange(f, out, 0..<out.count, dx2, streaming: streaming) }
        if let exact = MultiplyByExactReciprocal.of(dx * dx) { run(exact) } else { run(DivideBy(d: dx * dx)) }
        if streaming { StreamingStore.fence() }
    }

    /// `simd` on one static block per thread (the blocks `prepare` first-touched).
    static func parallel(_ f: UnsafeBufferPointer<Double>, dx: Double, out: UnsafeMutableBufferPointer<Double>) {
        let streaming = StreamingStore.worthwhile(bytes: out.count * 8)
        let buffers = UncheckedSendable((f, out))
        func run<D: StencilDivisor>(_ dx2: D) {
            parallelFor(0..<out.count, schedule: .static) { range in
                simdRange(buffers.value.0, buffers.value.1, range, dx2, streaming: streaming)
                if streaming { StreamingStore.fence() }
            }
        }
        if let exact = MultiplyByExactReciprocal.of(dx * dx) { run(exact) } else { run(DivideBy(d: dx * dx)) }
    }

    // MARK: Loops

    @inline(__always)
    private static func scalarRange<D: StencilDivisor>(_ f: UnsafeBufferPointer<Double>, _ out: UnsafeMutableBufferPointer<Double>,
                                                       _ range: Range<Int>, _ dx2: D) {
        let f = f.baseAddress!, o = out.baseAddress!
        for k in range { o[k] = point(f[k], f[k + 1], f[k + 2], dx2) }
    }

    @inline(__always)
    private static func simdRange<D: StencilDivisor>(_ f: UnsafeBufferPointer<Double>, _ out: UnsafeMutableBufferPointer<Double>,
                                                     _ range: Range<Int>, _ dx2: D, streaming: Bool) {
        let f = UnsafePointer(f.baseAddress! + range.lowerBound)
        let o = out.baseAddress! + range.lowerBound
        StreamingStore.storeSIMD4(count: range.count, to: o, streaming: streaming,
                   vector: { k in point(f.load4(k), f.load4(k + 1), f.load4(k + 2), dx2) },
                   scalar: { k in point(f[k], f[k + 1], f[k + 2], dx2) })
    }
}

