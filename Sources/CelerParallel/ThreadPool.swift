import CelerCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The process's one pool of worker threads, behind every parallel loop.
///
/// Fork-join protocol (one job at a time; `poolLock` is held by the
/// calling thread for the whole job, so concurrent callers take turns). A job
/// is `participants` shares, numbered 0..<participants:
/// 1. the caller stores the job closure, resets the chunk counter, `pending`
///    (shares not finished) and `claims` (`sequence << 20 | next share`), then
///    publishes `epoch = sequence << 12 | participants`;
/// 2. workers (polling briefly, else sleeping on a condition variable) see the
///    new epoch; the first `participants - 1` workers claim shares with a
///    compare-and-swap on `claims` that also checks the job's sequence (so a
///    worker that wakes late can never take part in a later job by mistake),
///    run them and decrement `pending`;
/// 3. the caller claims and runs shares the same way, so a share whose worker
///    has not woken up yet (a busy machine) is run by the caller instead of
///    waited for; then it waits until `pending` is 0.
/// Both waits poll for at most ``spinNanos`` (yielding the core after
/// ``yieldAfterNanos``) and only when the job's threads fit on the cores;
/// otherwise they sleep at once, so an oversubscribed or idle pool never
/// burns CPU.
final class ThreadPool: @unchecked Sendable {
    /// The pool, created lazily by the first parallel loop; `poolLock` is
    /// held while a job runs.
    nonisolated(unsafe) private static var current: ThreadPool?
    private static let poolLock = PthreadLock()

    /// How long a waiting thread polls before it sleeps: long enough to cover
    /// the serial gap between the loops of a time-stepping program, short
    /// enough that an idle pool goes quiet at once.
    static let spinNanos: UInt64 = 200_000

    /// After this long, a polling thread also yields its core every 256
    /// polls, so that on a busy machine a descheduled partner gets to run.
    static let yieldAfterNanos: UInt64 = 20_000

    /// Called every 256 polls: whether to poll on.
    @inline(__always)
    static func keepSpinning(since start: UInt64) -> Bool {
        let elapsed = monotonicNanos() &- start
        if elapsed > spinNanos { return false }
        if elapsed > yieldAfterNanos { sched_yield() }
        return true
    }

    static let participantBits = 12
    static let participantMask = (1 << participantBits) - 1

    /// Runs `work(p, counter)` once for each p in 0..<participants, on the
    /// calling thread and up to `participants - 1` workers.
    static func run(participants: Int, _ work: (_ participant: Int, _ counter: ChunkCounter) -> Void) {
        precondition(participants >= 2 && participants <= participantMask)
        poolLock.lock()
        defer { poolLock.unlock() }
        if current == nil { current = ThreadPool() }
        current.unsafelyUnwrapped.run(participants: participants, work)
    }

    static func shutdown() {
        precondition(!ThreadLocal.inParallelRegion, "Parallel.shutdown() called from inside a parallel loop")
        poolLock.withLock {
            current?.stopWorkers()
            current = nil
        }
    }

    /// Worker threads alive (readable from anywhere, without the lock).
    static var workerCount: Int { liveWorkers.load(ordering: .relaxed) }
    private static let liveWorkers = Atomic<Int>(0)

    // MARK: - Shared state (each hot word on its own cache line)

    /// `sequence << participantBits | participants`; participants 0 = stop.
    private let epoch = PaddedAtomic()
    /// Shares of the current job not finished yet.
    private let pending = PaddedAtomic()
    /// `sequence << claimBits | next unclaimed share` of the current job.
    private let claims = PaddedAtomic()
    private static let claimBits = 20
    private static let claimMask = (1 << claimBits) - 1
    /// Sequence numbers are compared modulo 2^43 (they fit both words).
    private static let sequenceMask = (1 << 43) - 1
    /// The next unclaimed offset for dynamic and guided schedules.
    let counter = ChunkCounter()
    /// Workers asleep (or about to sleep) on `wake`.
    private let sleepers = Atomic<Int>(0)
    /// Whether the caller sleeps (or is about to) on `done`.
    private let callerSleeping = Atomic<Bool>(false)

    /// The job; written by the caller before publishing the epoch, read by
    /// participants after seeing it, cleared after all have finished.
    private var job: ((Int, ChunkCounter) -> Void)?
    private var sequence = 0
    private var workers: [pthread_t] = []

    private let wakeLock = PthreadLock()
    private let wakeCondition = PthreadCondition()
    private let doneLock = PthreadLock()
    private let doneCondition = PthreadCondition()

    private init() {}

    // MARK: - Caller side

    private func run(participants: Int, _ work: (Int, ChunkCounter) -> Void) {
        startWorkers(upTo: participants - 1)
        withoutActuallyEscaping(work) { work in
            job = work
            counter.value.store(0, ordering: .relaxed)
            pending.value.store(participants, ordering: .relaxed)
            sequence &+= 1
            claims.value.store(sequence &<< Self.claimBits, ordering: .releasing)
            // Sequentially consistent: pairs with the sleepers' increment-then-check.
            epoch.value.store(sequence &<< Self.participantBits | participants, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                wakeLock.lock()
                wakeCondition.broadcast()
                wakeLock.unlock()
            }
            ThreadLocal.inParallelRegion = true
            runShares(sequence: sequence, participants: participants)
            ThreadLocal.inParallelRegion = false
            waitForShares(spin: participants <= Parallel.availableCores)
            job = nil
        }
    }

    /// Claims and runs shares of job `sequence` until none is left.
    @inline(__always)
    private func runShares(sequence: Int, participants: Int) {
        var word = claims.value.load(ordering: .relaxed)
        let sequence = sequence & Self.sequenceMask
        while word &>> Self.claimBits & Self.sequenceMask == sequence && word & Self.claimMask < participants {
            let (claimed, current) = claims.value.compareExchange(
                expected: word, desired: word + 1, successOrdering: .acquiring, failureOrdering: .relaxed)
            guard claimed else { word = current; continue }
            job.unsafelyUnwrapped(word & Self.claimMask, counter)
            if pending.value.subtract(1, ordering: .sequentiallyConsistent).newValue == 0,
               callerSleeping.load(ordering: .sequentiallyConsistent) {
                doneLock.lock()
                doneCondition.signal()
                doneLock.unlock()
            }
            word = claims.value.load(ordering: .relaxed)
        }
    }

    private func waitForShares(spin: Bool) {
        if spin {
            let start = monotonicNanos()
            var polls = 0
            while pending.value.load(ordering: .acquiring) != 0 {
                polls &+= 1
                if polls & 255 == 0 && !Self.keepSpinning(since: start) { break }
            }
        }
        if pending.value.load(ordering: .acquiring) == 0 { return }
        doneLock.lock()
        callerSleeping.store(true, ordering: .sequentiallyConsistent)
        while pending.value.load(ordering: .sequentiallyConsistent) != 0 {
            doneCondition.wait(doneLock)
        }
        callerSleeping.store(false, ordering: .relaxed)
        doneLock.unlock()
    }

    private func startWorkers(upTo count: Int) {
        while workers.count < count {
            let context = WorkerContext(pool: self, index: workers.count,
                                        epoch: epoch.value.load(ordering: .relaxed))
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { raw in
                let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
                context.pool.workerLoop(index: context.index, seen: context.epoch)
                return nil
            }, Unmanaged.passRetained(context).toOpaque())
            precondition(status == 0, "pthread_create failed (\(status))")
            workers.append(thread)
            Self.liveWorkers.add(1, ordering: .relaxed)
        }
    }

    private func stopWorkers() {
        sequence &+= 1
        epoch.value.store(sequence &<< Self.participantBits, ordering: .sequentiallyConsistent)
        wakeLock.lock()
        wakeCondition.broadcast()
        wakeLock.unlock()
        for thread in workers { pthread_join(thread, nil) }
        Self.liveWorkers.subtract(workers.count, ordering: .relaxed)
        workers.removeAll()
    }

    // MARK: - Worker side

    private func workerLoop(index: Int, seen start: Int) {
        ThreadLocal.inParallelRegion = true
        var seen = start
        while true {
            seen = waitForEpoch(after: seen)
            let participants = seen & Self.participantMask
            if participants == 0 { return }
            // Only as many workers as the job needs come to claim shares.
            guard index + 1 < participants else { continue }
            runShares(sequence: seen &>> Self.participantBits, participants: participants)
        }
    }

    /// Returns the first epoch different from `seen`.
    private func waitForEpoch(after seen: Int) -> Int {
        if seen & Self.participantMask <= Parallel.availableCores {
            let start = monotonicNanos()
            var polls = 0
            while true {
                let now = epoch.value.load(ordering: .acquiring)
                if now != seen { return now }
                polls &+= 1
                if polls & 255 == 0 && !Self.keepSpinning(since: start) { break }
            }
        }
        wakeLock.lock()
        sleepers.add(1, ordering: .sequentiallyConsistent)
        var now = epoch.value.load(ordering: .sequentiallyConsistent)
        while now == seen {
            wakeCondition.wait(wakeLock)
            now = epoch.value.load(ordering: .sequentiallyConsistent)
        }
        sleepers.subtract(1, ordering: .relaxed)
        wakeLock.unlock()
        return now
    }
}

private final class WorkerContext {
    let pool: ThreadPool
    let index: Int
    let epoch: Int
    init(pool: ThreadPool, index: Int, epoch: Int) {
        self.pool = pool; self.index = index; self.epoch = epoch
    }
}

/// An atomic integer alone on its cache line(s), so that threads polling one
/// word do not slow down writers of another.
final class PaddedAtomic: Sendable {
    private let before: (Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0)
    let value = Atomic<Int>(0)
    private let after: (Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0)
}

/// The shared cursor of dynamic and guided schedules: the offset (from the
/// range's start) of the first iteration nobody has claimed yet.
typealias ChunkCounter = PaddedAtomic
