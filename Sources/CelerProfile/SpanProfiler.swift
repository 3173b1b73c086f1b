import CelerCore
import CSystem
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// The span profiler, cProfile's counterpart for code that marks its own
// regions: `profile("name") { … }` or `Profiler.begin`/`Profiler.end`.
// Each thread records a call tree (one node per call path) in memory of its
// own, so recording takes no lock. While profiling is off a span costs one
// relaxed atomic load and a branch.

/// Global switch of the span profiler and of per-span memory counting.
let spanProfilingOn = Atomic<Bool>(false)
let spanMemoryOn = Atomic<Bool>(false)

/// Measures `body` as the span `name` when profiling is on.
@inline(__always)
public func profile<T>(_ name: StaticString, _ body: () throws -> T) rethrows -> T {
    if !spanProfilingOn.load(ordering: .relaxed) { return try body() }
    let token = Profiler.begin(name)
    defer { Profiler.end(token) }
    return try body()
}

/// Measures `body` as the span `name` (a name made at run time; a little
/// slower than a string literal, which is compared by address).
@inline(__always)
public func profile<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
    if !spanProfilingOn.load(ordering: .relaxed) { return try body() }
    let token = Profiler.begin(name)
    defer { Profiler.end(token) }
    return try body()
}

/// An open span, returned by `Profiler.begin` and closed by `Profiler.end`
/// on the same thread. A token made while profiling was off is inert.
public struct SpanToken: Sendable {
    let depth: Int32
    let recorder: UInt
    static let inert = SpanToken(depth: -1, recorder: 0)
}

public enum Profiler {
    /// Whether spans are being recorded.
    public static var isEnabled: Bool { spanProfilingOn.load(ordering: .relaxed) }
    /// Whether spans also count heap allocations (see `AllocationCounter`).
    public static var tracksMemory: Bool { spanMemoryOn.load(ordering: .relaxed) }

    /// Starts recording spans (keeps what was recorded before; see `reset`).
    /// With `memory`, every span also counts bytes allocated, freed and its peak.
    public static func start(memory: Bool = true) {
        _ = recorderKey
        spanMemoryOn.store(memory, ordering: .relaxed)
        if memory { AllocationCounter.enable() }
        spanProfilingOn.store(true, ordering: .relaxed)
    }

    /// Stops recording. Spans still open are closed by their `end` as usual.
    public static func stop() {
        spanProfilingOn.store(false, ordering: .relaxed)
        if tracksMemory { AllocationCounter.disable() }
    }

    /// Forgets everything recorded. Call only while no span is open.
    public static func reset() {
        registry.withLock { recorders in for r in recorders { r.clear() } }
    }

    /// Opens the span `name` on this thread.
    @inline(__always)
    public static func begin(_ name: StaticString) -> SpanToken {
        guard spanProfilingOn.load(ordering: .relaxed) else { return .inert }
        return ThreadRecorder.current().enter(key: UInt(bitPattern: name.utf8Start), staticName: name, dynamicName: -1)
    }

    /// Opens the span `name` (a name made at run time).
    public static func begin(_ name: String) -> SpanToken {
        guard spanProfilingOn.load(ordering: .relaxed) else { return .inert }
        let id = internName(name)
        return ThreadRecorder.current().enter(key: UInt(id) &+ 1, staticName: "", dynamicName: id)
    }

    /// Closes the span of `token` (and any span opened after it and left open).
    @inline(__always)
    public static func end(_ token: SpanToken) {
        guard token.depth >= 0 else { return }
        let recorder = ThreadRecorder.current()
        guard UInt(bitPattern: ObjectIdentifier(recorder).hashValue) == token.recorder else { return }
        recorder.exit(toDepth: Int(token.depth))
    }

    /// What all threads recorded so far. Call when the profiled work is done
    /// (no span open on another thread).
    public static func report() -> ProfileReport {
        let names = dynamicNames.withLock { $0.names }
        let threads = registry.withLock { recorders in recorders.compactMap { $0.snapshot(names: names) } }
        return ProfileReport(threads: threads, tracksMemory: tracksMemory)
    }

    /// Measured cost of one span (begin + end) in seconds, when profiling is
    /// on (with and without memory counting) and when it is off. Records into
    /// the profile, so it resets it afterwards.
    public static func measureOverhead(spans: Int = 200_000) -> (off: Double, on: Double, onWithMemory: Double) {
        let wasOn = isEnabled, hadMemory = tracksMemory
        func loop() -> Double {
            let t0 = monotonicNanos()
            for i in 0..<spans { profile("overhead-probe") { blackHole(i) } }
            return Double(monotonicNanos() &- t0) * 1e-9 / Double(spans)
        }
        func empty() -> Double {
            let t0 = monotonicNanos()
            for i in 0..<spans { blackHole(i) }
            return Double(monotonicNanos() &- t0) * 1e-9 / Double(spans)
        }
        stop()
        let base = min(empty(), empty())
        let off = min(loop(), loop()) - base
        start(memory: false)
        let on = min(loop(), loop()) - base
        stop()
        start(memory: true)
        let onMem = min(loop(), loop()) - base
        stop()
        reset()
        if wasOn { start(memory: hadMemory) }
        return (max(0, off), max(0, on), max(0, onMem))
    }
}

// MARK: - Per-thread recording

let registry = Mutex<[ThreadRecorder]>([])

struct NameTable { var ids: [String: Int] = [:]; var names: [String] = [] }
let dynamicNames = Mutex(NameTable())

func internName(_ name: String) -> Int {
    dynamicNames.withLock { table in
        if let id = table.ids[name] { return id }
        let id = table.names.count
        table.names.append(name)
        table.ids[name] = id
        return id
    }
}

let recorderKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()

/// One node of a thread's call tree: one call path.
struct SpanNode {
    var key: UInt
    var staticName: StaticString
    var dynamicName: Int
    var parent: Int32
    var firstChild: Int32 = -1
    var nextSibling: Int32 = -1
    var calls: Int = 0
    var cumNanos: UInt64 = 0
    var childNanos: UInt64 = 0
    var memory = MemoryDelta()
}

/// An open span on a thread's stack.
struct SpanFrame {
    var node: Int32
    var start: UInt64
    var mark: MemoryMark?
}

/// The call tree and span stack of one thread; only that thread writes it.
final class ThreadRecorder: @unchecked Sendable {
    var nodes: [SpanNode] = []
    var stack: [SpanFrame] = []
    let threadIndex: Int
    let threadName: String

    init(index: Int) {
        threadIndex = index
        let tid = celer_gettid()
        let comm = readTextFile("/proc/self/task/\(tid)/comm")?.trimmingSpaces() ?? ""
        threadName = "thread \(index)" + (comm.isEmpty ? "" : " (\(comm))")
        clear()
    }

    func clear() {
        nodes = [SpanNode(key: 0, staticName: "", dynamicName: -1, parent: -1)]
        stack = []
        nodes.reserveCapacity(64)
        stack.reserveCapacity(64)
    }

    @inline(__always)
    static func current() -> ThreadRecorder {
        if let p = pthread_getspecific(recorderKey) {
            return Unmanaged<ThreadRecorder>.fromOpaque(p).takeUnretainedValue()
        }
        return registerCurrentThread()
    }

    @inline(never)
    static func registerCurrentThread() -> ThreadRecorder {
        let recorder = registry.withLock { recorders in
            let r = ThreadRecorder(index: recorders.count)
            recorders.append(r)
            return r
        }
        pthread_setspecific(recorderKey, Unmanaged.passUnretained(recorder).toOpaque())
        return recorder
    }

    @inline(__always)
    func enter(key: UInt, staticName: StaticString, dynamicName: Int) -> SpanToken {
        let parent = stack.last?.node ?? 0
        var child = nodes[Int(parent)].firstChild
        while child >= 0 && nodes[Int(child)].key != key { child = nodes[Int(child)].nextSibling }
        if child < 0 {
            child = Int32(nodes.count)
            var node = SpanNode(key: key, staticName: staticName, dynamicName: dynamicName, parent: parent)
            node.nextSibling = nodes[Int(parent)].firstChild
            nodes.append(node)
            nodes[Int(parent)].firstChild = child
        }
        let mark: MemoryMark? = spanMemoryOn.load(ordering: .relaxed) ? MemoryMark.now() : nil
        stack.append(SpanFrame(node: child, start: monotonicNanos(), mark: mark))
        return SpanToken(depth: Int32(stack.count - 1), recorder: UInt(bitPattern: ObjectIdentifier(self).hashValue))
    }

    @inline(__always)
    func exit(toDepth depth: Int) {
        while stack.count > depth {
            let frame = stack.removeLast()
            let elapsed = monotonicNanos() &- frame.start
            let i = Int(frame.node)
            nodes[i].calls += 1
            nodes[i].cumNanos &+= elapsed
            if let mark = frame.mark { nodes[i].memory.add(mark.delta()) }
            let parent = Int(nodes[i].parent)
            nodes[parent].childNanos &+= elapsed
        }
    }

    /// The recorded tree as values (nil when nothing was recorded).
    func snapshot(names: [String]) -> ThreadProfile? {
        guard nodes.count > 1 else { return nil }
        func build(_ i: Int) -> CallNode {
            let n = nodes[i]
            var children: [CallNode] = []
            var c = n.firstChild
            while c >= 0 { children.append(build(Int(c))); c = nodes[Int(c)].nextSibling }
            children.reverse()  // first-called first
            let name = i == 0 ? threadName
                : n.dynamicName >= 0 ? names[n.dynamicName] : n.staticName.description
            if i == 0 {
                let total = children.reduce(UInt64(0)) { $0 + $1.cumNanos }
                var memory = MemoryDelta()
                for ch in children { memory.add(ch.memory) }
                return CallNode(name: name, calls: 1, cumNanos: total, selfNanos: 0, memory: memory, children: children)
            }
            return CallNode(name: name, calls: n.calls, cumNanos: n.cumNanos,
                            selfNanos: n.cumNanos &- min(n.cumNanos, n.childNanos), memory: n.memory, children: children)
        }
        return ThreadProfile(index: threadIndex, name: threadName, root: build(0))
    }
}
