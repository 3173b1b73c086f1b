import CelerCore
import CelerDistributed
import CelerHarness
import CelerWorkloads

/// The command line of `celer compare`, checked and mapped onto
/// `WorkloadOptions` and `HarnessSettings`. Every value arrives as text and is
/// parsed here, so every bad value gets the same one-line error (exit status 2).
struct CompareOptions {
    /// The raw texts, as given (nil: not given).
    struct Raw {
        var names: [String] = []
        var size: String? = nil
        var limit: String? = nil
        var countOnly = false
        var region: String? = nil
        var c: String? = nil
        var maxiter: String? = nil
        var steps: String? = nil
        var variant: String? = nil
        var repeats: String? = nil
        var warmup: String? = nil
        var threads: String? = nil
        var budget: String? = nil
        var peerMaxRun: String? = nil
        var format: String? = nil
        var report: String? = nil
        /// `CELER_DOCS_QUICK` is set (`DocsQuick`).
        var quick = false
        var ranks: String? = nil
        var threadsPerRank: String? = nil
        var hosts: String? = nil
        var hostfile: String? = nil
        var mpirun: String? = nil
    }

    var studies: [AnyCaseStudy] = Registry.studies
    var workload = WorkloadOptions()
    /// Rung (and peer) names to run; nil runs all.
    var variants: [String]? = nil
    var settings = HarnessSettings(repeats: 5, warmup: 1, budgetSeconds: 1.0)
    var threads: Int? = nil
    var peerMaxRun = 10.0
    var format = ComparisonFormat.table
    var reportDirectory: String? = nil
    /// `--ranks N …`: how the MPI rungs are launched (nil: they are skipped).
    var mpi: MPILaunch? = nil

    static let maxThreads = 1024

    /// Parses and checks every option; throws a one-line error naming the
    /// first bad one and what is allowed.
    static func parse(_ raw: Raw, registry: [AnyCaseStudy] = Registry.studies) throws(CelerError) -> CompareOptions {
        var o = CompareOptions()
        // Positional names; anything starting with "-" is an option we do not know.
        var chosen: [AnyCaseStudy] = []
        for name in raw.names {
            if name.hasPrefix("-") {
                throw CelerError(name, "unknown option; see 'celer compare --help'")
            }
            guard let study = registry.first(where: { $0.name == name.lowercased() }) else {
                throw CelerError("workload", "unknown workload '\(name)'; known: \(registry.map(\.name).joined(separator: ", "))")
            }
            if !chosen.contains(where: { $0.name == study.name }) { chosen.append(study) }
        }
        o.studies = chosen.isEmpty ? registry : chosen

        if let s = raw.size {
            switch try OptionGrammar.size(s, presets: WorkloadOptions.Preset.allCases.map(\.rawValue), maxDimensions: 2) {
            case .preset(let name): o.workload.preset = WorkloadOptions.Preset(rawValue: name) ?? .default
            case .dimensions(let dims): o.workload.size = dims
            }
        }
        if let s = raw.limit { o.workload.limit = try OptionGrammar.integer(s, option: "--limit", in: OptionLimits.limit) }
        o.workload.countOnly = raw.countOnly
        if let s = raw.region {
            let r = try OptionGrammar.reals(s, count: 4, option: "--region")
            guard r[0] < r[1], r[2] < r[3] else {
                throw CelerError.invalidOption("--region", s, allowed: "use XMIN,XMAX,YMIN,YMAX with XMIN < XMAX and YMIN < YMAX")
            }
            o.workload.region = r
        }
        if let s = raw.c { o.workload.c = try OptionGrammar.reals(s, count: 2, option: "--c") }
        if let s = raw.maxiter { o.workload.maxiter = try OptionGrammar.integer(s, option: "--maxiter", in: OptionLimits.maxiter) }
        if let s = raw.steps { o.workload.steps = try OptionGrammar.integer(s, option: "--steps", in: OptionLimits.steps) }
        if let s = raw.repeats { o.settings.repeats = try OptionGrammar.integer(s, option: "--repeat", in: OptionLimits.repeats) }
        if let s = raw.warmup { o.settings.warmup = try OptionGrammar.integer(s, option: "--warmup", in: OptionLimits.warmup) }
        if let s = raw.threads { o.threads = try OptionGrammar.integer(s, option: "--threads", in: OptionLimits.threads) }
        if let s = raw.budget { o.settings.budgetSeconds = try OptionGrammar.seconds(s, option: "--time-budget") }
        if let s = raw.peerMaxRun { o.peerMaxRun = try OptionGrammar.seconds(s, option: "--peer-max-run") }
        if let s = raw.format {
            guard let f = ComparisonFormat(rawValue: s.lowercased()) else {
                throw CelerError.invalidOption("--format", s, allowed: "use table, markdown, json or csv")
            }
            o.format = f
        }
        if let s = raw.report {
            guard !s.isEmpty else { throw CelerError.invalidOption("--report", s, allowed: "give a directory path") }
            o.reportDirectory = s
        }
        o.mpi = try MPILaunch.parse(ranks: raw.ranks, threadsPerRank: raw.threadsPerRank, hosts: raw.hosts,
                                    hostfile: raw.hostfile, mpirun: raw.mpirun, settings: o.settings)
        if let s = raw.variant {
            let names = s.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces() }
            guard !names.isEmpty, !names.contains(where: \.isEmpty) else {
                throw CelerError.invalidOption("--variant", s, allowed: "use NAME[,NAME…] or all")
            }
            if names != ["all"] {
                o.variants = names
                let known = Set(o.studies.flatMap(\.rungNames) + PeerRunner.peerNames(for: o.studies.map(\.name)))
                for n in names where !known.contains(n) {
                    let list = o.studies.map { "\($0.name): \($0.rungNames.joined(separator: ", "))" }.joined(separator: "; ")
                    throw CelerError.invalidOption("--variant", n, allowed: "rungs are \(list.isEmpty ? "none" : list)")
                }
                // Only workloads that have one of the variants run.
                o.studies = o.studies.filter { st in
                    names.contains { st.rungNames.contains($0) || PeerRunner.peerNames(for: [st.name]).contains($0) }
                }
            }
        }
        if raw.quick {
            // The documented examples' short form: presets become small (a size
            // given as numbers still wins), one timed run, no warm-up.
            o.workload.preset = .small
            o.settings.repeats = 1
            o.settings.warmup = 0
        }
        return o
    }
}

