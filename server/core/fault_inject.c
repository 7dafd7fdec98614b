/* fault_inject.c: see fault_inject.h. The state is per thread, so a test
 * that arms it sees only the events of the request it serves itself. */
#include "fault_inject.h"

#ifdef NGN_FAULT_INJECTION
static _Thread_local struct {
	enum fi_point point;
	unsigned long nth;       /* 0: disarmed */
	unsigned long count[FI_POINTS];
	unsigned long at_fire[FI_POINTS];
	int fired;
} fi;

int fi_fail(enum fi_point p)
{
	if ((unsigned)p >= FI_POINTS)
		return 0;
	fi.count[p]++;
	if (fi.nth == 0 || p != fi.point || fi.count[p] != fi.nth)
		return 0;
	fi.fired = 1;
	for (int i = 0; i < FI_POINTS; i++)
		fi.at_fire[i] = fi.count[i];
	return 1;
}

void fi_arm(enum fi_point p, unsigned long n)
{
	fi.point = p;
	fi.nth = n;
	fi.fired = 0;
	for (int i = 0; i < FI_POINTS; i++)
		fi.count[i] = fi.at_fire[i] = 0;
}

void fi_disarm(void)
{
	fi.nth = 0;
}

unsigned long fi_count(enum fi_point p)
{
	return (unsigned)p < FI_POINTS ? fi.count[p] : 0;
}

unsigned long fi_count_at_fire(enum fi_point p)
{
	return (unsigned)p < FI_POINTS ? fi.at_fire[p] : 0;
}

int fi_fired(void)
{
	return fi.fired;
}
#endif
