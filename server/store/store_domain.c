/* store_domain.c: SIP domains: Kamailio's `domain` row plus ngnprod's
 * `sip_domain` row (owner ids, TLS settings, dates).
 *
 * Invariants, enforced here:
 *  D1. Accounts and aliases carry their domain's customer and reseller
 *      (they inherit them; clients cannot set them). When updateDomain
 *      changes either id, the copies in sip_account and sip_alias change in
 *      the same transaction, under the domain row lock.
 *  D2. A domain is deleted only while it has no subscriber and no alias,
 *      checked under the domain row lock that every add into the domain
 *      also takes (store_lock_domain: addAccount in share mode, which the
 *      delete's FOR UPDATE excludes), so no account can slip in between
 *      the check and the delete. */
#include <string.h>
#include "store-internal.h"
#include "store_query.h"

static const char SQL_DOMAIN_INSERT[] =
	"INSERT INTO domain (domain, last_modified) VALUES (?, UTC_TIMESTAMP())";
static const char SQL_SIP_DOMAIN_INSERT[] =
	"INSERT INTO sip_domain (domain_id, customer, reseller, certificate, private_key,"
	" match_ip_address, match_sip_domain, verify_cert, require_cert) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_SIP_DOMAIN_UPDATE[] =
	"UPDATE sip_domain SET customer = COALESCE(?, customer), reseller = COALESCE(?, reseller),"
	" certificate = COALESCE(?, certificate), private_key = COALESCE(?, private_key),"
	" match_ip_address = COALESCE(?, match_ip_address), match_sip_domain = COALESCE(?, match_sip_domain),"
	" verify_cert = COALESCE(?, verify_cert), require_cert = COALESCE(?, require_cert),"
	" change_date = CURRENT_TIMESTAMP WHERE domain_id = ?";
static const char SQL_DOMAIN_TOUCH[] =
	"UPDATE domain SET last_modified = UTC_TIMESTAMP() WHERE id = ?";
static const char SQL_ACCOUNTS_REOWN[] =
	"UPDATE sip_account SET customer = ?, reseller = ? WHERE domain_id = ?";
static const char SQL_ALIASES_REOWN[] =
	"UPDATE sip_alias sa JOIN dbaliases al ON al.id = sa.alias_id"
	" SET sa.customer = ?, sa.reseller = ? WHERE al.alias_domain = ?";
static const char SQL_DOMAIN_HAS_ACCOUNT[] = "SELECT 1 FROM subscriber WHERE domain = ? LIMIT 1";
static const char SQL_DOMAIN_HAS_ALIAS[] = "SELECT 1 FROM dbaliases WHERE alias_domain = ? LIMIT 1";
static const char SQL_DOMAIN_DELETE[] = "DELETE FROM domain WHERE id = ?";

static const struct query_sort domain_sorts[] = {
	{ "changeDate", "sd.change_date ASC, d.id ASC", "sd.change_date DESC, d.id DESC", 1 },
	{ "domain", "d.domain ASC", "d.domain DESC", 0 },
	{ "customer", "sd.customer ASC, d.domain ASC", "sd.customer DESC, d.domain DESC", 0 },
	{ "reseller", "sd.reseller ASC, d.domain ASC", "sd.reseller DESC, d.domain DESC", 0 },
	{ NULL, NULL, NULL, 0 },
};

static const struct query_def domain_listing = {
	"SELECT d.domain, sd.customer, sd.reseller, UNIX_TIMESTAMP(sd.change_date), sd.certificate,"
	" sd.private_key, sd.match_ip_address, sd.match_sip_domain, sd.verify_cert, sd.require_cert",
	" FROM domain d JOIN sip_domain sd ON sd.domain_id = d.id",
	domain_sorts,
};

struct domain_op {
	const struct scope *sc;
	const struct domain *d;
	const char *name;
	const struct domain_query *q;
	struct domain_list *out;
	struct store_res *res;
};

static enum ngn_status add_body(struct db *db, void *arg)
{
	struct domain_op *op = arg;
	const struct domain *d = op->d;
	struct db_val a1[1] = { DB_S(d->domain) };
	uint64_t id = 0;
	enum ngn_status st = db_exec(db, SQL_DOMAIN_INSERT, a1, 1, NULL, &id);
	if (st == NGN_E_CONFLICT && db_is_duplicate(db))
		return err_set(&op->res->err, NGN_E_DOMAIN_EXISTS, "SIP domain %s already exists", d->domain);
	if (st != NGN_OK)
		return st;
	struct db_val a2[9] = {
		DB_I(id), DB_I(d->customer.set ? d->customer.v : 0), DB_I(d->reseller.set ? d->reseller.v : 0),
		opt_str_val(d->certificate), opt_str_val(d->private_key),
		DB_S(d->match_ip_address ? d->match_ip_address : ""),
		DB_S(d->match_sip_domain ? d->match_sip_domain : ""),
		DB_I(d->verify_cert.set ? d->verify_cert.v : 0), DB_I(d->require_cert.set ? d->require_cert.v : 0),
	};
	return db_exec(db, SQL_SIP_DOMAIN_INSERT, a2, 9, NULL, NULL);
}

static enum ngn_status update_body(struct db *db, void *arg)
{
	struct domain_op *op = arg;
	const struct domain *d = op->d;
	struct domain_ref ref;
	enum ngn_status st = store_lock_domain(db, op->sc, d->domain, 0, &ref, &op->res->err);
	if (st != NGN_OK)
		return st;
	struct db_val a[9] = {
		opt_int_val(&d->customer), opt_int_val(&d->reseller), opt_str_val(d->certificate), opt_str_val(d->private_key),
		opt_str_val(d->match_ip_address), opt_str_val(d->match_sip_domain), opt_int_val(&d->verify_cert),
		opt_int_val(&d->require_cert), DB_I(ref.id),
	};
	st = db_exec(db, SQL_SIP_DOMAIN_UPDATE, a, 9, NULL, NULL);
	struct db_val t[1] = { DB_I(ref.id) };
	if (st == NGN_OK)
		st = db_exec(db, SQL_DOMAIN_TOUCH, t, 1, NULL, NULL);
	int64_t customer = d->customer.set ? d->customer.v : ref.customer;
	int64_t reseller = d->reseller.set ? d->reseller.v : ref.reseller;
	if (st == NGN_OK && (customer != ref.customer || reseller != ref.reseller)) {
		/* D1 */
		struct db_val r1[3] = { DB_I(customer), DB_I(reseller), DB_I(ref.id) };
		struct db_val r2[3] = { DB_I(customer), DB_I(reseller), DB_S(d->domain) };
		st = db_exec(db, SQL_ACCOUNTS_REOWN, r1, 3, NULL, NULL);
		if (st == NGN_OK)
			st = db_exec(db, SQL_ALIASES_REOWN, r2, 3, NULL, NULL);
	}
	return st;
}

static enum ngn_status delete_body(struct db *db, void *arg)
{
	struct domain_op *op = arg;
	struct domain_ref ref;
	enum ngn_status st = store_lock_domain(db, op->sc, op->name, 0, &ref, &op->res->err);
	if (st != NGN_OK)
		return st;
	/* D2 */
	struct db_val a[1] = { DB_S(op->name) };
	uint64_t accounts = 0, aliases = 0;
	st = db_query(db, SQL_DOMAIN_HAS_ACCOUNT, a, 1, NULL, NULL, &accounts);
	if (st == NGN_OK)
		st = db_query(db, SQL_DOMAIN_HAS_ALIAS, a, 1, NULL, NULL, &aliases);
	if (st != NGN_OK)
		return st;
	if (accounts || aliases)
		return err_set(&op->res->err, NGN_E_DOMAIN_NOT_EMPTY,
			       "SIP domain %s still has %s; delete them first", op->name,
			       accounts && aliases ? "accounts and aliases" : accounts ? "accounts" : "aliases");
	struct db_val id[1] = { DB_I(ref.id) };
	return db_exec(db, SQL_DOMAIN_DELETE, id, 1, NULL, NULL);
}

struct domain_rows {
	struct arena *a;
	struct domain_list *out;
};

static enum ngn_status domain_row(void *arg, const struct db_val *c, size_t ncols)
{
	struct domain_rows *r = arg;
	(void)ncols;
	struct domain *d = store_vec_push(r->a, (void **)&r->out->v, &r->out->n, &r->out->cap, sizeof *d);
	if (d == NULL)
		return NGN_E_INTERNAL;
	d->domain = store_col_str(r->a, &c[0]);
	d->customer = (struct opt_int){ 1, store_col_int(&c[1]) };
	d->reseller = (struct opt_int){ 1, store_col_int(&c[2]) };
	d->change_date = store_col_int(&c[3]);
	d->certificate = store_col_str(r->a, &c[4]);
	d->private_key = store_col_str(r->a, &c[5]);
	d->match_ip_address = store_col_str(r->a, &c[6]);
	d->match_sip_domain = store_col_str(r->a, &c[7]);
	d->verify_cert = (struct opt_int){ 1, store_col_int(&c[8]) };
	d->require_cert = (struct opt_int){ 1, store_col_int(&c[9]) };
	if (!d->domain || !d->certificate || !d->private_key || !d->match_ip_address || !d->match_sip_domain)
		return NGN_E_INTERNAL;
	return NGN_OK;
}

static enum ngn_status list_body(struct db *db, void *arg)
{
	struct domain_op *op = arg;
	const struct domain_query *dq = op->q;
	struct query q;
	query_init(&q, &domain_listing);
	query_str(&q, "d.domain = ?", "d.domain LIKE ?", dq->domain);
	query_int(&q, "sd.customer = ?", dq->customer);
	query_int(&q, "sd.reseller = ?", dq->reseller);
	store_scope_query(&q, op->sc, "sd.reseller = ?", "sd.customer = ?");
	memset(op->out, 0, sizeof *op->out);
	struct domain_rows r = { &op->res->arena, op->out };
	return store_list(db, &q, &dq->order, &dq->range, &op->out->total, domain_row, &r, &op->res->err);
}

enum ngn_status store_domain_add(struct db *db, const struct scope *sc, const struct domain *d,
				 struct store_res *res)
{
	struct domain_op op = { .sc = sc, .d = d, .res = res };
	return store_txn(db, add_body, &op, res);
}

enum ngn_status store_domain_update(struct db *db, const struct scope *sc, const struct domain *d,
				    struct store_res *res)
{
	struct domain_op op = { .sc = sc, .d = d, .res = res };
	return store_txn(db, update_body, &op, res);
}

enum ngn_status store_domain_delete(struct db *db, const struct scope *sc, const char *domain,
				    struct store_res *res)
{
	struct domain_op op = { .sc = sc, .name = domain, .res = res };
	return store_txn(db, delete_body, &op, res);
}

enum ngn_status store_domain_list(struct db *db, const struct scope *sc, const struct domain_query *q,
				  struct domain_list *out, struct store_res *res)
{
	struct domain_op op = { .sc = sc, .q = q, .out = out, .res = res };
	return store_read(db, list_body, &op, res);
}
