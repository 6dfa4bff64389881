/* authn: authentication of the demo cluster's requests (doc/KUBERNETES.md, "Authentication").
 *
 * Chain as kube-apiserver's: a client certificate signed by the cluster CA
 * (EKU clientAuth; CN = user, O = groups) wins; otherwise an
 * `Authorization: Bearer` token is tried as the static admin token, then as a
 * ServiceAccount JWT of this cluster (signature, issuer, audience, exp/nbf
 * with 60 s leeway, and the ServiceAccount and any bound Secret/Pod must still
 * exist with the UIDs the token names).  A token nobody accepts is a 401,
 * never anonymous; so is a client certificate that does not verify, unless
 * a valid token comes with it.  Without credentials the user is system:anonymous
 * (group system:unauthenticated).  Authenticated users get
 * system:authenticated appended.
 *
 * As kube-apiserver (pkg/kubeapiserver/authenticator/config.go wraps its
 * token authenticators in token/cache), a bearer token that authenticated
 * is remembered for dc->token_cache_ttl_ms: deleting its ServiceAccount or
 * bound Secret stops it only when the entry expires.  Failures are not
 * cached (TokenFailureCacheTTL 0).
 *
 * The auth side's per-cluster state lives in dc->auth_state (struct
 * demo_auth), created by demo_auth_install() in handlers_auth.c.  Every
 * function is thread-safe. */
#ifndef KJ_DEMO_AUTHN_H
#define KJ_DEMO_AUTHN_H

#include <pthread.h>

#include "demo/internal.h"
#include "demo/jwtsign.h"

/* Static token user (the admin kubeconfig's token user). */
#define AUTHN_ADMIN_TOKEN_USER "kubernetes-admin"

struct authz_policy_holder;
struct authn_cache_entry;

struct demo_auth {
	struct jwt_signer *signer;
	/* The authorizer's informer: RBAC objects as they were rbac_delay_ms ago
	 * (plugin/pkg/auth/authorizer/rbac/rbac.go reads listers fed by watches). */
	struct authz_policy_holder *informer;
	/* RBAC objects as storage has them now (escalation checks). */
	struct authz_policy_holder *stored;
	/* Successful token authentications (TokenSuccessCacheTTL). */
	pthread_mutex_t cache_lock;
	struct authn_cache_entry *cache;
	size_t ncache, cache_cap;
};

static inline struct jwt_signer *demo_auth_signer(const struct demo_cluster *dc)
{
	return ((struct demo_auth *)dc->auth_state)->signer;
}

/* The authenticate hook: 1 authenticated, 0 anonymous, -1 rejected (401,
 * or the 403/500 impersonate.c already answered).  Impersonation headers
 * are applied here, after authentication. */
int authn_request(struct demo_req *r);

/* Authenticate a bearer token (static or ServiceAccount JWT) for `aud`
 * (NULL/0 = the API audiences); fills `u` (groups without
 * system:authenticated).  0 or -1 with e set (KJ_ERR_AUTH, safe to show). */
int authn_token(struct demo_cluster *dc, const char *token, const char *const *aud, size_t naud,
                struct demo_user *u, kj_err *e);
/* Drop the token cache (demo_stop). */
void authn_cache_free(struct demo_auth *st);

#endif
