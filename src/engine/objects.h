/* objects: the cluster objects kubejit makes for leases, shared by mint,
 * revoke and sweep.
 *
 * Every object carries the labels app.kubernetes.io/managed-by=kubejit,
 * kubejit.io/lease=<id>, kubejit.io/namespace=<the lease's namespace> and
 * kubejit.io/mode=fixed|dynamic (values in label syntax, so a selector finds
 * them), and the annotations kubejit.io/expires-at (RFC 3339),
 * kubejit.io/secret (the secret's path), kubejit.io/owner (the identity the
 * API server authenticated the minting target as: engine_identity()) and
 * kubejit.io/created-by (user@host of the person who minted), plus the
 * secret's own extra labels and annotations, which may not use kubejit.io/
 * keys (engine/secret.c).  Annotation values are cleaned with kj_printable().
 * Together they let anyone who may list these kinds see everyone's leases
 * (engine/cluster_lease.h); the lease's state is not written, it is read
 * from the objects themselves (there or not, being deleted, past
 * expires-at), so it is true even when a process died half-way.  What a revoke deletes first
 * (objects_revoke_rank()): the ServiceAccount or anchor Secret (that alone invalidates the token; API
 * servers may accept it for up to their 10 s token cache), then bindings, then roles.
 *
 * Memory: cJSON trees returned are the caller's.  Not thread-safe beyond
 * the kube client's rules (one thread per client). */
#ifndef KJ_ENGINE_OBJECTS_H
#define KJ_ENGINE_OBJECTS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "engine/lease.h"
#include "engine/secret.h"
#include "kube/api.h"
#include "util/err.h"

#define OBJECTS_MANAGED_BY  "app.kubernetes.io/managed-by"
#define OBJECTS_LEASE_LABEL KUBE_LEASE_LABEL
#define OBJECTS_EXPIRES_AT  "kubejit.io/expires-at"
#define OBJECTS_SECRET_ANN  "kubejit.io/secret"
#define OBJECTS_CREATED_BY  "kubejit.io/created-by"
#define OBJECTS_OWNER_ANN   "kubejit.io/owner"
#define OBJECTS_NS_LABEL    "kubejit.io/namespace"
#define OBJECTS_MODE_LABEL  "kubejit.io/mode"
/* On a spare anchor Secret instead of the lease label, until a mint
 * adopts it (engine/mint.h): value "true". */
#define OBJECTS_SPARE_LABEL "kubejit.io/spare-anchor"
/* Longest annotation value kubejit writes from people's text. */
#define OBJECTS_TEXT_MAX 253
#define OBJECTS_SELECTOR OBJECTS_MANAGED_BY "=kubejit"

struct engine;

/* {"metadata": {name, namespace (if ns), labels, annotations}}. */
cJSON *objects_new(const char *name, const char *ns, const struct secret *s, const struct lease *l,
                   struct engine *eng);
/* A spare anchor Secret for the next fixed mint of `s` in `ns`: the
 * labels and annotations of a lease's object, with OBJECTS_SPARE_LABEL in
 * place of the lease label and expires-at = `expires` (the sweeps delete it
 * then). */
cJSON *objects_spare_new(const char *name, const char *ns, const struct secret *s, int64_t expires,
                         struct engine *eng);
/* Add an ownerReference to the ServiceAccount (same namespace only). */
void objects_owned_by_sa(cJSON *obj, const char *sa_name, const char *sa_uid);

/* The kube kind of a lease object's Kind ("RoleBinding"), or KUBE_KIND_COUNT. */
enum kube_kind_id objects_kind_id(const char *kind);
/* 0 ServiceAccount/Secret, 1 bindings, 2 roles, 3 unknown. */
int objects_revoke_rank(const char *kind);

/* Delete one lease object: 0 deleted, KUBE_GONE already gone, -1 error. */
int objects_delete(struct kube_client *kc, const struct lease_object *o, kj_err *e);

/* Delete every object labelled kubejit.io/lease=<id> (in `ns` and
 * cluster-wide), in revoke order.  *deleted counts removals.  Used when a
 * mint was interrupted and the lease may not list all its objects. */
int objects_delete_labelled(struct kube_client *kc, const char *lease_id, const char *ns, size_t *deleted,
                            kj_err *e);

/* POST a TokenRequest body for ServiceAccount ns/sa; *answer holds the
 * token (free with objects_json_wipe). */
int objects_token_request(struct kube_client *kc, const char *ns, const char *sa, const cJSON *body,
                          cJSON **answer, kj_err *e);

/* Wipe every string in the tree, then delete it (NULL allowed). */
void objects_json_wipe(cJSON *j);

#endif
