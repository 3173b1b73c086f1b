import CelerArray
import CelerCore

// Planning: an expression tree becomes a `Plan`, a list of passes over
// memory, each a straight-line program on block registers (numexpr's
// "virtual machine", one instruction per operation on a block of elements).
//
// Planning depends only on the dtypes of the inputs, never on their shapes
// or strides, so one plan serves every call with inputs of the same types
// (`CompiledExpression` caches plans by input dtypes). Shapes are checked,
// and blocks laid out, when the plan runs.
//
// Steps:
// 1. Lower the tree to typed values, hash-consed (the same operation on the
//    same values is one value: common subexpressions merge, `x*x` from
//    `x**2` and a written `x*x` are the same), with NumPy's type promotion,
//    constants converted where they are used and folded when both operands
//    are constants, integer powers expanded into multiplications.
// 2. Every reduction becomes a slot that later passes read as an input; the
//    reductions of one nesting level that cover everything run in one pass.
// 3. Each pass's program is listed in dependency order and given registers:
//    inputs, constants and results have their own; temporaries share.

/// An error from planning or running an expression (one line, `CelerError`).
enum ExprError {
    static func type(_ message: String) -> CelerError { CelerError("expression", message) }
}

/// One typed value of the lowered expression.
struct IRNode: Hashable {
    enum Op: Hashable {
        case slot(Int)
        case constant(UInt64)
        case unary(UnaryOp)
        case binary(BinaryOp)
        case select
        case cast
        case reduce(ReduceOp, axis: Int?)
    }
    var op: Op
    var dtype: DType
    var args: [Int]
}

/// A node of the shape program: how each value's shape follows from the inputs'.
enum ShapeNode: Hashable {
    case slot(Int)
    case scalar
    case broadcast([Int])
    case reduce(axis: Int?, Int)
}

/// One register operation on a block of `n` elements.
struct Instruction: Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        case load(slot: Int)
        case constant(UInt64)
        case unary(UnaryOp)
        case binary(BinaryOp)
        case select
        case cast(to: DType)
        case copy
    }
    var kind: Kind
    /// The operands' dtype (for casts: the source's).
    var dtype: DType
    /// The result's dtype.
    var resultType: DType
    var dst: Int
    /// The operand registers (-1: none). Fixed fields, not an array, so an
    /// instruction is a plain value: running a block retains nothing.
    var a0: Int, a1: Int, a2: Int
    var args: [Int] { [a0, a1, a2].filter { $0 >= 0 } }

    init(kind: Kind, dtype: DType, resultType: DType, dst: Int, args: [Int]) {
        self.kind = kind; self.dtype = dtype; self.resultType = resultType; self.dst = dst
        a0 = args.count > 0 ? args[0] : -1
        a1 = args.count > 1 ? args[1] : -1
        a2 = args.count > 2 ? args[2] : -1
    }

    var description: String {
        let r = args.map { "r\($0)" }.joined(separator: ", ")
        switch kind {
        case .load(let s): return "r\(dst) = input \(s)"
        case .constant(let bits): return "r\(dst) = const \(constantText(bits, dtype)) (\(dtype))"
        case .unary(let op): return "r\(dst) = \(op.rawValue)_\(dtype)(\(r))"
        case .binary(let op): return "r\(dst) = \(op.rawValue)_\(dtype)(\(r))"
        case .select: return "r\(dst) = where_\(dtype)(\(r))"
        case .cast(let to): return "r\(dst) = cast_\(dtype)_to_\(to)(\(r))"
        case .copy: return "r\(dst) = copy_\(dtype)(\(r))"
        }
    }
}

func constantText(_ bits: UInt64, _ dtype: DType) -> String {
    switch dtype {
    case .float64, .float32: return "\(Double(bitPattern: bits))"
    case .bool: return bits != 0 ? "true" : "false"
    default: return "\(Int64(bitPattern: bits))"
    }
}

/// One pass over memory.
struct Pass: Sendable {
    enum Kind: Sendable {
        /// Writes the root register into the result (a new array or `out`).
        case elementwise(root: Int)
        /// Reductions of everything, all read in this pass (grouped at run
        /// time by the shape they cover): (operation, register, result slot, result type).
        case reduceAll([(op: ReduceOp, register: Int, slot: Int, type: DType)])
        /// One reduction along an axis.
        case reduceAxis(op: ReduceOp, axis: Int, register: Int, slot: Int, type: DType)
    }
    var kind: Kind
    var program: [Instruction]
    var registerCount: Int
    /// For each root (in `kind`'s order): the shape node of the values it
    /// covers, and the program indices it needs.
    var domains: [Int]
    var needed: [[Int]]
    /// The root registers, in `kind`'s order.
    var roots: [Int]
    /// The distinct slots the whole program loads and (register, operand
    /// index) per load: computed once, when planning.
    var loadSlots: [Int] = []
    var loadPairs: [(register: Int, operand: Int)] = []
    /// The dtype of the root register (elementwise) .
    var resultType: DType
}

/// A planned expression: passes, the shape program, and the slots.
struct Plan: Sendable {
    var passes: [Pass]
    var shapeNodes: [ShapeNode]
    /// The shape node of the final result.
    var resultShape: Int
    var inputCount: Int
    var slotCount: Int
    /// The slot that holds the result when the last pass is a reduction.
    var resultSlot: Int?
    var resultType: DType
}

/// Lowers an expression tree whose leaves are already slots (see `Binder`).
struct Planner {
    var inputTypes: [DType]
    var nodes: [IRNode] = []
    var table: [IRNode: Int] = [:]
    var shapeNodes: [ShapeNode] = []
    var shapeTable: [ShapeNode: Int] = [:]
    /// For each reduce node: the shape node of its body.
    var bodyShape: [Int: Int] = [:]
    var slotOf: (Node) -> Int

    init(inputTypes: [DType], slotOf: @escaping (Node) -> Int) {
        self.inputTypes = inputTypes
        self.slotOf = slotOf
    }

    /// A lowered operand: a typed value, or a constant not yet given a type.
    enum Operand {
        case value(Int, DType)
        case int(Int64)
        case float(Double)
    }

    mutating func intern(_ n: IRNode) -> Int {
        if let id = table[n] { return id }
        nodes.append(n)
        table[n] = nodes.count - 1
        return nodes.count - 1
    }

    mutating func shape(_ s: ShapeNode) -> Int {
        if let id = shapeTable[s] { return id }
        shapeNodes.append(s)
        shapeTable[s] = shapeNodes.count - 1
        return shapeNodes.count - 1
    }

    mutating func shapeOf(_ children: [Int]) -> Int {
        var parts: [Int] = []
        for c in children where shapeNodes[c] != .scalar && !parts.contains(c) { parts.append(c) }
        if parts.isEmpty { return shape(.scalar) }
        if parts.count == 1 { return parts[0] }
        return shape(.broadcast(parts))
    }

    static func bits(_ value: Double, _ dtype: DType) -> UInt64 {
        switch dtype {
        case .float64: return value.bitPattern
        case .float32: return Double(Float(value)).bitPattern
        case .bool: return value != 0 ? 1 : 0
        case .int64: return UInt64(bitPattern: Int64.ndConverted(from: value))
        case .int32: return UInt64(bitPattern: Int64(Int32.ndConverted(from: value)))
        case .uint8: return UInt64(UInt8.ndConverted(from: value))
        }
    }

    static func bits(_ value: Int64, _ dtype: DType) -> UInt64 {
        switch dtype {
        case .float64: return Double(value).bitPattern
        case .float32: return Double(Float(value)).bitPattern
        case .bool: return value != 0 ? 1 : 0
        case .int64: return UInt64(bitPattern: value)
        case .int32: return UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: value)))
        case .uint8: return UInt64(UInt8(truncatingIfNeeded: value))
        }
    }

    /// `operand` as a value of `dtype` (a constant, or a cast when needed).
    mutating func materialize(_ operand: Operand, _ dtype: DType) -> Int {
        switch operand {
        case .int(let v): return intern(IRNode(op: .constant(Planner.bits(v, dtype)), dtype: dtype, args: []))
        case .float(let v): return intern(IRNode(op: .constant(Planner.bits(v, dtype)), dtype: dtype, args: []))
        case .value(let id, let t):
            if t == dtype { return id }
            if case .constant(let b) = nodes[id].op {   // fold the cast of a constant
                let v: Double = t.isFloat ? Double(bitPattern: b) : Double(Int64(bitPattern: b))
                return t.isFloat ? intern(IRNode(op: .constant(Planner.bits(v, dtype)), dtype: dtype, args: []))
                                 : intern(IRNode(op: .constant(Planner.bits(Int64(bitPattern: b), dtype)), dtype: dtype, args: []))
            }
            return intern(IRNode(op: .cast, dtype: dtype, args: [id]))
        }
    }

    /// The dtype two operands are computed in (NumPy 2's rules for weak scalars).
    static func common(_ a: Operand, _ b: Operand) -> DType? {
        switch (a, b) {
        case (.value(_, let x), .value(_, let y)): return DType.promote(x, y)
        case (.value(_, let x), .int), (.int, .value(_, let x)): return x == .bool ? .int64 : x
        case (.value(_, let x), .float), (.float, .value(_, let x)): return x.isFloat ? x : .float64
        default: return nil
        }
    }

    static func name(_ o: Operand) -> String {
        switch o {
        case .value(_, let t): return t.description
        case .int: return "int constant"
        case .float: return "float constant"
        }
    }

    mutating func value(_ op: IRNode.Op, _ dtype: DType, _ args: [Int]) -> Operand {
        .value(intern(IRNode(op: op, dtype: dtype, args: args)), dtype)
    }

    /// Lowers `node`; returns its operand and its shape node.
    mutating func lower(_ node: Node) throws(CelerError) -> (Operand, Int) {
        switch node.kind {
        case .array, .input:
            let s = slotOf(node)
            return (value(.slot(s), inputTypes[s], []), shape(.slot(s)))
        case .int(let v): return (.int(v), shape(.scalar))
        case .float(let v): return (.float(v), shape(.scalar))
        case .cast(let t, let x):
            let (o, s) = try lower(x)
            return (.value(materialize(o, t), t), s)
        case .unary(let op, let x):
            let (o, s) = try lower(x)
            return (try unary(op, o), s)
        case .binary(let op, let x, let y):
            let (a, sa) = try lower(x)
            let (b, sb) = try lower(y)
            return (try binary(op, a, b), shapeOf([sa, sb]))
        case .select(let c, let x, let y):
            let (oc, sc) = try lower(c)
            let (a, sa) = try lower(x)
            let (b, sb) = try lower(y)
            guard case .value(let cid, .bool) = oc else {
                throw ExprError.type("where: the condition must be bool, got \(Planner.name(oc))")
            }
            let t = Planner.common(a, b) ?? {
                if case .float = a { return .float64 }; if case .float = b { return .float64 }; return .int64 }()
            return (value(.select, t, [cid, materialize(a, t), materialize(b, t)]), shapeOf([sc, sa, sb]))
        case .reduce(let op, let axis, let x):
            let (o, s) = try lower(x)
            let bodyType: DType, resultType: DType
            let t: DType = {
                if case .value(_, let t) = o { return t }
                if case .float = o { return .float64 }
                return .int64
            }()
            switch op {
            case .sum:
                bodyType = t.isFloat ? t : .int64
                resultType = bodyType
            case .min, .max:
                guard t != .bool else { throw ExprError.type("\(op.rawValue): not defined for bool (use any/all)") }
                bodyType = t; resultType = t
            case .any, .all:
                bodyType = .bool; resultType = .bool
            case .count:
                bodyType = .bool; resultType = .int64
            }
            let body = materialize(o, bodyType)
            let id = intern(IRNode(op: .reduce(op, axis: axis), dtype: resultType, args: [body]))
            bodyShape[id] = s
            return (.value(id, resultType), shape(.reduce(axis: axis, s)))
        }
    }

    mutating func unary(_ op: UnaryOp, _ o: Operand) throws(CelerError) -> Operand {
        switch op {
        case .neg:
            switch o {
            case .int(let v): return .int(0 &- v)
            case .float(let v): return .float(-v)
            case .value(let id, let t):
                guard t != .bool else { throw ExprError.type("unary -: not defined for bool (use ~ for logical not)") }
                return value(.unary(.neg), t, [id])
            }
        case .not:
            guard case .value(let id, .bool) = o else { throw ExprError.type("~: needs a bool operand, got \(Planner.name(o))") }
            return value(.unary(.not), .bool, [id])
        case .abs:
            switch o {
            case .int(let v): return .int(v < 0 ? 0 &- v : v)
            case .float(let v): return .float(Swift.abs(v))
            case .value(let id, let t):
                guard t != .bool else { throw ExprError.type("abs: not defined for bool") }
                return value(.unary(.abs), t, [id])
            }
        case .sqrt, .exp, .log, .sin, .cos:
            let t: DType
            if case .value(_, let vt) = o, vt.isFloat { t = vt } else { t = .float64 }
            return value(.unary(op), t, [materialize(o, t)])
        }
    }

    mutating func binary(_ op: BinaryOp, _ a: Operand, _ b: Operand) throws(CelerError) -> Operand {
        if op == .pow { return try power(a, b) }
        if op.isLogical {
            guard case .value(let x, .bool) = a, case .value(let y, .bool) = b else {
                throw ExprError.type("\(op.symbol): needs bool operands, got \(Planner.name(a)) and \(Planner.name(b)) (compare first, e.g. (a > 0) & (b > 0))")
            }
            return value(.binary(op), .bool, [x, y])
        }
        guard var t = Planner.common(a, b) else { return try fold(op, a, b) }
        if op.isComparison {
            if t == .bool && op != .eq && op != .ne { t = .uint8 }
            return value(.binary(op), t, [materialize(a, t), materialize(b, t)]).retyped(.bool)
        }
        if t == .bool {
            throw ExprError.type("\(op.symbol): not defined for bool operands (cast one with .cast(to:) or compare first)")
        }
        if op == .div && !t.isFloat { t = .float64 }
        return value(.binary(op), t, [materialize(a, t), materialize(b, t)])
    }

    /// Both operands constants: computed now (as Python would).
    func fold(_ op: BinaryOp, _ a: Operand, _ b: Operand) throws(CelerError) -> Operand {
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case .add: return .int(x &+ y)
            case .sub: return .int(x &- y)
            case .mul: return .int(x &* y)
            case .minimum: return .int(Swift.min(x, y))
            case .maximum: return .int(Swift.max(x, y))
            default: break
            }
        }
        func d(_ o: Operand) -> Double {
            switch o { case .int(let v): Double(v); case .float(let v): v; case .value: 0 }
        }
        let x = d(a), y = d(b)
        switch op {
        case .add: return .float(x + y)
        case .sub: return .float(x - y)
        case .mul: return .float(x * y)
        case .div: return .float(x / y)
        case .minimum: return .float(Double.ndMinimum(x, y))
        case .maximum: return .float(Double.ndMaximum(x, y))
        default: throw ExprError.type("\(op.symbol) of two constants: write the result as a constant")
        }
    }

    /// `a ** b`: small integer exponents as multiplications (square and
    /// multiply, as numexpr), 0.5 as sqrt, others as C's `pow`.
    mutating func power(_ a: Operand, _ b: Operand) throws(CelerError) -> Operand {
        var exponent: Int64? = nil
        if case .int(let n) = b { exponent = n }
        if case .float(let f) = b, f == f.rounded(), Swift.abs(f) <= 64 { exponent = Int64(f) }
        if case .value(let id, let at) = a {
            var t = at
            if case .float = b, !t.isFloat { t = .float64 }
            if t == .bool { t = .int64 }
            if case .float(let f) = b, f == 0.5 { return value(.unary(.sqrt), t, [materialize(a, t)]) }
            if let n = exponent, Swift.abs(n) <= 64 {
                if n < 0 && !t.isFloat {
                    throw ExprError.type("**: integers to negative integer powers are not allowed (cast to float64 first)")
                }
                let x = materialize(.value(id, at), t)
                if n == 0 {
                    // x ** 0 == 1 for every x (NaN too, as C's pow); the shape still follows x.
                    return .value(materialize(.int(1), t), t)
                }
                var result: Int? = nil
                var base = x
                var m = Swift.abs(n)
                while m > 0 {
                    if m & 1 == 1 { result = result.map { intern(IRNode(op: .binary(.mul), dtype: t, args: [$0, base])) } ?? base }
                    m >>= 1
                    if m > 0 { base = intern(IRNode(op: .binary(.mul), dtype: t, args: [base, base])) }
                }
                if n < 0 {
                    return value(.binary(.div), t, [materialize(.int(1), t), result!])
                }
                return .value(result!, t)
            }
        }
        guard let common = Planner.common(a, b) else {
            if case .int(let x) = a, case .int(let y) = b, y >= 0 {
                var r: Int64 = 1
                for _ in 0..<y { r = r &* x }
                return .int(r)
            }
            func d(_ o: Operand) -> Double { switch o { case .int(let v): Double(v); case .float(let v): v; case .value: 0 } }
            return .float(Double.ndPow(d(a), d(b)))
        }
        var t = common
        if !t.isFloat {
            if case .value = b {
                throw ExprError.type("**: integer to array powers are not fused (cast the base to float64)")
            }
            t = .float64
        }
        return value(.binary(.pow), t, [materialize(a, t), materialize(b, t)])
    }
}

extension Planner.Operand {
    func retyped(_ t: DType) -> Planner.Operand {
        if case .value(let id, _) = self { return .value(id, t) }
        return self
    }
}

// MARK: - From lowered values to passes

extension Planner {
    /// The passes that compute `root` (a lowered operand).
    mutating func plan(root operand: Operand, rootShape: Int) -> Plan {
        let rootType: DType = {
            switch operand { case .value(_, let t): t; case .int: .int64; case .float: .float64 }
        }()
        let root = materialize(operand, rootType)
        // Comparisons are interned with their operand dtype; their result is bool.
        // Record result dtypes per node.
        var resultType = [DType](repeating: .bool, count: nodes.count)
        for (i, n) in nodes.enumerated() {
            if case .binary(let op) = n.op, op.isComparison { resultType[i] = .bool } else { resultType[i] = n.dtype }
        }

        // Reduction nodes, their slots and nesting levels.
        var reduceSlot: [Int: Int] = [:]
        var level = [Int](repeating: 0, count: nodes.count)   // reductions nested below (inclusive)
        for (i, n) in nodes.enumerated() {
            let below = n.args.map { level[$0] }.max() ?? 0
            if case .reduce = n.op {
                level[i] = below + 1
                reduceSlot[i] = inputTypes.count + reduceSlot.count
            } else {
                level[i] = below
            }
        }
        let reachable = reach(from: root, stopAtReductions: false)
        let reductions = reachable.filter { if case .reduce = nodes[$0].op { return true }; return false }
        var passes: [Pass] = []
        let maxLevel = reductions.map { level[$0] }.max() ?? 0
        for l in stride(from: 1, through: maxLevel, by: 1) {
            let here = reductions.filter { level[$0] == l }
            let all = here.filter { if case .reduce(_, axis: nil) = nodes[$0].op { return true }; return false }
            if !all.isEmpty {
                var roots: [(ReduceOp, Int, Int, DType)] = []
                var bodies: [Int] = []
                for r in all {
                    guard case .reduce(let op, _) = nodes[r].op else { continue }
                    roots.append((op, nodes[r].args[0], reduceSlot[r]!, nodes[r].dtype))
                    bodies.append(nodes[r].args[0])
                }
                var pass = program(roots: bodies, reduceSlot: reduceSlot, resultType: resultType, copyRoot: false)
                pass.kind = .reduceAll(roots.enumerated().map { (op: $1.0, register: pass.roots[$0], slot: $1.2, type: $1.3) })
                pass.domains = all.map { bodyShape[$0]! }
                passes.append(pass)
            }
            for r in here where !all.contains(r) {
                guard case .reduce(let op, let axis?) = nodes[r].op else { continue }
                var pass = program(roots: [nodes[r].args[0]], reduceSlot: reduceSlot, resultType: resultType, copyRoot: false)
                pass.kind = .reduceAxis(op: op, axis: axis, register: pass.roots[0], slot: reduceSlot[r]!, type: nodes[r].dtype)
                pass.domains = [bodyShape[r]!]
                passes.append(pass)
            }
        }
        var resultSlot: Int? = nil
        if let s = reduceSlot[root] {
            resultSlot = s
        } else {
            var pass = program(roots: [root], reduceSlot: reduceSlot, resultType: resultType, copyRoot: true)
            pass.domains = [rootShape]
            passes.append(pass)
        }
        return Plan(passes: passes, shapeNodes: shapeNodes, resultShape: rootShape, inputCount: inputTypes.count,
                    slotCount: inputTypes.count + reduceSlot.count, resultSlot: resultSlot, resultType: resultType[root])
    }

    /// Node ids reachable from `root` (dependency order), not looking inside
    /// reductions when `stopAtReductions`.
    func reach(from roots: [Int], stopAtReductions: Bool) -> [Int] {
        var seen = Set<Int>()
        var stack = roots
        while let i = stack.popLast() {
            if !seen.insert(i).inserted { continue }
            if stopAtReductions, case .reduce = nodes[i].op { continue }
            stack.append(contentsOf: nodes[i].args)
        }
        return seen.sorted()   // ids are created after their arguments: sorted is a dependency order
    }

    func reach(from root: Int, stopAtReductions: Bool) -> [Int] { reach(from: [root], stopAtReductions: stopAtReductions) }

    /// The program computing `roots`, with registers allocated.
    func program(roots: [Int], reduceSlot: [Int: Int], resultType: [DType], copyRoot: Bool) -> Pass {
        // Reduction nodes inside are inputs (slots) of this pass.
        var order: [Int] = []
        var seen = Set<Int>()
        var stack = roots
        while let i = stack.popLast() {
            if !seen.insert(i).inserted { continue }
            order.append(i)
            if case .reduce = nodes[i].op { continue }
            stack.append(contentsOf: nodes[i].args)
        }
        order.sort()
        var lastUse: [Int: Int] = [:]
        for (position, i) in order.enumerated() {
            if case .reduce = nodes[i].op { continue }
            for a in nodes[i].args { lastUse[a] = position }
        }
        var register: [Int: Int] = [:]
        var free: [Int] = []
        var count = 0
        func newRegister() -> Int { count += 1; return count - 1 }
        var program: [Instruction] = []
        let rootSet = Set(roots)
        for (position, i) in order.enumerated() {
            let n = nodes[i]
            let pinned: Bool
            let kind: Instruction.Kind
            var operandType = n.dtype
            switch n.op {
            case .slot(let s): kind = .load(slot: s); pinned = true
            case .reduce: kind = .load(slot: reduceSlot[i]!); pinned = true
            case .constant(let b): kind = .constant(b); pinned = true
            case .unary(let op): kind = .unary(op); pinned = false
            case .binary(let op): kind = .binary(op); pinned = false
            case .select: kind = .select; pinned = false
            case .cast:
                kind = .cast(to: n.dtype); pinned = false
                operandType = resultType[n.args[0]]
            }
            let inputs: [Int]
            if case .reduce = n.op { inputs = [] } else { inputs = n.args }   // computed by an earlier pass
            let args = inputs.map { register[$0]! }
            // The destination is never an operand: a loop that writes over
            // its own input defeats the vectoriser's alias checks, and a cast
            // to a wider type would overwrite elements not yet read.
            let dst: Int
            if pinned || rootSet.contains(i) || free.isEmpty { dst = newRegister() } else { dst = free.removeLast() }
            register[i] = dst
            for a in Set(inputs) where lastUse[a] == position && !rootSet.contains(a) && isTemporary(a) {
                free.append(register[a]!)
            }
            program.append(Instruction(kind: kind, dtype: operandType, resultType: resultType[i], dst: dst, args: args))
        }
        var rootRegisters = roots.map { register[$0]! }
        if copyRoot, let r = roots.first {
            // The result of an elementwise pass must be computed by an
            // instruction of its own (it may write straight into the output).
            switch nodes[r].op {
            case .slot, .constant, .reduce:
                let dst = newRegister()
                program.append(Instruction(kind: .copy, dtype: resultType[r], resultType: resultType[r], dst: dst, args: [register[r]!]))
                rootRegisters = [dst]
            default: break
            }
        }
        // Which instructions each root needs.
        var needed: [[Int]] = []
        for r in rootRegisters {
            var want = Set([r])
            var list: [Int] = []
            for (k, ins) in program.enumerated().reversed() where want.contains(ins.dst) {
                // A register may hold several values over the program: only
                // the latest writer before a use counts, so walk backwards and
                // drop the register once its writer is found.
                want.remove(ins.dst)
                want.formUnion(ins.args)
                list.append(k)
            }
            needed.append(list.reversed())
        }
        var pass = Pass(kind: .elementwise(root: rootRegisters[0]), program: program, registerCount: count,
                        domains: [], needed: needed, roots: rootRegisters, resultType: resultType[roots[0]])
        for ins in program {
            guard case .load(let s) = ins.kind else { continue }
            let o: Int
            if let i = pass.loadSlots.firstIndex(of: s) { o = i } else { pass.loadSlots.append(s); o = pass.loadSlots.count - 1 }
            pass.loadPairs.append((ins.dst, o))
        }
        return pass
    }

    func isTemporary(_ id: Int) -> Bool {
        switch nodes[id].op {
        case .slot, .constant, .reduce: return false
        default: return true
        }
    }
}
