/* soap_pending.c: TEMPORARY link placeholders for operations not yet
 * implemented on this branch. Each helper deletes the entries it implements;
 * this file must be empty and removed before anything lands on main. */
#include "soapH.h"
#include "fault.h"

int ngn1__addDomain(struct soap *soap, struct ngn2__SipDomain *domain, enum xsd__boolean *return_)
{
	(void)domain; (void)return_;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__updateDomain(struct soap *soap, struct ngn2__SipDomain *domain, enum xsd__boolean *return_)
{
	(void)domain; (void)return_;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__deleteDomain(struct soap *soap, char *domain, enum xsd__boolean *return_)
{
	(void)domain; (void)return_;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__getDomains(struct soap *soap, struct ngn2__SipDomainQuery *query, struct ngn1__getDomainsResponse *_param_1)
{
	(void)query; (void)_param_1;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__addAccount(struct soap *soap, struct ngn2__SipAccount *account, struct ngn1__addAccountResponse *_param_1)
{
	(void)account; (void)_param_1;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__updateAccount(struct soap *soap, struct ngn2__SipAccount *account, enum xsd__boolean *return_)
{
	(void)account; (void)return_;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__deleteAccount(struct soap *soap, struct ngn2__SipId *sipId, enum xsd__boolean *return_)
{
	(void)sipId; (void)return_;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__getAccount(struct soap *soap, struct ngn2__SipId *sipId, struct ngn1__getAccountResponse *_param_1)
{
	(void)sipId; (void)_param_1;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__getAccounts(struct soap *soap, struct ngn2__SipQuery *query, struct ngn1__getAccountsResponse *_param_1)
{
	(void)query; (void)_param_1;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__addAlias(struct soap *soap, struct ngn2__SipAlias *alias, enum xsd__boolean *return_)
{
	(void)alias; (void)return_;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__updateAlias(struct soap *soap, struct ngn2__SipAlias *alias, enum xsd__boolean *return_)
{
	(void)alias; (void)return_;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__deleteAlias(struct soap *soap, struct ngn2__SipId *id, enum xsd__boolean *return_)
{
	(void)id; (void)return_;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__getAlias(struct soap *soap, struct ngn2__SipId *id, struct ngn1__getAliasResponse *_param_1)
{
	(void)id; (void)_param_1;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__getAliases(struct soap *soap, struct ngn2__AliasQuery *query, struct ngn1__getAliasesResponse *_param_1)
{
	(void)query; (void)_param_1;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__addToGroup(struct soap *soap, struct ngn2__SipId *sipId, char *group, enum xsd__boolean *return_)
{
	(void)sipId; (void)group; (void)return_;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__removeFromGroup(struct soap *soap, struct ngn2__SipId *sipId, char *group, enum xsd__boolean *return_)
{
	(void)sipId; (void)group; (void)return_;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__getGroups(struct soap *soap, struct ngn2__SipId *sipId, struct ngn1__getGroupsResponse *_param_1)
{
	(void)sipId; (void)_param_1;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}
