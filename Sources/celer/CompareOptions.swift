import CelerCore
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

        if let s = raw.size { try parseSizeOrPreset(s, into: &o.workload) }
        if let s = raw.limit { o.workload.limit = try parseInteger(s, option: "--limit", in: 1...1_000_000_000_000_000) }
        o.workload.countOnly = raw.countOnly
        if let s = raw.region {
            let r = try parseReals(s, count: 4, option: "--region")
            guard r[0] < r[1], r[2] < r[3] else {
                throw CelerError.invalidOption("--region", s, allowed: "use XMIN,XMAX,YMIN,YMAX with XMIN < XMAX and YMIN < YMAX")
            }
            o.workload.region = r
        }
        if let s = raw.c { o.workload.c = try parseReals(s, count: 2, option: "--c") }
        if let s = raw.maxiter { o.workload.maxiter = try parseInteger(s, option: "--maxiter", in: 1...1_000_000_000) }
        if let s = raw.steps { o.workload.steps = try parseInteger(s, option: "--steps", in: 0...1_000_000_000) }
        if let s = raw.repeats { o.settings.repeats = try parseInteger(s, option: "--repeat", in: 1...1000) }
        if let s = raw.warmup { o.settings.warmup = try parseInteger(s, option: "--warmup", in: 0...100) }
        if let s = raw.threads { o.threads = try parseInteger(s, option: "--threads", in: 1...maxThreads) }
        if let s = raw.budget { o.settings.budgetSeconds = try parseSeconds("--time-budget", s) }
        if let s = raw.peerMaxRun { o.peerMaxRun = try parseSeconds("--peer-max-run", s) }
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
        return o
    }

    /// `--size`: a preset name (small, default, seed), WIDTHxHEIGHT / ROWSxCOLS, or N.
    static func parseSizeOrPreset(_ s: String, into w: inout WorkloadOptions) throws(CelerError) {
        if let preset = WorkloadOptions.Preset(rawValue: s.lowercased()) {
            w.preset = preset
            return
        }
        // ROWS,COLS and ROWS×COLS are accepted as spellings of ROWSxCOLS.
        let spelled = String(s.map { $0 == "," || $0 == "×" ? "x" : $0 })
        let dims: [Int]
        do { dims = try parseSize(spelled, option: "--size") } catch {
            throw CelerError.invalidOption("--size", s, allowed: "use WIDTHxHEIGHT, ROWSxCOLS or N, or small, default, seed")
        }
        guard dims.count <= 2 else {
            throw CelerError.invalidOption("--size", s, allowed: "use WIDTHxHEIGHT, ROWSxCOLS or N, or small, default, seed")
        }
        w.size = dims
    }

    static func parseSeconds(_ option: String, _ s: String) throws(CelerError) -> Double {
        guard let d = Double(s.trimmingSpaces()), d.isFinite, d > 0, d <= 3600 else {
            throw CelerError.invalidOption(option, s, allowed: "use seconds, more than 0 and at most 3600")
        }
        return d
    }
}

