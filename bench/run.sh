#!/bin/bash
# run.sh: the ngnprod benchmark (issue 5). `make bench` runs it from the
# build directory; it can also be run by hand from there:
#   NGN_BUILDDIR=$PWD /path/to/src/bench/run.sh
#
# Starts a private MariaDB (tests/lib/with-mariadb.sh; durable:
# innodb_flush_log_at_trx_commit=1), applies the schema, bulk-loads the data
# set (load-data.sh), starts ngnprod on a free port of 127.0.0.1 and, for
# every workload and connection count, runs the SOAP load generator against
# ngnprod and then the raw baseline (rawdb: the same SQL as prepared
# statements over the same number of connections) in the same run. Then the
# RSS soak (N getAccount calls) and 256 idle connections. Stops everything by
# pid and prints one table; results also go to $BENCH_OUT (default
# ./bench-results/: results.tsv, table.txt, the server log).
#
# Settings (environment):
#   BENCH_QUICK=1        smoke run of about 2 minutes: 10k accounts only, short runs
#   BENCH_SECS, BENCH_WARMUP   measured and warm-up seconds per run (4 and 1; quick 1 and 0.3)
#   BENCH_CONNS          connection counts (default "1 16 256")
#   BENCH_WORKLOADS      workloads at 10k (default: all, and pointSelect, raw only)
#   BENCH_WORKLOADS_1M   workloads at 1M (default: pointSelect getAccount getAccounts
#                        addAccount; quick: none)
#   BENCH_SCALES         data-set sizes (default "10000 1000000"; quick "10000")
#   BENCH_SOAK, BENCH_SOAK_SECS   the RSS soak: getAccount calls over 16 connections,
#                        at most this many and this long (1000000 and 240 s; quick
#                        50000 and 20 s); RSS growth is also given over every call
#                        served since the end of the first run
#   BENCH_SERVER_ARGS    extra ngnprod settings, e.g. --workers=16
#   BENCH_RAW=0          skip the raw baseline
#   BENCH_PROXY=0        skip flip -> proxy (needs proxy-glue and Kamailio)
#   BENCH_FLIP_RATE      flips/s offered in flip -> proxy (default 1000)
#   BENCH_GLUE_ARGS      extra settings of the flip -> proxy ngnprod, e.g.
#                        --glue-write-through-ms=0 (write-through off)
#   BENCH_SETTLE_SECS    after each bulk load, wait at most this long for InnoDB's
#                        dirty pages and undo history to drain (default 120)
#   BENCH_BEFORE=DIR     before/after in one run: DIR is the build directory of an
#                        earlier ngnprod (e.g. a worktree of the previous commit);
#                        it runs every SOAP workload too, right before the current
#                        one, and the table gets a before -> after section
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
if [ -z "${NGN_TEST_DB_SOCKET:-}" ]; then
	exec "$top/tests/lib/with-mariadb.sh" "$0" "$@"
fi
. "$top/tests/lib/common.sh"
B=${NGN_BUILDDIR:-$(pwd)}
B=$(cd "$B" && pwd)
for p in ngnprod ngnprod-admin bench/loadgen bench/rawdb; do
	[ -x "$B/$p" ] || { echo "run.sh: $B/$p is missing: run 'make bench' in the build directory" >&2; exit 2; }
done

quick=${BENCH_QUICK:-0}
all_wl="pointSelect getAccount addAccount updateAccount flip addBalance addBalanceHot getAccounts"
if [ "$quick" = 1 ]; then
	secs=${BENCH_SECS:-1} warm=${BENCH_WARMUP:-0.3} scales=${BENCH_SCALES:-10000}
	soak=${BENCH_SOAK:-50000} soak_secs=${BENCH_SOAK_SECS:-20} wl_1m=${BENCH_WORKLOADS_1M-}
else
	secs=${BENCH_SECS:-4} warm=${BENCH_WARMUP:-1} scales=${BENCH_SCALES:-10000 1000000}
	soak=${BENCH_SOAK:-1000000} soak_secs=${BENCH_SOAK_SECS:-240}
	wl_1m=${BENCH_WORKLOADS_1M-pointSelect getAccount getAccounts addAccount}
fi
conns_list=${BENCH_CONNS:-1 16 256}
wl_10k=${BENCH_WORKLOADS:-$all_wl}
do_raw=${BENCH_RAW:-1}
out=${BENCH_OUT:-$B/bench-results}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tsv="$out/results.tsv"
: >"$tsv"
: >"$out/errors.log"
login=bench password=bench-secret-1
dbargs="--db-socket=$NGN_TEST_DB_SOCKET --db-user=root --db-password= --db-name=$NGN_TEST_DB_NAME"
sql() { mariadb --no-defaults -S "$NGN_TEST_DB_SOCKET" -uroot "$NGN_TEST_DB_NAME" "$@"; }
say() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---- machine ------------------------------------------------------------------
machine() {
	echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')),"\
		"$(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r)"
	echo "software: $(mariadbd --version | awk '{print $3}'), libevent $(pkg-config --modversion libevent 2>/dev/null),"\
		"gsoap $(pkg-config --modversion gsoap 2>/dev/null), $(${CC:-cc} --version | head -1)"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); runs: ${secs}s measured after ${warm}s warm-up;"\
		"loader, server, MariaDB and client share the cores"
}
machine | tee "$out/machine.txt" >&2

# ---- database -----------------------------------------------------------------
# The buffer pool holds the 1M data set (~1 GB with its indexes), as a
# production server's would; durability stays at the production setting.
sql -e "SET GLOBAL innodb_buffer_pool_size = 2147483648; SET GLOBAL max_connections = 1000;
        SET GLOBAL thread_cache_size = 1000;
        SET GLOBAL innodb_flush_log_at_trx_commit = 1" || exit 99
"$B/ngnprod-admin" $dbargs migrate >/dev/null || exit 99
NGNPROD_PASSWORD=$password "$B/ngnprod-admin" $dbargs login add "$login" >/dev/null || exit 99

# ---- ngnprod --------------------------------------------------------------------
before=${BENCH_BEFORE:-}
if [ -n "$before" ]; then
	before=$(cd "$before" && pwd) && [ -x "$before/ngnprod" ] \
		|| { echo "run.sh: BENCH_BEFORE=$BENCH_BEFORE has no ngnprod" >&2; exit 2; }
fi
spid= bpid=
kill_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$1" 2>/dev/null
}
stop_server() {
	kill_pid "$spid"
	kill_pid "$bpid"
	spid= bpid=
}
trap stop_server EXIT
# start_one BINARY LOGNAME: sets started_pid and started_port
start_one() {
	for _ in 1 2 3; do
		started_port=$(ngn_free_port)
		"$1" $dbargs --port="$started_port" --log-level=1 --max-connections=2048 --queue-limit=100000 \
			${BENCH_SERVER_ARGS:-} >"$out/$2.out" 2>>"$out/$2.log" &
		started_pid=$!
		for _ in $(seq 1 100); do
			grep -q listening "$out/$2.out" 2>/dev/null && return 0
			kill -0 "$started_pid" 2>/dev/null || break
			sleep 0.05
		done
		kill_pid "$started_pid"
	done
	echo "run.sh: $1 did not start:" >&2
	cat "$out/$2.log" >&2
	exit 99
}
start_server() {
	start_one "$B/ngnprod" ngnprod
	spid=$started_pid port=$started_port
	if [ -n "$before" ]; then
		start_one "$before/ngnprod" ngnprod-before
		bpid=$started_pid bport=$started_port
	fi
}

# ---- one measurement --------------------------------------------------------------
kv() { # kv KEY LINE
	local k=$1 l=$2
	l=" $l "
	l=${l#* "$k"=}
	[ "$l" = " $2 " ] && { echo 0; return; }
	echo "${l%% *}"
}
# prints "<statements executed> <commits> <buffer pool misses>" (server-wide counters)
dbcount() {
	sql -N -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_stmt_execute', 'Com_commit', 'Innodb_buffer_pool_reads')" \
		| awk '$1 == "Com_stmt_execute" { s = $2 } $1 == "Com_commit" { c = $2 }
		       $1 == "Innodb_buffer_pool_reads" { r = $2 } END { print s, c, r }'
}
# CPU time of a process so far, in clock ticks (user + system)
ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
hz=$(getconf CLK_TCK)
# context switches (voluntary + involuntary) of all threads of a process
ctxsw() {
	cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { print s + 0 }'
}
per_op() { # per_op TICKS ALL: microseconds per operation
	awk -v t="$1" -v a="$2" -v hz="$hz" 'BEGIN { printf "%.0f", (a > 0 ? t * 1e6 / hz / a : 0) }'
}
served() { # calls ngnprod served so far (GET /status)
	curl -s -m 2 "http://127.0.0.1:$port/status" 2>/dev/null | sed -n 's/.*"served":\([0-9]*\).*/\1/p'
}
rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}
rss_warm= served_warm=
adds=0
# measure SIDE WORKLOAD CONNS SCALE: runs one side, appends a row to results.tsv
measure() {
	local side=$1 wl=$2 c=$3 scale=$4 line base=0 group=x
	if [ "$wl" = addAccount ] || [ "$wl" = addAccount1D ]; then
		adds=$((adds + 1))
		base=$((100000000 + adds * 1000000))
	fi
	[ "$wl" = flip ] && group="flip-$side-$c-$scale"
	local seed=$RANDOM
	local sp=$spid sport=$port
	[ "$side" = before ] && sp=$bpid sport=$bport
	set -- $(dbcount)
	local e0=$1 c0=$2 r0=$3 st0 dt0
	st0=$(ticks "$sp") dt0=$(ticks "$NGN_TEST_DB_PID")
	local sx0 dx0
	sx0=$(ctxsw "$sp") dx0=$(ctxsw "$NGN_TEST_DB_PID")
	if [ "$side" != raw ]; then
		line=$("$B/bench/loadgen" --port "$sport" --workload "$wl" --conns "$c" --secs "$secs" \
			--warmup "$warm" --accounts "$scale" --new-base "$base" --group "$group" --login "$login" \
			--password "$password" --server-pid "$sp" --seed "$seed" 2>>"$out/errors.log")
	else
		line=$("$B/bench/rawdb" --socket "$NGN_TEST_DB_SOCKET" --db "$NGN_TEST_DB_NAME" --workload "$wl" \
			--conns "$c" --secs "$secs" --warmup "$warm" --accounts "$scale" --new-base "$base" \
			--group "$group" --seed "$seed" 2>>"$out/errors.log")
	fi
	local st1 dt1 sx1 dx1
	st1=$(ticks "$sp") dt1=$(ticks "$NGN_TEST_DB_PID")
	sx1=$(ctxsw "$sp") dx1=$(ctxsw "$NGN_TEST_DB_PID")
	set -- $(dbcount)
	local all
	all=$(kv all "$line")
	local scpu dcpu ccpu
	scpu=$(per_op $((st1 - st0)) "$all") dcpu=$(per_op $((dt1 - dt0)) "$all")
	ccpu=$(awk -v c="$(kv cpu_us "$line")" -v a="$all" 'BEGIN { printf "%.0f", (a > 0 ? c / a : 0) }')
	local spo cpo
	spo=$(awk -v a="$all" -v d=$(($1 - e0)) 'BEGIN { printf "%.2f", (a > 0 ? d / a : 0) }')
	cpo=$(awk -v a="$all" -v d=$(($2 - c0)) 'BEGIN { printf "%.2f", (a > 0 ? d / a : 0) }')
	local rpo
	rpo=$(awk -v a="$all" -v d=$(($3 - r0)) 'BEGIN { printf "%.2f", (a > 0 ? d / a : 0) }')
	printf '%s\t' "$scale" "$wl" "$c" "$side" "$(kv rps "$line")" "$(kv p50_us "$line")" "$(kv p99_us "$line")" \
		"$(kv p999_us "$line")" "$(kv max_us "$line")" "$(kv errors "$line")" "$spo" "$cpo" \
		"$(kv conn_min "$line")" "$(kv conn_max "$line")" "$(kv rss_before_kb "$line")" \
		"$(kv rss_after_kb "$line")" "$scpu" "$dcpu" "$ccpu" "$(cut -d' ' -f1 /proc/loadavg)" >>"$tsv"
	printf '%s\t%s\t%s\n' "$rpo" \
		"$(awk -v a="$all" -v d=$((sx1 - sx0)) 'BEGIN { printf "%.1f", (a > 0 ? d / a : 0) }')" \
		"$(awk -v a="$all" -v d=$((dx1 - dx0)) 'BEGIN { printf "%.1f", (a > 0 ? d / a : 0) }')" >>"$tsv"
	say "$scale $wl c=$c $side: $(kv rps "$line")/s p99 $(kv p99_us "$line") us, errors $(kv errors "$line"),"\
		"stmts/op $spo, buffer pool misses/op $rpo, CPU us/op: ngnprod $scpu, mariadbd $dcpu, client $ccpu"
}

run_scale() {
	local scale=$1 wls=$2 ran
	for wl in $wls; do
		ran=
		for c in $conns_list; do
			case $wl in
			pointSelect | *J | *Jro | *C | *U | *Uro) ;; # raw only
			*)	[ -n "$before" ] && measure before "$wl" "$c" "$scale"
				measure ngnprod "$wl" "$c" "$scale"; ran=1 ;;
			esac
			[ "$do_raw" = 1 ] && measure raw "$wl" "$c" "$scale"
		done
		# the baseline of "RSS over every call": once the first SOAP
		# workload has run at every connection count (all workers warm)
		if [ -n "$ran" ] && [ -z "$rss_warm" ]; then
			rss_warm=$(rss_kb "$spid") served_warm=$(served)
		fi
	done
}

# ---- group flip -> proxy (proxy-glue + Kamailio) ----------------------------------
# Only where proxy-glue is built in (ngnprod --proxy) and Kamailio with the
# shipped script is at hand. A second ngnprod with --proxy serves flips of
# the policy group "blocked" (mask bit 1) at a fixed rate; loadgen polls the
# proxy's htable (htable.get) after every 10th flip reply until the new mask
# shows, so the latency is commit -> proxy sees it, from the client's view.
proxyline=
proxy_flips() {
	local rate=${BENCH_FLIP_RATE:-1000}
	[ -f "$top/tests/lib/kamailio.sh" ] && [ -f "$top/proxy-glue/kamailio/ngnprod.cfg" ] \
		&& command -v kamailio >/dev/null && "$B/ngnprod" --help 2>/dev/null | grep -q -- '--proxy' \
		|| { say "flip -> proxy: skipped (proxy-glue or Kamailio not available)"; return 0; }
	. "$top/tests/lib/kamailio.sh"
	local sip rpc gport gpid=
	sip=$(ngn_free_port) rpc=$(ngn_free_port)
	if ! ngn_kam_start "$NGN_TEST_TMP/kam" "$sip" "$rpc" "sip:127.0.0.1:9" \
		"mysql://root@127.0.0.1:$NGN_TEST_DB_PORT/$NGN_TEST_DB_NAME" 2>>"$out/errors.log"; then
		say "flip -> proxy: Kamailio did not start (see errors.log)"
		return 0
	fi
	gport=$(ngn_free_port)
	"$B/ngnprod" $dbargs --port="$gport" --log-level=1 --proxy="http://127.0.0.1:$rpc/RPC" --glue-id=bench \
		${BENCH_GLUE_ARGS:-} >"$out/ngnprod-glue.out" 2>"$out/ngnprod-glue.log" &
	gpid=$!
	local synced=
	for _ in $(seq 1 600); do
		if curl -s -m 2 "http://127.0.0.1:$gport/status" 2>/dev/null | grep -q '"in-sync"'; then
			synced=1
			break
		fi
		sleep 0.1
	done
	if [ -n "$synced" ]; then
		say "flip -> proxy: $rate flips/s over 16 connections, glue in sync"
		proxyline=$("$B/bench/loadgen" --port "$gport" --workload flip --conns 16 --rate "$rate" --secs "$secs" \
			--warmup "$warm" --accounts "$1" --group blocked --probe-port "$rpc" --probe-every 10 \
			--probe-bit 1 --login "$login" --password "$password" --server-pid "$gpid" 2>>"$out/errors.log")
		curl -s -m 2 "http://127.0.0.1:$gport/status" >"$out/glue-status.json" 2>/dev/null
	else
		say "flip -> proxy: the glue did not get in sync within 60 s (see ngnprod-glue.log)"
	fi
	kill -TERM "$gpid" 2>/dev/null
	for _ in $(seq 1 100); do kill -0 "$gpid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$gpid" 2>/dev/null
	ngn_kam_kill
}

# ---- after a bulk load: let InnoDB finish its background work ---------------------
# A load of ~1M rows leaves dirty pages and undo history that InnoDB's page
# cleaner and purge work off for a while; measured right away, the first
# workloads pay for it (mariadbd CPU per getAccount +60-80 % in the first
# runs after the load, not in the raw runs that follow them). Wait, at most
# BENCH_SETTLE_SECS (120), until both are small.
settle() {
	local limit=${BENCH_SETTLE_SECS:-120} t0 dirty hist
	t0=$(date +%s)
	while :; do
		dirty=$(sql -N -e "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'" | awk '{print $2}')
		hist=$(sql -N -e "SELECT count FROM information_schema.INNODB_METRICS WHERE name = 'trx_rseg_history_len'")
		if [ "${dirty:-0}" -lt 1000 ] && [ "${hist:-0}" -lt 1000 ]; then
			break
		fi
		if [ $(($(date +%s) - t0)) -ge "$limit" ]; then
			say "settle: still $dirty dirty pages, history $hist after $limit s; measuring anyway"
			break
		fi
		sleep 1
	done
	say "settled in $(($(date +%s) - t0)) s (dirty pages $dirty, undo history $hist)"
	echo "settled after the load in $(($(date +%s) - t0)) s (dirty pages $dirty, undo history $hist)" \
		>>"$out/machine.txt"
}

# ---- the runs -----------------------------------------------------------------
start_server
loaded=0
for scale in $scales; do
	say "loading accounts $loaded..$scale"
	t=$(date +%s)
	"$here/load-data.sh" "$loaded" "$scale" || exit 99
	say "loaded in $(($(date +%s) - t)) s"
	echo "load: $loaded..$scale accounts in $(($(date +%s) - t)) s" >>"$out/machine.txt"
	settle
	loaded=$scale
	if [ "$scale" = "$(echo $scales | awk '{print $1}')" ]; then
		run_scale "$scale" "$wl_10k"
		[ "${BENCH_PROXY:-1}" = 1 ] && proxy_flips "$scale"
	else
		run_scale "$scale" "$wl_1m"
	fi
done

say "RSS soak: up to $soak getAccount calls over 16 connections, at most $soak_secs s"
soakline=$("$B/bench/loadgen" --port "$port" --workload getAccount --conns 16 --secs "$soak_secs" --warmup 0 \
	--max "$soak" --accounts "$loaded" --login "$login" --password "$password" --server-pid "$spid" 2>>"$out/errors.log")
rss_end=$(rss_kb "$spid") served_end=$(served)
say "256 idle connections"
idleline=$("$B/bench/loadgen" --port "$port" --workload getAccount --conns 256 --idle 3 --accounts "$loaded" \
	--login "$login" --password "$password" --server-pid "$spid" 2>>"$out/errors.log")
stop_server

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (includes this benchmark's own 256-thread raw runs)" \
	>>"$out/machine.txt"

# ---- the table ------------------------------------------------------------------
{
	cat "$out/machine.txt"
	echo
	awk -F'\t' -f "$here/table.awk" "$tsv"
	[ "$quick" = 1 ] && echo "BENCH_QUICK: ${secs} s runs; at 256 connections a call can take longer than the run," \
		"so those rows (and their ratios) mean little here"
	echo
	awk -v l="$soakline" 'BEGIN {
		split(l, a, " "); for (i in a) { split(a[i], p, "="); v[p[1]] = p[2] }
		printf "RSS soak: %d getAccount calls (16 conns, %.0f/s, %s errors): %.1f MB -> %.1f MB (%+.1f%%)\n", \
			v["all"], v["rps"], v["errors"], v["rss_before_kb"] / 1024, v["rss_after_kb"] / 1024, \
			(v["rss_before_kb"] > 0 ? 100 * (v["rss_after_kb"] - v["rss_before_kb"]) / v["rss_before_kb"] : 0) }'
	awk -v a="$rss_warm" -v b="$rss_end" -v s0="$served_warm" -v s1="$served_end" 'BEGIN {
		if (a > 0 && s1 > s0)
			printf "RSS over every call after the first workload: %.1f MB -> %.1f MB (%+.1f%%) over %d calls\n", \
				a / 1024, b / 1024, 100 * (b - a) / a, s1 - s0 }'
	awk -v l="$idleline" 'BEGIN {
		split(l, a, " "); for (i in a) { split(a[i], p, "="); v[p[1]] = p[2] }
		printf "RSS with 256 idle keep-alive connections: %.1f MB (was %.1f MB before they connected)\n", \
			v["rss_idle_kb"] / 1024, v["rss_before_kb"] / 1024 }'
	if [ -n "$proxyline" ]; then
		awk -v l="$proxyline" -v rate="${BENCH_FLIP_RATE:-1000}" 'BEGIN {
			n = split(l, a, /[ \n]/); for (i = 1; i <= n; i++) { split(a[i], p, "="); v[p[1]] = p[2] }
			printf "group flip -> proxy sees it (proxy-glue, Kamailio htable): %.0f flips/s offered over 16 conns,"\
				" %.0f/s done, %s errors; flip reply -> visible: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms,"\
				" max %.2f ms (%s probes, %s timed out); flip sent -> visible: p50 %.2f ms, p99 %.2f ms;"\
				" the flip call itself: p50 %.2f ms, p99 %.2f ms\n", \
				rate, v["rps"], v["errors"], v["probe_p50_us"] / 1000, v["probe_p99_us"] / 1000, \
				v["probe_p999_us"] / 1000, v["probe_max_us"] / 1000, v["probe_n"], v["probe_timeouts"], \
				v["probe_send_p50_us"] / 1000, v["probe_send_p99_us"] / 1000, v["p50_us"] / 1000, \
				v["p99_us"] / 1000 }'
	else
		echo "group flip -> proxy: not measured (proxy-glue not built in, or Kamailio missing)"
	fi
} | tee "$out/table.txt"
if [ -s "$out/errors.log" ]; then
	echo "(failed replies: see $out/errors.log)"
fi
