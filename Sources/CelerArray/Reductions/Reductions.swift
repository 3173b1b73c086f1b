import CelerCore
import CelerParallel
import RealModule

// Reductions over all elements or along one axis.
//
// Order of operations (so results are reproducible, and equal NumPy's):
// - sum uses NumPy's pairwise summation (blocks of 128 with 8 interleaved
//   accumulators, halves split at multiples of 8) over runs taken in NumPy's
//   order (see `sum()`), so `sum()` equals `np.sum` bit for bit; the parallel
//   version splits at the same points, so it gives the same bits too.
// - along an axis that is not the innermost in memory, slices are combined in
//   order, `out = a[0]; out = out ⊕ a[1]; …` (vectorised across the slice), as NumPy does.
// - `mean` is `sum / n`; `variance` is `sum((a − mean)²) / max(n − ddof, 0)`
//   with the squared deviations written in the input's memory order, and
//   `std` its square root, as NumPy computes them. Integer and Bool arrays
//   give Double results (NumPy's float64), converted in NumPy's buffers.
// - prod multiplies in NumPy's iterator order (floating point: one thread).
// - min, max, argmin, argmax and integer sums/products do not depend on the
//   order: they read memory in place (ReductionRuns.swift), in units
//   that run on threads, with the same result on any thread count.
// None of these copies a non-contiguous array (argmin/argmax along an axis
// still do).

/// A binary kernel that can also fold a strided run of elements.
public protocol ReductionKernel: BinaryKernel where A == Output, B == Output {
    /// The fold of `n ≥ 1` elements `p[0], p[stride], …`.
    func reduce(_ p: UnsafePointer<Output>, _ n: Int, _ stride: Int) -> Output
    /// Whether `reduce` of a run equals combining the reductions of its halves
    /// exactly, so a full reduction may be split among threads anywhere.
    var isExactlySplittable: Bool { get }
}

extension ReductionKernel {
    @inlinable
    public func reduce(_ p: UnsafePointer<Output>, _ n: Int, _ stride: Int) -> Output {
        var r = p[0]
        for i in 1..<n { r = self(r, p[i &* stride]) }
        return r
    }
    @inlinable public var isExactlySplittable: Bool { true }
}

extension AddKernel: ReductionKernel {
    @inlinable
    public func reduce(_ p: UnsafePointer<Element>, _ n: Int, _ stride: Int) -> Element {
        numpyPairwiseSum(p, n, stride)
    }
    /// Pairwise sums split only at their own split points (see `sum()`).
    @inlinable public var isExactlySplittable: Bool { false }
}
extension MultiplyKernel: ReductionKernel {
    @inlinable public var isExactlySplittable: Bool { false }
}
extension MinimumKernel: ReductionKernel {}
extension MaximumKernel: ReductionKernel {}

extension NDArray {
    /// Folds every element with `kernel`; nil for an empty array. A kernel
    /// that is exactly splittable (min, max, logical and/or) reads the array
    /// in place, in NumPy's iterator order, in units that may run on threads
    /// and are combined in order. Other kernels (sums, products, whose
    /// rounding depends on where runs split) fold a row-major copy of a
    /// non-contiguous array; `sum()` and `prod()` do not use this.
    @inlinable
    public func reduceAll<K: ReductionKernel>(_ kernel: K) -> Element? where K.Output == Element {
        let n = count
        if n == 0 { return nil }
        if kernel.isExactlySplittable {
            let runs = ReductionRuns(shape: shape, strides: [strides], numpyOrder: true)
            return withExtendedLifetime(self) { () -> Element in
                let p = UnsafePointer(baseAddress), step = runs.strides[0]
                let unit = { (u: Int) -> Element in
                    var result: Element? = nil
                    runs.forEachPiece(inUnit: u) { offset, _, count in
                        let r = kernel.reduce(p + offset, count, step)
                        result = result.map { kernel($0, r) } ?? r
                    }
                    return result!
                }
                return runs.reduceUnits(unit) { kernel($0, $1) }
            }
        }
        return withContiguousElements { buffer -> Element in kernel.reduce(buffer.baseAddress!, n, 1) }
    }

    /// Folds along `axis` with `kernel` into `out` (the shape without `axis`,
    /// or with it as 1 when `keepdims`); `axis` must not be empty.
    @inlinable
    public func reduce<K: ReductionKernel>(_ kernel: K, axis: Int, out: NDArray<Element>, keepdims: Bool = false) throws(CelerError) where K.Output == Element {
        let ax = try checkedAxis(axis)
        var outShape = shape
        outShape.remove(at: ax)
        let expected = keepdims ? shape.enumerated().map { $0.offset == ax ? 1 : $0.element } : outShape
        guard out.shape == expected else { throw ArrayError.shapeMismatch("reduction output", expected: expected, got: out.shape) }
        let n = shape[ax]
        guard n > 0 else { throw ArrayError.invalid("axis", "zero-size array to reduction operation along axis \(axis), which has no identity") }
        let target = keepdims ? out.squeezed(axis: ax) : out
        var inner = strides
        let axisStride = inner.remove(at: ax)
        let innermost = inner.allSatisfy { $0 == 0 || Swift.abs(axisStride) <= Swift.abs($0) }
        let source = target.safeInput(self)
        if innermost {
            // Fold each output element's run along the axis.
            var sourceStrides = source.strides
            let sourceAxisStride = sourceStrides.remove(at: ax)
            withExtendedLifetime((source, target)) {
                StridedLoop.execute(AxisFoldLoop(kernel: kernel, out: target.baseAddress, x: source.baseAddress, n: n, stride: sourceAxisStride),
                                    shape: target.shape, strides: [target.strides, sourceStrides])
            }
            return
        }
        // Combine whole slices in order, vectorised across each slice.
        let lead = Array(repeating: NDIndex.all, count: ax)
        try target.assign(source.view(lead + [.index(0)]))
        for i in 1..<n { try apply(kernel, target, source.view(lead + [.index(i)]), out: target) }
    }

    /// Folds along `axis` into a new array.
    @inlinable
    public func reduced<K: ReductionKernel>(_ kernel: K, axis: Int, keepdims: Bool = false) -> NDArray where K.Output == Element {
        let ax = normalizedAxis(axis)
        var s = shape
        if keepdims { s[ax] = 1 } else { s.remove(at: ax) }
        let out = NDArray(uninitializedShape: s)
        trapping { () throws(CelerError) in try reduce(kernel, axis: ax, out: out, keepdims: keepdims) }
        return out
    }
}

@usableFromInline
struct AxisFoldLoop<K: ReductionKernel>: StridedLoopBody {
    @usableFromInline let kernel: K
    @usableFromInline let out: UnsafeMutablePointer<K.Output>
    @usableFromInline let x: UnsafePointer<K.Output>
    @usableFromInline let n: Int
    @usableFromInline let stride: Int
    @inlinable init(kernel: K, out: UnsafeMutablePointer<K.Output>, x: UnsafePointer<K.Output>, n: Int, stride: Int) {
        self.kernel = kernel; self.out = out; self.x = x; self.n = n; self.stride = stride
    }
    @inlinable
    func run(count: Int, offsets: UnsafePointer<Int>, strides: UnsafePointer<Int>) {
        let o = out + offsets[0], p = x + offsets[1]
        for i in 0..<count { o[i &* strides[0]] = kernel.reduce(p + i &* strides[1], n, stride) }
    }
}

// MARK: - Public reductions

extension NDArray where Element: NDArrayNumeric {
    /// The sum of all elements (0 when empty), in NumPy's order, so it equals
    /// `np.sum` bit for bit: elements are walked as NumPy's iterator walks
    /// them (`numpyIterationPlan`: memory order, broadcast dimensions left in
    /// their row-major place; transposes and strided views of a contiguous
    /// block are one run, summed pairwise). Other layouts are summed as NumPy's buffered
    /// iterator does: whole runs gathered into buffers of at most 8192
    /// elements, each buffer summed pairwise, the buffers' sums added in order
    /// to 0. Buffers are summed on several threads above 65 536 elements; the
    /// order of operations does not change.
    @inlinable
    public func sum() -> Element {
        let n = count
        if n == 0 { return .ndZero }
        let (loopShape, loopStrides) = numpyIterationPlan(shape: shape, strides: strides)
        let steps = loopStrides[0]
        return withExtendedLifetime(self) { () -> Element in
            let first = UnsafePointer(baseAddress)
            if loopShape.count == 1 {
                if steps[0] == 1 { return Element.ndAdd(.ndZero, parallelNumpyPairwiseSum(first, n)) }
                return Element.ndAdd(.ndZero, numpyPairwiseSum(first, n, steps[0]))
            }
            let runLength = loopShape[0], runs = n / runLength
            // Offsets of the runs, in odometer order over the outer dimensions.
            var offsets = [Int](repeating: 0, count: runs)
            var index = [Int](repeating: 0, count: loopShape.count)
            var offset = 0
            for r in 0..<runs {
                offsets[r] = offset
                var d = 1
                while d < loopShape.count {
                    index[d] += 1
                    offset += steps[d]
                    if index[d] < loopShape[d] { break }
                    offset -= loopShape[d] * steps[d]
                    index[d] = 0
                    d += 1
                }
            }
            let bufferSize = 8192
            let runsPerBuffer = Swift.max(1, bufferSize / runLength)
            let buffers = (runs + runsPerBuffer - 1) / runsPerBuffer
            let step = steps[0]
            var partial = [Element](repeating: .ndZero, count: buffers)
            partial.withUnsafeMutableBufferPointer { out in
                let out = UncheckedSendable(out)
                let work = { (range: Range<Int>) in
                    if runLength > bufferSize {
                        for r in range { out.value[r] = numpyPairwiseSum(first + offsets[r], runLength, step) }
                        return
                    }
                    let buffer = UnsafeMutablePointer<Element>.allocate(capacity: runsPerBuffer * runLength)
                    defer { buffer.deallocate() }
                    for k in range {
                        let lo = k * runsPerBuffer, hi = Swift.min(lo + runsPerBuffer, runs)
                        var filled = 0
                        for r in lo..<hi {
                            let src = first + offsets[r]
                            for i in 0..<runLength { (buffer + filled + i).initialize(to: src[i * step]) }
                            filled += runLength
                        }
                        out.value[k] = numpyPairwiseSum(UnsafePointer(buffer), filled, 1)
                    }
                }
                if n < StridedLoop.parallelThreshold { work(0..<buffers) } else {
                    parallelFor(0..<buffers, schedule: .dynamic(8)) { work($0) }
                }
            }
            var total = Element.ndZero
            for p in partial { total = Element.ndAdd(total, p) }
            return total
        }
    }
    /// Sums along `axis`.
    @inlinable
    public func sum(axis: Int, keepdims: Bool = false) -> NDArray {
        if shape[normalizedAxis(axis)] == 0 {
            var s = shape; if keepdims { s[normalizedAxis(axis)] = 1 } else { s.remove(at: normalizedAxis(axis)) }
            return .zeros(s)
        }
        return reduced(AddKernel<Element>(), axis: axis, keepdims: keepdims)
    }
    /// The product of all elements (1 when empty), read in place (no copy).
    /// Floating-point and complex products multiply in NumPy's order (its
    /// iterator's: by memory, negative strides walked backwards), on one
    /// thread, so they equal `np.prod` bit for bit; integer products are exact
    /// in any order and run on threads. Int32 and UInt8 arrays have a
    /// widening `prod() -> Int64` (NumPy's int64/uint64); this generic one
    /// wraps in the element type (`np.prod(a, dtype=a.dtype)`).
    @inlinable
    public func prod() -> Element {
        if let a = self as? NDArray<Int64> { return Element.ndConverted(from: a.widenedFold(product: true)) }
        if let a = self as? NDArray<Int32> { return Element.ndConverted(from: a.widenedFold(product: true)) }
        if let a = self as? NDArray<UInt8> { return Element.ndConverted(from: a.widenedFold(product: true)) }
        return orderedProduct()
    }
    /// Products along `axis`.
    @inlinable
    public func prod(axis: Int, keepdims: Bool = false) -> NDArray { reduced(MultiplyKernel<Element>(), axis: axis, keepdims: keepdims) }
}

extension NDArray where Element: NDArrayReal {
    /// The smallest element (NaN if any is NaN); traps on an empty array.
    @inlinable
    public func min() -> Element {
        guard let m = walkExtreme(max: false) else { fatalError("zero-size array to reduction operation minimum which has no identity") }
        return m
    }
    /// The largest element (NaN if any is NaN); traps on an empty array.
    @inlinable
    public func max() -> Element {
        guard let m = walkExtreme(max: true) else { fatalError("zero-size array to reduction operation maximum which has no identity") }
        return m
    }
    /// Minima along `axis`.
    @inlinable public func min(axis: Int, keepdims: Bool = false) -> NDArray { reduced(MinimumKernel<Element>(), axis: axis, keepdims: keepdims) }
    /// Maxima along `axis`.
    @inlinable public func max(axis: Int, keepdims: Bool = false) -> NDArray { reduced(MaximumKernel<Element>(), axis: axis, keepdims: keepdims) }

    /// The row-major position of the first smallest element (of the first NaN, if any).
    @inlinable
    public func argmin() -> Int { walkArgExtreme(max: false) }
    /// The row-major position of the first largest element (of the first NaN, if any).
    @inlinable
    public func argmax() -> Int { walkArgExtreme(max: true) }

    /// Positions of the smallest elements along `axis`.
    @inlinable
    public func argmin(axis: Int) -> NDArray<Int64> { argExtreme(axis: axis, preferLess: true) }
    /// Positions of the largest elements along `axis`.
    @inlinable
    public func argmax(axis: Int) -> NDArray<Int64> { argExtreme(axis: axis, preferLess: false) }

    /// Along `axis`: the axis moved last and made contiguous (a copy unless
    /// it already is), then each output's run scanned with `argScan` (SIMD
    /// blocks; the first extreme, or the first NaN), runs on threads for
    /// large arrays.
    @inlinable
    func argExtreme(axis: Int, preferLess: Bool) -> NDArray<Int64> {
        let ax = normalizedAxis(axis)
        let n = shape[ax]
        precondition(n > 0, "attempt to get \(preferLess ? "argmin" : "argmax") of an empty sequence")
        var outShape = shape
        outShape.remove(at: ax)
        let out = NDArray<Int64>(uninitializedShape: outShape)
        let rows = out.count
        if rows == 0 { return out }
        let moved = transposed(Array(0..<ndim).filter { $0 != ax } + [ax]).ascontiguous()
        withExtendedLifetime(moved) {
            let p = UnsafePointer(moved.baseAddress), o = out.baseAddress
            func work(_ range: Range<Int>) {
                withUnsafeTemporaryAllocation(of: Element.self, capacity: gatherBlock) { buffer in
                    for r in range {
                        let row = p + r * n
                        var best = ArgCandidate(value: row[0], position: 0)
                        argScan(row, n, 1, position: 0, step: 1, max: !preferLess, best: &best, buffer: buffer.baseAddress!)
                        o[r] = Int64(best.position)
                    }
                }
            }
            if rows * n < StridedLoop.parallelThreshold { work(0..<rows) } else {
                parallelFor(0..<rows, schedule: .dynamic(Swift.max(1, 8192 / n))) { work($0) }
            }
        }
        return out
    }
}

extension NDArray where Element: NDArrayFloatingPoint {
    /// The mean of all elements: `sum() / count` (NaN when empty), the
    /// division done in Double as NumPy does (it divides by an int64 count).
    @inlinable
    public func mean() -> Element { Element(ndDouble: Double(sum()) / Double(count)) }
    /// Means along `axis`.
    @inlinable
    public func mean(axis: Int, keepdims: Bool = false) -> NDArray {
        let s = sum(axis: axis, keepdims: keepdims)
        s.divide(Element(shape[normalizedAxis(axis)]))
        return s
    }
    /// The variance `Σ(a − mean)² / max(count − ddof, 0)` (NumPy's `var`,
    /// bit for bit): the squared deviations are written in this array's
    /// memory order (NumPy's `arr - mean` keeps the layout) and summed pairwise.
    @inlinable
    public func variance(ddof: Int = 0) -> Element {
        Element(ndDouble: Double(squaredDeviationSum(mean: mean())) / Double(Swift.max(count - ddof, 0)))
    }
    /// Variances along `axis` (NumPy's `var(axis=)`).
    @inlinable
    public func variance(axis: Int, ddof: Int = 0, keepdims: Bool = false) -> NDArray {
        let ax = normalizedAxis(axis)
        let s = squaredDeviations(mean: mean(axis: ax, keepdims: true)).sum(axis: ax, keepdims: keepdims)
        s.divide(Element(Swift.max(shape[ax] - ddof, 0)))
        return s
    }
    /// The standard deviation `sqrt(variance(ddof:))`, as NumPy's `std`.
    @inlinable
    public func std(ddof: Int = 0) -> Element { Element.sqrt(variance(ddof: ddof)) }
    /// Standard deviations along `axis`.
    @inlinable
    public func std(axis: Int, ddof: Int = 0, keepdims: Bool = false) -> NDArray {
        let s = variance(axis: axis, ddof: ddof, keepdims: keepdims)
        trapping { () throws(CelerError) in try CelerArray.sqrt(s, out: s) }
        return s
    }
}

// MARK: - Integer and Bool statistics (float64, as NumPy)

/// Element types whose mean, variance and standard deviation NumPy computes
/// in float64: the integers and Bool (a Bool's mean is the fraction of `true`).
public protocol NDArrayFloat64Statistics: NDArrayElement {}
extension Int64: NDArrayFloat64Statistics {}
extension Int32: NDArrayFloat64Statistics {}
extension UInt8: NDArrayFloat64Statistics {}
extension Bool: NDArrayFloat64Statistics {}

extension NDArray where Element: NDArrayFloat64Statistics {
    /// The mean as a Double (NumPy's `np.mean` of an integer or Bool array is
    /// float64): `sum(as: Double.self) / count`, NaN when empty.
    @inlinable public func mean() -> Double { convertedMean() }
    /// Means along `axis`, as Doubles.
    @inlinable public func mean(axis: Int, keepdims: Bool = false) -> NDArray<Double> { convertedMean(axis: axis, keepdims: keepdims) }
    /// The variance as a Double, NumPy's `var` (float64 throughout).
    @inlinable public func variance(ddof: Int = 0) -> Double { convertedVariance(ddof: ddof) }
    /// Variances along `axis`, as Doubles.
    @inlinable public func variance(axis: Int, ddof: Int = 0, keepdims: Bool = false) -> NDArray<Double> {
        convertedVariance(axis: axis, ddof: ddof, keepdims: keepdims)
    }
    /// The standard deviation as a Double, NumPy's `std`.
    @inlinable public func std(ddof: Int = 0) -> Double { convertedVariance(ddof: ddof).squareRoot() }
    /// Standard deviations along `axis`, as Doubles.
    @inlinable public func std(axis: Int, ddof: Int = 0, keepdims: Bool = false) -> NDArray<Double> {
        let v = convertedVariance(axis: axis, ddof: ddof, keepdims: keepdims)
        trapping { () throws(CelerError) in try CelerArray.sqrt(v, out: v) }
        return v
    }
}

extension NDArray where Element == Bool {
    /// The number of `true` elements as Int64 (NumPy's `sum` of a bool array).
    @inlinable public func sum() -> Int64 { Int64(countNonzero()) }
    /// The number of `true` elements along `axis` (int64, as NumPy).
    @inlinable public func sum(axis: Int, keepdims: Bool = false) -> NDArray<Int64> {
        astype(Int64.self).sum(axis: axis, keepdims: keepdims)
    }
    /// 1 when every element is true (or the array is empty), else 0 (NumPy's int64 `prod`).
    @inlinable public func prod() -> Int64 { all() ? 1 : 0 }
    /// Products along `axis` as Int64 (1 where all are true).
    @inlinable public func prod(axis: Int, keepdims: Bool = false) -> NDArray<Int64> {
        astype(Int64.self).prod(axis: axis, keepdims: keepdims)
    }
}

// MARK: - Widening sums and products

/// Integer elements narrower than 64 bits. NumPy sums and multiplies them in
/// 64 bits (int64; uint64 for unsigned types) and returns that, so a sum of
/// many Int32 values does not wrap; CelerArray does the same, returning Int64.
public protocol NDArrayNarrowInteger: NDArrayReal, FixedWidthInteger {
    /// NumPy's accumulator: Int64 for signed types, UInt64 for unsigned ones.
    associatedtype Widened: FixedWidthInteger & Sendable
}
extension Int32: NDArrayNarrowInteger { public typealias Widened = Int64 }
extension UInt8: NDArrayNarrowInteger { public typealias Widened = UInt64 }

extension NDArray where Element: NDArrayNarrowInteger {
    /// The sum in 64 bits, as NumPy's `sum`: Int64 for Int32 arrays, UInt64
    /// for UInt8 arrays, so it does not overflow the element type. Read in
    /// place, on threads for large arrays. For the element type's wrapping
    /// sum (NumPy's `sum(dtype=a.dtype)`), ask for it:
    /// `let s: Int32 = a.sum()` or `a.sum(as: Int32.self)`.
    @inlinable public func sum() -> Element.Widened { Element.Widened(truncatingIfNeeded: widenedFold(product: false)) }
    /// The product in 64 bits (Int64 or UInt64, wrapping modulo 2⁶⁴ like NumPy's).
    @inlinable public func prod() -> Element.Widened { Element.Widened(truncatingIfNeeded: widenedFold(product: true)) }
    /// Sums along `axis` as Int64 (NumPy: int64, or uint64 for unsigned
    /// types, which CelerArray has no element type for; the same values
    /// below 2⁶³).
    @inlinable public func sum(axis: Int, keepdims: Bool = false) -> NDArray<Int64> {
        astype(Int64.self).sum(axis: axis, keepdims: keepdims)
    }
    /// Products along `axis` as Int64 (wrapping modulo 2⁶⁴; NumPy's uint64
    /// products of UInt8 show the same bits as unsigned numbers).
    @inlinable public func prod(axis: Int, keepdims: Bool = false) -> NDArray<Int64> {
        astype(Int64.self).prod(axis: axis, keepdims: keepdims)
    }
}

extension NDArray {
    /// The sum of all elements converted to `T` (NumPy's `a.sum(dtype=T)`):
    /// `a.sum(as: Double.self)` of an integer or Float array sums in double
    /// precision, `a.sum(as: Int32.self)` of an Int32 array wraps in 32 bits.
    /// Equal to NumPy bit for bit: NumPy converts into buffers of 8192
    /// elements in its iterator's order, sums each pairwise and adds the
    /// buffers' sums in order, and so does this.
    @inlinable
    public func sum<T: NDArrayNumeric>(as type: T.Type) -> T {
        if let same = self as? NDArray<T> { return same.sum() }
        return bufferedConvertingSum(as: T.self)
    }

    /// A new uninitialised array of this shape laid out in this array's
    /// memory order (NumPy's `order="K"`): dimensions in NumPy's iterator
    /// order (`numpyAxisOrder`), all strides positive. What NumPy allocates
    /// for `a - m`.
    @inlinable
    func emptyInMemoryOrder<T>(of type: T.Type) -> NDArray<T> {
        var st = [Int](repeating: 0, count: ndim)
        var step = 1
        for d in numpyAxisOrder(shape: shape, strides: strides) { st[d] = step; step *= shape[d] }
        for d in 0..<ndim where shape[d] == 1 { st[d] = step }
        return NDArray<T>(storage: NDStorage<T>(uninitializedCount: count), shape: shape, strides: st, offset: 0)
    }

    /// `(T(a) − mean)²` for every element, in this array's memory order;
    /// `mean` broadcasts (a scalar, or keepdims means along an axis).
    @inlinable
    func squaredDeviations<T: NDArrayFloatingPoint>(mean: NDArray<T>) -> NDArray<T> {
        let x = emptyInMemoryOrder(of: T.self)
        trapping { () throws(CelerError) in try apply(SquaredDeviationKernel<Element, T>(), self, mean, out: x) }
        return x
    }

    /// `Σ (T(a) − mean)²`, NumPy's way: the deviations written in memory
    /// order, then one pairwise sum over them.
    @inlinable
    func squaredDeviationSum<T: NDArrayFloatingPoint>(mean: T) -> T {
        let x = squaredDeviations(mean: NDArray<T>(scalar: mean))
        return withExtendedLifetime(x) { T.ndAdd(.ndZero, parallelNumpyPairwiseSum(x.storage.pointer, x.count)) }
    }

    @inlinable
    func convertedMean() -> Double { sum(as: Double.self) / Double(count) }

    @inlinable
    func convertedMean(axis: Int, keepdims: Bool) -> NDArray<Double> {
        let ax = normalizedAxis(axis)
        let x = emptyInMemoryOrder(of: Double.self)
        trapping { () throws(CelerError) in try apply(ConvertKernel<Element, Double>(), self, out: x) }
        return x.mean(axis: ax, keepdims: keepdims)
    }

    @inlinable
    func convertedVariance(ddof: Int) -> Double {
        squaredDeviationSum(mean: convertedMean()) / Double(Swift.max(count - ddof, 0))
    }

    @inlinable
    func convertedVariance(axis: Int, ddof: Int, keepdims: Bool) -> NDArray<Double> {
        let ax = normalizedAxis(axis)
        let s = squaredDeviations(mean: convertedMean(axis: ax, keepdims: true)).sum(axis: ax, keepdims: keepdims)
        s.divide(Double(Swift.max(shape[ax] - ddof, 0)))
        return s
    }
}

/// `(T(a) − m)²`, NumPy's `x = a - mean; x *= x` in one pass (the same
/// roundings: the difference is rounded to `T`, then squared).
public struct SquaredDeviationKernel<Input: NDArrayElement, T: NDArrayFloatingPoint>: BinaryKernel {
    @inlinable public init() {}
    @inlinable @inline(__always) public func callAsFunction(_ a: Input, _ m: T) -> T {
        let d = T.ndConverted(from: a) - m
        return d * d
    }
}

extension LogicalOrKernel: ReductionKernel {}
extension LogicalAndKernel: ReductionKernel {}
