#!/usr/bin/env bash
# What --log-connections costs the monitor per logged line, in CPU time the kernel accounted to it (utime +
# stime), which the machine's load hardly distorts, unlike wall-clock ratios. Rounds alternate between the
# monitor with its default logging (alerts only) and with every connection logged, each during a bounded
# connect storm; the per-line figure is the difference per connect divided by the lines per connect:
#   µs/line = (CPU per connect, every line logged − CPU per connect, alerts only) / (lines per connect)
# Also printed: CPU per 10k connects in both modes, the events lost and the file's dropped lines (the monitor's
# stop summary), and how much of a line's CPU is the output threads' (the file's write(), from each thread's
# /proc schedstat) rather than the monitor's thread formatting it.
#   bench/log-cost.sh [ROUNDS] [SECONDS] [THREADS]       defaults 3 rounds, 3 s storms, 1 thread
# LOGCOST_PERF=1 records `perf record -g` of the last logging round to bench/results/log-cost.perf.data.
# Root. Traffic goes only to 198.18.77.2, a namespace reached over a veth pair from 198.18.77.1; the
# namespace, veth and temporary files are removed on exit. Environment: NS_BIN, NSLOAD.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
. bench/test-host.sh
BIN=${NS_BIN:-out/linux-x64/net-sentinel}
NSLOAD=${NSLOAD:-out/bench/nsload}
ROUNDS=${1:-3}
SECONDS_PER_ROUND=${2:-3}
THREADS=${3:-1}
HOST_IP=198.18.77.1
PEER_IP=198.18.77.2
NS=logcost$$
VETH=logcost$$

die() { echo "log-cost: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (eBPF and a network namespace)"
[ -x "$BIN" ] && [ -x "$NSLOAD" ] || die "build first: make bench-tools publish"

begin_test_host_run logcost
ulimit -n 65536 2>/dev/null || true

make_test_host "$NS" "$VETH" "$HOST_IP" "$PEER_IP"
serve_on_test_host $((ROUNDS * 2 * (SECONDS_PER_ROUND + 10) + 60))
TICK=$(getconf CLK_TCK)
printf '[log]\nmax_size_mb = 100000\nmax_files = 1\n' > "$WORK/cfg.toml" # keep every line: they are counted

# output_ns PID: CPU time of the monitor's output threads ("net-sentinel output file", "... stdout": the kernel keeps
# 15 characters of a thread's name), in ns from each thread's schedstat.
output_ns() {
	local t total=0
	for t in /proc/"$1"/task/*; do
		[ "$(cat "$t/comm" 2> /dev/null)" = "net-sentinel ou" ] || continue
		total=$((total + $(cut -d' ' -f1 "$t/schedstat" 2> /dev/null || echo 0)))
	done
	echo "$total"
}

# switches PID: context switches of all the monitor's threads so far (voluntary: it waited, for the ring buffer's
# next drain, a lock or room in a queue; involuntary: the kernel gave its core to another), each a few µs of CPU.
switches() {
	cat /proc/"$1"/task/*/status 2> /dev/null | awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}

# One round: MODE (alerts|all) -> "mode connects lines lost cpu_ticks rate dropped output_ns switches" appended to $WORK/rows.
round() {
	local mode=$1 last=$2 every=() log="$WORK/log.jsonl" err="$WORK/err" cpu0 cpu1 out0 out1 sw0 sw1 perf=""
	[ "$mode" = all ] && every=(--log-connections)
	rm -f "$log"
	start_monitor "$err" "$BIN" -c "$WORK/cfg.toml" --source ebpf "${every[@]}" --no-baseline --log-file "$log"
	if [ "${LOGCOST_PERF:-0}" = 1 ] && [ "$mode" = all ] && [ "$last" = 1 ]; then
		mkdir -p bench/results
		perf record -q -g -p "$MON" -o bench/results/log-cost.perf.data -- sleep "$SECONDS_PER_ROUND" 2> /dev/null &
		perf=$!
	fi
	cpu0=$(cpu_ticks "$MON")
	out0=$(output_ns "$MON")
	sw0=$(switches "$MON")
	summary=$("$NSLOAD" connect --host $PEER_IP --port 20000 --ports 1000 --threads "$THREADS" --seconds "$SECONDS_PER_ROUND" --max 2000000)
	sleep 0.3 # the tail of the burst: the monitor drains every 10-50 ms
	cpu1=$(cpu_ticks "$MON")
	out1=$(output_ns "$MON")
	sw1=$(switches "$MON")
	[ -n "$perf" ] && wait "$perf"
	stop_monitor
	local connects lines lost dropped
	connects=$(tr ' ' '\n' <<< "$summary" | awk -F= '$1 == "ops" { print $2 }')
	lines=$(grep -F '"dataset":"net_sentinel.connection"' "$log" | grep -cF "\"ip\":\"$PEER_IP\"" || true)
	lost=$(sed -n 's/.*, \([0-9]*\) event(s) lost.*/\1/p' "$err"); lost=${lost:-nan}
	dropped=$(sed -n 's/.*file dropped \([0-9]*\) line(s).*/\1/p' "$err"); dropped=${dropped:-0}
	echo "$mode $connects $lines $lost $((cpu1 - cpu0)) $(tr ' ' '\n' <<< "$summary" | awk -F= '$1 == "rate" { print $2 }') $dropped $((out1 - out0)) $((sw1 - sw0))" >> "$WORK/rows"
}

"$NSLOAD" connect --host $PEER_IP --port 20000 --ports 1000 --threads "$THREADS" --seconds 0.5 --max 100000 > /dev/null # warm-up
for r in $(seq "$ROUNDS"); do
	last=$([ "$r" = "$ROUNDS" ] && echo 1 || echo 0)
	round alerts "$last"
	round all "$last"
done

echo "rounds (mode connects lines_logged events_lost cpu_ticks connects_per_s file_lines_dropped output_threads_ns context_switches):"
cat "$WORK/rows"
awk -v t="$TICK" '
	{ n[$1] += $2; l[$1] += $3; x[$1] += $4; c[$1] += $5; d[$1] += $7; o[$1] += $8; s[$1] += $9 }
	END {
		qa = 1e6 * c["alerts"] / t / n["alerts"]; qe = 1e6 * c["all"] / t / n["all"]; per = l["all"] / n["all"]
		printf "alerts only:     %.1f ms CPU per 10k connects, %d events lost\n", qa * 10, x["alerts"]
		printf "every line:      %.1f ms CPU per 10k connects, %.2f lines per connect, %d events lost, %d lines dropped by the file\n", qe * 10, per, x["all"], d["all"]
		printf "per logged line: %.2f us of monitor CPU\n", (qe - qa) / per
		printf "  of which the output threads (the file'"'"'s write()): %.2f us\n", (o["all"] / n["all"] - o["alerts"] / n["alerts"]) / 1000 / per
		printf "context switches (all threads) per 1,000 logged lines: %.2f (alerts only: %.2f per 1,000 connects)\n", (s["all"] / n["all"] - s["alerts"] / n["alerts"]) * 1000 / per, s["alerts"] * 1000 / n["alerts"]
	}' "$WORK/rows"
