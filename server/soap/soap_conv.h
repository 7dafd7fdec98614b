/* soap_conv.h: between the generated gSOAP structs (ngn2__*) and the
 * store's types, for the Sip-port handlers (soap_domain.c, soap_account.c,
 * soap_alias.c, soap_group.c).
 *
 * Input: conv_*_in map a request onto store structs and validate every
 * member on the way (validate.c), so a handler calls the store only with
 * checked, normalised input. Members the server owns (ha1, createDate,
 * changeDate, customer, reseller) and unknown members are ignored. Lists
 * referenced by the result are allocated in the gSOAP arena; strings are the
 * request's own (normalised in place). Each returns NGN_OK or a status with
 * a message in e: NGN_E_MISSING_FIELD for a required member that is absent
 * or empty, NGN_E_INVALID_* for a bad value, NGN_E_TOO_LARGE for too many
 * list items.
 *
 * Output: conv_*_out copy store results into the gSOAP arena (soap_malloc,
 * soap_strdup), as replies must outlive the store's arena; NULL on out of
 * memory. Arrays are always present (empty, never NULL), so replies carry
 * typed SOAP-ENC arrays that clients decode as lists. */
#ifndef NGN_SOAP_CONV_H
#define NGN_SOAP_CONV_H
#include "soapH.h"
#include "ctx.h"
#include "core/err.h"
#include "store/store.h"
#include "store/store_customer.h"

enum conv_mode { CONV_ADD, CONV_UPDATE };

/* Starts a handler: drops the request's header (so that it is never echoed
 * in the reply), prepares res and returns the request context (NULL when
 * the worker set none). */
struct req_ctx *conv_begin(struct soap *soap, struct store_res *res);

/* what names the member in messages, e.g. "sipId". */
enum ngn_status conv_sip_id_in(struct ngn2__SipId *in, const char *what, struct sip_id *out,
			       struct ngn_err *e);
enum ngn_status conv_domain_name_in(char *in, const char *what, const char **out, struct ngn_err *e);
enum ngn_status conv_group_in(char *in, const char **out, struct ngn_err *e);
/* The same for add and update: absent members are defaults or unchanged. */
enum ngn_status conv_domain_in(struct ngn2__SipDomain *in, struct domain *out, struct ngn_err *e);
enum ngn_status conv_account_in(struct soap *soap, struct ngn2__SipAccount *in, enum conv_mode m,
				struct account *out, struct ngn_err *e);
enum ngn_status conv_alias_in(struct ngn2__SipAlias *in, enum conv_mode m, struct alias *out,
			      struct ngn_err *e);
enum ngn_status conv_domain_query_in(struct ngn2__SipDomainQuery *in, struct domain_query *out,
				     struct ngn_err *e);
enum ngn_status conv_account_query_in(struct soap *soap, struct ngn2__SipQuery *in,
				      struct account_query *out, struct ngn_err *e);
enum ngn_status conv_alias_query_in(struct ngn2__AliasQuery *in, struct alias_query *out,
				    struct ngn_err *e);

/* show_password = 0 returns "" instead of a stored clear password (the
 * operator does not keep clear passwords, so none may be returned). */
struct ngn2__SipAccount *conv_account_out(struct soap *soap, const struct account *a, int show_password);
struct ngn2__SipQueryResult *conv_accounts_out(struct soap *soap, const struct account_list *l,
					       int show_password);
struct ngn2__SipDomainQueryResult *conv_domains_out(struct soap *soap, const struct domain_list *l);
struct ngn2__SipAlias *conv_alias_out(struct soap *soap, const struct alias *al);
struct ngn2__AliasQueryResult *conv_aliases_out(struct soap *soap, const struct alias_list *l);
struct StringArray *conv_strings_out(struct soap *soap, const struct str_list *l);

/* Customer port. conv_customer_in: CONV_UPDATE requires id; reseller is
 * read only on add; the username is lower-cased with spaces made dots, as
 * CDRTool does (contract part 2 §3.1); then customer_check. */
enum ngn_status conv_customer_in(struct soap *soap, struct ngn2__CustomerAccount *in, enum conv_mode m,
				 struct customer *out, struct ngn_err *e);
enum ngn_status conv_customer_props_in(struct soap *soap, struct CustomerPropertyArray *in,
				       struct customer_property **out, size_t *n, struct ngn_err *e);
enum ngn_status conv_customer_query_in(struct ngn2__CustomerQuery *in, struct customer_query *out,
				       struct ngn_err *e);
/* show_password = 0 returns "" for the clear password (only the operator
 * reads it back, contract part 2 §3.4). */
struct ngn2__CustomerAccount *conv_customer_out(struct soap *soap, const struct customer *c, int show_password);
struct ngn2__CustomerQueryResult *conv_customers_out(struct soap *soap, const struct customer_list *l,
						     int show_password);
struct CustomerPropertyArray *conv_customer_props_out(struct soap *soap, const struct customer *c);

/* Ends a handler: for a failed status builds the fault (errorstring from
 * res->err), otherwise nudges proxy-glue when res says the policy changed
 * and sets *ok (if not NULL) to true. Frees res. Returns SOAP_OK or
 * SOAP_FAULT, for the handler to return. */
int conv_finish(struct soap *soap, struct req_ctx *r, struct store_res *res, enum ngn_status st,
		enum xsd__boolean *ok);

#endif
