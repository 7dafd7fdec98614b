/* db.h: one MariaDB connection per worker, prepared statements only.
 *
 * Contract for the store_*.c modules:
 *  - SQL is a static string literal; db keeps one prepared statement per
 *    distinct SQL text (keyed by the text) and re-prepares after a reconnect.
 *  - Parameters and result columns go through struct db_val, never through
 *    SQL text. There is no function that formats SQL.
 *  - Every operation runs inside db_txn() (or db_read() when it only
 *    reads), which commits, rolls back on error, retries a deadlock or a
 *    lost connection before the first write, and maps MariaDB errors to
 *    enum ngn_status.
 *  - While the database is down, db_txn fails fast with NGN_E_DB_UNAVAILABLE
 *    (reconnects are attempted with backoff, never more than one connect
 *    timeout per call) and the worker reconnects by itself once it is back.
 * A struct db is used by one thread at a time. */
#ifndef NGN_DB_H
#define NGN_DB_H
#include <stddef.h>
#include <stdint.h>
#include "status.h"

struct db;

struct db_cfg {
	const char *host;      /* NULL or "localhost" with socket: unix socket */
	unsigned port;
	const char *socket;
	const char *user;
	const char *password;
	const char *database;
	unsigned connect_timeout; /* seconds */
	unsigned rw_timeout;      /* seconds, read and write */
};

enum db_type { DB_NULL = 0, DB_INT, DB_STR };

/* A parameter or a result column. For parameters, set type and i or s/len.
 * For results, db fills type (DB_NULL for SQL NULL), i, and s/len; a result
 * string stays valid until the next db call on the same struct db. */
struct db_val {
	enum db_type type;
	int64_t i;
	const char *s;
	size_t len;
};

#define DB_I(v)  ((struct db_val){ .type = DB_INT, .i = (int64_t)(v) })
#define DB_S(v)  db_str(v)
#define DB_SN(v, n) ((struct db_val){ .type = DB_STR, .s = (v), .len = (n) })
#define DB_NUL   ((struct db_val){ .type = DB_NULL })

static inline struct db_val db_str(const char *s)
{
	struct db_val v = { .type = s ? DB_STR : DB_NULL, .s = s, .len = 0 };
	if (s)
		for (const char *p = s; *p; p++)
			v.len++;
	return v;
}

/* Creates an unconnected handle (connects lazily). NULL on out of memory. */
struct db *db_new(const struct db_cfg *cfg);
void db_free(struct db *db);

/* Runs fn(db, arg) as one transaction: commit if it returns NGN_OK, roll back
 * otherwise. Deadlocks and lock-wait timeouts are retried (up to 5 times,
 * fn must be safe to re-run from scratch); a connection lost before the first
 * statement is reconnected and retried. Returns fn's status or a DB status. */
typedef enum ngn_status (*db_txn_fn)(struct db *db, void *arg);
enum ngn_status db_txn(struct db *db, db_txn_fn fn, void *arg);

/* Like db_txn for a body that only reads (no locking reads, no writes): on
 * success there is no COMMIT round trip; the transaction is left open and
 * ended by db_idle(), by the next db_txn's COMMIT, or by the next db_read
 * when it is older than a fraction of a second (see db.c, invariant 2).
 * Failures roll back as in db_txn. */
enum ngn_status db_read(struct db *db, db_txn_fn fn, void *arg);

/* Commits a read left open by db_read, if any. Call it when the thread has
 * nothing else to do, so no metadata lock outlives the work. */
void db_idle(struct db *db);

/* Whether a read is left open (db_idle has something to do). */
int db_read_open(const struct db *db);

/* Executes a statement that returns no rows. affected/insert_id may be NULL.
 * Duplicate keys return NGN_E_CONFLICT; callers that expect one map it
 * (per statement) to their own status. */
enum ngn_status db_exec(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
			uint64_t *affected, uint64_t *insert_id);

/* Runs a SELECT and calls row(arg, cols, ncols) once per row (cols valid only
 * during the call); row returns NGN_OK to go on, anything else stops and is
 * returned. ncols is the number of result columns. row may be NULL; rows
 * receives the number of rows seen (may be NULL). */
typedef enum ngn_status (*db_row_fn)(void *arg, const struct db_val *cols, size_t ncols);
enum ngn_status db_query(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
			 db_row_fn row, void *arg, uint64_t *rows);

/* Like db_query for SQL assembled at run time from fixed fragments of the
 * program (listing filters, sort keys): never from input, whose values are
 * always bound parameters. Statements are cached by their text. */
enum ngn_status db_query_built(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
			       db_row_fn row, void *arg, uint64_t *rows);

/* Convenience for single-row lookups: copies at most ncols columns of the
 * first row into out (strings copied into buf of size bufsz, NUL-ended).
 * Returns NGN_OK and *found = 1/0. */
enum ngn_status db_query_one(struct db *db, const char *sql, const struct db_val *args, size_t nargs,
			     struct db_val *out, size_t ncols, char *buf, size_t bufsz, int *found);

/* MariaDB error number of the last failure (0 if none), and its text. */
unsigned db_errno(const struct db *db);
const char *db_error(const struct db *db);
/* Whether the last failure was a duplicate key (ER_DUP_ENTRY), the one
 * NGN_E_CONFLICT a store turns into its own "already exists" status. */
int db_is_duplicate(const struct db *db);

/* Runs plain SQL text that is part of the program (schema migrations only). */
enum ngn_status db_exec_script_stmt(struct db *db, const char *sql, size_t len);

/* Ensures a live connection (used at start-up and by health checks). */
enum ngn_status db_connect(struct db *db);

#endif
