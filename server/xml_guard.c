/* xml_guard.c: see xml_guard.h. Why a second parser in front of gSOAP:
 *
 * gSOAP reads what it can out of any bytes: "< sipId>" and "</>" are tags to
 * it, a stray '&' is text, C0 80 is a NUL that cuts a value short, a DOCTYPE
 * is skipped, text inside an array is skipped, and its generated array
 * readers compute with SOAP-ENC:offset in an int. Rather than patch each
 * leniency, libxml2 (a Debian library we already link, whose parser is the
 * reference for well-formedness: UTF-8 validity and the XML 1.0 Char
 * production for raw bytes and character references) reads the body first
 * through SAX callbacks that build nothing.
 *
 * Cost: one linear pre-scan plus one SAX pass, a few microseconds for a
 * normal request. libxml2 2.9 checks an element's attributes for duplicates
 * pair by pair (quadratic), so the pre-scan bounds attributes per start tag
 * before libxml2 sees the body.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include "xml_guard.h"

struct guard {
	xmlParserCtxtPtr ctxt;
	const struct xml_guard_limits *lim;
	unsigned depth; /* open elements */
	int refused;    /* a rule below refused (msg holds why) */
	char *msg;
	size_t msglen;
};

/* Copies a reason into g->msg as printable ASCII only (libxml2 messages may
 * quote names or bytes of the request), and stops the parser. */
static void refuse(struct guard *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refuse(struct guard *g, const char *fmt, ...)
{
	if (g->refused)
		return;
	g->refused = 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g->msg, g->msglen, fmt, ap);
	va_end(ap);
	for (char *p = g->msg; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			*p = (*p == '\n' || *p == '\t' || *p == '\r') ? ' ' : '?';
	size_t n = strlen(g->msg);
	while (n > 0 && g->msg[n - 1] == ' ')
		g->msg[--n] = '\0';
	xmlStopParser(g->ctxt);
}

/* ---- the pre-scan: attributes per start tag, in one linear pass ---------- */

/* Counts '=' outside quotes in each start tag. A '<' always ends a tag (an
 * attribute value cannot hold one), so quote state cannot leak from one
 * tag to the next: a well-formed tag is counted exactly, anything else is
 * refused by libxml2 afterwards. 0 when no tag has too many. */
static int too_many_attrs(const char *p, const char *end, unsigned max)
{
	int in_tag = 0;
	char quote = 0;
	unsigned n = 0;
	for (; p < end; p++) {
		char c = *p;
		if (c == '<') {
			in_tag = p + 1 < end && p[1] != '/' && p[1] != '!' && p[1] != '?';
			quote = 0;
			n = 0;
		} else if (!in_tag) {
			continue;
		} else if (quote) {
			if (c == quote)
				quote = 0;
		} else if (c == '"' || c == '\'') {
			quote = c;
		} else if (c == '=') {
			if (++n > max)
				return 1;
		} else if (c == '>') {
			in_tag = 0;
		}
	}
	return 0;
}

/* ---- SAX callbacks --------------------------------------------------------------- */

static void on_start_document(void *ctx)
{
	struct guard *g = ctx;
	xmlParserCtxtPtr c = g->ctxt;
	/* gSOAP reads the bytes as UTF-8 whatever the declaration says */
	int converted = c->input != NULL && c->input->buf != NULL && c->input->buf->encoder != NULL;
	const char *enc = (const char *)c->encoding;
	if (converted || (enc != NULL && strcasecmp(enc, "UTF-8") != 0 && strcasecmp(enc, "UTF8") != 0))
		refuse(g, "The request must be encoded in UTF-8");
}

static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
	(void)name;
	(void)ext;
	(void)sys;
	refuse(ctx, "A DOCTYPE is not allowed in a SOAP message");
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
		     int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
		     const xmlChar **attrs)
{
	(void)localname;
	(void)prefix;
	(void)uri;
	(void)nb_namespaces;
	(void)namespaces;
	(void)nb_defaulted;
	(void)nb_attributes;
	(void)attrs;
	struct guard *g = ctx;
	if (g->refused)
		return;
	if (g->depth >= g->lim->max_depth) {
		refuse(g, "Elements nested deeper than max-depth (%u)", g->lim->max_depth);
		return;
	}
	g->depth++;
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	(void)localname;
	(void)prefix;
	(void)uri;
	struct guard *g = ctx;
	if (g->refused || g->depth == 0)
		return;
	g->depth--;
}

static void on_error(void *ctx, xmlErrorPtr err)
{
	struct guard *g = ctx;
	if (err == NULL || err->level < XML_ERR_ERROR || g->refused)
		return;
	refuse(g, "The request is not well-formed XML (line %d): %s", err->line,
	       err->message ? err->message : "syntax error");
}

/* Entities: only the five predefined ones exist (no DOCTYPE can declare
 * more); an undeclared one is a well-formedness error. */
static xmlEntityPtr on_get_entity(void *ctx, const xmlChar *name)
{
	(void)ctx;
	return xmlGetPredefinedEntity(name);
}

enum ngn_status xml_guard_check(const char *body, size_t len, const struct xml_guard_limits *lim,
				char *msg, size_t msglen)
{
	if (len > (size_t)INT_MAX) {
		snprintf(msg, msglen, "The request is too large");
		return NGN_E_BAD_REQUEST;
	}
	if (len == 0) {
		snprintf(msg, msglen, "The request body is empty");
		return NGN_E_BAD_REQUEST;
	}
	if (too_many_attrs(body, body + len, XML_GUARD_MAX_ATTRS)) {
		snprintf(msg, msglen, "More than %d attributes on one element", XML_GUARD_MAX_ATTRS);
		return NGN_E_BAD_REQUEST;
	}
	struct guard g = { .lim = lim, .msg = msg, .msglen = msglen };
	msg[0] = '\0';
	xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt(body, (int)len);
	if (ctxt == NULL) {
		snprintf(msg, msglen, "Out of memory");
		return NGN_E_INTERNAL;
	}
	g.ctxt = ctxt;
	xmlSAXHandler *sax = ctxt->sax;
	memset(sax, 0, sizeof *sax);
	sax->initialized = XML_SAX2_MAGIC;
	sax->startDocument = on_start_document;
	sax->internalSubset = on_doctype;
	sax->startElementNs = on_start;
	sax->endElementNs = on_end;
	sax->getEntity = on_get_entity;
	sax->serror = on_error;
	ctxt->userData = &g;
	/* no network, no DTD loading, no entity substitution, no messages on
	 * stderr (on_error takes them) */
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	int rc = xmlParseDocument(ctxt);
	if (!g.refused && (rc != 0 || !ctxt->wellFormed))
		refuse(&g, "The request is not well-formed XML");
	xmlFreeParserCtxt(ctxt);
	return g.refused ? NGN_E_BAD_REQUEST : NGN_OK;
}
