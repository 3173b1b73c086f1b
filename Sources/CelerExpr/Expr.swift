import CelerArray
import CelerCore

/// A lazy array expression: a tree whose leaves are arrays, named inputs and
/// scalars, and whose nodes are elementwise operations and reductions.
/// Nothing is computed until `evaluate`, which plans the whole tree (merging
/// common subexpressions) and runs it block by block in one pass per
/// reduction level, with no full-size temporaries.
///
/// ```swift
/// let r = try (2 * a.lazy + b.lazy ** 10).evaluate()                 // a new array
/// try (u.lazy[...]).evaluate(into: out)                              // into an existing one
/// let ssd = try ((a.lazy - b.lazy) ** 2).sum().evaluate()            // a fused reduction
/// ```
///
/// Semantics follow NumPy: broadcasting, type promotion (`np.result_type`,
/// with Swift literals "weak" as Python scalars are in NumPy 2), `/` is true
/// division (integers give float64), `sqrt`/`exp`/`log`/`sin`/`cos` of
/// integers give float64. Two differences, both Swift's: prefix `-` binds
/// tighter than `**` (`-x ** 2` is `(-x) ** 2`; the string form follows
/// Python), and comparisons and logic are spelled `.<`, `.==`, `.&`, `.|`, `.!`.
public struct Expr: Sendable {
    @usableFromInline let node: Node
    @usableFromInline init(_ node: Node) { self.node = node }
    init(_ kind: Node.Kind) { self.node = Node(kind) }

    /// A leaf reading `array` (any strides, offset, broadcast or transpose).
    public init<T: NDArrayElement>(_ array: NDArray<T>) {
        guard let a = AnyArray(array) else {
            preconditionFailure("fused expressions do not support \(T.dtypeName) arrays (reals, integers and bool only)")
        }
        self.init(.array(a))
    }
    /// A leaf reading a type-erased array.
    public init(_ array: AnyArray) { self.init(.array(array)) }
    /// A named input, bound when the expression is evaluated or compiled.
    public static func input(_ name: String) -> Expr { Expr(.input(name)) }
    /// A scalar constant (weak: it takes the array operand's type, as a
    /// Python float does in NumPy 2; float64 on its own).
    public init(_ value: Double) { self.init(.float(value)) }
    /// An integer constant (weak, as a Python int is in NumPy 2).
    public init(_ value: Int) { self.init(.int(Int64(value))) }
}

/// One node of an expression tree. Immutable, shared between trees.
@usableFromInline
final class Node: @unchecked Sendable {
    enum Kind {
        case array(AnyArray)
        case input(String)
        case int(Int64)
        case float(Double)
        case unary(UnaryOp, Node)
        case binary(BinaryOp, Node, Node)
        case select(Node, Node, Node)
        case cast(DType, Node)
        case reduce(ReduceOp, axis: Int?, Node)
    }
    let kind: Kind
    /// Where the node starts in the source text (string form), for errors.
    let position: Int?
    init(_ kind: Kind, position: Int? = nil) { self.kind = kind; self.position = position }
}

/// Elementwise operations of one operand.
public enum UnaryOp: String, Sendable, CaseIterable {
    case neg, not, abs, sqrt, exp, log, sin, cos
}

/// Elementwise operations of two operands.
public enum BinaryOp: String, Sendable, CaseIterable {
    case add, sub, mul, div, pow, lt, le, gt, ge, eq, ne, and, or, minimum, maximum

    var isComparison: Bool { [.lt, .le, .gt, .ge, .eq, .ne].contains(self) }
    var isLogical: Bool { self == .and || self == .or }
    /// The operator or function in the string form (and `explain`).
    public var symbol: String {
        switch self {
        case .add: "+"
        case .sub: "-"
        case .mul: "*"
        case .div: "/"
        case .pow: "**"
        case .lt: "<"
        case .le: "<="
        case .gt: ">"
        case .ge: ">="
        case .eq: "=="
        case .ne: "!="
        case .and: "&"
        case .or: "|"
        case .minimum: "minimum"
        case .maximum: "maximum"
        }
    }
}

/// Reductions: over everything (a 0-d result) or along one axis.
public enum ReduceOp: String, Sendable, CaseIterable {
    case sum, min, max, any, all, count
}

extension NDArray {
    /// This array as the leaf of a lazy expression.
    public var lazy: Expr { Expr(self) }
}

// MARK: - Operators

precedencegroup ExponentiationPrecedence {
    higherThan: MultiplicationPrecedence
    associativity: right
}
/// Power, as Python's `**`: `b ** 10` (small integer exponents become
/// multiplications, as in numexpr).
infix operator ** : ExponentiationPrecedence

extension Expr {
    static func bin(_ op: BinaryOp, _ a: Expr, _ b: Expr) -> Expr { Expr(.binary(op, a.node, b.node)) }

    public static func + (a: Expr, b: Expr) -> Expr { bin(.add, a, b) }
    public static func - (a: Expr, b: Expr) -> Expr { bin(.sub, a, b) }
    public static func * (a: Expr, b: Expr) -> Expr { bin(.mul, a, b) }
    public static func / (a: Expr, b: Expr) -> Expr { bin(.div, a, b) }
    public static func ** (a: Expr, b: Expr) -> Expr { bin(.pow, a, b) }
    public static prefix func - (a: Expr) -> Expr { Expr(.unary(.neg, a.node)) }

    public static func + (a: Expr, b: Double) -> Expr { a + Expr(b) }
    public static func - (a: Expr, b: Double) -> Expr { a - Expr(b) }
    public static func * (a: Expr, b: Double) -> Expr { a * Expr(b) }
    public static func / (a: Expr, b: Double) -> Expr { a / Expr(b) }
    public static func ** (a: Expr, b: Double) -> Expr { a ** Expr(b) }
    public static func + (a: Double, b: Expr) -> Expr { Expr(a) + b }
    public static func - (a: Double, b: Expr) -> Expr { Expr(a) - b }
    public static func * (a: Double, b: Expr) -> Expr { Expr(a) * b }
    public static func / (a: Double, b: Expr) -> Expr { Expr(a) / b }
    public static func + (a: Expr, b: Int) -> Expr { a + Expr(b) }
    public static func - (a: Expr, b: Int) -> Expr { a - Expr(b) }
    public static func * (a: Expr, b: Int) -> Expr { a * Expr(b) }
    public static func / (a: Expr, b: Int) -> Expr { a / Expr(b) }
    public static func ** (a: Expr, b: Int) -> Expr { a ** Expr(b) }
    public static func + (a: Int, b: Expr) -> Expr { Expr(a) + b }
    public static func - (a: Int, b: Expr) -> Expr { Expr(a) - b }
    public static func * (a: Int, b: Expr) -> Expr { Expr(a) * b }
    public static func / (a: Int, b: Expr) -> Expr { Expr(a) / b }

    public static func .< (a: Expr, b: Expr) -> Expr { bin(.lt, a, b) }
    public static func .<= (a: Expr, b: Expr) -> Expr { bin(.le, a, b) }
    public static func .> (a: Expr, b: Expr) -> Expr { bin(.gt, a, b) }
    public static func .>= (a: Expr, b: Expr) -> Expr { bin(.ge, a, b) }
    public static func .== (a: Expr, b: Expr) -> Expr { bin(.eq, a, b) }
    public static func .!= (a: Expr, b: Expr) -> Expr { bin(.ne, a, b) }
    public static func .< (a: Expr, b: Double) -> Expr { a .< Expr(b) }
    public static func .<= (a: Expr, b: Double) -> Expr { a .<= Expr(b) }
    public static func .> (a: Expr, b: Double) -> Expr { a .> Expr(b) }
    public static func .>= (a: Expr, b: Double) -> Expr { a .>= Expr(b) }
    public static func .== (a: Expr, b: Double) -> Expr { a .== Expr(b) }
    public static func .!= (a: Expr, b: Double) -> Expr { a .!= Expr(b) }
    /// Logical and of two bool expressions (NumPy's `&` on bools).
    public static func .& (a: Expr, b: Expr) -> Expr { bin(.and, a, b) }
    /// Logical or of two bool expressions (NumPy's `|` on bools).
    public static func .| (a: Expr, b: Expr) -> Expr { bin(.or, a, b) }
    /// Logical not of a bool expression (NumPy's `~` on bools).
    public static prefix func .! (a: Expr) -> Expr { Expr(.unary(.not, a.node)) }

    /// The elements converted to `dtype` by NumPy's casting (`astype`).
    public func cast(to dtype: DType) -> Expr { Expr(.cast(dtype, node)) }

    // Reductions (methods, so they never shadow Swift's min/max).
    /// The sum of all elements (0-d), or along `axis`. Floats sum in their own
    /// type, pairwise in fixed blocks; integers and bools sum as int64.
    public func sum(axis: Int? = nil) -> Expr { Expr(.reduce(.sum, axis: axis, node)) }
    /// The smallest element (NaN if any is NaN); an error for no elements.
    public func min(axis: Int? = nil) -> Expr { Expr(.reduce(.min, axis: axis, node)) }
    /// The largest element (NaN if any is NaN); an error for no elements.
    public func max(axis: Int? = nil) -> Expr { Expr(.reduce(.max, axis: axis, node)) }
    /// Whether any element is nonzero.
    public func any(axis: Int? = nil) -> Expr { Expr(.reduce(.any, axis: axis, node)) }
    /// Whether every element is nonzero.
    public func all(axis: Int? = nil) -> Expr { Expr(.reduce(.all, axis: axis, node)) }
    /// The number of nonzero elements, as int64.
    public func count(axis: Int? = nil) -> Expr { Expr(.reduce(.count, axis: axis, node)) }
}

// MARK: - Functions

public func sqrt(_ x: Expr) -> Expr { Expr(.unary(.sqrt, x.node)) }
public func exp(_ x: Expr) -> Expr { Expr(.unary(.exp, x.node)) }
public func log(_ x: Expr) -> Expr { Expr(.unary(.log, x.node)) }
public func sin(_ x: Expr) -> Expr { Expr(.unary(.sin, x.node)) }
public func cos(_ x: Expr) -> Expr { Expr(.unary(.cos, x.node)) }
public func abs(_ x: Expr) -> Expr { Expr(.unary(.abs, x.node)) }
public func pow(_ x: Expr, _ y: Expr) -> Expr { x ** y }
public func pow(_ x: Expr, _ y: Int) -> Expr { x ** y }
public func pow(_ x: Expr, _ y: Double) -> Expr { x ** y }
/// The elementwise smaller (NaN if either is NaN).
public func minimum(_ x: Expr, _ y: Expr) -> Expr { Expr.bin(.minimum, x, y) }
/// The elementwise larger (NaN if either is NaN).
public func maximum(_ x: Expr, _ y: Expr) -> Expr { Expr.bin(.maximum, x, y) }
/// `condition ? x : y` elementwise (NumPy's `where`); `condition` must be bool.
public func select(_ condition: Expr, _ x: Expr, _ y: Expr) -> Expr { Expr(.select(condition.node, x.node, y.node)) }
/// NumPy's `where(condition, x, y)`: ``select(_:_:_:)``.
public func `where`(_ condition: Expr, _ x: Expr, _ y: Expr) -> Expr { select(condition, x, y) }
public func sum(_ x: Expr, axis: Int? = nil) -> Expr { x.sum(axis: axis) }
