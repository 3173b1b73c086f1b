import CelerCore

/// The exactly rounded sum of `values` (Shewchuk's algorithm, as Python's
/// `math.fsum`): a list of non-overlapping partial sums, added exactly, then
/// rounded once. An oracle for checking the error of faster sums; quadratic
/// in the worst case, so for test-sized inputs.
public func exactSum(_ values: [Double]) -> Double {
    ExactSum.of(values)
}
