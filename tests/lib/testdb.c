/* testdb.c: see testdb.h. Test code only; the statements here are literal
 * fixtures and checks, never built from input. */
#include <check.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/db.h"
#include "core/migrate.h"
#include "testdb.h"

static struct db_cfg cfg;

struct db *testdb_open(void)
{
	const char *sock = getenv("NGN_TEST_DB_SOCKET");
	if (sock == NULL) {
		fprintf(stderr, "NGN_TEST_DB_SOCKET is not set: run under tests/lib/with-mariadb.sh\n");
		return NULL;
	}
	cfg.socket = sock;
	cfg.user = getenv("NGN_TEST_DB_USER") ? getenv("NGN_TEST_DB_USER") : "root";
	cfg.password = "";
	cfg.database = getenv("NGN_TEST_DB_NAME") ? getenv("NGN_TEST_DB_NAME") : "ngnprod";
	cfg.connect_timeout = 5;
	cfg.rw_timeout = 30;
	struct db *db = db_new(&cfg);
	int applied = 0;
	if (db == NULL || migrate_apply(db, &applied) != NGN_OK) {
		fprintf(stderr, "cannot prepare the test database: %s\n", db ? db_error(db) : "no memory");
		return NULL;
	}
	return db;
}

static MYSQL *raw(void)
{
	MYSQL *my = mysql_init(NULL);
	if (!mysql_real_connect(my, "localhost", cfg.user, "", cfg.database, 0, cfg.socket, 0))
		ck_abort_msg("raw connect: %s", mysql_error(my));
	return my;
}

void testdb_reset(struct db *db)
{
	(void)db;
	static const char *const tables[] = {
		"SET FOREIGN_KEY_CHECKS=0", "TRUNCATE sip_account_property", "TRUNCATE sip_account_acl",
		"TRUNCATE sip_account", "TRUNCATE sip_alias", "TRUNCATE sip_domain", "TRUNCATE subscriber",
		"TRUNCATE grp", "TRUNCATE domain", "TRUNCATE dbaliases", "TRUNCATE api_user",
		"TRUNCATE proxy_event", "TRUNCATE proxy_cursor", NULL };
	MYSQL *my = raw();
	for (int i = 0; tables[i]; i++)
		if (mysql_query(my, tables[i]))
			ck_abort_msg("%s: %s", tables[i], mysql_error(my));
	/* tables of later migrations, when present */
	MYSQL_RES *r;
	if (mysql_query(my, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
			    " AND table_name NOT IN ('schema_version','version')") == 0
	    && (r = mysql_store_result(my)) != NULL) {
		MYSQL_ROW row;
		char q[256];
		while ((row = mysql_fetch_row(r)) != NULL) {
			snprintf(q, sizeof q, "TRUNCATE `%s`", row[0]);
			mysql_query(my, q);
		}
		mysql_free_result(r);
	}
	mysql_query(my, "SET FOREIGN_KEY_CHECKS=1");
	mysql_close(my);
}

long long testdb_scalar(struct db *db, const char *sql)
{
	(void)db;
	MYSQL *my = raw();
	if (mysql_query(my, sql))
		ck_abort_msg("%s: %s", sql, mysql_error(my));
	long long v = -1;
	MYSQL_RES *r = mysql_store_result(my);
	if (r) {
		MYSQL_ROW row = mysql_fetch_row(r);
		if (row && row[0])
			v = atoll(row[0]);
		mysql_free_result(r);
	}
	mysql_commit(my);
	mysql_close(my);
	return v;
}

unsigned testdb_try(const char *sql)
{
	MYSQL *my = raw();
	unsigned e = 0;
	if (mysql_query(my, "SET SESSION lock_wait_timeout = 1") || mysql_query(my, sql))
		e = mysql_errno(my);
	MYSQL_RES *r = mysql_store_result(my);
	if (r)
		mysql_free_result(r);
	mysql_commit(my);
	mysql_close(my);
	return e;
}
