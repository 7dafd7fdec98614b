# mariadb-restart.sh: stop and start again the private MariaDB of
# tests/lib/with-mariadb.sh, on the same data directory, socket and port
# (sourced). with-mariadb.sh only stops the pid it started: a test that
# restarts the server must call ngn_db_kill in its own EXIT trap.
#   ngn_db_kill [SIGNAL]   signals NGN_TEST_DB_PID (default KILL), waits for it
#   ngn_db_start           starts mariadbd again, waits until it answers,
#                          sets NGN_TEST_DB_PID
ngn_db_kill() {
	local sig=${1:-KILL} i
	kill -"$sig" "$NGN_TEST_DB_PID" 2>/dev/null
	for i in $(seq 1 200); do
		kill -0 "$NGN_TEST_DB_PID" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL "$NGN_TEST_DB_PID" 2>/dev/null
}

ngn_db_start() {
	local userarg= i
	[ "$(id -u)" = 0 ] && userarg=--user=root
	mariadbd --no-defaults $userarg --datadir="$NGN_TEST_DB_DIR/data" --socket="$NGN_TEST_DB_SOCKET" \
		--port="$NGN_TEST_DB_PORT" --bind-address=127.0.0.1 --pid-file="$NGN_TEST_DB_DIR/mysqld.pid" \
		--log-error="$NGN_TEST_DB_DIR/error.log" --innodb-buffer-pool-size=128M \
		--innodb-log-file-size=64M --innodb-flush-log-at-trx-commit=1 --skip-log-bin \
		--max-connections=500 >/dev/null 2>&1 &
	NGN_TEST_DB_PID=$!
	export NGN_TEST_DB_PID
	for i in $(seq 1 300); do
		mariadb-admin --no-defaults -S "$NGN_TEST_DB_SOCKET" -uroot ping >/dev/null 2>&1 && return 0
		kill -0 "$NGN_TEST_DB_PID" 2>/dev/null || break
		sleep 0.1
	done
	tail -20 "$NGN_TEST_DB_DIR/error.log" >&2
	return 1
}
