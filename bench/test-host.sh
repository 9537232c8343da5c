# Sourced by every bench script: the namespace test host every benchmark sends its traffic to, and what
# the scripts do around it (its server, its cleanup, the kernel programs' counters).
# make_test_host NS VETH HOST_IP PEER_IP — a namespace joined to this one by a veth pair, with
# HOST_IP/30 here and PEER_IP/30 (plus lo) inside it. The caller's cleanup deletes NS and VETH.
make_test_host() {
	local ns=$1 veth=$2 host_ip=$3 peer_ip=$4 peer=${2}p
	ip netns add "$ns"
	ip link add "$veth" type veth peer name "$peer"
	ip link set "$peer" netns "$ns"
	ip addr add "$host_ip/30" dev "$veth"
	ip link set "$veth" up
	ip -n "$ns" addr add "$peer_ip/30" dev "$peer"
	ip -n "$ns" link set "$peer" up
	ip -n "$ns" link set lo up
}

# remove_test_host: stops every pid in PIDS, then deletes NS, VETH, WEB_NAMESPACES and WORK (end_test_host_run calls it).
remove_test_host() {
	local pid ns
	for pid in $PIDS; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
	for ns in ${WEB_NAMESPACES:-}; do ip netns delete "$ns" 2>/dev/null; done
	ip netns delete "$NS" 2>/dev/null
	ip link delete "$VETH" 2>/dev/null
	rm -rf "$WORK"
}

# hold_bench_lock NAME: waits until no other benchmark runs on this host, then holds the lock until this script and
# its children end. The monitor watches every connection of the host, so a second benchmark's storm would be counted
# in the first one's CPU, lines, alerts and memory (and both storms would share the CPUs). A script started by one
# that holds the lock (run.sh starts hook-cost.sh) inherits it. BENCH_LOCK_WAIT: seconds to wait (default 1800).
hold_bench_lock() {
	[ -n "${NS_BENCH_LOCK_HELD:-}" ] && return 0
	local lock=/run/lock/net-sentinel-bench.lock
	exec 9> "$lock"
	if ! flock -n 9; then
		echo "$1: waiting for another benchmark on this host to end ($lock)" >&2
		flock -w "${BENCH_LOCK_WAIT:-1800}" 9 || { echo "$1: another benchmark still holds $lock" >&2; exit 3; }
	fi
	export NS_BENCH_LOCK_HELD=1
}

# begin_test_host_run PREFIX [--bpf-stats]: WORK (a fresh directory /tmp/PREFIX.*), an empty PIDS, and the traps that
# remove the test host, its processes and WORK on any exit (one benchmark at a time: hold_bench_lock) (130 on Ctrl-C or TERM). With --bpf-stats the current
# kernel.bpf_stats_enabled is remembered and restored at that exit (the script turns the counters on itself).
begin_test_host_run() {
	hold_bench_lock "$1"
	WORK=$(mktemp -d "/tmp/$1.XXXXXX")
	PIDS=""
	STATS_BEFORE=""
	if [ "${2:-}" = --bpf-stats ]; then STATS_BEFORE=$(sysctl -n kernel.bpf_stats_enabled); fi
	trap end_test_host_run EXIT
	trap 'exit 130' INT TERM
}

# end_test_host_run: begin_test_host_run's exit trap.
end_test_host_run() {
	set +e
	if [ -n "$STATS_BEFORE" ]; then sysctl -q -w kernel.bpf_stats_enabled="$STATS_BEFORE"; fi
	remove_test_host
}

# serve_on_test_host SECONDS [nsload serve options...]: nsload's server on PEER_IP inside NS, TCP ports
# 20000..20999 plus the given options, for SECONDS; its pid joins PIDS; returns once it is ready.
serve_on_test_host() {
	local seconds=$1
	shift
	ip netns exec "$NS" "$NSLOAD" serve --host "$PEER_IP" --port 20000 --ports 1000 "$@" --seconds "$seconds" > "$WORK/server.out" &
	PIDS="$! $PIDS"
	for _ in $(seq 100); do grep -q ready "$WORK/server.out" 2>/dev/null && break; sleep 0.05; done
	grep -q ready "$WORK/server.out" || die "the test host's server did not start"
}

# prog_counters PID: "name run_time_ns run_cnt" for every ns_* program PID holds open (bpf_stats must be on).
prog_counters() {
	local ids
	ids=$(grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u | paste -sd, -)
	[ -n "$ids" ] || return 0
	bpftool prog show -j | jq -r --arg ids "$ids" '($ids | split(",") | map(tonumber)) as $mine
		| .[] | select((.id as $i | $mine | index($i)) and (.name | startswith("ns_")))
		| "\(.name) \(.run_time_ns // 0) \(.run_cnt // 0)"'
}

# start_monitor ERR [VAR=VALUE ...] COMMAND [ARGS...]: the monitor (COMMAND, run by env with the VAR=VALUE pairs),
# stdout to /dev/null, stderr to ERR; sets MON, adds it to PIDS and returns once it watches (else dies with its stderr).
start_monitor() {
	local err=$1
	shift
	# Emptied here, not only by the child's redirection: until the child runs, ERR still holds the previous monitor's
	# lines, and the wait below saw its "watching outbound" and went on before the child truncated the file (a loaded
	# machine's fork-to-open delay; seen as "did not start" with an empty ERR in bench/udp-cost.sh).
	: > "$err"
	env "$@" > /dev/null 2> "$err" &
	MON=$!
	PIDS="$MON $PIDS"
	# A deadline, not a count of sleeps: under a fork storm `sleep` itself can fail at once, and 1,200 failed sleeps
	# gave up after ~3 s with the monitor still starting.
	local deadline=$((SECONDS + 60))
	while ((SECONDS < deadline)); do grep -q "watching outbound" "$err" 2>/dev/null && break; kill -0 "$MON" 2>/dev/null || break; sleep 0.05; done
	grep -q "watching outbound" "$err" || die "net-sentinel did not start within 60 s ($(kill -0 "$MON" 2>/dev/null && echo running || echo exited)): $(cat "$err")"
}

# stop_monitor: SIGTERM to MON, waits for it (its stop summary is the last line of its stderr), takes it off PIDS.
stop_monitor() {
	kill -TERM "$MON"
	wait "$MON" || true
	PIDS=$(tr ' ' '\n' <<< "$PIDS" | grep -vx "$MON" | paste -sd ' ' -)
}

# cpu_ticks PID: the CPU time the kernel accounted to PID (utime + stime, all threads), in clock ticks (getconf CLK_TCK).
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

# rss_mb PID [FIELD]: VmRSS (or FIELD, e.g. VmHWM) of PID in MB, one decimal.
rss_mb() { awk -v f="${2:-VmRSS}:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# start_web_test_hosts CLIENT_NS SERVER_NS VETH CLIENT_IP SERVER_IP PORT [PREFIX...]: the web workload of make bench's
# nginx scenario. Two namespaces joined directly by a veth pair (CLIENT_IP/30, SERVER_IP/30), so TIME_WAIT and the port
# ranges are theirs, not the host's; nginx (Debian nginx-light, one worker) in SERVER_NS answering every request with a
# 3-byte page; wrk runs in CLIENT_NS (web_requests). PREFIX, when given, starts nginx (e.g. a command that puts it in a
# cgroup). Sets NGINX_PID and adds it to PIDS; WEB_NAMESPACES lists the namespaces for remove_test_host. Returns once
# nginx answers.
start_web_test_hosts() {
	local client_ns=$1 server_ns=$2 veth=$3 client_ip=$4 server_ip=$5 port=$6 _
	shift 6
	ip netns add "$client_ns"
	ip netns add "$server_ns"
	WEB_NAMESPACES="$client_ns $server_ns"
	ip link add "$veth" netns "$client_ns" type veth peer name "${veth}p" netns "$server_ns"
	ip -n "$client_ns" addr add "$client_ip/30" dev "$veth"
	ip -n "$server_ns" addr add "$server_ip/30" dev "${veth}p"
	ip -n "$client_ns" link set lo up
	ip -n "$server_ns" link set lo up
	ip -n "$client_ns" link set "$veth" up
	ip -n "$server_ns" link set "${veth}p" up
	mkdir -p "$WORK/nginx/tmp"
	cat > "$WORK/nginx/nginx.conf" <<-CONF
	worker_processes 1;
	pid $WORK/nginx/nginx.pid;
	error_log $WORK/nginx/error.log warn;
	events { worker_connections 4096; }
	http {
	    access_log off;
	    client_body_temp_path $WORK/nginx/tmp;
	    server {
	        listen $server_ip:$port backlog=4096;
	        location / { return 200 "ok\n"; }
	    }
	}
	CONF
	"$@" ip netns exec "$server_ns" /usr/sbin/nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' 2> "$WORK/nginx/stderr" &
	NGINX_PID=$!
	PIDS="$NGINX_PID ${PIDS:-}"
	for _ in $(seq 100); do ip netns exec "$client_ns" bash -c "exec 3<>/dev/tcp/$server_ip/$port" 2>/dev/null && return 0; sleep 0.05; done
	echo "nginx did not start: $(cat "$WORK/nginx/stderr" "$WORK/nginx/error.log" 2>/dev/null)" >&2
	exit 1
}

# web_requests CLIENT_NS SERVER_IP PORT SECONDS [PREFIX...]: wrk (one thread, 16 connections, a new connection per
# request: Connection: close) for SECONDS rounded up to whole seconds; prints "ops=N rate=R" like nsload.
web_requests() {
	local client_ns=$1 server_ip=$2 port=$3 seconds=$4
	shift 4
	"$@" ip netns exec "$client_ns" /usr/bin/wrk -t1 -c16 -d"$(awk -v s="$seconds" 'BEGIN { printf "%d", s + 0.999 }')s" \
		-H 'Connection: close' "http://$server_ip:$port/" |
		awk '/ requests in / { ops = $1 } /^Requests\/sec:/ { rate = $2 } END { printf "ops=%d rate=%s\n", ops, rate }'
}
