import CelerParallel
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Counts how often each index of a range was visited, from any thread.
final class HitCounter: @unchecked Sendable {
    let range: Range<Int>
    private let counts: UnsafeMutablePointer<Atomic<Int>>

    init(_ range: Range<Int>) {
        self.range = range
        counts = .allocate(capacity: max(1, range.count))
        for i in 0..<range.count { (counts + i).initialize(to: Atomic(0)) }
    }

    deinit {
        counts.deinitialize(count: range.count)
        counts.deallocate()
    }

    func hit(_ chunk: Range<Int>) {
        for i in chunk { counts[i - range.lowerBound].wrappingAdd(1, ordering: .relaxed) }
    }

    /// Whether every index was visited exactly once.
    var coveredExactlyOnce: Bool {
        (0..<range.count).allSatisfy { counts[$0].load(ordering: .relaxed) == 1 }
    }
}

let allSchedules: [Schedule] = [
    .static, .staticChunked(1), .staticChunked(3), .dynamic(1), .dynamic(4), .guided(1), .guided(5),
]

/// A value behind a pthread mutex (visible to ThreadSanitizer, unlike
/// `Synchronization.Mutex`, whose lock lives in an uninstrumented library).
final class Locked<T>: @unchecked Sendable {
    private var value: T
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init(_ value: T) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<R>(_ body: (inout T) -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(&value)
    }
}
