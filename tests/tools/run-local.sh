#!/bin/bash
# run-local.sh: tools/run-local as an operator meets it (README's quick
# start), with a private state directory, free ports and the ngnprod of this
# build (NGNPROD_BUILD_DIR), under the usual open-files limit of 1024:
#   1. the banner comes only once ngnprod answers (after its "listening" line);
#   2. MariaDB does not warn about max_open_files;
#   3. a second run-local on the same state directory is refused, and the
#      first one keeps running;
#   4. Ctrl-C stops everything it started and frees the state directory;
#   5. a port in use is refused at once, naming the port, no banner; a
#      run-local killed with -9 leaves MariaDB and ngnprod running: the next
#      run-local is refused and names them;
#   6. --with-kamailio --gw --rpc-port: the banner shows SIP, RPC, gateway;
#      kill -9 of Kamailio's main process -> the supervisor says it died,
#      kills the orphaned children, restarts it on the same ports and says it
#      is back; the pid file names the new process; kamailio.log is appended;
#      a second ngnprod-kamailio.sh on the same run directory is refused and
#      leaves the pid file alone; Ctrl-C stops Kamailio too;
#   7. ngnprod-kamailio.sh whose database is not reachable yet retries with
#      back-off (and TERM stops it).
# Every process is started in a session of its own (setsid) and stopped by its
# pid / process group; every wait is bounded. Prints PASS/FAIL per check and
# "N passed, M failed"; exits non-zero on failure.
set -u
src=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
[ -x "$src/tools/run-local" ] || src=$(cd "$(dirname "$0")/../.." && pwd)
. "$src/tests/lib/common.sh"
export NGNPROD_BUILD_DIR=$(cd "${NGN_BUILDDIR:-.}" && pwd)
[ -x "$NGNPROD_BUILD_DIR/ngnprod" ] || { echo "no ngnprod in $NGNPROD_BUILD_DIR" >&2; exit 99; }
unset NGNPROD_PORT NGNPROD_STATE
T=$(mktemp -d "${TMPDIR:-/tmp}/ngn-runlocal.XXXXXX")
S=$T/state
ulimit -S -n 1024 2>/dev/null || ulimit -S -n "$(ulimit -H -n)"

passed=0 failed=0
ok() { echo "PASS: $1"; passed=$((passed + 1)); }
ko() { echo "FAIL: $1"; failed=$((failed + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else ko "$name"; fi; }

sessions=() holder=
cleanup() {
	local p i
	[ -z "$holder" ] || kill "$holder" 2>/dev/null
	for p in "${sessions[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${sessions[@]}"; do
		for i in $(seq 1 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL -- -"$p" 2>/dev/null
	done
	# what a broken run-local may have left: its MariaDB and Kamailio's group
	p=$(cat "$S/kamailio/kamailio.pid" 2>/dev/null) && [ -n "$p" ] && kill -KILL -- -"$p" 2>/dev/null
	p=$(cat "$S/mysqld.pid" 2>/dev/null) && [ -n "$p" ] && kill -KILL "$p" 2>/dev/null
	[ -z "$kstate_db" ] || { p=$(cat "$kstate_db" 2>/dev/null) && [ -n "$p" ] && kill -KILL -- -"$p" 2>/dev/null; }
	wait 2>/dev/null
	rm -rf "$T"
}
kstate_db=
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME ARGS...: tools/run-local ARGS in a session of its own, output in $T/NAME.out
start() {
	local name=$1; shift
	setsid "$src/tools/run-local" "$@" >"$T/$name.out" 2>&1 </dev/null &
	eval "pid_$name=$!"
	sessions+=($!)
}
# wait_for FILE REGEX SECONDS [PID]: until FILE matches (0), PID is gone or time is up (1)
wait_for() {
	local i n=$(($3 * 20))
	for i in $(seq 1 $n); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		[ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null && { grep -qE "$2" "$1" 2>/dev/null; return; }
		sleep 0.05
	done
	return 1
}
# gone PID SECONDS: waits until PID has exited; its status in $gone_rc
gone() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null; gone_rc=$?; return 0; }
		sleep 0.1
	done
	return 1
}
alive() { local st; st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null); [ -n "$st" ] && [ "$st" != Z ]; }
dead() { [ -n "$1" ] && ! alive "$1"; }   # PID: not running (or a zombie)
answers() { curl -s -o /dev/null -m 3 "http://127.0.0.1:$1/status"; }
line_of() { grep -nE "$2" "$1" | head -1 | cut -d: -f1; }
rpc_up() {
	curl -s -m 3 -H 'Content-Type: application/json' -d '{"jsonrpc":"2.0","method":"core.uptime","id":1}' \
		"http://127.0.0.1:$1/RPC" 2>/dev/null | grep -q uptime
}
udp_bound() { grep -q "$(printf ':%04X ' "$1")" /proc/net/udp; }
dump() { echo "--- $1"; sed 's/^/    /' "$1" | tail -${2:-40}; }

# ---- 1-2. banner after the server answers; no max_open_files warning ------------------------
p1=$(ngn_free_port)
start r1 --port "$p1" --state-dir "$S"
if wait_for "$T/r1.out" 'URL:' 180 "$pid_r1"; then
	# the moment the banner is there, the server answers
	if answers "$p1"; then ok "banner: ngnprod answers as soon as the URL is printed"
	else ko "banner: ngnprod answers as soon as the URL is printed"; fi
	l=$(line_of "$T/r1.out" 'listening on'); u=$(line_of "$T/r1.out" 'URL:')
	check "banner: printed after ngnprod's 'listening' line" test -n "$l" -a "${l:-0}" -lt "$u"
	check "banner: names the URL with the port" grep -q "URL: *http://127.0.0.1:$p1/" "$T/r1.out"
else
	ko "run-local prints its banner (within 180 s)"; dump "$T/r1.out"; exit 1
fi
check "MariaDB: no max_open_files warning (log)" sh -c "! grep -i max_open_files '$S/mysqld.err'"
check "MariaDB: no max_open_files warning (terminal)" sh -c "! grep -i max_open_files '$T/r1.out'"

# ---- 3. a second run-local on the same state directory ----------------------------------------
p2=$(ngn_free_port)
start r2 --port "$p2" --state-dir "$S"
if gone "$pid_r2" 30; then
	check "second run-local on the same state dir: exits non-zero" test "$gone_rc" -ne 0
	check "second run-local: says the state directory is in use (and by which pid)" \
		grep -qE "state directory $S is in use by another tools/run-local \(pid $pid_r1\)" "$T/r2.out"
else
	ko "second run-local on the same state dir: exits within 30 s"
fi
check "second run-local: did not start a server" sh -c "! curl -s -o /dev/null -m 2 http://127.0.0.1:$p2/status"
check "second run-local: no banner" sh -c "! grep -q 'URL:' '$T/r2.out'"
check "first run-local still answers" answers "$p1"
dbpid=$(cat "$S/mysqld.pid" 2>/dev/null)
check "first run-local's MariaDB is still running" alive "${dbpid:-0}"

# ---- 4. Ctrl-C stops everything ------------------------------------------------------------
kill -INT -- -"$pid_r1"   # what the terminal sends to the foreground group
if gone "$pid_r1" 40; then
	ok "Ctrl-C: run-local exits"
	check "Ctrl-C: MariaDB stopped" dead "$dbpid"
	check "Ctrl-C: ngnprod stopped (port $p1 closed)" sh -c "! curl -s -o /dev/null -m 2 http://127.0.0.1:$p1/status"
	check "Ctrl-C: the state directory is free again" flock -n "$S/run-local.lock" true
else
	ko "Ctrl-C: run-local exits within 40 s"; dump "$T/r1.out"
fi

# ---- 5. a port in use ------------------------------------------------------------------------
p3=$(ngn_free_port)
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(300)' "$p3" &
holder=$!
for _ in $(seq 1 50); do grep -q "$(printf ':%04X 00000000:0000 0A' "$p3")" /proc/net/tcp && break; sleep 0.1; done
start r3 --port "$p3" --state-dir "$S"
if gone "$pid_r3" 60; then
	check "busy port: exits non-zero" test "$gone_rc" -ne 0
	check "busy port: says port $p3 is in use" grep -qE "port $p3 .*already in use" "$T/r3.out"
	check "busy port: no banner" sh -c "! grep -q 'URL:' '$T/r3.out'"
	check "busy port: no MariaDB left running" dead "$(cat "$S/mysqld.pid" 2>/dev/null || echo none)"
else
	ko "busy port: run-local exits within 60 s"; dump "$T/r3.out"
fi
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; holder=

# ---- 5b. run-local killed (-9): what it left keeps the state directory --------------------------
p5=$(ngn_free_port)
start r5 --port "$p5" --state-dir "$S"
if wait_for "$T/r5.out" 'URL:' 60 "$pid_r5"; then
	kill -KILL "$pid_r5"; wait "$pid_r5" 2>/dev/null
	start r6 --port "$(ngn_free_port)" --state-dir "$S"
	if gone "$pid_r6" 30; then
		check "run-local killed, its MariaDB and ngnprod left: a new one is refused" test "$gone_rc" -ne 0
		check "... naming what holds the state directory" \
			grep -qE "still in use by what an earlier tools/run-local \(pid $pid_r5, gone\) started: .*mariadbd \(pid [0-9]+\).*ngnprod \(pid [0-9]+\)" "$T/r6.out"
	else
		ko "run-local killed, leftovers running: a new one exits within 30 s"
	fi
	left=$(grep -oE '(mariadbd|ngnprod) \(pid [0-9]+\)' "$T/r6.out" | grep -oE '[0-9]+')
	[ -n "$left" ] && kill -TERM $left 2>/dev/null
	for q in $left; do for _ in $(seq 1 200); do alive "$q" || break; sleep 0.1; done; done
	check "... and free again once those are stopped" flock -n "$S/run-local.lock" true
else
	ko "run-local (second start on the state dir) prints its banner"; dump "$T/r5.out"
fi

# ---- 6. --with-kamailio, supervised --------------------------------------------------------
p4=$(ngn_free_port); sp=$(ngn_free_port); rp=$(ngn_free_port); gp=$(ngn_free_port)
start r4 --port "$p4" --state-dir "$S" --with-kamailio --sip-port "$sp" --rpc-port "$rp" --gw "sip:127.0.0.1:$gp"
if ! wait_for "$T/r4.out" 'URL:' 120 "$pid_r4"; then
	ko "--with-kamailio: banner within 120 s"; dump "$T/r4.out"; dump "$S/kamailio.log" 20; exit 1
fi
check "--with-kamailio: banner shows the SIP port" grep -qE "SIP 127\.0\.0\.1:$sp\b" "$T/r4.out"
check "--with-kamailio: banner shows the proxy's RPC URL" grep -q "JSON-RPC http://127.0.0.1:$rp/RPC" "$T/r4.out"
check "--with-kamailio: banner shows the gateway (--gw)" grep -q "PSTN gateway sip:127.0.0.1:$gp" "$T/r4.out"
check "--with-kamailio: RPC answers" rpc_up "$rp"
check "--with-kamailio: SIP port bound (udp)" udp_bound "$sp"
k1=$(cat "$S/kamailio/kamailio.pid" 2>/dev/null)
kstate_db=$S/kamailio/kamailio.pid
check "--with-kamailio: pid file names a live Kamailio" alive "${k1:-0}"
log1=$(head -3 "$S/kamailio.log")
size1=$(stat -c %s "$S/kamailio.log")

if [ -z "$k1" ]; then   # (kill -KILL "" would be kill 0: this whole process group)
	ko "--with-kamailio: no pid in $S/kamailio/kamailio.pid; stopping here"
	echo "$passed passed, $failed failed"; exit 1
fi
kill -KILL "$k1"
if wait_for "$T/r4.out" 'kamailio is back' 60 "$pid_r4"; then
	ok "kill -9 of Kamailio's main process: restarted (\"is back\" on the terminal)"
else
	ko "kill -9 of Kamailio's main process: restarted within 60 s"; dump "$T/r4.out"; dump "$S/kamailio.log" 30
fi
check "kill -9: the terminal says it died (SIGKILL)" grep -qE "kamailio \(pid $k1\) died \(killed by SIGKILL\)" "$T/r4.out"
k2=$(cat "$S/kamailio/kamailio.pid" 2>/dev/null)
new_live() { [ -n "$k2" ] && [ "$k2" != "$k1" ] && alive "$k2"; }
check "kill -9: the pid file names the new, live Kamailio" new_live
check "kill -9: RPC answers again on the same port" rpc_up "$rp"
check "kill -9: SIP port bound again" udp_bound "$sp"
check "kill -9: kamailio.log appended (first lines kept, grew)" \
	test "$(head -3 "$S/kamailio.log")" = "$log1" -a "$(stat -c %s "$S/kamailio.log")" -gt "$size1"
check "kill -9: kamailio.log marks both starts" test "$(grep -c -- '---- .* starting kamailio' "$S/kamailio.log")" -ge 2
check "kill -9: run-local and ngnprod keep running" answers "$p4"

pidfile_live() { [ "$(cat "$S/kamailio/kamailio.pid" 2>/dev/null)" = "$k2" ] && alive "$k2"; }
timeout 30 "$src/proxy-glue/kamailio/ngnprod-kamailio.sh" --db-url "mysql://nobody@127.0.0.1:9/ngnprod" \
	--sip-port "$sp" --rpc-port "$rp" --run-dir "$S/kamailio" --log "$T/k2.log" >"$T/k2.out" 2>&1 </dev/null
rc=$?
check "second ngnprod-kamailio.sh on the same run dir: refused" test $rc -ne 0 -a $rc -ne 124
check "second ngnprod-kamailio.sh: says the run directory is in use" grep -q "run directory $S/kamailio is in use" "$T/k2.out"
check "second ngnprod-kamailio.sh: the pid file still names the live Kamailio" \
	pidfile_live
check "second ngnprod-kamailio.sh: the live Kamailio still answers" rpc_up "$rp"

kill -INT -- -"$pid_r4"
if gone "$pid_r4" 60; then
	ok "--with-kamailio, Ctrl-C: run-local exits"
	check "--with-kamailio, Ctrl-C: Kamailio's main process is gone" dead "$k2"
	check "--with-kamailio, Ctrl-C: SIP port free" sh -c "! grep -q '$(printf ':%04X ' "$sp")' /proc/net/udp"
	check "--with-kamailio, Ctrl-C: the terminal says Kamailio stopped" grep -q "kamailio (pid $k2) stopped" "$T/r4.out"
else
	ko "--with-kamailio, Ctrl-C: run-local exits within 60 s"; dump "$T/r4.out"
fi

# ---- 7. ngnprod-kamailio.sh before its database is reachable -----------------------------
sp=$(ngn_free_port); rp=$(ngn_free_port); dbp=$(ngn_free_port)
setsid "$src/proxy-glue/kamailio/ngnprod-kamailio.sh" --db-url "mysql://nobody@127.0.0.1:$dbp/ngnprod" \
	--sip-port "$sp" --rpc-port "$rp" --run-dir "$T/k3" --log "$T/k3.log" --children 1 \
	>"$T/k3.out" 2>&1 </dev/null &
k3=$!
sessions+=($k3)
kstate_db=$T/k3/kamailio.pid
if wait_for "$T/k3.out" 'retrying in 2 s' 60 "$k3"; then
	ok "database not reachable: Kamailio's exit at start is retried with back-off (1 s, 2 s)"
else
	ko "database not reachable: retried with back-off within 60 s"; dump "$T/k3.out"; dump "$T/k3.log" 20
fi
check "database not reachable: the terminal says it exited at start" grep -q "exited at start" "$T/k3.out"
kill -TERM "$k3"
if gone "$k3" 20; then ok "supervisor: TERM stops it"; else ko "supervisor: TERM stops it within 20 s"; fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
