#!/usr/bin/env bash
# The GPU checks, for a machine with an NVIDIA GPU and no Swift toolchain
# (the project's H200 machine). Build the binary where Swift is, carry it:
#
#   swift build -c release --static-swift-stdlib --product celer
#   strip -o /tmp/celer-gpu .build/release/celer && gzip -c /tmp/celer-gpu > celer-gpu.gz
#                                                    # 24 MB (63 MB unpacked); carry it
#   OUT=/some/dir scripts/gpu-check.sh ./celer-gpu.gz   # on the GPU machine
#
# Runs, each step bounded by `timeout` and the whole by $BUDGET (420 s) for
# starting new steps, in about 6 minutes on an H200 (estimated, not yet run):
#   1. `celer gpu --selftest`: driver, device, NVRTC, device arrays, copies,
#      the kernel builders, the caches, out-of-memory and launch errors, and
#      the device-to-device copy bandwidth;
#   2. `celer compare` of the GPU rungs beside the best CPU rung and the GPU
#      peers (CuPy, CuPy kernels, Numba CUDA) at the seed sizes, whose exact
#      validation values are known;
#   3. the same at GPU-sized problems (laplacian 16384², add 2^28, julia
#      8192², mandelbrot 4096², π(10^11), ...), validated against the CPU in
#      the same run.
# Writes $OUT/gpu-check.log (everything), $OUT/selftest.txt, and one JSON
# and one table per workload and size ($OUT/seed-NAME.json, $OUT/big-NAME.json).
# Exit status: 0 when every check passed and no row failed validation.
set -uo pipefail
cd "$(dirname "$0")/.."

BIN=${1:-${CELER_BIN:-.build/release/celer}}
OUT=${OUT:-$PWD/gpu-check-out}
mkdir -p "$OUT"
LOG=$OUT/gpu-check.log
: > "$LOG"
say() { echo "== [$(date +%H:%M:%S)] $*" | tee -a "$LOG"; }
status=0

if [ "${BIN%.gz}" != "$BIN" ] && [ -f "$BIN" ]; then  # a gzipped binary: unpack it first
    gunzip -c "$BIN" > "${TMPDIR:-/tmp}/celer-gpu-check" && chmod +x "${TMPDIR:-/tmp}/celer-gpu-check"
    BIN=${TMPDIR:-/tmp}/celer-gpu-check
fi
if [ ! -x "$BIN" ]; then
    echo "gpu-check: no celer binary at $BIN (build it with swift build -c release --static-swift-stdlib)" | tee -a "$LOG" >&2
    exit 2
fi

# Kernels compiled in this run are cached here (and come back with $OUT).
export CELER_GPU_CACHE_DIR=${CELER_GPU_CACHE_DIR:-$OUT/kernel-cache}

# NVRTC: celer searches the pip wheels under the usual site-packages; CuPy's
# may live in an interpreter it does not know, so ask Python as well.
if [ -z "${CELER_NVRTC:-}" ] && command -v python3 >/dev/null 2>&1; then
    found=$(python3 - <<'PY' 2>/dev/null
import glob, os, site, sys, sysconfig
dirs = set(site.getsitepackages() + [site.getusersitepackages(), sysconfig.get_paths()["purelib"]])
hits = [p for d in dirs for p in glob.glob(os.path.join(d, "nvidia", "*", "lib", "libnvrtc.so.*"))]
hits += glob.glob("/usr/local/cuda*/lib64/libnvrtc.so.*")
hits = [p for p in hits if p.rsplit(".", 1)[-1].isdigit() and p.count(".so.") == 1]
print(sorted(hits, key=lambda p: int(p.rsplit(".", 1)[-1]))[0] if hits else "")
PY
)
    # The lowest CUDA major found: a newer NVRTC than the driver makes images it cannot load.
    if [ -n "$found" ]; then export CELER_NVRTC=$found; fi
fi

say "machine"
{ nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.memory --format=csv 2>&1 || true
  nproc; uname -r; python3 -c "import cupy; print('cupy', cupy.__version__)" 2>&1 || true
  python3 -c "import numba; print('numba', numba.__version__)" 2>&1 || true; } | tee -a "$LOG"

say "celer gpu --selftest"
timeout 180 "$BIN" gpu --selftest 2>&1 | tee "$OUT/selftest.txt" | tee -a "$LOG"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

# compare NAME SIZE-LABEL VARIANTS ARGS...: one workload, table in the log, JSON beside it.
# Steps that would start after $BUDGET seconds are skipped (the device time is limited).
BUDGET=${BUDGET:-420}
START=$(date +%s)
compare() {
    local name=$1 label=$2 variants=$3
    shift 3
    if [ $(( $(date +%s) - START )) -gt "$BUDGET" ]; then
        say "skipped (past the ${BUDGET} s budget): celer compare $name $*"
        return
    fi
    say "celer compare $name $* --variant $variants"
    timeout 240 "$BIN" compare "$name" "$@" --peers --variant "$variants" --repeat "${REPEAT:-5}" --time-budget 1 \
        --format json > "$OUT/$label-$name.json" 2>> "$LOG"
    local rc=$?
    [ $rc -eq 0 ] || { echo "   exit status $rc" | tee -a "$LOG"; status=1; }
    python3 - "$OUT/$label-$name.json" <<'PY' 2>&1 | tee -a "$LOG" | tee "$OUT/$label-$name.txt" > /dev/null
import json, sys
try:
    rows = json.load(open(sys.argv[1]))
except Exception as e:
    print("   (no JSON: %s)" % e); sys.exit(0)
for r in rows:
    med = r.get("median_s")
    rate = ("%.1f GB/s" % r["gbps"]) if r.get("gbps") else (("%.1f GFLOP/s" % r["gflops"]) if r.get("gflops") else "")
    phases = " ".join("%s %.3g s" % kv for kv in (r.get("phases_s") or {}).items())
    state = r.get("skipped") and "skipped: " + r["skipped"] or ("OK" if r.get("ok") else "FAIL %s" % r.get("validation"))
    print("   %-14s %-26s %10s %14s  %s  %s" % (r.get("variant"), r["backend"]["label"], "%.4g s" % med if med else "-",
                                             rate, state, phases))
PY
}

GPU_PEERS=cupy,cupy-kernel,numba-cuda
say "seed sizes (exact validation values)"
compare julia seed parallel,gpu,$GPU_PEERS --size seed
compare mandelbrot seed parallel,cardioid,gpu,gpu-cardioid,$GPU_PEERS --size seed
compare sieve seed parallel,gpu,cupy --size seed
compare derivative seed parallel,gpu,$GPU_PEERS --size seed
compare laplacian seed parallel,gpu,$GPU_PEERS --size seed
compare diffusion seed blocked,gpu,gpu-tiled,cupy,cupy-kernel --size seed
compare add seed parallel,gpu,$GPU_PEERS --size seed

# Without exact values, rows are checked against the study's first rung run
# once (untimed); the sizes keep that CPU reference under about 20 s each.
say "GPU-sized problems (validated against the CPU in the same run)"
REPEAT=3
compare laplacian big parallel,gpu,$GPU_PEERS --size 16384,16384
compare add big parallel,gpu,$GPU_PEERS --size 268435456
compare julia big parallel,gpu,$GPU_PEERS --size 8192x8192
compare mandelbrot big cardioid,gpu,gpu-cardioid,$GPU_PEERS --size 4096x4096
compare sieve big-count parallel,gpu --limit 100000000000 --count-only
compare sieve big parallel,gpu,cupy --limit 1000000000
compare derivative big parallel,gpu,$GPU_PEERS --size 268435456
compare diffusion big blocked,gpu,gpu-tiled,cupy-kernel --size 2048,2048 --steps 200

say "done: status $status (results in $OUT)"
exit $status
