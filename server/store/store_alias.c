/* store_alias.c: SIP aliases: Kamailio's `dbaliases` row (alias name ->
 * target account) plus ngnprod's `sip_alias` row (owner, ids, date).
 *
 * Invariants, enforced here:
 *  L1. An alias is never also an account of its domain (A2 in
 *      store_account.c is the other half), checked under the alias domain's
 *      row lock.
 *  L2. An alias points to an existing account: the target row is read in
 *      share mode, so a concurrent deleteAccount (which deletes the aliases
 *      pointing to it) either sees the new alias or makes this one fail.
 *  L3. customer and reseller are the alias domain's (D1 in store_domain.c). */
#include <string.h>
#include "store-internal.h"
#include "store_query.h"

#define ALIAS_COLUMNS \
	"SELECT al.alias_username, al.alias_domain, al.username, al.domain, sa.owner, sa.customer," \
	" sa.reseller, UNIX_TIMESTAMP(sa.change_date)"
#define ALIAS_FROM " FROM dbaliases al JOIN sip_alias sa ON sa.alias_id = al.id"

static const char SQL_ALIAS_GET[] =
	ALIAS_COLUMNS ALIAS_FROM " WHERE al.alias_username = ? AND al.alias_domain = ?" SCOPE_COND("sa");
static const char SQL_ALIAS_LOCK[] =
	"SELECT al.id FROM dbaliases al JOIN sip_alias sa ON sa.alias_id = al.id"
	" WHERE al.alias_username = ? AND al.alias_domain = ?" SCOPE_COND("sa") " FOR UPDATE";
static const char SQL_NAME_IS_ACCOUNT[] = "SELECT 1 FROM subscriber WHERE username = ? AND domain = ?";
static const char SQL_DBALIAS_INSERT[] =
	"INSERT INTO dbaliases (alias_username, alias_domain, username, domain) VALUES (?, ?, ?, ?)";
static const char SQL_SIP_ALIAS_INSERT[] =
	"INSERT INTO sip_alias (alias_id, owner, customer, reseller) VALUES (?, ?, ?, ?)";
static const char SQL_DBALIAS_RETARGET[] = "UPDATE dbaliases SET username = ?, domain = ? WHERE id = ?";
static const char SQL_SIP_ALIAS_UPDATE[] =
	"UPDATE sip_alias SET owner = COALESCE(?, owner), change_date = CURRENT_TIMESTAMP WHERE alias_id = ?";
static const char SQL_ALIAS_DELETE[] = "DELETE FROM dbaliases WHERE id = ?";

static const struct query_sort alias_sorts[] = {
	{ "changeDate", "sa.change_date ASC, al.id ASC", "sa.change_date DESC, al.id DESC", 1 },
	{ "aliasUsername", "al.alias_username ASC, al.alias_domain ASC", "al.alias_username DESC, al.alias_domain DESC", 0 },
	{ "aliasDomain", "al.alias_domain ASC, al.alias_username ASC", "al.alias_domain DESC, al.alias_username DESC", 0 },
	{ "targetUsername", "al.username ASC, al.domain ASC, al.id ASC", "al.username DESC, al.domain DESC, al.id DESC", 0 },
	{ "targetDomain", "al.domain ASC, al.username ASC, al.id ASC", "al.domain DESC, al.username DESC, al.id DESC", 0 },
	{ "owner", "sa.owner ASC, al.id ASC", "sa.owner DESC, al.id DESC", 0 },
	{ NULL, NULL, NULL, 0 },
};

static const struct query_def alias_listing = { ALIAS_COLUMNS, ALIAS_FROM, alias_sorts };

struct alias_op {
	const struct scope *sc;
	const struct alias *al;
	const struct sip_id *id;
	const struct alias_query *q;
	struct alias *out;
	struct alias_list *list;
	struct store_res *res;
};

struct alias_rows {
	struct arena *a;
	struct alias_list *out;
};

static enum ngn_status alias_row(void *arg, const struct db_val *c, size_t ncols)
{
	struct alias_rows *r = arg;
	(void)ncols;
	struct alias *x = store_vec_push(r->a, (void **)&r->out->v, &r->out->n, &r->out->cap, sizeof *x);
	if (x == NULL)
		return NGN_E_INTERNAL;
	x->id.username = store_col_str(r->a, &c[0]);
	x->id.domain = store_col_str(r->a, &c[1]);
	x->target.username = store_col_str(r->a, &c[2]);
	x->target.domain = store_col_str(r->a, &c[3]);
	x->has_target = 1;
	x->owner = (struct opt_int){ 1, store_col_int(&c[4]) };
	x->customer = store_col_int(&c[5]);
	x->reseller = store_col_int(&c[6]);
	x->change_date = store_col_int(&c[7]);
	if (!x->id.username || !x->id.domain || !x->target.username || !x->target.domain)
		return NGN_E_INTERNAL;
	return NGN_OK;
}

static enum ngn_status alias_not_found(struct ngn_err *e, const struct sip_id *id)
{
	return err_set(e, NGN_E_ALIAS_NOT_FOUND, "SIP alias %s@%s does not exist", id->username, id->domain);
}

/* The alias row, locked; NGN_E_ALIAS_NOT_FOUND. */
static enum ngn_status lock_alias(struct db *db, const struct scope *sc, const struct sip_id *id,
				  uint64_t *alias_id, struct ngn_err *e)
{
	struct db_val args[2 + SCOPE_NARGS] = { DB_S(id->username), DB_S(id->domain) };
	store_scope_args(sc, args + 2);
	struct db_val out[1];
	char buf[32];
	int found = 0;
	enum ngn_status st = db_query_one(db, SQL_ALIAS_LOCK, args, 2 + SCOPE_NARGS, out, 1, buf, sizeof buf, &found);
	if (st != NGN_OK)
		return st;
	if (!found)
		return alias_not_found(e, id);
	*alias_id = (uint64_t)store_col_int(&out[0]);
	return NGN_OK;
}

static enum ngn_status add_body(struct db *db, void *arg)
{
	struct alias_op *op = arg;
	const struct alias *al = op->al;
	struct ngn_err *e = &op->res->err;
	struct domain_ref dom;
	enum ngn_status st = store_lock_domain(db, op->sc, al->id.domain, 0, &dom, e);
	if (st != NGN_OK)
		return st;
	struct db_val name[2] = { DB_S(al->id.username), DB_S(al->id.domain) };
	uint64_t rows = 0;
	st = db_query(db, SQL_NAME_IS_ACCOUNT, name, 2, NULL, NULL, &rows); /* L1 */
	if (st != NGN_OK)
		return st;
	if (rows)
		return err_set(e, NGN_E_ALIAS_IS_ACCOUNT, "%s@%s is a SIP account and cannot also be an alias",
			       al->id.username, al->id.domain);
	struct account_ref target;
	st = store_find_account(db, op->sc, &al->target, 2, "Target SIP account", &target, e); /* L2 */
	if (st != NGN_OK)
		return st;
	struct db_val ins[4] = { DB_S(al->id.username), DB_S(al->id.domain), DB_S(al->target.username),
				 DB_S(al->target.domain) };
	uint64_t id = 0;
	st = db_exec(db, SQL_DBALIAS_INSERT, ins, 4, NULL, &id);
	if (st == NGN_E_CONFLICT && db_is_duplicate(db))
		return err_set(e, NGN_E_ALIAS_EXISTS, "SIP alias %s@%s already exists", al->id.username,
			       al->id.domain);
	if (st != NGN_OK)
		return st;
	struct db_val sa[4] = { DB_I(id), DB_I(al->owner.set ? al->owner.v : 0), DB_I(dom.customer),
				DB_I(dom.reseller) }; /* L3 */
	return db_exec(db, SQL_SIP_ALIAS_INSERT, sa, 4, NULL, NULL);
}

static enum ngn_status update_body(struct db *db, void *arg)
{
	struct alias_op *op = arg;
	const struct alias *al = op->al;
	uint64_t id = 0;
	enum ngn_status st = lock_alias(db, op->sc, &al->id, &id, &op->res->err);
	if (st == NGN_OK && al->has_target) {
		struct account_ref target;
		st = store_find_account(db, op->sc, &al->target, 2, "Target SIP account", &target, &op->res->err);
		struct db_val t[3] = { DB_S(al->target.username), DB_S(al->target.domain), DB_I(id) };
		if (st == NGN_OK)
			st = db_exec(db, SQL_DBALIAS_RETARGET, t, 3, NULL, NULL);
	}
	struct db_val u[2] = { opt_int_val(&al->owner), DB_I(id) };
	if (st == NGN_OK)
		st = db_exec(db, SQL_SIP_ALIAS_UPDATE, u, 2, NULL, NULL);
	return st;
}

static enum ngn_status delete_body(struct db *db, void *arg)
{
	struct alias_op *op = arg;
	uint64_t id = 0;
	enum ngn_status st = lock_alias(db, op->sc, op->id, &id, &op->res->err);
	struct db_val d[1] = { DB_I(id) };
	if (st == NGN_OK)
		st = db_exec(db, SQL_ALIAS_DELETE, d, 1, NULL, NULL);
	return st;
}

static enum ngn_status get_body(struct db *db, void *arg)
{
	struct alias_op *op = arg;
	struct db_val args[2 + SCOPE_NARGS] = { DB_S(op->id->username), DB_S(op->id->domain) };
	store_scope_args(op->sc, args + 2);
	struct alias_list l = { 0 };
	struct alias_rows r = { &op->res->arena, &l };
	enum ngn_status st = db_query(db, SQL_ALIAS_GET, args, 2 + SCOPE_NARGS, alias_row, &r, NULL);
	if (st != NGN_OK)
		return st;
	if (l.n == 0)
		return alias_not_found(&op->res->err, op->id);
	*op->out = l.v[0];
	return NGN_OK;
}

static enum ngn_status list_body(struct db *db, void *arg)
{
	struct alias_op *op = arg;
	const struct alias_query *aq = op->q;
	struct query q;
	query_init(&q, &alias_listing);
	query_str(&q, "al.alias_username = ?", "al.alias_username LIKE ?", aq->alias_username);
	query_str(&q, "al.alias_domain = ?", "al.alias_domain LIKE ?", aq->alias_domain);
	query_str(&q, "al.username = ?", "al.username LIKE ?", aq->target_username);
	query_str(&q, "al.domain = ?", "al.domain LIKE ?", aq->target_domain);
	query_int(&q, "sa.owner = ?", aq->owner);
	query_int(&q, "sa.customer = ?", aq->customer);
	query_int(&q, "sa.reseller = ?", aq->reseller);
	store_scope_query(&q, op->sc, "sa.reseller = ?", "sa.customer = ?");
	memset(op->list, 0, sizeof *op->list);
	struct alias_rows r = { &op->res->arena, op->list };
	return store_list(db, &q, &aq->order, &aq->range, &op->list->total, alias_row, &r, &op->res->err);
}

enum ngn_status store_alias_add(struct db *db, const struct scope *sc, const struct alias *al,
				struct store_res *res)
{
	struct alias_op op = { .sc = sc, .al = al, .res = res };
	return store_txn(db, add_body, &op, res);
}

enum ngn_status store_alias_update(struct db *db, const struct scope *sc, const struct alias *al,
				   struct store_res *res)
{
	struct alias_op op = { .sc = sc, .al = al, .res = res };
	return store_txn(db, update_body, &op, res);
}

enum ngn_status store_alias_delete(struct db *db, const struct scope *sc, const struct sip_id *id,
				   struct store_res *res)
{
	struct alias_op op = { .sc = sc, .id = id, .res = res };
	return store_txn(db, delete_body, &op, res);
}

enum ngn_status store_alias_get(struct db *db, const struct scope *sc, const struct sip_id *id,
				struct alias *out, struct store_res *res)
{
	struct alias_op op = { .sc = sc, .id = id, .out = out, .res = res };
	return store_read(db, get_body, &op, res);
}

enum ngn_status store_alias_list(struct db *db, const struct scope *sc, const struct alias_query *q,
				 struct alias_list *out, struct store_res *res)
{
	struct alias_op op = { .sc = sc, .q = q, .list = out, .res = res };
	return store_read(db, list_body, &op, res);
}
