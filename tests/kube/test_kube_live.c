/* Live tests of the cluster client (src/kube) against the demo cluster
 * started in-process on a free loopback port: TLS, transport failures, Status
 * errors, connection reuse, parallel requests, CRUD. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "demo/demo.h"
#include "tests/support/kube_fixture.h"
#include "kube/api.h"
#include "kube/http.h"
#include "kube/kubeconfig.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

TestSuite(live, .init = kube_fixture_start, .fini = kube_fixture_stop, .timeout = 60);

static char *data_path(const char *name)
{
	const char *top = getenv("top_srcdir");
	return kj_xasprintf("%s/tests/support/data/%s", top ? top : ".", name);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	kj_buf b;
	kj_buf_init(&b);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		kj_buf_add(&b, chunk, n);
	fclose(f);
	return kj_buf_steal(&b);
}

/* ---- TLS --------------------------------------------------------------------- */

Test(live, tls_verified_with_the_cluster_ca_and_version_read)
{
	struct kube_client *c = kube_admin();
	struct kube_version v;
	kj_err e;
	cr_assert_eq(kube_server_version(c, &v, &e), 0, "%s", e.msg);
	cr_assert_str_eq(v.major, "1");
	cr_assert(strncmp(v.git_version, "v1.", 3) == 0, "%s", v.git_version);
	kube_version_done(&v);
	kube_client_free(c);
}

Test(live, wrong_ca_is_refused_with_a_ca_hint)
{
	char *p = data_path("kube-ca.crt");
	char *other = slurp(p);
	struct kube_conn conn = {.server = demo_url(dc), .ca = other, .token = demo_admin_token(dc)};
	struct kube_client *c = NULL;
	kj_err e;
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	struct kube_version v;
	cr_assert_eq(kube_server_version(c, &v, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NETWORK);
	cr_assert(strstr(e.msg, "cannot verify the certificate"), "%s", e.msg);
	cr_assert(strstr(e.hint, "CA"), "%s", e.hint);
	cr_assert_null(strstr(e.msg, demo_admin_token(dc)));
	kube_client_free(c);
	free(other);
	free(p);
}

Test(live, tls_server_name_verifies_against_another_name)
{
	/* The demo certificate names 127.0.0.1 and localhost. */
	struct kube_conn conn = {
	    .server = demo_url(dc), .ca = demo_ca_pem(dc), .token = demo_admin_token(dc)};
	struct kube_client *c = NULL;
	kj_err e;
	conn.tls_server_name = "localhost";
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	struct kube_version v;
	cr_assert_eq(kube_server_version(c, &v, &e), 0, "%s", e.msg);
	kube_version_done(&v);
	kube_client_free(c);

	conn.tls_server_name = "api.wrong.example";
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(kube_server_version(c, &v, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NETWORK);
	cr_assert(strstr(e.msg, "not valid for the host name"), "%s", e.msg);
	cr_assert(strstr(e.hint, "--tls-server-name"), "%s", e.hint);
	kube_client_free(c);
}

/* ---- HTTP errors decoded from Status bodies ----------------------------------------- */

Test(live, not_found_conflict_and_invalid_keep_the_server_reason)
{
	struct kube_client *c = kube_admin();
	kj_err e;
	cJSON *obj = NULL;
	cr_assert_eq(kube_get(c, KUBE_SERVICEACCOUNT, "dev", "nope", &obj, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
	cr_assert_eq(e.http_status, 404);
	cr_assert_str_eq(e.reason, "NotFound");
	cr_assert_str_eq(e.msg, "serviceaccounts \"nope\" not found");
	cr_assert_eq(kube_delete(c, KUBE_SERVICEACCOUNT, "dev", "nope", &e), KUBE_GONE);

	cJSON *sa = sa_object("twice");
	cr_assert_eq(kube_create(c, KUBE_SERVICEACCOUNT, "dev", sa, NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(kube_create(c, KUBE_SERVICEACCOUNT, "dev", sa, NULL, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_CONFLICT);
	cr_assert_eq(e.http_status, 409);
	cr_assert_str_eq(e.reason, "AlreadyExists");
	cr_assert_str_eq(e.msg, "serviceaccounts \"twice\" already exists");
	cr_assert_eq(kube_delete(c, KUBE_SERVICEACCOUNT, "dev", "twice", &e), 0, "%s", e.msg);
	cr_assert_eq(kube_delete(c, KUBE_SERVICEACCOUNT, "dev", "twice", &e), KUBE_GONE);
	cJSON_Delete(sa);

	sa = sa_object("Bad_Name");
	cr_assert_eq(kube_create(c, KUBE_SERVICEACCOUNT, "dev", sa, NULL, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert_eq(e.http_status, 422);
	cr_assert_str_eq(e.reason, "Invalid");
	cr_assert(strstr(e.msg, "ServiceAccount \"Bad_Name\" is invalid"), "%s", e.msg);
	cJSON_Delete(sa);

	struct kube_client *bad = client_with("not-a-valid-token", NULL, NULL);
	cr_assert_eq(kube_get(bad, KUBE_NAMESPACE, NULL, "dev", &obj, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_AUTH);
	cr_assert_eq(e.http_status, 401);
	cr_assert_str_eq(e.reason, "Unauthorized");
	cr_assert_null(strstr(e.msg, "not-a-valid-token"));
	kube_client_free(bad);
	kube_client_free(c);
}

Test(live, injected_status_without_kubernetes_body_is_still_specific)
{
	kj_err e;
	struct kube_client *c = kube_admin();
	cr_assert_eq(demo_fault_add(dc, "GET", "/version", 1, DEMO_FAULT_STATUS, 500, 0), 0);
	struct kube_version v;
	cr_assert_eq(kube_server_version(c, &v, &e), -1);
	cr_assert_eq(e.http_status, 500);
	cr_assert_eq(e.cls, KJ_ERR_FAIL);
	cr_assert(strlen(e.hint) > 0);
	/* The fault disarmed: the next call works on the same client. */
	cr_assert_eq(kube_server_version(c, &v, &e), 0, "%s", e.msg);
	kube_version_done(&v);
	kube_client_free(c);
}

/* ---- throttling: 429 and 503 with Retry-After ---------------------------------------- */

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

Test(live, throttled_get_is_resent_after_retry_after)
{
	struct kube_client *c = kube_admin();
	cr_assert_eq(demo_fault_add(dc, "GET", "/api/v1/namespaces/dev", 1, DEMO_FAULT_STATUS, 429, 0), 0);
	cr_assert_eq(demo_fault_add(dc, "GET", "/api/v1/namespaces/dev", 1, DEMO_FAULT_STATUS, 503, 0), 0);
	struct kube_call call = {.method = "GET", .path = "/api/v1/namespaces/dev"};
	kj_err e;
	double t0 = mono_s();
	cr_assert_eq(kube_request_many(c, &call, 1, &e), 0, "%s", e.msg);
	double took = mono_s() - t0;
	cr_assert_eq(call.resp.status, 200);
	cr_assert_eq(call.retries, 2, "one resend after the 429, one after the 503: %u", call.retries);
	/* the demo says Retry-After: 1 each time */
	cr_assert_geq(took, 1.9, "Retry-After honoured: waited %.2f s", took);
	cr_assert_lt(took, 5.0, "%.2f s", took);
	kube_response_done(&call.resp);
	kube_client_free(c);
}

Test(live, throttling_retries_are_bounded)
{
	struct kube_client *c = kube_admin();
	for (int i = 0; i < KUBE_RETRY_MAX + 1; i++)
		cr_assert_eq(
		    demo_fault_add(dc, "GET", "/api/v1/namespaces/default", 1, DEMO_FAULT_STATUS, 429, 0), 0);
	cJSON *o = NULL;
	kj_err e;
	cr_assert_eq(kube_get(c, KUBE_NAMESPACE, NULL, "default", &o, &e), -1);
	cr_assert_eq(e.http_status, 429);
	cr_assert_str_eq(e.reason, "TooManyRequests");
	struct kube_client_stats st;
	kube_client_get_stats(c, &st);
	cr_assert_eq(st.requests, KUBE_RETRY_MAX + 1, "%llu", (unsigned long long)st.requests);
	demo_fault_clear(dc);
	kube_client_free(c);
}

Test(live, unavailable_post_is_resent_only_when_safe)
{
	struct kube_client *c = kube_admin();
	kj_err e;
	/* an unlabelled create is not resent after 503: it may have been stored */
	cr_assert_eq(demo_fault_add(dc, "POST", "/api/v1/namespaces/dev/serviceaccounts", 1,
	                            DEMO_FAULT_STATUS, 503, 0),
	             0);
	cJSON *sa = sa_object("plain-503");
	cr_assert_eq(kube_create(c, KUBE_SERVICEACCOUNT, "dev", sa, NULL, &e), -1);
	cr_assert_eq(e.http_status, 503);
	cJSON_Delete(sa);
	/* ... but after 429 it is: throttling refuses before any handler runs */
	cr_assert_eq(demo_fault_add(dc, "POST", "/api/v1/namespaces/dev/serviceaccounts", 1,
	                            DEMO_FAULT_STATUS, 429, 0),
	             0);
	sa = sa_object("plain-429");
	cr_assert_eq(kube_create(c, KUBE_SERVICEACCOUNT, "dev", sa, NULL, &e), 0, "%s", e.msg);
	cJSON_Delete(sa);
	/* reviews store nothing: resent after 503 */
	cr_assert_eq(demo_fault_add(dc, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", 1,
	                            DEMO_FAULT_STATUS, 503, 0),
	             0);
	struct kube_access a = {.verb = "get", .resource = "pods", .ns = "dev"};
	int allowed = 0;
	cr_assert_eq(kube_can_i(c, &a, &allowed, NULL, &e), 0, "%s", e.msg);
	cr_assert(allowed);
	kube_client_free(c);
}

/* A labelled create resent after 503 that meets 409: the object of that name
 * is ours when it carries our lease label (an earlier attempt stored it),
 * someone else's otherwise. */
Test(live, conflict_after_a_resent_create_is_recognised_by_the_lease_label)
{
	struct kube_client *c = kube_admin();
	kj_err e;
	cJSON *mine = sa_object("resent-mine");
	cJSON_AddStringToObject(cJSON_GetObjectItem(cJSON_GetObjectItem(mine, "metadata"), "labels"),
	                        KUBE_LEASE_LABEL, "lease-1");
	/* the first attempt's object, as if its answer had been lost */
	cJSON *first = NULL;
	cr_assert_eq(kube_create(c, KUBE_SERVICEACCOUNT, "dev", mine, &first, &e), 0, "%s", e.msg);
	cr_assert_eq(demo_fault_add(dc, "POST", "/api/v1/namespaces/dev/serviceaccounts", 1,
	                            DEMO_FAULT_STATUS, 503, 0),
	             0);
	cJSON *got = NULL;
	cr_assert_eq(kube_create(c, KUBE_SERVICEACCOUNT, "dev", mine, &got, &e), 0, "%s", e.msg);
	cr_assert_str_eq(kube_meta(got, "uid"), kube_meta(first, "uid"));
	cJSON_Delete(got);
	cJSON_Delete(first);

	/* the same name with another lease's label is a real conflict */
	cJSON *other = sa_object("resent-mine");
	cJSON_AddStringToObject(cJSON_GetObjectItem(cJSON_GetObjectItem(other, "metadata"), "labels"),
	                        KUBE_LEASE_LABEL, "lease-2");
	cr_assert_eq(demo_fault_add(dc, "POST", "/api/v1/namespaces/dev/serviceaccounts", 1,
	                            DEMO_FAULT_STATUS, 503, 0),
	             0);
	cr_assert_eq(kube_create(c, KUBE_SERVICEACCOUNT, "dev", other, NULL, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_CONFLICT, "%s", e.msg);
	/* without any resend a 409 stays a 409 even for our own label */
	cr_assert_eq(kube_create(c, KUBE_SERVICEACCOUNT, "dev", mine, NULL, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_CONFLICT, "%s", e.msg);
	cJSON_Delete(other);
	cJSON_Delete(mine);
	kube_client_free(c);
}

/* ---- paging -------------------------------------------------------------------------- */

/* More objects than one page holds: kube_list follows metadata.continue,
 * and restarts when a continue token has expired (410 Gone). */
Test(live, lists_page_through_more_than_one_page_and_restart_on_410)
{
	enum { N = KUBE_LIST_PAGE + 23 };
	struct kube_client *c = kube_admin();
	struct kube_op *ops = calloc(N, sizeof(*ops));
	cJSON **objs = calloc(N, sizeof(*objs));
	kj_err e;

	for (int i = 0; i < N; i++) {
		char name[32];
		snprintf(name, sizeof name, "page-%04d", i);
		objs[i] = cJSON_CreateObject();
		cJSON *m = cJSON_AddObjectToObject(objs[i], "metadata");
		cJSON_AddStringToObject(m, "name", name);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(m, "labels"), "paging", "yes");
		ops[i].verb = KUBE_OP_CREATE;
		ops[i].kind = KUBE_CONFIGMAP;
		ops[i].ns = "dev";
		ops[i].obj = objs[i];
	}
	cr_assert_eq(kube_batch(c, ops, N, &e), 0, "%s", e.msg);
	for (int i = 0; i < N; i++) {
		cJSON_Delete(ops[i].result);
		cJSON_Delete(objs[i]);
	}

	struct demo_stats before, after;
	demo_get_stats(dc, &before);
	cJSON *list = NULL;
	cr_assert_eq(kube_list(c, KUBE_CONFIGMAP, "dev", "paging=yes", &list, &e), 0, "%s", e.msg);
	demo_get_stats(dc, &after);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(list, "items")), N);
	cr_assert_eq(after.requests - before.requests, 2, "two pages");
	cr_assert_null(kube_meta(list, "continue"), "the merged list has no continue token");
	/* sorted by name across the page boundary, none twice */
	cr_assert_str_eq(kube_meta(cJSON_GetArrayItem(cJSON_GetObjectItem(list, "items"), N - 1), "name"),
	                 "page-0522");
	cJSON_Delete(list);

	/* the second page's continue token has expired: start again */
	cr_assert_eq(
	    demo_fault_add(dc, "GET", "/api/v1/namespaces/dev/configmaps", 2, DEMO_FAULT_STATUS, 410, 0), 0);
	demo_get_stats(dc, &before);
	cr_assert_eq(kube_list(c, KUBE_CONFIGMAP, "dev", "paging=yes", &list, &e), 0, "%s", e.msg);
	demo_get_stats(dc, &after);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(list, "items")), N, "no item lost or doubled");
	cr_assert_eq(after.requests - before.requests, 4, "page 1, 410, then pages 1 and 2 again");
	cJSON_Delete(list);
	free(ops);
	free(objs);
	kube_client_free(c);
}

/* ---- transport failures ----------------------------------------------------------------- */

Test(live, connection_refused_names_the_server)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	getsockname(s, (struct sockaddr *)&a, &len);
	close(s); /* nobody listens there now */
	char *url = kj_xasprintf("https://127.0.0.1:%d", ntohs(a.sin_port));
	struct kube_conn conn = {.server = url, .ca = demo_ca_pem(dc)};
	struct kube_client *c = NULL;
	kj_err e;
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	struct kube_version v;
	cr_assert_eq(kube_server_version(c, &v, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NETWORK);
	cr_assert(strstr(e.msg, "connection refused") && strstr(e.msg, url), "%s", e.msg);
	cr_assert(strstr(e.hint, "port"), "%s", e.hint);
	kube_client_free(c);
	free(url);
}

Test(live, proxy_url_is_used_even_for_loopback_and_a_dead_proxy_is_named)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	getsockname(s, (struct sockaddr *)&a, &len);
	close(s); /* a proxy that is down */
	char *proxy = kj_xasprintf("http://user:pw@127.0.0.1:%d", ntohs(a.sin_port));
	char *shown = kj_xasprintf("http://127.0.0.1:%d", ntohs(a.sin_port));
	/* client-go's http.ProxyURL: the kubeconfig's proxy-url, loopback or not */
	struct kube_conn conn = {.server = demo_url(dc), .ca = demo_ca_pem(dc), .proxy_url = proxy};
	struct kube_client *c = NULL;
	kj_err e;
	struct kube_version v;
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(kube_server_version(c, &v, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NETWORK);
	cr_assert(strstr(e.msg, "cannot connect to the proxy") && strstr(e.msg, shown), "%s", e.msg);
	cr_assert_null(strstr(e.msg, "pw@"), "proxy credentials stay out of messages: %s", e.msg);
	kube_client_free(c);

	/* the environment's proxy is not used for loopback (Go's ProxyFromEnvironment) */
	setenv("HTTPS_PROXY", proxy, 1);
	conn.proxy_url = NULL;
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(kube_server_version(c, &v, &e), 0, "loopback must bypass $HTTPS_PROXY: %s", e.msg);
	kube_version_done(&v);
	kube_client_free(c);
	unsetenv("HTTPS_PROXY");
	free(proxy);
	free(shown);
}

Test(live, silent_listener_hits_the_connect_timeout)
{
	/* The kernel accepts the TCP connection, nobody speaks TLS: the
	 * connect timeout (which covers the TLS handshake) must fire. */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	cr_assert_eq(listen(s, 4), 0);
	getsockname(s, (struct sockaddr *)&a, &len);
	char *url = kj_xasprintf("https://127.0.0.1:%d", ntohs(a.sin_port));
	struct kube_conn conn = {.server = url, .ca = demo_ca_pem(dc), .connect_timeout_ms = 300};
	struct kube_client *c = NULL;
	kj_err e;
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	struct kube_version v;
	int64_t t0 = kj_mono_ms();
	cr_assert_eq(kube_server_version(c, &v, &e), -1);
	cr_assert_lt(kj_mono_ms() - t0, 3000);
	cr_assert_eq(e.cls, KJ_ERR_NETWORK);
	cr_assert(strstr(e.msg, "timed out after 300 ms (connect timeout)"), "%s", e.msg);
	kube_client_free(c);
	close(s);
	free(url);
}

Test(live, slow_answer_hits_the_request_timeout)
{
	struct kube_conn conn = {
	    .server = demo_url(dc), .ca = demo_ca_pem(dc), .token = demo_admin_token(dc), .timeout_ms = 300};
	struct kube_client *c = NULL;
	kj_err e;
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	cr_assert_eq(demo_fault_add(dc, "GET", "/version", 1, DEMO_FAULT_DELAY, 0, 1500), 0);
	struct kube_version v;
	int64_t t0 = kj_mono_ms();
	cr_assert_eq(kube_server_version(c, &v, &e), -1);
	cr_assert_lt(kj_mono_ms() - t0, 1400);
	cr_assert_eq(e.cls, KJ_ERR_NETWORK);
	cr_assert(strstr(e.msg, "within 300 ms (request timeout)"), "%s", e.msg);
	kube_client_free(c);
}

Test(live, dropped_connection_is_reported)
{
	struct kube_client *c = kube_admin();
	kj_err e;
	cr_assert_eq(demo_fault_add(dc, "GET", "/version", 1, DEMO_FAULT_DROP, 0, 0), 0);
	struct kube_version v;
	cr_assert_eq(kube_server_version(c, &v, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NETWORK);
	cr_assert(strstr(e.msg, "closed the connection during GET /version"), "%s", e.msg);
	cr_assert_eq(kube_server_version(c, &v, &e), 0, "%s", e.msg);
	kube_version_done(&v);
	kube_client_free(c);
}

Test(live, request_on_a_reused_connection_that_drops_is_resent)
{
	struct kube_client *c = kube_admin();
	kj_err e;
	struct kube_version v;
	cr_assert_eq(kube_server_version(c, &v, &e), 0, "%s", e.msg);
	kube_version_done(&v);
	/* The second GET goes over the kept-alive connection, which the server
	 * drops without answering: libcurl resends it on a new connection. */
	cr_assert_eq(demo_fault_add(dc, "GET", "/version", 1, DEMO_FAULT_DROP, 0, 0), 0);
	cr_assert_eq(kube_server_version(c, &v, &e), 0, "%s", e.msg);
	kube_version_done(&v);
	struct kube_client_stats st;
	kube_client_get_stats(c, &st);
	cr_assert_eq(st.requests, 2);
	cr_assert_eq(st.connections, 2);
	/* libcurl does the same for a POST when nothing at all came back on
	 * the reused connection; the demo dropped it unprocessed, so the
	 * object exists once. */
	cr_assert_eq(
	    demo_fault_add(dc, "POST", "/api/v1/namespaces/dev/serviceaccounts", 1, DEMO_FAULT_DROP, 0, 0),
	    0);
	cJSON *sa = sa_object("once");
	cr_assert_eq(kube_create(c, KUBE_SERVICEACCOUNT, "dev", sa, NULL, &e), 0, "%s", e.msg);
	cJSON *got = NULL;
	cr_assert_eq(kube_get(c, KUBE_SERVICEACCOUNT, "dev", "once", &got, &e), 0, "%s", e.msg);
	cJSON_Delete(got);
	cJSON_Delete(sa);
	kube_client_free(c);
}

/* ---- connection reuse and parallel requests ------------------------------------------- */

Test(live, one_handshake_for_many_sequential_requests)
{
	struct kube_client *c = kube_admin();
	struct demo_stats before, after;
	demo_get_stats(dc, &before);
	kj_err e;
	for (int i = 0; i < 20; i++) {
		cJSON *o = NULL;
		cr_assert_eq(kube_get(c, KUBE_NAMESPACE, NULL, "dev", &o, &e), 0, "%s", e.msg);
		cJSON_Delete(o);
	}
	demo_get_stats(dc, &after);
	struct kube_client_stats st;
	kube_client_get_stats(c, &st);
	cr_assert_eq(st.requests, 20);
	cr_assert_eq(st.connections, 1);
	cr_assert_eq(after.requests - before.requests, 20);
	cr_assert_eq(after.tls_handshakes - before.tls_handshakes, 1);
	kube_client_free(c);
}

Test(live, parallel_batch_creates_and_deletes)
{
	struct kube_client *c = kube_admin();
	enum { N = 6 };
	struct kube_op ops[N];
	cJSON *objs[N];
	char names[N][32];
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "batch-%d", i);
		objs[i] = sa_object(names[i]);
		ops[i] = (struct kube_op){
		    .verb = KUBE_OP_CREATE, .kind = KUBE_SERVICEACCOUNT, .ns = "staging", .obj = objs[i]};
	}
	struct demo_stats before, after;
	demo_get_stats(dc, &before);
	kj_err e;
	cr_assert_eq(kube_batch(c, ops, N, &e), 0, "%s", e.msg);
	for (int i = 0; i < N; i++) {
		cr_assert_str_eq(kube_meta(ops[i].result, "name"), names[i]);
		cr_assert_not_null(kube_meta(ops[i].result, "uid"));
		cJSON_Delete(ops[i].result);
		cJSON_Delete(objs[i]);
	}
	demo_get_stats(dc, &after);
	/* HTTP/1.1 demo: no more connections than requests in flight. */
	cr_assert_leq(after.tls_handshakes - before.tls_handshakes, N);

	cJSON *list = NULL;
	cr_assert_eq(
	    kube_list(c, KUBE_SERVICEACCOUNT, "staging", "app.kubernetes.io/managed-by=kubejit", &list, &e),
	    0, "%s", e.msg);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(list, "items")), N);
	cJSON_Delete(list);

	for (int i = 0; i < N; i++)
		ops[i] = (struct kube_op){
		    .verb = KUBE_OP_DELETE, .kind = KUBE_SERVICEACCOUNT, .ns = "staging", .name = names[i]};
	ops[N - 1].name = "never-existed";
	cr_assert_eq(kube_batch(c, ops, N, &e), 0, "%s", e.msg);
	cr_assert_eq(ops[0].rc, 0);
	cr_assert_eq(ops[N - 1].rc, KUBE_GONE);
	kube_client_free(c);
}

/* HTTP/2: the demo cluster speaks HTTP/1.1 only, so serve files over
 * HTTP/2 with nghttpd (when installed) using the demo cluster's certificate. */
static int free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof a;
	cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	getsockname(s, (struct sockaddr *)&a, &len);
	close(s);
	return ntohs(a.sin_port);
}

static int port_open(int port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
	                        .sin_port = htons((uint16_t)port),
	                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int ok = connect(s, (struct sockaddr *)&a, sizeof a) == 0;
	close(s);
	return ok;
}

extern char **environ;

Test(live, http2_multiplexes_parallel_requests_on_one_connection)
{
	const char *bin = "/usr/sbin/nghttpd";
	if (access(bin, X_OK) != 0)
		cr_skip_test("nghttpd (nghttp2-server) is not installed");
	char dir[] = "/tmp/kube-h2-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	/* <dir>/api/v1/namespaces/dev answers GET /api/v1/namespaces/dev */
	const char *parts[] = {"api", "v1", "namespaces"};
	kj_buf p;
	kj_buf_init(&p);
	kj_buf_adds(&p, dir);
	for (int i = 0; i < 3; i++) {
		kj_buf_printf(&p, "/%s", parts[i]);
		cr_assert_eq(mkdir(p.data, 0700), 0);
	}
	char *ns = kj_buf_steal(&p);
	char *file = kj_xasprintf("%s/dev", ns);
	FILE *f = fopen(file, "w");
	fputs("{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"dev\"}}", f);
	fclose(f);
	char *key = kj_xasprintf("%s/apiserver.key", demo_state_dir(dc));
	char *crt = kj_xasprintf("%s/apiserver.crt", demo_state_dir(dc));
	cr_assert_eq(access(key, R_OK), 0, "the demo cluster keeps no %s", key);
	int port = free_port();
	char portstr[16], docroot[64];
	snprintf(portstr, sizeof portstr, "%d", port);
	snprintf(docroot, sizeof docroot, "--htdocs=%s", dir);
	char *argv[] = {(char *)bin, "--address=127.0.0.1", docroot, portstr, key, crt, NULL};
	pid_t pid;
	cr_assert_eq(posix_spawn(&pid, bin, NULL, NULL, argv, environ), 0);
	for (int i = 0; i < 100 && !port_open(port); i++)
		poll(NULL, 0, 20);

	char *url = kj_xasprintf("https://127.0.0.1:%d", port);
	struct kube_conn conn = {.server = url, .ca = demo_ca_pem(dc)};
	struct kube_client *c = NULL;
	kj_err e;
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	enum { N = 24 };
	struct kube_op ops[N];
	for (int i = 0; i < N; i++)
		ops[i] = (struct kube_op){.verb = KUBE_OP_GET, .kind = KUBE_NAMESPACE, .name = "dev"};
	int rc = kube_batch(c, ops, N, &e);
	for (int i = 0; i < N; i++)
		cJSON_Delete(ops[i].result);
	struct kube_client_stats st;
	kube_client_get_stats(c, &st);
	kube_client_free(c);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(file);
	for (int i = 2; i >= 0; i--) {
		rmdir(ns);
		*strrchr(ns, '/') = '\0';
	}
	rmdir(dir);

	cr_assert_eq(rc, 0, "%s", e.msg);
	cr_assert_eq(st.requests, N);
	cr_assert_eq(st.http2, N);
	cr_assert_eq(st.connections, 1);
	free(url);
	free(key);
	free(crt);
	free(file);
	free(ns);
}

Test(live, update_with_resource_version_and_conflict)
{
	struct kube_client *c = kube_admin();
	kj_err e;
	cJSON *cm = cJSON_CreateObject();
	cJSON_AddStringToObject(cJSON_AddObjectToObject(cm, "metadata"), "name", "settings");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(cm, "data"), "k", "v1");
	cJSON *made = NULL;
	cr_assert_eq(kube_create(c, KUBE_CONFIGMAP, "dev", cm, &made, &e), 0, "%s", e.msg);
	cJSON *upd = cJSON_Duplicate(made, 1);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(upd, "data"), "k", cJSON_CreateString("v2"));
	cJSON *after = NULL;
	cr_assert_eq(kube_update(c, KUBE_CONFIGMAP, NULL, upd, &after, &e), 0, "%s", e.msg);
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(after, "data"), "k")->valuestring, "v2");
	/* The old resourceVersion is stale now. */
	cr_assert_eq(kube_update(c, KUBE_CONFIGMAP, NULL, upd, NULL, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_CONFLICT);
	cr_assert_eq(e.http_status, 409);
	cJSON_Delete(cm);
	cJSON_Delete(made);
	cJSON_Delete(upd);
	cJSON_Delete(after);
	kube_client_free(c);
}
