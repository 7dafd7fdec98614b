/* check_money.c: exact decimal text <-> minor units (server/core/money.c). */
#include <stdint.h>
#include <string.h>
#include "suites.h"
#include "core/money.h"

struct ok_case {
	const char *text;
	money_t minor;
};

static const struct ok_case ok_cases[] = {
	{ "10", 100000 },
	{ "10.5", 105000 },
	{ "-10.5", -105000 },
	{ "+3.25", 32500 },
	{ "0.0001", 1 },
	{ "-0.0001", -1 },
	{ "0", 0 },
	{ "-0", 0 },
	{ "0.0000", 0 },
	{ "000", 0 },
	{ ".5", 5000 },
	{ "5.", 50000 },
	{ "-.25", -2500 },
	{ "0010.50000", 105000 },          /* trailing zeros are exact, not precision */
	{ "12.345600000000000000000", 123456 },
	{ " \t\n12.5\r\n ", 125000 },       /* xsd:decimal collapses white space */
	{ "1e1", 100000 },
	{ "1E+1", 100000 },
	{ "1.5e2", 1500000 },
	{ "1.0E-4", 1 },
	{ "25e-4", 25 },
	{ "0.00125e2", 1250 },
	{ "-7.5E0", -75000 },
	{ "0e999999999999", 0 },
	{ "0.0e-999999999999", 0 },
	{ "1000000000", MONEY_AMOUNT_MAX },          /* the limit itself is fine */
	{ "-1000000000.0000", -MONEY_AMOUNT_MAX },
	{ "999999999.9999", MONEY_AMOUNT_MAX - 1 },
	{ "100000000000000000000e-11", MONEY_AMOUNT_MAX },
};

START_TEST(parses_exactly)
{
	const struct ok_case *c = &ok_cases[_i];
	money_t v = 12345;
	ck_assert_msg(money_parse(c->text, MONEY_AMOUNT_MAX, &v) == MONEY_OK, "'%s' refused", c->text);
	ck_assert_msg(v == c->minor, "'%s' -> %lld, want %lld", c->text, (long long)v, (long long)c->minor);
}
END_TEST

struct bad_case {
	const char *text;
	enum money_err err;
};

static const struct bad_case bad_cases[] = {
	{ "", MONEY_EMPTY },
	{ "   ", MONEY_EMPTY },
	{ NULL, MONEY_EMPTY },
	{ "NaN", MONEY_NOT_FINITE },
	{ "nan", MONEY_NOT_FINITE },
	{ "-NaN", MONEY_NOT_FINITE },
	{ "INF", MONEY_NOT_FINITE },
	{ "-INF", MONEY_NOT_FINITE },
	{ "+inf", MONEY_NOT_FINITE },
	{ "Infinity", MONEY_NOT_FINITE },
	{ "-infinity", MONEY_NOT_FINITE },
	{ "nan(0x1)", MONEY_SYNTAX },
	{ "1.#INF", MONEY_SYNTAX },
	{ "0.00001", MONEY_PRECISION },
	{ "10.12345", MONEY_PRECISION },
	{ "-0.00005", MONEY_PRECISION },
	{ "0.30000000000000004", MONEY_PRECISION }, /* PHP's 0.1 + 0.2: refused, not rounded */
	{ "1e-5", MONEY_PRECISION },
	{ "1.0E-5", MONEY_PRECISION },
	{ "1e-999999999999", MONEY_PRECISION },
	{ "1000000000.0001", MONEY_RANGE },
	{ "-1000000000.0001", MONEY_RANGE },
	{ "1e10", MONEY_RANGE },
	{ "1.0E+25", MONEY_RANGE },
	{ "1e999999999999999999999", MONEY_RANGE },
	{ "99999999999999999999999999999999999999", MONEY_RANGE },
	{ "18446744073709551616", MONEY_RANGE },   /* 2^64 */
	{ "9223372036854775808", MONEY_RANGE },    /* 2^63 */
	{ "922337203685477.5808", MONEY_RANGE },   /* INT64_MIN minor units */
	{ "1,5", MONEY_SYNTAX },
	{ "1 000", MONEY_SYNTAX },
	{ "0x10", MONEY_SYNTAX },
	{ "0x1p3", MONEY_SYNTAX },
	{ "$5", MONEY_SYNTAX },
	{ "5EUR", MONEY_SYNTAX },
	{ ".", MONEY_SYNTAX },
	{ "-", MONEY_SYNTAX },
	{ "+-1", MONEY_SYNTAX },
	{ "--1", MONEY_SYNTAX },
	{ "1.2.3", MONEY_SYNTAX },
	{ "e5", MONEY_SYNTAX },
	{ "1e", MONEY_SYNTAX },
	{ "1e+", MONEY_SYNTAX },
	{ "1e1.5", MONEY_SYNTAX },
	{ "1\xd9\xa3", MONEY_SYNTAX },             /* ARABIC-INDIC DIGIT THREE */
	{ "１", MONEY_SYNTAX },                      /* FULLWIDTH DIGIT ONE */
	{ "1\x00" "5", MONEY_OK },                  /* the NUL ends the text: reads "1" */
};

START_TEST(refuses)
{
	const struct bad_case *c = &bad_cases[_i];
	money_t v = 777;
	enum money_err e = money_parse(c->text, MONEY_AMOUNT_MAX, &v);
	ck_assert_msg(e == c->err, "'%s': got %d (%s), want %d", c->text ? c->text : "(null)", e,
		      money_strerror(e), c->err);
	if (e != MONEY_OK)
		ck_assert_msg(v == 777, "'%s' wrote the output on failure", c->text);
}
END_TEST

START_TEST(limit_is_the_callers)
{
	money_t v;
	ck_assert_int_eq(money_parse("5", 50000, &v), MONEY_OK);
	ck_assert_int_eq(money_parse("5.0001", 50000, &v), MONEY_RANGE);
	ck_assert_int_eq(money_parse("-5.0001", 50000, &v), MONEY_RANGE);
	ck_assert_int_eq(money_parse("0", 0, &v), MONEY_OK);
	ck_assert_int_eq(money_parse("0.0001", 0, &v), MONEY_RANGE);
	/* the widest limit still refuses what would not fit */
	ck_assert_int_eq(money_parse("922337203685477.5807", INT64_MAX, &v), MONEY_OK);
	ck_assert(v == INT64_MAX);
	ck_assert_int_eq(money_parse("-922337203685477.5807", INT64_MAX, &v), MONEY_OK);
	ck_assert(v == -INT64_MAX);
	ck_assert_int_eq(money_parse("999999999999999.9999", INT64_MAX, &v), MONEY_RANGE);
	ck_assert_int_eq(money_parse("1000000000000000", INT64_MAX, &v), MONEY_RANGE);
	ck_assert_int_eq(money_parse("1", -1, &v), MONEY_RANGE);
}
END_TEST

/* The one rule for a balance change, at its edges; the text form adds it
 * to money_parse. */
START_TEST(amount_rule)
{
	ck_assert_int_eq(money_amount_check(0), MONEY_ZERO);
	ck_assert_int_eq(money_amount_check(1), MONEY_OK);
	ck_assert_int_eq(money_amount_check(-1), MONEY_OK);
	ck_assert_int_eq(money_amount_check(MONEY_AMOUNT_MAX), MONEY_OK);
	ck_assert_int_eq(money_amount_check(-MONEY_AMOUNT_MAX), MONEY_OK);
	ck_assert_int_eq(money_amount_check(MONEY_AMOUNT_MAX + 1), MONEY_RANGE);
	ck_assert_int_eq(money_amount_check(-MONEY_AMOUNT_MAX - 1), MONEY_RANGE);
	ck_assert_int_eq(money_amount_check(INT64_MIN), MONEY_RANGE);
	money_t v = 777;
	ck_assert_int_eq(money_parse_amount("-0.000e7", &v), MONEY_ZERO);
	ck_assert_int_eq(money_parse_amount("1000000000.0001", &v), MONEY_RANGE);
	ck_assert_int_eq(money_parse_amount("1.00001", &v), MONEY_PRECISION);
	ck_assert(v == 777);
	ck_assert_int_eq(money_parse_amount("-1000000000", &v), MONEY_OK);
	ck_assert(v == -MONEY_AMOUNT_MAX);
	ck_assert_str_eq(money_strerror(MONEY_ZERO), "the amount must not be zero");
}
END_TEST

START_TEST(formats_exactly)
{
	char b[MONEY_STR_MAX];
	ck_assert_str_eq(money_format(0, b), "0.0000");
	ck_assert_str_eq(money_format(125000, b), "12.5000");
	ck_assert_str_eq(money_format(-125000, b), "-12.5000");
	ck_assert_str_eq(money_format(1, b), "0.0001");
	ck_assert_str_eq(money_format(-5, b), "-0.0005");
	ck_assert_str_eq(money_format(-10000, b), "-1.0000");
	ck_assert_str_eq(money_format(MONEY_BALANCE_MAX, b), "1000000000000.0000");
	ck_assert_str_eq(money_format(INT64_MAX, b), "922337203685477.5807");
	ck_assert_str_eq(money_format(INT64_MIN, b), "-922337203685477.5808");
	ck_assert_uint_lt(strlen(b), MONEY_STR_MAX);
}
END_TEST

START_TEST(format_then_parse_round_trips)
{
	/* a spread of values over the whole amount range, both signs */
	uint64_t x = 88172645463325252ULL;
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		money_t v = (money_t)(x % (uint64_t)(2 * MONEY_AMOUNT_MAX + 1)) - MONEY_AMOUNT_MAX;
		if (i % 3 == 0)
			v /= 10000; /* small ones too */
		char b[MONEY_STR_MAX];
		money_t back = 0;
		ck_assert_int_eq(money_parse(money_format(v, b), MONEY_AMOUNT_MAX, &back), MONEY_OK);
		ck_assert_msg(back == v, "%lld -> %s -> %lld", (long long)v, b, (long long)back);
	}
}
END_TEST

START_TEST(every_error_has_a_reason)
{
	for (int e = MONEY_OK; e <= MONEY_ZERO; e++)
		ck_assert_uint_gt(strlen(money_strerror((enum money_err)e)), 5);
}
END_TEST

Suite *money_suite(void)
{
	Suite *s = suite_create("money");
	TCase *tc = tcase_create("parse");
	tcase_add_loop_test(tc, parses_exactly, 0, (int)(sizeof ok_cases / sizeof ok_cases[0]));
	tcase_add_loop_test(tc, refuses, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
	tcase_add_test(tc, limit_is_the_callers);
	tcase_add_test(tc, amount_rule);
	suite_add_tcase(s, tc);
	tc = tcase_create("format");
	tcase_add_test(tc, formats_exactly);
	tcase_add_test(tc, format_then_parse_round_trips);
	tcase_add_test(tc, every_error_has_a_reason);
	suite_add_tcase(s, tc);
	return s;
}
