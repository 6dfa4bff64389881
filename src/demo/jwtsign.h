/* jwtsign: the demo cluster's ServiceAccount token issuer and verifier.
 *
 * One RSA-2048 key signs every token (RS256).  jwtsign_open() loads it from
 * <state_dir>/sa.key or makes and stores it there (0600) on first start; a NULL
 * state_dir keeps the key in memory only.  Tokens carry the claim set of
 * kube-apiserver v1.32 (doc/KUBERNETES.md, "Service account tokens"): aud (always an array), exp, iat, iss,
 * jti, kubernetes.io{namespace, serviceaccount{name,uid}, pod|secret{name,uid}},
 * nbf (= iat), sub.  The header is {"alg":"RS256","kid":...} with kid the
 * unpadded base64url SHA-256 of the DER PKIX public key.
 *
 * jwtsign_verify() checks structure, algorithm, signature, issuer, audience
 * intersection and exp/nbf with 60 s leeway against kj_now(); it does NOT look
 * up the ServiceAccount or bound object (authn does that).
 *
 * A signer is immutable after jwtsign_open(): issue/verify are thread-safe.
 * Returned tokens and claim trees belong to the caller (kj_free_secret /
 * cJSON_Delete). */
#ifndef KJ_DEMO_JWTSIGN_H
#define KJ_DEMO_JWTSIGN_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "util/err.h"

/* The issuer and the one API audience of the demo cluster (as a default
 * kube-apiserver whose --api-audiences defaults to its issuer). */
#define JWTSIGN_ISSUER      "https://kubernetes.default.svc.cluster.local"
#define JWTSIGN_LEEWAY      60
#define JWTSIGN_DEFAULT_TTL 3600

struct jwt_signer;

/* What to put into a token.  bound_kind is "Pod", "Secret" or NULL. */
struct jwt_sa_claims {
	const char *ns;
	const char *sa_name;
	const char *sa_uid;
	const char *bound_kind;
	const char *bound_name;
	const char *bound_uid;
	const char *node_name;  /* pod-bound token of a scheduled pod; NULL = none */
	const char *const *aud; /* NULL/0 = the API audiences */
	size_t naud;
	int64_t iat;       /* 0 = kj_now() */
	int64_t ttl;       /* seconds, exp = iat + ttl */
	int64_t warnafter; /* kubernetes.io.warnafter of extended pod tokens; 0 = none */
};

int jwtsign_open(const char *state_dir, struct jwt_signer **out, kj_err *e);
void jwtsign_free(struct jwt_signer *s);

const char *jwtsign_kid(const struct jwt_signer *s);

/* Sign a token; jti_out (may be NULL) receives the token's jti. */
char *jwtsign_issue(const struct jwt_signer *s, const struct jwt_sa_claims *c, char jti_out[37], kj_err *e);

/* Verify a token; on success *claims is the decoded payload.  `aud` lists the
 * audiences the caller accepts (NULL/0 = the API audiences).  Errors are
 * KJ_ERR_AUTH with a message safe to log (never the token). */
int jwtsign_verify(const struct jwt_signer *s, const char *token, const char *const *aud, size_t naud,
                   cJSON **claims, kj_err *e);

/* The public key as a JWK ({"use":"sig","kty":"RSA","kid","alg":"RS256","n","e"})
 * for /openid/v1/jwks; caller owns it. */
cJSON *jwtsign_jwk(const struct jwt_signer *s);

#endif
