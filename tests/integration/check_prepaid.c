/* check_prepaid.c: the prepaid operations end to end below HTTP, against a
 * private MariaDB (run under tests/lib/with-mariadb.sh).
 *
 * SOAP cases go through edge_serve in process, as the worker does,
 * and read the reply with libxml2 XPath; the database is checked with plain
 * SQL. Concurrency cases drive the store from many threads, each with its
 * own connection. wire/ holds verbatim CDRTool requests (copies of
 * ngnpro-wire/requests). Accounts, set up by setup():
 *   alice@example.com  prepaid, no balance row yet      (subscriber 1)
 *   bob@example.com    prepaid, balance 12.5            (subscriber 2)
 *   carol@example.com  not prepaid                      (subscriber 3)
 *   eve@example.com    Kamailio subscriber only         (subscriber 4)
 *   dave@example.com   does not exist
 * All of these belong to reseller 0, customer 0; the scope cases (at the
 * end) add a second tenant's account. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include "soapH.h"
#include "core/cfg.h"
#include "soap/ctx.h"
#include "core/db.h"
#include "core/money.h"
#include "soap/soap_setup.h"
#include "store/store_prepaid.h"
#include "store/store_voucher.h"
#include "testdb.h"
#include "admin/voucher_cli.h"

static struct db *db;
static struct cfg cfg;
static const char *login = "test";
static struct scope scope;   /* the caller's, for serve(); admin by default */
static struct edge_limits limits = { 1 << 20, 65536, 1000, 32 };

/* the card that wire/addBalanceFromVoucher.http redeems: id 42, number
 * 123456789, in batch 1 worth 25.5 */
#define CARD_SALT "00112233445566778899aabbccddeeff"
#define FIXTURE_SQL_CARD(id, batch, number) \
	"INSERT INTO voucher_card (id, batch_id, salt, number_hash) VALUES (" #id ", " #batch ", '" CARD_SALT \
	"', SHA2(CONCAT(UNHEX('" CARD_SALT "'), '" number "'), 256))"

static void sql(const char *q)
{
	testdb_scalar(db, q);
}

static long long num(const char *q)
{
	return testdb_scalar(db, q);
}

/* The voucher number must not appear in the database: not as its plain
 * SHA-256, not inside the stored hash or salt. Bound, like all our SQL. */
static const char SQL_NUMBER_STORED[] =
	"SELECT COUNT(*) FROM voucher_card WHERE number_hash = SHA2(?, 256)"
	" OR INSTR(number_hash, ?) > 0 OR INSTR(salt, ?) > 0";

struct stored { const char *digits; long long n; };

static enum ngn_status stored_txn(struct db *d, void *arg)
{
	struct stored *s = arg;
	struct db_val a[3] = { DB_S(s->digits), DB_S(s->digits), DB_S(s->digits) };
	struct db_val out[1];
	char buf[32];
	int found = 0;
	enum ngn_status st = db_query_one(d, SQL_NUMBER_STORED, a, 3, out, 1, buf, sizeof buf, &found);
	if (st == NGN_OK && found)
		s->n = out[0].type == DB_INT ? out[0].i : out[0].type == DB_STR ? atoll(out[0].s) : -1;
	return st;
}

static long long stored_anywhere(const char *digits)
{
	struct stored s = { digits, -1 };
	ck_assert_int_eq(db_read(db, stored_txn, &s), NGN_OK);
	return s.n;
}

static void setup(void)
{
	db = testdb_open();
	ck_assert_msg(db != NULL, "no test database");
	testdb_reset(db);
	cfg_defaults(&cfg);
	cfg.voucher_max_failures = 3;
	cfg.voucher_lockout = 300;
	login = "test";
	scope = (struct scope){ ROLE_ADMIN, 0, 0 };
	limits.max_array = 1000;
	sql("INSERT INTO domain (id, domain) VALUES (1, 'example.com')");
	sql("INSERT INTO subscriber (id, username, domain) VALUES (1, 'alice', 'example.com'),"
	    " (2, 'bob', 'example.com'), (3, 'carol', 'example.com'), (4, 'eve', 'example.com')");
	sql("INSERT INTO sip_account (subscriber_id, domain_id, prepaid) VALUES (1, 1, 1), (2, 1, 1), (3, 1, 0)");
	sql("INSERT INTO prepaid_balance (subscriber_id, balance) VALUES (2, 125000)");
	sql("INSERT INTO voucher_batch (id, name, value, disabled) VALUES (1, 'fixture', 255000, 0)");
	sql(FIXTURE_SQL_CARD(42, 1, "123456789"));
}

static void teardown(void)
{
	db_free(db);
	db = NULL;
}

/* A fingerprint of all money state (balances, history, spent cards). */
static long long money_state(void)
{
	return num("SELECT CRC32(CONCAT_WS('|',"
		   " (SELECT COUNT(*) FROM prepaid_balance),"
		   " COALESCE((SELECT GROUP_CONCAT(subscriber_id, ':', balance ORDER BY subscriber_id) FROM prepaid_balance), ''),"
		   " COALESCE((SELECT GROUP_CONCAT(id, ':', value, ':', balance ORDER BY id) FROM prepaid_history), ''),"
		   " COALESCE((SELECT GROUP_CONCAT(id, ':', COALESCE(spent_date, '-')) FROM voucher_card), '')))");
}

/* ---- SOAP in process ----------------------------------------------------- */

struct reply {
	int status;
	char *raw;
	xmlDocPtr doc;
};

static void reply_free(struct reply *r)
{
	free(r->raw);
	if (r->doc)
		xmlFreeDoc(r->doc);
	memset(r, 0, sizeof *r);
}

static struct reply serve(const char *body)
{
	struct reply r = { 0 };
	struct soap *soap = edge_new(&limits);
	ck_assert_ptr_nonnull(soap);
	struct req_ctx ctx = { .db = db, .cfg = &cfg, .scope = scope, .login = login };
	soap->user = &ctx;
	const char *out = NULL;
	size_t len = 0;
	r.status = edge_serve(soap, body, strlen(body), NULL, NULL, NULL, &out, &len);
	r.raw = strndup(out, len);
	if (getenv("NGN_TEST_DUMP"))  /* NGN_TEST_DUMP=1: show every reply */
		fprintf(stderr, "HTTP %d\n%s\n", r.status, r.raw);
	r.doc = xmlReadMemory(out, (int)len, "reply.xml", NULL, XML_PARSE_NONET);
	soap_destroy(soap);
	soap_end(soap);
	soap_free(soap);
	ck_assert_msg(r.doc != NULL, "reply is not XML: %s", r.raw);
	return r;
}

#define ENV_HEAD \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"" \
	" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"" \
	" xmlns:SOAP-ENC=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:ns4=\"urn:AGProjects:NGNPro\"" \
	" xmlns:ns5=\"urn:AGProjects:NGNPro:Sip\"" \
	" SOAP-ENV:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">" \
	"<SOAP-ENV:Header><auth><username xsi:type=\"xsd:string\">soapadmin</username>" \
	"<password xsi:type=\"xsd:string\">secret</password></auth></SOAP-ENV:Header><SOAP-ENV:Body>"
#define ENV_TAIL "</SOAP-ENV:Body></SOAP-ENV:Envelope>"
#define SIPID(u, d) \
	"<sipId xsi:type=\"ns4:SipId\"><username xsi:type=\"xsd:string\">" u "</username>" \
	"<domain xsi:type=\"xsd:string\">" d "</domain></sipId>"

static struct reply call(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct reply call(const char *fmt, ...)
{
	static char body[1 << 18];
	int n = snprintf(body, sizeof body, "%s", ENV_HEAD);
	va_list ap;
	va_start(ap, fmt);
	n += vsnprintf(body + n, sizeof body - (size_t)n, fmt, ap);
	va_end(ap);
	snprintf(body + n, sizeof body - (size_t)n, "%s", ENV_TAIL);
	return serve(body);
}

/* addBalance with the value element given verbatim (so it can be absent) */
static struct reply add_balance(const char *user, const char *domain, const char *value_elem, const char *desc)
{
	return call("<ns5:addBalance><sipId xsi:type=\"ns4:SipId\"><username>%s</username><domain>%s</domain></sipId>"
		    "%s<description xsi:type=\"xsd:string\">%s</description></ns5:addBalance>",
		    user, domain, value_elem, desc);
}

static struct reply add(const char *user, const char *value)
{
	char v[256];
	snprintf(v, sizeof v, "<value xsi:type=\"xsd:float\">%s</value>", value);
	return add_balance(user, "example.com", v, "test");
}

static struct reply redeem(const char *user, const char *card_id, const char *number)
{
	return call("<ns5:addBalanceFromVoucher>" SIPID("%s", "example.com")
		    "<card xsi:type=\"ns4:PrepaidCard\"><id xsi:type=\"xsd:int\">%s</id>"
		    "<number xsi:type=\"xsd:string\">%s</number></card></ns5:addBalanceFromVoucher>",
		    user, card_id, number);
}

static struct reply history(const char *user, int count)
{
	return call("<ns5:getCreditHistory>" SIPID("%s", "example.com")
		    "<count xsi:type=\"xsd:int\">%d</count></ns5:getCreditHistory>", user, count);
}

static struct reply wire(const char *name)
{
	const char *dir = getenv("srcdir") ? getenv("srcdir") : ".";
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/fixtures/ngnpro-wire/requests/%s", dir, name);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *body = strstr(buf, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	return serve(body + 4);
}

/* XPath helpers over the reply; names match on local-name() only, as
 * NGNPro clients do. */
static char *xp_str(const struct reply *r, const char *expr)
{
	xmlXPathContextPtr c = xmlXPathNewContext(r->doc);
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, c);
	ck_assert_msg(o != NULL, "bad XPath %s", expr);
	xmlChar *s = xmlXPathCastToString(o);
	char *out = strdup((const char *)s);
	xmlFree(s);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(c);
	return out;
}

static double xp_num(const struct reply *r, const char *expr)
{
	xmlXPathContextPtr c = xmlXPathNewContext(r->doc);
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, c);
	ck_assert_msg(o != NULL, "bad XPath %s", expr);
	double v = xmlXPathCastToNumber(o);
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(c);
	return v;
}

#define L(name) "*[local-name()='" name "']"
#define ck_xp_eq(r, expr, want) do { \
	char *got_ = xp_str((r), (expr)); \
	ck_assert_msg(strcmp(got_, (want)) == 0, "%s: got '%s', want '%s' in %s", (expr), got_, (want), (r)->raw); \
	free(got_); \
} while (0)

static void ck_fault(const struct reply *r, int code)
{
	ck_assert_msg(r->status == 500, "want a fault %d, got HTTP %d: %s", code, r->status, r->raw);
	ck_assert_int_eq((int)xp_num(r, "//" L("Fault") "/" L("detail") "/" L("exception") "/" L("errorcode")), code);
	char *es = xp_str(r, "string(//" L("exception") "/" L("errorstring") ")");
	ck_assert_msg(*es != '\0', "empty errorstring");
	free(es);
	ck_assert_msg(strstr(r->raw, "secret") == NULL, "the auth header was echoed");
}

static void ck_ok(const struct reply *r)
{
	ck_assert_msg(r->status == 200, "HTTP %d: %s", r->status, r->raw);
	/* one response element with exactly one part, and no header echo */
	ck_assert_int_eq((int)xp_num(r, "count(/" L("Envelope") "/" L("Body") "/*)"), 1);
	ck_assert_int_eq((int)xp_num(r, "count(/" L("Envelope") "/" L("Body") "/*/*)"), 1);
	ck_assert_msg(strstr(r->raw, "secret") == NULL, "the auth header was echoed");
}

#define RET "/" L("Envelope") "/" L("Body") "/*/" L("return")

static void ck_change(const struct reply *r, const char *old, const char *new_)
{
	ck_ok(r);
	ck_xp_eq(r, RET "/" L("old_balance"), old);
	ck_xp_eq(r, RET "/" L("new_balance"), new_);
	ck_xp_eq(r, "string(" RET "/" L("new_balance") "/@*[local-name()='type'])", "xsd:decimal");
}

/* ---- addBalance ---------------------------------------------------------- */

START_TEST(wire_add_balance_credits_and_logs)
{
	struct reply r = wire("addBalance.http");
	ck_change(&r, "0.0000", "10.0000");
	reply_free(&r);
	ck_assert_int_eq(num("SELECT balance FROM prepaid_balance WHERE subscriber_id = 1"), 100000);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM prepaid_history WHERE subscriber_id = 1"), 1);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM prepaid_history WHERE subscriber_id = 1 AND value = 100000"
			     " AND balance = 100000 AND action = 'Add balance' AND description = 'top up'"
			     " AND login = 'test' AND voucher_card_id IS NULL"
			     " AND ABS(TIMESTAMPDIFF(SECOND, date, UTC_TIMESTAMP())) < 60"), 1);
}
END_TEST

START_TEST(exact_decimals_in_and_out)
{
	static const struct { const char *in, *old, *new_; } steps[] = {
		{ "10.5", "12.5000", "23.0000" },
		{ "0.0001", "23.0000", "23.0001" },
		{ "1e1", "23.0001", "33.0001" },
		{ "-3.2501", "33.0001", "29.7500" },
		{ " 0.25 ", "29.7500", "30.0000" },
		{ "+.5", "30.0000", "30.5000" },
		{ "0010.1200000", "30.5000", "40.6200" },
		{ "-40.62", "40.6200", "0.0000" },           /* down to exactly zero is fine */
		{ "999999999.9999", "0.0000", "999999999.9999" },
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		struct reply r = add("bob", steps[i].in);
		ck_change(&r, steps[i].old, steps[i].new_);
		reply_free(&r);
	}
	ck_assert_int_eq(num("SELECT balance FROM prepaid_balance WHERE subscriber_id = 2"), 9999999999999LL);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM prepaid_history WHERE subscriber_id = 2"), 9);
	ck_assert_int_eq(num("SELECT SUM(value) FROM prepaid_history WHERE subscriber_id = 2"), 9999999999999LL - 125000);
}
END_TEST

START_TEST(debit_below_zero_is_refused_and_changes_nothing)
{
	struct reply r = add("bob", "-12.5001");
	ck_fault(&r, 2020);
	reply_free(&r);
	ck_assert_int_eq(num("SELECT balance FROM prepaid_balance WHERE subscriber_id = 2"), 125000);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM prepaid_history"), 0);
	/* an account without a balance row has 0: any debit is refused, no row made */
	r = add("alice", "-0.0001");
	ck_fault(&r, 2020);
	reply_free(&r);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM prepaid_balance WHERE subscriber_id = 1"), 0);
}
END_TEST

START_TEST(invalid_amounts_fault_2021_and_change_nothing)
{
	static const char *const bad[] = {
		"<value xsi:type=\"xsd:float\">NaN</value>", "<value xsi:type=\"xsd:float\">INF</value>",
		"<value xsi:type=\"xsd:float\">-INF</value>", "<value>Infinity</value>",
		"<value>0.00001</value>", "<value>1e-5</value>", "<value>10.12345</value>",
		"<value>0.30000000000000004</value>",
		"<value>1000000000.0001</value>", "<value>-1000000000.0001</value>", "<value>1e10</value>",
		"<value>1.0E+25</value>", "<value>99999999999999999999999999999</value>",
		"<value>0</value>", "<value>-0.0000</value>", "<value>abc</value>", "<value>1,5</value>",
		"<value>0x10</value>", "<value>$5</value>", "<value></value>", "<value/>", "",
		"<value xsi:nil=\"true\"/>",
	};
	long long before = money_state();
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct reply r = add_balance("bob", "example.com", bad[i], "x");
		ck_assert_msg(r.status == 500, "%s accepted: %s", bad[i], r.raw);
		ck_fault(&r, 2021);
		reply_free(&r);
	}
	ck_assert_int_eq(money_state(), before);
}
END_TEST

START_TEST(balance_maximum_is_enforced)
{
	sql("UPDATE prepaid_balance SET balance = 10000000000000000 - 1 WHERE subscriber_id = 2");
	long long before = money_state();
	struct reply r = add("bob", "0.0002");
	ck_fault(&r, 2021);
	reply_free(&r);
	ck_assert_int_eq(money_state(), before);
	r = add("bob", "0.0001");
	ck_change(&r, "999999999999.9999", "1000000000000.0000");
	reply_free(&r);
}
END_TEST

START_TEST(accounts_faults_change_nothing)
{
	long long before = money_state();
	struct reply r = add("carol", "5");
	ck_fault(&r, 2000);
	reply_free(&r);
	r = add("eve", "5");
	ck_fault(&r, 2000);
	reply_free(&r);
	r = add("dave", "5");
	ck_fault(&r, 1010);
	reply_free(&r);
	r = add_balance("alice", "example.org", "<value>5</value>", "");
	ck_fault(&r, 1010);
	reply_free(&r);
	/* an empty name is a missing one, as for every Sip-port operation */
	r = add_balance("", "example.com", "<value>5</value>", "");
	ck_fault(&r, 4002);
	reply_free(&r);
	r = add_balance("alice", "", "<value>5</value>", "");
	ck_fault(&r, 4002);
	reply_free(&r);
	r = add_balance("alice", "example..com", "<value>5</value>", "");
	ck_fault(&r, 4004);
	reply_free(&r);
	r = add_balance("al ice", "example.com", "<value>5</value>", "");
	ck_fault(&r, 4003);
	reply_free(&r);
	r = add_balance("alice@example.com", "example.com", "<value>5</value>", "");
	ck_fault(&r, 4003);
	reply_free(&r);
	r = call("<ns5:addBalance><value>5</value><description>x</description></ns5:addBalance>");
	ck_fault(&r, 4002);
	reply_free(&r);
	r = call("<ns5:addBalance><sipId><domain>example.com</domain></sipId><value>5</value></ns5:addBalance>");
	ck_fault(&r, 4002);
	reply_free(&r);
	ck_assert_int_eq(money_state(), before);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM prepaid_balance WHERE subscriber_id IN (1, 3, 4)"), 0);
}
END_TEST

START_TEST(ids_are_lower_cased)
{
	struct reply r = add_balance("ALICE", "Example.COM", "<value>2</value>", "caps");
	ck_change(&r, "0.0000", "2.0000");
	reply_free(&r);
	ck_assert_int_eq(num("SELECT balance FROM prepaid_balance WHERE subscriber_id = 1"), 20000);
}
END_TEST

START_TEST(description_length)
{
	char desc[255 * 2 + 16];
	desc[0] = '\0';
	for (int i = 0; i < 255; i++)
		strcat(desc, "\xc3\xa9");  /* é: 255 characters, 510 bytes */
	struct reply r = add_balance("bob", "example.com", "<value>1</value>", desc);
	ck_change(&r, "12.5000", "13.5000");
	reply_free(&r);
	ck_assert_int_eq(num("SELECT CHAR_LENGTH(description) FROM prepaid_history"), 255);
	long long before = money_state();
	strcat(desc, "x");
	r = add_balance("bob", "example.com", "<value>1</value>", desc);
	ck_fault(&r, 4008);
	reply_free(&r);
	ck_assert_int_eq(money_state(), before);
	/* no description at all is fine */
	r = call("<ns5:addBalance>" SIPID("bob", "example.com") "<value>1</value></ns5:addBalance>");
	ck_change(&r, "13.5000", "14.5000");
	reply_free(&r);
}
END_TEST

/* ---- addBalanceFromVoucher ------------------------------------------------ */

START_TEST(wire_voucher_redeems_once)
{
	struct reply r = wire("addBalanceFromVoucher.http");
	ck_change(&r, "0.0000", "25.5000");
	reply_free(&r);
	ck_assert_int_eq(num("SELECT spent_by FROM voucher_card WHERE id = 42 AND spent_date IS NOT NULL"
			     " AND spent_login = 'test'"), 1);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM prepaid_history WHERE subscriber_id = 1 AND value = 255000"
			     " AND balance = 255000 AND action = 'Add balance from voucher'"
			     " AND description = 'Prepaid card 42' AND voucher_card_id = 42"), 1);
	/* the number appears nowhere in the database */
	ck_assert_int_eq(num("SELECT COUNT(*) FROM prepaid_history WHERE description LIKE '%123456789%'"), 0);
	long long before = money_state();
	r = wire("addBalanceFromVoucher.http");
	ck_fault(&r, 2010);
	reply_free(&r);
	ck_assert_int_eq(money_state(), before);
}
END_TEST

START_TEST(invalid_cards_look_alike)
{
	sql("INSERT INTO voucher_batch (id, name, value, disabled, expires) VALUES"
	    " (2, 'expired', 10000, 0, '2001-01-01'), (3, 'disabled', 10000, 1, NULL),"
	    " (4, 'today', 10000, 0, UTC_DATE())");
	sql(FIXTURE_SQL_CARD(50, 2, "1111"));
	sql(FIXTURE_SQL_CARD(51, 3, "2222"));
	sql(FIXTURE_SQL_CARD(52, 4, "3333"));
	sql(FIXTURE_SQL_CARD(53, 1, "4444"));
	sql("UPDATE voucher_card SET spent_date = UTC_TIMESTAMP(), spent_by = 2 WHERE id = 53");
	cfg.voucher_max_failures = 0;  /* this test is about the answers */
	static const struct { const char *id, *number; } bad[] = {
		{ "42", "123456780" },   /* wrong number */
		{ "42", "12345678" },
		{ "42", "abc" },
		{ "43", "123456789" },   /* unknown card */
		{ "0", "123456789" },
		{ "-1", "123456789" },
		{ "50", "1111" },        /* expired batch */
		{ "51", "2222" },        /* disabled batch */
		{ "53", "4444" },        /* spent */
	};
	long long before = money_state();
	char *first_fs = NULL, *first_es = NULL;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct reply r = redeem("alice", bad[i].id, bad[i].number);
		ck_fault(&r, 2010);
		char *fs = xp_str(&r, "string(//" L("faultstring") ")");
		char *es = xp_str(&r, "string(//" L("errorstring") ")");
		if (first_fs == NULL) {
			first_fs = fs;
			first_es = es;
		} else {
			ck_assert_str_eq(fs, first_fs);
			ck_assert_str_eq(es, first_es);
			free(fs);
			free(es);
		}
		reply_free(&r);
	}
	free(first_fs);
	free(first_es);
	ck_assert_int_eq(money_state(), before);
	/* a batch expiring today is still good today; typed dashes and spaces are fine */
	struct reply r = redeem("alice", "52", "33-3 3");
	ck_change(&r, "0.0000", "1.0000");
	reply_free(&r);
}
END_TEST

START_TEST(voucher_account_and_shape_faults)
{
	long long before = money_state();
	struct reply r = redeem("carol", "42", "123456789");
	ck_fault(&r, 2000);
	reply_free(&r);
	r = redeem("dave", "42", "123456789");
	ck_fault(&r, 1010);
	reply_free(&r);
	r = call("<ns5:addBalanceFromVoucher>" SIPID("alice", "example.com") "</ns5:addBalanceFromVoucher>");
	ck_fault(&r, 4002);
	reply_free(&r);
	r = call("<ns5:addBalanceFromVoucher>" SIPID("alice", "example.com")
		 "<card><number>123456789</number></card></ns5:addBalanceFromVoucher>");
	ck_fault(&r, 4002);
	reply_free(&r);
	r = call("<ns5:addBalanceFromVoucher>" SIPID("alice", "example.com")
		 "<card><id>42</id><number></number></card></ns5:addBalanceFromVoucher>");
	ck_fault(&r, 4002);
	reply_free(&r);
	ck_assert_int_eq(money_state(), before);
	/* none of these were guesses */
	ck_assert_int_eq(num("SELECT COUNT(*) FROM voucher_throttle"), 0);
	/* the card is still good */
	r = redeem("alice", "42", "123456789");
	ck_change(&r, "0.0000", "25.5000");
	reply_free(&r);
}
END_TEST

START_TEST(wrong_guesses_on_a_card_lock_it_out)
{
	for (int i = 0; i < 3; i++) {
		struct reply r = redeem("alice", "42", "1");
		ck_fault(&r, 2010);
		reply_free(&r);
	}
	ck_assert_int_eq(num("SELECT failures FROM voucher_throttle WHERE kind = 'card' AND name = '42'"
			     " AND locked_until > UTC_TIMESTAMP() + INTERVAL 250 SECOND"), 3);
	/* the right number is not even looked at now, from any login */
	login = "other";
	long long before = money_state();
	struct reply r = redeem("alice", "42", "123456789");
	ck_fault(&r, 2011);
	reply_free(&r);
	ck_assert_int_eq(money_state(), before);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM voucher_card WHERE id = 42 AND spent_date IS NULL"), 1);
	/* throttled attempts do not count */
	ck_assert_int_eq(num("SELECT failures FROM voucher_throttle WHERE kind = 'card' AND name = '42'"), 3);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM voucher_throttle WHERE kind = 'login' AND name = 'other'"), 0);
	/* the guessing account is locked too; other accounts and cards are not */
	ck_assert_int_eq(num("SELECT failures FROM voucher_throttle WHERE kind = 'account'"
			     " AND name = 'alice@example.com' AND locked_until IS NOT NULL"), 3);
	sql(FIXTURE_SQL_CARD(43, 1, "777"));
	r = redeem("bob", "43", "777");
	ck_change(&r, "12.5000", "38.0000");
	reply_free(&r);
	/* once the lock-out is over (moved into the past here) the card works */
	sql("UPDATE voucher_throttle SET last_failure = last_failure - INTERVAL 301 SECOND,"
	    " locked_until = locked_until - INTERVAL 301 SECOND");
	r = redeem("alice", "42", "123456789");
	ck_change(&r, "0.0000", "25.5000");
	reply_free(&r);
}
END_TEST

START_TEST(wrong_guesses_from_a_login_lock_it_out)
{
	static const char *const ids[] = { "100", "101", "102" };
	static const char *const who[] = { "alice", "bob", "alice" };
	cfg.voucher_login_max_failures = 3;
	for (int i = 0; i < 3; i++) {
		struct reply r = redeem(who[i], ids[i], "1");
		ck_fault(&r, 2010);
		reply_free(&r);
	}
	ck_assert_int_eq(num("SELECT failures FROM voucher_throttle WHERE kind = 'login' AND name = 'test'"
			     " AND locked_until IS NOT NULL"), 3);
	struct reply r = redeem("alice", "42", "123456789");
	ck_fault(&r, 2011);
	reply_free(&r);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM voucher_card WHERE spent_date IS NULL"), 1);
	login = "other";
	r = redeem("alice", "42", "123456789");
	ck_change(&r, "0.0000", "25.5000");
	reply_free(&r);
}
END_TEST

/* CDRTool redeems every end user's cards through one API login: one user
 * guessing must lock out that user's account, not everyone behind the login */
START_TEST(one_guessing_user_does_not_lock_a_shared_login)
{
	for (int i = 0; i < 3; i++) {
		struct reply r = redeem("alice", "100", "1");
		ck_fault(&r, 2010);
		reply_free(&r);
	}
	struct reply r = redeem("alice", "42", "123456789");
	ck_fault(&r, 2011);
	reply_free(&r);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM voucher_throttle WHERE kind = 'login'"
			     " AND locked_until IS NOT NULL"), 0);
	r = redeem("bob", "42", "123456789");
	ck_change(&r, "12.5000", "38.0000");
	reply_free(&r);
}
END_TEST

START_TEST(old_failures_are_forgotten)
{
	for (int i = 0; i < 2; i++) {
		struct reply r = redeem("alice", "42", "1");
		ck_fault(&r, 2010);
		reply_free(&r);
	}
	/* the last wrong guess is older than the lock-out: counting starts over */
	sql("UPDATE voucher_throttle SET last_failure = last_failure - INTERVAL 300 SECOND");
	struct reply r = redeem("alice", "42", "1");
	ck_fault(&r, 2010);
	reply_free(&r);
	ck_assert_int_eq(num("SELECT failures FROM voucher_throttle WHERE kind = 'card' AND name = '42'"
			     " AND locked_until IS NULL"), 1);
	r = redeem("alice", "42", "123456789");
	ck_change(&r, "0.0000", "25.5000");
	reply_free(&r);
}
END_TEST

START_TEST(throttle_can_be_turned_off)
{
	cfg.voucher_max_failures = 0;
	for (int i = 0; i < 10; i++) {
		struct reply r = redeem("alice", "42", "1");
		ck_fault(&r, 2010);
		reply_free(&r);
	}
	ck_assert_int_eq(num("SELECT COUNT(*) FROM voucher_throttle"), 0);
	struct reply r = redeem("alice", "42", "123456789");
	ck_change(&r, "0.0000", "25.5000");
	reply_free(&r);
}
END_TEST

START_TEST(lockout_of_one_guess)
{
	cfg.voucher_max_failures = 1;
	struct reply r = redeem("alice", "42", "1");
	ck_fault(&r, 2010);
	reply_free(&r);
	r = redeem("alice", "42", "123456789");
	ck_fault(&r, 2011);
	reply_free(&r);
}
END_TEST

/* ---- getPrepaidStatus ----------------------------------------------------- */

#define ITEM(u, d) "<item><username xsi:type=\"xsd:string\">" u "</username><domain xsi:type=\"xsd:string\">" d "</domain></item>"
#define STATUS "/" L("Envelope") "/" L("Body") "/*/" L("return")

START_TEST(wire_prepaid_status)
{
	struct reply r = wire("getPrepaidStatus.http");
	ck_ok(&r);
	ck_assert_int_eq((int)xp_num(&r, "count(" STATUS "/" L("item") ")"), 2);
	ck_xp_eq(&r, "string(" STATUS "/@*[local-name()='arrayType'])", "ngn2:PrepaidStatus[2]");
	ck_xp_eq(&r, STATUS "/" L("item") "[1]/" L("balance"), "0.0000");
	ck_xp_eq(&r, STATUS "/" L("item") "[1]/" L("prepaid"), "true");
	ck_xp_eq(&r, STATUS "/" L("item") "[1]/" L("errorcode"), "0");
	ck_xp_eq(&r, STATUS "/" L("item") "[2]/" L("balance"), "12.5000");
	ck_xp_eq(&r, STATUS "/" L("item") "[2]/" L("id") "/" L("username"), "bob");
	ck_xp_eq(&r, "string(" STATUS "/" L("item") "[2]/" L("balance") "/@*[local-name()='type'])", "xsd:decimal");
	reply_free(&r);
	/* reading creates nothing */
	ck_assert_int_eq(num("SELECT COUNT(*) FROM prepaid_balance"), 1);
}
END_TEST

START_TEST(status_in_request_order_with_per_entry_errors)
{
	struct reply r = call("<ns5:getPrepaidStatus><sipIds xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"Struct[7]\">"
			      ITEM("bob", "example.com") ITEM("dave", "example.com") ITEM("carol", "example.com")
			      ITEM("Alice", "EXAMPLE.com") ITEM("", "example.com") ITEM("eve", "example.com")
			      ITEM("bob", "example.com") "</sipIds></ns5:getPrepaidStatus>");
	ck_ok(&r);
	static const struct { const char *user, *prepaid, *balance, *code; } want[] = {
		{ "bob", "true", "12.5000", "0" },
		{ "dave", "false", "0.0000", "1010" },
		{ "carol", "false", "0.0000", "2000" },
		{ "alice", "true", "0.0000", "0" },
		{ "", "false", "0.0000", "4002" },
		{ "eve", "false", "0.0000", "2000" },
		{ "bob", "true", "12.5000", "0" },
	};
	ck_assert_int_eq((int)xp_num(&r, "count(" STATUS "/" L("item") ")"), 7);
	for (int i = 0; i < 7; i++) {
		char e[256];
		snprintf(e, sizeof e, STATUS "/" L("item") "[%d]/" L("id") "/" L("username"), i + 1);
		ck_xp_eq(&r, e, want[i].user);
		snprintf(e, sizeof e, STATUS "/" L("item") "[%d]/" L("prepaid"), i + 1);
		ck_xp_eq(&r, e, want[i].prepaid);
		snprintf(e, sizeof e, STATUS "/" L("item") "[%d]/" L("balance"), i + 1);
		ck_xp_eq(&r, e, want[i].balance);
		snprintf(e, sizeof e, STATUS "/" L("item") "[%d]/" L("errorcode"), i + 1);
		ck_xp_eq(&r, e, want[i].code);
		snprintf(e, sizeof e, "string-length(" STATUS "/" L("item") "[%d]/" L("errorstring") ") > 0", i + 1);
		ck_xp_eq(&r, e, strcmp(want[i].code, "0") ? "true" : "false");
	}
	reply_free(&r);
}
END_TEST

START_TEST(status_of_nothing_is_an_empty_typed_array)
{
	struct reply r = call("<ns5:getPrepaidStatus><sipIds xsi:type=\"SOAP-ENC:Array\""
			      " SOAP-ENC:arrayType=\"xsd:anyType[0]\"/></ns5:getPrepaidStatus>");
	ck_ok(&r);
	ck_assert_int_eq((int)xp_num(&r, "count(" STATUS "/*)"), 0);
	ck_xp_eq(&r, "string(" STATUS "/@*[local-name()='arrayType'])", "ngn2:PrepaidStatus[0]");
	reply_free(&r);
}
END_TEST

START_TEST(status_is_capped)
{
	limits.max_array = 5000;
	size_t cap = 1001 * 128 + 512;
	char *items = malloc(cap);
	size_t n = 0;
	for (int i = 0; i < 1001; i++)
		n += (size_t)snprintf(items + n, cap - n, ITEM("bob", "example.com"));
	struct reply r = call("<ns5:getPrepaidStatus><sipIds xsi:type=\"SOAP-ENC:Array\""
			      " SOAP-ENC:arrayType=\"Struct[1001]\">%s</sipIds></ns5:getPrepaidStatus>", items);
	ck_fault(&r, 4012);
	reply_free(&r);
	/* 1000 is fine */
	char *last = strrchr(items, '<');
	while (last > items && strncmp(last, "<item>", 6) != 0)
		last--;
	*last = '\0';
	r = call("<ns5:getPrepaidStatus><sipIds xsi:type=\"SOAP-ENC:Array\""
		 " SOAP-ENC:arrayType=\"Struct[1000]\">%s</sipIds></ns5:getPrepaidStatus>", items);
	ck_ok(&r);
	ck_assert_int_eq((int)xp_num(&r, "count(" STATUS "/" L("item") ")"), 1000);
	reply_free(&r);
	free(items);
}
END_TEST

/* ---- getCreditHistory ----------------------------------------------------- */

#define ENTRIES RET "/" L("entries")

START_TEST(wire_history_of_nothing_is_an_empty_typed_array)
{
	struct reply r = wire("getCreditHistory.http");
	ck_ok(&r);
	ck_assert_int_eq((int)xp_num(&r, "count(" ENTRIES "/*)"), 0);
	ck_xp_eq(&r, "string(" ENTRIES "/@*[local-name()='arrayType'])", "ngn2:CreditHistoryEntry[0]");
	reply_free(&r);
}
END_TEST

START_TEST(history_newest_first_with_count)
{
	static const char *const values[] = { "5", "-1.25", "0.0001", "100", "-50.5" };
	for (int i = 0; i < 5; i++) {
		struct reply r = add("alice", values[i]);
		ck_ok(&r);
		reply_free(&r);
	}
	struct reply r = history("alice", 3);
	ck_ok(&r);
	ck_assert_int_eq((int)xp_num(&r, "count(" ENTRIES "/" L("item") ")"), 3);
	ck_xp_eq(&r, ENTRIES "/" L("item") "[1]/" L("value"), "-50.5000");
	ck_xp_eq(&r, ENTRIES "/" L("item") "[1]/" L("balance"), "53.2501");
	ck_xp_eq(&r, ENTRIES "/" L("item") "[2]/" L("value"), "100.0000");
	ck_xp_eq(&r, ENTRIES "/" L("item") "[2]/" L("balance"), "103.7501");
	ck_xp_eq(&r, ENTRIES "/" L("item") "[3]/" L("value"), "0.0001");
	ck_xp_eq(&r, ENTRIES "/" L("item") "[3]/" L("balance"), "3.7501");
	ck_xp_eq(&r, ENTRIES "/" L("item") "[1]/" L("action"), "Add balance");
	ck_xp_eq(&r, ENTRIES "/" L("item") "[1]/" L("description"), "test");
	ck_xp_eq(&r, "string(" ENTRIES "/" L("item") "[1]/" L("value") "/@*[local-name()='type'])", "xsd:decimal");
	ck_assert_int_eq((int)xp_num(&r, "count(" ENTRIES "/" L("item") "/" L("session") ")"), 0);
	/* date: "YYYY-MM-DD hh:mm:ss", UTC (CDRTool compares the first 10
	 * characters with today's date) */
	char *date = xp_str(&r, "string(" ENTRIES "/" L("item") "[1]/" L("date") ")");
	ck_assert_uint_eq(strlen(date), 19);
	for (int i = 0; i < 19; i++)
		ck_assert_msg(i == 4 || i == 7 ? date[i] == '-' : i == 10 ? date[i] == ' '
			      : i == 13 || i == 16 ? date[i] == ':' : (date[i] >= '0' && date[i] <= '9'),
			      "bad date %s", date);
	char today[11];
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	if (tm.tm_hour != 0 || tm.tm_min != 0)  /* not just past midnight */
		ck_assert_msg(strncmp(date, today, 10) == 0, "%s is not today (%s) in UTC", date, today);
	free(date);
	reply_free(&r);
	/* count <= 0 gives the default (all five here), large counts are clamped */
	static const int counts[] = { 0, -1, 5000, 5, 6 };
	for (int i = 0; i < 5; i++) {
		r = history("alice", counts[i]);
		ck_ok(&r);
		ck_assert_int_eq((int)xp_num(&r, "count(" ENTRIES "/" L("item") ")"), 5);
		ck_xp_eq(&r, ENTRIES "/" L("item") "[5]/" L("value"), "5.0000");
		reply_free(&r);
	}
	r = history("alice", 1);
	ck_ok(&r);
	ck_assert_int_eq((int)xp_num(&r, "count(" ENTRIES "/" L("item") ")"), 1);
	reply_free(&r);
}
END_TEST

START_TEST(history_clamps_to_its_maximum)
{
	/* 1005 rows, written straight in */
	sql("INSERT INTO prepaid_history (subscriber_id, date, action, value, balance)"
	    " SELECT 2, UTC_TIMESTAMP(), 'Add balance', 1, seq FROM seq_1_to_1005");
	struct reply r = history("bob", 100000);
	ck_ok(&r);
	ck_assert_int_eq((int)xp_num(&r, "count(" ENTRIES "/" L("item") ")"), 1000);
	ck_xp_eq(&r, ENTRIES "/" L("item") "[1]/" L("balance"), "0.1005");
	ck_xp_eq(&r, ENTRIES "/" L("item") "[1000]/" L("balance"), "0.0006");
	reply_free(&r);
}
END_TEST

START_TEST(history_faults)
{
	struct reply r = history("carol", 10);
	ck_fault(&r, 2000);
	reply_free(&r);
	r = history("dave", 10);
	ck_fault(&r, 1010);
	reply_free(&r);
	r = history("", 10);
	ck_fault(&r, 4002);
	reply_free(&r);
	r = history("al ice", 10);
	ck_fault(&r, 4003);
	reply_free(&r);
}
END_TEST

START_TEST(prepaid_off_keeps_balance_and_history)
{
	struct reply r = add("bob", "7.5");
	ck_change(&r, "12.5000", "20.0000");
	reply_free(&r);
	sql("UPDATE sip_account SET prepaid = 0 WHERE subscriber_id = 2");
	r = history("bob", 10);
	ck_fault(&r, 2000);
	reply_free(&r);
	r = add("bob", "1");
	ck_fault(&r, 2000);
	reply_free(&r);
	ck_assert_int_eq(num("SELECT balance FROM prepaid_balance WHERE subscriber_id = 2"), 200000);
	sql("UPDATE sip_account SET prepaid = 1 WHERE subscriber_id = 2");
	r = history("bob", 10);
	ck_ok(&r);
	ck_assert_int_eq((int)xp_num(&r, "count(" ENTRIES "/" L("item") ")"), 1);
	reply_free(&r);
	r = add("bob", "1");
	ck_change(&r, "20.0000", "21.0000");
	reply_free(&r);
}
END_TEST

/* ---- concurrency at the store level -------------------------------------- */

static struct db_cfg thread_cfg(void)
{
	struct db_cfg c = { 0 };
	c.socket = getenv("NGN_TEST_DB_SOCKET");
	c.user = getenv("NGN_TEST_DB_USER") ? getenv("NGN_TEST_DB_USER") : "root";
	c.password = "";
	c.database = getenv("NGN_TEST_DB_NAME") ? getenv("NGN_TEST_DB_NAME") : "ngnprod";
	c.connect_timeout = 5;
	c.rw_timeout = 30;
	return c;
}

#define ADD_THREADS 32
#define ADD_CALLS 200

static pthread_barrier_t barrier;
static const struct scope admin = { ROLE_ADMIN, 0, 0 };
static const struct sip_id alice = { "alice", "example.com" };

struct adder {
	uint64_t seed;
	money_t acked;       /* sum of the values of the acknowledged calls */
	int ok, refused, other;
	int inconsistent;    /* replies whose new != old + value or < 0 */
};

static void *adder_main(void *p)
{
	struct adder *a = p;
	struct db_cfg c = thread_cfg();
	struct db *d = db_new(&c);
	if (d == NULL || db_connect(d) != NGN_OK)
		a->other = -1;
	pthread_barrier_wait(&barrier);
	for (int i = 0; i < ADD_CALLS && a->other >= 0; i++) {
		a->seed ^= a->seed << 13;
		a->seed ^= a->seed >> 7;
		a->seed ^= a->seed << 17;
		/* -100.0000 .. +90.0000: the balance drifts down to zero and
		 * stays near it, so many debits meet the floor */
		money_t v = (money_t)(a->seed % 1900001) - 1000000;
		if (v == 0)
			v = 1;
		struct balance_change ch;
		struct store_res res;
		store_res_init(&res);
		enum ngn_status st = store_prepaid_add(d, &admin, &alice, v, "concurrency", "t", &ch, &res);
		store_res_free(&res);
		if (st == NGN_OK) {
			a->acked += v;
			a->ok++;
			if (ch.new_balance != ch.old_balance + v || ch.new_balance < 0)
				a->inconsistent++;
		} else if (st == NGN_E_INSUFFICIENT_BALANCE) {
			a->refused++;
		} else {
			a->other++;
		}
	}
	db_free(d);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(concurrent_add_balance_is_exact)
{
	pthread_t th[ADD_THREADS];
	struct adder a[ADD_THREADS];
	pthread_barrier_init(&barrier, NULL, ADD_THREADS + 1);
	for (int i = 0; i < ADD_THREADS; i++) {
		memset(&a[i], 0, sizeof a[i]);
		a[i].seed = 0x9E3779B97F4A7C15ULL * (uint64_t)(i + 1);
		ck_assert_int_eq(pthread_create(&th[i], NULL, adder_main, &a[i]), 0);
	}
	pthread_barrier_wait(&barrier);
	double t0 = now_s();
	for (int i = 0; i < ADD_THREADS; i++)
		pthread_join(th[i], NULL);
	double dt = now_s() - t0;
	pthread_barrier_destroy(&barrier);
	money_t acked = 0;
	long long ok = 0, refused = 0;
	for (int i = 0; i < ADD_THREADS; i++) {
		ck_assert_msg(a[i].other == 0, "thread %d: %d calls failed otherwise", i, a[i].other);
		ck_assert_int_eq(a[i].inconsistent, 0);
		acked += a[i].acked;
		ok += a[i].ok;
		refused += a[i].refused;
	}
	fprintf(stderr, "concurrency: %d threads x %d addBalance: %lld acknowledged, %lld refused (2020)"
		" in %.2f s = %.0f calls/s\n", ADD_THREADS, ADD_CALLS, ok, refused, dt,
		(double)(ADD_THREADS * ADD_CALLS) / dt);
	ck_assert_int_eq(ok + refused, ADD_THREADS * ADD_CALLS);
	ck_assert_msg(refused > 0 && ok > refused, "the floor was not exercised");
	ck_assert_int_eq(num("SELECT balance FROM prepaid_balance WHERE subscriber_id = 1"), acked);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM prepaid_history WHERE subscriber_id = 1"), ok);
	ck_assert_int_eq(num("SELECT SUM(value) FROM prepaid_history WHERE subscriber_id = 1"), acked);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM prepaid_history WHERE balance < 0"), 0);
	/* every row's balance is the previous one's plus its value, from 0 */
	ck_assert_int_eq(num("SELECT COUNT(*) FROM (SELECT balance, value,"
			     " COALESCE(LAG(balance) OVER (ORDER BY id), 0) AS prev FROM prepaid_history"
			     " WHERE subscriber_id = 1) t WHERE balance <> prev + value"), 0);
	ck_assert_int_eq(num("SELECT balance FROM prepaid_history WHERE subscriber_id = 1 ORDER BY id DESC LIMIT 1"),
			 acked);
}
END_TEST

#define REDEEM_THREADS 16

struct redeemer {
	enum ngn_status st;
};

static void *redeemer_main(void *p)
{
	struct redeemer *r = p;
	struct db_cfg c = thread_cfg();
	struct db *d = db_new(&c);
	struct voucher_limits lim = { .max_failures = 5, .login_max_failures = 100, .lockout = 300 };
	int up = d != NULL && db_connect(d) == NGN_OK;
	pthread_barrier_wait(&barrier);
	struct balance_change ch;
	struct store_res res;
	store_res_init(&res);
	r->st = up ? store_voucher_redeem(d, &admin, &alice, 42, "123456789", "t", &lim, &ch, &res)
		   : NGN_E_DB_UNAVAILABLE;
	store_res_free(&res);
	db_free(d);
	return NULL;
}

START_TEST(concurrent_redeem_wins_once)
{
	for (int round = 0; round < 5; round++) {
		if (round > 0) {
			sql("DELETE FROM prepaid_history");
			sql("DELETE FROM prepaid_balance WHERE subscriber_id = 1");
			sql("DELETE FROM voucher_throttle");
			sql("UPDATE voucher_card SET spent_date = NULL, spent_by = NULL, spent_login = NULL");
		}
		pthread_t th[REDEEM_THREADS];
		struct redeemer r[REDEEM_THREADS];
		pthread_barrier_init(&barrier, NULL, REDEEM_THREADS);
		for (int i = 0; i < REDEEM_THREADS; i++)
			ck_assert_int_eq(pthread_create(&th[i], NULL, redeemer_main, &r[i]), 0);
		for (int i = 0; i < REDEEM_THREADS; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&barrier);
		int won = 0;
		for (int i = 0; i < REDEEM_THREADS; i++) {
			if (r[i].st == NGN_OK)
				won++;
			else
				ck_assert_msg(r[i].st == NGN_E_VOUCHER_INVALID || r[i].st == NGN_E_VOUCHER_THROTTLED,
					      "thread %d: status %d", i, r[i].st);
		}
		ck_assert_int_eq(won, 1);
		ck_assert_int_eq(num("SELECT balance FROM prepaid_balance WHERE subscriber_id = 1"), 255000);
		ck_assert_int_eq(num("SELECT COUNT(*) FROM prepaid_history"), 1);
		ck_assert_int_eq(num("SELECT spent_by FROM voucher_card WHERE id = 42"), 1);
	}
}
END_TEST

/* ---- the voucher CLI ------------------------------------------------------ */

static char tmpdir[4096];

static const char *tmp_path(const char *name)
{
	static char p[4200];
	const char *t = getenv("NGN_TEST_TMP") ? getenv("NGN_TEST_TMP") : "/tmp";
	snprintf(tmpdir, sizeof tmpdir, "%s", t);
	snprintf(p, sizeof p, "%s/%s-%ld", tmpdir, name, (long)getpid());
	return p;
}

/* Runs voucher_cli with the words of line, capturing stdout into out. */
static int cli(char *out, size_t outsz, const char *line)
{
	char buf[2048];
	snprintf(buf, sizeof buf, "%s", line);
	char *argv[32];
	int argc = 0;
	for (char *tok = strtok(buf, " "); tok && argc < 31; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	char cap[4200];
	snprintf(cap, sizeof cap, "%s", tmp_path("stdout"));
	fflush(stdout);
	int saved = dup(1);
	int fd = open(cap, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	dup2(fd, 1);
	close(fd);
	int rc = voucher_cli(db, argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	if (out) {
		FILE *f = fopen(cap, "r");
		size_t n = fread(out, 1, outsz - 1, f);
		out[n] = '\0';
		fclose(f);
	}
	unlink(cap);
	return rc;
}

START_TEST(cli_create_redeem_list_disable)
{
	sql("DELETE FROM voucher_card");
	sql("DELETE FROM voucher_batch");
	char csv[4200], line[4600], out[8192];
	snprintf(csv, sizeof csv, "%s", tmp_path("batch.csv"));
	unlink(csv);
	snprintf(line, sizeof line, "voucher create --count 5 --value 7.25 --expires 2099-12-31 --name=spring --csv %s", csv);
	ck_assert_int_eq(cli(out, sizeof out, line), 0);
	ck_assert_ptr_nonnull(strstr(out, "5 cards of 7.2500"));
	struct stat sb;
	ck_assert_int_eq(stat(csv, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM voucher_batch WHERE disabled = 0 AND value = 72500"
			     " AND expires = '2099-12-31' AND name = 'spring'"), 1);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM voucher_card"), 5);
	long long batch = num("SELECT id FROM voucher_batch");
	char cmd[64];
	ck_assert_int_eq(num("SELECT COUNT(DISTINCT salt) FROM voucher_card WHERE salt REGEXP '^[0-9a-f]{32}$'"
			     " AND number_hash REGEXP '^[0-9a-f]{64}$'"), 5);
	/* the CSV: header and 5 cards, each number 20 digits grouped by 4 */
	FILE *f = fopen(csv, "r");
	ck_assert_ptr_nonnull(f);
	char row[256];
	ck_assert_ptr_nonnull(fgets(row, sizeof row, f));
	ck_assert_str_eq(row, "card_id,number,value,expires\n");
	unsigned ids[5];
	char numbers[5][32];
	for (int i = 0; i < 5; i++) {
		ck_assert_ptr_nonnull(fgets(row, sizeof row, f));
		char value[32], exp[32];
		ck_assert_int_eq(sscanf(row, "%u,%31[0-9-],%31[^,],%31s", &ids[i], numbers[i], value, exp), 4);
		ck_assert_uint_eq(strlen(numbers[i]), 24);
		ck_assert_str_eq(value, "7.2500");
		ck_assert_str_eq(exp, "2099-12-31");
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(numbers[i], numbers[j]);
		/* stored only as a salted hash */
		char digits[32];
		int k = 0;
		for (const char *p = numbers[i]; *p; p++)
			if (*p != '-')
				digits[k++] = *p;
		digits[k] = '\0';
		ck_assert_int_eq(stored_anywhere(digits), 0);
	}
	ck_assert_ptr_null(fgets(row, sizeof row, f));
	fclose(f);
	/* never overwritten */
	snprintf(line, sizeof line, "voucher create --count 1 --value 1 --csv %s", csv);
	ck_assert_int_eq(cli(NULL, 0, line), 1);
	ck_assert_int_eq(stat(csv, &sb), 0);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM voucher_batch"), 1);
	/* redeem one card through the SOAP handler, as typed from the CSV */
	char id[16];
	snprintf(id, sizeof id, "%u", ids[0]);
	struct reply r = redeem("alice", id, numbers[0]);
	ck_change(&r, "0.0000", "7.2500");
	reply_free(&r);
	ck_assert_int_eq(cli(out, sizeof out, "voucher list"), 0);
	ck_assert_ptr_nonnull(strstr(out, "batch"));
	unsigned b, cards, spent;
	char value[32], exp[32], dis[8];
	const char *second = strchr(out, '\n') + 1;
	ck_assert_int_eq(sscanf(second, "%u %u %u %31s %31s %7s", &b, &cards, &spent, value, exp, dis), 6);
	ck_assert_uint_eq(b, batch);
	ck_assert_uint_eq(cards, 5);
	ck_assert_uint_eq(spent, 1);
	ck_assert_str_eq(value, "7.2500");
	ck_assert_str_eq(exp, "2099-12-31");
	ck_assert_str_eq(dis, "no");
	ck_assert_ptr_nonnull(strstr(second, "spring"));
	/* disable blocks the rest */
	snprintf(cmd, sizeof cmd, "voucher disable %lld", batch);
	ck_assert_int_eq(cli(out, sizeof out, cmd), 0);
	snprintf(id, sizeof id, "%u", ids[1]);
	long long before = money_state();
	r = redeem("alice", id, numbers[1]);
	ck_fault(&r, 2010);
	reply_free(&r);
	ck_assert_int_eq(money_state(), before);
	ck_assert_int_eq(cli(out, sizeof out, "voucher list"), 0);
	ck_assert_ptr_nonnull(strstr(out, " yes "));
	ck_assert_int_eq(cli(NULL, 0, "voucher disable 999"), 1);
	unlink(csv);
}
END_TEST

START_TEST(cli_refuses_bad_arguments)
{
	char csv[4200], line[4600];
	snprintf(csv, sizeof csv, "%s", tmp_path("bad.csv"));
	unlink(csv);
	/* FILE stands for the CSV path */
	static const char *const bad[] = {
		"voucher", "voucher frobnicate", "voucher list extra", "voucher disable", "voucher disable x",
		"voucher disable 0", "voucher create --count 5 --value 1",
		"voucher create --count 0 --value 1 --csv FILE", "voucher create --count 100001 --value 1 --csv FILE",
		"voucher create --count x --value 1 --csv FILE", "voucher create --value 1 --csv FILE",
		"voucher create --count 1 --value 1.00001 --csv FILE", "voucher create --count 1 --value -5 --csv FILE",
		"voucher create --count 1 --value 0 --csv FILE", "voucher create --count 1 --value NaN --csv FILE",
		"voucher create --count 1 --csv FILE", "voucher create --count 1 --value 1 --expires 2001-01-01 --csv FILE",
		"voucher create --count 1 --value 1 --expires 2099-02-30 --csv FILE",
		"voucher create --count 1 --value 1 --expires tomorrow --csv FILE",
		"voucher create --count 1 --value 1 --bogus --csv FILE", "voucher create --count 1 --value 1 --csv",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *f = strstr(bad[i], "FILE");
		if (f != NULL)
			snprintf(line, sizeof line, "%.*s%s", (int)(f - bad[i]), bad[i], csv);
		else
			snprintf(line, sizeof line, "%s", bad[i]);
		ck_assert_msg(cli(NULL, 0, line) == 2, "'%s' accepted", line);
		ck_assert_msg(access(csv, F_OK) != 0, "'%s' left a file", line);
	}
	ck_assert_int_eq(num("SELECT COUNT(*) FROM voucher_batch"), 1);  /* the fixture's */
	ck_assert_int_eq(cli(NULL, 0, "voucher help"), 0);
}
END_TEST

/* ---- scope: a narrowed login sees only its own tenant ---------------------- */

/* frank@example.net belongs to reseller 2, customer 20 (prepaid, balance 7,
 * one history row); alice, bob and carol are moved to reseller 1,
 * customer 10. */
static void two_tenants(void)
{
	sql("UPDATE sip_account SET reseller = 1, customer = 10");
	sql("INSERT INTO domain (id, domain) VALUES (2, 'example.net')");
	sql("INSERT INTO subscriber (id, username, domain) VALUES (5, 'frank', 'example.net')");
	sql("INSERT INTO sip_account (subscriber_id, domain_id, prepaid, reseller, customer) VALUES (5, 2, 1, 2, 20)");
	sql("INSERT INTO prepaid_balance (subscriber_id, balance) VALUES (5, 70000)");
	sql("INSERT INTO prepaid_history (subscriber_id, date, action, value, balance)"
	    " VALUES (5, UTC_TIMESTAMP(), 'Add balance', 70000, 70000)");
}

/* The fault code and errorstring of a reply, with the account's name
 * replaced by "X", so that a foreign and a missing account can be compared. */
static void fault_of(const struct reply *r, const char *name, char *out, size_t outsz)
{
	char *es = xp_str(r, "string(//" L("errorstring") ")");
	char *code = xp_str(r, "string(//" L("errorcode") ")");
	char *at = strstr(es, name);
	if (at != NULL)
		snprintf(out, outsz, "%s %.*sX%s", code, (int)(at - es), es, at + strlen(name));
	else
		snprintf(out, outsz, "%s %s", code, es);
	free(es);
	free(code);
}

static struct reply call_on(const char *op, const char *user, const char *domain, const char *rest)
{
	return call("<ns5:%s><sipId xsi:type=\"ns4:SipId\"><username>%s</username><domain>%s</domain></sipId>"
		    "%s</ns5:%s>", op, user, domain, rest, op);
}

START_TEST(soap_scope_hides_foreign_accounts)
{
	two_tenants();
	static const struct scope narrow[] = { { ROLE_RESELLER, 1, 0 }, { ROLE_CUSTOMER, 0, 10 } };
	static const struct { const char *op, *rest; } ops[] = {
		{ "addBalance", "<value>5</value><description>x</description>" },
		{ "addBalanceFromVoucher", "<card><id>42</id><number>123456789</number></card>" },
		{ "getCreditHistory", "<count>10</count>" },
	};
	for (size_t k = 0; k < 2; k++) {
		scope = narrow[k];
		long long before = money_state();
		for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
			char foreign[512], missing[512];
			struct reply r = call_on(ops[i].op, "frank", "example.net", ops[i].rest);
			ck_fault(&r, 1010);
			fault_of(&r, "frank@example.net", foreign, sizeof foreign);
			reply_free(&r);
			r = call_on(ops[i].op, "nobody", "example.net", ops[i].rest);
			fault_of(&r, "nobody@example.net", missing, sizeof missing);
			reply_free(&r);
			ck_assert_str_eq(foreign, missing);
		}
		struct reply r = call("<ns5:getPrepaidStatus><sipIds xsi:type=\"SOAP-ENC:Array\""
				      " SOAP-ENC:arrayType=\"Struct[2]\">" ITEM("frank", "example.net")
				      ITEM("bob", "example.com") "</sipIds></ns5:getPrepaidStatus>");
		ck_ok(&r);
		ck_xp_eq(&r, STATUS "/" L("item") "[1]/" L("errorcode"), "1010");
		ck_xp_eq(&r, STATUS "/" L("item") "[1]/" L("balance"), "0.0000");
		ck_xp_eq(&r, STATUS "/" L("item") "[1]/" L("prepaid"), "false");
		ck_xp_eq(&r, STATUS "/" L("item") "[2]/" L("balance"), "12.5000");
		reply_free(&r);
		ck_assert_int_eq(money_state(), before);
		ck_assert_int_eq(num("SELECT COUNT(*) FROM voucher_card WHERE spent_date IS NOT NULL"), 0);
		/* the own tenant's accounts work as before */
		r = add("alice", "1");
		ck_ok(&r);
		reply_free(&r);
	}
	/* the admin sees every tenant */
	scope = (struct scope){ ROLE_ADMIN, 0, 0 };
	struct reply r = call_on("addBalance", "frank", "example.net", "<value>1</value>");
	ck_change(&r, "7.0000", "8.0000");
	reply_free(&r);
}
END_TEST

/* The same below the SOAP edge, where the admin tool and every future
 * handler call in: each store call with a narrowed scope. */
START_TEST(store_scope_hides_foreign_accounts)
{
	two_tenants();
	const struct sip_id frank = { "frank", "example.net" }, nobody = { "nobody", "example.net" };
	const struct sip_id eve = { "eve", "example.com" };
	const struct scope narrow[] = { { ROLE_RESELLER, 1, 0 }, { ROLE_CUSTOMER, 0, 10 }, { ROLE_RESELLER, 1, 10 } };
	const struct voucher_limits lim = { 3, 0, 300 };
	/* frank's own lock-out must not tell him apart from a missing account */
	sql("INSERT INTO voucher_throttle (kind, name, failures, last_failure, locked_until)"
	    " VALUES ('account', 'frank@example.net', 3, UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL 300 SECOND)");
	long long before = money_state();
	for (size_t k = 0; k < sizeof narrow / sizeof narrow[0]; k++) {
		const struct scope *sc = &narrow[k];
		struct store_res res;
		struct balance_change ch;
		store_res_init(&res);
		ck_assert_int_eq(store_prepaid_add(db, sc, &frank, 10000, "x", "t", &ch, &res), NGN_E_ACCOUNT_NOT_FOUND);
		ck_assert_str_eq(res.err.msg, "SIP account frank@example.net does not exist");
		ck_assert_int_eq(store_prepaid_add(db, sc, &nobody, 10000, "x", "t", &ch, &res), NGN_E_ACCOUNT_NOT_FOUND);
		ck_assert_str_eq(res.err.msg, "SIP account nobody@example.net does not exist");
		/* a debit is no way in either */
		ck_assert_int_eq(store_prepaid_add(db, sc, &frank, -10000, "x", "t", &ch, &res), NGN_E_ACCOUNT_NOT_FOUND);

		struct prepaid_history h = { NULL, 0 };
		ck_assert_int_eq(store_prepaid_history(db, sc, &frank, 10, &h, &res), NGN_E_ACCOUNT_NOT_FOUND);
		ck_assert_str_eq(res.err.msg, "SIP account frank@example.net does not exist");
		ck_assert_uint_eq(h.n, 0);

		ck_assert_int_eq(store_voucher_redeem(db, sc, &frank, 42, "123456789", "t", &lim, &ch, &res),
				 NGN_E_ACCOUNT_NOT_FOUND);
		ck_assert_str_eq(res.err.msg, "SIP account frank@example.net does not exist");
		ck_assert_int_eq(store_voucher_redeem(db, sc, &nobody, 42, "123456789", "t", &lim, &ch, &res),
				 NGN_E_ACCOUNT_NOT_FOUND);

		/* status: foreign and missing look alike; a subscriber without a
		 * sip_account row has no tenant, so it is nobody's in a narrowed scope */
		struct prepaid_status items[4] = {
			{ .id = frank, .lookup = 1 }, { .id = nobody, .lookup = 1 }, { .id = eve, .lookup = 1 },
			{ .id = { "bob", "example.com" }, .lookup = 1 },
		};
		ck_assert_int_eq(store_prepaid_status(db, sc, items, 4, &res), NGN_OK);
		for (int i = 0; i < 3; i++) {
			ck_assert_int_eq(items[i].st, NGN_E_ACCOUNT_NOT_FOUND);
			ck_assert_int_eq(items[i].prepaid, 0);
			ck_assert_int_eq(items[i].balance, 0);
		}
		ck_assert_int_eq(items[3].st, NGN_OK);
		ck_assert_int_eq(items[3].balance, 125000);

		/* batches are the platform's */
		int found = 1;
		struct voucher_batch_spec spec = { "t", 10000, NULL, 1 };
		struct voucher_new_card card;
		uint32_t batch = 0;
		ck_assert_int_eq(store_voucher_create(db, sc, &spec, &batch, &card), NGN_E_FORBIDDEN);
		ck_assert_int_eq(store_voucher_set_disabled(db, sc, 1, 1, &found), NGN_E_FORBIDDEN);
		ck_assert_int_eq(found, 0);
		store_res_free(&res);
	}
	ck_assert_int_eq(money_state(), before);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM voucher_card WHERE spent_date IS NOT NULL"), 0);
	ck_assert_int_eq(num("SELECT COUNT(*) FROM voucher_batch WHERE disabled = 0"), 1);
	/* not a guess: nothing counted against the card or the login */
	ck_assert_int_eq(num("SELECT COUNT(*) FROM voucher_throttle"), 1);

	/* frank's own reseller, and the admin, reach him; eve is "not prepaid"
	 * for the admin, as before */
	const struct scope own = { ROLE_RESELLER, 2, 0 }, all = { ROLE_ADMIN, 0, 0 };
	struct store_res res;
	struct balance_change ch;
	store_res_init(&res);
	ck_assert_int_eq(store_prepaid_add(db, &own, &frank, 10000, "x", "t", &ch, &res), NGN_OK);
	ck_assert_int_eq(ch.new_balance, 80000);
	ck_assert_int_eq(store_prepaid_add(db, &all, &frank, 10000, "x", "t", &ch, &res), NGN_OK);
	ck_assert_int_eq(ch.new_balance, 90000);
	ck_assert_int_eq(store_prepaid_add(db, &all, &eve, 10000, "x", "t", &ch, &res), NGN_E_NOT_PREPAID);
	ck_assert_str_eq(res.err.msg, "SIP account eve@example.com is not prepaid");
	/* and for the own tenant a locked-out account is still locked out */
	ck_assert_int_eq(store_voucher_redeem(db, &own, &frank, 42, "123456789", "t", &lim, &ch, &res),
			 NGN_E_VOUCHER_THROTTLED);
	store_res_free(&res);
}
END_TEST

static Suite *prepaid_suite(void)
{
	Suite *s = suite_create("prepaid");
	TCase *tc = tcase_create("addBalance");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, wire_add_balance_credits_and_logs);
	tcase_add_test(tc, exact_decimals_in_and_out);
	tcase_add_test(tc, debit_below_zero_is_refused_and_changes_nothing);
	tcase_add_test(tc, invalid_amounts_fault_2021_and_change_nothing);
	tcase_add_test(tc, balance_maximum_is_enforced);
	tcase_add_test(tc, accounts_faults_change_nothing);
	tcase_add_test(tc, ids_are_lower_cased);
	tcase_add_test(tc, description_length);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("voucher");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, wire_voucher_redeems_once);
	tcase_add_test(tc, invalid_cards_look_alike);
	tcase_add_test(tc, voucher_account_and_shape_faults);
	tcase_add_test(tc, wrong_guesses_on_a_card_lock_it_out);
	tcase_add_test(tc, wrong_guesses_from_a_login_lock_it_out);
	tcase_add_test(tc, old_failures_are_forgotten);
	tcase_add_test(tc, throttle_can_be_turned_off);
	tcase_add_test(tc, one_guessing_user_does_not_lock_a_shared_login);
	tcase_add_test(tc, lockout_of_one_guess);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("status");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, wire_prepaid_status);
	tcase_add_test(tc, status_in_request_order_with_per_entry_errors);
	tcase_add_test(tc, status_of_nothing_is_an_empty_typed_array);
	tcase_add_test(tc, status_is_capped);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("history");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, wire_history_of_nothing_is_an_empty_typed_array);
	tcase_add_test(tc, history_newest_first_with_count);
	tcase_add_test(tc, history_clamps_to_its_maximum);
	tcase_add_test(tc, history_faults);
	tcase_add_test(tc, prepaid_off_keeps_balance_and_history);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("concurrency");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, concurrent_add_balance_is_exact);
	tcase_add_test(tc, concurrent_redeem_wins_once);
	tcase_set_timeout(tc, 180);
	suite_add_tcase(s, tc);

	tc = tcase_create("scope");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, soap_scope_hides_foreign_accounts);
	tcase_add_test(tc, store_scope_hides_foreign_accounts);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("cli");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, cli_create_redeem_list_disable);
	tcase_add_test(tc, cli_refuses_bad_arguments);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (getenv("NGN_TEST_DB_SOCKET") == NULL) {
		fprintf(stderr, "check_prepaid: needs a database; run under tests/lib/with-mariadb.sh\n");
		return 77;  /* automake: skipped */
	}
	xmlInitParser();
	SRunner *sr = srunner_create(prepaid_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	xmlCleanupParser();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
