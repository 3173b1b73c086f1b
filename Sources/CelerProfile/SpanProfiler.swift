import CelerCore
import CCelerSystem
import Synchronization
import _CelerMallocCounter
import _CelerSampler
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
/// Whether any span since the last reset counted memory (the report's columns).
let spanMemoryRecorded = Atomic<Bool>(false)

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
    /// Whether spans count heap allocations (see `AllocationCounter`); false once stopped.
    public static var tracksMemory: Bool { spanMemoryOn.load(ordering: .relaxed) }

    /// Starts recording spans (keeps what was recorded before; see `reset`).
    /// With `memory`, every span also counts bytes allocated, freed and its peak.
    public static func start(memory: Bool = true) {
        _ = recorderKey
        _ = SpanClock.anchor
        // Hold one request for malloc counting while memory is tracked.
        let held = spanMemoryOn.exchange(memory, ordering: .relaxed)
        if memory && !held { AllocationCounter.enable() }
        if memory { spanMemoryRecorded.store(true, ordering: .relaxed) }
        if !memory && held { AllocationCounter.disable() }
        spanProfilingOn.store(true, ordering: .relaxed)
    }

    /// Stops recording. Spans still open are closed by their `end` as usual.
    public static func stop() {
        spanProfilingOn.store(false, ordering: .relaxed)
        if spanMemoryOn.exchange(false, ordering: .relaxed) { AllocationCounter.disable() }
    }

    /// Forgets everything recorded. Call only while no span is open.
    public static func reset() {
        registry.withLock { recorders in for r in recorders.all { r.pointee.clear() } }
        spanMemoryRecorded.store(tracksMemory, ordering: .relaxed)
    }

    /// Opens the span `name` on this thread.
    @inline(__always)
    public static func begin(_ name: StaticString) -> SpanToken {
        guard spanProfilingOn.load(ordering: .relaxed) else { return .inert }
        let recorder = ThreadRecorder.current()
        // A literal is known by its address (a scalar-only StaticString by its value).
        let key = name.hasPointerRepresentation ? UInt(bitPattern: name.utf8Start)
            : UInt(name.unicodeScalar.value) | (1 << 63)
        let depth = recorder.pointee.enter(key: key, staticName: name, dynamicName: -1)
        return SpanToken(depth: depth, recorder: UInt(bitPattern: recorder))
    }

    /// Opens the span `name` (a name made at run time).
    public static func begin(_ name: String) -> SpanToken {
        guard spanProfilingOn.load(ordering: .relaxed) else { return .inert }
        let id = internName(name)
        let recorder = ThreadRecorder.current()
        let depth = recorder.pointee.enter(key: UInt(id) &+ 1, staticName: "", dynamicName: id)
        return SpanToken(depth: depth, recorder: UInt(bitPattern: recorder))
    }

    /// Closes the span of `token` (and any span opened after it and left open).
    @inline(__always)
    public static func end(_ token: SpanToken) {
        guard token.depth >= 0 else { return }
        let recorder = ThreadRecorder.current()
        guard UInt(bitPattern: recorder) == token.recorder else { return }
        recorder.pointee.exit(toDepth: Int(token.depth))
    }

    /// Which clock times spans: "TSC" or "CLOCK_MONOTONIC".
    public static var clockDescription: String {
        SpanClock.useTSC ? "time-stamp counter (rdtsc), calibrated against CLOCK_MONOTONIC" : "CLOCK_MONOTONIC"
    }

    /// What all threads recorded so far. Call when the profiled work is done
    /// (no span open on another thread).
    public static func report() -> ProfileReport {
        let names = dynamicNames.withLock { $0.names }
        let nanosPerTick = SpanClock.nanosPerTick()
        let threads = registry.withLock { recorders in
            recorders.all.compactMap { $0.pointee.snapshot(names: names, nanosPerTick: nanosPerTick) }
        }
        return ProfileReport(threads: threads, tracksMemory: spanMemoryRecorded.load(ordering: .relaxed))
    }

    /// Tells the sampler which span the calling thread is in now.
    static func publishCurrentSpan() {
        guard let p = pthread_getspecific(recorderKey) else { return }
        let r = p.assumingMemoryBound(to: ThreadRecorder.self)
        celer_sampler_set_label(r.pointee.depth > 0 ? r.pointee.samplerLabel(r.pointee.stack[r.pointee.depth - 1].node) : 0)
    }

    /// Span paths ("outer > inner") for the sampler's labels.
    static func spanLabels(_ labels: Set<UInt64>) -> [UInt64: String] {
        let names = dynamicNames.withLock { $0.names }
        return registry.withLock { list in
            var out: [UInt64: String] = [:]
            for l in labels where l != 0 {
                let index = Int(l >> 32) - 1, node = Int(l & 0xffff_ffff)
                guard index >= 0, index < list.all.count else { continue }
                out[l] = list.all[index].pointee.spanPath(node, names: names).joined(separator: " > ")
            }
            return out
        }
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
//
// Each thread's recorder lives in memory of its own (a raw pointer kept in
// a pthread key), so the hot path does no reference counting, no locking
// and no uniqueness checks: a TLS read, a short walk of the parent's
// children, two clock reads.

/// The span clock: `celer_ticks()` (the time-stamp counter on x86-64 CPUs
/// whose TSC runs at a constant rate, else CLOCK_MONOTONIC), converted to
/// nanoseconds by comparing both clocks since the profiler first started.
/// Reading the TSC is several times cheaper than clock_gettime.
enum SpanClock {
    static let useTSC: Bool = celer_ticks_are_tsc() != 0
        && (readTextFile("/proc/cpuinfo")?.contains(" constant_tsc") ?? false)

    /// (ticks, nanoseconds) when the profiler first started.
    static let anchor: (ticks: UInt64, nanos: UInt64) = (now(), monotonicNanos())

    @inline(__always)
    static func now() -> UInt64 { useTSC ? celer_ticks() : monotonicNanos() }

    /// Nanoseconds per tick, measured over at least 20 ms since the anchor.
    static func nanosPerTick() -> Double {
        guard useTSC else { return 1 }
        let start = anchor
        var ticks = now(), nanos = monotonicNanos()
        while nanos &- start.nanos < 20_000_000 {
            var ts = timespec(tv_sec: 0, tv_nsec: 1_000_000)
            nanosleep(&ts, nil)
            ticks = now(); nanos = monotonicNanos()
        }
        return Double(nanos &- start.nanos) / Double(ticks &- start.ticks)
    }
}

/// Every thread's recorder (they live as long as the process).
struct RecorderList: @unchecked Sendable { var all: [UnsafeMutablePointer<ThreadRecorder>] = [] }
let registry = Mutex(RecorderList())

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
    /// Span-clock ticks (see `SpanClock`), converted to ns in reports.
    var cumTicks: UInt64 = 0
    var memory = MemoryDelta()
}

/// An open span on a thread's stack.
struct SpanFrame {
    var node: Int32
    var start: UInt64
    var mark: MemoryMark?
}

/// The call tree and span stack of one thread; only that thread writes it.
struct ThreadRecorder {
    var nodes: UnsafeMutablePointer<SpanNode>
    var nodeCount = 0
    var nodeCapacity: Int
    var stack: UnsafeMutablePointer<SpanFrame>
    var depth = 0
    var stackCapacity: Int
    let threadIndex: Int
    let threadName: String

    init(index: Int) {
        threadIndex = index
        let comm = readTextFile("/proc/self/task/\(celer_gettid())/comm")?.trimmingSpaces() ?? ""
        threadName = "thread \(index)" + (comm.isEmpty ? "" : " (\(comm))")
        nodeCapacity = 64
        nodes = .allocate(capacity: nodeCapacity)
        stackCapacity = 64
        stack = .allocate(capacity: stackCapacity)
        clear()
    }

    mutating func clear() {
        nodes[0] = SpanNode(key: 0, staticName: "", dynamicName: -1, parent: -1)
        nodeCount = 1
        depth = 0
    }

    @inline(__always)
    static func current() -> UnsafeMutablePointer<ThreadRecorder> {
        if let p = pthread_getspecific(recorderKey) { return p.assumingMemoryBound(to: ThreadRecorder.self) }
        return registerCurrentThread()
    }

    @inline(never)
    static func registerCurrentThread() -> UnsafeMutablePointer<ThreadRecorder> {
        let recorder = registry.withLock { list in
            let r = UnsafeMutablePointer<ThreadRecorder>.allocate(capacity: 1)
            r.initialize(to: ThreadRecorder(index: list.all.count))
            list.all.append(r)
            return r
        }
        pthread_setspecific(recorderKey, recorder)
        return recorder
    }

    @inline(__always)
    /// Opens a span; returns its depth on the stack.
    mutating func enter(key: UInt, staticName: StaticString, dynamicName: Int) -> Int32 {
        let parent = depth > 0 ? stack[depth - 1].node : 0
        var child = nodes[Int(parent)].firstChild
        while child >= 0 && nodes[Int(child)].key != key { child = nodes[Int(child)].nextSibling }
        if child < 0 { child = addNode(key: key, staticName: staticName, dynamicName: dynamicName, parent: parent) }
        if depth == stackCapacity { growStack() }
        let mark: MemoryMark? = spanMemoryOn.load(ordering: .relaxed) ? MemoryMark.now() : nil
        stack[depth] = SpanFrame(node: child, start: SpanClock.now(), mark: mark)
        depth += 1
        if samplerLabelsOn.load(ordering: .relaxed) { celer_sampler_set_label(samplerLabel(child)) }
        return Int32(depth - 1)
    }

    @inline(never)
    mutating func addNode(key: UInt, staticName: StaticString, dynamicName: Int, parent: Int32) -> Int32 {
        if nodeCount == nodeCapacity {
            let bigger = UnsafeMutablePointer<SpanNode>.allocate(capacity: nodeCapacity * 2)
            bigger.moveInitialize(from: nodes, count: nodeCount)
            nodes.deallocate()
            nodes = bigger
            nodeCapacity *= 2
        }
        let child = Int32(nodeCount)
        var node = SpanNode(key: key, staticName: staticName, dynamicName: dynamicName, parent: parent)
        node.nextSibling = nodes[Int(parent)].firstChild
        nodes[nodeCount] = node
        nodeCount += 1
        nodes[Int(parent)].firstChild = child
        return child
    }

    @inline(never)
    mutating func growStack() {
        let bigger = UnsafeMutablePointer<SpanFrame>.allocate(capacity: stackCapacity * 2)
        bigger.moveInitialize(from: stack, count: depth)
        stack.deallocate()
        stack = bigger
        stackCapacity *= 2
    }

    @inline(__always)
    mutating func exit(toDepth target: Int) {
        while depth > target {
            depth -= 1
            let frame = stack[depth]
            let elapsed = SpanClock.now() &- frame.start
            let i = Int(frame.node)
            nodes[i].calls += 1
            nodes[i].cumTicks &+= elapsed
            if let mark = frame.mark { nodes[i].memory.add(mark.delta()) }
        }
        if samplerLabelsOn.load(ordering: .relaxed) {
            celer_sampler_set_label(depth > 0 ? samplerLabel(stack[depth - 1].node) : 0)
        }
    }

    /// The sampler's label for a node of this thread's tree (see `Profiler.spanLabels`).
    @inline(__always)
    func samplerLabel(_ node: Int32) -> UInt64 { UInt64(threadIndex + 1) << 32 | UInt64(UInt32(bitPattern: node)) }

    /// The names from the root to `node`, outermost first.
    func spanPath(_ node: Int, names: [String]) -> [String] {
        var path: [String] = []
        var i = node
        while i > 0 && i < nodeCount {
            let n = nodes[i]
            path.append(n.dynamicName >= 0 ? names[n.dynamicName] : n.staticName.description)
            i = Int(n.parent)
        }
        return path.reversed()
    }

    /// The recorded tree as values (nil when nothing was recorded).
    func snapshot(names: [String], nanosPerTick: Double) -> ThreadProfile? {
        guard nodeCount > 1 else { return nil }
        func build(_ i: Int) -> CallNode {
            let n = nodes[i]
            var children: [CallNode] = []
            var c = n.firstChild
            while c >= 0 { children.append(build(Int(c))); c = nodes[Int(c)].nextSibling }
            children.reverse()  // first-called first
            if i == 0 {
                let total = children.reduce(UInt64(0)) { $0 + $1.cumNanos }
                var memory = MemoryDelta()
                for ch in children { memory.add(ch.memory) }
                return CallNode(name: threadName, calls: 1, cumNanos: total, selfNanos: 0, memory: memory, children: children)
            }
            let name = n.dynamicName >= 0 ? names[n.dynamicName] : n.staticName.description
            // Self time is what the children's (converted) times leave, so
            // self + Σ children == cumulative holds exactly in every report.
            let cum = UInt64((Double(n.cumTicks) * nanosPerTick).rounded())
            let inChildren = children.reduce(UInt64(0)) { $0 + $1.cumNanos }
            return CallNode(name: name, calls: n.calls, cumNanos: max(cum, inChildren),
                            selfNanos: cum &- min(cum, inChildren), memory: n.memory, children: children)
        }
        return ThreadProfile(index: threadIndex, name: threadName, root: build(0))
    }
}
