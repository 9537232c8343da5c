#!/usr/bin/env bash
# make schema-check: record a real run of net-sentinel and check every line it wrote against the ECS field
# definitions (@elastic/ecs), schema/net-sentinel.schema.json and schema/net-sentinel-index-template.json.
# Needs root (the eBPF source) and node. Traffic goes to loopback only, to ports of a listener this script
# starts; everything is bounded in count and time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${NET_SENTINEL_BIN:-$repo/src/NetSentinel.Cli/bin/Release/net10.0/net-sentinel}
work=$(mktemp -d)
listener=
cleanup() {
  [ -n "$listener" ] && kill "$listener" 2>/dev/null || true
  [ -n "${SCHEMA_CHECK_KEEP:-}" ] && echo "schema-check: kept $work" || rm -rf "$work"
}
trap cleanup EXIT

command -v node >/dev/null && command -v npm >/dev/null || {
  echo "schema-check: node and npm are needed (Node.js 20 or later: apt-get install nodejs npm, or nodesource's nodejs)"; exit 2; }
[ -x "$bin" ] || { echo "schema-check: $bin not built: run make build first"; exit 2; }

(cd "$here" && npm ci --no-audit --no-fund --silent)

# A listener that accepts and holds connections, and ports next to it that nothing listens on (refused connects).
node -e '
  const s = require("net").createServer(c => c.on("error", () => {})).listen(0, "127.0.0.1", () => { console.log(s.address().port); });
  setTimeout(() => process.exit(0), 600000);
' > "$work/port" &
listener=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")

# The monitor logs every connection on the host: on a busy one (another program's connect storm) the default 10 MB
# rotation would carry this run's own lines away into rotated files before they are checked. Keep one file.
cat > "$work/config.toml" <<TOML
[log]
max_size_mb = 100000
max_files = 1

[scan]
window_seconds = 60
distinct_ports_threshold = 8
TOML

# Starts the monitor with the given arguments in the background and returns once it watches (at most 60 s).
monitor=
start_monitor() {
  local name=$1; shift
  "$bin" "$@" --log-connections --include-loopback --interval 1 --log-file "$work/$name.jsonl" > /dev/null 2> "$work/$name.err" &
  monitor=$!
  for _ in $(seq 600); do
    grep -q "watching outbound connections" "$work/$name.err" 2>/dev/null && return 0
    kill -0 "$monitor" 2>/dev/null || { cat "$work/$name.err"; echo "schema-check: the $name monitor did not start"; exit 1; }
    sleep 0.1
  done
  echo "schema-check: the $name monitor did not start within 60 s"; exit 1
}
stop_monitor() {
  local code=0
  wait "$monitor" || code=$?
  [ "$code" -eq 0 ] || [ "$code" -eq 1 ] || { echo "schema-check: the monitor exited with $code"; exit 1; }
}

echo "schema-check: recording an eBPF run with --log-connections"
start_monitor ebpf --source ebpf --duration 8 -c "$work/config.toml"
for _ in 1 2 3; do exec 3<>"/dev/tcp/127.0.0.1/$port"; sleep 0.2; exec 3>&-; done
# Refused connects from this one process (a regular builtin's redirection fails without ending the shell) to 12
# distinct closed ports: connection_failed lines and a scan alert.
for p in $(seq 1 12); do true 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$((port + 1000 + p))" || true; done
for _ in 1 2; do echo probe > "/dev/udp/127.0.0.1/$((port + 2000))" || true; done
stop_monitor

echo "schema-check: recording a polling run and a --once snapshot"
start_monitor poll --source poll --duration 5 -c "$work/config.toml"
for _ in 1 2; do exec 3<>"/dev/tcp/127.0.0.1/$port"; sleep 1.5; exec 3>&-; done
stop_monitor
exec 4<>"/dev/tcp/127.0.0.1/$port"
"$bin" --once --json --include-loopback --log-file "$work/once-alerts.jsonl" > "$work/once.jsonl" 2> /dev/null || [ $? -eq 1 ]
exec 4>&-

for action in connection_opened connection_closed connection_failed udp_flow scan; do
  grep -q "\"action\":\"$action\"" "$work/ebpf.jsonl" || { echo "schema-check: the eBPF run wrote no $action line"; exit 1; }
done
grep -q '"action":"connection_snapshot"' "$work/once.jsonl" || { echo "schema-check: --once wrote no connection_snapshot line"; exit 1; }

files=("$work/ebpf.jsonl" "$work/poll.jsonl" "$work/once.jsonl")
[ -s "$work/once-alerts.jsonl" ] && files+=("$work/once-alerts.jsonl")
node "$here/check.js" "${files[@]}"
