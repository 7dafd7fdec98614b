#!/bin/bash
# check_glue_wt.sh: write-through, through the SOAP API. A live ngnprod
# (tests/lib/with-server.sh) whose in-process proxy-glue serves a private
# Kamailio and a proxy that never answers, polling only once
# a minute. Then:
#   1. wt_flip: NGN_WT_FLIPS (default 1000) flips of `blocked` through
#      addToGroup / removeFromGroup; the proxy is asked right after each reply
#      and must never answer the old state;
#   2. the dead proxy made no write wait (it is not in sync: /status counts no
#      write-through timeout, and no wait came near the bound);
#   3. NGN_WT_SIP_FLIPS (default 20) flips with a sipp REGISTER sent right
#      after each reply: 403 after a block, 200 after an unblock.
# The bound is 2000 ms here (a loaded test machine must not turn a slow push
# into a stale answer); the default is 50 ms. Prints PASS/FAIL per case.
set -u
src=$(cd "${srcdir:-$(dirname "$0")/../../..}" && pwd)
[ -f "$src/proxy-glue/kamailio/ngnprod.cfg" ] || src=$(cd "$(dirname "$0")/../../.." && pwd)
. "$src/tests/lib/common.sh"
if [ -z "${NGN_TEST_URL:-}" ]; then
	NGN_GLUE_SIP=$(ngn_free_port) NGN_GLUE_RPC=$(ngn_free_port) NGN_GLUE_GW=$(ngn_free_port)
	dead=$(ngn_free_port)
	export NGN_GLUE_SIP NGN_GLUE_RPC NGN_GLUE_GW
	# NGN_WT_ARGS="" runs it against a server without write-through (the
	# test then fails: that is how it was shown to fail before the fix)
	export NGN_TEST_SERVER_ARGS="--proxy=http://127.0.0.1:$NGN_GLUE_RPC/RPC --proxy=http://127.0.0.1:$dead/RPC --glue-id=wt --glue-poll-ms=60000 --glue-timeout-ms=1000 ${NGN_WT_ARGS---glue-write-through-ms=2000}"
	exec "$src/tests/lib/with-server.sh" "$0" "$@"
fi
. "$src/tests/lib/kamailio.sh"
. "$src/tests/lib/soap.sh"
. "$src/tests/integration/glue/sip-lib.sh"
B=$(cd "${NGN_BUILDDIR:-.}" && pwd)
tool=$B/tests/integration/glue/glue_tool
scen=$src/tests/integration/glue/sipp
T=$NGN_TEST_TMP
D=wt.test
sip=$NGN_GLUE_SIP rpc=$NGN_GLUE_RPC gw=$NGN_GLUE_GW
trap '{ ngn_kam_kill; } 2>/dev/null' EXIT

ngn_kam_start "$T/kam" "$sip" "$rpc" "sip:127.0.0.1:$gw" \
	"mysql://root@127.0.0.1:$NGN_TEST_DB_PORT/ngnprod" || exit 99
check "the server's glue loads the policy (epoch set)" "$tool" epoch "$rpc" 10 >/dev/null
# in sync: the probe has also had its first answer (or none) from the dead one
sleep 1.5

check "${NGN_WT_FLIPS:-1000} flips: none seen stale right after the reply" \
	"$B/tests/integration/glue/wt_flip" "$rpc" "$D" wtuser "${NGN_WT_FLIPS:-1000}"

status=$(curl -s -m 5 "${NGN_TEST_URL}status")
echo "status: $status" | sed 's/"proxies".*//'
wt_figure() { # NAME: a figure of the write_through object in /status
	printf '%s' "$status" | sed -n "s/.*\"write_through\":{[^}]*\"$1\":\([0-9.]*\).*/\1/p"
}
waits=$(wt_figure waits) timeouts=$(wt_figure timeouts) maxms=$(wt_figure wait_ms_max)
check "every flip waited for the proxy (waits $waits)" test "${waits:-0}" -ge "${NGN_WT_FLIPS:-1000}"
check "the dead proxy held no write (timeouts $timeouts)" test "${timeouts:-1}" = 0
check "no wait came near the bound (max $maxms ms)" awk -v m="${maxms:-9999}" 'BEGIN { exit !(m < 1000) }'

soap() { soap_call "$1" "$2" >"$T/soap.out" || { echo "soap $1 failed: $(cat "$T/soap.out")" >&2; return 1; }; }
flip() { soap "$1" "$(sipid wtuser "$D")<group xsi:type=\"xsd:string\">blocked</group>"; }
for i in $(seq 1 "${NGN_WT_SIP_FLIPS:-20}"); do
	if [ $((i % 2)) = 1 ]; then
		flip addToGroup && register "flip $i: REGISTER right after addToGroup blocked -> 403" wtuser pw-wtuser 403
	else
		flip removeFromGroup && register "flip $i: REGISTER right after removeFromGroup blocked -> 200" wtuser pw-wtuser 200
	fi
done

echo "$passed passed, $failed failed"
if [ $failed -ne 0 ]; then
	tail -20 "$NGN_TEST_SERVER_LOG" >&2
	exit 1
fi
exit 0
