/* soapclient.c: see soapclient.h.
 *
 * Reading model: each connection owns a growable buffer. sc_recv waits (with
 * poll, against one deadline) until the buffer holds a complete response,
 * consumes exactly that response and leaves anything after it in place, so
 * pipelined replies come out one at a time and a short read never loses
 * bytes. The socket stays blocking; only reads are guarded by poll, and sends
 * by SO_SNDTIMEO. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include "soapclient.h"

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL) {
		fprintf(stderr, "soapclient: out of memory\n");
		abort();
	}
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

double sc_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *sc_env(const char *name)
{
	const char *v = getenv(name);
	if (v == NULL || *v == '\0') {
		fprintf(stderr, "%s is not set: run this test under tests/lib/with-server.sh\n", name);
		abort();
	}
	return v;
}

int sc_port(void)
{
	return atoi(sc_env("NGN_TEST_PORT"));
}

/* ---- connections --------------------------------------------------------------- */

struct sc_conn {
	int fd;
	char *buf;
	size_t len, cap;
	int eof; /* the peer closed; buf may still hold bytes */
};

struct sc_conn *sc_open(int port, int timeout_ms)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	int rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
	if (rc != 0 && errno == EINPROGRESS) {
		struct pollfd p = { fd, POLLOUT, 0 };
		int err = 0;
		socklen_t el = sizeof err;
		if (poll(&p, 1, timeout_ms) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) == 0
		    && err == 0)
			rc = 0;
		else
			errno = err ? err : ETIMEDOUT;
	}
	if (rc != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	fcntl(fd, F_SETFL, fl);
	struct timeval tv = { 10, 0 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct sc_conn *c = xmalloc(sizeof *c);
	memset(c, 0, sizeof *c);
	c->fd = fd;
	return c;
}

int sc_fd(const struct sc_conn *c)
{
	return c->fd;
}

void sc_close(struct sc_conn *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	free(c->buf);
	free(c);
}

int sc_send(struct sc_conn *c, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return SC_ERROR;
		p += n;
		len -= (size_t)n;
	}
	return SC_OK;
}

/* Reads more bytes into c->buf, waiting until the deadline. 1: got bytes;
 * 0: EOF or reset (c->eof set); -1: deadline. */
static int fill(struct sc_conn *c, double deadline)
{
	if (c->eof)
		return 0;
	for (;;) {
		double left = deadline - sc_now();
		struct pollfd p = { c->fd, POLLIN, 0 };
		int pr = poll(&p, 1, left > 0 ? (int)(left * 1000) + 1 : 0);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			if (sc_now() >= deadline)
				return -1;
			continue;
		}
		if (c->cap - c->len < 65536) {
			c->cap = c->cap ? c->cap * 2 : 131072;
			char *nb = realloc(c->buf, c->cap);
			if (nb == NULL)
				abort();
			c->buf = nb;
		}
		ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			c->eof = 1;
			return 0;
		}
		c->len += (size_t)n;
		c->buf[c->len] = '\0';
		return 1;
	}
}

static void consume(struct sc_conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
	if (c->buf)
		c->buf[c->len] = '\0';
}

static const char *find_crlfcrlf(const char *buf, size_t len)
{
	for (size_t i = 0; i + 3 < len; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n')
			return buf + i;
	return NULL;
}

int sc_header(const struct sc_resp *r, const char *name, char *out, size_t outlen)
{
	if (r->head == NULL)
		return 0;
	size_t nl = strlen(name);
	const char *line = strstr(r->head, "\r\n");
	while (line != NULL) {
		line += 2;
		if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
			const char *v = line + nl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			const char *e = strstr(v, "\r\n");
			size_t vl = e ? (size_t)(e - v) : strlen(v);
			while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
				vl--;
			if (out && outlen) {
				size_t n = vl < outlen - 1 ? vl : outlen - 1;
				memcpy(out, v, n);
				out[n] = '\0';
			}
			return 1;
		}
		line = strstr(line, "\r\n");
	}
	return 0;
}

void sc_resp_free(struct sc_resp *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof *r);
}

/* Decodes a complete chunked body at p (len bytes available). Returns the
 * number of bytes consumed, 0 if more bytes are needed, -1 if malformed. */
static long dechunk(const char *p, size_t len, char **out, size_t *outlen)
{
	size_t pos = 0, ol = 0;
	char *o = xmalloc(len + 1);
	for (;;) {
		const char *e = NULL;
		for (size_t i = pos; i + 1 < len; i++)
			if (p[i] == '\r' && p[i + 1] == '\n') {
				e = p + i;
				break;
			}
		if (e == NULL)
			goto more;
		char *end;
		unsigned long n = strtoul(p + pos, &end, 16);
		if (end == p + pos) {
			free(o);
			return -1;
		}
		pos = (size_t)(e - p) + 2;
		if (n == 0) {
			/* trailers, then an empty line */
			for (;;) {
				const char *t = NULL;
				for (size_t i = pos; i + 1 < len; i++)
					if (p[i] == '\r' && p[i + 1] == '\n') {
						t = p + i;
						break;
					}
				if (t == NULL)
					goto more;
				size_t tl = (size_t)(t - (p + pos));
				pos += tl + 2;
				if (tl == 0)
					break;
			}
			o[ol] = '\0';
			*out = o;
			*outlen = ol;
			return (long)pos;
		}
		if (len - pos < n + 2)
			goto more;
		memcpy(o + ol, p + pos, n);
		ol += n;
		pos += n + 2;
	}
more:
	free(o);
	return 0;
}

int sc_recv(struct sc_conn *c, struct sc_resp *r, int timeout_ms)
{
	memset(r, 0, sizeof *r);
	r->content_length = -1;
	double start = sc_now(), deadline = start + timeout_ms / 1000.0;
	const char *hend;
	size_t hlen;
	for (;;) {
		while ((hend = find_crlfcrlf(c->buf ? c->buf : "", c->len)) == NULL) {
			int f = fill(c, deadline);
			if (f == 1)
				continue;
			if (c->len > 0 && strncmp(c->buf, "HTTP/", c->len < 5 ? c->len : 5) != 0) {
				r->head = xstrndup(c->buf, c->len);
				return SC_BADHTTP;
			}
			if (f == 0) {
				if (c->len == 0)
					return SC_CLOSED;
				r->head = xstrndup(c->buf, c->len);
				return SC_PARTIAL;
			}
			return SC_TIMEOUT;
		}
		hlen = (size_t)(hend - c->buf) + 4;
		int major = 0, minor = 0, status = 0;
		if (sscanf(c->buf, "HTTP/%d.%d %d", &major, &minor, &status) != 3) {
			r->head = xstrndup(c->buf, hlen);
			return SC_BADHTTP;
		}
		if (status >= 100 && status < 200) {
			consume(c, hlen);
			continue;
		}
		r->status = status;
		r->http_minor = minor;
		r->head = xstrndup(c->buf, hlen - 2);
		break;
	}
	char v[256];
	if (sc_header(r, "Content-Length", v, sizeof v))
		r->content_length = atol(v);
	if (sc_header(r, "Transfer-Encoding", v, sizeof v) && strcasestr(v, "chunked"))
		r->chunked = 1;
	if (sc_header(r, "Connection", v, sizeof v) && strcasestr(v, "close"))
		r->conn_close = 1;
	int nobody = r->status == 204 || r->status == 304;
	if (r->chunked) {
		for (;;) {
			char *body;
			size_t bl;
			long used = dechunk(c->buf + hlen, c->len - hlen, &body, &bl);
			if (used < 0)
				return SC_BADHTTP;
			if (used > 0) {
				r->body = body;
				r->body_len = bl;
				consume(c, hlen + (size_t)used);
				break;
			}
			int f = fill(c, deadline);
			if (f != 1) {
				r->body = xstrndup(c->buf + hlen, c->len - hlen);
				r->body_len = c->len - hlen;
				return f == 0 ? SC_PARTIAL : SC_TIMEOUT;
			}
		}
	} else if (r->content_length >= 0 || nobody) {
		size_t want = nobody ? 0 : (size_t)r->content_length;
		while (c->len - hlen < want) {
			int f = fill(c, deadline);
			if (f != 1) {
				r->body = xstrndup(c->buf + hlen, c->len - hlen);
				r->body_len = c->len - hlen;
				return f == 0 ? SC_PARTIAL : SC_TIMEOUT;
			}
		}
		r->body = xstrndup(c->buf + hlen, want);
		r->body_len = want;
		consume(c, hlen + want);
	} else {
		r->until_eof = 1;
		int f;
		while ((f = fill(c, deadline)) == 1)
			;
		r->body = xstrndup(c->buf + hlen, c->len - hlen);
		r->body_len = c->len - hlen;
		consume(c, c->len);
		if (f < 0)
			return SC_TIMEOUT;
	}
	r->seconds = sc_now() - start;
	return SC_OK;
}

int sc_wait_closed(struct sc_conn *c, int timeout_ms, size_t *extra)
{
	double deadline = sc_now() + timeout_ms / 1000.0;
	int f;
	while ((f = fill(c, deadline)) == 1)
		;
	if (extra)
		*extra = c->len;
	return f == 0;
}

int sc_exchange(int port, const void *req, size_t len, struct sc_resp *r, int timeout_ms)
{
	memset(r, 0, sizeof *r);
	struct sc_conn *c = sc_open(port, timeout_ms);
	if (c == NULL)
		return SC_ERROR;
	/* read even when the send failed: the server may have answered early
	 * (413, 400) and closed while the request was still going out */
	(void)sc_send(c, req, len);
	int rc = sc_recv(c, r, timeout_ms);
	sc_close(c);
	return rc;
}

char *sc_http_post(const char *path, const char *body, int http10, int conn_close,
		   const char *extra_headers, size_t *len)
{
	size_t bl = strlen(body);
	size_t cap = bl + strlen(path) + (extra_headers ? strlen(extra_headers) : 0) + 512;
	char *req = xmalloc(cap);
	int n = snprintf(req, cap,
			 "POST %s HTTP/1.%d\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=UTF-8\r\n"
			 "SOAPAction: \"\"\r\nContent-Length: %zu\r\n%s%s\r\n",
			 path, http10 ? 0 : 1, bl, conn_close ? "Connection: close\r\n" : "",
			 extra_headers ? extra_headers : "");
	memcpy(req + n, body, bl + 1);
	if (len)
		*len = (size_t)n + bl;
	return req;
}

int sc_post(int port, const char *body, struct sc_resp *r, int timeout_ms)
{
	size_t len;
	char *req = sc_http_post("/", body, 0, 1, NULL, &len);
	int rc = sc_exchange(port, req, len, r, timeout_ms);
	free(req);
	return rc;
}

int sc_get(int port, const char *path, struct sc_resp *r, int timeout_ms)
{
	char req[1024];
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n",
			 path, port);
	return sc_exchange(port, req, (size_t)n, r, timeout_ms);
}

/* ---- XML ----------------------------------------------------------------------- */

struct sc_xml {
	xmlDocPtr doc;
	xmlXPathContextPtr xp;
	char **strs; /* strings handed out by sc_xs */
	size_t nstrs;
};

static const char *const nsmap[][2] = {
	{ "env", "http://schemas.xmlsoap.org/soap/envelope/" },
	{ "env12", "http://www.w3.org/2003/05/soap-envelope" },
	{ "enc", "http://schemas.xmlsoap.org/soap/encoding/" },
	{ "xsi", "http://www.w3.org/2001/XMLSchema-instance" },
	{ "xsd", "http://www.w3.org/2001/XMLSchema" },
	{ "ngn", "urn:AGProjects:NGNPro" },
	{ "sip", "urn:AGProjects:NGNPro:Sip" },
	{ "wsdl", "http://schemas.xmlsoap.org/wsdl/" },
	{ "soap", "http://schemas.xmlsoap.org/wsdl/soap/" },
};

struct sc_xml *sc_xml_parse(const char *text, size_t len)
{
	if (text == NULL || len == 0)
		return NULL;
	/* no XML_PARSE_NOENT / DTDLOAD: entities stay references, no fetching */
	xmlDocPtr doc = xmlReadMemory(text, (int)len, "reply.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE);
	if (doc == NULL)
		return NULL;
	struct sc_xml *x = xmalloc(sizeof *x);
	memset(x, 0, sizeof *x);
	x->doc = doc;
	x->xp = xmlXPathNewContext(doc);
	for (size_t i = 0; i < sizeof nsmap / sizeof nsmap[0]; i++)
		xmlXPathRegisterNs(x->xp, BAD_CAST nsmap[i][0], BAD_CAST nsmap[i][1]);
	return x;
}

void sc_xml_free(struct sc_xml *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->nstrs; i++)
		free(x->strs[i]);
	free(x->strs);
	xmlXPathFreeContext(x->xp);
	xmlFreeDoc(x->doc);
	free(x);
}

__attribute__((format(printf, 2, 0)))
static xmlXPathObjectPtr eval(struct sc_xml *x, const char *fmt, va_list ap)
{
	char expr[2048];
	vsnprintf(expr, sizeof expr, fmt, ap);
	return xmlXPathEvalExpression(BAD_CAST expr, x->xp);
}

static int count_of(xmlXPathObjectPtr o)
{
	if (o == NULL)
		return -1;
	if (o->type != XPATH_NODESET)
		return -1;
	return o->nodesetval ? o->nodesetval->nodeNr : 0;
}

const char *sc_xs(struct sc_xml *x, const char *fmt, ...)
{
	if (x == NULL)
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	xmlXPathObjectPtr o = eval(x, fmt, ap);
	va_end(ap);
	if (o == NULL)
		return NULL;
	if (o->type == XPATH_NODESET && count_of(o) <= 0) {
		xmlXPathFreeObject(o);
		return NULL;
	}
	xmlChar *s = xmlXPathCastToString(o);
	xmlXPathFreeObject(o);
	char *copy = xstrndup((const char *)s, strlen((const char *)s));
	xmlFree(s);
	char **ns = realloc(x->strs, (x->nstrs + 1) * sizeof *ns);
	if (ns == NULL)
		abort();
	x->strs = ns;
	x->strs[x->nstrs++] = copy;
	return copy;
}

long sc_xi(struct sc_xml *x, long dflt, const char *fmt, ...)
{
	if (x == NULL)
		return dflt;
	va_list ap;
	va_start(ap, fmt);
	xmlXPathObjectPtr o = eval(x, fmt, ap);
	va_end(ap);
	if (o == NULL || (o->type == XPATH_NODESET && count_of(o) <= 0)) {
		xmlXPathFreeObject(o);
		return dflt;
	}
	xmlChar *s = xmlXPathCastToString(o);
	xmlXPathFreeObject(o);
	char *end;
	const char *p = (const char *)s;
	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	errno = 0;
	long v = strtol(p, &end, 10);
	int ok = end != p && errno == 0;
	while (ok && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
		end++;
	ok = ok && *end == '\0';
	xmlFree(s);
	return ok ? v : dflt;
}

int sc_xn(struct sc_xml *x, const char *fmt, ...)
{
	if (x == NULL)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	xmlXPathObjectPtr o = eval(x, fmt, ap);
	va_end(ap);
	int n = count_of(o);
	xmlXPathFreeObject(o);
	return n;
}

int sc_fault_code(struct sc_xml *x)
{
	if (x == NULL)
		return -2;
	if (sc_xn(x, "/env:Envelope/env:Body/env:Fault | /env12:Envelope/env12:Body/env12:Fault") <= 0)
		return 0;
	return (int)sc_xi(x, -1, "(/*/*[local-name()='Body']/*[local-name()='Fault']"
				 "//*[local-name()='detail' or local-name()='Detail']"
				 "/*[local-name()='exception']/*[local-name()='errorcode'])[1]");
}

/* ---- reply shape --------------------------------------------------------------- */

#define NS_ENV "http://schemas.xmlsoap.org/soap/envelope/"
#define NS_ENC "http://schemas.xmlsoap.org/soap/encoding/"
#define NS_XSI "http://www.w3.org/2001/XMLSchema-instance"

static int is_el(xmlNodePtr n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && (name == NULL || xmlStrEqual(n->name, BAD_CAST name))
	       && n->ns && xmlStrEqual(n->ns->href, BAD_CAST ns);
}

static int n_children(xmlNodePtr n)
{
	int c = 0;
	for (xmlNodePtr k = n->children; k; k = k->next)
		c += k->type == XML_ELEMENT_NODE;
	return c;
}

static xmlNodePtr first_child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr k = n ? n->children : NULL; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && (name == NULL || xmlStrEqual(k->name, BAD_CAST name)))
			return k;
	return NULL;
}

/* the local part of n's xsi:type ("" if untyped); checks the prefix */
static int xsi_type(xmlDocPtr doc, xmlNodePtr n, char *local, size_t ll, int *prefix_ok)
{
	xmlChar *t = xmlGetNsProp(n, BAD_CAST "type", BAD_CAST NS_XSI);
	*prefix_ok = 1;
	local[0] = '\0';
	if (t == NULL)
		return 0;
	const char *colon = strchr((const char *)t, ':');
	if (colon) {
		char prefix[128];
		snprintf(prefix, sizeof prefix, "%.*s", (int)(colon - (const char *)t), (const char *)t);
		*prefix_ok = xmlSearchNs(doc, n, BAD_CAST prefix) != NULL;
	}
	snprintf(local, ll, "%s", colon ? colon + 1 : (const char *)t);
	xmlFree(t);
	return 1;
}

static const char *const LIST_MEMBERS[] = { "groups", "acl", "properties", "accounts", "domains", "aliases", "entries" };

static int walk_result(xmlDocPtr doc, xmlNodePtr n, const char *path, char *why, size_t wl)
{
	char here[512];
	snprintf(here, sizeof here, "%s/%s", path, (const char *)n->name);
	char type[128];
	int prefix_ok;
	int typed = xsi_type(doc, n, type, sizeof type, &prefix_ok);
	if (typed && !prefix_ok) {
		snprintf(why, wl, "%s: xsi:type prefix not declared", here);
		return 0;
	}
	if (xmlHasNsProp(n, BAD_CAST "nil", BAD_CAST NS_XSI)) {
		snprintf(why, wl, "%s: xsi:nil (decodes as '' and comes back as a string)", here);
		return 0;
	}
	if (xmlHasProp(n, BAD_CAST "href")) {
		snprintf(why, wl, "%s: href multi-reference", here);
		return 0;
	}
	int kids = n_children(n);
	int is_array = xmlHasNsProp(n, BAD_CAST "arrayType", BAD_CAST NS_ENC) != NULL || strcmp(type, "Array") == 0;
	if (kids == 0 && !typed && !is_array) {
		snprintf(why, wl, "%s: value without xsi:type (PEAR/PHP decode it as a string)", here);
		return 0;
	}
	int listy = first_child(n, "item") != NULL;
	for (size_t i = 0; i < sizeof LIST_MEMBERS / sizeof LIST_MEMBERS[0]; i++)
		listy |= xmlStrEqual(n->name, BAD_CAST LIST_MEMBERS[i]);
	if (listy && !is_array) {
		snprintf(why, wl, "%s: list without SOAP-ENC array type (decodes as an object or '')", here);
		return 0;
	}
	for (xmlNodePtr k = n->children; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && !walk_result(doc, k, here, why, wl))
			return 0;
	return 1;
}

int sc_reply_shape(struct sc_xml *x, char *why, size_t wl)
{
	if (x == NULL) {
		snprintf(why, wl, "not XML");
		return 0;
	}
	xmlNodePtr env = xmlDocGetRootElement(x->doc);
	if (!is_el(env, NS_ENV, "Envelope")) {
		snprintf(why, wl, "root is not a SOAP 1.1 Envelope");
		return 0;
	}
	xmlNodePtr hdr = NULL, body = NULL;
	for (xmlNodePtr k = env->children; k; k = k->next) {
		if (is_el(k, NS_ENV, "Header"))
			hdr = k;
		else if (is_el(k, NS_ENV, "Body"))
			body = k;
	}
	if (hdr) {
		snprintf(why, wl, "the reply carries a SOAP Header");
		return 0;
	}
	if (body == NULL || n_children(body) != 1) {
		snprintf(why, wl, "Body must hold exactly one element (has %d)", body ? n_children(body) : -1);
		return 0;
	}
	xmlNodePtr top = first_child(body, NULL);
	char type[128];
	int pok;
	if (is_el(top, NS_ENV, "Fault")) {
		xmlNodePtr fc = first_child(top, "faultcode"), fs = first_child(top, "faultstring");
		xmlNodePtr detail = first_child(top, "detail");
		xmlNodePtr ex = first_child(detail, "exception");
		xmlChar *code = fc ? xmlNodeGetContent(fc) : NULL;
		int ok = 0;
		if (code == NULL)
			snprintf(why, wl, "Fault without faultcode");
		else if (!xmlStrEqual(code, BAD_CAST "SOAP-ENV:Client") && !xmlStrEqual(code, BAD_CAST "SOAP-ENV:Server"))
			snprintf(why, wl, "faultcode '%s' is neither SOAP-ENV:Client nor SOAP-ENV:Server", (const char *)code);
		else if (fs == NULL || n_children(fs) || !xsi_type(x->doc, fs, type, sizeof type, &pok) || !pok)
			snprintf(why, wl, "faultstring missing or untyped");
		else if (first_child(top, "faultactor"))
			snprintf(why, wl, "faultactor present (PEAR glues it onto the message)");
		else if (ex == NULL)
			snprintf(why, wl, "no detail/exception");
		else {
			xmlNodePtr ec = first_child(ex, "errorcode"), es = first_child(ex, "errorstring");
			xmlChar *estr = es ? xmlNodeGetContent(es) : NULL;
			if (ec == NULL || !xsi_type(x->doc, ec, type, sizeof type, &pok) || strcmp(type, "int") || !pok)
				snprintf(why, wl, "errorcode missing or not xsd:int");
			else if (estr == NULL || !*estr || !xsi_type(x->doc, es, type, sizeof type, &pok)
				 || strcmp(type, "string") || !pok)
				snprintf(why, wl, "errorstring missing, empty or not xsd:string");
			else
				ok = 1;
			xmlFree(estr);
		}
		xmlFree(code);
		return ok;
	}
	size_t nl = strlen((const char *)top->name);
	if (nl < 8 || strcmp((const char *)top->name + nl - 8, "Response") != 0) {
		snprintf(why, wl, "Body child <%s> is not a ...Response", (const char *)top->name);
		return 0;
	}
	if (n_children(top) != 1) {
		snprintf(why, wl, "<%s> has %d children: PEAR then returns an array, not the result", (const char *)top->name,
			 n_children(top));
		return 0;
	}
	return walk_result(x->doc, first_child(top, NULL), (const char *)top->name, why, wl);
}

/* ---- envelopes ------------------------------------------------------------------ */

static char *xml_escape(const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p; p++)
		n += (*p == '<' || *p == '>' || *p == '&' || *p == '"') ? 6 : 1;
	char *o = xmalloc(n + 1), *q = o;
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '<': q += sprintf(q, "&lt;"); break;
		case '>': q += sprintf(q, "&gt;"); break;
		case '&': q += sprintf(q, "&amp;"); break;
		case '"': q += sprintf(q, "&quot;"); break;
		default: *q++ = *p;
		}
	}
	*q = '\0';
	return o;
}

char *sc_envelope(const char *ns, const char *method, const char *params, enum sc_auth auth,
		  const char *user, const char *password)
{
	if (ns == NULL)
		ns = SC_NS_SIP;
	if (user == NULL)
		user = sc_env("NGN_TEST_LOGIN");
	if (password == NULL)
		password = sc_env("NGN_TEST_PASSWORD");
	char *u = xml_escape(user), *p = xml_escape(password);
	char login[2048];
	snprintf(login, sizeof login,
		 "\r\n<username xsi:type=\"xsd:string\">%s</username>\r\n"
		 "<password xsi:type=\"xsd:string\">%s</password>\r\n"
		 "<admin xsi:type=\"xsd:boolean\">true</admin>",
		 u, p);
	free(u);
	free(p);
	char header[2600];
	switch (auth) {
	case SC_AUTH_NONE:
		header[0] = '\0';
		break;
	case SC_AUTH_PLAIN:
		snprintf(header, sizeof header, "<SOAP-ENV:Header>\r\n<auth>%s</auth>\r\n</SOAP-ENV:Header>\r\n", login);
		break;
	case SC_AUTH_QUALIFIED:
		snprintf(header, sizeof header,
			 "<SOAP-ENV:Header><ngn:auth xsi:type=\"ngn:Login\">%s</ngn:auth></SOAP-ENV:Header>\r\n", login);
		break;
	case SC_AUTH_LEGACY:
		snprintf(header, sizeof header,
			 "<SOAP-ENV:Header>\r\n<auth SOAP-ENV:actor=\"0\" SOAP-ENV:mustUnderstand=\"0\">%s</auth>\r\n"
			 "</SOAP-ENV:Header>\r\n",
			 login);
		break;
	}
	static const char fmt[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
		"<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\""
		" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
		" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
		" xmlns:SOAP-ENC=\"http://schemas.xmlsoap.org/soap/encoding/\""
		" xmlns:ngn=\"urn:AGProjects:NGNPro\" xmlns:m=\"%s\""
		" SOAP-ENV:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">\r\n"
		"%s<SOAP-ENV:Body>\r\n<m:%s>%s</m:%s>\r\n</SOAP-ENV:Body>\r\n</SOAP-ENV:Envelope>\r\n";
	size_t cap = sizeof fmt + strlen(ns) + strlen(header) + 2 * strlen(method) + strlen(params) + 16;
	char *env = xmalloc(cap);
	snprintf(env, cap, fmt, ns, header, method, params, method);
	return env;
}

int sc_call(const char *method, const char *params, struct sc_resp *r, struct sc_xml **x)
{
	char *env = sc_envelope(NULL, method, params, SC_AUTH_PLAIN, NULL, NULL);
	int rc = sc_post(sc_port(), env, r, 30000);
	free(env);
	struct sc_xml *doc = rc == SC_OK ? sc_xml_parse(r->body, r->body_len) : NULL;
	int code = doc ? sc_fault_code(doc) : -3;
	if (x)
		*x = doc;
	else
		sc_xml_free(doc);
	return code;
}

int sc_callf(const char *method, const char *fmt, ...)
{
	char params[16384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(params, sizeof params, fmt, ap);
	va_end(ap);
	struct sc_resp r;
	int code = sc_call(method, params, &r, NULL);
	sc_resp_free(&r);
	return code;
}

/* ---- wire fixtures ------------------------------------------------------------ */

const char *sc_fixture_dir(void)
{
	/* the verbatim copy in the repository, else the shared folder beside it */
	static char dir[1024];
	const char *src = getenv("NGN_SRCDIR");
	if (src == NULL)
		return NULL;
	snprintf(dir, sizeof dir, "%s/tests/fixtures/ngnpro-wire/requests", src);
	if (access(dir, R_OK) == 0)
		return dir;
	snprintf(dir, sizeof dir, "%s/../shared/ngnpro-wire/requests", src);
	if (access(dir, R_OK) != 0)
		return NULL;
	return dir;
}

/* Replaces the text content of the first <tag ...>...</tag> found in
 * [from, to) of *buf. Returns the new buffer (the old one is freed) or NULL. */
static char *replace_content(char *buf, size_t *len, size_t from, size_t *to, const char *tag,
			     const char *value)
{
	char open[64], close_[64];
	snprintf(open, sizeof open, "<%s", tag);
	snprintf(close_, sizeof close_, "</%s>", tag);
	char *s = memmem(buf + from, *to - from, open, strlen(open));
	if (s == NULL)
		return NULL;
	char *gt = memchr(s, '>', (size_t)(buf + *to - s));
	char *e = gt ? memmem(gt, (size_t)(buf + *to - gt), close_, strlen(close_)) : NULL;
	if (e == NULL)
		return NULL;
	char *v = xml_escape(value);
	size_t vl = strlen(v), head = (size_t)(gt + 1 - buf), tail = *len - (size_t)(e - buf);
	char *nb = xmalloc(head + vl + tail + 1);
	memcpy(nb, buf, head);
	memcpy(nb + head, v, vl);
	memcpy(nb + head + vl, e, tail);
	nb[head + vl + tail] = '\0';
	long delta = (long)vl - (long)(e - (gt + 1));
	*len = head + vl + tail;
	*to = (size_t)((long)*to + delta);
	free(v);
	free(buf);
	return nb;
}

char *sc_fixture_load(const char *name, const char *user, const char *password, size_t *len)
{
	const char *dir = sc_fixture_dir();
	if (dir == NULL)
		return NULL;
	char path[2048];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = xmalloc(cap);
	size_t got;
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n < 1024) {
			cap *= 2;
			char *nb = realloc(buf, cap);
			if (nb == NULL)
				abort();
			buf = nb;
		}
	}
	fclose(f);
	buf[n] = '\0';
	if (user == NULL)
		user = sc_env("NGN_TEST_LOGIN");
	if (password == NULL)
		password = sc_env("NGN_TEST_PASSWORD");
	/* the auth header's extent: from "<auth" to "</auth>" */
	char *a = strstr(buf, "<auth");
	char *ae = a ? strstr(a, "</auth>") : NULL;
	if (ae == NULL) {
		free(buf);
		return NULL;
	}
	size_t from = (size_t)(a - buf), to = (size_t)(ae - buf);
	buf = replace_content(buf, &n, from, &to, "username", user);
	if (buf)
		buf = replace_content(buf, &n, from, &to, "password", password);
	if (buf == NULL)
		return NULL;
	/* Content-Length := bytes after the blank line */
	char *blank = strstr(buf, "\r\n\r\n");
	char *cl = strcasestr(buf, "\r\nContent-Length:");
	if (blank == NULL || cl == NULL || cl > blank) {
		free(buf);
		return NULL;
	}
	size_t body = n - (size_t)(blank + 4 - buf);
	char *eol = strstr(cl + 2, "\r\n");
	char num[64];
	int nl = snprintf(num, sizeof num, "\r\nContent-Length: %zu", body);
	size_t head = (size_t)(cl - buf), tail = n - (size_t)(eol - buf);
	char *out = xmalloc(head + (size_t)nl + tail + 1);
	memcpy(out, buf, head);
	memcpy(out + head, num, (size_t)nl);
	memcpy(out + head + nl, eol, tail + 1);
	free(buf);
	*len = head + (size_t)nl + tail;
	return out;
}
