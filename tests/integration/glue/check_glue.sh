#!/bin/bash
# check_glue.sh: runs the Check suite check_glue against a private MariaDB
# (tests/lib/with-mariadb.sh) and a private Kamailio running
# proxy-glue/kamailio/ngnprod.cfg on free ports, stopped by pid at the end.
# Run from the build directory (make check does); srcdir may point elsewhere.
set -u
src=$(cd "${srcdir:-$(dirname "$0")/../../..}" && pwd)
[ -f "$src/proxy-glue/kamailio/ngnprod.cfg" ] || src=$(cd "$(dirname "$0")/../../.." && pwd)
if [ -z "${NGN_TEST_DB_SOCKET:-}" ]; then
	exec "$src/tests/lib/with-mariadb.sh" "$0" "$@"
fi
. "$src/tests/lib/common.sh"
. "$src/tests/lib/kamailio.sh"
bin=${NGN_BUILDDIR:-.}/tests/integration/glue/check_glue

trap 'ngn_kam_kill' EXIT
for f in "$src"/schema/*.sql; do
	mariadb --no-defaults -S "$NGN_TEST_DB_SOCKET" -uroot ngnprod <"$f" || exit 99
done
sip=$(ngn_free_port); rpc=$(ngn_free_port)
ngn_kam_start "$NGN_TEST_TMP/kam" "$sip" "$rpc" "sip:127.0.0.1:9" \
	"mysql://root@127.0.0.1:$NGN_TEST_DB_PORT/ngnprod" || exit 99
export NGN_TEST_KAM_RPC=$rpc NGN_TEST_DEAD_PORT=$(ngn_free_port)
"$bin"
rc=$?
[ $rc -eq 0 ] || tail -20 "$NGN_TEST_TMP/kam/kamailio.log" >&2
exit $rc
