import CelerCore

// Elementwise minimum, maximum and clip (NumPy's: a NaN operand gives NaN).
// The three spellings of every operation (operator, in place, `out:`) are
// described in Arithmetic.swift.

// MARK: - Kernels

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

/// Kernel: `x` limited to `lower ... upper` (NumPy's `clip`: `min(max(x, lower), upper)`).
public struct ClipKernel<Element: NDArrayReal>: UnaryKernel {
    public let lower: Element, upper: Element
    @inlinable public init(lower: Element, upper: Element) { self.lower = lower; self.upper = upper }
    @inlinable @inline(__always) public func callAsFunction(_ x: Element) -> Element {
        Element.ndMinimum(Element.ndMaximum(x, lower), upper)
    }
}

/// Kernel: `min(max(x, lower), upper)` with array bounds.
public struct ClipArraysKernel<Element: NDArrayReal>: TernaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ x: Element, _ lower: Element, _ upper: Element) -> Element {
        Element.ndMinimum(Element.ndMaximum(x, lower), upper)
    }
}

// MARK: - minimum, maximum

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

// MARK: - clip

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
