#!/usr/bin/env bash
# The monitor's resident memory during a short storm, sampled every second: how fast and how far the GC
# lets it grow. bench-soak is the 5-minute version; this one compares binaries or GC settings quickly.
#   bench/rss.sh [SECONDS] [connect|spawn|beacon] [VAR=VALUE ...]   e.g. bench/rss.sh 8 DOTNET_GCgen0size=1000000 (16 MiB: hex)
# connect (the default): one thread connecting as fast as it can, every connection logged. spawn: a fork/exec
# storm (make bench's spawn scenario: two children in flight, each exec'ing `nsload once` to connect one time),
# alerts only, as make bench's alerts-only rounds run. beacon: the same storm paced at BEACON_RATE processes/s
# (default 1,000) over BEACON_PORTS ports (default 2,000), so each port is reached every 2 s by a new process: a
# real beacon per port and ~1,000 beacon alerts a second, the same on a fast or a slow machine (the spawn storm
# at 1,000 ports raises beacons only where the machine spawns ≤ 1,000 processes/s; here it spawns more and raises
# none). The VAR=VALUE pairs are set in the monitor's environment.
# SPAWN_MAX caps the spawn storm's processes (so two runs on a busy machine compare at the same count). Root; traffic goes only to a namespace test
# host (198.51.100.242 from .241) which is removed on exit. Environment: NS_BIN, NSLOAD, SPAWN_MAX, BEACON_PORTS, BEACON_RATE.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
. bench/test-host.sh
BIN=${NS_BIN:-out/linux-x64/net-sentinel}
NSLOAD=${NSLOAD:-out/bench/nsload}
STORM_SECONDS=${1:-8}
shift || true
MODE=connect
case ${1:-} in connect|spawn|beacon) MODE=$1; shift ;; esac
PORTS=1000 RATE=0
[ "$MODE" = beacon ] && PORTS=${BEACON_PORTS:-2000} RATE=${BEACON_RATE:-1000}
HOST_IP=198.51.100.241
PEER_IP=198.51.100.242
NS=nsrss$$
VETH=nsrs$$

die() { echo "rss: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root"
[ -x "$BIN" ] && [ -x "$NSLOAD" ] || die "build first: make bench-tools publish"

begin_test_host_run nsrss
ulimit -n 65536 2>/dev/null || true

make_test_host "$NS" "$VETH" "$HOST_IP" "$PEER_IP"
serve_on_test_host $((STORM_SECONDS + 60)) --ports "$PORTS"

every=(--log-connections); [ "$MODE" = connect ] || every=()
start_monitor "$WORK/err" "$@" "$BIN" --source ebpf "${every[@]}" --no-baseline --log-file "$WORK/log.jsonl"
idle=$(rss_mb "$MON")

case $MODE in
connect) "$NSLOAD" connect --host $PEER_IP --port 20000 --ports 1000 --threads 1 --seconds "$STORM_SECONDS" --max 100000000 > "$WORK/load.out" & ;;
spawn|beacon) "$NSLOAD" spawn --host $PEER_IP --port 20000 --ports "$PORTS" --rate "$RATE" --seconds "$STORM_SECONDS" --max "${SPAWN_MAX:-2000000}" > "$WORK/load.out" & ;;
esac
LOAD=$!
samples=""
while kill -0 "$LOAD" 2>/dev/null; do
	sleep 1
	samples="$samples $(rss_mb "$MON")"
done
hwm=$(rss_mb "$MON" VmHWM)
openssl=$(grep -q -E 'libcrypto|libssl' "/proc/$MON/maps" && echo loaded || echo "not loaded")
cpu=$(awk -v t="$(cpu_ticks "$MON")" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }')
stop_monitor
# What the alerts cost is what they hold: say how many lines and incidents (by rule) the storm made.
incidents=$(cat "$WORK"/log.jsonl* | jq -r 'select(.net_sentinel.incident.id) | "\(.rule.name) \(.net_sentinel.incident.id)"' 2>/dev/null |
	sort -u | awk '{ n[$1]++ } END { for (r in n) printf " %s %d", r, n[r] }')
echo "$MODE storm; environment: ${*:-(none)}; RSS idle ${idle} MB; during the storm, each second (MB):${samples}; peak (VmHWM) ${hwm} MB; monitor CPU ${cpu} s; OpenSSL ${openssl}"
echo "load: $(cat "$WORK/load.out"); monitor: $(tail -1 "$WORK/err")"
echo "alert lines $(cat "$WORK"/log.jsonl* | grep -c . || true); incidents by rule:${incidents:- none}"
