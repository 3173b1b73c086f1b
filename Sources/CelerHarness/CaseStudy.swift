import CelerCore

// The contract between a case study (its algorithm, its rungs, its validation)
// and whatever runs it (`celer compare`, benchmarks, tests). A case study file
// defines one type conforming to `CaseStudy`; the harness erases it with
// `AnyCaseStudy` and never needs to know its configuration type.

/// A named value of a run's output that validation compares (e.g. `sum`).
///
/// One value of a study may be marked `countsWork`: it counts the units of
/// work a run did (Julia's orbit steps), and `CaseStudy.work` receives it by
/// that mark, never by its name. Equality compares name and value only.
public struct ValidationValue: Sendable, Equatable, CustomStringConvertible {
    public enum Value: Sendable, Equatable {
        case integer(Int64)
        case real(Double)
    }
    public let name: String
    public let value: Value
    /// Whether this value counts the work of a run (see `CaseStudy.work`).
    public let countsWork: Bool

    public init(_ name: String, _ value: Int64, countsWork: Bool = false) {
        self.name = name; self.value = .integer(value); self.countsWork = countsWork
    }
    public init(_ name: String, _ value: Int, countsWork: Bool = false) {
        self.name = name; self.value = .integer(Int64(value)); self.countsWork = countsWork
    }
    public init(_ name: String, _ value: Double, countsWork: Bool = false) {
        self.name = name; self.value = .real(value); self.countsWork = countsWork
    }
    /// The same value under another name (peers report their own names).
    public func renamed(_ newName: String) -> ValidationValue {
        switch value {
        case .integer(let v): return ValidationValue(newName, v, countsWork: countsWork)
        case .real(let v): return ValidationValue(newName, v, countsWork: countsWork)
        }
    }
    /// The value as a double (integers converted), for work counts.
    public var doubleValue: Double {
        switch value {
        case .integer(let v): return Double(v)
        case .real(let v): return v
        }
    }

    public static func == (a: ValidationValue, b: ValidationValue) -> Bool {
        a.name == b.name && a.value == b.value
    }

    /// Relative tolerance for reals (docs/workloads.md): 1e-11 of the exact value.
    public static let relativeTolerance = 1e-11

    /// Whether this value reproduces `expected`: integers exactly, reals
    /// within `relativeTolerance` of it.
    public func matches(_ expected: ValidationValue) -> Bool {
        guard name == expected.name else { return false }
        switch (value, expected.value) {
        case let (.integer(a), .integer(b)): return a == b
        case let (.real(a), .real(b)):
            if a == b { return true }
            return abs(a - b) <= Self.relativeTolerance * abs(b)
        default: return false
        }
    }

    public var description: String {
        switch value {
        case .integer(let v): return "\(name)=\(v)"
        case .real(let v): return "\(name)=\(v)"
        }
    }
}

/// How much work one run does, for GFLOP/s, GB/s and % of the machine's ceiling.
public struct Work: Sendable, Equatable {
    /// Which ceiling limits this kernel.
    public enum Bound: String, Sendable { case compute, memory }
    /// Floating-point operations per run (multiply, add, compare count one each).
    public var flops: Double
    /// Bytes that must cross the memory bus per run (compulsory traffic).
    public var bytes: Double
    public var bound: Bound
    public init(flops: Double, bytes: Double, bound: Bound) {
        self.flops = flops; self.bytes = bytes; self.bound = bound
    }
}

/// A parameter of a configured workload, as shown in tables and JSON.
public struct Parameter: Sendable, Equatable {
    public enum Value: Sendable, Equatable { case integer(Int), real(Double), text(String), flag(Bool) }
    public let name: String
    public let value: Value
    public init(_ name: String, _ value: Value) { self.name = name; self.value = value }
}

/// A case study: one algorithm, its ladder of rungs, and how to check them.
public protocol CaseStudy: SendableMetatype {
    associatedtype Config: Sendable
    /// Short lower-case name used on the command line (`julia`).
    static var name: String { get }
    /// One line for `celer compare --list`.
    static var summary: String { get }
    /// The defaults and the options this workload takes, for `--list`.
    static var optionsHelp: String { get }
    /// The rungs, simplest first. The first rung is the reference where no
    /// exact validation value is known for a configuration.
    static var rungs: [Rung<Config>] { get }
    /// The configuration for these options; throws a one-line error naming
    /// the option for a zero, negative, absurd or malformed value.
    static func configure(_ options: WorkloadOptions) throws(CelerError) -> Config
    /// The configuration's parameters, for reports.
    static func parameters(_ config: Config) -> [Parameter]
    /// Validation values known exactly for this configuration (the seed
    /// sizes of docs/workloads.md, π(10^k), …), or nil if unknown.
    static func expected(_ config: Config) -> [ValidationValue]?
    /// The work one run does. `counted` is the value a correct run marks
    /// `countsWork` (escape-time work depends on the iteration counts), nil
    /// when the study marks none or no correct run is known.
    static func work(_ config: Config, counted: Double?) -> Work
}

/// A case study with its configuration type erased, for the harness, with
/// the rungs that backends added to it (`extended(with:)`).
public struct AnyCaseStudy: Sendable {
    public let name: String
    public let summary: String
    public let optionsHelp: String
    /// Every rung: the study's own, then those backends added, in order.
    public let rungNames: [String]
    /// The backend kind of each rung in `rungNames`, for `--list`.
    public let rungBackends: [Backend.Kind]
    public let configure: @Sendable (WorkloadOptions) throws -> ConfiguredCaseStudy
    /// The study's own type, so that `RungExtension` can check it adds
    /// rungs of the right configuration type.
    let studyType: Any.Type
    /// Rebuilds this study with more rungs (type-checked by `RungExtension`).
    let adding: @Sendable (RungExtension) -> AnyCaseStudy?

    public init<W: CaseStudy>(_ type: W.Type) {
        self.init(type, extra: [])
    }

    init<W: CaseStudy>(_ type: W.Type, extra: [Rung<W.Config>]) {
        let rungs = W.rungs + extra
        name = W.name
        summary = W.summary
        optionsHelp = W.optionsHelp
        rungNames = rungs.map(\.name)
        rungBackends = rungs.map(\.backend)
        studyType = W.self
        configure = { options in
            let config = try W.configure(options)
            return ConfiguredCaseStudy(
                name: W.name,
                parameters: W.parameters(config),
                expected: W.expected(config),
                rungs: rungs.map { rung in
                    ConfiguredRung(name: rung.name, summary: rung.summary, backend: rung.backend,
                                   skipsWork: rung.skipsWork, prepare: { rung.prepare(config) })
                },
                work: { W.work(config, counted: $0) })
        }
        adding = { ext in
            guard let more = ext.rungs as? [Rung<W.Config>] else { return nil }
            return AnyCaseStudy(W.self, extra: extra + more)
        }
    }

    /// This study with the rungs of every extension made for it appended
    /// (extensions for other studies are ignored). A backend module adds
    /// rungs this way without editing the study's file; the executable's
    /// registry is the one place that lists the backends.
    public func extended(with extensions: [RungExtension]) -> AnyCaseStudy {
        var study = self
        for ext in extensions where ext.studyType == studyType {
            if let next = study.adding(ext) { study = next }
        }
        return study
    }
}

/// Rungs that a backend (a GPU, MPI ranks, another schedule) adds to an
/// existing case study, typed by the study's configuration.
public struct RungExtension: @unchecked Sendable {
    // `rungs` holds `[Rung<W.Config>]`, which is Sendable; erased to `Any`.
    let studyType: Any.Type
    let rungs: Any
    public let studyName: String
    public let rungNames: [String]

    public init<W: CaseStudy>(_ study: W.Type, rungs: [Rung<W.Config>]) {
        studyType = W.self
        self.rungs = rungs
        studyName = W.name
        rungNames = rungs.map(\.name)
    }
}

/// A case study with a configuration fixed: what the harness runs.
public struct ConfiguredCaseStudy: Sendable {
    public let name: String
    public let parameters: [Parameter]
    public let expected: [ValidationValue]?
    public let rungs: [ConfiguredRung]
    let workOfCount: @Sendable (Double?) -> Work

    public init(name: String, parameters: [Parameter], expected: [ValidationValue]?,
                rungs: [ConfiguredRung], work: @escaping @Sendable (Double?) -> Work) {
        self.name = name; self.parameters = parameters; self.expected = expected
        self.rungs = rungs; self.workOfCount = work
    }

    /// The work of one run whose correct validation is `values`: the value
    /// marked `countsWork`, if any, goes to the study's `work`.
    public func work(_ values: [ValidationValue]) -> Work {
        workOfCount(values.first(where: \.countsWork)?.doubleValue)
    }
}

public struct ConfiguredRung: Sendable {
    public let name: String
    public let summary: String
    public let backend: Backend.Kind
    public let skipsWork: Bool
    public let prepare: @Sendable () -> Preparation
}
