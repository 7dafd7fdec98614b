#!/bin/bash
# with-server.sh CMD [ARGS...]: runs CMD against a live ngnprod.
#
# Starts a private MariaDB (with-mariadb.sh), applies the schema, creates an
# API login, starts the freshly built ngnprod on a free port of 127.0.0.1 and
# stops it by its pid afterwards. CMD sees, besides with-mariadb.sh's vars:
#   NGN_TEST_URL (http://127.0.0.1:PORT/), NGN_TEST_PORT, NGN_TEST_LOGIN,
#   NGN_TEST_PASSWORD, NGN_TEST_SERVER_PID, NGN_TEST_SERVER_LOG, NGN_BUILDDIR,
#   NGN_SRCDIR
# Extra server settings can be passed in NGN_TEST_SERVER_ARGS.
# NGN_BUILDDIR defaults to the current directory (make check runs there).
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${NGN_TEST_DB_SOCKET:-}" ]; then
	exec "$here/with-mariadb.sh" "$0" "$@"
fi
. "$here/common.sh"
export NGN_BUILDDIR=${NGN_BUILDDIR:-$(pwd)} NGN_SRCDIR=$(cd "$here/../.." && pwd)
db="--db-socket=$NGN_TEST_DB_SOCKET --db-user=root --db-password= --db-name=$NGN_TEST_DB_NAME"
"$NGN_BUILDDIR/ngnprod-admin" $db migrate >/dev/null || exit 99
export NGN_TEST_LOGIN=testadmin NGN_TEST_PASSWORD=test-secret-1
NGNPROD_PASSWORD=$NGN_TEST_PASSWORD "$NGN_BUILDDIR/ngnprod-admin" $db login add "$NGN_TEST_LOGIN" >/dev/null || exit 99
log="$NGN_TEST_TMP/ngnprod.log"
spid=
stop_server() {
	[ -n "$spid" ] || return 0
	kill -TERM "$spid" 2>/dev/null
	for _ in $(seq 1 100); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$spid" 2>/dev/null
	spid=
}
trap stop_server EXIT
for attempt in 1 2 3; do
	port=$(ngn_free_port)
	"$NGN_BUILDDIR/ngnprod" $db --port="$port" --workers=4 ${NGN_TEST_SERVER_ARGS:-} \
		>"$log.out" 2>"$log" &
	spid=$!
	for _ in $(seq 1 100); do
		grep -q listening "$log.out" 2>/dev/null && break
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.05
	done
	grep -q listening "$log.out" 2>/dev/null && break
	stop_server
done
[ -n "$spid" ] || { echo "ngnprod did not start:" >&2; cat "$log" >&2; exit 99; }
export NGN_TEST_URL="http://127.0.0.1:$port/" NGN_TEST_PORT=$port NGN_TEST_SERVER_PID=$spid \
	NGN_TEST_SERVER_LOG=$log
"$@"
rc=$?
stop_server
exit $rc
