import Foundation
import Testing
import CelerCore
import CelerHarness
import CelerWorkloads
@testable import celer

/// Docs that cannot lie (issue 15): the values docs/workloads.md quotes are
/// the ones the code checks against, every reference to the definitions
/// points inside the repository, and the examples in `--help` run.
@Suite struct DocsTests {
    static func read(_ relative: String) throws -> String {
        try String(contentsOfFile: CLI.packageRoot.appendingPathComponent(relative).path, encoding: .utf8)
    }

    static func text(_ v: ValidationValue) -> String {
        switch v.value {
        case .integer(let i): return String(i)
        case .real(let d): return "\(d)"
        }
    }

    /// Every exact value a study checks at its seed size (and the sieve's
    /// known prime counts) is written in docs/workloads.md.
    @Test func workloadsPageHoldsEveryExactValue() throws {
        let page = try Self.read("docs/workloads.md")
        var options = WorkloadOptions()
        options.preset = .seed
        var checked = 0
        for study in Registry.studies {
            let configured = try study.configure(options)
            let expected = try #require(configured.expected, "\(study.name) has no exact value at --size seed")
            for v in expected {
                #expect(page.contains(Self.text(v)), "\(study.name): \(v) is not in docs/workloads.md")
                checked += 1
            }
        }
        var counting = WorkloadOptions()
        counting.countOnly = true
        for k in 6...12 {
            counting.limit = Int(pow(10.0, Double(k)))
            let counts = try #require(try Registry.named("sieve")?.configure(counting).expected)
            #expect(page.contains(Self.text(counts[0])), "π(10^\(k)) = \(counts[0]) is not in docs/workloads.md")
            checked += 1
        }
        #expect(checked >= 15)
    }

    /// No reference to a definitions file outside the repository is left.
    @Test func definitionsAreCitedInsideTheRepository() throws {
        let fm = FileManager.default
        let root = CLI.packageRoot.path
        var files = ["README.md"]
        for dir in ["docs", "Sources", "Tests", "peers"] {
            let walker = fm.enumerator(atPath: root + "/" + dir)
            while let f = walker?.nextObject() as? String {
                if f.hasSuffix(".md") || f.hasSuffix(".swift") || f.hasSuffix(".py") { files.append(dir + "/" + f) }
            }
        }
        #expect(files.count > 50)
        let stale = "shared/" + "workloads.md"   // split, so this file does not match itself
        for f in files {
            let text = (try? Self.read(f)) ?? ""
            #expect(!text.contains(stale), "\(f) cites \(stale), which is not in the repository")
        }
        #expect(fm.fileExists(atPath: root + "/docs/workloads.md"))
    }

    /// The examples in `celer profile --help` (one used to name a peer as a
    /// rung) run and exit 0; CELER_DOCS_QUICK keeps them short.
    @Test func profileHelpExamplesRun() throws {
        // The discussion as written (the help screen wraps long lines).
        let examples = ProfileCommand.configuration.discussion.split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("celer profile ") }
        #expect(examples.count >= 3)
        let dir = NSTemporaryDirectory() + "celer-cli-profile-help-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for line in examples where !line.contains("--demo") {   // the demo sieves 3·10⁷ thrice: slow in debug
            let args = line.split(separator: " ").dropFirst().map(String.init)
            let r = try CLI.celerWithCeilings(args, in: dir, environment: ["CELER_DOCS_QUICK": "1"])
            #expect(r.status == 0, "\(line): \(r.stderr)")
        }
    }
}

/// `celer mprof plot` writes PNG (docs/profiling.md used to say it could not).
@Suite struct MprofPlotFormatTests {
    @Test func plotsToPNGSVGAndPPMAndRefusesOtherNames() throws {
        let dir = NSTemporaryDirectory() + "celer-cli-mprof-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dat = "CMDLINE python3 x.py\nMEM 10.0 1000.00\nMEM 50.5 1000.25\nMEM 20.0 1000.50\n"
        try dat.write(toFile: dir + "/m.dat", atomically: true, encoding: .utf8)
        let png = try CLI.celer(["mprof", "plot", dir + "/m.dat", "--out", dir + "/m.png"])
        #expect(png.status == 0, "\(png.stderr)")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/m.png")))
        #expect(Array(bytes.prefix(8)) == [137, 80, 78, 71, 13, 10, 26, 10])
        #expect(png.stdout.contains("peak 50.5 MiB"), "\(png.stdout)")
        for ext in ["svg", "ppm"] {
            let r = try CLI.celer(["mprof", "plot", dir + "/m.dat", "--out", dir + "/m." + ext])
            #expect(r.status == 0, "\(ext): \(r.stderr)")
        }
        let bad = try CLI.celer(["mprof", "plot", dir + "/m.dat", "--out", dir + "/m.txt"])
        #expect(bad.status == 2 && bad.stderr.split(separator: "\n").count == 1 && bad.stderr.contains("--out"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.txt"))
    }
}
