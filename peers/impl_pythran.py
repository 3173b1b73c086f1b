"""Pythran peers: compiles pythran_kernels.py on first use (needs the pythran
package and a C++ compiler with OpenMP, e.g. g++) into the module
`celer_pythran`, cached like the Cython build: under $CELER_PEERS_CACHE, else
$XDG_CACHE_HOME/celer/peers, else ~/.cache/celer/peers, keyed by the hash of
the source, the flags, Python's and Pythran's versions. The build happens in
a temporary folder renamed into place, so no run sees a half-built module;
its time is reported as compile_s, never timed."""
import hashlib
import importlib
import os
import shutil
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import pythran  # first: without it the row says "pythran not installed", whatever else is missing
import numpy as np

import inputs
from impl_cython import cache_root

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "pythran_kernels.py"
MODULE = "celer_pythran"
# No FMA contraction and no fast-math: the kernels round as the definitions do.
FLAGS = ["-O3", "-march=native", "-ffp-contract=off", "-fopenmp"]

build_seconds = None  # set when this process compiled the module


def load():
    """The compiled module, building it if needed."""
    global build_seconds
    key = SOURCE.read_bytes() + " ".join(FLAGS).encode() + sys.version.encode() + pythran.__version__.encode()
    target = cache_root() / ("pythran-" + hashlib.sha1(key).hexdigest()[:16])
    if not target.is_dir():
        t0 = time.perf_counter()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix="pythran-build-", dir=target.parent))
        try:
            _build(tmp)
            try:
                os.rename(tmp, target)
            except OSError:
                if not target.is_dir():
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        build_seconds = time.perf_counter() - t0
    if str(target) not in sys.path:
        sys.path.insert(0, str(target))
    return importlib.import_module(MODULE)


def _build(out_dir):
    from pythran import compile_pythranfile
    output = str(out_dir / (MODULE + sysconfig.get_config_var("EXT_SUFFIX")))
    try:
        compile_pythranfile(str(SOURCE), output_file=output, extra_compile_args=FLAGS,
                            extra_link_args=["-fopenmp"])
    except SystemExit as e:  # setuptools reports a compiler failure by exiting
        raise RuntimeError("pythran could not compile %s (%s); it needs a C++ compiler with OpenMP: "
                           "apt-get install g++" % (SOURCE.name, e))
    if not os.path.isfile(output):
        raise RuntimeError("pythran did not produce %s" % output)


# --- factories: inputs and outputs made here, only the call is timed ----------

def julia(p):
    py = load()
    xs, ys = inputs.julia_axes(p)
    out = np.empty((ys.size, xs.size), dtype=np.int32)

    def run():
        py.julia(xs, ys, p["c_re"], p["c_im"], p["maxiter"], out)
        return out
    return run


def mandelbrot(p):
    py = load()
    xs, ys = inputs.mandelbrot_axes(p)
    out = np.empty((ys.size, xs.size), dtype=np.int32)

    def run():
        py.mandelbrot(xs, ys, p["maxiter"], out)
        return out
    return run


def derivative(p):
    py = load()
    f = inputs.splitmix64_uniform(p["seed"], p["n"])
    out = np.empty(max(p["n"] - 2, 0))
    dx2 = p["dx"] * p["dx"]

    def run():
        py.derivative(f, dx2, out)
        return out
    return run


def laplacian(p):
    py = load()
    f = inputs.splitmix64_uniform(p["seed"], p["rows"] * p["cols"]).reshape(p["rows"], p["cols"])
    out = np.empty((max(p["rows"] - 2, 0), max(p["cols"] - 2, 0)))
    dx2, dy2 = p["dx"] * p["dx"], p["dy"] * p["dy"]

    def run():
        py.laplacian(f, dx2, dy2, out)
        return out
    return run


def diffusion(p):
    py = load()
    u0 = inputs.diffusion_initial(p)
    u, v = np.empty_like(u0), np.empty_like(u0)
    alpha, steps = p["d"] * p["dt"], p["steps"]

    def run():
        py.diffusion(u0, u, v, alpha, steps)
        return v if steps % 2 == 1 else u
    return run


def add(p):
    py = load()
    a, b = inputs.splitmix64_uniform(1, p["n"]), inputs.splitmix64_uniform(2, p["n"])
    c = np.empty_like(a)

    def run():
        py.add(a, b, c)
        return c
    return run
