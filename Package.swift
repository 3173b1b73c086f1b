// swift-tools-version: 6.1
//
// Celer: high-performance numerical computing for Swift on Linux.
//
// Imports flow one way:
//   CelerCore ← CelerParallel ← CelerArray ← CelerWorkloads ← celer
//   CelerCore ← CelerPlot ← CelerProfile ← celer
//
// Wide SIMD: a default Swift release build targets baseline x86-64 (SSE2), which
// halves the speed of SIMD8<Double> kernels. Release builds of this package pass
// `-target-cpu haswell` (AVX2 + FMA instructions, any x86-64 CPU since 2013).
// Swift does not contract a*b+c into FMA, so results stay bit-reproducible.
// See README "Wide SIMD and depending on Celer".
import PackageDescription

let simd: [SwiftSetting] = [
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
        .target(name: "CelerWorkloads", dependencies: [
            "CelerCore", "CelerParallel", "CelerArray",
            .product(name: "Numerics", package: "swift-numerics"),
        ], swiftSettings: simd),
        .executableTarget(name: "celer", dependencies: [
            "CelerCore", "CelerParallel", "CelerArray", "CelerPlot", "CelerProfile", "CelerWorkloads",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: simd),

        .testTarget(name: "CelerCoreTests", dependencies: ["CelerCore"]),
        .testTarget(name: "CelerParallelTests", dependencies: ["CelerParallel"]),
        .testTarget(name: "CelerArrayTests", dependencies: ["CelerArray", "CelerParallel"]),
        .testTarget(name: "CelerPlotTests", dependencies: ["CelerPlot"]),
        .testTarget(name: "CelerExprTests", dependencies: ["CelerExpr", "CelerArray", "CelerParallel"]),
        .testTarget(name: "CelerProfileTests", dependencies: ["CelerProfile"]),
        .testTarget(name: "CelerWorkloadsTests", dependencies: ["CelerWorkloads"]),
        .testTarget(name: "CelerCLITests", dependencies: ["celer"]),
    ]
)
