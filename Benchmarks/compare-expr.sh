#!/usr/bin/env bash
# CelerExpr's micro-benchmarks (ExprBench: fused and unfused NDArray) and the
# NumPy/numexpr peer script, one after the other in one invocation, so the
# ratios come from the same machine state:
#
#   Benchmarks/compare-expr.sh                  # 7 timed batches per case
#   Benchmarks/compare-expr.sh --repeat 15
#   Benchmarks/compare-expr.sh --threads 2      # CELER_NUM_THREADS for Celer
#
# Needs python3 with numpy (numexpr optional: pip install numexpr).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repeat=7
while [ $# -gt 0 ]; do
    case "$1" in
        --repeat)
            [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "compare-expr.sh: --repeat needs a positive count" >&2; exit 2; }
            repeat="$2"; shift 2 ;;
        --threads)
            [ $# -ge 2 ] && [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "compare-expr.sh: --threads needs a positive count" >&2; exit 2; }
            export CELER_NUM_THREADS="$2"; shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "compare-expr.sh: unknown option '$1' (allowed: --repeat N, --threads N)" >&2; exit 2 ;;
    esac
done
command -v python3 >/dev/null && python3 -c 'import numpy' 2>/dev/null \
    || { echo "compare-expr.sh: python3 with numpy is needed for the peer side" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "# CelerExpr vs NumPy and numexpr, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores"
grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || true
echo
cd "$here"
swift build -c release --product ExprBench >&2
"$(swift build -c release --show-bin-path)/ExprBench" --repeat "$repeat" --json "$work/celer.json"
echo
python3 "$here/peers/expr_numexpr.py" --repeat "$repeat" --celer "$work/celer.json"
