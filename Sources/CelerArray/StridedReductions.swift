import CelerCore
import CelerParallel

// Full reductions that read a strided array where it lies, with no copy.
//
// The layout: `ReductionRuns` orders the array's dimensions by memory and
// coalesces them, so the walk is a set of runs (the innermost loop
// dimension) at offsets given by an odometer over the others. Reductions
// whose result ignores the order (min, max, argmin/argmax, integer sums and
// products, counts) use `StridedLoop.plan`, after turning negative strides
// positive and reading broadcast dimensions once where repeats do not matter;
// reductions whose rounding depends on the order (floating-point products,
// converting sums) use NumPy's own order (`numpyIterationPlan`).
//
// The schedule: the runs are cut into units of about `unitElements` elements
// (whole runs grouped, or one long run cut into pieces). The units depend on
// the shape and strides only, never on the thread count; each unit is reduced
// on its own and the units' results are combined in unit order, so a result
// is the same on any number of threads. Units run on threads (`parallelFor`)
// above `StridedLoop.parallelThreshold` elements.
//
// The algorithms: `ExtremeScan` finds the extreme of a contiguous block with
// SIMD (min/max, and blocks of argmin/argmax; strided runs are gathered into
// L1-sized blocks first); `ArgCandidate` orders candidates as NumPy's
// argmin/argmax do (a NaN wins, the first NaN first; else the extreme value,
// and among equal values the smaller row-major position), so memory order
// may be walked and ties still resolve to NumPy's answer.

/// The runs of a full reduction over an array, cut into units of work.
@usableFromInline
struct ReductionRuns {
    /// Loop dimensions, innermost first.
    @usableFromInline let shape: [Int]
    /// Memory step per loop dimension (elements).
    @usableFromInline let strides: [Int]
    /// Row-major position step per loop dimension (for argmin/argmax), or zeros.
    @usableFromInline let positionSteps: [Int]
    @usableFromInline let runLength: Int
    @usableFromInline let runCount: Int
    /// Pieces a run is cut into (> 1 only for runs longer than a unit).
    @usableFromInline let piecesPerRun: Int
    /// Runs per unit (> 1 only for runs shorter than a unit).
    @usableFromInline let runsPerUnit: Int
    @usableFromInline let units: Int
    @usableFromInline let elements: Int
    /// Elements per unit (whole runs grouped below it, long runs cut at it).
    @usableFromInline let unitSize: Int

    /// Elements per unit of work: 256 KiB of doubles, so a unit's time dwarfs
    /// the cost of claiming it.
    @usableFromInline static let unitElements = 1 << 15

    /// `strides` lists the memory strides (operand 0) and optionally the
    /// row-major position steps (operand 1); dimensions coalesce only where
    /// every operand allows.
    /// `numpyOrder`: order the dimensions as NumPy's iterator does (one
    /// operand), for reductions whose rounding depends on the order.
    @inlinable
    init(shape: [Int], strides: [[Int]], unit: Int = ReductionRuns.unitElements, numpyOrder: Bool = false) {
        unitSize = unit
        let (loopShape, loopStrides) = numpyOrder ? numpyIterationPlan(shape: shape, strides: strides[0])
                                                  : StridedLoop.plan(shape: shape, strides: strides)
        self.shape = loopShape
        self.strides = loopStrides[0]
        self.positionSteps = strides.count > 1 ? loopStrides[1] : [Int](repeating: 0, count: loopShape.count)
        runLength = loopShape[0]
        elements = Layout.count(loopShape)
        runCount = elements / Swift.max(1, runLength)
        if runLength >= unit {
            piecesPerRun = (runLength + unit - 1) / unit
            runsPerUnit = 1
            units = runCount * piecesPerRun
        } else {
            piecesPerRun = 1
            runsPerUnit = Swift.max(1, unit / runLength)
            units = (runCount + runsPerUnit - 1) / runsPerUnit
        }
    }

    /// Calls `body(offset, position, count)` for each piece of unit `u`, in
    /// walk order: `count` elements from memory offset `offset` stepping
    /// `strides[0]`, at row-major positions `position + i·positionSteps[0]`.
    @inlinable
    func forEachPiece(inUnit u: Int, _ body: (_ offset: Int, _ position: Int, _ count: Int) -> Void) {
        let dims = shape.count
        withUnsafeTemporaryAllocation(of: Int.self, capacity: dims) { index in
            let firstRun: Int, lastRun: Int, lo: Int, hi: Int
            if piecesPerRun > 1 {
                firstRun = u / piecesPerRun
                lastRun = firstRun + 1
                lo = (u % piecesPerRun) * unitSize
                hi = Swift.min(runLength, lo + unitSize)
            } else {
                firstRun = u * runsPerUnit
                lastRun = Swift.min(runCount, firstRun + runsPerUnit)
                lo = 0
                hi = runLength
            }
            // The odometer over the outer dimensions, set to `firstRun`.
            var offset = 0, position = 0, rest = firstRun
            index[0] = 0
            for d in 1..<Swift.max(1, dims) {
                index[d] = rest % shape[d]
                rest /= shape[d]
                offset += index[d] * strides[d]
                position += index[d] * positionSteps[d]
            }
            for _ in firstRun..<lastRun {
                body(offset + lo * strides[0], position + lo * positionSteps[0], hi - lo)
                var d = 1
                while d < dims {
                    index[d] += 1
                    offset += strides[d]
                    position += positionSteps[d]
                    if index[d] < shape[d] { break }
                    offset -= shape[d] * strides[d]
                    position -= shape[d] * positionSteps[d]
                    index[d] = 0
                    d += 1
                }
            }
        }
    }

    /// Reduces every unit with `unit` and combines the results in unit order
    /// with `combine`; units run on threads for large arrays. The result does
    /// not depend on the thread count.
    @inlinable
    func reduceUnits<R>(_ unit: (Int) -> R, _ combine: (R, R) -> R) -> R {
        let threads = elements * StridedLoop.spreadOf(strides[0]) >= StridedLoop.parallelThreshold ? Parallel.threadCount : 1
        if threads <= 1 || units == 1 {
            var result = unit(0)
            for u in 1..<units { result = combine(result, unit(u)) }
            return result
        }
        var partial = [R?](repeating: nil, count: units)
        partial.withUnsafeMutableBufferPointer { out in
            let out = UncheckedSendable(out)
            parallelFor(0..<units, schedule: .dynamic(1)) { r in
                for u in r { out.value[u] = unit(u) }
            }
        }
        var result = partial[0]!
        for u in 1..<units { result = combine(result, partial[u]!) }
        return result
    }
}

extension ReductionRuns {
    /// Each unit's result from `unit(u, buffer)` with a scratch buffer of
    /// `capacity` elements (one per participating thread), in unit order.
    @inlinable
    func reduceUnitsBuffered<T, R>(capacity: Int, of: T.Type, _ unit: (Int, UnsafeMutablePointer<T>) -> R) -> [R] {
        let threads = elements >= StridedLoop.parallelThreshold ? Parallel.threadCount : 1
        var results = [R?](repeating: nil, count: units)
        results.withUnsafeMutableBufferPointer { out in
            let out = UncheckedSendable(out)
            func work(_ range: Range<Int>) {
                let buffer = UnsafeMutablePointer<T>.allocate(capacity: capacity)
                defer { buffer.deallocate() }
                for u in range { out.value[u] = unit(u, buffer) }
            }
            if threads <= 1 || units == 1 { work(0..<units) } else {
                parallelFor(0..<units, schedule: .dynamic(8)) { work($0) }
            }
        }
        return results.map { $0! }
    }
}

/// The dimensions of one operand ordered as NumPy's iterator orders them,
/// innermost first (NumPy's `npyiter_find_best_axis_ordering`): a stable
/// insertion sort by |stride| that treats a zero stride (a broadcast
/// dimension) as no preference, so broadcast dimensions keep their row-major
/// place and other dimensions may move past them. Size-1 dimensions are
/// dropped.
@inlinable
func numpyAxisOrder(shape: [Int], strides: [Int]) -> [Int] {
    var perm = (0..<shape.count).reversed().filter { shape[$0] != 1 }
    if perm.count < 2 { return perm }
    for i0 in 1..<perm.count {
        let j0 = perm[i0], s0 = strides[j0]
        var insertAt = i0
        var i1 = i0 - 1
        while i1 >= 0 {
            let s1 = strides[perm[i1]]
            if s0 != 0 && s1 != 0 {
                if Swift.abs(s1) <= Swift.abs(s0) { break }
                insertAt = i1
            }
            i1 -= 1
        }
        if insertAt != i0 {
            perm.remove(at: i0)
            perm.insert(j0, at: insertAt)
        }
    }
    return perm
}

/// `numpyAxisOrder`, then neighbouring dimensions coalesced where the outer
/// one steps exactly over the inner one (NumPy's `npyiter_coalesce_axes`).
@inlinable
func numpyIterationPlan(shape: [Int], strides: [Int]) -> (shape: [Int], strides: [[Int]]) {
    var loopShape: [Int] = [], loopStrides: [Int] = []
    for d in numpyAxisOrder(shape: shape, strides: strides) {
        if let last = loopShape.last, strides[d] == loopStrides[loopStrides.count - 1] * last {
            loopShape[loopShape.count - 1] *= shape[d]
            continue
        }
        loopShape.append(shape[d])
        loopStrides.append(strides[d])
    }
    if loopShape.isEmpty { return ([1], [[0]]) }
    return (loopShape, [loopStrides])
}

extension StridedLoop {
    /// Contiguous elements' worth of memory traffic per element at `stride`.
    @inlinable
    static func spreadOf(_ stride: Int) -> Int { Swift.min(16, Swift.max(1, Swift.abs(stride) / 4)) }
}

extension NDArray {
    /// The layout for an order-free full reduction: dimensions with stride 0
    /// (broadcast) reduced to one element, negative strides turned positive
    /// (the base moved to the lowest address), so reversed and transposed
    /// views of a block coalesce into one contiguous run. Valid for
    /// reductions whose result ignores order and repetition (min, max).
    @inlinable
    func memoryOrderLayout(dropBroadcast: Bool) -> (shape: [Int], strides: [Int], base: UnsafeMutablePointer<Element>) {
        var s = shape, st = strides
        var base = baseAddress
        for d in 0..<ndim {
            if st[d] == 0 && dropBroadcast { s[d] = Swift.min(s[d], 1) }
            if st[d] < 0 && s[d] > 0 {
                base += (s[d] - 1) * st[d]
                st[d] = -st[d]
            }
        }
        return (s, st, base)
    }
}

// MARK: - Extremes of contiguous blocks (SIMD)

/// Min or max of contiguous elements with SIMD, and whether any is NaN
/// (then the value is meaningless). Written out per element type with
/// concrete vector types: the standard library's vector comparisons and
/// selects compile to single instructions only on concrete types (a version
/// generic over `SIMD` ran 20× slower). Four 256-bit accumulators hide the
/// compare-and-blend latency. Not generic at the entry points, so it is
/// compiled once, here, with the package's SIMD flags.
@usableFromInline
enum ExtremeScan {
    @usableFromInline
    static func extreme(_ p: UnsafePointer<Double>, _ n: Int, max: Bool) -> (value: Double, nan: Bool) {
        max ? largest(p, n) : smallest(p, n)
    }
    @inline(never)
    static func largest(_ p: UnsafePointer<Double>, _ n: Int) -> (value: Double, nan: Bool) {
        var best = p[0], nan = best != best
        var i = 0
        if n >= 16 {
            let raw = UnsafeRawPointer(p), size = MemoryLayout<Double>.stride
            var m0 = raw.loadUnaligned(as: SIMD4<Double>.self), m1 = m0, m2 = m0, m3 = m0
            var nan0 = m0 .!= m0, nan1 = nan0
            while i &+ 16 <= n {
                let x0 = raw.loadUnaligned(fromByteOffset: i &* size, as: SIMD4<Double>.self)
                let x1 = raw.loadUnaligned(fromByteOffset: (i &+ 4) &* size, as: SIMD4<Double>.self)
                let x2 = raw.loadUnaligned(fromByteOffset: (i &+ 8) &* size, as: SIMD4<Double>.self)
                let x3 = raw.loadUnaligned(fromByteOffset: (i &+ 12) &* size, as: SIMD4<Double>.self)
                m0.replace(with: x0, where: x0 .> m0); m1.replace(with: x1, where: x1 .> m1)
                m2.replace(with: x2, where: x2 .> m2); m3.replace(with: x3, where: x3 .> m3)
                nan0 .|= (x0 .!= x0) .| (x1 .!= x1); nan1 .|= (x2 .!= x2) .| (x3 .!= x3)
                i &+= 16
            }
            m0.replace(with: m1, where: m1 .> m0); m2.replace(with: m3, where: m3 .> m2); m0.replace(with: m2, where: m2 .> m0)
            best = m0.max()
            nan = any(nan0 .| nan1)
        }
        while i < n {
            let x = p[i]
            if x != x { nan = true } else if x > best { best = x }
            i &+= 1
        }
        return (best, nan)
    }
    @inline(never)
    static func smallest(_ p: UnsafePointer<Double>, _ n: Int) -> (value: Double, nan: Bool) {
        var best = p[0], nan = best != best
        var i = 0
        if n >= 16 {
            let raw = UnsafeRawPointer(p), size = MemoryLayout<Double>.stride
            var m0 = raw.loadUnaligned(as: SIMD4<Double>.self), m1 = m0, m2 = m0, m3 = m0
            var nan0 = m0 .!= m0, nan1 = nan0
            while i &+ 16 <= n {
                let x0 = raw.loadUnaligned(fromByteOffset: i &* size, as: SIMD4<Double>.self)
                let x1 = raw.loadUnaligned(fromByteOffset: (i &+ 4) &* size, as: SIMD4<Double>.self)
                let x2 = raw.loadUnaligned(fromByteOffset: (i &+ 8) &* size, as: SIMD4<Double>.self)
                let x3 = raw.loadUnaligned(fromByteOffset: (i &+ 12) &* size, as: SIMD4<Double>.self)
                m0.replace(with: x0, where: x0 .< m0); m1.replace(with: x1, where: x1 .< m1)
                m2.replace(with: x2, where: x2 .< m2); m3.replace(with: x3, where: x3 .< m3)
                nan0 .|= (x0 .!= x0) .| (x1 .!= x1); nan1 .|= (x2 .!= x2) .| (x3 .!= x3)
                i &+= 16
            }
            m0.replace(with: m1, where: m1 .< m0); m2.replace(with: m3, where: m3 .< m2); m0.replace(with: m2, where: m2 .< m0)
            best = m0.min()
            nan = any(nan0 .| nan1)
        }
        while i < n {
            let x = p[i]
            if x != x { nan = true } else if x < best { best = x }
            i &+= 1
        }
        return (best, nan)
    }
    @usableFromInline
    static func extreme(_ p: UnsafePointer<Float>, _ n: Int, max: Bool) -> (value: Float, nan: Bool) {
        max ? largest(p, n) : smallest(p, n)
    }
    @inline(never)
    static func largest(_ p: UnsafePointer<Float>, _ n: Int) -> (value: Float, nan: Bool) {
        var best = p[0], nan = best != best
        var i = 0
        if n >= 32 {
            let raw = UnsafeRawPointer(p), size = MemoryLayout<Float>.stride
            var m0 = raw.loadUnaligned(as: SIMD8<Float>.self), m1 = m0, m2 = m0, m3 = m0
            var nan0 = m0 .!= m0, nan1 = nan0
            while i &+ 32 <= n {
                let x0 = raw.loadUnaligned(fromByteOffset: i &* size, as: SIMD8<Float>.self)
                let x1 = raw.loadUnaligned(fromByteOffset: (i &+ 8) &* size, as: SIMD8<Float>.self)
                let x2 = raw.loadUnaligned(fromByteOffset: (i &+ 16) &* size, as: SIMD8<Float>.self)
                let x3 = raw.loadUnaligned(fromByteOffset: (i &+ 24) &* size, as: SIMD8<Float>.self)
                m0.replace(with: x0, where: x0 .> m0); m1.replace(with: x1, where: x1 .> m1)
                m2.replace(with: x2, where: x2 .> m2); m3.replace(with: x3, where: x3 .> m3)
                nan0 .|= (x0 .!= x0) .| (x1 .!= x1); nan1 .|= (x2 .!= x2) .| (x3 .!= x3)
                i &+= 32
            }
            m0.replace(with: m1, where: m1 .> m0); m2.replace(with: m3, where: m3 .> m2); m0.replace(with: m2, where: m2 .> m0)
            best = m0.max()
            nan = any(nan0 .| nan1)
        }
        while i < n {
            let x = p[i]
            if x != x { nan = true } else if x > best { best = x }
            i &+= 1
        }
        return (best, nan)
    }
    @inline(never)
    static func smallest(_ p: UnsafePointer<Float>, _ n: Int) -> (value: Float, nan: Bool) {
        var best = p[0], nan = best != best
        var i = 0
        if n >= 32 {
            let raw = UnsafeRawPointer(p), size = MemoryLayout<Float>.stride
            var m0 = raw.loadUnaligned(as: SIMD8<Float>.self), m1 = m0, m2 = m0, m3 = m0
            var nan0 = m0 .!= m0, nan1 = nan0
            while i &+ 32 <= n {
                let x0 = raw.loadUnaligned(fromByteOffset: i &* size, as: SIMD8<Float>.self)
                let x1 = raw.loadUnaligned(fromByteOffset: (i &+ 8) &* size, as: SIMD8<Float>.self)
                let x2 = raw.loadUnaligned(fromByteOffset: (i &+ 16) &* size, as: SIMD8<Float>.self)
                let x3 = raw.loadUnaligned(fromByteOffset: (i &+ 24) &* size, as: SIMD8<Float>.self)
                m0.replace(with: x0, where: x0 .< m0); m1.replace(with: x1, where: x1 .< m1)
                m2.replace(with: x2, where: x2 .< m2); m3.replace(with: x3, where: x3 .< m3)
                nan0 .|= (x0 .!= x0) .| (x1 .!= x1); nan1 .|= (x2 .!= x2) .| (x3 .!= x3)
                i &+= 32
            }
            m0.replace(with: m1, where: m1 .< m0); m2.replace(with: m3, where: m3 .< m2); m0.replace(with: m2, where: m2 .< m0)
            best = m0.min()
            nan = any(nan0 .| nan1)
        }
        while i < n {
            let x = p[i]
            if x != x { nan = true } else if x < best { best = x }
            i &+= 1
        }
        return (best, nan)
    }
    // Integers: a plain reduction loop. `Swift.max`/`min` on a concrete
    // integer type is one LLVM intrinsic, which the loop vectoriser turns into
    // packed compares (vpmaxub, vpminsd, …); written with the SIMD types'
    // `replace(with:where:)` instead, the UInt8 loop fell back to one lane at
    // a time and ran 20× slower than this.
    @usableFromInline
    static func extreme(_ p: UnsafePointer<Int64>, _ n: Int, max: Bool) -> (value: Int64, nan: Bool) {
        (integerExtreme(p, n, max: max), false)
    }
    @usableFromInline
    static func extreme(_ p: UnsafePointer<Int32>, _ n: Int, max: Bool) -> (value: Int32, nan: Bool) {
        (integerExtreme(p, n, max: max), false)
    }
    @usableFromInline
    static func extreme(_ p: UnsafePointer<UInt8>, _ n: Int, max: Bool) -> (value: UInt8, nan: Bool) {
        (integerExtreme(p, n, max: max), false)
    }
    @inline(__always)
    static func integerExtreme<T: FixedWidthInteger>(_ p: UnsafePointer<T>, _ n: Int, max: Bool) -> T {
        var best = p[0]
        if max {
            for i in 1..<Swift.max(n, 1) { best = Swift.max(best, p[i]) }
        } else {
            for i in 1..<Swift.max(n, 1) { best = Swift.min(best, p[i]) }
        }
        return best
    }
}

/// The extreme of `n ≥ 1` contiguous elements and whether any is NaN (then
/// the value is meaningless): SIMD for the package's element types.
@inlinable @inline(__always)
func contiguousExtreme<E: NDArrayReal>(_ p: UnsafePointer<E>, _ n: Int, max: Bool) -> (value: E, nan: Bool) {
    let raw = UnsafeRawPointer(p)
    if E.self == Double.self {
        let r = ExtremeScan.extreme(raw.assumingMemoryBound(to: Double.self), n, max: max)
        return (unsafeBitCast(r.value, to: E.self), r.nan)
    }
    if E.self == Float.self {
        let r = ExtremeScan.extreme(raw.assumingMemoryBound(to: Float.self), n, max: max)
        return (unsafeBitCast(r.value, to: E.self), r.nan)
    }
    if E.self == Int64.self {
        let r = ExtremeScan.extreme(raw.assumingMemoryBound(to: Int64.self), n, max: max)
        return (unsafeBitCast(r.value, to: E.self), false)
    }
    if E.self == Int32.self {
        let r = ExtremeScan.extreme(raw.assumingMemoryBound(to: Int32.self), n, max: max)
        return (unsafeBitCast(r.value, to: E.self), false)
    }
    if E.self == UInt8.self {
        let r = ExtremeScan.extreme(raw.assumingMemoryBound(to: UInt8.self), n, max: max)
        return (unsafeBitCast(r.value, to: E.self), false)
    }
    // Another element type: a scalar loop.
    var best = p[0]
    for i in 0..<n {
        let x = p[i]
        if x.ndIsNaN { return (x, true) }
        if max ? x > best : x < best { best = x }
    }
    return (best, false)
}

/// Elements gathered from a strided run per block, so strided runs use the
/// SIMD kernels too (8 KiB of doubles: stays in L1).
@usableFromInline let gatherBlock = 1024

/// The extreme of `p[0], p[s], …` (`n ≥ 1`) and whether any is NaN (then the
/// value is meaningless): blocks gathered into `buffer` (`gatherBlock`
/// elements), each scanned with SIMD.
@inlinable
func stridedExtreme<E: NDArrayReal>(_ p: UnsafePointer<E>, _ n: Int, _ s: Int, max: Bool,
                                    buffer: UnsafeMutablePointer<E>) -> (value: E, nan: Bool) {
    var result: (value: E, nan: Bool)? = nil
    var lo = 0
    while lo < n {
        let count = Swift.min(gatherBlock, n - lo)
        let q = p + lo &* s
        for i in 0..<count { buffer[i] = q[i &* s] }
        let r = contiguousExtreme(UnsafePointer(buffer), count, max: max)
        if r.nan { return r }
        result = result.map { combineExtremes($0, r, max: max) } ?? r
        lo += count
    }
    return result!
}

/// The first NaN of `p[0], p[s], …`, which has one.
@inlinable
func firstNaN<E: NDArrayReal>(_ p: UnsafePointer<E>, _ n: Int, _ s: Int) -> (index: Int, value: E) {
    for i in 0..<n where p[i &* s].ndIsNaN { return (i, p[i &* s]) }
    preconditionFailure("firstNaN: no NaN")
}

// MARK: - min / max

extension NDArray where Element: NDArrayReal {
    /// The smallest or largest element, NaN if any is NaN, walking memory in
    /// place; nil when empty. Each unit's extreme comes from SIMD blocks;
    /// units combine in order, the first NaN winning.
    @inlinable
    func walkExtreme(max: Bool) -> Element? {
        if count == 0 { return nil }
        let (s, st, base) = memoryOrderLayout(dropBroadcast: true)
        let runs = ReductionRuns(shape: s, strides: [st])
        return withExtendedLifetime(self) { () -> Element in
            let p = UnsafePointer(base)
            let step = runs.strides[0]
            let unit = { (u: Int) -> (value: Element, nan: Bool) in
                var result: (value: Element, nan: Bool)? = nil
                withUnsafeTemporaryAllocation(of: Element.self, capacity: step == 1 ? 0 : gatherBlock) { buffer in
                    runs.forEachPiece(inUnit: u) { offset, _, n in
                        if result?.nan == true { return }
                        let q = p + offset
                        var r = step == 1 ? contiguousExtreme(q, n, max: max)
                                          : stridedExtreme(q, n, step, max: max, buffer: buffer.baseAddress!)
                        if r.nan { r = (firstNaN(q, n, step).value, true) }
                        result = result.map { combineExtremes($0, r, max: max) } ?? r
                    }
                }
                return result!
            }
            return runs.reduceUnits(unit) { combineExtremes($0, $1, max: max) }.value
        }
    }
}

/// `a` then `b` combined: the first NaN, else the first extreme.
@inlinable @inline(__always)
func combineExtremes<E: NDArrayReal>(_ a: (value: E, nan: Bool), _ b: (value: E, nan: Bool), max: Bool) -> (value: E, nan: Bool) {
    if a.nan { return a }
    if b.nan { return b }
    return (max ? b.value > a.value : b.value < a.value) ? b : a
}

// MARK: - argmin / argmax

/// A candidate for argmin/argmax: a value and its row-major position.
@usableFromInline
struct ArgCandidate<E: NDArrayReal> {
    @usableFromInline var value: E
    @usableFromInline var position: Int
    @usableFromInline var isNaN: Bool
    @inlinable init(value: E, position: Int) {
        self.value = value; self.position = position; self.isNaN = value.ndIsNaN
    }

    /// Whether `other` is NumPy's answer over `self` (a NaN beats a number,
    /// the first NaN the others; else the extreme, then the smaller position).
    /// A total order, so candidates may be combined in any grouping.
    @inlinable @inline(__always)
    func isBeaten(by other: ArgCandidate, max: Bool) -> Bool {
        if isNaN || other.isNaN { return other.isNaN && (!isNaN || other.position < position) }
        if max ? other.value > value : other.value < value { return true }
        return other.value == value && other.position < position
    }
}

/// Updates `best` with the elements `p[i·s]` at positions `q + i·qs`
/// (`qs > 0`), `i < n`, in blocks of `gatherBlock`: a block's extreme comes
/// from SIMD (read in place when `s` is ±1, else gathered into `buffer`),
/// and only a block that can change `best` is searched for it.
@inlinable
func argScan<E: NDArrayReal>(_ p: UnsafePointer<E>, _ n: Int, _ s: Int, position q: Int, step qs: Int,
                             max: Bool, best: inout ArgCandidate<E>, buffer: UnsafeMutablePointer<E>) {
    var lo = 0
    while lo < n {
        // Nothing after a NaN at an earlier position can win.
        if best.isNaN && q + lo * qs >= best.position { return }
        let hi = Swift.min(n, lo + gatherBlock)
        let block: UnsafePointer<E>
        if s == 1 {
            block = p + lo
        } else if s == -1 {
            block = p - (hi - 1)
        } else {
            let from = p + lo * s
            for i in 0..<(hi - lo) { buffer[i] = from[i &* s] }
            block = UnsafePointer(buffer)
        }
        let (v, nan) = contiguousExtreme(block, hi - lo, max: max)
        if nan || (!best.isNaN && ((max ? v > best.value : v < best.value) || (v == best.value && q + lo * qs < best.position))) {
            // The first element (in walk order) that is NaN, or else equal to v.
            var i = lo
            while true {
                let x = p[i * s]
                if nan ? x.ndIsNaN : x == v { break }
                i += 1
            }
            let c = ArgCandidate(value: p[i * s], position: q + i * qs)
            if best.isBeaten(by: c, max: max) { best = c }
            if nan { return }
        }
        lo = hi
    }
}

extension NDArray where Element: NDArrayReal {
    /// NumPy's argmin/argmax (the row-major position of the first extreme,
    /// or of the first NaN), walking memory in place: broadcast dimensions
    /// are read once (their first position is the smallest), the rest in
    /// memory order with row-major positions alongside.
    @inlinable
    func walkArgExtreme(max: Bool) -> Int {
        precondition(count > 0, "attempt to get \(max ? "argmax" : "argmin") of an empty sequence")
        var s = shape
        for d in 0..<ndim where strides[d] == 0 { s[d] = 1 }
        let runs = ReductionRuns(shape: s, strides: [strides, Layout.contiguousStrides(shape)])
        return withExtendedLifetime(self) { () -> Int in
            let p = UnsafePointer(baseAddress)
            let step = runs.strides[0], positionStep = runs.positionSteps[0]
            let unit = { (u: Int) -> ArgCandidate<Element> in
                var best: ArgCandidate<Element>? = nil
                withUnsafeTemporaryAllocation(of: Element.self, capacity: gatherBlock) { buffer in
                    runs.forEachPiece(inUnit: u) { offset, position, n in
                        if best == nil { best = ArgCandidate(value: p[offset], position: position) }
                        argScan(p + offset, n, step, position: position, step: Swift.max(1, positionStep), max: max,
                                best: &best!, buffer: buffer.baseAddress!)
                    }
                }
                return best!
            }
            return runs.reduceUnits(unit) { a, b in a.isBeaten(by: b, max: max) ? b : a }.position
        }
    }
}

// MARK: - Integer sums and products (exact in any order)

extension NDArray where Element: NDArrayReal & FixedWidthInteger {
    /// The sum (or product) of all elements widened to Int64, wrapping
    /// modulo 2⁶⁴ like NumPy's int64/uint64 accumulators. Integer arithmetic
    /// is exact in any order, so memory is walked in place and units run on
    /// threads.
    @inlinable
    func widenedFold(product: Bool) -> Int64 {
        if count == 0 { return product ? 1 : 0 }
        let (s, st, base) = memoryOrderLayout(dropBroadcast: false)
        let runs = ReductionRuns(shape: s, strides: [st])
        return withExtendedLifetime(self) { () -> Int64 in
            let p = UnsafePointer(base)
            let step = runs.strides[0]
            let unit = { (u: Int) -> Int64 in
                var acc: Int64 = product ? 1 : 0
                runs.forEachPiece(inUnit: u) { offset, _, n in
                    let q = p + offset
                    if product {
                        for i in 0..<n { acc &*= Int64(truncatingIfNeeded: q[i &* step]) }
                    } else if step == 1 {
                        for i in 0..<n { acc &+= Int64(truncatingIfNeeded: q[i]) }
                    } else {
                        for i in 0..<n { acc &+= Int64(truncatingIfNeeded: q[i &* step]) }
                    }
                }
                return acc
            }
            return runs.reduceUnits(unit) { product ? $0 &* $1 : $0 &+ $1 }
        }
    }
}

// MARK: - Ordered products and converting sums (NumPy's order)

extension NDArray where Element: NDArrayNumeric {
    /// The product in NumPy's order: the first element, then each next one
    /// multiplied in, dimensions walked as NumPy's iterator walks them (by
    /// memory, coalesced, negative strides walked backwards). Floating-point
    /// products depend on this order, so it runs on one thread.
    @inlinable
    func orderedProduct() -> Element {
        if count == 0 { return .ndOne }
        let runs = ReductionRuns(shape: shape, strides: [strides], numpyOrder: true)
        return withExtendedLifetime(self) { () -> Element in
            let p = UnsafePointer(baseAddress)
            let step = runs.strides[0]
            var acc = p[0]
            var first = true
            for u in 0..<runs.units {
                runs.forEachPiece(inUnit: u) { offset, _, n in
                    let q = p + offset
                    for i in (first ? 1 : 0)..<n { acc = Element.ndMultiply(acc, q[i &* step]) }
                    first = false
                }
            }
            return acc
        }
    }
}

extension NDArray {
    /// NumPy's `a.sum(dtype=T)` for a `T` other than the element type: the
    /// elements converted into buffers of at most 8192 in NumPy's iterator
    /// order (whole runs when they fit, else pieces of runs), each buffer
    /// summed pairwise, the buffers' sums added in order to 0. Buffers are
    /// converted and summed on threads; the order of operations does not change.
    @inlinable
    func bufferedConvertingSum<T: NDArrayNumeric>(as type: T.Type) -> T {
        if count == 0 { return .ndZero }
        let runs = ReductionRuns(shape: shape, strides: [strides], unit: 8192, numpyOrder: true)
        return withExtendedLifetime(self) { () -> T in
            let p = UnsafePointer(baseAddress)
            let step = runs.strides[0]
            let capacity = Swift.min(8192, Swift.max(runs.runLength, runs.runsPerUnit * runs.runLength))
            let sums = runs.reduceUnitsBuffered(capacity: capacity, of: T.self) { u, buffer -> T in
                var filled = 0
                runs.forEachPiece(inUnit: u) { offset, _, n in
                    let q = p + offset
                    for i in 0..<n { (buffer + filled + i).initialize(to: T.ndConverted(from: q[i &* step])) }
                    filled += n
                }
                return pairwiseSum(UnsafePointer(buffer), filled, 1)
            }
            var total = T.ndZero
            for s in sums { total = T.ndAdd(total, s) }
            return total
        }
    }
}

// MARK: - Truth tests and counts of any element type

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
