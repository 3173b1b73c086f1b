import CelerCore
import CelerParallel

// Full reductions that read a strided array where it lies, with no copy:
// the layout and the schedule that every one of them shares.
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
// The reductions built on it: Extremes.swift (min, max, argmin, argmax, with
// the SIMD block scans of ExtremeScan.swift), InPlaceFolds.swift (integer sums
// and products, NumPy-order products and converting sums), Nonzero.swift
// (counts and truth tests of non-contiguous arrays).

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
