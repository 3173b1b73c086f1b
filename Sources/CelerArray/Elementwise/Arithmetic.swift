import CelerCore

// Elementwise operations: one kernel type per operation (the algorithm), run
// by the strided driver (the schedule). Every operation has three spellings:
//   let c = a + b                  // new array; traps naming both shapes if they do not broadcast
//   a += b;  a.add(b)              // in place into a (b broadcast to a's shape)
//   try add(a, b, out: c)          // into an existing array, no allocation; throws on bad shapes
// Scalars broadcast: `2 * f`, `f / dx2`, `a .< 0.5`.
//
// One family per file in this folder, each file its kernels first, then their
// spellings: Arithmetic (+ − × ÷, power, negation), MinimumMaximum (minimum,
// maximum, clip), Comparison (.< .<= .> .>= .== .!=), Logic (.& .| .^ .!),
// MathFunctions (|x|, sqrt, exp, log, sin, cos, |z|), Selection (where, and the
// copy and conversion kernels).

// MARK: - Kernels

/// Kernel: a + b.
public struct AddKernel<Element: NDArrayNumeric>: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Element, _ b: Element) -> Element { Element.ndAdd(a, b) }
}

/// Kernel: a − b.
public struct SubtractKernel<Element: NDArrayNumeric>: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Element, _ b: Element) -> Element { Element.ndSubtract(a, b) }
}

/// Kernel: a × b.
public struct MultiplyKernel<Element: NDArrayNumeric>: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Element, _ b: Element) -> Element { Element.ndMultiply(a, b) }
}

/// Kernel: a ÷ b (floor division for integers, x / 0 = 0).
public struct DivideKernel<Element: NDArrayNumeric>: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Element, _ b: Element) -> Element { Element.ndDivide(a, b) }
}

/// Kernel: a to the power b (C `pow`).
public struct PowerKernel<Element: NDArrayFloatingPoint>: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Element, _ b: Element) -> Element { Element.ndPow(a, b) }
}

/// Kernel: −x.
public struct NegativeKernel<Element: NDArrayNumeric>: UnaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ x: Element) -> Element { Element.ndNegate(x) }
}

// MARK: - Temporary elision

extension NDArray {
    /// `kernel(a, b)` as a new array, written into the storage of `a` or `b`
    /// instead when that operand is a temporary nothing else refers to and
    /// has the result's shape (NumPy's temporary elision): in
    /// `(f[.to(-2)] - 2 * f[.s(1, -1)] + f[.from(2)]) / dx2` only `2 * f[…]`
    /// allocates. Traps naming both shapes if they do not broadcast.
    @inlinable
    static func elementwise<K: BinaryKernel>(_ kernel: K, _ a: consuming NDArray, _ b: consuming NDArray) -> NDArray
    where K.A == Element, K.B == Element, K.Output == Element {
        let shape = trapping { () throws(CelerError) in try Layout.broadcastShapes([a.shape, b.shape]) }
        let out: NDArray
        if a.isReusableTemporary(for: shape) { out = a } else if b.isReusableTemporary(for: shape) { out = b } else {
            out = a.isContiguous && b.isContiguous ? NDArray(uninitializedShape: shape)
                : NDArray(uninitializedShape: shape, strides: keepOrderStrides(shape, [(a.shape, a.strides), (b.shape, b.strides)]))
        }
        trapping { () throws(CelerError) in try apply(kernel, a, b, out: out) }
        return out
    }
}

// MARK: - + − × ÷

extension NDArray where Element: NDArrayNumeric {
    /// Elementwise a + b, broadcasting; traps naming both shapes if they do not broadcast.
    @inlinable public static func + (a: consuming NDArray, b: consuming NDArray) -> NDArray {
        elementwise(AddKernel<Element>(), a, b)
    }
    /// Elementwise a + b with a scalar.
    @inlinable public static func + (a: consuming NDArray, b: Element) -> NDArray { elementwise(AddKernel<Element>(), a, NDArray(scalar: b)) }
    /// Elementwise a + b with a scalar.
    @inlinable public static func + (a: Element, b: consuming NDArray) -> NDArray { elementwise(AddKernel<Element>(), NDArray(scalar: a), b) }
    /// In place: `a = a + b`, writing into `a`'s storage (every view of it sees the change; works on a `let`).
    @inlinable public static func += (a: NDArray, b: NDArray) { a.add(b) }
    /// In place with a scalar.
    @inlinable public static func += (a: NDArray, b: Element) { a.add(NDArray(scalar: b)) }
    /// In place: writes `self + other` into this view; `other` broadcasts to this shape.
    @inlinable public func add(_ other: NDArray) {
        trapping { () throws(CelerError) in try apply(AddKernel<Element>(), self, other, out: self) }
    }
    /// In place with a scalar.
    @inlinable public func add(_ other: Element) { add(NDArray(scalar: other)) }
    /// A new array: `self + other`, broadcasting; throws naming both shapes if they do not broadcast.
    @inlinable public func adding(_ other: NDArray) throws(CelerError) -> NDArray { try map(AddKernel<Element>(), self, other) }
}

/// Elementwise a + b into `out` (no allocation); `a` and `b` broadcast to `out`'s shape.
/// NumPy: `np.add(a, b, out=out)`.
@inlinable
public func add<Element: NDArrayNumeric>(_ a: NDArray<Element>, _ b: NDArray<Element>, out: NDArray<Element>) throws(CelerError) {
    try apply(AddKernel<Element>(), a, b, out: out)
}

extension NDArray where Element: NDArrayNumeric {
    /// Elementwise a − b, broadcasting; traps naming both shapes if they do not broadcast.
    @inlinable public static func - (a: consuming NDArray, b: consuming NDArray) -> NDArray {
        elementwise(SubtractKernel<Element>(), a, b)
    }
    /// Elementwise a − b with a scalar.
    @inlinable public static func - (a: consuming NDArray, b: Element) -> NDArray { elementwise(SubtractKernel<Element>(), a, NDArray(scalar: b)) }
    /// Elementwise a − b with a scalar.
    @inlinable public static func - (a: Element, b: consuming NDArray) -> NDArray { elementwise(SubtractKernel<Element>(), NDArray(scalar: a), b) }
    /// In place: `a = a - b`, writing into `a`'s storage (every view of it sees the change; works on a `let`).
    @inlinable public static func -= (a: NDArray, b: NDArray) { a.subtract(b) }
    /// In place with a scalar.
    @inlinable public static func -= (a: NDArray, b: Element) { a.subtract(NDArray(scalar: b)) }
    /// In place: writes `self − other` into this view; `other` broadcasts to this shape.
    @inlinable public func subtract(_ other: NDArray) {
        trapping { () throws(CelerError) in try apply(SubtractKernel<Element>(), self, other, out: self) }
    }
    /// In place with a scalar.
    @inlinable public func subtract(_ other: Element) { subtract(NDArray(scalar: other)) }
    /// A new array: `self − other`, broadcasting; throws naming both shapes if they do not broadcast.
    @inlinable public func subtracting(_ other: NDArray) throws(CelerError) -> NDArray { try map(SubtractKernel<Element>(), self, other) }
}

/// Elementwise a − b into `out` (no allocation); `a` and `b` broadcast to `out`'s shape.
/// NumPy: `np.subtract(a, b, out=out)`.
@inlinable
public func subtract<Element: NDArrayNumeric>(_ a: NDArray<Element>, _ b: NDArray<Element>, out: NDArray<Element>) throws(CelerError) {
    try apply(SubtractKernel<Element>(), a, b, out: out)
}

extension NDArray where Element: NDArrayNumeric {
    /// Elementwise a × b, broadcasting; traps naming both shapes if they do not broadcast.
    @inlinable public static func * (a: consuming NDArray, b: consuming NDArray) -> NDArray {
        elementwise(MultiplyKernel<Element>(), a, b)
    }
    /// Elementwise a × b with a scalar.
    @inlinable public static func * (a: consuming NDArray, b: Element) -> NDArray { elementwise(MultiplyKernel<Element>(), a, NDArray(scalar: b)) }
    /// Elementwise a × b with a scalar.
    @inlinable public static func * (a: Element, b: consuming NDArray) -> NDArray { elementwise(MultiplyKernel<Element>(), NDArray(scalar: a), b) }
    /// In place: `a = a * b`, writing into `a`'s storage (every view of it sees the change; works on a `let`).
    @inlinable public static func *= (a: NDArray, b: NDArray) { a.multiply(b) }
    /// In place with a scalar.
    @inlinable public static func *= (a: NDArray, b: Element) { a.multiply(NDArray(scalar: b)) }
    /// In place: writes `self × other` into this view; `other` broadcasts to this shape.
    @inlinable public func multiply(_ other: NDArray) {
        trapping { () throws(CelerError) in try apply(MultiplyKernel<Element>(), self, other, out: self) }
    }
    /// In place with a scalar.
    @inlinable public func multiply(_ other: Element) { multiply(NDArray(scalar: other)) }
    /// A new array: `self × other`, broadcasting; throws naming both shapes if they do not broadcast.
    @inlinable public func multiplying(_ other: NDArray) throws(CelerError) -> NDArray { try map(MultiplyKernel<Element>(), self, other) }
}

/// Elementwise a × b into `out` (no allocation); `a` and `b` broadcast to `out`'s shape.
/// NumPy: `np.multiply(a, b, out=out)`.
@inlinable
public func multiply<Element: NDArrayNumeric>(_ a: NDArray<Element>, _ b: NDArray<Element>, out: NDArray<Element>) throws(CelerError) {
    try apply(MultiplyKernel<Element>(), a, b, out: out)
}

extension NDArray where Element: NDArrayNumeric {
    /// Elementwise a ÷ b (floor division for integers, x / 0 = 0), broadcasting; traps naming both shapes if they do not broadcast.
    @inlinable public static func / (a: consuming NDArray, b: consuming NDArray) -> NDArray {
        elementwise(DivideKernel<Element>(), a, b)
    }
    /// Elementwise a ÷ b (floor division for integers, x / 0 = 0) with a scalar.
    @inlinable public static func / (a: consuming NDArray, b: Element) -> NDArray { elementwise(DivideKernel<Element>(), a, NDArray(scalar: b)) }
    /// Elementwise a ÷ b (floor division for integers, x / 0 = 0) with a scalar.
    @inlinable public static func / (a: Element, b: consuming NDArray) -> NDArray { elementwise(DivideKernel<Element>(), NDArray(scalar: a), b) }
    /// In place: `a = a / b`, writing into `a`'s storage (every view of it sees the change; works on a `let`).
    @inlinable public static func /= (a: NDArray, b: NDArray) { a.divide(b) }
    /// In place with a scalar.
    @inlinable public static func /= (a: NDArray, b: Element) { a.divide(NDArray(scalar: b)) }
    /// In place: writes `self ÷ other` into this view; `other` broadcasts to this shape.
    @inlinable public func divide(_ other: NDArray) {
        trapping { () throws(CelerError) in try apply(DivideKernel<Element>(), self, other, out: self) }
    }
    /// In place with a scalar.
    @inlinable public func divide(_ other: Element) { divide(NDArray(scalar: other)) }
    /// A new array: `self ÷ other`, broadcasting; throws naming both shapes if they do not broadcast.
    @inlinable public func dividing(_ other: NDArray) throws(CelerError) -> NDArray { try map(DivideKernel<Element>(), self, other) }
}

/// Elementwise a ÷ b (floor division for integers, x / 0 = 0) into `out` (no allocation); `a` and `b` broadcast to `out`'s shape.
/// NumPy: `np.divide(a, b, out=out)`.
@inlinable
public func divide<Element: NDArrayNumeric>(_ a: NDArray<Element>, _ b: NDArray<Element>, out: NDArray<Element>) throws(CelerError) {
    try apply(DivideKernel<Element>(), a, b, out: out)
}

// MARK: - Power

extension NDArray where Element: NDArrayFloatingPoint {
    /// In place: writes `power(self, other)` into this view; `other` broadcasts to this shape.
    @inlinable public func power(_ other: NDArray) {
        trapping { () throws(CelerError) in try apply(PowerKernel<Element>(), self, other, out: self) }
    }
    /// In place with a scalar.
    @inlinable public func power(_ other: Element) { power(NDArray(scalar: other)) }
}

/// Elementwise a to the power b (C `pow`) into `out` (no allocation); `a` and `b` broadcast to `out`'s shape.
/// NumPy: `np.power(a, b, out=out)`.
@inlinable
public func power<Element: NDArrayFloatingPoint>(_ a: NDArray<Element>, _ b: NDArray<Element>, out: NDArray<Element>) throws(CelerError) {
    try apply(PowerKernel<Element>(), a, b, out: out)
}

/// Elementwise a to the power b (C `pow`), as a new array; traps naming both shapes if they do not broadcast.
@inlinable
public func power<Element: NDArrayFloatingPoint>(_ a: NDArray<Element>, _ b: NDArray<Element>) -> NDArray<Element> {
    trapping { () throws(CelerError) in try map(PowerKernel<Element>(), a, b) }
}

/// Elementwise a to the power b (C `pow`) with a scalar.
@inlinable
public func power<Element: NDArrayFloatingPoint>(_ a: NDArray<Element>, _ b: Element) -> NDArray<Element> {
    power(a, NDArray(scalar: b))
}

// MARK: - Negation

/// Elementwise −x, as a new array.
@inlinable
public func negative<Element: NDArrayNumeric>(_ x: NDArray<Element>) -> NDArray<Element> { map(NegativeKernel<Element>(), x) }

/// Elementwise −x into `out` (`x` broadcasts to `out`'s shape); `out` may be `x`.
@inlinable
public func negative<Element: NDArrayNumeric>(_ x: NDArray<Element>, out: NDArray<Element>) throws(CelerError) {
    try apply(NegativeKernel<Element>(), x, out: out)
}

extension NDArray where Element: NDArrayNumeric {
    /// Elementwise negation.
    @inlinable public static prefix func - (x: NDArray) -> NDArray { map(NegativeKernel<Element>(), x) }
}
