import Foundation
import Testing
import CelerHarness
@testable import celer

/// The peers that need a tool beyond python3 and its packages (pypy3,
/// Pythran) or none at all (multiprocessing, and pure Python without NumPy):
/// they validate like the others where the tool is there, and are skipped
/// rows naming what to install where it is not.
@Suite struct PeerToolTests {
    /// The interpreter itself (not a pyenv shim, which needs PATH to run),
    /// so a test can run it with PATH pointing away from pypy3.
    static let interpreter: String? = {
        guard let py = CLI.python, let r = try? CLI.run(py, ["-c", "import sys; print(sys.executable)"]),
              r.status == 0 else { return nil }
        let path = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return path.isEmpty ? nil : path
    }()

    static let hasPypy: Bool = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(dir)/pypy3") { return true }
        return false
    }()

    static let hasPythran: Bool = {
        guard CLI.hasNumpy, let py = CLI.python, let r = try? CLI.run(py, ["-c", "import pythran"]),
              r.status == 0 else { return false }
        return (try? CLI.run("/usr/bin/env", ["g++", "--version"]))?.status == 0
    }()

    /// Records of `run_peer.py` (one timed call each), run by `python` with
    /// extra interpreter flags and environment.
    func records(_ workload: String, _ params: String, _ impls: String, python: String? = CLI.python,
                 flags: [String] = [], environment: [String: String] = [:]) throws -> [String: [String: Any]] {
        let py = try #require(python)
        let r = try CLI.run(py, flags + ["peers/run_peer.py", workload, "--params", params, "--impls", impls,
                                         "--repeat", "1", "--warmup", "0", "--threads", "2"],
                            environment: environment)
        #expect(r.status == 0, "\(r.stderr)")
        var out: [String: [String: Any]] = [:]
        for line in r.stdout.split(separator: "\n") {
            if let rec = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
               let impl = rec["impl"] as? String { out[impl] = rec }
        }
        return out
    }

    func validation(_ r: [String: Any]?) -> [[String]]? { r?["validation"] as? [[String]] }

    /// Small cases of every workload, with the python peer as the reference.
    static let small: [(String, String)] = [
        ("julia", "{\"width\": 37, \"height\": 23, \"maxiter\": 50}"),
        ("mandelbrot", "{\"width\": 29, \"height\": 17, \"maxiter\": 60}"),
        ("sieve", "{\"limit\": 1000}"),
        ("derivative", "{\"n\": 1001}"),
        ("laplacian", "{\"rows\": 31, \"cols\": 17}"),
        ("diffusion", "{\"rows\": 64, \"cols\": 64, \"steps\": 9}"),
        ("add", "{\"n\": 1001}"),
    ]

    @Test(.enabled(if: CLI.python != nil, "python3 is not installed"))
    func pureInputsAreTheSplitMix64StreamBitForBit() throws {
        // -S: no site-packages, so no NumPy; the pure-Python stream against Swift's own SplitMix64.
        for (seed, start) in [(UInt64(7), 0), (1, 4094), (0xFFFF_FFFF_FFFF_FFFF, 1 << 33)] {
            let r = try CLI.run(try #require(CLI.python), ["-S", "peers/inputs.py", "--dump", "\(seed)", "\(start)", "40"])
            #expect(r.status == 0, "\(r.stderr)")
            let got = r.stdout.split(separator: "\n").compactMap { Double(String($0)) }
            #expect(got.count == 40)
            for (k, v) in got.enumerated() {
                #expect(v == PeerTests.uniform(seed, start + k), "seed \(seed) value \(start + k)")
            }
        }
    }

    @Test(.enabled(if: CLI.hasNumpy, "python3 with numpy is not installed: pip install -r peers/requirements.txt"))
    func pureInputsAreTheNumpyInputs() throws {
        let r = try CLI.run(try #require(CLI.python), ["peers/inputs.py", "--check"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == 7)
        #expect(!r.stdout.contains("differ"))
    }

    @Test(.enabled(if: CLI.python != nil, "python3 is not installed"))
    func withoutNumpyThePurePeersStillValidate() throws {
        // python3 -S has no site-packages: python and multiprocessing run on inputs.py's
        // pure-Python paths; Pythran is a skipped row that says how to install it.
        let julia = try records("julia", Self.small[0].1, "python,multiprocessing,pythran", flags: ["-S"])
        #expect(validation(julia["python"]) == [["sum", "i", "6550"]], "\(julia)")
        #expect(validation(julia["multiprocessing"]) == [["sum", "i", "6550"]], "\(julia)")
        let skip = try #require(julia["pythran"]?["skipped"] as? String)
        #expect(skip.contains("pythran not installed") && skip.contains("pip install pythran"), "\(skip)")
        let diffusion = try records("diffusion", "{\"rows\": 640, \"cols\": 640, \"steps\": 10}", "python", flags: ["-S"])
        // docs/workloads.md: sum 20.48, max 0.005, sumsq 0.09748586131221627 after 10 steps.
        let v = try #require(validation(diffusion["python"]))
        #expect(v.map { $0[0] } == ["sum", "max", "sumsq"])
        #expect(abs(Double(v[0][2])! - 20.48) <= 1e-11 * 20.48)
        #expect(Double(v[1][2])! == 0.005)
        #expect(abs(Double(v[2][2])! - 0.09748586131221627) <= 1e-11 * 0.0975)
    }

    @Test(.enabled(if: CLI.python != nil, "python3 is not installed"))
    func multiprocessingValidatesAndShowsItsShipping() throws {
        for (workload, params) in Self.small.prefix(2) {
            let r = try records(workload, params, "python,multiprocessing")
            let mp = try #require(r["multiprocessing"])
            #expect(mp["skipped"] is NSNull, "\(mp)")
            #expect(validation(mp) == validation(r["python"]) && validation(mp) != nil, "\(r)")
            #expect(mp["threads"] as? Int == 2)
            let note = try #require(mp["note"] as? String)
            #expect(note.contains("chunksize") && note.contains("shipping") && note.contains("2 processes"), "\(note)")
        }
    }

    @Test(.enabled(if: hasPypy, "pypy3 is not installed: apt-get install pypy3"))
    func pypyValidatesLikeCPythonOnEveryWorkload() throws {
        for (workload, params) in Self.small {
            let r = try records(workload, params, "python,pypy")
            let pypy = try #require(r["pypy"], "\(workload): \(r)")
            #expect(pypy["skipped"] is NSNull, "\(workload): \(pypy)")
            #expect(validation(pypy) == validation(r["python"]) && validation(pypy) != nil, "\(workload): \(r)")
            #expect((pypy["times"] as? [Double])?.count == 1)
            #expect((pypy["note"] as? String)?.hasPrefix("PyPy ") == true, "\(pypy)")
        }
    }

    @Test(.enabled(if: interpreter != nil, "python3 is not installed"))
    func pypyIsASkippedRowWithTheInstallHintWhenAbsent() throws {
        let empty = NSTemporaryDirectory() + "celer-no-pypy-\(getpid())"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let r = try records("julia", Self.small[0].1, "pypy", python: Self.interpreter,
                            environment: ["PATH": empty, "CELER_PYPY": ""])
        let skip = try #require(r["pypy"]?["skipped"] as? String, "\(r)")
        #expect(skip == "pypy3 not found (apt-get install pypy3)")
    }

    @Test(.enabled(if: hasPythran, "pythran or g++ is not installed: pip install pythran; apt-get install g++"))
    func pythranValidatesAgainstTheDocumentedValues() throws {
        // The first run compiles (cached in the peers cache, like the Cython build).
        for (workload, params) in Self.small where workload != "sieve" {
            let r = try records(workload, params, "python,pythran")
            let p = try #require(r["pythran"], "\(workload): \(r)")
            #expect(p["skipped"] is NSNull, "\(workload): \(p)")
            #expect(validation(p) == validation(r["python"]) && validation(p) != nil, "\(workload): \(r)")
        }
        // The seed images' documented sums (docs/workloads.md), exact.
        let julia = try records("julia", "{\"width\": 1000, \"height\": 1000, \"maxiter\": 300}", "pythran")
        #expect(validation(julia["pythran"]) == [["sum", "i", "33219980"]], "\(julia)")
        let mandel = try records("mandelbrot", "{\"width\": 500, \"height\": 500, \"maxiter\": 1000}", "pythran")
        #expect(validation(mandel["pythran"]) == [["sum", "i", "51198208"]], "\(mandel)")
        // Both parities of the ping-pong (the result in u or in v).
        let even = try records("diffusion", "{\"rows\": 640, \"cols\": 640, \"steps\": 10}", "pythran")
        let v = try #require(validation(even["pythran"]))
        #expect(abs(Double(v[0][2])! - 20.48) <= 1e-11 * 20.48 && Double(v[1][2])! == 0.005)
        #expect(abs(Double(v[2][2])! - 0.09748586131221627) <= 1e-11 * 0.0975)
    }

    @Test func aPeersNoteBecomesItsSummaryAndIsShownBesideItsStatus() throws {
        let line = #"{"impl": "multiprocessing", "threads": 2, "times": [0.5], "compile_s": null, "validation": [["sum", "i", "6550"]], "skipped": null, "note": "shipping 0.01 s"}"#
        let rec = try JSONDecoder().decode(ExternalRecord.self, from: Data(line.utf8))
        #expect(rec.note == "shipping 0.01 s")
        let expected = [ValidationValue("sum", Int64(6550))]
        let row = rec.row(workload: "julia", variant: "multiprocessing", kind: .peer, parameters: [],
                          requestedRuns: 1, expected: expected, reference: .exact)
        #expect(row.summary == "shipping 0.01 s")
        #expect(ComparisonFormatter.status(row) == "OK (shipping 0.01 s)")
        var compiled = row
        compiled.compileSeconds = 2
        #expect(ComparisonFormatter.status(compiled).hasSuffix("; shipping 0.01 s)"))
        #expect(ComparisonFormatter.status(compiled).hasPrefix("OK (compiled in "))
    }
}
