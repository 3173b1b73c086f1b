import CelerCore
import Testing
import CelerHarness
@testable import CelerWorkloads

@Test(arguments: [1, 2, 3, 4, 5, 7, 8, 9, 17, 1001])
func vectorAddRungsMatchDefinitionBitForBit(n: Int) {
    let a = SplitMix64(seed: 1), b = SplitMix64(seed: 2)
    let reference = (0..<n).map { a.uniform($0) + b.uniform($0) }
    let (x, y) = VectorAdd.makeInputs(VectorAdd.Config(n: n))
    let xs = UnsafeBufferPointer(x.buffer), ys = UnsafeBufferPointer(y.buffer)
    var naive = [Double](repeating: .nan, count: n)
    VectorAdd.naive(Array(xs), Array(ys), out: &naive)
    #expect(naive == reference)
    let kernels: [(String, (UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> Void)] = [
        ("tuned", { VectorAdd.tuned($0, $1, out: $2) }),
        ("simd", { VectorAdd.simd($0, $1, out: $2) }),
        ("parallel", { VectorAdd.parallel($0, $1, out: $2) }),
    ]
    for (name, kernel) in kernels {
        let out = AlignedBuffer<Double>(repeating: .nan, count: n)
        kernel(xs, ys, out.buffer)
        #expect(Array(out.buffer) == reference, "rung \(name), n \(n)")
    }
}

@Test func vectorAddValidationMatchesExactSumAt100003() {
    for rung in VectorAdd.rungs {
        let prepared = rung.prepare(VectorAdd.Config(n: 100_003)).ready!
        prepared.run()
        #expect(prepared.validation() == [ValidationValue("sum", 100054.66634805355)]
                || prepared.validation()[0].matches(ValidationValue("sum", 100054.66634805355)), "\(rung.name)")
    }
}

@Test func vectorAddConfigurationAndWork() throws {
    var options = WorkloadOptions()
    #expect(try VectorAdd.configure(options) == VectorAdd.Config(n: 20_000_000))
    #expect(VectorAdd.expected(VectorAdd.Config(n: 20_000_000)) == [ValidationValue("sum", 19998500.54158916)])
    #expect(VectorAdd.work(VectorAdd.Config(n: 10), counted: nil) == Work(flops: 10, bytes: 240, bound: .memory))
    for bad in [[0], [-1], [1, 2], [(1 << 31) + 1]] {
        options.size = bad
        #expect(throws: CelerError.self) { try VectorAdd.configure(options) }
    }
}
