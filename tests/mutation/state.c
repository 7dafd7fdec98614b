/* state.c: stored state for the mutation test, read straight from MariaDB.
 *
 * The oracle compares what is stored with what a body said, so it reads the
 * tables themselves (not getAccount: a reply path that truncates or escapes
 * would hide what was stored). Values are compared byte for byte; sets
 * (groups, properties, ACL) come sorted by their bytes (ORDER BY HEX(...))
 * and joined with 0x1E, which check_mutation.c reproduces.
 *
 * Snapshots make every case start from the same rows quickly: the state of a
 * variant is built once through SOAP, copied into mutsnap_<slot>_<table>
 * tables, and put back before a case in one transaction (DELETE + INSERT
 * ... SELECT, foreign key checks off for this connection). */
#include <mysql.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mutation.h"

static MYSQL *my;

static MYSQL *conn(void)
{
	if (my)
		return my;
	my = mysql_init(NULL);
	const char *sock = getenv("NGN_TEST_DB_SOCKET"), *name = getenv("NGN_TEST_DB_NAME");
	if (my == NULL || sock == NULL || name == NULL
	    || !mysql_real_connect(my, "localhost", "root", "", name, 0, sock, 0)) {
		fprintf(stderr, "mutation test: no test database (%s)\n", my ? mysql_error(my) : "no memory");
		abort();
	}
	mysql_autocommit(my, 1);
	if (mysql_query(my, "SET SESSION group_concat_max_len = 1048576, FOREIGN_KEY_CHECKS = 0"))
		abort();
	return my;
}

__attribute__((format(printf, 1, 0))) static MYSQL_RES *query_v(const char *fmt, va_list ap)
{
	struct buf q = { 0 };
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	q.p = xmalloc((size_t)n + 1);
	vsnprintf(q.p, (size_t)n + 1, fmt, ap);
	if (mysql_real_query(conn(), q.p, (unsigned long)n) != 0) {
		fprintf(stderr, "mutation test SQL failed: %s\n  %.500s\n", mysql_error(my), q.p);
		abort();
	}
	free(q.p);
	return mysql_store_result(my);
}

void db_exec(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	MYSQL_RES *r = query_v(fmt, ap);
	va_end(ap);
	if (r)
		mysql_free_result(r);
}

long long db_scalar(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	MYSQL_RES *r = query_v(fmt, ap);
	va_end(ap);
	long long v = -1;
	MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
	if (row && row[0])
		v = atoll(row[0]);
	if (r)
		mysql_free_result(r);
	return v;
}

char *db_string(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	MYSQL_RES *r = query_v(fmt, ap);
	va_end(ap);
	char *v = NULL;
	MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
	if (row && row[0]) {
		unsigned long *len = mysql_fetch_lengths(r);
		v = xstrndup(row[0], len[0]);
	}
	if (r)
		mysql_free_result(r);
	return v;
}

char *hexs(const char *p, size_t n)
{
	char *h = xmalloc(2 * n + 1);
	for (size_t i = 0; i < n; i++)
		sprintf(h + 2 * i, "%02X", (unsigned char)p[i]);
	h[2 * n] = '\0';
	return h;
}

/* Keys are compared by the column's collation and by length: the columns
 * pad (PAD SPACE), so "al " would otherwise read the row of "al". */

/* ---- states --------------------------------------------------------------------------- */

void state_free(struct state *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->v[i]);
	s->n = 0;
}

const char *state_get(const struct state *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->name[i], name) == 0)
			return s->v[i];
	return NULL;
}

static void add(struct state *s, const char *name, const char *v, size_t len)
{
	if (s->n >= ST_MAXF)
		abort();
	s->name[s->n] = name;
	s->v[s->n] = v ? xstrndup(v, len) : xstrndup("(null)", 6);
	s->len[s->n] = v ? len : 6;
	s->n++;
}

/* one row of a query into named fields; 0 when there is no row */
__attribute__((format(printf, 3, 4))) static int row_into(struct state *s, const char *const *names, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	MYSQL_RES *r = query_v(fmt, ap);
	va_end(ap);
	MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
	if (row) {
		unsigned long *len = mysql_fetch_lengths(r);
		for (unsigned i = 0; names[i]; i++)
			add(s, names[i], row[i], row[i] ? len[i] : 0);
	}
	if (r)
		mysql_free_result(r);
	return row != NULL;
}

#define SEP "\x1e"

void state_account(const char *user, const char *domain, struct state *out)
{
	char *u = hexs(user, strlen(user)), *d = hexs(domain, strlen(domain));
	out->n = 0;
	static const char *const f[] = { "password", "ha1", "ha1b", "first_name", "last_name", "email", "rpid",
					 "timezone", "owner", "prepaid", "quota", "call_limit", "region", "timeout",
					 "quickdial_prefix", "properties", "acl", "balance", "hist_count", "hist_last",
					 "vouchers", NULL };
	struct state tmp = { 0 };
	int found = row_into(&tmp, f,
		"SELECT s.password, s.ha1, s.ha1b, a.first_name, a.last_name, a.email, a.rpid, a.timezone, a.owner,"
		" a.prepaid, a.quota, a.call_limit, a.region, a.timeout, a.quickdial_prefix,"
		" COALESCE((SELECT GROUP_CONCAT(CONCAT(p.name, '=', p.value) ORDER BY HEX(CONCAT(p.name, '=', p.value))"
		"  SEPARATOR '" SEP "') FROM sip_account_property p WHERE p.subscriber_id = s.id), ''),"
		" COALESCE((SELECT GROUP_CONCAT(CONCAT(c.ip, '/', c.mask, '/', c.tag) ORDER BY HEX(CONCAT(c.ip, '/', c.mask, '/', c.tag))"
		"  SEPARATOR '" SEP "') FROM sip_account_acl c WHERE c.subscriber_id = s.id), ''),"
		" (SELECT b.balance FROM prepaid_balance b WHERE b.subscriber_id = s.id),"
		" (SELECT COUNT(*) FROM prepaid_history h WHERE h.subscriber_id = s.id),"
		" COALESCE((SELECT CONCAT(h.value, '/', h.description) FROM prepaid_history h WHERE h.subscriber_id = s.id"
		"  ORDER BY h.id DESC LIMIT 1), ''),"
		" (SELECT COUNT(*) FROM voucher_card v WHERE v.spent_by = s.id)"
		" FROM subscriber s LEFT JOIN sip_account a ON a.subscriber_id = s.id"
		" WHERE s.username = UNHEX('%s') AND s.domain = UNHEX('%s')"
		" AND OCTET_LENGTH(s.username) = %zu AND OCTET_LENGTH(s.domain) = %zu",
		u, d, strlen(user), strlen(domain));
	add(out, "exists", found ? "1" : "0", 1);
	/* group rows are keyed by name: they must go with the account */
	char *g = db_string("SELECT COALESCE(GROUP_CONCAT(grp ORDER BY HEX(grp) SEPARATOR '" SEP "'), '') FROM grp"
			    " WHERE username = UNHEX('%s') AND domain = UNHEX('%s')"
			    " AND OCTET_LENGTH(username) = %zu AND OCTET_LENGTH(domain) = %zu",
			    u, d, strlen(user), strlen(domain));
	add(out, "groups", g ? g : "", g ? strlen(g) : 0);
	free(g);
	for (int i = 0; i < tmp.n; i++) {
		add(out, tmp.name[i], tmp.v[i], tmp.len[i]);
	}
	state_free(&tmp);
	free(u);
	free(d);
}

void state_domain(const char *domain, struct state *out)
{
	char *d = hexs(domain, strlen(domain));
	out->n = 0;
	static const char *const f[] = { "customer", "reseller", "certificate", "private_key", "match_ip_address",
					 "match_sip_domain", "verify_cert", "require_cert", "accounts", "aliases", NULL };
	struct state tmp = { 0 };
	int found = row_into(&tmp, f,
		"SELECT s.customer, s.reseller, COALESCE(s.certificate, ''), COALESCE(s.private_key, ''),"
		" s.match_ip_address, s.match_sip_domain, s.verify_cert, s.require_cert,"
		" (SELECT COUNT(*) FROM subscriber x WHERE x.domain = d.domain),"
		" (SELECT COUNT(*) FROM dbaliases x WHERE x.alias_domain = d.domain)"
		" FROM domain d LEFT JOIN sip_domain s ON s.domain_id = d.id WHERE d.domain = UNHEX('%s')"
		" AND OCTET_LENGTH(d.domain) = %zu",
		d, strlen(domain));
	add(out, "exists", found ? "1" : "0", 1);
	for (int i = 0; i < tmp.n; i++)
		add(out, tmp.name[i], tmp.v[i], tmp.len[i]);
	state_free(&tmp);
	free(d);
}

void state_alias(const char *user, const char *domain, struct state *out)
{
	char *u = hexs(user, strlen(user)), *d = hexs(domain, strlen(domain));
	out->n = 0;
	static const char *const f[] = { "target", "owner", NULL };
	struct state tmp = { 0 };
	int found = row_into(&tmp, f,
		"SELECT CONCAT(a.username, '@', a.domain), s.owner FROM dbaliases a"
		" LEFT JOIN sip_alias s ON s.alias_id = a.id WHERE a.alias_username = UNHEX('%s')"
		" AND a.alias_domain = UNHEX('%s')"
		" AND OCTET_LENGTH(a.alias_username) = %zu AND OCTET_LENGTH(a.alias_domain) = %zu",
		u, d, strlen(user), strlen(domain));
	add(out, "exists", found ? "1" : "0", 1);
	for (int i = 0; i < tmp.n; i++)
		add(out, tmp.name[i], tmp.v[i], tmp.len[i]);
	state_free(&tmp);
	free(u);
	free(d);
}

char *state_cust_keys(void)
{
	char *k = db_string("SELECT COALESCE(GROUP_CONCAT(k ORDER BY HEX(k) SEPARATOR '" SEP "'), '') FROM"
			    " (SELECT CONCAT('c', id) AS k FROM customer UNION ALL"
			    "  SELECT CONCAT('p', customer_id, '/', name) FROM customer_property) t");
	return k ? k : xstrndup("", 0);
}

void state_counts(long long out[3])
{
	out[0] = db_scalar("SELECT COUNT(*) FROM subscriber");
	out[1] = db_scalar("SELECT COUNT(*) FROM domain");
	out[2] = db_scalar("SELECT COUNT(*) FROM dbaliases");
}

/* ---- snapshots ------------------------------------------------------------------------------- */

static char **tables;
static int ntables;

static void list_tables(void)
{
	if (tables)
		return;
	MYSQL_RES *r;
	if (mysql_query(conn(), "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
				" AND table_type = 'BASE TABLE' AND table_name NOT IN ('schema_version', 'version')"
				" AND table_name NOT LIKE 'mutsnap%' ORDER BY table_name")
	    || (r = mysql_store_result(my)) == NULL)
		abort();
	tables = xmalloc(sizeof *tables * (mysql_num_rows(r) + 1));
	MYSQL_ROW row;
	while ((row = mysql_fetch_row(r)) != NULL)
		tables[ntables++] = xstrndup(row[0], strlen(row[0]));
	mysql_free_result(r);
}

static int is_cust_table(const char *t)
{
	return !strcmp(t, "customer") || !strcmp(t, "customer_property") || !strcmp(t, "api_user");
}

void state_sums(char **cust, char **rest)
{
	list_tables();
	struct buf q[2] = { { 0 }, { 0 } }, out[2] = { { 0 }, { 0 } };
	for (int i = 0; i < ntables; i++) {
		struct buf *b = &q[!is_cust_table(tables[i])];
		buf_adds(b, b->n ? ", `" : "CHECKSUM TABLE `");
		buf_adds(b, tables[i]);
		buf_adds(b, "`");
	}
	for (int k = 0; k < 2; k++) {
		buf_adds(&out[k], "");
		if (q[k].n == 0)
			continue;
		MYSQL_RES *r;
		if (mysql_real_query(conn(), q[k].p, (unsigned long)q[k].n) || (r = mysql_store_result(my)) == NULL) {
			fprintf(stderr, "mutation test SQL failed: %s\n", mysql_error(my));
			abort();
		}
		MYSQL_ROW row;
		while ((row = mysql_fetch_row(r)) != NULL)
			buf_addf(&out[k], "%s=%s ", row[0], row[1] ? row[1] : "NULL");
		mysql_free_result(r);
		buf_free(&q[k]);
	}
	*cust = out[0].p;
	*rest = out[1].p;
}

void snap_save(int slot)
{
	list_tables();
	for (int i = 0; i < ntables; i++) {
		db_exec("DROP TABLE IF EXISTS mutsnap_%d_%s", slot, tables[i]);
		db_exec("CREATE TABLE mutsnap_%d_%s AS SELECT * FROM `%s`", slot, tables[i], tables[i]);
	}
}

void snap_restore(int slot)
{
	list_tables();
	db_exec("START TRANSACTION");
	for (int i = 0; i < ntables; i++) {
		db_exec("DELETE FROM `%s`", tables[i]);
		db_exec("INSERT INTO `%s` SELECT * FROM mutsnap_%d_%s", tables[i], slot, tables[i]);
	}
	db_exec("COMMIT");
}
