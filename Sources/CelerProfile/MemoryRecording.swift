import CelerCore
import CelerPlot
#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time as Unix seconds (the time base of .dat files).
public func unixTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Memory over time: what `celer mprof run` and `MemorySampler` record.
///
/// The file format is mprof's (memory_profiler), one record per line, so
/// `mprof plot` reads Celer's files and `celer mprof plot` reads mprof's:
///
///     CMDLINE <command line>
///     MEM <MiB> <unix time>                   resident memory of the process and its children
///     CHLD <pid> <MiB> <unix time>            one child's share (mprof --include-children)
///     FUNC <label> <MiB start> <t start> <MiB end> <t end> <level>   a labelled phase
///     HEAP <MiB> <unix time>                  (Celer) live heap bytes counted by the malloc hooks
///
/// Labels hold no spaces (they are replaced by '_'). Unknown records are
/// ignored on reading, as mprof does.
public struct MemoryRecording: Sendable {
    public struct Sample: Sendable, Equatable {
        public var time: Double
        public var bytes: Int
        public init(time: Double, bytes: Int) { self.time = time; self.bytes = bytes }
    }
    public struct ChildSample: Sendable, Equatable {
        public var pid: Int32
        public var time: Double
        public var bytes: Int
    }
    /// A labelled interval of the run (mprof's FUNC records, from
    /// `profile.timestamp` there and `MemoryPhase`/`CELER_PHASE` here).
    public struct Phase: Sendable, Equatable {
        public var label: String
        public var start: Double, end: Double
        public var startBytes: Int, endBytes: Int
        public var level: Int
        public init(label: String, start: Double, end: Double, startBytes: Int, endBytes: Int, level: Int = 0) {
            self.label = label; self.start = start; self.end = end
            self.startBytes = startBytes; self.endBytes = endBytes; self.level = level
        }
    }

    public var command: String
    /// Resident bytes (process plus children) over time.
    public var samples: [Sample] = []
    public var children: [ChildSample] = []
    /// Live heap bytes (only for in-process recordings with malloc counting).
    public var heap: [Sample] = []
    public var phases: [Phase] = []

    public init(command: String) { self.command = command }

    /// The highest sample (nil when there is none).
    public var peak: Sample? { samples.max { $0.bytes < $1.bytes } }
    public var heapPeak: Sample? { heap.max { $0.bytes < $1.bytes } }
    public var startTime: Double? { (samples.first?.time).map { min($0, heap.first?.time ?? $0) } ?? heap.first?.time }

    static func mib(_ bytes: Int) -> String { Fmt.fixed(Double(bytes) / 1048576, 6) }
    static func time(_ t: Double) -> String { Fmt.fixed(t, 4) }
    static func label(_ s: String) -> String {
        let cleaned = String(s.map { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" ? "_" : $0 })
        return cleaned.isEmpty ? "_" : cleaned
    }

    /// The recording as .dat text.
    public func datText() -> String {
        var out = "CMDLINE \(command.replacingNewlines())\n"
        // Records in time order, as a streaming writer would produce them.
        var lines: [(Double, Int, String)] = []
        for s in samples { lines.append((s.time, 0, "MEM \(Self.mib(s.bytes)) \(Self.time(s.time))")) }
        for c in children { lines.append((c.time, 1, "CHLD \(c.pid) \(Self.mib(c.bytes)) \(Self.time(c.time))")) }
        for h in heap { lines.append((h.time, 2, "HEAP \(Self.mib(h.bytes)) \(Self.time(h.time))")) }
        for p in phases {
            lines.append((p.end, 3, "FUNC \(Self.label(p.label)) \(Self.mib(p.startBytes)) \(Self.time(p.start)) "
                          + "\(Self.mib(p.endBytes)) \(Self.time(p.end)) \(p.level)"))
        }
        lines.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        for l in lines { out += l.2 + "\n" }
        return out
    }

    /// Writes the .dat file (atomically).
    public func write(to path: String) throws(CelerError) {
        try AtomicFile.write(datText(), to: path)
    }

    /// Reads a .dat file (Celer's or mprof's); a one-line error naming the
    /// file and line for anything malformed.
    public static func read(path: String) throws(CelerError) -> MemoryRecording {
        guard access(path, R_OK) == 0, let text = readTextFile(path) else {
            throw CelerError(path, "cannot read: \(String(cString: strerror(errno)))")
        }
        return try parse(text, source: path)
    }

    public static func parse(_ text: String, source: String = "input") throws(CelerError) -> MemoryRecording {
        var rec = MemoryRecording(command: "")
        var sawRecord = false
        for (n, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingSpaces()
            if line.isEmpty { continue }
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            func bad() -> CelerError {
                CelerError("\(source):\(n + 1)", "malformed \(f[0]) record '\(printable(line))'; see docs/profiling.md for the .dat format")
            }
            func num(_ i: Int) throws(CelerError) -> Double {
                guard i < f.count, let v = Double(f[i]), v.isFinite else { throw bad() }
                return v
            }
            switch f[0] {
            case "CMDLINE":
                rec.command = line.count > 8 ? String(line.dropFirst(8)) : ""
                sawRecord = true
            case "MEM":
                rec.samples.append(Sample(time: try num(2), bytes: Int(try num(1) * 1048576)))
                sawRecord = true
            case "HEAP":
                rec.heap.append(Sample(time: try num(2), bytes: Int(try num(1) * 1048576)))
            case "CHLD":
                guard f.count >= 4, let pid = Int32(f[1]) else { throw bad() }
                rec.children.append(ChildSample(pid: pid, time: try num(3), bytes: Int(try num(2) * 1048576)))
            case "FUNC":
                guard f.count >= 6 else { throw bad() }
                let level = f.count > 6 ? Int(f[6]) ?? 0 : 0
                rec.phases.append(Phase(label: String(f[1]), start: try num(3), end: try num(5),
                                        startBytes: Int(try num(2) * 1048576), endBytes: Int(try num(4) * 1048576),
                                        level: level))
            default:
                // mprof ignores records it does not know; so do we, but a
                // file with no known record at all is not a recording.
                if n == 0 && !f[0].allSatisfy({ $0.isUppercase || $0 == "_" }) {
                    throw CelerError(source, "not a memory recording (expected CMDLINE or MEM records, found '\(printable(line))')")
                }
            }
        }
        guard sawRecord else { throw CelerError(source, "not a memory recording (no CMDLINE or MEM record)") }
        rec.samples.sort { $0.time < $1.time }
        rec.heap.sort { $0.time < $1.time }
        return rec
    }

    /// At most 40 characters of `text`, anything unprintable as '?'.
    static func printable(_ text: String) -> String {
        String(text.prefix(40).map { $0.isASCII && ($0 == " " || !$0.isWhitespace) && ($0.asciiValue ?? 0) >= 32 && ($0.asciiValue ?? 0) < 127 ? $0 : "?" })
    }

    /// Memory over time as a chart: seconds since the start on x, MiB on y,
    /// phases shaded, the peak marked.
    public func chart(title: String? = nil) -> LineChart {
        let t0 = startTime ?? 0
        var series: [LineChart.Series] = []
        if !samples.isEmpty {
            series.append(.init(name: "resident (RSS)", points: samples.map { ($0.time - t0, Double($0.bytes) / 1048576) },
                                color: "#1f77b4"))
        }
        if !heap.isEmpty {
            series.append(.init(name: "heap (malloc)", points: heap.map { ($0.time - t0, Double($0.bytes) / 1048576) },
                                color: "#2ca02c"))
        }
        let bands = phases.map { LineChart.Band(label: $0.label, start: $0.start - t0, end: $0.end - t0) }
        var marker: LineChart.Marker? = nil
        if let p = peak ?? heapPeak {
            marker = .init(label: "peak \(Fmt.fixed(Double(p.bytes) / 1048576, 1)) MiB", x: p.time - t0,
                           y: Double(p.bytes) / 1048576)
        }
        let name = title ?? (command.isEmpty ? "memory over time" : command)
        return LineChart(title: String(name.prefix(90)), xLabel: "time (s)", yLabel: "memory (MiB)",
                         series: series, bands: bands, marker: marker)
    }

    /// A one-paragraph text summary: duration, samples, peak, phases.
    public func summary() -> String {
        var out = ""
        let t0 = startTime ?? 0
        let duration = (samples.last?.time ?? t0) - t0
        out += "\(samples.count) samples over \(Fmt.seconds(duration))"
        if let p = peak {
            out += "; peak \(Fmt.fixed(Double(p.bytes) / 1048576, 1)) MiB at \(Fmt.fixed(p.time - t0, 3)) s"
        }
        if let h = heapPeak { out += "; heap peak \(Fmt.bytes(Double(h.bytes)))" }
        out += "\n"
        if !phases.isEmpty {
            var rows = [["phase", "start", "end", "MiB at start", "MiB at end", "peak MiB in phase"]]
            for p in phases {
                let inPhase = samples.filter { $0.time >= p.start && $0.time <= p.end }.map(\.bytes)
                let hi = max(inPhase.max() ?? 0, max(p.startBytes, p.endBytes))
                rows.append([p.label, Fmt.fixed(p.start - t0, 3) + " s", Fmt.fixed(p.end - t0, 3) + " s",
                             Fmt.fixed(Double(p.startBytes) / 1048576, 1), Fmt.fixed(Double(p.endBytes) / 1048576, 1),
                             Fmt.fixed(Double(hi) / 1048576, 1)])
            }
            out += TextTable.render(rows, leftAligned: [0])
        }
        return out
    }
}
