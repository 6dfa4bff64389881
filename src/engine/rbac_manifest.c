#include "engine/rbac_manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/i18n.h"
#include "util/names.h"
#include "util/strbuf.h"

#define RBAC_GROUP "rbac.authorization.k8s.io"
#define MAX_ITEMS  8

/* A rule of a manifest.  `why` is NULL for the reference product's own
 * rules and says, for each addition, what kubejit needs it for. */
struct manifest_rule {
	const char *group;
	const char *resources[MAX_ITEMS];
	const char *verbs[MAX_ITEMS];
	const char *why;
};

/* Fixed mode: the reference `tokenrequest` role, plus Secrets. */
static const struct manifest_rule fixed_rules[] = {
    {"", {"serviceaccounts/token", "serviceaccounts"}, {"create", "get"}, NULL},
    {"",
     {"secrets"},
     {"create", "get", "delete", "list", "update"},
     N_("Revocable fixed tokens: each token is bound to a per-lease anchor Secret (create, get its uid);"
        " deleting it revokes the token, which stops working within about 10 s (delete); sweeps find"
        " anchors left behind (list); a spare anchor made during one mint is relabelled for the next"
        " (update), which then needs one round trip.")},
    {"",
     {"secrets"},
     {"deletecollection"},
     N_("Bulk revokes: the anchors of many leases are deleted by label in a few requests;"
        " without it, one request each.")},
};

/* Dynamic mode: the reference `sa-request` role, plus cluster sweeps. */
static const struct manifest_rule dynamic_rules[] = {
    {"", {"namespaces"}, {"get"}, NULL},
    {"", {"serviceaccounts", "serviceaccounts/token"}, {"get", "create", "update", "delete"}, NULL},
    {RBAC_GROUP, {"rolebindings", "clusterrolebindings"}, {"get", "create", "update", "delete"}, NULL},
    {RBAC_GROUP, {"roles", "clusterroles"}, {"get", "bind", "escalate", "create", "update", "delete"}, NULL},
    {"", {"pods"}, {"list"}, NULL},
    {"",
     {"serviceaccounts", "secrets"},
     {"list"},
     N_("Cluster sweeps: find ServiceAccounts and anchor Secrets kubejit made whose lease has expired,"
        " even when the local store is lost.")},
    {RBAC_GROUP,
     {"roles", "rolebindings", "clusterroles", "clusterrolebindings"},
     {"list"},
     N_("Cluster sweeps: find Roles and bindings kubejit made whose lease has expired.")},
    {"",
     {"serviceaccounts", "secrets"},
     {"deletecollection"},
     N_("Bulk revokes: the objects of many leases are deleted by label in a few requests;"
        " without it, one request each.")},
    {RBAC_GROUP,
     {"roles", "rolebindings"},
     {"deletecollection"},
     N_("Bulk revokes: the Roles and RoleBindings of many leases are deleted by label in a few"
        " requests; without it, one request each.")},
    {"",
     {"namespaces"},
     {"list"},
     N_("Pick lists: offer the cluster's namespaces when a secret or a mint asks for one.")},
};

#define F PREFLIGHT_NEED_FIXED
#define R PREFLIGHT_NEED_REVOCABLE
#define D PREFLIGHT_NEED_DYNAMIC
#define S PREFLIGHT_NEED_SWEEP
static const struct rbac_check checks[] = {
    {"create", "", "serviceaccounts/token", 0, F | D, N_("mint tokens (TokenRequest)")},
    {"get", "", "serviceaccounts", 0, F | D, N_("check the service account exists")},
    {"create", "", "secrets", 0, R, N_("create the anchor Secret a revocable token is bound to")},
    {"get", "", "secrets", 0, R, N_("read the anchor Secret's uid")},
    {"delete", "", "secrets", 0, R, N_("revoke a fixed token by deleting its anchor")},
    {"list", "", "secrets", 0, R | S, N_("sweep anchor Secrets left behind")},
    {"get", "", "namespaces", 1, D, N_("check the namespace exists")},
    {"create", "", "serviceaccounts", 0, D, N_("create the lease's ServiceAccount")},
    {"update", "", "serviceaccounts", 0, D, N_("label the lease's ServiceAccount")},
    {"delete", "", "serviceaccounts", 0, D, N_("revoke: delete the lease's ServiceAccount")},
    {"get", "", "serviceaccounts/token", 0, D, N_("reference sa-request rule")},
    {"update", "", "serviceaccounts/token", 0, D, N_("reference sa-request rule")},
    {"delete", "", "serviceaccounts/token", 0, D, N_("reference sa-request rule")},
    {"get", RBAC_GROUP, "rolebindings", 0, D, N_("read the lease's RoleBinding")},
    {"create", RBAC_GROUP, "rolebindings", 0, D, N_("bind the lease's role in a namespace")},
    {"update", RBAC_GROUP, "rolebindings", 0, D, N_("reference sa-request rule")},
    {"delete", RBAC_GROUP, "rolebindings", 0, D, N_("revoke: delete the RoleBinding")},
    {"get", RBAC_GROUP, "clusterrolebindings", 1, D, N_("read the lease's ClusterRoleBinding")},
    {"create", RBAC_GROUP, "clusterrolebindings", 1, D, N_("bind a ClusterRole cluster-wide")},
    {"update", RBAC_GROUP, "clusterrolebindings", 1, D, N_("reference sa-request rule")},
    {"delete", RBAC_GROUP, "clusterrolebindings", 1, D, N_("revoke: delete the ClusterRoleBinding")},
    {"get", RBAC_GROUP, "roles", 0, D, N_("check a predefined Role exists")},
    {"bind", RBAC_GROUP, "roles", 0, D, N_("bind Roles it does not hold itself")},
    {"escalate", RBAC_GROUP, "roles", 0, D, N_("create Roles granting more than it holds")},
    {"create", RBAC_GROUP, "roles", 0, D, N_("create the lease's Role from YAML")},
    {"update", RBAC_GROUP, "roles", 0, D, N_("reference sa-request rule")},
    {"delete", RBAC_GROUP, "roles", 0, D, N_("revoke: delete the lease's Role")},
    {"get", RBAC_GROUP, "clusterroles", 1, D, N_("check a predefined ClusterRole exists")},
    {"bind", RBAC_GROUP, "clusterroles", 1, D, N_("bind ClusterRoles it does not hold itself")},
    {"escalate", RBAC_GROUP, "clusterroles", 1, D, N_("create ClusterRoles granting more than it holds")},
    {"create", RBAC_GROUP, "clusterroles", 1, D, N_("create the lease's ClusterRole from YAML")},
    {"update", RBAC_GROUP, "clusterroles", 1, D, N_("reference sa-request rule")},
    {"delete", RBAC_GROUP, "clusterroles", 1, D, N_("revoke: delete the lease's ClusterRole")},
    {"list", "", "pods", 0, D, N_("reference sa-request rule")},
    {"list", "", "serviceaccounts", 0, S, N_("sweep ServiceAccounts left behind")},
    {"list", RBAC_GROUP, "roles", 0, S, N_("sweep Roles left behind")},
    {"list", RBAC_GROUP, "rolebindings", 0, S, N_("sweep RoleBindings left behind")},
    {"list", RBAC_GROUP, "clusterroles", 1, S, N_("sweep ClusterRoles left behind")},
    {"list", RBAC_GROUP, "clusterrolebindings", 1, S, N_("sweep ClusterRoleBindings left behind")},
};
#undef F
#undef R
#undef D
#undef S

const struct rbac_check *rbac_checks(size_t *n)
{
	*n = sizeof(checks) / sizeof(checks[0]);
	return checks;
}

const char *rbac_default_name(enum target_mode mode)
{
	return mode == TARGET_MODE_DYNAMIC ? "kubejit-jit" : "kubejit-token-request";
}

static const struct manifest_rule *mode_rules(enum target_mode mode, size_t *n)
{
	if (mode == TARGET_MODE_DYNAMIC) {
		*n = sizeof(dynamic_rules) / sizeof(dynamic_rules[0]);
		return dynamic_rules;
	}
	*n = sizeof(fixed_rules) / sizeof(fixed_rules[0]);
	return fixed_rules;
}

static int check_opts(const struct rbac_manifest_opts *o, const char **ns, const char **name, kj_err *e)
{
	*ns = o->namespace_ ? o->namespace_ : "kube-system";
	*name = o->name ? o->name : rbac_default_name(o->mode);
	if (!kj_is_dns1123_label(*ns)) {
		kj_err_set(e, KJ_ERR_INVALID, _("--namespace \"%s\" is not a valid namespace name"), *ns);
		return kj_err_hint(e, _("use lower-case letters, digits and '-', at most 63 characters"));
	}
	if (o->user && !*o->user) {
		kj_err_set(e, KJ_ERR_INVALID, _("--user needs a user name (the certificate's CN)"));
		return kj_err_hint(e, _("give the name the cluster sees, e.g. --user jit-operator"));
	}
	if (o->user) {
		for (const unsigned char *p = (const unsigned char *)o->user; *p; p++)
			if (*p < 0x20 || *p == 0x7f) {
				kj_err_set(
				    e, KJ_ERR_INVALID,
				    _("--user \"%s\" has a control character; no certificate's CN has one"),
				    o->user);
				return kj_err_hint(
				    e, _("give the name the cluster sees, e.g. --user jit-operator"));
			}
	}
	if (!kj_is_dns1123_subdomain(*name)) {
		kj_err_set(e, KJ_ERR_INVALID, _("--name \"%s\" is not a valid ServiceAccount name"), *name);
		return kj_err_hint(e,
		                   _("use lower-case letters, digits, '-' and '.', at most 253 characters"));
	}
	return 0;
}

static void yaml_quoted(kj_buf *b, const char *s);

static void yaml_list(kj_buf *b, const char *const *items)
{
	size_t i;

	kj_buf_addc(b, '[');
	for (i = 0; i < MAX_ITEMS && items[i]; i++)
		kj_buf_printf(b, "%s\"%s\"", i ? ", " : "", items[i]);
	kj_buf_adds(b, "]\n");
}

/* A comment paragraph, wrapped near 78 columns. */
static void yaml_comment(kj_buf *b, const char *text)
{
	const char *p = text;

	while (*p) {
		size_t take = strlen(p);
		const char *sp;

		if (take > 76) {
			take = 76;
			while (take > 20 && p[take] != ' ')
				take--;
		}
		kj_buf_adds(b, "# ");
		kj_buf_add(b, p, take);
		kj_buf_addc(b, '\n');
		p += take;
		sp = p;
		while (*sp == ' ')
			sp++;
		p = sp;
	}
}

char *rbac_manifest_yaml(const struct rbac_manifest_opts *o, kj_err *e)
{
	const struct manifest_rule *rules;
	const char *ns, *name;
	size_t n, i;
	kj_buf b;

	if (check_opts(o, &ns, &name, e) < 0)
		return NULL;
	rules = mode_rules(o->mode, &n);
	kj_buf_init(&b);
	if (o->mode == TARGET_MODE_DYNAMIC)
		yaml_comment(
		    &b, _("kubejit target, dynamic mode: creates a ServiceAccount, Role and binding per lease"
		          " and deletes them on revoke (the reference sa-request role, plus sweeps)."));
	else
		yaml_comment(&b,
		             _("kubejit target, fixed mode: mints tokens for existing ServiceAccounts (the"
		               " reference tokenrequest role, plus Secrets for revocable tokens)."));
	if (!o->user)
		kj_buf_printf(&b,
		              "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: %s\n  namespace: %s\n"
		              "  labels:\n    app.kubernetes.io/part-of: kubejit\n---\n",
		              name, ns);
	kj_buf_printf(&b,
	              "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: %s\n"
	              "  labels:\n    app.kubernetes.io/part-of: kubejit\nrules:\n",
	              name);
	for (i = 0; i < n; i++) {
		if (rules[i].why)
			yaml_comment(&b, _(rules[i].why));
		kj_buf_printf(&b, "- apiGroups: [\"%s\"]\n  resources: ", rules[i].group);
		yaml_list(&b, rules[i].resources);
		kj_buf_adds(&b, "  verbs: ");
		yaml_list(&b, rules[i].verbs);
	}
	kj_buf_printf(&b,
	              "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n"
	              "  name: %s\n  labels:\n    app.kubernetes.io/part-of: kubejit\nroleRef:\n"
	              "  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: %s\nsubjects:\n",
	              name, name);
	if (o->user) {
		kj_buf_adds(&b, "- kind: User\n  apiGroup: rbac.authorization.k8s.io\n  name: ");
		yaml_quoted(&b, o->user);
		kj_buf_addc(&b, '\n');
	} else {
		kj_buf_printf(&b, "- kind: ServiceAccount\n  name: %s\n  namespace: %s\n", name, ns);
	}
	return kj_buf_steal(&b);
}

static cJSON *string_array(const char *const *items)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < MAX_ITEMS && items[i]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(items[i]));
	return a;
}

static cJSON *new_object(const char *api_version, const char *kind, const char *name, const char *ns)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *meta;

	cJSON_AddStringToObject(o, "apiVersion", api_version);
	cJSON_AddStringToObject(o, "kind", kind);
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	if (ns)
		cJSON_AddStringToObject(meta, "namespace", ns);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(meta, "labels"), "app.kubernetes.io/part-of",
	                        "kubejit");
	return o;
}

int rbac_manifest_objects(const struct rbac_manifest_opts *o, cJSON *objs[3], kj_err *e)
{
	const struct manifest_rule *rules;
	const char *ns, *name;
	cJSON *arr, *ref, *subj;
	size_t n, i;

	objs[0] = objs[1] = objs[2] = NULL;
	if (check_opts(o, &ns, &name, e) < 0)
		return -1;
	rules = mode_rules(o->mode, &n);
	objs[0] = o->user ? NULL : new_object("v1", "ServiceAccount", name, ns);
	objs[1] = new_object("rbac.authorization.k8s.io/v1", "ClusterRole", name, NULL);
	arr = cJSON_AddArrayToObject(objs[1], "rules");
	for (i = 0; i < n; i++) {
		cJSON *r = cJSON_CreateObject();
		const char *g[2] = {rules[i].group, NULL};

		cJSON_AddItemToObject(r, "apiGroups", string_array(g));
		cJSON_AddItemToObject(r, "resources", string_array(rules[i].resources));
		cJSON_AddItemToObject(r, "verbs", string_array(rules[i].verbs));
		cJSON_AddItemToArray(arr, r);
	}
	objs[2] = new_object("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", name, NULL);
	ref = cJSON_AddObjectToObject(objs[2], "roleRef");
	cJSON_AddStringToObject(ref, "apiGroup", RBAC_GROUP);
	cJSON_AddStringToObject(ref, "kind", "ClusterRole");
	cJSON_AddStringToObject(ref, "name", name);
	subj = cJSON_CreateObject();
	if (o->user) {
		cJSON_AddStringToObject(subj, "kind", "User");
		cJSON_AddStringToObject(subj, "apiGroup", RBAC_GROUP);
		cJSON_AddStringToObject(subj, "name", o->user);
	} else {
		cJSON_AddStringToObject(subj, "kind", "ServiceAccount");
		cJSON_AddStringToObject(subj, "name", name);
		cJSON_AddStringToObject(subj, "namespace", ns);
	}
	cJSON_AddItemToArray(cJSON_AddArrayToObject(objs[2], "subjects"), subj);
	return 0;
}

/* Double-quoted YAML scalar. */
static void yaml_quoted(kj_buf *b, const char *s)
{
	kj_buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			kj_buf_addc(b, '\\');
		if ((unsigned char)*s < 0x20)
			kj_buf_printf(b, "\\x%02x", (unsigned char)*s);
		else
			kj_buf_addc(b, *s);
	}
	kj_buf_addc(b, '"');
}

/* Missing permissions grouped into rules: one rule per (group, verb set). */
struct missing_rule {
	const char *group;
	char verbs[128];
	const char *resources[16];
	size_t n_resources;
	const char *whys[16];
	size_t n_whys;
};

static void add_unique(const char **v, size_t *n, size_t max, const char *s)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp(v[i], s))
			return;
	if (*n < max)
		v[(*n)++] = s;
}

char *rbac_missing_yaml(const char *name, const struct preflight_perm *perms, size_t n, unsigned mask,
                        const char *username)
{
	/* per (group, resource): the verbs it lacks */
	struct {
		const char *group, *resource;
		char verbs[128];
		const char *whys[8];
		size_t n_whys;
	} res[64];
	struct missing_rule rules[32];
	size_t n_res = 0, n_rules = 0, i, j;
	const char *sa_prefix = "system:serviceaccount:";
	kj_buf b;

	for (i = 0; i < n; i++) {
		const struct preflight_perm *p = &perms[i];

		if (p->state == PREFLIGHT_HELD || !(p->needed_by & mask))
			continue;
		for (j = 0; j < n_res; j++)
			if (!strcmp(res[j].group, p->group) && !strcmp(res[j].resource, p->resource))
				break;
		if (j == n_res) {
			if (n_res == sizeof(res) / sizeof(res[0]))
				continue;
			res[j].group = p->group;
			res[j].resource = p->resource;
			res[j].verbs[0] = '\0';
			res[j].n_whys = 0;
			n_res++;
		}
		if (strlen(res[j].verbs) + strlen(p->verb) + 8 < sizeof(res[j].verbs))
			snprintf(res[j].verbs + strlen(res[j].verbs),
			         sizeof(res[j].verbs) - strlen(res[j].verbs), "%s\"%s\"",
			         res[j].verbs[0] ? ", " : "", p->verb);
		add_unique(res[j].whys, &res[j].n_whys, 8, p->why);
	}
	if (n_res == 0)
		return NULL;
	for (i = 0; i < n_res; i++) {
		for (j = 0; j < n_rules; j++)
			if (!strcmp(rules[j].group, res[i].group) && !strcmp(rules[j].verbs, res[i].verbs))
				break;
		if (j == n_rules) {
			if (n_rules == sizeof(rules) / sizeof(rules[0]))
				continue;
			memset(&rules[j], 0, sizeof(rules[j]));
			rules[j].group = res[i].group;
			strcpy(rules[j].verbs, res[i].verbs);
			n_rules++;
		}
		add_unique(rules[j].resources, &rules[j].n_resources, 16, res[i].resource);
		for (size_t k = 0; k < res[i].n_whys; k++)
			add_unique(rules[j].whys, &rules[j].n_whys, 16, res[i].whys[k]);
	}

	kj_buf_init(&b);
	yaml_comment(&b, _("Grants what the target's credentials lack; apply with an admin context:"
	                   " kubectl apply -f FILE"));
	kj_buf_printf(&b,
	              "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: %s\n"
	              "  labels:\n    app.kubernetes.io/part-of: kubejit\nrules:\n",
	              name);
	for (i = 0; i < n_rules; i++) {
		kj_buf_adds(&b, "# ");
		for (j = 0; j < rules[i].n_whys; j++)
			kj_buf_printf(&b, "%s%s", j ? "; " : "", _(rules[i].whys[j]));
		kj_buf_printf(&b, "\n- apiGroups: [\"%s\"]\n  resources: [", rules[i].group);
		for (j = 0; j < rules[i].n_resources; j++)
			kj_buf_printf(&b, "%s\"%s\"", j ? ", " : "", rules[i].resources[j]);
		kj_buf_printf(&b, "]\n  verbs: [%s]\n", rules[i].verbs);
	}
	kj_buf_printf(&b,
	              "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n"
	              "  name: %s\n  labels:\n    app.kubernetes.io/part-of: kubejit\nroleRef:\n"
	              "  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: %s\nsubjects:\n",
	              name, name);
	if (username && !strncmp(username, sa_prefix, strlen(sa_prefix)) &&
	    strchr(username + strlen(sa_prefix), ':')) {
		const char *ns = username + strlen(sa_prefix);
		const char *colon = strchr(ns, ':');

		kj_buf_printf(&b, "- kind: ServiceAccount\n  name: %s\n  namespace: %.*s\n", colon + 1,
		              (int)(colon - ns), ns);
	} else if (username && *username) {
		kj_buf_adds(&b, "- kind: User\n  apiGroup: rbac.authorization.k8s.io\n  name: ");
		yaml_quoted(&b, username);
		kj_buf_addc(&b, '\n');
	} else {
		/* the cluster would not say who the credentials are */
		yaml_comment(&b,
		             _("Put the user name of the target's credentials here (the cluster did not tell"
		               " it: no SelfSubjectReview)."));
		kj_buf_adds(&b, "- kind: User\n  apiGroup: rbac.authorization.k8s.io\n  name: \"USER\"\n");
	}
	return kj_buf_steal(&b);
}
