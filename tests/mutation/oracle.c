/* oracle.c: what a request body means, read by a strict XML parser.
 *
 * The server reads requests with gSOAP; this file reads the same bytes with
 * libxml2 (no recovery, no DTD, no entities, no network) and the WSDL's types
 * (the table below), so the test can tell what the server should have done
 * without asking the server. It is deliberately not a second gSOAP: it
 * follows XML 1.0, Namespaces in XML and SOAP 1.1 section 5 as the README and
 * ../shared/ngnpro-contract.md describe them for NGNPro clients:
 *  - unqualified members, matched by local name; unknown members and text
 *    between struct members are ignored (gSOAP does that legitimately);
 *    members qualified with the Sip or the types namespace (node-soap) may be
 *    taken or ignored, one qualified with any other namespace is unknown;
 *  - xsi:type never changes how a value is read (the schema decides);
 *  - an int may come as float text of an integral value ("7.0", "1e3"), a
 *    boolean as true/false/1/0, a decimal exactly with at most 4 fraction
 *    digits; whitespace around them collapses; an empty int/boolean is absent;
 *  - strings are the element's text exactly (CDATA included, comments and
 *    PIs not); "" may also mean "not given";
 *  - an array's items are its element children (any name), in order; its
 *    declared size, offset and positions must be within 0..max-array, text in
 *    it is refused; an empty array without arrayType may mean "not given".
 * A member given twice may be read first-wins or last-wins. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "mutation.h"

const char *const fclass_names[F_CLASSES] = {
	"transport", "reply-not-xml", "reply-status", "sanitizer", "server-died", "accepted-not-xml",
	"accepted-doctype", "accepted-array-text", "accepted-array-dims", "accepted-bad-value",
	"accepted-bad-envelope", "accepted-bad-auth", "accepted-refusal", "state-mismatch", "fault-changed-state",
};

/* ---- the WSDL's types ------------------------------------------------------------------ */

enum tkind { T_STR, T_INT, T_BOOL, T_DEC, T_STRUCT, T_ARRAY, T_IGNORE };
struct type;
struct member {
	const char *name;
	const struct type *t;
};
struct type {
	enum tkind k;
	const struct member *m;
	size_t nm;
	const struct type *item;
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct type t_str = { T_STR, NULL, 0, NULL }, t_int = { T_INT, NULL, 0, NULL },
			 t_bool = { T_BOOL, NULL, 0, NULL }, t_dec = { T_DEC, NULL, 0, NULL },
			 t_ign = { T_IGNORE, NULL, 0, NULL };

static const struct member m_sipid[] = { { "username", &t_str }, { "domain", &t_str } };
static const struct type t_sipid = { T_STRUCT, m_sipid, N(m_sipid), NULL };
static const struct type t_strarray = { T_ARRAY, NULL, 0, &t_str };
static const struct type t_sipidarray = { T_ARRAY, NULL, 0, &t_sipid };
static const struct member m_prop[] = { { "name", &t_str }, { "value", &t_str } };
static const struct type t_prop = { T_STRUCT, m_prop, N(m_prop), NULL };
static const struct type t_props = { T_ARRAY, NULL, 0, &t_prop };
static const struct member m_acl[] = { { "ip", &t_str }, { "mask", &t_int }, { "tag", &t_str } };
static const struct type t_acle = { T_STRUCT, m_acl, N(m_acl), NULL };
static const struct type t_acl = { T_ARRAY, NULL, 0, &t_acle };
static const struct member m_account[] = {
	{ "id", &t_sipid }, { "password", &t_str }, { "ha1", &t_ign }, { "firstName", &t_str },
	{ "lastName", &t_str }, { "email", &t_str }, { "rpid", &t_str }, { "timezone", &t_str },
	{ "owner", &t_int }, { "customer", &t_ign }, { "reseller", &t_ign }, { "groups", &t_strarray },
	{ "prepaid", &t_bool }, { "quota", &t_int }, { "acl", &t_acl }, { "properties", &t_props },
	{ "callLimit", &t_int }, { "region", &t_str }, { "timeout", &t_int }, { "quickdialPrefix", &t_str },
	{ "createDate", &t_ign }, { "changeDate", &t_ign },
};
static const struct type t_account = { T_STRUCT, m_account, N(m_account), NULL };
static const struct member m_orderby[] = { { "attribute", &t_str }, { "direction", &t_str } };
static const struct type t_orderby = { T_STRUCT, m_orderby, N(m_orderby), NULL };
static const struct member m_range[] = { { "start", &t_int }, { "count", &t_int } };
static const struct type t_range = { T_STRUCT, m_range, N(m_range), NULL };
static const struct member m_sipfilter[] = {
	{ "username", &t_str }, { "domain", &t_str }, { "firstName", &t_str }, { "lastName", &t_str },
	{ "email", &t_str }, { "owner", &t_int }, { "customer", &t_int }, { "reseller", &t_int },
	{ "groups", &t_strarray },
};
static const struct type t_sipfilter = { T_STRUCT, m_sipfilter, N(m_sipfilter), NULL };
static const struct member m_sipquery[] = { { "filter", &t_sipfilter }, { "orderBy", &t_orderby }, { "range", &t_range } };
static const struct type t_sipquery = { T_STRUCT, m_sipquery, N(m_sipquery), NULL };
static const struct member m_domain[] = {
	{ "domain", &t_str }, { "customer", &t_int }, { "reseller", &t_int }, { "changeDate", &t_ign },
	{ "certificate", &t_str }, { "private_key", &t_str }, { "match_ip_address", &t_str },
	{ "match_sip_domain", &t_str }, { "verify_cert", &t_bool }, { "require_cert", &t_bool },
};
static const struct type t_domain = { T_STRUCT, m_domain, N(m_domain), NULL };
static const struct member m_domfilter[] = { { "domain", &t_str }, { "customer", &t_int }, { "reseller", &t_int } };
static const struct type t_domfilter = { T_STRUCT, m_domfilter, N(m_domfilter), NULL };
static const struct member m_domquery[] = { { "filter", &t_domfilter }, { "orderBy", &t_orderby }, { "range", &t_range } };
static const struct type t_domquery = { T_STRUCT, m_domquery, N(m_domquery), NULL };
static const struct member m_alias[] = {
	{ "id", &t_sipid }, { "target", &t_sipid }, { "owner", &t_int }, { "customer", &t_ign },
	{ "reseller", &t_ign }, { "changeDate", &t_ign },
};
static const struct type t_alias = { T_STRUCT, m_alias, N(m_alias), NULL };
static const struct member m_aliasfilter[] = {
	{ "aliasUsername", &t_str }, { "aliasDomain", &t_str }, { "targetUsername", &t_str }, { "targetDomain", &t_str },
	{ "owner", &t_int }, { "customer", &t_int }, { "reseller", &t_int },
};
static const struct type t_aliasfilter = { T_STRUCT, m_aliasfilter, N(m_aliasfilter), NULL };
static const struct member m_aliasquery[] = { { "filter", &t_aliasfilter }, { "orderBy", &t_orderby }, { "range", &t_range } };
static const struct type t_aliasquery = { T_STRUCT, m_aliasquery, N(m_aliasquery), NULL };
static const struct member m_card[] = { { "id", &t_int }, { "number", &t_str } };
static const struct type t_card = { T_STRUCT, m_card, N(m_card), NULL };
static const struct member m_login[] = { { "username", &t_str }, { "password", &t_str }, { "admin", &t_ign }, { "impersonate", &t_ign } };
static const struct type t_login = { T_STRUCT, m_login, N(m_login), NULL };

#define PARAMS(name, ...)                                                         \
	static const struct member p_##name[] = { __VA_ARGS__ };                  \
	static const struct type tp_##name = { T_STRUCT, p_##name, N(p_##name), NULL }
PARAMS(domain, { "domain", &t_domain });
PARAMS(domname, { "domain", &t_str });
PARAMS(domquery, { "query", &t_domquery });
PARAMS(account, { "account", &t_account });
PARAMS(sipid, { "sipId", &t_sipid });
PARAMS(sipquery, { "query", &t_sipquery });
PARAMS(alias, { "alias", &t_alias });
PARAMS(id, { "id", &t_sipid });
PARAMS(aliasquery, { "query", &t_aliasquery });
PARAMS(group, { "sipId", &t_sipid }, { "group", &t_str });
PARAMS(balance, { "sipId", &t_sipid }, { "value", &t_dec }, { "description", &t_str });
PARAMS(voucher, { "sipId", &t_sipid }, { "card", &t_card });
PARAMS(sipids, { "sipIds", &t_sipidarray });
PARAMS(history, { "sipId", &t_sipid }, { "count", &t_int });

static const struct {
	const char *name;
	const struct type *params;
} methods[] = {
	{ "addDomain", &tp_domain }, { "updateDomain", &tp_domain }, { "deleteDomain", &tp_domname },
	{ "getDomains", &tp_domquery }, { "addAccount", &tp_account }, { "updateAccount", &tp_account },
	{ "deleteAccount", &tp_sipid }, { "getAccount", &tp_sipid }, { "getAccounts", &tp_sipquery },
	{ "addAlias", &tp_alias }, { "updateAlias", &tp_alias }, { "deleteAlias", &tp_id }, { "getAlias", &tp_id },
	{ "getAliases", &tp_aliasquery }, { "addToGroup", &tp_group }, { "removeFromGroup", &tp_group },
	{ "getGroups", &tp_sipid }, { "addBalance", &tp_balance }, { "addBalanceFromVoucher", &tp_voucher },
	{ "getPrepaidStatus", &tp_sipids }, { "getCreditHistory", &tp_history },
};

/* ---- parsing -------------------------------------------------------------------------------- */

void *oracle_parse(const char *p, size_t n, int *wf, int *doctype, char *why, size_t wl)
{
	*wf = 0;
	*doctype = 0;
	why[0] = '\0';
	xmlParserCtxtPtr c = xmlNewParserCtxt();
	if (c == NULL)
		abort();
	xmlDocPtr doc = n > 0x7fffffff ? NULL
					: xmlCtxtReadMemory(c, p, (int)n, NULL, NULL,
							    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	*wf = doc != NULL && c->wellFormed && c->nsWellFormed;
	if (!*wf) {
		xmlErrorPtr e = xmlCtxtGetLastError(c);
		snprintf(why, wl, "%s", e && e->message ? e->message : doc ? "namespace error" : "not XML");
		size_t l = strlen(why);
		while (l && (why[l - 1] == '\n' || why[l - 1] == ' '))
			why[--l] = '\0';
	}
	if (doc && (doc->intSubset || doc->extSubset))
		*doctype = 1;
	xmlFreeParserCtxt(c);
	if (!*wf && doc) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	return doc;
}

void oracle_free_doc(void *doc)
{
	if (doc)
		xmlFreeDoc(doc);
}

/* ---- reading ---------------------------------------------------------------------------------- */

enum { R_LENIENT_NS = 1, R_DUP_LAST = 2 };

struct rctx {
	int flags;
	int saw_dup, saw_qual;
	struct reading *rd;
};

__attribute__((format(printf, 3, 4))) static void refuse(struct rctx *x, enum fclass cls, const char *fmt, ...)
{
	if (x->rd->refuse)
		return;
	x->rd->refuse = 1;
	x->rd->cls = cls;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->rd->why, sizeof x->rd->why, fmt, ap);
	va_end(ap);
}

static int is_elem(xmlNodePtr n)
{
	return n && n->type == XML_ELEMENT_NODE;
}

static int ns_is(xmlNodePtr n, const char *uri)
{
	return n->ns && n->ns->href && strcmp((const char *)n->ns->href, uri) == 0;
}

/* n is member `name` under this reading's namespace rule */
static int member_is(struct rctx *x, xmlNodePtr n, const char *name)
{
	if (!is_elem(n) || strcmp((const char *)n->name, name) != 0)
		return 0;
	if (n->ns == NULL)
		return 1;
	if (ns_is(n, NS_SIP) || ns_is(n, NS_TYPES)) {
		x->saw_qual = 1;
		return (x->flags & R_LENIENT_NS) != 0;
	}
	return 0;
}

static int is_ws(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return 0;
	return 1;
}

/* the element's own text (text and CDATA children); *kids = element children */
static char *own_text(xmlNodePtr n, int *kids)
{
	struct buf b = { 0 };
	buf_adds(&b, "");
	*kids = 0;
	for (xmlNodePtr k = n->children; k; k = k->next) {
		if (k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE)
			buf_adds(&b, (const char *)k->content);
		else if (k->type == XML_ELEMENT_NODE || k->type == XML_ENTITY_REF_NODE)
			(*kids)++;
	}
	return b.p;
}

/* XML Schema whitespace collapse for the lexical forms of numbers/booleans */
static void collapse(char *s)
{
	char *w = s, *r = s;
	while (*r == ' ' || *r == '\t' || *r == '\r' || *r == '\n')
		r++;
	while (*r)
		*w++ = *r++;
	*w = '\0';
	while (w > s && (w[-1] == ' ' || w[-1] == '\t' || w[-1] == '\r' || w[-1] == '\n'))
		*--w = '\0';
}

/* Exact decimal: "[+-]digits[.digits][e[+-]digits]" (or ".digits"), scaled by
 * 10^scale to an integer. 0 ok, -1 not a number, -2 not integral at that
 * scale, -3 out of range. */
static int parse_exact(const char *s, int scale, long long *out)
{
	int neg = 0;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	char digits[64];
	size_t nd = 0;
	long exp10 = 0;
	int any = 0, big = 0;
	for (; isdigit((unsigned char)*s); s++) {
		any = 1;
		if (nd == 0 && *s == '0')
			continue;
		if (nd < sizeof digits)
			digits[nd++] = *s;
		else
			big = 1;
	}
	if (*s == '.') {
		s++;
		for (; isdigit((unsigned char)*s); s++) {
			any = 1;
			if (nd == 0 && *s == '0') {
				exp10--;
				continue;
			}
			if (nd < sizeof digits) {
				digits[nd++] = *s;
				exp10--;
			} else if (*s != '0') {
				return -2;
			}
		}
	}
	if (!any)
		return -1;
	if (*s == 'e' || *s == 'E') {
		s++;
		int eneg = 0;
		if (*s == '+' || *s == '-')
			eneg = *s++ == '-';
		if (!isdigit((unsigned char)*s))
			return -1;
		long e = 0;
		for (; isdigit((unsigned char)*s); s++)
			if (e < 100000)
				e = e * 10 + (*s - '0');
		exp10 += eneg ? -e : e;
	}
	if (*s != '\0')
		return -1;
	if (big)
		return -3;
	while (nd > 0 && digits[nd - 1] == '0') {
		nd--;
		exp10++;
	}
	if (nd == 0) {
		*out = 0;
		return 0;
	}
	long e = exp10 + scale;
	if (e < 0)
		return -2;
	if ((long)nd + e > 18)
		return -3;
	long long v = 0;
	for (size_t i = 0; i < nd; i++)
		v = v * 10 + (digits[i] - '0');
	for (long i = 0; i < e; i++)
		v *= 10;
	*out = neg ? -v : v;
	return 0;
}

/* "[n]" or "[n,m]" of an arrayType/offset/position: refuses what is out of
 * 0..MAX_ARRAY (or whose product is); an unparsable dimension is left to the
 * server (refusing it or not are both honest). */
static void check_dims(struct rctx *x, const char *what, const char *v)
{
	const char *b = strrchr(v, '[');
	if (b == NULL)
		return;
	const char *e = strchr(b, ']');
	if (e == NULL)
		return;
	long long prod = 1;
	const char *p = b + 1;
	while (p < e) {
		const char *c = memchr(p, ',', (size_t)(e - p));
		const char *end = c ? c : e;
		char num[64];
		size_t l = (size_t)(end - p);
		if (l >= sizeof num)
			l = sizeof num - 1;
		memcpy(num, p, l);
		num[l] = '\0';
		collapse(num);
		long long n;
		int neg = num[0] == '-';
		int ok = num[0] != '\0';
		for (const char *q = num + (neg || num[0] == '+'); *q && ok; q++)
			ok = isdigit((unsigned char)*q);
		if (ok) {
			int rc = parse_exact(num, 0, &n);
			if (rc == -3 || (rc == 0 && (n < 0 || n > MAX_ARRAY))) {
				refuse(x, F_ARRAY_DIMS, "%s \"%s\" is out of 0..%d", what, v, MAX_ARRAY);
				return;
			}
			if (rc == 0)
				prod *= n ? n : 1;
			if (prod > MAX_ARRAY) {
				refuse(x, F_ARRAY_DIMS, "%s \"%s\" declares more than %d items", what, v, MAX_ARRAY);
				return;
			}
		}
		p = end + 1;
	}
}

static void read_value(struct rctx *x, xmlNodePtr n, const struct type *t, struct val *out, const char *path);

static void read_struct(struct rctx *x, xmlNodePtr n, const struct type *t, struct val *out, const char *path)
{
	out->k = V_STRUCT;
	out->nm = t->nm;
	out->m = calloc(t->nm ? t->nm : 1, sizeof *out->m);
	if (out->m == NULL)
		abort();
	for (size_t i = 0; i < t->nm; i++) {
		xmlNodePtr first = NULL, last = NULL;
		int count = 0;
		for (xmlNodePtr k = n->children; k; k = k->next)
			if (member_is(x, k, t->m[i].name)) {
				if (!first)
					first = k;
				last = k;
				count++;
			}
		if (count > 1)
			x->saw_dup = 1;
		xmlNodePtr chosen = (x->flags & R_DUP_LAST) ? last : first;
		char sub[256];
		snprintf(sub, sizeof sub, "%s/%s", path, t->m[i].name);
		if (chosen)
			read_value(x, chosen, t->m[i].t, &out->m[i], sub);
	}
}

static void read_array(struct rctx *x, xmlNodePtr n, const struct type *t, struct val *out, const char *path)
{
	out->k = V_ARRAY;
	xmlChar *at = xmlGetNsProp(n, BAD_CAST "arrayType", BAD_CAST NS_SOAPENC);
	xmlChar *off = xmlGetNsProp(n, BAD_CAST "offset", BAD_CAST NS_SOAPENC);
	if (at) {
		char what[300];
		snprintf(what, sizeof what, "%s arrayType", path);
		check_dims(x, what, (const char *)at);
	}
	if (off) {
		char what[300];
		snprintf(what, sizeof what, "%s offset", path);
		check_dims(x, what, (const char *)off);
	}
	size_t ni = 0;
	for (xmlNodePtr k = n->children; k; k = k->next) {
		if ((k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) && !is_ws((const char *)k->content))
			refuse(x, F_ARRAY_TEXT, "array %s has text content \"%.40s\"", path, (const char *)k->content);
		if (is_elem(k))
			ni++;
	}
	if (ni > MAX_ARRAY)
		refuse(x, F_ARRAY_DIMS, "array %s has %zu items (max-array %d)", path, ni, MAX_ARRAY);
	out->items = calloc(ni ? ni : 1, sizeof *out->items);
	if (out->items == NULL)
		abort();
	out->ni = 0;
	for (xmlNodePtr k = n->children; k; k = k->next) {
		if (!is_elem(k))
			continue;
		xmlChar *pos = xmlGetNsProp(k, BAD_CAST "position", BAD_CAST NS_SOAPENC);
		char sub[300];
		snprintf(sub, sizeof sub, "%s/item[%zu]", path, out->ni + 1);
		if (pos) {
			char what[320];
			snprintf(what, sizeof what, "%s position", sub);
			check_dims(x, what, (const char *)pos);
			xmlFree(pos);
		}
		read_value(x, k, t->item, &out->items[out->ni++], sub);
	}
	out->maybe_absent = ni == 0 && at == NULL;
	xmlFree(at);
	xmlFree(off);
}

static void read_value(struct rctx *x, xmlNodePtr n, const struct type *t, struct val *out, const char *path)
{
	memset(out, 0, sizeof *out);
	if (t->k == T_IGNORE)
		return;
	xmlChar *nil = xmlGetNsProp(n, BAD_CAST "nil", BAD_CAST NS_XSI);
	int isnil = nil && (strcmp((const char *)nil, "true") == 0 || strcmp((const char *)nil, "1") == 0);
	xmlFree(nil);
	if (isnil)
		return;
	if (t->k == T_STRUCT) {
		read_struct(x, n, t, out, path);
		return;
	}
	if (t->k == T_ARRAY) {
		read_array(x, n, t, out, path);
		return;
	}
	int kids;
	char *s = own_text(n, &kids);
	if (kids) {
		refuse(x, F_BAD_VALUE, "%s holds elements, not a value", path);
		free(s);
		return;
	}
	if (t->k == T_STR) {
		out->k = V_STR;
		out->s = s;
		out->maybe_absent = *s == '\0';
		return;
	}
	collapse(s);
	if (*s == '\0') {
		free(s);
		return; /* absent */
	}
	if (t->k == T_BOOL) {
		if (!strcmp(s, "true") || !strcmp(s, "1"))
			out->i = 1;
		else if (!strcmp(s, "false") || !strcmp(s, "0"))
			out->i = 0;
		else
			refuse(x, F_BAD_VALUE, "%s \"%.40s\" is not a boolean", path, s);
		out->k = V_BOOL;
	} else {
		long long v = 0;
		int rc = parse_exact(s, t->k == T_DEC ? 4 : 0, &v);
		if (rc == -1)
			refuse(x, F_BAD_VALUE, "%s \"%.40s\" is not a number", path, s);
		else if (rc == -2)
			refuse(x, F_BAD_VALUE, "%s \"%.40s\" has too many fraction digits for its type", path, s);
		else if (rc == -3 || (t->k == T_INT && (v < -2147483648LL || v > 2147483647LL)))
			refuse(x, F_BAD_VALUE, "%s \"%.40s\" is out of range", path, s);
		out->k = t->k == T_DEC ? V_DEC : V_INT;
		out->i = v;
	}
	free(s);
}

static void val_free(struct val *v)
{
	free(v->s);
	for (size_t i = 0; i < v->nm; i++)
		val_free(&v->m[i]);
	free(v->m);
	for (size_t i = 0; i < v->ni; i++)
		val_free(&v->items[i]);
	free(v->items);
	memset(v, 0, sizeof *v);
}

void reading_free(struct reading *r)
{
	val_free(&r->params);
}

static const struct type *params_of(const char *method, const char **static_name)
{
	for (size_t i = 0; i < N(methods); i++)
		if (strcmp(methods[i].name, method) == 0) {
			*static_name = methods[i].name;
			return methods[i].params;
		}
	return NULL;
}

/* member `name` of a V_STRUCT value of type t (an absent value if none) */
static const struct val *struct_get(const struct val *v, const struct type *t, const char *name)
{
	static const struct val absent = { 0 };
	if (v == NULL || v->k != V_STRUCT)
		return &absent;
	for (size_t i = 0; i < t->nm && i < v->nm; i++)
		if (strcmp(t->m[i].name, name) == 0)
			return &v->m[i];
	return &absent;
}

static int one_reading(xmlDocPtr doc, int flags, const char *login, const char *password, struct reading *rd,
		       int *saw_dup, int *saw_qual)
{
	memset(rd, 0, sizeof *rd);
	struct rctx x = { flags, 0, 0, rd };
	xmlNodePtr env = xmlDocGetRootElement(doc);
	const char *envns = NULL;
	if (env && strcmp((const char *)env->name, "Envelope") == 0 && (ns_is(env, NS_SOAP11) || ns_is(env, NS_SOAP12)))
		envns = (const char *)env->ns->href;
	if (envns == NULL) {
		refuse(&x, F_BAD_ENVELOPE, "the root is not a SOAP Envelope");
		return 0;
	}
	xmlNodePtr hdr = NULL, body = NULL;
	for (xmlNodePtr k = env->children; k; k = k->next) {
		if (!is_elem(k) || !ns_is(k, envns))
			continue;
		if (!hdr && strcmp((const char *)k->name, "Header") == 0)
			hdr = k;
		if (!body && strcmp((const char *)k->name, "Body") == 0)
			body = k;
	}
	/* the login: any auth element of the Header that carries it */
	int authed = 0;
	for (xmlNodePtr k = hdr ? hdr->children : NULL; k && !authed; k = k->next) {
		if (!is_elem(k) || strcmp((const char *)k->name, "auth") != 0)
			continue;
		struct reading tmp = { 0 };
		struct rctx ax = { flags | R_LENIENT_NS, 0, 0, &tmp };
		struct val v;
		read_value(&ax, k, &t_login, &v, "auth");
		const struct val *u = struct_get(&v, &t_login, "username"), *p = struct_get(&v, &t_login, "password");
		authed = !tmp.refuse && u->k == V_STR && p->k == V_STR && strcmp(u->s, login) == 0
			 && strcmp(p->s, password) == 0;
		val_free(&v);
	}
	if (!authed)
		refuse(&x, F_BAD_AUTH, "no auth header with the test login");
	xmlNodePtr m = NULL;
	for (xmlNodePtr k = body ? body->children : NULL; k; k = k->next)
		if (is_elem(k)) {
			m = k;
			break;
		}
	if (body == NULL || m == NULL) {
		refuse(&x, F_BAD_ENVELOPE, "no Body or no method element");
		return 0;
	}
	if (ns_is(m, NS_CUSTOMER)) {
		/* the Customer port (wsdl/ngnpro-customer.wsdl): judged by its
		 * envelope and login only; its writes may change the Customer
		 * tables and nothing else (check_mutation.c) */
		static const char *const cm[] = { "addAccount", "updateAccount", "deleteAccount", "setProperties",
						  "getAccount", "getCustomers", "getResellers", "getProperties" };
		for (size_t i = 0; i < N(cm); i++)
			if (strcmp((const char *)m->name, cm[i]) == 0) {
				rd->cmethod = cm[i];
				rd->cwrite = i < 4;
			}
		if (rd->cmethod == NULL)
			refuse(&x, F_BAD_ENVELOPE, "unknown Customer-port method <%s>", (const char *)m->name);
		return 0;
	}
	if (!ns_is(m, NS_SIP)) {
		refuse(&x, F_BAD_ENVELOPE, "method <%s> is in namespace \"%s\", not the Sip or the Customer port's", (const char *)m->name,
		       m->ns && m->ns->href ? (const char *)m->ns->href : "");
		return 0;
	}
	const struct type *pt = params_of((const char *)m->name, &rd->method);
	if (pt == NULL) {
		refuse(&x, F_BAD_ENVELOPE, "unknown method <%s>", (const char *)m->name);
		return 0;
	}
	read_struct(&x, m, pt, &rd->params, rd->method);
	*saw_dup |= x.saw_dup;
	*saw_qual |= x.saw_qual;
	return 0;
}

int oracle_read(void *doc, const char *login, const char *password, struct reading out[4])
{
	int dup = 0, qual = 0;
	one_reading(doc, 0, login, password, &out[0], &dup, &qual);
	int n = 1;
	for (int f = 1; f < 4; f++) {
		if (((f & R_LENIENT_NS) && !qual) || ((f & R_DUP_LAST) && !dup))
			continue;
		int d2 = 0, q2 = 0;
		one_reading(doc, f, login, password, &out[n++], &d2, &q2);
	}
	return n;
}

/* ---- typed access for the driver ---------------------------------------------------------------- */

const struct val *param(const struct reading *r, const char *name)
{
	const char *dummy;
	const struct type *pt = r->method ? params_of(r->method, &dummy) : NULL;
	return struct_get(&r->params, pt ? pt : &t_ign, name);
}

/* member `name` of a value of the named WSDL type */
const struct val *member(const struct val *v, const char *type, const char *name)
{
	static const struct {
		const char *name;
		const struct type *t;
	} types[] = { { "SipId", &t_sipid }, { "Property", &t_prop }, { "AccessListEntry", &t_acle },
		      { "SipAccount", &t_account }, { "SipDomain", &t_domain }, { "SipAlias", &t_alias },
		      { "PrepaidCard", &t_card } };
	for (size_t i = 0; i < N(types); i++)
		if (strcmp(types[i].name, type) == 0)
			return struct_get(v, types[i].t, name);
	abort();
}

/* ---- replies ------------------------------------------------------------------------------------ */

static xmlNodePtr child_named(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr k = n ? n->children : NULL; k; k = k->next)
		if (is_elem(k) && (name == NULL || strcmp((const char *)k->name, name) == 0))
			return k;
	return NULL;
}

int oracle_fault_code(void *doc)
{
	xmlNodePtr env = xmlDocGetRootElement(doc);
	xmlNodePtr body = child_named(env, "Body");
	xmlNodePtr f = child_named(body, NULL);
	if (f == NULL || strcmp((const char *)f->name, "Fault") != 0)
		return 0;
	xmlNodePtr ec = child_named(child_named(child_named(f, "detail"), "exception"), "errorcode");
	if (ec == NULL)
		return -1;
	xmlChar *t = xmlNodeGetContent(ec);
	int code = t ? atoi((const char *)t) : -1;
	xmlFree(t);
	return code;
}
