/* raw_ops.c: see raw_ops.h.
 *
 * The generic part executes a prepared statement the way server/core/db.c does
 * (bind parameters, execute, bind result columns as LONGLONG or STRING,
 * fetch row by row, free the result), so the client-side cost per statement
 * is the same as ngnprod's and only the SOAP/HTTP layers differ. The SQL
 * text is ngnprod's own: server/store/store_sql.h, shared with server/store/store_*.c;
 * what stays here is the order of the statements of each operation, which
 * mirrors the store functions named above each op_* (run.sh reports the
 * statements and commits per operation of both sides). */
#include <mysqld_error.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "raw_ops.h"
#include "store/store_sql.h"

struct rv {
	int is_null;
	int is_int;
	long long i;
	const char *s;
	unsigned long len;
};

#define RI(v) ((struct rv){ .is_int = 1, .i = (long long)(v) })
#define RS(v) ((struct rv){ .is_int = 0, .s = (v), .len = (unsigned long)strlen(v) })

int raw_connect(struct raw_conn *c, const char *socket, const char *user, const char *db)
{
	memset(c->stmts, 0, sizeof c->stmts);
	c->nstmts = 0;
	c->my = mysql_init(NULL);
	if (c->my == NULL)
		return -1;
	unsigned ct = 5, rw = 30;
	my_bool off = 0;
	mysql_optionsv(c->my, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_optionsv(c->my, MYSQL_OPT_READ_TIMEOUT, &rw);
	mysql_optionsv(c->my, MYSQL_OPT_WRITE_TIMEOUT, &rw);
	mysql_optionsv(c->my, MYSQL_OPT_RECONNECT, &off);
	mysql_optionsv(c->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_optionsv(c->my, MYSQL_INIT_COMMAND,
		       "SET SESSION tx_isolation = 'READ-COMMITTED', time_zone = '+00:00'");
	if (!mysql_real_connect(c->my, "localhost", user, "", db, 0, socket, CLIENT_FOUND_ROWS)) {
		snprintf(c->err, sizeof c->err, "%s", mysql_error(c->my));
		mysql_close(c->my);
		c->my = NULL;
		return -1;
	}
	mysql_autocommit(c->my, 0);
	c->autocommit = 0;
	return 0;
}

void raw_close(struct raw_conn *c)
{
	for (unsigned i = 0; i < c->nstmts; i++)
		if (c->stmts[i].st)
			mysql_stmt_close(c->stmts[i].st);
	c->nstmts = 0;
	if (c->my)
		mysql_close(c->my);
	c->my = NULL;
}

int raw_reconnect_if_needed(struct raw_conn *c, const char *socket, const char *user, const char *db)
{
	if (c->my && mysql_ping(c->my) == 0)
		return 0;
	raw_close(c);
	return raw_connect(c, socket, user, db);
}

const char *raw_error(const struct raw_conn *c)
{
	return c->err;
}

static int fail(struct raw_conn *c, MYSQL_STMT *st, const char *sql)
{
	snprintf(c->err, sizeof c->err, "%u %s [%.120s]", st ? mysql_stmt_errno(st) : mysql_errno(c->my),
		 st ? mysql_stmt_error(st) : mysql_error(c->my), sql ? sql : "");
	return -1;
}

static struct raw_stmt *prepare(struct raw_conn *c, const char *sql)
{
	for (unsigned i = 0; i < c->nstmts; i++)
		if (c->stmts[i].sql == sql)
			return &c->stmts[i];
	if (c->nstmts >= RAW_MAX_STMTS)
		return NULL;
	struct raw_stmt *s = &c->stmts[c->nstmts];
	s->st = mysql_stmt_init(c->my);
	if (s->st == NULL || mysql_stmt_prepare(s->st, sql, strlen(sql))) {
		fail(c, s->st, sql);
		if (s->st)
			mysql_stmt_close(s->st);
		s->st = NULL;
		return NULL;
	}
	s->sql = sql;
	s->ncols = mysql_stmt_field_count(s->st);
	if (s->ncols > RAW_MAX_COLS)
		return NULL;
	MYSQL_RES *meta = mysql_stmt_result_metadata(s->st);
	if (meta) {
		MYSQL_FIELD *f = mysql_fetch_fields(meta);
		for (unsigned i = 0; i < s->ncols; i++)
			switch (f[i].type) {
			case MYSQL_TYPE_TINY: case MYSQL_TYPE_SHORT: case MYSQL_TYPE_LONG:
			case MYSQL_TYPE_LONGLONG: case MYSQL_TYPE_INT24: case MYSQL_TYPE_YEAR:
				s->col_is_int[i] = 1;
				break;
			default:
				s->col_is_int[i] = 0;
			}
		mysql_free_result(meta);
	}
	c->nstmts++;
	return s;
}

/* Executes sql with args; fetches every row (the first column, if an int,
 * of the last row into *first_int, of the first idcap rows into ids).
 * Returns 0, or -1 (c->err). */
static int q_rows(struct raw_conn *c, const char *sql, const struct rv *args, unsigned nargs, uint64_t *affected,
		  uint64_t *insert_id, uint64_t *rows, long long *first_int, long long *ids, unsigned idcap)
{
	struct raw_stmt *s = prepare(c, sql);
	if (s == NULL)
		return -1;
	MYSQL_BIND b[RAW_MAX_COLS];
	long long ints[RAW_MAX_COLS];
	unsigned long lens[RAW_MAX_COLS];
	memset(b, 0, sizeof(MYSQL_BIND) * (nargs ? nargs : 1));
	for (unsigned i = 0; i < nargs; i++) {
		if (args[i].is_null) {
			b[i].buffer_type = MYSQL_TYPE_NULL;
		} else if (args[i].is_int) {
			ints[i] = args[i].i;
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &ints[i];
		} else {
			lens[i] = args[i].len;
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)args[i].s;
			b[i].buffer_length = lens[i];
			b[i].length = &lens[i];
		}
	}
	if (nargs && mysql_stmt_bind_param(s->st, b))
		return fail(c, s->st, sql);
	if (mysql_stmt_execute(s->st))
		return fail(c, s->st, sql);
	if (affected)
		*affected = mysql_stmt_affected_rows(s->st);
	if (insert_id)
		*insert_id = mysql_stmt_insert_id(s->st);
	uint64_t n = 0;
	if (s->ncols) {
		MYSQL_BIND r[RAW_MAX_COLS];
		memset(r, 0, sizeof(MYSQL_BIND) * s->ncols);
		for (unsigned i = 0; i < s->ncols; i++) {
			r[i].is_null = &c->nulls[i];
			r[i].length = &c->lens[i];
			if (s->col_is_int[i]) {
				r[i].buffer_type = MYSQL_TYPE_LONGLONG;
				r[i].buffer = &c->ints[i];
			} else {
				r[i].buffer_type = MYSQL_TYPE_STRING;
				r[i].buffer = c->colbuf[i];
				r[i].buffer_length = sizeof c->colbuf[i] - 1;
			}
		}
		if (mysql_stmt_bind_result(s->st, r))
			return fail(c, s->st, sql);
		int f;
		while ((f = mysql_stmt_fetch(s->st)) == 0 || f == MYSQL_DATA_TRUNCATED) {
			if (first_int && s->col_is_int[0] && !c->nulls[0])
				*first_int = c->ints[0];
			if (ids && n < idcap && s->col_is_int[0])
				ids[n] = c->ints[0];
			n++;
		}
		if (f == 1) {
			fail(c, s->st, sql);
			mysql_stmt_free_result(s->st);
			return -1;
		}
		mysql_stmt_free_result(s->st);
	}
	if (rows)
		*rows = n;
	return 0;
}

static int q(struct raw_conn *c, const char *sql, const struct rv *args, unsigned nargs, uint64_t *affected,
	     uint64_t *insert_id, uint64_t *rows, long long *first_int)
{
	return q_rows(c, sql, args, nargs, affected, insert_id, rows, first_int, NULL, 0);
}

/* the first int column of up to cap rows into ids, their number into *n */
static int q_ids(struct raw_conn *c, const char *sql, const struct rv *args, unsigned nargs, long long *ids,
		 unsigned cap, unsigned *n)
{
	uint64_t rows = 0;
	int r = q_rows(c, sql, args, nargs, NULL, NULL, &rows, NULL, ids, cap);
	*n = rows < cap ? (unsigned)rows : cap;
	return r;
}

static int commit(struct raw_conn *c)
{
	if (mysql_commit(c->my))
		return fail(c, NULL, "COMMIT");
	return 0;
}

static int rollback(struct raw_conn *c)
{
	mysql_rollback(c->my);
	return -1;
}

/* ---- the operations ------------------------------------------------------- */
/* Each mirrors one store function of ngnprod: same statements, same order. */

/* an admin login's scope values (SCOPE_COND, store_sql.h) */
#define SCOPE_ADMIN(a, i) (a[i] = RI(0), a[i + 1] = RI(0), a[i + 2] = RI(0), a[i + 3] = RI(0))

#define RNULL ((struct rv){ .is_null = 1 })

/* load_extras() for accounts ids[0..n) (listings): per batch of 40,
 * groups, properties and ACL by IN lists padded with 0 */
static int load_extras(struct raw_conn *c, const long long *ids, unsigned n)
{
	for (unsigned off = 0; off < n; off += EXTRAS_BATCH) {
		struct rv a[EXTRAS_BATCH];
		for (unsigned i = 0; i < EXTRAS_BATCH; i++)
			a[i] = RI(off + i < n ? ids[off + i] : 0);
		if (q(c, SQL_BATCH_GROUPS, a, EXTRAS_BATCH, NULL, NULL, NULL, NULL)
		    || q(c, SQL_BATCH_PROPS, a, EXTRAS_BATCH, NULL, NULL, NULL, NULL)
		    || q(c, SQL_BATCH_ACL, a, EXTRAS_BATCH, NULL, NULL, NULL, NULL))
			return -1;
	}
	return 0;
}

/* store_account_get: get_one, the account row, then load_extras_one:
 * groups, properties and ACL of that one account by its keys */
static int get_one(struct raw_conn *c, const char *user, const char *domain)
{
	struct rv a[6] = { RS(user), RS(domain) };
	SCOPE_ADMIN(a, 2);
	long long sid = 0;
	uint64_t rows = 0;
	if (q(c, SQL_ACCOUNT_GET, a, 6, NULL, NULL, &rows, &sid))
		return -1;
	if (rows == 0) {
		snprintf(c->err, sizeof c->err, "no account %s@%s", user, domain);
		return -1;
	}
	struct rv id[1] = { RI(sid) };
	if (q(c, SQL_GROUPS_OF, a, 2, NULL, NULL, NULL, NULL) || q(c, SQL_ONE_PROPS, id, 1, NULL, NULL, NULL, NULL)
	    || q(c, SQL_ONE_ACL, id, 1, NULL, NULL, NULL, NULL))
		return -1;
	return 0;
}

static int op_get_account(struct raw_conn *c, const struct wl_op *op)
{
	return get_one(c, op->user, op->domain);
}

/* store_account_add (add_body) for envelope.c's addAccount: two groups, one
 * property, an empty ACL: 9 statements. The domain row in share mode (a
 * given name, not <autoincrement>); the digests are computed by the client
 * as the server computes them (their cost is in the ngnprod column only) */

static int op_add_account(struct raw_conn *c, const struct wl_op *op)
{
	char first[32], last[32], pw[32], email[64];
	snprintf(first, sizeof first, "First%llu", (unsigned long long)op->seq);
	snprintf(last, sizeof last, "Last%llu", (unsigned long long)op->seq);
	snprintf(pw, sizeof pw, "pw%llu", (unsigned long long)op->seq);
	snprintf(email, sizeof email, "%s@%s", op->user, op->domain);
	struct rv d[5] = { RS(op->domain) };
	SCOPE_ADMIN(d, 1);
	long long domain_id = 0;
	if (q(c, SQL_LOCK_DOMAIN_SHARE, d, 5, NULL, NULL, NULL, &domain_id))
		return -1;
	struct rv n[2] = { RS(op->user), RS(op->domain) };
	if (q(c, SQL_NAME_IS_ALIAS, n, 2, NULL, NULL, NULL, NULL))
		return -1;
	/* digests as 32 hex digits (values only matter for their size) */
	static const char ha1[] = "0123456789abcdef0123456789abcdef";
	struct rv s[5] = { RS(op->user), RS(op->domain), RS(pw), RS(ha1), RS(ha1) };
	uint64_t sid = 0;
	if (q(c, SQL_SUBSCRIBER_INSERT, s, 5, NULL, &sid, NULL, NULL))
		return -1;
	long long now = (long long)time(NULL); /* the server binds the domain row's UNIX_TIMESTAMP() */
	struct rv r[18] = {
		RI(sid), RI(domain_id), RS(first), RS(last), RS(email), RS(""), RS("Europe/Amsterdam"),
		RI(0), RI(0), RI(0), RI(1), RI(0), RI(0), RS(""), RI(0), RS(""), RI(now), RI(now),
	};
	if (q(c, SQL_ACCOUNT_INSERT, r, 18, NULL, NULL, NULL, NULL))
		return -1;
	struct rv p[3] = { RI(sid), RS("language"), RS("en") };
	if (q(c, SQL_PROP_INSERT, p, 3, NULL, NULL, NULL, NULL))
		return -1;
	/* store_groups_set: current groups, then the two inserts, then the event */
	if (q(c, SQL_GROUPS_OF, n, 2, NULL, NULL, NULL, NULL))
		return -1;
	static const char *const groups[2] = { "free-pstn", "prepaid" };
	for (int i = 0; i < 2; i++) {
		struct rv g[3] = { RS(op->user), RS(op->domain), RS(groups[i]) };
		if (q(c, SQL_GROUP_INSERT, g, 3, NULL, NULL, NULL, NULL))
			return -1;
	}
	/* the reply is built from what was written: no reading back */
	return q(c, SQL_PROXY_EVENT, n, 2, NULL, NULL, NULL, NULL);
}

/* store_account_update (update_body) for envelope.c's updateAccount:
 * firstName, lastName, email and quota; no password, groups, ACL or
 * properties */
static int op_update_account(struct raw_conn *c, const struct wl_op *op)
{
	char first[32], last[32], email[64];
	snprintf(first, sizeof first, "First%llu", (unsigned long long)op->seq);
	snprintf(last, sizeof last, "Last%llu", (unsigned long long)op->seq);
	snprintf(email, sizeof email, "m%llu@%s", (unsigned long long)op->seq, op->domain);
	struct rv f[6] = { RS(op->user), RS(op->domain) };
	SCOPE_ADMIN(f, 2);
	long long sid = 0;
	uint64_t rows = 0;
	if (q(c, SQL_FIND_ACCOUNT_UPDATE, f, 6, NULL, NULL, &rows, &sid))
		return -1;
	if (rows == 0) {
		snprintf(c->err, sizeof c->err, "no account %s@%s", op->user, op->domain);
		return -1;
	}
	struct rv u[13] = {
		RS(first), RS(last), RS(email), RNULL, RNULL, RNULL, RNULL, RI(op->seq % 1000), RNULL,
		RNULL, RNULL, RNULL, RI(sid),
	};
	return q(c, SQL_ACCOUNT_UPDATE, u, 13, NULL, NULL, NULL, NULL);
}

/* store_group_add / store_group_remove (add_body, remove_body) */
static int op_flip(struct raw_conn *c, const struct wl_op *op, const char *group)
{
	struct rv f[6] = { RS(op->user), RS(op->domain) };
	SCOPE_ADMIN(f, 2);
	long long sid = 0;
	uint64_t rows = 0;
	if (q(c, SQL_FIND_ACCOUNT_UPDATE, f, 6, NULL, NULL, &rows, &sid))
		return -1;
	struct rv g[3] = { RS(op->user), RS(op->domain), RS(group) };
	if (op->add) {
		if (q(c, SQL_GROUP_HAS, g, 3, NULL, NULL, &rows, NULL))
			return -1;
		if (rows > 0)
			return 0;
		if (q(c, SQL_GROUP_INSERT, g, 3, NULL, NULL, NULL, NULL))
			return -1;
	} else {
		uint64_t n = 0;
		if (q(c, SQL_GROUP_DELETE, g, 3, &n, NULL, NULL, NULL))
			return -1;
		if (n == 0) {
			snprintf(c->err, sizeof c->err, "%s@%s is not in group %s", op->user, op->domain, group);
			return -1;
		}
	}
	struct rv e[2] = { RS(op->user), RS(op->domain) };
	struct rv t[1] = { RI(sid) };
	if (q(c, SQL_PROXY_EVENT, e, 2, NULL, NULL, NULL, NULL) || q(c, SQL_ACCOUNT_TOUCH, t, 1, NULL, NULL, NULL, NULL))
		return -1;
	return 0;
}

/* store_prepaid_add (add_txn): find, lock the balance, set it, history */
static int op_add_balance(struct raw_conn *c, const struct wl_op *op)
{
	struct rv f[2 + SCOPE_NARGS] = { RS(op->user), RS(op->domain) };
	SCOPE_ADMIN(f, 2);
	long long sid = 0, balance = -1;
	if (q(c, SQL_PREPAID_FIND, f, 2 + SCOPE_NARGS, NULL, NULL, NULL, &sid))
		return -1;
	struct rv l[1] = { RI(sid) };
	if (q(c, SQL_LOCK_BALANCE, l, 1, NULL, NULL, NULL, &balance))
		return -1;
	if (balance < 0) {
		snprintf(c->err, sizeof c->err, "no balance row for %s@%s (load-data.sh makes them)", op->user,
			 op->domain);
		return -1;
	}
	long long value = 12500; /* 1.25 in 1/10000 */
	char desc[32];
	snprintf(desc, sizeof desc, "bench %llu", (unsigned long long)op->seq);
	struct rv s[2] = { RI(balance + value), RI(sid) };
	if (q(c, SQL_SET_BALANCE, s, 2, NULL, NULL, NULL, NULL))
		return -1;
	struct rv h[7] = { RI(sid), RS("Add balance"), RS(desc), RI(value), RI(balance + value), RS("bench"), RNULL };
	return q(c, SQL_ADD_HISTORY, h, 7, NULL, NULL, NULL, NULL);
}

/* store_account_list (list_body): count, page of 50 (the texts list_body
 * assembles for a domain filter and the default order), extras in batches */
static int op_get_accounts(struct raw_conn *c, const struct wl_op *op)
{
	struct rv a[3] = { RS(op->domain), RI(50), RI(0) };
	if (q(c, SQL_LIST_COUNT_DOMAIN, a, 1, NULL, NULL, NULL, NULL))
		return -1;
	long long ids[50];
	unsigned n = 0;
	if (q_ids(c, SQL_LIST_PAGE_DOMAIN, a, 3, ids, 50, &n))
		return -1;
	return load_extras(c, ids, n);
}

/* ---- what-if: the same results in fewer round trips ------------------------ */
/* One row per account with its groups, properties and ACL as JSON arrays
 * (json-c is already linked into ngnprod). */
#define EXTRAS_COLUMNS \
	", (SELECT JSON_ARRAYAGG(g.grp ORDER BY g.grp) FROM grp g" \
	" WHERE g.username = s.username AND g.domain = s.domain)," \
	" (SELECT JSON_ARRAYAGG(JSON_ARRAY(p.name, p.value) ORDER BY p.name) FROM sip_account_property p" \
	" WHERE p.subscriber_id = s.id)," \
	" (SELECT JSON_ARRAYAGG(JSON_ARRAY(l.ip, l.mask, l.tag) ORDER BY l.seq) FROM sip_account_acl l" \
	" WHERE l.subscriber_id = s.id)"
static const char SQL_ACCOUNT_GET_J[] =
	ACCOUNT_COLUMNS EXTRAS_COLUMNS ACCOUNT_FROM " WHERE s.username = ? AND s.domain = ?" SCOPE_COND("a");
static const char SQL_LIST_PAGE_J[] = ACCOUNT_COLUMNS EXTRAS_COLUMNS ACCOUNT_FROM " WHERE " ACCOUNT_DOMAIN_EQ
	" ORDER BY " ACCOUNT_BY_CHANGE_DESC " LIMIT ? OFFSET ?";

/* One statement, one row per item: kind 0 the account, 1 a group, 2 a
 * property, 3 an ACL entry (NULL-padded to the account's 21 columns). */
#define N17 ", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
static const char SQL_ACCOUNT_GET_U[] =
	"SELECT 0 AS k, s.id, s.username, s.domain, s.password, s.ha1, a.first_name, a.last_name, a.email,"
	" a.rpid, a.timezone, a.owner, a.customer, a.reseller, a.prepaid, a.quota, a.call_limit,"
	" a.region, a.timeout, a.quickdial_prefix, UNIX_TIMESTAMP(a.create_date),"
	" UNIX_TIMESTAMP(a.change_date)" ACCOUNT_FROM " WHERE s.username = ? AND s.domain = ?" SCOPE_COND("a")
	" UNION ALL SELECT 1, NULL, g.grp, NULL, NULL" N17 " FROM grp g WHERE g.username = ? AND g.domain = ?"
	" UNION ALL SELECT 2, NULL, p.name, p.value, NULL" N17 " FROM subscriber s"
	" JOIN sip_account_property p ON p.subscriber_id = s.id WHERE s.username = ? AND s.domain = ?"
	" UNION ALL SELECT 3, l.seq, l.ip, l.mask, l.tag" N17 " FROM subscriber s"
	" JOIN sip_account_acl l ON l.subscriber_id = s.id WHERE s.username = ? AND s.domain = ?"
	" ORDER BY 1, 3";

static int op_get_account_u(struct raw_conn *c, const struct wl_op *op)
{
	struct rv a[12] = { RS(op->user), RS(op->domain) };
	SCOPE_ADMIN(a, 2);
	for (int i = 6; i < 12; i += 2) {
		a[i] = RS(op->user);
		a[i + 1] = RS(op->domain);
	}
	uint64_t rows = 0;
	if (q(c, SQL_ACCOUNT_GET_U, a, 12, NULL, NULL, &rows, NULL))
		return -1;
	if (rows == 0) {
		snprintf(c->err, sizeof c->err, "no account %s@%s", op->user, op->domain);
		return -1;
	}
	return 0;
}

static int op_get_account_j(struct raw_conn *c, const struct wl_op *op)
{
	struct rv a[6] = { RS(op->user), RS(op->domain) };
	SCOPE_ADMIN(a, 2);
	uint64_t rows = 0;
	if (q(c, SQL_ACCOUNT_GET_J, a, 6, NULL, NULL, &rows, NULL))
		return -1;
	if (rows == 0) {
		snprintf(c->err, sizeof c->err, "no account %s@%s", op->user, op->domain);
		return -1;
	}
	return 0;
}

static int op_get_accounts_j(struct raw_conn *c, const struct wl_op *op)
{
	struct rv a[3] = { RS(op->domain), RI(50), RI(0) };
	if (q(c, SQL_LIST_COUNT_DOMAIN, a, 1, NULL, NULL, NULL, NULL))
		return -1;
	return q(c, SQL_LIST_PAGE_J, a, 3, NULL, NULL, NULL, NULL);
}

/* The database's bare limit: one point SELECT on the unique key, in
 * autocommit mode (no COMMIT round trip). */
static int op_point_select(struct raw_conn *c, const struct wl_op *op)
{
	static const char SQL[] = "SELECT id FROM subscriber WHERE username = ? AND domain = ?";
	struct rv a[2] = { RS(op->user), RS(op->domain) };
	return q(c, SQL, a, 2, NULL, NULL, NULL, NULL);
}

int raw_op(struct raw_conn *c, const struct wl_op *op, const char *group)
{
	int r;
	/* reads run in autocommit mode: ngnprod's reads have no COMMIT round
	 * trip of their own either (db_read, server/core/db.c) */
	int ro = op->kind == WL_POINT_SELECT || op->kind == WL_GET_ACCOUNT_JRO || op->kind == WL_GET_ACCOUNT
		 || op->kind == WL_GET_ACCOUNTS || op->kind == WL_GET_ACCOUNT_URO;
	if (ro != c->autocommit) {
		/* once per connection: a workload runs one kind of operation */
		if (mysql_autocommit(c->my, ro))
			return fail(c, NULL, "autocommit");
		c->autocommit = ro;
	}
	switch (op->kind) {
	case WL_POINT_SELECT:
		return op_point_select(c, op);
	case WL_GET_ACCOUNT_JRO:
		return op_get_account_j(c, op);
	case WL_GET_ACCOUNT:
		return op_get_account(c, op);
	case WL_GET_ACCOUNTS:
		return op_get_accounts(c, op);
	case WL_GET_ACCOUNT_J: r = op_get_account_j(c, op); break;
	case WL_GET_ACCOUNT_U: r = op_get_account_u(c, op); break;
	case WL_GET_ACCOUNT_URO:
		return op_get_account_u(c, op);
	case WL_GET_ACCOUNTS_J: r = op_get_accounts_j(c, op); break;
	case WL_GET_ACCOUNT_C: r = op_get_account(c, op); break;
	case WL_ADD_ACCOUNT:
	case WL_ADD_ACCOUNT_1D: r = op_add_account(c, op); break;
	case WL_UPDATE_ACCOUNT: r = op_update_account(c, op); break;
	case WL_FLIP: r = op_flip(c, op, group); break;
	case WL_BALANCE: case WL_BALANCE_HOT: r = op_add_balance(c, op); break;
	default:
		snprintf(c->err, sizeof c->err, "unknown workload");
		return -1;
	}
	if (r != 0) {
		rollback(c);
		return -1;
	}
	return commit(c);
}
