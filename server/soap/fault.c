/* fault.c: status -> SOAP fault, in one table.
 *
 * The codes follow NGNPro's pattern per entity (xx0 = does not exist,
 * xx1 = already exists) where CDRTool relies on them: 1001 and 1011 make its
 * importer switch to an update, 1031 on removeFromGroup is read as "already
 * removed", 2000 on getCreditHistory is silently ignored. The README's
 * fault-code table is this table; keep them together. */
#include <stdarg.h>
#include <stdio.h>
#include "soapH.h"
#include "fault.h"

static const struct fault_info table[NGN_STATUS_COUNT] = {
	[NGN_OK]                     = { 0, 0, "No error" },
	[NGN_E_DOMAIN_NOT_FOUND]     = { 1000, 1, "SIP domain does not exist" },
	[NGN_E_DOMAIN_EXISTS]        = { 1001, 1, "SIP domain already exists" },
	[NGN_E_DOMAIN_NOT_EMPTY]     = { 1002, 1, "SIP domain still has accounts or aliases" },
	[NGN_E_ACCOUNT_NOT_FOUND]    = { 1010, 1, "SIP account does not exist" },
	[NGN_E_ACCOUNT_EXISTS]       = { 1011, 1, "SIP account already exists" },
	[NGN_E_ALIAS_NOT_FOUND]      = { 1020, 1, "SIP alias does not exist" },
	[NGN_E_ALIAS_EXISTS]         = { 1021, 1, "SIP alias already exists" },
	[NGN_E_ALIAS_IS_ACCOUNT]     = { 1022, 1, "SIP alias clashes with an account" },
	[NGN_E_NOT_IN_GROUP]         = { 1031, 1, "SIP account is not a member of that group" },
	[NGN_E_NOT_PREPAID]          = { 2000, 1, "SIP account is not prepaid" },
	[NGN_E_VOUCHER_INVALID]      = { 2010, 1, "Prepaid card is not valid" },
	[NGN_E_VOUCHER_THROTTLED]    = { 2011, 1, "Too many prepaid card attempts, try again later" },
	[NGN_E_INSUFFICIENT_BALANCE] = { 2020, 1, "Balance would go below zero" },
	[NGN_E_INVALID_AMOUNT]       = { 2021, 1, "Invalid amount" },
	[NGN_E_CUSTOMER_NOT_FOUND]   = { 5000, 1, "Customer does not exist" },
	[NGN_E_CUSTOMER_EXISTS]      = { 5001, 1, "Customer already exists" },
	[NGN_E_AUTH_MISSING]         = { 3000, 1, "Missing authentication header" },
	[NGN_E_AUTH_FAILED]          = { 3001, 1, "Authentication failed" },
	[NGN_E_FORBIDDEN]            = { 3002, 1, "Permission denied" },
	[NGN_E_BAD_REQUEST]          = { 4000, 1, "Invalid request" },
	[NGN_E_UNKNOWN_METHOD]       = { 4001, 1, "Unknown method" },
	[NGN_E_MISSING_FIELD]        = { 4002, 1, "Missing required member" },
	[NGN_E_INVALID_USERNAME]     = { 4003, 1, "Invalid username" },
	[NGN_E_INVALID_DOMAIN]       = { 4004, 1, "Invalid domain" },
	[NGN_E_INVALID_EMAIL]        = { 4005, 1, "Invalid e-mail address" },
	[NGN_E_INVALID_GROUP]        = { 4006, 1, "Invalid group name" },
	[NGN_E_INVALID_PASSWORD]     = { 4007, 1, "Invalid password" },
	[NGN_E_INVALID_VALUE]        = { 4008, 1, "Invalid value" },
	[NGN_E_INVALID_QUERY]        = { 4009, 1, "Invalid query" },
	[NGN_E_INVALID_ACL]          = { 4010, 1, "Invalid access list" },
	[NGN_E_INVALID_PROPERTY]     = { 4011, 1, "Invalid property" },
	[NGN_E_TOO_LARGE]            = { 4012, 1, "Request too large" },
	[NGN_E_DB_UNAVAILABLE]       = { 9000, 0, "Database unavailable" },
	[NGN_E_DB]                   = { 9001, 0, "Database error" },
	[NGN_E_INTERNAL]             = { 9002, 0, "Internal error" },
	[NGN_E_OVERLOADED]           = { 9003, 0, "Server overloaded, try again" },
	[NGN_E_CONFLICT]             = { 9004, 0, "Concurrent change, try again" },
};

const struct fault_info *fault_lookup(enum ngn_status st)
{
	if ((unsigned)st >= NGN_STATUS_COUNT || table[st].summary == NULL)
		return &table[NGN_E_INTERNAL];
	return &table[st];
}

/* Makes s (in place, same length) text that XML 1.0 can carry: every byte
 * of an invalid UTF-8 sequence (overlong, surrogate, above U+10FFFF,
 * truncated) and every character XML forbids (C0 controls but tab, LF and
 * CR; U+FFFE, U+FFFF) and DEL becomes '?'. Messages quote the caller's
 * input and gSOAP's own messages quote element names; a reply that is not
 * XML could not be read by any client, not even as a fault. */
static void xml_safe(char *s)
{
	unsigned char *p = (unsigned char *)s;
	while (p && *p) {
		unsigned c = *p, cp, len;
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
				*p = '?';
			p++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			len = 2, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			len = 3, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			len = 4, cp = c & 0x07;
		else
			len = 0, cp = 0;
		unsigned i = 1;
		for (; len && i < len && (p[i] & 0xC0) == 0x80; i++)
			cp = (cp << 6) | (p[i] & 0x3F);
		if (len == 0 || i < len || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))
		    || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) {
			*p++ = '?'; /* this byte; the next one starts over */
			continue;
		}
		p += len;
	}
}

static int build(struct soap *soap, const struct fault_info *fi, const char *errorstring)
{
	soap->header = NULL; /* never echo the request's auth header */
	if (fi->client)
		soap_sender_fault(soap, fi->summary, NULL);
	else
		soap_receiver_fault(soap, fi->summary, NULL);
	struct SOAP_ENV__Detail *d = soap_new_SOAP_ENV__Detail(soap, 1);
	struct ngn2__Error *e = soap_new_ngn2__Error(soap, 1);
	if (d == NULL || e == NULL)
		return SOAP_EOM;
	e->errorcode = fi->errorcode;
	char *es = soap_strdup(soap, errorstring && *errorstring ? errorstring : fi->summary);
	xml_safe(es);
	e->errorstring = es;
	d->exception = e;
	soap->fault->detail = d;
	return SOAP_FAULT;
}

int ngn_fault(struct soap *soap, enum ngn_status st, const char *fmt, ...)
{
	char msg[512];
	msg[0] = '\0';
	if (fmt != NULL) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
	}
	return build(soap, fault_lookup(st), msg);
}

void fault_from_soap(struct soap *soap)
{
	if (soap->error == SOAP_OK)
		return;
	if (soap->fault != NULL && soap->fault->detail != NULL && soap->fault->detail->exception != NULL)
		return; /* a handler built it */
	int err = soap->error;
	enum ngn_status st = NGN_E_BAD_REQUEST;
	if (err == SOAP_NO_METHOD)
		st = NGN_E_UNKNOWN_METHOD;
	else if (err == SOAP_EOM)
		st = NGN_E_INTERNAL;
	soap_set_fault(soap);
	const char *const *s = soap_faultstring(soap);
	char msg[512];
	snprintf(msg, sizeof msg, "%s", s && *s ? *s : fault_lookup(st)->summary);
	build(soap, fault_lookup(st), msg);
	soap->error = err == SOAP_FAULT ? SOAP_FAULT : err;
}
