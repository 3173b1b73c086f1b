// swift-tools-version: 6.1
//
// Celer's benchmark suites (ordo-one/benchmark), a package of their own so the
// main build needs none of its dependencies. Run from this folder:
//   swift package benchmark --target ParallelBenchmarks
import PackageDescription

let simd: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]

func suite(_ name: String, _ deps: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name,
        dependencies: deps + [.product(name: "Benchmark", package: "benchmark")],
        path: "Benchmarks/\(name)",
        swiftSettings: simd,
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")])
}

let package = Package(
    name: "CelerBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Celer", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        suite("ParallelBenchmarks", [
            .product(name: "CelerParallel", package: "Celer"), .product(name: "CelerCore", package: "Celer"),
        ]),
        suite("ArrayBenchmarks", [.product(name: "CelerArray", package: "Celer")]),
        suite("WorkloadBenchmarks", [.product(name: "CelerWorkloads", package: "Celer")]),
        suite("ProfileBenchmarks", [.product(name: "CelerProfile", package: "Celer")]),
    ]
)
