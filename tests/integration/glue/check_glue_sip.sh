#!/bin/bash
# check_glue_sip.sh: the whole chain with real processes on free ports:
# MariaDB (tests/lib/with-mariadb.sh), Kamailio with proxy-glue/kamailio/ngnprod.cfg,
# ngnprod-glue processes, sipp as phones and as the PSTN gateway.
#   1. policy: every row of the policy table through SIP, digest-authenticated
#      against subscriber rows (ha1 and ha1b), wrong password refused, policy
#      taken from the authenticated identity and not the From header,
#      503 + Retry-After while no policy is loaded; 1b. the identity is the
#      database row's, whatever bytes the client sent (sipclient.py); 1c. a
#      7+-digit account or alias is called on-net, only other numbers are PSTN;
#   2. Kamailio killed (-9) and restarted while changes keep arriving;
#   3. MariaDB killed (-9) and restarted ($NGN_TEST_DB_CTL) while the glue runs;
#      meanwhile SIP with credentials gets 503 + Retry-After, not a 401 loop;
#   4. two ngnprod-glue processes on one database and one proxy.
# Prints PASS/FAIL per case and "N passed, M failed"; exits non-zero on failure.
set -u
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
scen=$src/tests/integration/glue/sipp
T=$NGN_TEST_TMP
D=sip.test
glue_pids=()

cleanup() {
	local p
	for p in "${glue_pids[@]}"; do kill -TERM "$p" 2>/dev/null; kill -CONT "$p" 2>/dev/null; done
	for p in "${glue_pids[@]}"; do wait "$p" 2>/dev/null; done
	{ ngn_kam_kill; } 2>/dev/null
}
trap cleanup EXIT

md5() { printf '%s' "$1" | md5sum | cut -d' ' -f1; }

start_glue() { # ID: an ngnprod-glue process polling every 20 ms
	"$B/ngnprod-glue" --db-socket "$NGN_TEST_DB_SOCKET" --db-user root --db-password '' \
		--proxy "http://127.0.0.1:$rpc/RPC" --glue-id "$1" --glue-poll-ms 20 --glue-timeout-ms 1000 \
		>>"$T/glue-$1.out" 2>>"$T/glue-$1.log" &
	glue_pids+=($!)
	eval "glue_$1=$!"
}

# ---- setup --------------------------------------------------------------------
for f in "$src"/schema/*.sql; do sql "$(cat "$f")" || exit 99; done
for u in plain blk anon fp fpq reg; do
	sql "INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES
	     ('$u', '$D', '', '$(md5 "$u:$D:pw-$u")', '$(md5 "$u@$D:$D:pw-$u")')"
done
sql "INSERT INTO grp (username, domain, grp) VALUES ('blk','$D','blocked'), ('anon','$D','anonymous'),
     ('anon','$D','free-pstn'), ('fp','$D','free-pstn'), ('fpq','$D','free-pstn'), ('fpq','$D','quota'),
     ('plain','$D','sms')"
sql "INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES
     ('5551234', '$D', '', '$(md5 "5551234:$D:pw-5551234")', '$(md5 "5551234@$D:$D:pw-5551234")')"
sql "INSERT INTO dbaliases (alias_username, alias_domain, username, domain) VALUES ('fpalias','$D','fp','$D'),
     ('7654321','$D','5551234','$D')"
sip=$(ngn_free_port); rpc=$(ngn_free_port); gw=$(ngn_free_port)
dburl="mysql://root@127.0.0.1:$NGN_TEST_DB_PORT/ngnprod"
ngn_kam_start "$T/kam" "$sip" "$rpc" "sip:127.0.0.1:$gw" "$dburl" || exit 99

# ---- 0. the RPC listener ------------------------------------------------------
code() { curl -s -o /dev/null -w '%{http_code}' -m 5 "$@" -d '{"jsonrpc":"2.0","method":"core.uptime","id":1}'; }
check "RPC from 127.0.0.1 on the RPC port -> 200" test "$(code "http://127.0.0.1:$rpc/RPC")" = 200
check "RPC from another address (127.0.0.2) -> 403" \
	test "$(code --interface 127.0.0.2 "http://127.0.0.1:$rpc/RPC")" = 403
check "RPC on the SIP port -> 403" test "$(code "http://127.0.0.1:$sip/RPC")" = 403
sip_on_rpc_port() { # a SIP request over TCP to the RPC port gets no answer
	local reply
	reply=$(exec 3<>"/dev/tcp/127.0.0.1/$rpc" && printf 'OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: rpcport\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n' >&3 && timeout 1 cat <&3)
	local st=$?   # 124: connected, nothing came back within 1 s; 0: closed silently
	[ -z "$reply" ] && { [ $st = 124 ] || [ $st = 0 ]; }
}
check "SIP sent to the RPC port is never answered" sip_on_rpc_port

# ---- 1. policy ----------------------------------------------------------------
unloaded "not loaded: REGISTER -> 503 + Retry-After" REGISTER
unloaded "not loaded: INVITE -> 503 + Retry-After" INVITE
start_glue g1
check "glue loads the policy (epoch set)" "$tool" epoch "$rpc" 5 >/dev/null
register "REGISTER with the password (ha1) -> 200" plain pw-plain 200
register "REGISTER as user@domain (ha1b) -> 200" plain pw-plain 200 "plain@$D"
register "REGISTER with a wrong password -> 403" plain wrong 403
register "blocked: REGISTER -> 403" blk pw-blk 403
invite "blocked: INVITE on-net -> 403" blk pw-blk blk plain 403
invite "blocked: INVITE to PSTN -> 403" blk pw-blk blk +4930123456 403
invite "blocked account forging another From -> 403" blk pw-blk plain +4930123456 403
invite "no free-pstn: INVITE to +49... -> 403" plain pw-plain plain +4930123456 403
invite "no free-pstn: INVITE to 0049... -> 403" plain pw-plain plain 004930123456 403
invite "no free-pstn: INVITE to 7 digits -> 403" plain pw-plain plain 1234567 403
invite "on-net 6 digits is not PSTN (unregistered -> 404)" plain pw-plain plain 123456 404
invite "INVITE with a wrong password -> 403" plain wrong plain +4930123456 403
invite "free-pstn + quota: INVITE to PSTN -> 402" fpq pw-fpq fpq +4930123456 402
invite "free-pstn: INVITE to PSTN relayed to the gateway -> 200" fp pw-fp fp 1234567 200 gateway
invite "anonymous: gateway sees Anonymous From, Privacy: id, no PAI/RPID" anon pw-anon anon +4930123456 200 anon-gateway
# a change reaches SIP: block fp, then release it again
"$tool" set fp "$D" 1
"$tool" wait "$rpc" "fp@$D" 1 10
invite "after blocking fp through the outbox: INVITE -> 403" fp pw-fp fp 1234567 403
"$tool" set fp "$D" 4
"$tool" wait "$rpc" "fp@$D" 4 10
invite "after unblocking fp: INVITE relayed again -> 200" fp pw-fp fp 1234567 200 gateway

# ---- 1b. identity: policy of the row the database matched, not the client's bytes
# sipclient.py sends what sipp cannot: a digest username of our choosing with
# the response computed from a real HA1. The subscriber table's collation
# ignores trailing spaces, so "blk " matches the row of blk.
inv() { # NAME CODE AUTHUSER HA1 [FROM-USER [DEST]]: INVITE through sipclient.py
	sipc "$1" --method INVITE --ruri "sip:${6:-nobody}@$D" --to "sip:${6:-nobody}@$D" \
		--from "sip:${5:-blk}@$D" --auth-user "$3" --ha1 "$4" --expect "$2"
}
inv "our client authenticates: plain INVITE on-net (unregistered) -> 404" 404 plain "$(md5 "plain:$D:pw-plain")" plain
sipc "a nonce we never gave (database up): challenged again -> 407, not 503" --method INVITE \
	--ruri "sip:nobody@$D" --to "sip:nobody@$D" --from "sip:plain@$D" --auth-user plain --password pw-plain \
	--nonce "Zm9yZ2VkLW5vbmNlLTEyMzQ1Njc4OTA=" --expect 407
inv "blocked, username 'blk ' (trailing space, real HA1): INVITE -> 403" 403 "blk " "$(md5 "blk:$D:pw-blk")"
inv "blocked, username ' blk' (leading space): refused before authentication -> 403" 403 " blk" "$(md5 "blk:$D:pw-blk")"
inv "blocked, username 'blk@$D ' (ha1b, trailing space): INVITE -> 403" 403 "blk@$D " "$(md5 "blk@$D:$D:pw-blk")"
sipc "blocked, digest realm '$D ' (trailing space): not our realm, challenged again -> 407" \
	--method INVITE --ruri "sip:nobody@$D" --to "sip:nobody@$D" --from "sip:blk@$D " --realm "$D " \
	--auth-user blk --ha1 "$(md5 "blk:$D:pw-blk")" --expect 407
sipc "blocked, From 'sip:blk@$D ' (trailing space): INVITE -> 403" \
	--method INVITE --ruri "sip:nobody@$D" --to "sip:nobody@$D" --from "sip:blk@$D " \
	--auth-user blk --ha1 "$(md5 "blk:$D:pw-blk")" --expect 403
inv "an account forging another From (fp as plain) -> 403" 403 fp "$(md5 "fp:$D:pw-fp")" plain
inv "an account presenting its alias as From (fp as fpalias) -> routed (404)" 404 fp "$(md5 "fp:$D:pw-fp")" fpalias
sipc_gw "fp to PSTN with a forged P-Asserted-Identity and Remote-Party-ID: the gateway sees fp's" \
	fp 1234567 --auth-user fp --password pw-fp \
	--header "P-Asserted-Identity: <sip:plain@$D>" --header "Remote-Party-ID: <sip:plain@$D>;party=calling"

# ---- 1c. numbers: local accounts and aliases first, only the rest is PSTN ----------
uas=$(ngn_free_port)     # sipp answering as the 7-digit account's phone
invite "7-digit local account, unregistered: INVITE without free-pstn -> 404, not PSTN" \
	plain pw-plain plain 5551234 404
sipc "7-digit local account registers (contact: a sipp UAS)" --method REGISTER --ruri "sip:$D" \
	--from "sip:5551234@$D" --to "sip:5551234@$D" --contact "sip:5551234@127.0.0.1:$uas" \
	--auth-user 5551234 --password pw-5551234 --expect 200
gw=$uas invite "registered 7-digit account: INVITE without free-pstn reaches it -> 200" \
	plain pw-plain plain 5551234 200 gateway
gw=$uas invite "its 7-digit alias: INVITE without free-pstn reaches the account -> 200" \
	plain pw-plain plain 7654321 200 gateway
gw=$uas invite "free-pstn caller to the 7-digit account: on-net, not the gateway -> 200" \
	fp pw-fp fp 5551234 200 gateway
invite "7 digits that are neither account nor alias stay PSTN: no free-pstn -> 403" \
	plain pw-plain plain 7654322 403
# the R-URI's domain counts: plain@$D registered does not answer for plain@other.test
sipc "plain registers (contact: the UAS port, nobody listening now)" --method REGISTER --ruri "sip:$D" \
	--from "sip:plain@$D" --to "sip:plain@$D" --contact "sip:plain@127.0.0.1:$uas" \
	--auth-user plain --password pw-plain --expect 200
sipc "INVITE to plain@other.test is not routed to plain@$D -> 404" --method INVITE \
	--ruri "sip:plain@other.test" --to "sip:plain@other.test" --from "sip:fp@$D" \
	--auth-user fp --password pw-fp --expect 404 --timeout 5
# a Contact is the phone's claim too: registered as the gateway's address, an
# on-net call to it would be a PSTN call without free-pstn
sipc "reg (no free-pstn) registers the gateway's address as its contact -> 200" --method REGISTER \
	--ruri "sip:$D" --from "sip:reg@$D" --to "sip:reg@$D" --contact "sip:+4930123456@127.0.0.1:$gw" \
	--auth-user reg --password pw-reg --expect 200
sipc "an on-net call to it is not relayed to the gateway -> 403" --method INVITE \
	--ruri "sip:reg@$D" --to "sip:reg@$D" --from "sip:reg@$D" \
	--auth-user reg --password pw-reg --expect 403 --timeout 5
# in-dialog requests are not authenticated: their Request-URI is the phone's
# claim; only a dialog the proxy opened to the gateway may send an INVITE there
forged_indialog() { # NAME ROUTE-PARAMS: an unauthenticated INVITE claiming a dialog
	n=$((n + 1)); mkdir -p "$T/sipp.$n"
	local gwpid
	gw_start /dev/null
	sipc_in "$T/sipp.$n" "$1" --method INVITE --ruri "sip:+4930123456@127.0.0.1:$gw" \
		--to "sip:+4930123456@$D" --from "sip:plain@$D" --to-tag forged \
		--header "Route: <sip:127.0.0.1:$sip;lr$2>" --expect 403 --timeout 5
	kill "$gwpid" 2>/dev/null; wait "$gwpid" 2>/dev/null
}
forged_indialog "forged in-dialog INVITE to the gateway (To tag, Route to us) -> 403" ""
forged_indialog "forged in-dialog INVITE with a made-up PSTN token -> 403" ";ngnpstn=0123456789abcdef0123456789abcdef"
n=$((n + 1)); mkdir -p "$T/sipp.$n"
GW_TPL=gateway_reinvite.xml gw_start /dev/null
sipc_in "$T/sipp.$n" "free-pstn call: a re-INVITE in the dialog reaches the gateway -> 200" \
	--method INVITE --ruri "sip:1234567@$D" --to "sip:1234567@$D" --from "sip:fp@$D" \
	--auth-user fp --password pw-fp --reinvite --expect 200
check "free-pstn call: the gateway saw the INVITE and the re-INVITE" wait "$gwpid"

# ---- 2. Kamailio killed and restarted while changes keep arriving ----------------
"$tool" flip kill.test 40 150 1 15 &
writer=$!
sleep 0.5
ngn_kam_kill 2>/dev/null
sleep 0.5
ngn_kam_start "$T/kam" "$sip" "$rpc" "sip:127.0.0.1:$gw" "$dburl" || exit 99
wait $writer
check "kill -9 with the glue running: table equals the database within 10 s" "$tool" same "$rpc" 10
# again with the glue held, to see what SIP gets before the rebuild
"$tool" flip kill.test 40 100 2 10 &
writer=$!
kill -STOP "$glue_g1"
ngn_kam_kill 2>/dev/null
ngn_kam_start "$T/kam" "$sip" "$rpc" "sip:127.0.0.1:$gw" "$dburl" || exit 99
unloaded "restarted, not rebuilt yet: REGISTER -> 503 + Retry-After" REGISTER
unloaded "restarted, not rebuilt yet: INVITE -> 503 + Retry-After" INVITE
kill -CONT "$glue_g1"
wait $writer
check "after the glue resumes: table equals the database within 10 s" "$tool" same "$rpc" 10
register "after the rebuild: REGISTER -> 200" plain pw-plain 200
check "the glue logged the restart and the rebuild" \
	grep -q "resync done" "$T/glue-g1.log"

# ---- 3. MariaDB killed and restarted while the glue runs ---------------------------
kill -STOP "$glue_g1"
"$tool" flip db.test 30 60 3          # committed, not pushed yet
"$NGN_TEST_DB_CTL" kill
kill -CONT "$glue_g1"
sleep 1                               # the glue meets a dead database
# credentials that cannot be checked are not wrong: 503, not another challenge
t0=$(date +%s%N)
sipc "MariaDB down: REGISTER with credentials -> 503 + Retry-After" --method REGISTER \
	--ruri "sip:$D" --from "sip:plain@$D" --to "sip:plain@$D" --auth-user plain --password pw-plain \
	--show Retry-After --need Retry-After --expect 503
echo "MariaDB down: REGISTER (challenge + answer) took $(( ($(date +%s%N) - t0) / 1000000 )) ms"
sipc "MariaDB down: INVITE with credentials -> 503 + Retry-After" --method INVITE \
	--ruri "sip:nobody@$D" --to "sip:nobody@$D" --from "sip:plain@$D" --auth-user plain --password pw-plain \
	--need Retry-After --expect 503
"$NGN_TEST_DB_CTL" start || exit 99
register "MariaDB back: REGISTER -> 200" plain pw-plain 200
check "MariaDB restart: changes committed before the crash reach the proxy" "$tool" same "$rpc" 10
"$tool" flip db.test 30 60 4
check "MariaDB restart: pushes resume" "$tool" same "$rpc" 10

# ---- 4. two ngnprod-glue processes ------------------------------------------------
start_glue g2
"$tool" flip twin.test 30 200 5 2 &
w1=$!
"$tool" flip twin.test 30 200 6 2 &
w2=$!
wait $w1 $w2
check "two glue processes: the proxy ends exactly as the database" "$tool" same "$rpc" 10
max=$(sql "SELECT MAX(id) FROM proxy_event")
ok_cursors=0
for _ in $(seq 1 100); do
	[ "$(sql "SELECT COUNT(*) FROM proxy_cursor WHERE last_event_id = $max")" = 2 ] && { ok_cursors=1; break; }
	sleep 0.1
done
check "two glue processes: both cursors reach the last event" test $ok_cursors = 1
kill -USR1 "$glue_g2"; sleep 0.2
check "status line: in-sync with no lag" grep -q '"state":"in-sync","cursor":'"$max" "$T/glue-g2.out"
stop_glue() { kill -TERM "$1" && wait "$1"; }
check "ngnprod-glue g1 stops cleanly on SIGTERM (exit 0)" stop_glue "$glue_g1"
check "ngnprod-glue g2 stops cleanly on SIGTERM (exit 0)" stop_glue "$glue_g2"
glue_pids=()

echo "$passed passed, $failed failed"
if [ $failed -ne 0 ]; then
	# with-mariadb.sh removes $T: NGN_TEST_KEEP=DIR keeps the logs
	[ -n "${NGN_TEST_KEEP:-}" ] && mkdir -p "$NGN_TEST_KEEP" && cp -r "$T"/sipp.* "$T"/kam "$T"/glue-* "$NGN_TEST_KEEP"/
	echo "--- tails of the logs:" >&2
	tail -20 "$T/glue-g1.log" >&2
	tail -20 "$T/kam/kamailio.log" >&2
	for d in "$T"/sipp.*; do [ -f "$d/sipp.out" ] && grep -l -q "" "$d"/*errors.log 2>/dev/null && { echo "== $d" >&2; cat "$d"/*errors.log | head -40 >&2; }; done
	exit 1
fi
exit 0
