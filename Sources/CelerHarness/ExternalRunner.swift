import CelerCore
import Dispatch
import Foundation

// One way to run work in another process and read its results back: spawn a
// program, collect its output (stopping it after a timeout), and read the
// JSON-line records it prints. The Python peers use it (one process, one
// record per peer); MPI rungs use it (`mpirun … celer mpi-worker`, one record
// from rank 0). A program that is missing, fails or says it skipped becomes a
// skipped row that tells the user what to install.

/// One line of JSON an external run prints:
/// `{"impl": "numba", "threads": 2, "times": [0.01, …], "compile_s": 0.8,
///   "validation": [["sum", "i", "33219980"]], "skipped": null, "error": null,
///   "backend": {"kind": "mpi", "ranks": 3, "threads_per_rank": 2}}`
/// (`validation` entries are name, `i` or `r`, value as text; `backend` is
/// optional and defaults to `threads` threads on the CPU).
public struct ExternalRecord: Decodable, Sendable, Equatable {
    public struct BackendRecord: Decodable, Sendable, Equatable {
        public var kind: String
        public var ranks: Int?
        public var threads_per_rank: Int?
        public var device: String?
        public init(kind: String, ranks: Int? = nil, threads_per_rank: Int? = nil, device: String? = nil) {
            self.kind = kind; self.ranks = ranks; self.threads_per_rank = threads_per_rank; self.device = device
        }
    }
    public var impl: String
    public var threads: Int
    public var times: [Double]
    public var compile_s: Double?
    public var validation: [[String]]
    public var skipped: String?
    public var error: String?
    public var backend: BackendRecord?

    public init(impl: String, threads: Int, times: [Double], compile_s: Double? = nil,
                validation: [[String]], skipped: String? = nil, error: String? = nil,
                backend: BackendRecord? = nil) {
        self.impl = impl; self.threads = threads; self.times = times; self.compile_s = compile_s
        self.validation = validation; self.skipped = skipped; self.error = error; self.backend = backend
    }

    /// The backend the record says it ran on.
    public var resolvedBackend: Backend {
        switch backend?.kind {
        case "mpi": return .mpi(ranks: max(1, backend?.ranks ?? 1), threadsPerRank: max(1, backend?.threads_per_rank ?? 1))
        case "gpu": return .gpu(device: backend?.device ?? "unknown")
        default: return .cpu(threads: threads)
        }
    }

    /// The record's values named and ordered like `expected`: matched by
    /// name (case, `_` and `-` ignored), else by position when the counts
    /// agree; values that `expected` does not name are dropped.
    public func values(matching expected: [ValidationValue]) -> [ValidationValue] {
        let values: [ValidationValue] = validation.compactMap { t in
            guard t.count == 3 else { return nil }
            if t[1] == "i", let v = Int64(t[2]) { return ValidationValue(t[0], v) }
            if let d = Double(t[2]) { return ValidationValue(t[0], d) }
            return nil
        }
        guard !expected.isEmpty else { return values }
        func key(_ s: String) -> String { s.lowercased().filter { $0.isLetter || $0.isNumber } }
        var out: [ValidationValue] = []
        for (i, e) in expected.enumerated() {
            if let v = values.first(where: { key($0.name) == key(e.name) }) {
                out.append(v.renamed(e.name))
            } else if values.count == expected.count {
                out.append(values[i].renamed(e.name))
            }
        }
        return out
    }

    /// The comparison row of this record (skipped, failed or timed).
    public func row(workload: String, variant: String, kind: ComparisonRow.Kind, summary: String = "",
                    parameters: [Parameter], requestedRuns: Int, expected: [ValidationValue],
                    reference: ReferenceSource) -> ComparisonRow {
        var row = ComparisonRow(workload: workload, variant: variant, kind: kind, summary: summary,
                                parameters: parameters, backend: resolvedBackend,
                                requestedRuns: requestedRuns, expected: expected, reference: reference)
        if let s = skipped { row.skipped = s; return row }
        if let e = error {
            // Ran and crashed: a failure (no validation values), with the error as its summary.
            row.summary = "error: \(e)"
            return row
        }
        row.times = times
        row.compileSeconds = compile_s
        row.validation = values(matching: expected)
        return row
    }
}

/// What a finished child process gave.
public struct ExternalResult: Sendable {
    public var status: Int32 = -1
    public var stdout = ""
    public var stderr = ""
    public var timedOut = false
    /// Why the program could not be started, if it could not.
    public var launchError: String? = nil
    /// Every line of stdout that decodes as an `ExternalRecord`.
    public var records: [ExternalRecord] = []

    /// One line saying why no record came from this run, for a skipped row.
    public func failure(_ run: ExternalRun) -> String {
        if let launch = launchError { return "\(run.program) not runnable (\(launch)); \(run.installHint)" }
        if timedOut { return "stopped after \(Int(run.timeout)) s" }
        let last = stderr.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) }
            ?? "exit status \(status)"
        return "failed: \(last) (\(run.installHint))"
    }
}

/// Spawns external runs and reads their records.
public struct ExternalRunner: Sendable {
    public init() {}

    /// Runs `run.program` with its arguments and environment, stopping it
    /// after `run.timeout` seconds, and decodes the records it printed.
    public func launch(_ run: ExternalRun) -> ExternalResult {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in run.environment { env[k] = v }
        var result = Self.runProcess(run.program, run.arguments, environment: env, timeout: run.timeout)
        let decoder = JSONDecoder()
        for line in result.stdout.split(separator: "\n") where line.first == "{" {
            if let r = try? decoder.decode(ExternalRecord.self, from: Data(line.utf8)) { result.records.append(r) }
        }
        return result
    }

    /// Runs `ext` and turns its one record into a row; no record (missing
    /// program, crash, timeout) gives a skipped row saying why and what to install.
    public func run(_ ext: ExternalRun, workload: String, variant: String, kind: ComparisonRow.Kind,
                    summary: String, parameters: [Parameter], requestedRuns: Int,
                    expected: [ValidationValue], reference: ReferenceSource) -> ComparisonRow {
        let result = launch(ext)
        if let r = result.records.first {
            return r.row(workload: workload, variant: variant, kind: kind, summary: summary,
                         parameters: parameters, requestedRuns: requestedRuns,
                         expected: expected, reference: reference)
        }
        return ComparisonRow(workload: workload, variant: variant, kind: kind, summary: summary,
                             parameters: parameters, requestedRuns: requestedRuns, expected: expected,
                             reference: reference, skipped: result.failure(ext))
    }

    /// Runs a program (looked up on PATH), collecting its output; terminates
    /// it after `timeout` seconds.
    public static func runProcess(_ program: String, _ arguments: [String], environment: [String: String]? = nil,
                                  timeout: Double) -> ExternalResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [program] + arguments
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        var result = ExternalResult()
        do { try p.run() } catch {
            result.launchError = "\(error)"
            return result
        }
        let collected = OutputBox()
        let group = DispatchGroup()
        // Serial queues of their own (not the width-limited global queue): the
        // two blocking reads must never keep the timeout from firing.
        for (handle, isOut) in [(out.fileHandleForReading, true), (err.fileHandleForReading, false)] {
            group.enter()
            DispatchQueue(label: "celer.external.read").async {
                let data = handle.readDataToEndOfFile()
                collected.set(data, stdout: isOut)
                group.leave()
            }
        }
        let pid = p.processIdentifier
        // SIGTERM first (mpirun forwards it to its ranks), SIGKILL 2 s later
        // for a child that ignores it (or inherited it blocked).
        let timer = DispatchWorkItem { [p] in
            guard p.isRunning else { return }
            collected.timedOut = true
            kill(pid, SIGTERM)
            for _ in 0..<20 where p.isRunning { usleep(100_000) }
            if p.isRunning { kill(pid, SIGKILL) }
        }
        DispatchQueue(label: "celer.external.timeout").asyncAfter(deadline: .now() + timeout, execute: timer)
        p.waitUntilExit()
        timer.cancel()
        group.wait()
        result.status = p.terminationStatus
        result.stdout = String(decoding: collected.out, as: UTF8.self)
        result.stderr = String(decoding: collected.err, as: UTF8.self)
        result.timedOut = collected.timedOut
        // `env` reports a missing program with status 127.
        if result.status == 127 && result.stdout.isEmpty {
            result.launchError = "\(program): command not found"
        }
        return result
    }
}

/// Output of a child process, filled from two reader threads.
private final class OutputBox: @unchecked Sendable {
    private let lock = NSLock()
    private var _out = Data(), _err = Data(), _timedOut = false
    func set(_ d: Data, stdout: Bool) { lock.lock(); if stdout { _out = d } else { _err = d }; lock.unlock() }
    var out: Data { lock.lock(); defer { lock.unlock() }; return _out }
    var err: Data { lock.lock(); defer { lock.unlock() }; return _err }
    var timedOut: Bool {
        get { lock.lock(); defer { lock.unlock() }; return _timedOut }
        set { lock.lock(); _timedOut = newValue; lock.unlock() }
    }
}
