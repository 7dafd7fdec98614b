#!/bin/bash
# glue_bench.sh [FLIPS] [BULK]: runs bench/glue_bench against a private MariaDB and
# a private Kamailio (proxy-glue/kamailio/ngnprod.cfg) on free ports. Run from
# the build directory after `make check` (which builds bench/glue_bench).
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${NGN_TEST_DB_SOCKET:-}" ]; then
	exec "$src/tests/lib/with-mariadb.sh" "$0" "$@"
fi
. "$src/tests/lib/common.sh"
. "$src/tests/lib/kamailio.sh"
trap 'ngn_kam_kill 2>/dev/null' EXIT
for f in "$src"/schema/*.sql; do
	mariadb --no-defaults -S "$NGN_TEST_DB_SOCKET" -uroot ngnprod <"$f" || exit 99
done
sip=$(ngn_free_port); rpc=$(ngn_free_port)
ngn_kam_start "$NGN_TEST_TMP/kam" "$sip" "$rpc" "sip:127.0.0.1:9" \
	"mysql://root@127.0.0.1:$NGN_TEST_DB_PORT/ngnprod" || exit 99
NGN_TEST_KAM_RPC=$rpc "${NGN_BUILDDIR:-.}/bench/glue_bench" "$@"
