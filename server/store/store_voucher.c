/* store_voucher.c: prepaid cards and the throttle on wrong guesses (see
 * store_voucher.h).
 *
 * Redemption (store_voucher_redeem) is one transaction:
 *   1. throttle check: refuse at once, before anything about the card is
 *      read, while the card id or the login is locked out;
 *   2. the account must exist in the caller's scope and be prepaid
 *      (store_prepaid_txn_find), and must not be locked out itself (checked
 *      only now, so that a foreign account, locked or not, answers exactly
 *      like a missing one);
 *   3. read the card's salt and value (a dummy salt for an unknown card, so
 *      both paths do the same work), hash the number in this process;
 *   4. spend it with ONE conditional UPDATE: id, hash, unspent, batch enabled
 *      and not expired. Of concurrent redeems exactly one matches the row;
 *      the others wait for its row lock and then see spent_date set;
 *   5. credit the value with its history row (store_prepaid_txn_change,
 *      invariants M3 and M7 of store_prepaid.c).
 * The clear number never leaves this process: only its hash is sent to the
 * database, so it cannot show up in the server's query logs.
 *
 * Throttle: voucher_throttle holds, per card id, per account being topped up
 * ("user@domain") and per API login, the number of recent wrong guesses. A
 * wrong guess made less than `lockout` seconds after the previous one counts
 * on, an older one starts over at 1; reaching the subject's threshold locks
 * it out for `lockout` seconds (locked_until). Cards and accounts lock at
 * `max_failures`; an API login at the much higher `login_max_failures`,
 * because billing front-ends such as CDRTool redeem every end user's cards
 * through one login: one guessing user must lock out only their own account
 * (and the card), not the whole platform.
 * A throttled attempt is not counted. Since a failed redemption rolls back,
 * the failure is recorded afterwards in a short transaction of its own
 * (record_failure), which also purges a few stale rows. The state lives in
 * the database, so every front-end shares it and it survives restarts.
 * Concurrent wrong guesses that all pass step 1 before any is recorded can
 * overshoot max_failures by at most the number of concurrent requests. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <openssl/evp.h>
#include "core/db.h"
#include "core/log.h"
#include "store-internal.h"
#include "core/utf8.h"
#include "store_voucher.h"

#define SALT_BYTES 16

static const char SQL_THROTTLED[] =
	"SELECT 1 FROM voucher_throttle WHERE locked_until > UTC_TIMESTAMP()"
	" AND ((kind = 'card' AND name = ?) OR (kind = 'login' AND name = ?)) LIMIT 1";
static const char SQL_ACCOUNT_THROTTLED[] =
	"SELECT 1 FROM voucher_throttle WHERE locked_until > UTC_TIMESTAMP()"
	" AND kind = 'account' AND name = ?";
static const char SQL_CARD[] =
	"SELECT c.salt, b.value FROM voucher_card c JOIN voucher_batch b ON b.id = c.batch_id"
	" WHERE c.id = ?";
static const char SQL_SPEND[] =
	"UPDATE voucher_card SET spent_date = UTC_TIMESTAMP(), spent_by = ?, spent_login = ?"
	" WHERE id = ? AND number_hash = ? AND spent_date IS NULL"
	" AND batch_id IN (SELECT id FROM voucher_batch"
	"  WHERE disabled = 0 AND (expires IS NULL OR expires >= UTC_DATE()))";
/* ON DUPLICATE KEY UPDATE assigns left to right: `failures` in the third
 * assignment is the new count, `last_failure` in the first the old time. */
static const char SQL_FAILURE[] =
	"INSERT INTO voucher_throttle (kind, name, failures, last_failure, locked_until)"
	" VALUES (?, ?, 1, UTC_TIMESTAMP(), IF(? <= 1, UTC_TIMESTAMP() + INTERVAL ? SECOND, NULL))"
	" ON DUPLICATE KEY UPDATE"
	" failures = IF(last_failure <= UTC_TIMESTAMP() - INTERVAL ? SECOND, 1, failures + 1),"
	" last_failure = UTC_TIMESTAMP(),"
	" locked_until = IF(failures >= ?, UTC_TIMESTAMP() + INTERVAL ? SECOND, locked_until)";
static const char SQL_PURGE[] =
	"DELETE FROM voucher_throttle WHERE last_failure < UTC_TIMESTAMP() - INTERVAL ? SECOND LIMIT 100";
static const char SQL_NEW_BATCH[] =
	"INSERT INTO voucher_batch (name, value, expires, disabled, create_date)"
	" VALUES (?, ?, ?, 1, UTC_TIMESTAMP())";
static const char SQL_NEW_CARD[] =
	"INSERT INTO voucher_card (batch_id, salt, number_hash) VALUES (?, ?, ?)";
static const char SQL_SET_DISABLED[] =
	"UPDATE voucher_batch SET disabled = ? WHERE id = ?";
static const char SQL_LIST[] =
	"SELECT b.id, b.name, b.value, COALESCE(DATE_FORMAT(b.expires, '%Y-%m-%d'), ''), b.disabled,"
	" DATE_FORMAT(b.create_date, '%Y-%m-%d %H:%i:%s'), COUNT(c.id), COUNT(c.spent_date)"
	" FROM voucher_batch b LEFT JOIN voucher_card c ON c.batch_id = b.id"
	" GROUP BY b.id ORDER BY b.id";

static void to_hex(const unsigned char *b, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int from_hex(const char *s, unsigned char *b, size_t n)
{
	for (size_t i = 0; i < 2 * n; i++) {
		char c = s[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (v < 0)
			return -1;
		if (i % 2 == 0)
			b[i / 2] = (unsigned char)(v << 4);
		else
			b[i / 2] |= (unsigned char)v;
	}
	return s[2 * n] == '\0' ? 0 : -1;
}

/* hex(SHA-256(salt || digits)) */
static int number_hash(const unsigned char salt[SALT_BYTES], const char *digits, char out[65])
{
	unsigned char in[SALT_BYTES + VOUCHER_NUMBER_MAX];
	size_t n = strlen(digits);
	if (n > VOUCHER_NUMBER_MAX)
		return -1;
	memcpy(in, salt, SALT_BYTES);
	memcpy(in + SALT_BYTES, digits, n);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int ok = EVP_Digest(in, SALT_BYTES + n, md, &mdlen, EVP_sha256(), NULL);
	explicit_bzero(in, sizeof in);
	if (!ok || mdlen != 32)
		return -1;
	to_hex(md, 32, out);
	return 0;
}

/* The digits of a typed number, without the spaces and dashes people put
 * in. -1 for anything else or an over-long text. */
static int normalize_number(const char *in, char out[VOUCHER_NUMBER_MAX + 1])
{
	size_t n = 0;
	for (const char *p = in; *p; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (*p < '0' || *p > '9' || n == VOUCHER_NUMBER_MAX)
			return -1;
		out[n++] = *p;
	}
	out[n] = '\0';
	return n ? 0 : -1;
}

static int random_bytes(unsigned char *b, size_t n)
{
	while (n > 0) {
		ssize_t r = getrandom(b, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

/* n uniformly random decimal digits (bytes >= 250 are rejected, so that
 * byte % 10 has no bias). */
static int random_digits(char *out, size_t n)
{
	unsigned char buf[64];
	size_t have = 0, used = 0;
	for (size_t i = 0; i < n;) {
		if (used == have) {
			if (random_bytes(buf, sizeof buf))
				return -1;
			have = sizeof buf;
			used = 0;
		}
		unsigned char b = buf[used++];
		if (b >= 250)
			continue;
		out[i++] = (char)('0' + b % 10);
	}
	out[n] = '\0';
	explicit_bzero(buf, sizeof buf);
	return 0;
}

/* ---- redemption --------------------------------------------------------- */

/* The messages say nothing about why a card was refused. */
static enum ngn_status invalid(struct ngn_err *e)
{
	return err_set(e, NGN_E_VOUCHER_INVALID, "The prepaid card is not valid");
}

static enum ngn_status throttled(struct ngn_err *e)
{
	return err_set(e, NGN_E_VOUCHER_THROTTLED, "Too many wrong prepaid card numbers, try again later");
}

struct redeem_args {
	const struct scope *sc;
	const struct sip_id *id;
	struct ngn_err *e;
	const char *login;
	int64_t card_id;
	const char *digits;        /* NULL: the number was malformed */
	const struct voucher_limits *lim;
	char card_name[24];
	char account_name[160];
	struct balance_change out;
};

static enum ngn_status redeem_txn(struct db *db, void *arg)
{
	struct redeem_args *a = arg;
	enum ngn_status st;
	struct db_val v[2];
	char buf[128];
	int found = 0;
	if (a->lim->max_failures > 0) {
		struct db_val args[2] = { DB_S(a->card_name), DB_S(a->login) };
		st = db_query_one(db, SQL_THROTTLED, args, 2, v, 1, buf, sizeof buf, &found);
		if (st != NGN_OK)
			return st;
		if (found)
			return throttled(a->e);
	}
	uint32_t sid = 0;
	st = store_prepaid_txn_find(db, a->sc, a->id, &sid, a->e);
	if (st != NGN_OK)
		return st;
	if (a->lim->max_failures > 0) {
		struct db_val name = DB_S(a->account_name);
		st = db_query_one(db, SQL_ACCOUNT_THROTTLED, &name, 1, v, 1, buf, sizeof buf, &found);
		if (st != NGN_OK)
			return st;
		if (found)
			return throttled(a->e);
	}
	if (a->card_id <= 0 || a->card_id > UINT32_MAX || a->digits == NULL)
		return invalid(a->e);
	struct db_val id = DB_I(a->card_id);
	st = db_query_one(db, SQL_CARD, &id, 1, v, 2, buf, sizeof buf, &found);
	if (st != NGN_OK)
		return st;
	unsigned char salt[SALT_BYTES] = { 0 };  /* unknown card: hash anyway */
	money_t value = 0;
	if (found) {
		if (v[0].type != DB_STR || from_hex(v[0].s, salt, SALT_BYTES) || v[1].type != DB_INT)
			return NGN_E_INTERNAL;
		value = v[1].i;
	}
	char hash[65];
	if (number_hash(salt, a->digits, hash))
		return NGN_E_INTERNAL;
	struct db_val spend[4] = { DB_I(sid), DB_S(a->login), DB_I(a->card_id), DB_S(hash) };
	uint64_t affected = 0;
	st = db_exec(db, SQL_SPEND, spend, 4, &affected, NULL);
	if (st != NGN_OK)
		return st;
	if (affected != 1)
		return invalid(a->e);
	char desc[40];
	snprintf(desc, sizeof desc, "Prepaid card %" PRId64, a->card_id);
	return store_prepaid_txn_change(db, a->id, sid, value, PREPAID_ACTION_VOUCHER, desc, a->login,
					(uint32_t)a->card_id, &a->out, a->e);
}

struct failure_args {
	const char *card_name;     /* NULL: no card id was given */
	const char *account_name;
	const char *login;
	const struct voucher_limits *lim;
};

static enum ngn_status count_failure(struct db *db, const char *kind, const char *name,
				     unsigned max_failures, const struct voucher_limits *lim)
{
	if (max_failures == 0)
		return NGN_OK;
	struct db_val args[7] = {
		DB_S(kind), DB_S(name), DB_I(max_failures), DB_I(lim->lockout),
		DB_I(lim->lockout), DB_I(max_failures), DB_I(lim->lockout),
	};
	return db_exec(db, SQL_FAILURE, args, 7, NULL, NULL);
}

static enum ngn_status failure_txn(struct db *db, void *arg)
{
	struct failure_args *a = arg;
	enum ngn_status st = NGN_OK;
	if (a->card_name != NULL)
		st = count_failure(db, "card", a->card_name, a->lim->max_failures, a->lim);
	if (st == NGN_OK)
		st = count_failure(db, "account", a->account_name, a->lim->max_failures, a->lim);
	if (st == NGN_OK)
		st = count_failure(db, "login", a->login, a->lim->login_max_failures, a->lim);
	if (st == NGN_OK) {
		struct db_val age = DB_I(a->lim->lockout);
		st = db_exec(db, SQL_PURGE, &age, 1, NULL, NULL);
	}
	return st;
}

enum ngn_status store_voucher_redeem(struct db *db, const struct scope *sc, const struct sip_id *id,
				     int64_t card_id, const char *number, const char *login,
				     const struct voucher_limits *lim, struct balance_change *out,
				     struct store_res *res)
{
	char digits[VOUCHER_NUMBER_MAX + 1];
	struct redeem_args a = {
		.sc = sc, .id = id, .e = &res->err, .login = login ? login : "",
		.card_id = card_id, .lim = lim,
	};
	a.digits = number != NULL && normalize_number(number, digits) == 0 ? digits : NULL;
	snprintf(a.card_name, sizeof a.card_name, "%" PRId64, card_id);
	snprintf(a.account_name, sizeof a.account_name, "%s@%s", id->username, id->domain);
	enum ngn_status st = store_txn(db, redeem_txn, &a, res);
	explicit_bzero(digits, sizeof digits);
	if (st == NGN_OK) {
		*out = a.out;
		return NGN_OK;
	}
	if (st == NGN_E_VOUCHER_INVALID && lim->max_failures > 0) {
		struct failure_args f = { a.card_name, a.account_name, a.login, lim };
		enum ngn_status fst = db_txn(db, failure_txn, &f);
		if (fst != NGN_OK)
			log_warn("could not record a wrong voucher guess for card %s, login %s",
				 a.card_name, a.login);
	}
	return st;
}

/* ---- batches ------------------------------------------------------------ */

/* Batches are the platform's: only the unnarrowed admin scope manages them. */
static enum ngn_status platform_scope(const struct scope *sc)
{
	return sc->role == ROLE_ADMIN && sc->reseller == 0 && sc->customer == 0 ? NGN_OK : NGN_E_FORBIDDEN;
}

static int valid_date(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	if (y < 2000 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return !(m == 2 && d == 29 && !leap);
}

struct secret {
	char salt[2 * SALT_BYTES + 1];
	char hash[65];
};

struct create_args {
	const struct voucher_batch_spec *spec;
	const struct secret *secrets;
	struct voucher_new_card *cards;
	uint32_t batch_id;
};

static enum ngn_status create_txn(struct db *db, void *arg)
{
	struct create_args *a = arg;
	const struct voucher_batch_spec *s = a->spec;
	struct db_val b[3] = { DB_S(s->name ? s->name : ""), DB_I(s->value), DB_S(s->expires) };
	uint64_t id = 0;
	enum ngn_status st = db_exec(db, SQL_NEW_BATCH, b, 3, NULL, &id);
	if (st != NGN_OK)
		return st;
	a->batch_id = (uint32_t)id;
	for (size_t i = 0; i < s->count; i++) {
		struct db_val c[3] = { DB_I(a->batch_id), DB_S(a->secrets[i].salt), DB_S(a->secrets[i].hash) };
		uint64_t cid = 0;
		st = db_exec(db, SQL_NEW_CARD, c, 3, NULL, &cid);
		if (st != NGN_OK)
			return st;
		if (cid == 0 || cid > INT32_MAX)
			return NGN_E_INTERNAL;  /* card.id is an xsd:int on the wire */
		a->cards[i].id = (uint32_t)cid;
	}
	return NGN_OK;
}

enum ngn_status store_voucher_create(struct db *db, const struct scope *sc, const struct voucher_batch_spec *spec,
				     uint32_t *batch_id, struct voucher_new_card *cards)
{
	if (platform_scope(sc) != NGN_OK)
		return NGN_E_FORBIDDEN;
	if (spec->count < 1 || spec->count > VOUCHER_BATCH_MAX || spec->value <= 0
	    || money_amount_check(spec->value) != MONEY_OK
	    || (spec->name != NULL && utf8_count(spec->name) > VOUCHER_NAME_MAX)
	    || (spec->expires != NULL && !valid_date(spec->expires)))
		return NGN_E_INVALID_VALUE;
	struct secret *sec = calloc(spec->count, sizeof *sec);
	if (sec == NULL)
		return NGN_E_INTERNAL;
	enum ngn_status st = NGN_OK;
	for (size_t i = 0; i < spec->count; i++) {
		unsigned char salt[SALT_BYTES];
		if (random_digits(cards[i].number, VOUCHER_DIGITS) || random_bytes(salt, sizeof salt)
		    || number_hash(salt, cards[i].number, sec[i].hash)) {
			log_error("no randomness for voucher numbers: %s", strerror(errno));
			st = NGN_E_INTERNAL;
			break;
		}
		to_hex(salt, sizeof salt, sec[i].salt);
	}
	if (st == NGN_OK) {
		struct create_args a = { spec, sec, cards, 0 };
		st = db_txn(db, create_txn, &a);
		if (st == NGN_OK)
			*batch_id = a.batch_id;
	}
	free(sec);
	if (st != NGN_OK)
		explicit_bzero(cards, spec->count * sizeof *cards);
	return st;
}

struct disable_args {
	uint32_t id;
	int disabled;
	int found;
};

static enum ngn_status disable_txn(struct db *db, void *arg)
{
	struct disable_args *a = arg;
	struct db_val v[2] = { DB_I(a->disabled ? 1 : 0), DB_I(a->id) };
	uint64_t matched = 0;
	enum ngn_status st = db_exec(db, SQL_SET_DISABLED, v, 2, &matched, NULL);
	a->found = matched > 0;
	return st;
}

enum ngn_status store_voucher_set_disabled(struct db *db, const struct scope *sc, uint32_t batch_id,
					   int disabled, int *found)
{
	*found = 0;
	if (platform_scope(sc) != NGN_OK)
		return NGN_E_FORBIDDEN;
	struct disable_args a = { batch_id, disabled, 0 };
	enum ngn_status st = db_txn(db, disable_txn, &a);
	*found = a.found;
	return st;
}

struct list_args {
	voucher_batch_fn fn;
	void *arg;
};

static enum ngn_status list_row(void *arg, const struct db_val *c, size_t n)
{
	struct list_args *a = arg;
	if (n != 8)
		return NGN_E_INTERNAL;
	struct voucher_batch_info b = {
		.id = (uint32_t)c[0].i,
		.name = c[1].type == DB_STR ? c[1].s : "",
		.value = c[2].i,
		.expires = c[3].type == DB_STR ? c[3].s : "",
		.disabled = c[4].i != 0,
		.created = c[5].type == DB_STR ? c[5].s : "",
		.cards = (uint64_t)c[6].i,
		.spent = (uint64_t)c[7].i,
	};
	return a->fn(a->arg, &b);
}

static enum ngn_status list_txn(struct db *db, void *arg)
{
	return db_query(db, SQL_LIST, NULL, 0, list_row, arg, NULL);
}

enum ngn_status store_voucher_list(struct db *db, const struct scope *sc, voucher_batch_fn fn, void *arg)
{
	if (platform_scope(sc) != NGN_OK)
		return NGN_E_FORBIDDEN;
	struct list_args a = { fn, arg };
	return db_read(db, list_txn, &a);
}
