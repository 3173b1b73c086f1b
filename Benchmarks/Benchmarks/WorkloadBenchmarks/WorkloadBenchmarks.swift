import Benchmark
import CelerHarness
import CelerWorkloads

// Every rung of every case study at its default size (the sizes of
// `celer compare`), for tracking regressions with package-benchmark's
// baselines (`swift package benchmark baseline update/check`). Validation and
// the side-by-side peer comparison belong to `celer compare`; here only the
// timed part (`PreparedRun.run`) is measured, inputs prepared outside it.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 1,
        maxDuration: .seconds(2), maxIterations: 20)

    var options = WorkloadOptions()
    options.preset = .default
    for study in CaseStudies.all {
        guard let configured = try? study.configure(options) else { continue }
        for rung in configured.rungs where rung.name != "naive" {
            Benchmark("\(study.name)/\(rung.name)") { benchmark in
                let prepared = rung.prepare()
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations { prepared.run() }
                benchmark.stopMeasurement()
            }
        }
    }
}
