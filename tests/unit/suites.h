/* suites.h: one Check suite per module; check_main.c runs them all. */
#ifndef NGN_TEST_SUITES_H
#define NGN_TEST_SUITES_H
#include <check.h>

Suite *cfg_suite(void);
Suite *clock_suite(void);
Suite *digest_suite(void);
Suite *fault_suite(void);
Suite *hash_suite(void);
Suite *money_suite(void);
Suite *optable_suite(void);
Suite *query_suite(void);
Suite *utf8_suite(void);
Suite *validate_suite(void);

#endif
