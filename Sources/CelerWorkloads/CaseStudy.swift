import CelerCore

// The contract between a case study (its algorithm, its rungs, its validation)
// and whatever runs it (`celer compare`, benchmarks, tests). A case study file
// defines one type conforming to `CaseStudy`; the harness erases it with
// `AnyCaseStudy` and never needs to know its configuration type.

/// Parameters a user may set on the command line. `nil` means "the preset's
/// value". Each workload reads the fields that apply to it and ignores the
/// rest, so one set of options can drive a run of several workloads.
public struct WorkloadOptions: Sendable, Equatable {
    /// Named default sizes: `small` for tests and CI, `default` for
    /// `celer compare` (under two minutes in all), `seed` for the sizes of
    /// `shared/workloads.md` whose validation values are known exactly.
    public enum Preset: String, CaseIterable, Sendable { case small, `default`, seed }

    public var preset: Preset = .default
    /// `--size`: [width, height], [rows, cols] or [n].
    public var size: [Int]? = nil
    /// `--limit` (sieve).
    public var limit: Int? = nil
    /// `--count-only` (sieve): count primes, do not return them.
    public var countOnly: Bool = false
    /// `--region=XMIN,XMAX,YMIN,YMAX` (julia, mandelbrot).
    public var region: [Double]? = nil
    /// `--c=RE,IM` (julia).
    public var c: [Double]? = nil
    /// `--maxiter` (julia, mandelbrot).
    public var maxiter: Int? = nil
    /// `--steps` (diffusion).
    public var steps: Int? = nil

    public init() {}
}

/// A named value of a run's output that validation compares (e.g. `sum`).
public struct ValidationValue: Sendable, Equatable, CustomStringConvertible {
    public enum Value: Sendable, Equatable {
        case integer(Int64)
        case real(Double)
    }
    public let name: String
    public let value: Value

    public init(_ name: String, _ value: Int64) { self.name = name; self.value = .integer(value) }
    public init(_ name: String, _ value: Int) { self.name = name; self.value = .integer(Int64(value)) }
    public init(_ name: String, _ value: Double) { self.name = name; self.value = .real(value) }

    /// Relative tolerance for reals (shared/workloads.md): 1e-11 of the exact value.
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

/// One rung of a case study, ready to time: inputs made, output allocated.
/// `run` is the timed part and may be called many times; `validation`
/// summarises the output of the last run (untimed).
public struct PreparedRun {
    public let run: () -> Void
    public let validation: () -> [ValidationValue]
    public init(run: @escaping () -> Void, validation: @escaping () -> [ValidationValue]) {
        self.run = run; self.validation = validation
    }
}

/// A rung of a ladder: a small named variant of the workload's algorithm.
public struct Rung<Config>: Sendable {
    public let name: String
    /// One line: what this rung does differently from the one before.
    public let summary: String
    /// Whether it uses more than one thread (`Parallel.threadCount`).
    public let threaded: Bool
    /// Whether it skips part of the work `CaseStudy.work` counts (Mandelbrot's
    /// interior shortcut): its FLOP rate would overstate the hardware's, so
    /// reports leave the rate out.
    public let skipsWork: Bool
    public let prepare: @Sendable (Config) -> PreparedRun
    public init(_ name: String, _ summary: String, threaded: Bool = false, skipsWork: Bool = false,
                prepare: @escaping @Sendable (Config) -> PreparedRun) {
        self.name = name; self.summary = summary; self.threaded = threaded; self.skipsWork = skipsWork
        self.prepare = prepare
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
    /// sizes of shared/workloads.md, π(10^k), …), or nil if unknown.
    static func expected(_ config: Config) -> [ValidationValue]?
    /// The work one run does; `result` is the validation of a correct run
    /// (escape-time work depends on the iteration counts).
    static func work(_ config: Config, result: [ValidationValue]) -> Work
}

/// A case study with its configuration type erased, for the harness.
public struct AnyCaseStudy: Sendable {
    public let name: String
    public let summary: String
    public let optionsHelp: String
    public let rungNames: [String]
    public let configure: @Sendable (WorkloadOptions) throws -> ConfiguredCaseStudy

    public init<W: CaseStudy>(_ type: W.Type) {
        name = W.name
        summary = W.summary
        optionsHelp = W.optionsHelp
        rungNames = W.rungs.map(\.name)
        configure = { options in
            let config = try W.configure(options)
            return ConfiguredCaseStudy(
                name: W.name,
                parameters: W.parameters(config),
                expected: W.expected(config),
                rungs: W.rungs.map { rung in
                    ConfiguredRung(name: rung.name, summary: rung.summary, threaded: rung.threaded,
                                   skipsWork: rung.skipsWork, prepare: { rung.prepare(config) })
                },
                work: { W.work(config, result: $0) })
        }
    }
}

/// A case study with a configuration fixed: what the harness runs.
public struct ConfiguredCaseStudy: Sendable {
    public let name: String
    public let parameters: [Parameter]
    public let expected: [ValidationValue]?
    public let rungs: [ConfiguredRung]
    public let work: @Sendable ([ValidationValue]) -> Work
}

public struct ConfiguredRung: Sendable {
    public let name: String
    public let summary: String
    public let threaded: Bool
    public let skipsWork: Bool
    public let prepare: @Sendable () -> PreparedRun
}
