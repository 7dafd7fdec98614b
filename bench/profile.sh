#!/bin/bash
# profile.sh TOOL WORKLOAD [CONNS] [REQUESTS]: profiles ngnprod serving one
# workload, the way the numbers in RESULTS.md were explained.
#   TOOL = callgrind: ngnprod runs under valgrind --tool=callgrind; REQUESTS
#          calls (default 2000, after 200 to warm up) are sent over CONNS
#          (default 4) connections; prints instructions per request, split into
#          ours / gSOAP / libmariadb / libevent / libc, and the top functions.
#          Instruction counts are repeatable on a noisy machine.
#   TOOL = perf:   perf record -e cpu-clock -g of ngnprod AND mariadbd while
#          loadgen runs 5 s (default 16 connections); prints where the time of
#          the whole machine goes (there are no hardware counters in this VM).
# Run from the build directory (NGN_BUILDDIR), after `make bench-programs`.
# Output files stay in $BENCH_OUT/profile-* (default ./bench-results).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
if [ -z "${NGN_TEST_DB_SOCKET:-}" ]; then
	exec "$top/tests/lib/with-mariadb.sh" "$0" "$@"
fi
. "$top/tests/lib/common.sh"
tool=${1:?tool: callgrind or perf} wl=${2:?workload}
B=$(cd "${NGN_BUILDDIR:-.}" && pwd)
out=${BENCH_OUT:-$B/bench-results}
mkdir -p "$out"
dbargs="--db-socket=$NGN_TEST_DB_SOCKET --db-user=root --db-password= --db-name=$NGN_TEST_DB_NAME"
mariadb --no-defaults -S "$NGN_TEST_DB_SOCKET" -uroot -e "SET GLOBAL innodb_buffer_pool_size = 1073741824" || exit 99
"$B/ngnprod-admin" $dbargs migrate >/dev/null || exit 99
NGNPROD_PASSWORD=bench-secret-1 "$B/ngnprod-admin" $dbargs login add bench >/dev/null || exit 99
"$here/load-data.sh" 0 10000 || exit 99
port=$(ngn_free_port)
lg() { "$B/bench/loadgen" --port "$port" --workload "$wl" --accounts 10000 --new-base 150000000 --group flip-prof "$@"; }
spid=
trap '[ -n "$spid" ] && kill -TERM $spid 2>/dev/null; wait' EXIT
wait_listening() {
	for _ in $(seq 1 600); do
		grep -q listening "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "ngnprod did not start" >&2
	exit 99
}
case $tool in
callgrind)
	conns=${3:-4} n=${4:-2000}
	rm -f "$out"/profile-callgrind.out*
	valgrind --tool=callgrind --callgrind-out-file="$out/profile-callgrind.out" \
		"$B/ngnprod" $dbargs --port="$port" --log-level=1 >"$out/profile.out" 2>"$out/profile.log" &
	spid=$!
	wait_listening "$out/profile.out"
	lg --conns "$conns" --max 200 --secs 0 --warmup 0 >/dev/null
	callgrind_control -z "$spid" >/dev/null
	lg --conns "$conns" --max "$n" --secs 0 --warmup 0
	callgrind_control -d "$spid" >/dev/null
	kill -TERM "$spid"
	wait "$spid"
	spid=
	f="$out/profile-callgrind.out.1" # the dump: from the zeroing to the end of the run
	callgrind_annotate --auto=no --threshold=100 "$f" 2>/dev/null >"$out/profile-self.txt"
	awk -v n="$n" -f "$here/callgrind-summary.awk" "$out/profile-self.txt"
	echo "top functions (self):"
	grep -E '^ *[0-9,]+ ' "$out/profile-self.txt" | grep -v -E ':(clone|start_thread|front_run|event_base_dispatch|main|\(below main\)|__libc_start_main[^ ]*|0x000000000001ab70) \[' | head -25
	;;
perf)
	conns=${3:-16}
	"$B/ngnprod" $dbargs --port="$port" --log-level=1 >"$out/profile.out" 2>"$out/profile.log" &
	spid=$!
	wait_listening "$out/profile.out"
	lg --conns "$conns" --secs 1 --warmup 0 >/dev/null
	perf record -q -e cpu-clock -F 4000 -g -a -o "$out/profile-perf.data" -- sleep 5 >/dev/null 2>&1 &
	ppid=$!
	lg --conns "$conns" --secs 5 --warmup 0
	wait "$ppid"
	perf report -i "$out/profile-perf.data" --no-children --sort comm,dso -g none 2>/dev/null \
		| grep -E '^ +[0-9]' | head -20
	echo "top symbols:"
	perf report -i "$out/profile-perf.data" --no-children --sort comm,sym -g none 2>/dev/null \
		| grep -E '^ +[0-9]' | head -40
	;;
*)
	echo "tool: callgrind or perf" >&2
	exit 2
	;;
esac
