/* workload.h: what each benchmark operation works on, shared by the SOAP
 * load generator (loadgen.c) and the raw-SQL baseline (rawdb.c) so that both
 * touch the same rows in the same pattern.
 *
 * The data set (load-data.sh) has accounts 0..accounts-1: account i is
 * u<i>@d<i / ACCOUNTS_PER_DOMAIN>.bench, prepaid, with one property and
 * two groups. Accounts created by addAccount get ids from new_base up
 * (new_base >= NEW_ID_FLOOR) and live in the domains n<id % 16>.bench. */
#ifndef BENCH_WORKLOAD_H
#define BENCH_WORKLOAD_H
#include <stdint.h>

#define ACCOUNTS_PER_DOMAIN 1000
/* addAccount creates ids from here up, in NEW_DOMAINS domains n0..n15.bench
 * (created by the loader), so the loaded domains keep their size */
#define NEW_ID_FLOOR 100000000ull
#define NEW_DOMAINS 16

enum wl_kind {
	WL_GET_ACCOUNT,   /* random existing account */
	WL_ADD_ACCOUNT,   /* new account, ids new_base, new_base+1, ... */
	WL_UPDATE_ACCOUNT, /* random existing account, scalar fields only */
	WL_FLIP,          /* addToGroup/removeFromGroup, alternating per account */
	WL_BALANCE,       /* addBalance on a random account */
	WL_BALANCE_HOT,   /* addBalance, always on account 0 */
	WL_GET_ACCOUNTS,  /* filter by a random domain, range 0..49 */
	WL_ADD_ACCOUNT_1D, /* addAccount, all into one domain (n0.bench): bulk provisioning */
	WL_POINT_SELECT,  /* raw only: one SELECT by (username, domain), autocommit */
	/* raw only, what-if: the same results with fewer round trips (RESULTS.md) */
	WL_GET_ACCOUNT_J,    /* getAccount as one SELECT (JSON_ARRAYAGG subqueries) + COMMIT */
	WL_GET_ACCOUNT_JRO,  /* the same in autocommit mode (no COMMIT) */
	WL_GET_ACCOUNT_C,    /* getAccount with a COMMIT per call (as ngnprod did before db_read) */
	WL_GET_ACCOUNTS_J,   /* getAccounts as COUNT + one page SELECT with subqueries + COMMIT */
	WL_GET_ACCOUNT_U,    /* getAccount as one SELECT ... UNION ALL (account, groups, properties, ACL) + COMMIT */
	WL_GET_ACCOUNT_URO,  /* the same in autocommit mode (no COMMIT) */
	WL_COUNT
};

struct wl_cfg {
	enum wl_kind kind;
	uint64_t accounts;   /* size of the loaded data set */
	uint64_t new_base;   /* first id for addAccount */
	unsigned conns;      /* connections: flips partition the accounts by connection */
	const char *group;   /* group used by the flips (one per run, so all start absent) */
};

/* One operation's parameters. */
struct wl_op {
	enum wl_kind kind;
	uint64_t id;         /* account number */
	int add;             /* flips: 1 addToGroup, 0 removeFromGroup */
	uint64_t seq;        /* global sequence number (values that change per call) */
	char user[24];
	char domain[32];
};

/* Per-connection state (flip sweeps, random stream). */
struct wl_conn {
	unsigned index;
	uint64_t rng;
	uint64_t flip_pos;    /* position in this connection's partition */
	uint64_t flip_sweep;  /* sweep number: even adds, odd removes */
};

const char *wl_name(enum wl_kind k);
int wl_parse(const char *name, enum wl_kind *k);
void wl_conn_init(struct wl_conn *c, unsigned index, uint64_t seed);
/* Next operation of connection c. seq must be unique across the run for
 * addAccount (the callers use one atomic counter). */
void wl_next(const struct wl_cfg *cfg, struct wl_conn *c, uint64_t seq, struct wl_op *op);

#endif
