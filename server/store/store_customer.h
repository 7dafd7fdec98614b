/* store_customer.h: customers and resellers (NGNPro's Customer port), the
 * records that tenancy hangs on: every domain, account and alias carries a
 * customer and a reseller id, and those ids are customer.id values.
 *
 * A customer whose id equals its reseller is a reseller. An addAccount
 * without a reseller creates a reseller (the new id becomes its own
 * reseller), as an admin's CDRTool addAccount without a reseller filter
 * expects (contract part 2 §3.5).
 *
 * Identity: each customer owns exactly one API login, the api_user row
 * with customer_id = id, username = the customer's username, role reseller
 * or customer, and a yescrypt hash of the password. The store writes it in
 * the same transaction as the customer row, so the two never drift; the
 * clear password is kept on the customer row only, for the admin read that
 * NGNPro clients depend on (README, "Customers and logins").
 *
 * Contract as store.h: one transaction per call, scope in every call,
 * results in res->arena. Statuses: NGN_E_CUSTOMER_NOT_FOUND (5000) for an
 * id that does not exist (or a reseller id that names no reseller),
 * NGN_E_CUSTOMER_EXISTS (5001) for a username taken by a customer or by
 * any other API login. */
#ifndef NGN_STORE_CUSTOMER_H
#define NGN_STORE_CUSTOMER_H
#include "store.h"

/* The string members of a CustomerAccount: X(enum suffix, wire name,
 * column, max length in characters). Order is the wire order. */
#define CUSTOMER_STR_FIELDS(X) \
	X(USERNAME, username, username, 64) \
	X(PASSWORD, password, password, 64) \
	X(FIRST_NAME, firstName, first_name, 128) \
	X(LAST_NAME, lastName, last_name, 128) \
	X(ORGANIZATION, organization, organization, 255) \
	X(TEL, tel, tel, 64) \
	X(FAX, fax, fax, 64) \
	X(ENUM, enum, enum, 64) \
	X(SIP, sip, sip, 255) \
	X(MOBILE, mobile, mobile, 64) \
	X(EMAIL, email, email, 255) \
	X(WEB, web, web, 255) \
	X(ADDRESS, address, address, 255) \
	X(POSTCODE, postcode, postcode, 64) \
	X(CITY, city, city, 128) \
	X(STATE, state, state, 128) \
	X(COUNTRY, country, country, 64) \
	X(TIMEZONE, timezone, timezone, 64) \
	X(LANGUAGE, language, language, 64) \
	X(VAT_NUMBER, vatNumber, vat_number, 64) \
	X(BANK_ACCOUNT, bankAccount, bank_account, 255) \
	X(BILLING_EMAIL, billingEmail, billing_email, 255) \
	X(BILLING_ADDRESS, billingAddress, billing_address, 1024) \
	X(COMPANY_CODE, companyCode, company_code, 64)

#define CUSTOMER_ENUM_(e, wire, col, max) CF_##e,
enum customer_field { CUSTOMER_STR_FIELDS(CUSTOMER_ENUM_) CF_COUNT };
#undef CUSTOMER_ENUM_

struct customer_field_def {
	const char *wire;   /* member of CustomerAccount */
	const char *column; /* of table customer */
	size_t max;         /* characters */
};
extern const struct customer_field_def customer_fields[CF_COUNT];

#define CUSTOMER_PROPERTIES_MAX 200

struct customer_property {
	const char *name, *value, *category, *permission;
};

struct customer {
	int64_t id;                    /* out; the key of update */
	struct opt_int reseller;       /* add: absent or 0 = a new reseller */
	struct opt_int impersonate, reseller_active;
	int balance_set, credit_set;
	double balance, credit;
	const char *str[CF_COUNT];     /* NULL: absent (update leaves it) */
	const char *change_date;       /* out, "YYYY-MM-DD HH:MM:SS" UTC */
	int props_set;                 /* update: replace properties only when set */
	const struct customer_property *props;
	size_t nprops;
};

struct customer_query {
	const char *str[CF_COUNT];     /* filters (username ... country); NULL/"" = any */
	int only_resellers;
	int64_t customer, reseller;    /* 0 = any */
	struct list_order order;
	struct list_range range;
};

struct customer_list {
	int64_t total;
	struct customer *v;
	size_t n, cap;
};

/* Checks and bounds every member (no I/O): NGN_E_MISSING_FIELD (adding
 * without username or password), NGN_E_INVALID_USERNAME, _PASSWORD, _VALUE,
 * _PROPERTY, NGN_E_TOO_LARGE; message in e. */
enum ngn_status customer_check(const struct customer *c, int adding, struct ngn_err *e);
enum ngn_status customer_props_check(const struct customer_property *p, size_t n, struct ngn_err *e);

/* add: username and password required (validated by the caller); *out is
 * the stored record with its new id. */
enum ngn_status store_customer_add(struct db *db, const struct scope *sc, const struct customer *c,
				   struct customer *out, struct store_res *res);
/* update: by c->id; absent members unchanged; properties replaced when
 * props_set. A new username or password moves the owned login along. */
enum ngn_status store_customer_update(struct db *db, const struct scope *sc, const struct customer *c,
				      struct store_res *res);
/* delete: the customer, its properties and its login. NGN_E_FORBIDDEN
 * (with a message) for a reseller that still has other customers. */
enum ngn_status store_customer_delete(struct db *db, const struct scope *sc, int64_t id,
				      struct store_res *res);
enum ngn_status store_customer_get(struct db *db, const struct scope *sc, int64_t id, struct customer *out,
				   struct store_res *res);
/* list: only_resellers_always = 1 for getResellers. */
enum ngn_status store_customer_list(struct db *db, const struct scope *sc, const struct customer_query *q,
				    int only_resellers_always, struct customer_list *out, struct store_res *res);
/* setProperties: merges by name (insert or update), never removes. */
enum ngn_status store_customer_set_props(struct db *db, const struct scope *sc, int64_t id,
					 const struct customer_property *p, size_t n, struct store_res *res);
enum ngn_status store_customer_get_props(struct db *db, const struct scope *sc, int64_t id,
					 struct customer *out, struct store_res *res);

#endif
