/* store_account.c: SIP accounts: Kamailio's `subscriber` row (username,
 * domain, password, ha1, ha1b: what auth_db reads) plus ngnprod's
 * `sip_account` row and its properties and access list.
 *
 * Invariants, enforced here:
 *  A1. ha1 and ha1b are always stored and always match the password last
 *      set (computed from the lower-cased username and domain, or taken as
 *      given in the digest1:digest2 form). subscriber.password holds the
 *      clear text only when the operator keeps clear passwords; otherwise it
 *      is "" (also after a password change).
 *  A2. An account exists only in an existing domain, and its name is not
 *      also an alias of that domain: both are checked under the domain row
 *      lock (store_lock_domain). addAccount takes it in share mode, so adds
 *      into one domain run side by side; addAlias (the other half, L1 in
 *      store_alias.c), updateDomain and deleteDomain take it FOR UPDATE,
 *      which conflicts with share mode, so an alias and an account of one
 *      name never both get in, and a domain being deleted gains no account.
 *      Two adds of the same name meet on subscriber's unique key (username,
 *      domain): the second waits for the first and fails with
 *      NGN_E_ACCOUNT_EXISTS once it commits.
 *  A3. <autoincrement> hands out the next number of the domain's counter
 *      (sip_domain.auto_username, first STORE_AUTO_FIRST), skipping names
 *      already taken by an account or alias; the counter moves under the
 *      domain row lock, taken FOR UPDATE for it (it writes sip_domain), so
 *      concurrent calls never get the same name.
 *  A4. Deleting an account deletes its grp rows (with a proxy_event; G3 in
 *      store_group.c) and the aliases that point to it; properties, ACL and
 *      sip_account go by ON DELETE CASCADE.
 *  A5. addAccount answers with what it wrote instead of reading the account
 *      back (written_account): the reply equals a getAccount right after it.
 *      So every value add_body stores must be known to it: defaults are
 *      bound explicitly (no column DEFAULT is relied on), the dates are the
 *      database's clock read with the domain row and bound to the INSERT,
 *      and lists come back in get_one's order. A change to what add_body
 *      writes changes written_account too (check_core.c compares the two
 *      replies field for field). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "store-internal.h"
#include "store_query.h"

#define STORE_AUTO_FIRST 1000
#define STORE_AUTO_TRIES 1000

static const char SQL_NAME_TAKEN[] =
	"SELECT 1 FROM subscriber WHERE username = ? AND domain = ?"
	" UNION ALL SELECT 1 FROM dbaliases WHERE alias_username = ? AND alias_domain = ?";
static const char SQL_AUTO_SAVE[] = "UPDATE sip_domain SET auto_username = ? WHERE domain_id = ?";
static const char SQL_PASSWORD_UPDATE[] =
	"UPDATE subscriber SET password = ?, ha1 = ?, ha1b = ? WHERE id = ?";
static const char SQL_PROPS_DELETE[] = "DELETE FROM sip_account_property WHERE subscriber_id = ?";
static const char SQL_ACL_DELETE[] = "DELETE FROM sip_account_acl WHERE subscriber_id = ?";
static const char SQL_ACL_INSERT[] =
	"INSERT INTO sip_account_acl (subscriber_id, seq, ip, mask, tag) VALUES (?, ?, ?, ?, ?)";
static const char SQL_ALIASES_OF_DELETE[] = "DELETE FROM dbaliases WHERE username = ? AND domain = ?";
static const char SQL_SUBSCRIBER_DELETE[] = "DELETE FROM subscriber WHERE id = ?";

static const struct query_sort account_sorts[] = {
	{ "changeDate", ACCOUNT_BY_CHANGE_ASC, ACCOUNT_BY_CHANGE_DESC, 1 },
	{ "createDate", ACCOUNT_BY_CREATE_ASC, ACCOUNT_BY_CREATE_DESC, 1 },
	{ "username", "s.username ASC, s.domain ASC", "s.username DESC, s.domain DESC", 0 },
	{ "domain", "s.domain ASC, s.username ASC", "s.domain DESC, s.username DESC", 0 },
	{ "firstName", "a.first_name ASC, s.id ASC", "a.first_name DESC, s.id DESC", 0 },
	{ "lastName", "a.last_name ASC, s.id ASC", "a.last_name DESC, s.id DESC", 0 },
	{ "email", "a.email ASC, s.id ASC", "a.email DESC, s.id DESC", 0 },
	{ "owner", "a.owner ASC, s.id ASC", "a.owner DESC, s.id DESC", 0 },
	{ "customer", "a.customer ASC, s.id ASC", "a.customer DESC, s.id DESC", 0 },
	{ "reseller", "a.reseller ASC, s.id ASC", "a.reseller DESC, s.id DESC", 0 },
	{ NULL, NULL, NULL, 0 },
};

static const struct query_def account_listing = { ACCOUNT_COLUMNS, ACCOUNT_FROM, account_sorts };

static int64_t or0(const struct opt_int *o)
{
	return o->set ? o->v : 0;
}

/* ---- reading ------------------------------------------------------------ */

struct account_rows {
	struct arena *a;
	struct account_list *out;
};

/* Gives x its empty group, property and ACL lists, and checks that every
 * string of x was copied (NULL: the arena ran out). */
static enum ngn_status account_lists_new(struct arena *ar, struct account *x)
{
	x->groups = arena_alloc(ar, sizeof *x->groups);
	x->properties = arena_alloc(ar, sizeof *x->properties);
	x->acl = arena_alloc(ar, sizeof *x->acl);
	if (!x->id.username || !x->id.domain || !x->password || !x->ha1 || !x->first_name || !x->last_name
	    || !x->email || !x->rpid || !x->timezone || !x->region || !x->quickdial_prefix || !x->groups
	    || !x->properties || !x->acl)
		return NGN_E_INTERNAL;
	return NGN_OK;
}

static enum ngn_status account_row(void *arg, const struct db_val *c, size_t ncols)
{
	struct account_rows *r = arg;
	struct arena *ar = r->a;
	(void)ncols;
	struct account *x = store_vec_push(ar, (void **)&r->out->v, &r->out->n, &r->out->cap, sizeof *x);
	if (x == NULL)
		return NGN_E_INTERNAL;
	x->sid = (uint64_t)store_col_int(&c[0]);
	x->id.username = store_col_str(ar, &c[1]);
	x->id.domain = store_col_str(ar, &c[2]);
	x->password = store_col_str(ar, &c[3]);
	x->ha1 = store_col_str(ar, &c[4]);
	x->first_name = store_col_str(ar, &c[5]);
	x->last_name = store_col_str(ar, &c[6]);
	x->email = store_col_str(ar, &c[7]);
	x->rpid = store_col_str(ar, &c[8]);
	x->timezone = store_col_str(ar, &c[9]);
	x->owner = (struct opt_int){ 1, store_col_int(&c[10]) };
	x->customer = store_col_int(&c[11]);
	x->reseller = store_col_int(&c[12]);
	x->prepaid = (struct opt_int){ 1, store_col_int(&c[13]) };
	x->quota = (struct opt_int){ 1, store_col_int(&c[14]) };
	x->call_limit = (struct opt_int){ 1, store_col_int(&c[15]) };
	x->region = store_col_str(ar, &c[16]);
	x->timeout = (struct opt_int){ 1, store_col_int(&c[17]) };
	x->quickdial_prefix = store_col_str(ar, &c[18]);
	x->create_date = store_col_int(&c[19]);
	x->change_date = store_col_int(&c[20]);
	return account_lists_new(ar, x);
}

/* Where the rows of an extras statement go: the batch statements (listings)
 * start every row with the subscriber id, which picks the account of v; the
 * statements of one account (keyed == 0) do not, and fill v[0]. */
struct extras {
	struct arena *a;
	struct account *v;
	size_t n;
	int keyed;
};

/* The account a row belongs to, NULL if none of ours; advances *c past the
 * subscriber id of a keyed row. */
static struct account *row_account(struct extras *x, const struct db_val **c)
{
	if (!x->keyed)
		return x->v;
	uint64_t id = (uint64_t)store_col_int(&(*c)[0]);
	(*c)++;
	for (size_t i = 0; i < x->n; i++)
		if (x->v[i].sid == id)
			return &x->v[i];
	return NULL;
}

static enum ngn_status group_row(void *arg, const struct db_val *c, size_t ncols)
{
	struct extras *x = arg;
	(void)ncols;
	struct account *acc = row_account(x, &c);
	if (acc == NULL)
		return NGN_OK;
	struct str_list *l = acc->groups;
	char **slot = store_vec_push(x->a, (void **)&l->v, &l->n, &l->cap, sizeof *slot);
	if (slot == NULL || (*slot = store_col_str(x->a, &c[0])) == NULL)
		return NGN_E_INTERNAL;
	return NGN_OK;
}

static enum ngn_status prop_row(void *arg, const struct db_val *c, size_t ncols)
{
	struct extras *x = arg;
	(void)ncols;
	struct account *acc = row_account(x, &c);
	if (acc == NULL)
		return NGN_OK;
	struct prop_list *l = acc->properties;
	struct property *p = store_vec_push(x->a, (void **)&l->v, &l->n, &l->cap, sizeof *p);
	if (p == NULL || (p->name = store_col_str(x->a, &c[0])) == NULL || (p->value = store_col_str(x->a, &c[1])) == NULL)
		return NGN_E_INTERNAL;
	return NGN_OK;
}

static enum ngn_status acl_row(void *arg, const struct db_val *c, size_t ncols)
{
	struct extras *x = arg;
	(void)ncols;
	struct account *acc = row_account(x, &c);
	if (acc == NULL)
		return NGN_OK;
	struct acl_list *l = acc->acl;
	struct acl_entry *e = store_vec_push(x->a, (void **)&l->v, &l->n, &l->cap, sizeof *e);
	if (e == NULL || (e->ip = store_col_str(x->a, &c[0])) == NULL || (e->tag = store_col_str(x->a, &c[2])) == NULL)
		return NGN_E_INTERNAL;
	e->mask = store_col_int(&c[1]);
	return NGN_OK;
}

/* Fills groups, properties and acl of v[0..n) (a listing's page): three
 * statements per EXTRAS_BATCH accounts. */
static enum ngn_status load_extras(struct db *db, struct arena *a, struct account *v, size_t n)
{
	enum ngn_status st = NGN_OK;
	for (size_t off = 0; st == NGN_OK && off < n; off += EXTRAS_BATCH) {
		struct extras x = { a, v + off, n - off < EXTRAS_BATCH ? n - off : EXTRAS_BATCH, 1 };
		struct db_val ids[EXTRAS_BATCH];
		for (size_t i = 0; i < EXTRAS_BATCH; i++)
			ids[i] = DB_I(i < x.n ? x.v[i].sid : 0);
		st = db_query(db, SQL_BATCH_GROUPS, ids, EXTRAS_BATCH, group_row, &x, NULL);
		if (st == NGN_OK)
			st = db_query(db, SQL_BATCH_PROPS, ids, EXTRAS_BATCH, prop_row, &x, NULL);
		if (st == NGN_OK)
			st = db_query(db, SQL_BATCH_ACL, ids, EXTRAS_BATCH, acl_row, &x, NULL);
	}
	return st;
}

/* Fills groups, properties and acl of one account by its keys: each is a
 * range of a unique index read in that index's order (grp's account_group_idx
 * (username, domain, grp), the primary keys (subscriber_id, name) and
 * (subscriber_id, seq)), so the database neither sorts nor reads other
 * accounts' rows, unlike the padded IN lists of load_extras (a filesort).
 * Same rows in the same order as load_extras. */
static enum ngn_status load_extras_one(struct db *db, struct arena *a, struct account *acc)
{
	struct extras x = { a, acc, 1, 0 };
	struct db_val sid[1] = { DB_I(acc->sid) };
	enum ngn_status st = store_groups_load(db, &acc->id, a, acc->groups);
	if (st == NGN_OK)
		st = db_query(db, SQL_ONE_PROPS, sid, 1, prop_row, &x, NULL);
	if (st == NGN_OK)
		st = db_query(db, SQL_ONE_ACL, sid, 1, acl_row, &x, NULL);
	return st;
}

/* The whole stored account; NGN_E_ACCOUNT_NOT_FOUND. */
static enum ngn_status get_one(struct db *db, const struct scope *sc, const struct sip_id *id,
			       struct account *out, struct store_res *res)
{
	struct db_val args[2 + SCOPE_NARGS] = { DB_S(id->username), DB_S(id->domain) };
	store_scope_args(sc, args + 2);
	struct account_list l = { 0 };
	struct account_rows r = { &res->arena, &l };
	enum ngn_status st = db_query(db, SQL_ACCOUNT_GET, args, 2 + SCOPE_NARGS, account_row, &r, NULL);
	if (st != NGN_OK)
		return st;
	if (l.n == 0)
		return err_set(&res->err, NGN_E_ACCOUNT_NOT_FOUND, "SIP account %s@%s does not exist",
			       id->username, id->domain);
	st = load_extras_one(db, &res->arena, &l.v[0]);
	if (st == NGN_OK)
		*out = l.v[0];
	return st;
}

/* ---- writing ------------------------------------------------------------ */

static enum ngn_status write_props(struct db *db, uint64_t sid, const struct prop_list *p, int replace,
				   struct ngn_err *e)
{
	struct db_val id[1] = { DB_I(sid) };
	enum ngn_status st = replace ? db_exec(db, SQL_PROPS_DELETE, id, 1, NULL, NULL) : NGN_OK;
	for (size_t i = 0; st == NGN_OK && i < p->n; i++) {
		struct db_val a[3] = { DB_I(sid), DB_S(p->v[i].name), DB_S(p->v[i].value) };
		st = db_exec(db, SQL_PROP_INSERT, a, 3, NULL, NULL);
		if (st == NGN_E_CONFLICT && db_is_duplicate(db))
			return err_set(e, NGN_E_INVALID_PROPERTY, "Property %s is given twice", p->v[i].name);
	}
	return st;
}

static enum ngn_status write_acl(struct db *db, uint64_t sid, const struct acl_list *l, int replace)
{
	struct db_val id[1] = { DB_I(sid) };
	enum ngn_status st = replace ? db_exec(db, SQL_ACL_DELETE, id, 1, NULL, NULL) : NGN_OK;
	for (size_t i = 0; st == NGN_OK && i < l->n; i++) {
		struct db_val a[5] = { DB_I(sid), DB_I(i), DB_S(l->v[i].ip), DB_I(l->v[i].mask),
				       DB_S(l->v[i].tag ? l->v[i].tag : "") };
		st = db_exec(db, SQL_ACL_INSERT, a, 5, NULL, NULL);
	}
	return st;
}

/* Values for subscriber.password/ha1/ha1b from a given password (A1). */
struct pw_cols {
	const char *clear;
	char ha1[DIGEST_HEX + 1], ha1b[DIGEST_HEX + 1];
};

static enum ngn_status password_cols(const struct sip_id *id, const struct password *pw, int keep_clear,
				     struct pw_cols *out)
{
	if (pw->kind == PW_DIGEST) {
		out->clear = "";
		memcpy(out->ha1, pw->ha1, sizeof out->ha1);
		memcpy(out->ha1b, pw->ha1b, sizeof out->ha1b);
		return NGN_OK;
	}
	out->clear = keep_clear ? pw->clear : "";
	return digest_compute(id->username, id->domain, pw->clear, out->ha1, out->ha1b);
}

struct account_op {
	const struct scope *sc;
	const struct account *a;
	const struct sip_id *id;
	int keep_clear;
	const struct account_query *q;
	struct account *out;
	struct account_list *list;
	struct store_res *res;
};

/* A3: the next free number of the domain's counter, saved. */
static enum ngn_status allocate_username(struct db *db, const struct domain_ref *dom, const char *domain,
					 struct arena *a, const char **name, struct ngn_err *e)
{
	int64_t n = dom->auto_username < STORE_AUTO_FIRST ? STORE_AUTO_FIRST : dom->auto_username + 1;
	for (int tries = 0; tries < STORE_AUTO_TRIES && n <= (int64_t)UINT32_MAX; tries++, n++) {
		char buf[24];
		snprintf(buf, sizeof buf, "%" PRId64, n);
		struct db_val args[4] = { DB_S(buf), DB_S(domain), DB_S(buf), DB_S(domain) };
		uint64_t rows = 0;
		enum ngn_status st = db_query(db, SQL_NAME_TAKEN, args, 4, NULL, NULL, &rows);
		if (st != NGN_OK)
			return st;
		if (rows)
			continue;
		struct db_val save[2] = { DB_I(n), DB_I(dom->id) };
		st = db_exec(db, SQL_AUTO_SAVE, save, 2, NULL, NULL);
		if (st == NGN_OK && (*name = arena_strdup(a, buf)) == NULL)
			st = NGN_E_INTERNAL;
		return st;
	}
	return err_set(e, NGN_E_INTERNAL, "No free username found for <autoincrement> in %s", domain);
}

static char *dup0(struct arena *ar, const char *s)
{
	return arena_strdup(ar, s ? s : "");
}

static int by_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

static int by_name(const void *x, const void *y)
{
	return strcmp(((const struct property *)x)->name, ((const struct property *)y)->name);
}

/* A5: *o = what add_body wrote, as get_one would read it back, built from
 * the validated input a, the stored name id, the password columns pw, the
 * new subscriber id and the locked domain row. Strings are copied into ar. */
static enum ngn_status written_account(struct arena *ar, const struct account *a, const struct sip_id *id,
				       const struct pw_cols *pw, uint64_t sid, const struct domain_ref *dom,
				       struct account *o)
{
	memset(o, 0, sizeof *o);
	o->sid = sid;
	o->id.username = dup0(ar, id->username);
	o->id.domain = dup0(ar, id->domain);
	o->password = dup0(ar, pw->clear);
	o->ha1 = dup0(ar, pw->ha1);
	o->first_name = dup0(ar, a->first_name);
	o->last_name = dup0(ar, a->last_name);
	o->email = dup0(ar, a->email);
	o->rpid = dup0(ar, a->rpid);
	o->timezone = dup0(ar, a->timezone);
	o->region = dup0(ar, a->region);
	o->quickdial_prefix = dup0(ar, a->quickdial_prefix);
	o->owner = (struct opt_int){ 1, or0(&a->owner) };
	o->prepaid = (struct opt_int){ 1, or0(&a->prepaid) };
	o->quota = (struct opt_int){ 1, or0(&a->quota) };
	o->call_limit = (struct opt_int){ 1, or0(&a->call_limit) };
	o->timeout = (struct opt_int){ 1, or0(&a->timeout) };
	o->customer = dom->customer;
	o->reseller = dom->reseller;
	o->create_date = o->change_date = dom->now;
	if (account_lists_new(ar, o) != NGN_OK)
		return NGN_E_INTERNAL;

	/* groups: the distinct names store_groups_set wrote, in the order of
	 * get_one's ORDER BY grp; names are validated to [a-z0-9._-] (no
	 * spaces or control characters), for which grp's utf8mb4_bin order is
	 * strcmp's */
	size_t n = a->groups ? a->groups->n : 0;
	struct str_list *g = o->groups;
	if (n && (g->v = arena_alloc(ar, n * sizeof *g->v)) == NULL)
		return NGN_E_INTERNAL;
	for (size_t i = 0; i < n; i++)
		if ((g->v[i] = dup0(ar, a->groups->v[i])) == NULL)
			return NGN_E_INTERNAL;
	if (n)
		qsort(g->v, n, sizeof *g->v, by_str);
	for (size_t i = 0; i < n; i++)
		if (g->n == 0 || strcmp(g->v[g->n - 1], g->v[i]) != 0)
			g->v[g->n++] = g->v[i];
	g->cap = n;

	/* properties by name (distinct: write_props refuses a duplicate;
	 * names are [A-Za-z0-9_.:-], so ORDER BY name is strcmp's order) */
	n = a->properties ? a->properties->n : 0;
	struct prop_list *p = o->properties;
	if (n && (p->v = arena_alloc(ar, n * sizeof *p->v)) == NULL)
		return NGN_E_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		p->v[i].name = dup0(ar, a->properties->v[i].name);
		p->v[i].value = dup0(ar, a->properties->v[i].value);
		if (!p->v[i].name || !p->v[i].value)
			return NGN_E_INTERNAL;
	}
	if (n)
		qsort(p->v, n, sizeof *p->v, by_name);
	p->n = p->cap = n;

	/* the ACL in the given order: seq = its index (write_acl) */
	n = a->acl ? a->acl->n : 0;
	struct acl_list *l = o->acl;
	if (n && (l->v = arena_alloc(ar, n * sizeof *l->v)) == NULL)
		return NGN_E_INTERNAL;
	for (size_t i = 0; i < n; i++) {
		l->v[i].ip = dup0(ar, a->acl->v[i].ip);
		l->v[i].mask = a->acl->v[i].mask;
		l->v[i].tag = dup0(ar, a->acl->v[i].tag);
		if (!l->v[i].ip || !l->v[i].tag)
			return NGN_E_INTERNAL;
	}
	l->n = l->cap = n;
	return NGN_OK;
}

static enum ngn_status add_body(struct db *db, void *arg)
{
	struct account_op *op = arg;
	const struct account *a = op->a;
	struct ngn_err *e = &op->res->err;
	struct domain_ref dom;
	struct sip_id id = a->id;
	int autoinc = strcmp(id.username, STORE_AUTOINCREMENT) == 0;
	enum ngn_status st = store_lock_domain(db, op->sc, a->id.domain, !autoinc, &dom, e); /* A2, A3 */
	if (st != NGN_OK)
		return st;
	if (autoinc) {
		st = allocate_username(db, &dom, id.domain, &op->res->arena, &id.username, e);
	} else {
		struct db_val args[2] = { DB_S(id.username), DB_S(id.domain) };
		uint64_t rows = 0;
		st = db_query(db, SQL_NAME_IS_ALIAS, args, 2, NULL, NULL, &rows);
		if (st == NGN_OK && rows)
			return err_set(e, NGN_E_ALIAS_EXISTS, "%s@%s is already an alias", id.username, id.domain);
	}
	struct pw_cols pw;
	if (st == NGN_OK)
		st = password_cols(&id, &a->pw, op->keep_clear, &pw);
	if (st != NGN_OK)
		return st;

	struct db_val s[5] = { DB_S(id.username), DB_S(id.domain), DB_S(pw.clear), DB_S(pw.ha1), DB_S(pw.ha1b) };
	uint64_t sid = 0;
	st = db_exec(db, SQL_SUBSCRIBER_INSERT, s, 5, NULL, &sid);
	if (st == NGN_E_CONFLICT && db_is_duplicate(db) && !autoinc)
		return err_set(e, NGN_E_ACCOUNT_EXISTS, "SIP account %s@%s already exists", id.username, id.domain);
	if (st != NGN_OK)
		return st; /* for <autoincrement> a clash is a race: NGN_E_CONFLICT, safe to retry */

	struct db_val r[18] = {
		DB_I(sid), DB_I(dom.id),
		DB_S(a->first_name ? a->first_name : ""), DB_S(a->last_name ? a->last_name : ""),
		DB_S(a->email ? a->email : ""), DB_S(a->rpid ? a->rpid : ""),
		DB_S(a->timezone ? a->timezone : ""), DB_I(or0(&a->owner)),
		DB_I(dom.customer), DB_I(dom.reseller),
		DB_I(or0(&a->prepaid)), DB_I(or0(&a->quota)), DB_I(or0(&a->call_limit)),
		DB_S(a->region ? a->region : ""), DB_I(or0(&a->timeout)),
		DB_S(a->quickdial_prefix ? a->quickdial_prefix : ""), DB_I(dom.now), DB_I(dom.now),
	};
	st = db_exec(db, SQL_ACCOUNT_INSERT, r, 18, NULL, NULL);
	if (st == NGN_OK && a->properties)
		st = write_props(db, sid, a->properties, 0, e);
	if (st == NGN_OK && a->acl)
		st = write_acl(db, sid, a->acl, 0);
	int changed = 0;
	if (st == NGN_OK) /* also clears grp rows left behind under this name */
		st = store_groups_set(db, &id, a->groups, &changed);
	if (st == NGN_OK && changed)
		op->res->policy_changed = 1;
	if (st == NGN_OK) /* A5 */
		st = written_account(&op->res->arena, a, &id, &pw, sid, &dom, op->out);
	return st;
}

static enum ngn_status update_body(struct db *db, void *arg)
{
	struct account_op *op = arg;
	const struct account *a = op->a;
	struct account_ref ref = { 0 };
	enum ngn_status st = store_find_account(db, op->sc, &a->id, 1, NULL, &ref, &op->res->err);
	if (st != NGN_OK)
		return st;
	if (a->pw.kind != PW_NONE) {
		struct pw_cols pw;
		st = password_cols(&a->id, &a->pw, op->keep_clear, &pw);
		struct db_val p[4] = { DB_S(pw.clear), DB_S(pw.ha1), DB_S(pw.ha1b), DB_I(ref.sid) };
		if (st == NGN_OK)
			st = db_exec(db, SQL_PASSWORD_UPDATE, p, 4, NULL, NULL);
	}
	struct db_val u[13] = {
		opt_str_val(a->first_name), opt_str_val(a->last_name), opt_str_val(a->email), opt_str_val(a->rpid), opt_str_val(a->timezone),
		opt_int_val(&a->owner), opt_int_val(&a->prepaid), opt_int_val(&a->quota), opt_int_val(&a->call_limit),
		opt_str_val(a->region), opt_int_val(&a->timeout), opt_str_val(a->quickdial_prefix), DB_I(ref.sid),
	};
	if (st == NGN_OK)
		st = db_exec(db, SQL_ACCOUNT_UPDATE, u, 13, NULL, NULL);
	if (st == NGN_OK && a->properties)
		st = write_props(db, ref.sid, a->properties, 1, &op->res->err);
	if (st == NGN_OK && a->acl)
		st = write_acl(db, ref.sid, a->acl, 1);
	int changed = 0;
	if (st == NGN_OK && a->groups)
		st = store_groups_set(db, &a->id, a->groups, &changed);
	if (st == NGN_OK && changed)
		op->res->policy_changed = 1;
	return st;
}

static enum ngn_status delete_body(struct db *db, void *arg)
{
	struct account_op *op = arg;
	struct account_ref ref = { 0 };
	enum ngn_status st = store_find_account(db, op->sc, op->id, 1, NULL, &ref, &op->res->err);
	int changed = 0;
	if (st == NGN_OK) /* A4 */
		st = store_groups_drop(db, op->id, &changed);
	struct db_val id[2] = { DB_S(op->id->username), DB_S(op->id->domain) };
	if (st == NGN_OK)
		st = db_exec(db, SQL_ALIASES_OF_DELETE, id, 2, NULL, NULL);
	struct db_val sid[1] = { DB_I(ref.sid) };
	if (st == NGN_OK)
		st = db_exec(db, SQL_SUBSCRIBER_DELETE, sid, 1, NULL, NULL);
	if (st == NGN_OK && changed)
		op->res->policy_changed = 1;
	return st;
}

static enum ngn_status get_body(struct db *db, void *arg)
{
	struct account_op *op = arg;
	return get_one(db, op->sc, op->id, op->out, op->res);
}

static enum ngn_status list_body(struct db *db, void *arg)
{
	struct account_op *op = arg;
	const struct account_query *aq = op->q;
	struct query q;
	query_init(&q, &account_listing);
	query_str(&q, "s.username = ?", "s.username LIKE ?", aq->username);
	query_str(&q, ACCOUNT_DOMAIN_EQ, ACCOUNT_DOMAIN_LIKE, aq->domain); /* see store_sql.h */
	query_str(&q, "a.first_name = ?", "a.first_name LIKE ?", aq->first_name);
	query_str(&q, "a.last_name = ?", "a.last_name LIKE ?", aq->last_name);
	query_str(&q, "a.email = ?", "a.email LIKE ?", aq->email);
	query_int(&q, "a.owner = ?", aq->owner);
	query_int(&q, "a.customer = ?", aq->customer);
	query_int(&q, "a.reseller = ?", aq->reseller);
	for (size_t i = 0; aq->groups && i < aq->groups->n; i++)
		query_str(&q,
			  "EXISTS (SELECT 1 FROM grp g WHERE g.username = s.username AND g.domain = s.domain AND g.grp = ?)",
			  "EXISTS (SELECT 1 FROM grp g WHERE g.username = s.username AND g.domain = s.domain AND g.grp LIKE ?)",
			  aq->groups->v[i]);
	store_scope_query(&q, op->sc, "a.reseller = ?", "a.customer = ?");
	memset(op->list, 0, sizeof *op->list);
	struct account_rows r = { &op->res->arena, op->list };
	enum ngn_status st = store_list(db, &q, &aq->order, &aq->range, &op->list->total, account_row, &r,
					&op->res->err);
	if (st == NGN_OK)
		st = load_extras(db, &op->res->arena, op->list->v, op->list->n);
	return st;
}

enum ngn_status store_account_add(struct db *db, const struct scope *sc, const struct account *a,
				  int keep_clear, struct account *out, struct store_res *res)
{
	struct account_op op = { .sc = sc, .a = a, .keep_clear = keep_clear, .out = out, .res = res };
	return store_txn(db, add_body, &op, res);
}

enum ngn_status store_account_update(struct db *db, const struct scope *sc, const struct account *a,
				     int keep_clear, struct store_res *res)
{
	struct account_op op = { .sc = sc, .a = a, .keep_clear = keep_clear, .res = res };
	return store_txn(db, update_body, &op, res);
}

enum ngn_status store_account_delete(struct db *db, const struct scope *sc, const struct sip_id *id,
				     struct store_res *res)
{
	struct account_op op = { .sc = sc, .id = id, .res = res };
	return store_txn(db, delete_body, &op, res);
}

enum ngn_status store_account_get(struct db *db, const struct scope *sc, const struct sip_id *id,
				  struct account *out, struct store_res *res)
{
	struct account_op op = { .sc = sc, .id = id, .out = out, .res = res };
	return store_read(db, get_body, &op, res);
}

enum ngn_status store_account_list(struct db *db, const struct scope *sc, const struct account_query *q,
				   struct account_list *out, struct store_res *res)
{
	struct account_op op = { .sc = sc, .q = q, .list = out, .res = res };
	return store_read(db, list_body, &op, res);
}
