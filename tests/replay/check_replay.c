/* check_replay.c: every captured client request in
 * ../shared/ngnpro-wire/requests/ replayed byte for byte against a live
 * ngnprod (only the login and the Content-Length are fixed up).
 *
 * Each fixture has one entry in `cases`: the state it needs (built through
 * SOAP calls of our own), the errorcode it must get (0 for none; a fault only
 * where the contract says one is right), what must then be stored (checked
 * in the database) or returned, and the errorcode of a second, identical
 * replay (1001/1011/... for an add, 0 for idempotent calls). Every reply,
 * result or fault, must also have the shape clients decode correctly
 * (sc_reply_shape: contract §5 and §6). A fixture without an entry fails
 * the `coverage` test, so new captures are never skipped silently.
 *
 * Runs under tests/lib/with-server.sh (re-runs itself under it if needed).
 * The fixtures are the verbatim copy in tests/fixtures/ngnpro-wire (or
 * ../shared beside the repository); if they are missing,
 * every test fails saying so. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "liveserver.h"
#include "soapclient.h"

#define DOM "example.com"

/* ---- state through SOAP ------------------------------------------------------------- */

/* A SOAP call of the test's own that must end in one of the codes
 * (0-terminated list after the first). */
static void call_expect(const char *what, const char *method, const char *params, int code, int alt)
{
	struct sc_resp r;
	struct sc_xml *x;
	int got = sc_call(method, params, &r, &x);
	ck_assert_msg(got != 9002, "%s: %s is not implemented on this build (merge core/prepaid)", what, method);
	ck_assert_msg(got == code || (alt && got == alt), "%s: %s gave fault %d (expected %d): %.500s", what, method, got,
		      code, r.body ? r.body : "(no reply)");
	sc_xml_free(x);
	sc_resp_free(&r);
}

static const char SIPID_FMT[] = "<sipId xsi:type=\"ngn:SipId\"><username xsi:type=\"xsd:string\">%s</username>"
				"<domain xsi:type=\"xsd:string\">" DOM "</domain></sipId>";

static void reset(void)
{
	char p[512];
	snprintf(p, sizeof p,
		 "<id xsi:type=\"ngn:SipId\"><username xsi:type=\"xsd:string\">al</username>"
		 "<domain xsi:type=\"xsd:string\">" DOM "</domain></id>");
	call_expect("reset", "deleteAlias", p, 0, 1020);
	static const char *const users[] = { "alice", "bob" };
	for (int i = 0; i < 2; i++) {
		snprintf(p, sizeof p, SIPID_FMT, users[i]);
		call_expect("reset", "deleteAccount", p, 0, 1010);
	}
	call_expect("reset", "deleteDomain", "<domain xsi:type=\"xsd:string\">" DOM "</domain>", 0, 1000);
	ck_assert_int_eq(ls_sql_scalar("SELECT COUNT(*) FROM subscriber WHERE domain='" DOM "'"), 0);
}

static void add_domain(void)
{
	reset();
	call_expect("setup", "addDomain",
		    "<domain xsi:type=\"ngn:SipDomain\"><domain xsi:type=\"xsd:string\">" DOM "</domain>"
		    "<customer xsi:type=\"xsd:int\">0</customer><reseller xsi:type=\"xsd:int\">0</reseller></domain>",
		    0, 0);
}

/* addAccount user@example.com, password "old-<user>", plus extra members */
static void add_account(const char *user, const char *extra)
{
	char p[4096];
	snprintf(p, sizeof p,
		 "<account xsi:type=\"ngn:SipAccount\"><id><username xsi:type=\"xsd:string\">%s</username>"
		 "<domain xsi:type=\"xsd:string\">" DOM "</domain></id><password xsi:type=\"xsd:string\">old-%s</password>"
		 "%s</account>",
		 user, user, extra ? extra : "");
	call_expect("setup", "addAccount", p, 0, 0);
}

static const char GROUPS_FB[] =
	"<groups xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"xsd:string[2]\">"
	"<item xsi:type=\"xsd:string\">free-pstn</item><item xsi:type=\"xsd:string\">blocked</item></groups>";

static void add_alice(void)
{
	add_domain();
	add_account("alice", NULL);
}

static void add_alice_bob(void)
{
	add_domain();
	add_account("alice", "<firstName xsi:type=\"xsd:string\">Alice</firstName>");
	add_account("bob", NULL);
}

static void add_alice_groups(void)
{
	add_domain();
	add_account("alice", GROUPS_FB);
}

static void add_alice_full(void)
{
	add_domain();
	add_account("alice",
		    "<firstName xsi:type=\"xsd:string\">Alice</firstName><prepaid xsi:type=\"xsd:boolean\">false</prepaid>"
		    "<quota xsi:type=\"xsd:int\">3</quota>"
		    "<groups xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"xsd:string[3]\">"
		    "<item xsi:type=\"xsd:string\">free-pstn</item><item xsi:type=\"xsd:string\">blocked</item>"
		    "<item xsi:type=\"xsd:string\">quota</item></groups>"
		    "<properties xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"ngn:Property[2]\">"
		    "<item><name xsi:type=\"xsd:string\">language</name><value xsi:type=\"xsd:string\">de</value></item>"
		    "<item><name xsi:type=\"xsd:string\">a</name><value xsi:type=\"xsd:string\">b</value></item>"
		    "</properties>");
}

static void add_alice_quota(void)
{
	add_alice();
	char q[1024];
	snprintf(q, sizeof q, SIPID_FMT, "alice");
	strncat(q, "<group xsi:type=\"xsd:string\">quota</group>", sizeof q - strlen(q) - 1);
	call_expect("setup", "addToGroup", q, 0, 0);
}

static void add_alias(void)
{
	add_alice();
	call_expect("setup", "addAlias",
		    "<alias xsi:type=\"ngn:SipAlias\"><id><username xsi:type=\"xsd:string\">al</username>"
		    "<domain xsi:type=\"xsd:string\">" DOM "</domain></id><target><username xsi:type=\"xsd:string\">alice"
		    "</username><domain xsi:type=\"xsd:string\">" DOM "</domain></target></alias>",
		    0, 0);
}

static void add_prepaid_alice(void)
{
	add_domain();
	add_account("alice", "<prepaid xsi:type=\"xsd:boolean\">true</prepaid>");
}

static void add_prepaid_alice_funded(void)
{
	add_domain();
	add_account("alice", "<prepaid xsi:type=\"xsd:boolean\">true</prepaid>");
	add_account("bob", "<prepaid xsi:type=\"xsd:boolean\">false</prepaid>");
	char p[1024];
	snprintf(p, sizeof p, SIPID_FMT, "alice");
	strncat(p, "<value xsi:type=\"xsd:decimal\">10</value><description xsi:type=\"xsd:string\">top up</description>",
		sizeof p - strlen(p) - 1);
	call_expect("setup", "addBalance", p, 0, 0);
}

/* The fixture's card: id 42, number 123456789, worth 25. Cards are normally
 * made by `ngnprod-admin voucher create` with random numbers, so this one is
 * written directly, hashed the way server/store/store_voucher.c hashes numbers:
 * hex(SHA-256(salt bytes || digits)). */
static void add_voucher_alice(void)
{
	add_prepaid_alice();
	ls_sql_try("DELETE FROM voucher_throttle");
	ls_sql_try("DELETE FROM voucher_card WHERE id=42");
	ck_assert_int_eq(ls_sql_exec("INSERT INTO voucher_batch (name, value, disabled) VALUES ('replay', 250000, 0)"), 0);
	ck_assert_int_eq(ls_sql_exec("INSERT INTO voucher_card (id, batch_id, salt, number_hash) SELECT 42, MAX(id), "
				     "'00112233445566778899aabbccddeeff', LOWER(SHA2(CONCAT(UNHEX("
				     "'00112233445566778899aabbccddeeff'), '123456789'), 256)) FROM voucher_batch"),
			 0);
}

/* ---- checks ------------------------------------------------------------------------------------ */

static long long q(const char *sql)
{
	return ls_sql_scalar("%s", sql);
}

#define DB_EQ(sql, want) \
	ck_assert_msg(q(sql) == (want), "stored state: `%s` gave %lld, expected %lld", sql, q(sql), (long long)(want))

static void v_add_domain(struct sc_xml *x)
{
	(void)x;
	DB_EQ("SELECT COUNT(*) FROM domain WHERE domain='" DOM "'", 1);
	DB_EQ("SELECT COUNT(*) FROM sip_domain s JOIN domain d ON d.id=s.domain_id WHERE d.domain='" DOM "' "
	      "AND s.customer=0 AND s.reseller=123",
	      1);
}

static void v_update_domain(struct sc_xml *x)
{
	(void)x;
	DB_EQ("SELECT COUNT(*) FROM sip_domain s JOIN domain d ON d.id=s.domain_id WHERE d.domain='" DOM "' "
	      "AND s.customer=5 AND s.reseller=123 AND s.verify_cert=0 AND s.require_cert=1",
	      1);
	/* changeDate is the server's, not the client's echo */
	DB_EQ("SELECT COUNT(*) FROM sip_domain s JOIN domain d ON d.id=s.domain_id WHERE d.domain='" DOM "' "
	      "AND s.change_date <> '2024-01-02 10:00:00'",
	      1);
}

static const char RET[] = "/env:Envelope/env:Body/*/*";

static void v_get_domains(struct sc_xml *x)
{
	ck_assert_int_eq(sc_xi(x, -1, "%s/total", RET), 1);
	ck_assert_int_eq(sc_xn(x, "%s/domains/item[domain='" DOM "']", RET), 1);
}

static void v_deleted_domain(struct sc_xml *x)
{
	(void)x;
	DB_EQ("SELECT COUNT(*) FROM domain WHERE domain='" DOM "'", 0);
	DB_EQ("SELECT COUNT(*) FROM sip_domain s LEFT JOIN domain d ON d.id=s.domain_id WHERE d.id IS NULL", 0);
}

static void v_domain_kept(struct sc_xml *x)
{
	(void)x;
	DB_EQ("SELECT COUNT(*) FROM domain WHERE domain='" DOM "'", 1);
	DB_EQ("SELECT COUNT(*) FROM subscriber WHERE username='alice' AND domain='" DOM "'", 1);
}

#define ACCT(u) "FROM subscriber s JOIN sip_account a ON a.subscriber_id=s.id WHERE s.username='" u "' AND s.domain='" DOM "'"

static void v_add_account(struct sc_xml *x)
{
	ck_assert_str_eq(sc_xs(x, "%s/id/username", RET) ? sc_xs(x, "%s/id/username", RET) : "(none)", "alice");
	ck_assert_str_eq(sc_xs(x, "%s/id/domain", RET) ? sc_xs(x, "%s/id/domain", RET) : "(none)", DOM);
	DB_EQ("SELECT COUNT(*) " ACCT("alice") " AND s.ha1='981a4ef40955b75633f737a3ece44230' "
	      "AND s.ha1b='94e77326454c7347185d0106b03216ff' AND s.password=''",
	      1);
	DB_EQ("SELECT COUNT(*) " ACCT("alice") " AND a.first_name='Alice' AND a.last_name='Smith' "
	      "AND a.timezone='Europe/Amsterdam' AND a.email='alice@example.com' AND a.prepaid=1 AND a.quota=0 "
	      "AND a.owner=0 AND a.rpid=''",
	      1);
	DB_EQ("SELECT COUNT(*) FROM grp WHERE username='alice' AND domain='" DOM "'", 2);
	DB_EQ("SELECT COUNT(*) FROM grp WHERE username='alice' AND domain='" DOM "' AND grp IN ('free-pstn','prepaid')", 2);
	DB_EQ("SELECT COUNT(*) FROM sip_account_acl c JOIN subscriber s ON s.id=c.subscriber_id WHERE s.username='alice'", 0);
}

static void v_add_account_props(struct sc_xml *x)
{
	ck_assert_int_eq(sc_xn(x, "%s/id[username='bob']", RET), 1);
	DB_EQ("SELECT COUNT(*) " ACCT("bob") " AND s.password='clear' AND s.ha1=MD5('bob:" DOM ":clear') "
	      "AND s.ha1b=MD5('bob@" DOM ":" DOM ":clear') AND a.quota=10 AND a.prepaid=0",
	      1);
	DB_EQ("SELECT COUNT(*) FROM sip_account_acl c JOIN subscriber s ON s.id=c.subscriber_id WHERE s.username='bob' "
	      "AND c.ip='10.0.0.0' AND c.mask=8",
	      1);
	DB_EQ("SELECT COUNT(*) FROM sip_account_acl c JOIN subscriber s ON s.id=c.subscriber_id WHERE s.username='bob'", 1);
	DB_EQ("SELECT COUNT(*) FROM sip_account_property p JOIN subscriber s ON s.id=p.subscriber_id WHERE "
	      "s.username='bob' AND ((p.name='language' AND p.value='en') OR (p.name='web_password' AND p.value='x'))",
	      2);
	DB_EQ("SELECT COUNT(*) FROM sip_account_property p JOIN subscriber s ON s.id=p.subscriber_id WHERE s.username='bob'", 2);
	DB_EQ("SELECT COUNT(*) FROM grp WHERE username='bob' AND domain='" DOM "'", 0);
}

static void v_get_account(struct sc_xml *x)
{
	ck_assert_int_eq(sc_xn(x, "%s/id[username='alice' and domain='" DOM "']", RET), 1);
	ck_assert_str_eq(sc_xs(x, "%s/firstName", RET) ? sc_xs(x, "%s/firstName", RET) : "(none)", "Alice");
	ck_assert_int_eq(sc_xi(x, -1, "%s/quota", RET), 3);
	const char *pp = sc_xs(x, "%s/prepaid", RET);
	ck_assert_msg(pp && strcmp(pp, "false") == 0, "prepaid is '%s', expected false", pp ? pp : "(none)");
	ck_assert_msg(sc_xs(x, "%s/prepaid/@xsi:type", RET) && strstr(sc_xs(x, "%s/prepaid/@xsi:type", RET), "boolean"),
		      "prepaid not typed xsd:boolean");
	ck_assert_int_eq(sc_xn(x, "%s/groups/item", RET), 3);
	ck_assert_int_eq(sc_xn(x, "%s/groups/item[.='blocked']", RET), 1);
	ck_assert_int_eq(sc_xn(x, "%s/properties/item[name='language' and value='de']", RET), 1);
	ck_assert_int_eq(sc_xn(x, "%s/acl/item", RET), 0);
	const char *ha1 = sc_xs(x, "%s/ha1", RET);
	ck_assert_msg(ha1 && strlen(ha1) == 32, "getAccount: ha1 missing");
}

static void v_get_accounts(struct sc_xml *x)
{
	ck_assert_int_eq(sc_xi(x, -1, "%s/total", RET), 2);
	ck_assert_int_eq(sc_xn(x, "%s/accounts/item", RET), 2);
	ck_assert_int_eq(sc_xn(x, "%s/accounts/item/id[username='alice']", RET), 1);
	ck_assert_int_eq(sc_xn(x, "%s/accounts/item/id[username='bob']", RET), 1);
}

static void v_update_account(struct sc_xml *x)
{
	(void)x;
	DB_EQ("SELECT COUNT(*) FROM grp WHERE username='alice' AND domain='" DOM "'", 1);
	DB_EQ("SELECT COUNT(*) FROM grp WHERE username='alice' AND domain='" DOM "' AND grp='free-pstn'", 1);
	DB_EQ("SELECT COUNT(*) FROM sip_account_property p JOIN subscriber s ON s.id=p.subscriber_id WHERE s.username='alice'", 1);
	DB_EQ("SELECT COUNT(*) FROM sip_account_property p JOIN subscriber s ON s.id=p.subscriber_id WHERE s.username='alice' "
	      "AND p.name='language' AND p.value='en'",
	      1);
	DB_EQ("SELECT COUNT(*) FROM sip_account_acl c JOIN subscriber s ON s.id=c.subscriber_id WHERE s.username='alice' "
	      "AND c.ip='10.0.0.0' AND c.mask=8",
	      1);
	DB_EQ("SELECT COUNT(*) " ACCT("alice") " AND s.ha1=MD5('alice:" DOM ":pw') AND a.prepaid=1 AND a.quota=0 "
	      "AND a.first_name='Alice' AND a.email='alice@example.com'",
	      1);
	/* read-only members of the echo are ignored: customer/reseller come
	 * from the domain (0/0 here), the dates are the server's */
	DB_EQ("SELECT COUNT(*) " ACCT("alice") " AND a.customer=0 AND a.reseller=0", 1);
	DB_EQ("SELECT COUNT(*) " ACCT("alice") " AND a.create_date <> '2024-01-01 10:00:00' "
	      "AND a.change_date <> '2024-01-02 10:00:00'",
	      1);
}

static void v_deleted_account(struct sc_xml *x)
{
	(void)x;
	DB_EQ("SELECT COUNT(*) FROM subscriber WHERE username='alice' AND domain='" DOM "'", 0);
	DB_EQ("SELECT COUNT(*) FROM grp WHERE username='alice' AND domain='" DOM "'", 0);
	DB_EQ("SELECT COUNT(*) FROM sip_account a LEFT JOIN subscriber s ON s.id=a.subscriber_id WHERE s.id IS NULL", 0);
}

static void v_alias(struct sc_xml *x)
{
	(void)x;
	DB_EQ("SELECT COUNT(*) FROM dbaliases WHERE alias_username='al' AND alias_domain='" DOM "' AND username='alice' "
	      "AND domain='" DOM "'",
	      1);
}

static void v_get_aliases(struct sc_xml *x)
{
	ck_assert_int_eq(sc_xi(x, -1, "%s/total", RET), 1);
	ck_assert_int_eq(sc_xn(x, "%s/aliases/item[id/username='al' and target/username='alice']", RET), 1);
}

static void v_no_alias(struct sc_xml *x)
{
	(void)x;
	DB_EQ("SELECT COUNT(*) FROM dbaliases WHERE alias_username='al' AND alias_domain='" DOM "'", 0);
}

static void v_blocked(struct sc_xml *x)
{
	(void)x;
	DB_EQ("SELECT COUNT(*) FROM grp WHERE username='alice' AND domain='" DOM "' AND grp='blocked'", 1);
}

static void v_no_quota(struct sc_xml *x)
{
	(void)x;
	DB_EQ("SELECT COUNT(*) FROM grp WHERE username='alice' AND domain='" DOM "' AND grp='quota'", 0);
}

static void v_get_groups(struct sc_xml *x)
{
	ck_assert_int_eq(sc_xn(x, "%s/item", RET), 2);
	ck_assert_int_eq(sc_xn(x, "%s/item[.='free-pstn']", RET), 1);
	ck_assert_int_eq(sc_xn(x, "%s/item[.='blocked']", RET), 1);
	ck_assert_msg(sc_xn(x, "%s[@enc:arrayType]", RET) == 1, "getGroups: the result is no SOAP-ENC array");
}

/* the decimal text of a balance equals want exactly (no float noise) */
static void assert_decimal(struct sc_xml *x, const char *path, const char *want)
{
	const char *v = sc_xs(x, "%s", path);
	ck_assert_msg(v != NULL, "%s missing", path);
	char norm[64];
	snprintf(norm, sizeof norm, "%s", v);
	char *dot = strchr(norm, '.');
	if (dot) {
		char *e = norm + strlen(norm);
		while (e > dot && (e[-1] == '0'))
			*--e = '\0';
		if (e == dot + 1)
			*dot = '\0';
	}
	ck_assert_msg(strcmp(norm, want) == 0, "%s is '%s', expected %s", path, v, want);
}

static void v_add_balance(struct sc_xml *x)
{
	char p[256];
	snprintf(p, sizeof p, "%s/old_balance", RET);
	assert_decimal(x, p, "0");
	snprintf(p, sizeof p, "%s/new_balance", RET);
	assert_decimal(x, p, "10");
	/* money is stored in 1/10000 units (schema/003_prepaid.sql) */
	DB_EQ("SELECT b.balance FROM prepaid_balance b JOIN subscriber s ON s.id=b.subscriber_id WHERE s.username='alice'",
	      100000);
	DB_EQ("SELECT COUNT(*) FROM prepaid_history h JOIN subscriber s ON s.id=h.subscriber_id WHERE s.username='alice' "
	      "AND h.value=100000 AND h.balance=100000 AND h.description='top up'",
	      1);
}

static void v_add_balance_again(struct sc_xml *x)
{
	char p[256];
	snprintf(p, sizeof p, "%s/old_balance", RET);
	assert_decimal(x, p, "10");
	snprintf(p, sizeof p, "%s/new_balance", RET);
	assert_decimal(x, p, "20");
}

static void v_voucher(struct sc_xml *x)
{
	char p[256];
	snprintf(p, sizeof p, "%s/old_balance", RET);
	assert_decimal(x, p, "0");
	snprintf(p, sizeof p, "%s/new_balance", RET);
	assert_decimal(x, p, "25");
	DB_EQ("SELECT COUNT(*) FROM voucher_card c JOIN subscriber s ON s.id=c.spent_by WHERE c.id=42 AND s.username='alice' "
	      "AND c.spent_date IS NOT NULL",
	      1);
	DB_EQ("SELECT b.balance FROM prepaid_balance b JOIN subscriber s ON s.id=b.subscriber_id WHERE s.username='alice'",
	      250000);
}

static void v_prepaid_status(struct sc_xml *x)
{
	ck_assert_msg(sc_xn(x, "%s[@enc:arrayType]", RET) == 1, "getPrepaidStatus: the result is no SOAP-ENC array");
	ck_assert_int_eq(sc_xn(x, "%s/item", RET), 2);
	char p[256];
	snprintf(p, sizeof p, "%s/item[1]/balance", RET);
	assert_decimal(x, p, "10");
	/* index-aligned: the second entry is bob, who is not prepaid */
	ck_assert_msg(sc_xn(x, "%s/item[2][prepaid='false' or (errorcode and errorcode!=0)]", RET) == 1,
		      "getPrepaidStatus: entry 2 (bob, postpaid) does not say so");
}

static void v_credit_history(struct sc_xml *x)
{
	ck_assert_int_eq(sc_xn(x, "%s/entries[@enc:arrayType]", RET), 1);
	ck_assert_int_eq(sc_xn(x, "%s/entries/item", RET), 1);
	char p[256];
	snprintf(p, sizeof p, "%s/entries/item[1]/value", RET);
	assert_decimal(x, p, "10");
	snprintf(p, sizeof p, "%s/entries/item[1]/balance", RET);
	assert_decimal(x, p, "10");
	ck_assert_int_eq(sc_xn(x, "%s/entries/item[1][description='top up']", RET), 1);
	const char *d = sc_xs(x, "%s/entries/item[1]/date", RET);
	ck_assert_msg(d && strlen(d) >= 19 && d[4] == '-' && d[10] == ' ' && d[13] == ':', "date '%s' is not YYYY-MM-DD hh:mm:ss",
		      d ? d : "(none)");
}

/* ---- the Customer port (state by SQL: the captures name customers 5 and 123) ---- */

/* customers 5 ("acme", a reseller) and 123 (a reseller), nothing else;
 * their logins are not needed by the replays */
static void customers_5_123(void)
{
	ck_assert_int_eq(ls_sql_exec("DELETE FROM customer"), 0);
	ck_assert_int_eq(ls_sql_exec("INSERT INTO customer (id, reseller, username, password, first_name) VALUES"
				     " (5, 5, 'acme', 'first-pw', 'Ann'), (123, 123, 'big.reseller', 'pw', 'Bob')"), 0);
}

static void customers_none(void)
{
	ck_assert_int_eq(ls_sql_exec("DELETE FROM customer"), 0);
}

static void customers_with_props(void)
{
	customers_5_123();
	ck_assert_int_eq(ls_sql_exec("INSERT INTO customer_property (customer_id, name, value, category, permission)"
				     " VALUES (123, 'pstn_access', '1', 'sip', 'admin'), (5, 'sip_credit', '20', 'credit', 'admin')"),
			 0);
}

static void v_customer_added(struct sc_xml *x)
{
	(void)x;
	DB_EQ("SELECT COUNT(*) FROM customer WHERE username='ann.acme' AND reseller=123 AND password='pw123'", 1);
	DB_EQ("SELECT COUNT(*) FROM api_user WHERE username='ann.acme' AND role='customer' AND reseller=123", 1);
}

static void v_customer_5(struct sc_xml *x)
{
	ck_assert_int_eq(sc_xn(x, "%s[id=5 and username='acme' and password='first-pw']", RET), 1);
}

static void v_customer_updated(struct sc_xml *x)
{
	(void)x;
	DB_EQ("SELECT COUNT(*) FROM customer WHERE id=5 AND password='secret5' AND language='en' AND reseller=5", 1);
	DB_EQ("SELECT COUNT(*) FROM customer_property WHERE customer_id=5", 1);
}

static void v_customer_deleted(struct sc_xml *x)
{
	(void)x;
	DB_EQ("SELECT COUNT(*) FROM customer WHERE id=5", 0);
}

static void v_customers_all(struct sc_xml *x)
{
	ck_assert_int_eq(sc_xn(x, "%s[total=2]", RET), 1);
	ck_assert_int_eq(sc_xn(x, "%s/accounts/item", RET), 2);
}

static void v_customers_of_123(struct sc_xml *x)
{
	ck_assert_int_eq(sc_xn(x, "%s[total=1]/accounts/item[id=123]", RET), 1);
}

static void v_reseller_5(struct sc_xml *x)
{
	ck_assert_int_eq(sc_xn(x, "%s[total=1]/accounts/item[id=5]", RET), 1);
}

static void v_props_merged(struct sc_xml *x)
{
	(void)x;
	DB_EQ("SELECT COUNT(*) FROM customer_property WHERE customer_id=5", 3);
}

static void v_props_123(struct sc_xml *x)
{
	ck_assert_int_eq(sc_xn(x, "%s/item[name='pstn_access' and value='1']", RET), 1);
}

/* ---- the cases ----------------------------------------------------------------------------------- */

struct replay_case {
	const char *file;
	const char *label;
	void (*setup)(void);
	int code;                        /* expected errorcode, 0 = success */
	void (*verify)(struct sc_xml *); /* stored state / reply, may be NULL */
	int again;                       /* code of an identical second replay, -1 = not replayed */
	void (*verify_again)(struct sc_xml *); /* after the second replay, may be NULL */
};

static const struct replay_case cases[] = {
	{ "addDomain.http", NULL, reset, 0, v_add_domain, 1001, NULL },
	{ "updateDomain.http", NULL, add_domain, 0, v_update_domain, 0, v_update_domain },
	{ "updateDomain.http", "of a missing domain", reset, 1000, NULL, -1, NULL },
	{ "getDomains.http", NULL, add_domain, 0, v_get_domains, 0, v_get_domains },
	{ "deleteDomain.http", NULL, add_domain, 0, v_deleted_domain, 1000, NULL },
	{ "deleteDomain.http", "a domain with accounts", add_alice, 1002, v_domain_kept, 1002, NULL },
	{ "addAccount.http", NULL, add_domain, 0, v_add_account, 1011, NULL },
	{ "addAccount.http", "in a missing domain", reset, 1000, NULL, -1, NULL },
	{ "addAccount_props.http", NULL, add_domain, 0, v_add_account_props, 1011, NULL },
	{ "getAccount.http", NULL, add_alice_full, 0, v_get_account, 0, v_get_account },
	{ "getAccount.http", "of a missing account", add_domain, 1010, NULL, -1, NULL },
	{ "getAccounts.http", NULL, add_alice_bob, 0, v_get_accounts, 0, v_get_accounts },
	{ "updateAccount_roundtrip.http", NULL, add_alice_full, 0, v_update_account, 0, v_update_account },
	{ "updateAccount_roundtrip.http", "of a missing account", add_domain, 1010, NULL, -1, NULL },
	{ "deleteAccount.http", NULL, add_alice_groups, 0, v_deleted_account, 1010, NULL },
	{ "addAlias.http", NULL, add_alice, 0, v_alias, 1021, NULL },
	{ "getAliases.http", NULL, add_alias, 0, v_get_aliases, 0, v_get_aliases },
	{ "deleteAlias.http", NULL, add_alias, 0, v_no_alias, 1020, NULL },
	{ "addToGroup.http", NULL, add_alice, 0, v_blocked, 0, v_blocked },
	{ "auth_admin.http", NULL, add_alice, 0, v_blocked, 0, v_blocked },
	{ "auth_user.http", NULL, add_alice, 0, v_blocked, 0, v_blocked },
	{ "removeFromGroup.http", NULL, add_alice_quota, 0, v_no_quota, 1031, NULL },
	{ "getGroups.http", NULL, add_alice_groups, 0, v_get_groups, 0, v_get_groups },
	{ "getGroups.http", "of a missing account", add_domain, 1010, NULL, -1, NULL },
	{ "legacy_php5_7_header_getGroups.http", NULL, add_alice_groups, 0, v_get_groups, 0, v_get_groups },
	{ "addBalance.http", NULL, add_prepaid_alice, 0, v_add_balance, 0, v_add_balance_again },
	{ "addBalanceFromVoucher.http", NULL, add_voucher_alice, 0, v_voucher, 2010, NULL },
	{ "getPrepaidStatus.http", NULL, add_prepaid_alice_funded, 0, v_prepaid_status, 0, v_prepaid_status },
	{ "getCreditHistory.http", NULL, add_prepaid_alice_funded, 0, v_credit_history, 0, v_credit_history },
	{ "Customer_addAccount.http", NULL, customers_5_123, 0, v_customer_added, 5001, NULL },
	{ "Customer_addAccount.http", "under a missing reseller", customers_none, 5000, NULL, -1, NULL },
	{ "Customer_getAccount.http", NULL, customers_5_123, 0, v_customer_5, 0, v_customer_5 },
	{ "Customer_getAccount.http", "of a missing customer", customers_none, 5000, NULL, -1, NULL },
	{ "Customer_updateAccount.http", NULL, customers_with_props, 0, v_customer_updated, 0, v_customer_updated },
	{ "Customer_updateAccount.http", "of a missing customer", customers_none, 5000, NULL, -1, NULL },
	{ "Customer_deleteAccount.http", NULL, customers_5_123, 0, v_customer_deleted, 5000, NULL },
	{ "Customer_getCustomers.http", NULL, customers_5_123, 0, v_customers_all, 0, v_customers_all },
	{ "Customer_getCustomers_byreseller.http", NULL, customers_5_123, 0, v_customers_of_123, 0, v_customers_of_123 },
	{ "Customer_getResellers.http", NULL, customers_5_123, 0, v_reseller_5, 0, v_reseller_5 },
	{ "Customer_setProperties.http", NULL, customers_with_props, 0, v_props_merged, 0, v_props_merged },
	{ "Customer_getProperties.http", NULL, customers_with_props, 0, v_props_123, 0, v_props_123 },
	{ "Customer_updateCustomer_undefined.http", NULL, customers_none, 4001, NULL, 4001, NULL },
};
#define NCASES (sizeof cases / sizeof cases[0])

/* Replays the fixture once; returns its errorcode. *x: the parsed reply. */
static int replay(const struct replay_case *c, struct sc_xml **xp)
{
	size_t len;
	char *req = sc_fixture_load(c->file, NULL, NULL, &len);
	ck_assert_msg(req != NULL, "fixture %s missing or without an auth header (in %s)", c->file,
		      sc_fixture_dir() ? sc_fixture_dir() : "tests/fixtures/ngnpro-wire/requests: not found");
	struct sc_resp r;
	int rc = sc_exchange(sc_port(), req, len, &r, 15000);
	free(req);
	ck_assert_msg(rc == SC_OK, "%s: no complete reply (rc %d)", c->file, rc);
	ck_assert_msg(r.status == 200 || r.status == 500, "%s: HTTP %d", c->file, r.status);
	ck_assert_msg(!r.chunked, "%s: chunked reply to PEAR's HTTP/1.0 request", c->file);
	char ct[128] = "";
	sc_header(&r, "Content-Type", ct, sizeof ct);
	ck_assert_msg(strncmp(ct, "text/xml", 8) == 0, "%s: Content-Type '%s'", c->file, ct);
	ck_assert_msg(strstr(r.body, sc_env("NGN_TEST_PASSWORD")) == NULL, "%s: the reply echoes the password", c->file);
	struct sc_xml *x = sc_xml_parse(r.body, r.body_len);
	ck_assert_msg(x != NULL, "%s: reply is not XML: %.300s", c->file, r.body);
	char why[512];
	ck_assert_msg(sc_reply_shape(x, why, sizeof why), "%s: reply shape: %s\n%.1500s", c->file, why, r.body);
	int code = sc_fault_code(x);
	ck_assert_msg(code != 9002, "%s: the operation is not implemented on this build (merge core/prepaid)", c->file);
	ck_assert_msg((code == 0) == (r.status == 200), "%s: HTTP %d with fault %d", c->file, r.status, code);
	if (code != c->code) {
		const char *es = sc_xs(x, "//*[local-name()='errorstring']");
		ck_abort_msg("%s%s%s: fault %d (%s), expected %d\n%.1500s", c->file, c->label ? ": " : "",
			     c->label ? c->label : "", code, es ? es : "", c->code, r.body);
	}
	sc_resp_free(&r);
	*xp = x;
	return code;
}

START_TEST(replay_fixture)
{
	const struct replay_case *c = &cases[_i];
	ck_assert_msg(sc_fixture_dir() != NULL,
		      "the wire fixtures are missing: expected $NGN_SRCDIR/tests/fixtures/ngnpro-wire/requests");
	if (c->setup)
		c->setup();
	struct sc_xml *x;
	replay(c, &x);
	if (c->verify)
		c->verify(x);
	sc_xml_free(x);
	if (c->again >= 0) {
		struct replay_case twice = *c;
		twice.code = c->again;
		twice.label = "replayed a second time";
		replay(&twice, &x);
		if (c->verify_again)
			c->verify_again(x);
		sc_xml_free(x);
	}
	printf("replayed %s%s%s%s: fault %d as expected\n", c->file, c->label ? " (" : "", c->label ? c->label : "",
	       c->label ? ")" : "", c->code);
}
END_TEST

/* every fixture in the directory has a case */
START_TEST(coverage)
{
	const char *dir = sc_fixture_dir();
	ck_assert_msg(dir != NULL, "the wire fixtures are missing: expected $NGN_SRCDIR/tests/fixtures/ngnpro-wire/requests");
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	struct dirent *e;
	int files = 0;
	char missing[2048] = "";
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l < 6 || strcmp(e->d_name + l - 5, ".http") != 0)
			continue;
		files++;
		int found = 0;
		for (size_t i = 0; i < NCASES; i++)
			found |= strcmp(cases[i].file, e->d_name) == 0;
		if (!found)
			snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %s", e->d_name);
	}
	closedir(d);
	printf("coverage: %d fixtures in %s\n", files, dir);
	ck_assert_msg(files > 0, "no fixtures in %s", dir);
	ck_assert_msg(missing[0] == '\0', "fixtures without a replay case:%s", missing);
}
END_TEST

int main(int argc, char **argv)
{
	ls_run_under_server(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("replay");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, coverage);
	tcase_add_loop_test(tc, replay_fixture, 0, (int)NCASES);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
