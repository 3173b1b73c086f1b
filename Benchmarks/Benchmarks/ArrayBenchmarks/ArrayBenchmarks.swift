import Benchmark

// SKELETON STUB: the suite's benchmarks come with its module.
let benchmarks: @Sendable () -> Void = {}
