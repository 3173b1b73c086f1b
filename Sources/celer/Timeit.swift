import ArgumentParser
import CelerCore
import CelerProfile
import Foundation

/// `celer timeit`: time a command over several runs (wall, user, sys, peak
/// RSS), or two commands alternately (`--vs`) with the ratio of each pair.
struct TimeitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeit",
        abstract: "Time a command over several runs: wall, user and system time, peak memory.",
        discussion: """
            Runs the command --warmup times untimed, then --runs times, and prints the \
            minimum, median and maximum of each measure (user and system time and the \
            peak resident size come from wait4). With --vs, the two commands run \
            alternately (A B A B …) so that drifts of the machine hit both, and each \
            pair gives a ratio B/A.

            Examples:
              celer timeit --runs 5 -- python3 -c "sum(range(10**7))"
              celer timeit --vs 'python3 slow.py' -- python3 fast.py
            """)

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Timed runs (per command; default 5).", valueName: "N"))
    var runs: String = "5"

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Untimed runs first (per command; default 1).", valueName: "N"))
    var warmup: String = "1"

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("A second command to compare with, as one shell-quoted string.", valueName: "CMD"))
    var vs: String? = nil

    @Flag(name: .long, help: "Let the command print (its output is discarded by default).")
    var showOutput = false

    @Flag(name: .long, help: "Keep timing when the command exits with a non-zero status.")
    var ignoreFailure = false

    @Argument(parsing: .captureForPassthrough, help: "The command to time (after --).")
    var command: [String] = []

    func run() throws {
        if asksForHelp(command) { print(Celer.helpMessage(for: Self.self)); return }
        let a = try commandAfterTerminator(command)
        guard !a.isEmpty else { throw CelerError("command", "no command to time; usage: celer timeit [--runs N] -- CMD …") }
        let runs = try OptionGrammar.integer(self.runs, option: "--runs", in: OptionLimits.repeats)
        let warmup = try OptionGrammar.integer(self.warmup, option: "--warmup", in: OptionLimits.warmup)
        let b = try vs.map { text throws(CelerError) -> [String] in
            let words = try splitCommandLine(text)
            guard !words.isEmpty else { throw CelerError.invalidOption("--vs", text, allowed: "give a command") }
            return words
        }
        let commands = [a] + (b.map { [$0] } ?? [])
        for _ in 0..<warmup { for c in commands { _ = try timeOnce(c) } }
        var results = Array(repeating: [ProcessTiming](), count: commands.count)
        for _ in 0..<runs {
            for (i, c) in commands.enumerated() { results[i].append(try timeOnce(c)) }
        }
        // A child's ru_maxrss is at least our own peak (see Termination.maxResidentBytes).
        let floor = ProcessMemory.current().hwm
        for (i, c) in commands.enumerated() {
            let label = commands.count > 1 ? (i == 0 ? "A: " : "B: ") : ""
            print("\(label)\(c.joined(separator: " "))")
            print(ProcessTiming.table(results[i], rssFloor: floor))
        }
        // Where a peak hides under that floor, one more run started through
        // `setsid -f` (which celer adopts) measures it as /usr/bin/time would.
        for (i, c) in commands.enumerated() where results[i].contains(where: { $0.maxRSS <= floor }) {
            let label = commands.count > 1 ? (i == 0 ? "A" : "B") : "the command"
            let end = try ChildProcess.runMeasuringPeak(c, silence: !showOutput)
            print("peak RSS of \(label): \(Fmt.bytes(Double(end.maxResidentBytes))) (one more run, started through setsid: "
                  + "a child celer starts directly reports at least celer's own \(Fmt.bytes(Double(floor))))")
        }
        if commands.count == 2 {
            let ratios = zip(results[0], results[1]).map { $1.wall / $0.wall }
            let stats = TimingStats(ratios)
            print("B/A wall-time ratio per pair: " + ratios.map { Fmt.fixed($0, 3) }.joined(separator: " "))
            print("median B/A = \(Fmt.fixed(stats.median, 3)) (min \(Fmt.fixed(stats.min, 3)), max \(Fmt.fixed(stats.max, 3)))"
                  + (stats.median >= 1 ? ": A is \(Fmt.fixed(stats.median, 2))x faster" : ": B is \(Fmt.fixed(1 / stats.median, 2))x faster"))
        }
    }

    func timeOnce(_ argv: [String]) throws -> ProcessTiming {
        let t0 = monotonicNanos()
        let child = try ChildProcess(argv, silence: !showOutput)
        guard let end = child.wait() else { throw CelerError(argv[0], "lost track of the process") }
        let wall = Double(monotonicNanos() - t0) * 1e-9
        if end.exitCode != 0 && !ignoreFailure {
            printError("celer timeit: '\(argv.joined(separator: " "))' \(end); timings need a command that succeeds (or --ignore-failure)")
            throw ExitCode(end.exitCode)
        }
        return ProcessTiming(wall: wall, user: end.userSeconds, sys: end.systemSeconds, maxRSS: end.maxResidentBytes)
    }
}

/// One timed run of a command.
struct ProcessTiming {
    var wall: Double, user: Double, sys: Double
    var maxRSS: Int

    static func table(_ runs: [ProcessTiming], rssFloor: Int) -> String {
        func row(_ name: String, _ values: [Double], _ plain: @escaping (Double) -> String,
                 _ fmt: ((Double) -> String)? = nil) -> [String] {
            let s = TimingStats(values)
            let f = fmt ?? plain
            return [name, f(s.min), f(s.median), f(s.max), f(s.mean) + " ± " + plain(s.stddev)]
        }
        let rows = [["", "min", "median", "max", "mean ± sd"],
                    row("wall", runs.map(\.wall), Fmt.seconds),
                    row("user", runs.map(\.user), Fmt.seconds),
                    row("sys", runs.map(\.sys), Fmt.seconds),
                    row("peak RSS", runs.map { Double($0.maxRSS) }, Fmt.bytes) { v in
                        v <= Double(rssFloor) ? "≤ " + Fmt.bytes(Double(rssFloor)) : Fmt.bytes(v)
                    }]
        return "\(runs.count) runs\n" + TextTable.render(rows, leftAligned: [0])
    }
}
