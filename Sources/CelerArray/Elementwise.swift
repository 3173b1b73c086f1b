import CelerCore
import RealModule
import ComplexModule

// Elementwise operations: one kernel type per operation (the algorithm), run
// by the strided driver (the schedule). Every operation has three spellings:
//   let c = a + b                  // new array; traps naming both shapes if they do not broadcast
//   a += b;  a.add(b)              // in place into a (b broadcast to a's shape)
//   try add(a, b, out: c)          // into an existing array, no allocation; throws on bad shapes
// Scalars broadcast: `2 * f`, `f / dx2`, `a .< 0.5`.

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

/// Kernel: the smaller of a and b, NaN if either is NaN.
public struct MinimumKernel<Element: NDArrayReal>: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Element, _ b: Element) -> Element { Element.ndMinimum(a, b) }
}

/// Kernel: the larger of a and b, NaN if either is NaN.
public struct MaximumKernel<Element: NDArrayReal>: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Element, _ b: Element) -> Element { Element.ndMaximum(a, b) }
}

/// Kernel: a to the power b (C `pow`).
public struct PowerKernel<Element: NDArrayFloatingPoint>: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Element, _ b: Element) -> Element { Element.ndPow(a, b) }
}

/// Kernel: a < b.
public struct LessKernel<Element: NDArrayReal>: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Element, _ b: Element) -> Bool { a < b }
}

/// Kernel: a <= b.
public struct LessEqualKernel<Element: NDArrayReal>: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Element, _ b: Element) -> Bool { a <= b }
}

/// Kernel: a > b.
public struct GreaterKernel<Element: NDArrayReal>: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Element, _ b: Element) -> Bool { a > b }
}

/// Kernel: a >= b.
public struct GreaterEqualKernel<Element: NDArrayReal>: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Element, _ b: Element) -> Bool { a >= b }
}

/// Kernel: a == b.
public struct EqualKernel<Element: NDArrayElement>: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Element, _ b: Element) -> Bool { a == b }
}

/// Kernel: a != b.
public struct NotEqualKernel<Element: NDArrayElement>: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Element, _ b: Element) -> Bool { a != b }
}

/// Kernel: a && b.
public struct LogicalAndKernel: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Bool, _ b: Bool) -> Bool { a && b }
}

/// Kernel: a || b.
public struct LogicalOrKernel: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Bool, _ b: Bool) -> Bool { a || b }
}

/// Kernel: a != b.
public struct LogicalXorKernel: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Bool, _ b: Bool) -> Bool { a != b }
}

/// Kernel: −x.
public struct NegativeKernel<Element: NDArrayNumeric>: UnaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ x: Element) -> Element { Element.ndNegate(x) }
}

/// Kernel: |x|.
public struct AbsoluteKernel<Element: NDArrayReal>: UnaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ x: Element) -> Element { Element.ndAbsolute(x) }
}

/// Kernel: the square root. Correctly rounded (as `Double.squareRoot()`);
/// `Double` and `Float` arrays run on SIMD lanes (`vsqrtpd`/`vsqrtps`).
public struct SqrtKernel<Element: NDArrayNumeric & ElementaryFunctions>: UnaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ x: Element) -> Element { Element.sqrt(x) }
    @inlinable @inline(__always)
    public func run(_ n: Int, _ out: UnsafeMutablePointer<Element>, _ os: Int, _ x: UnsafePointer<Element>, _ xs: Int) {
        if xs == 0 { return fillUnary(self, n, out, os, x) }
        if Element.self == Double.self { return VectorMath.sqrt(n, rebound(out, to: Double.self), os, rebound(x, to: Double.self), xs) }
        if Element.self == Float.self { return VectorMath.sqrt(n, rebound(out, to: Float.self), os, rebound(x, to: Float.self), xs) }
        runUnaryElementwise(self, n, out, os, x, xs)
    }
}

/// Kernel: eˣ. `Double` and `Float` use `VectorMath` (within 1 ulp, the same
/// value for an element whatever the layout); complex numbers use swift-numerics.
public struct ExpKernel<Element: NDArrayNumeric & ElementaryFunctions>: UnaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ x: Element) -> Element {
        if Element.self == Double.self { return unsafeBitCast(VectorMath.exp(unsafeBitCast(x, to: Double.self)), to: Element.self) }
        if Element.self == Float.self { return unsafeBitCast(VectorMath.exp(unsafeBitCast(x, to: Float.self)), to: Element.self) }
        return Element.exp(x)
    }
    @inlinable @inline(__always)
    public func run(_ n: Int, _ out: UnsafeMutablePointer<Element>, _ os: Int, _ x: UnsafePointer<Element>, _ xs: Int) {
        if xs == 0 { return fillUnary(self, n, out, os, x) }
        if Element.self == Double.self { return VectorMath.exp(n, rebound(out, to: Double.self), os, rebound(x, to: Double.self), xs) }
        if Element.self == Float.self { return VectorMath.exp(n, rebound(out, to: Float.self), os, rebound(x, to: Float.self), xs) }
        runUnaryElementwise(self, n, out, os, x, xs)
    }
}

/// Kernel: the natural logarithm. `Double` and `Float` use `VectorMath`
/// (within 1 ulp, the same value for an element whatever the layout).
public struct LogKernel<Element: NDArrayNumeric & ElementaryFunctions>: UnaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ x: Element) -> Element {
        if Element.self == Double.self { return unsafeBitCast(VectorMath.log(unsafeBitCast(x, to: Double.self)), to: Element.self) }
        if Element.self == Float.self { return unsafeBitCast(VectorMath.log(unsafeBitCast(x, to: Float.self)), to: Element.self) }
        return Element.log(x)
    }
    @inlinable @inline(__always)
    public func run(_ n: Int, _ out: UnsafeMutablePointer<Element>, _ os: Int, _ x: UnsafePointer<Element>, _ xs: Int) {
        if xs == 0 { return fillUnary(self, n, out, os, x) }
        if Element.self == Double.self { return VectorMath.log(n, rebound(out, to: Double.self), os, rebound(x, to: Double.self), xs) }
        if Element.self == Float.self { return VectorMath.log(n, rebound(out, to: Float.self), os, rebound(x, to: Float.self), xs) }
        runUnaryElementwise(self, n, out, os, x, xs)
    }
}

/// Kernel: the sine. `Double` and `Float` use `VectorMath` (within 2 ulp, the
/// same value for an element whatever the layout); complex numbers use swift-numerics.
public struct SinKernel<Element: NDArrayNumeric & ElementaryFunctions>: UnaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ x: Element) -> Element {
        if Element.self == Double.self { return unsafeBitCast(VectorMath.sin(unsafeBitCast(x, to: Double.self)), to: Element.self) }
        if Element.self == Float.self { return unsafeBitCast(VectorMath.sin(unsafeBitCast(x, to: Float.self)), to: Element.self) }
        return Element.sin(x)
    }
    @inlinable @inline(__always)
    public func run(_ n: Int, _ out: UnsafeMutablePointer<Element>, _ os: Int, _ x: UnsafePointer<Element>, _ xs: Int) {
        if xs == 0 { return fillUnary(self, n, out, os, x) }
        if Element.self == Double.self { return VectorMath.sin(n, rebound(out, to: Double.self), os, rebound(x, to: Double.self), xs) }
        if Element.self == Float.self { return VectorMath.sin(n, rebound(out, to: Float.self), os, rebound(x, to: Float.self), xs) }
        runUnaryElementwise(self, n, out, os, x, xs)
    }
}

/// Kernel: the cosine. `Double` and `Float` use `VectorMath` (within 2 ulp, the
/// same value for an element whatever the layout); complex numbers use swift-numerics.
public struct CosKernel<Element: NDArrayNumeric & ElementaryFunctions>: UnaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ x: Element) -> Element {
        if Element.self == Double.self { return unsafeBitCast(VectorMath.cos(unsafeBitCast(x, to: Double.self)), to: Element.self) }
        if Element.self == Float.self { return unsafeBitCast(VectorMath.cos(unsafeBitCast(x, to: Float.self)), to: Element.self) }
        return Element.cos(x)
    }
    @inlinable @inline(__always)
    public func run(_ n: Int, _ out: UnsafeMutablePointer<Element>, _ os: Int, _ x: UnsafePointer<Element>, _ xs: Int) {
        if xs == 0 { return fillUnary(self, n, out, os, x) }
        if Element.self == Double.self { return VectorMath.cos(n, rebound(out, to: Double.self), os, rebound(x, to: Double.self), xs) }
        if Element.self == Float.self { return VectorMath.cos(n, rebound(out, to: Float.self), os, rebound(x, to: Float.self), xs) }
        runUnaryElementwise(self, n, out, os, x, xs)
    }
}

/// Kernel: logical not.
public struct LogicalNotKernel: UnaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ x: Bool) -> Bool { !x }
}

/// Kernel: the element itself (copies, `ascontiguous`, assignment).
public struct CopyKernel<Element: NDArrayElement>: UnaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ x: Element) -> Element { x }
}

/// Kernel: conversion between element types (`astype`).
public struct ConvertKernel<Input: NDArrayElement, Output: NDArrayElement>: UnaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ x: Input) -> Output { Output.ndConverted(from: x) }
}

/// Kernel: `x` limited to `lower ... upper` (NumPy's `clip`: `min(max(x, lower), upper)`).
public struct ClipKernel<Element: NDArrayReal>: UnaryKernel {
    public let lower: Element, upper: Element
    @inlinable public init(lower: Element, upper: Element) { self.lower = lower; self.upper = upper }
    @inlinable @inline(__always) public func callAsFunction(_ x: Element) -> Element {
        Element.ndMinimum(Element.ndMaximum(x, lower), upper)
    }
}

/// Kernel: `condition ? a : b` (NumPy's `where`).
public struct WhereKernel<Element: NDArrayElement>: TernaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ c: Bool, _ a: Element, _ b: Element) -> Element { c ? a : b }
}

/// Kernel: `min(max(x, lower), upper)` with array bounds.
public struct ClipArraysKernel<Element: NDArrayReal>: TernaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ x: Element, _ lower: Element, _ upper: Element) -> Element {
        Element.ndMinimum(Element.ndMaximum(x, lower), upper)
    }
}

// MARK: - Binary operations

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

extension NDArray where Element: NDArrayReal {
    /// In place: writes `minimum(self, other)` into this view; `other` broadcasts to this shape.
    @inlinable public func minimum(_ other: NDArray) {
        trapping { () throws(CelerError) in try apply(MinimumKernel<Element>(), self, other, out: self) }
    }
    /// In place with a scalar.
    @inlinable public func minimum(_ other: Element) { minimum(NDArray(scalar: other)) }
}

/// Elementwise the smaller of a and b, NaN if either is NaN into `out` (no allocation); `a` and `b` broadcast to `out`'s shape.
/// NumPy: `np.minimum(a, b, out=out)`.
@inlinable
public func minimum<Element: NDArrayReal>(_ a: NDArray<Element>, _ b: NDArray<Element>, out: NDArray<Element>) throws(CelerError) {
    try apply(MinimumKernel<Element>(), a, b, out: out)
}

/// Elementwise the smaller of a and b, NaN if either is NaN, as a new array; traps naming both shapes if they do not broadcast.
@inlinable
public func minimum<Element: NDArrayReal>(_ a: NDArray<Element>, _ b: NDArray<Element>) -> NDArray<Element> {
    trapping { () throws(CelerError) in try map(MinimumKernel<Element>(), a, b) }
}

/// Elementwise the smaller of a and b, NaN if either is NaN with a scalar.
@inlinable
public func minimum<Element: NDArrayReal>(_ a: NDArray<Element>, _ b: Element) -> NDArray<Element> {
    minimum(a, NDArray(scalar: b))
}

extension NDArray where Element: NDArrayReal {
    /// In place: writes `maximum(self, other)` into this view; `other` broadcasts to this shape.
    @inlinable public func maximum(_ other: NDArray) {
        trapping { () throws(CelerError) in try apply(MaximumKernel<Element>(), self, other, out: self) }
    }
    /// In place with a scalar.
    @inlinable public func maximum(_ other: Element) { maximum(NDArray(scalar: other)) }
}

/// Elementwise the larger of a and b, NaN if either is NaN into `out` (no allocation); `a` and `b` broadcast to `out`'s shape.
/// NumPy: `np.maximum(a, b, out=out)`.
@inlinable
public func maximum<Element: NDArrayReal>(_ a: NDArray<Element>, _ b: NDArray<Element>, out: NDArray<Element>) throws(CelerError) {
    try apply(MaximumKernel<Element>(), a, b, out: out)
}

/// Elementwise the larger of a and b, NaN if either is NaN, as a new array; traps naming both shapes if they do not broadcast.
@inlinable
public func maximum<Element: NDArrayReal>(_ a: NDArray<Element>, _ b: NDArray<Element>) -> NDArray<Element> {
    trapping { () throws(CelerError) in try map(MaximumKernel<Element>(), a, b) }
}

/// Elementwise the larger of a and b, NaN if either is NaN with a scalar.
@inlinable
public func maximum<Element: NDArrayReal>(_ a: NDArray<Element>, _ b: Element) -> NDArray<Element> {
    maximum(a, NDArray(scalar: b))
}

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

// MARK: - Comparisons and logic

extension NDArray where Element: NDArrayReal {
    /// Elementwise `a < b` as a Bool array (NumPy's `a < b` on arrays).
    @inlinable public static func .< (a: NDArray, b: NDArray) -> NDArray<Bool> {
        trapping { () throws(CelerError) in try map(LessKernel<Element>(), a, b) }
    }
    @inlinable public static func .< (a: NDArray, b: Element) -> NDArray<Bool> { a .< NDArray(scalar: b) }
    @inlinable public static func .< (a: Element, b: NDArray) -> NDArray<Bool> { NDArray(scalar: a) .< b }
}

/// Elementwise `a < b` into the Bool array `out`.
@inlinable
public func less<Element: NDArrayReal>(_ a: NDArray<Element>, _ b: NDArray<Element>, out: NDArray<Bool>) throws(CelerError) {
    try apply(LessKernel<Element>(), a, b, out: out)
}

extension NDArray where Element: NDArrayReal {
    /// Elementwise `a <= b` as a Bool array (NumPy's `a <= b` on arrays).
    @inlinable public static func .<= (a: NDArray, b: NDArray) -> NDArray<Bool> {
        trapping { () throws(CelerError) in try map(LessEqualKernel<Element>(), a, b) }
    }
    @inlinable public static func .<= (a: NDArray, b: Element) -> NDArray<Bool> { a .<= NDArray(scalar: b) }
    @inlinable public static func .<= (a: Element, b: NDArray) -> NDArray<Bool> { NDArray(scalar: a) .<= b }
}

/// Elementwise `a <= b` into the Bool array `out`.
@inlinable
public func lessEqual<Element: NDArrayReal>(_ a: NDArray<Element>, _ b: NDArray<Element>, out: NDArray<Bool>) throws(CelerError) {
    try apply(LessEqualKernel<Element>(), a, b, out: out)
}

extension NDArray where Element: NDArrayReal {
    /// Elementwise `a > b` as a Bool array (NumPy's `a > b` on arrays).
    @inlinable public static func .> (a: NDArray, b: NDArray) -> NDArray<Bool> {
        trapping { () throws(CelerError) in try map(GreaterKernel<Element>(), a, b) }
    }
    @inlinable public static func .> (a: NDArray, b: Element) -> NDArray<Bool> { a .> NDArray(scalar: b) }
    @inlinable public static func .> (a: Element, b: NDArray) -> NDArray<Bool> { NDArray(scalar: a) .> b }
}

/// Elementwise `a > b` into the Bool array `out`.
@inlinable
public func greater<Element: NDArrayReal>(_ a: NDArray<Element>, _ b: NDArray<Element>, out: NDArray<Bool>) throws(CelerError) {
    try apply(GreaterKernel<Element>(), a, b, out: out)
}

extension NDArray where Element: NDArrayReal {
    /// Elementwise `a >= b` as a Bool array (NumPy's `a >= b` on arrays).
    @inlinable public static func .>= (a: NDArray, b: NDArray) -> NDArray<Bool> {
        trapping { () throws(CelerError) in try map(GreaterEqualKernel<Element>(), a, b) }
    }
    @inlinable public static func .>= (a: NDArray, b: Element) -> NDArray<Bool> { a .>= NDArray(scalar: b) }
    @inlinable public static func .>= (a: Element, b: NDArray) -> NDArray<Bool> { NDArray(scalar: a) .>= b }
}

/// Elementwise `a >= b` into the Bool array `out`.
@inlinable
public func greaterEqual<Element: NDArrayReal>(_ a: NDArray<Element>, _ b: NDArray<Element>, out: NDArray<Bool>) throws(CelerError) {
    try apply(GreaterEqualKernel<Element>(), a, b, out: out)
}

extension NDArray where Element: NDArrayElement {
    /// Elementwise `a == b` as a Bool array (NumPy's `a == b` on arrays).
    @inlinable public static func .== (a: NDArray, b: NDArray) -> NDArray<Bool> {
        trapping { () throws(CelerError) in try map(EqualKernel<Element>(), a, b) }
    }
    @inlinable public static func .== (a: NDArray, b: Element) -> NDArray<Bool> { a .== NDArray(scalar: b) }
    @inlinable public static func .== (a: Element, b: NDArray) -> NDArray<Bool> { NDArray(scalar: a) .== b }
}

/// Elementwise `a == b` into the Bool array `out`.
@inlinable
public func equal<Element: NDArrayElement>(_ a: NDArray<Element>, _ b: NDArray<Element>, out: NDArray<Bool>) throws(CelerError) {
    try apply(EqualKernel<Element>(), a, b, out: out)
}

extension NDArray where Element: NDArrayElement {
    /// Elementwise `a != b` as a Bool array (NumPy's `a != b` on arrays).
    @inlinable public static func .!= (a: NDArray, b: NDArray) -> NDArray<Bool> {
        trapping { () throws(CelerError) in try map(NotEqualKernel<Element>(), a, b) }
    }
    @inlinable public static func .!= (a: NDArray, b: Element) -> NDArray<Bool> { a .!= NDArray(scalar: b) }
    @inlinable public static func .!= (a: Element, b: NDArray) -> NDArray<Bool> { NDArray(scalar: a) .!= b }
}

/// Elementwise `a != b` into the Bool array `out`.
@inlinable
public func notEqual<Element: NDArrayElement>(_ a: NDArray<Element>, _ b: NDArray<Element>, out: NDArray<Bool>) throws(CelerError) {
    try apply(NotEqualKernel<Element>(), a, b, out: out)
}

extension NDArray where Element == Bool {
    /// Elementwise `a && b`.
    @inlinable public static func .& (a: NDArray, b: NDArray) -> NDArray {
        trapping { () throws(CelerError) in try map(LogicalAndKernel(), a, b) }
    }
    /// Elementwise `a || b`.
    @inlinable public static func .| (a: NDArray, b: NDArray) -> NDArray {
        trapping { () throws(CelerError) in try map(LogicalOrKernel(), a, b) }
    }
    /// Elementwise `a != b`.
    @inlinable public static func .^ (a: NDArray, b: NDArray) -> NDArray {
        trapping { () throws(CelerError) in try map(LogicalXorKernel(), a, b) }
    }
    /// Elementwise not.
    @inlinable public static prefix func .! (a: NDArray) -> NDArray { map(LogicalNotKernel(), a) }
}

/// Elementwise `a && b` into `out`.
@inlinable
public func logicalAnd(_ a: NDArray<Bool>, _ b: NDArray<Bool>, out: NDArray<Bool>) throws(CelerError) {
    try apply(LogicalAndKernel(), a, b, out: out)
}

/// Elementwise `a || b` into `out`.
@inlinable
public func logicalOr(_ a: NDArray<Bool>, _ b: NDArray<Bool>, out: NDArray<Bool>) throws(CelerError) {
    try apply(LogicalOrKernel(), a, b, out: out)
}

/// Elementwise `a != b` into `out`.
@inlinable
public func logicalXor(_ a: NDArray<Bool>, _ b: NDArray<Bool>, out: NDArray<Bool>) throws(CelerError) {
    try apply(LogicalXorKernel(), a, b, out: out)
}

/// Elementwise not into `out`.
@inlinable
public func logicalNot(_ a: NDArray<Bool>, out: NDArray<Bool>) throws(CelerError) {
    try apply(LogicalNotKernel(), a, out: out)
}

// MARK: - Unary operations

/// Elementwise −x, as a new array.
@inlinable
public func negative<Element: NDArrayNumeric>(_ x: NDArray<Element>) -> NDArray<Element> { map(NegativeKernel<Element>(), x) }

/// Elementwise −x into `out` (`x` broadcasts to `out`'s shape); `out` may be `x`.
@inlinable
public func negative<Element: NDArrayNumeric>(_ x: NDArray<Element>, out: NDArray<Element>) throws(CelerError) {
    try apply(NegativeKernel<Element>(), x, out: out)
}

/// Elementwise |x|, as a new array.
@inlinable
public func absolute<Element: NDArrayReal>(_ x: NDArray<Element>) -> NDArray<Element> { map(AbsoluteKernel<Element>(), x) }

/// Elementwise |x| into `out` (`x` broadcasts to `out`'s shape); `out` may be `x`.
@inlinable
public func absolute<Element: NDArrayReal>(_ x: NDArray<Element>, out: NDArray<Element>) throws(CelerError) {
    try apply(AbsoluteKernel<Element>(), x, out: out)
}

/// Elementwise the square root, as a new array.
@inlinable
public func sqrt<Element: NDArrayNumeric & ElementaryFunctions>(_ x: NDArray<Element>) -> NDArray<Element> { map(SqrtKernel<Element>(), x) }

/// Elementwise the square root into `out` (`x` broadcasts to `out`'s shape); `out` may be `x`.
@inlinable
public func sqrt<Element: NDArrayNumeric & ElementaryFunctions>(_ x: NDArray<Element>, out: NDArray<Element>) throws(CelerError) {
    try apply(SqrtKernel<Element>(), x, out: out)
}

/// Elementwise eˣ, as a new array.
@inlinable
public func exp<Element: NDArrayNumeric & ElementaryFunctions>(_ x: NDArray<Element>) -> NDArray<Element> { map(ExpKernel<Element>(), x) }

/// Elementwise eˣ into `out` (`x` broadcasts to `out`'s shape); `out` may be `x`.
@inlinable
public func exp<Element: NDArrayNumeric & ElementaryFunctions>(_ x: NDArray<Element>, out: NDArray<Element>) throws(CelerError) {
    try apply(ExpKernel<Element>(), x, out: out)
}

/// Elementwise the natural logarithm, as a new array.
@inlinable
public func log<Element: NDArrayNumeric & ElementaryFunctions>(_ x: NDArray<Element>) -> NDArray<Element> { map(LogKernel<Element>(), x) }

/// Elementwise the natural logarithm into `out` (`x` broadcasts to `out`'s shape); `out` may be `x`.
@inlinable
public func log<Element: NDArrayNumeric & ElementaryFunctions>(_ x: NDArray<Element>, out: NDArray<Element>) throws(CelerError) {
    try apply(LogKernel<Element>(), x, out: out)
}

/// Elementwise the sine, as a new array.
@inlinable
public func sin<Element: NDArrayNumeric & ElementaryFunctions>(_ x: NDArray<Element>) -> NDArray<Element> { map(SinKernel<Element>(), x) }

/// Elementwise the sine into `out` (`x` broadcasts to `out`'s shape); `out` may be `x`.
@inlinable
public func sin<Element: NDArrayNumeric & ElementaryFunctions>(_ x: NDArray<Element>, out: NDArray<Element>) throws(CelerError) {
    try apply(SinKernel<Element>(), x, out: out)
}

/// Elementwise the cosine, as a new array.
@inlinable
public func cos<Element: NDArrayNumeric & ElementaryFunctions>(_ x: NDArray<Element>) -> NDArray<Element> { map(CosKernel<Element>(), x) }

/// Elementwise the cosine into `out` (`x` broadcasts to `out`'s shape); `out` may be `x`.
@inlinable
public func cos<Element: NDArrayNumeric & ElementaryFunctions>(_ x: NDArray<Element>, out: NDArray<Element>) throws(CelerError) {
    try apply(CosKernel<Element>(), x, out: out)
}

/// Elementwise |x| (NumPy's `abs`).
@inlinable
public func abs<Element: NDArrayReal>(_ x: NDArray<Element>) -> NDArray<Element> { absolute(x) }

extension NDArray where Element: NDArrayNumeric {
    /// Elementwise negation.
    @inlinable public static prefix func - (x: NDArray) -> NDArray { map(NegativeKernel<Element>(), x) }
}

// MARK: - where, clip

/// `a` where `condition` is true, else `b`, broadcasting all three (NumPy's `where`).
@inlinable
public func `where`<Element>(_ condition: NDArray<Bool>, _ a: NDArray<Element>, _ b: NDArray<Element>) -> NDArray<Element> {
    trapping { () throws(CelerError) in try map(WhereKernel<Element>(), condition, a, b) }
}

/// `a` where `condition` is true, else `b`, with scalars.
@inlinable
public func `where`<Element>(_ condition: NDArray<Bool>, _ a: Element, _ b: Element) -> NDArray<Element> {
    `where`(condition, NDArray(scalar: a), NDArray(scalar: b))
}

/// `where` into `out`.
@inlinable
public func `where`<Element>(_ condition: NDArray<Bool>, _ a: NDArray<Element>, _ b: NDArray<Element>, out: NDArray<Element>) throws(CelerError) {
    try apply(WhereKernel<Element>(), condition, a, b, out: out)
}

extension NDArray where Element: NDArrayReal {
    /// Elements limited to `lower ... upper` (NumPy's `clip`), as a new array.
    @inlinable public func clipped(_ lower: Element, _ upper: Element) -> NDArray {
        map(ClipKernel(lower: lower, upper: upper), self)
    }
    /// Limits the elements to `lower ... upper` in place.
    @inlinable public func clip(_ lower: Element, _ upper: Element) {
        trapping { () throws(CelerError) in try apply(ClipKernel(lower: lower, upper: upper), self, out: self) }
    }
    /// Elements limited by arrays of bounds, broadcasting.
    @inlinable public func clipped(_ lower: NDArray, _ upper: NDArray) -> NDArray {
        trapping { () throws(CelerError) in try map(ClipArraysKernel<Element>(), self, lower, upper) }
    }
}

/// Elements of `x` limited to `lower ... upper` into `out`.
@inlinable
public func clip<Element: NDArrayReal>(_ x: NDArray<Element>, _ lower: Element, _ upper: Element, out: NDArray<Element>) throws(CelerError) {
    try apply(ClipKernel(lower: lower, upper: upper), x, out: out)
}

// MARK: - Complex magnitude

/// Kernel: |z| of a complex number (swift-numerics' `length`, computed
/// without overflow like C's `hypot`, as NumPy's `abs` on complex arrays).
public struct ComplexMagnitudeKernel<RealType: NDArrayFloatingPoint>: UnaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ z: Complex<RealType>) -> RealType { z.length }
}

/// Elementwise |z| of a complex array, as a real array (NumPy's `abs(z)`).
@inlinable
public func abs<RealType: NDArrayFloatingPoint>(_ z: NDArray<Complex<RealType>>) -> NDArray<RealType> {
    map(ComplexMagnitudeKernel<RealType>(), z)
}
