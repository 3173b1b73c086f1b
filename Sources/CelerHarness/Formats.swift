import CelerCore

/// Output formats of `celer compare`: one table per workload (plain text or
/// Markdown), or every row as JSON records or CSV lines.
public enum ComparisonFormat: String, CaseIterable, Sendable {
    case table, markdown, json, csv

    public func render(_ rows: [ComparisonRow]) -> String {
        switch self {
        case .table: return ComparisonFormatter.tables(rows, markdown: false)
        case .markdown: return ComparisonFormatter.tables(rows, markdown: true)
        case .json: return ComparisonFormatter.json(rows)
        case .csv: return ComparisonFormatter.csv(rows)
        }
    }
}

public enum ComparisonFormatter {
    // MARK: Cells shared by every format

    public static func text(_ p: Parameter.Value) -> String {
        switch p {
        case .integer(let v): return String(v)
        case .real(let v): return "\(v)"
        case .text(let s): return s
        case .flag(let b): return b ? "true" : "false"
        }
    }

    public static func text(_ values: [ValidationValue]) -> String {
        values.map(\.description).joined(separator: " ")
    }

    public static func parametersLine(_ ps: [Parameter]) -> String {
        ps.map { "\($0.name)=\(text($0.value))" }.joined(separator: " ")
    }

    public static func status(_ row: ComparisonRow) -> String {
        if let s = row.skipped { return "skipped: \(s)" }
        let verdict = row.ok == true ? "OK" : "FAIL"
        if row.summary.hasPrefix("error:") { return "\(verdict) (\(row.summary))" }
        // Compilation (Numba's JIT, Cython's build) is never timed; say what it cost.
        if let c = row.compileSeconds, c >= 0.01 { return "\(verdict) (compiled in \(Fmt.seconds(c)))" }
        return verdict
    }

    static func rateText(_ row: ComparisonRow) -> String {
        guard let w = row.work, let r = row.boundRate else { return "-" }
        return w.bound == .compute ? Fmt.fixed(r, r < 10 ? 2 : 1) + " GFLOP/s" : Fmt.fixed(r, r < 10 ? 2 : 1) + " GB/s"
    }

    /// The share of the ceiling; a rate above its ceiling means the ceiling
    /// is wrong, so the cell says so instead of printing the number.
    static func percentText(_ row: ComparisonRow) -> String {
        guard let p = row.percentOfPeak else { return "-" }
        return row.ceilingSuspect ? "ceiling?" : Fmt.fixed(p, 1) + "%"
    }

    static func runsText(_ row: ComparisonRow) -> String {
        row.runs < row.requestedRuns ? "\(row.runs)/\(row.requestedRuns)" : "\(row.runs)"
    }

    static let headers = ["variant", "kind", "backend", "runs", "median", "min", "speed-up",
                          "rate", "% peak", "validation", "status"]

    static func cells(_ row: ComparisonRow) -> [String] {
        let skipped = row.skipped != nil
        return [
            row.variant, row.kind.rawValue, row.backend.label,
            skipped ? "-" : runsText(row),
            row.median.map(Fmt.seconds) ?? "-",
            row.minimum.map(Fmt.seconds) ?? "-",
            row.speedup.map { ($0 < 0.1 ? Fmt.double($0, "%.2g") : Fmt.fixed($0, $0 < 10 ? 2 : 1)) + "x" } ?? "-",
            rateText(row),
            percentText(row),
            skipped ? "-" : text(row.validation),
            status(row),
        ]
    }

    /// Rows grouped by workload, in first-seen order.
    public static func grouped(_ rows: [ComparisonRow]) -> [(String, [ComparisonRow])] {
        var order: [String] = []
        var groups: [String: [ComparisonRow]] = [:]
        for r in rows {
            if groups[r.workload] == nil { order.append(r.workload) }
            groups[r.workload, default: []].append(r)
        }
        return order.map { ($0, groups[$0]!) }
    }

    // MARK: Tables

    /// One table per workload, headed by its parameters and the values every
    /// row is checked against.
    public static func tables(_ rows: [ComparisonRow], markdown: Bool) -> String {
        var out = ""
        for (workload, group) in grouped(rows) {
            let first = group.first { $0.kind == .celer } ?? group[0]
            let baseline = group.first { $0.kind == .celer && $0.median != nil }?.variant
            let checked = first.expected.isEmpty ? "nothing (no reference run)"
                : text(first.expected) + " (" + (first.reference == .exact ? "exact" : "from rung \(baselineName(first.reference))") + ")"
            if markdown {
                out += "### \(workload)\n\n"
                out += "Parameters: `\(parametersLine(first.parameters))`. Checked against \(checked)."
                if let b = baseline { out += " Speed-up over `\(b)`." }
                out += "\n\n"
                out += "| " + headers.joined(separator: " | ") + " |\n"
                out += "|" + headers.enumerated().map { i, _ in (2...8).contains(i) ? "---:|" : "---|" }.joined() + "\n"
                for r in group {
                    out += "| " + cells(r).map { $0.harnessReplacingAll("|", with: "\\|") }.joined(separator: " | ") + " |\n"
                }
                out += "\n"
            } else {
                out += "== \(workload)  \(parametersLine(first.parameters))\n"
                out += "   checked against \(checked)"
                if let b = baseline { out += "; speed-up over \(b)" }
                out += "\n"
                let table = [headers] + group.map(cells)
                var widths = [Int](repeating: 0, count: headers.count)
                for line in table { for (i, c) in line.enumerated() { widths[i] = max(widths[i], c.count) } }
                for (n, line) in table.enumerated() {
                    let padded = line.enumerated().map { i, c in
                        i == line.count - 1 ? c : Fmt.pad(c, widths[i], right: (2...8).contains(i))
                    }
                    out += "  " + padded.joined(separator: "  ") + "\n"
                    if n == 0 { out += "  " + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n" }
                }
                out += "\n"
            }
        }
        return out
    }

    static func baselineName(_ r: ReferenceSource) -> String {
        if case .rung(let n) = r { return n }
        return r.label
    }

    // MARK: JSON

    /// A JSON array with one object per row; see docs/compare.md for the fields.
    public static func json(_ rows: [ComparisonRow]) -> String {
        var out = "[\n"
        for (i, r) in rows.enumerated() {
            var f: [(String, String)] = [
                ("workload", JSON.string(r.workload)),
                ("variant", JSON.string(r.variant)),
                ("kind", JSON.string(r.kind.rawValue)),
                ("summary", JSON.string(r.summary)),
                ("params", JSON.object(r.parameters.map { ($0.name, JSON.value($0.value)) })),
                ("backend", backendJSON(r.backend)),
                ("threads", String(r.threads)),
                ("runs", String(r.runs)),
                ("requested_runs", String(r.requestedRuns)),
                ("times_s", "[" + r.times.map(JSON.number).joined(separator: ", ") + "]"),
                ("median_s", JSON.number(r.median)),
                ("min_s", JSON.number(r.minimum)),
                ("compile_s", JSON.number(r.compileSeconds)),
                ("validation", JSON.object(r.validation.map { ($0.name, JSON.value($0.value)) })),
                ("expected", JSON.object(r.expected.map { ($0.name, JSON.value($0.value)) })),
                ("reference", JSON.string(r.reference.label)),
                ("ok", r.ok.map { $0 ? "true" : "false" } ?? "null"),
                ("skipped", r.skipped.map(JSON.string) ?? "null"),
                ("speedup", JSON.number(r.speedup)),
                ("bound", r.work.map { JSON.string($0.bound.rawValue) } ?? "null"),
                ("flops", JSON.number(r.work?.flops)),
                ("bytes", JSON.number(r.work?.bytes)),
                ("gflops", JSON.number(r.gflops)),
                ("gbps", JSON.number(r.gbps)),
                ("ceiling", JSON.number(r.ceiling)),
                ("percent_of_peak", JSON.number(r.ceilingSuspect ? nil : r.percentOfPeak)),
                ("ceiling_suspect", r.ceilingSuspect ? "true" : "false"),
                ("phases_s", JSON.object(r.phases.map { ($0.name, JSON.number($0.seconds)) })),
            ]
            if r.kind == .peer { f.removeAll { $0.0 == "summary" && r.summary.isEmpty } }
            out += "  " + JSON.object(f) + (i + 1 < rows.count ? ",\n" : "\n")
        }
        return out + "]\n"
    }

    /// `{"kind": "mpi", "label": "mpi 3×2", "ranks": 3, "threads_per_rank": 2}` and the like.
    static func backendJSON(_ b: Backend) -> String {
        var f: [(String, String)] = [("kind", JSON.string(b.kind.rawValue)), ("label", JSON.string(b.label))]
        switch b {
        case .serial: f.append(("threads", "1"))
        case .threads(let n): f.append(("threads", String(n)))
        case .gpu(let d): f.append(("device", JSON.string(d)))
        case .mpi(let r, let t): f += [("ranks", String(r)), ("threads_per_rank", String(t))]
        }
        return JSON.object(f)
    }

    // MARK: CSV

    static let csvHeader = ["workload", "variant", "kind", "params", "backend", "threads", "runs", "median_s", "min_s",
                            "speedup", "gflops", "gbps", "percent_of_peak", "validation", "expected", "ok", "skipped"]

    /// RFC 4180 CSV: a header line, then one line per row.
    public static func csv(_ rows: [ComparisonRow]) -> String {
        var out = csvHeader.joined(separator: ",") + "\n"
        for r in rows {
            let fields = [
                r.workload, r.variant, r.kind.rawValue, parametersLine(r.parameters), r.backend.label,
                String(r.threads), String(r.runs), csvNumber(r.median), csvNumber(r.minimum), csvNumber(r.speedup),
                csvNumber(r.gflops), csvNumber(r.gbps), csvNumber(r.ceilingSuspect ? nil : r.percentOfPeak),
                text(r.validation), text(r.expected),
                r.ok.map { $0 ? "true" : "false" } ?? "", r.skipped ?? "",
            ]
            out += fields.map(csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    static func csvNumber(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "" }
        return "\(x)"
    }

    static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.harnessReplacingAll("\"", with: "\"\"") + "\""
        }
        return s
    }
}

/// The little JSON writing the harness needs (library modules avoid Foundation).
public enum JSON {
    public static func string(_ s: String) -> String { JSONText.quote(s) }

    /// A finite double as the shortest text that reads back exactly; null otherwise.
    public static func number(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "null" }
        return "\(x)"
    }

    public static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { string($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
    }

    public static func value(_ v: ValidationValue.Value) -> String {
        switch v {
        case .integer(let i): return String(i)
        case .real(let d): return number(d)
        }
    }

    public static func value(_ v: Parameter.Value) -> String {
        switch v {
        case .integer(let i): return String(i)
        case .real(let d): return number(d)
        case .text(let s): return string(s)
        case .flag(let b): return b ? "true" : "false"
        }
    }
}

extension String {
    /// Every occurrence of `target` replaced (without Foundation).
    func harnessReplacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
        return out
    }
}
