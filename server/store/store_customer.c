/* store_customer.c: customers and resellers (table customer, schema 004),
 * their properties (customer_property) and the API login each one owns
 * (the api_user row with customer_id = id). All SQL of the Customer port.
 *
 * Invariants, enforced here:
 *  C1. A customer's reseller is a reseller: either the customer itself
 *      (id == reseller, set in the add transaction right after the insert)
 *      or a row with id == reseller that exists when the customer is added.
 *  C2. One identity: a customer row and its api_user row are written in one
 *      transaction. api_user.username = customer.username, role reseller
 *      when id == reseller else customer, api_user.customer/reseller = the
 *      record's ids, pw_hash = yescrypt of customer.password. A username
 *      taken by any API login (an operator's too) is NGN_E_CUSTOMER_EXISTS.
 *      Deleting the customer deletes the login (FOREIGN KEY ... CASCADE).
 *  C3. Properties are unique by name per customer; setProperties merges
 *      (INSERT ... ON DUPLICATE KEY UPDATE), it never removes one.
 *  C4. A reseller is deleted only while no other customer names it, checked
 *      under its row lock, which every add under it takes in share mode.
 *
 * Passwords are hashed (crypt, milliseconds) before the transaction starts,
 * so no row lock is held while crypt runs. Scope (scope.h): a reseller
 * scope sees rows with reseller = its id, a customer scope its own row
 * only; the Customer port is admin-only today (optable.c), so the narrowing
 * is exercised by the in-process tests only. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/auth.h"
#include "core/utf8.h"
#include "store-internal.h"
#include "store_customer.h"
#include "store_query.h"

#define DEF_(e, wire, col, max) { #wire, #col, max },
const struct customer_field_def customer_fields[CF_COUNT] = { CUSTOMER_STR_FIELDS(DEF_) };
#undef DEF_

#define COL_(e, wire, col, max) ", c." #col
#define INSCOL_(e, wire, col, max) ", " #col
#define QMARK_(e, wire, col, max) ", ?"
#define SETCOL_(e, wire, col, max) ", " #col " = COALESCE(?, " #col ")"

/* c.reseller / c.id against the scope, bound with store_scope_args */
#define CUSTOMER_SCOPE_COND " AND (? = 0 OR c.reseller = ?) AND (? = 0 OR c.id = ?)"

#define CUSTOMER_COLUMNS \
	"SELECT c.id, c.reseller, c.impersonate, c.reseller_active, c.balance, c.credit," \
	" DATE_FORMAT(c.change_date, '%Y-%m-%d %H:%i:%s')" CUSTOMER_STR_FIELDS(COL_)
#define NCOLS_FIXED 7

static const char SQL_GET[] = CUSTOMER_COLUMNS " FROM customer c WHERE c.id = ?" CUSTOMER_SCOPE_COND;
static const char SQL_LOCK[] =
	"SELECT c.id, c.reseller FROM customer c WHERE c.id = ?" CUSTOMER_SCOPE_COND " FOR UPDATE";
static const char SQL_LOCK_RESELLER_SHARE[] =
	"SELECT c.id FROM customer c WHERE c.id = ? AND c.reseller = c.id LOCK IN SHARE MODE";
static const char SQL_INSERT[] =
	"INSERT INTO customer (reseller, impersonate, reseller_active, balance, credit"
	CUSTOMER_STR_FIELDS(INSCOL_) ") VALUES (?, ?, ?, ?, ?" CUSTOMER_STR_FIELDS(QMARK_) ")";
static const char SQL_SELF_RESELLER[] = "UPDATE customer SET reseller = id WHERE id = ?";
static const char SQL_UPDATE[] =
	"UPDATE customer SET change_date = CURRENT_TIMESTAMP, impersonate = COALESCE(?, impersonate),"
	" reseller_active = COALESCE(?, reseller_active), balance = COALESCE(?, balance),"
	" credit = COALESCE(?, credit)" CUSTOMER_STR_FIELDS(SETCOL_) " WHERE id = ?";
static const char SQL_LOGIN_INSERT[] =
	"INSERT INTO api_user (username, pw_hash, role, customer, reseller, customer_id) VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_LOGIN_UPDATE[] =
	"UPDATE api_user SET username = ?, pw_hash = COALESCE(?, pw_hash), change_date = NOW() WHERE customer_id = ?";
static const char SQL_LOGIN_TAKEN[] = "SELECT 1 FROM api_user WHERE username = ? AND (customer_id IS NULL OR customer_id <> ?)";
static const char SQL_HAS_CUSTOMERS[] = "SELECT 1 FROM customer WHERE reseller = ? AND id <> ? LIMIT 1";
static const char SQL_DELETE[] = "DELETE FROM customer WHERE id = ?";
static const char SQL_PROPS_GET[] =
	"SELECT name, value, category, permission FROM customer_property WHERE customer_id = ? ORDER BY name";
/* a listing page's properties, EXTRAS_BATCH customers a statement (unused
 * slots bound to 0; rows of a customer not in the batch are ignored) */
static const char SQL_PROPS_BATCH[] =
	"SELECT customer_id, name, value, category, permission FROM customer_property"
	" WHERE customer_id" EXTRAS_IN " ORDER BY customer_id, name";
static const char SQL_PROPS_DROP[] = "DELETE FROM customer_property WHERE customer_id = ?";
static const char SQL_PROP_MERGE[] =
	"INSERT INTO customer_property (customer_id, name, value, category, permission) VALUES (?, ?, ?, ?, ?)"
	" ON DUPLICATE KEY UPDATE value = VALUES(value), category = VALUES(category), permission = VALUES(permission)";

static const struct query_sort customer_sorts[] = {
	{ "changeDate", "c.change_date ASC, c.id ASC", "c.change_date DESC, c.id DESC", 1 },
	{ "username", "c.username ASC", "c.username DESC", 0 },
	{ "firstName", "c.first_name ASC, c.id ASC", "c.first_name DESC, c.id DESC", 0 },
	{ "lastName", "c.last_name ASC, c.id ASC", "c.last_name DESC, c.id DESC", 0 },
	{ "organization", "c.organization ASC, c.id ASC", "c.organization DESC, c.id DESC", 0 },
	{ "customer", "c.id ASC", "c.id DESC", 0 },
	{ NULL, NULL, NULL, 0 },
};

static const struct query_def customer_listing = { CUSTOMER_COLUMNS, " FROM customer c", customer_sorts };

/* ---- validation (no I/O) ----------------------------------------------- */

static int only(const char *s, const char *set)
{
	return s[strspn(s, set)] == '\0';
}

enum ngn_status customer_check(const struct customer *c, int adding, struct ngn_err *e)
{
	for (int i = 0; i < CF_COUNT; i++) {
		const char *s = c->str[i];
		if (s == NULL)
			continue;
		int ctl = 0;
		long n = utf8_chars(s, &ctl);
		if (n < 0 || (ctl & UTF8_CTL_XML) || (size_t)n > customer_fields[i].max)
			return err_set(e, i == CF_PASSWORD ? NGN_E_INVALID_PASSWORD : NGN_E_INVALID_VALUE,
				       "%s must be text of at most %zu characters", customer_fields[i].wire,
				       customer_fields[i].max);
	}
	const char *u = c->str[CF_USERNAME];
	if (adding && (u == NULL || *u == '\0'))
		return err_set(e, NGN_E_MISSING_FIELD, "username is required");
	if (u && (*u == '\0' || !only(u, "abcdefghijklmnopqrstuvwxyz0123456789._-@+")))
		return err_set(e, NGN_E_INVALID_USERNAME,
			       "username must be lower-case letters, digits and . _ - @ +");
	const char *p = c->str[CF_PASSWORD];
	if (adding && (p == NULL || *p == '\0'))
		return err_set(e, NGN_E_MISSING_FIELD, "password is required");
	if (p && *p == '\0')
		return err_set(e, NGN_E_INVALID_PASSWORD, "password must not be empty");
	static const enum customer_field phones[] = { CF_TEL, CF_FAX, CF_ENUM };
	for (size_t i = 0; i < sizeof phones / sizeof phones[0]; i++) {
		const char *s = c->str[phones[i]];
		if (s && !only(s, "+0123456789"))
			return err_set(e, NGN_E_INVALID_VALUE, "%s may hold only + and digits",
				       customer_fields[phones[i]].wire);
	}
	if ((c->balance_set && (!isfinite(c->balance) || fabs(c->balance) >= 1e10)) ||
	    (c->credit_set && (!isfinite(c->credit) || fabs(c->credit) >= 1e10)))
		return err_set(e, NGN_E_INVALID_VALUE, "balance and credit must be numbers below 10^10");
	if ((c->reseller.set && (c->reseller.v < 0 || c->reseller.v > UINT32_MAX)) ||
	    (c->impersonate.set && (c->impersonate.v < 0 || c->impersonate.v > UINT32_MAX)))
		return err_set(e, NGN_E_INVALID_VALUE, "reseller and impersonate must be customer ids");
	if (c->reseller_active.set && c->reseller_active.v != 0 && c->reseller_active.v != 1)
		return err_set(e, NGN_E_INVALID_VALUE, "resellerActive must be 0 or 1");
	return customer_props_check(c->props, c->nprops, e);
}

enum ngn_status customer_props_check(const struct customer_property *p, size_t n, struct ngn_err *e)
{
	if (n > CUSTOMER_PROPERTIES_MAX)
		return err_set(e, NGN_E_TOO_LARGE, "at most %d properties", CUSTOMER_PROPERTIES_MAX);
	for (size_t i = 0; i < n; i++) {
		int ctl = 0;
		long len = p[i].name ? utf8_chars(p[i].name, &ctl) : -1;
		if (len <= 0 || (ctl & UTF8_CTL_XML) || len > STORE_PROPERTY_NAME_MAX)
			return err_set(e, NGN_E_INVALID_PROPERTY, "property %zu: name must be 1 to %d characters",
				       i + 1, STORE_PROPERTY_NAME_MAX);
		len = p[i].value ? utf8_chars(p[i].value, &ctl) : 0;
		if (len < 0 || (ctl & UTF8_CTL_XML) || len > STORE_PROPERTY_VALUE_MAX)
			return err_set(e, NGN_E_INVALID_PROPERTY, "property %s: value is not valid text", p[i].name);
		const char *perm = p[i].permission;
		if (perm && *perm && strcmp(perm, "admin") && strcmp(perm, "reseller") && strcmp(perm, "customer"))
			return err_set(e, NGN_E_INVALID_PROPERTY,
				       "property %s: permission must be admin, reseller or customer", p[i].name);
		const char *cat = p[i].category;
		if (cat && strlen(cat) > 32)
			return err_set(e, NGN_E_INVALID_PROPERTY, "property %s: category is too long", p[i].name);
	}
	return NGN_OK;
}

/* ---- rows -------------------------------------------------------------- */

struct cust_op {
	const struct scope *sc;
	const struct customer *c;
	int64_t id;
	const char *hash;                 /* new login hash, or NULL */
	const struct customer_property *props;
	size_t nprops;
	const struct customer_query *q;
	int only_resellers;
	struct customer *out;
	struct customer_list *list;
	struct store_res *res;
};

static enum ngn_status prop_row(void *arg, const struct db_val *c, size_t ncols)
{
	struct cust_op *op = arg;
	struct arena *a = &op->res->arena;
	struct customer *o = op->out;
	(void)ncols;
	/* props is const for callers; the store builds the array it returns */
	struct customer_property *v = (struct customer_property *)o->props;
	if (o->nprops % 16 == 0) {
		struct customer_property *nv = arena_alloc(a, (o->nprops + 16) * sizeof *nv);
		if (nv == NULL)
			return NGN_E_INTERNAL;
		if (o->nprops)
			memcpy(nv, v, o->nprops * sizeof *nv);
		v = nv;
	}
	struct customer_property *p = &v[o->nprops];
	p->name = store_col_str(a, &c[0]);
	p->value = store_col_str(a, &c[1]);
	p->category = store_col_str(a, &c[2]);
	p->permission = store_col_str(a, &c[3]);
	if (!p->name || !p->value || !p->category || !p->permission)
		return NGN_E_INTERNAL;
	o->props = v;
	o->nprops++;
	return NGN_OK;
}

static enum ngn_status load_props(struct db *db, struct cust_op *op, struct customer *out)
{
	struct customer *saved = op->out;
	op->out = out;
	out->props = NULL;
	out->nprops = 0;
	out->props_set = 1;
	struct db_val a[1] = { DB_I(out->id) };
	enum ngn_status st = db_query(db, SQL_PROPS_GET, a, 1, prop_row, op, NULL);
	op->out = saved;
	return st;
}

struct props_batch {
	struct cust_op *op;
	struct customer *v;
	size_t n;
};

static enum ngn_status batch_prop_row(void *arg, const struct db_val *c, size_t ncols)
{
	struct props_batch *b = arg;
	int64_t id = store_col_int(&c[0]);
	for (size_t i = 0; i < b->n; i++) {
		if (b->v[i].id != id)
			continue;
		struct customer *saved = b->op->out;
		b->op->out = &b->v[i];
		enum ngn_status st = prop_row(b->op, c + 1, ncols - 1);
		b->op->out = saved;
		return st;
	}
	return NGN_OK;
}

/* Properties of a listing's page v[0..n): one statement per EXTRAS_BATCH
 * customers instead of one per customer. */
static enum ngn_status load_page_props(struct db *db, struct cust_op *op, struct customer *v, size_t n)
{
	enum ngn_status st = NGN_OK;
	for (size_t i = 0; i < n; i++) {
		v[i].props = NULL;
		v[i].nprops = 0;
		v[i].props_set = 1;
	}
	for (size_t off = 0; st == NGN_OK && off < n; off += EXTRAS_BATCH) {
		struct props_batch b = { op, v + off, n - off < EXTRAS_BATCH ? n - off : EXTRAS_BATCH };
		struct db_val ids[EXTRAS_BATCH];
		for (size_t i = 0; i < EXTRAS_BATCH; i++)
			ids[i] = DB_I(i < b.n ? b.v[i].id : 0);
		st = db_query(db, SQL_PROPS_BATCH, ids, EXTRAS_BATCH, batch_prop_row, &b, NULL);
	}
	return st;
}

static enum ngn_status fill(struct arena *a, const struct db_val *c, struct customer *o)
{
	memset(o, 0, sizeof *o);
	o->id = store_col_int(&c[0]);
	o->reseller = (struct opt_int){ 1, store_col_int(&c[1]) };
	o->impersonate = (struct opt_int){ 1, store_col_int(&c[2]) };
	o->reseller_active = (struct opt_int){ 1, store_col_int(&c[3]) };
	char *b = store_col_str(a, &c[4]), *k = store_col_str(a, &c[5]);
	o->change_date = store_col_str(a, &c[6]);
	if (!b || !k || !o->change_date)
		return NGN_E_INTERNAL;
	o->balance_set = o->credit_set = 1;
	o->balance = strtod(b, NULL);
	o->credit = strtod(k, NULL);
	for (int i = 0; i < CF_COUNT; i++)
		if ((o->str[i] = store_col_str(a, &c[NCOLS_FIXED + i])) == NULL)
			return NGN_E_INTERNAL;
	return NGN_OK;
}

struct one_row {
	struct arena *a;
	struct customer *out;
	int found;
};

static enum ngn_status one_row(void *arg, const struct db_val *c, size_t ncols)
{
	struct one_row *r = arg;
	(void)ncols;
	r->found = 1;
	return fill(r->a, c, r->out);
}

/* reads row id (in scope) into out, properties included */
static enum ngn_status read_one(struct db *db, struct cust_op *op, int64_t id, struct customer *out)
{
	struct db_val a[1 + SCOPE_NARGS] = { DB_I(id) };
	store_scope_args(op->sc, a + 1);
	struct one_row r = { &op->res->arena, out, 0 };
	enum ngn_status st = db_query(db, SQL_GET, a, 1 + SCOPE_NARGS, one_row, &r, NULL);
	if (st != NGN_OK)
		return st;
	if (!r.found)
		return err_set(&op->res->err, NGN_E_CUSTOMER_NOT_FOUND, "customer %lld does not exist", (long long)id);
	return load_props(db, op, out);
}

/* locks row id (in scope) FOR UPDATE; *reseller gets its reseller */
static enum ngn_status lock_one(struct db *db, struct cust_op *op, int64_t id, int64_t *reseller)
{
	struct db_val a[1 + SCOPE_NARGS] = { DB_I(id) };
	store_scope_args(op->sc, a + 1);
	struct db_val out[2];
	char buf[64];
	int found = 0;
	enum ngn_status st = db_query_one(db, SQL_LOCK, a, 1 + SCOPE_NARGS, out, 2, buf, sizeof buf, &found);
	if (st != NGN_OK)
		return st;
	if (!found)
		return err_set(&op->res->err, NGN_E_CUSTOMER_NOT_FOUND, "customer %lld does not exist", (long long)id);
	*reseller = store_col_int(&out[1]);
	return NGN_OK;
}

static struct db_val money_val(struct arena *a, int set, double v, int dflt)
{
	if (!set)
		return dflt ? DB_S("0") : DB_NUL;
	char buf[48];
	snprintf(buf, sizeof buf, "%.4f", v);
	char *s = arena_strdup(a, buf);
	return s ? DB_S(s) : DB_NUL;
}

static enum ngn_status username_free(struct db *db, struct cust_op *op, const char *user, int64_t self)
{
	struct db_val a[2] = { DB_S(user), DB_I(self) };
	uint64_t n = 0;
	enum ngn_status st = db_query(db, SQL_LOGIN_TAKEN, a, 2, NULL, NULL, &n);
	if (st == NGN_OK && n)
		return err_set(&op->res->err, NGN_E_CUSTOMER_EXISTS, "login %s already exists", user);
	return st;
}

static enum ngn_status merge_props(struct db *db, int64_t id, const struct customer_property *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct db_val a[5] = {
			DB_I(id), DB_S(p[i].name), DB_S(p[i].value ? p[i].value : ""),
			DB_S(p[i].category ? p[i].category : ""),
			DB_S(p[i].permission && *p[i].permission ? p[i].permission : "customer"),
		};
		enum ngn_status st = db_exec(db, SQL_PROP_MERGE, a, 5, NULL, NULL);
		if (st != NGN_OK)
			return st;
	}
	return NGN_OK;
}

/* ---- operations -------------------------------------------------------- */

static enum ngn_status add_body(struct db *db, void *arg)
{
	struct cust_op *op = arg;
	const struct customer *c = op->c;
	struct ngn_err *e = &op->res->err;
	int64_t reseller = c->reseller.set ? c->reseller.v : 0;
	if (op->sc->reseller)
		reseller = op->sc->reseller; /* a reseller adds under itself (§3.5) */
	if (reseller) { /* C1, C4 */
		struct db_val r[1] = { DB_I(reseller) };
		uint64_t n = 0;
		enum ngn_status st = db_query(db, SQL_LOCK_RESELLER_SHARE, r, 1, NULL, NULL, &n);
		if (st != NGN_OK)
			return st;
		if (!n)
			return err_set(e, NGN_E_CUSTOMER_NOT_FOUND, "reseller %lld does not exist", (long long)reseller);
	}
	enum ngn_status st = username_free(db, op, c->str[CF_USERNAME], 0);
	if (st != NGN_OK)
		return st;
	struct arena *ar = &op->res->arena;
	struct db_val a[5 + CF_COUNT] = {
		DB_I(reseller), DB_I(c->impersonate.set ? c->impersonate.v : 0),
		DB_I(c->reseller_active.set ? c->reseller_active.v : 0),
		money_val(ar, c->balance_set, c->balance, 1), money_val(ar, c->credit_set, c->credit, 1),
	};
	for (int i = 0; i < CF_COUNT; i++)
		a[5 + i] = DB_S(c->str[i] ? c->str[i] : "");
	uint64_t id = 0;
	st = db_exec(db, SQL_INSERT, a, 5 + CF_COUNT, NULL, &id);
	if (st == NGN_E_CONFLICT && db_is_duplicate(db))
		return err_set(e, NGN_E_CUSTOMER_EXISTS, "customer %s already exists", c->str[CF_USERNAME]);
	if (st != NGN_OK)
		return st;
	if (reseller == 0) { /* C1: a new reseller is its own */
		reseller = (int64_t)id;
		struct db_val s[1] = { DB_I(id) };
		if ((st = db_exec(db, SQL_SELF_RESELLER, s, 1, NULL, NULL)) != NGN_OK)
			return st;
	}
	/* C2 */
	struct db_val l[6] = { DB_S(c->str[CF_USERNAME]), DB_S(op->hash),
			       DB_S((int64_t)id == reseller ? "reseller" : "customer"), DB_I(id), DB_I(reseller), DB_I(id) };
	st = db_exec(db, SQL_LOGIN_INSERT, l, 6, NULL, NULL);
	if (st == NGN_E_CONFLICT && db_is_duplicate(db))
		return err_set(e, NGN_E_CUSTOMER_EXISTS, "login %s already exists", c->str[CF_USERNAME]);
	if (st == NGN_OK)
		st = merge_props(db, (int64_t)id, c->props, c->nprops);
	if (st == NGN_OK) {
		/* read back as the admin it was written by: the scope already allowed it */
		struct scope all = { ROLE_ADMIN, 0, 0 };
		const struct scope *sc = op->sc;
		op->sc = &all;
		st = read_one(db, op, (int64_t)id, op->out);
		op->sc = sc;
	}
	return st;
}

static enum ngn_status update_body(struct db *db, void *arg)
{
	struct cust_op *op = arg;
	const struct customer *c = op->c;
	int64_t reseller;
	enum ngn_status st = lock_one(db, op, c->id, &reseller);
	if (st == NGN_OK && c->str[CF_USERNAME])
		st = username_free(db, op, c->str[CF_USERNAME], c->id);
	if (st != NGN_OK)
		return st;
	struct arena *ar = &op->res->arena;
	struct db_val a[5 + CF_COUNT] = {
		opt_int_val(&c->impersonate), opt_int_val(&c->reseller_active),
		money_val(ar, c->balance_set, c->balance, 0), money_val(ar, c->credit_set, c->credit, 0),
	};
	for (int i = 0; i < CF_COUNT; i++)
		a[4 + i] = opt_str_val(c->str[i]);
	a[4 + CF_COUNT] = DB_I(c->id);
	st = db_exec(db, SQL_UPDATE, a, 5 + CF_COUNT, NULL, NULL);
	if (st == NGN_E_CONFLICT && db_is_duplicate(db))
		return err_set(&op->res->err, NGN_E_CUSTOMER_EXISTS, "customer %s already exists", c->str[CF_USERNAME]);
	if (st != NGN_OK)
		return st;
	if (c->str[CF_USERNAME] || op->hash) { /* C2 */
		struct customer now;
		if ((st = read_one(db, op, c->id, &now)) != NGN_OK)
			return st;
		struct db_val l[3] = { DB_S(now.str[CF_USERNAME]), op->hash ? DB_S(op->hash) : DB_NUL, DB_I(c->id) };
		if ((st = db_exec(db, SQL_LOGIN_UPDATE, l, 3, NULL, NULL)) != NGN_OK)
			return st;
	}
	if (c->props_set) {
		struct db_val d[1] = { DB_I(c->id) };
		st = db_exec(db, SQL_PROPS_DROP, d, 1, NULL, NULL);
		if (st == NGN_OK)
			st = merge_props(db, c->id, c->props, c->nprops);
	}
	return st;
}

static enum ngn_status delete_body(struct db *db, void *arg)
{
	struct cust_op *op = arg;
	int64_t reseller;
	enum ngn_status st = lock_one(db, op, op->id, &reseller);
	if (st != NGN_OK)
		return st;
	if (reseller == op->id) { /* C4 */
		struct db_val a[2] = { DB_I(op->id), DB_I(op->id) };
		uint64_t n = 0;
		if ((st = db_query(db, SQL_HAS_CUSTOMERS, a, 2, NULL, NULL, &n)) != NGN_OK)
			return st;
		if (n)
			return err_set(&op->res->err, NGN_E_FORBIDDEN,
				       "reseller %lld still has customers; delete them first", (long long)op->id);
	}
	struct db_val a[1] = { DB_I(op->id) };
	return db_exec(db, SQL_DELETE, a, 1, NULL, NULL); /* properties and login cascade (C2) */
}

static enum ngn_status get_body(struct db *db, void *arg)
{
	struct cust_op *op = arg;
	return read_one(db, op, op->id, op->out);
}

static enum ngn_status list_row(void *arg, const struct db_val *c, size_t ncols)
{
	struct cust_op *op = arg;
	struct customer_list *l = op->list;
	(void)ncols;
	struct customer *o = store_vec_push(&op->res->arena, (void **)&l->v, &l->n, &l->cap, sizeof *o);
	return o ? fill(&op->res->arena, c, o) : NGN_E_INTERNAL;
}

static enum ngn_status list_body(struct db *db, void *arg)
{
	struct cust_op *op = arg;
	const struct customer_query *cq = op->q;
	struct query q;
	query_init(&q, &customer_listing);
	static const enum customer_field filters[] = { CF_USERNAME, CF_FIRST_NAME, CF_LAST_NAME, CF_ORGANIZATION,
						       CF_TEL, CF_EMAIL, CF_WEB, CF_CITY, CF_COUNTRY };
	/* the condition texts, as literals (store_query.h) */
	static const char *const eq[] = { "c.username = ?", "c.first_name = ?", "c.last_name = ?",
					   "c.organization = ?", "c.tel = ?", "c.email = ?", "c.web = ?",
					   "c.city = ?", "c.country = ?" };
	static const char *const like[] = { "c.username LIKE ?", "c.first_name LIKE ?", "c.last_name LIKE ?",
					    "c.organization LIKE ?", "c.tel LIKE ?", "c.email LIKE ?",
					    "c.web LIKE ?", "c.city LIKE ?", "c.country LIKE ?" };
	for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++)
		query_str(&q, eq[i], like[i], cq->str[filters[i]]);
	query_int(&q, "c.id = ?", cq->customer);
	query_int(&q, "c.reseller = ?", cq->reseller);
	/* getResellers lists resellers; asked for one id, it returns that
	 * account whatever it is (CDRTool's getLoginAccount, contract §3.4) */
	int resellers = cq->only_resellers || (op->only_resellers && cq->customer == 0);
	query_int(&q, "c.id = c.reseller AND ? = 1", resellers);
	store_scope_query(&q, op->sc, "c.reseller = ?", "c.id = ?");
	memset(op->list, 0, sizeof *op->list);
	enum ngn_status st = store_list(db, &q, &cq->order, &cq->range, &op->list->total, list_row, op,
					&op->res->err);
	/* listings carry properties (CDRTool reads accounts[i].properties) */
	if (st == NGN_OK)
		st = load_page_props(db, op, op->list->v, op->list->n);
	return st;
}

static enum ngn_status set_props_body(struct db *db, void *arg)
{
	struct cust_op *op = arg;
	int64_t reseller;
	enum ngn_status st = lock_one(db, op, op->id, &reseller);
	if (st == NGN_OK)
		st = merge_props(db, op->id, op->props, op->nprops); /* C3 */
	return st;
}

static enum ngn_status get_props_body(struct db *db, void *arg)
{
	struct cust_op *op = arg;
	struct db_val a[1 + SCOPE_NARGS] = { DB_I(op->id) };
	store_scope_args(op->sc, a + 1);
	uint64_t n = 0;
	enum ngn_status st = db_query(db, SQL_GET, a, 1 + SCOPE_NARGS, NULL, NULL, &n);
	if (st != NGN_OK)
		return st;
	if (!n)
		return err_set(&op->res->err, NGN_E_CUSTOMER_NOT_FOUND, "customer %lld does not exist", (long long)op->id);
	op->out->id = op->id;
	return load_props(db, op, op->out);
}

enum ngn_status store_customer_add(struct db *db, const struct scope *sc, const struct customer *c,
				   struct customer *out, struct store_res *res)
{
	char hash[AUTH_HASH_MAX];
	enum ngn_status st = auth_hash_password(c->str[CF_PASSWORD], hash, sizeof hash);
	if (st != NGN_OK)
		return st;
	struct cust_op op = { .sc = sc, .c = c, .hash = hash, .out = out, .res = res };
	return store_txn(db, add_body, &op, res);
}

enum ngn_status store_customer_update(struct db *db, const struct scope *sc, const struct customer *c,
				      struct store_res *res)
{
	char hash[AUTH_HASH_MAX];
	const char *h = NULL;
	if (c->str[CF_PASSWORD]) {
		enum ngn_status st = auth_hash_password(c->str[CF_PASSWORD], hash, sizeof hash);
		if (st != NGN_OK)
			return st;
		h = hash;
	}
	struct cust_op op = { .sc = sc, .c = c, .hash = h, .res = res };
	return store_txn(db, update_body, &op, res);
}

enum ngn_status store_customer_delete(struct db *db, const struct scope *sc, int64_t id, struct store_res *res)
{
	struct cust_op op = { .sc = sc, .id = id, .res = res };
	return store_txn(db, delete_body, &op, res);
}

enum ngn_status store_customer_get(struct db *db, const struct scope *sc, int64_t id, struct customer *out,
				   struct store_res *res)
{
	struct cust_op op = { .sc = sc, .id = id, .out = out, .res = res };
	return store_read(db, get_body, &op, res);
}

enum ngn_status store_customer_list(struct db *db, const struct scope *sc, const struct customer_query *q,
				    int only_resellers_always, struct customer_list *out, struct store_res *res)
{
	struct cust_op op = { .sc = sc, .q = q, .only_resellers = only_resellers_always, .list = out, .res = res };
	return store_read(db, list_body, &op, res);
}

enum ngn_status store_customer_set_props(struct db *db, const struct scope *sc, int64_t id,
					 const struct customer_property *p, size_t n, struct store_res *res)
{
	struct cust_op op = { .sc = sc, .id = id, .props = p, .nprops = n, .res = res };
	return store_txn(db, set_props_body, &op, res);
}

enum ngn_status store_customer_get_props(struct db *db, const struct scope *sc, int64_t id,
					 struct customer *out, struct store_res *res)
{
	memset(out, 0, sizeof *out);
	struct cust_op op = { .sc = sc, .id = id, .out = out, .res = res };
	return store_read(db, get_props_body, &op, res);
}
