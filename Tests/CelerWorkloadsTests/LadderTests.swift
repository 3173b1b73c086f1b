import Testing
import CelerHarness
import CelerWorkloads

/// Every rung of every case study, at the small preset, reproduces the
/// workload's exact values where known, else the first (naive) rung's.
@Suite struct LadderTests {
    @Test(arguments: CaseStudies.all.map(\.name))
    func everyRungValidatesAtTheSmallPreset(workload: String) throws {
        var options = WorkloadOptions()
        options.preset = .small
        let study = try #require(CaseStudies.named(workload)).configure(options)
        #expect(study.rungs.count >= 4, "a ladder has at least naive, tuned or scalar, simd and parallel rungs")
        let reference: [ValidationValue]
        if let expected = study.expected {
            reference = expected
        } else {
            let first = study.rungs[0].prepare().ready!
            first.run()
            reference = first.validation()
        }
        for rung in study.rungs {
            let prepared = rung.prepare().ready!
            prepared.run()
            prepared.run()  // twice: a run must not depend on the state the previous one left
            let values = prepared.validation()
            #expect(values.count == reference.count, "\(workload)/\(rung.name)")
            for (value, ref) in zip(values, reference) {
                #expect(value.matches(ref), "\(workload)/\(rung.name): \(value) vs \(ref)")
            }
        }
    }

    @Test func namesAreUniqueAndEveryLadderHasAnNDArrayRungWhereTheTutorialsUseNumPy() {
        let names = CaseStudies.all.map(\.name)
        #expect(Set(names).count == names.count)
        for study in CaseStudies.all where ["sieve", "derivative", "laplacian", "diffusion", "add"].contains(study.name) {
            #expect(study.rungNames.contains("ndarray"), "\(study.name)")
        }
    }
}
