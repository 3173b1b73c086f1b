import CelerCore
import Testing
import CelerHarness
@testable import CelerWorkloads

/// Diffusion written straight from its definition (flat grid, indices mod R and C).
private func referenceDiffusion(_ config: Diffusion.Config) -> [Double] {
    let rows = config.rows, cols = config.cols
    var u = [Double](repeating: 0, count: rows * cols)
    for i in Int(0.4 * Double(rows))..<Int(0.5 * Double(rows)) {
        for j in Int(0.4 * Double(cols))..<Int(0.5 * Double(cols)) { u[i * cols + j] = 0.005 }
    }
    func at(_ g: [Double], _ i: Int, _ j: Int) -> Double { g[((i + rows) % rows) * cols + (j + cols) % cols] }
    for _ in 0..<config.steps {
        var next = u
        for i in 0..<rows {
            for j in 0..<cols {
                let lap = ((at(u, i - 1, j) + at(u, i + 1, j)) + at(u, i, j - 1)) + at(u, i, j + 1) - 4 * at(u, i, j)
                next[i * cols + j] = at(u, i, j) + (config.diffusivity * config.dt) * lap
            }
        }
        u = next
    }
    return u
}

/// The final grid of each pointer rung, and of the blocked rung with the given cuts.
private func diffusionOutputs(_ config: Diffusion.Config, cuts: [(bands: Int, depth: Int)]) -> [String: [Double]] {
    let initial = Diffusion.makeInput(config)
    let a = AlignedBuffer<Double>(repeating: .nan, count: config.count)
    let b = AlignedBuffer<Double>(repeating: .nan, count: config.count)
    var results: [String: [Double]] = [:]
    let kernels: [(String, (UnsafePointer<Double>, Diffusion.Config, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void)] = [
        ("tuned", Diffusion.tuned), ("simd", Diffusion.simd), ("parallel", Diffusion.parallel),
    ]
    for (name, kernel) in kernels {
        kernel(UnsafePointer(initial.pointer), config, a.pointer, b.pointer)
        results[name] = Array(a.buffer)
    }
    for cut in cuts {
        let plan = Diffusion.BlockingPlan(config, bands: cut.bands, depth: cut.depth)
        Diffusion.blocked(UnsafePointer(initial.pointer), config, a.pointer, b.pointer, plan: plan)
        results["blocked \(cut.bands) bands, depth \(cut.depth)"] = Array(a.buffer)
    }
    return results
}

@Test(arguments: [(1, 1), (1, 5), (5, 1), (2, 2), (2, 3), (3, 7), (10, 10), (17, 13), (12, 9), (7, 8), (6, 23)])
func diffusionRungsMatchDefinitionBitForBit(rows: Int, cols: Int) {
    for steps in [0, 1, 2, 7, 13] {
        let config = Diffusion.Config(rows: rows, cols: cols, steps: steps)
        let reference = referenceDiffusion(config)
        let cuts = [(1, 1), (1, 4), (2, 3), (3, 2), (5, 8), (2, 64)]
        for (name, grid) in diffusionOutputs(config, cuts: cuts) {
            #expect(grid.map(\.bitPattern) == reference.map(\.bitPattern), "\(name), \(rows)x\(cols), \(steps) steps")
        }
    }
}

@Test func diffusionNaiveMatchesDefinition() {
    let config = Diffusion.Config(rows: 7, cols: 11, steps: 9)
    let rung = Diffusion.rungs[0]
    #expect(rung.name == "naive")
    let prepared = rung.prepare(config).ready!
    prepared.run()
    prepared.run()  // a second run starts again from the initial grid
    let reference = referenceDiffusion(config)
    let expected = reference.withUnsafeBufferPointer(Diffusion.validationSummary)
    #expect(prepared.validation() == expected)
}

@Test func diffusionValidationMatchesExactValuesAt50x70() {
    // Exactly rounded sums (math.fsum) over NumPy's np.roll evaluation.
    let config = Diffusion.Config(rows: 50, cols: 70, steps: 30)
    for rung in Diffusion.rungs {
        let prepared = rung.prepare(config).ready!
        prepared.run()
        let values = prepared.validation()
        #expect(values.map(\.name) == ["sum", "max", "sum_sq"])
        #expect(values[0].matches(ValidationValue("sum", 0.175)), "\(rung.name): \(values)")
        #expect(values[1] == ValidationValue("max", 0.0029640193506365172), "\(rung.name): \(values)")
        #expect(values[2].matches(ValidationValue("sum_sq", 0.0002675381740148824)), "\(rung.name): \(values)")
    }
}

@Test func diffusionSeedGridAfterTenSteps() throws {
    var options = WorkloadOptions()
    options.preset = .seed
    options.steps = 10
    let config = try Diffusion.configure(options)
    let expected = try #require(Diffusion.expected(config))
    for rung in Diffusion.rungs where rung.name == "tuned" {  // the other rungs match it bit for bit (above)
        let prepared = rung.prepare(config).ready!
        prepared.run()
        let values = prepared.validation()
        for (value, exact) in zip(values, expected) { #expect(value.matches(exact), "\(rung.name): \(value)") }
    }
}

@Test func diffusionPresetsAndWork() throws {
    var options = WorkloadOptions()
    let config = try Diffusion.configure(options)
    #expect(config == Diffusion.Config(rows: 640, cols: 640, steps: 500))
    #expect(Diffusion.expected(config)?[1] == ValidationValue("max", 0.0049859556767277834))
    #expect(Diffusion.rungs.map(\.name) == ["naive", "ndarray", "tuned", "simd", "parallel", "blocked"])
    #expect(Diffusion.work(config, counted: nil).flops == 7 * 640 * 640 * 500)
    options.size = [1, 1]
    options.steps = 0
    #expect(try Diffusion.configure(options) == Diffusion.Config(rows: 1, cols: 1, steps: 0))
}

@Test func diffusionRejectsBadOptions() {
    for bad in [[0, 5], [5, 0], [-1, 3], [4], [1 << 20, 1 << 12]] {
        var options = WorkloadOptions()
        options.size = bad
        #expect(throws: CelerError.self) { try Diffusion.configure(options) }
    }
    for steps in [-1, 10_000_001] {
        var options = WorkloadOptions()
        options.steps = steps
        do { _ = try Diffusion.configure(options); Issue.record("steps \(steps) accepted") } catch {
            #expect(error.subject == "--steps")
        }
    }
}

@Test func diffusionWorkBoundFollowsTheCache() {
    // Two 640² grids (6.5 MB) fit the last-level cache: only the first read and
    // the last write reach memory. Grids far beyond it stream every step.
    let small = Diffusion.work(Diffusion.Config(rows: 640, cols: 640, steps: 500), counted: nil)
    if 2 * 8 * 640 * 640 <= StreamingStore.lastLevelCache {  // any machine with an LLC of 6.5 MB or more
        #expect(small.bound == .compute && small.bytes == 2 * 8 * 640 * 640)
    } else {
        #expect(small.bound == .memory && small.bytes == 500 * 2 * 8 * 640 * 640)
    }
    let huge = Diffusion.work(Diffusion.Config(rows: 20000, cols: 20000, steps: 3), counted: nil)
    #expect(huge.bound == .memory && huge.bytes == 3 * 2 * 8 * 20000 * 20000)
    #expect(huge.flops == 7 * 20000 * 20000 * 3)
}
