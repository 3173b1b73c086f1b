#!/usr/bin/env bash
# CelerArray's benchmark suite and NumPy's peer script, one after the other in
# one invocation, so both sets of numbers come from the same machine and state:
#
#   Benchmarks/compare-arrays.sh                   # NumPy: 10 timed runs each
#   Benchmarks/compare-arrays.sh --quick           # NumPy: 3 timed runs each
#   Benchmarks/compare-arrays.sh --repeat 20 --filter 'Laplacian.*'
#   Benchmarks/compare-arrays.sh --threads 1     # Celer on one thread, as NumPy
#
# 1. `swift package benchmark --target ArrayBenchmarks` (a release build; the
#    suite's own limits: 2 warm-ups, then up to 50 runs or 3 s per benchmark),
#    printed as package-benchmark's Markdown;
# 2. Benchmarks/peers/array_numpy.py on the same operations and sizes, whose
#    table adds Celer's p50 from step 1 and the ratio NumPy ÷ Celer (above 1:
#    Celer is faster).
# --quick, --repeat N and --warmup N go to the NumPy script; --filter RE (a
# regular expression matching whole benchmark names) to both; --threads N sets
# CELER_NUM_THREADS for the Swift suite (default: every available core).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
numpy_args=()
swift_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) numpy_args+=(--quick); shift ;;
        --repeat|--warmup)
            [ $# -ge 2 ] || { echo "compare-arrays.sh: $1 needs a value" >&2; exit 2; }
            numpy_args+=("$1" "$2"); shift 2 ;;
        --threads)
            [ $# -ge 2 ] || { echo "compare-arrays.sh: --threads needs a count" >&2; exit 2; }
            export CELER_NUM_THREADS="$2"; shift 2 ;;
        --filter)
            [ $# -ge 2 ] || { echo "compare-arrays.sh: --filter needs a regular expression" >&2; exit 2; }
            numpy_args+=(--filter "$2"); swift_args+=(--filter "$2"); shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "compare-arrays.sh: unknown option '$1' (allowed: --quick, --repeat N, --warmup N, --filter RE, --threads N)" >&2; exit 2 ;;
    esac
done

command -v python3 >/dev/null && python3 -c 'import numpy' 2>/dev/null \
    || { echo "compare-arrays.sh: python3 with numpy is needed for the NumPy side" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "# CelerArray vs NumPy, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
echo "$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')"
echo
echo "## Celer: swift package benchmark --target ArrayBenchmarks (CELER_NUM_THREADS=${CELER_NUM_THREADS:-unset: all cores})"
echo
cd "$here"
# Build output goes to stderr; the Markdown results to stdout (and the file).
swift package --disable-sandbox benchmark --target ArrayBenchmarks ${swift_args[@]+"${swift_args[@]}"} \
    --no-progress --format markdown --path stdout --time-units microseconds | tee "$work/celer.md"
echo
echo "## NumPy: Benchmarks/peers/array_numpy.py ${numpy_args[*]-}"
echo
python3 "$here/peers/array_numpy.py" ${numpy_args[@]+"${numpy_args[@]}"} --celer "$work/celer.md"
