import CelerCore
import CelerParallel

// The strided loop driver: NumPy's iterator, reduced to what elementwise
// operations need.
//
// Every elementwise operation hands the driver a `StridedLoopBody` (its inner
// loop, one signature for all: a count, and per operand an element offset and
// a stride) plus the shape and each operand's strides, already broadcast (a
// stride of 0 repeats an element). The driver
//   1. drops dimensions of size 1 and orders the rest by memory, innermost
//      (smallest output stride) first, so inner loops run along memory;
//   2. coalesces neighbouring dimensions that every operand steps through
//      evenly, so a contiguous or uniformly strided operation becomes one flat
//      loop (the contiguous fast path falls out of the strides, no flag);
//   3. picks a schedule: one flat loop split among threads; tiles of
//      `tileInner` × `tileOuter` over two dimensions when an operand runs
//      across memory in the inner dimension but contiguously in another
//      (`a + b.T`): the body copies that operand's tile into a buffer
//      (`runTile`), so every loop reads memory in long contiguous runs; or an
//      odometer over the outer dimensions;
//   4. runs in parallel (`parallelFor`) above `parallelThreshold` elements,
//      counting an element that steps far through memory as several (`spread`).
// The body never knows which schedule ran it, which keeps kernels (the
// algorithm) apart from the schedule, and lets a fused expression later be
// one more `StridedLoopBody`.

/// The inner loop of an elementwise operation over `n` operands.
public protocol StridedLoopBody {
    /// Processes `count` elements. Operand `k` starts `offsets[k]` elements
    /// from its base pointer and steps `strides[k]` elements per element
    /// (0: the same element every time). Operand 0 is the output.
    func run(count: Int, offsets: UnsafePointer<Int>, strides: UnsafePointer<Int>)

    /// Processes a tile: `rows` runs of `count` elements; run `r` starts at
    /// `offsets[k] + r·outer[k]` and steps `inner[k]`. The default calls `run`
    /// per row; bodies override it to copy a transposed operand's tile into a
    /// contiguous buffer first (NumPy's buffering), so the inner loop is
    /// contiguous and each cache line of the transposed operand is read once.
    /// `scratch` holds `StridedLoop.tileScratchBytes` bytes for each input
    /// (input `k` at `scratch + (k − 1)·tileScratchBytes`), 64-byte aligned.
    func runTile(rows: Int, count: Int, offsets: UnsafePointer<Int>, inner: UnsafePointer<Int>, outer: UnsafePointer<Int>,
                 operands: Int, scratch: UnsafeMutableRawPointer)
}

extension StridedLoopBody {
    @inlinable
    public func runTile(rows: Int, count: Int, offsets: UnsafePointer<Int>, inner: UnsafePointer<Int>, outer: UnsafePointer<Int>,
                        operands: Int, scratch: UnsafeMutableRawPointer) {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: operands) { row in
            for r in 0..<rows {
                for k in 0..<operands { row[k] = offsets[k] + r * outer[k] }
                run(count: count, offsets: UnsafePointer(row.baseAddress!), strides: inner)
            }
        }
    }
}

/// Elements between rows of a tile buffer: one cache line more than a row,
/// so the column-wise writes of the transpose do not all fall into the same
/// few cache sets (a power-of-two pitch made larger tiles several times slower).
@inlinable @inline(__always)
public func tilePitch(_ count: Int) -> Int { count &+ 8 }

/// A contiguous copy of a transposed tile of `rows` runs of `count` elements
/// (`source[i·inner + r·outer]` at `buffer[r·pitch + i]`, `pitch` =
/// `tilePitch(count)`) in `buffer`, when the operand steps across memory along
/// runs and contiguously across rows; else nil (read the operand in place).
/// The copy walks down the source's columns: the first column touches `count`
/// different cache lines at once (the memory system fetches them in
/// parallel), the next 7 columns hit the same lines in L1. Walking along the
/// source's rows instead (short sequential runs) took twice as long.
@inlinable @inline(__always)
public func transposedTile<T>(_ source: UnsafePointer<T>, rows: Int, count: Int, inner: Int, outer: Int,
                              buffer: UnsafeMutableRawPointer) -> UnsafePointer<T>? {
    guard Swift.abs(inner) > 1 && outer == 1 else { return nil }
    let b = buffer.assumingMemoryBound(to: T.self)
    let pitch = tilePitch(count)
    for r in 0..<rows {
        let row = b + r &* pitch, column = source + r
        for i in 0..<count { (row + i).initialize(to: column[i &* inner]) }
    }
    return UnsafePointer(b)
}

/// The schedule of elementwise loops.
public enum StridedLoop {
    /// Operations on fewer elements run on the calling thread only.
    public static let parallelThreshold = 1 << 16
    /// Tile extent along the innermost loop dimension when an operand is
    /// transposed (256 doubles: 2 KiB runs of the contiguous operands; the
    /// transposed operand's buffer fill then has 256 cache-line misses in
    /// flight per column it walks).
    public static let tileInner = 256
    /// Tile extent along the second tiled dimension (64: 512-byte runs of the
    /// transposed operand; its buffer, 132 KiB of doubles, stays in L2).
    /// Chosen by timing 4000² and 10000² `a + b.T` against tiles from 64×32
    /// to 512×64 (docs/arrays.md).
    public static let tileOuter = 64
    /// Bytes of tile buffer per operand (room for the widest element, 16 bytes).
    public static let tileScratchBytes = tileOuter * tilePitch(tileInner) * 16

    /// Runs `body` over every element of `shape`; `strides[k]` are operand
    /// `k`'s strides (one per dimension of `shape`). Operand 0 is written.
    @inlinable
    public static func execute<Body: StridedLoopBody>(_ body: Body, shape: [Int], strides: [[Int]], parallel: Bool = true) {
        let total = Layout.count(shape)
        if total == 0 { return }
        let operands = strides.count
        // Every operand row-major over the whole shape or one repeated
        // element (a scalar): one flat loop with strides 1 or 0, no planning.
        // The common case, and the one where set-up time shows.
        var flat: [Int] = []
        flat.reserveCapacity(operands)
        for s in strides {
            if Layout.isContiguous(shape, s) { flat.append(1) }
            else if s.allSatisfy({ $0 == 0 }) { flat.append(0) }
            else { break }
        }
        if flat.count == operands && flat[0] == 1 {
            let threads = parallel && total >= parallelThreshold ? Parallel.threadCount : 1
            runFlat(body, count: total, inner: flat, threads: threads)
            return
        }
        let (loopShape, loopStrides) = plan(shape: shape, strides: strides)
        // Strides per operand for the innermost dimension, laid out flat.
        let inner = (0..<operands).map { loopStrides[$0][0] }
        let spread = spread(inner)
        let threads = parallel && total &* spread >= parallelThreshold ? Parallel.threadCount : 1

        if loopShape.count == 1 {
            runFlat(body, count: total, inner: inner, threads: threads, spread: spread)
            return
        }
        if let tiled = tileDimension(loopShape, loopStrides) {
            runTiled(body, shape: loopShape, strides: loopStrides, second: tiled, threads: threads)
            return
        }
        runOdometer(body, shape: loopShape, strides: loopStrides, threads: threads)
    }

    /// Steps 1 and 2: the loop dimensions, innermost first, coalesced.
    @inlinable
    public static func plan(shape: [Int], strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
        let operands = strides.count
        var dims = (0..<shape.count).filter { shape[$0] != 1 }
        // Stable insertion sort: by |stride| of the output, then of each input.
        func less(_ x: Int, _ y: Int) -> Bool {
            for k in 0..<operands {
                let sx = Swift.abs(strides[k][x]), sy = Swift.abs(strides[k][y])
                if sx != sy { return sx < sy }
            }
            return x > y
        }
        if dims.count > 1 {
            for i in 1..<dims.count {
                var j = i
                while j > 0 && less(dims[j], dims[j - 1]) { dims.swapAt(j, j - 1); j -= 1 }
            }
        }
        var loopShape: [Int] = []
        var loopStrides = [[Int]](repeating: [], count: operands)
        for d in dims {
            if let last = loopShape.last,
               (0..<operands).allSatisfy({ strides[$0][d] == loopStrides[$0][loopShape.count - 1] * last }) {
                loopShape[loopShape.count - 1] *= shape[d]
                continue
            }
            loopShape.append(shape[d])
            for k in 0..<operands { loopStrides[k].append(strides[k][d]) }
        }
        if loopShape.isEmpty {
            loopShape = [1]
            for k in 0..<operands { loopStrides[k] = [0] }
        }
        return (loopShape, loopStrides)
    }

    /// The second dimension to tile with the innermost one, when some operand
    /// steps across memory in the innermost dimension but contiguously in
    /// another one (a transposed operand), else nil.
    @inlinable
    public static func tileDimension(_ shape: [Int], _ strides: [[Int]]) -> Int? {
        guard shape.count >= 2, shape[0] >= 16 else { return nil }
        for k in 0..<strides.count where Swift.abs(strides[k][0]) > 4 {
            for d in 1..<shape.count where Swift.abs(strides[k][d]) == 1 && shape[d] >= 16 {
                return d
            }
        }
        return nil
    }

    /// How many contiguous elements' worth of memory traffic one element of
    /// the inner loop costs, roughly (1 ... 16): operands that step far
    /// through memory touch a new cache line per element (a sieve's
    /// `a[.from(s, step: q)] = false`), so such loops are worth threads, and
    /// smaller chunks, at fewer elements.
    @inlinable
    static func spread(_ inner: [Int]) -> Int {
        let widest = inner.reduce(0) { Swift.max($0, Swift.abs($1)) }
        return Swift.min(16, Swift.max(1, widest / 4))
    }

    @inlinable
    static func runFlat<Body: StridedLoopBody>(_ body: Body, count: Int, inner: [Int], threads: Int, spread: Int = 1) {
        let operands = inner.count
        inner.withUnsafeBufferPointer { strides in
            let strides = strides.baseAddress!
            func chunk(_ range: Range<Int>) {
                withUnsafeTemporaryAllocation(of: Int.self, capacity: operands) { offsets in
                    for k in 0..<operands { offsets[k] = range.lowerBound * strides[k] }
                    body.run(count: range.count, offsets: UnsafePointer(offsets.baseAddress!), strides: strides)
                }
            }
            if threads <= 1 { chunk(0..<count); return }
            // Blocks of whole cache lines, taken 4096 at a time from a shared
            // counter, so a thread that the OS preempts does not hold up the
            // loop (the cores are shared with other work).
            let blocks = (count + 7) / 8
            parallelFor(0..<blocks, schedule: .dynamic(4096 / spread)) { r in chunk((r.lowerBound * 8)..<Swift.min(r.upperBound * 8, count)) }
        }
    }

    /// Runs the linear range `range` (in loop order) of an odometer walk.
    @inlinable
    static func runOdometer<Body: StridedLoopBody>(_ body: Body, shape: [Int], strides: [[Int]], threads: Int) {
        let operands = strides.count, ndim = shape.count
        let total = Layout.count(shape)
        // Flat stride table: stride of operand k along dimension d at [d * operands + k].
        var table = [Int](repeating: 0, count: ndim * operands)
        for d in 0..<ndim { for k in 0..<operands { table[d * operands + k] = strides[k][d] } }
        table.withUnsafeBufferPointer { tableBuffer in
            let table = tableBuffer.baseAddress!
            func chunk(_ range: Range<Int>) {
                withUnsafeTemporaryAllocation(of: Int.self, capacity: ndim + operands) { scratch in
                    let index = scratch.baseAddress!, offsets = scratch.baseAddress! + ndim
                    var rest = range.lowerBound
                    for k in 0..<operands { offsets[k] = 0 }
                    for d in 0..<ndim {
                        index[d] = rest % shape[d]
                        rest /= shape[d]
                        for k in 0..<operands { offsets[k] += index[d] * table[d * operands + k] }
                    }
                    var position = range.lowerBound
                    while position < range.upperBound {
                        let n = Swift.min(shape[0] - index[0], range.upperBound - position)
                        body.run(count: n, offsets: UnsafePointer(offsets), strides: table)
                        position += n
                        // Advance the odometer by n along dimension 0, then carry.
                        index[0] += n
                        for k in 0..<operands { offsets[k] += n * table[k] }
                        var d = 0
                        while d < ndim - 1 && index[d] == shape[d] {
                            for k in 0..<operands {
                                offsets[k] += table[(d + 1) * operands + k] - shape[d] * table[d * operands + k]
                            }
                            index[d] = 0
                            index[d + 1] += 1
                            d += 1
                        }
                    }
                }
            }
            if threads <= 1 { chunk(0..<total); return }
            parallelFor(0..<total, schedule: .dynamic(1 << 15)) { chunk($0) }
        }
    }

    /// Tiles of `tileInner` × `tileOuter` over dimension 0 and `second`, the
    /// other dimensions walked outside; tiles are the units of parallel work.
    @inlinable
    static func runTiled<Body: StridedLoopBody>(_ body: Body, shape: [Int], strides: [[Int]], second: Int, threads: Int) {
        let operands = strides.count, ndim = shape.count
        let tile0 = tileInner, tile1 = tileOuter
        let tiles0 = (shape[0] + tile0 - 1) / tile0, tiles1 = (shape[second] + tile1 - 1) / tile1
        let others = (1..<ndim).filter { $0 != second }
        let outer = others.reduce(1) { $0 * shape[$1] }
        var table = [Int](repeating: 0, count: ndim * operands)
        for d in 0..<ndim { for k in 0..<operands { table[d * operands + k] = strides[k][d] } }
        let units = outer * tiles1 * tiles0
        table.withUnsafeBufferPointer { tableBuffer in
            let table = tableBuffer.baseAddress!
            func chunk(_ range: Range<Int>) {
                // One tile buffer per chunk (per thread), on the heap: a
                // temporary allocation per tile costs more than the tile.
                // Slots for the inputs only (operand 0, the output, is never buffered).
                let buffers = UnsafeMutableRawPointer(AlignedMemory.allocate(UInt8.self, count: (operands - 1) * tileScratchBytes))
                defer { AlignedMemory.deallocate(buffers.assumingMemoryBound(to: UInt8.self)) }
                withUnsafeTemporaryAllocation(of: Int.self, capacity: operands) { scratch in
                    let base = scratch.baseAddress!
                    for unit in range {
                        // Consecutive tiles step along the second dimension, so
                        // the transposed operand is read along its rows.
                        let t1 = unit % tiles1, t0 = (unit / tiles1) % tiles0
                        var rest = unit / (tiles0 * tiles1)
                        for k in 0..<operands { base[k] = t0 * tile0 * table[k] + t1 * tile1 * table[second * operands + k] }
                        for d in others {
                            let i = rest % shape[d]
                            rest /= shape[d]
                            for k in 0..<operands { base[k] += i * table[d * operands + k] }
                        }
                        let n0 = Swift.min(tile0, shape[0] - t0 * tile0)
                        let n1 = Swift.min(tile1, shape[second] - t1 * tile1)
                        body.runTile(rows: n1, count: n0, offsets: UnsafePointer(base), inner: table,
                                     outer: table + second * operands, operands: operands, scratch: buffers)
                    }
                }
            }
            if threads <= 1 { chunk(0..<units); return }
            // About 8 claims per thread: each claim allocates its tile buffers.
            parallelFor(0..<units, schedule: .dynamic(Swift.max(1, units / (8 * threads)))) { chunk($0) }
        }
    }
}
