import CelerCore
import CelerHarness
import CelerWorkloads
import Foundation

/// Runs the Python peers of `peers/run_peer.py` for one configured workload
/// through the harness's `ExternalRunner` and turns their JSON lines into
/// comparison rows, checked against the same values as Celer's rungs.
struct PeerRunner {
    static let install = "pip install -r peers/requirements.txt"

    /// The one peer table, `peers/peers.json` (run_peer.py reads the same
    /// file): peer names per workload in table order. Empty when the peers
    /// directory is not found.
    static let peers: [String: [String]] = {
        guard let script = locateScript(),
              let data = FileManager.default.contents(atPath: (script as NSString).deletingLastPathComponent + "/peers.json"),
              let table = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let workloads = table["workloads"] as? [String: [String]] else { return [:] }
        return workloads
    }()

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

    /// Rows for every peer of `study` (or those named in `variants`). Never
    /// throws: a missing interpreter or package becomes a skipped row that
    /// says what to install.
    func rows(for study: ConfiguredCaseStudy, celerRows: [ComparisonRow], variants: [String]?,
              settings: HarnessSettings, threads: Int, maxRun: Double,
              ceilings: (any CeilingSource)?) -> [ComparisonRow] {
        var names = PeerRunner.peers[study.name] ?? []
        if let v = variants { names = names.filter(v.contains) }
        if names.isEmpty { return [] }
        // The values Celer's rows were checked against; without Celer rows, the reference rung's.
        let (expected, reference) = celerRows.first.map { ($0.expected, $0.reference) } ?? Harness.reference(study)
        let baseline = celerRows.first { $0.median != nil }?.median
        let work = expected.isEmpty ? nil : study.work(expected)

        let params = JSON.object(study.parameters.map { ($0.name, JSON.value($0.value)) })
        let args = [script, study.name, "--params", params,
                    "--repeat", String(settings.repeats), "--warmup", String(settings.warmup),
                    "--threads", String(threads), "--budget", String(settings.budgetSeconds),
                    "--max-run", String(maxRun), "--impls", names.joined(separator: ",")]
        // Compiles (Cython's first build), warm-ups and pure Python's limit, with room to spare.
        let timeout = 180 + Double(names.count) * (4 * settings.budgetSeconds + 2 * maxRun + 10)
        let run = ExternalRun(program: python, arguments: args, environment: PeerRunner.threadEnvironment(threads),
                              timeout: timeout, installHint: "install Python 3, then \(PeerRunner.install)")
        let result = ExternalRunner().launch(run)
        let requested = max(1, settings.repeats)
        return names.map { impl in
            guard let r = result.records.first(where: { $0.impl == impl }) else {
                return ComparisonRow(workload: study.name, variant: impl, kind: .peer, parameters: study.parameters,
                                     expected: expected, reference: reference,
                                     skipped: "peer " + result.failure(run))
            }
            var row = r.row(workload: study.name, variant: impl, kind: .peer, parameters: study.parameters,
                            requestedRuns: requested, expected: expected, reference: reference)
            if row.skipped == nil && r.error == nil {
                row.work = work
                row.ceiling = work.flatMap { ceilings?.ceiling(for: $0.bound, backend: row.backend) }
                row.baselineMedian = baseline
            }
            return row
        }
    }

    /// Thread settings for every peer library (read at import time).
    static func threadEnvironment(_ threads: Int) -> [String: String] {
        [
            "OMP_NUM_THREADS": String(threads),
            "NUMBA_NUM_THREADS": String(threads),
            "NUMEXPR_MAX_THREADS": String(max(threads, 1)),
            "NUMEXPR_NUM_THREADS": String(threads),
            "PYTHONDONTWRITEBYTECODE": "1",
        ]
    }
}
