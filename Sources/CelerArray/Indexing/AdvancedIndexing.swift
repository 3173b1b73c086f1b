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
// last axis, a full-shape mask), strided loops down the columns when there
// are only a few single elements per row. No view is built per entry. Every
// index is checked, and every shape, before memory is touched.

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
        let selection = try maskSelection(mask)
        let k = mask.ndim
        let inner = Array(shape[k...])
        let out = NDArray(uninitializedShape: [selection.count] + inner)
        let transfer = IndexedTransfer<Element>(
            outer: [], outerIndexed: [], outerPlain: [], entries: selection.count,
            inner: inner, innerIndexed: Array(strides[k...]), innerPlain: Array(out.strides.dropFirst()))
        transferSelected(selection, transfer, plain: out, plainStep: out.strides[0], gather: true)
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
        let selection = try maskSelection(mask)
        let k = mask.ndim
        let inner = Array(shape[k...])
        let v = try assignable(values, to: [selection.count] + inner, "boolean mask assignment")
        let transfer = IndexedTransfer<Element>(
            outer: [], outerIndexed: [], outerPlain: [], entries: selection.count,
            inner: inner, innerIndexed: Array(strides[k...]), innerPlain: Array(v.strides.dropFirst()))
        transferSelected(selection, transfer, plain: v, plainStep: v.strides[0], gather: false)
    }

    /// Where the blocks selected by a mask over the leading axes lie: the
    /// mask's true positions (row-major over those axes), and how to turn a
    /// position into a storage offset of this array.
    @usableFromInline
    struct MaskSelection {
        /// Row-major positions of the true elements, ascending.
        @usableFromInline let positions: NDArray<Int64>
        /// Offset = position × stride, when this array steps through the
        /// leading axes evenly (always for one axis, or a contiguous array).
        @usableFromInline let stride: Int?
        /// Otherwise the offsets, one per true element.
        @usableFromInline let offsets: [Int]
        @inlinable init(positions: NDArray<Int64>, stride: Int?, offsets: [Int]) {
            self.positions = positions; self.stride = stride; self.offsets = offsets
        }
        @inlinable var count: Int { positions.count }
    }

    /// Checks that `mask` covers this array's leading axes and locates its
    /// true elements.
    @inlinable
    func maskSelection(_ mask: NDArray<Bool>) throws(CelerError) -> MaskSelection {
        let k = mask.ndim
        guard k <= ndim, Array(shape[..<k]) == mask.shape else {
            throw ArrayError.invalid("shape", "boolean mask: expected the array's shape \(shapeDescription(shape)) or its leading dimensions, got \(shapeDescription(mask.shape))")
        }
        let positions = mask.nonzeroPositions()
        // The leading axes, merged where this array steps through them evenly:
        // `lead.a` are this array's strides, `lead.b` the mask's row-major ones.
        let leadShape = Array(shape[..<k])
        let lead = IndexedTransfer<Element>.coalesce(leadShape, Array(strides[..<k]), Layout.contiguousStrides(leadShape))
        if lead.shape.count <= 1 {
            return MaskSelection(positions: positions, stride: lead.a.first ?? 0, offsets: [])
        }
        let n = positions.count, dims = lead.shape.count
        let p = positions.baseAddress
        var offsets = [Int](repeating: 0, count: n)
        withExtendedLifetime(positions) {
            offsets.withUnsafeMutableBufferPointer { o in
                lead.a.withUnsafeBufferPointer { a in
                    lead.b.withUnsafeBufferPointer { b in
                        for j in 0..<n {
                            var rest = Int(p[j]), position = 0
                            for d in 0..<(dims - 1) {
                                let i = rest / b[d]
                                rest &-= i &* b[d]
                                position &+= i &* a[d]
                            }
                            o[j] = position &+ rest &* a[dims - 1]   // b[dims - 1] is 1
                        }
                    }
                }
            }
        }
        return MaskSelection(positions: positions, stride: nil, offsets: offsets)
    }

    /// Runs `transfer` between this array and `plain` (whose entry j starts
    /// at j·plainStep) over the blocks `selection` locates.
    @inlinable
    func transferSelected(_ selection: MaskSelection, _ transfer: IndexedTransfer<Element>, plain: NDArray,
                          plainStep: Int, gather: Bool) {
        let rows = SteppedEntries(step: plainStep)
        withExtendedLifetime((self, plain, selection)) {
            if let stride = selection.stride {
                let entries = IndexArrayEntries(indices: selection.positions.baseAddress, size: 0, stride: stride)
                transfer.run(indexed: baseAddress, entries, plain: plain.baseAddress, rows, gather: gather)
            } else {
                selection.offsets.withUnsafeBufferPointer { o in
                    transfer.run(indexed: baseAddress, ListedEntries(offsets: o.baseAddress!), plain: plain.baseAddress, rows, gather: gather)
                }
            }
        }
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
        let idx = try checkedIndices(indices, axis: ax)
        let outer = Array(shape[..<ax]), inner = Array(shape[(ax + 1)...])
        let out = NDArray(uninitializedShape: outer + indices.shape + inner)
        // The result as outer + [m] + inner, contiguous.
        let rows = Layout.contiguousStrides(outer + [idx.count] + inner)
        let transfer = IndexedTransfer<Element>(
            outer: outer, outerIndexed: Array(strides[..<ax]), outerPlain: Array(rows[..<ax]), entries: idx.count,
            inner: inner, innerIndexed: Array(strides[(ax + 1)...]), innerPlain: Array(rows[(ax + 1)...]))
        withExtendedLifetime((self, idx, out)) {
            transferIndexed(idx, axis: ax, transfer, plain: out.baseAddress, SteppedEntries(step: rows[ax]), gather: true)
        }
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
        let idx = try checkedIndices(indices, axis: ax)
        let outer = Array(shape[..<ax]), inner = Array(shape[(ax + 1)...])
        let v = try assignable(values, to: outer + indices.shape + inner, "integer array assignment")
        let indexAxes = ax..<(ax + indices.ndim)
        let transfer = IndexedTransfer<Element>(
            outer: outer, outerIndexed: Array(strides[..<ax]), outerPlain: Array(v.strides[..<ax]), entries: idx.count,
            inner: inner, innerIndexed: Array(strides[(ax + 1)...]), innerPlain: Array(v.strides[indexAxes.upperBound...]))
        withExtendedLifetime((self, idx, v)) {
            if indices.ndim <= 1 {
                let step = indices.ndim == 1 ? v.strides[ax] : 0
                transferIndexed(idx, axis: ax, transfer, plain: v.baseAddress, SteppedEntries(step: step), gather: false)
            } else {
                // Where each index's block starts in `values`: its position in
                // the index axes of `v` (strides may be 0 there, when broadcast).
                let starts = Self.rowMajorOffsets(Array(v.shape[indexAxes]), Array(v.strides[indexAxes]))
                starts.withUnsafeBufferPointer { s in
                    transferIndexed(idx, axis: ax, transfer, plain: v.baseAddress, ListedEntries(offsets: s.baseAddress!), gather: false)
                }
            }
        }
    }

    /// Runs `transfer` between this array, at the (checked) indices `idx`
    /// along `axis`, and `plain`. Read straight from the index array when it
    /// is used once; when every outer position reuses it, its storage offsets
    /// are computed once first, which keeps the per-element loop to a load
    /// and a store.
    @inlinable
    func transferIndexed<P: EntryOffsets>(_ idx: NDArray<Int64>, axis: Int, _ transfer: IndexedTransfer<Element>,
                                          plain: UnsafeMutablePointer<Element>, _ po: P, gather: Bool) {
        let entries = IndexArrayEntries(indices: idx.baseAddress, size: shape[axis], stride: strides[axis])
        if Layout.count(transfer.outer) > 1 {
            let offsets = (0..<idx.count).map { entries.offset($0) }
            offsets.withUnsafeBufferPointer { o in
                transfer.run(indexed: baseAddress, ListedEntries(offsets: o.baseAddress!), plain: plain, po, gather: gather)
            }
        } else {
            transfer.run(indexed: baseAddress, entries, plain: plain, po, gather: gather)
        }
    }

    /// `axis` made non-negative, for integer-array indexing.
    @inlinable
    func indexedAxis(_ axis: Int) throws(CelerError) -> Int {
        // `a[idx]` on a 0-d array: NumPy's "too many indices".
        if ndim == 0 && axis == 0 { throw ArrayError.tooManyIndices(1, ndim: 0) }
        return try checkedAxis(axis)
    }

    /// `indices` as a contiguous array that is not this array's storage,
    /// once every index is known to lie in `-n ..< n` for the `n` entries
    /// along `axis`; else throws naming the first index out of range. (A
    /// min/max pass: the check costs little next to the gather.)
    @inlinable
    func checkedIndices(_ indices: NDArray<Int64>, axis: Int) throws(CelerError) -> NDArray<Int64> {
        // An Int64 array indexed by itself (`x[indices: x] = v`): a scatter
        // must not read indices it has already overwritten.
        let idx = indices.sharesStorage(with: self) ? indices.copy() : indices.ascontiguous()
        let n = Int64(shape[axis]), p = idx.baseAddress, m = idx.count
        var low = Int64.max, high = Int64.min
        for j in 0..<m { low = Swift.min(low, p[j]); high = Swift.max(high, p[j]) }
        if m > 0 && (low < -n || high >= n) {
            let bad = (0..<m).first { p[$0] < -n || p[$0] >= n }!
            throw ArrayError.index(Int(p[bad]), axis: axis, size: Int(n))
        }
        return idx
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

/// Where entry j (a selected position) of an operand starts, as a storage
/// offset from the operand's outer position.
@usableFromInline
protocol EntryOffsets {
    func offset(_ j: Int) -> Int
}

/// Entry j at j·step: the rows of a new array, or of values to assign.
@usableFromInline
struct SteppedEntries: EntryOffsets {
    @usableFromInline let step: Int
    @inlinable init(step: Int) { self.step = step }
    @inlinable @inline(__always) func offset(_ j: Int) -> Int { j &* step }
}

/// Entry j at index `indices[j]` along an axis of `size` entries and
/// `stride` (negative indices count from the end; checked beforehand), read
/// straight from the index array: no offset array is built.
@usableFromInline
struct IndexArrayEntries: EntryOffsets {
    @usableFromInline let indices: UnsafePointer<Int64>
    @usableFromInline let size: Int
    @usableFromInline let stride: Int
    @inlinable init(indices: UnsafePointer<Int64>, size: Int, stride: Int) {
        self.indices = indices; self.size = size; self.stride = stride
    }
    @inlinable @inline(__always) func offset(_ j: Int) -> Int {
        let i = Int(truncatingIfNeeded: indices[j])
        return (i < 0 ? i &+ size : i) &* stride
    }
}

/// Entry j at a listed offset.
@usableFromInline
struct ListedEntries: EntryOffsets {
    @usableFromInline let offsets: UnsafePointer<Int>
    @inlinable init(offsets: UnsafePointer<Int>) { self.offsets = offsets }
    @inlinable @inline(__always) func offset(_ j: Int) -> Int { offsets[j] }
}

/// Moves the blocks that advanced indexing selects between an *indexed*
/// operand (the array being indexed) and a *plain* strided operand (the new
/// array of a read, the broadcast values of an assignment).
///
/// The element for (outer position o, entry j, inner position i) is
///     indexed[outerIndexed·o + entries.offset(j) + innerIndexed·i]
///     plain[outerPlain·o + plainEntries.offset(j) + innerPlain·i]
/// where o runs over the axes before the indexed one (the outer axes) and i
/// over the axes after it (the block). Outer and inner axes are coalesced
/// first, so a contiguous block is one run of memory whatever its rank. The
/// geometry is here; `EntryOffsets` say where the entries lie.
@usableFromInline
struct IndexedTransfer<Element> {
    @usableFromInline let outer: [Int]
    @usableFromInline let outerIndexed: [Int]
    @usableFromInline let outerPlain: [Int]
    /// The number of entries (selected positions).
    @usableFromInline let entries: Int
    @usableFromInline let inner: [Int]
    @usableFromInline let innerIndexed: [Int]
    @usableFromInline let innerPlain: [Int]
    /// Whether some axis is empty (nothing to move).
    @usableFromInline let isEmpty: Bool

    @inlinable
    init(outer: [Int], outerIndexed: [Int], outerPlain: [Int], entries: Int,
         inner: [Int], innerIndexed: [Int], innerPlain: [Int]) {
        isEmpty = outer.contains(0) || inner.contains(0) || entries == 0
        let o = Self.coalesce(outer, outerIndexed, outerPlain)
        let i = Self.coalesce(inner, innerIndexed, innerPlain)
        self.outer = o.shape; self.outerIndexed = o.a; self.outerPlain = o.b
        self.entries = entries
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
    func run<I: EntryOffsets, P: EntryOffsets>(indexed: UnsafeMutablePointer<Element>, _ io: I,
                                               plain: UnsafeMutablePointer<Element>, _ po: P, gather: Bool) {
        if isEmpty { return }
        let rows = Layout.count(outer) &* entries
        let total = rows &* Layout.count(inner)
        let threaded = gather && total >= StridedLoop.parallelThreshold && Parallel.threadCount > 1
        if inner.isEmpty && outer.count == 1 && entries <= Self.columnEntries {
            let n = outer[0]
            if threaded {
                parallelFor(0..<n) { range in runColumns(range, indexed: indexed, io, plain: plain, po, gather: true) }
            } else {
                runColumns(0..<n, indexed: indexed, io, plain: plain, po, gather: gather)
            }
        } else if threaded && rows > 1 {
            parallelFor(0..<rows) { range in runRows(range, indexed: indexed, io, plain: plain, po, gather: true) }
        } else {
            runRows(0..<rows, indexed: indexed, io, plain: plain, po, gather: gather)
        }
    }

    /// Up to this many single-element entries per outer position go down
    /// the outer axis (`runColumns`) rather than along rows.
    @inlinable static var columnEntries: Int { 32 }
    /// Outer positions per block in `runColumns`: the block's rows stay in
    /// cache while each entry's column is walked (at most 32 lines per row).
    @inlinable static var columnBlock: Int { 512 }

    /// Outer positions `range` (one coalesced outer axis, single-element
    /// blocks, few entries: `a[:, [2, 0]]` on a tall array), a block of rows
    /// at a time, one strided loop down the block per entry. Row by row, each
    /// row would cost more to set up than its two or three elements to copy.
    /// A scatter still writes each element's entries in order (last wins).
    @inlinable
    func runColumns<I: EntryOffsets, P: EntryOffsets>(_ range: Range<Int>, indexed: UnsafeMutablePointer<Element>, _ io: I,
                                                      plain: UnsafeMutablePointer<Element>, _ po: P, gather: Bool) {
        let si = outerIndexed[0], sp = outerPlain[0]
        var start = range.lowerBound
        while start < range.upperBound {
            let count = Swift.min(Self.columnBlock, range.upperBound &- start)
            for j in 0..<entries {
                let a = indexed + (io.offset(j) &+ start &* si), b = plain + (po.offset(j) &+ start &* sp)
                if gather { for o in 0..<count { b[o &* sp] = a[o &* si] } }
                else { for o in 0..<count { a[o &* si] = b[o &* sp] } }
            }
            start &+= count
        }
    }

    /// Rows `range` of (outer position, entry), entry fastest.
    @inlinable
    func runRows<I: EntryOffsets, P: EntryOffsets>(_ range: Range<Int>, indexed: UnsafeMutablePointer<Element>, _ io: I,
                                                   plain: UnsafeMutablePointer<Element>, _ po: P, gather: Bool) {
        let m = entries
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
            runEntries(j0..<j1, indexed: indexed + oi, io, plain: plain + op, po, gather: gather)
            r &+= j1 &- j0
        }
    }

    /// Entries `js` at one outer position: the block loop, specialised for
    /// single elements and for one (coalesced) inner axis.
    @inlinable
    func runEntries<I: EntryOffsets, P: EntryOffsets>(_ js: Range<Int>, indexed: UnsafeMutablePointer<Element>, _ io: I,
                                                      plain: UnsafeMutablePointer<Element>, _ po: P, gather: Bool) {
        switch inner.count {
        case 0:
            if gather { for j in js { plain[po.offset(j)] = indexed[io.offset(j)] } }
            else { for j in js { indexed[io.offset(j)] = plain[po.offset(j)] } }
        case 1:
            let n = inner[0], si = innerIndexed[0], sp = innerPlain[0]
            if si == 1 && sp == 1 {
                if gather { for j in js { (plain + po.offset(j)).update(from: indexed + io.offset(j), count: n) } }
                else { for j in js { (indexed + io.offset(j)).update(from: plain + po.offset(j), count: n) } }
            } else {
                for j in js {
                    let a = indexed + io.offset(j), b = plain + po.offset(j)
                    if gather { for i in 0..<n { b[i &* sp] = a[i &* si] } }
                    else { for i in 0..<n { a[i &* si] = b[i &* sp] } }
                }
            }
        default:
            for j in js { copyBlock(axis: 0, indexed: indexed + io.offset(j), plain: plain + po.offset(j), gather: gather) }
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
