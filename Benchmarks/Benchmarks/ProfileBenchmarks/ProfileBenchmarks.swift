import Benchmark
import CelerProfile

// The cost of CelerProfile's instruments. Note: CelerProfile replaces the C
// allocator of the binary (its malloc-counting wrappers call glibc directly),
// so this suite's malloc metrics from the MallocInterposer trait read zero.
let benchmarks: @Sendable () -> Void = {
    let perSpan = Benchmark.Configuration(metrics: [.wallClock, .throughput], scalingFactor: .kilo)

    Benchmark("span, profiling off", configuration: perSpan) { benchmark in
        Profiler.stop()
        for i in benchmark.scaledIterations { profile("bench span") { blackHole(i) } }
    }

    Benchmark("span, profiling on", configuration: perSpan) { benchmark in
        Profiler.reset()
        Profiler.start(memory: false)
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations { profile("bench span") { blackHole(i) } }
        benchmark.stopMeasurement()
        Profiler.stop()
    }

    Benchmark("span, profiling on with memory counting", configuration: perSpan) { benchmark in
        Profiler.reset()
        Profiler.start(memory: true)
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations { profile("bench span") { blackHole(i) } }
        benchmark.stopMeasurement()
        Profiler.stop()
    }

    Benchmark("64-byte array, malloc counting off", configuration: perSpan) { benchmark in
        AllocationCounter.disable()
        for _ in benchmark.scaledIterations { blackHole([UInt8](repeating: 1, count: 64)) }
    }

    Benchmark("64-byte array, malloc counting on", configuration: perSpan) { benchmark in
        AllocationCounter.enable()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { blackHole([UInt8](repeating: 1, count: 64)) }
        benchmark.stopMeasurement()
        AllocationCounter.disable()
    }

    Benchmark("resident memory sample (/proc/self/statm)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(ProcessMemory.residentBytes()) }
    }
}
