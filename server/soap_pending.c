/* soap_pending.c: TEMPORARY link placeholders for operations not yet
 * implemented on this branch. Each helper deletes the entries it implements;
 * this file must be empty and removed before anything lands on main. */
#include "soapH.h"
#include "fault.h"

int ngn1__addBalance(struct soap *soap, struct ngn2__SipId *sipId, char *value, char *description, struct ngn1__addBalanceResponse *_param_1)
{
	(void)sipId; (void)value; (void)description; (void)_param_1;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__addBalanceFromVoucher(struct soap *soap, struct ngn2__SipId *sipId, struct ngn2__PrepaidCard *card, struct ngn1__addBalanceFromVoucherResponse *_param_1)
{
	(void)sipId; (void)card; (void)_param_1;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__getPrepaidStatus(struct soap *soap, struct SipIdArray *sipIds, struct ngn1__getPrepaidStatusResponse *_param_1)
{
	(void)sipIds; (void)_param_1;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}

int ngn1__getCreditHistory(struct soap *soap, struct ngn2__SipId *sipId, int count, struct ngn1__getCreditHistoryResponse *_param_1)
{
	(void)sipId; (void)count; (void)_param_1;
	return ngn_fault(soap, NGN_E_INTERNAL, "not implemented yet");
}
