import CelerArray
import ComplexModule
import Testing
import _CelerTestSupport

// Every layout the driver distinguishes (contiguous, reversed, strided,
// trimmed, transposed, broadcast, and sizes that take the parallel and tiled
// paths) against a reference computed element by element with subscripts.

@Suite struct SweepTests {
    static let shapes: [[Int]] = [[1], [7], [64], [3, 5], [13, 1], [1, 9], [2, 3, 4], [5, 1, 3], [2, 17, 33]]

    @Test(arguments: shapes)
    func binaryOperationsOverAllLayouts(shape: [Int]) {
        var rng = TestRandom(UInt64(shape.reduce(7, *)))
        for _ in 0..<12 {
            let (_, a, _) = randomView(&rng, shape: shape, name: "a")
            let (_, b, _) = randomView(&rng, shape: broadcastableShape(&rng, to: shape), name: "b")
            let sum = a + b, quotient = b / a, less = a .< b
            let expectedShape = shape
            #expect(sum.shape == expectedShape)
            for i in allIndices(shape) {
                let x = broadcastElement(a, i), y = broadcastElement(b, i)
                #expect(sum[element: i] == x + y)
                #expect(quotient[element: i].bitPattern == (y / x).bitPattern)
                #expect(less[element: i] == (x < y))
            }
        }
    }

    @Test(arguments: [[300, 257], [257, 300], [70_001], [3, 150, 160], [2, 200, 170]])
    func parallelAndTiledPathsMatchTheReference(shape: [Int]) {
        var rng = TestRandom(UInt64(shape.count * 1000 + shape[0]))
        let (_, a, _) = randomView(&rng, shape: shape, name: "a")
        let b = rng.array(shape)
        let transposedB = b.ndim >= 2 ? b.transposed(Array((0..<b.ndim).reversed())).copy().transposed(Array((0..<b.ndim).reversed())) : b
        let out = NDArray<Double>.zeros(shape)
        try! add(a, transposedB, out: out)
        let ca = a.ascontiguous(), cb = b.ascontiguous()
        let expected = zip(ca.scalars, cb.scalars).map { $0 + $1 }
        #expect(out.scalars == expected)
        #expect(a.copy().scalars == ca.scalars)
        #expect(a.sum() == ca.scalars.reduce(0, +))           // a strided view: runs summed on threads
        let t = out.transposed(Array((0..<out.ndim).reversed()))
        #expect(t.copy().scalars == t.scalars)
        // Reductions of the same data, exact since the values lie on a 1/8 grid.
        #expect(out.sum() == expected.reduce(0, +))
        #expect(out.max() == expected.max()! && out.min() == expected.min()!)
        #expect(out.argmax() == expected.firstIndex(of: expected.max()!)!)
        if shape.count >= 2 {
            let s1 = out.sum(axis: 1)
            #expect(s1.count == shape[0] * shape.dropFirst(2).reduce(1, *))
            #expect(s1.sum() == out.sum())
        }
    }

    @Test func inPlaceOperationsOnTransposedViews() {
        var rng = TestRandom(11)
        let base = rng.array([40, 50])
        let expected = base.scalars
        let view = base.T          // writes go through the transposed view
        view += 1
        view *= NDArray(scalar: 2.0)
        #expect(base.scalars == expected.map { ($0 + 1) * 2 })
        let sq = base[.s(0, 40), .s(0, 40)]
        try! sq.assign(sq.T.copy())     // a transposed copy written back
        #expect(sq[element: 3, 5] == (expected[5 * 50 + 3] + 1) * 2)
    }

    @Test func integerAndBoolAndComplexElements() throws {
        let a = NDArray<Int64>([7, -7, 7, -7, Int64.max])
        let b = NDArray<Int64>([2, 2, -2, -2, 1])
        #expect((a / b).scalars == [3, -4, -4, 3, Int64.max])      // floor division
        #expect((a + b).scalars.last == Int64.min)                   // wraps like NumPy
        #expect((a / NDArray(scalar: Int64(0))).scalars == [0, 0, 0, 0, 0])
        let u = NDArray<UInt8>([250, 3])
        #expect((u + 10).scalars == [4, 13])
        #expect(abs(NDArray<Int32>([-3, Int32.min])).scalars == [3, Int32.min])
        let mask = NDArray<Bool>([true, false, true])
        #expect((mask .& .!mask).any() == false && (mask .| .!mask).all())
        #expect((mask .^ NDArray<Bool>([true, true, false])).scalars == [false, true, true])
        let z = NDArray<Complex<Double>>([Complex(1, 2), Complex(0, -1)])
        #expect((z * z).scalars == [Complex(-3, 4), Complex(-1, 0)])
        #expect(z.sum() == Complex(1, 1))
        #expect(NDArray<Double>([.nan, 2.9, -2.9, 1e30]).astype(Int64.self).scalars == [Int64.min, 2, -2, Int64.min])
        #expect(NDArray<Double>([0.5, 0]).astype(Bool.self).scalars == [true, false])
        #expect(NDArray<Double>([1, .nan, 3]).max().isNaN && NDArray<Double>([1, .nan, 3]).argmin() == 1)
        #expect(NDArray<Double>([4, 9]).dot(NDArray<Double>([2, 3])).item == 35)
        #expect(NDArray<Float>([1.5]).astype(Complex<Float>.self).item == Complex<Float>(1.5, 0))
    }

    @Test func matmulAgainstLoops() throws {
        var rng = TestRandom(12)
        for (m, k, n) in [(1, 1, 1), (3, 7, 5), (17, 130, 9), (70, 33, 600)] {
            let a = rng.array([m, k]), b = rng.array([k, n])
            let c = try matmul(a, b)
            for i in Swift.stride(from: 0, to: m, by: Swift.max(1, m / 5)) {
                for j in Swift.stride(from: 0, to: n, by: Swift.max(1, n / 5)) {
                    var s = 0.0
                    for p in 0..<k { s = s + a[element: i, p] * b[element: p, j] }
                    #expect(c[element: i, j] == s)
                }
            }
        }
    }

    @Test func gatherAndScatter() {
        let a = NDArray<Int64>.arange(10)
        a[mask: a .> 6] = NDArray(scalar: 0)
        #expect(a.scalars == [0, 1, 2, 3, 4, 5, 6, 0, 0, 0])
        a[indices: NDArray<Int64>([0, -1])] = NDArray([50, 90])
        #expect(a.scalars == [50, 1, 2, 3, 4, 5, 6, 0, 0, 90])
        let m = NDArray<Int64>.arange(6).reshaped(3, 2)
        #expect(m[indices: NDArray<Int64>([2, 2])].scalars == [4, 5, 4, 5])
        #expect(m[mask: m .>= 3].scalars == [3, 4, 5])
    }
}

/// A user-defined fused kernel, as docs/arrays.md shows: a·x + y in one pass.
struct AXPY: BinaryKernel {
    let a: Double
    func callAsFunction(_ x: Double, _ y: Double) -> Double { a * x + y }
}

@Suite struct ExtensionTests {
    @Test func userKernelsGetBroadcastingTilingAndThreads() throws {
        var rng = TestRandom(31)
        let x = rng.array([300, 250]), y = rng.array([250, 300])
        let expected = zip(x.scalars, y.T.copy().scalars).map { 2 * $0 + $1 }
        let yT = y.T                      // a transposed output: the driver orders loops by it
        try apply(AXPY(a: 2), x, yT, out: yT)
        #expect(yT.copy().scalars == expected)
        let row = NDArray<Double>([1, 2, 3])
        #expect(try map(AXPY(a: 10), row, NDArray<Double>([100, 200])[.all, .newAxis]).scalars == [110, 120, 130, 210, 220, 230])
    }
}
