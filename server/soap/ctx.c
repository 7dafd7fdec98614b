/* ctx.c: where a handler finds its request context (see ctx.h). */
#include "stdsoap2.h"
#include "ctx.h"

struct req_ctx *req_ctx(struct soap *soap)
{
	return (struct req_ctx *)soap->user;
}
