import CelerCore
import CelerParallel

// Advanced indexing: boolean masks and integer arrays (NumPy's "fancy"
// indexing). The elements they select do not form a strided view, so reading
// them makes a new array and assigning to them scatters into this array's
// storage, as in NumPy.
//
// Both are one operation underneath. An integer array lists positions along
// one axis; a mask over the leading k axes lists (its true elements, in
// row-major order) positions in those axes taken together. Each position
// names a block: the remaining axes after it. `IndexedTransfer` moves those
// blocks between this array and a plain strided operand (the new array, or
// the values to assign), for every position of the axes before the indexed
// one: a contiguous copy per block when blocks are contiguous rows, a direct
// gather loop when blocks are single elements (an integer array along the
// last axis, a full-shape mask). Every index is checked, and every shape,
// before memory is touched.

// MARK: - Boolean masks

extension NDArray {
    /// NumPy's `a[mask]` (a copy) and `a[mask] = v`, for a mask of this
    /// array's shape or of its leading dimensions (`a[mask: a[.all, 0] .> 0]`
    /// selects rows). See `selecting(_:)` and `setSelected(_:_:)`. Traps with
    /// the same message on a mask or value of the wrong shape.
    @inlinable
    public subscript(mask mask: NDArray<Bool>) -> NDArray {
        get { trapping { () throws(CelerError) in try selecting(mask) } }
        nonmutating set { trapping { () throws(CelerError) in try setSelected(mask, newValue) } }
    }

    /// The entries where `mask` is true, as a new array (NumPy's `a[mask]`).
    ///
    /// `mask.shape` must be `shape[..<k]` for some k (the whole shape
    /// included); the result has shape `[trueCount] + shape[k...]`: for each
    /// true element, in row-major order of the mask, the block of the
    /// remaining axes at that position. A full-shape mask gives a 1-D array of
    /// elements. Throws naming both shapes when the mask does not fit.
    @inlinable
    public func selecting(_ mask: NDArray<Bool>) throws(CelerError) -> NDArray {
        let offsets = try maskOffsets(mask)
        let k = mask.ndim
        let inner = Array(shape[k...])
        let out = NDArray(uninitializedShape: [offsets.count] + inner)
        let transfer = IndexedTransfer<Element>(
            outer: [], outerIndexed: [], outerPlain: [],
            indexedOffsets: offsets, plainOffsets: steps(offsets.count, by: out.strides[0]),
            inner: inner, innerIndexed: Array(strides[k...]), innerPlain: Array(out.strides.dropFirst()))
        withExtendedLifetime((self, out)) { transfer.run(indexed: baseAddress, plain: out.baseAddress, gather: true) }
        return out
    }

    /// Sets the entries where `mask` is true from `values` (NumPy's
    /// `a[mask] = v`), with the mask shapes `selecting(_:)` accepts.
    ///
    /// `values` is broadcast to the selected shape `[trueCount] + shape[k...]`:
    /// a scalar (0-d) sets every selected element, a row of shape
    /// `shape[k...]` is written to every selected block, `[trueCount] +
    /// shape[k...]` gives one block per true element. Leading dimensions of
    /// length 1 in `values` are ignored, as in NumPy. Throws naming the shapes
    /// when they do not fit; nothing is written then.
    @inlinable
    public func setSelected(_ mask: NDArray<Bool>, _ values: NDArray) throws(CelerError) {
        let offsets = try maskOffsets(mask)
        let k = mask.ndim
        let inner = Array(shape[k...])
        let v = try assignable(values, to: [offsets.count] + inner, "boolean mask assignment")
        let transfer = IndexedTransfer<Element>(
            outer: [], outerIndexed: [], outerPlain: [],
            indexedOffsets: offsets, plainOffsets: steps(offsets.count, by: v.strides.first ?? 0),
            inner: inner, innerIndexed: Array(strides[k...]), innerPlain: Array(v.strides.dropFirst()))
        withExtendedLifetime((self, v)) { transfer.run(indexed: baseAddress, plain: v.baseAddress, gather: false) }
    }

    /// Storage offsets (from `baseAddress`) of the blocks where `mask`, which
    /// covers the leading `mask.ndim` axes, is true, in row-major order.
    @inlinable
    func maskOffsets(_ mask: NDArray<Bool>) throws(CelerError) -> [Int] {
        let k = mask.ndim
        guard k <= ndim, Array(shape[..<k]) == mask.shape else {
            throw ArrayError.invalid("shape", "boolean mask: expected the array's shape \(shapeDescription(shape)) or its leading dimensions, got \(shapeDescription(mask.shape))")
        }
        let positions = mask.nonzeroPositions()
        // The leading axes, merged where this array steps through them evenly:
        // `lead.a` are this array's strides, `lead.b` the mask's row-major ones.
        let leadShape = Array(shape[..<k])
        let lead = IndexedTransfer<Element>.coalesce(leadShape, Array(strides[..<k]), Layout.contiguousStrides(leadShape))
        let n = positions.count, dims = lead.shape.count
        let p = positions.baseAddress
        var offsets = [Int](repeating: 0, count: n)
        withExtendedLifetime(positions) {
            offsets.withUnsafeMutableBufferPointer { o in
                if dims == 1 {
                    let s = lead.a[0]
                    for j in 0..<n { o[j] = Int(p[j]) &* s }
                } else if dims > 1 {
                    lead.a.withUnsafeBufferPointer { a in
                        lead.b.withUnsafeBufferPointer { b in
                            for j in 0..<n {
                                var rest = Int(p[j]), position = 0
                                for d in 0..<dims {
                                    let i = rest / b[d]
                                    rest &-= i &* b[d]
                                    position &+= i &* a[d]
                                }
                                o[j] = position
                            }
                        }
                    }
                }
            }
        }
        return offsets
    }
}

// MARK: - Integer arrays along an axis

extension NDArray {
    /// NumPy's `np.take(a, idx, axis=k)` / `a[:, idx]` (a copy) and
    /// `a[:, idx] = v`: see `taking(_:axis:)` and `put(_:_:axis:)`. With the
    /// default axis 0 this is `a[idx]`. Traps with the same message on an
    /// index out of range, a bad axis or values of the wrong shape.
    @inlinable
    public subscript(indices indices: NDArray<Int64>, axis axis: Int = 0) -> NDArray {
        get { trapping { () throws(CelerError) in try taking(indices, axis: axis) } }
        nonmutating set { trapping { () throws(CelerError) in try put(indices, newValue, axis: axis) } }
    }

    /// The entries at `indices` along `axis`, as a new array of shape
    /// `shape[..<axis] + indices.shape + shape[(axis + 1)...]` (NumPy's
    /// `np.take(a, indices, axis=axis)`; `a[:, :, idx]` for axis 2).
    ///
    /// Negative indices and a negative axis count from the end; indices may
    /// repeat and come in any order. Throws naming the index, the axis and its
    /// size when an index is out of range, and naming the axis when it is.
    @inlinable
    public func taking(_ indices: NDArray<Int64>, axis: Int = 0) throws(CelerError) -> NDArray {
        let ax = try indexedAxis(axis)
        let offsets = try indexOffsets(indices, axis: ax)
        let outer = Array(shape[..<ax]), inner = Array(shape[(ax + 1)...])
        let out = NDArray(uninitializedShape: outer + indices.shape + inner)
        // The result as outer + [m] + inner, contiguous.
        let rows = Layout.contiguousStrides(outer + [offsets.count] + inner)
        let transfer = IndexedTransfer<Element>(
            outer: outer, outerIndexed: Array(strides[..<ax]), outerPlain: Array(rows[..<ax]),
            indexedOffsets: offsets, plainOffsets: steps(offsets.count, by: rows[ax]),
            inner: inner, innerIndexed: Array(strides[(ax + 1)...]), innerPlain: Array(rows[(ax + 1)...]))
        withExtendedLifetime((self, out)) { transfer.run(indexed: baseAddress, plain: out.baseAddress, gather: true) }
        return out
    }

    /// Sets the entries at `indices` along `axis` from `values` (NumPy's
    /// `a[:, idx] = values` for axis 1), broadcast to the shape
    /// `taking(indices, axis: axis)` has: a scalar, a block of the remaining
    /// axes, or one value per taken element. With repeated indices the last
    /// write wins, as in NumPy. Throws (before writing anything) on an index
    /// out of range, a bad axis, or values that do not broadcast.
    @inlinable
    public func put(_ indices: NDArray<Int64>, _ values: NDArray, axis: Int = 0) throws(CelerError) {
        let ax = try indexedAxis(axis)
        let offsets = try indexOffsets(indices, axis: ax)
        let outer = Array(shape[..<ax]), inner = Array(shape[(ax + 1)...])
        let v = try assignable(values, to: outer + indices.shape + inner, "integer array assignment")
        // Where each index's block starts in `values`: its position in the
        // index axes of `v` (strides may be 0 there, for broadcast values).
        let indexAxes = ax..<(ax + indices.ndim)
        let plainOffsets = Self.rowMajorOffsets(Array(v.shape[indexAxes]), Array(v.strides[indexAxes]))
        let transfer = IndexedTransfer<Element>(
            outer: outer, outerIndexed: Array(strides[..<ax]), outerPlain: Array(v.strides[..<ax]),
            indexedOffsets: offsets, plainOffsets: plainOffsets,
            inner: inner, innerIndexed: Array(strides[(ax + 1)...]), innerPlain: Array(v.strides[indexAxes.upperBound...]))
        withExtendedLifetime((self, v)) { transfer.run(indexed: baseAddress, plain: v.baseAddress, gather: false) }
    }

    /// `axis` made non-negative, for integer-array indexing.
    @inlinable
    func indexedAxis(_ axis: Int) throws(CelerError) -> Int {
        // `a[idx]` on a 0-d array: NumPy's "too many indices".
        if ndim == 0 && axis == 0 { throw ArrayError.tooManyIndices(1, ndim: 0) }
        return try checkedAxis(axis)
    }

    /// Storage offsets (from `baseAddress`) of the entries at `indices` along
    /// `axis`, in row-major order of `indices`; throws on the first index out of range.
    @inlinable
    func indexOffsets(_ indices: NDArray<Int64>, axis: Int) throws(CelerError) -> [Int] {
        let idx = indices.ascontiguous()
        let n = shape[axis], s = strides[axis], m = idx.count
        let p = idx.baseAddress
        var offsets = [Int](repeating: 0, count: m)
        var bad: Int? = nil
        withExtendedLifetime(idx) {
            offsets.withUnsafeMutableBufferPointer { o in
                for j in 0..<m {
                    let i = Int(p[j])
                    let q = i < 0 ? i &+ n : i
                    guard q >= 0 && q < n else { bad = i; return }
                    o[j] = q &* s
                }
            }
        }
        if let bad { throw ArrayError.index(bad, axis: axis, size: n) }
        return offsets
    }

    /// `values` viewed with the shape `target` for an assignment: leading
    /// dimensions of length 1 beyond `target`'s rank dropped (NumPy does the
    /// same), then broadcast; copied first when it shares this array's
    /// storage, so every value is read before any is written.
    @inlinable
    func assignable(_ values: NDArray, to target: [Int], _ what: String) throws(CelerError) -> NDArray {
        var v = values.sharesStorage(with: self) ? values.copy() : values
        while v.ndim > target.count && v.shape[0] == 1 {
            v = NDArray(storage: v.storage, shape: Array(v.shape.dropFirst()), strides: Array(v.strides.dropFirst()), offset: v.offset)
        }
        do { return try v.broadcast(to: target) } catch {
            throw ArrayError.invalid("shape", "\(what): value array of shape \(shapeDescription(values.shape)) could not be broadcast to indexing result of shape \(shapeDescription(target))")
        }
    }

    /// `0, step, 2·step, …` (`count` offsets).
    @inlinable
    func steps(_ count: Int, by step: Int) -> [Int] {
        (0..<count).map { $0 &* step }
    }

    /// The offsets of every position of `shape` (row-major) under `strides`.
    @inlinable
    static func rowMajorOffsets(_ shape: [Int], _ strides: [Int]) -> [Int] {
        var offsets = [0]
        for d in 0..<shape.count {
            let s = strides[d]
            offsets = offsets.flatMap { base in (0..<shape[d]).map { base &+ $0 &* s } }
        }
        return offsets
    }
}

// MARK: - The transfer of indexed blocks

/// Moves the blocks that advanced indexing selects between an *indexed*
/// operand (the array being indexed) and a *plain* strided operand (the new
/// array of a read, the broadcast values of an assignment).
///
/// The element for (outer position o, selected entry j, inner position i) is
///     indexed[outerOffset(o) + indexedOffsets[j] + i·innerIndexed]
///     plain[outerOffset(o) + plainOffsets[j] + i·innerPlain]
/// where o runs over the axes before the indexed one (the outer axes) and i
/// over the axes after it (the block). Outer and inner axes are coalesced
/// first, so a contiguous block is one run of memory whatever its rank.
@usableFromInline
struct IndexedTransfer<Element> {
    @usableFromInline let outer: [Int]
    @usableFromInline let outerIndexed: [Int]
    @usableFromInline let outerPlain: [Int]
    @usableFromInline let indexedOffsets: [Int]
    @usableFromInline let plainOffsets: [Int]
    @usableFromInline let inner: [Int]
    @usableFromInline let innerIndexed: [Int]
    @usableFromInline let innerPlain: [Int]
    /// Whether some axis is empty (nothing to move).
    @usableFromInline let isEmpty: Bool

    @inlinable
    init(outer: [Int], outerIndexed: [Int], outerPlain: [Int], indexedOffsets: [Int], plainOffsets: [Int],
         inner: [Int], innerIndexed: [Int], innerPlain: [Int]) {
        isEmpty = outer.contains(0) || inner.contains(0) || indexedOffsets.isEmpty
        let o = Self.coalesce(outer, outerIndexed, outerPlain)
        let i = Self.coalesce(inner, innerIndexed, innerPlain)
        self.outer = o.shape; self.outerIndexed = o.a; self.outerPlain = o.b
        self.indexedOffsets = indexedOffsets; self.plainOffsets = plainOffsets
        self.inner = i.shape; self.innerIndexed = i.a; self.innerPlain = i.b
    }

    /// `shape` with axes of length 1 dropped and neighbours merged where both
    /// operands (strides `a`, `b`) step through them evenly, in row-major order.
    @inlinable
    static func coalesce(_ shape: [Int], _ a: [Int], _ b: [Int]) -> (shape: [Int], a: [Int], b: [Int]) {
        var s: [Int] = [], x: [Int] = [], y: [Int] = []
        for d in 0..<shape.count where shape[d] != 1 {
            if let last = s.indices.last, x[last] == a[d] &* shape[d], y[last] == b[d] &* shape[d] {
                s[last] *= shape[d]; x[last] = a[d]; y[last] = b[d]
            } else {
                s.append(shape[d]); x.append(a[d]); y.append(b[d])
            }
        }
        return (s, x, y)
    }

    /// Copies from `indexed` to `plain` (`gather`) or back (a scatter: in
    /// order of the outer positions, then of the entries, so with repeated
    /// indices the last write wins). Large gathers run in parallel over
    /// (outer position, entry) rows, which write disjoint blocks.
    @inlinable
    func run(indexed: UnsafeMutablePointer<Element>, plain: UnsafeMutablePointer<Element>, gather: Bool) {
        if isEmpty { return }
        let m = indexedOffsets.count
        let rows = Layout.count(outer) &* m
        let total = rows &* Layout.count(inner)
        indexedOffsets.withUnsafeBufferPointer { io in
            plainOffsets.withUnsafeBufferPointer { po in
                if gather && total >= StridedLoop.parallelThreshold && rows > 1 {
                    parallelFor(0..<rows) { range in
                        runRows(range, m: m, indexed: indexed, plain: plain, io: io, po: po, gather: gather)
                    }
                } else {
                    runRows(0..<rows, m: m, indexed: indexed, plain: plain, io: io, po: po, gather: gather)
                }
            }
        }
    }

    /// Rows `range` of (outer position, entry), entry fastest.
    @inlinable
    func runRows(_ range: Range<Int>, m: Int, indexed: UnsafeMutablePointer<Element>, plain: UnsafeMutablePointer<Element>,
                 io: UnsafeBufferPointer<Int>, po: UnsafeBufferPointer<Int>, gather: Bool) {
        var r = range.lowerBound
        while r < range.upperBound {
            let o = r / m, j0 = r &- o &* m
            let j1 = Swift.min(m, j0 &+ (range.upperBound &- r))
            // Offsets of outer position o in both operands.
            var rest = o, oi = 0, op = 0
            for d in stride(from: outer.count - 1, through: 0, by: -1) {
                let i = rest % outer[d]
                rest /= outer[d]
                oi &+= i &* outerIndexed[d]
                op &+= i &* outerPlain[d]
            }
            runEntries(j0..<j1, indexed: indexed + oi, plain: plain + op, io: io, po: po, gather: gather)
            r &+= j1 &- j0
        }
    }

    /// Entries `js` at one outer position: the block loop, specialised for
    /// single elements and for one (coalesced) inner axis.
    @inlinable
    func runEntries(_ js: Range<Int>, indexed: UnsafeMutablePointer<Element>, plain: UnsafeMutablePointer<Element>,
                    io: UnsafeBufferPointer<Int>, po: UnsafeBufferPointer<Int>, gather: Bool) {
        switch inner.count {
        case 0:
            if gather { for j in js { plain[po[j]] = indexed[io[j]] } }
            else { for j in js { indexed[io[j]] = plain[po[j]] } }
        case 1:
            let n = inner[0], si = innerIndexed[0], sp = innerPlain[0]
            if si == 1 && sp == 1 {
                if gather { for j in js { (plain + po[j]).update(from: indexed + io[j], count: n) } }
                else { for j in js { (indexed + io[j]).update(from: plain + po[j], count: n) } }
            } else {
                for j in js {
                    let a = indexed + io[j], b = plain + po[j]
                    if gather { for i in 0..<n { b[i &* sp] = a[i &* si] } }
                    else { for i in 0..<n { a[i &* si] = b[i &* sp] } }
                }
            }
        default:
            for j in js { copyBlock(axis: 0, indexed: indexed + io[j], plain: plain + po[j], gather: gather) }
        }
    }

    /// One block of several non-mergeable inner axes, recursively.
    @inlinable
    func copyBlock(axis: Int, indexed: UnsafeMutablePointer<Element>, plain: UnsafeMutablePointer<Element>, gather: Bool) {
        let n = inner[axis], si = innerIndexed[axis], sp = innerPlain[axis]
        if axis == inner.count - 1 {
            if gather { for i in 0..<n { plain[i &* sp] = indexed[i &* si] } }
            else { for i in 0..<n { indexed[i &* si] = plain[i &* sp] } }
            return
        }
        for i in 0..<n { copyBlock(axis: axis + 1, indexed: indexed + i &* si, plain: plain + i &* sp, gather: gather) }
    }
}
