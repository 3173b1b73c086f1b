import Foundation
import Testing
import CelerCore
@testable import celer

/// `celer compare --report DIR` (issue 15, finding 1): `report/` used to run
/// every workload and then fail, its temporary folder having been placed
/// inside the target. Now DIR is written whole (temporary folder beside it,
/// renamed into place) or refused before any work runs.
@Suite(.serialized) struct ReportDirectoryTests {
    static let reportFiles = ["julia.png", "mandelbrot.png", "report.md", "results.json", "speedups.svg"]

    func scratch(_ tag: String) throws -> String {
        let dir = NSTemporaryDirectory() + "celer-cli-report-\(getpid())-\(tag)"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func entries(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    func compare(report: String, in dir: String) throws -> CLI.Result {
        try CLI.celerWithCeilings(["compare", "add", "--size", "small", "--repeat", "1", "--warmup", "0",
                                   "--report", report], in: dir)
    }

    /// Relative with and without a trailing slash, and absolute.
    @Test(arguments: ["report/", "report", "ABS/report/", "ABS/report"])
    func writesTheWholeReport(spelling: String) throws {
        let dir = try scratch("ok-\(spelling.hasPrefix("ABS") ? "abs" : "rel")\(spelling.hasSuffix("/") ? "-slash" : "")")
        let path = spelling.replacingOccurrences(of: "ABS", with: dir)
        let r = try compare(report: path, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(entries(dir) == ["report"], "leftovers beside the report: \(entries(dir))")
        #expect(entries(dir + "/report") == Self.reportFiles)
        let md = try String(contentsOfFile: dir + "/report/report.md", encoding: .utf8)
        #expect(md.hasPrefix("# Celer compare report"))
        #expect(md.contains("add"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/report/results.json")))
        #expect((json as? [[String: Any]])?.count ?? 0 >= 2)
        #expect(r.stderr.contains("report written to \(AtomicDirectory.normalized(path))/report.md"))
    }

    @Test func replacesAPreviousReport() throws {
        let dir = try scratch("replace")
        try FileManager.default.createDirectory(atPath: dir + "/report", withIntermediateDirectories: false)
        try "old".write(toFile: dir + "/report/report.md", atomically: true, encoding: .utf8)
        let r = try compare(report: "report/", in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(entries(dir) == ["report"])
        let md = try String(contentsOfFile: dir + "/report/report.md", encoding: .utf8)
        #expect(md.hasPrefix("# Celer compare report"))
    }

    /// Refused before any work: status 2, one line, no table on stdout, and
    /// the path and its parent as they were.
    @Test func refusesBeforeAnyWork() throws {
        let dir = try scratch("refuse")
        try FileManager.default.createDirectory(atPath: dir + "/mine", withIntermediateDirectories: false)
        try "keep".write(toFile: dir + "/mine/notes.txt", atomically: true, encoding: .utf8)
        try "x".write(toFile: dir + "/afile", atomically: true, encoding: .utf8)
        for (path, says) in [("mine/", "not a previous report"), ("afile", "not a folder"),
                             ("missing/report", "does not exist"), ("/proc/celer-report/", "cannot create"),
                             (".", "not a folder celer can create")] {
            let r = try compare(report: path, in: dir)
            #expect(r.status == 2, "\(path): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(path): \(r.stderr)")
            #expect(r.stderr.contains("--report") && r.stderr.contains(says), "\(path): \(r.stderr)")
            #expect(r.stdout.isEmpty, "\(path): work ran: \(r.stdout.prefix(200))")
        }
        #expect(entries(dir) == ["afile", "mine"])
        #expect(entries(dir + "/mine") == ["notes.txt"])
    }
}
