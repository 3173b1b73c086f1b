import Testing
@testable import CelerGPU

// Line-for-line Swift models of the two kernels with the most index
// arithmetic (the segmented sieve and the tiled multi-step diffusion),
// checked on the CPU against plain references. The models follow
// StudyKernels' CUDA statement by statement, with the thread loops made
// sequential; the segment and tile sizes are parameters so that small
// problems cross many segment and tile boundaries. (They check the
// algorithm and its edge cases; the CUDA text itself is checked by NVRTC and,
// on a GPU, by the rung tests.)

/// celer_sieve_segments + celer_sieve_offsets + celer_sieve_compact.
func sieveModel(limit: Int, segmentBits: Int, smallPrime: Int) -> [Int64] {
    let oddCount = (limit + 1) / 2
    let segments = (oddCount + segmentBits - 1) / segmentBits
    let words = segmentBits / 32
    let primes = oddPrimes(upTo: integerRoot(limit)).map(UInt64.init)
    func firstIndex(_ p: UInt64, _ base: UInt64) -> UInt64 {
        let r = (p - 1) / 2
        let k = base + (r + p - base % p) % p
        let square = (p * p - 1) / 2
        return k > square ? k : square
    }
    var bits = [UInt32](repeating: 0, count: segments * words)
    var counts = [UInt64](repeating: 0, count: segments)
    for s in 0..<segments {
        var seg = [UInt32](repeating: 0xffff_ffff, count: words)
        let base = UInt64(s * segmentBits), top = base + UInt64(segmentBits)
        func cross(_ k: UInt64) { let bit = Int(k - base); seg[bit >> 5] &= ~(1 << UInt32(bit & 31)) }
        var q = 0
        while q < primes.count && primes[q] < UInt64(smallPrime) {
            var k = firstIndex(primes[q], base)
            while k < top { cross(k); k += primes[q] }
            q += 1
        }
        for r in q..<primes.count {
            var k = firstIndex(primes[r], base)
            while k < top { cross(k); k += primes[r] }
        }
        for w in 0..<words {
            var v = seg[w]
            let first = base + UInt64(w) * 32
            if first == 0 { v &= ~1 }
            if first + 32 > UInt64(oddCount) {
                v = first >= UInt64(oddCount) ? 0 : v & ((1 << UInt32(UInt64(oddCount) - first)) - 1)
            }
            bits[s * words + w] = v
            counts[s] += UInt64(v.nonzeroBitCount)
        }
    }
    var offsets = [UInt64](repeating: 0, count: segments)
    var running: UInt64 = 0
    for s in 0..<segments { offsets[s] = running; running += counts[s] }
    var out = [Int64](repeating: -1, count: Int(running) + (limit >= 2 ? 1 : 0))
    if limit >= 2 { out[0] = 2 }
    let first: UInt64 = limit >= 2 ? 1 : 0
    for s in 0..<segments {
        var position = first + offsets[s]
        for w in 0..<words {
            var v = bits[s * words + w]
            let index = UInt64(s * words + w) * 32
            while v != 0 {
                let b = UInt64(v.trailingZeroBitCount)
                out[Int(position)] = Int64(2 * (index + b) + 1)
                position += 1
                v &= v - 1
            }
        }
    }
    return out
}

func referencePrimes(_ limit: Int) -> [Int64] {
    (limit >= 2 ? [2] : []) + oddPrimes(upTo: limit).map(Int64.init)
}

/// One periodic diffusion step, the CPU's formula.
func diffusionStep(_ u: [Double], rows: Int, cols: Int, weight: Double) -> [Double] {
    var next = u
    for i in 0..<rows {
        for j in 0..<cols {
            let up = u[((i - 1 + rows) % rows) * cols + j], down = u[((i + 1) % rows) * cols + j]
            let left = u[i * cols + (j - 1 + cols) % cols], right = u[i * cols + (j + 1) % cols]
            let c = u[i * cols + j]
            next[i * cols + j] = c + weight * (up + down + left + right - 4 * c)
        }
    }
    return next
}

/// celer_diffusion_tiled: `steps` steps of every tile from its loaded halo.
func tiledModel(_ u: [Double], rows: Int, cols: Int, weight: Double, steps: Int, tileRows: Int, tileCols: Int) -> [Double] {
    var next = [Double](repeating: .nan, count: rows * cols)
    let H = tileRows + 2 * steps, W = tileCols + 2 * steps
    for by in 0..<((rows + tileRows - 1) / tileRows) {
        for bx in 0..<((cols + tileCols - 1) / tileCols) {
            var a = [Double](repeating: 0, count: H * W), b = a
            let row0 = by * tileRows - steps, col0 = bx * tileCols - steps
            for r in 0..<H {
                var gr = (row0 + r) % rows
                if gr < 0 { gr += rows }
                for c in 0..<W {
                    var gc = (col0 + c) % cols
                    if gc < 0 { gc += cols }
                    a[r * W + c] = u[gr * cols + gc]
                }
            }
            if steps > 0 {
                for s in 1...steps {
                    for r in s..<max(s, H - s) {
                        for c in s..<max(s, W - s) {
                            let k = r * W + c
                            b[k] = a[k] + weight * (a[k - W] + a[k + W] + a[k - 1] + a[k + 1] - 4 * a[k])
                        }
                    }
                    swap(&a, &b)
                }
            }
            for r in 0..<tileRows {
                let i = by * tileRows + r
                if i >= rows { break }
                for c in 0..<tileCols {
                    let j = bx * tileCols + c
                    if j >= cols { break }
                    next[i * cols + j] = a[(r + steps) * W + c + steps]
                }
            }
        }
    }
    return next
}

@Suite struct KernelModelTests {
    @Test(arguments: [0, 1, 2, 3, 4, 9, 10, 63, 64, 65, 127, 128, 129, 1000, 4099, 65_537, 200_003])
    func segmentedSieveGivesThePrimesInOrder(limit: Int) {
        // 64 odd numbers per segment, "small" primes below 7 or 50: many
        // segments, primes whose square lies several segments ahead, and both loops.
        for small in [7, 50] {
            #expect(sieveModel(limit: limit, segmentBits: 64, smallPrime: small) == referencePrimes(limit))
        }
    }

    @Test func shippedSegmentSizeMatchesTheModel() {
        // The kernel's own sizes: 262144 odd numbers per segment, small primes below 8192.
        #expect(StudyKernels.sieveSegmentBits == 262_144 && StudyKernels.sieveSegmentWords * 32 == StudyKernels.sieveSegmentBits)
        #expect(StudyKernels.sieve.source.contains("#define CELER_SEGMENT_WORDS 8192"))
        #expect(StudyKernels.sieve.source.contains("#define CELER_SIEVE_THREADS \(StudyKernels.sieveThreads)"))
        let limit = 1_100_000  // five segments of the shipped size
        let primes = sieveModel(limit: limit, segmentBits: StudyKernels.sieveSegmentBits, smallPrime: 8192)
        #expect(primes == referencePrimes(limit))
        #expect(primes.count == 85_714)  // π(1.1·10^6)
    }

    @Test(arguments: [(1, 1), (5, 3), (7, 13), (37, 70), (16, 16)])
    func tiledDiffusionIsBitIdenticalToStepByStep(size: (Int, Int)) {
        let (rows, cols) = size
        var u = (0..<(rows * cols)).map { Double(($0 * 7919) % 101) / 100 }
        u[0] = 0.005
        let weight = 0.1
        for steps in [0, 1, 3, 4] {
            var reference = u
            for _ in 0..<steps { reference = diffusionStep(reference, rows: rows, cols: cols, weight: weight) }
            for (tr, tc) in [(4, 8), (32, 64)] {
                let tiled = tiledModel(u, rows: rows, cols: cols, weight: weight, steps: steps, tileRows: tr, tileCols: tc)
                #expect(tiled == reference, "\(rows)x\(cols), \(steps) steps, tile \(tr)x\(tc)")
            }
        }
    }
}
