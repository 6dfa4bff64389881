#include "engine/preflight.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/csr.h"
#include "engine/rbac_manifest.h"
#include "kube/api.h"
#include "util/json.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/strv.h"
#include "util/timeutil.h"
#include "util/ttl.h"

#define SA_PREFIX "system:serviceaccount:"

void preflight_report_free(struct preflight_report *r)
{
	size_t i;

	if (!r)
		return;
	free(r->server);
	free(r->server_version);
	free(r->username);
	free(r->uid);
	kj_nullv_free(r->groups);
	for (i = 0; i < r->n_perms; i++)
		kj_nullv_free(r->perms[i].namespaces);
	free(r->perms);
	kj_nullv_free(r->namespaces_checked);
	free(r->fix_yaml_fixed);
	free(r->fix_yaml_dynamic);
	free(r->failure);
	kj_nullv_free(r->notices);
	free(r->summary);
	free(r);
}

const char *preflight_state_name(enum preflight_state s)
{
	switch (s) {
	case PREFLIGHT_HELD:
		return "held";
	case PREFLIGHT_PARTIAL:
		return "partial";
	case PREFLIGHT_MISSING:
		return "missing";
	default:
		return "unknown";
	}
}

static void init_perms(struct preflight_report *r)
{
	const struct rbac_check *c;
	size_t n, i;

	c = rbac_checks(&n);
	r->perms = kj_xcalloc(n, sizeof(*r->perms));
	r->n_perms = n;
	for (i = 0; i < n; i++) {
		r->perms[i].verb = c[i].verb;
		r->perms[i].group = c[i].group;
		r->perms[i].resource = c[i].resource;
		r->perms[i].cluster_scoped = c[i].cluster_scoped;
		r->perms[i].needed_by = c[i].needed_by;
		r->perms[i].why = c[i].why;
	}
}

/* Does one SelfSubjectRulesReview resource rule allow the permission? */
static int list_has(const cJSON *arr, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
	{
		if (cJSON_IsString(it) && (!strcmp(it->valuestring, "*") || !strcmp(it->valuestring, s)))
			return 1;
	}
	return 0;
}

static int rule_allows(const cJSON *rule, const struct preflight_perm *p)
{
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(rule, "resources");
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(rule, "resourceNames");
	const char *slash = strchr(p->resource, '/');
	const cJSON *it;

	if (cJSON_GetArraySize(names) > 0)
		return 0; /* limited to named objects: not enough to mint for any */
	if (!list_has(cJSON_GetObjectItemCaseSensitive(rule, "verbs"), p->verb) ||
	    !list_has(cJSON_GetObjectItemCaseSensitive(rule, "apiGroups"), p->group))
		return 0;
	cJSON_ArrayForEach(it, res)
	{
		if (!cJSON_IsString(it))
			continue;
		if (!strcmp(it->valuestring, "*") || !strcmp(it->valuestring, p->resource))
			return 1;
		/* "*" + "/token" covers every parent's token subresource */
		if (slash && it->valuestring[0] == '*' && !strcmp(it->valuestring + 1, slash))
			return 1;
	}
	return 0;
}

static void check_namespace(struct kube_client *kc, struct preflight_report *r, const char *ns)
{
	cJSON *status = NULL;
	const cJSON *rules, *rule;
	kj_err e = {0};
	size_t i;

	if (kube_rules_review(kc, ns, &status, &e) < 0) {
		kj_nullv_pushf(&r->notices, _("could not list permissions in namespace %s: %s"), ns, e.msg);
		return;
	}
	kj_nullv_push(&r->namespaces_checked, ns);
	rules = cJSON_GetObjectItemCaseSensitive(status, "resourceRules");
	for (i = 0; i < r->n_perms; i++) {
		struct preflight_perm *p = &r->perms[i];

		if (p->state == PREFLIGHT_HELD || p->cluster_scoped)
			continue;
		cJSON_ArrayForEach(rule, rules)
		{
			if (rule_allows(rule, p)) {
				p->state = PREFLIGHT_PARTIAL;
				if (!kj_nullv_contains(p->namespaces, ns))
					kj_nullv_push(&p->namespaces, ns);
				break;
			}
		}
	}
	cJSON_Delete(status);
}

/* One SelfSubjectAccessReview body per permission, cluster-wide. */
static cJSON *ssar_body(const struct preflight_perm *p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *ra = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "spec"), "resourceAttributes");
	const char *slash = strchr(p->resource, '/');

	cJSON_AddStringToObject(ra, "verb", p->verb);
	cJSON_AddStringToObject(ra, "group", p->group);
	if (slash) {
		char *res = kj_xstrndup(p->resource, (size_t)(slash - p->resource));

		cJSON_AddStringToObject(ra, "resource", res);
		cJSON_AddStringToObject(ra, "subresource", slash + 1);
		free(res);
	} else {
		cJSON_AddStringToObject(ra, "resource", p->resource);
	}
	return o;
}

static void check_perms(struct kube_client *kc, struct preflight_report *r, const struct preflight_opts *o)
{
	struct kube_op *ops = kj_xcalloc(r->n_perms, sizeof(*ops));
	char **nss = NULL;
	size_t i;
	int any_missing = 0, told = 0;
	kj_err e = {0};

	/* independent reviews: let the client run them in parallel */
	for (i = 0; i < r->n_perms; i++) {
		ops[i].verb = KUBE_OP_CREATE;
		ops[i].kind = KUBE_SSAR;
		ops[i].obj = ssar_body(&r->perms[i]);
	}
	kube_batch(kc, ops, r->n_perms, &e);
	for (i = 0; i < r->n_perms; i++) {
		struct preflight_perm *p = &r->perms[i];
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(ops[i].result, "status");

		if (ops[i].rc != 0 || !cJSON_IsObject(st)) {
			p->state = PREFLIGHT_UNKNOWN;
			if (!told++)
				kj_nullv_pushf(&r->notices,
				               _("could not ask the cluster about permissions: %s"),
				               ops[i].rc ? ops[i].err.msg : _("no status in the answer"));
		} else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "allowed"))) {
			p->state = PREFLIGHT_HELD;
		} else {
			p->state = PREFLIGHT_MISSING;
			any_missing = 1;
		}
		cJSON_Delete((cJSON *)ops[i].obj);
		cJSON_Delete(ops[i].result);
	}
	free(ops);
	if (!any_missing)
		return;
	/* what is not held cluster-wide may still be held in some namespaces */
	if (r->username && !strncmp(r->username, SA_PREFIX, strlen(SA_PREFIX))) {
		const char *ns = r->username + strlen(SA_PREFIX);
		const char *colon = strchr(ns, ':');

		if (colon) {
			char *own = kj_xstrndup(ns, (size_t)(colon - ns));

			kj_nullv_push(&nss, own);
			free(own);
		}
	}
	if (!kj_nullv_contains(nss, "default"))
		kj_nullv_push(&nss, "default");
	for (i = 0; o && o->namespaces && o->namespaces[i]; i++)
		if (!kj_nullv_contains(nss, o->namespaces[i]))
			kj_nullv_push(&nss, o->namespaces[i]);
	for (i = 0; nss && nss[i]; i++)
		check_namespace(kc, r, nss[i]);
	kj_nullv_free(nss);
}

static int all_held(const struct preflight_report *r, unsigned mask, size_t *missing)
{
	size_t i;

	*missing = 0;
	for (i = 0; i < r->n_perms; i++)
		if ((r->perms[i].needed_by & mask) && r->perms[i].state != PREFLIGHT_HELD)
			(*missing)++;
	return *missing == 0;
}

static void missing_list(const struct preflight_report *r, unsigned mask, kj_buf *b)
{
	size_t i;

	for (i = 0; i < r->n_perms; i++) {
		const struct preflight_perm *p = &r->perms[i];

		if (!(p->needed_by & mask) || p->state == PREFLIGHT_HELD)
			continue;
		kj_buf_printf(b, "%s%s %s", b->len ? ", " : "", p->verb, p->resource);
	}
}

static void judge(struct preflight_report *r, const struct target *t)
{
	size_t mf, mr, md, ms;
	char name[128];
	kj_buf b;

	r->fixed_ready = all_held(r, PREFLIGHT_NEED_FIXED, &mf);
	r->fixed_revocable = all_held(r, PREFLIGHT_NEED_REVOCABLE, &mr) && r->fixed_ready;
	r->dynamic_ready = all_held(r, PREFLIGHT_NEED_DYNAMIC, &md);
	r->sweep_ready = all_held(r, PREFLIGHT_NEED_SWEEP, &ms);

	snprintf(name, sizeof(name), "kubejit-%s-fixed", t->name ? t->name : "target");
	r->fix_yaml_fixed = rbac_missing_yaml(name, r->perms, r->n_perms,
	                                      PREFLIGHT_NEED_FIXED | PREFLIGHT_NEED_REVOCABLE, r->username);
	snprintf(name, sizeof(name), "kubejit-%s-dynamic", t->name ? t->name : "target");
	r->fix_yaml_dynamic = rbac_missing_yaml(name, r->perms, r->n_perms,
	                                        PREFLIGHT_NEED_DYNAMIC | PREFLIGHT_NEED_SWEEP, r->username);

	kj_buf_init(&b);
	if (!r->fixed_ready) {
		missing_list(r, PREFLIGHT_NEED_FIXED, &b);
		kj_nullv_pushf(&r->notices, _("fixed mode: not ready, missing %s"), b.data);
	} else if (!r->fixed_revocable) {
		missing_list(r, PREFLIGHT_NEED_REVOCABLE, &b);
		kj_nullv_pushf(
		    &r->notices,
		    _("fixed mode: revocable fixed tokens need Secret permissions (missing %s); until "
		      "they are"
		      " granted, fixed tokens cannot be revoked and only expire"),
		    b.data);
	}
	kj_buf_reset(&b);
	if (!r->dynamic_ready)
		kj_nullv_pushf(&r->notices, _("dynamic mode: not ready, %zu permissions missing"), md);
	if (!r->sweep_ready) {
		missing_list(r, PREFLIGHT_NEED_SWEEP, &b);
		kj_nullv_pushf(&r->notices, _("cluster sweeps: missing %s"), b.data);
	}
	kj_buf_done(&b);

	if (!r->fixed_revocable || !r->dynamic_ready || !r->sweep_ready)
		r->health = TARGET_HEALTH_WARN;
	kj_buf_init(&b);
	kj_buf_printf(
	    &b, _("as %s: fixed %s, dynamic %s, sweep %s"), r->username ? r->username : _("(unknown user)"),
	    r->fixed_revocable ? _("ready")
	    : r->fixed_ready   ? _("expiry-only")
	                       : _("missing"),
	    r->dynamic_ready ? _("ready") : _("missing"), r->sweep_ready ? _("ready") : _("missing"));
	r->summary = kj_buf_steal(&b);
}

static void check_expiry(struct preflight_report *r, const struct target *t, int64_t warn)
{
	int64_t now = kj_now();
	char when[32], left[32];

	if (t->client_cert_pem) {
		struct csr_cert_info ci;
		kj_err e = {0};

		if (csr_cert_info(t->client_cert_pem, &ci, &e) == 0)
			r->cert_not_after = ci.not_after;
	}
	r->token_expires_at = t->token_expires_at;
	if (r->cert_not_after && r->cert_not_after - now < warn) {
		kj_time_rfc3339(r->cert_not_after, when, sizeof(when));
		kj_ttl_human(r->cert_not_after - now, left, sizeof(left));
		kj_nullv_pushf(
		    &r->notices,
		    _("the client certificate expires on %s (in %s); renew it with 'kubejit target add %s"
		      " --replace --csr ...'"),
		    when, left, t->name ? t->name : "NAME");
		r->health = TARGET_HEALTH_WARN;
	}
	if (r->token_expires_at && r->token_expires_at - now < warn) {
		kj_time_rfc3339(r->token_expires_at, when, sizeof(when));
		kj_ttl_human(r->token_expires_at - now, left, sizeof(left));
		kj_nullv_pushf(
		    &r->notices,
		    _("the target's token expires on %s (in %s); replace it before then with 'kubejit "
		      "target add"
		      " %s --replace ...'"),
		    when, left, t->name ? t->name : "NAME");
		r->health = TARGET_HEALTH_WARN;
	}
}

static int fail(struct preflight_report *r, kj_err *e)
{
	r->health = TARGET_HEALTH_FAIL;
	free(r->failure);
	r->failure = kj_xstrdup(e->msg);
	free(r->summary);
	r->summary = kj_xasprintf(_("failed: %s"), e->msg);
	return -1;
}

int preflight_run(struct engine *en, struct kube_client *kc, const struct target *t,
                  const struct preflight_opts *opts, struct preflight_report **out, kj_err *e)
{
	struct preflight_report *r = kj_xcalloc(1, sizeof(*r));
	struct kube_version v = {0};
	struct kube_user_info who = {0};
	kj_err we = {0};
	int64_t warn = opts && opts->cert_warn ? opts->cert_warn : engine_cert_warn(en);
	size_t i;

	*out = r;
	r->at = kj_now();
	r->server = kj_xstrdup(t->server);
	r->health = TARGET_HEALTH_OK;
	init_perms(r);

	if (kube_server_version(kc, &v, e) < 0) {
		r->reachable = e->cls != KJ_ERR_NETWORK;
		if (e->cls == KJ_ERR_AUTH) {
			kj_err_set(e, KJ_ERR_AUTH,
			           _("%s rejected the credentials of target \"%s\" (401 Unauthorized)"),
			           t->server, t->name ? t->name : "?");
			kj_err_hint(e, t->client_cert_pem
			                   ? _("the client certificate is not trusted, or has expired;"
			                       " get a new one (--csr)")
			                   : _("the token is wrong, expired or revoked; give a fresh one"));
		}
		return fail(r, e);
	}
	r->reachable = 1;
	r->tls_verified = !strncmp(t->server, "https://", 8);
	r->server_version = kj_xstrdup(v.git_version);
	kube_version_done(&v);

	if (kube_whoami(kc, &who, &we) < 0) {
		if (we.cls == KJ_ERR_AUTH) {
			kj_err_set(e, KJ_ERR_AUTH,
			           _("%s rejected the credentials of target \"%s\" (401 Unauthorized)"),
			           t->server, t->name ? t->name : "?");
			kj_err_hint(e, _("the token or certificate is wrong, expired or revoked; give fresh "
			                 "credentials"));
			return fail(r, e);
		}
		if (we.cls == KJ_ERR_NETWORK) {
			*e = we;
			return fail(r, e);
		}
		kj_nullv_pushf(&r->notices,
		               _("could not ask who the credentials are (SelfSubjectReview): %s"), we.msg);
	} else {
		r->authenticated = 1;
		r->username = kj_xstrdup(who.username);
		r->uid = kj_xstrdup(who.uid);
		for (i = 0; i < who.n_groups; i++)
			kj_nullv_push(&r->groups, who.groups[i]);
		kube_user_info_done(&who);
	}
	if (r->username && !strcmp(r->username, "system:anonymous")) {
		kj_err_set(
		    e, KJ_ERR_AUTH,
		    _("target \"%s\" has no credentials the cluster accepts (it sees system:anonymous)"),
		    t->name ? t->name : "?");
		kj_err_hint(e, _("give a token (--token-file) or a client certificate"));
		return fail(r, e);
	}
	check_expiry(r, t, warn);
	check_perms(kc, r, opts);
	judge(r, t);
	return 0;
}

/* ---- JSON ---------------------------------------------------------------- */

static cJSON *strv_json(char **v)
{
	cJSON *a = cJSON_CreateArray();

	for (; v && *v; v++)
		cJSON_AddItemToArray(a, cJSON_CreateString(*v));
	return a;
}

static const char *const need_names[] = {"fixed", "revocable", "dynamic", "sweep"};

cJSON *preflight_report_to_json(const struct preflight_report *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *user, *modes, *m, *perms, *fix;
	size_t i, k;

	cJSON_AddStringToObject(o, "health", target_health_name(r->health));
	kj_json_add_time(o, "checkedAt", r->at);
	kj_json_add_str_or_null(o, "server", r->server);
	cJSON_AddBoolToObject(o, "reachable", r->reachable);
	cJSON_AddBoolToObject(o, "tlsVerified", r->tls_verified);
	kj_json_add_str_or_null(o, "serverVersion", r->server_version);
	cJSON_AddBoolToObject(o, "authenticated", r->authenticated);
	user = cJSON_AddObjectToObject(o, "user");
	kj_json_add_str_or_null(user, "username", r->username);
	kj_json_add_str_or_null(user, "uid", r->uid);
	cJSON_AddItemToObject(user, "groups", strv_json(r->groups));
	kj_json_add_time(o, "certExpiresAt", r->cert_not_after);
	kj_json_add_time(o, "tokenExpiresAt", r->token_expires_at);
	modes = cJSON_AddObjectToObject(o, "modes");
	m = cJSON_AddObjectToObject(modes, "fixed");
	cJSON_AddBoolToObject(m, "ready", r->fixed_ready);
	cJSON_AddBoolToObject(m, "revocable", r->fixed_revocable);
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(modes, "dynamic"), "ready", r->dynamic_ready);
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(modes, "sweep"), "ready", r->sweep_ready);
	perms = cJSON_AddArrayToObject(o, "permissions");
	for (i = 0; i < r->n_perms; i++) {
		const struct preflight_perm *p = &r->perms[i];
		cJSON *po = cJSON_CreateObject();
		cJSON *need;

		cJSON_AddStringToObject(po, "verb", p->verb);
		cJSON_AddStringToObject(po, "group", p->group);
		cJSON_AddStringToObject(po, "resource", p->resource);
		cJSON_AddBoolToObject(po, "clusterScoped", p->cluster_scoped);
		need = cJSON_AddArrayToObject(po, "neededBy");
		for (k = 0; k < 4; k++)
			if (p->needed_by & (1u << k))
				cJSON_AddItemToArray(need, cJSON_CreateString(need_names[k]));
		cJSON_AddStringToObject(po, "state", preflight_state_name(p->state));
		cJSON_AddItemToObject(po, "namespaces", strv_json(p->namespaces));
		cJSON_AddStringToObject(po, "why", p->why);
		cJSON_AddItemToArray(perms, po);
	}
	cJSON_AddItemToObject(o, "namespacesChecked", strv_json(r->namespaces_checked));
	fix = cJSON_AddObjectToObject(o, "fix");
	kj_json_add_str_or_null(fix, "fixed", r->fix_yaml_fixed);
	kj_json_add_str_or_null(fix, "dynamic", r->fix_yaml_dynamic);
	kj_json_add_str_or_null(o, "failure", r->failure);
	cJSON_AddItemToObject(o, "notices", strv_json(r->notices));
	kj_json_add_str_or_null(o, "summary", r->summary);
	return o;
}

static char *get_str(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(it) ? kj_xstrdup(it->valuestring) : NULL;
}

static int get_bool(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int64_t get_time(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
	int64_t t = 0;

	if (cJSON_IsString(it))
		kj_time_parse_rfc3339(it->valuestring, &t);
	return t;
}

static char **get_strv(const cJSON *o, const char *key)
{
	const cJSON *it;
	char **v = NULL;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, key))
	{
		if (cJSON_IsString(it))
			kj_nullv_push(&v, it->valuestring);
	}
	return v;
}

int preflight_report_from_json(const char *json, struct preflight_report **out, kj_err *e)
{
	cJSON *o = json ? cJSON_Parse(json) : NULL;
	const cJSON *user, *modes, *fix, *it;
	struct preflight_report *r;
	char *health;
	size_t i;
	int h;

	*out = NULL;
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return kj_err_set(e, KJ_ERR_FAIL,
		                  _("the stored preflight report is unreadable; run 'kubejit target check'"));
	}
	r = kj_xcalloc(1, sizeof(*r));
	health = get_str(o, "health");
	h = target_health_parse(health);
	free(health);
	r->health = h < 0 ? TARGET_HEALTH_NEVER : (enum target_health)h;
	/* reports stored before the names followed kubejit(1)'s JSON convention */
	r->at = get_time(o, "checkedAt") ? get_time(o, "checkedAt") : get_time(o, "at");
	r->server = get_str(o, "server");
	r->reachable = get_bool(o, "reachable");
	r->tls_verified = get_bool(o, "tlsVerified");
	r->server_version = get_str(o, "serverVersion");
	r->authenticated = get_bool(o, "authenticated");
	user = cJSON_GetObjectItemCaseSensitive(o, "user");
	r->username = get_str(user, "username");
	r->uid = get_str(user, "uid");
	r->groups = get_strv(user, "groups");
	r->cert_not_after =
	    get_time(o, "certExpiresAt") ? get_time(o, "certExpiresAt") : get_time(o, "certNotAfter");
	r->token_expires_at = get_time(o, "tokenExpiresAt");
	modes = cJSON_GetObjectItemCaseSensitive(o, "modes");
	r->fixed_ready = get_bool(cJSON_GetObjectItemCaseSensitive(modes, "fixed"), "ready");
	r->fixed_revocable = get_bool(cJSON_GetObjectItemCaseSensitive(modes, "fixed"), "revocable");
	r->dynamic_ready = get_bool(cJSON_GetObjectItemCaseSensitive(modes, "dynamic"), "ready");
	r->sweep_ready = get_bool(cJSON_GetObjectItemCaseSensitive(modes, "sweep"), "ready");
	init_perms(r);
	/* states by (verb, group, resource): the static table is the schema */
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "permissions"))
	{
		const cJSON *verb = cJSON_GetObjectItemCaseSensitive(it, "verb");
		const cJSON *group = cJSON_GetObjectItemCaseSensitive(it, "group");
		const cJSON *res = cJSON_GetObjectItemCaseSensitive(it, "resource");
		const cJSON *state = cJSON_GetObjectItemCaseSensitive(it, "state");

		if (!cJSON_IsString(verb) || !cJSON_IsString(group) || !cJSON_IsString(res) ||
		    !cJSON_IsString(state))
			continue;
		for (i = 0; i < r->n_perms; i++) {
			struct preflight_perm *p = &r->perms[i];

			if (strcmp(p->verb, verb->valuestring) || strcmp(p->group, group->valuestring) ||
			    strcmp(p->resource, res->valuestring))
				continue;
			p->state = !strcmp(state->valuestring, "held")      ? PREFLIGHT_HELD
			           : !strcmp(state->valuestring, "partial") ? PREFLIGHT_PARTIAL
			           : !strcmp(state->valuestring, "missing") ? PREFLIGHT_MISSING
			                                                    : PREFLIGHT_UNKNOWN;
			p->namespaces = get_strv(it, "namespaces");
			break;
		}
	}
	r->namespaces_checked = get_strv(o, "namespacesChecked");
	fix = cJSON_GetObjectItemCaseSensitive(o, "fix");
	r->fix_yaml_fixed = get_str(fix, "fixed");
	r->fix_yaml_dynamic = get_str(fix, "dynamic");
	r->failure = get_str(o, "failure");
	r->notices = get_strv(o, "notices");
	r->summary = get_str(o, "summary");
	cJSON_Delete(o);
	*out = r;
	return 0;
}
