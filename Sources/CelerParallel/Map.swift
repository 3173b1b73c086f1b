import CelerCore
import Synchronization

/// A flag that tells running work to stop early. Cancelling is sticky and
/// thread-safe; long items of a ``parallelMap(_:schedule:cancellation:progress:_:)``
/// poll ``isCancelled`` (or call ``check()``) to give up early.
public final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)

    public init() {}

    /// Asks all work watching this flag to stop.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    /// Whether ``cancel()`` was called.
    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// Throws `CancellationError` once cancelled.
    public func check() throws(CancellationError) {
        if isCancelled { throw CancellationError() }
    }
}

/// Transforms each item on the pool's threads and returns the results in
/// input order (Python's `Pool.map`). Items are dealt by `schedule` (default:
/// one at a time from a shared counter, for items of uneven cost).
///
/// Errors: when an item throws, no further item is started (items not yet
/// started are skipped), `cancellation` is cancelled so running items can
/// give up early, and once the running items have returned the first error
/// thrown is rethrown. A non-throwing `transform` needs no `try`.
///
/// ```swift
/// let sizes = try parallelMap(paths, progress: "reading") { try fileSize($0) }
/// ```
public func parallelMap<Items: Collection, R, E: Error>(
    _ items: Items, schedule: Schedule = .dynamic(1), cancellation: CancellationFlag? = nil,
    progress: String? = nil, _ transform: (Items.Element) throws(E) -> R
) throws(E) -> [R] {
    let inputs = ContiguousArray(items)
    let n = inputs.count
    if n == 0 { return [] }
    let results = UnsafeMutablePointer<R>.allocate(capacity: n)
    let ready = UnsafeMutablePointer<Bool>.allocate(capacity: n)
    ready.initialize(repeating: false, count: n)
    defer { results.deallocate(); ready.deallocate() }
    let failure = FirstError<E>()
    let bar = progress.map { ProgressBar(total: n, label: $0) }

    inputs.withUnsafeBufferPointer { inputs in
        parallelFor(0..<n, schedule: schedule) { chunk in
            for i in chunk {
                if failure.happened { return }
                do throws(E) {
                    (results + i).initialize(to: try transform(inputs[i]))
                    ready[i] = true
                } catch {
                    if failure.record(error) { cancellation?.cancel() }
                    return
                }
                bar?.advance()
            }
        }
    }
    bar?.finish()

    if let error = failure.error {
        for i in 0..<n where ready[i] { (results + i).deinitialize(count: 1) }
        throw error
    }
    return Array(unsafeUninitializedCapacity: n) { buffer, initialized in
        buffer.baseAddress!.moveInitialize(from: results, count: n)
        initialized = n
    }
}

/// The first error recorded by any thread (lock-free: the first thread to
/// claim the slot writes it; it is read after the loop has joined).
private final class FirstError<E: Error>: @unchecked Sendable {
    private let claimed = Atomic<Bool>(false)
    private(set) var error: E?

    var happened: Bool { claimed.load(ordering: .relaxed) }

    /// Stores `error` if it is the first; returns whether it was.
    func record(_ error: E) -> Bool {
        guard !claimed.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        self.error = error
        return true
    }
}
