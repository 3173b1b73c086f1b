#!/usr/bin/env bash
# The sampling profiler's overhead: CPU time (user + sys) of a command run
# with libCelerLprofPreload.so preloaded and sampling at the default rate,
# against the same command without it, in alternating runs. What is
# measured is the program itself, the raw samples it writes at exit
# included; the symbolisation that `celer lprof run` does afterwards, in
# its own process, is not (py-spy and Scalene report it the same way).
#
#   Benchmarks/lprof-overhead.sh                 # the Julia naive rung, release build
#   RUNS=20 Benchmarks/lprof-overhead.sh CMD …   # any command
#
# Needs python3 (for getrusage of the children) and a release build:
#   swift build -c release --product celer --product CelerLprofPreload
set -euo pipefail
BIN=${BIN:-.build/release}
RUNS=${RUNS:-10}
HZ=${HZ:-997}
if [ $# -eq 0 ]; then
    set -- "$BIN/celer" profile julia --variant naive --preset default --repeats 5 --no-memory
fi
python3 - "$BIN/libCelerLprofPreload.so" "$RUNS" "$HZ" "$@" <<'PY'
import os, resource, statistics, subprocess, sys, tempfile
preload, runs, hz, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
def cpu(env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
raw = os.path.join(tempfile.mkdtemp(), "overhead.raw")
plain_env = dict(os.environ)
sampled_env = dict(os.environ, LD_PRELOAD=preload, CELER_LPROF_OUT=raw, CELER_LPROF_HZ=hz)
cpu(plain_env)  # warm the page cache
plain, sampled, samples = [], [], []
for _ in range(runs):
    plain.append(cpu(plain_env))
    sampled.append(cpu(sampled_env))
    samples.append(sum(1 for line in open(raw) if line.startswith("s ")))
p, s = statistics.median(plain), statistics.median(sampled)
print(f"command: {' '.join(cmd)}")
print(f"{runs} alternating runs each; CPU time (user+sys), median: without {p:.3f} s, with the sampler at {hz} Hz {s:.3f} s")
print(f"overhead: {s / p:.3f}x (median/median); paired ratios min {min(b / a for a, b in zip(plain, sampled)):.3f}, "
      f"median {statistics.median(b / a for a, b in zip(plain, sampled)):.3f}; about {statistics.median(samples):.0f} samples a run")
PY
