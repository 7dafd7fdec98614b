/* check_validate.c: input syntax checks and normalisation (server/store/validate.c). */
#include <stdio.h>
#include <string.h>
#include "suites.h"
#include "store/validate.h"

/* Runs fn on a writable copy of in; returns its status, copy in out. */
#define CHECK_FOLD(fn, in, expect_st, expect_out)                                  \
	do {                                                                       \
		char buf_[512];                                                    \
		struct ngn_err e_ = { "" };                                        \
		snprintf(buf_, sizeof buf_, "%s", in);                             \
		enum ngn_status st_ = fn(buf_, &e_);                               \
		ck_assert_msg(st_ == (expect_st), "%s(\"%s\") gave %d (%s)", #fn, in, st_, e_.msg); \
		if ((expect_out) != NULL)                                          \
			ck_assert_str_eq(buf_, (const char *)(expect_out));        \
	} while (0)

START_TEST(usernames)
{
	CHECK_FOLD(valid_username, "alice", NGN_OK, "alice");
	CHECK_FOLD(valid_username, "Alice.Smith", NGN_OK, "alice.smith");
	CHECK_FOLD(valid_username, "+31201234567", NGN_OK, "+31201234567");
	CHECK_FOLD(valid_username, "a-b_c.d!e~f*g'h(i)j&k=l+m$n,o;p?q/r", NGN_OK, NULL);
	CHECK_FOLD(valid_username, "john%20doe", NGN_OK, "john%20doe");
	CHECK_FOLD(valid_username, "", NGN_E_INVALID_USERNAME, NULL);
	CHECK_FOLD(valid_username, "al ice", NGN_E_INVALID_USERNAME, NULL);
	CHECK_FOLD(valid_username, "alice@example.com", NGN_E_INVALID_USERNAME, NULL);
	CHECK_FOLD(valid_username, "a:b", NGN_E_INVALID_USERNAME, NULL);
	CHECK_FOLD(valid_username, "<autoincrement>", NGN_E_INVALID_USERNAME, NULL);
	CHECK_FOLD(valid_username, "bad%2", NGN_E_INVALID_USERNAME, NULL);
	CHECK_FOLD(valid_username, "bad%zz", NGN_E_INVALID_USERNAME, NULL);
	CHECK_FOLD(valid_username, "tab\there", NGN_E_INVALID_USERNAME, NULL);
	CHECK_FOLD(valid_username, "j\xc3\xb6rg", NGN_E_INVALID_USERNAME, NULL);
	char long64[65], long65[66];
	memset(long64, 'a', 64), long64[64] = 0;
	memset(long65, 'a', 65), long65[65] = 0;
	CHECK_FOLD(valid_username, long64, NGN_OK, NULL);
	CHECK_FOLD(valid_username, long65, NGN_E_INVALID_USERNAME, NULL);
}
END_TEST

START_TEST(messages_name_the_value)
{
	char buf[] = "Al Ice";
	struct ngn_err e = { "" };
	ck_assert_int_eq(valid_username(buf, &e), NGN_E_INVALID_USERNAME);
	ck_assert_ptr_nonnull(strstr(e.msg, "\"Al Ice\""));
	ck_assert_str_eq(buf, "Al Ice"); /* left alone when invalid */
	char huge[400];
	memset(huge, 'x', sizeof huge - 1), huge[sizeof huge - 1] = 0;
	ck_assert_int_eq(valid_domain(huge, &e), NGN_E_INVALID_DOMAIN);
	ck_assert(strlen(e.msg) < ERR_MSG_MAX);
	ck_assert_ptr_nonnull(strstr(e.msg, "..."));
}
END_TEST

START_TEST(domains)
{
	CHECK_FOLD(valid_domain, "example.com", NGN_OK, "example.com");
	CHECK_FOLD(valid_domain, "SIP.Example.COM", NGN_OK, "sip.example.com");
	CHECK_FOLD(valid_domain, "localhost", NGN_OK, "localhost");
	CHECK_FOLD(valid_domain, "10.0.0.1", NGN_OK, NULL);
	CHECK_FOLD(valid_domain, "a-b.c0", NGN_OK, NULL);
	CHECK_FOLD(valid_domain, "", NGN_E_INVALID_DOMAIN, NULL);
	CHECK_FOLD(valid_domain, "example..com", NGN_E_INVALID_DOMAIN, NULL);
	CHECK_FOLD(valid_domain, ".example.com", NGN_E_INVALID_DOMAIN, NULL);
	CHECK_FOLD(valid_domain, "example.com.", NGN_E_INVALID_DOMAIN, NULL);
	CHECK_FOLD(valid_domain, "-a.com", NGN_E_INVALID_DOMAIN, NULL);
	CHECK_FOLD(valid_domain, "a-.com", NGN_E_INVALID_DOMAIN, NULL);
	CHECK_FOLD(valid_domain, "ex_ample.com", NGN_E_INVALID_DOMAIN, NULL);
	CHECK_FOLD(valid_domain, "exa mple.com", NGN_E_INVALID_DOMAIN, NULL);
	CHECK_FOLD(valid_domain, "example.com:5060", NGN_E_INVALID_DOMAIN, NULL);
	char lab63[80], lab64[80];
	memset(lab63, 'a', 63), strcpy(lab63 + 63, ".b");
	memset(lab64, 'a', 64), lab64[64] = '\0'; /* 64 bytes fit the column, the label does not */
	CHECK_FOLD(valid_domain, lab63, NGN_E_INVALID_DOMAIN, NULL); /* 65 > column size 64 */
	lab63[63] = '\0';
	CHECK_FOLD(valid_domain, lab63, NGN_OK, NULL);
	CHECK_FOLD(valid_domain, lab64, NGN_E_INVALID_DOMAIN, NULL);
}
END_TEST

START_TEST(groups)
{
	CHECK_FOLD(valid_group, "free-pstn", NGN_OK, "free-pstn");
	CHECK_FOLD(valid_group, "Blocked", NGN_OK, "blocked");
	CHECK_FOLD(valid_group, "rate_on.net-2", NGN_OK, NULL);
	CHECK_FOLD(valid_group, "", NGN_E_INVALID_GROUP, NULL);
	CHECK_FOLD(valid_group, "free pstn", NGN_E_INVALID_GROUP, NULL);
	CHECK_FOLD(valid_group, "a,b", NGN_E_INVALID_GROUP, NULL);
	CHECK_FOLD(valid_group, "new\nline", NGN_E_INVALID_GROUP, NULL);
	CHECK_FOLD(valid_group, "x%", NGN_E_INVALID_GROUP, NULL);
	char g65[66];
	memset(g65, 'g', 65), g65[65] = 0;
	CHECK_FOLD(valid_group, g65, NGN_E_INVALID_GROUP, NULL);
	g65[64] = 0;
	CHECK_FOLD(valid_group, g65, NGN_OK, NULL);
}
END_TEST

START_TEST(emails)
{
	CHECK_FOLD(valid_email, "alice@example.com", NGN_OK, "alice@example.com");
	CHECK_FOLD(valid_email, "Alice.Smith+sip@Example.COM", NGN_OK, "alice.smith+sip@example.com");
	CHECK_FOLD(valid_email, "unknown@domain", NGN_OK, NULL);
	CHECK_FOLD(valid_email, "", NGN_OK, "");
	CHECK_FOLD(valid_email, "alice", NGN_E_INVALID_EMAIL, NULL);
	CHECK_FOLD(valid_email, "@example.com", NGN_E_INVALID_EMAIL, NULL);
	CHECK_FOLD(valid_email, "alice@", NGN_E_INVALID_EMAIL, NULL);
	CHECK_FOLD(valid_email, "al ice@example.com", NGN_E_INVALID_EMAIL, NULL);
	CHECK_FOLD(valid_email, ".alice@example.com", NGN_E_INVALID_EMAIL, NULL);
	CHECK_FOLD(valid_email, "al..ice@example.com", NGN_E_INVALID_EMAIL, NULL);
	CHECK_FOLD(valid_email, "alice@exa_mple.com", NGN_E_INVALID_EMAIL, NULL);
	CHECK_FOLD(valid_email, "a@b@example.com", NGN_E_INVALID_EMAIL, NULL);
}
END_TEST

START_TEST(passwords)
{
	struct password pw;
	struct ngn_err e;
	ck_assert_int_eq(valid_password("secret", &pw, &e), NGN_OK);
	ck_assert_int_eq(pw.kind, PW_CLEAR);
	ck_assert_str_eq(pw.clear, "secret");
	ck_assert_int_eq(valid_password("p\xc3\xa4ss w0rd!", &pw, &e), NGN_OK);
	ck_assert_int_eq(valid_password("981a4ef40955b75633f737a3ece44230:94E77326454C7347185D0106B03216FF", &pw, &e), NGN_OK);
	ck_assert_int_eq(pw.kind, PW_DIGEST);
	ck_assert_str_eq(pw.ha1, "981a4ef40955b75633f737a3ece44230");
	ck_assert_str_eq(pw.ha1b, "94e77326454c7347185d0106b03216ff");
	ck_assert_int_eq(valid_password("", &pw, &e), NGN_E_INVALID_PASSWORD);
	ck_assert_int_eq(valid_password("a\tb", &pw, &e), NGN_E_INVALID_PASSWORD);
	ck_assert_int_eq(valid_password("bad\xff", &pw, &e), NGN_E_INVALID_PASSWORD);
	char p64[65], p65[66];
	memset(p64, 'p', 64), p64[64] = 0;
	memset(p65, 'p', 65), p65[65] = 0;
	ck_assert_int_eq(valid_password(p64, &pw, &e), NGN_OK);
	ck_assert_int_eq(valid_password(p65, &pw, &e), NGN_E_INVALID_PASSWORD);
}
END_TEST

START_TEST(acl_entries)
{
	struct ngn_err e;
	ck_assert_int_eq(valid_acl("10.0.0.0", 8, NULL, &e), NGN_OK);
	ck_assert_int_eq(valid_acl("192.168.1.1", 32, "office", &e), NGN_OK);
	ck_assert_int_eq(valid_acl("0.0.0.0", 0, "", &e), NGN_OK);
	ck_assert_int_eq(valid_acl("10.0.0", 8, NULL, &e), NGN_E_INVALID_ACL);
	ck_assert_int_eq(valid_acl("256.0.0.1", 8, NULL, &e), NGN_E_INVALID_ACL);
	ck_assert_int_eq(valid_acl("::1", 128, NULL, &e), NGN_E_INVALID_ACL);
	ck_assert_int_eq(valid_acl("example.com", 8, NULL, &e), NGN_E_INVALID_ACL);
	ck_assert_int_eq(valid_acl(NULL, 8, NULL, &e), NGN_E_INVALID_ACL);
	ck_assert_int_eq(valid_acl("10.0.0.0", 33, NULL, &e), NGN_E_INVALID_ACL);
	ck_assert_ptr_nonnull(strstr(e.msg, "10.0.0.0/33"));
	ck_assert_int_eq(valid_acl("10.0.0.0", -1, NULL, &e), NGN_E_INVALID_ACL);
	ck_assert_int_eq(valid_acl("10.0.0.0", 8, "bad\ttag", &e), NGN_E_INVALID_ACL);
}
END_TEST

START_TEST(properties)
{
	struct ngn_err e;
	ck_assert_int_eq(valid_property("web_password", "x", &e), NGN_OK);
	ck_assert_int_eq(valid_property("language", "", &e), NGN_OK);
	ck_assert_int_eq(valid_property("a.b:c-d", "multi\nline", &e), NGN_OK);
	ck_assert_int_eq(valid_property("", "x", &e), NGN_E_INVALID_PROPERTY);
	ck_assert_int_eq(valid_property(NULL, "x", &e), NGN_E_INVALID_PROPERTY);
	ck_assert_int_eq(valid_property("has space", "x", &e), NGN_E_INVALID_PROPERTY);
	ck_assert_ptr_nonnull(strstr(e.msg, "\"has space\""));
	ck_assert_int_eq(valid_property("ok", "\xc0\xaf", &e), NGN_E_INVALID_PROPERTY); /* overlong */
	ck_assert_int_eq(valid_property("ok", "\xed\xa0\x80", &e), NGN_E_INVALID_PROPERTY); /* surrogate */
}
END_TEST

START_TEST(text_and_numbers)
{
	struct ngn_err e;
	ck_assert_int_eq(valid_text("firstName", "Jörg", 4, &e), NGN_OK); /* 4 characters, 5 bytes */
	ck_assert_int_eq(valid_text("firstName", "Jörgx", 4, &e), NGN_E_INVALID_VALUE);
	ck_assert_ptr_nonnull(strstr(e.msg, "firstName"));
	ck_assert_int_eq(valid_text("firstName", NULL, 4, &e), NGN_OK);
	ck_assert_int_eq(valid_text("rpid", "12\n3", 64, &e), NGN_E_INVALID_VALUE);
	ck_assert_int_eq(valid_text("rpid", "\xf5\x80\x80\x80", 64, &e), NGN_E_INVALID_VALUE);
	ck_assert_int_eq(valid_blob("certificate", "-----BEGIN\nX\n-----END\n", 100, &e), NGN_OK);
	ck_assert_int_eq(valid_blob("certificate", "0123456789", 9, &e), NGN_E_INVALID_VALUE);
	ck_assert_int_eq(valid_uint("quota", 0, &e), NGN_OK);
	ck_assert_int_eq(valid_uint("quota", 4294967295LL, &e), NGN_OK);
	ck_assert_int_eq(valid_uint("quota", -1, &e), NGN_E_INVALID_VALUE);
	ck_assert_ptr_nonnull(strstr(e.msg, "quota -1"));
	char f[] = "MiXeD%_Case";
	valid_fold(f);
	ck_assert_str_eq(f, "mixed%_case");
	valid_fold(NULL);
}
END_TEST

/* What XML 1.0 cannot carry is never stored, so no later reply can be
 * malformed (the request parser refuses it first; this is the last line). */
START_TEST(xml_forbidden_characters)
{
	struct ngn_err e;
	ck_assert_int_eq(valid_text("firstName", "A\xEF\xBF\xBE" "B", 64, &e), NGN_E_INVALID_VALUE);
	ck_assert_int_eq(valid_text("firstName", "A\xEF\xBF\xBF" "B", 64, &e), NGN_E_INVALID_VALUE);
	ck_assert_int_eq(valid_text("firstName", "A\xEF\xBF\xBD" "B", 64, &e), NGN_OK); /* U+FFFD is fine */
	ck_assert_int_eq(valid_blob("certificate", "-----\x01-----", 100, &e), NGN_E_INVALID_VALUE);
	ck_assert_int_eq(valid_blob("certificate", "A\xEF\xBF\xBE", 100, &e), NGN_E_INVALID_VALUE);
	ck_assert_int_eq(valid_blob("certificate", "line1\r\nline2\tx", 100, &e), NGN_OK);
	ck_assert_int_eq(valid_property("p", "a\x1F", &e), NGN_E_INVALID_PROPERTY);
	ck_assert_int_eq(valid_property("p", "a\xEF\xBF\xBF", &e), NGN_E_INVALID_PROPERTY);
	ck_assert_int_eq(valid_property("p", "multi\nline\ttab", &e), NGN_OK);
	struct password pw;
	ck_assert_int_eq(valid_password("pw\xEF\xBF\xBE", &pw, &e), NGN_E_INVALID_PASSWORD);
}
END_TEST

Suite *validate_suite(void)
{
	Suite *s = suite_create("validate");
	TCase *tc = tcase_create("syntax");
	tcase_add_test(tc, usernames);
	tcase_add_test(tc, messages_name_the_value);
	tcase_add_test(tc, domains);
	tcase_add_test(tc, groups);
	tcase_add_test(tc, emails);
	tcase_add_test(tc, passwords);
	tcase_add_test(tc, acl_entries);
	tcase_add_test(tc, properties);
	tcase_add_test(tc, text_and_numbers);
	tcase_add_test(tc, xml_forbidden_characters);
	suite_add_tcase(s, tc);
	return s;
}
