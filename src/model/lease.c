#include "model/lease.h"

#include <stdlib.h>
#include <string.h>

static const char *const state_names[LEASE_STATE_COUNT] = {
    "creating", "active", "revoking", "revoked", "expired", "failed",
};

const char *lease_state_name(enum lease_state s)
{
	return (unsigned)s < LEASE_STATE_COUNT ? state_names[s] : "unknown";
}

int lease_state_parse(const char *s, enum lease_state *out)
{
	for (int i = 0; s && i < LEASE_STATE_COUNT; i++) {
		if (!strcmp(s, state_names[i])) {
			*out = (enum lease_state)i;
			return 0;
		}
	}
	return -1;
}

int lease_is_overdue(const struct lease *l, int64_t now)
{
	return l->state == LEASE_ACTIVE && l->lease_expiry > 0 && l->lease_expiry <= now;
}

const char *lease_shown_state(const struct lease *l, int64_t now)
{
	return lease_state_name(lease_is_overdue(l, now) ? LEASE_EXPIRED : l->state);
}

int lease_is_live(const struct lease *l)
{
	switch (l->state) {
	case LEASE_CREATING:
	case LEASE_ACTIVE:
	case LEASE_REVOKING:
		return 1;
	case LEASE_FAILED:
		for (size_t i = 0; i < l->n_objects; i++)
			if (!l->objects[i].deleted)
				return 1;
		return 0;
	default:
		return 0;
	}
}

void lease_objects_free(struct lease_object *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].kind);
		free(v[i].ns);
		free(v[i].name);
		free(v[i].uid);
	}
	free(v);
}

void lease_done(struct lease *l)
{
	free(l->secret);
	free(l->target);
	free(l->ns);
	free(l->service_account);
	free(l->created_by);
	free(l->jti);
	free(l->error);
	lease_objects_free(l->objects, l->n_objects);
	memset(l, 0, sizeof(*l));
}

void lease_list_free(struct lease *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lease_done(&v[i]);
	free(v);
}
