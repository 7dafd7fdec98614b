/* check_digest.c: the SIP password digests (server/core/digest.c). Expected
 * values were computed independently, e.g.
 *   printf 'alice:example.com:secret' | md5sum */
#include <string.h>
#include "suites.h"
#include "core/digest.h"

START_TEST(known_vectors)
{
	char ha1[DIGEST_HEX + 1], ha1b[DIGEST_HEX + 1];
	ck_assert_int_eq(digest_compute("alice", "example.com", "secret", ha1, ha1b), NGN_OK);
	ck_assert_str_eq(ha1, "b1726872c344b6dc8365b774f8fd6412");
	ck_assert_str_eq(ha1b, "c79656e4f06dbae9fdf6727654273c65");
	ck_assert_int_eq(digest_compute("bob", "example.com", "clear", ha1, ha1b), NGN_OK);
	ck_assert_str_eq(ha1, "0ec5026b3446c14e1b29b88035d69c0c");
	ck_assert_str_eq(ha1b, "caa6f488a894aff64cbdb43b9cce791a");
}
END_TEST

START_TEST(utf8_password_is_hashed_as_bytes)
{
	char ha1[DIGEST_HEX + 1], ha1b[DIGEST_HEX + 1];
	ck_assert_int_eq(digest_compute("j\xc3\xb6rg", "example.com", "p\xc3\xa4ss", ha1, ha1b), NGN_OK);
	ck_assert_str_eq(ha1, "e7b16c9896b04130639ac63a1117426a");
	ck_assert_int_eq(digest_compute("", "x", "", ha1, ha1b), NGN_OK);
	ck_assert_str_eq(ha1, "7df6b366204519077f3b2c99f2234417");
}
END_TEST

START_TEST(pair_form)
{
	char a[DIGEST_HEX + 1], b[DIGEST_HEX + 1];
	ck_assert(digest_parse_pair("981a4ef40955b75633f737a3ece44230:94e77326454c7347185d0106b03216ff", a, b));
	ck_assert_str_eq(a, "981a4ef40955b75633f737a3ece44230");
	ck_assert_str_eq(b, "94e77326454c7347185d0106b03216ff");
	/* upper-case hex is accepted and stored lower-case */
	ck_assert(digest_parse_pair("981A4EF40955B75633F737A3ECE44230:94E77326454C7347185D0106B03216FF", a, b));
	ck_assert_str_eq(a, "981a4ef40955b75633f737a3ece44230");
	ck_assert_str_eq(b, "94e77326454c7347185d0106b03216ff");
}
END_TEST

START_TEST(not_a_pair)
{
	char a[DIGEST_HEX + 1], b[DIGEST_HEX + 1];
	ck_assert(!digest_parse_pair(NULL, a, b));
	ck_assert(!digest_parse_pair("", a, b));
	ck_assert(!digest_parse_pair("secret", a, b));
	ck_assert(!digest_parse_pair("981a4ef40955b75633f737a3ece44230", a, b));
	/* one digit short, one too long, wrong separator, non-hex */
	ck_assert(!digest_parse_pair("981a4ef40955b75633f737a3ece4423:94e77326454c7347185d0106b03216ff", a, b));
	ck_assert(!digest_parse_pair("981a4ef40955b75633f737a3ece44230:94e77326454c7347185d0106b03216ff0", a, b));
	ck_assert(!digest_parse_pair("981a4ef40955b75633f737a3ece44230;94e77326454c7347185d0106b03216ff", a, b));
	ck_assert(!digest_parse_pair("981a4ef40955b75633f737a3ece4423g:94e77326454c7347185d0106b03216ff", a, b));
}
END_TEST

Suite *digest_suite(void)
{
	Suite *s = suite_create("digest");
	TCase *tc = tcase_create("md5");
	tcase_add_test(tc, known_vectors);
	tcase_add_test(tc, utf8_password_is_hashed_as_bytes);
	tcase_add_test(tc, pair_form);
	tcase_add_test(tc, not_a_pair);
	suite_add_tcase(s, tc);
	return s;
}
