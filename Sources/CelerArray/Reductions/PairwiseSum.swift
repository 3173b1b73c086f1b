import CelerCore
import CelerParallel

// NumPy's pairwise summation, the order of additions behind `sum()`, so that
// Celer's sums equal `np.sum` bit for bit; and its parallel form, which
// splits at the same points and so gives the same bits on any thread count.

/// The sum of `p[0], p[stride], …, p[(n−1)·stride]` with the additions in
/// NumPy's order (its `pairwise_sum`), so that it equals NumPy's bit for bit:
/// - `n < 8`: `((0 + x₀) + x₁) + …`, one element at a time;
/// - `8 ≤ n ≤ 128`: eight interleaved accumulators `rⱼ = xⱼ`, then
///   `rⱼ += x₈ₖ₊ⱼ` for each later whole group of 8, combined as
///   `((r₀ + r₁) + (r₂ + r₃)) + ((r₄ + r₅) + (r₆ + r₇))`, then the last
///   `n mod 8` elements added one at a time;
/// - `n > 128`: the sum of the first `h` elements plus the sum of the rest,
///   `h` being `n / 2` rounded down to a multiple of 8, recursively.
/// The order depends on `n` only (not on `stride` or the thread count).
/// CelerParallel's `simdPairwiseSum` is a different order (16 lanes, halves at
/// multiples of 16), so the two give different last bits for the same input.
@inlinable
public func numpyPairwiseSum<T: NDArrayNumeric>(_ p: UnsafePointer<T>, _ n: Int, _ stride: Int) -> T {
    if n < 8 {
        var r = T.ndZero
        for i in 0..<n { r = T.ndAdd(r, p[i &* stride]) }
        return r
    }
    if n <= 128 {
        var r0 = p[0], r1 = p[stride], r2 = p[2 &* stride], r3 = p[3 &* stride]
        var r4 = p[4 &* stride], r5 = p[5 &* stride], r6 = p[6 &* stride], r7 = p[7 &* stride]
        var i = 8
        let end = n - n % 8
        if stride == 1 {
            while i < end {
                r0 = T.ndAdd(r0, p[i]); r1 = T.ndAdd(r1, p[i &+ 1])
                r2 = T.ndAdd(r2, p[i &+ 2]); r3 = T.ndAdd(r3, p[i &+ 3])
                r4 = T.ndAdd(r4, p[i &+ 4]); r5 = T.ndAdd(r5, p[i &+ 5])
                r6 = T.ndAdd(r6, p[i &+ 6]); r7 = T.ndAdd(r7, p[i &+ 7])
                i &+= 8
            }
        } else {
            while i < end {
                let q = p + i &* stride
                r0 = T.ndAdd(r0, q[0]); r1 = T.ndAdd(r1, q[stride])
                r2 = T.ndAdd(r2, q[2 &* stride]); r3 = T.ndAdd(r3, q[3 &* stride])
                r4 = T.ndAdd(r4, q[4 &* stride]); r5 = T.ndAdd(r5, q[5 &* stride])
                r6 = T.ndAdd(r6, q[6 &* stride]); r7 = T.ndAdd(r7, q[7 &* stride])
                i &+= 8
            }
        }
        var r = T.ndAdd(T.ndAdd(T.ndAdd(r0, r1), T.ndAdd(r2, r3)), T.ndAdd(T.ndAdd(r4, r5), T.ndAdd(r6, r7)))
        while i < n { r = T.ndAdd(r, p[i &* stride]); i &+= 1 }
        return r
    }
    var half = n / 2
    half -= half % 8
    return T.ndAdd(numpyPairwiseSum(p, half, stride), numpyPairwiseSum(p + half &* stride, n - half, stride))
}

/// `numpyPairwiseSum(p, n, 1)`, bit for bit, with the top levels of its
/// recursion run on different threads: the same splits and the same order of
/// additions (the leaves' sums are combined by the same tree), so the result
/// does not depend on the thread count. One thread below
/// `StridedLoop.parallelThreshold` elements.
@inlinable
public func parallelNumpyPairwiseSum<T: NDArrayNumeric>(_ p: UnsafePointer<T>, _ n: Int) -> T {
    let threads = Parallel.threadCount
    if threads <= 1 || n < StridedLoop.parallelThreshold { return numpyPairwiseSum(p, n, 1) }
    // Leaves of the recursion at the depth that gives at least `threads` pieces.
    var depth = 0
    while (1 << depth) < threads { depth += 1 }
    var leaves: [(start: Int, count: Int)] = []
    func split(_ start: Int, _ count: Int, _ level: Int) {
        if level == depth || count <= 128 { leaves.append((start, count)); return }
        var half = count / 2
        half -= half % 8
        split(start, half, level + 1)
        split(start + half, count - half, level + 1)
    }
    split(0, n, 0)
    var partial = [T](repeating: .ndZero, count: leaves.count)
    partial.withUnsafeMutableBufferPointer { out in
        let out = UncheckedSendable(out)
        parallelFor(0..<leaves.count, schedule: .dynamic(1)) { r in
            for l in r { out.value[l] = numpyPairwiseSum(p + leaves[l].start, leaves[l].count, 1) }
        }
    }
    var next = 0
    func combine(_ count: Int, _ level: Int) -> T {
        if level == depth || count <= 128 { defer { next += 1 }; return partial[next] }
        var half = count / 2
        half -= half % 8
        let left = combine(half, level + 1)
        return T.ndAdd(left, combine(count - half, level + 1))
    }
    return combine(n, 0)
}
