/* store_sql.h: the SQL text of the statements that both the store
 * (server/store/store_*.c) and the benchmark's raw baseline (bench/raw_ops.c) run.
 *
 * Why one header: the raw baseline measures what the database costs for
 * exactly ngnprod's statements; with two copies of the text (as before) a
 * change to one could leave the other behind unnoticed, since run.sh
 * compares only statement counts. Here there is one copy, and a change to
 * a statement changes both sides.
 *
 * Only plain text lives here: no types, no includes, so the bench programs
 * can use it without the store. Statements that only the store runs stay in
 * their module. The arrays are static: each file that runs one has its own
 * copy, whose address is db.c's (and raw_ops.c's) prepared-statement cache
 * key; files that include this header without using an array get no copy.
 * Every statement is a literal; values are always bound parameters. */
#ifndef NGN_STORE_SQL_H
#define NGN_STORE_SQL_H

/* The scope condition of a lookup, for a table alias t with reseller and
 * customer columns: bind store_scope_args() (SCOPE_NARGS values) right after
 * the statement's own values. 0 in the scope means "any". */
#define SCOPE_COND(t) " AND (? = 0 OR " t ".reseller = ?) AND (? = 0 OR " t ".customer = ?)"
#define SCOPE_NARGS 4

/* ---- store_account.c ---------------------------------------------------- */

#define ACCOUNT_COLUMNS \
	"SELECT s.id, s.username, s.domain, s.password, s.ha1, a.first_name, a.last_name, a.email," \
	" a.rpid, a.timezone, a.owner, a.customer, a.reseller, a.prepaid, a.quota, a.call_limit," \
	" a.region, a.timeout, a.quickdial_prefix, UNIX_TIMESTAMP(a.create_date)," \
	" UNIX_TIMESTAMP(a.change_date)"
#define ACCOUNT_FROM " FROM subscriber s JOIN sip_account a ON a.subscriber_id = s.id"

static const char SQL_ACCOUNT_GET[] =
	ACCOUNT_COLUMNS ACCOUNT_FROM " WHERE s.username = ? AND s.domain = ?" SCOPE_COND("a");
static const char SQL_NAME_IS_ALIAS[] =
	"SELECT 1 FROM dbaliases WHERE alias_username = ? AND alias_domain = ?";
static const char SQL_SUBSCRIBER_INSERT[] =
	"INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES (?, ?, ?, ?, ?)";
/* The dates are given (one value, Unix time, bound twice; the session time
 * zone is UTC, db.c) so that addAccount knows them without reading the row
 * back (A5 in store_account.c). */
static const char SQL_ACCOUNT_INSERT[] =
	"INSERT INTO sip_account (subscriber_id, domain_id, first_name, last_name, email, rpid, timezone,"
	" owner, customer, reseller, prepaid, quota, call_limit, region, timeout, quickdial_prefix,"
	" create_date, change_date)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?))";
static const char SQL_ACCOUNT_UPDATE[] =
	"UPDATE sip_account SET first_name = COALESCE(?, first_name), last_name = COALESCE(?, last_name),"
	" email = COALESCE(?, email), rpid = COALESCE(?, rpid), timezone = COALESCE(?, timezone),"
	" owner = COALESCE(?, owner), prepaid = COALESCE(?, prepaid), quota = COALESCE(?, quota),"
	" call_limit = COALESCE(?, call_limit), region = COALESCE(?, region), timeout = COALESCE(?, timeout),"
	" quickdial_prefix = COALESCE(?, quickdial_prefix), change_date = CURRENT_TIMESTAMP"
	" WHERE subscriber_id = ?";
static const char SQL_PROP_INSERT[] =
	"INSERT INTO sip_account_property (subscriber_id, name, value) VALUES (?, ?, ?)";

/* Groups, properties and ACLs of up to EXTRAS_BATCH accounts per statement
 * (db.c binds at most 48 values); unused slots are bound to 0 (no
 * subscriber has id 0). */
#define EXTRAS_P10 "?,?,?,?,?,?,?,?,?,?"
#define EXTRAS_IN " IN (" EXTRAS_P10 "," EXTRAS_P10 "," EXTRAS_P10 "," EXTRAS_P10 ")"
#define EXTRAS_BATCH 40
static const char SQL_BATCH_GROUPS[] =
	"SELECT s.id, g.grp FROM subscriber s JOIN grp g ON g.username = s.username AND g.domain = s.domain"
	" WHERE s.id" EXTRAS_IN " ORDER BY s.id, g.grp";
static const char SQL_BATCH_PROPS[] =
	"SELECT subscriber_id, name, value FROM sip_account_property WHERE subscriber_id" EXTRAS_IN
	" ORDER BY subscriber_id, name";
static const char SQL_BATCH_ACL[] =
	"SELECT subscriber_id, ip, mask, tag FROM sip_account_acl WHERE subscriber_id" EXTRAS_IN
	" ORDER BY subscriber_id, seq";

/* The same for one account (get_one), by its key; its groups are read
 * with SQL_GROUPS_OF (store_groups_load). */
static const char SQL_ONE_PROPS[] =
	"SELECT name, value FROM sip_account_property WHERE subscriber_id = ? ORDER BY name";
static const char SQL_ONE_ACL[] =
	"SELECT ip, mask, tag FROM sip_account_acl WHERE subscriber_id = ? ORDER BY seq";

/* getAccounts (list_body, assembled by store_query.c). An exact domain
 * filter goes through sip_account.domain_id and the date orders end in
 * a.subscriber_id (= s.id): then sip_account's domain_change_idx
 * (domain_id, change_date, + the primary key subscriber_id) serves both
 * the filter and the default order, and the page statement walks that
 * index and stops after `count` rows instead of reading and sorting the
 * whole domain (the filter on subscriber.domain and the order on
 * sip_account.change_date had no index in common). */
#define ACCOUNT_DOMAIN_EQ "a.domain_id = (SELECT d.id FROM domain d WHERE d.domain = ?)"
#define ACCOUNT_DOMAIN_LIKE "s.domain LIKE ?"
#define ACCOUNT_BY_CHANGE_ASC "a.change_date ASC, a.subscriber_id ASC"
#define ACCOUNT_BY_CHANGE_DESC "a.change_date DESC, a.subscriber_id DESC"
#define ACCOUNT_BY_CREATE_ASC "a.create_date ASC, a.subscriber_id ASC"
#define ACCOUNT_BY_CREATE_DESC "a.create_date DESC, a.subscriber_id DESC"
/* What list_body assembles for a domain filter alone and the default order
 * (changeDate DESC): check_query.c checks the assembly against these. */
static const char SQL_LIST_COUNT_DOMAIN[] = "SELECT COUNT(*)" ACCOUNT_FROM " WHERE " ACCOUNT_DOMAIN_EQ;
static const char SQL_LIST_PAGE_DOMAIN[] =
	ACCOUNT_COLUMNS ACCOUNT_FROM " WHERE " ACCOUNT_DOMAIN_EQ " ORDER BY " ACCOUNT_BY_CHANGE_DESC
	" LIMIT ? OFFSET ?";

/* ---- store_common.c ----------------------------------------------------- */

#define SQL_LOCK_DOMAIN_ROW \
	"SELECT d.id, sd.customer, sd.reseller, sd.auto_username, UNIX_TIMESTAMP()" \
	" FROM domain d JOIN sip_domain sd ON sd.domain_id = d.id" \
	" WHERE d.domain = ?" SCOPE_COND("sd")
static const char SQL_LOCK_DOMAIN[] = SQL_LOCK_DOMAIN_ROW " FOR UPDATE";
static const char SQL_LOCK_DOMAIN_SHARE[] = SQL_LOCK_DOMAIN_ROW " LOCK IN SHARE MODE";

#define SQL_FIND_ACCOUNT \
	"SELECT s.id, a.domain_id FROM subscriber s JOIN sip_account a ON a.subscriber_id = s.id" \
	" WHERE s.username = ? AND s.domain = ?" SCOPE_COND("a")
static const char SQL_FIND_ACCOUNT_READ[] = SQL_FIND_ACCOUNT;
static const char SQL_FIND_ACCOUNT_UPDATE[] = SQL_FIND_ACCOUNT " FOR UPDATE";
static const char SQL_FIND_ACCOUNT_SHARE[] = SQL_FIND_ACCOUNT " LOCK IN SHARE MODE";

static const char SQL_PROXY_EVENT[] = "INSERT INTO proxy_event (username, domain) VALUES (?, ?)";

/* ---- store_group.c ------------------------------------------------------ */

static const char SQL_GROUPS_OF[] =
	"SELECT grp FROM grp WHERE username = ? AND domain = ? ORDER BY grp";
static const char SQL_GROUP_HAS[] =
	"SELECT 1 FROM grp WHERE username = ? AND domain = ? AND grp = ?";
static const char SQL_GROUP_INSERT[] =
	"INSERT INTO grp (username, domain, grp, last_modified) VALUES (?, ?, ?, UTC_TIMESTAMP())";
static const char SQL_GROUP_DELETE[] =
	"DELETE FROM grp WHERE username = ? AND domain = ? AND grp = ?";
static const char SQL_ACCOUNT_TOUCH[] =
	"UPDATE sip_account SET change_date = CURRENT_TIMESTAMP WHERE subscriber_id = ?";

/* ---- store_prepaid.c ---------------------------------------------------- */

/* The account of a prepaid call, in the caller's scope. LEFT JOIN: a
 * Kamailio subscriber without a sip_account row exists but is not prepaid
 * (2000) for an unscoped caller; for a narrowed scope its NULL reseller and
 * customer fail SCOPE_COND, so it does not exist (1010). */
static const char SQL_PREPAID_FIND[] =
	"SELECT s.id, a.prepaid FROM subscriber s"
	" LEFT JOIN sip_account a ON a.subscriber_id = s.id"
	" WHERE s.username = ? AND s.domain = ?" SCOPE_COND("a");
static const char SQL_LOCK_BALANCE[] =
	"SELECT balance FROM prepaid_balance WHERE subscriber_id = ? FOR UPDATE";
static const char SQL_SET_BALANCE[] =
	"UPDATE prepaid_balance SET balance = ?, change_date = UTC_TIMESTAMP()"
	" WHERE subscriber_id = ?";
static const char SQL_ADD_HISTORY[] =
	"INSERT INTO prepaid_history"
	" (subscriber_id, date, action, description, value, balance, login, voucher_card_id)"
	" VALUES (?, UTC_TIMESTAMP(), ?, ?, ?, ?, ?, ?)";

#endif
