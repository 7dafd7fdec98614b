/* soapclient.h: a small HTTP + SOAP client for the tests that drive a live
 * ngnprod (tests/http, tests/replay).
 *
 * It speaks raw HTTP over a plain blocking socket to 127.0.0.1 so a test can
 * send exactly the bytes it wants (hostile input, fixtures byte for byte,
 * pipelining) and see exactly what came back (status, headers, whether the
 * body was chunked or delimited by Content-Length or by the close). Replies
 * are parsed with libxml2 (never loading a DTD or anything from the network)
 * and queried with namespace-aware XPath. Envelopes are built the way real
 * NGNPro clients build them.
 *
 * Every call has a deadline; nothing here can hang a test. Test code only:
 * on out-of-memory it aborts. */
#ifndef NGN_SOAPCLIENT_H
#define NGN_SOAPCLIENT_H
#include <stddef.h>

/* ---- HTTP ------------------------------------------------------------------ */

/* Outcome of reading one response. */
enum sc_rc {
	SC_OK = 0,
	SC_TIMEOUT = -1, /* deadline passed, connection still open */
	SC_CLOSED = -2,  /* peer closed (FIN or RST) before any byte of a response */
	SC_PARTIAL = -3, /* peer closed in the middle of a response */
	SC_BADHTTP = -4, /* bytes arrived that are not an HTTP response */
	SC_ERROR = -5    /* connect/send failed */
};

/* One HTTP response. body is NUL-terminated (the NUL is not in body_len). */
struct sc_resp {
	int status;            /* e.g. 200; 0 until a status line was read */
	int http_minor;        /* 0 for an HTTP/1.0 status line, 1 for 1.1 */
	char *head;            /* status line and headers, CRLFs kept */
	char *body;
	size_t body_len;
	long content_length;   /* -1 when the header was absent */
	int chunked;           /* Transfer-Encoding: chunked was used */
	int until_eof;         /* body was delimited by the close */
	int conn_close;        /* Connection: close was sent */
	double seconds;        /* from sc_recv's start to the complete reply */
};

struct sc_conn;

/* Connects to 127.0.0.1:port within timeout_ms. NULL on failure (errno set). */
struct sc_conn *sc_open(int port, int timeout_ms);
/* Sends all bytes; 0 or SC_ERROR (peer gone, or 10 s without progress). */
int sc_send(struct sc_conn *c, const void *buf, size_t len);
/* Reads one response (skipping 1xx). Bytes after it stay buffered for the
 * next call, so pipelined replies can be read one by one. Returns enum sc_rc;
 * on SC_PARTIAL/SC_BADHTTP r->head/body hold what arrived. */
int sc_recv(struct sc_conn *c, struct sc_resp *r, int timeout_ms);
/* 1 if the peer closes (or resets) the connection within timeout_ms, with no
 * more data than *extra (may be NULL) counts; 0 if still open. */
int sc_wait_closed(struct sc_conn *c, int timeout_ms, size_t *extra);
int sc_fd(const struct sc_conn *c);
void sc_close(struct sc_conn *c);

/* One connection, one request, one response; then closes. */
int sc_exchange(int port, const void *req, size_t len, struct sc_resp *r, int timeout_ms);

/* Builds "POST path HTTP/1.x" with Host, Content-Type text/xml,
 * SOAPAction "", Content-Length and, when extra_headers is not NULL, those
 * lines (each ending in \r\n). conn_close adds Connection: close. Returns a
 * malloc'd request; *len gets its length. */
char *sc_http_post(const char *path, const char *body, int http10, int conn_close,
		   const char *extra_headers, size_t *len);

/* POST body to "/" (HTTP/1.1, Connection: close) and read the reply. */
int sc_post(int port, const char *body, struct sc_resp *r, int timeout_ms);
/* GET path (HTTP/1.1, Connection: close). */
int sc_get(int port, const char *path, struct sc_resp *r, int timeout_ms);

/* Copies the value of header `name` (case-insensitive) into out. 1 if found. */
int sc_header(const struct sc_resp *r, const char *name, char *out, size_t outlen);
void sc_resp_free(struct sc_resp *r);

/* ---- XML ---------------------------------------------------------------------- */

/* A parsed document. XPath prefixes available in queries: env (SOAP 1.1
 * envelope), env12 (SOAP 1.2), enc (SOAP-ENC), xsi, xsd, ngn
 * (urn:AGProjects:NGNPro), sip (urn:AGProjects:NGNPro:Sip), wsdl, soap
 * (WSDL SOAP binding). */
struct sc_xml;

/* Parses without DTD loading, entity substitution or network. NULL if the
 * text is not well-formed XML. */
struct sc_xml *sc_xml_parse(const char *text, size_t len);
void sc_xml_free(struct sc_xml *x);

/* string(xpath): the string value, or NULL when the expression selects no
 * node (or is invalid). The string lives until sc_xml_free. */
const char *sc_xs(struct sc_xml *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The value of sc_xs as a long; dflt when absent or not a number. */
long sc_xi(struct sc_xml *x, long dflt, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Number of nodes selected (-1 on an invalid expression). */
int sc_xn(struct sc_xml *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The detail/exception/errorcode of a SOAP fault in x; 0 when the Body holds
 * no Fault; -1 for a Fault without a numeric errorcode. NULL x gives -2. */
int sc_fault_code(struct sc_xml *x);

/* Checks a SOAP reply against what NGNPro clients need (contract §5, §6):
 * a SOAP 1.1 Envelope without Header and with exactly one Body child. For a
 * Fault: faultcode SOAP-ENV:Client or SOAP-ENV:Server, a typed non-empty
 * faultstring, no faultactor, detail/exception with errorcode (xsd:int) and a
 * non-empty errorstring (xsd:string). For a result: the response element has
 * exactly one child (the return part); every leaf element (but an empty SOAP-ENC array) has an xsi:type
 * whose prefix is declared; every array (an element with <item> children, or
 * a known list member: groups, acl, properties, accounts, domains, aliases,
 * entries) is SOAP-ENC typed (arrayType, or xsi:type ...:Array) even when
 * empty; no xsi:nil, no href multi-references. Returns 1 when it conforms,
 * else 0 with the first violation in why. */
int sc_reply_shape(struct sc_xml *x, char *why, size_t whylen);

/* ---- envelopes ------------------------------------------------------------------ */

/* How the auth header is written. */
enum sc_auth {
	SC_AUTH_NONE,      /* no Header at all */
	SC_AUTH_PLAIN,     /* <auth> without namespace, as CDRTool's PEAR client */
	SC_AUTH_QUALIFIED, /* <ngn:auth xsi:type="ngn:Login">, as PHP SoapClient */
	SC_AUTH_LEGACY     /* <auth SOAP-ENV:actor="0" SOAP-ENV:mustUnderstand="0"> */
};

#define SC_NS_SIP "urn:AGProjects:NGNPro:Sip"

/* A SOAP 1.1 rpc/encoded envelope calling `method` in namespace ns (NULL:
 * the Sip port). params are the method element's children, verbatim; they
 * may use the prefixes xsd, xsi, SOAP-ENC and ngn (urn:AGProjects:NGNPro).
 * user/password NULL: the test login from NGN_TEST_LOGIN/PASSWORD. Malloc'd. */
char *sc_envelope(const char *ns, const char *method, const char *params, enum sc_auth auth,
		  const char *user, const char *password);

/* Calls a Sip-port method with the test login (unqualified auth header) on
 * NGN_TEST_PORT. On return *x is the parsed reply (NULL if not XML; may be
 * NULL to skip) and the result is the fault code as sc_fault_code, or -3 if
 * no parseable reply arrived. */
int sc_call(const char *method, const char *params, struct sc_resp *r, struct sc_xml **x);
/* sc_call with printf-style params, discarding the reply: returns the code. */
int sc_callf(const char *method, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- wire fixtures ------------------------------------------------------------ */

/* The directory of the captured client requests:
 * $NGN_SRCDIR/../shared/ngnpro-wire/requests (the shared folder sits beside
 * the repository). NULL when it does not exist. */
const char *sc_fixture_dir(void);

/* Loads requests/<name> byte for byte, with the username and password inside
 * its <auth> header replaced by user/password (NULL: the test login) and
 * Content-Length fixed up to match; nothing else changes. Malloc'd; NULL if
 * the file is missing or has no auth header. */
char *sc_fixture_load(const char *name, const char *user, const char *password, size_t *len);

/* ---- environment ------------------------------------------------------------------ */

/* getenv or abort with a message naming the wrapper that sets it. */
const char *sc_env(const char *name);
/* NGN_TEST_PORT as an int. */
int sc_port(void);
/* Monotonic seconds. */
double sc_now(void);

#endif
