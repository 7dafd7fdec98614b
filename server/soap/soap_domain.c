/* soap_domain.c: the Sip port's domain operations. Each handler decodes and
 * validates (soap_conv.c), makes one store call (one transaction), then
 * encodes the result or the fault; no SQL here. */
#include "soap_conv.h"

int ngn1__addDomain(struct soap *soap, struct ngn2__SipDomain *domain, enum xsd__boolean *return_)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct domain d;
	enum ngn_status st = r ? conv_domain_in(domain, &d, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_domain_add(r->db, &r->scope, &d, &res);
	return conv_finish(soap, r, &res, st, return_);
}

int ngn1__updateDomain(struct soap *soap, struct ngn2__SipDomain *domain, enum xsd__boolean *return_)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct domain d;
	enum ngn_status st = r ? conv_domain_in(domain, &d, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_domain_update(r->db, &r->scope, &d, &res);
	return conv_finish(soap, r, &res, st, return_);
}

int ngn1__deleteDomain(struct soap *soap, char *domain, enum xsd__boolean *return_)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	const char *name = NULL;
	enum ngn_status st = r ? conv_domain_name_in(domain, "domain", &name, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_domain_delete(r->db, &r->scope, name, &res);
	return conv_finish(soap, r, &res, st, return_);
}

int ngn1__getDomains(struct soap *soap, struct ngn2__SipDomainQuery *query, struct ngn1__getDomainsResponse *out)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct domain_query q;
	struct domain_list l;
	enum ngn_status st = r ? conv_domain_query_in(query, &q, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_domain_list(r->db, &r->scope, &q, &l, &res);
	if (st == NGN_OK && (out->return_ = conv_domains_out(soap, &l)) == NULL)
		st = NGN_E_INTERNAL;
	return conv_finish(soap, r, &res, st, NULL);
}
