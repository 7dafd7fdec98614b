#!/bin/sh
# ngnprod-kamailio.sh: starts Kamailio (Debian package paths) with the shipped
# ngnprod.cfg in the foreground, logging to stderr.
#
#   ngnprod-kamailio.sh --db-url mysql://USER:PASS@HOST:PORT/ngnprod \
#       [--sip-addr 127.0.0.1] [--sip-port 5060] [--rpc-addr 127.0.0.1] [--rpc-port 5071]
#       [--rpc-allow 127.0.0.1] [--gw sip:GATEWAY:5060] [--run-dir DIR] [--children 4]
#
# Then run ngnprod (or ngnprod-glue) with --proxy=http://RPC_ADDR:RPC_PORT/RPC.
# Until the glue has pushed a complete policy table, Kamailio answers every
# REGISTER/INVITE with 503 + Retry-After.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cfg=$here/ngnprod.cfg
dburl= sipaddr=127.0.0.1 sipport=5060 rpcaddr=127.0.0.1 rpcport=5071 rpcallow=127.0.0.1
gw=sip:127.0.0.1:5090 rundir= children=4
while [ $# -gt 0 ]; do
	case $1 in
	--db-url) dburl=$2 ;;
	--sip-addr) sipaddr=$2 ;;
	--sip-port) sipport=$2 ;;
	--rpc-addr) rpcaddr=$2 ;;
	--rpc-port) rpcport=$2 ;;
	--rpc-allow) rpcallow=$2 ;;
	--gw) gw=$2 ;;
	--run-dir) rundir=$2 ;;
	--children) children=$2 ;;
	*) echo "usage: $0 --db-url URL [--sip-port N] [--rpc-port N] [--gw URI] [--run-dir DIR] ..." >&2; exit 2 ;;
	esac
	shift 2
done
[ -n "$dburl" ] || { echo "$0: --db-url is required" >&2; exit 2; }
[ -n "$rundir" ] || rundir=$(mktemp -d "${TMPDIR:-/tmp}/ngnprod-kamailio.XXXXXX")
mkdir -p "$rundir"
exec /usr/sbin/kamailio -f "$cfg" -L /usr/lib/x86_64-linux-gnu/kamailio/modules -DD -E -M 32 -m 64 \
	-Y "$rundir" -P "$rundir/kamailio.pid" \
	-A NGN_SIP_ADDR="$sipaddr" -A NGN_SIP_PORT="$sipport" \
	-A NGN_RPC_ADDR="$rpcaddr" -A NGN_RPC_PORT="$rpcport" -A "NGN_RPC_ALLOW=\"$rpcallow\"" \
	-A "NGN_DBURL=\"$dburl\"" -A "NGN_GW=\"$gw\"" -A NGN_CHILDREN="$children"
