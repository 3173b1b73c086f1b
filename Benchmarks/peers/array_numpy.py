#!/usr/bin/env python3
"""NumPy's side of Benchmarks/Benchmarks/ArrayBenchmarks (CelerArray).

Times the same operations as the Swift suite, on arrays of the same sizes and
dtypes (float64, uniform in [0, 1); the values do not matter), and prints a
Markdown table with the same benchmark names. Each benchmark runs `--warmup`
times untimed, then `--repeat` times timed with time.perf_counter; the table
gives the median and the minimum in milliseconds.

    python3 Benchmarks/peers/array_numpy.py               # 10 timed runs each
    python3 Benchmarks/peers/array_numpy.py --quick       # 3 timed runs each
    python3 Benchmarks/peers/array_numpy.py --filter 'a \\+ b.*'  # whole names, as Swift's
    python3 Benchmarks/peers/array_numpy.py --celer celer.md  # add Celer's p50 and ratios

`--celer FILE` reads the Markdown that `swift package benchmark --format
markdown` writes (Benchmarks/compare-arrays.sh does both runs) and adds the
Celer median and minimum (its p50 and p0 wall clock) and the ratios NumPy ÷
Celer of the medians and of the minimums (above 1: Celer is faster).
Inputs are made per benchmark and freed after it (the 1e8 sum input is 800 MB).
NumPy runs single-threaded, as it always does for these operations.
"""
import argparse
import gc
import re
import statistics
import sys
import time

import numpy as np


def uniform(shape, seed):
    return np.random.default_rng(seed).random(shape)


# name (exactly as in ArrayBenchmarks.swift) -> setup() returning the timed
# callable; the callable closes over its inputs.

def copy_20m():
    a, out = uniform(20_000_000, 1), np.zeros(20_000_000)
    return lambda: np.copyto(out, a)


def add_20m_out():
    a, b, c = uniform(20_000_000, 1), uniform(20_000_000, 2), np.zeros(20_000_000)
    return lambda: np.add(a, b, out=c)


def add_20m_new():
    a, b = uniform(20_000_000, 1), uniform(20_000_000, 2)
    return lambda: a + b


def add_4000_out():
    a, b, c = uniform((4000, 4000), 3), uniform((4000, 4000), 4), np.zeros((4000, 4000))
    return lambda: np.add(a, b, out=c)


def add_transposed_4000_out():
    a, b, c = uniform((4000, 4000), 3), uniform((4000, 4000), 4), np.zeros((4000, 4000))
    return lambda: np.add(a, b.T, out=c)


def sum_1e8():
    a = uniform(100_000_000, 5)
    return lambda: a.sum()


def laplacian_slices():
    f = uniform((2000, 2000), 42)
    return lambda: (f[:-2, 1:-1] + f[2:, 1:-1]) + (f[1:-1, :-2] + f[1:-1, 2:]) - f[1:-1, 1:-1] * 4.0


def laplacian_out():
    f, out = uniform((2000, 2000), 42), np.zeros((1998, 1998))

    def run():
        np.add(f[:-2, 1:-1], f[2:, 1:-1], out=out)
        t = f[1:-1, :-2] + f[1:-1, 2:]
        np.add(out, t, out=out)  # out += t
        np.multiply(f[1:-1, 1:-1], 4.0, out=t)
        np.subtract(out, t, out=out)  # out -= t
    return run


def transposed_plus_one():
    a = uniform((4000, 4000), 3)
    return lambda: a.T + 1.0


def transposed_max():
    a = uniform((4000, 4000), 3)
    return lambda: a.T.max()


def small_add():
    d = uniform(1000, 6)
    return lambda: d + d


def exp_1e6_out():
    x, out = uniform(1_000_000, 7), np.zeros(1_000_000)
    return lambda: np.exp(x, out=out)


def sieve_odd():
    limit = 30_000_000

    def run():
        odd = np.ones((limit + 1) // 2, dtype=bool)
        odd[0] = False
        k = 1
        while (2 * k + 1) * (2 * k + 1) <= limit:
            if odd[k]:
                q = 2 * k + 1
                odd[q * q // 2::q] = False
            k += 1
        primes = np.flatnonzero(odd)
        primes *= 2
        primes += 1
        return primes
    return run


BENCHMARKS = [
    ("copy 20M doubles (bandwidth reference): out.assign(a)", copy_20m),
    ("a + b, 20M doubles, into out (np.add(a, b, out=c))", add_20m_out),
    ("a + b, 20M doubles, new array", add_20m_new),
    ("a + b, 4000², into out", add_4000_out),
    ("a + b.T, 4000², into out (tiled, transposed operand buffered)", add_transposed_4000_out),
    ("sum, 1e8 doubles (pairwise, NumPy's order)", sum_1e8),
    ("Laplacian 2000², NumPy style from slices (temporaries)", laplacian_slices),
    ("Laplacian 2000², NumPy style into out (one temporary)", laplacian_out),
    ("a.T + 1, 4000², new array (keeps a.T's memory order)", transposed_plus_one),
    ("a.T.max(), 4000² (read in place)", transposed_max),
    ("a + b, 1000 doubles (per-call overhead)", small_add),
    ("exp, 1e6 doubles, into out", exp_1e6_out),
    ("sieve to 3e7 over odd numbers: slice assignment, then nonzero", sieve_odd),
]


def measure(setup, warmup, repeat):
    """Median and minimum of `repeat` timed runs, in seconds."""
    run = setup()
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    del run
    gc.collect()
    return statistics.median(times), min(times)


def celer_times(path):
    """Benchmark name -> (p50, p0) wall clock in ms, from package-benchmark's
    Markdown: a `### <name>` heading, then a table whose "Time (wall clock)
    (<unit>)" row has the percentiles p0, p25, p50, ..."""
    times, name = {}, None
    scale = {"ns": 1e-6, "us": 1e-3, "μs": 1e-3, "µs": 1e-3, "ms": 1.0, "s": 1e3}
    with open(path, encoding="utf-8") as f:
        for line in f:
            heading = re.match(r"^#+\s+(.*?)\s*$", line)
            if heading:
                name = heading.group(1)
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if name and cells and "wall clock" in cells[0].lower():
                # "Time (wall clock) (μs) *": the unit is the last parenthesis
                units = re.findall(r"\(([^)]*)\)", cells[0])
                factor = scale.get(units[-1], 1.0) if units else 1.0
                numbers = [c for c in cells[1:] if re.fullmatch(r"[\d.,]+", c)]
                if len(numbers) >= 3:  # p0, p25, p50, ...
                    p0, p50 = (float(numbers[k].replace(",", "")) * factor for k in (0, 2))
                    times[name] = (p50, p0)
    return times


def ms(x):
    """Milliseconds with three significant digits (per-call overheads are microseconds)."""
    return f"{x:.2f}" if x >= 10 else f"{x:.3g}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per benchmark (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first (default 2, as the Swift suite)")
    parser.add_argument("--quick", action="store_true", help="3 timed runs and 1 warm-up")
    parser.add_argument("--filter", default=None,
                        help="only benchmarks whose whole name matches this regular expression (as package-benchmark's --filter)")
    parser.add_argument("--celer", metavar="FILE", help="package-benchmark Markdown output to compare with")
    args = parser.parse_args()
    if args.quick:
        args.repeat, args.warmup = 3, 1
    if args.repeat < 1 or args.warmup < 0:
        parser.error("--repeat must be at least 1 and --warmup at least 0")

    celer = celer_times(args.celer) if args.celer else {}
    print(f"NumPy {np.__version__}, Python {sys.version.split()[0]}: "
          f"median and min of {args.repeat} runs after {args.warmup} warm-up, ms\n")
    header = "| Benchmark | NumPy median | NumPy min |"
    rule = "|---|---:|---:|"
    if args.celer:
        header += " Celer p50 | Celer min | NumPy ÷ Celer, medians | NumPy ÷ Celer, mins |"
        rule += "---:|---:|---:|---:|"
    print(header)
    print(rule)
    for name, setup in BENCHMARKS:
        if args.filter and not re.fullmatch(args.filter, name):
            continue
        median, best = measure(setup, args.warmup, args.repeat)
        row = f"| {name} | {ms(median * 1e3)} | {ms(best * 1e3)} |"
        if args.celer:
            if name in celer:
                p50, p0 = celer[name]
                row += f" {ms(p50)} | {ms(p0)} | {median * 1e3 / p50:.2f} | {best * 1e3 / p0:.2f} |"
            else:
                row += " — | — | — | — |"
        print(row, flush=True)


if __name__ == "__main__":
    main()
