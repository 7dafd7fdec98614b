/* embed.h: files compiled into the binary by build-aux/embed.sh (the WSDL and
 * the schema migrations), so that a running server never depends on where it
 * was installed. Each table ends with an entry whose name is NULL. */
#ifndef NGN_EMBED_H
#define NGN_EMBED_H
#include <stddef.h>

struct embedded_file {
	const char *name;
	const char *data;
	size_t len;
};

extern const struct embedded_file embedded_wsdl[];
extern const struct embedded_file embedded_schema[];

#endif
