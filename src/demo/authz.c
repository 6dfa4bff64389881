#include "demo/authz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/strbuf.h"

/* Wire texts below are the apiserver's own (kubectl users match on them), so
 * they are deliberately not translated. */

/* ------------------------------------------------------------ helpers */

void authz_go_quote(kj_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	kj_buf_addc(b, '"');
	for (; *p; p++) {
		switch (*p) {
		case '"':
			kj_buf_adds(b, "\\\"");
			break;
		case '\\':
			kj_buf_adds(b, "\\\\");
			break;
		case '\a':
			kj_buf_adds(b, "\\a");
			break;
		case '\b':
			kj_buf_adds(b, "\\b");
			break;
		case '\f':
			kj_buf_adds(b, "\\f");
			break;
		case '\n':
			kj_buf_adds(b, "\\n");
			break;
		case '\r':
			kj_buf_adds(b, "\\r");
			break;
		case '\t':
			kj_buf_adds(b, "\\t");
			break;
		case '\v':
			kj_buf_adds(b, "\\v");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				kj_buf_printf(b, "\\x%02x", *p);
			else
				kj_buf_addc(b, (char)*p);
		}
	}
	kj_buf_addc(b, '"');
}

/* Go's %q of a []string: ["a" "b"] */
void authz_go_quote_list(kj_buf *b, const cJSON *a)
{
	const cJSON *it;
	int first = 1;

	kj_buf_addc(b, '[');
	cJSON_ArrayForEach(it, a)
	{
		if (!cJSON_IsString(it))
			continue;
		if (!first)
			kj_buf_addc(b, ' ');
		authz_go_quote(b, it->valuestring);
		first = 0;
	}
	kj_buf_addc(b, ']');
}

/* utilerrors.NewAggregate(...).Error(): one text, or "[a, b]" (deduplicated) */
static char *aggregate(const cJSON *errs)
{
	kj_buf b;
	const cJSON *it;
	cJSON *seen = cJSON_CreateArray();
	int n = 0;

	kj_buf_init(&b);
	cJSON_ArrayForEach(it, errs)
	{
		if (kj_json_array_has(seen, it->valuestring))
			continue;
		cJSON_AddItemToArray(seen, cJSON_CreateString(it->valuestring));
		if (n++)
			kj_buf_adds(&b, ", ");
		kj_buf_adds(&b, it->valuestring);
	}
	cJSON_Delete(seen);
	if (n > 1) {
		char *s = kj_xasprintf("[%s]", b.data);
		kj_buf_done(&b);
		return s;
	}
	return kj_buf_steal(&b);
}

/* ------------------------------------------------------ rule matching */

static int verb_matches(const cJSON *rule, const char *verb)
{
	const cJSON *v = kj_json_array(rule, "verbs");

	return kj_json_array_has(v, "*") || kj_json_array_has(v, verb);
}

static int group_matches(const cJSON *rule, const char *group)
{
	const cJSON *g = kj_json_array(rule, "apiGroups");

	return kj_json_array_has(g, "*") || kj_json_array_has(g, group);
}

static int resource_matches(const cJSON *rule, const char *combined, const char *sub)
{
	const cJSON *it;
	size_t sl = strlen(sub);

	cJSON_ArrayForEach(it, kj_json_array(rule, "resources"))
	{
		const char *r = cJSON_IsString(it) ? it->valuestring : "";

		if (!strcmp(r, "*") || !strcmp(r, combined))
			return 1;
		if (!sl)
			continue;
		if (strlen(r) == sl + 2 && !strncmp(r, "*/", 2) && !strcmp(r + 2, sub))
			return 1;
	}
	return 0;
}

static int name_matches(const cJSON *rule, const char *name)
{
	return kj_json_array_len(rule, "resourceNames") == 0 ||
	       kj_json_array_has(kj_json_array(rule, "resourceNames"), name);
}

static int url_matches(const cJSON *rule, const char *path)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, kj_json_array(rule, "nonResourceURLs"))
	{
		const char *u = cJSON_IsString(it) ? it->valuestring : "";
		size_t n = strlen(u);

		if (!strcmp(u, "*") || !strcmp(u, path))
			return 1;
		if (n && u[n - 1] == '*') {
			while (n && u[n - 1] == '*')
				n--;
			if (!strncmp(path, u, n))
				return 1;
		}
	}
	return 0;
}

int authz_rule_allows(const cJSON *rule, const struct demo_authz_attrs *a)
{
	if (a->resource_request) {
		const char *sub = a->subresource ? a->subresource : "";
		char *combined = *sub ? kj_xasprintf("%s/%s", a->resource, sub) : kj_xstrdup(a->resource);
		int ok = verb_matches(rule, a->verb) && group_matches(rule, a->group ? a->group : "") &&
		         resource_matches(rule, combined, sub) && name_matches(rule, a->name ? a->name : "");

		free(combined);
		return ok;
	}
	return verb_matches(rule, a->verb) && url_matches(rule, a->path ? a->path : "");
}

/* ------------------------------------------------- rule resolution */

static int subject_applies(const struct demo_user *u, const cJSON *s, const char *ns)
{
	const char *kind = kj_json_str0(s, "kind"), *name = kj_json_str0(s, "name");

	if (!strcmp(kind, "User"))
		return !strcmp(u->name, name);
	if (!strcmp(kind, "Group"))
		return demo_user_in_group(u, name);
	if (!strcmp(kind, "ServiceAccount")) {
		const char *sns = *kj_json_str0(s, "namespace") ? kj_json_str0(s, "namespace") : ns;
		char *want;
		int ok;

		if (!*sns)
			return 0;
		want = kj_xasprintf("system:serviceaccount:%s:%s", sns, name);
		ok = !strcmp(u->name, want);
		free(want);
		return ok;
	}
	return 0;
}

static const cJSON *applies_to(const struct demo_user *u, const cJSON *binding, const char *ns)
{
	const cJSON *s;

	cJSON_ArrayForEach(s, kj_json_array(binding, "subjects"))
	{
		if (subject_applies(u, s, ns))
			return s;
	}
	return NULL;
}

static int has_rule(const cJSON *rules, const cJSON *r)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, rules)
	{
		if (cJSON_Compare(it, r, 1))
			return 1;
	}
	return 0;
}

/* matchLabels of an aggregationRule selector (matchExpressions unsupported:
 * such a selector matches nothing, which only makes a demo role smaller) */
static int selector_matches(const cJSON *sel, const cJSON *obj)
{
	const cJSON *ml = cJSON_GetObjectItemCaseSensitive(sel, "matchLabels");
	const cJSON *labels =
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "labels");
	const cJSON *kv;

	if (cJSON_GetObjectItemCaseSensitive(sel, "matchExpressions") || !cJSON_IsObject(ml) || !ml->child)
		return 0;
	cJSON_ArrayForEach(kv, ml)
	{
		const char *have = kj_json_str0(labels, kv->string);

		if (!cJSON_IsString(kv) || !cJSON_GetObjectItemCaseSensitive(labels, kv->string) ||
		    strcmp(have, kv->valuestring))
			return 0;
	}
	return 1;
}

struct aggregating {
	const cJSON *cr, *agg;
	cJSON *out;
};

static int aggregate_one(const cJSON *other, void *ctx)
{
	struct aggregating *g = ctx;
	const cJSON *sel, *r;

	if (other == g->cr || cJSON_GetObjectItemCaseSensitive(other, "aggregationRule"))
		return 0;
	cJSON_ArrayForEach(sel, kj_json_array(g->agg, "clusterRoleSelectors"))
	{
		if (!selector_matches(sel, other))
			continue;
		cJSON_ArrayForEach(r, kj_json_array(other, "rules"))
		{
			if (!has_rule(g->out, r))
				cJSON_AddItemToArray(g->out, cJSON_Duplicate(r, 1));
		}
		break;
	}
	return 0;
}

/* Rules of a ClusterRole; an aggregated one is filled from the roles its
 * selectors pick (what the aggregation controller would have stored). */
static void clusterrole_rules(const struct authz_policy *p, const cJSON *cr, cJSON *out)
{
	struct aggregating g = {cr, cJSON_GetObjectItemCaseSensitive(cr, "aggregationRule"), out};
	const cJSON *r;

	cJSON_ArrayForEach(r, kj_json_array(cr, "rules")) cJSON_AddItemToArray(out, cJSON_Duplicate(r, 1));
	if (!cJSON_IsObject(g.agg))
		return;
	authz_policy_foreach_clusterrole(p, aggregate_one, &g);
}

/* GetRoleReferenceRules.  The authorizer's listers name the singular
 * resource in their errors (`role.rbac...`), the binding registry's getter
 * the plural one (`roles.rbac...`).  Returns 0, 404 or 500 with *err set. */
int authz_role_ref_rules(const struct authz_policy *p, const cJSON *ref, const char *ns, int plural,
                         cJSON *out, char **err)
{
	const char *kind = kj_json_str0(ref, "kind"), *name = kj_json_str0(ref, "name");
	const cJSON *role;
	kj_buf b;

	*err = NULL;
	kj_buf_init(&b);
	if (!strcmp(kind, "Role") || !strcmp(kind, "ClusterRole")) {
		int cluster = kind[0] == 'C';

		role = authz_policy_find(p, cluster ? "clusterroles" : "roles", cluster ? "" : ns, name);
		if (role) {
			if (cluster) {
				clusterrole_rules(p, role, out);
			} else {
				const cJSON *r;

				cJSON_ArrayForEach(r, kj_json_array(role, "rules"))
				    cJSON_AddItemToArray(out, cJSON_Duplicate(r, 1));
			}
			kj_buf_done(&b);
			return 0;
		}
		kj_buf_printf(&b, "%s%s." AUTHZ_RBAC_GROUP " ", cluster ? "clusterrole" : "role",
		              plural ? "s" : "");
		authz_go_quote(&b, name);
		kj_buf_adds(&b, " not found");
		*err = kj_buf_steal(&b);
		return 404;
	}
	kj_buf_adds(&b, "unsupported role reference kind: ");
	authz_go_quote(&b, kind);
	*err = kj_buf_steal(&b);
	return 500;
}

static void describe_subject(kj_buf *b, const cJSON *s, const char *binding_ns)
{
	const char *kind = kj_json_str0(s, "kind");

	kj_buf_printf(b, "%s ", kind);
	if (!strcmp(kind, "ServiceAccount")) {
		char *n =
		    kj_xasprintf("%s/%s", kj_json_str0(s, "name"),
		                 *kj_json_str0(s, "namespace") ? kj_json_str0(s, "namespace") : binding_ns);
		authz_go_quote(b, n);
		free(n);
	} else {
		authz_go_quote(b, kj_json_str0(s, "name"));
	}
}

/* `ClusterRoleBinding "crb" of ClusterRole "cr" to User "alice"` /
 * `RoleBinding "rb/ns" of Role "r" to ServiceAccount "sa/ns"` */
static char *describe_source(const cJSON *binding, const cJSON *subject, int namespaced)
{
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(binding, "roleRef");
	kj_buf b;

	kj_buf_init(&b);
	kj_buf_adds(&b, namespaced ? "RoleBinding " : "ClusterRoleBinding ");
	if (namespaced) {
		char *n = kj_xasprintf("%s/%s", kj_json_meta0(binding, "name"),
		                       kj_json_meta0(binding, "namespace"));
		authz_go_quote(&b, n);
		free(n);
	} else {
		authz_go_quote(&b, kj_json_meta0(binding, "name"));
	}
	kj_buf_printf(&b, " of %s ", kj_json_str0(ref, "kind"));
	authz_go_quote(&b, kj_json_str0(ref, "name"));
	kj_buf_adds(&b, " to ");
	describe_subject(&b, subject, namespaced ? kj_json_meta0(binding, "namespace") : "");
	return kj_buf_steal(&b);
}

/* VisitRulesFor: the visitor returns 0 to stop. */
typedef int (*rule_visitor)(const cJSON *binding, const cJSON *subject, int namespaced, const cJSON *rule,
                            const char *err, void *ctx);

static void visit_rules(const struct authz_policy *p, const struct demo_user *u, const char *ns,
                        rule_visitor fn, void *ctx)
{
	const cJSON *s, *r;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		const char *bns = pass ? ns : "";
		const cJSON **bs;
		size_t nb;

		if (pass && (!ns || !*ns))
			break;
		/* only the bindings naming u, from the index, in the order a
		 * walk over all of them would meet them */
		nb = authz_policy_bindings_for(p, bns, u, &bs);
		for (size_t i = 0; i < nb; i++) {
			const cJSON *b = bs[i];
			cJSON *rules;
			char *err;

			if (!(s = applies_to(u, b, bns)))
				continue;
			rules = cJSON_CreateArray();
			if (authz_role_ref_rules(p, cJSON_GetObjectItemCaseSensitive(b, "roleRef"), bns, 0,
			                         rules, &err)) {
				int go_on = fn(NULL, NULL, pass, NULL, err, ctx);
				free(err);
				cJSON_Delete(rules);
				if (!go_on) {
					free(bs);
					return;
				}
				continue;
			}
			cJSON_ArrayForEach(r, rules)
			{
				if (!fn(b, s, pass, r, NULL, ctx)) {
					cJSON_Delete(rules);
					free(bs);
					return;
				}
			}
			cJSON_Delete(rules);
		}
		free(bs);
	}
}

struct authorizing {
	const struct demo_authz_attrs *a;
	int allowed;
	char *reason;
	cJSON *errors;
};

static int authorizing_visit(const cJSON *binding, const cJSON *subject, int namespaced, const cJSON *rule,
                             const char *err, void *ctx)
{
	struct authorizing *v = ctx;

	if (rule && authz_rule_allows(rule, v->a)) {
		char *src = describe_source(binding, subject, namespaced);
		v->allowed = 1;
		v->reason = kj_xasprintf("RBAC: allowed by %s", src);
		free(src);
		return 0;
	}
	if (err)
		cJSON_AddItemToArray(v->errors, cJSON_CreateString(err));
	return 1;
}

enum demo_decision authz_authorize(const struct authz_policy *p, const struct demo_authz_attrs *a,
                                   char **reason)
{
	struct authorizing v = {a, 0, NULL, cJSON_CreateArray()};

	*reason = NULL;
	if (demo_user_in_group(a->user, "system:masters")) {
		cJSON_Delete(v.errors);
		return DEMO_ALLOW;
	}
	visit_rules(p, a->user, a->ns ? a->ns : "", authorizing_visit, &v);
	if (v.allowed) {
		*reason = v.reason;
	} else if (cJSON_GetArraySize(v.errors)) {
		char *agg = aggregate(v.errors);
		*reason = kj_xasprintf("RBAC: %s", agg);
		free(agg);
	}
	cJSON_Delete(v.errors);
	return v.allowed ? DEMO_ALLOW : DEMO_DENY;
}

struct collecting {
	cJSON *rules;
	cJSON *errors;
};

static int collecting_visit(const cJSON *binding, const cJSON *subject, int namespaced, const cJSON *rule,
                            const char *err, void *ctx)
{
	struct collecting *c = ctx;

	if (rule)
		cJSON_AddItemToArray(c->rules, cJSON_Duplicate(rule, 1));
	if (err)
		cJSON_AddItemToArray(c->errors, cJSON_CreateString(err));
	return 1;
}

cJSON *authz_rules_for(const struct authz_policy *p, const struct demo_user *u, const char *ns, char **errors)
{
	struct collecting c = {cJSON_CreateArray(), cJSON_CreateArray()};

	visit_rules(p, u, ns ? ns : "", collecting_visit, &c);
	if (errors)
		*errors = cJSON_GetArraySize(c.errors) ? aggregate(c.errors) : NULL;
	cJSON_Delete(c.errors);
	return c.rules;
}
