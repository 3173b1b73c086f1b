import CelerCore
import CelerHarness
import CelerWorkloads
import Testing

/// A backend written as a backend module would be: it imports the study's
/// algorithm (package-visible escape-time rows) and supplies only a new
/// schedule, then adds its rung through a `RungExtension`, without touching
/// Julia.swift. The schedule here is the simplest other one: rows one at a
/// time, bottom to top, on one thread ("serial copy").
enum ReversedRowsBackend {
    static var extensions: [RungExtension] {
        [RungExtension(Julia.self, rungs: [
            Rung("reversed", "the simd rows, one at a time from the last row up", backend: .serial) { config in
                prepared(config) { problem, out in
                    for row in (0..<problem.height).reversed() {
                        EscapeKernel.countRows(JuliaRule.self, problem, rows: row..<(row + 1), into: out)
                    }
                }
            },
        ])]
    }
}

@Suite struct ExampleBackendTests {
    @Test func aBackendModuleAddsAValidatedRungToJulia() throws {
        let julia = CaseStudies.all.first { $0.name == "julia" }!
        let extended = julia.extended(with: ReversedRowsBackend.extensions)
        #expect(extended.rungNames == julia.rungNames + ["reversed"])
        var options = WorkloadOptions()
        options.preset = .small
        options.size = [61, 37]   // odd, prime: rows and lanes that do not divide evenly
        let study = try extended.configure(options)
        let rows = try Harness.run(study, variants: ["simd", "reversed"],
                                   settings: HarnessSettings(repeats: 1, warmup: 0))
        #expect(rows.map(\.variant) == ["simd", "reversed"])
        // Checked against the naive rung (run once as the reference), pixel sums equal.
        #expect(rows.allSatisfy { $0.reference == .rung("naive") && $0.ok == true })
        #expect(rows[1].backend == .serial)
        #expect(rows[1].validation == rows[0].validation)
        #expect((rows[1].work?.flops ?? 0) > 0)   // counted from the marked sum
    }
}
