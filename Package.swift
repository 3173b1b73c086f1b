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
        // `celer lprof run` preloads this into the program it profiles.
        .library(name: "CelerLprofPreload", type: .dynamic, targets: ["_CelerLprofPreload"]),
        .library(name: "CelerGPU", targets: ["CelerGPU"]),
        .library(name: "CelerMPI", targets: ["CelerMPI"]),
        .executable(name: "celer-mpi-selftest", targets: ["celer-mpi-selftest"]),
    ],
    // `swift build --traits MPI` turns on the distributed backend (CelerMPI,
    // docs/distributed.md); the default build needs no MPI installed.
    traits: [
        .trait(name: "MPI", description: "CelerMPI on the system's MPI library (pkg-config ompi-c; apt libopenmpi-dev)"),
        .default(enabledTraits: []),
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
        // The sampling profiler's signal handler and timers (compiled C), and
        // the LD_PRELOAD library that wraps it for `celer lprof run`.
        .target(name: "_CelerSampler"),
        .target(name: "_CelerLprofPreload"),
        // Test programs for the sampling profiler and `celer annotate`.
        .executableTarget(name: "celer-lprof-demo", path: "Tests/LprofDemo",
                          swiftSettings: isVersionedDependency ? [] : [.unsafeFlags(["-O", "-g"])]),
        // MPI's handle macros as static inline functions (Open MPI and MPICH); only with the MPI trait.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev", "openmpi-bin"]), .brew(["open-mpi"])]),

        .target(name: "CelerCore", dependencies: ["CCelerSystem"], swiftSettings: simd),
        .target(name: "CelerParallel", dependencies: ["CelerCore"], swiftSettings: simd),
        .target(name: "CelerArray", dependencies: [
            "CelerCore", "CelerParallel",
            .product(name: "Numerics", package: "swift-numerics"),
        ], swiftSettings: simd),
        .target(name: "CelerPlot", dependencies: ["CelerCore", "CZlib"], swiftSettings: simd),
        // Fused (lazy, block-by-block) array expressions over NDArray: numexpr's role.
        .target(name: "CelerExpr", dependencies: ["CelerCore", "CelerParallel", "CelerArray"], swiftSettings: simd),
        .target(name: "CelerProfile", dependencies: ["CelerCore", "CelerPlot", "CCelerSystem", "CZlib", "_CelerMallocCounter", "_CelerSampler"], swiftSettings: simd),
        .target(name: "CelerHarness", dependencies: ["CelerCore", "CelerParallel"], swiftSettings: simd),
        .target(name: "CelerWorkloads", dependencies: [
            "CelerCore", "CelerParallel", "CelerArray", "CelerHarness", "CelerExpr",
            .product(name: "Numerics", package: "swift-numerics"),
        ], swiftSettings: simd),
        // CUDA through the driver API and NVRTC, both loaded at run time (no build-time CUDA).
        .target(name: "CelerGPU", dependencies: [
            "CelerCore", "CelerArray", "CelerHarness", "CelerWorkloads", "CCelerSystem",
            .product(name: "Numerics", package: "swift-numerics"),
        ], swiftSettings: simd),
        .target(name: "CelerMPI", dependencies: [
            "CelerCore", "CelerArray",
            .target(name: "CMPI", condition: .when(traits: ["MPI"])),
        ], swiftSettings: simd),
        .executableTarget(name: "celer-mpi-selftest", dependencies: ["CelerMPI", "CelerArray"]),
        // The MPI rungs of the case studies and `celer mpi-worker` (docs/distributed.md).
        .target(name: "CelerDistributed", dependencies: [
            "CelerCore", "CelerParallel", "CelerArray", "CelerHarness", "CelerWorkloads", "CelerMPI",
        ], swiftSettings: simd),
        .executableTarget(name: "celer", dependencies: [
            "CelerCore", "CelerParallel", "CelerArray", "CelerPlot", "CelerProfile", "CelerHarness", "CelerWorkloads",
            "CelerGPU", "CelerDistributed",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: simd),

        // Shared test helpers, for test targets only: TestRandom (CelerCore's SplitMix64
        // stream), exactSum, the NumPy oracle, random views. Imports Testing.
        .target(name: "_CelerTestSupport", dependencies: ["CelerCore", "CelerArray"], path: "Tests/_CelerTestSupport"),

        .testTarget(name: "CelerCoreTests", dependencies: ["CelerCore"]),
        .testTarget(name: "CelerParallelTests", dependencies: ["CelerParallel", "_CelerTestSupport"]),
        .testTarget(name: "CelerArrayTests", dependencies: ["CelerArray", "CelerParallel", "_CelerTestSupport"]),
        .testTarget(name: "CelerPlotTests", dependencies: ["CelerPlot"]),
        .testTarget(name: "CelerExprTests", dependencies: ["CelerExpr", "CelerArray", "CelerParallel", "_CelerTestSupport"]),
        .testTarget(name: "CelerProfileTests", dependencies: ["CelerProfile"]),
        .testTarget(name: "CelerHarnessTests", dependencies: ["CelerHarness"]),
        .testTarget(name: "CelerWorkloadsTests", dependencies: ["CelerWorkloads", "CelerHarness"]),
        .testTarget(name: "CelerCLITests", dependencies: ["celer"]),
        .testTarget(name: "CelerLprofTests", dependencies: ["CelerProfile", "celer", "celer-lprof-demo"]),
        .testTarget(name: "CelerGPUTests", dependencies: [
            "CelerGPU", "CelerArray", "CelerHarness", "CelerWorkloads",
            .product(name: "Numerics", package: "swift-numerics"),
        ]),
        .testTarget(name: "CelerMPITests", dependencies: ["CelerMPI", "celer-mpi-selftest", "CelerDistributed", "celer"]),
    ]
)
