import CelerCore

// The two views of an annotation: the terminal (one row per source line,
// a bar for its score, the costs below it) and a self-contained HTML page
// (lines shaded yellow by score like `cython -a`; a click on a line opens
// its machine code; no script, no external file).

extension AnnotatedLine {
    /// "swift_retain ×2, swift_release ×2, call spin(_:_:)".
    public var costSummary: String {
        var parts: [String] = []
        for k in CostKind.allCases where k != .call {
            if let n = counts[k] { parts.append(n == 1 ? k.rawValue : "\(k.rawValue) ×\(n)") }
        }
        for (name, n) in calls.sorted(by: { $0.key < $1.key }) { parts.append(n == 1 ? "call \(name)" : "call \(name) ×\(n)") }
        if packedOps > 0 { parts.append("\(packedOps) packed SIMD op\(packedOps == 1 ? "" : "s")") }
        return parts.joined(separator: ", ")
    }
}

extension Annotation {
    /// Totals over the function: retains, releases, and so on.
    public var totals: [CostKind: Int] {
        var t: [CostKind: Int] = [:]
        for l in lines { for (k, n) in l.counts { t[k, default: 0] += n } }
        return t
    }

    public var loopSummary: String {
        guard !loops.isEmpty else { return "no loops" }
        var seen = Set<String>()
        var parts: [String] = []
        for l in loops.sorted(by: { $0.lines.lowerBound < $1.lines.lowerBound }) {
            let text = "lines \(l.lines.lowerBound)-\(l.lines.upperBound): \(l.vectorised ? "vectorised (packed SIMD)" : "scalar")"
            if seen.insert(text).inserted { parts.append(text) }
        }
        return "loops: " + parts.joined(separator: "; ")
    }

    /// The terminal view. `color` shades the bars with ANSI colours.
    public func terminal(color: Bool = false) -> String {
        let t = totals
        var out = "\(function)  (\(file))\n"
        out += "hidden costs: " + (CostKind.allCases.filter { $0 != .call && t[$0] != nil }.map { "\($0.rawValue) \(t[$0]!)" }.joined(separator: ", ")).ifEmpty("none") + "\n"
        out += loopSummary + "\n"
        out += "score = retain/release 1, exclusivity 2, allocation 5, generic 3, indirect/runtime 1, trap check 0.25 each"
            + (profiled ? "; time % = sampled time of the function on that line" : "") + "\n\n"
        let maxScore = max(1, lines.map(\.score).max() ?? 1)
        for l in lines {
            let level = l.score == 0 ? 0 : max(1, Int((l.score / maxScore * 5).rounded(.up)))
            var bar = String(repeating: "█", count: level) + String(repeating: " ", count: 5 - level)
            if color && level > 0 { bar = "\u{1b}[33m" + bar + "\u{1b}[0m" }
            let time = profiled ? Fmt.pad(l.sampledPercent.map { Fmt.fixed($0, 1) + "%" } ?? "", 7, right: true) + " " : ""
            let simd = l.inVectorLoop ? "V" : (l.inLoop ? "L" : " ")
            out += Fmt.pad("\(l.number)", 5, right: true) + " " + bar + " " + simd + " " + time + "| " + l.source + "\n"
            let costs = l.costSummary
            if !costs.isEmpty { out += String(repeating: " ", count: 14 + (profiled ? 8 : 0)) + "| ↳ " + costs + "\n" }
        }
        out += "\n(V: in a vectorised loop, L: in a scalar loop)\n"
        return out
    }
}

public enum AnnotationPage {
    /// A self-contained HTML page (also well-formed XML) for `annotations`.
    public static func html(_ annotations: [Annotation], binary: String) -> String {
        var body = ""
        for a in annotations {
            let maxScore = max(1, a.lines.map(\.score).max() ?? 1)
            let t = a.totals
            body += "<section>\n<h2>\(escape(a.function))</h2>\n<p class=\"meta\">\(escape(a.file)) — hidden costs: "
                + escape(CostKind.allCases.filter { $0 != .call && t[$0] != nil }.map { "\($0.rawValue) \(t[$0]!)" }.joined(separator: ", ").ifEmpty("none"))
                + " — \(escape(a.loopSummary))</p>\n"
            for l in a.lines {
                let shade = l.score == 0 ? 0 : 0.15 + 0.85 * l.score / maxScore
                // cython -a's colours: white to saturated yellow.
                let blue = Int(255 * (1 - shade))
                let style = "background-color: rgb(255,255,\(blue))"
                let time = a.profiled ? "<span class=\"time\">\(l.sampledPercent.map { Fmt.fixed($0, 1) + "%" } ?? "")</span>" : ""
                let marker = l.inVectorLoop ? "<span class=\"simd\" title=\"in a vectorised loop\">V</span>" : (l.inLoop ? "<span class=\"loop\" title=\"in a scalar loop\">L</span>" : "<span class=\"loop\"> </span>")
                let summary = "<span class=\"n\">\(l.number)</span>\(marker)\(time)<code>\(escape(l.source).ifEmpty(" "))</code>"
                if l.instructions.isEmpty {
                    body += "<div class=\"line\" style=\"\(style)\">\(summary)</div>\n"
                } else {
                    let asm = l.instructions.map { i in
                        "\(String(i.address, radix: 16)):  \(i.mnemonic) \(i.operands)" + (i.kind.map { $0 == .call ? "" : "    ; \($0.rawValue)" } ?? "")
                    }.joined(separator: "\n")
                    let costs = l.costSummary
                    body += "<details class=\"line\" style=\"\(style)\"><summary>\(summary)</summary>"
                        + (costs.isEmpty ? "" : "<p class=\"costs\">\(escape(costs))</p>")
                        + "<pre>\(escape(asm))</pre></details>\n"
                }
            }
            body += "</section>\n"
        }
        return """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
            <head>
            <meta charset="utf-8"/>
            <title>celer annotate: \(escape(binary))</title>
            <style>
            body { font-family: sans-serif; margin: 1.5em; }
            .meta { color: #444; }
            .line { font-family: monospace; white-space: pre; margin: 0; padding: 0 0.3em; }
            details.line summary { cursor: pointer; list-style: none; }
            .n { display: inline-block; width: 4em; color: #777; text-align: right; margin-right: 0.5em; }
            .simd { color: #070; font-weight: bold; margin-right: 0.5em; }
            .loop { color: #a60; margin-right: 0.5em; }
            .time { display: inline-block; width: 4.5em; color: #a00; text-align: right; margin-right: 0.5em; }
            .costs { color: #630; margin: 0.2em 0 0.2em 5em; white-space: normal; }
            pre { background: #f6f6f6; margin: 0.2em 0 0.5em 5em; padding: 0.3em; }
            </style>
            </head>
            <body>
            <h1>celer annotate</h1>
            <p>\(escape(binary)): per source line, the runtime calls its machine code makes. Yellow = hidden cost \
            (retain/release 1, exclusivity check 2, allocation 5, generic metadata/witness 3, indirect or runtime call 1, \
            trap check 0.25). V: in a vectorised loop; L: in a scalar loop. Click a line for its machine code.</p>
            \(body)</body>
            </html>

            """
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}

extension String {
    func ifEmpty(_ other: String) -> String { isEmpty ? other : self }
}
