#!/bin/bash
# check_glue_soap.sh: the whole path through the SOAP API: a live ngnprod
# (tests/lib/with-server.sh) with proxy-glue pointed at a private Kamailio
# (proxy-glue/kamailio/ngnprod.cfg), accounts and groups changed with
# addAccount / addToGroup / removeFromGroup / updateAccount / deleteAccount,
# and sipp sent right after each SOAP call returns. The glue polls only once a
# minute here, so only the handlers' nudge makes the pushes this fast.
# Prints PASS/FAIL per case and "N passed, M failed".
set -u
src=$(cd "${srcdir:-$(dirname "$0")/../../..}" && pwd)
[ -f "$src/proxy-glue/kamailio/ngnprod.cfg" ] || src=$(cd "$(dirname "$0")/../../.." && pwd)
. "$src/tests/lib/common.sh"
if [ -z "${NGN_TEST_URL:-}" ]; then
	NGN_GLUE_SIP=$(ngn_free_port) NGN_GLUE_RPC=$(ngn_free_port) NGN_GLUE_GW=$(ngn_free_port)
	export NGN_GLUE_SIP NGN_GLUE_RPC NGN_GLUE_GW
	export NGN_TEST_SERVER_ARGS="--proxy=http://127.0.0.1:$NGN_GLUE_RPC/RPC --glue-id=soap --glue-poll-ms=60000 --glue-timeout-ms=1000"
	exec "$src/tests/lib/with-server.sh" "$0" "$@"
fi
. "$src/tests/lib/kamailio.sh"
. "$src/tests/lib/soap.sh"
. "$src/tests/integration/glue/sip-lib.sh"
B=$(cd "${NGN_BUILDDIR:-.}" && pwd)
tool=$B/tests/integration/glue/glue_tool
scen=$src/tests/integration/glue/sipp
T=$NGN_TEST_TMP
D=soap.test
sip=$NGN_GLUE_SIP rpc=$NGN_GLUE_RPC gw=$NGN_GLUE_GW
trap '{ ngn_kam_kill; } 2>/dev/null' EXIT

ngn_kam_start "$T/kam" "$sip" "$rpc" "sip:127.0.0.1:$gw" \
	"mysql://root@127.0.0.1:$NGN_TEST_DB_PORT/ngnprod" || exit 99
check "the server's glue loads the policy (epoch set)" "$tool" epoch "$rpc" 5 >/dev/null

soap() { # OP PARAMS: the call must succeed
	soap_call "$1" "$2" >"$T/soap.out" || { echo "soap $1 failed: $(cat "$T/soap.out")" >&2; return 1; }
}
groups_xml() { # GROUP...
	local items= g
	for g in "$@"; do items="$items<item xsi:type=\"xsd:string\">$g</item>"; done
	printf '<groups xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="xsd:string[%d]">%s</groups>' $# "$items"
}
account_xml() { # USER PASSWORD GROUP...
	local u=$1 p=$2; shift 2
	printf '<account xsi:type="t:SipAccount"><id><username xsi:type="xsd:string">%s</username><domain xsi:type="xsd:string">%s</domain></id><password xsi:type="xsd:string">%s</password><firstName xsi:type="xsd:string">T</firstName><lastName xsi:type="xsd:string">T</lastName><email xsi:type="xsd:string">%s@%s</email>%s<quota xsi:type="xsd:int">0</quota></account>' \
		"$u" "$D" "$p" "$u" "$D" "$(groups_xml "$@")"
}
group_op() { # OP USER GROUP
	soap "$1" "$(sipid "$2" "$D")<group xsi:type=\"xsd:string\">$3</group>"
}

check "addDomain" soap addDomain "<domain xsi:type=\"t:SipDomain\"><domain xsi:type=\"xsd:string\">$D</domain></domain>"
check "addAccount carol (no groups)" soap addAccount "$(account_xml carol pw-one)"
register "REGISTER with the password set by addAccount -> 200" carol pw-one 200
check "addToGroup blocked" group_op addToGroup carol blocked
register "right after addToGroup blocked: REGISTER -> 403" carol pw-one 403
invite "right after addToGroup blocked: INVITE -> 403" carol pw-one carol 1234567 403
check "removeFromGroup blocked" group_op removeFromGroup carol blocked
register "right after removeFromGroup blocked: REGISTER -> 200" carol pw-one 200
invite "no free-pstn: INVITE to PSTN -> 403" carol pw-one carol +4930123456 403
check "updateAccount groups [free-pstn, quota]" soap updateAccount "$(account_xml carol pw-one free-pstn quota)"
invite "right after updateAccount free-pstn+quota: INVITE to PSTN -> 402" carol pw-one carol +4930123456 402
check "updateAccount groups [free-pstn]" soap updateAccount "$(account_xml carol pw-one free-pstn)"
invite "right after updateAccount free-pstn: relayed to the gateway -> 200" carol pw-one carol 004930123456 200 gateway
check "addToGroup anonymous" group_op addToGroup carol anonymous
invite "right after addToGroup anonymous: gateway sees the anonymous rewrite" carol pw-one carol +4930123456 200 anon-gateway
check "updateAccount changes the password" soap updateAccount "$(account_xml carol pw-two free-pstn anonymous)"
register "old password after updateAccount -> 403" carol pw-one 403
register "new password after updateAccount -> 200" carol pw-two 200
check "deleteAccount" soap deleteAccount "$(sipid carol "$D")"
gone() { [ "$("$tool" get "$rpc" "carol@$D")" = -1 ]; }
check "right after deleteAccount: the proxy has no key for carol" gone
check "the proxy's table equals the database" "$tool" same "$rpc" 2

echo "$passed passed, $failed failed"
if [ $failed -ne 0 ]; then
	[ -n "${NGN_TEST_KEEP:-}" ] && mkdir -p "$NGN_TEST_KEEP" && cp -r "$T"/sipp.* "$T"/kam "$NGN_TEST_SERVER_LOG" "$NGN_TEST_KEEP"/
	tail -20 "$NGN_TEST_SERVER_LOG" >&2
	exit 1
fi
exit 0
