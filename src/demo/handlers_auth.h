/* handlers_auth: the demo cluster's authentication and authorisation APIs and
 * the glue that plugs the auth modules into the server (demo_auth_install,
 * declared in internal.h).
 *
 * Served here: TokenRequest (`serviceaccounts/token`, doc/KUBERNETES.md, "TokenRequest"),
 * SelfSubjectAccessReview (§4.2), SelfSubjectRulesReview (§4.3),
 * SelfSubjectReview (§4.4), TokenReview (§1.4) (those in handlers_review.c),
 * and CertificateSigningRequests with their `approval` subresource
 * (handlers_csr.c).  Each handler
 * runs after authentication and authorisation and replies exactly once.
 * Thread-safe: state is the immutable signer plus the locked object store. */
#ifndef KJ_DEMO_HANDLERS_AUTH_H
#define KJ_DEMO_HANDLERS_AUTH_H

#include "demo/internal.h"

/* The handle_auth hook: dispatch on r->group / r->resource / r->subresource. */
void auth_handle(struct demo_req *r);

/* handlers_auth.c: TokenRequest. */
void auth_token_request(struct demo_req *r);
/* handlers_review.c */
void auth_ssar(struct demo_req *r);
void auth_sar(struct demo_req *r, int local); /* SubjectAccessReview, LocalSubjectAccessReview */
void auth_ssrr(struct demo_req *r);
void auth_self_subject_review(struct demo_req *r);
void auth_token_review(struct demo_req *r);

/* handlers_csr.c: certificatesigningrequests (+ approval, status). */
void auth_csr_handle(struct demo_req *r);
/* The sign_csr hook: the signer controller's work on one approved request. */
void auth_csr_sign(struct demo_cluster *dc, const char *name);

/* The RBAC objects as the authorizer's informer sees them (the store as it
 * was dc->rbac_delay_ms ago), shared by concurrent requests under a read
 * lock and updated one event at a time.  Pair each get with a put, and
 * get no other policy in between. */
struct authz_policy;
const struct authz_policy *auth_policy_get(struct demo_cluster *dc);
void auth_policy_put(struct demo_cluster *dc, const struct authz_policy *p);

/* Authorise one attribute set (the authorize hook). */
enum demo_decision auth_authorize(struct demo_cluster *dc, const struct demo_authz_attrs *a, char **reason);

#endif
