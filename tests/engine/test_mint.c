/* Minting, revoking and sweeping against the demo cluster started in-process.
 * Every test gets its own cluster and home (Criterion runs each test in its
 * own process), so faults, clock shifts and RBAC changes stay local. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <pthread.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "demo/demo.h"
#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/lease.h"
#include "engine/mint.h"
#include "store/spares.h"
#include "engine/ready.h"
#include "engine/secret.h"
#include "engine/sweep.h"
#include "engine/target.h"
#include "kube/api.h"
#include "store/db.h"
#include "util/jwt.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "tests/support/engine_fixture.h"

static struct demo_cluster *dc;
static struct engine *en;
static char home[64];
static struct kube_client *admin;

static const char *const POD_READER =
    "apiVersion: rbac.authorization.k8s.io/v1\n"
    "kind: Role\n"
    "metadata:\n  name: pod-reader\n"
    "rules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get, list]\n"
    "---\n"
    "apiVersion: rbac.authorization.k8s.io/v1\n"
    "kind: RoleBinding\n"
    "metadata:\n  name: pod-reader\n"
    "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-reader}\n"
    "subjects:\n- {kind: User, name: alice}\n";

/* Realistic, with the token cache and the collector's delay shortened. */
#define TOKEN_CACHE_MS 1000

static void setup_with(const struct demo_opts *o)
{
	kj_err e;

	kj_time_set_offset(0);
	cr_assert_eq(demo_start(o, &dc, &e), 0, "%s", e.msg);
	snprintf(home, sizeof(home), "/tmp/kj-mint-XXXXXX");
	cr_assert_not_null(mkdtemp(home));
	cr_assert_eq(engine_open(home, &en, &e), 0, "%s", e.msg);
	engine_set_actor(en, "tester@testhost");
	ef_add_checked_target(dc, en, "demo", "kube-system/kubejit-jit");
	ef_add_checked_target(dc, en, "fixed-only", "kube-system/token-request-sa");
	ef_add_checked_target(dc, en, "dashboard", "kubernetes-dashboard/kubernetes-dashboard");
	admin = ef_client(dc, demo_admin_token(dc));
}

static void setup(void)
{
	struct demo_opts o = {
	    .token_cache_ttl_ms = TOKEN_CACHE_MS, .gc_delay_ms = 200, .csr_signer_delay_ms = 200};

	setup_with(&o);
}

/* As a real API server: successful token authentications cached (2 s here,
 * 10 s in kube-apiserver), RBAC changes seen by the authoriser 250 ms late. */
static void setup_real(void)
{
	struct demo_opts o = {.token_cache_ttl_ms = 2000, .rbac_delay_ms = 250};

	setup_with(&o);
}

static void teardown(void)
{
	char *cmd = kj_xasprintf("rm -rf '%s'", home);

	kube_client_free(admin);
	engine_close(en);
	demo_stop(dc);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", home);
	free(cmd);
}

TestSuite(mint, .init = setup, .fini = teardown, .timeout = 60);

static void add_dynamic(const char *path, const char *target, const char *allowed,
                        enum secret_role_source src, const char *role, int cluster_scope)
{
	struct secret s;
	kj_err e;

	secret_init(&s);
	s.path = kj_xstrdup(path);
	s.target = kj_xstrdup(target);
	s.mode = SECRET_DYNAMIC;
	s.role_source = src;
	if (src == ROLE_SOURCE_YAML)
		s.role_yaml = kj_xstrdup(role);
	else
		s.role_name = kj_xstrdup(role);
	s.cluster_scope = cluster_scope;
	s.max_ttl = 7200;
	kj_strv_split(&s.allowed_namespaces, allowed);
	kj_kvv_set(&s.labels, "team", "web");
	cr_assert_eq(secret_add(en, &s, &e), 0, "%s", e.msg);
	secret_done(&s);
}

static void add_fixed(const char *path, const char *target, const char *ns, const char *sa)
{
	struct secret s;
	kj_err e;

	secret_init(&s);
	s.path = kj_xstrdup(path);
	s.target = kj_xstrdup(target);
	s.mode = SECRET_FIXED;
	s.ns = kj_xstrdup(ns);
	s.service_account = kj_xstrdup(sa);
	cr_assert_eq(secret_add(en, &s, &e), 0, "%s", e.msg);
	secret_done(&s);
}

static int do_mint(const char *path, const char *ns, int64_t ttl, struct mint_result *r, kj_err *e)
{
	struct mint_request req = {0};

	req.secret = path;
	req.ns = ns;
	req.ttl = ttl;
	kj_err_clear(e);
	return mint_run(en, &req, r, e);
}

/* HTTP status of `method` `path` with `token`. */
static long method_as(const char *token, const char *method, const char *path)
{
	struct kube_client *kc = ef_client(dc, token);
	struct kube_response r = {0};
	kj_err e;
	long st;

	kube_request(kc, method, path, NULL, NULL, &r, &e);
	st = r.status;
	kube_response_done(&r);
	kube_client_free(kc);
	return st;
}

static long status_as(const char *token, const char *path)
{
	return method_as(token, "GET", path);
}

/* A new binding reaches the API server's authorizer a moment later
 * (--rbac-delay): wait until `token` may delete serviceaccounts in dev (a
 * 404 for a name that does not exist instead of 403), as every target here
 * may. */
static void await_binding(const char *token)
{
	int64_t t0 = kj_mono_ms();

	while (method_as(token, "DELETE", "/api/v1/namespaces/dev/serviceaccounts/kj-no-such-account") ==
	       403) {
		cr_assert_lt(kj_mono_ms() - t0, 3000, "the binding never took effect");
		usleep(20000);
	}
}

/* Objects labelled by kubejit anywhere in the cluster (admin view). */
static int labelled_objects(const char *lease_id)
{
	static const enum kube_kind_id kinds[] = {KUBE_SERVICEACCOUNT, KUBE_SECRET,
	                                          KUBE_ROLE,           KUBE_ROLEBINDING,
	                                          KUBE_CLUSTERROLE,    KUBE_CLUSTERROLEBINDING};
	char sel[128];
	int n = 0;

	if (lease_id)
		snprintf(sel, sizeof(sel), "app.kubernetes.io/managed-by=kubejit,kubejit.io/lease=%s",
		         lease_id);
	else
		/* lease objects only: the demo seeds kubejit's own requester role, labelled too */
		snprintf(sel, sizeof(sel), "app.kubernetes.io/managed-by=kubejit,kubejit.io/lease");
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		cJSON *list = NULL;
		kj_err e;
		cr_assert_eq(kube_list(admin, kinds[i], NULL, sel, &list, &e), 0, "%s", e.msg);
		n += cJSON_GetArraySize(cJSON_GetObjectItem(list, "items"));
		cJSON_Delete(list);
	}
	return n;
}

static enum lease_state state_of(const char *id)
{
	struct lease l;
	enum lease_state s;
	kj_err e;

	cr_assert_eq(lease_get(en, id, &l, &e), 0, "%s", e.msg);
	s = l.state;
	lease_done(&l);
	return s;
}

/* Poll until the token is refused (401), up to `ms`; returns the time taken. */
static int64_t ms_until_unauthorized(const char *token, const char *path, int64_t ms)
{
	int64_t t0 = kj_mono_ms();

	while (kj_mono_ms() - t0 < ms) {
		if (status_as(token, path) == 401)
			return kj_mono_ms() - t0;
		usleep(20000);
	}
	return -1;
}

Test(mint, dynamic_yaml_role_works_where_allowed_and_revoke_kills_it)
{
	struct mint_result r;
	kj_err e;

	struct demo_stats before, after;

	add_dynamic("/dev/read-pods", "demo", "dev,team-*", ROLE_SOURCE_YAML, POD_READER, 0);
	demo_get_stats(dc, &before);
	cr_assert_eq(do_mint("/dev/read-pods", "dev", 900, &r, &e), 0, "%s (%s)", e.msg, e.hint);
	demo_get_stats(dc, &after);
	/* ServiceAccount + Role, then RoleBinding + TokenRequest, then at least
	 * one SelfSubjectAccessReview as the new token */
	cr_assert_geq(after.requests - before.requests, 5);
	cr_assert_leq(after.tls_handshakes - before.tls_handshakes, 3);
	cr_assert_not_null(r.token);
	cr_assert_geq(r.ready_ms, 0);
	cr_assert_str_eq(r.ready_check, "get pods in dev");
	cr_assert_eq(r.n_objects, 3);
	cr_assert_str_eq(r.objects[0].kind, "ServiceAccount");
	cr_assert(strlen(r.objects[0].name) <= 63);
	cr_assert(!strncmp(r.objects[0].name, "kubejit-dev-read-pods-", 22), "%s", r.objects[0].name);
	cr_assert(r.token_expiry >= r.lease_expiry);
	cr_assert_eq(labelled_objects(r.lease_id), 3);
	cr_assert_eq(state_of(r.lease_id), LEASE_ACTIVE);
	{
		struct lease_filter lf = LEASE_FILTER_ANY;
		struct lease *lv;
		size_t ln;
		lf.secret = "dev/read-pods/"; /* as typed: normalised by the engine */
		cr_assert_eq(lease_list(en, &lf, &lv, &ln, &e), 0, "%s", e.msg);
		cr_assert_eq(ln, 1);
		lease_list_free(lv, ln);
	}

	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/dev/pods"), 200);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/staging/pods"), 403);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/dev/secrets"), 403);

	/* extra labels and kubejit's annotations are on the objects */
	cJSON *sa = NULL;
	cr_assert_eq(kube_get(admin, KUBE_SERVICEACCOUNT, "dev", r.objects[0].name, &sa, &e), 0);
	cr_assert_str_eq(kube_label(sa, "team"), "web");
	cr_assert_str_eq(kube_annotation(sa, "kubejit.io/secret"), "/dev/read-pods");
	cr_assert_str_eq(kube_annotation(sa, "kubejit.io/created-by"), "tester@testhost");
	cr_assert_not_null(kube_annotation(sa, "kubejit.io/expires-at"));
	cJSON_Delete(sa);

	cr_assert_eq(lease_revoke(en, r.lease_id, &e), 0, "%s", e.msg);
	int64_t took = ms_until_unauthorized(r.token, "/api/v1/namespaces/dev/pods", TOKEN_CACHE_MS + 2000);
	cr_assert(took >= 0, "token still works after the API server's token cache time");
	cr_assert_eq(state_of(r.lease_id), LEASE_REVOKED);
	cr_assert_eq(labelled_objects(NULL), 0);
	/* idempotent */
	cr_assert_eq(lease_revoke(en, r.lease_id, &e), 0, "%s", e.msg);
	mint_result_done(&r);
}

Test(mint, predefined_cluster_role_per_namespace_and_cluster_wide)
{
	struct mint_result r, w;
	kj_err e;

	add_dynamic("/view/ns", "demo", "*", ROLE_SOURCE_CLUSTER_ROLE, "view", 0);
	add_dynamic("/view/all", "demo", "*", ROLE_SOURCE_CLUSTER_ROLE, "view", 1);
	cr_assert_eq(do_mint("/view/ns", "staging", 0, &r, &e), 0, "%s (%s)", e.msg, e.hint);
	cr_assert_eq(r.n_objects, 2);
	cr_assert_str_eq(r.objects[1].kind, "RoleBinding");
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/staging/pods"), 200);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/prod/pods"), 403);
	cr_assert_eq(do_mint("/view/all", "dev", 0, &w, &e), 0, "%s (%s)", e.msg, e.hint);
	cr_assert_str_eq(w.objects[1].kind, "ClusterRoleBinding");
	cr_assert_eq(status_as(w.token, "/api/v1/namespaces/prod/pods"), 200);
	cr_assert_eq(lease_revoke(en, w.lease_id, &e), 0, "%s", e.msg);
	cr_assert(ms_until_unauthorized(w.token, "/api/v1/namespaces/prod/pods", TOKEN_CACHE_MS + 2000) >= 0);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/staging/pods"), 200);
	mint_result_done(&r);
	mint_result_done(&w);
}

/* Spare anchor Secrets in the cluster: their names, newline-terminated. */
static char *spares_in_cluster(void)
{
	cJSON *list = NULL, *it;
	kj_buf b;
	kj_err e;

	kj_buf_init(&b);
	kj_buf_add(&b, "", 0);
	cr_assert_eq(kube_list(admin, KUBE_SECRET, NULL,
	                       "app.kubernetes.io/managed-by=kubejit,kubejit.io/spare-anchor=true", &list,
	                       &e),
	             0, "%s", e.msg);
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(list, "items"))
	{
		cr_assert_null(kube_label(it, "kubejit.io/lease"), "a spare belongs to no lease");
		kj_buf_printf(&b, "%s\n", kube_meta(it, "name"));
	}
	cJSON_Delete(list);
	return kj_buf_steal(&b);
}

Test(mint, fixed_token_is_bound_to_an_anchor_and_revocable)
{
	struct mint_result r, r2;
	struct store_spare *sv = NULL;
	size_t sn = 0;
	char *spares, *line;
	kj_err e;

	struct demo_stats before, after;

	add_fixed("/dash/view", "demo", "kubernetes-dashboard", "kubernetes-dashboard");
	demo_get_stats(dc, &before);
	cr_assert_eq(do_mint("/dash/view", NULL, 300, &r, &e), 0, "%s (%s)", e.msg, e.hint);
	demo_get_stats(dc, &after);
	/* the anchor Secret and the next mint's spare together, then the
	 * TokenRequest; no readiness check: nothing cached can refuse it */
	cr_assert_eq(after.requests - before.requests, 3);
	cr_assert_eq(r.ready_ms, -1);
	cr_assert(strstr(r.ready_check, "not needed"), "%s", r.ready_check);
	cr_assert(r.revocable);
	cr_assert_eq(r.n_objects, 1);
	cr_assert_str_eq(r.objects[0].kind, "Secret");
	cr_assert_str_eq(r.service_account, "kubernetes-dashboard");
	/* TTL 5m: the lease ends at 5m, the token (600 s minimum) later */
	cr_assert(r.lease_expiry <= kj_now() + 300);
	cr_assert(r.token_expiry >= kj_now() + 590, "token expiry %lld",
	          (long long)(r.token_expiry - kj_now()));
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/kubernetes-dashboard/pods"), 200);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/dev/pods"), 403);

	/* one spare, known to the store with the uid the cluster gave it */
	spares = spares_in_cluster();
	cr_assert_eq(store_spare_list(engine_db(en), NULL, &sv, &sn, &e), 0, "%s", e.msg);
	cr_assert_eq(sn, 1);
	cr_assert_not_null(sv[0].uid);
	cr_assert_str_eq(sv[0].ns, "kubernetes-dashboard");
	line = kj_xasprintf("%s\n", sv[0].name);
	cr_assert_str_eq(spares, line);
	free(line);
	free(spares);

	/* the next mint adopts it: relabel, TokenRequest and the next spare in one round trip */
	demo_get_stats(dc, &before);
	cr_assert_eq(do_mint("/dash/view", NULL, 300, &r2, &e), 0, "%s (%s)", e.msg, e.hint);
	demo_get_stats(dc, &after);
	cr_assert_eq(after.requests - before.requests, 3);
	cr_assert_eq(r2.n_objects, 1);
	cr_assert_str_eq(r2.objects[0].name, sv[0].name);
	cr_assert_str_eq(r2.objects[0].uid, sv[0].uid);
	cr_assert_eq(labelled_objects(r2.lease_id), 1, "the spare now carries the lease's label");
	cr_assert_eq(status_as(r2.token, "/api/v1/namespaces/kubernetes-dashboard/pods"), 200);
	spares = spares_in_cluster();
	cr_assert(spares[0] && !strstr(spares, sv[0].name), "a new spare: %s", spares);
	store_spare_list_free(sv, sn);

	/* revoking either lease deletes its anchor alone: never the waiting spare */
	cr_assert_eq(lease_revoke(en, r.lease_id, &e), 0, "%s", e.msg);
	cr_assert(ms_until_unauthorized(r.token, "/api/v1/namespaces/kubernetes-dashboard/pods",
	                                TOKEN_CACHE_MS + 2000) >= 0);
	cr_assert_eq(status_as(r2.token, "/api/v1/namespaces/kubernetes-dashboard/pods"), 200);
	cr_assert_eq(lease_revoke(en, r2.lease_id, &e), 0, "%s", e.msg);
	cr_assert(ms_until_unauthorized(r2.token, "/api/v1/namespaces/kubernetes-dashboard/pods",
	                                TOKEN_CACHE_MS + 2000) >= 0);
	cr_assert_eq(labelled_objects(NULL), 0);
	line = spares_in_cluster();
	cr_assert_str_eq(line, spares, "the spare outlives the revokes");
	free(line);
	free(spares);
	mint_result_done(&r);
	mint_result_done(&r2);
}

/* Leave the demo's kubejit-jit-extra role (the "demo" target's) only
 * `verbs` (a JSON list's items) on Secrets, and wait for the authorizer. */
static void set_extra_secret_verbs(const char *verbs)
{
	cJSON *cr, *out = NULL;
	char *rules =
	    kj_xasprintf("[{\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],\"verbs\":[%s]}]", verbs);
	kj_err e;

	cr_assert_eq(kube_get(admin, KUBE_CLUSTERROLE, NULL, "kubejit-jit-extra", &cr, &e), 0, "%s", e.msg);
	cJSON_ReplaceItemInObject(cr, "rules", cJSON_Parse(rules));
	cr_assert_eq(kube_update(admin, KUBE_CLUSTERROLE, NULL, cr, &out, &e), 0, "%s", e.msg);
	cJSON_Delete(cr);
	cJSON_Delete(out);
	free(rules);
	usleep(600 * 1000); /* RBAC propagation */
}

/* A target that may not update Secrets (RBAC from before spares) cannot
 * adopt a spare: the mint deletes it and goes on with a new anchor, and
 * makes no more spares for that target. */
Test(mint, fixed_spare_without_update_right)
{
	struct mint_result r;
	struct store_spare *sv = NULL;
	size_t sn = 0;
	kj_err e;

	add_fixed("/dash/view", "demo", "kubernetes-dashboard", "kubernetes-dashboard");
	cr_assert_eq(do_mint("/dash/view", NULL, 300, &r, &e), 0, "%s (%s)", e.msg, e.hint);
	cr_assert_eq(lease_revoke(en, r.lease_id, &e), 0, "%s", e.msg);
	mint_result_done(&r);
	set_extra_secret_verbs("\"create\",\"delete\",\"get\",\"list\"");
	cr_assert_eq(do_mint("/dash/view", NULL, 300, &r, &e), 0, "%s (%s)", e.msg, e.hint);
	cr_assert(r.revocable);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/kubernetes-dashboard/pods"), 200);
	cr_assert_eq(store_spare_list(engine_db(en), NULL, &sv, &sn, &e), 0, "%s", e.msg);
	cr_assert_eq(sn, 0, "no spare for a target that cannot adopt one");
	{
		char *sp = spares_in_cluster();
		cr_assert_str_eq(sp, "");
		free(sp);
	}
	cr_assert_eq(lease_revoke(en, r.lease_id, &e), 0, "%s", e.msg);
	cr_assert_eq(labelled_objects(NULL), 0);
	mint_result_done(&r);
}

/* Fixed leases of /dash/view, minted `n` times: lease ids and tokens. */
static void mint_many_fixed(int n, char **ids, char **tokens)
{
	for (int i = 0; i < n; i++) {
		struct mint_result r;
		kj_err e;

		cr_assert_eq(do_mint("/dash/view", NULL, 300, &r, &e), 0, "%s (%s)", e.msg, e.hint);
		ids[i] = kj_xstrdup(r.lease_id);
		tokens[i] = r.token ? kj_xstrdup(r.token) : NULL;
		mint_result_done(&r);
	}
}

static void revoke_dash_view(int parallel, size_t want_revoked, uint64_t *requests)
{
	struct lease_filter f = LEASE_FILTER_ANY;
	struct lease_bulk_result res;
	struct demo_stats before, after;
	kj_err e;

	f.secret = "/dash/view";
	demo_get_stats(dc, &before);
	cr_assert_eq(lease_revoke_all(en, &f, parallel, NULL, NULL, &res, &e), 0, "%s", e.msg);
	demo_get_stats(dc, &after);
	cr_assert_eq(res.revoked, want_revoked);
	cr_assert_eq(res.failed, 0);
	*requests = after.requests - before.requests;
}

/* More objects than parallel requests: each request deletes a share of the
 * anchors by label (deletecollection), so 30 leases take 4 requests at a
 * parallel bound of 4, not 30.  An anchor that lost its lease label is not
 * matched by the label and is deleted by name after; the waiting spare (no
 * lease label) is left alone. */
Test(mint, bulk_revoke_deletes_by_label_in_few_requests)
{
	char *ids[30], *tokens[30], *spares, *now;
	cJSON *sec = NULL, *out = NULL;
	struct lease l;
	uint64_t requests;
	kj_err e;

	add_fixed("/dash/view", "demo", "kubernetes-dashboard", "kubernetes-dashboard");
	mint_many_fixed(30, ids, tokens);
	spares = spares_in_cluster();
	cr_assert_neq(spares[0], '\0');

	cr_assert_eq(lease_get(en, ids[7], &l, &e), 0, "%s", e.msg);
	cr_assert_eq(kube_get(admin, KUBE_SECRET, "kubernetes-dashboard", l.objects[0].name, &sec, &e), 0,
	             "%s", e.msg);
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(cJSON_GetObjectItem(sec, "metadata"), "labels"),
	                           "kubejit.io/lease");
	cr_assert_eq(kube_update(admin, KUBE_SECRET, NULL, sec, &out, &e), 0, "%s", e.msg);
	cJSON_Delete(sec);
	cJSON_Delete(out);

	revoke_dash_view(4, 30, &requests);
	cr_assert_eq(requests, 5, "4 deletes by label and 1 by name, not %llu", (unsigned long long)requests);
	cr_assert_eq(labelled_objects(NULL), 0);
	cr_assert_eq(kube_get(admin, KUBE_SECRET, "kubernetes-dashboard", l.objects[0].name, &sec, &e), -1,
	             "the anchor without its label is deleted by name");
	cr_assert_eq(e.http_status, 404);
	lease_done(&l);
	for (int i = 0; i < 30; i++) {
		cr_assert_eq(lease_get(en, ids[i], &l, &e), 0, "%s", e.msg);
		cr_assert_eq(l.state, LEASE_REVOKED);
		for (size_t j = 0; j < l.n_objects; j++)
			cr_assert(l.objects[j].deleted, "lease %d object %zu recorded deleted", i, j);
		lease_done(&l);
	}
	cr_assert(ms_until_unauthorized(tokens[0], "/api/v1/namespaces/kubernetes-dashboard/pods",
	                                TOKEN_CACHE_MS + 2000) >= 0);
	cr_assert(ms_until_unauthorized(tokens[29], "/api/v1/namespaces/kubernetes-dashboard/pods",
	                                TOKEN_CACHE_MS + 2000) >= 0);
	now = spares_in_cluster();
	cr_assert_str_eq(now, spares, "the spare outlives the bulk revoke");
	free(now);
	free(spares);
	for (int i = 0; i < 30; i++) {
		free(ids[i]);
		kj_free_secret(tokens[i]);
	}
}

/* The leases a TUI filter shows are revoked together, as --all does: ten
 * anchors over a parallel bound of 4 are three deletes by label and one by
 * name; a lease closed before counts as revoked and costs no request. */
Test(mint, revoking_a_list_of_leases_deletes_them_together)
{
	char *ids[12], *tokens[12], *list[11];
	struct lease_bulk_result res;
	struct demo_stats before, after;
	kj_err e;

	add_fixed("/dash/view", "demo", "kubernetes-dashboard", "kubernetes-dashboard");
	mint_many_fixed(12, ids, tokens);
	cr_assert_eq(lease_revoke(en, ids[11], &e), 0, "%s", e.msg);
	for (int i = 0; i < 10; i++)
		list[i] = ids[i];
	list[10] = ids[11];
	demo_get_stats(dc, &before);
	cr_assert_eq(lease_revoke_ids(en, list, 11, 4, NULL, NULL, &res, &e), 0, "%s", e.msg);
	demo_get_stats(dc, &after);
	cr_assert_eq(res.total, 11);
	cr_assert_eq(res.revoked, 11);
	cr_assert_eq(res.failed, 0);
	cr_assert_eq(after.requests - before.requests, 4, "%llu requests",
	             (unsigned long long)(after.requests - before.requests));
	for (int i = 0; i < 12; i++)
		cr_assert_eq(state_of(ids[i]), i == 10 ? LEASE_ACTIVE : LEASE_REVOKED, "lease %d", i);
	cr_assert_eq(labelled_objects(NULL), 1, "the lease left out keeps its anchor");
	for (int i = 0; i < 12; i++) {
		free(ids[i]);
		kj_free_secret(tokens[i]);
	}
}

/* A target whose RBAC lacks deletecollection (set up before bulk revokes
 * used it) gets 403 on each delete by label and deletes one by one. */
Test(mint, bulk_revoke_without_deletecollection_deletes_one_by_one)
{
	char *ids[10], *tokens[10];
	uint64_t requests;

	add_fixed("/dash/view", "demo", "kubernetes-dashboard", "kubernetes-dashboard");
	mint_many_fixed(10, ids, tokens);
	set_extra_secret_verbs("\"create\",\"delete\",\"get\",\"list\",\"update\"");

	/* 10 anchors over 4 requests: three by label (3 each, refused), the
	 * last alone by name, then the 9 refused ones by name */
	revoke_dash_view(4, 10, &requests);
	cr_assert_eq(requests, 13, "%llu requests", (unsigned long long)requests);
	cr_assert_eq(labelled_objects(NULL), 0);
	for (int i = 0; i < 10; i++) {
		cr_assert_eq(state_of(ids[i]), LEASE_REVOKED);
		free(ids[i]);
		kj_free_secret(tokens[i]);
	}
}

/* What a target's server speaks is remembered when its client goes, so the
 * next run does not wait for HTTP/2 before opening parallel connections to
 * an HTTP/1.1 server (the demo cluster), and forgotten with the target. */
Test(mint, a_targets_http_version_is_remembered_and_forgotten_with_it)
{
	struct kube_client *kc;
	struct kube_user_info u = {0};
	char *v = NULL;
	kj_err e;

	cr_assert_eq(db_setting_get(engine_db(en), ENGINE_HTTP1_PREFIX "dashboard", &v, &e), 0, "%s", e.msg);
	cr_assert_null(v);
	cr_assert_eq(engine_client(en, "dashboard", &kc, &e), 0, "%s", e.msg);
	cr_assert_eq(kube_whoami(kc, &u, &e), 0, "%s", e.msg);
	kube_user_info_done(&u);
	engine_drop_client(en, "dashboard");
	cr_assert_eq(db_setting_get(engine_db(en), ENGINE_HTTP1_PREFIX "dashboard", &v, &e), 0, "%s", e.msg);
	cr_assert_str_eq(v, "1");
	free(v);
	v = NULL;
	cr_assert_eq(target_remove(en, "dashboard", &e), 0, "%s", e.msg);
	cr_assert_eq(db_setting_get(engine_db(en), ENGINE_HTTP1_PREFIX "dashboard", &v, &e), 0, "%s", e.msg);
	cr_assert_null(v, "forgotten with the target");
}

/* A collection delete without a selector would delete every object of the
 * kind: refused before anything is sent. */
Test(mint, a_collection_delete_needs_a_selector)
{
	struct kube_op op = {.verb = KUBE_OP_DELETE_COLLECTION, .kind = KUBE_SECRET, .ns = "dev"};
	struct demo_stats before, after;
	kj_err e;

	demo_get_stats(dc, &before);
	cr_assert_eq(kube_batch(admin, &op, 1, &e), -1);
	demo_get_stats(dc, &after);
	cr_assert_eq(e.cls, KJ_ERR_USAGE);
	cr_assert(strstr(e.msg, "label selector"), "%s", e.msg);
	cr_assert_eq(after.requests, before.requests);
}

Test(mint, a_name_collision_on_the_first_object_draws_a_new_name)
{
	struct demo_stats before, after;
	struct mint_result r;
	kj_err e;

	/* the first create of each mode answers 409: the mint retries once
	 * under a new generated name and succeeds whole */
	add_fixed("/dash/clash", "demo", "kubernetes-dashboard", "kubernetes-dashboard");
	add_dynamic("/dev/clash", "demo", "dev", ROLE_SOURCE_YAML, POD_READER, 0);
	demo_fault_clear(dc);
	{
		/* no spare made alongside: the 409 must meet the anchor */
		char now[32];
		snprintf(now, sizeof(now), "%lld", (long long)kj_now());
		cr_assert_eq(db_setting_set(engine_db(en), MINT_SPARES_DENIED_PREFIX "demo", now, &e), 0);
	}
	cr_assert_eq(demo_fault_add(dc, "POST", "/api/v1/namespaces/kubernetes-dashboard/secrets", 1,
	                            DEMO_FAULT_STATUS, 409, 0),
	             0);
	demo_get_stats(dc, &before);
	cr_assert_eq(do_mint("/dash/clash", NULL, 600, &r, &e), 0, "%s", e.msg);
	demo_get_stats(dc, &after);
	/* 409, anchor Secret, TokenRequest */
	cr_assert_eq(after.requests - before.requests, 3);
	cr_assert(r.revocable);
	cr_assert_eq(lease_revoke(en, r.lease_id, &e), 0, "%s", e.msg);
	mint_result_done(&r);

	cr_assert_eq(demo_fault_add(dc, "POST", "/api/v1/namespaces/dev/serviceaccounts", 1,
	                            DEMO_FAULT_STATUS, 409, 0),
	             0);
	cr_assert_eq(do_mint("/dev/clash", "dev", 600, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/dev/pods"), 200);
	cr_assert_eq(lease_revoke(en, r.lease_id, &e), 0, "%s", e.msg);
	mint_result_done(&r);
	/* the Role, made beside the ServiceAccount, collides: the
	 * ServiceAccount of that round is deleted and both are made anew */
	cr_assert_eq(demo_fault_add(dc, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", 1,
	                            DEMO_FAULT_STATUS, 409, 0),
	             0);
	cr_assert_eq(do_mint("/dev/clash", "dev", 600, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.n_objects, 3, "only the second round's objects are on the lease");
	cr_assert_eq(labelled_objects(r.lease_id), 3);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/dev/pods"), 200);
	cr_assert_eq(lease_revoke(en, r.lease_id, &e), 0, "%s", e.msg);
	mint_result_done(&r);
	demo_fault_clear(dc);
	cr_assert_eq(labelled_objects(NULL), 0);
}

Test(mint, fixed_without_secret_rights_falls_back_to_expiry_only)
{
	struct mint_result r;
	struct lease l;
	kj_err e;

	add_fixed("/dash/expiry", "fixed-only", "kubernetes-dashboard", "kubernetes-dashboard");
	cr_assert_eq(do_mint("/dash/expiry", NULL, 0, &r, &e), 0, "%s (%s)", e.msg, e.hint);
	cr_assert_not(r.revocable);
	cr_assert_not_null(r.warning);
	cr_assert(strstr(r.warning, "cannot be revoked"), "%s", r.warning);
	cr_assert_eq(r.n_objects, 0);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/kubernetes-dashboard/pods"), 200);
	cr_assert_eq(lease_get(en, r.lease_id, &l, &e), 0);
	cr_assert_not(l.revocable);
	lease_done(&l);
	cr_assert_eq(lease_revoke(en, r.lease_id, &e), 0, "%s", e.msg);
	cr_assert_eq(lease_get(en, r.lease_id, &l, &e), 0);
	cr_assert_eq(l.state, LEASE_REVOKED);
	cr_assert(l.error && strstr(l.error, "expiry-only"), "%s", l.error ? l.error : "(null)");
	lease_done(&l);
	mint_result_done(&r);
}

Test(mint, ttl_of_60s_is_revoked_by_the_sweep_after_60s)
{
	struct mint_result r;
	struct sweep_opts o = {0};
	struct sweep_report rep;
	kj_err e;

	add_dynamic("/dev/short", "demo", "dev", ROLE_SOURCE_CLUSTER_ROLE, "view", 0);
	cr_assert_eq(do_mint("/dev/short", "dev", 60, &r, &e), 0, "%s (%s)", e.msg, e.hint);
	cr_assert(r.lease_expiry - kj_now() <= 60);
	cr_assert(r.token_expiry - kj_now() >= 590);
	o.local = 1;
	cr_assert_eq(sweep_run(en, &o, &rep, &e), 0, "%s", e.msg);
	cr_assert_eq(rep.leases_closed, 0);
	sweep_report_done(&rep);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/dev/pods"), 200);

	kj_time_set_offset(61);
	cr_assert_eq(sweep_run(en, &o, &rep, &e), 0, "%s", e.msg);
	cr_assert_eq(rep.leases_closed, 1);
	cr_assert_eq(rep.failures, 0);
	sweep_report_done(&rep);
	cr_assert_eq(state_of(r.lease_id), LEASE_EXPIRED);
	cr_assert(ms_until_unauthorized(r.token, "/api/v1/namespaces/dev/pods", TOKEN_CACHE_MS + 2000) >= 0);
	cr_assert_eq(labelled_objects(NULL), 0);
	mint_result_done(&r);
}

/* Fail each step of a dynamic mint in turn: nothing labelled may remain. */
Test(mint, a_failure_at_each_step_leaves_nothing_behind)
{
	static const struct {
		const char *method, *path;
		enum demo_fault_kind kind;
	} steps[] = {
	    {"POST", "/api/v1/namespaces/dev/serviceaccounts", DEMO_FAULT_STATUS},
	    {"POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", DEMO_FAULT_STATUS},
	    {"POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/rolebindings", DEMO_FAULT_STATUS},
	    {"POST", "/api/v1/namespaces/dev/serviceaccounts/*/token", DEMO_FAULT_STATUS},
	    {"POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", DEMO_FAULT_DROP},
	    {"POST", "/api/v1/namespaces/dev/serviceaccounts/*/token", DEMO_FAULT_DROP},
	};

	add_dynamic("/dev/read-pods", "demo", "dev", ROLE_SOURCE_YAML, POD_READER, 0);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct mint_result r;
		struct lease *v;
		size_t n;
		kj_err e;

		demo_fault_clear(dc);
		cr_assert_eq(demo_fault_add(dc, steps[i].method, steps[i].path, 1, steps[i].kind, 500, 0), 0);
		if (do_mint("/dev/read-pods", "dev", 600, &r, &e) == 0) {
			/* the client may recover from a dropped connection by itself:
			 * then the mint is whole and revoking it must clean up */
			cr_assert_eq(steps[i].kind, DEMO_FAULT_DROP, "step %zu minted despite a %d", i, 500);
			cr_assert_eq(lease_revoke(en, r.lease_id, &e), 0, "%s", e.msg);
			mint_result_done(&r);
		} else {
			cr_assert(strstr(e.msg, "dev"), "step %zu: %s", i, e.msg);
		}
		cr_assert_eq(labelled_objects(NULL), 0, "step %zu (%s) left objects", i, steps[i].path);
		struct lease_filter f = LEASE_FILTER_ANY;
		f.live_only = 1;
		cr_assert_eq(lease_list(en, &f, &v, &n, &e), 0);
		cr_assert_eq(n, 0, "step %zu left a live lease", i);
		lease_list_free(v, n);
	}
	demo_fault_clear(dc);
	struct lease_filter f = LEASE_FILTER_ANY;
	struct lease *v;
	size_t n;
	kj_err e;
	f.state = LEASE_FAILED;
	cr_assert_eq(lease_list(en, &f, &v, &n, &e), 0);
	cr_assert_geq(n, 4);
	lease_list_free(v, n);
}

Test(mint, cluster_sweep_with_an_empty_store_removes_expired_objects)
{
	struct mint_result r;
	struct engine *other;
	char home2[64];
	struct sweep_opts o = {0};
	struct sweep_report rep;
	kj_err e;

	add_dynamic("/dev/read-pods", "demo", "dev", ROLE_SOURCE_YAML, POD_READER, 0);
	cr_assert_eq(do_mint("/dev/read-pods", "dev", 120, &r, &e), 0, "%s (%s)", e.msg, e.hint);
	cr_assert_eq(labelled_objects(NULL), 3);

	snprintf(home2, sizeof(home2), "/tmp/kj-mint2-XXXXXX");
	cr_assert_not_null(mkdtemp(home2));
	cr_assert_eq(engine_open(home2, &other, &e), 0, "%s", e.msg);
	ef_add_checked_target(dc, other, "demo", "kube-system/kubejit-jit");
	ef_add_checked_target(dc, other, "fixed-only", "kube-system/token-request-sa"); /* may list nothing */
	o.cluster = 1;
	cr_assert_eq(sweep_run(other, &o, &rep, &e), 0, "%s", e.msg);
	cr_assert_eq(rep.objects_deleted, 0, "a live lease was swept");
	cr_assert_eq(rep.failures, 0, "a target without list rights is not a failure");
	sweep_report_done(&rep);

	kj_time_set_offset(121);
	o.dry_run = 1;
	o.target = "demo";
	cr_assert_eq(sweep_run(other, &o, &rep, &e), 0, "%s", e.msg);
	cr_assert_eq(rep.n_actions, 3);
	cr_assert_eq(rep.objects_deleted, 0);
	sweep_report_done(&rep);
	cr_assert_eq(labelled_objects(NULL), 3);
	o.dry_run = 0;
	cr_assert_eq(sweep_run(other, &o, &rep, &e), 0, "%s", e.msg);
	cr_assert_eq(rep.failures, 0, "%s",
	             rep.n_actions ? (rep.actions[0].error ? rep.actions[0].error : "") : "");
	/* the ServiceAccount goes first; the garbage collector takes the role
	 * and binding it owns, so they may be gone before they are listed */
	cr_assert_geq(rep.objects_deleted, 1);
	cr_assert_str_eq(rep.actions[0].kind, "ServiceAccount");
	sweep_report_done(&rep);
	cr_assert_eq(labelled_objects(NULL), 0);
	cr_assert(ms_until_unauthorized(r.token, "/api/v1/namespaces/dev/pods", TOKEN_CACHE_MS + 2000) >= 0);
	engine_close(other);
	char *cmd = kj_xasprintf("rm -rf '%s'", home2);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	mint_result_done(&r);
}

Test(mint, policy_errors_name_the_value_and_the_fix)
{
	struct mint_result r;
	struct secret s;
	kj_err e;

	add_dynamic("/dev/read-pods", "demo", "dev,team-*", ROLE_SOURCE_YAML, POD_READER, 0);
	cr_assert_eq(do_mint("/dev/read-pods", "kube-system", 0, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_DENIED);
	cr_assert_str_eq(
	    e.msg,
	    "namespace \"kube-system\" is not allowed for secret /dev/read-pods (allowed: dev, team-*)");
	cr_assert_eq(kj_err_exit_code(&e), 3);
	cr_assert_eq(do_mint("/dev/read-pods", "dev", 3 * 3600, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_DENIED);
	cr_assert(strstr(e.msg, "TTL 3h is over the maximum 2h"), "%s", e.msg);
	cr_assert(strstr(e.hint, "--ttl 2h"), "%s", e.hint);
	{
		struct audit_filter af = {0};
		struct audit_entry *av;
		size_t an;
		af.action = AUDIT_MINT;
		cr_assert_eq(audit_list(en, &af, &av, &an, &e), 0);
		cr_assert_eq(an, 2, "refused mints are audited");
		cr_assert_not(av[0].ok);
		cr_assert_str_eq(av[0].actor, "tester@testhost");
		cr_assert(strstr(av[1].detail, "kube-system"));
		audit_list_free(av, an);
	}

	secret_init(&s);
	s.path = kj_xstrdup("/bad/yaml");
	s.target = kj_xstrdup("demo");
	s.mode = SECRET_DYNAMIC;
	s.role_source = ROLE_SOURCE_YAML;
	s.role_yaml =
	    kj_xstrdup("kind: Role\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: get\n");
	kj_strv_push(&s.allowed_namespaces, "dev");
	cr_assert_eq(secret_add(en, &s, &e), -1);
	cr_assert(strstr(e.msg, ":5:10: rules[0].verbs must be a list"), "%s", e.msg);
	free(s.target);
	s.target = kj_xstrdup("nope");
	free(s.role_yaml);
	s.role_yaml = kj_xstrdup(POD_READER);
	cr_assert_eq(secret_add(en, &s, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
	cr_assert(strstr(e.msg, "target \"nope\""), "%s", e.msg);
	secret_done(&s);
	cr_assert_eq(labelled_objects(NULL), 0);
}

Test(mint, delete_protection_and_edit)
{
	struct secret s;
	kj_err e;

	add_dynamic("/dev/read-pods", "demo", "dev", ROLE_SOURCE_YAML, POD_READER, 0);
	cr_assert_eq(secret_get(en, "dev/read-pods/", &s, &e), 0, "%s", e.msg);
	s.delete_protection = 1;
	cr_assert_eq(secret_edit(en, "/dev/read-pods", &s, &e), 0, "%s", e.msg);
	secret_done(&s);
	cr_assert_eq(secret_delete(en, "/dev/read-pods", &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_DENIED);
	cr_assert(strstr(e.hint, "--no-delete-protection"));
	cr_assert_eq(secret_get(en, "/dev/read-pods", &s, &e), 0);
	s.delete_protection = 0;
	free(s.path);
	s.path = kj_xstrdup("/dev/pods/reader");
	cr_assert_eq(secret_edit(en, "/dev/read-pods", &s, &e), 0, "%s", e.msg);
	secret_done(&s);
	struct secret *v;
	size_t n;
	cr_assert_eq(secret_list(en, "/dev/pods", &v, &n, &e), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(v[0].path, "/dev/pods/reader");
	cr_assert_eq(v[0].labels.n, 1);
	secret_list_free(v, n);
	cr_assert_eq(secret_delete(en, "/dev/pods/reader", &e), 0, "%s", e.msg);
}

Test(mint, unprivileged_target_gets_a_specific_error)
{
	struct mint_result r;
	kj_err e;

	add_dynamic("/dash/dyn", "dashboard", "kubernetes-dashboard", ROLE_SOURCE_CLUSTER_ROLE, "view", 0);
	cr_assert_eq(do_mint("/dash/dyn", NULL, 0, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_DENIED, "%s", e.msg);
	cr_assert(strstr(e.msg, "creating ServiceAccount"), "%s", e.msg);
	cr_assert(strstr(e.msg, "forbidden"), "%s", e.msg);
	cr_assert(strstr(e.hint, "kubejit target check dashboard"), "%s", e.hint);
	cr_assert_eq(labelled_objects(NULL), 0);
}

/* A target that lost its ClusterRoleBinding, and one that may create roles
 * but not escalate: the cluster refuses, kubejit says why, nothing remains. */
Test(mint, escalation_and_lost_privileges_are_refused_cleanly)
{
	static const char *const SECRETS_READER =
	    "kind: Role\nrules:\n- apiGroups: [\"\"]\n  resources: [secrets]\n  verbs: [get]\n";
	struct mint_result r;
	cJSON *obj;
	kj_err e;

	/* an account that may create SAs, roles and bindings but holds nothing else */
	obj = cJSON_Parse("{\"metadata\":{\"name\":\"limited\",\"namespace\":\"kube-system\"}}");
	cr_assert_eq(kube_create(admin, KUBE_SERVICEACCOUNT, "kube-system", obj, NULL, &e), 0, "%s", e.msg);
	cJSON_Delete(obj);
	obj = cJSON_Parse(
	    "{\"metadata\":{\"name\":\"limited\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":"
	    "[\"serviceaccounts\",\"serviceaccounts/token\"],\"verbs\":[\"create\",\"delete\",\"get\"]},"
	    "{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"roles\",\"rolebindings\"],"
	    "\"verbs\":[\"create\",\"delete\",\"get\",\"list\"]},{\"apiGroups\":[\"\"],\"resources\":"
	    "[\"serviceaccounts\",\"secrets\"],\"verbs\":[\"list\"]}]}");
	cr_assert_eq(kube_create(admin, KUBE_CLUSTERROLE, NULL, obj, NULL, &e), 0, "%s", e.msg);
	cJSON_Delete(obj);
	obj = cJSON_Parse(
	    "{\"metadata\":{\"name\":\"limited\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\","
	    "\"kind\":\"ClusterRole\",\"name\":\"limited\"},\"subjects\":[{\"kind\":\"ServiceAccount\","
	    "\"name\":\"limited\",\"namespace\":\"kube-system\"}]}");
	cr_assert_eq(kube_create(admin, KUBE_CLUSTERROLEBINDING, NULL, obj, NULL, &e), 0, "%s", e.msg);
	cJSON_Delete(obj);
	struct kube_token tok = {0};
	struct kube_token_spec spec = {0};
	spec.expiration_seconds = 3600;
	cr_assert_eq(kube_token_request(admin, "kube-system", "limited", &spec, &tok, &e), 0, "%s", e.msg);
	await_binding(tok.token);
	ef_add_token_target(dc, en, "limited", tok.token, NULL);
	kube_token_done(&tok);

	add_dynamic("/esc/secrets", "limited", "dev", ROLE_SOURCE_YAML, SECRETS_READER, 0);
	cr_assert_eq(do_mint("/esc/secrets", "dev", 0, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_DENIED, "%s", e.msg);
	cr_assert(strstr(e.msg, "attempting to grant RBAC permissions not currently held"), "%s", e.msg);
	cr_assert(strstr(e.hint, "escalate"), "%s", e.hint);
	cr_assert_eq(labelled_objects(NULL), 0);

	/* the main target loses its binding */
	add_dynamic("/dev/view", "demo", "dev", ROLE_SOURCE_CLUSTER_ROLE, "view", 0);
	cr_assert_eq(do_mint("/dev/view", "dev", 0, &r, &e), 0, "%s", e.msg);
	mint_result_done(&r);
	cJSON *crbs = NULL, *it;
	cr_assert_eq(kube_list(admin, KUBE_CLUSTERROLEBINDING, NULL, NULL, &crbs, &e), 0);
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(crbs, "items"))
	{
		cJSON *sub;
		cJSON_ArrayForEach(sub, cJSON_GetObjectItem(it, "subjects"))
		{
			cJSON *nm = cJSON_GetObjectItem(sub, "name");
			if (cJSON_IsString(nm) && !strcmp(nm->valuestring, "kubejit-jit"))
				kube_delete(admin, KUBE_CLUSTERROLEBINDING, NULL, kube_meta(it, "name"), &e);
		}
	}
	cJSON_Delete(crbs);
	/* until the authorizer hears of the deletion, the target still may */
	{
		const char *jit = demo_account_token(dc, "kube-system/kubejit-jit");
		int64_t t0 = kj_mono_ms();

		while (method_as(jit, "DELETE",
		                 "/api/v1/namespaces/dev/serviceaccounts/kj-no-such-account") != 403) {
			cr_assert_lt(kj_mono_ms() - t0, 3000, "the deleted binding still counts");
			usleep(20000);
		}
	}
	cr_assert_eq(do_mint("/dev/view", "dev", 0, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_DENIED, "%s", e.msg);
	cr_assert(strstr(e.hint, "target check demo"), "%s", e.hint);
	/* only the first lease's objects remain */
	cr_assert_eq(labelled_objects(NULL), 2);
}

Test(mint, predefined_role_must_exist_in_the_namespace)
{
	struct mint_result r;
	cJSON *role;
	kj_err e;

	add_dynamic("/dev/reader", "demo", "dev,staging", ROLE_SOURCE_ROLE, "reader", 0);
	cr_assert_eq(do_mint("/dev/reader", "dev", 0, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND, "%s", e.msg);
	cr_assert_str_eq(e.msg, "Role \"reader\" does not exist in namespace dev");
	cr_assert_eq(labelled_objects(NULL), 0);

	role = cJSON_Parse(
	    "{\"metadata\":{\"name\":\"reader\",\"namespace\":\"dev\"},\"rules\":[{\"apiGroups\":[\"\"],"
	    "\"resources\":[\"configmaps\"],\"verbs\":[\"get\",\"list\"]}]}");
	cr_assert_eq(kube_create(admin, KUBE_ROLE, "dev", role, NULL, &e), 0, "%s", e.msg);
	cJSON_Delete(role);
	cr_assert_eq(do_mint("/dev/reader", "dev", 0, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.n_objects, 2);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/dev/configmaps"), 200);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/dev/pods"), 403);
	mint_result_done(&r);
	cr_assert_eq(do_mint("/dev/reader", "staging", 0, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND, "%s", e.msg);
}

Test(mint, audiences_and_name_prefix_reach_the_token_and_objects)
{
	struct mint_request req = {0};
	struct mint_result r;
	struct kj_strv aud = {0};
	struct secret s;
	cJSON *claims = NULL;
	kj_err e;

	add_dynamic("/dev/aud", "demo", "dev", ROLE_SOURCE_CLUSTER_ROLE, "view", 0);
	cr_assert_eq(secret_get(en, "/dev/aud", &s, &e), 0);
	s.name_prefix = kj_xstrdup("ci");
	cr_assert_eq(secret_edit(en, "/dev/aud", &s, &e), 0, "%s", e.msg);
	secret_done(&s);
	kj_strv_push(&aud, "https://kubernetes.default.svc.cluster.local");
	kj_strv_push(&aud, "vault");
	req.secret = "/dev/aud";
	req.ns = "dev";
	req.audiences = &aud;
	cr_assert_eq(mint_run(en, &req, &r, &e), 0, "%s", e.msg);
	cr_assert(!strncmp(r.service_account, "ci-dev-aud-", 11), "%s", r.service_account);
	cr_assert_eq(kj_jwt_decode(r.token, NULL, &claims, &e), 0);
	cJSON *a = cJSON_GetObjectItem(claims, "aud");
	cr_assert_eq(cJSON_GetArraySize(a), 2);
	cr_assert_str_eq(cJSON_GetArrayItem(a, 1)->valuestring, "vault");
	cr_assert_str_eq(cJSON_GetObjectItem(claims, "jti")->valuestring, r.jti);
	cJSON_Delete(claims);
	char fp[65];
	kj_token_fingerprint(r.token, fp);
	cr_assert_str_eq(fp, r.fingerprint);
	kj_strv_done(&aud);
	mint_result_done(&r);
}

/* The CronJob's mode: the pod's ServiceAccount, no local leases at all. */
Test(mint, in_cluster_sweep_uses_the_pod_service_account)
{
	struct mint_result r;
	struct sweep_opts o = {0};
	struct sweep_report rep;
	char dir[96], port[16], *p;
	FILE *f;
	kj_err e;

	add_dynamic("/dev/read-pods", "demo", "dev", ROLE_SOURCE_YAML, POD_READER, 0);
	cr_assert_eq(do_mint("/dev/read-pods", "dev", 60, &r, &e), 0, "%s", e.msg);
	snprintf(dir, sizeof(dir), "%s/sa", home);
	cr_assert_eq(mkdir(dir, 0700), 0);
	p = kj_xasprintf("%s/token", dir);
	f = fopen(p, "w");
	fputs(demo_account_token(dc, "kube-system/kubejit-jit"), f);
	fclose(f);
	free(p);
	p = kj_xasprintf("%s/ca.crt", dir);
	f = fopen(p, "w");
	fputs(demo_ca_pem(dc), f);
	fclose(f);
	free(p);
	snprintf(port, sizeof(port), "%d", demo_port(dc));
	setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", port, 1);
	setenv("KUBEJIT_SERVICEACCOUNT_DIR", dir, 1);
	kj_time_set_offset(61);
	o.cluster = 1;
	o.in_cluster = 1;
	cr_assert_eq(sweep_run(en, &o, &rep, &e), 0, "%s", e.msg);
	cr_assert_eq(rep.failures, 0, "%s",
	             rep.n_actions && rep.actions[0].error ? rep.actions[0].error : "");
	cr_assert_geq(rep.objects_deleted, 1);
	cr_assert_null(rep.actions[0].target);
	sweep_report_done(&rep);
	cr_assert_eq(labelled_objects(NULL), 0);
	mint_result_done(&r);
}

Test(mint, yaml_cluster_role_is_bound_cluster_wide_and_revoked_whole)
{
	static const char *const NS_READER =
	    "kind: ClusterRole\nmetadata: {name: ns-reader}\nrules:\n"
	    "- {apiGroups: [\"\"], resources: [namespaces], verbs: [get, list]}\n"
	    "---\nkind: ClusterRoleBinding\nmetadata: {name: ns-reader}\n"
	    "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ns-reader}\n";
	struct mint_result r;
	kj_err e;

	add_dynamic("/cluster/ns-reader", "demo", "dev", ROLE_SOURCE_YAML, NS_READER, 0);
	cr_assert_eq(do_mint("/cluster/ns-reader", "dev", 0, &r, &e), 0, "%s (%s)", e.msg, e.hint);
	cr_assert_eq(r.n_objects, 3);
	cr_assert_str_eq(r.objects[1].kind, "ClusterRole");
	cr_assert_null(r.objects[1].ns);
	cr_assert_str_eq(r.objects[2].kind, "ClusterRoleBinding");
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces"), 200);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/dev/pods"), 403);
	cr_assert_eq(labelled_objects(r.lease_id), 3);
	cr_assert_eq(lease_revoke(en, r.lease_id, &e), 0, "%s", e.msg);
	cr_assert(ms_until_unauthorized(r.token, "/api/v1/namespaces", TOKEN_CACHE_MS + 2000) >= 0);
	cr_assert_eq(labelled_objects(NULL), 0, "cluster-scoped objects left behind");
	mint_result_done(&r);
}

/* --orphans: objects whose lease this store does not know go after the
 * grace period even before they expire; without it they stay. */
Test(mint, orphans_are_swept_only_when_asked)
{
	struct mint_result r;
	struct engine *other;
	char home2[64];
	struct sweep_opts o = {0};
	struct sweep_report rep;
	kj_err e;

	add_dynamic("/dev/read-pods", "demo", "dev", ROLE_SOURCE_YAML, POD_READER, 0);
	cr_assert_eq(do_mint("/dev/read-pods", "dev", 3600, &r, &e), 0, "%s", e.msg);
	snprintf(home2, sizeof(home2), "/tmp/kj-mint3-XXXXXX");
	cr_assert_not_null(mkdtemp(home2));
	cr_assert_eq(engine_open(home2, &other, &e), 0, "%s", e.msg);
	ef_add_checked_target(dc, other, "demo", "kube-system/kubejit-jit");
	kj_time_set_offset(120);
	o.cluster = 1;
	o.grace = 60;
	cr_assert_eq(sweep_run(other, &o, &rep, &e), 0, "%s", e.msg);
	cr_assert_eq(rep.n_actions, 0, "a live lease of another store was swept");
	sweep_report_done(&rep);
	/* the store that minted it knows the lease: --orphans leaves it alone */
	o.orphans = 1;
	cr_assert_eq(sweep_run(en, &o, &rep, &e), 0, "%s", e.msg);
	cr_assert_eq(rep.objects_deleted, 0);
	sweep_report_done(&rep);
	cr_assert_eq(sweep_run(other, &o, &rep, &e), 0, "%s", e.msg);
	cr_assert_geq(rep.objects_deleted, 1);
	cr_assert_str_eq(rep.actions[0].reason, "orphaned");
	sweep_report_done(&rep);
	cr_assert_eq(labelled_objects(NULL), 0);
	engine_close(other);
	char *cmd = kj_xasprintf("rm -rf '%s'", home2);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	mint_result_done(&r);
}

/* An account that may create ServiceAccounts, tokens, Roles and
 * RoleBindings, and holds `get, list pods` — the rules it grants — but has
 * neither `bind` nor `escalate`: the binding is allowed only because the
 * Role exists when it is created and the target holds its rules. */
static void add_limited_target(const char *name, const char *extra_rules)
{
	char *body;
	cJSON *obj;
	kj_err e;

	body = kj_xasprintf("{\"metadata\":{\"name\":\"%s\",\"namespace\":\"kube-system\"}}", name);
	obj = cJSON_Parse(body);
	free(body);
	cr_assert_eq(kube_create(admin, KUBE_SERVICEACCOUNT, "kube-system", obj, NULL, &e), 0, "%s", e.msg);
	cJSON_Delete(obj);
	body = kj_xasprintf(
	    "{\"metadata\":{\"name\":\"%s\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":"
	    "[\"serviceaccounts\",\"serviceaccounts/token\"],\"verbs\":[\"create\",\"delete\"]},"
	    "{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"roles\",\"rolebindings\"],"
	    "\"verbs\":[\"create\",\"delete\"]}%s]}",
	    name, extra_rules);
	obj = cJSON_Parse(body);
	free(body);
	cr_assert_not_null(obj);
	cr_assert_eq(kube_create(admin, KUBE_CLUSTERROLE, NULL, obj, NULL, &e), 0, "%s", e.msg);
	cJSON_Delete(obj);
	body = kj_xasprintf(
	    "{\"metadata\":{\"name\":\"%s\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\","
	    "\"kind\":\"ClusterRole\",\"name\":\"%s\"},\"subjects\":[{\"kind\":\"ServiceAccount\","
	    "\"name\":\"%s\",\"namespace\":\"kube-system\"}]}",
	    name, name, name);
	obj = cJSON_Parse(body);
	free(body);
	cr_assert_eq(kube_create(admin, KUBE_CLUSTERROLEBINDING, NULL, obj, NULL, &e), 0, "%s", e.msg);
	cJSON_Delete(obj);

	struct kube_token tok = {0};
	struct kube_token_spec spec = {0};
	spec.expiration_seconds = 3600;
	cr_assert_eq(kube_token_request(admin, "kube-system", name, &spec, &tok, &e), 0, "%s", e.msg);
	await_binding(tok.token);
	ef_add_token_target(dc, en, name, tok.token, NULL);
	kube_token_done(&tok);
}

Test(mint, role_is_made_before_its_binding_so_no_bind_verb_is_needed)
{
	struct mint_result r;
	kj_err e;
	int allowed = 1;

	add_limited_target("nobind",
	                   ",{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\",\"list\"]}");
	{
		struct kube_client *kc = NULL;
		struct kube_access a = {
		    .verb = "bind", .group = "rbac.authorization.k8s.io", .resource = "roles", .ns = "dev"};
		cr_assert_eq(engine_client(en, "nobind", &kc, &e), 0, "%s", e.msg);
		cr_assert_eq(kube_can_i(kc, &a, &allowed, NULL, &e), 0, "%s", e.msg);
		cr_assert(!allowed, "the target must not hold bind");
		a.verb = "escalate";
		cr_assert_eq(kube_can_i(kc, &a, &allowed, NULL, &e), 0, "%s", e.msg);
		cr_assert(!allowed, "the target must not hold escalate");
	}
	add_dynamic("/nobind/read-pods", "nobind", "dev", ROLE_SOURCE_YAML, POD_READER, 0);
	/* a slow Role create: a binding sent beside it would reach the server
	 * first and be refused (the Role it names does not exist yet) */
	cr_assert_eq(demo_fault_add(dc, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles", 1,
	                            DEMO_FAULT_DELAY, 0, 300),
	             0);
	cr_assert_eq(do_mint("/nobind/read-pods", "dev", 600, &r, &e), 0, "%s (%s)", e.msg, e.hint);
	cr_assert_eq(r.n_objects, 3);
	cr_assert_str_eq(r.ready_check, "get pods in dev");
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/dev/pods"), 200);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/dev/secrets"), 403);
	cr_assert_eq(lease_revoke(en, r.lease_id, &e), 0, "%s", e.msg);
	mint_result_done(&r);
	cr_assert_eq(labelled_objects(NULL), 0);
}

Test(mint, a_credential_that_never_becomes_ready_is_revoked_and_reported)
{
	struct mint_request req = {0};
	struct mint_result r;
	struct lease *v;
	size_t n;
	kj_err e;

	add_dynamic("/dev/read-pods", "demo", "dev", ROLE_SOURCE_YAML, POD_READER, 0);
	/* the cluster never confirms the new token's access within the bound */
	for (int i = 1; i <= 40; i++)
		cr_assert_eq(demo_fault_add(dc, "POST",
		                            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", 1,
		                            DEMO_FAULT_STATUS, 401, 0),
		             0);
	req.secret = "/dev/read-pods";
	req.ns = "dev";
	req.ready_timeout_ms = 800;
	int64_t t0 = kj_mono_ms();
	cr_assert_eq(mint_run(en, &req, &r, &e), -1);
	int64_t took = kj_mono_ms() - t0;
	cr_assert_geq(took, 800, "%lld ms", (long long)took);
	cr_assert_lt(took, 5000, "%lld ms", (long long)took);
	cr_assert_eq(e.cls, KJ_ERR_FAIL, "%s", e.msg);
	cr_assert(strstr(e.msg, "not ready within"), "%s", e.msg);
	cr_assert(strstr(e.msg, "get pods in dev"), "%s", e.msg);
	cr_assert(strstr(e.hint, "revoked"), "%s", e.hint);
	cr_assert(strstr(e.hint, "--ready-timeout"), "%s", e.hint);
	cr_assert_null(r.token, "no token is handed over");
	demo_fault_clear(dc);
	cr_assert_eq(labelled_objects(NULL), 0, "the never-ready lease's objects are deleted");
	struct lease_filter f = LEASE_FILTER_ANY;
	f.state = LEASE_FAILED;
	cr_assert_eq(lease_list(en, &f, &v, &n, &e), 0, "%s", e.msg);
	cr_assert_eq(n, 1);
	cr_assert(strstr(v[0].error, "not ready within"), "%s", v[0].error);
	lease_list_free(v, n);
}

Test(mint, readiness_waits_out_a_slow_authoriser)
{
	struct mint_result r;
	kj_err e;

	add_dynamic("/dev/read-pods", "demo", "dev", ROLE_SOURCE_YAML, POD_READER, 0);
	/* the first two SelfSubjectAccessReviews as the new token are refused,
	 * as a loaded API server may refuse them (the client retries) */
	for (int i = 0; i < 2; i++)
		cr_assert_eq(demo_fault_add(dc, "POST",
		                            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", 1,
		                            DEMO_FAULT_STATUS, 401, 0),
		             0);
	cr_assert_eq(do_mint("/dev/read-pods", "dev", 600, &r, &e), 0, "%s (%s)", e.msg, e.hint);
	/* backoff 50 ms, then 100 ms */
	cr_assert_geq(r.ready_ms, 150, "%lld ms", (long long)r.ready_ms);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/dev/pods"), 200);
	mint_result_done(&r);
}

/* A fixed mint asks nothing as the new token: the TokenRequest found its
 * ServiceAccount and Secret in storage, where the token authenticator
 * looks when its informer has not caught up, and no RBAC is new. */
Test(mint, a_fixed_mint_needs_no_readiness_check)
{
	struct demo_stats before, after;
	struct mint_result r;
	kj_err e;

	add_fixed("/dash/view", "demo", "kubernetes-dashboard", "kubernetes-dashboard");
	demo_get_stats(dc, &before);
	cr_assert_eq(do_mint("/dash/view", NULL, 600, &r, &e), 0, "%s (%s)", e.msg, e.hint);
	demo_get_stats(dc, &after);
	cr_assert_leq(after.tls_handshakes - before.tls_handshakes, 2, "anchor and spare in parallel");
	cr_assert_eq(r.ready_ms, -1);
	/* and the token works at once */
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/kubernetes-dashboard/pods"), 200);
	mint_result_done(&r);
}

/* Revoked means dead, honestly: an API server may accept a revoked token
 * for up to its token cache time; lease_wait_refused() returns only once
 * the token is refused, asking as the token when kubejit has it. */
Test(mint, revoke_wait_returns_once_the_token_is_refused)
{
	struct mint_result r, other, fixed;
	struct lease l;
	int64_t took = -1;
	int asked = -1;
	kj_err e;

	add_dynamic("/dev/read-pods", "demo", "dev", ROLE_SOURCE_YAML, POD_READER, 0);
	cr_assert_eq(do_mint("/dev/read-pods", "dev", 600, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(do_mint("/dev/read-pods", "dev", 600, &other, &e), 0, "%s", e.msg);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/dev/pods"), 200);

	/* a live lease's token is not meant to be refused */
	cr_assert_eq(lease_get(en, r.lease_id, &l, &e), 0, "%s", e.msg);
	cr_assert_eq(lease_wait_refused(en, &l, r.token, 2000, &asked, &took, &e), -1);
	cr_assert(strstr(e.msg, "not revoked"), "%s", e.msg);
	lease_done(&l);

	cr_assert_eq(lease_revoke(en, r.lease_id, &e), 0, "%s", e.msg);
	cr_assert_eq(lease_get(en, r.lease_id, &l, &e), 0, "%s", e.msg);
	/* another lease's token is refused by its fingerprint, before any request */
	cr_assert_eq(lease_wait_refused(en, &l, other.token, 2000, &asked, &took, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_USAGE, "%s", e.msg);
	cr_assert(strstr(e.msg, "fingerprints differ"), "%s", e.msg);
	cr_assert_null(strstr(e.msg, other.token));

	cr_assert_eq(lease_wait_refused(en, &l, r.token, 30000, &asked, &took, &e), 0, "%s", e.msg);
	cr_assert_eq(asked, 1);
	cr_assert_geq(took, 0);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/dev/pods"), 401, "refused once --wait returned");
	lease_done(&l);

	/* without the token: the cache time is waited out since the revoke */
	cr_assert_eq(lease_revoke(en, other.lease_id, &e), 0, "%s", e.msg);
	cr_assert_eq(lease_get(en, other.lease_id, &l, &e), 0, "%s", e.msg);
	int64_t t0 = kj_mono_ms();
	cr_assert_eq(lease_wait_refused(en, &l, NULL, 30000, &asked, &took, &e), 0, "%s", e.msg);
	int64_t waited = kj_mono_ms() - t0;
	cr_assert_eq(asked, 0);
	cr_assert_geq(kj_now(), l.ended_at + LEASE_TOKEN_CACHE_SECONDS + 1);
	cr_assert_geq(waited, (LEASE_TOKEN_CACHE_SECONDS - 1) * 1000, "%lld ms", (long long)waited);
	cr_assert_eq(status_as(other.token, "/api/v1/namespaces/dev/pods"), 401);
	lease_done(&l);

	/* an expiry-only token is never refused before its expiry: say so */
	add_fixed("/fixed/only", "fixed-only", "kubernetes-dashboard", "kubernetes-dashboard");
	cr_assert_eq(do_mint("/fixed/only", NULL, 600, &fixed, &e), 0, "%s", e.msg);
	cr_assert(!fixed.revocable);
	cr_assert_eq(lease_revoke(en, fixed.lease_id, &e), 0, "%s", e.msg);
	cr_assert_eq(lease_get(en, fixed.lease_id, &l, &e), 0, "%s", e.msg);
	cr_assert_eq(lease_wait_refused(en, &l, fixed.token, 2000, &asked, &took, &e), -1);
	cr_assert(strstr(e.msg, "expiry-only"), "%s", e.msg);
	lease_done(&l);

	mint_result_done(&r);
	mint_result_done(&other);
	mint_result_done(&fixed);
}

/* ---- a revoke during a mint ------------------------------------------------- */

struct bg_mint {
	const char *path;
	int rc;
	kj_err e;
	struct mint_result r;
};

static void *bg_mint_run(void *arg)
{
	struct bg_mint *b = arg;

	b->rc = do_mint(b->path, "dev", 900, &b->r, &b->e);
	return NULL;
}

/* `revoke` of a lease still `creating` must win: the mint may not write
 * `active` over it, and rolls back what it made. */
Test(mint, revoke_during_a_mint_is_not_lost)
{
	struct engine *en2;
	struct bg_mint b = {.path = "/race/view"};
	struct lease *v = NULL;
	size_t n = 0;
	pthread_t th;
	kj_err e;
	char id[40] = "";

	add_dynamic("/race/view", "demo", "dev", ROLE_SOURCE_CLUSTER_ROLE, "view", 0);
	/* hold the ServiceAccount create long enough to revoke in between */
	cr_assert_eq(demo_fault_add(dc, "POST", "/api/v1/namespaces/dev/serviceaccounts", 1, DEMO_FAULT_DELAY,
	                            0, 1500),
	             0);
	cr_assert_eq(engine_open(home, &en2, &e), 0, "%s", e.msg);
	cr_assert_eq(pthread_create(&th, NULL, bg_mint_run, &b), 0);
	for (int i = 0; i < 100 && !id[0]; i++) {
		cr_assert_eq(lease_list(en2, NULL, &v, &n, &e), 0, "%s", e.msg);
		if (n == 1 && v[0].state == LEASE_CREATING)
			snprintf(id, sizeof id, "%s", v[0].id);
		lease_list_free(v, n);
		usleep(10000);
	}
	cr_assert(id[0], "the mint wrote no creating lease");
	cr_assert_eq(lease_revoke(en2, id, &e), 0, "%s", e.msg);
	pthread_join(th, NULL);

	cr_assert_eq(b.rc, -1, "a mint revoked on the way must fail");
	cr_assert_null(b.r.token, "no token leaves a revoked lease");
	cr_assert(strstr(b.e.msg, "revoked"), "%s", b.e.msg);
	cr_assert_eq(state_of(id), LEASE_REVOKED, "the revoked lease was reactivated");
	cr_assert_eq(labelled_objects(id), 0, "what the mint made was not rolled back");
	{
		struct audit_filter af = {0};
		struct audit_entry *av;
		size_t an;

		af.action = AUDIT_MINT;
		af.lease = id;
		cr_assert_eq(audit_list(en, &af, &av, &an, &e), 0, "%s", e.msg);
		for (size_t i = 0; i < an; i++)
			cr_assert_not(av[i].ok, "the audit log records the revoked mint as a success");
		audit_list_free(av, an);
	}
	mint_result_done(&b.r);
	engine_close(en2);
}

TestSuite(mint_real, .init = setup_real, .fini = teardown, .timeout = 60);

/* Minted means working on a cluster whose authoriser sees a new binding
 * 250 ms late: the mint waits for it, so the token works the moment it is
 * handed over. */
Test(mint_real, the_token_works_when_mint_returns_despite_the_informer_lag)
{
	struct mint_result r;
	kj_err e;

	add_dynamic("/dev/read-pods", "demo", "dev", ROLE_SOURCE_YAML, POD_READER, 0);
	cr_assert_eq(do_mint("/dev/read-pods", "dev", 600, &r, &e), 0, "%s (%s)", e.msg, e.hint);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/dev/pods"), 200, "works at once");
	cr_assert_geq(r.ready_ms, 150, "waited for the authoriser: %lld ms", (long long)r.ready_ms);
	cr_assert_lt(r.ready_ms, READY_TIMEOUT_MS);
	cr_assert_str_eq(r.ready_check, "get pods in dev");
	mint_result_done(&r);

	/* a predefined ClusterRole: the rule asked about is read from it */
	add_dynamic("/view/ns", "demo", "*", ROLE_SOURCE_CLUSTER_ROLE, "view", 0);
	cr_assert_eq(do_mint("/view/ns", "staging", 600, &r, &e), 0, "%s (%s)", e.msg, e.hint);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/staging/pods"), 200);
	cr_assert_geq(r.ready_ms, 150, "%lld ms", (long long)r.ready_ms);
	mint_result_done(&r);
}

/* Revoked means dead, honestly: inside the token cache window the revoked
 * token still works; lease_wait_refused() returns only once it does not. */
Test(mint_real, revoke_wait_outlasts_the_token_cache)
{
	struct mint_result r;
	struct lease l;
	int64_t took = 0;
	int asked = 0;
	kj_err e;

	add_fixed("/dash/view", "demo", "kubernetes-dashboard", "kubernetes-dashboard");
	cr_assert_eq(do_mint("/dash/view", NULL, 600, &r, &e), 0, "%s (%s)", e.msg, e.hint);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/kubernetes-dashboard/pods"), 200);
	cr_assert_eq(lease_revoke(en, r.lease_id, &e), 0, "%s", e.msg);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/kubernetes-dashboard/pods"), 200,
	             "the API server's token cache still accepts the revoked token");
	cr_assert_eq(lease_get(en, r.lease_id, &l, &e), 0, "%s", e.msg);
	cr_assert_eq(lease_wait_refused(en, &l, r.token, 10000, &asked, &took, &e), 0, "%s", e.msg);
	cr_assert_eq(asked, 1);
	cr_assert_gt(took, 0, "it had to wait");
	/* the 2 s window, plus at most one backoff step (1 s) and a busy machine */
	cr_assert_leq(took, 4500, "about the cache window: %lld ms", (long long)took);
	cr_assert_eq(status_as(r.token, "/api/v1/namespaces/kubernetes-dashboard/pods"), 401);
	lease_done(&l);
	mint_result_done(&r);
}

/* A failed lease whose leftovers the sweep removes is a success: no
 * failure in the report, no `revoke ERROR` in the audit log. */
Test(mint, sweeping_a_failed_lease_cleanly_is_no_failure)
{
	struct mint_result r;
	struct sweep_opts o = {0};
	struct sweep_report rep;
	struct audit_filter af = {0};
	struct audit_entry *av;
	size_t an;
	char *q;
	kj_err e;

	add_dynamic("/dev/left", "demo", "dev", ROLE_SOURCE_CLUSTER_ROLE, "view", 0);
	cr_assert_eq(do_mint("/dev/left", "dev", 900, &r, &e), 0, "%s", e.msg);
	/* as a mint leaves it when its rollback could not delete everything */
	q = kj_xasprintf("UPDATE leases SET state = 'failed', error = 'rollback incomplete' WHERE id = '%s'",
	                 r.lease_id);
	cr_assert_eq(sqlite3_exec(db_sqlite(engine_db(en)), q, NULL, NULL, NULL), SQLITE_OK);
	free(q);
	o.local = 1;
	cr_assert_eq(sweep_run(en, &o, &rep, &e), 0, "%s", e.msg);
	cr_assert_eq(rep.failures, 0, "a clean sweep of a failed lease reported a failure");
	cr_assert_eq(rep.leases_closed, 1);
	sweep_report_done(&rep);
	cr_assert_eq(labelled_objects(r.lease_id), 0);
	af.lease = r.lease_id;
	af.action = AUDIT_REVOKE;
	cr_assert_eq(audit_list(en, &af, &av, &an, &e), 0, "%s", e.msg);
	cr_assert_geq(an, 1);
	for (size_t i = 0; i < an; i++)
		cr_assert(av[i].ok, "audit: revoke ERROR after a clean sweep (%s)",
		          av[i].detail ? av[i].detail : "");
	audit_list_free(av, an);
	mint_result_done(&r);
}
