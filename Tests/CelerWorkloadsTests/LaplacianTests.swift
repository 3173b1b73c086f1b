import CelerCore
import Testing
import CelerHarness
@testable import CelerWorkloads

/// The Laplacian written straight from its definition, for comparison.
private func referenceLaplacian(_ config: Laplacian.Config) -> [Double] {
    let g = SplitMix64(seed: 42)
    let m = config.cols, dx = config.dx, dy = config.dy
    func f(_ i: Int, _ j: Int) -> Double { g.uniform(i * m + j) }
    var out: [Double] = []
    for i in 1..<(config.rows - 1) {
        for j in 1..<(m - 1) {
            out.append((f(i - 1, j) + f(i + 1, j)) / (dx * dx) + (f(i, j - 1) + f(i, j + 1)) / (dy * dy)
                - f(i, j) * (2 / (dx * dx) + 2 / (dy * dy)))
        }
    }
    return out
}

private func laplacianOutputs(_ config: Laplacian.Config) -> [String: [Double]] {
    let f = Laplacian.makeInput(config)
    let input = UnsafeBufferPointer(f.buffer)
    let count = config.outputRows * config.outputCols
    var results: [String: [Double]] = [:]
    let nested = (0..<config.rows).map { Array(input[($0 * config.cols)..<(($0 + 1) * config.cols)]) }
    var naive = [[Double]](repeating: [Double](repeating: .nan, count: config.outputCols), count: config.outputRows)
    Laplacian.naive(nested, dx: config.dx, dy: config.dy, out: &naive)
    results["naive"] = naive.flatMap { $0 }
    let kernels: [(String, (UnsafeBufferPointer<Double>, Laplacian.Config, UnsafeMutableBufferPointer<Double>) -> Void)] = [
        ("tuned", { Laplacian.tuned($0, $1, out: $2) }),
        ("simd", { Laplacian.simd($0, $1, out: $2) }),
        ("parallel", { Laplacian.parallel($0, $1, out: $2) }),
        ("parallel, streaming", { Laplacian.parallel($0, $1, out: $2, streaming: true) }),
    ]
    for (name, kernel) in kernels {
        let out = AlignedBuffer<Double>(repeating: .nan, count: count)
        kernel(input, config, out.buffer)
        results[name] = Array(out.buffer)
    }
    return results
}

@Test(arguments: [(3, 3), (3, 4), (4, 3), (3, 11), (11, 3), (5, 7), (6, 10), (13, 17), (8, 9), (31, 37)])
func laplacianRungsMatchDefinitionBitForBit(rows: Int, cols: Int) {
    for (dx, dy) in [(1.0, 1.0), (0.3, 0.7), (0.5, 2.0)] {  // (0.3, 0.7): the rungs divide
        let config = Laplacian.Config(rows: rows, cols: cols, dx: dx, dy: dy)
        let reference = referenceLaplacian(config)
        for (name, out) in laplacianOutputs(config) {
            #expect(out.map(\.bitPattern) == reference.map(\.bitPattern), "rung \(name), \(rows)x\(cols), dx \(dx), dy \(dy)")
        }
    }
}

@Test func laplacianValidationMatchesExactSumsAt101x103() {
    // Exactly rounded (math.fsum) over the NumPy evaluation of the definition.
    for rung in Laplacian.rungs {
        let prepared = rung.prepare(Laplacian.Config(rows: 101, cols: 103)).ready!
        prepared.run()
        let values = prepared.validation()
        #expect(values.count == 2)
        #expect(values[0].matches(ValidationValue("sum", -5.32257164650244)), "\(rung.name): \(values)")
        #expect(values[1].matches(ValidationValue("sum_abs", 10826.628475867174)), "\(rung.name): \(values)")
    }
}

@Test func laplacianPresetsAndExpectedValues() throws {
    var options = WorkloadOptions()
    #expect(try Laplacian.configure(options) == Laplacian.Config(rows: 4000, cols: 4000))
    options.preset = .seed
    let seed = try Laplacian.configure(options)
    #expect(seed == Laplacian.Config(rows: 10000, cols: 10000))
    #expect(Laplacian.expected(seed)?[0] == ValidationValue("sum", 44.219397988866035))
    #expect(Laplacian.expected(Laplacian.Config(rows: 2000, cols: 2000))?[1] == ValidationValue("sum_abs", 4327364.339032597))
    #expect(Laplacian.expected(Laplacian.Config(rows: 2000, cols: 2001)) == nil)
    #expect(Laplacian.work(Laplacian.Config(rows: 4, cols: 5), counted: nil) == Work(flops: 42, bytes: 8 * 20 + 8 * 6, bound: .memory))
}

@Test(arguments: [[2, 5], [5, 2], [0, 0], [-3, 4], [4], [3, 3, 3], [1 << 16, 1 << 16]])
func laplacianRejectsBadSizes(size: [Int]) {
    var options = WorkloadOptions()
    options.size = size
    #expect(throws: CelerError("--size", "invalid value '\(size.map(String.init).joined(separator: ","))'; give ROWS,COLS with each >= 3, at most 2^31 points in all")) {
        try Laplacian.configure(options)
    }
}
