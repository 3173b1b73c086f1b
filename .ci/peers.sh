#!/usr/bin/env bash
# The Python peers beyond peers/requirements.txt: PyPy (Debian's pypy3) for the
# pypy peer and Pythran (PyPI) for the pythran peer. Run as root on Debian 12
# after .ci/run's `pip install -r peers/requirements.txt` (Pythran needs numpy
# and g++, which .ci/run installs). Idempotent. A failed install never fails
# CI: that peer's row in `celer compare --peers` then says what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v pypy3 >/dev/null 2>&1; then
    echo "== apt-get install pypy3"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pypy3; } \
        || echo "warning: could not install pypy3; the pypy peer will be skipped" >&2
fi

if ! command -v python3 >/dev/null 2>&1; then
    echo "warning: python3 not found; the pythran peer will be skipped" >&2
elif ! python3 -c "import pythran" >/dev/null 2>&1; then
    echo "== pip install pythran"
    # Pythran 0.19 asks for setuptools<60 on Python < 3.12, which would downgrade
    # the setuptools that requirements.txt (the Cython build) asks for; it builds
    # fine with the newer one, so install it and its other dependencies without
    # letting pip touch setuptools. Failing that, a plain install.
    python3 -m pip install -q --no-deps "pythran==0.19.*" "gast~=0.7.0" "beniget~=0.5.0" "ply>=3.4" \
        || python3 -m pip install -q pythran \
        || echo "warning: pip could not install pythran; the pythran peer will be skipped" >&2
fi
