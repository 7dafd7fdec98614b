/* soap_prepaid.c: the prepaid operations of the Sip port (addBalance,
 * addBalanceFromVoucher, getPrepaidStatus, getCreditHistory).
 *
 * Thin handlers: decode and check the input, call the store (which runs the
 * transaction), then encode the result or turn the status into a fault.
 * Amounts come and go as exact xsd:decimal text (money.h: what is accepted,
 * and "12.5000" with 4 fraction digits going out); they never pass through a
 * double. Reply data lives in the gSOAP arena.
 *
 * Replies:
 *  - addBalance / addBalanceFromVoucher: BalanceChange {old_balance,
 *    new_balance}.
 *  - getPrepaidStatus: one PrepaidStatus per requested id, in request order;
 *    an unknown, non-prepaid or malformed id is reported in its own entry
 *    (errorcode 1010 / 2000 / 4002-4004 with errorstring, prepaid false,
 *    balance 0); errorcode 0 means the balance is valid. More than
 *    PREPAID_STATUS_MAX ids: fault 4012.
 *  - getCreditHistory: {entries}, newest first; count <= 0 means 200, counts
 *    above 1000 are clamped to 1000. A non-prepaid account faults with 2000
 *    (which CDRTool ignores silently), an unknown one with 1010. */
#include <stdio.h>
#include <string.h>
#include "soapH.h"
#include "core/cfg.h"
#include "ctx.h"
#include "fault.h"
#include "core/money.h"
#include "store/store_prepaid.h"
#include "store/store_voucher.h"

#define SIP_NAME_MAX 64   /* bytes, as subscriber.username/domain */

struct sip_name {
	char *user;     /* lower case, in the gSOAP arena */
	char *domain;
	char addr[2 * SIP_NAME_MAX + 2];   /* "user@domain" for messages */
};

/* Lower-cases one name into the arena. The checks are deliberately small:
 * present, 1..SIP_NAME_MAX bytes, no white space, control characters or '@'
 * (the account module's validation will take over here). */
static enum ngn_status name_check(struct soap *soap, const char *in, char **out, int is_domain)
{
	enum ngn_status bad = is_domain ? NGN_E_INVALID_DOMAIN : NGN_E_INVALID_USERNAME;
	if (in == NULL)
		return NGN_E_MISSING_FIELD;
	size_t n = strlen(in);
	if (n == 0 || n > SIP_NAME_MAX)
		return bad;
	char *s = soap_malloc(soap, n + 1);
	if (s == NULL)
		return NGN_E_INTERNAL;
	for (size_t i = 0; i <= n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (i < n && (c <= ' ' || c == 0x7f || c == '@'))
			return bad;
		s[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	*out = s;
	return NGN_OK;
}

static enum ngn_status sip_name_decode(struct soap *soap, const struct ngn2__SipId *id,
				       struct sip_name *out, const char **what)
{
	*what = "sipId";
	if (id == NULL)
		return NGN_E_MISSING_FIELD;
	*what = "sipId.username";
	enum ngn_status st = name_check(soap, id->username, &out->user, 0);
	if (st != NGN_OK)
		return st;
	*what = "sipId.domain";
	st = name_check(soap, id->domain, &out->domain, 1);
	if (st != NGN_OK)
		return st;
	snprintf(out->addr, sizeof out->addr, "%s@%s", out->user, out->domain);
	return NGN_OK;
}

/* Decodes a SipId or builds the fault: returns SOAP_OK or SOAP_FAULT. */
static int sip_name_or_fault(struct soap *soap, const struct ngn2__SipId *id, struct sip_name *out)
{
	const char *what;
	enum ngn_status st = sip_name_decode(soap, id, out, &what);
	if (st == NGN_OK)
		return SOAP_OK;
	if (st == NGN_E_MISSING_FIELD)
		return ngn_fault(soap, st, "%s is missing", what);
	if (st == NGN_E_INTERNAL)
		return ngn_fault(soap, st, NULL);
	return ngn_fault(soap, st, "%s must be 1 to %d characters without spaces or '@'", what, SIP_NAME_MAX);
}

/* The fault for a store status, with a message naming the account. Voucher
 * faults say nothing about why the card was refused. */
static int prepaid_fault(struct soap *soap, enum ngn_status st, const struct sip_name *id)
{
	switch (st) {
	case NGN_E_ACCOUNT_NOT_FOUND:
		return ngn_fault(soap, st, "SIP account %s does not exist", id->addr);
	case NGN_E_NOT_PREPAID:
		return ngn_fault(soap, st, "SIP account %s is not prepaid", id->addr);
	case NGN_E_INSUFFICIENT_BALANCE:
		return ngn_fault(soap, st, "The balance of %s is lower than the debit", id->addr);
	case NGN_E_INVALID_AMOUNT:
		return ngn_fault(soap, st, "The balance of %s would exceed the maximum", id->addr);
	case NGN_E_INVALID_VALUE:
		return ngn_fault(soap, st, "description is longer than %d characters", PREPAID_DESCRIPTION_MAX);
	case NGN_E_VOUCHER_INVALID:
		return ngn_fault(soap, st, "The prepaid card is not valid");
	case NGN_E_VOUCHER_THROTTLED:
		return ngn_fault(soap, st, "Too many wrong prepaid card numbers, try again later");
	default:
		return ngn_fault(soap, st, NULL);
	}
}

static char *money_text(struct soap *soap, money_t v)
{
	char buf[MONEY_STR_MAX];
	return soap_strdup(soap, money_format(v, buf));
}

static int balance_reply(struct soap *soap, const struct balance_change *ch,
			 struct ngn2__BalanceChange **out)
{
	struct ngn2__BalanceChange *b = soap_new_ngn2__BalanceChange(soap, 1);
	if (b == NULL)
		return SOAP_EOM;
	b->old_USCOREbalance = money_text(soap, ch->old_balance);
	b->new_USCOREbalance = money_text(soap, ch->new_balance);
	if (b->old_USCOREbalance == NULL || b->new_USCOREbalance == NULL)
		return SOAP_EOM;
	*out = b;
	return SOAP_OK;
}

int ngn1__addBalance(struct soap *soap, struct ngn2__SipId *sipId, char *value, char *description,
		     struct ngn1__addBalanceResponse *resp)
{
	struct req_ctx *r = req_ctx(soap);
	soap->header = NULL;
	struct sip_name id;
	if (sip_name_or_fault(soap, sipId, &id) != SOAP_OK)
		return SOAP_FAULT;
	money_t v = 0;
	enum money_err me = money_parse(value, MONEY_AMOUNT_MAX, &v);
	if (me == MONEY_RANGE)
		return ngn_fault(soap, NGN_E_INVALID_AMOUNT, "value: %s (at most %lld either way)",
				 money_strerror(me), (long long)(MONEY_AMOUNT_MAX / MONEY_SCALE));
	if (me != MONEY_OK)
		return ngn_fault(soap, NGN_E_INVALID_AMOUNT, "value: %s", money_strerror(me));
	if (v == 0)
		return ngn_fault(soap, NGN_E_INVALID_AMOUNT, "value: the amount must not be zero");
	struct balance_change ch;
	enum ngn_status st = store_prepaid_add(r->db, id.user, id.domain, v, description, r->login, &ch);
	if (st != NGN_OK)
		return prepaid_fault(soap, st, &id);
	return balance_reply(soap, &ch, &resp->return_);
}

int ngn1__addBalanceFromVoucher(struct soap *soap, struct ngn2__SipId *sipId, struct ngn2__PrepaidCard *card,
				struct ngn1__addBalanceFromVoucherResponse *resp)
{
	struct req_ctx *r = req_ctx(soap);
	soap->header = NULL;
	struct sip_name id;
	if (sip_name_or_fault(soap, sipId, &id) != SOAP_OK)
		return SOAP_FAULT;
	if (card == NULL)
		return ngn_fault(soap, NGN_E_MISSING_FIELD, "card is missing");
	if (card->id == NULL)
		return ngn_fault(soap, NGN_E_MISSING_FIELD, "card.id is missing");
	if (card->number == NULL || card->number[0] == '\0')
		return ngn_fault(soap, NGN_E_MISSING_FIELD, "card.number is missing");
	struct voucher_limits lim = { r->cfg->voucher_max_failures, r->cfg->voucher_login_max_failures,
				      r->cfg->voucher_lockout };
	struct balance_change ch;
	enum ngn_status st = store_voucher_redeem(r->db, id.user, id.domain, *card->id, card->number,
						  r->login, &lim, &ch);
	if (st != NGN_OK)
		return prepaid_fault(soap, st, &id);
	return balance_reply(soap, &ch, &resp->return_);
}

int ngn1__getPrepaidStatus(struct soap *soap, struct SipIdArray *sipIds,
			   struct ngn1__getPrepaidStatusResponse *resp)
{
	struct req_ctx *r = req_ctx(soap);
	soap->header = NULL;
	size_t n = sipIds != NULL && sipIds->__size > 0 ? (size_t)sipIds->__size : 0;
	if (n > PREPAID_STATUS_MAX)
		return ngn_fault(soap, NGN_E_TOO_LARGE, "at most %d ids per call", PREPAID_STATUS_MAX);
	struct PrepaidStatusArray *arr = soap_new_PrepaidStatusArray(soap, 1);
	struct prepaid_status *items = soap_malloc(soap, (n ? n : 1) * sizeof *items);
	struct ngn2__PrepaidStatus **out = soap_malloc(soap, (n ? n : 1) * sizeof *out);
	if (arr == NULL || items == NULL || out == NULL)
		return SOAP_EOM;
	for (size_t i = 0; i < n; i++) {
		struct sip_name id;
		const char *what;
		memset(&items[i], 0, sizeof items[i]);
		items[i].st = sip_name_decode(soap, sipIds->__ptr[i], &id, &what);
		if (items[i].st == NGN_OK) {
			items[i].username = id.user;
			items[i].domain = id.domain;
			items[i].lookup = 1;
		}
	}
	enum ngn_status st = store_prepaid_status(r->db, items, n);
	if (st != NGN_OK)
		return ngn_fault(soap, st, NULL);
	for (size_t i = 0; i < n; i++) {
		struct ngn2__PrepaidStatus *e = soap_new_ngn2__PrepaidStatus(soap, 1);
		struct ngn2__SipId *eid = soap_new_ngn2__SipId(soap, 1);
		if (e == NULL || eid == NULL)
			return SOAP_EOM;
		const struct ngn2__SipId *req = sipIds->__ptr[i];
		/* echo the id as looked up, or as sent when it was malformed */
		eid->username = items[i].lookup ? (char *)items[i].username : req ? req->username : NULL;
		eid->domain = items[i].lookup ? (char *)items[i].domain : req ? req->domain : NULL;
		/* a missing item (sparse array) or member still gets typed, empty values */
		if (eid->username == NULL)
			eid->username = "";
		if (eid->domain == NULL)
			eid->domain = "";
		e->id = eid;
		e->prepaid = items[i].prepaid ? xsd__boolean__true_ : xsd__boolean__false_;
		e->balance = money_text(soap, items[i].st == NGN_OK ? items[i].balance : 0);
		e->errorcode = items[i].st == NGN_OK ? 0 : fault_lookup(items[i].st)->errorcode;
		e->errorstring = (char *)(items[i].st == NGN_OK ? "" : fault_lookup(items[i].st)->summary);
		out[i] = e;
	}
	arr->__ptr = out;
	arr->__size = (int)n;
	resp->return_ = arr;
	return SOAP_OK;
}

int ngn1__getCreditHistory(struct soap *soap, struct ngn2__SipId *sipId, int count,
			   struct ngn1__getCreditHistoryResponse *resp)
{
	struct req_ctx *r = req_ctx(soap);
	soap->header = NULL;
	struct sip_name id;
	if (sip_name_or_fault(soap, sipId, &id) != SOAP_OK)
		return SOAP_FAULT;
	struct prepaid_history h;
	enum ngn_status st = store_prepaid_history(r->db, id.user, id.domain, count, &h);
	if (st != NGN_OK)
		return prepaid_fault(soap, st, &id);
	int rc = SOAP_EOM;
	struct ngn2__CreditHistory *ch = soap_new_ngn2__CreditHistory(soap, 1);
	struct CreditHistoryEntryArray *arr = soap_new_CreditHistoryEntryArray(soap, 1);
	struct ngn2__CreditHistoryEntry **v = soap_malloc(soap, (h.n ? h.n : 1) * sizeof *v);
	if (ch == NULL || arr == NULL || v == NULL)
		goto out;
	for (size_t i = 0; i < h.n; i++) {
		const struct prepaid_entry *pe = &h.v[i];
		struct ngn2__CreditHistoryEntry *e = soap_new_ngn2__CreditHistoryEntry(soap, 1);
		if (e == NULL)
			goto out;
		e->date = soap_strdup(soap, pe->date);
		e->action = soap_strdup(soap, pe->action);
		e->description = soap_strdup(soap, pe->description);
		e->value = money_text(soap, pe->value);
		e->balance = money_text(soap, pe->balance);
		e->session = pe->session ? soap_strdup(soap, pe->session) : NULL;
		if (!e->date || !e->action || !e->description || !e->value || !e->balance
		    || (pe->session && !e->session))
			goto out;
		v[i] = e;
	}
	arr->__ptr = v;
	arr->__size = (int)h.n;
	ch->entries = arr;
	resp->return_ = ch;
	rc = SOAP_OK;
out:
	store_prepaid_history_free(&h);
	return rc;
}
