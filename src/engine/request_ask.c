/* request_ask: the requester's side of access requests (engine/request.h):
 * create, collect, wait, cancel. */
#include "engine/request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/request_priv.h"
#include "engine/reqcrypt.h"
#include "kube/api.h"
#include "util/b64.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

static char *key_ad(const char *id)
{
	return kj_xasprintf("requests/%s/key", id);
}

void request_audit_quiet(struct engine *en, const char *action, const char *secret, const char *lease,
                         const char *target, int ok, const char *detail)
{
	kj_err ignore;

	audit_record(en, action, secret, lease, target, ok, detail, &ignore);
}

static int check_new(const struct request_new *rq, char **path, kj_err *e)
{
	const char *r = rq->reason;
	size_t i;

	if (!rq->secret || !*rq->secret) {
		kj_err_set(e, KJ_ERR_USAGE, _("a request names the secret it asks for"));
		return kj_err_hint(e, _("kubejit request /team/read-pods --reason \"...\""));
	}
	if (!r || !*r) {
		kj_err_set(e, KJ_ERR_USAGE, _("a request needs a reason"));
		return kj_err_hint(e, _("say why with --reason TEXT; approvers read it"));
	}
	if (strlen(r) > REQUEST_REASON_MAX) {
		kj_err_set(e, KJ_ERR_INVALID, _("the reason is %zu bytes long; at most %d are kept"),
		           strlen(r), REQUEST_REASON_MAX);
		return kj_err_hint(e, _("shorten --reason"));
	}
	for (i = 0; r[i]; i++) {
		if ((unsigned char)r[i] < 0x20 && r[i] != '\t') {
			kj_err_set(e, KJ_ERR_INVALID, _("the reason contains a control character"));
			return kj_err_hint(e, _("write it on one line"));
		}
	}
	if (rq->ns && *rq->ns && !kj_is_dns1123_label(rq->ns)) {
		kj_err_set(e, KJ_ERR_INVALID, _("namespace \"%s\" is not a valid name"), rq->ns);
		return kj_err_hint(e, _("namespaces are lower-case letters, digits and '-', at most 63"));
	}
	if (rq->ttl < 0 || rq->ttl > SECRET_MAX_TTL_LIMIT) {
		kj_err_set(e, KJ_ERR_INVALID, _("--ttl is out of range"));
		return kj_err_hint(e, _("ask for at most 30d; the secret's own maximum applies"));
	}
	if (rq->expires_in && (rq->expires_in < REQUEST_MIN_EXPIRY || rq->expires_in > REQUEST_MAX_EXPIRY)) {
		kj_err_set(e, KJ_ERR_INVALID, _("--expires-in is out of range"));
		return kj_err_hint(e, _("a request stays open from 1s to 23h"));
	}
	return secret_path_normalize(rq->secret, path, e);
}

static cJSON *csr_body(const char *id, const char *csr_pem, const char *secret, const struct request_new *rq,
                       int64_t open_for)
{
	cJSON *o = cJSON_CreateObject(), *md = cJSON_AddObjectToObject(o, "metadata"), *l, *a, *spec, *u;
	char *b64 = kj_b64_encode(csr_pem, strlen(csr_pem)), num[32];

	cJSON_AddStringToObject(o, "apiVersion", "certificates.k8s.io/v1");
	cJSON_AddStringToObject(o, "kind", "CertificateSigningRequest");
	cJSON_AddStringToObject(md, "name", id);
	l = cJSON_AddObjectToObject(md, "labels");
	cJSON_AddStringToObject(l, "app.kubernetes.io/managed-by", "kubejit");
	cJSON_AddStringToObject(l, REQUEST_LABEL, "true");
	a = cJSON_AddObjectToObject(md, "annotations");
	cJSON_AddStringToObject(a, REQUEST_ANN_SECRET, secret);
	if (rq->ns && *rq->ns)
		cJSON_AddStringToObject(a, REQUEST_ANN_NAMESPACE, rq->ns);
	snprintf(num, sizeof num, "%lld", (long long)rq->ttl);
	cJSON_AddStringToObject(a, REQUEST_ANN_TTL, num);
	cJSON_AddStringToObject(a, REQUEST_ANN_REASON, rq->reason);
	snprintf(num, sizeof num, "%lld", (long long)open_for);
	cJSON_AddStringToObject(a, REQUEST_ANN_EXPIRES, num);
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddStringToObject(spec, "request", b64);
	cJSON_AddStringToObject(spec, "signerName", REQUEST_SIGNER);
	u = cJSON_AddArrayToObject(spec, "usages");
	/* what the key is for: agreeing on the key that seals the credential */
	cJSON_AddItemToArray(u, cJSON_CreateString("key agreement"));
	free(b64);
	return o;
}

int request_create(struct engine *en, const struct request_new *rq, struct request *out, kj_err *e)
{
	struct kube_client *kc;
	char *path = NULL, *t = NULL, *key = NULL, *csr = NULL, *sealed = NULL, *ad, *detail;
	char id[sizeof REQUEST_ID_PREFIX + 10];
	int64_t open_for = rq->expires_in ? rq->expires_in : REQUEST_DEFAULT_EXPIRY;
	cJSON *body, *made = NULL, *rec;
	struct request r;
	kj_err de;
	int rc = -1;

	if (out)
		memset(out, 0, sizeof(*out));
	if (check_new(rq, &path, e) < 0)
		return -1;
	if (request_pick_target(en, rq->target, &t, e) < 0 || request_client_of(en, t, &kc, e) < 0)
		goto out;
	memcpy(id, REQUEST_ID_PREFIX, 4);
	kj_random_suffix(id + 4, 10);
	id[14] = '\0';
	if (reqcrypt_keygen(id, &key, &csr, e) < 0)
		goto out;
	ad = key_ad(id);
	rc = engine_value_seal(en, ad, key, &sealed, e);
	free(ad);
	if (rc < 0)
		goto out;
	rc = -1;
	body = csr_body(id, csr, path, rq, open_for);
	if (kube_create(kc, KUBE_CSR, NULL, body, &made, e) < 0) {
		cJSON_Delete(body);
		if (e->cls == KJ_ERR_DENIED)
			kj_err_hint(e, _("your identity may not create certificatesigningrequests; a cluster "
			                 "admin grants what requesters need with 'kubejit rbac requester'"));
		kj_err_prefix(e, _("submitting access request for %s on target %s"), path, t);
		detail = kj_xasprintf("request for %s failed: %s", path, e->msg);
		request_audit_quiet(en, REQUEST_AUDIT_CREATE, path, NULL, t, 0, detail);
		free(detail);
		goto out;
	}
	cJSON_Delete(body);
	request_from_csr(en, t, made, &r);
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "id", id);
	cJSON_AddStringToObject(rec, "uid", r.uid ? r.uid : "");
	cJSON_AddStringToObject(rec, "target", t);
	cJSON_AddStringToObject(rec, "requester", r.requester ? r.requester : "");
	cJSON_AddItemToObject(
	    rec, "groups", kj_json_strings((const char *const *)r.requester_groups.v, r.requester_groups.n));
	cJSON_AddStringToObject(rec, "secret", path);
	if (rq->ns && *rq->ns)
		cJSON_AddStringToObject(rec, "namespace", rq->ns);
	cJSON_AddNumberToObject(rec, "ttl", (double)rq->ttl);
	cJSON_AddStringToObject(rec, "reason", rq->reason);
	cJSON_AddNumberToObject(rec, "created_at", (double)r.created_at);
	cJSON_AddNumberToObject(rec, "expires_at", (double)r.expires_at);
	cJSON_AddStringToObject(rec, "state", "pending");
	cJSON_AddStringToObject(rec, "key", sealed);
	if (request_local_write(en, id, rec, e) < 0) {
		/* without the key nobody could ever open the credential */
		kube_delete(kc, KUBE_CSR, NULL, id, &de);
		kube_json_free_secret(rec);
		cJSON_Delete(made);
		request_done(&r);
		goto out;
	}
	kube_json_free_secret(rec);
	cJSON_Delete(made);
	r.mine = 1;
	detail = kj_xasprintf("request %s for %s (namespace %s, ttl %llds) as %s: %s", id, path,
	                      rq->ns && *rq->ns ? rq->ns : "default of the secret", (long long)rq->ttl,
	                      r.requester ? r.requester : "?", rq->reason);
	request_audit_quiet(en, REQUEST_AUDIT_CREATE, path, NULL, t, 1, detail);
	free(detail);
	if (out)
		*out = r;
	else
		request_done(&r);
	rc = 0;
out:
	kj_free_secret(key);
	kj_free_secret(sealed);
	free(csr);
	free(path);
	free(t);
	return rc;
}

/* The local record of a request this home made, with its target. */
static int own(struct engine *en, const char *target, const char *id, cJSON **rec, char **t, kj_err *e)
{
	*rec = request_local_read(en, id);
	*t = NULL;
	if (!*rec) {
		kj_err_set(e, KJ_ERR_NOTFOUND, _("this home did not make request %s"), id ? id : "");
		return kj_err_hint(e, _("only the home that ran 'kubejit request' holds its key; 'kubejit "
		                        "requests --all' lists the requests on the cluster"));
	}
	*t = kj_xstrdup(target && *target ? target : kj_json_str0(*rec, "target"));
	return 0;
}

/* The credential inside a sealed payload, as a mint result. */
static int payload_result(const char *text, struct mint_result *out, kj_err *e)
{
	cJSON *j = cJSON_Parse(text);

	memset(out, 0, sizeof(*out));
	if (!j || !kj_json_str(j, "token") || !kj_json_str(j, "server")) {
		kube_json_free_secret(j);
		kj_err_set(e, KJ_ERR_INVALID,
		           _("the request's credential opened but is not a kubejit credential"));
		return kj_err_hint(e, _("the approver runs another kubejit version; ask for a new request"));
	}
	snprintf(out->lease_id, sizeof out->lease_id, "%s", kj_json_str0(j, "lease"));
	out->token = kj_xstrdup(kj_json_str(j, "token"));
	out->lease_expiry = kj_json_int(j, "lease_expiry", 0, INT64_MAX, 0);
	out->token_expiry = kj_json_int(j, "token_expiry", 0, INT64_MAX, 0);
	out->revocable = kj_json_int(j, "revocable", 0, 1, 0);
	secret_mode_parse(kj_json_str0(j, "mode"), &out->mode);
	out->secret = kj_xstrdup(kj_json_str(j, "secret"));
	out->target = kj_xstrdup(kj_json_str(j, "target"));
	out->ns = kj_xstrdup(kj_json_str(j, "namespace"));
	out->service_account = kj_xstrdup(kj_json_str(j, "service_account"));
	out->server = kj_xstrdup(kj_json_str(j, "server"));
	out->ca_pem = kj_xstrdup(kj_json_str(j, "ca"));
	out->tls_server_name = kj_xstrdup(kj_json_str(j, "tls_server_name"));
	out->ready_ms = -1;
	kube_json_free_secret(j);
	return 0;
}

static int collect_once(struct engine *en, const char *target, const char *id, struct mint_result *out,
                        enum request_state *state, kj_err *e)
{
	struct kube_client *kc;
	cJSON *rec = NULL, *csr = NULL;
	char *t = NULL, *key = NULL, *ad, *plain = NULL, *detail;
	struct request r;
	kj_err de;
	int rc = -1, gone;

	memset(&r, 0, sizeof r);
	memset(out, 0, sizeof(*out));
	*state = REQUEST_PENDING;
	if (own(en, target, id, &rec, &t, e) < 0)
		return -1;
	if (request_state_parse(kj_json_str0(rec, "state"), state) == 0 && *state != REQUEST_PENDING &&
	    *state != REQUEST_APPROVED) {
		kj_err_set(e, *state == REQUEST_DENIED ? KJ_ERR_DENIED : KJ_ERR_NOTFOUND,
		           _("request %s is %s already"), id, request_state_name(*state));
		kj_err_hint(e, _("ask again with 'kubejit request'"));
		goto out;
	}
	if (request_client_of(en, t, &kc, e) < 0)
		goto out;
	if (request_fetch(kc, id, &csr, e) < 0) {
		if (e->cls == KJ_ERR_NOTFOUND) {
			*state = REQUEST_EXPIRED;
			request_local_set_state(en, id, REQUEST_EXPIRED);
			kj_err_set(
			    e, KJ_ERR_NOTFOUND,
			    _("request %s is gone from the cluster (expired, or deleted by someone else)"),
			    id);
			kj_err_hint(e, _("ask again with 'kubejit request'"));
		}
		goto out;
	}
	if (strcmp(kube_meta(csr, "uid") ? kube_meta(csr, "uid") : "", kj_json_str0(rec, "uid"))) {
		kj_err_set(e, KJ_ERR_AUTH, _("request %s in the cluster is not the one this home made"), id);
		kj_err_hint(e, _("someone replaced it; nothing was read.  Ask again with 'kubejit request'"));
		goto out;
	}
	request_from_csr(en, t, csr, &r);
	*state = r.state;
	gone = 0;
	switch (r.state) {
	case REQUEST_PENDING:
		kj_err_set(e, KJ_ERR_CONFLICT, _("request %s is still pending"), id);
		kj_err_hint(e,
		            _("an approver runs 'kubejit approve %s'; wait with 'kubejit request --collect "
		              "%s --wait'"),
		            id, id);
		goto out;
	case REQUEST_DENIED:
		kj_err_set(e, KJ_ERR_DENIED, _("request %s was denied by %s: %s"), id,
		           r.decided_by ? r.decided_by : "?", r.deny_reason ? r.deny_reason : "");
		kj_err_hint(e, _("talk to the approver, or ask again with another reason"));
		gone = 1;
		break;
	case REQUEST_EXPIRED:
		kj_err_set(e, KJ_ERR_NOTFOUND, _("request %s expired"), id);
		kj_err_hint(e, _("ask again with 'kubejit request'"));
		gone = 1;
		break;
	default:
		break;
	}
	if (gone) {
		kube_delete(kc, KUBE_CSR, NULL, id, &de);
		request_local_set_state(en, id, r.state);
		detail = kj_xasprintf("request %s %s", id, request_state_name(r.state));
		request_audit_quiet(en, REQUEST_AUDIT_COLLECT, r.secret, r.lease_id, t, 0, detail);
		free(detail);
		goto out;
	}
	if (!r.delivered) {
		kj_err_set(e, KJ_ERR_CONFLICT, _("request %s is approved; the credential is not there yet"),
		           id);
		kj_err_hint(e, _("the approver's kubejit is still minting; wait with --wait"));
		goto out;
	}
	ad = key_ad(id);
	rc = engine_value_open(en, ad, kj_json_str0(rec, "key"), &key, e);
	free(ad);
	if (rc < 0)
		goto out;
	ad = reqcrypt_aad(id, r.uid);
	rc = reqcrypt_open(key, ad, kube_annotation(csr, REQUEST_ANN_SEALED), &plain, e);
	free(ad);
	if (rc == 0)
		rc = payload_result(plain, out, e);
	if (rc < 0) {
		detail = kj_xasprintf("request %s: %s", id, e->msg);
		request_audit_quiet(en, REQUEST_AUDIT_COLLECT, r.secret, r.lease_id, t, 0, detail);
		free(detail);
		goto out;
	}
	*state = REQUEST_COLLECTED;
	/* the ciphertext leaves the cluster with its request */
	if (kube_delete(kc, KUBE_CSR, NULL, id, &de) < 0)
		out->warning = kj_xasprintf(_("request %s could not be deleted from the cluster (%s); its "
		                              "sealed credential stays there until it expires"),
		                            id, de.msg);
	request_local_set_state(en, id, REQUEST_COLLECTED);
	detail = kj_xasprintf("request %s collected: lease %s of %s in %s, approved by %s", id, out->lease_id,
	                      out->secret ? out->secret : "?", out->ns ? out->ns : "?",
	                      r.decided_by ? r.decided_by : "?");
	request_audit_quiet(en, REQUEST_AUDIT_COLLECT, r.secret, out->lease_id, t, 1, detail);
	free(detail);
	rc = 0;
out:
	kj_free_secret(key);
	kj_free_secret(plain);
	request_done(&r);
	cJSON_Delete(csr);
	kube_json_free_secret(rec);
	free(t);
	return rc;
}

int request_collect(struct engine *en, const char *target, const char *id, struct mint_result *out, kj_err *e)
{
	enum request_state st;

	return collect_once(en, target, id, out, &st, e);
}

int request_wait(struct engine *en, const char *target, const char *id, request_wait_fn progress, void *ud,
                 struct mint_result *out, kj_err *e)
{
	enum request_state st;

	for (;;) {
		int64_t until;

		if (collect_once(en, target, id, out, &st, e) == 0)
			return 0;
		if (e->cls != KJ_ERR_CONFLICT)
			return -1;
		/* about twice a second, asking the cluster once a second */
		until = kj_mono_ms() + 1000;
		while (kj_mono_ms() < until) {
			if (progress && progress(ud, st))
				return kj_err_set(
				    e, KJ_ERR_CANCELLED,
				    _("stopped waiting for request %s (it stays open; collect it "
				      "later with 'kubejit request --collect %s')"),
				    id, id);
			usleep(500 * 1000);
		}
	}
}

int request_cancel(struct engine *en, const char *target, const char *id, kj_err *e)
{
	struct kube_client *kc;
	cJSON *rec = NULL, *csr = NULL;
	char *t = NULL, *detail;
	enum request_state st = REQUEST_PENDING;
	int rc = -1;

	if (own(en, target, id, &rec, &t, e) < 0)
		return -1;
	if (request_state_parse(kj_json_str0(rec, "state"), &st) == 0 && st != REQUEST_PENDING &&
	    st != REQUEST_APPROVED) {
		kj_err_set(e, KJ_ERR_CONFLICT, _("request %s is %s; there is nothing to cancel"), id,
		           request_state_name(st));
		kj_err_hint(e, _("'kubejit requests --all' shows what is open"));
		goto out;
	}
	if (request_client_of(en, t, &kc, e) < 0)
		goto out;
	if (request_fetch(kc, id, &csr, e) == 0 &&
	    strcmp(kube_meta(csr, "uid") ? kube_meta(csr, "uid") : "", kj_json_str0(rec, "uid"))) {
		kj_err_set(e, KJ_ERR_CONFLICT, _("request %s in the cluster is not the one this home made"),
		           id);
		kj_err_hint(e, _("nothing was deleted"));
		goto out;
	}
	if (!csr && e->cls != KJ_ERR_NOTFOUND)
		goto out;
	if (csr && kube_delete(kc, KUBE_CSR, NULL, id, e) < 0) {
		if (e->cls == KJ_ERR_DENIED)
			kj_err_hint(e,
			            _("your identity may not delete certificatesigningrequests; see 'kubejit "
			              "rbac requester'"));
		kj_err_prefix(e, _("cancelling request %s"), id);
		goto out;
	}
	request_local_set_state(en, id, REQUEST_CANCELLED);
	detail = kj_xasprintf("request %s cancelled%s", id, csr ? "" : " (it was no longer in the cluster)");
	request_audit_quiet(en, REQUEST_AUDIT_CANCEL, kj_json_str(rec, "secret"), NULL, t, 1, detail);
	free(detail);
	kj_err_clear(e);
	rc = 0;
out:
	cJSON_Delete(csr);
	kube_json_free_secret(rec);
	free(t);
	return rc;
}
