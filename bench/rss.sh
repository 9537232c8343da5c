#!/usr/bin/env bash
# The monitor's resident memory during a short connect storm, sampled every second: how fast and how far
# the GC lets it grow. bench-soak is the 5-minute version; this one compares binaries or GC settings quickly.
#   bench/rss.sh [SECONDS] [VAR=VALUE ...]     e.g. bench/rss.sh 8 DOTNET_GCgen0size=1000000 (16 MiB: hex)
# The VAR=VALUE pairs are set in the monitor's environment. Root; traffic goes only to a namespace test
# host (198.51.100.242 from .241) which is removed on exit. Environment: NS_BIN, NSLOAD.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
. bench/test-host.sh
BIN=${NS_BIN:-out/linux-x64/net-sentinel}
NSLOAD=${NSLOAD:-out/bench/nsload}
STORM_SECONDS=${1:-8}
shift || true
HOST_IP=198.51.100.241
PEER_IP=198.51.100.242
NS=nsrss$$
VETH=nsrs$$

die() { echo "rss: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root"
[ -x "$BIN" ] && [ -x "$NSLOAD" ] || die "build first: make bench-tools publish"

WORK=$(mktemp -d /tmp/nsrss.XXXXXX)
PIDS=""
cleanup() {
	set +e
	remove_test_host
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n 65536 2>/dev/null || true

make_test_host "$NS" "$VETH" "$HOST_IP" "$PEER_IP"
serve_on_test_host $((STORM_SECONDS + 60))

start_monitor "$WORK/err" "$@" "$BIN" --source ebpf --log-connections --no-baseline --log-file "$WORK/log.jsonl"
idle=$(rss_mb "$MON")

"$NSLOAD" connect --host $PEER_IP --port 20000 --ports 1000 --threads 1 --seconds "$STORM_SECONDS" --max 100000000 > "$WORK/load.out" &
LOAD=$!
samples=""
while kill -0 "$LOAD" 2>/dev/null; do
	sleep 1
	samples="$samples $(rss_mb "$MON")"
done
hwm=$(rss_mb "$MON" VmHWM)
stop_monitor
echo "environment: ${*:-(none)}; RSS idle ${idle} MB; during the storm, each second (MB):${samples}; peak (VmHWM) ${hwm} MB"
echo "load: $(cat "$WORK/load.out"); monitor: $(tail -1 "$WORK/err")"
