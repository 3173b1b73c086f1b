import CelerCore
import CelerHarness

// The mod-30 wheel sieve that the `segmented` and `parallel` rungs share.
//
// Layout: byte b stands for the 30 numbers 30b ..< 30b+30; its bit i is the
// number 30b + residues[i], residues = 1, 7, 11, 13, 17, 19, 23, 29 (the only
// residues mod 30 that can be prime past 5). 8 bits per 30 numbers: N/30
// bytes for the whole range, but only one cache-sized segment is ever held.
//
// A segment is made in three steps:
//  1. pre-sieve: the multiples of 7 ... 167 are removed by AND-ing repeating
//     patterns (a pattern for primes P repeats every ∏P bytes), much cheaper
//     than crossing them off one by one;
//  2. every sieving prime 173 ≤ p ≤ √N crosses off its multiples p·q, q coprime
//     to 30, from p², eight at a time (one turn of the wheel, p bytes): the
//     small ones (p < chunk/8) in L1-sized chunks, the others over the segment;
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
        base &+ 30 &* (bit &>> 3) &+ Int(truncatingIfNeeded: packedResidues &>> UInt64((bit & 7) &<< 3)) & 0xFF
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

/// The primes past 5 whose multiples the pre-sieve removes, ascending.
let presievePrimes: [Int] = PresievePatterns.groups.flatMap { $0 }

/// Repeating wheel-byte patterns with the multiples of the pre-sieve primes
/// removed; immutable once built, so shared by all threads.
final class PresievePatterns: @unchecked Sendable {
    /// Groups whose products stay small (2 to 47 KiB) so patterns stay in cache.
    /// An AND pass over a segment costs about as much as crossing off a
    /// prime near 1000 would, so pre-sieving pays up to well past 100.
    static let groups: [[Int]] = [[7, 11, 13, 17], [19, 23, 29], [31, 37, 41], [43, 47], [53, 59],
                                  [61, 67], [71, 73], [79, 83], [89, 97], [101, 103], [107, 109],
                                  [113, 127], [131, 137], [139, 149], [151, 157], [163, 167]]
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
    /// `firstByte ..< firstByte+count`: the AND of all groups' patterns,
    /// four patterns per pass over the segment.
    /// The segment is filled in L1-sized chunks, so that only the patterns
    /// stream in from L2.
    func fill(_ segment: UnsafeMutablePointer<UInt8>, count: Int, firstByte: Int) {
        let chunk = 16 * 1024
        var start = 0
        while start < count {
            let n = min(chunk, count - start)
            var first = 0
            while first < patterns.count {
                // A last pass with fewer patterns repeats its last one (x & x = x).
                @inline(__always) func pattern(_ i: Int) -> AlignedBuffer<UInt8> {
                    patterns[min(first + i, patterns.count - 1)]
                }
                andPatterns(pattern(0), pattern(1), pattern(2), pattern(3), into: segment + start, count: n,
                            firstByte: firstByte + start, overwrite: first == 0)
                first += 4
            }
            start += n
        }
    }

    /// `segment[i] = a & b & c & d` (or `&=` unless `overwrite`) at wheel
    /// bytes `firstByte + i`, in runs that end where a pattern wraps around.
    private func andPatterns(_ a: AlignedBuffer<UInt8>, _ b: AlignedBuffer<UInt8>,
                             _ c: AlignedBuffer<UInt8>, _ d: AlignedBuffer<UInt8>,
                             into segment: UnsafeMutablePointer<UInt8>, count: Int,
                             firstByte: Int, overwrite: Bool) {
        var oa = firstByte % a.count, ob = firstByte % b.count
        var oc = firstByte % c.count, od = firstByte % d.count
        var done = 0
        while done < count {
            let run = min(count - done, a.count - oa, b.count - ob, c.count - oc, d.count - od)
            let dst = segment + done
            let pa = a.pointer + oa, pb = b.pointer + ob, pc = c.pointer + oc, pd = d.pointer + od
            if overwrite {
                for i in 0..<run { dst[i] = pa[i] & pb[i] & pc[i] & pd[i] }
            } else {
                for i in 0..<run { dst[i] &= pa[i] & pb[i] & pc[i] & pd[i] }
            }
            done += run
            oa += run; if oa == a.count { oa = 0 }
            ob += run; if ob == b.count { ob = 0 }
            oc += run; if oc == c.count { oc = 0 }
            od += run; if od == d.count { od = 0 }
        }
    }
}

/// A sieving prime p = 30k + r of a known residue class r, and where its
/// next multiple p·q lies: a byte index relative to the current segment, and
/// the wheel index (0..<8) of q mod 30, packed above k.
struct SievingPrime {
    var next: UInt32
    var kAndWheel: UInt32

    init(next: Int, k: Int, wheel: Int) {
        self.next = UInt32(truncatingIfNeeded: next)
        self.kAndWheel = UInt32(truncatingIfNeeded: k | wheel << 29)
    }
    var k: Int { Int(kAndWheel & 0x1FFF_FFFF) }
    var wheel: Int { Int(kAndWheel >> 29) }
}

/// A residue class r = p mod 30 of sieving primes, as a type, so that the
/// crossing-off loop is compiled once per class with its offsets and masks
/// as constants.
protocol WheelClass { static var r: Int { get } }
enum WheelClass1: WheelClass { static var r: Int { 1 } }
enum WheelClass7: WheelClass { static var r: Int { 7 } }
enum WheelClass11: WheelClass { static var r: Int { 11 } }
enum WheelClass13: WheelClass { static var r: Int { 13 } }
enum WheelClass17: WheelClass { static var r: Int { 17 } }
enum WheelClass19: WheelClass { static var r: Int { 19 } }
enum WheelClass23: WheelClass { static var r: Int { 23 } }
enum WheelClass29: WheelClass { static var r: Int { 29 } }

extension WheelClass {
    /// The mask that clears the bit of p·q, for q ≡ s (mod 30).
    @inline(__always) static func mask(_ s: Int) -> UInt8 {
        ~(1 << UInt8(truncatingIfNeeded: Wheel30.index(ofResidue: (r * s) % 30)))
    }
    /// Bytes from p·(30m+1) to p·(30m+s).
    @inline(__always) static func offset(_ k: Int, _ s: Int) -> Int { k * (s - 1) + (r * s) / 30 }
    /// `offset(k, residues[w])` for a wheel index w known only at run time.
    @inline(__always) static func offset(_ k: Int, wheel w: Int) -> Int {
        let corrections = UInt64((r * 1) / 30) | UInt64((r * 7) / 30) << 8 | UInt64((r * 11) / 30) << 16
            | UInt64((r * 13) / 30) << 24 | UInt64((r * 17) / 30) << 32 | UInt64((r * 19) / 30) << 40
            | UInt64((r * 23) / 30) << 48 | UInt64((r * 29) / 30) << 56
        let shift = UInt64(w &* 8)
        let s = Int(truncatingIfNeeded: (Wheel30.packedResidues &>> shift) & 0xFF)
        let c = Int(truncatingIfNeeded: (corrections &>> shift) & 0xFF)
        return k &* (s &- 1) &+ c
    }
}

/// Crosses off the multiples of the sieving primes of class `C` in
/// `segment[0..<end]` and moves each prime's next multiple into the next
/// segment's coordinates. Per prime, in turns of the wheel (q from 30m+1 to
/// 30m+29: eight multiples at constant offsets from the turn's start, p bytes
/// per turn): the rest of the current turn, whole turns, and the part of the
/// last turn inside the segment. The partial turns are branch-free: a
/// multiple outside the segment (or already crossed off) is redirected to a
/// `scratch` byte, so only the whole-turn loop's exit is a data-dependent
/// branch.
@inline(__always)
func crossOff<C: WheelClass>(_: C.Type, _ segment: UnsafeMutablePointer<UInt8>, end: Int,
                             primes: UnsafeMutablePointer<SievingPrime>, count: Int,
                             scratch: UnsafeMutablePointer<UInt8>) {
    let r = C.r
    let m0 = C.mask(1), m1 = C.mask(7), m2 = C.mask(11), m3 = C.mask(13)
    let m4 = C.mask(17), m5 = C.mask(19), m6 = C.mask(23), m7 = C.mask(29)
    for j in 0..<count {
        let k = primes[j].k
        let wheel = primes[j].wheel
        let p = 30 &* k &+ r
        let o1 = C.offset(k, 7), o2 = C.offset(k, 11), o3 = C.offset(k, 13)
        let o4 = C.offset(k, 17), o5 = C.offset(k, 19), o6 = C.offset(k, 23), o7 = C.offset(k, 29)

        /// Crosses off the multiples t + o_i, i ≥ from, that lie before `end`;
        /// returns how many of the turn's eight multiples lie before `end`.
        @inline(__always) func partialTurn(_ t: Int, from: Int) -> Int {
            var inside = 0
            @inline(__always) func cross(_ i: Int, _ offset: Int, _ mask: UInt8) {
                let position = t &+ offset
                let before = position < end ? 1 : 0
                inside &+= before
                let target = before & (i >= from ? 1 : 0) != 0 ? segment + position : scratch + i
                target.pointee &= mask
            }
            cross(0, 0, m0); cross(1, o1, m1); cross(2, o2, m2); cross(3, o3, m3)
            cross(4, o4, m4); cross(5, o5, m5); cross(6, o6, m6); cross(7, o7, m7)
            return inside
        }

        var turn = Int(primes[j].next) &- C.offset(k, wheel: wheel)  // may lie before the segment
        var inside = partialTurn(turn, from: wheel)
        var nextWheel = max(wheel, inside)
        if inside == 8 {
            turn &+= p
            if turn &+ o7 < end {
                var t = segment + turn
                let lastTurn = segment + (end &- o7)  // a turn starting here or later leaves the segment
                repeat {
                    t[0] &= m0
                    t[o1] &= m1
                    t[o2] &= m2
                    t[o3] &= m3
                    t[o4] &= m4
                    t[o5] &= m5
                    t[o6] &= m6
                    t[o7] &= m7
                    t += p
                } while t < lastTurn
                turn = t - segment
            }
            inside = partialTurn(turn, from: 0)
            nextWheel = inside
        }
        primes[j] = SievingPrime(next: turn &+ C.offset(k, wheel: nextWheel) &- end, k: k, wheel: nextWheel)
    }
}

/// Crosses off the sieving primes `first[c] ..< last[c]` of every class c
/// (class c's list at `lists[c]`) in `segment[0..<end]`.
func crossOffAll(_ segment: UnsafeMutablePointer<UInt8>, end: Int,
                 lists: UnsafeMutablePointer<UnsafeMutablePointer<SievingPrime>>,
                 first: UnsafePointer<Int>, last: UnsafePointer<Int>, scratch: UnsafeMutablePointer<UInt8>) {
    @inline(__always) func run<C: WheelClass>(_ c: Int, _ type: C.Type) {
        if last[c] > first[c] {
            crossOff(type, segment, end: end, primes: lists[c] + first[c], count: last[c] - first[c],
                     scratch: scratch)
        }
    }
    run(0, WheelClass1.self)
    run(1, WheelClass7.self)
    run(2, WheelClass11.self)
    run(3, WheelClass13.self)
    run(4, WheelClass17.self)
    run(5, WheelClass19.self)
    run(6, WheelClass23.self)
    run(7, WheelClass29.self)
}
