#if MPI
import CMPI
import CelerCore

/// A reduction.
public enum ReduceOperation: Sendable, CustomStringConvertible {
    case sum, max, min

    var mpiOp: MPI_Op! {
        switch self {
        case .sum: cmpi_op_sum()
        case .max: cmpi_op_max()
        case .min: cmpi_op_min()
        }
    }

    public var description: String {
        switch self { case .sum: "sum"; case .max: "max"; case .min: "min" }
    }
}

/// Collective operations: every rank of the communicator calls them, in the
/// same order, with matching arguments.
///
/// Deterministic sums: MPI may add floating-point contributions in any
/// order, and Open MPI's choice of algorithm changes with the rank count and
/// the message size, so its `MPI_SUM` can give different bits from run to
/// run of the same program. CelerMPI's `.sum` of `Double` and `Float` is instead **gathered to the root and added in rank
/// order**, `((x₀ + x₁) + x₂) + …`, element by element: the bits depend only
/// on the contributions, never on MPI or the network. Cost: the root receives
/// `size × count` elements (in pieces of at most 64 Ki elements per rank),
/// fine for the scalars and short vectors that validation reduces. Integer
/// sums are exact in any order (wrapping), so MPI reduces them itself; min
/// and max are order-free. For the same bits for **any rank count** (the data
/// cut differently), sum with `exactSum`, which rounds once.
extension Communicator {
    /// Sends `buffer` from `root` to every rank's `buffer` (same count everywhere).
    public func broadcast<T: MPIElement>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int = 0) throws(MPIError) {
        try checkRank(root, "root", "MPI_Bcast")
        try check(MPI_Bcast(buffer.baseAddress, try mpiCount(buffer.count, "MPI_Bcast"), T.mpiDatatype, Int32(root), handle), "MPI_Bcast")
    }

    /// `root`'s `values` on every rank (the count travels first, so other
    /// ranks may pass anything, e.g. `[]`).
    public func broadcast<T: MPIElement>(_ values: [T], root: Int = 0) throws(MPIError) -> [T] {
        var n = [Int64(values.count)]
        try n.withUnsafeMutableBufferPointer { (b) throws(MPIError) in try broadcast(b, root: root) }
        var out = rank == root ? values : [T](repeating: unsafeZero(), count: Int(n[0]))
        try out.withUnsafeMutableBufferPointer { (b) throws(MPIError) in try broadcast(b, root: root) }
        return out
    }

    /// `root`'s `value` on every rank.
    public func broadcast<T: MPIElement>(_ value: T, root: Int = 0) throws(MPIError) -> T {
        var v = [value]
        try v.withUnsafeMutableBufferPointer { (b) throws(MPIError) in try broadcast(b, root: root) }
        return v[0]
    }

    /// The element-wise reduction of every rank's `values` (same count on every
    /// rank) on `root`; `nil` on the other ranks.
    public func reduce<T: MPIElement>(_ values: [T], _ op: ReduceOperation, root: Int = 0) throws(MPIError) -> [T]? {
        try checkRank(root, "root", "MPI_Reduce")
        try checkReducible(T.self, op, "MPI_Reduce")
        if op == .sum && !T.sumIsExact { return try orderedSum(values, root: root) }
        var out = [T](repeating: unsafeZero(), count: values.count)
        let n = try mpiCount(values.count, "MPI_Reduce")
        try values.withUnsafeBufferPointer { (s) throws(MPIError) in
            try out.withUnsafeMutableBufferPointer { (r) throws(MPIError) in
                try check(MPI_Reduce(s.baseAddress, r.baseAddress, n, T.mpiDatatype, op.mpiOp, Int32(root), handle), "MPI_Reduce")
            }
        }
        return rank == root ? out : nil
    }

    /// The element-wise reduction on every rank (deterministic sums: see above).
    public func allreduce<T: MPIElement>(_ values: [T], _ op: ReduceOperation) throws(MPIError) -> [T] {
        try checkReducible(T.self, op, "MPI_Allreduce")
        if op == .sum && !T.sumIsExact {
            let r = try orderedSum(values, root: 0)
            var out = r ?? [T](repeating: unsafeZero(), count: values.count)
            try out.withUnsafeMutableBufferPointer { (b) throws(MPIError) in try broadcast(b, root: 0) }
            return out
        }
        var out = [T](repeating: unsafeZero(), count: values.count)
        let n = try mpiCount(values.count, "MPI_Allreduce")
        try values.withUnsafeBufferPointer { (s) throws(MPIError) in
            try out.withUnsafeMutableBufferPointer { (r) throws(MPIError) in
                try check(MPI_Allreduce(s.baseAddress, r.baseAddress, n, T.mpiDatatype, op.mpiOp, handle), "MPI_Allreduce")
            }
        }
        return out
    }

    /// The reduction of one value per rank, on every rank.
    public func allreduce<T: MPIElement>(_ value: T, _ op: ReduceOperation) throws(MPIError) -> T {
        try allreduce([value], op)[0]
    }

    /// The exactly rounded sum of every element on every rank, on every rank:
    /// the same bits for any rank count and any way of cutting the data
    /// (each rank's exact partials are gathered and merged; see `ExactSum`).
    public func exactSum(_ values: UnsafeBufferPointer<Double>) throws(MPIError) -> Double {
        var local = ExactSum()
        local.add(contentsOf: values)
        return try exactSum(local)
    }

    /// `exactSum` of an array.
    public func exactSum(_ values: [Double]) throws(MPIError) -> Double {
        try values.withUnsafeBufferPointer { (b) throws(MPIError) in try exactSum(b) }
    }

    /// Merges every rank's `ExactSum` and rounds once.
    public func exactSum(_ local: ExactSum) throws(MPIError) -> Double {
        let all = try allgatherv([local.special] + local.partials)
        var total = ExactSum()
        for r in 0 ..< size {
            let part = all.values[all.displacements[r] ..< all.displacements[r] + all.counts[r]]
            total.merge(ExactSum(partials: Array(part.dropFirst()), special: part.first ?? 0))
        }
        return total.value
    }

    private func checkReducible<T: MPIElement>(_: T.Type, _ op: ReduceOperation, _ function: String) throws(MPIError) {
        if !T.isOrdered && (op != .sum || T.self == Bool.self) {
            throw MPIError(.invalidArgument, function, "\(op) is not defined for \(T.mpiTypeName)")
        }
    }

    /// Rank-order element-wise sum on `root`, in pieces of ≤ 64 Ki elements per rank.
    private func orderedSum<T: MPIElement>(_ values: [T], root: Int) throws(MPIError) -> [T]? {
        let counts = try allgather(Int64(values.count))
        if counts.contains(where: { $0 != counts[0] }) {
            throw MPIError(.mismatch, "Communicator.reduce", "ranks reduce different counts: \(counts)")
        }
        let piece = 1 << 16
        var out: [T] = []
        if rank == root { out.reserveCapacity(values.count) }
        var start = 0
        repeat {
            let n = min(piece, values.count - start)
            let chunk = Array(values[start ..< start + n])
            if let all = try gather(chunk, count: n, root: root) {
                for i in 0 ..< n {
                    var s = all[i]
                    for r in 1 ..< size { s = T.mpiAdd(s, all[r * n + i]) }
                    out.append(s)
                }
            }
            start += n
        } while start < values.count
        return rank == root ? out : nil
    }

    // MARK: Gather, scatter

    /// Every rank's `values` (exactly `count` on each) concatenated in rank order on `root`.
    public func gather<T: MPIElement>(_ values: [T], count: Int, root: Int = 0) throws(MPIError) -> [T]? {
        try checkRank(root, "root", "MPI_Gather")
        if values.count != count {
            throw MPIError(.invalidArgument, "MPI_Gather", "this rank has \(values.count) elements, the gather takes \(count) from each; use gatherv for different counts")
        }
        let n = try mpiCount(count, "MPI_Gather")
        var out = [T](repeating: unsafeZero(), count: rank == root ? count * size : 0)
        try values.withUnsafeBufferPointer { (s) throws(MPIError) in
            try out.withUnsafeMutableBufferPointer { (r) throws(MPIError) in
                try check(MPI_Gather(s.baseAddress, n, T.mpiDatatype, r.baseAddress, n, T.mpiDatatype, Int32(root), handle), "MPI_Gather")
            }
        }
        return rank == root ? out : nil
    }

    /// Every rank's `values` concatenated in rank order on `root`, the counts
    /// `counts[r]` known on the root (other ranks may pass `[]`). The root
    /// checks that counts has one entry per rank; MPI reports a rank that
    /// sends more than its count (MPI_ERR_TRUNCATE).
    public func gatherv<T: MPIElement>(_ values: [T], counts: [Int], root: Int = 0) throws(MPIError) -> [T]? {
        try checkRank(root, "root", "MPI_Gatherv")
        var recvCounts: [Int32] = [], displs: [Int32] = []
        if rank == root {
            guard counts.count == size else {
                throw MPIError(.invalidArgument, "MPI_Gatherv", "\(counts.count) counts for \(size) ranks")
            }
            if counts[rank] != values.count {
                throw MPIError(.mismatch, "MPI_Gatherv", "root has \(values.count) elements, counts[\(rank)] is \(counts[rank])")
            }
            var offset = 0
            for c in counts {
                recvCounts.append(try mpiCount(c, "MPI_Gatherv"))
                displs.append(try mpiCount(offset, "MPI_Gatherv"))
                offset += c
            }
        }
        let total = rank == root ? counts.reduce(0, +) : 0
        var out = [T](repeating: unsafeZero(), count: total)
        let n = try mpiCount(values.count, "MPI_Gatherv")
        try values.withUnsafeBufferPointer { (s) throws(MPIError) in
            try out.withUnsafeMutableBufferPointer { (r) throws(MPIError) in
                try check(MPI_Gatherv(s.baseAddress, n, T.mpiDatatype, r.baseAddress, recvCounts, displs, T.mpiDatatype,
                                      Int32(root), handle), "MPI_Gatherv")
            }
        }
        return rank == root ? out : nil
    }

    /// Every rank's `values`, counts not known in advance: the counts are
    /// gathered first. Returns the concatenation and the counts on `root`.
    public func gather<T: MPIElement>(_ values: [T], root: Int = 0) throws(MPIError) -> (values: [T], counts: [Int])? {
        let counts = try gather([Int64(values.count)], count: 1, root: root)
        let c = counts?.map { Int($0) } ?? []
        guard let all = try gatherv(values, counts: c, root: root) else { return nil }
        return (all, c)
    }

    /// `root`'s `values` cut into pieces of `counts[r]` elements, piece r to
    /// rank r. `counts` must be the same on every rank; `values` matters only
    /// on the root and must have `counts.reduce(0, +)` elements there.
    public func scatterv<T: MPIElement>(_ values: [T], counts: [Int], root: Int = 0) throws(MPIError) -> [T] {
        try checkRank(root, "root", "MPI_Scatterv")
        guard counts.count == size else {
            throw MPIError(.invalidArgument, "MPI_Scatterv", "\(counts.count) counts for \(size) ranks")
        }
        if let bad = counts.firstIndex(where: { $0 < 0 }) {
            throw MPIError(.invalidArgument, "MPI_Scatterv", "counts[\(bad)] is \(counts[bad])")
        }
        if rank == root && values.count != counts.reduce(0, +) {
            throw MPIError(.mismatch, "MPI_Scatterv", "root has \(values.count) elements, the counts add to \(counts.reduce(0, +))")
        }
        var sendCounts: [Int32] = [], displs: [Int32] = []
        var offset = 0
        for c in counts {
            sendCounts.append(try mpiCount(c, "MPI_Scatterv"))
            displs.append(try mpiCount(offset, "MPI_Scatterv"))
            offset += c
        }
        var out = [T](repeating: unsafeZero(), count: counts[rank])
        let n = sendCounts[rank]
        try values.withUnsafeBufferPointer { (s) throws(MPIError) in
            try out.withUnsafeMutableBufferPointer { (r) throws(MPIError) in
                try check(MPI_Scatterv(s.baseAddress, sendCounts, displs, T.mpiDatatype, r.baseAddress, n, T.mpiDatatype,
                                       Int32(root), handle), "MPI_Scatterv")
            }
        }
        return out
    }

    /// One value from every rank, in rank order, on every rank.
    public func allgather<T: MPIElement>(_ value: T) throws(MPIError) -> [T] {
        try allgather([value])
    }

    /// Every rank's `values` (the same count on each) concatenated in rank order, on every rank.
    public func allgather<T: MPIElement>(_ values: [T]) throws(MPIError) -> [T] {
        let n = try mpiCount(values.count, "MPI_Allgather")
        var out = [T](repeating: unsafeZero(), count: values.count * size)
        try values.withUnsafeBufferPointer { (s) throws(MPIError) in
            try out.withUnsafeMutableBufferPointer { (r) throws(MPIError) in
                try check(MPI_Allgather(s.baseAddress, n, T.mpiDatatype, r.baseAddress, n, T.mpiDatatype, handle), "MPI_Allgather")
            }
        }
        return out
    }

    /// Every rank's `values` (any counts) in rank order on every rank, with
    /// each rank's count and where its piece starts.
    public func allgatherv<T: MPIElement>(_ values: [T]) throws(MPIError) -> (values: [T], counts: [Int], displacements: [Int]) {
        let counts = try allgather(Int64(values.count)).map { Int($0) }
        var displs: [Int] = [], offset = 0
        for c in counts { displs.append(offset); offset += c }
        let c32 = try counts.map { (c) throws(MPIError) in try mpiCount(c, "MPI_Allgatherv") }
        let d32 = try displs.map { (d) throws(MPIError) in try mpiCount(d, "MPI_Allgatherv") }
        var out = [T](repeating: unsafeZero(), count: offset)
        let n = try mpiCount(values.count, "MPI_Allgatherv")
        try values.withUnsafeBufferPointer { (s) throws(MPIError) in
            try out.withUnsafeMutableBufferPointer { (r) throws(MPIError) in
                try check(MPI_Allgatherv(s.baseAddress, n, T.mpiDatatype, r.baseAddress, c32, d32, T.mpiDatatype, handle), "MPI_Allgatherv")
            }
        }
        return (out, counts, displs)
    }
}
#endif
