/* authz: RBAC evaluation and privilege-escalation prevention of the demo
 * cluster, as kube-apiserver v1.32 does it (doc/KUBERNETES.md, "RBAC").
 *
 * The core is pure: it works on a `struct authz_policy` holding four cJSON
 * arrays of full Role / ClusterRole / RoleBinding / ClusterRoleBinding
 * objects (the shapes of doc/KUBERNETES.md, "Objects kubejit creates"), so it can be tested without a
 * server.  authz_policy_load() snapshots them from the object store (one copy
 * per request; the demo cluster holds a few dozen RBAC objects).
 *
 * Strings returned are malloc'd and owned by the caller; cJSON arrays returned
 * are new trees (cJSON_Delete).  Every function is thread-safe as long as the
 * policy is not modified meanwhile (a snapshot never is). */
#ifndef KJ_DEMO_AUTHZ_H
#define KJ_DEMO_AUTHZ_H

#include <cjson/cJSON.h>

#include "demo/internal.h"

#define AUTHZ_RBAC_GROUP "rbac.authorization.k8s.io"

struct authz_policy {
	cJSON *roles; /* arrays of full objects; NULL = none */
	cJSON *clusterroles;
	cJSON *rolebindings;
	cJSON *clusterrolebindings;
};

/* Copy the RBAC objects out of the store; authz_policy_done() frees them. */
void authz_policy_load(struct authz_policy *p, struct objstore *s);
void authz_policy_done(struct authz_policy *p);

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
