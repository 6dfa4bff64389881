/* RBAC evaluation, escalation prevention and the ServiceAccount token signer
 * of the demo cluster, tested as pure functions (no server). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo/authz.h"
#include "demo/escalation.h"
#include "demo/jwtsign.h"
#include "util/b64.h"
#include "util/json.h"
#include "util/jwt.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

/* ------------------------------------------------------------ fixtures */

static const char *policy_json =
    "{\"roles\":["
    " {\"metadata\":{\"name\":\"pod-reader\",\"namespace\":\"dev\"},"
    "  \"rules\":[{\"verbs\":[\"get\",\"list\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\"]}]},"
    " {\"metadata\":{\"name\":\"one-secret\",\"namespace\":\"dev\"},"
    "  \"rules\":[{\"verbs\":[\"get\"],\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],"
    "\"resourceNames\":[\"s1\"]}]},"
    " {\"metadata\":{\"name\":\"tokens\",\"namespace\":\"dev\"},"
    "  \"rules\":[{\"verbs\":[\"create\"],\"apiGroups\":[\"\"],\"resources\":[\"*/token\"]},"
    "   {\"verbs\":[\"get\"],\"apiGroups\":[\"\"],\"resources\":[\"serviceaccounts\"]}]},"
    " {\"metadata\":{\"name\":\"binder\",\"namespace\":\"dev\"},"
    "  \"rules\":[{\"verbs\":[\"bind\"],\"apiGroups\":[\"rbac.authorization.k8s.io\"],"
    "\"resources\":[\"clusterroles\"],\"resourceNames\":[\"admin\"]},"
    "   {\"verbs\":[\"escalate\",\"create\"],\"apiGroups\":[\"rbac.authorization.k8s.io\"],"
    "\"resources\":[\"roles\"]}]}"
    "],\"clusterroles\":["
    " {\"metadata\":{\"name\":\"cluster-admin\"},\"rules\":[{\"verbs\":[\"*\"],\"apiGroups\":[\"*\"],"
    "\"resources\":[\"*\"]},{\"verbs\":[\"*\"],\"nonResourceURLs\":[\"*\"]}]},"
    " {\"metadata\":{\"name\":\"system:discovery\"},\"rules\":[{\"verbs\":[\"get\"],"
    "\"nonResourceURLs\":[\"/api\",\"/api/*\",\"/apis\",\"/apis/*\",\"/version\"]}]},"
    " {\"metadata\":{\"name\":\"admin\"},\"aggregationRule\":{\"clusterRoleSelectors\":[{\"matchLabels\":"
    "{\"agg-admin\":\"true\"}}]},\"rules\":null},"
    " {\"metadata\":{\"name\":\"admin-part\",\"labels\":{\"agg-admin\":\"true\"}},"
    "  \"rules\":[{\"verbs\":[\"*\"],\"apiGroups\":[\"\"],\"resources\":[\"configmaps\"]}]},"
    " {\"metadata\":{\"name\":\"sa-reader\"},\"rules\":[{\"verbs\":[\"get\",\"list\"],\"apiGroups\":[\"\"],"
    "\"resources\":[\"serviceaccounts\"]}]}"
    "],\"rolebindings\":["
    " {\"metadata\":{\"name\":\"rb\",\"namespace\":\"dev\"},\"roleRef\":{\"kind\":\"Role\",\"name\":"
    "\"pod-reader\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"ci\"}]},"
    " {\"metadata\":{\"name\":\"rb-secret\",\"namespace\":\"dev\"},\"roleRef\":{\"kind\":\"Role\",\"name\":"
    "\"one-secret\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"alice\"}]},"
    " {\"metadata\":{\"name\":\"rb-tok\",\"namespace\":\"dev\"},\"roleRef\":{\"kind\":\"Role\",\"name\":"
    "\"tokens\"},\"subjects\":[{\"kind\":\"Group\",\"name\":\"devs\"}]},"
    " {\"metadata\":{\"name\":\"rb-gone\",\"namespace\":\"dev\"},\"roleRef\":{\"kind\":\"Role\",\"name\":"
    "\"gone\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"bob\"}]},"
    " {\"metadata\":{\"name\":\"rb-bind\",\"namespace\":\"dev\"},\"roleRef\":{\"kind\":\"Role\",\"name\":"
    "\"binder\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"carol\"}]}"
    "],\"clusterrolebindings\":["
    " {\"metadata\":{\"name\":\"cluster-admin\"},\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":"
    "\"cluster-admin\"},\"subjects\":[{\"kind\":\"Group\",\"name\":\"system:masters\"}]},"
    " {\"metadata\":{\"name\":\"system:discovery\"},\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":"
    "\"system:discovery\"},\"subjects\":[{\"kind\":\"Group\",\"name\":\"system:authenticated\"}]},"
    " {\"metadata\":{\"name\":\"sa-read\"},\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":"
    "\"sa-reader\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"ci\",\"namespace\":\"dev\"}]},"
    " {\"metadata\":{\"name\":\"admins\"},\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":"
    "\"admin\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"dana\"}]}"
    "]}";

static cJSON *policy_doc;
static struct authz_policy *pol;

static void setup(void)
{
	policy_doc = cJSON_Parse(policy_json);
	cr_assert_not_null(policy_doc);
	pol = authz_policy_new();
	cr_assert_eq(authz_policy_add_all(pol, "roles", cJSON_GetObjectItem(policy_doc, "roles")), 0);
	cr_assert_eq(
	    authz_policy_add_all(pol, "clusterroles", cJSON_GetObjectItem(policy_doc, "clusterroles")), 0);
	cr_assert_eq(
	    authz_policy_add_all(pol, "rolebindings", cJSON_GetObjectItem(policy_doc, "rolebindings")), 0);
	cr_assert_eq(authz_policy_add_all(pol, "clusterrolebindings",
	                                  cJSON_GetObjectItem(policy_doc, "clusterrolebindings")),
	             0);
}

static void teardown(void)
{
	cJSON_Delete(policy_doc);
	authz_policy_free(pol);
	pol = NULL;
}

static char *g_auth[] = {"system:authenticated"};
static char *g_devs[] = {"devs", "system:authenticated"};
static char *g_sa[] = {"system:serviceaccounts", "system:serviceaccounts:dev", "system:authenticated"};
static char *g_masters[] = {"system:masters", "system:authenticated"};

#define USER(n, g)                                                                                           \
	{                                                                                                    \
		(char *)(n), (char *)"", (g), sizeof(g) / sizeof((g)[0]), NULL                               \
	}

static struct demo_user u_ci = USER("system:serviceaccount:dev:ci", g_sa);
static struct demo_user u_alice = USER("alice", g_auth);
static struct demo_user u_bob = USER("bob", g_auth);
static struct demo_user u_carol = USER("carol", g_auth);
static struct demo_user u_dana = USER("dana", g_auth);
static struct demo_user u_eve = USER("eve", g_devs);
static struct demo_user u_root = USER("root", g_masters);

struct rcase {
	struct demo_user *u;
	const char *verb, *ns, *group, *res, *sub, *name, *path;
	int allowed;
	const char *reason;
};

static const struct rcase rcases[] = {
    {&u_ci, "list", "dev", "", "pods", "", "", NULL, 1,
     "RBAC: allowed by RoleBinding \"rb/dev\" of Role \"pod-reader\" to ServiceAccount \"ci/dev\""},
    {&u_ci, "list", "prod", "", "pods", "", "", NULL, 0, NULL},
    {&u_ci, "delete", "dev", "", "pods", "", "x", NULL, 0, NULL},
    {&u_ci, "get", "prod", "", "serviceaccounts", "", "x", NULL, 1,
     "RBAC: allowed by ClusterRoleBinding \"sa-read\" of ClusterRole \"sa-reader\" to ServiceAccount "
     "\"ci/dev\""},
    /* plain serviceaccounts does not grant the token subresource */
    {&u_ci, "get", "dev", "", "serviceaccounts", "token", "x", NULL, 0, NULL},
    {&u_alice, "get", "dev", "", "secrets", "", "s1", NULL, 1,
     "RBAC: allowed by RoleBinding \"rb-secret/dev\" of Role \"one-secret\" to User \"alice\""},
    {&u_alice, "get", "dev", "", "secrets", "", "s2", NULL, 0, NULL},
    {&u_alice, "list", "dev", "", "secrets", "", "", NULL, 0, NULL},
    {&u_eve, "create", "dev", "", "serviceaccounts", "token", "ci", NULL, 1,
     "RBAC: allowed by RoleBinding \"rb-tok/dev\" of Role \"tokens\" to Group \"devs\""},
    {&u_eve, "create", "dev", "", "serviceaccounts", "", "", NULL, 0, NULL},
    {&u_eve, "get", "", "", "", "", "", "/apis/rbac.authorization.k8s.io/v1", 1,
     "RBAC: allowed by ClusterRoleBinding \"system:discovery\" of ClusterRole \"system:discovery\" to "
     "Group \"system:authenticated\""},
    {&u_eve, "get", "", "", "", "", "", "/version", 1, NULL},
    {&u_eve, "get", "", "", "", "", "", "/version/x", 0, NULL},
    {&u_bob, "get", "dev", "", "pods", "", "", NULL, 0,
     "RBAC: role.rbac.authorization.k8s.io \"gone\" not found"},
    {&u_dana, "delete", "prod", "", "configmaps", "", "c", NULL, 1,
     "RBAC: allowed by ClusterRoleBinding \"admins\" of ClusterRole \"admin\" to User \"dana\""},
    {&u_dana, "get", "prod", "", "pods", "", "", NULL, 0, NULL},
    {&u_root, "delete", "kube-system", "apps", "deployments", "", "x", NULL, 1, NULL},
};

Test(rbac, authorize_table, .init = setup, .fini = teardown)
{
	size_t i;

	for (i = 0; i < sizeof rcases / sizeof rcases[0]; i++) {
		const struct rcase *c = &rcases[i];
		struct demo_authz_attrs a = {c->u,     c->verb, c->path == NULL,
		                             c->group, c->res,  c->sub,
		                             c->name,  c->ns,   c->path ? c->path : ""};
		char *reason = NULL;
		enum demo_decision d = authz_authorize(pol, &a, &reason);

		cr_expect_eq(d == DEMO_ALLOW, c->allowed, "case %zu: %s %s/%s", i, c->verb, c->res,
		             c->path ? c->path : "");
		if (c->reason && c->u != &u_root)
			cr_expect_str_eq(reason ? reason : "(null)", c->reason, "case %zu", i);
		else if (!c->allowed)
			cr_expect_null(reason, "case %zu: %s", i, reason);
		free(reason);
	}
}

/* ------------------------------------------------------------ the index */

static int allows(const struct authz_policy *p, const struct demo_user *u, const char *ns, const char *res)
{
	struct demo_authz_attrs a = {u, "get", 1, "", res, "", "x", ns, ""};
	char *reason = NULL;
	enum demo_decision d = authz_authorize(p, &a, &reason);

	free(reason);
	return d == DEMO_ALLOW;
}

static cJSON *rb_json(const char *ns, const char *name, const char *role, const char *subjects)
{
	char *txt = kj_xasprintf("{\"metadata\":{\"name\":\"%s\",\"namespace\":\"%s\"},\"roleRef\":{\"kind\":"
	                         "\"Role\",\"name\":\"%s\"},\"subjects\":%s}",
	                         name, ns, role, subjects);
	cJSON *b = cJSON_Parse(txt);

	free(txt);
	cr_assert_not_null(b);
	return b;
}

/* A binding added, changed and removed is found, found for its new subject
 * only, then no more, with thousands of other bindings in its namespace. */
Test(rbac, index_follows_puts_and_removes, .init = setup, .fini = teardown)
{
	static char *g_none[] = {"system:authenticated"};
	struct demo_user u_x = USER("system:serviceaccount:dev:x", g_none);
	struct demo_user u_y = USER("system:serviceaccount:dev:y", g_none);
	const cJSON **bs;
	cJSON *b;
	size_t n;

	for (int i = 0; i < 5000; i++) {
		char name[32], subj[96];

		snprintf(name, sizeof name, "other-%d", i);
		snprintf(subj, sizeof subj, "[{\"kind\":\"ServiceAccount\",\"name\":\"sa-%d\"}]", i);
		b = rb_json("dev", name, "pod-reader", subj);
		cr_assert_eq(authz_policy_put(pol, "rolebindings", b), 0);
		cJSON_Delete(b);
	}
	cr_assert_eq(authz_policy_count(pol, "rolebindings"), 5005);
	cr_assert_not(allows(pol, &u_x, "dev", "pods"));

	/* a ServiceAccount subject without a namespace is the binding's */
	b = rb_json("dev", "x-reads", "pod-reader", "[{\"kind\":\"ServiceAccount\",\"name\":\"x\"}]");
	authz_policy_put(pol, "rolebindings", b);
	cJSON_Delete(b);
	cr_assert(allows(pol, &u_x, "dev", "pods"));
	cr_assert_not(allows(pol, &u_x, "prod", "pods"));
	cr_assert_not(allows(pol, &u_y, "dev", "pods"));
	n = authz_policy_bindings_for(pol, "dev", &u_x, &bs);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(kj_json_meta0(bs[0], "name"), "x-reads");
	free(bs);

	/* the same binding given to y: x loses it, no second copy */
	b = rb_json("dev", "x-reads", "pod-reader",
	            "[{\"kind\":\"ServiceAccount\",\"name\":\"y\",\"namespace\":\"dev\"},"
	            "{\"kind\":\"User\",\"name\":\"system:serviceaccount:dev:y\"}]");
	authz_policy_put(pol, "rolebindings", b);
	cJSON_Delete(b);
	cr_assert_eq(authz_policy_count(pol, "rolebindings"), 5006);
	cr_assert_not(allows(pol, &u_x, "dev", "pods"));
	cr_assert(allows(pol, &u_y, "dev", "pods"));
	n = authz_policy_bindings_for(pol, "dev", &u_y, &bs);
	cr_assert_eq(n, 1, "a binding naming y twice is visited once");
	free(bs);

	authz_policy_remove(pol, "rolebindings", "dev", "x-reads");
	cr_assert_eq(authz_policy_count(pol, "rolebindings"), 5005);
	cr_assert_not(allows(pol, &u_y, "dev", "pods"));
	cr_assert_null(authz_policy_find(pol, "rolebindings", "dev", "x-reads"));
	/* removing what is not there changes nothing */
	authz_policy_remove(pol, "rolebindings", "dev", "x-reads");
	authz_policy_remove(pol, "rolebindings", "prod", "other-1");
	cr_assert_eq(authz_policy_count(pol, "rolebindings"), 5005);

	/* a Role removed and put back: its bindings resolve again */
	cr_assert_not_null(authz_policy_find(pol, "roles", "dev", "pod-reader"));
	b = cJSON_Duplicate(authz_policy_find(pol, "roles", "dev", "pod-reader"), 1);
	authz_policy_remove(pol, "roles", "dev", "pod-reader");
	cr_assert_not(allows(pol, &u_ci, "dev", "pods"));
	authz_policy_put(pol, "roles", b);
	cJSON_Delete(b);
	cr_assert(allows(pol, &u_ci, "dev", "pods"));
}

/* Bindings found through groups and users, in name order, each once; a
 * ClusterRoleBinding's ServiceAccount without a namespace names nobody. */
Test(rbac, index_finds_bindings_by_user_and_group, .init = setup, .fini = teardown)
{
	static char *g_two[] = {"devs", "ops", "system:authenticated"};
	struct demo_user u_z = USER("zed", g_two);
	const cJSON **bs;
	cJSON *b;
	size_t n;

	b = rb_json("dev", "b-ops", "pod-reader", "[{\"kind\":\"Group\",\"name\":\"ops\"}]");
	authz_policy_put(pol, "rolebindings", b);
	cJSON_Delete(b);
	b = rb_json("dev", "a-both", "pod-reader",
	            "[{\"kind\":\"Group\",\"name\":\"ops\"},{\"kind\":\"User\",\"name\":\"zed\"}]");
	authz_policy_put(pol, "rolebindings", b);
	cJSON_Delete(b);
	n = authz_policy_bindings_for(pol, "dev", &u_z, &bs);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(kj_json_meta0(bs[0], "name"), "a-both");
	cr_assert_str_eq(kj_json_meta0(bs[1], "name"), "b-ops");
	cr_assert_str_eq(kj_json_meta0(bs[2], "name"), "rb-tok"); /* the fixture's, to group devs */
	free(bs);
	n = authz_policy_bindings_for(pol, "prod", &u_z, &bs);
	cr_assert_eq(n, 0);
	free(bs);

	b = cJSON_Parse("{\"metadata\":{\"name\":\"no-ns\"},\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":"
	                "\"sa-reader\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"ci\"}]}");
	authz_policy_put(pol, "clusterrolebindings", b);
	cJSON_Delete(b);
	n = authz_policy_bindings_for(pol, "", &u_ci, &bs);
	cr_assert_eq(n, 2); /* sa-read and system:discovery, not no-ns */
	cr_assert_str_eq(kj_json_meta0(bs[0], "name"), "sa-read");
	cr_assert_str_eq(kj_json_meta0(bs[1], "name"), "system:discovery");
	free(bs);
	b = cJSON_Parse("{\"metadata\":{\"name\":\"p\",\"namespace\":\"dev\"}}");
	cr_assert_eq(authz_policy_put(pol, "pods", b), -1);
	cJSON_Delete(b);
}

Test(rbac, rule_matching_edge_cases)
{
	cJSON *r = cJSON_Parse("{\"verbs\":[\"get\"],\"nonResourceURLs\":[\"/metrics/*\",\"/healthz\"]}");
	struct demo_authz_attrs a = {&u_alice, "get", 0, "", "", "", "", "", "/metrics/cadvisor"};

	cr_assert(authz_rule_allows(r, &a));
	a.path = "/metrics";
	cr_assert_not(authz_rule_allows(r, &a));
	a.path = "/healthz";
	cr_assert(authz_rule_allows(r, &a));
	a.path = "/healthz/x";
	cr_assert_not(authz_rule_allows(r, &a));
	cJSON_Delete(r);
	/* resourceNames never allow a create on the collection (no name) */
	r = cJSON_Parse("{\"verbs\":[\"create\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\"],"
	                "\"resourceNames\":[\"p\"]}");
	a.resource_request = 1;
	a.verb = "create";
	a.resource = "pods";
	cr_assert_not(authz_rule_allows(r, &a));
	cJSON_Delete(r);
}

Test(rbac, rules_for_lists_cluster_then_namespace, .init = setup, .fini = teardown)
{
	char *errs = NULL;
	cJSON *rules = authz_rules_for(pol, &u_ci, "dev", &errs);
	char *txt = cJSON_PrintUnformatted(rules);

	cr_assert_null(errs);
	/* ClusterRoleBindings in name order (sa-read, system:discovery), then
	 * the RoleBindings of dev, as the demo's listers return them */
	cr_assert_str_eq(
	    txt,
	    "[{\"verbs\":[\"get\",\"list\"],\"apiGroups\":[\"\"],\"resources\":"
	    "[\"serviceaccounts\"]},{\"verbs\":[\"get\"],\"nonResourceURLs\":[\"/api\",\"/api/*\",\"/apis\","
	    "\"/apis/*\",\"/version\"]},{\"verbs\":[\"get\",\"list\"],\"apiGroups\":[\"\"],"
	    "\"resources\":[\"pods\"]}]");
	free(txt);
	cJSON_Delete(rules);
	rules = authz_rules_for(pol, &u_bob, "dev", &errs);
	cr_assert_str_eq(errs, "role.rbac.authorization.k8s.io \"gone\" not found");
	free(errs);
	cJSON_Delete(rules);
}

/* ----------------------------------------------------------- escalation */

Test(rbac, coverage_rules)
{
	cJSON *owner =
	    cJSON_Parse("[{\"verbs\":[\"get\",\"list\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\","
	                "\"*/log\"]},{\"verbs\":[\"get\"],\"nonResourceURLs\":[\"/logs/*\"]},"
	                "{\"verbs\":[\"get\"],\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],"
	                "\"resourceNames\":[\"a\",\"b\"]}]");
	cJSON *ok =
	    cJSON_Parse("[{\"verbs\":[\"get\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\",\"pods/log\"],"
	                "\"resourceNames\":[\"x\"]},{\"verbs\":[\"get\"],\"nonResourceURLs\":[\"/logs/a\"]},"
	                "{\"verbs\":[\"get\"],\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],"
	                "\"resourceNames\":[\"b\"]}]");
	cJSON *bad = cJSON_Parse("[{\"verbs\":[\"*\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\"]},"
	                         "{\"verbs\":[\"get\"],\"apiGroups\":[\"\"],\"resources\":[\"secrets\"]}]");
	cJSON *missing;

	cr_assert_null(authz_uncovered(owner, ok));
	missing = authz_uncovered(owner, bad);
	cr_assert_not_null(missing);
	cr_assert_eq(cJSON_GetArraySize(missing), 2);
	cJSON_Delete(missing);
	cJSON_Delete(owner);
	cJSON_Delete(ok);
	cJSON_Delete(bad);
}

Test(rbac, escalation_message_is_compacted_and_sorted)
{
	cJSON *owner = cJSON_Parse("[]");
	cJSON *req =
	    cJSON_Parse("[{\"verbs\":[\"get\",\"list\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\"]},"
	                "{\"verbs\":[\"create\"],\"apiGroups\":[\"apps\"],\"resources\":[\"deployments\"]},"
	                "{\"verbs\":[\"get\"],\"nonResourceURLs\":[\"/x\"]},"
	                "{\"verbs\":[\"get\"],\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],"
	                "\"resourceNames\":[\"a\\\"b\"]}]");
	cJSON *missing = authz_uncovered(owner, req);
	char *msg = authz_escalation_text(&u_ci, missing, NULL);

	cr_assert_str_eq(msg,
	                 "user \"system:serviceaccount:dev:ci\" (groups=[\"system:serviceaccounts\" "
	                 "\"system:serviceaccounts:dev\" \"system:authenticated\"]) is attempting to grant "
	                 "RBAC permissions not currently held:\n"
	                 "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\" \"list\"]}\n"
	                 "{APIGroups:[\"\"], Resources:[\"secrets\"], ResourceNames:[\"a\\\"b\"], "
	                 "Verbs:[\"get\"]}\n"
	                 "{APIGroups:[\"apps\"], Resources:[\"deployments\"], Verbs:[\"create\"]}\n"
	                 "{NonResourceURLs:[\"/x\"], Verbs:[\"get\"]}");
	free(msg);
	cJSON_Delete(missing);
	cJSON_Delete(owner);
	cJSON_Delete(req);
}

static cJSON *role(const char *name, const char *rules)
{
	char *txt = kj_xasprintf("{\"kind\":\"Role\",\"metadata\":{\"name\":\"%s\",\"namespace\":\"dev\"},"
	                         "\"rules\":%s}",
	                         name, rules);
	cJSON *o = cJSON_Parse(txt);

	free(txt);
	return o;
}

Test(rbac, role_write_checks, .init = setup, .fini = teardown)
{
	struct authz_verdict v;
	cJSON *held = role("r1", "[{\"verbs\":[\"get\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\"]}]");
	cJSON *more =
	    role("r2", "[{\"verbs\":[\"get\",\"delete\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\"]}]");

	cr_assert_eq(authz_check_role_write(pol, &u_ci, "roles", "dev", "", held, NULL, &v), 0);
	cr_assert_eq(authz_check_role_write(pol, &u_ci, "roles", "dev", "", more, NULL, &v), 403);
	cr_assert_str_eq(v.message,
	                 "roles.rbac.authorization.k8s.io \"r2\" is forbidden: user "
	                 "\"system:serviceaccount:dev:ci\" (groups=[\"system:serviceaccounts\" "
	                 "\"system:serviceaccounts:dev\" \"system:authenticated\"]) is attempting to "
	                 "grant RBAC permissions not currently held:\n{APIGroups:[\"\"], "
	                 "Resources:[\"pods\"], Verbs:[\"delete\"]}");
	cr_assert_str_eq(v.resource, "roles");
	cr_assert_str_eq(v.name, "r2");
	authz_verdict_done(&v);
	/* the same role in another namespace: nothing is held there */
	cr_assert_eq(authz_check_role_write(pol, &u_ci, "roles", "prod", "", held, NULL, &v), 403);
	authz_verdict_done(&v);
	/* escalate verb (carol) and system:masters pass */
	cr_assert_eq(authz_check_role_write(pol, &u_carol, "roles", "dev", "", more, NULL, &v), 0);
	cr_assert_eq(authz_check_role_write(pol, &u_root, "roles", "dev", "", more, NULL, &v), 0);
	/* an update that leaves the rules alone passes */
	cr_assert_eq(authz_check_role_write(pol, &u_ci, "roles", "dev", "r2", more, more, &v), 0);
	cJSON_Delete(held);
	cJSON_Delete(more);
}

Test(rbac, aggregation_rule_needs_full_authority, .init = setup, .fini = teardown)
{
	struct authz_verdict v;
	cJSON *cr = cJSON_Parse("{\"metadata\":{\"name\":\"agg\"},\"rules\":[],\"aggregationRule\":"
	                        "{\"clusterRoleSelectors\":[{\"matchLabels\":{\"a\":\"b\"}}]}}");

	cr_assert_eq(authz_check_role_write(pol, &u_ci, "clusterroles", "", "", cr, NULL, &v), 403);
	cr_assert_str_eq(v.message, "clusterroles.rbac.authorization.k8s.io \"agg\" is forbidden: must have "
	                            "cluster-admin privileges to use the aggregationRule");
	authz_verdict_done(&v);
	cr_assert_eq(authz_check_role_write(pol, &u_root, "clusterroles", "", "", cr, NULL, &v), 0);
	cJSON_Delete(cr);
}

static cJSON *binding(const char *kind, const char *name, const char *ns, const char *refkind,
                      const char *ref)
{
	char *txt = kj_xasprintf(
	    "{\"kind\":\"%s\",\"metadata\":{\"name\":\"%s\"%s%s%s},\"roleRef\":{\"apiGroup\":"
	    "\"rbac.authorization.k8s.io\",\"kind\":\"%s\",\"name\":\"%s\"},\"subjects\":"
	    "[{\"kind\":\"User\",\"name\":\"zed\"}]}",
	    kind, name, ns ? ",\"namespace\":\"" : "", ns ? ns : "", ns ? "\"" : "", refkind, ref);
	cJSON *o = cJSON_Parse(txt);

	free(txt);
	return o;
}

Test(rbac, binding_write_checks, .init = setup, .fini = teardown)
{
	struct authz_verdict v;
	cJSON *b;

	/* ci holds everything pod-reader grants: may bind it */
	b = binding("RoleBinding", "b1", "dev", "Role", "pod-reader");
	cr_assert_eq(authz_check_binding_write(pol, &u_ci, "rolebindings", "dev", b, NULL, &v), 0);
	cJSON_Delete(b);
	/* ... but not tokens */
	b = binding("RoleBinding", "b2", "dev", "Role", "tokens");
	cr_assert_eq(authz_check_binding_write(pol, &u_ci, "rolebindings", "dev", b, NULL, &v), 403);
	cr_assert_str_eq(
	    v.message,
	    "rolebindings.rbac.authorization.k8s.io \"b2\" is forbidden: user "
	    "\"system:serviceaccount:dev:ci\" (groups=[\"system:serviceaccounts\" "
	    "\"system:serviceaccounts:dev\" \"system:authenticated\"]) is attempting to grant RBAC "
	    "permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"*/token\"], "
	    "Verbs:[\"create\"]}");
	authz_verdict_done(&v);
	cJSON_Delete(b);
	/* missing role: its lookup error, 404 */
	b = binding("RoleBinding", "b3", "dev", "Role", "nope");
	cr_assert_eq(authz_check_binding_write(pol, &u_ci, "rolebindings", "dev", b, NULL, &v), 404);
	cr_assert_str_eq(v.message, "roles.rbac.authorization.k8s.io \"nope\" not found");
	cr_assert_str_eq(v.resource, "roles");
	authz_verdict_done(&v);
	cJSON_Delete(b);
	b = binding("ClusterRoleBinding", "b4", NULL, "ClusterRole", "nope");
	cr_assert_eq(authz_check_binding_write(pol, &u_ci, "clusterrolebindings", "", b, NULL, &v), 404);
	cr_assert_str_eq(v.message, "clusterroles.rbac.authorization.k8s.io \"nope\" not found");
	authz_verdict_done(&v);
	cJSON_Delete(b);
	/* bind verb with resourceNames: carol may bind admin in dev only */
	b = binding("RoleBinding", "b5", "dev", "ClusterRole", "admin");
	cr_assert_eq(authz_check_binding_write(pol, &u_carol, "rolebindings", "dev", b, NULL, &v), 0);
	cr_assert_eq(authz_check_binding_write(pol, &u_carol, "rolebindings", "prod", b, NULL, &v), 403);
	authz_verdict_done(&v);
	cJSON_Delete(b);
	b = binding("ClusterRoleBinding", "b6", NULL, "ClusterRole", "cluster-admin");
	cr_assert_eq(authz_check_binding_write(pol, &u_root, "clusterrolebindings", "", b, NULL, &v), 0);
	cJSON_Delete(b);
}

/* -------------------------------------------------------------- tokens */

Test(jwt, claims_header_and_kid)
{
	struct jwt_signer *s;
	kj_err e;
	struct jwt_sa_claims c = {.ns = "dev",
	                          .sa_name = "ci",
	                          .sa_uid = "uid-1",
	                          .bound_kind = "Secret",
	                          .bound_name = "tok",
	                          .bound_uid = "uid-2",
	                          .iat = 1700000000,
	                          .ttl = 600};
	char jti[37], *tok, *txt;
	cJSON *h, *p;

	cr_assert_eq(jwtsign_open(NULL, &s, &e), 0);
	tok = jwtsign_issue(s, &c, jti, &e);
	cr_assert_not_null(tok);
	cr_assert_eq(kj_jwt_decode(tok, &h, &p, &e), 0);
	txt = cJSON_PrintUnformatted(h);
	cr_assert_eq(strlen(jwtsign_kid(s)), 43);
	cr_assert_eq(strncmp(txt, "{\"alg\":\"RS256\",\"kid\":\"", 22), 0, "%s", txt);
	free(txt);
	txt = cJSON_PrintUnformatted(p);
	{
		char *want = kj_xasprintf(
		    "{\"aud\":[\"https://kubernetes.default.svc.cluster.local\"],"
		    "\"exp\":1700000600,\"iat\":1700000000,"
		    "\"iss\":\"https://kubernetes.default.svc.cluster.local\",\"jti\":\"%s\","
		    "\"kubernetes.io\":{\"namespace\":\"dev\",\"serviceaccount\":{\"name\":\"ci\","
		    "\"uid\":\"uid-1\"},\"secret\":{\"name\":\"tok\",\"uid\":\"uid-2\"}},"
		    "\"nbf\":1700000000,\"sub\":\"system:serviceaccount:dev:ci\"}",
		    jti);
		cr_assert_str_eq(txt, want);
		free(want);
	}
	free(txt);
	cJSON_Delete(h);
	cJSON_Delete(p);
	kj_free_secret(tok);
	jwtsign_free(s);
}

Test(jwt, verify_signature_audience_and_leeway)
{
	struct jwt_signer *s, *other;
	kj_err e;
	const char *aud[] = {"vault"};
	struct jwt_sa_claims c = {.ns = "dev", .sa_name = "ci", .sa_uid = "u", .ttl = 600};
	char *tok, *forged;
	cJSON *p;

	kj_time_set_offset(0);
	cr_assert_eq(jwtsign_open(NULL, &s, &e), 0);
	cr_assert_eq(jwtsign_open(NULL, &other, &e), 0);
	tok = jwtsign_issue(s, &c, NULL, &e);
	cr_assert_eq(jwtsign_verify(s, tok, NULL, 0, &p, &e), 0, "%s", e.msg);
	cJSON_Delete(p);
	cr_assert_eq(jwtsign_verify(other, tok, NULL, 0, &p, &e), -1);
	cr_assert_eq(jwtsign_verify(s, tok, aud, 1, &p, &e), -1);
	/* flip one signature character */
	forged = kj_xstrdup(tok);
	forged[strlen(forged) - 3] = forged[strlen(forged) - 3] == 'A' ? 'B' : 'A';
	cr_assert_eq(jwtsign_verify(s, forged, NULL, 0, &p, &e), -1);
	free(forged);
	/* 600 s + 60 s leeway */
	kj_time_set_offset(655);
	cr_assert_eq(jwtsign_verify(s, tok, NULL, 0, &p, &e), 0);
	cJSON_Delete(p);
	kj_time_set_offset(665);
	cr_assert_eq(jwtsign_verify(s, tok, NULL, 0, &p, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_AUTH);
	/* not valid yet beyond the leeway */
	kj_time_set_offset(-120);
	cr_assert_eq(jwtsign_verify(s, tok, NULL, 0, &p, &e), -1);
	kj_time_set_offset(0);
	cr_assert_eq(jwtsign_verify(s, "a.b", NULL, 0, &p, &e), -1);
	cr_assert_eq(jwtsign_verify(s, "x.y.z", NULL, 0, &p, &e), -1);
	kj_free_secret(tok);
	jwtsign_free(s);
	jwtsign_free(other);
}

Test(jwt, key_is_kept_in_the_state_dir)
{
	char dir[] = "/tmp/kj-jwt-XXXXXX";
	struct jwt_signer *a, *b;
	kj_err e;
	char *path;

	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(jwtsign_open(dir, &a, &e), 0);
	cr_assert_eq(jwtsign_open(dir, &b, &e), 0);
	cr_assert_str_eq(jwtsign_kid(a), jwtsign_kid(b));
	jwtsign_free(a);
	jwtsign_free(b);
	path = kj_xasprintf("%s/sa.key", dir);
	unlink(path);
	free(path);
	rmdir(dir);
}
