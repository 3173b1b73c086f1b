#!/usr/bin/env bash
# The sampling profiler (`celer lprof`) and `celer annotate`: build the
# LD_PRELOAD library and run their tests. They use the Swift toolchain's own
# LLVM tools (llvm-symbolizer, llvm-objdump, llvm-nm, llvm-objcopy,
# llvm-profdata, llvm-cov, clang, swift-demangle) and gzip; no GPU, no root
# rights beyond apt. About a minute of test time (two tests burn 5 s of CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
apt-get update -qq
apt-get install -y -qq gzip zlib1g-dev >/dev/null
swift build --product CelerLprofPreload
swift build --product celer-lprof-demo
swift test --filter CelerLprofTests
