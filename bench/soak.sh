#!/usr/bin/env bash
# make bench-soak: the monitor's resident memory over a long connect storm (default 5 minutes).
# One net-sentinel process (--log-connections --no-baseline, the default log rotation) watches a
# one-thread connect storm to a namespace test host; VmRSS is sampled every 10 s. Steady means the
# RSS after the first minute stays within a few MB and does not trend upward. Root; cleans up on exit.
# Environment: SOAK_SECONDS (300), NS_BIN, NSLOAD.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
. bench/test-host.sh
BIN=${NS_BIN:-out/linux-x64/net-sentinel}
NSLOAD=${NSLOAD:-out/bench/nsload}
SOAK_SECONDS=${SOAK_SECONDS:-300}
HOST_IP=198.51.100.245
PEER_IP=198.51.100.246
NS=nssoak$$
VETH=nssh$$

die() { echo "bench-soak: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root; run: sudo make bench-soak"
[ -x "$BIN" ] && [ -x "$NSLOAD" ] || die "build first: make bench-tools publish"

begin_test_host_run nssoak
ulimit -n 65536 2>/dev/null || true

make_test_host "$NS" "$VETH" "$HOST_IP" "$PEER_IP"
serve_on_test_host $((SOAK_SECONDS + 120))

start_monitor "$WORK/err" "$BIN" --source ebpf --log-connections --no-baseline --log-file "$WORK/soak.jsonl"

"$NSLOAD" connect --host $PEER_IP --port 20000 --ports 1000 --threads 1 --seconds "$SOAK_SECONDS" --max 100000000 > "$WORK/load.out" &
LOAD=$!
PIDS="$LOAD $PIDS"
start=$EPOCHSECONDS
echo "seconds rss_mb hwm_mb cpu_s" > "$WORK/samples"
while kill -0 "$LOAD" 2>/dev/null && (( EPOCHSECONDS - start < SOAK_SECONDS + 30 )); do
	sleep 10
	echo "$((EPOCHSECONDS - start)) $(rss_mb "$MON") $(rss_mb "$MON" VmHWM) $(awk -v t="$(cpu_ticks "$MON")" -v tick="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / tick }')" >> "$WORK/samples"
done
wait "$LOAD" || true
PIDS="${PIDS#"$LOAD "}"
stop_monitor

mkdir -p bench/results
{
	echo "# net-sentinel soak — $(date -u '+%Y-%m-%d %H:%M UTC'), ${SOAK_SECONDS} s connect storm"
	echo
	echo "Load: $(cat "$WORK/load.out"). Monitor: $(tail -1 "$WORK/err")"
	echo
	awk 'NR > 1 { n++; t[n] = $1; r[n] = $2; h = $3; c = $4 }
		NR > 1 && $1 >= 60 { m++; if (m == 1 || $2 < lo) lo = $2; if ($2 > hi) hi = $2; if (m == 1) first = $2; last = $2 }
		END { printf "RSS after the first minute: min %.1f MB, max %.1f MB, first %.1f -> last %.1f MB (growth %+.1f MB); peak (VmHWM) %.1f MB; monitor CPU %.1f s (%.1f%% of a core)\n",
			lo, hi, first, last, last - first, h, c, 100 * c / t[n] }' "$WORK/samples"
	echo
	echo '```'
	cat "$WORK/samples"
	echo '```'
} > bench/results/soak.md
cat bench/results/soak.md
