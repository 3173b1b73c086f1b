@testable import CelerArray
import CelerParallel
import Testing
import _CelerTestSupport

// Full and axis reductions of views that are not row-major (transposed,
// reversed, stepped, broadcast), compared with NumPy bit for bit, on 1, 2 and
// 3 threads: min/max/argmin/argmax read memory in place, with ties and NaNs;
// products in NumPy's order; integer and Bool mean/var/std in float64;
// widening Int32/UInt8/Bool sums and products.

/// Doubles rounded to 1/8 in [-10, 10) (many ties), with NaNs when asked.
func tiedDoubles(_ rng: inout TestRandom, _ shape: [Int], nans: Int) -> NDArray<Double> {
    let a = rng.array(shape)
    for _ in 0..<nans where a.count > 0 {
        a.storage.pointer[rng.int(0...(a.count - 1))] = .nan
    }
    return a
}

@Suite(.enabled(if: NumPyReference.isAvailable, "python3 with numpy is not available: NumPy comparisons skipped"))
struct ReductionLayoutTests {
    static let threadCounts = [1, 2, 3]

    @Test func extremesOfViewsWithTiesAndNaNs() throws {
        var rng = TestRandom(41)
        let check = NumPyCheck()
        for trial in 0..<48 {
            let shape = randomShape(&rng, ndim: 1 + trial % 4, maxDim: 7)
            let spec = ViewRecipe(&rng, shape: shape)
            let base = tiedDoubles(&rng, spec.baseShape, nans: trial % 3 == 0 ? rng.int(1...2) : 0)
            let a = spec.view(of: base), pa = spec.python("a")
            let inputs = ["a": EncodedArray(base)]
            let ints = base.astype(Int32.self), pi = spec.python("i")
            let intInputs = ["i": EncodedArray(ints)]
            let iv = spec.view(of: ints)
            for threads in Self.threadCounts {
                Parallel.withThreadCount(threads) {
                    check.expect("\(pa).min()", inputs, scalar: a.min())
                    check.expect("\(pa).max()", inputs, scalar: a.max())
                    check.expect("\(pa).argmin()", inputs, scalar: Int64(a.argmin()))
                    check.expect("\(pa).argmax()", inputs, scalar: Int64(a.argmax()))
                    check.expect("\(pi).min()", intInputs, scalar: iv.min())
                    check.expect("\(pi).argmax()", intInputs, scalar: Int64(iv.argmax()))
                    check.expect("\(pi).argmin()", intInputs, scalar: Int64(iv.argmin()))
                }
            }
            let axis = rng.int(0...(a.ndim - 1))
            let along = Self.threadCounts.map { t in Parallel.withThreadCount(t) { (a.argmin(axis: axis), a.argmax(axis: axis)) } }
            #expect(along.allSatisfy { $0.0 == along[0].0 && $0.1 == along[0].1 })
            check.expect("\(pa).argmin(axis=\(axis))", inputs, along[0].0)
            check.expect("\(pa).argmax(axis=\(axis))", inputs, along[0].1)
        }
        try check.verify()
    }

    /// Every element type's SIMD kernel: lengths around the vector widths,
    /// contiguous, reversed and stepped (gathered), NaNs first, inside, last.
    @Test func extremesOfEveryElementTypeAroundVectorWidths() throws {
        var rng = TestRandom(47)
        let check = NumPyCheck()
        func add<T: NDArrayReal>(_ a: NDArray<T>, _ name: String) {
            let inputs = [name: EncodedArray(a)]
            for (suffix, v) in [("", a), ("[::-1]", a[.step(-1)]), ("[1::3]", a[.from(1, step: 3)])] where v.count > 0 {
                let results = try! NDArray([Double(v.min().ndComplexValue.re), Double(v.max().ndComplexValue.re),
                                            Double(v.argmin()), Double(v.argmax())], shape: [4])
                check.expect("(lambda v: np.array([v.min(), v.max(), v.argmin(), v.argmax()], dtype=float))(\(name)\(suffix))",
                             inputs, results)
            }
        }
        for n in [1, 2, 15, 16, 17, 31, 33, 127, 128, 129, 255, 1025, 3001] {
            let d = tiedDoubles(&rng, [n], nans: 0)
            add(d, "d")
            add((d * 1e17).astype(Int64.self), "i")
            add(d.astype(Int32.self), "j")
            add((d * 12.0 + 125.0).astype(UInt8.self), "u")
            add(d.astype(Float.self), "f")
            for k in Set([0, n / 2, n - 1]) {
                let withNaN = d.copy()
                withNaN.storage.pointer[k] = .nan
                add(withNaN, "d")
                add(withNaN.astype(Float.self), "f")
            }
        }
        try check.verify()
    }

    /// The in-place count and truth tests offered to `Nonzero.swift` for
    /// non-contiguous arrays (internal: `walkCountNonzero`, `walkContains`).
    @Test func inPlaceCountsAndTruthTests() throws {
        var rng = TestRandom(48)
        let check = NumPyCheck()
        for trial in 0..<24 {
            let shape = randomShape(&rng, ndim: 1 + trial % 4, maxDim: 7)
            let spec = ViewRecipe(&rng, shape: shape)
            let base = tiedDoubles(&rng, spec.baseShape, nans: trial % 4 == 0 ? 1 : 0)
            // Mostly zeros, so any/all both vary.
            let sparse = base.clipped(-9.5, 9.5) - base
            for (name, array) in [("a", base), ("z", sparse)] {
                let v = spec.view(of: array), p = spec.python(name)
                let inputs = [name: EncodedArray(array)]
                for t in Self.threadCounts {
                    Parallel.withThreadCount(t) {
                        check.expect("np.count_nonzero(\(p))", inputs, scalar: Int64(v.walkCountNonzero()))
                        check.expect("\(p).any()", inputs, scalar: v.walkContains(nonzero: true))
                        check.expect("\(p).all()", inputs, scalar: !v.walkContains(nonzero: false))
                    }
                }
            }
        }
        let big = NDArray<Double>.randomUniform([300, 250], seed: 8) .> 0.999
        let bigInt = big.astype(Int32.self)
        for t in Self.threadCounts {
            Parallel.withThreadCount(t) {
                check.expect("np.count_nonzero(m.T)", ["m": EncodedArray(bigInt)], scalar: Int64(bigInt.T.walkCountNonzero()))
                check.expect("m[::-1, ::2].any()", ["m": EncodedArray(bigInt)], scalar: bigInt[.step(-1), .step(2)].walkContains(nonzero: true))
            }
        }
        try check.verify()
    }

    /// Views of 68 000 elements: several units of work, on threads. NumPy
    /// builds the same arrays from a formula (no data to send): values
    /// `(k·7919 mod 160)/8 − 10` (many ties), with NaNs at two positions.
    @Test func largeViewsGiveTheSameAnswerOnAnyThreadCount() throws {
        let rows = 259, columns = 263, n = rows * columns
        let nanPositions = [200 * columns + 17, 250 * columns + 5]
        let values = (0..<n).map { Double($0 * 7919 % 160) / 8 - 10 }
        let base = try NDArray<Double>(values, shape: [rows, columns])
        let withNaN = base.copy()
        for k in nanPositions { withNaN.storage.pointer[k] = .nan }
        let formula = "(np.arange(\(n)) * 7919 % 160 / 8 - 10)"
        let python = ["a": "\(formula).reshape(\(rows), \(columns))",
                      "n": "np.where(np.isin(np.arange(\(n)), \(nanPositions)), np.nan, \(formula)).reshape(\(rows), \(columns))"]
        let check = NumPyCheck()
        let views: [(String, (NDArray<Double>) -> NDArray<Double>)] = [
            ("", { $0 }), (".T", { $0.T }), ("[::-1]", { $0[.step(-1)] }), ("[:, ::-1]", { $0[.all, .step(-1)] }),
            ("[::-1, ::-1].T", { $0[.step(-1), .step(-1)].T }), ("[1::2, ::3]", { $0[.from(1, step: 2), .step(3)] }),
            ("[:, 1:-1].T", { $0[.all, .s(1, -1)].T }),
            ("[7]", { try! $0[.index(7)].broadcast(to: [258, 263]) }), ("[7].T", { try! $0[.index(7)].broadcast(to: [258, 263]).T }),
        ]
        for (suffix, view) in views {
            for (name, array) in [("a", base), ("n", withNaN)] {
                let v = view(array)
                let results = Self.threadCounts.map { t in
                    Parallel.withThreadCount(t) { [v.min(), v.max(), Double(v.argmin()), Double(v.argmax())] }
                }
                #expect(results.allSatisfy { zip($0, results[0]).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) } },
                        "\(name)\(suffix): thread counts disagree: \(results)")
                var expr = "(\(python[name]!))\(suffix)"
                if suffix.hasPrefix("[7]") {
                    expr = "np.broadcast_to((\(python[name]!))[7], (258, 263))" + suffix.dropFirst(3)
                }
                check.expect("(lambda v: np.array([v.min(), v.max(), v.argmin(), v.argmax()]))(\(expr))", [:],
                             try NDArray(results[0], shape: [4]))
            }
        }
        // Along each axis of the big arrays, with NaNs: rows on threads.
        for (name, array) in [("a", base), ("n", withNaN)] {
            for axis in 0..<2 {
                let along = Self.threadCounts.map { t in
                    Parallel.withThreadCount(t) { (array.T.argmin(axis: axis), array.argmax(axis: axis)) }
                }
                #expect(along.allSatisfy { $0.0 == along[0].0 && $0.1 == along[0].1 }, "\(name) axis \(axis): thread counts disagree")
                check.expect("(\(python[name]!)).T.argmin(axis=\(axis))", [:], along[0].0)
                check.expect("(\(python[name]!)).argmax(axis=\(axis))", [:], along[0].1)
            }
        }
        try check.verify()
    }

    /// Products whose rounding depends on the order: NumPy's order is memory
    /// order with negative strides walked backwards.
    @Test func productsInNumPyOrder() throws {
        var rng = TestRandom(43)
        let check = NumPyCheck()
        for trial in 0..<32 {
            let shape = randomShape(&rng, ndim: 1 + trial % 4, maxDim: 9)
            let spec = ViewRecipe(&rng, shape: shape, allowBroadcast: trial % 2 == 0)
            let base = rng.array(spec.baseShape) / 64.0 + 1.0 + NDArray(scalar: Double(trial) * 1e-9)
            let a = spec.view(of: base), pa = spec.python("a")
            let inputs = ["a": EncodedArray(base)]
            check.expect("\(pa).prod()", inputs, scalar: a.prod())
            let ints = (rng.array(spec.baseShape) * 8.0).astype(Int64.self)
            check.expect("\(spec.python("i")).prod()", ["i": EncodedArray(ints)], scalar: spec.view(of: ints).prod())
        }
        let big = NDArray<Double>.randomUniform([200, 330], seed: 4) / 64.0 + 1.0
        for t in Self.threadCounts {
            Parallel.withThreadCount(t) {
                check.expect("b.T.prod()", ["b": EncodedArray(big)], scalar: big.T.prod())
                check.expect("b[::-1, 1::3].prod()", ["b": EncodedArray(big)], scalar: big[.step(-1), .from(1, step: 3)].prod())
            }
        }
        try check.verify()
    }

    /// Variance and standard deviation of Doubles and Floats, bit for bit:
    /// NumPy squares the deviations in the input's memory order.
    @Test func floatVarianceOfViewsBitForBit() throws {
        var rng = TestRandom(44)
        let check = NumPyCheck()
        for trial in 0..<32 {
            let shape = randomShape(&rng, ndim: 1 + trial % 4, maxDim: 8)
            let spec = ViewRecipe(&rng, shape: shape)
            let base = NDArray<Double>.randomUniform(spec.baseShape, seed: UInt64(trial)) * 100.0 - 31.0
            let a = spec.view(of: base), pa = spec.python("a")
            let inputs = ["a": EncodedArray(base)]
            let axis = rng.int(0...(a.ndim - 1))
            let ddof = rng.int(0...1)
            check.expect("\(pa).mean()", inputs, scalar: a.mean())
            check.expect("\(pa).var()", inputs, scalar: a.variance())
            check.expect("\(pa).std(ddof=\(ddof))", inputs, scalar: a.std(ddof: ddof))
            check.expect("\(pa).var(axis=\(axis), ddof=\(ddof))", inputs, a.variance(axis: axis, ddof: ddof))
            check.expect("\(pa).std(axis=\(axis), keepdims=True)", inputs, a.std(axis: axis, keepdims: true))
            let f = base.astype(Float.self), fv = spec.view(of: f), pf = spec.python("f")
            let finputs = ["f": EncodedArray(f)]
            check.expect("\(pf).mean()", finputs, scalar: fv.mean())
            check.expect("\(pf).var()", finputs, scalar: fv.variance())
            check.expect("\(pf).std(axis=\(axis))", finputs, fv.std(axis: axis))
        }
        let big = NDArray<Double>.randomUniform([257, 301], seed: 7) * 10.0
        for t in Self.threadCounts {
            Parallel.withThreadCount(t) {
                check.expect("b[::-1].T.std()", ["b": EncodedArray(big)], scalar: big[.step(-1)].T.std())
                check.expect("b[:, ::2].var(ddof=1)", ["b": EncodedArray(big)], scalar: big[.all, .step(2)].variance(ddof: 1))
            }
        }
        let tiny = NDArray<Double>([1.5, 2.5])
        check.expect("t.var(ddof=2)", ["t": EncodedArray(tiny)], scalar: tiny.variance(ddof: 2))
        check.expect("t.std(ddof=3)", ["t": EncodedArray(tiny)], scalar: tiny.std(ddof: 3))
        try check.verify()
    }

    /// Integer and Bool statistics are float64, as NumPy's. Large Int64
    /// values round when converted, so the order of the sums shows.
    @Test func integerAndBoolMeanVarianceStd() throws {
        var rng = TestRandom(45)
        let check = NumPyCheck()
        for trial in 0..<24 {
            let shape = randomShape(&rng, ndim: 1 + trial % 4, maxDim: 8)
            let spec = ViewRecipe(&rng, shape: shape)
            let n = spec.baseShape.reduce(1, *)
            let big = try NDArray<Int64>((0..<n).map { _ in Int64(bitPattern: rng.next()) >> 2 }, shape: spec.baseShape)
            let small = (rng.array(spec.baseShape) * 8.0).astype(Int32.self)
            let bytes = (rng.array(spec.baseShape) * 12.0 + 120.0).astype(UInt8.self)
            let flags = rng.array(spec.baseShape) .> 3.0
            let inputs = ["b": EncodedArray(big), "s": EncodedArray(small), "u": EncodedArray(bytes), "m": EncodedArray(flags)]
            let axis = rng.int(0...(shape.count - 1))
            let ddof = rng.int(0...1)
            for (name, mean, variance, std, meanAxis, stdAxis): (String, Double, Double, Double, NDArray<Double>, NDArray<Double>) in [
                ("b", spec.view(of: big).mean(), spec.view(of: big).variance(), spec.view(of: big).std(ddof: ddof),
                 spec.view(of: big).mean(axis: axis), spec.view(of: big).std(axis: axis, ddof: ddof)),
                ("s", spec.view(of: small).mean(), spec.view(of: small).variance(), spec.view(of: small).std(ddof: ddof),
                 spec.view(of: small).mean(axis: axis), spec.view(of: small).std(axis: axis, ddof: ddof)),
                ("u", spec.view(of: bytes).mean(), spec.view(of: bytes).variance(), spec.view(of: bytes).std(ddof: ddof),
                 spec.view(of: bytes).mean(axis: axis, keepdims: true), spec.view(of: bytes).std(axis: axis, ddof: ddof)),
                ("m", spec.view(of: flags).mean(), spec.view(of: flags).variance(), spec.view(of: flags).std(ddof: ddof),
                 spec.view(of: flags).mean(axis: axis), spec.view(of: flags).std(axis: axis, ddof: ddof)),
            ] {
                let p = spec.python(name)
                check.expect("\(p).mean()", inputs, scalar: mean)
                check.expect("\(p).var()", inputs, scalar: variance)
                check.expect("\(p).std(ddof=\(ddof))", inputs, scalar: std)
                let keep = name == "u" ? ", keepdims=True" : ""
                check.expect("\(p).mean(axis=\(axis)\(keep))", inputs, meanAxis)
                check.expect("\(p).std(axis=\(axis), ddof=\(ddof))", inputs, stdAxis)
            }
        }
        // Long runs: NumPy converts in buffers of 8192 elements. One case per
        // array (the data go to Python once); every thread count must agree.
        for n in [8191, 8193, 20_011] {
            let big = try NDArray<Int64>((0..<n).map { _ in Int64(bitPattern: rng.next()) >> 1 }, shape: [n])
            let results = Self.threadCounts.map { t in
                Parallel.withThreadCount(t) {
                    [big.mean(), big[.step(-1)].mean(), big[.step(3)].std(), big.sum(as: Double.self)]
                }
            }
            #expect(results.allSatisfy { $0 == results[0] }, "n = \(n): thread counts disagree")
            check.expect("np.array([b.mean(), b[::-1].mean(), b[::3].std(), b.sum(dtype=np.float64)])",
                         ["b": EncodedArray(big)], try NDArray(results[0], shape: [4]))
        }
        let square = try NDArray<Int64>((0..<(150 * 131)).map { _ in Int64(bitPattern: rng.next()) >> 3 }, shape: [150, 131])
        let squareResults = Self.threadCounts.map { t in
            Parallel.withThreadCount(t) {
                [square.T.mean(), square[.all, .step(2)].mean(), square[.step(-1), .from(1)].variance()]
            }
        }
        #expect(squareResults.allSatisfy { $0 == squareResults[0] }, "thread counts disagree")
        check.expect("np.array([q.T.mean(), q[:, ::2].mean(), q[::-1, 1:].var()])", ["q": EncodedArray(square)],
                     try NDArray(squareResults[0], shape: [3]))
        let f = NDArray<Float>.randomUniform([77, 9], seed: 3).astype(Float.self)
        check.expect("f.T.sum(dtype=np.float64)", ["f": EncodedArray(f)], scalar: f.T.sum(as: Double.self))
        try check.verify()
    }

    /// Int32, UInt8 and Bool sums and products are Int64 (NumPy: int64, and
    /// uint64 for unsigned with the same values here), so they do not wrap.
    @Test func wideningSumsAndProducts() throws {
        var rng = TestRandom(46)
        let check = NumPyCheck()
        let large = NDArray<Int32>((0..<1001).map { i in Int32.max - Int32(i * 7919 % 1000) })
        let s: Int64 = large.sum()
        #expect(s > Int64(Int32.max))
        #expect(type(of: large.sum()) == Int64.self)
        #expect(type(of: NDArray<UInt8>([255, 255]).sum()) == UInt64.self && NDArray<UInt8>([255, 255]).sum() == 510)
        let narrow: Int32 = large.sum()   // asked for: the element type's wrapping sum
        #expect(narrow == Int32(truncatingIfNeeded: s))
        #expect(large.sum(as: Int32.self) == narrow)
        let inputs = ["l": EncodedArray(large)]
        for t in Self.threadCounts {
            Parallel.withThreadCount(t) {
                check.expect("l.sum()", inputs, scalar: large.sum())
                check.expect("l[::-3].sum()", inputs, scalar: large[.step(-3)].sum())
                check.expect("l[:40].prod()", inputs, scalar: large[.to(40)].prod())
                check.expect("l.reshape(7, 11, 13).sum(axis=1)", inputs, large.reshaped(7, 11, 13).sum(axis: 1))
                check.expect("l.reshape(7, 143).T.prod(axis=0)", inputs, large.reshaped(7, 143).T.prod(axis: 0))
            }
        }
        for trial in 0..<30 {
            let shape = randomShape(&rng, ndim: 1 + trial % 4, maxDim: 9)
            let spec = ViewRecipe(&rng, shape: shape)
            let bytes = (rng.array(spec.baseShape) * 12.0 + 125.0).astype(UInt8.self)
            let flags = rng.array(spec.baseShape) .> -5.0
            let ints = (rng.array(spec.baseShape) * 2e8).astype(Int32.self)
            let inputs = ["u": EncodedArray(bytes), "m": EncodedArray(flags), "i": EncodedArray(ints)]
            let axis = rng.int(0...(shape.count - 1))
            let (u, m, i) = (spec.view(of: bytes), spec.view(of: flags), spec.view(of: ints))
            let (pu, pm, pi) = (spec.python("u"), spec.python("m"), spec.python("i"))
            check.expectText("str(\(pu).sum())", inputs, String(u.sum()))
            check.expectText("str(\(pu).prod())", inputs, String(u.prod()))
            check.expect("\(pu).sum(axis=\(axis))", inputs, u.sum(axis: axis))
            check.expect("\(pm).sum()", inputs, scalar: m.sum())
            check.expect("\(pm).prod()", inputs, scalar: m.prod())
            check.expect("\(pm).sum(axis=\(axis))", inputs, m.sum(axis: axis))
            check.expect("\(pm).prod(axis=\(axis))", inputs, m.prod(axis: axis))
            check.expect("\(pi).sum()", inputs, scalar: i.sum())
            check.expect("\(pi).prod()", inputs, scalar: i.prod())
            check.expect("\(pi).sum(axis=\(axis))", inputs, i.sum(axis: axis))
            check.expect("\(pi).prod(axis=\(axis))", inputs, i.prod(axis: axis))
        }
        // A big Int32 view on threads: widened, exact whatever the split.
        let many = (NDArray<Double>.randomUniform([400, 300], seed: 5) * 4e9 - 2e9).astype(Int32.self)
        let manyResults = Self.threadCounts.map { t in
            Parallel.withThreadCount(t) { [many.T.sum(), many[.step(-1), .step(2)].sum(), many[.step(-3)].prod()] }
        }
        #expect(manyResults.allSatisfy { $0 == manyResults[0] }, "thread counts disagree")
        check.expect("np.array([w.T.sum(), w[::-1, ::2].sum(), w[::-3].prod()])", ["w": EncodedArray(many)],
                     try NDArray(manyResults[0], shape: [3]))
        try check.verify()
    }
}

/// Empty and 0-d arrays, and element types (no NumPy needed).
struct ReductionEdgeCaseTests {
    @Test func zeroDimensionalAndEmptyArrays() {
        let scalar = NDArray<Double>(scalar: -2.5)
        #expect(scalar.min() == -2.5 && scalar.max() == -2.5 && scalar.argmin() == 0 && scalar.argmax() == 0)
        #expect(scalar.prod() == -2.5 && scalar.variance() == 0 && scalar.sum(as: Float.self) == -2.5)
        let empty = NDArray<Double>.zeros([3, 0])
        #expect(empty.prod() == 1 && empty.sum() == 0 && empty.mean().isNaN && empty.variance().isNaN)
        let emptyInts = NDArray<Int32>.zeros([0, 4])
        #expect(emptyInts.sum() == 0 && emptyInts.prod() == 1 && emptyInts.mean().isNaN)
        #expect(NDArray<UInt8>.zeros([0]).prod() == 1 && NDArray<Bool>.zeros([2, 0]).sum() == 0)
        // ddof at or beyond the count divides by zero, as NumPy (inf or nan).
        #expect(NDArray<Double>([1, 3]).variance(ddof: 2) == .infinity && NDArray<Int64>([2, 2]).std(ddof: 5).isNaN)
    }

    @Test func resultTypesFollowNumPy() {
        let i = NDArray<Int32>([Int32.max, Int32.max, 1])
        let s = i.sum()
        #expect(s == 2 * Int64(Int32.max) + 1)
        let b = NDArray<UInt8>([200, 100])
        let t = b.sum(), p = b.prod()
        #expect(t == UInt64(300) && p == UInt64(20_000))
        let m = NDArray<Bool>([true, false, true, true])
        let (bs, bm, bp) = (m.sum(), m.mean(), m.prod())
        #expect(bs == Int64(3) && bm == 0.75 && bp == Int64(0))
        let f = NDArray<Float>([1, 2, 3, 4])
        let fv: Float = f.variance()
        #expect(fv == 1.25 && f.std(ddof: 1) == Float(1.6666666).squareRoot())
    }
}
