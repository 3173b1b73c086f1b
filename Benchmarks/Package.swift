// swift-tools-version: 6.1
//
// Celer's benchmark suites (ordo-one/benchmark), a package of their own so the
// main build needs none of its dependencies. Run from this folder:
//   swift package benchmark --target ParallelBenchmarks
import PackageDescription

let simd: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]

/// A product of the Celer package. (Celer's C shim target must not be named
/// `CSystem`: apple/swift-system, which the benchmark package uses, has a
/// target of that name, and SwiftPM cannot alias C modules.)
func celer(_ product: String) -> Target.Dependency {
    .product(name: product, package: "Celer")
}

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
        // Named, because a path dependency is otherwise known by its folder's name.
        .package(name: "Celer", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        suite("ParallelBenchmarks", [celer("CelerParallel"), celer("CelerCore")]),
        suite("ArrayBenchmarks", [celer("CelerArray")]),
        suite("WorkloadBenchmarks", [celer("CelerWorkloads")]),
        suite("ProfileBenchmarks", [celer("CelerProfile")]),
        // Fused expressions vs NDArray (and, in compare-expr.sh, NumPy and numexpr):
        // a plain executable, no benchmark plugin.
        .executableTarget(name: "ExprBench",
                          dependencies: [celer("CelerExpr"), celer("CelerArray"), celer("CelerCore"), celer("CelerParallel")],
                          path: "Benchmarks/ExprBench", swiftSettings: simd),
    ]
)
