/* money.c: exact decimal text <-> integer minor units (see money.h).
 *
 * The parser never builds a number it might overflow: it first reduces the
 * text to its significant digits d1..dn (from the first non-zero digit to the
 * last non-zero one) and a decimal exponent `point`, so that
 *     value = 0.d1 d2 ... dn * 10^point.
 * In minor units that is d1..dn * 10^(point - n + 4). The value has more
 * than 4 fraction digits exactly when point - n + 4 < 0, and at least
 * 10^15 units when point > 15; only after both checks (at most 19 digits
 * left, < 2^64) are the digits multiplied out. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "money.h"

#define SIG_MAX 19        /* significant digits that can reach the result */
#define EXP_SATURATE 1000000L

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int word_ci(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(end - p) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return 0;
	}
	return 1;
}

enum money_err money_parse(const char *s, money_t limit, money_t *out)
{
	if (s == NULL)
		return MONEY_EMPTY;
	const char *p = s, *end = s + strlen(s);
	while (p < end && is_ws(*p))
		p++;
	while (end > p && is_ws(end[-1]))
		end--;
	if (p == end)
		return MONEY_EMPTY;
	int neg = 0;
	if (*p == '+' || *p == '-') {
		neg = *p == '-';
		p++;
	}
	if (word_ci(p, end, "nan") || word_ci(p, end, "inf") || word_ci(p, end, "infinity"))
		return MONEY_NOT_FINITE;

	char sig[SIG_MAX];
	size_t nsig = 0;      /* significant digits seen (from the first non-zero) */
	size_t last_nz = 0;   /* 1-based index of the last non-zero one, 0: none */
	long long point = 0;
	size_t ndigits = 0;   /* all mantissa digits, zeros included */
	int frac = 0;
	for (; p < end; p++) {
		char c = *p;
		if (c == '.' && !frac) {
			frac = 1;
			continue;
		}
		if (!is_digit(c))
			break;
		ndigits++;
		if (nsig == 0 && c == '0') {
			if (frac)
				point--;  /* 0.00d: shifts the first significant digit */
			continue;
		}
		if (!frac)
			point++;
		if (nsig < SIG_MAX)
			sig[nsig] = c;
		nsig++;
		if (c != '0')
			last_nz = nsig;
	}
	if (ndigits == 0)
		return MONEY_SYNTAX;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		int eneg = 0;
		if (p < end && (*p == '+' || *p == '-')) {
			eneg = *p == '-';
			p++;
		}
		if (p == end || !is_digit(*p))
			return MONEY_SYNTAX;
		long e = 0;
		for (; p < end && is_digit(*p); p++)
			if (e < EXP_SATURATE)
				e = e * 10 + (*p - '0');
		point += eneg ? -e : e;
	}
	if (p != end)
		return MONEY_SYNTAX;
	if (last_nz == 0) {
		*out = 0;         /* any zero, "-0.000e7" included */
		return MONEY_OK;
	}
	if (point > 15)
		return MONEY_RANGE;
	long long shift = point - (long long)last_nz + MONEY_FRAC_DIGITS;
	if (shift < 0)
		return MONEY_PRECISION;
	/* here last_nz + shift == point + 4 <= 19 digits: fits in uint64_t */
	uint64_t u = 0;
	for (size_t i = 0; i < last_nz; i++)
		u = u * 10 + (uint64_t)(sig[i] - '0');
	for (long long i = 0; i < shift; i++)
		u *= 10;
	if (limit < 0 || u > (uint64_t)limit)
		return MONEY_RANGE;
	*out = neg ? -(money_t)u : (money_t)u;
	return MONEY_OK;
}

enum money_err money_amount_check(money_t v)
{
	if (v == 0)
		return MONEY_ZERO;
	if (v > MONEY_AMOUNT_MAX || v < -MONEY_AMOUNT_MAX)
		return MONEY_RANGE;
	return MONEY_OK;
}

enum money_err money_parse_amount(const char *s, money_t *out)
{
	money_t v = 0;
	enum money_err e = money_parse(s, MONEY_AMOUNT_MAX, &v);
	if (e == MONEY_OK)
		e = money_amount_check(v);
	if (e == MONEY_OK)
		*out = v;
	return e;
}

const char *money_strerror(enum money_err err)
{
	switch (err) {
	case MONEY_OK: return "valid amount";
	case MONEY_EMPTY: return "the amount is empty";
	case MONEY_SYNTAX: return "the amount is not a decimal number";
	case MONEY_NOT_FINITE: return "the amount is not a finite number";
	case MONEY_PRECISION: return "the amount has more than 4 fraction digits";
	case MONEY_RANGE: return "the amount is too large";
	case MONEY_ZERO: return "the amount must not be zero";
	}
	return "invalid amount";
}

char *money_format(money_t v, char buf[MONEY_STR_MAX])
{
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	snprintf(buf, MONEY_STR_MAX, "%s%" PRIu64 ".%04" PRIu64, v < 0 ? "-" : "",
		 u / MONEY_SCALE, u % MONEY_SCALE);
	return buf;
}
