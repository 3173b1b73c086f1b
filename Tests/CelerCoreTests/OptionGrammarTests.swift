import Testing
@testable import CelerCore
#if canImport(Glibc)
import Glibc
#endif

/// The one grammar of option values every celer command uses.
@Suite struct OptionGrammarTests {
    @Test func sizesAndPresets() throws {
        let presets = ["small", "default", "seed"]
        #expect(try OptionGrammar.size("4000x3000", presets: presets) == .dimensions([4000, 3000]))
        #expect(try OptionGrammar.size("1X1") == .dimensions([1, 1]))
        #expect(try OptionGrammar.size("67,61") == .dimensions([67, 61]))
        #expect(try OptionGrammar.size("640×480") == .dimensions([640, 480]))
        #expect(try OptionGrammar.size("30_000_000") == .dimensions([30_000_000]))
        #expect(try OptionGrammar.size("3e7") == .dimensions([30_000_000]))
        #expect(try OptionGrammar.size("2x3x4") == .dimensions([2, 3, 4]))
        #expect(try OptionGrammar.size("SEED", presets: presets) == .preset("seed"))
        for bad in ["", "x", "10x", "0x5", "-3x4", "1.5x2", "abc", "10x10x", "9e99", "1x2x3x4", "seed"] {
            do {
                _ = try OptionGrammar.size(bad)
                Issue.record("accepted '\(bad)'")
            } catch {
                #expect(error.subject == "--size")
                #expect(error.message.contains("'\(bad)'"))
            }
        }
        #expect(throws: CelerError.self) { try OptionGrammar.size("2x3x4", maxDimensions: 2) }
    }

    @Test func integersTakeExponentsAndUnderscores() throws {
        #expect(try OptionGrammar.integer("1000", option: "--maxiter", in: OptionLimits.maxiter) == 1000)
        #expect(try OptionGrammar.integer("1e7", option: "--maxiter", in: OptionLimits.maxiter) == 10_000_000)
        #expect(try OptionGrammar.integer("1E10", option: "--limit", in: OptionLimits.limit) == 10_000_000_000)
        #expect(try OptionGrammar.integer("3e+2", option: "--n", in: 1...1000) == 300)
        #expect(try OptionGrammar.integer(" 1_000 ", option: "--n", in: 1...1000) == 1000)
        for bad in ["0", "11", "2.5", "1e", "e3", "1e-1", "0x10", "", "1e19", "ten"] {
            do {
                _ = try OptionGrammar.integer(bad, option: "--n", in: 1...10)
                Issue.record("accepted '\(bad)'")
            } catch {
                #expect(error.description == "--n: invalid value '\(bad)'; use an integer from 1 to 10")
            }
        }
    }

    @Test func realsAndSeconds() throws {
        #expect(try OptionGrammar.reals("-2.13,0.77,-1.3,1.3", count: 4, option: "--region") == [-2.13, 0.77, -1.3, 1.3])
        #expect(try OptionGrammar.reals(" -0.8 , 0.156", count: 2, option: "--c") == [-0.8, 0.156])
        #expect(try OptionGrammar.reals("1e-3,2", count: 2, option: "--c") == [0.001, 2])
        for bad in ["1", "1,2,3", "a,b", "inf,1", "nan,1", "1,,", "0x1p3,1", ""] {
            do {
                _ = try OptionGrammar.reals(bad, count: 2, option: "--c")
                Issue.record("accepted '\(bad)'")
            } catch {
                #expect(error.subject == "--c")
            }
        }
        #expect(try OptionGrammar.seconds("0.25", option: "--time-budget") == 0.25)
        for bad in ["0", "-1", "3601", "inf", "x"] {
            #expect(throws: CelerError.self, "\(bad)") { try OptionGrammar.seconds(bad, option: "--time-budget") }
        }
    }

    @Test func choicesAndNames() throws {
        #expect(try OptionGrammar.choice("JSON", option: "--format", from: ["table", "json"]) == "json")
        #expect(throws: CelerError("--format", "invalid value 'xml'; use table or json")) {
            try OptionGrammar.choice("xml", option: "--format", from: ["table", "json"])
        }
        #expect(try OptionGrammar.names("a, b,c", option: "--variant") == ["a", "b", "c"])
        #expect(throws: CelerError.self) { try OptionGrammar.names("a,,b", option: "--variant") }
        #expect(OptionGrammar.listed(["a", "b", "c"]) == "a, b or c")
    }
}

/// `--report DIR` is written through AtomicDirectory: a hidden folder beside
/// the target, renamed into place; refused up front when it cannot work.
@Suite struct AtomicDirectoryTests {
    static func scratch(_ tag: String) -> String {
        let dir = "/tmp/celer-atomic-dir-\(getpid())-\(tag)"
        AtomicDirectory.removeFlat(dir + "/r")
        rmdir(dir)
        mkdir(dir, 0o755)
        return dir
    }

    static func write(_ path: String, _ text: String) {
        let f = fopen(path, "w")!
        fputs(text, f)
        fclose(f)
    }

    static func read(_ path: String) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        while true { let c = fgetc(f); if c == EOF { break }; bytes.append(UInt8(c)) }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func pathsAreNormalisedAndTheTemporaryFolderIsASibling() {
        #expect(AtomicDirectory.normalized("report/") == "report")
        #expect(AtomicDirectory.normalized("report//") == "report")
        #expect(AtomicDirectory.normalized("/") == "/")
        #expect(AtomicDirectory.split("report/") == (".", "report"))
        #expect(AtomicDirectory.split("/a/b/") == ("/a", "b"))
        #expect(AtomicDirectory.split("/b") == ("/", "b"))
        // Beside the target, never inside it (the old `dir + ".tmp"` put it inside for `report/`).
        #expect(AtomicDirectory.sibling(of: "report/", tag: "tmp") == "./.report.tmp-\(getpid())")
        #expect(AtomicDirectory.sibling(of: "/x/report", tag: "tmp") == "/x/.report.tmp-\(getpid())")
        #expect(AtomicDirectory.sibling(of: "/report/", tag: "tmp") == "/.report.tmp-\(getpid())")
    }

    @Test(arguments: ["r", "r/", "r//"])
    func writesANewFolderWithOrWithoutATrailingSlash(suffix: String) throws {
        let base = Self.scratch("new\(suffix.count)")
        let target = base + "/" + suffix
        try AtomicDirectory.check(target, option: "--report") { _ in false }
        try AtomicDirectory.write(target, option: "--report") { (tmp: String) throws(CelerError) in
            #expect(tmp == base + "/.r.tmp-\(getpid())")
            try AtomicFile.write("hello", to: tmp + "/report.md")
        }
        #expect(Self.read(base + "/r/report.md") == "hello")
        #expect(AtomicDirectory.entries(base) == ["r"])          // no .tmp or .old left beside it
        #expect(AtomicDirectory.entries(base + "/r") == ["report.md"])
    }

    @Test func replacesAPreviousReportOnlyWhenComplete() throws {
        let base = Self.scratch("replace")
        let target = base + "/r"
        mkdir(target, 0o755)
        Self.write(target + "/report.md", "old")
        let isReport: ([String]) -> Bool = { $0 == ["report.md"] }
        try AtomicDirectory.check(target, option: "--report", replaceable: isReport)
        // A body that fails leaves the old report as it was, and nothing beside it.
        #expect(throws: CelerError("disk", "full")) {
            try AtomicDirectory.write(target, option: "--report") { (tmp: String) throws(CelerError) in
                try AtomicFile.write("half", to: tmp + "/report.md")
                throw CelerError("disk", "full")
            }
        }
        #expect(Self.read(target + "/report.md") == "old")
        #expect(AtomicDirectory.entries(base) == ["r"])
        try AtomicDirectory.write(target, option: "--report") { (tmp: String) throws(CelerError) in
            try AtomicFile.write("new", to: tmp + "/report.md")
        }
        #expect(Self.read(target + "/report.md") == "new")
        #expect(AtomicDirectory.entries(base) == ["r"])
    }

    @Test func refusesWhatItCannotWriteOrMustNotReplace() {
        let base = Self.scratch("refuse")
        mkdir(base + "/other", 0o755)
        Self.write(base + "/other/notes.txt", "mine")
        Self.write(base + "/file", "x")
        func refusal(_ path: String) -> String? {
            do { try AtomicDirectory.check(path, option: "--report") { _ in false }; return nil } catch { return error.description }
        }
        #expect(refusal(base + "/other")?.contains("not a previous report") == true)   // never deletes a user's folder
        #expect(refusal(base + "/file")?.contains("not a folder") == true)
        #expect(refusal(base + "/missing/r")?.contains("does not exist") == true)
        #expect(refusal("/proc/celer-report")?.contains("cannot create") == true)       // unwritable, even for root
        #expect(refusal(".")?.contains("not a folder celer can create") == true)
        #expect(refusal("/")?.contains("not a folder celer can create") == true)
        #expect(refusal(base + "/fresh") == nil)
        mkdir(base + "/empty", 0o755)
        #expect(refusal(base + "/empty") == nil)
        // Checking creates nothing.
        #expect(AtomicDirectory.entries(base) == ["empty", "file", "other"])
        #expect(Self.read(base + "/other/notes.txt") == "mine")
    }
}
