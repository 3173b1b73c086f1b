import CCelerSystem
#if canImport(Glibc)
import Glibc
#endif

/// Allocation of large numeric buffers: 64-byte aligned (one cache line, one
/// AVX-512 register) and, above 2 MiB, backed by transparent huge pages where
/// the kernel allows (`madvise(MADV_HUGEPAGE)`), which halves the cost of
/// first-touching a big output array on this machine. Freed blocks of 2 MiB
/// or more are kept for reuse (up to 8 blocks, 256 MiB; `LargeBlockCache`),
/// so repeated temporaries of one size do not fault their pages in again;
/// `releaseCachedBlocks()` hands them back.
public enum AlignedMemory {
    public static let alignment = 64
    public static let hugePageThreshold = 2 << 20

    /// Uninitialised memory for `count` elements of `T`; free with `deallocate`.
    public static func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        precondition(count >= 0, "negative element count")
        let bytes = max(count * MemoryLayout<T>.stride, 1)
        if bytes >= hugePageThreshold {
            // Round up to a 2 MiB boundary so the range can be huge-page backed.
            let rounded = (bytes + hugePageThreshold - 1) / hugePageThreshold * hugePageThreshold
            if let reused = largeBlocks.take(bytes: rounded) {
                return reused.bindMemory(to: T.self, capacity: count)
            }
            var raw: UnsafeMutableRawPointer? = nil
            if posix_memalign(&raw, hugePageThreshold, rounded) == 0, let raw {
                _ = madvise(raw, rounded, MADV_HUGEPAGE)
                largeBlocks.recordLive(raw, bytes: rounded)
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
        if largeBlocks.keep(UnsafeMutableRawPointer(pointer)) { return }
        free(pointer)
    }

    /// Frees memory from `allocate(T.self, count: count)`; a block below the
    /// large-block size is freed at once, without consulting the block cache
    /// (its lock costs more than a small array's whole life).
    public static func deallocate<T>(_ pointer: UnsafeMutablePointer<T>, count: Int) {
        if count * MemoryLayout<T>.stride < hugePageThreshold { free(pointer); return }
        deallocate(pointer)
    }

    /// Returns the cached large blocks (see `LargeBlockCache`) to the system.
    public static func releaseCachedBlocks() { largeBlocks.releaseAll() }

    /// Bytes held in freed large blocks kept for reuse.
    public static var cachedBytes: Int { largeBlocks.cachedBytes }

    static let largeBlocks = LargeBlockCache(limitBytes: 256 << 20, limitBlocks: 8)
}

/// Freed large blocks (≥ 2 MiB), kept for reuse by the next allocation of the
/// same rounded size. glibc hands blocks this big back to the kernel on
/// `free`, so allocating the same size again (every NumPy-style temporary,
/// every run of a benchmark) pays page faults and the zeroing of fresh huge
/// pages again: a third of the NumPy-style sieve's time before this cache.
/// At most `limitBlocks` blocks and `limitBytes` bytes are kept; blocks above
/// the byte limit are freed at once. Thread-safe (a pthread mutex: visible to
/// ThreadSanitizer).
final class LargeBlockCache: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var live: [UnsafeMutableRawPointer: Int] = [:]
    private var kept: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []
    private var keptBytes = 0
    let limitBytes: Int
    let limitBlocks: Int

    init(limitBytes: Int, limitBlocks: Int) {
        self.limitBytes = limitBytes
        self.limitBlocks = limitBlocks
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    private func locked<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    var cachedBytes: Int { locked { keptBytes } }

    /// A kept block of exactly `bytes`, now live again, or nil.
    func take(bytes: Int) -> UnsafeMutableRawPointer? {
        locked {
            guard let i = kept.lastIndex(where: { $0.bytes == bytes }) else { return nil }
            let block = kept.remove(at: i)
            keptBytes -= block.bytes
            live[block.pointer] = block.bytes
            return block.pointer
        }
    }

    func recordLive(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        locked { live[pointer] = bytes }
    }

    /// Keeps `pointer` for reuse if it is a large block that fits the limits
    /// (evicting the oldest kept blocks); false if the caller must free it.
    func keep(_ pointer: UnsafeMutableRawPointer) -> Bool {
        var evicted: [UnsafeMutableRawPointer] = []
        let result: Bool = locked {
            guard let bytes = live.removeValue(forKey: pointer) else { return false }
            guard bytes <= limitBytes else { evicted.append(pointer); return true }
            while !kept.isEmpty && (keptBytes + bytes > limitBytes || kept.count >= limitBlocks) {
                let old = kept.removeFirst()
                keptBytes -= old.bytes
                evicted.append(old.pointer)
            }
            kept.append((pointer, bytes))
            keptBytes += bytes
            return true
        }
        for p in evicted { free(p) }
        return result
    }

    func releaseAll() {
        let blocks: [UnsafeMutableRawPointer] = locked {
            defer { kept.removeAll(); keptBytes = 0 }
            return kept.map(\.pointer)
        }
        for p in blocks { free(p) }
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

    deinit { AlignedMemory.deallocate(pointer, count: count) }

    public var buffer: UnsafeMutableBufferPointer<Element> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }

    public subscript(i: Int) -> Element {
        get { precondition(i >= 0 && i < count, "index \(i) out of range 0..<\(count)"); return pointer[i] }
        set { precondition(i >= 0 && i < count, "index \(i) out of range 0..<\(count)"); pointer[i] = newValue }
    }
}
