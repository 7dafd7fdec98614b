/* check_input.c: what ngnprod does with malformed input (issue 10), over
 * real sockets against a live server (tests/lib/with-server.sh; started by
 * hand without one, it re-runs itself under it).
 *
 * Every case asserts three things: the fault (4000, with a reason that says
 * what was wrong), that nothing changed in the database (the account, its
 * groups), and that the reply is well-formed XML whatever came in. One
 * victim account per case, so a request that wrongly got through shows as a
 * missing account or a changed group list.
 *
 * Test cases (CK_RUN_CASE selects one):
 *   notxml   not well-formed XML, DOCTYPEs, invalid UTF-8 and forbidden
 *            characters (raw and as references), too many attributes
 *   arrays   SOAP-ENC arrays: text instead of items, mixed content,
 *            arrayType sizes, offsets and positions
 *   replies  every reply is XML, also for a method name of invalid bytes
 *   values   what arrives is what is stored: line ends normalised (XML 1.0
 *            2.11), character references above U+FFFF decoded, login and
 *            SIP names matched exactly (no trailing-space matches)
 *   last     the server is still up, without sanitizer reports */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "liveserver.h"
#include "soapclient.h"

#define T_MS 10000
#define DOMAIN "input.example"

/* Replaces the first `from` in s by `to`; a new malloc'd string. */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	ck_assert_msg(at != NULL, "'%s' not in the envelope", from);
	size_t a = (size_t)(at - s), f = strlen(from), t = strlen(to), n = strlen(s);
	char *out = malloc(n - f + t + 1);
	ck_assert_ptr_nonnull(out);
	memcpy(out, s, a);
	memcpy(out + a, to, t);
	memcpy(out + a + t, at + f, n - a - f + 1);
	return out;
}

/* Posts body; the reply must be XML. Returns the fault code (0: none) and
 * copies the errorstring into es. */
static int post(const char *what, const char *body, char *es, size_t eslen)
{
	struct sc_resp r;
	int rc = sc_post(sc_port(), body, &r, T_MS);
	ck_assert_msg(rc == SC_OK, "%s: no reply (rc %d)", what, rc);
	struct sc_xml *x = sc_xml_parse(r.body, r.body_len);
	ck_assert_msg(x != NULL, "%s: the reply is not well-formed XML: %.300s", what, r.body);
	int code = sc_fault_code(x);
	const char *s = sc_xs(x, "//detail/exception/errorstring");
	snprintf(es, eslen, "%s", s ? s : "");
	ck_assert_msg(code == 0 ? r.status == 200 : r.status == 500, "%s: HTTP %d with fault %d", what,
		      r.status, code);
	sc_xml_free(x);
	sc_resp_free(&r);
	return code;
}

/* body must be refused with fault 4000 whose errorstring contains reason. */
static void expect_4000(const char *what, const char *body, const char *reason)
{
	char es[512];
	int code = post(what, body, es, sizeof es);
	ck_assert_msg(code == 4000, "%s: fault %d (want 4000): %s", what, code, es);
	ck_assert_msg(reason == NULL || strstr(es, reason) != NULL, "%s: errorstring '%s' does not say '%s'",
		      what, es, reason);
}

static void ensure_domain(void)
{
	int code = sc_callf("addDomain", "<domain xsi:type=\"ngn:SipDomain\"><domain xsi:type=\"xsd:string\">"
			    DOMAIN "</domain></domain>");
	ck_assert_msg(code == 0 || code == 1001, "addDomain: fault %d", code);
}

/* A fresh account `user` in group "blocked". */
static void add_victim(const char *user)
{
	ensure_domain();
	ls_sql_exec("DELETE FROM grp WHERE username='%s'", user);
	sc_callf("deleteAccount", "<sipId xsi:type=\"ngn:SipId\"><username xsi:type=\"xsd:string\">%s</username>"
		 "<domain xsi:type=\"xsd:string\">" DOMAIN "</domain></sipId>", user);
	int code = sc_callf("addAccount",
			    "<account xsi:type=\"ngn:SipAccount\"><id><username xsi:type=\"xsd:string\">%s</username>"
			    "<domain xsi:type=\"xsd:string\">" DOMAIN "</domain></id>"
			    "<password xsi:type=\"xsd:string\">pw</password>"
			    "<groups xsi:type=\"SOAP-ENC:Array\" SOAP-ENC:arrayType=\"xsd:string[1]\">"
			    "<item xsi:type=\"xsd:string\">blocked</item></groups></account>", user);
	ck_assert_msg(code == 0, "addAccount %s: fault %d", user, code);
}

static long long account_count(const char *user)
{
	return ls_sql_scalar("SELECT COUNT(*) FROM subscriber WHERE username='%s' AND domain='" DOMAIN "'", user);
}

/* The groups of user as "a,b" (sorted), into out. */
static void groups_of(const char *user, char *out, size_t outlen)
{
	long long n = ls_sql_scalar("SELECT COUNT(*) FROM grp WHERE username='%s' AND domain='" DOMAIN "'", user);
	long long b = ls_sql_scalar("SELECT COUNT(*) FROM grp WHERE username='%s' AND domain='" DOMAIN
				    "' AND grp='blocked'", user);
	snprintf(out, outlen, "%lld groups%s", n, b ? ", blocked among them" : "");
}

static void assert_still_blocked(const char *what, const char *user)
{
	char g[128];
	groups_of(user, g, sizeof g);
	ck_assert_msg(account_count(user) == 1, "%s: the account was deleted", what);
	ck_assert_msg(strcmp(g, "1 groups, blocked among them") == 0, "%s: groups changed: %s", what, g);
}

static char *delete_envelope(const char *user)
{
	char params[1024];
	snprintf(params, sizeof params,
		 "<sipId xsi:type=\"ngn:SipId\"><username xsi:type=\"xsd:string\">%s</username>"
		 "<domain xsi:type=\"xsd:string\">" DOMAIN "</domain></sipId>", user);
	return sc_envelope(NULL, "deleteAccount", params, SC_AUTH_PLAIN, NULL, NULL);
}

/* updateAccount of user whose groups member is `groups` verbatim. */
static char *update_envelope(const char *user, const char *groups)
{
	size_t n = strlen(groups) + 1024;
	char *params = malloc(n);
	ck_assert_ptr_nonnull(params);
	snprintf(params, n,
		 "<account xsi:type=\"ngn:SipAccount\"><id><username xsi:type=\"xsd:string\">%s</username>"
		 "<domain xsi:type=\"xsd:string\">" DOMAIN "</domain></id>%s</account>", user, groups);
	char *env = sc_envelope(NULL, "updateAccount", params, SC_AUTH_PLAIN, NULL, NULL);
	free(params);
	return env;
}

/* ---- notxml ---------------------------------------------------------------- */

/* Item 8: what is not well-formed XML is refused before anything runs
 * (deleteAccount used to delete). */
static const struct {
	const char *what, *from, *to, *reason;
} NOT_XML[] = {
	{ "space after '<'", "<sipId", "< sipId", "not well-formed" },
	{ "empty end tag", "</sipId>", "</>", "not well-formed" },
	{ "'<' in an attribute", "xsi:type=\"ngn:SipId\"", "xsi:type=\"ngn:<SipId\"", "not well-formed" },
	{ "stray '&' in an attribute", "xsi:type=\"ngn:SipId\"", "xsi:type=\"ngn:SipId\" x=\"a&b\"", "not well-formed" },
	{ "undeclared entity", "xsi:type=\"ngn:SipId\"", "xsi:type=\"ngn:SipId\" x=\"&foo;\"", "not well-formed" },
	{ "unclosed element", "</SOAP-ENV:Envelope>", "", "not well-formed" },
	{ "DOCTYPE", "<SOAP-ENV:Envelope", "<!DOCTYPE x><SOAP-ENV:Envelope", "DOCTYPE" },
	{ "DOCTYPE with an external parameter entity", "<SOAP-ENV:Envelope",
	  "<!DOCTYPE x [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/x.dtd\">%p;]><SOAP-ENV:Envelope", "DOCTYPE" },
	{ "declared ISO-8859-1", "encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"", "UTF-8" },
	/* item 6: the overlong NUL used to cut the username to "inX" */
	{ "overlong NUL in the username", "</username>", "\xC0\x80xyz</username>", "not well-formed" },
	{ "overlong '/' in the username", "</username>", "\xC0\xAF</username>", "not well-formed" },
};

START_TEST(not_xml_changes_nothing)
{
	char user[32];
	snprintf(user, sizeof user, "nx%d", _i);
	add_victim(user);
	char *env = delete_envelope(user);
	char *bad = replace(env, NOT_XML[_i].from, NOT_XML[_i].to);
	expect_4000(NOT_XML[_i].what, bad, NOT_XML[_i].reason);
	assert_still_blocked(NOT_XML[_i].what, user);
	free(bad);
	free(env);
	/* the unmutated request still works */
	char es[512];
	int code = post("deleteAccount", env = delete_envelope(user), es, sizeof es);
	free(env);
	ck_assert_msg(code == 0 && account_count(user) == 0, "%s: the plain deleteAccount failed: %d %s",
		      NOT_XML[_i].what, code, es);
}
END_TEST

/* Item 6: invalid UTF-8 and characters XML forbids, raw or as character
 * references, are refused before any value is used: nothing is stored. */
static const struct {
	const char *what, *text;
} BAD_CHARS[] = {
	{ "overlong NUL", "A\xC0\x80" "B" },
	{ "overlong 3-byte form", "A\xE0\x80\xAF" "B" },
	{ "surrogate as 3 bytes", "A\xED\xA0\x80" "B" },
	{ "surrogate as a reference", "A&#xD800;B" },
	{ "above U+10FFFF", "A\xF4\x90\x80\x80" "B" },
	{ "U+FFFE raw", "A\xEF\xBF\xBE" "B" },
	{ "U+FFFE as a reference", "A&#xFFFE;B" },
	{ "U+FFFF as a reference", "A&#65535;B" },
	{ "C0 control raw", "A\x1F" "B" },
	{ "C0 control as a reference", "A&#31;B" },
	{ "lone continuation byte", "A\x80" "B" },
	{ "truncated sequence", "A\xE2\x82" "B" },
};

START_TEST(bad_chars_are_refused)
{
	ensure_domain();
	char user[32], params[1024];
	snprintf(user, sizeof user, "bc%d", _i);
	snprintf(params, sizeof params,
		 "<account xsi:type=\"ngn:SipAccount\"><id><username xsi:type=\"xsd:string\">%s</username>"
		 "<domain xsi:type=\"xsd:string\">" DOMAIN "</domain></id><password xsi:type=\"xsd:string\">pw"
		 "</password><firstName xsi:type=\"xsd:string\">%s</firstName></account>", user, BAD_CHARS[_i].text);
	char *env = sc_envelope(NULL, "addAccount", params, SC_AUTH_PLAIN, NULL, NULL);
	expect_4000(BAD_CHARS[_i].what, env, "not well-formed");
	free(env);
	ck_assert_msg(account_count(user) == 0, "%s: the account was stored", BAD_CHARS[_i].what);
}
END_TEST

/* Item 9: one element with thousands of attributes is refused before any
 * parser looks them up (the time it used to take is measured in bench/). */
START_TEST(too_many_attributes)
{
	char user[] = "attrs1";
	add_victim(user);
	char *env = delete_envelope(user);
	size_t n = 3000, cap = n * 16 + 64;
	char *attrs = malloc(cap), *p = attrs;
	ck_assert_ptr_nonnull(attrs);
	p += sprintf(p, "xsi:type=\"ngn:SipId\"");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, " a%zu=\"\"", i);
	char *bad = replace(env, "xsi:type=\"ngn:SipId\"", attrs);
	expect_4000("3000 attributes", bad, "attributes");
	assert_still_blocked("3000 attributes", user);
	free(bad);
	/* 30 namespace declarations on each of two levels, plus the envelope's */
	p = attrs;
	p += sprintf(p, "xsi:type=\"ngn:SipId\"");
	for (size_t i = 0; i < 30; i++)
		p += sprintf(p, " xmlns:q%zu=\"u:%zu\"", i, i);
	bad = replace(env, "xsi:type=\"ngn:SipId\"", attrs);
	char *p2 = attrs;
	p2 += sprintf(p2, "<username");
	for (size_t i = 0; i < 30; i++)
		p2 += sprintf(p2, " xmlns:r%zu=\"u:%zu\"", i, i);
	strcpy(p2, " xsi:type=\"xsd:string\">attrs1");
	/* the sipId's username, not the header's */
	char *bad2 = replace(bad, "<username xsi:type=\"xsd:string\">attrs1", attrs);
	expect_4000("60 namespaces in scope", bad2, "namespace declarations");
	assert_still_blocked("60 namespaces in scope", user);
	free(bad2);
	free(bad);
	/* 31 attributes (the cap is 32), values holding '=' and '>' */
	p = attrs;
	p += sprintf(p, "xsi:type=\"ngn:SipId\"");
	for (size_t i = 0; i < 30; i++)
		p += sprintf(p, " a%zu=\"x=y&gt;\"", i);
	bad = replace(env, "xsi:type=\"ngn:SipId\"", attrs);
	char es[512];
	ck_assert_msg(post("31 attributes", bad, es, sizeof es) == 0, "31 attributes: %s", es);
	ck_assert_msg(account_count(user) == 0, "31 attributes: not deleted");
	free(bad);
	free(attrs);
	free(env);
}
END_TEST

/* ---- arrays ------------------------------------------------------------------ */

#define ENC_ARRAY "xsi:type=\"SOAP-ENC:Array\" "

/* Items 1, 4, 5: array members that gSOAP would read as another list than
 * the one sent (empty for text, cut or wiped for a size that disagrees with
 * the items, an int overflow for huge offsets) are refused. */
static const struct {
	const char *what, *groups, *reason;
} BAD_ARRAYS[] = {
	/* item 1: text instead of items, mixed content */
	{ "text", "<groups>anonymous</groups>", "holds text" },
	{ "text typed xsd:string", "<groups xsi:type=\"xsd:string\">anonymous</groups>", "holds text" },
	{ "text in CDATA", "<groups><![CDATA[anonymous]]></groups>", "holds text" },
	{ "text with a declared size", "<groups " ENC_ARRAY "SOAP-ENC:arrayType=\"xsd:string[1]\">anonymous</groups>",
	  NULL },
	{ "text between items", "<groups><item>blocked</item>junk<item>b</item></groups>", "both text and elements" },
	{ "text before items", "<groups>junk<item>blocked</item></groups>", "both text and elements" },
	{ "properties as text", "<properties>language=en</properties>", "holds text" },
	{ "acl as text", "<acl>10.0.0.0/8</acl>", "holds text" },
	/* item 4: dimensions, offsets and positions an int cannot hold */
	{ "offset -2^31", "<groups " ENC_ARRAY "SOAP-ENC:arrayType=\"xsd:string[1]\" SOAP-ENC:offset=\"[-2147483648]\">"
	  "<item>x</item></groups>", "SOAP-ENC:offset" },
	{ "offset 5", "<groups " ENC_ARRAY "SOAP-ENC:arrayType=\"xsd:string[6]\" SOAP-ENC:offset=\"[5]\">"
	  "<item>x</item></groups>", "SOAP-ENC:offset" },
	{ "size 2^31", "<groups " ENC_ARRAY "SOAP-ENC:arrayType=\"xsd:string[2147483648]\"><item>x</item></groups>",
	  "SOAP-ENC:arrayType" },
	{ "size -1", "<groups " ENC_ARRAY "SOAP-ENC:arrayType=\"xsd:string[-1]\"><item>x</item></groups>",
	  "SOAP-ENC:arrayType" },
	{ "two dimensions", "<groups " ENC_ARRAY "SOAP-ENC:arrayType=\"xsd:string[1,1]\"><item>x</item></groups>",
	  "dimension" },
	{ "position 2^31-1", "<groups " ENC_ARRAY "SOAP-ENC:arrayType=\"xsd:string[1]\">"
	  "<item SOAP-ENC:position=\"[2147483647]\">x</item></groups>", "SOAP-ENC:position" },
	{ "position -1", "<groups " ENC_ARRAY "SOAP-ENC:arrayType=\"xsd:string[1]\">"
	  "<item SOAP-ENC:position=\"[-1]\">x</item></groups>", "SOAP-ENC:position" },
	/* item 5: a declared size that disagrees with the items */
	{ "size 0 with an item", "<groups " ENC_ARRAY "SOAP-ENC:arrayType=\"xsd:string[0]\"><item>blocked</item></groups>",
	  "declares 0 items in SOAP-ENC:arrayType but holds 1" },
	{ "size 3 with one item", "<groups " ENC_ARRAY "SOAP-ENC:arrayType=\"xsd:string[3]\"><item>blocked</item></groups>",
	  "declares 3 items in SOAP-ENC:arrayType but holds 1" },
};

START_TEST(bad_arrays_change_nothing)
{
	char user[32];
	snprintf(user, sizeof user, "ar%d", _i);
	add_victim(user);
	char *env = update_envelope(user, BAD_ARRAYS[_i].groups);
	expect_4000(BAD_ARRAYS[_i].what, env, BAD_ARRAYS[_i].reason);
	free(env);
	assert_still_blocked(BAD_ARRAYS[_i].what, user);
}
END_TEST

/* max-array counts the items present, whatever the size declares. */
START_TEST(max_array_counts_items)
{
	add_victim("armax");
	size_t n = 20000;
	char *groups = malloc(n * 24 + 256), *p = groups;
	ck_assert_ptr_nonnull(groups);
	p += sprintf(p, "<groups " ENC_ARRAY "SOAP-ENC:arrayType=\"xsd:string[0]\">");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "<item>g%zu</item>", i);
	strcpy(p, "</groups>");
	char *env = update_envelope("armax", groups);
	expect_4000("20000 items declared as [0]", env, "max-array");
	free(env);
	free(groups);
	assert_still_blocked("20000 items", "armax");
}
END_TEST

/* What real clients send keeps working: empty arrays are empty lists, "[]"
 * declares no size (the items decide), offset [0] and positions that match. */
static const struct {
	const char *what, *groups, *want;
} GOOD_ARRAYS[] = {
	{ "empty element", "<groups></groups>", "0 groups" },
	{ "whitespace only", "<groups " ENC_ARRAY "SOAP-ENC:arrayType=\"xsd:anyType[0]\">\r\n  </groups>", "0 groups" },
	{ "size []", "<groups " ENC_ARRAY "SOAP-ENC:arrayType=\"xsd:string[]\"><item>blocked</item><item>x</item></groups>",
	  "2 groups, blocked among them" },
	{ "PEAR offset [0]", "<groups " ENC_ARRAY "SOAP-ENC:arrayType=\"xsd:string[2]\" SOAP-ENC:offset=\"[0]\">\r\n"
	  "<item xsi:type=\"xsd:string\">blocked</item>\r\n<item xsi:type=\"xsd:string\">y</item></groups>",
	  "2 groups, blocked among them" },
	{ "matching positions", "<groups " ENC_ARRAY "SOAP-ENC:arrayType=\"xsd:string[2]\">"
	  "<item SOAP-ENC:position=\"[0]\">a</item><item SOAP-ENC:position=\"[1]\">b</item></groups>", "2 groups" },
	{ "no arrayType", "<groups><item>blocked</item> <item>z</item> </groups>", "2 groups, blocked among them" },
};

START_TEST(good_arrays_are_read)
{
	char user[32];
	snprintf(user, sizeof user, "ag%d", _i);
	add_victim(user);
	char *env = update_envelope(user, GOOD_ARRAYS[_i].groups);
	char es[512], g[128];
	int code = post(GOOD_ARRAYS[_i].what, env, es, sizeof es);
	free(env);
	ck_assert_msg(code == 0, "%s: fault %d: %s", GOOD_ARRAYS[_i].what, code, es);
	groups_of(user, g, sizeof g);
	ck_assert_msg(strcmp(g, GOOD_ARRAYS[_i].want) == 0, "%s: %s, want %s", GOOD_ARRAYS[_i].what, g,
		      GOOD_ARRAYS[_i].want);
}
END_TEST

/* A request array (getPrepaidStatus's sipIds) holding text. */
START_TEST(request_array_as_text)
{
	struct sc_resp r;
	struct sc_xml *x;
	int code = sc_call("getPrepaidStatus", "<sipIds>someone@" DOMAIN "</sipIds>", &r, &x);
	ck_assert_msg(x != NULL, "reply not XML");
	const char *es = sc_xs(x, "//detail/exception/errorstring");
	ck_assert_msg(code == 4000 && es && strstr(es, "holds text"), "getPrepaidStatus with text: %d %s", code,
		      es ? es : r.body);
	sc_xml_free(x);
	sc_resp_free(&r);
}
END_TEST

/* ---- replies ----------------------------------------------------------------- */

/* Item 7: what a fault quotes never makes the reply malformed (post()
 * parses every reply): gSOAP used to answer "Method 'ns5:getAccount\xC0\xAF'
 * not implemented" with the raw bytes, getPrepaidStatus 200 with &#31;. */
START_TEST(replies_are_xml)
{
	char *env = sc_envelope(NULL, "getAccount", "<sipId><username>a</username><domain>" DOMAIN "</domain></sipId>",
				SC_AUTH_PLAIN, NULL, NULL);
	char *bad = replace(env, "getAccount>", "getAccount\xC0\xAF>");
	char *bad2 = replace(bad, "getAccount>", "getAccount\xC0\xAF>");
	expect_4000("method name with invalid bytes", bad2, NULL);
	free(bad2);
	free(bad);
	free(env);
	env = sc_envelope(NULL, "getPrepaidStatus", "<sipIds " ENC_ARRAY "SOAP-ENC:arrayType=\"ngn:SipId[1]\"><item>"
			  "<username>a&#31;b</username><domain>" DOMAIN "</domain></item></sipIds>",
			  SC_AUTH_PLAIN, NULL, NULL);
	expect_4000("getPrepaidStatus with &#31;", env, NULL);
	free(env);
	env = sc_envelope(NULL, "nosuchMethod\xEF\xBF\xBE", "", SC_AUTH_PLAIN, NULL, NULL);
	expect_4000("unknown method name with U+FFFE", env, NULL);
	free(env);
}
END_TEST

/* ---- values ------------------------------------------------------------------ */

/* The bytes of s as upper-case hex (MariaDB's HEX()), into out. */
static void hex_of(const char *s, char *out, size_t outlen)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && n + 3 <= outlen; p++)
		n += (size_t)snprintf(out + n, outlen - n, "%02X", *p);
	out[n] = '\0';
}

/* An addAccount of user with `text` verbatim in the XML as its firstName
 * (in_prop 0) or as the value of its property "note" (1: control
 * characters other than tab, CR and LF are allowed there). */
static void add_with_text(const char *user, const char *text, int in_prop)
{
	ensure_domain();
	ls_sql_exec("DELETE FROM subscriber WHERE username='%s' AND domain='" DOMAIN "'", user);
	size_t n = strlen(text) + 1024;
	char *params = malloc(n), es[512];
	ck_assert_ptr_nonnull(params);
	/* the unknown attribute holds what the text may hold: ignored, but it
	 * goes through the same rewriting */
	snprintf(params, n,
		 "<account xsi:type=\"ngn:SipAccount\"><id><username xsi:type=\"xsd:string\">%s</username>"
		 "<domain xsi:type=\"xsd:string\">" DOMAIN "</domain></id><password xsi:type=\"xsd:string\">pw"
		 "</password><firstName xsi:type=\"xsd:string\" x=\"&#x1F600;\r\n\">%s</firstName>"
		 "<properties " ENC_ARRAY "SOAP-ENC:arrayType=\"ngn:Property[1]\"><item><name>note</name>"
		 "<value>%s</value></item></properties></account>", user, in_prop ? "F" : text, in_prop ? text : "v");
	char *env = sc_envelope(NULL, "addAccount", params, SC_AUTH_PLAIN, NULL, NULL);
	int code = post(user, env, es, sizeof es);
	ck_assert_msg(code == 0, "%s: fault %d: %s", user, code, es);
	free(env);
	free(params);
}

/* XML 1.0 2.11: CR LF and a lone CR are read as LF, before parsing (so in
 * CDATA too); a character reference &#13; is a CR. gSOAP used to store the
 * raw CR. Code points above U+FFFF as references (decimal or hex) are the
 * character: gSOAP used to store "A\U0001F600;B", with a ';' left over.
 * Inside CDATA a reference is literal text. */
static const struct {
	const char *what, *text, *want;
	int in_prop;
} VALUES[] = {
	{ "raw CR LF", "a\r\nb", "a\nb", 1 },
	{ "lone CR", "a\rb\r", "a\nb\n", 1 },
	{ "CR CR LF", "a\r\r\nb", "a\n\nb", 1 },
	{ "&#13; stays a CR", "a&#13;&#xD;&#10;b", "a\r\r\nb", 1 },
	{ "CR LF in CDATA", "a<![CDATA[\r\n]]>b", "a\nb", 1 },
	{ "hex reference above U+FFFF", "A&#x1F600;B", "A\xF0\x9F\x98\x80" "B", 0 },
	{ "decimal reference above U+FFFF", "A&#128512;B&#x10FFFF;", "A\xF0\x9F\x98\x80" "B\xF4\x8F\xBF\xBF", 1 },
	{ "references below U+10000", "&#x41;&#233;&#x20AC;&#xFFFD;", "A\xC3\xA9\xE2\x82\xAC\xEF\xBF\xBD", 0 },
	{ "reference in CDATA is text", "A<![CDATA[&#x1F600;]]>B", "A&#x1F600;B", 0 },
	{ "reference after a comment", "A<!--&#x1F600;-->&#x1F600;", "A\xF0\x9F\x98\x80", 0 },
	{ "reference after a PI", "A<?pi &#x1F600;?>&#x1F600;", "A\xF0\x9F\x98\x80", 0 },
};

START_TEST(values_are_stored_as_read)
{
	char user[32], hex[256];
	snprintf(user, sizeof user, "val%d", _i);
	add_with_text(user, VALUES[_i].text, VALUES[_i].in_prop);
	hex_of(VALUES[_i].want, hex, sizeof hex);
	long long ok = VALUES[_i].in_prop
		? ls_sql_scalar("SELECT COUNT(*) FROM subscriber s JOIN sip_account_property p ON p.subscriber_id ="
				" s.id WHERE s.username='%s' AND s.domain='" DOMAIN "' AND p.name='note'"
				" AND HEX(p.value) = '%s'", user, hex)
		: ls_sql_scalar("SELECT COUNT(*) FROM subscriber s JOIN sip_account a ON a.subscriber_id = s.id"
				" WHERE s.username='%s' AND s.domain='" DOMAIN "' AND HEX(a.first_name) = '%s'", user, hex);
	ck_assert_msg(ok == 1, "%s: the stored value is not %s", VALUES[_i].what, hex);
}
END_TEST

/* An int holding a character above U+FFFF is not an int: gSOAP used to skip
 * the reference and read 12&#x1F600;3 as 123. */
START_TEST(reference_in_an_int_is_a_type_fault)
{
	ensure_domain();
	const char *const ints[] = { "12&#x1F600;3", "12&#128512;3", "&#x1F600;" };
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		char params[1024];
		ls_sql_exec("DELETE FROM subscriber WHERE username='valint' AND domain='" DOMAIN "'");
		snprintf(params, sizeof params,
			 "<account xsi:type=\"ngn:SipAccount\"><id><username xsi:type=\"xsd:string\">valint</username>"
			 "<domain xsi:type=\"xsd:string\">" DOMAIN "</domain></id><password xsi:type=\"xsd:string\">pw"
			 "</password><reseller xsi:type=\"xsd:int\">%s</reseller></account>", ints[i]);
		char *env = sc_envelope(NULL, "addAccount", params, SC_AUTH_PLAIN, NULL, NULL);
		expect_4000(ints[i], env, NULL);
		free(env);
		ck_assert_msg(account_count("valint") == 0, "%s: the account was stored", ints[i]);
	}
}
END_TEST

/* The login name matches exactly: api_user's collation (utf8mb4_bin, PAD
 * SPACE) finds "testadmin" for "testadmin " in WHERE username = ?. */
START_TEST(login_name_matches_exactly)
{
	const char *const names[] = { "testadmin ", "testadmin  ", " testadmin", "testadmin\t", "TESTADMIN" };
	const char *pw = sc_env("NGN_TEST_PASSWORD");
	char params[512], es[512];
	snprintf(params, sizeof params, "<sipId><username>nobody</username><domain>" DOMAIN "</domain></sipId>");
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *env = sc_envelope(NULL, "getAccount", params, SC_AUTH_PLAIN, names[i], pw);
		int code = post(names[i], env, es, sizeof es);
		free(env);
		ck_assert_msg(code == 3001, "login '%s': fault %d (want 3001): %s", names[i], code, es);
	}
	/* the exact name still works (and was not poisoned in the cache) */
	char *env = sc_envelope(NULL, "getAccount", params, SC_AUTH_PLAIN, sc_env("NGN_TEST_LOGIN"), pw);
	int code = post("testadmin", env, es, sizeof es);
	free(env);
	ck_assert_msg(code == 1010, "login testadmin: fault %d (want 1010): %s", code, es);
}
END_TEST

/* SIP usernames and domains: subscriber's collation pads too, so "vname "
 * must never find vname's record. */
START_TEST(sip_names_match_exactly)
{
	add_victim("vname");
	const char *const ids[][2] = { { "vname ", DOMAIN }, { "vname", DOMAIN " " }, { "vname\t", DOMAIN },
				       { " vname", DOMAIN } };
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		char params[512], es[512];
		snprintf(params, sizeof params, "<sipId><username>%s</username><domain>%s</domain></sipId>", ids[i][0],
			 ids[i][1]);
		char *env = sc_envelope(NULL, "getAccount", params, SC_AUTH_PLAIN, NULL, NULL);
		int code = post("getAccount", env, es, sizeof es);
		free(env);
		int want = strchr(ids[i][1], ' ') ? 4004 : 4003; /* refused by validate.c, never looked up */
		ck_assert_msg(code == want, "getAccount '%s'@'%s': fault %d (want %d): %s", ids[i][0], ids[i][1], code,
			      want, es);
		/* nor may a delete reach it */
		env = sc_envelope(NULL, "deleteAccount", params, SC_AUTH_PLAIN, NULL, NULL);
		code = post("deleteAccount", env, es, sizeof es);
		free(env);
		ck_assert_msg(code != 0, "deleteAccount '%s'@'%s' succeeded", ids[i][0], ids[i][1]);
		assert_still_blocked("deleteAccount with a padded name", "vname");
	}
}
END_TEST

/* ---- last ------------------------------------------------------------------- */

/* The server survived all of the above without a sanitizer report (the
 * array offsets of item 4 used to be undefined behaviour in gSOAP's
 * generated readers). */
START_TEST(server_clean)
{
	struct sc_resp r;
	ck_assert_msg(sc_get(sc_port(), "/status", &r, T_MS) == SC_OK && r.status == 200, "server gone");
	sc_resp_free(&r);
	ck_assert_msg(ls_log_clean(sc_env("NGN_TEST_SERVER_LOG")), "sanitizer report in the server log");
}
END_TEST

/* ---- the suite -------------------------------------------------------------- */

static Suite *input_suite(void)
{
	Suite *s = suite_create("input");
	TCase *tc = tcase_create("notxml");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, not_xml_changes_nothing, 0, (int)(sizeof NOT_XML / sizeof NOT_XML[0]));
	tcase_add_loop_test(tc, bad_chars_are_refused, 0, (int)(sizeof BAD_CHARS / sizeof BAD_CHARS[0]));
	tcase_add_test(tc, too_many_attributes);
	suite_add_tcase(s, tc);
	tc = tcase_create("arrays");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, bad_arrays_change_nothing, 0, (int)(sizeof BAD_ARRAYS / sizeof BAD_ARRAYS[0]));
	tcase_add_test(tc, max_array_counts_items);
	tcase_add_loop_test(tc, good_arrays_are_read, 0, (int)(sizeof GOOD_ARRAYS / sizeof GOOD_ARRAYS[0]));
	tcase_add_test(tc, request_array_as_text);
	suite_add_tcase(s, tc);
	tc = tcase_create("replies");
	tcase_add_test(tc, replies_are_xml);
	suite_add_tcase(s, tc);
	tc = tcase_create("values");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, values_are_stored_as_read, 0, (int)(sizeof VALUES / sizeof VALUES[0]));
	tcase_add_test(tc, reference_in_an_int_is_a_type_fault);
	tcase_add_test(tc, login_name_matches_exactly);
	tcase_add_test(tc, sip_names_match_exactly);
	suite_add_tcase(s, tc);
	tc = tcase_create("last");
	tcase_add_test(tc, server_clean);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	ls_run_under_server(argc, argv);
	SRunner *sr = srunner_create(input_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
