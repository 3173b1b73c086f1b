import CelerCore

// min, max, argmin and argmax of a whole array, read in place in memory
// order (the runs and units of ReductionRuns.swift), each block's extreme
// found with SIMD (ExtremeScan.swift).
//
// `ArgCandidate` orders candidates as NumPy's argmin/argmax do (a NaN wins,
// the first NaN first; else the extreme value, and among equal values the
// smaller row-major position), so memory order may be walked and ties still
// resolve to NumPy's answer.

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
