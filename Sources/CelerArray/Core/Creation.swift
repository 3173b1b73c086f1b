import CelerCore
import RealModule

// Creation functions. Every one returns a new contiguous array in its own
// storage (never a view).

extension NDArray {
    /// A 0-d array holding `value` (broadcasts against any shape).
    @inlinable
    public init(scalar value: Element) {
        self.init(uninitializedShape: [])
        baseAddress.initialize(to: value)
    }

    /// A new array of `shape` with every element `value` (NumPy's `full`).
    @inlinable
    public static func full(_ shape: [Int], _ value: Element) -> NDArray {
        let a = NDArray(uninitializedShape: shape)
        a.fill(value)
        return a
    }

    /// Zeros (`false` for Bool) of `shape`.
    @inlinable public static func zeros(_ shape: [Int]) -> NDArray { full(shape, .ndZero) }
    /// Ones (`true` for Bool) of `shape`.
    @inlinable public static func ones(_ shape: [Int]) -> NDArray { full(shape, .ndOne) }
    /// Uninitialised elements (NumPy's `empty`): write each before reading it.
    @inlinable public static func empty(_ shape: [Int]) -> NDArray { NDArray(uninitializedShape: shape) }

    /// A 1-D array of the elements of `values`.
    @inlinable
    public init(_ values: [Element]) {
        self.init(uninitializedShape: [values.count])
        values.withUnsafeBufferPointer { baseAddress.update(from: $0.baseAddress!, count: values.count) }
    }

    /// An array of `shape` filled from `values` in row-major order; throws
    /// when the counts differ.
    @inlinable
    public init(_ values: [Element], shape: [Int]) throws(CelerError) {
        guard Layout.count(shape) == values.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw ArrayError.reshape(values.count, from: [values.count], to: shape)
        }
        self.init(uninitializedShape: shape)
        values.withUnsafeBufferPointer { baseAddress.update(from: $0.baseAddress!, count: values.count) }
    }

    /// A 2-D array from rows (`NDArray([[1, 2], [3, 4]])`); throws for ragged rows.
    @inlinable
    public init(_ rows: [[Element]]) throws(CelerError) {
        let width = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == width }) else {
            throw ArrayError.invalid("shape", "rows of different lengths \(rows.map(\.count)) do not make a 2-D array")
        }
        try self.init(rows.flatMap { $0 }, shape: [rows.count, width])
    }

    /// A 3-D array from nested arrays; throws when they are ragged.
    @inlinable
    public init(_ planes: [[[Element]]]) throws(CelerError) {
        let rows = planes.first?.count ?? 0
        let width = planes.first?.first?.count ?? 0
        guard planes.allSatisfy({ $0.count == rows && $0.allSatisfy { $0.count == width } }) else {
            throw ArrayError.invalid("shape", "nested arrays of different lengths do not make a 3-D array")
        }
        try self.init(planes.flatMap { $0.flatMap { $0 } }, shape: [planes.count, rows, width])
    }
}

extension NDArray where Element: NDArrayNumeric {
    /// `start, start + step, …` below `stop` (NumPy's `arange` for integers).
    @inlinable
    public static func arange(_ start: Int, _ stop: Int, step: Int = 1) -> NDArray {
        precondition(step != 0, "arange: step cannot be zero")
        let n = step > 0 ? Swift.max(0, (stop - start + step - 1) / step) : Swift.max(0, (start - stop - step - 1) / -step)
        let a = NDArray(uninitializedShape: [n])
        for i in 0..<n { a.baseAddress[i] = Element(ndInteger: start + i * step) }
        return a
    }

    /// `0, 1, …, stop − 1`.
    @inlinable public static func arange(_ stop: Int) -> NDArray { arange(0, stop) }

    /// The `n`×`n` identity matrix.
    @inlinable
    public static func identity(_ n: Int) -> NDArray {
        let a = zeros([n, n])
        for i in 0..<n { a.baseAddress[i * (n + 1)] = .ndOne }
        return a
    }
}

extension NDArray where Element: NDArrayFloatingPoint {
    /// `count` evenly spaced values from `start` to `stop` (included when
    /// `endpoint`), computed as NumPy does: `start + i·step`, last set to `stop`.
    @inlinable
    public static func linspace(_ start: Element, _ stop: Element, count: Int, endpoint: Bool = true) -> NDArray {
        precondition(count >= 0, "linspace: number of samples, \(count), must be non-negative")
        let a = NDArray(uninitializedShape: [count])
        let div = endpoint ? count - 1 : count
        let delta = stop - start
        let step = div > 0 ? delta / Element(div) : 0
        for i in 0..<count { a.baseAddress[i] = div > 0 ? start + Element(i) * step : start }
        if endpoint && count > 1 { a.baseAddress[count - 1] = stop }
        return a
    }

    /// Uniform values in [0, 1): element k (row-major) is `SplitMix64(seed).uniform(k)`,
    /// so any seed gives the case-study inputs of `docs/workloads.md`.
    @inlinable
    public static func randomUniform(_ shape: [Int], seed: UInt64) -> NDArray {
        let a = NDArray(uninitializedShape: shape)
        let rng = SplitMix64(seed: seed)
        let p = a.baseAddress
        for k in 0..<a.count { p[k] = Element(ndDouble: rng.uniform(k)) }
        return a
    }

    /// Standard normal values (Box–Muller on pairs of SplitMix64 uniforms).
    @inlinable
    public static func randomNormal(_ shape: [Int], seed: UInt64, mean: Element = 0, standardDeviation: Element = 1) -> NDArray {
        let a = NDArray(uninitializedShape: shape)
        let rng = SplitMix64(seed: seed)
        let p = a.baseAddress
        for k in 0..<a.count {
            let pair = k / 2
            let u1 = 1 - rng.uniform(2 * pair), u2 = rng.uniform(2 * pair + 1)
            let r = (-2 * Double.log(u1)).squareRoot()
            let angle = 2 * Double.pi * u2
            let z = k % 2 == 0 ? r * Double.cos(angle) : r * Double.sin(angle)
            p[k] = mean + standardDeviation * Element(ndDouble: z)
        }
        return a
    }
}
