import CelerArray
import CelerCore
import CelerHarness
import CelerParallel

/// `result = a + b` over n doubles, a and b SplitMix64 streams 1 and 2
/// (docs/workloads.md §7): one flop per 24 bytes, the purest test of memory
/// bandwidth. Every rung writes into an output allocated in `prepare` (like
/// NumPy's `out=`).
public enum VectorAdd: CaseStudy {
    public struct Config: Sendable, Equatable {
        public var n: Int
        public init(n: Int) { self.n = n }
    }

    public static let name = "add"
    public static let summary = "element-wise a + b into a preallocated output (memory-bound)"
    public static let optionsHelp = "--size N (elements, N >= 1; default 20000000, small 10007)"

    public static var rungs: [Rung<Config>] {
        [
            Rung("naive", "Swift arrays, bounds-checked indexing") { config in
                let a = StencilInput.uniformArray(seed: 1, count: config.n)
                let b = StencilInput.uniformArray(seed: 2, count: config.n)
                let out = StencilBox([Double](repeating: 0, count: config.n))
                return .ready(run: { naive(a, b, out: &out.value) },
                                   validation: { out.value.withUnsafeBufferPointer(validationSummary) })
            },
            Rung("ndarray", "NumPy style on NDArray: add(a, b, out: c)", backend: .threads) { config in
                let (a, b) = makeInputs(config)
                let x = NDArray<Double>(copying: a), y = NDArray<Double>(copying: b)
                let out = NDArray<Double>.zeros([config.n])
                return .ready(run: { ndarrayAdd(a: x, b: y, out: out) },
                                   validation: { out.withContiguousElements(validationSummary) })
            },
            Rung("tuned", "unsafe pointers, no bounds checks") { config in
                prepared(config, parallel: false, tuned)
            },
            Rung("simd", "SIMD4 loads and adds, streaming stores for big outputs") { config in
                prepared(config, parallel: false, simd)
            },
            Rung("parallel", "simd on a static block per thread", backend: .threads) { config in
                prepared(config, parallel: true, parallel)
            },
        ]
    }

    public static func configure(_ options: WorkloadOptions) throws(CelerError) -> Config {
        let fallback = options.preset == .small ? 10_007 : 20_000_000
        let size = try StencilOptions.size(options, dimensions: 1, minimum: [1], fallback: [fallback],
                                           shape: "one size N")
        return Config(n: size[0])
    }

    public static func parameters(_ config: Config) -> [Parameter] { [Parameter("n", .integer(config.n))] }

    public static func expected(_ config: Config) -> [ValidationValue]? {
        config.n == 20_000_000 ? [ValidationValue("sum", 19998500.54158916)] : nil
    }

    public static func work(_ config: Config, counted: Double?) -> Work {
        Work(flops: Double(config.n), bytes: 24 * Double(config.n), bound: .memory)
    }

    // MARK: Inputs and validation (shared with the ndarray rung)

    /// a and b: n values of SplitMix64 streams 1 and 2, generated in parallel.
    static func makeInputs(_ config: Config) -> (a: AlignedBuffer<Double>, b: AlignedBuffer<Double>) {
        (StencilInput.uniform(seed: 1, count: config.n), StencilInput.uniform(seed: 2, count: config.n))
    }

    /// `sum` of a result, accurately summed.
    static func validationSummary(_ out: UnsafeBufferPointer<Double>) -> [ValidationValue] {
        [ValidationValue("sum", StencilSummary(out).sum.value)]
    }

    private static func prepared(
        _ config: Config, parallel: Bool,
        _ kernel: @escaping (UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> Void
    ) -> Preparation {
        let (a, b) = makeInputs(config)
        let out = StencilInput.output(count: config.n, parallel: parallel)
        return .ready(run: { kernel(UnsafeBufferPointer(a.buffer), UnsafeBufferPointer(b.buffer), out.buffer) },
                           validation: { validationSummary(UnsafeBufferPointer(out.buffer)) })
    }

    // MARK: Rungs

    /// The loop on Swift arrays.
    static func naive(_ a: [Double], _ b: [Double], out: inout [Double]) {
        for i in 0..<a.count { out[i] = a[i] + b[i] }
    }

    /// Pointers, no bounds checks (LLVM vectorises this loop itself).
    static func tuned(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>,
                      out: UnsafeMutableBufferPointer<Double>) {
        let a = a.baseAddress!, b = b.baseAddress!, o = out.baseAddress!
        for i in 0..<out.count { o[i] = a[i] + b[i] }
    }

    /// SIMD4 loads and adds; streaming stores when the output exceeds the
    /// last-level cache (no write-allocate: 24 instead of 32 bytes per element).
    static func simd(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>,
                     out: UnsafeMutableBufferPointer<Double>) {
        let streaming = StreamingStore.worthwhile(bytes: out.count * 8)
        simdRange(a, b, out, 0..<out.count, streaming: streaming)
        if streaming { StreamingStore.fence() }
    }

    /// `simd` on one static block per thread.
    static func parallel(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>,
                         out: UnsafeMutableBufferPointer<Double>) {
        let streaming = StreamingStore.worthwhile(bytes: out.count * 8)
        let buffers = UncheckedSendable((a, b, out))
        parallelFor(0..<out.count, schedule: .static) { range in
            simdRange(buffers.value.0, buffers.value.1, buffers.value.2, range, streaming: streaming)
            if streaming { StreamingStore.fence() }
        }
    }

    @inline(__always)
    private static func simdRange(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>,
                                  _ out: UnsafeMutableBufferPointer<Double>, _ range: Range<Int>, streaming: Bool) {
        let a = UnsafePointer(a.baseAddress! + range.lowerBound)
        let b = UnsafePointer(b.baseAddress! + range.lowerBound)
        StreamingStore.storeSIMD4(count: range.count, to: out.baseAddress! + range.lowerBound, streaming: streaming,
                   vector: { i in a.load4(i) + b.load4(i) }, scalar: { i in a[i] + b[i] })
    }
}
