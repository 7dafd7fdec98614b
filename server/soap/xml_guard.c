/* xml_guard.c: see xml_guard.h. Why a second parser in front of gSOAP:
 *
 * gSOAP reads what it can out of any bytes: "< sipId>" and "</>" are tags to
 * it, a stray '&' is text, C0 80 is a NUL that cuts a value short, a DOCTYPE
 * is skipped, text inside an array is skipped, and its generated array
 * readers compute with SOAP-ENC:offset in an int. Rather than patch each
 * leniency, libxml2 (a Debian library we already link, whose parser is the
 * reference for well-formedness: UTF-8 validity and the XML 1.0 Char
 * production for raw bytes and character references) reads the body first
 * through SAX callbacks that build nothing, and the few SOAP-encoding facts
 * gSOAP gets wrong are checked in the same pass.
 *
 * Cost: one linear pre-scan plus one SAX pass: about 87k instructions
 * (6.5 us) for CDRTool's getAccount, whose whole call is about 500k.
 * libxml2 2.9 checks an element's attributes for duplicates pair by pair
 * and looks every prefix up through all declarations in scope, gSOAP
 * likewise, so the pre-scan bounds attributes per start tag before libxml2
 * sees the body and the SAX pass bounds declarations in scope
 * (bench/parse_worst measures the worst bodies).
 *
 * xml_guard_normalize then does, on an accepted body, the two things an XML
 * parser must do and gSOAP does not (line-end normalisation, references
 * above U+FFFF): a byte scanner rather than libxml2's output, because gSOAP
 * must read the request's own bytes (only those two rewrites) and libxml2
 * has already checked everything the scanner relies on.
 *
 * Invariants the SAX pass keeps (one frame per open element):
 *  1. an element never has both child elements and non-whitespace text
 *     (SOAP encoding has no mixed content; gSOAP skips such text silently);
 *  2. an element with SOAP-ENC:arrayType has exactly the number of child
 *     elements its size declares, at most max_array, and never a non-zero
 *     offset; an item's SOAP-ENC:position, if any, is its own index. So the
 *     items present are the list, whatever the generated reader would
 *     compute from the attributes (ngn_match_array additionally makes the
 *     readers ignore them). */
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

struct frame {
	unsigned children; /* child elements so far */
	int text;          /* non-whitespace text seen */
	int is_array;      /* carries an arrayType attribute */
	long declared;     /* its declared size, -1 for "[]" */
	int ns;            /* namespace declarations it carries */
};

struct guard {
	xmlParserCtxtPtr ctxt;
	const struct xml_guard_limits *lim;
	struct frame *stack;
	unsigned depth; /* open elements */
	int ns;         /* namespace declarations in scope */
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
		if (!in_tag) { /* text: jump to the next '<' */
			p = memchr(p, '<', (size_t)(end - p));
			if (p == NULL)
				return 0;
		}
		char c = *p;
		if (c == '<') {
			in_tag = p + 1 < end && p[1] != '/' && p[1] != '!' && p[1] != '?';
			quote = 0;
			n = 0;
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

/* ---- SOAP-ENC attributes ---------------------------------------------------- */

/* Parses "[n]" (the whole of [s, e)) into *v: 1 on success, 0 when it is
 * not one bracketed non-negative decimal of at most max; -1 for "[]". */
static int bracket_number(const xmlChar *s, const xmlChar *e, unsigned max, long *v)
{
	if (e - s < 2 || s[0] != '[' || e[-1] != ']')
		return 0;
	s++;
	e--;
	if (s == e)
		return -1;
	long n = 0;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		n = n * 10 + (*s - '0');
		if (n > (long)max)
			return 0;
	}
	*v = n;
	return 1;
}

static int is_attr(const xmlChar **a, const char *name)
{
	return strcmp((const char *)a[0], name) == 0;
}

static void check_array_attrs(struct guard *g, struct frame *f, struct frame *parent,
			      int nb_attributes, const xmlChar **attrs)
{
	unsigned max = g->lim->max_array;
	for (int i = 0; i < nb_attributes && !g->refused; i++) {
		const xmlChar **a = attrs + 5 * i;
		const xmlChar *v = a[3], *ve = a[4];
		long n = 0;
		if (is_attr(a, "arrayType")) {
			/* type[size]: the size is the last bracket, and there is
			 * no other (arrays of arrays, "xsd:string[][2]") */
			const xmlChar *lb = NULL;
			for (const xmlChar *p = v; p < ve; p++)
				if (*p == '[') {
					if (lb != NULL) {
						refuse(g, "SOAP-ENC:arrayType: arrays of arrays are not supported");
						return;
					}
					lb = p;
				}
			if (lb == NULL || lb == v) {
				refuse(g, "SOAP-ENC:arrayType is not of the form type[size]");
				return;
			}
			if (memchr(lb, ',', (size_t)(ve - lb)) != NULL) {
				refuse(g, "SOAP-ENC:arrayType declares more than one dimension");
				return;
			}
			int r = bracket_number(lb, ve, max, &n);
			if (r == 0) {
				refuse(g, "SOAP-ENC:arrayType: the size must be a number from 0 to max-array (%u)", max);
				return;
			}
			f->is_array = 1;
			f->declared = r < 0 ? -1 : n;
		} else if (is_attr(a, "offset")) {
			int r = bracket_number(v, ve, max, &n);
			if (r != 1 || n != 0) {
				refuse(g, "SOAP-ENC:offset: partially transmitted arrays are not supported (only [0])");
				return;
			}
		} else if (is_attr(a, "position")) {
			int r = bracket_number(v, ve, max, &n);
			if (r != 1 || parent == NULL || (unsigned long)n != parent->children - 1) {
				refuse(g, "SOAP-ENC:position: sparse arrays are not supported (a position must be the item's own index)");
				return;
			}
		}
	}
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
	struct guard *g = ctx;
	if (g->refused)
		return;
	struct frame *parent = g->depth > 0 ? &g->stack[g->depth - 1] : NULL;
	if (parent != NULL) {
		if (parent->text) {
			refuse(g, "An element holds both text and elements (line %d)", xmlSAX2GetLineNumber(g->ctxt));
			return;
		}
		if (++parent->children > g->lim->max_array) {
			refuse(g, "More than max-array (%u) items in one element", g->lim->max_array);
			return;
		}
	}
	if (g->depth >= g->lim->max_depth) {
		refuse(g, "Elements nested deeper than max-depth (%u)", g->lim->max_depth);
		return;
	}
	/* libxml2 and gSOAP look a prefix up through every declaration in
	 * scope, for every element and attribute */
	if ((g->ns += nb_namespaces) > XML_GUARD_MAX_NS) {
		refuse(g, "More than %d namespace declarations in scope", XML_GUARD_MAX_NS);
		return;
	}
	struct frame *f = &g->stack[g->depth++];
	*f = (struct frame){ 0, 0, 0, -1, nb_namespaces };
	check_array_attrs(g, f, parent, nb_attributes, attrs);
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	(void)prefix;
	(void)uri;
	struct guard *g = ctx;
	if (g->refused || g->depth == 0)
		return;
	struct frame *f = &g->stack[--g->depth];
	g->ns -= f->ns;
	if (f->is_array && f->declared >= 0 && (unsigned long)f->declared != f->children)
		refuse(g, "Array <%s> declares %ld items in SOAP-ENC:arrayType but holds %u", (const char *)localname,
		       f->declared, f->children);
}

static void on_text(void *ctx, const xmlChar *s, int len)
{
	struct guard *g = ctx;
	if (g->refused || g->depth == 0)
		return;
	struct frame *f = &g->stack[g->depth - 1];
	if (f->text)
		return;
	for (int i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
			f->text = 1;
			break;
		}
	if (f->text && f->children > 0)
		refuse(g, "An element holds both text and elements (line %d)", xmlSAX2GetLineNumber(g->ctxt));
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

void xml_guard_init(void)
{
	xmlInitParser();
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
	g.stack = malloc(sizeof *g.stack * (lim->max_depth + 1));
	xmlParserCtxtPtr ctxt = g.stack ? xmlCreateMemoryParserCtxt(body, (int)len) : NULL;
	if (ctxt == NULL) {
		free(g.stack);
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
	sax->characters = on_text;
	sax->cdataBlock = on_text;
	sax->ignorableWhitespace = on_text;
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
	free(g.stack);
	return g.refused ? NGN_E_BAD_REQUEST : NGN_OK;
}

/* ---- normalisation ------------------------------------------------------------ */

/* Writes code point cp (U+10000..U+10FFFF) as UTF-8 at w: 4 bytes. */
static char *put_utf8_4(char *w, unsigned long cp)
{
	*w++ = (char)(0xF0 | (cp >> 18));
	*w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
	*w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
	*w++ = (char)(0x80 | (cp & 0x3F));
	return w;
}

/* A character reference "&#...;" at r (before end): its code point, with
 * *after the byte past the ';'; 0 when it is not one (never, in a body
 * libxml2 accepted) or above U+10FFFF. */
static unsigned long char_ref(const char *r, const char *end, const char **after)
{
	const char *p = r + 2;
	int hex = p < end && (*p == 'x' || *p == 'X');
	if (hex)
		p++;
	unsigned long v = 0;
	const char *digits = p;
	for (; p < end && *p != ';'; p++) {
		int d = *p >= '0' && *p <= '9' ? *p - '0'
			: hex && *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
			: hex && *p >= 'A' && *p <= 'F' ? *p - 'A' + 10 : -1;
		if (d < 0)
			return 0;
		v = v * (hex ? 16 : 10) + (unsigned long)d;
		if (v > 0x10FFFF)
			return 0;
	}
	if (p == end || p == digits)
		return 0;
	*after = p + 1;
	return v;
}

static int starts(const char *r, const char *end, const char *lit, size_t n)
{
	return (size_t)(end - r) >= n && memcmp(r, lit, n) == 0;
}

/* References above U+FFFF in text and attribute values, rewritten in place
 * (line ends are already LF); returns the new length. */
static size_t big_refs(char *body, size_t len)
{
	const char *r = body, *end = body + len;
	char *w = body;
	/* inside a comment, CDATA section or PI: the text that ends it, else
	 * NULL (in markup and text, where references are references) */
	const char *close = NULL;
	size_t close_len = 0;
	while (r < end) {
		char c = *r;
		if (close != NULL) {
			if (c == close[0] && starts(r, end, close, close_len)) {
				memmove(w, r, close_len);
				w += close_len;
				r += close_len;
				close = NULL;
			} else {
				*w++ = *r++;
			}
		} else if (c == '<' && r + 1 < end && (r[1] == '!' || r[1] == '?')) {
			size_t open = 0;
			if (starts(r, end, "<!--", 4))
				open = 4, close = "-->", close_len = 3;
			else if (starts(r, end, "<![CDATA[", 9))
				open = 9, close = "]]>", close_len = 3;
			else if (r[1] == '?')
				open = 2, close = "?>", close_len = 2;
			else
				open = 1;
			memmove(w, r, open);
			w += open;
			r += open;
		} else if (c == '&' && r + 1 < end && r[1] == '#') {
			const char *after = NULL;
			unsigned long cp = char_ref(r, end, &after);
			if (cp > 0xFFFF) {
				w = put_utf8_4(w, cp);
				r = after;
			} else {
				*w++ = *r++;
			}
		} else {
			*w++ = *r++;
		}
	}
	return (size_t)(w - body);
}

size_t xml_guard_normalize(const char *body, size_t len, int refs, char *out)
{
	/* line ends, everywhere (XML 1.0 2.11): the spans between CRs are
	 * copied whole (real clients end every line with CR LF) */
	const char *r = body, *end = body + len, *cr;
	char *w = out;
	while ((cr = memchr(r, '\r', (size_t)(end - r))) != NULL) {
		memmove(w, r, (size_t)(cr - r));
		w += cr - r;
		*w++ = '\n';
		r = cr + 1 < end && cr[1] == '\n' ? cr + 2 : cr + 1;
	}
	memmove(w, r, (size_t)(end - r));
	w += end - r;
	size_t n = (size_t)(w - out);
	if (refs)
		n = big_refs(out, n);
	out[n] = '\0';
	return n;
}
