/* authz: RBAC evaluation and privilege-escalation prevention of the demo
 * cluster, as kube-apiserver v1.32 does it (doc/KUBERNETES.md, "RBAC").
 *
 * The core is pure: it works on a `struct authz_policy`, an index of full
 * Role / ClusterRole / RoleBinding / ClusterRoleBinding objects (the shapes
 * of doc/KUBERNETES.md, "Objects kubejit creates") kept by authz_policy.c,
 * so it can be tested without a server.  As kube-apiserver's listers, the
 * index finds a role by namespace and name and a user's bindings by the
 * subjects they name: a request costs the same with 10 bindings or 10,000
 * held by others.  It is updated one object at a time as the authorizer's
 * informer applies events (handlers_auth.c), never rebuilt whole.
 *
 * Strings returned are malloc'd and owned by the caller; cJSON arrays returned
 * are new trees (cJSON_Delete).  Every function is thread-safe as long as the
 * policy is not modified meanwhile (handlers_auth.c holds a read lock). */
#ifndef KJ_DEMO_AUTHZ_H
#define KJ_DEMO_AUTHZ_H

#include <cjson/cJSON.h>

#include "demo/internal.h"

#define AUTHZ_RBAC_GROUP "rbac.authorization.k8s.io"

struct authz_policy;

struct authz_policy *authz_policy_new(void);
void authz_policy_free(struct authz_policy *p);
/* Store a copy of obj, one of `resource` ("roles", "clusterroles",
 * "rolebindings", "clusterrolebindings"), replacing the one of the same
 * namespace and name.  -1 for another resource. */
int authz_policy_put(struct authz_policy *p, const char *resource, const cJSON *obj);
/* authz_policy_put() for every object of a cJSON array. */
int authz_policy_add_all(struct authz_policy *p, const char *resource, const cJSON *objects);
/* Forget one object (nothing when there is none). */
void authz_policy_remove(struct authz_policy *p, const char *resource, const char *ns, const char *name);
/* Add every RBAC object of the store (a relist). */
void authz_policy_load(struct authz_policy *p, struct objstore *s);
size_t authz_policy_count(const struct authz_policy *p, const char *resource);
/* One object by namespace ("" for cluster-scoped ones) and name, or NULL;
 * owned by the policy. */
const cJSON *authz_policy_find(const struct authz_policy *p, const char *resource, const char *ns,
                               const char *name);
/* Every ClusterRole in name order until fn returns non-zero. */
void authz_policy_foreach_clusterrole(const struct authz_policy *p, int (*fn)(const cJSON *cr, void *ctx),
                                      void *ctx);
/* The bindings of namespace `ns` ("" = ClusterRoleBindings) with a subject
 * naming u (as a User, a ServiceAccount or one of u's groups), each once, in
 * name order.  *out (free() it) gets n objects owned by the policy. */
size_t authz_policy_bindings_for(const struct authz_policy *p, const char *ns, const struct demo_user *u,
                                 const cJSON ***out);

/* The authorizer chain: system:masters, then RBAC.  *reason gets the
 * allowed reason (`RBAC: allowed by ...`) or, when denied because a
 * referenced role was missing, `RBAC: <errors>`; NULL when there is none. */
enum demo_decision authz_authorize(const struct authz_policy *p, const struct demo_authz_attrs *a,
                                   char **reason);

/* 1 when one PolicyRule (cJSON object) allows the request. */
int authz_rule_allows(const cJSON *rule, const struct demo_authz_attrs *a);

/* The user's effective rules in `ns` ("" = cluster bindings only), in
 * visiting order (ClusterRoleBindings, then RoleBindings of ns).  *errors
 * (may be NULL) gets the aggregated resolution error text or NULL. */
cJSON *authz_rules_for(const struct authz_policy *p, const struct demo_user *u, const char *ns,
                       char **errors);

/* Go's %q of a string / of a []string (`["a" "b"]`), appended to b. */
void authz_go_quote(kj_buf *b, const char *s);
void authz_go_quote_list(kj_buf *b, const cJSON *strings);

/* GetRoleReferenceRules: append the rules of roleRef (resolved in `ns`) to
 * `out`.  Returns 0, or 404 / 500 with *err (malloc'd) set: the
 * authorizer's listers name the singular resource (`role.rbac...`), the
 * binding registry (`plural` 1) the plural one (`roles.rbac...`). */
int authz_role_ref_rules(const struct authz_policy *p, const cJSON *ref, const char *ns, int plural,
                         cJSON *out, char **err);

#endif
