/* store_prepaid.c: prepaid balances and their history (see store_prepaid.h).
 *
 * This file owns every write to prepaid_balance and prepaid_history. The
 * money invariants, and where each is enforced:
 *
 *  M1. Money is an integer number of minor units (1/10000, money_t, BIGINT
 *      columns). No floating point stands between the client's text
 *      (money_parse) and the database, or back (money_format).
 *  M2. Every balance is within [0, MONEY_BALANCE_MAX] and every single change
 *      is non-zero with |value| <= MONEY_AMOUNT_MAX: checked in
 *      store_prepaid_txn_change before any write, so the sum cannot overflow;
 *      the tables' CHECK constraints are a backstop, not the mechanism.
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
 * Locking: one balance row per transaction, always taken last by
 * store_voucher.c (after its card row), so there is no lock-order cycle. */
#include <stdlib.h>
#include <string.h>
#include "core/db.h"
#include "core/utf8.h"
#include "store_prepaid.h"
#include "store_sql.h"

static const char SQL_STATUS[] =
	"SELECT s.id, a.prepaid, b.balance FROM subscriber s"
	" LEFT JOIN sip_account a ON a.subscriber_id = s.id"
	" LEFT JOIN prepaid_balance b ON b.subscriber_id = s.id"
	" WHERE s.username = ? AND s.domain = ?";
static const char SQL_ENSURE_BALANCE[] =
	"INSERT INTO prepaid_balance (subscriber_id, balance, change_date)"
	" VALUES (?, 0, UTC_TIMESTAMP())"
	" ON DUPLICATE KEY UPDATE subscriber_id = subscriber_id";
static const char SQL_HISTORY[] =
	"SELECT DATE_FORMAT(date, '%Y-%m-%d %H:%i:%s'), action, description, value, balance, session"
	" FROM prepaid_history WHERE subscriber_id = ? ORDER BY id DESC LIMIT ?";

enum ngn_status store_prepaid_txn_find(struct db *db, const char *username, const char *domain,
				       uint32_t *subscriber_id)
{
	struct db_val args[2] = { DB_S(username), DB_S(domain) };
	struct db_val row[2];
	char buf[16];
	int found = 0;
	enum ngn_status st = db_query_one(db, SQL_PREPAID_FIND, args, 2, row, 2, buf, sizeof buf, &found);
	if (st != NGN_OK)
		return st;
	if (!found || row[0].type != DB_INT)
		return NGN_E_ACCOUNT_NOT_FOUND;
	if (row[1].type != DB_INT || row[1].i == 0)
		return NGN_E_NOT_PREPAID;
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

static enum ngn_status check_description(const char *description)
{
	if (description != NULL && utf8_count(description) > PREPAID_DESCRIPTION_MAX)
		return NGN_E_INVALID_VALUE;
	return NGN_OK;
}

enum ngn_status store_prepaid_txn_change(struct db *db, uint32_t subscriber_id, money_t value,
					 const char *action, const char *description,
					 const char *login, uint32_t voucher_card_id,
					 struct balance_change *out)
{
	/* M2, M5: everything that can be refused is refused before the lock */
	if (value == 0 || value > MONEY_AMOUNT_MAX || value < -MONEY_AMOUNT_MAX)
		return NGN_E_INVALID_AMOUNT;
	enum ngn_status st = check_description(description);
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

struct add_args {
	const char *username, *domain, *description, *login;
	money_t value;
	struct balance_change out;
};

static enum ngn_status add_txn(struct db *db, void *arg)
{
	struct add_args *a = arg;
	uint32_t sid;
	enum ngn_status st = store_prepaid_txn_find(db, a->username, a->domain, &sid);
	if (st != NGN_OK)
		return st;
	return store_prepaid_txn_change(db, sid, a->value, PREPAID_ACTION_ADD, a->description,
					a->login, 0, &a->out);
}

enum ngn_status store_prepaid_add(struct db *db, const char *username, const char *domain,
				  money_t value, const char *description, const char *login,
				  struct balance_change *out)
{
	if (value == 0 || value > MONEY_AMOUNT_MAX || value < -MONEY_AMOUNT_MAX)
		return NGN_E_INVALID_AMOUNT;
	enum ngn_status st = check_description(description);
	if (st != NGN_OK)
		return st;
	struct add_args a = { username, domain, description, login, value, { 0, 0 } };
	st = db_txn(db, add_txn, &a);
	if (st == NGN_OK)
		*out = a.out;
	return st;
}

struct status_args {
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
		struct db_val args[2] = { DB_S(it->username), DB_S(it->domain) };
		struct db_val row[3];
		char buf[64];
		int found = 0;
		enum ngn_status st = db_query_one(db, SQL_STATUS, args, 2, row, 3, buf, sizeof buf, &found);
		if (st != NGN_OK)
			return st;
		it->prepaid = 0;
		it->balance = 0;
		if (!found) {
			it->st = NGN_E_ACCOUNT_NOT_FOUND;
		} else if (row[1].type != DB_INT || row[1].i == 0) {
			it->st = NGN_E_NOT_PREPAID;
		} else {
			it->st = NGN_OK;
			it->prepaid = 1;
			it->balance = row[2].type == DB_INT ? row[2].i : 0;
		}
	}
	return NGN_OK;
}

enum ngn_status store_prepaid_status(struct db *db, struct prepaid_status *items, size_t n)
{
	if (n > PREPAID_STATUS_MAX)
		return NGN_E_TOO_LARGE;
	if (n == 0)
		return NGN_OK;
	struct status_args a = { items, n };
	return db_read(db, status_txn, &a);
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
	const char *username, *domain;
	int count;
	struct prepaid_history h;
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
	uint32_t sid;
	enum ngn_status st = store_prepaid_txn_find(db, a->username, a->domain, &sid);
	if (st != NGN_OK)
		return st;
	a->h.v = calloc((size_t)a->count, sizeof *a->h.v);
	if (a->h.v == NULL)
		return NGN_E_INTERNAL;
	struct db_val args[2] = { DB_I(sid), DB_I(a->count) };
	return db_query(db, SQL_HISTORY, args, 2, history_row, a, NULL);
}

enum ngn_status store_prepaid_history(struct db *db, const char *username, const char *domain,
				      int count, struct prepaid_history *out)
{
	if (count <= 0)
		count = PREPAID_HISTORY_DEFAULT;
	if (count > PREPAID_HISTORY_MAX)
		count = PREPAID_HISTORY_MAX;
	struct history_args a = { username, domain, count, { NULL, 0 } };
	enum ngn_status st = db_read(db, history_txn, &a);
	if (st != NGN_OK) {
		store_prepaid_history_free(&a.h);
		out->v = NULL;
		out->n = 0;
		return st;
	}
	*out = a.h;
	return NGN_OK;
}
