/* check_db.c: server/core/db.c, server/core/migrate.c and server/core/auth.c against a real
 * private MariaDB (run under tests/lib/with-mariadb.sh, which also provides
 * NGN_TEST_DB_CTL to kill and restart the database). */
#include <check.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/auth.h"
#include "core/clock.h"
#include "core/db.h"
#include "core/migrate.h"
#include "testdb.h"

static struct db *db;

static void setup(void)
{
	db = testdb_open();
	ck_assert_ptr_nonnull(db);
	testdb_reset(db);
	testdb_scalar(db, "CREATE TABLE IF NOT EXISTS t_db (k VARCHAR(64) PRIMARY KEY, n INT NULL, v MEDIUMTEXT NULL)");
	testdb_scalar(db, "DELETE FROM t_db");
}

static void teardown(void)
{
	db_free(db);
	db = NULL;
}

static void db_ctl(const char *what)
{
	char cmd[1024];
	const char *ctl = getenv("NGN_TEST_DB_CTL");
	ck_assert_ptr_nonnull(ctl);
	snprintf(cmd, sizeof cmd, "%s %s", ctl, what);
	ck_assert_int_eq(system(cmd), 0);
}

/* ---- transactions ---------------------------------------------------------- */

static const char SQL_GET_N[] = "SELECT n FROM t_db WHERE k = ?";

static const char SQL_INS[] = "INSERT INTO t_db (k, n, v) VALUES (?, ?, ?)";
static const char SQL_GET[] = "SELECT n, v FROM t_db WHERE k = ?";

struct ins { const char *k; long long n; const char *v; int fail_after; };

static enum ngn_status ins_txn(struct db *d, void *arg)
{
	struct ins *x = arg;
	struct db_val a[3] = { DB_S(x->k), DB_I(x->n), DB_S(x->v) };
	enum ngn_status st = db_exec(d, SQL_INS, a, 3, NULL, NULL);
	if (st == NGN_OK && x->fail_after)
		return NGN_E_INVALID_VALUE; /* a later validation failure */
	return st;
}

START_TEST(commit_and_read_back)
{
	struct ins x = { "a", 42, "hello", 0 };
	ck_assert_int_eq(db_txn(db, ins_txn, &x), NGN_OK);
	ck_assert_int_eq(testdb_scalar(db, "SELECT n FROM t_db WHERE k = 'a'"), 42);
}
END_TEST

static enum ngn_status read_txn(struct db *d, void *arg)
{
	struct db_val a[1] = { DB_S("a") };
	struct db_val out[1];
	char buf[64];
	int found = 0;
	enum ngn_status st = db_query_one(d, SQL_GET_N, a, 1, out, 1, buf, sizeof buf, &found);
	*(long long *)arg = st == NGN_OK && found ? out[0].i : -1;
	return st;
}

/* db_read leaves its transaction open (no COMMIT round trip): it holds
 * t_db's metadata lock, so DDL of another session waits, until db_idle or a
 * write's COMMIT ends it; and reads see every commit (READ COMMITTED). */
START_TEST(reads_stay_open_until_idle_or_the_next_commit)
{
	struct ins x = { "a", 42, "hello", 0 };
	ck_assert_int_eq(db_txn(db, ins_txn, &x), NGN_OK);
	ck_assert_int_eq(db_read_open(db), 0);
	long long n = 0;
	ck_assert_int_eq(db_read(db, read_txn, &n), NGN_OK);
	ck_assert_int_eq(n, 42);
	ck_assert_int_eq(db_read_open(db), 1);
	ck_assert_uint_eq(testdb_try("ALTER TABLE t_db COMMENT = 'read open'"), 1205 /* lock wait timeout */);
	/* another session's commit is seen by the next read on the open transaction */
	testdb_scalar(db, "UPDATE t_db SET n = 43 WHERE k = 'a'");
	ck_assert_int_eq(db_read(db, read_txn, &n), NGN_OK);
	ck_assert_int_eq(n, 43);
	db_idle(db);
	ck_assert_int_eq(db_read_open(db), 0);
	ck_assert_uint_eq(testdb_try("ALTER TABLE t_db COMMENT = 'idle'"), 0);
	/* a write after a read commits both and leaves nothing open */
	ck_assert_int_eq(db_read(db, read_txn, &n), NGN_OK);
	struct ins y = { "b", 7, "x", 0 };
	ck_assert_int_eq(db_txn(db, ins_txn, &y), NGN_OK);
	ck_assert_int_eq(db_read_open(db), 0);
	ck_assert_uint_eq(testdb_try("ALTER TABLE t_db COMMENT = 'after write'"), 0);
	ck_assert_int_eq(testdb_scalar(db, "SELECT n FROM t_db WHERE k = 'b'"), 7);
}
END_TEST

START_TEST(failure_rolls_back_everything)
{
	struct ins x = { "b", 1, "x", 1 };
	ck_assert_int_eq(db_txn(db, ins_txn, &x), NGN_E_INVALID_VALUE);
	ck_assert_int_eq(testdb_scalar(db, "SELECT COUNT(*) FROM t_db"), 0);
}
END_TEST

START_TEST(duplicate_key_is_conflict_1062)
{
	struct ins x = { "c", 1, "x", 0 };
	ck_assert_int_eq(db_txn(db, ins_txn, &x), NGN_OK);
	ck_assert_int_eq(db_txn(db, ins_txn, &x), NGN_E_CONFLICT);
	ck_assert_uint_eq(db_errno(db), 1062);
	ck_assert(db_is_duplicate(db));
}
END_TEST

struct get { const char *k; struct db_val out[2]; char buf[1 << 20]; int found; };

static enum ngn_status get_txn(struct db *d, void *arg)
{
	struct get *g = arg;
	struct db_val a = DB_S(g->k);
	return db_query_one(d, SQL_GET, &a, 1, g->out, 2, g->buf, sizeof g->buf, &g->found);
}

START_TEST(nulls_and_long_values)
{
	static char big[300000];
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	struct ins x = { "big", 7, big, 0 };
	ck_assert_int_eq(db_txn(db, ins_txn, &x), NGN_OK);
	static struct get g;
	g.k = "big";
	ck_assert_int_eq(db_txn(db, get_txn, &g), NGN_OK);
	ck_assert(g.found);
	ck_assert_int_eq(g.out[1].type, DB_STR);
	ck_assert_uint_eq(g.out[1].len, sizeof big - 1);
	ck_assert_int_eq(memcmp(g.out[1].s, big, sizeof big - 1), 0);
	testdb_scalar(db, "INSERT INTO t_db (k) VALUES ('nul')");
	g.k = "nul";
	ck_assert_int_eq(db_txn(db, get_txn, &g), NGN_OK);
	ck_assert_int_eq(g.out[0].type, DB_NULL);
	ck_assert_int_eq(g.out[1].type, DB_NULL);
	g.k = "none";
	ck_assert_int_eq(db_txn(db, get_txn, &g), NGN_OK);
	ck_assert(!g.found);
}
END_TEST

struct count_rows { uint64_t rows; const char *sql; };

static enum ngn_status built_txn(struct db *d, void *arg)
{
	struct count_rows *c = arg;
	struct db_val a = DB_I(0);
	return db_query_built(d, c->sql, &a, 1, NULL, NULL, &c->rows);
}

START_TEST(built_statements_are_cached_by_text)
{
	testdb_scalar(db, "INSERT INTO t_db (k, n) VALUES ('x', 1), ('y', 2)");
	char sql1[128], sql2[128];
	/* two different buffers with the same text: one prepared statement */
	snprintf(sql1, sizeof sql1, "%s", "SELECT k FROM t_db WHERE n > ?");
	snprintf(sql2, sizeof sql2, "%s", "SELECT k FROM t_db WHERE n > ?");
	long long before = testdb_scalar(db, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
					     " WHERE VARIABLE_NAME = 'COM_STMT_PREPARE'");
	struct count_rows c = { 0, sql1 };
	ck_assert_int_eq(db_txn(db, built_txn, &c), NGN_OK);
	ck_assert_uint_eq(c.rows, 2);
	c.sql = sql2;
	ck_assert_int_eq(db_txn(db, built_txn, &c), NGN_OK);
	ck_assert_uint_eq(c.rows, 2);
	long long after = testdb_scalar(db, "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS"
					    " WHERE VARIABLE_NAME = 'COM_STMT_PREPARE'");
	ck_assert_int_eq(after - before, 1);
}
END_TEST

/* 300 distinct statement texts, more than the cache's 256 slots: literals
 * made by the preprocessor ("... AND 100 = 100" to "... AND 399 = 399") */
#define MANY_Q(n) "SELECT k FROM t_db WHERE n > ? AND " #n " = " #n
#define MANY_Q10(n) MANY_Q(n##0), MANY_Q(n##1), MANY_Q(n##2), MANY_Q(n##3), MANY_Q(n##4), \
	MANY_Q(n##5), MANY_Q(n##6), MANY_Q(n##7), MANY_Q(n##8), MANY_Q(n##9)
#define MANY_Q100(n) MANY_Q10(n##0), MANY_Q10(n##1), MANY_Q10(n##2), MANY_Q10(n##3), MANY_Q10(n##4), \
	MANY_Q10(n##5), MANY_Q10(n##6), MANY_Q10(n##7), MANY_Q10(n##8), MANY_Q10(n##9)
static const char *const many_texts[] = { MANY_Q100(1), MANY_Q100(2), MANY_Q100(3) };

START_TEST(a_full_statement_cache_is_flushed_not_fatal)
{
	testdb_scalar(db, "INSERT INTO t_db (k, n) VALUES ('x', 1), ('y', 2)");
	ck_assert_uint_eq(sizeof many_texts / sizeof many_texts[0], 300);
	for (size_t i = 0; i < sizeof many_texts / sizeof many_texts[0]; i++) {
		struct count_rows c = { 0, many_texts[i] };
		ck_assert_int_eq(db_txn(db, built_txn, &c), NGN_OK);
		ck_assert_uint_eq(c.rows, 2);
	}
	struct ins x = { "still", 1, "ok", 0 };
	ck_assert_int_eq(db_txn(db, ins_txn, &x), NGN_OK);
}
END_TEST

/* ---- connection loss ----------------------------------------------------------- */

static enum ngn_status conn_id_txn(struct db *d, void *arg)
{
	struct db_val out;
	char buf[64];
	int found;
	enum ngn_status st = db_query_one(d, "SELECT CONNECTION_ID()", NULL, 0, &out, 1, buf, sizeof buf, &found);
	*(long long *)arg = found ? out.i : -1;
	return st;
}

START_TEST(killed_connection_is_replaced_within_the_call)
{
	long long id = 0;
	ck_assert_int_eq(db_txn(db, conn_id_txn, &id), NGN_OK);
	char q[64];
	snprintf(q, sizeof q, "KILL CONNECTION %lld", id);
	testdb_scalar(db, q);
	long long id2 = 0;
	ck_assert_int_eq(db_txn(db, conn_id_txn, &id2), NGN_OK);
	ck_assert_int_ne(id, id2);
}
END_TEST

START_TEST(database_restart_fails_fast_then_recovers)
{
	long long id = 0;
	ck_assert_int_eq(db_txn(db, conn_id_txn, &id), NGN_OK);
	db_ctl("kill");
	double t0 = clock_mono_sec();
	ck_assert_int_eq(db_txn(db, conn_id_txn, &id), NGN_E_DB_UNAVAILABLE);
	/* while it is down, calls keep failing, quickly */
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(db_txn(db, conn_id_txn, &id), NGN_E_DB_UNAVAILABLE);
	ck_assert_msg(clock_mono_sec() - t0 < 5.0, "calls did not fail fast: %.2fs", clock_mono_sec() - t0);
	db_ctl("start");
	enum ngn_status st = NGN_E_DB_UNAVAILABLE;
	for (int i = 0; i < 50 && st != NGN_OK; i++) {
		st = db_txn(db, conn_id_txn, &id);
		if (st != NGN_OK) {
			struct timespec ts = { 0, 100000000L };
			nanosleep(&ts, NULL);
		}
	}
	ck_assert_int_eq(st, NGN_OK);
	struct ins x = { "after", 1, "x", 0 };
	ck_assert_int_eq(db_txn(db, ins_txn, &x), NGN_OK);
}
END_TEST

/* ---- migrations and logins ------------------------------------------------------- */

START_TEST(migrations_are_applied_once)
{
	int applied = -1;
	ck_assert_int_eq(migrate_apply(db, &applied), NGN_OK);
	ck_assert_int_eq(applied, 0);
	ck_assert_int_ge(testdb_scalar(db, "SELECT COUNT(*) FROM schema_version"), 2);
	ck_assert_int_eq(testdb_scalar(db, "SELECT table_version FROM version WHERE table_name = 'subscriber'"), 7);
}
END_TEST

START_TEST(logins_hash_verify_cache_and_disable)
{
	ck_assert_int_eq(auth_set_login(db, "ops", "correct horse", "admin", 0, 0, 0), NGN_OK);
	ck_assert_int_eq(auth_set_login(db, "ops", "correct horse", "admin", 0, 0, 0), NGN_E_CONFLICT);
	ck_assert_int_eq(auth_set_login(db, "short", "1234567", "admin", 0, 0, 0), NGN_E_INVALID_PASSWORD);
	ck_assert_int_eq(auth_set_login(db, "bad name", "12345678", "admin", 0, 0, 0), NGN_E_INVALID_USERNAME);
	ck_assert_int_eq(auth_set_login(db, "r", "12345678", "emperor", 0, 0, 0), NGN_E_INVALID_VALUE);
	/* stored hashed, never in clear */
	ck_assert_int_eq(testdb_scalar(db, "SELECT COUNT(*) FROM api_user WHERE username = 'ops'"
					   " AND pw_hash LIKE '$y$%' AND pw_hash NOT LIKE '%correct%'"), 1);
	struct auth_cache *c = auth_cache_new(0); /* no positive caching */
	struct scope sc;
	ck_assert_int_eq(auth_check(c, db, "ops", "correct horse", &sc), NGN_OK);
	ck_assert_int_eq(sc.role, ROLE_ADMIN);
	ck_assert_int_eq(auth_check(c, db, "ops", "wrong", &sc), NGN_E_AUTH_FAILED);
	ck_assert_int_eq(auth_check(c, db, "nobody", "x", &sc), NGN_E_AUTH_FAILED);
	ck_assert_int_eq(auth_check(c, db, "", "x", &sc), NGN_E_AUTH_FAILED);
	/* the login name matches exactly: api_user's collation (PAD SPACE)
	 * would find "ops" for "ops " in WHERE username = ?; names that
	 * auth_set_login would never store are refused before any lookup */
	ck_assert_int_eq(auth_check(c, db, "ops ", "correct horse", &sc), NGN_E_AUTH_FAILED);
	ck_assert_int_eq(auth_check(c, db, "ops  ", "correct horse", &sc), NGN_E_AUTH_FAILED);
	ck_assert_int_eq(auth_check(c, db, " ops", "correct horse", &sc), NGN_E_AUTH_FAILED);
	ck_assert_int_eq(auth_check(c, db, "ops\t", "correct horse", &sc), NGN_E_AUTH_FAILED);
	ck_assert_int_eq(auth_check(c, db, "OPS", "correct horse", &sc), NGN_E_AUTH_FAILED);
	ck_assert_int_eq(auth_disable_login(db, "ops ", 1), NGN_E_AUTH_FAILED);
	ck_assert_int_eq(auth_check(c, db, "ops", "correct horse", &sc), NGN_OK);
	ck_assert_int_eq(auth_disable_login(db, "ops", 1), NGN_OK);
	ck_assert_int_eq(auth_check(c, db, "ops", "correct horse", &sc), NGN_E_AUTH_FAILED);
	ck_assert_int_eq(auth_disable_login(db, "ops", 0), NGN_OK);
	ck_assert_int_eq(auth_disable_login(db, "nobody", 1), NGN_E_AUTH_FAILED);
	auth_cache_free(c);

	/* with a TTL, a verified login is served from the cache (the DB row is
	 * not consulted again until it expires) */
	c = auth_cache_new(60);
	ck_assert_int_eq(auth_check(c, db, "ops", "correct horse", &sc), NGN_OK);
	testdb_scalar(db, "UPDATE api_user SET disabled = 1 WHERE username = 'ops'");
	ck_assert_int_eq(auth_check(c, db, "ops", "correct horse", &sc), NGN_OK);
	ck_assert_int_eq(auth_check(c, db, "ops", "another", &sc), NGN_E_AUTH_FAILED);
	ck_assert_int_eq(auth_check(c, db, "ops ", "correct horse", &sc), NGN_E_AUTH_FAILED);
	auth_cache_free(c);
	/* a changed password misses the cache */
	testdb_scalar(db, "UPDATE api_user SET disabled = 0 WHERE username = 'ops'");
	/* a reseller login is bound to reseller record 7 (README, "Customers and logins") */
	ck_assert_int_eq(auth_set_login(db, "ops", "new password", "reseller", 0, 7, 1), NGN_E_CUSTOMER_NOT_FOUND);
	testdb_scalar(db, "INSERT INTO customer (id, reseller, username) VALUES (7, 7, 'reseller7')");
	ck_assert_int_eq(auth_set_login(db, "ops", "new password", "reseller", 0, 7, 1), NGN_OK);
	c = auth_cache_new(60);
	ck_assert_int_eq(auth_check(c, db, "ops", "correct horse", &sc), NGN_E_AUTH_FAILED);
	ck_assert_int_eq(auth_check(c, db, "ops", "new password", &sc), NGN_OK);
	ck_assert_int_eq(sc.role, ROLE_RESELLER);
	ck_assert_uint_eq(sc.reseller, 7);
	auth_cache_free(c);
}
END_TEST

static Suite *db_suite(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("db");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, commit_and_read_back);
	tcase_add_test(tc, failure_rolls_back_everything);
	tcase_add_test(tc, reads_stay_open_until_idle_or_the_next_commit);
	tcase_add_test(tc, duplicate_key_is_conflict_1062);
	tcase_add_test(tc, nulls_and_long_values);
	tcase_add_test(tc, built_statements_are_cached_by_text);
	tcase_add_test(tc, a_full_statement_cache_is_flushed_not_fatal);
	tcase_add_test(tc, killed_connection_is_replaced_within_the_call);
	tcase_add_test(tc, migrations_are_applied_once);
	tcase_add_test(tc, logins_hash_verify_cache_and_disable);
	tcase_add_test(tc, database_restart_fails_fast_then_recovers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	mysql_library_init(0, NULL, NULL);
	SRunner *sr = srunner_create(db_suite());
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	mysql_library_end();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
