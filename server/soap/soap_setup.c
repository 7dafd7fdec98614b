/* soap_setup.c: the gSOAP side of serving one request.
 *
 * libevent owns HTTP; a worker hands the request body here. gSOAP parses it
 * from memory (SOAP_ENC_PLAIN, keep-alive off so soap_serve does not loop),
 * the header is checked by the worker's callback before any operation runs,
 * and the reply is written to memory. Before gSOAP sees a body,
 * xml_guard.c checks that it is well-formed XML gSOAP reads right (a
 * fault 4000 otherwise), then, only when the body holds a CR or a
 * reference above U+FFFF, gSOAP reads a normalised copy (line ends and such
 * references as XML 1.0 reads them, which gSOAP does not). This file also holds gSOAP's global
 * namespaces[] table (generated from the WSDL), defined exactly once.
 *
 * Dispatch: the operation element is found in the declared operation table
 * (optable.c) and its row's generated serve function called, rather than
 * gSOAP's soap_serve_request, so that the row's counters (GET /status) are
 * kept: calls, faults and the time from the operation element read to the
 * reply (or fault) written. A request that fails before its operation is known (input
 * guard, envelope, login, unknown method: 4001 as before) counts in no row.
 * Counters are relaxed atomics: no lock on the path of a request.
 *
 * Names: our functions here are edge_*, never soap_*, which is gSOAP's.
 *
 * Why the actor: CDRTool installs on PHP 5/7 send
 * <auth SOAP-ENV:actor="0" SOAP-ENV:mustUnderstand="0">; gSOAP drops header
 * entries addressed to an actor that is not its own, so "0" is ours. */
#include <stdlib.h>
#include <string.h>
#include "soapH.h"
#include "core/clock.h"
#include "SipBinding.nsmap"
#include "soap_setup.h"
#include "fault.h"
#include "optable.h"
#include "xml_guard.h"

struct soap *edge_new(const struct edge_limits *lim)
{
	xml_guard_init(); /* here: workers are created from the main thread */
	struct soap *soap = soap_new1(SOAP_XML_TREE | SOAP_C_UTFSTRING);
	if (soap == NULL)
		return NULL;
	soap_set_namespaces(soap, namespaces);
	soap_set_mode(soap, SOAP_ENC_PLAIN);
	soap_clr_mode(soap, SOAP_IO_KEEPALIVE);
	soap->actor = "0";
	soap->recv_maxlength = lim->max_body;
	soap->maxlength = (long)lim->max_string;
	soap->maxoccurs = lim->max_array;
	soap->maxlevel = lim->max_depth;
	return soap;
}

/* A NUL byte, raw or as a character reference (&#0; &#x00; ...), would cut
 * a value short without a word (gSOAP's strings end at NUL): refused. The
 * same walk over the references notes in *big whether one may name a code
 * point above U+FFFF (5 or more digits after the leading zeros, hex or
 * decimal: 10000 and up), which xml_guard_normalize must rewrite for gSOAP. */
static int has_nul(const char *body, size_t len, int *big)
{
	*big = 0;
	if (memchr(body, '\0', len) != NULL)
		return 1;
	for (const char *p = body; (p = strstr(p, "&#")) != NULL; p += 2) {
		const char *q = p + 2;
		int hex = *q == 'x' || *q == 'X';
		if (hex)
			q++;
		const char *digits = q;
		while (*q == '0')
			q++;
		if (q > digits && *q == ';')
			return 1;
		const char *sig = q;
		while (*q != ';' && *q != '\0' && q - sig <= 5)
			q++;
		if (q - sig > 4)
			*big = 1;
	}
	return 0;
}

/* What gSOAP's generated soap_serve_request does (peek the element, serve
 * it, or SOAP_NO_METHOD), with the row found in op_table. *opp is the row,
 * NULL when there is none. */
static int dispatch(struct soap *soap, const struct op **opp)
{
	(void)soap_peek_element(soap);
	const struct op *op = op_find(soap, soap->tag);
	*opp = op;
	if (op == NULL)
		return soap->error = SOAP_NO_METHOD;
	return op->serve(soap);
}

int edge_serve(struct soap *soap, const char *body, size_t len,
	       int (*before_dispatch)(struct soap *, void *), void *arg, struct op_stats *stats,
	       const char **reply, size_t *reply_len)
{
	const char *out = NULL;
	soap->is = body;
	soap->os = &out;
	soap->header = NULL;
	soap->fault = NULL;
	int rc;
	enum ngn_status st;
	char msg[256];
	const struct op *op = NULL;
	uint64_t t0 = 0;
	const struct xml_guard_limits lim = { (unsigned)soap->maxoccurs, (unsigned)soap->maxlevel };
	char *normal = NULL; /* body after xml_guard_normalize, when it had to */
	int big;
	if (has_nul(body, len, &big)) {
		soap->version = 1;
		rc = ngn_fault(soap, NGN_E_BAD_REQUEST, "The request contains a NUL character");
	} else if ((st = xml_guard_check(body, len, &lim, msg, sizeof msg)) != NGN_OK) {
		soap->version = 1;
		rc = ngn_fault(soap, st, "%s", msg);
	} else if ((big || memchr(body, '\r', len) != NULL) && (normal = malloc(len + 1)) == NULL) {
		soap->version = 1;
		rc = ngn_fault(soap, NGN_E_INTERNAL, "Out of memory");
	} else {
		if (normal != NULL) { /* the worker's buffer is const to us: a copy */
			xml_guard_normalize(body, len, big, normal);
			soap->is = normal;
		}
		rc = soap_begin_serve(soap);
		if (rc == SOAP_OK && soap->version == 0) {
			/* XML, but no SOAP envelope around it */
			soap->version = 1;
			rc = ngn_fault(soap, NGN_E_BAD_REQUEST, "The body is not a SOAP 1.1 envelope");
		}
	}
	if (rc == SOAP_OK && before_dispatch != NULL)
		rc = before_dispatch(soap, arg) ? soap->error : SOAP_OK;
	if (rc == SOAP_OK) {
		if (stats != NULL)
			t0 = clock_mono_ns();
		rc = dispatch(soap, &op);
	}
	if (rc != SOAP_OK) {
		soap->error = rc;
		if (soap->version == 0)
			soap->version = 1; /* fault codes need a SOAP version */
		fault_from_soap(soap);
		soap->header = NULL;
		soap_send_fault(soap);
	}
	if (stats != NULL && op != NULL) {
		struct op_stats *s = &stats[op - op_table];
		atomic_fetch_add_explicit(&s->calls, 1, memory_order_relaxed);
		if (rc != SOAP_OK)
			atomic_fetch_add_explicit(&s->faults, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->nsec, clock_mono_ns() - t0, memory_order_relaxed);
	}
	free(normal); /* gSOAP is done reading */
	*reply = out ? out : "";
	*reply_len = strlen(*reply);
	return rc == SOAP_OK ? 200 : 500;
}
