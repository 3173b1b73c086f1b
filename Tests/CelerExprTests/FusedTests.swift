import CelerArray
import CelerCore
import CelerExpr
import CelerParallel
import Foundation
import Testing

// Fused expressions against NDArray's own operators (the same kernels, so
// the same bits where the order of operations is the same).

func arange(_ n: Int, scale: Double = 1, shift: Double = 0) -> NDArray<Double> {
    NDArray<Double>.arange(n) * scale + shift
}

@Suite struct FusedBasics {
    @Test func arithmeticMatchesNDArrayBitForBit() throws {
        let a = arange(5000, scale: 0.001, shift: -2), b = arange(5000, scale: -0.0007, shift: 1.5)
        let fused = try (2 * a.lazy + b.lazy ** 10).evaluate(as: Double.self)
        var b10 = b * b; b10 = b10 * b10; b10 = (b * b) * (b10 * b10)   // x² · x⁸, numexpr's order
        let reference = 2 * a + b10
        #expect(fused.shape == [5000])
        #expect(fused.scalars == reference.scalars)
    }

    @Test func transcendentalsMatchNDArray() throws {
        let a = arange(3001, scale: 0.01, shift: -15)
        let fused = try (sin(a.lazy) * sin(a.lazy) + cos(a.lazy) * exp(a.lazy / 10) - sqrt(abs(a.lazy)) + log(abs(a.lazy) + 1)).evaluate(as: Double.self)
        let s = CelerArray.sin(a)
        let t1 = s * s + CelerArray.cos(a) * CelerArray.exp(a / 10)
        let t2 = CelerArray.sqrt(CelerArray.abs(a))
        let reference = t1 - t2 + CelerArray.log(CelerArray.abs(a) + 1)
        #expect(fused.scalars == reference.scalars)
    }

    @Test func broadcastingStridesAndOffsets() throws {
        let m = arange(60).reshaped(3, 4, 5)
        let t = m.transposed([2, 0, 1])                 // (5, 3, 4), non-contiguous
        let row = arange(4, shift: 1)                   // (4,) broadcast
        let rev = arange(5)[.step(-1)].reshaped(5, 1, 1) // negative stride, broadcast
        let fused = try (t.lazy * row.lazy - rev.lazy).evaluate(as: Double.self)
        let reference = t * row - rev
        #expect(fused.shape == [5, 3, 4])
        #expect(fused.scalars == reference.scalars)
    }

    @Test func commonSubexpressionsMerge() throws {
        let a = arange(100)
        let e = (a.lazy + 1) * (a.lazy + 1) + (a.lazy + 1)
        let text = try e.explain()
        // a + 1 is computed once: one add for it, one mul, one add.
        #expect(occurrences("add_float64", in: text) == 2)
        #expect(occurrences("mul_float64", in: text) == 1)
    }

    @Test func typePromotionFollowsNumPy() throws {
        let i = NDArray<Int32>.arange(10), f = NDArray<Float>.arange(10), u = NDArray<UInt8>.arange(10)
        #expect(try (i.lazy + 1).evaluate().dtype == .int32)
        #expect(try (i.lazy + 1.5).evaluate().dtype == .float64)
        #expect(try (f.lazy * 2.5).evaluate().dtype == .float32)
        #expect(try (i.lazy + f.lazy).evaluate().dtype == .float64)
        #expect(try (u.lazy + f.lazy).evaluate().dtype == .float32)
        #expect(try (i.lazy / 4).evaluate().dtype == .float64)
        #expect(try (i.lazy .< 3).evaluate().dtype == .bool)
        #expect(try (i.lazy / 4).evaluate().doubles == (0..<10).map { Double($0) / 4 })
        let wrapped = try (u.lazy * 30).evaluate(as: UInt8.self)
        #expect(wrapped.scalars == (0..<10).map { UInt8(truncatingIfNeeded: $0 * 30) })
    }

    @Test func whereLogicAndComparisons() throws {
        let a = arange(1000, scale: 0.37).sinArray, b = arange(1000, scale: 0.11).cosArray
        let fused = try select(a.lazy .> b.lazy, a.lazy, b.lazy).evaluate(as: Double.self)
        #expect(fused.scalars == zip(a.scalars, b.scalars).map { $0 > $1 ? $0 : $1 })
        let left: Expr = (a.lazy .> 0) .& .!(b.lazy .< 0)
        let mask = try (left .| (a.lazy .== 0)).evaluate(as: Bool.self)
        let expected: [Bool] = zip(a.scalars, b.scalars).map { (x: Double, y: Double) -> Bool in (x > 0 && !(y < 0)) || x == 0 }
        #expect(mask.scalars == expected)
        let mm = try (minimum(a.lazy, b.lazy) + maximum(a.lazy, 0.25 * b.lazy)).evaluate(as: Double.self)
        #expect(mm.scalars == zip(a.scalars, b.scalars).map { Swift.min($0, $1) + Swift.max($0, 0.25 * $1) })
    }

    @Test func zeroDimensionalAndEmpty() throws {
        let s = NDArray<Double>(scalar: 3)
        let r = try (s.lazy * 2 + 1).evaluate(as: Double.self)
        #expect(r.shape == [] && r.item == 7)
        let e = NDArray<Double>.zeros([0, 3])
        let re = try (e.lazy + 1).evaluate(as: Double.self)
        #expect(re.shape == [0, 3])
        #expect(try e.lazy.sum().evaluate(as: Double.self).item == 0)
        #expect(try e.lazy.any().evaluate(as: Bool.self).item == false)
        #expect(throws: CelerError.self) { try e.lazy.max().evaluate() }
        // x ** 0 keeps x's shape.
        #expect(try (arange(4).lazy ** 0).evaluate(as: Double.self).scalars == [1, 1, 1, 1])
    }

    @Test func intoOutAndSafeAlias() throws {
        let a = arange(10000, scale: 0.5), b = arange(10000, scale: 0.25)
        let out = NDArray<Double>.zeros([10000])
        try (a.lazy * b.lazy + 1).evaluate(into: out)
        #expect(out.scalars == (a * b + 1).scalars)
        // The same elements: a = a * 2 + b is safe.
        let c = a.copy()
        try (c.lazy * 2 + b.lazy).evaluate(into: c)
        #expect(c.scalars == (a * 2 + b).scalars)
        // Broadcast into a larger out.
        let wide = NDArray<Double>.zeros([3, 4])
        try (arange(4).lazy + 1).evaluate(into: wide)
        #expect(wide.scalars == [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4])
    }

    @Test func stencilFromShiftedViewsIsOnePass() throws {
        let f = arange(5000, scale: 0.001).sinArray
        let expr = f[.s(0, -2)].lazy - 2 * f[.s(1, -1)].lazy + f[.s(2, nil)].lazy
        let fused = try expr.evaluate(as: Double.self)
        let reference = f[.s(0, -2)] - 2 * f[.s(1, -1)] + f[.s(2, nil)]
        #expect(fused.scalars == reference.scalars)
        let plan = try expr.explain()
        #expect(plan.contains("pass 1 of 1"))
        #expect(plan.contains("3 views of 1 storage"))

        let u = arange(40 * 30, scale: 0.01).sinArray.reshaped(40, 30)
        let n = u[.s(0, -2), .s(1, -1)].lazy, s = u[.s(2, nil), .s(1, -1)].lazy
        let w = u[.s(1, -1), .s(0, -2)].lazy, e = u[.s(1, -1), .s(2, nil)].lazy, c = u[.s(1, -1), .s(1, -1)].lazy
        let lap = n + s + w + e - 4 * c
        let l1 = u[.s(0, -2), .s(1, -1)] + u[.s(2, nil), .s(1, -1)]
        let l2 = l1 + u[.s(1, -1), .s(0, -2)]
        let lref = l2 + u[.s(1, -1), .s(2, nil)] - 4 * u[.s(1, -1), .s(1, -1)]
        #expect(try lap.evaluate(as: Double.self).scalars == lref.scalars)
        #expect(try lap.explain().contains("5 views of 1 storage"))
    }
}

@Suite struct FusedReductions {
    @Test func sumOfSquaredDifferenceIsDeterministicAcrossThreads() throws {
        let n = 300_001
        let a = arange(n, scale: 1e-5).sinArray, b = arange(n, scale: 3e-5).cosArray
        let e = ((a.lazy - b.lazy) ** 2).sum()
        let one = try Parallel.withThreadCount(1) { try e.evaluate(as: Double.self).item }
        for t in [2, 3, 7, 16] {
            let many = try Parallel.withThreadCount(t) { try e.evaluate(as: Double.self).item }
            #expect(many.bitPattern == one.bitPattern, "threads \(t)")
        }
        let d = a - b
        let reference = (d * d).sum()
        let bound = (log2(Double(n)) + 16) * Double.ulpOfOne * (d * d).sum()
        #expect(Swift.abs(one - reference) <= bound)
    }

    @Test func minMaxAnyAllCount() throws {
        let a = arange(100_000, scale: 0.001).sinArray
        #expect(try a.lazy.min().evaluate(as: Double.self).item == a.min())
        #expect(try a.lazy.max().evaluate(as: Double.self).item == a.max())
        #expect(try (a.lazy .> 0.99).any().evaluate(as: Bool.self).item == true)
        #expect(try (a.lazy .> 1.5).any().evaluate(as: Bool.self).item == false)
        #expect(try (a.lazy .<= 1).all().evaluate(as: Bool.self).item == true)
        #expect(try (a.lazy .> 0).count().evaluate(as: Int64.self).item == Int64(a.scalars.filter { $0 > 0 }.count))
        let i = NDArray<Int32>.arange(1000)
        #expect(try i.lazy.sum().evaluate(as: Int64.self).item == 499_500)
    }

    @Test func reductionsInsideExpressions() throws {
        let a = arange(10_000, scale: 0.01).sinArray
        let centred = try (a.lazy - a.lazy.sum() / 10_000).evaluate(as: Double.self)
        let mean = try a.lazy.sum().evaluate(as: Double.self).item / 10_000
        #expect(centred.scalars == (a - mean).scalars)
        let norm = try sqrt(((a.lazy - 0.5) ** 2).sum()).evaluate(as: Double.self).item
        let ssd = try ((a.lazy - 0.5) ** 2).sum().evaluate(as: Double.self).item
        #expect(norm == ssd.squareRoot())
    }

    @Test func severalReductionsInOnePass() throws {
        let a = arange(50_000, scale: 0.001).sinArray, b = arange(50_000, scale: 0.002).cosArray
        let e = a.lazy.sum() + (a.lazy * b.lazy).max() * 1000 + (b.lazy .> 0).count() * 1_000_000
        let plan = try e.explain()
        #expect(plan.contains("pass 1 of 2"))   // three reductions, one pass; then the sum
        let v = try e.evaluate(as: Double.self).item
        let sa = try a.lazy.sum().evaluate(as: Double.self).item
        let expected = sa + (a * b).max() * 1000 + Double(b.scalars.filter { $0 > 0 }.count) * 1_000_000
        #expect(v == expected)
    }

    @Test func axisReductions() throws {
        let m = arange(7 * 300 * 5, scale: 0.01).sinArray.reshaped(7, 300, 5)
        for axis in 0..<3 {
            let fused = try (m.lazy * 2).sum(axis: axis).evaluate(as: Double.self)
            let reference = (m * 2).sum(axis: axis)
            #expect(fused.shape == reference.shape)
            for (x, y) in zip(fused.scalars, reference.scalars) { #expect(Swift.abs(x - y) <= 1e-12 * 300) }
            let mx = try m.lazy.max(axis: axis).evaluate(as: Double.self)
            #expect(mx.scalars == m.max(axis: axis).scalars)
        }
        let counts = try (m.lazy .> 0).count(axis: -1).evaluate(as: Int64.self)
        #expect(counts.shape == [7, 300])
        #expect(counts.scalars == (m .> 0).sum(axis: 2).scalars)
    }
}

@Suite struct FusedCompiledAndText {
    @Test func compiledPlansOncePerDtypes() throws {
        let f = try CompiledExpression("2*a + b**10")
        #expect(f.inputNames == ["a", "b"])
        for n in [10, 1000, 100_000] {
            let a = arange(n, scale: 0.001), b = arange(n, scale: 0.0001)
            let r = try f.evaluate(["a": a, "b": b])
            #expect(r.shape == [n])
        }
        #expect(f.planCount == 1)
        _ = try f.evaluate(["a": NDArray<Float>.arange(5), "b": NDArray<Float>.arange(5)])
        #expect(f.planCount == 2)
    }

    @Test func compiledIsReentrant() throws {
        let f = try CompiledExpression("sum((a - b)**2)")
        let results = parallelMapSerial(0..<16) { k -> Double in
            let a = arange(1000 + k), b = arange(1000 + k, scale: 0.5)
            return (try? f.evaluate(["a": a, "b": b]).doubles[0]) ?? -1
        }
        for (k, r) in results.enumerated() {
            let n = Double(1000 + k)
            // Σ (i/2)² = (n-1)n(2n-1)/24
            #expect(r == (n - 1) * n * (2 * n - 1) / 24)
        }
    }

    @Test func stringFormMatchesOperatorForm() throws {
        let a = arange(2000, scale: 0.003), b = arange(2000, scale: -0.002, shift: 1)
        let text = try evaluate("2*a + b**10 - where(a > b, a, -b) / 3 + sin(a)**2", ["a": a, "b": b]).doubles
        let ops = try (2 * a.lazy + b.lazy ** 10 - select(a.lazy .> b.lazy, a.lazy, -b.lazy) / 3 + sin(a.lazy) ** 2).evaluate().doubles
        #expect(text == ops)
        #expect(try evaluate("-a**2", ["a": a]).doubles == (-(a * a)).scalars)   // Python precedence
        #expect(try evaluate("sum(a, axis=0)", ["a": a.reshaped(40, 50)]).shape == [50])
        #expect(try evaluate("float32(a) * 2", ["a": a]).dtype == .float32)
    }

    @Test func badInputErrors() throws {
        let a = arange(3), b = arange(4)
        #expect(throws: CelerError("shape", "operands could not be broadcast together with shapes (3,) (4,)")) {
            try (a.lazy + b.lazy).evaluate()
        }
        #expect(throws: CelerError("out", "has shape (3,), the expression gives shape (4,)")) {
            try (b.lazy + 1).evaluate(into: a)
        }
        #expect(throws: CelerError("out", "has dtype float32, the expression gives float64 (cast the expression with .cast(to: .float32))")) {
            try (b.lazy + 1).evaluate(into: NDArray<Float>.zeros([4]))
        }
        let f = arange(10)
        do {
            try (f[.s(0, -1)].lazy + f[.s(1, nil)].lazy).evaluate(into: f[.s(1, nil)])
            Issue.record("a shifted alias of out was not refused")
        } catch let error as CelerError {
            #expect(error.subject == "out" && error.message.contains("overlaps input"))
        }
        #expect(throws: CelerError("expression", "unknown name 'c' at column 7 in \"a + b*c\" (inputs: a, b)")) {
            try evaluate("a + b*c", ["a": a, "b": a])
        }
        #expect(throws: CelerError("expression", "syntax error at column 7 in \"2*a + \": expected an operand at the end")) {
            try evaluate("2*a + ", ["a": a])
        }
        #expect(throws: CelerError("expression", "syntax error at column 5 in \"(a +) * 2\": expected an operand, found ')'")) {
            try evaluate("(a +) * 2", ["a": a])
        }
        #expect(throws: CelerError.self) { try evaluate("a & b", ["a": a, "b": a]) }   // & needs bools
        #expect(throws: CelerError("axis", "axis 2 is out of bounds for array of dimension 1")) {
            try evaluate("sum(a, axis=2)", ["a": a])
        }
    }
}

/// Runs `body` for each index on Celer's threads (exercises concurrent evaluation).
func parallelMapSerial<T>(_ range: Range<Int>, _ body: @Sendable (Int) -> T) -> [T] {
    let out = UnsafeMutableBufferPointer<T?>.allocate(capacity: range.count)
    out.initialize(repeating: nil)
    defer { out.deallocate() }
    let box = UncheckedSendable(out)
    Parallel.withThreadCount(4) {
        parallelFor(range, schedule: .dynamic(1)) { r in for i in r { box.value[i] = body(i) } }
    }
    return out.map { $0! }
}

func occurrences(_ needle: String, in text: String) -> Int {
    var count = 0, rest = Substring(text)
    while let r = rest.range(of: needle) { count += 1; rest = rest[r.upperBound...] }
    return count
}

extension NDArray where Element == Double {
    var sinArray: NDArray<Double> { CelerArray.sin(self) }
    var cosArray: NDArray<Double> { CelerArray.cos(self) }
}
