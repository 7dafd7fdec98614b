/* check_hash.c: FNV-1a (server/core/hash.c). The pinned values were
 * computed outside the program with the offset and prime that db.c, auth.c
 * and proxy-glue used before they shared this file: a change of either
 * would move every table's placement, which hash.h promises not to do. */
#include <stdint.h>
#include <string.h>
#include "suites.h"
#include "core/hash.h"

START_TEST(pinned_values)
{
	ck_assert_uint_eq(hash_str(""), HASH_FNV_INIT);
	ck_assert_uint_eq(HASH_FNV_INIT, 1469598103934665603ULL);
	ck_assert_uint_eq(hash_str("a"), 0x44bd8ad473cd9906ULL);
	ck_assert_uint_eq(hash_str("alice@example.com"), 0x0eb37c145f84e3a8ULL);
	ck_assert_uint_eq(hash_str("SELECT 1"), 0xeedbc4bb8a7aa3e8ULL);
}
END_TEST

/* a key of two parts hashes as the two parts written one after the other
 * (auth.c: user name, then 8 bytes of the password's MAC) */
START_TEST(continues)
{
	const char *whole = "alice@example.com";
	uint64_t h = hash_fnv_str(HASH_FNV_INIT, "alice@");
	ck_assert_uint_eq(hash_fnv_bytes(h, "example.com", 11), hash_str(whole));
	ck_assert_uint_eq(hash_fnv_bytes(HASH_FNV_INIT, whole, strlen(whole)), hash_str(whole));
	ck_assert_uint_eq(hash_fnv_bytes(h, "", 0), h);
}
END_TEST

/* bytes after a NUL count in hash_fnv_bytes (binary MACs), not in _str */
START_TEST(bytes_are_bytes)
{
	const unsigned char mac[3] = { 'a', 0, 'b' };
	ck_assert_uint_ne(hash_fnv_bytes(HASH_FNV_INIT, mac, 3), hash_str("a"));
	ck_assert_uint_ne(hash_fnv_bytes(HASH_FNV_INIT, mac, 3), hash_fnv_bytes(HASH_FNV_INIT, mac, 2));
	ck_assert_uint_ne(hash_str("ab"), hash_str("ba"));
}
END_TEST

Suite *hash_suite(void)
{
	Suite *s = suite_create("hash");
	TCase *tc = tcase_create("fnv1a");
	tcase_add_test(tc, pinned_values);
	tcase_add_test(tc, continues);
	tcase_add_test(tc, bytes_are_bytes);
	suite_add_tcase(s, tc);
	return s;
}
