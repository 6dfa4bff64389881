/* escalation: RBAC privilege-escalation prevention of the demo cluster
 * (doc/KUBERNETES.md, "Escalation checks"), over the pure policy snapshot of authz.h.
 *
 * A Role/ClusterRole write passes for system:masters, with the `escalate`
 * verb, or when the writer already holds every rule it grants; a binding
 * write passes for system:masters, with `bind` on the referenced role, or when
 * the writer holds all of that role's rules.  Results are plain data owned by
 * the caller (authz_verdict_done).  Thread-safe on an unchanging policy. */
#ifndef KJ_DEMO_ESCALATION_H
#define KJ_DEMO_ESCALATION_H

#include <cjson/cJSON.h>

#include "demo/authz.h"

/* Rule coverage (ConfirmNoEscalation): NULL when `owner` covers every rule
 * of `requested`, else the array of missing broken-down rules. */
cJSON *authz_uncovered(const cJSON *owner, const cJSON *requested);

/* `user "u" (groups=["a" "b"]) is attempting to grant RBAC permissions not
 * currently held:\n{...}\n{...}` (+ `; resolution errors: [...]`). */
char *authz_escalation_text(const struct demo_user *u, const cJSON *missing, const char *resolution_errors);

/* Outcome of a write check: code 0 = allowed; else 403 (Forbidden), 404
 * (NotFound of the referenced role) or 500, with the full Status message and
 * details.kind / details.name. */
struct authz_verdict {
	int code;
	char *message;
	const char *resource; /* "roles", "clusterroles", "rolebindings", ... */
	char *name;
};
void authz_verdict_done(struct authz_verdict *v);

/* Role/ClusterRole create or update by `u` in `ns` ("" for ClusterRoles).
 * `name` is the URL name ("" on create; it matters only for `escalate`);
 * `old` is the stored object on update, NULL on create.  Returns v->code. */
int authz_check_role_write(const struct authz_policy *p, const struct demo_user *u, const char *resource,
                           const char *ns, const char *name, const cJSON *obj, const cJSON *old,
                           struct authz_verdict *v);

/* RoleBinding/ClusterRoleBinding create or update in `ns` ("" for
 * ClusterRoleBindings).  Returns v->code. */
int authz_check_binding_write(const struct authz_policy *p, const struct demo_user *u, const char *resource,
                              const char *ns, const cJSON *obj, const cJSON *old, struct authz_verdict *v);

#endif
