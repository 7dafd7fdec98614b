/* testdb.h: for integration suites run under tests/lib/with-mariadb.sh. */
#ifndef NGN_TESTDB_H
#define NGN_TESTDB_H
struct db;

/* Opens a struct db on the private MariaDB named by NGN_TEST_DB_* and applies
 * the migrations once per process. Returns NULL (and prints why) when the
 * environment has no test database. */
struct db *testdb_open(void);

/* Empties every ngnprod and Kamailio table (not schema_version). */
void testdb_reset(struct db *db);

/* Runs a plain SQL statement of the test itself (fixtures, checks) and, for
 * a SELECT, returns the first column of the first row as an integer (-1 if
 * none). Aborts the test on error. */
long long testdb_scalar(struct db *db, const char *sql);

/* Runs a plain SQL statement of the test on a new connection whose
 * lock_wait_timeout is 1 second; returns MariaDB's error number (0: done). */
unsigned testdb_try(const char *sql);
#endif
