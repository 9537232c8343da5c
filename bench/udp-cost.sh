#!/usr/bin/env bash
# The kernel's cost per UDP datagram, build against build: kernel.bpf_stats_enabled run_time_ns / run_cnt of the
# monitor's programs during a bounded UDP storm (one client thread on this host, the sink in a namespace test host,
# so both the sending and the receiving end run here), for several monitor binaries in alternating rounds (so a
# change of load on a shared machine falls on every build alike). Issue #15: what a UDP sendto storm pays per datagram.
#
#   bench/udp-cost.sh LABEL=BINARY [LABEL=BINARY ...]
#
# Only the programs a datagram runs are counted (send/recv length, the cgroup UDP and DNS packet hooks): others'
# programs, and ours for the connects, execs and exits of whatever else runs on the host, are left out.
# Prints one row per (storm, build, variant, round, program): runs per datagram, ns per run, ns per datagram, and
# a summary per (storm, build, variant): the median over the rounds of the sum over programs, ns per datagram.
# Storms: `unconnected` (sendto with an address, rotating over 16 ports: bench/run.sh's udp scenario) and
# `connected` (connect once per port, then send on the 16 connected sockets in turn).
# Root. Traffic goes only to 198.18.21.2 (a namespace reached over a veth pair from 198.18.21.1); the namespace,
# veth, processes and the sysctl's previous value are restored on exit.
# Environment: UDP_COST_ROUNDS (3), UDP_COST_SECONDS (2), UDP_COST_VARIANTS ("tp_btf raw_tp"),
# UDP_COST_STORMS ("unconnected connected"), NSLOAD.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
. bench/test-host.sh
NSLOAD=${NSLOAD:-out/bench/nsload}
ROUNDS=${UDP_COST_ROUNDS:-3}
SECONDS_PER_STORM=${UDP_COST_SECONDS:-2}
VARIANTS=${UDP_COST_VARIANTS:-tp_btf raw_tp}
STORMS=${UDP_COST_STORMS:-unconnected connected}
HOST_IP=198.18.21.1
PEER_IP=198.18.21.2
NS=ucns$$
VETH=ucv$$

die() { echo "udp-cost: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (eBPF, bpf_stats, a network namespace)"
[ $# -ge 1 ] || die "usage: bench/udp-cost.sh LABEL=BINARY [LABEL=BINARY ...]"
for build in "$@"; do [ -x "${build#*=}" ] || die "not an executable: ${build#*=}"; done
[ -x "$NSLOAD" ] || die "build first: make bench-tools"
command -v bpftool > /dev/null || die "bpftool is missing (apt-get install bpftool)"
command -v jq > /dev/null || die "jq is missing (apt-get install jq)"

begin_test_host_run ucudp --bpf-stats

make_test_host "$NS" "$VETH" "$HOST_IP" "$PEER_IP"
serve_on_test_host 3600 --udp-port 30000
sysctl -q -w kernel.bpf_stats_enabled=1

# storm KIND: runs it, prints the datagrams sent
storm() {
	local connected=""
	[ "$1" = connected ] && connected="--connected 1"
	"$NSLOAD" udp --host $PEER_IP --port 30000 --ports 16 --size 64 --seconds "$SECONDS_PER_STORM" --max 20000000 $connected |
		tr ' ' '\n' | awk -F= '$1 == "ops" { print $2 }'
}

: > "$WORK/rows"
for round in $(seq "$ROUNDS"); do
	for build in "$@"; do
		label=${build%%=*}
		for variant in $VARIANTS; do
			start_monitor "$WORK/err" NETSENTINEL_BPF_HOOKS="$variant" "${build#*=}" --source ebpf --no-baseline \
				--log-file "$WORK/log.jsonl"
			grep -q "hooks live: $variant " "$WORK/err" || die "$label did not start with $variant: $(cat "$WORK/err"; ls -la "$WORK")"
			for kind in $STORMS; do
				prog_counters "$MON" > "$WORK/before"
				ops=$(storm "$kind")
				prog_counters "$MON" > "$WORK/after"
				awk -v s="$kind" -v b="$label" -v v="$variant" -v r="$round" -v ops="$ops" '
					FNR == NR { t[$1] = $2; c[$1] = $3; next }
					$1 ~ /^ns_(send_len|recv_len|udp_|dns_ingress|dns_egress)/ { dt = $2 - t[$1]; dc = $3 - c[$1]
						if (dc > 0) print s, b, v, r, $1, ops, dt, dc }' \
					"$WORK/before" "$WORK/after" >> "$WORK/rows"
			done
			stop_monitor
		done
	done
done

echo "| storm | build | variant | round | program | runs per datagram | ns per run | ns per datagram |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
awk '{ printf "| %s | %s | %s | %s | %s | %.2f | %.0f | %.0f |\n", $1, $2, $3, $4, $5, $8 / $6, $7 / $8, $7 / $6 }' "$WORK/rows"
echo
echo "Per datagram, all programs (ns; median of $ROUNDS rounds; every round in brackets):"
awk '{ total[$1 " " $2 " " $3 " " $4] += $7 / $6 } END { for (k in total) printf "%s %.0f\n", k, total[k] }' "$WORK/rows" |
	sort -k1,1 -k2,2 -k3,3 -k5,5n |
	awk 'function flush(  list, i) { for (i = 1; i <= n; i++) list = list (i > 1 ? ", " : "") v[i]
			printf "  %-12s %-12s %-7s %5d  [%s]\n", s, b, c, v[int((n + 1) / 2)], list }
		{ key = $1 " " $2 " " $3; if (key != last && n) { flush(); n = 0 } last = key; s = $1; b = $2; c = $3; v[++n] = $5 }
		END { if (n) flush() }'
