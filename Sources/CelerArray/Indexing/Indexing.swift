import CelerCore

/// One entry of an NDArray subscript: NumPy's basic indexing, spelled in Swift.
///
/// | NumPy            | Celer                                  |
/// |------------------|----------------------------------------|
/// | `a[3]`, `a[-1]`  | `a[3]`, `a[-1]` (drops the axis)       |
/// | `a[k]` (variable)| `a[.index(k)]`                         |
/// | `a[1:-1]`        | `a[.s(1, -1)]`                         |
/// | `a[:-2]`, `a[2:]`| `a[.to(-2)]`, `a[.from(2)]`            |
/// | `a[::-1]`        | `a[.step(-1)]`                         |
/// | `a[1:-1:2]`      | `a[.s(1, -1, 2)]`                      |
/// | `a[n*n::n]`      | `a[.from(n * n, step: n)]`             |
/// | `a[:, 0]`        | `a[.all, 0]`                           |
/// | `a[:, np.newaxis]` | `a[.all, .newAxis]`                  |
/// | `a[..., 0]`      | `a[.ellipsis, 0]`                      |
///
/// Slices follow Python's rules exactly: negative positions count from the
/// end, out-of-range bounds are clamped, `nil` means "from the start / to the
/// end" in the direction of the step. A slice is a view (O(1), no copy).
public enum NDIndex: Sendable, Equatable, ExpressibleByIntegerLiteral {
    /// One position along an axis; the axis disappears from the result.
    case index(Int)
    /// `start:stop:step` along an axis.
    case slice(start: Int?, stop: Int?, step: Int)
    /// A new axis of length 1 (NumPy's `np.newaxis` / `None`).
    case newAxis
    /// As many `.all` as needed to index every axis (NumPy's `...`).
    case ellipsis

    @inlinable public init(integerLiteral value: Int) { self = .index(value) }

    /// Every element of the axis (NumPy's `:`).
    public static let all = NDIndex.slice(start: nil, stop: nil, step: 1)
    /// `start:stop:step`; `nil` bounds mean the ends.
    @inlinable public static func s(_ start: Int?, _ stop: Int?, _ step: Int = 1) -> NDIndex {
        .slice(start: start, stop: stop, step: step)
    }
    /// `start::step`.
    @inlinable public static func from(_ start: Int, step: Int = 1) -> NDIndex { .slice(start: start, stop: nil, step: step) }
    /// `:stop:step`.
    @inlinable public static func to(_ stop: Int, step: Int = 1) -> NDIndex { .slice(start: nil, stop: stop, step: step) }
    /// `::step`.
    @inlinable public static func step(_ step: Int) -> NDIndex { .slice(start: nil, stop: nil, step: step) }
    /// A Swift range as a slice: `.r(2..<5)`, `.r(2...)`, `.r(..<(-1))`.
    @inlinable public static func r(_ range: Range<Int>) -> NDIndex { .s(range.lowerBound, range.upperBound) }
    @inlinable public static func r(_ range: ClosedRange<Int>) -> NDIndex {
        .s(range.lowerBound, range.upperBound == -1 ? nil : range.upperBound + 1)
    }
    @inlinable public static func r(_ range: PartialRangeFrom<Int>) -> NDIndex { .s(range.lowerBound, nil) }
    @inlinable public static func r(_ range: PartialRangeUpTo<Int>) -> NDIndex { .s(nil, range.upperBound) }

    /// Python's `slice.indices(length)`: the first position, the step and the
    /// number of elements a slice selects on an axis of `length` elements.
    @inlinable
    public static func resolve(start: Int?, stop: Int?, step: Int, length: Int) throws(CelerError) -> (start: Int, step: Int, count: Int) {
        guard step != 0 else { throw ArrayError.invalid("slice", "slice step cannot be zero") }
        let lower = step > 0 ? 0 : -1
        let upper = step > 0 ? length : length - 1
        func clamp(_ value: Int?, _ missing: Int) -> Int {
            guard var v = value else { return missing }
            if v < 0 { v += length; return Swift.max(v, lower) }
            return Swift.min(v, upper)
        }
        let first = clamp(start, step > 0 ? lower : upper)
        let end = clamp(stop, step > 0 ? upper : lower)
        let count = step > 0 ? Swift.max(0, (end - first + step - 1) / step)
                             : Swift.max(0, (first - end - step - 1) / -step)
        return (first, step, count)
    }
}

extension NDArray {
    /// The view that `indices` select (basic indexing: integers, slices, new
    /// axes, one ellipsis); throws naming the index and axis when out of bounds.
    @inlinable
    public func view(_ indices: [NDIndex]) throws(CelerError) -> NDArray {
        let consuming = indices.reduce(0) { n, i in
            switch i { case .index, .slice: return n + 1; default: return n }
        }
        guard consuming <= ndim else { throw ArrayError.tooManyIndices(consuming, ndim: ndim) }
        let ellipses = indices.filter { $0 == .ellipsis }.count
        guard ellipses <= 1 else { throw ArrayError.invalid("index", "an index can only have a single ellipsis ('...')") }
        var expanded: [NDIndex] = []
        for i in indices {
            if i == .ellipsis { expanded += Array(repeating: .all, count: ndim - consuming) } else { expanded.append(i) }
        }
        if ellipses == 0 { expanded += Array(repeating: .all, count: ndim - consuming) }

        var newShape: [Int] = [], newStrides: [Int] = []
        var newOffset = offset, axis = 0
        for i in expanded {
            switch i {
            case .index(let k):
                let n = shape[axis]
                let p = k < 0 ? k + n : k
                guard p >= 0 && p < n else { throw ArrayError.index(k, axis: axis, size: n) }
                newOffset += p * strides[axis]
                axis += 1
            case .slice(let start, let stop, let step):
                let r = try NDIndex.resolve(start: start, stop: stop, step: step, length: shape[axis])
                if r.count > 0 { newOffset += r.start * strides[axis] }
                newShape.append(r.count)
                newStrides.append(strides[axis] * r.step)
                axis += 1
            case .newAxis:
                newShape.append(1)
                newStrides.append(0)
            case .ellipsis:
                break
            }
        }
        return NDArray(storage: storage, shape: newShape, strides: newStrides, offset: newOffset)
    }

    /// The view `indices` select; assigning writes into this array's storage,
    /// broadcasting the new value to the view's shape (`a[.s(1, -1)] = b`,
    /// `sieve[.from(n * n, step: n)] = false`). Traps on an out-of-bounds index
    /// (use `view(_:)` to get an error instead).
    @inlinable
    public subscript(_ indices: NDIndex...) -> NDArray {
        get { trapping { () throws(CelerError) in try view(indices) } }
        nonmutating set { trapping { () throws(CelerError) in try view(indices).assign(newValue) } }
    }

    /// The view `indices` select, from an array of entries (for indices built
    /// at run time); assigning writes into this array's storage.
    @inlinable
    public subscript(_ indices: [NDIndex]) -> NDArray {
        get { trapping { () throws(CelerError) in try view(indices) } }
        nonmutating set { trapping { () throws(CelerError) in try view(indices).assign(newValue) } }
    }

    /// Copies `source` into this view, broadcasting it to this shape; reads
    /// all of `source` before writing when the two overlap.
    @inlinable
    public func assign(_ source: NDArray) throws(CelerError) {
        if source.ndim == 0 { fill(source.baseAddress.pointee); return }
        try apply(CopyKernel<Element>(), source, out: self)
    }

    /// Sets every element of this view to `value`. A 1-D view too small to
    /// be worth threads is filled by a plain loop here, without the general
    /// driver's set-up (NumPy's `a[n*n::n] = False` costs well under a
    /// microsecond per call this way); anything else runs through `StridedLoop`.
    @inlinable
    public func fill(_ value: Element) {
        if ndim == 1 && shape[0] &* StridedLoop.spread([strides[0]]) < StridedLoop.parallelThreshold {
            let p = baseAddress, n = shape[0], step = strides[0]
            withExtendedLifetime(self) {
                if step == 1 { p.update(repeating: value, count: n) } else { for i in 0..<n { p[i &* step] = value } }
            }
            return
        }
        trapping { () throws(CelerError) in try apply(CopyKernel<Element>(), NDArray(scalar: value), out: self) }
    }
}

// Boolean masks and integer arrays (copies, as in NumPy): AdvancedIndexing.swift.

extension NDArray: ExpressibleByBooleanLiteral where Element == Bool {
    /// A 0-d Bool array, so `mask[.s(0, 2)] = false` reads like NumPy.
    @inlinable public init(booleanLiteral value: Bool) { self.init(scalar: value) }
}
