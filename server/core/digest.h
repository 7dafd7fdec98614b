/* digest.h: the SIP password digests Kamailio's auth_db checks.
 *
 * ha1  = MD5("user:domain:password")
 * ha1b = MD5("user@domain:domain:password")
 * both as 32 lower-case hex digits (Kamailio hashes the hex text itself into
 * the digest response, so the case matters). MD5 comes from OpenSSL's EVP
 * interface. */
#ifndef NGN_DIGEST_H
#define NGN_DIGEST_H
#include "status.h"

#define DIGEST_HEX 32

/* Computes both digests for a clear password. NGN_OK, or NGN_E_INTERNAL when
 * libcrypto cannot provide MD5 (e.g. a FIPS-only configuration). */
enum ngn_status digest_compute(const char *user, const char *domain, const char *password,
			       char ha1[DIGEST_HEX + 1], char ha1b[DIGEST_HEX + 1]);

/* Recognises the "digest1:digest2" form clients may send instead of a clear
 * password: exactly two runs of 32 hex digits around one colon. Returns 1
 * and the two digests lower-cased, or 0 (s is then a clear password). */
int digest_parse_pair(const char *s, char ha1[DIGEST_HEX + 1], char ha1b[DIGEST_HEX + 1]);

#endif
