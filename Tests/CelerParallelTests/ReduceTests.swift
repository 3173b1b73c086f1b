import CelerParallel
import Testing
import _CelerTestSupport

@Suite struct ReduceTests {
    @Test(arguments: [1, 2, 3, 8])
    func integerReductionIsExact(threads: Int) {
        Parallel.withThreadCount(threads) {
            for schedule in allSchedules {
                for n in [0, 1, 2, 7, 1000, 10007] {
                    let total = parallelReduce(0..<n, identity: 0, schedule: schedule, { $0.reduce(0, +) }, combine: +)
                    #expect(total == n * (n - 1) / 2, "\(schedule), n = \(n)")
                }
            }
        }
    }

    @Test func reduceCombinesInThreadOrder() {
        // String concatenation is associative, not commutative.
        let text = Parallel.withThreadCount(3) {
            parallelReduce(0..<26, identity: "", { r in String(r.map { Character(UnicodeScalar(97 + $0)!) }) }, combine: +)
        }
        #expect(text == "abcdefghijklmnopqrstuvwxyz")
    }

    @Test func sumIsTheSameBitsForAnyThreadCountAndSchedule() {
        var random = TestRandom(42)
        let values = (0..<200_003).map { _ in random.wide() }
        let reference = Parallel.withThreadCount(1) { parallelSum(values) }
        for threads in [1, 2, 3, 7] {
            for schedule in [Schedule.static, .dynamic(1), .guided(2), .staticChunked(3)] {
                let sum = Parallel.withThreadCount(threads) {
                    values.withUnsafeBufferPointer { buffer in
                        parallelSum(count: buffer.count, schedule: schedule) { buffer[$0] }
                    }
                }
                #expect(sum.bitPattern == reference.bitPattern, "\(threads) threads, \(schedule)")
            }
            let viaBuffer = Parallel.withThreadCount(threads) { values.withUnsafeBufferPointer { parallelSum($0) } }
            #expect(viaBuffer.bitPattern == reference.bitPattern)
            let viaTerms = Parallel.withThreadCount(threads) {
                parallelSum(count: values.count, schedule: .guided(1)) { block, out in
                    for i in block { out[i - block.lowerBound] = values[i] }
                }
            }
            #expect(viaTerms.bitPattern == reference.bitPattern)
        }
    }

    @Test(arguments: [1, 15, 16, 17, 128, 129, 4095, 4096, 4097, 100_003])
    func sumIsAccurate(n: Int) {
        var random = TestRandom(UInt64(n))
        let values = (0..<n).map { _ in random.wide() }
        let exact = exactSum(values)
        let magnitude = values.reduce(0) { $0 + abs($1) }
        let sum = Parallel.withThreadCount(3) { parallelSum(values) }
        // Pairwise bound: (log2(n) + 16 lanes' terms + tree) ulps of Σ|x|.
        let bound = (Double(n).squareRoot().squareRoot() + 24) * Double.ulpOfOne * magnitude
        #expect(abs(sum - exact) <= bound, "n = \(n): \(sum) vs \(exact)")
    }

    @Test func sumKeepsTinyTermsThatALoopLoses() {
        // 1 followed by a million terms of 1e-16: a loop returns exactly 1.
        let n = 1_000_000
        let sum = Parallel.withThreadCount(2) { parallelSum(count: n + 1) { $0 == 0 ? 1.0 : 1e-16 } }
        let exact = 1 + Double(n) * 1e-16
        #expect(abs(sum - exact) <= 4 * exact.ulp)
        var loop = 0.0
        for i in 0...n { loop += i == 0 ? 1.0 : 1e-16 }
        #expect(loop == 1)
    }

    @Test func simdPairwiseSumOfSmallInputs() {
        #expect(simdPairwiseSum(UnsafeBufferPointer<Double>(start: nil, count: 0)) == 0)
        #expect([1.0, 2, 3].withUnsafeBufferPointer { simdPairwiseSum($0) } == 6)
        #expect(parallelSum([]) == 0)
        // One block: the parallel sum is the pairwise sum of the block.
        var random = TestRandom(9)
        let values = (0..<4000).map { _ in random.wide() }
        #expect(values.withUnsafeBufferPointer { simdPairwiseSum($0) }.bitPattern == parallelSum(values).bitPattern)
    }

    @Test func treeReduceIsIndependentOfThreads() {
        // Floating-point max of products: any grouping gives the same value,
        // but the sum of squares below does not; the tree must fix it.
        let results = [1, 2, 3, 7].map { threads in
            Parallel.withThreadCount(threads) {
                parallelTreeReduce(0..<50_000, blockSize: 1000, identity: 0.0, schedule: .dynamic(1), { r in
                    r.reduce(0.0) { $0 + 1 / Double($1 + 1) }
                }, combine: +)
            }
        }
        #expect(Set(results.map(\.bitPattern)).count == 1)
        #expect(parallelTreeReduce(0..<0, blockSize: 10, identity: -1.0, { _ in 5.0 }, combine: +) == -1)
    }
}
