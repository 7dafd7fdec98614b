/* validate.h: syntax checks and normalisation of everything a client sends,
 * run before the first write so that a fault changes nothing.
 *
 * Each function returns NGN_OK or the NGN_E_INVALID_* status of its kind,
 * with a readable message naming the bad value in e. Functions taking a
 * char * normalise the value in place (lower case) when it is valid. Limits
 * are the column sizes of the schema (STORE_*_MAX in store.h). */
#ifndef NGN_VALIDATE_H
#define NGN_VALIDATE_H
#include <stddef.h>
#include <stdint.h>
#include "core/err.h"
#include "store.h"

/* SIP user part (RFC 3261 "user": alphanumerics, -_.!~*'()&=+$,;?/ and
 * %HH escapes), 1..STORE_USERNAME_MAX bytes; lower-cased. */
enum ngn_status valid_username(char *s, struct ngn_err *e);
/* Host name: dot-separated labels of [a-z0-9-] (no leading or trailing
 * hyphen, 1..63 each), 1..STORE_DOMAIN_MAX bytes; lower-cased. */
enum ngn_status valid_domain(char *s, struct ngn_err *e);
/* Group name: [a-z0-9._-]{1,64}, case-insensitive; lower-cased. */
enum ngn_status valid_group(char *s, struct ngn_err *e);
/* E-mail address local@host (dot-atom local part, host name), at most
 * STORE_EMAIL_MAX bytes; lower-cased. "" is accepted: no address. */
enum ngn_status valid_email(char *s, struct ngn_err *e);
/* A password as sent: the "digest1:digest2" form, or a clear text of
 * 1..STORE_PASSWORD_MAX characters without control characters. */
enum ngn_status valid_password(const char *s, struct password *pw, struct ngn_err *e);
/* One ACL entry: IPv4 dotted quad, mask 0..32, tag up to STORE_ACL_TAG_MAX
 * characters (NULL = none). */
enum ngn_status valid_acl(const char *ip, int64_t mask, const char *tag, struct ngn_err *e);
/* One property: name [A-Za-z0-9_.:-]{1,64}; value valid UTF-8 of at most
 * STORE_PROPERTY_VALUE_MAX bytes, only characters XML 1.0 allows. */
enum ngn_status valid_property(const char *name, const char *value, struct ngn_err *e);
/* Free text of a member (names, rpid, ...): valid UTF-8, no control
 * characters, at most max characters. NGN_E_INVALID_VALUE names field. */
enum ngn_status valid_text(const char *field, const char *s, size_t max, struct ngn_err *e);
/* Opaque text (certificates, keys): valid UTF-8 of at most max bytes,
 * only characters XML 1.0 allows (tab, LF, CR but no other control). */
enum ngn_status valid_blob(const char *field, const char *s, size_t max, struct ngn_err *e);
/* A count or id member: 0 .. UINT32_MAX (the columns are INT UNSIGNED). */
enum ngn_status valid_uint(const char *field, int64_t v, struct ngn_err *e);

/* Lower-cases ASCII letters of s in place (listing filters on columns that
 * are stored lower-cased). */
void valid_fold(char *s);

#endif
