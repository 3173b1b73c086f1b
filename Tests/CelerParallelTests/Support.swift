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

/// A deterministic stream of doubles of mixed signs and magnitudes.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// ±(0..1) × 2^(-20...20).
    mutating func wide() -> Double {
        let sign: Double = next() & 1 == 0 ? 1 : -1
        return sign * unit() * Double(sign: .plus, exponent: Int(next() % 41) - 20, significand: 1)
    }
}

/// The exactly rounded sum of `values` (Shewchuk's algorithm, as Python's
/// math.fsum): a list of non-overlapping partial sums, added exactly.
func exactSum(_ values: [Double]) -> Double {
    var partials: [Double] = []
    for var x in values {
        var kept = 0
        for var y in partials {
            if abs(x) < abs(y) { swap(&x, &y) }
            let hi = x + y
            let lo = y - (hi - x)
            if lo != 0 { partials[kept] = lo; kept += 1 }
            x = hi
        }
        partials.removeSubrange(kept...)
        partials.append(x)
    }
    // Round the expansion once, from the top (partials are increasing).
    var hi = 0.0
    var n = partials.count
    if n > 0 {
        n -= 1
        hi = partials[n]
        var lo = 0.0
        while n > 0 {
            let x = hi
            n -= 1
            let y = partials[n]
            hi = x + y
            let yr = hi - x
            lo = y - yr
            if lo != 0 { break }
        }
        if n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0)) {
            let y = lo * 2
            let x = hi + y
            if y == x - hi { hi = x }
        }
    }
    return hi
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
