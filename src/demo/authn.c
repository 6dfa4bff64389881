#include "demo/authn.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "demo/impersonate.h"

#include "util/json.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#define CREDENTIAL_ID "authentication.kubernetes.io/credential-id"

/* x509 authenticator: the leaf the client presented, verified by pki.
 * 1 authenticated, 0 no certificate, -1 a certificate that does not verify
 * (expired, another CA, no clientAuth, no CN). */
static int authn_x509(struct demo_req *r)
{
	const union MHD_ConnectionInfo *ci;
	gnutls_session_t s;
	const gnutls_datum_t *certs;
	unsigned int n = 0;
	unsigned char md[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1], *id;
	size_t i;

	if (!r->conn || !(ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION)))
		return 0;
	s = (gnutls_session_t)ci->tls_session;
	if (!s || gnutls_certificate_type_get(s) != GNUTLS_CRT_X509 ||
	    !(certs = gnutls_certificate_get_peers(s, &n)) || !n)
		return 0;
	demo_user_done(&r->user);
	demo_user_init(&r->user);
	if (demo_pki_verify_client(r->dc, certs[0].data, certs[0].size, &r->user) < 0 || !r->user.name ||
	    !*r->user.name) {
		demo_user_done(&r->user);
		demo_user_init(&r->user);
		return -1;
	}
	SHA256(certs[0].data, certs[0].size, md);
	for (i = 0; i < sizeof md; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	id = kj_xasprintf("X509SHA256=%s", hex);
	demo_user_add_extra(&r->user, CREDENTIAL_ID, id);
	free(id);
	return 1;
}

/* The object a token names must exist with the same UID and must not have
 * been deleting for longer than the leeway. */
static int live_object(struct demo_cluster *dc, const char *resource, const char *ns, const cJSON *ref)
{
	cJSON *o;
	const char *del;
	int64_t t;
	int ok;

	if (!cJSON_IsObject(ref))
		return 1;
	o = objstore_get(dc->store, "", resource, ns, kj_json_str0(ref, "name"));
	ok = o && !strcmp(obj_meta_str(o, "uid"), kj_json_str0(ref, "uid"));
	del = o ? obj_meta_str(o, "deletionTimestamp") : "";
	if (ok && *del && kj_time_parse_rfc3339(del, &t) == 0 && t < kj_now() - JWTSIGN_LEEWAY)
		ok = 0;
	cJSON_Delete(o);
	return ok;
}

static int authn_sa_jwt(struct demo_cluster *dc, const char *token, const char *const *aud, size_t naud,
                        struct demo_user *u, kj_err *e)
{
	cJSON *claims = NULL;
	const cJSON *k, *sa, *pod, *secret, *node;
	const char *ns, *name;
	char *user, *g;
	int rc = -1;

	if (jwtsign_verify(demo_auth_signer(dc), token, aud, naud, &claims, e) < 0)
		return -1;
	k = cJSON_GetObjectItemCaseSensitive(claims, "kubernetes.io");
	sa = cJSON_GetObjectItemCaseSensitive(k, "serviceaccount");
	pod = cJSON_GetObjectItemCaseSensitive(k, "pod");
	secret = cJSON_GetObjectItemCaseSensitive(k, "secret");
	node = cJSON_GetObjectItemCaseSensitive(k, "node");
	ns = kj_json_str0(k, "namespace");
	name = kj_json_str0(sa, "name");
	if (!*ns || !*name) {
		kj_err_set(e, KJ_ERR_AUTH, "token lacks the kubernetes.io claims");
		goto out;
	}
	if (!live_object(dc, "serviceaccounts", ns, sa) || !live_object(dc, "secrets", ns, secret) ||
	    !live_object(dc, "pods", ns, pod)) {
		kj_err_set(e, KJ_ERR_AUTH, "service account token has been invalidated");
		goto out;
	}
	user = kj_xasprintf("system:serviceaccount:%s:%s", ns, name);
	demo_user_set(u, user, kj_json_str0(sa, "uid"));
	free(user);
	demo_user_add_group(u, "system:serviceaccounts");
	g = kj_xasprintf("system:serviceaccounts:%s", ns);
	demo_user_add_group(u, g);
	free(g);
	g = kj_xasprintf("JTI=%s", kj_json_str0(claims, "jti"));
	if (*kj_json_str0(claims, "jti"))
		demo_user_add_extra(u, CREDENTIAL_ID, g);
	free(g);
	/* in key order, as Go marshals the extra map */
	if (cJSON_IsObject(node))
		demo_user_add_extra(u, "authentication.kubernetes.io/node-name", kj_json_str0(node, "name"));
	if (cJSON_IsObject(pod)) {
		demo_user_add_extra(u, "authentication.kubernetes.io/pod-name", kj_json_str0(pod, "name"));
		demo_user_add_extra(u, "authentication.kubernetes.io/pod-uid", kj_json_str0(pod, "uid"));
	}
	rc = 0;
out:
	cJSON_Delete(claims);
	return rc;
}

int authn_token(struct demo_cluster *dc, const char *token, const char *const *aud, size_t naud,
                struct demo_user *u, kj_err *e)
{
	const char *admin = dc->admin_token;

	if (admin && *admin && strlen(admin) == strlen(token) &&
	    !CRYPTO_memcmp(admin, token, strlen(token))) {
		demo_user_set(u, AUTHN_ADMIN_TOKEN_USER, "");
		demo_user_add_group(u, "system:masters");
		return 0;
	}
	if (authn_sa_jwt(dc, token, aud, naud, u, e) == 0)
		return 0;
	/* the union authenticator reports one generic error to the client */
	return kj_err_set(e, KJ_ERR_AUTH, "invalid bearer token");
}

/* `Authorization: Bearer <token>`: scheme case-insensitive, spaces trimmed;
 * NULL when absent or empty (then the request is anonymous). */
static char *bearer(struct demo_req *r)
{
	const char *h = demo_req_header(r, "Authorization");
	size_t n;

	if (!h)
		return NULL;
	while (isspace((unsigned char)*h))
		h++;
	if (strncasecmp(h, "bearer", 6) || !isspace((unsigned char)h[6]))
		return NULL;
	h += 7;
	while (isspace((unsigned char)*h))
		h++;
	n = strlen(h);
	while (n && isspace((unsigned char)h[n - 1]))
		n--;
	return n ? kj_xstrndup(h, n) : NULL;
}

static int authenticate(struct demo_req *r)
{
	char *tok;
	kj_err e;
	int rc, x509 = authn_x509(r);

	if (x509 == 1) {
		demo_user_add_group(&r->user, "system:authenticated");
		return 1;
	}
	if ((tok = bearer(r))) {
		demo_user_done(&r->user);
		demo_user_init(&r->user);
		rc = authn_token(r->dc, tok, NULL, 0, &r->user, &e);
		kj_free_secret(tok);
		if (rc < 0) {
			demo_user_done(&r->user);
			demo_user_init(&r->user);
			return -1;
		}
		demo_user_add_group(&r->user, "system:authenticated");
		return 1;
	}
	/* kube-apiserver wraps its chain in union.NewFailOnError before the
	 * anonymous authenticator: a bad certificate is a 401, not anonymous */
	if (x509 < 0)
		return -1;
	demo_user_done(&r->user);
	demo_user_init(&r->user);
	demo_user_set(&r->user, "system:anonymous", "");
	demo_user_add_group(&r->user, "system:unauthenticated");
	return 0;
}

int authn_request(struct demo_req *r)
{
	int rc = authenticate(r), imp;

	if (rc < 0)
		return rc;
	/* the impersonation filter follows authentication (anonymous included) */
	imp = impersonate_apply(r);
	if (imp < 0)
		return -1;
	return imp > 0 ? 1 : rc;
}
