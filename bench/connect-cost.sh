#!/usr/bin/env bash
# What the monitor costs per TCP connect with its default output (alerts only), in CPU time the kernel accounted
# to its threads (the sum of their /proc schedstat run times, in ns: clock ticks are too coarse for a 3 s storm),
# which the machine's load hardly distorts, unlike wall-clock ratios. Builds
# alternate round by round in one run, each during the same bounded connect storm to a namespace test host:
#   bench/connect-cost.sh [LABEL=BIN ...]       default: now=out/linux-x64/net-sentinel
# Prints per round and per build (median) the monitor's CPU per 10k connects and the events it lost.
# CONNCOST_ROUNDS (default 4), CONNCOST_SECONDS (3), CONNCOST_THREADS (1). CONNCOST_PERF=LABEL records
# `perf record -g` of that build's last round to bench/results/connect-cost.LABEL.perf.data (symbols: the
# binary's .dbg beside it) and keeps that round's alerts in connect-cost.LABEL.alerts.jsonl. Root. Traffic goes only to 198.18.78.2, a namespace reached over a veth pair from
# 198.18.78.1; the namespace, veth and temporary files are removed on exit. Environment: NSLOAD.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
. bench/test-host.sh
NSLOAD=${NSLOAD:-out/bench/nsload}
ROUNDS=${CONNCOST_ROUNDS:-4}
STORM_SECONDS=${CONNCOST_SECONDS:-3}
THREADS=${CONNCOST_THREADS:-1}
HOST_IP=198.18.78.1
PEER_IP=198.18.78.2
NS=conncost$$
VETH=conncost$$

die() { echo "connect-cost: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (eBPF and a network namespace)"
[ $# -gt 0 ] || set -- now=out/linux-x64/net-sentinel
for build in "$@"; do
	[ -x "${build#*=}" ] || die "no executable ${build#*=} (LABEL=BIN; build first: make bench-tools publish)"
done
[ -x "$NSLOAD" ] || die "build first: make bench-tools"

begin_test_host_run conncost
ulimit -n 65536 2>/dev/null || true
make_test_host "$NS" "$VETH" "$HOST_IP" "$PEER_IP"
serve_on_test_host $((ROUNDS * $# * (STORM_SECONDS + 10) + 60))
# run_ns PID: the CPU time of PID's threads so far (schedstat's first field), in ns.
run_ns() { cat /proc/"$1"/task/*/schedstat 2> /dev/null | awk '{ ns += $1 } END { printf "%d", ns }'; }

# round LABEL BIN LAST: one storm under the monitor -> "label connects cpu_ns lost rate alerts" appended to $WORK/rows.
round() {
	local label=$1 bin=$2 last=$3 err="$WORK/err" perf="" summary cpu0 cpu1 lost
	rm -f "$WORK/alerts.jsonl"
	start_monitor "$err" "$bin" --source ebpf --no-baseline --log-file "$WORK/alerts.jsonl"
	if [ "${CONNCOST_PERF:-}" = "$label" ] && [ "$last" = 1 ]; then
		mkdir -p bench/results
		perf record -q -g -p "$MON" -o "bench/results/connect-cost.$label.perf.data" -- sleep "$STORM_SECONDS" 2> /dev/null &
		perf=$!
	fi
	cpu0=$(run_ns "$MON")
	summary=$("$NSLOAD" connect --host $PEER_IP --port 20000 --ports 1000 --threads "$THREADS" --seconds "$STORM_SECONDS" --max 2000000)
	sleep 0.3 # the tail of the storm: the monitor drains every 10 ms
	cpu1=$(run_ns "$MON")
	[ -n "$perf" ] && wait "$perf"
	stop_monitor
	[ -n "$perf" ] && cp "$WORK/alerts.jsonl" "bench/results/connect-cost.$label.alerts.jsonl" # what the profiled round wrote
	lost=$(sed -n 's/.*, \([0-9]*\) event(s) lost.*/\1/p' "$err")
	echo "$label $(tr ' ' '\n' <<< "$summary" | awk -F= '$1 == "ops" { print $2 }') $((cpu1 - cpu0)) ${lost:-nan} $(tr ' ' '\n' <<< "$summary" | awk -F= '$1 == "rate" { print $2 }') $(wc -l < "$WORK/alerts.jsonl")" >> "$WORK/rows"
}

"$NSLOAD" connect --host $PEER_IP --port 20000 --ports 1000 --threads "$THREADS" --seconds 0.5 --max 100000 > /dev/null # warm-up
for r in $(seq "$ROUNDS"); do
	for build in "$@"; do round "${build%%=*}" "${build#*=}" "$([ "$r" = "$ROUNDS" ] && echo 1 || echo 0)"; done
done

echo "rounds (label connects cpu_ns events_lost connects_per_s alerts), load $(cut -d' ' -f1-3 /proc/loadavg):"
cat "$WORK/rows"
for build in "$@"; do
	label=${build%%=*}
	awk -v l="$label" '$1 == l { printf "%.2f %d\n", 1e-2 * $3 / $2, $4 }' "$WORK/rows" | sort -n |
		awk -v l="$label" '{ v[NR] = $1; lost += $2; all = all " " $1 }
			END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
				printf "%s: %.1f ms of monitor CPU per 10k connects (median; rounds:%s), %d events lost\n", l, m, all, lost }'
done
