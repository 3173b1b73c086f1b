import CelerCore

// A rung is one variant of a study's algorithm on one backend. Its `prepare`
// makes inputs and outputs (untimed) and says how to run: in this process
// (`PreparedRun`), out of process (`ExternalRun`, e.g. under `mpirun`), or
// not at all for this configuration (`refused`, with the reason).

/// What a rung runs on. Rows are labelled from the backend a prepared run
/// reports, so a table says what actually ran, not what was asked for.
public enum Backend: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// One thread of this process.
    case serial
    /// This many threads of this process (Celer's pool or a peer's).
    case threads(Int)
    /// A GPU, named as its driver reports it.
    case gpu(device: String)
    /// MPI ranks, each running this many threads.
    case mpi(ranks: Int, threadsPerRank: Int)

    /// The family of a backend, known before a rung is prepared.
    public enum Kind: String, Sendable, CaseIterable { case serial, threads, gpu, mpi }

    public var kind: Kind {
        switch self {
        case .serial: return .serial
        case .threads: return .threads
        case .gpu: return .gpu
        case .mpi: return .mpi
        }
    }

    /// Host threads in use (all ranks' threads for MPI; 1 for a GPU's host side).
    public var hostThreads: Int {
        switch self {
        case .serial, .gpu: return 1
        case .threads(let n): return n
        case .mpi(let r, let t): return max(1, r * t)
        }
    }

    /// The row label: `serial`, `threads 2`, `gpu NVIDIA H200`, `mpi 3×2`.
    public var label: String {
        switch self {
        case .serial: return "serial"
        case .threads(let n): return "threads \(n)"
        case .gpu(let d): return "gpu \(d)"
        case .mpi(let r, let t): return r == 0 ? "mpi (none)" : "mpi \(r)×\(t)"
        }
    }

    public var description: String { label }

    /// The backend of a CPU run on `threads` threads (`serial` for one).
    public static func cpu(threads: Int) -> Backend { threads <= 1 ? .serial : .threads(threads) }

    /// The label of a rung of this kind that did not run (refused, or its
    /// engine missing): `gpu (none)`, `mpi (none)`; CPU kinds as they would run.
    public static func unavailable(_ kind: Kind, threads: Int) -> Backend {
        switch kind {
        case .serial: return .serial
        case .threads: return .cpu(threads: threads)
        case .gpu: return .gpu(device: "(none)")
        case .mpi: return .mpi(ranks: 0, threadsPerRank: 0)
        }
    }
}

/// Time spent outside the clock that a user still wants to see, e.g. a GPU
/// rung's copies to and from the device.
public struct PhaseTime: Sendable, Equatable {
    public var name: String
    public var seconds: Double
    public init(_ name: String, seconds: Double) { self.name = name; self.seconds = seconds }
}

/// One rung of a case study, ready to time: inputs made, output allocated.
///
/// The clock covers `run` followed by `finish` (a device synchronisation, a
/// barrier); `validation` summarises the output of the last run outside the
/// clock and may copy results back first. `run` may be called many times.
public struct PreparedRun {
    /// What this run uses; nil means "the rung's kind on this process":
    /// `serial`, or `threads(Parallel.threadCount)` read when prepared.
    public let backend: Backend?
    public let run: () -> Void
    public let finish: () -> Void
    public let validation: () -> [ValidationValue]
    /// Untimed phases measured by the run itself (copies in and out).
    public let phases: () -> [PhaseTime]

    public init(backend: Backend? = nil, run: @escaping () -> Void, finish: @escaping () -> Void = {},
                validation: @escaping () -> [ValidationValue],
                phases: @escaping () -> [PhaseTime] = { [] }) {
        self.backend = backend; self.run = run; self.finish = finish
        self.validation = validation; self.phases = phases
    }
}

/// A run done by another program that prints one JSON-line record (the
/// format of `ExternalRecord`): the Python peers, `mpirun … celer mpi-worker`.
public struct ExternalRun: Sendable {
    /// Program (looked up on PATH) and its arguments.
    public var program: String
    public var arguments: [String]
    /// Variables set on top of this process's environment.
    public var environment: [String: String]
    /// Seconds after which the program is stopped and the row skipped.
    public var timeout: Double
    /// What to tell a user when the program is missing or fails to start.
    public var installHint: String

    public init(program: String, arguments: [String], environment: [String: String] = [:],
                timeout: Double, installHint: String) {
        self.program = program; self.arguments = arguments; self.environment = environment
        self.timeout = timeout; self.installHint = installHint
    }
}

/// What preparing a rung for a configuration gives.
public enum Preparation {
    /// Run in this process.
    case ready(PreparedRun)
    /// This rung cannot run this configuration (a whole-array sieve asked
    /// for 10^12, no GPU driver): reported as a skipped row with the reason.
    case refused(String)
    /// Run out of process; the harness's `ExternalRunner` reads the record.
    case external(ExternalRun)

    /// The in-process run, if this is one.
    public var ready: PreparedRun? {
        if case .ready(let r) = self { return r }
        return nil
    }

    /// The reason, if this is a refusal.
    public var refusal: String? {
        if case .refused(let why) = self { return why }
        return nil
    }
}

/// A rung of a ladder: a small named variant of the workload's algorithm,
/// on one kind of backend.
public struct Rung<Config>: Sendable {
    public let name: String
    /// One line: what this rung does differently from the one before.
    public let summary: String
    /// The kind of backend it runs on (its prepared run gives the details).
    public let backend: Backend.Kind
    /// Whether it skips part of the work `CaseStudy.work` counts (Mandelbrot's
    /// interior shortcut): its FLOP rate would overstate the hardware's, so
    /// reports leave the rate out.
    public let skipsWork: Bool
    public let prepare: @Sendable (Config) -> Preparation

    public init(_ name: String, _ summary: String, backend: Backend.Kind = .serial, skipsWork: Bool = false,
                prepare: @escaping @Sendable (Config) -> Preparation) {
        self.name = name; self.summary = summary; self.backend = backend; self.skipsWork = skipsWork
        self.prepare = prepare
    }
}

extension Preparation {
    /// An in-process run: `.ready(PreparedRun(…))` with the same arguments.
    public static func ready(backend: Backend? = nil, run: @escaping () -> Void, finish: @escaping () -> Void = {},
                             validation: @escaping () -> [ValidationValue],
                             phases: @escaping () -> [PhaseTime] = { [] }) -> Preparation {
        .ready(PreparedRun(backend: backend, run: run, finish: finish, validation: validation, phases: phases))
    }
}
