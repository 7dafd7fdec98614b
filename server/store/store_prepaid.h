/* store_prepaid.h: prepaid balances and their history (all the SQL on
 * prepaid_balance and prepaid_history).
 *
 The same contract as the Sip port's store (store.h): accounts are named
 * by a struct sip_id that the caller validated (soap_conv.c, validate.c);
 * every call takes the caller's scope, and an account outside it does not
 * exist for the caller (NGN_E_ACCOUNT_NOT_FOUND, with the same message as a
 * missing one), so a reseller or customer login can neither read nor change
 * a foreign balance; each store_prepaid_* operation is one transaction and
 * says why it failed in res->err (empty for database trouble).
 *
 * An account is prepaid when its sip_account.prepaid is 1; a Kamailio
 * subscriber without a sip_account row is not prepaid. A prepaid account
 * without a balance row has balance 0, and the row is created on its first
 * change. Turning prepaid off (the account store's business) keeps the row
 * and the history.
 *
 * Statuses: NGN_E_ACCOUNT_NOT_FOUND, NGN_E_NOT_PREPAID, NGN_E_INVALID_AMOUNT,
 * NGN_E_INSUFFICIENT_BALANCE, NGN_E_INVALID_VALUE, or a DB status. A failed
 * operation has changed nothing.
 *
 * The store_prepaid_txn_* building blocks are for other stores (vouchers):
 * they must be called inside the caller's db_txn and keep the same
 * invariants (see store_prepaid.c). */
#ifndef NGN_STORE_PREPAID_H
#define NGN_STORE_PREPAID_H
#include <stddef.h>
#include <stdint.h>
#include "core/money.h"
#include "core/status.h"
#include "store.h"

struct db;

#define PREPAID_DESCRIPTION_MAX 255   /* characters (UTF-8 code points) */
#define PREPAID_HISTORY_DEFAULT 200   /* entries when count <= 0 */
#define PREPAID_HISTORY_MAX 1000      /* larger counts are clamped to this */
#define PREPAID_STATUS_MAX 1000       /* ids in one getPrepaidStatus */

#define PREPAID_ACTION_ADD "Add balance"
#define PREPAID_ACTION_VOUCHER "Add balance from voucher"

struct balance_change {
	money_t old_balance;
	money_t new_balance;
};

/* Adds value (credit if > 0, correction debit if < 0) to the balance of a
 * prepaid account and writes its history row (action "Add balance",
 * description, login) in the same transaction. value must pass
 * money_amount_check and the new balance be within [0, MONEY_BALANCE_MAX]:
 * NGN_E_INVALID_AMOUNT, or NGN_E_INSUFFICIENT_BALANCE when a debit would go
 * below zero. description may be NULL (empty), at most
 * PREPAID_DESCRIPTION_MAX characters (else NGN_E_INVALID_VALUE). login may
 * be NULL. */
enum ngn_status store_prepaid_add(struct db *db, const struct scope *sc, const struct sip_id *id,
				  money_t value, const char *description, const char *login,
				  struct balance_change *out, struct store_res *res);

/* One id of a getPrepaidStatus. The caller fills id and sets lookup = 1; an
 * item with lookup = 0 (the caller found the id malformed and set st itself)
 * is left as it is. For the others the store sets st = NGN_OK with
 * prepaid = 1 and the balance, or st = NGN_E_ACCOUNT_NOT_FOUND (also for an
 * account outside the scope) / NGN_E_NOT_PREPAID with prepaid = 0 and
 * balance = 0. */
struct prepaid_status {
	struct sip_id id;
	int lookup;
	enum ngn_status st;
	int prepaid;
	money_t balance;
};

/* Looks up n items (n <= PREPAID_STATUS_MAX, else NGN_E_TOO_LARGE) in one
 * read transaction. Per-item outcomes are in the items; the return value is
 * NGN_OK or a status for the whole call. */
enum ngn_status store_prepaid_status(struct db *db, const struct scope *sc, struct prepaid_status *items,
				     size_t n, struct store_res *res);

/* One history row. Strings are owned by the prepaid_history. */
struct prepaid_entry {
	char date[20];            /* "YYYY-MM-DD hh:mm:ss", UTC */
	char *action;
	char *description;
	char *session;            /* NULL when the row has none */
	money_t value;
	money_t balance;          /* after the change */
};

struct prepaid_history {
	struct prepaid_entry *v;
	size_t n;
};

/* The newest `count` history rows of a prepaid account, newest first.
 * count <= 0 means PREPAID_HISTORY_DEFAULT; a count above
 * PREPAID_HISTORY_MAX is clamped to it. A prepaid account without history
 * gives n = 0. On success free *out with store_prepaid_history_free; on
 * failure *out is empty. */
enum ngn_status store_prepaid_history(struct db *db, const struct scope *sc, const struct sip_id *id,
				      int count, struct prepaid_history *out, struct store_res *res);
void store_prepaid_history_free(struct prepaid_history *h);

/* Inside a db_txn: the subscriber id of a prepaid account within the scope,
 * or NGN_E_ACCOUNT_NOT_FOUND / NGN_E_NOT_PREPAID (message in e). */
enum ngn_status store_prepaid_txn_find(struct db *db, const struct scope *sc, const struct sip_id *id,
				       uint32_t *subscriber_id, struct ngn_err *e);

/* Inside a db_txn: creates the balance row of a prepaid account if it has
 * none (balance 0). For the account store when prepaid is turned on. */
enum ngn_status store_prepaid_txn_ensure(struct db *db, uint32_t subscriber_id);

/* Inside a db_txn: changes the balance of the account id (found with
 * store_prepaid_txn_find as subscriber_id) by value under a row lock and
 * writes the history row; same rules and statuses as store_prepaid_add, the
 * message in e naming id. voucher_card_id is recorded in the history row (0:
 * none). The row lock is held until the caller's transaction ends. */
enum ngn_status store_prepaid_txn_change(struct db *db, const struct sip_id *id, uint32_t subscriber_id,
					 money_t value, const char *action, const char *description,
					 const char *login, uint32_t voucher_card_id,
					 struct balance_change *out, struct ngn_err *e);

#endif
