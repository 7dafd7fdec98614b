/* soap_compat.c: the leniency real NGNPro clients need from gSOAP.
 *
 * soapC.c is compiled with -D renames (see Makefile.am) so that its calls to
 * the functions below land here first:
 *  - SOAP-ENC:arrayType: CDRTool's PEAR client sends "Struct[n]", PHP's
 *    non-WSDL mode "SOAP-ENC:Struct[n]", others xsd:anyType[0]. The generated
 *    code accepts only the declared item type; items are still validated one
 *    by one, so any declared array type is accepted here. The declared size,
 *    offset and positions are forgotten (the items present are the list;
 *    xml_guard.c refused those that disagree), and an array holding text
 *    instead of items is a fault.
 *  - xsi:type: clients type values by their own runtime type (booleans arrive
 *    as xsd:int 0/1, dates as xsd:string, a float quota as xsd:float), and
 *    gSOAP refuses a mismatch. The schema decides how a value is read, so the
 *    xsi:type of every element the generated code reads is forgotten right
 *    after it is parsed; the value itself is still parsed strictly (a boolean
 *    must be true/false/1/0, an int an int). xsi:nil still works.
 *  - PHP null: PEAR sends a PHP null as an empty element with no type
 *    (<owner/>). An empty element that is not a SOAP-ENC array (an empty
 *    array is a real, empty list) reads as absent, like xsi:nil.
 *  - Integers: a value that went through a PHP float comes back as
 *    xsd:float text ("7", "35.0", "1e3"); an integral value is accepted, a
 *    fractional one is a type fault. An empty <quota></quota> is absent.
 *  - Dates (createDate, changeDate) are read-only: clients echo whatever
 *    they decoded (a string, "" for nil); one that does not parse is ignored.
 *  - Qualified members: our schema is unqualified, and gSOAP matches a
 *    prefixed element (<sip:domain>) to no unqualified member in an encoded
 *    body. node-soap qualifies every member with the method's namespace, and
 *    a client may equally use the types namespace, so a member whose prefix
 *    is bound to urn:AGProjects:NGNPro:Sip or urn:AGProjects:NGNPro is read
 *    as the unqualified member (its prefix is dropped before the generated
 *    code compares names). Any other namespace never names a member: a
 *    required one is then missing (4002), an optional one is ignored like an
 *    unknown member.
 * Nothing in the generated sources is edited. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "stdsoap2.h"
#include "fault.h"

int ngn_match_array(struct soap *soap, const char *type);
int ngn_element_begin_in(struct soap *soap, const char *tag, int nillable, const char *type);
char **ngn_instring(struct soap *soap, const char *tag, char **p, const char *type, int t,
		    int flag, long minlen, long maxlen, const char *pattern);
int *ngn_inint(struct soap *soap, const char *tag, int *p, const char *type, int t);
char *ngn_inbyte(struct soap *soap, const char *tag, char *p, const char *type, int t);
time_t *ngn_indateTime(struct soap *soap, const char *tag, time_t *p, const char *type, int t);

/* gSOAP's soap_get() codes for markup (stdsoap2.c keeps them private): '<'
 * of a start tag and "</" of an end tag. */
#define NGN_SOAP_LT ((soap_wchar)-2)
#define NGN_SOAP_TT ((soap_wchar)-3)

/* 1 when the content of the element just opened starts with text (after
 * whitespace) rather than a tag: "<groups>anonymous</groups>". The text
 * would be skipped and the list read as empty. What was read up to the
 * first tag is whitespace only, and that tag is put back for the reader. */
static int array_holds_text(struct soap *soap)
{
	soap_wchar c;
	do
		c = soap_get(soap);
	while (c >= 0 && c <= ' ');
	soap_unget(soap, c);
	return c != EOF && c != NGN_SOAP_LT && c != NGN_SOAP_TT;
}

/* Every generated array reader calls this right after the array's start
 * tag. The items present are the list: the declared size, offset and
 * positions are forgotten here, so the readers take their unsized path
 * (which counts items against max-array) and never compute with them.
 * xml_guard.c has already refused attributes that disagree with the items;
 * forgetting them here keeps that true for any body that reaches gSOAP.
 * An array holding text instead of items is fault 4000 (SOAP_TYPE to the
 * reader; the fault built here is the one sent). */
int ngn_match_array(struct soap *soap, const char *type)
{
	(void)soap_match_array(soap, type);
	soap->arraySize[0] = '\0';
	soap->arrayOffset[0] = '\0';
	soap->position = 0;
	if (soap->body && *soap->href != '#' && array_holds_text(soap)) {
		(void)ngn_fault(soap, NGN_E_BAD_REQUEST, "Array member <%s> holds text, not items", soap->tag);
		return SOAP_TYPE;
	}
	return SOAP_OK;
}

/* 1 if the prefix of qname is bound to the Sip or the types namespace */
static int ngn_prefix(struct soap *soap, const char *qname)
{
	static const char *const ours[] = { "urn:AGProjects:NGNPro:Sip", "urn:AGProjects:NGNPro" };
	const char *colon = strchr(qname, ':');
	if (colon == NULL || colon == qname || soap->local_namespaces == NULL)
		return 0;
	const struct soap_nlist *np = soap_lookup_ns(soap, qname, (size_t)(colon - qname));
	if (np == NULL || np->index < 0) /* index < 0: a URI not in our table */
		return 0;
	const char *uri = soap->local_namespaces[np->index].ns;
	for (size_t i = 0; uri && i < sizeof ours / sizeof ours[0]; i++)
		if (strcmp(uri, ours[i]) == 0)
			return 1;
	return 0;
}

/* Called before the generated code reads the element it expects as `tag`.
 * soap_peek_element parses the next start tag once (it is remembered as
 * peeked, so the changes below hold for every member the generated code
 * then tries): soap->type (its xsi:type) is forgotten, and when an
 * unqualified member is expected, a prefix bound to one of our namespaces
 * is dropped from soap->tag. */
static void peek_member(struct soap *soap, const char *tag)
{
	if (soap_peek_element(soap) != SOAP_OK)
		return;
	soap->type[0] = '\0';
	if (tag != NULL && *tag != '\0' && strchr(tag, ':') == NULL && ngn_prefix(soap, soap->tag)) {
		char *local = strchr(soap->tag, ':') + 1;
		memmove(soap->tag, local, strlen(local) + 1);
	}
}

int ngn_element_begin_in(struct soap *soap, const char *tag, int nillable, const char *type)
{
	(void)type;
	peek_member(soap, tag);
	int rc = soap_element_begin_in(soap, tag, nillable, NULL);
	if (rc == SOAP_OK && !soap->body && soap->arrayType[0] == '\0')
		soap->null = 1; /* <member/>: PHP null, i.e. absent */
	return rc;
}

/* Reads one scalar element whole (start tag, text, end tag), as
 * peek_member leaves it; "" for <x/>. NULL on a parse error (soap->error
 * set). */
static const char *element_text(struct soap *soap, const char *tag)
{
	peek_member(soap, tag);
	if (soap_element_begin_in(soap, tag, 0, NULL))
		return NULL;
	if (*soap->href == '#') {
		soap->error = SOAP_TYPE; /* multi-reference scalars: no client sends them */
		return NULL;
	}
	if (!soap->body)
		return "";
	const char *s = soap_value(soap);
	if (s == NULL || soap_element_end_in(soap, tag))
		return NULL;
	return s;
}

/* 0: *out holds the integer; 1: empty; -1: not an integral number in range */
static int parse_integral(const char *s, int *out)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s == '\0')
		return 1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end != s && errno == 0) {
		const char *q = end;
		while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
			q++;
		if (*q == '\0' && v >= INT_MIN && v <= INT_MAX) {
			*out = (int)v;
			return 0;
		}
	}
	/* float text: exact integral values only (doubles hold every int) */
	errno = 0;
	double d = strtod(s, &end);
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	if (end == s || *end != '\0' || errno != 0 || !isfinite(d) || d != floor(d)
	    || d < (double)INT_MIN || d > (double)INT_MAX)
		return -1;
	*out = (int)d;
	return 0;
}

char **ngn_instring(struct soap *soap, const char *tag, char **p, const char *type, int t,
		    int flag, long minlen, long maxlen, const char *pattern)
{
	peek_member(soap, tag);
	return soap_instring(soap, tag, p, type, t, flag, minlen, maxlen, pattern);
}

int *ngn_inint(struct soap *soap, const char *tag, int *p, const char *type, int t)
{
	(void)type;
	(void)t;
	const char *s = element_text(soap, tag);
	if (s == NULL)
		return NULL;
	int v;
	int r = parse_integral(s, &v);
	if (r < 0) {
		soap->error = SOAP_TYPE;
		return NULL;
	}
	if (r == 1)
		return NULL; /* empty: absent (soap->error stays SOAP_OK) */
	if (p == NULL && (p = soap_malloc(soap, sizeof *p)) == NULL)
		return NULL;
	*p = v;
	return p;
}

char *ngn_inbyte(struct soap *soap, const char *tag, char *p, const char *type, int t)
{
	peek_member(soap, tag);
	return soap_inbyte(soap, tag, p, type, t);
}

time_t *ngn_indateTime(struct soap *soap, const char *tag, time_t *p, const char *type, int t)
{
	(void)type;
	(void)t;
	const char *s = element_text(soap, tag);
	if (s == NULL)
		return NULL;
	time_t v;
	if (*s == '\0' || soap_s2dateTime(soap, s, &v) != SOAP_OK) {
		soap->error = SOAP_OK; /* read-only and unusable: ignored */
		return NULL;
	}
	if (p == NULL && (p = soap_malloc(soap, sizeof *p)) == NULL)
		return NULL;
	*p = v;
	return p;
}
