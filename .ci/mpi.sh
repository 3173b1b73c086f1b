#!/usr/bin/env bash
# CI for CelerMPI (docs/distributed.md), as root on a fresh Debian 12 machine:
# install Open MPI, build and test with the MPI trait (the selftest under
# 1, 2 and 3 ranks and the fault tests, through swift test), then build three
# test hosts in network namespaces, run the selftest and the MPI rungs of
# `celer compare` across them, and remove the hosts again, also on failure.
# Every step is bounded in time. Traffic: only the namespaced hosts and loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { echo "== [mpi $(( $(date +%s) - start )) s] $*"; }

missing=()
for pkg in libopenmpi-dev openmpi-bin iproute2 util-linux; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    step "apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Containers often lack ptrace rights for Open MPI's single-copy shared memory.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
B=.build-mpi   # its own build folder: switching traits in .build would rebuild everything twice

step "swift build --traits MPI --build-tests"
timeout 2400 swift build --traits MPI --build-tests --build-path "$B"

step "swift test --traits MPI --filter CelerMPITests (selftest on 1, 2, 3 ranks; faults)"
timeout 900 swift test --skip-build --traits MPI --build-path "$B" --filter CelerMPITests

bin=$(swift build --traits MPI --build-path "$B" --show-bin-path)
step "three test hosts in network namespaces"
trap '.ci/mpi-hosts.sh down' EXIT
.ci/mpi-hosts.sh up 3

log=$(mktemp)
for n in 3 6; do
    step "selftest across the hosts: $n ranks"
    timeout 180 .ci/mpi-hosts.sh mpirun -n "$n" "$bin/celer-mpi-selftest" | tee "$log"
    grep -q "^hosts: .*celer-n1.*celer-n2.*celer-n3" "$log" || { echo "mpi: the ranks did not run on three hosts" >&2; exit 1; }
    grep -Eq "^[0-9]+ passed, 0 failed$" "$log" || { echo "mpi: selftest failed across hosts" >&2; exit 1; }
done

step "a rank killed on a remote host ends the job"
t0=$(date +%s)
if timeout 60 .ci/mpi-hosts.sh mpirun -n 3 "$bin/celer-mpi-selftest" --fault kill > "$log" 2>&1; then
    echo "mpi: the killed job exited 0" >&2; exit 1
fi
[ $(( $(date +%s) - t0 )) -lt 60 ] || { echo "mpi: the killed job hung" >&2; exit 1; }
grep -q "process rank 2" "$log" || { cat "$log"; echo "mpi: no line naming rank 2" >&2; exit 1; }

step "an unreachable host (its link down) is an error within seconds, not a hang"
ip link set celerve3 down
t0=$(date +%s)
if timeout 60 .ci/mpi-hosts.sh mpirun -n 3 "$bin/celer-mpi-selftest" > "$log" 2>&1; then
    echo "mpi: a job on an unreachable host exited 0" >&2; exit 1
fi
[ $(( $(date +%s) - t0 )) -lt 60 ] || { echo "mpi: the job on an unreachable host hung" >&2; exit 1; }
grep -q "unable to complete a TCP connection" "$log" || { cat "$log"; echo "mpi: no TCP connection error" >&2; exit 1; }
ip link set celerve3 up

step "a host that does not exist is an error"
if timeout 60 mpirun --host celer-n1,celer-n9 -n 2 --mca plm_rsh_agent "$PWD/.ci/mpi-netns-agent.sh" \
      --mca oob_tcp_if_include 10.77.0.0/24 "$bin/celer-mpi-selftest" > "$log" 2>&1; then
    echo "mpi: a job on a missing host exited 0" >&2; exit 1
fi
grep -q 'Cannot open network namespace "celer-n9"' "$log" || { cat "$log"; echo "mpi: no line naming the missing host" >&2; exit 1; }

step "celer compare: the MPI rungs across the hosts"
hostlist=celer-n1,celer-n2,celer-n3
timeout 600 "$bin/celer" compare julia mandelbrot laplacian --size small --repeat 2 --time-budget 0.5 \
    --variant mpi-rows,mpi-jobs,simd --ranks 3 --threads-per-rank 1 --hosts "$hostlist" \
    --mpirun "mpirun --oversubscribe --quiet --mca plm_rsh_agent $PWD/.ci/mpi-netns-agent.sh --mca btl tcp,self --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24" \
    | tee "$log"
grep -q "mpi 3×1" "$log" || { echo "mpi: no 'mpi 3×1' rows" >&2; exit 1; }

step "done"
