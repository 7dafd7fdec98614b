/* err.c: see err.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "err.h"

enum ngn_status err_set(struct ngn_err *e, enum ngn_status st, const char *fmt, ...)
{
	if (e != NULL) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
	}
	return st;
}

const char *err_value(const char *s, char buf[ERR_VALUE_BUF])
{
	if (s == NULL)
		return "(null)";
	size_t n = strlen(s);
	if (n <= ERR_VALUE_MAX)
		return s;
	n = ERR_VALUE_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--; /* do not split a UTF-8 sequence */
	memcpy(buf, s, n);
	memcpy(buf + n, "...", 4);
	return buf;
}
