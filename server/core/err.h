/* err.h: the readable message that travels with a failed status.
 *
 * Validation and the store say precisely what was wrong ("Invalid username
 * \"Al ice\"", "SIP domain example.org does not exist"); the handler puts the
 * text into the fault's errorstring unchanged (gSOAP escapes it for XML).
 * Values quoted into a message are cut to ERR_VALUE_MAX bytes. */
#ifndef NGN_ERR_H
#define NGN_ERR_H
#include "status.h"

#define ERR_MSG_MAX 320
#define ERR_VALUE_MAX 80

struct ngn_err {
	char msg[ERR_MSG_MAX];
};

/* Formats the message into e (if e is not NULL) and returns st, so that
 * "return err_set(e, NGN_E_..., ...)" reads as one statement. */
enum ngn_status err_set(struct ngn_err *e, enum ngn_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* s cut to ERR_VALUE_MAX bytes (on a UTF-8 boundary) with "..." appended
 * when cut; the result lives in buf (at least ERR_VALUE_MAX + 4 bytes). */
#define ERR_VALUE_BUF (ERR_VALUE_MAX + 4)
const char *err_value(const char *s, char buf[ERR_VALUE_BUF]);

#endif
