/* glue.h: proxy-glue, the pusher of group policy into Kamailio proxies.
 *
 * The glue runs one thread with its own event_base. It tails the outbox
 * (proxy_event rows, written in the same transaction as each membership
 * change), reads each changed account's absolute policy mask from `grp`
 * (1 blocked, 2 anonymous, 4 free-pstn, 8 quota) and pushes it to every
 * configured proxy over JSON-RPC (`htable.seti acct "user@domain" mask`, or
 * `htable.delete` for 0), in outbox order, over one keep-alive HTTP
 * connection per proxy. A proxy's cursor (proxy_cursor row) moves only after
 * that proxy acknowledged. A proxy that restarted or was unreachable is
 * rebuilt whole from `grp` before the outbox is resumed, and gets its
 * `meta=>epoch` marker last (see glue.c for the invariants).
 *
 * The struct is opaque; every function is safe to call from any thread
 * except where noted. */
#ifndef NGN_GLUE_H
#define NGN_GLUE_H
#include <stddef.h>

struct cfg;
struct glue;

/* Starts the glue thread for cfg->proxies (cfg->proxy_names, glue_id,
 * glue_poll_ms, glue_timeout_ms, glue_cursor_expire, glue_write_through_ms
 * and the db-* keys apply). cfg is copied: the caller may free it afterwards.
 * Returns NULL (and logs why) when no proxy is configured, a proxy URL is
 * invalid, two proxies have one name, or a resource cannot be had. The
 * database need not be up: the glue connects and reconnects by itself. */
struct glue *glue_start(const struct cfg *cfg);

/* Wakes the glue to read the outbox now. Cheap and thread-safe: call it after
 * committing a transaction that wrote proxy_event rows. Returns a ticket for
 * glue_wait (0 for a NULL glue, which is ignored). */
unsigned long long glue_nudge(struct glue *g);

/* Write-through: blocks until every proxy that is in sync has acknowledged
 * everything the outbox held when glue_nudge returned ticket (see glue.c,
 * "Write-through"), or ms passed. Proxies that are down or resyncing do not
 * count. Returns 0 when acknowledged, 1 when the bound passed first (logged,
 * rate-limited, and counted in the status), -1 for a NULL glue or ticket 0.
 * Safe from any thread but the glue's own. */
int glue_wait(struct glue *g, unsigned long long ticket, unsigned ms);

/* Writes the glue's status as one JSON object into buf (always NUL-ended when
 * len > 0): glue id, write-through and cursor-expiry figures and, per
 * proxy, its name, state ("in-sync", "resyncing",
 * "down"), cursor, outbox lag (events and ms), last push latency, counts of
 * pushes, errors and resyncs. Returns the length the full text needs, not
 * counting the NUL (as snprintf): a result >= len means it was cut. */
size_t glue_status_json(struct glue *g, char *buf, size_t len);

/* Stops the thread, waits for it, and frees everything. Pushes in flight are
 * abandoned; nothing is lost, since cursors only move after acknowledgement.
 * NULL is ignored. Must not be called from the glue's own thread. */
void glue_stop(struct glue *g);

#endif
