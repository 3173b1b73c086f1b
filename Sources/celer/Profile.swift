import ArgumentParser
import CelerCore
import CelerProfile
import CelerHarness
import CelerWorkloads
import Foundation

/// `celer profile`: run a case study (or a demo) under the span and memory
/// profilers and print both reports.
struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Profile a case study: time and memory per span (prepare, run, validation of each rung).",
        discussion: """
            Examples:
              celer profile julia --preset small --flamegraph julia.svg
              celer profile sieve --variant segmented --callgrind sieve.cg --speedscope sieve.json
              celer profile --demo memory --mem-plot sieve-memory.svg
              celer profile --overhead

            Value options take the grammar of 'celer compare' (1e7, 640x480, small); with \
            CELER_DOCS_QUICK=1 every rung runs once (see docs/compare.md).
            """)

    @Argument(help: "The case study to profile (see `celer compare --list`).")
    var workload: String? = nil

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Only the rung with this name (default: every rung).", valueName: "NAME"))
    var variant: String? = nil

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Size preset (default small).", valueName: "small|default|seed"))
    var preset: String = "small"

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Problem size, as in 'celer compare': N, WxH or a preset.", valueName: "WxH|N|preset"))
    var size: String? = nil

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Sieve limit (and the limit of --demo memory).", valueName: "N"))
    var limit: String? = nil

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Escape-time iteration cap (julia, mandelbrot).", valueName: "N"))
    var maxiter: String? = nil

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Time steps (diffusion).", valueName: "N"))
    var steps: String? = nil

    @Option(name: [.customLong("repeat"), .customLong("repeats")], parsing: .unconditional,
            help: ArgumentHelp("Timed runs per rung (default 3; --repeats is the same option).", valueName: "N"))
    var repeats: String = "3"

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Sort the table by: \(ProfileSortKey.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "KEY"))
    var sort: String = "cumtime"

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Show only the first K rows of the table.", valueName: "K"))
    var top: String? = nil

    @Flag(name: .long, help: "Do not count allocations per span.")
    var noMemory = false

    @Option(name: .long, help: "Write a flame graph (SVG).")
    var flamegraph: String? = nil

    @Option(name: .long, help: "Write the callgrind format (KCachegrind).")
    var callgrind: String? = nil

    @Option(name: .long, help: "Write speedscope JSON (https://www.speedscope.app).")
    var speedscope: String? = nil

    @Option(name: .long, help: "Write collapsed stacks (flamegraph.pl input).")
    var collapsed: String? = nil

    @Option(name: .long, help: "Write memory over time (SVG: resident and heap, phases shaded).")
    var memPlot: String? = nil

    @Option(name: .long, help: "Write memory over time as an mprof .dat recording.")
    var dat: String? = nil

    @Option(name: .long, help: "Run a built-in demo instead of a case study: memory (the sieve's memory lessons).")
    var demo: String? = nil

    @Flag(name: .long, help: "Also sample the rungs (celer lprof's profiler): time per function, per span, and kernprof's line table of the hottest functions.")
    var lines = false

    @Flag(name: .long, help: "Measure the profiler's own cost per span.")
    var overhead = false

    func run() throws {
        let sortKey = ProfileSortKey(rawValue: try OptionGrammar.choice(
            sort, option: "--sort", from: ProfileSortKey.allCases.map(\.rawValue))) ?? .cumtime
        let top = try self.top.map { text throws(CelerError) in
            try OptionGrammar.integer(text, option: "--top", in: 1...1_000_000)
        }
        let limit = try self.limit.map { text throws(CelerError) in
            try OptionGrammar.integer(text, option: "--limit", in: OptionLimits.limit)
        }
        let outputs: [(String?, String)] = [(flamegraph, "--flamegraph"), (callgrind, "--callgrind"),
                                            (speedscope, "--speedscope"), (collapsed, "--collapsed"),
                                            (memPlot, "--mem-plot"), (dat, "--dat")]
        for case let (path?, option) in outputs { try checkOutput(path, option: option) }
        if overhead { return printOverhead() }
        let sampler = MemorySampler(interval: 0.002, heap: !noMemory)
        let before = ProcessMemory.current()
        Profiler.reset()
        if let demo {
            guard demo == "memory" else { throw CelerError.invalidOption("--demo", demo, allowed: "the demo is 'memory'") }
            try runMemoryDemo(sampler, limit: limit)
        } else {
            guard let workload else { throw CelerError("workload", "name a case study, or use --demo memory or --overhead") }
            try sampledLines(lines) { try runWorkload(workload, sampler, limit: limit) }
        }
        let report = Profiler.report()
        print(report.table(sortBy: sortKey, top: top))
        let recording = sampler.recording
        let after = ProcessMemory.current()
        print("Process memory (/proc/self/status): VmRSS \(Fmt.bytes(Double(before.rss))) before, "
              + "\(Fmt.bytes(Double(after.rss))) after; VmHWM (peak so far) \(Fmt.bytes(Double(after.hwm)))\n")
        print("Memory over time (sampled every 2 ms):")
        print(recording.summary())
        try writeExports(report, recording)
    }

    func printOverhead() {
        let o = Profiler.measureOverhead()
        print("cost of one span (begin + end), best of 2 × 200000:")
        print("  profiling off:              \(Fmt.seconds(o.off))")
        print("  profiling on:               \(Fmt.seconds(o.on))")
        print("  profiling on, with memory:  \(Fmt.seconds(o.onWithMemory))")
        let m = AllocationCounter.measureOverhead()
        print("cost of allocating and freeing a 48-byte array, best of 2 × 200000:")
        print("  malloc counting off:        \(Fmt.seconds(m.off))")
        print("  malloc counting on:         \(Fmt.seconds(m.on))")
        print("span clock: \(Profiler.clockDescription)")
    }

    func runMemoryDemo(_ sampler: MemorySampler, limit: Int?) throws(CelerError) {
        let n = limit ?? 30_000_000
        guard n >= 2, n <= 2_000_000_000 else {
            throw CelerError.invalidOption("--limit", "\(n)", allowed: "give 2 to 2000000000")
        }
        guard AllocationCounter.intercepts else {
            throw CelerError("--demo memory", "malloc counting is not active in this binary")
        }
        sampler.start()
        Profiler.start(memory: true)
        let steps = MemoryDemo.run(limit: n, sampler: sampler)
        Profiler.stop()
        sampler.stop()
        print("Sieve flag arrays for limit = \(n) (\(MemoryDemo.lastPrimeCount) primes), heap counted by the malloc hooks:\n")
        var rows = [["step", "allocated", "peak above start", "left behind", "time"]]
        for s in steps {
            rows.append([s.name, Fmt.bytes(Double(s.memory.allocatedBytes)), Fmt.bytes(Double(s.memory.peakBytes)),
                         Fmt.bytes(Double(s.memory.netBytes)), Fmt.seconds(s.seconds)])
        }
        print(TextTable.render(rows, leftAligned: [0]))
        if steps.count == 4 {
            let concat = Double(steps[0].memory.peakBytes), once = Double(steps[1].memory.peakBytes)
            let wide = Double(steps[2].memory.peakBytes), narrow = Double(steps[3].memory.peakBytes)
            print("peak of concatenation / peak of one allocation = \(Fmt.fixed(concat / once, 3))")
            print("1-byte flags / 8-byte flags = \(Fmt.fixed(narrow / wide, 4)) (1/8 = 0.125)\n")
        }
    }

    func runWorkload(_ name: String, _ sampler: MemorySampler, limit: Int?) throws {
        guard let study = Registry.named(name) else {
            throw CelerError.invalidOption("workload", name, allowed: "use one of \(Registry.studies.map(\.name).joined(separator: ", "))")
        }
        let presets = WorkloadOptions.Preset.allCases.map(\.rawValue)
        let asked = try OptionGrammar.integer(self.repeats, option: "--repeat", in: OptionLimits.repeats)
        var options = WorkloadOptions()
        options.preset = WorkloadOptions.Preset(rawValue: try OptionGrammar.choice(preset, option: "--preset", from: presets)) ?? .small
        switch try size.map({ text throws(CelerError) in try OptionGrammar.size(text, presets: presets, maxDimensions: 2) }) {
        case .preset(let name)?: options.preset = WorkloadOptions.Preset(rawValue: name) ?? .small
        case .dimensions(let dims)?: options.size = dims
        case nil: break
        }
        // CELER_DOCS_QUICK (docs/compare.md): the small preset, one run per rung.
        if DocsQuick.isOn { options.preset = .small }
        let repeats = DocsQuick.isOn ? 1 : asked
        options.limit = limit
        options.maxiter = try maxiter.map { text throws(CelerError) in
            try OptionGrammar.integer(text, option: "--maxiter", in: OptionLimits.maxiter)
        }
        options.steps = try steps.map { text throws(CelerError) in
            try OptionGrammar.integer(text, option: "--steps", in: OptionLimits.steps)
        }
        let configured: ConfiguredCaseStudy
        do { configured = try study.configure(options) } catch let e as CelerError { throw e }
        var rungs = configured.rungs
        if let variant {
            rungs = rungs.filter { $0.name == variant }
            guard !rungs.isEmpty else {
                throw CelerError.invalidOption("--variant", variant, allowed: "use one of \(configured.rungs.map(\.name).joined(separator: ", "))")
            }
        }
        if rungs.isEmpty { printError("celer profile: \(name) has no rungs in this build; nothing to profile") }
        sampler.start()
        Profiler.start(memory: !noMemory)
        var verdicts: [String] = []
        profile(name) {
            for rung in rungs {
                MemoryPhase.phase(rung.name) {
                    profile(rung.name) {
                        // Span names carry the rung, so the flat table keeps rungs apart.
                        let preparation = profile("\(rung.name) prepare") { rung.prepare() }
                        guard let prepared = preparation.ready else {
                            verdicts.append("\(rung.name): not profiled: "
                                            + (preparation.refusal ?? "it runs in another process (use celer compare)"))
                            return
                        }
                        profile("\(rung.name) run") {
                            for _ in 0..<repeats { prepared.run(); prepared.finish() }
                        }
                        let values = profile("\(rung.name) validation") { prepared.validation() }
                        // The harness's matcher: by name, integers exactly, reals within tolerance.
                        let ok = configured.expected.map { Harness.matches(values, $0) }
                        verdicts.append("\(rung.name): \(values.map(\.description).joined(separator: " "))"
                                        + (ok.map { $0 ? " (matches the exact value)" : " (MISMATCH with the exact value)" } ?? ""))
                    }
                }
            }
        }
        Profiler.stop()
        sampler.stop()
        print("\(name): " + configured.parameters.map { "\($0.name)=\(parameterText($0.value))" }.joined(separator: " ")
              + ", \(repeats) run\(repeats == 1 ? "" : "s") per rung")
        for v in verdicts { print("  " + v) }
        print("")
    }

    func parameterText(_ value: Parameter.Value) -> String {
        switch value {
        case .integer(let v): return "\(v)"
        case .real(let v): return "\(v)"
        case .text(let v): return v
        case .flag(let v): return v ? "yes" : "no"
        }
    }

    func writeExports(_ report: ProfileReport, _ recording: MemoryRecording) throws(CelerError) {
        if let flamegraph { try writeOutput(report.flameGraphSVG(title: "celer profile \(workload ?? demo ?? "")"), to: flamegraph, what: "flame graph") }
        if let callgrind { try writeOutput(report.callgrind(command: CommandLine.arguments.joined(separator: " ")), to: callgrind, what: "callgrind profile") }
        if let speedscope { try writeOutput(report.speedscopeJSON(name: "celer profile \(workload ?? demo ?? "")"), to: speedscope, what: "speedscope profile") }
        if let collapsed { try writeOutput(report.collapsedStacks(), to: collapsed, what: "collapsed stacks") }
        if let memPlot {
            let title = demo == "memory" ? "Sieve flag arrays: memory over time" : "celer profile \(workload ?? "")"
            try writeOutput(recording.chart(title: title).svg().render(), to: memPlot, what: "memory plot")
        }
        if let dat { try recording.write(to: dat); printError("wrote memory recording to \(dat)") }
    }
}
