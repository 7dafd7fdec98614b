/* store_common.c: what the store modules share: scope conditions, column
 * readers, the domain and account row locks, and the transaction wrapper. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store-internal.h"
#include "store_query.h"

void store_res_init(struct store_res *res)
{
	memset(res, 0, sizeof *res);
}

void store_res_free(struct store_res *res)
{
	arena_free(&res->arena);
}

void store_scope_args(const struct scope *sc, struct db_val *args)
{
	args[0] = DB_I(sc->reseller);
	args[1] = DB_I(sc->reseller);
	args[2] = DB_I(sc->customer);
	args[3] = DB_I(sc->customer);
}

void store_scope_query(struct query *q, const struct scope *sc, const char *reseller_eq, const char *customer_eq)
{
	query_int(q, reseller_eq, sc->reseller);
	query_int(q, customer_eq, sc->customer);
}

char *store_col_str(struct arena *a, const struct db_val *v)
{
	if (v->type == DB_STR)
		return arena_strndup(a, v->s, v->len);
	if (v->type == DB_INT) {
		char buf[32];
		snprintf(buf, sizeof buf, "%" PRId64, v->i);
		return arena_strdup(a, buf);
	}
	return arena_strdup(a, "");
}

int64_t store_col_int(const struct db_val *v)
{
	if (v->type == DB_INT)
		return v->i;
	if (v->type == DB_STR && v->s)
		return strtoll(v->s, NULL, 10);
	return 0;
}

enum ngn_status store_count_row(void *arg, const struct db_val *cols, size_t ncols)
{
	(void)ncols;
	*(int64_t *)arg = store_col_int(&cols[0]);
	return NGN_OK;
}

enum ngn_status store_list(struct db *db, struct query *q, const struct list_order *o,
			   const struct list_range *r, int64_t *total, db_row_fn row, void *arg,
			   struct ngn_err *e)
{
	enum ngn_status st = query_order(q, o, e);
	if (st == NGN_OK)
		st = query_range(q, r, e);
	if (st == NGN_OK)
		st = query_finish(q, e);
	if (st == NGN_OK)
		st = db_query_built(db, q->count_sql, q->args, q->nargs, store_count_row, total, NULL);
	if (st == NGN_OK)
		st = db_query_built(db, q->page_sql, q->args, q->page_nargs, row, arg, NULL);
	return st;
}

void *store_vec_push(struct arena *a, void **v, size_t *n, size_t *cap, size_t elsize)
{
	if (*n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 8;
		void *nv = arena_alloc(a, ncap * elsize);
		if (nv == NULL)
			return NULL;
		if (*n)
			memcpy(nv, *v, *n * elsize);
		*v = nv;
		*cap = ncap;
	}
	void *slot = (char *)*v + *n * elsize;
	memset(slot, 0, elsize);
	(*n)++;
	return slot;
}

enum ngn_status store_lock_domain(struct db *db, const struct scope *sc, const char *domain, int shared,
				  struct domain_ref *ref, struct ngn_err *e)
{
	struct db_val args[1 + SCOPE_NARGS] = { DB_S(domain) };
	store_scope_args(sc, args + 1);
	struct db_val out[5];
	char buf[64];
	int found = 0;
	enum ngn_status st = db_query_one(db, shared ? SQL_LOCK_DOMAIN_SHARE : SQL_LOCK_DOMAIN, args, 1 + SCOPE_NARGS,
					  out, 5, buf, sizeof buf, &found);
	if (st != NGN_OK)
		return st;
	if (!found)
		return err_set(e, NGN_E_DOMAIN_NOT_FOUND, "SIP domain %s does not exist", domain);
	ref->id = (uint64_t)store_col_int(&out[0]);
	ref->customer = store_col_int(&out[1]);
	ref->reseller = store_col_int(&out[2]);
	ref->auto_username = store_col_int(&out[3]);
	ref->now = store_col_int(&out[4]);
	return NGN_OK;
}

enum ngn_status store_find_account(struct db *db, const struct scope *sc, const struct sip_id *id,
				   int lock, const char *what, struct account_ref *ref, struct ngn_err *e)
{
	const char *sql = lock == 1 ? SQL_FIND_ACCOUNT_UPDATE : lock == 2 ? SQL_FIND_ACCOUNT_SHARE
									  : SQL_FIND_ACCOUNT_READ;
	struct db_val args[2 + SCOPE_NARGS] = { DB_S(id->username), DB_S(id->domain) };
	store_scope_args(sc, args + 2);
	struct db_val out[2];
	char buf[64];
	int found = 0;
	enum ngn_status st = db_query_one(db, sql, args, 2 + SCOPE_NARGS, out, 2, buf, sizeof buf, &found);
	if (st != NGN_OK)
		return st;
	if (!found)
		return err_set(e, NGN_E_ACCOUNT_NOT_FOUND, "%s %s@%s does not exist", what ? what : "SIP account",
			       id->username, id->domain);
	ref->sid = (uint64_t)store_col_int(&out[0]);
	ref->domain_id = (uint64_t)store_col_int(&out[1]);
	return NGN_OK;
}

enum ngn_status store_proxy_event(struct db *db, const struct sip_id *id)
{
	struct db_val args[2] = { DB_S(id->username), DB_S(id->domain) };
	return db_exec(db, SQL_PROXY_EVENT, args, 2, NULL, NULL);
}

struct txn_call {
	db_txn_fn body;
	void *arg;
	struct store_res *res;
};

static enum ngn_status txn_attempt(struct db *db, void *arg)
{
	struct txn_call *c = arg;
	/* db_txn may re-run the body: start each attempt from a clean slate */
	c->res->err.msg[0] = '\0';
	c->res->policy_changed = 0;
	return c->body(db, c->arg);
}

static enum ngn_status finish(enum ngn_status st, struct store_res *res)
{
	if (st != NGN_OK) {
		res->policy_changed = 0;
		if (st >= NGN_E_DB_UNAVAILABLE)
			res->err.msg[0] = '\0'; /* the fault table's summary says it best */
	}
	return st;
}

enum ngn_status store_txn(struct db *db, db_txn_fn body, void *arg, struct store_res *res)
{
	struct txn_call c = { body, arg, res };
	return finish(db_txn(db, txn_attempt, &c), res);
}

enum ngn_status store_read(struct db *db, db_txn_fn body, void *arg, struct store_res *res)
{
	struct txn_call c = { body, arg, res };
	return finish(db_read(db, txn_attempt, &c), res);
}
