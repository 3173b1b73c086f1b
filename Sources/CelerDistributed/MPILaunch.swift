import CelerCore
import CelerHarness
import CelerMPI
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// How `celer compare --ranks N …` starts the MPI rungs: the launcher, the
/// ranks and threads, the hosts, and the harness settings the worker times
/// with. Every option is checked here, before anything runs.
///
/// The command run for one rung is
///     LAUNCHER -n N [--host H,… | --hostfile F] CELER mpi-worker WORKLOAD RUNG key=value…
/// where LAUNCHER is `mpirun --bind-to none --oversubscribe --quiet` (Open
/// MPI: threads of a rank are not pinned to one core; more ranks than cores
/// allowed; no help banners, so a failure's last line is the rank's own) or
/// the words of `--mpirun` (e.g. `srun`, `mpiexec`, `mpirun --mca btl tcp,self`)
/// with `-n N` and the host options appended. CELER is this executable's
/// absolute path: on several machines it must exist at that path on each.
public struct MPILaunch: Sendable, Equatable {
    public var ranks: Int
    public var threadsPerRank: Int
    public var hosts: [String]?
    public var hostfile: String?
    /// The launcher's words; nil: Open MPI's `mpirun` with the defaults above.
    public var launcher: [String]?
    public var settings: HarnessSettings
    /// Seconds after which a rung's job is stopped (SIGTERM, then SIGKILL).
    public var timeout: Double
    /// The `celer` executable the ranks run.
    public var worker: String

    public static let maxRanks = 4096
    public static let maxThreadsPerRank = 1024

    public init(ranks: Int, threadsPerRank: Int = 1, hosts: [String]? = nil, hostfile: String? = nil,
                launcher: [String]? = nil, settings: HarnessSettings = HarnessSettings(), timeout: Double = 600,
                worker: String = MPILaunch.currentExecutable) {
        self.ranks = ranks; self.threadsPerRank = threadsPerRank; self.hosts = hosts; self.hostfile = hostfile
        self.launcher = launcher; self.settings = settings; self.timeout = timeout; self.worker = worker
    }

    /// Checks the command-line texts; nil when `--ranks` is absent (and no
    /// other MPI option was given). Errors name the option and what it allows.
    public static func parse(ranks: String?, threadsPerRank: String?, hosts: String?, hostfile: String?,
                             mpirun: String?, settings: HarnessSettings) throws(CelerError) -> MPILaunch? {
        guard let ranksText = ranks else {
            for (name, value) in [("--threads-per-rank", threadsPerRank), ("--hosts", hosts), ("--hostfile", hostfile), ("--mpirun", mpirun)]
            where value != nil {
                throw CelerError(name, "needs --ranks N (the number of MPI ranks)")
            }
            return nil
        }
        guard let n = Int(ranksText.trimmingSpaces()), (1...maxRanks).contains(n) else {
            throw CelerError.invalidOption("--ranks", ranksText, allowed: "use a whole number of ranks, 1...\(maxRanks)")
        }
        var launch = MPILaunch(ranks: n, settings: settings)
        if let t = threadsPerRank {
            guard let v = Int(t.trimmingSpaces()), (1...maxThreadsPerRank).contains(v) else {
                throw CelerError.invalidOption("--threads-per-rank", t, allowed: "use 1...\(maxThreadsPerRank)")
            }
            launch.threadsPerRank = v
        }
        if hosts != nil && hostfile != nil {
            throw CelerError("--hosts", "give either --hosts or --hostfile, not both")
        }
        if let h = hosts {
            let names = h.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces() }
            for name in names where !isHostEntry(name) {
                throw CelerError.invalidOption("--hosts", h, allowed: "use HOST[:SLOTS][,HOST[:SLOTS]…] with host names of letters, digits, '.', '-' and '_' ('\(name)' is not one)")
            }
            launch.hosts = names
        }
        if let f = hostfile {
            guard !f.isEmpty, access(f, R_OK) == 0 else {
                throw CelerError.invalidOption("--hostfile", f, allowed: "give a readable file of host names (one per line, as mpirun's --hostfile)")
            }
            launch.hostfile = f
        }
        if let m = mpirun {
            let words = m.split(separator: " ").map(String.init)
            guard let first = words.first, !first.hasPrefix("-") else {
                throw CelerError.invalidOption("--mpirun", m, allowed: "give the launcher command, e.g. 'srun' or 'mpirun --mca btl tcp,self'")
            }
            launch.launcher = words
        }
        return launch
    }

    static func isHostEntry(_ s: String) -> Bool {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let host = parts.first, !host.isEmpty, host.count <= 253 else { return false }
        if parts.count == 2 { guard let slots = Int(parts[1]), slots >= 1 else { return false } }
        return host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }
            && !host.hasPrefix("-")
    }

    /// The job for one rung: `arguments` are the worker's key=value pairs.
    public func externalRun(workload: String, rung: String, arguments: [String]) -> ExternalRun {
        var words = launcher ?? ["mpirun", "--bind-to", "none", "--oversubscribe", "--quiet"]
        words += ["-n", String(ranks)]
        if let h = hosts { words += ["--host", h.joined(separator: ",")] }
        if let f = hostfile { words += ["--hostfile", f] }
        words += [worker, "mpi-worker", workload, rung] + arguments + [
            "threads=\(threadsPerRank)", "repeats=\(settings.repeats)", "warmup=\(settings.warmup)",
            "budget=\(settings.budgetSeconds)",
        ]
        var environment: [String: String] = [:]
        if geteuid() == 0 && launcher == nil {
            // Open MPI refuses to run as root unless told (containers, CI).
            environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
            environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        }
        return ExternalRun(program: words[0], arguments: Array(words.dropFirst()), environment: environment,
                           timeout: timeout,
                           installHint: "install Open MPI (apt-get install openmpi-bin libopenmpi-dev) and build with swift build --traits MPI")
    }

    /// This process's executable, absolute (what the ranks run).
    public static var currentExecutable: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 { return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return CommandLine.arguments.first ?? "celer"
    }

    // MARK: The launch of this `celer compare` run

    private static let current = Mutex<MPILaunch?>(nil)

    /// What `celer compare` was asked for (nil: no `--ranks`). Set once before
    /// the rungs are prepared; the MPI rungs read it.
    public static var configured: MPILaunch? {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}
