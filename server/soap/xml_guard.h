/* xml_guard.h: the check every request body passes before gSOAP reads it.
 *
 * gSOAP's parser is lenient (it reads "< sipId>", "</>", a stray '&' or an
 * overlong UTF-8 NUL as something), so it would act on a structure that a
 * firewall or a logging proxy in front of us reads differently. This layer
 * lets through only well-formed XML 1.0 in UTF-8 without a DOCTYPE, with
 * few attributes per element, no mixed content and consistent SOAP-ENC
 * array attributes; gSOAP then reads only documents it reads right. */
#ifndef NGN_XML_GUARD_H
#define NGN_XML_GUARD_H
#include <stddef.h>
#include "core/status.h"

/* Attributes (namespace declarations included) one start tag may carry.
 * libxml2 2.9 and gSOAP both look attributes up in a list, so the cost of
 * one start tag grows with the square of this; SOAP clients send < 16. */
#define XML_GUARD_MAX_ATTRS 32
/* Namespace declarations in scope at once: each prefix is looked up through
 * all of them (libxml2 2.9 and gSOAP alike); clients declare about 10. */
#define XML_GUARD_MAX_NS 64

struct xml_guard_limits {
	unsigned max_array; /* items in one array, and the largest dimension, offset or position */
	unsigned max_depth; /* element nesting */
};

/* Initialises libxml2 once; call from the main thread before any thread
 * calls xml_guard_check (libxml2 2.9's lazy initialisation is not
 * thread-safe). Idempotent. */
void xml_guard_init(void);

/* Checks body (len bytes). NGN_OK when gSOAP may read it; otherwise
 * NGN_E_BAD_REQUEST with a reason in msg (printable ASCII, never the
 * offending bytes). What is refused:
 *  - not well-formed XML 1.0 (libxml2's checks, including UTF-8 validity and
 *    the Char production for raw characters and character references: no
 *    overlong forms, surrogates, U+FFFE/U+FFFF or C0 controls other than
 *    tab, CR and LF), an encoding other than UTF-8, any DOCTYPE;
 *  - more than XML_GUARD_MAX_ATTRS attributes on one element, more than
 *    XML_GUARD_MAX_NS namespace declarations in scope, nesting deeper than
 *    max_depth;
 *  - an element with both child elements and non-whitespace text;
 *  - SOAP-ENC array attributes (arrayType, offset, position; any namespace)
 *    that are not well-formed, name a negative size or more than max_array,
 *    declare more than one dimension, a non-zero offset, a position other
 *    than the item's own, or a size other than the number of items present
 *    ("[]" declares none); more than max_array items in a declared array.
 * Never reads a file or the network. Thread-safe. */
enum ngn_status xml_guard_check(const char *body, size_t len, const struct xml_guard_limits *lim,
				char *msg, size_t msglen);

/* What XML 1.0 says a parser does before and while reading, and gSOAP does
 * not; xml_guard_normalize does it on a body xml_guard_check accepted:
 *  - line ends (section 2.11): CR LF and a lone CR become LF, everywhere in
 *    the document (a character reference &#13; is not a line end and stays);
 *  - character references to code points above U+FFFF, in text and
 *    attribute values (not in comments, CDATA sections or processing
 *    instructions, where they are literal text), become the character's
 *    four UTF-8 bytes (gSOAP decodes them wrongly: "A&#x1F600;B" read as
 *    "A\U0001F600;B", and an int skips them).
 * The caller decides whether to call it (a memchr for CR and its scan for
 * "&#"), so a body without either costs nothing more.
 *
 * Writes the normalised body (len bytes in, at most len out) to out, which
 * has room for len + 1 bytes and may be body itself (every rewrite
 * shrinks), NUL-ended; returns its length. refs 0: the body holds no
 * reference above U+FFFF (only line ends are rewritten, a memchr loop).
 * Only for a body xml_guard_check accepted: it relies on well-formedness
 * (every "&#" outside comments, CDATA and PIs starts a legal reference). */
size_t xml_guard_normalize(const char *body, size_t len, int refs, char *out);

#endif
