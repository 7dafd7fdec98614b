/* soap_group.c: the Sip port's group membership operations. Each handler
 * decodes and validates (soap_conv.c), makes one store call (one
 * transaction), then encodes the result or the fault; no SQL here. A
 * committed membership change nudges proxy-glue (conv_finish). */
#include "soap_conv.h"

typedef enum ngn_status (*group_change_fn)(struct db *db, const struct scope *sc, const struct sip_id *id,
					   const char *group, struct store_res *res);

/* addToGroup and removeFromGroup: the same call around a different store change */
static int change_group(struct soap *soap, struct ngn2__SipId *sipId, char *group, enum xsd__boolean *return_,
			group_change_fn change)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct sip_id id;
	const char *g = NULL;
	enum ngn_status st = r ? conv_sip_id_in(sipId, "sipId", &id, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = conv_group_in(group, &g, &res.err);
	if (st == NGN_OK)
		st = change(r->db, &r->scope, &id, g, &res);
	return conv_finish(soap, r, &res, st, return_);
}

int ngn1__addToGroup(struct soap *soap, struct ngn2__SipId *sipId, char *group, enum xsd__boolean *return_)
{
	return change_group(soap, sipId, group, return_, store_group_add);
}

int ngn1__removeFromGroup(struct soap *soap, struct ngn2__SipId *sipId, char *group, enum xsd__boolean *return_)
{
	return change_group(soap, sipId, group, return_, store_group_remove);
}

int ngn1__getGroups(struct soap *soap, struct ngn2__SipId *sipId, struct ngn1__getGroupsResponse *out)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct sip_id id;
	struct str_list l;
	enum ngn_status st = r ? conv_sip_id_in(sipId, "sipId", &id, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_group_list(r->db, &r->scope, &id, &l, &res);
	if (st == NGN_OK && (out->return_ = conv_strings_out(soap, &l)) == NULL)
		st = NGN_E_INTERNAL;
	return conv_finish(soap, r, &res, st, NULL);
}
