#!/bin/bash
# run-variants.sh: measures the server-side proposals of bench/RESULTS.md on
# a build of ngnprod with experiments/prototypes.patch applied (each
# prototype is switched on by an environment variable, so one binary serves
# every variant). Not part of `make bench`.
#
#   cd /tmp && git -C SRC archive HEAD | tar -x -C exp && cd exp \
#     && patch -p1 < bench/experiments/prototypes.patch && ./autogen.sh \
#     && mkdir b && cd b && ../configure -q && make -j2 && make bench-programs
#   NGN_BUILDDIR=$PWD ../bench/experiments/run-variants.sh [ROUNDS] [SECS]
#
# For every round, every variant: a fresh ngnprod with the variant's
# environment, getAccount at 1 and 16 connections and getAccounts at 1 and
# 16 connections (10k accounts), SECS seconds each; prints calls/s and the
# CPU time per call of ngnprod and of mariadbd (less noisy than calls/s on a
# shared machine). Variants are interleaved round by round.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
if [ -z "${NGN_TEST_DB_SOCKET:-}" ]; then
	exec "$top/tests/lib/with-mariadb.sh" "$0" "$@"
fi
. "$top/tests/lib/common.sh"
rounds=${1:-2} secs=${2:-4}
B=$(cd "${NGN_BUILDDIR:-.}" && pwd)
dbargs="--db-socket=$NGN_TEST_DB_SOCKET --db-user=root --db-password= --db-name=$NGN_TEST_DB_NAME"
mariadb --no-defaults -S "$NGN_TEST_DB_SOCKET" -uroot -e "SET GLOBAL innodb_buffer_pool_size = 1073741824" || exit 99
"$B/ngnprod-admin" $dbargs migrate >/dev/null || exit 99
NGNPROD_PASSWORD=bench-secret-1 "$B/ngnprod-admin" $dbargs login add bench >/dev/null || exit 99
"$here/load-data.sh" 0 10000 || exit 99
hz=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
variants=${VARIANTS:-"base NODELAY CHANGELIST DEALLOC LIFO INLINE GETONE NOCOMMIT GETONE+NOCOMMIT ALL"}
spid=
trap '[ -n "$spid" ] && kill $spid 2>/dev/null' EXIT
for r in $(seq 1 "$rounds"); do
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
		for wl in getAccount getAccounts; do
			for c in 1 16; do
				"$B/bench/loadgen" --port "$port" --workload "$wl" --conns "$c" --secs 1 --warmup 0 >/dev/null 2>&1
				s0=$(ticks "$spid") d0=$(ticks "$NGN_TEST_DB_PID")
				line=$("$B/bench/loadgen" --port "$port" --workload "$wl" --conns "$c" --secs "$secs" --warmup 0 2>/dev/null)
				s1=$(ticks "$spid") d1=$(ticks "$NGN_TEST_DB_PID")
				echo "$line" | awk -v r="$r" -v v="$v" -v s=$((s1 - s0)) -v d=$((d1 - d0)) -v hz="$hz" '{
					for (i = 1; i <= NF; i++) { split($i, p, "="); x[p[1]] = p[2] }
					printf "round %d %-17s %-11s c=%-3s %7.0f/s p50 %6.2f ms p99 %6.2f ms  CPU us/call: ngnprod %5.0f mariadbd %5.0f  (errors %s)\n",
						r, v, x["workload"], x["conns"], x["rps"], x["p50_us"] / 1000, x["p99_us"] / 1000,
						x["all"] ? s * 1e6 / hz / x["all"] : 0, x["all"] ? d * 1e6 / hz / x["all"] : 0, x["errors"] }'
			done
		done
		kill "$spid"
		wait "$spid" 2>/dev/null
		spid=
	done
done
