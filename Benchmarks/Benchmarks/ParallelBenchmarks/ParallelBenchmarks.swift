// Benchmarks of the parallel runtime (CelerParallel). Run from Benchmarks/:
//   swift package benchmark --target ParallelBenchmarks
// Results and their reading are in docs/parallel.md.
import Benchmark
import CelerCore
import CelerParallel
import Dispatch
import Synchronization

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock], timeUnits: .microseconds, warmupIterations: 3,
        maxDuration: .seconds(2), maxIterations: 100)

    // MARK: Fork-join overhead: an empty loop of two chunks.

    let forkJoin = Benchmark.Configuration(
        metrics: [.wallClock], timeUnits: .nanoseconds, warmupIterations: 100,
        scalingFactor: .kilo, maxDuration: .seconds(2), maxIterations: 1000)

    bench("Fork-join, empty loop: parallelFor, 2 threads", forkJoin) { benchmark in
        Parallel.withThreadCount(2) {
            for _ in benchmark.scaledIterations { parallelFor(0..<2) { Benchmark.blackHole($0) } }
        }
    }
    bench("Fork-join, empty loop: DispatchQueue.concurrentPerform, 2 iterations", forkJoin) { benchmark in
        for _ in benchmark.scaledIterations { DispatchQueue.concurrentPerform(iterations: 2) { Benchmark.blackHole($0) } }
    }
    bench("Fork-join, empty loop: parallelFor, 1 thread (serial path)", forkJoin) { benchmark in
        Parallel.withThreadCount(1) {
            for _ in benchmark.scaledIterations { parallelFor(0..<2) { Benchmark.blackHole($0) } }
        }
    }

    // Two chunks of about 2 µs of work each: with two threads the loop can
    // take as little as one chunk's time plus the fork-join cost.
    bench("Fork-join, 2 chunks of 2 µs: parallelFor, 2 threads", forkJoin) { benchmark in
        Parallel.withThreadCount(2) {
            for _ in benchmark.scaledIterations { parallelFor(0..<2) { _ in spin(nanoseconds: 2000) } }
        }
    }
    bench("Fork-join, 2 chunks of 2 µs: DispatchQueue.concurrentPerform", forkJoin) { benchmark in
        for _ in benchmark.scaledIterations { DispatchQueue.concurrentPerform(iterations: 2) { _ in spin(nanoseconds: 2000) } }
    }
    bench("Fork-join, 2 chunks of 2 µs: serial", forkJoin) { benchmark in
        for _ in benchmark.scaledIterations { for _ in 0..<2 { spin(nanoseconds: 2000) } }
    }

    // MARK: Julia rows (scalar escape-time kernel), rows dealt dynamically.

    for threads in [1, 2] {
        bench("Julia 1000x1000 rows, dynamic,1: \(threads) thread\(threads > 1 ? "s" : "")") { benchmark in
            let julia = EscapeTimeGrid.julia
            for _ in benchmark.scaledIterations {
                Parallel.withThreadCount(threads) { julia.render(schedule: .dynamic(1)) }
            }
            precondition(julia.checksum == 33_219_980, "Julia checksum \(julia.checksum)")
        }
    }

    bench("Julia 1000x1000 rows: DispatchQueue.concurrentPerform, one row per iteration") { benchmark in
        let julia = EscapeTimeGrid.julia
        for _ in benchmark.scaledIterations { julia.renderWithDispatch() }
        precondition(julia.checksum == 33_219_980, "Julia checksum \(julia.checksum)")
    }

    // MARK: Mandelbrot rows (costs vary a lot by row): which schedule.

    for schedule in [Schedule.static, .staticChunked(1), .dynamic(1), .dynamic(8), .guided(1)] {
        bench("Mandelbrot 500x500 rows, 2 threads: \(schedule)") { benchmark in
            let mandelbrot = EscapeTimeGrid.mandelbrot
            for _ in benchmark.scaledIterations {
                Parallel.withThreadCount(2) { mandelbrot.render(schedule: schedule) }
            }
            precondition(mandelbrot.checksum == 51_198_208, "Mandelbrot checksum \(mandelbrot.checksum)")
        }
    }
    // The upper half of the window (y from 0 to 1.3): the costly rows (the
    // set's body, near y = 0) are all at one end, as in most zoomed views.
    for schedule in [Schedule.static, .staticChunked(1), .dynamic(1), .guided(1)] {
        bench("Mandelbrot upper half 500x500 rows, 2 threads: \(schedule)") { benchmark in
            let upper = EscapeTimeGrid.mandelbrotUpperHalf
            for _ in benchmark.scaledIterations {
                Parallel.withThreadCount(2) { upper.render(schedule: schedule) }
            }
        }
    }
    bench("Mandelbrot upper half 500x500 rows, 1 thread") { benchmark in
        let upper = EscapeTimeGrid.mandelbrotUpperHalf
        for _ in benchmark.scaledIterations {
            Parallel.withThreadCount(1) { upper.render(schedule: .static) }
        }
    }
    bench("Mandelbrot 500x500 rows, 1 thread") { benchmark in
        let mandelbrot = EscapeTimeGrid.mandelbrot
        for _ in benchmark.scaledIterations {
            Parallel.withThreadCount(1) { mandelbrot.render(schedule: .static) }
        }
    }

    let sum = Benchmark.Configuration(
        metrics: [.wallClock], timeUnits: .milliseconds, warmupIterations: 1,
        maxDuration: .seconds(3), maxIterations: 20)

    // MARK: The same comparisons, interleaved: each sample runs every variant
    // once, in rotating order, so that load from other processes hits all
    // variants alike (read these on a shared machine).

    interleaved("Interleaved: Julia rows (ms)", [
        ("1 thread", { Parallel.withThreadCount(1) { EscapeTimeGrid.julia.render(schedule: .dynamic(1)) } }),
        ("2 threads dynamic,1", { Parallel.withThreadCount(2) { EscapeTimeGrid.julia.render(schedule: .dynamic(1)) } }),
        ("Dispatch concurrentPerform", { EscapeTimeGrid.julia.renderWithDispatch() }),
    ])
    for (title, grid) in [("Mandelbrot", EscapeTimeGrid.mandelbrot), ("Mandelbrot upper half", EscapeTimeGrid.mandelbrotUpperHalf)] {
        var variants: [(String, @Sendable () -> Void)] = [("1 thread", { Parallel.withThreadCount(1) { grid.render(schedule: .static) } })]
        for schedule in [Schedule.static, .staticChunked(1), .dynamic(1), .dynamic(8), .guided(1)] {
            variants.append(("2 threads \(schedule)", { Parallel.withThreadCount(2) { grid.render(schedule: schedule) } }))
        }
        interleaved("Interleaved: \(title) rows by schedule (ms)", variants)
    }

    // MARK: Progress bar cost: a 1e8-iteration loop with and without one
    // (stderr is not a terminal under the benchmark runner, so this is the
    // cost of counting; drawing adds one short write every 0.1 s).

    for progress in [false, true] {
        bench("Loop of 1e8 iterations, 2 threads: \(progress ? "with" : "without") progress bar", sum) { benchmark in
            let partials = UnsafeMutableBufferPointer<Double>.allocate(capacity: 1024)
            defer { partials.deallocate() }
            let body: (Range<Int>) -> Void = { r in
                var s = 0.0
                for i in r { s += Double(i & 7) }
                partials[r.lowerBound % 1024] = s
            }
            for _ in benchmark.scaledIterations {
                Parallel.withThreadCount(2) {
                    if progress { parallelFor(0..<100_000_000, progress: "loop", body) }
                    else { parallelFor(0..<100_000_000, body) }
                }
            }
        }
    }

    // MARK: Reduction over 1e8 doubles (800 MB): divide 0.8 by the time in s for GB/s.

    for threads in [1, 2] {
        bench("Sum 1e8 doubles: parallelSum (deterministic), \(threads) thread\(threads > 1 ? "s" : "")", sum) { benchmark in
            let data = SumData.shared.buffer
            for _ in benchmark.scaledIterations {
                Benchmark.blackHole(Parallel.withThreadCount(threads) { parallelSum(UnsafeBufferPointer(data)) })
            }
        }
        bench("Sum 1e8 doubles: parallelReduce of SIMD8 chunks (thread-dependent bits), \(threads) thread\(threads > 1 ? "s" : "")",
              sum) { benchmark in
            let data = SumData.shared.buffer
            for _ in benchmark.scaledIterations {
                Benchmark.blackHole(Parallel.withThreadCount(threads) {
                    parallelReduce(0..<data.count / 8, identity: 0.0, { r in
                        var acc = SIMD8<Double>(repeating: 0)
                        let raw = UnsafeRawPointer(data.baseAddress!)
                        for i in r { acc += raw.loadUnaligned(fromByteOffset: i * 64, as: SIMD8<Double>.self) }
                        return acc.sum()
                    }, combine: +)
                })
            }
        }
    }
    bench("Sum 1e8 doubles: serial loop (one chain)", sum) { benchmark in
        let data = SumData.shared.buffer
        for _ in benchmark.scaledIterations {
            var s = 0.0
            for x in data { s += x }
            Benchmark.blackHole(s)
        }
    }
}

/// Busy work for about `nanoseconds` (reads the clock until it has passed).
@inline(never)
func spin(nanoseconds: UInt64) {
    let end = monotonicNanos() &+ nanoseconds
    while monotonicNanos() < end {}
}

/// Registers one benchmark that runs every variant once per sample, in an
/// order that rotates from sample to sample, and reports each variant's time
/// in milliseconds as its own metric.
func interleaved(_ name: String, _ variants: [(String, @Sendable () -> Void)]) {
    let metrics = variants.map { BenchmarkMetric.custom($0.0, polarity: .prefersSmaller, useScalingFactor: false) }
    let round = SampleCounter()
    bench(name, .init(metrics: metrics, warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 15)) { benchmark in
        let r = round.next()
        for k in variants.indices {
            let v = (k + r) % variants.count
            let start = monotonicNanos()
            variants[v].1()
            benchmark.measurement(metrics[v], Int((monotonicNanos() - start) / 1_000_000))
        }
    }
}

final class SampleCounter: Sendable {
    private let count = Atomic<Int>(0)
    func next() -> Int { count.wrappingAdd(1, ordering: .relaxed).oldValue }
}

/// Registers a benchmark (a non-throwing closure, so the overload is clear).
func bench(_ name: String, _ configuration: Benchmark.Configuration = Benchmark.defaultConfiguration,
           _ body: @escaping (Benchmark) -> Void) {
    Benchmark(name, configuration: configuration, closure: body)
}

/// An escape-time fractal rendered row by row into a reused output.
final class EscapeTimeGrid: @unchecked Sendable {
    let width: Int, height: Int, maxIterations: Int32
    let isJulia: Bool
    let xs: [Double], ys: [Double]
    let counts: UnsafeMutableBufferPointer<Int32>

    static let julia = EscapeTimeGrid(julia: ())
    static let mandelbrot = EscapeTimeGrid(mandelbrot: ())
    static let mandelbrotUpperHalf = EscapeTimeGrid(mandelbrot: (), yFrom: 0)

    private init(julia: Void) {
        width = 1000; height = 1000; maxIterations = 300; isJulia = true
        xs = (0..<1000).map { -1.8 + Double($0) * 3.6 / 1000 }
        ys = xs
        counts = .allocate(capacity: width * height)
        counts.initialize(repeating: 0)
    }

    private init(mandelbrot: Void, yFrom yMin: Double = -1.3) {
        width = 500; height = 500; maxIterations = 1000; isJulia = false
        // NumPy linspace: start + j * step, step = (stop - start) / (n - 1).
        let (stepX, stepY) = ((0.77 - -2.13) / 499, (1.3 - yMin) / 499)
        xs = (0..<500).map { -2.13 + Double($0) * stepX }
        ys = (0..<500).map { yMin + Double($0) * stepY }
        counts = .allocate(capacity: width * height)
        counts.initialize(repeating: 0)
    }

    func render(schedule: Schedule) {
        parallelFor(0..<height, schedule: schedule) { rows in
            for y in rows { isJulia ? juliaRow(y) : mandelbrotRow(y) }
        }
    }

    /// The same rows through Dispatch (rows claimed one at a time).
    func renderWithDispatch() {
        DispatchQueue.concurrentPerform(iterations: height) { y in isJulia ? juliaRow(y) : mandelbrotRow(y) }
    }

    var checksum: Int { counts.reduce(0) { $0 + Int($1) } }

    @inline(__always)
    private func juliaRow(_ y: Int) {
        let (cr, ci) = (-0.62772, -0.42193)
        let row = counts.baseAddress! + y * width
        for x in 0..<width {
            var (zr, zi) = (xs[x], ys[y])
            var n: Int32 = 0
            while n < maxIterations && zr * zr + zi * zi < 4 {
                (zr, zi) = (zr * zr - zi * zi + cr, 2 * zr * zi + ci)
                n += 1
            }
            row[x] = n
        }
    }

    @inline(__always)
    private func mandelbrotRow(_ y: Int) {
        let ci = ys[y]
        let row = counts.baseAddress! + y * width
        for x in 0..<width {
            let cr = xs[x]
            var (zr, zi) = (0.0, 0.0)
            var n: Int32 = 0
            while n < maxIterations && zr * zr + zi * zi <= 4 {
                (zr, zi) = (zr * zr - zi * zi + cr, 2 * zr * zi + ci)
                n += 1
            }
            row[x] = n
        }
    }
}

/// 1e8 doubles in [0, 1), made once (outside timing) in parallel.
final class SumData: @unchecked Sendable {
    static let shared = SumData()
    let storage: AlignedBuffer<Double>
    var buffer: UnsafeMutableBufferPointer<Double> { storage.buffer }

    private init() {
        storage = AlignedBuffer<Double>(uninitializedCount: 100_000_000)
        let out = storage.buffer
        parallelFor(0..<out.count) { r in
            for i in r { out[i] = Double(UInt64(i) &* 0x9E37_79B9_7F4A_7C15 >> 11) * 0x1p-53 }
        }
    }
}
