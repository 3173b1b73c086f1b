#!/usr/bin/env bash
# CI: run every shell example of README.md and docs/*.md with the built
# release `celer` (scripts/doc-examples.py; the rules are in docs/compare.md,
# "Running the documentation's examples"). A documented command that breaks
# fails CI. Needs python3 (the script's only dependency: the standard
# library) and GNU time (docs/profiling.md compares with /usr/bin/time -v).
# Idempotent; call it after `swift build -c release` (it builds if needed).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v python3 >/dev/null 2>&1 || missing+=(python3)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

swift build -c release --product celer
python3 scripts/doc-examples.py --self-test --celer .build/release/celer
