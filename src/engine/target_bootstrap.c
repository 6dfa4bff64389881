/* target_bootstrap: target_bootstrap() of target.h, kept apart from
 * target.c because it acts on the cluster with admin credentials. */
#include <stdlib.h>
#include <string.h>

#include "engine/audit.h"
#include "engine/lease.h"
#include "engine/rbac_manifest.h"
#include "engine/ready.h"
#include "engine/target.h"
#include "kube/api.h"
#include "kube/kubeconfig.h"
#include "store/targets.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/strv.h"

static const enum kube_kind_id manifest_kinds[3] = {KUBE_SERVICEACCOUNT, KUBE_CLUSTERROLE,
                                                    KUBE_CLUSTERROLEBINDING};

/* Create, or bring an existing object in line (ServiceAccounts are kept as
 * they are: only their name matters). */
static int apply(struct kube_client *kc, enum kube_kind_id kind, cJSON *obj, kj_err *e)
{
	const char *ns = kube_meta(obj, "namespace");
	const char *name = kube_meta(obj, "name");
	cJSON *cur = NULL;
	const char *rv;
	int rc;

	if (kube_create(kc, kind, ns, obj, NULL, e) == 0)
		return 0;
	if (e->cls != KJ_ERR_CONFLICT)
		return -1;
	if (kind == KUBE_SERVICEACCOUNT)
		return 0;
	if (kube_get(kc, kind, ns, name, &cur, e) < 0)
		return -1;
	rv = kube_meta(cur, "resourceVersion");
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "resourceVersion",
	                        rv ? rv : "");
	rc = kube_update(kc, kind, ns, obj, NULL, e);
	cJSON_Delete(cur);
	return rc;
}

static int say(const struct target_bootstrap_spec *s, const char *msg)
{
	return s->progress ? s->progress(s->progress_ud, msg) : 0;
}

/* The new ClusterRoleBinding reaches the API server's authorizer a moment
 * later (its informer caches): ask as the new token for the ClusterRole's
 * first rule until it is allowed, so the preflight that follows sees what
 * was just applied. */
static int await_rbac(const struct kube_conn *admin_conn, const char *token, const cJSON *role, kj_err *e)
{
	struct kube_conn c = *admin_conn;
	struct kube_client *tc = NULL;
	struct ready_probe p = {0};
	int64_t took = 0;
	int rc;

	c.token = token;
	c.token_file = NULL;
	c.client_cert = NULL;
	c.client_key = NULL;
	c.exec = NULL;
	if (ready_probe_from_rules(cJSON_GetObjectItemCaseSensitive(role, "rules"), NULL, &p) < 0) {
		ready_probe_done(&p);
		return 0;
	}
	if (kube_client_new(&c, &tc, e) < 0) {
		ready_probe_done(&p);
		return -1;
	}
	rc = ready_wait(tc, &p, 0, &took, e);
	if (rc < 0)
		kj_err_prefix(e, _("waiting for the new ClusterRoleBinding to take effect"));
	kube_client_free(tc);
	ready_probe_done(&p);
	return rc;
}

int target_bootstrap(struct engine *en, const struct target_bootstrap_spec *s, struct target_add_result *out,
                     kj_err *e)
{
	struct rbac_manifest_opts mo = {0};
	struct kubeconfig *kcfg = NULL;
	struct kube_context_info ci = {0};
	struct kube_conn conn = {0};
	struct kube_client *admin = NULL;
	struct kube_token_spec ts = {0};
	struct kube_token tok = {0};
	struct target_spec ts_add = {0};
	struct target existing;
	cJSON *objs[3] = {NULL, NULL, NULL};
	kj_err le = {0};
	char *msg;
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (s->name && store_target_get(engine_db(en), s->name, &existing, &le) == 0) {
		target_done(&existing);
		kj_err_set(e, KJ_ERR_CONFLICT, _("a target named \"%s\" already exists"), s->name);
		return kj_err_hint(
		    e, _("pick another name, or remove the old one with 'kubejit target rm %s'"), s->name);
	}
	mo.mode = s->mode;
	mo.namespace_ = s->namespace_;
	mo.name = s->sa_name;
	if (rbac_manifest_objects(&mo, objs, e) < 0)
		return -1;
	/* `target bootstrap --remove NAME` finds them again by this label */
	for (i = 0; s->name && i < 3; i++)
		cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(
		                            cJSON_GetObjectItemCaseSensitive(objs[i], "metadata"), "labels"),
		                        TARGET_BOOTSTRAP_LABEL, s->name);
	if (kubeconfig_load(s->kubeconfig_path, &kcfg, e) < 0) {
		kj_err_prefix(e, _("reading kubeconfig"));
		goto out;
	}
	if (kubeconfig_resolve(kcfg, s->context, &ci, e) < 0)
		goto out;
	/* the admin credentials go only where --from-kubeconfig would send a
	 * target's: a verified https:// server */
	if (target_check_context(&ci, ci.server, e) < 0)
		goto out;
	kube_context_to_conn(&ci, &conn);
	if (kube_client_new(&conn, &admin, e) < 0)
		goto out;

	for (i = 0; i < 3; i++) {
		if (apply(admin, manifest_kinds[i], objs[i], e) < 0) {
			kj_err_prefix(e, _("applying the %s manifest with context \"%s\""),
			              target_mode_name(s->mode), ci.context);
			if (e->cls == KJ_ERR_DENIED)
				kj_err_hint(e, _("use an admin context (--context) that may create "
				                 "ClusterRoles and bindings"));
			goto out;
		}
	}
	msg = kj_xasprintf(_("applied ServiceAccount %s/%s, ClusterRole and ClusterRoleBinding %s"),
	                   kube_meta(objs[0], "namespace"), kube_meta(objs[0], "name"),
	                   kube_meta(objs[1], "name"));
	say(s, msg);
	free(msg);

	ts.expiration_seconds = s->token_seconds > 0 ? s->token_seconds : 365 * 86400;
	if (kube_token_request(admin, kube_meta(objs[0], "namespace"), kube_meta(objs[0], "name"), &ts, &tok,
	                       e) < 0) {
		kj_err_prefix(e, _("minting the token of %s/%s"), kube_meta(objs[0], "namespace"),
		              kube_meta(objs[0], "name"));
		goto out;
	}

	if (await_rbac(&conn, tok.token, objs[1], e) < 0)
		goto out;

	ts_add.name = s->name;
	ts_add.auth = TARGET_AUTH_TOKEN;
	ts_add.server = ci.server;
	ts_add.ca_pem = ci.ca_pem;
	ts_add.tls_server_name = ci.tls_server_name;
	ts_add.token = tok.token;
	if (target_add(en, &ts_add, out, e) < 0)
		goto out;
	msg = kj_xasprintf("%s mode: ServiceAccount %s/%s, ClusterRole %s, context %s",
	                   target_mode_name(s->mode), kube_meta(objs[0], "namespace"),
	                   kube_meta(objs[0], "name"), kube_meta(objs[1], "name"), ci.context);
	audit_record(en, TARGET_AUDIT_BOOTSTRAP, NULL, NULL, s->name, 1, msg, &le);
	free(msg);
	for (i = 0; i < tok.n_warnings; i++)
		kj_nullv_pushf(&out->notices, _("the cluster shortened the token: %s"), tok.warnings[i]);
	rc = 0;
out:
	kube_token_done(&tok);
	kube_client_free(admin);
	kube_context_info_done(&ci);
	kubeconfig_free(kcfg);
	for (i = 0; i < 3; i++)
		cJSON_Delete(objs[i]);
	return rc;
}

/* ---- undoing a bootstrap ----------------------------------------------------- */

void target_bootstrap_found_done(struct target_bootstrap_found *f)
{
	for (size_t i = 0; f && i < f->n; i++) {
		free(f->v[i].kind);
		free(f->v[i].ns);
		free(f->v[i].name);
	}
	if (f) {
		free(f->v);
		memset(f, 0, sizeof(*f));
	}
}

static int admin_client(const struct target_bootstrap_spec *s, struct kube_client **out, char **ctx,
                        kj_err *e)
{
	struct kubeconfig *kcfg = NULL;
	struct kube_context_info ci = {0};
	struct kube_conn conn = {0};
	int rc = -1;

	*out = NULL;
	if (kubeconfig_load(s->kubeconfig_path, &kcfg, e) < 0) {
		kj_err_prefix(e, _("reading kubeconfig"));
		return -1;
	}
	if (kubeconfig_resolve(kcfg, s->context, &ci, e) == 0) {
		kube_context_to_conn(&ci, &conn);
		rc = kube_client_new(&conn, out, e);
		*ctx = kj_xstrdup(ci.context);
	}
	kube_context_info_done(&ci);
	kubeconfig_free(kcfg);
	return rc;
}

static int refuse_live_leases(struct engine *en, const char *name, kj_err *e)
{
	struct lease_filter f = LEASE_FILTER_ANY;
	struct lease *v = NULL;
	size_t n = 0;

	f.target = name;
	f.live_only = 1;
	if (lease_list(en, &f, &v, &n, e) < 0)
		return -1;
	lease_list_free(v, n);
	if (n == 0)
		return 0;
	kj_err_set(e, KJ_ERR_CONFLICT,
	           _("target \"%s\" has %zu live lease(s); revoking them needs the account bootstrap made"),
	           name, n);
	return kj_err_hint(e,
	                   _("revoke them first ('kubejit leases' lists them, 'kubejit revoke ID...'), then "
	                     "run this again"));
}

static const struct {
	enum kube_kind_id kind;
	const char *name;
	int namespaced;
} removal_order[] = {
    {KUBE_CLUSTERROLEBINDING, "ClusterRoleBinding", 0},
    {KUBE_CLUSTERROLE, "ClusterRole", 0},
    {KUBE_SERVICEACCOUNT, "ServiceAccount", 1},
};

static int find_with(struct kube_client *kc, const char *name, struct target_bootstrap_found *out, kj_err *e)
{
	char *sel = kj_xasprintf("%s=%s", TARGET_BOOTSTRAP_LABEL, name);
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (size_t k = 0; k < sizeof(removal_order) / sizeof(removal_order[0]) && rc == 0; k++) {
		cJSON *list = NULL;
		const cJSON *it;

		if (kube_list(kc, removal_order[k].kind, NULL, sel, &list, e) < 0) {
			rc = -1;
			break;
		}
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(list, "items"))
		{
			const char *ns = kube_meta(it, "namespace");
			out->v = kj_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
			out->v[out->n].kind = kj_xstrdup(removal_order[k].name);
			out->v[out->n].ns = removal_order[k].namespaced && ns ? kj_xstrdup(ns) : NULL;
			out->v[out->n].name = kj_xstrdup(kube_meta(it, "name"));
			out->n++;
		}
		cJSON_Delete(list);
	}
	free(sel);
	if (rc < 0)
		target_bootstrap_found_done(out);
	return rc;
}

int target_bootstrap_find(struct engine *en, const struct target_bootstrap_spec *s,
                          struct target_bootstrap_found *out, kj_err *e)
{
	struct kube_client *kc = NULL;
	char *ctx = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!s->name || !*s->name)
		return kj_err_set(e, KJ_ERR_USAGE, _("name the bootstrapped target to remove"));
	if (refuse_live_leases(en, s->name, e) < 0)
		return -1;
	if (admin_client(s, &kc, &ctx, e) < 0) {
		free(ctx);
		return -1;
	}
	rc = find_with(kc, s->name, out, e);
	if (rc < 0)
		kj_err_prefix(e, _("listing what bootstrap made for \"%s\" with context \"%s\""), s->name,
		              ctx);
	kube_client_free(kc);
	free(ctx);
	return rc;
}

int target_bootstrap_remove(struct engine *en, const struct target_bootstrap_spec *s,
                            struct target_bootstrap_found *deleted, int *target_kept, kj_err *e)
{
	struct kube_client *kc = NULL;
	struct target_bootstrap_found f;
	struct target t;
	kj_err le = {0};
	char *ctx = NULL;
	int rc = -1;

	memset(deleted, 0, sizeof(*deleted));
	*target_kept = 0;
	if (refuse_live_leases(en, s->name, e) < 0)
		return -1;
	if (admin_client(s, &kc, &ctx, e) < 0)
		goto out;
	if (find_with(kc, s->name, &f, e) < 0)
		goto out;
	for (size_t i = 0; i < f.n; i++) {
		enum kube_kind_id kind = KUBE_SERVICEACCOUNT;

		for (size_t k = 0; k < sizeof(removal_order) / sizeof(removal_order[0]); k++)
			if (!strcmp(removal_order[k].name, f.v[i].kind))
				kind = removal_order[k].kind;
		if (kube_delete(kc, kind, f.v[i].ns, f.v[i].name, e) < 0) {
			kj_err_prefix(e, _("deleting %s %s with context \"%s\""), f.v[i].kind, f.v[i].name,
			              ctx);
			target_bootstrap_found_done(&f);
			goto out;
		}
	}
	*deleted = f;
	if (store_target_get(engine_db(en), s->name, &t, &le) == 0) {
		target_done(&t);
		if (target_remove(en, s->name, &le) < 0)
			*target_kept = 1;
	}
	{
		char *detail = kj_xasprintf("deleted %zu object(s) with context %s%s", deleted->n, ctx,
		                            *target_kept ? "; target kept (secrets use it)" : "");
		audit_record(en, TARGET_AUDIT_UNBOOTSTRAP, NULL, NULL, s->name, 1, detail, &le);
		free(detail);
	}
	rc = 0;
out:
	kube_client_free(kc);
	free(ctx);
	return rc;
}
