import Foundation
import Testing
import CelerMPI

/// Runs the built `celer-mpi-selftest` (beside the test bundle), under
/// `mpirun` when the package is built with the MPI trait, always bounded by
/// `timeout`.
enum Selftest {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let binary: String? = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [bundle.appendingPathComponent("celer-mpi-selftest").path,
                          bundle.deletingLastPathComponent().appendingPathComponent("celer-mpi-selftest").path,
                          packageRoot.appendingPathComponent(".build/debug/celer-mpi-selftest").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    struct Result { var status: Int32; var output: String; var seconds: Double }

    /// Runs `arguments` under `timeout -k 5 LIMIT` with stdout and stderr together.
    static func run(_ arguments: [String], limit: Int) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        p.arguments = ["-k", "5", String(limit)] + arguments
        var env = ProcessInfo.processInfo.environment
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        env["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"   // containers without ptrace rights
        env["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
        p.environment = env
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        let start = Date()
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, output: String(decoding: data, as: UTF8.self),
                      seconds: Date().timeIntervalSince(start))
    }

    static func mpirun(ranks: Int, _ arguments: [String] = [], limit: Int = 120) throws -> Result {
        let bin = try #require(binary, "celer-mpi-selftest was not built")
        return try run(["mpirun", "--allow-run-as-root", "--oversubscribe", "-n", String(ranks), bin] + arguments, limit: limit)
    }
}

@Suite(.serialized) struct SelftestTests {
    #if MPI
    @Test(arguments: [1, 2, 3])
    func suitePassesOnRanks(_ ranks: Int) throws {
        let r = try Selftest.mpirun(ranks: ranks)
        let lines = r.output.split(separator: "\n").map(String.init)
        let oks = lines.filter { $0.hasPrefix("ok ") }.count
        #expect(r.status == 0, "mpirun -n \(ranks) exited \(r.status):\n\(r.output)")
        #expect(lines.contains { $0.hasPrefix("celer-mpi-selftest: \(ranks) rank\(ranks == 1 ? "" : "s"), ") && $0.hasSuffix("thread level MPI_THREAD_FUNNELED") },
                "\(r.output)")
        #expect(oks >= 16, "only \(oks) tests passed:\n\(r.output)")
        #expect(lines.contains("\(oks) passed, 0 failed"), "\(r.output)")
    }

    /// One rank fails on purpose while the others wait for it: the job must end
    /// within seconds (here 30 s at most, on a contended machine), non-zero, with a
    /// line naming the failed rank, and leave no rank running.
    @Test(arguments: [
        ("exit", "celer-mpi: rank 2 of 3 on "),
        ("throw", "celer-mpi: rank 2 of 3 on "),
        ("crash", "celer-mpi: rank 2 of 3 on "),
        ("kill", "process rank 2 with PID"),
    ])
    func failedRankEndsTheJob(_ fault: String, _ line: String) throws {
        let r = try Selftest.mpirun(ranks: 3, ["--fault", fault], limit: 30)
        // 124: timeout stopped it (a hang). 137 is also what mpirun returns for a rank killed by SIGKILL, hence the time check.
        #expect(r.status != 0 && r.status != 124, "status \(r.status) after \(r.seconds) s:\n\(r.output)")
        #expect(r.output.contains(line), "no line naming rank 2:\n\(r.output)")
        let expected = ["exit": "exited with status 3", "throw": "error: injected failure", "crash": "fatal signal SIG", "kill": "signal 9"][fault]!
        #expect(r.output.contains(expected), "\(r.output)")
        #expect(r.seconds < 25, "the job took \(r.seconds) s to end")
        let ps = try Selftest.run(["pgrep", "-f", "[c]eler-mpi-selftest --fault"], limit: 5)
        #expect(ps.status == 1, "ranks left running: \(ps.output)")
    }

    @Test func badFaultNameIsAnError() throws {
        let bin = try #require(Selftest.binary)
        let r = try Selftest.run([bin, "--fault", "nope"], limit: 30)
        #expect(r.status == 2)
        #expect(r.output.contains("--fault 'nope' is not one of exit, throw, crash, kill"))
    }
    #else
    @Test func withoutTheTraitTheBuildSaysHowToGetMPI() throws {
        #expect(MPI.isAvailable == false)
        #expect(MPI.buildHint.hasPrefix("built without MPI: swift build --traits MPI"))
        let bin = try #require(Selftest.binary, "celer-mpi-selftest was not built")
        let r = try Selftest.run([bin], limit: 30)
        #expect(r.status == 2)
        #expect(r.output == "celer-mpi-selftest: \(MPI.buildHint)\n")
    }
    #endif
}

