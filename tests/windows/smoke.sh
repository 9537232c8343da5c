#!/usr/bin/env bash
# make test-windows: runs the real Windows executable under Wine, as a user would, and checks what
# Wine can honestly show (see README "Windows"): the version line, a bad configuration, ETW refused
# (and on Windows 7, where TraceEvent will not load) and auto's fallback, the IP Helper snapshot naming a Windows program's own connections (pid, name,
# path, command line, start, entity id, parent), polling seeing a short-lived connection open and close, no ::1 rows unless asked, and UTF-8
# stdout for a program named café.exe. Not asserted, because Wine cannot give them: ETW events (no
# kernel ETW), pids of IPv6 TCP rows and of sockets only wineserver holds (always 0), timings.
#
# Everything Windows runs inside a private network namespace (unshare -n, only lo) with a fresh
# WINEPREFIX, so the socket tables hold the test's sockets only and nothing reaches a network.
# Usage: tests/windows/smoke.sh EXE PROBE_EXE   (the Makefile builds both; root for unshare)
set -uo pipefail

exe=${1:?usage: smoke.sh NET_SENTINEL_EXE NSPROBE_EXE}
probe=${2:?usage: smoke.sh NET_SENTINEL_EXE NSPROBE_EXE}
wine=/usr/lib/wine/wine64
[ -x "$wine" ] || { echo "test-windows: $wine is missing (apt-get install wine64)"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "test-windows: needs root (unshare -n for a private network namespace)"; exit 1; }

SECONDS=0
work=$(mktemp -d /tmp/windows-smoke.XXXXXX)
cleanup() {
  # The namespace dies with its last process; wineserver is that process if anything lingers.
  [ -d "$work/prefix" ] && WINEPREFIX=$work/prefix /usr/lib/wine/wineserver -k 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cp "$exe" "$work/net-sentinel.exe"
cp "$probe" "$work/nsprobe.exe"
cp "$probe" "$work/café.exe"

# The part that runs in the namespace: one function per check, results as "PASS name" / "FAIL name: why".
inner() {
  set -uo pipefail
  cd "$work"
  export WINEPREFIX=$work/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  # The executable must run as shipped: no loader work-around from the environment (README "Windows").
  unset DOTNET_PELoader_DisableMapping COMPlus_PELoader_DisableMapping
  ip link set lo up
  # A fresh prefix says Windows 7, where TraceEvent refuses to load; claim Windows 10, as a real host would be.
  "$wine" wineboot -i >/dev/null 2>&1 && "$wine" winecfg -v win10 >/dev/null 2>&1 || { echo "FAIL wineboot: could not create the prefix"; return; }
  local ns="$wine $work/net-sentinel.exe"

  pass() { echo "PASS $1"; }
  fail() { echo "FAIL $1: $2"; }

  # Starts a probe (nsprobe.exe or café.exe) holding its sockets until ./stop exists; sets probe_line.
  start_probe() {
    rm -f stop "$1.out"
    "$wine" "$work/$1" hold stop 60 >"$1.out" 2>&1 &
    probe_pid=$!
    for _ in $(seq 100); do grep -q '^ready' "$1.out" && break; sleep 0.1; done
    probe_line=$(grep '^ready' "$1.out" | tr -d '\r')
  }
  stop_probe() { touch stop; wait "$probe_pid" 2>/dev/null; rm -f stop; }
  field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$probe_line"; }   # "v4client" -> 127.0.0.1:PORT
  port() { field "$1" | sed 's/.*://'; }

  # 0. one trimmed file: the untrimmed publish was 88.8 MB, trimmed and compressed it is about 16 MB
  size=$(stat -c %s "$work/net-sentinel.exe")
  if [ "$size" -lt 25000000 ]; then pass "single file, trimmed and compressed: $size bytes"
  else fail "size" "$size bytes: trimming or compression is off (csproj, win-x64 properties)"; fi

  # 1. version line
  out=$($ns --version 2>err); code=$?
  if [ $code = 0 ] && grep -Eq '^net-sentinel [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-f]{7}, bpf abi [0-9]+\)' <<<"$out"; then pass "version line: $(tr -d '\r' <<<"$out")"
  else fail "version line" "exit $code, stdout '$out', stderr '$(cat err)'"; fi

  # 2. a bad configuration: exit 2, exactly one stderr line
  printf '[general]\ninterval_seconds = "soon"\n' > bad.toml
  $ns --once -c bad.toml >out 2>err; code=$?
  if [ $code = 2 ] && [ "$(wc -l <err)" = 1 ] && grep -q '^net-sentinel: ' err; then pass "bad config: exit 2, one line: $(tr -d '\r' <err)"
  else fail "bad config" "exit $code, stderr: $(cat err)"; fi

  # 3. --source etw: Wine has no kernel ETW, so exit 3 with the reason
  $ns --source etw --duration 2 >out 2>err; code=$?
  if [ $code = 3 ] && grep -q 'cannot start the kernel ETW session' err; then pass "--source etw: exit 3: $(tr -d '\r' <err | head -1)"
  else fail "--source etw" "exit $code, stderr: $(cat err)"; fi

  # 4. auto falls back to polling and runs
  $ns --duration 2 --interval 1 >out 2>err; code=$?
  if [ $code = 0 ] && grep -q 'falling back to polling' err; then pass "auto: falls back to polling"
  else fail "auto fallback" "exit $code, stderr: $(cat err)"; fi

  # 5. --once --json --include-loopback: the probe's own IPv4 connection with its pid, name and path
  start_probe nsprobe.exe
  pid=$(field pid); client=$(port v4client); v6client=$(port v6client)
  $ns --once --json --include-loopback >once.json 2>err; code=$?
  $ns --once --json >once-no-loopback.json 2>>err
  stop_probe
  row=$(jq -c --argjson p "${client:-0}" 'select(.source.port == $p and .network.type == "ipv4")' once.json 2>/dev/null)
  want_path="Z:${work//\//\\}\\nsprobe.exe"
  if [ -n "$pid" ] && [ $code = 0 ] && jq -e --argjson pid "$pid" --arg path "$want_path" \
      '.process.pid == $pid and .process.name == "nsprobe.exe" and .process.executable == $path and .network.direction == "egress"' <<<"$row" >/dev/null 2>&1; then
    pass "--once --json: nsprobe.exe (pid $pid) 127.0.0.1:$client outbound, path $want_path"
  else fail "--once --json probe row" "exit $code, probe '$probe_line', row '$row', stderr: $(cat err)"; fi

  # 5b. identity as Windows gives it, for a probe that cmd.exe started (a process started from Linux has no Windows
  # creator): its creation time (GetProcessTimes), the entity id derived from it, its command line and its creator
  # (NtQueryInformationProcess) named while it lives, and the host's MachineGuid as host.id
  rm -f stop cmd-probe.out
  "$wine" cmd /c "Z:${work//\//\\}\\nsprobe.exe" hold stop 60 >cmd-probe.out 2>&1 &
  probe_pid=$!
  for _ in $(seq 100); do grep -q '^ready' cmd-probe.out && break; sleep 0.1; done
  probe_line=$(grep '^ready' cmd-probe.out | tr -d '\r'); client=$(port v4client)
  $ns --once --json --include-loopback >cmd-once.json 2>err; code=$?
  stop_probe
  row=$(jq -c --argjson p "${client:-0}" 'select(.source.port == $p and .network.type == "ipv4")' cmd-once.json 2>/dev/null)
  if [ $code = 0 ] && jq -e --arg day "$(date -u +%Y-%m-%d)" '(.process.entity_id | test("^[A-Za-z0-9_-]{22}$")) and (.process.start | startswith($day))
      and (.process.command_line | endswith("nsprobe.exe hold stop 60")) and (.process.parent.command_line | test("cmd"; "i"))
      and .process.parent.name == "cmd.exe" and (.process.parent.entity_id | test("^[A-Za-z0-9_-]{22}$")) and .process.parent.start <= .process.start
      and .net_sentinel.ancestry[0].pid == .process.parent.pid and (.host.id | test("^[0-9a-f-]{36}$"))' <<<"$row" >/dev/null 2>&1; then
    pass "--once --json identity: $(jq -c '{entity_id: .process.entity_id, start: .process.start, command_line: .process.command_line, parent: .process.parent, host_id: .host.id}' <<<"$row")"
  else fail "--once --json identity" "exit $code, probe '$probe_line', row '$row', stderr: $(cat err)"; fi

  # 6. ::1: listed as plain ::1 with --include-loopback, absent without it (the scope id used to leak)
  v6row=$(jq -c --argjson p "${v6client:-0}" 'select(.source.port == $p)' once.json 2>/dev/null)
  if jq -e '.source.ip == "::1" and .destination.ip == "::1"' <<<"$v6row" >/dev/null 2>&1 && ! grep -q '::1' once-no-loopback.json; then
    pass "::1: unscoped with --include-loopback, no ::1 rows without it"
  else fail "::1 rows" "with loopback '$v6row'; without: $(grep -c '::1' once-no-loopback.json) row(s) mention ::1"; fi

  # 7. a short-lived client under --source poll: its open and its close
  $ns --source poll --interval 1 --duration 9 --json --log-connections --include-loopback --no-baseline --log-file poll-log.jsonl >poll.json 2>poll.err &
  monitor=$!
  sleep 2.5   # the first poll's sockets are the baseline of "already open"
  "$wine" "$work/nsprobe.exe" brief 3 2 >brief.out 2>&1
  wait $monitor; code=$?
  probe_line=$(grep '^ready' brief.out | tr -d '\r'); pid=$(field pid); client=$(port v4client)
  opened=$(jq -c --argjson p "${client:-0}" 'select(.source.port == $p and .event.action == "connection_opened")' poll.json 2>/dev/null)
  closed=$(jq -c --argjson p "${client:-0}" 'select(.source.port == $p and .event.action == "connection_closed")' poll.json 2>/dev/null)
  if [ $code = 0 ] && jq -e --argjson pid "${pid:-0}" '.process.pid == $pid and .process.name == "nsprobe.exe"' <<<"$opened" >/dev/null 2>&1 && [ -n "$closed" ]; then
    pass "--source poll: nsprobe.exe (pid $pid) 127.0.0.1:$client opened and closed"
  else fail "--source poll" "exit $code, probe '$probe_line', opened '$opened', closed '$closed', stderr: $(cat poll.err)"; fi

  # 8. UTF-8 stdout: café.exe arrives as the bytes c3 a9 and the JSON parses
  start_probe café.exe
  client=$(port v4client)
  $ns --once --json --include-loopback >cafe.json 2>err; code=$?
  stop_probe
  if [ $code = 0 ] && iconv -f UTF-8 -t UTF-8 cafe.json >/dev/null 2>&1 && jq -e --argjson p "${client:-0}" 'select(.source.port == $p) | .process.name == "café.exe"' cafe.json >/dev/null 2>&1; then
    pass "UTF-8 stdout: café.exe"
  else fail "UTF-8 stdout" "exit $code, row: $(grep -a "${client:-x}" cafe.json | head -1 | od -c | head -5)"; fi

  # 9. Windows 7 (what a fresh Wine prefix claims): TraceEvent refuses to load; etw says why, auto still polls
  "$wine" winecfg -v win7 >/dev/null 2>&1
  $ns --source etw --duration 2 >out 2>err; code=$?
  $ns --duration 2 --interval 1 >out 2>auto.err; auto=$?
  if [ $code = 3 ] && [ "$(wc -l <err)" = 1 ] && grep -q 'cannot use ETW here: Windows 10' err && [ $auto = 0 ] && grep -q 'falling back to polling' auto.err; then
    pass "Windows 7: --source etw exits 3 ($(tr -d '\r' <err)), auto polls"
  else fail "Windows 7" "etw exit $code: $(cat err); auto exit $auto: $(cat auto.err)"; fi
}

export -f inner
export work wine
results=$(unshare -n bash -c inner 2>&1)
echo "$results" | grep -E '^(PASS|FAIL)' | sed 's/^PASS/ok  /; s/^FAIL/FAIL/'
passed=$(grep -c '^PASS' <<<"$results")
failed=$(grep -c '^FAIL' <<<"$results")
[ "$passed" -gt 0 ] || { failed=$((failed + 1)); echo "$results" | tail -20; }
echo "windows smoke: $passed passed, $failed failed ($SECONDS s, net-sentinel.exe $(stat -c %s "$exe") bytes)"
[ "$failed" = 0 ]
