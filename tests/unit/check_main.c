/* check_main.c: runs every unit suite (no database, no network). */
#include <stdlib.h>
#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(cfg_suite());
	srunner_add_suite(sr, clock_suite());
	srunner_add_suite(sr, digest_suite());
	srunner_add_suite(sr, fault_suite());
	srunner_add_suite(sr, hash_suite());
	srunner_add_suite(sr, money_suite());
	srunner_add_suite(sr, optable_suite());
	srunner_add_suite(sr, query_suite());
	srunner_add_suite(sr, utf8_suite());
	srunner_add_suite(sr, validate_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
