/* digest.c: see digest.h. No MD5 of our own: OpenSSL's EVP does the hashing
 * (the "default" provider serves MD5 on Debian's OpenSSL 3). */
#include <openssl/evp.h>
#include <string.h>
#include "digest.h"

static int md5_hex(const char *const parts[], size_t nparts, char out[DIGEST_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c != NULL && EVP_DigestInit_ex(c, EVP_md5(), NULL) == 1;
	for (size_t i = 0; ok && i < nparts; i++)
		ok = EVP_DigestUpdate(c, parts[i], strlen(parts[i])) == 1;
	ok = ok && EVP_DigestFinal_ex(c, md, &mdlen) == 1 && mdlen == DIGEST_HEX / 2;
	EVP_MD_CTX_free(c);
	if (!ok)
		return -1;
	for (unsigned i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[DIGEST_HEX] = '\0';
	return 0;
}

enum ngn_status digest_compute(const char *user, const char *domain, const char *password,
			       char ha1[DIGEST_HEX + 1], char ha1b[DIGEST_HEX + 1])
{
	const char *a[] = { user, ":", domain, ":", password };
	const char *b[] = { user, "@", domain, ":", domain, ":", password };
	if (md5_hex(a, sizeof a / sizeof a[0], ha1) || md5_hex(b, sizeof b / sizeof b[0], ha1b))
		return NGN_E_INTERNAL;
	return NGN_OK;
}

static int hex_run(const char *s, char out[DIGEST_HEX + 1])
{
	for (int i = 0; i < DIGEST_HEX; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
		out[i] = c;
	}
	out[DIGEST_HEX] = '\0';
	return 1;
}

int digest_parse_pair(const char *s, char ha1[DIGEST_HEX + 1], char ha1b[DIGEST_HEX + 1])
{
	if (s == NULL || strlen(s) != 2 * DIGEST_HEX + 1 || s[DIGEST_HEX] != ':')
		return 0;
	return hex_run(s, ha1) && hex_run(s + DIGEST_HEX + 1, ha1b);
}
