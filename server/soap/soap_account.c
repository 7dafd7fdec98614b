/* soap_account.c: the Sip port's account operations. Each handler decodes
 * and validates (soap_conv.c), makes one store call (one transaction), then
 * encodes the result or the fault; no SQL here. */
#include "core/cfg.h"
#include "soap_conv.h"

static int keep_clear(const struct req_ctx *r)
{
	return r->cfg == NULL || r->cfg->store_clear_text_passwords;
}

int ngn1__addAccount(struct soap *soap, struct ngn2__SipAccount *account, struct ngn1__addAccountResponse *out)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct account a, stored;
	enum ngn_status st = r ? conv_account_in(soap, account, CONV_ADD, &a, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_account_add(r->db, &r->scope, &a, keep_clear(r), &stored, &res);
	if (st == NGN_OK && (out->return_ = conv_account_out(soap, &stored, keep_clear(r))) == NULL)
		st = NGN_E_INTERNAL;
	return conv_finish(soap, r, &res, st, NULL);
}

int ngn1__updateAccount(struct soap *soap, struct ngn2__SipAccount *account, enum xsd__boolean *return_)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct account a;
	enum ngn_status st = r ? conv_account_in(soap, account, CONV_UPDATE, &a, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_account_update(r->db, &r->scope, &a, keep_clear(r), &res);
	return conv_finish(soap, r, &res, st, return_);
}

int ngn1__deleteAccount(struct soap *soap, struct ngn2__SipId *sipId, enum xsd__boolean *return_)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct sip_id id;
	enum ngn_status st = r ? conv_sip_id_in(sipId, "sipId", &id, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_account_delete(r->db, &r->scope, &id, &res);
	return conv_finish(soap, r, &res, st, return_);
}

int ngn1__getAccount(struct soap *soap, struct ngn2__SipId *sipId, struct ngn1__getAccountResponse *out)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct sip_id id;
	struct account a;
	enum ngn_status st = r ? conv_sip_id_in(sipId, "sipId", &id, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_account_get(r->db, &r->scope, &id, &a, &res);
	if (st == NGN_OK && (out->return_ = conv_account_out(soap, &a, keep_clear(r))) == NULL)
		st = NGN_E_INTERNAL;
	return conv_finish(soap, r, &res, st, NULL);
}

int ngn1__getAccounts(struct soap *soap, struct ngn2__SipQuery *query, struct ngn1__getAccountsResponse *out)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct account_query q;
	struct account_list l;
	enum ngn_status st = r ? conv_account_query_in(soap, query, &q, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_account_list(r->db, &r->scope, &q, &l, &res);
	if (st == NGN_OK && (out->return_ = conv_accounts_out(soap, &l, keep_clear(r))) == NULL)
		st = NGN_E_INTERNAL;
	return conv_finish(soap, r, &res, st, NULL);
}
