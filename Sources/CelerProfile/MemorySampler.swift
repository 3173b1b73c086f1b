import CelerCore
import Synchronization
import _CelerMallocCounter
#if canImport(Glibc)
import Glibc
#endif

/// Records this process's memory over time from a background thread:
/// resident bytes (VmRSS) and, when malloc counting is on, live heap bytes,
/// every `interval` seconds, plus labelled phases (`phase(_:_:)`), the
/// counterpart of memory_profiler's `profile.timestamp("label")`.
public final class MemorySampler: @unchecked Sendable {
    struct State {
        var recording: MemoryRecording
        var open: [(label: String, start: Double, startBytes: Int)] = []
        var running = false
    }
    let state: Mutex<State>
    let stopFlag = Atomic<Bool>(false)
    public let interval: Double
    public let countsHeap: Bool
    var thread: pthread_t? = nil

    /// The sampler started last, which `MemoryPhase` records into.
    nonisolated(unsafe) static var active: MemorySampler? = nil
    static let activeLock = Mutex(())

    public init(command: String = CommandLine.arguments.joined(separator: " "), interval: Double = 0.005, heap: Bool = true) {
        state = Mutex(State(recording: MemoryRecording(command: command)))
        self.interval = max(interval, 0.0005)
        countsHeap = heap
    }

    /// Takes one sample now (also called by the background thread).
    public func sample() {
        let t = unixTime()
        let rss = ProcessMemory.residentBytes()
        let heapBytes = countsHeap ? AllocationCounter.currentBytes : 0
        state.withLock { s in
            s.recording.samples.append(.init(time: t, bytes: rss))
            if countsHeap { s.recording.heap.append(.init(time: t, bytes: heapBytes)) }
        }
    }

    /// Starts the background thread (and malloc counting, from zero, with `heap`).
    public func start() {
        guard state.withLock({ s in defer { s.running = true }; return !s.running }) else { return }
        if countsHeap { AllocationCounter.reset(); AllocationCounter.enable() }
        stopFlag.store(false, ordering: .relaxed)
        MemorySampler.activeLock.withLock { _ in MemorySampler.active = self }
        sample()
        let context = Unmanaged.passRetained(self).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { raw in
            let sampler = Unmanaged<MemorySampler>.fromOpaque(raw!).takeRetainedValue()
            sampler.loop()
            return nil
        }, context)
        if rc == 0 { thread = tid } else { Unmanaged<MemorySampler>.fromOpaque(context).release() }
    }

    func loop() {
        celer_malloc_counter_ignore_this_thread(1)
        let nanos = Int(interval * 1e9)
        while !stopFlag.load(ordering: .relaxed) {
            var ts = timespec(tv_sec: nanos / 1_000_000_000, tv_nsec: nanos % 1_000_000_000)
            nanosleep(&ts, nil)
            sample()
        }
    }

    /// Stops sampling (closing phases left open) and returns the recording.
    @discardableResult
    public func stop() -> MemoryRecording {
        stopFlag.store(true, ordering: .relaxed)
        if let t = thread { pthread_join(t, nil); thread = nil }
        sample()
        if countsHeap && state.withLock({ $0.running }) { AllocationCounter.disable() }
        MemorySampler.activeLock.withLock { _ in if MemorySampler.active === self { MemorySampler.active = nil } }
        while state.withLock({ !$0.open.isEmpty }) { endPhase() }
        return state.withLock { s in s.running = false; return s.recording }
    }

    /// The recording so far.
    public var recording: MemoryRecording { state.withLock { $0.recording } }

    /// Opens a labelled phase (phases nest; `level` is the depth).
    public func beginPhase(_ label: String) {
        sample()
        let t = unixTime(), rss = ProcessMemory.residentBytes()
        state.withLock { $0.open.append((label, t, rss)) }
    }

    /// Closes the innermost open phase.
    public func endPhase() {
        sample()
        let t = unixTime(), rss = ProcessMemory.residentBytes()
        state.withLock { s in
            guard let open = s.open.popLast() else { return }
            s.recording.phases.append(.init(label: open.label, start: open.start, end: t,
                                            startBytes: open.startBytes, endBytes: rss, level: s.open.count))
        }
    }

    /// Runs `body` as the labelled phase `label`.
    public func phase<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        beginPhase(label)
        defer { endPhase() }
        return try body()
    }
}

/// Labelled phases for any program: recorded by the active `MemorySampler`
/// of this process, and announced to an enclosing `celer mprof run` (which
/// sets `CELER_MPROF=1` in its child's environment) as lines on stderr:
///
///     CELER_PHASE <label>        a phase begins (phases nest)
///     CELER_PHASE_END            the innermost phase ends
///
/// Any program (a Python script too) can print these lines itself.
public enum MemoryPhase {
    static let announce: Bool = getenv("CELER_MPROF") != nil

    public static func begin(_ label: String) {
        announceBegin(label)
        MemorySampler.activeLock.withLock { _ in MemorySampler.active }?.beginPhase(label)
    }

    public static func end() {
        announceEnd()
        MemorySampler.activeLock.withLock { _ in MemorySampler.active }?.endPhase()
    }

    /// Tells an enclosing `celer mprof run` (only) that a phase begins.
    public static func announceBegin(_ label: String) {
        if announce { writeStderr("CELER_PHASE \(MemoryRecording.label(label))\n") }
    }

    /// Tells an enclosing `celer mprof run` (only) that the phase ends.
    public static func announceEnd() {
        if announce { writeStderr("CELER_PHASE_END\n") }
    }

    /// Runs `body` as the phase `label`.
    public static func phase<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        begin(label)
        defer { end() }
        return try body()
    }

    static func writeStderr(_ s: String) {
        var bytes = Array(s.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }
}
