/* check_customer.c: the Customer port (urn:AGProjects:NGNPro:Customer) end
 * to end below HTTP: CDRTool's captured requests and our own envelopes
 * served in process by the real handlers (inproc.c) against a private
 * MariaDB; replies checked by XPath, stored state by SQL. Also the identity
 * rule (a customer owns its API login; auth_set_login binds reseller and
 * customer logins to records) and `ngnprod-admin customer`.
 *
 * Every fault case checks that nothing changed (a fingerprint of the
 * customer, customer_property and api_user tables). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "admin/customer_cli.h"
#include "core/auth.h"
#include "core/db.h"
#include "inproc.h"
#include "inproc_check.h"
#include "store/store_customer.h"
#include "testdb.h"

static struct inproc T;

static void setup(void)
{
	inproc_open(&T);
	Q("SET FOREIGN_KEY_CHECKS = 0");
	Q("DELETE FROM customer_property");
	Q("DELETE FROM customer");
	Q("DELETE FROM api_user");
	Q("SET FOREIGN_KEY_CHECKS = 1");
	Q("ALTER TABLE customer AUTO_INCREMENT = 1");
}

static void teardown(void)
{
	inproc_close(&T);
}

static char B[65536];

#define CNS "xmlns:c=\"urn:AGProjects:NGNPro:Customer\""

/* addAccount with the given members (username, password, ...) */
static int add(const char *members)
{
	snprintf(B, sizeof B, "<c:addAccount " CNS "><account xsi:type=\"ns4:CustomerAccount\">%s</account></c:addAccount>",
		 members);
	return inproc_call(&T, B);
}

static long long add_ok(const char *user, const char *password, int reseller)
{
	char m[1024];
	snprintf(m, sizeof m,
		 "<username xsi:type=\"xsd:string\">%s</username><password xsi:type=\"xsd:string\">%s</password>"
		 "%s%d%s",
		 user, password, reseller ? "<reseller xsi:type=\"xsd:int\">" : "<!--", reseller,
		 reseller ? "</reseller>" : "-->");
	OK(add(m));
	return (long long)XN(R "/id");
}

static int call1(const char *op, const char *param, long long v)
{
	snprintf(B, sizeof B, "<c:%s " CNS "><%s xsi:type=\"xsd:int\">%lld</%s></c:%s>", op, param, v, param, op);
	return inproc_call(&T, B);
}

static int list(const char *op, const char *filter, const char *order, int count)
{
	snprintf(B, sizeof B,
		 "<c:%s " CNS "><query xsi:type=\"ns4:CustomerQuery\"><filter>%s</filter>%s"
		 "<range><start xsi:type=\"xsd:int\">0</start><count xsi:type=\"xsd:int\">%d</count></range>"
		 "</query></c:%s>",
		 op, filter, order, count, op);
	return inproc_call(&T, B);
}

static int set_props(long long id, const char *items, int n)
{
	snprintf(B, sizeof B,
		 "<c:setProperties " CNS "><customer xsi:type=\"xsd:int\">%lld</customer>"
		 "<properties xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"Struct[%d]\">%s</properties>"
		 "</c:setProperties>",
		 id, n, items);
	return inproc_call(&T, B);
}

#define PROP(name, value, cat, perm)                                                               \
	"<item><name xsi:type=\"xsd:string\">" name "</name><category xsi:type=\"xsd:string\">" cat     \
	"</category><value xsi:type=\"xsd:string\">" value "</value><permission xsi:type=\"xsd:string\">" \
	perm "</permission></item>"

static int login_ok(const char *user, const char *password, struct scope *sc)
{
	struct auth_cache *c = auth_cache_new(0);
	int ok = auth_check(c, T.db, user, password, sc) == NGN_OK;
	auth_cache_free(c);
	return ok;
}

/* The ids the captures use: customer 5 (a reseller, "acme") and reseller 123. */
static void capture_ids(void)
{
	Q("ALTER TABLE customer AUTO_INCREMENT = 5");
	ck_assert_int_eq(add_ok("acme", "first-pw", 0), 5);
	Q("ALTER TABLE customer AUTO_INCREMENT = 123");
	ck_assert_int_eq(add_ok("big.reseller", "reseller-pw", 0), 123);
}

/* ---- addAccount ------------------------------------------------------- */

START_TEST(add_fixture_under_a_reseller_owns_its_login)
{
	capture_ids();
	OK(inproc_fixture(&T, "Customer_addAccount"));
	long long id = (long long)XN(R "/id");
	ck_assert_int_eq(id, 124);
	ck_assert_int_eq((int)XN(R "/reseller"), 123);
	ck_assert_str_eq(XS(R "/username"), "ann.acme");
	ck_assert_str_eq(XS(R "/password"), "pw123"); /* clear, to the operator (§3.4) */
	ck_assert_str_eq(XS(R "/billingAddress"), "Main street 1\n1000AA Amsterdam\nNL\n");
	ck_assert_str_eq(XS(R "/country"), "NL");
	ck_assert(*XS(R "/changeDate") != '\0');
	ck_assert_int_eq((int)XN("count(" R "/properties/item)"), 0);
	/* the login it owns: one identity */
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM api_user WHERE username = 'ann.acme' AND role = 'customer'"
			   " AND customer = 124 AND reseller = 123 AND customer_id = 124 AND pw_hash <> 'pw123'"), 1);
	struct scope sc;
	ck_assert(login_ok("ann.acme", "pw123", &sc));
	ck_assert_int_eq(sc.role, ROLE_CUSTOMER);
	ck_assert_int_eq(sc.customer, 124);
	ck_assert_int_eq(sc.reseller, 123);
	ck_assert(!login_ok("ann.acme", "wrong", &sc));
}
END_TEST

START_TEST(add_without_reseller_makes_a_reseller)
{
	long long id = add_ok("Big Reseller", "pw-1", 0);
	ck_assert_int_gt(id, 0);
	ck_assert_int_eq((long long)XN(R "/reseller"), id);
	ck_assert_str_eq(XS(R "/username"), "big.reseller"); /* lower-cased, spaces to dots */
	struct scope sc;
	ck_assert(login_ok("big.reseller", "pw-1", &sc));
	ck_assert_int_eq(sc.role, ROLE_RESELLER);
	ck_assert_int_eq(sc.reseller, id);
	ck_assert_int_eq(sc.customer, id);
}
END_TEST

START_TEST(add_faults_change_nothing)
{
	long long r = add_ok("res", "pw-r", 0);
	ck_assert_int_eq(auth_set_login(T.db, "operator", "operator-pw", "admin", 0, 0, 0), NGN_OK);
	/* 5001: a customer's username, or any other API login's */
	FAULT_NOCHANGE(add("<username>res</username><password>x</password>"), 5001);
	FAULT_NOCHANGE(add("<username>operator</username><password>x</password>"), 5001);
	/* 5000: the reseller does not exist, or is a plain customer */
	FAULT_NOCHANGE(add("<username>n1</username><password>x</password><reseller>999</reseller>"), 5000);
	char m[256];
	long long c = add_ok("cust", "pw-c", (int)r);
	snprintf(m, sizeof m, "<username>n2</username><password>x</password><reseller>%lld</reseller>", c);
	FAULT_NOCHANGE(add(m), 5000);
	/* validation */
	FAULT_NOCHANGE(add("<password>x</password>"), 4002);
	FAULT_NOCHANGE(add("<username>n3</username>"), 4002);
	FAULT_NOCHANGE(add("<username>n/3</username><password>x</password>"), 4003);
	FAULT_NOCHANGE(add("<username>n4</username><password>x</password><tel>call me</tel>"), 4008);
	FAULT_NOCHANGE(add("<username>n5</username><password>x</password><resellerActive>7</resellerActive>"), 4008);
	FAULT_NOCHANGE(add("<username>n6</username><password>x</password><properties SOAP-ENC:arrayType=\"Struct[1]\">"
			   PROP("p", "v", "web", "root") "</properties>"),
		       4011);
}
END_TEST

/* ---- getAccount, updateAccount ------------------------------------------ */

START_TEST(get_fixture_and_missing)
{
	capture_ids();
	OK(inproc_fixture(&T, "Customer_getAccount"));
	ck_assert_int_eq((int)XN(R "/id"), 5);
	ck_assert_str_eq(XS(R "/username"), "acme");
	ck_assert_str_eq(XS(R "/password"), "first-pw");
	FAULT(call1("getAccount", "id", 6), 5000);
	FAULT(call1("getAccount", "id", 0), 5000);
	FAULT(call1("getAccount", "id", -3), 5000);
}
END_TEST

START_TEST(update_fixture_echo_moves_the_login)
{
	capture_ids();
	OK(set_props(5, PROP("web_last", "x", "web", "customer"), 1));
	OK(inproc_fixture(&T, "Customer_updateAccount"));
	ck_assert_str_eq(XS(R), "true");
	OK(call1("getAccount", "id", 5));
	ck_assert_str_eq(XS(R "/password"), "secret5");
	ck_assert_str_eq(XS(R "/language"), "en");
	ck_assert_int_eq((int)XN(R "/reseller"), 5); /* reseller is read-only on update */
	/* properties are replaced whole by updateAccount (it echoes them all) */
	ck_assert_int_eq((int)XN("count(" R "/properties/item)"), 1);
	ck_assert_str_eq(XS(R "/properties/item[1]/name"), "sip_credit");
	ck_assert_str_eq(XS(R "/properties/item[1]/permission"), "admin");
	struct scope sc;
	ck_assert(login_ok("acme", "secret5", &sc));
	ck_assert(!login_ok("acme", "first-pw", &sc));
	/* a partial update leaves the rest */
	snprintf(B, sizeof B, "<c:updateAccount " CNS "><account><id>5</id><username>acme2</username></account>"
		 "</c:updateAccount>");
	OK(inproc_call(&T, B));
	OK(call1("getAccount", "id", 5));
	ck_assert_str_eq(XS(R "/username"), "acme2");
	ck_assert_str_eq(XS(R "/firstName"), "Ann");
	ck_assert_int_eq((int)XN("count(" R "/properties/item)"), 1);
	ck_assert(login_ok("acme2", "secret5", &sc));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM api_user WHERE username = 'acme'"), 0);
}
END_TEST

START_TEST(update_faults_change_nothing)
{
	capture_ids();
	snprintf(B, sizeof B, "<c:updateAccount " CNS "><account><id>77</id><firstName>x</firstName></account></c:updateAccount>");
	FAULT_NOCHANGE(inproc_call(&T, B), 5000);
	snprintf(B, sizeof B, "<c:updateAccount " CNS "><account><firstName>x</firstName></account></c:updateAccount>");
	FAULT_NOCHANGE(inproc_call(&T, B), 4002);
	snprintf(B, sizeof B, "<c:updateAccount " CNS "><account><id>5</id><username>big.reseller</username></account>"
		 "</c:updateAccount>");
	FAULT_NOCHANGE(inproc_call(&T, B), 5001);
	snprintf(B, sizeof B, "<c:updateAccount " CNS "><account><id>5</id><password></password></account>"
		 "</c:updateAccount>");
	FAULT_NOCHANGE(inproc_call(&T, B), 4007);
}
END_TEST

/* ---- properties --------------------------------------------------------- */

START_TEST(set_properties_merges_by_name)
{
	capture_ids();
	OK(set_props(5, PROP("sip_credit", "20", "credit", "admin"), 1));
	OK(inproc_fixture(&T, "Customer_setProperties"));
	ck_assert_str_eq(XS(R), "true");
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM customer_property WHERE customer_id = 5"), 3);
	ck_assert_int_eq(Q("SELECT value FROM customer_property WHERE customer_id = 5 AND name = 'sip_credit'"), 20);
	/* the same name again: updated, not added */
	OK(set_props(5, PROP("sip_accounts_last_quota", "7", "web", "customer"), 1));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM customer_property WHERE customer_id = 5"), 3);
	ck_assert_int_eq(Q("SELECT value FROM customer_property WHERE customer_id = 5 AND name = 'sip_accounts_last_quota'"), 7);
	/* an empty list changes nothing */
	snprintf(B, sizeof B, "<c:setProperties " CNS "><customer>5</customer>"
		 "<properties xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"xsd:anyType[0]\"/></c:setProperties>");
	OK(inproc_call(&T, B));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM customer_property WHERE customer_id = 5"), 3);
	FAULT_NOCHANGE(set_props(99, PROP("a", "b", "web", "customer"), 1), 5000);
	FAULT_NOCHANGE(set_props(5, PROP("a", "b", "web", "god"), 1), 4011);
	FAULT_NOCHANGE(set_props(5, PROP("", "b", "web", "customer"), 1), 4011);
}
END_TEST

START_TEST(get_properties_fixture_is_a_bare_list)
{
	capture_ids();
	OK(set_props(123, PROP("digest_settings_page", "yes", "web", "reseller") PROP("pstn_access", "1", "sip", "admin"), 2));
	OK(inproc_fixture(&T, "Customer_getProperties"));
	ck_assert_int_eq((int)XN("count(" R "/item)"), 2);
	ck_assert_str_eq(XS(R "/item[name='pstn_access']/value"), "1");
	ck_assert_str_eq(XS(R "/item[name='pstn_access']/category"), "sip");
	ck_assert_str_eq(XS(R "/item[name='digest_settings_page']/permission"), "reseller");
	FAULT(call1("getProperties", "customer", 4), 5000);
}
END_TEST

/* ---- listings ----------------------------------------------------------- */

START_TEST(listings_fixtures)
{
	capture_ids();
	OK(inproc_fixture(&T, "Customer_addAccount")); /* 124 under 123 */
	OK(set_props(124, PROP("sip_credit", "3", "credit", "admin"), 1));
	OK(inproc_fixture(&T, "Customer_getCustomers"));
	ck_assert_int_eq((int)XN(R "/total"), 3);
	ck_assert_int_eq((int)XN("count(" R "/accounts/item)"), 3);
	ck_assert_str_eq(XS(R "/accounts/item[id=124]/password"), "pw123");
	ck_assert_str_eq(XS(R "/accounts/item[id=124]/properties/item[1]/name"), "sip_credit");
	OK(inproc_fixture(&T, "Customer_getCustomers_byreseller"));
	ck_assert_int_eq((int)XN(R "/total"), 2);
	ck_assert_int_eq((int)XN(R "/accounts/item[1]/id"), 123);
	ck_assert_int_eq((int)XN(R "/accounts/item[2]/id"), 124);
	/* getResellers: resellers only ... */
	OK(list("getResellers", "", "", 10));
	ck_assert_int_eq((int)XN(R "/total"), 2);
	ck_assert_int_eq((int)XN("count(" R "/accounts/item[id=124])"), 0);
	OK(inproc_fixture(&T, "Customer_getResellers")); /* {customer: 5} */
	ck_assert_int_eq((int)XN(R "/total"), 1);
	ck_assert_int_eq((int)XN(R "/accounts/item[1]/id"), 5);
	/* ... but asked for one id, that account (CDRTool's getLoginAccount) */
	OK(list("getResellers", "<customer>124</customer>", "", 1));
	ck_assert_int_eq((int)XN(R "/total"), 1);
	ck_assert_int_eq((int)XN(R "/accounts/item[1]/reseller"), 123);
	/* only_resellers, LIKE filters, paging with the full total */
	OK(list("getCustomers", "<only_resellers>1</only_resellers>", "", 10));
	ck_assert_int_eq((int)XN(R "/total"), 2);
	OK(list("getCustomers", "<username>%acme%</username>", "", 10));
	ck_assert_int_eq((int)XN(R "/total"), 2);
	OK(list("getCustomers", "", "<orderBy><attribute>username</attribute><direction>ASC</direction></orderBy>", 1));
	ck_assert_int_eq((int)XN(R "/total"), 3);
	ck_assert_int_eq((int)XN("count(" R "/accounts/item)"), 1);
	ck_assert_str_eq(XS(R "/accounts/item[1]/username"), "acme");
	FAULT(list("getCustomers", "", "<orderBy><attribute>password</attribute></orderBy>", 1), 4009);
	FAULT(list("getCustomers", "<only_resellers>yes</only_resellers>", "", 1), 4009);
}
END_TEST

/* A page of more customers than one properties statement reads (40): every
 * customer carries its own properties, none of another's. */
START_TEST(listing_page_carries_each_customers_properties)
{
	char name[32], items[512];
	long long ids[45];
	for (int i = 0; i < 45; i++) {
		snprintf(name, sizeof name, "page%02d", i);
		ids[i] = add_ok(name, "page-pw", 0);
		if (i % 3 == 0)
			continue; /* some have none */
		snprintf(items, sizeof items,
			 "<item><name xsi:type=\"xsd:string\">p%d</name><category xsi:type=\"xsd:string\">c</category>"
			 "<value xsi:type=\"xsd:string\">v%lld</value><permission xsi:type=\"xsd:string\">customer"
			 "</permission></item>",
			 i, ids[i]);
		OK(set_props(ids[i], items, 1));
	}
	OK(list("getCustomers", "<username>page%</username>", "", 100));
	ck_assert_int_eq((int)XN(R "/total"), 45);
	ck_assert_int_eq((int)XN("count(" R "/accounts/item)"), 45);
	char xp[160], want[32];
	for (int i = 0; i < 45; i++) {
		snprintf(xp, sizeof xp, "count(" R "/accounts/item[id=%lld]/properties/item)", ids[i]);
		ck_assert_int_eq((int)XN(xp), i % 3 == 0 ? 0 : 1);
		if (i % 3 == 0)
			continue;
		snprintf(xp, sizeof xp, R "/accounts/item[id=%lld]/properties/item[1]/value", ids[i]);
		snprintf(want, sizeof want, "v%lld", ids[i]);
		ck_assert_str_eq(XS(xp), want);
	}
}
END_TEST

/* The store narrows by scope already (the port stays admin-only until the
 * tenancy step opens it): a reseller sees its own customers only, and no
 * one but the operator gets clear passwords back. */
START_TEST(store_narrows_by_scope)
{
	capture_ids();
	OK(inproc_fixture(&T, "Customer_addAccount")); /* 124 under 123 */
	T.ctx.scope = (struct scope){ ROLE_RESELLER, 123, 0 };
	OK(list("getCustomers", "", "", 10));
	ck_assert_int_eq((int)XN(R "/total"), 2);
	ck_assert_int_eq((int)XN("count(" R "/accounts/item[id=5])"), 0);
	ck_assert_str_eq(XS(R "/accounts/item[id=124]/password"), "");
	FAULT(call1("getAccount", "id", 5), 5000);
	FAULT_NOCHANGE(call1("deleteAccount", "id", 5), 5000);
	T.ctx.scope = (struct scope){ ROLE_CUSTOMER, 123, 124 };
	OK(list("getCustomers", "", "", 10));
	ck_assert_int_eq((int)XN(R "/total"), 1);
	FAULT(call1("getProperties", "customer", 123), 5000);
}
END_TEST

/* ---- deleteAccount ------------------------------------------------------- */

START_TEST(delete_fixture_and_faults)
{
	capture_ids();
	OK(inproc_fixture(&T, "Customer_addAccount")); /* 124 under 123 */
	OK(set_props(124, PROP("a", "b", "web", "customer"), 1));
	FAULT_NOCHANGE(call1("deleteAccount", "id", 123), 3002); /* a reseller with customers */
	OK(call1("deleteAccount", "id", 124));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM customer WHERE id = 124"), 0);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM customer_property WHERE customer_id = 124"), 0);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM api_user WHERE username = 'ann.acme'"), 0);
	OK(call1("deleteAccount", "id", 123));
	OK(inproc_fixture(&T, "Customer_deleteAccount")); /* id 5 */
	ck_assert_str_eq(XS(R), "true");
	FAULT_NOCHANGE(inproc_fixture(&T, "Customer_deleteAccount"), 5000);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM api_user"), 0);
}
END_TEST

/* CDRTool's JSON import calls updateCustomer, which NGNPro does not have,
 * with no namespace (contract part 2 §3.3): a client fault. */
START_TEST(undefined_update_customer_faults)
{
	unsigned long long fp = inproc_fingerprint(&T);
	int st = inproc_fixture(&T, "Customer_updateCustomer_undefined");
	ck_assert_int_eq(st, 500);
	ck_assert_int_eq(inproc_fault_code(&T), 4001);
	ck_assert_str_eq(XS("//faultcode"), "SOAP-ENV:Client");
	ck_assert(inproc_fingerprint(&T) == fp);
}
END_TEST

/* ---- identity: other logins bind to records ------------------------------ */

START_TEST(logins_bind_to_records)
{
	long long r = add_ok("res", "pw-r", 0);
	long long c = add_ok("cust", "pw-c", (int)r);
	ck_assert_int_eq(auth_set_login(T.db, "engine-r", "engine-pw-1", "reseller", 0, 999, 0), NGN_E_CUSTOMER_NOT_FOUND);
	ck_assert_int_eq(auth_set_login(T.db, "engine-r", "engine-pw-1", "reseller", 0, (unsigned)c, 0),
			 NGN_E_CUSTOMER_NOT_FOUND); /* a customer is no reseller */
	ck_assert_int_eq(auth_set_login(T.db, "engine-r", "engine-pw-1", "reseller", 0, (unsigned)r, 0), NGN_OK);
	ck_assert_int_eq(Q("SELECT customer * 1000 + reseller FROM api_user WHERE username = 'engine-r'"), r * 1000 + r);
	ck_assert_int_eq(auth_set_login(T.db, "engine-c", "engine-pw-2", "customer", (unsigned)c, 0, 0), NGN_OK);
	ck_assert_int_eq(Q("SELECT customer * 1000 + reseller FROM api_user WHERE username = 'engine-c'"), c * 1000 + r);
	ck_assert_int_eq(auth_set_login(T.db, "engine-c2", "engine-pw-2", "customer", 0, 0, 0), NGN_E_CUSTOMER_NOT_FOUND);
	/* a customer's own login changes only with its record */
	unsigned long long fp = inproc_fingerprint(&T);
	ck_assert_int_eq(auth_set_login(T.db, "cust", "another-pw", "admin", 0, 0, 1), NGN_E_CUSTOMER_EXISTS);
	ck_assert(inproc_fingerprint(&T) == fp);
	struct scope sc;
	ck_assert(login_ok("cust", "pw-c", &sc));
}
END_TEST

/* ---- ngnprod-admin customer ---------------------------------------------- */

static int cli(const char *a1, const char *a2, const char *a3, const char *a4)
{
	char *argv[] = { "customer", (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL };
	int argc = 1;
	while (argv[argc])
		argc++;
	return customer_cli(T.db, argc, argv);
}

START_TEST(admin_tool)
{
	setenv("NGNPROD_PASSWORD", "cli-password", 1);
	ck_assert_int_eq(cli("add", "first.reseller", NULL, NULL), 0);
	long long r = Q("SELECT id FROM customer WHERE username = 'first.reseller'");
	ck_assert_int_eq(Q("SELECT reseller FROM customer WHERE username = 'first.reseller'"), r);
	char id[32];
	snprintf(id, sizeof id, "%lld", r);
	ck_assert_int_eq(cli("add", "sub", "--reseller", id), 0);
	ck_assert_int_eq(Q("SELECT reseller FROM customer WHERE username = 'sub'"), r);
	struct scope sc;
	ck_assert(login_ok("sub", "cli-password", &sc));
	ck_assert_int_eq(sc.role, ROLE_CUSTOMER);
	unsetenv("NGNPROD_PASSWORD");
	ck_assert_int_eq(cli("add", "sub", NULL, NULL), 1);               /* exists */
	ck_assert_int_eq(cli("add", "x", "--reseller", "999"), 1);        /* no such reseller */
	ck_assert_int_eq(cli("add", "x", "--reseller", "abc"), 2);
	ck_assert_int_eq(cli("list", NULL, NULL, NULL), 0);
	ck_assert_int_eq(cli("list", "--resellers", NULL, NULL), 0);
	ck_assert_int_eq(cli("show", id, NULL, NULL), 0);
	ck_assert_int_eq(cli("show", "999", NULL, NULL), 1);
	ck_assert_int_eq(cli("delete", id, NULL, NULL), 1);               /* still has customers */
	long long s = Q("SELECT id FROM customer WHERE username = 'sub'");
	char sid[32];
	snprintf(sid, sizeof sid, "%lld", s);
	ck_assert_int_eq(cli("delete", sid, NULL, NULL), 0);
	ck_assert_int_eq(cli("delete", id, NULL, NULL), 0);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM customer"), 0);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM api_user"), 0);
	ck_assert_int_eq(cli("frobnicate", NULL, NULL, NULL), 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("customer");
	TCase *tc = tcase_create("customer");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, add_fixture_under_a_reseller_owns_its_login);
	tcase_add_test(tc, add_without_reseller_makes_a_reseller);
	tcase_add_test(tc, add_faults_change_nothing);
	tcase_add_test(tc, get_fixture_and_missing);
	tcase_add_test(tc, update_fixture_echo_moves_the_login);
	tcase_add_test(tc, update_faults_change_nothing);
	tcase_add_test(tc, set_properties_merges_by_name);
	tcase_add_test(tc, get_properties_fixture_is_a_bare_list);
	tcase_add_test(tc, listings_fixtures);
	tcase_add_test(tc, listing_page_carries_each_customers_properties);
	tcase_add_test(tc, store_narrows_by_scope);
	tcase_add_test(tc, delete_fixture_and_faults);
	tcase_add_test(tc, undefined_update_customer_faults);
	tcase_add_test(tc, logins_bind_to_records);
	tcase_add_test(tc, admin_tool);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
