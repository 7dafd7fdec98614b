/* raw_ops.c: see raw_ops.h.
 *
 * The generic part executes a prepared statement the way server/db.c does
 * (bind parameters, execute, bind result columns as LONGLONG or STRING,
 * fetch row by row, free the result), so the client-side cost per statement
 * is the same as ngnprod's and only the SOAP/HTTP layers differ. The SQL
 * below mirrors server/store_*.c; keep them in step (run.sh reports the
 * statements and commits per operation of both sides). */
#include <mysqld_error.h>
#include <stdio.h>
#include <string.h>
#include "raw_ops.h"

struct rv {
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

/* Executes sql with args; fetches and discards every row (first column of
 * the last row, if an int, into *first_int). Returns 0, or -1 (c->err). */
static int q(struct raw_conn *c, const char *sql, const struct rv *args, unsigned nargs, uint64_t *affected,
	     uint64_t *insert_id, uint64_t *rows, long long *first_int)
{
	struct raw_stmt *s = prepare(c, sql);
	if (s == NULL)
		return -1;
	MYSQL_BIND b[RAW_MAX_COLS];
	long long ints[RAW_MAX_COLS];
	unsigned long lens[RAW_MAX_COLS];
	memset(b, 0, sizeof(MYSQL_BIND) * (nargs ? nargs : 1));
	for (unsigned i = 0; i < nargs; i++) {
		if (args[i].is_int) {
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
			n++;
			if (first_int && s->col_is_int[0] && !c->nulls[0])
				*first_int = c->ints[0];
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

static int todo(struct raw_conn *c)
{
	snprintf(c->err, sizeof c->err, "not written yet");
	return -1;
}

static int op_get_account(struct raw_conn *c, const struct wl_op *op)
{
	static const char SQL[] = "SELECT id, username, domain FROM subscriber WHERE username = ? AND domain = ?";
	struct rv a[2] = { RS(op->user), RS(op->domain) };
	return q(c, SQL, a, 2, NULL, NULL, NULL, NULL);
}

static int op_add_account(struct raw_conn *c, const struct wl_op *op) { (void)op; return todo(c); }
static int op_update_account(struct raw_conn *c, const struct wl_op *op) { (void)op; return todo(c); }
static int op_flip(struct raw_conn *c, const struct wl_op *op, const char *group) { (void)op; (void)group; return todo(c); }
static int op_add_balance(struct raw_conn *c, const struct wl_op *op) { (void)op; return todo(c); }
static int op_get_accounts(struct raw_conn *c, const struct wl_op *op) { (void)op; return todo(c); }

/* The database's bare limit: one point SELECT on the unique key, in the
 * still-open READ COMMITTED transaction (no COMMIT round trip). */
static int op_point_select(struct raw_conn *c, const struct wl_op *op)
{
	static const char SQL[] = "SELECT id FROM subscriber WHERE username = ? AND domain = ?";
	struct rv a[2] = { RS(op->user), RS(op->domain) };
	return q(c, SQL, a, 2, NULL, NULL, NULL, NULL);
}

int raw_op(struct raw_conn *c, const struct wl_op *op, const char *group)
{
	int r;
	switch (op->kind) {
	case WL_POINT_SELECT:
		return op_point_select(c, op);
	case WL_GET_ACCOUNT: r = op_get_account(c, op); break;
	case WL_ADD_ACCOUNT: r = op_add_account(c, op); break;
	case WL_UPDATE_ACCOUNT: r = op_update_account(c, op); break;
	case WL_FLIP: r = op_flip(c, op, group); break;
	case WL_BALANCE: case WL_BALANCE_HOT: r = op_add_balance(c, op); break;
	case WL_GET_ACCOUNTS: r = op_get_accounts(c, op); break;
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
