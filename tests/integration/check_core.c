/* check_core.c: the core Sip-port operations end to end below HTTP: SOAP
 * envelopes (captured client requests and our own) served in process by the
 * real handlers against a private MariaDB, with the replies checked by XPath
 * and the stored state by SQL.
 *
 * Every fault case also checks that the fault changed nothing (a fingerprint
 * of all tables before and after), and every reply is checked not to echo
 * the request's auth header (inproc.c). */
#include <check.h>
#include <mysql.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/db.h"
#include "inproc.h"
#include "inproc_check.h"
#include "store/store.h"
#include "testdb.h"

static struct inproc T;

static void setup(void)
{
	inproc_open(&T);
}

static void teardown(void)
{
	inproc_close(&T);
}

/* ---- request builders ------------------------------------------------- */

static char B[65536];

static int add_domain(const char *d, int customer, int reseller)
{
	snprintf(B, sizeof B,
		 "<ns5:addDomain><domain xsi:type=\"ns4:SipDomain\"><domain xsi:type=\"xsd:string\">%s</domain>"
		 "<customer xsi:type=\"xsd:int\">%d</customer><reseller xsi:type=\"xsd:int\">%d</reseller>"
		 "</domain></ns5:addDomain>",
		 d, customer, reseller);
	return inproc_call(&T, B);
}

static int update_domain(const char *d, const char *more)
{
	snprintf(B, sizeof B,
		 "<ns5:updateDomain><domain xsi:type=\"ns4:SipDomain\"><domain xsi:type=\"xsd:string\">%s</domain>"
		 "%s</domain></ns5:updateDomain>",
		 d, more);
	return inproc_call(&T, B);
}

static int delete_domain(const char *d)
{
	snprintf(B, sizeof B, "<ns5:deleteDomain><domain xsi:type=\"xsd:string\">%s</domain></ns5:deleteDomain>", d);
	return inproc_call(&T, B);
}

static int get_domains(const char *filter, const char *order, int start, int count)
{
	snprintf(B, sizeof B,
		 "<ns5:getDomains><query xsi:type=\"ns4:SipDomainQuery\"><filter>%s</filter>%s"
		 "<range><start xsi:type=\"xsd:int\">%d</start><count xsi:type=\"xsd:int\">%d</count></range>"
		 "</query></ns5:getDomains>",
		 filter, order, start, count);
	return inproc_call(&T, B);
}

static int add_account(const char *user, const char *domain, const char *password, const char *more)
{
	snprintf(B, sizeof B,
		 "<ns5:addAccount><account xsi:type=\"ns4:SipAccount\"><id><username xsi:type=\"xsd:string\">%s</username>"
		 "<domain xsi:type=\"xsd:string\">%s</domain></id><password xsi:type=\"xsd:string\">%s</password>%s"
		 "</account></ns5:addAccount>",
		 user, domain, password, more);
	return inproc_call(&T, B);
}

static int update_account(const char *user, const char *domain, const char *more)
{
	snprintf(B, sizeof B,
		 "<ns5:updateAccount><account xsi:type=\"ns4:SipAccount\"><id><username xsi:type=\"xsd:string\">%s</username>"
		 "<domain xsi:type=\"xsd:string\">%s</domain></id>%s</account></ns5:updateAccount>",
		 user, domain, more);
	return inproc_call(&T, B);
}

/* op(<param xsi:type="ns4:SipId">user@domain</param> more) */
static int id_call(const char *op, const char *param, const char *user, const char *domain, const char *more)
{
	snprintf(B, sizeof B,
		 "<ns5:%s><%s xsi:type=\"ns4:SipId\"><username xsi:type=\"xsd:string\">%s</username>"
		 "<domain xsi:type=\"xsd:string\">%s</domain></%s>%s</ns5:%s>",
		 op, param, user, domain, param, more ? more : "", op);
	return inproc_call(&T, B);
}

static int group_call(const char *op, const char *user, const char *domain, const char *group)
{
	char more[512];
	snprintf(more, sizeof more, "<group xsi:type=\"xsd:string\">%s</group>", group);
	return id_call(op, "sipId", user, domain, more);
}

static int get_accounts(const char *filter, const char *order, int start, int count)
{
	snprintf(B, sizeof B,
		 "<ns5:getAccounts><query xsi:type=\"ns4:SipQuery\"><filter>%s</filter>%s"
		 "<range><start xsi:type=\"xsd:int\">%d</start><count xsi:type=\"xsd:int\">%d</count></range>"
		 "</query></ns5:getAccounts>",
		 filter, order, start, count);
	return inproc_call(&T, B);
}

static int add_alias(const char *au, const char *ad, const char *tu, const char *td, const char *more)
{
	snprintf(B, sizeof B,
		 "<ns5:addAlias><alias xsi:type=\"ns4:SipAlias\"><id><username xsi:type=\"xsd:string\">%s</username>"
		 "<domain xsi:type=\"xsd:string\">%s</domain></id><target><username xsi:type=\"xsd:string\">%s</username>"
		 "<domain xsi:type=\"xsd:string\">%s</domain></target>%s</alias></ns5:addAlias>",
		 au, ad, tu, td, more ? more : "");
	return inproc_call(&T, B);
}

static int get_aliases(const char *filter, const char *order, int start, int count)
{
	snprintf(B, sizeof B,
		 "<ns5:getAliases><query xsi:type=\"ns4:AliasQuery\"><filter>%s</filter>%s"
		 "<range><start xsi:type=\"xsd:int\">%d</start><count xsi:type=\"xsd:int\">%d</count></range>"
		 "</query></ns5:getAliases>",
		 filter, order, start, count);
	return inproc_call(&T, B);
}

#define ORDER(attr, dir)                                                                           \
	"<orderBy><attribute xsi:type=\"xsd:string\">" attr "</attribute>"                         \
	"<direction xsi:type=\"xsd:string\">" dir "</direction></orderBy>"
#define S(name, v) "<" name " xsi:type=\"xsd:string\">" v "</" name ">"
#define I(name, v) "<" name " xsi:type=\"xsd:int\">" #v "</" name ">"
#define GROUPS1(g) "<groups xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"xsd:string[1]\"><item xsi:type=\"xsd:string\">" g "</item></groups>"
#define GROUPS2(g, h)                                                                              \
	"<groups xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"xsd:string[2]\"><item xsi:type=\"xsd:string\">" g \
	"</item><item xsi:type=\"xsd:string\">" h "</item></groups>"
#define EMPTY_ARRAY(name) "<" name " xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"xsd:anyType[0]\"/>"
#define PROP(n, v) "<item><name xsi:type=\"xsd:string\">" n "</name><value xsi:type=\"xsd:string\">" v "</value></item>"
#define PROPS1(p) "<properties xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"Struct[1]\">" p "</properties>"
#define PROPS2(p, q) "<properties xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"Struct[2]\">" p q "</properties>"
#define ACL1(ip, mask) \
	"<acl xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"Struct[1]\"><item><ip xsi:type=\"xsd:string\">" ip \
	"</ip><mask xsi:type=\"xsd:int\">" #mask "</mask></item></acl>"

/* example.com (reseller 123, as the fixtures use) with alice (password
 * "secret", groups free-pstn and prepaid, as addAccount.http). */
static void given_alice(void)
{
	OK(inproc_fixture(&T, "addDomain"));
	OK(inproc_fixture(&T, "addAccount"));
}

/* ---- domains ----------------------------------------------------------- */

START_TEST(domain_fixtures_roundtrip)
{
	OK(inproc_fixture(&T, "addDomain"));
	ck_assert_str_eq(XS(R), "true");
	ck_assert_str_eq(XS(R "/@xsi:type"), "xsd:boolean");
	ck_assert_int_eq(Q("SELECT sd.reseller FROM domain d JOIN sip_domain sd ON sd.domain_id = d.id WHERE d.domain = 'example.com'"), 123);
	ck_assert_int_eq(Q("SELECT sd.customer FROM domain d JOIN sip_domain sd ON sd.domain_id = d.id WHERE d.domain = 'example.com'"), 0);

	OK(inproc_fixture(&T, "updateDomain")); /* customer 5, require_cert 1 (xsd:int), changeDate ignored */
	ck_assert_int_eq(Q("SELECT customer * 100 + reseller FROM sip_domain"), 5 * 100 + 123);
	ck_assert_int_eq(Q("SELECT verify_cert * 10 + require_cert FROM sip_domain"), 1);
	ck_assert_int_eq(Q("SELECT change_date > '2024-01-02 10:00:00' FROM sip_domain"), 1);

	OK(inproc_fixture(&T, "getDomains"));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 1);
	ck_assert_str_eq(XS(R "/domains/@SOAP-ENC:arrayType"), "ngn2:SipDomain[1]");
	ck_assert_str_eq(XS(R "/domains/item[1]/domain"), "example.com");
	ck_assert_str_eq(XS(R "/domains/item[1]/customer"), "5");
	ck_assert_str_eq(XS(R "/domains/item[1]/require_cert"), "true");
	ck_assert_str_eq(XS(R "/domains/item[1]/require_cert/@xsi:type"), "xsd:boolean");
	ck_assert_str_eq(XS(R "/domains/item[1]/verify_cert"), "false");
	ck_assert(*XS(R "/domains/item[1]/changeDate") != '\0');

	OK(inproc_fixture(&T, "deleteDomain"));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM domain"), 0);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_domain"), 0);
	FAULT_NOCHANGE(inproc_fixture(&T, "deleteDomain"), 1000);
}
END_TEST

START_TEST(domain_faults)
{
	OK(add_domain("example.com", 1, 2));
	FAULT_NOCHANGE(add_domain("example.com", 3, 4), 1001);
	FAULT_SAYS("example.com");
	FAULT_NOCHANGE(add_domain("EXAMPLE.Com", 3, 4), 1001); /* names are case-insensitive */
	FAULT_NOCHANGE(add_domain("bad_domain.com", 0, 0), 4004);
	FAULT_SAYS("\"bad_domain.com\"");
	FAULT_NOCHANGE(add_domain("", 0, 0), 4002);
	FAULT_NOCHANGE(inproc_call(&T, "<ns5:addDomain/>"), 4002);
	FAULT_NOCHANGE(add_domain("neg.example.com", -1, 0), 4008);
	FAULT_SAYS("customer");
	FAULT_NOCHANGE(update_domain("example.org", I("customer", 1)), 1000);
	FAULT_SAYS("example.org");
	FAULT_NOCHANGE(update_domain("example.com", I("reseller", -5)), 4008);
	FAULT_NOCHANGE(delete_domain("example.org"), 1000);
	FAULT_NOCHANGE(delete_domain("not a domain"), 4004);
	FAULT_NOCHANGE(inproc_call(&T, "<ns5:deleteDomain/>"), 4002);

	/* not empty: an account, then only an alias */
	OK(add_domain("example.net", 0, 0));
	OK(add_account("alice", "example.com", "pw", ""));
	FAULT_NOCHANGE(delete_domain("example.com"), 1002);
	FAULT_SAYS("accounts");
	OK(add_alias("al", "example.net", "alice", "example.com", NULL));
	FAULT_NOCHANGE(delete_domain("example.net"), 1002);
	FAULT_SAYS("aliases");
	OK(id_call("deleteAlias", "id", "al", "example.net", NULL));
	OK(delete_domain("example.net"));
	OK(id_call("deleteAccount", "sipId", "alice", "example.com", NULL));
	OK(delete_domain("EXAMPLE.COM"));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM domain"), 0);
}
END_TEST

START_TEST(domain_update_is_partial_and_reowns_accounts_and_aliases)
{
	OK(add_domain("example.com", 1, 2));
	OK(update_domain("example.com", S("certificate", "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n")
						S("match_sip_domain", "sip.example.com") I("verify_cert", 1)));
	OK(add_account("alice", "example.com", "pw", ""));
	OK(add_alias("al", "example.com", "alice", "example.com", NULL));
	ck_assert_int_eq(Q("SELECT customer * 100 + reseller FROM sip_account"), 102);
	ck_assert_int_eq(Q("SELECT customer * 100 + reseller FROM sip_alias"), 102);

	OK(update_domain("example.com", I("customer", 7))); /* reseller and the rest absent: unchanged */
	ck_assert_int_eq(Q("SELECT customer * 100 + reseller FROM sip_domain"), 702);
	ck_assert_int_eq(Q("SELECT verify_cert FROM sip_domain"), 1);
	ck_assert_int_eq(Q("SELECT certificate LIKE '-----BEGIN CERTIFICATE-----%' FROM sip_domain"), 1);
	ck_assert_int_eq(Q("SELECT match_sip_domain = 'sip.example.com' FROM sip_domain"), 1);
	ck_assert_int_eq(Q("SELECT customer * 100 + reseller FROM sip_account"), 702);
	ck_assert_int_eq(Q("SELECT customer * 100 + reseller FROM sip_alias"), 702);

	OK(id_call("getAccount", "sipId", "alice", "example.com", NULL));
	ck_assert_str_eq(XS(R "/customer"), "7");
	ck_assert_str_eq(XS(R "/reseller"), "2");
}
END_TEST

START_TEST(domain_listing)
{
	OK(add_domain("a.example.com", 1, 10));
	OK(add_domain("b.example.com", 2, 10));
	OK(add_domain("c.example.com", 1, 20));
	OK(add_domain("other.net", 3, 30));

	OK(get_domains(S("domain", ""), ORDER("domain", "ASC"), 0, 750));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 4);
	ck_assert_int_eq((int)XN("count(" R "/domains/item)"), 4);
	ck_assert_str_eq(XS(R "/domains/item[1]/domain"), "a.example.com");
	ck_assert_str_eq(XS(R "/domains/item[4]/domain"), "other.net");

	OK(get_domains(S("domain", "%.example.com"), ORDER("domain", "DESC"), 0, 10));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 3);
	ck_assert_str_eq(XS(R "/domains/item[1]/domain"), "c.example.com");

	OK(get_domains(S("domain", "B.EXAMPLE.COM"), "", 0, 10)); /* exact, case-folded */
	ck_assert_int_eq((int)XN("number(" R "/total)"), 1);
	ck_assert_str_eq(XS(R "/domains/item[1]/domain"), "b.example.com");

	OK(get_domains(I("customer", 1) I("reseller", 0), ORDER("domain", "ASC"), 0, 10));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 2);
	OK(get_domains(I("reseller", 10), ORDER("domain", "ASC"), 1, 1)); /* page 2 of size 1 */
	ck_assert_int_eq((int)XN("number(" R "/total)"), 2);
	ck_assert_int_eq((int)XN("count(" R "/domains/item)"), 1);
	ck_assert_str_eq(XS(R "/domains/item[1]/domain"), "b.example.com");

	OK(get_domains(S("domain", "nothing%"), "", 0, 10));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 0);
	ck_assert_str_eq(XS(R "/domains/@SOAP-ENC:arrayType"), "ngn2:SipDomain[0]");

	OK(inproc_call(&T, "<ns5:getDomains/>")); /* no query at all: everything, default order */
	ck_assert_int_eq((int)XN("number(" R "/total)"), 4);
	OK(get_domains("", "", 0, 5000)); /* count above the maximum is clamped, not refused */
	ck_assert_int_eq((int)XN("count(" R "/domains/item)"), 4);

	FAULT_NOCHANGE(get_domains("", ORDER("password", "ASC"), 0, 10), 4009);
	FAULT_SAYS("password");
	FAULT_NOCHANGE(get_domains("", ORDER("domain", "UP"), 0, 10), 4009);
	FAULT_NOCHANGE(get_domains("", "", -1, 10), 4009);
	FAULT_NOCHANGE(get_domains(I("customer", -1), "", 0, 10), 4009);
}
END_TEST

/* ---- accounts ---------------------------------------------------------- */

START_TEST(account_add_fixture_digest_password)
{
	given_alice(); /* the request sends digest1:digest2 */
	ck_assert_str_eq(XS(R "/@xsi:type"), "ngn2:SipAccount");
	ck_assert_str_eq(XS(R "/id/username"), "alice");
	ck_assert_str_eq(XS(R "/id/domain"), "example.com");
	ck_assert_str_eq(XS(R "/ha1"), "981a4ef40955b75633f737a3ece44230");
	ck_assert_str_eq(XS(R "/password"), "");
	ck_assert_str_eq(XS(R "/reseller"), "123");
	ck_assert_str_eq(XS(R "/prepaid"), "true");
	ck_assert_str_eq(XS(R "/groups/@SOAP-ENC:arrayType"), "xsd:string[2]");
	ck_assert_str_eq(XS(R "/acl/@SOAP-ENC:arrayType"), "ngn2:AccessListEntry[0]");
	ck_assert_str_eq(XS(R "/properties/@SOAP-ENC:arrayType"), "ngn2:Property[0]");
	ck_assert_int_eq(Q("SELECT ha1 = '981a4ef40955b75633f737a3ece44230' AND ha1b = '94e77326454c7347185d0106b03216ff'"
			   " AND password = '' FROM subscriber WHERE username = 'alice' AND domain = 'example.com'"), 1);
	ck_assert_int_eq(Q("SELECT first_name = 'Alice' AND last_name = 'Smith' AND email = 'alice@example.com'"
			   " AND timezone = 'Europe/Amsterdam' AND prepaid = 1 AND quota = 0 AND reseller = 123 FROM sip_account"), 1);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM grp WHERE username = 'alice' AND domain = 'example.com'"
			   " AND grp IN ('free-pstn', 'prepaid')"), 2);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM proxy_event WHERE username = 'alice' AND domain = 'example.com'"), 1);
	ck_assert_int_eq(T.nudges, 1);
}
END_TEST

START_TEST(account_add_fixture_clear_password_props_acl)
{
	OK(inproc_fixture(&T, "addDomain"));
	OK(inproc_fixture(&T, "addAccount_props"));
	ck_assert_int_eq(Q("SELECT ha1 = MD5('bob:example.com:clear') AND ha1b = MD5('bob@example.com:example.com:clear')"
			   " AND password = 'clear' FROM subscriber WHERE username = 'bob'"), 1);
	ck_assert_int_eq(Q("SELECT quota FROM sip_account"), 10);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_account_acl WHERE ip = '10.0.0.0' AND mask = 8"), 1);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_account_property WHERE (name, value) IN (('language', 'en'), ('web_password', 'x'))"), 2);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM grp"), 0);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM proxy_event"), 0); /* no membership, no event */
	ck_assert_int_eq(T.nudges, 0);

	OK(id_call("getAccount", "sipId", "bob", "example.com", NULL));
	ck_assert_str_eq(XS(R "/password"), "clear");
	ck_assert_str_eq(XS(R "/ha1"), "0ec5026b3446c14e1b29b88035d69c0c");
	ck_assert_str_eq(XS(R "/groups/@SOAP-ENC:arrayType"), "xsd:string[0]");
	ck_assert_str_eq(XS(R "/properties/@SOAP-ENC:arrayType"), "ngn2:Property[2]");
	ck_assert_str_eq(XS(R "/properties/item[name='web_password']/value"), "x");
	ck_assert_str_eq(XS(R "/acl/@SOAP-ENC:arrayType"), "ngn2:AccessListEntry[1]");
	ck_assert_str_eq(XS(R "/acl/item[1]/ip"), "10.0.0.0");
	ck_assert_str_eq(XS(R "/acl/item[1]/mask"), "8");
	ck_assert_str_eq(XS(R "/prepaid"), "false");
	ck_assert_str_eq(XS(R "/quota/@xsi:type"), "xsd:int");
}
END_TEST

START_TEST(account_without_clear_passwords)
{
	T.cfg.store_clear_text_passwords = 0;
	OK(add_domain("example.com", 0, 0));
	OK(add_account("bob", "example.com", "s3cret", ""));
	ck_assert_str_eq(XS(R "/password"), "");
	ck_assert_int_eq(Q("SELECT password = '' AND ha1 = MD5('bob:example.com:s3cret')"
			   " AND ha1b = MD5('bob@example.com:example.com:s3cret') FROM subscriber"), 1);
	OK(update_account("bob", "example.com", S("password", "n3w")));
	ck_assert_int_eq(Q("SELECT password = '' AND ha1 = MD5('bob:example.com:n3w') FROM subscriber"), 1);
	OK(id_call("getAccount", "sipId", "bob", "example.com", NULL));
	ck_assert_str_eq(XS(R "/password"), "");
	ck_assert(strlen(XS(R "/ha1")) == 32);

	/* a clear password kept from before the option changed is not returned either */
	T.cfg.store_clear_text_passwords = 1;
	OK(update_account("bob", "example.com", S("password", "kept")));
	ck_assert_int_eq(Q("SELECT password = 'kept' FROM subscriber"), 1);
	T.cfg.store_clear_text_passwords = 0;
	OK(id_call("getAccount", "sipId", "bob", "example.com", NULL));
	ck_assert_str_eq(XS(R "/password"), "");
}
END_TEST

START_TEST(account_get_fixture)
{
	given_alice();
	OK(inproc_fixture(&T, "getAccount"));
	ck_assert_str_eq(XS(R "/id/username"), "alice");
	ck_assert_str_eq(XS(R "/firstName"), "Alice");
	ck_assert_str_eq(XS(R "/email"), "alice@example.com");
	ck_assert_str_eq(XS(R "/timezone"), "Europe/Amsterdam");
	ck_assert_str_eq(XS(R "/customer"), "0");
	ck_assert_str_eq(XS(R "/reseller"), "123");
	ck_assert_str_eq(XS(R "/groups/item[1]"), "free-pstn");
	ck_assert_str_eq(XS(R "/groups/item[2]"), "prepaid");
	ck_assert_str_eq(XS(R "/prepaid/@xsi:type"), "xsd:boolean");
	ck_assert_str_eq(XS(R "/createDate/@xsi:type"), "xsd:dateTime");
	ck_assert(*XS(R "/changeDate") != '\0');
	ck_assert_int_eq((int)XN("count(/SOAP-ENV:Envelope/SOAP-ENV:Body/*[1]/*)"), 1); /* one result part */

	FAULT_NOCHANGE(id_call("getAccount", "sipId", "nobody", "example.com", NULL), 1010);
	FAULT_SAYS("nobody@example.com");
	FAULT_NOCHANGE(id_call("getAccount", "sipId", "", "example.com", NULL), 4002);
	FAULT_NOCHANGE(inproc_call(&T, "<ns5:getAccount/>"), 4002);
}
END_TEST

START_TEST(account_update_roundtrip_fixture)
{
	given_alice(); /* groups free-pstn + prepaid, digest password */
	OK(inproc_fixture(&T, "updateAccount_roundtrip"));
	/* password "pw" set; groups replaced by [free-pstn]; acl and properties replaced */
	ck_assert_int_eq(Q("SELECT ha1 = MD5('alice:example.com:pw') AND ha1b = MD5('alice@example.com:example.com:pw')"
			   " AND password = 'pw' FROM subscriber"), 1);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM grp"), 1);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM grp WHERE grp = 'free-pstn'"), 1);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM proxy_event"), 2);
	ck_assert_int_eq(T.nudges, 2);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_account_acl WHERE ip = '10.0.0.0' AND mask = 8"), 1);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_account_property WHERE name = 'language' AND value = 'en'"), 1);
	/* customer/reseller/createDate/changeDate/answerTimeout sent back are ignored */
	ck_assert_int_eq(Q("SELECT customer * 1000 + reseller FROM sip_account"), 123);
	ck_assert_int_eq(Q("SELECT create_date > '2024-01-01 10:00:00' FROM sip_account"), 1);
	ck_assert_int_eq(Q("SELECT prepaid FROM sip_account"), 1);

	/* the same request again: nothing about membership changes, so no event */
	OK(inproc_fixture(&T, "updateAccount_roundtrip"));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM proxy_event"), 2);
	ck_assert_int_eq(T.nudges, 2);
}
END_TEST

START_TEST(account_update_semantics)
{
	OK(add_domain("example.com", 0, 0));
	OK(add_account("bob", "example.com", "pw1",
		       S("firstName", "Bob") S("email", "Bob@Example.com") I("quota", 5) GROUPS2("free-pstn", "voicemail")
			       PROPS1(PROP("language", "nl")) ACL1("192.168.0.0", 16) I("callLimit", 3)));
	ck_assert_int_eq(Q("SELECT email = 'bob@example.com' FROM sip_account"), 1); /* lower-cased */
	long long events = Q("SELECT COUNT(*) FROM proxy_event");

	/* only lastName: everything else stays, including password, lists and groups */
	OK(update_account("bob", "example.com", S("lastName", "Jones")));
	ck_assert_int_eq(Q("SELECT first_name = 'Bob' AND last_name = 'Jones' AND quota = 5 AND call_limit = 3 FROM sip_account"), 1);
	ck_assert_int_eq(Q("SELECT ha1 = MD5('bob:example.com:pw1') AND password = 'pw1' FROM subscriber"), 1);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM grp"), 2);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_account_property"), 1);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_account_acl"), 1);

	/* an empty password leaves it unchanged */
	OK(update_account("bob", "example.com", S("password", "")));
	ck_assert_int_eq(Q("SELECT ha1 = MD5('bob:example.com:pw1') AND password = 'pw1' FROM subscriber"), 1);

	/* the same groups in another order (and upper case): no change, no event */
	OK(update_account("bob", "example.com", GROUPS2("Voicemail", "free-pstn")));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM proxy_event"), events);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM grp"), 2);

	/* replace: one kept, one new, one gone */
	OK(update_account("bob", "example.com", GROUPS2("free-pstn", "blocked")));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM grp WHERE grp IN ('free-pstn', 'blocked')"), 2);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM grp"), 2);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM proxy_event"), events + 1);

	/* empty lists clear; digest form accepted on update */
	OK(update_account("bob", "example.com",
			  EMPTY_ARRAY("groups") EMPTY_ARRAY("properties") EMPTY_ARRAY("acl")
				  S("password", "0123456789abcdef0123456789ABCDEF:fedcba9876543210fedcba9876543210")));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM grp"), 0);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_account_property"), 0);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_account_acl"), 0);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM proxy_event"), events + 2);
	ck_assert_int_eq(Q("SELECT ha1 = '0123456789abcdef0123456789abcdef' AND password = '' FROM subscriber"), 1);

	/* prepaid as xsd:boolean and as xsd:int */
	OK(update_account("bob", "example.com", "<prepaid xsi:type=\"xsd:boolean\">true</prepaid>"));
	ck_assert_int_eq(Q("SELECT prepaid FROM sip_account"), 1);
	OK(update_account("bob", "example.com", I("prepaid", 0)));
	ck_assert_int_eq(Q("SELECT prepaid FROM sip_account"), 0);
}
END_TEST

START_TEST(account_faults_change_nothing)
{
	given_alice();
	OK(add_alias("al", "example.com", "alice", "example.com", NULL));
	char many[8192] = "<groups xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"xsd:string[101]\">";
	for (int i = 0; i < 101; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "<item>g%d</item>", i);
	strcat(many, "</groups>");
	char longname[300] = "<firstName>";
	memset(longname + strlen(longname), 'n', 129);
	strcat(longname, "</firstName>");

	FAULT_NOCHANGE(add_account("bob", "example.org", "pw", ""), 1000);
	FAULT_SAYS("example.org");
	FAULT_NOCHANGE(inproc_fixture(&T, "addAccount"), 1011);
	FAULT_NOCHANGE(add_account("ALICE", "Example.com", "pw", ""), 1011);
	FAULT_SAYS("alice@example.com");
	FAULT_NOCHANGE(add_account("al", "example.com", "pw", ""), 1021); /* the name is an alias */
	FAULT_NOCHANGE(add_account("al ice", "example.com", "pw", ""), 4003);
	FAULT_SAYS("\"al ice\"");
	FAULT_NOCHANGE(add_account("bob", "exa mple.com", "pw", ""), 4004);
	FAULT_NOCHANGE(add_account("bob", "example.com", "pw", S("email", "bob at example.com")), 4005);
	FAULT_SAYS("bob at example.com");
	FAULT_NOCHANGE(add_account("bob", "example.com", "pw", GROUPS1("free pstn")), 4006);
	FAULT_NOCHANGE(add_account("bob", "example.com", "a&#9;b", ""), 4007);
	FAULT_NOCHANGE(add_account("bob", "example.com", "pw", ACL1("10.0.0.0", 33)), 4010);
	FAULT_NOCHANGE(add_account("bob", "example.com", "pw", ACL1("10.0.0", 8)), 4010);
	FAULT_NOCHANGE(add_account("bob", "example.com", "pw", PROPS1(PROP("bad name", "x"))), 4011);
	FAULT_NOCHANGE(add_account("bob", "example.com", "pw", PROPS2(PROP("a", "1"), PROP("a", "2"))), 4011);
	FAULT_NOCHANGE(add_account("bob", "example.com", "pw", I("quota", -1)), 4008);
	FAULT_NOCHANGE(add_account("bob", "example.com", "pw", longname), 4008);
	FAULT_NOCHANGE(add_account("bob", "example.com", "pw", many), 4012);
	FAULT_NOCHANGE(add_account("bob", "example.com", "", ""), 4002); /* password required on add */
	FAULT_NOCHANGE(inproc_call(&T, "<ns5:addAccount><account xsi:type=\"ns4:SipAccount\">"
				       S("password", "pw") "</account></ns5:addAccount>"), 4002);
	FAULT_NOCHANGE(inproc_call(&T, "<ns5:addAccount/>"), 4002);
	FAULT_NOCHANGE(add_account("&lt;autoincrement&gt;", "example.com",
				   "0123456789abcdef0123456789abcdef:0123456789abcdef0123456789abcdef", ""), 4007);

	/* a bad member anywhere faults before the first write: the password
	 * and names of the same request are not applied either */
	FAULT_NOCHANGE(update_account("alice", "example.com", S("password", "new") S("firstName", "A") ACL1("1.2.3.4", 40)), 4010);
	FAULT_NOCHANGE(update_account("alice", "example.com", S("password", "new") GROUPS2("ok", "not ok")), 4006);
	FAULT_NOCHANGE(update_account("nobody", "example.com", S("firstName", "N")), 1010);
	FAULT_NOCHANGE(update_account("alice", "example.org", S("firstName", "N")), 1010);
	FAULT_NOCHANGE(inproc_call(&T, "<ns5:updateAccount><account xsi:type=\"ns4:SipAccount\">"
				       S("firstName", "N") "</account></ns5:updateAccount>"), 4002);
	FAULT_NOCHANGE(id_call("deleteAccount", "sipId", "nobody", "example.com", NULL), 1010);
	FAULT_NOCHANGE(id_call("deleteAccount", "sipId", "alice", "bad..domain", NULL), 4004);
}
END_TEST

START_TEST(account_autoincrement)
{
	OK(add_domain("example.com", 0, 0));
	OK(add_account("&lt;autoincrement&gt;", "example.com", "pw", S("email", "unknown@domain")));
	ck_assert_str_eq(XS(R "/id/username"), "1000");
	ck_assert_str_eq(XS(R "/id/domain"), "example.com");
	ck_assert_int_eq(Q("SELECT ha1 = MD5('1000:example.com:pw') FROM subscriber WHERE username = '1000'"), 1);
	OK(add_account("&lt;autoincrement&gt;", "Example.com", "pw", ""));
	ck_assert_str_eq(XS(R "/id/username"), "1001");
	/* taken names are skipped, by accounts and by aliases */
	OK(add_account("1002", "example.com", "pw", ""));
	OK(add_alias("1003", "example.com", "1000", "example.com", NULL));
	OK(add_account("&lt;autoincrement&gt;", "example.com", "pw", ""));
	ck_assert_str_eq(XS(R "/id/username"), "1004");
	/* counters are per domain */
	OK(add_domain("example.net", 0, 0));
	OK(add_account("&lt;autoincrement&gt;", "example.net", "pw", ""));
	ck_assert_str_eq(XS(R "/id/username"), "1000");
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM subscriber"), 5);
	FAULT_NOCHANGE(add_account("&lt;autoincrement&gt;", "example.org", "pw", ""), 1000);
	/* only addAccount knows the keyword */
	FAULT_NOCHANGE(update_account("&lt;autoincrement&gt;", "example.com", S("firstName", "x")), 4003);
}
END_TEST

START_TEST(account_names_are_normalised)
{
	OK(add_domain("Example.COM", 0, 0));
	OK(add_account("Alice.Smith", "EXAMPLE.com", "Secret", S("email", "Alice@Example.COM")));
	ck_assert_str_eq(XS(R "/id/username"), "alice.smith");
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM subscriber WHERE username = 'alice.smith' AND domain = 'example.com'"
			   " AND ha1 = MD5('alice.smith:example.com:Secret')"), 1);
	OK(id_call("getAccount", "sipId", "ALICE.smith", "example.Com", NULL));
	ck_assert_str_eq(XS(R "/email"), "alice@example.com");
	ck_assert_str_eq(XS(R "/password"), "Secret"); /* passwords keep their case */
}
END_TEST

START_TEST(account_delete_fixture)
{
	given_alice();
	OK(update_account("alice", "example.com", PROPS1(PROP("language", "en")) ACL1("10.1.0.0", 16)));
	OK(add_alias("al", "example.com", "alice", "example.com", NULL));
	OK(add_account("bob", "example.com", "pw", ""));
	OK(add_alias("bobby", "example.com", "bob", "example.com", NULL));
	int nudges = T.nudges;
	OK(inproc_fixture(&T, "deleteAccount"));
	ck_assert_str_eq(XS(R), "true");
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM subscriber WHERE username = 'alice'"), 0);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_account"), 1);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_account_property"), 0);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_account_acl"), 0);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM grp WHERE username = 'alice'"), 0);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM dbaliases"), 1); /* al went with alice, bobby stays */
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_alias"), 1);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM proxy_event WHERE username = 'alice'"), 2); /* add + delete */
	ck_assert_int_eq(T.nudges, nudges + 1);
	FAULT_NOCHANGE(inproc_fixture(&T, "deleteAccount"), 1010);

	/* an account without groups leaves no event */
	OK(id_call("deleteAccount", "sipId", "bob", "example.com", NULL));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM proxy_event WHERE username = 'bob'"), 0);
	ck_assert_int_eq(T.nudges, nudges + 1);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM dbaliases"), 0);
}
END_TEST

START_TEST(account_listing)
{
	OK(add_domain("example.com", 0, 0));
	OK(add_domain("example.net", 0, 0));
	OK(add_account("alice", "example.com", "pw", S("firstName", "Alice") S("lastName", "Smith") GROUPS1("free-pstn") I("owner", 7)));
	OK(add_account("bob", "example.com", "pw", S("firstName", "Bob") S("email", "bob@example.org")));
	OK(add_account("carol", "example.com", "pw", S("firstName", "Carol") GROUPS2("blocked", "free-pstn")));
	OK(add_account("dave", "example.net", "pw", GROUPS1("blocked")));

	OK(inproc_fixture(&T, "getAccounts")); /* domain example.com, groups [""], 0s: any */
	ck_assert_int_eq((int)XN("number(" R "/total)"), 3);
	ck_assert_str_eq(XS(R "/total/@xsi:type"), "xsd:int");
	ck_assert_str_eq(XS(R "/accounts/@SOAP-ENC:arrayType"), "ngn2:SipAccount[3]");
	ck_assert_int_eq((int)XN("count(" R "/accounts/item[groups/@SOAP-ENC:arrayType])"), 3);

	OK(get_accounts("", ORDER("username", "ASC"), 0, 10));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 4);
	ck_assert_str_eq(XS(R "/accounts/item[1]/id/username"), "alice");
	ck_assert_str_eq(XS(R "/accounts/item[4]/id/username"), "dave");
	OK(get_accounts("", ORDER("username", "DESC"), 1, 2)); /* page: total still counts all */
	ck_assert_int_eq((int)XN("number(" R "/total)"), 4);
	ck_assert_int_eq((int)XN("count(" R "/accounts/item)"), 2);
	ck_assert_str_eq(XS(R "/accounts/item[1]/id/username"), "carol");
	ck_assert_str_eq(XS(R "/accounts/item[2]/id/username"), "bob");

	OK(get_accounts(S("username", "A%"), "", 0, 10)); /* wildcard, case-folded */
	ck_assert_int_eq((int)XN("number(" R "/total)"), 1);
	ck_assert_str_eq(XS(R "/accounts/item[1]/id/username"), "alice");
	OK(get_accounts(S("username", "_ob"), "", 0, 10));
	ck_assert_str_eq(XS(R "/accounts/item[1]/id/username"), "bob");
	OK(get_accounts(S("username", "bo"), "", 0, 10)); /* exact without wildcards */
	ck_assert_int_eq((int)XN("number(" R "/total)"), 0);
	ck_assert_str_eq(XS(R "/accounts/@SOAP-ENC:arrayType"), "ngn2:SipAccount[0]");

	OK(get_accounts(GROUPS1("blocked"), ORDER("domain", "ASC"), 0, 10));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 2);
	ck_assert_str_eq(XS(R "/accounts/item[1]/id/username"), "carol");
	ck_assert_str_eq(XS(R "/accounts/item[2]/id/username"), "dave");
	OK(get_accounts(GROUPS2("blocked", "free-pstn"), "", 0, 10)); /* in every listed group */
	ck_assert_int_eq((int)XN("number(" R "/total)"), 1);
	OK(get_accounts(S("domain", "example.com") GROUPS1("Free-PSTN"), "", 0, 10));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 2);

	OK(get_accounts(S("firstName", "alice"), "", 0, 10)); /* names compare case-insensitively */
	ck_assert_int_eq((int)XN("number(" R "/total)"), 1);
	OK(get_accounts(S("lastName", "smi%"), "", 0, 10));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 1);
	OK(get_accounts(S("email", "BOB@example.org"), "", 0, 10));
	ck_assert_str_eq(XS(R "/accounts/item[1]/id/username"), "bob");
	OK(get_accounts(I("owner", 7), "", 0, 10));
	ck_assert_str_eq(XS(R "/accounts/item[1]/id/username"), "alice");
	ck_assert_int_eq((int)XN("number(" R "/total)"), 1);

	/* default order: changeDate DESC (the most recently changed first) */
	testdb_scalar(T.db, "UPDATE sip_account SET change_date = '2020-01-01 00:00:00'");
	testdb_scalar(T.db, "UPDATE sip_account a JOIN subscriber s ON s.id = a.subscriber_id"
			    " SET a.change_date = '2021-01-01 00:00:00' WHERE s.username = 'bob'");
	OK(inproc_call(&T, "<ns5:getAccounts><query xsi:type=\"ns4:SipQuery\"/></ns5:getAccounts>"));
	ck_assert_str_eq(XS(R "/accounts/item[1]/id/username"), "bob");
	OK(update_account("carol", "example.com", S("rpid", "123")));
	OK(get_accounts("", ORDER("changeDate", "DESC"), 0, 1));
	ck_assert_str_eq(XS(R "/accounts/item[1]/id/username"), "carol");

	FAULT_NOCHANGE(get_accounts("", ORDER("ha1", "ASC"), 0, 10), 4009);
	FAULT_SAYS("\"ha1\"");
	FAULT_NOCHANGE(get_accounts("", ORDER("username", "ASC;"), 0, 10), 4009);
	FAULT_NOCHANGE(get_accounts("", "", 0, -3), 4009);
	FAULT_NOCHANGE(get_accounts(I("owner", -2), "", 0, 10), 4009);
}
END_TEST

START_TEST(account_listing_large_page)
{
	/* a page larger than one batch of the groups/properties/ACL lookups */
	OK(add_domain("example.com", 0, 0));
	for (int i = 0; i < 85; i++) {
		char user[16];
		snprintf(user, sizeof user, "u%02d", i);
		OK(add_account(user, "example.com", "pw",
			       i % 3 == 0 ? GROUPS1("g") : i % 5 == 0 ? PROPS1(PROP("p", "v")) : ACL1("10.0.0.1", 32)));
	}
	OK(get_accounts("", ORDER("username", "ASC"), 0, 1000));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 85);
	ck_assert_int_eq((int)XN("count(" R "/accounts/item)"), 85);
	ck_assert_int_eq((int)XN("count(" R "/accounts/item[groups/item = 'g'])"), 29);
	ck_assert_int_eq((int)XN("count(" R "/accounts/item[properties/item/name = 'p'])"), 11);
	ck_assert_int_eq((int)XN("count(" R "/accounts/item[acl/item/ip = '10.0.0.1'])"), 45);
	ck_assert_str_eq(XS(R "/accounts/item[85]/id/username"), "u84");
	ck_assert_str_eq(XS(R "/accounts/item[85]/groups/item[1]"), "g");
	ck_assert_str_eq(XS(R "/accounts/item[42]/id/username"), "u41");
	ck_assert_str_eq(XS(R "/accounts/item[42]/acl/item[1]/mask"), "32");
	OK(get_accounts("", ORDER("username", "ASC"), 80, 40));
	ck_assert_int_eq((int)XN("count(" R "/accounts/item)"), 5);
}
END_TEST

struct auto_job {
	struct db *db;
	char names[20][32];
	enum ngn_status st;
};

static void *auto_adder(void *arg)
{
	struct auto_job *j = arg;
	struct scope admin = { ROLE_ADMIN, 0, 0 };
	for (int i = 0; i < 20 && j->st == NGN_OK; i++) {
		struct account a = { 0 }, out;
		a.id = (struct sip_id){ STORE_AUTOINCREMENT, "example.com" };
		a.pw.kind = PW_CLEAR;
		a.pw.clear = "pw";
		struct store_res res;
		store_res_init(&res);
		j->st = store_account_add(j->db, &admin, &a, 1, &out, &res);
		if (j->st == NGN_OK)
			snprintf(j->names[i], sizeof j->names[i], "%s", out.id.username);
		store_res_free(&res);
	}
	return NULL;
}

START_TEST(account_autoincrement_concurrent)
{
	OK(add_domain("example.com", 0, 0));
	struct auto_job jobs[2] = { { testdb_open(), { { 0 } }, NGN_OK }, { testdb_open(), { { 0 } }, NGN_OK } };
	ck_assert(jobs[0].db && jobs[1].db);
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, auto_adder, &jobs[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(jobs[i].st, NGN_OK);
		db_free(jobs[i].db);
	}
	/* 40 different names, exactly 1000..1039 */
	ck_assert_int_eq(Q("SELECT COUNT(DISTINCT username) FROM subscriber"), 40);
	ck_assert_int_eq(Q("SELECT MIN(username + 0) * 10000 + MAX(username + 0) FROM subscriber"), 1000 * 10000 + 1039);
	ck_assert_int_eq(Q("SELECT auto_username FROM sip_domain"), 1039);
	for (int i = 0; i < 20; i++)
		ck_assert(atoi(jobs[0].names[i]) >= 1000 && atoi(jobs[1].names[i]) >= 1000);
}
END_TEST

START_TEST(scope_narrows_lookups_and_listings)
{
	/* the hook for reseller/customer scoping: records outside the
	 * caller's scope do not exist for it */
	OK(add_domain("example.com", 5, 123));
	OK(add_domain("example.net", 6, 7));
	OK(add_account("alice", "example.com", "pw", GROUPS1("blocked")));
	OK(add_account("bob", "example.net", "pw", ""));
	OK(add_alias("al", "example.com", "alice", "example.com", NULL));
	OK(add_alias("bo", "example.net", "bob", "example.net", NULL));

	T.ctx.scope = (struct scope){ ROLE_RESELLER, 123, 0 };
	OK(get_accounts("", "", 0, 10));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 1);
	ck_assert_str_eq(XS(R "/accounts/item[1]/id/username"), "alice");
	OK(get_domains("", "", 0, 10));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 1);
	OK(get_aliases("", "", 0, 10));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 1);
	OK(id_call("getAccount", "sipId", "alice", "example.com", NULL));
	FAULT_NOCHANGE(id_call("getAccount", "sipId", "bob", "example.net", NULL), 1010);
	FAULT_NOCHANGE(id_call("deleteAccount", "sipId", "bob", "example.net", NULL), 1010);
	FAULT_NOCHANGE(group_call("addToGroup", "bob", "example.net", "blocked"), 1010);
	FAULT_NOCHANGE(update_domain("example.net", I("customer", 1)), 1000);
	FAULT_NOCHANGE(add_account("carol", "example.net", "pw", ""), 1000);
	FAULT_NOCHANGE(id_call("getAlias", "id", "bo", "example.net", NULL), 1020);
	FAULT_NOCHANGE(add_alias("x", "example.com", "bob", "example.net", NULL), 1010);

	T.ctx.scope = (struct scope){ ROLE_CUSTOMER, 0, 6 };
	OK(get_accounts("", "", 0, 10));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 1);
	ck_assert_str_eq(XS(R "/accounts/item[1]/id/username"), "bob");
	FAULT_NOCHANGE(group_call("removeFromGroup", "alice", "example.com", "blocked"), 1010);
}
END_TEST

/* ---- aliases ----------------------------------------------------------- */

START_TEST(alias_fixtures_and_update)
{
	given_alice();
	OK(add_account("bob", "example.com", "pw", ""));
	OK(inproc_fixture(&T, "addAlias")); /* al@example.com -> alice@example.com */
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM dbaliases WHERE alias_username = 'al' AND alias_domain = 'example.com'"
			   " AND username = 'alice' AND domain = 'example.com'"), 1);
	ck_assert_int_eq(Q("SELECT reseller FROM sip_alias"), 123); /* inherited from the domain */

	OK(inproc_fixture(&T, "getAliases")); /* target alice@example.com, ordered by aliasUsername */
	ck_assert_int_eq((int)XN("number(" R "/total)"), 1);
	ck_assert_str_eq(XS(R "/aliases/@SOAP-ENC:arrayType"), "ngn2:SipAlias[1]");
	ck_assert_str_eq(XS(R "/aliases/item[1]/id/username"), "al");
	ck_assert_str_eq(XS(R "/aliases/item[1]/target/username"), "alice");
	ck_assert_str_eq(XS(R "/aliases/item[1]/reseller"), "123");

	OK(id_call("getAlias", "id", "AL", "example.com", NULL));
	ck_assert_str_eq(XS(R "/@xsi:type"), "ngn2:SipAlias");
	ck_assert_str_eq(XS(R "/target/domain"), "example.com");
	ck_assert_str_eq(XS(R "/owner"), "0");

	snprintf(B, sizeof B, "<ns5:updateAlias><alias xsi:type=\"ns4:SipAlias\">" SIPID("id", "al", "example.com")
				      SIPID("target", "Bob", "example.com") I("owner", 9) "</alias></ns5:updateAlias>");
	OK(inproc_call(&T, B));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM dbaliases WHERE alias_username = 'al' AND username = 'bob'"), 1);
	ck_assert_int_eq(Q("SELECT owner FROM sip_alias"), 9);
	/* owner only: the target stays */
	snprintf(B, sizeof B, "<ns5:updateAlias><alias xsi:type=\"ns4:SipAlias\">" SIPID("id", "al", "example.com")
				      I("owner", 4) "</alias></ns5:updateAlias>");
	OK(inproc_call(&T, B));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM dbaliases WHERE username = 'bob'"), 1);
	ck_assert_int_eq(Q("SELECT owner FROM sip_alias"), 4);

	OK(inproc_fixture(&T, "deleteAlias"));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM dbaliases"), 0);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_alias"), 0);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM subscriber"), 2);
	FAULT_NOCHANGE(inproc_fixture(&T, "deleteAlias"), 1020);
}
END_TEST

START_TEST(alias_faults)
{
	given_alice();
	OK(add_domain("example.net", 0, 0));
	OK(add_alias("al", "example.com", "alice", "example.com", NULL));
	FAULT_NOCHANGE(add_alias("alice", "example.com", "alice", "example.com", NULL), 1022);
	FAULT_SAYS("alice@example.com");
	FAULT_NOCHANGE(add_alias("x", "example.com", "nobody", "example.com", NULL), 1010);
	FAULT_SAYS("nobody@example.com");
	FAULT_NOCHANGE(add_alias("x", "example.org", "alice", "example.com", NULL), 1000);
	FAULT_NOCHANGE(add_alias("AL", "example.com", "alice", "example.com", NULL), 1021);
	FAULT_NOCHANGE(add_alias("al", "example.com", "al", "example.com", NULL), 1010); /* aliases of aliases: no */
	FAULT_NOCHANGE(add_alias("a l", "example.com", "alice", "example.com", NULL), 4003);
	FAULT_NOCHANGE(add_alias("x", "example.com", "alice", "example com", NULL), 4004);
	FAULT_NOCHANGE(add_alias("x", "example.com", "alice", "example.com", I("owner", -1)), 4008);
	snprintf(B, sizeof B, "<ns5:addAlias><alias xsi:type=\"ns4:SipAlias\">" SIPID("id", "x", "example.com")
				      "</alias></ns5:addAlias>");
	FAULT_NOCHANGE(inproc_call(&T, B), 4002);
	FAULT_NOCHANGE(id_call("getAlias", "id", "nope", "example.com", NULL), 1020);
	FAULT_SAYS("nope@example.com");
	FAULT_NOCHANGE(id_call("deleteAlias", "id", "nope", "example.com", NULL), 1020);
	snprintf(B, sizeof B, "<ns5:updateAlias><alias xsi:type=\"ns4:SipAlias\">" SIPID("id", "nope", "example.com")
				      I("owner", 1) "</alias></ns5:updateAlias>");
	FAULT_NOCHANGE(inproc_call(&T, B), 1020);
	snprintf(B, sizeof B, "<ns5:updateAlias><alias xsi:type=\"ns4:SipAlias\">" SIPID("id", "al", "example.com")
				      SIPID("target", "ghost", "example.com") I("owner", 1) "</alias></ns5:updateAlias>");
	FAULT_NOCHANGE(inproc_call(&T, B), 1010);
}
END_TEST

START_TEST(alias_listing)
{
	given_alice();
	OK(add_domain("example.net", 0, 5));
	OK(add_account("bob", "example.net", "pw", ""));
	OK(add_alias("a1", "example.com", "alice", "example.com", I("owner", 3)));
	OK(add_alias("a2", "example.com", "bob", "example.net", NULL));
	OK(add_alias("b1", "example.net", "alice", "example.com", NULL));

	OK(get_aliases("", ORDER("aliasUsername", "ASC"), 0, 10));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 3);
	ck_assert_str_eq(XS(R "/aliases/item[1]/id/username"), "a1");
	ck_assert_str_eq(XS(R "/aliases/item[3]/id/username"), "b1");
	OK(get_aliases(S("aliasUsername", "a%"), ORDER("aliasUsername", "DESC"), 0, 1));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 2);
	ck_assert_int_eq((int)XN("count(" R "/aliases/item)"), 1);
	ck_assert_str_eq(XS(R "/aliases/item[1]/id/username"), "a2");
	OK(get_aliases(S("aliasDomain", "example.net"), "", 0, 10));
	ck_assert_str_eq(XS(R "/aliases/item[1]/id/username"), "b1");
	ck_assert_str_eq(XS(R "/aliases/item[1]/reseller"), "5");
	OK(get_aliases(S("targetDomain", "example.net"), "", 0, 10));
	ck_assert_str_eq(XS(R "/aliases/item[1]/id/username"), "a2");
	OK(get_aliases(I("owner", 3), "", 0, 10));
	ck_assert_str_eq(XS(R "/aliases/item[1]/id/username"), "a1");
	OK(get_aliases(I("reseller", 123), ORDER("targetUsername", "ASC"), 0, 10));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 2);
	OK(get_aliases(S("targetUsername", "zed"), "", 0, 10));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 0);
	ck_assert_str_eq(XS(R "/aliases/@SOAP-ENC:arrayType"), "ngn2:SipAlias[0]");
	FAULT_NOCHANGE(get_aliases("", ORDER("username", "ASC"), 0, 10), 4009);
}
END_TEST

/* ---- groups ------------------------------------------------------------ */

START_TEST(group_fixtures)
{
	OK(inproc_fixture(&T, "addDomain"));
	OK(add_account("alice", "example.com", "pw", ""));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM proxy_event"), 0);

	OK(inproc_fixture(&T, "addToGroup")); /* blocked */
	ck_assert_str_eq(XS(R), "true");
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM grp WHERE username = 'alice' AND domain = 'example.com' AND grp = 'blocked'"), 1);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM proxy_event WHERE username = 'alice' AND domain = 'example.com'"), 1);
	ck_assert_int_eq(T.nudges, 1);

	/* already a member: success, nothing written */
	unsigned long long fp = inproc_fingerprint(&T);
	OK(inproc_fixture(&T, "addToGroup"));
	OK(inproc_fixture(&T, "auth_admin")); /* the same call with the admin login form */
	OK(inproc_fixture(&T, "auth_user"));
	ck_assert_uint_eq(inproc_fingerprint(&T), fp);
	ck_assert_int_eq(T.nudges, 1);

	OK(inproc_fixture(&T, "getGroups"));
	ck_assert_str_eq(XS(R "/@SOAP-ENC:arrayType"), "xsd:string[1]");
	ck_assert_str_eq(XS(R "/item[1]"), "blocked");
	ck_assert_str_eq(XS(R "/item[1]/@xsi:type"), "xsd:string");
	OK(inproc_fixture(&T, "legacy_php5_7_header_getGroups")); /* actor="0" mustUnderstand="0" */
	ck_assert_str_eq(XS(R "/item[1]"), "blocked");

	/* removeFromGroup quota: not a member */
	FAULT_NOCHANGE(inproc_fixture(&T, "removeFromGroup"), 1031);
	FAULT_SAYS("quota");
	OK(group_call("addToGroup", "alice", "example.com", "Quota"));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM grp WHERE grp = 'quota'"), 1); /* lower-cased */
	OK(inproc_fixture(&T, "removeFromGroup"));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM grp WHERE grp = 'quota'"), 0);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM proxy_event"), 3);
	ck_assert_int_eq(T.nudges, 3);

	OK(group_call("removeFromGroup", "alice", "example.com", "blocked"));
	OK(id_call("getGroups", "sipId", "alice", "example.com", NULL));
	ck_assert_str_eq(XS(R "/@SOAP-ENC:arrayType"), "xsd:string[0]");
	ck_assert_int_eq((int)XN("count(" R "/item)"), 0);
}
END_TEST

START_TEST(group_faults)
{
	OK(add_domain("example.com", 0, 0));
	OK(add_account("alice", "example.com", "pw", ""));
	FAULT_NOCHANGE(group_call("addToGroup", "alice", "example.com", "no spaces"), 4006);
	FAULT_SAYS("\"no spaces\"");
	FAULT_NOCHANGE(group_call("addToGroup", "alice", "example.com", ""), 4002);
	FAULT_NOCHANGE(id_call("addToGroup", "sipId", "alice", "example.com", NULL), 4002);
	FAULT_NOCHANGE(group_call("addToGroup", "nobody", "example.com", "blocked"), 1010);
	FAULT_NOCHANGE(group_call("removeFromGroup", "nobody", "example.com", "blocked"), 1010);
	FAULT_NOCHANGE(group_call("removeFromGroup", "alice", "example.com", "bad/group"), 4006);
	FAULT_NOCHANGE(id_call("getGroups", "sipId", "nobody", "example.com", NULL), 1010);
	FAULT_NOCHANGE(id_call("getGroups", "sipId", "alice", "", NULL), 4002);
}
END_TEST

/* ---- reads and writes by key (bench/RESULTS.md proposals 2, 4, 5, 6) ---- */

/* The serialized children of the one node expr selects in the last reply
 * (malloc'd): two replies' structures compared byte for byte. */
static char *node_xml(const char *expr)
{
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, T.xp);
	ck_assert_msg(o != NULL && o->nodesetval != NULL && o->nodesetval->nodeNr == 1, "%s: not one node in %s",
		      expr, T.reply);
	xmlBufferPtr b = xmlBufferCreate();
	ck_assert_ptr_nonnull(b);
	for (xmlNodePtr c = o->nodesetval->nodeTab[0]->children; c; c = c->next)
		xmlNodeDump(b, T.doc, c, 0, 0);
	char *s = strdup((const char *)xmlBufferContent(b));
	ck_assert_ptr_nonnull(s);
	xmlBufferFree(b);
	xmlXPathFreeObject(o);
	return s;
}

/* a == b, or a failure that shows where they part (whole replies are too
 * long for Check's message). */
static void same_xml(const char *what, const char *a, const char *b)
{
	size_t i = 0;
	while (a[i] && a[i] == b[i])
		i++;
	size_t from = i > 60 ? i - 60 : 0;
	ck_assert_msg(a[i] == b[i], "%s differ at byte %zu: ...%.160s... vs ...%.160s...", what, i, a + from, b + from);
}

#define PROPS3(p, q, r) "<properties xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"Struct[3]\">" p q r "</properties>"
#define ACL_ITEM(ip, mask, tag)                                                                    \
	"<item><ip xsi:type=\"xsd:string\">" ip "</ip><mask xsi:type=\"xsd:int\">" #mask "</mask>"  \
	"<tag xsi:type=\"xsd:string\">" tag "</tag></item>"
#define ACL3(a, b, c) "<acl xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"Struct[3]\">" a b c "</acl>"
#define GROUPS3(g, h, i)                                                                           \
	"<groups xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"xsd:string[3]\"><item>" g "</item><item>" h \
	"</item><item>" i "</item></groups>"

/* getAccount reads groups, properties and ACL of one account by key
 * (load_extras_one), listings by batches of ids (load_extras): both give
 * the same lists in the same order (groups and properties sorted in byte
 * order, the ACL as given), and nothing of the neighbouring accounts. */
START_TEST(account_get_extras_by_key_match_listing)
{
	OK(add_domain("example.com", 0, 0));
	OK(add_account("alice", "example.com", "pw",
		       GROUPS3("zeta", "Alpha", "m-1") PROPS3(PROP("zz", "last"), PROP("Mixed", "upper first"), PROP("a.b:c", ""))
			       ACL3(ACL_ITEM("10.0.0.9", 32, "nine"), ACL_ITEM("10.0.0.1", 8, ""), ACL_ITEM("192.168.1.0", 24, "lan"))));
	/* neighbours with ids on both sides, with extras of their own */
	OK(add_account("bob", "example.com", "pw", GROUPS1("bobs") PROPS1(PROP("b", "1")) ACL1("1.1.1.1", 1)));
	testdb_scalar(T.db, "UPDATE sip_account SET change_date = '2020-01-01 00:00:00'");
	OK(add_account("carol", "example.com", "pw", GROUPS1("carols") PROPS1(PROP("c", "1")) ACL1("3.3.3.3", 3)));

	OK(id_call("getAccount", "sipId", "alice", "example.com", NULL));
	ck_assert_str_eq(XS(R "/groups/item[1]"), "alpha"); /* lower-cased by validation */
	ck_assert_str_eq(XS(R "/groups/item[2]"), "m-1");
	ck_assert_str_eq(XS(R "/groups/item[3]"), "zeta");
	ck_assert_int_eq((int)XN("count(" R "/groups/item)"), 3);
	ck_assert_str_eq(XS(R "/properties/item[1]/name"), "Mixed");
	ck_assert_str_eq(XS(R "/properties/item[2]/name"), "a.b:c");
	ck_assert_str_eq(XS(R "/properties/item[3]/name"), "zz");
	ck_assert_str_eq(XS(R "/properties/item[3]/value"), "last");
	ck_assert_int_eq((int)XN("count(" R "/properties/item)"), 3);
	ck_assert_str_eq(XS(R "/acl/item[1]/ip"), "10.0.0.9");
	ck_assert_str_eq(XS(R "/acl/item[1]/tag"), "nine");
	ck_assert_str_eq(XS(R "/acl/item[2]/ip"), "10.0.0.1");
	ck_assert_int_eq((int)XN("count(" R "/acl/item[2]/tag)"), 0); /* no tag: none sent back */
	ck_assert_str_eq(XS(R "/acl/item[3]/mask"), "24");
	ck_assert_int_eq((int)XN("count(" R "/acl/item)"), 3);
	char *one = node_xml(R);

	OK(get_accounts(S("domain", "example.com"), ORDER("username", "ASC"), 0, 10));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 3);
	char *listed = node_xml(R "/accounts/item[id/username = 'alice']");
	same_xml("getAccount and getAccounts", one, listed);
	free(listed);
	free(one);

	OK(id_call("getAccount", "sipId", "bob", "example.com", NULL));
	one = node_xml(R);
	OK(get_accounts(S("username", "bob"), "", 0, 10));
	listed = node_xml(R "/accounts/item[1]");
	same_xml("getAccount and getAccounts", one, listed);
	free(listed);
	free(one);
	ck_assert_str_eq(XS(R "/accounts/item[1]/groups/item[1]"), "bobs");
	ck_assert_int_eq((int)XN("count(" R "/accounts/item[1]/groups/item)"), 1);
	ck_assert_int_eq((int)XN("count(" R "/accounts/item[1]/properties/item)"), 1);
	ck_assert_int_eq((int)XN("count(" R "/accounts/item[1]/acl/item)"), 1);
}
END_TEST

/* Every username of a listing, page by page (pages of 7), comma-separated. */
static void listed_names(const char *filter, const char *order, char *out, size_t cap, int *total)
{
	size_t n = 0;
	out[0] = '\0';
	for (int start = 0;; start += 7) {
		OK(get_accounts(filter, order, start, 7));
		*total = (int)XN("number(" R "/total)");
		int items = (int)XN("count(" R "/accounts/item)");
		for (int i = 1; i <= items; i++) {
			char x[128];
			snprintf(x, sizeof x, R "/accounts/item[%d]/id/username", i);
			n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "," : "", XS(x));
			ck_assert(n < cap);
		}
		if (items < 7)
			break;
	}
}

/* An exact domain filter pages through sip_account.domain_id in index
 * order; wildcards still go through subscriber.domain. Pages, totals and
 * order are those of the filter on subscriber.domain ordered by s.id, also
 * with many ties on the dates. */
START_TEST(account_listing_by_domain_id_pages_as_before)
{
	OK(add_domain("example.com", 0, 0));
	OK(add_domain("example.net", 0, 0));
	OK(add_domain("empty.org", 0, 0));
	for (int i = 0; i < 64; i++) {
		char user[16];
		snprintf(user, sizeof user, "u%02d", i);
		OK(add_account(user, i % 4 == 3 ? "example.net" : "example.com", "pw", ""));
	}
	/* five distinct change dates, three create dates: ties broken by id */
	testdb_scalar(T.db, "UPDATE sip_account SET change_date = '2020-01-01' + INTERVAL (subscriber_id * 7 % 5) MINUTE,"
			    " create_date = '2019-01-01' + INTERVAL (subscriber_id % 3) DAY");
	static const struct {
		const char *order, *sql;
	} orders[] = {
		{ "", "a.change_date DESC, s.id DESC" },
		{ ORDER("changeDate", "ASC"), "a.change_date ASC, s.id ASC" },
		{ ORDER("createDate", "DESC"), "a.create_date DESC, s.id DESC" },
		{ ORDER("createDate", "ASC"), "a.create_date ASC, s.id ASC" },
	};
	static char got[4096], sql[8192];
	for (size_t k = 0; k < sizeof orders / sizeof orders[0]; k++) {
		int total = -1;
		listed_names(S("domain", "EXAMPLE.com"), orders[k].order, got, sizeof got, &total);
		ck_assert_int_eq(total, 48);
		snprintf(sql, sizeof sql,
			 "SELECT GROUP_CONCAT(s.username ORDER BY %s SEPARATOR ',') = '%s'"
			 " FROM subscriber s JOIN sip_account a ON a.subscriber_id = s.id WHERE s.domain = 'example.com'",
			 orders[k].sql, got);
		ck_assert_msg(Q(sql) == 1, "order %s: %s", orders[k].sql, got);
	}
	int total = -1;
	listed_names(S("domain", "example.net"), "", got, sizeof got, &total);
	ck_assert_int_eq(total, 16);
	listed_names(S("domain", "empty.org"), "", got, sizeof got, &total);
	ck_assert_int_eq(total, 0);
	ck_assert_str_eq(got, "");
	listed_names(S("domain", "nowhere.org"), "", got, sizeof got, &total);
	ck_assert_int_eq(total, 0);
	listed_names(S("domain", "example.%"), ORDER("changeDate", "ASC"), got, sizeof got, &total);
	ck_assert_int_eq(total, 64);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM subscriber"), 64);
	/* with other filters next to it */
	OK(get_accounts(S("domain", "example.com") S("username", "u0%"), ORDER("changeDate", "DESC"), 0, 100));
	ck_assert_int_eq((int)XN("number(" R "/total)"), 8); /* u00..u09 without u03, u07 */
}
END_TEST

/* A transaction of the test's own: a plain connection (not struct db) that
 * can hold a lock while the store works on another connection. */
static MYSQL *hold_open(void)
{
	MYSQL *my = mysql_init(NULL);
	ck_assert_ptr_nonnull(my);
	const char *db = getenv("NGN_TEST_DB_NAME") ? getenv("NGN_TEST_DB_NAME") : "ngnprod";
	ck_assert_msg(mysql_real_connect(my, "localhost", "root", "", db, 0, getenv("NGN_TEST_DB_SOCKET"), 0),
		      "connect: %s", mysql_error(my));
	return my;
}

static void hold_sql(MYSQL *my, const char *sql)
{
	ck_assert_msg(mysql_query(my, sql) == 0, "%s: %s", sql, mysql_error(my));
	MYSQL_RES *r = mysql_store_result(my);
	if (r)
		mysql_free_result(r);
}

static enum ngn_status set_lock_wait_body(struct db *db, void *arg)
{
	(void)arg;
	return db_exec(db, "SET SESSION innodb_lock_wait_timeout = 1", NULL, 0, NULL, NULL);
}

/* A store connection whose lock waits give up after 1 s (db_txn retries a
 * timeout 5 times): a call that should not wait at all but does fails in
 * seconds instead of minutes. */
static struct db *impatient_db(void)
{
	struct db *db = testdb_open();
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(db_txn(db, set_lock_wait_body, NULL), NGN_OK);
	return db;
}

static enum ngn_status api_add_account(struct db *db, const char *user, const char *domain)
{
	static char *groups_v[] = { "g1", "g2" };
	struct str_list groups = { 2, 2, groups_v };
	struct scope admin = { ROLE_ADMIN, 0, 0 };
	struct account a = { 0 }, out;
	a.id = (struct sip_id){ user, domain };
	a.pw.kind = PW_CLEAR;
	a.pw.clear = "pw";
	a.groups = &groups;
	struct store_res res;
	store_res_init(&res);
	enum ngn_status st = store_account_add(db, &admin, &a, 1, &out, &res);
	store_res_free(&res);
	return st;
}

static enum ngn_status api_add_alias(struct db *db, const char *user, const char *domain, const char *target)
{
	struct scope admin = { ROLE_ADMIN, 0, 0 };
	struct alias al = { 0 };
	al.id = (struct sip_id){ user, domain };
	al.target = (struct sip_id){ target, domain };
	al.has_target = 1;
	struct store_res res;
	store_res_init(&res);
	enum ngn_status st = store_alias_add(db, &admin, &al, &res);
	store_res_free(&res);
	return st;
}

#define RACE_ROUNDS 20
#define ADDERS 4
#define ADDS_EACH 25

struct race_job {
	struct db *db;
	pthread_barrier_t *go;
	int kind;                    /* 0 distinct accounts, 1 the round's account, 2 the round's alias */
	int index;
	enum ngn_status st[RACE_ROUNDS > ADDS_EACH ? RACE_ROUNDS : ADDS_EACH];
};

static void *race_worker(void *arg)
{
	struct race_job *j = arg;
	char name[32];
	int n = j->kind == 0 ? ADDS_EACH : RACE_ROUNDS;
	for (int i = 0; i < n; i++) {
		if (j->kind == 0) {
			if (i == 0)
				pthread_barrier_wait(j->go);
			snprintf(name, sizeof name, "c%d-%02d", j->index, i);
			j->st[i] = api_add_account(j->db, name, "example.com");
			continue;
		}
		snprintf(name, sizeof name, "r%02d", i);
		pthread_barrier_wait(j->go);
		j->st[i] = j->kind == 1 ? api_add_account(j->db, name, "example.com")
					: api_add_alias(j->db, name, "example.com", "target");
	}
	return NULL;
}

/* addAccount takes the domain row in share mode (A2): adds of distinct
 * names into one domain run side by side and all succeed; two adds of one
 * name meet on subscriber's unique key, exactly one wins. */
START_TEST(account_adds_share_the_domain_row)
{
	OK(add_domain("example.com", 0, 0));
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, ADDERS);
	struct race_job jobs[ADDERS];
	pthread_t th[ADDERS];
	for (int i = 0; i < ADDERS; i++) {
		jobs[i] = (struct race_job){ .db = testdb_open(), .go = &go, .kind = 0, .index = i };
		ck_assert_ptr_nonnull(jobs[i].db);
		ck_assert_int_eq(pthread_create(&th[i], NULL, race_worker, &jobs[i]), 0);
	}
	for (int i = 0; i < ADDERS; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < ADDERS; i++) {
		for (int k = 0; k < ADDS_EACH; k++)
			ck_assert_msg(jobs[i].st[k] == NGN_OK, "adder %d, account %d: status %d", i, k, jobs[i].st[k]);
		db_free(jobs[i].db);
	}
	pthread_barrier_destroy(&go);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM subscriber s JOIN sip_account a ON a.subscriber_id = s.id"), ADDERS * ADDS_EACH);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM grp"), 2 * ADDERS * ADDS_EACH);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM proxy_event"), ADDERS * ADDS_EACH);

	/* the same name from two connections at once: one account, one
	 * NGN_E_ACCOUNT_EXISTS, every round */
	pthread_barrier_init(&go, NULL, 2);
	struct race_job pair[2];
	for (int i = 0; i < 2; i++) {
		pair[i] = (struct race_job){ .db = testdb_open(), .go = &go, .kind = 1, .index = i };
		ck_assert_ptr_nonnull(pair[i].db);
		ck_assert_int_eq(pthread_create(&th[i], NULL, race_worker, &pair[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (int r = 0; r < RACE_ROUNDS; r++) {
		enum ngn_status a = pair[0].st[r], b = pair[1].st[r];
		ck_assert_msg((a == NGN_OK && b == NGN_E_ACCOUNT_EXISTS) || (b == NGN_OK && a == NGN_E_ACCOUNT_EXISTS),
			      "round %d: %d and %d", r, a, b);
	}
	for (int i = 0; i < 2; i++)
		db_free(pair[i].db);
	pthread_barrier_destroy(&go);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM subscriber WHERE username LIKE 'r%'"), RACE_ROUNDS);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_account"), ADDERS * ADDS_EACH + RACE_ROUNDS);

	/* no waiting on each other: while another transaction holds the domain
	 * row in share mode, an add goes through at once (FOR UPDATE would
	 * wait for it, time out after 1 s, 6 times, and fail) */
	MYSQL *hold = hold_open();
	hold_sql(hold, "START TRANSACTION");
	hold_sql(hold, "SELECT d.id FROM domain d JOIN sip_domain sd ON sd.domain_id = d.id"
		       " WHERE d.domain = 'example.com' LOCK IN SHARE MODE");
	struct db *db = impatient_db();
	ck_assert_int_eq(api_add_account(db, "beside", "example.com"), NGN_OK);
	hold_sql(hold, "ROLLBACK");
	mysql_close(hold);
	db_free(db);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM subscriber WHERE username = 'beside'"), 1);
}
END_TEST

/* A2 under concurrency: addAccount (domain row in share mode) and addAlias
 * (FOR UPDATE) of one name: every round exactly one of them wins and the
 * other reports the winner (NGN_E_ALIAS_EXISTS / NGN_E_ALIAS_IS_ACCOUNT). */
START_TEST(account_and_alias_of_one_name_race)
{
	OK(add_domain("example.com", 0, 0));
	OK(add_account("target", "example.com", "pw", ""));
	pthread_barrier_t go;
	pthread_barrier_init(&go, NULL, 2);
	struct race_job jobs[2];
	pthread_t th[2];
	for (int i = 0; i < 2; i++) {
		jobs[i] = (struct race_job){ .db = testdb_open(), .go = &go, .kind = 1 + i, .index = i };
		ck_assert_ptr_nonnull(jobs[i].db);
		ck_assert_int_eq(pthread_create(&th[i], NULL, race_worker, &jobs[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	int accounts = 0;
	for (int r = 0; r < RACE_ROUNDS; r++) {
		enum ngn_status acc = jobs[0].st[r], ali = jobs[1].st[r];
		ck_assert_msg((acc == NGN_OK && ali == NGN_E_ALIAS_IS_ACCOUNT) || (ali == NGN_OK && acc == NGN_E_ALIAS_EXISTS),
			      "round %d: addAccount %d, addAlias %d", r, acc, ali);
		accounts += acc == NGN_OK;
		char q[256];
		snprintf(q, sizeof q,
			 "SELECT (SELECT COUNT(*) FROM subscriber WHERE username = 'r%02d')"
			 " + (SELECT COUNT(*) FROM dbaliases WHERE alias_username = 'r%02d')", r, r);
		ck_assert_int_eq(Q(q), 1);
	}
	for (int i = 0; i < 2; i++)
		db_free(jobs[i].db);
	pthread_barrier_destroy(&go);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM subscriber s JOIN dbaliases al ON al.alias_username = s.username"
			   " AND al.alias_domain = s.domain"), 0);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM subscriber WHERE username LIKE 'r%'"), accounts);
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_alias"), RACE_ROUNDS - accounts);
}
END_TEST

/* addAccount builds its reply from what it wrote (A5 in store_account.c);
 * that reply must be, byte for byte, the getAccount reply of the account
 * right after. */
static void add_then_get(const char *user, const char *domain, const char *password, const char *more)
{
	OK(add_account(user, domain, password, more));
	char *added = node_xml(R);
	char stored_user[128];
	snprintf(stored_user, sizeof stored_user, "%s", XS(R "/id/username"));
	OK(id_call("getAccount", "sipId", stored_user, domain, NULL));
	char *got = node_xml(R);
	same_xml("addAccount and getAccount", added, got);
	free(added);
	free(got);
}

START_TEST(account_add_reply_is_what_get_returns)
{
	OK(add_domain("example.com", 5, 123));
	/* everything set; groups unsorted, repeated and in upper case;
	 * properties unsorted; ACL with and without tags; non-ASCII text */
	add_then_get("alice", "example.com", "s3cret pw",
		     S("firstName", "Zo&#235; &#x1F600;") S("lastName", "O'Brien &amp; Co") S("email", "Alice@Example.com")
			     S("rpid", "+31201234567") S("timezone", "Europe/Amsterdam") S("region", "nl-nh")
			     S("quickdialPrefix", "0031") I("owner", 42) "<prepaid xsi:type=\"xsd:boolean\">true</prepaid>"
			     I("quota", 17) I("callLimit", 3) I("timeout", 90)
			     "<groups xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"xsd:string[4]\"><item>zeta</item>"
			     "<item>Alpha</item><item>zeta</item><item>free-pstn</item></groups>"
			     PROPS3(PROP("zz", "line 1\nline 2"), PROP("Mixed", ""), PROP("a.b:c", "&lt;x&gt;"))
			     ACL3(ACL_ITEM("10.0.0.9", 32, "nine"), ACL_ITEM("10.0.0.1", 8, ""), ACL_ITEM("0.0.0.0", 0, "any")));
	ck_assert_int_eq((int)XN("count(" R "/groups/item)"), 3);
	ck_assert_str_eq(XS(R "/groups/item[1]"), "alpha");
	ck_assert_str_eq(XS(R "/customer"), "5");
	ck_assert_str_eq(XS(R "/password"), "s3cret pw");
	ck_assert(*XS(R "/createDate") != '\0');
	ck_assert_str_eq(XS(R "/createDate"), XS(R "/changeDate"));

	/* digest password; no lists at all; all defaults */
	add_then_get("bob", "example.com", "0123456789ABCDEF0123456789abcdef:fedcba9876543210fedcba9876543210", "");
	ck_assert_str_eq(XS(R "/ha1"), "0123456789abcdef0123456789abcdef");
	ck_assert_str_eq(XS(R "/password"), "");
	/* empty lists, PHP's [""] for "no groups" */
	add_then_get("carol", "example.com", "pw",
		     "<groups xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"xsd:string[1]\"><item></item></groups>"
			     EMPTY_ARRAY("properties") EMPTY_ARRAY("acl"));
	/* grp rows left behind under the name (written outside ngnprod) are
	 * replaced by the given groups */
	testdb_scalar(T.db, "INSERT INTO grp (username, domain, grp) VALUES ('dave', 'example.com', 'stale'),"
			    " ('dave', 'example.com', 'kept')");
	add_then_get("dave", "example.com", "pw", GROUPS2("kept", "new"));
	ck_assert_int_eq((int)XN("count(" R "/groups/item)"), 2);
	ck_assert_str_eq(XS(R "/groups/item[1]"), "kept");
	/* <autoincrement>, clear password */
	add_then_get("&lt;autoincrement&gt;", "example.com", "pw", GROUPS1("free-pstn") PROPS1(PROP("language", "en")));
	ck_assert_str_eq(XS(R "/id/username"), "1000");
	/* clear passwords not kept */
	T.cfg.store_clear_text_passwords = 0;
	add_then_get("erin", "example.com", "clear", ACL1("192.168.0.0", 16));
	ck_assert_str_eq(XS(R "/password"), "");
	add_then_get("&lt;autoincrement&gt;", "example.com", "pw", "");
	ck_assert_str_eq(XS(R "/id/username"), "1001");
	add_then_get("frank", "example.com", "0123456789abcdef0123456789abcdef:fedcba9876543210fedcba9876543210",
		     GROUPS1("prepaid"));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM subscriber WHERE password <> ''"), 4); /* alice, carol, dave, 1000 */
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_account WHERE customer = 5 AND reseller = 123"), 8);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("core");
	struct {
		const char *name;
		const TTest *tests[8];
	} cases[] = {
		{ "domains", { domain_fixtures_roundtrip, domain_faults,
			       domain_update_is_partial_and_reowns_accounts_and_aliases, domain_listing } },
		{ "accounts", { account_add_fixture_digest_password, account_add_fixture_clear_password_props_acl,
				account_without_clear_passwords, account_get_fixture, account_update_roundtrip_fixture,
				account_update_semantics, account_faults_change_nothing, account_autoincrement } },
		{ "accounts2", { account_names_are_normalised, account_delete_fixture, account_listing,
				 account_listing_large_page, account_autoincrement_concurrent,
				 scope_narrows_lookups_and_listings } },
		{ "aliases", { alias_fixtures_and_update, alias_faults, alias_listing } },
		{ "groups", { group_fixtures, group_faults } },
		{ "by_key", { account_get_extras_by_key_match_listing, account_listing_by_domain_id_pages_as_before,
			      account_adds_share_the_domain_row, account_and_alias_of_one_name_race,
			      account_add_reply_is_what_get_returns } },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		TCase *tc = tcase_create(cases[i].name);
		tcase_add_checked_fixture(tc, setup, teardown);
		tcase_set_timeout(tc, 60);
		for (size_t j = 0; j < 8 && cases[i].tests[j]; j++)
			tcase_add_test(tc, cases[i].tests[j]);
		suite_add_tcase(s, tc);
	}
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
