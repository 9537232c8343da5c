#!/usr/bin/env bash
# Whole-process CPU of the monitor (idle eBPF source) over S seconds, with a curl scrape of /metrics every second
# (SCRAPE=1) or none (SCRAPE=0), from utime+stime in /proc/PID/stat. Root.
# Usage: make publish && bench/metrics-idle-cost.sh 60 0 && bench/metrics-idle-cost.sh 60 1   (NS_BIN overrides the binary)
set -euo pipefail
BIN=${NS_BIN:-out/linux-x64/net-sentinel}; S=${1:-30}; SCRAPE=${2:-0}
dir=$(mktemp -d); trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
printf '[metrics]\nlisten = "127.0.0.1:0"\n' > "$dir/m.toml"
"$BIN" -c "$dir/m.toml" --source ebpf --duration 600 --log-file "$dir/log.jsonl" 2>"$dir/err" >/dev/null & pid=$!
for i in $(seq 100); do grep -q "metrics at" "$dir/err" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*/metrics' "$dir/err"); sleep 2
ticks() { awk '{print $14+$15}' "$1"; }
p0=$(ticks /proc/$pid/stat)
for i in $(seq "$S"); do [ "$SCRAPE" = 1 ] && curl -s -o /dev/null "$url"; sleep 1; done
p1=$(ticks /proc/$pid/stat)
echo "scrape=$SCRAPE seconds=$S process CPU $(echo "scale=2; ($p1-$p0)*1000/$(getconf CLK_TCK)/$S" | bc) ms/s"
