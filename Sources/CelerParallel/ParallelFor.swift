import CelerCore

/// Runs `body` over sub-ranges ("chunks") of `range` that together cover it
/// exactly once, on up to `Parallel.threadCount` threads: the calling thread
/// and the workers of the process's pool. Returns when all chunks are done.
///
/// - `body` is called concurrently from several threads: it must only write
///   data that no other chunk reads or writes (the caller guarantees disjoint
///   writes), and everything it wrote is visible to the caller on return.
/// - Chunks follow `schedule` (see ``Schedule``); with one thread, or when
///   called from inside another loop's body (nesting), the chunks run in order
///   on the calling thread, with the same chunk sizes.
/// - Fork-join costs a few microseconds when the workers are awake (they poll
///   for 0.2 ms after each loop, then sleep): fine for loops of ~50 µs and up.
///
/// ```swift
/// parallelFor(0..<rows, schedule: .dynamic(1)) { rows in
///     for y in rows { renderRow(y) }
/// }
/// ```
/// - Precondition: the schedule's chunk size is at least 1 (``Schedule/validate()``).
public func parallelFor(_ range: Range<Int>, schedule: Schedule = .static, _ body: (Range<Int>) -> Void) {
    precondition(schedule.chunkSize.map { $0 >= 1 } ?? true, "parallelFor: chunk size must be at least 1 (\(schedule))")
    let participants = participantCount(range.count, schedule)
    if participants <= 1 {
        runSerially(schedule, range, body)
        return
    }
    ThreadPool.run(participants: participants) { participant, counter in
        runShare(schedule, range, participant: participant, of: participants, counter: counter, body)
    }
}

/// ``parallelFor(_:schedule:_:)`` with a ``ProgressBar`` on stderr named
/// `label` (drawn only when stderr is a terminal, unless `force`). Chunks are
/// cut into pieces of about 1/1000 of the range so that progress moves even
/// under `.static`; each piece costs one atomic add.
public func parallelFor(_ range: Range<Int>, schedule: Schedule = .static, progress label: String,
                        force: Bool = false, _ body: (Range<Int>) -> Void) {
    let bar = ProgressBar(total: range.count, label: label, force: force)
    let piece = max(1, range.count / 1000)
    parallelFor(range, schedule: schedule) { chunk in
        var start = chunk.lowerBound
        while start < chunk.upperBound {
            let end = start + min(piece, chunk.upperBound - start)
            body(start..<end)
            bar.advance(by: end - start)
            start = end
        }
    }
    bar.finish()
}

/// Threads a loop of `count` iterations uses: 1 inside another loop's body,
/// else the thread count, but no more than there are chunks.
@inline(__always)
func participantCount(_ count: Int, _ schedule: Schedule) -> Int {
    if count <= 1 || ThreadLocal.inParallelRegion { return 1 }
    return min(Parallel.threadCount, schedule.maxChunks(count))
}

/// Wraps a value the caller promises is safe to share between threads.
public struct UncheckedSendable<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}
