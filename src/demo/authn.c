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

/* ------------------------------------------------------- token cache */

struct authn_cache_entry {
	unsigned char key[SHA256_DIGEST_LENGTH]; /* of the token and audiences, never the token */
	int64_t until_ms;
	struct demo_user user;
};

static void add_length(kj_buf *b, uint32_t len)
{
	unsigned char be[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
	                       (unsigned char)(len >> 8), (unsigned char)len};

	kj_buf_add(b, be, sizeof be);
}

static void add_prefixed(kj_buf *b, const char *s)
{
	add_length(b, (uint32_t)strlen(s));
	kj_buf_add(b, s, strlen(s));
}

static void cache_key(const char *token, const char *const *aud, size_t naud,
                      unsigned char key[SHA256_DIGEST_LENGTH])
{
	kj_buf b;
	size_t i;

	/* length-prefixed, as token/cache keyFunc: "xy"+"z" differs from "x"+"yz" */
	kj_buf_init(&b);
	add_prefixed(&b, token);
	add_length(&b, (uint32_t)naud);
	for (i = 0; i < naud; i++)
		add_prefixed(&b, aud[i]);
	SHA256((const unsigned char *)b.data, b.len, key);
	kj_wipe(b.data, b.len);
	kj_buf_done(&b);
}

static void user_copy(struct demo_user *dst, const struct demo_user *src)
{
	size_t i;

	demo_user_set(dst, src->name, src->uid ? src->uid : "");
	for (i = 0; i < src->ngroups; i++)
		demo_user_add_group(dst, src->groups[i]);
	cJSON_Delete(dst->extra);
	dst->extra = src->extra ? cJSON_Duplicate(src->extra, 1) : NULL;
}

static int cache_get(struct demo_cluster *dc, const unsigned char *key, struct demo_user *u)
{
	struct demo_auth *st = dc->auth_state;
	int64_t now = kj_mono_ms();
	size_t i;
	int hit = 0;

	pthread_mutex_lock(&st->cache_lock);
	for (i = 0; i < st->ncache && !hit; i++)
		if (st->cache[i].until_ms > now &&
		    !CRYPTO_memcmp(st->cache[i].key, key, SHA256_DIGEST_LENGTH)) {
			user_copy(u, &st->cache[i].user);
			hit = 1;
		}
	pthread_mutex_unlock(&st->cache_lock);
	return hit;
}

static void cache_put(struct demo_cluster *dc, const unsigned char *key, const struct demo_user *u)
{
	struct demo_auth *st = dc->auth_state;
	int64_t now = kj_mono_ms();
	size_t i = 0;
	struct authn_cache_entry *ent;

	pthread_mutex_lock(&st->cache_lock);
	while (i < st->ncache) {
		if (st->cache[i].until_ms <= now) {
			demo_user_done(&st->cache[i].user);
			st->cache[i] = st->cache[--st->ncache];
		} else {
			i++;
		}
	}
	if (st->ncache == st->cache_cap) {
		st->cache_cap = st->cache_cap ? 2 * st->cache_cap : 64;
		st->cache = kj_xrealloc(st->cache, st->cache_cap * sizeof(*st->cache));
	}
	ent = &st->cache[st->ncache++];
	memcpy(ent->key, key, SHA256_DIGEST_LENGTH);
	ent->until_ms = now + dc->token_cache_ttl_ms;
	demo_user_init(&ent->user);
	user_copy(&ent->user, u);
	pthread_mutex_unlock(&st->cache_lock);
}

void authn_cache_free(struct demo_auth *st)
{
	size_t i;

	for (i = 0; i < st->ncache; i++)
		demo_user_done(&st->cache[i].user);
	free(st->cache);
	st->cache = NULL;
	st->ncache = st->cache_cap = 0;
}

static int authn_token_uncached(struct demo_cluster *dc, const char *token, const char *const *aud,
                                size_t naud, struct demo_user *u, kj_err *e)
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

int authn_token(struct demo_cluster *dc, const char *token, const char *const *aud, size_t naud,
                struct demo_user *u, kj_err *e)
{
	unsigned char key[SHA256_DIGEST_LENGTH];

	if (dc->token_cache_ttl_ms <= 0)
		return authn_token_uncached(dc, token, aud, naud, u, e);
	cache_key(token, aud, naud, key);
	if (cache_get(dc, key, u))
		return 0;
	if (authn_token_uncached(dc, token, aud, naud, u, e) < 0)
		return -1;
	cache_put(dc, key, u);
	return 0;
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
