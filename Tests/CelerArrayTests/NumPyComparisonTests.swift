import CelerArray
import CelerCore
import ComplexModule
import Testing
import _CelerTestSupport

// Random shapes, strides, slices, negative steps and broadcasts, computed by
// Celer and by NumPy on the same inputs (_CelerTestSupport: NumPyReference.swift,
// RandomViews.swift).

@Suite(.enabled(if: NumPyReference.isAvailable, "python3 with numpy is not available: NumPy comparisons skipped"))
struct NumPyComparisonTests {
    @Test func slicesIntegersNewAxesAndEllipsis() throws {
        var rng = TestRandom(1)
        let check = NumPyCheck()
        for _ in 0..<150 {
            let ndim = rng.int(1...4)
            let a = rng.array(randomShape(&rng, ndim: ndim, maxDim: 7))
            var indices: [NDIndex] = []
            var axis = 0
            var usedEllipsis = false
            while axis < ndim && rng.int(0...4) != 0 {
                let n = a.shape[axis]
                switch rng.int(0...9) {
                case 0: indices.append(.index(rng.int(-n...(n - 1)))); axis += 1
                case 1: indices.append(.newAxis)
                case 2 where !usedEllipsis: indices.append(.ellipsis); usedEllipsis = true; axis = ndim
                default:
                    let start: Int? = rng.bool() ? nil : rng.int((-n - 2)...(n + 2))
                    let stop: Int? = rng.bool() ? nil : rng.int((-n - 2)...(n + 2))
                    indices.append(.s(start, stop, rng.pick([1, 1, 2, 3, -1, -2, -3])))
                    axis += 1
                }
            }
            let v = a[indices]
            check.expect("a[\(pythonText(indices))]", ["a": EncodedArray(a)], v)
            if v.ndim >= 2 { check.expect("a[\(pythonText(indices))].T", ["a": EncodedArray(a)], v.T) }
        }
        try check.verify()
    }

    @Test func writingThroughSlicesChangesTheBase() throws {
        var rng = TestRandom(2)
        let check = NumPyCheck()
        for _ in 0..<60 {
            let a = rng.array(randomShape(&rng, ndim: rng.int(1...3), maxDim: 8))
            let original = EncodedArray(a)
            let indices: [NDIndex] = (0..<a.ndim).map { axis in
                let n = a.shape[axis]
                return .s(rng.bool() ? nil : rng.int(-n...n), rng.bool() ? nil : rng.int(-n...n), rng.pick([1, 2, -1, -2, 3]))
            }
            let value = Double(rng.int(-5...5))
            a[indices] = NDArray(scalar: value)
            let slices = indices.map { "slice(\(pythonText($0).split(separator: ":", omittingEmptySubsequences: false).map { $0.isEmpty ? "None" : String($0) }.joined(separator: ", ")))" }
            check.expect("(lambda x: (x.__setitem__((\(slices.joined(separator: ", ")),), \(value)), x)[1])(a.copy())", ["a": original], a)
        }
        try check.verify()
    }

    @Test func broadcastingBinaryOperationsOnStridedViews() throws {
        var rng = TestRandom(3)
        let check = NumPyCheck()
        for trial in 0..<160 {
            let shape = randomShape(&rng, ndim: rng.int(0...4), maxDim: 5)
            var sa = broadcastableShape(&rng, to: shape), sb = broadcastableShape(&rng, to: shape)
            if trial % 2 == 0 { swap(&sa, &sb) }
            let (baseA, a, pa) = randomView(&rng, shape: sa, name: "a")
            let (baseB, b, pb) = randomView(&rng, shape: sb, name: "b")
            let inputs = ["a": EncodedArray(baseA), "b": EncodedArray(baseB)]
            switch trial % 10 {
            case 0: check.expect("\(pa) + \(pb)", inputs, a + b)
            case 1: check.expect("\(pa) - \(pb)", inputs, a - b)
            case 2: check.expect("\(pa) * \(pb)", inputs, a * b)
            case 3: check.expect("\(pa) / \(pb)", inputs, a / b)
            case 4: check.expect("np.minimum(\(pa), \(pb))", inputs, minimum(a, b))
            case 5: check.expect("np.maximum(\(pa), \(pb))", inputs, maximum(a, b))
            case 6: check.expect("\(pa) < \(pb)", inputs, a .< b)
            case 7: check.expect("\(pa) >= \(pb)", inputs, a .>= b)
            case 8: check.expect("\(pa) == \(pb)", inputs, a .== b)
            default:
                check.expect("np.where(\(pa) > 0, \(pa), \(pb))", inputs, `where`(a .> 0, a, b))
            }
            check.expect("2.5 * \(pa) - \(pb) / 4", inputs, 2.5 * a - b / 4)
        }
        try check.verify()
    }

    @Test func inPlaceAndOutFormsIncludingOverlap() throws {
        var rng = TestRandom(4)
        let check = NumPyCheck()
        for _ in 0..<40 {
            let shape = randomShape(&rng, ndim: rng.int(1...3), maxDim: 6)
            let (baseA, a, pa) = randomView(&rng, shape: shape, name: "a")
            let (baseB, b, pb) = randomView(&rng, shape: broadcastableShape(&rng, to: shape), name: "b")
            let inputs = ["a": EncodedArray(baseA), "b": EncodedArray(baseB)]
            a += b
            check.expect("(lambda x: (np.add(x, \(pb), out=x), a)[1])(\(pa))", inputs, baseA)
            let out = NDArray<Double>.zeros(shape)
            try multiply(a, b, out: out)
            check.expect("np.multiply(\(pa) + \(pb), \(pb))", inputs, out)
        }
        // Overlapping in-place updates read the old values, as NumPy does.
        for n in [5, 9, 17] {
            let x = rng.array([n])
            let inputs = ["x": EncodedArray(x)]
            let y = x.copy()
            y[.from(1)] += y[.to(-1)]
            check.expect("(lambda y: (y.__setitem__(slice(1, None), y[1:] + y[:-1]), y)[1])(x.copy())", inputs, y)
            let z = x.copy()
            z[.to(-1)] = z[.from(1)]
            check.expect("(lambda z: (z.__setitem__(slice(None, -1), z[1:]), z)[1])(x.copy())", inputs, z)
            let w = x.copy()
            try w.assign(w[.step(-1)])
            check.expect("x[::-1].copy()", inputs, w)
        }
        try check.verify()
    }

    @Test func reductions() throws {
        var rng = TestRandom(5)
        let check = NumPyCheck()
        for trial in 0..<60 {
            let shape = randomShape(&rng, ndim: rng.int(1...3), maxDim: 7)
            let (base, a, pa) = randomView(&rng, shape: shape, name: "a")
            let inputs = ["a": EncodedArray(base)]
            check.expect("\(pa).sum()", inputs, scalar: a.sum())
            check.expect("\(pa).prod()", inputs, scalar: a.prod(), tolerance: 1e-12)
            check.expect("\(pa).min()", inputs, scalar: a.min())
            check.expect("\(pa).max()", inputs, scalar: a.max())
            check.expect("\(pa).mean()", inputs, scalar: a.mean())
            check.expect("\(pa).std()", inputs, scalar: a.std(), tolerance: 1e-12)
            check.expect("\(pa).argmin()", inputs, scalar: Int64(a.argmin()))
            check.expect("\(pa).argmax()", inputs, scalar: Int64(a.argmax()))
            check.expect("np.count_nonzero(\(pa) > 0)", inputs, scalar: Int64((a .> 0).countNonzero()))
            check.expect("(\(pa) > 0).any()", inputs, scalar: (a .> 0).any())
            check.expect("(\(pa) > -9).all()", inputs, scalar: (a .> -9).all())
            let axis = rng.int(-a.ndim...(a.ndim - 1))
            let keep = trial % 3 == 0
            check.expect("\(pa).sum(axis=\(axis), keepdims=\(keep ? "True" : "False"))", inputs, a.sum(axis: axis, keepdims: keep))
            check.expect("\(pa).max(axis=\(axis))", inputs, a.max(axis: axis))
            check.expect("\(pa).min(axis=\(axis))", inputs, a.min(axis: axis))
            check.expect("\(pa).prod(axis=\(axis))", inputs, a.prod(axis: axis), tolerance: 1e-12)
            check.expect("\(pa).mean(axis=\(axis))", inputs, a.mean(axis: axis))
            check.expect("\(pa).std(axis=\(axis))", inputs, a.std(axis: axis), tolerance: 1e-12)
            check.expect("\(pa).argmax(axis=\(axis))", inputs, a.argmax(axis: axis))
            check.expect("\(pa).argmin(axis=\(axis))", inputs, a.argmin(axis: axis))
            check.expect("(\(pa) > 0).any(axis=\(axis))", inputs, (a .> 0).any(axis: axis))
            check.expect("(\(pa) > -5).all(axis=\(axis))", inputs, (a .> -5).all(axis: axis))
            for (d, idx) in (a .> 2).nonzero().enumerated() {
                check.expect("np.nonzero(\(pa) > 2)[\(d)]", inputs, idx)
            }
        }
        try check.verify()
    }

    @Test func contiguousSumsEqualNumPyBitForBit() throws {
        var rng = TestRandom(6)
        let check = NumPyCheck()
        for n in [1, 7, 8, 9, 127, 128, 129, 1000, 4097, 70_001] {
            let a = NDArray<Double>.randomUniform([n], seed: UInt64(n)) * 1000.0 - 333.3
            check.expect("a.sum()", ["a": EncodedArray(a)], scalar: a.sum())
            check.expect("a.mean()", ["a": EncodedArray(a)], scalar: a.mean())
            check.expect("a.std()", ["a": EncodedArray(a)], scalar: a.std())
        }
        let m = rng.array([33, 41])
        check.expect("m.sum(axis=1)", ["m": EncodedArray(m)], m.sum(axis: 1))
        // Non-contiguous layouts: NumPy walks memory order, pairwise per run.
        let big = NDArray<Double>.randomUniform([150, 130], seed: 99) * 1000.0 - 333.3
        let bigInput = ["b": EncodedArray(big)]
        check.expect("b.T.sum()", bigInput, scalar: big.T.sum())
        check.expect("b[::-1].sum()", bigInput, scalar: big[.step(-1)].sum())
        check.expect("b[:, ::-1].sum()", bigInput, scalar: big[.all, .step(-1)].sum())
        check.expect("b[:, ::2].sum()", bigInput, scalar: big[.all, .step(2)].sum())
        check.expect("b[1:-1, 3:].sum()", bigInput, scalar: big[.s(1, -1), .from(3)].sum())
        check.expect("b[::3].T.sum()", bigInput, scalar: big[.step(3)].T.sum())
        check.expect("b.reshape(10, 15, 130)[:, 2:9].sum()", bigInput, scalar: big.reshaped(10, 15, 130)[.all, .s(2, 9)].sum())
        check.expect("m.sum(axis=0)", ["m": EncodedArray(m)], m.sum(axis: 0))
        try check.verify()
    }

    @Test func unaryFunctions() throws {
        var rng = TestRandom(7)
        let check = NumPyCheck()
        for _ in 0..<30 {
            let shape = randomShape(&rng, ndim: rng.int(1...3), maxDim: 6)
            let (base, a, pa) = randomView(&rng, shape: shape, name: "a")
            let inputs = ["a": EncodedArray(base)]
            let positive = abs(a) + 0.5
            check.expect("np.abs(\(pa))", inputs, abs(a))
            check.expect("-\(pa)", inputs, -a)
            check.expect("np.sqrt(np.abs(\(pa)) + 0.5)", inputs, sqrt(positive), tolerance: 1e-15)
            check.expect("np.exp(\(pa) / 4)", inputs, exp(a / 4), tolerance: 1e-14)
            check.expect("np.log(np.abs(\(pa)) + 0.5)", inputs, log(positive), tolerance: 1e-14)
            check.expect("np.sin(\(pa))", inputs, sin(a), tolerance: 1e-14)
            check.expect("np.cos(\(pa))", inputs, cos(a), tolerance: 1e-14)
            check.expect("np.power(np.abs(\(pa)) + 0.5, \(pa) / 8)", inputs, power(positive, a / 8), tolerance: 1e-14)
            check.expect("np.clip(\(pa), -2.5, 3)", inputs, a.clipped(-2.5, 3))
            check.expect("np.logical_not(\(pa) > 0) | (\(pa) < -3)", inputs, .!(a .> 0) .| (a .< -3))
        }
        try check.verify()
    }

    @Test func elementTypes() throws {
        var rng = TestRandom(8)
        let check = NumPyCheck()
        for _ in 0..<20 {
            let shape = randomShape(&rng, ndim: rng.int(1...2), maxDim: 6)
            let (baseA, a, pa) = randomView(&rng, shape: shape, name: "a")
            let (baseB, b, pb) = randomView(&rng, shape: shape, name: "b")
            let inputs = ["a": EncodedArray(baseA), "b": EncodedArray(baseB)]
            let ia = (a * 8).astype(Int64.self), ib = (b * 8).astype(Int64.self)
            check.expect("(\(pa) * 8).astype(np.int64)", inputs, ia)
            check.expect("(\(pa) * 8).astype(np.int64) * (\(pb) * 8).astype(np.int64) - 7", inputs, ia * ib - 7)
            let nonzero = `where`(ib .== 0, NDArray(scalar: Int64(3)), ib)
            check.expect("(lambda x, y: x // np.where(y == 0, 3, y))((\(pa) * 8).astype(np.int64), (\(pb) * 8).astype(np.int64))", inputs, ia / nonzero)
            let i32 = (a * 8).astype(Int32.self)
            check.expect("(\(pa) * 8).astype(np.int32) + np.int32(5)", inputs, i32 + 5)
            let u8 = (a * 8).astype(UInt8.self)
            check.expect("(\(pa) * 8).astype(np.int64).astype(np.uint8) * np.uint8(3)", inputs, u8 * 3)
            let f32 = a.astype(Float.self), g32 = b.astype(Float.self)
            check.expect("\(pa).astype(np.float32) / \(pb).astype(np.float32)", inputs, f32 / g32)
            check.expect("np.sqrt(np.abs(\(pa).astype(np.float32)))", inputs, sqrt(abs(f32)), tolerance: 1e-7)
            check.expect("(\(pa) > 0).astype(np.float64)", inputs, (a .> 0).astype(Double.self))
            let za = a.astype(Complex<Double>.self), zb = b.astype(Complex<Double>.self)
            let z = za * zb + za
            check.expect("\(pa).astype(np.complex128) * \(pb).astype(np.complex128) + \(pa)", inputs, z)
            check.expect("np.exp(\(pa).astype(np.complex128) / 8)", inputs, exp(za / Complex(8)), tolerance: 1e-14)
            let q = za + zb * Complex(0, 1)
            check.expect("np.abs(\(pa) + 1j * \(pb))", inputs, abs(q), tolerance: 1e-15)
            check.expect("np.where(np.abs(\(pa) + 1j * \(pb)) > 6, 0j, \(pa) + 1j * \(pb))", inputs,
                         `where`(abs(q) .> 6, NDArray(scalar: Complex<Double>.zero), q))
        }
        try check.verify()
    }

    @Test func reshapeViewsAndCopiesLikeNumPy() throws {
        var rng = TestRandom(9)
        let check = NumPyCheck()
        for _ in 0..<60 {
            let shape = randomShape(&rng, ndim: rng.int(1...3), maxDim: 6)
            let (base, a, pa) = randomView(&rng, shape: shape, name: "a")
            let n = a.count
            let divisors = (1...n).filter { n % $0 == 0 }
            let d = rng.pick(divisors)
            let target = rng.bool() ? [d, n / d] : [n / d, 1, d]
            let r = try a.reshaped(target)
            let inputs = ["a": EncodedArray(base)]
            check.expect("\(pa).reshape(\(target))", inputs, r)
            check.expect("np.shares_memory(\(pa).reshape(\(target)), a)", inputs, scalar: r.sharesStorage(with: base))
            check.expect("\(pa).ravel()", inputs, a.ravel())
            check.expect("np.shares_memory(\(pa).ravel(), a)", inputs, scalar: a.ravel().sharesStorage(with: base))
        }
        try check.verify()
    }

    @Test func manipulationAndLinearAlgebra() throws {
        var rng = TestRandom(10)
        let check = NumPyCheck()
        for _ in 0..<25 {
            var shape = randomShape(&rng, ndim: 3, maxDim: 5)
            shape[0] = Swift.max(shape[0], 3)
            let (base, a, pa) = randomView(&rng, shape: shape, name: "a")
            let inputs = ["a": EncodedArray(base)]
            check.expect("np.transpose(\(pa), (1, 2, 0))", inputs, a.transposed([1, 2, 0]))
            check.expect("np.swapaxes(\(pa), 0, 2)", inputs, a.swapaxes(0, 2))
            check.expect("np.expand_dims(\(pa), 1)", inputs, a.expanded(axis: 1))
            check.expect("np.concatenate([\(pa), \(pa) * 2], axis=1)", inputs, try concatenate([a, a * 2], axis: 1))
            check.expect("np.stack([\(pa), \(pa) + 1], axis=-1)", inputs, try stack([a, a + 1], axis: -1))
            check.expect("np.roll(\(pa), 2, axis=1)", inputs, a.rolled(2, axis: 1))
            check.expect("np.roll(\(pa), -1, axis=0)", inputs, a.rolled(-1, axis: 0))
            check.expect("\(pa)[:, :1].squeeze(1)", inputs, a[.all, .to(1)].squeezed(axis: 1))
            check.expect("\(pa)[\(pa) > 0]", inputs, a[mask: a .> 0])
            check.expect("\(pa)[np.array([2, 0, -1, 0])]", inputs, a[indices: NDArray<Int64>([2, 0, -1, 0])])
        }
        for _ in 0..<25 {
            let m = rng.int(1...9), k = rng.int(1...9), n = rng.int(1...9)
            let (baseA, a, pa) = randomView(&rng, shape: [m, k], name: "a")
            let (baseB, b, pb) = randomView(&rng, shape: [k, n], name: "b")
            let (baseV, v, pv) = randomView(&rng, shape: [k], name: "v")
            let inputs = ["a": EncodedArray(baseA), "b": EncodedArray(baseB), "v": EncodedArray(baseV)]
            check.expect("\(pa) @ \(pb)", inputs, a.dot(b))
            check.expect("\(pa) @ \(pv)", inputs, a.dot(v))
            check.expect("\(pv) @ \(pb)", inputs, v.dot(b))
            check.expect("np.dot(\(pv), \(pv))", inputs, v.dot(v))
        }
        try check.verify()
    }

    @Test func creation() throws {
        let check = NumPyCheck()
        let none = [String: EncodedArray]()
        check.expect("np.arange(3, 17, 4)", none, NDArray<Int64>.arange(3, 17, step: 4))
        check.expect("np.arange(10, -3, -3)", none, NDArray<Int64>.arange(10, -3, step: -3))
        check.expect("np.linspace(0, 1, 7)", none, NDArray<Double>.linspace(0, 1, count: 7))
        check.expect("np.linspace(-2.5, 3, 11, endpoint=False)", none, NDArray<Double>.linspace(-2.5, 3, count: 11, endpoint: false))
        check.expect("np.identity(4)", none, NDArray<Double>.identity(4))
        check.expect("np.full((2, 3), 7, dtype=np.int32)", none, NDArray<Int32>.full([2, 3], 7))
        check.expect("np.ones((2, 2), dtype=bool)", none, NDArray<Bool>.ones([2, 2]))
        check.expect("np.zeros((3, 0))", none, NDArray<Double>.zeros([3, 0]))
        try check.verify()
    }

    @Test func errorsAgreeWithNumPy() throws {
        let check = NumPyCheck()
        let a = NDArray<Double>.zeros([3, 4]), b = NDArray<Double>.zeros([5])
        let inputs = ["a": EncodedArray(a), "b": EncodedArray(b)]
        #expect(throws: CelerError.self) { try a.adding(b) }
        check.expectError("a + b", inputs)
        #expect(throws: CelerError.self) { try a.reshaped([5, 3]) }
        check.expectError("a.reshape(5, 3)", inputs)
        #expect(throws: CelerError.self) { try a.view([3]) }
        check.expectError("a[3]", inputs)
        #expect(throws: CelerError.self) { try a.view([0, 0, 0]) }
        check.expectError("a[0, 0, 0]", inputs)
        #expect(throws: CelerError.self) { try a.matmul(a) }
        check.expectError("a @ a", inputs)
        try check.verify()
    }

    @Test func printingMatchesNumPyRepr() throws {
        let check = NumPyCheck()
        func text<T: NDArrayElement>(_ a: NDArray<T>, _ python: String) {
            check.expectText("repr(\(python))", ["a": EncodedArray(a)], a.description)
        }
        text(try NDArray<Double>([[1, 2], [3, 4]]), "a")
        text(NDArray<Double>([0.5, 0.25, -3]), "a")
        text(NDArray<Double>([1.0 / 3, 2, 1e-3]), "a")
        text(NDArray<Double>([1e-5, 1, 1e9]), "a")
        text(NDArray<Int64>.arange(12).reshaped(2, 3, 2), "a")
        text(NDArray<Int64>.arange(2000), "a")
        text(NDArray<Double>.arange(30), "a")
        text(NDArray<Double>.arange(1200).reshaped(40, 30), "a")
        text(NDArray<Bool>([true, false, true]), "a")
        text(NDArray<Int32>([1, -2, 30]), "a")
        text(NDArray<Float>([1.5, 2]), "a")
        text(NDArray<Double>(scalar: 2.5), "a")
        text(NDArray<Double>([Double.nan, 1, -Double.infinity]), "a")
        try check.verify()
    }
}
