#!/usr/bin/env python3
"""Runs the Python peers of one Celer workload and prints one JSON object per
peer on stdout, as it finishes:

  {"workload": "julia", "impl": "numba-parallel", "threads": 2,
   "times": [0.045, ...], "compile_s": 0.61,
   "validation": [["sum", "i", "33219980"]], "skipped": null}

A peer that raises while running gets an "error" field instead (Celer
reports it as a failure).

Validation values are [name, "i" (integer) or "r" (real), value as text] so
that Celer reads them back without loss. `skipped` gives the reason a peer did
not run (missing package, over the time budget). Timing matches Celer's
harness: `--warmup` untimed calls, then up to `--repeat` timed calls, stopping
early once `--budget` seconds of timed calls are spent; only the call is timed.

Usage: run_peer.py WORKLOAD --params JSON [--repeat 5] [--warmup 1]
       [--threads N] [--budget 2] [--max-run 10] [--impls a,b]
       run_peer.py --list
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

INSTALL = "pip install -r peers/requirements.txt"

# Peers of each workload, in table order: name -> (threaded, factory spec).
# The one peer table (peers.json), shared with celer's Swift side.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers.json")) as _f:
    _TABLE = json.load(_f)
PEERS = _TABLE["workloads"]
THREADED = set(_TABLE["threaded"])


class Budget:
    """Projects a pure-Python run's time from its progress and gives up early."""

    def __init__(self, limit):
        self.limit = limit
        self.start = None

    def begin(self):
        self.start = time.perf_counter()

    def tick(self, done, total):
        import impl_python
        if self.start is None or done <= 0:
            return
        elapsed = time.perf_counter() - self.start
        if elapsed > 0.25 and elapsed * total / done > self.limit:
            raise impl_python.OverBudget("pure Python: about %.0f s per run projected (limit %g s; --peer-max-run)"
                                         % (elapsed * total / done, self.limit))


def factory(workload, impl, p, budget, threads):
    """(run, note) for a peer; raises ImportError for a missing package."""
    if impl == "python":
        import impl_python
        return impl_python.KERNELS[workload](p, budget)
    if impl in ("numpy", "numpy-out"):
        import impl_numpy
        if impl == "numpy-out":
            return impl_numpy.add_out(p)
        return getattr(impl_numpy, workload)(p)
    if impl == "numexpr":
        import numexpr
        numexpr.set_num_threads(threads)
        import impl_numpy
        return getattr(impl_numpy, workload + "_numexpr")(p)
    if impl == "primesieve":
        import primesieve  # noqa: F401
        import impl_numpy
        return impl_numpy.primesieve_lib(p)
    if impl in ("numba", "numba-parallel"):
        import numba
        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
        import impl_numba
        fn = getattr(impl_numba, workload)
        if workload in ("julia", "mandelbrot", "sieve"):
            return fn(p, impl == "numba-parallel")
        return fn(p)
    if impl == "cython-prange":
        import impl_cython
        return getattr(impl_cython, workload)(p)
    if impl in ("cupy", "cupy-kernel", "numba-cuda"):
        import impl_cupy
        return impl_cupy.FACTORIES[impl][workload](p)
    raise ValueError(impl)


def encode(values):
    out = []
    for name, v in values:
        if isinstance(v, int):
            out.append([name, "i", str(v)])
        else:
            out.append([name, "r", repr(float(v))])
    return out


def run_one(workload, impl, p, args):
    import inputs
    import impl_python
    threads = args.threads if impl in THREADED else 1
    record = {"workload": workload, "impl": impl, "threads": threads, "times": [], "compile_s": None,
              "validation": [], "skipped": None}
    budget = Budget(args.max_run)
    try:
        run = factory(workload, impl, p, budget, args.threads)
    except ImportError as e:
        name = getattr(e, "name", None) or str(e)
        hint = INSTALL if name != "primesieve" else "apt-get install libprimesieve-dev; " + INSTALL
        if impl.startswith("cupy") or impl == "numba-cuda":
            import impl_cupy
            hint = impl_cupy.INSTALL_CUPY if impl.startswith("cupy") else impl_cupy.INSTALL_NUMBA_CUDA
        record["skipped"] = "%s not installed (%s)" % (name, hint)
        return record
    except impl_python.OverBudget as e:
        record["skipped"] = str(e)
        return record
    except Exception as e:  # a build failure (no C compiler, no OpenMP) is reported, not fatal
        record["skipped"] = "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
        return record
    if impl == "cython-prange":
        import impl_cython
        if impl_cython.build_seconds is not None:
            record["compile_s"] = impl_cython.build_seconds
    jit = impl.startswith("numba")
    warmup = args.warmup if impl != "python" else 0
    if jit:
        warmup = max(warmup, 1)  # the first call compiles; never time it
    out = None
    first_call = None
    try:
        for w in range(warmup):
            budget.begin()
            t0 = time.perf_counter()
            out = run()
            t = time.perf_counter() - t0
            if w == 0:
                first_call = t
            if t >= args.budget:
                break
        spent = 0.0
        while len(record["times"]) < max(1, args.repeat):
            budget.begin()
            t0 = time.perf_counter()
            out = run()
            t = time.perf_counter() - t0
            record["times"].append(t)
            spent += t
            if spent >= args.budget:
                break
    except impl_python.OverBudget as e:
        record["skipped"] = str(e)
        record["times"] = []
        return record
    except Exception as e:  # a crash in a kernel is a failure, not a skip
        record["error"] = "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
        record["times"] = []
        return record
    if jit and first_call is not None and record["times"]:
        ts = sorted(record["times"])
        record["compile_s"] = max(0.0, first_call - ts[len(ts) // 2])
    record["validation"] = encode(inputs.validate(workload, p, out))
    return record


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workload", nargs="?")
    ap.add_argument("--params", default="{}", help="the workload's parameters as a JSON object")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--budget", type=float, default=2.0, help="seconds of timed runs per peer")
    ap.add_argument("--max-run", type=float, default=10.0, help="skip pure Python when one run would take longer")
    ap.add_argument("--impls", default=None, help="comma-separated peers (default: all of the workload)")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args(argv)
    if args.list:
        print(json.dumps(PEERS))
        return 0
    if args.workload not in PEERS:
        print("run_peer.py: unknown workload %r; known: %s" % (args.workload, ", ".join(PEERS)), file=sys.stderr)
        return 2
    import inputs
    try:
        p = inputs.normalise(args.workload, json.loads(args.params))
    except (inputs.ParameterError, ValueError) as e:
        for impl in PEERS[args.workload]:
            print(json.dumps({"workload": args.workload, "impl": impl, "threads": 1, "times": [],
                              "validation": [], "compile_s": None, "skipped": "parameters: %s" % e}), flush=True)
        return 0
    impls = PEERS[args.workload] if not args.impls else [i for i in args.impls.split(",") if i]
    for impl in impls:
        if impl not in PEERS[args.workload]:
            print("run_peer.py: %s has no peer %r" % (args.workload, impl), file=sys.stderr)
            return 2
    for impl in impls:
        print(json.dumps(run_one(args.workload, impl, p, args)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
