/* check_mutation.c: the mutation test of issue 10.
 *
 * Every case takes one real client request of the wire fixtures
 * (tests/fixtures/ngnpro-wire/requests, the login replaced by the test's),
 * applies one to three byte-level or structural mutations (mutate.c), sends
 * it to a live ngnprod that starts from a known state (state.c snapshots),
 * and checks, for every reply:
 *   - a complete HTTP reply, 200 or 500, whose body is well-formed XML
 *     (libxml2, no recovery) and whose status agrees with it being a Fault;
 *   - no sanitizer report in the server's log (the sanitizer build makes
 *     UBSan fatal with -fno-sanitize-recover=all; ASAN_OPTIONS/UBSAN_OPTIONS
 *     ask for halt_on_error=1 in case a caller's environment says otherwise);
 *   - the server still answers (GET /status) and is alive; if it died it is
 *     restarted so that the run counts every failure;
 *   - a 200 only for a body that is well-formed XML without a DOCTYPE, and
 *     then the stored state of every account, domain and alias the case
 *     could touch (plus the row counts) is what the body said, read by a
 *     strict XML parser (oracle.c); nothing else changed;
 *   - a fault (and any read) changed nothing.
 * The first round of cases walks every fixture with every mutation kind;
 * later cases draw them. The run is bounded by NGN_MUTATE_CASES (default
 * 4000) and NGN_MUTATE_SECONDS (default 45) and is deterministic for a seed
 * (NGN_MUTATE_SEED, default 20261204, printed): case N of a seed is always
 * the same request, NGN_MUTATE_CASE=N runs only that case and
 * NGN_MUTATE_FIRST=N starts the run there. On a failure
 * the seed, the case, the mutations, the body (escaped) and the reply are
 * printed, the run goes on, and the test fails at the end with a count and
 * the first example per class. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "liveserver.h"
#include "mutation.h"
#include "soapclient.h"

#define DOM "example.com"
#define ODOM "other.org"
#define SEPC '\x1e'

/* ---- fixtures and the states they start from ------------------------------------------- */

enum variant { VAR_BASE, VAR_DOMAIN, VAR_ALICE, VAR_FULL, VAR_CUST, VARIANTS, SNAP_EMPTY = 9 };

static const struct fixture {
	const char *file;
	enum variant v;
	int write;
	int fault; /* unmutated, the server refuses it (a capture of a client bug) */
} fixtures[] = {
	{ "addDomain.http", VAR_BASE, 1, 0 },
	{ "updateDomain.http", VAR_FULL, 1, 0 },
	{ "deleteDomain.http", VAR_DOMAIN, 1, 0 },
	{ "getDomains.http", VAR_FULL, 0, 0 },
	{ "addAccount.http", VAR_DOMAIN, 1, 0 },
	{ "addAccount_props.http", VAR_DOMAIN, 1, 0 },
	{ "getAccount.http", VAR_FULL, 0, 0 },
	{ "getAccounts.http", VAR_FULL, 0, 0 },
	{ "updateAccount_roundtrip.http", VAR_FULL, 1, 0 },
	{ "deleteAccount.http", VAR_FULL, 1, 0 },
	{ "addAlias.http", VAR_ALICE, 1, 0 },
	{ "getAliases.http", VAR_FULL, 0, 0 },
	{ "deleteAlias.http", VAR_FULL, 1, 0 },
	{ "addToGroup.http", VAR_FULL, 1, 0 },
	{ "auth_admin.http", VAR_FULL, 1, 0 },
	{ "auth_user.http", VAR_FULL, 1, 0 },
	{ "removeFromGroup.http", VAR_FULL, 1, 0 },
	{ "getGroups.http", VAR_FULL, 0, 0 },
	{ "legacy_php5_7_header_getGroups.http", VAR_FULL, 0, 0 },
	{ "addBalance.http", VAR_FULL, 1, 0 },
	{ "addBalanceFromVoucher.http", VAR_FULL, 1, 0 },
	{ "getPrepaidStatus.http", VAR_FULL, 0, 0 },
	{ "getCreditHistory.http", VAR_FULL, 0, 0 },
	/* the Customer port: customers 5 (acme) and 123 (big.reseller), as
	 * tests/integration/check_customer.c makes them for these captures */
	{ "Customer_addAccount.http", VAR_CUST, 1, 0 },
	{ "Customer_updateAccount.http", VAR_CUST, 1, 0 },
	{ "Customer_deleteAccount.http", VAR_CUST, 1, 0 },
	{ "Customer_setProperties.http", VAR_CUST, 1, 0 },
	{ "Customer_getAccount.http", VAR_CUST, 0, 0 },
	{ "Customer_getCustomers.http", VAR_CUST, 0, 0 },
	{ "Customer_getCustomers_byreseller.http", VAR_CUST, 0, 0 },
	{ "Customer_getResellers.http", VAR_CUST, 0, 0 },
	{ "Customer_getProperties.http", VAR_CUST, 0, 0 },
	/* an unqualified updateCustomer (the "undefined" of CDRTool's PEAR
	 * client): no port has it, a client fault (customer_live.srvtest) */
	{ "Customer_updateCustomer_undefined.http", VAR_CUST, 1, 1 },
};
#define NFIX ((int)(sizeof fixtures / sizeof fixtures[0]))

struct fixture_data {
	struct buf head; /* request line and headers without Content-Length, no blank line */
	struct buf body;
};
static struct fixture_data fx[NFIX];

static void load_fixtures(void)
{
	for (int i = 0; i < NFIX; i++) {
		size_t len;
		char *req = sc_fixture_load(fixtures[i].file, NULL, NULL, &len);
		ck_assert_msg(req != NULL, "fixture %s missing (in %s)", fixtures[i].file,
			      sc_fixture_dir() ? sc_fixture_dir() : "tests/fixtures/ngnpro-wire/requests: not found");
		char *blank = strstr(req, "\r\n\r\n");
		ck_assert_ptr_nonnull(blank);
		size_t hl = (size_t)(blank - req) + 2;
		buf_set(&fx[i].head, "", 0);
		/* every header line but Content-Length */
		for (size_t p = 0; p < hl;) {
			const char *e = strstr(req + p, "\r\n");
			size_t l = (size_t)(e - (req + p)) + 2;
			if (strncasecmp(req + p, "Content-Length:", 15) != 0)
				buf_add(&fx[i].head, req + p, l);
			p += l;
		}
		buf_set(&fx[i].body, blank + 4, len - (size_t)(blank + 4 - req));
		free(req);
	}
}

static char *build_request(const struct fixture_data *f, const struct buf *body, size_t *len)
{
	struct buf r = { 0 };
	buf_add(&r, f->head.p, f->head.n);
	buf_addf(&r, "Content-Length: %zu\r\n\r\n", body->n);
	buf_add(&r, body->p, body->n);
	*len = r.n;
	return r.p;
}

/* ---- the server under test --------------------------------------------------------------- */

static struct ls_server srv;
static long log_off;
static const char *login, *password;

static void start_server(void)
{
	/* the sanitizer build stops at the first report; say so explicitly */
	setenv("ASAN_OPTIONS", "halt_on_error=1:abort_on_error=0:detect_leaks=1", 0);
	setenv("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1", 0);
	ck_assert_msg(ls_start(&srv, NULL) == 0, "ngnprod did not start");
	log_off = 0;
}

/* new sanitizer output in the server's log since the last call (malloc'd), or NULL */
static char *log_news(void)
{
	FILE *f = fopen(srv.log, "r");
	if (f == NULL)
		return NULL;
	if (fseek(f, log_off, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	struct buf b = { 0 };
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	log_off += (long)b.n;
	char *hit = NULL;
	if (b.n) {
		static const char *const pats[] = { "ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:" };
		for (size_t i = 0; i < 3 && !hit; i++) {
			char *p = strstr(b.p, pats[i]);
			if (p) {
				/* the line before (UBSan puts file:line there) and what follows */
				char *s = p;
				while (s > b.p && s[-1] != '\n')
					s--;
				hit = xstrndup(s, strnlen(s, 3000));
			}
		}
	}
	buf_free(&b);
	return hit;
}

/* 1 when it answers; else 0 with *died set when the process is gone */
static int server_answers(int *died)
{
	*died = srv.pid <= 0 || ls_wait(&srv, 0) >= 0;
	if (*died)
		return 0;
	struct sc_resp r;
	int rc = sc_get(srv.port, "/status", &r, 10000);
	int ok = rc == SC_OK && r.status == 200;
	sc_resp_free(&r);
	return ok;
}

/* A call of the test's own on the server under test (ns NULL: the Sip
 * port); aborts unless it ends with fault `code` (0: success). */
static void vcall(const char *ns, const char *method, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static void vcall(const char *ns, const char *method, int code, const char *fmt, va_list ap)
{
	char params[8192];
	vsnprintf(params, sizeof params, fmt, ap);
	char *env = sc_envelope(ns, method, params, SC_AUTH_PLAIN, NULL, NULL);
	struct sc_resp r;
	int rc = sc_post(srv.port, env, &r, 30000);
	free(env);
	int wf, dt;
	char why[256];
	void *doc = rc == SC_OK ? oracle_parse(r.body, r.body_len, &wf, &dt, why, sizeof why) : NULL;
	int got = doc ? oracle_fault_code(doc) : -3;
	oracle_free_doc(doc);
	ck_assert_msg(got == code, "setup: %s gave %d, expected %d: %.600s", method, got, code, r.body ? r.body : "");
	sc_resp_free(&r);
}

static void call(const char *method, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void call(const char *method, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vcall(NULL, method, code, fmt, ap);
	va_end(ap);
}

static void ccall(const char *method, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void ccall(const char *method, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vcall(NS_CUSTOMER, method, code, fmt, ap);
	va_end(ap);
}

#define S(v) "<" #v " xsi:type=\"xsd:string\">%s</" #v ">"
#define ID(u, d) "<username xsi:type=\"xsd:string\">" u "</username><domain xsi:type=\"xsd:string\">" d "</domain>"
#define SIPID(u, d) "<sipId xsi:type=\"ngn:SipId\">" ID(u, d) "</sipId>"

/* The states the fixtures start from (built once through SOAP, then
 * snapshotted): other.org with carol (a bystander no fixture names), then
 * example.com, then alice (every member set to something no fixture sends)
 * and bob, then the alias al -> alice and prepaid card 42 (number 123456789,
 * worth 25, as tests/replay makes it). */
static void build_variants(void)
{
	snap_save(SNAP_EMPTY);
	call("addDomain", 0, "<domain xsi:type=\"ngn:SipDomain\"><domain>" ODOM "</domain></domain>");
	call("addAccount", 0,
	     "<account xsi:type=\"ngn:SipAccount\"><id>" ID("carol", ODOM) "</id><password>carol-pw</password>"
	     "<firstName>Carol</firstName><prepaid>true</prepaid>"
	     "<groups xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"xsd:string[1]\"><item>blocked</item></groups>"
	     "<properties xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"ngn:Property[1]\"><item><name>language</name>"
	     "<value>fr</value></item></properties></account>");
	call("addBalance", 0, SIPID("carol", ODOM) "<value>5</value><description>carol</description>");
	snap_save(VAR_BASE);
	call("addDomain", 0,
	     "<domain xsi:type=\"ngn:SipDomain\"><domain>" DOM "</domain><customer>1</customer><reseller>2</reseller>"
	     "<certificate>pre-cert</certificate><match_ip_address>10.1.1.1</match_ip_address>"
	     "<verify_cert>true</verify_cert></domain>");
	snap_save(VAR_DOMAIN);
	call("addAccount", 0,
	     "<account xsi:type=\"ngn:SipAccount\"><id>" ID("alice", DOM) "</id><password>pre-secret</password>"
	     "<firstName>Pre-first</firstName><lastName>Pre-last</lastName><email>pre@example.org</email>"
	     "<rpid>111</rpid><timezone>UTC</timezone><region>pre-region</region><quickdialPrefix>99</quickdialPrefix>"
	     "<owner>7</owner><quota>9</quota><callLimit>3</callLimit><timeout>30</timeout><prepaid>true</prepaid>"
	     "<groups xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"xsd:string[2]\"><item>quota</item>"
	     "<item>anonymous</item></groups>"
	     "<properties xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"ngn:Property[2]\">"
	     "<item><name>language</name><value>nl</value></item><item><name>pre</name><value>1</value></item>"
	     "</properties><acl xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"ngn:AccessListEntry[1]\">"
	     "<item><ip>192.168.0.0</ip><mask>16</mask><tag>pre</tag></item></acl></account>");
	call("addBalance", 0, SIPID("alice", DOM) "<value>10</value><description>pre top up</description>");
	call("addAccount", 0,
	     "<account xsi:type=\"ngn:SipAccount\"><id>" ID("bob", DOM) "</id><password>bob-pw</password>"
	     "<firstName>Bob</firstName><prepaid>false</prepaid></account>");
	snap_save(VAR_ALICE);
	call("addAlias", 0,
	     "<alias xsi:type=\"ngn:SipAlias\"><id>" ID("al", DOM) "</id><target>" ID("alice", DOM) "</target></alias>");
	db_exec("INSERT INTO voucher_batch (name, value, disabled) VALUES ('mutation', 250000, 0)");
	db_exec("INSERT INTO voucher_card (id, batch_id, salt, number_hash) SELECT 42, MAX(id),"
		" '00112233445566778899aabbccddeeff', LOWER(SHA2(CONCAT(UNHEX('00112233445566778899aabbccddeeff'),"
		" '123456789'), 256)) FROM voucher_batch");
	snap_save(VAR_FULL);
	/* the ids the Customer captures use: customer 5 (acme, its own
	 * reseller) and reseller 123, each with a property */
	db_exec("ALTER TABLE customer AUTO_INCREMENT = 5");
	ccall("addAccount", 0,
	      "<account xsi:type=\"ngn:CustomerAccount\"><username>acme</username><password>first-pw</password>"
	      "<firstName>Pre-first</firstName><city>Pre-city</city></account>");
	db_exec("ALTER TABLE customer AUTO_INCREMENT = 123");
	ccall("addAccount", 0,
	      "<account xsi:type=\"ngn:CustomerAccount\"><username>big.reseller</username>"
	      "<password>reseller-pw</password></account>");
	ck_assert_int_eq(db_scalar("SELECT COUNT(*) FROM customer WHERE id IN (5, 123)"), 2);
	ccall("setProperties", 0,
	      "<customer>5</customer><properties xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"Struct[1]\">"
	      "<item><name>sip_accounts_last_quota</name><category>web</category><value>7</value>"
	      "<permission>customer</permission></item></properties>");
	ccall("setProperties", 0,
	      "<customer>123</customer><properties xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"Struct[1]\">"
	      "<item><name>pre</name><category>web</category><value>1</value>"
	      "<permission>reseller</permission></item></properties>");
	snap_save(VAR_CUST);
}

/* ---- what the stored state must be ------------------------------------------------------------ */

struct exf {
	const char *name;
	int any;
	int nalt;
	char *alt[3];
};
struct expect {
	int n;
	struct exf f[ST_MAXF];
};

static void exp_free(struct expect *e)
{
	for (int i = 0; i < e->n; i++)
		for (int k = 0; k < e->f[i].nalt; k++)
			free(e->f[i].alt[k]);
	e->n = 0;
}

static struct exf *exp_field(struct expect *e, const char *name)
{
	for (int i = 0; i < e->n; i++)
		if (strcmp(e->f[i].name, name) == 0)
			return &e->f[i];
	if (e->n >= ST_MAXF)
		abort();
	struct exf *f = &e->f[e->n++];
	memset(f, 0, sizeof *f);
	f->name = name;
	return f;
}

static void exp_set(struct expect *e, const char *name, const char *v)
{
	struct exf *f = exp_field(e, name);
	for (int k = 0; k < f->nalt; k++)
		free(f->alt[k]);
	f->any = 0;
	f->nalt = 1;
	f->alt[0] = xstrndup(v, strlen(v));
}

static void exp_also(struct expect *e, const char *name, const char *v)
{
	struct exf *f = exp_field(e, name);
	if (f->nalt < 3)
		f->alt[f->nalt++] = xstrndup(v, strlen(v));
}

static void exp_setll(struct expect *e, const char *name, long long v)
{
	char b[32];
	snprintf(b, sizeof b, "%lld", v);
	exp_set(e, name, b);
}

static void exp_any(struct expect *e, const char *name)
{
	exp_field(e, name)->any = 1;
}

static void exp_from(struct expect *e, const struct state *s)
{
	exp_free(e);
	for (int i = 0; i < s->n; i++)
		exp_set(e, s->name[i], s->v[i]);
}

static const char *exp_one(const struct expect *e, const char *name)
{
	for (int i = 0; i < e->n; i++)
		if (strcmp(e->f[i].name, name) == 0 && !e->f[i].any && e->f[i].nalt == 1)
			return e->f[i].alt[0];
	return NULL;
}

/* first difference between e and s into why; 0 when s satisfies e */
static int exp_check(const struct expect *e, const struct state *s, char *why, size_t wl)
{
	for (int i = 0; i < e->n; i++) {
		const struct exf *f = &e->f[i];
		if (f->any)
			continue;
		int idx = -1;
		for (int k = 0; k < s->n; k++)
			if (strcmp(s->name[k], f->name) == 0)
				idx = k;
		int ok = 0;
		for (int k = 0; k < f->nalt && idx >= 0; k++)
			ok |= strlen(f->alt[k]) == s->len[idx] && memcmp(f->alt[k], s->v[idx], s->len[idx]) == 0;
		if (!ok) {
			char *got = idx >= 0 ? esc(s->v[idx], s->len[idx], 200) : xstrndup("(none)", 6);
			char *want = esc(f->alt[0], strlen(f->alt[0]), 200);
			snprintf(why, wl, "%s is \"%s\", expected \"%s\"%s", f->name, got, want,
				 f->nalt > 1 ? " (or another honest reading)" : "");
			free(got);
			free(want);
			return 1;
		}
	}
	return 0;
}

/* ---- the entities a case watches ---------------------------------------------------------------- */

enum ekind { E_ACCOUNT, E_DOMAIN, E_ALIAS };
struct ent {
	enum ekind k;
	char *user, *domain; /* user NULL for a domain */
	struct state pre, post;
	struct expect ex;
};
struct world {
	struct ent e[40];
	int n;
	long long cpre[3], cpost[3];
	char *cust_pre, *cust_post; /* CHECKSUM TABLE of the Customer tables */
	char *rest_pre, *rest_post; /* ... and of all the others */
	char *ckeys_pre, *ckeys_post; /* state_cust_keys */
	long long card42_spent; /* before the request */
};

static void fold(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static int ent_find(struct world *w, enum ekind k, const char *user, const char *domain)
{
	for (int i = 0; i < w->n; i++)
		if (w->e[i].k == k && strcmp(w->e[i].domain, domain) == 0
		    && (k == E_DOMAIN || strcmp(w->e[i].user, user) == 0))
			return i;
	return -1;
}

static int ent_add(struct world *w, enum ekind k, const char *user, const char *domain)
{
	int i = ent_find(w, k, user, domain);
	if (i >= 0 || w->n >= 40)
		return i;
	struct ent *e = &w->e[w->n];
	memset(e, 0, sizeof *e);
	e->k = k;
	e->user = user ? xstrndup(user, strlen(user)) : NULL;
	e->domain = xstrndup(domain, strlen(domain));
	return w->n++;
}

static void world_free(struct world *w)
{
	for (int i = 0; i < w->n; i++) {
		free(w->e[i].user);
		free(w->e[i].domain);
		state_free(&w->e[i].pre);
		state_free(&w->e[i].post);
		exp_free(&w->e[i].ex);
	}
	w->n = 0;
	free(w->cust_pre);
	free(w->cust_post);
	free(w->rest_pre);
	free(w->rest_post);
	free(w->ckeys_pre);
	free(w->ckeys_post);
}

static void read_states(struct world *w, int post)
{
	for (int i = 0; i < w->n; i++) {
		struct ent *e = &w->e[i];
		struct state *s = post ? &e->post : &e->pre;
		state_free(s);
		if (e->k == E_ACCOUNT)
			state_account(e->user, e->domain, s);
		else if (e->k == E_DOMAIN)
			state_domain(e->domain, s);
		else
			state_alias(e->user, e->domain, s);
	}
	state_counts(post ? w->cpost : w->cpre);
	if (post) {
		state_sums(&w->cust_post, &w->rest_post);
		w->ckeys_post = state_cust_keys();
	} else {
		state_sums(&w->cust_pre, &w->rest_pre);
		w->ckeys_pre = state_cust_keys();
	}
}

/* a SipId value as lower-cased (user, domain); 0 when both are given */
static int sipid_key(const struct val *v, char **u, char **d)
{
	const struct val *uv = member(v, "SipId", "username"), *dv = member(v, "SipId", "domain");
	if (uv->k != V_STR || dv->k != V_STR || !*uv->s || !*dv->s)
		return -1;
	*u = xstrndup(uv->s, strlen(uv->s));
	*d = xstrndup(dv->s, strlen(dv->s));
	fold(*u);
	fold(*d);
	return 0;
}

static void watch_account(struct world *w, const char *u, const char *d)
{
	ent_add(w, E_ACCOUNT, u, d);
	ent_add(w, E_DOMAIN, NULL, d);
	ent_add(w, E_ALIAS, u, d);
}

/* the keys a reading names */
static void watch_reading(struct world *w, const struct reading *rd)
{
	if (rd->method == NULL)
		return;
	static const char *const sipid_params[] = { "sipId", "id" };
	char *u, *d;
	for (size_t i = 0; i < 2; i++)
		if (sipid_key(param(rd, sipid_params[i]), &u, &d) == 0) {
			watch_account(w, u, d);
			free(u);
			free(d);
		}
	const struct val *acct = param(rd, "account");
	if (sipid_key(member(acct, "SipAccount", "id"), &u, &d) == 0) {
		watch_account(w, u, d);
		free(u);
		free(d);
	}
	const struct val *al = param(rd, "alias");
	static const char *const alias_ids[] = { "id", "target" };
	for (size_t i = 0; i < 2; i++)
		if (sipid_key(member(al, "SipAlias", alias_ids[i]), &u, &d) == 0) {
			watch_account(w, u, d);
			free(u);
			free(d);
		}
	const struct val *dom = param(rd, "domain");
	const struct val *dn = dom->k == V_STRUCT ? member(dom, "SipDomain", "domain") : dom;
	if (dn->k == V_STR && *dn->s) {
		char *x = xstrndup(dn->s, strlen(dn->s));
		fold(x);
		ent_add(w, E_DOMAIN, NULL, x);
		free(x);
	}
}

/* the "table=sum" tokens of a state_sums string that differ in b: malloc'd */
static char *sums_diff(const char *a, const char *b)
{
	struct buf o = { 0 };
	buf_adds(&o, "");
	for (const char *p = b; *p;) {
		const char *e = strchr(p, ' ');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		char *tok = xstrndup(p, l);
		const char *hit = strstr(a, tok);
		if (hit == NULL || (hit != a && hit[-1] != ' ') || (hit[l] != ' ' && hit[l] != '\0'))
			buf_addf(&o, "%s%s", o.n ? ", " : "", tok);
		free(tok);
		p += l + (e ? 1 : 0);
	}
	return o.p;
}

/* the first 0x1E-separated token of a that b lacks (malloc'd), NULL if none */
static char *keys_lost(const char *a, const char *b)
{
	for (const char *p = a; *p;) {
		const char *e = strchr(p, SEPC);
		size_t l = e ? (size_t)(e - p) : strlen(p);
		int found = 0;
		for (const char *q = b; *q && !found;) {
			const char *f = strchr(q, SEPC);
			size_t m = f ? (size_t)(f - q) : strlen(q);
			found = m == l && memcmp(p, q, l) == 0;
			q += m + (f ? 1 : 0);
		}
		if (!found)
			return xstrndup(p, l);
		p += l + (e ? 1 : 0);
	}
	return NULL;
}

/* ---- expectations per method -------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sorted, de-duplicated, joined with 0x1E (as state.c reads sets) */
static char *join_set(char **v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_str);
	struct buf b = { 0 };
	buf_adds(&b, "");
	for (size_t i = 0; i < n; i++) {
		if (i && strcmp(v[i], v[i - 1]) == 0)
			continue;
		if (b.n)
			buf_add(&b, (char[]){ SEPC }, 1);
		buf_adds(&b, v[i]);
	}
	return b.p;
}

static char *md5_sql(const char *s)
{
	char *h = hexs(s, strlen(s));
	char *m = db_string("SELECT MD5(UNHEX('%s'))", h);
	free(h);
	return m;
}

static int is_hex32(const char *s)
{
	for (int i = 0; i < 32; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

struct verdict {
	int refuse;
	enum fclass cls;
	char why[400];
};

__attribute__((format(printf, 3, 4))) static int must_refuse(struct verdict *v, enum fclass cls, const char *fmt, ...)
{
	v->refuse = 1;
	v->cls = cls;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof v->why, fmt, ap);
	va_end(ap);
	return 1;
}

/* a set member (groups/properties/acl) from an array value; -1 with v set
 * when the body must be refused */
static int set_field(struct expect *ex, const char *field, const struct val *arr, int add, const char *kind,
		     struct verdict *vd)
{
	if (arr->k == V_ABSENT) {
		if (add)
			exp_any(ex, field);
		return 0;
	}
	char **items = xmalloc(sizeof *items * (arr->ni + 1));
	size_t n = 0;
	int rc = 0;
	for (size_t i = 0; i < arr->ni && rc == 0; i++) {
		const struct val *it = &arr->items[i];
		struct buf b = { 0 };
		if (strcmp(kind, "group") == 0) {
			if (it->k != V_STR || !*it->s)
				continue; /* [""] is how PHP says "none" */
			buf_adds(&b, it->s);
			fold(b.p);
		} else if (strcmp(kind, "property") == 0) {
			const struct val *nm = member(it, "Property", "name"), *vl = member(it, "Property", "value");
			if (it->k == V_ABSENT)
				continue;
			if (nm->k != V_STR || !*nm->s) {
				rc = must_refuse(vd, F_REFUSAL, "a property without a name");
				break;
			}
			for (size_t k = 0; k < n; k++)
				if (strncmp(items[k], nm->s, strlen(nm->s)) == 0 && items[k][strlen(nm->s)] == '=')
					rc = must_refuse(vd, F_REFUSAL, "property %s given twice", nm->s);
			buf_addf(&b, "%s=%s", nm->s, vl->k == V_STR ? vl->s : "");
		} else {
			const struct val *ip = member(it, "AccessListEntry", "ip"), *mask = member(it, "AccessListEntry", "mask"),
					 *tag = member(it, "AccessListEntry", "tag");
			if (it->k == V_ABSENT)
				continue;
			if (ip->k != V_STR) {
				rc = must_refuse(vd, F_REFUSAL, "an access list entry without ip");
				break;
			}
			buf_addf(&b, "%s/%lld/%s", ip->s, mask->k == V_INT ? mask->i : 0, tag->k == V_STR ? tag->s : "");
		}
		items[n++] = b.p ? b.p : xstrndup("", 0);
	}
	if (rc == 0) {
		char *j = join_set(items, n);
		exp_set(ex, field, j);
		free(j);
	}
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
	return rc;
}

static const struct {
	const char *member, *col;
	int fold;
} STR_COLS[] = {
	{ "firstName", "first_name", 0 }, { "lastName", "last_name", 0 }, { "email", "email", 1 },
	{ "rpid", "rpid", 0 },            { "timezone", "timezone", 0 },  { "region", "region", 0 },
	{ "quickdialPrefix", "quickdial_prefix", 0 },
};
static const struct {
	const char *member, *col;
} INT_COLS[] = { { "owner", "owner" }, { "quota", "quota" }, { "callLimit", "call_limit" }, { "timeout", "timeout" } };

/* add/updateAccount: the account's expectation from the body's members */
static int account_members(struct ent *e, const struct val *acct, int add, struct verdict *vd)
{
	struct expect *ex = &e->ex;
	if (add) {
		exp_free(ex);
		exp_set(ex, "exists", "1");
		static const char *const all[] = { "password", "ha1", "ha1b", "first_name", "last_name", "email", "rpid",
						   "timezone", "owner", "prepaid", "quota", "call_limit", "region", "timeout",
						   "quickdial_prefix", "properties", "acl", "balance", "hist_count",
						   "hist_last", "vouchers", "groups" };
		for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
			exp_any(ex, all[i]);
	}
	for (size_t i = 0; i < sizeof STR_COLS / sizeof STR_COLS[0]; i++) {
		const struct val *v = member(acct, "SipAccount", STR_COLS[i].member);
		if (v->k != V_STR)
			continue;
		char *s = xstrndup(v->s, strlen(v->s));
		if (STR_COLS[i].fold)
			fold(s);
		const char *pre = state_get(&e->pre, STR_COLS[i].col);
		exp_set(ex, STR_COLS[i].col, s);
		if (v->maybe_absent && !add && pre)
			exp_also(ex, STR_COLS[i].col, pre);
		free(s);
	}
	for (size_t i = 0; i < sizeof INT_COLS / sizeof INT_COLS[0]; i++) {
		const struct val *v = member(acct, "SipAccount", INT_COLS[i].member);
		if (v->k == V_INT)
			exp_setll(ex, INT_COLS[i].col, v->i);
	}
	const struct val *pp = member(acct, "SipAccount", "prepaid");
	if (pp->k == V_BOOL)
		exp_setll(ex, "prepaid", pp->i);
	const struct val *pw = member(acct, "SipAccount", "password");
	if (pw->k == V_STR && *pw->s) {
		const char *s = pw->s;
		if (strlen(s) == 65 && s[32] == ':' && is_hex32(s) && is_hex32(s + 33)) {
			char h1[33], h2[33];
			memcpy(h1, s, 32);
			memcpy(h2, s + 33, 32);
			h1[32] = h2[32] = '\0';
			fold(h1);
			fold(h2);
			exp_set(ex, "password", "");
			exp_set(ex, "ha1", h1);
			exp_set(ex, "ha1b", h2);
		} else {
			struct buf a = { 0 }, b = { 0 };
			buf_addf(&a, "%s:%s:%s", e->user, e->domain, s);
			buf_addf(&b, "%s@%s:%s:%s", e->user, e->domain, e->domain, s);
			char *m1 = md5_sql(a.p), *m2 = md5_sql(b.p);
			exp_set(ex, "password", s);
			exp_set(ex, "ha1", m1);
			exp_set(ex, "ha1b", m2);
			free(m1);
			free(m2);
			buf_free(&a);
			buf_free(&b);
		}
	} else if (add) {
		return must_refuse(vd, F_REFUSAL, "addAccount without a password");
	}
	static const struct {
		const char *member, *col, *kind;
	} sets[] = { { "groups", "groups", "group" }, { "properties", "properties", "property" }, { "acl", "acl", "acl" } };
	for (size_t i = 0; i < 3; i++) {
		const struct val *arr = member(acct, "SipAccount", sets[i].member);
		const char *pre = state_get(&e->pre, sets[i].col);
		if (set_field(ex, sets[i].col, arr, add, sets[i].kind, vd))
			return 1;
		if (arr->k == V_ARRAY && arr->maybe_absent) {
			/* <groups/> without arrayType: "none" or "not given" */
			struct exf *f = exp_field(ex, sets[i].col);
			for (int k = 1; k < f->nalt; k++)
				free(f->alt[k]);
			f->nalt = 1;
			if (!add && pre)
				exp_also(ex, sets[i].col, pre);
			else if (add)
				f->any = 1;
		}
	}
	return 0;
}

static struct ent *need(struct world *w, enum ekind k, const char *u, const char *d)
{
	int i = ent_find(w, k, u, d);
	if (i < 0)
		abort(); /* watch_reading added every key a reading names */
	return &w->e[i];
}

static int pre_exists(const struct ent *e)
{
	const char *x = state_get(&e->pre, "exists");
	return x && strcmp(x, "1") == 0;
}

static void gone(struct ent *e)
{
	exp_free(&e->ex);
	exp_set(&e->ex, "exists", "0");
	if (e->k == E_ACCOUNT)
		exp_set(&e->ex, "groups", "");
}

/* what the reading says the stored state becomes (w's expectations), or
 * that the body must be refused (vd) */
static int expect_reading(const struct reading *rd, struct world *w, struct verdict *vd)
{
	memset(vd, 0, sizeof *vd);
	for (int i = 0; i < w->n; i++) {
		exp_from(&w->e[i].ex, &w->e[i].pre);
		if (w->e[i].k == E_DOMAIN) { /* the row counts check these */
			exp_any(&w->e[i].ex, "accounts");
			exp_any(&w->e[i].ex, "aliases");
		}
	}
	if (rd->refuse)
		return must_refuse(vd, rd->cls, "%s", rd->why);
	if (rd->cmethod)
		return 0; /* the Sip state stays; run_case checks the Customer tables */
	const char *m = rd->method;
	char *u = NULL, *d = NULL;
	int rc = 0;
	if (!strcmp(m, "addDomain") || !strcmp(m, "updateDomain") || !strcmp(m, "deleteDomain")) {
		int del = !strcmp(m, "deleteDomain"), add = !strcmp(m, "addDomain");
		const struct val *dv = param(rd, "domain");
		const struct val *name = del ? dv : member(dv, "SipDomain", "domain");
		if (name->k != V_STR || !*name->s)
			return must_refuse(vd, F_REFUSAL, "%s without a domain name", m);
		char *dn = xstrndup(name->s, strlen(name->s));
		fold(dn);
		struct ent *e = need(w, E_DOMAIN, NULL, dn);
		free(dn);
		if (add && pre_exists(e))
			return must_refuse(vd, F_REFUSAL, "addDomain of an existing domain");
		if (!add && !pre_exists(e))
			return must_refuse(vd, F_REFUSAL, "%s of a missing domain", m);
		if (del) {
			if (strcmp(state_get(&e->pre, "accounts"), "0") || strcmp(state_get(&e->pre, "aliases"), "0"))
				return must_refuse(vd, F_REFUSAL, "deleteDomain of a domain with accounts");
			gone(e);
			return 0;
		}
		struct expect *ex = &e->ex;
		if (add) {
			exp_free(ex);
			exp_set(ex, "exists", "1");
			static const char *const all[] = { "customer", "reseller", "certificate", "private_key",
							   "match_ip_address", "match_sip_domain", "verify_cert",
							   "require_cert" };
			for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
				exp_any(ex, all[i]);
		}
		exp_any(ex, "accounts");
		exp_any(ex, "aliases");
		static const char *const strs[] = { "certificate", "private_key", "match_ip_address", "match_sip_domain" };
		for (size_t i = 0; i < 4; i++) {
			const struct val *v = member(dv, "SipDomain", strs[i]);
			if (v->k != V_STR)
				continue;
			const char *pre = state_get(&e->pre, strs[i]);
			exp_set(ex, strs[i], v->s);
			if (v->maybe_absent && !add && pre)
				exp_also(ex, strs[i], pre);
		}
		static const char *const nums[] = { "customer", "reseller", "verify_cert", "require_cert" };
		for (size_t i = 0; i < 4; i++) {
			const struct val *v = member(dv, "SipDomain", nums[i]);
			if (v->k == V_INT || v->k == V_BOOL)
				exp_setll(ex, nums[i], v->i);
		}
		return 0;
	}
	if (!strcmp(m, "addAccount") || !strcmp(m, "updateAccount")) {
		int add = m[0] == 'a';
		const struct val *acct = param(rd, "account");
		if (acct->k != V_STRUCT || sipid_key(member(acct, "SipAccount", "id"), &u, &d) != 0)
			return must_refuse(vd, F_REFUSAL, "%s without account.id", m);
		struct ent *e = need(w, E_ACCOUNT, u, d), *dom = need(w, E_DOMAIN, NULL, d), *al = need(w, E_ALIAS, u, d);
		if (add && (pre_exists(e) || pre_exists(al) || !pre_exists(dom)))
			rc = must_refuse(vd, F_REFUSAL, "addAccount of an existing account or alias, or in a missing domain");
		else if (!add && !pre_exists(e))
			rc = must_refuse(vd, F_REFUSAL, "updateAccount of a missing account");
		else
			rc = account_members(e, acct, add, vd);
		free(u);
		free(d);
		return rc;
	}
	if (!strcmp(m, "addAlias") || !strcmp(m, "deleteAlias")) {
		int add = m[0] == 'a';
		const struct val *al = add ? param(rd, "alias") : NULL;
		if (sipid_key(add ? member(al, "SipAlias", "id") : param(rd, "id"), &u, &d) != 0)
			return must_refuse(vd, F_REFUSAL, "%s without its id", m);
		struct ent *e = need(w, E_ALIAS, u, d);
		if (!add) {
			rc = pre_exists(e) ? (gone(e), 0) : must_refuse(vd, F_REFUSAL, "deleteAlias of a missing alias");
			free(u);
			free(d);
			return rc;
		}
		char *tu, *td;
		if (sipid_key(member(al, "SipAlias", "target"), &tu, &td) != 0) {
			free(u);
			free(d);
			return must_refuse(vd, F_REFUSAL, "addAlias without a target");
		}
		struct ent *t = need(w, E_ACCOUNT, tu, td), *acc = need(w, E_ACCOUNT, u, d), *dom = need(w, E_DOMAIN, NULL, d);
		if (pre_exists(e) || pre_exists(acc) || !pre_exists(t) || !pre_exists(dom)) {
			rc = must_refuse(vd, F_REFUSAL, "addAlias: exists, clashes with an account, or its target/domain is missing");
		} else {
			exp_free(&e->ex);
			exp_set(&e->ex, "exists", "1");
			struct buf tg = { 0 };
			buf_addf(&tg, "%s@%s", tu, td);
			exp_set(&e->ex, "target", tg.p);
			buf_free(&tg);
			const struct val *ow = member(al, "SipAlias", "owner");
			if (ow->k == V_INT)
				exp_setll(&e->ex, "owner", ow->i);
			else
				exp_any(&e->ex, "owner");
			exp_any(&dom->ex, "aliases");
		}
		free(tu);
		free(td);
		free(u);
		free(d);
		return rc;
	}
	int is_write = !strcmp(m, "deleteAccount") || !strcmp(m, "addToGroup") || !strcmp(m, "removeFromGroup")
		       || !strcmp(m, "addBalance") || !strcmp(m, "addBalanceFromVoucher");
	if (!is_write)
		return 0; /* reads change nothing */
	if (sipid_key(param(rd, "sipId"), &u, &d) != 0)
		return must_refuse(vd, F_REFUSAL, "%s without sipId", m);
	struct ent *e = need(w, E_ACCOUNT, u, d);
	struct expect *ex = &e->ex;
	if (!pre_exists(e)) {
		rc = must_refuse(vd, F_REFUSAL, "%s of a missing account", m);
	} else if (!strcmp(m, "deleteAccount")) {
		gone(e);
		for (int i = 0; i < w->n; i++) {
			struct ent *a = &w->e[i];
			struct buf tg = { 0 };
			buf_addf(&tg, "%s@%s", u, d);
			if (a->k == E_ALIAS && pre_exists(a) && strcmp(state_get(&a->pre, "target"), tg.p) == 0)
				gone(a);
			if (a->k == E_DOMAIN)
				exp_any(&a->ex, "accounts"), exp_any(&a->ex, "aliases");
			buf_free(&tg);
		}
	} else if (!strcmp(m, "addToGroup") || !strcmp(m, "removeFromGroup")) {
		const struct val *g = param(rd, "group");
		if (g->k != V_STR || !*g->s) {
			rc = must_refuse(vd, F_REFUSAL, "%s without a group", m);
		} else {
			char *gn = xstrndup(g->s, strlen(g->s));
			fold(gn);
			const char *pre = state_get(&e->pre, "groups");
			char **v = xmalloc(sizeof *v * (strlen(pre) + 2));
			size_t n = 0;
			int found = 0;
			for (const char *p = pre; *p;) {
				const char *q = strchr(p, SEPC);
				size_t l = q ? (size_t)(q - p) : strlen(p);
				char *it = xstrndup(p, l);
				if (strcmp(it, gn) == 0) {
					found = 1;
					if (m[0] == 'r') {
						free(it);
						it = NULL;
					}
				}
				if (it)
					v[n++] = it;
				p += l + (q ? 1 : 0);
			}
			if (m[0] == 'a')
				v[n++] = xstrndup(gn, strlen(gn));
			if (m[0] == 'r' && !found) {
				rc = must_refuse(vd, F_REFUSAL, "removeFromGroup of a group the account is not in");
			} else {
				char *j = join_set(v, n);
				exp_set(ex, "groups", j);
				free(j);
			}
			for (size_t i = 0; i < n; i++)
				free(v[i]);
			free(v);
			free(gn);
		}
	} else {
		long long pre_bal = atoll(state_get(&e->pre, "balance")); /* "(null)": 0 */
		long long add;
		if (strcmp(state_get(&e->pre, "prepaid"), "1") != 0) {
			rc = must_refuse(vd, F_REFUSAL, "%s on an account that is not prepaid", m);
		} else if (!strcmp(m, "addBalance")) {
			const struct val *v = param(rd, "value"), *desc = param(rd, "description");
			add = v->i;
			if (v->k != V_DEC || v->i == 0 || v->i > 10000000000000LL || v->i < -10000000000000LL)
				rc = must_refuse(vd, F_REFUSAL, "addBalance without a valid non-zero value within 1e9");
			else if (pre_bal + add < 0)
				rc = must_refuse(vd, F_REFUSAL, "addBalance below zero");
			else {
				exp_setll(ex, "balance", pre_bal + add);
				exp_setll(ex, "hist_count", atoll(state_get(&e->pre, "hist_count")) + 1);
				if (desc->k == V_STR && *desc->s) {
					struct buf h = { 0 };
					buf_addf(&h, "%lld/%s", add, desc->s);
					exp_set(ex, "hist_last", h.p);
					buf_free(&h);
				} else {
					exp_any(ex, "hist_last");
				}
			}
		} else {
			const struct val *card = param(rd, "card");
			const struct val *cid = member(card, "PrepaidCard", "id"), *num = member(card, "PrepaidCard", "number");
			/* the server drops the spaces and dashes people type
			 * (store_voucher.c normalize_number, documented there) */
			char *ns = num->k == V_STR ? xstrndup(num->s, strlen(num->s)) : NULL, *nb = ns;
			if (ns) {
				char *o = ns;
				for (const char *p = ns; *p; p++)
					if (*p != ' ' && *p != '-')
						*o++ = *p;
				*o = '\0';
			}
			if (cid->k != V_INT || cid->i != 42 || ns == NULL || strcmp(ns, "123456789") != 0 || w->card42_spent) {
				rc = must_refuse(vd, F_REFUSAL, "addBalanceFromVoucher with a card that is not card 42/123456789");
			} else {
				exp_setll(ex, "balance", pre_bal + 250000);
				exp_setll(ex, "hist_count", atoll(state_get(&e->pre, "hist_count")) + 1);
				exp_any(ex, "hist_last");
				exp_setll(ex, "vouchers", atoll(state_get(&e->pre, "vouchers")) + 1);
			}
			free(nb);
		}
	}
	free(u);
	free(d);
	return rc;
}

/* ---- reporting -------------------------------------------------------------------------------------- */

static uint64_t seed;
static int fcount[F_CLASSES], ftotal_cases;
static char *fexample[F_CLASSES];

struct kase {
	int no;
	const struct fixture *f;
	struct buf body, desc;
	int rc;
	struct sc_resp resp;
	int failed[F_CLASSES];
	int any_failed;
	double secs;
};

__attribute__((format(printf, 3, 4))) static void flunk(struct kase *k, enum fclass cls, const char *fmt, ...)
{
	char why[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (k->failed[cls])
		return;
	k->failed[cls] = 1;
	k->any_failed = 1;
	fcount[cls]++;
	if (fexample[cls] == NULL) {
		struct buf b = { 0 };
		buf_addf(&b, "case %d, %s, %s: %s", k->no, k->f->file, k->desc.p ? k->desc.p : "unmutated", why);
		fexample[cls] = b.p;
	}
	{
		char *bd = esc(k->body.p, k->body.n, 4000);
		char *rp = k->resp.body ? esc(k->resp.body, k->resp.body_len, 1500) : xstrndup("(none)", 6);
		printf("FAIL [%s] seed=%llu case=%d fixture=%s\n  mutations: %s\n  why: %s\n  body (%zu bytes): %s\n"
		       "  reply: rc %d, HTTP %d: %s\n",
		       fclass_names[cls], (unsigned long long)seed, k->no, k->f->file, k->desc.p ? k->desc.p : "(none)",
		       why, k->body.n, bd, k->rc, k->resp.status, rp);
		free(bd);
		free(rp);
	}
}

/* ---- one case ----------------------------------------------------------------------------------------- */

static int cur_variant = -1, dirty = 1;
static double slowest[3];
static int slowest_case[3];

static void note_time(int no, double s)
{
	for (int i = 0; i < 3; i++)
		if (s > slowest[i]) {
			for (int k = 2; k > i; k--) {
				slowest[k] = slowest[k - 1];
				slowest_case[k] = slowest_case[k - 1];
			}
			slowest[i] = s;
			slowest_case[i] = no;
			return;
		}
}

/* Builds case `no` (mutations == 0: the fixture as it is). */
static void make_case(struct kase *k, int no, int mutate)
{
	memset(k, 0, sizeof *k);
	k->no = no;
	int fi = no % NFIX;
	k->f = &fixtures[fi];
	buf_set(&k->body, fx[fi].body.p, fx[fi].body.n);
	if (!mutate)
		return;
	struct rng r;
	rng_seed(&r, seed, (uint64_t)no);
	enum mut_kind first = (enum mut_kind)((no / NFIX) % M_KINDS);
	int tries = 0;
	while (mut_apply(&r, first, &k->body, &k->desc) != 0 && tries++ < 16)
		first = (enum mut_kind)rng_below(&r, M_KINDS);
	unsigned extra = rng_below(&r, 10);
	extra = extra < 7 ? 0 : extra < 9 ? 1 : 2;
	for (unsigned i = 0; i < extra; i++)
		mut_apply(&r, (enum mut_kind)rng_below(&r, M_KINDS), &k->body, &k->desc);
}

static void run_case(struct kase *k)
{
	if ((int)k->f->v != cur_variant || dirty) {
		snap_restore(k->f->v);
		cur_variant = k->f->v;
		dirty = 0;
	}
	if (k->f->write)
		dirty = 1;

	int wf, doctype;
	char perr[256];
	void *doc = oracle_parse(k->body.p, k->body.n, &wf, &doctype, perr, sizeof perr);
	struct reading rd[4];
	int nrd = doc && !doctype ? oracle_read(doc, login, password, rd) : 0;

	struct world w = { .n = 0 };
	watch_account(&w, "alice", DOM);
	watch_account(&w, "bob", DOM);
	watch_account(&w, "carol", ODOM);
	watch_account(&w, "al", DOM);
	ent_add(&w, E_DOMAIN, NULL, ODOM);
	for (int i = 0; i < nrd; i++)
		watch_reading(&w, &rd[i]);
	read_states(&w, 0);
	w.card42_spent = db_scalar("SELECT COUNT(*) FROM voucher_card WHERE id = 42 AND spent_date IS NOT NULL");

	size_t len;
	char *req = build_request(&fx[k->f - fixtures], &k->body, &len);
	double t0 = sc_now();
	k->rc = sc_exchange(srv.port, req, len, &k->resp, 20000);
	k->secs = sc_now() - t0;
	free(req);
	note_time(k->no, k->secs);

	/* the reply */
	int status = k->resp.status, fault = 0, reply_ok = 0;
	if (k->rc != SC_OK)
		flunk(k, F_TRANSPORT, "no complete HTTP reply (rc %d) after %.1f s", k->rc, k->secs);
	else if (status != 200 && status != 500)
		flunk(k, F_TRANSPORT, "HTTP status %d", status);
	if (k->rc == SC_OK) {
		int rwf, rdt;
		char rerr[256];
		void *rdoc = oracle_parse(k->resp.body, k->resp.body_len, &rwf, &rdt, rerr, sizeof rerr);
		if (rdoc == NULL) {
			flunk(k, F_REPLY_NOT_XML, "the reply is not well-formed XML: %s", rerr);
		} else {
			reply_ok = 1;
			fault = oracle_fault_code(rdoc) != 0;
			if ((status == 200) == fault)
				flunk(k, F_REPLY_STATUS, "HTTP %d with%s a Fault", status, fault ? "" : "out");
		}
		oracle_free_doc(rdoc);
	}
	(void)reply_ok;

	/* the server */
	char *san = log_news();
	if (san) {
		flunk(k, F_SANITIZER, "sanitizer report: %.2000s", san);
		free(san);
	}
	int died;
	if (!server_answers(&died)) {
		flunk(k, F_DIED, "the server %s", died ? "died" : "stopped answering GET /status");
		char *more = log_news();
		if (more) {
			printf("  | %.2000s\n", more);
			free(more);
		}
		ls_stop(&srv, 5000);
		start_server();
		dirty = 1;
		cur_variant = -1;
	}

	/* the stored state */
	read_states(&w, 1);
	int accepted = k->rc == SC_OK && status == 200;
	char why[600] = "";
	if (accepted && !wf) {
		flunk(k, F_NOT_XML, "200 for a body that is not well-formed XML (%s)", perr);
	} else if (accepted && doctype) {
		flunk(k, F_DOCTYPE, "200 for a body with a DOCTYPE");
	} else {
		/* accepted: some reading must explain the state; else nothing changed */
		struct verdict first = { 0 };
		char allwhy[1200] = "";
		int ok = 0, any_nonrefuse = 0;
		for (int i = 0; i < (accepted ? nrd : 1) && !ok; i++) {
			struct verdict vd;
			if (accepted) {
				if (expect_reading(&rd[i], &w, &vd)) {
					if (i == 0)
						first = vd;
					continue;
				}
				any_nonrefuse = 1;
			} else {
				for (int e = 0; e < w.n; e++)
					exp_from(&w.e[e].ex, &w.e[e].pre);
			}
			int bad = 0;
			for (int e = 0; e < w.n && !bad; e++) {
				char d[500];
				if (exp_check(&w.e[e].ex, &w.e[e].post, d, sizeof d)) {
					snprintf(why, sizeof why, "%s %s%s%s: %s",
						 w.e[e].k == E_ACCOUNT ? "account" : w.e[e].k == E_DOMAIN ? "domain" : "alias",
						 w.e[e].user ? w.e[e].user : "", w.e[e].user ? "@" : "", w.e[e].domain, d);
					bad = 1;
				}
			}
			/* row counts: the watched changes only */
			for (int c = 0; c < 3 && !bad; c++) {
				long long want = w.cpre[c];
				enum ekind kinds[3] = { E_ACCOUNT, E_DOMAIN, E_ALIAS };
				for (int e = 0; e < w.n; e++) {
					if (w.e[e].k != kinds[c])
						continue;
					const char *x = exp_one(&w.e[e].ex, "exists");
					if (x)
						want += atoi(x) - pre_exists(&w.e[e]);
				}
				if (want != w.cpost[c]) {
					snprintf(why, sizeof why, "%s rows: %lld, expected %lld",
						 c == 0 ? "subscriber" : c == 1 ? "domain" : "dbaliases", w.cpost[c], want);
					bad = 1;
				}
			}
			/* the Customer tables change only by an accepted Customer-port
			 * write; a Customer-port call (and any fault) changes no other
			 * table at all */
			const struct reading *r = accepted ? &rd[i] : NULL;
			if (!bad && !(r && r->cmethod && r->cwrite) && strcmp(w.cust_pre, w.cust_post) != 0) {
				char *df = sums_diff(w.cust_pre, w.cust_post);
				snprintf(why, sizeof why, "the Customer tables changed (now %.400s)", df);
				free(df);
				bad = 1;
			}
			if (!bad && (!r || r->cmethod) && strcmp(w.rest_pre, w.rest_post) != 0) {
				char *df = sums_diff(w.rest_pre, w.rest_post);
				/* a refused voucher top-up counts as a failed attempt, by
				 * design (store_voucher.c: the throttle) */
				const char *vt = strstr(df, ".voucher_throttle=");
				int only_throttle = !r && vt && strchr(df, ',') == NULL;
				if (!only_throttle) {
					snprintf(why, sizeof why, "a table outside the Customer port's changed (now %.400s)",
						 df);
					bad = 1;
				}
				free(df);
			}
			/* addAccount and setProperties only add: every customer and
			 * property stays (store_customer.c C3: setProperties merges by
			 * name, it never removes one); setProperties adds no customer */
			if (!bad && r && r->cmethod && (!strcmp(r->cmethod, "addAccount") || !strcmp(r->cmethod, "setProperties"))) {
				char *lost = keys_lost(w.ckeys_pre, w.ckeys_post);
				char *gained = keys_lost(w.ckeys_post, w.ckeys_pre);
				if (lost) {
					snprintf(why, sizeof why, "%s lost customer key %.100s", r->cmethod, lost);
					bad = 1;
				} else if (r->cmethod[0] == 's' && gained && gained[0] == 'c') {
					snprintf(why, sizeof why, "setProperties added customer %.100s", gained + 1);
					bad = 1;
				}
				free(lost);
				free(gained);
			}
			ok = !bad;
			if (bad && accepted) {
				size_t l = strlen(allwhy);
				snprintf(allwhy + l, sizeof allwhy - l, "%s[reading %d] %s", l ? "; " : "", i + 1, why);
			}
		}
		if (accepted && !ok && !any_nonrefuse)
			flunk(k, first.cls, "200, but the body must be refused: %s", first.why);
		else if (accepted && !ok)
			flunk(k, F_STATE, "200, but the stored state is not what the body said: %s", allwhy);
		else if (!accepted && !ok && k->rc == SC_OK)
			flunk(k, F_FAULT_CHANGED, "HTTP %d, but stored state changed: %s", status, why);
	}
	if (k->any_failed)
		dirty = 1;
	for (int i = 0; i < nrd; i++)
		reading_free(&rd[i]);
	oracle_free_doc(doc);
	world_free(&w);
}

static void kase_free(struct kase *k)
{
	buf_free(&k->body);
	buf_free(&k->desc);
	sc_resp_free(&k->resp);
}

static long env_long(const char *name, long dflt)
{
	const char *v = getenv(name);
	return v && *v ? strtol(v, NULL, 10) : dflt;
}

static int prepared;

static void prepare(void)
{
	if (prepared)
		return;
	prepared = 1;
	login = sc_env("NGN_TEST_LOGIN");
	password = sc_env("NGN_TEST_PASSWORD");
	seed = (uint64_t)strtoull(getenv("NGN_MUTATE_SEED") && *getenv("NGN_MUTATE_SEED") ? getenv("NGN_MUTATE_SEED")
											       : "20261204",
				  NULL, 10);
	load_fixtures();
	start_server();
	build_variants();
}

/* The oracle agrees with the server on every fixture as it is (each one
 * succeeds from its start state, as tests/replay shows): an oracle that
 * cried wolf here would make the mutation run worthless. */
START_TEST(controls)
{
	/* every captured request is mutated: a new fixture needs its start state here */
	DIR *dir = opendir(sc_fixture_dir());
	ck_assert_ptr_nonnull(dir);
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".http") != 0)
			continue;
		int found = 0;
		for (int i = 0; i < NFIX; i++)
			found |= strcmp(fixtures[i].file, de->d_name) == 0;
		ck_assert_msg(found, "fixture %s has no entry in tests/mutation/check_mutation.c fixtures[]", de->d_name);
	}
	closedir(dir);
	prepare();
	int before = 0;
	for (int c = 0; c < F_CLASSES; c++)
		before += fcount[c];
	for (int i = 0; i < NFIX; i++) {
		struct kase k;
		make_case(&k, i, 0);
		run_case(&k);
		ck_assert_msg(!k.any_failed, "unmutated %s: the oracle or the server is wrong (see above)", k.f->file);
		ck_assert_msg(k.resp.status == (k.f->fault ? 500 : 200), "unmutated %s: HTTP %d: %.600s", k.f->file,
			      k.resp.status, k.resp.body ? k.resp.body : "");
		kase_free(&k);
	}
	int after = 0;
	for (int c = 0; c < F_CLASSES; c++)
		after += fcount[c];
	ck_assert_int_eq(before, after);
	printf("controls: %d unmutated fixtures accepted and stored as their bodies say\n", NFIX);
}
END_TEST

START_TEST(mutations)
{
	prepare();
	memset(fcount, 0, sizeof fcount);
	long max_cases = env_long("NGN_MUTATE_CASES", 4000), only = env_long("NGN_MUTATE_CASE", -1);
	double budget = (double)env_long("NGN_MUTATE_SECONDS", 45);
	printf("mutation run: seed %llu (NGN_MUTATE_SEED), up to %ld cases (NGN_MUTATE_CASES) or %.0f s "
	       "(NGN_MUTATE_SECONDS); ASAN_OPTIONS=%s UBSAN_OPTIONS=%s\n",
	       (unsigned long long)seed, max_cases, budget, getenv("ASAN_OPTIONS"), getenv("UBSAN_OPTIONS"));
	double t0 = sc_now();
	int ran = 0, accepted = 0;
	long from = only >= 0 ? only : env_long("NGN_MUTATE_FIRST", 0);
	for (long no = from; no < (only >= 0 ? only + 1 : from + max_cases); no++) {
		if (sc_now() - t0 > budget)
			break;
		struct kase k;
		make_case(&k, (int)no, 1);
		run_case(&k);
		ran++;
		accepted += k.rc == SC_OK && k.resp.status == 200;
		ftotal_cases += k.any_failed;
		if (only >= 0)
			printf("case %ld (%s): %s\n  HTTP %d in %.3f s\n", no, k.f->file, k.desc.p ? k.desc.p : "",
			       k.resp.status, k.secs);
		kase_free(&k);
	}
	double el = sc_now() - t0;
	int st = ls_stop(&srv, 10000);
	if (st == -2) {
		fcount[F_SANITIZER]++;
		printf("FAIL [sanitizer] at shutdown (report above)\n");
	}
	printf("mutation run: seed %llu, %d cases in %.1f s (%.1f ms each), %d answered 200, %d cases failed\n",
	       (unsigned long long)seed, ran, el, ran ? el * 1000 / ran : 0.0, accepted, ftotal_cases);
	for (int i = 0; i < 3; i++)
		if (slowest[i] > 0)
			printf("  slowest request: case %d, %.3f s\n", slowest_case[i], slowest[i]);
	int total = 0;
	for (int c = 0; c < F_CLASSES; c++) {
		total += fcount[c];
		if (fcount[c])
			printf("  %-24s %5d  first: %.400s\n", fclass_names[c], fcount[c], fexample[c]);
	}
	ck_assert_msg(total == 0, "%d failures in %d mutated requests (seed %llu): see above", total, ran,
		      (unsigned long long)seed);
}
END_TEST

int main(int argc, char **argv)
{
	ls_run_under_server(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	Suite *s = suite_create("mutation");
	TCase *tc = tcase_create("mutation");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, controls);
	tcase_add_test(tc, mutations);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
