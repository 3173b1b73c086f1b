import Foundation
import Testing
@testable import CelerPlot
import CelerCore
import CelerHarness
import CelerWorkloads
@testable import celer

/// Runs the built `celer` binary (the package's own build product, beside the
/// test bundle) and the Python peers as subprocesses.
enum CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `.build/<config>/celer`: next to the test bundle, else under the package root.
    static let binary: String? = {
        let fm = FileManager.default
        var candidates: [String] = []
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        candidates.append(bundle.appendingPathComponent("celer").path)
        candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("celer").path)
        candidates.append(packageRoot.appendingPathComponent(".build/debug/celer").path)
        return candidates.first { fm.isExecutableFile(atPath: $0) }
    }()

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ program: String, _ args: [String], environment: [String: String] = [:],
                    directory: String? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        p.currentDirectoryURL = directory.map { URL(fileURLWithPath: $0) } ?? packageRoot
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }

    static func celer(_ args: [String]) throws -> Result {
        let bin = try #require(binary, "the celer binary was not built (swift build)")
        // Bad input must fail before ceilings are measured or anything is cached.
        return try run(bin, args, environment: ["XDG_CACHE_HOME": NSTemporaryDirectory() + "celer-cli-tests"])
    }

    /// Runs celer in `directory` with a ceilings cache already in place (made
    /// up, for this machine), so that a run does not spend half a minute
    /// measuring the machine in a debug build.
    static func celerWithCeilings(_ args: [String], in directory: String? = nil,
                                  environment: [String: String] = [:]) throws -> Result {
        let bin = try #require(binary, "the celer binary was not built (swift build)")
        let cache = NSTemporaryDirectory() + "celer-cli-tests-ceilings-\(getpid())"
        let file = cache + "/celer/machine.json"
        if !FileManager.default.fileExists(atPath: file) {
            let n = SystemInfo.availableCores
            let c = MachineCeilings(cpuModel: SystemInfo.cpuModel, cores: n, flopsPerCoreGFLOPS: 50,
                                    flopsAllCoresGFLOPS: 50 * Double(n), readGBps: Array(repeating: 30, count: n),
                                    copyGBps: Array(repeating: 30, count: n), copyStreamingGBps: Array(repeating: 30, count: n),
                                    triadGBps: Array(repeating: 30, count: n), triadStreamingGBps: Array(repeating: 30, count: n),
                                    arrayBytes: 1 << 27, quick: false)
            try FileManager.default.createDirectory(atPath: cache + "/celer", withIntermediateDirectories: true)
            try MachineStore.encode(c).write(toFile: file, atomically: true, encoding: .utf8)
        }
        var env = environment
        env["XDG_CACHE_HOME"] = cache
        return try run(bin, args, environment: env, directory: directory)
    }

    static let python: String? = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let p = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }()

    static let hasNumpy: Bool = {
        guard let py = python, let r = try? run(py, ["-c", "import numpy"]) else { return false }
        return r.status == 0
    }()
}

@Suite struct CompareBadInputTests {
    static let cases: [([String], String)] = [
        (["--size", "0"], "--size"),
        (["--size", "-5"], "--size"),
        (["--size", "12x"], "--size"),
        (["--size", "huge"], "--size"),
        (["--maxiter", "0"], "--maxiter"),
        (["--maxiter", "-3"], "--maxiter"),
        (["--limit", "0"], "--limit"),
        (["--steps", "1e99"], "--steps"),
        (["--threads", "0"], "--threads"),
        (["--threads", "1000000"], "--threads"),
        (["--repeat", "0"], "--repeat"),
        (["--warmup", "-1"], "--warmup"),
        (["--region=1,2,3"], "--region"),
        (["--region=1,0,0,1"], "--region"),
        (["--region=a,b,c,d"], "--region"),
        (["--c=0.3"], "--c"),
        (["--c=x,1"], "--c"),
        (["--format", "xml"], "--format"),
        (["--variant", "no-such-rung"], "--variant"),
        (["--time-budget", "0"], "--time-budget"),
        (["no-such-workload"], "workload"),
        (["--no-such-option"], "--no-such-option"),
        (["--report", "/proc/celer-no-such-dir/report"], "--report"),
        (["--variant", "primesieve"], "--variant"),   // a peer, without --peers
    ]

    @Test(arguments: cases)
    func badInputExitsTwoWithOneLineNamingTheOption(args: [String], option: String) throws {
        let r = try CLI.celer(["compare"] + args)
        #expect(r.status == 2, "\(args): \(r.stderr)")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(args): \(r.stderr)")
        #expect(r.stderr.contains(option), "\(args): \(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func unwritableReportLeavesNothingBehind() throws {
        let dir = NSTemporaryDirectory() + "celer-cli-missing-\(getpid())/sub/report"
        let r = try CLI.celer(["compare", "--report", dir])
        #expect(r.status == 2)
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func machineRejectsAnUnknownFormat() throws {
        let r = try CLI.celer(["machine", "--format", "xml"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--format"))
    }
}

@Suite struct CompareListTests {
    @Test func listNamesEveryWorkloadWithItsPeersAndTheOptions() throws {
        let r = try CLI.celer(["compare", "--list"])
        #expect(r.status == 0, "\(r.stderr)")
        for name in ["julia", "mandelbrot", "sieve", "derivative", "laplacian", "diffusion", "add"] {
            #expect(r.stdout.contains("\(name):"), "\(name) missing from --list")
        }
        #expect(r.stdout.contains("rungs:"))
        #expect(r.stdout.contains("peers: python, numpy"))
        #expect(r.stdout.contains("--size WIDTHxHEIGHT"))
        // Every option of `celer compare --help` is named in the listing.
        for option in ["--limit", "--count-only", "--region", "--c=", "--maxiter", "--steps", "--variant",
                       "--repeat", "--warmup", "--threads", "--time-budget", "--peers", "--peer-max-run",
                       "--format", "--report"] {
            #expect(r.stdout.contains(option), "\(option) missing from --list")
        }
    }

    @Test func listOfOneWorkload() throws {
        let r = try CLI.celer(["compare", "sieve", "--list"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("sieve:"))
        #expect(!r.stdout.contains("julia:"))
        #expect(r.stdout.contains("primesieve"))
    }
}

@Suite struct CompareOptionsTests {
    func parse(_ f: (inout CompareOptions.Raw) -> Void) throws -> CompareOptions {
        var raw = CompareOptions.Raw()
        f(&raw)
        return try CompareOptions.parse(raw)
    }

    @Test func sizesPresetsAndReals() throws {
        #expect(try parse { $0.size = "640x480" }.workload.size == [640, 480])
        #expect(try parse { $0.size = "67,61" }.workload.size == [67, 61])
        #expect(try parse { $0.steps = "0" }.workload.steps == 0)
        #expect(try parse { $0.size = "1_000_000" }.workload.size == [1_000_000])
        #expect(try parse { $0.size = "seed" }.workload.preset == .seed)
        #expect(try parse { $0.size = "SMALL" }.workload.preset == .small)
        #expect(try parse { $0.limit = "1e9" }.workload.limit == 1_000_000_000)
        #expect(try parse { $0.region = "-2,1,-1.5,1.5" }.workload.region == [-2, 1, -1.5, 1.5])
        #expect(try parse { $0.c = "-0.8,0.156" }.workload.c == [-0.8, 0.156])
        let o = try parse { $0.repeats = "7"; $0.warmup = "0"; $0.threads = "3"; $0.budget = "0.5"; $0.format = "json" }
        #expect(o.settings == HarnessSettings(repeats: 7, warmup: 0, budgetSeconds: 0.5))
        #expect(o.threads == 3)
        #expect(o.format == .json)
    }

    /// CELER_DOCS_QUICK: presets become small, one timed run, no warm-up;
    /// sizes and limits given as numbers stay.
    @Test func docsQuickShortensPresetsButKeepsNumbers() throws {
        let seed = try parse { $0.size = "seed"; $0.repeats = "7"; $0.quick = true }
        #expect(seed.workload.preset == .small && seed.workload.size == nil)
        #expect(seed.settings.repeats == 1 && seed.settings.warmup == 0)
        let sized = try parse { $0.size = "2000x2000"; $0.limit = "1e10"; $0.quick = true }
        #expect(sized.workload.size == [2000, 2000] && sized.workload.limit == 10_000_000_000)
        let plain = try parse { $0.size = "seed" }
        #expect(plain.workload.preset == .seed && plain.settings.repeats == 5)
    }

    @Test func workloadsAndVariantsSelect() throws {
        let o = try parse { $0.names = ["sieve", "julia", "sieve"] }
        #expect(o.studies.map(\.name) == ["sieve", "julia"])
        #expect(try parse { $0.variant = "all" }.variants == nil)
        // A peer name selects the workloads that have that peer.
        let p = try parse { $0.variant = "primesieve" }
        #expect(p.studies.map(\.name) == ["sieve"])
        #expect(p.variants == ["primesieve"])
    }

    @Test func peerValidationIsMatchedByNameThenPosition() {
        let expected = [ValidationValue("sum", 3.5), ValidationValue("sumAbs", 9.0)]
        func record(_ v: [[String]]) -> ExternalRecord {
            ExternalRecord(impl: "p", threads: 1, times: [], validation: v)
        }
        let byName = record([["sum_abs", "r", "9.0"], ["sum", "r", "3.5"]]).values(matching: expected)
        #expect(byName == expected)
        let byPosition = record([["total", "r", "3.5"], ["l1", "r", "9.0"]]).values(matching: expected)
        #expect(byPosition == expected)
        let ints = record([["count", "i", "1857859"], ["sum", "i", "26942805919966"]])
            .values(matching: [ValidationValue("count", 1857859)])
        #expect(ints == [ValidationValue("count", 1857859)])
    }

    @Test func speedupChartHasABarPerRow() {
        let rows = [
            ComparisonRow(workload: "w", variant: "naive", kind: .celer, times: [2], requestedRuns: 1,
                          validation: [ValidationValue("s", 1)], expected: [ValidationValue("s", 1)], baselineMedian: 2),
            ComparisonRow(workload: "w", variant: "simd", kind: .celer, times: [0.01], requestedRuns: 1,
                          validation: [ValidationValue("s", 1)], expected: [ValidationValue("s", 1)], baselineMedian: 2),
            ComparisonRow(workload: "w", variant: "numpy", kind: .peer, times: [4], requestedRuns: 1,
                          validation: [ValidationValue("s", 2)], expected: [ValidationValue("s", 1)], baselineMedian: 2),
        ]
        let svg = ComparisonReport.chart(rows).render()
        #expect(svg.hasPrefix("<?xml"))
        #expect(svg.contains("<svg"))
        #expect(svg.contains("simd: 200.0x") || svg.contains("simd: 200x"))
        #expect(svg.contains("numpy (peer): 0.5x"))
        #expect(svg.contains(ComparisonReport.failColor))   // the failed peer
        #expect(svg.contains(">100x<"))                        // a decade label
        #expect(BarChart.speedupLabel(0.00213) == "0.0021x")
        #expect(BarChart.speedupLabel(3.14159) == "3.14x")
        #expect(BarChart.speedupLabel(1234.5) == "1235x")
    }
}

@Suite struct PeerTests {
    /// SplitMix64 value k of `seed` (docs/workloads.md), for an independent reference.
    static func uniform(_ seed: UInt64, _ k: Int) -> Double {
        var z = seed &+ (UInt64(k) &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) * 0x1p-53
    }

    func peers(_ workload: String, _ params: String, _ impls: String) throws -> [[String: Any]] {
        let py = try #require(CLI.python)
        let r = try CLI.run(py, ["peers/run_peer.py", workload, "--params", params, "--impls", impls,
                                 "--repeat", "1", "--warmup", "0", "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test(.enabled(if: CLI.hasNumpy, "python3 with numpy is not installed: pip install -r peers/requirements.txt"))
    func addPeersReproduceAnIndependentSum() throws {
        let n = 1001
        var exact: [Double] = []
        for k in 0..<n { exact.append(Self.uniform(1, k) + Self.uniform(2, k)) }
        // Neumaier sum, as Celer validates.
        var s = 0.0, c = 0.0
        for x in exact { let t = s + x; c += abs(s) >= abs(x) ? (s - t) + x : (x - t) + s; s = t }
        let records = try peers("add", "{\"n\": \(n)}", "python,numpy,numpy-out")
        #expect(records.count == 3)
        for r in records {
            #expect(r["skipped"] is NSNull, "\(r)")
            let v = try #require(r["validation"] as? [[String]])
            #expect(v.first?[0] == "sum")
            let got = try #require(Double(v.first?[2] ?? ""))
            #expect(abs(got - (s + c)) <= 1e-11 * abs(s + c), "\(r["impl"] ?? "?"): \(got) vs \(s + c)")
            #expect((r["times"] as? [Double])?.count == 1)
        }
    }

    @Test(.enabled(if: CLI.hasNumpy, "python3 with numpy is not installed: pip install -r peers/requirements.txt"))
    func sievePeersCountPrimesBelowAThousand() throws {
        let records = try peers("sieve", "{\"limit\": 1000}", "python,numpy")
        #expect(records.count == 2)
        for r in records {
            let v = try #require(r["validation"] as? [[String]])
            #expect(v == [["count", "i", "168"], ["sum", "i", "76127"]], "\(r)")
        }
    }

    @Test(.enabled(if: CLI.hasNumpy, "python3 with numpy is not installed: pip install -r peers/requirements.txt"))
    func fractalPeersAgreeOnAnOddGrid() throws {
        let julia = try peers("julia", "{\"width\": 37, \"height\": 23, \"maxiter\": 50}", "python,numpy")
        let sums = julia.compactMap { ($0["validation"] as? [[String]])?.first?[2] }
        #expect(sums.count == 2 && sums[0] == sums[1], "\(julia)")
        let mandel = try peers("mandelbrot", "{\"width\": 29, \"height\": 17, \"maxiter\": 60}", "python,numpy")
        let msums = mandel.compactMap { ($0["validation"] as? [[String]])?.first?[2] }
        #expect(msums.count == 2 && msums[0] == msums[1], "\(mandel)")
    }

    @Test(.enabled(if: CLI.hasNumpy, "python3 with numpy is not installed: pip install -r peers/requirements.txt"))
    func stencilPeersMatchTheDocumentedValuesAfterTenSteps() throws {
        // docs/workloads.md: diffusion 640×640 after 10 steps: sum 20.48, max 0.005, sumsq 0.09748586131221627.
        let r = try peers("diffusion", "{\"rows\": 640, \"cols\": 640, \"steps\": 10}", "numpy")
        let v = try #require(r.first?["validation"] as? [[String]])
        #expect(v.map { $0[0] } == ["sum", "max", "sumsq"])
        #expect(abs(Double(v[0][2])! - 20.48) <= 1e-11 * 20.48)
        #expect(Double(v[1][2])! == 0.005)
        #expect(abs(Double(v[2][2])! - 0.09748586131221627) <= 1e-11 * 0.0975)
    }

    @Test(.enabled(if: CLI.python != nil, "python3 is not installed"))
    func swiftKnowsThePeersThatRunPeerRuns() throws {
        let r = try CLI.run(try #require(CLI.python), ["peers/run_peer.py", "--list"])
        #expect(r.status == 0)
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: [String]])
        #expect(listed == PeerRunner.peers)
    }

    @Test(.enabled(if: CLI.hasNumpy, "python3 with numpy is not installed: pip install -r peers/requirements.txt"))
    func missingParametersBecomeSkippedRows() throws {
        let py = try #require(CLI.python)
        let r = try CLI.run(py, ["peers/run_peer.py", "laplacian", "--params", "{\"nothing\": 1}", "--impls", "numpy"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("\"skipped\": \"parameters: peer needs rows, cols"))
    }
}
