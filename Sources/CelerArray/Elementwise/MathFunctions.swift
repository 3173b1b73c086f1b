import CelerCore
import RealModule
import ComplexModule

// Elementwise functions of one argument: |x|, sqrt, exp, log, sin, cos, and
// |z| of complex arrays. `Double` and `Float` run on `VectorMath`'s SIMD lanes.
// The three spellings of every operation (operator, in place, `out:`) are
// described in Arithmetic.swift.

// MARK: - Kernels

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

// MARK: - Spellings

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
