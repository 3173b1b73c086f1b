import CelerCore
import Dispatch

// PLACEHOLDER IMPLEMENTATION (skeleton): the public API below is the contract
// other modules build on; the CelerParallel issue replaces the internals with
// a persistent pool. Keep the signatures.

/// How iterations of a parallel loop are dealt to threads, as OpenMP defines it.
public enum Schedule: Sendable, Equatable {
    /// One contiguous block per thread: lowest overhead, for uniform work.
    case `static`
    /// Chunks of the given size dealt round robin.
    case staticChunked(Int)
    /// Chunks of the given size taken from a shared counter: for uneven work.
    case dynamic(Int)
    /// Chunks that shrink as work runs out, never below the given size.
    case guided(Int)
}

/// Thread settings shared by every parallel loop in the process.
public enum Parallel {
    nonisolated(unsafe) static var _threads: Int = SystemInfo.availableCores

    /// Threads a parallel loop uses (the calling thread included).
    public static var threadCount: Int { _threads }

    /// Sets the thread count for later loops; `n` must be at least 1.
    public static func setThreadCount(_ n: Int) throws(CelerError) {
        guard n >= 1 else { throw CelerError.invalidOption("threads", "\(n)", allowed: "use a positive thread count") }
        _threads = n
    }
}

/// Runs `body` over sub-ranges of `range` that together cover it exactly once,
/// on up to `Parallel.threadCount` threads (the caller included). `body` is
/// called concurrently and must only write disjoint data for disjoint ranges.
public func parallelFor(_ range: Range<Int>, schedule: Schedule = .static, _ body: (Range<Int>) -> Void) {
    let n = range.count
    if n == 0 { return }
    let threads = min(Parallel.threadCount, n)
    if threads == 1 { body(range); return }
    withoutActuallyEscaping(body) { escaping in
        let box = UncheckedSendable(escaping)
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let lo = range.lowerBound + n * t / threads
            let hi = range.lowerBound + n * (t + 1) / threads
            if lo < hi { box.value(lo..<hi) }
        }
    }
}

/// Wraps a value the caller promises is safe to share between threads.
public struct UncheckedSendable<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}

/// A progress bar on stderr for long loops (PLACEHOLDER: the CelerParallel
/// issue implements drawing; the API is the contract).
public final class ProgressBar: @unchecked Sendable {
    public let total: Int
    public let label: String
    /// Draws only when stderr is a terminal, unless `force`.
    public init(total: Int, label: String, force: Bool = false) {
        self.total = total; self.label = label
    }
    /// Records `n` more items done; cheap, call it per chunk, not per item.
    public func advance(by n: Int = 1) {}
    /// Draws the final state and a newline.
    public func finish() {}
}
