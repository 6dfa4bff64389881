/* The demo cluster's API server, driven over HTTPS with libcurl: Status
 * bodies, validation, generateName, GC, selectors, discovery, tables,
 * faults, limits and malformed input. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "demo/demo.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

static struct demo_cluster *dc;

#define GC_DELAY_MS 150

static void start(void)
{
	/* realistic, with a shorter garbage-collector delay */
	struct demo_opts o = {.gc_delay_ms = GC_DELAY_MS};
	kj_err e;

	kj_err_clear(&e);
	cr_assert_eq(demo_start(&o, &dc, &e), 0, "demo_start: %s", e.msg);
}

static void stop(void)
{
	demo_stop(dc);
	dc = NULL;
}

TestSuite(core, .init = start, .fini = stop, .timeout = 60);

struct resp {
	long code;
	kj_buf body;
	kj_buf headers;
	cJSON *json;
};

static size_t collect(char *p, size_t sz, size_t n, void *ud)
{
	kj_buf_add(ud, p, sz * n);
	return sz * n;
}

enum auth { AUTH_TOKEN, AUTH_NONE, AUTH_BAD, AUTH_CERT };
static const char *bearer; /* AUTH_TOKEN with this token instead of the admin's */

/* One request; `ctype` NULL = application/json when there is a body. */
static int http_full(struct resp *r, const char *method, const char *path, const void *body, size_t len,
                     const char *ctype, const char *accept, enum auth auth)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct curl_blob ca = {(void *)demo_ca_pem(dc), strlen(demo_ca_pem(dc)), CURL_BLOB_COPY};
	char *url = kj_xasprintf("%s%s", demo_url(dc), path), *hdr;
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	kj_buf_init(&r->body);
	kj_buf_init(&r->headers);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAPATH, NULL); /* the blob alone, as the client */
	curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->headers);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	if (auth == AUTH_TOKEN || auth == AUTH_BAD) {
		hdr = kj_xasprintf("Authorization: Bearer %s",
		                   auth == AUTH_BAD ? "nope" : (bearer ? bearer : demo_admin_token(dc)));
		h = curl_slist_append(h, hdr);
		free(hdr);
	} else if (auth == AUTH_CERT) {
		struct curl_blob crt = {(void *)demo_admin_cert_pem(dc), strlen(demo_admin_cert_pem(dc)),
		                        CURL_BLOB_COPY};
		struct curl_blob key = {(void *)demo_admin_key_pem(dc), strlen(demo_admin_key_pem(dc)),
		                        CURL_BLOB_COPY};

		curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &crt);
		curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key);
	}
	if (body) {
		hdr = kj_xasprintf("Content-Type: %s", ctype ? ctype : "application/json");
		h = curl_slist_append(h, hdr);
		free(hdr);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	if (accept) {
		hdr = kj_xasprintf("Accept: %s", accept);
		h = curl_slist_append(h, hdr);
		free(hdr);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(url);
	if (rc == CURLE_OK && r->body.len)
		r->json = cJSON_Parse(r->body.data);
	return rc == CURLE_OK ? 0 : -1;
}

static int http(struct resp *r, const char *method, const char *path, const char *json)
{
	return http_full(r, method, path, json, json ? strlen(json) : 0, NULL, NULL, AUTH_TOKEN);
}

/* A request with another bearer token than the admin's. */
static int http_bearer(struct resp *r, const char *method, const char *path, const char *token)
{
	int rc;

	bearer = token;
	rc = http_full(r, method, path, NULL, 0, NULL, NULL, AUTH_TOKEN);
	bearer = NULL;
	return rc;
}

static void resp_done(struct resp *r)
{
	kj_buf_done(&r->body);
	kj_buf_done(&r->headers);
	cJSON_Delete(r->json);
}

static const char *js(const cJSON *o, const char *path)
{
	char part[64];
	const char *p = path;

	while (o && *p) {
		size_t n = strcspn(p, ".");

		snprintf(part, sizeof(part), "%.*s", (int)n, p);
		o = cJSON_IsArray(o) ? cJSON_GetArrayItem(o, atoi(part))
		                     : cJSON_GetObjectItemCaseSensitive(o, part);
		p += n + (p[n] == '.');
	}
	return cJSON_IsString(o) ? o->valuestring : NULL;
}

static void expect_body(const char *method, const char *path, const char *json, long code, const char *exact)
{
	struct resp r;

	cr_assert_eq(http(&r, method, path, json), 0);
	cr_expect_eq(r.code, code, "%s %s: %ld %s", method, path, r.code, r.body.data);
	if (exact)
		cr_expect_str_eq(r.body.data, exact);
	resp_done(&r);
}

#define SA_PATH "/api/v1/namespaces/dev/serviceaccounts"
#define RBAC    "/apis/rbac.authorization.k8s.io/v1"

/* Repeat a GET as admin until it answers `code`, for what a controller
 * does later; asserts it does within the collector's delay plus 2 s. */
static void eventually(const char *path, long code)
{
	int64_t t0 = kj_mono_ms();
	struct resp r;

	for (;;) {
		cr_assert_eq(http(&r, "GET", path, NULL), 0);
		if (r.code == code) {
			resp_done(&r);
			return;
		}
		resp_done(&r);
		cr_assert_lt(kj_mono_ms() - t0, GC_DELAY_MS + 2000, "GET %s: still not %ld", path, code);
		usleep(20000);
	}
}

Test(core, discovery_lists_every_group_version)
{
	static const char *const gvs[] = {"/api/v1",
	                                  "/apis/rbac.authorization.k8s.io/v1",
	                                  "/apis/authentication.k8s.io/v1",
	                                  "/apis/authorization.k8s.io/v1",
	                                  "/apis/certificates.k8s.io/v1",
	                                  NULL};
	struct resp r;
	size_t i;

	http(&r, "GET", "/api", NULL);
	cr_assert_eq(r.code, 200);
	cr_expect_str_eq(js(r.json, "kind"), "APIVersions");
	cr_expect_str_eq(js(r.json, "versions.0"), "v1");
	resp_done(&r);
	http(&r, "GET", "/apis", NULL);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "groups")), 4);
	resp_done(&r);
	for (i = 0; gvs[i]; i++) {
		http(&r, "GET", gvs[i], NULL);
		cr_expect_eq(r.code, 200, "%s", gvs[i]);
		cr_expect_str_eq(js(r.json, "kind"), "APIResourceList");
		resp_done(&r);
	}
	http(&r, "GET", "/api/v1", NULL);
	cr_expect(strstr(r.body.data,
	                 "{\"name\":\"serviceaccounts/token\",\"singularName\":\"\",\"namespaced\":true,"
	                 "\"group\":\"authentication.k8s.io\",\"version\":\"v1\",\"kind\":\"TokenRequest\","
	                 "\"verbs\":[\"create\"]}"));
	resp_done(&r);
	http(&r, "GET", "/version", NULL);
	cr_expect_str_eq(js(r.json, "minor"), "32");
	resp_done(&r);
	http(&r, "GET", "/healthz", NULL);
	cr_expect_str_eq(r.body.data, "ok");
	resp_done(&r);
}

Test(core, openapi_v3_announces_server_side_field_validation)
{
	struct resp r;
	const cJSON *gv, *op;

	http(&r, "GET", "/openapi/v3", NULL);
	cr_assert_eq(r.code, 200);
	gv = cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "paths"), "apis/rbac.authorization.k8s.io/v1");
	cr_assert_not_null(gv);
	cr_expect_eq(
	    strncmp(js(gv, "serverRelativeURL"), "/openapi/v3/apis/rbac.authorization.k8s.io/v1?", 46), 0);
	resp_done(&r);
	http(&r, "GET", "/openapi/v3/api/v1", NULL);
	cr_assert_eq(r.code, 200);
	op = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "paths"),
	                                             "/api/v1/namespaces/{namespace}/serviceaccounts/{name}"),
	                         "patch");
	cr_assert_not_null(op);
	cr_expect_str_eq(js(cJSON_GetObjectItem(op, "x-kubernetes-group-version-kind"), "kind"),
	                 "ServiceAccount");
	cr_expect_str_eq(js(op, "parameters.0.name"), "fieldValidation");
	resp_done(&r);
	expect_body("GET", "/openapi/v3/apis/example.com/v1", NULL, 404, NULL);
}

/* Unknown and duplicate fields: refused under Strict (what kubectl asks
 * for), dropped with a Warning per field by default, dropped quietly under
 * Ignore; the Warning is a quoted-string with its quotes escaped. */
Test(core, unknown_fields_follow_the_requests_field_validation)
{
	static const char cm[] =
	    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"%s\","
	    "\"labelz\":{}},\"data\":{\"a\":\"1\"},\"datta\":1}";
	struct resp r;
	char *body;

	body = kj_xasprintf(cm, "fv-strict");
	http(&r, "POST", "/api/v1/namespaces/dev/configmaps?fieldValidation=Strict", body);
	cr_assert_eq(r.code, 400, "%s", r.body.data);
	cr_assert_str_eq(
	    js(r.json, "message"),
	    "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: "
	    "unknown field \"metadata.labelz\", unknown field \"datta\"");
	cr_assert_str_eq(js(r.json, "reason"), "BadRequest");
	resp_done(&r);
	free(body);
	expect_body("GET", "/api/v1/namespaces/dev/configmaps/fv-strict", NULL, 404, NULL);

	body = kj_xasprintf(cm, "fv-warn");
	http(&r, "POST", "/api/v1/namespaces/dev/configmaps", body);
	cr_assert_eq(r.code, 201, "%s", r.body.data);
	cr_assert(strstr(r.headers.data, "Warning: 299 - \"unknown field \\\"metadata.labelz\\\"\"\r\n"),
	          "%s", r.headers.data);
	cr_assert(strstr(r.headers.data, "Warning: 299 - \"unknown field \\\"datta\\\"\"\r\n"), "%s",
	          r.headers.data);
	cr_assert_null(cJSON_GetObjectItem(r.json, "datta"));
	cr_assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "metadata"), "labelz"));
	cr_assert_str_eq(js(r.json, "data.a"), "1");
	resp_done(&r);
	free(body);

	body = kj_xasprintf(cm, "fv-ignore");
	http(&r, "POST", "/api/v1/namespaces/dev/configmaps?fieldValidation=Ignore", body);
	cr_assert_eq(r.code, 201, "%s", r.body.data);
	cr_assert_null(strstr(r.headers.data, "Warning:"), "%s", r.headers.data);
	cr_assert_null(cJSON_GetObjectItem(r.json, "datta"));
	resp_done(&r);
	free(body);

	body = kj_xasprintf(cm, "fv-bad");
	http(&r, "POST", "/api/v1/namespaces/dev/configmaps?fieldValidation=Loud", body);
	cr_assert_eq(r.code, 400, "%s", r.body.data);
	cr_assert(strstr(js(r.json, "message"), "Unsupported value: \"Loud\""), "%s", js(r.json, "message"));
	resp_done(&r);
	free(body);

	/* duplicates: refused under Strict, the last one kept otherwise */
	http(&r, "POST", "/api/v1/namespaces/dev/configmaps?fieldValidation=Strict",
	     "{\"metadata\":{\"name\":\"fv-dup\"},\"data\":{\"a\":\"1\"},\"data\":{\"a\":\"2\"}}");
	cr_assert_eq(r.code, 400, "%s", r.body.data);
	cr_assert(strstr(js(r.json, "message"), "strict decoding error: duplicate field \"data\""), "%s",
	          js(r.json, "message"));
	resp_done(&r);
	http(&r, "POST", "/api/v1/namespaces/dev/configmaps",
	     "{\"metadata\":{\"name\":\"fv-dup\"},\"data\":{\"a\":\"1\"},\"data\":{\"a\":\"2\"}}");
	cr_assert_eq(r.code, 201, "%s", r.body.data);
	cr_assert_str_eq(js(r.json, "data.a"), "2");
	resp_done(&r);

	/* the path of a field inside a list names its index */
	http(&r, "POST", RBAC "/namespaces/dev/roles?fieldValidation=Strict",
	     "{\"metadata\":{\"name\":\"fv-role\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],"
	     "\"verbs\":[\"get\"]},{\"verbz\":[\"list\"]}]}");
	cr_assert_eq(r.code, 400, "%s", r.body.data);
	cr_assert(strstr(js(r.json, "message"), "unknown field \"rules[1].verbz\""), "%s",
	          js(r.json, "message"));
	resp_done(&r);
}

Test(core, unknown_paths_get_the_real_404)
{
	expect_body(
	    "GET", "/nope", NULL, 404,
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
	    "\"the server could not find the requested resource\",\"reason\":\"NotFound\",\"details\":{},"
	    "\"code\":404}");
	/* a non-resource Forbidden carries empty details too */
	{
		struct resp r;

		http_full(&r, "GET", "/metrics", NULL, 0, NULL, NULL, AUTH_NONE);
		cr_expect_str_eq(
		    r.body.data,
		    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
		    "\"message\":\"forbidden: User \\\"system:anonymous\\\" cannot get path "
		    "\\\"/metrics\\\"\","
		    "\"reason\":\"Forbidden\",\"details\":{},\"code\":403}");
		resp_done(&r);
	}
	expect_body("GET", "/api/v1/widgets", NULL, 404, NULL);
	expect_body("GET", "/apis/example.com/v1/things", NULL, 404, NULL);
	expect_body("GET", "/api/v2/namespaces", NULL, 404, NULL);
	expect_body("GET", "/api/v1/namespaces/dev/serviceaccounts/a/b/c", NULL, 404, NULL);
}

Test(core, serviceaccount_crud_bodies)
{
	struct resp r;
	const char *sa = "{\"kind\":\"ServiceAccount\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"ci\","
	                 "\"namespace\":\"dev\",\"creationTimestamp\":null}}";

	http(&r, "POST", SA_PATH "?fieldManager=kubectl-create&fieldValidation=Strict", sa);
	cr_assert_eq(r.code, 201, "%s", r.body.data);
	cr_expect_str_eq(js(r.json, "kind"), "ServiceAccount");
	cr_expect_str_eq(js(r.json, "metadata.namespace"), "dev");
	cr_expect_not_null(js(r.json, "metadata.uid"));
	cr_expect_not_null(js(r.json, "metadata.creationTimestamp"));
	resp_done(&r);
	expect_body(
	    "POST", SA_PATH, sa, 409,
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
	    "\"serviceaccounts \\\"ci\\\" already "
	    "exists\",\"reason\":\"AlreadyExists\",\"details\":{\"name\":"
	    "\"ci\",\"kind\":\"serviceaccounts\"},\"code\":409}");
	http(&r, "GET", SA_PATH "/ci", NULL);
	cr_expect_eq(r.code, 200);
	resp_done(&r);
	/* ServiceAccount delete answers with the object */
	http(&r, "DELETE", SA_PATH "/ci",
	     "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Background\"}");
	cr_expect_eq(r.code, 200);
	cr_expect_str_eq(js(r.json, "kind"), "ServiceAccount");
	resp_done(&r);
	expect_body(
	    "GET", SA_PATH "/ci", NULL, 404,
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
	    "\"serviceaccounts \\\"ci\\\" not found\",\"reason\":\"NotFound\",\"details\":{\"name\":\"ci\","
	    "\"kind\":\"serviceaccounts\"},\"code\":404}");
}

Test(core, server_side_dry_run_stores_nothing)
{
	struct resp r;

	http(&r, "POST", SA_PATH "?dryRun=All", "{\"metadata\":{\"name\":\"dry\"}}");
	cr_expect_eq(r.code, 201);
	cr_expect_str_eq(js(r.json, "metadata.name"), "dry");
	cr_expect_null(js(r.json, "metadata.resourceVersion"));
	resp_done(&r);
	expect_body("GET", SA_PATH "/dry", NULL, 404, NULL);
	expect_body("PUT", SA_PATH "/web?dryRun=All",
	            "{\"metadata\":{\"name\":\"web\",\"labels\":{\"x\":\"y\"}}}", 200, NULL);
	http(&r, "GET", SA_PATH "/web", NULL);
	cr_expect_null(js(r.json, "metadata.labels.x"));
	resp_done(&r);
	expect_body("DELETE", SA_PATH "/web?dryRun=All", NULL, 200, NULL);
	expect_body("DELETE", SA_PATH "?dryRun=All", NULL, 200, NULL);
	expect_body("DELETE", SA_PATH "/web",
	            "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"dryRun\":[\"All\"]}", 200, NULL);
	expect_body("GET", SA_PATH "/web", NULL, 200, NULL);
}

Test(core, rbac_delete_answers_success_status_and_update_checks_versions)
{
	struct resp r;
	char *body, *uid, *expect;

	http(&r, "POST", RBAC "/namespaces/dev/roles",
	     "{\"metadata\":{\"name\":\"pod-reader\"},\"rules\":[{\"verbs\":[\"get\"],\"apiGroups\":[\"\"],"
	     "\"resources\":[\"pods\"]}]}");
	cr_assert_eq(r.code, 201, "%s", r.body.data);
	uid = kj_xstrdup(js(r.json, "metadata.uid"));
	resp_done(&r);
	expect_body(
	    "PUT", RBAC "/namespaces/dev/roles/pod-reader",
	    "{\"metadata\":{\"name\":\"pod-reader\",\"resourceVersion\":\"1\"},\"rules\":[]}", 409,
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
	    "\"Operation cannot be fulfilled on roles.rbac.authorization.k8s.io \\\"pod-reader\\\": the "
	    "object "
	    "has been modified; please apply your changes to the latest version and try again\",\"reason\":"
	    "\"Conflict\",\"details\":{\"name\":\"pod-reader\",\"group\":\"rbac.authorization.k8s.io\","
	    "\"kind\":"
	    "\"roles\"},\"code\":409}");
	expect_body("PUT", RBAC "/namespaces/dev/roles/pod-reader",
	            "{\"metadata\":{\"name\":\"pod-reader\"},\"rules\":[]}", 200, NULL);
	expect = kj_xasprintf(
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Success\","
	    "\"details\":{\"name\":\"pod-reader\",\"group\":\"rbac.authorization.k8s.io\",\"kind\":"
	    "\"roles\",\"uid\":\"%s\"}}",
	    uid);
	expect_body("DELETE", RBAC "/namespaces/dev/roles/pod-reader", NULL, 200, expect);
	free(expect);
	free(uid);
	body = "{\"metadata\":{\"name\":\"rb\"},\"roleRef\":{\"kind\":\"Role\",\"name\":\"r\"},\"subjects\":["
	       "{\"kind\":"
	       "\"User\",\"name\":\"bob\"}]}";
	http(&r, "POST", RBAC "/namespaces/dev/rolebindings", body);
	cr_expect_eq(r.code, 201);
	cr_expect_str_eq(js(r.json, "roleRef.apiGroup"), "rbac.authorization.k8s.io");
	cr_expect_str_eq(js(r.json, "subjects.0.apiGroup"), "rbac.authorization.k8s.io");
	resp_done(&r);
	http(&r, "PUT", RBAC "/namespaces/dev/rolebindings/rb",
	     "{\"metadata\":{\"name\":\"rb\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\","
	     "\"kind\":"
	     "\"Role\",\"name\":\"other\"}}");
	cr_expect_eq(r.code, 422);
	cr_expect(strstr(js(r.json, "message"), "roleRef: Invalid value: "), "%s", r.body.data);
	cr_expect(strstr(js(r.json, "message"), ": cannot change roleRef"));
	resp_done(&r);
}

Test(core, validation_messages)
{
	struct resp r;

	http(&r, "POST", SA_PATH, "{\"metadata\":{\"name\":\"Bad_Name\"}}");
	cr_assert_eq(r.code, 422);
	cr_expect_str_eq(
	    js(r.json, "message"),
	    "ServiceAccount \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a "
	    "lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
	    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
	    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
	cr_expect_str_eq(js(r.json, "details.kind"), "ServiceAccount");
	cr_expect_str_eq(js(r.json, "details.causes.0.reason"), "FieldValueInvalid");
	cr_expect_str_eq(js(r.json, "details.causes.0.field"), "metadata.name");
	resp_done(&r);

	http(&r, "POST", SA_PATH, "{\"metadata\":{}}");
	cr_expect_str_eq(js(r.json, "message"),
	                 "ServiceAccount \"\" is invalid: metadata.name: Required value: name "
	                 "or generateName is required");
	resp_done(&r);

	{
		size_t n = 300 * 1024;
		char *big = kj_xmalloc(n + 64);

		snprintf(big, n + 64, "{\"metadata\":{\"name\":\"big\",\"annotations\":{\"a\":\"%0*d\"}}}",
		         (int)n, 7);
		http(&r, "POST", SA_PATH, big);
		cr_expect_str_eq(js(r.json, "message"),
		                 "ServiceAccount \"big\" is invalid: metadata.annotations: Too long: "
		                 "must have at most 262144 bytes");
		cr_expect_str_eq(js(r.json, "details.causes.0.reason"), "FieldValueTooLong");
		resp_done(&r);
		free(big);
	}

	http(&r, "POST", "/api/v1/namespaces", "{\"metadata\":{\"name\":\"a.b\"}}");
	cr_expect_str_eq(
	    js(r.json, "message"),
	    "Namespace \"a.b\" is invalid: metadata.name: Invalid value: \"a.b\": must not contain dots");
	resp_done(&r);

	/* RBAC names allow colons and upper case, not slashes */
	expect_body("POST", RBAC "/clusterroles", "{\"metadata\":{\"name\":\"system:Thing\"},\"rules\":[]}",
	            201, NULL);
	http(&r, "POST", RBAC "/clusterroles", "{\"metadata\":{\"name\":\"a/b\"}}");
	cr_expect_str_eq(js(r.json, "message"), "ClusterRole.rbac.authorization.k8s.io \"a/b\" is invalid: "
	                                        "metadata.name: Invalid value: \"a/b\": may not contain '/'");
	resp_done(&r);

	http(&r, "POST", RBAC "/namespaces/dev/roles",
	     "{\"metadata\":{\"name\":\"r\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"]},"
	     "{\"verbs\":[\"get\"],\"nonResourceURLs\":[\"/x\"]}]}");
	cr_expect_str_eq(
	    js(r.json, "message"),
	    "Role.rbac.authorization.k8s.io \"r\" is invalid: [rules[0].verbs: Required value: verbs must "
	    "contain at least one value, rules[1].nonResourceURLs: Invalid value: [\"/x\"]: namespaced "
	    "rules cannot apply to non-resource URLs]");
	resp_done(&r);

	http(
	    &r, "POST", RBAC "/clusterrolebindings",
	    "{\"metadata\":{\"name\":\"b\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":"
	    "\"Role\",\"name\":\"r\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"x\"},{\"kind\":"
	    "\"Robot\","
	    "\"name\":\"y\"}]}");
	cr_expect_str_eq(
	    js(r.json, "message"),
	    "ClusterRoleBinding.rbac.authorization.k8s.io \"b\" is invalid: [roleRef.kind: Unsupported "
	    "value: \"Role\": supported values: \"ClusterRole\", subjects[0].namespace: Required value, "
	    "subjects[1].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", "
	    "\"Group\"]");
	resp_done(&r);
}

Test(core, generate_name_and_namespaces)
{
	struct resp r;

	http(&r, "POST", SA_PATH, "{\"metadata\":{\"generateName\":\"kubejit-\"}}");
	cr_assert_eq(r.code, 201);
	cr_expect_eq(strlen(js(r.json, "metadata.name")), 13);
	cr_expect_eq(strncmp(js(r.json, "metadata.name"), "kubejit-", 8), 0);
	resp_done(&r);
	expect_body(
	    "POST", "/api/v1/namespaces/nope/serviceaccounts", "{\"metadata\":{\"name\":\"x\"}}", 404,
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
	    "\"namespaces \\\"nope\\\" not found\",\"reason\":\"NotFound\",\"details\":{\"name\":\"nope\","
	    "\"kind\":\"namespaces\"},\"code\":404}");
	http(&r, "GET", "/api/v1/namespaces/nope/serviceaccounts", NULL);
	cr_expect_eq(r.code, 200);
	cr_expect_str_eq(js(r.json, "kind"), "ServiceAccountList");
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 0);
	resp_done(&r);
	expect_body(
	    "POST", SA_PATH, "{\"metadata\":{\"name\":\"x\",\"namespace\":\"prod\"}}", 400,
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
	    "\"the namespace of the provided object does not match the namespace sent on the request\","
	    "\"reason\":\"BadRequest\",\"code\":400}");
	/* deleting a namespace takes its content with it, in the background */
	expect_body("POST", "/api/v1/namespaces", "{\"metadata\":{\"name\":\"tmp\"}}", 201, NULL);
	expect_body("POST", "/api/v1/namespaces/tmp/configmaps", "{\"metadata\":{\"name\":\"c\"}}", 201,
	            NULL);
	expect_body("DELETE", "/api/v1/namespaces/tmp", NULL, 200, NULL);
	eventually("/api/v1/namespaces/tmp/configmaps/c", 404);
	eventually("/api/v1/namespaces/tmp", 404);
	expect_body("DELETE", "/api/v1/namespaces/default", NULL, 403, NULL);
	/* namespaces have no deletecollection */
	expect_body(
	    "DELETE", "/api/v1/namespaces", NULL, 405,
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
	    "\"deletecollection is not supported on resources of kind \\\"namespaces\\\"\",\"reason\":"
	    "\"MethodNotAllowed\",\"details\":{\"kind\":\"namespaces\"},\"code\":405}");
}

Test(core, label_selectors_filter_lists)
{
	struct resp r;
	static const struct {
		const char *sel;
		int n;
	} cases[] = {
	    {"app%3Dweb", 4},
	    {"app%3D%3Dweb,tier%3Dfrontend", 4},
	    {"app!%3Dweb", 1},
	    {"app%20in%20(api,web)", 5},
	    {"app%20notin%20(web)", 1},
	    {"tier", 5},
	    {"!tier", 0},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = kj_xasprintf("/api/v1/pods?labelSelector=%s&limit=500", cases[i].sel);

		http(&r, "GET", p, NULL);
		cr_expect_eq(r.code, 200);
		cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), cases[i].n, "%s",
		             cases[i].sel);
		resp_done(&r);
		free(p);
	}
	http(&r, "GET", "/api/v1/pods?labelSelector=app%20in%20web", NULL);
	cr_expect_eq(r.code, 400);
	resp_done(&r);
	http(&r, "GET",
	     "/api/v1/pods?fieldSelector=spec.nodeName%3Ddemo-node-2,metadata.namespace!%3Dstaging", NULL);
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 1);
	cr_expect_str_eq(js(r.json, "items.0.metadata.namespace"), "prod");
	resp_done(&r);
	expect_body(
	    "GET", "/api/v1/namespaces/dev/configmaps?fieldSelector=data.x%3Dy", NULL, 400,
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
	    "\"field label not supported: data.x\",\"reason\":\"BadRequest\",\"code\":400}");
	/* items carry no kind/apiVersion and are sorted */
	http(&r, "GET", "/api/v1/namespaces/prod/pods", NULL);
	cr_expect_null(
	    cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(r.json, "items"), 0), "kind"));
	cr_expect_str_eq(js(r.json, "items.0.metadata.name"), "web-0");
	cr_expect_str_eq(js(r.json, "items.1.metadata.name"), "web-1");
	resp_done(&r);
}

Test(core, owner_references_are_garbage_collected)
{
	struct resp r;
	char *body;

	http(&r, "POST", SA_PATH, "{\"metadata\":{\"name\":\"owner\"}}");
	body = kj_xasprintf(
	    "{\"metadata\":{\"name\":\"dep\",\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":"
	    "\"ServiceAccount\",\"name\":\"owner\",\"uid\":\"%s\"}]},\"type\":\"Opaque\"}",
	    js(r.json, "metadata.uid"));
	resp_done(&r);
	expect_body("POST", "/api/v1/namespaces/dev/secrets", body, 201, NULL);
	free(body);
	expect_body("DELETE", SA_PATH "/owner", NULL, 200, NULL);
	/* the garbage collector deletes the dependent later */
	expect_body("GET", "/api/v1/namespaces/dev/secrets/dep", NULL, 200, NULL);
	eventually("/api/v1/namespaces/dev/secrets/dep", 404);
}

Test(core, tables_when_asked)
{
	const char *acc =
	    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta."
	    "k8s.io,application/json";
	struct resp r;

	http_full(&r, "GET", "/api/v1/namespaces/dev/pods?limit=500", NULL, 0, NULL, acc, AUTH_TOKEN);
	cr_assert_str_eq(js(r.json, "kind"), "Table");
	cr_expect_str_eq(js(r.json, "columnDefinitions.1.name"), "Ready");
	cr_expect_str_eq(js(r.json, "rows.0.cells.0"), "api-6d5f7c9b8-x2k4q");
	cr_expect_str_eq(js(r.json, "rows.0.cells.1"), "2/2");
	cr_expect_str_eq(js(r.json, "rows.0.object.kind"), "PartialObjectMetadata");
	resp_done(&r);
	http_full(&r, "GET", RBAC "/clusterroles/view", NULL, 0, NULL, acc, AUTH_TOKEN);
	cr_expect_str_eq(js(r.json, "columnDefinitions.1.name"), "Created At");
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "rows")), 1);
	resp_done(&r);
	http_full(&r, "GET", RBAC "/namespaces/kubernetes-dashboard/rolebindings", NULL, 0, NULL, acc,
	          AUTH_TOKEN);
	cr_expect_str_eq(js(r.json, "rows.0.cells.1"), "ClusterRole/view");
	resp_done(&r);
}

Test(core, faults_fire_once_on_the_nth_match)
{
	struct resp r;
	struct demo_stats st;

	cr_assert_eq(demo_fault_add(dc, "GET", "/api/v1/namespaces/*/pods", 2, DEMO_FAULT_STATUS, 503, 0), 0);
	expect_body("GET", "/api/v1/namespaces/dev/pods", NULL, 200, NULL);
	expect_body("GET", "/api/v1/namespaces/dev/pods", NULL, 503, NULL);
	expect_body("GET", "/api/v1/namespaces/dev/pods", NULL, 200, NULL);
	demo_fault_add(dc, NULL, "/version", 1, DEMO_FAULT_DROP, 0, 0);
	cr_expect_neq(http(&r, "GET", "/version", NULL), 0);
	resp_done(&r);
	demo_fault_add(dc, NULL, "/version", 1, DEMO_FAULT_DELAY, 0, 10);
	demo_fault_clear(dc);
	expect_body("GET", "/version", NULL, 200, NULL);
	cr_expect_eq(demo_fault_add(dc, NULL, "/x", 0, DEMO_FAULT_STATUS, 500, 0), -1);
	expect_body("GET", "/kubejit/stats", NULL, 200, NULL);
	demo_get_stats(dc, &st);
	cr_expect_geq(st.requests, 5);
	cr_expect_geq(st.connections, 5);
	cr_expect_geq(st.tls_handshakes, 4);
}

Test(core, bad_bodies_get_real_statuses)
{
	struct resp r;
	size_t big = 4 * 1024 * 1024;
	char *huge = kj_xmalloc(big);

	memset(huge, ' ', big);
	http_full(&r, "POST", SA_PATH, huge, big, NULL, NULL, AUTH_TOKEN);
	cr_expect_eq(r.code, 413);
	cr_expect_str_eq(js(r.json, "reason"), "RequestEntityTooLarge");
	resp_done(&r);
	free(huge);
	expect_body("POST", SA_PATH, "{not json", 400, NULL);
	expect_body("POST", SA_PATH, "[1,2]", 400, NULL);
	expect_body(
	    "POST", SA_PATH, "{\"apiVersion\":\"v2\",\"metadata\":{\"name\":\"x\"}}", 400,
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
	    "\"the API version in the data (v2) does not match the expected API version (v1)\",\"reason\":"
	    "\"BadRequest\",\"code\":400}");
	expect_body("POST", SA_PATH, "{\"kind\":\"Role\",\"metadata\":{\"name\":\"x\"}}", 400, NULL);
	expect_body("POST", SA_PATH, "{\"metadata\":\"x\"}", 400, NULL);
}

Test(core, kubectl_protobuf_bodies_are_decoded)
{
	/* what kubectl 1.32 sends for `create sa foo4 -n dev` */
	static const unsigned char pb[] = {
	    0x6b, 0x38, 0x73, 0x00, 0x0a, 0x14, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x0e, 0x53, 0x65, 0x72,
	    0x76, 0x69, 0x63, 0x65, 0x41, 0x63, 0x63, 0x6f, 0x75, 0x6e, 0x74, 0x12, 0x19, 0x0a, 0x17,
	    0x0a, 0x04, 0x66, 0x6f, 0x6f, 0x34, 0x12, 0x00, 0x1a, 0x03, 0x64, 0x65, 0x76, 0x22, 0x00,
	    0x2a, 0x00, 0x32, 0x00, 0x38, 0x00, 0x42, 0x00, 0x1a, 0x00, 0x22, 0x00};
	struct resp r;

	http_full(&r, "POST", SA_PATH, pb, sizeof(pb), "application/vnd.kubernetes.protobuf", NULL,
	          AUTH_TOKEN);
	cr_expect_eq(r.code, 201, "%s", r.body.data);
	cr_expect_str_eq(js(r.json, "metadata.name"), "foo4");
	resp_done(&r);
	http_full(&r, "POST", SA_PATH, pb, 20, "application/vnd.kubernetes.protobuf", NULL, AUTH_TOKEN);
	cr_expect_eq(r.code, 400);
	resp_done(&r);
}

Test(core, authentication_and_the_anonymous_user)
{
	struct resp r;

	http_full(&r, "GET", "/api/v1/namespaces", NULL, 0, NULL, NULL, AUTH_BAD);
	cr_expect_eq(r.code, 401);
	cr_expect_str_eq(
	    r.body.data,
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":"
	    "\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}");
	resp_done(&r);
	http_full(&r, "GET", "/api/v1/namespaces", NULL, 0, NULL, NULL, AUTH_NONE);
	cr_expect_eq(r.code, 403);
	cr_expect_str_eq(js(r.json, "message"),
	                 "namespaces is forbidden: User \"system:anonymous\" cannot list "
	                 "resource \"namespaces\" in API group \"\" at the cluster scope");
	resp_done(&r);
	http_full(&r, "GET", "/api", NULL, 0, NULL, NULL, AUTH_NONE);
	cr_expect_eq(r.code, 403);
	cr_expect_str_eq(js(r.json, "message"),
	                 "forbidden: User \"system:anonymous\" cannot get path \"/api\"");
	resp_done(&r);
	http_full(&r, "GET", "/healthz", NULL, 0, NULL, NULL, AUTH_NONE);
	cr_expect_eq(r.code, 200);
	resp_done(&r);
	http_full(&r, "GET", "/api/v1/namespaces/dev", NULL, 0, NULL, NULL, AUTH_CERT);
	cr_expect_eq(r.code, 200);
	resp_done(&r);
}

Test(core, garbage_never_crashes_the_server)
{
	static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
	static const char *const paths[] = {"/api/v1/namespaces/dev/serviceaccounts",
	                                    "/api/v1/namespaces",
	                                    RBAC "/clusterrolebindings",
	                                    RBAC "/namespaces/dev/rolebindings/x",
	                                    "/api/v1/namespaces/dev/serviceaccounts/default/token",
	                                    "/apis",
	                                    "/api/v1/namespaces/dev/pods/web-0/status",
	                                    "/%%%",
	                                    "/api/v1/namespaces//x"};
	static const char *const bodies[] = {
	    "{",
	    "null",
	    "{\"metadata\":{\"name\":7}}",
	    "{\"metadata\":{\"name\":\"x\",\"labels\":{\"a\":[1]}},\"rules\":{}}",
	    "{\"metadata\":{\"name\":\"y\"},\"subjects\":\"z\",\"roleRef\":[]}",
	    "{\"metadata\":{\"name\":\"z\",\"ownerReferences\":[7,{\"uid\":3}]},\"rules\":[7,[],{\"verbs\":7}"
	    "]}",
	    "k8s\0\x0a\xff\xff\xff\xff\x0f",
	};
	struct resp r;
	unsigned seed = 42;
	int i;

	for (i = 0; i < 120; i++) {
		const char *m = methods[rand_r(&seed) % 6], *p = paths[rand_r(&seed) % 9];
		const char *b = bodies[rand_r(&seed) % 7];
		const char *ct = (rand_r(&seed) % 4) ? NULL : "application/vnd.kubernetes.protobuf";

		http_full(&r, m, p, b, b[0] == 'k' ? 10 : strlen(b), ct, NULL, AUTH_TOKEN);
		/* malformed input is the client's fault: a 4xx (or a success),
		 * never a 5xx as from a handler that lost track */
		cr_expect(r.code >= 200 && r.code < 500, "%s %s: %ld %s", m, p, r.code,
		          r.body.data ? r.body.data : "");
		resp_done(&r);
		if (i % 20 == 19) {
			/* after each batch the server still answers a known
			 * request correctly, not just with some status */
			http(&r, "GET", "/api/v1/namespaces/dev", NULL);
			cr_assert_eq(r.code, 200, "after %d inputs: %s", i + 1,
			             r.body.data ? r.body.data : "");
			cr_assert_str_eq(js(r.json, "metadata.name"), "dev");
			cr_assert_str_eq(js(r.json, "kind"), "Namespace");
			resp_done(&r);
		}
	}
	expect_body("GET", "/healthz", NULL, 200, "ok");
}

Test(lifecycle, state_survives_a_restart_and_seeds_load_from_files, .timeout = 60)
{
	char tmpl[] = "/tmp/kubejit-demo-test.XXXXXX";
	char *dir = mkdtemp(tmpl), *seed, *ca, *tok, *uid, *sa_tok;
	struct demo_opts o = {0};
	struct resp r;
	struct demo_cluster *c;
	FILE *f;
	kj_err e;

	cr_assert_not_null(dir);
	o.state_dir = dir;
	cr_assert_eq(demo_start(&o, &c, &e), 0, "%s", e.msg);
	ca = kj_xstrdup(demo_ca_pem(c));
	tok = kj_xstrdup(demo_admin_token(c));
	dc = c;
	http(&r, "GET", "/api/v1/namespaces/kube-system/serviceaccounts/kubejit-jit", NULL);
	uid = kj_xstrdup(js(r.json, "metadata.uid"));
	resp_done(&r);
	sa_tok = demo_account_token(c, "kube-system/kubejit-jit")
	             ? kj_xstrdup(demo_account_token(c, "kube-system/kubejit-jit"))
	             : NULL;
	demo_stop(c);
	cr_assert_eq(demo_start(&o, &c, &e), 0, "%s", e.msg);
	dc = c;
	cr_expect_str_eq(demo_ca_pem(c), ca);
	cr_expect_str_eq(demo_admin_token(c), tok);
	cr_expect_str_eq(demo_state_dir(c), dir);
	/* seeded objects keep their uids, so tokens written by the last run still work */
	http(&r, "GET", "/api/v1/namespaces/kube-system/serviceaccounts/kubejit-jit", NULL);
	cr_expect_str_eq(js(r.json, "metadata.uid"), uid);
	resp_done(&r);
	if (sa_tok) {
		cr_expect_eq(http_bearer(&r, "GET", "/api/v1/namespaces/kube-system/pods", sa_tok), 0);
		cr_expect_eq(r.code, 200, "%s", r.body.data);
		resp_done(&r);
		kj_free_secret(sa_tok);
	}
	free(uid);
	demo_stop(c);
	dc = NULL;
	free(ca);
	free(tok);

	seed = kj_xasprintf("%s/seed.yaml", dir);
	f = fopen(seed, "w");
	fputs("apiVersion: v1\nkind: Namespace\nmetadata: {name: only}\n---\napiVersion: v1\nkind: Widget\n"
	      "metadata: {name: w}\n",
	      f);
	fclose(f);
	o.seed_file = seed;
	cr_expect_eq(demo_start(&o, &c, &e), -1);
	cr_expect(strstr(e.msg, "document 2: kind \"Widget\" (v1) is not served by the demo cluster"), "%s",
	          e.msg);
	f = fopen(seed, "w");
	fputs("apiVersion: v1\nkind: Namespace\nmetadata: {name: only}\n", f);
	fclose(f);
	cr_assert_eq(demo_start(&o, &c, &e), 0, "%s", e.msg);
	dc = c;
	expect_body("GET", "/api/v1/namespaces/only/serviceaccounts/default", NULL, 200, NULL);
	expect_body("GET", "/api/v1/namespaces/dev", NULL, 404, NULL);
	demo_stop(c);
	dc = NULL;
	o.listen = "nonsense";
	cr_expect_eq(demo_start(&o, &c, &e), -1);
	cr_expect_eq(e.cls, KJ_ERR_USAGE);
	free(seed);
	seed = kj_xasprintf("rm -rf '%s'", dir);
	cr_expect_eq(system(seed), 0);
	free(seed);
}
