/* The fault matrix: every API call of every operation that changes the
 * cluster, failed in every way the demo cluster can fail it.
 *
 * For each operation (fixed mint; dynamic mint with a predefined Role, a
 * ClusterRole per namespace, a ClusterRole cluster-wide and a YAML role;
 * revoke of a fixed and of a dynamic lease; bulk revoke; local sweep;
 * cluster sweep) a fault-free run counts its requests (N).  Then, for
 * k = 1..N and each fault (500, 503 and 429 with Retry-After, 409, 403, 404,
 * a dropped connection, an answer slower than the client's timeout), the
 * k-th request of the operation fails that way, and the test asserts:
 *   - a failure is reported with a specific error (message and hint);
 *   - 429 and 503 with Retry-After are retried, so the operation succeeds;
 *   - once the operation and one fault-free sweep are done, the cluster and
 *     the store agree: no lease is left `creating`, every active lease still
 *     has its objects, and no object carries the label of a lease that is
 *     not active (nor of a lease the store does not know).
 * The demo cluster keeps its production behaviour (token cache, RBAC
 * informer lag, background garbage collection), with shorter delays.
 * Each test below is one operation, so Criterion runs them in parallel. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "demo/demo.h"
#include "engine/engine.h"
#include "engine/lease.h"
#include "engine/mint.h"
#include "engine/secret.h"
#include "engine/sweep.h"
#include "kube/api.h"
#include "store/db.h"
#include "store/spares.h"
#include "store/targets.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "tests/support/engine_fixture.h"
#include "util/timeutil.h"

#define CLIENT_TIMEOUT_MS 1500
#define SLOW_MS           2200

static struct demo_cluster *dc;
static struct engine *en;
static char home[64];
static struct kube_client *admin;

static const char *const POD_READER =
    "apiVersion: rbac.authorization.k8s.io/v1\n"
    "kind: Role\n"
    "metadata:\n  name: pod-reader\n"
    "rules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get, list]\n";

enum op {
	OP_MINT_FIXED,
	OP_MINT_ROLE,
	OP_MINT_CLUSTERROLE_NS,
	OP_MINT_CLUSTERROLE_CLUSTER,
	OP_MINT_YAML,
	OP_REVOKE_FIXED,
	OP_REVOKE_DYNAMIC,
	OP_BULK_REVOKE,
	OP_SWEEP,
	OP_CLUSTER_SWEEP,
};

static const char *const op_names[] = {
    "fixed mint",
    "dynamic mint (Role)",
    "dynamic mint (ClusterRole, namespace)",
    "dynamic mint (ClusterRole, cluster-wide)",
    "dynamic mint (YAML role)",
    "revoke (fixed)",
    "revoke (dynamic)",
    "bulk revoke",
    "sweep",
    "cluster sweep",
};

static const char *const op_secret[] = {
    "/m/fixed", "/m/role", "/m/cr-ns", "/m/cr-cluster", "/m/yaml",
    "/m/fixed", "/m/yaml", "/m/yaml",  "/m/yaml",       "/m/yaml",
};

struct fault {
	const char *name;
	enum demo_fault_kind kind;
	int status;
	int delay_ms;
	int must_succeed; /* retried by the client: the operation must not fail */
};

static const struct fault faults[] = {
    {"500", DEMO_FAULT_STATUS, 500, 0, 0},
    {"503 Retry-After", DEMO_FAULT_STATUS, 503, 0, 1},
    {"429 Retry-After", DEMO_FAULT_STATUS, 429, 0, 1},
    {"409", DEMO_FAULT_STATUS, 409, 0, 0},
    {"403", DEMO_FAULT_STATUS, 403, 0, 0},
    {"404", DEMO_FAULT_STATUS, 404, 0, 0},
    {"dropped connection", DEMO_FAULT_DROP, 0, 0, 0},
    {"slower than the client timeout", DEMO_FAULT_DELAY, 0, SLOW_MS, 0},
};
#define N_FAULTS (sizeof(faults) / sizeof(faults[0]))

static void add_secret(const char *path, enum secret_mode mode, enum secret_role_source src, const char *role,
                       int cluster_scope)
{
	struct secret s;
	kj_err e;

	secret_init(&s);
	s.path = kj_xstrdup(path);
	s.target = kj_xstrdup("demo");
	s.mode = mode;
	if (mode == SECRET_FIXED) {
		s.ns = kj_xstrdup("kubernetes-dashboard");
		s.service_account = kj_xstrdup("kubernetes-dashboard");
	} else {
		s.role_source = src;
		if (src == ROLE_SOURCE_YAML)
			s.role_yaml = kj_xstrdup(role);
		else
			s.role_name = kj_xstrdup(role);
		s.cluster_scope = cluster_scope;
		kj_strv_split(&s.allowed_namespaces, "dev");
	}
	s.max_ttl = 7200;
	cr_assert_eq(secret_add(en, &s, &e), 0, "%s: %s", path, e.msg);
	secret_done(&s);
}

static void setup(void)
{
	struct demo_opts o = {0};
	cJSON *role, *out = NULL;
	kj_err e;

	kj_time_set_offset(0);
	/* production behaviour, its delays shortened for speed (never off) */
	o.token_cache_ttl_ms = 1000;
	o.rbac_delay_ms = 50;
	o.gc_delay_ms = 150;
	cr_assert_eq(demo_start(&o, &dc, &e), 0, "the demo cluster did not start: %s", e.msg);
	snprintf(home, sizeof(home), "/tmp/kj-faults-XXXXXX");
	cr_assert_not_null(mkdtemp(home));
	cr_assert_eq(engine_open(home, &en, &e), 0, "%s", e.msg);
	engine_set_actor(en, "tester@testhost");
	engine_set_request_timeout(en, CLIENT_TIMEOUT_MS);
	ef_add_target(dc, en, "demo", "kube-system/kubejit-jit");
	admin = ef_client(dc, demo_admin_token(dc));

	role =
	    cJSON_Parse("{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"Role\","
	                "\"metadata\":{\"name\":\"pod-lister\",\"namespace\":\"dev\"},"
	                "\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"list\"]}]}");
	cr_assert_eq(kube_create(admin, KUBE_ROLE, "dev", role, &out, &e), 0, "%s", e.msg);
	cJSON_Delete(role);
	cJSON_Delete(out);

	add_secret("/m/fixed", SECRET_FIXED, 0, NULL, 0);
	add_secret("/m/role", SECRET_DYNAMIC, ROLE_SOURCE_ROLE, "pod-lister", 0);
	add_secret("/m/cr-ns", SECRET_DYNAMIC, ROLE_SOURCE_CLUSTER_ROLE, "view", 0);
	add_secret("/m/cr-cluster", SECRET_DYNAMIC, ROLE_SOURCE_CLUSTER_ROLE, "view", 1);
	add_secret("/m/yaml", SECRET_DYNAMIC, ROLE_SOURCE_YAML, POD_READER, 0);
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

static uint64_t requests(void)
{
	struct demo_stats st;

	demo_get_stats(dc, &st);
	return st.requests;
}

static int mint(const char *secret, kj_err *e)
{
	struct mint_request req = {0};
	struct mint_result r;
	int rc;

	req.secret = secret;
	req.ns = !strcmp(secret, "/m/fixed") ? NULL : "dev";
	req.ttl = 900;
	kj_err_clear(e);
	rc = mint_run(en, &req, &r, e);
	if (rc == 0)
		mint_result_done(&r);
	return rc;
}

/* Lease ids of the live leases, newline-separated (caller frees). */
static size_t live_leases(struct lease **v)
{
	struct lease_filter f = LEASE_FILTER_ANY;
	size_t n = 0;
	kj_err e;

	f.live_only = 1;
	cr_assert_eq(lease_list(en, &f, v, &n, &e), 0, "%s", e.msg);
	return n;
}

/* Objects of leases in the cluster (admin view), as "lease-id kind/name"
 * lines; the demo's requester role carries managed-by=kubejit but no lease. */
static char *labelled_objects(void)
{
	static const enum kube_kind_id kinds[] = {KUBE_SERVICEACCOUNT, KUBE_SECRET,
	                                          KUBE_ROLE,           KUBE_ROLEBINDING,
	                                          KUBE_CLUSTERROLE,    KUBE_CLUSTERROLEBINDING};
	kj_buf b;

	kj_buf_init(&b);
	kj_buf_add(&b, "", 0);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		cJSON *list = NULL, *it;
		kj_err e;

		cr_assert_eq(kube_list(admin, kinds[i], NULL,
		                       "app.kubernetes.io/managed-by=kubejit,kubejit.io/lease", &list, &e),
		             0, "%s", e.msg);
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(list, "items"))
		{
			const char *lease = kube_label(it, "kubejit.io/lease");
			const cJSON *md = cJSON_GetObjectItem(it, "metadata");

			/* an object already being deleted (foreground) is on its way out */
			if (cJSON_GetObjectItem(md, "deletionTimestamp"))
				continue;
			kj_buf_printf(&b, "%s %s/%s\n", lease ? lease : "-", kj_json_str0(it, "kind"),
			              kube_meta(it, "name") ? kube_meta(it, "name") : "?");
		}
		cJSON_Delete(list);
	}
	return kj_buf_steal(&b);
}

/* Spare anchor Secrets (engine/mint.h): every one in the cluster is known
 * to the store (a row, pending while its create had no answer), and every
 * row with a uid is in the cluster with that uid. */
static int spares_agree(kj_buf *why)
{
	struct store_spare *sv = NULL;
	size_t sn = 0;
	cJSON *list = NULL, *it;
	int ok = 1;
	kj_err e;

	cr_assert_eq(store_spare_list(engine_db(en), NULL, &sv, &sn, &e), 0, "%s", e.msg);
	cr_assert_eq(kube_list(admin, KUBE_SECRET, NULL,
	                       "app.kubernetes.io/managed-by=kubejit,kubejit.io/spare-anchor=true", &list,
	                       &e),
	             0, "%s", e.msg);
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(list, "items"))
	{
		int known = 0;

		if (cJSON_GetObjectItem(cJSON_GetObjectItem(it, "metadata"), "deletionTimestamp"))
			continue;
		for (size_t i = 0; i < sn; i++)
			known |= !strcmp(sv[i].name, kube_meta(it, "name")) &&
			         !strcmp(sv[i].ns, kube_meta(it, "namespace"));
		if (!known) {
			kj_buf_printf(why, "spare %s unknown to the store; ", kube_meta(it, "name"));
			ok = 0;
		}
	}
	for (size_t i = 0; i < sn; i++) {
		int found = 0;

		if (!sv[i].uid)
			continue;
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(list, "items")) found |=
		    !strcmp(sv[i].name, kube_meta(it, "name")) && kube_meta(it, "uid") &&
		    !strcmp(sv[i].uid, kube_meta(it, "uid"));
		if (!found) {
			kj_buf_printf(why, "the store's spare %s is not in the cluster; ", sv[i].name);
			ok = 0;
		}
	}
	cJSON_Delete(list);
	store_spare_list_free(sv, sn);
	return ok;
}

/* Whether the store and the cluster agree; fills `why` when not. */
static int agree(kj_buf *why)
{
	struct lease_filter f = LEASE_FILTER_ANY;
	struct lease *v = NULL;
	size_t n = 0;
	char *objs = labelled_objects();
	int ok = 1;
	kj_err e;

	cr_assert_eq(lease_list(en, &f, &v, &n, &e), 0, "%s", e.msg);
	for (size_t i = 0; i < n; i++) {
		char *needle = kj_xasprintf("%s ", v[i].id);
		int has = strstr(objs, needle) != NULL;

		free(needle);
		if (v[i].state == LEASE_CREATING || v[i].state == LEASE_REVOKING) {
			kj_buf_printf(why, "lease %s is still %s; ", v[i].id, lease_state_name(v[i].state));
			ok = 0;
		} else if (v[i].state == LEASE_ACTIVE && v[i].revocable && !has) {
			kj_buf_printf(why, "active lease %s has no objects left; ", v[i].id);
			ok = 0;
		} else if (v[i].state != LEASE_ACTIVE && has) {
			kj_buf_printf(why, "%s lease %s still has objects; ", lease_state_name(v[i].state),
			              v[i].id);
			ok = 0;
		}
	}
	/* objects whose lease the store does not know */
	for (char *line = objs; *line;) {
		char *nl = strchr(line, '\n'), id[64];
		int known = 0;

		if (sscanf(line, "%63s", id) == 1)
			for (size_t i = 0; i < n; i++)
				known |= !strcmp(v[i].id, id);
		if (!known) {
			kj_buf_printf(why, "object of an unknown lease: %.*s; ",
			              (int)(nl ? nl - line : (long)strlen(line)), line);
			ok = 0;
		}
		line = nl ? nl + 1 : line + strlen(line);
	}
	lease_list_free(v, n);
	free(objs);
	return ok && spares_agree(why);
}

/* One fault-free sweep, then wait (background garbage collection) until the
 * store and the cluster agree. */
static int converge(kj_buf *why)
{
	struct sweep_opts o = {0};
	struct sweep_report rep;
	int64_t t0 = kj_mono_ms();
	kj_err e;

	demo_fault_clear(dc);
	o.local = 1;
	o.cluster = 1;
	memset(&rep, 0, sizeof(rep));
	if (sweep_run(en, &o, &rep, &e) < 0)
		kj_buf_printf(why, "the sweep failed: %s; ", e.msg);
	sweep_report_done(&rep);
	while (kj_mono_ms() - t0 < 8000) {
		why->len = 0;
		if (why->data)
			why->data[0] = '\0';
		if (agree(why))
			return 1;
		usleep(100 * 1000);
	}
	return 0;
}

/* Back to a clean cluster and store between cases. */
static void reset(void)
{
	struct lease_filter f = LEASE_FILTER_ANY;
	struct lease_bulk_result res;
	kj_buf why;
	kj_err e;

	demo_fault_clear(dc);
	kj_time_set_offset(0);
	/* a 403 on a spare's adoption turns spares off for the target: on again */
	db_setting_set(engine_db(en), MINT_SPARES_DENIED_PREFIX "demo", NULL, &e);
	f.live_only = 1;
	memset(&res, 0, sizeof(res));
	lease_revoke_all(en, &f, 4, NULL, NULL, &res, &e);
	kj_buf_init(&why);
	cr_assert(converge(&why), "could not get back to a clean state: %s", why.data ? why.data : "");
	kj_buf_done(&why);
}

/* What the operation needs before it runs (leases to revoke or sweep). */
static void prepare(enum op op)
{
	kj_err e;

	switch (op) {
	case OP_REVOKE_FIXED:
	case OP_REVOKE_DYNAMIC:
	case OP_SWEEP:
	case OP_CLUSTER_SWEEP:
		cr_assert_eq(mint(op_secret[op], &e), 0, "preparing %s: %s", op_names[op], e.msg);
		break;
	case OP_BULK_REVOKE:
		for (int i = 0; i < 3; i++)
			cr_assert_eq(mint(i ? "/m/yaml" : "/m/fixed", &e), 0, "preparing %s: %s",
			             op_names[op], e.msg);
		break;
	default:
		break;
	}
	if (op == OP_SWEEP || op == OP_CLUSTER_SWEEP)
		kj_time_set_offset(901); /* past the lease's TTL */
}

/* The first failure a bulk revoke reports through its progress callback. */
static void first_failure(void *ud, size_t done, size_t total, const char *lease_id, const kj_err *err)
{
	kj_err *e = ud;

	(void)done;
	(void)total;
	(void)lease_id;
	if (err && !e->msg[0])
		*e = *err;
}

static int run_op(enum op op, kj_err *e)
{
	struct lease *v = NULL;
	size_t n;
	int rc = 0;

	kj_err_clear(e);
	switch (op) {
	case OP_MINT_FIXED:
	case OP_MINT_ROLE:
	case OP_MINT_CLUSTERROLE_NS:
	case OP_MINT_CLUSTERROLE_CLUSTER:
	case OP_MINT_YAML:
		return mint(op_secret[op], e);
	case OP_REVOKE_FIXED:
	case OP_REVOKE_DYNAMIC:
		n = live_leases(&v);
		cr_assert_eq(n, 1);
		rc = lease_revoke(en, v[0].id, e);
		lease_list_free(v, n);
		return rc;
	case OP_BULK_REVOKE: {
		struct lease_filter f = LEASE_FILTER_ANY;
		struct lease_bulk_result res;

		f.live_only = 1;
		memset(&res, 0, sizeof(res));
		if (lease_revoke_all(en, &f, 4, first_failure, e, &res, e) < 0)
			return -1;
		if (res.failed) {
			if (!e->msg[0])
				kj_err_set(e, KJ_ERR_FAIL, "%zu of %zu leases not revoked (no error given)",
				           res.failed, res.total);
			return -1;
		}
		return 0;
	}
	case OP_SWEEP:
	case OP_CLUSTER_SWEEP: {
		struct sweep_opts o = {0};
		struct sweep_report rep;

		o.local = op == OP_SWEEP;
		o.cluster = op == OP_CLUSTER_SWEEP;
		memset(&rep, 0, sizeof(rep));
		rc = sweep_run(en, &o, &rep, e);
		if (rc == 0 && rep.failures) {
			rc = -1;
			/* as `kubejit sweep` prints it: the object or lease, why it
			 * was swept, and the error; the hint is the report's own */
			for (size_t i = 0; i < rep.n_actions && !e->msg[0]; i++) {
				const struct sweep_action *a = &rep.actions[i];

				if (!a->error || a->done)
					continue;
				if (a->kind && a->name)
					kj_err_set(e, KJ_ERR_FAIL, "%s %s/%s (%s): %s", a->kind,
					           a->ns ? a->ns : "", a->name, a->reason, a->error);
				else if (a->lease_id)
					kj_err_set(e, KJ_ERR_FAIL, "lease %s (%s): %s", a->lease_id,
					           a->reason, a->error);
				else if (a->kind)
					kj_err_set(e, KJ_ERR_FAIL, "%s (%s): %s", a->kind, a->reason,
					           a->error);
			}
			if (!e->msg[0])
				kj_err_set(e, KJ_ERR_FAIL, "%zu sweep failures (no error given)",
				           rep.failures);
			if (rep.hint)
				kj_err_hint(e, "%s", rep.hint);
		}
		sweep_report_done(&rep);
		return rc;
	}
	}
	return -1;
}

struct tally {
	int cases, failed_cleanly, succeeded, violations;
};

static void run_matrix(enum op op)
{
	struct tally t = {0};
	uint64_t before;
	int n_calls;
	kj_err e;

	/* a fault-free run counts the operation's requests */
	prepare(op);
	before = requests();
	cr_assert_eq(run_op(op, &e), 0, "%s without faults: %s", op_names[op], e.msg);
	n_calls = (int)(requests() - before);
	cr_assert_gt(n_calls, 0);
	reset();

	for (int k = 1; k <= n_calls; k++)
		for (size_t f = 0; f < N_FAULTS; f++) {
			kj_buf why;
			int rc;

			prepare(op);
			cr_assert_eq(demo_fault_add(dc, NULL, "*", k, faults[f].kind, faults[f].status,
			                            faults[f].delay_ms),
			             0);
			rc = run_op(op, &e);
			t.cases++;
			if (faults[f].kind == DEMO_FAULT_DELAY)
				usleep(SLOW_MS * 1000); /* the slow answer lands after the client gave up */
			kj_time_set_offset(op == OP_SWEEP || op == OP_CLUSTER_SWEEP ? 901 : 0);
			if (rc == 0) {
				t.succeeded++;
			} else {
				t.failed_cleanly++;
				cr_expect(!faults[f].must_succeed,
				          "%s, request %d answered %s: not retried: %s", op_names[op], k,
				          faults[f].name, e.msg);
				cr_expect(e.msg[0] && e.hint[0],
				          "%s, request %d answered %s: unspecific error \"%s\" (hint \"%s\")",
				          op_names[op], k, faults[f].name, e.msg, e.hint);
			}
			kj_buf_init(&why);
			if (!converge(&why)) {
				t.violations++;
				cr_expect(0,
				          "%s, request %d answered %s: store and cluster disagree after a "
				          "sweep: %s",
				          op_names[op], k, faults[f].name, why.data ? why.data : "");
			}
			kj_buf_done(&why);
			reset();
		}
	printf(
	    "fault matrix, %s: %d requests x %zu faults = %d cases: %d succeeded (recovered), %d failed with "
	    "an error, %d left store and cluster disagreeing\n",
	    op_names[op], n_calls, N_FAULTS, t.cases, t.succeeded, t.failed_cleanly, t.violations);
	fflush(stdout);
}

TestSuite(faults, .init = setup, .fini = teardown, .timeout = 900);

Test(faults, fixed_mint)
{
	run_matrix(OP_MINT_FIXED);
}
Test(faults, dynamic_mint_predefined_role)
{
	run_matrix(OP_MINT_ROLE);
}
Test(faults, dynamic_mint_clusterrole_per_namespace)
{
	run_matrix(OP_MINT_CLUSTERROLE_NS);
}
Test(faults, dynamic_mint_clusterrole_cluster_wide)
{
	run_matrix(OP_MINT_CLUSTERROLE_CLUSTER);
}
Test(faults, dynamic_mint_yaml_role)
{
	run_matrix(OP_MINT_YAML);
}
Test(faults, revoke_fixed)
{
	run_matrix(OP_REVOKE_FIXED);
}
Test(faults, revoke_dynamic)
{
	run_matrix(OP_REVOKE_DYNAMIC);
}
Test(faults, bulk_revoke)
{
	run_matrix(OP_BULK_REVOKE);
}
Test(faults, sweep)
{
	run_matrix(OP_SWEEP);
}
Test(faults, cluster_sweep)
{
	run_matrix(OP_CLUSTER_SWEEP);
}
