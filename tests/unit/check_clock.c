/* check_clock.c: the monotonic clock (server/core/clock.c). No sleeps: only
 * what holds however loaded the machine is. */
#include <stdint.h>
#include "suites.h"
#include "core/clock.h"

START_TEST(never_goes_back)
{
	int64_t ms = clock_mono_ms();
	double sec = clock_mono_sec();
	for (int i = 0; i < 10000; i++) {
		int64_t ms2 = clock_mono_ms();
		double sec2 = clock_mono_sec();
		ck_assert_int_ge(ms2, ms);
		ck_assert(sec2 >= sec);
		ms = ms2;
		sec = sec2;
	}
}
END_TEST

/* one clock in two units: a reading in seconds taken between two readings
 * in milliseconds lies between them (ms truncates, so allow its last ms) */
START_TEST(units_agree)
{
	int64_t before = clock_mono_ms();
	double sec = clock_mono_sec();
	int64_t after = clock_mono_ms();
	ck_assert(sec * 1000.0 >= (double)before);
	ck_assert(sec * 1000.0 < (double)after + 1.0);
	ck_assert_int_gt(before, 0);
}
END_TEST

Suite *clock_suite(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("monotonic");
	tcase_add_test(tc, never_goes_back);
	tcase_add_test(tc, units_agree);
	suite_add_tcase(s, tc);
	return s;
}
