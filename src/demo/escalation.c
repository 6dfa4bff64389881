#include "demo/escalation.h"

#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/strbuf.h"

/* Privilege-escalation prevention (doc/KUBERNETES.md, "Escalation checks"): rule coverage as
 * component-helpers' policy_comparator, the compacted "not currently held"
 * message and the Role/Binding write checks.  Wire texts are the
 * apiserver's, so they are not translated. */

static int has_all(const cJSON *set, const cJSON *want)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, want)
	{
		if (cJSON_IsString(it) && !kj_json_array_has(set, it->valuestring))
			return 0;
	}
	return 1;
}

static cJSON *one(const char *s)
{
	cJSON *a = cJSON_CreateArray();

	cJSON_AddItemToArray(a, cJSON_CreateString(s));
	return a;
}

static cJSON *subrule(const char *group, const char *res, const char *verb, const char *rname)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddItemToObject(r, "verbs", one(verb));
	cJSON_AddItemToObject(r, "apiGroups", one(group));
	cJSON_AddItemToObject(r, "resources", one(res));
	if (rname)
		cJSON_AddItemToObject(r, "resourceNames", one(rname));
	return r;
}

/* BreakdownRule: one rule per (group, resource, verb[, name]) and per (URL, verb) */
static void breakdown(const cJSON *rule, cJSON *out)
{
	const cJSON *g, *r, *v, *n, *u;

	cJSON_ArrayForEach(g, kj_json_array(rule, "apiGroups"))
	    cJSON_ArrayForEach(r, kj_json_array(rule, "resources"))
	        cJSON_ArrayForEach(v, kj_json_array(rule, "verbs"))
	{
		if (!cJSON_IsString(g) || !cJSON_IsString(r) || !cJSON_IsString(v))
			continue;
		if (kj_json_array_len(rule, "resourceNames")) {
			cJSON_ArrayForEach(n, kj_json_array(rule, "resourceNames"))
			{
				if (cJSON_IsString(n))
					cJSON_AddItemToArray(out, subrule(g->valuestring, r->valuestring,
					                                  v->valuestring, n->valuestring));
			}
		} else {
			cJSON_AddItemToArray(out,
			                     subrule(g->valuestring, r->valuestring, v->valuestring, NULL));
		}
	}
	cJSON_ArrayForEach(u, kj_json_array(rule, "nonResourceURLs"))
	    cJSON_ArrayForEach(v, kj_json_array(rule, "verbs"))
	{
		cJSON *s;

		if (!cJSON_IsString(u) || !cJSON_IsString(v))
			continue;
		s = cJSON_CreateObject();
		cJSON_AddItemToObject(s, "verbs", one(v->valuestring));
		cJSON_AddItemToObject(s, "nonResourceURLs", one(u->valuestring));
		cJSON_AddItemToArray(out, s);
	}
}

static int resource_covers_all(const cJSON *set, const cJSON *want)
{
	const cJSON *it;

	if (kj_json_array_has(set, "*") || has_all(set, want))
		return 1;
	cJSON_ArrayForEach(it, want)
	{
		const char *slash;
		char *star;
		int ok;

		if (!cJSON_IsString(it) || kj_json_array_has(set, it->valuestring))
			continue;
		if (!(slash = strchr(it->valuestring, '/')))
			return 0;
		star = kj_xasprintf("*%s", slash);
		ok = kj_json_array_has(set, star);
		free(star);
		if (!ok)
			return 0;
	}
	return 1;
}

static int url_covers(const char *owner, const char *sub)
{
	size_t n = strlen(owner);

	if (!strcmp(owner, sub))
		return 1;
	if (!n || owner[n - 1] != '*')
		return 0;
	while (n && owner[n - 1] == '*')
		n--;
	return !strncmp(sub, owner, n);
}

static int urls_cover_all(const cJSON *set, const cJSON *want)
{
	const cJSON *w, *o;

	cJSON_ArrayForEach(w, want)
	{
		int covered = 0;

		cJSON_ArrayForEach(o, set)
		{
			if (cJSON_IsString(o) && cJSON_IsString(w) &&
			    url_covers(o->valuestring, w->valuestring)) {
				covered = 1;
				break;
			}
		}
		if (!covered)
			return 0;
	}
	return 1;
}

static int rule_covers(const cJSON *owner, const cJSON *sub)
{
	const cJSON *ov = kj_json_array(owner, "verbs"), *og = kj_json_array(owner, "apiGroups"),
	            *orn = kj_json_array(owner, "resourceNames");
	int names;

	if (!(kj_json_array_has(ov, "*") || has_all(ov, kj_json_array(sub, "verbs"))))
		return 0;
	if (!(kj_json_array_has(og, "*") || has_all(og, kj_json_array(sub, "apiGroups"))))
		return 0;
	if (!resource_covers_all(kj_json_array(owner, "resources"), kj_json_array(sub, "resources")))
		return 0;
	if (!urls_cover_all(kj_json_array(owner, "nonResourceURLs"), kj_json_array(sub, "nonResourceURLs")))
		return 0;
	if (kj_json_array_len(sub, "resourceNames") == 0)
		names = kj_json_array_len(owner, "resourceNames") == 0;
	else
		names = kj_json_array_len(owner, "resourceNames") == 0 ||
		        has_all(orn, kj_json_array(sub, "resourceNames"));
	return names;
}

cJSON *authz_uncovered(const cJSON *owner, const cJSON *requested)
{
	cJSON *missing = cJSON_CreateArray(), *subs = cJSON_CreateArray();
	const cJSON *r, *s, *o;

	cJSON_ArrayForEach(r, requested) breakdown(r, subs);
	cJSON_ArrayForEach(s, subs)
	{
		int covered = 0;

		cJSON_ArrayForEach(o, owner)
		{
			if (rule_covers(o, s)) {
				covered = 1;
				break;
			}
		}
		if (!covered)
			cJSON_AddItemToArray(missing, cJSON_Duplicate(s, 1));
	}
	cJSON_Delete(subs);
	if (!cJSON_GetArraySize(missing)) {
		cJSON_Delete(missing);
		return NULL;
	}
	return missing;
}

/* CompactRules: simple single-group single-resource rules merge their verbs */
static cJSON *compact(const cJSON *rules)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *r, *v;

	cJSON_ArrayForEach(r, rules)
	{
		cJSON *hit = NULL, *it;
		int simple = kj_json_array_len(r, "resourceNames") <= 1 &&
		             !kj_json_array_len(r, "nonResourceURLs") &&
		             kj_json_array_len(r, "apiGroups") == 1 && kj_json_array_len(r, "resources") == 1;

		if (simple) {
			cJSON_ArrayForEach(it, out)
			{
				if (kj_json_array_len(it, "apiGroups") == 1 &&
				    kj_json_array_len(it, "resources") == 1 &&
				    !kj_json_array_len(it, "nonResourceURLs") &&
				    cJSON_Compare(kj_json_array(it, "apiGroups"),
				                  kj_json_array(r, "apiGroups"), 1) &&
				    cJSON_Compare(kj_json_array(it, "resources"),
				                  kj_json_array(r, "resources"), 1) &&
				    kj_json_array_len(it, "resourceNames") ==
				        kj_json_array_len(r, "resourceNames") &&
				    (!kj_json_array_len(r, "resourceNames") ||
				     cJSON_Compare(kj_json_array(it, "resourceNames"),
				                   kj_json_array(r, "resourceNames"), 1))) {
					hit = it;
					break;
				}
			}
		}
		if (!hit) {
			cJSON_AddItemToArray(out, cJSON_Duplicate(r, 1));
			continue;
		}
		cJSON_ArrayForEach(v, kj_json_array(r, "verbs")) cJSON_AddItemToArray(
		    cJSON_GetObjectItemCaseSensitive(hit, "verbs"), cJSON_Duplicate(v, 1));
	}
	return out;
}

/* PolicyRule.CompactString */
static char *compact_string(const cJSON *r)
{
	static const char *const parts[][2] = {{"apiGroups", "APIGroups"},
	                                       {"resources", "Resources"},
	                                       {"nonResourceURLs", "NonResourceURLs"},
	                                       {"resourceNames", "ResourceNames"},
	                                       {"verbs", "Verbs"}};
	kj_buf b;
	size_t i;
	int first = 1;

	kj_buf_init(&b);
	kj_buf_addc(&b, '{');
	for (i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		if (!kj_json_array_len(r, parts[i][0]))
			continue;
		kj_buf_printf(&b, "%s%s:", first ? "" : ", ", parts[i][1]);
		authz_go_quote_list(&b, kj_json_array(r, parts[i][0]));
		first = 0;
	}
	kj_buf_addc(&b, '}');
	return kj_buf_steal(&b);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *authz_escalation_text(const struct demo_user *u, const cJSON *missing, const char *resolution_errors)
{
	cJSON *c = compact(missing), *groups = cJSON_CreateArray();
	const cJSON *r;
	size_t n = 0, i;
	char **lines = kj_xcalloc((size_t)cJSON_GetArraySize(c) + 1, sizeof *lines);
	kj_buf b;

	cJSON_ArrayForEach(r, c) lines[n++] = compact_string(r);
	qsort(lines, n, sizeof *lines, cmp_str);
	for (i = 0; i < u->ngroups; i++)
		cJSON_AddItemToArray(groups, cJSON_CreateString(u->groups[i]));
	kj_buf_init(&b);
	kj_buf_adds(&b, "user ");
	authz_go_quote(&b, u->name);
	kj_buf_adds(&b, " (groups=");
	authz_go_quote_list(&b, groups);
	kj_buf_adds(&b, ") is attempting to grant RBAC permissions not currently held:\n");
	for (i = 0; i < n; i++) {
		if (i && !strcmp(lines[i], lines[i - 1]))
			continue;
		kj_buf_printf(&b, "%s%s", i ? "\n" : "", lines[i]);
	}
	if (resolution_errors)
		kj_buf_printf(&b, "; resolution errors: [%s]", resolution_errors);
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	cJSON_Delete(groups);
	cJSON_Delete(c);
	return kj_buf_steal(&b);
}

void authz_verdict_done(struct authz_verdict *v)
{
	free(v->message);
	free(v->name);
	memset(v, 0, sizeof *v);
}

/* NewForbidden(gr, name, err) text */
static int forbid(struct authz_verdict *v, const char *resource, const char *name, const char *why)
{
	kj_buf b;

	kj_buf_init(&b);
	kj_buf_printf(&b, "%s.%s ", resource, AUTHZ_RBAC_GROUP);
	if (*name) {
		authz_go_quote(&b, name);
		kj_buf_addc(&b, ' ');
	}
	kj_buf_printf(&b, "is forbidden: %s", why);
	v->code = 403;
	v->message = kj_buf_steal(&b);
	v->resource = resource;
	v->name = kj_xstrdup(name);
	return 403;
}

static int json_eq(const cJSON *a, const cJSON *b)
{
	if (!a || cJSON_IsNull(a))
		return !b || cJSON_IsNull(b);
	return b && cJSON_Compare(a, b, 1);
}

/* IsOnlyMutatingGCFields, approximated: nothing but ownerReferences,
 * finalizers and server-set metadata differs. */
static int only_gc_change(const cJSON *obj, const cJSON *old)
{
	static const char *const body[] = {"rules", "aggregationRule", "subjects", "roleRef"};
	static const char *const md[] = {"labels", "annotations"};
	const cJSON *m1 = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const cJSON *m2 = cJSON_GetObjectItemCaseSensitive(old, "metadata");
	size_t i;

	for (i = 0; i < sizeof body / sizeof body[0]; i++)
		if (!json_eq(cJSON_GetObjectItemCaseSensitive(obj, body[i]),
		             cJSON_GetObjectItemCaseSensitive(old, body[i])))
			return 0;
	for (i = 0; i < sizeof md / sizeof md[0]; i++)
		if (!json_eq(cJSON_GetObjectItemCaseSensitive(m1, md[i]),
		             cJSON_GetObjectItemCaseSensitive(m2, md[i])))
			return 0;
	return 1;
}

static int authorized(const struct authz_policy *p, const struct demo_user *u, const char *verb,
                      const char *group, const char *resource, const char *name, const char *ns)
{
	struct demo_authz_attrs a = {0};
	char *reason = NULL;
	enum demo_decision d;

	a.user = u;
	a.verb = verb;
	a.resource_request = 1;
	a.group = group;
	a.resource = resource;
	a.subresource = "";
	a.name = name;
	a.ns = ns;
	a.path = "";
	d = authz_authorize(p, &a, &reason);
	free(reason);
	return d == DEMO_ALLOW;
}

/* ConfirmNoEscalation: NULL when held, else the message */
static char *confirm_no_escalation(const struct authz_policy *p, const struct demo_user *u, const char *ns,
                                   const cJSON *rules)
{
	char *errs = NULL, *msg = NULL;
	cJSON *owner = authz_rules_for(p, u, ns, &errs), *missing = authz_uncovered(owner, rules);

	if (missing)
		msg = authz_escalation_text(u, missing, errs);
	cJSON_Delete(missing);
	cJSON_Delete(owner);
	free(errs);
	return msg;
}

static cJSON *full_authority(void)
{
	return cJSON_Parse("[{\"verbs\":[\"*\"],\"apiGroups\":[\"*\"],\"resources\":[\"*\"]},"
	                   "{\"verbs\":[\"*\"],\"nonResourceURLs\":[\"*\"]}]");
}

int authz_check_role_write(const struct authz_policy *p, const struct demo_user *u, const char *resource,
                           const char *ns, const char *name, const cJSON *obj, const cJSON *old,
                           struct authz_verdict *v)
{
	const char *objname = kj_json_meta0(obj, "name");
	char *msg;

	memset(v, 0, sizeof *v);
	if (demo_user_in_group(u, "system:masters"))
		return 0;
	if (authorized(p, u, "escalate", AUTHZ_RBAC_GROUP, resource, name ? name : "", ns ? ns : ""))
		return 0;
	if (old && only_gc_change(obj, old))
		return 0;
	if ((msg = confirm_no_escalation(p, u, ns, kj_json_array(obj, "rules")))) {
		forbid(v, resource, objname, msg);
		free(msg);
		return v->code;
	}
	if (!strcmp(resource, "clusterroles") &&
	    (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(obj, "aggregationRule")) ||
	     (old && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(old, "aggregationRule"))))) {
		cJSON *full = full_authority();

		msg = confirm_no_escalation(p, u, "", full);
		cJSON_Delete(full);
		if (msg) {
			free(msg);
			return forbid(v, resource, objname,
			              "must have cluster-admin privileges to use the aggregationRule");
		}
	}
	return 0;
}

int authz_check_binding_write(const struct authz_policy *p, const struct demo_user *u, const char *resource,
                              const char *ns, const cJSON *obj, const cJSON *old, struct authz_verdict *v)
{
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(obj, "roleRef");
	const char *kind = kj_json_str0(ref, "kind"),
	           *group = *kj_json_str0(ref, "apiGroup") ? kj_json_str0(ref, "apiGroup") : AUTHZ_RBAC_GROUP;
	cJSON *rules;
	char *err = NULL, *msg;
	int rc;

	memset(v, 0, sizeof *v);
	if (demo_user_in_group(u, "system:masters"))
		return 0;
	if (old && only_gc_change(obj, old))
		return 0;
	if ((!strcmp(kind, "Role") || !strcmp(kind, "ClusterRole")) &&
	    authorized(p, u, "bind", group, kind[0] == 'R' ? "roles" : "clusterroles",
	               kj_json_str0(ref, "name"), ns ? ns : ""))
		return 0;
	rules = cJSON_CreateArray();
	if ((rc = authz_role_ref_rules(p, ref, ns ? ns : "", 1, rules, &err))) {
		cJSON_Delete(rules);
		v->code = rc;
		v->message = err;
		v->resource = kind[0] == 'R' ? "roles" : "clusterroles";
		v->name = kj_xstrdup(kj_json_str0(ref, "name"));
		return rc;
	}
	msg = confirm_no_escalation(p, u, ns ? ns : "", rules);
	cJSON_Delete(rules);
	if (msg) {
		forbid(v, resource, kj_json_meta0(obj, "name"), msg);
		free(msg);
	}
	return v->code;
}
