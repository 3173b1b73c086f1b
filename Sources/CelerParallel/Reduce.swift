import CelerCore

// MARK: - Reductions whose grouping follows the threads

/// Reduces `range` in parallel: each thread folds the values `chunk` returns
/// for its chunks into its own partial (starting from `identity`), then the
/// partials are combined in thread order.
///
/// `identity` must be a true identity of `combine`, and `combine` associative.
/// The grouping follows the thread count and (for dynamic schedules) timing,
/// so a floating-point result may change in its last bits from run to run;
/// use ``parallelTreeReduce(_:blockSize:identity:schedule:_:combine:)`` or
/// ``parallelSum(_:)`` when the bits must not depend on threads.
///
/// ```swift
/// let hits = parallelReduce(0..<n, identity: 0, { r in r.count { isPrime($0) } }, combine: +)
/// ```
public func parallelReduce<T>(_ range: Range<Int>, identity: T, schedule: Schedule = .static,
                              _ chunk: (Range<Int>) -> T, combine: (T, T) -> T) -> T {
    precondition(schedule.chunkSize.map { $0 >= 1 } ?? true, "parallelReduce: chunk size must be at least 1")
    let participants = participantCount(range.count, schedule)
    if participants <= 1 {
        var result = identity
        runSerially(schedule, range) { result = combine(result, chunk($0)) }
        return result
    }
    let partials = UnsafeMutablePointer<T>.allocate(capacity: participants)
    defer { partials.deinitialize(count: participants); partials.deallocate() }
    ThreadPool.run(participants: participants) { participant, counter in
        var local = identity
        runShare(schedule, range, participant: participant, of: participants, counter: counter) {
            local = combine(local, chunk($0))
        }
        (partials + participant).initialize(to: local)
    }
    var result = partials[0]
    for p in 1..<participants { result = combine(result, partials[p]) }
    return result
}

// MARK: - Reductions whose grouping is fixed

/// Reduces `range` with a grouping that depends only on `range.count` and
/// `blockSize`, never on threads or schedule: `block` summarises each
/// fixed block `[k * blockSize, (k + 1) * blockSize)` (the last may be
/// shorter), and the block results are combined in a fixed balanced binary
/// tree (left half, right half). Floating-point results are therefore the
/// same bits with 1 or 100 threads. Blocks are dealt to threads by
/// `schedule` (units: blocks).
///
/// `identity` is returned for an empty range only. Block results are stored
/// (one `T` per block), so keep `blockSize` large (thousands of items).
public func parallelTreeReduce<T>(_ range: Range<Int>, blockSize: Int, identity: T, schedule: Schedule = .static,
                                  _ block: (Range<Int>) -> T, combine: (T, T) -> T) -> T {
    precondition(blockSize >= 1, "parallelTreeReduce: block size must be at least 1")
    let n = range.count
    if n == 0 { return identity }
    let blocks = (n - 1) / blockSize + 1
    if blocks == 1 { return block(range) }
    let results = UnsafeMutablePointer<T>.allocate(capacity: blocks)
    defer { results.deinitialize(count: blocks); results.deallocate() }
    let lo = range.lowerBound
    parallelFor(0..<blocks, schedule: schedule) { ks in
        for k in ks {
            let start = lo + k * blockSize
            (results + k).initialize(to: block(start ..< start + min(blockSize, n - k * blockSize)))
        }
    }
    return combineTree(results, 0, blocks, combine)
}

/// Combines `values[lo..<hi]` as (left half) ⊕ (right half), recursively.
private func combineTree<T>(_ values: UnsafeMutablePointer<T>, _ lo: Int, _ hi: Int, _ combine: (T, T) -> T) -> T {
    if hi - lo == 1 { return values[lo] }
    let mid = lo + (hi - lo + 1) / 2
    return combine(combineTree(values, lo, mid, combine), combineTree(values, mid, hi, combine))
}

// MARK: - Deterministic floating-point sums

/// Elements per block of ``parallelSum(_:)``: 32 KiB of doubles, a
/// fraction of L1 + L2, thousands of blocks for large arrays.
public let parallelSumBlockSize = 4096

/// The sum of `values`, in parallel, with the same bits whatever the thread
/// count and schedule: blocks of ``parallelSumBlockSize`` elements are summed
/// pairwise (``simdPairwiseSum(_:)``), and the block sums combined in a fixed
/// binary tree. Blocks are claimed 16 at a time (512 KiB of doubles), which
/// cannot change the bits, so that a thread slowed down by the machine does
/// not hold the others up. Error: pairwise summation's, about
/// (log2(n) + 16) · ε · Σ|xᵢ|, against n · ε · Σ|xᵢ| for a loop.
public func parallelSum(_ values: UnsafeBufferPointer<Double>, schedule: Schedule = .dynamic(16)) -> Double {
    parallelTreeReduce(0..<values.count, blockSize: parallelSumBlockSize, identity: 0.0, schedule: schedule, { block in
        simdPairwiseSum(UnsafeBufferPointer(rebasing: values[block]))
    }, combine: +)
}

/// ``parallelSum(_:schedule:)`` of an array.
public func parallelSum(_ values: [Double]) -> Double {
    values.withUnsafeBufferPointer { parallelSum($0) }
}

/// The sum of `count` terms that `terms` writes block by block, with the
/// grouping of ``parallelSum(_:schedule:)``, hence the same bits as that
/// function over the same values, for any thread count and schedule.
/// `terms(block, out)` must write the terms of indices `block` into `out`
/// (`out[i - block.lowerBound]`); `out` is a scratch buffer of up to
/// ``parallelSumBlockSize`` doubles on the stack (it stays in L1), zeroed
/// first (a term not written counts as 0), and
/// `terms` is called concurrently. Your loop is then compiled with your code,
/// so it runs at full speed:
///
/// ```swift
/// let norm2 = parallelSum(count: n) { block, out in
///     for i in block { out[i - block.lowerBound] = x[i] * x[i] }
/// }
/// ```
public func parallelSum(count: Int, schedule: Schedule = .dynamic(16),
                        terms: (_ block: Range<Int>, _ out: UnsafeMutableBufferPointer<Double>) -> Void) -> Double {
    parallelTreeReduce(0..<count, blockSize: parallelSumBlockSize, identity: 0.0, schedule: schedule, { block in
        withUnsafeTemporaryAllocation(of: Double.self, capacity: block.count) { scratch in
            scratch.initialize(repeating: 0)
            terms(block, scratch)
            return simdPairwiseSum(UnsafeBufferPointer(scratch))
        }
    }, combine: +)
}

/// The sum of `element(0) + ... + element(count - 1)` with the grouping (and
/// bits) of ``parallelSum(_:schedule:)``. Convenient, but it pays one closure
/// call per term (1 to 2 ns); for long sums use
/// ``parallelSum(count:schedule:terms:)`` or the buffer form.
public func parallelSum(count: Int, schedule: Schedule = .dynamic(16), _ element: (Int) -> Double) -> Double {
    parallelSum(count: count, schedule: schedule) { block, out in
        for i in block { out[i - block.lowerBound] = element(i) }
    }
}

/// The sum of `values` by pairwise summation with 16 SIMD lanes, the
/// order of additions depending on the count only:
/// - more than 128 terms: the sum of the first `h` terms plus the sum of the
///   rest, `h` being `count / 2` rounded up to a multiple of 16, recursively;
/// - at most 128 terms: lanes `a` and `b` (two `SIMD8<Double>`, from 0) add
///   each whole group of 16 terms, `a += x[i..<i+8]`, `b += x[i+8..<i+16]`;
///   the last `count mod 16` terms go one at a time into `tail` (from 0);
///   then `c = a + b` lane by lane, halves added (8 → 4 → 2 lanes), and the
///   result is `(e₀ + e₁) + tail`.
/// No FMA, so the bits do not depend on the CPU. About four times the
/// accuracy of a loop for a million terms, at the speed of memory. Not
/// NumPy's order (CelerArray's `numpyPairwiseSum` is), so the two give
/// different last bits for the same input; `parallelSum` uses this one.
public func simdPairwiseSum(_ values: UnsafeBufferPointer<Double>) -> Double {
    guard let base = values.baseAddress else { return 0 }
    return simdPairwiseSum(base, values.count)
}

private func simdPairwiseSum(_ x: UnsafePointer<Double>, _ n: Int) -> Double {
    if n > 128 {
        let half = (n / 2 + 15) & ~15
        return simdPairwiseSum(x, half) + simdPairwiseSum(x + half, n - half)
    }
    let raw = UnsafeRawPointer(x)
    var a = SIMD8<Double>(repeating: 0)
    var b = SIMD8<Double>(repeating: 0)
    var i = 0
    while i + 16 <= n {
        a += raw.loadUnaligned(fromByteOffset: i * 8, as: SIMD8<Double>.self)
        b += raw.loadUnaligned(fromByteOffset: i * 8 + 64, as: SIMD8<Double>.self)
        i += 16
    }
    var tail = 0.0
    while i < n { tail += x[i]; i += 1 }
    let c = a + b
    let d = c.lowHalf + c.highHalf
    let e = d.lowHalf + d.highHalf
    return (e[0] + e[1]) + tail
}
