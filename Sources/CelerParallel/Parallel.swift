import CelerCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Thread settings shared by every parallel loop in the process.
///
/// The thread count of a loop is, first match wins:
/// 1. a count set for the calling thread with ``withThreadCount(_:_:)``;
/// 2. a count set for the process with ``setThreadCount(_:)``;
/// 3. the environment variable `CELER_NUM_THREADS` (1...``maxThreadCount``);
/// 4. the CPUs this process may run on (its affinity mask, so `taskset` and
///    cgroup cpusets are honoured): `SystemInfo.availableCores`.
///
/// A bad `CELER_NUM_THREADS` (`abc`, `0`, `-2`) is not ignored silently: it is
/// kept in ``environmentError`` for the program to report, and the default
/// (rule 4) is used.
public enum Parallel {
    /// The most threads a loop may use (a guard against typos such as 10000).
    public static let maxThreadCount = 1024

    /// The name of the environment variable read once, at first use.
    public static let environmentVariable = "CELER_NUM_THREADS"

    /// Threads a parallel loop uses (the calling thread included).
    public static var threadCount: Int {
        let local = ThreadLocal.threadCountOverride
        if local > 0 { return local }
        let configured = configuredThreadCount.load(ordering: .relaxed)
        return configured > 0 ? configured : defaultThreadCount
    }

    /// The count used when none was set: `CELER_NUM_THREADS` if valid, else
    /// the CPUs this process may run on.
    public static var defaultThreadCount: Int { environment.threads ?? availableCores }

    /// Why `CELER_NUM_THREADS` was rejected, or nil when it is unset or valid.
    public static var environmentError: CelerError? { environment.error }

    /// Sets the thread count of later loops in the whole process.
    /// - Throws: `CelerError` unless `1 <= n <= maxThreadCount`.
    public static func setThreadCount(_ n: Int) throws(CelerError) {
        try validateThreadCount(n, subject: "threads")
        configuredThreadCount.store(n, ordering: .relaxed)
    }

    /// Forgets a count set with ``setThreadCount(_:)``: back to the default.
    public static func resetThreadCount() {
        configuredThreadCount.store(0, ordering: .relaxed)
    }

    /// Runs `body` with `n` threads for loops started by the calling thread
    /// only; other threads keep their setting. Tests and benchmarks use it to
    /// compare thread counts without touching the process-wide setting.
    /// - Precondition: `1 <= n <= maxThreadCount` (check user input with
    ///   ``validateThreadCount(_:subject:)`` first).
    public static func withThreadCount<R, E: Error>(_ n: Int, _ body: () throws(E) -> R) throws(E) -> R {
        precondition(n >= 1 && n <= maxThreadCount, "thread count \(n) outside 1...\(maxThreadCount)")
        let saved = ThreadLocal.threadCountOverride
        ThreadLocal.threadCountOverride = n
        defer { ThreadLocal.threadCountOverride = saved }
        return try body()
    }

    /// One line for reports: the thread count of this thread's loops and
    /// where it comes from, e.g. "2 threads (available cores)".
    public static var threadCountSummary: String {
        let n = threadCount
        let source: String
        if ThreadLocal.threadCountOverride > 0 { source = "set for this thread" }
        else if configuredThreadCount.load(ordering: .relaxed) > 0 { source = "set by the program" }
        else if environment.threads != nil { source = environmentVariable }
        else { source = "available cores" }
        return "\(n) thread\(n == 1 ? "" : "s") (\(source))"
    }

    /// Whether the calling thread is running the body of a parallel loop
    /// (a worker, or the caller during its share). Loops started from there
    /// run serially on that thread: nesting never oversubscribes or deadlocks.
    public static var isInParallelRegion: Bool { ThreadLocal.inParallelRegion }

    /// Stops and joins the worker threads (after the running loop, if any).
    /// The next parallel loop starts a fresh pool. Optional: the workers
    /// sleep when idle and need no cleanup at exit.
    /// - Precondition: not called from inside a parallel loop's body.
    public static func shutdown() {
        ThreadPool.shutdown()
    }

    /// Worker threads alive now (the calling thread of a loop not counted).
    public static var workerCount: Int { ThreadPool.workerCount }

    /// Checks a thread count from a user: `1 <= n <= maxThreadCount`.
    public static func validateThreadCount(_ n: Int, subject: String) throws(CelerError) {
        guard n >= 1 && n <= maxThreadCount else {
            throw CelerError.invalidOption(subject, "\(n)", allowed: "use a whole number of threads from 1 to \(maxThreadCount)")
        }
    }

    /// Parses a `CELER_NUM_THREADS` value: nil or blank means unset (nil);
    /// otherwise a whole number in 1...maxThreadCount, spaces around allowed.
    public static func parseThreadCount(_ text: String?) throws(CelerError) -> Int? {
        guard let text else { return nil }
        let trimmed = text.trimmingSpaces()
        if trimmed.isEmpty { return nil }
        guard let n = Int(trimmed) else {
            throw CelerError.invalidOption(environmentVariable, trimmed,
                                           allowed: "use a whole number of threads from 1 to \(maxThreadCount)")
        }
        try validateThreadCount(n, subject: environmentVariable)
        return n
    }

    // MARK: - Storage

    /// 0: not set.
    static let configuredThreadCount = Atomic<Int>(0)

    static let availableCores = SystemInfo.availableCores

    static let environment: (threads: Int?, error: CelerError?) = {
        let raw = getenv(environmentVariable).map { String(cString: $0) }
        do throws(CelerError) {
            return (try parseThreadCount(raw), nil)
        } catch {
            let fallback = CelerError(error.subject, error.message + " (using \(availableCores), the available cores)")
            return (nil, fallback)
        }
    }()
}

/// Per-thread state in pthread keys (no allocation: the values are stored in
/// the pointer bits).
enum ThreadLocal {
    static let regionKey: pthread_key_t = makeKey()
    static let overrideKey: pthread_key_t = makeKey()

    private static func makeKey() -> pthread_key_t {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "pthread_key_create failed")
        return key
    }

    static var inParallelRegion: Bool {
        get { pthread_getspecific(regionKey) != nil }
        set { pthread_setspecific(regionKey, newValue ? UnsafeRawPointer(bitPattern: 1) : nil) }
    }

    /// 0: none.
    static var threadCountOverride: Int {
        get { Int(bitPattern: pthread_getspecific(overrideKey)) }
        set { pthread_setspecific(overrideKey, UnsafeRawPointer(bitPattern: newValue)) }
    }
}
