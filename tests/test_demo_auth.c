/* Authentication, authorisation and the auth APIs of the demo cluster, tested
 * over HTTPS against a cluster started in-process (libcurl, no kube client). */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "demo/demo.h"
#include "util/b64.h"
#include "util/jwt.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

static struct demo_cluster *dc;

static void start_with(int64_t max_exp)
{
	struct demo_opts o = {0};
	kj_err e;

	o.max_token_expiration = max_exp;
	kj_time_set_offset(0);
	cr_assert_eq(demo_start(&o, &dc, &e), 0, "%s", e.msg);
}

static void start(void)
{
	start_with(0);
}

static void stop(void)
{
	demo_stop(dc);
	dc = NULL;
}

struct resp {
	long code;
	char *body;
	char *warning;
	cJSON *json;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	kj_buf_add(ud, p, sz * n);
	return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
	char **w = ud;

	if (!strncasecmp(p, "Warning:", 8) && !*w) {
		*w = kj_xstrndup(p + 9, sz * n - 9);
		(*w)[strcspn(*w, "\r\n")] = 0;
	}
	return sz * n;
}

/* cred: NULL = anonymous, "admin-cert", or a bearer token; cert/key PEM
 * override for client certificates. */
static struct resp call_as(const char *method, const char *path, const char *token, const char *cert,
                           const char *key, const char *body)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct curl_blob ca = {(void *)demo_ca_pem(dc), strlen(demo_ca_pem(dc)), CURL_BLOB_COPY};
	struct resp r = {0};
	kj_buf b;
	char *url = kj_xasprintf("%s%s", demo_url(dc), path), *auth = NULL;

	kj_buf_init(&b);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.warning);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Accept: application/json");
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

static struct resp call(const char *method, const char *path, const char *token, const char *body)
{
	return call_as(method, path, token, NULL, NULL, body);
}

static struct resp admin(const char *method, const char *path, const char *body)
{
	return call_as(method, path, NULL, demo_admin_cert_pem(dc), demo_admin_key_pem(dc), body);
}

static void resp_done(struct resp *r)
{
	free(r->body);
	free(r->warning);
	cJSON_Delete(r->json);
	memset(r, 0, sizeof *r);
}

static const char *jpath(const cJSON *o, const char *path)
{
	char *p = kj_xstrdup(path), *save = NULL, *tok;
	const cJSON *cur = o;
	static char num[64];

	for (tok = strtok_r(p, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save))
		cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
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

static void expect(struct resp *r, long code)
{
	cr_assert_eq(r->code, code, "got %ld: %s", r->code, r->body);
}

/* admin creates, asserting 201 */
static void create(const char *path, const char *body)
{
	struct resp r = admin("POST", path, body);

	expect(&r, 201);
	resp_done(&r);
}

static void make_sa(const char *ns, const char *name)
{
	char *path = kj_xasprintf("/api/v1/namespaces/%s/serviceaccounts", ns);
	char *body = kj_xasprintf(
	    "{\"kind\":\"ServiceAccount\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"%s\"}}", name);

	create(path, body);
	free(path);
	free(body);
}

static const char *kubectl_token_body =
    "{\"kind\":\"TokenRequest\",\"apiVersion\":\"authentication.k8s.io/v1\","
    "\"metadata\":{\"creationTimestamp\":null},\"spec\":{\"audiences\":null,"
    "\"expirationSeconds\":%s,\"boundObjectRef\":%s},\"status\":{\"token\":\"\","
    "\"expirationTimestamp\":null}}";

static struct resp token_request(const char *ns, const char *sa, const char *secs, const char *ref)
{
	char *path = kj_xasprintf("/api/v1/namespaces/%s/serviceaccounts/%s/token", ns, sa);
	char *body = kj_xasprintf(kubectl_token_body, secs, ref);
	struct resp r = admin("POST", path, body);

	free(path);
	free(body);
	return r;
}

/* a token for ns/sa (asserts 201); caller frees */
static char *token_for(const char *ns, const char *sa, const char *secs, const char *ref)
{
	struct resp r = token_request(ns, sa, secs, ref);
	char *t;

	expect(&r, 201);
	t = kj_xstrdup(jpath(r.json, "status.token"));
	resp_done(&r);
	return t;
}

static struct resp whoami(const char *token)
{
	return call("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", token,
	            "{\"kind\":\"SelfSubjectReview\",\"apiVersion\":\"authentication.k8s.io/v1\","
	            "\"metadata\":{\"creationTimestamp\":null},\"status\":{\"userInfo\":{}}}");
}

static const char *unauthorized_body =
    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
    "\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\","
    "\"code\":401}";

static void expect_unauthorized(const char *token)
{
	struct resp r = whoami(token);

	expect(&r, 401);
	cr_assert_str_eq(r.body, unauthorized_body);
	resp_done(&r);
}

TestSuite(auth, .init = start, .fini = stop, .timeout = 60);

/* ------------------------------------------------------- TokenRequest */

Test(auth, token_request_defaults_claims_and_whoami)
{
	struct resp r;
	cJSON *h, *p;
	kj_err e;
	int64_t created, expires, exp;
	char *tok;

	make_sa("dev", "ci");
	r = token_request("dev", "ci", "null", "null");
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "kind"), "TokenRequest");
	cr_assert_str_eq(jpath(r.json, "metadata.name"), "ci");
	cr_assert_str_eq(jpath(r.json, "metadata.namespace"), "dev");
	cr_assert_str_eq(jpath(r.json, "spec.expirationSeconds"), "3600");
	cr_assert_str_eq(jpath(r.json, "spec.boundObjectRef"), "null");
	cr_assert(strstr(r.body, "\"audiences\":[\"https://kubernetes.default.svc.cluster.local\"]"));
	cr_assert_eq(kj_time_parse_rfc3339(jpath(r.json, "metadata.creationTimestamp"), &created), 0);
	cr_assert_eq(kj_time_parse_rfc3339(jpath(r.json, "status.expirationTimestamp"), &expires), 0);
	cr_assert_eq(expires - created, 3600);
	tok = kj_xstrdup(jpath(r.json, "status.token"));
	resp_done(&r);

	cr_assert_eq(kj_jwt_decode(tok, &h, &p, &e), 0);
	cr_assert_str_eq(jpath(h, "alg"), "RS256");
	cr_assert_eq(strlen(jpath(h, "kid")), 43);
	cr_assert_null(cJSON_GetObjectItem(h, "typ"));
	cr_assert_str_eq(jpath(p, "sub"), "system:serviceaccount:dev:ci");
	cr_assert_str_eq(jpath(p, "iss"), "https://kubernetes.default.svc.cluster.local");
	cr_assert(cJSON_IsArray(cJSON_GetObjectItem(p, "aud")));
	cr_assert_str_eq(jpath(cJSON_GetObjectItem(p, "kubernetes.io"), "namespace"), "dev");
	cr_assert_str_eq(jpath(cJSON_GetObjectItem(p, "kubernetes.io"), "serviceaccount.name"), "ci");
	cr_assert_str_eq(jpath(p, "nbf"), jpath(p, "iat"));
	exp = (int64_t)cJSON_GetObjectItem(p, "exp")->valuedouble;
	cr_assert_geq(exp, expires);

	r = whoami(tok);
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "status.userInfo.username"), "system:serviceaccount:dev:ci");
	cr_assert_str_eq(jpath(cJSON_GetObjectItem(p, "kubernetes.io"), "serviceaccount.uid"),
	                 jpath(r.json, "status.userInfo.uid"));
	cr_assert(strstr(r.body, "\"groups\":[\"system:serviceaccounts\",\"system:serviceaccounts:dev\","
	                         "\"system:authenticated\"]"),
	          "%s", r.body);
	{
		char *want =
		    kj_xasprintf("\"extra\":{\"authentication.kubernetes.io/credential-id\":[\"JTI=%s\"]}",
		                 jpath(p, "jti"));
		cr_assert(strstr(r.body, want), "%s", r.body);
		free(want);
	}
	resp_done(&r);
	cJSON_Delete(h);
	cJSON_Delete(p);
	kj_free_secret(tok);
}

Test(auth, token_request_validation_order_and_texts)
{
	struct resp r;

	/* a missing ServiceAccount is reported before a bad expiration */
	r = token_request("dev", "nobody", "60", "null");
	expect(&r, 404);
	cr_assert_str_eq(jpath(r.json, "message"), "serviceaccounts \"nobody\" not found");
	resp_done(&r);
	make_sa("dev", "ci");
	r = token_request("dev", "ci", "60", "null");
	expect(&r, 422);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "TokenRequest.authentication.k8s.io \"\" is invalid: "
	                 "spec.expirationSeconds: Invalid value: 60: may not specify a "
	                 "duration less than 10 minutes");
	cr_assert_str_eq(jpath(r.json, "details.kind"), "TokenRequest");
	resp_done(&r);
	r = token_request("dev", "ci", "4294967297", "null");
	expect(&r, 422);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "TokenRequest.authentication.k8s.io \"\" is invalid: "
	                 "spec.expirationSeconds: Invalid value: 4294967297: may not specify a "
	                 "duration larger than 2^32 seconds");
	resp_done(&r);
	r = admin("POST", "/api/v1/namespaces/dev/serviceaccounts/ci/token",
	          "{\"metadata\":{\"name\":\"other\"},\"spec\":{}}");
	expect(&r, 422);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "TokenRequest.authentication.k8s.io \"ci\" is invalid: "
	                 "metadata.name: Invalid value: \"other\": must match the service "
	                 "account name if specified");
	resp_done(&r);
	r = token_request("dev", "ci", "600", "null");
	expect(&r, 201);
	resp_done(&r);
}

Test(authcap, max_expiration_caps_with_a_warning, .fini = stop, .timeout = 60)
{
	struct resp r;

	start_with(7200);
	make_sa("dev", "ci");
	r = token_request("dev", "ci", "86400", "null");
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "spec.expirationSeconds"), "7200");
	cr_assert_str_eq(r.warning,
	                 "299 - \"requested expiration of 86400 seconds shortened to 7200 seconds\"");
	resp_done(&r);
	r = token_request("dev", "ci", "3600", "null");
	expect(&r, 201);
	cr_assert_null(r.warning);
	resp_done(&r);
}

Test(auth, bound_object_refs)
{
	struct resp r;
	char *tok, *ref, *uid;

	make_sa("dev", "ci");
	make_sa("dev", "other");
	create("/api/v1/namespaces/dev/pods",
	       "{\"metadata\":{\"name\":\"p1\"},\"spec\":{\"serviceAccountName\":"
	       "\"other\",\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}");
	r = token_request("dev", "ci", "null", "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"p1\"}");
	expect(&r, 400);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "cannot bind token for serviceaccount \"ci\" to pod running with "
	                 "different serviceaccount name.");
	resp_done(&r);
	r = token_request("dev", "ci", "null", "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"nope\"}");
	expect(&r, 404);
	cr_assert_str_eq(jpath(r.json, "message"), "pods \"nope\" not found");
	resp_done(&r);
	r = token_request("dev", "ci", "null",
	                  "{\"kind\":\"Deployment\",\"apiVersion\":\"apps/v1\",\"name\":\"d\"}");
	expect(&r, 400);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "cannot bind token to object of type apps/v1, Kind=Deployment");
	resp_done(&r);
	r = token_request("dev", "ci", "null",
	                  "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"name\":\"d\"}");
	expect(&r, 400);
	cr_assert_str_eq(jpath(r.json, "message"), "cannot bind token to object of type /v1, Kind=ConfigMap");
	resp_done(&r);

	create("/api/v1/namespaces/dev/secrets", "{\"metadata\":{\"name\":\"s1\"},\"type\":\"Opaque\"}");
	r = token_request(
	    "dev", "ci", "null",
	    "{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"name\":\"s1\",\"uid\":\"not-the-uid\"}");
	expect(&r, 409);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "Operation cannot be fulfilled on Secret \"s1\": the UID in the "
	                 "bound object reference (not-the-uid) does not match the UID in "
	                 "record. The object might have been deleted and then recreated");
	cr_assert_str_eq(jpath(r.json, "details.kind"), "Secret");
	resp_done(&r);
	r = admin("GET", "/api/v1/namespaces/dev/secrets/s1", NULL);
	uid = kj_xstrdup(jpath(r.json, "metadata.uid"));
	resp_done(&r);
	ref = kj_xasprintf("{\"kind\":\"Secret\",\"apiVersion\":\"v1\",\"name\":\"s1\",\"uid\":\"%s\"}", uid);
	tok = token_for("dev", "ci", "null", ref);
	r = whoami(tok);
	expect(&r, 201);
	resp_done(&r);
	/* the token dies with its Secret, and stays dead when it is recreated */
	r = admin("DELETE", "/api/v1/namespaces/dev/secrets/s1", NULL);
	expect(&r, 200);
	resp_done(&r);
	expect_unauthorized(tok);
	create("/api/v1/namespaces/dev/secrets", "{\"metadata\":{\"name\":\"s1\"},\"type\":\"Opaque\"}");
	expect_unauthorized(tok);
	kj_free_secret(tok);
	free(ref);
	free(uid);
}

Test(auth, pod_bound_token_names_the_pod)
{
	struct resp r;
	char *tok;

	make_sa("dev", "ci");
	create("/api/v1/namespaces/dev/pods",
	       "{\"metadata\":{\"name\":\"p2\"},\"spec\":{\"serviceAccountName\":"
	       "\"ci\",\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}");
	tok = token_for("dev", "ci", "null", "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"p2\"}");
	r = whoami(tok);
	expect(&r, 201);
	cr_assert(strstr(r.body, "\"authentication.kubernetes.io/pod-name\":[\"p2\"]"), "%s", r.body);
	resp_done(&r);
	r = admin("DELETE", "/api/v1/namespaces/dev/pods/p2", NULL);
	resp_done(&r);
	expect_unauthorized(tok);
	kj_free_secret(tok);
}

/* ------------------------------------------------------ authentication */

Test(auth, sa_delete_and_recreate_kill_tokens)
{
	struct resp r;
	char *tok;

	make_sa("dev", "ci");
	tok = token_for("dev", "ci", "null", "null");
	r = whoami(tok);
	expect(&r, 201);
	resp_done(&r);
	r = admin("DELETE", "/api/v1/namespaces/dev/serviceaccounts/ci", NULL);
	expect(&r, 200);
	resp_done(&r);
	expect_unauthorized(tok);
	make_sa("dev", "ci");
	expect_unauthorized(tok);
	kj_free_secret(tok);
}

Test(auth, expiry_with_leeway_under_shifted_time)
{
	struct resp r;
	char *tok;

	make_sa("dev", "ci");
	tok = token_for("dev", "ci", "600", "null");
	kj_time_set_offset(630);
	r = whoami(tok);
	expect(&r, 201);
	resp_done(&r);
	kj_time_set_offset(700);
	expect_unauthorized(tok);
	kj_time_set_offset(0);
	kj_free_secret(tok);
}

Test(auth, anonymous_bad_tokens_and_x509_precedence)
{
	struct resp r;

	r = call("GET", "/api/v1/namespaces", NULL, NULL);
	expect(&r, 403);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "namespaces is forbidden: User \"system:anonymous\" cannot list "
	                 "resource \"namespaces\" in API group \"\" at the cluster scope");
	resp_done(&r);
	r = whoami(NULL);
	expect(&r, 403);
	resp_done(&r);
	r = call("GET", "/version", NULL, NULL);
	expect(&r, 200);
	resp_done(&r);
	expect_unauthorized("not-a-token");
	expect_unauthorized("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
	/* a valid client certificate wins over a bad bearer token */
	r = call_as("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", "bad",
	            demo_admin_cert_pem(dc), demo_admin_key_pem(dc), "{}");
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "status.userInfo.username"), "kubernetes-admin");
	cr_assert(strstr(r.body, "\"groups\":[\"system:masters\",\"system:authenticated\"]"), "%s", r.body);
	cr_assert(strstr(r.body, "\"authentication.kubernetes.io/credential-id\":[\"X509SHA256="), "%s",
	          r.body);
	resp_done(&r);
	r = whoami(demo_admin_token(dc));
	expect(&r, 201);
	cr_assert(strstr(r.body, "system:masters"), "%s", r.body);
	resp_done(&r);
}

/* --------------------------------------------------------------- RBAC */

static const char *role_body =
    "{\"kind\":\"Role\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"metadata\":"
    "{\"name\":\"%s\"},\"rules\":[{\"verbs\":[%s],\"apiGroups\":[\"\"],"
    "\"resources\":[\"%s\"]}]}";
static const char *rb_body =
    "{\"kind\":\"RoleBinding\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\","
    "\"metadata\":{\"name\":\"%s\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\","
    "\"kind\":\"%s\",\"name\":\"%s\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":"
    "\"%s\",\"namespace\":\"dev\"}]}";

static void grant(const char *role, const char *verbs, const char *res, const char *sa)
{
	char *b = kj_xasprintf(role_body, role, verbs, res);

	create("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", b);
	free(b);
	b = kj_xasprintf(rb_body, role, "Role", role, sa);
	create("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", b);
	free(b);
}

Test(auth, rbac_forbids_until_a_binding_allows)
{
	struct resp r;
	char *tok;

	make_sa("dev", "ci");
	tok = token_for("dev", "ci", "null", "null");
	r = call("GET", "/api/v1/namespaces/dev/pods", tok, NULL);
	expect(&r, 403);
	cr_assert_str_eq(r.body,
	                 "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
	                 "\"message\":\"pods is forbidden: User \\\"system:serviceaccount:dev:ci\\\" cannot "
	                 "list resource \\\"pods\\\" in API group \\\"\\\" in the namespace \\\"dev\\\"\","
	                 "\"reason\":\"Forbidden\",\"details\":{\"kind\":\"pods\"},\"code\":403}");
	resp_done(&r);
	r = call("POST", "/api/v1/namespaces/dev/serviceaccounts/ci/token", tok, "{}");
	expect(&r, 403);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "serviceaccounts \"ci\" is forbidden: User "
	                 "\"system:serviceaccount:dev:ci\" cannot create resource "
	                 "\"serviceaccounts/token\" in API group \"\" in the namespace \"dev\"");
	resp_done(&r);
	grant("pod-reader", "\"get\",\"list\"", "pods", "ci");
	r = call("GET", "/api/v1/namespaces/dev/pods", tok, NULL);
	expect(&r, 200);
	resp_done(&r);
	r = call("GET", "/api/v1/namespaces/prod/pods", tok, NULL);
	expect(&r, 403);
	resp_done(&r);
	kj_free_secret(tok);
}

Test(auth, escalation_and_bind_through_the_api)
{
	struct resp r;
	char *tok, *b;

	make_sa("dev", "ci");
	tok = token_for("dev", "ci", "null", "null");
	/* ci may write roles and rolebindings, and read pods — nothing more */
	b = kj_xasprintf(
	    "{\"metadata\":{\"name\":\"rbac-writer\"},\"rules\":[{\"verbs\":[\"create\",\"update\"],"
	    "\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"roles\",\"rolebindings\"]},"
	    "{\"verbs\":[\"get\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\"]}]}");
	create("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", b);
	free(b);
	b = kj_xasprintf(rb_body, "rbac-writer", "Role", "rbac-writer", "ci");
	create("/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", b);
	free(b);

	b = kj_xasprintf(role_body, "more", "\"get\",\"delete\"", "pods");
	r = call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", tok, b);
	free(b);
	expect(&r, 403);
	cr_assert_str_eq(
	    jpath(r.json, "message"),
	    "roles.rbac.authorization.k8s.io \"more\" is forbidden: user \"system:serviceaccount:dev:ci\" "
	    "(groups=[\"system:serviceaccounts\" \"system:serviceaccounts:dev\" "
	    "\"system:authenticated\"]) is attempting to grant RBAC permissions not currently "
	    "held:\n{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"delete\"]}");
	cr_assert_str_eq(jpath(r.json, "details.kind"), "roles");
	cr_assert_str_eq(jpath(r.json, "details.group"), "rbac.authorization.k8s.io");
	resp_done(&r);
	b = kj_xasprintf(role_body, "less", "\"get\"", "pods");
	r = call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", tok, b);
	free(b);
	expect(&r, 201);
	resp_done(&r);
	/* binding a missing role: its lookup's 404 */
	b = kj_xasprintf(rb_body, "rb-x", "Role", "nope", "ci");
	r = call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", tok, b);
	free(b);
	expect(&r, 404);
	cr_assert_str_eq(jpath(r.json, "message"), "roles.rbac.authorization.k8s.io \"nope\" not found");
	resp_done(&r);
	/* binding cluster-admin: not held */
	b = kj_xasprintf(rb_body, "rb-admin", "ClusterRole", "cluster-admin", "ci");
	r = call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", tok, b);
	free(b);
	expect(&r, 403);
	cr_assert(strstr(jpath(r.json, "message"), "rolebindings.rbac.authorization.k8s.io \"rb-admin\" is "
	                                           "forbidden: user \"system:serviceaccount:dev:ci\""));
	resp_done(&r);
	/* binding a role whose rules ci holds is fine */
	b = kj_xasprintf(rb_body, "rb-less", "Role", "less", "ci");
	r = call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", tok, b);
	free(b);
	expect(&r, 201);
	resp_done(&r);
	kj_free_secret(tok);
}

/* ------------------------------------------------------------ reviews */

Test(auth, self_subject_access_review)
{
	struct resp r;
	char *tok;
	const char *ssar = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";

	make_sa("dev", "ci");
	grant("pod-reader", "\"list\"", "pods", "ci");
	tok = token_for("dev", "ci", "null", "null");
	r = call(
	    "POST", ssar, tok,
	    "{\"kind\":\"SelfSubjectAccessReview\",\"apiVersion\":\"authorization.k8s.io/v1\",\"metadata\":"
	    "{\"creationTimestamp\":null},\"spec\":{\"resourceAttributes\":{\"namespace\":\"dev\",\"verb\":"
	    "\"list\",\"resource\":\"pods\"}},\"status\":{\"allowed\":false}}");
	expect(&r, 201);
	cr_assert_str_eq(
	    r.body, "{\"kind\":\"SelfSubjectAccessReview\",\"apiVersion\":\"authorization.k8s.io/v1\","
	            "\"metadata\":{\"creationTimestamp\":null},\"spec\":{\"resourceAttributes\":"
	            "{\"namespace\":\"dev\",\"verb\":\"list\",\"resource\":\"pods\"}},\"status\":"
	            "{\"allowed\":true,\"reason\":\"RBAC: allowed by RoleBinding \\\"pod-reader/dev\\\" of "
	            "Role \\\"pod-reader\\\" to ServiceAccount \\\"ci/dev\\\"\"}}");
	resp_done(&r);
	r = call("POST", ssar, tok,
	         "{\"spec\":{\"resourceAttributes\":{\"namespace\":\"dev\",\"verb\":\"delete\","
	         "\"resource\":\"pods\"}}}");
	expect(&r, 201);
	cr_assert(strstr(r.body, "\"status\":{\"allowed\":false}"), "%s", r.body);
	resp_done(&r);
	r = call("POST", ssar, tok, "{\"spec\":{}}");
	expect(&r, 422);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: "
	                 "spec.resourceAttributes: Invalid value: \"null\": exactly one of "
	                 "nonResourceAttributes or resourceAttributes must be specified");
	resp_done(&r);
	r = call("POST", ssar, tok,
	         "{\"spec\":{\"resourceAttributes\":{\"verb\":\"get\"},\"nonResourceAttributes\":{\"path\":"
	         "\"/api\","
	         "\"verb\":\"get\"}}}");
	expect(&r, 422);
	cr_assert_str_eq(
	    jpath(r.json, "message"),
	    "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.nonResourceAttributes: "
	    "Invalid value: authorization.NonResourceAttributes{Path:\"/api\", Verb:\"get\"}: cannot be "
	    "specified in combination with resourceAttributes");
	resp_done(&r);
	r = call("POST", ssar, tok,
	         "{\"spec\":{\"nonResourceAttributes\":{\"path\":\"/apis/x\",\"verb\":\"get\"}}}");
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "status.allowed"), "true");
	resp_done(&r);
	kj_free_secret(tok);
}

Test(auth, self_subject_rules_review)
{
	struct resp r;
	char *tok;
	const char *ssrr = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

	make_sa("dev", "ci");
	grant("pod-reader", "\"list\"", "pods", "ci");
	tok = token_for("dev", "ci", "null", "null");
	r = call("POST", ssrr, tok, "{\"spec\":{}}");
	expect(&r, 400);
	cr_assert_str_eq(jpath(r.json, "message"), "no namespace on request");
	resp_done(&r);
	r = call(
	    "POST", ssrr, tok,
	    "{\"kind\":\"SelfSubjectRulesReview\",\"apiVersion\":\"authorization.k8s.io/v1\",\"metadata\":"
	    "{\"creationTimestamp\":null},\"spec\":{\"namespace\":\"dev\"},\"status\":{\"resourceRules\":"
	    "null,"
	    "\"nonResourceRules\":null,\"incomplete\":false}}");
	expect(&r, 201);
	cr_assert(strstr(r.body, "{\"verbs\":[\"list\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\"]}"),
	          "%s", r.body);
	cr_assert(strstr(r.body, "\"nonResourceRules\":[{"), "%s", r.body);
	cr_assert(strstr(r.body, "\"incomplete\":false"), "%s", r.body);
	cr_assert(strstr(r.body, "\"spec\":{}"), "%s", r.body);
	resp_done(&r);
	r = call("POST", ssrr, tok, "{\"spec\":{\"namespace\":\"prod\"}}");
	expect(&r, 201);
	cr_assert_null(strstr(r.body, "\"pods\""), "%s", r.body);
	resp_done(&r);
	kj_free_secret(tok);
}

Test(auth, token_review)
{
	struct resp r;
	char *tok, *body;

	make_sa("dev", "ci");
	tok = token_for("dev", "ci", "null", "null");
	body = kj_xasprintf("{\"spec\":{\"token\":\"%s\"}}", tok);
	r = admin("POST", "/apis/authentication.k8s.io/v1/tokenreviews", body);
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "status.authenticated"), "true");
	cr_assert_str_eq(jpath(r.json, "status.user.username"), "system:serviceaccount:dev:ci");
	resp_done(&r);
	free(body);
	body = kj_xasprintf("{\"spec\":{\"token\":\"%s\",\"audiences\":[\"vault\"]}}", tok);
	r = admin("POST", "/apis/authentication.k8s.io/v1/tokenreviews", body);
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "status.authenticated"), "false");
	resp_done(&r);
	free(body);
	r = admin("POST", "/apis/authentication.k8s.io/v1/tokenreviews", "{\"spec\":{}}");
	expect(&r, 400);
	resp_done(&r);
	kj_free_secret(tok);
}

/* ---------------------------------------------------------------- CSR */

static void make_csr(const char *cn, const char *org, char **csr_pem, char **key_pem)
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

Test(auth, csr_approval_issues_a_working_client_certificate)
{
	struct resp r;
	char *csr, *key, *b64, *body, *cert;
	size_t n;
	const char *base = "/apis/certificates.k8s.io/v1/certificatesigningrequests";

	make_csr("alice", "devs", &csr, &key);
	b64 = kj_b64_encode(csr, strlen(csr));
	body =
	    kj_xasprintf("{\"apiVersion\":\"certificates.k8s.io/v1\",\"kind\":\"CertificateSigningRequest\","
	                 "\"metadata\":{\"name\":\"alice\"},\"spec\":{\"request\":\"%s\",\"signerName\":"
	                 "\"kubernetes.io/kube-apiserver-client\",\"expirationSeconds\":86400,\"usages\":"
	                 "[\"client auth\"]}}",
	                 b64);
	r = admin("POST", base, body);
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "spec.username"), "kubernetes-admin");
	resp_done(&r);
	r = admin(
	    "PUT", "/apis/certificates.k8s.io/v1/certificatesigningrequests/alice/approval",
	    "{\"apiVersion\":\"certificates.k8s.io/v1\",\"kind\":\"CertificateSigningRequest\",\"metadata\":"
	    "{\"name\":\"alice\"},\"status\":{\"conditions\":[{\"type\":\"Approved\",\"status\":\"True\","
	    "\"reason\":\"KubectlApprove\",\"message\":\"This CSR was approved by kubectl certificate "
	    "approve.\"}]}}");
	expect(&r, 200);
	resp_done(&r);
	r = admin("GET", "/apis/certificates.k8s.io/v1/certificatesigningrequests/alice", NULL);
	expect(&r, 200);
	cert = (char *)kj_b64_decode(jpath(r.json, "status.certificate"), &n);
	cr_assert_not_null(cert);
	cr_assert(strstr(cert, "BEGIN CERTIFICATE"));
	cr_assert(strstr(r.body, "\"type\":\"Approved\""));
	resp_done(&r);
	r = call_as("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", NULL, cert, key, "{}");
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "status.userInfo.username"), "alice");
	cr_assert(strstr(r.body, "\"groups\":[\"devs\",\"system:authenticated\"]"), "%s", r.body);
	resp_done(&r);
	/* an unprivileged user may not approve */
	make_sa("dev", "ci");
	{
		char *tok = token_for("dev", "ci", "null", "null");

		r = call("PUT", "/apis/certificates.k8s.io/v1/certificatesigningrequests/alice/approval", tok,
		         "{}");
		expect(&r, 403);
		resp_done(&r);
		kj_free_secret(tok);
	}
	r = admin("POST", base,
	          "{\"metadata\":{\"name\":\"bad\"},\"spec\":{\"request\":\"eA==\",\"usages\":[]}}");
	expect(&r, 422);
	resp_done(&r);
	free(cert);
	free(csr);
	kj_free_secret(key);
	free(b64);
	free(body);
}

/* ------------------------------------------------- seeded accounts, OIDC */

Test(auth, seeded_accounts_hold_what_the_seed_grants)
{
	const char *tr = demo_account_token(dc, "kube-system/token-request-sa");
	const char *dash = demo_account_token(dc, "kubernetes-dashboard/kubernetes-dashboard");
	struct resp r;

	cr_assert_not_null(tr);
	cr_assert_not_null(dash);
	r = call("POST", "/api/v1/namespaces/dev/serviceaccounts/default/token", tr,
	         "{\"spec\":{\"expirationSeconds\":1200}}");
	expect(&r, 201);
	resp_done(&r);
	r = call("GET", "/api/v1/namespaces/dev/secrets", tr, NULL);
	expect(&r, 403);
	resp_done(&r);
	r = call("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/kubernetes-dashboard/roles", dash,
	         "{\"metadata\":{\"name\":\"x\"},\"rules\":[]}");
	expect(&r, 403);
	cr_assert_str_eq(
	    jpath(r.json, "message"),
	    "roles.rbac.authorization.k8s.io is forbidden: User "
	    "\"system:serviceaccount:kubernetes-dashboard:kubernetes-dashboard\" cannot create resource "
	    "\"roles\" in API group \"rbac.authorization.k8s.io\" in the namespace "
	    "\"kubernetes-dashboard\"");
	resp_done(&r);
}

Test(auth, subject_access_review_and_jwks)
{
	struct resp r;
	cJSON *h;
	char *tok;
	kj_err e;

	r = admin(
	    "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
	    "{\"spec\":{\"user\":\"x\",\"groups\":[\"system:masters\"],\"resourceAttributes\":{\"verb\":"
	    "\"delete\",\"resource\":\"nodes\"}}}");
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "status.allowed"), "true");
	cr_assert_str_eq(jpath(r.json, "kind"), "SubjectAccessReview");
	resp_done(&r);
	r = admin("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
	          "{\"spec\":{\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"pods\"}}}");
	expect(&r, 422);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "SubjectAccessReview.authorization.k8s.io \"\" is invalid: "
	                 "spec.user: Required value: at least one of user or group must "
	                 "be specified");
	resp_done(&r);
	make_sa("dev", "ci");
	tok = token_for("dev", "ci", "null", "null");
	cr_assert_eq(kj_jwt_decode(tok, &h, NULL, &e), 0);
	r = admin("GET", "/openid/v1/jwks", NULL);
	expect(&r, 200);
	cr_assert_str_eq(jpath(cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "keys"), 0), "kid"),
	                 jpath(h, "kid"));
	cr_assert_str_eq(jpath(cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "keys"), 0), "e"), "AQAB");
	resp_done(&r);
	r = admin("GET", "/.well-known/openid-configuration", NULL);
	expect(&r, 200);
	cr_assert_str_eq(jpath(r.json, "issuer"), "https://kubernetes.default.svc.cluster.local");
	resp_done(&r);
	cJSON_Delete(h);
	kj_free_secret(tok);
}
