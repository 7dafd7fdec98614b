/* soap_customer.c: the Customer port (urn:AGProjects:NGNPro:Customer),
 * customers and resellers. Thin handlers as in soap_account.c: decode and
 * validate (soap_conv.c), one store call (store_customer.c, one
 * transaction), encode or fault. Four names (addAccount, updateAccount,
 * deleteAccount, getAccount) are also Sip-port operations; gSOAP tells them
 * apart by namespace (ngn3__ here, ngn1__ there), and so does op_find.
 *
 * The clear password of a customer goes back only to the operator (an admin
 * scope without impersonation): CDRTool reads it to log in as the customer
 * (contract part 2 §3.4). */
#include "soap_conv.h"

static int operator(const struct req_ctx *r)
{
	return r->scope.role == ROLE_ADMIN && r->scope.reseller == 0 && r->scope.customer == 0;
}

int ngn3__addAccount(struct soap *soap, struct ngn2__CustomerAccount *account, struct ngn3__addAccountResponse *out)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct customer c, stored;
	enum ngn_status st = r ? conv_customer_in(soap, account, CONV_ADD, &c, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_customer_add(r->db, &r->scope, &c, &stored, &res);
	if (st == NGN_OK && (out->return_ = conv_customer_out(soap, &stored, operator(r))) == NULL)
		st = NGN_E_INTERNAL;
	return conv_finish(soap, r, &res, st, NULL);
}

int ngn3__updateAccount(struct soap *soap, struct ngn2__CustomerAccount *account, enum xsd__boolean *return_)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct customer c;
	enum ngn_status st = r ? conv_customer_in(soap, account, CONV_UPDATE, &c, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_customer_update(r->db, &r->scope, &c, &res);
	return conv_finish(soap, r, &res, st, return_);
}

/* an id parameter: a customer id is positive */
static enum ngn_status id_in(int id, const char *what, struct ngn_err *e)
{
	return id > 0 ? NGN_OK : err_set(e, NGN_E_CUSTOMER_NOT_FOUND, "%s %d does not exist", what, id);
}

int ngn3__deleteAccount(struct soap *soap, int id, enum xsd__boolean *return_)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	enum ngn_status st = r ? id_in(id, "customer", &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_customer_delete(r->db, &r->scope, id, &res);
	return conv_finish(soap, r, &res, st, return_);
}

int ngn3__getAccount(struct soap *soap, int id, struct ngn3__getAccountResponse *out)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct customer c;
	enum ngn_status st = r ? id_in(id, "customer", &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_customer_get(r->db, &r->scope, id, &c, &res);
	if (st == NGN_OK && (out->return_ = conv_customer_out(soap, &c, operator(r))) == NULL)
		st = NGN_E_INTERNAL;
	return conv_finish(soap, r, &res, st, NULL);
}

/* getCustomers and getResellers: one listing, resellers = 1 for the latter */
static int list(struct soap *soap, struct ngn2__CustomerQuery *query, int resellers,
		struct ngn2__CustomerQueryResult **out)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct customer_query q;
	struct customer_list l;
	enum ngn_status st = r ? conv_customer_query_in(query, &q, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_customer_list(r->db, &r->scope, &q, resellers, &l, &res);
	if (st == NGN_OK && (*out = conv_customers_out(soap, &l, operator(r))) == NULL)
		st = NGN_E_INTERNAL;
	return conv_finish(soap, r, &res, st, NULL);
}

int ngn3__getCustomers(struct soap *soap, struct ngn2__CustomerQuery *query, struct ngn3__getCustomersResponse *out)
{
	return list(soap, query, 0, &out->return_);
}

int ngn3__getResellers(struct soap *soap, struct ngn2__CustomerQuery *query, struct ngn3__getResellersResponse *out)
{
	return list(soap, query, 1, &out->return_);
}

int ngn3__setProperties(struct soap *soap, int customer, struct CustomerPropertyArray *properties,
			enum xsd__boolean *return_)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct customer_property *p = NULL;
	size_t n = 0;
	enum ngn_status st = r ? id_in(customer, "customer", &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = conv_customer_props_in(soap, properties, &p, &n, &res.err);
	if (st == NGN_OK)
		st = store_customer_set_props(r->db, &r->scope, customer, p, n, &res);
	return conv_finish(soap, r, &res, st, return_);
}

int ngn3__getProperties(struct soap *soap, int customer, struct ngn3__getPropertiesResponse *out)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct customer c;
	enum ngn_status st = r ? id_in(customer, "customer", &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_customer_get_props(r->db, &r->scope, customer, &c, &res);
	if (st == NGN_OK && (out->return_ = conv_customer_props_out(soap, &c)) == NULL)
		st = NGN_E_INTERNAL;
	return conv_finish(soap, r, &res, st, NULL);
}
