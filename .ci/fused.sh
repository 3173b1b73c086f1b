#!/usr/bin/env bash
# CI for CelerExpr (fused array expressions), after .ci/run's build and tests.
# Idempotent; runs as root on a fresh Debian 12 machine. About 2-3 minutes.
#   1. pip: numexpr (the benchmark peer) and nvidia-cuda-nvrtc-cu12 (so the
#      CUDA emitter's NVRTC compile test runs instead of skipping; no GPU needed).
#   2. A longer differential run than `swift test`'s default (fused vs unfused
#      bit for bit, vs NumPy within a bound): 20000 cases or 90 s, another seed.
#   3. The fused tests under ThreadSanitizer (the parallel block scheduler,
#      reductions, concurrent use of one compiled expression).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { echo "== fused [$(( $(date +%s) - start )) s] $*"; }

if command -v python3 >/dev/null 2>&1; then
    step "pip install numexpr nvidia-cuda-nvrtc-cu12"
    python3 -m pip install -q numexpr || echo "warning: pip could not install numexpr (benchmarks only)" >&2
    python3 -m pip install -q nvidia-cuda-nvrtc-cu12 \
        || echo "warning: pip could not install nvidia-cuda-nvrtc-cu12; the NVRTC compile test will be skipped" >&2
fi

step "differential run: 20000 cases or 90 s (seed 7)"
CELER_EXPR_CASES=20000 CELER_EXPR_SECONDS=90 CELER_EXPR_SEED=7 \
    swift test --filter "CelerExprTests.DifferentialTests|CelerExprTests.CUDAEmitterTests"

step "swift test --sanitize=thread --filter CelerExprTests (short differential run)"
CELER_EXPR_CASES=300 CELER_EXPR_SECONDS=20 \
    swift test --sanitize=thread --filter "CelerExprTests"
step "done"
