#!/usr/bin/env bash
# What each of net-sentinel's kernel programs costs per run, per hook variant (tp_btf, raw_tp), from the
# kernel's own accounting (kernel.bpf_stats_enabled: run_time_ns and run_cnt per program). Far less noisy
# than rate ratios on a shared machine: it counts only the time spent inside our programs.
#
# For each variant (NETSENTINEL_BPF_HOOKS pins it): a monitor starts, a one-thread connect storm and a UDP
# sendto storm run against a namespace test host, then (when Debian's nginx-light and wrk are installed) wrk asks
# nginx for a page over a new connection per request, as make bench's nginx scenario does (client and server each in
# a namespace of its own: an "op" is a request); the counters of the programs the monitor holds open
# (found through its /proc/PID/fdinfo, so other tracers on the machine are not counted) are read before
# and after each storm. Prints a markdown table; run.sh includes it in bench/results/latest.md.
#
# Root. Traffic goes only to 198.18.79.2 (a namespace reached over a veth pair from 198.18.79.1: a pair of its own,
# so it may run beside bench/rss.sh) and, for nginx, from 198.18.79.5 to 198.18.79.6 (two namespaces joined by a veth
# pair); the namespaces, veths, processes and the sysctl's previous value are restored on exit.
# Environment: HOOK_COST_SECONDS (3), HOOK_COST_VARIANTS ("raw_tp tp_btf"), HOOK_COST_STORMS ("connect udp nginx"),
# NS_BIN, NSLOAD.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
. bench/test-host.sh
BIN=${NS_BIN:-out/linux-x64/net-sentinel}
NSLOAD=${NSLOAD:-out/bench/nsload}
SECONDS_PER_STORM=${HOOK_COST_SECONDS:-3}
VARIANTS=${HOOK_COST_VARIANTS:-raw_tp tp_btf}
STORMS=${HOOK_COST_STORMS:-connect udp nginx}
HOST_IP=198.18.79.1
PEER_IP=198.18.79.2
NS=nshook$$
VETH=nshk$$
WEB_CLIENT_NS=nshkc$$ WEB_SERVER_NS=nshks$$ WEB_CLIENT_IP=198.18.79.5 WEB_SERVER_IP=198.18.79.6 WEB_PORT=8080

die() { echo "hook-cost: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (eBPF, bpf_stats, a network namespace)"
[ -x "$BIN" ] && [ -x "$NSLOAD" ] || die "build first: make bench-tools publish"
command -v bpftool > /dev/null || die "bpftool is missing (apt-get install bpftool)"
command -v jq > /dev/null || die "jq is missing (apt-get install jq)"

begin_test_host_run nshook --bpf-stats
ulimit -n 65536 2>/dev/null || true

make_test_host "$NS" "$VETH" "$HOST_IP" "$PEER_IP"
serve_on_test_host 600 --udp-port 30000
if [[ " $STORMS " == *" nginx "* ]]; then
	if [ -x /usr/sbin/nginx ] && [ -x /usr/bin/wrk ]; then
		start_web_test_hosts "$WEB_CLIENT_NS" "$WEB_SERVER_NS" nshw$$ "$WEB_CLIENT_IP" "$WEB_SERVER_IP" "$WEB_PORT"
	else
		echo "hook-cost: nginx or wrk missing (apt-get install nginx-light wrk): no nginx storm" >&2
		STORMS=$(tr ' ' '\n' <<< "$STORMS" | grep -vx nginx | paste -sd' ' -)
	fi
fi
sysctl -q -w kernel.bpf_stats_enabled=1

# storm KIND: runs it, prints the generator's ops count
storm() {
	local out
	case $1 in
	connect) out=$("$NSLOAD" connect --host $PEER_IP --port 20000 --ports 1000 --threads 1 --seconds "$SECONDS_PER_STORM" --max 5000000) ;;
	udp) out=$("$NSLOAD" udp --host $PEER_IP --port 30000 --ports 16 --size 64 --seconds "$SECONDS_PER_STORM" --max 50000000) ;;
	nginx) out=$(web_requests "$WEB_CLIENT_NS" "$WEB_SERVER_IP" "$WEB_PORT" "$SECONDS_PER_STORM") ;;
	esac
	tr ' ' '\n' <<< "$out" | awk -F= '$1 == "ops" { print $2 }'
}

: > "$WORK/rows"
for variant in $VARIANTS; do
	NETSENTINEL_BPF_HOOKS=$variant "$BIN" --source ebpf --no-baseline --log-file "$WORK/log.jsonl" > /dev/null 2> "$WORK/err" &
	mon=$!
	PIDS="$mon $PIDS"
	for _ in $(seq 400); do grep -q "watching outbound" "$WORK/err" 2>/dev/null && break; sleep 0.05; done
	grep -q "hooks live: $variant " "$WORK/err" || die "the monitor did not start with $variant: $(cat "$WORK/err")"
	for kind in $STORMS; do
		prog_counters "$mon" > "$WORK/before"
		ops=$(storm "$kind")
		prog_counters "$mon" > "$WORK/after"
		awk -v v="$variant" -v k="$kind" -v ops="$ops" 'FNR == NR { t[$1] = $2; c[$1] = $3; next }
			{ dt = $2 - t[$1]; dc = $3 - c[$1]; name = $1; sub(/_raw?$/, "", name); if (dc > 0) printf "%s %s %s %d %d %d\n", k, v, name, ops, dt, dc }' \
			"$WORK/before" "$WORK/after" >> "$WORK/rows"
	done
	kill -TERM "$mon"; wait "$mon" || true
	PIDS="${PIDS#"$mon "}"
done

echo "| storm | variant | program | runs per op | ns per run | ns per op | ops/s during the storm |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
sort -k1,1 -k3,3 -k2,2r "$WORK/rows" | awk -v s="$SECONDS_PER_STORM" '{
	printf "| %s | %s | %s | %.2f | %.0f | %.0f | %.0f |\n", $1, $2, $3, $6 / $4, $5 / $6, $5 / $4, $4 / s }'
