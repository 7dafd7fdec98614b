/* store-internal.h: helpers shared by the store_*.c modules only. */
#ifndef NGN_STORE_INTERNAL_H
#define NGN_STORE_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include "core/db.h"
#include "store.h"
#include "store_sql.h" /* SCOPE_COND, SCOPE_NARGS and the shared statements */

/* The values of SCOPE_COND (store_sql.h), SCOPE_NARGS of them. */
void store_scope_args(const struct scope *sc, struct db_val *args);

/* Adds the scope's restrictions to a listing (store_query). */
struct query;
void store_scope_query(struct query *q, const struct scope *sc, const char *reseller_eq, const char *customer_eq);

/* Column readers: strings are copied into the arena ("" for NULL; NULL only
 * when out of memory), numbers read from ints or numeric text. */
char *store_col_str(struct arena *a, const struct db_val *v);
int64_t store_col_int(const struct db_val *v);

/* A bound value for an optional member: NULL (SQL NULL) when absent, which
 * the COALESCE(?, column) of an update reads as "unchanged". */
static inline struct db_val opt_str_val(const char *s)
{
	return s ? DB_S(s) : DB_NUL;
}

static inline struct db_val opt_int_val(const struct opt_int *o)
{
	return o->set ? DB_I(o->v) : DB_NUL;
}

/* db_row_fn for "SELECT COUNT(*)": stores the count in *(int64_t *)arg. */
enum ngn_status store_count_row(void *arg, const struct db_val *cols, size_t ncols);

struct query;
/* The common end of every listing, once its filters and scope are in q: the
 * caller's order and range, the statement texts, the total (a COUNT over
 * the filters, into *total), then the page, one row(arg) call a row.
 * Faults 4009 (order, range) in e; the caller zeroes its list first. */
enum ngn_status store_list(struct db *db, struct query *q, const struct list_order *o,
			   const struct list_range *r, int64_t *total, db_row_fn row, void *arg,
			   struct ngn_err *e);

/* Appends one zeroed element to a list kept as (v, n, cap) in the arena.
 * NULL when out of memory. */
void *store_vec_push(struct arena *a, void **v, size_t *n, size_t *cap, size_t elsize);

/* A domain row, locked for the rest of the transaction: the domain and
 * sip_domain rows FOR UPDATE, or in share mode when shared. Every operation
 * that adds a name to a domain or removes the domain holds this lock, so
 * "account names and alias names of a domain are disjoint" and "a deleted
 * domain is empty" are exact under concurrency. addAccount takes it shared
 * (unless it allocates an <autoincrement> name, which writes sip_domain):
 * adds of accounts exclude neither each other (they meet on subscriber's
 * unique key instead) nor need to, while addAlias, updateDomain and
 * deleteDomain take it FOR UPDATE, which excludes them all (S and X
 * conflict). NGN_E_DOMAIN_NOT_FOUND (message in e). */
struct domain_ref {
	uint64_t id;
	int64_t customer, reseller;
	int64_t auto_username;   /* last number handed out for <autoincrement> */
	int64_t now;             /* the database's clock when the row was read (Unix time) */
};
enum ngn_status store_lock_domain(struct db *db, const struct scope *sc, const char *domain, int shared,
				  struct domain_ref *ref, struct ngn_err *e);

/* An account row. lock = 1 takes the subscriber and sip_account rows FOR
 * UPDATE: every change of an account, and of its group membership, holds
 * it, so changes of one account are serialised. lock = 2 takes them in
 * share mode (an alias pointing at it is being written). 0: plain read.
 * NGN_E_ACCOUNT_NOT_FOUND (message in e, naming what as "what"). */
struct account_ref {
	uint64_t sid;
	uint64_t domain_id;
};
enum ngn_status store_find_account(struct db *db, const struct scope *sc, const struct sip_id *id,
				   int lock, const char *what, struct account_ref *ref, struct ngn_err *e);

/* Outbox row for proxy-glue naming the account whose membership changed;
 * written in the transaction of the change. */
enum ngn_status store_proxy_event(struct db *db, const struct sip_id *id);

/* The account's groups, sorted (grp's binary collation: byte order), into
 * out (allocated in a). One statement, an index range in index order. */
enum ngn_status store_groups_load(struct db *db, const struct sip_id *id, struct arena *a, struct str_list *out);

/* Makes the account's groups exactly `groups` (deduplicated). *changed is
 * set when a row was added or removed; a proxy_event row is then written
 * (group invariant G1 in store_group.c). The account must be locked. */
enum ngn_status store_groups_set(struct db *db, const struct sip_id *id, const struct str_list *groups,
				 int *changed);

/* Deletes all group rows of an account (G3), with a proxy_event when there
 * were any; *changed as above. */
enum ngn_status store_groups_drop(struct db *db, const struct sip_id *id, int *changed);

/* Runs body as one transaction (db_txn) and settles res: the error message
 * and policy flag of a failed transaction are not reported. */
enum ngn_status store_txn(struct db *db, db_txn_fn body, void *arg, struct store_res *res);
/* store_txn for a body that only reads (db_read: no COMMIT round trip). */
enum ngn_status store_read(struct db *db, db_txn_fn body, void *arg, struct store_res *res);

#endif
