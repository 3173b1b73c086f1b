"""Cython peers: builds celer_cy.pyx on first use (needs Cython and a C
compiler with OpenMP, e.g. gcc) into a cache keyed by the source's hash:
$CELER_PEERS_CACHE, else $XDG_CACHE_HOME/celer/peers, else ~/.cache/celer/peers.
The build is done in a temporary folder and renamed into place, so two runs
never see a half-built module."""
import hashlib
import importlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import inputs

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "celer_cy.pyx"
FLAGS = ["-O3", "-march=native", "-ffp-contract=off", "-fopenmp"]

build_seconds = None  # set when this process compiled the module


def cache_root():
    if os.environ.get("CELER_PEERS_CACHE"):
        return Path(os.environ["CELER_PEERS_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "celer" / "peers"


def load():
    """The compiled module, building it if needed."""
    global build_seconds
    digest = hashlib.sha1(SOURCE.read_bytes() + " ".join(FLAGS).encode() + sys.version.encode()).hexdigest()[:16]
    target = cache_root() / ("cy-" + digest)
    if not target.is_dir():
        import Cython  # noqa: F401  (a clear ImportError if missing)
        t0 = time.perf_counter()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix="cy-build-", dir=target.parent))
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
    return importlib.import_module("celer_cy")


def _build(out_dir):
    from Cython.Build import cythonize
    from setuptools import Distribution, Extension
    src = out_dir / "src" / "celer_cy.pyx"
    src.parent.mkdir()
    shutil.copy(SOURCE, src)
    ext = Extension("celer_cy", [str(src)], extra_compile_args=FLAGS, extra_link_args=["-fopenmp"],
                    include_dirs=[np.get_include()])
    dist = Distribution({"ext_modules": cythonize([ext], quiet=True, build_dir=str(out_dir / "c"))})
    cmd = dist.get_command_obj("build_ext")
    cmd.build_lib = str(out_dir)
    cmd.build_temp = str(out_dir / "tmp")
    dist.run_command("build_ext")
    shutil.rmtree(out_dir / "tmp", ignore_errors=True)


# --- factories ---------------------------------------------------------------

def _then(_, out):
    return out


def julia(p):
    cy = load()
    xs, ys = inputs.julia_axes(p)
    out = np.empty((ys.size, xs.size), dtype=np.int32)
    return lambda: _then(cy.julia(xs, ys, p["c_re"], p["c_im"], p["maxiter"], out), out)


def mandelbrot(p):
    cy = load()
    xs, ys = inputs.mandelbrot_axes(p)
    out = np.empty((ys.size, xs.size), dtype=np.int32)
    return lambda: _then(cy.mandelbrot(xs, ys, p["maxiter"], out), out)


def sieve(p):
    cy = load()
    limit, count_only = p["limit"], p["count_only"]
    composite = np.zeros((limit + 1) // 2, dtype=np.uint8)

    def run():
        if limit < 2:
            return 0 if count_only else np.zeros(0, dtype=np.int64)
        composite[:] = 0
        cy.sieve_mark(inputs.base_primes(limit), 1 << 17, composite)
        composite[0] = 1
        if count_only:
            return int(composite.size - np.count_nonzero(composite)) + 1
        odd = np.flatnonzero(composite == 0).astype(np.int64)
        odd *= 2
        odd += 1
        return np.concatenate((np.array([2], dtype=np.int64), odd))
    return run


def derivative(p):
    cy = load()
    f = inputs.splitmix64_uniform(p["seed"], p["n"])
    out = np.empty(max(p["n"] - 2, 0))
    dx2 = p["dx"] * p["dx"]
    return lambda: _then(cy.derivative(f, dx2, out), out)


def laplacian(p):
    cy = load()
    f = inputs.splitmix64_uniform(p["seed"], p["rows"] * p["cols"]).reshape(p["rows"], p["cols"])
    out = np.empty((max(p["rows"] - 2, 0), max(p["cols"] - 2, 0)))
    return lambda: _then(cy.laplacian(f, p["dx"] * p["dx"], p["dy"] * p["dy"], out), out)


def diffusion(p):
    cy = load()
    u0 = inputs.diffusion_initial(p)
    u, v = np.empty_like(u0), np.empty_like(u0)
    return lambda: np.asarray(cy.diffusion(u0, u, v, p["d"] * p["dt"], p["steps"]))


def add(p):
    cy = load()
    a, b = inputs.splitmix64_uniform(1, p["n"]), inputs.splitmix64_uniform(2, p["n"])
    c = np.empty_like(a)
    return lambda: _then(cy.add(a, b, c), c)
