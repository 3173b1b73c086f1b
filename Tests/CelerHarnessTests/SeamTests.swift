import CelerCore
import CelerParallel
import Foundation
import Testing
@testable import CelerHarness

/// The seam a backend plugs into: backend labels, a finish step inside the
/// clock, typed refusals, work counted by mark (not name), rungs added from
/// outside a study's file, ceilings per backend, and external runs.

/// A study whose validation marks the value that counts work under a name
/// nothing else uses, and a threaded rung.
enum Marked: CaseStudy {
    typealias Config = Int
    static let name = "marked"
    static let summary = "work counted by mark (test)"
    static let optionsHelp = ""
    static var rungs: [Rung<Int>] {
        [
            Rung("serial", "one thread") { n in
                .ready(run: {}, validation: { [ValidationValue("steps", n * 3, countsWork: true), ValidationValue("n", n)] })
            },
            Rung("pool", "threads", backend: .threads) { n in
                .ready(run: { parallelFor(0..<n, schedule: .static) { _ in } },
                       validation: { [ValidationValue("steps", n * 3), ValidationValue("n", n)] })
            },
        ]
    }
    static func configure(_ o: WorkloadOptions) throws(CelerError) -> Int { o.size?.first ?? 8 }
    static func parameters(_ n: Int) -> [Parameter] { [Parameter("n", .integer(n))] }
    static func expected(_ n: Int) -> [ValidationValue]? { nil }
    static func work(_ n: Int, counted: Double?) -> Work { Work(flops: 10 * (counted ?? -1), bytes: 0, bound: .compute) }
}

/// A "device" that finishes asynchronously: `run` starts the work, `finish`
/// waits for it. The clock must include the wait; validation must not.
final class FakeDevice: @unchecked Sendable {
    let lock = NSLock()
    var pending: Double = 0
    var result: Int64 = -1
    var validations = 0
}

/// A backend defined outside the study: its rungs reuse the study's own
/// algorithm (here `Marked`'s closed form) on another schedule.
enum FakeBackend {
    static let device = FakeDevice()
    static var extensions: [RungExtension] {
        [RungExtension(Marked.self, rungs: [
            Rung("device", "the same algorithm on a fake device", backend: .gpu) { n in
                .ready(backend: .gpu(device: "Fake 1"),
                       run: { device.lock.lock(); device.pending = 0.02; device.lock.unlock() },
                       finish: {
                           // The sync: sleeps for the pending work, then stores the result.
                           device.lock.lock(); let wait = device.pending; device.lock.unlock()
                           usleep(UInt32(wait * 1e6))
                           device.lock.lock(); device.result = Int64(n * 3); device.lock.unlock()
                       },
                       validation: {
                           device.lock.lock(); defer { device.lock.unlock() }
                           device.validations += 1
                           return [ValidationValue("steps", device.result), ValidationValue("n", n)]
                       },
                       phases: { [PhaseTime("copy out", seconds: 0.001)] })
            },
            Rung("nodriver", "a backend that is not installed", backend: .gpu) { _ in
                .refused("no CUDA driver: could not dlopen libcuda.so.1")
            },
        ])]
    }
}

/// A ceiling source that knows only the fake device.
struct FakeDeviceCeilings: CeilingSource {
    func ceiling(for bound: Work.Bound, backend: Backend) -> Double? {
        if case .gpu = backend { return bound == .compute ? 1000 : 4000 }
        return nil
    }
}

@Suite struct SeamTests {
    @Test func backendLabelsAndThreads() {
        #expect(Backend.serial.label == "serial")
        #expect(Backend.threads(2).label == "threads 2")
        #expect(Backend.gpu(device: "NVIDIA H200").label == "gpu NVIDIA H200")
        #expect(Backend.mpi(ranks: 3, threadsPerRank: 2).label == "mpi 3×2")
        #expect(Backend.mpi(ranks: 3, threadsPerRank: 2).hostThreads == 6)
        #expect(Backend.unavailable(.mpi, threads: 2).label == "mpi (none)")
        #expect(Backend.unavailable(.threads, threads: 2) == .threads(2))
        #expect(Backend.cpu(threads: 1) == .serial && Backend.cpu(threads: 4) == .threads(4))
    }

    @Test func rowsAreLabelledWithTheThreadsTheRungUsedWhenPrepared() throws {
        let study = try AnyCaseStudy(Marked.self).configure(WorkloadOptions())
        for t in [1, 3] {
            let rows = try Parallel.withThreadCount(t) {
                try Harness.run(study, settings: HarnessSettings(repeats: 1, warmup: 0))
            }
            #expect(rows.map(\.backend) == [.serial, .cpu(threads: t)])
        }
    }

    @Test func workIsCountedByTheMarkedValueNotByName() throws {
        let study = try AnyCaseStudy(Marked.self).configure(WorkloadOptions())
        let rows = try Harness.run(study, settings: HarnessSettings(repeats: 1, warmup: 0))
        // The reference (first rung) marks "steps" = 24: 240 flops for every row.
        #expect(rows.allSatisfy { $0.work?.flops == 240 })
        #expect(study.work([ValidationValue("steps", 5)]).flops == -10)   // unmarked: nil count
    }

    @Test func aBackendAddsRungsWithoutEditingTheStudy() throws {
        let base = AnyCaseStudy(Marked.self)
        let extended = base.extended(with: FakeBackend.extensions)
        #expect(base.rungNames == ["serial", "pool"])
        #expect(extended.rungNames == ["serial", "pool", "device", "nodriver"])
        #expect(extended.rungBackends == [.serial, .threads, .gpu, .gpu])
        // Extensions for another study are ignored.
        #expect(AnyCaseStudy(Picky.self).extended(with: FakeBackend.extensions).rungNames == ["whole", "loop", "wrong"])

        let study = try extended.configure(WorkloadOptions())
        let ceilings = CeilingSources([FakeDeviceCeilings()])
        let before = FakeBackend.device.validations
        let rows = try Harness.run(study, variants: ["serial", "device", "nodriver"],
                                   settings: HarnessSettings(repeats: 3, warmup: 1, budgetSeconds: 100),
                                   ceilings: ceilings)
        #expect(rows.map(\.variant) == ["serial", "device", "nodriver"])
        let device = rows[1]
        #expect(device.backend == .gpu(device: "Fake 1"))
        #expect(device.ok == true)
        // The finish step (a 20 ms sync) is inside the clock.
        #expect(device.times.count == 3 && device.times.allSatisfy { $0 >= 0.019 })
        // Validation ran once, outside the clock; phases are reported.
        #expect(FakeBackend.device.validations == before + 1)
        #expect(device.phases == [PhaseTime("copy out", seconds: 0.001)])
        #expect(device.ceiling == 1000)
        #expect(rows[0].ceiling == nil)   // the fake source knows no CPU
        let refused = rows[2]
        #expect(refused.ok == nil && refused.skipped == "no CUDA driver: could not dlopen libcuda.so.1")
        #expect(refused.backend == .gpu(device: "(none)") && refused.backend.label == "gpu (none)")
    }

    @Test func machineCeilingsAnswerOnlyForTheCPU() {
        let c = MachineCeilings(cpuModel: "x", cores: 2, flopsPerCoreGFLOPS: 50, flopsAllCoresGFLOPS: 95,
                                copyGBps: [20, 30], triadGBps: [22, 31], arrayBytes: 1, quick: true)
        #expect(c.ceiling(for: .compute, backend: .serial) == 50)
        #expect(c.ceiling(for: .compute, backend: .threads(2)) == 95)
        #expect(c.ceiling(for: .memory, backend: .threads(2)) == 31)
        #expect(c.ceiling(for: .compute, backend: .gpu(device: "x")) == nil)
        let both = CeilingSources([c, FakeDeviceCeilings()])
        #expect(both.ceiling(for: .memory, backend: .gpu(device: "x")) == 4000)
        #expect(both.ceiling(for: .memory, backend: .serial) == 22)
    }

    @Test func externalRunsBecomeRowsOrSkippedRowsWithTheHint() throws {
        let runner = ExternalRunner()
        let record = #"{"impl": "x", "threads": 1, "times": [0.5, 0.25], "validation": [["n", "i", "8"], ["steps", "i", "24"]], "backend": {"kind": "mpi", "ranks": 3, "threads_per_rank": 2}}"#
        let ok = ExternalRun(program: "sh", arguments: ["-c", "echo 'noise'; echo '\(record)'"],
                             timeout: 30, installHint: "install sh")
        let expected = [ValidationValue("steps", 24, countsWork: true), ValidationValue("n", 8)]
        let row = runner.run(ok, workload: "marked", variant: "ranks", kind: .celer, summary: "",
                             parameters: [], requestedRuns: 2, expected: expected, reference: .exact)
        #expect(row.backend == .mpi(ranks: 3, threadsPerRank: 2))
        #expect(row.times == [0.5, 0.25] && row.ok == true)
        #expect(row.validation == [ValidationValue("steps", 24), ValidationValue("n", 8)])

        let missing = ExternalRun(program: "celer-no-such-program", arguments: [], timeout: 30,
                                  installHint: "swift build --traits MPI")
        let skipped = runner.run(missing, workload: "marked", variant: "ranks", kind: .celer, summary: "",
                                 parameters: [], requestedRuns: 1, expected: expected, reference: .exact)
        #expect(skipped.ok == nil)
        #expect(skipped.skipped?.contains("swift build --traits MPI") == true)

        let slow = ExternalRun(program: "sleep", arguments: ["30"], timeout: 0.5, installHint: "")
        let t0 = monotonicNanos()
        let stopped = runner.run(slow, workload: "marked", variant: "ranks", kind: .celer, summary: "",
                                 parameters: [], requestedRuns: 1, expected: expected, reference: .exact)
        #expect(Double(monotonicNanos() - t0) * 1e-9 < 10)
        #expect(stopped.skipped?.contains("stopped after") == true)
    }

    @Test func externalPreparationsRunThroughTheHarness() throws {
        enum Remote: CaseStudy {
            typealias Config = Int
            static let name = "remote"
            static let summary = ""
            static let optionsHelp = ""
            static var rungs: [Rung<Int>] {
                [
                    Rung("local", "") { n in .ready(run: {}, validation: { [ValidationValue("n", n)] }) },
                    Rung("ranks", "", backend: .mpi) { n in
                        .external(ExternalRun(program: "sh", arguments: ["-c",
                            #"echo '{"impl": "ranks", "threads": 2, "times": [0.1], "validation": [["n", "i", "\#(n)"]], "backend": {"kind": "mpi", "ranks": 2, "threads_per_rank": 1}}'"#],
                            timeout: 30, installHint: ""))
                    },
                ]
            }
            static func configure(_ o: WorkloadOptions) throws(CelerError) -> Int { 7 }
            static func parameters(_ n: Int) -> [Parameter] { [] }
            static func expected(_ n: Int) -> [ValidationValue]? { nil }
            static func work(_ n: Int, counted: Double?) -> Work { Work(flops: 1, bytes: 0, bound: .compute) }
        }
        let rows = try Harness.run(try AnyCaseStudy(Remote.self).configure(WorkloadOptions()),
                                   settings: HarnessSettings(repeats: 1, warmup: 0))
        #expect(rows.map(\.ok) == [true, true])
        #expect(rows[1].backend == .mpi(ranks: 2, threadsPerRank: 1))
    }
}
