import CelerArray
import CelerCore
import CelerParallel

extension CompiledExpression {
    /// The fused plan for `inputs`, as numexpr's disassembler shows its
    /// program: one section per pass over memory (what it computes, its
    /// shape, how it is cut into blocks and shared among threads), the
    /// register program, and the temporaries per thread.
    public func explain(_ inputs: [String: any ExprInput] = [:]) throws(CelerError) -> String {
        let arrays = try binding.arrays(inputs, text: text)
        let plan = try self.plan(arrays)
        let shapes = try plan.shapes(arrays)
        var lines: [String] = []
        if let text { lines.append("expression: \(text)") }
        lines.append("inputs:")
        for (s, a) in arrays.enumerated() {
            let name: String
            switch binding.leaves[s] {
            case .input(let n, _): name = n
            case .array: name = "array"
            }
            let v = a.raw
            let layout = Layout.isContiguous(v.shape, v.strides) ? "contiguous" : "strides \(v.strides)"
            lines.append("  input \(s): \(name) \(a.dtype) \(shapeDescription(a.shape)), \(layout), offset \(v.offset)")
        }
        var storages = Set<ObjectIdentifier>()
        for a in arrays { storages.insert(a.raw.storageID) }
        if storages.count < arrays.count {
            lines.append("  (\(arrays.count) views of \(storages.count) storage\(storages.count == 1 ? "" : "s"): read in the same pass, no copies)")
        }
        for (k, pass) in plan.passes.enumerated() {
            let shape = shapes[pass.domains[0]]
            let what: String
            switch pass.kind {
            case .elementwise: what = "elementwise -> \(plan.resultType) array"
            case .reduceAll(let roots):
                what = roots.map { "\($0.op.rawValue)(r\($0.register)) -> input \($0.slot) (\($0.type))" }.joined(separator: ", ")
            case .reduceAxis(let op, let axis, let r, let slot, let t):
                what = "\(op.rawValue)(r\(r), axis=\(axis)) -> input \(slot) (\(t))"
            }
            lines.append("pass \(k + 1) of \(plan.passes.count): \(what)")
            let count = Layout.count(shape)
            let blocks = (count + Engine.blockSize - 1) / Engine.blockSize
            let threads = count < Engine.parallelThreshold ? 1 : Swift.min(Parallel.threadCount, Swift.max(blocks, 1))
            lines.append("  over \(shapeDescription(shape)) = \(count) elements: about \(blocks) block\(blocks == 1 ? "" : "s") of up to \(Engine.blockSize), \(threads) thread\(threads == 1 ? "" : "s")\(threads > 1 ? " (dynamic)" : " (serial)")")
            let temporaries = pass.program.filter {
                switch $0.kind { case .load, .constant: false; default: true }
            }.map(\.dst)
            lines.append("  registers: \(pass.registerCount) (\(Set(temporaries).count) for results), \(pass.registerCount * Engine.blockSize * 8 / 1024) KiB scratch per thread")
            for ins in pass.program { lines.append("    \(ins)") }
        }
        return lines.joined(separator: "\n")
    }
}
