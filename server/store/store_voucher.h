/* store_voucher.h: prepaid cards (vouchers): batches, redemption and the
 * throttle on wrong guesses (all the SQL on voucher_batch, voucher_card and
 * voucher_throttle).
 *
 * A card is identified by its id (card.id on the wire) and proven by its
 * number, VOUCHER_DIGITS random decimal digits that only the printed card
 * and the batch's CSV file carry; the database keeps a salted SHA-256 of it.
 * When typed, the number may contain spaces and dashes ("1234-5678 ...").
 *
 * Every call takes the caller's scope (store.h). Redemption credits only an
 * account within it; a foreign account is NGN_E_ACCOUNT_NOT_FOUND, exactly
 * like a missing one. Batches belong to the platform, not to a tenant (the
 * tables have no reseller or customer column): creating, listing and
 * enabling/disabling them needs the unnarrowed admin scope (role admin,
 * reseller = customer = 0), else NGN_E_FORBIDDEN. */
#ifndef NGN_STORE_VOUCHER_H
#define NGN_STORE_VOUCHER_H
#include <stddef.h>
#include <stdint.h>
#include "core/money.h"
#include "core/status.h"
#include "store_prepaid.h"

struct db;

#define VOUCHER_DIGITS 20              /* ~66 bits of entropy per card */
#define VOUCHER_NUMBER_MAX 128         /* longest number text looked at */
#define VOUCHER_BATCH_MAX 100000       /* cards in one batch */
#define VOUCHER_NAME_MAX 128           /* characters of a batch name */

/* Throttle settings (cfg voucher_max_failures, voucher_lockout). */
struct voucher_limits {
	unsigned max_failures;   /* wrong guesses on one card or one account before
				    a lock-out; 0: no throttle at all */
	unsigned login_max_failures; /* wrong guesses through one API login before
					it is locked out; 0: logins are not throttled */
	unsigned lockout;        /* seconds a lock-out lasts, and how long a
				    wrong guess is remembered */
};

/* Redeems card (card_id, number) onto the prepaid account id in the scope:
 * the card is marked spent and its value credited, with a history row
 * (action "Add balance from voucher", description "Prepaid card <id>"), in
 * one transaction. Statuses:
 *  - NGN_E_VOUCHER_THROTTLED: the card id or the account has had
 *    lim->max_failures wrong guesses (the login lim->login_max_failures), the
 *    last one less than lim->lockout seconds ago; the card was not looked at.
 *    The card and the login are checked before the account is looked up,
 *    the account's own lock-out after (so a locked-out foreign account
 *    answers like a missing one).
 *  - NGN_E_ACCOUNT_NOT_FOUND / NGN_E_NOT_PREPAID: the card was not looked at.
 *  - NGN_E_VOUCHER_INVALID: wrong number, unknown, spent or expired card, or
 *    disabled batch, indistinguishably. The failure is then recorded against
 *    the card id, the account and the login in a transaction of its own.
 *  - NGN_E_INVALID_AMOUNT: the balance would exceed MONEY_BALANCE_MAX (the
 *    card stays unspent).
 * login may be NULL (counts as ""). The message is in res->err. */
enum ngn_status store_voucher_redeem(struct db *db, const struct scope *sc, const struct sip_id *id,
				     int64_t card_id, const char *number, const char *login,
				     const struct voucher_limits *lim, struct balance_change *out,
				     struct store_res *res);

/* A new batch: count (1..VOUCHER_BATCH_MAX) cards worth value (> 0 and
 * passing money_amount_check) each, valid through the UTC day expires ("YYYY-MM-DD",
 * NULL for none), with an optional name. */
struct voucher_batch_spec {
	const char *name;
	money_t value;
	const char *expires;
	size_t count;
};

/* A card just made: the only time its number exists outside the card. */
struct voucher_new_card {
	uint32_t id;
	char number[VOUCHER_DIGITS + 1];
};

/* Creates a batch and its cards in one transaction, with numbers from
 * getrandom(2). The batch is created DISABLED: the caller writes the numbers
 * out and then enables it with store_voucher_set_disabled(db, sc, id, 0, ...).
 * cards must have room for spec->count entries. NGN_E_INVALID_VALUE for a bad
 * spec, NGN_E_INTERNAL when no randomness is available. */
enum ngn_status store_voucher_create(struct db *db, const struct scope *sc, const struct voucher_batch_spec *spec,
				     uint32_t *batch_id, struct voucher_new_card *cards);

/* Sets or clears a batch's disabled flag; *found = 0 when there is no such
 * batch. */
enum ngn_status store_voucher_set_disabled(struct db *db, const struct scope *sc, uint32_t batch_id,
					   int disabled, int *found);

struct voucher_batch_info {
	uint32_t id;
	const char *name;
	money_t value;
	const char *expires;       /* "YYYY-MM-DD" or "" */
	int disabled;
	const char *created;       /* "YYYY-MM-DD hh:mm:ss" UTC */
	uint64_t cards;
	uint64_t spent;
};

/* Calls fn once per batch, in id order; the strings are valid during the
 * call only. fn returns NGN_OK to go on. */
typedef enum ngn_status (*voucher_batch_fn)(void *arg, const struct voucher_batch_info *b);
enum ngn_status store_voucher_list(struct db *db, const struct scope *sc, voucher_batch_fn fn, void *arg);

#endif
