import CelerArray
import CelerCore
import CelerParallel
import Testing
import _CelerTestSupport

// Boolean masks over leading dimensions and integer arrays along any axis
// (AdvancedIndexing.swift): against NumPy on random strided views, then
// errors, the axis-0 spellings, overlap and the parallel gather without NumPy.

/// Random Int64 indices for an axis of `size`, in `[-size, size)`, with a
/// random shape of rank 0 to 2, sometimes empty (repeats likely).
func randomIndices(_ rng: inout TestRandom, size: Int) -> NDArray<Int64> {
    let shape: [Int]
    switch rng.int(0...6) {
    case 0: shape = []
    case 1: shape = [rng.int(2...3), rng.int(1...3)]
    case 2: shape = [0]
    default: shape = [rng.int(1...7)]
    }
    let values = (0..<shape.reduce(1, *)).map { _ in Int64(rng.int(-size...(size - 1))) }
    return try! NDArray(values, shape: shape)
}

/// A mask of `shape`, either plain random booleans (`m`) or a comparison on a
/// random strided view (`b > 0`, not contiguous in general), with its Python
/// spelling and inputs.
func randomMask(_ rng: inout TestRandom, shape: [Int]) -> (mask: NDArray<Bool>, python: String, inputs: [String: EncodedArray]) {
    if rng.bool() {
        let density = rng.pick([0.0, 0.3, 0.7, 1.0])
        let values = (0..<shape.reduce(1, *)).map { _ in rng.double() < density }
        let m = try! NDArray(values, shape: shape)
        return (m, "m", ["m": EncodedArray(m)])
    }
    let (base, view, python) = randomView(&rng, shape: shape, name: "b")
    return (view .> 0, "(\(python) > 0)", ["b": EncodedArray(base)])
}

/// Python's key selecting `i` along `axis`: `(slice(None),)*axis + (i,)`.
func alongAxis(_ axis: Int, _ index: String) -> String {
    "(slice(None),)*\(axis) + (\(index),)"
}

/// Values for an assignment into `target`: a scalar, a trailing block
/// broadcast to every entry (`trailing` axes of `target`), or a whole array
/// of a shape that broadcasts to `target`. Returns the Python spelling too.
func randomValues(_ rng: inout TestRandom, target: [Int], trailing: Int) -> (values: NDArray<Double>, python: String, inputs: [String: EncodedArray]) {
    switch rng.int(0...2) {
    case 0:
        let x = Double(rng.int(-40...40)) / 4
        return (NDArray(scalar: x), "\(x)", [:])
    case 1:
        let v = rng.array(Array(target.suffix(trailing)))
        return (v, "v", ["v": EncodedArray(v)])
    default:
        let v = rng.array(target.map { rng.int(0...3) == 0 ? 1 : $0 })
        return (v, "v", ["v": EncodedArray(v)])
    }
}

@Suite(.enabled(if: NumPyReference.isAvailable, "python3 with numpy is not available: NumPy comparisons skipped"))
struct AdvancedIndexingTestsAgainstNumPy {
    @Test func takingAlongEveryAxisOfStridedViews() throws {
        var rng = TestRandom(31)
        let check = NumPyCheck()
        for _ in 0..<120 {
            let shape = randomShape(&rng, ndim: rng.int(1...3), maxDim: 7)
            let (base, a, pa) = randomView(&rng, shape: shape, name: "a")
            let axis = rng.int(0...(shape.count - 1))
            let i = randomIndices(&rng, size: shape[axis])
            let inputs = ["a": EncodedArray(base), "i": EncodedArray(i)]
            // NumPy's np.take, a negative axis, and the subscript spelling.
            check.expect("np.take(\(pa), i, axis=\(axis))", inputs, try a.taking(i, axis: axis))
            check.expect("np.take(\(pa), i, axis=\(axis - shape.count))", inputs, a[indices: i, axis: axis - shape.count])
            check.expect("\(pa)[\(alongAxis(axis, "i"))]", inputs, a[indices: i, axis: axis])
            if axis == 0 { check.expect("\(pa)[i]", inputs, a[indices: i]) }
        }
        try check.verify()
    }

    @Test func puttingAlongEveryAxisWithBroadcastValues() throws {
        var rng = TestRandom(32)
        let check = NumPyCheck()
        for _ in 0..<120 {
            let shape = randomShape(&rng, ndim: rng.int(1...3), maxDim: 6)
            let (base, a, px) = randomView(&rng, shape: shape, name: "x")
            let original = EncodedArray(base)
            let axis = rng.int(0...(shape.count - 1))
            let i = randomIndices(&rng, size: shape[axis])
            let target = Array(shape[..<axis]) + i.shape + Array(shape[(axis + 1)...])
            let (v, pv, vInputs) = randomValues(&rng, target: target, trailing: shape.count - axis - 1)
            if rng.bool() { try a.put(i, v, axis: axis) } else { a[indices: i, axis: axis] = v }
            let inputs = vInputs.merging(["a": original, "i": EncodedArray(i)]) { x, _ in x }
            check.expect("(lambda x: (\(px).__setitem__(\(alongAxis(axis, "i")), \(pv)), x)[1])(a.copy())", inputs, base)
        }
        try check.verify()
    }

    @Test func masksOverLeadingDimensions() throws {
        var rng = TestRandom(33)
        let check = NumPyCheck()
        for _ in 0..<120 {
            let shape = randomShape(&rng, ndim: rng.int(1...3), maxDim: 6)
            let (base, a, pa) = randomView(&rng, shape: shape, name: "a")
            let k = rng.int(0...shape.count)   // 0: a 0-d mask adds an axis
            let (mask, pm, mInputs) = randomMask(&rng, shape: Array(shape[..<k]))
            let inputs = mInputs.merging(["a": EncodedArray(base)]) { x, _ in x }
            check.expect("\(pa)[\(pm)]", inputs, a[mask: mask])
            check.expect("\(pa)[\(pm)]", inputs, try a.selecting(mask))
        }
        // NumPy's row selection idiom, a[a[:, 0] > 0].
        for _ in 0..<20 {
            let (base, a, pa) = randomView(&rng, shape: randomShape(&rng, ndim: 2, maxDim: 9), name: "a")
            check.expect("\(pa)[\(pa)[:, 0] > 0]", ["a": EncodedArray(base)], a[mask: a[.all, 0] .> 0])
        }
        try check.verify()
    }

    @Test func maskAssignmentWithScalarRowAndPerEntryValues() throws {
        var rng = TestRandom(34)
        let check = NumPyCheck()
        for _ in 0..<120 {
            let shape = randomShape(&rng, ndim: rng.int(1...3), maxDim: 6)
            let (base, a, px) = randomView(&rng, shape: shape, name: "x")
            let original = EncodedArray(base)
            let k = rng.int(0...shape.count)   // 0: a 0-d mask adds an axis
            let (mask, pm, mInputs) = randomMask(&rng, shape: Array(shape[..<k]))
            let target = [mask.countNonzero()] + Array(shape[k...])
            let (v, pv, vInputs) = randomValues(&rng, target: target, trailing: shape.count - k)
            if rng.bool() { try a.setSelected(mask, v) } else { a[mask: mask] = v }
            let inputs = mInputs.merging(vInputs) { x, _ in x }.merging(["a": original]) { x, _ in x }
            check.expect("(lambda x: (\(px).__setitem__(\(pm), \(pv)), x)[1])(a.copy())", inputs, base)
        }
        try check.verify()
    }
}

@Suite struct AdvancedIndexingTests {
    @Test func axisZeroSpellingsKeepWorking() throws {
        let m = NDArray<Int64>.arange(12).reshaped(4, 3)
        let rows = NDArray<Int64>([3, -4, 3])
        #expect(m[indices: rows].shape == [3, 3])
        #expect(m[indices: rows].scalars == [9, 10, 11, 0, 1, 2, 9, 10, 11])
        #expect(try m.taking(rows) == m[indices: rows, axis: 0])
        #expect(!m[indices: rows].sharesStorage(with: m))
        let v = NDArray<Int64>.arange(7)
        #expect(v[indices: NDArray<Int64>([6, 0, -1, 2])].scalars == [6, 0, 6, 2])
        #expect(v[indices: NDArray(scalar: -2)].shape == [] && v[indices: NDArray(scalar: -2)].item == 5)
        v[indices: NDArray<Int64>([0, -1])] = NDArray([50, 90])
        try v.put(NDArray<Int64>([1, 1]), NDArray([7, 8]))
        #expect(v.scalars == [50, 8, 2, 3, 4, 5, 90])
        m[indices: NDArray<Int64>([1])] = NDArray([-1, -2, -3])
        #expect(m[1].scalars == [-1, -2, -3])
        // Full-shape masks: a 1-D result, assignment from a scalar or one value each.
        let f = NDArray<Double>.arange(10).reshaped(2, 5)
        #expect(f[mask: f .> 6].shape == [3] && f[mask: f .> 6].scalars == [7, 8, 9])
        #expect(try f.selecting(f .< 0).shape == [0])
        f[mask: f .> 6] = NDArray(scalar: 0)
        try f.setSelected(f .== 1, NDArray([-1]))
        f[mask: f .>= 4] = NDArray([40, 50, 60])
        #expect(f.scalars == [0, -1, 2, 3, 40, 50, 60, 0, 0, 0])
    }

    @Test func takingAlongOtherAxes() throws {
        let a = NDArray<Int64>.arange(24).reshaped(2, 3, 4)
        let i = NDArray<Int64>([-1, 0, 2])
        let t1 = a[indices: i, axis: 1]
        #expect(t1.shape == [2, 3, 4])
        #expect(t1.scalars == [8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11, 20, 21, 22, 23, 12, 13, 14, 15, 20, 21, 22, 23])
        let t2 = try a.taking(try NDArray<Int64>([3, 0, 1, 1], shape: [2, 2]), axis: -1)
        #expect(t2.shape == [2, 3, 2, 2])
        #expect(t2[1, 2].scalars == [23, 20, 21, 21])
        // A transposed source: blocks that are not contiguous.
        let t = a.transposed([2, 0, 1])    // shape (4, 2, 3)
        #expect(t[indices: NDArray<Int64>([1]), axis: 0].scalars == [1, 5, 9, 13, 17, 21])
        #expect(t[indices: NDArray<Int64>([2, 0]), axis: 2][.all, 1].scalars == [20, 12, 21, 13, 22, 14, 23, 15])
        // Along an axis of an empty array, and empty indices.
        #expect(try NDArray<Double>.zeros([0, 3]).taking(NDArray<Int64>([2, 1]), axis: 1).shape == [0, 2])
        #expect(try a.taking(NDArray<Int64>([Int64]()), axis: 2).shape == [2, 3, 0])
    }

    @Test func puttingAlongOtherAxesLastWriteWins() throws {
        let a = NDArray<Double>.zeros([3, 4])
        a[indices: NDArray<Int64>([1, -1, 1]), axis: 1] = NDArray([1, 2, 3])   // one row, every row
        #expect(a[0].scalars == [0, 3, 0, 2] && a[2].scalars == [0, 3, 0, 2])
        try a.put(NDArray<Int64>([0]), try NDArray<Double>([[7], [8], [9]]), axis: 1)
        #expect(a[.all, 0].scalars == [7, 8, 9])
        // Through a stepped view: writes land in the base.
        let base = NDArray<Double>.zeros([4, 6])
        base[.step(2), .step(-2)][indices: NDArray<Int64>([0]), axis: 1] = NDArray(scalar: 5)
        #expect(base[.all, 5].scalars == [5, 0, 5, 0] && base.sum() == 10)
    }

    @Test func masksOverLeadingDimensionsSelectBlocks() throws {
        let a = NDArray<Int64>.arange(24).reshaped(2, 3, 4)
        let rows = try NDArray<Bool>([[true, false, true], [false, false, true]])
        #expect(a[mask: rows].shape == [3, 4])
        #expect(a[mask: rows].scalars == [0, 1, 2, 3, 8, 9, 10, 11, 20, 21, 22, 23])
        let planes = NDArray<Bool>([false, true])
        #expect(try a.selecting(planes) == a[.from(1)])
        // a[a[:, 0] > 0] on a matrix: the rows whose first element is positive.
        let m = try NDArray<Double>([[1, 2], [-1, 5], [3, -4]])
        #expect(m[mask: m[.all, 0] .> 0].scalars == [1, 2, 3, -4])
        // Assignment: a scalar, a row for every selected row, one row each.
        a[mask: rows] = NDArray(scalar: 0)
        #expect(a.sum() == 276 - 130)   // the selected rows summed to 130
        m[mask: NDArray<Bool>([true, false, true])] = NDArray([9, 8])
        #expect(m.scalars == [9, 8, -1, 5, 9, 8])
        m[mask: NDArray<Bool>([false, true, true])] = try NDArray<Double>([[1, 1], [2, 2]])
        #expect(m.scalars == [9, 8, 1, 1, 2, 2])
        try m.setSelected(NDArray<Bool>([true, false, false]), try NDArray<Double>([[[6, 7]]]))   // leading 1s dropped
        #expect(m[0].scalars == [6, 7])
    }

    @Test func errorsNameShapesIndicesAndAxes() throws {
        let a = NDArray<Double>.zeros([3, 4])
        func message(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch let error as CelerError { return error.description } catch { return "\(error)" }
        }
        #expect(message { _ = try a.selecting(NDArray<Bool>.ones([4])) }
                == "shape: boolean mask: expected the array's shape (3, 4) or its leading dimensions, got (4,)")
        #expect(message { _ = try a.selecting(NDArray<Bool>.ones([3, 4, 1])) }
                == "shape: boolean mask: expected the array's shape (3, 4) or its leading dimensions, got (3, 4, 1)")
        #expect(message { try a.setSelected(NDArray<Bool>.ones([2]), NDArray(scalar: 1)) }?.contains("got (2,)") == true)
        #expect(message { try a.setSelected(NDArray<Bool>.ones([3]), NDArray([1, 2, 3])) }
                == "shape: boolean mask assignment: value array of shape (3,) could not be broadcast to indexing result of shape (3, 4)")
        #expect(message { _ = try a.taking(NDArray<Int64>([0, 4]), axis: 1) }
                == "index: index 4 is out of bounds for axis 1 with size 4")
        #expect(message { _ = try a.taking(NDArray<Int64>([-4])) }
                == "index: index -4 is out of bounds for axis 0 with size 3")
        #expect(message { _ = try a.taking(NDArray<Int64>([0]), axis: 2) }
                == "axis: axis 2 is out of bounds for array of dimension 2")
        #expect(message { _ = try a.taking(NDArray<Int64>([0]), axis: -3) }
                == "axis: axis -3 is out of bounds for array of dimension 2")
        #expect(message { _ = try NDArray<Double>(scalar: 1).taking(NDArray<Int64>([0])) }?.contains("too many indices") == true)
        #expect(message { try a.put(NDArray<Int64>([0, 1]), NDArray([1, 2, 3]), axis: 1) }
                == "shape: integer array assignment: value array of shape (3,) could not be broadcast to indexing result of shape (3, 2)")
        // Nothing is written when one index is bad, even after good ones.
        #expect(message { try a.put(NDArray<Int64>([0, 1, 9]), NDArray(scalar: 1), axis: 1) } != nil)
        #expect(message { try a.setSelected(NDArray<Bool>.ones([3]), NDArray([1, 2])) } != nil)
        #expect(a.sum() == 0)
    }

    @Test func valuesSharingStorageAreReadBeforeWriting() throws {
        let v = NDArray<Int64>.arange(6)
        v[indices: NDArray<Int64>.arange(6)] = v[.step(-1)]
        #expect(v.scalars == [5, 4, 3, 2, 1, 0])
        let m = NDArray<Int64>.arange(6).reshaped(2, 3)
        m[mask: NDArray<Bool>([true, true])] = m[.step(-1)]
        #expect(m.scalars == [3, 4, 5, 0, 1, 2])
        m[indices: NDArray<Int64>([0, 1, 2]), axis: 1] = m[.all, .step(-1)]
        #expect(m.scalars == [5, 4, 3, 2, 1, 0])
        // An index array that is the array being written.
        let x = NDArray<Int64>([2, 0, 1])
        x[indices: x] = NDArray([10, 11, 12])
        #expect(x.scalars == [11, 12, 10])
        let y = NDArray<Int64>([1, 0])
        #expect(y[indices: y].scalars == [0, 1])
    }

    @Test func largeGathersMatchOnOneAndSeveralThreads() throws {
        // Above StridedLoop.parallelThreshold, so the gather may run threaded.
        let rows = 97, columns = 701
        let a = NDArray<Int64>.arange(rows * columns).reshaped(rows, columns)
        let picks = (0..<columns).map { Int64(($0 * 37) % columns) }
        let idx = NDArray(picks)
        for threads in [1, 3] {
            try Parallel.withThreadCount(threads) { () throws(CelerError) in
                let byColumn = try a.taking(idx, axis: 1)
                let byRow = try a.T.taking(idx, axis: 0)
                #expect(byColumn.shape == [rows, columns] && byRow.shape == [columns, rows])
                var columnsOK = true, rowsOK = true
                for r in stride(from: 0, to: rows, by: 7) {
                    for (j, c) in picks.enumerated() {
                        columnsOK = columnsOK && byColumn[element: r, j] == Int64(r * columns) + c
                        rowsOK = rowsOK && byRow[element: j, r] == Int64(r * columns) + c
                    }
                }
                #expect(columnsOK && rowsOK, "threads=\(threads)")
                // A tall narrow array, few columns: the column-wise gather.
                let tall = NDArray<Int64>.arange(40_001 * 3).reshaped(40_001, 3)
                let picked = try tall.taking(NDArray<Int64>([2, 0, -1]), axis: 1)
                #expect(picked.shape == [40_001, 3] && picked[40_000].scalars == [120_002, 120_000, 120_002])
                #expect(picked[.all, 0] == tall[.all, 2] && picked[.all, 1] == tall[.all, 0] && picked[.all, 2] == tall[.all, 2])
                let mask = NDArray((0..<rows).map { $0 % 3 == 0 })
                let selected = try a.selecting(mask)
                #expect(selected.shape == [33, columns] && selected[1].scalars == a[3].scalars)
            }
        }
    }
}
