#!/bin/bash
# count-variants.sh: the noise-free side of run-variants.sh. For each
# variant, N getAccount calls over CONNS connections against a fresh
# ngnprod (prototypes.patch build, see run-variants.sh), and per call:
#   - context switches of ngnprod and of mariadbd (/proc/PID/task/*/status),
#   - system calls of ngnprod by kind (strace -c -f, a separate pass),
#   - statements executed (Com_stmt_execute) and COMMITs.
# On the 2-core PVM guest a system call costs ~2.5 us and a thread wake-up
# ~12 us (bench/RESULTS.md), so these counts predict most of the CPU per
# call without the run-to-run noise of a shared machine.
#   NGN_BUILDDIR=$PWD ../bench/experiments/count-variants.sh [N] [CONNS]
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
if [ -z "${NGN_TEST_DB_SOCKET:-}" ]; then
	exec "$top/tests/lib/with-mariadb.sh" "$0" "$@"
fi
. "$top/tests/lib/common.sh"
n=${1:-3000} conns=${2:-16} wl=${WORKLOAD:-getAccount}
B=$(cd "${NGN_BUILDDIR:-.}" && pwd)
dbargs="--db-socket=$NGN_TEST_DB_SOCKET --db-user=root --db-password= --db-name=$NGN_TEST_DB_NAME"
sql() { mariadb --no-defaults -S "$NGN_TEST_DB_SOCKET" -uroot "$NGN_TEST_DB_NAME" "$@"; }
sql -e "SET GLOBAL innodb_buffer_pool_size = 1073741824" || exit 99
"$B/ngnprod-admin" $dbargs migrate >/dev/null || exit 99
NGNPROD_PASSWORD=bench-secret-1 "$B/ngnprod-admin" $dbargs login add bench >/dev/null || exit 99
"$here/load-data.sh" 0 10000 || exit 99
ctxsw() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { print s + 0 }'; }
stmts() { sql -N -e "SHOW GLOBAL STATUS LIKE 'Com_stmt_execute'" | awk '{ print $2 }'; }
variants=${VARIANTS:-"base CHANGELIST DEALLOC LIFO INLINE GETONE NOCOMMIT ALL"}
spid=
trap '[ -n "$spid" ] && kill $spid 2>/dev/null' EXIT
for v in $variants; do
	envs=()
	case $v in
	base) ;;
	ALL) envs=(NGN_X_NODELAY=1 NGN_X_CHANGELIST=1 NGN_X_DEALLOC=1 NGN_X_LIFO=1 NGN_X_GETONE=1 NGN_X_NOCOMMIT=1) ;;
	*) for x in ${v//+/ }; do envs+=("NGN_X_$x=1"); done ;;
	esac
	port=$(ngn_free_port)
	env "${envs[@]}" "$B/ngnprod" $dbargs --port="$port" --log-level=1 >"$NGN_TEST_TMP/x.out" 2>&1 &
	spid=$!
	for _ in $(seq 1 100); do grep -q listening "$NGN_TEST_TMP/x.out" && break; sleep 0.05; done
	lg() { "$B/bench/loadgen" --port "$port" --workload "$wl" --conns "$conns" --max "$1" --secs 0 --warmup 0 2>/dev/null; }
	lg 1000 >/dev/null
	a0=$(ctxsw "$spid") m0=$(ctxsw "$NGN_TEST_DB_PID") s0=$(stmts)
	lg "$n" >/dev/null
	a1=$(ctxsw "$spid") m1=$(ctxsw "$NGN_TEST_DB_PID") s1=$(stmts)
	strace -c -f -q -p "$spid" -o "$NGN_TEST_TMP/strace.txt" &
	st=$!
	sleep 0.5
	lg "$n" >/dev/null
	sleep 0.2
	kill -INT "$st"
	wait "$st" 2>/dev/null
	sys=$(awk -v n="$n" '$NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ && $NF != "total" {
		printf "%s %.1f ", $NF, $4 / n }' "$NGN_TEST_TMP/strace.txt")
	tot=$(awk -v n="$n" '$NF == "total" { printf "%.1f", $4 / n }' "$NGN_TEST_TMP/strace.txt")
	printf "%-11s per call: ctx switches ngnprod %.1f mariadbd %.1f; statements %.2f; syscalls %s (%s)\n" "$v" \
		"$(echo "$a1 $a0 $n" | awk '{ print ($1 - $2) / $3 }')" "$(echo "$m1 $m0 $n" | awk '{ print ($1 - $2) / $3 }')" \
		"$(echo "$s1 $s0 $n" | awk '{ print ($1 - $2) / $3 }')" "$tot" "$sys"
	kill "$spid"
	wait "$spid" 2>/dev/null
	spid=
done
