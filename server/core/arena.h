/* arena.h: request-lifetime memory for store results.
 *
 * The store returns lists of accounts, domains and aliases whose strings
 * point into an arena; the caller copies what it needs (into the gSOAP arena)
 * and frees everything with one arena_free. This keeps every error path of
 * the store free of per-object cleanup, and a transaction that db_txn re-runs
 * simply allocates again (the first attempt's memory goes at arena_free).
 * An arena is used by one thread at a time. */
#ifndef NGN_ARENA_H
#define NGN_ARENA_H
#include <stddef.h>

struct arena_blk;

struct arena {
	struct arena_blk *head;
};

#define ARENA_INIT { NULL }

/* Zeroed memory aligned for any type, valid until arena_free; NULL on out
 * of memory. */
void *arena_alloc(struct arena *a, size_t n);
/* NUL-ended copy of n bytes of s (s may contain no NUL); NULL on out of memory. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* Frees every allocation; the arena can be used again. */
void arena_free(struct arena *a);

#endif
