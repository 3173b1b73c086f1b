import CelerCore
#if canImport(Glibc)
import Glibc
#endif

// The sampling profiler's data: what the C sampler wrote ("celer-lprof-raw
// 1", addresses only), and the symbolised profile ("celer-lprof 1", the
// documented file of `celer lprof run --out`, see docs/profiling.md).

/// One sample: a thread, its weight (timer expirations: CPU time =
/// weight × interval), the span label at that moment, and its stack as
/// location ids, leaf first.
public struct StackSample: Sendable, Equatable {
    public var thread: Int
    public var weight: Int
    public var label: UInt64
    public var stack: [Int]
}

/// One machine address (module-relative) and its source frames, innermost
/// inlined frame first.
public struct SampleLocation: Sendable, Equatable {
    public var module: Int
    public var address: UInt64
    public var frames: [Int]
}

/// A symbolised sampling profile.
public struct SampleProfile: Sendable {
    /// The profiled program's path and identity (build id, or size:mtime).
    public var program: String
    public var identity: String
    public var command: [String] = []
    /// Requested rate and the timer interval (ns of CPU time per unit of weight).
    public var hz: Int
    public var intervalNanos: Int
    /// Weight lost because the buffer was full.
    public var dropped: Int = 0
    public var modules: [String] = []
    public var threads: [Int: String] = [:]
    public var labels: [UInt64: String] = [:]
    public var frames: [SourceFrame] = []
    public var locations: [SampleLocation] = []
    public var samples: [StackSample] = []
    /// Exact execution counts per source line (LLVM coverage), when counted.
    public var lineHits: [String: [Int: Int]] = [:]

    public var totalWeight: Int { samples.reduce(0) { $0 + $1.weight } }
    public var totalSeconds: Double { Double(totalWeight) * Double(intervalNanos) * 1e-9 }
    public func seconds(_ weight: Int) -> Double { Double(weight) * Double(intervalNanos) * 1e-9 }

    /// The logical stack of a sample, leaf first, inlined frames expanded.
    public func logicalStack(_ s: StackSample) -> [SourceFrame] {
        var out: [SourceFrame] = []
        for loc in s.stack { for f in locations[loc].frames { out.append(frames[f]) } }
        return out
    }
}

// MARK: - The raw file of the C sampler

/// "celer-lprof-raw 1", as `celer_sampler_write_raw` writes it.
public struct RawSamples: Sendable {
    public struct Module: Sendable { public var path: String; public var bias: UInt64; public var buildID: String? }
    public var pid = 0
    public var hz = 0
    public var intervalNanos = 0
    public var program = ""
    public var dropped = 0
    public var modules: [Module] = []
    /// Executable segments: absolute [start, end) and the module index.
    public var segments: [(start: UInt64, end: UInt64, module: Int)] = []
    public var threads: [Int: String] = [:]
    /// (tid, weight, label, addresses leaf first: the PC, then return addresses − 1).
    public var samples: [(thread: Int, weight: Int, label: UInt64, addresses: [UInt64])] = []
    /// Whether the file ended with its `end` line (else it was cut short).
    public var complete = false

    public init(path: String) throws(CelerError) {
        guard let text = readTextFile(path) else { throw CelerError(path, "cannot read the raw samples") }
        try self.init(text: text, name: path)
    }

    public init(text: String, name: String) throws(CelerError) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true)[...]
        guard lines.first == "celer-lprof-raw 1" else { throw CelerError(name, "not a celer-lprof-raw file") }
        lines = lines.dropFirst()
        for line in lines {
            let f = line.split(separator: " ")
            guard let key = f.first else { continue }
            switch key {
            case "pid" where f.count == 2: pid = Int(f[1]) ?? 0
            case "hz" where f.count == 2: hz = Int(f[1]) ?? 0
            case "interval_ns" where f.count == 2: intervalNanos = Int(f[1]) ?? 0
            case "program" where f.count == 2: program = unescapeField(f[1])
            case "dropped" where f.count == 2: dropped = Int(f[1]) ?? 0
            case "module" where f.count == 5:
                modules.append(Module(path: unescapeField(f[4]), bias: UInt64(f[2], radix: 16) ?? 0,
                                      buildID: f[3] == "-" ? nil : String(f[3])))
            case "segment" where f.count == 4:
                if let m = Int(f[1]), let s = UInt64(f[2], radix: 16), let e = UInt64(f[3], radix: 16) { segments.append((s, e, m)) }
            case "thread" where f.count == 3:
                if let t = Int(f[1]) { threads[t] = unescapeField(f[2]) }
            case "s" where f.count >= 5:
                guard let t = Int(f[1]), let w = Int(f[2]), let l = UInt64(f[3], radix: 16) else { continue }
                samples.append((t, w, l, f[4...].compactMap { UInt64($0, radix: 16) }))
            case "end": complete = true
            default: break
            }
        }
    }

    /// Symbolises every address (llvm-symbolizer, swift-demangle) into a profile.
    public func symbolized(identity: String? = nil) -> SampleProfile {
        var profile = SampleProfile(program: program, identity: identity ?? "", hz: hz, intervalNanos: intervalNanos)
        profile.dropped = dropped
        profile.threads = threads
        profile.modules = modules.map(\.path) + ["[unknown]"]
        let unknownModule = modules.count
        let sortedSegments = segments.sorted { $0.start < $1.start }
        func module(of a: UInt64) -> Int {
            var lo = 0, hi = sortedSegments.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if sortedSegments[mid].end <= a { lo = mid + 1 } else { hi = mid }
            }
            if lo < sortedSegments.count, sortedSegments[lo].start <= a, a < sortedSegments[lo].end { return sortedSegments[lo].module }
            return unknownModule
        }
        // Unique addresses per module, relative to its load bias.
        var locationOf: [UInt64: Int] = [:]
        var perModule: [Int: Set<UInt64>] = [:]
        for s in samples {
            for a in s.addresses where locationOf[a] == nil {
                let m = module(of: a)
                let rel = m == unknownModule ? a : a &- modules[m].bias
                locationOf[a] = profile.locations.count
                profile.locations.append(SampleLocation(module: m, address: rel, frames: []))
                perModule[m, default: []].insert(rel)
            }
        }
        var frameIndex: [SourceFrame: Int] = [:]
        var symbolised: [Int: [UInt64: [SourceFrame]]] = [:]
        var linkageNames: Set<String> = []
        for (m, addresses) in perModule {
            if m == unknownModule || modules[m].path.hasPrefix("linux-vdso") { continue }
            let table = Symbolizer.symbolize(object: modules[m].path, addresses: addresses.sorted())
            symbolised[m] = table
            for frames in table.values { for f in frames { linkageNames.insert(f.linkageName) } }
        }
        let names = Symbolizer.demangle(Array(linkageNames))
        for i in profile.locations.indices {
            let loc = profile.locations[i]
            var frames = symbolised[loc.module]?[loc.address] ?? []
            if frames.isEmpty {
                let name = loc.module == unknownModule ? "[unknown]" : (modules[loc.module].path.split(separator: "/").last.map(String.init) ?? "?")
                frames = [SourceFrame(function: "?? (\(name))", file: "??", line: 0, startLine: 0, linkageName: "")]
            }
            profile.locations[i].frames = frames.map { f in
                var f = f
                if !f.linkageName.isEmpty { f.function = names[f.linkageName] ?? f.function }
                if let id = frameIndex[f] { return id }
                frameIndex[f] = profile.frames.count
                profile.frames.append(f)
                return profile.frames.count - 1
            }
        }
        profile.samples = samples.map { s in
            StackSample(thread: s.thread, weight: s.weight, label: s.label, stack: s.addresses.map { locationOf[$0]! })
        }
        return profile
    }
}

// MARK: - The profile file

/// Fields are separated by one space; inside a field `\\`, `\s`, `\t`, `\n`
/// stand for a backslash, space, tab and newline, and `-` for the empty string.
func escapeField(_ s: String) -> String {
    if s.isEmpty { return "-" }
    var out = ""
    for c in s {
        switch c {
        case "\\": out += "\\\\"
        case " ": out += "\\s"
        case "\t": out += "\\t"
        case "\n": out += "\\n"
        default: out.append(c)
        }
    }
    return out == "-" ? "\\-" : out
}

func unescapeField<S: StringProtocol>(_ s: S) -> String {
    if s == "-" { return "" }
    var out = ""
    var escape = false
    for c in s {
        if escape {
            switch c { case "s": out += " "; case "t": out += "\t"; case "n": out += "\n"; default: out.append(c) }
            escape = false
        } else if c == "\\" { escape = true } else { out.append(c) }
    }
    return out
}

extension SampleProfile {
    public static let formatHeader = "celer-lprof 1"

    /// The file's text; see docs/profiling.md ("The profile file").
    public func serialized() -> String {
        var out = SampleProfile.formatHeader + "\n"
        out += "program \(escapeField(program))\nidentity \(escapeField(identity))\n"
        out += "command" + command.map { " " + escapeField($0) }.joined() + "\n"
        out += "hz \(hz)\ninterval_ns \(intervalNanos)\ndropped \(dropped)\n"
        for (i, m) in modules.enumerated() { out += "module \(i) \(escapeField(m))\n" }
        for (t, name) in threads.sorted(by: { $0.key < $1.key }) { out += "thread \(t) \(escapeField(name))\n" }
        for (l, name) in labels.sorted(by: { $0.key < $1.key }) { out += "label \(String(l, radix: 16)) \(escapeField(name))\n" }
        for (i, f) in frames.enumerated() {
            out += "frame \(i) \(f.line) \(f.startLine) \(escapeField(f.file)) \(escapeField(f.function)) \(escapeField(f.linkageName))\n"
        }
        for (i, l) in locations.enumerated() {
            out += "loc \(i) \(l.module) \(String(l.address, radix: 16))" + l.frames.map { " \($0)" }.joined() + "\n"
        }
        for (file, lines) in lineHits.sorted(by: { $0.key < $1.key }) {
            for (line, count) in lines.sorted(by: { $0.key < $1.key }) { out += "hits \(escapeField(file)) \(line) \(count)\n" }
        }
        for s in samples {
            out += "sample \(s.thread) \(s.weight) \(String(s.label, radix: 16))" + s.stack.map { " \($0)" }.joined() + "\n"
        }
        out += "end \(samples.count) \(totalWeight)\n"
        return out
    }

    /// Writes the profile through a temporary file and a rename.
    public func write(to path: String) throws(CelerError) {
        try AtomicFile.write(serialized(), to: path)
    }

    /// Reads a profile file; a truncated or foreign file is a one-line error.
    public init(path: String) throws(CelerError) {
        guard access(path, F_OK) == 0 else { throw CelerError(path, "no such profile file") }
        guard let text = readTextFile(path) else { throw CelerError(path, "cannot read the profile file") }
        try self.init(text: text, name: path)
    }

    public init(text: String, name: String) throws(CelerError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == Substring(SampleProfile.formatHeader) else {
            throw CelerError(name, "not a celer-lprof profile (the first line is not '\(SampleProfile.formatHeader)')")
        }
        self.init(program: "", identity: "", hz: 0, intervalNanos: 0)
        var ended = false
        func bad(_ n: Int) -> CelerError { CelerError(name, "malformed line \(n + 1) of the profile; was it edited or cut short?") }
        for (n, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            if ended { throw bad(n) }
            let f = line.split(separator: " ", omittingEmptySubsequences: false)
            switch f[0] {
            case "program" where f.count == 2: program = unescapeField(f[1])
            case "identity" where f.count == 2: identity = unescapeField(f[1])
            case "command": command = f.dropFirst().map { unescapeField($0) }
            case "hz" where f.count == 2: hz = Int(f[1]) ?? 0
            case "interval_ns" where f.count == 2: intervalNanos = Int(f[1]) ?? 0
            case "dropped" where f.count == 2: dropped = Int(f[1]) ?? 0
            case "module" where f.count == 3: modules.append(unescapeField(f[2]))
            case "thread" where f.count == 3:
                guard let t = Int(f[1]) else { throw bad(n) }
                threads[t] = unescapeField(f[2])
            case "label" where f.count == 3:
                guard let l = UInt64(f[1], radix: 16) else { throw bad(n) }
                labels[l] = unescapeField(f[2])
            case "frame" where f.count == 7:
                guard Int(f[1]) == frames.count, let line = Int(f[2]), let start = Int(f[3]) else { throw bad(n) }
                frames.append(SourceFrame(function: unescapeField(f[5]), file: unescapeField(f[4]), line: line,
                                          startLine: start, linkageName: unescapeField(f[6])))
            case "loc" where f.count >= 4:
                guard Int(f[1]) == locations.count, let m = Int(f[2]), m < modules.count, let a = UInt64(f[3], radix: 16) else { throw bad(n) }
                let ids = f[4...].compactMap { Int($0) }
                guard ids.count == f.count - 4, ids.allSatisfy({ $0 < frames.count }) else { throw bad(n) }
                locations.append(SampleLocation(module: m, address: a, frames: ids))
            case "hits" where f.count == 4:
                guard let l = Int(f[2]), let c = Int(f[3]) else { throw bad(n) }
                lineHits[unescapeField(f[1]), default: [:]][l] = c
            case "sample" where f.count >= 4:
                guard let t = Int(f[1]), let w = Int(f[2]), let l = UInt64(f[3], radix: 16) else { throw bad(n) }
                let ids = f[4...].compactMap { Int($0) }
                guard ids.count == f.count - 4, ids.allSatisfy({ $0 < locations.count }) else { throw bad(n) }
                samples.append(StackSample(thread: t, weight: w, label: l, stack: ids))
            case "end" where f.count == 3:
                guard Int(f[1]) == samples.count, Int(f[2]) == totalWeight else {
                    throw CelerError(name, "the profile's end line does not match its samples; the file is damaged")
                }
                ended = true
            default: throw bad(n)
            }
        }
        guard ended else { throw CelerError(name, "the profile is truncated (no end line); record it again") }
        guard intervalNanos > 0 else { throw CelerError(name, "the profile has no sampling interval") }
    }

    /// Throws unless `binary` is the program this profile was recorded from.
    public func checkBinary(_ binary: String) throws(CelerError) {
        let elf = try ELFFile(binary)
        guard elf.identity == identity else {
            throw CelerError(binary, "this profile was recorded from another build of \(program) (identity \(identity), this file has \(elf.identity)); profile it again")
        }
    }
}
