/* soap_alias.c: the Sip port's alias operations. Each handler decodes and
 * validates (soap_conv.c), makes one store call (one transaction), then
 * encodes the result or the fault; no SQL here. */
#include "soap_conv.h"

int ngn1__addAlias(struct soap *soap, struct ngn2__SipAlias *alias, enum xsd__boolean *return_)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct alias al;
	enum ngn_status st = r ? conv_alias_in(alias, CONV_ADD, &al, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_alias_add(r->db, &r->scope, &al, &res);
	return conv_finish(soap, r, &res, st, return_);
}

int ngn1__updateAlias(struct soap *soap, struct ngn2__SipAlias *alias, enum xsd__boolean *return_)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct alias al;
	enum ngn_status st = r ? conv_alias_in(alias, CONV_UPDATE, &al, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_alias_update(r->db, &r->scope, &al, &res);
	return conv_finish(soap, r, &res, st, return_);
}

int ngn1__deleteAlias(struct soap *soap, struct ngn2__SipId *id, enum xsd__boolean *return_)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct sip_id sid;
	enum ngn_status st = r ? conv_sip_id_in(id, "id", &sid, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_alias_delete(r->db, &r->scope, &sid, &res);
	return conv_finish(soap, r, &res, st, return_);
}

int ngn1__getAlias(struct soap *soap, struct ngn2__SipId *id, struct ngn1__getAliasResponse *out)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct sip_id sid;
	struct alias al;
	enum ngn_status st = r ? conv_sip_id_in(id, "id", &sid, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_alias_get(r->db, &r->scope, &sid, &al, &res);
	if (st == NGN_OK && (out->return_ = conv_alias_out(soap, &al)) == NULL)
		st = NGN_E_INTERNAL;
	return conv_finish(soap, r, &res, st, NULL);
}

int ngn1__getAliases(struct soap *soap, struct ngn2__AliasQuery *query, struct ngn1__getAliasesResponse *out)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct alias_query q;
	struct alias_list l;
	enum ngn_status st = r ? conv_alias_query_in(query, &q, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_alias_list(r->db, &r->scope, &q, &l, &res);
	if (st == NGN_OK && (out->return_ = conv_aliases_out(soap, &l)) == NULL)
		st = NGN_E_INTERNAL;
	return conv_finish(soap, r, &res, st, NULL);
}
