#!/usr/bin/env bash
# make shipping-test (issue 16): real log shippers from Debian read a real net-sentinel run's log while it
# rotates, and carry every line. One monitor run (--log-connections, 64 KiB files, [log] mode "0640" and a
# throwaway group), a bounded load of held connections to a loopback address of its own, and two shippers reading
# the log at the same time, each started here with its own configuration, pid file, work directory and
# output file, as an unprivileged user whose only right to the log is that group:
#   - rsyslog (the Debian package, installed by `make test-deps`): imfile in inotify mode + mmjsonparse;
#   - rsyslog again (the same instance), receiving the monitor's own syslog output ([syslog] target, RFC 5424
#     over TCP with octet counting) on imtcp: the lines it gets must be the file's lines;
#   - syslog-ng (the Debian package conflicts with rsyslog, so syslog-ng-core is fetched with apt-get
#     download and unpacked with dpkg -x into a cache directory, run from there with its own module path):
#     file() with follow-freq(1) + json-parser().
# Then, for each: lines in (every line of events.jsonl and its rotated files) = lines out, the same lines byte
# for byte, every line valid JSON (jq), and the rotations crossed. syslog-ng's file() source loses a rotated
# file when two rotations fall between two of its polls (docs/shipping.md), so the load is paced to rotate the
# log at most once every 2.5 s: that is the documented way to run it, and what this test proves.
# The monitor polls (--source poll, every 0.2 s) rather than using eBPF: eBPF also logs every DNS message on the
# machine, which no allowlist filters, so another test's DNS traffic would set the rotation rate; polling logs
# only connections, and the allowlist leaves only ours. The file sink, its rotation and its lines are the same.
# A pass/fail line per check and a closing "N passed, N failed" line. Root (groupadd, setpriv, other users' /proc).
# Environment: NS_BIN (the monitor), SHIPPING_CACHE (where syslog-ng's packages are kept),
# SHIPPING_ROTATIONS (8), SHIPPING_BURST_CONNECTS (5), SHIPPING_PAUSE (2.5 s between rotations), SHIPPING_KEEP
# (keep the work directory).
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
BIN=${NS_BIN:-src/NetSentinel.Cli/bin/Release/net10.0/net-sentinel}
CACHE=${SHIPPING_CACHE:-/var/cache/net-sentinel-tests/syslog-ng}
ROTATIONS=${SHIPPING_ROTATIONS:-8}
BURST_CONNECTS=${SHIPPING_BURST_CONNECTS:-5}
PAUSE=${SHIPPING_PAUSE:-2.5}
LIMIT=90
# The load's own loopback address: every other destination is allowlisted (ignored) by the monitor, so the
# log's growth, hence its rotation rate, is ours alone even while other tests make traffic on this machine.
TARGET=127.77.0.1
READER=nobody

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "  ok   $*"; }
fail() { failed=$((failed + 1)); echo "  FAIL $*"; }
die() { echo "shipping-test: $*" >&2; echo "$passed passed, $((failed + 1)) failed"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (groupadd, setpriv): run it as root"
[ -x "$BIN" ] || die "no monitor at $BIN: run make build (or set NS_BIN)"
for tool in rsyslogd jq cc setpriv groupadd apt-get dpkg; do
  command -v "$tool" >/dev/null || die "$tool is missing: run make test-deps"
done

work=$(mktemp -d /tmp/ship-shipping.XXXXXX)
group=ship-readers-$$
PIDS=""
cleanup() {
  local pid
  # The daemons by their own pid files too: a daemon must never outlive the test.
  for pid in $PIDS $(cat "$work"/*/*.pid 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
  for pid in $PIDS; do wait "$pid" 2>/dev/null; done
  getent group "$group" >/dev/null && groupdel "$group"
  if [ -n "${SHIPPING_KEEP:-}" ]; then echo "shipping-test: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the shippers' programs -----------------------------------------------------------------------------
cc -O2 -Wall -pthread -o "$work/nsload" bench/loadgen/nsload.c || die "cannot compile bench/loadgen/nsload.c"

# syslog-ng-core and the two libraries it needs beyond what rsyslog's machine has, unpacked, never installed
# (found through LD_LIBRARY_PATH).
sng_root=$CACHE/root
if [ ! -x "$sng_root/usr/sbin/syslog-ng" ]; then
  mkdir -p "$CACHE/debs" && rm -rf "$sng_root"
  fetch() { (cd "$CACHE/debs" && apt-get download -q syslog-ng-core libivykis0 libnet1) >"$work/apt.log" 2>&1; }
  fetch || { apt-get update -qq >/dev/null 2>&1; fetch; } || { cat "$work/apt.log" >&2; die "apt-get download syslog-ng-core failed"; }
  mkdir -p "$sng_root"
  for deb in "$CACHE"/debs/*.deb; do dpkg -x "$deb" "$sng_root" || die "dpkg -x $deb failed"; done
fi
sng_modules=$(ls -d "$sng_root"/usr/lib/syslog-ng/3.* 2>/dev/null | head -1)
[ -n "$sng_modules" ] && [ -f "$sng_modules/libaffile.so" ] && [ -f "$sng_modules/libjson-plugin.so" ] \
  || die "the unpacked syslog-ng has no affile/json-plugin modules under $sng_root/usr/lib/syslog-ng"
export_sng_libs="$sng_root/usr/lib/syslog-ng:$sng_root/usr/lib/x86_64-linux-gnu"
syslog_ng() { LD_LIBRARY_PATH=$export_sng_libs "$sng_root/usr/sbin/syslog-ng" --module-path="$sng_modules" "$@"; }
rsyslog_version=$(rsyslogd -v | sed -n 's/^rsyslogd *\([0-9.]*\).*/\1/p')
sng_version=$(syslog_ng --version | sed -n 's/^Installer-Version: //p')
pass "shippers: rsyslog $rsyslog_version (installed), syslog-ng $sng_version (dpkg -x into $CACHE, modules from $sng_modules)"

# --- the log's reader: a throwaway group, the shippers run as $READER with only that group -----------------
groupadd --system "$group" || die "groupadd $group failed"
chmod 0755 "$work"
logdir=$work/log
install -d -o root -g "$group" -m 0750 "$logdir"
log=$logdir/events.jsonl
for shipper in rsyslog rsyslog-tcp syslog-ng; do install -d -o "$READER" -g "$group" -m 0750 "$work/$shipper"; done
# A command word list, not a function: "${as_reader[@]}" prog & forks once and execs, so $! is the daemon itself.
as_reader=(setpriv --reuid="$READER" --regid="$group" --clear-groups)

# --- rsyslog: imfile (inotify) + mmjsonparse; lines that do not parse go to bad.jsonl ---------------------
# The same instance also receives the monitor's syslog output ([syslog] target, RFC 5424 over TCP with octet
# counting) on imtcp, into tcp-out.jsonl: the "rsyslog (imtcp)" shipper below.
syslog_port=$((20000 + RANDOM % 10000))
cat >"$work/rsyslog/rsyslog.conf" <<CONF
global(workDirectory="$work/rsyslog" maxMessageSize="1m")
module(load="imfile" mode="inotify")
module(load="imtcp")
module(load="mmjsonparse")
template(name="line" type="string" string="%msg%\n")
input(type="imfile" file="$log" tag="net-sentinel" ruleset="ship" addMetadata="off")
input(type="imtcp" address="127.0.0.1" port="$syslog_port" ruleset="syslog")
ruleset(name="ship") {
  action(type="mmjsonparse" cookie="")
  if \$parsesuccess == "OK" then {
    action(type="omfile" file="$work/rsyslog/out.jsonl" template="line")
  } else {
    action(type="omfile" file="$work/rsyslog/bad.jsonl" template="line")
  }
}
ruleset(name="syslog") {
  action(type="mmjsonparse" cookie="")
  if \$parsesuccess == "OK" then {
    action(type="omfile" file="$work/rsyslog-tcp/out.jsonl" template="line")
  } else {
    action(type="omfile" file="$work/rsyslog-tcp/bad.jsonl" template="line")
  }
}
CONF
rsyslogd -N1 -f "$work/rsyslog/rsyslog.conf" >"$work/rsyslog/check.log" 2>&1 || { cat "$work/rsyslog/check.log" >&2; die "rsyslogd -N1 refused the configuration"; }
"${as_reader[@]}" rsyslogd -n -f "$work/rsyslog/rsyslog.conf" -i "$work/rsyslog/rsyslogd.pid" >"$work/rsyslog/stderr.log" 2>&1 &
PIDS="$! $PIDS"

# --- syslog-ng: file() + json-parser(); lines that do not parse go to bad.jsonl ---------------------------
cat >"$work/syslog-ng/syslog-ng.conf" <<CONF
@version: ${sng_version%.*}
options { log-msg-size(1048576); stats-freq(0); };
source s_ns { file("$log" follow-freq(1) flags(no-parse) log-msg-size(1048576)); };
parser p_json { json-parser(prefix(".ns.")); };
destination d_out { file("$work/syslog-ng/out.jsonl" template("\${MSG}\n")); };
destination d_bad { file("$work/syslog-ng/bad.jsonl" template("\${MSG}\n")); };
log { source(s_ns); if { parser(p_json); destination(d_out); } else { destination(d_bad); }; };
CONF
sng_args=(-f "$work/syslog-ng/syslog-ng.conf" -p "$work/syslog-ng/syslog-ng.pid" -R "$work/syslog-ng/syslog-ng.persist"
          -c "$work/syslog-ng/syslog-ng.ctl" --no-caps)
syslog_ng --syntax-only "${sng_args[@]}" >"$work/syslog-ng/check.log" 2>&1 || { cat "$work/syslog-ng/check.log" >&2; die "syslog-ng --syntax-only refused the configuration"; }
"${as_reader[@]}" env LD_LIBRARY_PATH="$export_sng_libs" "$sng_root/usr/sbin/syslog-ng" --module-path="$sng_modules" -F "${sng_args[@]}" \
  >"$work/syslog-ng/stderr.log" 2>&1 &
PIDS="$! $PIDS"

for _ in $(seq 100); do [ -s "$work/rsyslog/rsyslogd.pid" ] && [ -s "$work/syslog-ng/syslog-ng.pid" ] && break; sleep 0.1; done
[ -s "$work/rsyslog/rsyslogd.pid" ] || { cat "$work/rsyslog/stderr.log" >&2; die "rsyslogd did not start"; }
[ -s "$work/syslog-ng/syslog-ng.pid" ] || { cat "$work/syslog-ng/stderr.log" >&2; die "syslog-ng did not start"; }
for _ in $(seq 100); do ss -ltnH "sport = :$syslog_port" | grep -q . && break; sleep 0.1; done
ss -ltnH "sport = :$syslog_port" | grep -q . || { cat "$work/rsyslog/stderr.log" >&2; die "rsyslog's imtcp is not listening on 127.0.0.1:$syslog_port"; }
pass "rsyslogd and syslog-ng running as $READER (group $group only), each with its own config, pid file, work directory"

# --- the monitor ------------------------------------------------------------------------------------------
# Everything but $TARGET is allowlisted: 0.0.0.0/0 minus 127.77.0.0/16, and all of IPv6.
cat >"$work/ns.toml" <<CONF
[general]
log_file = "$log"
include_loopback = true
log_connections = true
interval_seconds = 0.2

[log]
max_size_mb = 0.0625
max_files = 1000
mode = "0640"
group = "$group"

[syslog]
target = "tcp:127.0.0.1:$syslog_port"
lines = "all"

[allowlist]
destinations = ["0.0.0.0/2", "64.0.0.0/3", "96.0.0.0/4", "112.0.0.0/5", "120.0.0.0/6", "124.0.0.0/7", "126.0.0.0/8",
  "127.0.0.0/10", "127.64.0.0/13", "127.72.0.0/14", "127.76.0.0/16", "127.78.0.0/15", "127.80.0.0/12", "127.96.0.0/11",
  "127.128.0.0/9", "128.0.0.0/1", "::/0"]
CONF
port=$((30000 + RANDOM % 20000))
"$work/nsload" serve --host "$TARGET" --port "$port" --ports 50 --seconds "$LIMIT" >"$work/server.out" 2>&1 &
PIDS="$! $PIDS"
started=$SECONDS
"$BIN" -c "$work/ns.toml" --source poll --duration "$LIMIT" >/dev/null 2>"$work/monitor.err" &
monitor=$!
PIDS="$monitor $PIDS"
for _ in $(seq 300); do [ -e "$log" ] && grep -q ready "$work/server.out" && break; sleep 0.1; done
grep -q ready "$work/server.out" || { cat "$work/server.out" >&2; die "the load's server did not start on $TARGET:$port"; }
[ -e "$log" ] || { cat "$work/monitor.err" >&2; die "the monitor did not start"; }

# One connection from a process with a 20 KB command line: a line longer than rsyslog's 8 KiB default message
# size. Its opened, new_destination and closed lines are ~35 KB each (command_line and args), so each of the last
# two rotates a 64 KiB file: the connection is held $PAUSE s, and $PAUSE s pass after it, so those two rotations
# are as far apart as the bursts'. Then bursts of $BURST_CONNECTS connections held 0.6 s (a burst's lines fill less than
# one 64 KiB file) until the log rotates, a pause of $PAUSE s, and again, until $ROTATIONS rotations: never
# two rotations within one of syslog-ng's 1 s polls. Bounded by $LIMIT s in all.
sleep 1   # past the first poll, whose connections count as already open
bash -c 'exec 3<>"/dev/tcp/$1/$2"; sleep "$3"; true' long-command-line "$TARGET" "$port" "$PAUSE" "$(head -c 20000 /dev/zero | tr '\0' 'a')" || true
sleep "$PAUSE"
rotated() { ls "$log".* 2>/dev/null | wc -l; }
deadline=$((SECONDS + LIMIT - 10))
while [ "$(rotated)" -lt "$ROTATIONS" ] && [ "$SECONDS" -lt "$deadline" ]; do
  before=$(rotated)
  while [ "$(rotated)" = "$before" ] && [ "$SECONDS" -lt "$deadline" ]; do
    "$work/nsload" hold --host "$TARGET" --port "$port" --ports 50 --count "$BURST_CONNECTS" --seconds 0.6 >/dev/null
  done
  sleep "$PAUSE"
done
kill -TERM "$monitor"   # (an asynchronous command of a script ignores SIGINT)
wait "$monitor"
code=$?
PIDS=${PIDS/$monitor /}
{ [ "$code" = 0 ] || [ "$code" = 1 ]; } && pass "monitor stopped after $((SECONDS - started))s (exit $code): $(grep -o 'stopped;.*' "$work/monitor.err" | head -1)" \
  || { cat "$work/monitor.err" >&2; fail "monitor exit 0 or 1 (got $code)"; }

# --- what the monitor wrote -------------------------------------------------------------------------------
files=$(ls "$log" "$log".* 2>/dev/null | sort -t. -k3,3nr)
rotations=$(($(wc -w <<<"$files") - 1))
cat $(ls "$log".* 2>/dev/null | sort -t. -k3,3nr) "$log" >"$work/in.jsonl"
lines_in=$(wc -l <"$work/in.jsonl")
longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$work/in.jsonl")
modes=$(stat -c '%a %G' $files | sort -u | paste -sd, -)
[ "$modes" = "640 $group" ] && pass "every log file ($rotations rotated + current) is mode 0640, group $group" \
  || fail "every log file is mode 0640, group $group (got $modes)"
[ "$rotations" -ge "$ROTATIONS" ] && pass "$lines_in lines in, $rotations rotations, longest line $longest bytes" \
  || fail "at least $ROTATIONS rotations (got $rotations with $lines_in lines)"
[ "$longest" -gt 8192 ] && pass "the longest line ($longest bytes, the 20 KB command line) is over rsyslog's 8 KiB default message size" \
  || fail "a line over 8 KiB is in the log (longest $longest bytes)"

# --- what each shipper carried --------------------------------------------------------------------------
sort "$work/in.jsonl" >"$work/in.sorted"
for shipper in rsyslog syslog-ng rsyslog-tcp; do
  out=$work/$shipper/out.jsonl
  for _ in $(seq 150); do [ "$(cat "$out" 2>/dev/null | wc -l)" -ge "$lines_in" ] && break; sleep 0.2; done
  lines_out=$(cat "$out" 2>/dev/null | wc -l)
  bad=$(cat "$work/$shipper/bad.jsonl" 2>/dev/null | wc -l)
  version=$rsyslog_version; [ "$shipper" = syslog-ng ] && version=$sng_version
  how="across $rotations rotations"; [ "$shipper" = rsyslog-tcp ] && how="from the monitor's [syslog] output (RFC 5424 over TCP, imtcp)"
  if [ "$lines_out" = "$lines_in" ] && [ "$bad" = 0 ]; then
    pass "$shipper $version: $lines_in lines in, $lines_out lines out $how"
  else
    fail "$shipper $version: lines in = lines out (in $lines_in, out $lines_out, not JSON $bad, rotations $rotations)"
  fi
  if sort "$out" 2>/dev/null | cmp -s - "$work/in.sorted"; then
    pass "$shipper: the same lines, byte for byte"
  else
    fail "$shipper: the same lines, byte for byte ($(sort "$out" 2>/dev/null | comm -3 - "$work/in.sorted" | wc -l) differ)"
  fi
  if [ -s "$out" ] && jq -e . "$out" >/dev/null 2>"$work/$shipper/jq.err"; then
    pass "$shipper: every line out is valid JSON (jq)"
  else
    fail "$shipper: every line out is valid JSON ($(head -1 "$work/$shipper/jq.err"))"
  fi
done

echo "shipping-test: $passed passed, $failed failed"
[ "$failed" = 0 ]
