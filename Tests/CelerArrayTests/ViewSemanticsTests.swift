import CelerArray
import CelerCore
import CelerParallel
import Testing
import _CelerTestSupport

// Views, copies, storage lifetime and error messages, without NumPy.

@Suite struct ViewSemanticsTests {
    @Test func slicesAreViewsAndWritesGoThrough() throws {
        // As in NumPy, a reshape is a view of the array it came from (`a.base` is the arange).
        let a = NDArray<Double>.arange(12).reshaped(3, 4)
        #expect(a.isView && a.isContiguous)
        #expect(!NDArray<Double>.zeros([3, 4]).isView && !a.copy().isView)
        let inner = a[.s(1, -1), .s(1, -1)]
        #expect(inner.shape == [1, 2] && inner.sharesStorage(with: a) && inner.isView)
        #expect(inner.strides == [4, 1] && inner.offset == 5)
        inner.fill(-1)
        #expect(a.scalars == [0, 1, 2, 3, 4, -1, -1, 7, 8, 9, 10, 11])
        let reversed = a[.step(-1), .step(-2)]
        #expect(reversed.strides == [-4, -2] && !reversed.isContiguous)
        #expect(reversed.scalars == [11, 9, 7, -1, 3, 1])
        reversed[0, 0] = NDArray(scalar: 100)
        #expect(a[element: 2, 3] == 100)
        let column = a[.all, .newAxis, 1]
        #expect(column.shape == [3, 1] && column.scalars == [1, -1, 9])
        #expect(a[.ellipsis, -1].scalars == [3, 7, 100])
        #expect(a[1].shape == [4] && a[1, 2].shape == [] && a[1, 2].item == -1)
        let v = NDArray<Int64>.arange(6)
        #expect(v[.r(1..<4)].scalars == [1, 2, 3] && v[.r(1...4)].scalars == [1, 2, 3, 4])
        #expect(v[.r(-3...(-1))].scalars == [3, 4, 5] && v[.r(..<(-4))].scalars == [0, 1] && v[.r(4...)].scalars == [4, 5])
    }

    @Test func sieveStyleStridedAssignment() {
        let isPrime = NDArray<Bool>.ones([31])
        isPrime[.to(2)] = false
        for n in 2...5 where isPrime[element: n] { isPrime[.from(n * n, step: n)] = false }
        #expect(isPrime.nonzero()[0].scalars == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29])
        #expect(isPrime.countNonzero() == 10)
    }

    @Test func nonzeroOfBoolWordsAndTails() {
        var rng = TestRandom(21)
        for n in [1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 200] {
            for density in [0, 1, 3, 8] {
                let values = (0..<n).map { _ in density > 0 && rng.int(0...(density - 1)) == 0 }
                let mask = NDArray<Bool>(values)
                let expected = values.indices.filter { values[$0] }.map(Int64.init)
                #expect(mask.nonzero()[0].scalars == expected)
                #expect(mask[.step(-1)].nonzeroPositions().scalars == values.reversed().indices.filter { Array(values.reversed())[$0] }.map(Int64.init))
                #expect(mask.astype(Int32.self).nonzero()[0].scalars == expected)
            }
        }
    }

    /// Sizes past the threaded scan's threshold and chunk edges, densities
    /// from empty to full (a whole 64-byte block true takes every branch of
    /// the eight-at-a-time writer), on 1, 2 and 3 threads.
    @Test func nonzeroOfLargeBoolMasksOnAnyThreadCount() throws {
        var rng = TestRandom(5)
        for n in [(1 << 17) - 1, (1 << 17) + 13, 1_000_003] {
            for density in [0, 1, 2, 9, 200] {
                // density 1: all true; 0: all false; else about 1 in `density`.
                var values = (0..<n).map { _ in density == 1 || (density > 1 && rng.int(0...(density - 1)) == 0) }
                if density == 200 { for i in (n / 3)..<(n / 3 + 640) { values[i] = true } }  // a dense run
                let mask = NDArray<Bool>(values)
                let expected = values.indices.filter { values[$0] }.map(Int64.init)
                for threads in [1, 2, 3] {
                    try Parallel.withThreadCount(threads) { () throws(CelerError) in
                        #expect(mask.countNonzero() == expected.count)
                        #expect(mask.nonzeroPositions().scalars == expected, "n=\(n) density=\(density) threads=\(threads)")
                    }
                }
            }
        }
    }

    /// Strided fills that run threaded (far-apart elements count as more
    /// work) write exactly the elements a scalar loop writes.
    @Test func largeStridedAssignmentMatchesAScalarLoop() throws {
        let n = 3_000_001
        for threads in [1, 2, 3] {
            try Parallel.withThreadCount(threads) { () throws(CelerError) in
                let mask = NDArray<Bool>.ones([n])
                var expected = [Bool](repeating: true, count: n)
                for (start, step) in [(4, 3), (12, 5), (1000, 97), (7, 1009), (n - 1, 2), (n - 5, -3)] {
                    mask[.from(start, step: step)] = false
                    var i = start
                    while i >= 0 && i < n { expected[i] = false; i += step }
                }
                #expect(mask.scalars == expected, "threads=\(threads)")
            }
        }
        // Small views take the plain-loop fill; 0-d sources (views included) too.
        for n in [1, 2, 17, 1000] {
            let a = NDArray<Int64>.arange(n)
            var expected = (0..<n).map(Int64.init)
            for (start, step) in [(0, 1), (1, 3), (n - 1, -2), (n / 2, -1)] {
                let value = a[.index(n - 1)]             // a 0-d view of the last element
                let v = expected[n - 1]
                a[.from(start, step: step)] = value
                var i = start
                while i >= 0 && i < n { expected[i] = v; i += step }
                #expect(a.scalars == expected, "n=\(n) start=\(start) step=\(step)")
                a[.s(0, nil, 2)].fill(Int64(-start))
                for j in stride(from: 0, to: n, by: 2) { expected[j] = Int64(-start) }
                #expect(a.scalars == expected)
            }
        }
    }

    /// New arrays from operators follow their operands' memory order
    /// (NumPy's order "K"): `a.T + 1` is laid out like `a.T`, so it runs as one
    /// flat loop; `copy()` and `ascontiguous()` are always row-major.
    @Test func operatorResultsKeepTheOperandsMemoryOrder() throws {
        let a = NDArray<Double>.arange(35).reshaped(5, 7)
        let t = a.T                                        // shape [7, 5], strides [1, 7]
        let shifted = t + 1
        #expect(shifted.shape == [7, 5] && shifted.strides == [1, 7] && !shifted.isView && shifted.isDense && !shifted.isContiguous)
        #expect(shifted.scalars == t.scalars.map { $0 + 1 })
        #expect(sqrt(t).strides == [1, 7] && (-t).strides == [1, 7] && t.astype(Float.self).strides == [1, 7])
        #expect((t + t).strides == [1, 7] && (t .> 3).strides == [1, 7])
        // Broadcast operands (stride 0) have no say; the full operand decides.
        let row = NDArray<Double>.arange(5)
        #expect((row + t).strides == [1, 7] && (row + t).scalars == zip(t.scalars, Array(repeating: row.scalars, count: 7).flatMap { $0 }).map { $1 + $0 })
        // Row-major operands give row-major results, as before.
        #expect((a + 1).isContiguous && (a + row.reshaped(5, 1)).isContiguous)
        // A temporary in Fortran order is reused for the next operation.
        let chained = (t * 2) + t
        #expect(chained.strides == [1, 7] && chained.scalars == t.scalars.map { $0 * 3 })
        #expect(shifted.copy().isContiguous && shifted.ascontiguous().isContiguous && shifted.copy().scalars == shifted.scalars)
        // 3-D permutation, and a reversed operand (negative strides) gives positive ones.
        let c = NDArray<Int64>.arange(24).reshaped(2, 3, 4).transposed([2, 0, 1])   // strides [1, 12, 4]
        let e = c * 2
        #expect(e.strides == [1, 12, 4] && e.scalars == c.scalars.map { $0 * 2 })
        let r = a[.step(-1), .step(-1)] + 0
        #expect(r.isContiguous && r.scalars == a.scalars.reversed())
        #expect(Layout.isDense([7, 5], [1, 7]) && !Layout.isDense([7, 5], [2, 14]) && Layout.isDense([3, 1, 2], [1, 99, 3]))
    }

    @Test func reshapeIsAViewWhenStridesAllowElseACopy() throws {
        let a = NDArray<Int64>.arange(24)
        let b = a.reshaped(2, 3, 4)
        #expect(b.sharesStorage(with: a))
        let t = b.T
        #expect(t.sharesStorage(with: a) && !t.isContiguous)
        let flatT = try t.reshaped([-1])
        #expect(!flatT.sharesStorage(with: a))
        #expect(flatT.scalars == t.scalars)
        let sliced = b[.all, .s(0, 2), .all]          // rows 0,1 of each block: (2, 2, 4)
        let merged = try sliced.reshaped([2, 8])        // last two axes are contiguous together
        #expect(merged.sharesStorage(with: a))
        let notMerged = try sliced.reshaped([4, 4])     // would merge axes across the gap: a copy
        #expect(!notMerged.sharesStorage(with: a) && notMerged.scalars == sliced.scalars)
        #expect(throws: CelerError.self) { try a.reshaped([5, 5]) }
        #expect(throws: CelerError.self) { try a.reshaped([-1, -1]) }
        #expect(a.ravel().sharesStorage(with: a) && !a.flatten().sharesStorage(with: a))
        #expect(a.reshaped(4, -1).shape == [4, 6])
    }

    @Test func broadcastViewsHaveZeroStrides() throws {
        let row = NDArray<Double>([1, 2, 3])
        let grid = try row.broadcast(to: [4, 3])
        #expect(grid.strides == [0, 1] && grid.sharesStorage(with: row))
        #expect((grid + row[.all, .newAxis][.s(0, 1), .all]).shape == [4, 3])
        #expect(throws: CelerError.self) { try row.broadcast(to: [4, 2]) }
        let col = NDArray<Double>([10, 20])[.all, .newAxis]
        #expect((col + row).scalars == [11, 12, 13, 21, 22, 23])
    }

    @Test func storageIsFreedWithTheLastView() {
        weak var storage: NDStorage<Double>?
        var view: NDArray<Double>? = nil
        do {
            let a = NDArray<Double>.zeros([1000])
            storage = a.storage
            view = a[.s(10, 20)]
        }
        #expect(storage != nil)
        view = nil
        _ = view
        #expect(storage == nil)
    }

    @Test func storageIsAligned() {
        for n in [1, 3, 1000, 300_000] {
            let a = NDArray<Float>.zeros([n])
            #expect(Int(bitPattern: a.baseAddress) % 64 == 0)
        }
    }

    @Test func errorMessagesNameShapesIndicesAndAxes() throws {
        let a = NDArray<Double>.zeros([3, 4]), b = NDArray<Double>.zeros([5])
        do { _ = try a.adding(b); Issue.record("no error") } catch {
            #expect(error.description.contains("(3, 4)") && error.description.contains("(5,)"))
        }
        do { _ = try a.view([1, 7]); Issue.record("no error") } catch {
            #expect(error.description == "index: index 7 is out of bounds for axis 1 with size 4")
        }
        do { _ = try a.reshaped([5, 2]); Issue.record("no error") } catch {
            #expect(error.description == "reshape: cannot reshape array of size 12 with shape (3, 4) into shape (5, 2)")
        }
        do { _ = try a.view([.step(0)]); Issue.record("no error") } catch {
            #expect(error.description.contains("slice step cannot be zero"))
        }
        do { try add(a, b, out: a); Issue.record("no error") } catch {
            #expect(error.description.contains("(5,)"))
        }
        do { _ = try a.matmul(NDArray<Double>.zeros([3])); Issue.record("no error") } catch {
            #expect(error.description.contains("not aligned"))
        }
        #expect(throws: CelerError.self) { try NDArray<Double>([[1, 2], [3]]) }
        #expect(throws: CelerError.self) { try concatenate([a, b]) }
        #expect(throws: CelerError.self) { try a.view([.ellipsis, .ellipsis]) }
        #expect(throws: CelerError.self) { try a.reduce(AddKernel<Double>(), axis: 2, out: b) }
    }

    @Test func outFormsWriteIntoExistingStorageOnly() throws {
        let a = NDArray<Double>.arange(6).reshaped(2, 3), b = NDArray<Double>([10, 20, 30])
        let out = NDArray<Double>.zeros([2, 3])
        let before = out.storage
        try add(a, b, out: out)
        #expect(out.storage === before && out.scalars == [10, 21, 32, 13, 24, 35])
        try sqrt(out, out: out)
        #expect(out[element: 0, 0] == 10.0.squareRoot())
        let c = a.copy()
        c += b
        c.subtract(b)
        c *= 2
        #expect(c.scalars == [0, 2, 4, 6, 8, 10])
    }

    @Test func temporaryElisionNeverClobbersLiveArrays() {
        let a = NDArray<Double>.arange(8)
        let t = a + 1
        let u = t * 2                       // t is used again below: must not be reused
        let v = (a * 3) - t                 // the temporary a * 3 may be reused
        #expect(t.scalars == (1...8).map(Double.init))
        #expect(u.scalars == (1...8).map { (i: Int) -> Double in Double(2 * i) })
        let expected: [Double] = (0..<8).map { (i: Int) -> Double in Double(2 * i - 1) }
        #expect(v.scalars == expected)
        let view = a[.s(0, 4)]
        let w = view + view                 // a view is never reused
        #expect(a.scalars == (0..<8).map(Double.init) && w.scalars == [0, 2, 4, 6])
        var x = NDArray<Double>.ones([4])
        x = x + x                           // both operands are the same storage
        #expect(x.scalars == [2, 2, 2, 2])
    }

    @Test func creationFunctions() throws {
        #expect(NDArray<Double>.linspace(0, 1, count: 5).scalars == [0, 0.25, 0.5, 0.75, 1])
        #expect(NDArray<Int32>.arange(5, 0, step: -2).scalars == [5, 3, 1])
        #expect(NDArray<Double>.identity(3).sum() == 3)
        let r = NDArray<Double>.randomUniform([4, 5], seed: 7)
        let g = SplitMix64(seed: 7)
        #expect(r.scalars == (0..<20).map { g.uniform($0) })
        let z = NDArray<Double>.randomNormal([10_000], seed: 3)
        #expect(Swift.abs(z.mean()) < 0.05 && Swift.abs(z.std() - 1) < 0.05)
        let cube = try NDArray<Int64>([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
        #expect(cube.shape == [2, 2, 2] && cube[1, 0, 1].item == 6)
        #expect(NDArray<Double>.full([2, 2], 3.5).sum() == 14)
        #expect(NDArray<Bool>.zeros([3]).any() == false && NDArray<Bool>.ones([3]).all())
    }
}
