#!/usr/bin/env bash
# MPI test hosts on one machine: each a network namespace with its own
# hostname, joined to a bridge by a veth pair, on a private /24 that exists
# only inside this machine. Open MPI starts its daemons there through
# .ci/mpi-netns-agent.sh instead of ssh.
#
#   .ci/mpi-hosts.sh up [N]     create hosts celer-n1 … celer-nN (default 3)
#   .ci/mpi-hosts.sh down       remove them, the bridge and their /etc/hosts lines
#   .ci/mpi-hosts.sh mpirun -n K PROGRAM ARGS…
#                               mpirun across the hosts, TCP only, on the test network
#
# Needs root, iproute2 and util-linux (unshare). Traffic stays on the bridge
# (CELER_MPI_NET.0/24, default 10.77.0.0/24) and loopback. Every step is idempotent.
set -euo pipefail
NET=${CELER_MPI_NET:-10.77.0}
BR=celerbr0
MARK="# celer-mpi-test-hosts"
here=$(cd "$(dirname "$0")" && pwd)

hosts_up() {
    local n=${1:-3}
    hosts_down
    ip link add "$BR" type bridge
    ip addr add "$NET.1/24" dev "$BR"
    ip link set "$BR" up
    for i in $(seq 1 "$n"); do
        ip netns add "celer-n$i"
        ip link add "celerve$i" type veth peer name eth0 netns "celer-n$i"
        ip link set "celerve$i" master "$BR" up
        ip -n "celer-n$i" addr add "$NET.1$i/24" dev eth0
        ip -n "celer-n$i" link set eth0 up
        ip -n "celer-n$i" link set lo up
        echo "$NET.1$i celer-n$i $MARK" >> /etc/hosts
    done
    # Each host reaches the bridge: a TCP connect to a closed port answers
    # "refused" at once when the link works, and times out when it does not.
    # A new link takes a moment to come up: up to 20 tries, 0.25 s apart.
    for i in $(seq 1 "$n"); do
        local ok=0
        for _ in $(seq 1 20); do
            local answer
            answer=$(timeout 2 ip netns exec "celer-n$i" bash -c "echo > /dev/tcp/$NET.1/9" 2>&1 || true)
            if [[ $answer == *refused* ]]; then ok=1; break; fi
            sleep 0.25
        done
        [ "$ok" = 1 ] || { echo "mpi-hosts: celer-n$i cannot reach $NET.1 on the test bridge" >&2; exit 1; }
    done
    echo "mpi test hosts: $(seq -s ' ' -f 'celer-n%g' 1 "$n") on $NET.0/24"
}

hosts_down() {
    for ns in $(ip netns list 2>/dev/null | awk '/^celer-n[0-9]+/ {print $1}'); do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
    done
    for l in $(ip -o link show 2>/dev/null | awk -F': ' '/celerve[0-9]+/ {sub(/@.*/, "", $2); print $2}'); do
        ip link del "$l" 2>/dev/null || true
    done
    ip link del "$BR" 2>/dev/null || true
    if grep -q "$MARK" /etc/hosts 2>/dev/null; then
        # /etc/hosts may be a bind mount (containers): rewrite it in place.
        grep -v "$MARK" /etc/hosts > /tmp/celer-hosts.$$ || true
        cat /tmp/celer-hosts.$$ > /etc/hosts
        rm -f /tmp/celer-hosts.$$
    fi
}

hosts_mpirun() {
    local hosts
    hosts=$(ip netns list | awk '/^celer-n[0-9]+/ {print $1}' | sort | paste -sd, -)
    [ -n "$hosts" ] || { echo "mpi-hosts: no test hosts; run: $0 up" >&2; exit 2; }
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    exec mpirun --host "$hosts" --oversubscribe \
        --mca plm_rsh_agent "$here/mpi-netns-agent.sh" \
        --mca btl tcp,self \
        --mca btl_tcp_if_include "$NET.0/24" --mca oob_tcp_if_include "$NET.0/24" \
        "$@"
}

case "${1:-}" in
    up) shift; hosts_up "$@" ;;
    down) hosts_down ;;
    mpirun) shift; hosts_mpirun "$@" ;;
    *) echo "usage: $0 up [N] | down | mpirun ARGS…" >&2; exit 2 ;;
esac
