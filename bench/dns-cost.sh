#!/usr/bin/env bash
# What DNS capture costs (issue 12), measured on this machine:
#  1. a DNS query storm against a real dnsmasq on a namespace test host: answers/s without the monitor,
#     with it, and without it again (ratio = with / mean of the two without);
#  2. from the kernel's own accounting (kernel.bpf_stats_enabled), what each of the monitor's programs
#     costs per operation during that storm and during a UDP sendto storm, a connect storm and a TCP bulk
#     transfer to other ports: the ns_dns_* rows on the last three are the cost DNS capture adds to
#     traffic that is not DNS.
# Root. Traffic goes only to 198.51.100.246 (a namespace reached over a veth pair from .245); the namespace,
# veth, processes and the sysctl's previous value are restored on exit.
# Environment: DNS_COST_SECONDS (4), NS_BIN, NSLOAD, DNSSTORM.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
. bench/test-host.sh
BIN=${NS_BIN:-out/linux-x64/net-sentinel}
NSLOAD=${NSLOAD:-out/bench/nsload}
DNSSTORM=${DNSSTORM:-out/bench/dnsstorm}
SECONDS_PER_STORM=${DNS_COST_SECONDS:-4}
HOST_IP=198.51.100.245
PEER_IP=198.51.100.246
NS=nsdnscost$$
VETH=nsdc$$

die() { echo "dns-cost: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (eBPF, bpf_stats, a network namespace)"
[ -x "$BIN" ] && [ -x "$NSLOAD" ] && [ -x "$DNSSTORM" ] || die "build first: make bench-tools publish"
for tool in bpftool jq dnsmasq; do command -v $tool > /dev/null || die "$tool is missing (apt-get install $tool)"; done

begin_test_host_run nsdnscost --bpf-stats

make_test_host "$NS" "$VETH" "$HOST_IP" "$PEER_IP"
echo "$PEER_IP storm.test" > "$WORK/hosts"
ip netns exec "$NS" dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces --port=53 --user=root \
	--pid-file="$WORK/dnsmasq.pid" --listen-address=$PEER_IP --addn-hosts="$WORK/hosts" --local=/test/ 2> "$WORK/dnsmasq.err" &
PIDS="$!"
serve_on_test_host 600 --udp-port 30000
sysctl -q -w kernel.bpf_stats_enabled=1

# storm KIND: runs it, prints its operation count (answers, datagrams, connects, or bytes / 64 KiB for bulk)
storm() {
	local out
	case $1 in
	dns) out=$("$DNSSTORM" $PEER_IP storm.test "$SECONDS_PER_STORM" 50000000) ;;
	udp) out=$("$NSLOAD" udp --host $PEER_IP --port 30000 --ports 16 --size 64 --seconds "$SECONDS_PER_STORM" --max 50000000) ;;
	connect) out=$("$NSLOAD" connect --host $PEER_IP --port 20000 --ports 1000 --threads 1 --seconds "$SECONDS_PER_STORM" --max 5000000) ;;
	bulk) out=$("$NSLOAD" bulk --host $PEER_IP --port 20000 --streams 1 --seconds "$SECONDS_PER_STORM")
	      tr ' ' '\n' <<< "$out" | awk -F= '$1 == "bytes" { printf "%d\n", $2 / 65536 }'; return ;;
	esac
	tr ' ' '\n' <<< "$out" | awk -F= '$1 == "ops" { print $2 }'
}

without1=$(storm dns)
"$BIN" --source ebpf --no-baseline --log-file "$WORK/log.jsonl" > /dev/null 2> "$WORK/err" &
mon=$!
PIDS="$mon $PIDS"
for _ in $(seq 400); do grep -q "watching outbound" "$WORK/err" 2>/dev/null && break; sleep 0.05; done
grep -q "DNS hooks live" "$WORK/err" || die "the monitor did not start its DNS hooks: $(cat "$WORK/err")"
: > "$WORK/rows"
for kind in dns udp connect bulk; do
	prog_counters "$mon" > "$WORK/before"
	ops=$(storm "$kind")
	[ "$kind" = dns ] && with=$ops
	prog_counters "$mon" > "$WORK/after"
	awk -v k="$kind" -v ops="$ops" 'FNR == NR { t[$1] = $2; c[$1] = $3; next }
		{ dt = $2 - t[$1]; dc = $3 - c[$1]; if (dc > 0) printf "%s %s %d %d %d\n", k, $1, ops, dt, dc }' \
		"$WORK/before" "$WORK/after" >> "$WORK/rows"
done
kill -TERM "$mon"; wait "$mon" || true
PIDS="${PIDS#"$mon "}"
without2=$(storm dns)

echo "DNS query storm (one client, one query in flight, ${SECONDS_PER_STORM} s each): without $((without1 / SECONDS_PER_STORM))/s," \
	"with the monitor $((with / SECONDS_PER_STORM))/s, without again $((without2 / SECONDS_PER_STORM))/s;" \
	"ratio $(awk -v w="$with" -v a="$without1" -v b="$without2" 'BEGIN { printf "%.3f", 2 * w / (a + b) }')"
echo
echo "| storm | program | runs per op | ns per run | ns per op | ops/s during the storm |"
echo "| --- | --- | --- | --- | --- | --- |"
sort -k1,1 -k2,2 "$WORK/rows" | awk -v s="$SECONDS_PER_STORM" '{
	printf "| %s | %s | %.2f | %.0f | %.0f | %.0f |\n", $1, $2, $5 / $3, $4 / $5, $4 / $3, $3 / s }'
