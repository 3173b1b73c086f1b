import CelerCore

// The mod-30 wheel sieve that the `segmented` and `parallel` rungs share.
//
// Layout: byte b stands for the 30 numbers 30b ..< 30b+30; its bit i is the
// number 30b + residues[i], residues = 1, 7, 11, 13, 17, 19, 23, 29 (the only
// residues mod 30 that can be prime past 5). 8 bits per 30 numbers: N/30
// bytes for the whole range, but only one cache-sized segment is ever held.
//
// A segment is made in three steps:
//  1. pre-sieve: the multiples of 7 ... 97 are removed by AND-ing repeating
//     patterns (a pattern for primes P repeats every ∏P bytes), much cheaper
//     than crossing them off one by one;
//  2. every sieving prime 101 ≤ p ≤ √N crosses off its multiples p·q, q coprime
//     to 30, from p², eight at a time (one turn of the wheel, p bytes);
//  3. primes are read out of 64-bit words (trailing-zero counts) or counted.

/// Constants of the mod-30 wheel.
enum Wheel30 {
    /// The residues mod 30 coprime to 30, one per bit of a byte.
    static let residues: [Int] = [1, 7, 11, 13, 17, 19, 23, 29]
    /// `residues` packed one per byte, for branch-free lookups in hot loops.
    static let packedResidues: UInt64 = 0x1D17_1311_0D0B_0701

    /// The number that bit `bit` (0..<64) of a word starting at number `base` stands for.
    @inline(__always)
    static func number(base: Int, bit: Int) -> Int {
        base + 30 * (bit >> 3) + Int(truncatingIfNeeded: packedResidues >> UInt64((bit & 7) << 3)) & 0xFF
    }

    /// Wheel index (0..<8) of a residue mod 30 coprime to 30, else -1.
    @inline(__always)
    static func index(ofResidue r: Int) -> Int {
        switch r {
        case 1: 0
        case 7: 1
        case 11: 2
        case 13: 3
        case 17: 4
        case 19: 5
        case 23: 6
        case 29: 7
        default: -1
        }
    }

    /// The smallest q' ≥ q coprime to 30.
    static func nextCoprime(_ q: Int) -> Int {
        var q = q
        while index(ofResidue: q % 30) < 0 { q += 1 }
        return q
    }
}

/// Primes below 100 other than 2, 3, 5, whose multiples the pre-sieve removes.
let presievePrimes: [Int] = [7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97]

/// Repeating wheel-byte patterns with the multiples of the pre-sieve primes
/// removed; immutable once built, so shared by all threads.
final class PresievePatterns: @unchecked Sendable {
    /// Groups whose products stay small (a few KiB to 46 KiB) so patterns stay in cache.
    static let groups: [[Int]] = [[7, 11, 13, 17], [19, 23, 29], [31, 37, 41], [43, 47], [53, 59],
                                  [61, 67], [71, 73], [79, 83], [89, 97]]
    static let shared = PresievePatterns()

    let patterns: [AlignedBuffer<UInt8>]

    private init() {
        patterns = Self.groups.map { group in
            let length = group.reduce(1, *)
            let pattern = AlignedBuffer<UInt8>(repeating: 0, count: length)
            for b in 0..<length {
                var byte: UInt8 = 0
                for (bit, r) in Wheel30.residues.enumerated() {
                    let n = 30 * b + r
                    if !group.contains(where: { n % $0 == 0 }) { byte |= 1 << UInt8(bit) }
                }
                pattern[b] = byte
            }
            return pattern
        }
    }

    /// Fills `segment[0..<count]` with the pattern bytes for wheel bytes
    /// `firstByte ..< firstByte+count`: the AND of all groups' patterns.
    func fill(_ segment: UnsafeMutablePointer<UInt8>, count: Int, firstByte: Int) {
        // Work in L1-sized chunks so each chunk is read from cache by every pass.
        let chunk = 16 * 1024
        var start = 0
        while start < count {
            let n = min(chunk, count - start)
            for (g, pattern) in patterns.enumerated() {
                let length = pattern.count
                var offset = (firstByte + start) % length
                var done = 0
                while done < n {
                    let run = min(length - offset, n - done)
                    let dst = segment + start + done
                    let src = pattern.pointer + offset
                    if g == 0 {
                        dst.update(from: src, count: run)
                    } else {
                        for i in 0..<run { dst[i] &= src[i] }
                    }
                    done += run
                    offset = 0
                }
            }
            start += n
        }
    }
}

/// A sieving prime p = 30k + r and where its next multiple lies: `next` is a
/// byte index relative to the current segment, `wheel` the wheel index of
/// the multiplier q of that multiple p·q.
struct SievingPrime {
    var next: UInt32
    var k: UInt32
    /// Wheel index of r (high nibble) and of q (low 3 bits).
    var classes: UInt8
}

/// Crosses off the multiples of one sieving prime in `segment[0..<end]`,
/// specialised on r = p mod 30 (a constant after inlining): eight multiples
/// per turn of the wheel at constant offsets, with single steps to reach the
/// start of a turn and to finish the segment.
@inline(__always)
private func crossOff(_ segment: UnsafeMutablePointer<UInt8>, end: Int, k: Int,
                      next: inout Int, wheel: inout Int, r: Int) {
    let p = 30 * k + r
    var i = next
    var w = wheel

    /// The byte step from multiplier residue index w to w+1, and the mask clearing p·q's bit.
    @inline(__always)
    func step(_ w: Int) -> (Int, UInt8) {
        switch w {
        case 0: (k * 6 + (r * 7) / 30 - r / 30, ~(1 << UInt8(Wheel30.index(ofResidue: r % 30))))
        case 1: (k * 4 + (r * 11) / 30 - (r * 7) / 30, ~(1 << UInt8(Wheel30.index(ofResidue: (r * 7) % 30))))
        case 2: (k * 2 + (r * 13) / 30 - (r * 11) / 30, ~(1 << UInt8(Wheel30.index(ofResidue: (r * 11) % 30))))
        case 3: (k * 4 + (r * 17) / 30 - (r * 13) / 30, ~(1 << UInt8(Wheel30.index(ofResidue: (r * 13) % 30))))
        case 4: (k * 2 + (r * 19) / 30 - (r * 17) / 30, ~(1 << UInt8(Wheel30.index(ofResidue: (r * 17) % 30))))
        case 5: (k * 4 + (r * 23) / 30 - (r * 19) / 30, ~(1 << UInt8(Wheel30.index(ofResidue: (r * 19) % 30))))
        case 6: (k * 6 + (r * 29) / 30 - (r * 23) / 30, ~(1 << UInt8(Wheel30.index(ofResidue: (r * 23) % 30))))
        default: (k * 2 + (r * 31) / 30 - (r * 29) / 30, ~(1 << UInt8(Wheel30.index(ofResidue: (r * 29) % 30))))
        }
    }

    @inline(__always)
    func mask(_ s: Int) -> UInt8 { ~(1 << UInt8(Wheel30.index(ofResidue: (r * s) % 30))) }

    // Single steps up to the start of a wheel turn (q ≡ 1 mod 30).
    while w != 0 {
        if i >= end { next = i - end; wheel = w; return }
        let (inc, m) = step(w)
        segment[i] &= m
        i += inc
        w = (w + 1) & 7
    }
    // Whole turns: multiples p·(30m + s) lie k·(s−1) + ⌊r·s/30⌋ bytes after p·(30m + 1).
    let last = k * 28 + (r * 29) / 30
    let m0 = mask(1), m1 = mask(7), m2 = mask(11), m3 = mask(13)
    let m4 = mask(17), m5 = mask(19), m6 = mask(23), m7 = mask(29)
    while i + last < end {
        segment[i] &= m0
        segment[i + k * 6 + (r * 7) / 30] &= m1
        segment[i + k * 10 + (r * 11) / 30] &= m2
        segment[i + k * 12 + (r * 13) / 30] &= m3
        segment[i + k * 16 + (r * 17) / 30] &= m4
        segment[i + k * 18 + (r * 19) / 30] &= m5
        segment[i + k * 22 + (r * 23) / 30] &= m6
        segment[i + last] &= m7
        i += p
    }
    // The part of a turn that still falls in this segment.
    while i < end {
        let (inc, m) = step(w)
        segment[i] &= m
        i += inc
        w = (w + 1) & 7
    }
    next = i - end
    wheel = w
}

/// Crosses off every sieving prime's multiples in `segment[0..<end]` and
/// moves each prime's next multiple to the following segment's coordinates.
func crossOffAll(_ segment: UnsafeMutablePointer<UInt8>, end: Int,
                 primes: UnsafeMutablePointer<SievingPrime>, count: Int) {
    for j in 0..<count {
        let sp = primes[j]
        var next = Int(sp.next)
        var wheel = Int(sp.classes & 7)
        let k = Int(sp.k)
        switch sp.classes >> 4 {
        case 0: crossOff(segment, end: end, k: k, next: &next, wheel: &wheel, r: 1)
        case 1: crossOff(segment, end: end, k: k, next: &next, wheel: &wheel, r: 7)
        case 2: crossOff(segment, end: end, k: k, next: &next, wheel: &wheel, r: 11)
        case 3: crossOff(segment, end: end, k: k, next: &next, wheel: &wheel, r: 13)
        case 4: crossOff(segment, end: end, k: k, next: &next, wheel: &wheel, r: 17)
        case 5: crossOff(segment, end: end, k: k, next: &next, wheel: &wheel, r: 19)
        case 6: crossOff(segment, end: end, k: k, next: &next, wheel: &wheel, r: 23)
        default: crossOff(segment, end: end, k: k, next: &next, wheel: &wheel, r: 29)
        }
        primes[j].next = UInt32(truncatingIfNeeded: next)
        primes[j].classes = (sp.classes & 0xF0) | UInt8(truncatingIfNeeded: wheel)
    }
}
