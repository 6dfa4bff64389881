/* The demo cluster behaves like a production API server with its controller
 * manager: token cache, RBAC informer lag, asynchronous garbage collection
 * and namespace deletion, the CSR signer, max-inflight, latency, faults at
 * run time, paging, fieldSelector names for resourceNames, a streaming
 * watch and complete objects.  Each test starts its own cluster with the
 * delays it needs. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/demo_http.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#define RBAC "/apis/rbac.authorization.k8s.io/v1"

static void start_fast(void)
{
	struct demo_opts o = test_opts();

	start_opts(&o);
}

TestSuite(real, .init = start_fast, .fini = stop, .timeout = 60);

static long admin_code(const char *method, const char *path, const char *body)
{
	struct resp r = admin(method, path, body);
	long code = r.code;

	resp_done(&r);
	return code;
}

/* Poll an admin GET until it answers `code`; the milliseconds it took. */
static int64_t admin_until(const char *path, long code, int bound_ms)
{
	int64_t t0 = kj_mono_ms();

	while (admin_code("GET", path, NULL) != code) {
		cr_assert_lt(kj_mono_ms() - t0, bound_ms, "GET %s is not %ld after %d ms", path, code,
		             bound_ms);
		usleep(20000);
	}
	return kj_mono_ms() - t0;
}

/* ------------------------------------------------------- token cache */

Test(real, token_cache_off_refuses_at_once)
{
	struct demo_opts o = test_opts();
	struct resp r;
	char *tok;

	o.token_cache_ttl_ms = DEMO_ZERO;
	restart_opts(&o);
	tok = new_sa_token("dev", "ci");
	r = whoami(tok);
	expect(&r, 201);
	resp_done(&r);
	cr_assert_eq(admin_code("DELETE", "/api/v1/namespaces/dev/serviceaccounts/ci", NULL), 200);
	expect_unauthorized(tok);
	kj_free_secret(tok);
}

Test(real, token_cache_remembers_success_not_failure)
{
	struct resp r;
	char *tok;

	tok = new_sa_token("dev", "ci");
	/* never used before the delete: nothing cached, refused at once */
	cr_assert_eq(admin_code("DELETE", "/api/v1/namespaces/dev/serviceaccounts/ci", NULL), 200);
	expect_unauthorized(tok);
	kj_free_secret(tok);
	/* used, then revoked: the cache answers until its TTL */
	tok = new_sa_token("dev", "ci2");
	r = whoami(tok);
	expect(&r, 201);
	resp_done(&r);
	cr_assert_eq(admin_code("DELETE", "/api/v1/namespaces/dev/serviceaccounts/ci2", NULL), 200);
	expect_revoked(tok);
	kj_free_secret(tok);
}

/* ---------------------------------------------------------- RBAC lag */

Test(real, access_review_says_no_then_yes)
{
	const char *ssar = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
	const char *q = "{\"spec\":{\"resourceAttributes\":{\"namespace\":\"dev\",\"verb\":\"list\","
	                "\"resource\":\"pods\"}}}";
	struct resp r;
	char *tok;
	int64_t t0;

	tok = new_sa_token("dev", "ci");
	grant("pod-reader", "\"list\"", "pods", "ci");
	t0 = kj_mono_ms();
	r = call("POST", ssar, tok, q);
	expect(&r, 201);
	cr_assert_str_eq(jpath(r.json, "status.allowed"), "false", "%s", r.body);
	resp_done(&r);
	for (;;) {
		r = call("POST", ssar, tok, q);
		expect(&r, 201);
		if (!strcmp(jpath(r.json, "status.allowed"), "true"))
			break;
		resp_done(&r);
		cr_assert_lt(kj_mono_ms() - t0, TEST_RBAC_DELAY_MS + 2000);
		usleep(20000);
	}
	resp_done(&r);
	/* not before the delay */
	cr_assert_geq(kj_mono_ms() - t0, TEST_RBAC_DELAY_MS - 20);
	kj_free_secret(tok);
}

Test(real, a_role_counts_for_its_binding_at_once)
{
	/* the escalation check reads storage, not the informer: a writer that
	 * holds create on roles and rolebindings but not bind/escalate can make
	 * a Role and bind it right away */
	char *tok, *b;
	struct resp r;

	tok = new_sa_token("dev", "ci");
	b = kj_xasprintf("{\"metadata\":{\"name\":\"w\"},\"rules\":[{\"verbs\":[\"create\"],\"apiGroups\":"
	                 "[\"rbac.authorization.k8s.io\"],\"resources\":[\"roles\",\"rolebindings\"]},{"
	                 "\"verbs\":[\"get\"],"
	                 "\"apiGroups\":[\"\"],\"resources\":[\"pods\"]}]}");
	create(RBAC "/namespaces/dev/roles", b);
	free(b);
	b = kj_xasprintf(rb_body, "w", "Role", "w", "ci");
	create(RBAC "/namespaces/dev/rolebindings", b);
	free(b);
	cr_assert_eq(
	    poll_code("GET", "/api/v1/namespaces/dev/pods/none", tok, NULL, 404, TEST_RBAC_DELAY_MS + 2000),
	    404);
	b = kj_xasprintf(role_body, "r2", "\"get\"", "pods");
	r = call("POST", RBAC "/namespaces/dev/roles", tok, b);
	free(b);
	expect(&r, 201);
	resp_done(&r);
	b = kj_xasprintf(rb_body, "rb2", "Role", "r2", "ci");
	r = call("POST", RBAC "/namespaces/dev/rolebindings", tok, b);
	free(b);
	expect(&r, 201);
	resp_done(&r);
	kj_free_secret(tok);
}

/* ------------------------------------------- garbage collection, DELETE */

static char *make_owner_and_dependent(void)
{
	struct resp r =
	    admin("POST", "/api/v1/namespaces/dev/configmaps", "{\"metadata\":{\"name\":\"owner\"}}");
	char *uid, *b;

	expect(&r, 201);
	uid = kj_xstrdup(jpath(r.json, "metadata.uid"));
	resp_done(&r);
	b = kj_xasprintf(
	    "{\"metadata\":{\"name\":\"dep\",\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":"
	    "\"ConfigMap\",\"name\":\"owner\",\"uid\":\"%s\",\"blockOwnerDeletion\":true}]}}",
	    uid);
	create("/api/v1/namespaces/dev/configmaps", b);
	free(b);
	return uid;
}

Test(real, foreground_deletion_keeps_the_owner_until_dependents_are_gone)
{
	struct demo_opts o = test_opts();
	char *uid;
	struct resp r;

	/* long enough to see the owner between its delete and its removal, on a
	 * slow (sanitizer) build too */
	o.gc_delay_ms = 3000;
	restart_opts(&o);
	uid = make_owner_and_dependent();

	/* as kubectl delete --cascade=foreground sends it */
	r = admin("DELETE", "/api/v1/namespaces/dev/configmaps/owner",
	          "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Foreground\"}");
	expect(&r, 200);
	cr_assert_str_eq(jpath(r.json, "kind"), "ConfigMap", "%s", r.body);
	cr_assert_neq(*jpath(r.json, "metadata.deletionTimestamp"), 0);
	cr_assert_str_eq(jpath(r.json, "metadata.finalizers.0"), "foregroundDeletion");
	resp_done(&r);
	r = admin("GET", "/api/v1/namespaces/dev/configmaps/owner", NULL);
	expect(&r, 200);
	cr_assert_str_eq(jpath(r.json, "metadata.finalizers.0"), "foregroundDeletion");
	resp_done(&r);
	cr_assert_eq(admin_code("GET", "/api/v1/namespaces/dev/configmaps/dep", NULL), 200);
	admin_until("/api/v1/namespaces/dev/configmaps/dep", 404, o.gc_delay_ms + 2000);
	admin_until("/api/v1/namespaces/dev/configmaps/owner", 404, 2000);
	free(uid);
}

Test(real, orphan_deletion_keeps_dependents_without_the_reference)
{
	char *uid = make_owner_and_dependent();
	struct resp r;

	r = admin("DELETE", "/api/v1/namespaces/dev/configmaps/owner?propagationPolicy=Orphan", NULL);
	expect(&r, 200);
	cr_assert_str_eq(jpath(r.json, "metadata.finalizers.0"), "orphan");
	resp_done(&r);
	admin_until("/api/v1/namespaces/dev/configmaps/owner", 404, TEST_GC_DELAY_MS + 2000);
	r = admin("GET", "/api/v1/namespaces/dev/configmaps/dep", NULL);
	expect(&r, 200);
	cr_assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json, "metadata"), "ownerReferences"), "%s",
	               r.body);
	resp_done(&r);
	free(uid);
}

Test(real, background_deletion_collects_dependents_later)
{
	struct demo_opts o = test_opts();
	char *uid;

	/* long enough to see the dependent outlive its owner, on a slow build too */
	o.gc_delay_ms = 3000;
	restart_opts(&o);
	uid = make_owner_and_dependent();
	cr_assert_eq(admin_code("DELETE", "/api/v1/namespaces/dev/configmaps/owner",
	                        "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":"
	                        "\"Background\"}"),
	             200);
	cr_assert_eq(admin_code("GET", "/api/v1/namespaces/dev/configmaps/owner", NULL), 404);
	cr_assert_eq(admin_code("GET", "/api/v1/namespaces/dev/configmaps/dep", NULL), 200,
	             "the dependent must outlive its owner until the collector runs");
	admin_until("/api/v1/namespaces/dev/configmaps/dep", 404, o.gc_delay_ms + 2000);
	free(uid);
}

/* ----------------------------------------------------- namespaces */

Test(real, a_deleted_namespace_terminates_and_refuses_new_content)
{
	struct demo_opts o = test_opts();
	struct resp r;

	/* long enough to see the namespace between its delete and its removal */
	o.gc_delay_ms = 3000;
	restart_opts(&o);

	create("/api/v1/namespaces", "{\"metadata\":{\"name\":\"tmp\"}}");
	create("/api/v1/namespaces/tmp/configmaps", "{\"metadata\":{\"name\":\"c\"}}");
	r = admin("DELETE", "/api/v1/namespaces/tmp", NULL);
	expect(&r, 200);
	cr_assert_str_eq(jpath(r.json, "status.phase"), "Terminating");
	cr_assert_neq(*jpath(r.json, "metadata.deletionTimestamp"), 0);
	cr_assert_str_eq(jpath(r.json, "spec.finalizers.0"), "kubernetes");
	resp_done(&r);
	r = admin("POST", "/api/v1/namespaces/tmp/configmaps", "{\"metadata\":{\"name\":\"new\"}}");
	expect(&r, 403);
	cr_assert_str_eq(
	    r.body, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
	            "\"message\":\"configmaps \\\"new\\\" is forbidden: unable to create new content in "
	            "namespace tmp because it is being terminated\",\"reason\":\"Forbidden\",\"details\":"
	            "{\"name\":\"new\",\"kind\":\"configmaps\",\"causes\":[{\"reason\":"
	            "\"NamespaceTerminating\",\"message\":\"namespace tmp is being terminated\",\"field\":"
	            "\"metadata.namespace\"}]},\"code\":403}");
	resp_done(&r);
	/* generateName stands in for the name; subresources use the URL's */
	r = admin("POST", "/api/v1/namespaces/tmp/serviceaccounts",
	          "{\"metadata\":{\"generateName\":\"g-\"}}");
	expect(&r, 403);
	cr_assert(strstr(jpath(r.json, "message"), "serviceaccounts \"g-\" is forbidden"), "%s", r.body);
	resp_done(&r);
	admin_until("/api/v1/namespaces/tmp/configmaps/c", 404, 3000 + 5000);
	admin_until("/api/v1/namespaces/tmp", 404, 5000);
}

/* ------------------------------------------------------------- CSR */

static void make_csr_object(const char *name)
{
	char *csr, *key, *body;
	struct resp r;

	make_csr(name, "devs", &csr, &key);
	body = csr_body(name, csr, NULL);
	r = admin("POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests", body);
	expect(&r, 201);
	resp_done(&r);
	free(body);
	free(csr);
	kj_free_secret(key);
}

static void approve(const char *name)
{
	char *path =
	    kj_xasprintf("/apis/certificates.k8s.io/v1/certificatesigningrequests/%s/approval", name);
	char *body = kj_xasprintf("{\"metadata\":{\"name\":\"%s\"},\"status\":{\"conditions\":[{\"type\":"
	                          "\"Approved\",\"status\":\"True\",\"reason\":\"Test\"}]}}",
	                          name);

	cr_assert_eq(admin_code("PUT", path, body), 200);
	free(path);
	free(body);
}

Test(real, csr_signer_none_never_issues)
{
	struct demo_opts o = test_opts();
	struct resp r;

	o.csr_signer_none = 1;
	restart_opts(&o);
	make_csr_object("nobody");
	approve("nobody");
	usleep((TEST_CSR_DELAY_MS + 500) * 1000);
	r = admin("GET", "/apis/certificates.k8s.io/v1/certificatesigningrequests/nobody", NULL);
	expect(&r, 200);
	cr_assert(strstr(r.body, "\"type\":\"Approved\""), "%s", r.body);
	cr_assert_str_eq(jpath(r.json, "status.certificate"), "");
	resp_done(&r);
}

Test(real, csr_is_signed_after_the_delay)
{
	struct demo_opts o = test_opts();
	struct resp r;
	int64_t t0;

	o.csr_signer_delay_ms = 800;
	restart_opts(&o);
	make_csr_object("later");
	approve("later");
	t0 = kj_mono_ms();
	r = admin("GET", "/apis/certificates.k8s.io/v1/certificatesigningrequests/later", NULL);
	cr_assert_str_eq(jpath(r.json, "status.certificate"), "", "issued at once");
	resp_done(&r);
	for (;;) {
		r = admin("GET", "/apis/certificates.k8s.io/v1/certificatesigningrequests/later", NULL);
		if (*jpath(r.json, "status.certificate"))
			break;
		resp_done(&r);
		cr_assert_lt(kj_mono_ms() - t0, 3000);
		usleep(20000);
	}
	resp_done(&r);
	cr_assert_geq(kj_mono_ms() - t0, 700);
}

/* --------------------------------------------- max-inflight, latency */

struct slow {
	const char *token;
	long code;
};

static void *slow_call(void *arg)
{
	struct slow *s = arg;
	struct resp r = call("GET", "/api/v1/namespaces/dev/configmaps", s->token, NULL);

	s->code = r.code;
	resp_done(&r);
	return NULL;
}

Test(real, beyond_max_inflight_429_with_retry_after)
{
	struct demo_opts o = test_opts();
	struct slow s = {0};
	pthread_t th;
	struct resp r;
	kj_err e;

	o.max_inflight = 1;
	restart_opts(&o);
	s.token = demo_account_token(dc, "kube-system/kubejit-jit");
	cr_assert_not_null(s.token);
	cr_assert_eq(demo_fault_add_spec(dc, "GET:/api/v1/namespaces/dev/configmaps:1:delay=1500ms", &e), 0,
	             "%s", e.msg);
	pthread_create(&th, NULL, slow_call, &s);
	usleep(400000);
	r = call("GET", "/api/v1/namespaces/dev/serviceaccounts", s.token, NULL);
	expect(&r, 429);
	cr_assert_str_eq(r.body, "Too many requests, please try again later.\n");
	cr_assert_str_eq(r.retry_after ? r.retry_after : "", "1");
	resp_done(&r);
	/* system:masters is never refused */
	r = admin("GET", "/api/v1/namespaces/dev/serviceaccounts", NULL);
	expect(&r, 200);
	resp_done(&r);
	pthread_join(th, NULL);
	cr_assert_neq(s.code, 429);
	r = call("GET", "/api/v1/namespaces/dev/serviceaccounts", s.token, NULL);
	cr_assert_neq(r.code, 429);
	resp_done(&r);
}

Test(real, latency_is_added_to_every_response)
{
	struct demo_opts o = test_opts();
	int64_t t0;

	o.latency_ms = 300;
	restart_opts(&o);
	t0 = kj_mono_ms();
	cr_assert_eq(admin_code("GET", "/version", NULL), 200);
	cr_assert_geq(kj_mono_ms() - t0, 300);
}

/* ------------------------------------------------------------ faults */

Test(real, fault_specs_and_the_admin_endpoint)
{
	struct demo_opts o = test_opts();
	const char *const specs[] = {"DELETE:/api/v1/namespaces/dev/configmaps/*:1:status=503", NULL};
	const char *jit;
	struct resp r;
	kj_err e;

	o.faults = specs;
	restart_opts(&o);
	create("/api/v1/namespaces/dev/configmaps", "{\"metadata\":{\"name\":\"f\"}}");
	cr_assert_eq(admin_code("DELETE", "/api/v1/namespaces/dev/configmaps/f", NULL), 503);
	cr_assert_eq(admin_code("DELETE", "/api/v1/namespaces/dev/configmaps/f", NULL), 200);
	/* bad specs name what is wrong */
	cr_assert_eq(demo_fault_add_spec(dc, "GET:/x:0:drop", &e), -1);
	cr_assert(strstr(e.msg, "NTH"), "%s", e.msg);
	cr_assert_eq(demo_fault_add_spec(dc, "FETCH:/x:1:drop", &e), -1);
	cr_assert(strstr(e.msg, "not an HTTP method"), "%s", e.msg);
	cr_assert_eq(demo_fault_add_spec(dc, "GET:/x:1:status=99", &e), -1);
	cr_assert_eq(demo_fault_add_spec(dc, "GET:/x:1:explode", &e), -1);
	cr_assert(strstr(e.msg, "status=CODE, delay=DURATION or drop"), "%s", e.msg);
	/* at run time, as the admin; others are refused */
	jit = demo_account_token(dc, "kube-system/kubejit-jit");
	r = call("POST", "/kubejit/faults", jit, "GET:/api/v1/namespaces:1:status=500");
	expect(&r, 403);
	resp_done(&r);
	r = call("POST", "/kubejit/faults", NULL, "GET:/api/v1/namespaces:1:status=500");
	expect(&r, 403);
	resp_done(&r);
	r = admin("POST", "/kubejit/faults", "{\"spec\":\"GET:/api/v1/namespaces:1:status=500\"}");
	expect(&r, 201);
	resp_done(&r);
	r = admin("POST", "/kubejit/faults", "GET:/nowhere");
	expect(&r, 400);
	cr_assert(strstr(jpath(r.json, "message"), "METHOD:PATH-GLOB:NTH:ACTION"), "%s", r.body);
	resp_done(&r);
	cr_assert_eq(admin_code("GET", "/api/v1/namespaces", NULL), 500);
	cr_assert_eq(admin_code("GET", "/api/v1/namespaces", NULL), 200);
	r = admin("GET", "/kubejit/faults", NULL);
	expect(&r, 200);
	cr_assert(strstr(r.body, "\"fired\":true"), "%s", r.body);
	resp_done(&r);
	cr_assert_eq(admin_code("DELETE", "/kubejit/faults", NULL), 200);
	r = admin("GET", "/kubejit/faults", NULL);
	cr_assert_str_eq(r.body, "{\"faults\":[]}");
	resp_done(&r);
	cr_assert_eq(admin_code("GET", "/kubejit/nothing", NULL), 404);
}

/* ------------------------------------------------------------ paging */

Test(real, lists_page_with_limit_and_continue)
{
	struct resp r;
	char *next, *path;
	int seen = 0;

	r = admin("GET", "/api/v1/pods?limit=2", NULL);
	expect(&r, 200);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 2);
	cr_assert_str_eq(jpath(r.json, "metadata.remainingItemCount"), "3", "%s", r.body);
	next = kj_xstrdup(jpath(r.json, "metadata.continue"));
	cr_assert_neq(*next, 0);
	resp_done(&r);
	seen = 2;
	while (*next) {
		path = kj_xasprintf("/api/v1/pods?limit=2&continue=%s", next);
		free(next);
		r = admin("GET", path, NULL);
		free(path);
		expect(&r, 200);
		seen += cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items"));
		next = kj_xstrdup(jpath(r.json, "metadata.continue"));
		resp_done(&r);
	}
	free(next);
	cr_assert_eq(seen, 5);
	/* a selector hides the count */
	r = admin("GET", "/api/v1/pods?limit=1&labelSelector=app%3Dweb", NULL);
	cr_assert_neq(*jpath(r.json, "metadata.continue"), 0);
	cr_assert_str_eq(jpath(r.json, "metadata.remainingItemCount"), "");
	resp_done(&r);
	r = admin("GET", "/api/v1/pods?limit=1&continue=bm90LWEtdG9rZW4", NULL);
	expect(&r, 400);
	resp_done(&r);
}

Test(real, a_continue_token_from_before_compaction_is_gone)
{
	struct resp r;
	char *path;

	r = admin("GET", "/api/v1/pods?limit=2", NULL);
	path = kj_xasprintf("/api/v1/pods?limit=2&continue=%s", jpath(r.json, "metadata.continue"));
	resp_done(&r);
	create("/api/v1/namespaces/dev/configmaps", "{\"metadata\":{\"name\":\"bump\"}}");
	demo_compact(dc);
	r = admin("GET", path, NULL);
	free(path);
	expect(&r, 410);
	cr_assert_str_eq(jpath(r.json, "reason"), "Expired");
	cr_assert(strstr(jpath(r.json, "message"), "The provided continue parameter is too old"), "%s",
	          r.body);
	/* with a token to continue inconsistently */
	cr_assert_neq(*jpath(r.json, "metadata.continue"), 0, "%s", r.body);
	path = kj_xasprintf("/api/v1/pods?limit=2&continue=%s", jpath(r.json, "metadata.continue"));
	resp_done(&r);
	r = admin("GET", path, NULL);
	expect(&r, 200);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 2);
	resp_done(&r);
	free(path);
}

/* ------------------------------------------------- fieldSelector names */

Test(real, field_selector_name_is_authorised_by_resource_names)
{
	char *tok, *b;
	struct resp r;

	tok = new_sa_token("dev", "ci");
	b = kj_xasprintf(
	    "{\"metadata\":{\"name\":\"one\"},\"rules\":[{\"verbs\":[\"get\",\"list\",\"watch\"],"
	    "\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"resourceNames\":[\"web-0\"]}]}");
	create(RBAC "/namespaces/dev/roles", b);
	free(b);
	b = kj_xasprintf(rb_body, "one", "Role", "one", "ci");
	create(RBAC "/namespaces/dev/rolebindings", b);
	free(b);
	cr_assert_eq(
	    poll_code("GET", "/api/v1/namespaces/dev/pods/web-0", tok, NULL, 200, TEST_RBAC_DELAY_MS + 2000),
	    200);
	r = call("GET", "/api/v1/namespaces/dev/pods?fieldSelector=metadata.name%3Dweb-0", tok, NULL);
	expect(&r, 200);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "items")), 1);
	resp_done(&r);
	r = call("GET", "/api/v1/namespaces/dev/pods", tok, NULL);
	expect(&r, 403);
	resp_done(&r);
	r = call("GET", "/api/v1/namespaces/dev/pods?fieldSelector=metadata.name%3Dapi-6d5f7c9b8-x2k4q", tok,
	         NULL);
	expect(&r, 403);
	cr_assert_str_eq(jpath(r.json, "message"),
	                 "pods \"api-6d5f7c9b8-x2k4q\" is forbidden: User \"system:serviceaccount:dev:ci\" "
	                 "cannot list resource \"pods\" in API group \"\" in the namespace \"dev\"");
	resp_done(&r);
	kj_free_secret(tok);
}

/* ------------------------------------------------------------- watch */

struct watcher {
	char *path;
	struct resp r;
	int64_t took;
};

static void *watch_thread(void *arg)
{
	struct watcher *w = arg;
	int64_t t0 = kj_mono_ms();

	w->r = admin("GET", w->path, NULL);
	w->took = kj_mono_ms() - t0;
	return NULL;
}

Test(real, watch_streams_changes_until_its_timeout)
{
	struct watcher w = {0};
	struct resp r;
	pthread_t th;

	r = admin("GET", "/api/v1/namespaces/dev/configmaps", NULL);
	w.path =
	    kj_xasprintf("/api/v1/namespaces/dev/configmaps?watch=true&resourceVersion=%s&timeoutSeconds=2",
	                 jpath(r.json, "metadata.resourceVersion"));
	resp_done(&r);
	pthread_create(&th, NULL, watch_thread, &w);
	usleep(300000);
	create("/api/v1/namespaces/dev/configmaps", "{\"metadata\":{\"name\":\"seen\"}}");
	cr_assert_eq(admin_code("DELETE", "/api/v1/namespaces/dev/configmaps/seen", NULL), 200);
	create("/api/v1/namespaces/prod/configmaps", "{\"metadata\":{\"name\":\"elsewhere\"}}");
	pthread_join(th, NULL);
	expect(&w.r, 200);
	cr_assert_geq(w.took, 1900, "the watch ended after %lld ms", (long long)w.took);
	cr_assert(strstr(w.r.body, "{\"type\":\"ADDED\",\"object\":{\"kind\":\"ConfigMap\""), "%s", w.r.body);
	cr_assert(strstr(w.r.body, "\"type\":\"DELETED\""), "%s", w.r.body);
	cr_assert_null(strstr(w.r.body, "elsewhere"), "%s", w.r.body);
	resp_done(&w.r);
	free(w.path);
}

/* ----------------------------------------------------------- objects */

Test(real, pods_carry_the_fields_a_real_server_sets)
{
	struct resp r = admin("GET", "/api/v1/namespaces/dev/pods/web-0", NULL);
	static const char *const fields[] = {"status.containerStatuses.0.name",
	                                     "status.containerStatuses.0.image",
	                                     "status.containerStatuses.0.imageID",
	                                     "status.containerStatuses.0.ready",
	                                     "status.containerStatuses.0.restartCount",
	                                     "status.containerStatuses.0.started",
	                                     "status.phase",
	                                     "status.qosClass",
	                                     "spec.restartPolicy",
	                                     "spec.dnsPolicy",
	                                     "spec.schedulerName",
	                                     "spec.terminationGracePeriodSeconds",
	                                     "spec.containers.0.imagePullPolicy",
	                                     "spec.containers.0.terminationMessagePath",
	                                     "metadata.uid",
	                                     "metadata.resourceVersion",
	                                     "metadata.creationTimestamp",
	                                     NULL};

	expect(&r, 200);
	for (size_t i = 0; fields[i]; i++)
		cr_expect_neq(*jpath(r.json, fields[i]), 0, "seeded pod lacks %s", fields[i]);
	resp_done(&r);
	r = admin("POST", "/api/v1/namespaces/dev/pods",
	          "{\"metadata\":{\"name\":\"fresh\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":"
	          "\"nginx\"}]}}");
	expect(&r, 201);
	cr_expect_str_eq(jpath(r.json, "spec.containers.0.imagePullPolicy"), "Always");
	cr_expect_str_eq(jpath(r.json, "spec.restartPolicy"), "Always");
	cr_expect_str_eq(jpath(r.json, "spec.serviceAccountName"), "default");
	cr_expect_str_eq(jpath(r.json, "status.phase"), "Pending");
	cr_expect_str_eq(jpath(r.json, "status.qosClass"), "BestEffort");
	resp_done(&r);
}
