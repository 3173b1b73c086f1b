import CelerCore
import Testing
@testable import CelerMPI

/// ExactSum against Python's `math.fsum` (values computed there) and its
/// defining property: the same bits for any order and any cut into pieces.
@Suite struct ExactSumTests {
    @Test func knownValuesFromMathFsum() {
        #expect(ExactSum.of([1.0, 1e-16, 1e-16]) == 1.0000000000000002)     // plain sum: 1.0
        #expect(ExactSum.of([Double](repeating: 0.1, count: 10)) == 1.0)     // plain sum: 0.9999999999999999
        #expect(ExactSum.of([1e100, 1.0, -1e100, 1e-100]) == 1.0)
        #expect(ExactSum.of([0x1p53, 1.0, 0x1p-60]) == 9007199254740994.0)   // the half-way case rounds up
        #expect(ExactSum.of([]) == 0)
    }

    static let terms: [Double] = (0 ..< 2000).map { i in
        Double((i * i) % 1000 - 500) * Double(sign: .plus, exponent: (i * 7) % 81 - 40, significand: 1) + 0.1 * Double(i)
    }

    @Test func illConditionedSumMatchesFsum() {
        // python3: math.fsum(v) for the same v; sum(v) gives -2652694543325994.0
        #expect(ExactSum.of(Self.terms) == -2652694543325993.5)
    }

    @Test func sameBitsForAnyOrderAndAnyCut() {
        let expected = ExactSum.of(Self.terms).bitPattern
        #expect(ExactSum.of(Self.terms.reversed()).bitPattern == expected)
        var g = SplitMix(seed: 9)
        var shuffled = Self.terms
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(g.next() % UInt64(i + 1))) }
        #expect(ExactSum.of(shuffled).bitPattern == expected)
        for pieces in [1, 2, 3, 5, 7, 64] {
            var total = ExactSum()
            for p in 0 ..< pieces {
                var part = ExactSum()
                part.add(contentsOf: Self.terms[p * Self.terms.count / pieces ..< (p + 1) * Self.terms.count / pieces])
                // What a rank sends: its partials and special part, rebuilt on the other side.
                total.merge(ExactSum(partials: part.partials, special: part.special))
            }
            #expect(total.value.bitPattern == expected, "\(pieces) pieces")
        }
    }

    @Test func nonFiniteTerms() {
        #expect(ExactSum.of([.infinity, 1, 2]) == .infinity)
        #expect(ExactSum.of([-.infinity, 1]) == -.infinity)
        #expect(ExactSum.of([.infinity, -.infinity]).isNaN)
        #expect(ExactSum.of([1, .nan]).isNaN)
        #expect(ExactSum.of([1e308, 1e308, -1e308]) == .infinity)   // intermediate overflow
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
