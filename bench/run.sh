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
#   BENCH_SECS, BENCH_WARMUP   measured and warm-up seconds per run (5 and 1; quick 1.5 and 0.5)
#   BENCH_CONNS          connection counts (default "1 16 256")
#   BENCH_WORKLOADS      workloads at 10k (default: all)
#   BENCH_WORKLOADS_1M   workloads at 1M (default: all; quick: none)
#   BENCH_SCALES         data-set sizes (default "10000 1000000"; quick "10000")
#   BENCH_SOAK           requests of the RSS soak (default 1000000; quick 50000)
#   BENCH_SERVER_ARGS    extra ngnprod settings, e.g. --workers=16
#   BENCH_RAW=0          skip the raw baseline
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
	secs=${BENCH_SECS:-1.5} warm=${BENCH_WARMUP:-0.5} scales=${BENCH_SCALES:-10000}
	soak=${BENCH_SOAK:-50000} wl_1m=${BENCH_WORKLOADS_1M-}
else
	secs=${BENCH_SECS:-5} warm=${BENCH_WARMUP:-1} scales=${BENCH_SCALES:-10000 1000000}
	soak=${BENCH_SOAK:-1000000} wl_1m=${BENCH_WORKLOADS_1M-$all_wl}
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
# The buffer pool holds the 1M data set (~0.6 GB), as a production server's
# would; durability stays at the production setting.
sql -e "SET GLOBAL innodb_buffer_pool_size = 1073741824; SET GLOBAL max_connections = 1000;
        SET GLOBAL innodb_flush_log_at_trx_commit = 1" || exit 99
"$B/ngnprod-admin" $dbargs migrate >/dev/null || exit 99
NGNPROD_PASSWORD=$password "$B/ngnprod-admin" $dbargs login add "$login" >/dev/null || exit 99

# ---- ngnprod --------------------------------------------------------------------
spid=
stop_server() {
	[ -n "$spid" ] || return 0
	kill -TERM "$spid" 2>/dev/null
	for _ in $(seq 1 100); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$spid" 2>/dev/null
	spid=
}
trap stop_server EXIT
start_server() {
	for _ in 1 2 3; do
		port=$(ngn_free_port)
		"$B/ngnprod" $dbargs --port="$port" --log-level=1 --max-connections=2048 --queue-limit=100000 \
			${BENCH_SERVER_ARGS:-} >"$out/ngnprod.out" 2>>"$out/ngnprod.log" &
		spid=$!
		for _ in $(seq 1 100); do
			grep -q listening "$out/ngnprod.out" 2>/dev/null && return 0
			kill -0 "$spid" 2>/dev/null || break
			sleep 0.05
		done
		stop_server
	done
	echo "run.sh: ngnprod did not start:" >&2
	cat "$out/ngnprod.log" >&2
	exit 99
}

# ---- one measurement --------------------------------------------------------------
kv() { # kv KEY LINE
	local k=$1 l=$2
	l=" $l "
	l=${l#* "$k"=}
	[ "$l" = " $2 " ] && { echo 0; return; }
	echo "${l%% *}"
}
# prints "<statements executed> <commits>" (server-wide counters)
dbcount() {
	sql -N -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_stmt_execute', 'Com_commit')" \
		| awk '$1 == "Com_stmt_execute" { s = $2 } $1 == "Com_commit" { c = $2 } END { print s, c }'
}
# CPU time of a process so far, in clock ticks (user + system)
ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
hz=$(getconf CLK_TCK)
per_op() { # per_op TICKS ALL: microseconds per operation
	awk -v t="$1" -v a="$2" -v hz="$hz" 'BEGIN { printf "%.0f", (a > 0 ? t * 1e6 / hz / a : 0) }'
}
adds=0
# measure SIDE WORKLOAD CONNS SCALE: runs one side, appends a row to results.tsv
measure() {
	local side=$1 wl=$2 c=$3 scale=$4 line base=0 group=x
	if [ "$wl" = addAccount ]; then
		adds=$((adds + 1))
		base=$((100000000 + adds * 1000000))
	fi
	[ "$wl" = flip ] && group="flip-$side-$c-$scale"
	local seed=$RANDOM
	set -- $(dbcount)
	local e0=$1 c0=$2 st0 dt0
	st0=$(ticks "$spid") dt0=$(ticks "$NGN_TEST_DB_PID")
	if [ "$side" = ngnprod ]; then
		line=$("$B/bench/loadgen" --port "$port" --workload "$wl" --conns "$c" --secs "$secs" \
			--warmup "$warm" --accounts "$scale" --new-base "$base" --group "$group" --login "$login" \
			--password "$password" --server-pid "$spid" --seed "$seed" 2>>"$out/errors.log")
	else
		line=$("$B/bench/rawdb" --socket "$NGN_TEST_DB_SOCKET" --db "$NGN_TEST_DB_NAME" --workload "$wl" \
			--conns "$c" --secs "$secs" --warmup "$warm" --accounts "$scale" --new-base "$base" \
			--group "$group" --seed "$seed" 2>>"$out/errors.log")
	fi
	local st1 dt1
	st1=$(ticks "$spid") dt1=$(ticks "$NGN_TEST_DB_PID")
	set -- $(dbcount)
	local all
	all=$(kv all "$line")
	local scpu dcpu ccpu
	scpu=$(per_op $((st1 - st0)) "$all") dcpu=$(per_op $((dt1 - dt0)) "$all")
	ccpu=$(awk -v c="$(kv cpu_us "$line")" -v a="$all" 'BEGIN { printf "%.0f", (a > 0 ? c / a : 0) }')
	local spo cpo
	spo=$(awk -v a="$all" -v d=$(($1 - e0)) 'BEGIN { printf "%.2f", (a > 0 ? d / a : 0) }')
	cpo=$(awk -v a="$all" -v d=$(($2 - c0)) 'BEGIN { printf "%.2f", (a > 0 ? d / a : 0) }')
	printf '%s\t' "$scale" "$wl" "$c" "$side" "$(kv rps "$line")" "$(kv p50_us "$line")" "$(kv p99_us "$line")" \
		"$(kv p999_us "$line")" "$(kv max_us "$line")" "$(kv errors "$line")" "$spo" "$cpo" \
		"$(kv conn_min "$line")" "$(kv conn_max "$line")" "$(kv rss_before_kb "$line")" \
		"$(kv rss_after_kb "$line")" "$scpu" "$dcpu" >>"$tsv"
	printf '%s\n' "$ccpu" >>"$tsv"
	say "$scale $wl c=$c $side: $(kv rps "$line")/s p99 $(kv p99_us "$line") us, errors $(kv errors "$line"),"\
		"stmts/op $spo, CPU us/op: ngnprod $scpu, mariadbd $dcpu, client $ccpu"
}

run_scale() {
	local scale=$1 wls=$2
	for wl in $wls; do
		for c in $conns_list; do
			case $wl in
			pointSelect | *J | *Jro | *RO | *U | *Uro | *S | *Sro) ;; # raw only
			*) measure ngnprod "$wl" "$c" "$scale" ;;
			esac
			[ "$do_raw" = 1 ] && measure raw "$wl" "$c" "$scale"
		done
	done
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
	loaded=$scale
	if [ "$scale" = "$(echo $scales | awk '{print $1}')" ]; then
		run_scale "$scale" "$wl_10k"
	else
		run_scale "$scale" "$wl_1m"
	fi
done

say "RSS soak: $soak getAccount calls over 16 connections"
soakline=$("$B/bench/loadgen" --port "$port" --workload getAccount --conns 16 --secs 0 --warmup 0 \
	--max "$soak" --accounts "$loaded" --login "$login" --password "$password" --server-pid "$spid" 2>>"$out/errors.log")
say "256 idle connections"
idleline=$("$B/bench/loadgen" --port "$port" --workload getAccount --conns 256 --idle 3 --accounts "$loaded" \
	--login "$login" --password "$password" --server-pid "$spid" 2>>"$out/errors.log")
stop_server

# ---- the table ------------------------------------------------------------------
{
	cat "$out/machine.txt"
	echo
	awk -F'\t' -f "$here/table.awk" "$tsv"
	echo
	awk -v l="$soakline" 'BEGIN {
		split(l, a, " "); for (i in a) { split(a[i], p, "="); v[p[1]] = p[2] }
		printf "RSS soak: %d getAccount calls (16 conns, %.0f/s, %s errors): %.1f MB -> %.1f MB (%+.1f%%)\n", \
			v["all"], v["rps"], v["errors"], v["rss_before_kb"] / 1024, v["rss_after_kb"] / 1024, \
			(v["rss_before_kb"] > 0 ? 100 * (v["rss_after_kb"] - v["rss_before_kb"]) / v["rss_before_kb"] : 0) }'
	awk -v l="$idleline" 'BEGIN {
		split(l, a, " "); for (i in a) { split(a[i], p, "="); v[p[1]] = p[2] }
		printf "RSS with 256 idle keep-alive connections: %.1f MB (was %.1f MB before they connected)\n", \
			v["rss_idle_kb"] / 1024, v["rss_before_kb"] / 1024 }'
} | tee "$out/table.txt"
if [ -s "$out/errors.log" ]; then
	echo "(failed replies: see $out/errors.log)"
fi
