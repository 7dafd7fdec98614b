/* migrate.c: schema migrations (see migrate.h).
 *
 * A migration is one file of DDL statements separated by ";" at the end of a
 * line. Files are applied once, in name order, and recorded in schema_version
 * with their name; DDL commits implicitly in MariaDB, so each file is written
 * to be re-runnable (CREATE TABLE IF NOT EXISTS, INSERT IGNORE) in case a
 * crash falls between its last statement and its schema_version row. */
#include <string.h>
#include "db.h"
#include "embed.h"
#include "log.h"
#include "migrate.h"

static const char SQL_CREATE_VERSION[] =
	"CREATE TABLE IF NOT EXISTS schema_version ("
	" name VARCHAR(128) PRIMARY KEY NOT NULL,"
	" applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
static const char SQL_LOCK[] = "SELECT GET_LOCK('ngnprod-migrate', 60)";
static const char SQL_UNLOCK[] = "SELECT RELEASE_LOCK('ngnprod-migrate')";
static const char SQL_SEEN[] = "SELECT 1 FROM schema_version WHERE name = ?";
static const char SQL_RECORD[] = "INSERT IGNORE INTO schema_version (name) VALUES (?)";

static int blank(const char *s, size_t n)
{
	/* only white space and "--" comment lines */
	size_t i = 0;
	while (i < n) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
			i++;
		} else if (i + 1 < n && s[i] == '-' && s[i + 1] == '-') {
			while (i < n && s[i] != '\n')
				i++;
		} else {
			return 0;
		}
	}
	return 1;
}

static enum ngn_status apply_file(struct db *db, const struct embedded_file *f)
{
	const char *p = f->data, *end = f->data + f->len;
	while (p < end) {
		const char *q = p;
		const char *stop = NULL;
		while (q < end) {
			if (*q == ';' && (q + 1 == end || q[1] == '\n' || q[1] == '\r')) {
				stop = q;
				break;
			}
			q++;
		}
		size_t n = (size_t)((stop ? stop : end) - p);
		if (!blank(p, n)) {
			enum ngn_status st = db_exec_script_stmt(db, p, n);
			if (st != NGN_OK) {
				log_error("migration %s failed: %s", f->name, db_error(db));
				return st;
			}
		}
		p = stop ? stop + 1 : end;
	}
	return NGN_OK;
}

enum ngn_status migrate_apply(struct db *db, int *applied)
{
	int count = 0;
	enum ngn_status st = db_exec_script_stmt(db, SQL_CREATE_VERSION, sizeof SQL_CREATE_VERSION - 1);
	if (st != NGN_OK)
		return st;
	struct db_val v[1];
	char buf[64];
	int found;
	st = db_query_one(db, SQL_LOCK, NULL, 0, v, 1, buf, sizeof buf, &found);
	if (st != NGN_OK)
		return st;
	if (!found || v[0].type != DB_INT || v[0].i != 1) {
		log_error("could not take the migration lock");
		return NGN_E_DB;
	}
	for (const struct embedded_file *f = embedded_schema; f->name; f++) {
		struct db_val arg = DB_S(f->name);
		st = db_query_one(db, SQL_SEEN, &arg, 1, v, 1, buf, sizeof buf, &found);
		if (st != NGN_OK)
			break;
		if (found)
			continue;
		log_info("applying schema migration %s", f->name);
		st = apply_file(db, f);
		if (st != NGN_OK)
			break;
		st = db_exec(db, SQL_RECORD, &arg, 1, NULL, NULL);
		if (st == NGN_OK)
			st = db_exec_script_stmt(db, "COMMIT", 6);
		if (st != NGN_OK)
			break;
		count++;
	}
	enum ngn_status st2 = db_query_one(db, SQL_UNLOCK, NULL, 0, v, 1, buf, sizeof buf, &found);
	(void)st2;
	db_exec_script_stmt(db, "COMMIT", 6);
	if (applied)
		*applied = count;
	return st;
}
