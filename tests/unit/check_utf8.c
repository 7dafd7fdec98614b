/* check_utf8.c: counting UTF-8 characters (server/core/utf8.c): the strict
 * count with its control-character bits, and the plain lead-byte count. */
#include <stddef.h>
#include "suites.h"
#include "core/utf8.h"

struct utf8_case {
	const char *s;
	long chars;     /* utf8_chars, -1: ill-formed */
	int ctl;        /* its *ctl when well-formed */
	size_t count;   /* utf8_count */
};

static const struct utf8_case cases[] = {
	{ "", 0, 0, 0 },
	{ "alice", 5, 0, 5 },
	{ "caf\xc3\xa9", 4, 0, 4 },                       /* U+00E9 */
	{ "\xe2\x82\xac" "5", 2, 0, 2 },                  /* U+20AC */
	{ "\xf0\x9f\x98\x80", 1, 0, 1 },                  /* U+1F600 */
	{ "\xf4\x8f\xbf\xbf", 1, 0, 1 },                  /* U+10FFFF, the last */
	{ "\xef\xbf\xbd", 1, 0, 1 },                      /* U+FFFD is fine */
	{ "a\tb\nc\r", 6, UTF8_CTL_ANY, 6 },              /* XML allows these */
	{ "a\x7f", 2, UTF8_CTL_ANY, 2 },                  /* DEL: XML allows it */
	{ "a\x01", 2, UTF8_CTL_ANY | UTF8_CTL_XML, 2 },
	{ "\x1b[0m", 4, UTF8_CTL_ANY | UTF8_CTL_XML, 4 },
	{ "\xc0\x80", -1, 0, 1 },                         /* overlong NUL */
	{ "\xc1\xbf", -1, 0, 1 },                         /* overlong */
	{ "\xe0\x80\xaf", -1, 0, 1 },                     /* overlong '/' */
	{ "\xf0\x8f\xbf\xbf", -1, 0, 1 },                 /* overlong U+FFFF */
	{ "\xed\xa0\x80", -1, 0, 1 },                     /* surrogate U+D800 */
	{ "\xed\xbf\xbf", -1, 0, 1 },                     /* surrogate U+DFFF */
	{ "\xef\xbf\xbe", -1, 0, 1 },                     /* U+FFFE */
	{ "\xef\xbf\xbf", -1, 0, 1 },                     /* U+FFFF */
	{ "\xf4\x90\x80\x80", -1, 0, 1 },                 /* above U+10FFFF */
	{ "\xf5\x80\x80\x80", -1, 0, 1 },
	{ "\xc3", -1, 0, 1 },                             /* cut short */
	{ "\xe2\x82", -1, 0, 1 },
	{ "ab\xe2\x82" "c", -1, 0, 4 },
	{ "\x80", -1, 0, 0 },                             /* lone continuation */
	{ "\xff", -1, 0, 1 },
};

START_TEST(counts)
{
	const struct utf8_case *c = &cases[_i];
	int ctl = -1;
	ck_assert_int_eq(utf8_chars(c->s, &ctl), c->chars);
	if (c->chars >= 0)
		ck_assert_int_eq(ctl, c->ctl);
	ck_assert_int_eq(utf8_chars(c->s, NULL), c->chars);
	ck_assert_uint_eq(utf8_count(c->s), c->count);
}
END_TEST

/* on well-formed text the two counts agree */
START_TEST(counts_agree_when_well_formed)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (cases[i].chars >= 0)
			ck_assert_uint_eq((size_t)cases[i].chars, utf8_count(cases[i].s));
}
END_TEST

/* the control bits seen before an ill-formed sequence are still reported */
START_TEST(ctl_before_error)
{
	int ctl = 0;
	ck_assert_int_eq(utf8_chars("\x01\xc3", &ctl), -1);
	ck_assert_int_eq(ctl, UTF8_CTL_ANY | UTF8_CTL_XML);
}
END_TEST

Suite *utf8_suite(void)
{
	Suite *s = suite_create("utf8");
	TCase *tc = tcase_create("count");
	tcase_add_loop_test(tc, counts, 0, (int)(sizeof cases / sizeof cases[0]));
	tcase_add_test(tc, counts_agree_when_well_formed);
	tcase_add_test(tc, ctl_before_error);
	suite_add_tcase(s, tc);
	return s;
}
