import CelerCore
import Foundation
import FoundationXML
import Testing
@testable import CelerProfile

/// The built executables beside the test bundle (celer, celer-lprof-demo,
/// libCelerLprofPreload.so), run as subprocesses.
enum Built {
    static let dir: String = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for d in [bundle, bundle.deletingLastPathComponent()] where FileManager.default.isExecutableFile(atPath: d.appendingPathComponent("celer").path) {
            return d.path
        }
        return bundle.path
    }()
    static var celer: String { dir + "/celer" }
    static var demo: String { dir + "/celer-lprof-demo" }

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ program: String, _ args: [String]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// `celer lprof run --out TMP ARGS -- demo DEMOARGS`, and the profile it wrote.
    static func profileDemo(_ demoArgs: [String], options: [String] = []) throws -> (Result, SampleProfile?, String) {
        let out = NSTemporaryDirectory() + "lprof-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).lprof"
        let r = try run(celer, ["lprof", "run", "--out", out] + options + ["--", demo] + demoArgs)
        return (r, try? SampleProfile(path: out), out)
    }

    /// Whether stderr is one line and the status is 2.
    static func isOneLineUsageError(_ r: Result) -> Bool {
        r.status == 2 && r.stderr.split(separator: "\n").count == 1
    }
}

@Suite(.serialized) struct SamplingTests {
    @Test func knownSplitOnTwoLinesOverTwoThreadsIsMeasuredWithinFivePoints() throws {
        let (r, p, _) = try Built.profileDemo(["split", "2.5"])
        #expect(r.status == 0, "\(r.stderr)")
        let profile = try #require(p)
        let lines = profile.lineWeights(function: "splitLoop(seconds:)")
        let source = try String(contentsOfFile: Built.demoSource, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let lineA = try #require(source.firstIndex { $0.contains("// LINE_A") }) + 1
        let lineB = try #require(source.firstIndex { $0.contains("// LINE_B") }) + 1
        let a = Double(lines[lineA] ?? 0), b = Double(lines[lineB] ?? 0)
        #expect(a + b > 0.9 * Double(lines.values.reduce(0, +)))
        let share = a / (a + b) * 100
        #expect(abs(share - 70) <= 5, "line A has \(share) % of the two lines")
        // Both threads sampled, each about half of the CPU time.
        let perThread = Dictionary(grouping: profile.samples, by: \.thread).mapValues { $0.reduce(0) { $0 + $1.weight } }
        let busy = perThread.values.filter { Double($0) > 0.3 * Double(profile.totalWeight) }
        #expect(busy.count == 2, "\(perThread)")
        // Weighted samples account for the CPU time (2 × 2.5 s), give or take.
        #expect(profile.totalSeconds > 4.2 && profile.totalSeconds < 5.8, "\(profile.totalSeconds)")
        // The line table shows both lines with their share.
        let table = try profile.lineTable(function: "splitLoop(seconds:)")
        #expect(table.contains("Line #  Hits") && table.contains("// LINE_A"))
    }

    @Test func forkExecOwnSignalHandlersAndExitFromAThreadAllWriteAProfile() throws {
        for mode in ["fork", "exec", "signals", "exit-thread"] {
            let (r, p, _) = try Built.profileDemo([mode])
            #expect(r.status == 0, "\(mode): \(r.stderr)")
            let profile = try #require(p, "\(mode): no profile")
            #expect(profile.samples.count > 5, "\(mode)")
            #expect(profile.functions().contains { $0.name == "spin(_:_:)" }, "\(mode)")
            if mode == "exit-thread" { #expect(Set(profile.samples.map(\.thread)).count == 2) }
            if mode == "fork" { #expect(r.stdout.contains("child ") && r.stdout.contains("fork child status 0")) }
        }
    }

    @Test func badInputIsOneLineAndStatusTwo() throws {
        let tmp = NSTemporaryDirectory() + "lprof-bad-\(getpid())"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        // No such program; a script, not a native executable.
        #expect(Built.isOneLineUsageError(try Built.run(Built.celer, ["lprof", "run", "--", tmp + "/nothing-here"])))
        let script = tmp + "/script.sh"
        try "#!/bin/sh\necho hi\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let notELF = try Built.run(Built.celer, ["lprof", "run", "--", script])
        #expect(Built.isOneLineUsageError(notELF) && notELF.stderr.contains("not a native executable"))
        #expect(Built.isOneLineUsageError(try Built.run(Built.celer, ["lprof", "run", "--hz", "0", "--", Built.demo])))
        // A good profile, then: an unknown function, a truncated copy, another binary.
        let (r, p, good) = try Built.profileDemo(["split", "0.3"])
        #expect(r.status == 0)
        let profile = try #require(p)
        let unknown = try Built.run(Built.celer, ["lprof", "show", good, "--function", "noSuchFunctionAnywhere"])
        #expect(Built.isOneLineUsageError(unknown) && unknown.stderr.contains("--function"))
        let text = try String(contentsOfFile: good, encoding: .utf8)
        let cut = tmp + "/cut.lprof"
        try String(text.prefix(text.count * 2 / 3)).write(toFile: cut, atomically: true, encoding: .utf8)
        let truncated = try Built.run(Built.celer, ["lprof", "show", cut])
        #expect(Built.isOneLineUsageError(truncated), "\(truncated.stderr)")
        let other = try Built.run(Built.celer, ["lprof", "show", good, "--binary", Built.celer])
        #expect(Built.isOneLineUsageError(other) && other.stderr.contains("another build"), "\(other.stderr)")
        #expect(throws: CelerError.self) { try profile.checkBinary(Built.celer) }
        // A binary without debug info: the profile is written, the lines are refused.
        let objcopy = try #require(Toolchain.tool("llvm-objcopy"))
        let stripped = tmp + "/demo-stripped"
        _ = try Built.run(objcopy, ["--strip-debug", Built.demo, stripped])
        let out = tmp + "/stripped.lprof"
        let noLines = try Built.run(Built.celer, ["lprof", "run", "--out", out, "--lines", "--", stripped, "split", "0.3"])
        #expect(noLines.status == 2 && noLines.stderr.contains("no debug info"), "\(noLines.stderr)")
        let kept = try SampleProfile(path: out)
        #expect(kept.samples.count > 10 && kept.functions().contains { $0.name == "spin(_:_:)" })
    }

    @Test func fileFormatRoundTripsAndExportsAreWellFormed() throws {
        let (_, p, _) = try Built.profileDemo(["split", "0.3"])
        let profile = try #require(p)
        let again = try SampleProfile(text: profile.serialized(), name: "copy")
        #expect(again.samples == profile.samples && again.locations == profile.locations && again.frames == profile.frames)
        #expect(again.identity == profile.identity && !profile.identity.isEmpty)
        // pprof: gzip, then the top-level fields of the Profile message.
        let fields = try ProtoFields(gunzip(profile.pprofGzip()))
        #expect(fields.count(2) == profile.samples.count)       // samples
        #expect(fields.count(4) == profile.locations.count)     // locations
        #expect(fields.strings(6).contains("cpu") && fields.strings(6).contains("spin(_:_:)"))
        // Collapsed stacks weigh the same CPU time as the samples.
        let collapsed = profile.asProfileReport().collapsedStacks()
        let total = collapsed.split(separator: "\n").compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }.reduce(0, +)
        #expect(total == profile.totalWeight * profile.intervalNanos)
    }

    @Test func inProcessSamplerLabelsSamplesWithTheCurrentSpan() throws {
        Profiler.reset()
        Profiler.start(memory: false)
        try Sampler.start()
        profile("lprof-test outer") {
            profile("lprof-test inner") { busyCPU(0.3) }
        }
        let p = try Sampler.stop()
        Profiler.stop()
        #expect(p.totalSeconds > 0.15)
        let labelled = p.samples.filter { p.labels[$0.label] == "lprof-test outer > lprof-test inner" }
        #expect(Double(labelled.reduce(0) { $0 + $1.weight }) > 0.8 * Double(p.totalWeight))
        #expect(p.functions().contains { $0.name.contains("busyCPU") })
    }

    @Test func exactHitsComeFromCoverageCountersOfAProgramBuiltWithThem() throws {
        let clang = try #require(Toolchain.tool("clang"), "the toolchain's clang")
        let dir = NSTemporaryDirectory() + "lprof-cov-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let source = dir + "/count.c"
        try """
            #include <stdio.h>
            #include <stdlib.h>
            __attribute__((noinline)) long work(long n) {
              long s = 0;
              for (long i = 0; i < n; i++) {
                s += i % 7;
              }
              return s;
            }
            int main(int argc, char **argv) { printf("%ld\\n", work(atol(argv[1]))); return 0; }

            """.write(toFile: source, atomically: true, encoding: .utf8)
        let binary = dir + "/count"
        let cc = try Built.run(clang, ["-O1", "-g", "-fno-omit-frame-pointer", "-fprofile-instr-generate", "-fcoverage-mapping",
                                       "-o", binary, source])
        #expect(cc.status == 0, "\(cc.stderr)")
        let out = dir + "/count.lprof"
        let r = try Built.run(Built.celer, ["lprof", "run", "--out", out, "--function", "work", "--", binary, "300000000"])
        #expect(r.status == 0, "\(r.stderr)")
        let p = try SampleProfile(path: out)
        #expect(p.lineHits[source]?[6] == 300_000_000, "\(p.lineHits)")
        #expect(p.lineHits[source]?[5] == 300_000_001)
        #expect(r.stdout.contains("Hits counted exactly") && r.stdout.contains("300000000"))
    }

    @Test func lcovLinesParse() {
        let text = "SF:/a.swift\nDA:3,51414419\nDA:4,0\nend_of_record\nSF:/b.swift\nDA:1,2\nend_of_record\n"
        let hits = Coverage.parseLcov(text, files: ["/a.swift"])
        #expect(hits == ["/a.swift": [3: 51414419, 4: 0]])
    }
}

extension Built {
    static var demoSource: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("LprofDemo/main.swift").path
    }
}

/// Burns `seconds` of this thread's CPU time.
@inline(never)
func busyCPU(_ seconds: Double) {
    func cpu() -> Double { var ts = timespec(); clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9 }
    let start = cpu()
    var x = 1.0
    while cpu() - start < seconds { for _ in 0..<1000 { x = x * 1.0000001 + 1e-9 } }
    blackHole(x)
}

/// gzip → bytes, with zlib through Foundation-free `gzip -dc`.
func gunzip(_ data: [UInt8]) throws -> [UInt8] {
    let path = NSTemporaryDirectory() + "lprof-\(getpid()).gz"
    try Data(data).write(to: URL(fileURLWithPath: path))
    defer { unlink(path) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/gzip")
    p.arguments = ["-dc", path]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let d = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return [UInt8](d)
}

/// The top-level fields of a protobuf message: numbers and payloads.
struct ProtoFields {
    var fields: [(number: Int, bytes: [UInt8])] = []
    init(_ b: [UInt8]) throws {
        struct Bad: Error {}
        var i = 0
        func varint() throws -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard i < b.count, shift < 64 else { throw Bad() }
                let c = b[i]; i += 1
                v |= UInt64(c & 0x7f) << shift
                if c < 0x80 { return v }
                shift += 7
            }
        }
        while i < b.count {
            let key = try varint()
            switch key & 7 {
            case 0: fields.append((Int(key >> 3), [])); _ = try varint()
            case 2:
                let n = Int(try varint())
                guard i + n <= b.count else { throw Bad() }
                fields.append((Int(key >> 3), Array(b[i..<i + n]))); i += n
            default: throw Bad()
            }
        }
    }
    func count(_ n: Int) -> Int { fields.filter { $0.number == n }.count }
    func strings(_ n: Int) -> [String] { fields.filter { $0.number == n }.map { String(decoding: $0.bytes, as: UTF8.self) } }
}

@Suite struct AnnotateTests {
    @Test func arcHeavyLoopShowsRetainsAndReleasesAndTheTunedKernelNone() throws {
        let arc = try Annotator.annotate(binary: Built.demo, function: "arcHeavy")
        let t = arc.totals
        #expect((t[.retain] ?? 0) >= 2 && (t[.release] ?? 0) >= 2, "\(t)")
        #expect((t[.exclusivity] ?? 0) >= 1)  // the global `lastSeen`, the `var node`
        // The store to the global is on its own line, with its retain/release.
        let store = try #require(arc.lines.first { $0.source.contains("lastSeen = n") })
        #expect((store.counts[.retain] ?? 0) + (store.counts[.release] ?? 0) >= 1 && store.score > 0)
        #expect(arc.loops.allSatisfy { !$0.vectorised })

        let tuned = try Annotator.annotate(binary: Built.demo, function: "tunedKernel")
        let u = tuned.totals
        for k in [CostKind.retain, .release, .exclusivity, .allocation, .generic, .indirect, .runtime] { #expect(u[k] == nil, "\(k): \(u)") }
        let body = try #require(tuned.lines.first { $0.source.contains("x[i] += a * y[i]") })
        #expect(body.inVectorLoop && body.packedOps > 0)
        #expect(tuned.loops.contains { $0.vectorised })
    }

    @Test func htmlPageIsSelfContainedAndWellFormed() throws {
        let a = try Annotator.annotate(binary: Built.demo, function: "arcHeavy")
        let page = AnnotationPage.html([a], binary: "demo")
        let doc = try XMLDocument(xmlString: page)
        let details = try doc.nodes(forXPath: "//*[local-name()='details']")
        #expect(details.count == a.lines.filter { !$0.instructions.isEmpty }.count)
        // Shaded lines carry the score as a colour; nothing is loaded from elsewhere.
        #expect(page.contains("background-color: rgb(255,255,") && !page.contains("src=") && !page.contains("href="))
        #expect(page.contains("lastSeen = n") && page.contains("swift_retain"))
    }

    @Test func badInputToAnnotate() throws {
        let unknown = try Built.run(Built.celer, ["annotate", Built.demo, "--function", "noSuchFunctionAnywhere"])
        #expect(Built.isOneLineUsageError(unknown))
        let both = try Built.run(Built.celer, ["annotate", Built.demo])
        #expect(Built.isOneLineUsageError(both))
        let range = try Built.run(Built.celer, ["annotate", Built.demo, "--file", "main.swift:9-3"])
        #expect(Built.isOneLineUsageError(range) && range.stderr.contains("--file"))
        let notELF = try Built.run(Built.celer, ["annotate", Built.demoSource, "--function", "spin"])
        #expect(Built.isOneLineUsageError(notELF) && notELF.stderr.contains("not a native executable"))
        let objcopy = try #require(Toolchain.tool("llvm-objcopy"))
        let stripped = NSTemporaryDirectory() + "annotate-stripped-\(getpid())"
        _ = try Built.run(objcopy, ["--strip-debug", Built.demo, stripped])
        defer { unlink(stripped) }
        let noDebug = try Built.run(Built.celer, ["annotate", stripped, "--function", "spin"])
        #expect(Built.isOneLineUsageError(noDebug) && noDebug.stderr.contains("-g"))
    }
}
