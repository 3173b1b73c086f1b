import CelerArray
import ComplexModule
import Testing
import _CelerTestSupport

// `NDArray.description` is NumPy 2's `repr`. The first suite states NumPy's
// output literally (runs everywhere); the second asks NumPy itself for the
// repr of the same arrays (see NumPyReference.swift).

private let nan = Double.nan, inf = Double.infinity

private func complex(_ pairs: [(Double, Double)]) -> NDArray<Complex<Double>> {
    NDArray(pairs.map { Complex($0.0, $0.1) })
}

@Suite struct PrintingTests {
    @Test func complexNumbers() throws {
        // "j" before the imaginary part's padding; parts padded separately.
        #expect(complex([(1, 2.5), (1, 2)]).description == "array([1.+2.5j, 1.+2.j ])")
        #expect(complex([(nan, nan), (1, 0), (1, -0.0), (inf, -inf)]).description
                == "array([nan+nanj,  1. +0.j,  1. -0.j, inf-infj])")
        #expect(NDArray(scalar: Complex<Double>(1, 2)).description == "array(1.+2.j)")
        #expect(NDArray(scalar: Complex<Float>(1, 2)).description == "array(1.+2.j, dtype=complex64)")
        // Float32 parts: shortest digits of the Float, scientific imaginary part.
        #expect(NDArray([Complex<Float>(0.1, 0.2), Complex<Float>(0, 1e-5)]).description
                == "array([0.1+2.e-01j, 0. +1.e-05j], dtype=complex64)")
        let big = NDArray<Double>.arange(1001).astype(Complex<Double>.self) * Complex(0, 1)
        #expect(big.description == """
            array([0.   +0.j, 0.   +1.j, 0.   +2.j, ..., 0. +998.j, 0. +999.j,
                   0.+1000.j], shape=(1001,))
            """)
    }

    @Test func floats() throws {
        #expect(NDArray<Double>([0.30000000000000004, 1.0 / 3]).description == "array([0.3       , 0.33333333])")
        #expect(NDArray<Double>([1e100, 1e-5]).description == "array([1.e+100, 1.e-005])")
        #expect(NDArray<Double>([-0.0, 0.0]).description == "array([-0.,  0.])")
        #expect(NDArray<Double>([nan, -inf, inf]).description == "array([ nan, -inf,  inf])")
        #expect(NDArray<Double>([16777216.5, 0.3]).description == "array([1.67772165e+07, 3.00000000e-01])")
        #expect(NDArray<Double>([99999999.99, 12345678.123456789]).description == "array([99999999.99      , 12345678.12345679])")
        #expect(NDArray<Double>([5e-324, 1]).description == "array([5.e-324, 1.e+000])")
    }

    @Test func float32() throws {
        // Digits beyond the shortest ones are the exact value's: 0.3f is 0.300000011920929.
        #expect(NDArray<Float>([0.3, 1.2345678e-5]).description == "array([3.0000001e-01, 1.2345678e-05], dtype=float32)")
        // float32 switches to scientific at 1e6, and compares with 1e-4 as a float32.
        #expect(NDArray<Float>([1e6, 1.5]).description == "array([1.0e+06, 1.5e+00], dtype=float32)")
        #expect(NDArray<Float>([1e-4, 1]).description == "array([1.e-04, 1.e+00], dtype=float32)")
        #expect(NDArray<Float>([3.4e38, 1e-45]).description == "array([3.4e+38, 1.4e-45], dtype=float32)")
        #expect(NDArray<Float>([0.125, 1]).description == "array([0.125, 1.   ], dtype=float32)")
        #expect(NDArray<Float>(scalar: 0.1).description == "array(0.1, dtype=float32)")
    }

    @Test func integersBoolsAndEmpty() throws {
        #expect(NDArray<Bool>([true, true]).description == "array([ True,  True])")
        #expect(NDArray<Bool>(scalar: true).description == "array(True)")
        #expect(NDArray<UInt8>([1, 2, 255]).description == "array([  1,   2, 255], dtype=uint8)")
        #expect(NDArray<Double>.zeros([3, 0]).description == "array([], shape=(3, 0), dtype=float64)")
        #expect(NDArray<Double>.zeros([0]).description == "array([], dtype=float64)")
        #expect(NDArray<Int32>.zeros([2, 0, 3]).description == "array([], shape=(2, 0, 3), dtype=int32)")
        #expect(NDArray<Int64>.arange(8).reshaped(2, 2, 2).description == """
            array([[[0, 1],
                    [2, 3]],

                   [[4, 5],
                    [6, 7]]])
            """)
    }

    @Test func extrasWrapWhenTheyPassTheLineWidth() throws {
        // NumPy moves the extras to a new line when "array(...," + " " +
        // "dtype=float32)" would pass 75 columns: 61 + 1 + 14 = 76 does.
        #expect(NDArray<Float>.full([9], 1.25).description == """
            array([1.25, 1.25, 1.25, 1.25, 1.25, 1.25, 1.25, 1.25, 1.25],
                  dtype=float32)
            """)
        #expect(NDArray<Float>.full([8], 1.25).description
                == "array([1.25, 1.25, 1.25, 1.25, 1.25, 1.25, 1.25, 1.25], dtype=float32)")
    }
}

@Suite(.enabled(if: NumPyReference.isAvailable, "python3 with numpy is not available: NumPy repr comparisons skipped"))
struct PrintingMatchesNumPyTests {
    private func expectRepr<T: NDArrayElement>(_ check: NumPyCheck, _ a: NDArray<T>) {
        check.expectText("repr(a)", ["a": EncodedArray(a)], a.description)
    }

    /// Complex arrays go as Python source: EncodedArray reads `real` and
    /// `imaginary`, which are NaN for every non-finite Complex.
    private func expectRepr<R: NDArrayFloatingPoint>(_ check: NumPyCheck, _ a: NDArray<Complex<R>>) {
        let items = a.scalars.map { "complex(float('\($0.rawStorage.x)'), float('\($0.rawStorage.y)'))" }
        let shape = a.shape.map { "\($0)," }.joined()
        check.expectText("repr(np.array([\(items.joined(separator: ", "))], dtype=np.\(Complex<R>.dtypeName)).reshape((\(shape))))",
                         [:], a.description)
    }

    @Test func edgeCases() throws {
        let check = NumPyCheck()
        let c = [(1.0, 2.5), (1, 2), (nan, nan), (-0.0, -0.0), (inf, -inf), (-inf, nan), (1e-9, 1), (0, 1e9), (-1.5, 0.25)]
        for k in 1...c.count { expectRepr(check, complex(Array(c.prefix(k)))) }
        for k in 1...c.count { expectRepr(check, NDArray(c.prefix(k).map { Complex<Float>(Float($0.0), Float($0.1)) })) }
        expectRepr(check, NDArray(scalar: Complex<Double>(-0.0, nan)))
        expectRepr(check, NDArray(scalar: Complex<Float>(0.1, -3)))
        expectRepr(check, try complex((0..<12).map { (Double($0) / 7, -Double($0) * 1.5) }).reshaped([2, 3, 2]))
        expectRepr(check, NDArray<Double>.arange(2 * 600).reshaped(600, 2).astype(Complex<Double>.self) / Complex(3, 1))
        expectRepr(check, NDArray<Float>.arange(3000).astype(Complex<Float>.self) * Complex(0.5, -2))
        for values in [[nan], [inf], [-inf], [nan, -inf], [-0.0], [0.0, -0.0], [1e8, 1], [99999999.5, 1], [1e-4, 1], [9.9999e-5, 1],
                       [1000, 1], [1000.5, 1], [1e16, 1e17], [1e-300, 1e300], [123456.789, 0.001], [nan, 1e-9], [-inf, 0.5, 1e3]] {
            expectRepr(check, NDArray<Double>(values))
            expectRepr(check, NDArray<Float>(values.map { Float($0) }))
        }
        expectRepr(check, NDArray<Float>([0.1, 0.2, 0.3, 16777216, 1e-3]))
        expectRepr(check, NDArray<Float>([999999, 0.3, 1.0 / 3]))
        expectRepr(check, NDArray<Double>(scalar: -0.0))
        expectRepr(check, NDArray<Double>(scalar: nan))
        expectRepr(check, NDArray<Int64>([Int64.min, Int64.max]))
        expectRepr(check, NDArray<UInt8>([0, 7, 255]))
        expectRepr(check, NDArray<Int32>(scalar: -4))
        expectRepr(check, NDArray<Bool>([true, true, true]))
        expectRepr(check, NDArray<Bool>(scalar: false))
        for shape in [[0], [0, 3], [3, 0], [2, 0, 1]] {
            expectRepr(check, NDArray<Double>.zeros(shape))
            expectRepr(check, NDArray<Complex<Float>>.zeros(shape))
            expectRepr(check, NDArray<Bool>.zeros(shape))
        }
        expectRepr(check, NDArray<Double>.arange(60).reshaped(3, 4, 5) / 7)
        expectRepr(check, NDArray<Int64>.arange(2 * 3 * 4 * 2).reshaped(2, 3, 4, 2))
        expectRepr(check, NDArray<Double>.arange(11 * 11 * 11).reshaped(11, 11, 11))
        expectRepr(check, NDArray<Bool>.ones([1001]))
        // Views print in logical order.
        let grid = NDArray<Double>.arange(35 * 40).reshaped(35, 40) / 3
        expectRepr(check, grid.T)
        expectRepr(check, grid[.step(-2), .s(1, -1, 3)])
        try check.verify()
    }

    /// Random shapes, element types and value mixes (magnitudes across the
    /// scientific cut-offs, signed zeros, nan, inf), all in one NumPy run.
    @Test func randomArrays() throws {
        let check = NumPyCheck()
        var rng = TestRandom(2024)
        func value() -> Double {
            switch rng.int(0...11) {
            case 0: return rng.pick([nan, inf, -inf, -0.0, 0.0])
            case 1: return Double(rng.int(-1000...1000))
            case 2: return (rng.double() - 0.5) * Double.pow10(rng.int(-12...12))
            case 3: return Double(rng.int(-99...99)) / 8
            case 4: return Double(rng.int(-5000...5000)) / 512  // 9 decimals ending in 5: ties at 8
            case 5: return rng.double() * Double.pow10(rng.int(5...8))  // near the cut-offs
            default: return (rng.double() * 20 - 10).rounded(toPlaces: rng.int(0...10))
            }
        }
        for _ in 0..<160 {
            let rank = rng.int(0...3)
            var shape = (0..<rank).map { _ in rng.int(1...6) }
            if rng.int(0...15) == 0 && rank > 0 { shape[0] = rng.pick([0, 400, 1100]) }
            let n = shape.reduce(1, *)
            let palette = (0..<rng.int(1...4)).map { _ in value() }
            let values = (0..<n).map { _ in rng.int(0...3) == 0 ? rng.pick(palette) : value() }
            let doubles = try NDArray(values, shape: shape)
            switch rng.int(0...6) {
            case 0: expectRepr(check, doubles)
            case 1: expectRepr(check, doubles.astype(Float.self))
            case 2, 3:
                let im = (0..<n).map { _ in rng.int(0...3) == 0 ? rng.pick(palette) : value() }
                if rng.bool() {
                    expectRepr(check, try NDArray((0..<n).map { Complex(values[$0], im[$0]) }, shape: shape))
                } else {
                    expectRepr(check, try NDArray((0..<n).map { Complex(Float(values[$0]), Float(im[$0])) }, shape: shape))
                }
            case 4: expectRepr(check, doubles.astype(Int64.self))
            case 5: if rng.bool() { expectRepr(check, doubles.astype(UInt8.self)) } else { expectRepr(check, doubles.astype(Int32.self)) }
            default: expectRepr(check, doubles.astype(Bool.self))
            }
        }
        try check.verify()
    }
}

private extension Double {
    static func pow10(_ k: Int) -> Double { k >= 0 ? (0..<k).reduce(1) { r, _ in r * 10 } : 1 / pow10(-k) }
    func rounded(toPlaces k: Int) -> Double { let s = Double.pow10(k); return (self * s).rounded() / s }
}
