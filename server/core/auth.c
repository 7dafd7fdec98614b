/* auth.c: API login verification and management (see auth.h for why the
 * cache looks the way it does).
 *
 * Cache invariants:
 *  1. An entry holds the login name, HMAC(key, password), the verdict and
 *     an expiry; never the password or its crypt hash.
 *  2. A positive entry is used only until its expiry (auth-cache-ttl); a
 *     negative one for NEG_TTL seconds.
 *  3. One mutex guards the table; crypt runs outside it.
 *
 * Login names match byte for byte. api_user's collation (utf8mb4_bin) is
 * PAD SPACE: "WHERE username = ?" finds "testadmin" for "testadmin ". So a
 * name auth_set_login would never store (empty, too long, a control
 * character, a space) is refused before any lookup or cache use, and the
 * row found must carry exactly the name asked for. */
#include <crypt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include "auth.h"
#include "db.h"
#include "hash.h"
#include "log.h"

#define CACHE_SLOTS 1024
#define NEG_TTL 5
#define MAX_NAME 64
#define MAX_PASSWORD 256

struct entry {
	char user[MAX_NAME + 1];
	unsigned char mac[32];
	int ok;
	struct scope scope;
	time_t expires;
};

struct auth_cache {
	pthread_mutex_t lock;
	unsigned ttl;
	unsigned char key[32];
	struct entry slots[CACHE_SLOTS];
};

struct auth_cache *auth_cache_new(unsigned ttl_seconds)
{
	struct auth_cache *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	if (getrandom(c->key, sizeof c->key, 0) != (ssize_t)sizeof c->key) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->lock, NULL);
	c->ttl = ttl_seconds;
	return c;
}

void auth_cache_free(struct auth_cache *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static size_t slot_of(const char *user, const unsigned char *mac)
{
	return hash_fnv_bytes(hash_str(user), mac, 8) % CACHE_SLOTS;
}

static int mac_of(const struct auth_cache *c, const char *password, unsigned char out[32])
{
	unsigned len = 32;
	return HMAC(EVP_sha256(), c->key, sizeof c->key, (const unsigned char *)password,
		    strlen(password), out, &len) ? 0 : -1;
}

static int role_of(const char *s, enum login_role *r)
{
	if (!strcmp(s, "admin"))
		*r = ROLE_ADMIN;
	else if (!strcmp(s, "reseller"))
		*r = ROLE_RESELLER;
	else if (!strcmp(s, "customer"))
		*r = ROLE_CUSTOMER;
	else
		return -1;
	return 0;
}

/* A name auth_set_login stores: 1 to MAX_NAME bytes, none a control
 * character or a space. */
static int valid_name(const char *username)
{
	if (username == NULL || !*username || strlen(username) > MAX_NAME)
		return 0;
	for (const char *p = username; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

static const char SQL_LOGIN[] =
	"SELECT pw_hash, role, customer, reseller, disabled, username FROM api_user WHERE username = ?";

struct lookup {
	const char *user;
	char hash[256];
	char role[16];
	unsigned customer, reseller;
	int disabled, found;
};

static enum ngn_status lookup_txn(struct db *db, void *arg)
{
	struct lookup *l = arg;
	struct db_val in = DB_S(l->user), out[6];
	char buf[512];
	enum ngn_status st = db_query_one(db, SQL_LOGIN, &in, 1, out, 6, buf, sizeof buf, &l->found);
	if (st != NGN_OK || !l->found)
		return st;
	/* the collation's match, not necessarily ours (see the top) */
	if (out[5].type != DB_STR || strcmp(out[5].s, l->user) != 0) {
		l->found = 0;
		return NGN_OK;
	}
	snprintf(l->hash, sizeof l->hash, "%s", out[0].type == DB_STR ? out[0].s : "");
	snprintf(l->role, sizeof l->role, "%s", out[1].type == DB_STR ? out[1].s : "");
	l->customer = (unsigned)out[2].i;
	l->reseller = (unsigned)out[3].i;
	l->disabled = (int)out[4].i;
	return NGN_OK;
}

enum ngn_status auth_check(struct auth_cache *c, struct db *db, const char *username,
			   const char *password, struct scope *scope)
{
	if (!valid_name(username) || password == NULL || strlen(password) > MAX_PASSWORD)
		return NGN_E_AUTH_FAILED;
	unsigned char mac[32];
	if (mac_of(c, password, mac))
		return NGN_E_INTERNAL;
	size_t i = slot_of(username, mac);
	time_t now = time(NULL);
	pthread_mutex_lock(&c->lock);
	struct entry *e = &c->slots[i];
	if (e->expires > now && !strcmp(e->user, username) && !memcmp(e->mac, mac, sizeof mac)) {
		int ok = e->ok;
		if (ok)
			*scope = e->scope;
		pthread_mutex_unlock(&c->lock);
		return ok ? NGN_OK : NGN_E_AUTH_FAILED;
	}
	pthread_mutex_unlock(&c->lock);

	struct lookup l = { .user = username };
	enum ngn_status st = db_read(db, lookup_txn, &l);
	if (st != NGN_OK)
		return st;
	struct scope sc = { ROLE_ADMIN, 0, 0 };
	int ok = 0;
	if (l.found && !l.disabled && role_of(l.role, &sc.role) == 0) {
		struct crypt_data cd;
		memset(&cd, 0, sizeof cd);
		const char *h = crypt_r(password, l.hash, &cd);
		ok = h != NULL && h[0] != '*' && strlen(h) == strlen(l.hash)
		     && CRYPTO_memcmp(h, l.hash, strlen(h)) == 0;
		if (sc.role != ROLE_ADMIN) {
			sc.customer = l.customer;
			sc.reseller = l.reseller;
		}
	}
	pthread_mutex_lock(&c->lock);
	e = &c->slots[i];
	snprintf(e->user, sizeof e->user, "%s", username);
	memcpy(e->mac, mac, sizeof mac);
	e->ok = ok;
	e->scope = sc;
	e->expires = now + (ok ? (time_t)c->ttl : NEG_TTL);
	pthread_mutex_unlock(&c->lock);
	if (!ok)
		return NGN_E_AUTH_FAILED;
	*scope = sc;
	return NGN_OK;
}

enum ngn_status auth_hash_password(const char *password, char *out, size_t outlen)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt) == NULL)
		return NGN_E_INTERNAL;
	struct crypt_data cd;
	memset(&cd, 0, sizeof cd);
	const char *h = crypt_r(password, salt, &cd);
	if (h == NULL || h[0] == '*' || strlen(h) >= outlen)
		return NGN_E_INTERNAL;
	memcpy(out, h, strlen(h) + 1);
	return NGN_OK;
}

struct set_login {
	const char *user, *hash, *role;
	unsigned customer, reseller;
	int replace;
};

static const char SQL_INSERT_LOGIN[] =
	"INSERT INTO api_user (username, pw_hash, role, customer, reseller) VALUES (?, ?, ?, ?, ?)";
static const char SQL_REPLACE_LOGIN[] =
	"INSERT INTO api_user (username, pw_hash, role, customer, reseller) VALUES (?, ?, ?, ?, ?)"
	" ON DUPLICATE KEY UPDATE pw_hash = VALUES(pw_hash), role = VALUES(role),"
	" customer = VALUES(customer), reseller = VALUES(reseller), disabled = 0, change_date = NOW()";

/* Identity (README, "Customers and logins"): the login a customer record
 * owns (customer_id set) changes only with the record (store_customer.c),
 * and every other reseller or customer login is bound to a record that
 * exists: a reseller login to a reseller (its customer id is the reseller's
 * own), a customer login to a customer, whose reseller it takes. */
static const char SQL_LOGIN_OWNED[] = "SELECT 1 FROM api_user WHERE username = ? AND customer_id IS NOT NULL";
static const char SQL_BIND_RECORD[] = "SELECT reseller FROM customer WHERE id = ?";

static enum ngn_status set_login_txn(struct db *db, void *arg)
{
	struct set_login *s = arg;
	struct db_val u[1] = { DB_S(s->user) };
	uint64_t owned = 0;
	enum ngn_status st = db_query(db, SQL_LOGIN_OWNED, u, 1, NULL, NULL, &owned);
	if (st != NGN_OK)
		return st;
	if (owned)
		return NGN_E_CUSTOMER_EXISTS;
	if (strcmp(s->role, "admin") != 0) {
		int reseller_login = strcmp(s->role, "reseller") == 0;
		unsigned id = reseller_login ? s->reseller : s->customer;
		struct db_val a[1] = { DB_I(id) }, out[1];
		char buf[32];
		int found = 0;
		if (id == 0)
			return NGN_E_CUSTOMER_NOT_FOUND;
		if ((st = db_query_one(db, SQL_BIND_RECORD, a, 1, out, 1, buf, sizeof buf, &found)) != NGN_OK)
			return st;
		unsigned reseller = found && out[0].type == DB_INT ? (unsigned)out[0].i
				    : found && out[0].type == DB_STR ? (unsigned)strtoul(out[0].s, NULL, 10) : 0;
		if (!found || (reseller_login && reseller != id))
			return NGN_E_CUSTOMER_NOT_FOUND;
		s->customer = id;
		s->reseller = reseller;
	}
	struct db_val v[5] = { DB_S(s->user), DB_S(s->hash), DB_S(s->role), DB_I(s->customer), DB_I(s->reseller) };
	return db_exec(db, s->replace ? SQL_REPLACE_LOGIN : SQL_INSERT_LOGIN, v, 5, NULL, NULL);
}

enum ngn_status auth_set_login(struct db *db, const char *username, const char *password,
			       const char *role, unsigned customer, unsigned reseller, int replace)
{
	enum login_role r;
	if (!valid_name(username))
		return NGN_E_INVALID_USERNAME;
	if (password == NULL || strlen(password) < 8 || strlen(password) > MAX_PASSWORD)
		return NGN_E_INVALID_PASSWORD;
	if (role == NULL || role_of(role, &r))
		return NGN_E_INVALID_VALUE;
	char hash[256];
	enum ngn_status st = auth_hash_password(password, hash, sizeof hash);
	if (st != NGN_OK)
		return st;
	struct set_login s = { username, hash, role, customer, reseller, replace };
	return db_txn(db, set_login_txn, &s);
}

struct disable {
	const char *user;
	int disabled;
	uint64_t n;
};

static const char SQL_DISABLE[] = "UPDATE api_user SET disabled = ?, change_date = NOW() WHERE username = ?";

static enum ngn_status disable_txn(struct db *db, void *arg)
{
	struct disable *d = arg;
	struct db_val v[2] = { DB_I(d->disabled), DB_S(d->user) };
	return db_exec(db, SQL_DISABLE, v, 2, &d->n, NULL);
}

enum ngn_status auth_disable_login(struct db *db, const char *username, int disabled)
{
	if (!valid_name(username)) /* PAD SPACE: "ops " would disable "ops" */
		return NGN_E_AUTH_FAILED;
	struct disable d = { username, disabled, 0 };
	enum ngn_status st = db_txn(db, disable_txn, &d);
	if (st == NGN_OK && d.n == 0)
		return NGN_E_AUTH_FAILED;
	return st;
}

struct list_ctx {
	void (*fn)(void *, const char *, const char *, unsigned, unsigned, int);
	void *arg;
};

static enum ngn_status list_row(void *arg, const struct db_val *c, size_t n)
{
	struct list_ctx *l = arg;
	if (n < 5)
		return NGN_E_INTERNAL;
	l->fn(l->arg, c[0].s, c[1].s, (unsigned)c[2].i, (unsigned)c[3].i, (int)c[4].i);
	return NGN_OK;
}

static const char SQL_LIST[] =
	"SELECT username, role, customer, reseller, disabled FROM api_user ORDER BY username";

static enum ngn_status list_txn(struct db *db, void *arg)
{
	return db_query(db, SQL_LIST, NULL, 0, list_row, arg, NULL);
}

enum ngn_status auth_list_logins(struct db *db,
				 void (*fn)(void *arg, const char *username, const char *role,
					    unsigned customer, unsigned reseller, int disabled),
				 void *arg)
{
	struct list_ctx l = { fn, arg };
	return db_read(db, list_txn, &l);
}
