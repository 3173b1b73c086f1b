import CelerCore

/// An N-dimensional strided view of elements in shared storage: NumPy's ndarray.
///
/// An `NDArray` is a small value (shape, strides, offset) that refers to an
/// `NDStorage`. Copying an `NDArray` copies the view, never the data: like
/// NumPy, slicing, transposing, broadcasting and most reshapes return views
/// that share storage, and writing through any view changes what every other
/// view of the same storage sees. `copy()` makes independent data.
///
/// ```swift
/// let a = NDArray<Double>.arange(12).reshaped(3, 4)   // a view of the arange
/// let inner = a[.s(1, -1), .s(1, -1)]                 // a[1:-1, 1:-1], no copy
/// inner.fill(0)                                       // writes into a
/// let b = a + a.T[.s(0, 3), .all]                     // broadcasting, a new array
/// ```
///
/// Strides count elements and may be negative (`a[.step(-1)]`) or zero
/// (broadcast views). Element writes go through `nonmutating` setters, so a
/// `let` view can be written, as in NumPy.
///
/// Thread safety: `NDArray` is `Sendable` because views are how parallel code
/// shares data. Reading from many threads is safe; writing to overlapping
/// elements from several threads at once is a data race and the caller's
/// responsibility (CelerArray's own parallel kernels write disjoint elements).
public struct NDArray<Element: NDArrayElement>: @unchecked Sendable {
    /// The storage this view reads and writes.
    @inlinable public var storage: NDStorage<Element> { _storage }
    /// A `var` only so that operators can ask whether a temporary owns its
    /// storage alone (`isReusableTemporary`); never reassigned.
    @usableFromInline var _storage: NDStorage<Element>
    /// Elements along each axis.
    public let shape: [Int]
    /// Elements to step in storage for one step along each axis.
    public let strides: [Int]
    /// The storage index of the element at index (0, 0, …).
    public let offset: Int

    /// A view of `storage`; the caller guarantees every element of the view
    /// lies inside the storage.
    @inlinable
    public init(storage: NDStorage<Element>, shape: [Int], strides: [Int], offset: Int) {
        precondition(shape.count == strides.count, "shape \(shapeDescription(shape)) and strides \(strides) differ in length")
        if let (low, high) = Layout.extent(shape, strides) {
            precondition(offset + low >= 0 && offset + high < storage.count,
                         "view with shape \(shapeDescription(shape)), strides \(strides), offset \(offset) leaves its storage of \(storage.count) elements")
        }
        self._storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
    }

    /// A new contiguous array whose elements are not initialised yet
    /// (NumPy's `empty`): write every element before reading it.
    @inlinable
    public init(uninitializedShape shape: [Int]) {
        self.init(uninitializedShape: shape, strides: Layout.contiguousStrides(shape))
    }

    /// A new array whose elements are not initialised yet, laid out densely
    /// with `strides`, a permutation of the row-major strides of `shape`
    /// (`Layout.keepOrderStrides` gives the one that follows some operands'
    /// memory order, NumPy's order "K").
    @inlinable
    public init(uninitializedShape shape: [Int], strides: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shapeDescription(shape))")
        let storage = NDStorage<Element>(uninitializedShape: shape, strides: strides)
        self.init(storage: storage, shape: shape, strides: strides, offset: 0)
    }

    /// Number of dimensions.
    @inlinable public var ndim: Int { shape.count }
    /// Number of elements.
    @inlinable public var count: Int { Layout.count(shape) }
    /// Pointer to the element at index (0, 0, …).
    @inlinable public var baseAddress: UnsafeMutablePointer<Element> { storage.pointer + offset }
    /// Whether the elements lie in row-major order with no gaps, so the view
    /// can be read as one flat buffer from `baseAddress`.
    @inlinable public var isContiguous: Bool { Layout.isContiguous(shape, strides) }

    /// Whether this view and `other` refer to the same storage (NumPy's
    /// `np.shares_memory` for views; `b.base is a` in spirit).
    @inlinable
    public func sharesStorage<T>(with other: NDArray<T>) -> Bool {
        ObjectIdentifier(storage) == ObjectIdentifier(other.storage)
    }

    /// Whether this array is a whole array (not a view) that nothing else
    /// refers to: a temporary whose storage an operator may reuse for its
    /// result (NumPy's temporary elision). Only consuming operators call this.
    @inlinable
    public mutating func isReusableTemporary(for resultShape: [Int]) -> Bool {
        shape == resultShape && !isView && isKnownUniquelyReferenced(&_storage)
    }

    /// Whether this array is a view of storage made for another layout (a
    /// slice, a transpose, a broadcast, a reshaped view…: NumPy's
    /// `b.base is not None`). A fresh array from a creation function, an
    /// operator or `copy()` is not a view, whatever its memory order.
    @inlinable
    public var isView: Bool {
        !(offset == 0 && shape == storage.baseShape && strides == storage.baseStrides)
    }

    /// Whether the elements fill their memory without gaps in some axis
    /// order (C order, Fortran order, or any permutation): what a flat
    /// loop can run over.
    @inlinable
    public var isDense: Bool { Layout.isDense(shape, strides) }

    /// The element at `index` (one integer per axis), a contiguous storage
    /// position computed with strides; traps when out of bounds.
    @inlinable
    public func storageIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "\(index.count) indices for an array of dimension \(shape.count)")
        var position = offset
        for d in 0..<shape.count {
            var i = index[d]
            if i < 0 { i += shape[d] }
            precondition(i >= 0 && i < shape[d], ArrayError.index(index[d], axis: d, size: shape[d]).description)
            position += i * strides[d]
        }
        return position
    }

    /// The element at `index`, one integer per axis (negative counts from the
    /// end); traps when out of bounds. For views, use the `NDIndex` subscript.
    @inlinable
    public subscript(element index: Int...) -> Element {
        get { storage.pointer[storageIndex(index)] }
        nonmutating set { storage.pointer[storageIndex(index)] = newValue }
    }

    /// The element at `index` given as an array (for indices built at run time).
    @inlinable
    public subscript(element index: [Int]) -> Element {
        get { storage.pointer[storageIndex(index)] }
        nonmutating set { storage.pointer[storageIndex(index)] = newValue }
    }

    /// The single element of a size-1 array (NumPy's `item()`).
    @inlinable
    public var item: Element {
        precondition(count == 1, "item: array of shape \(shapeDescription(shape)) has \(count) elements, not 1")
        return baseAddress.pointee
    }

    /// The elements in row-major order, as a Swift array.
    @inlinable
    public var scalars: [Element] {
        if isContiguous { return Array(UnsafeBufferPointer(start: baseAddress, count: count)) }
        return ascontiguous().scalars
    }

    /// Calls `body` with the elements as one flat buffer in row-major order:
    /// the view's own memory when contiguous, else a temporary copy.
    @inlinable
    public func withContiguousElements<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        if isContiguous { return try body(UnsafeBufferPointer(start: baseAddress, count: count)) }
        let c = ascontiguous()
        return try withExtendedLifetime(c) { try body(UnsafeBufferPointer(start: c.baseAddress, count: c.count)) }
    }
}

extension NDArray: Equatable {
    /// Same shape and equal elements (a value comparison, unlike `==` on
    /// arrays of elements which is `equal(_:_:)`, elementwise).
    @inlinable
    public static func == (lhs: NDArray, rhs: NDArray) -> Bool {
        lhs.shape == rhs.shape && lhs.scalars == rhs.scalars
    }
}
