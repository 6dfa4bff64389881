#include "engine/target.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/audit.h"
#include "engine/csr.h"
#include "engine/preflight.h"
#include "engine/secret.h"
#include "store/targets.h"
#include "util/strv.h"
#include "kube/api.h"
#include "kube/execcred.h"
#include "kube/proxy.h"
#include "kube/incluster.h"
#include "kube/kubeconfig.h"
#include "util/i18n.h"
#include "util/jwt.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"
#include "util/json.h"

void target_add_result_done(struct target_add_result *r)
{
	if (!r)
		return;
	target_done(&r->target);
	preflight_report_free(r->report);
	free(r->csr_name);
	kj_nullv_free(r->notices);
	memset(r, 0, sizeof(*r));
}

const char *target_mode_name(enum target_mode m)
{
	return m == TARGET_MODE_DYNAMIC ? "dynamic" : "fixed";
}

int target_mode_parse(const char *s)
{
	if (s && !strcmp(s, "fixed"))
		return TARGET_MODE_FIXED;
	if (s && !strcmp(s, "dynamic"))
		return TARGET_MODE_DYNAMIC;
	return -1;
}

char *target_kubeconfig_default(void)
{
	return kubeconfig_default_paths();
}

int target_kubeconfig_contexts(const char *paths, struct kj_strv *out, kj_err *e)
{
	struct kubeconfig *kc;
	size_t i;

	if (kubeconfig_load(paths, &kc, e) < 0)
		return kj_err_prefix(e, _("reading kubeconfig"));
	for (i = 0; i < kubeconfig_n_contexts(kc); i++)
		kj_strv_push(out, kubeconfig_context_name(kc, i));
	kubeconfig_free(kc);
	return 0;
}

int64_t target_expires_in(const struct target *t)
{
	int64_t at = INT64_MAX;

	if (t->cert_not_after)
		at = t->cert_not_after;
	if (t->token_expires_at && t->token_expires_at < at)
		at = t->token_expires_at;
	return at == INT64_MAX ? INT64_MAX : at - kj_now();
}

int target_expiry_warning(struct engine *en, const struct target *t)
{
	int64_t left = target_expires_in(t);

	return left != INT64_MAX && left < engine_cert_warn(en);
}

/* ---- reading the store ---------------------------------------------------- */

int target_list(struct engine *en, struct target **out, size_t *n, kj_err *e)
{
	return store_target_list(engine_db(en), out, n, e);
}

int target_get(struct engine *en, const char *name, struct target *out, kj_err *e)
{
	return store_target_get(engine_db(en), name, out, e);
}

int target_get_cred(struct engine *en, const char *name, struct target_cred *out, kj_err *e)
{
	struct target t;
	int rc;

	memset(out, 0, sizeof(*out));
	if (store_target_get(engine_db(en), name, &t, e) < 0)
		return -1;
	rc = store_target_get_cred(engine_db(en), t.id, out, e);
	if (rc == 0 && (rc = engine_cred_open(en, &t, out, e)) < 0)
		target_cred_done(out);
	target_done(&t);
	return rc;
}

int target_details_get(struct engine *en, const char *name, int reveal, struct target_details *out, kj_err *e)
{
	kj_err ignore;

	memset(out, 0, sizeof(*out));
	if (target_get(en, name, &out->t, e) < 0)
		return -1;
	if (reveal && target_get_cred(en, out->t.name, &out->cred, e) < 0) {
		target_done(&out->t);
		return -1;
	}
	kj_err_clear(&ignore);
	if (out->t.preflight_json)
		preflight_report_from_json(out->t.preflight_json, &out->report, &ignore);
	return 0;
}

void target_details_done(struct target_details *d)
{
	preflight_report_free(d->report);
	target_cred_done(&d->cred);
	target_done(&d->t);
	memset(d, 0, sizeof(*d));
}

/* The audit log is a record, not a gate: a failure to write it does not
 * undo what was done. */
static void audit(struct engine *en, const char *action, const char *name, int ok, const char *detail)
{
	kj_err ignore = {0};

	audit_record(en, action, NULL, NULL, name, ok, detail, &ignore);
}

int target_remove(struct engine *en, const char *name, kj_err *e)
{
	if (store_target_delete(engine_db(en), name, e) < 0) {
		if (e->cls != KJ_ERR_NOTFOUND)
			audit(en, TARGET_AUDIT_REMOVE, name, 0, e->msg);
		return -1;
	}
	engine_forget_target(en, name);
	audit(en, TARGET_AUDIT_REMOVE, name, 1, NULL);
	return 0;
}

/* Which plugin gave the credential, and who the cluster took it for. */
static void exec_notice(const struct target *t, struct preflight_report *r)
{
	struct kube_exec_config c;
	kj_err ignore = {0};
	char *cmd, *msg;

	if (kube_exec_config_from_json(t->exec_json, &c, &ignore) < 0)
		return;
	cmd = kube_exec_config_describe(&c);
	msg = kj_xasprintf(_("credentials come from the exec plugin \"%s\" (run whenever one is needed, "
	                     "nothing stored); the cluster saw them as %s"),
	                   cmd, r->username ? r->username : _("(unknown user)"));
	kj_nullv_push(&r->notices, msg);
	free(msg);
	free(cmd);
	kube_exec_config_done(&c);
}

static void record_preflight(struct engine *en, struct target *t, const struct preflight_report *r)
{
	cJSON *j = preflight_report_to_json(r);
	char *json = cJSON_PrintUnformatted(j);
	kj_err ignore = {0};

	cJSON_Delete(j);
	t->health = r->health;
	t->preflight_at = r->at;
	free(t->preflight_summary);
	t->preflight_summary = kj_xstrdup(r->summary);
	free(t->preflight_json);
	t->preflight_json = json;
	if (r->username) {
		free(t->identity);
		t->identity = kj_xstrdup(r->username);
	}
	if (t->id)
		store_target_set_preflight(engine_db(en), t->id, t->health, t->preflight_at, r->username,
		                           t->preflight_summary, t->preflight_json, &ignore);
}

/* The namespaces this target mints in: those asked for, then the fixed
 * namespace or the exact allowed namespaces of each secret that uses it.
 * NULL-terminated in out->v. */
static void secret_namespaces(struct engine *en, const char *name, const char *const *asked,
                              struct kj_strv *out)
{
	struct secret *v = NULL;
	size_t n = 0, i, k;
	kj_err ignore = {0};

	for (i = 0; asked && asked[i]; i++)
		if (!kj_strv_contains(out, asked[i]))
			kj_strv_push(out, asked[i]);
	if (secret_list(en, NULL, &v, &n, &ignore) == 0) {
		for (i = 0; i < n; i++) {
			if (!v[i].target || strcmp(v[i].target, name))
				continue;
			if (v[i].ns && !kj_strv_contains(out, v[i].ns))
				kj_strv_push(out, v[i].ns);
			for (k = 0; k < v[i].allowed_namespaces.n; k++) {
				const char *ns = v[i].allowed_namespaces.v[k];

				if (kj_is_dns1123_label(ns) && !kj_strv_contains(out, ns))
					kj_strv_push(out, ns);
			}
		}
		secret_list_free(v, n);
	}
	/* preflight wants a NULL-terminated array */
	out->v = kj_xrealloc(out->v, (out->n + 1) * sizeof(char *));
	out->v[out->n] = NULL;
}

int target_check(struct engine *en, const char *name, const char *const *namespaces,
                 struct preflight_report **out, kj_err *e)
{
	struct kj_strv nss = {0};
	struct preflight_opts o = {0};
	struct kube_client *kc;
	struct target t;
	int rc;

	*out = NULL;
	if (store_target_get(engine_db(en), name, &t, e) < 0)
		return -1;
	/* a fresh client: the check must see rotated files and new settings */
	engine_drop_client(en, name);
	if (engine_client(en, name, &kc, e) < 0) {
		target_done(&t);
		return -1;
	}
	secret_namespaces(en, name, namespaces, &nss);
	o.namespaces = (const char *const *)nss.v;
	rc = preflight_run(en, kc, &t, &o, out, e);
	kj_strv_done(&nss);
	if (*out && t.auth == TARGET_AUTH_EXEC && !(*out)->failure)
		exec_notice(&t, *out);
	record_preflight(en, &t, *out);
	target_done(&t);
	return rc;
}

int target_check_report(struct engine *en, const char *name, const char *const *namespaces,
                        struct target_check_result *out, kj_err *e)
{
	kj_err ignore = {0};
	int rc;

	memset(out, 0, sizeof(*out));
	rc = target_check(en, name, namespaces, &out->report, e);
	/* read back after record_preflight(): the check may have updated it */
	out->have_target = store_target_get(engine_db(en), name, &out->t, &ignore) == 0;
	return rc;
}

void target_check_result_done(struct target_check_result *r)
{
	if (!r)
		return;
	preflight_report_free(r->report);
	if (r->have_target)
		target_done(&r->t);
	memset(r, 0, sizeof(*r));
}

/* ---- building a target from a spec ---------------------------------------- */

/* A token as read from a file: trimmed, one line, no blanks inside. */
static int clean_token(const char *in, char **out, kj_err *e)
{
	const char *s = in, *end;
	const char *p;

	*out = NULL;
	while (s && isspace((unsigned char)*s))
		s++;
	end = s ? s + strlen(s) : NULL;
	while (end && end > s && isspace((unsigned char)end[-1]))
		end--;
	if (!s || end == s) {
		kj_err_set(e, KJ_ERR_INVALID, _("the token is empty"));
		return kj_err_hint(
		    e, _("give a file holding the bearer token (--token-file FILE, or - for stdin)"));
	}
	for (p = s; p < end; p++) {
		if (isspace((unsigned char)*p) || !isprint((unsigned char)*p)) {
			kj_err_set(e, KJ_ERR_INVALID, _("the token file holds more than one word"));
			return kj_err_hint(e, _("it must hold only the bearer token"));
		}
	}
	*out = kj_xstrndup(s, (size_t)(end - s));
	return 0;
}

/* exp of a JWT token, 0 for other tokens. */
static int64_t token_exp(const char *token)
{
	cJSON *claims = NULL;
	const cJSON *exp;
	kj_err ignore = {0};
	int64_t at = 0;

	if (kj_jwt_decode(token, NULL, &claims, &ignore) < 0)
		return 0;
	exp = cJSON_GetObjectItemCaseSensitive(claims, "exp");
	if (cJSON_IsNumber(exp))
		at = kj_clamp_double(exp->valuedouble, 0, KJ_TIME_MAX);
	cJSON_Delete(claims);
	return at;
}

static int check_not_expired(int64_t at, const char *what, kj_err *e)
{
	char when[32];

	if (!at || at > kj_now())
		return 0;
	kj_time_rfc3339(at, when, sizeof(when));
	kj_err_set(e, KJ_ERR_INVALID, _("the %s expired on %s"), what, when);
	return kj_err_hint(e, _("get fresh credentials (for a certificate: 'kubejit target add --csr')"));
}

static int set_ca(struct target *t, const char *ca, kj_err *e)
{
	if (!ca || !*ca)
		return 0;
	free(t->ca_pem);
	t->ca_pem = kube_ca_to_pem(ca, e);
	if (!t->ca_pem)
		return kj_err_hint(e, _("give the cluster's CA certificate in PEM form (--ca-file)"));
	return 0;
}

static int set_cert(struct target *t, struct target_cred *c, const char *cert, const char *key, kj_err *e)
{
	struct csr_cert_info ci;

	if (csr_check_pair(cert, key, e) < 0 || csr_cert_info(cert, &ci, e) < 0)
		return -1;
	if (check_not_expired(ci.not_after, _("client certificate"), e) < 0)
		return -1;
	if (ci.not_before > kj_now() + 300) {
		char when[32];

		kj_time_rfc3339(ci.not_before, when, sizeof(when));
		kj_err_set(e, KJ_ERR_INVALID, _("the client certificate is not valid before %s"), when);
		return kj_err_hint(e, _("check this machine's clock"));
	}
	free(t->client_cert_pem);
	t->client_cert_pem = kj_xstrdup(cert);
	t->cert_not_after = ci.not_after;
	kj_free_secret(c->client_key_pem);
	c->client_key_pem = kj_xstrdup(key);
	return 0;
}

static int set_token(struct target *t, struct target_cred *c, const char *token, kj_err *e)
{
	kj_free_secret(c->token);
	if (clean_token(token, &c->token, e) < 0)
		return -1;
	t->token_expires_at = token_exp(c->token);
	target_token_renewal(t, c->token);
	return check_not_expired(t->token_expires_at, _("token"), e);
}

static int load_context(const struct target_spec *s, struct kube_context_info *ci, kj_err *e)
{
	struct kubeconfig *kc;
	int rc;

	memset(ci, 0, sizeof(*ci));
	if (kubeconfig_load(s->kubeconfig_path, &kc, e) < 0)
		return kj_err_prefix(e, _("reading kubeconfig"));
	rc = kubeconfig_resolve(kc, s->context, ci, e);
	kubeconfig_free(kc);
	if (rc < 0)
		return -1;
	if (target_check_context(ci, s->server ? s->server : ci->server, e) < 0) {
		kube_context_info_done(ci);
		return -1;
	}
	return 0;
}

int target_check_context(const struct kube_context_info *ci, const char *server, kj_err *e)
{
	if (ci->insecure && !ci->ca_pem) {
		kj_err_set(e, KJ_ERR_INVALID,
		           _("context \"%s\" skips TLS verification (insecure-skip-tls-verify)"),
		           ci->context);
		return kj_err_hint(e, _("kubejit sends credentials only to clusters it can verify: give the "
		                        "cluster's CA (certificate-authority-data in the kubeconfig, or "
		                        "--ca-file) instead of insecure-skip-tls-verify"));
	}
	if (engine_check_server(ci->context, server, e) < 0)
		return kj_err_prefix(e, _("context \"%s\""), ci->context);
	return 0;
}

static int from_kubeconfig(const struct target_spec *s, struct target *t, struct target_cred *c, kj_err *e)
{
	struct kube_context_info ci;
	int rc = -1;

	if (load_context(s, &ci, e) < 0)
		return -1;
	t->server = kj_xstrdup(s->server ? s->server : ci.server);
	t->tls_server_name = kj_xstrdup(s->tls_server_name ? s->tls_server_name : ci.tls_server_name);
	t->proxy_url = kj_xstrdup(ci.proxy_url);
	t->disable_compression = ci.disable_compression;
	if (set_ca(t, s->ca_pem ? s->ca_pem : ci.ca_pem, e) < 0)
		goto out;
	if (s->auth == TARGET_AUTH_EXEC && !ci.exec) {
		kj_err_set(e, KJ_ERR_INVALID, _("user \"%s\" of context \"%s\" has no exec plugin"),
		           ci.user ? ci.user : "?", ci.context);
		kj_err_hint(e, _("pick a context whose user runs an exec credential plugin"));
		goto out;
	}
	if (ci.exec) {
		/* the plugin's settings, not a credential: it runs whenever one is needed */
		cJSON *j = kube_exec_config_to_json(ci.exec);
		free(t->exec_json);
		t->exec_json = cJSON_PrintUnformatted(j);
		cJSON_Delete(j);
		t->auth = TARGET_AUTH_EXEC;
	} else if (ci.client_cert_pem && ci.client_key_pem) {
		if (set_cert(t, c, ci.client_cert_pem, ci.client_key_pem, e) < 0)
			goto out;
	} else if (ci.token) {
		if (set_token(t, c, ci.token, e) < 0)
			goto out;
	} else if (ci.token_file) {
		t->token_file = kj_xstrdup(ci.token_file);
	} else {
		kj_err_set(e, KJ_ERR_INVALID,
		           _("user \"%s\" of context \"%s\" has no token, client certificate or exec plugin"),
		           ci.user ? ci.user : "?", ci.context);
		kj_err_hint(e,
		            _("pick a context whose user has a token, tokenFile, client certificate or exec "
		              "plugin"));
		goto out;
	}
	t->kubeconfig_path = s->kubeconfig_path ? kj_xstrdup(s->kubeconfig_path) : kubeconfig_default_paths();
	t->kubeconfig_context = kj_xstrdup(ci.context);
	rc = 0;
out:
	kube_context_info_done(&ci);
	return rc;
}

static int from_incluster(const struct target_spec *s, struct target *t, kj_err *e)
{
	struct kube_incluster ic = {0};

	if (kube_incluster_load(s->sa_dir, &ic, e) < 0)
		return kj_err_hint(e, _("run inside a pod, or set KUBERNETES_SERVICE_HOST/PORT and give the"
		                        " service-account directory"));
	t->server = kj_xstrdup(s->server ? s->server : ic.server);
	t->token_file = kj_xstrdup(ic.token_file);
	t->sa_dir = kj_xstrdup(ic.sa_dir);
	if (set_ca(t, s->ca_pem ? s->ca_pem : ic.ca_pem, e) < 0) {
		kube_incluster_done(&ic);
		return -1;
	}
	kube_incluster_done(&ic);
	return 0;
}

/* The client that submits a CSR: the given token, else a kubeconfig context. */
static int csr_submitter(struct engine *en, const struct target_spec *s, struct target *t,
                         struct kube_client **kc, kj_err *e)
{
	struct target sub = {0};
	struct target_cred sc = {0};
	int rc;

	if (s->token) {
		if (!t->server) {
			kj_err_set(e, KJ_ERR_USAGE,
			           _("--server is needed to submit the certificate request"));
			return kj_err_hint(e, _("give the cluster's URL with --server"));
		}
		sub.name = t->name;
		sub.server = t->server;
		sub.ca_pem = t->ca_pem;
		sub.tls_server_name = t->tls_server_name;
		/* the same rule as a token target's: `kubectl create token > f` ends in a newline */
		if (clean_token(s->token, &sc.token, e) < 0)
			return -1;
		rc = engine_connect(en, &sub, &sc, kc, e);
		kj_free_secret(sc.token);
		return rc;
	}
	sub.name = kj_xstrdup(t->name);
	rc = from_kubeconfig(s, &sub, &sc, e);
	if (rc == 0) {
		if (!t->server)
			t->server = kj_xstrdup(sub.server);
		if (!t->ca_pem)
			t->ca_pem = kj_xstrdup(sub.ca_pem);
		if (!t->tls_server_name)
			t->tls_server_name = kj_xstrdup(sub.tls_server_name);
		rc = engine_connect(en, &sub, &sc, kc, e);
	}
	target_done(&sub);
	target_cred_done(&sc);
	return rc;
}

static int from_csr(struct engine *en, const struct target_spec *s, struct target *t, struct target_cred *c,
                    struct target_add_result *out, kj_err *e)
{
	struct kube_client *kc = NULL;
	struct csr_opts o = {0};
	char *key = NULL, *req = NULL, *cert = NULL;
	char *name = NULL;
	char slug[40];
	char rnd[6];
	int rc = -1;

	if (csr_make(s->key_type, s->csr_cn, s->csr_org, &key, &req, e) < 0)
		return -1;
	if (csr_submitter(en, s, t, &kc, e) < 0)
		goto out;
	kj_slug(s->csr_cn, 30, slug, sizeof(slug));
	kj_random_suffix(rnd, 5);
	rnd[5] = '\0';
	name = kj_xasprintf("kubejit-%s-%s", slug, rnd);
	o.name = name;
	o.approve_timeout = s->approve_timeout;
	o.issue_timeout = s->issue_timeout;
	o.expiration_seconds = s->cert_seconds;
	o.progress = s->progress;
	o.progress_ud = s->progress_ud;
	if (csr_obtain(kc, req, &o, &cert, NULL, e) < 0)
		goto out;
	out->csr_name = kj_xstrdup(name);
	t->csr_name = kj_xstrdup(name);
	if (set_cert(t, c, cert, key, e) < 0) {
		kj_err_prefix(e, _("the certificate issued for %s"), name);
		goto out;
	}
	rc = 0;
out:
	kube_client_free(kc);
	kj_free_secret(key);
	free(req);
	free(cert);
	free(name);
	return rc;
}

static int build(struct engine *en, const struct target_spec *s, struct target *t, struct target_cred *c,
                 struct target_add_result *out, kj_err *e)
{
	if (s->server)
		t->server = kj_xstrdup(s->server);
	if (s->tls_server_name)
		t->tls_server_name = kj_xstrdup(s->tls_server_name);
	switch (s->auth) {
	case TARGET_AUTH_TOKEN:
		if (!s->token) {
			kj_err_set(e, KJ_ERR_USAGE, _("a token target needs a token"));
			return kj_err_hint(e, _("give it with --token-file FILE (or - for stdin)"));
		}
		if (set_ca(t, s->ca_pem, e) < 0 || set_token(t, c, s->token, e) < 0)
			return -1;
		break;
	case TARGET_AUTH_CLIENT_CERT:
		if (set_ca(t, s->ca_pem, e) < 0)
			return -1;
		if (s->csr)
			return from_csr(en, s, t, c, out, e);
		if (!s->client_cert_pem || !s->client_key_pem) {
			kj_err_set(e, KJ_ERR_USAGE,
			           _("a client-certificate target needs a certificate and its key"));
			return kj_err_hint(
			    e, _("give --client-cert FILE and --client-key FILE, or --csr to make them"));
		}
		return set_cert(t, c, s->client_cert_pem, s->client_key_pem, e);
	case TARGET_AUTH_IN_CLUSTER:
		free(t->server);
		t->server = NULL;
		return from_incluster(s, t, e);
	case TARGET_AUTH_KUBECONFIG:
	case TARGET_AUTH_EXEC:
		free(t->server);
		free(t->tls_server_name);
		t->server = t->tls_server_name = NULL;
		return from_kubeconfig(s, t, c, e);
	default:
		return kj_err_set(e, KJ_ERR_USAGE, _("unknown authentication strategy"));
	}
	return 0;
}

static int check_server(const struct target *t, kj_err *e)
{
	return engine_check_server(t->name, t->server, e);
}

/* Why the connection failed, in target terms: keep the client's hint and
 * say which flag fixes it and that nothing was saved. */
static void explain_failure(kj_err *e)
{
	char old[KJ_ERR_HINT_MAX];

	if (e->cls != KJ_ERR_NETWORK && e->cls != KJ_ERR_AUTH)
		return;
	snprintf(old, sizeof(old), "%s", e->hint);
	if (strstr(e->msg, "cannot verify the certificate") || strstr(e->msg, "CA for"))
		kj_err_hint(e, _("%s%sgive the cluster's CA with --ca-file. Nothing was saved."), old,
		            old[0] ? "; " : "");
	else if (strstr(e->msg, "host name it was reached by"))
		kj_err_hint(e, _("%s%sNothing was saved."), old, old[0] ? " " : "");
	else
		kj_err_hint(e, _("%s%sNothing was saved."),
		            old[0] ? old : _("check the --server URL and that the cluster is up."), " ");
}

char *target_exec_describe(const struct target *t)
{
	struct kube_exec_config c;
	kj_err ignore = {0};
	char *cmd, *out;

	if (!t->exec_json || kube_exec_config_from_json(t->exec_json, &c, &ignore) < 0)
		return NULL;
	cmd = kube_exec_config_describe(&c);
	out = kj_xasprintf(_("%s (%s, interactiveMode %s)"), cmd, c.api_version,
	                   kube_exec_interactive_name(c.interactive));
	free(cmd);
	kube_exec_config_done(&c);
	return out;
}

char *target_proxy_display(const struct target *t)
{
	return t->proxy_url ? kube_proxy_display(t->proxy_url) : NULL;
}

int target_add(struct engine *en, const struct target_spec *s, struct target_add_result *out, kj_err *e)
{
	struct target t = {0}, existing;
	struct target_cred c = {0};
	struct kube_client *kc = NULL;
	struct preflight_report *r = NULL;
	kj_err le = {0};
	int64_t old_id = 0, old_created_at = 0;
	char *old_created_by = NULL;
	char **p;

	memset(out, 0, sizeof(*out));
	if (!s->name || !kj_is_dns1123_label(s->name)) {
		kj_err_set(e, KJ_ERR_INVALID, _("\"%s\" is not a valid target name"), s->name ? s->name : "");
		return kj_err_hint(
		    e, _("use lower-case letters, digits and '-', at most 63 characters (e.g. prod-eu)"));
	}
	if (store_target_get(engine_db(en), s->name, &existing, &le) == 0) {
		if (s->replace) {
			old_id = existing.id;
			old_created_at = existing.created_at;
			old_created_by = kj_xstrdup(existing.created_by);
		}
		target_done(&existing);
		if (!s->replace) {
			kj_err_set(e, KJ_ERR_CONFLICT, _("a target named \"%s\" already exists"), s->name);
			return kj_err_hint(
			    e,
			    _("pick another name, replace its connection with --replace, or remove"
			      " it with 'kubejit target rm %s'"),
			    s->name);
		}
	} else if (s->replace) {
		kj_err_set(e, KJ_ERR_NOTFOUND, _("target \"%s\" not found, so there is nothing to replace"),
		           s->name);
		return kj_err_hint(e, _("leave out --replace to add it"));
	}
	t.name = kj_xstrdup(s->name);
	t.auth = s->auth;
	if (build(en, s, &t, &c, out, e) < 0 || check_server(&t, e) < 0)
		goto fail;
	t.created_at = old_id ? old_created_at : kj_now();
	t.created_by = old_id ? old_created_by : kj_xstrdup(engine_actor(en));
	old_created_by = NULL;

	if (engine_connect(en, &t, &c, &kc, e) < 0)
		goto fail;
	if (preflight_run(en, kc, &t, NULL, &r, e) < 0) {
		explain_failure(e);
		kj_err_prefix(e, _("checking target \"%s\""), t.name);
		goto fail;
	}
	if (t.auth == TARGET_AUTH_EXEC)
		exec_notice(&t, r);
	record_preflight(en, &t, r);
	if (engine_cred_seal(en, &t, &c, e) < 0)
		goto fail;
	if (old_id) {
		/* same row (secrets and leases name it), new connection, in one go */
		t.id = old_id;
		if (db_begin(engine_db(en), e) < 0)
			goto fail;
		if (store_target_update(engine_db(en), &t, e) < 0 ||
		    store_target_set_cred(engine_db(en), t.id, &c, e) < 0 ||
		    db_commit(engine_db(en), e) < 0) {
			db_rollback(engine_db(en));
			goto fail;
		}
	} else if (store_target_insert(engine_db(en), &t, &c, e) < 0) {
		goto fail;
	}
	target_cred_done(&c);
	engine_keep_client(en, t.name, kc);
	{
		/* the preflight summary begins with "as IDENTITY:" itself */
		char *detail = r->summary ? kj_xasprintf("%s%s %s %s", old_id ? "replaced: " : "",
		                                         target_auth_name(t.auth), t.server, r->summary)
		                          : kj_xasprintf("%s%s %s as %s", old_id ? "replaced: " : "",
		                                         target_auth_name(t.auth), t.server,
		                                         t.identity ? t.identity : "?");

		audit(en, TARGET_AUDIT_ADD, t.name, 1, detail);
		free(detail);
	}
	for (p = r->notices; p && *p; p++)
		kj_nullv_push(&out->notices, *p);
	out->target = t;
	out->report = r;
	return 0;
fail:
	free(old_created_by);
	if (e->cls != KJ_ERR_CONFLICT && e->cls != KJ_ERR_USAGE && t.name)
		audit(en, TARGET_AUDIT_ADD, t.name, 0, e->msg);
	kube_client_free(kc);
	preflight_report_free(r);
	target_cred_done(&c);
	target_done(&t);
	free(out->csr_name);
	out->csr_name = NULL;
	return -1;
}
