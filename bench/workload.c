/* workload.c: see workload.h. */
#include <stdio.h>
#include <string.h>
#include "workload.h"

static const char *const names[WL_COUNT] = {
	"getAccount", "addAccount", "updateAccount", "flip", "addBalance", "addBalanceHot", "getAccounts", "addAccount1D",
	"pointSelect", "getAccountJ", "getAccountJro", "getAccountC", "getAccountsJ",
	"getAccountU", "getAccountUro",
};

const char *wl_name(enum wl_kind k)
{
	return (unsigned)k < WL_COUNT ? names[k] : "?";
}

int wl_parse(const char *name, enum wl_kind *k)
{
	for (unsigned i = 0; i < WL_COUNT; i++)
		if (!strcmp(name, names[i])) {
			*k = (enum wl_kind)i;
			return 0;
		}
	return -1;
}

static uint64_t next_rand(uint64_t *s)
{
	/* splitmix64 */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void wl_conn_init(struct wl_conn *c, unsigned index, uint64_t seed)
{
	memset(c, 0, sizeof *c);
	c->index = index;
	c->rng = seed * 0x100000001b3ull + index * 0x9e3779b97f4a7c15ull + 1;
}

/* The user and domain of account id, as load-data.sh names them. */
static void wl_account_name(uint64_t id, char *user, unsigned ulen, char *domain, unsigned dlen)
{
	snprintf(user, ulen, "u%llu", (unsigned long long)id);
	if (id >= NEW_ID_FLOOR)
		snprintf(domain, dlen, "n%llu.bench", (unsigned long long)(id % NEW_DOMAINS));
	else
		snprintf(domain, dlen, "d%llu.bench", (unsigned long long)(id / ACCOUNTS_PER_DOMAIN));
}

void wl_next(const struct wl_cfg *cfg, struct wl_conn *c, uint64_t seq, struct wl_op *op)
{
	uint64_t n = cfg->accounts ? cfg->accounts : 1;
	op->kind = cfg->kind;
	op->seq = seq;
	op->add = 0;
	switch (cfg->kind) {
	case WL_ADD_ACCOUNT:
	case WL_ADD_ACCOUNT_1D:
		op->id = cfg->new_base + seq;
		break;
	case WL_FLIP: {
		/* connection k owns accounts k, k+conns, k+2*conns, ...: no two
		 * requests on one account are ever in flight, so the alternation
		 * add, remove, add... is exact without asking the server */
		uint64_t conns = cfg->conns ? cfg->conns : 1;
		uint64_t part = (n - c->index + conns - 1) / conns;
		if (part == 0)
			part = 1;
		op->id = c->index + conns * c->flip_pos;
		op->add = (c->flip_sweep % 2) == 0;
		if (++c->flip_pos >= part) {
			c->flip_pos = 0;
			c->flip_sweep++;
		}
		break;
	}
	case WL_BALANCE_HOT:
		op->id = 0;
		break;
	case WL_GET_ACCOUNTS:
	case WL_GET_ACCOUNTS_J:
		/* the domain of a random account */
		op->id = next_rand(&c->rng) % n;
		break;
	default:
		op->id = next_rand(&c->rng) % n;
	}
	wl_account_name(op->id, op->user, sizeof op->user, op->domain, sizeof op->domain);
	if (cfg->kind == WL_ADD_ACCOUNT_1D)
		snprintf(op->domain, sizeof op->domain, "n0.bench");
}
