#!/bin/bash
# with-mariadb.sh CMD [ARGS...]: runs CMD with a private MariaDB of its own.
#
# The server gets a fresh data directory under a temp dir, listens on a unix
# socket and on a free TCP port of 127.0.0.1 (Kamailio's db_mysql needs TCP),
# runs as the current user (--user=root when root), and is stopped by its pid
# when CMD ends, whatever happens. CMD sees:
#   NGN_TEST_DB_SOCKET, NGN_TEST_DB_PORT, NGN_TEST_DB_NAME (ngnprod, empty),
#   NGN_TEST_DB_USER (root, no password), NGN_TEST_DB_DIR, NGN_TEST_TMP,
#   NGN_TEST_DB_CTL: a script "$NGN_TEST_DB_CTL stop|kill|start" that stops
#   (clean shutdown), kills (-9) or restarts the same server (same data,
#   socket and port), for database-restart tests.
# durability is the production setting (innodb_flush_log_at_trx_commit=1).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/ngn-db.XXXXXX")
pid=
cleanup() {
	[ -f "$T/mysqld.pid" ] && pid=$(cat "$T/mysqld.pid")
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

userarg=
[ "$(id -u)" = 0 ] && userarg=--user=root
# its own tmpdir: concurrent bootstraps must not share temporary tables in /tmp
mkdir -p "$T/tmp"
mariadb-install-db --no-defaults $userarg --datadir="$T/data" --tmpdir="$T/tmp" \
	--auth-root-authentication-method=normal --skip-test-db >"$T/install.log" 2>&1 \
	|| { cat "$T/install.log" >&2; exit 99; }
port=$(ngn_free_port)
cat > "$T/db-ctl" <<CTL
#!/bin/bash
# stop|kill|start the private MariaDB of this test run
pidof_db() { cat "$T/mysqld.pid" 2>/dev/null; }
case \$1 in
stop)	mariadb-admin --no-defaults -S "$T/mysqld.sock" -uroot shutdown >/dev/null 2>&1
	for _ in \$(seq 1 100); do [ -S "$T/mysqld.sock" ] || break; sleep 0.1; done ;;
kill)	p=\$(pidof_db); [ -n "\$p" ] && kill -9 "\$p"
	for _ in \$(seq 1 100); do kill -0 "\$p" 2>/dev/null || break; sleep 0.05; done
	rm -f "$T/mysqld.sock" ;;
start)	mariadbd --no-defaults $userarg --datadir="$T/data" --tmpdir="$T/tmp" --socket="$T/mysqld.sock" \\
		--port="$port" --bind-address=127.0.0.1 --pid-file="$T/mysqld.pid" \\
		--log-error="$T/error.log" --innodb-buffer-pool-size=128M \\
		--innodb-log-file-size=64M --innodb-flush-log-at-trx-commit=1 --skip-log-bin \\
		--max-connections=500 >/dev/null 2>&1 &
	echo \$! > "$T/mysqld.launch"
	for _ in \$(seq 1 300); do
		mariadb-admin --no-defaults -S "$T/mysqld.sock" -uroot ping >/dev/null 2>&1 && exit 0
		kill -0 \$(cat "$T/mysqld.launch") 2>/dev/null || { cat "$T/error.log" >&2; exit 99; }
		sleep 0.1
	done
	exit 99 ;;
*)	echo "usage: \$0 stop|kill|start" >&2; exit 2 ;;
esac
CTL
chmod +x "$T/db-ctl"
"$T/db-ctl" start || exit 99
pid=$(cat "$T/mysqld.pid")
mariadb --no-defaults -S "$T/mysqld.sock" -uroot -e "CREATE DATABASE ngnprod;
  CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;" \
	|| exit 99
export NGN_TEST_DB_SOCKET="$T/mysqld.sock" NGN_TEST_DB_PORT="$port" NGN_TEST_DB_NAME=ngnprod \
	NGN_TEST_DB_USER=root NGN_TEST_DB_DIR="$T" NGN_TEST_TMP="$T" NGN_TEST_DB_PID="$pid" \
	NGN_TEST_DB_CTL="$T/db-ctl"
"$@"
