import CelerCore
import _CelerMallocCounter
#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended, with its resource usage (from wait4).
public struct Termination: Sendable, Equatable, CustomStringConvertible {
    public enum Status: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)
    }
    public var status: Status
    public var userSeconds: Double
    public var systemSeconds: Double
    /// The kernel's peak resident size of the child (ru_maxrss). Linux
    /// carries the parent's own peak into a child at exec (the child's
    /// memory starts as the parent's), so values at or below the parent's
    /// peak (`ProcessMemory.current().hwm`) only say "at most that much".
    public var maxResidentBytes: Int

    /// The exit status a shell would report: the code, or 128 + signal.
    public var exitCode: Int32 {
        switch status {
        case .exited(let c): return c
        case .signaled(let s): return 128 + s
        }
    }

    public var description: String {
        switch status {
        case .exited(let c): return "exited with status \(c)"
        case .signaled(let s):
            let name = strsignal(s).map { String(cString: $0) } ?? "signal \(s)"
            return "killed by signal \(s) (\(name))"
        }
    }

    init(waitStatus: Int32, usage: rusage) {
        let sig = waitStatus & 0x7f
        status = sig == 0 ? .exited((waitStatus >> 8) & 0xff) : .signaled(sig)
        userSeconds = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6
        systemSeconds = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
        maxResidentBytes = Int(usage.ru_maxrss) * 1024
    }
}

/// A process started with posix_spawn (searching PATH), optionally with its
/// stdout and stderr connected to pipes that the caller reads.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    /// Read ends of the child's stdout and stderr pipes (nil when not captured).
    public let stdoutPipe: Int32?
    public let stderrPipe: Int32?

    /// Starts `arguments[0]` with `arguments`, this environment plus `environment`.
    /// Throws a one-line error when the command cannot be started.
    public init(_ arguments: [String], environment: [String: String] = [:], captureOutput: Bool = false,
                silence: Bool = false) throws(CelerError) {
        guard let program = arguments.first, !program.isEmpty else { throw CelerError("command", "no command given") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var outFDs: [Int32] = [-1, -1], errFDs: [Int32] = [-1, -1]
        if captureOutput {
            guard pipe(&outFDs) == 0, pipe(&errFDs) == 0 else {
                throw CelerError(program, "cannot create pipes: \(String(cString: strerror(errno)))")
            }
            posix_spawn_file_actions_adddup2(&actions, outFDs[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errFDs[1], 2)
            for fd in outFDs + errFDs { posix_spawn_file_actions_addclose(&actions, fd) }
        } else if silence {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        // The environment: ours, with `environment` added or replaced.
        var env: [String] = []
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            let key = s.split(separator: "=", maxSplits: 1).first.map(String.init) ?? s
            if environment[key] == nil { env.append(s) }
            p += 1
        }
        for (k, v) in environment.sorted(by: { $0.key < $1.key }) { env.append("\(k)=\(v)") }
        let cArgs = arguments.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup($0) } + [nil]
        defer { for a in cArgs { free(a) }; for e in cEnv { free(e) } }
        // The child gets the default action for ^C and ^\ even while this
        // process ignores them (mprof does, to write its file after a ^C).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGQUIT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        var child = pid_t()
        let rc = cArgs.withUnsafeBufferPointer { argv in
            cEnv.withUnsafeBufferPointer { envp in
                posix_spawnp(&child, program, &actions, &attributes,
                             UnsafeMutablePointer(mutating: argv.baseAddress!),
                             UnsafeMutablePointer(mutating: envp.baseAddress!))
            }
        }
        if captureOutput { close(outFDs[1]); close(errFDs[1]) }
        guard rc == 0 else {
            if captureOutput { close(outFDs[0]); close(errFDs[0]) }
            let reason = rc == ENOENT ? "command not found" : String(cString: strerror(rc))
            throw CelerError(program, "cannot run: \(reason)")
        }
        pid = child
        stdoutPipe = captureOutput ? outFDs[0] : nil
        stderrPipe = captureOutput ? errFDs[0] : nil
    }

    /// Waits for the child to end (or, with `block` false, returns nil if it is still running).
    public func wait(block: Bool = true) -> Termination? {
        var status: Int32 = 0
        var usage = rusage()
        while true {
            let r = wait4(pid, &status, block ? 0 : WNOHANG, &usage)
            if r == pid { return Termination(waitStatus: status, usage: usage) }
            if r == 0 { return nil }
            if errno == EINTR { continue }
            return nil
        }
    }

    deinit {
        if let fd = stdoutPipe { close(fd) }
        if let fd = stderrPipe { close(fd) }
    }
}

extension ChildProcess {
    /// Runs `arguments` once and returns how it ended, with a peak resident
    /// size that does not include this process's own memory.
    ///
    /// A child started directly inherits this process's peak at exec (see
    /// `Termination.maxResidentBytes`). This one is started by `setsid -f`
    /// (util-linux), which forks it and exits without waiting: the
    /// grandchild starts with setsid's small memory (about 1 MiB, like
    /// /usr/bin/time's), and this process, made a subreaper, adopts it and
    /// reads its own rusage with wait4. The command runs in a new session
    /// (no controlling terminal). Run one at a time.
    public static func runMeasuringPeak(_ arguments: [String], silence: Bool = true) throws(CelerError) -> Termination {
        let candidates: [String] = ["/usr/bin/setsid", "/bin/setsid"]
        let setsid = candidates.first { (path: String) in access(path, X_OK) == 0 }
        guard let setsid else { throw CelerError("peak RSS", "needs setsid (util-linux) to start the command") }
        guard celer_become_subreaper() == 0 else {
            throw CelerError("peak RSS", "cannot become a subreaper: \(String(cString: strerror(errno)))")
        }
        let launcher = try ChildProcess([setsid, "-f"] + arguments, silence: silence)
        guard let launched = launcher.wait(), launched.status == Termination.Status.exited(0) else {
            throw CelerError(arguments[0], "setsid could not start the command")
        }
        // The orphan is ours now: a child of this process that leads its own
        // session (setsid makes it so, maybe a moment after its parent exits).
        let me = getpid()
        var orphan: ProcessMemory.Entry? = nil
        for _ in 0..<2000 where orphan == nil {
            orphan = ProcessMemory.processTable().first {
                $0.parent == me && $0.session == $0.pid && $0.pid != launcher.pid
            }
            if orphan == nil { usleep(500) }
        }
        guard let orphan else { throw CelerError(arguments[0], "lost track of the command started by setsid") }
        var status: Int32 = 0
        var usage = rusage()
        while true {
            let r = wait4(orphan.pid, &status, 0, &usage)
            if r == orphan.pid { return Termination(waitStatus: status, usage: usage) }
            if r < 0 && errno == EINTR { continue }
            throw CelerError(arguments[0], "lost track of the command (wait4: \(String(cString: strerror(errno))))")
        }
    }
}

/// Splits a command line the way a POSIX shell splits words: spaces
/// separate, single quotes keep everything, double quotes keep spaces,
/// backslash escapes one character. No expansion of any kind.
public func splitCommandLine(_ line: String) throws(CelerError) -> [String] {
    var words: [String] = []
    var word = ""
    var inWord = false
    var quote: Character? = nil
    var escape = false
    for ch in line {
        if escape { word.append(ch); escape = false; inWord = true; continue }
        if let q = quote {
            if ch == q { quote = nil } else if ch == "\\" && q == "\"" { escape = true } else { word.append(ch) }
            continue
        }
        switch ch {
        case "'", "\"": quote = ch; inWord = true
        case "\\": escape = true
        case " ", "\t", "\n":
            if inWord { words.append(word); word = ""; inWord = false }
        default: word.append(ch); inWord = true
        }
    }
    if quote != nil { throw CelerError("command", "unterminated quote in '\(line)'") }
    if inWord { words.append(word) }
    return words
}
