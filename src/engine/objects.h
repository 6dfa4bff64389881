/* objects: the cluster objects kubejit makes for leases, shared by mint,
 * revoke and sweep.
 *
 * Every object carries the labels app.kubernetes.io/managed-by=kubejit and
 * kubejit.io/lease=<id>, and the annotations kubejit.io/expires-at,
 * kubejit.io/secret and kubejit.io/created-by, plus the secret's own extra
 * labels and annotations.  Revoke order: ServiceAccount or anchor Secret
 * first (that alone invalidates the token; API servers may accept it for up
 * to their 10 s token cache), then bindings, then roles.
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
#define OBJECTS_SELECTOR    OBJECTS_MANAGED_BY "=kubejit"

struct engine;

/* {"metadata": {name, namespace (if ns), labels, annotations}}. */
cJSON *objects_new(const char *name, const char *ns, const struct secret *s, const struct lease *l,
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
