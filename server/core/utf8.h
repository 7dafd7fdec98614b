/* utf8.h: counting the characters (code points) of UTF-8 text, for the
 * length limits the contract states in characters, not bytes.
 *
 * Two counts, because the callers hold two kinds of text:
 *  - utf8_chars checks as it counts. It is the last check before a value
 *    from a client is stored (validate.c): the request parser already
 *    refused ill-formed input, and this makes sure of it.
 *  - utf8_count only counts lead bytes, for text whose form is not this
 *    check's business (a prepaid description, a voucher batch name); on
 *    ill-formed input it counts every byte that is not a continuation byte.
 * Pure functions, safe from any thread. */
#ifndef NGN_UTF8_H
#define NGN_UTF8_H
#include <stddef.h>

/* Bits of utf8_chars' *ctl. */
#define UTF8_CTL_ANY 1  /* a C0 control character or DEL occurs */
#define UTF8_CTL_XML 2  /* one that XML 1.0 forbids (all C0 but tab, LF, CR) */

/* Number of code points of the NUL-ended s if it is well-formed UTF-8 (no
 * overlong forms, no surrogates, at most U+10FFFF, not U+FFFE/U+FFFF, which
 * XML 1.0 cannot carry), else -1. ctl (may be NULL) gets the UTF8_CTL_ bits
 * of the control characters met: a value holding a UTF8_CTL_XML one could
 * never be sent back in a well-formed reply. */
long utf8_chars(const char *s, int *ctl);

/* Number of bytes of s that are not UTF-8 continuation bytes (10xxxxxx):
 * the code points of well-formed text, without checking it. */
size_t utf8_count(const char *s);

#endif
