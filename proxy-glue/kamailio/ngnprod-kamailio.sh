#!/bin/bash
# ngnprod-kamailio.sh: runs Kamailio (Debian package paths) with the shipped
# ngnprod.cfg in the foreground, and keeps it running.
#
#   ngnprod-kamailio.sh --db-url mysql://USER:PASS@HOST:PORT/ngnprod \
#       [--sip-addr 127.0.0.1] [--sip-port 5060] [--rpc-addr 127.0.0.1] [--rpc-port 5071]
#       [--rpc-allow 127.0.0.1] [--gw sip:GATEWAY:5060] [--run-dir DIR] [--children 4]
#       [--log FILE] [--rr-secret S] [--no-supervise]
#
# Then run ngnprod (or ngnprod-glue) with --proxy=http://RPC_ADDR:RPC_PORT/RPC.
# Until the glue has pushed a complete policy table, Kamailio answers every
# REGISTER/INVITE with 503 + Retry-After.
#
# Why a supervisor: Kamailio's children outlive a main process that was
# killed (-9) and keep its ports, so a plain restart fails with "Address
# already in use"; and Kamailio exits at start when its database is not
# reachable yet. So by default this script starts Kamailio in a process group
# of its own and, whenever the main process ends, kills that whole group,
# waits until the SIP and RPC ports are free, and starts it again with
# back-off (1 s doubling to 30 s; back to 1 s after a minute up). It says so
# on its standard error, one line per event ("kamailio ... died", "kamailio
# ... is back"). TERM/INT/HUP stop Kamailio's group and the script; if the
# script itself is killed, Kamailio gets TERM (parent-death signal) and shuts
# its children down. --no-supervise runs Kamailio in place of the script
# (exec) for a supervisor of your own (systemd, or the test suite).
#
# Either way the run directory is locked (flock(1)): a second start on the
# same directory is refused before Kamailio runs, so it can never remove the
# live instance's pid file (DIR/kamailio.pid). A start also waits (10 s at
# most) for its ports to be free and otherwise refuses, naming the port.
# --log FILE appends Kamailio's output to FILE (never truncates; a line
# "---- ... starting kamailio" marks each start); without it, Kamailio logs to
# standard error.
#
# --rr-secret keys the Record-Route token of gateway calls (ngnprod.cfg's
# NGN_RR_SECRET). Without it a random secret is made once and kept in
# DIR/rr-secret (mode 0600), so a restart on the same run directory keeps
# accepting the re-INVITEs of calls that are up.
set -u
here=$(cd "$(dirname "$0")" && pwd)
cfg=$here/ngnprod.cfg
me=ngnprod-kamailio
dburl= sipaddr=127.0.0.1 sipport=5060 rpcaddr=127.0.0.1 rpcport=5071 rpcallow=127.0.0.1
gw=sip:127.0.0.1:5090 rundir= children=4 log= supervise=1 rrsecret=
usage() {
	echo "usage: $0 --db-url URL [--sip-addr A] [--sip-port N] [--rpc-addr A] [--rpc-port N] [--rpc-allow A]" >&2
	echo "       [--gw URI] [--run-dir DIR] [--children N] [--log FILE] [--rr-secret S] [--no-supervise]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--no-supervise) supervise=0; shift; continue ;;
	--db-url|--sip-addr|--sip-port|--rpc-addr|--rpc-port|--rpc-allow|--gw|--run-dir|--children|--log|--rr-secret)
		[ $# -ge 2 ] || usage ;;
	*) usage ;;
	esac
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
	--log) log=$2 ;;
	--rr-secret) rrsecret=$2 ;;
	esac
	shift 2
done
say() { printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$me" "$*" >&2; }
die() { say "$*"; exit 1; }
[ -n "$dburl" ] || { echo "$0: --db-url is required" >&2; exit 2; }
for p in "$sipport" "$rpcport"; do
	case $p in ''|*[!0-9]*) die "invalid port '$p'" ;; esac
done
[ "$sipport" != "$rpcport" ] || die "the SIP and the RPC port must differ (both $sipport)"
case $gw in sip:?*) ;; *) die "--gw must be a SIP URI (sip:HOST[:PORT]), not '$gw'" ;; esac
[ -n "$rundir" ] || rundir=$(mktemp -d "${TMPDIR:-/tmp}/ngnprod-kamailio.XXXXXX")
mkdir -p "$rundir" || die "cannot create the run directory $rundir"
rundir=$(cd "$rundir" && pwd)
if [ -n "$log" ]; then
	: >>"$log" || die "cannot write the log $log"
fi

# one instance per run directory; the lock is inherited by Kamailio and its
# children, so it is held as long as any of them lives
exec 8>>"$rundir/lock"
if ! flock -n 8; then
	other=$(cat "$rundir/$me.pid" 2>/dev/null)
	die "run directory $rundir is in use by another $me${other:+ (pid $other)}; not starting"
fi
echo $$ >"$rundir/$me.pid"

if [ -z "$rrsecret" ]; then
	if [ ! -s "$rundir/rr-secret" ]; then
		(umask 077 && od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$rundir/rr-secret") \
			|| die "cannot write $rundir/rr-secret"
	fi
	rrsecret=$(cat "$rundir/rr-secret")
fi
case $rrsecret in *[!A-Za-z0-9._~+/=-]*) die "--rr-secret may hold only letters, digits and ._~+/=-" ;; esac

# port_held PROTO PORT: a socket of PROTO (tcp: listening) is bound to PORT
port_held() {
	local hex f
	hex=$(printf ':%04X' "$2")
	for f in "/proc/net/$1" "/proc/net/${1}6"; do
		[ -r "$f" ] || continue
		awk -v p="$hex" -v tcp="$([ "$1" = tcp ] && echo 1)" \
			'NR > 1 && substr($2, length($2) - 4) == p && (!tcp || $4 == "0A") { f = 1 } END { exit !f }' "$f" \
			&& return 0
	done
	return 1
}
# busy_port: prints the first of our ports that is taken ("SIP port 5060 (udp)")
busy_port() {
	if port_held udp "$sipport"; then echo "SIP port $sipport (udp)"
	elif port_held tcp "$sipport"; then echo "SIP port $sipport (tcp)"
	elif port_held tcp "$rpcport"; then echo "RPC port $rpcport (tcp)"
	fi
}
# wait_ports: waits (10 s at most) until our ports are free; prints the busy one
wait_ports() {
	local i b
	for i in $(seq 1 100); do
		b=$(busy_port)
		[ -z "$b" ] && return 0
		sleep 0.1
	done
	echo "$b"
	return 1
}

kam=(/usr/sbin/kamailio -f "$cfg" -L /usr/lib/x86_64-linux-gnu/kamailio/modules -DD -E -M 32 -m 64
	-Y "$rundir" -P "$rundir/kamailio.pid"
	-A NGN_SIP_ADDR="$sipaddr" -A NGN_SIP_PORT="$sipport"
	-A NGN_RPC_ADDR="$rpcaddr" -A NGN_RPC_PORT="$rpcport" -A "NGN_RPC_ALLOW=\"$rpcallow\""
	-A "NGN_DBURL=\"$dburl\"" -A "NGN_GW=\"$gw\"" -A NGN_CHILDREN="$children"
	-A "NGN_RR_SECRET=\"$rrsecret\"")
mark() { [ -z "$log" ] || echo "---- $(date -u +%Y-%m-%dT%H:%M:%SZ) $me: starting kamailio ($1)" >>"$log"; }

if [ $supervise = 0 ]; then
	b=$(wait_ports) || die "$b is already in use; not starting"
	mark "not supervised"
	if [ -n "$log" ]; then exec "${kam[@]}" >>"$log" 2>&1; else exec "${kam[@]}"; fi
fi

# ---- supervised ----------------------------------------------------------------
kpid=
rpc_up() {
	curl -s -m 2 -H 'Content-Type: application/json' \
		-d '{"jsonrpc":"2.0","method":"core.uptime","id":1}' "http://$rpcaddr:$rpcport/RPC" 2>/dev/null \
		| grep -q uptime
}
alive() { # PID: the process exists and is not a zombie
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}
# kill_group SIGNAL: signals Kamailio's process group and waits (5 s at most)
# until its main process is gone and its ports are free
kill_group() {
	[ -n "$kpid" ] || return 0
	kill -"$1" -- -"$kpid" 2>/dev/null
	local i
	for i in $(seq 1 50); do
		kill -0 -- -"$kpid" 2>/dev/null || return 0
		! alive "$kpid" && [ -z "$(busy_port)" ] && return 0
		sleep 0.1
	done
	return 1
}
spid=
stop() {
	trap - TERM INT HUP EXIT
	[ -z "$spid" ] || kill "$spid" 2>/dev/null
	if [ -n "$kpid" ]; then
		kill_group TERM || say "kamailio (pid $kpid) did not stop within 5 s; killing it"
		kill -KILL -- -"$kpid" 2>/dev/null
		wait "$kpid" 2>/dev/null
		say "kamailio (pid $kpid) stopped"
	fi
	exit "${1:-0}"
}
trap 'stop 0' TERM INT HUP
trap 'stop $?' EXIT

describe() { # exit status of wait -> words
	if [ "$1" -gt 128 ]; then echo "killed by SIG$(kill -l $(($1 - 128)) 2>/dev/null || echo $(($1 - 128)))"
	else echo "exit status $1"; fi
}
where="SIP $sipaddr:$sipport udp+tcp, RPC http://$rpcaddr:$rpcport/RPC, gateway $gw"
delay=1 starts=0 down_since=
while :; do
	if ! b=$(wait_ports); then
		say "$b is in use by another program; retrying in $delay s"
	else
		starts=$((starts + 1))
		mark "start $starts, supervised by pid $$"
		if [ -n "$log" ]; then
			setsid setpriv --pdeathsig TERM -- "${kam[@]}" >>"$log" 2>&1 </dev/null &
		else
			setsid setpriv --pdeathsig TERM -- "${kam[@]}" </dev/null &
		fi
		kpid=$!
		t0=$SECONDS
		up=0
		for _ in $(seq 1 150); do
			rpc_up && { up=1; break; }
			kill -0 "$kpid" 2>/dev/null || break
			sleep 0.1
		done
		if [ $up = 1 ]; then
			if [ -n "$down_since" ]; then
				say "kamailio is back (pid $kpid) after $((SECONDS - down_since)) s down; $where"
			else
				say "kamailio running (pid $kpid); $where"
			fi
			down_since=
		elif kill -0 "$kpid" 2>/dev/null; then
			say "kamailio started (pid $kpid) but its RPC does not answer yet; $where"
		fi
		wait "$kpid" 2>/dev/null   # (no "Killed" job notice from bash)
		st=$?
		[ -n "$down_since" ] || down_since=$SECONDS
		# its children outlive a killed main process and keep the ports
		kill_group KILL
		if [ $up = 1 ] && [ $((SECONDS - t0)) -ge 60 ]; then delay=1; fi
		if [ $up = 1 ]; then
			say "kamailio (pid $kpid) died ($(describe $st)) after $((SECONDS - t0)) s; restarting in $delay s"
		else
			say "kamailio (pid $kpid) exited at start ($(describe $st); database not reachable yet?${log:+ see $log}); retrying in $delay s"
		fi
		kpid=
	fi
	sleep "$delay" &
	spid=$!
	wait $spid
	spid=
	delay=$((delay * 2))
	[ $delay -le 30 ] || delay=30
done
