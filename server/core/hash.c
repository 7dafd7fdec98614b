/* hash.c: see hash.h. One copy of the FNV-1a loop that db.c, auth.c,
 * glue_outbox.c and glue_proxy.c each used to carry. */
#include "hash.h"

#define FNV_PRIME 1099511628211ULL

uint64_t hash_fnv_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * FNV_PRIME;
	return h;
}

uint64_t hash_fnv_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * FNV_PRIME;
	return h;
}

uint64_t hash_str(const char *s)
{
	return hash_fnv_str(HASH_FNV_INIT, s);
}
