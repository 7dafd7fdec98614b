/* soap_conv.c: see soap_conv.h. The only file besides the handlers that
 * knows the generated ngn2__* names. */
#include <limits.h>
#include <string.h>
#include "fault.h"
#include "soap_conv.h"
#include "store/validate.h"

struct req_ctx *conv_begin(struct soap *soap, struct store_res *res)
{
	soap->header = NULL;
	store_res_init(res);
	return req_ctx(soap);
}

static enum ngn_status missing(struct ngn_err *e, const char *what)
{
	return err_set(e, NGN_E_MISSING_FIELD, "%s is missing", what);
}

static int empty(const char *s)
{
	return s == NULL || *s == '\0';
}

enum ngn_status conv_sip_id_in(struct ngn2__SipId *in, const char *what, struct sip_id *out, struct ngn_err *e)
{
	if (in == NULL)
		return missing(e, what);
	if (empty(in->username))
		return err_set(e, NGN_E_MISSING_FIELD, "%s.username is missing", what);
	if (empty(in->domain))
		return err_set(e, NGN_E_MISSING_FIELD, "%s.domain is missing", what);
	enum ngn_status st = valid_username(in->username, e);
	if (st == NGN_OK)
		st = valid_domain(in->domain, e);
	out->username = in->username;
	out->domain = in->domain;
	return st;
}

enum ngn_status conv_domain_name_in(char *in, const char *what, const char **out, struct ngn_err *e)
{
	if (empty(in))
		return missing(e, what);
	*out = in;
	return valid_domain(in, e);
}

enum ngn_status conv_group_in(char *in, const char **out, struct ngn_err *e)
{
	if (empty(in))
		return missing(e, "group");
	*out = in;
	return valid_group(in, e);
}

static struct opt_int opt_int_in(const int *p)
{
	return p ? (struct opt_int){ 1, *p } : (struct opt_int){ 0, 0 };
}

static struct opt_int opt_bool_in(const enum xsd__boolean *p)
{
	return p ? (struct opt_int){ 1, *p == xsd__boolean__true_ } : (struct opt_int){ 0, 0 };
}

static enum ngn_status uint_in(const char *field, struct opt_int v, struct ngn_err *e)
{
	return v.set ? valid_uint(field, v.v, e) : NGN_OK;
}

enum ngn_status conv_domain_in(struct ngn2__SipDomain *in, struct domain *out, struct ngn_err *e)
{
	memset(out, 0, sizeof *out);
	if (in == NULL)
		return missing(e, "domain");
	enum ngn_status st = conv_domain_name_in(in->domain, "domain.domain", &out->domain, e);
	out->customer = opt_int_in(in->customer);
	out->reseller = opt_int_in(in->reseller);
	out->certificate = in->certificate;
	out->private_key = in->private_USCOREkey;
	out->match_ip_address = in->match_USCOREip_USCOREaddress;
	out->match_sip_domain = in->match_USCOREsip_USCOREdomain;
	out->verify_cert = opt_bool_in(in->verify_USCOREcert);
	out->require_cert = opt_bool_in(in->require_USCOREcert);
	if (st == NGN_OK)
		st = uint_in("customer", out->customer, e);
	if (st == NGN_OK)
		st = uint_in("reseller", out->reseller, e);
	if (st == NGN_OK)
		st = valid_blob("certificate", out->certificate, STORE_PEM_MAX, e);
	if (st == NGN_OK)
		st = valid_blob("private_key", out->private_key, STORE_PEM_MAX, e);
	if (st == NGN_OK)
		st = valid_text("match_ip_address", out->match_ip_address, STORE_MATCH_MAX, e);
	if (st == NGN_OK)
		st = valid_text("match_sip_domain", out->match_sip_domain, STORE_MATCH_MAX, e);
	return st;
}

static enum ngn_status groups_in(struct soap *soap, struct StringArray *in, struct str_list **out,
				 struct ngn_err *e)
{
	*out = NULL;
	if (in == NULL)
		return NGN_OK;
	if (in->__size > STORE_MAX_GROUPS)
		return err_set(e, NGN_E_TOO_LARGE, "Too many groups (%d, at most %d)", in->__size, STORE_MAX_GROUPS);
	struct str_list *l = soap_malloc(soap, sizeof *l);
	char **v = soap_malloc(soap, sizeof *v * (size_t)(in->__size > 0 ? in->__size : 1));
	if (l == NULL || v == NULL)
		return NGN_E_INTERNAL;
	memset(l, 0, sizeof *l);
	l->v = v;
	for (int i = 0; i < in->__size; i++) {
		char *g = in->__ptr ? in->__ptr[i] : NULL;
		if (empty(g))
			continue; /* [""] is how PHP clients say "none" */
		enum ngn_status st = valid_group(g, e);
		if (st != NGN_OK)
			return st;
		l->v[l->n++] = g;
	}
	l->cap = l->n;
	*out = l;
	return NGN_OK;
}

static enum ngn_status properties_in(struct soap *soap, struct PropertyArray *in, struct prop_list **out,
				     struct ngn_err *e)
{
	*out = NULL;
	if (in == NULL)
		return NGN_OK;
	if (in->__size > STORE_MAX_PROPERTIES)
		return err_set(e, NGN_E_TOO_LARGE, "Too many properties (%d, at most %d)", in->__size,
			       STORE_MAX_PROPERTIES);
	struct prop_list *l = soap_malloc(soap, sizeof *l);
	struct property *v = soap_malloc(soap, sizeof *v * (size_t)(in->__size > 0 ? in->__size : 1));
	if (l == NULL || v == NULL)
		return NGN_E_INTERNAL;
	memset(l, 0, sizeof *l);
	l->v = v;
	for (int i = 0; i < in->__size; i++) {
		struct ngn2__Property *p = in->__ptr ? in->__ptr[i] : NULL;
		if (p == NULL)
			continue;
		const char *value = p->value ? p->value : "";
		enum ngn_status st = valid_property(p->name, value, e);
		if (st != NGN_OK)
			return st;
		for (size_t j = 0; j < l->n; j++)
			if (strcmp(l->v[j].name, p->name) == 0)
				return err_set(e, NGN_E_INVALID_PROPERTY, "Property %s is given twice", p->name);
		l->v[l->n++] = (struct property){ p->name, value };
	}
	l->cap = l->n;
	*out = l;
	return NGN_OK;
}

static enum ngn_status acl_in(struct soap *soap, struct AccessList *in, struct acl_list **out, struct ngn_err *e)
{
	*out = NULL;
	if (in == NULL)
		return NGN_OK;
	if (in->__size > STORE_MAX_ACL)
		return err_set(e, NGN_E_TOO_LARGE, "Too many access list entries (%d, at most %d)", in->__size,
			       STORE_MAX_ACL);
	struct acl_list *l = soap_malloc(soap, sizeof *l);
	struct acl_entry *v = soap_malloc(soap, sizeof *v * (size_t)(in->__size > 0 ? in->__size : 1));
	if (l == NULL || v == NULL)
		return NGN_E_INTERNAL;
	memset(l, 0, sizeof *l);
	l->v = v;
	for (int i = 0; i < in->__size; i++) {
		struct ngn2__AccessListEntry *a = in->__ptr ? in->__ptr[i] : NULL;
		if (a == NULL)
			continue;
		enum ngn_status st = valid_acl(a->ip, a->mask, a->tag, e);
		if (st != NGN_OK)
			return st;
		l->v[l->n++] = (struct acl_entry){ a->ip, a->mask, a->tag ? a->tag : "" };
	}
	l->cap = l->n;
	*out = l;
	return NGN_OK;
}

enum ngn_status conv_account_in(struct soap *soap, struct ngn2__SipAccount *in, enum conv_mode m,
				struct account *out, struct ngn_err *e)
{
	memset(out, 0, sizeof *out);
	if (in == NULL)
		return missing(e, "account");
	enum ngn_status st;
	int autoinc = m == CONV_ADD && in->id && in->id->username
		      && strcmp(in->id->username, STORE_AUTOINCREMENT) == 0;
	if (autoinc) {
		/* the store allocates the name; the domain is checked as usual */
		st = conv_domain_name_in(in->id->domain, "account.id.domain", &out->id.domain, e);
		out->id.username = STORE_AUTOINCREMENT;
	} else {
		st = conv_sip_id_in(in->id, "account.id", &out->id, e);
	}
	if (st != NGN_OK)
		return st;

	if (!empty(in->password)) {
		st = valid_password(in->password, &out->pw, e);
		if (st == NGN_OK && autoinc && out->pw.kind == PW_DIGEST)
			st = err_set(e, NGN_E_INVALID_PASSWORD,
				     "A digest1:digest2 password cannot be used with <autoincrement>: the digests depend on the username");
	} else if (m == CONV_ADD) {
		st = missing(e, "account.password");
	}
	out->first_name = in->firstName;
	out->last_name = in->lastName;
	out->email = in->email;
	out->rpid = in->rpid;
	out->timezone = in->timezone;
	out->region = in->region;
	out->quickdial_prefix = in->quickdialPrefix;
	out->owner = opt_int_in(in->owner);
	out->prepaid = opt_bool_in(in->prepaid);
	out->quota = opt_int_in(in->quota);
	out->call_limit = opt_int_in(in->callLimit);
	out->timeout = opt_int_in(in->timeout);
	if (st == NGN_OK)
		st = valid_text("firstName", out->first_name, STORE_NAME_MAX, e);
	if (st == NGN_OK)
		st = valid_text("lastName", out->last_name, STORE_NAME_MAX, e);
	if (st == NGN_OK)
		st = valid_email(in->email, e);
	if (st == NGN_OK)
		st = valid_text("rpid", out->rpid, STORE_SHORT_MAX, e);
	if (st == NGN_OK)
		st = valid_text("timezone", out->timezone, STORE_SHORT_MAX, e);
	if (st == NGN_OK)
		st = valid_text("region", out->region, STORE_SHORT_MAX, e);
	if (st == NGN_OK)
		st = valid_text("quickdialPrefix", out->quickdial_prefix, STORE_SHORT_MAX, e);
	if (st == NGN_OK)
		st = uint_in("owner", out->owner, e);
	if (st == NGN_OK)
		st = uint_in("quota", out->quota, e);
	if (st == NGN_OK)
		st = uint_in("callLimit", out->call_limit, e);
	if (st == NGN_OK)
		st = uint_in("timeout", out->timeout, e);
	if (st == NGN_OK)
		st = groups_in(soap, in->groups, &out->groups, e);
	if (st == NGN_OK)
		st = properties_in(soap, in->properties, &out->properties, e);
	if (st == NGN_OK)
		st = acl_in(soap, in->acl, &out->acl, e);
	return st;
}

enum ngn_status conv_alias_in(struct ngn2__SipAlias *in, enum conv_mode m, struct alias *out, struct ngn_err *e)
{
	memset(out, 0, sizeof *out);
	if (in == NULL)
		return missing(e, "alias");
	enum ngn_status st = conv_sip_id_in(in->id, "alias.id", &out->id, e);
	if (st == NGN_OK && (m == CONV_ADD || in->target != NULL)) {
		st = conv_sip_id_in(in->target, "alias.target", &out->target, e);
		out->has_target = 1;
	}
	out->owner = opt_int_in(in->owner);
	if (st == NGN_OK)
		st = uint_in("owner", out->owner, e);
	return st;
}

static void order_range_in(struct ngn2__OrderBy *o, struct ngn2__Range *r, struct list_order *oo,
			   struct list_range *ro)
{
	if (o) {
		oo->attribute = o->attribute;
		oo->direction = o->direction;
	}
	if (r) {
		ro->start = opt_int_in(r->start);
		ro->count = opt_int_in(r->count);
	}
}

static enum ngn_status id_filter(const char *field, const int *v, int64_t *out, struct ngn_err *e)
{
	*out = v ? *v : 0;
	if (*out < 0)
		return err_set(e, NGN_E_INVALID_QUERY, "Invalid %s filter %lld", field, (long long)*out);
	return NGN_OK;
}

enum ngn_status conv_domain_query_in(struct ngn2__SipDomainQuery *in, struct domain_query *out,
				     struct ngn_err *e)
{
	memset(out, 0, sizeof *out);
	if (in == NULL)
		return NGN_OK;
	enum ngn_status st = NGN_OK;
	struct ngn2__SipDomainFilter *f = in->filter;
	if (f) {
		valid_fold(f->domain);
		out->domain = f->domain;
		st = id_filter("customer", f->customer, &out->customer, e);
		if (st == NGN_OK)
			st = id_filter("reseller", f->reseller, &out->reseller, e);
	}
	order_range_in(in->orderBy, in->range, &out->order, &out->range);
	return st;
}

enum ngn_status conv_account_query_in(struct soap *soap, struct ngn2__SipQuery *in, struct account_query *out,
				      struct ngn_err *e)
{
	memset(out, 0, sizeof *out);
	if (in == NULL)
		return NGN_OK;
	enum ngn_status st = NGN_OK;
	struct ngn2__SipFilter *f = in->filter;
	if (f) {
		valid_fold(f->username);
		valid_fold(f->domain);
		valid_fold(f->email);
		out->username = f->username;
		out->domain = f->domain;
		out->first_name = f->firstName;
		out->last_name = f->lastName;
		out->email = f->email;
		st = id_filter("owner", f->owner, &out->owner, e);
		if (st == NGN_OK)
			st = id_filter("customer", f->customer, &out->customer, e);
		if (st == NGN_OK)
			st = id_filter("reseller", f->reseller, &out->reseller, e);
		if (st == NGN_OK && f->groups && f->groups->__size > 0) {
			struct str_list *l = soap_malloc(soap, sizeof *l);
			char **v = soap_malloc(soap, sizeof *v * (size_t)f->groups->__size);
			if (l == NULL || v == NULL)
				return NGN_E_INTERNAL;
			memset(l, 0, sizeof *l);
			l->v = v;
			for (int i = 0; i < f->groups->__size; i++) {
				char *g = f->groups->__ptr ? f->groups->__ptr[i] : NULL;
				if (empty(g))
					continue;
				valid_fold(g);
				l->v[l->n++] = g;
			}
			out->groups = l;
		}
	}
	order_range_in(in->orderBy, in->range, &out->order, &out->range);
	return st;
}

enum ngn_status conv_alias_query_in(struct ngn2__AliasQuery *in, struct alias_query *out, struct ngn_err *e)
{
	memset(out, 0, sizeof *out);
	if (in == NULL)
		return NGN_OK;
	enum ngn_status st = NGN_OK;
	struct ngn2__AliasFilter *f = in->filter;
	if (f) {
		valid_fold(f->aliasUsername);
		valid_fold(f->aliasDomain);
		valid_fold(f->targetUsername);
		valid_fold(f->targetDomain);
		out->alias_username = f->aliasUsername;
		out->alias_domain = f->aliasDomain;
		out->target_username = f->targetUsername;
		out->target_domain = f->targetDomain;
		st = id_filter("owner", f->owner, &out->owner, e);
		if (st == NGN_OK)
			st = id_filter("customer", f->customer, &out->customer, e);
		if (st == NGN_OK)
			st = id_filter("reseller", f->reseller, &out->reseller, e);
	}
	order_range_in(in->orderBy, in->range, &out->order, &out->range);
	return st;
}

/* ---- output ------------------------------------------------------------- */

/* Storage for n array items, never NULL when memory is there: gSOAP writes
 * SOAP-ENC:arrayType only for an array whose __ptr is set, and clients decode
 * an empty array without it as '' instead of an empty list. */
static void *items_out(struct soap *soap, size_t n, size_t size)
{
	return soap_malloc(soap, (n ? n : 1) * size);
}

static int clamp_int(int64_t v)
{
	return v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : (int)v;
}

static int *int_out(struct soap *soap, int64_t v, int *fail)
{
	int *p = soap_malloc(soap, sizeof *p);
	if (p == NULL)
		*fail = 1;
	else
		*p = clamp_int(v);
	return p;
}

static enum xsd__boolean *bool_out(struct soap *soap, int64_t v, int *fail)
{
	enum xsd__boolean *p = soap_malloc(soap, sizeof *p);
	if (p == NULL)
		*fail = 1;
	else
		*p = v ? xsd__boolean__true_ : xsd__boolean__false_;
	return p;
}

static time_t *time_out(struct soap *soap, int64_t v, int *fail)
{
	time_t *p = soap_malloc(soap, sizeof *p);
	if (p == NULL)
		*fail = 1;
	else
		*p = (time_t)v;
	return p;
}

static char *str_out(struct soap *soap, const char *s, int *fail)
{
	char *p = soap_strdup(soap, s ? s : "");
	if (p == NULL)
		*fail = 1;
	return p;
}

static struct ngn2__SipId *sip_id_out(struct soap *soap, const struct sip_id *id, int *fail)
{
	struct ngn2__SipId *p = soap_new_ngn2__SipId(soap, 1);
	if (p == NULL) {
		*fail = 1;
		return NULL;
	}
	p->username = str_out(soap, id->username, fail);
	p->domain = str_out(soap, id->domain, fail);
	return p;
}

struct StringArray *conv_strings_out(struct soap *soap, const struct str_list *l)
{
	struct StringArray *a = soap_new_StringArray(soap, 1);
	if (a == NULL)
		return NULL;
	size_t n = l ? l->n : 0;
	if ((a->__ptr = items_out(soap, n, sizeof *a->__ptr)) == NULL)
		return NULL;
	int fail = 0;
	for (size_t i = 0; i < n; i++)
		a->__ptr[i] = str_out(soap, l->v[i], &fail);
	if (fail)
		return NULL;
	a->__size = (int)n;
	return a;
}

static struct PropertyArray *props_out(struct soap *soap, const struct prop_list *l, int *fail)
{
	struct PropertyArray *a = soap_new_PropertyArray(soap, 1);
	size_t n = l ? l->n : 0;
	if (a == NULL || (a->__ptr = items_out(soap, n, sizeof *a->__ptr)) == NULL) {
		*fail = 1;
		return a;
	}
	for (size_t i = 0; i < n; i++) {
		struct ngn2__Property *p = soap_new_ngn2__Property(soap, 1);
		if (p == NULL) {
			*fail = 1;
			return a;
		}
		p->name = str_out(soap, l->v[i].name, fail);
		p->value = str_out(soap, l->v[i].value, fail);
		a->__ptr[i] = p;
	}
	a->__size = (int)n;
	return a;
}

static struct AccessList *acl_out(struct soap *soap, const struct acl_list *l, int *fail)
{
	struct AccessList *a = soap_new_AccessList(soap, 1);
	size_t n = l ? l->n : 0;
	if (a == NULL || (a->__ptr = items_out(soap, n, sizeof *a->__ptr)) == NULL) {
		*fail = 1;
		return a;
	}
	for (size_t i = 0; i < n; i++) {
		struct ngn2__AccessListEntry *x = soap_new_ngn2__AccessListEntry(soap, 1);
		if (x == NULL) {
			*fail = 1;
			return a;
		}
		x->ip = str_out(soap, l->v[i].ip, fail);
		x->mask = (int)l->v[i].mask;
		/* CDRTool drops an empty tag before sending the list back */
		x->tag = l->v[i].tag && *l->v[i].tag ? str_out(soap, l->v[i].tag, fail) : NULL;
		a->__ptr[i] = x;
	}
	a->__size = (int)n;
	return a;
}

static int account_fill(struct soap *soap, struct ngn2__SipAccount *p, const struct account *a, int show_password)
{
	int fail = 0;
	p->id = sip_id_out(soap, &a->id, &fail);
	p->password = str_out(soap, show_password ? a->password : "", &fail);
	p->ha1 = str_out(soap, a->ha1, &fail);
	p->firstName = str_out(soap, a->first_name, &fail);
	p->lastName = str_out(soap, a->last_name, &fail);
	p->email = str_out(soap, a->email, &fail);
	p->rpid = str_out(soap, a->rpid, &fail);
	p->timezone = str_out(soap, a->timezone, &fail);
	p->owner = int_out(soap, a->owner.v, &fail);
	p->customer = int_out(soap, a->customer, &fail);
	p->reseller = int_out(soap, a->reseller, &fail);
	p->groups = conv_strings_out(soap, a->groups);
	fail |= p->groups == NULL;
	p->prepaid = bool_out(soap, a->prepaid.v, &fail);
	p->quota = int_out(soap, a->quota.v, &fail);
	p->acl = acl_out(soap, a->acl, &fail);
	p->properties = props_out(soap, a->properties, &fail);
	p->callLimit = int_out(soap, a->call_limit.v, &fail);
	p->region = str_out(soap, a->region, &fail);
	p->timeout = int_out(soap, a->timeout.v, &fail);
	p->quickdialPrefix = str_out(soap, a->quickdial_prefix, &fail);
	p->createDate = time_out(soap, a->create_date, &fail);
	p->changeDate = time_out(soap, a->change_date, &fail);
	return fail;
}

struct ngn2__SipAccount *conv_account_out(struct soap *soap, const struct account *a, int show_password)
{
	struct ngn2__SipAccount *p = soap_new_ngn2__SipAccount(soap, 1);
	if (p == NULL || account_fill(soap, p, a, show_password))
		return NULL;
	return p;
}

struct ngn2__SipQueryResult *conv_accounts_out(struct soap *soap, const struct account_list *l, int show_password)
{
	struct ngn2__SipQueryResult *r = soap_new_ngn2__SipQueryResult(soap, 1);
	struct SipAccountArray *a = soap_new_SipAccountArray(soap, 1);
	if (r == NULL || a == NULL)
		return NULL;
	r->total = clamp_int(l->total);
	r->accounts = a;
	if ((a->__ptr = items_out(soap, l->n, sizeof *a->__ptr)) == NULL)
		return NULL;
	if (l->n == 0)
		return r;
	struct ngn2__SipAccount *items = soap_new_ngn2__SipAccount(soap, (int)l->n);
	if (items == NULL)
		return NULL;
	for (size_t i = 0; i < l->n; i++) {
		if (account_fill(soap, &items[i], &l->v[i], show_password))
			return NULL;
		a->__ptr[i] = &items[i];
	}
	a->__size = (int)l->n;
	return r;
}

struct ngn2__SipDomainQueryResult *conv_domains_out(struct soap *soap, const struct domain_list *l)
{
	struct ngn2__SipDomainQueryResult *r = soap_new_ngn2__SipDomainQueryResult(soap, 1);
	struct SipDomainArray *a = soap_new_SipDomainArray(soap, 1);
	if (r == NULL || a == NULL)
		return NULL;
	r->total = clamp_int(l->total);
	r->domains = a;
	if ((a->__ptr = items_out(soap, l->n, sizeof *a->__ptr)) == NULL)
		return NULL;
	if (l->n == 0)
		return r;
	struct ngn2__SipDomain *items = soap_new_ngn2__SipDomain(soap, (int)l->n);
	if (items == NULL)
		return NULL;
	int fail = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct domain *d = &l->v[i];
		struct ngn2__SipDomain *p = &items[i];
		p->domain = str_out(soap, d->domain, &fail);
		p->customer = int_out(soap, d->customer.v, &fail);
		p->reseller = int_out(soap, d->reseller.v, &fail);
		p->changeDate = time_out(soap, d->change_date, &fail);
		p->certificate = str_out(soap, d->certificate, &fail);
		p->private_USCOREkey = str_out(soap, d->private_key, &fail);
		p->match_USCOREip_USCOREaddress = str_out(soap, d->match_ip_address, &fail);
		p->match_USCOREsip_USCOREdomain = str_out(soap, d->match_sip_domain, &fail);
		p->verify_USCOREcert = bool_out(soap, d->verify_cert.v, &fail);
		p->require_USCOREcert = bool_out(soap, d->require_cert.v, &fail);
		a->__ptr[i] = p;
	}
	a->__size = (int)l->n;
	return fail ? NULL : r;
}

static int alias_fill(struct soap *soap, struct ngn2__SipAlias *p, const struct alias *al)
{
	int fail = 0;
	p->id = sip_id_out(soap, &al->id, &fail);
	p->target = sip_id_out(soap, &al->target, &fail);
	p->owner = int_out(soap, al->owner.v, &fail);
	p->customer = int_out(soap, al->customer, &fail);
	p->reseller = int_out(soap, al->reseller, &fail);
	p->changeDate = time_out(soap, al->change_date, &fail);
	return fail;
}

struct ngn2__SipAlias *conv_alias_out(struct soap *soap, const struct alias *al)
{
	struct ngn2__SipAlias *p = soap_new_ngn2__SipAlias(soap, 1);
	if (p == NULL || alias_fill(soap, p, al))
		return NULL;
	return p;
}

struct ngn2__AliasQueryResult *conv_aliases_out(struct soap *soap, const struct alias_list *l)
{
	struct ngn2__AliasQueryResult *r = soap_new_ngn2__AliasQueryResult(soap, 1);
	struct SipAliasArray *a = soap_new_SipAliasArray(soap, 1);
	if (r == NULL || a == NULL)
		return NULL;
	r->total = clamp_int(l->total);
	r->aliases = a;
	if ((a->__ptr = items_out(soap, l->n, sizeof *a->__ptr)) == NULL)
		return NULL;
	if (l->n == 0)
		return r;
	struct ngn2__SipAlias *items = soap_new_ngn2__SipAlias(soap, (int)l->n);
	if (items == NULL)
		return NULL;
	for (size_t i = 0; i < l->n; i++) {
		if (alias_fill(soap, &items[i], &l->v[i]))
			return NULL;
		a->__ptr[i] = &items[i];
	}
	a->__size = (int)l->n;
	return r;
}

int conv_finish(struct soap *soap, struct req_ctx *r, struct store_res *res, enum ngn_status st,
		enum xsd__boolean *ok)
{
	if (st != NGN_OK) {
		int rc = ngn_fault(soap, st, "%s", res->err.msg);
		store_res_free(res);
		return rc;
	}
	if (res->policy_changed && r != NULL)
		req_policy_changed(r);
	store_res_free(res);
	if (ok)
		*ok = xsd__boolean__true_;
	return SOAP_OK;
}

/* ---- Customer port (urn:AGProjects:NGNPro:Customer) ---------------------- */

/* The string members of a CustomerAccount, in customer_fields order. */
static void customer_members(struct ngn2__CustomerAccount *p, char **m[CF_COUNT])
{
	char **v[CF_COUNT] = {
		[CF_USERNAME] = &p->username, [CF_PASSWORD] = &p->password, [CF_FIRST_NAME] = &p->firstName,
		[CF_LAST_NAME] = &p->lastName, [CF_ORGANIZATION] = &p->organization, [CF_TEL] = &p->tel,
		[CF_FAX] = &p->fax, [CF_ENUM] = &p->enum_, [CF_SIP] = &p->sip, [CF_MOBILE] = &p->mobile,
		[CF_EMAIL] = &p->email, [CF_WEB] = &p->web, [CF_ADDRESS] = &p->address,
		[CF_POSTCODE] = &p->postcode, [CF_CITY] = &p->city, [CF_STATE] = &p->state,
		[CF_COUNTRY] = &p->country, [CF_TIMEZONE] = &p->timezone, [CF_LANGUAGE] = &p->language,
		[CF_VAT_NUMBER] = &p->vatNumber, [CF_BANK_ACCOUNT] = &p->bankAccount,
		[CF_BILLING_EMAIL] = &p->billingEmail, [CF_BILLING_ADDRESS] = &p->billingAddress,
		[CF_COMPANY_CODE] = &p->companyCode,
	};
	memcpy(m, v, sizeof v);
}

enum ngn_status conv_customer_props_in(struct soap *soap, struct CustomerPropertyArray *in,
				       struct customer_property **out, size_t *n, struct ngn_err *e)
{
	*out = NULL;
	*n = 0;
	if (in == NULL || in->__size <= 0)
		return NGN_OK;
	if (in->__size > CUSTOMER_PROPERTIES_MAX)
		return err_set(e, NGN_E_TOO_LARGE, "at most %d properties", CUSTOMER_PROPERTIES_MAX);
	struct customer_property *v = soap_malloc(soap, (size_t)in->__size * sizeof *v);
	if (v == NULL)
		return NGN_E_INTERNAL;
	for (int i = 0; i < in->__size; i++) {
		struct ngn2__CustomerProperty *p = in->__ptr ? in->__ptr[i] : NULL;
		if (p == NULL || empty(p->name))
			return err_set(e, NGN_E_INVALID_PROPERTY, "property %d has no name", i + 1);
		v[i] = (struct customer_property){ p->name, p->value ? p->value : "", p->category, p->permission };
	}
	*out = v;
	*n = (size_t)in->__size;
	return customer_props_check(v, *n, e);
}

enum ngn_status conv_customer_in(struct soap *soap, struct ngn2__CustomerAccount *in, enum conv_mode m,
				 struct customer *out, struct ngn_err *e)
{
	memset(out, 0, sizeof *out);
	if (in == NULL)
		return missing(e, "account");
	if (m == CONV_UPDATE) {
		if (in->id == NULL || *in->id <= 0)
			return err_set(e, NGN_E_MISSING_FIELD, "account.id is required");
		out->id = *in->id;
	}
	/* reseller is read-only after add (only an admin moves a customer, and
	 * not through updateAccount); changeDate is the server's */
	if (m == CONV_ADD)
		out->reseller = opt_int_in(in->reseller);
	out->impersonate = opt_int_in(in->impersonate);
	out->reseller_active = opt_int_in(in->resellerActive);
	if ((out->balance_set = in->balance != NULL))
		out->balance = *in->balance;
	if ((out->credit_set = in->credit != NULL))
		out->credit = *in->credit;
	char **mem[CF_COUNT];
	customer_members(in, mem);
	for (int i = 0; i < CF_COUNT; i++)
		out->str[i] = *mem[i];
	/* CDRTool lower-cases usernames and turns spaces into dots (§3.1) */
	if (out->str[CF_USERNAME])
		for (char *s = in->username; *s; s++)
			*s = *s == ' ' ? '.' : (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : *s;
	if (in->properties) {
		struct customer_property *p;
		enum ngn_status st = conv_customer_props_in(soap, in->properties, &p, &out->nprops, e);
		if (st != NGN_OK)
			return st;
		out->props = p;
		out->props_set = 1;
	}
	return customer_check(out, m == CONV_ADD, e);
}

enum ngn_status conv_customer_query_in(struct ngn2__CustomerQuery *in, struct customer_query *out,
				       struct ngn_err *e)
{
	memset(out, 0, sizeof *out);
	if (in == NULL)
		return NGN_OK;
	struct ngn2__CustomerFilter *f = in->filter;
	if (f) {
		out->str[CF_USERNAME] = f->username;
		out->str[CF_FIRST_NAME] = f->firstName;
		out->str[CF_LAST_NAME] = f->lastName;
		out->str[CF_ORGANIZATION] = f->organization;
		out->str[CF_TEL] = f->tel;
		out->str[CF_EMAIL] = f->email;
		out->str[CF_WEB] = f->web;
		out->str[CF_CITY] = f->city;
		out->str[CF_COUNTRY] = f->country;
		const char *o = f->only_USCOREresellers;
		if (o && *o && strcmp(o, "0") && strcmp(o, "1") && strcmp(o, "true") && strcmp(o, "false"))
			return err_set(e, NGN_E_INVALID_QUERY, "only_resellers must be \"\" or \"1\"");
		out->only_resellers = o && (!strcmp(o, "1") || !strcmp(o, "true"));
		enum ngn_status st = id_filter("customer", f->customer, &out->customer, e);
		if (st == NGN_OK)
			st = id_filter("reseller", f->reseller, &out->reseller, e);
		if (st != NGN_OK)
			return st;
	}
	order_range_in(in->orderBy, in->range, &out->order, &out->range);
	return NGN_OK;
}

struct CustomerPropertyArray *conv_customer_props_out(struct soap *soap, const struct customer *c)
{
	struct CustomerPropertyArray *a = soap_new_CustomerPropertyArray(soap, 1);
	if (a == NULL || (a->__ptr = items_out(soap, c->nprops, sizeof *a->__ptr)) == NULL)
		return NULL;
	int fail = 0;
	for (size_t i = 0; i < c->nprops; i++) {
		struct ngn2__CustomerProperty *p = soap_new_ngn2__CustomerProperty(soap, 1);
		if (p == NULL)
			return NULL;
		p->name = str_out(soap, c->props[i].name, &fail);
		p->value = str_out(soap, c->props[i].value, &fail);
		p->category = str_out(soap, c->props[i].category, &fail);
		p->permission = str_out(soap, c->props[i].permission, &fail);
		a->__ptr[i] = p;
	}
	a->__size = (int)c->nprops;
	return fail ? NULL : a;
}

struct ngn2__CustomerAccount *conv_customer_out(struct soap *soap, const struct customer *c, int show_password)
{
	struct ngn2__CustomerAccount *p = soap_new_ngn2__CustomerAccount(soap, 1);
	if (p == NULL)
		return NULL;
	int fail = 0;
	p->id = int_out(soap, c->id, &fail);
	p->reseller = int_out(soap, c->reseller.v, &fail);
	p->impersonate = int_out(soap, c->impersonate.v, &fail);
	p->resellerActive = int_out(soap, c->reseller_active.v, &fail);
	if ((p->balance = soap_malloc(soap, sizeof *p->balance)) == NULL ||
	    (p->credit = soap_malloc(soap, sizeof *p->credit)) == NULL)
		return NULL;
	*p->balance = c->balance;
	*p->credit = c->credit;
	char **mem[CF_COUNT];
	customer_members(p, mem);
	for (int i = 0; i < CF_COUNT; i++)
		*mem[i] = str_out(soap, i == CF_PASSWORD && !show_password ? "" : c->str[i], &fail);
	p->changeDate = str_out(soap, c->change_date, &fail);
	p->properties = conv_customer_props_out(soap, c);
	if (fail || p->properties == NULL)
		return NULL;
	return p;
}

struct ngn2__CustomerQueryResult *conv_customers_out(struct soap *soap, const struct customer_list *l,
						     int show_password)
{
	struct ngn2__CustomerQueryResult *r = soap_new_ngn2__CustomerQueryResult(soap, 1);
	struct CustomerAccountArray *a = soap_new_CustomerAccountArray(soap, 1);
	if (r == NULL || a == NULL || (a->__ptr = items_out(soap, l->n, sizeof *a->__ptr)) == NULL)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if ((a->__ptr[i] = conv_customer_out(soap, &l->v[i], show_password)) == NULL)
			return NULL;
	a->__size = (int)l->n;
	r->total = clamp_int(l->total);
	r->accounts = a;
	return r;
}
