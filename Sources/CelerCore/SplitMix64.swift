/// The SplitMix64 generator that defines every case-study input.
///
/// Value `k` of stream `seed` depends only on `(seed, k)`, so any slice of a
/// stream can be generated independently (and in parallel) and matches the
/// Python peers bit for bit. See `docs/workloads.md`.
public struct SplitMix64: Sendable {
    public let seed: UInt64

    @inlinable public init(seed: UInt64) { self.seed = seed }

    /// The raw 64-bit value number `k` of the stream.
    @inlinable @inline(__always)
    public func bits(_ k: Int) -> UInt64 {
        var z = seed &+ (UInt64(truncatingIfNeeded: k) &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Value number `k` as a double in [0, 1): the top 53 bits times 2⁻⁵³.
    @inlinable @inline(__always)
    public func uniform(_ k: Int) -> Double {
        Double(bits(k) >> 11) * 0x1p-53
    }

    /// Fills `buffer` with values `start ..< start + buffer.count`.
    @inlinable
    public func fill(_ buffer: UnsafeMutableBufferPointer<Double>, from start: Int = 0) {
        for i in 0..<buffer.count { buffer[i] = uniform(start + i) }
    }
}
