import CelerCore
import Foundation
import Testing
@testable import CelerHarness

/// A test-only case study: the sum of squares 0² + 1² + … + (n−1)² with a
/// reference loop, a correct closed form, and a deliberately wrong rung.
/// `Counter` records how often each rung's `run` is called.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    func hit(_ name: String) { lock.lock(); counts[name, default: 0] += 1; lock.unlock() }
    func count(_ name: String) -> Int { lock.lock(); defer { lock.unlock() }; return counts[name, default: 0] }
}

enum SumOfSquares: CaseStudy {
    struct Config: Sendable { var n: Int; var exact: Bool }
    /// Calls per "rung#n"; tests that count use an n no other test uses.
    static let counter = Counter()
    static let name = "squares"
    static let summary = "sum of squares (test)"
    static let optionsHelp = "--size N"

    static func rung(_ name: String, _ f: @escaping @Sendable (Int) -> Int64) -> Rung<Config> {
        Rung(name, name) { c in
            let out = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
            out.initialize(to: -1)
            let box = UncheckedBox(out)
            return .ready(run: { counter.hit("\(name)#\(c.n)"); box.pointer.pointee = f(c.n) },
                               validation: { [ValidationValue("sum", box.pointer.pointee),
                                              ValidationValue("mean", Double(box.pointer.pointee) / Double(max(c.n, 1)))] })
        }
    }

    static var rungs: [Rung<Config>] {
        [
            rung("loop") { n in var s: Int64 = 0; for i in 0..<Int64(n) { s += i * i }; return s },
            rung("closed") { n in let m = Int64(n) - 1; return m * (m + 1) * (2 * m + 1) / 6 },
            rung("wrong") { n in Int64(n) * Int64(n) },
        ]
    }

    static func configure(_ options: WorkloadOptions) throws(CelerError) -> Config {
        let n = options.size?.first ?? (options.preset == .small ? 10 : 1000)
        guard n >= 1 else { throw CelerError.invalidOption("--size", "\(n)", allowed: "use N ≥ 1") }
        return Config(n: n, exact: options.countOnly)  // countOnly stands for "expected known" here
    }
    static func parameters(_ c: Config) -> [Parameter] { [Parameter("n", .integer(c.n))] }
    static func expected(_ c: Config) -> [ValidationValue]? {
        guard c.exact else { return nil }
        let m = Int64(c.n) - 1, s = m * (m + 1) * (2 * m + 1) / 6
        return [ValidationValue("sum", s), ValidationValue("mean", Double(s) / Double(c.n))]
    }
    static func work(_ c: Config, counted: Double?) -> Work {
        Work(flops: 2 * Double(c.n), bytes: 8 * Double(c.n), bound: .compute)
    }
}

/// A ladder whose first rung refuses large inputs (a typed refusal with a reason).
enum Picky: CaseStudy {
    typealias Config = Int
    static let name = "picky"
    static let summary = "refusal (test)"
    static let optionsHelp = ""
    static var rungs: [Rung<Int>] {
        [
            Rung("whole", "refuses n > 50") { n in
                n > 50 ? .refused("whole holds n ≤ 50")
                       : .ready(run: {}, validation: { [ValidationValue("sum", n * (n - 1) / 2)] })
            },
            Rung("loop", "adds") { n in
                .ready(run: {}, validation: { [ValidationValue("sum", (0..<n).reduce(0, +))] })
            },
            Rung("wrong", "off by one") { n in
                .ready(run: {}, validation: { [ValidationValue("sum", n * (n + 1) / 2)] })
            },
        ]
    }
    static func configure(_ o: WorkloadOptions) throws(CelerError) -> Int { o.size?.first ?? 10 }
    static func parameters(_ n: Int) -> [Parameter] { [Parameter("n", .integer(n))] }
    static func expected(_ n: Int) -> [ValidationValue]? { nil }
    static func work(_ n: Int, counted: Double?) -> Work { Work(flops: Double(n), bytes: 0, bound: .compute) }
}

/// Keeps an output pointer alive in a Sendable closure (leaked on purpose: tests only).
struct UncheckedBox: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int64>
    init(_ p: UnsafeMutablePointer<Int64>) { pointer = p }
}

func configured(n: Int, exact: Bool) throws -> ConfiguredCaseStudy {
    var o = WorkloadOptions()
    o.size = [n]
    o.countOnly = exact
    return try AnyCaseStudy(SumOfSquares.self).configure(o)
}

@Suite struct HarnessTests {
    @Test func medianOfOddEvenAndEmpty() {
        func row(_ times: [Double]) -> ComparisonRow { ComparisonRow(workload: "w", variant: "v", kind: .celer, times: times) }
        #expect(row([3, 1, 2]).median == 2)
        #expect(row([4, 1, 3, 2]).median == 2.5)
        #expect(row([7]).median == 7)
        #expect(row([]).median == nil && row([]).minimum == nil)   // a skipped row: nothing ran
    }

    @Test func rowMedianAndMinimumComeFromTheTimes() {
        let row = ComparisonRow(workload: "w", variant: "v", kind: .celer, times: [0.5, 0.2, 0.9, 0.4],
                                requestedRuns: 4, validation: [ValidationValue("sum", 1)],
                                expected: [ValidationValue("sum", 1)], reference: .exact,
                                work: Work(flops: 1e9, bytes: 0, bound: .compute), ceiling: 10, baselineMedian: 0.9)
        #expect(row.median == 0.45)
        #expect(row.minimum == 0.2)
        #expect(row.runs == 4)
        #expect(row.ok == true)
        #expect(abs(row.speedup! - 2.0) < 1e-12)
        #expect(abs(row.gflops! - 1 / 0.45) < 1e-9)
        #expect(abs(row.percentOfPeak! - 100 * (1 / 0.45) / 10) < 1e-9)
        #expect(row.gbps == nil)
    }

    @Test func warmupAndRepeatsCallRunTheRightNumberOfTimes() throws {
        let study = try configured(n: 100, exact: false)
        let rows = try Harness.run(study, variants: ["loop"],
                                   settings: HarnessSettings(repeats: 3, warmup: 2, budgetSeconds: 1000))
        #expect(rows.count == 1)
        #expect(rows[0].runs == 3)
        #expect(SumOfSquares.counter.count("loop#100") == 5)
        #expect(rows[0].times.allSatisfy { $0 >= 0 })
        #expect(rows[0].minimum! <= rows[0].median!)
    }

    @Test func anExhaustedBudgetStillGivesOneTimedRun() throws {
        let study = try configured(n: 101, exact: false)
        let rows = try Harness.run(study, variants: ["closed"],
                                   settings: HarnessSettings(repeats: 50, warmup: 0, budgetSeconds: 1e-12))
        #expect(rows[0].runs == 1)
        #expect(rows[0].requestedRuns == 50)
        // The reference rung ran once, untimed, for the validation values.
        #expect(SumOfSquares.counter.count("loop#101") == 1)
        #expect(SumOfSquares.counter.count("closed#101") == 1)
    }

    @Test func wrongRungFailsAgainstTheReferenceRung() throws {
        let study = try configured(n: 37, exact: false)
        let rows = try Harness.run(study, settings: HarnessSettings(repeats: 2, warmup: 1, budgetSeconds: 10))
        #expect(rows.map(\.variant) == ["loop", "closed", "wrong"])
        #expect(rows.map(\.ok) == [true, true, false])
        #expect(rows.allSatisfy { $0.reference == .rung("loop") })
        // 0² + … + 36² = 36·37·73/6
        #expect(rows[0].expected.first == ValidationValue("sum", Int64(16206)))
        #expect(rows[2].validation.first == ValidationValue("sum", Int64(37 * 37)))
        #expect(rows.allSatisfy { $0.baselineMedian == rows[0].median })
    }

    @Test func referenceFallbackWhenTheFirstRungIsNotSelected() throws {
        let study = try configured(n: 5, exact: false)
        let rows = try Harness.run(study, variants: ["wrong", "closed"],
                                   settings: HarnessSettings(repeats: 1, warmup: 0, budgetSeconds: 10))
        #expect(rows.map(\.variant) == ["closed", "wrong"])   // ladder order
        #expect(rows.map(\.ok) == [true, false])
        #expect(rows[0].reference == .rung("loop"))
        #expect(rows[0].expected.first == ValidationValue("sum", Int64(30)))
    }

    @Test func exactExpectedValuesWinOverTheReferenceRung() throws {
        let study = try configured(n: 1, exact: true)
        #expect(study.expected != nil)
        let rows = try Harness.run(study, settings: HarnessSettings(repeats: 1, warmup: 0, budgetSeconds: 10))
        #expect(rows.allSatisfy { $0.reference == .exact })
        // n = 1: 0² = 0 and the wrong rung gives 1.
        #expect(rows.map(\.ok) == [true, true, false])
    }

    @Test(arguments: [10, 100])
    func refusingRungsAreSkippedAndTheNextRungIsTheReference(n: Int) throws {
        var o = WorkloadOptions()
        o.size = [n]
        let study = try AnyCaseStudy(Picky.self).configure(o)
        let rows = try Harness.run(study, settings: HarnessSettings(repeats: 1, warmup: 0, budgetSeconds: 1))
        #expect(rows.map(\.variant) == ["whole", "loop", "wrong"])
        let refused = n > 50
        #expect(rows.map(\.ok) == [refused ? nil : true, true, false])
        #expect((rows[0].skipped != nil) == refused)
        if refused { #expect(rows[0].skipped == "whole holds n ≤ 50") }
        #expect(rows.allSatisfy { $0.reference == .rung(refused ? "loop" : "whole") })
        #expect(rows.allSatisfy { $0.expected == [ValidationValue("sum", n * (n - 1) / 2)] })
        // Only the selected, refused rung: the reference comes from the next rung, run untimed.
        let alone = try Harness.run(study, variants: ["wrong"], settings: HarnessSettings(repeats: 1, warmup: 0))
        #expect(alone.count == 1 && alone[0].ok == false)
        #expect(alone[0].reference == .rung(refused ? "loop" : "whole"))
        let (values, source) = Harness.reference(study)
        #expect(values == [ValidationValue("sum", n * (n - 1) / 2)])
        #expect(source == .rung(refused ? "loop" : "whole"))
    }

    @Test func unknownVariantIsAOneLineErrorNamingTheOption() throws {
        let study = try configured(n: 3, exact: false)
        #expect(throws: CelerError.self) {
            _ = try Harness.run(study, variants: ["loop", "nope"], settings: HarnessSettings())
        }
        do {
            _ = try Harness.select(study, variants: ["nope"])
        } catch {
            #expect(error.subject == "--variant")
            #expect(error.description.contains("loop, closed, wrong"))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func matchingNeedsEveryNameAndTheTolerance() {
        let e = [ValidationValue("sum", 44.219397988866035), ValidationValue("count", 7)]
        #expect(Harness.matches([ValidationValue("count", 7), ValidationValue("sum", 44.21939798886795)], e))
        #expect(!Harness.matches([ValidationValue("sum", 44.2194), ValidationValue("count", 7)], e))
        #expect(!Harness.matches([ValidationValue("sum", 44.219397988866035)], e))
        #expect(!Harness.matches([ValidationValue("total", 44.219397988866035), ValidationValue("count", 7)], e))
        #expect(!Harness.matches([ValidationValue("sum", 44.219397988866035), ValidationValue("count", 7.0)], e))
        #expect(!Harness.matches([], []))
    }

    @Test func skippedRowsAreNeitherOKNorFailed() {
        let r = ComparisonRow(workload: "w", variant: "python", kind: .peer, expected: [ValidationValue("sum", 1)],
                              skipped: "over budget")
        #expect(r.ok == nil)
        #expect(ComparisonFormatter.status(r) == "skipped: over budget")
    }

    @Test func ceilingsPickTheThreadCount() {
        let c = MachineCeilings(cpuModel: "x", cores: 4, flopsPerCoreGFLOPS: 50, flopsAllCoresGFLOPS: 180,
                                copyGBps: [20, 30, 35, 36], triadGBps: [22, 31, 34, 37], arrayBytes: 1, quick: true)
        #expect(c.flopPeak(threads: 1) == 50)
        #expect(c.flopPeak(threads: 2) == 100)
        #expect(c.flopPeak(threads: 4) == 180)
        #expect(c.flopPeak(threads: 64) == 180)
        #expect(c.bandwidth(threads: 1) == 22)
        #expect(c.bandwidth(threads: 3) == 35)
        #expect(c.bandwidth(threads: 99) == 37)
        #expect(c.ceiling(for: .memory, threads: 2) == 31)
        #expect(c.ceiling(for: .compute, threads: 2) == 100)
        // Disturbed measurements: more threads never lower a ceiling.
        let noisy = MachineCeilings(cpuModel: "x", cores: 2, flopsPerCoreGFLOPS: 60, flopsAllCoresGFLOPS: 40,
                                    copyGBps: [20, 15], triadGBps: [18, 16], arrayBytes: 1, quick: true)
        #expect(noisy.flopPeak(threads: 2) == 60)
        #expect(noisy.bandwidth(threads: 2) == 20)
    }
}

@Suite struct HarnessFormatTests {
    func sampleRows() throws -> [ComparisonRow] {
        var rows = try Harness.run(try configured(n: 11, exact: false),
                                   settings: HarnessSettings(repeats: 2, warmup: 0, budgetSeconds: 10))
        rows.append(ComparisonRow(workload: "squares", variant: "py, \"quoted\"", kind: .peer,
                                  parameters: rows[0].parameters, expected: rows[0].expected,
                                  reference: rows[0].reference, skipped: "numba not installed"))
        return rows
    }

    @Test func jsonIsAnArrayOfRecordsWithTheDocumentedFields() throws {
        let rows = try sampleRows()
        let text = ComparisonFormat.json.render(rows)
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]
        let records = try #require(parsed)
        #expect(records.count == 4)
        for key in ["workload", "variant", "kind", "params", "backend", "threads", "runs", "median_s", "min_s",
                    "validation", "ok", "speedup", "gflops", "gbps", "percent_of_peak", "skipped", "expected"] {
            #expect(records.allSatisfy { $0.keys.contains(key) }, "missing \(key)")
        }
        #expect(records[0]["kind"] as? String == "celer")
        #expect(records[3]["kind"] as? String == "peer")
        #expect((records[0]["params"] as? [String: Any])?["n"] as? Int == 11)
        #expect((records[0]["validation"] as? [String: Any])?["sum"] as? Int == 385)
        #expect(records[0]["ok"] as? Bool == true)
        #expect(records[2]["ok"] as? Bool == false)
        #expect(records[3]["ok"] is NSNull)
        #expect(records[3]["skipped"] as? String == "numba not installed")
        #expect(records[3]["variant"] as? String == "py, \"quoted\"")
        // The writer prints the shortest round-trip text ("\(x)"). Foundation's
        // JSON parser on Linux is not correctly rounded (it has been seen 3 ulp
        // off), so read the field's text with Swift's correctly rounded parser:
        // it must give the median back exactly.
        #expect(records[0]["median_s"] is Double)
        let field = try #require(text.range(of: "\"median_s\": "))
        let digits = text[field.upperBound...].prefix { "0123456789.eE+-".contains($0) }
        let exact = try #require(rows[0].median)
        #expect(Double(String(digits)) == exact, "median_s text \(digits)")
    }

    @Test func csvHasOneRecordPerRowAndEqualFieldCounts() throws {
        let rows = try sampleRows()
        let lines = ComparisonFormat.csv.render(rows).split(separator: "\n").map(String.init)
        #expect(lines.count == rows.count + 1)
        let header = csvFields(lines[0])
        #expect(header.first == "workload")
        #expect(header.contains("median_s") && header.contains("ok"))
        for line in lines { #expect(csvFields(line).count == header.count, "\(line)") }
        #expect(csvFields(lines[4])[1] == "py, \"quoted\"")
        #expect(csvFields(lines[3])[header.firstIndex(of: "ok")!] == "false")
    }

    @Test func markdownTableHasAHeaderRuleAndOneLinePerRow() throws {
        let rows = try sampleRows()
        let md = ComparisonFormat.markdown.render(rows)
        #expect(md.contains("### squares"))
        let table = md.split(separator: "\n").filter { $0.hasPrefix("|") }
        #expect(table.count == 2 + rows.count)
        let pipes = table[0].filter { $0 == "|" }.count
        #expect(pipes == 12)  // 11 columns
        #expect(table[1].allSatisfy { "|-:".contains($0) })
        #expect(table.allSatisfy { $0.filter { $0 == "|" }.count == pipes })
        #expect(table[2].contains("| OK |"))
        #expect(table[4].contains("| FAIL |"))
        #expect(table[5].contains("skipped: numba not installed"))
    }

    @Test func plainTableAlignsColumns() throws {
        let rows = try sampleRows()
        let lines = ComparisonFormat.table.render(rows).split(separator: "\n")
        #expect(lines[0].hasPrefix("== squares"))
        let header = lines[2], rule = lines[3]
        #expect(header.contains("variant") && header.contains("median") && header.contains("status"))
        #expect(rule.allSatisfy { $0 == "-" || $0 == " " })
        #expect(lines.filter { $0.contains("FAIL") }.count == 1)
    }

    /// Splits one RFC 4180 line (no embedded newlines in these tests).
    func csvFields(_ line: String) -> [String] {
        var fields: [String] = [], cur = "", quoted = false
        var chars = Array(line)[...]
        while let ch = chars.popFirst() {
            if quoted {
                if ch == "\"" {
                    if chars.first == "\"" { cur.append("\""); chars.removeFirst() } else { quoted = false }
                } else { cur.append(ch) }
            } else if ch == "\"" { quoted = true }
            else if ch == "," { fields.append(cur); cur = "" }
            else { cur.append(ch) }
        }
        fields.append(cur)
        return fields
    }
}
