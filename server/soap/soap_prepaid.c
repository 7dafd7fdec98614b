/* soap_prepaid.c: the prepaid operations of the Sip port (addBalance,
 * addBalanceFromVoucher, getPrepaidStatus, getCreditHistory).
 *
 * The Sip port's pattern (soap_account.c): decode and validate the input
 * (soap_conv.c: a sipId is checked by valid_username/valid_domain like every
 * other operation's), make one store call with the caller's scope (the store
 * runs the transaction and says why it failed), then encode the result or
 * end in conv_finish, which builds the fault through fault.c.
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
#include <string.h>
#include "core/cfg.h"
#include "core/money.h"
#include "fault.h"
#include "soap_conv.h"
#include "store/store_prepaid.h"
#include "store/store_voucher.h"

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
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct sip_id id;
	enum ngn_status st = r ? conv_sip_id_in(sipId, "sipId", &id, &res.err) : NGN_E_INTERNAL;
	money_t v = 0;
	enum money_err me = st == NGN_OK ? money_parse_amount(value, &v) : MONEY_OK;
	if (me == MONEY_RANGE)
		st = err_set(&res.err, NGN_E_INVALID_AMOUNT, "value: %s (at most %lld either way)",
			     money_strerror(me), (long long)(MONEY_AMOUNT_MAX / MONEY_SCALE));
	else if (me != MONEY_OK)
		st = err_set(&res.err, NGN_E_INVALID_AMOUNT, "value: %s", money_strerror(me));
	struct balance_change ch;
	if (st == NGN_OK)
		st = store_prepaid_add(r->db, &r->scope, &id, v, description, r->login, &ch, &res);
	if (st == NGN_OK && balance_reply(soap, &ch, &resp->return_) != SOAP_OK)
		st = NGN_E_INTERNAL;
	return conv_finish(soap, r, &res, st, NULL);
}

static enum ngn_status card_in(const struct ngn2__PrepaidCard *card, struct ngn_err *e)
{
	if (card == NULL)
		return err_set(e, NGN_E_MISSING_FIELD, "card is missing");
	if (card->id == NULL)
		return err_set(e, NGN_E_MISSING_FIELD, "card.id is missing");
	if (card->number == NULL || card->number[0] == '\0')
		return err_set(e, NGN_E_MISSING_FIELD, "card.number is missing");
	return NGN_OK;
}

int ngn1__addBalanceFromVoucher(struct soap *soap, struct ngn2__SipId *sipId, struct ngn2__PrepaidCard *card,
				struct ngn1__addBalanceFromVoucherResponse *resp)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct sip_id id;
	enum ngn_status st = r ? conv_sip_id_in(sipId, "sipId", &id, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = card_in(card, &res.err);
	struct balance_change ch;
	if (st == NGN_OK) {
		struct voucher_limits lim = { r->cfg->voucher_max_failures, r->cfg->voucher_login_max_failures,
					      r->cfg->voucher_lockout };
		st = store_voucher_redeem(r->db, &r->scope, &id, *card->id, card->number, r->login, &lim, &ch, &res);
	}
	if (st == NGN_OK && balance_reply(soap, &ch, &resp->return_) != SOAP_OK)
		st = NGN_E_INTERNAL;
	return conv_finish(soap, r, &res, st, NULL);
}

/* Decodes the ids of a getPrepaidStatus into items: a malformed id gets its
 * status (4002-4004) in its entry and is not looked up. sent[i] keeps the id
 * as sent, to be echoed for a malformed one (validation lower-cases in
 * place). */
static enum ngn_status status_in(struct soap *soap, struct SipIdArray *in, struct prepaid_status *items,
				 struct ngn2__SipId *sent, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct ngn2__SipId *id = in->__ptr[i];
		struct ngn_err e;
		memset(&items[i], 0, sizeof items[i]);
		memset(&sent[i], 0, sizeof sent[i]);
		if (id != NULL && id->username != NULL && (sent[i].username = soap_strdup(soap, id->username)) == NULL)
			return NGN_E_INTERNAL;
		if (id != NULL && id->domain != NULL && (sent[i].domain = soap_strdup(soap, id->domain)) == NULL)
			return NGN_E_INTERNAL;
		items[i].st = conv_sip_id_in(id, "sipId", &items[i].id, &e);
		items[i].lookup = items[i].st == NGN_OK;
	}
	return NGN_OK;
}

static struct PrepaidStatusArray *status_out(struct soap *soap, const struct prepaid_status *items,
					     const struct ngn2__SipId *sent, size_t n)
{
	struct PrepaidStatusArray *arr = soap_new_PrepaidStatusArray(soap, 1);
	struct ngn2__PrepaidStatus **out = soap_malloc(soap, (n ? n : 1) * sizeof *out);
	if (arr == NULL || out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct ngn2__PrepaidStatus *e = soap_new_ngn2__PrepaidStatus(soap, 1);
		struct ngn2__SipId *eid = soap_new_ngn2__SipId(soap, 1);
		if (e == NULL || eid == NULL)
			return NULL;
		/* echo the id as looked up, or as sent when it was malformed */
		eid->username = items[i].lookup ? (char *)items[i].id.username : sent[i].username;
		eid->domain = items[i].lookup ? (char *)items[i].id.domain : sent[i].domain;
		/* a missing item (sparse array) or member still gets typed, empty values */
		if (eid->username == NULL)
			eid->username = "";
		if (eid->domain == NULL)
			eid->domain = "";
		e->id = eid;
		e->prepaid = items[i].prepaid ? xsd__boolean__true_ : xsd__boolean__false_;
		e->balance = money_text(soap, items[i].st == NGN_OK ? items[i].balance : 0);
		if (e->balance == NULL)
			return NULL;
		e->errorcode = items[i].st == NGN_OK ? 0 : fault_lookup(items[i].st)->errorcode;
		e->errorstring = (char *)(items[i].st == NGN_OK ? "" : fault_lookup(items[i].st)->summary);
		out[i] = e;
	}
	arr->__ptr = out;
	arr->__size = (int)n;
	return arr;
}

int ngn1__getPrepaidStatus(struct soap *soap, struct SipIdArray *sipIds,
			   struct ngn1__getPrepaidStatusResponse *resp)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	size_t n = sipIds != NULL && sipIds->__size > 0 ? (size_t)sipIds->__size : 0;
	struct prepaid_status *items = soap_malloc(soap, (n ? n : 1) * sizeof *items);
	struct ngn2__SipId *sent = soap_malloc(soap, (n ? n : 1) * sizeof *sent);
	enum ngn_status st = r && items && sent ? NGN_OK : NGN_E_INTERNAL;
	if (st == NGN_OK && n > PREPAID_STATUS_MAX)
		st = err_set(&res.err, NGN_E_TOO_LARGE, "at most %d ids per call", PREPAID_STATUS_MAX);
	if (st == NGN_OK)
		st = status_in(soap, sipIds, items, sent, n);
	if (st == NGN_OK)
		st = store_prepaid_status(r->db, &r->scope, items, n, &res);
	if (st == NGN_OK && (resp->return_ = status_out(soap, items, sent, n)) == NULL)
		st = NGN_E_INTERNAL;
	return conv_finish(soap, r, &res, st, NULL);
}

static struct ngn2__CreditHistory *history_out(struct soap *soap, const struct prepaid_history *h)
{
	struct ngn2__CreditHistory *ch = soap_new_ngn2__CreditHistory(soap, 1);
	struct CreditHistoryEntryArray *arr = soap_new_CreditHistoryEntryArray(soap, 1);
	struct ngn2__CreditHistoryEntry **v = soap_malloc(soap, (h->n ? h->n : 1) * sizeof *v);
	if (ch == NULL || arr == NULL || v == NULL)
		return NULL;
	for (size_t i = 0; i < h->n; i++) {
		const struct prepaid_entry *pe = &h->v[i];
		struct ngn2__CreditHistoryEntry *e = soap_new_ngn2__CreditHistoryEntry(soap, 1);
		if (e == NULL)
			return NULL;
		e->date = soap_strdup(soap, pe->date);
		e->action = soap_strdup(soap, pe->action);
		e->description = soap_strdup(soap, pe->description);
		e->value = money_text(soap, pe->value);
		e->balance = money_text(soap, pe->balance);
		e->session = pe->session ? soap_strdup(soap, pe->session) : NULL;
		if (!e->date || !e->action || !e->description || !e->value || !e->balance
		    || (pe->session && !e->session))
			return NULL;
		v[i] = e;
	}
	arr->__ptr = v;
	arr->__size = (int)h->n;
	ch->entries = arr;
	return ch;
}

int ngn1__getCreditHistory(struct soap *soap, struct ngn2__SipId *sipId, int count,
			   struct ngn1__getCreditHistoryResponse *resp)
{
	struct store_res res;
	struct req_ctx *r = conv_begin(soap, &res);
	struct sip_id id;
	struct prepaid_history h = { NULL, 0 };
	enum ngn_status st = r ? conv_sip_id_in(sipId, "sipId", &id, &res.err) : NGN_E_INTERNAL;
	if (st == NGN_OK)
		st = store_prepaid_history(r->db, &r->scope, &id, count, &h, &res);
	if (st == NGN_OK && (resp->return_ = history_out(soap, &h)) == NULL)
		st = NGN_E_INTERNAL;
	store_prepaid_history_free(&h);
	return conv_finish(soap, r, &res, st, NULL);
}
