#!/bin/bash
# deps.sh [build|run|test]: installs the Debian 12 packages ngnprod needs
# that are missing (as root: apt-get; otherwise it says what to install).
#   build: compile ngnprod; run: + MariaDB server; test: + everything the
#   test suite starts or drives (Kamailio, sipp, PHP SoapClient, SOAP::Lite,
#   python zeep and suds, node for node-soap).
set -eu
what=${1:-test}
pkgs="build-essential autoconf automake libtool pkg-config gsoap libgsoap-dev libmariadb-dev
      libevent-dev check libssl-dev libxml2-dev libxml2-utils libjson-c-dev libcrypt-dev"
case $what in
	build) ;;
	run) pkgs="$pkgs mariadb-server mariadb-client curl python3" ;;
	test) pkgs="$pkgs mariadb-server mariadb-client curl python3 php-cli php-soap php-xml
	            libsoap-lite-perl python3-zeep python3-suds kamailio kamailio-mysql-modules kamailio-json-modules
	            kamailio-extra-modules sip-tester procps psmisc" ;;
	*) echo "usage: $0 [build|run|test]" >&2; exit 2 ;;
esac
# node-soap's flow needs node and npm: Debian's nodejs/npm unless a node with
# its npm is already there (a nodesource nodejs carries npm and conflicts
# with Debian's npm package)
if [ "$what" = test ] && ! { command -v node && command -v npm; } >/dev/null 2>&1; then
	pkgs="$pkgs nodejs npm"
fi
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "missing Debian packages:$missing" >&2
	echo "install them with: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# policy-rc.d keeps the packaged MariaDB/Kamailio services from starting:
# ngnprod and its tests run their own private instances
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod +x /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq --no-install-recommends $missing >/dev/null
