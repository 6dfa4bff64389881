#include "demo/jwtsign.h"
#include "demo/statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "util/json.h"
#include "util/b64.h"
#include "util/file.h"
#include "util/i18n.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

struct jwt_signer {
	EVP_PKEY *key;
	char kid[64];
};

static const char *const api_audiences[] = {JWTSIGN_ISSUER};

static EVP_PKEY *load_key(const char *path)
{
	char *pem;
	size_t len;
	BIO *mem;
	EVP_PKEY *k = NULL;

	if (kj_file_read(path, 1u << 20, &pem, &len, NULL) < 0)
		return NULL;
	mem = BIO_new_mem_buf(pem, (int)len);
	if (mem)
		k = PEM_read_bio_PrivateKey(mem, NULL, NULL, NULL);
	BIO_free(mem);
	kj_wipe(pem, len);
	free(pem);
	return k;
}

static int store_key(EVP_PKEY *k, const char *path, kj_err *e)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *data = NULL;
	long len;
	int rc;

	if (!mem || PEM_write_bio_PrivateKey(mem, k, NULL, NULL, 0, NULL, NULL) != 1 ||
	    (len = BIO_get_mem_data(mem, &data)) <= 0) {
		BIO_free(mem);
		return kj_err_set(e, KJ_ERR_FAIL, _("cannot write the token signing key %s"), path);
	}
	rc = demo_state_write(path, data, (size_t)len, e);
	OPENSSL_cleanse(data, (size_t)len);
	BIO_free(mem);
	return rc;
}

static int compute_kid(struct jwt_signer *s)
{
	unsigned char *der = NULL, md[SHA256_DIGEST_LENGTH];
	int n = i2d_PUBKEY(s->key, &der);
	char *enc;

	if (n <= 0)
		return -1;
	SHA256(der, (size_t)n, md);
	OPENSSL_free(der);
	enc = kj_b64url_encode(md, sizeof md);
	snprintf(s->kid, sizeof s->kid, "%s", enc);
	free(enc);
	return 0;
}

int jwtsign_open(const char *state_dir, struct jwt_signer **out, kj_err *e)
{
	struct jwt_signer *s = kj_xcalloc(1, sizeof *s);
	char *path = state_dir ? kj_xasprintf("%s/sa.key", state_dir) : NULL;

	*out = NULL;
	if (path)
		s->key = load_key(path);
	if (!s->key) {
		s->key = EVP_RSA_gen(2048);
		if (!s->key) {
			free(path);
			free(s);
			return kj_err_set(e, KJ_ERR_FAIL, _("cannot generate the token signing key"));
		}
		if (path && store_key(s->key, path, e) < 0) {
			free(path);
			jwtsign_free(s);
			return -1;
		}
	}
	free(path);
	if (EVP_PKEY_get_base_id(s->key) != EVP_PKEY_RSA || compute_kid(s) < 0) {
		jwtsign_free(s);
		return kj_err_set(e, KJ_ERR_FAIL, _("the token signing key is not an RSA key"));
	}
	*out = s;
	return 0;
}

void jwtsign_free(struct jwt_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key);
	free(s);
}

const char *jwtsign_kid(const struct jwt_signer *s)
{
	return s->kid;
}

static char *b64url_json(const cJSON *j)
{
	char *txt = cJSON_PrintUnformatted(j);
	char *enc = kj_b64url_encode(txt, strlen(txt));

	free(txt);
	return enc;
}

/* Go's ref{name,uid} with omitempty */
static cJSON *ref_obj(const char *name, const char *uid)
{
	cJSON *r = cJSON_CreateObject();

	if (name && *name)
		cJSON_AddStringToObject(r, "name", name);
	if (uid && *uid)
		cJSON_AddStringToObject(r, "uid", uid);
	return r;
}

/* Keys in the order Go's encoder gives them: top level sorted (go-jose
 * merges into a map), kubernetes.io in struct order. */
static cJSON *build_claims(const struct jwt_sa_claims *c, const char *jti)
{
	cJSON *p = cJSON_CreateObject(), *aud = cJSON_AddArrayToObject(p, "aud"), *k;
	const char *const *a = c->naud ? c->aud : api_audiences;
	size_t n = c->naud ? c->naud : 1, i;
	int64_t iat = c->iat ? c->iat : kj_now();
	char *sub;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(aud, cJSON_CreateString(a[i]));
	cJSON_AddNumberToObject(p, "exp", (double)(iat + c->ttl));
	cJSON_AddNumberToObject(p, "iat", (double)iat);
	cJSON_AddStringToObject(p, "iss", JWTSIGN_ISSUER);
	cJSON_AddStringToObject(p, "jti", jti);
	k = cJSON_AddObjectToObject(p, "kubernetes.io");
	cJSON_AddStringToObject(k, "namespace", c->ns);
	cJSON_AddItemToObject(k, "serviceaccount", ref_obj(c->sa_name, c->sa_uid));
	if (c->bound_kind && !strcmp(c->bound_kind, "Pod"))
		cJSON_AddItemToObject(k, "pod", ref_obj(c->bound_name, c->bound_uid));
	else if (c->bound_kind && !strcmp(c->bound_kind, "Secret"))
		cJSON_AddItemToObject(k, "secret", ref_obj(c->bound_name, c->bound_uid));
	/* the demo cluster has no Node objects: the node is known by name only */
	if (c->node_name && *c->node_name)
		cJSON_AddItemToObject(k, "node", ref_obj(c->node_name, NULL));
	if (c->warnafter)
		cJSON_AddNumberToObject(k, "warnafter", (double)c->warnafter);
	cJSON_AddNumberToObject(p, "nbf", (double)iat);
	sub = kj_xasprintf("system:serviceaccount:%s:%s", c->ns, c->sa_name);
	cJSON_AddStringToObject(p, "sub", sub);
	free(sub);
	return p;
}

static int rs256_sign(EVP_PKEY *key, const char *data, unsigned char **sig, size_t *siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = 0;

	*sig = NULL;
	if (ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestSign(ctx, NULL, siglen, (const unsigned char *)data, strlen(data)) == 1) {
		*sig = kj_xmalloc(*siglen);
		ok = EVP_DigestSign(ctx, *sig, siglen, (const unsigned char *)data, strlen(data)) == 1;
	}
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		free(*sig);
		*sig = NULL;
	}
	return ok ? 0 : -1;
}

char *jwtsign_issue(const struct jwt_signer *s, const struct jwt_sa_claims *c, char jti_out[37], kj_err *e)
{
	cJSON *h = cJSON_CreateObject(), *p;
	char jti[37], *hs, *ps, *input, *sigs, *tok;
	unsigned char *sig;
	size_t siglen;

	if (!c->ns || !c->sa_name) {
		cJSON_Delete(h);
		kj_err_set(e, KJ_ERR_FAIL, _("token claims lack a ServiceAccount"));
		return NULL;
	}
	kj_uuid4(jti);
	cJSON_AddStringToObject(h, "alg", "RS256");
	cJSON_AddStringToObject(h, "kid", s->kid);
	p = build_claims(c, jti);
	hs = b64url_json(h);
	ps = b64url_json(p);
	cJSON_Delete(h);
	cJSON_Delete(p);
	input = kj_xasprintf("%s.%s", hs, ps);
	free(hs);
	free(ps);
	if (rs256_sign(s->key, input, &sig, &siglen) < 0) {
		free(input);
		kj_err_set(e, KJ_ERR_FAIL, _("cannot sign the token"));
		return NULL;
	}
	sigs = kj_b64url_encode(sig, siglen);
	tok = kj_xasprintf("%s.%s", input, sigs);
	free(sig);
	free(sigs);
	free(input);
	if (jti_out)
		memcpy(jti_out, jti, sizeof jti);
	demo_note_secret(tok);
	return tok;
}

static cJSON *decode_part(const char *s, size_t n)
{
	char *seg = kj_xstrndup(s, n);
	unsigned char *raw = kj_b64url_decode(seg, NULL);
	cJSON *j = raw ? cJSON_Parse((char *)raw) : NULL;

	free(seg);
	free(raw);
	if (j && !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		j = NULL;
	}
	return j;
}

static int rs256_verify(EVP_PKEY *key, const char *data, size_t dlen, const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	         EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)data, dlen) == 1;

	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

static int aud_intersects(const cJSON *claim, const char *const *aud, size_t naud)
{
	const cJSON *it;
	size_t i;

	if (cJSON_IsString(claim)) {
		for (i = 0; i < naud; i++)
			if (!strcmp(claim->valuestring, aud[i]))
				return 1;
		return 0;
	}
	cJSON_ArrayForEach(it, claim)
	{
		if (!cJSON_IsString(it))
			continue;
		for (i = 0; i < naud; i++)
			if (!strcmp(it->valuestring, aud[i]))
				return 1;
	}
	return 0;
}

static int check_times(const cJSON *p, kj_err *e)
{
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(p, "exp");
	const cJSON *nbf = cJSON_GetObjectItemCaseSensitive(p, "nbf");
	const cJSON *iat = cJSON_GetObjectItemCaseSensitive(p, "iat");
	int64_t now = kj_now();

	/* go-jose ValidateWithLeeway: the same leeway on every bound */
	if (cJSON_IsNumber(nbf) &&
	    now + JWTSIGN_LEEWAY < kj_clamp_double(nbf->valuedouble, INT64_MIN, INT64_MAX))
		return kj_err_set(e, KJ_ERR_AUTH,
		                  "square/go-jose/jwt: validation failed, token not valid yet (nbf)");
	if (cJSON_IsNumber(exp) &&
	    now - JWTSIGN_LEEWAY > kj_clamp_double(exp->valuedouble, INT64_MIN, INT64_MAX))
		return kj_err_set(e, KJ_ERR_AUTH,
		                  "square/go-jose/jwt: validation failed, token is expired (exp)");
	if (cJSON_IsNumber(iat) &&
	    now + JWTSIGN_LEEWAY < kj_clamp_double(iat->valuedouble, INT64_MIN, INT64_MAX))
		return kj_err_set(e, KJ_ERR_AUTH,
		                  "square/go-jose/jwt: validation field, token issued in the future (iat)");
	return 0;
}

int jwtsign_verify(const struct jwt_signer *s, const char *token, const char *const *aud, size_t naud,
                   cJSON **claims, kj_err *e)
{
	const char *d1, *d2;
	cJSON *h = NULL, *p = NULL;
	const cJSON *alg, *kid, *iss;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	int rc = -1;

	*claims = NULL;
	if (!aud || !naud) {
		aud = api_audiences;
		naud = 1;
	}
	if (!token || !(d1 = strchr(token, '.')) || !(d2 = strchr(d1 + 1, '.')) || strchr(d2 + 1, '.'))
		return kj_err_set(e, KJ_ERR_AUTH, "token is not a compact JWT");
	h = decode_part(token, (size_t)(d1 - token));
	p = decode_part(d1 + 1, (size_t)(d2 - d1 - 1));
	alg = cJSON_GetObjectItemCaseSensitive(h, "alg");
	kid = cJSON_GetObjectItemCaseSensitive(h, "kid");
	if (!h || !p) {
		kj_err_set(e, KJ_ERR_AUTH, "token header or payload is not base64url JSON");
		goto out;
	}
	if (!cJSON_IsString(alg) || strcmp(alg->valuestring, "RS256")) {
		kj_err_set(e, KJ_ERR_AUTH, "token signed with an unsupported algorithm");
		goto out;
	}
	/* kid is only a hint, but a mismatching one cannot verify with our key */
	if (cJSON_IsString(kid) && strcmp(kid->valuestring, s->kid)) {
		kj_err_set(e, KJ_ERR_AUTH, "token signed by an unknown key");
		goto out;
	}
	sig = kj_b64url_decode(d2 + 1, &siglen);
	if (!sig || rs256_verify(s->key, token, (size_t)(d2 - token), sig, siglen) < 0) {
		kj_err_set(e, KJ_ERR_AUTH, "invalid signature");
		goto out;
	}
	iss = cJSON_GetObjectItemCaseSensitive(p, "iss");
	if (!cJSON_IsString(iss) || strcmp(iss->valuestring, JWTSIGN_ISSUER)) {
		kj_err_set(e, KJ_ERR_AUTH, "token issuer is not accepted");
		goto out;
	}
	if (!aud_intersects(cJSON_GetObjectItemCaseSensitive(p, "aud"), aud, naud)) {
		kj_err_set(e, KJ_ERR_AUTH, "token audiences are invalid for the target audiences");
		goto out;
	}
	if (check_times(p, e) < 0)
		goto out;
	*claims = p;
	p = NULL;
	rc = 0;
out:
	free(sig);
	cJSON_Delete(h);
	cJSON_Delete(p);
	return rc;
}

static void add_bn(cJSON *o, const char *key, const EVP_PKEY *k, const char *param)
{
	BIGNUM *bn = NULL;
	unsigned char *raw;
	char *enc;
	int n;

	if (EVP_PKEY_get_bn_param(k, param, &bn) != 1)
		return;
	n = BN_num_bytes(bn);
	raw = kj_xmalloc((size_t)n + 1);
	BN_bn2bin(bn, raw);
	enc = kj_b64url_encode(raw, (size_t)n);
	cJSON_AddStringToObject(o, key, enc);
	free(enc);
	free(raw);
	BN_free(bn);
}

cJSON *jwtsign_jwk(const struct jwt_signer *s)
{
	cJSON *k = cJSON_CreateObject();

	cJSON_AddStringToObject(k, "use", "sig");
	cJSON_AddStringToObject(k, "kty", "RSA");
	cJSON_AddStringToObject(k, "kid", s->kid);
	cJSON_AddStringToObject(k, "alg", "RS256");
	add_bn(k, "n", s->key, OSSL_PKEY_PARAM_RSA_N);
	add_bn(k, "e", s->key, OSSL_PKEY_PARAM_RSA_E);
	return k;
}
