import CelerCore
import CelerParallel

/// How the harness times each rung.
public struct HarnessSettings: Sendable, Equatable {
    /// Timed runs per rung (the median and minimum are over these).
    public var repeats: Int = 5
    /// Untimed runs before timing (first-touch of pages, caches, branch predictors).
    public var warmup: Int = 1
    /// Seconds of timed runs after which a rung stops repeating (it always gets
    /// at least one timed run). Keeps `celer compare` at its defaults well
    /// under two minutes while slow rungs still get measured.
    public var budgetSeconds: Double = 2.0

    public init(repeats: Int = 5, warmup: Int = 1, budgetSeconds: Double = 2.0) {
        self.repeats = repeats; self.warmup = warmup; self.budgetSeconds = budgetSeconds
    }
}

/// Where the values a rung is checked against come from.
public enum ReferenceSource: Sendable, Equatable {
    /// Exact values known for this configuration (`CaseStudy.expected`).
    case exact
    /// The validation of the reference (first) rung of the ladder.
    case rung(String)
    /// Nothing to compare with (the reference rung could not be run).
    case none

    public var label: String {
        switch self {
        case .exact: return "exact"
        case .rung(let name): return "rung:\(name)"
        case .none: return "none"
        }
    }
}

/// One line of a comparison: a Celer rung or a Python peer, timed and checked.
public struct ComparisonRow: Sendable {
    public enum Kind: String, Sendable { case celer, peer }

    public var workload: String
    public var variant: String
    public var kind: Kind
    public var summary: String
    public var parameters: [Parameter]
    /// What the variant ran on, as its prepared run (or peer record) says.
    public var backend: Backend
    /// Host threads the variant ran on (1 for serial rungs and GPU rungs).
    public var threads: Int { backend.hostThreads }
    /// Seconds of each timed run (warm-up excluded).
    public var times: [Double]
    /// Timed runs asked for; fewer ran when the time budget ran out.
    public var requestedRuns: Int
    /// Seconds of compilation before the first run (Numba, Cython), if known.
    public var compileSeconds: Double?
    public var validation: [ValidationValue]
    /// What `validation` was compared with, and where that came from.
    public var expected: [ValidationValue]
    public var reference: ReferenceSource
    /// Why the variant did not run (budget, missing package); nil if it ran.
    public var skipped: String?
    /// The work one run does (for rates and % of ceiling), if known.
    public var work: Work?
    /// The ceiling for this bound on this row's backend (GFLOP/s or GB/s).
    public var ceiling: Double?
    /// Median seconds of the baseline (first timed Celer rung) of this workload.
    public var baselineMedian: Double?
    /// Untimed phases the run reported (a GPU rung's copies), seconds of the last run.
    public var phases: [PhaseTime]

    public init(workload: String, variant: String, kind: Kind, summary: String = "",
                parameters: [Parameter] = [], backend: Backend = .serial, times: [Double] = [],
                requestedRuns: Int = 0, compileSeconds: Double? = nil,
                validation: [ValidationValue] = [], expected: [ValidationValue] = [],
                reference: ReferenceSource = .none, skipped: String? = nil, work: Work? = nil,
                ceiling: Double? = nil, baselineMedian: Double? = nil, phases: [PhaseTime] = []) {
        self.workload = workload; self.variant = variant; self.kind = kind; self.summary = summary
        self.parameters = parameters; self.backend = backend; self.times = times; self.phases = phases
        self.requestedRuns = requestedRuns; self.compileSeconds = compileSeconds
        self.validation = validation; self.expected = expected; self.reference = reference
        self.skipped = skipped; self.work = work; self.ceiling = ceiling; self.baselineMedian = baselineMedian
    }

    public var runs: Int { times.count }
    /// The median of `times` (`TimingStats`), nil when nothing ran.
    public var median: Double? { TimingStats(ifAny: times)?.median }
    /// The fastest of `times`, nil when nothing ran.
    public var minimum: Double? { TimingStats(ifAny: times)?.min }
    /// True if the validation reproduces the expected values, nil when skipped.
    public var ok: Bool? { skipped != nil ? nil : Harness.matches(validation, expected) }
    public var speedup: Double? {
        guard let b = baselineMedian, let m = median, m > 0 else { return nil }
        return b / m
    }
    /// Achieved GFLOP/s at the median time.
    public var gflops: Double? {
        guard let w = work, w.flops > 0, let m = median, m > 0 else { return nil }
        return w.flops / m / 1e9
    }
    /// Achieved GB/s of compulsory traffic at the median time.
    public var gbps: Double? {
        guard let w = work, w.bytes > 0, let m = median, m > 0 else { return nil }
        return w.bytes / m / 1e9
    }
    /// The rate that the bound of the kernel makes relevant (GFLOP/s or GB/s).
    public var boundRate: Double? {
        guard let w = work else { return nil }
        return w.bound == .compute ? gflops : gbps
    }
    /// Whether the achieved rate is above the ceiling (beyond 100.5 %, to
    /// allow for the probe's own noise): then the ceiling is wrong, not the
    /// kernel fast, and reports say so instead of printing the percentage.
    public var ceilingSuspect: Bool { (percentOfPeak ?? 0) > 100.5 }
    /// Percentage of the ceiling for this bound on this row's backend.
    public var percentOfPeak: Double? {
        guard let r = boundRate, let c = ceiling, c > 0 else { return nil }
        return 100 * r / c
    }
}

/// Times and checks the rungs of configured case studies.
public enum Harness {
    /// Whether `got` reproduces every value of `expected` (same names, integers
    /// exactly, reals within `ValidationValue.relativeTolerance`). An empty
    /// `expected` never matches: a check without a reference is no check.
    public static func matches(_ got: [ValidationValue], _ expected: [ValidationValue]) -> Bool {
        guard !expected.isEmpty, got.count == expected.count else { return false }
        for e in expected {
            guard let g = got.first(where: { $0.name == e.name }), g.matches(e) else { return false }
        }
        return true
    }

    /// Runs a prepared rung: `settings.warmup` untimed runs, then timed runs
    /// until `settings.repeats` are done or `settings.budgetSeconds` of timed
    /// runs are spent (at least one). Only `run` and `finish` are inside the
    /// clock; validation is not.
    public static func time(_ prepared: PreparedRun, settings: HarnessSettings) -> [Double] {
        for _ in 0..<max(0, settings.warmup) {
            let t0 = monotonicNanos()
            prepared.run()
            prepared.finish()
            // A warm-up as long as the budget says enough about the caches.
            if Double(monotonicNanos() &- t0) * 1e-9 >= settings.budgetSeconds { break }
        }
        var times: [Double] = []
        times.reserveCapacity(max(1, settings.repeats))
        var spent = 0.0
        while times.count < max(1, settings.repeats) {
            let t0 = monotonicNanos()
            prepared.run()
            prepared.finish()
            let t = Double(monotonicNanos() &- t0) * 1e-9
            times.append(t)
            spent += t
            if spent >= settings.budgetSeconds { break }
        }
        return times
    }

    /// The selected rungs of `study`, in ladder order; nil selects all.
    /// Throws a one-line error naming `--variant` for an unknown name.
    public static func select(_ study: ConfiguredCaseStudy, variants: [String]?) throws(CelerError) -> [ConfiguredRung] {
        guard let variants else { return study.rungs }
        let names = study.rungs.map(\.name)
        for v in variants where !names.contains(v) {
            throw CelerError.invalidOption("--variant", v,
                allowed: "\(study.name) has \(names.isEmpty ? "no rungs" : names.joined(separator: ", "))")
        }
        return study.rungs.filter { variants.contains($0.name) }
    }

    /// The backend a prepared run used: what it says, else its rung's kind
    /// on this process (read now, when it was just prepared).
    public static func backend(of prepared: PreparedRun, kind: Backend.Kind) -> Backend {
        if let b = prepared.backend { return b }
        return kind == .threads ? .cpu(threads: Parallel.threadCount) : .serial
    }

    /// The values rungs of `study` are checked against, and where they come
    /// from: the exact values if known, else the validation of the first
    /// in-process rung that does not refuse the configuration (run once, untimed).
    public static func reference(_ study: ConfiguredCaseStudy) -> ([ValidationValue], ReferenceSource) {
        if let exact = study.expected, !exact.isEmpty { return (exact, .exact) }
        for rung in study.rungs {
            guard let prepared = rung.prepare().ready else { continue }
            prepared.run()
            prepared.finish()
            return (prepared.validation(), .rung(rung.name))
        }
        return ([], .none)
    }

    /// Times and checks every selected rung of `study`.
    ///
    /// Each rung is checked against `study.expected` when known; otherwise
    /// against the validation of the reference rung: the first in-process
    /// rung of the ladder that does not refuse the configuration, run once,
    /// untimed, if it is not itself selected. Refusals become skipped rows
    /// with their reason; external runs go through `runner`. Speed-ups are
    /// over the first timed rung. `progress` is called after each rung.
    public static func run(_ study: ConfiguredCaseStudy, variants: [String]? = nil,
                           settings: HarnessSettings, ceilings: (any CeilingSource)? = nil,
                           runner: ExternalRunner = ExternalRunner(),
                           progress: ((ComparisonRow) -> Void)? = nil) throws(CelerError) -> [ComparisonRow] {
        let selected = Set(try select(study, variants: variants).map(\.name))
        var expected: [ValidationValue] = []
        var reference = ReferenceSource.none
        if let exact = study.expected, !exact.isEmpty {
            expected = exact; reference = .exact
        }
        var rows: [ComparisonRow] = []
        func finish(_ row: ComparisonRow) {
            var row = row
            row.baselineMedian = rows.first { $0.median != nil }?.median ?? row.median
            rows.append(row)
            progress?(row)
        }
        // Walk the ladder in order: selected rungs are timed; unselected ones run
        // once, untimed, only while no reference has been found yet.
        for rung in study.rungs {
            let isSelected = selected.contains(rung.name)
            if !isSelected && reference != .none { continue }
            let requested = max(1, settings.repeats)
            switch rung.prepare() {
            case .refused(let why):
                guard isSelected else { continue }
                finish(ComparisonRow(
                    workload: study.name, variant: rung.name, kind: .celer, summary: rung.summary,
                    parameters: study.parameters, backend: .unavailable(rung.backend, threads: Parallel.threadCount),
                    requestedRuns: requested, expected: expected, reference: reference, skipped: why))
            case .external(let ext):
                guard isSelected else { continue }
                var row = runner.run(ext, workload: study.name, variant: rung.name, kind: .celer,
                                     summary: rung.summary, parameters: study.parameters,
                                     requestedRuns: requested, expected: expected, reference: reference)
                if row.skipped == nil && !expected.isEmpty && !rung.skipsWork {
                    let work = study.work(expected)
                    row.work = work
                    row.ceiling = ceilings?.ceiling(for: work.bound, backend: row.backend)
                }
                finish(row)
            case .ready(let prepared):
                let backend = backend(of: prepared, kind: rung.backend)
                let times: [Double]
                if isSelected {
                    times = time(prepared, settings: settings)
                } else {
                    prepared.run()
                    prepared.finish()
                    times = []
                }
                let validation = prepared.validation()
                if reference == .none {
                    expected = validation; reference = .rung(rung.name)
                }
                guard isSelected else { continue }
                // Work is computed from the values of a correct run.
                let work = study.work(expected.isEmpty ? validation : expected)
                finish(ComparisonRow(
                    workload: study.name, variant: rung.name, kind: .celer, summary: rung.summary,
                    parameters: study.parameters, backend: backend, times: times,
                    requestedRuns: requested, validation: validation,
                    expected: expected, reference: reference, work: rung.skipsWork ? nil : work,
                    ceiling: ceilings?.ceiling(for: work.bound, backend: backend),
                    phases: prepared.phases()))
            }
        }
        // Rows before the reference was found were all refusals: show them the same values.
        for i in rows.indices where rows[i].expected.isEmpty {
            rows[i].expected = expected; rows[i].reference = reference
        }
        return rows
    }
}
