import CelerCore
import CelerHarness
import CelerParallel
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// Segmented sieving over the mod-30 wheel (see SieveWheel.swift): the
// algorithm (sieve one range of wheel bytes, segment by segment, into a
// count or an array of primes) apart from its schedules (one thread over
// the whole range; blocks of segments dealt to all threads).

/// What every thread sieving primes ≤ limit shares: read-only after init.
final class WheelSieveContext: @unchecked Sendable {
    let limit: Int
    /// Wheel bytes covering 0...limit.
    let totalBytes: Int
    /// Bytes per segment, a multiple of 8.
    let segmentBytes: Int
    /// The sieving primes (past the pre-sieved ones, ≤ √limit) of each
    /// residue class mod 30, in wheel order (class c has p ≡ residues[c]), ascending.
    let sievingPrimes: [[Int]]
    let presieve = PresievePatterns.shared
    /// Bytes per L1-sized chunk in which the small sieving primes (many
    /// crossings per chunk) are crossed off before the others sweep the segment.
    let chunkBytes: Int
    /// How many of each class's sieving primes are small (crossed off chunk by chunk).
    let smallCounts: [Int]

    /// `smallPrimeLimit` (default chunk/8: at least 64 crossings per chunk)
    /// separates the primes crossed off chunk by chunk from the others.
    init(limit: Int, segmentBytes: Int, chunkBytes: Int = WheelSieveContext.defaultChunkBytes,
         smallPrimeLimit: Int? = nil) {
        precondition(limit >= 0 && segmentBytes >= 8 && segmentBytes % 8 == 0 && chunkBytes >= 1)
        self.limit = limit
        self.totalBytes = limit / 30 + 1
        self.segmentBytes = segmentBytes
        let root = integerSquareRoot(limit)
        var classes = [[Int]](repeating: [], count: 8)
        for p in OddByteSieve.primes(upTo: root) where p > presievePrimes.last! {
            classes[Wheel30.index(ofResidue: p % 30)].append(p)
        }
        self.sievingPrimes = classes
        self.chunkBytes = min(chunkBytes, segmentBytes)
        let smallLimit = smallPrimeLimit ?? self.chunkBytes / 8
        self.smallCounts = classes.map { list in list.prefix(while: { $0 < smallLimit }).count }
    }

    /// The largest power of two ≤ ¾ of the L1 data cache (32 KiB for 48 KiB),
    /// leaving room for the sieving primes' state.
    static let defaultChunkBytes: Int = {
        let l1 = SystemInfo.cacheSize(level: 1) ?? 32 * 1024
        var chunk = 4096
        while chunk * 2 <= l1 * 3 / 4 { chunk *= 2 }
        return chunk
    }()
}

/// The floor of √n.
func integerSquareRoot(_ n: Int) -> Int {
    guard n > 0 else { return 0 }
    var r = Int(Double(n).squareRoot())
    while r * r > n { r -= 1 }
    while (r + 1) * (r + 1) <= n { r += 1 }
    return r
}

/// One thread's scratch memory: a segment and the state of every sieving
/// prime, one list per residue class.
final class WheelWorkspace: @unchecked Sendable {
    let segment: AlignedBuffer<UInt8>
    let classLists: [AlignedBuffer<SievingPrime>]
    /// `classLists`' pointers, and how many primes of each class are active.
    let lists = AlignedBuffer<UnsafeMutablePointer<SievingPrime>>(uninitializedCount: 8)
    let active = AlignedBuffer<Int>(repeating: 0, count: 8)
    /// Per class: 0 (the first small prime), and how many active primes are small.
    let zeros = AlignedBuffer<Int>(repeating: 0, count: 8)
    let smallActive = AlignedBuffer<Int>(repeating: 0, count: 8)
    /// Where crossings outside the segment go (one byte per wheel index).
    let scratch = AlignedBuffer<UInt8>(repeating: 0, count: 64)

    init(_ context: WheelSieveContext) {
        segment = AlignedBuffer(uninitializedCount: context.segmentBytes)
        classLists = context.sievingPrimes.map { AlignedBuffer(uninitializedCount: max($0.count, 1)) }
        for c in 0..<8 { lists[c] = classLists[c].pointer }
    }
}

/// Workspaces handed to whichever thread sieves the next block; a new one is
/// made only when more threads run at once than were expected.
final class WheelWorkspacePool: @unchecked Sendable {
    let context: WheelSieveContext
    private let free: Mutex<[WheelWorkspace]>

    init(_ context: WheelSieveContext, count: Int) {
        self.context = context
        free = Mutex((0..<count).map { _ in WheelWorkspace(context) })
    }

    func withWorkspace<R>(_ body: (WheelWorkspace) -> R) -> R {
        let workspace = free.withLock { $0.popLast() } ?? WheelWorkspace(context)
        defer { free.withLock { $0.append(workspace) } }
        return body(workspace)
    }
}

/// The algorithm: sieves wheel bytes `range` one segment at a time and hands
/// each finished segment to `visit` as 64-bit words (bits past the limit and
/// past the range are zero; 2, 3 and 5 are not in the wheel). Segments are
/// sieved in the workspace's buffer, or, with `storage`, in place at
/// `storage[byte − range.lowerBound]` (8-byte aligned, writable up to the
/// range's length rounded up to 8 bytes), where they stay.
func sieveWheelRange(_ context: WheelSieveContext, _ workspace: WheelWorkspace, bytes range: Range<Int>,
                     storage: UnsafeMutablePointer<UInt8>? = nil,
                     visit: (_ firstByte: Int, _ words: UnsafePointer<UInt64>, _ wordCount: Int) -> Void) {
    workspace.active.pointer.update(repeating: 0, count: 8)
    var segmentStart = range.lowerBound
    while segmentStart < range.upperBound {
        let segment = storage.map { $0 + (segmentStart - range.lowerBound) } ?? workspace.segment.pointer
        let valid = min(context.segmentBytes, range.upperBound - segmentStart)
        // Sieve whole words; a range's last segment may be shorter than the others.
        let span = (valid + 7) / 8 * 8
        activateSievingPrimes(context, workspace, segmentStart: segmentStart, span: span)
        presieveSegment(context, segment, start: segmentStart, span: span)
        crossOffSegment(context, workspace, segment, span: span)
        clearPastTheEnd(context, segment, start: segmentStart, valid: valid, span: span)
        UnsafeRawPointer(segment).withMemoryRebound(to: UInt64.self, capacity: span / 8) { words in
            visit(segmentStart, words, span / 8)
        }
        segmentStart += context.segmentBytes
    }
}

/// Sieving primes whose square falls before the segment's end join, with
/// their first multiple ≥ max(p², segment start) in the segment's coordinates.
private func activateSievingPrimes(_ context: WheelSieveContext, _ workspace: WheelWorkspace,
                                   segmentStart: Int, span: Int) {
    let lists = workspace.lists.pointer
    let active = workspace.active.pointer
    let segmentEndNumber = 30 * (segmentStart + span)
    for c in 0..<8 {
        let classPrimes = context.sievingPrimes[c]
        while active[c] < classPrimes.count {
            let p = classPrimes[active[c]]
            if p * p >= segmentEndNumber { break }
            lists[c][active[c]] = firstMultiple(of: p, from: 30 * segmentStart)
            active[c] += 1
        }
    }
}

/// The segment's bytes with the multiples of the pre-sieve primes removed,
/// 1 removed and the pre-sieve primes themselves put back.
private func presieveSegment(_ context: WheelSieveContext, _ segment: UnsafeMutablePointer<UInt8>,
                             start: Int, span: Int) {
    context.presieve.fill(segment, count: span, firstByte: start)
    if start == 0 {
        segment[0] &= ~1  // 1 is not prime
        for p in presievePrimes where p / 30 < span {
            segment[p / 30] |= 1 << UInt8(Wheel30.index(ofResidue: p % 30))
        }
    }
}

/// Crosses off the active sieving primes: the small ones chunk by chunk (in
/// L1), then the others over the whole segment.
private func crossOffSegment(_ context: WheelSieveContext, _ workspace: WheelWorkspace,
                             _ segment: UnsafeMutablePointer<UInt8>, span: Int) {
    let lists = workspace.lists.pointer
    let active = workspace.active.pointer
    let small = workspace.smallActive.pointer
    for c in 0..<8 { small[c] = min(active[c], context.smallCounts[c]) }
    var chunkStart = 0
    while chunkStart < span {
        let chunk = min(context.chunkBytes, span - chunkStart)
        crossOffAll(segment + chunkStart, end: chunk, lists: lists, first: workspace.zeros.pointer, last: small,
                    scratch: workspace.scratch.pointer)
        chunkStart += chunk
    }
    crossOffAll(segment, end: span, lists: lists, first: small, last: active, scratch: workspace.scratch.pointer)
}

/// Zeroes the bytes past the range (up to a whole word) and the bits past the limit.
private func clearPastTheEnd(_ context: WheelSieveContext, _ segment: UnsafeMutablePointer<UInt8>,
                             start: Int, valid: Int, span: Int) {
    for b in valid..<span { segment[b] = 0 }
    let lastByte = context.totalBytes - 1
    if start + valid - 1 == lastByte {
        let remainder = context.limit - 30 * lastByte
        var keep: UInt8 = 0
        for (bit, r) in Wheel30.residues.enumerated() where r <= remainder { keep |= 1 << UInt8(bit) }
        segment[valid - 1] &= keep
    }
}

/// The state of sieving prime p at its first multiple p·q ≥ max(p², start),
/// q coprime to 30, as a byte offset from `start` (a multiple of 30).
func firstMultiple(of p: Int, from start: Int) -> SievingPrime {
    let q = Wheel30.nextCoprime(max(p, (start + p - 1) / p))
    return SievingPrime(next: p * q / 30 - start / 30, k: p / 30, wheel: Wheel30.index(ofResidue: q % 30))
}

/// The number of primes ≤ limit among wheel bytes `range`, 2, 3, 5
/// included when the range starts at 0 (`storage` as for `sieveWheelRange`).
func countWheelRange(_ context: WheelSieveContext, _ workspace: WheelWorkspace, bytes range: Range<Int>,
                     storage: UnsafeMutablePointer<UInt8>? = nil) -> Int {
    var count = range.lowerBound == 0 ? smallPrimes(upTo: context.limit).count : 0
    sieveWheelRange(context, workspace, bytes: range, storage: storage) { _, words, wordCount in
        var n = 0
        for j in 0..<wordCount { n &+= words[j].nonzeroBitCount }
        count += n
    }
    return count
}

/// Writes the primes ≤ limit among wheel bytes `range` to `out`, ascending
/// (2, 3, 5 first when the range starts at 0); returns how many. Writes
/// nothing at or past `out + capacity`, which must hold them all.
func extractWheelRange(_ context: WheelSieveContext, _ workspace: WheelWorkspace, bytes range: Range<Int>,
                       into out: UnsafeMutablePointer<Int64>, capacity: Int) -> Int {
    var n = range.lowerBound == 0 ? writeSmallPrimes(upTo: context.limit, into: out) : 0
    sieveWheelRange(context, workspace, bytes: range) { firstByte, words, wordCount in
        n += extractPrimes(words, wordCount: wordCount, firstByte: firstByte, into: out + n, capacity: capacity - n)
    }
    return n
}

/// Writes the numbers of the set bits of wheel words (the first standing for
/// wheel byte `firstByte`) to `out`, ascending; returns how many. While far
/// from `capacity`, four numbers are written per step without checking for
/// the word's end (the extra values are overwritten by the next ones); near
/// it, one per bit, so nothing is written at or past `out + capacity`.
@inline(__always)
func extractPrimes(_ words: UnsafePointer<UInt64>, wordCount: Int, firstByte: Int,
                   into out: UnsafeMutablePointer<Int64>, capacity: Int) -> Int {
    var written = 0
    for j in 0..<wordCount {
        var bits = words[j]
        let base = 30 &* (firstByte &+ 8 &* j)
        var o = out + written
        if written &+ 64 <= capacity {
            written &+= bits.nonzeroBitCount
            while bits != 0 {
                // Past the last set bit, trailing zeros = 64: a harmless value.
                o[0] = Int64(Wheel30.number(base: base, bit: bits.trailingZeroBitCount)); bits &= bits &- 1
                o[1] = Int64(Wheel30.number(base: base, bit: bits.trailingZeroBitCount)); bits &= bits &- 1
                o[2] = Int64(Wheel30.number(base: base, bit: bits.trailingZeroBitCount)); bits &= bits &- 1
                o[3] = Int64(Wheel30.number(base: base, bit: bits.trailingZeroBitCount)); bits &= bits &- 1
                o += 4
            }
        } else {
            while bits != 0 {
                o[0] = Int64(Wheel30.number(base: base, bit: bits.trailingZeroBitCount)); bits &= bits &- 1
                o += 1
                written &+= 1
            }
        }
    }
    return written
}

/// Writes those of 2, 3, 5 that are ≤ limit to `out`; returns how many.
func writeSmallPrimes(upTo limit: Int, into out: UnsafeMutablePointer<Int64>) -> Int {
    let small = smallPrimes(upTo: limit)
    for (i, p) in small.enumerated() { out[i] = Int64(p) }
    return small.count
}

/// The primes 2, 3, 5 that are ≤ limit.
@inline(__always)
func smallPrimes(upTo limit: Int) -> ArraySlice<Int> {
    let all = [2, 3, 5]
    return all[0..<all.prefix(while: { $0 <= limit }).count]
}

// MARK: - Schedules

/// How the parallel rung splits the wheel bytes: about `blocksPerThread`
/// blocks per thread so dynamic dealing evens out the load, each a whole
/// number of segments when there are enough segments, else a fraction of
/// one (64-byte multiples), since blocks need not align with segments.
func wheelBlocks(_ context: WheelSieveContext, threads: Int, blocksPerThread: Int = 4) -> [Range<Int>] {
    let total = context.totalBytes
    let wanted = max(1, threads * blocksPerThread)
    let unit = total >= wanted * context.segmentBytes ? context.segmentBytes : 64
    let units = (total + unit - 1) / unit
    let blockCount = max(1, min(units, wanted))
    var blocks: [Range<Int>] = []
    for b in 0..<blockCount {
        let lo = min(total, units * b / blockCount * unit)
        let hi = min(total, units * (b + 1) / blockCount * unit)
        if lo < hi { blocks.append(lo..<hi) }
    }
    return blocks
}

/// The parallel schedule, prepared once: blocks, a pool of workspaces and,
/// to return the primes, the wheel bytes of the whole range.
final class ParallelWheelSieve: @unchecked Sendable {
    let context: WheelSieveContext
    let blocks: [Range<Int>]
    let pool: WheelWorkspacePool
    /// Wheel bytes 0..<totalBytes (array mode only): each block sieves its part in place.
    let wheelBytes: AlignedBuffer<UInt8>
    let blockCounts: AlignedBuffer<Int>

    init(_ context: WheelSieveContext, threads: Int, blocksPerThread: Int = 4, returnsPrimes: Bool) {
        self.context = context
        blocks = wheelBlocks(context, threads: threads, blocksPerThread: blocksPerThread)
        pool = WheelWorkspacePool(context, count: threads)
        wheelBytes = AlignedBuffer(uninitializedCount: returnsPrimes ? (context.totalBytes + 7) / 8 * 8 : 0)
        blockCounts = AlignedBuffer(repeating: 0, count: blocks.count)
    }

    /// π(limit), each block counted on whichever thread takes it.
    func count() -> Int {
        let counts = blockCounts.pointer
        parallelFor(0..<blocks.count, schedule: .dynamic(1)) { range in
            for b in range {
                counts[b] = pool.withWorkspace { countWheelRange(context, $0, bytes: blocks[b]) }
            }
        }
        var total = 0
        for b in 0..<blocks.count { total += counts[b] }
        return total
    }

    /// Writes the primes ≤ limit to `out` in order; returns how many. Each
    /// block sieves its wheel bytes in place and counts them; a prefix sum
    /// of the counts gives each block's place in `out`, where it then writes
    /// its primes. No block waits for another, and no prime is copied.
    func primes(into out: UnsafeMutablePointer<Int64>) -> Int {
        let counts = blockCounts.pointer
        let bytes = wheelBytes.pointer
        parallelFor(0..<blocks.count, schedule: .dynamic(1)) { range in
            for b in range {
                counts[b] = pool.withWorkspace {
                    countWheelRange(context, $0, bytes: blocks[b], storage: bytes + blocks[b].lowerBound)
                }
            }
        }
        var offsets = [Int](repeating: 0, count: blocks.count + 1)
        for b in 0..<blocks.count { offsets[b + 1] = offsets[b] + counts[b] }
        parallelFor(0..<blocks.count, schedule: .dynamic(1)) { range in
            for b in range {
                let block = blocks[b]
                var o = out + offsets[b]
                let small = block.lowerBound == 0 ? writeSmallPrimes(upTo: context.limit, into: o) : 0
                o += small
                let wordCount = (block.count + 7) / 8
                UnsafeRawPointer(bytes + block.lowerBound).withMemoryRebound(to: UInt64.self, capacity: wordCount) {
                    _ = extractPrimes($0, wordCount: wordCount, firstByte: block.lowerBound, into: o,
                                      capacity: counts[b] - small)
                }
            }
        }
        return offsets[blocks.count]
    }
}
