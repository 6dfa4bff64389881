/* target_bootstrap: target_bootstrap() of target.h, kept apart from
 * target.c because it acts on the cluster with admin credentials. */
#include <stdlib.h>
#include <string.h>

#include "engine/audit.h"
#include "engine/rbac_manifest.h"
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
