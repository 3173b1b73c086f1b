import CelerCore
#if canImport(Glibc)
import Glibc
#endif

/// `celer mprof run`: runs a command and samples the resident memory of it
/// and all its descendants until it ends, passing its output through while
/// scanning it for phase markers (see `MemoryPhase`).
public enum Mprof {
    public struct Options: Sendable {
        /// Seconds between samples.
        public var interval: Double = 0.01
        /// Record a CHLD line per descendant process.
        public var perChild: Bool = true
        /// Where the child's output goes: (stream 1 or 2, bytes). Default: our stdout/stderr.
        public var forward: (@Sendable (Int32, UnsafeRawBufferPointer) -> Void)? = nil
        public init() {}
    }

    /// The recording and how the command ended (nil when it could not start:
    /// then the error says why and the recording holds no samples).
    public struct Outcome: Sendable {
        public var recording: MemoryRecording
        public var termination: Termination?
        public var startError: CelerError?
    }

    /// Runs `arguments` under the sampler.
    /// ^C and ^\ reach the command (same process group) but not the sampler,
    /// which ignores them until the command has ended, then writes what it saw.
    public static func run(_ arguments: [String], options: Options = Options()) -> Outcome {
        let oldInt = signal(SIGINT, SIG_IGN)
        let oldQuit = signal(SIGQUIT, SIG_IGN)
        defer { signal(SIGINT, oldInt); signal(SIGQUIT, oldQuit) }
        var recording = MemoryRecording(command: arguments.joined(separator: " "))
        let child: ChildProcess
        do {
            child = try ChildProcess(arguments, environment: ["CELER_MPROF": "1", "PYTHONUNBUFFERED": "1"],
                                     captureOutput: true)
        } catch {
            return Outcome(recording: recording, termination: nil, startError: error)
        }
        var scanners = [PhaseScanner(), PhaseScanner()]
        var open: [(label: String, start: Double, bytes: Int)] = []
        var lastBytes = 0
        var fds = [child.stdoutPipe!, child.stderrPipe!]
        var streams: [Int32] = [1, 2]
        var buffer = [UInt8](repeating: 0, count: 65536)
        var termination: Termination? = nil
        var nextSample = 0.0
        var drainUntil = Double.infinity

        func takeSample() {
            let t = unixTime()
            let tree = ProcessMemory.tree(of: child.pid)
            let total = tree.reduce(0) { $0 + $1.residentBytes }
            // Gone, or a zombie (no memory left): keep the last sample's value.
            guard total > 0 else { return }
            recording.samples.append(.init(time: t, bytes: total))
            if options.perChild {
                for e in tree.dropFirst() { recording.children.append(.init(pid: e.pid, time: t, bytes: e.residentBytes)) }
            }
            lastBytes = total
        }
        func handle(marker: PhaseScanner.Marker) {
            let t = unixTime()
            takeSample()
            switch marker {
            case .begin(let label): open.append((label, t, lastBytes))
            case .end:
                if let o = open.popLast() {
                    recording.phases.append(.init(label: o.label, start: o.start, end: t, startBytes: o.bytes,
                                                  endBytes: lastBytes, level: open.count))
                }
            }
        }

        while true {
            let now = unixTime()
            if now >= nextSample && termination == nil {
                takeSample()
                // Keep to the schedule (a sample takes time), never bunching up.
                nextSample += options.interval
                if nextSample < now { nextSample = now + options.interval }
            }
            if termination == nil, let t = child.wait(block: false) {
                termination = t
                drainUntil = unixTime() + 0.5
            }
            // The command has ended; a descendant it left behind may keep its
            // output open (or keep writing): pass on what comes for 0.5 s, no more.
            if termination != nil && unixTime() > drainUntil { break }
            if fds.isEmpty {
                if termination != nil { break }
                var ts = timespec(tv_sec: 0, tv_nsec: Int(options.interval * 1e9))
                nanosleep(&ts, nil)
                continue
            }
            var pollSet = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let waitMs = termination == nil ? Int32(max(1, (nextSample - unixTime()) * 1000)) : 200
            let ready = poll(&pollSet, nfds_t(pollSet.count), waitMs)
            if ready == 0 && termination != nil { break }  // output left open by a grandchild: stop waiting
            if ready <= 0 { continue }
            for i in (0..<pollSet.count).reversed() where pollSet[i].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(fds[i], $0.baseAddress, $0.count) }
                if n <= 0 {
                    fds.remove(at: i); streams.remove(at: i)
                    continue
                }
                let stream = streams[i]
                buffer.withUnsafeBytes { raw in
                    let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<n])
                    if let forward = options.forward { forward(stream, chunk) } else { writeAll(stream, chunk) }
                    for marker in scanners[Int(stream) - 1].feed(chunk) { handle(marker: marker) }
                }
            }
        }
        if termination == nil { termination = child.wait(block: true) }
        let end = unixTime()
        while let o = open.popLast() {
            recording.phases.append(.init(label: o.label, start: o.start, end: end, startBytes: o.bytes,
                                          endBytes: lastBytes, level: open.count))
        }
        return Outcome(recording: recording, termination: termination, startError: nil)
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let w = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if w <= 0 { if errno == EINTR { continue }; return }
            offset += w
        }
    }
}

/// Finds phase-marker lines (`CELER_PHASE <label>`, `CELER_PHASE_END`) in a
/// byte stream that arrives in arbitrary chunks.
public struct PhaseScanner: Sendable {
    public enum Marker: Sendable, Equatable { case begin(String), end }
    var line: [UInt8] = []
    public init() {}

    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [Marker] {
        var found: [Marker] = []
        for b in bytes {
            if b == UInt8(ascii: "\n") {
                if let m = PhaseScanner.parse(line) { found.append(m) }
                line.removeAll(keepingCapacity: true)
            } else if line.count < 4096 {
                line.append(b)
            }
        }
        return found
    }

    static func parse(_ line: [UInt8]) -> Marker? {
        let text = String(decoding: line, as: UTF8.self).trimmingSpaces()
        if text == "CELER_PHASE_END" { return .end }
        if text.hasPrefix("CELER_PHASE ") {
            let label = String(text.dropFirst("CELER_PHASE ".count)).trimmingSpaces()
            return label.isEmpty ? nil : .begin(MemoryRecording.label(label))
        }
        return nil
    }
}
