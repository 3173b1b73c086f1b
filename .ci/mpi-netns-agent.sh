#!/bin/sh
# Open MPI's launch agent for the namespaced test hosts (.ci/mpi-hosts.sh),
# in place of ssh: `AGENT HOST COMMAND…` runs COMMAND inside HOST's network
# namespace, in a UTS namespace of its own whose hostname is HOST (Open MPI
# tells nodes apart by hostname).
host=$1; shift
case "$host" in
    celer-n[0-9]*) ;;
    *) echo "mpi-netns-agent: '$host' is not a celer test host (celer-nK)" >&2; exit 2 ;;
esac
exec ip netns exec "$host" unshare --uts sh -c "hostname $host; exec $*"
