# soap.sh: SOAP calls from shell tests (sourced), against $NGN_TEST_URL with
# $NGN_TEST_LOGIN/$NGN_TEST_PASSWORD (tests/lib/with-server.sh sets them).
#   soap_call OP 'PARAMS-XML'   prints the reply body; returns 0 on HTTP 200
#   soap_code                   extracts detail/exception/errorcode from stdin
#   t_ok/t_fail NAME, t_done    "ok N - ..." lines and the closing
#                               "N passed, N failed" line; t_done exits 1 on
#                               any failure
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
NGN_SOAP_NS='xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns="urn:AGProjects:NGNPro:Sip" xmlns:t="urn:AGProjects:NGNPro" SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"'
soap_envelope() { # OP PARAMS
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<SOAP-ENV:Envelope %s><SOAP-ENV:Header><auth><username xsi:type="xsd:string">%s</username><password xsi:type="xsd:string">%s</password><admin xsi:type="xsd:boolean">true</admin></auth></SOAP-ENV:Header><SOAP-ENV:Body><ns:%s>%s</ns:%s></SOAP-ENV:Body></SOAP-ENV:Envelope>' \
		"$NGN_SOAP_NS" "$NGN_TEST_LOGIN" "$NGN_TEST_PASSWORD" "$1" "$2" "$1"
}
soap_call() { # OP PARAMS
	local out code
	out=$(soap_envelope "$1" "$2" | curl -s -m 20 -H 'Content-Type: text/xml; charset=utf-8' \
		-w '\n%{http_code}' --data-binary @- "$NGN_TEST_URL")
	code=${out##*$'\n'}
	printf '%s' "${out%$'\n'*}"
	[ "$code" = 200 ]
}
soap_code() { sed -n 's/.*<errorcode[^>]*>\([0-9]*\)<\/errorcode>.*/\1/p'; }
sipid() { printf '<sipId xsi:type="t:SipId"><username>%s</username><domain>%s</domain></sipId>' "$1" "$2"; }
t_n=0; t_pass=0; t_failn=0
t_ok() { t_n=$((t_n+1)); t_pass=$((t_pass+1)); echo "ok $t_n - $*"; }
t_fail() { t_n=$((t_n+1)); t_failn=$((t_failn+1)); echo "not ok $t_n - $*"; }
t_check() { local name=$1; shift; if "$@"; then t_ok "$name"; else t_fail "$name"; fi; }
t_done() { echo "${T_NAME:-test}: $t_pass passed, $t_failn failed"; [ $t_failn = 0 ]; exit $?; }
db_sql() { mariadb --no-defaults -N -B -S "$NGN_TEST_DB_SOCKET" -uroot "$NGN_TEST_DB_NAME" -e "$1"; }
