import CelerCore
import CelerHarness
import CelerWorkloads
import Foundation
import Testing
@testable import CelerDistributed
import CelerMPI

/// `celer compare`'s MPI options, the launch command they build, the MPI
/// rungs' refusals, and the rungs end to end (with the trait).
@Suite(.serialized) struct DistributedTests {
    let settings = HarnessSettings(repeats: 3, warmup: 1, budgetSeconds: 0.5)

    func parseError(ranks: String? = nil, threads: String? = nil, hosts: String? = nil, hostfile: String? = nil,
                    mpirun: String? = nil) -> CelerError? {
        do {
            _ = try MPILaunch.parse(ranks: ranks, threadsPerRank: threads, hosts: hosts, hostfile: hostfile,
                                    mpirun: mpirun, settings: settings)
            return nil
        } catch { return error }
    }

    @Test func badOptionsNameTheOptionAndWhatIsAllowed() {
        #expect(parseError(ranks: "0")?.description == "--ranks: invalid value '0'; use a whole number of ranks, 1...4096")
        #expect(parseError(ranks: "two")?.subject == "--ranks")
        #expect(parseError(ranks: "5000")?.subject == "--ranks")
        #expect(parseError(ranks: "2", threads: "0")?.subject == "--threads-per-rank")
        #expect(parseError(threads: "2")?.description == "--threads-per-rank: needs --ranks N (the number of MPI ranks)")
        #expect(parseError(hosts: "a,b")?.description == "--hosts: needs --ranks N (the number of MPI ranks)")
        #expect(parseError(ranks: "2", hosts: "a,,b")?.message.contains("'' is not one") == true)
        #expect(parseError(ranks: "2", hosts: "a b")?.subject == "--hosts")
        #expect(parseError(ranks: "2", hosts: "n1:0")?.subject == "--hosts")
        #expect(parseError(ranks: "2", hosts: "-n1")?.subject == "--hosts")
        #expect(parseError(ranks: "2", hosts: "a", hostfile: "/etc/hostname")?.description == "--hosts: give either --hosts or --hostfile, not both")
        #expect(parseError(ranks: "2", hostfile: "/nonexistent/hostfile")?.subject == "--hostfile")
        #expect(parseError(ranks: "2", mpirun: "")?.subject == "--mpirun")
        #expect(parseError(ranks: "2", mpirun: "--oversubscribe")?.subject == "--mpirun")
        #expect(parseError(ranks: "2", hosts: "n1:2,node-2.example,n_3") == nil)
    }

    @Test func noRanksMeansNoLaunch() throws {
        #expect(try MPILaunch.parse(ranks: nil, threadsPerRank: nil, hosts: nil, hostfile: nil, mpirun: nil, settings: settings) == nil)
    }

    @Test func theLaunchCommand() throws {
        let launch = try #require(try MPILaunch.parse(ranks: "3", threadsPerRank: "2", hosts: "n1,n2:2", hostfile: nil,
                                                      mpirun: nil, settings: settings))
        let run = launch.externalRun(workload: "julia", rung: "mpi-rows", arguments: ["width=10", "height=12"])
        #expect(run.program == "mpirun")
        #expect(run.arguments == ["--bind-to", "none", "--oversubscribe", "--quiet", "-n", "3", "--host", "n1,n2:2",
                                  launch.worker, "mpi-worker", "julia", "mpi-rows", "width=10", "height=12",
                                  "threads=2", "repeats=3", "warmup=1", "budget=0.5"])
        #expect(launch.worker.hasPrefix("/"))
        let srun = try #require(try MPILaunch.parse(ranks: "4", threadsPerRank: nil, hosts: nil, hostfile: nil,
                                                    mpirun: "srun --mpi=pmix", settings: settings))
        let job = srun.externalRun(workload: "laplacian", rung: "mpi-rows", arguments: [])
        #expect(job.program == "srun")
        #expect(Array(job.arguments.prefix(4)) == ["--mpi=pmix", "-n", "4", srun.worker])
        #expect(job.environment.isEmpty)
    }

    @Test func rungsRefuseWithTheReason() throws {
        defer { MPILaunch.configured = nil }
        MPILaunch.configured = nil
        let refusal = MPIRungs.prepare(workload: "julia", rung: "mpi-rows", rowsOfWork: 10, what: "image rows", arguments: []).refusal
        #if MPI
        #expect(refusal == "add --ranks N (and --threads-per-rank T) to run on MPI ranks")
        MPILaunch.configured = MPILaunch(ranks: 11)
        #expect(MPIRungs.prepare(workload: "julia", rung: "mpi-rows", rowsOfWork: 10, what: "image rows", arguments: []).refusal
                == "--ranks 11 is more than the 10 image rows of julia; use at most 10")
        MPILaunch.configured = MPILaunch(ranks: 10)
        guard case .external(let run) = MPIRungs.prepare(workload: "julia", rung: "mpi-rows", rowsOfWork: 10, what: "image rows", arguments: []) else {
            Issue.record("10 ranks for 10 rows should launch"); return
        }
        #expect(run.arguments.contains("mpi-worker"))
        #else
        #expect(refusal == MPI.buildHint)
        #expect(refusal == "built without MPI: swift build --traits MPI (needs libopenmpi-dev, openmpi-bin)")
        #endif
    }

    @Test func everyStudyWithMPIRungsGetsThem() {
        let studies = CaseStudies.all.map { $0.extended(with: MPIRungs.extensions) }
        for (name, rungs) in MPIWorker.rungs {
            let study = studies.first { $0.name == name }
            #expect(study != nil, "no study \(name)")
            for r in rungs { #expect(study?.rungNames.contains(r) == true, "\(name) lacks \(r)") }
        }
    }

    @Test func workerArguments() throws {
        #expect(throws: CelerError.self) { try MPIWorker.parse(["sieve", "mpi-rows"]) }
        #expect(throws: CelerError.self) { try MPIWorker.parse(["julia", "mpi-nope", "threads=1"]) }
        #expect(throws: CelerError.self) { try MPIWorker.parse(["julia", "mpi-rows", "threads"]) }
        #expect(throws: CelerError.self) { try MPIWorker.parse(["julia", "mpi-rows", "threads=0", "repeats=1", "warmup=0", "budget=1"]) }
        let job = try MPIWorker.parse(["laplacian", "mpi-rows", "rows=9", "threads=2", "repeats=4", "warmup=0", "budget=0.25"])
        #expect(job.threads == 2 && job.repeats == 4 && job.warmup == 0 && job.budget == 0.25)
        #expect(try job.int("rows", 3...100) == 9)
    }

    @Test func theRecordDecodesAsTheHarnessReadsIt() throws {
        let text = ExternalRecordText(impl: "mpi-rows", ranks: 3, threadsPerRank: 2, times: [0.5, 0.25],
                                      validation: [ValidationValue("sum", Int64(42)), ValidationValue("sum_abs", 0.1 + 0.2)]).json
        let record = try JSONDecoder().decode(ExternalRecord.self, from: Data(text.utf8))
        #expect(record.resolvedBackend == .mpi(ranks: 3, threadsPerRank: 2))
        #expect(record.times == [0.5, 0.25])
        let values = record.values(matching: [ValidationValue("sum", Int64(0)), ValidationValue("sum_abs", 0.0)])
        #expect(values == [ValidationValue("sum", Int64(42)), ValidationValue("sum_abs", 0.1 + 0.2)])
    }

    // MARK: The celer binary

    static let celer: String? = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [bundle.appendingPathComponent("celer").path,
                          bundle.deletingLastPathComponent().appendingPathComponent("celer").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    func celer(_ args: [String], limit: Int = 60) throws -> Selftest.Result {
        let bin = try #require(Self.celer, "the celer binary was not built")
        return try Selftest.run([bin] + args, limit: limit)
    }

    @Test func badMPIOptionsExitWith2() throws {
        for (args, option) in [(["--ranks", "0"], "--ranks"), (["--ranks", "2", "--hosts", "a,,b"], "--hosts"),
                               (["--hosts", "n1"], "--hosts"), (["--ranks", "2", "--threads-per-rank", "x"], "--threads-per-rank")] {
            let r = try celer(["compare", "julia", "--size", "small"] + args)
            #expect(r.status == 2, "\(args): \(r.output)")
            #expect(r.output.contains(option), "\(args): \(r.output)")
            #expect(r.output.split(separator: "\n").count == 1, "\(args): not one line: \(r.output)")
        }
        let w = try celer(["mpi-worker", "nope", "x"])
        #expect(w.status == 2)
        #expect(w.output.contains("unknown workload 'nope'"))
    }

    @Test func mpiRowsInCompare() throws {
        #if MPI
        let r = try celer(["compare", "julia", "laplacian", "--size", "small", "--repeat", "1", "--warmup", "0",
                           "--variant", "simd,mpi-rows,mpi-jobs", "--ranks", "3"], limit: 400)
        #expect(r.status == 0, "\(r.output)")
        let rows = r.output.split(separator: "\n").filter { $0.contains("mpi 3×1") }
        #expect(rows.count == 3, "\(r.output)")
        #expect(rows.allSatisfy { $0.hasSuffix("OK") }, "\(r.output)")
        #endif
        // Without the trait the skipped row's text is checked in-process
        // (rungsRefuseWithTheReason): a compare run here costs a minute of ceilings.
    }
}
