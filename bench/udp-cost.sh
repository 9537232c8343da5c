#!/usr/bin/env bash
# The kernel's cost per UDP datagram, build against build: kernel.bpf_stats_enabled run_time_ns / run_cnt of the
# monitor's programs during a bounded UDP storm (one client thread on this host, the sink in a namespace test host,
# so both the sending and the receiving end run here), for several monitor binaries in alternating rounds (so a
# change of load on a shared machine falls on every build alike). Issue #15: what a UDP sendto storm pays per datagram.
#
#   bench/udp-cost.sh LABEL=BINARY [LABEL=BINARY ...]
#   UDP_COST_MEASURE=cpu bench/udp-cost.sh none LABEL=BINARY [...]
#
# Only the programs a datagram runs are counted (send/recv length, the cgroup UDP and DNS packet hooks): others'
# programs, and ours for the connects, execs and exits of whatever else runs on the host, are left out.
# Prints one row per (storm, build, variant, round, program): runs per datagram, ns per run, ns per datagram, and
# a summary per (storm, build, variant): the median over the rounds of the sum over programs, ns per datagram.
# Storms: `unconnected` (sendto with an address, rotating over 16 ports: bench/run.sh's udp scenario) and
# `connected` (connect once per port, then send on the 16 connected sockets in turn).
# UDP_COST_MEASURE=cpu measures what bpf_stats cannot: with the counters off (their own ~41 ns a run is gone), the CPU
# the storm's client and sink use per datagram (cgroup v2 cpu.stat usage_usec of a cgroup each: the scheduler's own
# count, softirq work done in their context included) and the monitor's own CPU per datagram (its threads' schedstat,
# after it has settled UDP_COST_SETTLE seconds), with the label `none` for rounds without a monitor. A build's cost
# per datagram is its client + sink (+ monitor) figure minus the same round's `none`; the rate is printed too but
# on a shared machine it moves with everybody else's load.
# Root. Traffic goes only to 198.18.21.2 (a namespace reached over a veth pair from 198.18.21.1); the namespace,
# veth, processes and the sysctl's previous value are restored on exit.
# Environment: UDP_COST_ROUNDS (3), UDP_COST_SECONDS (2), UDP_COST_VARIANTS ("tp_btf raw_tp"),
# UDP_COST_STORMS ("unconnected connected"), UDP_COST_MEASURE (bpf_stats | cpu), UDP_COST_SETTLE (5), NSLOAD.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
. bench/test-host.sh
NSLOAD=${NSLOAD:-out/bench/nsload}
ROUNDS=${UDP_COST_ROUNDS:-3}
SECONDS_PER_STORM=${UDP_COST_SECONDS:-2}
VARIANTS=${UDP_COST_VARIANTS:-tp_btf raw_tp}
STORMS=${UDP_COST_STORMS:-unconnected connected}
MEASURE=${UDP_COST_MEASURE:-bpf_stats}
SETTLE=${UDP_COST_SETTLE:-5}
HOST_IP=198.18.21.1
PEER_IP=198.18.21.2
NS=ucns$$
VETH=ucv$$

die() { echo "udp-cost: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (eBPF, bpf_stats, a network namespace)"
[ $# -ge 1 ] || die "usage: bench/udp-cost.sh LABEL=BINARY [LABEL=BINARY ...]"
[ "$MEASURE" = bpf_stats ] || [ "$MEASURE" = cpu ] || die "UDP_COST_MEASURE is bpf_stats or cpu, not $MEASURE"
for build in "$@"; do
	if [ "$build" = none ]; then [ "$MEASURE" = cpu ] || die "none (no monitor) needs UDP_COST_MEASURE=cpu"; continue; fi
	[ -x "${build#*=}" ] || die "not an executable: ${build#*=}"
done
[ -x "$NSLOAD" ] || die "build first: make bench-tools"
command -v bpftool > /dev/null || die "bpftool is missing (apt-get install bpftool)"
command -v jq > /dev/null || die "jq is missing (apt-get install jq)"

begin_test_host_run ucudp --bpf-stats

make_test_host "$NS" "$VETH" "$HOST_IP" "$PEER_IP"
serve_on_test_host 3600 --udp-port 30000
CG=""
if [ "$MEASURE" = cpu ]; then
	sysctl -q -w kernel.bpf_stats_enabled=0
	CG_ROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	[ -n "$CG_ROOT" ] || die "UDP_COST_MEASURE=cpu needs a cgroup v2 mount"
	CG=$CG_ROOT/ucudp$$
	mkdir "$CG" "$CG/client" "$CG/sink"
	trap 'end_test_host_run; rmdir "$CG/client" "$CG/sink" "$CG" 2> /dev/null' EXIT
	echo "${PIDS%% *}" > "$CG/sink/cgroup.procs" # the test host's server (serve_on_test_host put its pid first)
else
	sysctl -q -w kernel.bpf_stats_enabled=1
fi

cg_usec() { awk '$1 == "usage_usec" { print $2 }' "$CG/$1/cpu.stat"; }
# mon_usec: the monitor's threads' time on a CPU (µs); 0 without one.
mon_usec() { if [ -n "$MON" ]; then cat /proc/"$MON"/task/*/schedstat 2> /dev/null | awk '{ ns += $1 } END { printf "%d", ns / 1000 }'; else echo 0; fi; }

# storm KIND: runs it (in the client cgroup when measuring CPU), prints nsload's line (ops=… rate=…)
storm() {
	local connected=""
	[ "$1" = connected ] && connected="--connected 1"
	if [ -n "$CG" ]; then
		sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG/client" \
			"$NSLOAD" udp --host $PEER_IP --port 30000 --ports 16 --size 64 --seconds "$SECONDS_PER_STORM" --max 20000000 $connected
	else
		"$NSLOAD" udp --host $PEER_IP --port 30000 --ports 16 --size 64 --seconds "$SECONDS_PER_STORM" --max 20000000 $connected
	fi
}
field() { tr ' ' '\n' <<< "$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; }

: > "$WORK/rows"
for round in $(seq "$ROUNDS"); do
	for build in "$@"; do
		label=${build%%=*}
		for variant in $VARIANTS; do
			MON="" idle=0
			if [ "$build" != none ]; then
				start_monitor "$WORK/err" NETSENTINEL_BPF_HOOKS="$variant" "${build#*=}" --source ebpf --no-baseline \
					--log-file "$WORK/log.jsonl"
				grep -q "hooks live: $variant " "$WORK/err" || die "$label did not start with $variant: $(cat "$WORK/err"; ls -la "$WORK")"
				idle=0
				if [ -n "$CG" ]; then # the monitor's start-up work is not the storm's cost; its last second is the monitor idle
					sleep "$(awk -v s="$SETTLE" 'BEGIN { print (s > 1 ? s - 1 : 0) }')"
					i0=$(mon_usec); sleep 1; idle=$(($(mon_usec) - i0))
				fi
			fi
			for kind in $STORMS; do
				if [ -n "$CG" ]; then
					c0=$(cg_usec client) s0=$(cg_usec sink) m0=$(mon_usec)
					line=$(storm "$kind")
					c1=$(cg_usec client) s1=$(cg_usec sink) m1=$(mon_usec)
					echo "$kind $label $variant $round $(field "$line" ops) $(field "$line" rate) $((c1 - c0)) $((s1 - s0)) $((m1 - m0)) $idle" >> "$WORK/rows"
					continue
				fi
				prog_counters "$MON" > "$WORK/before"
				ops=$(field "$(storm "$kind")" ops)
				prog_counters "$MON" > "$WORK/after"
				awk -v s="$kind" -v b="$label" -v v="$variant" -v r="$round" -v ops="$ops" '
					FNR == NR { t[$1] = $2; c[$1] = $3; next }
					$1 ~ /^ns_(send_len|recv_len|udp_|dns_ingress|dns_egress)/ { dt = $2 - t[$1]; dc = $3 - c[$1]
						if (dc > 0) print s, b, v, r, $1, ops, dt, dc }' \
					"$WORK/before" "$WORK/after" >> "$WORK/rows"
			done
			[ -z "$MON" ] || stop_monitor
			[ "$build" != none ] || break # no monitor: the variant makes no difference
		done
	done
done

# summary: "storm build variant round value" rows in, per (storm, build, variant) the median and every round out
summary() {
	sort -k1,1 -k2,2 -k3,3 -k5,5n |
		awk 'function flush(  list, i) { for (i = 1; i <= n; i++) list = list (i > 1 ? ", " : "") v[i]
				printf "  %-12s %-12s %-7s %5d  [%s]\n", s, b, c, v[int((n + 1) / 2)], list }
			{ key = $1 " " $2 " " $3; if (key != last && n) { flush(); n = 0 } last = key; s = $1; b = $2; c = $3; v[++n] = $5 }
			END { if (n) flush() }'
}

if [ -n "$CG" ]; then
	echo "| storm | build | variant | round | datagrams | rate /s | client ns per datagram | sink ns per datagram | monitor ns per datagram | monitor ms/s idle / in the storm |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	awk -v secs="$SECONDS_PER_STORM" '{ if ($2 == "none") $3 = "-"; printf "| %s | %s | %s | %s | %s | %.0f | %.0f | %.0f | %.1f | %.1f / %.1f |\n", $1, $2, $3, $4, $5, $6,
		$7 * 1000 / $5, $8 * 1000 / $5, $9 * 1000 / $5, $10 / 1000, $9 / 1000 / secs }' "$WORK/rows"
	echo
	echo "Client + sink + monitor CPU per datagram (ns; median of $ROUNDS rounds; every round in brackets):"
	awk '{ if ($2 == "none") $3 = "-"; printf "%s %s %s %s %.0f\n", $1, $2, $3, $4, ($7 + $8 + $9) * 1000 / $5 }' "$WORK/rows" | summary
	echo "Minus the same round's run without a monitor, the whole and each part (ns per datagram the monitor costs; needs the none label):"
	awk '{ c = $7 * 1000 / $5; k = $8 * 1000 / $5; m = $9 * 1000 / $5
			if ($2 == "none") { base[$1 " " $4] = c " " k " " m; next } row[NR] = $1 " " $2 " " $3 " " $4; val[NR] = c " " k " " m }
		END { for (i in row) { split(row[i], f, " "); b = base[f[1] " " f[4]]; if (b == "") continue; split(b, x, " "); split(val[i], y, " ")
				printf "%s %s %s %s %.0f\n", f[1], f[2], f[3], f[4], y[1] + y[2] + y[3] - x[1] - x[2] - x[3]
				printf "%s/client %s %s %s %.0f\n", f[1], f[2], f[3], f[4], y[1] - x[1]
				printf "%s/sink %s %s %s %.0f\n", f[1], f[2], f[3], f[4], y[2] - x[2]
				printf "%s/monitor %s %s %s %.0f\n", f[1], f[2], f[3], f[4], y[3] } }' "$WORK/rows" | summary
	exit 0
fi

echo "| storm | build | variant | round | program | runs per datagram | ns per run | ns per datagram |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
awk '{ printf "| %s | %s | %s | %s | %s | %.2f | %.0f | %.0f |\n", $1, $2, $3, $4, $5, $8 / $6, $7 / $8, $7 / $6 }' "$WORK/rows"
echo
echo "Per datagram, all programs (ns; median of $ROUNDS rounds; every round in brackets):"
awk '{ total[$1 " " $2 " " $3 " " $4] += $7 / $6 } END { for (k in total) printf "%s %.0f\n", k, total[k] }' "$WORK/rows" | summary
