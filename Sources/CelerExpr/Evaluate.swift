import CelerArray
import CelerCore
import CelerParallel
import Synchronization

// Evaluation: bind the tree's leaves to slots, plan (or take the cached
// plan), check shapes, run the passes.

/// Something that can be an input of an expression: an `NDArray` of a
/// fusable element type, or an `AnyArray`.
public protocol ExprInput {
    /// The input as a type-erased array; nil for element types expressions do not support.
    var exprArray: AnyArray? { get }
}

extension NDArray: ExprInput {
    public var exprArray: AnyArray? { AnyArray(self) }
}

extension AnyArray: ExprInput {
    public var exprArray: AnyArray? { self }
}

/// The leaves of a tree, numbered: bound arrays (the same view twice is one
/// leaf) and named inputs.
struct Binding: @unchecked Sendable {
    enum Leaf {
        case array(AnyArray)
        case input(String, position: Int?)
    }
    var leaves: [Leaf] = []
    var slotOfNode: [ObjectIdentifier: Int] = [:]

    struct ViewKey: Hashable {
        let storage: ObjectIdentifier, offset: Int, shape: [Int], strides: [Int], dtype: DType
    }

    init(_ root: Node) {
        var views: [ViewKey: Int] = [:]
        var names: [String: Int] = [:]
        var seen = Set<ObjectIdentifier>()
        var stack = [root]
        while let node = stack.popLast() {
            let id = ObjectIdentifier(node)
            if !seen.insert(id).inserted { continue }
            switch node.kind {
            case .array(let a):
                let v = a.raw
                let key = ViewKey(storage: v.storageID, offset: v.offset, shape: v.shape, strides: v.strides, dtype: a.dtype)
                if let s = views[key] { slotOfNode[id] = s } else {
                    leaves.append(.array(a)); views[key] = leaves.count - 1; slotOfNode[id] = leaves.count - 1
                }
            case .input(let name):
                if let s = names[name] { slotOfNode[id] = s } else {
                    leaves.append(.input(name, position: node.position)); names[name] = leaves.count - 1; slotOfNode[id] = leaves.count - 1
                }
            case .int, .float: break
            case .unary(_, let x), .cast(_, let x), .reduce(_, _, let x): stack.append(x)
            case .binary(_, let x, let y): stack.append(y); stack.append(x)
            case .select(let c, let x, let y): stack.append(y); stack.append(x); stack.append(c)
            }
        }
    }

    /// The arrays for the leaves: bound ones, and named ones from `inputs`.
    func arrays(_ inputs: [String: any ExprInput], text: String?) throws(CelerError) -> [AnyArray] {
        var result: [AnyArray] = []
        result.reserveCapacity(leaves.count)
        for leaf in leaves {
            switch leaf {
            case .array(let a): result.append(a)
            case .input(let name, let position):
                guard let input = inputs[name] else {
                    let at = position.map { " at column \($0 + 1)" } ?? ""
                    let known = inputs.keys.sorted().joined(separator: ", ")
                    throw CelerError("expression", "unknown name '\(name)'\(at)\(text.map { " in \"\($0)\"" } ?? "") (inputs: \(known.isEmpty ? "none" : known))")
                }
                guard let a = input.exprArray else {
                    throw CelerError("expression", "input '\(name)' has an element type expressions do not support (reals, integers and bool only)")
                }
                result.append(a)
            }
        }
        return result
    }
}

extension Plan {
    /// Plans `root` for leaves of `types`.
    init(root: Node, binding: Binding, types: [DType]) throws(CelerError) {
        let slots = binding.slotOfNode
        var planner = Planner(inputTypes: types, slotOf: { slots[ObjectIdentifier($0)]! })
        let (operand, shape) = try planner.lower(root)
        self = planner.plan(root: operand, rootShape: shape)
    }

    /// The shape of every shape node, checking broadcasting and axes.
    func shapes(_ inputs: [AnyArray]) throws(CelerError) -> [[Int]] {
        var result: [[Int]] = []
        result.reserveCapacity(shapeNodes.count)
        for node in shapeNodes {
            switch node {
            case .slot(let s): result.append(inputs[s].shape)
            case .scalar: result.append([])
            case .broadcast(let parts): result.append(try Layout.broadcastShapes(parts.map { result[$0] }))
            case .reduce(let axis, let body):
                guard let axis else { result.append([]); continue }
                let shape = result[body]
                let a = axis < 0 ? axis + shape.count : axis
                guard a >= 0 && a < shape.count else { throw ArrayError.axis(axis, ndim: shape.count) }
                var s = shape; s.remove(at: a)
                result.append(s)
            }
        }
        return result
    }

    /// Runs the plan on `inputs` (one array per leaf), into `out` or a new array.
    func run(_ inputs: [AnyArray], out: AnyArray?) throws(CelerError) -> AnyArray {
        let shapes = try self.shapes(inputs)
        if let out {
            guard out.dtype == resultType else {
                throw CelerError("out", "has dtype \(out.dtype), the expression gives \(resultType) (cast the expression with .cast(to: .\(out.dtype)))")
            }
            let shape = shapes[resultShape]
            guard (try? Layout.broadcastShapes([shape, out.shape])) == out.shape else {
                throw CelerError("out", "has shape \(shapeDescription(out.shape)), the expression gives shape \(shapeDescription(shape))")
            }
        }
        var slots: [AnyArray?] = inputs.map { $0 }
        slots.append(contentsOf: [AnyArray?](repeating: nil, count: slotCount - inputCount))
        var result: AnyArray? = nil
        for pass in passes {
            switch pass.kind {
            case .reduceAll(let roots):
                // Reductions covering the same shape share one pass.
                var groups: [[Int]: [Int]] = [:]
                var order: [[Int]] = []
                for i in roots.indices {
                    let s = shapes[pass.domains[i]]
                    if groups[s] == nil { order.append(s) }
                    groups[s, default: []].append(i)
                }
                for s in order {
                    let values = try runReduceAll(pass, roots: groups[s]!, shape: s, slots: slots)
                    for (i, v) in zip(groups[s]!, values) { slots[roots[i].slot] = v }
                }
            case .reduceAxis(let op, let axis, let register, let slot, let type):
                slots[slot] = try runReduceAxis(pass, op: op, axis: axis, register: register, type: type,
                                                shape: shapes[pass.domains[0]], slots: slots)
            case .elementwise(let root):
                result = try runElementwise(pass, root: root, shape: out?.shape ?? shapes[pass.domains[0]], slots: slots, out: out)
            }
        }
        if let s = resultSlot {
            let value = slots[s]!
            if let out { try copy(value, into: out); return out }
            return value
        }
        return result!
    }
}

/// Copies `value` (broadcast) into `out` of the same dtype.
func copy(_ value: AnyArray, into out: AnyArray) throws(CelerError) {
    switch (value, out) {
    case (.float64(let v), .float64(let o)): try o.assign(v)
    case (.float32(let v), .float32(let o)): try o.assign(v)
    case (.int64(let v), .int64(let o)): try o.assign(v)
    case (.int32(let v), .int32(let o)): try o.assign(v)
    case (.uint8(let v), .uint8(let o)): try o.assign(v)
    case (.bool(let v), .bool(let o)): try o.assign(v)
    default: throw CelerError("out", "has dtype \(out.dtype), the expression gives \(value.dtype)")
    }
}

// MARK: - Passes

extension Plan {
    /// The distinct slots loaded by `instructions`, and (register, operand) pairs.
    func loads(_ instructions: [Instruction]) -> (slots: [Int], loads: [(register: Int, operand: Int)]) {
        var slots: [Int] = [], loads: [(Int, Int)] = []
        for ins in instructions {
            guard case .load(let s) = ins.kind else { continue }
            let o: Int
            if let i = slots.firstIndex(of: s) { o = i } else { slots.append(s); o = slots.count - 1 }
            loads.append((ins.dst, o))
        }
        return (slots, loads)
    }

    func views(_ slots: [Int], _ values: [AnyArray?], shape: [Int]) throws(CelerError) -> ([RawView], [[Int]]) {
        var views: [RawView] = [], strides: [[Int]] = []
        for s in slots {
            let v = values[s]!.raw
            views.append(v)
            strides.append(try Layout.broadcastStrides(v.shape, v.strides, to: shape))
        }
        return (views, strides)
    }

    func runElementwise(_ pass: Pass, root: Int, shape: [Int], slots values: [AnyArray?], out: AnyArray?) throws(CelerError) -> AnyArray {
        let slots = pass.loadSlots, loads = pass.loadPairs
        let (views, strides) = try self.views(slots, values, shape: shape)
        let result: AnyArray
        if let out {
            let o = out.raw
            if zip(o.shape, o.strides).contains(where: { $0 > 1 && $1 == 0 }) {
                throw CelerError("out", "has a zero stride (a broadcast view): several results would land on one element")
            }
            for (k, v) in views.enumerated() where v.storageID == o.storageID {
                if v.offset == o.offset && strides[k] == o.strides { continue }   // the same elements: safe
                guard let (l0, h0) = Layout.extent(o.shape, o.strides),
                      let (l1, h1) = Layout.extent(v.shape, v.strides) else { continue }
                if o.offset + l0 <= v.offset + h1 && v.offset + l1 <= o.offset + h0 {
                    throw CelerError("out", "overlaps input \(k + 1) (\(shapeDescription(v.shape)), offset \(v.offset), strides \(v.strides)) without being the same elements (out: offset \(o.offset), strides \(o.strides)): writing block by block would change elements still to be read; pass a copy of the input or another out")
                }
            }
            result = out
        } else {
            let order = keepOrderStrides(shape, zip(views, strides).map { ($0.0.shape, $0.0.strides) })
            result = AnyArray.uninitialized(resultType, shape: shape, strides: order)
        }
        let o = result.raw
        let geometry = Geometry.make(shape: shape, strides: strides + [o.strides], order: o.strides)
        var operands = views.map { BoundOperand(base: $0.base, size: $0.elementSize) }
        operands.append(BoundOperand(base: o.base, size: o.elementSize))
        var runner = PassRunner(pass: pass, instructions: pass.program, geometry: geometry, loads: loads,
                                operands: operands, output: (views.count, root, o.elementSize))
        runner.streaming = geometry.rowMode && StreamingStore.available
            && Layout.count(shape) * o.elementSize >= Swift.max(StreamingStore.lastLevelCache, 1 << 20)
            && !views.contains { $0.storageID == o.storageID }
        withExtendedLifetime((values, result)) { runner.run { _, _, _ in } }
        return result
    }

    func bodyType(_ pass: Pass, _ register: Int) -> DType {
        pass.program.last(where: { $0.dst == register })!.resultType
    }

    func runReduceAll(_ pass: Pass, roots group: [Int], shape: [Int], slots values: [AnyArray?]) throws(CelerError) -> [AnyArray] {
        guard case .reduceAll(let roots) = pass.kind else { return [] }
        let needed = Set(group.flatMap { pass.needed[$0] }).sorted()
        let instructions = needed.map { pass.program[$0] }
        let (slots, loads) = self.loads(instructions)
        let (views, strides) = try self.views(slots, values, shape: shape)
        let order = keepOrderStrides(shape, zip(views, strides).map { ($0.0.shape, $0.0.strides) })
        let geometry = Geometry.make(shape: shape, strides: strides.isEmpty ? [order] : strides, order: order)
        let runner = PassRunner(pass: pass, instructions: instructions, geometry: geometry, loads: loads,
                                operands: views.map { BoundOperand(base: $0.base, size: $0.elementSize) }, output: nil)
        let m = group.count, blocks = geometry.blockCount
        let bodyTypes = group.map { bodyType(pass, roots[$0].register) }
        let partials = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(blocks * m, 1) * 8, alignment: 8)
        defer { partials.deallocate() }
        withExtendedLifetime(values) {
            runner.run { k, n, scratch in
                for (i, r) in group.enumerated() {
                    reduceBlock(roots[r].op, bodyTypes[i], n, scratch.regs[roots[r].register], partials + (k * m + i) * 8)
                }
            }
        }
        var result: [AnyArray] = []
        var value: UInt64 = 0
        for (i, r) in group.enumerated() {
            let root = roots[r]
            try withUnsafeMutableBytes(of: &value) { (v) throws(CelerError) in
                if blocks == 0 {
                    guard writeIdentity(root.op, root.type, v.baseAddress!) else {
                        throw CelerError("reduction", "zero-size array to reduction operation \(root.op == .min ? "minimum" : "maximum") which has no identity")
                    }
                } else {
                    combineTree(root.op, root.type, partials, stride: m, first: i, 0, blocks, into: v.baseAddress!)
                }
                result.append(scalarArray(root.type, v.baseAddress!))
            }
        }
        return result
    }

    /// Combines block results `lo ..< hi` as (left half) ⊕ (right half): a
    /// grouping fixed by the block count alone.
    func combineTree(_ op: ReduceOp, _ type: DType, _ partials: UnsafeMutableRawPointer, stride m: Int, first i: Int,
                     _ lo: Int, _ hi: Int, into result: UnsafeMutableRawPointer) {
        if hi - lo == 1 { result.copyMemory(from: partials + (lo * m + i) * 8, byteCount: 8); return }
        let mid = lo + (hi - lo + 1) / 2
        var right: UInt64 = 0
        combineTree(op, type, partials, stride: m, first: i, lo, mid, into: result)
        withUnsafeMutableBytes(of: &right) { r in
            combineTree(op, type, partials, stride: m, first: i, mid, hi, into: r.baseAddress!)
            combinePartials(op, type, result, r.baseAddress!)
        }
    }

    func runReduceAxis(_ pass: Pass, op: ReduceOp, axis: Int, register: Int, type: DType, shape: [Int],
                       slots values: [AnyArray?]) throws(CelerError) -> AnyArray {
        let axis = axis < 0 ? axis + shape.count : axis
        var outShape = shape; outShape.remove(at: axis)
        let instructions = pass.needed[0].map { pass.program[$0] }
        let (slots, loads) = self.loads(instructions)
        let (views, strides) = try self.views(slots, values, shape: shape)
        let result = AnyArray.uninitialized(type, shape: outShape, strides: Layout.contiguousStrides(outShape))
        let o = result.raw
        var outStrides = o.strides; outStrides.insert(0, at: axis)
        let geometry = Geometry.make(shape: shape, strides: strides + [outStrides], order: outStrides, lastAxis: axis)
        var operands = views.map { BoundOperand(base: $0.base, size: $0.elementSize) }
        operands.append(BoundOperand(base: o.base, size: o.elementSize))
        let outOperand = views.count
        let runner = PassRunner(pass: pass, instructions: instructions, geometry: geometry, loads: loads, operands: operands, output: nil)
        let rows = Layout.count(outShape)
        if rows == 0 { return result }
        let body = bodyType(pass, register)
        if shape[axis] == 0 {
            var v: UInt64 = 0
            let ok = withUnsafeMutableBytes(of: &v) { writeIdentity(op, type, $0.baseAddress!) }
            guard ok else {
                throw CelerError("reduction", "zero-size array to reduction operation \(op == .min ? "minimum" : "maximum") which has no identity")
            }
            withUnsafeBytes(of: &v) { p in
                for r in 0..<rows { (o.base + r * o.elementSize).copyMemory(from: p.baseAddress!, byteCount: o.elementSize) }
            }
            return result
        }
        let bpr = geometry.blocksPerRow
        let doRows = { (range: Range<Int>) in
            let scratch = PassRunner.Scratch(runner)
            var acc: UInt64 = 0, part: UInt64 = 0
            withUnsafeMutableBytes(of: &acc) { a in
                withUnsafeMutableBytes(of: &part) { p in
                    for r in range {
                        for b in 0..<bpr {
                            let n = runner.runBlock(r * bpr + b, scratch)
                            reduceBlock(op, body, n, scratch.regs[register], b == 0 ? a.baseAddress! : p.baseAddress!)
                            if b > 0 { combinePartials(op, type, a.baseAddress!, p.baseAddress!) }
                        }
                        let dst = o.base + geometry.rowOffset(r, outOperand) * o.elementSize
                        dst.copyMemory(from: a.baseAddress!, byteCount: o.elementSize)
                    }
                }
            }
        }
        withExtendedLifetime((values, result)) {
            if Parallel.threadCount <= 1 || Layout.count(shape) < Engine.parallelThreshold || rows < 2 {
                doRows(0..<rows)
            } else {
                parallelFor(0..<rows, schedule: .dynamic(Swift.max(1, rows / (Parallel.threadCount * 16)))) { doRows($0) }
            }
        }
        return result
    }
}

// MARK: - Public entry points

extension Expr {
    /// The value of the expression as a new array (0-d for full reductions).
    /// Throws on shapes that do not broadcast, type errors and unbound inputs.
    public func evaluate(_ inputs: [String: any ExprInput] = [:]) throws(CelerError) -> AnyArray {
        let binding = Binding(node)
        let arrays = try binding.arrays(inputs, text: nil)
        let plan = try Plan(root: node, binding: binding, types: arrays.map(\.dtype))
        return try plan.run(arrays, out: nil)
    }

    /// The value as an `NDArray<T>` (the result cast to `T` if it is of another type).
    public func evaluate<T: NDArrayElement>(as type: T.Type, _ inputs: [String: any ExprInput] = [:]) throws(CelerError) -> NDArray<T> {
        guard let dtype = DType(T.self) else { throw CelerError("expression", "cannot produce \(T.dtypeName) results") }
        return try cast(to: dtype).evaluate(inputs).array(of: T.self)!
    }

    /// Writes the value into `out`, which must have the expression's dtype and
    /// a shape the result broadcasts to. `out` may be one of the inputs (the
    /// same elements, as in `a = a * 2 + b`); a view of an input's storage
    /// that is shifted or reordered against it is refused (it would read
    /// elements already overwritten).
    public func evaluate<T: NDArrayElement>(into out: NDArray<T>, _ inputs: [String: any ExprInput] = [:]) throws(CelerError) {
        guard let o = AnyArray(out) else { throw CelerError("out", "has dtype \(T.dtypeName), which expressions cannot write") }
        let binding = Binding(node)
        let arrays = try binding.arrays(inputs, text: nil)
        let plan = try Plan(root: node, binding: binding, types: arrays.map(\.dtype))
        _ = try plan.run(arrays, out: o)
    }

    /// The fused plan for the bound arrays (see ``CompiledExpression/explain(_:)``).
    public func explain(_ inputs: [String: any ExprInput] = [:]) throws(CelerError) -> String {
        try CompiledExpression(self).explain(inputs)
    }
}

/// An expression planned once per combination of input dtypes and reused:
/// evaluating it on new arrays of the same types does not plan again.
/// Thread-safe and re-entrant (no state but the plan cache, behind a lock);
/// it never keeps `out` arrays or the inputs of a call alive.
public final class CompiledExpression: Sendable {
    /// The source text, for the string form.
    public let text: String?
    let root: Node
    let binding: Binding
    let plans = Mutex<[[DType]: Plan]>([:])

    /// Compiles an expression built with operators (its named inputs are
    /// bound by `evaluate`; arrays in it stay bound).
    public init(_ expr: Expr) {
        text = nil
        root = expr.node
        binding = Binding(expr.node)
    }

    /// Parses the string form (`"2*a + b**10"`); names are bound by `evaluate`.
    public init(_ text: String) throws(CelerError) {
        self.text = text
        root = try Parser.parse(text).node
        binding = Binding(root)
    }

    /// The names of the inputs, in order of first appearance.
    public var inputNames: [String] {
        binding.leaves.compactMap { if case .input(let n, _) = $0 { return n }; return nil }
    }

    func plan(_ arrays: [AnyArray]) throws(CelerError) -> Plan {
        let types = arrays.map(\.dtype)
        if let p = plans.withLock({ $0[types] }) { return p }
        let p = try Plan(root: root, binding: binding, types: types)
        plans.withLock { $0[types] = p }
        return p
    }

    /// The number of distinct plans made so far (one per input dtype combination).
    public var planCount: Int { plans.withLock { $0.count } }

    /// Evaluates with `inputs` bound by name, into a new array.
    public func evaluate(_ inputs: [String: any ExprInput] = [:]) throws(CelerError) -> AnyArray {
        let arrays = try binding.arrays(inputs, text: text)
        return try plan(arrays).run(arrays, out: nil)
    }

    /// Evaluates into `out` (see ``Expr/evaluate(into:_:)``).
    public func evaluate<T: NDArrayElement>(into out: NDArray<T>, _ inputs: [String: any ExprInput] = [:]) throws(CelerError) {
        guard let o = AnyArray(out) else { throw CelerError("out", "has dtype \(T.dtypeName), which expressions cannot write") }
        let arrays = try binding.arrays(inputs, text: text)
        _ = try plan(arrays).run(arrays, out: o)
    }
}

/// numexpr's `evaluate`: parses `text` (cached by text), binds `inputs` by
/// name and evaluates. A syntax error or an unknown name is a one-line
/// error naming the column.
public func evaluate(_ text: String, _ inputs: [String: any ExprInput], out: AnyArray? = nil) throws(CelerError) -> AnyArray {
    let compiled = try TextCache.shared.compiled(text)
    let arrays = try compiled.binding.arrays(inputs, text: text)
    return try compiled.plan(arrays).run(arrays, out: out)
}

/// Compiled expressions by source text (numexpr's cache), bounded.
final class TextCache: Sendable {
    static let shared = TextCache()
    let entries = Mutex<[String: CompiledExpression]>([:])
    func compiled(_ text: String) throws(CelerError) -> CompiledExpression {
        if let c = entries.withLock({ $0[text] }) { return c }
        let c = try CompiledExpression(text)
        entries.withLock { if $0.count >= 256 { $0.removeAll() }; $0[text] = c }
        return c
    }
}
