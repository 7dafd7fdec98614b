# kamailio.sh: a private Kamailio running proxy-glue/kamailio/ngnprod.cfg,
# for the glue tests (sourced after common.sh).
#
#   ngn_kam_start DIR SIP_PORT RPC_PORT GW_URI DBURL
#       starts Kamailio (proxy-glue/kamailio/ngnprod-kamailio.sh) in the
#       foreground of its own session (setsid), runtime
#       files under DIR, log in DIR/kamailio.log, and waits (10 s at most) until
#       its JSON-RPC answers. Sets NGN_KAM_PID. Returns non-zero on failure.
#   ngn_kam_kill [SIGNAL]   signals the whole process group (default KILL), waits
#       for it to be gone, unsets NGN_KAM_PID.
#   ngn_kam_rpc RPC_PORT JSON   POSTs one JSON-RPC request, prints the reply.
NGN_KAM_CFG=${NGN_KAM_CFG:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/proxy-glue/kamailio/ngnprod.cfg}

ngn_kam_rpc() {
	curl -s -m 5 -H 'Content-Type: application/json' -d "$2" "http://127.0.0.1:$1/RPC"
}

ngn_kam_start() {
	local dir=$1 sip=$2 rpc=$3 gw=$4 dburl=$5
	mkdir -p "$dir"
	setsid "$(dirname "$NGN_KAM_CFG")/ngnprod-kamailio.sh" --no-supervise --run-dir "$dir" \
		--sip-port "$sip" --rpc-port "$rpc" --children 2 --gw "$gw" --db-url "$dburl" \
		>>"$dir/kamailio.log" 2>&1 </dev/null &
	NGN_KAM_PID=$!
	local i
	for i in $(seq 1 100); do
		if ngn_kam_rpc "$rpc" '{"jsonrpc":"2.0","method":"core.uptime","id":1}' 2>/dev/null | grep -q uptime; then
			return 0
		fi
		kill -0 "$NGN_KAM_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "kamailio did not start; log:" >&2
	tail -30 "$dir/kamailio.log" >&2
	ngn_kam_kill
	return 1
}

ngn_kam_kill() {
	local sig=${1:-KILL} i
	[ -n "${NGN_KAM_PID:-}" ] || return 0
	kill -"$sig" -- -"$NGN_KAM_PID" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 -- -"$NGN_KAM_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL -- -"$NGN_KAM_PID" 2>/dev/null
	wait "$NGN_KAM_PID" 2>/dev/null
	NGN_KAM_PID=
}
