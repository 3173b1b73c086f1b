import CelerCore

/// The memory behind one or more `NDArray` views: a single 64-byte aligned
/// allocation (huge-page backed above 2 MiB, see `AlignedMemory`), freed when
/// the last view that refers to it goes away.
///
/// Views share storage by reference; the storage never moves and never grows,
/// so a pointer taken from a live view stays valid while the view lives.
public final class NDStorage<Element>: @unchecked Sendable {
    /// The first element of the allocation.
    public let pointer: UnsafeMutablePointer<Element>
    /// Elements in the allocation.
    public let count: Int
    /// The shape and strides of the array the storage was made for (its
    /// "base", in NumPy's terms): any other layout over it is a view.
    public let baseShape: [Int], baseStrides: [Int]

    /// Uninitialised storage for `count` trivial elements, made for a 1-D array.
    @inlinable
    public convenience init(uninitializedCount count: Int) {
        self.init(uninitializedShape: [count], strides: [1])
    }

    /// Uninitialised storage for a dense array of `shape` laid out with
    /// `strides` (a permutation of row-major strides: every element once).
    @inlinable
    public init(uninitializedShape shape: [Int], strides: [Int]) {
        let count = Layout.count(shape)
        precondition(count >= 0, "negative element count \(count)")
        self.count = count
        self.baseShape = shape
        self.baseStrides = strides
        self.pointer = AlignedMemory.allocate(Element.self, count: count)
    }

    deinit { AlignedMemory.deallocate(pointer, count: count) }
}
