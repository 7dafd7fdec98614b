/* glue.h: proxy-glue's public API (the module lives in proxy-glue/). */
#ifndef NGN_GLUE_H
#define NGN_GLUE_H
#include <stddef.h>

struct cfg;
struct glue;

/* Starts the glue thread; NULL when no proxy is configured or on error. */
struct glue *glue_start(const struct cfg *cfg);
/* Thread-safe and cheap: read the outbox now. */
void glue_nudge(struct glue *g);
/* Writes a JSON object describing each proxy's state into buf. */
size_t glue_status_json(struct glue *g, char *buf, size_t len);
/* Stops and joins the thread, frees everything. */
void glue_stop(struct glue *g);

#endif
