import CelerArray
import CelerParallel
import Testing
import _CelerTestSupport

// The two pairwise sums against references written from their doc comments:
// `numpyPairwiseSum` (NumPy's order: 8 accumulators, halves at multiples of
// 8) and CelerParallel's `simdPairwiseSum` (16 lanes, halves at multiples of
// 16). Bit for bit, so a change to either order fails here.

/// NumPy's order, as `numpyPairwiseSum` documents it.
private func numpyOrder(_ x: ArraySlice<Double>) -> Double {
    let n = x.count, b = x.startIndex
    if n < 8 {
        var r = 0.0
        for v in x { r = r + v }
        return r
    }
    if n <= 128 {
        var r = Array(x[b..<(b + 8)])
        var k = 8
        while k + 8 <= n {
            for j in 0..<8 { r[j] = r[j] + x[b + k + j] }
            k += 8
        }
        var s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while k < n { s = s + x[b + k]; k += 1 }
        return s
    }
    let h = n / 2 - (n / 2) % 8
    return numpyOrder(x.prefix(h)) + numpyOrder(x.dropFirst(h))
}

/// The 16-lane order, as `simdPairwiseSum` documents it.
private func laneOrder(_ x: ArraySlice<Double>) -> Double {
    let n = x.count, b = x.startIndex
    if n > 128 {
        let h = (n / 2 + 15) / 16 * 16
        return laneOrder(x.prefix(h)) + laneOrder(x.dropFirst(h))
    }
    var a = [Double](repeating: 0, count: 8), c = a
    var i = 0
    while i + 16 <= n {
        for j in 0..<8 { a[j] = a[j] + x[b + i + j]; c[j] = c[j] + x[b + i + 8 + j] }
        i += 16
    }
    var tail = 0.0
    while i < n { tail = tail + x[b + i]; i += 1 }
    let s = (0..<8).map { a[$0] + c[$0] }
    let d = (0..<4).map { s[$0] + s[$0 + 4] }
    let e = (0..<2).map { d[$0] + d[$0 + 2] }
    return (e[0] + e[1]) + tail
}

/// `n` values of mixed signs and magnitudes (`TestRandom.wide`), so that the
/// order of additions shows in the last bits.
private func wideValues(_ n: Int, seed: UInt64) -> [Double] {
    var rng = TestRandom(seed)
    return (0..<n).map { _ in rng.wide() }
}

@Suite struct PairwiseSumTests {
    static let counts = Array(0...300) + [383, 384, 385, 1000, 4097, 10_007]

    @Test func numpyPairwiseSumFollowsItsDocumentedOrder() {
        for n in Self.counts {
            let x = wideValues(n, seed: UInt64(n))
            let expected = numpyOrder(x[...])
            let got = x.withUnsafeBufferPointer { numpyPairwiseSum($0.baseAddress ?? UnsafePointer(bitPattern: 8)!, n, 1) }
            #expect(got.bitPattern == expected.bitPattern, "n = \(n)")
        }
    }

    @Test func numpyPairwiseSumOfAStridedRunIsTheSameOrder() {
        for n in [9, 130, 1001] {
            let x = wideValues(3 * n, seed: 77)
            let every3 = stride(from: 0, to: 3 * n, by: 3).map { x[$0] }
            let got = x.withUnsafeBufferPointer { numpyPairwiseSum($0.baseAddress!, n, 3) }
            #expect(got.bitPattern == numpyOrder(every3[...]).bitPattern, "n = \(n)")
        }
    }

    @Test func parallelNumpyPairwiseSumHasTheSameBitsOnAnyThreadCount() {
        let n = 1_000_003
        let x = wideValues(n, seed: 5)
        let serial = x.withUnsafeBufferPointer { numpyPairwiseSum($0.baseAddress!, n, 1) }
        for threads in [1, 2, 3, 7] {
            let parallel = Parallel.withThreadCount(threads) {
                x.withUnsafeBufferPointer { parallelNumpyPairwiseSum($0.baseAddress!, n) }
            }
            #expect(parallel.bitPattern == serial.bitPattern, "\(threads) threads")
        }
    }

    @Test func simdPairwiseSumFollowsItsDocumentedOrder() {
        for n in Self.counts {
            let x = wideValues(n, seed: UInt64(n))
            let got = x.withUnsafeBufferPointer { simdPairwiseSum($0) }
            #expect(got.bitPattern == laneOrder(x[...]).bitPattern, "n = \(n)")
        }
    }

    @Test func theTwoOrdersGiveDifferentBits() {
        // Why they have different names: the same input, different last bits.
        let differing = Self.counts.filter { n in
            let x = wideValues(n, seed: UInt64(n))
            return numpyOrder(x[...]).bitPattern != laneOrder(x[...]).bitPattern
        }
        #expect(differing.count > Self.counts.count / 2)
    }
}
