# sip-lib.sh: sipp helpers of the glue shell tests (sourced). Needs: T (work
# dir), sip (Kamailio's SIP port), gw (the gateway port Kamailio relays PSTN
# calls to), D (the SIP domain), scen (the sipp templates directory), src (the
# source tree: sipclient.py).
#   register NAME USER PASSWORD CODE [AUTHUSER]
#   unloaded NAME METHOD                      503 + Retry-After expected
#   invite NAME AUTHUSER PASSWORD FROM DEST CODE [gateway|anon-gateway]
#   sipc NAME SIPCLIENT-ARGS...               our own UAC (sipclient.py), for
#                                             what sipp cannot send; --expect CODE
#   sipc_gw NAME USER DEST SIPCLIENT-ARGS...  sipclient INVITE relayed to the
#                                             gateway, which checks the asserted identity
# each prints "PASS: NAME" or "FAIL: NAME" and counts in passed/failed.
passed=0 failed=0
ok() { echo "PASS: $1"; passed=$((passed + 1)); }
ko() { echo "FAIL: $1"; failed=$((failed + 1)); }
check() { local name=$1; shift; if "$@"; then ok "$name"; else ko "$name"; fi; }
sql() { mariadb --no-defaults -S "$NGN_TEST_DB_SOCKET" -uroot ngnprod -N -e "$1"; }
udp_bound() { # PORT: waits (5 s at most) until a UDP socket is bound to it
	local hex i
	hex=$(printf ':%04X ' "$1")
	for i in $(seq 1 100); do
		grep -q "$hex" /proc/net/udp && return 0
		sleep 0.05
	done
	return 1
}
n=0
render() { # TEMPLATE OUT key=value...
	local tpl=$1 out=$2; shift 2
	[ "$tpl" = "$out" ] || cp "$tpl" "$out"
	local kv
	for kv in "$@"; do
		local k=${kv%%=*} v=${kv#*=}
		if [ -f "$v" ]; then
			# a file's contents (sipp XML), inserted in place of the line
			sed -i -e "/@$k@/{r $v" -e 'd}' "$out"
		else
			sed -i "s|@$k@|$v|g" "$out"
		fi
	done
}
uac() { # SCENARIO AUTHUSER PASSWORD: runs one sipp call against the proxy
	(cd "$T/sipp.$n" && sipp 127.0.0.1:"$sip" -sf "$1" -au "$2" -ap "$3" -m 1 -nostdin \
		-timeout 10s -timeout_error -i 127.0.0.1 -p "$(ngn_free_port)" -trace_err >sipp.out 2>&1)
}
register() { # NAME USER PASSWORD CODE [AUTHUSER]
	n=$((n + 1)); mkdir -p "$T/sipp.$n"
	render "$scen/register.xml" "$T/sipp.$n/s.xml" USER="$2" DOMAIN="$D" CODE="$4"
	check "$1" uac "$T/sipp.$n/s.xml" "${5:-$2}" "$3"
}
unloaded() { # NAME METHOD
	n=$((n + 1)); mkdir -p "$T/sipp.$n"
	render "$scen/unloaded.xml" "$T/sipp.$n/s.xml" USER=plain DEST=bob DOMAIN="$D" METHOD="$2"
	check "$1" uac "$T/sipp.$n/s.xml" plain pw-plain
}
gw_start() { # CHECKS-FILE [key=value...]: sipp as the gateway on $gw, answering one
	# INVITE with 200 after the checks (a sipp <action> fragment); sets gwpid.
	# GW_TPL=gateway_reinvite.xml: and then a re-INVITE in the dialog
	render "$scen/${GW_TPL:-gateway.xml}" "$T/sipp.$n/gw.xml" CHECKS="$1"
	shift
	[ $# = 0 ] || render "$T/sipp.$n/gw.xml" "$T/sipp.$n/gw.xml" "$@"
	(cd "$T/sipp.$n" && exec sipp -sf gw.xml -i 127.0.0.1 -p "$gw" -m 1 -nostdin -timeout 10s \
		-timeout_error -trace_err -trace_logs >gw.out 2>&1) &
	gwpid=$!
	udp_bound "$gw" || sleep 1
}
invite() { # NAME AUTHUSER PASSWORD FROM DEST CODE [gateway|anon-gateway]
	n=$((n + 1)); mkdir -p "$T/sipp.$n"
	local final=$scen/final_fail.inc gwpid= rc
	[ "$6" = 200 ] && final=$scen/final_ok.inc
	render "$scen/invite.xml" "$T/sipp.$n/s.xml" FINAL="$final"
	render "$T/sipp.$n/s.xml" "$T/sipp.$n/s.xml" FROM="$4" DEST="$5" DOMAIN="$D" CODE="$6"
	if [ -n "${7:-}" ]; then
		local checks=/dev/null
		[ "$7" = anon-gateway ] && checks=$scen/anon_checks.inc
		gw_start "$checks"
	fi
	uac "$T/sipp.$n/s.xml" "$2" "$3"; rc=$?
	if [ -n "$gwpid" ]; then
		wait "$gwpid" || rc=1
	fi
	check "$1" test $rc = 0
}

sipc() { # NAME SIPCLIENT-ARGS...: one request from sipclient.py, output in $T/sipp.N
	n=$((n + 1)); mkdir -p "$T/sipp.$n"
	sipc_in "$T/sipp.$n" "$@"
}
sipc_in() { # DIR NAME SIPCLIENT-ARGS...: sipc in a given directory
	local dir=$1 name=$2; shift 2
	if python3 "$src/tests/integration/glue/sipclient.py" --proxy "127.0.0.1:$sip" "$@" \
		>"$dir/sipclient.out" 2>&1; then
		ok "$name"
	else
		ko "$name"
		sed 's/^/    got: /' "$dir/sipclient.out"
	fi
}
sipc_gw() { # NAME USER DEST SIPCLIENT-ARGS...: an INVITE from USER@D to DEST@D
	# through sipclient.py, relayed to the gateway, which must see
	# P-Asserted-Identity <sip:USER@D> and no Remote-Party-ID
	local name=$1 user=$2 dest=$3; shift 3
	n=$((n + 1)); mkdir -p "$T/sipp.$n"
	local gwpid
	gw_start "$scen/pai_checks.inc" USER="$user" DOMAIN="$D"
	sipc_in "$T/sipp.$n" "$name (caller)" --method INVITE --ruri "sip:$dest@$D" --to "sip:$dest@$D" \
		--from "sip:$user@$D" --expect 200 "$@"
	check "$name (gateway)" wait "$gwpid"
}
