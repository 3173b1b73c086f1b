@testable import CelerArray
import CelerCore
import CelerParallel
import Testing

// Outputs bigger than the last-level cache are written with streaming stores
// (StreamingStores.swift): the results must be exactly those of ordinary
// stores, for fresh outputs, `out:` views that start off a 32-byte boundary,
// odd lengths, one and several threads, and unary, binary and fill loops.
@Suite struct StreamingStoreTests {
    /// Just over the streaming threshold, and odd.
    static let count = StreamingStores.thresholdBytes / 8 + 1001

    @Test func bigOutputsMatchPlainLoops() throws {
        let n = Self.count
        let a = NDArray<Double>.randomUniform([n], seed: 11), b = NDArray<Double>.randomUniform([n], seed: 12)
        let pa = a.scalars, pb = b.scalars
        let sums = zip(pa, pb).map { $0 + $1 }, products = zip(pa, pb).map { $0 * $1 }, floats = pa.map { Float($0) }
        for threads in [1, 2] {
            try Parallel.withThreadCount(threads) { () throws(CelerError) in
                let sum = a + b                                    // fresh output: streamed
                #expect(StreamingStores.worthwhile(sum, a, b))
                #expect(sum.scalars == sums, "threads=\(threads)")
                // An `out:` view starting 3 elements in (24 bytes: not 32-byte aligned).
                let backing = NDArray<Double>.zeros([n + 3])
                let out = backing[.from(3)]
                try multiply(a, b, out: out)
                #expect(out.scalars == products)
                #expect(backing[.to(3)].scalars == [0, 0, 0])
                // Unary (a conversion) and a fill through the driver.
                let f = a.astype(Float.self)
                #expect(f.scalars == floats)
                let filled = NDArray<Double>.full([n], 2.5)
                #expect(filled.min() == 2.5 && filled.max() == 2.5)
            }
        }
        // In place: the output is an input, so no streaming (and the same result).
        let c = a.copy()
        #expect(!StreamingStores.worthwhile(c, c, b))
        c += b
        #expect(c.scalars == sums)
    }
}
