#!/usr/bin/env bash
# CPU cost of one /metrics scrape (issue 16): the metrics thread's utime+stime over N sequential scrapes by curl,
# from /proc/PID/task/TID/stat (load on the machine barely distorts CPU time). Root (eBPF source).
# Usage: make publish && bench/metrics-scrape-cost.sh [N]   (NS_BIN overrides the binary)
set -euo pipefail
BIN=${NS_BIN:-out/linux-x64/net-sentinel}; N=${1:-1000}
dir=$(mktemp -d); trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
printf '[metrics]\nlisten = "127.0.0.1:0"\n' > "$dir/m.toml"
"$BIN" -c "$dir/m.toml" --source ebpf --duration 600 --log-file "$dir/log.jsonl" 2>"$dir/err" >/dev/null & pid=$!
for i in $(seq 100); do grep -q "metrics at" "$dir/err" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*/metrics' "$dir/err")
tid=$(grep -l "net-sentinel me" /proc/$pid/task/*/comm | head -1 | cut -d/ -f5)
ticks() { awk '{print $14+$15}' "$1"; }
curl -s "$url" > "$dir/first.txt"   # warm
t0=$(ticks /proc/$pid/task/$tid/stat); p0=$(ticks /proc/$pid/stat); s0=$(date +%s.%N)
for i in $(seq "$N"); do curl -s -o /dev/null "$url"; done
t1=$(ticks /proc/$pid/task/$tid/stat); p1=$(ticks /proc/$pid/stat); s1=$(date +%s.%N)
hz=$(getconf CLK_TCK)
echo "scrapes=$N bytes=$(wc -c < "$dir/first.txt") series=$(grep -vc '^#' "$dir/first.txt")"
echo "metrics thread CPU: $(echo "scale=1; ($t1-$t0)*1000000/$hz/$N" | bc) us/scrape; whole process: $(echo "scale=1; ($p1-$p0)*1000000/$hz/$N" | bc) us/scrape (incl. its drains over $(echo "$s1-$s0" | bc) s)"
