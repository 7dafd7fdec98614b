/* inproc.h: Sip-port requests served in process (edge_serve) against
 * the private test MariaDB, with the reply parsed by libxml2 for XPath
 * checks. For integration suites run under tests/lib/with-mariadb.sh.
 *
 * Every call also checks that the reply does not echo the request's auth
 * header (its login name and password must never come back). */
#ifndef NGN_TEST_INPROC_H
#define NGN_TEST_INPROC_H
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include "core/cfg.h"
#include "soap/ctx.h"

/* The login every call sends; the reply must contain neither string. */
#define INPROC_LOGIN "soapadmin"
#define INPROC_PASSWORD "auth-Secret-7f3a"

struct inproc {
	struct db *db;
	struct cfg cfg;
	struct req_ctx ctx;
	struct soap *soap;
	int nudges;              /* req_policy_changed calls */
	int status;              /* HTTP status of the last reply */
	char *reply;
	xmlDocPtr doc;
	xmlXPathContextPtr xp;
	char sbuf[4][8192];
	int sidx;
};

/* Opens the test database (its core tables emptied), a default configuration and a gSOAP
 * context whose handlers see t->ctx (admin scope). Aborts the test on error. */
void inproc_open(struct inproc *t);
void inproc_close(struct inproc *t);

/* Serves an envelope carrying the standard auth header and body (the
 * content of SOAP-ENV:Body; prefixes ns4 = types, ns5 = Sip, SOAP-ENC,
 * xsi, xsd are declared). Returns the HTTP status. */
int inproc_call(struct inproc *t, const char *body);
/* Serves a complete envelope as given. */
int inproc_call_envelope(struct inproc *t, const char *envelope);
/* Serves a captured client request, tests/fixtures/ngnpro-wire/requests/<name>.http
 * (its HTTP head is stripped). */
int inproc_fixture(struct inproc *t, const char *name);

/* XPath 1.0 on the last reply. Prefixes: SOAP-ENV, SOAP-ENC, xsi, xsd,
 * sip (urn:AGProjects:NGNPro:Sip), ngn (urn:AGProjects:NGNPro). inproc_str
 * returns string(expr) (valid for the next 3 inproc_str calls). */
const char *inproc_str(struct inproc *t, const char *expr);
double inproc_num(struct inproc *t, const char *expr);
/* detail/exception/errorcode of a fault reply, 0 if the reply is no fault. */
int inproc_fault_code(struct inproc *t);
/* A checksum of every table an operation may write (equal before and after:
 * nothing changed). */
unsigned long long inproc_fingerprint(struct inproc *t);

#endif
