#!/bin/bash
# check_glue_restart.sh: the outbox keeps being pruned across proxy restarts
# on new ports (as tools/run-local gives Kamailio a new RPC port each start).
# Real processes on free ports: MariaDB (tests/lib/with-mariadb.sh), Kamailio
# with proxy-glue/kamailio/ngnprod.cfg, ngnprod-glue.
#   1. a first run names the proxy by its URL (no NAME=, as before names), as
#      an older ngnprod left behind: its cursor row "rs http://...:PORT1/RPC";
#   2. Kamailio and the glue restart with the proxy on a new RPC port, named
#      (`--proxy kam=URL`): one cursor row "rs kam"; a second restart on a
#      third port reuses that row (no row per port);
#   3. the URL-named row is older than glue-cursor-expire: the glue drops it
#      (log line, cursors_expired in the status), and pruning continues: no
#      outbox row older than the minimum age stays below the live cursor.
# Prints PASS/FAIL per case and "N passed, M failed". NGN_RS_NAME= and
# NGN_RS_ARGS= run it the way ngnprod worked before names and expiry (URL as
# the name, no --glue-cursor-expire): it then fails (a row per port, pruning
# stuck), which is how it was shown to fail before the fix.
set -u
name=${NGN_RS_NAME-kam=} expire=${NGN_RS_ARGS---glue-cursor-expire=3600}
src=$(cd "${srcdir:-$(dirname "$0")/../../..}" && pwd)
[ -f "$src/proxy-glue/kamailio/ngnprod.cfg" ] || src=$(cd "$(dirname "$0")/../../.." && pwd)
if [ -z "${NGN_TEST_DB_SOCKET:-}" ]; then
	exec "$src/tests/lib/with-mariadb.sh" "$0" "$@"
fi
. "$src/tests/lib/common.sh"
. "$src/tests/lib/kamailio.sh"
. "$src/tests/integration/glue/sip-lib.sh"
B=$(cd "${NGN_BUILDDIR:-.}" && pwd)
tool=$B/tests/integration/glue/glue_tool
T=$NGN_TEST_TMP
glue_pid=

stop_glue() {
	[ -n "$glue_pid" ] || return 0
	kill -TERM "$glue_pid" 2>/dev/null
	wait "$glue_pid" 2>/dev/null
	glue_pid=
}
cleanup() { stop_glue; { ngn_kam_kill; } 2>/dev/null; }
trap cleanup EXIT

start_glue() { # PROXY-SETTING: ngnprod-glue polling every 20 ms
	"$B/ngnprod-glue" --db-socket "$NGN_TEST_DB_SOCKET" --db-user root --db-password '' \
		--proxy "$1" --glue-id rs --glue-poll-ms 20 --glue-timeout-ms 1000 $expire \
		>>"$T/glue.out" 2>>"$T/glue.log" &
	glue_pid=$!
}
restart_kam() { # RPC_PORT
	{ ngn_kam_kill; } 2>/dev/null
	ngn_kam_start "$T/kam" "$(ngn_free_port)" "$1" "sip:127.0.0.1:9" \
		"mysql://root@127.0.0.1:$NGN_TEST_DB_PORT/ngnprod"
}
changes() { # ROUND: a few policy changes, then the proxy must equal the database
	local i
	for i in 1 2 3 4 5; do "$tool" set "r$i" restart.test $(( (i + $1) % 16 )) || return 1; done
	"$tool" same "$rpc" 10
}
glue_status() { # the glue's status JSON (SIGUSR1 prints it on stdout)
	local n
	n=$(wc -l <"$T/glue.out")
	kill -USR1 "$glue_pid"
	for _ in $(seq 1 50); do
		[ "$(wc -l <"$T/glue.out")" -gt "$n" ] && break
		sleep 0.1
	done
	tail -1 "$T/glue.out"
}

for f in "$src"/schema/*.sql; do sql "$(cat "$f")" || exit 99; done

# 1. as before names: the cursor is named by the URL
rpc=$(ngn_free_port); old_url="http://127.0.0.1:$rpc/RPC"
restart_kam "$rpc" || exit 99
start_glue "$old_url"
check "run 1 (URL as the name): the proxy follows the database" changes 1
check "run 1: a cursor row named by the URL" \
	test "$(sql "SELECT COUNT(*) FROM proxy_cursor WHERE proxy = 'rs $old_url'")" = 1
stop_glue

# 2. restarts on new ports, the proxy named
for run in 2 3; do
	rpc=$(ngn_free_port)
	restart_kam "$rpc" || exit 99
	start_glue "${name}http://127.0.0.1:$rpc/RPC"
	check "run $run (new RPC port $rpc, named kam): the proxy follows the database" changes "$run"
	check "run $run: one cursor row 'rs kam', whatever the port" \
		test "$(sql "SELECT COUNT(*) FROM proxy_cursor WHERE proxy LIKE 'rs %' AND proxy <> 'rs $old_url'")" = 1
	[ $run = 3 ] || stop_glue
done
kam=$(sql "SELECT proxy FROM proxy_cursor WHERE proxy LIKE 'rs %' AND proxy <> 'rs $old_url' LIMIT 1")
check "the named row is 'rs kam'" test "$kam" = "rs kam"

# 3. time passes: the URL-named row was last seen two days ago, every outbox
# row is an hour old (older than pruning's minimum age of 10 minutes)
sql "UPDATE proxy_cursor SET updated = NOW(6) - INTERVAL 2 DAY WHERE proxy = 'rs $old_url'"
sql "UPDATE proxy_event SET created = created - INTERVAL 1 HOUR"
stop_glue
start_glue "${name}http://127.0.0.1:$rpc/RPC" # its first pruning round comes 10 s after the start
pruned() {
	local left
	left=$(sql "SELECT COUNT(*) FROM proxy_event WHERE id <= (SELECT last_event_id FROM proxy_cursor WHERE proxy = '$kam')")
	[ "$left" = 0 ] && [ "$(sql "SELECT COUNT(*) FROM proxy_event")" = 0 ]
}
for _ in $(seq 1 300); do pruned && break; sleep 0.1; done
check "the stale URL-named cursor is dropped" \
	test "$(sql "SELECT COUNT(*) FROM proxy_cursor WHERE proxy = 'rs $old_url'")" = 0
check "pruning continues past it: the outbox is empty" pruned
check "the drop is logged" grep -q "cursor 'rs $old_url'.*dropped" "$T/glue.log"
st=$(glue_status)
check "the status counts it (cursors_expired)" grep -q '"cursors_expired":1' <<<"$st"
check "the status names the proxy" grep -q '"name":"kam"' <<<"$st"
check "after all that the proxy still follows the database" changes 4

echo "$passed passed, $failed failed"
if [ $failed -ne 0 ]; then
	tail -30 "$T/glue.log" >&2
	exit 1
fi
exit 0
