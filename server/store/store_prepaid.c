/* store_prepaid.c: prepaid balances and their history (see store_prepaid.h).
 *
 * This file owns every write to prepaid_balance and prepaid_history. The
 * money invariants, and where each is enforced:
 *
 *  M1. Money is an integer number of minor units (1/10000, money_t, BIGINT
 *      columns). No floating point stands between the client's text
 *      (money_parse) and the database, or back (money_format).
 *  M2. Every balance is within [0, MONEY_BALANCE_MAX] and every single change
 *      is non-zero with |value| <= MONEY_AMOUNT_MAX (money_amount_check, the
 *      one copy of the rule): checked in store_prepaid_txn_change before any
 *      write, so the sum cannot overflow; the tables' CHECK constraints are
 *      a backstop, not the mechanism.
 *  M3. A balance changes only in store_prepaid_txn_change, which reads it
 *      with SELECT ... FOR UPDATE (lock_balance) and writes the new value and
 *      the change's history row in the SAME transaction, after the lock is
 *      held. Commit makes both durable, rollback neither: there is no
 *      acknowledged change without its history row and no history row
 *      without its change.
 *  M4. Per account the row lock serialises the changes, and the history id
 *      is allocated while it is held, so in id order each history row's
 *      balance equals the previous row's balance plus its value (starting
 *      from 0), and ORDER BY id DESC is newest first.
 *  M5. A change is validated (account exists, is prepaid, amount, new balance
 *      range, description) before its first write; a refused change writes
 *      nothing. The balance row a first change creates (ensure_balance) is
 *      rolled back with it.
 *  M6. History rows are never updated or deleted here; they go only with
 *      their account (ON DELETE CASCADE). Turning prepaid off keeps the
 *      balance row and the history.
 *  M7. A prepaid card is spent by one conditional UPDATE in the same
 *      transaction as its credit (store_voucher.c), so it is credited at most
 *      once and never spent without being credited.
 *
 *  M8. Every lookup of an account by name carries the caller's scope
 *      (SCOPE_COND in SQL_PREPAID_FIND and SQL_STATUS): an account outside
 *      it is not found, with the message of a missing one, so a narrowed
 *      login can neither read, change nor top up a foreign balance, nor
 *      tell a foreign account from a missing one.
 *
 * Locking: one balance row per transaction, always taken last by
 * store_voucher.c (after its card row), so there is no lock-order cycle. */
#include <stdlib.h>
#include <string.h>
#include "core/db.h"
#include "store-internal.h"
#include "core/utf8.h"
#include "store_prepaid.h"

static const char SQL_STATUS[] =
	"SELECT s.id, a.prepaid, b.balance FROM subscriber s"
	" LEFT JOIN sip_account a ON a.subscriber_id = s.id"
	" LEFT JOIN prepaid_balance b ON b.subscriber_id = s.id"
	" WHERE s.username = ? AND s.domain = ?" SCOPE_COND("a");
static const char SQL_ENSURE_BALANCE[] =
	"INSERT INTO prepaid_balance (subscriber_id, balance, change_date)"
	" VALUES (?, 0, UTC_TIMESTAMP())"
	" ON DUPLICATE KEY UPDATE subscriber_id = subscriber_id";
static const char SQL_HISTORY[] =
	"SELECT DATE_FORMAT(date, '%Y-%m-%d %H:%i:%s'), action, description, value, balance, session"
	" FROM prepaid_history WHERE subscriber_id = ? ORDER BY id DESC LIMIT ?";

/* The message for a refused change of id's balance (st from
 * store_prepaid_txn_find or store_prepaid_txn_change). */
static enum ngn_status refuse(struct ngn_err *e, enum ngn_status st, const struct sip_id *id)
{
	switch (st) {
	case NGN_E_ACCOUNT_NOT_FOUND:
		return err_set(e, st, "SIP account %s@%s does not exist", id->username, id->domain);
	case NGN_E_NOT_PREPAID:
		return err_set(e, st, "SIP account %s@%s is not prepaid", id->username, id->domain);
	case NGN_E_INSUFFICIENT_BALANCE:
		return err_set(e, st, "The balance of %s@%s is lower than the debit", id->username, id->domain);
	case NGN_E_INVALID_AMOUNT:
		return err_set(e, st, "The balance of %s@%s would exceed the maximum", id->username, id->domain);
	case NGN_E_INVALID_VALUE:
		return err_set(e, st, "description is longer than %d characters", PREPAID_DESCRIPTION_MAX);
	default:
		return st;
	}
}

/* The account's subscriber id and whether it is prepaid; NGN_E_ACCOUNT_NOT_FOUND
 * when it does not exist in the scope. */
static enum ngn_status find(struct db *db, const char *sql, const struct scope *sc, const struct sip_id *id,
			    struct db_val *row, size_t ncols, char *buf, size_t bufsz)
{
	struct db_val args[2 + SCOPE_NARGS] = { DB_S(id->username), DB_S(id->domain) };
	store_scope_args(sc, args + 2);
	int found = 0;
	enum ngn_status st = db_query_one(db, sql, args, 2 + SCOPE_NARGS, row, ncols, buf, bufsz, &found);
	if (st != NGN_OK)
		return st;
	if (!found || row[0].type != DB_INT)
		return NGN_E_ACCOUNT_NOT_FOUND;
	if (row[1].type != DB_INT || row[1].i == 0)
		return NGN_E_NOT_PREPAID;
	return NGN_OK;
}

enum ngn_status store_prepaid_txn_find(struct db *db, const struct scope *sc, const struct sip_id *id,
				       uint32_t *subscriber_id, struct ngn_err *e)
{
	struct db_val row[2];
	char buf[16];
	enum ngn_status st = find(db, SQL_PREPAID_FIND, sc, id, row, 2, buf, sizeof buf);
	if (st != NGN_OK)
		return refuse(e, st, id);
	*subscriber_id = (uint32_t)row[0].i;
	return NGN_OK;
}

enum ngn_status store_prepaid_txn_ensure(struct db *db, uint32_t subscriber_id)
{
	struct db_val arg = DB_I(subscriber_id);
	return db_exec(db, SQL_ENSURE_BALANCE, &arg, 1, NULL, NULL);
}

/* Takes the row lock on the balance of subscriber_id (creating the row at 0
 * first if there is none) and reads the balance under it. */
static enum ngn_status lock_balance(struct db *db, uint32_t subscriber_id, money_t *balance)
{
	struct db_val arg = DB_I(subscriber_id);
	for (int pass = 0; pass < 2; pass++) {
		struct db_val v;
		char buf[32];
		int found = 0;
		enum ngn_status st = db_query_one(db, SQL_LOCK_BALANCE, &arg, 1, &v, 1, buf, sizeof buf, &found);
		if (st != NGN_OK)
			return st;
		if (found) {
			if (v.type != DB_INT)
				return NGN_E_INTERNAL;
			*balance = v.i;
			return NGN_OK;
		}
		/* no row yet: create it (a concurrent creator's row is fine too) */
		st = store_prepaid_txn_ensure(db, subscriber_id);
		if (st != NGN_OK)
			return st;
	}
	return NGN_E_INTERNAL;
}

/* M2, M5: what can be refused without reading the balance. */
static enum ngn_status check_change(money_t value, const char *description)
{
	if (money_amount_check(value) != MONEY_OK)
		return NGN_E_INVALID_AMOUNT;
	if (description != NULL && utf8_count(description) > PREPAID_DESCRIPTION_MAX)
		return NGN_E_INVALID_VALUE;
	return NGN_OK;
}

static enum ngn_status change(struct db *db, uint32_t subscriber_id, money_t value, const char *action,
			      const char *description, const char *login, uint32_t voucher_card_id,
			      struct balance_change *out)
{
	/* M2, M5: everything that can be refused is refused before the lock */
	enum ngn_status st = check_change(value, description);
	if (st != NGN_OK)
		return st;
	money_t old;
	st = lock_balance(db, subscriber_id, &old);  /* M3: lock, then read */
	if (st != NGN_OK)
		return st;
	if (old < 0 || old > MONEY_BALANCE_MAX)
		return NGN_E_INTERNAL;  /* a row written behind our back */
	money_t nb = old + value;  /* no overflow: |old| <= 1e16, |value| <= 1e13 */
	if (nb < 0)
		return NGN_E_INSUFFICIENT_BALANCE;
	if (nb > MONEY_BALANCE_MAX)
		return NGN_E_INVALID_AMOUNT;
	struct db_val set[2] = { DB_I(nb), DB_I(subscriber_id) };
	st = db_exec(db, SQL_SET_BALANCE, set, 2, NULL, NULL);
	if (st != NGN_OK)
		return st;
	struct db_val hist[7] = {
		DB_I(subscriber_id), DB_S(action), DB_S(description ? description : ""),
		DB_I(value), DB_I(nb), DB_S(login ? login : ""),
		voucher_card_id ? DB_I(voucher_card_id) : DB_NUL,
	};
	st = db_exec(db, SQL_ADD_HISTORY, hist, 7, NULL, NULL);
	if (st != NGN_OK)
		return st;
	out->old_balance = old;
	out->new_balance = nb;
	return NGN_OK;
}

enum ngn_status store_prepaid_txn_change(struct db *db, const struct sip_id *id, uint32_t subscriber_id,
					 money_t value, const char *action, const char *description,
					 const char *login, uint32_t voucher_card_id,
					 struct balance_change *out, struct ngn_err *e)
{
	enum ngn_status st = change(db, subscriber_id, value, action, description, login, voucher_card_id, out);
	return st == NGN_OK ? NGN_OK : refuse(e, st, id);
}

struct add_args {
	const struct scope *sc;
	const struct sip_id *id;
	const char *description, *login;
	money_t value;
	struct balance_change out;
	struct ngn_err *e;
};

static enum ngn_status add_txn(struct db *db, void *arg)
{
	struct add_args *a = arg;
	uint32_t sid = 0;
	enum ngn_status st = store_prepaid_txn_find(db, a->sc, a->id, &sid, a->e);
	if (st != NGN_OK)
		return st;
	return store_prepaid_txn_change(db, a->id, sid, a->value, PREPAID_ACTION_ADD, a->description,
					a->login, 0, &a->out, a->e);
}

enum ngn_status store_prepaid_add(struct db *db, const struct scope *sc, const struct sip_id *id,
				  money_t value, const char *description, const char *login,
				  struct balance_change *out, struct store_res *res)
{
	/* refused input costs no transaction (and wins over a missing account) */
	enum ngn_status st = check_change(value, description);
	if (st != NGN_OK)
		return refuse(&res->err, st, id);
	struct add_args a = { sc, id, description, login, value, { 0, 0 }, &res->err };
	st = store_txn(db, add_txn, &a, res);
	if (st == NGN_OK)
		*out = a.out;
	return st;
}

struct status_args {
	const struct scope *sc;
	struct prepaid_status *items;
	size_t n;
};

static enum ngn_status status_txn(struct db *db, void *arg)
{
	struct status_args *a = arg;
	for (size_t i = 0; i < a->n; i++) {
		struct prepaid_status *it = &a->items[i];
		if (!it->lookup)
			continue;  /* refused by the caller */
		struct db_val row[3];
		char buf[64];
		enum ngn_status st = find(db, SQL_STATUS, a->sc, &it->id, row, 3, buf, sizeof buf);
		if (st != NGN_OK && st != NGN_E_ACCOUNT_NOT_FOUND && st != NGN_E_NOT_PREPAID)
			return st;
		it->st = st;
		it->prepaid = st == NGN_OK;
		it->balance = st == NGN_OK && row[2].type == DB_INT ? row[2].i : 0;
	}
	return NGN_OK;
}

enum ngn_status store_prepaid_status(struct db *db, const struct scope *sc, struct prepaid_status *items,
				     size_t n, struct store_res *res)
{
	if (n > PREPAID_STATUS_MAX)
		return err_set(&res->err, NGN_E_TOO_LARGE, "at most %d ids per call", PREPAID_STATUS_MAX);
	if (n == 0)
		return NGN_OK;
	struct status_args a = { sc, items, n };
	return store_read(db, status_txn, &a, res);
}

void store_prepaid_history_free(struct prepaid_history *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].action);
		free(h->v[i].description);
		free(h->v[i].session);
	}
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

static char *dup_val(const struct db_val *v)
{
	if (v->type != DB_STR)
		return NULL;
	char *s = malloc(v->len + 1);
	if (s != NULL) {
		memcpy(s, v->s, v->len);
		s[v->len] = '\0';
	}
	return s;
}

struct history_args {
	const struct scope *sc;
	const struct sip_id *id;
	int count;
	struct prepaid_history h;
	struct ngn_err *e;
};

static enum ngn_status history_row(void *arg, const struct db_val *c, size_t ncols)
{
	struct history_args *a = arg;
	struct prepaid_history *h = &a->h;
	if (h->n >= (size_t)a->count || ncols != 6 || c[0].type != DB_STR || c[0].len >= sizeof h->v[0].date
	    || c[3].type != DB_INT || c[4].type != DB_INT)
		return NGN_E_INTERNAL;
	struct prepaid_entry *e = &h->v[h->n];
	memset(e, 0, sizeof *e);
	memcpy(e->date, c[0].s, c[0].len);
	e->date[c[0].len] = '\0';
	e->action = dup_val(&c[1]);
	e->description = dup_val(&c[2]);
	e->session = dup_val(&c[5]);
	e->value = c[3].i;
	e->balance = c[4].i;
	h->n++;  /* counted before the checks, so free() sees its strings */
	if (e->action == NULL || e->description == NULL || (c[5].type == DB_STR && e->session == NULL))
		return NGN_E_INTERNAL;
	return NGN_OK;
}

static enum ngn_status history_txn(struct db *db, void *arg)
{
	struct history_args *a = arg;
	store_prepaid_history_free(&a->h);  /* a retry starts from scratch */
	uint32_t sid = 0;
	enum ngn_status st = store_prepaid_txn_find(db, a->sc, a->id, &sid, a->e);
	if (st != NGN_OK)
		return st;
	a->h.v = calloc((size_t)a->count, sizeof *a->h.v);
	if (a->h.v == NULL)
		return NGN_E_INTERNAL;
	struct db_val args[2] = { DB_I(sid), DB_I(a->count) };
	return db_query(db, SQL_HISTORY, args, 2, history_row, a, NULL);
}

enum ngn_status store_prepaid_history(struct db *db, const struct scope *sc, const struct sip_id *id,
				      int count, struct prepaid_history *out, struct store_res *res)
{
	if (count <= 0)
		count = PREPAID_HISTORY_DEFAULT;
	if (count > PREPAID_HISTORY_MAX)
		count = PREPAID_HISTORY_MAX;
	struct history_args a = { sc, id, count, { NULL, 0 }, &res->err };
	enum ngn_status st = store_read(db, history_txn, &a, res);
	if (st != NGN_OK) {
		store_prepaid_history_free(&a.h);
		out->v = NULL;
		out->n = 0;
		return st;
	}
	*out = a.h;
	return NGN_OK;
}
