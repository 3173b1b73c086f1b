import Testing
import CelerArray
import CelerCore
#if canImport(Glibc)
import Glibc
#endif

// The SIMD math functions (VectorMath.swift) against glibc: random inputs over
// ranges that exercise each code path (reduction, polynomial, fast-range
// limits, the scalar fallback), special values bit for bit, odd lengths, and
// strided or reversed views equal to the contiguous result.

/// Distance in units in the last place, counted through the ordered bit
/// patterns (adjacent doubles differ by 1; +0 and −0 are 1 apart).
private func ulpDistance(_ a: Double, _ b: Double) -> UInt64 {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN ? 0 : .max }
    func ordered(_ x: Double) -> Int64 { let b = Int64(bitPattern: x.bitPattern); return b < 0 ? Int64.min &- b : b }
    let d = ordered(a).subtractingReportingOverflow(ordered(b)).partialValue
    return d.magnitude
}

private func ulpDistance(_ a: Float, _ b: Float) -> UInt64 {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN ? 0 : .max }
    func ordered(_ x: Float) -> Int64 { let b = Int64(Int32(bitPattern: x.bitPattern)); return b < 0 ? Int64(Int32.min) - b : b }
    return (ordered(a) - ordered(b)).magnitude
}

/// Bit-identical, or both NaN.
private func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }
private func same(_ a: Float, _ b: Float) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

/// `count` values: uniform in [lo, hi], or log-uniform in magnitude when `logScale`.
private func samples(_ count: Int, _ lo: Double, _ hi: Double, logScale: Bool = false, seed: UInt64) -> [Double] {
    let rng = SplitMix64(seed: seed)
    return (0..<count).map { k in
        let u = rng.uniform(k)
        return logScale ? Glibc.exp(Glibc.log(lo) + u * (Glibc.log(hi) - Glibc.log(lo))) : lo + u * (hi - lo)
    }
}

/// Largest ulp distance between `ours` over the array of `inputs` and `reference` per element.
private func maxUlp(_ inputs: [Double], _ ours: (NDArray<Double>) -> NDArray<Double>, _ reference: (Double) -> Double) -> UInt64 {
    let got = ours(NDArray(inputs)).scalars
    return zip(inputs, got).map { ulpDistance($1, reference($0)) }.max() ?? 0
}

private func maxUlp(_ inputs: [Float], _ ours: (NDArray<Float>) -> NDArray<Float>, _ reference: (Float) -> Float) -> UInt64 {
    let got = ours(NDArray(inputs)).scalars
    return zip(inputs, got).map { ulpDistance($1, reference($0)) }.max() ?? 0
}

private let n = 4000

@Suite struct VectorMathTests {
    @Test func expDoubleWithinOneUlp() {
        let ranges: [(Double, Double, Bool)] = [
            (-1e-300, 1e-300, false), (1e-18, 1e-6, true), (-1, 1, false), (-20, 20, false), (-708, 709, false),
            (700, 709.78, false), (-708.5, -700, false),              // near the fast range's limits
            (-745.2, -708.4, false), (709.79, 800, false), (-800, -745.2, false),   // subnormal results, +inf, 0
        ]
        for (k, (lo, hi, logScale)) in ranges.enumerated() {
            let xs = samples(n, lo, hi, logScale: logScale, seed: UInt64(k))
            let u = maxUlp(xs, { exp($0) }, { Glibc.exp($0) })
            #expect(u <= 1, "exp on [\(lo), \(hi)]: \(u) ulp")
            let v = maxUlp(xs.map { -$0 }, { exp($0) }, { Glibc.exp($0) })
            #expect(v <= 1, "exp on [\(-hi), \(-lo)]: \(v) ulp")
        }
    }

    @Test func logDoubleWithinOneUlp() {
        let ranges: [(Double, Double, Bool)] = [
            (0.5, 2, false), (1 - 1e-6, 1 + 1e-6, false), (0.7, 0.72, false), (1.4, 1.42, false),
            (1e-300, 1e300, true), (0x1p-1022, 0x1p-1000, true), (1e300, .greatestFiniteMagnitude, true),
            (.leastNonzeroMagnitude, 0x1p-1022, true),                // subnormals: the C library
        ]
        for (k, (lo, hi, logScale)) in ranges.enumerated() {
            let xs = samples(n, lo, hi, logScale: logScale, seed: 100 + UInt64(k))
            let u = maxUlp(xs, { log($0) }, { Glibc.log($0) })
            #expect(u <= 1, "log on [\(lo), \(hi)]: \(u) ulp")
        }
    }

    @Test func floatWithinOneUlp() {
        let expRanges: [(Double, Double, Bool)] = [
            (1e-12, 1e-3, true), (-1, 1, false), (-87, 88, false), (80, 88.72, false), (-103.9, -87.3, false), (88.73, 100, false),
        ]
        for (k, (lo, hi, logScale)) in expRanges.enumerated() {
            let xs = samples(n, lo, hi, logScale: logScale, seed: 200 + UInt64(k)).map { Float($0) }
            let u = maxUlp(xs, { exp($0) }, { Glibc.expf($0) })
            let v = maxUlp(xs.map { -$0 }, { exp($0) }, { Glibc.expf($0) })
            #expect(u <= 1 && v <= 1, "Float exp on ±[\(lo), \(hi)]: \(u), \(v) ulp")
        }
        let logRanges: [(Double, Double, Bool)] = [
            (0.5, 2, false), (1 - 1e-4, 1 + 1e-4, false), (1e-37, 3e38, true), (1e-45, 1.2e-38, true),
        ]
        for (k, (lo, hi, logScale)) in logRanges.enumerated() {
            let xs = samples(n, lo, hi, logScale: logScale, seed: 300 + UInt64(k)).map { Float($0) }.filter { $0 > 0 }
            let u = maxUlp(xs, { log($0) }, { Glibc.logf($0) })
            #expect(u <= 1, "Float log on [\(lo), \(hi)]: \(u) ulp")
        }
    }

    @Test func sinCosWithinTwoUlp() {
        let ranges: [(Double, Double, Bool)] = [
            (1e-300, 1e-8, true), (-0.8, 0.8, false), (-Double.pi, Double.pi, false), (-100, 100, false),
            (-1e5, 1e5, false), (99_000, 100_000, false),
            (1e5, 1e7, false), (1e7, 1e300, true),                     // beyond the fast range: the C library
        ]
        for (k, (lo, hi, logScale)) in ranges.enumerated() {
            let xs = samples(n, lo, hi, logScale: logScale, seed: 500 + UInt64(k))
            // Float: lanes up to 1e4 in single precision, beyond in double (mixed vectors too).
            let s = maxUlp(xs, { sin($0) }, { Glibc.sin($0) }), c = maxUlp(xs, { cos($0) }, { Glibc.cos($0) })
            let sn = maxUlp(xs.map { -$0 }, { sin($0) }, { Glibc.sin($0) })
            #expect(s <= 2 && c <= 2 && sn <= 2, "sin, cos on [\(lo), \(hi)]: \(s), \(c), \(sn) ulp")
            let fs = xs.map { Float($0) }.filter { $0.isFinite }
            let fsin = maxUlp(fs, { sin($0) }, { Glibc.sinf($0) }), fcos = maxUlp(fs, { cos($0) }, { Glibc.cosf($0) })
            #expect(fsin <= 2 && fcos <= 2, "Float sin, cos on [\(lo), \(hi)]: \(fsin), \(fcos) ulp")
        }
        // Multiples of π/2 (the reduction's cancellation) and their neighbours.
        let nearMultiples = (1...2000).flatMap { k -> [Double] in
            let x = Double(k * 37) * Double.pi / 2
            return [x, x.nextUp, x.nextDown]
        }
        #expect(maxUlp(nearMultiples, { sin($0) }, { Glibc.sin($0) }) <= 2)
        #expect(maxUlp(nearMultiples, { cos($0) }, { Glibc.cos($0) }) <= 2)
        let floatNearMultiples = nearMultiples.map { Float($0) }.flatMap { [$0, $0.nextUp, $0.nextDown] }
        #expect(maxUlp(floatNearMultiples, { sin($0) }, { Glibc.sinf($0) }) <= 2)
        #expect(maxUlp(floatNearMultiples, { cos($0) }, { Glibc.cosf($0) }) <= 2)
        let specials: [Double] = [0, -0.0, .nan, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 1e5, -1e5, 1e5.nextUp]
        let s = sin(NDArray(specials)).scalars, c = cos(NDArray(specials)).scalars
        for (x, (sx, cx)) in zip(specials, zip(s, c)) {
            #expect(same(sx, Glibc.sin(x)) && same(cx, Glibc.cos(x)), "sin, cos(\(x)) = \(sx), \(cx)")
        }
        let fspecials: [Float] = [0, -0.0, .nan, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude]
        let fsv = sin(NDArray(fspecials)).scalars, fcv = cos(NDArray(fspecials)).scalars
        for (x, (sx, cx)) in zip(fspecials, zip(fsv, fcv)) {
            #expect(same(sx, Glibc.sinf(x)) && same(cx, Glibc.cosf(x)), "sin, cos(\(x) as Float) = \(sx), \(cx)")
        }
    }

    @Test func sqrtIsCorrectlyRounded() {
        let xs = samples(n, 1e-300, 1e300, logScale: true, seed: 400) + [0, -0.0, 1, 4, .infinity, -1, .nan, .leastNonzeroMagnitude]
        let got = sqrt(NDArray(xs)).scalars
        #expect(zip(xs, got).allSatisfy { same($1, $0.squareRoot()) })
        let fs = xs.map { Float($0) }
        let fgot = sqrt(NDArray(fs)).scalars
        #expect(zip(fs, fgot).allSatisfy { same($1, $0.squareRoot()) })
    }

    @Test func specialValuesAreTheCLibrarys() {
        let specials: [Double] = [.nan, -.nan, .infinity, -.infinity, 0, -0.0, 1, -1, 709.78, 709.79, -708.39, -708.4,
                                  -745.13, -745.14, -746, 1e10, -1e10, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
                                  .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0x1p-1023]
        let e = exp(NDArray(specials)).scalars, l = log(NDArray(specials)).scalars
        for (x, (ex, lx)) in zip(specials, zip(e, l)) {
            if x.isNaN || x.isInfinite || x == 0 || x > 709.7 || x < -708.4 { #expect(same(ex, Glibc.exp(x)), "exp(\(x)) = \(ex)") }
            if x.isNaN || x.isInfinite || x <= 0x1p-1022 || x == 1 { #expect(same(lx, Glibc.log(x)), "log(\(x)) = \(lx)") }
        }
        let fspecials: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, 1, -1, 88.72, 88.73, -103.97, -104, -87.34,
                                  .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude]
        let fe = exp(NDArray(fspecials)).scalars, fl = log(NDArray(fspecials)).scalars
        for (x, (ex, lx)) in zip(fspecials, zip(fe, fl)) {
            if x.isNaN || x.isInfinite || x == 0 || x == 1 || x > 88.73 || x < -104 { #expect(same(ex, Glibc.expf(x)), "exp(\(x) as Float) = \(ex)") }
            if x.isNaN || x.isInfinite || x <= 0 || x == 1 { #expect(same(lx, Glibc.logf(x)), "log(\(x) as Float) = \(lx)") }
        }
        #expect(exp(NDArray<Double>([-0.0])).scalars == [1] && log(NDArray<Double>([1])).scalars[0].sign == .plus)
    }

    @Test func layoutDoesNotChangeValues() {
        for count in [1, 3, 7, 9, 17, 1001] {
            let xs = samples(count, -30, 30, seed: UInt64(count))
            let a = NDArray(xs)
            typealias Case = (name: String, array: (NDArray<Double>) -> NDArray<Double>, scalar: (Double) -> Double)
            let cases: [Case] = [
                ("exp", { exp($0) }, { ExpKernel<Double>()($0) }),
                ("log", { log(abs($0)) }, { LogKernel<Double>()(Swift.abs($0)) }),
                ("sqrt", { sqrt(abs($0)) }, { Swift.abs($0).squareRoot() }),
                ("sin", { sin($0 * 1000) }, { SinKernel<Double>()($0 * 1000) }),
                ("cos", { cos($0) }, { CosKernel<Double>()($0) }),
            ]
            for (name, f, scalar) in cases {
                let contiguous = f(a).scalars
                #expect(contiguous.count == count)
                #expect(zip(xs, contiguous).allSatisfy { same(scalar($0), $1) }, "\(name) n=\(count): single elements")
                #expect(f(a[.step(-1)]).scalars == Array(contiguous.reversed()), "\(name) n=\(count): reversed")
                let everyOther = a[.step(2)]
                #expect(f(everyOther).scalars == stride(from: 0, to: count, by: 2).map { contiguous[$0] }, "\(name) n=\(count): stride 2")
                let inPlace = a.copy()
                switch name {
                case "exp": try? exp(inPlace, out: inPlace)
                case "log": try? log(abs(inPlace), out: inPlace)
                case "sin": try? sin(inPlace * 1000, out: inPlace)
                case "cos": try? cos(inPlace, out: inPlace)
                default: try? sqrt(abs(inPlace), out: inPlace)
                }
                #expect(inPlace.scalars == contiguous, "\(name) n=\(count): in place")
            }
            let fa = a.astype(Float.self)
            let fe = exp(fa).scalars, fl = log(abs(fa)).scalars
            #expect(exp(fa[.step(-1)]).scalars == Array(fe.reversed()) && log(abs(fa)[.step(-1)]).scalars == Array(fl.reversed()))
            #expect(zip(fa.scalars, fe).allSatisfy { same(ExpKernel<Float>()($0), $1) })
            #expect(exp(fa[.step(3)]).scalars == stride(from: 0, to: count, by: 3).map { fe[$0] })
            let fs = sin(fa).scalars
            #expect(sin(fa[.step(-1)]).scalars == Array(fs.reversed()) && zip(fa.scalars, fs).allSatisfy { same(SinKernel<Float>()($0), $1) })
        }
    }

    @Test func broadcastAndTwoDimensionalViews() throws {
        let a = try NDArray(samples(35, -5, 5, seed: 9), shape: [5, 7])
        let t = a.T
        #expect(exp(t).scalars == exp(t.copy()).scalars)
        let out = NDArray<Double>.zeros([4, 7])
        try exp(a[1, .ellipsis], out: out)
        #expect(out[3, .ellipsis].scalars == exp(a[1, .ellipsis]).scalars)
    }
}
