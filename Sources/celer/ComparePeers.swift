import CelerCore
import CelerWorkloads
import Dispatch
import Foundation

/// Runs the Python peers of `peers/run_peer.py` for one configured workload
/// and turns their JSON lines into comparison rows, checked against the same
/// values as Celer's rungs.
struct PeerRunner {
    static let install = "pip install -r peers/requirements.txt"

    /// Peer names per workload (for `--variant` and `--list`); mirrors PEERS in run_peer.py.
    static let peers: [String: [String]] = [
        "julia": ["python", "numpy", "numba", "numba-parallel", "cython-prange"],
        "mandelbrot": ["python", "numpy", "numba", "numba-parallel", "cython-prange"],
        "sieve": ["python", "numpy", "numba", "numba-parallel", "cython-prange", "primesieve"],
        "derivative": ["python", "numpy", "numexpr", "numba-parallel", "cython-prange"],
        "laplacian": ["python", "numpy", "numexpr", "numba-parallel", "cython-prange"],
        "diffusion": ["python", "numpy", "numba-parallel", "cython-prange"],
        "add": ["python", "numpy", "numpy-out", "numexpr", "numba-parallel", "cython-prange"],
    ]

    static func peerNames(for workloads: [String]) -> [String] {
        workloads.flatMap { peers[$0] ?? [] }
    }

    let script: String
    let python: String

    /// The peers script: $CELER_PEERS_DIR, ./peers, or beside the package the
    /// binary was built in (.build/<config>/celer → ../../peers).
    static func locateScript() -> String? {
        let fm = FileManager.default
        var candidates: [String] = []
        if let dir = ProcessInfo.processInfo.environment["CELER_PEERS_DIR"] { candidates.append(dir) }
        candidates.append(fm.currentDirectoryPath + "/peers")
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("peers").path)
            dir = dir.deletingLastPathComponent()
        }
        return candidates.map { $0 + "/run_peer.py" }.first { fm.fileExists(atPath: $0) }
    }

    struct Record: Decodable {
        var workload: String
        var impl: String
        var threads: Int
        var times: [Double]
        var compile_s: Double?
        var validation: [[String]]
        var skipped: String?
        var error: String?
    }

    /// Rows for every peer of `study` (or those named in `variants`). Never
    /// throws: a missing interpreter or package becomes a skipped row that
    /// says what to install.
    func rows(for study: ConfiguredCaseStudy, celerRows: [ComparisonRow], variants: [String]?,
              settings: HarnessSettings, threads: Int, maxRun: Double,
              ceilings: MachineCeilings?) -> [ComparisonRow] {
        var names = PeerRunner.peers[study.name] ?? []
        if let v = variants { names = names.filter(v.contains) }
        if names.isEmpty { return [] }
        // The values Celer's rows were checked against; without Celer rows, the reference rung's.
        let (expected, reference) = celerRows.first.map { ($0.expected, $0.reference) } ?? Harness.reference(study)
        let baseline = celerRows.first { $0.median != nil }?.median
        let work = expected.isEmpty ? nil : study.work(expected)
        func skippedRow(_ impl: String, _ why: String) -> ComparisonRow {
            ComparisonRow(workload: study.name, variant: impl, kind: .peer, parameters: study.parameters,
                          threads: 1, expected: expected, reference: reference, skipped: why)
        }

        let params = JSON.object(study.parameters.map { ($0.name, JSON.value($0.value)) })
        let args = [script, study.name, "--params", params,
                    "--repeat", String(settings.repeats), "--warmup", String(settings.warmup),
                    "--threads", String(threads), "--budget", String(settings.budgetSeconds),
                    "--max-run", String(maxRun), "--impls", names.joined(separator: ",")]
        // Compiles (Cython's first build), warm-ups and pure Python's limit, with room to spare.
        let timeout = 180 + Double(names.count) * (4 * settings.budgetSeconds + 2 * maxRun + 10)
        let result = PeerRunner.runProcess(python, args, environment: PeerRunner.threadEnvironment(threads),
                                           timeout: timeout)
        var records: [Record] = []
        let decoder = JSONDecoder()
        for line in result.stdout.split(separator: "\n") {
            if let r = try? decoder.decode(Record.self, from: Data(line.utf8)) { records.append(r) }
        }
        var rows: [ComparisonRow] = []
        for impl in names {
            guard let r = records.first(where: { $0.impl == impl }) else {
                let why: String
                if let launch = result.launchError {
                    why = "\(python) not runnable (\(launch)); install Python 3, then \(PeerRunner.install)"
                } else if result.timedOut {
                    why = "peers stopped after \(Int(timeout)) s"
                } else {
                    let last = result.stderr.split(separator: "\n").last.map(String.init) ?? "exit status \(result.status)"
                    why = "peer failed: \(last.trimmingSpaces()) (\(PeerRunner.install))"
                }
                rows.append(skippedRow(impl, why))
                continue
            }
            if let s = r.skipped { rows.append(skippedRow(impl, s)); continue }
            if let e = r.error {
                // Ran and crashed: a failure (no validation values), with the error as its summary.
                rows.append(ComparisonRow(workload: study.name, variant: impl, kind: .peer, summary: "error: \(e)",
                                          parameters: study.parameters, threads: r.threads,
                                          requestedRuns: max(1, settings.repeats), expected: expected,
                                          reference: reference))
                continue
            }
            let values = PeerRunner.validation(r.validation, matching: expected)
            let row = ComparisonRow(
                workload: study.name, variant: impl, kind: .peer, parameters: study.parameters,
                threads: r.threads, times: r.times, requestedRuns: max(1, settings.repeats),
                compileSeconds: r.compile_s, validation: values, expected: expected,
                reference: reference, work: work,
                ceiling: work.flatMap { ceilings?.ceiling(for: $0.bound, threads: r.threads) },
                baselineMedian: baseline)
            rows.append(row)
        }
        return rows
    }

    /// Peer values named and ordered like `expected`: matched by name (case,
    /// `_` and `-` ignored), else by position when the counts agree; values
    /// that `expected` does not name are dropped.
    static func validation(_ raw: [[String]], matching expected: [ValidationValue]) -> [ValidationValue] {
        let values: [ValidationValue] = raw.compactMap { t in
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
                out.append(rename(v, e.name))
            } else if values.count == expected.count {
                out.append(rename(values[i], e.name))
            }
        }
        return out
    }

    static func rename(_ v: ValidationValue, _ name: String) -> ValidationValue {
        switch v.value {
        case .integer(let i): return ValidationValue(name, i)
        case .real(let d): return ValidationValue(name, d)
        }
    }

    /// Thread settings for every peer library (read at import time).
    static func threadEnvironment(_ threads: Int) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["OMP_NUM_THREADS"] = String(threads)
        env["NUMBA_NUM_THREADS"] = String(threads)
        env["NUMEXPR_MAX_THREADS"] = String(max(threads, 1))
        env["NUMEXPR_NUM_THREADS"] = String(threads)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env
    }

    struct ProcessResult {
        var status: Int32 = -1
        var stdout = ""
        var stderr = ""
        var timedOut = false
        var launchError: String? = nil
    }

    /// Runs a program (looked up on PATH), collecting its output; terminates
    /// it (by its own process id) after `timeout` seconds.
    static func runProcess(_ program: String, _ arguments: [String], environment: [String: String]? = nil,
                           timeout: Double) -> ProcessResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [program] + arguments
        if let environment { p.environment = environment }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        var result = ProcessResult()
        do { try p.run() } catch {
            result.launchError = "\(error)"
            return result
        }
        let collected = OutputBox()
        let group = DispatchGroup()
        for (handle, isOut) in [(out.fileHandleForReading, true), (err.fileHandleForReading, false)] {
            group.enter()
            DispatchQueue.global().async {
                let data = handle.readDataToEndOfFile()
                collected.set(data, stdout: isOut)
                group.leave()
            }
        }
        let timer = DispatchWorkItem { [p] in if p.isRunning { collected.timedOut = true; p.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        p.waitUntilExit()
        timer.cancel()
        group.wait()
        result.status = p.terminationStatus
        result.stdout = String(decoding: collected.out, as: UTF8.self)
        result.stderr = String(decoding: collected.err, as: UTF8.self)
        result.timedOut = collected.timedOut
        // `env` reports a missing interpreter with status 127.
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
