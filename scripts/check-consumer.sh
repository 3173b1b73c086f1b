#!/usr/bin/env bash
# Builds a fresh package that depends on a *tagged* copy of Celer by version
# (`.package(url:from:)`), as a user would, and uses every library product.
# SwiftPM refuses unsafe build flags in such dependencies; this check keeps
# Celer's manifest honest about that. Usage: scripts/check-consumer.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A tagged copy of the committed tree (what a release would be).
git -C "$root" archive --format=tar HEAD | (mkdir -p "$work/celer" && tar -x -C "$work/celer")
(cd "$work/celer" && git init -q && git add -A \
    && git -c user.name=ci -c user.email=ci@localhost commit -qm "release" && git tag 0.1.0)

mkdir -p "$work/consumer/Sources/consumer"
cat > "$work/consumer/Package.swift" <<MANIFEST
// swift-tools-version: 6.1
import PackageDescription
let package = Package(
    name: "consumer",
    dependencies: [.package(url: "file://$work/celer", from: "0.1.0")],
    targets: [
        .executableTarget(name: "consumer", dependencies: [
            .product(name: "CelerCore", package: "celer"),
            .product(name: "CelerParallel", package: "celer"),
            .product(name: "CelerArray", package: "celer"),
            .product(name: "CelerExpr", package: "celer"),
            .product(name: "CelerHarness", package: "celer"),
            .product(name: "CelerWorkloads", package: "celer"),
            .product(name: "CelerPlot", package: "celer"),
            .product(name: "CelerProfile", package: "celer"),
            .product(name: "CelerGPU", package: "celer"),
            .product(name: "CelerMPI", package: "celer"),
        ]),
    ]
)
MANIFEST
cat > "$work/consumer/Sources/consumer/main.swift" <<'SWIFT'
import CelerArray
import CelerCore
import CelerExpr
import CelerGPU
import CelerHarness
import CelerMPI
import CelerPlot
import CelerProfile
import CelerParallel
import CelerWorkloads
#if canImport(Glibc)
import Glibc
#endif

// Uses each product: an array sum, a parallel loop, and one validated rung.
let a = NDArray<Int64>.arange(0, 1000)
let total = parallelSum(count: 1000) { Double($0) }
var options = WorkloadOptions()
options.preset = .small
let julia = CaseStudies.all.first { $0.name == "julia" }!
let rows = try Harness.run(try julia.configure(options), variants: ["simd"],
                           settings: HarnessSettings(repeats: 1, warmup: 0))
print("sum", a.sum(), total, "julia simd ok:", rows[0].ok == true)
guard a.sum() == 499500, total == 499500, rows[0].ok == true else { exit(1) }
SWIFT

cd "$work/consumer"
swift build -q 2>&1 | tee "$work/build.log"
if grep -q "unsafe build flags" "$work/build.log"; then
    echo "consumer: FAILED: SwiftPM refuses Celer as a versioned dependency (unsafe build flags)" >&2
    exit 1
fi
swift run -q consumer
echo "consumer: OK (Celer used as a versioned dependency)"
