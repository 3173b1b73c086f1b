// Benchmarks of CelerArray's strided loop driver. Run from Benchmarks/:
//   swift package benchmark --target ArrayBenchmarks
// NumPy's side: Benchmarks/peers/array_numpy.py times the same operations on
// the same sizes under the same names (keep the two lists in step);
// Benchmarks/compare-arrays.sh runs this suite and then that script, and
// prints one table with the ratio NumPy ÷ Celer. Numbers: docs/arrays.md
// ("Performance").
import Benchmark
import CelerArray
import CelerParallel

// Inputs are built once, on first use (a global `let` is lazy), outside the
// measured region: each benchmark touches its inputs before startMeasurement().
let n20M = 20_000_000
let vectorA = NDArray<Double>.randomUniform([n20M], seed: 1)
let vectorB = NDArray<Double>.randomUniform([n20M], seed: 2)
let vectorOut = NDArray<Double>.zeros([n20M])
let side = 4000
let matrixA = NDArray<Double>.randomUniform([side, side], seed: 3)
let matrixB = NDArray<Double>.randomUniform([side, side], seed: 4)
let matrixOut = NDArray<Double>.zeros([side, side])
let sumInput = NDArray<Double>.randomUniform([100_000_000], seed: 5)
let small = NDArray<Double>.randomUniform([1000], seed: 6)
let expInput = NDArray<Double>.randomUniform([1_000_000], seed: 7)
let expOut = NDArray<Double>.zeros([1_000_000])
let grid = NDArray<Double>.randomUniform([2000, 2000], seed: 42)
let gridOut = NDArray<Double>.zeros([1998, 1998])

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 2,
        maxDuration: .seconds(3), maxIterations: 50)

    Benchmark("copy 20M doubles (bandwidth reference): out.assign(a)") { benchmark in
        blackHole(vectorA.count + vectorOut.count)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { try! vectorOut.assign(vectorA) }
    }
    Benchmark("a + b, 20M doubles, into out (np.add(a, b, out=c))") { benchmark in
        blackHole(vectorA.count + vectorB.count + vectorOut.count)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { try! add(vectorA, vectorB, out: vectorOut) }
    }
    Benchmark("a + b, 20M doubles, new array") { benchmark in
        blackHole(vectorA.count + vectorB.count)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(vectorA + vectorB) }
    }
    Benchmark("a + b, 4000², into out") { benchmark in
        blackHole(matrixA.count + matrixB.count + matrixOut.count)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { try! add(matrixA, matrixB, out: matrixOut) }
    }
    Benchmark("a + b.T, 4000², into out (tiled, transposed operand buffered)") { benchmark in
        blackHole(matrixA.count + matrixB.count + matrixOut.count)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { try! add(matrixA, matrixB.T, out: matrixOut) }
    }
    Benchmark("sum, 1e8 doubles (pairwise, NumPy's order)") { benchmark in
        blackHole(sumInput.count)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(sumInput.sum()) }
    }
    Benchmark("Laplacian 2000², NumPy style from slices (temporaries)") { benchmark in
        blackHole(grid.count)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let f = grid
            let lap = (f[.to(-2), .s(1, -1)] + f[.from(2), .s(1, -1)]) + (f[.s(1, -1), .to(-2)] + f[.s(1, -1), .from(2)])
                - f[.s(1, -1), .s(1, -1)] * 4.0
            blackHole(lap)
        }
    }
    Benchmark("Laplacian 2000², NumPy style into out (one temporary)") { benchmark in
        blackHole(grid.count + gridOut.count)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let f = grid
            try! add(f[.to(-2), .s(1, -1)], f[.from(2), .s(1, -1)], out: gridOut)
            let t = f[.s(1, -1), .to(-2)] + f[.s(1, -1), .from(2)]
            gridOut += t
            try! multiply(f[.s(1, -1), .s(1, -1)], NDArray(scalar: 4.0), out: t)
            gridOut -= t
        }
    }
    Benchmark("a.T + 1, 4000², new array (keeps a.T's memory order)") { benchmark in
        blackHole(matrixA.count)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(matrixA.T + 1) }
    }
    Benchmark("a.T.max(), 4000² (read in place)") { benchmark in
        blackHole(matrixA.count)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(matrixA.T.max()) }
    }
    Benchmark("a + b, 1000 doubles (per-call overhead)") { benchmark in
        blackHole(small.count)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole(small + small) }
    }
    Benchmark("exp, 1e6 doubles, into out") { benchmark in
        blackHole(expInput.count + expOut.count)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { try! exp(expInput, out: expOut) }
    }
    Benchmark("sieve to 3e7 over odd numbers: slice assignment, then nonzero") { benchmark in
        let limit = 30_000_000
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let odd = NDArray<Bool>.ones([(limit + 1) / 2])
            odd[element: 0] = false
            var k = 1
            while (2 * k + 1) * (2 * k + 1) <= limit {
                if odd[element: k] { let q = 2 * k + 1; odd[.from(q * q / 2, step: q)] = false }
                k += 1
            }
            let primes = odd.nonzero()[0]
            primes *= 2
            primes += 1
            blackHole(primes)
        }
    }
}
