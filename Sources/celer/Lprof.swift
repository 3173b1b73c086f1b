import ArgumentParser
import CelerCore
import CelerProfile
import Foundation

/// `celer lprof`: the sampling profiler for any native program (cProfile's
/// function view and kernprof's line table, without instrumenting anything).
struct LprofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lprof",
        abstract: "Sample any native program: time per function, call tree, time per source line.",
        discussion: """
            celer lprof run -- ./my-program ARGS        profile it, write my-program.lprof, print the hot functions
            celer lprof run --lines -- ./my-program     also kernprof's table for the hottest functions
            celer lprof show my-program.lprof --function NAME     the line table of one function
            celer lprof show my-program.lprof --tree --pprof p.pb.gz --speedscope s.json

            Lines need debug info (-g; SwiftPM release builds have it) and call trees need frame \
            pointers (Swift keeps them; for C add -fno-omit-frame-pointer). See docs/profiling.md.
            """,
        subcommands: [LprofRun.self, LprofShow.self])
}

/// Options shared by `run` and `show` for what to print and export.
struct LprofOutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print kernprof's line table for the hottest functions.")
    var lines = false

    @Option(name: .long, help: "Print the line table of this function (its name or part of it).")
    var function: String? = nil

    @Flag(name: .long, help: "Print the call tree.")
    var tree = false

    @Flag(name: .long, help: "Print the function table of each thread too.")
    var threads = false

    @Option(name: .long, help: "Rows of the function table.")
    var top: Int = 15

    @Option(name: .long, help: "Write collapsed stacks (flamegraph.pl input).")
    var collapsed: String? = nil

    @Option(name: .long, help: "Write speedscope JSON (https://www.speedscope.app).")
    var speedscope: String? = nil

    @Option(name: .long, help: "Write the callgrind format (KCachegrind).")
    var callgrind: String? = nil

    @Option(name: .long, help: "Write pprof's gzipped protobuf (go tool pprof).")
    var pprof: String? = nil

    @Option(name: .long, help: "Write a flame graph (SVG).")
    var flamegraph: String? = nil

    func validate() throws(CelerError) {
        guard (1...10_000).contains(top) else { throw CelerError.invalidOption("--top", "\(top)", allowed: "give 1 to 10000 rows") }
        for path in [collapsed, speedscope, callgrind, pprof, flamegraph].compactMap({ $0 }) { try AtomicFile.checkWritable(path) }
    }

    /// Prints the report of `profile` and writes the exports.
    func report(_ profile: SampleProfile, binary: ELFFile?) throws(CelerError) {
        print(profile.summaryLine())
        print("")
        print("Hottest functions (merged over threads; self = innermost frame, cumulative = anywhere on the stack):")
        print(profile.functionTable(top: top))
        if threads {
            for tid in Set(profile.samples.map(\.thread)).sorted() {
                print("Thread \(tid)\(profile.threads[tid].map { " (\($0))" } ?? ""):")
                print(profile.functionTable(thread: tid, top: top))
            }
        }
        if tree { print(profile.callTree()) }
        var names: [String] = []
        if let function { names = [try profile.resolveFunction(function)] }
        else if lines { names = profile.hotFunctionsWithLines(top: 3) }
        if lines || function != nil, let binary, !binary.hasLineTables {
            throw CelerError(binary.path, "has no debug info (no .debug_line), so no lines; rebuild it with -g (swiftc -g, clang -g; SwiftPM release builds already pass -g)")
        }
        for name in names { print(try profile.lineTable(function: name)) }
        if lines && names.isEmpty { print("(no sampled function has line information)") }
        try exports(profile)
    }

    func exports(_ profile: SampleProfile) throws(CelerError) {
        let title = "celer lprof " + (profile.program.split(separator: "/").last.map(String.init) ?? "")
        if collapsed != nil || speedscope != nil || callgrind != nil || flamegraph != nil {
            let r = profile.asProfileReport()
            if let collapsed { try writeOutput(r.collapsedStacks(), to: collapsed, what: "collapsed stacks") }
            if let speedscope { try writeOutput(r.speedscopeJSON(name: title), to: speedscope, what: "speedscope profile") }
            if let callgrind { try writeOutput(r.callgrind(command: profile.command.joined(separator: " ")), to: callgrind, what: "callgrind profile") }
            if let flamegraph { try writeOutput(r.flameGraphSVG(title: title), to: flamegraph, what: "flame graph") }
        }
        if let pprof {
            try AtomicFile.write(profile.pprofGzip(), to: pprof)
            printError("wrote pprof profile to \(pprof)")
        }
    }
}

struct LprofRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a native program with the sampling profiler preloaded; write and summarise its profile.")

    @Option(name: .long, help: "Samples per CPU second of each thread (1-10000; the kernel delivers at most its tick rate, samples are weighted).")
    var hz: Int = Sampler.defaultHz

    @Option(name: [.short, .long], help: "The profile to write (default: PROGRAM.lprof in this directory).")
    var out: String? = nil

    @OptionGroup var output: LprofOutputOptions

    @Argument(parsing: .captureForPassthrough, help: "The program to run and its arguments (after --).")
    var command: [String] = []

    func run() throws {
        if asksForHelp(command) { print(Celer.helpMessage(for: Self.self)); return }
        var status: Int32 = 0
        do {
            let argv = try commandAfterTerminator(command)
            guard !argv.isEmpty else { throw CelerError("command", "no program to run; usage: celer lprof run -- PROGRAM ARGS…") }
            guard (1...10_000).contains(hz) else { throw CelerError.invalidOption("--hz", "\(hz)", allowed: "give 1 to 10000 samples per second") }
            try output.validate()
            let program = try resolveProgram(argv[0])
            let elf = try ELFFile(program)
            let preload = try preloadLibrary()
            let path = out ?? ((program.split(separator: "/").last.map(String.init) ?? "program") + ".lprof")
            try AtomicFile.checkWritable(path)
            let raw = path + ".raw-\(getpid())"
            let profraw = path + ".profraw-\(getpid())"
            var env = ["CELER_LPROF_OUT": raw, "CELER_LPROF_HZ": "\(hz)",
                       "LD_PRELOAD": preload + (ProcessInfo.processInfo.environment["LD_PRELOAD"].map { ":" + $0 } ?? "")]
            if elf.hasCoverageCounters { env["LLVM_PROFILE_FILE"] = profraw }
            if !elf.hasLineTables {
                printError("celer lprof: warning: \(program) has no debug info (no .debug_line): functions only, no lines; rebuild with -g")
            }
            let child = try ChildProcess([program] + argv.dropFirst(), environment: env)
            let ended = child.wait()
            defer { unlink(raw); unlink(profraw) }
            guard access(raw, F_OK) == 0 else {
                throw CelerError(argv[0], "ended (\(ended.map { "\($0)" } ?? "lost")) without writing samples: it was killed, called _exit, or replaced the profiler; nothing to show")
            }
            var profile = try RawSamples(path: raw).symbolized(identity: elf.identity)
            profile.program = program
            profile.command = [program] + argv.dropFirst()
            if elf.hasCoverageCounters, access(profraw, F_OK) == 0 {
                profile.lineHits = Coverage.lineHits(binary: program, profraw: profraw,
                                                     files: Set(profile.frames.map(\.file)))
            }
            try profile.write(to: path)
            let cpu = ended.map { "; the kernel counted \(Fmt.seconds($0.userSeconds + $0.systemSeconds)) of its CPU time, \(Fmt.seconds(profile.totalSeconds)) sampled" } ?? ""
            printError("celer lprof: \(argv[0]) \(ended.map { "\($0)" } ?? "ended")\(cpu); wrote \(path)")
            if let t = ended { status = t.exitCode }
            try output.report(profile, binary: elf)
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// The program's path: as given when it has a slash, else found on PATH.
    func resolveProgram(_ name: String) throws(CelerError) -> String {
        if name.contains("/") {
            guard access(name, F_OK) == 0 else { throw CelerError(name, "no such program") }
            guard access(name, X_OK) == 0 else { throw CelerError(name, "not executable") }
            return name
        }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if access(p, X_OK) == 0 { return p }
        }
        throw CelerError(name, "no such program on PATH")
    }

    /// libCelerLprofPreload.so: CELER_LPROF_PRELOAD, else beside this executable.
    func preloadLibrary() throws(CelerError) -> String {
        if let p = ProcessInfo.processInfo.environment["CELER_LPROF_PRELOAD"] {
            guard access(p, R_OK) == 0 else { throw CelerError("CELER_LPROF_PRELOAD", "\(p) does not exist") }
            return p
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let dir = (exe as NSString).deletingLastPathComponent
        let p = dir + "/libCelerLprofPreload.so"
        guard access(p, R_OK) == 0 else {
            throw CelerError("celer lprof", "\(p) is missing; build it with `swift build --product CelerLprofPreload` (a plain `swift build` builds it)")
        }
        return p
    }
}

struct LprofShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print a profile written by `celer lprof run` (functions, call tree, lines) and export it.")

    @Argument(help: "The profile file.")
    var file: String

    @Option(name: .long, help: "Check the profile against this binary (default: the program it recorded, if it still exists).")
    var binary: String? = nil

    @OptionGroup var output: LprofOutputOptions

    func run() throws {
        do {
            try output.validate()
            let profile = try SampleProfile(path: file)
            var elf: ELFFile? = nil
            if let binary {
                try profile.checkBinary(binary)
                elf = try ELFFile(binary)
            } else if access(profile.program, F_OK) == 0 {
                try profile.checkBinary(profile.program)
                elf = try ELFFile(profile.program)
            } else {
                printError("celer lprof show: warning: \(profile.program) no longer exists; showing the profile's own symbols")
            }
            try output.report(profile, binary: elf)
        }
    }
}

extension ProfileCommand {
    /// `celer profile WORKLOAD --lines`: runs `body` under the sampler too,
    /// then prints the sampled time per span, the hot functions and their
    /// line tables.
    func sampledLines(_ on: Bool, _ body: () throws -> Void) throws {
        guard on else { return try body() }
        try Sampler.start()
        do { try body() } catch {
            _ = try? Sampler.stop()
            throw error
        }
        let p = try Sampler.stop()
        print("Sampled (\(p.summaryLine())):\n")
        var bySpan: [String: Int] = [:]
        for s in p.samples { bySpan[p.labels[s.label] ?? "(outside any span)", default: 0] += s.weight }
        var rows = [["CPU time", "%", "span"]]
        for (span, w) in bySpan.sorted(by: { $0.value > $1.value }) {
            rows.append([Fmt.seconds(p.seconds(w)), Fmt.fixed(Double(w) * 100 / Double(max(1, p.totalWeight)), 1), span])
        }
        print(TextTable.render(rows, leftAligned: [2]))
        print("Hottest functions (self = innermost frame, cumulative = anywhere on the stack):")
        print(p.functionTable(top: 12))
        let hot = p.hotFunctionsWithLines(top: 2)
        for name in hot { print(try p.lineTable(function: name)) }
        if hot.isEmpty { print("(no sampled function has line information: is this a build with -g?)\n") }
    }
}
