/* ready: prove, as the credential itself, that a new token works before it
 * is handed over, and that a revoked one is refused.
 *
 * A real API server is not instant: it authorises from informer caches, so a new RoleBinding takes
 * effect after its watch event arrives (plugin/pkg/auth/authorizer/rbac/
 * rbac.go), and it remembers a successful token authentication for 10 s
 * (TokenSuccessCacheTTL, pkg/kubeapiserver/options/authentication.go), so a
 * token whose ServiceAccount or anchor Secret is gone keeps working that
 * long.  Both waits ask as the token, with backoff (50 ms doubling to 1 s),
 * until the answer comes or the bound passes.
 *
 * Probes:
 *   READY_WHOAMI  SelfSubjectReview: the token authenticates (no mint asks
 *                 it: a fixed token needs no check, engine/mint.h);
 *   READY_ACCESS  SelfSubjectAccessReview for one rule the role grants
 *                 (dynamic mode): the binding has reached the authoriser;
 *   READY_RULES   SelfSubjectRulesReview in a namespace shows a rule beyond
 *                 the self-review rules every user has (dynamic mode with a
 *                 predefined role the target may not read).
 *
 * Memory: ready_probe_done() frees a probe's strings.  Blocking; one thread
 * per client, as kube/http.h. */
#ifndef KJ_ENGINE_READY_H
#define KJ_ENGINE_READY_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "util/err.h"

struct kube_client; /* kube/http.h */

#define READY_TIMEOUT_MS   10000 /* default bound of the readiness check */
#define REFUSED_TIMEOUT_MS 30000 /* default bound of revoke --wait */

enum ready_kind { READY_WHOAMI, READY_ACCESS, READY_RULES };

struct ready_probe {
	enum ready_kind kind;
	/* READY_ACCESS: the SelfSubjectAccessReview's attributes; `path` set
	 * means a non-resource URL.  READY_RULES: `ns` only. */
	char *verb, *group, *resource, *subresource, *name, *ns, *path;
};
void ready_probe_done(struct ready_probe *p);

/* A READY_ACCESS probe for the first rule of `rules` (a Role's "rules"
 * array) in namespace `ns` (NULL: cluster-wide).  Wildcards are asked as
 * they are written: the RBAC authorizer matches "*" against "*".  Returns 0,
 * or -1 when there is no rule to ask about (probe left as READY_RULES). */
int ready_probe_from_rules(const cJSON *rules, const char *ns, struct ready_probe *out);

/* "get pods in dev", "get /healthz", "authenticate" (for messages; malloc'd). */
char *ready_probe_describe(const struct ready_probe *p);

/* Ask `p` as the credential of `kc` until it is answered yes, or `timeout_ms`
 * (≤ 0: READY_TIMEOUT_MS) passes.  Returns 0 with *took_ms; -1 with `e`: a
 * KJ_ERR_FAIL naming the probe, the time waited and the last answer; or an
 * error that no retry can change (400, 404 without fallback). */
int ready_wait(struct kube_client *kc, const struct ready_probe *p, int64_t timeout_ms, int64_t *took_ms,
               kj_err *e);

/* Ask SelfSubjectReview as the credential of `kc` until the API server
 * refuses it (401), or `timeout_ms` (≤ 0: REFUSED_TIMEOUT_MS) passes.
 * Returns 0 with *took_ms, -1 with `e` (still accepted, or unreachable). */
int ready_wait_refused(struct kube_client *kc, int64_t timeout_ms, int64_t *took_ms, kj_err *e);

#endif
