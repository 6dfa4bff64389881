/* preflight: is this target usable, and for what?
 *
 * Steps, in order (a failure in 1-3 ends the run with health FAIL):
 *   1. GET /version: the endpoint answers, TLS verifies against the CA;
 *   2. SelfSubjectReview: who the credentials authenticate as (401 = AUTH);
 *   3. the credential's own expiry (client certificate, token `exp`);
 *   4. every permission kubejit may need, taken from rbac_manifest's rule
 *      tables: a SelfSubjectAccessReview cluster-wide for each, then, for
 *      what is not held cluster-wide, a SelfSubjectRulesReview per relevant
 *      namespace (the account's own namespace, "default", and any asked
 *      for) to tell "held only in these namespaces" from "missing";
 *   5. per mode, ready or not, and the RBAC YAML (ClusterRole +
 *      ClusterRoleBinding for the identity) granting exactly what is missing.
 *
 * Modes: fixed (create serviceaccounts/token, get serviceaccounts), fixed
 * revocable (create/get/delete secrets for per-lease anchor Secrets; without
 * them fixed tokens only expire), dynamic (the reference `sa-request` set),
 * sweep (list serviceaccounts, secrets, roles, rolebindings, clusterroles,
 * clusterrolebindings to find leftovers cluster-wide).
 *
 * Memory: a report and all it points to is owned by the report; free with
 * preflight_report_free().  `perms[i].verb/group/resource/why` point into
 * static tables. */
#ifndef KJ_ENGINE_PREFLIGHT_H
#define KJ_ENGINE_PREFLIGHT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "model/target.h"
#include "util/err.h"

/* Which mode needs a permission (bit set). */
enum preflight_need {
	PREFLIGHT_NEED_FIXED = 1u << 0,
	PREFLIGHT_NEED_REVOCABLE = 1u << 1,
	PREFLIGHT_NEED_DYNAMIC = 1u << 2,
	PREFLIGHT_NEED_SWEEP = 1u << 3,
};

enum preflight_state {
	PREFLIGHT_UNKNOWN = 0, /* not checked (an earlier step failed) */
	PREFLIGHT_HELD,        /* cluster-wide */
	PREFLIGHT_PARTIAL,     /* only in `namespaces` */
	PREFLIGHT_MISSING,
};

struct preflight_perm {
	const char *verb;     /* "create" */
	const char *group;    /* "" for core */
	const char *resource; /* "serviceaccounts/token" */
	int cluster_scoped;   /* namespaces, clusterroles, clusterrolebindings */
	unsigned needed_by;   /* enum preflight_need bits */
	const char *why;      /* untranslated N_() text; show with _() */
	enum preflight_state state;
	char **namespaces; /* PARTIAL: where it is held; NULL-terminated, else NULL */
};

struct preflight_report {
	enum target_health health;
	int64_t at; /* kj_now() when run */
	char *server;

	int reachable;        /* step 1 answered */
	int tls_verified;     /* https with a verified chain */
	char *server_version; /* "v1.32.0" */

	int authenticated; /* step 2 */
	char *username;
	char *uid;
	char **groups; /* NULL-terminated */

	int64_t cert_not_after;   /* 0 = no client certificate */
	int64_t token_expires_at; /* 0 = unknown */

	struct preflight_perm *perms;
	size_t n_perms;
	char **namespaces_checked; /* NULL-terminated */

	int fixed_ready;     /* may mint fixed-mode tokens */
	int fixed_revocable; /* ... and revoke them (anchor Secrets) */
	int dynamic_ready;
	int sweep_ready;

	/* RBAC YAML granting what each mode lacks (NULL when nothing is). */
	char *fix_yaml_fixed; /* includes the revocable Secret permissions */
	char *fix_yaml_dynamic;

	char *failure;  /* FAIL: what went wrong (the error message) */
	char **notices; /* warnings for the user, translated, NULL-terminated */
	char *summary;  /* one line: "ok as system:serviceaccount:kube-system:x; fixed, dynamic" */
};

struct preflight_opts {
	const char *const *namespaces; /* extra namespaces to inspect; NULL-terminated or NULL */
	int64_t cert_warn;             /* seconds; 0 = engine_cert_warn() */
};

/* Run against `kc` (a client for `t`).  Always sets *out to a report when
 * it could be allocated; returns -1 with `e` filled when the health is
 * FAIL (unreachable, TLS, rejected credentials), else 0. */
int preflight_run(struct engine *en, struct kube_client *kc, const struct target *t,
                  const struct preflight_opts *opts, struct preflight_report **out, kj_err *e);

void preflight_report_free(struct preflight_report *r); /* NULL allowed */

/* Stable JSON form (stored with the target, printed by --json). */
cJSON *preflight_report_to_json(const struct preflight_report *r);
/* Read back what preflight_report_to_json() wrote. */
int preflight_report_from_json(const char *json, struct preflight_report **out, kj_err *e);

const char *preflight_state_name(enum preflight_state s); /* "held", "partial", "missing", "unknown" */

#endif
