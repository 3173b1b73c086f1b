import CelerHarness

// Pieces of the case studies that a distributed backend (CelerDistributed's
// MPI rungs) runs on its own block of the data, with the same arithmetic as
// every other rung, so its results validate against the same values.

extension Laplacian {
    /// SplitMix64 stream of the input grid (value k is grid point k, row-major).
    package static var inputSeed: UInt64 { seed }

    /// Output rows `range` of the 5-point Laplacian of the row-major grid at
    /// `f` (`cols` wide) into `out` (`cols − 2` wide): output row r reads input
    /// rows r, r+1, r+2. The SIMD row kernel of the `simd` rung.
    package static func outputRows(_ f: UnsafePointer<Double>, cols: Int, dx: Double, dy: Double,
                                   into out: UnsafeMutablePointer<Double>, rows range: Range<Int>) {
        switch Divisors(Config(rows: 3, cols: cols, dx: dx, dy: dy)) {
        case .exact(let k): rows(f, cols: cols, out, range, k, simd: true)
        case .general(let k): rows(f, cols: cols, out, range, k, simd: true)
        }
    }
}
