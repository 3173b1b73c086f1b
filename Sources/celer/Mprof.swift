import ArgumentParser
import CelerCore
import CelerPlot
import CelerProfile
import Foundation

/// `celer mprof`: memory of a process tree over time (memory_profiler's mprof).
struct MprofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mprof",
        abstract: "Record and plot the memory of a command (and its children) over time.",
        discussion: """
            celer mprof run -- python3 script.py      sample every 10 ms, write mprofile_<time>.dat
            celer mprof plot --out mem.svg             plot the latest recording
            celer mprof peak                           print its peak

            A program marks phases by printing `CELER_PHASE <label>` and `CELER_PHASE_END` \
            lines on stdout or stderr (see docs/profiling.md).
            """,
        subcommands: [MprofRun.self, MprofPlot.self, MprofPeak.self])
}

struct MprofRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a command, sampling the resident memory of it and its children.")

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Milliseconds between samples (default 10).", valueName: "MS"))
    var interval: String = "10"

    @Option(name: [.short, .long], help: "The recording to write (default: mprofile_<YYYYmmddHHMMSS>.dat).")
    var output: String? = nil

    @Argument(parsing: .captureForPassthrough, help: "The command to run (after --).")
    var command: [String] = []

    func run() throws {
        if asksForHelp(command) { print(Celer.helpMessage(for: Self.self)); return }
        var status: Int32 = 0
        let argv = try commandAfterTerminator(command)
        guard !argv.isEmpty else { throw CelerError("command", "no command to run; usage: celer mprof run -- CMD …") }
        let interval = try OptionGrammar.real(self.interval, option: "--interval", in: 0.5...60_000)
        let path = output ?? defaultDatName()
        try checkOutput(path, option: "--output")
        var options = Mprof.Options()
        options.interval = interval / 1000
        let outcome = Mprof.run(argv, options: options)
        try outcome.recording.write(to: path)
        let how = outcome.startError.map { "could not start: \($0.message)" } ?? outcome.termination.map { "\($0)" } ?? "ended"
        printError("celer mprof: \(argv[0]) \(how); \(outcome.recording.summary().split(separator: "\n").first ?? "")")
        printError("celer mprof: wrote \(path)")
        if outcome.startError != nil { status = 127 }
        else if let t = outcome.termination {
            status = t.exitCode
            if t.maxResidentBytes > ProcessMemory.current().hwm {
                printError("celer mprof: kernel's peak resident size of the main process (ru_maxrss): \(Fmt.bytes(Double(t.maxResidentBytes)))")
            }
        }
        if status != 0 { throw ExitCode(status) }
    }

    func defaultDatName() -> String {
        var t = time(nil)
        var parts = tm()
        localtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "mprofile_\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))"
            + "\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec)).dat"
    }
}

/// The newest mprofile_*.dat in the current directory.
func latestRecording() throws(CelerError) -> String {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: "."))?
        .filter { $0.hasPrefix("mprofile_") && $0.hasSuffix(".dat") }.sorted() ?? []
    guard let last = files.last else {
        throw CelerError("mprof", "no mprofile_*.dat in this directory; give a file or run `celer mprof run` first")
    }
    return last
}

struct MprofPlot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot", abstract: "Plot a recording: time on x, MiB on y, phases shaded, peak marked.")

    @Argument(help: "The recording (default: the newest mprofile_*.dat here).")
    var file: String? = nil

    @Option(name: [.short, .long], help: "The image to write: .svg, .png (the chart rasterised) or .ppm (the same, uncompressed).")
    var out: String = "mem.svg"

    @Option(name: .long, help: "The chart's title (default: the command line).")
    var title: String? = nil

    func run() throws {
        let path = try file ?? latestRecording()
        let recording = try MemoryRecording.read(path: path)
        guard !recording.samples.isEmpty || !recording.heap.isEmpty else {
            throw CelerError(path, "holds no MEM samples to plot")
        }
        guard [".svg", ".png", ".ppm"].contains(where: out.hasSuffix) else {
            throw CelerError.invalidOption("--out", out, allowed: "give a file ending in .svg, .png or .ppm")
        }
        try checkOutput(out, option: "--out")
        let chart = recording.chart(title: title)
        if out.hasSuffix(".svg") {
            try writeOutput(chart.svg().render(), to: out, what: "memory plot")
        } else if out.hasSuffix(".ppm") {
            let image = chart.rasterize()
            try AtomicFile.write(Array("P6\n\(image.width) \(image.height)\n255\n".utf8) + image.rgb, to: out)
            printError("wrote memory plot to \(out)")
        } else {  // .png (checked above)
            let image = chart.rasterize()
            try PNG.write(width: image.width, height: image.height, rgb: image.rgb, to: out)
            printError("wrote memory plot to \(out)")
        }
        print(recording.summary(), terminator: "")
    }
}

struct MprofPeak: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "peak", abstract: "Print the peak memory of a recording.")

    @Argument(help: "The recording (default: the newest mprofile_*.dat here).")
    var file: String? = nil

    func run() throws {
        let path = try file ?? latestRecording()
        let recording = try MemoryRecording.read(path: path)
        guard let peak = recording.peak else { throw CelerError(path, "holds no MEM samples") }
        let t0 = recording.startTime ?? peak.time
        print("\(path)\t\(Fmt.fixed(Double(peak.bytes) / 1048576, 3)) MiB at \(Fmt.fixed(peak.time - t0, 3)) s")
    }
}
