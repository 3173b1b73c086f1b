// The extreme (min or max) of a block of elements with SIMD, and whether any
// is NaN: `ExtremeScan` for contiguous blocks, one entry point per element
// type; `stridedExtreme` gathers a strided run into L1-sized blocks first so
// strided runs use the same kernels. The reductions that use them are in
// Extremes.swift (min/max, and blocks of argmin/argmax).

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
