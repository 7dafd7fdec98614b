#!/bin/bash
# durability.sh: nothing acknowledged is lost (run under with-server.sh).
#  1. kill -9 ngnprod while 4 clients add accounts and top up a prepaid
#     balance: after a restart every acknowledged account exists, every
#     acknowledged top-up has exactly one history row, the balance equals
#     the sum of the history, and nothing is there twice.
#  2. restart MariaDB under a running ngnprod: calls fail fast with fault 9000
#     while it is down and succeed again afterwards without restarting ngnprod.
set -u
. "$(dirname "$0")/../lib/soap.sh"
T_NAME=durability
W=$NGN_TEST_TMP/dur
mkdir -p "$W"

soap_call addDomain '<domain xsi:type="t:SipDomain"><domain>crash.example</domain></domain>' >/dev/null
soap_call addAccount '<account xsi:type="t:SipAccount"><id><username>wallet</username><domain>crash.example</domain></id><password>pw123456</password><prepaid xsi:type="xsd:int">1</prepaid></account>' >/dev/null
t_check "setup: domain and prepaid account" test "$(db_sql "SELECT COUNT(*) FROM subscriber WHERE domain='crash.example'")" = 1

client() { # id: loops until the server dies, logging what was acknowledged
	local id=$1 i=0
	while [ -e "$W/run" ]; do
		i=$((i+1))
		if soap_call addAccount "<account xsi:type=\"t:SipAccount\"><id><username>u${id}x$i</username><domain>crash.example</domain></id><password>pw123456</password></account>" >/dev/null 2>&1; then
			echo "u${id}x$i" >> "$W/acked-accounts.$id"
		fi
		if soap_call addBalance "$(sipid wallet crash.example)<value xsi:type=\"xsd:float\">1.25</value><description>c${id}n$i</description>" >/dev/null 2>&1; then
			echo "c${id}n$i" >> "$W/acked-topups.$id"
		fi
	done
}
touch "$W/run"
for c in 1 2 3 4; do client $c & done
sleep 3
kill -9 "$NGN_TEST_SERVER_PID"
rm -f "$W/run"
wait
# restart ngnprod on the same port and database
"$NGN_BUILDDIR/ngnprod" --db-socket="$NGN_TEST_DB_SOCKET" --db-user=root --db-password= \
	--db-name="$NGN_TEST_DB_NAME" --port="$NGN_TEST_PORT" --workers=4 >"$W/restart.out" 2>"$W/restart.log" &
spid=$!
trap 'kill -TERM $spid 2>/dev/null; wait $spid 2>/dev/null' EXIT
for _ in $(seq 1 100); do grep -q listening "$W/restart.out" && break; sleep 0.05; done

cat "$W"/acked-accounts.* 2>/dev/null | sort > "$W/acked-accounts"
cat "$W"/acked-topups.* 2>/dev/null | sort > "$W/acked-topups"
na=$(wc -l < "$W/acked-accounts"); nt=$(wc -l < "$W/acked-topups")
echo "# acknowledged before kill -9: $na accounts, $nt top-ups"
t_check "some writes were acknowledged before the crash" test "$na" -gt 0 -a "$nt" -gt 0
db_sql "SELECT username FROM subscriber WHERE domain='crash.example' AND username LIKE 'u%x%'" | sort > "$W/stored-accounts"
t_check "every acknowledged account is stored" test -z "$(comm -23 "$W/acked-accounts" "$W/stored-accounts")"
hist_table=$(db_sql "SELECT table_name FROM information_schema.columns WHERE table_schema=DATABASE() AND column_name='description' AND table_name LIKE '%history%' LIMIT 1")
if [ -n "$hist_table" ]; then
	db_sql "SELECT description FROM \`$hist_table\` WHERE description LIKE 'c%n%'" | sort > "$W/stored-topups"
	t_check "every acknowledged top-up has its history row" test -z "$(comm -23 "$W/acked-topups" "$W/stored-topups")"
	t_check "no top-up is stored twice" test -z "$(uniq -d "$W/stored-topups")"
	reply=$(soap_call getPrepaidStatus "<sipIds xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"t:SipId[1]\"><item><username>wallet</username><domain>crash.example</domain></item></sipIds>")
	bal=$(printf '%s' "$reply" | sed -n 's/.*<balance[^>]*>\([-0-9.]*\)<\/balance>.*/\1/p')
	stored=$(wc -l < "$W/stored-topups")
	t_check "balance equals the sum of the stored top-ups ($stored x 1.25 = $bal)" \
		awk -v b="$bal" -v n="$stored" 'BEGIN { exit !(b + 0 == n * 1.25) }'
else
	t_fail "no prepaid history table found"
fi

# 2. database restart under a running server
t_check "served before the database restart" soap_call getGroups "$(sipid wallet crash.example)"
"$NGN_TEST_DB_CTL" kill
start=$(date +%s%N)
reply=$(soap_call getGroups "$(sipid wallet crash.example)")
ms=$(( ($(date +%s%N) - start) / 1000000 ))
t_check "while the database is down: fault 9000 (got $(printf '%s' "$reply" | soap_code)) in ${ms} ms" \
	test "$(printf '%s' "$reply" | soap_code)" = 9000 -a "$ms" -lt 5000
"$NGN_TEST_DB_CTL" start
ok=0
for _ in $(seq 1 50); do
	if soap_call getGroups "$(sipid wallet crash.example)" >/dev/null; then ok=1; break; fi
	sleep 0.1
done
t_check "served again after the database is back, without restarting ngnprod" test $ok = 1
t_check "writes work again" soap_call addToGroup "$(sipid wallet crash.example)<group>free-pstn</group>"
t_done
