import CelerCore

// Elementwise comparisons into Bool arrays (`.<`, `.<=`, `.>`, `.>=`, `.==`, `.!=`).
// The three spellings of every operation (operator, in place, `out:`) are
// described in Arithmetic.swift.

// MARK: - Kernels

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

// MARK: - Spellings

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
