/* rbac_manifest: the permissions a target needs, as one table, and the
 * RBAC objects that grant them.
 *
 * Two tables live in rbac_manifest.c side by side so they cannot drift:
 *   - the manifest rules per mode, printed by `kubejit rbac fixed|dynamic`
 *     and applied by `kubejit target bootstrap`: the reference product's
 *     `tokenrequest` / `sa-request` ClusterRoles plus what kubejit adds
 *     (Secret permissions for revocable fixed tokens, list permissions for
 *     cluster sweeps), each addition with a YAML comment saying why;
 *   - the single permissions preflight checks (verb, group, resource), each
 *     tagged with the modes that need it (enum preflight_need).
 *
 * Memory: tables are static; rendered YAML and cJSON objects belong to the
 * caller (free / cJSON_Delete).  Thread-safe. */
#ifndef KJ_ENGINE_RBAC_MANIFEST_H
#define KJ_ENGINE_RBAC_MANIFEST_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "engine/preflight.h"
#include "engine/target.h"
#include "util/err.h"

/* One permission preflight checks. */
struct rbac_check {
	const char *verb;
	const char *group;
	const char *resource; /* "serviceaccounts/token" for subresources */
	int cluster_scoped;
	unsigned needed_by; /* enum preflight_need bits */
	const char *why;    /* N_() text */
};
const struct rbac_check *rbac_checks(size_t *n);

struct rbac_manifest_opts {
	enum target_mode mode;
	const char *namespace_; /* of the ServiceAccount; NULL = "kube-system" */
	const char *name;       /* ServiceAccount, ClusterRole and binding name; NULL = the mode's default */
	const char *user;       /* bind this User (a client certificate's CN) instead; no ServiceAccount */
};
/* "kubejit-token-request" (fixed) / "kubejit-jit" (dynamic). */
const char *rbac_default_name(enum target_mode mode);

/* Validate opts (DNS-1123 names) and render the three documents as YAML
 * (two, ClusterRole and ClusterRoleBinding, when o->user is set). */
char *rbac_manifest_yaml(const struct rbac_manifest_opts *o, kj_err *e);
/* The same objects as JSON, for applying: objs[0] ServiceAccount (NULL
 * with o->user), objs[1] ClusterRole, objs[2] ClusterRoleBinding. */
int rbac_manifest_objects(const struct rbac_manifest_opts *o, cJSON *objs[3], kj_err *e);

/* YAML (ClusterRole + ClusterRoleBinding named `name`) granting the perms
 * whose state is not HELD and whose needed_by intersects `mask`, to the
 * identity `username` (a ServiceAccount subject for
 * "system:serviceaccount:NS:NAME", else a User).  NULL when nothing is
 * missing. */
char *rbac_missing_yaml(const char *name, const struct preflight_perm *perms, size_t n, unsigned mask,
                        const char *username);

#endif
