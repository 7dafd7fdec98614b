#!/bin/bash
# load-data.sh FROM TO: bulk-loads accounts FROM..TO-1 of the benchmark data
# set straight into MariaDB (not through ngnprod), in the shape ngnprod's own
# store writes them (see workload.h for the names):
#   account i = u<i>@d<i/1000>.bench, subscriber.id = i+1, clear password
#   pw<i> with ha1/ha1b, a sip_account row (prepaid, names, e-mail, change
#   dates spread over the past), one property and the groups free-pstn and
#   prepaid; a prepaid balance of 10.00 (so addBalance finds its row, as it
#   does for every account after its first change); domains d<k>.bench for
#   the accounts and n0..n15.bench for the accounts that addAccount creates.
# Rows are generated inside the server from MariaDB's SEQUENCE engine
# (seq_A_to_B tables) by INSERT ... SELECT in chunks of 100k rows, with
# unique and foreign-key checks off: about 10-20 s per million on 2 cores.
# Needs: NGN_TEST_DB_SOCKET (with-mariadb.sh), the schema applied.
set -eu
from=$1 to=$2
db=${NGN_TEST_DB_NAME:-ngnprod}
sql() { mariadb --no-defaults -S "$NGN_TEST_DB_SOCKET" -uroot "$db" "$@"; }
[ "$to" -gt "$from" ] || exit 0
chunk=100000
pre="SET SESSION foreign_key_checks = 0, unique_checks = 0, time_zone = '+00:00';"

# domains (1000 accounts each), plus the addAccount domains once
d0=$((from / 1000)) d1=$(((to + 999) / 1000 - 1))
sql -e "$pre
INSERT IGNORE INTO domain (id, domain, last_modified) SELECT seq + 1, CONCAT('d', seq, '.bench'), NOW() FROM seq_${d0}_to_${d1};
INSERT IGNORE INTO sip_domain (domain_id) SELECT seq + 1 FROM seq_${d0}_to_${d1};
INSERT IGNORE INTO domain (id, domain, last_modified) SELECT 900000 + seq, CONCAT('n', seq, '.bench'), NOW() FROM seq_0_to_15;
INSERT IGNORE INTO sip_domain (domain_id) SELECT 900000 + seq FROM seq_0_to_15;
COMMIT;"

a=$from
while [ "$a" -lt "$to" ]; do
	b=$((a + chunk)); [ "$b" -gt "$to" ] && b=$to
	r="seq_${a}_to_$((b - 1))"
	sql -e "$pre
INSERT INTO subscriber (id, username, domain, password, ha1, ha1b)
  SELECT seq + 1, CONCAT('u', seq), CONCAT('d', seq DIV 1000, '.bench'), CONCAT('pw', seq),
         MD5(CONCAT('u', seq, ':d', seq DIV 1000, '.bench:pw', seq)),
         MD5(CONCAT('u', seq, '@d', seq DIV 1000, '.bench:d', seq DIV 1000, '.bench:pw', seq))
  FROM $r;
INSERT INTO sip_account (subscriber_id, domain_id, first_name, last_name, email, timezone, prepaid,
                         create_date, change_date)
  SELECT seq + 1, (seq DIV 1000) + 1, CONCAT('First', seq), CONCAT('Last', seq),
         CONCAT('u', seq, '@d', seq DIV 1000, '.bench'), 'Europe/Amsterdam', 1,
         NOW() - INTERVAL seq MINUTE, NOW() - INTERVAL seq SECOND
  FROM $r;
INSERT INTO sip_account_property (subscriber_id, name, value) SELECT seq + 1, 'language', 'en' FROM $r;
INSERT INTO prepaid_balance (subscriber_id, balance, change_date) SELECT seq + 1, 100000, NOW() FROM $r;
INSERT INTO grp (username, domain, grp, last_modified)
  SELECT CONCAT('u', seq), CONCAT('d', seq DIV 1000, '.bench'), g.grp, NOW()
  FROM $r JOIN (SELECT 'free-pstn' AS grp UNION ALL SELECT 'prepaid') g;
COMMIT;"
	a=$b
done
# accounts made through ngnprod (addAccount) get subscriber ids far above the
# bulk ids, so a later, larger load can still use ids 1..N
sql -e "ALTER TABLE subscriber AUTO_INCREMENT = 50000000;
        ANALYZE TABLE subscriber, sip_account, grp, domain, sip_account_property, prepaid_balance" >/dev/null
