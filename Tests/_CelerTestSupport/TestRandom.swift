import CelerArray
import CelerCore

/// Deterministic randomness for tests: the stream of `CelerCore.SplitMix64`
/// read in order (the `k`-th value drawn from `TestRandom(s)` is
/// `SplitMix64(seed: s).bits(k)`), so a seed names the same test cases on
/// every machine and run, and a failure can be replayed from its seed.
///
/// ```swift
/// var rng = TestRandom(42)
/// let shape = [rng.int(1...6), rng.int(1...6)]
/// let a = rng.array(shape)            // doubles on a 1/8 grid in [-10, 10)
/// ```
///
/// A `RandomNumberGenerator`, so `Int.random(in:using:)` and
/// `shuffled(using:)` work too. Not for cryptography, nor for statistics
/// beyond what a test needs (`int` has a modulo bias below 2⁻⁵⁰ for small ranges).
public struct TestRandom: RandomNumberGenerator, Sendable {
    /// The underlying stream.
    public let stream: SplitMix64
    /// How many values have been drawn so far.
    public private(set) var position = 0

    public init(_ seed: UInt64) { stream = SplitMix64(seed: seed) }

    /// The next raw 64-bit value.
    public mutating func next() -> UInt64 {
        defer { position += 1 }
        return stream.bits(position)
    }

    /// Uniform in `range` (one value drawn).
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// Uniform in [0, 1): the top 53 bits times 2⁻⁵³ (`SplitMix64.uniform`).
    public mutating func double() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// A fair coin.
    public mutating func bool() -> Bool { next() & 1 == 1 }

    /// One element of `xs` (not empty).
    public mutating func pick<T>(_ xs: [T]) -> T { xs[int(0...(xs.count - 1))] }

    /// ±[0, 1) × 2^(−20…20): mixed signs and magnitudes, so that the order of
    /// floating-point additions shows in the last bits (three values drawn).
    public mutating func wide() -> Double {
        let sign: Double = next() & 1 == 0 ? 1 : -1
        return sign * double() * Double(sign: .plus, exponent: Int(next() % 41) - 20, significand: 1)
    }

    /// A contiguous double array of `shape` with values in [-10, 10) on a grid
    /// of 1/8: exact in every float type (so sums of a few thousand are exact
    /// in any order) and small integers after conversion to integer types.
    public mutating func array(_ shape: [Int]) -> NDArray<Double> {
        let n = shape.reduce(1, *)
        return try! NDArray((0..<n).map { _ in (double() * 160).rounded(.down) / 8 - 10 }, shape: shape)
    }
}
