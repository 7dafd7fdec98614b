/* fault_inject.h: make the Nth allocation, statement execution or COMMIT
 * fail, so that tests reach the error paths (SQLite's discipline: error
 * paths get tested, not hoped for).
 *
 * The hooks are compiled in only when NGN_FAULT_INJECTION is defined, which
 * no production object is: the build compiles server/core/db.c and arena.c
 * a second time with it, into the fault-injection test program alone
 * (Makefile.am, tests/integration/check_faults.c). Everywhere else FI_FAIL()
 * is the constant 0 and the hooks vanish.
 *
 * Even when compiled in, the injector is inert until armed. Arming is per
 * thread (one request is served by one thread), one point at a time, and
 * one-shot: the Nth event of that point after fi_arm fails, the events
 * before and after it succeed, as a transient fault would. */
#ifndef NGN_FAULT_INJECT_H
#define NGN_FAULT_INJECT_H

enum fi_point {
	FI_ALLOC,   /* arena_alloc, db.c's column buffers; check_faults.c
		     * adds gSOAP's soap_malloc */
	FI_EXEC,    /* mysql_stmt_execute of a prepared statement (db.c run()) */
	FI_COMMIT,  /* the COMMIT that ends db_txn */
	FI_POINTS
};

#ifdef NGN_FAULT_INJECTION
/* Counts one event of point p; 1 if it is the armed one (it must fail). */
int fi_fail(enum fi_point p);
/* From now on, the nth event (n >= 1) of point p fails; n = 0 disarms. Resets
 * the counters. */
void fi_arm(enum fi_point p, unsigned long n);
void fi_disarm(void);
/* Events of point p counted since fi_arm, and whether the armed one fired.
 * fi_count_at_fire: events of point p counted when the armed one fired
 * (for instance whether a COMMIT had already succeeded). */
unsigned long fi_count(enum fi_point p);
unsigned long fi_count_at_fire(enum fi_point p);
int fi_fired(void);
#define FI_FAIL(p) fi_fail(p)
#else
#define FI_FAIL(p) 0
#endif

#endif
