/* Role YAML parsing and validation (pure, no cluster). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/audit.h"
#include "engine/lease.h"
#include "engine/mint.h"
#include "engine/output.h"
#include "engine/rolespec.h"
#include "engine/secret.h"
#include "util/strv.h"
#include "engine/sweep.h"

static int parse(const char *y, struct rolespec *rs, struct rolespec_pos *pos, kj_err *e)
{
	kj_err_clear(e);
	return rolespec_parse(y, "role.yaml", rs, pos, e);
}

Test(rolespec, role_with_binding_and_notices)
{
	const char *y = "apiVersion: rbac.authorization.k8s.io/v1\n"
	                "kind: Role\n"
	                "metadata:\n"
	                "  name: example-role\n"
	                "  namespace: prod\n"
	                "rules:\n"
	                "- apiGroups: [\"\"]\n"
	                "  resources: [\"pods\"]\n"
	                "  verbs: [\"list\", get]\n"
	                "---\n"
	                "apiVersion: rbac.authorization.k8s.io/v1\n"
	                "kind: RoleBinding\n"
	                "metadata:\n"
	                "  name: example-role\n"
	                "roleRef:\n"
	                "  apiGroup: rbac.authorization.k8s.io\n"
	                "  kind: Role\n"
	                "  name: example-role\n"
	                "subjects:\n"
	                "- kind: User\n"
	                "  name: alice\n";
	struct rolespec rs;
	kj_err e;

	cr_assert_eq(parse(y, &rs, NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(rs.scope, ROLESPEC_NAMESPACED);
	cr_assert_eq(rs.n_rules, 1);
	cr_assert(rs.has_binding);
	cr_assert_eq(rs.rules[0].verbs.n, 2);
	cr_assert_str_eq(rs.rules[0].verbs.v[1], "get");
	cr_assert_str_eq(rs.rules[0].api_groups.v[0], "");
	/* role name, role namespace, binding name, subjects, roleRef.name */
	cr_assert_eq(rs.n_notices, 5);
	cr_assert_eq(rs.notices[0].line, 4);
	cr_assert(strstr(rs.notices[3].text, "subjects"));
	cr_assert_eq(rs.notices[3].line, 20);

	cJSON *j = rolespec_rules_json(&rs);
	char *txt = cJSON_PrintUnformatted(j);
	cr_assert_str_eq(txt,
	                 "[{\"verbs\":[\"list\",\"get\"],\"apiGroups\":[\"\"],\"resources\":[\"pods\"]}]");
	free(txt);
	cJSON_Delete(j);
	rolespec_done(&rs);
}

Test(rolespec, cluster_role_with_urls)
{
	const char *y = "kind: ClusterRole\n"
	                "rules:\n"
	                "- nonResourceURLs: [\"/healthz\", \"/metrics/*\"]\n"
	                "  verbs: [get]\n"
	                "- apiGroups: [apps]\n"
	                "  resources: [deployments]\n"
	                "  resourceNames: [web]\n"
	                "  verbs: [get, patch]\n";
	struct rolespec rs;
	kj_err e;

	cr_assert_eq(parse(y, &rs, NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(rs.scope, ROLESPEC_CLUSTER);
	cr_assert_eq(rs.n_rules, 2);
	cr_assert_not(rs.has_binding);
	cr_assert_eq(rs.rules[1].line, 5);
	rolespec_done(&rs);
}

struct bad_case {
	const char *yaml;
	int line, col;
	const char *needle;
};

Test(rolespec, errors_point_at_line_and_column)
{
	static const struct bad_case cases[] = {
	    {"kind: Role\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: get\n", 5, 10,
	     "rules[0].verbs must be a list (got a string)"},
	    {"kind: Role\nrules:\n- apiGroups: [\"\"]\n  resources: [pods]\n", 3, 3, "rules[0].verbs"},
	    {"kind: Role\nrules:\n- resources: [pods]\n  verbs: [get]\n", 3, 3, "apiGroups"},
	    {"kind: Role\nrules:\n- apiGroups: [\"\"]\n  verbs: [get]\n", 3, 3, "resources"},
	    {"kind: Role\nrules:\n- nonResourceURLs: [/healthz]\n  verbs: [get]\n", 3, 3,
	     "non-resource URLs"},
	    {"kind: ClusterRole\nrules:\n- nonResourceURLs: [/healthz]\n  resources: [pods]\n  verbs: "
	     "[get]\n",
	     3, 3, "both resources and non-resource URLs"},
	    {"kind: Role\nrules: []\n", 2, 8, "grants nothing"},
	    {"kind: Role\n", 1, 1, "grants nothing"},
	    {"kind: RoleBinding\nroleRef: {kind: Role, name: x}\n", 1, 1, "grants nothing"},
	    {"", 1, 1, "grants nothing"},
	    {"kind: Role\nrules:\n  - verbs: [get\n", 4, 1, "role.yaml:4:1:"},
	    {"kind: Pod\n", 1, 7, "kind \"Pod\" is not supported"},
	    {"apiVersion: v1\nkind: Role\nrules: []\n", 1, 13, "apiVersion \"v1\""},
	    {"kind: Role\nrules:\n- verbs: [get]\n  apiGroups: [\"\"]\n  resources: [pods]\n  verb: [list]\n",
	     6, 3, "unknown field \"verb\""},
	    {"kind: Role\nrules:\n- {verbs: [get], apiGroups: [\"\"], resources: [pods]}\n---\nkind: "
	     "ClusterRoleBinding\n",
	     5, 1, "a Role needs a RoleBinding"},
	    {"kind: ClusterRole\naggregationRule: {clusterRoleSelectors: []}\nrules: []\n", 2, 18,
	     "aggregationRule"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rolespec rs;
		struct rolespec_pos pos;
		kj_err e;

		cr_assert_eq(parse(cases[i].yaml, &rs, &pos, &e), -1, "case %zu parsed", i);
		cr_assert(strstr(e.msg, cases[i].needle), "case %zu: %s", i, e.msg);
		cr_assert_eq(e.cls, KJ_ERR_INVALID);
		cr_assert_eq(pos.line, cases[i].line, "case %zu: line %d (%s)", i, pos.line, e.msg);
		cr_assert_eq(pos.column, cases[i].col, "case %zu: col %d (%s)", i, pos.column, e.msg);
		char want[32];
		snprintf(want, sizeof(want), "role.yaml:%d:%d: ", pos.line, pos.column);
		cr_assert(!strncmp(e.msg, want, strlen(want)), "case %zu: %s", i, e.msg);
		cr_assert_eq(rs.n_rules, 0);
	}
}

Test(rolespec, resource_names_with_create_gives_notice)
{
	const char *y = "kind: Role\nrules:\n- apiGroups: [\"\"]\n  resources: [pods, configmaps]\n"
	                "  resourceNames: [a]\n  verbs: [get, create]\n";
	struct rolespec rs;
	kj_err e;

	cr_assert_eq(parse(y, &rs, NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(rs.n_notices, 2);
	cr_assert(strstr(rs.notices[0].text, "\"create\" requests carry no object name"), "%s",
	          rs.notices[0].text);
	cr_assert(strstr(rs.notices[1].text, "each of the 2 resources"), "%s", rs.notices[1].text);
	cr_assert_eq(rs.notices[1].line, 3);
	rolespec_done(&rs);
}

Test(strv, split_join_kv)
{
	struct kj_strv sv = {0};
	struct kj_kvv kv = {0};

	kj_strv_split(&sv, " dev, team-* ,,prod ");
	cr_assert_eq(sv.n, 3);
	char *j = kj_strv_join(&sv, ",");
	cr_assert_str_eq(j, "dev,team-*,prod");
	free(j);
	kj_strv_done(&sv);
	kj_kvv_set(&kv, "a", "1");
	kj_kvv_set(&kv, "a", "2");
	cr_assert_eq(kv.n, 1);
	cr_assert_str_eq(kj_kvv_get(&kv, "a"), "2");
	kj_kvv_done(&kv);
}

/* Every shipped template must pass the same validation a user's YAML does. */
Test(rolespec, shipped_templates_are_valid)
{
	static const char *const names[] = {
	    "pods-read-only",   "pod-logs-reader", "configmap-reader",     "deployment-restarter",
	    "namespace-editor", "exec-into-pods",  "cluster-nodes-reader",
	};
	const char *dir = getenv("KUBEJIT_DATADIR");

	if (!dir)
		dir = "data";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[512];
		char buf[8192];
		struct rolespec rs;
		kj_err e;
		size_t n;
		FILE *f;

		snprintf(path, sizeof(path), "%s/templates/%s.yaml", dir, names[i]);
		f = fopen(path, "r");
		cr_assert_not_null(f, "%s", path);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		cr_assert_eq(parse(buf, &rs, NULL, &e), 0, "%s: %s", names[i], e.msg);
		cr_assert_gt(rs.n_rules, 0);
		cr_assert_eq(rs.scope, strstr(names[i], "cluster") ? ROLESPEC_CLUSTER : ROLESPEC_NAMESPACED,
		             "%s", names[i]);
		rolespec_done(&rs);
	}
}
