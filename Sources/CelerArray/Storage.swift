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

    /// Uninitialised storage for `count` trivial elements.
    @inlinable
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "negative element count \(count)")
        self.count = count
        self.pointer = AlignedMemory.allocate(Element.self, count: count)
    }

    deinit { AlignedMemory.deallocate(pointer) }
}
