import Testing
import CelerCore

@Suite struct SplitMix64Tests {
    @Test(arguments: [
        (UInt64(42), [0.7415648787718233, 0.1599103928769201, 0.27860113025513866]),
        (UInt64(1), [0.5665615751722809, 0.7457817572627011]),
        (UInt64(2), [0.5911897341980794, 0.7491496838738246]),
    ])
    func firstValuesMatchTheSpecification(seed: UInt64, expected: [Double]) {
        let g = SplitMix64(seed: seed)
        for (k, v) in expected.enumerated() { #expect(g.uniform(k) == v) }
    }

    @Test func fillMatchesElementwise() {
        let g = SplitMix64(seed: 7)
        var a = [Double](repeating: 0, count: 100)
        a.withUnsafeMutableBufferPointer { g.fill(UnsafeMutableBufferPointer(rebasing: $0[10...]), from: 10) }
        for k in 10..<100 { #expect(a[k] == g.uniform(k)) }
        #expect(a[0..<10].allSatisfy { $0 == 0 })
    }
}

@Suite struct AccurateSumTests {
    @Test func cancellationIsExact() {
        // 1e16 + 1 - 1e16 loses the 1 in naive summation.
        #expect(AccurateSum.of([1e16, 1, -1e16]) == 1)
        #expect(AccurateSum.of([0.1, 0.2, 0.3, -0.6]) == 0.1 + 0.2 + 0.3 - 0.6 || abs(AccurateSum.of([0.1, 0.2, 0.3, -0.6])) < 1e-16)
    }
}
