/* target_renew: a token target renews its own ServiceAccount token (the
 * renewal part of target.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine/audit.h"
#include "engine/csr.h"
#include "engine/engine.h"
#include "engine/target.h"
#include "kube/api.h"
#include "store/db.h"
#include "store/targets.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/jwt.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/strv.h"
#include "util/timeutil.h"

void target_token_renewal(struct target *t, const char *token)
{
	cJSON *claims = NULL;
	const cJSON *k8s, *sa, *exp, *iat;
	const char *ns, *name;
	kj_err ignore = {0};

	free(t->renew_sa);
	t->renew_sa = NULL;
	t->token_seconds = 0;
	if (!token || kj_jwt_decode(token, NULL, &claims, &ignore) < 0)
		return;
	k8s = cJSON_GetObjectItemCaseSensitive(claims, "kubernetes.io");
	sa = cJSON_GetObjectItemCaseSensitive(k8s, "serviceaccount");
	ns = kj_json_str(k8s, "namespace");
	name = kj_json_str(sa, "name");
	exp = cJSON_GetObjectItemCaseSensitive(claims, "exp");
	iat = cJSON_GetObjectItemCaseSensitive(claims, "iat");
	/* legacy Secret-based tokens never expire: nothing to renew */
	if (ns && name && cJSON_IsNumber(exp) && cJSON_IsNumber(iat) && exp->valuedouble > iat->valuedouble) {
		t->renew_sa = kj_xasprintf("%s/%s", ns, name);
		/* numbers from the token are bounded before any arithmetic (exp 1e300) */
		t->token_seconds = kj_clamp_double(exp->valuedouble, 0, KJ_TIME_MAX) -
		                   kj_clamp_double(iat->valuedouble, 0, KJ_TIME_MAX);
	}
	cJSON_Delete(claims);
}

/* A certificate kubejit made through a CSR is due, like a token, once 80 %
 * of its lifetime has passed. */
static int64_t cert_renew_due(const struct target *t)
{
	struct csr_cert_info ci;
	kj_err ignore = {0};

	if (t->auth != TARGET_AUTH_CLIENT_CERT || !t->csr_name || !t->client_cert_pem ||
	    csr_cert_info(t->client_cert_pem, &ci, &ignore) < 0 || ci.not_after <= ci.not_before)
		return 0;
	return ci.not_after - (ci.not_after - ci.not_before) / 5;
}

int64_t target_renew_due(const struct target *t)
{
	if (t->auth == TARGET_AUTH_CLIENT_CERT)
		return cert_renew_due(t);
	if (t->auth != TARGET_AUTH_TOKEN || !t->renew_sa || !t->token_expires_at || t->token_seconds <= 0)
		return 0;
	return t->token_expires_at - t->token_seconds / 5;
}

void target_renew_result_done(struct target_renew_result *r)
{
	if (!r)
		return;
	free(r->service_account);
	free(r->csr_name);
	kj_nullv_free(r->warnings);
	memset(r, 0, sizeof(*r));
}

/* TokenRequest for the target's own account, asked with its current token;
 * on success t and cred hold the new token, saved (sealed as the store is). */
static int renew(struct engine *en, struct target *t, struct target_cred *cred,
                 struct target_renew_result *out, kj_err *e)
{
	struct kube_client *kc = NULL;
	struct kube_token_spec ts = {0};
	struct kube_token tok = {0};
	struct target_cred sealed = {0};
	char *ns = NULL, *slash;
	int rc = -1;

	if (t->token_expires_at && t->token_expires_at < kj_now()) {
		char when[32];

		kj_time_rfc3339(t->token_expires_at, when, sizeof(when));
		kj_err_set(e, KJ_ERR_AUTH,
		           _("the token of target \"%s\" expired on %s, so it cannot renew itself"), t->name,
		           when);
		return kj_err_hint(e,
		                   _("give it a new token with 'kubejit target add %s --replace ...', or run "
		                     "'kubejit target bootstrap' again"),
		                   t->name);
	}
	ns = kj_xstrdup(t->renew_sa);
	slash = strchr(ns, '/');
	*slash = '\0';
	if (engine_connect(en, t, cred, &kc, e) < 0)
		goto out;
	ts.expiration_seconds = t->token_seconds;
	if (kube_token_request(kc, ns, slash + 1, &ts, &tok, e) < 0) {
		kj_err_prefix(e, _("renewing the token of target \"%s\" (ServiceAccount %s)"), t->name,
		              t->renew_sa);
		if (e->cls == KJ_ERR_DENIED)
			kj_err_hint(
			    e,
			    _("grant the account 'create serviceaccounts/token' on itself ('kubejit rbac "
			      "fixed' includes it), or renew the token by hand before %s"),
			    t->name);
		goto out;
	}
	kj_free_secret(cred->token);
	cred->token = kj_xstrdup(tok.token);
	t->token_expires_at = tok.expires_at;
	t->token_seconds = tok.expiration_seconds > 0 ? tok.expiration_seconds : t->token_seconds;
	t->renewed_at = kj_now();
	/* the store keeps what engine_cred_seal makes of it; `cred` stays open */
	sealed.token = kj_xstrdup(cred->token);
	if (engine_cred_seal(en, t, &sealed, e) < 0)
		goto out;
	if (db_begin(engine_db(en), e) < 0)
		goto out;
	if (store_target_update(engine_db(en), t, e) < 0 ||
	    store_target_set_cred(engine_db(en), t->id, &sealed, e) < 0 || db_commit(engine_db(en), e) < 0) {
		db_rollback(engine_db(en));
		goto out;
	}
	if (out) {
		out->expires_at = t->token_expires_at;
		out->renewed_at = t->renewed_at;
		out->seconds = t->token_seconds;
		out->service_account = kj_xstrdup(t->renew_sa);
		for (size_t i = 0; i < tok.n_warnings; i++)
			kj_nullv_push(&out->warnings, tok.warnings[i]);
	}
	{
		char when[32];
		char *detail;
		kj_err ignore = {0};

		kj_time_rfc3339(t->token_expires_at, when, sizeof(when));
		detail = kj_xasprintf("ServiceAccount %s, token expires %s", t->renew_sa, when);
		audit_record(en, TARGET_AUDIT_RENEW, NULL, NULL, t->name, 1, detail, &ignore);
		free(detail);
	}
	rc = 0;
out:
	target_cred_done(&sealed);
	kube_token_done(&tok);
	kube_client_free(kc);
	free(ns);
	return rc;
}

/* A new key and certificate through a new CSR, asked as the target itself;
 * on success t and cred hold them, saved in one transaction. */
static int renew_cert(struct engine *en, struct target *t, struct target_cred *cred,
                      struct target_renew_result *out, kj_err *e)
{
	struct csr_cert_info ci, ni;
	struct kube_client *kc = NULL;
	struct csr_opts o = {0};
	struct target_cred sealed = {0};
	char *key = NULL, *req = NULL, *cert = NULL, *name = NULL;
	char slug[40], rnd[6], when[32];
	int rc = -1;

	if (csr_cert_info(t->client_cert_pem, &ci, e) < 0)
		return -1;
	if (ci.not_after <= kj_now()) {
		kj_time_rfc3339(ci.not_after, when, sizeof(when));
		kj_err_set(e, KJ_ERR_AUTH,
		           _("the certificate of target \"%s\" expired on %s, so it cannot renew itself"),
		           t->name, when);
		return kj_err_hint(e,
		                   _("make a new one with an admin context: 'kubejit target add %s "
		                     "--replace --csr --cn %s'"),
		                   t->name, ci.subject_cn);
	}
	if (csr_make(csr_key_type(cred->client_key_pem), ci.subject_cn, ci.subject_o[0] ? ci.subject_o : NULL,
	             &key, &req, e) < 0)
		return -1;
	if (engine_connect(en, t, cred, &kc, e) < 0)
		goto out;
	kj_slug(ci.subject_cn, 30, slug, sizeof(slug));
	kj_random_suffix(rnd, 5);
	rnd[5] = '\0';
	name = kj_xasprintf("kubejit-%s-%s", slug, rnd);
	o.name = name;
	/* nobody watches an automatic renewal: no waiting for a person */
	o.own_approval_only = 1;
	/* the same lifetime: Kubernetes' signer backdates notBefore by five
	 * minutes (pkg/controller/certificates/authority/policies.go), which is
	 * not part of what was asked */
	o.expiration_seconds = ci.not_after - ci.not_before;
	if (o.expiration_seconds >= 600 + 300)
		o.expiration_seconds -= 300;
	if (csr_obtain(kc, req, &o, &cert, NULL, e) < 0) {
		kj_err_prefix(e, _("renewing the certificate of target \"%s\" (user %s)"), t->name,
		              ci.subject_cn);
		if (e->cls == KJ_ERR_DENIED)
			kj_err_hint(e,
			            _("let user %s create certificatesigningrequests, update their approval "
			              "and approve for the signer kubernetes.io/kube-apiserver-client, or "
			              "make a new certificate before it expires with an admin context: "
			              "'kubejit target add %s --replace --csr --cn %s'"),
			            ci.subject_cn, t->name, ci.subject_cn);
		goto out;
	}
	if (csr_check_pair(cert, key, e) < 0 || csr_cert_info(cert, &ni, e) < 0)
		goto out;
	if (strcmp(ni.subject_cn, ci.subject_cn) != 0) {
		kj_err_set(e, KJ_ERR_FAIL,
		           _("the signer issued certificate request %s for user \"%s\", not \"%s\"; "
		             "target \"%s\" keeps its certificate"),
		           name, ni.subject_cn, ci.subject_cn, t->name);
		goto out;
	}
	free(t->client_cert_pem);
	t->client_cert_pem = kj_xstrdup(cert);
	t->cert_not_after = ni.not_after;
	free(t->csr_name);
	t->csr_name = kj_xstrdup(name);
	t->renewed_at = kj_now();
	sealed.client_key_pem = kj_xstrdup(key);
	if (engine_cred_seal(en, t, &sealed, e) < 0)
		goto out;
	if (db_begin(engine_db(en), e) < 0)
		goto out;
	if (store_target_update(engine_db(en), t, e) < 0 ||
	    store_target_set_cred(engine_db(en), t->id, &sealed, e) < 0 || db_commit(engine_db(en), e) < 0) {
		db_rollback(engine_db(en));
		goto out;
	}
	/* the old key is wiped from memory here and from the store's pages by
	 * its secure_delete */
	kj_free_secret(cred->client_key_pem);
	cred->client_key_pem = key;
	key = NULL;
	if (out) {
		out->expires_at = ni.not_after;
		out->renewed_at = t->renewed_at;
		out->seconds = ni.not_after - ni.not_before;
		out->csr_name = kj_xstrdup(name);
	}
	{
		char *detail;
		kj_err ignore = {0};

		kj_time_rfc3339(ni.not_after, when, sizeof(when));
		detail = kj_xasprintf("client certificate through CertificateSigningRequest %s, expires %s",
		                      name, when);
		audit_record(en, TARGET_AUDIT_RENEW, NULL, NULL, t->name, 1, detail, &ignore);
		free(detail);
	}
	rc = 0;
out:
	target_cred_done(&sealed);
	kube_client_free(kc);
	kj_free_secret(key);
	free(req);
	free(cert);
	free(name);
	return rc;
}

int target_renew(struct engine *en, const char *name, struct target_renew_result *out, kj_err *e)
{
	struct target t;
	struct target_cred cred = {0};
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (store_target_get(engine_db(en), name, &t, e) < 0)
		return -1;
	if (t.auth == TARGET_AUTH_CLIENT_CERT && t.csr_name && t.client_cert_pem) {
		if (store_target_get_cred(engine_db(en), t.id, &cred, e) < 0 ||
		    engine_cred_open(en, &t, &cred, e) < 0 || renew_cert(en, &t, &cred, out, e) < 0)
			goto out;
		engine_drop_client(en, name);
		rc = 0;
		goto out;
	}
	if (t.auth != TARGET_AUTH_TOKEN || !t.renew_sa) {
		if (t.client_cert_pem) {
			kj_err_set(e, KJ_ERR_INVALID,
			           _("target \"%s\" uses a client certificate, which TokenRequest "
			             "cannot renew"),
			           name);
			kj_err_hint(
			    e,
			    _("make a new one through a CertificateSigningRequest: 'kubejit target add %s "
			      "--replace --csr --cn CN'"),
			    name);
		} else if (t.auth != TARGET_AUTH_TOKEN) {
			kj_err_set(e, KJ_ERR_INVALID,
			           _("target \"%s\" (%s) gets its credentials from elsewhere and "
			             "needs no renewal"),
			           name, target_auth_name(t.auth));
		} else {
			kj_err_set(e, KJ_ERR_INVALID,
			           _("the token of target \"%s\" is not an expiring ServiceAccount "
			             "token, so there is nothing to renew"),
			           name);
		}
		goto out;
	}
	if (store_target_get_cred(engine_db(en), t.id, &cred, e) < 0 ||
	    engine_cred_open(en, &t, &cred, e) < 0)
		goto out;
	if (renew(en, &t, &cred, out, e) < 0)
		goto out;
	engine_drop_client(en, name); /* the next use connects with the new token */
	rc = 0;
out:
	target_cred_done(&cred);
	target_done(&t);
	return rc;
}

int target_renew_if_due(struct engine *en, struct target *t, struct target_cred *cred, kj_err *e)
{
	int64_t due = target_renew_due(t);

	if (!due || kj_now() < due || !cred)
		return 0;
	if (t->auth == TARGET_AUTH_CLIENT_CERT)
		return cred->client_key_pem && renew_cert(en, t, cred, NULL, e) == 0;
	if (!cred->token)
		return 0;
	return renew(en, t, cred, NULL, e) < 0 ? 0 : 1;
}
