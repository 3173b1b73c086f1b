import CelerCore
import CelerParallel

// Truth tests, counts and positions of nonzero elements (NumPy's any, all,
// count_nonzero, nonzero, flatnonzero).
//
// Bool arrays are the common case (masks, the sieve) and get their own
// kernels, `BoolScan`: a Bool is one byte holding 0 or 1, so eight of them are
// one 64-bit word. Counting sums words; finding positions turns each 64-byte
// block into a 64-bit mask and writes one position per set bit, eight at a
// time without branching on each bit (the "flatten bits" idea of simdjson).
// Both passes split the array into chunks on the thread pool; the first
// counts per chunk, a prefix sum places each chunk's output, the second fills
// it, so the result is exactly NumPy's whatever the thread count.

extension NDArray {
    /// Whether any element is nonzero (true); a non-contiguous array is read
    /// in place (`walkContains`), broadcast dimensions once.
    @inlinable
    public func any() -> Bool {
        if !isContiguous { return walkContains(nonzero: true) }
        return withContiguousElements { $0.contains { $0.isNonzero } }
    }
    /// Whether every element is nonzero (true); true when empty.
    @inlinable
    public func all() -> Bool {
        if !isContiguous { return !walkContains(nonzero: false) }
        return withContiguousElements { $0.allSatisfy { $0.isNonzero } }
    }

    /// The number of nonzero (true) elements.
    @inlinable
    public func countNonzero() -> Int {
        // Non-contiguous arrays other than Bool masks are read in place.
        if !isContiguous && Element.self != Bool.self { return walkCountNonzero() }
        return withContiguousElements { b in
            if Element.self == Bool.self {
                return BoolScan.count(UnsafeRawPointer(b.baseAddress!).assumingMemoryBound(to: UInt8.self), b.count)
            }
            var n = 0
            for x in b where x.isNonzero { n &+= 1 }
            return n
        }
    }
    /// Whether any element is nonzero along `axis`.
    @inlinable
    public func any(axis: Int, keepdims: Bool = false) -> NDArray<Bool> {
        (self.astype(Bool.self)).reduced(LogicalOrKernel(), axis: axis, keepdims: keepdims)
    }
    /// Whether all elements are nonzero along `axis`.
    @inlinable
    public func all(axis: Int, keepdims: Bool = false) -> NDArray<Bool> {
        (self.astype(Bool.self)).reduced(LogicalAndKernel(), axis: axis, keepdims: keepdims)
    }

    /// The indices of the nonzero elements, one array per axis, in row-major
    /// order (NumPy's `nonzero`).
    @inlinable
    public func nonzero() -> [NDArray<Int64>] {
        let positions = nonzeroPositions()
        if ndim == 1 { return [positions] }
        let cs = Layout.contiguousStrides(shape)
        let p = positions.baseAddress, count = positions.count
        return (0..<ndim).map { d in
            let out = NDArray<Int64>(uninitializedShape: [count])
            let o = out.baseAddress, step = Int64(cs[d]), size = Int64(shape[d])
            for j in 0..<count { o[j] = (p[j] / step) % size }
            return out
        }
    }

    /// Row-major positions (0 ..< count) of the nonzero elements, ascending
    /// (NumPy's `flatnonzero`). Bool arrays use `BoolScan` (threaded); other
    /// types a branch-free compaction (write every position, advance only
    /// past nonzero ones).
    @inlinable
    public func nonzeroPositions() -> NDArray<Int64> {
        withContiguousElements { b in
            if Element.self == Bool.self {
                return BoolScan.positions(UnsafeRawPointer(b.baseAddress!).assumingMemoryBound(to: UInt8.self), b.count)
            }
            let total = countNonzero()
            // One spare slot for the last unconditional write.
            let out = NDArray<Int64>(uninitializedShape: [total + 1])
            let o = out.baseAddress
            var j = 0
            for i in 0..<b.count {
                o[j] = Int64(truncatingIfNeeded: i)
                j &+= b[i].isNonzero ? 1 : 0
            }
            return out[.s(0, total)]
        }
    }
}

/// Counting and locating the true bytes of a Bool buffer (one byte each; the
/// low bit is the value). Not generic, so it is compiled once, with the
/// package's SIMD flags.
@usableFromInline
enum BoolScan {
    /// Buffers below this size are scanned on the calling thread.
    static let parallelThreshold = 1 << 17
    /// The low bit of each byte of a word.
    static let lowBits: UInt64 = 0x0101_0101_0101_0101

    /// The number of true bytes among `p[0 ..< n]`.
    @usableFromInline
    static func count(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        let chunks = chunkRanges(n)
        if chunks.count == 1 { return count(p, in: 0..<n) }
        var counts = [Int](repeating: 0, count: chunks.count)
        counts.withUnsafeMutableBufferPointer { c in
            parallelFor(0..<chunks.count) { r in for k in r { c[k] = count(p, in: chunks[k]) } }
        }
        return counts.reduce(0, +)
    }

    /// The positions of the true bytes among `p[0 ..< n]`, ascending, as a new 1-D array.
    @usableFromInline
    static func positions(_ p: UnsafePointer<UInt8>, _ n: Int) -> NDArray<Int64> {
        let chunks = chunkRanges(n)
        var starts = [Int](repeating: 0, count: chunks.count + 1)
        starts.withUnsafeMutableBufferPointer { s in
            parallelFor(0..<chunks.count) { r in for k in r { s[k + 1] = count(p, in: chunks[k]) } }
        }
        for k in 0..<chunks.count { starts[k + 1] += starts[k] }
        let out = NDArray<Int64>(uninitializedShape: [starts[chunks.count]])
        let o = out.baseAddress
        starts.withUnsafeBufferPointer { s in
            parallelFor(0..<chunks.count) { r in
                for k in r {
                    let written = positions(p, in: chunks[k], into: o + s[k], capacity: s[k + 1] - s[k])
                    precondition(written == s[k + 1] - s[k], "BoolScan: count and positions disagree")
                }
            }
        }
        return out
    }

    /// `0..<n` cut into pieces of whole 64-byte blocks, a few per thread.
    static func chunkRanges(_ n: Int) -> [Range<Int>] {
        let threads = Parallel.threadCount
        guard n >= parallelThreshold, threads > 1 else { return [0..<n] }
        let pieces = min(threads * 4, n / (parallelThreshold / 4))
        let size = (n / pieces + 63) & ~63
        return stride(from: 0, to: n, by: size).map { $0 ..< min($0 + size, n) }
    }

    /// The number of true bytes in `p[range]`: words are added with their
    /// bytes in separate lanes (at most 255 words per partial sum, so no lane
    /// carries), then the lanes are added.
    static func count(_ p: UnsafePointer<UInt8>, in range: Range<Int>) -> Int {
        let raw = UnsafeRawPointer(p)
        var i = range.lowerBound, total = 0
        while i &+ 8 <= range.upperBound {
            let stop = min(range.upperBound, i &+ 8 &* 255)
            var lanes: UInt64 = 0
            while i &+ 8 <= stop {
                lanes &+= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & lowBits
                i &+= 8
            }
            total &+= laneSum(lanes)
        }
        while i < range.upperBound { total &+= Int(p[i] & 1); i &+= 1 }
        return total
    }

    /// The sum of the eight bytes of `lanes` (each up to 255).
    @inline(__always)
    static func laneSum(_ lanes: UInt64) -> Int {
        let pairs = (lanes & 0x00FF_00FF_00FF_00FF) &+ ((lanes >> 8) & 0x00FF_00FF_00FF_00FF)
        return Int(truncatingIfNeeded: (pairs &* 0x0001_0001_0001_0001) >> 48)
    }

    /// Bit k set when `p[i + k]` is true, for k in 0..<64: each word's low
    /// bits are gathered into one byte by a multiply (byte k of the word
    /// lands on bit 56 + k of the product).
    @inline(__always)
    static func mask64(_ raw: UnsafeRawPointer, _ i: Int) -> UInt64 {
        var m: UInt64 = 0
        for k in 0..<8 {
            let w = raw.loadUnaligned(fromByteOffset: i &+ 8 &* k, as: UInt64.self) & lowBits
            m |= ((w &* 0x0102_0408_1020_4080) >> 56) << UInt64(8 &* k)
        }
        return m
    }

    /// Writes the positions of the true bytes in `p[range]` to `o[0...]` and
    /// returns how many. While at least 64 slots remain it writes eight
    /// positions per step whether or not that many bits are set (the extra
    /// writes land in slots that later positions overwrite); near the end it
    /// writes exactly one per bit, so nothing past `capacity` is touched.
    static func positions(_ p: UnsafePointer<UInt8>, in range: Range<Int>,
                          into o: UnsafeMutablePointer<Int64>, capacity: Int) -> Int {
        let raw = UnsafeRawPointer(p)
        var i = range.lowerBound, j = 0
        while i &+ 64 <= range.upperBound {
            var m = mask64(raw, i)
            let base = Int64(truncatingIfNeeded: i)
            if j &+ 64 <= capacity {
                let bits = m.nonzeroBitCount
                var t = 0
                repeat {
                    for u in 0..<8 {
                        o[j &+ t &+ u] = base &+ Int64(truncatingIfNeeded: m.trailingZeroBitCount)
                        m &= m &- 1
                    }
                    t &+= 8
                } while t < bits
                j &+= bits
            } else {
                while m != 0 {
                    guard j < capacity else { return j &+ m.nonzeroBitCount }
                    o[j] = base &+ Int64(truncatingIfNeeded: m.trailingZeroBitCount)
                    m &= m &- 1
                    j &+= 1
                }
            }
            i &+= 64
        }
        while i < range.upperBound {
            if p[i] & 1 != 0 {
                guard j < capacity else { return j &+ 1 }
                o[j] = Int64(truncatingIfNeeded: i)
                j &+= 1
            }
            i &+= 1
        }
        return j
    }
}

// MARK: - Counts and truth tests of strided arrays, read in place

extension NDArray {
    /// The number of nonzero elements, read in place (no copy), units on
    /// threads: for `countNonzero()` of non-contiguous arrays (Bool arrays
    /// that are contiguous keep `BoolScan`).
    @inlinable
    func walkCountNonzero() -> Int {
        if count == 0 { return 0 }
        let (s, st, base) = memoryOrderLayout(dropBroadcast: false)
        let runs = ReductionRuns(shape: s, strides: [st])
        return withExtendedLifetime(self) { () -> Int in
            let p = UnsafePointer(base), step = runs.strides[0]
            let unit = { (u: Int) -> Int in
                var c = 0
                runs.forEachPiece(inUnit: u) { offset, _, n in
                    let q = p + offset
                    for i in 0..<n { c &+= q[i &* step].isNonzero ? 1 : 0 }
                }
                return c
            }
            return runs.reduceUnits(unit, +)
        }
    }

    /// Whether some element is nonzero (`any()`, `wanted: true`), or whether
    /// some element is zero (`!all()`, `wanted: false`), read in place;
    /// broadcast dimensions are read once. Each unit stops at its first find.
    @inlinable
    func walkContains(nonzero wanted: Bool) -> Bool {
        if count == 0 { return false }
        let (s, st, base) = memoryOrderLayout(dropBroadcast: true)
        let runs = ReductionRuns(shape: s, strides: [st])
        return withExtendedLifetime(self) { () -> Bool in
            let p = UnsafePointer(base), step = runs.strides[0]
            let unit = { (u: Int) -> Bool in
                var found = false
                runs.forEachPiece(inUnit: u) { offset, _, n in
                    if found { return }
                    let q = p + offset
                    for i in 0..<n where q[i &* step].isNonzero == wanted { found = true; return }
                }
                return found
            }
            return runs.reduceUnits(unit) { $0 || $1 }
        }
    }
}
