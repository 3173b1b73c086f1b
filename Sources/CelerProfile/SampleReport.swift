import CelerCore
#if canImport(Glibc)
import Glibc
#endif

// What a sampling profile says: cProfile's view (self and cumulative time per
// function, the call tree), kernprof's table (time per source line of one
// function), and the exports (collapsed stacks, speedscope, callgrind through
// `ProfileReport`, and pprof).

/// One row of the function table.
public struct SampledFunction: Sendable {
    public var name: String
    public var file: String
    public var startLine: Int
    /// Weight of samples whose innermost frame is this function.
    public var selfWeight: Int
    /// Weight of samples with this function anywhere on the stack (once per sample).
    public var cumWeight: Int
}

extension SampleProfile {
    /// Samples of one thread (nil: all threads).
    func samples(thread: Int?) -> [StackSample] {
        thread.map { t in samples.filter { $0.thread == t } } ?? samples
    }

    /// Self and cumulative weight per function (inlined functions count as
    /// functions), most cumulative first.
    public func functions(thread: Int? = nil) -> [SampledFunction] {
        var rows: [String: SampledFunction] = [:]
        for s in samples(thread: thread) {
            let stack = logicalStack(s)
            var seen = Set<String>()
            for (depth, f) in stack.enumerated() {
                if rows[f.function] == nil {
                    rows[f.function] = SampledFunction(name: f.function, file: f.file, startLine: f.startLine, selfWeight: 0, cumWeight: 0)
                }
                if depth == 0 { rows[f.function]!.selfWeight += s.weight }
                if seen.insert(f.function).inserted { rows[f.function]!.cumWeight += s.weight }
            }
        }
        return rows.values.sorted { ($0.cumWeight, $0.selfWeight, $1.name) > ($1.cumWeight, $1.selfWeight, $0.name) }
    }

    /// The function table as text: the `top` rows by `sortBySelf` or cumulative weight.
    public func functionTable(thread: Int? = nil, top: Int = 25, sortBySelf: Bool = true) -> String {
        var rows = functions(thread: thread)
        if sortBySelf { rows.sort { ($0.selfWeight, $0.cumWeight) > ($1.selfWeight, $1.cumWeight) } }
        let total = max(1, samples(thread: thread).reduce(0) { $0 + $1.weight })
        var table = [["self", "self %", "cumulative", "cum %", "function", "defined at"]]
        for r in rows.prefix(top) {
            table.append([Fmt.seconds(seconds(r.selfWeight)), percent(r.selfWeight, total),
                          Fmt.seconds(seconds(r.cumWeight)), percent(r.cumWeight, total), r.name,
                          r.file == "??" ? "" : "\(shortPath(r.file)):\(r.startLine)"])
        }
        return TextTable.render(table, leftAligned: [4, 5])
    }

    /// The header line of `show` and `run`: samples, CPU time, threads.
    public func summaryLine() -> String {
        let threadCount = Set(samples.map(\.thread)).count
        var s = "\(samples.count) samples (\(Fmt.seconds(totalSeconds)) of CPU time) on \(threadCount) thread\(threadCount == 1 ? "" : "s"), "
            + "\(hz) Hz asked, one sample every \(Fmt.seconds(Double(intervalNanos) * 1e-9)) of a thread's CPU time"
        if dropped > 0 { s += "; \(dropped) samples dropped (buffer full: raise CELER_LPROF_BUFFER_MB)" }
        return s
    }

    /// The call tree, root to leaf, merged over threads (or one thread):
    /// cumulative and self percentages, branches under `minPercent` pruned.
    public func callTree(thread: Int? = nil, minPercent: Double = 1, maxDepth: Int = 40) -> String {
        final class Node { var name: String; var cum = 0; var selfW = 0; var children: [String: Node] = [:]; init(_ n: String) { name = n } }
        let root = Node("")
        for s in samples(thread: thread) {
            var node = root
            node.cum += s.weight
            for f in logicalStack(s).reversed() {
                let next = node.children[f.function] ?? Node(f.function)
                node.children[f.function] = next
                node = next
                node.cum += s.weight
            }
            node.selfW += s.weight
        }
        let total = max(1, root.cum)
        var out = ""
        func visit(_ n: Node, _ depth: Int) {
            for c in n.children.values.sorted(by: { ($0.cum, $1.name) > ($1.cum, $0.name) }) {
                guard Double(c.cum) * 100 / Double(total) >= minPercent, depth < maxDepth else { continue }
                out += Fmt.pad(percent(c.cum, total), 7, right: true) + " " + Fmt.pad(percent(c.selfW, total), 7, right: true)
                    + "  " + String(repeating: "  ", count: depth) + c.name + "\n"
                visit(c, depth + 1)
            }
        }
        out += "  cum %  self %  function (call tree, branches under \(Fmt.fixed(minPercent, 1)) % left out)\n"
        visit(root, 0)
        return out
    }

    /// Per thread and merged, as span-profiler reports: the exporters of
    /// `ProfileReport` (collapsed stacks, speedscope, callgrind, flame graph)
    /// then work unchanged. A node's `calls` is its number of samples.
    public func asProfileReport() -> ProfileReport {
        final class Node { var name: String; var count = 0; var cum = 0; var selfW = 0; var order: [String] = []; var children: [String: Node] = [:]; init(_ n: String) { name = n } }
        var threadsOut: [ThreadProfile] = []
        for (index, tid) in Set(samples.map(\.thread)).sorted().enumerated() {
            let root = Node("thread \(tid)" + (threads[tid].map { " (\($0))" } ?? ""))
            for s in samples where s.thread == tid {
                var node = root
                node.cum += s.weight
                for f in logicalStack(s).reversed() {
                    if node.children[f.function] == nil { node.children[f.function] = Node(f.function); node.order.append(f.function) }
                    node = node.children[f.function]!
                    node.count += 1
                    node.cum += s.weight
                }
                node.selfW += s.weight
            }
            func build(_ n: Node) -> CallNode {
                CallNode(name: n.name, calls: n.count, cumNanos: UInt64(n.cum * intervalNanos), selfNanos: UInt64(n.selfW * intervalNanos),
                         children: n.order.map { build(n.children[$0]!) })
            }
            var r = build(root)
            r.calls = 1
            threadsOut.append(ThreadProfile(index: index, name: root.name, root: r))
        }
        return ProfileReport(threads: threadsOut, tracksMemory: false)
    }

    /// Functions whose name is `name`, or else contains it.
    public func matchingFunctions(_ name: String) -> [String] {
        let all = functions().map(\.name)
        if all.contains(name) { return [name] }
        return all.filter { $0.contains(name) }
    }

    /// Resolves `name` to one sampled function, or a one-line error.
    public func resolveFunction(_ name: String) throws(CelerError) -> String {
        let found = matchingFunctions(name)
        if found.count == 1 { return found[0] }
        if found.isEmpty { throw CelerError("--function", "no sampled function is named '\(name)' or contains it; `celer lprof show FILE` lists them") }
        throw CelerError("--function", "'\(name)' matches \(found.count) functions (\(found.prefix(4).joined(separator: "; "))\(found.count > 4 ? "; …" : "")); give more of the name")
    }

    /// The hottest functions that have line information, by cumulative
    /// weight, leaving out pass-through frames (almost no self time and one
    /// line holding almost all of their time: thread entries, closures
    /// that only call on) and functions from elsewhere (the C library).
    public func hotFunctionsWithLines(top: Int, minPercent: Double = 5) -> [String] {
        let total = max(1, totalWeight)
        var out: [String] = []
        for f in functions() where out.count < top {
            guard f.file != "??", f.startLine > 0, Double(f.cumWeight) * 100 / Double(total) >= minPercent,
                  access(f.file, R_OK) == 0 else { continue }
            if f.selfWeight * 20 < f.cumWeight {
                let byLine = lineWeights(function: f.name)
                if let most = byLine.values.max(), most * 20 >= f.cumWeight * 19 { continue }
            }
            out.append(f.name)
        }
        return out
    }

    /// Weight per line of `function` (its innermost frame in each sample).
    func lineWeights(function: String) -> [Int: Int] {
        var byLine: [Int: Int] = [:]
        for s in samples {
            if let f = logicalStack(s).first(where: { $0.function == function }) { byLine[f.line, default: 0] += s.weight }
        }
        return byLine
    }

    /// kernprof's table for `function`: per source line, Hits (counted, when
    /// coverage was recorded), Time (sampled: the weight of samples whose
    /// innermost frame in this function is on that line, so calls and
    /// inlined code are charged to the line they come from), Per Hit, % Time.
    public func lineTable(function: String) throws(CelerError) -> String {
        var weightByLine: [Int: Int] = [:]
        var fileVotes: [String: Int] = [:]
        var startLine = 0, total = 0
        for s in samples {
            guard let f = logicalStack(s).first(where: { $0.function == function }) else { continue }
            total += s.weight
            weightByLine[f.line, default: 0] += s.weight
            fileVotes[f.file, default: 0] += s.weight
            if f.startLine > 0 && (startLine == 0 || f.startLine < startLine) { startLine = f.startLine }
        }
        guard total > 0 else { throw CelerError("--function", "no samples in '\(function)'") }
        let file = fileVotes.max { $0.value < $1.value }!.key
        guard file != "??" else {
            throw CelerError(function, "has no line information; rebuild the program with debug info (-g; SwiftPM release builds have it)")
        }
        let hits = lineHits[file] ?? lineHits.first { $0.key.hasSuffix("/" + shortPath(file)) }?.value
        let source = readTextFile(file).map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        var lines: [Int]
        if let source, startLine > 0 {
            let end = SampleProfile.functionEnd(source, from: startLine)
            lines = Array(startLine...max(end, startLine))
            lines += weightByLine.keys.filter { $0 > 0 && !lines.contains($0) }
            lines.sort()
        } else {
            lines = weightByLine.keys.filter { $0 > 0 }.sorted()
        }
        var out = "Timer unit: sampled CPU time (\(hz) Hz asked; 1 weight = \(Fmt.seconds(Double(intervalNanos) * 1e-9)))\n\n"
        out += "Total time: \(Fmt.seconds(seconds(total)))\n"
        out += "File: \(file)\n"
        out += "Function: \(function) at line \(startLine)\n"
        out += hits == nil ? "Columns: Time, % Time sampled; Hits not counted (build with -profile-generate -profile-coverage-mapping to count them)\n"
                           : "Columns: Time, % Time sampled; Hits counted exactly (LLVM coverage); Per Hit = Time / Hits\n"
        if source == nil { out += "(source file not readable here: line contents left out)\n" }
        out += "\n"
        var rows = [["Line #", "Hits", "Time", "Per Hit", "% Time", "Line Contents"]]
        for l in lines {
            let w = weightByLine[l] ?? 0
            let h = hits?[l]
            let content = source.map { l - 1 < $0.count ? $0[l - 1] : "" } ?? ""
            rows.append(["\(l)", h.map { "\($0)" } ?? "", w > 0 ? Fmt.seconds(seconds(w)) : "",
                         w > 0 && (h ?? 0) > 0 ? Fmt.seconds(seconds(w) / Double(h!)) : "",
                         w > 0 ? Fmt.fixed(Double(w) * 100 / Double(total), 1) : "", content])
        }
        let unattributed = weightByLine[0] ?? 0
        var text = TextTable.render(rows, leftAligned: [5])
        // kernprof's rule of '=' under the header.
        if let firstNewline = text.firstIndex(of: "\n") {
            let header = text[..<firstNewline]
            let rest = text[text.index(after: firstNewline)...].drop { $0 != "\n" }.dropFirst()
            text = header + "\n" + String(repeating: "=", count: header.count) + "\n" + rest
        }
        out += text
        if unattributed > 0 {
            out += "(\(Fmt.fixed(Double(unattributed) * 100 / Double(total), 1)) % of the time is on line 0: compiler-generated code with no source line)\n"
        }
        return out
    }

    /// The line of the brace that closes the body opened at or after `start` (1-based).
    static func functionEnd(_ source: [String], from start: Int) -> Int {
        var depth = 0, opened = false
        var line = start
        while line <= source.count && line < start + 2000 {
            var inString = false
            var previous: Character = " "
            for c in source[line - 1] {
                if inString { if c == "\"" && previous != "\\" { inString = false } }
                else if c == "\"" { inString = true }
                else if c == "/" && previous == "/" { break }
                else if c == "{" { depth += 1; opened = true }
                else if c == "}" { depth -= 1; if opened && depth == 0 { return line } }
                previous = c
            }
            line += 1
        }
        return opened ? line - 1 : start
    }
}

func percent(_ part: Int, _ total: Int) -> String { Fmt.fixed(Double(part) * 100 / Double(max(1, total)), 1) }

/// The last two components of a path.
func shortPath(_ path: String) -> String {
    let parts = path.split(separator: "/")
    return parts.suffix(2).joined(separator: "/")
}
