import CelerCore

// Sums and products of a whole array read in place (the runs and units of
// ReductionRuns.swift): integer folds, exact in any order, on threads; and
// the folds whose rounding depends on the order, in NumPy's order.

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
                return numpyPairwiseSum(UnsafePointer(buffer), filled, 1)
            }
            var total = T.ndZero
            for s in sums { total = T.ndAdd(total, s) }
            return total
        }
    }
}
