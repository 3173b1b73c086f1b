import ArgumentParser
import CelerCore
import CelerDistributed
import CelerParallel
import CelerHarness
import CelerWorkloads
import Foundation

/// `celer compare`: runs every rung of the chosen case studies (and, with
/// `--peers`, the Python peers) on the same parameters, checks each result,
/// and prints one table per workload. Exit status: 0 all OK, 1 a validation
/// failed, 2 bad input (nothing run, nothing written).
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Time and validate every rung of the case studies (and the Python peers) side by side.",
        discussion: """
            Each rung is prepared (inputs made, output allocated), run --warmup times untimed, then \
            timed up to --repeat times; repeating stops early once --time-budget seconds of timed \
            runs are spent (at least one run), so the defaults finish in under two minutes. \
            The table shows median and minimum seconds, the speed-up over the first (naive) rung, \
            GFLOP/s or GB/s and the % of this machine's ceiling ('celer machine'), the validation \
            values and OK/FAIL. Exit status 1 if any validation fails, 2 for bad input. \
            See docs/compare.md.
            """)

    @Argument(parsing: .allUnrecognized, help: "Workloads to run (default: all; see --list).")
    var names: [String] = []

    @Flag(help: "List the workloads, their rungs, peers and options, then exit.")
    var list = false

    @Option(parsing: .unconditional, help: ArgumentHelp("WIDTHxHEIGHT, ROWSxCOLS, N, or a preset: small, default, seed.", valueName: "WxH|N|preset"))
    var size: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Sieve: the largest number sieved.", valueName: "N"))
    var limit: String?

    @Flag(name: .customLong("count-only"), help: "Sieve: count the primes instead of returning them.")
    var countOnly = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Julia, Mandelbrot: the plane, as XMIN,XMAX,YMIN,YMAX (--region=… or --region …).", valueName: "XMIN,XMAX,YMIN,YMAX"))
    var region: String?

    @Option(name: .customLong("c"), parsing: .unconditional, help: ArgumentHelp("Julia: the constant, as RE,IM (--c=… or --c …).", valueName: "RE,IM"))
    var c: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Julia, Mandelbrot: the iteration limit.", valueName: "N"))
    var maxiter: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Diffusion: the number of time steps.", valueName: "N"))
    var steps: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Rungs or peers to run: NAME[,NAME…] or all.", valueName: "NAME[,NAME…]|all"))
    var variant: String?

    @Option(name: .customLong("repeat"), parsing: .unconditional, help: ArgumentHelp("Timed runs per rung (default 5).", valueName: "N"))
    var repeatCount: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Untimed runs before timing (default 1).", valueName: "N"))
    var warmup: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Threads for threaded rungs and peers (default: the available cores).", valueName: "N"))
    var threads: String?

    @Option(name: .customLong("time-budget"), parsing: .unconditional, help: ArgumentHelp("Seconds of timed runs after which a rung stops repeating (default 1).", valueName: "S"))
    var timeBudget: String?

    @Flag(help: "Also run the Python peers in peers/ (pip install -r peers/requirements.txt).")
    var peers = false

    @Option(name: .customLong("peer-max-run"), parsing: .unconditional, help: ArgumentHelp("Skip a pure-Python peer once its run is projected to exceed S seconds (default 10; the projection starts after 0.25 s of the run).", valueName: "S"))
    var peerMaxRun: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Output: table, markdown, json or csv.", valueName: "table|markdown|json|csv"))
    var format: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Write DIR/report.md with the tables, a speed-up chart and the machine.", valueName: "DIR"))
    var report: String?

    @Option(parsing: .unconditional, help: "Run the MPI rungs on N ranks (needs swift build --traits MPI; docs/distributed.md).")
    var ranks: String?

    @Option(name: .customLong("threads-per-rank"), parsing: .unconditional, help: "MPI rungs: threads inside each rank (default 1).")
    var threadsPerRank: String?

    @Option(parsing: .unconditional, help: "MPI rungs: hosts for mpirun, HOST[:SLOTS][,…].")
    var hosts: String?

    @Option(parsing: .unconditional, help: "MPI rungs: an mpirun hostfile.")
    var hostfile: String?

    @Option(parsing: .unconditional, help: "MPI rungs: the launcher instead of mpirun, e.g. 'srun' (-n N is appended).")
    var mpirun: String?

    var raw: CompareOptions.Raw {
        CompareOptions.Raw(names: names, size: size, limit: limit, countOnly: countOnly, region: region, c: c,
                           maxiter: maxiter, steps: steps, variant: variant, repeats: repeatCount,
                           warmup: warmup, threads: threads, budget: timeBudget, peerMaxRun: peerMaxRun,
                           format: format, report: report, quick: DocsQuick.isOn, ranks: ranks,
                           threadsPerRank: threadsPerRank, hosts: hosts, hostfile: hostfile, mpirun: mpirun)
    }

    func run() throws {
        let options = try CompareOptions.parse(raw)
        if list {
            print(CompareRun.listing(options.studies), terminator: "")
            return
        }
        MPILaunch.configured = options.mpi
        let status = try CompareRun(options: options, peers: peers).execute()
        if status != 0 { throw ExitCode(status) }
    }
}

/// One `celer compare` run: configure everything first (so bad input fails
/// before any work), then time, validate, print and report.
struct CompareRun {
    let options: CompareOptions
    let peers: Bool
    let progressOn = isatty(2) != 0

    var streamsTables: Bool { options.format == .table || options.format == .markdown }

    func note(_ s: String) { writeStderr("celer compare: \(s)\n") }

    /// Runs the comparison; returns the exit status (0 or 1). Throws a
    /// `CelerError` for bad input, before any work (`Celer.main` prints it
    /// as one line and exits with status 2).
    func execute() throws -> Int32 {
        // 1. Everything that can be wrong with the input, before any work.
        if let n = options.threads {
            try Parallel.setThreadCount(n)
        }
        var configured: [ConfiguredCaseStudy] = []
        for study in options.studies {
            do {
                configured.append(try study.configure(options.workload))
            } catch let e as CelerError {
                throw e
            } catch {
                throw CelerError(study.name, "\(error)")
            }
        }
        if let dir = options.reportDirectory {
            try ComparisonReport.checkDestination(dir)
        }
        if !peers, let v = options.variants, !configured.contains(where: { st in st.rungs.contains { v.contains($0.name) } }) {
            throw CelerError.invalidOption("--variant", v.joined(separator: ","),
                                           allowed: "these are Python peers: add --peers, or name a rung")
        }

        // 2. Machine ceilings, the peers' interpreter.
        let ceilings = MachineStore.ceilingsForCompare(note: note)
        let threads = Parallel.threadCount
        var peerRunner: PeerRunner? = nil
        if peers {
            if let script = PeerRunner.locateScript() {
                peerRunner = PeerRunner(script: script, python: "python3")
            } else {
                note("--peers: peers/run_peer.py not found (run from the package folder or set CELER_PEERS_DIR); peers skipped")
            }
        }

        // 3. Time and check.
        var rows: [ComparisonRow] = []
        let start = monotonicNanos()
        for study in configured {
            let variants = options.variants.map { v in v.filter { study.rungs.map(\.name).contains($0) } }
            var celerRows: [ComparisonRow] = []
            if study.rungs.isEmpty {
                note("\(study.name) has no rungs yet")
            } else if variants?.isEmpty != true {
                celerRows = try Harness.run(study, variants: variants, settings: options.settings,
                                            ceilings: CeilingSources([ceilings] + Registry.ceilingSources),
                                            progress: progress)
            }
            rows += celerRows
            if let runner = peerRunner {
                if progressOn { writeStderr("  \(study.name): Python peers…\r") }
                let peerRows = runner.rows(for: study, celerRows: celerRows, variants: options.variants,
                                           settings: options.settings, threads: threads,
                                           maxRun: options.peerMaxRun, ceilings: ceilings)
                peerRows.forEach(progress)
                rows += peerRows
            }
            // Tables appear workload by workload; JSON and CSV once, at the end.
            if streamsTables {
                print(options.format.render(rows.filter { $0.workload == study.name }), terminator: "")
                fflush(nil)
            }
        }
        let elapsed = Double(monotonicNanos() &- start) * 1e-9

        // 4. Print, report.
        let failures = rows.filter { $0.ok == false }
        if streamsTables {
            print(CompareRun.footer(rows: rows, threads: threads, ceilings: ceilings,
                                    settings: options.settings, elapsed: elapsed), terminator: "")
        } else {
            print(options.format.render(rows), terminator: "")
        }
        if let dir = options.reportDirectory {
            do {
                try ComparisonReport.write(rows: rows, to: dir, ceilings: ceilings, threads: threads,
                                           settings: options.settings, elapsed: elapsed,
                                           imagePreset: options.workload.preset)
                note("report written to \(AtomicDirectory.normalized(dir))/report.md")
            } catch {
                // The run is done: a report that cannot be written (a full disk) is a failure, not bad input.
                printError("celer compare: error: \(error)")
                return 1
            }
        }
        if !failures.isEmpty {
            note("\(failures.count) validation failure\(failures.count == 1 ? "" : "s"): "
                 + failures.map { "\($0.workload)/\($0.variant)" + ($0.summary.hasPrefix("error:") ? " (\($0.summary))" : "") }
                    .joined(separator: ", "))
            return 1
        }
        return 0
    }

    /// A line per finished rung on stderr, when stderr is a terminal.
    func progress(_ row: ComparisonRow) {
        guard progressOn else { return }
        let t = row.median.map(Fmt.seconds) ?? "-"
        writeStderr("\u{1B}[K  \(row.workload)/\(row.variant) [\(row.kind.rawValue)]  \(t)  \(ComparisonFormatter.status(row))\n")
    }

    static func footer(rows: [ComparisonRow], threads: Int, ceilings: MachineCeilings,
                       settings: HarnessSettings, elapsed: Double) -> String {
        let fails = rows.filter { $0.ok == false }.count
        let skipped = rows.filter { $0.skipped != nil }.count
        var s = "Machine: \(ceilings.cpuModel); \(threads) thread\(threads == 1 ? "" : "s") for threaded variants; "
        s += "ceilings \(Fmt.fixed(ceilings.flopsPerCoreGFLOPS, 1)) GFLOP/s per core, "
        s += "\(Fmt.fixed(ceilings.flopsAllCoresGFLOPS, 1)) on \(ceilings.cores); "
        s += "\(Fmt.fixed(ceilings.bandwidth(threads: 1), 1)) GB/s on 1 thread, "
        s += "\(Fmt.fixed(ceilings.bandwidth(threads: threads), 1)) GB/s on \(threads)\(ceilings.quick ? " (quick measurement)" : "").\n"
        s += "Timing: \(settings.warmup) warm-up, up to \(settings.repeats) timed runs per variant, "
        s += "stopping after \(Fmt.double(settings.budgetSeconds, "%g")) s of timed runs; median and min shown.\n"
        s += "\(rows.count) variants in \(Fmt.fixed(elapsed, 1)) s: \(rows.count - fails - skipped) OK, \(fails) FAIL, \(skipped) skipped.\n"
        return s
    }

    /// `--list`: workloads, rungs, peers, options and defaults.
    static func listing(_ studies: [AnyCaseStudy]) -> String {
        var s = ""
        for st in studies {
            s += "\(st.name): \(st.summary)\n"
            let rungs = zip(st.rungNames, st.rungBackends).map { $1 == .serial ? $0 : "\($0) (\($1.rawValue))" }
            s += "  rungs: \(rungs.isEmpty ? "(none yet)" : rungs.joined(separator: ", "))\n"
            if let p = PeerRunner.peers[st.name] { s += "  peers: \(p.joined(separator: ", "))\n" }
            for line in st.optionsHelp.split(separator: "\n") { s += "  \(line)\n" }
        }
        s += """
            Options for every workload: --size WIDTHxHEIGHT|ROWSxCOLS|N|small|default|seed, --limit N, \
            --count-only, --region=XMIN,XMAX,YMIN,YMAX, --c=RE,IM, --maxiter N, --steps N, \
            --variant NAME[,NAME…]|all, --repeat N, --warmup N, --threads N, --time-budget S, \
            --peers, --peer-max-run S, --format table|markdown|json|csv, --report DIR.

            """
        return s
    }
}
