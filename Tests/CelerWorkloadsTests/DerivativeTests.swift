import CelerCore
import Testing
import CelerHarness
@testable import CelerWorkloads

/// The second derivative written straight from its definition, for comparison.
private func referenceDerivative(n: Int, dx: Double) -> [Double] {
    let g = SplitMix64(seed: 7)
    return (1..<(n - 1)).map { i in (g.uniform(i - 1) - 2 * g.uniform(i) + g.uniform(i + 1)) / (dx * dx) }
}

/// Every rung's output for (n, dx), from the kernels directly.
private func derivativeOutputs(n: Int, dx: Double) -> [String: [Double]] {
    let config = Derivative.Config(n: n, dx: dx)
    let f = Derivative.makeInput(config)
    let input = UnsafeBufferPointer(f.buffer)
    var results: [String: [Double]] = [:]
    var naive = [Double](repeating: .nan, count: n - 2)
    Derivative.naive(Array(input), dx: dx, out: &naive)
    results["naive"] = naive
    let kernels: [(String, (UnsafeBufferPointer<Double>, Double, UnsafeMutableBufferPointer<Double>) -> Void)] = [
        ("tuned", { Derivative.tuned($0, dx: $1, out: $2) }),
        ("simd", { Derivative.simd($0, dx: $1, out: $2) }),
        ("parallel", { Derivative.parallel($0, dx: $1, out: $2) }),
    ]
    for (name, kernel) in kernels {
        let out = AlignedBuffer<Double>(repeating: .nan, count: n - 2)
        kernel(input, dx, out.buffer)
        results[name] = Array(out.buffer)
    }
    return results
}

@Test(arguments: [3, 4, 5, 6, 7, 8, 9, 10, 13, 31, 64, 101, 1009])
func derivativeRungsMatchDefinitionBitForBit(n: Int) {
    for dx in [0.5, 0.3, 1.0] {  // 0.3: dx² is no power of two, so the rungs divide
        let reference = referenceDerivative(n: n, dx: dx)
        for (name, out) in derivativeOutputs(n: n, dx: dx) {
            #expect(out.map(\.bitPattern) == reference.map(\.bitPattern), "rung \(name), n \(n), dx \(dx)")
        }
    }
}

@Test func derivativeValidationMatchesExactSumsAt100003() {
    // Exactly rounded (math.fsum) over the NumPy evaluation of the definition.
    let config = Derivative.Config(n: 100_003)
    for rung in Derivative.rungs {
        let prepared = rung.prepare(config).ready!
        prepared.run()
        let values = prepared.validation()
        #expect(values.count == 2)
        #expect(values[0].matches(ValidationValue("sum", -0.8069817525248859)), "\(rung.name): \(values)")
        #expect(values[1].matches(ValidationValue("sum_abs", 234090.48949671426)), "\(rung.name): \(values)")
    }
}

@Test func derivativePresetsAndExpectedValues() throws {
    var options = WorkloadOptions()
    options.preset = .seed
    let seed = try Derivative.configure(options)
    #expect(seed == Derivative.Config(n: 10_000_000, dx: 0.5))
    #expect(Derivative.expected(seed)?.map(\.name) == ["sum", "sum_abs"])
    options.preset = .small
    #expect(Derivative.expected(try Derivative.configure(options)) == nil)
    #expect(Derivative.rungs.map(\.name) == ["naive", "ndarray", "tuned", "simd", "parallel"])
    let work = Derivative.work(seed, counted: nil)
    #expect(work.flops == 4 * 9_999_998 && work.bytes == 8 * 10_000_000 + 8 * 9_999_998)
}

@Test(arguments: [[2], [0], [-5], [3, 3], [], [1 << 31 + 1]])
func derivativeRejectsBadSizes(size: [Int]) {
    var options = WorkloadOptions()
    options.size = size
    #expect(throws: CelerError.self) { try Derivative.configure(options) }
    do { _ = try Derivative.configure(options) } catch { #expect(error.subject == "--size") }
}

@Test func streamingStoresWriteEveryElementAtAnyAlignment() {
    // The streaming path aligns the destination first; check every offset and length.
    let buffer = AlignedBuffer<Double>(repeating: -1, count: 64)
    for offset in 0..<4 {
        for count in 0..<19 {
            buffer.pointer.update(repeating: -1, count: 64)
            StreamingStore.storeSIMD4(count: count, to: buffer.pointer + offset, streaming: true,
                       vector: { i in SIMD4(Double(i), Double(i + 1), Double(i + 2), Double(i + 3)) },
                       scalar: { i in Double(i) })
            StreamingStore.fence()
            let written = (0..<64).map { buffer[$0] }
            let expected = (0..<64).map { k in k >= offset && k < offset + count ? Double(k - offset) : -1 }
            #expect(written == expected, "offset \(offset), count \(count)")
        }
    }
}

@Test func exactReciprocalOnlyForPowersOfTwo() {
    #expect(MultiplyByExactReciprocal.of(0.25)?.reciprocal == 4)
    #expect(MultiplyByExactReciprocal.of(1)?.reciprocal == 1)
    #expect(MultiplyByExactReciprocal.of(0.09) == nil)
    #expect(MultiplyByExactReciprocal.of(0) == nil)
    #expect(MultiplyByExactReciprocal.of(.infinity) == nil)
    #expect(MultiplyByExactReciprocal.of(0x1p-1022)?.reciprocal == 0x1p1022)
    #expect(MultiplyByExactReciprocal.of(0x1p1023) == nil)  // 2^-1023 is subnormal
}
