/* model/lease: the record of one minted credential and the cluster objects
 * behind it (what a lease does is engine/lease.h).
 *
 * Memory: struct lease is a plain value, free with lease_done(); lists with
 * lease_list_free().  Pure functions. */
#ifndef KJ_MODEL_LEASE_H
#define KJ_MODEL_LEASE_H

#include <stddef.h>
#include <stdint.h>

#include "model/secret.h"

enum lease_state {
	LEASE_CREATING = 0,
	LEASE_ACTIVE,
	LEASE_REVOKING,
	LEASE_REVOKED,
	LEASE_EXPIRED, /* closed by the sweep at its TTL */
	LEASE_FAILED,  /* mint or revoke failed; see error and remaining objects */
	LEASE_STATE_COUNT
};

/* One cluster object created for a lease, in creation order. */
struct lease_object {
	char *
	    kind; /* "ServiceAccount", "Secret", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding" */
	char *ns; /* NULL for cluster-scoped kinds */
	char *name;
	char *uid;
	int deleted; /* 1 once gone from the cluster */
};

struct lease {
	char id[37]; /* UUIDv4 */
	char *secret;
	char *target;
	enum secret_mode mode;
	char *ns;
	char *service_account;
	enum lease_state state;
	int revocable; /* 0: fixed token without anchor, dies only at token_expiry */
	int64_t created_at;
	int64_t lease_expiry; /* the TTL: the sweep revokes at this time */
	int64_t token_expiry; /* status.expirationTimestamp (≥ lease_expiry when TTL < 600 s) */
	int64_t ended_at;     /* revoked/expired/failed time, 0 while live */
	char *created_by;     /* user@host */
	char fingerprint[65]; /* sha256 of the token, hex */
	char *jti;
	char *error;                  /* failure text, or NULL */
	struct lease_object *objects; /* filled by lease_get(); lease_list() leaves it empty */
	size_t n_objects;
};

struct lease_filter {
	const char *secret; /* exact path, or NULL */
	const char *target; /* NULL = any */
	const char *ns;     /* NULL = any */
	int state;          /* enum lease_state, or -1 = any */
	int live_only;      /* 1: creating/active/revoking/failed-with-leftovers only */
};
#define LEASE_FILTER_ANY                                                                                     \
	{                                                                                                    \
		NULL, NULL, NULL, -1, 0                                                                      \
	}

/* The lease table's view of the store: one window of rows in one order,
 * under one filter, read through indexes (store/leases_view.c), so that its cost
 * does not grow with the number of leases kept. */
enum lease_order {
	LEASE_ORDER_NEWEST = 0, /* created_at, newest first (reverse: oldest first) */
	LEASE_ORDER_SECRET,
	LEASE_ORDER_MODE,
	LEASE_ORDER_NAMESPACE,
	LEASE_ORDER_SERVICE_ACCOUNT,
	LEASE_ORDER_EXPIRY,       /* lease_expiry, soonest first */
	LEASE_ORDER_TOKEN_EXPIRY, /* token_expiry, soonest first */
	LEASE_ORDER_STATE,
	LEASE_ORDER_COUNT
};

struct lease_view {
	/* case-insensitive (ASCII) text found anywhere in the secret or the
	 * namespace; NULL or "" = every lease.  (Not in service account names or
	 * ids: those are unique per lease, and no index finds text inside them.) */
	const char *text;
	unsigned state_bits; /* the text also matches leases in these states (1 << state) */
	unsigned mode_bits;  /* ... and of these modes (1 << secret_mode) */
	enum lease_order order;
	int reverse; /* ties stay newest first in either direction */
};

struct lease_counts {
	size_t total;         /* every lease in the store */
	size_t live;          /* creating, active or revoking */
	int unrevocable_live; /* a live lease without anchor (expiry-only) exists */
};

void lease_done(struct lease *l);
void lease_objects_free(struct lease_object *v, size_t n);
void lease_list_free(struct lease *v, size_t n);

const char *lease_state_name(enum lease_state s); /* "creating", "active", ... */
int lease_state_parse(const char *s, enum lease_state *out);
/* Live = may still hold a working token or cluster objects. */
int lease_is_live(const struct lease *l);
/* Past its TTL at `now` but not yet closed: no sweep ran since, so its
 * objects (and a fixed token bound to its anchor) are still in the cluster.
 * Shown as expired, with that said. */
int lease_is_overdue(const struct lease *l, int64_t now);
/* The state to show at `now`: "expired" for an overdue lease, else the
 * stored state's name. */
const char *lease_shown_state(const struct lease *l, int64_t now);

#endif
