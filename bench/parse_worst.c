/* parse_worst.c: what the worst request bodies under max-body cost to parse
 * (issue 10 item 9), and what the input check costs a normal request.
 *
 * Builds bodies of at most 1 MB (the default max-body) that push a parser's
 * non-linear paths: many attributes per element (refused above 64 by a
 * linear pre-scan; the cap per element, repeated, is the worst accepted), many
 * namespace declarations in scope, deep nesting, max-array items,
 * character references, one long string. For each it reports the median
 * time of server/soap/xml_guard.c's check in this process and, with --port, the
 * median round trip of a running ngnprod (guard + gSOAP + the fault or the
 * operation) over Connection: close requests to 127.0.0.1 only.
 *
 *   make bench/parse_worst && ./bench/parse_worst [--port N] [--runs N]
 *   tests/lib/with-server.sh sh -c './bench/parse_worst --port $NGN_TEST_PORT'
 *
 * Timing targets live here, never in the tests: a worst body must cost a
 * worker no more than a few milliseconds. Bounded: --runs (default 20)
 * requests per body, 10 s per request. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "envelope.h"
#include "soap/xml_guard.h"

#define MAX_BODY (1 << 20)

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* A growing body: head, repeated unit until full, tail. */
struct buf {
	char *p;
	size_t n;
};

static void put(struct buf *b, const char *s)
{
	size_t l = strlen(s);
	if (b->n + l >= MAX_BODY + 4096) {
		fprintf(stderr, "body overflow\n");
		exit(1);
	}
	memcpy(b->p + b->n, s, l + 1);
	b->n += l;
}

static char HEAD[2048];
static const char HEAD_FMT[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<SOAP-ENV:Envelope "
	"xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\" "
	"xmlns:SOAP-ENC=\"http://schemas.xmlsoap.org/soap/encoding/\" "
	"xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	"xmlns:ns5=\"urn:AGProjects:NGNPro:Sip\"><SOAP-ENV:Header><auth><username>%s</username>"
	"<password>%s</password></auth></SOAP-ENV:Header><SOAP-ENV:Body><ns5:getDomains><query>";
static const char TAIL[] = "</query></ns5:getDomains></SOAP-ENV:Body></SOAP-ENV:Envelope>";

/* head + unit repeated while the body stays under MAX_BODY + tail */
static void fill(struct buf *b, const char *unit, const char *close_unit)
{
	size_t room = MAX_BODY - b->n - strlen(TAIL) - 1;
	size_t ul = strlen(unit) + (close_unit ? strlen(close_unit) : 0);
	while (room >= ul) {
		put(b, unit);
		if (close_unit)
			put(b, close_unit);
		room -= ul;
	}
}

static char *body_attrs(int nattr, int repeat_to_fill)
{
	struct buf b = { malloc(MAX_BODY + 8192), 0 };
	put(&b, HEAD);
	char *unit = malloc((size_t)nattr * 16 + 16), *p = unit;
	p += sprintf(p, "<x");
	for (int i = 0; i < nattr; i++)
		p += sprintf(p, " a%d=\"\"", i);
	strcpy(p, "/>");
	if (repeat_to_fill)
		fill(&b, unit, NULL);
	else
		put(&b, unit);
	free(unit);
	put(&b, TAIL);
	return b.p;
}

/* Two nested elements sharing the most namespace declarations allowed in
 * scope (the envelope's 5 included), then as many elements as fit using the
 * outermost prefix (looked up last). */
static char *body_namespaces(void)
{
	struct buf b = { malloc(MAX_BODY + 8192), 0 };
	put(&b, HEAD);
	char unit[4096];
	const int per = (XML_GUARD_MAX_NS - 8) / 2;
	for (int d = 0; d < 2; d++) {
		char *p = unit;
		p += sprintf(p, "<n%d", d);
		for (int i = 0; i < per; i++)
			p += sprintf(p, " xmlns:p%d_%d=\"u:%d\"", d, i, i);
		strcpy(p, ">");
		put(&b, unit);
	}
	char closes[1024], *c = closes;
	for (int d = 1; d >= 0; d--)
		c += sprintf(c, "</n%d>", d);
	size_t saved = strlen(closes) + strlen(TAIL);
	size_t room = MAX_BODY - b.n - saved - 16;
	/* in groups of 5000 (max-array counts children of any element) */
	for (int i = 0; room >= 20; i++) {
		if (i % 5000 == 0)
			put(&b, i ? "</g><g>" : "<g>");
		put(&b, "<p0_0:e/>\n");
		room -= i % 5000 == 0 ? 17 : 10;
	}
	put(&b, "</g>");
	put(&b, closes);
	put(&b, TAIL);
	return b.p;
}

static char *body_fill(const char *open, const char *unit, const char *close)
{
	struct buf b = { malloc(MAX_BODY + 8192), 0 };
	put(&b, HEAD);
	put(&b, open);
	size_t room = MAX_BODY - b.n - strlen(close) - strlen(TAIL) - 1;
	size_t ul = strlen(unit);
	while (room >= ul) {
		put(&b, unit);
		room -= ul;
	}
	put(&b, close);
	put(&b, TAIL);
	return b.p;
}

static char *body_deep(void)
{
	struct buf b = { malloc(MAX_BODY + 8192), 0 };
	put(&b, HEAD);
	/* groups of 25 nested elements (under max-depth 32), repeated */
	char unit[512], *p = unit;
	for (int i = 0; i < 25; i++)
		p += sprintf(p, "<d>");
	for (int i = 0; i < 25; i++)
		p += sprintf(p, "</d>");
	fill(&b, unit, NULL);
	put(&b, TAIL);
	return b.p;
}

static char *body_array(void)
{
	struct buf b = { malloc(MAX_BODY + 8192), 0 };
	put(&b, HEAD);
	put(&b, "<filter><groups SOAP-ENC:arrayType=\"xsd:string[10000]\">");
	for (int i = 0; i < 10000; i++) {
		char item[64];
		snprintf(item, sizeof item, "<item>group-%05d</item>", i);
		put(&b, item);
	}
	put(&b, "</groups></filter>");
	put(&b, TAIL);
	return b.p;
}

/* ---- live server ------------------------------------------------------------ */

static double post_once(int port, const char *body, size_t len, int *status)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	char head[256];
	int hl = snprintf(head, sizeof head,
			  "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nSOAPAction: \"\"\r\n"
			  "Connection: close\r\nContent-Length: %zu\r\n\r\n", len);
	double t0 = now();
	*status = 0;
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (send(fd, head, (size_t)hl, MSG_NOSIGNAL) != hl) {
		close(fd);
		return -1;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = send(fd, body + off, len - off, MSG_NOSIGNAL);
		if (w <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	char rb[8192];
	size_t got = 0;
	struct pollfd pfd = { fd, POLLIN, 0 };
	while (poll(&pfd, 1, 10000) > 0) {
		ssize_t r = read(fd, rb + (got < 64 ? got : 64), sizeof rb - 65);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	double dt = now() - t0;
	rb[got < 64 ? got : 64] = '\0';
	sscanf(rb, "HTTP/1.%*d %d", status);
	close(fd);
	return dt;
}

int main(int argc, char **argv)
{
	int port = 0, runs = 20;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
			port = atoi(argv[++i]);
		else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			runs = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--port N] [--runs N]\n", argv[0]);
			return 2;
		}
	}
	if (runs < 1 || runs > 1000)
		runs = 20;
	/* a valid login makes the server parse the body (a wrong one stops
	 * after the header): with-server.sh exports the test login */
	const char *login = getenv("NGN_TEST_LOGIN"), *password = getenv("NGN_TEST_PASSWORD");
	snprintf(HEAD, sizeof HEAD, HEAD_FMT, login ? login : "bench", password ? password : "bench");
	struct {
		const char *name;
		char *body;
	} cases[] = {
		{ "normal getAccount (CDRTool)", NULL },
		{ "50000 attributes on one element", body_attrs(50000, 0) },
		{ "max attributes per element, 1 MB", body_attrs(XML_GUARD_MAX_ATTRS, 1) },
		{ "max namespaces in scope, 1 MB", body_namespaces() },
		{ "25-deep nesting repeated, 1 MB", body_deep() },
		{ "10000 array items", body_array() },
		{ "character references, 1 MB", body_fill("<filter><domain>", "&#x41;&#66;", "</domain></filter>") },
		{ "comments, 1 MB", body_fill("<filter>", "<!-- c -->", "</filter>") },
		{ "one 1 MB string", body_fill("<filter><domain>", "aaaaaaaaaaaaaaaa", "</domain></filter>") },
	};
	char *normal = malloc(16384);
	struct wl_op op = { .kind = WL_GET_ACCOUNT, .id = 1 };
	snprintf(op.user, sizeof op.user, "alice");
	snprintf(op.domain, sizeof op.domain, "example.com");
	if (normal == NULL || envelope_build(normal, 16384, &op, "bench", "bench", "bench") < 0)
		return 1;
	cases[0].body = normal;
	const struct xml_guard_limits lim = { 10000, 32 };
	printf("%-36s %9s %10s %12s %8s\n", "body", "bytes", "guard_us", "server_ms", "status");
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		const char *body = cases[c].body;
		size_t len = strlen(body);
		double *t = malloc(sizeof *t * (size_t)runs);
		char msg[256];
		enum ngn_status st = NGN_OK;
		for (int r = 0; r < runs; r++) {
			double t0 = now();
			st = xml_guard_check(body, len, &lim, msg, sizeof msg);
			t[r] = now() - t0;
		}
		qsort(t, (size_t)runs, sizeof *t, cmp_double);
		double guard_us = t[runs / 2] * 1e6;
		double server_ms = -1;
		int status = 0;
		if (port > 0) {
			for (int r = 0; r < runs; r++)
				t[r] = post_once(port, body, len, &status);
			qsort(t, (size_t)runs, sizeof *t, cmp_double);
			server_ms = t[runs / 2] * 1e3;
		}
		printf("%-36s %9zu %10.1f %12.2f %8d  %s\n", cases[c].name, len, guard_us, server_ms, status,
		       st == NGN_OK ? "accepted by the guard" : msg);
		free(t);
	}
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
		free(cases[c].body);
	return 0;
}
