import CelerCore
import CelerHarness
import CelerParallel
import Synchronization
#if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
import _Builtin_intrinsics.intel
#endif

// Shared pieces of the memory-bound case studies (derivative, laplacian,
// diffusion, add): input generation, option checking, validation summaries,
// exact strength reduction of divisions and streaming stores. Each kernel file
// keeps its own algorithm; this file holds only what they all need.

// MARK: - Inputs

enum StencilInput {
    /// Values `0 ..< count` of SplitMix64 stream `seed`, in an aligned buffer.
    /// With `parallel`, the buffer is filled by `parallelFor(.static)` so each
    /// thread first-touches the pages it will later read in a static schedule.
    static func uniform(seed: UInt64, count: Int, parallel: Bool = true) -> AlignedBuffer<Double> {
        let buffer = AlignedBuffer<Double>(uninitializedCount: count)
        let generator = SplitMix64(seed: seed)
        let base = UncheckedSendable(buffer.pointer)
        let fill = { (range: Range<Int>) in
            let p = base.value
            for k in range { p[k] = generator.uniform(k) }
        }
        if parallel { parallelFor(0..<count, schedule: .static, fill) } else { fill(0..<count) }
        return buffer
    }

    /// The same values as a plain Swift array, for the `naive` rungs.
    static func uniformArray(seed: UInt64, count: Int) -> [Double] {
        let generator = SplitMix64(seed: seed)
        return (0..<count).map { generator.uniform($0) }
    }

    /// An uninitialised output buffer whose pages are first-touched (zeroed)
    /// by `parallelFor(.static)` over `count` elements when `parallel`, so the
    /// page faults are taken here, outside timing, by the thread that writes them.
    static func output(count: Int, parallel: Bool) -> AlignedBuffer<Double> {
        let buffer = AlignedBuffer<Double>(uninitializedCount: count)
        let base = UncheckedSendable(buffer.pointer)
        let touch = { (range: Range<Int>) in
            (base.value + range.lowerBound).initialize(repeating: 0, count: range.count)
        }
        if parallel { parallelFor(0..<count, schedule: .static, touch) } else { touch(0..<count) }
        return buffer
    }
}

/// A mutable value shared by a prepared run's closures (the naive rungs'
/// Swift arrays).
final class StencilBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

// MARK: - Options

enum StencilOptions {
    /// The largest number of grid points a workload accepts (2^31).
    static let maximumElements = 1 << 31

    /// `--size` with `dimensions` entries, each at least `minimum`, whose
    /// product is at most `maximumElements`; `fallback` when not given.
    static func size(_ options: WorkloadOptions, dimensions: Int, minimum: [Int],
                     fallback: [Int], shape: String) throws(CelerError) -> [Int] {
        guard let size = options.size else { return fallback }
        let text = size.map(String.init).joined(separator: ",")
        let allowed = "give \(shape) with \(describe(minimum)), at most 2^31 points in all"
        guard size.count == dimensions else { throw .invalidOption("--size", text, allowed: allowed) }
        var product = 1
        for (value, least) in zip(size, minimum) {
            guard value >= least, value <= maximumElements else {
                throw .invalidOption("--size", text, allowed: allowed)
            }
            product = product.multipliedReportingOverflow(by: value).partialValue
            guard product <= maximumElements else { throw .invalidOption("--size", text, allowed: allowed) }
        }
        return size
    }

    private static func describe(_ minimum: [Int]) -> String {
        if minimum.count == 1 { return "n >= \(minimum[0])" }
        if Set(minimum).count == 1 { return "each >= \(minimum[0])" }
        return "minimum " + minimum.map(String.init).joined(separator: "x")
    }

    /// `--steps` in `OptionLimits.steps`; `fallback` when not given.
    static func steps(_ options: WorkloadOptions, fallback: Int) throws(CelerError) -> Int {
        guard let steps = options.steps else { return fallback }
        guard OptionLimits.steps.contains(steps) else {
            throw .invalidOption("--steps", "\(steps)", allowed: "use a step count from 0 to \(OptionLimits.steps.upperBound)")
        }
        return steps
    }
}

// MARK: - Validation

/// Accurate (compensated) summaries of an output array; every rung of every
/// stencil workload is judged by these, whatever order it computed in.
struct StencilSummary {
    var sum = AccurateSum()
    var sumAbs = AccurateSum()
    var sumSquares = AccurateSum()
    var maximum = -Double.infinity

    init() {}
    init(_ values: UnsafeBufferPointer<Double>) { add(values) }

    mutating func add(_ values: UnsafeBufferPointer<Double>) {
        for x in values {
            sum.add(x)
            sumAbs.add(abs(x))
            sumSquares.add(x * x)
            if x > maximum || x.isNaN { maximum = x }
        }
    }
}

// MARK: - Arithmetic on one point or on four

/// The operations a stencil formula uses, on one double or on SIMD lanes, so
/// each kernel's formula is written once and used by its scalar and SIMD
/// loops alike (the same operations in the same order: the same bits).
protocol StencilLanes {
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Double, b: Self) -> Self
    static func * (a: Self, b: Double) -> Self
    static func / (a: Self, b: Double) -> Self
}
extension Double: StencilLanes {}
extension SIMD4: StencilLanes where Scalar == Double {}

// MARK: - Division

/// How a kernel divides by a grid constant such as dx²: by dividing, or, when
/// the constant is a power of two, by multiplying by its reciprocal, which is
/// then exact, so `x * (1/d)` and `x / d` are the same double for every x
/// (one correctly rounded result of the same real number). Division is the
/// slowest vector operation (vdivpd: 4 doubles per 5 cycles on Zen 4); the
/// multiply keeps bandwidth-bound kernels from becoming division-bound.
protocol StencilDivisor: Sendable {
    func divide<V: StencilLanes>(_ x: V) -> V
}

struct DivideBy: StencilDivisor {
    let d: Double
    @inline(__always) func divide<V: StencilLanes>(_ x: V) -> V { x / d }
}

struct MultiplyByExactReciprocal: StencilDivisor {
    let reciprocal: Double
    @inline(__always) func divide<V: StencilLanes>(_ x: V) -> V { x * reciprocal }

    /// The exact reciprocal of `d` if `d` is a power of two whose reciprocal
    /// is a normal double, else nil.
    static func of(_ d: Double) -> MultiplyByExactReciprocal? {
        let r = 1 / d
        guard d.isNormal, d.significandBitPattern == 0, r.isNormal else { return nil }
        return MultiplyByExactReciprocal(reciprocal: r)
    }
}

// MARK: - Streaming stores


