/* cluster_lease: everyone's leases on one target, read from the cluster.
 *
 * Every object kubejit makes for a lease carries its lease label and the
 * labels and annotations listed in engine/objects.h, so the cluster itself
 * knows every kubejit lease, whoever minted it and from whichever machine.
 * cluster_lease_list() lists each kind kubejit creates once (all
 * namespaces, paged: kube_list() in kube/api.h), keeps the objects labelled
 * app.kubernetes.io/managed-by=kubejit, and joins them by lease id.  A kind
 * the target may not list is reported (kind, resource, verb), never skipped
 * in silence: the list is then incomplete and says so.
 *
 * A lease's state is read from its objects, not from a label (which a
 * process dying half-way would leave stale): `active` while its
 * ServiceAccount (dynamic) or anchor Secret (fixed) exists, `expired` once
 * its kubejit.io/expires-at has passed (objects not yet swept), `revoking`
 * when that first object is gone or being deleted while others remain (a
 * revoke under way, or its leftovers).  A lease this store also holds shows
 * the store's state when that says more (creating, failed).  Fixed leases
 * without an anchor Secret made nothing in the cluster and are not seen.
 *
 * cluster_lease_revoke() deletes one lease's objects in the order a local
 * revoke uses (ServiceAccount or anchor Secret first, which invalidates the
 * token; then bindings; then roles), as far as the target's RBAC allows,
 * closes the lease in this store when it is there too, and writes an audit
 * row naming the lease's owner.  As for any revoke, API servers may accept
 * the token for up to their 10 s token cache (engine/lease.h).
 *
 * Values read from the cluster are other people's text: every string is
 * cleaned with kj_printable() before it is kept.  Memory: free lists with
 * cluster_lease_list_done(), results with cluster_revoke_result_done().
 * One thread per engine, as every engine call. */
#ifndef KJ_ENGINE_CLUSTER_LEASE_H
#define KJ_ENGINE_CLUSTER_LEASE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "model/lease.h"
#include "util/err.h"

struct engine;

struct cluster_lease {
	char id[37];
	char *secret;     /* kubejit.io/secret, or NULL */
	char *ns;         /* the lease's namespace, or NULL */
	char *owner;      /* kubejit.io/owner: who the API server authenticated the minter's target as */
	char *created_by; /* kubejit.io/created-by: user@host of the minter */
	int mode;         /* enum secret_mode, or -1 when not recorded */
	int64_t expires_at;
	int64_t created_at;     /* the oldest object's creationTimestamp */
	enum lease_state state; /* see above */
	int local;              /* this store holds the lease too */
	/* in revoke order; `deleted` = being deleted (deletionTimestamp set) */
	struct lease_object *objects;
	size_t n_objects;
};

/* A kind the target may not list, so leases may be missing. */
struct cluster_denied {
	const char *kind; /* "ClusterRoleBinding" (static) */
	char *resource;   /* "clusterrolebindings.rbac.authorization.k8s.io" */
	const char *verb; /* "list" */
	char *message;    /* the server's */
};

struct cluster_lease_list {
	char *target;
	struct cluster_lease *v; /* soonest expiry first */
	size_t n;
	struct cluster_denied *denied;
	size_t n_denied;
};

/* Every kubejit lease on target `target` (NULL: the only saved target).
 * Fails only when no kind could be listed, or on a connection error; kinds
 * refused are in out->denied. */
int cluster_lease_list(struct engine *eng, const char *target, struct cluster_lease_list *out, kj_err *e);
void cluster_lease_list_done(struct cluster_lease_list *l);

/* The pure parts, for tests: add the items of one kind's List (only those
 * labelled managed-by=kubejit with a lease label count), then sort and set
 * each lease's state at `now`. */
void cluster_lease_add_items(struct cluster_lease_list *l, const char *kind, const cJSON *list);
void cluster_lease_finish(struct cluster_lease_list *l, int64_t now);
/* The lease whose id is `id` or starts with it (≥ 4 characters, unique);
 * NULL with e set (KJ_ERR_NOTFOUND, or KJ_ERR_USAGE when ambiguous). */
const struct cluster_lease *cluster_lease_find(const struct cluster_lease_list *l, const char *id, kj_err *e);
/* The text a table shows as OWNER: "owner (user@host)", either alone, or "?". */
char *cluster_lease_owner_text(const struct cluster_lease *c);

struct cluster_revoke_result {
	struct cluster_lease lease; /* as found before the revoke */
	size_t deleted;             /* objects deleted now (404s count: gone is gone) */
	int local_closed;           /* closed in this store too */
};
void cluster_revoke_result_done(struct cluster_revoke_result *r);

/* Revoke lease `id` (a unique prefix of ≥ 4 characters will do) on target
 * `target` (NULL: the only saved target).  Every object is tried; the
 * first refusal is returned (KJ_ERR_DENIED names the object and the verb),
 * with r->deleted telling how far it went. */
int cluster_lease_revoke(struct engine *eng, const char *target, const char *id,
                         struct cluster_revoke_result *r, kj_err *e);

#endif
