/* inproc_check.h: the assertions every in-process suite makes on a reply,
 * written once. Include it after declaring `static struct inproc T;` (the
 * macros read the suite's T).
 *
 * A fault must carry the expected code and a non-empty errorstring;
 * FAULT_NOCHANGE also asserts that no table changed (inproc_fingerprint) and
 * that proxy-glue was not nudged. */
#ifndef NGN_TEST_INPROC_CHECK_H
#define NGN_TEST_INPROC_CHECK_H
#include <string.h>
#include <check.h>
#include "inproc.h"
#include "testdb.h"

/* the result part of a reply */
#define R "/SOAP-ENV:Envelope/SOAP-ENV:Body/*[1]/return"
#define XS(expr) inproc_str(&T, expr)
#define XN(expr) inproc_num(&T, expr)
#define Q(sql) testdb_scalar(T.db, sql)

#define OK(call)                                                                                   \
	do {                                                                                       \
		int st_ = (call);                                                                  \
		ck_assert_msg(st_ == 200, "%s: HTTP %d: %s", #call, st_, T.reply);                 \
	} while (0)

#define FAULT(call, code)                                                                          \
	do {                                                                                       \
		int st_ = (call);                                                                  \
		ck_assert_msg(st_ == 500 && inproc_fault_code(&T) == (code),                       \
			      "%s: expected fault %d, got HTTP %d: %s", #call, (code), st_, T.reply); \
		ck_assert_msg(*XS("//detail/exception/errorstring") != '\0', "empty errorstring"); \
	} while (0)

/* A fault that must leave every table exactly as it was. */
#define FAULT_NOCHANGE(call, code)                                                                 \
	do {                                                                                       \
		unsigned long long fp_ = inproc_fingerprint(&T);                                   \
		int ev_ = T.nudges;                                                                \
		FAULT(call, code);                                                                 \
		ck_assert_msg(inproc_fingerprint(&T) == fp_, "%s changed the database", #call);    \
		ck_assert_int_eq(T.nudges, ev_);                                                   \
	} while (0)

/* The errorstring of the last fault mentions s. */
#define FAULT_SAYS(s)                                                                              \
	ck_assert_msg(strstr(XS("//detail/exception/errorstring"), (s)) != NULL,                   \
		      "errorstring \"%s\" does not mention \"%s\"", XS("//detail/exception/errorstring"), (s))

/* a SipId member named tag */
#define SIPID(tag, u, d)                                                                           \
	"<" tag " xsi:type=\"ns4:SipId\"><username xsi:type=\"xsd:string\">" u "</username>"        \
	"<domain xsi:type=\"xsd:string\">" d "</domain></" tag ">"

#endif
