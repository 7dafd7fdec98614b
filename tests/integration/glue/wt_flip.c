/* wt_flip.c: is a policy change in the proxy when its SOAP reply arrives?
 * (test and measuring tool of write-through, run by check_glue_wt.sh).
 *
 *   wt_flip RPC_PORT DOMAIN USER FLIPS
 *
 * Against the live ngnprod of tests/lib/with-server.sh (NGN_TEST_PORT, its
 * in-process proxy-glue pointed at the Kamailio whose JSON-RPC listens on
 * RPC_PORT): creates DOMAIN and USER, then FLIPS times alternately
 * addToGroup / removeFromGroup `blocked` over one keep-alive connection, and
 * right after each reply asks the proxy (htable.get acct USER@DOMAIN, one
 * round trip of a keep-alive connection: sooner than any REGISTER could
 * arrive) whether it already holds the new state. Prints the count of stale
 * answers and the calls' latency p50/p99/max; exits 1 when any answer was
 * stale or a call failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gluetest.h"
#include "soapclient.h"

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* one call over c (reopened when the server closed it); the fault code as
 * sc_fault_code, -3 when no reply came; *ms the round trip */
static int call(struct sc_conn **c, int port, const char *method, const char *params, double *ms)
{
	char *env = sc_envelope(NULL, method, params, SC_AUTH_PLAIN, NULL, NULL);
	size_t len;
	char *req = sc_http_post("/", env, 0, 0, NULL, &len);
	free(env);
	int code = -3;
	for (int attempt = 0; attempt < 2 && code == -3; attempt++) {
		if (*c == NULL && (*c = sc_open(port, 5000)) == NULL)
			break;
		double t0 = clock_mono_sec();
		struct sc_resp r;
		memset(&r, 0, sizeof r);
		if (sc_send(*c, req, len) == 0 && sc_recv(*c, &r, 30000) == SC_OK) {
			*ms = (clock_mono_sec() - t0) * 1000.0;
			struct sc_xml *x = sc_xml_parse(r.body, r.body_len);
			code = x ? sc_fault_code(x) : -3;
			sc_xml_free(x);
			if (r.conn_close) {
				sc_close(*c);
				*c = NULL;
			}
		} else {
			sc_close(*c);
			*c = NULL;
		}
		sc_resp_free(&r);
	}
	free(req);
	return code;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: wt_flip RPC_PORT DOMAIN USER FLIPS\n");
		return 2;
	}
	int rpc = atoi(argv[1]), flips = atoi(argv[4]);
	const char *dom = argv[2], *user = argv[3];
	int port = atoi(getenv("NGN_TEST_PORT") ? getenv("NGN_TEST_PORT") : "0");
	if (!port || !rpc || flips <= 0) {
		fprintf(stderr, "wt_flip: run under tests/lib/with-server.sh, with a proxy\n");
		return 2;
	}
	struct sc_conn *c = NULL;
	char p[2048], key[256];
	double ms = 0;
	snprintf(p, sizeof p, "<domain xsi:type=\"ngn:SipDomain\"><domain xsi:type=\"xsd:string\">%s</domain>"
		 "</domain>", dom);
	call(&c, port, "addDomain", p, &ms); /* may exist from an earlier run */
	snprintf(p, sizeof p, "<account xsi:type=\"ngn:SipAccount\"><id><username xsi:type=\"xsd:string\">%s"
		 "</username><domain xsi:type=\"xsd:string\">%s</domain></id><password xsi:type=\"xsd:string\">"
		 "pw-%s</password><firstName xsi:type=\"xsd:string\">W</firstName><lastName"
		 " xsi:type=\"xsd:string\">T</lastName><email xsi:type=\"xsd:string\">%s@%s</email><quota"
		 " xsi:type=\"xsd:int\">0</quota></account>", user, dom, user, user, dom);
	int code = call(&c, port, "addAccount", p, &ms);
	if (code != 0) {
		fprintf(stderr, "wt_flip: addAccount %s@%s: fault %d\n", user, dom, code);
		return 1;
	}
	snprintf(key, sizeof key, "%s@%s", user, dom);
	struct rpcc *rc = rpcc_new(rpc);
	double *lat = calloc((size_t)flips, sizeof *lat);
	int stale = 0, failed = 0;
	for (int i = 0; i < flips; i++) {
		int block = (i & 1) == 0;
		snprintf(p, sizeof p, "<sipId xsi:type=\"ngn:SipId\"><username xsi:type=\"xsd:string\">%s"
			 "</username><domain xsi:type=\"xsd:string\">%s</domain></sipId><group"
			 " xsi:type=\"xsd:string\">blocked</group>", user, dom);
		code = call(&c, port, block ? "addToGroup" : "removeFromGroup", p, &lat[i]);
		if (code != 0) {
			if (failed++ < 5)
				fprintf(stderr, "wt_flip: flip %d: fault %d\n", i, code);
			continue;
		}
		int have = rpcc_get(rc, "acct", key);
		if (have != (block ? 1 /* blocked */ : -1) && stale++ < 10)
			fprintf(stderr, "wt_flip: flip %d (%s): the proxy still has %d right after the reply\n", i,
				block ? "block" : "unblock", have);
	}
	qsort(lat, (size_t)flips, sizeof *lat, cmp);
	printf("write-through: %d flips, %d seen stale right after the reply, %d failed;"
	       " call latency p50 %.3f ms, p99 %.3f ms, max %.3f ms\n", flips, stale, failed,
	       lat[flips / 2], lat[flips * 99 / 100], lat[flips - 1]);
	free(lat);
	rpcc_free(rc);
	if (c)
		sc_close(c);
	return stale || failed ? 1 : 0;
}
