import CelerCore
import Foundation
import Testing
@testable import CelerProfile

@Suite struct ProcessTests {
    /// Runs `arguments` under mprof, collecting its output instead of printing it.
    func mprof(_ arguments: [String], interval: Double = 0.005) -> (Mprof.Outcome, String) {
        final class Sink: @unchecked Sendable { var bytes: [UInt8] = []; let lock = NSLock() }
        let sink = Sink()
        var options = Mprof.Options()
        options.interval = interval
        options.forward = { _, chunk in sink.lock.lock(); sink.bytes += chunk; sink.lock.unlock() }
        let outcome = Mprof.run(arguments, options: options)
        return (outcome, String(decoding: sink.bytes, as: UTF8.self))
    }

    @Test func samplerSeesAChildProcessAndItsPhases() throws {
        // sh forks python (the `; true` stops sh from exec'ing it), so the
        // 60 MB live in a child of the process mprof started.
        let script = """
            import sys, time
            print("CELER_PHASE fill", file=sys.stderr)
            x = b"\\x01" * (60 << 20)
            time.sleep(0.15)
            print("CELER_PHASE_END", file=sys.stderr)
            del x
            print("bye")
            """
        let (outcome, output) = mprof(["/bin/sh", "-c", "/usr/bin/python3 -c '\(script)'; true"])
        #expect(outcome.startError == nil)
        #expect(outcome.termination?.status == .exited(0))
        #expect(output.contains("bye"))
        let rec = outcome.recording
        let peak = try #require(rec.peak)
        #expect(peak.bytes >= 60 << 20)
        #expect(!rec.children.isEmpty)
        #expect(rec.children.contains { $0.bytes >= 60 << 20 })
        #expect(rec.phases.map(\.label) == ["fill"])
        let fill = try #require(rec.phases.first)
        #expect(fill.startBytes < 60 << 20)
        #expect(rec.samples.contains { $0.time >= fill.start && $0.time <= fill.end && $0.bytes >= 60 << 20 })
        #expect(rec.datText().contains("\nCHLD "))
    }

    @Test func missingCommand() throws {
        let (outcome, _) = mprof(["celer-no-such-command-xyz"])
        let error = try #require(outcome.startError)
        #expect(error.description.contains("command not found"))
        #expect(outcome.termination == nil)
        // What was sampled (nothing) is still a valid recording.
        let back = try MemoryRecording.parse(outcome.recording.datText())
        #expect(back.command == "celer-no-such-command-xyz" && back.samples.isEmpty)
    }

    @Test func nonZeroExitAndKill() {
        let (failed, _) = mprof(["/bin/sh", "-c", "exit 3"])
        #expect(failed.termination?.status == .exited(3))
        #expect(failed.termination?.exitCode == 3)
        let (killed, _) = mprof(["/bin/sh", "-c", "kill -9 $$"])
        #expect(killed.termination?.status == .signaled(9))
        #expect(killed.termination?.exitCode == 137)
        #expect(killed.termination?.description.hasPrefix("killed by signal 9") == true)
    }

    @Test func childProcessResourceUsage() throws {
        let child = try ChildProcess(["/bin/sh", "-c", "exit 0"])
        let end = try #require(child.wait())
        #expect(end.status == .exited(0))
        #expect(end.maxResidentBytes > 0)
    }

    @Test func peakOfACommandWithoutOurOwnMemory() throws {
        let own = ProcessMemory.current().hwm
        let small = try ChildProcess.runMeasuringPeak(["/bin/sh", "-c", "exit 0"])
        #expect(small.status == .exited(0))
        #expect(small.maxResidentBytes > 0 && small.maxResidentBytes < own)
        let big = try ChildProcess.runMeasuringPeak(["/usr/bin/python3", "-c", "x = b'1' * (40 << 20)"])
        #expect(big.status == .exited(0))
        #expect(big.maxResidentBytes >= 40 << 20 && big.maxResidentBytes < 80 << 20)
        let failed = try ChildProcess.runMeasuringPeak(["/bin/sh", "-c", "exit 7"])
        #expect(failed.status == .exited(7))
    }

    @Test func commandLineSplitting() throws {
        #expect(try splitCommandLine("python3 -c 'print(1 + 2)'") == ["python3", "-c", "print(1 + 2)"])
        #expect(try splitCommandLine(#"a "b c" d\ e ''"#) == ["a", "b c", "d e", ""])
        #expect(try splitCommandLine("  ") == [])
        #expect(throws: CelerError.self) { try splitCommandLine("echo 'open") }
    }

    @Test func phaseMarkersAcrossChunks() {
        var scanner = PhaseScanner()
        var found: [PhaseScanner.Marker] = []
        for piece in ["out\nCELER_PH", "ASE create sieve\nx CELER_PHASE no\n", "CELER_PHASE_END\r\nCELER_PHASE \n"] {
            found += Array(piece.utf8).withUnsafeBytes { scanner.feed($0) }
        }
        #expect(found == [.begin("create_sieve"), .end])
    }

    @Test func procStatWithAwkwardNames() {
        let stat = "4242 (a) b (c)) S 17 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 100 1000000 250 18446744073709551615"
        let e = ProcessMemory.parseStat(pid: 4242, stat)
        #expect(e?.parent == 17 && e?.session == 4242)
        #expect(e?.residentBytes == 250 * ProcessMemory.pageSize)
        #expect(ProcessMemory.parseStat(pid: 1, "garbage") == nil)
    }

    @Test func ownProcessIsInTheTable() {
        let tree = ProcessMemory.tree(of: getpid())
        #expect(tree.first?.pid == getpid())
        #expect((tree.first?.residentBytes ?? 0) > 1 << 20)
        let (rss, hwm) = ProcessMemory.current()
        #expect(rss > 0 && hwm >= rss)
    }

    @Test func malformedRecordings() throws {
        #expect(throws: CelerError.self) { try MemoryRecording.parse("MEM 12.5\n") }
        #expect(throws: CelerError.self) { try MemoryRecording.parse("CMDLINE x\nMEM abc 1.0\n") }
        #expect(throws: CelerError.self) { try MemoryRecording.parse("hello world\n") }
        #expect(throws: CelerError.self) { try MemoryRecording.parse("") }
        #expect(throws: CelerError.self) { try MemoryRecording.parse("CMDLINE x\nFUNC f 1 2\n") }
        do {
            _ = try MemoryRecording.parse("CMDLINE x\nMEM 1 2\nMEM x 3\n", source: "f.dat")
            Issue.record("no error")
        } catch {
            #expect(error.description.hasPrefix("f.dat:3: malformed MEM record"))
        }
        #expect(throws: CelerError.self) { try MemoryRecording.read(path: "/nonexistent/mprofile.dat") }
        // mprof's own files read: unknown records are skipped.
        let mprof = "CMDLINE python3 x.py\nMEM 1.5 100.0\nMEM 2.5 100.1\nCHLD 12 1.0 100.1\nFUNC __main__.f 1.5 100.0 2.5 100.1\nFOO bar\n"
        let rec = try MemoryRecording.parse(mprof)
        #expect(rec.samples.count == 2 && rec.peak?.bytes == Int(2.5 * 1048576))
        #expect(rec.phases.first?.label == "__main__.f" && rec.phases.first?.level == 0)
    }
}
