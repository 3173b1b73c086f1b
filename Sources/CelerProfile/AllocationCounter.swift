import CelerCore
import _CelerMallocCounter
#if canImport(Glibc)
import Glibc
#endif

/// Bytes and blocks allocated through malloc & co. (Swift arrays and
/// classes, libc, anything in the process), counted by the wrappers of the
/// `_CelerMallocCounter` target that replace the C allocator of every binary
/// linking CelerProfile. Counting is process-wide and off until `enable()`:
/// while off, an allocation pays one relaxed atomic load.
///
/// Sizes are usable sizes (`malloc_usable_size`), so a 1-byte malloc counts
/// as 24 bytes: what the allocator really handed out.
public enum AllocationCounter {
    /// A snapshot of the counters.
    public struct Stats: Sendable, Equatable {
        public var allocatedBytes: Int
        public var freedBytes: Int
        public var allocations: Int
        public var frees: Int
        /// allocated - freed since the last reset (negative when blocks
        /// older than the reset were freed).
        public var currentBytes: Int
        /// Highest `currentBytes` since the last reset.
        public var peakBytes: Int
    }

    public static var isEnabled: Bool { celer_malloc_counter_enabled() != 0 }

    /// Asks for counting (the counters keep their values). Requests nest:
    /// counting goes on while any `enable()` has no matching `disable()` yet.
    public static func enable() { celer_malloc_counter_enable(1) }
    /// Gives back one `enable()`.
    public static func disable() { celer_malloc_counter_enable(0) }
    /// Zeroes every counter.
    public static func reset() { celer_malloc_counter_reset() }

    public static var stats: Stats {
        let s = celer_malloc_counter_stats()
        return Stats(allocatedBytes: Int(s.allocatedBytes), freedBytes: Int(s.freedBytes),
                     allocations: Int(s.allocations), frees: Int(s.frees),
                     currentBytes: Int(s.currentBytes), peakBytes: Int(s.peakBytes))
    }

    /// Live bytes counted now (relative to the last reset).
    @inline(__always) public static var currentBytes: Int { Int(celer_malloc_counter_current()) }

    /// Whether allocations in this process really reach the counting
    /// wrappers: one by the Swift runtime (an array) and one inside libc
    /// (strdup) must both be seen.
    public static var intercepts: Bool {
        celer_malloc_counter_probe(1)
        defer { celer_malloc_counter_probe(0) }
        let start = celer_malloc_counter_probe_hits()
        blackHole([UInt8](repeating: 1, count: 1000))
        let afterSwift = celer_malloc_counter_probe_hits()
        let copy = strdup("probe")
        blackHole(copy)
        free(copy)
        return afterSwift > start && celer_malloc_counter_probe_hits() > afterSwift
    }

    /// Seconds per malloc + free of a small block with counting off (as it
    /// is now, when nothing else asks for counting) and on (best of two runs
    /// of `count` pairs).
    public static func measureOverhead(count: Int = 200_000) -> (off: Double, on: Double) {
        func loop() -> Double {
            let t0 = monotonicNanos()
            for _ in 0..<count { blackHole([UInt8](repeating: 1, count: 48)) }
            return Double(monotonicNanos() &- t0) * 1e-9 / Double(count)
        }
        let off = min(loop(), loop())
        enable()
        defer { disable() }
        let on = min(loop(), loop())
        return (off, on)
    }

    /// Counts the allocations made by `body` alone: a result with the bytes
    /// allocated and freed, the net change and the peak above the start.
    /// Nests: an outer measurement still sees the peak of an inner one.
    /// With `scope: .thread`, only the calling thread's allocations count
    /// (exact for single-threaded code while other threads allocate).
    public static func measure<T>(scope: MemoryScope = .process,
                                  _ body: () throws -> T) rethrows -> (value: T, memory: MemoryDelta) {
        enable()
        defer { disable() }
        let mark = MemoryMark.now(scope: scope)
        let value = try body()
        return (value, mark.delta())
    }
}

/// Whose allocations a measurement counts.
public enum MemoryScope: Sendable {
    /// Every thread's (memory_profiler's view: the process).
    case process
    /// The calling thread's alone.
    case thread
}

/// The allocation counters at the start of a measured region.
public struct MemoryMark: Sendable {
    let allocated: Int64, freed: Int64, current: Int64, outerPeak: Int64
    let scope: MemoryScope

    /// Marks the start of a region: remembers the counters and restarts the
    /// high-water mark from the current level.
    @inline(__always)
    public static func now(scope: MemoryScope = .process) -> MemoryMark {
        switch scope {
        case .process:
            let current = celer_malloc_counter_current()
            let outer = celer_malloc_counter_reset_peak()
            return MemoryMark(allocated: celer_malloc_counter_allocated(), freed: celer_malloc_counter_freed(),
                              current: current, outerPeak: outer, scope: scope)
        case .thread:
            let current = celer_malloc_counter_thread_current()
            let outer = celer_malloc_counter_thread_reset_peak()
            return MemoryMark(allocated: celer_malloc_counter_thread_allocated(),
                              freed: celer_malloc_counter_thread_freed(),
                              current: current, outerPeak: outer, scope: scope)
        }
    }

    /// The region's counts; restores the enclosing region's high-water mark.
    @inline(__always)
    public func delta() -> MemoryDelta {
        switch scope {
        case .process:
            let peak = celer_malloc_counter_peak()
            let d = MemoryDelta(allocatedBytes: Int(celer_malloc_counter_allocated() - allocated),
                                freedBytes: Int(celer_malloc_counter_freed() - freed),
                                peakBytes: Int(max(0, peak - current)))
            celer_malloc_counter_raise_peak(outerPeak)
            return d
        case .thread:
            let peak = celer_malloc_counter_thread_peak()
            let d = MemoryDelta(allocatedBytes: Int(celer_malloc_counter_thread_allocated() - allocated),
                                freedBytes: Int(celer_malloc_counter_thread_freed() - freed),
                                peakBytes: Int(max(0, peak - current)))
            celer_malloc_counter_thread_raise_peak(outerPeak)
            return d
        }
    }
}

/// What a region did to the heap.
public struct MemoryDelta: Sendable, Equatable {
    public var allocatedBytes: Int
    public var freedBytes: Int
    /// Highest live heap above the level at the region's start.
    public var peakBytes: Int
    /// allocated - freed: what the region left behind.
    public var netBytes: Int { allocatedBytes - freedBytes }

    public init(allocatedBytes: Int = 0, freedBytes: Int = 0, peakBytes: Int = 0) {
        self.allocatedBytes = allocatedBytes; self.freedBytes = freedBytes; self.peakBytes = peakBytes
    }

    /// Accumulates another call of the same region: sums, and the larger peak.
    public mutating func add(_ other: MemoryDelta) {
        allocatedBytes += other.allocatedBytes
        freedBytes += other.freedBytes
        peakBytes = max(peakBytes, other.peakBytes)
    }
}

