#if canImport(Glibc)
import Glibc
#endif

/// A plain pthread mutex. Used instead of `Synchronization.Mutex` because
/// ThreadSanitizer intercepts pthread locks but cannot see inside the
/// (uninstrumented) standard library's futex lock, and reports false races.
final class PthreadLock: @unchecked Sendable {
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    @inline(__always) func lock() { pthread_mutex_lock(mutex) }
    @inline(__always) func unlock() { pthread_mutex_unlock(mutex) }

    @inline(__always)
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// A condition variable paired with a ``PthreadLock``.
final class PthreadCondition: @unchecked Sendable {
    let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() { pthread_cond_init(condition, nil) }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
    }

    /// Sleeps until signalled; `lock` must be held (it is released meanwhile).
    @inline(__always) func wait(_ lock: PthreadLock) { pthread_cond_wait(condition, lock.mutex) }
    @inline(__always) func signal() { pthread_cond_signal(condition) }
    @inline(__always) func broadcast() { pthread_cond_broadcast(condition) }
}
