/* Shared harness of the demo cluster's HTTPS auth suites: an in-process
 * cluster per test and libcurl calls as anonymous, a bearer token, a client
 * certificate or the admin. */
#include "demo_http.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/b64.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

void start_opts(const struct demo_opts *o)
{
	kj_err e;

	kj_time_set_offset(0);
	cr_assert_eq(demo_start(o, &dc, &e), 0, "%s", e.msg);
}

struct demo_opts test_opts(void)
{
	struct demo_opts o = {0};

	/* realistic, with the delays shortened for speed */
	o.token_cache_ttl_ms = TEST_TOKEN_CACHE_MS;
	o.rbac_delay_ms = TEST_RBAC_DELAY_MS;
	o.gc_delay_ms = TEST_GC_DELAY_MS;
	o.csr_signer_delay_ms = TEST_CSR_DELAY_MS;
	return o;
}

void start_with(int64_t max_exp)
{
	struct demo_opts o = test_opts();
	kj_err e;

	o.max_token_expiration = max_exp;
	kj_time_set_offset(0);
	cr_assert_eq(demo_start(&o, &dc, &e), 0, "%s", e.msg);
}

void start(void)
{
	start_with(0);
}

void stop(void)
{
	demo_stop(dc);
	dc = NULL;
}

void restart_opts(const struct demo_opts *o)
{
	stop();
	start_opts(o);
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	kj_buf_add(ud, p, sz * n);
	return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
	struct resp *r = ud;

	if (!strncasecmp(p, "Warning:", 8) && !r->warning) {
		r->warning = kj_xstrndup(p + 9, sz * n - 9);
		r->warning[strcspn(r->warning, "\r\n")] = 0;
	}
	if (!strncasecmp(p, "Retry-After:", 12) && !r->retry_after) {
		r->retry_after = kj_xstrndup(p + 13, sz * n - 13);
		r->retry_after[strcspn(r->retry_after, "\r\n")] = 0;
	}
	return sz * n;
}

/* cred: NULL = anonymous, "admin-cert", or a bearer token; cert/key PEM
 * override for client certificates. */
struct resp call_full(const char *method, const char *path, const char *token, const char *cert,
                      const char *key, const char *const *headers, const char *body)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct curl_blob ca = {(void *)demo_ca_pem(dc), strlen(demo_ca_pem(dc)), CURL_BLOB_COPY};
	struct resp r = {0};
	kj_buf b;
	char *url = kj_xasprintf("%s%s", demo_url(dc), path), *auth = NULL;

	kj_buf_init(&b);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAPATH, NULL); /* the blob alone, as the client */
	curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Accept: application/json");
	for (; headers && *headers; headers++)
		h = curl_slist_append(h, *headers);
	if (token) {
		auth = kj_xasprintf("Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	if (cert) {
		struct curl_blob cb = {(void *)cert, strlen(cert), CURL_BLOB_COPY};
		struct curl_blob kb = {(void *)key, strlen(key), CURL_BLOB_COPY};

		curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cb);
		curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &kb);
		curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	cr_assert_eq(curl_easy_perform(c), CURLE_OK, "%s %s", method, path);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
	r.body = kj_buf_steal(&b);
	r.json = cJSON_Parse(r.body);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(url);
	kj_free_secret(auth);
	return r;
}

struct resp call_as(const char *method, const char *path, const char *token, const char *cert,
                    const char *key, const char *body)
{
	return call_full(method, path, token, cert, key, NULL, body);
}

struct resp call(const char *method, const char *path, const char *token, const char *body)
{
	return call_as(method, path, token, NULL, NULL, body);
}

struct resp admin(const char *method, const char *path, const char *body)
{
	return call_as(method, path, NULL, demo_admin_cert_pem(dc), demo_admin_key_pem(dc), body);
}

void resp_done(struct resp *r)
{
	free(r->body);
	free(r->warning);
	free(r->retry_after);
	cJSON_Delete(r->json);
	memset(r, 0, sizeof *r);
}

const char *jpath(const cJSON *o, const char *path)
{
	char *p = kj_xstrdup(path), *save = NULL, *tok;
	const cJSON *cur = o;
	static char num[64];

	for (tok = strtok_r(p, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save))
		cur = cJSON_IsArray(cur) ? cJSON_GetArrayItem(cur, atoi(tok))
		                         : cJSON_GetObjectItemCaseSensitive(cur, tok);
	free(p);
	if (cJSON_IsString(cur))
		return cur->valuestring;
	if (cJSON_IsNumber(cur)) {
		snprintf(num, sizeof num, "%.0f", cur->valuedouble);
		return num;
	}
	if (cJSON_IsBool(cur))
		return cJSON_IsTrue(cur) ? "true" : "false";
	return cJSON_IsNull(cur) ? "null" : "";
}

void expect(struct resp *r, long code)
{
	cr_assert_eq(r->code, code, "got %ld: %s", r->code, r->body);
}

/* admin creates, asserting 201 */
void create(const char *path, const char *body)
{
	struct resp r = admin("POST", path, body);

	expect(&r, 201);
	resp_done(&r);
}

void make_sa(const char *ns, const char *name)
{
	char *path = kj_xasprintf("/api/v1/namespaces/%s/serviceaccounts", ns);
	char *body = kj_xasprintf(
	    "{\"kind\":\"ServiceAccount\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"%s\"}}", name);

	create(path, body);
	free(path);
	free(body);
}

static const char *const kubectl_token_body =
    "{\"kind\":\"TokenRequest\",\"apiVersion\":\"authentication.k8s.io/v1\","
    "\"metadata\":{\"creationTimestamp\":null},\"spec\":{\"audiences\":null,"
    "\"expirationSeconds\":%s,\"boundObjectRef\":%s},\"status\":{\"token\":\"\","
    "\"expirationTimestamp\":null}}";

struct resp token_request(const char *ns, const char *sa, const char *secs, const char *ref)
{
	char *path = kj_xasprintf("/api/v1/namespaces/%s/serviceaccounts/%s/token", ns, sa);
	char *body = kj_xasprintf(kubectl_token_body, secs, ref);
	struct resp r = admin("POST", path, body);

	free(path);
	free(body);
	return r;
}

/* a token for ns/sa (asserts 201); caller frees */
char *token_for(const char *ns, const char *sa, const char *secs, const char *ref)
{
	struct resp r = token_request(ns, sa, secs, ref);
	char *t;

	expect(&r, 201);
	t = kj_xstrdup(jpath(r.json, "status.token"));
	resp_done(&r);
	return t;
}

char *new_sa_token(const char *ns, const char *name)
{
	make_sa(ns, name);
	return token_for(ns, name, "null", "null");
}

struct resp whoami_as(const char *token, const char *cert, const char *key, const char *const *headers)
{
	return call_full("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", token, cert, key,
	                 headers, "{}");
}

struct resp whoami(const char *token)
{
	return call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", token,
	            "{\"kind\":\"SelfSubjectReview\",\"apiVersion\":\"authentication.k8s.io/v1\","
	            "\"metadata\":{\"creationTimestamp\":null},\"status\":{\"userInfo\":{}}}");
}

const char *const unauthorized_body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
                                      "\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\","
                                      "\"code\":401}";

void expect_unauthorized(const char *token)
{
	struct resp r = whoami(token);

	expect(&r, 401);
	cr_assert_str_eq(r.body, unauthorized_body);
	resp_done(&r);
}

void expect_revoked(const char *token)
{
	int64_t t0 = kj_mono_ms(), waited;
	struct resp r = whoami(token);

	/* the API server's token cache still knows it */
	expect(&r, 201);
	resp_done(&r);
	for (;;) {
		r = whoami(token);
		waited = kj_mono_ms() - t0;
		if (r.code == 401)
			break;
		expect(&r, 201);
		resp_done(&r);
		cr_assert_lt(waited, TEST_TOKEN_CACHE_MS + 2000, "token still accepted after %lld ms",
		             (long long)waited);
		usleep(20000);
	}
	cr_assert_str_eq(r.body, unauthorized_body);
	resp_done(&r);
}

long poll_code(const char *method, const char *path, const char *token, const char *body, long want,
               int bound_ms)
{
	int64_t t0 = kj_mono_ms();
	long code;

	for (;;) {
		struct resp r = call(method, path, token, body);

		code = r.code;
		resp_done(&r);
		if (code == want || kj_mono_ms() - t0 > bound_ms)
			return code;
		usleep(20000);
	}
}

const char *const role_body =
    "{\"kind\":\"Role\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"metadata\":"
    "{\"name\":\"%s\"},\"rules\":[{\"verbs\":[%s],\"apiGroups\":[\"\"],"
    "\"resources\":[\"%s\"]}]}";
const char *const rb_body =
    "{\"kind\":\"RoleBinding\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
    "\"metadata\":{\"name\":\"%s\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\","
    "\"kind\":\"%s\",\"name\":\"%s\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":"
    "\"%s\",\"namespace\":\"dev\"}]}";

void grant(const char *role, const char *verbs, const char *res, const char *sa)
{
	char *b = kj_xasprintf(role_body, role, verbs, res);

	create("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", b);
	free(b);
	b = kj_xasprintf(rb_body, role, "Role", role, sa);
	create("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", b);
	free(b);
}

char *csr_body(const char *name, const char *csr_pem, const char *secs)
{
	char *b64 = kj_b64_encode(csr_pem, strlen(csr_pem));
	char *exp = secs ? kj_xasprintf("\"expirationSeconds\":%s,", secs) : kj_xstrdup("");
	char *body =
	    kj_xasprintf("{\"apiVersion\":\"certificates.k8s.io/v1\",\"kind\":\"CertificateSigningRequest\","
	                 "\"metadata\":{\"name\":\"%s\"},\"spec\":{\"request\":\"%s\",\"signerName\":"
	                 "\"kubernetes.io/kube-apiserver-client\",%s\"usages\":[\"client auth\"]}}",
	                 name, b64, exp);

	free(b64);
	free(exp);
	return body;
}

void make_csr(const char *cn, const char *org, char **csr_pem, char **key_pem)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	X509_REQ *req = X509_REQ_new();
	X509_NAME *n = X509_NAME_new();
	BIO *b;
	BUF_MEM *m;

	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)org, -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_REQ_set_subject_name(req, n);
	X509_REQ_set_pubkey(req, k);
	X509_REQ_sign(req, k, EVP_sha256());
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509_REQ(b, req);
	BIO_get_mem_ptr(b, &m);
	*csr_pem = kj_xstrndup(m->data, m->length);
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	BIO_get_mem_ptr(b, &m);
	*key_pem = kj_xstrndup(m->data, m->length);
	BIO_free(b);
	X509_NAME_free(n);
	X509_REQ_free(req);
	EVP_PKEY_free(k);
}
