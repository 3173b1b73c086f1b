import CCelerSystem
#if canImport(Glibc)
import Glibc
#endif

/// Allocation of large numeric buffers: 64-byte aligned (one cache line, one
/// AVX-512 register) and, above 2 MiB, backed by transparent huge pages where
/// the kernel allows (`madvise(MADV_HUGEPAGE)`), which halves the cost of
/// first-touching a big output array on this machine.
public enum AlignedMemory {
    public static let alignment = 64
    public static let hugePageThreshold = 2 << 20

    /// Uninitialised memory for `count` elements of `T`; free with `deallocate`.
    public static func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        precondition(count >= 0, "negative element count")
        let bytes = max(count * MemoryLayout<T>.stride, 1)
        if bytes >= hugePageThreshold {
            // Round up to a 2 MiB boundary so the range can be huge-page backed.
            var raw: UnsafeMutableRawPointer? = nil
            let rounded = (bytes + hugePageThreshold - 1) / hugePageThreshold * hugePageThreshold
            if posix_memalign(&raw, hugePageThreshold, rounded) == 0, let raw {
                _ = madvise(raw, rounded, MADV_HUGEPAGE)
                return raw.bindMemory(to: T.self, capacity: count)
            }
        }
        var raw: UnsafeMutableRawPointer? = nil
        guard posix_memalign(&raw, alignment, bytes) == 0, let raw else {
            fatalError("out of memory allocating \(bytes) bytes")
        }
        return raw.bindMemory(to: T.self, capacity: count)
    }

    public static func deallocate<T>(_ pointer: UnsafeMutablePointer<T>) {
        free(pointer)
    }
}

/// An owned, aligned, fixed-size buffer of trivial elements (Double, Int32,
/// UInt8, …): the storage of case-study inputs and outputs. A class, so
/// closures (prepared benchmark runs) can share it; it is never copied.
/// Concurrent writes to disjoint elements are safe; the caller keeps them disjoint.
public final class AlignedBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Element>
    public let count: Int

    /// Uninitialised storage (the caller writes every element before reading).
    public init(uninitializedCount count: Int) {
        self.count = count
        self.pointer = AlignedMemory.allocate(Element.self, count: count)
    }

    /// Storage with every element set to `value`.
    public convenience init(repeating value: Element, count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: value, count: count)
    }

    deinit { AlignedMemory.deallocate(pointer) }

    public var buffer: UnsafeMutableBufferPointer<Element> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }

    public subscript(i: Int) -> Element {
        get { precondition(i >= 0 && i < count, "index \(i) out of range 0..<\(count)"); return pointer[i] }
        set { precondition(i >= 0 && i < count, "index \(i) out of range 0..<\(count)"); pointer[i] = newValue }
    }
}
