import CelerCore
import Testing

// TimingStats, the one summary of timings: the references for percentiles,
// medians and standard deviations are NumPy's (np.percentile, np.median,
// np.std(ddof=1)), computed once and written here.

@Suite struct TimingStatsTests {
    @Test func oddAndEvenCounts() {
        let even = TimingStats([4, 1, 3, 2])
        #expect(even.count == 4 && even.samples == [4, 1, 3, 2])     // the order given is kept
        #expect(even.min == 1 && even.max == 4 && even.median == 2.5 && even.mean == 2.5)
        #expect(abs(even.stddev - (5.0 / 3).squareRoot()) < 1e-15)
        let odd = TimingStats([5, 1, 3])
        #expect(odd.median == 3 && odd.stddev == 2 && odd.mean == 3)
        let one = TimingStats([7])
        #expect(one.min == 7 && one.max == 7 && one.median == 7 && one.mean == 7 && one.stddev == 0)
    }

    @Test func matchesNumPy() {
        // x = [0.3, 0.1, 0.7, 0.2, 0.9, 0.4]
        let s = TimingStats([0.3, 0.1, 0.7, 0.2, 0.9, 0.4])
        #expect(s.median == 0.35)                      // np.median(x)
        // Compensated sums here, pairwise ones in NumPy: equal within a few ulp.
        #expect(abs(s.mean - 0.43333333333333335) <= 2 * s.mean.ulp)       // np.mean(x)
        #expect(abs(s.stddev - 0.30767948691238206) <= 4 * s.stddev.ulp)   // np.std(x, ddof=1)
        let numpy: [(Double, Double)] = [              // np.percentile(x, p)
            (0, 0.1), (10, 0.15000000000000002), (25, 0.225), (50, 0.35), (75, 0.625),
            (90, 0.8), (99, 0.89), (100, 0.9), (33.3, 0.26649999999999996),
        ]
        for (p, expected) in numpy {
            #expect(abs(s.percentile(p) - expected) <= expected.ulp, "p = \(p): \(s.percentile(p)) vs NumPy \(expected)")
        }
        let y = TimingStats([5, 1, 3])
        #expect(y.percentile(25) == 2 && y.percentile(62.5) == 3.5 && y.percentile(0) == 1 && y.percentile(100) == 5)
        #expect(TimingStats([1, 2, 4, 8]).percentile(90) == 6.800000000000001)     // np.percentile(…, 90)
        #expect(TimingStats([7]).percentile(37) == 7)
    }

    @Test func percentileEndsAreMinAndMax() {
        let s = TimingStats([3e-3, 1e-6, 2.5, 1e-6, 0.4])
        #expect(s.percentile(0) == s.min && s.percentile(100) == s.max)
        #expect(s.percentile(50) == s.median)          // odd count: the middle sample
    }

    @Test func emptyIsNilOrATrap() async {
        #expect(TimingStats(ifAny: []) == nil)
        #expect(TimingStats(ifAny: [2, 1])?.median == 1.5)
        await #expect(processExitsWith: .failure) { _ = TimingStats([]) }
        await #expect(processExitsWith: .failure) { _ = TimingStats([1]).percentile(101) }
    }

    @Test func aNaNSampleMakesEveryStatisticNaN() {
        for samples in [[1, .nan, 3], [.nan], [.nan, 1, 2, 3]] as [[Double]] {
            let s = TimingStats(samples)
            #expect(s.min.isNaN && s.max.isNaN && s.median.isNaN && s.mean.isNaN && s.stddev.isNaN)
            #expect(s.percentile(0).isNaN && s.percentile(50).isNaN && s.percentile(100).isNaN)
            #expect(s.count == samples.count)
        }
    }

    @Test func infinitiesSortAsNumbers() {
        let s = TimingStats([1, .infinity, 2])
        #expect(s.max == .infinity && s.median == 2 && s.min == 1)
    }
}
