/// Compensated (Neumaier) summation: the error does not grow with the number
/// of terms, so sums of millions of doubles agree with the exactly rounded sum
/// to about one ulp. Validation of floating-point workloads uses it, so that
/// every variant is checked against the same, accurate, summary.
public struct AccurateSum: Sendable {
    public private(set) var sum: Double = 0
    private var compensation: Double = 0

    public init() {}

    @inline(__always)
    public mutating func add(_ x: Double) {
        let t = sum + x
        if abs(sum) >= abs(x) { compensation += (sum - t) + x } else { compensation += (x - t) + sum }
        sum = t
    }

    /// The compensated total.
    public var value: Double { sum + compensation }

    /// The accurate sum of a sequence.
    public static func of<S: Sequence>(_ values: S) -> Double where S.Element == Double {
        var s = AccurateSum()
        for x in values { s.add(x) }
        return s.value
    }
}
