/* hash.h: FNV-1a over bytes, for the in-memory hash tables (prepared
 * statement slots in db.c, the login cache in auth.c, proxy-glue's key sets).
 *
 * Not for anything an attacker can aim at for collisions across a trust
 * boundary, and never stored or sent: the values only place entries in
 * tables that live as long as the process. hash_fnv_bytes continues a hash,
 * so a key of several parts is hashed as if they were one string:
 *   hash_fnv_bytes(hash_fnv_str(HASH_FNV_INIT, a), b, n)
 *   == hash_fnv_bytes(HASH_FNV_INIT, a followed by b, strlen(a) + n).
 * HASH_FNV_INIT is the offset every copy before this file used
 * (1469598103934665603, one digit short of FNV's published 64-bit offset
 * basis); it is kept so that no table's placement changes. Any non-zero
 * start serves these tables equally well. Pure functions. */
#ifndef NGN_HASH_H
#define NGN_HASH_H
#include <stddef.h>
#include <stdint.h>

#define HASH_FNV_INIT 1469598103934665603ULL

/* h continued over the n bytes at p. */
uint64_t hash_fnv_bytes(uint64_t h, const void *p, size_t n);
/* h continued over the bytes of s up to its NUL. */
uint64_t hash_fnv_str(uint64_t h, const char *s);
/* hash_fnv_str(HASH_FNV_INIT, s): the hash of one string key. */
uint64_t hash_str(const char *s);

#endif
