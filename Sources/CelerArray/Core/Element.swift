import ComplexModule
import RealModule
#if canImport(Glibc)
import Glibc
#endif

// Element types of `NDArray`, from the most general to the most specific:
//
//   NDArrayElement         every element: Double, Float, Int64, Int32, UInt8, Bool, Complex
//   └ NDArrayNumeric       + − × ÷ (wrapping for integers), sum, prod, dot: all but Bool
//     └ NDArrayReal        ordered: comparisons, min/max, clip, argmin/argmax: reals and integers
//       └ NDArrayFloatingPoint   Double, Float: mean/std results, linspace, random
//
// Kernels call the `nd…` requirements rather than the standard operators so an
// integer overflow wraps (as in NumPy) instead of trapping, and integer division
// by zero gives 0 (NumPy gives 0 and a warning) instead of trapping.

/// A type that can be stored in an `NDArray`: a trivial value of fixed size.
public protocol NDArrayElement: Equatable, Sendable {
    /// The additive identity (`false` for `Bool`).
    static var ndZero: Self { get }
    /// The multiplicative identity (`true` for `Bool`).
    static var ndOne: Self { get }
    /// NumPy's name for the type: "float64", "int32", "bool", "complex128"…
    static var dtypeName: String { get }
    /// Whether the value counts as true (`any`, `all`, `nonzero`, `astype(Bool.self)`).
    var isNonzero: Bool { get }
    /// The value as a complex number of doubles (for `astype`).
    var ndComplexValue: (re: Double, im: Double) { get }
    /// The value as an exact integer, when it is one (integers and Bool).
    var ndIntegerValue: Int64? { get }
    /// The value converted from another element type, by NumPy's casting rules
    /// (floats to integers truncate toward zero; complex to real drops the
    /// imaginary part; anything to Bool is `isNonzero`).
    static func ndConverted<Source: NDArrayElement>(from value: Source) -> Self
}

/// An element with arithmetic: every element type except `Bool`.
public protocol NDArrayNumeric: NDArrayElement {
    static func ndAdd(_ a: Self, _ b: Self) -> Self
    static func ndSubtract(_ a: Self, _ b: Self) -> Self
    static func ndMultiply(_ a: Self, _ b: Self) -> Self
    /// True division for floating point and complex; floor division (NumPy's
    /// `//`) for integers, with `x / 0 == 0`.
    static func ndDivide(_ a: Self, _ b: Self) -> Self
    static func ndNegate(_ a: Self) -> Self
    /// The element from an integer (for `arange`, counts, `mean`).
    init(ndInteger: Int)
}

/// An ordered numeric element: the reals and the integers.
public protocol NDArrayReal: NDArrayNumeric, Comparable {
    /// The smaller of the two; NaN if either is NaN (NumPy's `minimum`).
    static func ndMinimum(_ a: Self, _ b: Self) -> Self
    /// The larger of the two; NaN if either is NaN (NumPy's `maximum`).
    static func ndMaximum(_ a: Self, _ b: Self) -> Self
    /// The absolute value (wrapping for the most negative integer, like NumPy).
    static func ndAbsolute(_ a: Self) -> Self
    /// Whether the value is NaN (always false for integers).
    var ndIsNaN: Bool { get }
}

/// `Double` and `Float`.
public protocol NDArrayFloatingPoint: NDArrayReal, Real, BinaryFloatingPoint {
    /// The value from a double (rounded to nearest).
    init(ndDouble: Double)
    /// `a` to the power `b`, C's `pow` (defined for negative `a` and integer `b`,
    /// `pow(0, 0) == 1`), as NumPy's `power`.
    static func ndPow(_ a: Self, _ b: Self) -> Self
}

// MARK: - Conversions shared by every conformance

extension NDArrayElement {
    @inlinable
    public static func ndConverted<Source: NDArrayElement>(from value: Source) -> Self {
        if let same = value as? Self { return same }
        return _ndConvert(value)
    }
}

@inlinable
func _ndConvert<Source: NDArrayElement, Target: NDArrayElement>(_ value: Source) -> Target {
    if Target.self == Bool.self { return value.isNonzero as! Target }
    if let i = value.ndIntegerValue {
        if Target.self == Double.self { return Double(i) as! Target }
        if Target.self == Float.self { return Float(i) as! Target }
        if Target.self == Int64.self { return i as! Target }
        if Target.self == Int32.self { return Int32(truncatingIfNeeded: i) as! Target }
        if Target.self == UInt8.self { return UInt8(truncatingIfNeeded: i) as! Target }
        if Target.self == Complex<Double>.self { return Complex<Double>(Double(i), 0) as! Target }
        if Target.self == Complex<Float>.self { return Complex<Float>(Float(i), 0) as! Target }
    }
    let (re, im) = value.ndComplexValue
    if Target.self == Double.self { return re as! Target }
    if Target.self == Float.self { return Float(re) as! Target }
    if Target.self == Complex<Double>.self { return Complex<Double>(re, im) as! Target }
    if Target.self == Complex<Float>.self { return Complex<Float>(Float(re), Float(im)) as! Target }
    // Floating point to integer: truncate toward zero; NaN and out-of-range give
    // the most negative value, as NumPy does on x86.
    let truncated: Int64 = re.isFinite && re > -9.3e18 && re < 9.3e18 ? Int64(re) : Int64.min
    if Target.self == Int64.self { return truncated as! Target }
    if Target.self == Int32.self { return Int32(truncatingIfNeeded: truncated) as! Target }
    if Target.self == UInt8.self { return UInt8(truncatingIfNeeded: truncated) as! Target }
    fatalError("no conversion from \(Source.dtypeName) to \(Target.dtypeName)")
}

// MARK: - Floating point

extension Double: NDArrayFloatingPoint {
    @inlinable public static var ndZero: Double { 0 }
    @inlinable public static var ndOne: Double { 1 }
    public static var dtypeName: String { "float64" }
    @inlinable public init(ndDouble: Double) { self = ndDouble }
    @inlinable public static func ndPow(_ a: Double, _ b: Double) -> Double { Glibc.pow(a, b) }
}

extension Float: NDArrayFloatingPoint {
    @inlinable public static var ndZero: Float { 0 }
    @inlinable public static var ndOne: Float { 1 }
    public static var dtypeName: String { "float32" }
    @inlinable public init(ndDouble: Double) { self = Float(ndDouble) }
    @inlinable public static func ndPow(_ a: Float, _ b: Float) -> Float { Glibc.powf(a, b) }
}

extension NDArrayFloatingPoint {
    @inlinable public var isNonzero: Bool { self != 0 }
    @inlinable public var ndComplexValue: (re: Double, im: Double) { (Double(self), 0) }
    @inlinable public var ndIntegerValue: Int64? { nil }
    @inlinable public init(ndInteger: Int) { self.init(ndInteger) }
    @inlinable public static func ndAdd(_ a: Self, _ b: Self) -> Self { a + b }
    @inlinable public static func ndSubtract(_ a: Self, _ b: Self) -> Self { a - b }
    @inlinable public static func ndMultiply(_ a: Self, _ b: Self) -> Self { a * b }
    @inlinable public static func ndDivide(_ a: Self, _ b: Self) -> Self { a / b }
    @inlinable public static func ndNegate(_ a: Self) -> Self { -a }
    @inlinable public static func ndMinimum(_ a: Self, _ b: Self) -> Self { (a <= b || a.isNaN) ? a : b }
    @inlinable public static func ndMaximum(_ a: Self, _ b: Self) -> Self { (a >= b || a.isNaN) ? a : b }
    @inlinable public static func ndAbsolute(_ a: Self) -> Self { Swift.abs(a) }
    @inlinable public var ndIsNaN: Bool { isNaN }
}

// MARK: - Integers

extension Int64: NDArrayReal {
    @inlinable public static var ndZero: Int64 { 0 }
    @inlinable public static var ndOne: Int64 { 1 }
    public static var dtypeName: String { "int64" }
}

extension Int32: NDArrayReal {
    @inlinable public static var ndZero: Int32 { 0 }
    @inlinable public static var ndOne: Int32 { 1 }
    public static var dtypeName: String { "int32" }
}

extension UInt8: NDArrayReal {
    @inlinable public static var ndZero: UInt8 { 0 }
    @inlinable public static var ndOne: UInt8 { 1 }
    public static var dtypeName: String { "uint8" }
}

extension NDArrayReal where Self: FixedWidthInteger {
    @inlinable public var isNonzero: Bool { self != 0 }
    @inlinable public var ndComplexValue: (re: Double, im: Double) { (Double(self), 0) }
    @inlinable public var ndIntegerValue: Int64? { Int64(truncatingIfNeeded: self) }
    @inlinable public init(ndInteger: Int) { self.init(truncatingIfNeeded: ndInteger) }
    @inlinable public static func ndAdd(_ a: Self, _ b: Self) -> Self { a &+ b }
    @inlinable public static func ndSubtract(_ a: Self, _ b: Self) -> Self { a &- b }
    @inlinable public static func ndMultiply(_ a: Self, _ b: Self) -> Self { a &* b }
    @inlinable public static func ndDivide(_ a: Self, _ b: Self) -> Self {
        if b == 0 { return 0 }
        let (q, overflow) = a.dividedReportingOverflow(by: b)
        if overflow { return q }
        // Floor division: round toward negative infinity like Python's //.
        return (a % b != 0 && ((a < 0) != (b < 0))) ? q &- 1 : q
    }
    @inlinable public static func ndNegate(_ a: Self) -> Self { 0 &- a }
    @inlinable public static func ndMinimum(_ a: Self, _ b: Self) -> Self { a <= b ? a : b }
    @inlinable public static func ndMaximum(_ a: Self, _ b: Self) -> Self { a >= b ? a : b }
    @inlinable public static func ndAbsolute(_ a: Self) -> Self { a < 0 ? 0 &- a : a }
    @inlinable public var ndIsNaN: Bool { false }
}

// MARK: - Bool

extension Bool: NDArrayElement {
    @inlinable public static var ndZero: Bool { false }
    @inlinable public static var ndOne: Bool { true }
    public static var dtypeName: String { "bool" }
    @inlinable public var isNonzero: Bool { self }
    @inlinable public var ndComplexValue: (re: Double, im: Double) { (self ? 1 : 0, 0) }
    @inlinable public var ndIntegerValue: Int64? { self ? 1 : 0 }
}

// MARK: - Complex

extension Complex: NDArrayElement, NDArrayNumeric where RealType: NDArrayFloatingPoint {
    @inlinable public static var ndZero: Complex { .zero }
    @inlinable public static var ndOne: Complex { .one }
    public static var dtypeName: String { RealType.self == Float.self ? "complex64" : "complex128" }
    @inlinable public var isNonzero: Bool { real != 0 || imaginary != 0 }
    @inlinable public var ndComplexValue: (re: Double, im: Double) { (Double(rawStorage.x), Double(rawStorage.y)) }  // raw parts: `.real` of a non-finite value is NaN in swift-numerics
    @inlinable public var ndIntegerValue: Int64? { nil }
    @inlinable public init(ndInteger: Int) { self.init(RealType(ndInteger), 0) }
    @inlinable public static func ndAdd(_ a: Complex, _ b: Complex) -> Complex { a + b }
    @inlinable public static func ndSubtract(_ a: Complex, _ b: Complex) -> Complex { a - b }
    @inlinable public static func ndMultiply(_ a: Complex, _ b: Complex) -> Complex { a * b }
    @inlinable public static func ndDivide(_ a: Complex, _ b: Complex) -> Complex { a / b }
    @inlinable public static func ndNegate(_ a: Complex) -> Complex { -a }
}
