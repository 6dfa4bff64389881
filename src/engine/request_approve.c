/* request_approve: the approver's side of access requests
 * (engine/request.h): approve (which mints) and deny. */
#include "engine/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine/engine.h"
#include "engine/lease.h"
#include "engine/request_priv.h"
#include "engine/reqcrypt.h"
#include "kube/api.h"
#include "util/b64.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

/* What an approver hands the requester, sealed to the requester's key;
 * payload_result() in request_ask.c reads it back. */
static char *payload_text(const struct mint_result *m)
{
	cJSON *j = cJSON_CreateObject();
	char *s;

	cJSON_AddNumberToObject(j, "v", 1);
	cJSON_AddStringToObject(j, "lease", m->lease_id);
	cJSON_AddStringToObject(j, "token", m->token);
	cJSON_AddNumberToObject(j, "lease_expiry", (double)m->lease_expiry);
	cJSON_AddNumberToObject(j, "token_expiry", (double)m->token_expiry);
	cJSON_AddNumberToObject(j, "revocable", m->revocable);
	cJSON_AddStringToObject(j, "mode", secret_mode_name(m->mode));
	kj_json_add_str_or_null(j, "secret", m->secret);
	kj_json_add_str_or_null(j, "target", m->target);
	kj_json_add_str_or_null(j, "namespace", m->ns);
	kj_json_add_str_or_null(j, "service_account", m->service_account);
	kj_json_add_str_or_null(j, "server", m->server);
	kj_json_add_str_or_null(j, "ca", m->ca_pem);
	kj_json_add_str_or_null(j, "tls_server_name", m->tls_server_name);
	s = cJSON_PrintUnformatted(j);
	kube_json_free_secret(j);
	return s;
}

/* The approver's name as the API server knows it. */
static char *whoami(struct kube_client *kc)
{
	struct kube_user_info u;
	kj_err ignore;
	char *name = NULL;

	memset(&u, 0, sizeof u);
	if (kube_whoami(kc, &u, &ignore) == 0)
		name = kj_xstrdup(u.username);
	kube_user_info_done(&u);
	return name;
}

/* The API server decides who may approve (plugin/pkg/admission/
 * certificates/approval): ask it first, so a refusal comes before a mint
 * and names the missing permission. */
static int may_approve(struct kube_client *kc, const char *me, const char *id, kj_err *e)
{
	struct kube_access a = {"approve", "certificates.k8s.io", "signers", NULL, REQUEST_SIGNER, NULL,
	                        NULL};
	int allowed = 0;
	char *why = NULL;

	if (kube_can_i(kc, &a, &allowed, &why, e) < 0)
		return kj_err_prefix(e, _("asking whether you may approve request %s"), id);
	free(why);
	why = NULL;
	/* the API server also accepts approve on the domain wildcard */
	a.name = "kubejit.io/*";
	if (!allowed && kube_can_i(kc, &a, &allowed, &why, e) < 0)
		return kj_err_prefix(e, _("asking whether you may approve request %s"), id);
	free(why);
	if (allowed)
		return 0;
	kj_err_set(e, KJ_ERR_DENIED,
	           _("%s may not decide request %s: the API server lets only users with the verb "
	             "'approve' on signers \"%s\" (group certificates.k8s.io) approve or deny it"),
	           me ? me : _("this target's identity"), id, REQUEST_SIGNER);
	return kj_err_hint(e,
	                   _("a cluster admin grants it with 'kubejit rbac approver --user %s | kubectl "
	                     "apply -f -'"),
	                   me ? me : "NAME");
}

/* PUT .../approval with one more condition, on the resourceVersion read:
 * a request decided meanwhile is a conflict, not a second decision. */
static int put_condition(struct kube_client *kc, cJSON *csr, const char *type, const char *reason,
                         const char *message, kj_err *e)
{
	cJSON *st = cJSON_GetObjectItemCaseSensitive(csr, "status"), *conds, *c;
	char now[32], *path, *body;
	int rc;

	if (!cJSON_IsObject(st)) {
		cJSON_DeleteItemFromObjectCaseSensitive(csr, "status");
		st = cJSON_AddObjectToObject(csr, "status");
	}
	conds = cJSON_GetObjectItemCaseSensitive(st, "conditions");
	if (!cJSON_IsArray(conds)) {
		cJSON_DeleteItemFromObjectCaseSensitive(st, "conditions");
		conds = cJSON_AddArrayToObject(st, "conditions");
	}
	c = cJSON_CreateObject();
	kj_time_rfc3339(kj_now(), now, sizeof now);
	cJSON_AddStringToObject(c, "type", type);
	cJSON_AddStringToObject(c, "status", "True");
	cJSON_AddStringToObject(c, "reason", reason);
	cJSON_AddStringToObject(c, "message", message);
	cJSON_AddStringToObject(c, "lastUpdateTime", now);
	cJSON_AddItemToArray(conds, c);
	path = kube_kind_subpath(kube_kind(KUBE_CSR), NULL, kube_meta(csr, "name"), "approval");
	body = cJSON_PrintUnformatted(csr);
	rc = kube_request(kc, "PUT", path, NULL, body, NULL, e);
	free(body);
	free(path);
	return rc;
}

/* Set annotations on the CSR (metadata only: the API server keeps spec and
 * status of a plain update), retrying on a conflict. */
static int annotate(struct kube_client *kc, const char *id, const char *const *kv, size_t n, kj_err *e)
{
	int tries;

	for (tries = 0; tries < 5; tries++) {
		cJSON *csr = NULL, *md, *a;
		size_t i;
		int rc;

		if (kube_get(kc, KUBE_CSR, NULL, id, &csr, e) < 0)
			return -1;
		md = cJSON_GetObjectItemCaseSensitive(csr, "metadata");
		a = cJSON_GetObjectItemCaseSensitive(md, "annotations");
		if (!cJSON_IsObject(a)) {
			cJSON_DeleteItemFromObjectCaseSensitive(md, "annotations");
			a = cJSON_AddObjectToObject(md, "annotations");
		}
		for (i = 0; i + 1 < n; i += 2) {
			cJSON_DeleteItemFromObjectCaseSensitive(a, kv[i]);
			cJSON_AddStringToObject(a, kv[i], kv[i + 1]);
		}
		rc = kube_update(kc, KUBE_CSR, NULL, csr, NULL, e);
		cJSON_Delete(csr);
		if (rc == 0)
			return 0;
		if (e->cls != KJ_ERR_CONFLICT)
			return -1;
	}
	return -1;
}

/* A request that can still be decided, read through `t`. */
static int decidable(struct engine *en, struct kube_client *kc, const char *t, const char *id, cJSON **csr,
                     struct request *r, kj_err *e)
{
	kj_err de;

	memset(r, 0, sizeof(*r));
	if (request_fetch(kc, id, csr, e) < 0)
		return -1;
	request_from_csr(en, t, *csr, r);
	switch (r->state) {
	case REQUEST_PENDING:
		return 0;
	case REQUEST_EXPIRED:
		kj_err_set(e, KJ_ERR_CONFLICT, _("request %s expired; nothing was minted"), id);
		kj_err_hint(e, _("the requester can ask again"));
		kube_delete(kc, KUBE_CSR, NULL, id, &de);
		return -1;
	case REQUEST_APPROVED:
		kj_err_set(e, KJ_ERR_CONFLICT,
		           _("request %s was approved already (by %s); it cannot be decided twice"), id,
		           r->decided_by ? r->decided_by : "?");
		return kj_err_hint(e, _("nothing was minted"));
	default:
		kj_err_set(e, KJ_ERR_CONFLICT,
		           _("request %s was denied already (by %s); it cannot be decided twice"), id,
		           r->decided_by ? r->decided_by : "?");
		return kj_err_hint(e, _("nothing was minted"));
	}
}

static char *csr_pem_of(const cJSON *csr)
{
	size_t n = 0;
	unsigned char *raw =
	    kj_b64_decode(kj_json_str0(cJSON_GetObjectItemCaseSensitive(csr, "spec"), "request"), &n);
	char *s;

	if (!raw)
		return NULL;
	s = kj_xstrndup((const char *)raw, n);
	free(raw);
	return s;
}

int request_approve(struct engine *en, const char *target, const char *id,
                    const struct request_approve_opts *o, char **lease_id, kj_err *e)
{
	struct kube_client *kc;
	struct request r;
	struct secret s;
	struct mint_request mr;
	struct mint_result m;
	cJSON *csr = NULL;
	char *t = NULL, *me = NULL, *pem = NULL, *ns = NULL, *msg, *ad, *sealed = NULL, *plain, *detail;
	char exp[32], group_txt[512];
	int64_t ttl = 0;
	int minted = 0, rc = -1, have_secret = 0;
	kj_err re;

	memset(&r, 0, sizeof r);
	memset(&m, 0, sizeof m);
	if (lease_id)
		*lease_id = NULL;
	if (request_pick_target(en, target, &t, e) < 0)
		return -1;
	if (request_client_of(en, t, &kc, e) < 0)
		goto out;
	/* the permission first: an identity without it may not even read requests */
	me = whoami(kc);
	if (may_approve(kc, me, id, e) < 0)
		goto refused;
	if (decidable(en, kc, t, id, &csr, &r, e) < 0)
		goto out;
	pem = csr_pem_of(csr);
	if (reqcrypt_check_csr(pem, e) < 0)
		goto out;
	if (!r.secret || secret_get(en, r.secret, &s, e) < 0) {
		kj_err_set(e, KJ_ERR_NOTFOUND,
		           _("request %s asks for secret %s, which this home does not have"), id,
		           r.secret ? r.secret : "(none)");
		kj_err_hint(e, _("approve it from the kubejit that holds the secret, or deny it"));
		goto out;
	}
	have_secret = 1;
	if (me && r.requester && !strcmp(me, r.requester) && !s.self_approval) {
		kj_err_set(e, KJ_ERR_DENIED,
		           _("request %s was made by %s, who is you: you may not approve your own request"),
		           id, me);
		kj_err_hint(e,
		            _("another approver decides it; or let the secret allow it with 'kubejit secret "
		              "edit %s --self-approval'"),
		            r.secret);
		goto refused;
	}
	if (o && o->ttl && r.ttl && o->ttl > r.ttl) {
		kj_err_set(e, KJ_ERR_USAGE, _("--ttl may shorten what request %s asks for, not lengthen it"),
		           id);
		kj_err_hint(e, _("give at most the requested TTL"));
		goto out;
	}
	if (secret_resolve_ttl(&s, o && o->ttl ? o->ttl : r.ttl, &ttl, e) < 0 ||
	    secret_resolve_namespace(&s, r.ns, &ns, e) < 0) {
		kj_err_prefix(e, _("request %s"), id);
		goto refused;
	}
	memset(&mr, 0, sizeof mr);
	mr.secret = r.secret;
	mr.ns = ns;
	mr.ttl = ttl;
	mr.step = o ? o->step : NULL;
	mr.step_ud = o ? o->step_ud : NULL;
	mr.ready_timeout_ms = o ? o->ready_timeout_ms : 0;
	if (mint_run(en, &mr, &m, e) < 0) {
		kj_err_prefix(e, _("minting for request %s"), id);
		goto refused;
	}
	minted = 1;
	msg = kj_xasprintf("approved by %s with kubejit: %s in %s for %llds (lease %s)", me ? me : "?",
	                   r.secret, ns, (long long)ttl, m.lease_id);
	rc = put_condition(kc, csr, "Approved", REQUEST_REASON_APPROVED, msg, e);
	free(msg);
	if (rc < 0) {
		if (e->cls == KJ_ERR_CONFLICT || e->cls == KJ_ERR_INVALID)
			kj_err_hint(
			    e,
			    _("someone decided request %s meanwhile; the credential minted for it was "
			      "revoked"),
			    id);
		kj_err_prefix(e, _("approving request %s"), id);
		rc = -1;
		goto refused;
	}
	rc = -1;
	plain = payload_text(&m);
	ad = reqcrypt_aad(id, r.uid);
	if (reqcrypt_seal(pem, ad, plain, &sealed, e) == 0) {
		const char *kv[8];

		kj_time_rfc3339(m.lease_expiry, exp, sizeof exp);
		kv[0] = REQUEST_ANN_SEALED;
		kv[1] = sealed;
		kv[2] = REQUEST_ANN_LEASE;
		kv[3] = m.lease_id;
		kv[4] = REQUEST_ANN_LEASE_EXP;
		kv[5] = exp;
		kv[6] = REQUEST_ANN_DECIDER;
		kv[7] = me ? me : "?";
		if (annotate(kc, id, kv, 8, e) == 0)
			rc = 0;
		else
			kj_err_prefix(e, _("storing the sealed credential on request %s"), id);
	}
	free(ad);
	kj_free_secret(plain);
	if (rc < 0)
		goto refused;
	{
		char *g = kj_strv_join(&r.requester_groups, ",");

		snprintf(group_txt, sizeof group_txt, "%s", g);
		free(g);
	}
	detail = kj_xasprintf("approved request %s of %s (groups %s) as %s: %s in %s for %llds; reason: %s",
	                      id, r.requester ? r.requester : "?", group_txt, me ? me : "?", r.secret, ns,
	                      (long long)ttl, r.reason ? r.reason : "");
	request_audit_quiet(en, REQUEST_AUDIT_APPROVE, r.secret, m.lease_id, t, 1, detail);
	free(detail);
	if (lease_id)
		*lease_id = kj_xstrdup(m.lease_id);
	goto out;
refused:
	if (minted) {
		/* nobody may hold a credential for a request that was not approved */
		lease_revoke(en, m.lease_id, &re);
	}
	detail = kj_xasprintf("approving request %s of %s failed: %s", id, r.requester ? r.requester : "?",
	                      e->msg);
	request_audit_quiet(en, REQUEST_AUDIT_APPROVE, r.secret, minted ? m.lease_id : NULL, t, 0, detail);
	free(detail);
out:
	if (minted)
		mint_result_done(&m);
	if (have_secret)
		secret_done(&s);
	kj_free_secret(sealed);
	request_done(&r);
	cJSON_Delete(csr);
	free(pem);
	free(ns);
	free(me);
	free(t);
	return rc;
}

int request_deny(struct engine *en, const char *target, const char *id, const char *reason, kj_err *e)
{
	struct kube_client *kc;
	struct request r;
	cJSON *csr = NULL;
	char *t = NULL, *me = NULL, *detail;
	const char *kv[2];
	kj_err ae;
	int rc = -1;

	memset(&r, 0, sizeof r);
	if (!reason || !*reason) {
		kj_err_set(e, KJ_ERR_USAGE, _("a denial needs a reason"));
		return kj_err_hint(e, _("say why with --reason TEXT; the requester reads it"));
	}
	if (strlen(reason) > REQUEST_REASON_MAX) {
		kj_err_set(e, KJ_ERR_INVALID, _("the reason is %zu bytes long; at most %d are kept"),
		           strlen(reason), REQUEST_REASON_MAX);
		return kj_err_hint(e, _("shorten --reason"));
	}
	if (request_pick_target(en, target, &t, e) < 0)
		return -1;
	if (request_client_of(en, t, &kc, e) < 0)
		goto out;
	me = whoami(kc);
	if (may_approve(kc, me, id, e) < 0)
		goto failed;
	if (decidable(en, kc, t, id, &csr, &r, e) < 0)
		goto out;
	if (put_condition(kc, csr, "Denied", REQUEST_REASON_DENIED, reason, e) < 0) {
		kj_err_prefix(e, _("denying request %s"), id);
		goto failed;
	}
	kv[0] = REQUEST_ANN_DECIDER;
	kv[1] = me ? me : "?";
	annotate(kc, id, kv, 2, &ae); /* the Denied condition is what counts */
	detail = kj_xasprintf("denied request %s of %s for %s as %s: %s", id, r.requester ? r.requester : "?",
	                      r.secret ? r.secret : "?", me ? me : "?", reason);
	request_audit_quiet(en, REQUEST_AUDIT_DENY, r.secret, NULL, t, 1, detail);
	free(detail);
	rc = 0;
	goto out;
failed:
	detail = kj_xasprintf("denying request %s failed: %s", id, e->msg);
	request_audit_quiet(en, REQUEST_AUDIT_DENY, r.secret, NULL, t, 0, detail);
	free(detail);
out:
	request_done(&r);
	cJSON_Delete(csr);
	free(me);
	free(t);
	return rc;
}
