/// Summary statistics of a list of timings (seconds per run) or of ratios of
/// timings: the one type behind every median, minimum and spread that Celer
/// reports (`celer compare`'s rows, `celer timeit`, `Timeit.measure`).
///
/// - `median` is the middle sample, or the mean of the middle two for an
///   even count (`(a + b) / 2`, as NumPy's `median`).
/// - `stddev` is the sample standard deviation (divisor `count − 1`; 0 for
///   one sample); `mean` and `stddev` sum with `AccurateSum`.
/// - `percentile(p)` interpolates linearly between the closest ranks
///   (NumPy's default `linear` method): `percentile(0)` is `min`,
///   `percentile(100)` is `max`.
/// - NaN: if any sample is NaN, every statistic is NaN (as NumPy's `median`,
///   `percentile`, `min` and `std`, not their `nan…` forms), never a value
///   that depends on where the NaN happened to sort. ±infinity sorts as usual.
/// - Empty: `init(_:)` traps (a programmer error: nothing was timed);
///   `init?(ifAny:)` returns nil instead, for rows that may have no runs.
public struct TimingStats: Sendable, Equatable {
    /// The samples in the order given.
    public let samples: [Double]
    public let min: Double, max: Double, median: Double, mean: Double
    /// Sample standard deviation (0 for one sample).
    public let stddev: Double
    /// The samples in increasing order (empty when one is NaN).
    private let ordered: [Double]

    /// The statistics of `samples`, which must not be empty.
    public init(_ samples: [Double]) {
        precondition(!samples.isEmpty, "TimingStats of no samples")
        self.samples = samples
        if samples.contains(where: \.isNaN) {
            ordered = []
            min = .nan; max = .nan; median = .nan; mean = .nan; stddev = .nan
            return
        }
        let sorted = samples.sorted()
        ordered = sorted
        let n = sorted.count
        min = sorted[0]
        max = sorted[n - 1]
        median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        mean = AccurateSum.of(samples) / Double(n)
        if n > 1 {
            let m = mean
            stddev = (AccurateSum.of(samples.map { ($0 - m) * ($0 - m) }) / Double(n - 1)).squareRoot()
        } else {
            stddev = 0
        }
    }

    /// The statistics of `samples`, or nil when there are none.
    public init?(ifAny samples: [Double]) {
        if samples.isEmpty { return nil }
        self.init(samples)
    }

    /// How many samples.
    public var count: Int { samples.count }

    /// The `p`-th percentile, `p` in 0...100: the sample at virtual rank
    /// `h = (count − 1)·p/100`, interpolated linearly between ranks ⌊h⌋ and
    /// ⌈h⌉ (with NumPy's `_lerp`: from the lower sample below the midpoint,
    /// from the upper one at and above it). NaN when a sample is NaN.
    public func percentile(_ p: Double) -> Double {
        precondition(p >= 0 && p <= 100, "percentile \(p) is outside 0...100")
        if ordered.isEmpty { return .nan }
        let h = Double(ordered.count - 1) * (p / 100)
        let lo = Int(h.rounded(.down))
        let hi = Swift.min(lo + 1, ordered.count - 1)
        let t = h - Double(lo)
        let a = ordered[lo], b = ordered[hi]
        if t == 0 || a == b { return a }
        let d = b - a
        return t >= 0.5 ? b - d * (1 - t) : a + d * t
    }
}
