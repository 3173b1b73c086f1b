// swift-tools-version: 6.1
//
// Celer: high-performance numerical computing for Swift on Linux.
//
// Imports flow one way:
//   CelerCore ← CelerParallel ← CelerHarness (the case-study contract, no workload)
//   CelerCore ← CelerParallel ← CelerArray ← CelerWorkloads (algorithms, CPU schedules) ← celer
//   CelerHarness ← CelerWorkloads;  backends (GPU, MPI) ← the registry in celer
//   CelerCore ← CelerPlot ← CelerProfile ← celer
//
// Wide SIMD: a default Swift release build targets baseline x86-64 (SSE2), which
// halves the speed of SIMD8<Double> kernels. When Celer is the root package (or
// a local path dependency), release builds pass `-target-cpu haswell` (AVX2 + FMA
// instructions, any x86-64 CPU since 2013). Swift does not contract a*b+c into
// FMA, so results stay bit-reproducible.
//
// SwiftPM refuses unsafe flags in a package used as a versioned dependency, so
// when this manifest is evaluated as a checkout of one (under `…/checkouts/`),
// it leaves them out: dependants get a portable baseline build with the same
// results (scripts/check-consumer.sh builds such a dependant in CI). They can
// pass `-Xswiftc -target-cpu -Xswiftc haswell` themselves for the wide build.
// See README "Wide SIMD and depending on Celer".
import PackageDescription

/// Whether this manifest is being evaluated for a source-control checkout
/// (a versioned dependency of another package) rather than as the root.
let isVersionedDependency = Context.packageDirectory.contains("/checkouts/")

let simd: [SwiftSetting] = isVersionedDependency ? [] : [
    .unsafeFlags(["-target-cpu", "haswell"], .when(platforms: [.linux], configuration: .release)),
]

let package = Package(
    name: "Celer",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "celer", targets: ["celer"]),
        .library(name: "CelerCore", targets: ["CelerCore"]),
        .library(name: "CelerParallel", targets: ["CelerParallel"]),
        .library(name: "CelerArray", targets: ["CelerArray"]),
        .library(name: "CelerPlot", targets: ["CelerPlot"]),
        .library(name: "CelerProfile", targets: ["CelerProfile"]),
        .library(name: "CelerHarness", targets: ["CelerHarness"]),
        .library(name: "CelerWorkloads", targets: ["CelerWorkloads"]),
        .library(name: "CelerExpr", targets: ["CelerExpr"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        // C shims: header-only module maps, nothing compiled.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCelerSystem"),
        // Counting malloc/free wrappers (compiled C) for CelerProfile's memory profiler.
        .target(name: "_CelerMallocCounter"),

        .target(name: "CelerCore", dependencies: ["CCelerSystem"], swiftSettings: simd),
        .target(name: "CelerParallel", dependencies: ["CelerCore"], swiftSettings: simd),
        .target(name: "CelerArray", dependencies: [
            "CelerCore", "CelerParallel",
            .product(name: "Numerics", package: "swift-numerics"),
        ], swiftSettings: simd),
        .target(name: "CelerPlot", dependencies: ["CelerCore", "CZlib"], swiftSettings: simd),
        // Fused (lazy, block-by-block) array expressions over NDArray: numexpr's role.
        .target(name: "CelerExpr", dependencies: ["CelerCore", "CelerParallel", "CelerArray"], swiftSettings: simd),
        .target(name: "CelerProfile", dependencies: ["CelerCore", "CelerPlot", "CCelerSystem", "_CelerMallocCounter"], swiftSettings: simd),
        .target(name: "CelerHarness", dependencies: ["CelerCore", "CelerParallel"], swiftSettings: simd),
        .target(name: "CelerWorkloads", dependencies: [
            "CelerCore", "CelerParallel", "CelerArray", "CelerHarness", "CelerExpr",
            .product(name: "Numerics", package: "swift-numerics"),
        ], swiftSettings: simd),
        .executableTarget(name: "celer", dependencies: [
            "CelerCore", "CelerParallel", "CelerArray", "CelerPlot", "CelerProfile", "CelerHarness", "CelerWorkloads",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: simd),

        .testTarget(name: "CelerCoreTests", dependencies: ["CelerCore"]),
        .testTarget(name: "CelerParallelTests", dependencies: ["CelerParallel"]),
        .testTarget(name: "CelerArrayTests", dependencies: ["CelerArray", "CelerParallel"]),
        .testTarget(name: "CelerPlotTests", dependencies: ["CelerPlot"]),
        .testTarget(name: "CelerExprTests", dependencies: ["CelerExpr", "CelerArray", "CelerParallel"]),
        .testTarget(name: "CelerProfileTests", dependencies: ["CelerProfile"]),
        .testTarget(name: "CelerHarnessTests", dependencies: ["CelerHarness"]),
        .testTarget(name: "CelerWorkloadsTests", dependencies: ["CelerWorkloads", "CelerHarness"]),
        .testTarget(name: "CelerCLITests", dependencies: ["celer"]),
    ]
)
