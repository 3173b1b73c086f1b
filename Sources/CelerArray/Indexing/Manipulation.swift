import CelerCore

// Shape manipulation. Views (O(1), share storage): transposed, T, swapaxes,
// squeezed, expanded, broadcast(to:), ravel() of a contiguous array, and
// reshaped() whenever the strides allow it. Copies (new storage): copy(),
// flatten(), ascontiguous() of a non-contiguous array, reshaped() when no view
// can express the new shape, concatenate, stack, rolled.

extension NDArray {
    /// An independent row-major (C order) copy of the elements, as NumPy's `a.copy()`.
    @inlinable
    public func copy() -> NDArray {
        let out = NDArray(uninitializedShape: shape)
        trapping { () throws(CelerError) in try apply(CopyKernel<Element>(), self, out: out) }
        return out
    }

    /// This array if it is contiguous, else a contiguous copy.
    @inlinable
    public func ascontiguous() -> NDArray { isContiguous ? self : copy() }

    /// The elements converted to another element type (NumPy's `astype`), a new array.
    @inlinable
    public func astype<T: NDArrayElement>(_ type: T.Type) -> NDArray<T> { map(ConvertKernel<Element, T>(), self) }

    /// This array with a new shape of the same count; one dimension may be -1
    /// (inferred). A view when the strides allow it (always for contiguous
    /// arrays), else a copy: check `sharesStorage(with:)` to know which.
    @inlinable
    public func reshaped(_ newShape: [Int]) throws(CelerError) -> NDArray {
        var target = newShape
        let unknown = target.indices.filter { target[$0] == -1 }
        guard unknown.count <= 1, target.allSatisfy({ $0 >= -1 }) else {
            throw ArrayError.reshape(count, from: shape, to: newShape)
        }
        if let u = unknown.first {
            let known = target.enumerated().reduce(1) { $1.offset == u ? $0 : $0 * $1.element }
            guard known > 0, count % known == 0 else { throw ArrayError.reshape(count, from: shape, to: newShape) }
            target[u] = count / known
        }
        guard Layout.count(target) == count else { throw ArrayError.reshape(count, from: shape, to: newShape) }
        if let viewStrides = Self.reshapeStrides(shape, strides, to: target) {
            return NDArray(storage: storage, shape: target, strides: viewStrides, offset: offset)
        }
        let c = copy()
        return NDArray(storage: c.storage, shape: target, strides: Layout.contiguousStrides(target), offset: 0)
    }

    /// `reshaped(_:)` with the dimensions listed; traps on a wrong count.
    @inlinable
    public func reshaped(_ newShape: Int...) -> NDArray {
        trapping { () throws(CelerError) in try reshaped(newShape) }
    }

    /// Strides that view `shape`/`strides` as `target` without copying, if
    /// any exist (NumPy's `_attempt_nocopy_reshape`): each group of old axes
    /// that maps onto a group of new axes must be contiguous within itself.
    @inlinable
    static func reshapeStrides(_ shape: [Int], _ strides: [Int], to target: [Int]) -> [Int]? {
        if Layout.count(shape) == 0 { return Layout.contiguousStrides(target) }
        var oldDims: [Int] = [], oldStrides: [Int] = []
        for d in 0..<shape.count where shape[d] != 1 { oldDims.append(shape[d]); oldStrides.append(strides[d]) }
        var result = [Int](repeating: 0, count: target.count)
        var oi = 0, oj = 1, ni = 0, nj = 1
        while ni < target.count && oi < oldDims.count {
            var np = target[ni], op = oldDims[oi]
            while np != op {
                if np < op { np *= target[nj]; nj += 1 } else { op *= oldDims[oj]; oj += 1 }
            }
            for k in oi..<(oj - 1) where oldStrides[k] != oldDims[k + 1] * oldStrides[k + 1] { return nil }
            result[nj - 1] = oldStrides[oj - 1]
            var k = nj - 1
            while k > ni { result[k - 1] = result[k] * target[k]; k -= 1 }
            ni = nj; nj += 1
            oi = oj; oj += 1
        }
        // Trailing axes of length 1.
        for k in ni..<target.count { result[k] = 1 }
        return result
    }

    /// A 1-D array of the elements: a view when contiguous, else a copy.
    @inlinable
    public func ravel() -> NDArray { trapping { () throws(CelerError) in try ascontiguous().reshaped([count]) } }

    /// A 1-D copy of the elements (always new storage).
    @inlinable
    public func flatten() -> NDArray { trapping { () throws(CelerError) in try copy().reshaped([count]) } }

    /// The axes in reverse order (a view): NumPy's `a.T`.
    @inlinable
    public var T: NDArray { NDArray(storage: storage, shape: shape.reversed(), strides: strides.reversed(), offset: offset) }

    /// The axes in the order `axes` (a view); traps unless `axes` is a permutation.
    @inlinable
    public func transposed(_ axes: [Int]? = nil) -> NDArray {
        guard let axes else { return T }
        precondition(axes.count == ndim && Set(axes.map { $0 < 0 ? $0 + ndim : $0 }) == Set(0..<ndim),
                     "axes \(axes) are not a permutation of the \(ndim) axes of an array of shape \(shapeDescription(shape))")
        let a = axes.map { $0 < 0 ? $0 + ndim : $0 }
        return NDArray(storage: storage, shape: a.map { shape[$0] }, strides: a.map { strides[$0] }, offset: offset)
    }

    /// Axes `a` and `b` exchanged (a view).
    @inlinable
    public func swapaxes(_ a: Int, _ b: Int) -> NDArray {
        var axes = Array(0..<ndim)
        axes.swapAt(normalizedAxis(a), normalizedAxis(b))
        return transposed(axes)
    }

    /// Without axes of length 1 (or only `axis`, which must have length 1); a view.
    @inlinable
    public func squeezed(axis: Int? = nil) -> NDArray {
        var keep = Array(0..<ndim).filter { shape[$0] != 1 }
        if let axis {
            let a = normalizedAxis(axis)
            precondition(shape[a] == 1, "cannot select an axis to squeeze out which has size not equal to one (axis \(axis), shape \(shapeDescription(shape)))")
            keep = Array(0..<ndim).filter { $0 != a }
        }
        return NDArray(storage: storage, shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] }, offset: offset)
    }

    /// A new axis of length 1 at position `axis` (NumPy's `expand_dims`); a view.
    @inlinable
    public func expanded(axis: Int) -> NDArray {
        let a = axis < 0 ? axis + ndim + 1 : axis
        precondition(a >= 0 && a <= ndim, ArrayError.axis(axis, ndim: ndim + 1).description)
        var s = shape, t = strides
        s.insert(1, at: a); t.insert(0, at: a)
        return NDArray(storage: storage, shape: s, strides: t, offset: offset)
    }

    /// This array viewed with `shape` by NumPy's broadcasting rules (a view
    /// with zero strides; writing to it writes the repeated element).
    @inlinable
    public func broadcast(to target: [Int]) throws(CelerError) -> NDArray {
        let s = try Layout.broadcastStrides(shape, strides, to: target)
        return NDArray(storage: storage, shape: target, strides: s, offset: offset)
    }

    /// `axis` made non-negative; traps naming the axis when out of range.
    @inlinable
    public func normalizedAxis(_ axis: Int) -> Int {
        trapping { () throws(CelerError) in try checkedAxis(axis) }
    }

    @inlinable
    func checkedAxis(_ axis: Int) throws(CelerError) -> Int {
        let a = axis < 0 ? axis + ndim : axis
        guard a >= 0 && a < ndim else { throw ArrayError.axis(axis, ndim: ndim) }
        return a
    }

    /// The elements shifted by `shift` positions along `axis`, wrapping around
    /// (NumPy's `np.roll`), as a new array.
    @inlinable
    public func rolled(_ shift: Int, axis: Int) -> NDArray {
        let out = NDArray(uninitializedShape: shape)
        trapping { () throws(CelerError) in try roll(self, shift, axis: axis, out: out) }
        return out
    }
}

/// `np.roll(a, shift, axis)` written into `out` (same shape, not overlapping
/// `a`) with two slice copies and no allocation.
@inlinable
public func roll<Element>(_ a: NDArray<Element>, _ shift: Int, axis: Int, out: NDArray<Element>) throws(CelerError) {
    guard a.shape == out.shape else { throw ArrayError.shapeMismatch("roll output", expected: a.shape, got: out.shape) }
    let ax = try a.checkedAxis(axis)
    let n = a.shape[ax]
    if n == 0 { return }
    let k = ((shift % n) + n) % n
    func along(_ index: NDIndex) -> [NDIndex] {
        Array(repeating: NDIndex.all, count: ax) + [index]
    }
    if k == 0 { try out.assign(a); return }
    try out.view(along(.from(k))).assign(a.view(along(.to(n - k))))
    try out.view(along(.to(k))).assign(a.view(along(.from(n - k))))
}

/// The arrays joined along an existing axis (NumPy's `concatenate`), a new
/// array; throws naming the shapes when the other axes differ.
@inlinable
public func concatenate<Element>(_ arrays: [NDArray<Element>], axis: Int = 0) throws(CelerError) -> NDArray<Element> {
    guard let first = arrays.first else { throw ArrayError.invalid("concatenate", "need at least one array to concatenate") }
    let ax = try first.checkedAxis(axis)
    var shape = first.shape
    var total = 0
    for a in arrays {
        var s = a.shape
        guard s.count == shape.count else {
            throw ArrayError.invalid("shape", "all the input arrays must have the same number of dimensions: \(arrays.map { shapeDescription($0.shape) }.joined(separator: " "))")
        }
        total += s[ax]
        s[ax] = shape[ax]
        guard s == shape else {
            throw ArrayError.invalid("shape", "all the input array dimensions except for the concatenation axis must match exactly: \(arrays.map { shapeDescription($0.shape) }.joined(separator: " "))")
        }
    }
    shape[ax] = total
    let out = NDArray<Element>(uninitializedShape: shape)
    var start = 0
    let lead = Array(repeating: NDIndex.all, count: ax)
    for a in arrays {
        try out.view(lead + [.s(start, start + a.shape[ax])]).assign(a)
        start += a.shape[ax]
    }
    return out
}

/// The arrays (all of one shape) joined along a new axis (NumPy's `stack`).
@inlinable
public func stack<Element>(_ arrays: [NDArray<Element>], axis: Int = 0) throws(CelerError) -> NDArray<Element> {
    guard let first = arrays.first else { throw ArrayError.invalid("stack", "need at least one array to stack") }
    for a in arrays where a.shape != first.shape {
        throw ArrayError.invalid("shape", "all input arrays must have the same shape: \(arrays.map { shapeDescription($0.shape) }.joined(separator: " "))")
    }
    let ax = axis < 0 ? axis + first.ndim + 1 : axis
    guard ax >= 0 && ax <= first.ndim else { throw ArrayError.axis(axis, ndim: first.ndim + 1) }
    return try concatenate(arrays.map { $0.expanded(axis: ax) }, axis: ax)
}
