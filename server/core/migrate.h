/* migrate.h: applies the numbered schema migrations (schema/NNN_*.sql, compiled
 * into the binary) that the database has not seen yet. */
#ifndef NGN_MIGRATE_H
#define NGN_MIGRATE_H
#include "status.h"

struct db;

/* Applies every pending migration in file-name order, recording each in
 * schema_version. Serialised across processes with GET_LOCK, so several
 * front-ends may start at once. *applied counts the files applied now
 * (may be NULL). */
enum ngn_status migrate_apply(struct db *db, int *applied);

#endif
