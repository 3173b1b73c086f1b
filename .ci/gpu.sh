#!/usr/bin/env bash
# CI for CelerGPU (no GPU on CI): install NVRTC from PyPI so the tests in
# Tests/CelerGPUTests compile every shipped and generated kernel to CUBIN for
# sm_90 and sm_80 and to PTX, with CUDA 12's and CUDA 13's NVRTC.
#
#   bash .ci/gpu.sh          install NVRTC (run before `swift test`)
#   bash .ci/gpu.sh test     also run the GPU test suite on its own
#
# Idempotent; as root on a fresh Debian 12 machine. Fails if no libnvrtc can
# be found afterwards: without it the compile tests would only be skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-pip
fi

# CUDA 12 (nvidia/cuda_nvrtc/lib) and CUDA 13 (nvidia/cu13/lib); about 250 MB.
# (`nvidia-cuda-nvrtc-cu13` is only a placeholder: CUDA 13 is the unsuffixed name.)
python3 -m pip install -q --disable-pip-version-check nvidia-cuda-nvrtc-cu12 nvidia-cuda-nvrtc \
    || python3 -m pip install -q --disable-pip-version-check --break-system-packages nvidia-cuda-nvrtc-cu12 nvidia-cuda-nvrtc

found=$(python3 - <<'PY'
import glob, os, site, sysconfig
dirs = set(site.getsitepackages() + [site.getusersitepackages(), sysconfig.get_paths()["purelib"]])
libs = sorted(p for d in dirs for p in glob.glob(os.path.join(d, "nvidia", "*", "lib", "libnvrtc.so.*"))
              if p.count(".so.") == 1 and p.rsplit(".", 1)[-1].isdigit())
print("\n".join(libs))
PY
)
if [ -z "$found" ]; then
    echo "error: NVRTC was installed but no libnvrtc.so.N found under site-packages" >&2
    exit 1
fi
echo "NVRTC for the GPU compile tests:"
echo "$found" | sed 's/^/  /'

if [ "${1:-}" = "test" ]; then
    swift test --filter CelerGPUTests
fi
