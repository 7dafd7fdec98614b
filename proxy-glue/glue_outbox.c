/* glue_outbox.c: every SQL statement of proxy-glue.
 *
 * The outbox (proxy_event) names accounts only; the policy pushed is always
 * read from `grp`, the truth, as an absolute mask of the four policy groups,
 * so replaying any event any number of times is harmless. Each function runs
 * as one short transaction of its own (READ COMMITTED, plain consistent
 * reads): the glue never holds a lock while it talks to a proxy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/db.h"
#include "core/hash.h"
#include "glue-internal.h"

/* the mask of the policy groups among an account's rows (BIT_OR of no row is
 * 0; the CAST keeps the column an integer, COALESCE would make it DECIMAL) */
#define MASK_EXPR \
	"CAST(BIT_OR(CASE g.grp WHEN 'blocked' THEN 1 WHEN 'anonymous' THEN 2" \
	" WHEN 'free-pstn' THEN 4 WHEN 'quota' THEN 8 ELSE 0 END) AS SIGNED)"
#define POLICY_GROUPS "('blocked', 'anonymous', 'free-pstn', 'quota')"

static const char SQL_EVENTS_AFTER[] =
	"SELECT e.id, e.username, e.domain, " MASK_EXPR ","
	" TIMESTAMPDIFF(MICROSECOND, e.created, NOW(6))"
	" FROM proxy_event e LEFT JOIN grp g ON g.username = e.username AND g.domain = e.domain"
	" AND g.grp IN " POLICY_GROUPS
	" WHERE e.id > ? GROUP BY e.id ORDER BY e.id LIMIT ?";
static const char SQL_EVENTS_RANGE[] =
	"SELECT e.id, e.username, e.domain, " MASK_EXPR ","
	" TIMESTAMPDIFF(MICROSECOND, e.created, NOW(6))"
	" FROM proxy_event e LEFT JOIN grp g ON g.username = e.username AND g.domain = e.domain"
	" AND g.grp IN " POLICY_GROUPS
	" WHERE e.id BETWEEN ? AND ? GROUP BY e.id ORDER BY e.id";
static const char SQL_SETTLED[] =
	"SELECT CAST(COALESCE(MAX(id), 0) AS SIGNED) FROM proxy_event"
	" WHERE created < TIMESTAMPADD(MICROSECOND, -?, NOW(6))";
static const char SQL_SNAPSHOT[] =
	"SELECT g.username, g.domain, " MASK_EXPR " FROM grp g"
	" WHERE g.grp IN " POLICY_GROUPS " GROUP BY g.username, g.domain";
static const char SQL_MASK[] =
	"SELECT " MASK_EXPR " FROM grp g WHERE g.username = ? AND g.domain = ?"
	" AND g.grp IN " POLICY_GROUPS;
static const char SQL_CURSOR_LOAD[] =
	"SELECT last_event_id, epoch FROM proxy_cursor WHERE proxy = ?";
static const char SQL_CURSOR_INSERT[] =
	"INSERT INTO proxy_cursor (proxy, last_event_id, epoch, updated) VALUES (?, ?, ?, NOW(6))"
	" ON DUPLICATE KEY UPDATE last_event_id = VALUES(last_event_id), epoch = VALUES(epoch),"
	" updated = VALUES(updated)";
static const char SQL_CURSOR_MOVE[] =
	"UPDATE proxy_cursor SET last_event_id = ?, updated = NOW(6) WHERE proxy = ?";
static const char SQL_CURSOR_TOUCH[] =
	"UPDATE proxy_cursor SET updated = NOW(6) WHERE proxy = ?";
static const char SQL_CURSOR_STALE[] =
	"SELECT proxy, CAST(last_event_id AS SIGNED), TIMESTAMPDIFF(SECOND, updated, NOW(6))"
	" FROM proxy_cursor WHERE updated < TIMESTAMPADD(SECOND, -?, NOW(6)) ORDER BY proxy LIMIT 100";
/* the age is checked again: a glue that touched the row meanwhile keeps it */
static const char SQL_CURSOR_DROP[] =
	"DELETE FROM proxy_cursor WHERE proxy = ? AND updated < TIMESTAMPADD(SECOND, -?, NOW(6))";
static const char SQL_LAG_COUNT[] =
	"SELECT COUNT(*) FROM (SELECT id FROM proxy_event WHERE id > ? LIMIT 1000000) t";
static const char SQL_LAG_AGE[] =
	"SELECT TIMESTAMPDIFF(MICROSECOND, created, NOW(6)) FROM proxy_event WHERE id > ?"
	" ORDER BY id LIMIT 1";
static const char SQL_PRUNE_FLOOR[] =
	"SELECT COUNT(*), CAST(COALESCE(MIN(last_event_id), 0) AS SIGNED) FROM proxy_cursor";
static const char SQL_PRUNE[] =
	"DELETE FROM proxy_event WHERE id <= ? AND created < TIMESTAMPADD(SECOND, -?, NOW(6))"
	" ORDER BY id LIMIT 10000";

/* ---- items ------------------------------------------------------------------ */

void glue_items_clear(struct glue_items *it)
{
	for (size_t i = 0; i < it->n; i++)
		free(it->v[i].key);
	free(it->v);
	memset(it, 0, sizeof *it);
}

int glue_items_add(struct glue_items *it, int64_t id, const char *user, size_t ulen,
		   const char *dom, size_t dlen, int mask, int64_t age_us)
{
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 256;
		struct glue_item *v = realloc(it->v, cap * sizeof *v);
		if (v == NULL)
			return -1;
		it->v = v;
		it->cap = cap;
	}
	char *key = malloc(ulen + dlen + 2);
	if (key == NULL)
		return -1;
	memcpy(key, user, ulen);
	key[ulen] = '@';
	memcpy(key + ulen + 1, dom, dlen);
	key[ulen + dlen + 1] = '\0';
	it->v[it->n++] = (struct glue_item){ id, key, mask, age_us };
	return 0;
}

int glue_items_add_key(struct glue_items *it, const char *key, int mask)
{
	const char *at = strrchr(key, '@');
	if (at != NULL)
		return glue_items_add(it, 0, key, (size_t)(at - key), at + 1, strlen(at + 1), mask, 0);
	/* not an account key at all: kept as is, so that it can be deleted */
	if (glue_items_add(it, 0, "", 0, "", 0, mask, 0))
		return -1;
	char *copy = strdup(key);
	if (copy == NULL)
		return -1;
	free(it->v[it->n - 1].key);
	it->v[it->n - 1].key = copy;
	return 0;
}

void glue_items_dedup(struct glue_items *it)
{
	if (it->n < 2)
		return;
	size_t cap = 1;
	while (cap < it->n * 2)
		cap <<= 1;
	const char **seen = calloc(cap, sizeof *seen);
	if (seen == NULL)
		return; /* pushing duplicates is only slower */
	/* walk backwards: the last item of a key survives, at its own place */
	size_t w = it->n;
	for (size_t i = it->n; i-- > 0;) {
		struct glue_item item = it->v[i];
		size_t h = hash_str(item.key) & (cap - 1);
		int dup = 0;
		while (seen[h]) {
			if (strcmp(seen[h], item.key) == 0) {
				dup = 1;
				break;
			}
			h = (h + 1) & (cap - 1);
		}
		if (dup) {
			free(item.key);
			continue;
		}
		seen[h] = item.key;
		it->v[--w] = item;
	}
	free(seen);
	memmove(it->v, it->v + w, (it->n - w) * sizeof *it->v);
	it->n -= w;
}

/* ---- queries ---------------------------------------------------------------- */

static enum ngn_status event_row(void *arg, const struct db_val *c, size_t n)
{
	struct glue_items *out = arg;
	if (n < 5 || c[0].type != DB_INT || c[1].type != DB_STR || c[2].type != DB_STR
	    || c[3].type != DB_INT)
		return NGN_E_INTERNAL;
	if (glue_items_add(out, c[0].i, c[1].s, c[1].len, c[2].s, c[2].len, (int)c[3].i,
			   c[4].type == DB_INT ? c[4].i : 0))
		return NGN_E_INTERNAL;
	return NGN_OK;
}

struct q_events {
	const char *sql;
	struct db_val args[2];
	struct glue_items *out;
	size_t base;        /* items present before the query (kept on retry) */
};

static void items_truncate(struct glue_items *it, size_t n)
{
	while (it->n > n)
		free(it->v[--it->n].key);
}

static enum ngn_status txn_events(struct db *db, void *arg)
{
	struct q_events *q = arg;
	items_truncate(q->out, q->base);
	return db_query(db, q->sql, q->args, 2, event_row, q->out, NULL);
}

enum ngn_status glue_outbox_read(struct db *db, int64_t after, unsigned limit, struct glue_items *out)
{
	struct q_events q = { SQL_EVENTS_AFTER, { DB_I(after), DB_I(limit) }, out, out->n };
	return db_txn(db, txn_events, &q);
}

enum ngn_status glue_outbox_read_range(struct db *db, int64_t lo, int64_t hi, struct glue_items *out)
{
	struct q_events q = { SQL_EVENTS_RANGE, { DB_I(lo), DB_I(hi) }, out, out->n };
	return db_txn(db, txn_events, &q);
}

struct q_one {
	const char *sql;
	struct db_val args[3];
	size_t nargs;
	struct db_val out[2];
	size_t nout;
	char buf[128];
	int found;
	uint64_t affected;
};

static enum ngn_status txn_one(struct db *db, void *arg)
{
	struct q_one *q = arg;
	return db_query_one(db, q->sql, q->args, q->nargs, q->out, q->nout, q->buf, sizeof q->buf,
			    &q->found);
}

enum ngn_status glue_outbox_settled_id(struct db *db, unsigned grace_ms, int64_t *id)
{
	struct q_one q = { .sql = SQL_SETTLED, .args = { DB_I((int64_t)grace_ms * 1000) }, .nargs = 1,
			   .nout = 1 };
	enum ngn_status st = db_txn(db, txn_one, &q);
	*id = (st == NGN_OK && q.found && q.out[0].type == DB_INT) ? q.out[0].i : 0;
	return st;
}

static enum ngn_status snap_row(void *arg, const struct db_val *c, size_t n)
{
	struct glue_items *out = arg;
	if (n < 3 || c[0].type != DB_STR || c[1].type != DB_STR || c[2].type != DB_INT)
		return NGN_E_INTERNAL;
	if (c[2].i == 0)
		return NGN_OK;
	if (glue_items_add(out, 0, c[0].s, c[0].len, c[1].s, c[1].len, (int)c[2].i, 0))
		return NGN_E_INTERNAL;
	return NGN_OK;
}

static enum ngn_status txn_snapshot(struct db *db, void *arg)
{
	glue_items_clear(arg);
	return db_query(db, SQL_SNAPSHOT, NULL, 0, snap_row, arg, NULL);
}

enum ngn_status glue_outbox_snapshot(struct db *db, struct glue_items *out)
{
	return db_txn(db, txn_snapshot, out);
}

enum ngn_status glue_outbox_mask(struct db *db, const char *key, int *mask)
{
	const char *at = strrchr(key, '@');
	*mask = 0;
	if (at == NULL)
		return NGN_OK; /* not ours: no account has such a key */
	struct q_one q = { .sql = SQL_MASK,
			   .args = { DB_SN(key, (size_t)(at - key)), DB_S(at + 1) },
			   .nargs = 2, .nout = 1 };
	enum ngn_status st = db_txn(db, txn_one, &q);
	if (st == NGN_OK && q.found && q.out[0].type == DB_INT)
		*mask = (int)q.out[0].i;
	return st;
}

enum ngn_status glue_cursor_load(struct db *db, const char *name, int64_t *id, char *epoch,
				 size_t epochsz, int *found)
{
	struct q_one q = { .sql = SQL_CURSOR_LOAD, .args = { DB_S(name) }, .nargs = 1, .nout = 2 };
	enum ngn_status st = db_txn(db, txn_one, &q);
	*found = st == NGN_OK && q.found;
	*id = *found && q.out[0].type == DB_INT ? q.out[0].i : 0;
	if (epoch && epochsz)
		snprintf(epoch, epochsz, "%s", *found && q.out[1].type == DB_STR ? q.out[1].s : "");
	return st;
}

static enum ngn_status txn_exec(struct db *db, void *arg)
{
	struct q_one *q = arg;
	enum ngn_status st = db_exec(db, q->sql, q->args, q->nargs, &q->affected, NULL);
	q->found = q->affected > 0;
	return st;
}

enum ngn_status glue_cursor_save(struct db *db, const char *name, int64_t id, const char *epoch,
				 int *found)
{
	struct q_one q = { .sql = SQL_CURSOR_MOVE, .args = { DB_I(id), DB_S(name) }, .nargs = 2 };
	if (epoch == NULL) {
		enum ngn_status st = db_txn(db, txn_exec, &q);
		if (found)
			*found = st == NGN_OK && q.found; /* `updated` always changes: 1 row when there is one */
		return st;
	}
	q = (struct q_one){ .sql = SQL_CURSOR_INSERT, .args = { DB_S(name), DB_I(id), DB_S(epoch) },
			    .nargs = 3 };
	enum ngn_status st = db_txn(db, txn_exec, &q);
	if (found)
		*found = st == NGN_OK;
	return st;
}

enum ngn_status glue_cursor_touch(struct db *db, const char *name, int *found)
{
	struct q_one q = { .sql = SQL_CURSOR_TOUCH, .args = { DB_S(name) }, .nargs = 1 };
	enum ngn_status st = db_txn(db, txn_exec, &q);
	if (found)
		*found = st == NGN_OK && q.found;
	return st;
}

struct stale_cursor {
	char name[256];
	int64_t id, age_s;
};
struct q_stale {
	struct db_val args[1];
	struct stale_cursor v[100];
	size_t n;
};

static enum ngn_status stale_row(void *arg, const struct db_val *c, size_t n)
{
	struct q_stale *q = arg;
	if (n < 3 || c[0].type != DB_STR || q->n >= sizeof q->v / sizeof q->v[0])
		return NGN_E_INTERNAL;
	struct stale_cursor *sc = &q->v[q->n++];
	snprintf(sc->name, sizeof sc->name, "%.*s", (int)c[0].len, c[0].s);
	sc->id = c[1].type == DB_INT ? c[1].i : 0;
	sc->age_s = c[2].type == DB_INT ? c[2].i : 0;
	return NGN_OK;
}

static enum ngn_status txn_stale(struct db *db, void *arg)
{
	struct q_stale *q = arg;
	q->n = 0;
	return db_query(db, SQL_CURSOR_STALE, q->args, 1, stale_row, q, NULL);
}

enum ngn_status glue_cursor_expire(struct db *db, unsigned expire_s, glue_cursor_dropped_fn dropped,
				   void *arg, uint64_t *n)
{
	if (n)
		*n = 0;
	struct q_stale *q = calloc(1, sizeof *q);
	if (q == NULL)
		return NGN_E_INTERNAL;
	q->args[0] = DB_I(expire_s);
	enum ngn_status st = db_txn(db, txn_stale, q);
	for (size_t i = 0; st == NGN_OK && i < q->n; i++) {
		struct q_one d = { .sql = SQL_CURSOR_DROP, .args = { DB_S(q->v[i].name), DB_I(expire_s) },
				   .nargs = 2 };
		st = db_txn(db, txn_exec, &d);
		if (st != NGN_OK || !d.found)
			continue;
		if (n)
			(*n)++;
		if (dropped)
			dropped(arg, q->v[i].name, q->v[i].id, q->v[i].age_s);
	}
	free(q);
	return st;
}

enum ngn_status glue_outbox_lag(struct db *db, int64_t after, int64_t *count, int64_t *age_us)
{
	struct q_one q = { .sql = SQL_LAG_COUNT, .args = { DB_I(after) }, .nargs = 1, .nout = 1 };
	*count = 0;
	*age_us = 0;
	enum ngn_status st = db_txn(db, txn_one, &q);
	if (st != NGN_OK)
		return st;
	*count = q.found && q.out[0].type == DB_INT ? q.out[0].i : 0;
	if (*count == 0)
		return NGN_OK;
	q = (struct q_one){ .sql = SQL_LAG_AGE, .args = { DB_I(after) }, .nargs = 1, .nout = 1 };
	st = db_txn(db, txn_one, &q);
	*age_us = st == NGN_OK && q.found && q.out[0].type == DB_INT ? q.out[0].i : 0;
	return st;
}

enum ngn_status glue_outbox_prune(struct db *db, unsigned min_age_s, uint64_t *deleted)
{
	struct q_one q = { .sql = SQL_PRUNE_FLOOR, .nout = 2 };
	if (deleted)
		*deleted = 0;
	enum ngn_status st = db_txn(db, txn_one, &q);
	if (st != NGN_OK || !q.found || q.out[0].i == 0)
		return st; /* no cursor at all: nobody has pushed anything yet */
	int64_t floor = q.out[1].i;
	q = (struct q_one){ .sql = SQL_PRUNE, .args = { DB_I(floor), DB_I(min_age_s) }, .nargs = 2 };
	st = db_txn(db, txn_exec, &q);
	if (deleted)
		*deleted = q.affected;
	return st;
}
