import Foundation
import Testing
@testable import CelerPlot
import CelerCore
import CelerHarness
import CelerWorkloads
@testable import celer

/// `--grid formula|tutorial` on compare, render and profile.
@Suite struct GridCLITests {
    @Test func compareMapsTheGridIntoTheWorkloadOptions() throws {
        var raw = CompareOptions.Raw()
        #expect(try CompareOptions.parse(raw).workload.grid == .formula)
        raw.grid = "tutorial"
        #expect(try CompareOptions.parse(raw).workload.grid == .tutorial)
        raw.grid = "FORMULA"
        #expect(try CompareOptions.parse(raw).workload.grid == .formula)
        raw.grid = "spiral"
        #expect { try CompareOptions.parse(raw) } throws: { ($0 as? CelerError)?.subject == "--grid" }
    }

    @Test func compareRejectsAnUnknownGridWithOneLine() throws {
        let r = try CLI.celer(["compare", "mandelbrot", "--grid", "spiral"])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("--grid"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    /// A small tutorial-grid comparison (in process, without ceilings):
    /// every rung checked against the naive rung, the points sampled (with
    /// the extra column) and the grid in the rows' parameters.
    @Test func compareRunsTheTutorialGridAndReportsThePointsSampled() throws {
        var raw = CompareOptions.Raw()
        raw.names = ["mandelbrot", "julia"]
        raw.grid = "tutorial"
        raw.size = "7x7"
        raw.maxiter = "80"
        let options = try CompareOptions.parse(raw)
        for study in options.studies {
            let configured = try study.configure(options.workload)
            #expect(configured.expected == nil)
            let rows = try Harness.run(configured, settings: HarnessSettings(repeats: 1, warmup: 0, budgetSeconds: 1))
            #expect(rows.count == configured.rungs.count)
            // Rungs of backends absent here (GPU, MPI) are skipped rows; the CPU ladder runs.
            let ran = rows.filter { $0.skipped == nil }
            #expect(ran.count >= (study.name == "mandelbrot" ? 5 : 4), "\(rows.map { "\($0.variant): \($0.skipped ?? "ran")" })")
            for row in ran {
                #expect(row.ok == true, "\(study.name)/\(row.variant): \(row.validation) vs \(row.expected)")
                let line = ComparisonFormatter.parametersLine(row.parameters)
                #expect(line.contains("grid=tutorial divisions=7x7"), "\(line)")
                #expect(line.contains(study.name == "mandelbrot" ? "width=8 height=7" : "width=7 height=7"), "\(line)")
                #expect(row.validation.map(\.name) == (study.name == "mandelbrot" ? ["sum", "updates", "escaped"] : ["sum"]))
            }
        }
    }

    /// The Python peers, given a study's parameters as `compare --peers`
    /// passes them, reproduce the Swift naive rung on the tutorial grid.
    @Test(.enabled(if: CLI.hasNumpy, "python3 with numpy is not installed: pip install -r peers/requirements.txt"),
          arguments: [([7, 7], [-2.13, 0.77, -1.3, 1.3], 80), ([13, 5], [-1.5, 0.5, -0.9, 0.9], 300)])
    func peersReproduceTheTutorialGrid(size: [Int], region: [Double], maxiter: Int) throws {
        var options = WorkloadOptions()
        options.grid = .tutorial
        options.size = size
        options.region = region
        options.maxiter = maxiter
        let studies: [(String, [Parameter], [ValidationValue])] = [
            ("mandelbrot", Mandelbrot.parameters(try Mandelbrot.configure(options)), try {
                let run = try #require(Mandelbrot.rungs[0].prepare(try Mandelbrot.configure(options)).ready)
                run.run(); return run.validation() }()),
            ("julia", Julia.parameters(try Julia.configure(options)), try {
                let run = try #require(Julia.rungs[0].prepare(try Julia.configure(options)).ready)
                run.run(); return run.validation() }()),
        ]
        let py = try #require(CLI.python)
        for (name, parameters, expected) in studies {
            let params = JSON.object(parameters.map { ($0.name, JSON.value($0.value)) })
            let r = try CLI.run(py, ["peers/run_peer.py", name, "--params", params, "--impls", "python,numpy",
                                     "--repeat", "1", "--warmup", "0"])
            #expect(r.status == 0, "\(r.stderr)")
            let records = r.stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(records.count == 2)
            for record in records {
                let got = (record["validation"] as? [[String]])?.map { "\($0[0])=\($0[2])" }
                #expect(got == expected.map(\.description), "\(name) \(record["impl"] ?? "?"): \(record)")
            }
        }
    }

    /// The registry's backend rungs under the tutorial grid: the MPI worker
    /// builds only the formula grid, so its rungs refuse and say why.
    @Test func mpiRungsRefuseTheTutorialGrid() throws {
        var options = WorkloadOptions()
        options.grid = .tutorial
        options.preset = .small
        for study in Registry.studies where ["julia", "mandelbrot"].contains(study.name) {
            let configured = try study.configure(options)
            for rung in configured.rungs where rung.name.hasPrefix("mpi-") {
                #expect(rung.prepare().refusal?.contains("--grid tutorial") == true, "\(study.name)/\(rung.name)")
            }
        }
    }

    @Test func renderSamplesTheTutorialGridTopRowFirst() throws {
        let plain = try RenderCommand.parse(["mandelbrot"]).request()
        #expect(plain.width == 1000 && !plain.topRowFirst && plain.grid == .formula)
        // 1000 divisions of [−2.13, 0.77) accumulate to 1001 columns.
        let tutorial = try RenderCommand.parse(["mandelbrot", "--grid", "tutorial"]).request()
        #expect(tutorial.width == 1001 && tutorial.height == 1000 && tutorial.topRowFirst)
        let julia = try RenderCommand.parse(["julia", "--grid", "tutorial", "--size", "3x3"]).request()
        #expect(julia.width == 4 && julia.height == 4)
        #expect(throws: CelerError.self) { try RenderCommand.parse(["julia", "--grid", "spiral"]).request() }
    }

    @Test func colorizeKeepsRowOrderForTopRowFirst() {
        // Row 0 (top): inside, then the smallest outside value; row 1 (bottom): the largest.
        let rgb = colorize([-1, 2, 7, 7], width: 2, height: 2, map: ColorMap.viridis, topRowFirst: true)
        #expect(Array(rgb[0..<6]) == [0, 0, 0, 68, 1, 84])
        #expect(Array(rgb[6..<12]) == [253, 231, 37, 253, 231, 37])
    }
}
