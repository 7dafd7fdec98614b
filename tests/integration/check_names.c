/* check_names.c: struct members as clients name them, served in process
 * against a private MariaDB (tests/integration/names.dbtest).
 *
 * Our schema is unqualified (rpc/encoded: <domain><domain>x</domain>), but
 * node-soap qualifies every member with the method's namespace
 * (<sip:domain>), and a client may equally use the types namespace. Members
 * qualified with the Sip namespace (urn:AGProjects:NGNPro:Sip) or the types
 * namespace (urn:AGProjects:NGNPro) are the same members; a member in any
 * other namespace is not one of ours: a required one is missing (4002), an
 * optional one is ignored like any unknown member. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "inproc.h"
#include "inproc_check.h"
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

/* what node-soap 1.x sends for addDomain({domain: {domain: D}}) with its
 * default options: its own envelope prefix, no encodingStyle, no xsi:type,
 * the method's prefix on every member of the struct */
#define NODE_SOAP_ADD_DOMAIN(d)                                                                    \
	"<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope"                                 \
	" xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\""                                \
	" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"  xmlns:tns=\"urn:AGProjects:NGNPro\"" \
	" xmlns:sip=\"urn:AGProjects:NGNPro:Sip\"><soap:Header><auth><username>" INPROC_LOGIN        \
	"</username><password>" INPROC_PASSWORD "</password></auth></soap:Header><soap:Body>"      \
	"<sip:addDomain><domain><sip:domain>" d "</sip:domain></domain></sip:addDomain>"           \
	"</soap:Body></soap:Envelope>"

START_TEST(node_soap_envelope_adds_a_domain)
{
	OK(inproc_call_envelope(&T, NODE_SOAP_ADD_DOMAIN("node.example")));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM domain WHERE domain = 'node.example'"), 1);
}
END_TEST

/* Every kind of member the generated code reads (string, int, boolean,
 * nested struct, string array, struct array, dateTime), qualified with the
 * Sip namespace on add and with the types namespace on update. */
START_TEST(sip_and_type_namespaces_name_the_same_members)
{
	OK(inproc_call(&T, "<ns5:addDomain><ns5:domain><ns5:domain>q.example</ns5:domain>"
			   "<ns5:reseller>7</ns5:reseller></ns5:domain></ns5:addDomain>"));
	ck_assert_int_eq(Q("SELECT reseller FROM sip_domain sd JOIN domain d ON d.id = sd.domain_id"
			   " WHERE d.domain = 'q.example'"),
			 7);
	OK(inproc_call(&T, "<ns5:addAccount><account><ns5:id><ns5:username>alice</ns5:username>"
			   "<ns5:domain>q.example</ns5:domain></ns5:id><ns5:password>pw1</ns5:password>"
			   "<ns5:firstName>Alice</ns5:firstName><ns5:quota>7</ns5:quota>"
			   "<ns5:prepaid>true</ns5:prepaid><ns5:createDate>2020-01-01T00:00:00Z</ns5:createDate>"
			   "<ns5:groups SOAP-ENC:arrayType=\"xsd:string[2]\"><ns5:item>free-pstn</ns5:item>"
			   "<ns5:item>quota</ns5:item></ns5:groups>"
			   "<ns5:properties SOAP-ENC:arrayType=\"ns4:Property[1]\"><ns5:item><ns5:name>language"
			   "</ns5:name><ns5:value>en</ns5:value></ns5:item></ns5:properties>"
			   "<ns5:acl SOAP-ENC:arrayType=\"ns4:AccessListEntry[1]\"><ns5:item><ns5:ip>10.0.0.0"
			   "</ns5:ip><ns5:mask>8</ns5:mask></ns5:item></ns5:acl></account></ns5:addAccount>"));
	OK(inproc_call(&T, "<ns5:getAccount><ns5:sipId><ns5:username>alice</ns5:username>"
			   "<ns5:domain>q.example</ns5:domain></ns5:sipId></ns5:getAccount>"));
	ck_assert_str_eq(XS(R "/firstName"), "Alice");
	ck_assert_str_eq(XS(R "/password"), "pw1");
	ck_assert_str_eq(XS(R "/quota"), "7");
	ck_assert_str_eq(XS(R "/prepaid"), "true");
	ck_assert_int_eq((int)XN("count(" R "/groups/item)"), 2);
	ck_assert_str_eq(XS(R "/properties/item[1]/value"), "en");
	ck_assert_str_eq(XS(R "/acl/item[1]/ip"), "10.0.0.0");
	ck_assert_str_eq(XS(R "/acl/item[1]/mask"), "8");

	OK(inproc_call(&T, "<ns5:updateAccount><ns4:account><ns4:id><ns4:username>alice</ns4:username>"
			   "<ns4:domain>q.example</ns4:domain></ns4:id><ns4:lastName>Smith</ns4:lastName>"
			   "<ns4:quota>9</ns4:quota><ns4:prepaid>false</ns4:prepaid>"
			   "<ns4:groups SOAP-ENC:arrayType=\"xsd:string[1]\"><ns4:item>blocked</ns4:item></ns4:groups>"
			   "</ns4:account></ns5:updateAccount>"));
	OK(inproc_call(&T, "<ns5:getAccount><ns4:sipId><ns4:username>alice</ns4:username>"
			   "<ns4:domain>q.example</ns4:domain></ns4:sipId></ns5:getAccount>"));
	ck_assert_str_eq(XS(R "/firstName"), "Alice");
	ck_assert_str_eq(XS(R "/lastName"), "Smith");
	ck_assert_str_eq(XS(R "/quota"), "9");
	ck_assert_str_eq(XS(R "/prepaid"), "false");
	ck_assert_int_eq((int)XN("count(" R "/groups/item)"), 1);
	ck_assert_str_eq(XS(R "/groups/item[1]"), "blocked");

	/* the parameters of an operation are members of its request struct */
	OK(inproc_call(&T, "<ns5:removeFromGroup><ns5:sipId><ns5:username>alice</ns5:username>"
			   "<ns5:domain>q.example</ns5:domain></ns5:sipId><ns5:group>blocked</ns5:group>"
			   "</ns5:removeFromGroup>"));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM grp WHERE username = 'alice'"), 0);
}
END_TEST

/* only those two: a prefix bound to any other namespace does not name a
 * member, however its local name reads */
START_TEST(other_namespaces_do_not_name_members)
{
	static const char *const other[] = { "urn:AGProjects:NGNPro:Other", "urn:example", "",
					     "http://schemas.xmlsoap.org/soap/encoding/" };
	char body[1024];
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
		if (*other[i] == '\0') /* an unbound prefix is not well-formed: never a member */
			snprintf(body, sizeof body, "<ns5:addDomain><domain><o:domain>x.example</o:domain>"
						    "</domain></ns5:addDomain>");
		else
			snprintf(body, sizeof body,
				 "<ns5:addDomain><domain xmlns:o=\"%s\"><o:domain>x.example</o:domain>"
				 "</domain></ns5:addDomain>",
				 other[i]);
		int st = inproc_call(&T, body);
		ck_assert_msg(st == 500 && (inproc_fault_code(&T) == 4002 || inproc_fault_code(&T) == 4000),
			      "%s: HTTP %d: %s", other[i], st, T.reply);
		ck_assert_int_eq(Q("SELECT COUNT(*) FROM domain"), 0);
	}
	FAULT(inproc_call(&T, "<ns5:addDomain><domain xmlns:o=\"urn:example\"><o:domain>x.example</o:domain>"
			      "</domain></ns5:addDomain>"),
	      4002);

	/* an optional member in another namespace is an unknown member: ignored */
	OK(inproc_call(&T, "<ns5:addDomain><domain><domain>y.example</domain></domain></ns5:addDomain>"));
	OK(inproc_call(&T, "<ns5:addAccount><account xmlns:o=\"urn:example\"><id><username>bob</username>"
			   "<domain>y.example</domain></id><password>pw</password><firstName>Bob</firstName>"
			   "<o:lastName>Other</o:lastName><ns5:lastName>Builder</ns5:lastName>"
			   "<o:quota>5</o:quota></account></ns5:addAccount>"));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_account WHERE last_name = 'Builder' AND quota = 0"), 1);
	OK(inproc_call(&T, "<ns5:updateAccount><account xmlns:o=\"urn:example\"><id><username>bob</username>"
			   "<domain>y.example</domain></id><o:firstName>Mallory</o:firstName></account>"
			   "</ns5:updateAccount>"));
	ck_assert_int_eq(Q("SELECT COUNT(*) FROM sip_account WHERE first_name = 'Bob'"), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("names");
	TCase *tc = tcase_create("qualified_members");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, node_soap_envelope_adds_a_domain);
	tcase_add_test(tc, sip_and_type_namespaces_name_the_same_members);
	tcase_add_test(tc, other_namespaces_do_not_name_members);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
