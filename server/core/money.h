/* money.h: exact amounts of money as integers of 1/10000 of a unit.
 *
 * Amounts travel on the wire as xsd:decimal text and are stored as BIGINT
 * minor units; no floating point is ever involved. money_parse reads a
 * client's text exactly or refuses it (it never rounds), money_format writes
 * the canonical text back. Both are pure functions, safe from any thread.
 *
 * Accepted text (money_parse):
 *   [ws] [+|-] digits [. [digits]] [(e|E) [+|-] digits] [ws]
 *   [ws] [+|-] . digits [(e|E) [+|-] digits] [ws]
 * i.e. the xsd:decimal lexical space (which includes "5." and ".5"), plus an
 * optional exponent, because clients type amounts by their runtime type and
 * PHP/Perl print some floats as "1.0E+25" or "1e-05". The exponent form is
 * evaluated exactly, never through a double. Leading zeros and trailing
 * fraction zeros are fine ("0010.50000" is 10.5); a non-zero digit beyond the
 * 4th fraction digit is refused (MONEY_PRECISION), as are NaN and infinities
 * (MONEY_NOT_FINITE), anything above the caller's limit (MONEY_RANGE), the
 * empty string (MONEY_EMPTY) and every other form (MONEY_SYNTAX: hex, commas,
 * inner spaces, currency signs, ...). ws is XML white space (xsd:decimal
 * collapses it). */
#ifndef NGN_MONEY_H
#define NGN_MONEY_H
#include <stdint.h>

typedef int64_t money_t;

#define MONEY_SCALE 10000           /* minor units per unit */
#define MONEY_FRAC_DIGITS 4

/* Largest absolute amount of one balance change: 1,000,000,000 units. */
#define MONEY_AMOUNT_MAX ((money_t)1000000000 * MONEY_SCALE)
/* Largest balance: 1,000,000,000,000 units (10^16 minor units, far below
 * INT64_MAX, so balance + amount never overflows). */
#define MONEY_BALANCE_MAX ((money_t)1000000000000 * MONEY_SCALE)

/* Enough for "-9223372036854775808" with a decimal point and the NUL. */
#define MONEY_STR_MAX 24

enum money_err {
	MONEY_OK = 0,
	MONEY_EMPTY,       /* nothing but white space */
	MONEY_SYNTAX,      /* not a decimal number */
	MONEY_NOT_FINITE,  /* NaN, INF, Infinity (any case, any sign) */
	MONEY_PRECISION,   /* more than 4 significant fraction digits */
	MONEY_RANGE,       /* |value| above the limit */
	MONEY_ZERO         /* zero where a change is required (money_amount_check) */
};

/* Parses s (NUL-ended; NULL counts as empty) into *out, refusing any value
 * whose absolute amount exceeds limit (minor units, limit >= 0). *out is
 * written only on MONEY_OK. */
enum money_err money_parse(const char *s, money_t limit, money_t *out);

/* The one rule for the amount of a single balance change (addBalance, a
 * card's value; invariant M2 of store_prepaid.c): non-zero (MONEY_ZERO) and
 * |v| <= MONEY_AMOUNT_MAX (MONEY_RANGE). The SOAP edge, the admin tool and
 * the store all ask this function, so they cannot disagree. */
enum money_err money_amount_check(money_t v);

/* money_parse with limit MONEY_AMOUNT_MAX, then money_amount_check: the
 * text of one balance change. *out is written only on MONEY_OK. */
enum money_err money_parse_amount(const char *s, money_t *out);

/* A short English reason for err, for fault messages. Never NULL. */
const char *money_strerror(enum money_err err);

/* Writes v as exact decimal text with 4 fraction digits ("12.5000",
 * "-0.0005", "0.0000") into buf and returns buf. Every money_t, including
 * INT64_MIN, is formatted correctly. */
char *money_format(money_t v, char buf[MONEY_STR_MAX]);

#endif
