#if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
import _Builtin_intrinsics.intel
#endif
#if canImport(Glibc)
import Glibc
#endif

// Vector math: the elementwise square root, eˣ, ln x, sin x and cos x of
// `Double` and `Float` arrays, computed on SIMD lanes. The square root is the
// IEEE operation (see below); the others are polynomial approximations.
//
// The scalar C library (`exp`, `log`, `sin`, `cos`) is a function call per
// element that the compiler cannot vectorise; NumPy uses its own SIMD
// routines instead. These are ours, written from the textbook method (Cody &
// Waite, "Software Manual for the Elementary Functions", 1980; the same scheme
// as Cephes, fdlibm and SLEEF): reduce the argument exactly into a small
// interval (x − k·ln 2, x − k·π/2, or the mantissa for ln), evaluate a
// polynomial fitted near-minimax on that interval (coefficients fitted for
// this file in 50-digit arithmetic, least squares on Chebyshev nodes), and put
// the result back together (a power of two from the exponent bits, k·ln 2, or
// the quadrant's sign and sin/cos choice).
//
// Accuracy against glibc (VectorMathTests; millions of samples, every 23rd
// float bit pattern for Float exp and log): exp and log within 1 ulp, sin and
// cos within 2 ulp (1 on almost all inputs), Double and Float. Double lanes
// run in double precision, eight to a step (two AVX registers). Float lanes
// run in single precision, eight to a register, where that keeps the bound
// (exp on [−87, 88], ln of normal numbers, sin and cos for |x| ≤ 10⁴), and
// otherwise in double precision with shorter polynomials, rounded once.
// Special values are exactly the C library's: lanes outside the fast ranges
// (NaN, ±∞, overflow, results in the subnormal range or zero, ln of zero,
// negatives and subnormals, |x| > 10⁵ for sin and cos) get the C function.
//
// Every element is computed by the same code whatever the layout: the
// contiguous loop, the strided loop, the tail of a loop and the single
// element (`ExpKernel()(x)`) all run these lane functions (a single element
// on a splat vector), and a lane's route (fast, double, C library) depends
// only on its own value, so a value never depends on where it sits in memory
// or what its neighbours are.
// The entry points are not inlinable: they are compiled once, here, with the
// package's `-target-cpu haswell` (AVX2 + FMA), whatever the caller's flags.
// The polynomial steps use fused multiply-add on purpose: an FMA is correctly
// rounded, so the results are the same on every machine.

@usableFromInline
enum VectorMath {
    typealias D8 = SIMD8<Double>
    typealias F8 = SIMD8<Float>
    typealias U8 = SIMD8<UInt64>
}

// MARK: - Array entry points: out[i·os] = f(x[i·xs]) for i < n

extension VectorMath {
    @usableFromInline static func sqrt(_ n: Int, _ out: UnsafeMutablePointer<Double>, _ os: Int, _ x: UnsafePointer<Double>, _ xs: Int) {
        var i = 0
        #if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
        if os == 1 && xs == 1 {
            let src = UnsafeRawPointer(x), dst = UnsafeMutableRawPointer(out)
            while i &+ 4 <= n {
                let v = src.loadUnaligned(fromByteOffset: i &* 8, as: SIMD4<Double>.self)
                dst.storeBytes(of: _mm256_sqrt_pd(v), toByteOffset: i &* 8, as: SIMD4<Double>.self)
                i &+= 4
            }
        }
        #endif
        while i < n { out[i &* os] = x[i &* xs].squareRoot(); i &+= 1 }
    }
    @usableFromInline static func sqrt(_ n: Int, _ out: UnsafeMutablePointer<Float>, _ os: Int, _ x: UnsafePointer<Float>, _ xs: Int) {
        var i = 0
        #if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
        if os == 1 && xs == 1 {
            let src = UnsafeRawPointer(x), dst = UnsafeMutableRawPointer(out)
            while i &+ 8 <= n {
                let v = src.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
                dst.storeBytes(of: _mm256_sqrt_ps(v), toByteOffset: i &* 4, as: SIMD8<Float>.self)
                i &+= 8
            }
        }
        #endif
        while i < n { out[i &* os] = x[i &* xs].squareRoot(); i &+= 1 }
    }
    @usableFromInline static func exp(_ n: Int, _ out: UnsafeMutablePointer<Double>, _ os: Int, _ x: UnsafePointer<Double>, _ xs: Int) {
        map8(n, out, os, x, xs) { exp($0) }
    }
    @usableFromInline static func exp(_ n: Int, _ out: UnsafeMutablePointer<Float>, _ os: Int, _ x: UnsafePointer<Float>, _ xs: Int) {
        map8(n, out, os, x, xs) { exp($0) }
    }
    @usableFromInline static func log(_ n: Int, _ out: UnsafeMutablePointer<Double>, _ os: Int, _ x: UnsafePointer<Double>, _ xs: Int) {
        map8(n, out, os, x, xs) { log($0) }
    }
    @usableFromInline static func log(_ n: Int, _ out: UnsafeMutablePointer<Float>, _ os: Int, _ x: UnsafePointer<Float>, _ xs: Int) {
        map8(n, out, os, x, xs) { log($0) }
    }

    @usableFromInline static func sin(_ n: Int, _ out: UnsafeMutablePointer<Double>, _ os: Int, _ x: UnsafePointer<Double>, _ xs: Int) {
        map8(n, out, os, x, xs) { sin($0) }
    }
    @usableFromInline static func sin(_ n: Int, _ out: UnsafeMutablePointer<Float>, _ os: Int, _ x: UnsafePointer<Float>, _ xs: Int) {
        map8(n, out, os, x, xs) { sin($0) }
    }
    @usableFromInline static func cos(_ n: Int, _ out: UnsafeMutablePointer<Double>, _ os: Int, _ x: UnsafePointer<Double>, _ xs: Int) {
        map8(n, out, os, x, xs) { cos($0) }
    }
    @usableFromInline static func cos(_ n: Int, _ out: UnsafeMutablePointer<Float>, _ os: Int, _ x: UnsafePointer<Float>, _ xs: Int) {
        map8(n, out, os, x, xs) { cos($0) }
    }

    // One element: the same lane code on a splat vector.
    @usableFromInline static func exp(_ x: Double) -> Double { exp(D8(repeating: x))[0] }
    @usableFromInline static func exp(_ x: Float) -> Float { exp(F8(repeating: x))[0] }
    @usableFromInline static func log(_ x: Double) -> Double { log(D8(repeating: x))[0] }
    @usableFromInline static func log(_ x: Float) -> Float { log(F8(repeating: x))[0] }
    @usableFromInline static func sin(_ x: Double) -> Double { sin(D8(repeating: x))[0] }
    @usableFromInline static func sin(_ x: Float) -> Float { sin(F8(repeating: x))[0] }
    @usableFromInline static func cos(_ x: Double) -> Double { cos(D8(repeating: x))[0] }
    @usableFromInline static func cos(_ x: Float) -> Float { cos(F8(repeating: x))[0] }
}

// MARK: - Loops (the schedule)

extension VectorMath {
    /// Runs `f` over `n` elements eight at a time (`SIMD8<Double>`: two AVX
    /// registers, so two independent chains overlap; `SIMD8<Float>`: one):
    /// loaded when contiguous, gathered when strided, and a last partial
    /// vector padded with 1 (inside every fast range). Each step loads its
    /// inputs before it stores, so `out` may be `x`.
    @inline(__always)
    static func map8<V: SIMD>(_ n: Int, _ out: UnsafeMutablePointer<V.Scalar>, _ os: Int, _ x: UnsafePointer<V.Scalar>, _ xs: Int,
                              _ f: (V) -> V) where V.Scalar: BinaryFloatingPoint {
        let size = MemoryLayout<V.Scalar>.stride
        var i = 0
        if os == 1 && xs == 1 {
            let src = UnsafeRawPointer(x), dst = UnsafeMutableRawPointer(out)
            while i &+ 8 <= n {
                let y = f(src.loadUnaligned(fromByteOffset: i &* size, as: V.self))
                dst.storeBytes(of: y, toByteOffset: i &* size, as: V.self)
                i &+= 8
            }
        } else {
            while i &+ 8 <= n {
                var v = V()
                for j in 0..<8 { v[j] = x[(i &+ j) &* xs] }
                let y = f(v)
                for j in 0..<8 { out[(i &+ j) &* os] = y[j] }
                i &+= 8
            }
        }
        if i < n {
            let m = n &- i
            var v = V(repeating: 1)
            for j in 0..<m { v[j] = x[(i &+ j) &* xs] }
            let y = f(v)
            for j in 0..<m { out[(i &+ j) &* os] = y[j] }
        }
    }

    /// `a·b + c`, rounded once.
    @inline(__always)
    static func fma(_ a: D8, _ b: D8, _ c: D8) -> D8 { c.addingProduct(a, b) }
    @inline(__always)
    static func fma(_ a: D8, _ b: Double, _ c: Double) -> D8 { D8(repeating: c).addingProduct(a, D8(repeating: b)) }

    /// `f(x)` when every lane is in the fast range (`fast`), else `careful(x)`:
    /// the rare vector with a special lane leaves the hot loop for a call.
    @inline(__always)
    static func lanes(_ x: D8, fast: SIMDMask<SIMD8<Int64>>, _ f: (D8) -> D8, careful: (D8) -> D8) -> D8 {
        all(fast) ? f(x) : careful(x)    // all(): one vtestps
    }

    /// `f` on the lanes of `x` where `fast` holds, the scalar C function
    /// `slow` on the others (whose inputs `f` sees replaced by `safe`).
    @inline(__always)
    static func mixedLanes(_ x: D8, fast: SIMDMask<SIMD8<Int64>>, safe: Double, _ f: (D8) -> D8, _ slow: (Double) -> Double) -> D8 {
        var y = f(x.replacing(with: safe, where: .!fast))
        for j in 0..<8 where !fast[j] { y[j] = slow(x[j]) }
        return y
    }

    /// A float vector through a double-precision lane function, rounded once.
    @inline(__always)
    static func viaDouble(_ x: F8, _ f: (D8) -> D8) -> F8 { F8(f(D8(x))) }
}

// MARK: - Square root

// `Double.squareRoot()` is correctly rounded, but on Linux it reaches LLVM as
// a call of C's `sqrt`, which may set `errno` for negative inputs: LLVM then
// emits `vsqrtsd` plus a guarded call and never vectorises the loop (the SIMD
// types' `squareRoot()` too, lane by lane). So contiguous runs call the AVX
// instructions themselves (`_mm256_sqrt_pd`/`_ps`: the same IEEE operation,
// a negative input gives NaN as `squareRoot()` does); strided elements and
// tails use `squareRoot()`. (Declaring the `llvm.sqrt` intrinsic as a Swift
// function also vectorised, but crashed the compiler in ThreadSanitizer builds.)

// MARK: - eˣ

extension VectorMath {
    @inline(__always)
    static func exp(_ x: D8) -> D8 {
        // Fast range: the result is a normal double (e^-708 > 2^-1022, e^709 < 2^1024).
        exp(x, single: false)
    }

    /// eˣ; `single`: accurate enough for rounding to `Float` (shorter polynomial).
    @inline(__always)
    static func exp(_ x: D8, single: Bool) -> D8 {
        lanes(x, fast: expIsFast(x), { expFast($0, single: single) }, careful: { expCareful($0, single: single) })
    }

    @inline(__always)
    static func expIsFast(_ x: D8) -> SIMDMask<SIMD8<Int64>> { (x .>= -708) .& (x .<= 709) }

    @inline(never)
    static func expCareful(_ x: D8, single: Bool) -> D8 {
        mixedLanes(x, fast: expIsFast(x), safe: 0, { expFast($0, single: single) }, { Glibc.exp($0) })
    }

    @inline(__always)
    static func exp(_ x: F8) -> F8 {
        all(floatExpIsFast(x)) ? expFloat(x) : floatExpCareful(x)
    }

    /// Float lanes in [−87, 88] (normal results) run in single precision
    /// (`expFloat`); the others in double precision, rounded once, or the C
    /// library (NaN, ±∞, |x| > 708).
    @inline(__always)
    static func floatExpIsFast(_ x: F8) -> SIMDMask<SIMD8<Int32>> { (x .>= -87) .& (x .<= 88) }

    @inline(never)
    static func floatExpCareful(_ x: F8) -> F8 {
        let wide = viaDouble(x) { exp($0, single: true) }
        let fast = floatExpIsFast(x)
        return wide.replacing(with: expFloat(x.replacing(with: 0, where: .!fast)), where: fast)
    }

    /// eˣ for −87 ≤ x ≤ 88 in single precision, eight lanes to a register:
    /// the scheme of `expFast` with a degree-5 q; within 1 ulp.
    @inline(__always)
    static func expFloat(_ x: F8) -> F8 {
        typealias U = SIMD8<UInt32>
        @inline(__always) func fma(_ a: F8, _ b: Float, _ c: Float) -> F8 { F8(repeating: c).addingProduct(a, F8(repeating: b)) }
        @inline(__always) func fma(_ a: F8, _ b: F8, _ c: F8) -> F8 { c.addingProduct(a, b) }
        let shift: Float = 0x1.8p23
        let kShifted = fma(x, 0x1.715476p0, shift)
        let k = kShifted - shift
        let r = fma(k, F8(repeating: 0x1.05c610p-29), fma(k, F8(repeating: -0x1.62e430p-1), x))
        let r2 = r * r, r4 = r2 * r2
        let q = fma(r4, fma(r, 0x1.a157a0p-13, 0x1.6d4914p-10),
                    fma(r2, fma(r, 0x1.1110c4p-7, 0x1.5554e4p-5), fma(r, 0x1.555556p-3, 0x1p-1)))
        let p = 1 + fma(r2, q, r)
        let kBits = unsafeBitCast(kShifted, to: U.self)
        return p * unsafeBitCast((kBits &<< 23) &+ U(repeating: 127 << 23), to: F8.self)
    }

    /// eˣ for −708 ≤ x ≤ 709. With k = round(x / ln 2) and r = x − k·ln 2
    /// (|r| ≤ ln 2 / 2, exact thanks to the two-part ln 2 of Cody & Waite),
    /// eˣ = 2ᵏ · (1 + r + r²·q(r)), q a degree-9 polynomial (relative error of
    /// the fit 2e-17; degree 5 and 2e-10 for `single`); adding 1 last keeps the
    /// rounding error near half an ulp.
    @inline(__always)
    static func expFast(_ x: D8, single: Bool) -> D8 {
        let invLn2 = 0x1.71547652b82fep0
        let ln2Hi = 0x1.62e42fee00000p-1    // ln 2 to 32 bits: k·ln2Hi is exact for |k| < 2²¹
        let ln2Lo = 0x1.a39ef35793c76p-33   // ln 2 − ln2Hi
        let shift = 0x1.8p52                // adding it rounds to an integer, kept in the low bits
        let kShifted = fma(x, invLn2, shift)
        let k = kShifted - shift
        let r = fma(k, D8(repeating: -ln2Lo), fma(k, D8(repeating: -ln2Hi), x))
        // q(r) by Estrin's scheme (short dependency chains).
        let r2 = r * r, r4 = r2 * r2
        let q: D8
        if single {
            q = fma(r4, fma(r, 0x1.a1579f6cb971ap-13, 0x1.6d49138c4d18ap-10),
                    fma(r2, fma(r, 0x1.1110c336a8aecp-7, 0x1.5554e4b36b539p-5), fma(r, 0x1.555555686972cp-3, 0x1.0000000c44860p-1)))
        } else {
            let a0 = fma(r, 0x1.5555555555557p-3, 0x1.0000000000001p-1)
            let a1 = fma(r, 0x1.111111110ff8bp-7, 0x1.5555555553b71p-5)
            let a2 = fma(r, 0x1.a01a01ac9e13dp-13, 0x1.6c16c1794c100p-10)
            let a3 = fma(r, 0x1.71ddfff5e5177p-19, 0x1.a019b629ec234p-16)
            let a4 = fma(r, 0x1.af528379e0ab0p-26, 0x1.2894ebc59f102p-22)
            q = fma(r4, fma(r4, a4, fma(r2, a3, a2)), fma(r2, a1, a0))
        }
        let p = 1 + fma(r2, q, r)
        // 2ᵏ: k sits in the low mantissa bits of kShifted; move it to the exponent.
        let kBits = unsafeBitCast(kShifted, to: U8.self)
        let scale = unsafeBitCast((kBits &<< 52) &+ U8(repeating: 1023 << 52), to: D8.self)
        return p * scale
    }
}

// MARK: - Natural logarithm

extension VectorMath {
    @inline(__always)
    static func log(_ x: D8) -> D8 {
        // Fast range: positive normal finite numbers.
        log(x, single: false)
    }

    /// ln x; `single`: accurate enough for rounding to `Float`.
    @inline(__always)
    static func log(_ x: D8, single: Bool) -> D8 {
        lanes(x, fast: logIsFast(x), { logFast($0, single: single) }, careful: { logCareful($0, single: single) })
    }

    @inline(__always)
    static func logIsFast(_ x: D8) -> SIMDMask<SIMD8<Int64>> { (x .>= 0x1p-1022) .& (x .< .infinity) }

    @inline(never)
    static func logCareful(_ x: D8, single: Bool) -> D8 {
        mixedLanes(x, fast: logIsFast(x), safe: 1, { logFast($0, single: single) }, { Glibc.log($0) })
    }

    @inline(__always)
    static func log(_ x: F8) -> F8 {
        all(floatLogIsFast(x)) ? logFloat(x) : floatLogCareful(x)
    }

    /// Float lanes that are positive, normal and finite run in single
    /// precision (`logFloat`); the others in double precision, rounded once,
    /// or the C library (zero, negatives, ∞, NaN).
    @inline(__always)
    static func floatLogIsFast(_ x: F8) -> SIMDMask<SIMD8<Int32>> { (x .>= 0x1p-126) .& (x .< .infinity) }

    @inline(never)
    static func floatLogCareful(_ x: F8) -> F8 {
        let wide = viaDouble(x) { log($0, single: true) }
        let fast = floatLogIsFast(x)
        return wide.replacing(with: logFloat(x.replacing(with: 1, where: .!fast)), where: fast)
    }

    /// ln x for positive normal floats in single precision, eight lanes to a
    /// register: the scheme of `logFast` with a degree-3 P; within 1 ulp.
    @inline(__always)
    static func logFloat(_ x: F8) -> F8 {
        typealias U = SIMD8<UInt32>
        @inline(__always) func fma(_ a: F8, _ b: Float, _ c: Float) -> F8 { F8(repeating: c).addingProduct(a, F8(repeating: b)) }
        @inline(__always) func fma(_ a: F8, _ b: F8, _ c: F8) -> F8 { c.addingProduct(a, b) }
        let u = unsafeBitCast(x, to: U.self)
        let t = u &+ U(repeating: 0x3f80_0000 &- 0x3f35_04f3)
        let m = unsafeBitCast(u &- (t & U(repeating: 0xff80_0000)) &+ U(repeating: 0x3f80_0000), to: F8.self)
        let k = F8(SIMD8<Int32>(truncatingIfNeeded: t &>> 23) &- 127)
        let f = m - 1
        let s = f / (2 + f)
        let z = s * s, w = z * z
        let r = z * fma(w, fma(z, 0x1.de4cbep-3, 0x1.2459e8p-2), fma(z, 0x1.9999f0p-2, 0x1.555556p-1))
        let hfsq = 0.5 * f * f
        return fma(k, F8(repeating: 0x1.62e430p-1), -((hfsq - fma(s, hfsq + r, k * -0x1.05c610p-29)) - f))
    }

    /// ln x for positive normal x. x = 2ᵏ·m with √2/2 ≤ m < √2 (from the
    /// exponent bits); with f = m − 1 and s = f / (2 + f),
    /// ln m = 2·atanh(s) = f − s·(f − R), R = z·P(z), z = s², P of degree 6
    /// (fit error 4e-17 relative; degree 3 and 2e-11 for `single`), rearranged
    /// with f²/2 as in fdlibm so the large terms are added last;
    /// ln x = k·ln 2 + ln m with ln 2 in two parts.
    @inline(__always)
    static func logFast(_ x: D8, single: Bool) -> D8 {
        let ln2Hi = 0x1.62e42fee00000p-1
        let ln2Lo = 0x1.a39ef35793c76p-33
        let u = unsafeBitCast(x, to: U8.self)
        // t's exponent field is k + 1023, where k makes x·2⁻ᵏ fall in [√2/2, √2).
        let t = u &+ U8(repeating: 0x3ff0_0000_0000_0000 &- 0x3fe6_a09e_667f_3bcd)
        let biasedK = t &>> 52
        let m = unsafeBitCast(u &- (t & U8(repeating: 0xfff0_0000_0000_0000)) &+ U8(repeating: 0x3ff0_0000_0000_0000), to: D8.self)
        // k as a double: 2⁵² + (k + 1023) from its bits, minus 2⁵² + 1023.
        let k = unsafeBitCast(biasedK | U8(repeating: 0x4330_0000_0000_0000), to: D8.self) - (0x1p52 + 1023)
        let f = m - 1
        let s = f / (2 + f)
        let z = s * s, w = z * z
        let p: D8
        if single {
            p = fma(w, fma(z, 0x1.de4cbd7e69959p-3, 0x1.2459e85f48f30p-2), fma(z, 0x1.9999f0cd28802p-2, 0x1.5555554ad23e5p-1))
        } else {
            let w2 = w * w
            let a0 = fma(z, 0x1.999999999495cp-2, 0x1.5555555555558p-1)
            let a1 = fma(z, 0x1.c71c61977d598p-3, 0x1.2492492efb057p-2)
            let a2 = fma(z, 0x1.39f25b6e3674ep-3, 0x1.74631271983dep-3)
            p = fma(w2, fma(w, D8(repeating: 0x1.2beb05430fb6cp-3), a2), fma(w, a1, a0))
        }
        let r = z * p
        let hfsq = 0.5 * f * f
        return fma(k, D8(repeating: ln2Hi), (fma(s, hfsq + r, k * ln2Lo) - hfsq) + f)   // = −((hfsq − …) − f) exactly
    }
}

// MARK: - Sine and cosine

extension VectorMath {
    @inline(__always)
    static func sin(_ x: D8) -> D8 {
        lanes(x, fast: trigIsFast(x), { sinCosFast($0, cosine: false, single: false) }, careful: { sinCareful($0, single: false) })
    }

    @inline(__always)
    static func cos(_ x: D8) -> D8 {
        lanes(x, fast: trigIsFast(x), { sinCosFast($0, cosine: true, single: false) }, careful: { cosCareful($0, single: false) })
    }

    @inline(__always)
    static func sin(_ x: F8) -> F8 {
        all(floatTrigIsFast(x)) ? sinCosFloat(x, cosine: false) : floatTrigCareful(x, cosine: false)
    }

    @inline(__always)
    static func cos(_ x: F8) -> F8 {
        all(floatTrigIsFast(x)) ? sinCosFloat(x, cosine: true) : floatTrigCareful(x, cosine: true)
    }

    /// Float lanes with |x| ≤ 10⁴ run in single precision (`sinCosFloat`);
    /// the others in double precision, rounded once (`sinCosFast`, single),
    /// or beyond 10⁵ the C library. Each lane's route depends only on its value.
    @inline(__always)
    static func floatTrigIsFast(_ x: F8) -> SIMDMask<SIMD8<Int32>> { (x .>= -1e4) .& (x .<= 1e4) }

    @inline(never)
    static func floatTrigCareful(_ x: F8, cosine: Bool) -> F8 {
        let wide = viaDouble(x) { x in
            cosine ? lanes(x, fast: trigIsFast(x), { sinCosFast($0, cosine: true, single: true) }, careful: { cosCareful($0, single: true) })
                : lanes(x, fast: trigIsFast(x), { sinCosFast($0, cosine: false, single: true) }, careful: { sinCareful($0, single: true) })
        }
        let fast = floatTrigIsFast(x)
        return wide.replacing(with: sinCosFloat(x.replacing(with: 0, where: .!fast), cosine: cosine), where: fast)
    }

    /// sin x or cos x for |x| ≤ 10⁴ in single precision, eight lanes to a
    /// register: the same scheme as `sinCosFast` with π/2 in three float
    /// parts (k < 2¹³, so k times the first part is exact) and degree-3
    /// polynomials; within 2 ulp of the correctly rounded result.
    @inline(__always)
    static func sinCosFloat(_ x: F8, cosine: Bool) -> F8 {
        @inline(__always) func fma(_ a: F8, _ b: Float, _ c: Float) -> F8 { F8(repeating: c).addingProduct(a, F8(repeating: b)) }
        @inline(__always) func fma(_ a: F8, _ b: F8, _ c: F8) -> F8 { c.addingProduct(a, b) }
        let shift: Float = 0x1.8p23
        let kShifted = fma(x, 0x1.45f306p-1, shift)
        let k = kShifted - shift
        var y = fma(k, F8(repeating: -0x1.921fb6p0), x)
        y = fma(k, F8(repeating: 0x1.777a5cp-25), y)
        y = fma(k, F8(repeating: 0x1.ee59dap-50), y)
        let z = y * y, z2 = z * z
        let sinY = fma(y * z, fma(z2, fma(z, 0x1.6dbe0ep-19, -0x1.a013a8p-13), fma(z, 0x1.11110ep-7, -0x1.555556p-3)), y)
        let c = fma(z2, fma(z, -0x1.25245p-22, 0x1.a015c4p-16), fma(z, -0x1.6c16cp-10, 0x1.555556p-5))
        let hz = 0.5 * z
        let w = 1 - hz
        let cosY = w + fma(z2, c, (1 - w) - hz)
        var quadrant = unsafeBitCast(kShifted, to: SIMD8<UInt32>.self)
        if cosine { quadrant &+= 1 }
        let useCos = SIMD8<UInt32>.zero &- (quadrant & 1)
        let r = (unsafeBitCast(sinY, to: SIMD8<UInt32>.self) & ~useCos) | (unsafeBitCast(cosY, to: SIMD8<UInt32>.self) & useCos)
        let signed = unsafeBitCast(r ^ ((quadrant & 2) &<< 30), to: F8.self)
        return cosine ? signed : signed.replacing(with: x, where: x .== 0)
    }

    /// Fast range: |x| ≤ 10⁵ (then k below stays under 2¹⁶ and the reduction
    /// keeps its accuracy); larger arguments need Payne–Hanek reduction, which
    /// the C library does.
    @inline(__always)
    static func trigIsFast(_ x: D8) -> SIMDMask<SIMD8<Int64>> { (x .>= -1e5) .& (x .<= 1e5) }

    @inline(never)
    static func sinCareful(_ x: D8, single: Bool) -> D8 {
        mixedLanes(x, fast: trigIsFast(x), safe: 0, { sinCosFast($0, cosine: false, single: single) }, { Glibc.sin($0) })
    }

    @inline(never)
    static func cosCareful(_ x: D8, single: Bool) -> D8 {
        mixedLanes(x, fast: trigIsFast(x), safe: 0, { sinCosFast($0, cosine: true, single: single) }, { Glibc.cos($0) })
    }

    /// sin x or cos x for |x| ≤ 10⁵. With k = round(x·2/π) and
    /// y = x − k·π/2 (|y| ≤ π/4; π/2 in three parts, each step a fused
    /// multiply-add, Cody & Waite's reduction), sin y = y + y³·S(y²) and
    /// cos y = 1 − y²/2 + y⁴·C(y²), S and C of degree 5 (fit error below
    /// 2e-17 relative; degree 3 for `single`); 1 − y²/2 is formed with its rounding error recovered
    /// (as in fdlibm). The quadrant k mod 4 picks sin y or cos y and the sign.
    @inline(__always)
    static func sinCosFast(_ x: D8, cosine: Bool, single: Bool) -> D8 {
        let twoOverPi = 0x1.45f306dc9c883p-1
        let shift = 0x1.8p52
        let kShifted = fma(x, twoOverPi, shift)
        let k = kShifted - shift
        var y = fma(k, D8(repeating: -0x1.921fb54442d18p0), x)      // π/2 rounded: this step is exact
        y = fma(k, D8(repeating: -0x1.1a62633145c07p-54), y)         // π/2 − that, rounded
        y = fma(k, D8(repeating: 0x1.f1976b7ed8fbcp-110), y)          // and the rest
        let z = y * y, z2 = z * z
        let sPoly: D8, c: D8
        if single {     // degree 3, fit errors 2e-11 and 1e-12
            sPoly = fma(z2, fma(z, 0x1.6dbe0ea2603a5p-19, -0x1.a013a7bc0e2bfp-13), fma(z, 0x1.11110def62cb6p-7, -0x1.555555545e301p-3))
            c = fma(z2, fma(z, -0x1.25244f3ca09d3p-22, 0x1.a015c48cb51fap-16), fma(z, -0x1.6c16bf54ff664p-10, 0x1.5555555502d8cp-5))
        } else {
            sPoly = fma(z2, fma(z2, fma(z, 0x1.5e0b0f516cacbp-33, -0x1.ae600ae816ae0p-26),
                                fma(z, 0x1.71de3796740e1p-19, -0x1.a01a019e839d7p-13)),
                        fma(z, 0x1.1111111110bb2p-7, -0x1.5555555555555p-3))
            c = fma(z2, fma(z2, fma(z, -0x1.907d97ace1924p-37, 0x1.1eeb68da438c7p-29),
                            fma(z, -0x1.27e4fa17cd3fep-22, 0x1.a01a019f4ea7cp-16)),
                    fma(z, -0x1.6c16c16c16967p-10, 0x1.5555555555555p-5))
        }
        let sinY = fma(y * z, sPoly, y)
        let hz = 0.5 * z
        let w = 1 - hz
        let cosY = w + fma(z2, c, (1 - w) - hz)
        // Quadrant: cos x = sin(x + π/2). k's low bits are those of kShifted.
        var quadrant = unsafeBitCast(kShifted, to: U8.self)
        if cosine { quadrant &+= 1 }
        // Selected with bit masks: integer SIMD comparisons compile to scalar loops.
        let useCos = U8.zero &- (quadrant & 1)
        let r = (unsafeBitCast(sinY, to: U8.self) & ~useCos) | (unsafeBitCast(cosY, to: U8.self) & useCos)
        let signed = unsafeBitCast(r ^ ((quadrant & 2) &<< 62), to: D8.self)
        // sin(±0) = ±0: the last reduction step turns −0 into +0.
        return cosine ? signed : signed.replacing(with: x, where: x .== 0)
    }
}

// MARK: - Glue for the kernels in Elementwise/MathFunctions.swift

/// `p` seen as a pointer to `T` (the caller has checked that `T` is its element type).
@inlinable @inline(__always)
func rebound<E, T>(_ p: UnsafeMutablePointer<E>, to: T.Type) -> UnsafeMutablePointer<T> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: T.self)
}

@inlinable @inline(__always)
func rebound<E, T>(_ p: UnsafePointer<E>, to: T.Type) -> UnsafePointer<T> {
    UnsafeRawPointer(p).assumingMemoryBound(to: T.self)
}

/// `out[i·os] = kernel(x[i·xs])`, one element at a time (element types without a vector path).
@inlinable @inline(__always)
func runUnaryElementwise<K: UnaryKernel>(_ kernel: K, _ n: Int, _ out: UnsafeMutablePointer<K.Output>, _ os: Int,
                                         _ x: UnsafePointer<K.Input>, _ xs: Int) {
    for i in 0..<n { out[i &* os] = kernel(x[i &* xs]) }
}

/// `out[i·os] = kernel(x[0])` for `i < n`: a broadcast input, computed once.
@inlinable @inline(__always)
func fillUnary<K: UnaryKernel>(_ kernel: K, _ n: Int, _ out: UnsafeMutablePointer<K.Output>, _ os: Int, _ x: UnsafePointer<K.Input>) {
    let v = kernel(x[0])
    for i in 0..<n { out[i &* os] = v }
}
