/* auth.h: API logins (the SOAP `auth` header).
 *
 * Logins live in api_user with a crypt(3) yescrypt hash, never in clear.
 * Verifying a yescrypt hash costs milliseconds by design, so a successful
 * verification is remembered for cfg auth-cache-ttl seconds, keyed by the
 * login name and a keyed hash (HMAC-SHA-256 with a per-process random key) of
 * the password: the cache never holds a password, and a changed password
 * misses it. Failed attempts are remembered briefly too, so a client
 * retrying a wrong password cannot burn a worker's CPU. Disabling a login or
 * changing its password takes effect within the TTL. */
#ifndef NGN_AUTH_H
#define NGN_AUTH_H
#include <stddef.h>
#include "scope.h"
#include "status.h"

struct db;
struct auth_cache;

struct auth_cache *auth_cache_new(unsigned ttl_seconds);
void auth_cache_free(struct auth_cache *c);

/* Checks username/password against api_user. On NGN_OK fills *scope.
 * Returns NGN_E_AUTH_FAILED for an unknown, disabled or wrong login,
 * or a DB status. Thread-safe (the cache has its own lock). */
enum ngn_status auth_check(struct auth_cache *c, struct db *db, const char *username,
			   const char *password, struct scope *scope);

/* Creates or replaces (when replace) an API login; NGN_E_CONFLICT if it
 * exists and !replace. role: "admin", "reseller" or "customer". A reseller
 * login is bound to the reseller record `reseller`, a customer login to the
 * customer record `customer` (its reseller taken from the record):
 * NGN_E_CUSTOMER_NOT_FOUND if there is no such record. A login that a
 * customer record owns is never replaced here (NGN_E_CUSTOMER_EXISTS): it
 * changes with its record (store_customer.c). */
enum ngn_status auth_set_login(struct db *db, const char *username, const char *password,
			       const char *role, unsigned customer, unsigned reseller, int replace);

/* Hashes a password for api_user.pw_hash (yescrypt, random salt) into out
 * (AUTH_HASH_MAX bytes is enough); NGN_E_INTERNAL if crypt fails. Used by
 * store_customer.c for the login a customer record owns. */
#define AUTH_HASH_MAX 256
enum ngn_status auth_hash_password(const char *password, char *out, size_t outlen);

/* Enables (disabled = 0) or disables a login; NGN_E_AUTH_FAILED if unknown. */
enum ngn_status auth_disable_login(struct db *db, const char *username, int disabled);

/* Calls fn once per login (for listing). */
enum ngn_status auth_list_logins(struct db *db,
				 void (*fn)(void *arg, const char *username, const char *role,
					    unsigned customer, unsigned reseller, int disabled),
				 void *arg);

#endif
