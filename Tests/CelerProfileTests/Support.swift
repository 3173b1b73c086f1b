import CelerCore
import Foundation
import FoundationXML
@testable import CelerProfile

/// Burns about `nanos` of CPU time in a loop the optimiser cannot remove.
func busy(_ nanos: UInt64) {
    let end = monotonicNanos() + nanos
    var x = 0.0
    while monotonicNanos() < end { x += 1 }
    blackHole(x)
}

/// Whether `text` is well-formed XML (Foundation's XMLParser).
func isWellFormedXML(_ text: String) -> Bool {
    let parser = XMLParser(data: Data(text.utf8))
    return parser.parse()
}

/// A callgrind file, parsed just enough to check it: per function its self
/// cost (first event), and per caller→callee edge its calls and inclusive cost.
struct Callgrind {
    var events: [String] = []
    var selfCost: [String: Int] = [:]
    var edges: [String: (calls: Int, inclusive: Int)] = [:]
    var summary: Int = 0

    init(_ text: String) throws {
        struct Bad: Error { let line: String }
        var names: [String: String] = [:]
        func name(_ spec: Substring) -> String {
            // "(id) name" defines, "(id)" refers.
            guard spec.hasPrefix("("), let close = spec.firstIndex(of: ")") else { return String(spec) }
            let id = String(spec[spec.index(after: spec.startIndex)..<close])
            let rest = spec[spec.index(after: close)...].trimmingCharacters(in: .whitespaces)
            if !rest.isEmpty { names[id] = rest }
            return names[id] ?? "?"
        }
        var fn = "", cfn = "", pendingCalls: Int? = nil
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#") || line.isEmpty { continue }
            if line.hasPrefix("events:") { events = line.dropFirst(7).split(separator: " ").map(String.init); continue }
            if line.hasPrefix("summary:") { summary = Int(line.dropFirst(8).split(separator: " ")[0])!; continue }
            if line.hasPrefix("fn=") { fn = name(line.dropFirst(3)); selfCost[fn, default: 0] += 0; continue }
            if line.hasPrefix("cfn=") { cfn = name(line.dropFirst(4)); continue }
            if line.hasPrefix("calls=") {
                guard let c = Int(line.dropFirst(6).split(separator: " ")[0]) else { throw Bad(line: String(line)) }
                pendingCalls = c; continue
            }
            if let first = line.first, first.isNumber {
                let fields = line.split(separator: " ").compactMap { Int($0) }
                guard fields.count == 1 + events.count else { throw Bad(line: String(line)) }
                if let calls = pendingCalls {
                    let key = fn + "->" + cfn
                    let old = edges[key] ?? (0, 0)
                    edges[key] = (old.calls + calls, old.inclusive + fields[1])
                    pendingCalls = nil
                } else {
                    selfCost[fn, default: 0] += fields[1]
                }
                continue
            }
            if line.contains(":") { continue }  // other header lines
            throw Bad(line: String(line))
        }
    }
}
