#!/usr/bin/env python3
"""NumPy's and numexpr's side of Benchmarks/Benchmarks/ExprBench (CelerExpr).

Times the same expressions as ExprBench, on float64 arrays of the same sizes
(uniform in [0, 1)), under the same names, and prints a Markdown table of
medians in microseconds. numexpr uses all cores (its default); NumPy one.

    python3 Benchmarks/peers/expr_numexpr.py                 # 7 timed batches each
    python3 Benchmarks/peers/expr_numexpr.py --celer r.json  # add Celer's and the ratios

`--celer FILE` reads ExprBench's `--json` output (Benchmarks/compare-expr.sh
runs both) and adds Celer fused and unfused (ndarray) times and the ratios
numexpr / fused and ndarray / fused (above 1: fused is faster).
Each case: 2 untimed calls, then batches of enough calls for about 20 ms.
"""
import argparse
import json
import sys
import time

import numpy as np

try:
    import numexpr as ne
except ImportError:  # the NumPy columns still work
    ne = None


def timed(fn, repeat):
    fn(); fn()
    calls = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        if time.perf_counter() - t0 > 0.02 or calls > 1 << 20:
            break
        calls *= 2
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - t0) / calls)
    samples.sort()
    return samples[len(samples) // 2]


def cases(n):
    rng = np.random.default_rng
    a, b, c = rng(1).random(n), rng(2).random(n), rng(3).random(n)
    s = rng(4).random(2 * n)[::2]
    m, r = rng(5).random((n // 1000, 1000)), rng(6).random(1000)
    env = {"a": a, "b": b, "c": c, "s": s, "m": m, "r": r}
    return [
        ("2*a + b**10", "2*a + b**10", lambda: 2 * a + b**10),
        ("a*b + c", "a*b + c", lambda: a * b + c),
        ("sin(a)**2 + cos(b)**2", "sin(a)**2 + cos(b)**2", lambda: np.sin(a)**2 + np.cos(b)**2),
        ("where(a > b, a, b)", "where(a > b, a, b)", lambda: np.where(a > b, a, b)),
        ("sum((a - b)**2)", "sum((a - b)**2)", lambda: np.sum((a - b)**2)),
        ("2*s + b, s strided", "2*s + b", lambda: 2 * s + b),
        ("m * r + 1, r broadcast", "m * r + 1", lambda: m * r + 1),
    ], env


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed batches per case (default 7)")
    parser.add_argument("--celer", metavar="FILE", help="ExprBench --json output to compare with")
    args = parser.parse_args()
    if args.repeat < 1:
        print("expr_numexpr.py: --repeat must be at least 1", file=sys.stderr)
        sys.exit(2)
    celer = {}
    if args.celer:
        with open(args.celer) as f:
            celer = json.load(f)
    header = "| expression | size | NumPy µs | numexpr µs |"
    rule = "|---|---|---:|---:|"
    if celer:
        header += " Celer ndarray µs | Celer fused µs | numexpr / fused | ndarray / fused |"
        rule += "---:|---:|---:|---:|"
    print(header)
    print(rule)
    for n, label in [(1_000, "1e3"), (100_000, "1e5"), (10_000_000, "1e7")]:
        items, env = cases(n)
        for name, text, numpy_fn in items:
            t_np = timed(numpy_fn, args.repeat)
            t_ne = timed(lambda: ne.evaluate(text, local_dict=env), args.repeat) if ne else float("nan")
            row = f"| `{name}` | {label} | {t_np * 1e6:.1f} | {t_ne * 1e6:.1f} |"
            if celer:
                fused = celer.get(f"{name}, {label}, fused", float("nan"))
                unfused = celer.get(f"{name}, {label}, ndarray", float("nan"))
                row += f" {unfused * 1e6:.1f} | {fused * 1e6:.1f} | {t_ne / fused:.2f} | {unfused / fused:.2f} |"
            print(row, flush=True)
    print(f"\nnumexpr {ne.__version__ if ne else 'missing'}, threads {ne.get_num_threads() if ne else 0}; NumPy {np.__version__}")


if __name__ == "__main__":
    main()
