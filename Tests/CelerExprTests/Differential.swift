import CelerArray
import CelerCore
import CelerExpr
import CelerParallel
import Foundation
import Testing
import _CelerTestSupport

// Differential testing: random expression trees over random views (0-d,
// empty, 1 to 5 dimensions; negative, zero and transposed strides; offsets;
// broadcasting; six element types), each evaluated
//   - fused (CelerExpr),
//   - unfused, one NDArray operation at a time (the same kernels in the same
//     order, so the same bits), and
//   - by NumPy (one python3 process for the whole batch), when available.
// Fused and unfused must agree bit for bit (NaN with NaN), except a float
// `sum`, which adds in another order: within (log2 n + 16)·ε·Σ|x|. NumPy's
// results must agree within 1e-9 (float64), 2e-5 (float64 from float32 values) or 2e-3
// (float32) relative
// (different sin/exp/pow implementations, x**n as pow, other summation orders).
//
// CI runs `CELER_EXPR_CASES` cases (default 2000, a fixed seed, stopping
// after `CELER_EXPR_SECONDS`, default 20 s); set them higher for a long run,
// and `CELER_EXPR_SEED` for another seed. A failure prints a shrunk
// reproducer: the expression in the string form and each input.

/// A generated expression.
indirect enum G: CustomStringConvertible {
    case leaf(Int)
    case int(Int64)
    case float(Double)
    case un(UnaryOp, G)
    case bin(BinaryOp, G, G)
    case sel(G, G, G)
    case cast(DType, G)
    case red(ReduceOp, Int?, G)

    /// The string form (also Python for NumPy with `np.` functions: see `python`).
    var description: String { text(numpy: false) }
    var python: String { text(numpy: true) }

    func text(numpy: Bool) -> String {
        let np = numpy ? "np." : ""
        switch self {
        case .leaf(let i): return "x\(i)"
        case .int(let v): return "\(v)"
        case .float(let v): return "\(v)"
        case .un(.neg, let x): return "(-\(x.text(numpy: numpy)))"
        case .un(.not, let x): return "(~\(x.text(numpy: numpy)))"
        case .un(let op, let x):
            if numpy && op != .abs {   // integers give float64 (NumPy gives float16 for uint8)
                return "(lambda v: np.\(op.rawValue)(v if np.asarray(v).dtype.kind == 'f' else np.asarray(v, dtype=np.float64)))(\(x.python))"
            }
            return "\(np)\(op.rawValue)(\(x.text(numpy: numpy)))"
        case .bin(.minimum, let x, let y), .bin(.maximum, let x, let y):
            guard case .bin(let op, _, _) = self else { return "" }
            return "\(np)\(op.rawValue)(\(x.text(numpy: numpy)), \(y.text(numpy: numpy)))"
        case .bin(let op, let x, let y): return "(\(x.text(numpy: numpy)) \(op.symbol) \(y.text(numpy: numpy)))"
        case .sel(let c, let x, let y): return "\(np)where(\(c.text(numpy: numpy)), \(x.text(numpy: numpy)), \(y.text(numpy: numpy)))"
        case .cast(let t, let x): return numpy ? "np.asarray(\(x.python)).astype(np.\(t))" : "\(t)(\(x))"
        case .red(let op, let axis, let x):
            let ax = axis.map { ", axis=\($0)" } ?? ""
            if numpy {
                let body = "np.asarray(\(x.python))"
                switch op {
                case .sum: return "np.sum(\(body)\(ax))"
                case .min: return "np.min(\(body)\(ax))"
                case .max: return "np.max(\(body)\(ax))"
                case .any: return "np.any(\(body)\(ax))"
                case .all: return "np.all(\(body)\(ax))"
                case .count: return "np.asarray(np.count_nonzero(\(body)\(ax)), dtype=np.int64)"
                }
            }
            return "\(op.rawValue)(\(x)\(ax))"
        }
    }

    var expr: Expr {
        switch self {
        case .leaf(let i): return Expr.input("x\(i)")
        case .int(let v): return Expr(Int(v))
        case .float(let v): return Expr(v)
        case .un(.neg, let x): return -x.expr
        case .un(.not, let x): return .!x.expr
        case .un(.abs, let x): return abs(x.expr)
        case .un(.sqrt, let x): return sqrt(x.expr)
        case .un(.exp, let x): return exp(x.expr)
        case .un(.log, let x): return log(x.expr)
        case .un(.sin, let x): return sin(x.expr)
        case .un(.cos, let x): return cos(x.expr)
        case .bin(let op, let x, let y):
            let a = x.expr, b = y.expr
            switch op {
            case .add: return a + b
            case .sub: return a - b
            case .mul: return a * b
            case .div: return a / b
            case .pow: return a ** b
            case .lt: return a .< b
            case .le: return a .<= b
            case .gt: return a .> b
            case .ge: return a .>= b
            case .eq: return a .== b
            case .ne: return a .!= b
            case .and: return a .& b
            case .or: return a .| b
            case .minimum: return minimum(a, b)
            case .maximum: return maximum(a, b)
            }
        case .sel(let c, let x, let y): return select(c.expr, x.expr, y.expr)
        case .cast(let t, let x): return x.expr.cast(to: t)
        case .red(let op, let axis, let x):
            let e = x.expr
            switch op {
            case .sum: return e.sum(axis: axis)
            case .min: return e.min(axis: axis)
            case .max: return e.max(axis: axis)
            case .any: return e.any(axis: axis)
            case .all: return e.all(axis: axis)
            case .count: return e.count(axis: axis)
            }
        }
    }

    /// The number of dimensions of the result.
    func ndim(_ xs: [AnyArray]) -> Int {
        switch self {
        case .leaf(let i): return xs[i].shape.count
        case .int, .float: return 0
        case .un(_, let x), .cast(_, let x): return x.ndim(xs)
        case .red(_, let axis, let x): return axis == nil ? 0 : x.ndim(xs) - 1
        case .bin(_, let x, let y): return Swift.max(x.ndim(xs), y.ndim(xs))
        case .sel(let c, let x, let y): return Swift.max(c.ndim(xs), x.ndim(xs), y.ndim(xs))
        }
    }

    /// Whether float32 arithmetic happens anywhere (NumPy may round differently there).
    func usesFloat32(_ xs: [AnyArray]) -> Bool {
        switch self {
        case .leaf(let i): return xs[i].dtype == .float32
        case .int, .float: return false
        case .cast(let t, let x): return t == .float32 || x.usesFloat32(xs)
        case .un(_, let x), .red(_, _, let x): return x.usesFloat32(xs)
        case .bin(_, let x, let y): return x.usesFloat32(xs) || y.usesFloat32(xs)
        case .sel(let c, let x, let y): return c.usesFloat32(xs) || x.usesFloat32(xs) || y.usesFloat32(xs)
        }
    }

    var isConstant: Bool {
        switch self { case .int, .float: true; default: false }
    }

    /// Smaller trees with the same kind of result, for shrinking.
    var shrinks: [G] {
        switch self {
        case .leaf, .int, .float: return []
        case .un(_, let x), .cast(_, let x): return [x] + x.shrinks.map { rebuild(replacing: 0, with: $0) }
        case .red(_, _, let x): return [x] + x.shrinks.map { rebuild(replacing: 0, with: $0) }
        case .bin(_, let x, let y):
            return [x, y] + x.shrinks.map { rebuild(replacing: 0, with: $0) } + y.shrinks.map { rebuild(replacing: 1, with: $0) }
        case .sel(let c, let x, let y):
            return [x, y] + c.shrinks.map { rebuild(replacing: 0, with: $0) } + x.shrinks.map { rebuild(replacing: 1, with: $0) }
                + y.shrinks.map { rebuild(replacing: 2, with: $0) }
        }
    }

    func rebuild(replacing k: Int, with g: G) -> G {
        switch self {
        case .un(let op, _): return .un(op, g)
        case .cast(let t, _): return .cast(t, g)
        case .red(let op, let a, _): return .red(op, a, g)
        case .bin(let op, let x, let y): return k == 0 ? .bin(op, g, y) : .bin(op, x, g)
        case .sel(let c, let x, let y): return k == 0 ? .sel(g, x, y) : k == 1 ? .sel(c, g, y) : .sel(c, x, g)
        default: return self
        }
    }

    /// Whether a float sum is anywhere in the tree (its order differs).
    func hasFloatSum(_ types: [DType]) -> Bool {
        switch self {
        case .leaf, .int, .float: return false
        case .un(_, let x), .cast(_, let x): return x.hasFloatSum(types)
        case .red(let op, _, let x): return (op == .sum && (Ref.type(x, types).dtype.isFloat)) || x.hasFloatSum(types)
        case .bin(_, let x, let y): return x.hasFloatSum(types) || y.hasFloatSum(types)
        case .sel(let c, let x, let y): return c.hasFloatSum(types) || x.hasFloatSum(types) || y.hasFloatSum(types)
        }
    }
}


// MARK: - The unfused reference: one NDArray operation at a time

enum Ref {
    struct T { var dtype: DType; var weak: Bool }

    /// The result type, by NumPy 2's rules (written independently of the planner).
    static func type(_ g: G, _ types: [DType]) -> T {
        switch g {
        case .leaf(let i): return T(dtype: types[i], weak: false)
        case .int: return T(dtype: .int64, weak: true)
        case .float: return T(dtype: .float64, weak: true)
        case .un(let op, let x):
            let t = type(x, types)
            switch op {
            case .neg, .abs, .not: return t
            default: return T(dtype: t.dtype.isFloat && !t.weak ? t.dtype : .float64, weak: false)
            }
        case .bin(let op, let x, let y):
            let c = common(type(x, types), type(y, types))
            switch op {
            case .lt, .le, .gt, .ge, .eq, .ne, .and, .or: return T(dtype: .bool, weak: false)
            case .div: return c.dtype.isFloat ? c : T(dtype: .float64, weak: c.weak)
            case .pow:
                if case .float = y { return T(dtype: type(x, types).dtype.isFloat ? type(x, types).dtype : .float64, weak: false) }
                let bt = type(x, types)
                return T(dtype: bt.dtype == .bool ? .int64 : bt.dtype, weak: false)
            default: return c
            }
        case .sel(_, let x, let y): return common(type(x, types), type(y, types))
        case .cast(let t, _): return T(dtype: t, weak: false)
        case .red(let op, _, let x):
            let t = type(x, types).dtype
            switch op {
            case .sum: return T(dtype: t.isFloat ? t : .int64, weak: false)
            case .min, .max: return T(dtype: t, weak: false)
            case .any, .all: return T(dtype: .bool, weak: false)
            case .count: return T(dtype: .int64, weak: false)
            }
        }
    }

    static func common(_ a: T, _ b: T) -> T {
        switch (a.weak, b.weak) {
        case (false, false): return T(dtype: DType.promote(a.dtype, b.dtype), weak: false)
        case (false, true): return T(dtype: b.dtype.isFloat ? (a.dtype.isFloat ? a.dtype : .float64) : (a.dtype == .bool ? .int64 : a.dtype), weak: false)
        case (true, false): return common(b, a)
        case (true, true): return T(dtype: a.dtype.isFloat || b.dtype.isFloat ? .float64 : .int64, weak: true)
        }
    }

    /// Evaluates `g` with NDArray operations.
    static func eval(_ g: G, _ xs: [AnyArray]) -> AnyArray {
        let types = xs.map(\.dtype)
        switch g {
        case .leaf(let i): return xs[i]
        case .int(let v): return AnyArray.float64(NDArray(scalar: Double(v))).to(.int64, fromInt: v)
        case .float(let v): return .float64(NDArray(scalar: v))
        case .cast(let t, let x): return eval(x, xs).to(t)
        case .un(let op, let x):
            let t = type(g, types).dtype
            let a = eval(x, xs).to(t)
            return unary(op, a)
        case .bin(let op, let x, let y):
            if op == .pow { return power(g, x, y, xs) }
            let tx = type(x, types), ty = type(y, types)
            var c = common(tx, ty).dtype
            if op == .div && !c.isFloat { c = .float64 }
            if [.lt, .le, .gt, .ge].contains(op) && c == .bool { c = .uint8 }
            return binary(op, eval(x, xs).to(c), eval(y, xs).to(c))
        case .sel(let cond, let x, let y):
            let t = type(g, types).dtype
            let c = eval(cond, xs).array(of: Bool.self)!
            return select(c, eval(x, xs).to(t), eval(y, xs).to(t))
        case .red(let op, let axis, let x):
            let t = type(x, types).dtype
            let body: AnyArray
            switch op {
            case .sum: body = eval(x, xs).to(t.isFloat ? t : .int64)
            case .any, .all, .count: body = eval(x, xs).to(.bool)
            default: body = eval(x, xs).to(t)
            }
            return reduce(op, axis, body)
        }
    }

    static func power(_ g: G, _ x: G, _ y: G, _ xs: [AnyArray]) -> AnyArray {
        let t = type(g, xs.map(\.dtype)).dtype
        let base = eval(x, xs).to(t)
        if case .float(let f) = y, f == 0.5 { return unary(.sqrt, base) }
        var n: Int64 = 0
        if case .int(let v) = y { n = v } else if case .float(let f) = y { n = Int64(f) }
        if n == 0 { return base.ones }
        var result: AnyArray? = nil
        var b = base, m = n
        while m > 0 {
            if m & 1 == 1 { result = result.map { binary(.mul, $0, b) } ?? b }
            m >>= 1
            if m > 0 { b = binary(.mul, b, b) }
        }
        return result!
    }

    static func unary(_ op: UnaryOp, _ a: AnyArray) -> AnyArray {
        switch a {
        case .float64(let x): return .float64(floatUnary(op, x))
        case .float32(let x): return .float32(floatUnary(op, x))
        case .int64(let x): return .int64(intUnary(op, x))
        case .int32(let x): return .int32(intUnary(op, x))
        case .uint8(let x): return .uint8(intUnary(op, x))
        case .bool(let x): return .bool(.!x)
        }
    }

    static func floatUnary<E: NDArrayFloatingPoint>(_ op: UnaryOp, _ x: NDArray<E>) -> NDArray<E> {
        switch op {
        case .neg: return map(NegativeKernel<E>(), x)
        case .abs: return map(AbsoluteKernel<E>(), x)
        case .sqrt: return CelerArray.sqrt(x)
        case .exp: return CelerArray.exp(x)
        case .log: return CelerArray.log(x)
        case .sin: return CelerArray.sin(x)
        case .cos: return CelerArray.cos(x)
        case .not: fatalError()
        }
    }

    static func intUnary<E: NDArrayReal>(_ op: UnaryOp, _ x: NDArray<E>) -> NDArray<E> {
        op == .neg ? map(NegativeKernel<E>(), x) : map(AbsoluteKernel<E>(), x)
    }

    static func binary(_ op: BinaryOp, _ a: AnyArray, _ b: AnyArray) -> AnyArray {
        switch (a, b) {
        case (.float64(let x), .float64(let y)): return realBinary(op, x, y) ?? .float64(try! map(PowerKernel<Double>(), x, y))
        case (.float32(let x), .float32(let y)): return realBinary(op, x, y) ?? .float32(try! map(PowerKernel<Float>(), x, y))
        case (.int64(let x), .int64(let y)): return realBinary(op, x, y)!
        case (.int32(let x), .int32(let y)): return realBinary(op, x, y)!
        case (.uint8(let x), .uint8(let y)): return realBinary(op, x, y)!
        case (.bool(let x), .bool(let y)):
            switch op {
            case .and: return .bool(try! map(LogicalAndKernel(), x, y))
            case .or: return .bool(try! map(LogicalOrKernel(), x, y))
            case .eq: return .bool(try! map(EqualKernel<Bool>(), x, y))
            default: return .bool(try! map(NotEqualKernel<Bool>(), x, y))
            }
        default: fatalError("mixed operands \(a.dtype) \(b.dtype)")
        }
    }

    static func realBinary<E: NDArrayReal>(_ op: BinaryOp, _ x: NDArray<E>, _ y: NDArray<E>) -> AnyArray? {
        switch op {
        case .add: return AnyArray(try! map(AddKernel<E>(), x, y))
        case .sub: return AnyArray(try! map(SubtractKernel<E>(), x, y))
        case .mul: return AnyArray(try! map(MultiplyKernel<E>(), x, y))
        case .div: return AnyArray(try! map(DivideKernel<E>(), x, y))
        case .minimum: return AnyArray(try! map(MinimumKernel<E>(), x, y))
        case .maximum: return AnyArray(try! map(MaximumKernel<E>(), x, y))
        case .lt: return AnyArray(try! map(LessKernel<E>(), x, y))
        case .le: return AnyArray(try! map(LessEqualKernel<E>(), x, y))
        case .gt: return AnyArray(try! map(GreaterKernel<E>(), x, y))
        case .ge: return AnyArray(try! map(GreaterEqualKernel<E>(), x, y))
        case .eq: return AnyArray(try! map(EqualKernel<E>(), x, y))
        case .ne: return AnyArray(try! map(NotEqualKernel<E>(), x, y))
        default: return nil
        }
    }

    static func select(_ c: NDArray<Bool>, _ a: AnyArray, _ b: AnyArray) -> AnyArray {
        switch (a, b) {
        case (.float64(let x), .float64(let y)): return .float64(CelerArray.where(c, x, y))
        case (.float32(let x), .float32(let y)): return .float32(CelerArray.where(c, x, y))
        case (.int64(let x), .int64(let y)): return .int64(CelerArray.where(c, x, y))
        case (.int32(let x), .int32(let y)): return .int32(CelerArray.where(c, x, y))
        case (.uint8(let x), .uint8(let y)): return .uint8(CelerArray.where(c, x, y))
        case (.bool(let x), .bool(let y)): return .bool(CelerArray.where(c, x, y))
        default: fatalError()
        }
    }

    static func reduce(_ op: ReduceOp, _ axis: Int?, _ a: AnyArray) -> AnyArray {
        func real<E: NDArrayReal>(_ x: NDArray<E>) -> NDArray<E> {
            if let axis { return op == .min ? x.min(axis: axis) : x.max(axis: axis) }
            return NDArray(scalar: op == .min ? x.min() : x.max())
        }
        switch (op, a) {
        case (.sum, .float64(let x)): return .float64(axis.map { x.sum(axis: $0) } ?? NDArray(scalar: x.sum()))
        case (.sum, .float32(let x)): return .float32(axis.map { x.sum(axis: $0) } ?? NDArray(scalar: x.sum()))
        case (.sum, .int64(let x)): return .int64(axis.map { x.sum(axis: $0) } ?? NDArray(scalar: x.sum()))
        case (.min, .float64(let x)), (.max, .float64(let x)): return .float64(real(x))
        case (.min, .float32(let x)), (.max, .float32(let x)): return .float32(real(x))
        case (.min, .int64(let x)), (.max, .int64(let x)): return .int64(real(x))
        case (.min, .int32(let x)), (.max, .int32(let x)): return .int32(real(x))
        case (.min, .uint8(let x)), (.max, .uint8(let x)): return .uint8(real(x))
        case (.any, .bool(let x)): return .bool(axis.map { x.any(axis: $0) } ?? NDArray(scalar: x.any()))
        case (.all, .bool(let x)): return .bool(axis.map { x.all(axis: $0) } ?? NDArray(scalar: x.all()))
        case (.count, .bool(let x)):
            return .int64(axis.map { x.astype(Int64.self).sum(axis: $0) } ?? NDArray(scalar: Int64(x.countNonzero())))
        default: fatalError("\(op) of \(a.dtype)")
        }
    }
}

extension AnyArray {
    /// `astype`, or the array itself when it has the type already.
    func to(_ t: DType) -> AnyArray {
        if dtype == t { return self }
        func conv<S: NDArrayElement>(_ x: NDArray<S>) -> AnyArray {
            switch t {
            case .float64: .float64(x.astype(Double.self))
            case .float32: .float32(x.astype(Float.self))
            case .int64: .int64(x.astype(Int64.self))
            case .int32: .int32(x.astype(Int32.self))
            case .uint8: .uint8(x.astype(UInt8.self))
            case .bool: .bool(x.astype(Bool.self))
            }
        }
        switch self {
        case .float64(let x): return conv(x)
        case .float32(let x): return conv(x)
        case .int64(let x): return conv(x)
        case .int32(let x): return conv(x)
        case .uint8(let x): return conv(x)
        case .bool(let x): return conv(x)
        }
    }

    /// An integer constant (exact) as a 0-d int64 array.
    func to(_ t: DType, fromInt v: Int64) -> AnyArray { .int64(NDArray(scalar: v)) }

    /// Ones of this shape and type (`x ** 0`).
    var ones: AnyArray {
        let shape = self.shape
        func ones<E: NDArrayElement>(_: E.Type) -> NDArray<E> { NDArray<E>.full(shape, E.ndOne) }
        switch dtype {
        case .float64: return .float64(ones(Double.self))
        case .float32: return .float32(ones(Float.self))
        case .int64: return .int64(ones(Int64.self))
        case .int32: return .int32(ones(Int32.self))
        case .uint8: return .uint8(ones(UInt8.self))
        case .bool: return .bool(ones(Bool.self))
        }
    }
}

// MARK: - Generating cases

/// The case generator's draws: the test support's SplitMix64 stream (the
/// same values, in order, as the seed's stream).
struct Rand {
    var source: TestRandom
    init(state seed: UInt64) { source = TestRandom(seed) }
    mutating func next() -> UInt64 { source.next() }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53) }
}

struct Case {
    var g: G
    var inputs: [AnyArray]
    var describe: String {
        var lines = ["expression: \(g)"]
        for (i, x) in inputs.enumerated() {
            let v = x.doubles.prefix(12).map { "\($0)" }.joined(separator: ", ")
            lines.append("  x\(i): \(x.dtype) shape \(x.shape) strides \(x.strides) values [\(v)\(x.doubles.count > 12 ? ", …" : "")]")
        }
        return lines.joined(separator: "\n")
    }
}

enum Generator {
    static let numericTypes: [DType] = [.float64, .float64, .float32, .int64, .int32, .uint8]

    /// A random view of `dtype` whose shape broadcasts to `shape`.
    static func view(_ r: inout Rand, _ dtype: DType, broadcastingTo shape: [Int]) -> AnyArray {
        // Drop leading axes or make some 1 (broadcast), sometimes.
        var s = shape
        if r.chance(0.3) && !s.isEmpty { s.removeFirst(r.int(s.count + 1)) }
        for d in s.indices where r.chance(0.15) { s[d] = 1 }
        // Build a larger base, then view it: reversed axes, steps, offsets, transposes.
        let steps = s.map { _ in r.chance(0.25) ? (r.chance(0.5) ? -1 : 2) : 1 }
        let pads = s.map { _ in r.chance(0.3) ? 1 : 0 }
        var baseShape = zip(s, steps).map { n, k in Swift.max(n * Swift.abs(k), 0) }
        for d in baseShape.indices { baseShape[d] += pads[d] }
        let perm = r.chance(0.3) ? Array(s.indices).shuffled(using: &r) : Array(s.indices)
        let permShape = perm.map { baseShape[$0] }
        let count = permShape.reduce(1, *)
        let values = (0..<count).map { _ in value(&r, dtype) }
        var base = make(dtype, values, permShape)
        if perm != Array(s.indices) {
            var inverse = [Int](repeating: 0, count: perm.count)
            for (i, p) in perm.enumerated() { inverse[p] = i }
            base = transpose(base, inverse)
        }
        return slice(base, s, steps, pads)
    }

    static func value(_ r: inout Rand, _ t: DType) -> Double {
        switch t {
        case .float64, .float32:
            if r.chance(0.02) { return [Double.nan, .infinity, -.infinity, 0, -0.0][r.int(5)] }
            return (r.uniform(-4, 4) * 64).rounded() / 64 + (r.chance(0.5) ? r.uniform(-1e-3, 1e-3) : 0)
        case .int64, .int32: return Double(r.int(101) - 50)
        case .uint8: return Double(r.int(21))
        case .bool: return r.chance(0.5) ? 1 : 0
        }
    }

    static func make(_ t: DType, _ v: [Double], _ shape: [Int]) -> AnyArray {
        let a = NDArray<Double>(uninitializedShape: [v.count])
        for (i, x) in v.enumerated() { a[element: i] = x }
        let d = try! a.reshaped(shape)
        return AnyArray.float64(d).to(t).contiguousCopy
    }

    static func transpose(_ a: AnyArray, _ axes: [Int]) -> AnyArray {
        switch a {
        case .float64(let x): .float64(x.transposed(axes))
        case .float32(let x): .float32(x.transposed(axes))
        case .int64(let x): .int64(x.transposed(axes))
        case .int32(let x): .int32(x.transposed(axes))
        case .uint8(let x): .uint8(x.transposed(axes))
        case .bool(let x): .bool(x.transposed(axes))
        }
    }

    static func slice(_ a: AnyArray, _ shape: [Int], _ steps: [Int], _ pads: [Int]) -> AnyArray {
        let index: [NDIndex] = shape.indices.map { d in
            let n = shape[d], k = steps[d], p = pads[d]
            if n == 0 { return .s(0, 0) }
            if k == -1 { return .s(n - 1 + p, p == 0 ? nil : p - 1, -1) }
            return .s(p, p + n * k, k)
        }
        func v<E: NDArrayElement>(_ x: NDArray<E>) -> NDArray<E> { shape.isEmpty ? x : x[index] }
        switch a {
        case .float64(let x): return .float64(v(x))
        case .float32(let x): return .float32(v(x))
        case .int64(let x): return .int64(v(x))
        case .int32(let x): return .int32(v(x))
        case .uint8(let x): return .uint8(v(x))
        case .bool(let x): return .bool(v(x))
        }
    }

    static func shape(_ r: inout Rand) -> [Int] {
        let ndim = [0, 1, 1, 2, 2, 3, 3, 4, 5][r.int(9)]
        var s = (0..<ndim).map { _ in 1 + r.int(ndim <= 2 ? 40 : ndim == 3 ? 9 : 4) }
        if r.chance(0.04) && ndim > 0 { s[r.int(ndim)] = 0 }
        if ndim == 1 && r.chance(0.15) { s[0] = 1000 + r.int(5000) }   // several blocks
        return s
    }

    static func makeCase(_ r: inout Rand) -> Case {
        let shape = shape(&r)
        let n = 1 + r.int(4)
        var inputs: [AnyArray] = []
        for _ in 0..<n {
            let t: DType = r.chance(0.15) ? .bool : numericTypes[r.int(numericTypes.count)]
            inputs.append(view(&r, t, broadcastingTo: shape))
        }
        let types = inputs.map(\.dtype)
        var g = numeric(&r, 3, types, allowReduce: true)
        if r.chance(0.15) {
            let op: ReduceOp = [.sum, .min, .max, .count, .sum][r.int(5)]
            let nd = g.ndim(inputs)
            if nd > 0 && r.chance(0.5) { g = .red(op, r.int(nd) - (r.chance(0.3) ? nd : 0), g) } else { g = .red(op, nil, g) }
            if (op == .min || op == .max) && Ref.type(g, types).dtype == .bool { g = .red(.sum, nil, g) }
        }
        if case .red(let op, _, let body) = g, op == .min || op == .max, Ref.type(body, types).dtype == .bool { g = .red(.sum, nil, body) }
        return Case(g: g, inputs: inputs)
    }

    static func leaf(_ r: inout Rand, _ types: [DType], bool: Bool) -> G? {
        let candidates = types.indices.filter { (types[$0] == .bool) == bool }
        return candidates.isEmpty ? nil : .leaf(candidates[r.int(candidates.count)])
    }

    static func numeric(_ r: inout Rand, _ depth: Int, _ types: [DType], allowReduce: Bool) -> G {
        if depth == 0 || r.chance(0.2) {
            if r.chance(0.2) { return r.chance(0.5) ? .int(Int64(r.int(10))) : .float((r.uniform(-3, 3) * 8).rounded() / 8) }
            if let l = leaf(&r, types, bool: false) { return l }
            return .cast(.int32, boolean(&r, 0, types))
        }
        let d = depth - 1
        func pair(_ op: BinaryOp) -> G {
            // Never two constants (Python would fold them with its own rules).
            let x = numeric(&r, d, types, allowReduce: allowReduce)
            if x.isConstant { return .bin(op, x, nonConstant(&r, d, types)) }
            return .bin(op, x, numeric(&r, d, types, allowReduce: allowReduce))
        }
        switch r.int(14) {
        case 0, 1: return pair(.add)
        case 2: return pair(.sub)
        case 3: return pair(.mul)
        case 4: return .bin(.div, numeric(&r, d, types, allowReduce: allowReduce), nonConstant(&r, d, types))
        case 5: return .un([.neg, .abs][r.int(2)], nonConstant(&r, d, types))
        case 6: return .un([.sqrt, .exp, .log, .sin, .cos][r.int(5)], nonConstant(&r, d, types))
        case 7:
            let exponents: [G] = [.int(2), .int(3), .int(10), .int(0), .float(0.5), .float(2.0), .int(1)]
            return .bin(.pow, nonConstant(&r, d, types), exponents[r.int(exponents.count)])
        case 8: return pair(r.chance(0.5) ? .minimum : .maximum)
        case 9: return .sel(boolean(&r, d, types), numeric(&r, d, types, allowReduce: allowReduce), nonConstant(&r, d, types))
        case 10:
            // Casts between floats and integers only where NumPy is defined (no NaN or overflow to ints).
            let x = nonConstant(&r, d, types)
            let t = Ref.type(x, types).dtype
            let targets: [DType] = t.isFloat ? [.float32, .float64] : [.float64, .float32, .int64, .int32]
            return .cast(targets[r.int(targets.count)], x)
        case 11 where allowReduce:
            // A reduction inside: min/max/count/int sum (exact), so bits still match.
            let body = nonConstant(&r, d, types)
            let t = Ref.type(body, types).dtype
            if t.isFloat { return .red(r.chance(0.5) ? .min : .max, nil, body) }
            return .red([.sum, .min, .max][r.int(3)], nil, body)
        case 12 where allowReduce: return .red(.count, nil, boolean(&r, d, types))
        default: return numeric(&r, d, types, allowReduce: allowReduce)
        }
    }

    static func nonConstant(_ r: inout Rand, _ depth: Int, _ types: [DType]) -> G {
        for _ in 0..<4 {
            let g = numeric(&r, depth, types, allowReduce: false)
            if case .int = g { continue }
            if case .float = g { continue }
            return g
        }
        return leaf(&r, types, bool: false) ?? .cast(.int32, boolean(&r, 0, types))
    }

    static func boolean(_ r: inout Rand, _ depth: Int, _ types: [DType]) -> G {
        if depth == 0 || r.chance(0.25) {
            if let l = leaf(&r, types, bool: true), r.chance(0.6) { return l }
            let ops: [BinaryOp] = [.lt, .le, .gt, .ge, .eq, .ne]
            return .bin(ops[r.int(ops.count)], nonConstant(&r, 0, types), r.chance(0.5) ? .float(r.uniform(-2, 2).rounded()) : nonConstant(&r, 0, types))
        }
        let d = depth - 1
        switch r.int(4) {
        case 0: return .bin(r.chance(0.5) ? .and : .or, boolean(&r, d, types), boolean(&r, d, types))
        case 1: return .un(.not, boolean(&r, d, types))
        default:
            let ops: [BinaryOp] = [.lt, .le, .gt, .ge, .eq, .ne]
            return .bin(ops[r.int(ops.count)], nonConstant(&r, d, types), numeric(&r, d, types, allowReduce: false))
        }
    }
}

extension AnyArray {
    var contiguousCopy: AnyArray {
        switch self {
        case .float64(let x): .float64(x.copy())
        case .float32(let x): .float32(x.copy())
        case .int64(let x): .int64(x.copy())
        case .int32(let x): .int32(x.copy())
        case .uint8(let x): .uint8(x.copy())
        case .bool(let x): .bool(x.copy())
        }
    }
}

extension Rand: RandomNumberGenerator {}

// MARK: - Checking

enum Differential {
    /// nil when fused and unfused agree; else what differs.
    static func check(_ c: Case) -> String? {
        var names: [String: any ExprInput] = [:]
        for (i, x) in c.inputs.enumerated() { names["x\(i)"] = x }
        let fused: AnyArray
        do { fused = try c.g.expr.evaluate(names) } catch {
            // NumPy refuses these too (checked against NumPy in the other test).
            if error.message.contains("zero-size array") { return nil }
            return "fused evaluation threw: \(error)"
        }
        // The compiled and string forms must give the same bits.
        if let text = try? evaluate(c.g.description, names), !same(text.doubles, fused.doubles) {
            return "string form differs from the operator form"
        }
        let reference = Ref.eval(c.g, c.inputs)
        if fused.dtype != reference.dtype { return "dtype \(fused.dtype), unfused \(reference.dtype)" }
        if fused.shape != reference.shape { return "shape \(fused.shape), unfused \(reference.shape)" }
        let x = fused.doubles, y = reference.doubles
        if c.g.hasFloatSum(c.inputs.map(\.dtype)) {
            let eps = fused.dtype == .float32 ? Double(Float.ulpOfOne) : Double.ulpOfOne
            let n = Double(c.inputs.map { $0.shape.reduce(1, *) }.max() ?? 1)
            for (a, b) in zip(x, y) where !(a == b || (a.isNaN && b.isNaN)) {
                if Swift.abs(a - b) > (Foundation.log2(n + 1) + 16) * eps * 64 * (1 + Swift.abs(a) + Swift.abs(b)) * n {
                    return "fused \(a), unfused \(b) (beyond the summation bound)"
                }
            }
            return nil
        }
        if !same(x, y) {
            let k = x.indices.first { !(x[$0].bitPattern == y[$0].bitPattern || (x[$0].isNaN && y[$0].isNaN)) } ?? 0
            return "element \(k): fused \(x[k]), unfused \(y[k]) (should be the same bits)"
        }
        return nil
    }

    static func same(_ x: [Double], _ y: [Double]) -> Bool {
        x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    /// Shrinks a failing case: replaces subtrees with smaller ones while it still fails.
    static func shrink(_ c: Case, _ failing: (Case) -> Bool) -> Case {
        var best = c
        var improved = true
        while improved {
            improved = false
            for g in best.g.shrinks {
                let candidate = Case(g: g, inputs: best.inputs)
                if failing(candidate) { best = candidate; improved = true; break }
            }
        }
        return best
    }
}

@Suite struct DifferentialTests {
    static var env: [String: String] { ProcessInfo.processInfo.environment }
    static var cases: Int { Int(env["CELER_EXPR_CASES"] ?? "") ?? 2000 }
    static var seconds: Double { Double(env["CELER_EXPR_SECONDS"] ?? "") ?? 20 }
    static var seed: UInt64 { UInt64(env["CELER_EXPR_SEED"] ?? "") ?? 20261203 }

    @Test func fusedMatchesUnfused() throws {
        var r = Rand(state: Self.seed)
        let start = Date()
        var ran = 0, failures = 0
        for k in 0..<Self.cases {
            if Date().timeIntervalSince(start) > Self.seconds { break }
            let c = Generator.makeCase(&r)
            ran += 1
            if let problem = Differential.check(c) {
                failures += 1
                let small = Differential.shrink(c) { Differential.check($0) != nil }
                Issue.record("case \(k) (seed \(Self.seed)): \(problem)\nshrunk reproducer:\n\(small.describe)\n  -> \(Differential.check(small) ?? "")")
                if failures >= 5 { break }
            }
        }
        #expect(ran >= Swift.min(Self.cases, 200), "only \(ran) cases ran in \(Self.seconds) s")
        print("differential: \(ran) cases, \(failures) failures (seed \(Self.seed))")
    }

    @Test(.enabled(if: NumPyRun.isAvailable, "python3 with numpy is not available"))
    func fusedMatchesNumPy() throws {
        var r = Rand(state: Self.seed ^ 0x5eed)
        var batch: [Case] = []
        let count = Swift.min(Self.cases, 1500)
        while batch.count < count {
            let c = Generator.makeCase(&r)
            if c.inputs.contains(where: { $0.shape.reduce(1, *) > 2000 }) { continue }   // keep the text small
            batch.append(c)
        }
        let replies = try NumPyRun.evaluate(batch.map { c in
            (c.g.python, Dictionary(uniqueKeysWithValues: c.inputs.enumerated().map { ("x\($0)", $1) }))
        })
        var failures = 0
        for (k, (c, reply)) in zip(batch, replies).enumerated() {
            var names: [String: any ExprInput] = [:]
            for (i, x) in c.inputs.enumerated() { names["x\(i)"] = x }
            let fused: AnyArray
            do { fused = try c.g.expr.evaluate(names) } catch {
                if reply["ok"] as? Bool == true { failures += 1; Issue.record("case \(k): fused threw \(error), NumPy did not\n\(c.describe)") }
                continue
            }
            guard reply["ok"] as? Bool == true, let data = reply["data"] as? [String], let shape = reply["shape"] as? [Int] else {
                // NumPy refused (e.g. min of an empty array): so must we.
                failures += 1
                Issue.record("case \(k): NumPy failed (\(reply["error"] ?? "")), fused did not\n\(c.describe)")
                continue
            }
            let y = data.map { $0 == "True" ? 1 : $0 == "False" ? 0 : Double($0) ?? .nan }
            let x = fused.doubles
            let tol = fused.dtype == .float32 ? 2e-3 : c.g.usesFloat32(c.inputs) ? 2e-5 : 1e-9
            var problem: String? = nil
            if shape != fused.shape { problem = "shape \(fused.shape), NumPy \(shape)" }
            else {
                for (i, (a, b)) in zip(x, y).enumerated() where !(a == b || (a.isNaN && b.isNaN)) {
                    if !(Swift.abs(a - b) <= tol * (1 + Swift.abs(a) + Swift.abs(b))) { problem = "element \(i): fused \(a), NumPy \(b)"; break }
                }
            }
            if let problem {
                failures += 1
                Issue.record("case \(k): \(problem) (NumPy dtype \(reply["dtype"] ?? ""), fused \(fused.dtype))\n\(c.describe)\n  python: \(c.g.python)")
                if failures >= 5 { break }
            }
        }
        print("differential vs NumPy: \(batch.count) cases, \(failures) failures")
    }
}

/// NumPy through one python3 process (peers/numpy_reference.py).
enum NumPyRun {
    /// The shared NumPy runner of `_CelerTestSupport` (one python process per batch).
    static let script = NumPyReference.script

    static let isAvailable: Bool = {
        guard let out = try? python(["-c", "import numpy; print(numpy.__version__)"], input: Data()),
              let v = String(data: out, encoding: .utf8), let major = Int(v.prefix(while: { $0 != "." })) else { return false }
        return major >= 2   // NumPy 2's scalar promotion (NEP 50)
    }()

    static func python(_ arguments: [String], input: Data) throws -> Data {
        try NumPyReference.python(arguments, input: input)
    }

    static func encode(_ a: AnyArray) -> [String: Any] {
        let data: [String] = a.doubles.map { v in
            switch a.dtype {
            case .bool: return v != 0 ? "True" : "False"
            case .float64, .float32: return "\(v)"
            default: return "\(Int64(v))"
            }
        }
        return ["dtype": a.dtype.description, "shape": a.shape, "data": data]
    }

    static func evaluate(_ cases: [(String, [String: AnyArray])]) throws -> [[String: Any]] {
        let request: [String: Any] = ["cases": cases.map { ["expr": $0.0, "arrays": $0.1.mapValues(encode)] as [String: Any] }]
        let data = try JSONSerialization.data(withJSONObject: request)
        let reply = try python([script], input: data)
        let lines = String(decoding: reply, as: UTF8.self).split(separator: "\n")
        return try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }
}
