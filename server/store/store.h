/* store.h: ngnprod's data model and every database operation of the Sip port.
 *
 * The types here know nothing of gSOAP: soap_conv.c maps the wire structs
 * onto them, validate.c checks and normalises them, and the store_*.c
 * modules (the only place with SQL) read and write them.
 *
 * Contract of every store_* function below:
 *  - it is exactly one transaction (db_txn): it commits on NGN_OK and changes
 *    nothing otherwise; inputs must already be validated;
 *  - it takes the caller's scope: records outside it do not exist for the
 *    caller (an admin with reseller = customer = 0 sees everything);
 *  - results live in res->arena until store_res_free; on failure res->err
 *    says why in words (may be empty for database trouble);
 *  - res->policy_changed is set when the committed transaction wrote
 *    proxy_event rows (group membership changed): the caller then nudges
 *    proxy-glue (req_policy_changed).
 * Accounts and aliases inherit customer and reseller from their domain; the
 * store keeps the copies in step when a domain's ids change. */
#ifndef NGN_STORE_H
#define NGN_STORE_H
#include <stddef.h>
#include <stdint.h>
#include "core/arena.h"
#include "core/scope.h"
#include "core/digest.h"
#include "core/err.h"
#include "core/status.h"

struct db;

/* Column sizes of schema/001_kamailio.sql and 002_core.sql. */
#define STORE_USERNAME_MAX 64
#define STORE_DOMAIN_MAX 64
#define STORE_GROUP_MAX 64
#define STORE_PASSWORD_MAX 64
#define STORE_EMAIL_MAX 255
#define STORE_NAME_MAX 128          /* firstName, lastName */
#define STORE_SHORT_MAX 64          /* rpid, timezone, region, quickdialPrefix */
#define STORE_MATCH_MAX 255         /* match_ip_address, match_sip_domain */
#define STORE_PEM_MAX 65535         /* certificate, private_key */
#define STORE_PROPERTY_NAME_MAX 64
#define STORE_PROPERTY_VALUE_MAX 65535
#define STORE_ACL_TAG_MAX 64
/* Per-account list sizes: bound the work one request can cause. */
#define STORE_MAX_GROUPS 100
#define STORE_MAX_PROPERTIES 200
#define STORE_MAX_ACL 100
/* The username that asks addAccount to allocate one (see store_account_add). */
#define STORE_AUTOINCREMENT "<autoincrement>"

/* An optional number: set == 0 means the member was absent. */
struct opt_int {
	int set;
	int64_t v;
};

struct sip_id {
	const char *username;
	const char *domain;
};

/* Lists carry their allocated capacity (cap) for the store's own use. */
struct str_list {
	size_t n, cap;
	char **v;
};

struct property {
	const char *name;
	const char *value;
};

struct prop_list {
	size_t n, cap;
	struct property *v;
};

struct acl_entry {
	const char *ip;
	int64_t mask;
	const char *tag;    /* "" when none */
};

struct acl_list {
	size_t n, cap;
	struct acl_entry *v;
};

enum pw_kind { PW_NONE = 0, PW_CLEAR, PW_DIGEST };

/* A password as the client sent it (validate.c classifies it). */
struct password {
	enum pw_kind kind;           /* PW_NONE: absent or empty (unchanged) */
	const char *clear;           /* PW_CLEAR */
	char ha1[DIGEST_HEX + 1];    /* PW_DIGEST: as given, lower-cased */
	char ha1b[DIGEST_HEX + 1];
};

/* String members: NULL = absent (default on add, unchanged on update). */
struct domain {
	const char *domain;
	struct opt_int customer, reseller;
	const char *certificate, *private_key, *match_ip_address, *match_sip_domain;
	struct opt_int verify_cert, require_cert;
	int64_t change_date;         /* out: Unix time */
};

/* In: id, pw, the optional members; groups/properties/acl NULL = absent,
 * otherwise the whole new list. Out (from the store): everything, with
 * password = the stored clear text ("" when not kept), ha1, customer and
 * reseller (the domain's), dates as Unix time. */
struct account {
	struct sip_id id;
	struct password pw;
	const char *password, *ha1;
	const char *first_name, *last_name, *email, *rpid, *timezone, *region, *quickdial_prefix;
	struct opt_int owner, prepaid, quota, call_limit, timeout;
	int64_t customer, reseller;
	struct str_list *groups;
	struct prop_list *properties;
	struct acl_list *acl;
	int64_t create_date, change_date;
	uint64_t sid;                /* internal: subscriber.id */
};

/* In: id, target (has_target: given), owner. Out: all, customer/reseller
 * from the alias's domain. */
struct alias {
	struct sip_id id;
	struct sip_id target;
	int has_target;
	struct opt_int owner;
	int64_t customer, reseller;
	int64_t change_date;
};

/* Listings: NULL or "" strings and 0 numbers mean "any"; strings match
 * exactly, or with LIKE when they contain % or _. */
struct list_order {
	const char *attribute;       /* NULL/"": the listing's default */
	const char *direction;       /* "ASC", "DESC" (any case); NULL/"": default */
};

struct list_range {
	struct opt_int start;        /* offset, default 0 */
	struct opt_int count;        /* page size; absent or 0: QUERY_MAX_COUNT */
};

struct domain_query {
	const char *domain;
	int64_t customer, reseller;
	struct list_order order;
	struct list_range range;
};

struct account_query {
	const char *username, *domain, *first_name, *last_name, *email;
	int64_t owner, customer, reseller;
	const struct str_list *groups; /* accounts in every listed group ("" = any) */
	struct list_order order;
	struct list_range range;
};

struct alias_query {
	const char *alias_username, *alias_domain, *target_username, *target_domain;
	int64_t owner, customer, reseller;
	struct list_order order;
	struct list_range range;
};

struct domain_list {
	int64_t total;               /* all matches, not just this page */
	size_t n, cap;
	struct domain *v;
};

struct account_list {
	int64_t total;
	size_t n, cap;
	struct account *v;
};

struct alias_list {
	int64_t total;
	size_t n, cap;
	struct alias *v;
};

/* What a store call yields beyond its status. */
struct store_res {
	struct arena arena;
	struct ngn_err err;
	int policy_changed;
};

void store_res_init(struct store_res *res);
void store_res_free(struct store_res *res);

/* Domains. add: NGN_E_DOMAIN_EXISTS. update/delete: NGN_E_DOMAIN_NOT_FOUND;
 * delete: NGN_E_DOMAIN_NOT_EMPTY while accounts or aliases are in it. */
enum ngn_status store_domain_add(struct db *db, const struct scope *sc, const struct domain *d,
				 struct store_res *res);
enum ngn_status store_domain_update(struct db *db, const struct scope *sc, const struct domain *d,
				    struct store_res *res);
enum ngn_status store_domain_delete(struct db *db, const struct scope *sc, const char *domain,
				    struct store_res *res);
enum ngn_status store_domain_list(struct db *db, const struct scope *sc, const struct domain_query *q,
				  struct domain_list *out, struct store_res *res);

/* Accounts. keep_clear: store the clear password too (cfg
 * store_clear_text_passwords); ha1/ha1b are always stored.
 * add: NGN_E_DOMAIN_NOT_FOUND, NGN_E_ACCOUNT_EXISTS, NGN_E_ALIAS_EXISTS (the
 * name is an alias); the username STORE_AUTOINCREMENT allocates the next
 * free number of the domain's counter. *out is the stored account.
 * update/delete/get: NGN_E_ACCOUNT_NOT_FOUND. delete also removes the
 * account's group rows and the aliases that point to it. */
enum ngn_status store_account_add(struct db *db, const struct scope *sc, const struct account *a,
				  int keep_clear, struct account *out, struct store_res *res);
enum ngn_status store_account_update(struct db *db, const struct scope *sc, const struct account *a,
				     int keep_clear, struct store_res *res);
enum ngn_status store_account_delete(struct db *db, const struct scope *sc, const struct sip_id *id,
				     struct store_res *res);
enum ngn_status store_account_get(struct db *db, const struct scope *sc, const struct sip_id *id,
				  struct account *out, struct store_res *res);
enum ngn_status store_account_list(struct db *db, const struct scope *sc, const struct account_query *q,
				   struct account_list *out, struct store_res *res);

/* Aliases. add: NGN_E_DOMAIN_NOT_FOUND (alias domain), NGN_E_ALIAS_IS_ACCOUNT,
 * NGN_E_ACCOUNT_NOT_FOUND (target), NGN_E_ALIAS_EXISTS. update (target and
 * owner; absent = unchanged), delete, get: NGN_E_ALIAS_NOT_FOUND, update
 * also NGN_E_ACCOUNT_NOT_FOUND (target). */
enum ngn_status store_alias_add(struct db *db, const struct scope *sc, const struct alias *al,
				struct store_res *res);
enum ngn_status store_alias_update(struct db *db, const struct scope *sc, const struct alias *al,
				   struct store_res *res);
enum ngn_status store_alias_delete(struct db *db, const struct scope *sc, const struct sip_id *id,
				   struct store_res *res);
enum ngn_status store_alias_get(struct db *db, const struct scope *sc, const struct sip_id *id,
				struct alias *out, struct store_res *res);
enum ngn_status store_alias_list(struct db *db, const struct scope *sc, const struct alias_query *q,
				 struct alias_list *out, struct store_res *res);

/* Group membership (Kamailio's grp). All: NGN_E_ACCOUNT_NOT_FOUND.
 * add is idempotent (already a member: NGN_OK, nothing written);
 * remove: NGN_E_NOT_IN_GROUP when not a member. list: sorted names. */
enum ngn_status store_group_add(struct db *db, const struct scope *sc, const struct sip_id *id,
				const char *group, struct store_res *res);
enum ngn_status store_group_remove(struct db *db, const struct scope *sc, const struct sip_id *id,
				   const char *group, struct store_res *res);
enum ngn_status store_group_list(struct db *db, const struct scope *sc, const struct sip_id *id,
				 struct str_list *out, struct store_res *res);

#endif
