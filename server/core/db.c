/* db.c: MariaDB access for one worker (see db.h for the contract).
 *
 * Invariants:
 *  1. SQL reaches the server only as prepared statements whose text is a
 *     string literal of the program; values travel as bound parameters.
 *  2. autocommit is off; every write ends in COMMIT or ROLLBACK inside db_txn
 *     (a failed COMMIT is followed by a ROLLBACK).
 *     A read (db_read) is left open instead: under READ COMMITTED every
 *     SELECT takes a fresh view and holds no row locks, so its COMMIT only
 *     releases metadata locks, and that round trip (a system call and a
 *     wake-up on both sides, ~18 % of mariadbd's CPU per getAccount) is
 *     deferred to db_idle(), to the next write's COMMIT, or to the next read
 *     once the open one is older than READ_HOLD_MAX. So a DDL statement of
 *     another session waits at most that long for a busy worker.
 *  3. A connection error marks the connection dead and drops every prepared
 *     statement; the next db_txn reconnects, unless the previous attempt
 *     failed less than `backoff` ago, in which case it fails fast.
 *  4. Work is retried only when no statement of it can have taken effect:
 *     a deadlock/lock timeout (the server rolled the transaction back) or a
 *     connection lost during the first statement of the transaction.
 * UPDATE counts matched rows (CLIENT_FOUND_ROWS), so an update that changes
 * nothing still reports that its row exists. */
#include <errno.h>
#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "clock.h"
#include "db.h"
#include "fault_inject.h"
#include "hash.h"
#include "log.h"

#define MAX_STMTS 256
#define MAX_PARAMS 48
#define MAX_COLS 48
#define TXN_RETRIES 5
#define READ_HOLD_MAX 0.2   /* seconds a read may stay uncommitted while busy */

struct stmt_slot {
	const char *sql;
	int owned;              /* sql is our copy (assembled text), not a literal */
	MYSQL_STMT *st;
	unsigned ncols;
	int col_is_int[MAX_COLS];
};

struct colbuf {
	char *buf;
	size_t cap;
};

struct db {
	struct db_cfg cfg;
	MYSQL *my;
	int dead;               /* connection must be re-established */
	double next_attempt;    /* monotonic seconds: no connect before this */
	double backoff;         /* seconds */
	int stmts_in_txn;       /* statements run in the current transaction */
	int lost_first;         /* a live connection was lost during the first statement */
	int read_open;          /* a db_read ended without COMMIT (invariant 2) */
	double read_since;      /* monotonic seconds when it began */
	unsigned last_errno;
	char last_error[256];
	struct stmt_slot slots[MAX_STMTS];
	struct colbuf cols[MAX_COLS];
	char *onebuf;           /* db_query_one scratch */
};

static int is_conn_error(unsigned e)
{
	switch (e) {
	case CR_SERVER_GONE_ERROR: case CR_SERVER_LOST: case CR_CONN_HOST_ERROR:
	case CR_CONNECTION_ERROR: case CR_COMMANDS_OUT_OF_SYNC: case CR_SERVER_LOST_EXTENDED:
	case ER_CONNECTION_KILLED: case ER_SERVER_SHUTDOWN: case ER_QUERY_INTERRUPTED:
	case CR_UNKNOWN_HOST: case 4031 /* ER_CLIENT_INTERACTION_TIMEOUT */:
		return 1;
	default:
		return 0;
	}
}

struct db *db_new(const struct db_cfg *cfg)
{
	struct db *db = calloc(1, sizeof *db);
	if (db == NULL)
		return NULL;
	db->cfg = *cfg;
	db->backoff = 0.1;
	return db;
}

static void flush_statements(struct db *db)
{
	for (size_t i = 0; i < MAX_STMTS; i++) {
		if (db->slots[i].st)
			mysql_stmt_close(db->slots[i].st);
		if (db->slots[i].owned)
			free((char *)db->slots[i].sql);
		memset(&db->slots[i], 0, sizeof db->slots[i]);
	}
}

static void drop_connection(struct db *db)
{
	flush_statements(db);
	if (db->my)
		mysql_close(db->my);
	db->my = NULL;
	db->dead = 1;
	db->read_open = 0;
}

void db_free(struct db *db)
{
	if (db == NULL)
		return;
	drop_connection(db);
	for (size_t i = 0; i < MAX_COLS; i++)
		free(db->cols[i].buf);
	free(db->onebuf);
	free(db);
}

static enum ngn_status fail(struct db *db, unsigned e, const char *msg)
{
	db->last_errno = e;
	snprintf(db->last_error, sizeof db->last_error, "%s", msg ? msg : "");
	if (is_conn_error(e)) {
		/* only a connection that was up: a failed connect is not retried
		 * at once, so the back-off holds while the database is down */
		if (db->stmts_in_txn == 0 && db->my != NULL && !db->dead)
			db->lost_first = 1;
		log_warn("database connection lost (%u: %s)", e, db->last_error);
		drop_connection(db);
		return NGN_E_DB_UNAVAILABLE;
	}
	switch (e) {
	case ER_DUP_ENTRY: case ER_DUP_KEY: case ER_LOCK_DEADLOCK: case ER_LOCK_WAIT_TIMEOUT:
	case ER_NO_REFERENCED_ROW_2: case ER_ROW_IS_REFERENCED_2:
		return NGN_E_CONFLICT;
	default:
		log_error("database error %u: %s", e, db->last_error);
		return NGN_E_DB;
	}
}

enum ngn_status db_connect(struct db *db)
{
	if (db->my && !db->dead)
		return NGN_OK;
	double t = clock_mono_sec();
	if (t < db->next_attempt)
		return NGN_E_DB_UNAVAILABLE;
	drop_connection(db);
	MYSQL *my = mysql_init(NULL);
	if (my == NULL)
		return NGN_E_INTERNAL;
	unsigned ct = db->cfg.connect_timeout ? db->cfg.connect_timeout : 2;
	unsigned rw = db->cfg.rw_timeout ? db->cfg.rw_timeout : 10;
	my_bool off = 0;
	mysql_optionsv(my, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_optionsv(my, MYSQL_OPT_READ_TIMEOUT, &rw);
	mysql_optionsv(my, MYSQL_OPT_WRITE_TIMEOUT, &rw);
	mysql_optionsv(my, MYSQL_OPT_RECONNECT, &off);
	mysql_optionsv(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* two commands: SET TRANSACTION cannot be combined with other variables */
	mysql_optionsv(my, MYSQL_INIT_COMMAND, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
	mysql_optionsv(my, MYSQL_INIT_COMMAND, "SET SESSION time_zone = '+00:00'");
	const char *host = db->cfg.host;
	if (db->cfg.socket && *db->cfg.socket)
		host = "localhost";
	if (!mysql_real_connect(my, host, db->cfg.user, db->cfg.password, db->cfg.database,
				db->cfg.port, db->cfg.socket, CLIENT_FOUND_ROWS)) {
		db->last_errno = mysql_errno(my);
		snprintf(db->last_error, sizeof db->last_error, "%s", mysql_error(my));
		mysql_close(my);
		db->next_attempt = t + db->backoff;
		if (db->backoff < 2.0)
			db->backoff *= 2;
		log_warn("cannot connect to the database (%u: %s)", db->last_errno, db->last_error);
		return NGN_E_DB_UNAVAILABLE;
	}
	mysql_autocommit(my, 0);
	db->my = my;
	db->dead = 0;
	db->backoff = 0.1;
	db->next_attempt = 0;
	return NGN_OK;
}

static struct stmt_slot *prepare(struct db *db, const char *sql, int by_text, enum ngn_status *st)
{
	int retried_after_flush = 0;
again:;
	/* literals are keyed by address, assembled texts by content; probe linearly */
	size_t h = (by_text ? hash_str(sql) : ((uintptr_t)sql >> 3)) % MAX_STMTS;
	for (size_t n = 0; n < MAX_STMTS; n++, h = (h + 1) % MAX_STMTS) {
		struct stmt_slot *s = &db->slots[h];
		if (s->st && (by_text ? (s->owned && strcmp(s->sql, sql) == 0) : s->sql == sql))
			return s;
		if (s->sql == NULL) {
			MYSQL_STMT *ps = mysql_stmt_init(db->my);
			if (ps == NULL) {
				*st = NGN_E_INTERNAL;
				return NULL;
			}
			if (mysql_stmt_prepare(ps, sql, strlen(sql))) {
				*st = fail(db, mysql_stmt_errno(ps), mysql_stmt_error(ps));
				log_error("prepare failed for: %s", sql);
				mysql_stmt_close(ps);
				return NULL;
			}
			s->sql = by_text ? strdup(sql) : sql;
			s->owned = by_text;
			if (s->sql == NULL) {
				mysql_stmt_close(ps);
				*st = NGN_E_INTERNAL;
				return NULL;
			}
			s->st = ps;
			s->ncols = mysql_stmt_field_count(ps);
			if (s->ncols > MAX_COLS) {
				*st = NGN_E_INTERNAL;
				return NULL;
			}
			MYSQL_RES *meta = mysql_stmt_result_metadata(ps);
			if (meta) {
				MYSQL_FIELD *f = mysql_fetch_fields(meta);
				for (unsigned i = 0; i < s->ncols; i++) {
					switch (f[i].type) {
					case MYSQL_TYPE_TINY: case MYSQL_TYPE_SHORT: case MYSQL_TYPE_LONG:
					case MYSQL_TYPE_LONGLONG: case MYSQL_TYPE_INT24: case MYSQL_TYPE_YEAR:
						s->col_is_int[i] = 1;
						break;
					default:
						s->col_is_int[i] = 0;
					}
				}
				mysql_free_result(meta);
			}
			return s;
		}
	}
	/* full (many distinct assembled listings): drop every prepared statement
	 * and start over; they are prepared again as they are used */
	if (!retried_after_flush) {
		log_warn("statement cache full (%d): flushing it", MAX_STMTS);
		flush_statements(db);
		retried_after_flush = 1;
		goto again;
	}
	*st = NGN_E_INTERNAL;
	return NULL;
}

static enum ngn_status run(struct db *db, const char *sql, int by_text, const struct db_val *args,
			   size_t nargs, struct stmt_slot **out)
{
	enum ngn_status st = db_connect(db);
	if (st != NGN_OK)
		return st;
	if (nargs > MAX_PARAMS) {
		log_error("%zu parameters for one statement (at most %d): %.80s", nargs, MAX_PARAMS, sql);
		return NGN_E_INTERNAL;
	}
	struct stmt_slot *s = prepare(db, sql, by_text, &st);
	if (s == NULL)
		return st;
	MYSQL_BIND b[MAX_PARAMS];
	long long ints[MAX_PARAMS];
	unsigned long lens[MAX_PARAMS];
	memset(b, 0, sizeof(MYSQL_BIND) * (nargs ? nargs : 1));
	for (size_t i = 0; i < nargs; i++) {
		switch (args[i].type) {
		case DB_INT:
			ints[i] = args[i].i;
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &ints[i];
			break;
		case DB_STR:
			lens[i] = (unsigned long)args[i].len;
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)(args[i].s ? args[i].s : "");
			b[i].buffer_length = lens[i];
			b[i].length = &lens[i];
			break;
		default:
			b[i].buffer_type = MYSQL_TYPE_NULL;
		}
	}
	if (nargs && mysql_stmt_bind_param(s->st, b))
		return fail(db, mysql_stmt_errno(s->st), mysql_stmt_error(s->st));
	if (FI_FAIL(FI_EXEC))
		return fail(db, ER_UNKNOWN_ERROR, "injected fault: statement execution");
	if (mysql_stmt_execute(s->st))
		return fail(db, mysql_stmt_errno(s->st), mysql_stmt_error(s->st));
	db->stmts_in_txn++;
	*out = s;
	return NGN_OK;
}

enum ngn_status db_exec(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
			uint64_t *affected, uint64_t *insert_id)
{
	struct stmt_slot *s = NULL;
	enum ngn_status st = run(db, sql, 0, args, nargs, &s);
	if (st != NGN_OK)
		return st;
	if (affected)
		*affected = mysql_stmt_affected_rows(s->st);
	if (insert_id)
		*insert_id = mysql_stmt_insert_id(s->st);
	return NGN_OK;
}

static int grow(struct colbuf *c, size_t need)
{
	if (c->cap >= need)
		return 0;
	if (FI_FAIL(FI_ALLOC))
		return -1;
	size_t cap = c->cap ? c->cap : 256;
	while (cap < need)
		cap *= 2;
	char *p = realloc(c->buf, cap);
	if (p == NULL)
		return -1;
	c->buf = p;
	c->cap = cap;
	return 0;
}

static enum ngn_status run_query(struct db *db, const char *sql, int by_text, const struct db_val *args,
				 size_t nargs, db_row_fn row, void *arg, uint64_t *rows)
{
	struct stmt_slot *s = NULL;
	enum ngn_status st = run(db, sql, by_text, args, nargs, &s);
	if (rows)
		*rows = 0;
	if (st != NGN_OK)
		return st;
	unsigned n = s->ncols;
	MYSQL_BIND b[MAX_COLS];
	long long ints[MAX_COLS];
	unsigned long lens[MAX_COLS];
	my_bool nulls[MAX_COLS];
	memset(b, 0, sizeof(MYSQL_BIND) * (n ? n : 1));
	for (unsigned i = 0; i < n; i++) {
		b[i].is_null = &nulls[i];
		b[i].length = &lens[i];
		if (s->col_is_int[i]) {
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &ints[i];
		} else {
			if (grow(&db->cols[i], 256)) {
				mysql_stmt_free_result(s->st);
				return NGN_E_INTERNAL;
			}
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = db->cols[i].buf;
			b[i].buffer_length = db->cols[i].cap - 1;
		}
	}
	if (n && mysql_stmt_bind_result(s->st, b)) {
		st = fail(db, mysql_stmt_errno(s->st), mysql_stmt_error(s->st));
		mysql_stmt_free_result(s->st);
		return st;
	}
	struct db_val vals[MAX_COLS];
	uint64_t count = 0;
	for (;;) {
		int r = mysql_stmt_fetch(s->st);
		if (r == MYSQL_NO_DATA)
			break;
		if (r == 1) {
			st = fail(db, mysql_stmt_errno(s->st), mysql_stmt_error(s->st));
			if (db->my)
				mysql_stmt_free_result(s->st);
			return st;
		}
		for (unsigned i = 0; i < n; i++) {
			if (nulls[i]) {
				vals[i] = DB_NUL;
				continue;
			}
			if (s->col_is_int[i]) {
				vals[i] = DB_I(ints[i]);
				continue;
			}
			if (lens[i] >= db->cols[i].cap) {
				/* truncated: fetch the whole column into a larger buffer */
				if (grow(&db->cols[i], lens[i] + 1)) {
					mysql_stmt_free_result(s->st);
					return NGN_E_INTERNAL;
				}
				MYSQL_BIND one;
				memset(&one, 0, sizeof one);
				one.buffer_type = MYSQL_TYPE_STRING;
				one.buffer = db->cols[i].buf;
				one.buffer_length = db->cols[i].cap - 1;
				unsigned long l2 = 0;
				one.length = &l2;
				if (mysql_stmt_fetch_column(s->st, &one, i, 0)) {
					st = fail(db, mysql_stmt_errno(s->st), mysql_stmt_error(s->st));
					if (db->my)
						mysql_stmt_free_result(s->st);
					return st;
				}
				/* rebind so the next row uses the larger buffer */
				b[i].buffer = db->cols[i].buf;
				b[i].buffer_length = db->cols[i].cap - 1;
				mysql_stmt_bind_result(s->st, b);
			}
			db->cols[i].buf[lens[i]] = '\0';
			vals[i] = DB_SN(db->cols[i].buf, lens[i]);
		}
		count++;
		if (row) {
			st = row(arg, vals, n);
			if (st != NGN_OK) {
				mysql_stmt_free_result(s->st);
				if (rows)
					*rows = count;
				return st;
			}
		}
	}
	mysql_stmt_free_result(s->st);
	if (rows)
		*rows = count;
	return NGN_OK;
}

enum ngn_status db_query(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
			 db_row_fn row, void *arg, uint64_t *rows)
{
	return run_query(db, sql, 0, args, nargs, row, arg, rows);
}

enum ngn_status db_query_built(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
			       db_row_fn row, void *arg, uint64_t *rows)
{
	return run_query(db, sql, 1, args, nargs, row, arg, rows);
}

struct one_ctx {
	struct db_val *out;
	size_t ncols;
	char *buf;
	size_t bufsz;
	int found;
};

static enum ngn_status one_row(void *arg, const struct db_val *cols, size_t ncols)
{
	struct one_ctx *c = arg;
	if (c->found)
		return NGN_OK;
	c->found = 1;
	size_t used = 0;
	for (size_t i = 0; i < c->ncols && i < ncols; i++) {
		c->out[i] = cols[i];
		if (cols[i].type == DB_STR) {
			if (used + cols[i].len + 1 > c->bufsz)
				return NGN_E_INTERNAL;
			memcpy(c->buf + used, cols[i].s, cols[i].len);
			c->buf[used + cols[i].len] = '\0';
			c->out[i].s = c->buf + used;
			used += cols[i].len + 1;
		}
	}
	return NGN_OK;
}

enum ngn_status db_query_one(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
			     struct db_val *out, size_t ncols, char *buf, size_t bufsz, int *found)
{
	struct one_ctx c = { out, ncols, buf, bufsz, 0 };
	for (size_t i = 0; i < ncols; i++)
		out[i] = DB_NUL;
	enum ngn_status st = db_query(db, sql, args, nargs, one_row, &c, NULL);
	*found = c.found;
	return st;
}

static int retryable(const struct db *db)
{
	return db->last_errno == ER_LOCK_DEADLOCK || db->last_errno == ER_LOCK_WAIT_TIMEOUT;
}

/* The body of db_txn and db_read: commit = 0 leaves a successful read open. */
static enum ngn_status txn(struct db *db, db_txn_fn fn, void *arg, int commit)
{
	int reconnected = 0;
	for (int attempt = 0;; attempt++) {
		db->stmts_in_txn = 0;
		db->lost_first = 0;
		db->last_errno = 0;
		enum ngn_status st = fn(db, arg);
		if (st == NGN_OK && !commit) {
			if (db->my == NULL || db->dead)
				return NGN_E_DB_UNAVAILABLE;
			if (!db->read_open) {
				db->read_open = 1;
				db->read_since = clock_mono_sec();
			}
			return NGN_OK;
		}
		if (st == NGN_OK) {
			if (db->my == NULL || db->dead)
				return NGN_E_DB_UNAVAILABLE;
			db->read_open = 0;
			int injected = FI_FAIL(FI_COMMIT);
			if (injected || mysql_commit(db->my)) {
				unsigned e = injected ? ER_UNKNOWN_ERROR : mysql_errno(db->my);
				st = fail(db, e, injected ? "injected fault: COMMIT" : mysql_error(db->my));
				/* a failed COMMIT may leave the transaction open: roll
				 * it back, or the next COMMIT on this connection would
				 * write what this one reported as failed */
				if (db->my && !db->dead)
					mysql_rollback(db->my);
				if (st == NGN_E_CONFLICT && retryable(db) && attempt < TXN_RETRIES)
					continue;
				return st;
			}
			return NGN_OK;
		}
		db->read_open = 0;
		if (db->my && !db->dead)
			mysql_rollback(db->my);
		if (st == NGN_E_DB_UNAVAILABLE && db->lost_first && !reconnected) {
			/* nothing ran: reconnect once now instead of failing the call */
			reconnected = 1;
			db->next_attempt = 0;
			if (db_connect(db) == NGN_OK)
				continue;
			return NGN_E_DB_UNAVAILABLE;
		}
		if (st == NGN_E_CONFLICT && retryable(db) && attempt < TXN_RETRIES) {
			struct timespec ts = { 0, (long)(1000000L * (1 + rand() % 5)) };
			nanosleep(&ts, NULL);
			continue;
		}
		return st;
	}
}

enum ngn_status db_txn(struct db *db, db_txn_fn fn, void *arg)
{
	return txn(db, fn, arg, 1);
}

enum ngn_status db_read(struct db *db, db_txn_fn fn, void *arg)
{
	if (db->read_open && clock_mono_sec() - db->read_since > READ_HOLD_MAX)
		db_idle(db);
	return txn(db, fn, arg, 0);
}

int db_read_open(const struct db *db)
{
	return db->read_open;
}

void db_idle(struct db *db)
{
	if (!db->read_open)
		return;
	db->read_open = 0;
	if (db->my && !db->dead && mysql_commit(db->my))
		(void)fail(db, mysql_errno(db->my), mysql_error(db->my));
}

unsigned db_errno(const struct db *db)
{
	return db->last_errno;
}

const char *db_error(const struct db *db)
{
	return db->last_error;
}

int db_is_duplicate(const struct db *db)
{
	return db->last_errno == ER_DUP_ENTRY;
}

enum ngn_status db_exec_script_stmt(struct db *db, const char *sql, size_t len)
{
	enum ngn_status st = db_connect(db);
	if (st != NGN_OK)
		return st;
	if (mysql_real_query(db->my, sql, (unsigned long)len))
		return fail(db, mysql_errno(db->my), mysql_error(db->my));
	MYSQL_RES *r = mysql_store_result(db->my);
	if (r)
		mysql_free_result(r);
	return NGN_OK;
}
