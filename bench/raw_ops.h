/* raw_ops.h: one MariaDB connection of the raw baseline and the SQL of each
 * benchmark operation (see rawdb.c for why). */
#ifndef BENCH_RAW_OPS_H
#define BENCH_RAW_OPS_H
#include <mysql.h>
#include <stdint.h>
#include "workload.h"

#define RAW_MAX_STMTS 32
#define RAW_MAX_COLS 48

struct raw_stmt {
	const char *sql;       /* a literal of raw_ops.c: the cache key */
	MYSQL_STMT *st;
	unsigned ncols;
	int col_is_int[RAW_MAX_COLS];
};

struct raw_conn {
	MYSQL *my;
	struct raw_stmt stmts[RAW_MAX_STMTS];
	unsigned nstmts;
	int autocommit;        /* the read-only what-ifs and pointSelect run in autocommit mode */
	char err[256];
	char colbuf[RAW_MAX_COLS][1024];
	long long ints[RAW_MAX_COLS];
	unsigned long lens[RAW_MAX_COLS];
	my_bool nulls[RAW_MAX_COLS];
};

int raw_connect(struct raw_conn *c, const char *socket, const char *user, const char *db);
void raw_close(struct raw_conn *c);
/* After a failed op: reconnects if the connection is gone. 0 if usable. */
int raw_reconnect_if_needed(struct raw_conn *c, const char *socket, const char *user, const char *db);
const char *raw_error(const struct raw_conn *c);

/* Runs one operation as ngnprod's store does: its statements, then COMMIT
 * (or ROLLBACK where the store rolls back). 0 on success. */
int raw_op(struct raw_conn *c, const struct wl_op *op, const char *group);

#endif
