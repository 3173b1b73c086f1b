import CelerCore
import CelerPlot

/// One call path of a thread's call tree, as recorded.
public struct CallNode: Sendable {
    public var name: String
    /// Times this path was entered (and left).
    public var calls: Int
    /// Time inside the span, children included.
    public var cumNanos: UInt64
    /// Time inside the span, children excluded (cumNanos - Σ children.cumNanos).
    public var selfNanos: UInt64
    public var memory: MemoryDelta
    public var children: [CallNode]

    public init(name: String, calls: Int, cumNanos: UInt64, selfNanos: UInt64,
                memory: MemoryDelta = MemoryDelta(), children: [CallNode] = []) {
        self.name = name; self.calls = calls; self.cumNanos = cumNanos; self.selfNanos = selfNanos
        self.memory = memory; self.children = children
    }

    /// Visits every node below (not including) this one with its path of names.
    func walk(_ path: [String], _ visit: (_ path: [String], _ node: CallNode, _ parentName: String?) -> Void) {
        for child in children {
            let p = path + [child.name]
            visit(p, child, path.count > 0 ? path.last : nil)
            child.walk(p, visit)
        }
    }
}

/// The spans recorded on one thread; `root` is a synthetic node named after
/// the thread whose children are the outermost spans.
public struct ThreadProfile: Sendable {
    public let index: Int
    public let name: String
    public let root: CallNode
}

/// One row of the pstats-style table: every span of that name, all threads.
public struct FunctionStats: Sendable {
    public var name: String
    /// All calls, and the primitive ones (not inside a span of the same name).
    public var calls: Int
    public var primitiveCalls: Int
    /// Time in the span itself, summed over all calls.
    public var totNanos: UInt64
    /// Time in the span and below, summed over primitive calls only, so a
    /// recursive span is not counted twice (cProfile's rule).
    public var cumNanos: UInt64
    /// Memory of the primitive calls (peak: the highest of any call).
    public var memory: MemoryDelta

    public var totPerCall: Double { calls == 0 ? 0 : Double(totNanos) * 1e-9 / Double(calls) }
    public var cumPerCall: Double { primitiveCalls == 0 ? 0 : Double(cumNanos) * 1e-9 / Double(primitiveCalls) }
}

/// The columns the table can be sorted by.
public enum ProfileSortKey: String, CaseIterable, Sendable {
    case calls, tottime, cumtime, percall, name, allocated, net, peak
}

/// What the span profiler recorded, with its renderings: a pstats-style
/// table, collapsed stacks, speedscope JSON, callgrind, and a flame graph.
public struct ProfileReport: Sendable {
    public let threads: [ThreadProfile]
    public let tracksMemory: Bool

    public init(threads: [ThreadProfile], tracksMemory: Bool) {
        self.threads = threads; self.tracksMemory = tracksMemory
    }

    public var isEmpty: Bool { threads.isEmpty }

    /// Total span time: Σ over threads of the outermost spans' cumtime.
    public var totalNanos: UInt64 { threads.reduce(0) { $0 + $1.root.cumNanos } }

    /// Per-name statistics with cProfile's rules for recursion.
    public var functions: [FunctionStats] {
        var byName: [String: FunctionStats] = [:]
        var order: [String] = []
        func visit(_ node: CallNode, active: inout [String: Int]) {
            for child in node.children {
                let outermost = (active[child.name] ?? 0) == 0
                if byName[child.name] == nil {
                    order.append(child.name)
                    byName[child.name] = FunctionStats(name: child.name, calls: 0, primitiveCalls: 0,
                                                       totNanos: 0, cumNanos: 0, memory: MemoryDelta())
                }
                byName[child.name]!.calls += child.calls
                byName[child.name]!.totNanos += child.selfNanos
                if outermost {
                    byName[child.name]!.primitiveCalls += child.calls
                    byName[child.name]!.cumNanos += child.cumNanos
                    byName[child.name]!.memory.add(child.memory)
                }
                active[child.name, default: 0] += 1
                visit(child, active: &active)
                active[child.name]! -= 1
            }
        }
        for thread in threads {
            var active: [String: Int] = [:]
            visit(thread.root, active: &active)
        }
        return order.map { byName[$0]! }
    }

    /// The pstats-style table: one row per span name, sorted by `key`
    /// (descending, except `name`), the first `top` rows.
    public func table(sortBy key: ProfileSortKey = .cumtime, top: Int? = nil) -> String {
        var rows = functions
        rows.sort { a, b in
            switch key {
            case .calls: return a.calls > b.calls
            case .tottime: return a.totNanos > b.totNanos
            case .cumtime: return a.cumNanos > b.cumNanos
            case .percall: return a.cumPerCall > b.cumPerCall
            case .name: return a.name < b.name
            case .allocated: return a.memory.allocatedBytes > b.memory.allocatedBytes
            case .net: return a.memory.netBytes > b.memory.netBytes
            case .peak: return a.memory.peakBytes > b.memory.peakBytes
            }
        }
        if let top { rows = Array(rows.prefix(max(0, top))) }
        let totalCalls = functions.reduce(0) { $0 + $1.calls }
        var header = ["ncalls", "tottime", "percall", "cumtime", "percall"]
        if tracksMemory { header += ["allocated", "freed", "net", "peak"] }
        header.append("span")
        var table: [[String]] = [header]
        for r in rows {
            var line = [r.calls == r.primitiveCalls ? "\(r.calls)" : "\(r.calls)/\(r.primitiveCalls)",
                        Fmt.seconds(Double(r.totNanos) * 1e-9), Fmt.seconds(r.totPerCall),
                        Fmt.seconds(Double(r.cumNanos) * 1e-9), Fmt.seconds(r.cumPerCall)]
            if tracksMemory {
                line += [Fmt.bytes(Double(r.memory.allocatedBytes)), Fmt.bytes(Double(r.memory.freedBytes)),
                         Fmt.bytes(Double(r.memory.netBytes)), Fmt.bytes(Double(r.memory.peakBytes))]
            }
            line.append(r.name)
            table.append(line)
        }
        let title = "\(totalCalls) span calls in \(Fmt.seconds(Double(totalNanos) * 1e-9)) on \(threads.count) thread\(threads.count == 1 ? "" : "s")"
            + "; ordered by \(key.rawValue)\(top.map { ", top \($0)" } ?? "")\n\n"
        return title + TextTable.render(table, leftAligned: [header.count - 1])
    }

    // MARK: Exports

    /// Collapsed stacks (Brendan Gregg's flamegraph.pl input): one line per
    /// call path, frames joined by ';', then its self time in nanoseconds.
    /// With several threads the first frame names the thread.
    public func collapsedStacks() -> String {
        var out = ""
        for (path, weight) in stacks() where weight > 0 {
            out += path.map { $0.replacingSemicolons() }.joined(separator: ";") + " \(weight)\n"
        }
        return out
    }

    /// Call paths with their self time in ns (the flame graph's input).
    public func stacks() -> [(path: [String], selfNanos: UInt64)] {
        var out: [(path: [String], selfNanos: UInt64)] = []
        let prefix = threads.count > 1
        for thread in threads {
            thread.root.walk(prefix ? [thread.name] : []) { path, node, _ in
                out.append((path, node.selfNanos))
            }
        }
        return out
    }

    /// speedscope's file format (https://www.speedscope.app/file-format-schema.json):
    /// one "sampled" profile per thread whose samples are the call paths,
    /// weighted by their self time in nanoseconds.
    public func speedscopeJSON(name: String = "celer profile") -> String {
        var frames: [String] = []
        var frameIndex: [String: Int] = [:]
        func index(_ f: String) -> Int {
            if let i = frameIndex[f] { return i }
            frames.append(f); frameIndex[f] = frames.count - 1
            return frames.count - 1
        }
        var profiles: [String] = []
        for thread in threads {
            var samples: [String] = [], weights: [String] = []
            thread.root.walk([]) { path, node, _ in
                guard node.selfNanos > 0 else { return }
                samples.append("[" + path.map { String(index($0)) }.joined(separator: ",") + "]")
                weights.append(String(node.selfNanos))
            }
            let total = thread.root.cumNanos
            profiles.append("{\"type\":\"sampled\",\"name\":\(JSONText.quote(thread.name)),\"unit\":\"nanoseconds\","
                + "\"startValue\":0,\"endValue\":\(total),\"samples\":[\(samples.joined(separator: ","))],"
                + "\"weights\":[\(weights.joined(separator: ","))]}")
        }
        let frameList = frames.map { "{\"name\":\(JSONText.quote($0))}" }.joined(separator: ",")
        return "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
            + "\"shared\":{\"frames\":[\(frameList)]},\"profiles\":[\(profiles.joined(separator: ","))],"
            + "\"name\":\(JSONText.quote(name)),\"activeProfileIndex\":0,\"exporter\":\"celer\"}\n"
    }

    /// The callgrind format (KCachegrind, qcachegrind): per span name its self
    /// cost, and per caller→callee edge the calls and inclusive cost. Events:
    /// nanoseconds, and allocated bytes when memory was tracked.
    public func callgrind(command: String = "celer profile") -> String {
        struct Edge { var calls = 0; var nanos: UInt64 = 0; var bytes = 0 }
        var selfCost: [String: (nanos: UInt64, bytes: Int)] = [:]
        var order: [String] = []
        var edges: [String: [String: Edge]] = [:]
        var edgeOrder: [String: [String]] = [:]
        for thread in threads {
            thread.root.walk([]) { _, node, parent in
                if selfCost[node.name] == nil { selfCost[node.name] = (0, 0); order.append(node.name) }
                let childBytes = node.children.reduce(0) { $0 + $1.memory.allocatedBytes }
                selfCost[node.name]!.nanos += node.selfNanos
                selfCost[node.name]!.bytes += max(0, node.memory.allocatedBytes - childBytes)
                if let parent {
                    if edges[parent]?[node.name] == nil { edgeOrder[parent, default: []].append(node.name) }
                    edges[parent, default: [:]][node.name, default: Edge()].calls += node.calls
                    edges[parent]![node.name]!.nanos += node.cumNanos
                    edges[parent]![node.name]!.bytes += node.memory.allocatedBytes
                }
            }
        }
        var ids: [String: Int] = [:]
        func ref(_ name: String) -> String {
            if let id = ids[name] { return "(\(id))" }
            ids[name] = ids.count + 1
            return "(\(ids[name]!)) \(name.replacingNewlines())"
        }
        let mem = tracksMemory
        func cost(_ nanos: UInt64, _ bytes: Int) -> String { mem ? "\(nanos) \(bytes)" : "\(nanos)" }
        let totalNanos = order.reduce(UInt64(0)) { $0 + selfCost[$1]!.nanos }
        let totalBytes = order.reduce(0) { $0 + selfCost[$1]!.bytes }
        var out = "# callgrind format\nversion: 1\ncreator: celer\ncmd: \(command.replacingNewlines())\n"
            + "positions: line\nevents: \(mem ? "Nanoseconds AllocatedBytes" : "Nanoseconds")\n"
            + "summary: \(cost(totalNanos, totalBytes))\n"
        for name in order {
            out += "\nfn=\(ref(name))\n0 \(cost(selfCost[name]!.nanos, selfCost[name]!.bytes))\n"
            for callee in edgeOrder[name] ?? [] {
                let e = edges[name]![callee]!
                out += "cfn=\(ref(callee))\ncalls=\(e.calls) 0\n0 \(cost(e.nanos, e.bytes))\n"
            }
        }
        return out
    }

    /// The flame graph of the recorded spans as SVG (width = self time).
    public func flameGraphSVG(title: String = "celer profile") -> String {
        let frames = stacks().map { FlameGraph.Stack(frames: $0.path, weight: Double($0.selfNanos)) }
        return FlameGraph.render(frames, title: title, unit: { Fmt.seconds($0 * 1e-9) }).render()
    }
}

extension String {
    func replacingSemicolons() -> String { String(map { $0 == ";" ? ":" : $0 }) }
    func replacingNewlines() -> String { String(map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }
}


/// Aligned plain-text tables for terminal reports.
public enum TextTable {
    /// Renders rows (the first is the header) with columns right-aligned
    /// except those in `leftAligned`; a rule under the header.
    public static func render(_ rows: [[String]], leftAligned: Set<Int> = []) -> String {
        guard let header = rows.first else { return "" }
        var widths = Array(repeating: 0, count: header.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for (r, row) in rows.enumerated() {
            let cells = row.enumerated().map { i, cell in
                Fmt.pad(cell, widths[i], right: !leftAligned.contains(i))
            }
            var line = cells.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
            if r == 0 { out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
        }
        return out
    }
}
