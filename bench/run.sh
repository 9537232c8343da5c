#!/usr/bin/env bash
# make bench: what net-sentinel's live eBPF monitor costs the workload it watches, measured as ratios
# against rounds without it, taken in the same run (A = no monitor, B = net-sentinel, C = tcplife; A B C
# A B C ... A: each B and C is compared with the A rounds on either side of it). Writes a markdown table to
# bench/results/latest.md and prints it.
#
# Needs root (eBPF, a network namespace). Traffic goes only to a namespace test host this script
# creates (198.51.100.250, reached over a veth pair from 198.51.100.249) and everything it creates is
# removed on exit, also on failure or Ctrl-C. Only bash, awk, jq (the JSON log), iproute2 and coreutils are used.
#
# The nginx scenario is a workload users recognise: nginx (Debian nginx-light) in a server namespace and
# wrk in a client namespace, one new connection per request (Connection: close), the two namespaces
# joined directly by a veth pair (198.51.100.253 -> .254), so TIME_WAIT and port ranges are theirs.
#
# Environment: BENCH_ROUNDS (5), BENCH_ROUND_SECONDS (2.5), BENCH_SCENARIOS (all: "connect1 connect2
# udp bulk1 bulk4 spawn nginx"), BENCH_ONCE (1: run the --once benchmark), BENCH_HOOK_COST (1: the
# per-program kernel cost of both hook variants, bench/hook-cost.sh), BENCH_MODES (default: "none ns nsq floor
# tcplife"; none is always run: e.g. "none nsq" measures alerts-only ratios only, in half the time. "floor" runs
# out/bench/kernelonly with a program that does nothing on each hook net-sentinel attaches: what any monitor on them
# costs, the floor under every ratio. "kernel", not in the default, runs it with the monitor's own kernel programs,
# their ring emptied every 10 ms with a callback that does nothing: the kernel's share of net-sentinel's cost),
# BENCH_KERNEL_OBJ / BENCH_FLOOR_OBJ (another object in either mode's place: two builds of the kernel programs
# compared in one interleaved run), NS_BIN, NSLOAD.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."
. bench/test-host.sh
BIN=${NS_BIN:-out/linux-x64/net-sentinel}
NSLOAD=${NSLOAD:-out/bench/nsload}
ROUNDS=${BENCH_ROUNDS:-5}
ROUND_SECONDS=${BENCH_ROUND_SECONDS:-2.5}
SCENARIOS=${BENCH_SCENARIOS:-connect1 connect2 udp bulk1 bulk4 spawn nginx}
RUN_ONCE=${BENCH_ONCE:-1}
RUN_HOOK_COST=${BENCH_HOOK_COST:-1}
MODES=" ${BENCH_MODES:-none ns nsq floor tcplife} "
RESULTS=bench/results
TCPLIFE=/usr/sbin/tcplife
KERNEL_ONLY=out/bench/kernelonly
KERNEL_OBJ=${BENCH_KERNEL_OBJ:-out/bench/netsentinel.bpf.o}
FLOOR_OBJ=${BENCH_FLOOR_OBJ:-out/bench/floor.bpf.o}

HOST_IP=198.51.100.249
PEER_IP=198.51.100.250
NS=nsbench$$
VETH=nsbh$$
TCP_PORT=20000   # the test host listens on TCP_PORT .. TCP_PORT+PORTS-1
PORTS=1000       # connect scenarios rotate over these, so each port's first connect is a new destination
UDP_PORT=30000
UDP_PORTS=16
WEB_CLIENT_NS=nsbc$$   # wrk runs here
WEB_SERVER_NS=nsbs$$   # nginx runs here
WEB_CLIENT_IP=198.51.100.253
WEB_SERVER_IP=198.51.100.254
WEB_PORT=8080
NGINX=/usr/sbin/nginx
WRK=/usr/bin/wrk

die() { echo "bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (eBPF and a network namespace); run: sudo make bench"
hold_bench_lock bench
[ -x "$BIN" ] || die "$BIN is missing; run make publish"
[ -x "$NSLOAD" ] || die "$NSLOAD is missing; run make bench"
has_mode() { [[ $MODES == *" $1 "* ]]; }
{ ! has_mode kernel && ! has_mode floor; } || { [ -x "$KERNEL_ONLY" ] && [ -f "$KERNEL_OBJ" ] && [ -f "$FLOOR_OBJ" ]; } ||
	die "$KERNEL_ONLY, $KERNEL_OBJ or $FLOOR_OBJ is missing; run make bench-tools"
have_tcplife=1; has_mode tcplife || have_tcplife=0
[ "$have_tcplife" = 0 ] || [ -x "$TCPLIFE" ] || { have_tcplife=0; echo "bench: $TCPLIFE missing (apt-get install libbpf-tools); tcplife rounds skipped" >&2; }
if [[ " $SCENARIOS " == *" nginx "* ]] && { [ ! -x "$NGINX" ] || [ ! -x "$WRK" ]; }; then
	echo "bench: nginx or wrk missing (apt-get install nginx-light wrk); nginx scenario skipped" >&2
	SCENARIOS=$(tr ' ' '\n' <<< "$SCENARIOS" | grep -vx nginx | paste -sd' ' -)
fi

WORK=$(mktemp -d /tmp/nsbench.XXXXXX)
# The workload's processes (load generator, test host server, nginx, wrk) run in a cgroup of their own, so the CPU
# they use per unit of work (connect, datagram, request, byte) is measured exactly (cgroup v2 cpu.stat usage_usec,
# the scheduler's own count) whatever else runs on the host: a second figure beside the rate ratio, which a busy
# host makes noisy. Softirq work is counted where it runs in the workload's context (not when ksoftirqd runs it).
CG_ROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
WCG=""; [ -n "$CG_ROOT" ] && WCG="$CG_ROOT/nsbench$$" && mkdir "$WCG" 2>/dev/null || WCG=""
[ -n "$WCG" ] || echo "bench: no cgroup v2 mount; the CPU ratio columns read –" >&2
# IN_WORKLOAD COMMAND...: runs it in the workload's cgroup (joined before ip netns exec, which remounts /sys). An
# array, not a function: a background command started through it keeps its pid ($!), so cleanup can stop it.
IN_WORKLOAD=(); [ -n "$WCG" ] && IN_WORKLOAD=(sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$WCG")
workload_usec() { [ -n "$WCG" ] && awk '$1 == "usage_usec" { print $2 }' "$WCG/cpu.stat" || echo 0; }
SERVER_PID=""; PEER_PROC=""; HOLD_PID=""; NGINX_PID=""; MOUNTED_TRACEFS=0
cleanup() {
	set +e
	for pid in $PEER_PROC $HOLD_PID $SERVER_PID $NGINX_PID; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
	ip netns delete "$NS" 2>/dev/null
	ip link delete "$VETH" 2>/dev/null
	ip netns delete "$WEB_CLIENT_NS" 2>/dev/null
	ip netns delete "$WEB_SERVER_NS" 2>/dev/null
	[ "$MOUNTED_TRACEFS" = 1 ] && umount /sys/kernel/tracing
	if [ -n "$WCG" ]; then for _ in $(seq 50); do rmdir "$WCG" 2>/dev/null && break; sleep 0.1; done; fi # nginx's workers exit after their master
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n 65536 2>/dev/null || true

# ---- the namespace test host ------------------------------------------------------------------
make_test_host "$NS" "$VETH" "$HOST_IP" "$PEER_IP"
"${IN_WORKLOAD[@]}" ip netns exec "$NS" "$NSLOAD" serve --host $PEER_IP --port $TCP_PORT --ports $PORTS --udp-port $UDP_PORT \
	--seconds 3600 > "$WORK/server.out" &
SERVER_PID=$!
for _ in $(seq 100); do grep -q ready "$WORK/server.out" 2>/dev/null && break; sleep 0.05; done
grep -q ready "$WORK/server.out" || die "the test host's server did not start"

# ---- the web test hosts: nginx in one namespace, wrk in another ------------------------------------
if [[ " $SCENARIOS " == *" nginx "* ]]; then
	start_web_test_hosts "$WEB_CLIENT_NS" "$WEB_SERVER_NS" nsbw$$ $WEB_CLIENT_IP $WEB_SERVER_IP $WEB_PORT "${IN_WORKLOAD[@]}"
fi

# tcplife finds its tracepoint through tracefs; mount it for the run when absent.
if [ "$have_tcplife" = 1 ] && [ ! -e /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing && MOUNTED_TRACEFS=1
fi

printf '[log]\nmax_size_mb = 100000\nmax_files = 1\n' > "$WORK/bench.toml" # keep every line: we count them

# ---- helpers -------------------------------------------------------------------------------------
# cpu_ticks PID: utime + stime (clock ticks). mem_kb PID FIELD: VmRSS / VmHWM in kB.
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
mem_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
field() { tr ' ' '\n' <<< "$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; }
fmt3() { awk '{ v = $1 } END { if (v == "" || v == "nan") print "–"; else printf "%.3f", v }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
TICK=$(getconf CLK_TCK)
# run_usec PID: the time all of PID's threads spent on a CPU, in µs (the scheduler's count; utime/stime are ticks).
run_usec() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ ns += $1 } END { printf "%d", ns / 1000 }'; }
# bracketed: reads "round value" rows without a monitor, a line "--", then "round value" rows with one; prints
# "round with without" where without is the mean of the rounds without a monitor on either side of that round (this
# round's, which ran before it, and the next round's, after it; the last round has a closing one). A host whose speed
# drifts during a scenario then shifts both sides alike, instead of only the modes that run later in each round.
bracketed() {
	awk '$1 == "--" { with = 1; next } !with { a[$1] = $2; next } { b[$1] = $2 }
		END { for (r in b) { base = (r in a) ? a[r] : 0; if ((r + 1) in a && base > 0) base = (base + a[r + 1]) / 2; if (base > 0 && b[r] > 0) print r, b[r], base } }'
}
# rate_without SCENARIO (its rows on stdin): the median rate without a monitor, with its unit (bulk in MB/s).
rate_without() {
	awk '$2 == "none" { print $4 }' | median | awk -v sc="$1" '{ if (sc ~ /^bulk/) printf "%.0f MB/s", $1 / 1048576; else printf "%.0f/s", $1 }'
}
# ratio MODE (rows on stdin): median over rounds of the rate with MODE over the bracketing rates without.
ratio() {
	awk -v m="$1" '$2 == "none" { print $3, $4 > "/dev/stderr" } $2 == m { print $3, $4 }' 2> "$WORK/rate-none" > "$WORK/rate-mode"
	{ cat "$WORK/rate-none"; echo --; cat "$WORK/rate-mode"; } | bracketed | awk '{ print $2 / $3 }' | median
}
# cpu_ratio MODE (rows on stdin): median over rounds of the workload's CPU per unit of work without a monitor
# (bracketing) over the same with MODE, the monitor's own CPU added (its kernel programs run in the workload's context).
cpu_ratio() {
	awk -v m="$1" '$12 > 0 && $11 > 0 { per = ($11 + ($2 == "none" ? 0 : $13)) / $12; if ($2 == "none") print $3, per > "/dev/stderr"; else if ($2 == m) print $3, per }' \
		2> "$WORK/cpu-none" > "$WORK/cpu-mode"
	{ cat "$WORK/cpu-none"; echo --; cat "$WORK/cpu-mode"; } | bracketed | awk '{ print $3 / $2 }' | median # CPU per unit: without / with
}

wait_for() { # FILE PATTERN SECONDS
	local deadline=$(( ${EPOCHREALTIME/./} + ${3}000000 ))
	until grep -q "$2" "$1" 2>/dev/null; do
		(( ${EPOCHREALTIME/./} < deadline )) || return 1
		sleep 0.02
	done
}

workload() { # SCENARIO ROUND_TAG -> prints the generator's summary line
	local times=()
	[ -n "${2:-}" ] && times=(--times "$WORK/times-$2")
	case $1 in
	connect1) "${IN_WORKLOAD[@]}" "$NSLOAD" connect --host $PEER_IP --port $TCP_PORT --ports $PORTS --threads 1 --seconds "$ROUND_SECONDS" --max 2000000 "${times[@]}" ;;
	connect2) "${IN_WORKLOAD[@]}" "$NSLOAD" connect --host $PEER_IP --port $TCP_PORT --ports $PORTS --threads 2 --seconds "$ROUND_SECONDS" --max 2000000 "${times[@]}" ;;
	udp) "${IN_WORKLOAD[@]}" "$NSLOAD" udp --host $PEER_IP --port $UDP_PORT --ports $UDP_PORTS --size 64 --seconds "$ROUND_SECONDS" --max 20000000 ;;
	bulk1) "${IN_WORKLOAD[@]}" "$NSLOAD" bulk --host $PEER_IP --port $TCP_PORT --streams 1 --seconds "$ROUND_SECONDS" ;;
	bulk4) "${IN_WORKLOAD[@]}" "$NSLOAD" bulk --host $PEER_IP --port $TCP_PORT --streams 4 --seconds "$ROUND_SECONDS" ;;
	spawn) "${IN_WORKLOAD[@]}" "$NSLOAD" spawn --host $PEER_IP --port $TCP_PORT --ports $PORTS --seconds "$ROUND_SECONDS" --max 200000 ;;
	nginx) web_requests "$WEB_CLIENT_NS" $WEB_SERVER_IP $WEB_PORT "$ROUND_SECONDS" "${IN_WORKLOAD[@]}" ;; # one connection per request
	*) die "unknown scenario $1" ;;
	esac
}

# Events a scenario generates, and the log action that records each of them.
events_of() { # SCENARIO SUMMARY
	case $1 in
	udp) echo "$UDP_PORTS" ;;                 # one flow per destination port
	bulk1|bulk4) field "$2" ops ;;            # one connection per stream
	*) field "$2" ops ;;                      # one connect() per op (spawn: one per process)
	esac
}
action_of() { [ "$1" = udp ] && echo udp_flow || echo connection_opened; }
dest_of() { [ "$1" = nginx ] && echo $WEB_SERVER_IP || echo $PEER_IP; }

# Latency from each port's first connect() to its new_destination alert line, in ms, one per line.
latencies() { # LOG TIMES
	# jq reads the fields by name (not by their order in the line); awk joins them with the connect times.
	jq -r --arg peer "$PEER_IP" 'select(.event.action == "new_destination" and .destination.ip == $peer)
		| "\(.destination.port) \(.["@timestamp"])"' "$1" |
	awk 'FNR == NR { t[$1] = $2 / 1e6; next }   # times file: port, wall-clock ns
		{
			if (!($1 in t)) next
			split(substr($2, 12, 12), hms, ":")                         # 2026-11-24T11:32:04.693Z
			ms = ((hms[1] * 60 + hms[2]) * 60 + hms[3]) * 1000          # ms of the UTC day
			conn = t[$1] % 86400000
			d = ms - conn; if (d < -43200000) d += 86400000
			print d
		}' "$2" -
}

# ---- one round -----------------------------------------------------------------------------------
# Modes: none (no monitor), ns (net-sentinel logging every connection), nsq (net-sentinel with its
# default logging: alerts only), tcplife. Appends to $WORK/rows: scenario mode round rate events logged lost cpu_ticks hwm_kb rss_kb
run_round() { # SCENARIO MODE ROUND
	local sc=$1 mode=$2 r=$3 pid="" log="$WORK/log-$sc-$r.jsonl" err="$WORK/err-$sc-$r" tag="" summary
	local logged=0 lost=0 cpu0=0 cpu1=0 hwm=0 rss=0 w0 w1 m0=0 m1=0
	case $mode in
	ns|nsq)
		local every=(--log-connections); [ "$mode" = nsq ] && every=()
		"$BIN" -c "$WORK/bench.toml" --source ebpf "${every[@]}" --no-baseline --log-file "$log" > /dev/null 2> "$err" &
		pid=$!; PEER_PROC=$pid
		wait_for "$err" "watching outbound" 20 || die "net-sentinel did not start: $(cat "$err")"
		[[ $sc == connect* && $mode == ns ]] && tag="$sc-$r"
		;;
	kernel|floor)
		"$KERNEL_ONLY" "$([ "$mode" = kernel ] && echo "$KERNEL_OBJ" || echo "$FLOOR_OBJ")" > /dev/null 2> "$err" &
		pid=$!; PEER_PROC=$pid
		wait_for "$err" "watching outbound" 20 || die "kernelonly did not start: $(cat "$err")"
		;;
	tcplife)
		stdbuf -oL "$TCPLIFE" > "$log" 2> "$err" &
		pid=$!; PEER_PROC=$pid
		wait_for "$log" "PID" 20 || die "tcplife did not start: $(cat "$err")"
		;;
	esac
	[ -n "$pid" ] && cpu0=$(cpu_ticks "$pid") && m0=$(run_usec "$pid")
	w0=$(workload_usec)
	summary=$(workload "$sc" "$tag")
	w1=$(workload_usec)
	if [ -n "$pid" ]; then
		sleep 0.3 # the monitor drains every 10-50 ms; give it the tail of the burst before reading its figures
		cpu1=$(cpu_ticks "$pid"); m1=$(run_usec "$pid"); hwm=$(mem_kb "$pid" VmHWM); rss=$(mem_kb "$pid" VmRSS)
		kill -TERM "$pid"; wait "$pid" || true; PEER_PROC=""
	fi
	case $mode in
	ns)
		logged=$(jq -c --arg a "$(action_of "$sc")" --arg d "$(dest_of "$sc")" 'select(.event.action == $a and .destination.ip == $d)' "$log" | wc -l)
		lost=$(sed -n 's/.*, \([0-9]*\) event(s) lost.*/\1/p' "$err"); lost=${lost:-nan}
		[ -n "$tag" ] && [ -f "$WORK/times-$tag" ] && latencies "$log" "$WORK/times-$tag" >> "$WORK/lat-$sc"
		;;
	nsq)
		lost=$(sed -n 's/.*, \([0-9]*\) event(s) lost.*/\1/p' "$err"); lost=${lost:-nan}
		;;
	tcplife)
		[[ $sc == udp ]] || logged=$(grep -cF " $(dest_of "$sc") " "$log" || true)
		lost=0
		;;
	esac
	rm -f "$log"
	local work; work=$(field "$summary" ops); [[ $sc == bulk* ]] && work=$(field "$summary" bytes)
	echo "$sc $mode $r $(field "$summary" rate) $(events_of "$sc" "$summary") $logged $lost $((cpu1 - cpu0)) $hwm $rss $((w1 - w0)) $work $((m1 - m0))" >> "$WORK/rows"
}

# ---- the scenarios, A B C interleaved -------------------------------------------------------------
modes="none"
for mode in ns nsq kernel floor tcplife; do has_mode "$mode" && { [ "$mode" != tcplife ] || [ "$have_tcplife" = 1 ]; } && modes="$modes $mode"; done
started=$EPOCHSECONDS
for sc in $SCENARIOS; do
	workload "$sc" "" > /dev/null # warm-up: page cache, ARP, listener queues
	for r in $(seq "$ROUNDS"); do
		for mode in $modes; do run_round "$sc" "$mode" "$r"; done
	done
	run_round "$sc" none $((ROUNDS + 1)) # the closing baseline: the last round's monitored modes are bracketed too
	echo "bench: $sc done ($((EPOCHSECONDS - started)) s)" >&2
done

# ---- --once with 10,000 held sockets vs ss -tanp ---------------------------------------------------
once_line=""
if [ "$RUN_ONCE" = 1 ]; then
	"$NSLOAD" hold --host $PEER_IP --port $TCP_PORT --ports $PORTS --count 10000 --seconds 300 > "$WORK/hold.out" &
	HOLD_PID=$!
	wait_for "$WORK/hold.out" ready 60 || die "could not open 10,000 sockets"
	held=$(ss -tn state established dst $PEER_IP | tail -n +2 | wc -l)
	: > "$WORK/once-ns"; : > "$WORK/once-ss"
	for i in $(seq 13); do # alternate, so drift hits both; the first two are warm-ups
		t0=${EPOCHREALTIME/./}
		"$BIN" --once --log-file "$WORK/once.jsonl" > /dev/null 2>&1 || true
		t1=${EPOCHREALTIME/./}
		ss -tanp > /dev/null
		t2=${EPOCHREALTIME/./}
		if [ "$i" -gt 2 ]; then echo "$(( t1 - t0 ))" >> "$WORK/once-ns"; echo "$(( t2 - t1 ))" >> "$WORK/once-ss"; fi
	done
	kill "$HOLD_PID"; wait "$HOLD_PID" || true; HOLD_PID=""
	ns_ms=$(median < "$WORK/once-ns" | awk '{ printf "%.1f", $1 / 1000 }')
	ss_ms=$(median < "$WORK/once-ss" | awk '{ printf "%.1f", $1 / 1000 }')
	once_line="| \`net-sentinel --once\` with $held held sockets | ${ns_ms} ms | \`ss -tanp\`: ${ss_ms} ms | $(awk -v a="$ns_ms" -v b="$ss_ms" 'BEGIN { printf "%.2f", a / b }') × (target ≤ 1.5) |"
fi

# ---- what each kernel program costs per run, per hook variant (bpf_stats) ----------------------------
hook_cost=""
if [ "$RUN_HOOK_COST" = 1 ]; then
	hook_cost=$(NS_BIN="$BIN" NSLOAD="$NSLOAD" bench/hook-cost.sh) || die "bench/hook-cost.sh failed"
fi

# ---- the table -------------------------------------------------------------------------------------
mkdir -p "$RESULTS"
out="$RESULTS/latest.md"
{
	echo "# net-sentinel benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Host: $(nproc) CPU(s), kernel $(uname -r), load average at end $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "Rounds: $ROUNDS × ${ROUND_SECONDS} s per scenario and mode, interleaved: $modes, and a closing none; a round's ratio is its rate over the mean of the rates without a monitor just before and just after it (this round's and the next's), the table's the median over rounds."
	echo "CPU ratio: the workload's CPU per unit of work (connect, datagram, request, byte) without a monitor, over the same with it plus the monitor's own CPU (its kernel programs run in the workload's context, so they are in the workload's figure) — what the monitor costs in CPU, which other load on the host does not change as it changes rates. Workload CPU: cgroup v2 cpu.stat of a cgroup holding the generator, the test host's server, nginx and wrk."
	if has_mode ns; then
		echo "net-sentinel ran as \`$BIN --source ebpf --log-connections --no-baseline\` (every connection logged)."
		echo
		echo "| scenario | rate without | ratio net-sentinel | CPU ratio net-sentinel | ratio tcplife | CPU ratio tcplife | monitor CPU % of a core | monitor CPU ms / 10k events | tcplife CPU % | RSS peak / steady MB | events generated / logged / lost | connect→alert p50 / p99 ms |"
		echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
		for sc in $SCENARIOS; do
			rows=$(awk -v s="$sc" '$1 == s' "$WORK/rows")
			ns_ratio=$(ratio ns <<< "$rows"); tl_ratio=$([ "$have_tcplife" = 1 ] && ratio tcplife <<< "$rows" || echo nan)
			cpu_pct=$(awk -v t="$TICK" -v s="$ROUND_SECONDS" '$2 == "ns" { print 100 * $8 / t / (s + 0.3) }' <<< "$rows" | median)
			tl_pct=$(awk -v t="$TICK" -v s="$ROUND_SECONDS" '$2 == "tcplife" { print 100 * $8 / t / (s + 0.3) }' <<< "$rows" | median)
			per10k=$(awk -v t="$TICK" '$2 == "ns" { ev += $5; cpu += $8 } END { if (ev >= 1000) printf "%.1f", 1000 * cpu / t / ev * 10000; else print "n/a" }' <<< "$rows")
			mem=$(awk '$2 == "ns" { if ($9 > h) h = $9; print $10 > "/dev/stderr" } END { printf "%.1f", h / 1024 }' <<< "$rows" 2> "$WORK/rss")
			steady=$(median < "$WORK/rss" | awk '{ printf "%.1f", $1 / 1024 }')
			# nginx: generated = wrk's completed requests; connections still in flight when wrk stops are logged too.
			counts=$(awk -v sc="$sc" '$2 == "ns" { g += $5; l += $6; x += $7 } END { printf "%d / %d / %d%s", g, l, x,
				sc == "nginx" ? (l + x >= g && l + x <= g + 64 * NR ? " (requests; + in flight)" : " (MISMATCH)") : (g == l + x ? " (exact)" : " (MISMATCH)") }' <<< "$rows")
			lat="–"
			if [ -s "$WORK/lat-$sc" ]; then
				lat=$(sort -g "$WORK/lat-$sc" | awk '{ v[NR] = $1 } END { p50 = v[int((NR - 1) * 0.50) + 1]; p99 = v[int((NR - 1) * 0.99) + 1]; printf "%.0f / %.0f (n=%d)", p50, p99, NR }')
			fi
			printf '| %s | %s | %.3f | %s | %s | %s | %.1f | %s | %s | %s / %s | %s | %s |\n' "$sc" \
				"$(rate_without "$sc" <<< "$rows")" "$ns_ratio" "$(cpu_ratio ns <<< "$rows" | fmt3)" \
				"$(fmt3 <<< "$tl_ratio")" "$(cpu_ratio tcplife <<< "$rows" | fmt3)" "$cpu_pct" "$per10k" \
				"$(awk -v v="${tl_pct:-nan}" 'BEGIN { if (v == "nan") print "–"; else printf "%.1f", v }')" "$mem" "$steady" "$counts" "$lat"
		done
	fi
	if has_mode nsq; then
		echo
		echo "With its default logging (alerts only, no \`--log-connections\`):"
		echo
		echo "| scenario | rate without | ratio net-sentinel | CPU ratio net-sentinel | monitor CPU % of a core | monitor CPU ms / 10k events | RSS peak / steady MB | events lost |"
		echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
		for sc in $SCENARIOS; do
			rows=$(awk -v s="$sc" '$1 == s' "$WORK/rows")
			q_ratio=$(ratio nsq <<< "$rows")
			q_pct=$(awk -v t="$TICK" -v s="$ROUND_SECONDS" '$2 == "nsq" { print 100 * $8 / t / (s + 0.3) }' <<< "$rows" | median)
			q_per10k=$(awk -v t="$TICK" '$2 == "nsq" { ev += $5; cpu += $8 } END { if (ev >= 1000) printf "%.1f", 1000 * cpu / t / ev * 10000; else print "n/a" }' <<< "$rows")
			q_mem=$(awk '$2 == "nsq" { if ($9 > h) h = $9 } END { printf "%.1f", h / 1024 }' <<< "$rows")
			q_steady=$(awk '$2 == "nsq" { print $10 }' <<< "$rows" | median | awk '{ printf "%.1f", $1 / 1024 }')
			q_lost=$(awk '$2 == "nsq" { x += $7 } END { print x + 0 }' <<< "$rows")
			printf '| %s | %s | %.3f | %s | %.1f | %s | %s / %s | %s |\n' "$sc" \
				"$(rate_without "$sc" <<< "$rows")" "$q_ratio" "$(cpu_ratio nsq <<< "$rows" | fmt3)" "$q_pct" "$q_per10k" "$q_mem" "$q_steady" "$q_lost"
		done
	fi
	if has_mode kernel || has_mode floor; then
		echo
		echo "Where the cost lies, rate ratio / CPU ratio against the same rounds without a monitor: a program doing nothing on each hook net-sentinel attaches (\`$KERNEL_ONLY $FLOOR_OBJ\`: what any monitor on these hooks costs), net-sentinel's kernel programs alone (\`$KERNEL_ONLY $KERNEL_OBJ\`: its ring emptied every 10 ms, nothing done with a record), and net-sentinel, alerts only."
		echo
		echo "| scenario | rate without | programs doing nothing | kernel programs alone | net-sentinel (alerts only) |"
		echo "| --- | --- | --- | --- | --- |"
		both() { has_mode "$1" && echo "$(ratio "$1" <<< "$rows" | fmt3) / $(cpu_ratio "$1" <<< "$rows" | fmt3)" || echo –; }
		for sc in $SCENARIOS; do
			rows=$(awk -v s="$sc" '$1 == s' "$WORK/rows")
			printf '| %s | %s | %s | %s | %s |\n' "$sc" "$(rate_without "$sc" <<< "$rows")" "$(both floor)" "$(both kernel)" "$(both nsq)"
		done
	fi
	if [ -n "$once_line" ]; then
		echo
		echo "| snapshot | net-sentinel | baseline | ratio |"
		echo "| --- | --- | --- | --- |"
		echo "$once_line"
	fi
	if [ -n "$hook_cost" ]; then
		echo
		echo "Kernel programs, per hook variant (\`bench/hook-cost.sh\`: kernel.bpf_stats_enabled run_time_ns / run_cnt of the programs the monitor holds, during a one-thread connect storm and a UDP sendto storm):"
		echo
		echo "$hook_cost"
	fi
	echo
	echo "Per-round raw figures (scenario mode round rate events logged lost cpu_ticks hwm_kb rss_kb workload_cpu_us work monitor_cpu_us):"
	echo
	echo '```'
	cat "$WORK/rows"
	echo '```'
} > "$out"
cat "$out"
