/* store_group.c: group membership in Kamailio's grp table (username, domain,
 * grp), which the proxies read, and the outbox that tells proxy-glue.
 *
 * Group invariants, enforced here:
 *  G1. Every transaction that adds or removes a grp row also writes one
 *      proxy_event row naming the account, so proxy-glue sees every change
 *      in commit order; a request that changes nothing writes no event.
 *  G2. Membership of one account changes only while its subscriber row is
 *      locked (store_find_account with lock = 1): concurrent addToGroup,
 *      removeFromGroup and updateAccount on one account are serialised, and
 *      a replace (updateAccount groups) is exact.
 *  G3. grp has no foreign key: deleting an account deletes its grp rows in
 *      the same transaction (store_groups_drop), with an event if any.
 * A membership change also moves the account's changeDate. */
#include <string.h>
#include "store-internal.h"

static const char SQL_GROUP_DELETE_ALL[] =
	"DELETE FROM grp WHERE username = ? AND domain = ?";

struct groups_row {
	struct arena *a;
	struct str_list *out;
};

static enum ngn_status group_row(void *arg, const struct db_val *cols, size_t ncols)
{
	struct groups_row *g = arg;
	(void)ncols;
	char **slot = store_vec_push(g->a, (void **)&g->out->v, &g->out->n, &g->out->cap, sizeof *slot);
	if (slot == NULL || (*slot = store_col_str(g->a, &cols[0])) == NULL)
		return NGN_E_INTERNAL;
	return NGN_OK;
}

enum ngn_status store_groups_load(struct db *db, const struct sip_id *id, struct arena *a, struct str_list *out)
{
	struct db_val args[2] = { DB_S(id->username), DB_S(id->domain) };
	struct groups_row g = { a, out };
	memset(out, 0, sizeof *out);
	return db_query(db, SQL_GROUPS_OF, args, 2, group_row, &g, NULL);
}

static int in_list(const struct str_list *l, size_t upto, const char *s)
{
	for (size_t i = 0; i < upto; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

enum ngn_status store_groups_set(struct db *db, const struct sip_id *id, const struct str_list *groups,
				 int *changed)
{
	struct arena a = ARENA_INIT;
	struct str_list cur;
	*changed = 0;
	enum ngn_status st = store_groups_load(db, id, &a, &cur);
	for (size_t i = 0; st == NGN_OK && i < cur.n; i++) {
		if (groups && in_list(groups, groups->n, cur.v[i]))
			continue;
		struct db_val args[3] = { DB_S(id->username), DB_S(id->domain), DB_S(cur.v[i]) };
		st = db_exec(db, SQL_GROUP_DELETE, args, 3, NULL, NULL);
		*changed = 1;
	}
	for (size_t i = 0; st == NGN_OK && groups && i < groups->n; i++) {
		if (in_list(&cur, cur.n, groups->v[i]) || in_list(groups, i, groups->v[i]))
			continue; /* kept, or listed twice */
		struct db_val args[3] = { DB_S(id->username), DB_S(id->domain), DB_S(groups->v[i]) };
		st = db_exec(db, SQL_GROUP_INSERT, args, 3, NULL, NULL);
		*changed = 1;
	}
	arena_free(&a);
	if (st == NGN_OK && *changed)
		st = store_proxy_event(db, id);
	return st;
}

enum ngn_status store_groups_drop(struct db *db, const struct sip_id *id, int *changed)
{
	struct db_val args[2] = { DB_S(id->username), DB_S(id->domain) };
	uint64_t n = 0;
	*changed = 0;
	enum ngn_status st = db_exec(db, SQL_GROUP_DELETE_ALL, args, 2, &n, NULL);
	if (st == NGN_OK && n > 0) {
		*changed = 1;
		st = store_proxy_event(db, id);
	}
	return st;
}

struct group_op {
	const struct scope *sc;
	const struct sip_id *id;
	const char *group;
	struct str_list *out;
	struct store_res *res;
};

static enum ngn_status touch(struct db *db, uint64_t sid)
{
	struct db_val args[1] = { DB_I(sid) };
	return db_exec(db, SQL_ACCOUNT_TOUCH, args, 1, NULL, NULL);
}

/* After a membership row changed: the outbox row for proxy-glue and the
 * account's changeDate, in the same transaction; glue is nudged after commit. */
static enum ngn_status membership_changed(struct db *db, struct group_op *op, uint64_t sid)
{
	enum ngn_status st = store_proxy_event(db, op->id);
	if (st == NGN_OK)
		st = touch(db, sid);
	if (st == NGN_OK)
		op->res->policy_changed = 1;
	return st;
}

static enum ngn_status add_body(struct db *db, void *arg)
{
	struct group_op *op = arg;
	struct account_ref ref = { 0 };
	enum ngn_status st = store_find_account(db, op->sc, op->id, 1, NULL, &ref, &op->res->err);
	if (st != NGN_OK)
		return st;
	struct db_val args[3] = { DB_S(op->id->username), DB_S(op->id->domain), DB_S(op->group) };
	uint64_t rows = 0;
	st = db_query(db, SQL_GROUP_HAS, args, 3, NULL, NULL, &rows);
	if (st != NGN_OK || rows > 0)
		return st; /* already a member: idempotent, nothing written */
	st = db_exec(db, SQL_GROUP_INSERT, args, 3, NULL, NULL);
	if (st == NGN_E_CONFLICT && db_is_duplicate(db))
		return NGN_OK; /* written by someone outside ngnprod meanwhile */
	return st == NGN_OK ? membership_changed(db, op, ref.sid) : st;
}

static enum ngn_status remove_body(struct db *db, void *arg)
{
	struct group_op *op = arg;
	struct account_ref ref = { 0 };
	enum ngn_status st = store_find_account(db, op->sc, op->id, 1, NULL, &ref, &op->res->err);
	if (st != NGN_OK)
		return st;
	struct db_val args[3] = { DB_S(op->id->username), DB_S(op->id->domain), DB_S(op->group) };
	uint64_t n = 0;
	st = db_exec(db, SQL_GROUP_DELETE, args, 3, &n, NULL);
	if (st != NGN_OK)
		return st;
	if (n == 0)
		return err_set(&op->res->err, NGN_E_NOT_IN_GROUP, "SIP account %s@%s is not in group %s",
			       op->id->username, op->id->domain, op->group);
	return membership_changed(db, op, ref.sid);
}

static enum ngn_status list_body(struct db *db, void *arg)
{
	struct group_op *op = arg;
	struct account_ref ref = { 0 };
	enum ngn_status st = store_find_account(db, op->sc, op->id, 0, NULL, &ref, &op->res->err);
	if (st != NGN_OK)
		return st;
	return store_groups_load(db, op->id, &op->res->arena, op->out);
}

enum ngn_status store_group_add(struct db *db, const struct scope *sc, const struct sip_id *id,
				const char *group, struct store_res *res)
{
	struct group_op op = { sc, id, group, NULL, res };
	return store_txn(db, add_body, &op, res);
}

enum ngn_status store_group_remove(struct db *db, const struct scope *sc, const struct sip_id *id,
				   const char *group, struct store_res *res)
{
	struct group_op op = { sc, id, group, NULL, res };
	return store_txn(db, remove_body, &op, res);
}

enum ngn_status store_group_list(struct db *db, const struct scope *sc, const struct sip_id *id,
				 struct str_list *out, struct store_res *res)
{
	struct group_op op = { sc, id, NULL, out, res };
	return store_read(db, list_body, &op, res);
}
