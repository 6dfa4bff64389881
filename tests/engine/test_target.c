/* Targets against the demo cluster started in-process: every way to
 * authenticate, the CSR flow, preflight of the seeded accounts, bootstrap,
 * and each kind of bad input (with nothing left in the store). */
#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/audit.h"
#include "engine/secret.h"
#include "engine/sweep.h"
#include "kube/api.h"
#include "kube/kubeconfig.h"
#include "store/targets.h"
#include "tests/support/target_fixture.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

TestSuite(target, .init = tf_setup, .fini = tf_teardown, .timeout = 60);

Test(target, token_full_privileges)
{
	struct target_add_result r;
	struct target got;
	struct target_cred c;
	kj_err e = {0};

	add_token_target("full", "kube-system/kubejit-jit", &r);
	cr_assert_str_eq(r.report->username, "system:serviceaccount:kube-system:kubejit-jit");
	cr_assert(r.report->reachable && r.report->tls_verified && r.report->authenticated);
	cr_assert(r.report->fixed_ready && r.report->fixed_revocable, "%s", r.report->summary);
	cr_assert(r.report->dynamic_ready, "%s", r.report->summary);
	cr_assert(r.report->sweep_ready, "%s", r.report->summary);
	cr_assert_eq(r.report->health, TARGET_HEALTH_OK, "%s", r.report->summary);
	cr_assert_null(r.report->fix_yaml_fixed);
	cr_assert_null(r.report->fix_yaml_dynamic);
	cr_assert_gt(r.target.token_expires_at, kj_now(), "expiry read from the token");
	target_add_result_done(&r);

	cr_assert_eq(target_get(en, "full", &got, &e), 0, "%s", e.msg);
	cr_assert_eq(got.auth, TARGET_AUTH_TOKEN);
	cr_assert_eq(got.health, TARGET_HEALTH_OK);
	cr_assert_str_eq(got.identity, "system:serviceaccount:kube-system:kubejit-jit");
	cr_assert_not_null(got.preflight_json);
	cr_assert_null(strstr(got.preflight_json, token_of("kube-system/kubejit-jit")),
	               "no token in the report");
	target_done(&got);
	cr_assert_eq(target_get_cred(en, "full", &c, &e), 0);
	cr_assert_str_eq(c.token, token_of("kube-system/kubejit-jit"));
	target_cred_done(&c);
}

Test(target, fixed_only_account_needs_secret_permissions)
{
	struct target_add_result r;
	const char *y;

	add_token_target("fixed", "kube-system/token-request-sa", &r);
	cr_assert_str_eq(r.report->username, "system:serviceaccount:kube-system:token-request-sa");
	cr_assert(r.report->fixed_ready);
	cr_assert_not(r.report->fixed_revocable);
	cr_assert_not(r.report->dynamic_ready);
	cr_assert_eq(r.report->health, TARGET_HEALTH_WARN);
	cr_assert_eq(perm(r.report, "create", "serviceaccounts/token")->state, PREFLIGHT_HELD);
	cr_assert_eq(perm(r.report, "get", "serviceaccounts")->state, PREFLIGHT_HELD);
	cr_assert_eq(perm(r.report, "create", "secrets")->state, PREFLIGHT_MISSING);
	cr_assert_eq(perm(r.report, "delete", "secrets")->state, PREFLIGHT_MISSING);
	cr_assert(has_notice(r.report->notices, "revocable fixed tokens need Secret permissions"));
	y = r.report->fix_yaml_fixed;
	cr_assert_not_null(y);
	cr_assert(
	    strstr(y, "  resources: [\"secrets\"]\n  verbs: [\"create\", \"get\", \"delete\", \"list\"]\n"),
	    "%s", y);
	cr_assert_null(strstr(y, "serviceaccounts/token"), "only what is missing:\n%s", y);
	cr_assert(strstr(y, "- kind: ServiceAccount\n  name: token-request-sa\n  namespace: kube-system\n"),
	          "%s", y);
	cr_assert_not_null(r.report->fix_yaml_dynamic);
	target_add_result_done(&r);
}

Test(target, unprivileged_account_is_saved_with_what_it_lacks)
{
	struct target_add_result r;
	const struct preflight_perm *p;

	add_token_target("dash", "kubernetes-dashboard/kubernetes-dashboard", &r);
	cr_assert_not(r.report->fixed_ready);
	cr_assert_not(r.report->dynamic_ready);
	cr_assert_not(r.report->sweep_ready);
	cr_assert_eq(perm(r.report, "create", "serviceaccounts/token")->state, PREFLIGHT_MISSING);
	/* `view` in its own namespace: held there only */
	p = perm(r.report, "get", "serviceaccounts");
	cr_assert_eq(p->state, PREFLIGHT_PARTIAL);
	cr_assert_str_eq(p->namespaces[0], "kubernetes-dashboard");
	cr_assert_null(p->namespaces[1]);
	cr_assert(has_notice(r.report->notices, "fixed mode: not ready"));
	cr_assert(strstr(r.report->fix_yaml_fixed, "serviceaccounts/token"));
	target_add_result_done(&r);
	cr_assert_eq(count_targets(), 1);
}

Test(target, check_looks_in_the_namespaces_of_the_targets_secrets)
{
	struct target_add_result r;
	struct preflight_report *rep;
	struct secret sec;
	kj_err e = {0};

	add_token_target("dash", "kubernetes-dashboard/kubernetes-dashboard", &r);
	target_add_result_done(&r);
	secret_init(&sec);
	sec.path = kj_xstrdup("/staging/web");
	sec.target = kj_xstrdup("dash");
	sec.mode = SECRET_DYNAMIC;
	sec.role_source = ROLE_SOURCE_CLUSTER_ROLE;
	sec.role_name = kj_xstrdup("view");
	kj_strv_push(&sec.allowed_namespaces, "staging");
	kj_strv_push(&sec.allowed_namespaces, "team-*");
	cr_assert_eq(secret_add(en, &sec, &e), 0, "%s", e.msg);
	secret_done(&sec);
	{
		const char *extra[] = {"prod", NULL};

		cr_assert_eq(target_check(en, "dash", extra, &rep, &e), 0, "%s", e.msg);
	}
	cr_assert(strv_has(rep->namespaces_checked, "staging"), "the secret's namespace");
	cr_assert(strv_has(rep->namespaces_checked, "prod"), "the namespace asked for");
	cr_assert(strv_has(rep->namespaces_checked, "kubernetes-dashboard"), "the account's own");
	cr_assert_not(strv_has(rep->namespaces_checked, "team-*"), "patterns are not namespaces");
	preflight_report_free(rep);
}

Test(target, check_report_returns_the_report_and_the_saved_target)
{
	struct target_add_result r;
	struct target_check_result cr;
	kj_err e = {0};

	add_token_target("dash", "kubernetes-dashboard/kubernetes-dashboard", &r);
	target_add_result_done(&r);
	cr_assert_eq(target_check_report(en, "dash", NULL, &cr, &e), 0, "%s", e.msg);
	cr_assert_not_null(cr.report);
	cr_assert(cr.have_target);
	cr_assert_str_eq(cr.t.name, "dash");
	target_check_result_done(&cr);
	cr_assert_eq(target_check_report(en, "nope", NULL, &cr, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND, "%s", e.msg);
	cr_assert_not(cr.have_target);
	target_check_result_done(&cr);
}

Test(target, secret_patch_changes_only_the_given_fields)
{
	struct target_add_result r;
	struct secret_patch p;
	struct secret_saved saved;
	struct secret s;
	kj_err e = {0};

	add_token_target("dash", "kubernetes-dashboard/kubernetes-dashboard", &r);
	target_add_result_done(&r);
	secret_init(&s);
	s.path = kj_xstrdup("/staging/web");
	s.target = kj_xstrdup("dash");
	s.mode = SECRET_DYNAMIC;
	s.role_source = ROLE_SOURCE_CLUSTER_ROLE;
	s.role_name = kj_xstrdup("view");
	s.description = kj_xstrdup("kept");
	kj_strv_push(&s.allowed_namespaces, "staging");
	cr_assert_eq(secret_add_report(en, &s, &saved, &e), 0, "%s", e.msg);
	cr_assert_str_eq(saved.path, "/staging/web");
	cr_assert_eq(saved.n_notices, 0, "a ClusterRole by name has no YAML to note");
	secret_saved_done(&saved);
	secret_done(&s);

	/* a role YAML whose name is ignored, a new TTL and a rename */
	secret_patch_init(&p);
	p.set = SECRET_SET_ROLE | SECRET_SET_TTL | SECRET_SET_PATH;
	p.v.role_source = ROLE_SOURCE_YAML;
	p.v.role_yaml = kj_xstrdup("kind: Role\nmetadata:\n  name: x\nrules:\n"
	                           "- apiGroups: [\"\"]\n  resources: [pods]\n  verbs: [get]\n");
	p.v.default_ttl = 600;
	p.v.path = kj_xstrdup("staging//web2/");
	cr_assert_eq(secret_patch(en, "staging/web", &p, &saved, &e), 0, "%s", e.msg);
	cr_assert_str_eq(saved.path, "/staging/web2");
	cr_assert_eq(saved.n_notices, 1);
	cr_assert_eq(saved.notices[0].line, 3);
	cr_assert(strstr(saved.notices[0].text, "metadata.name"), "%s", saved.notices[0].text);
	secret_saved_done(&saved);
	secret_patch_done(&p);

	cr_assert_eq(secret_get(en, "/staging/web", &s, &e), -1, "renamed away");
	cr_assert_eq(secret_get(en, "/staging/web2", &s, &e), 0, "%s", e.msg);
	cr_assert_eq(s.role_source, ROLE_SOURCE_YAML);
	cr_assert_null(s.role_name, "the role moves as one field");
	cr_assert_eq(s.default_ttl, 600);
	cr_assert_str_eq(s.description, "kept");
	cr_assert_str_eq(s.target, "dash");
	cr_assert_eq(s.allowed_namespaces.n, 1);
	secret_done(&s);

	/* an invalid result writes nothing */
	secret_patch_init(&p);
	p.set = SECRET_SET_ALLOWED;
	cr_assert_eq(secret_patch(en, "/staging/web2", &p, &saved, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID, "%s", e.msg);
	cr_assert_eq(saved.n_notices, 0);
	secret_patch_done(&p);
	cr_assert_eq(secret_get(en, "/staging/web2", &s, &e), 0, "%s", e.msg);
	cr_assert_eq(s.allowed_namespaces.n, 1);
	secret_done(&s);

	secret_patch_init(&p);
	cr_assert_eq(secret_patch(en, "/missing", &p, NULL, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND, "%s", e.msg);
	secret_patch_done(&p);
}

Test(target, client_certificate_from_files)
{
	struct target_spec s = {0};
	struct target_add_result r;
	kj_err e = {0};

	s.name = "cert";
	s.auth = TARGET_AUTH_CLIENT_CERT;
	s.server = demo_url(dc);
	s.ca_pem = demo_ca_pem(dc);
	s.client_cert_pem = demo_admin_cert_pem(dc);
	s.client_key_pem = demo_admin_key_pem(dc);
	cr_assert_eq(target_add(en, &s, &r, &e), 0, "%s", e.msg);
	cr_assert_gt(r.target.cert_not_after, kj_now());
	cr_assert(r.report->dynamic_ready && r.report->fixed_revocable, "admin holds everything");
	cr_assert(has_notice(r.report->groups, "system:masters"));
	target_add_result_done(&r);
}

Test(target, in_cluster_service_account_and_token_rotation)
{
	struct target_spec s = {0};
	struct target_add_result r;
	struct preflight_report *rep;
	char port[16];
	char *sa = kj_xasprintf("%s/sa", tmp);
	char *p;
	kj_err e = {0};

	mkdir(sa, 0700);
	p = write_file("sa/token", token_of("kube-system/kubejit-jit"));
	free(p);
	p = write_file("sa/ca.crt", demo_ca_pem(dc));
	free(p);
	p = write_file("sa/namespace", "kube-system");
	free(p);
	snprintf(port, sizeof(port), "%d", demo_port(dc));
	setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", port, 1);
	s.name = "pod";
	s.auth = TARGET_AUTH_IN_CLUSTER;
	s.sa_dir = sa;
	cr_assert_eq(target_add(en, &s, &r, &e), 0, "%s / %s", e.msg, e.hint);
	cr_assert_str_eq(r.target.server, demo_url(dc));
	cr_assert_not_null(r.target.token_file);
	cr_assert(strstr(r.target.token_file, "/sa/token"));
	cr_assert_str_eq(r.report->username, "system:serviceaccount:kube-system:kubejit-jit");
	target_add_result_done(&r);

	/* kubelet rotates the file: the next check reads the new token */
	p = write_file("sa/token", token_of("kube-system/token-request-sa"));
	free(p);
	cr_assert_eq(target_check(en, "pod", NULL, &rep, &e), 0, "%s", e.msg);
	cr_assert_str_eq(rep->username, "system:serviceaccount:kube-system:token-request-sa");
	preflight_report_free(rep);
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	free(sa);
}

Test(target, in_cluster_without_environment_says_what_is_missing)
{
	struct target_spec s = {0};
	struct target_add_result r;
	kj_err e = {0};

	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	s.name = "pod";
	s.auth = TARGET_AUTH_IN_CLUSTER;
	s.sa_dir = tmp;
	cr_assert_eq(target_add(en, &s, &r, &e), -1);
	cr_assert(strstr(e.msg, "KUBERNETES_SERVICE_HOST"), "%s", e.msg);
	cr_assert_eq(count_targets(), 0);
}

static char *kubeconfig_with(const char *file, const char *token, const char *exec_cmd)
{
	struct kubeconfig_spec k = {0};
	char *path = kj_xasprintf("%s/%s", tmp, file);
	kj_err e = {0};

	k.cluster_name = "demo";
	k.user_name = exec_cmd ? "plugin-user" : "jit";
	k.context_name = "jit";
	k.server = demo_url(dc);
	k.ca_pem = demo_ca_pem(dc);
	k.token = token;
	k.exec_command = exec_cmd;
	cr_assert_eq(kubeconfig_write(path, &k, 1, &e), 0, "%s", e.msg);
	return path;
}

Test(target, kubeconfig_context_import)
{
	struct target_spec s = {0};
	struct target_add_result r;
	char *kc = kubeconfig_with("kc", token_of("kube-system/kubejit-jit"), NULL);
	kj_err e = {0};

	s.name = "imported";
	s.auth = TARGET_AUTH_KUBECONFIG;
	s.kubeconfig_path = kc;
	s.context = "jit";
	cr_assert_eq(target_add(en, &s, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.target.auth, TARGET_AUTH_KUBECONFIG);
	cr_assert_str_eq(r.target.kubeconfig_context, "jit");
	cr_assert_str_eq(r.target.server, demo_url(dc));
	cr_assert_str_eq(r.report->username, "system:serviceaccount:kube-system:kubejit-jit");
	target_add_result_done(&r);

	/* the demo's own admin kubeconfig: current context, a client certificate */
	s.name = "admin";
	s.kubeconfig_path = demo_kubeconfig_path(dc);
	s.context = NULL;
	cr_assert_eq(target_add(en, &s, &r, &e), 0, "%s", e.msg);
	cr_assert_not_null(r.target.client_cert_pem);
	target_add_result_done(&r);
	free(kc);
}

/* A credential plugin answering `token`, counting its runs in <path>.runs. */
static char *token_plugin(const char *name, const char *token)
{
	char *path = kj_xasprintf("%s/%s", tmp, name);
	char *body = kj_xasprintf("#!/bin/sh\necho run >> \"$0.runs\"\n"
	                          "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
	                          "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\"}}'\n",
	                          token);
	char *p = write_file(name, body);
	chmod(p, 0755);
	free(p);
	free(body);
	return path;
}

static int runs_of(const char *plugin)
{
	char *path = kj_xasprintf("%s.runs", plugin);
	FILE *f = fopen(path, "r");
	int n = 0, c;
	while (f && (c = fgetc(f)) != EOF)
		n += c == '\n';
	if (f)
		fclose(f);
	free(path);
	return n;
}

Test(target, kubeconfig_exec_user_becomes_an_exec_target)
{
	struct target_spec s = {0};
	struct target_add_result r;
	struct target_cred c;
	struct preflight_report *rep = NULL;
	char *plugin = token_plugin("jit-plugin", token_of("kube-system/kubejit-jit"));
	char *kc = kubeconfig_with("kc-exec", NULL, plugin);
	kj_err e = {0};

	s.name = "plugin";
	s.auth = TARGET_AUTH_KUBECONFIG;
	s.kubeconfig_path = kc;
	cr_assert_eq(target_add(en, &s, &r, &e), 0, "%s", e.msg);
	cr_assert_eq(r.target.auth, TARGET_AUTH_EXEC);
	cr_assert(strstr(r.target.exec_json, plugin), "%s", r.target.exec_json);
	cr_assert_str_eq(r.report->username, "system:serviceaccount:kube-system:kubejit-jit");
	int said = 0;
	for (char **n = r.notices; n && *n; n++)
		said |= strstr(*n, "exec plugin") && strstr(*n, "kubejit-jit");
	cr_assert(said, "a notice names the plugin and the identity it gave");
	target_add_result_done(&r);
	cr_assert_eq(runs_of(plugin), 1);
	/* nothing secret is stored: the plugin runs whenever a credential is needed */
	cr_assert_eq(target_get_cred(en, "plugin", &c, &e), 0, "%s", e.msg);
	cr_assert_null(c.token);
	cr_assert_null(c.client_key_pem);
	target_cred_done(&c);
	cr_assert_eq(target_check(en, "plugin", NULL, &rep, &e), 0, "%s", e.msg);
	cr_assert_str_eq(rep->username, "system:serviceaccount:kube-system:kubejit-jit");
	preflight_report_free(rep);
	cr_assert_eq(runs_of(plugin), 2, "a fresh client runs the plugin again");
	cr_assert_eq(count_targets(), 1);
	free(kc);
	free(plugin);
}

Test(target, bootstrap_from_an_exec_admin_context)
{
	struct target_bootstrap_spec b = {0};
	struct target_add_result r;
	char *plugin = token_plugin("admin-plugin", demo_admin_token(dc));
	char *kc = kubeconfig_with("kc-admin-exec", NULL, plugin);
	kj_err e = {0};

	b.name = "boot-exec";
	b.mode = TARGET_MODE_FIXED;
	b.kubeconfig_path = kc;
	b.namespace_ = "default";
	b.sa_name = "kj-exec-boot";
	cr_assert_eq(target_bootstrap(en, &b, &r, &e), 0, "%s / %s", e.msg, e.hint);
	cr_assert_eq(r.target.auth, TARGET_AUTH_TOKEN);
	cr_assert_str_eq(r.report->username, "system:serviceaccount:default:kj-exec-boot");
	cr_assert(r.report->fixed_ready, "%s", r.report->summary);
	target_add_result_done(&r);
	cr_assert_eq(runs_of(plugin), 1, "one plugin run for the whole bootstrap");
	free(kc);
	free(plugin);
}

Test(target, kubeconfig_missing_context_lists_the_others)
{
	struct target_spec s = {0};
	struct target_add_result r;
	kj_err e = {0};

	s.name = "nope";
	s.auth = TARGET_AUTH_KUBECONFIG;
	s.kubeconfig_path = demo_kubeconfig_path(dc);
	s.context = "does-not-exist";
	cr_assert_eq(target_add(en, &s, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
	cr_assert(strstr(e.msg, "does-not-exist"), "%s", e.msg);
	cr_assert(strstr(e.msg, "kubejit-demo") || strstr(e.hint, "kubejit-demo"), "%s / %s", e.msg, e.hint);
	cr_assert_eq(count_targets(), 0);
}

/* ---- CSR ------------------------------------------------------------------- */

/* A client certificate made through a CSR for user `cn` in group
 * kubejit-ops, approved by kubejit with the demo's admin kubeconfig. */
static void csr_spec(struct target_spec *s, const char *name, const char *cn)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->auth = TARGET_AUTH_CLIENT_CERT;
	s->csr = 1;
	s->csr_cn = cn;
	s->csr_org = "kubejit-ops";
	s->key_type = TARGET_KEY_EC_P256;
	s->kubeconfig_path = demo_kubeconfig_path(dc);
	s->approve_timeout = 10;
}

Test(target, csr_approved_by_kubejit_with_admin_context)
{
	struct target_spec s;
	struct target_add_result r;
	kj_err e = {0};

	csr_spec(&s, "csr", "jit-operator");
	cr_assert_eq(target_add(en, &s, &r, &e), 0, "%s / %s", e.msg, e.hint);
	cr_assert_not_null(r.csr_name);
	cr_assert_str_eq(r.target.csr_name, r.csr_name);
	cr_assert_str_eq(r.report->username, "jit-operator");
	cr_assert(has_notice(r.report->groups, "kubejit-ops"));
	cr_assert_gt(r.target.cert_not_after, kj_now());
	cr_assert_not(r.report->fixed_ready, "a new user holds nothing yet");
	target_add_result_done(&r);
}

/* A real cluster's signer is a controller that issues a moment after
 * approval, and on many managed clusters it never does. */
static void setup_signer_late(void)
{
	struct demo_opts o = {.csr_signer_delay_ms = 1500};

	tf_setup_with(&o);
}

static void setup_signer_none(void)
{
	struct demo_opts o = {.csr_signer_none = 1};

	tf_setup_with(&o);
}

static size_t count_csrs(void)
{
	struct kube_client *kc = admin_client();
	cJSON *list = NULL;
	kj_err e = {0};
	size_t n;

	cr_assert_eq(kube_list(kc, KUBE_CSR, NULL, NULL, &list, &e), 0, "%s", e.msg);
	n = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(list, "items"));
	cJSON_Delete(list);
	kube_client_free(kc);
	return n;
}

TestSuite(target_signer, .timeout = 60);

Test(target_signer, csr_issued_by_the_signer_after_approval, .init = setup_signer_late, .fini = tf_teardown)
{
	struct target_spec s;
	struct target_add_result r;
	kj_err e = {0};

	csr_spec(&s, "csr", "jit-operator");
	int64_t t0 = kj_mono_ms();
	cr_assert_eq(target_add(en, &s, &r, &e), 0, "%s / %s", e.msg, e.hint);
	cr_assert_geq(kj_mono_ms() - t0, 1400, "the certificate came only once the signer ran");
	cr_assert_str_eq(r.report->username, "jit-operator");
	cr_assert_gt(r.target.cert_not_after, kj_now());
	target_add_result_done(&r);
}

Test(target_signer, csr_approved_but_never_issued_names_the_missing_signer, .init = setup_signer_none,
     .fini = tf_teardown)
{
	struct target_spec s;
	struct target_add_result r;
	kj_err e = {0};

	csr_spec(&s, "csr", "jit-operator");
	s.issue_timeout = 2;
	int64_t t0 = kj_mono_ms();
	cr_assert_eq(target_add(en, &s, &r, &e), -1);
	int64_t took = kj_mono_ms() - t0;
	/* approval by kubejit was at once; the signer had its own 2 s */
	cr_assert_geq(took, 1900, "%lld ms", (long long)took);
	cr_assert_lt(took, 8000, "%lld ms: not the 10 s approval wait", (long long)took);
	cr_assert_eq(e.cls, KJ_ERR_FAIL, "%s", e.msg);
	cr_assert(strstr(e.msg, "was approved, but no certificate was issued within 2s"), "%s", e.msg);
	cr_assert(strstr(e.msg, "kubernetes.io/kube-apiserver-client signer"), "%s", e.msg);
	cr_assert(strstr(e.hint, "managed clusters"), "%s", e.hint);
	cr_assert(strstr(e.hint, "target bootstrap"), "%s", e.hint);
	cr_assert(strstr(e.hint, "--token-file"), "%s", e.hint);
	cr_assert_eq(count_targets(), 0);
	cr_assert_eq(count_csrs(), 0, "the useless request is deleted");
}

/* The rights of the CSR tests' users: a ClusterRole `name` with `rules`
 * (a JSON list) bound cluster-wide to `subject` (a JSON subject). */
static void grant_cluster_role(const char *name, const char *rules, const char *subject)
{
	struct kube_client *kc = admin_client();
	char *json;
	cJSON *o;
	kj_err e = {0};

	json = kj_xasprintf("{\"metadata\":{\"name\":\"%s\"},\"rules\":%s}", name, rules);
	o = cJSON_Parse(json);
	cr_assert_not_null(o, "%s", json);
	free(json);
	cr_assert_eq(kube_create(kc, KUBE_CLUSTERROLE, NULL, o, NULL, &e), 0, "%s", e.msg);
	cJSON_Delete(o);
	json = kj_xasprintf("{\"metadata\":{\"name\":\"%s\"},\"roleRef\":{\"apiGroup\":"
	                    "\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"%s\"},"
	                    "\"subjects\":[%s]}",
	                    name, name, subject);
	o = cJSON_Parse(json);
	cr_assert_not_null(o, "%s", json);
	free(json);
	cr_assert_eq(kube_create(kc, KUBE_CLUSTERROLEBINDING, NULL, o, NULL, &e), 0, "%s", e.msg);
	cJSON_Delete(o);
	kube_client_free(kc);
}

/* A submitter that may create CSRs but not approve them. */
static char *csr_maker_token(void)
{
	struct kube_client *kc = admin_client();
	struct kube_token tok = {0};
	struct kube_token_spec ts = {0};
	cJSON *o;
	char *t;
	kj_err e = {0};

	o = cJSON_Parse("{\"metadata\":{\"name\":\"csr-maker\",\"namespace\":\"default\"}}");
	cr_assert_eq(kube_create(kc, KUBE_SERVICEACCOUNT, "default", o, NULL, &e), 0, "%s", e.msg);
	cJSON_Delete(o);
	grant_cluster_role("csr-maker",
	                   "[{\"apiGroups\":[\"certificates.k8s.io\"],\"resources\":"
	                   "[\"certificatesigningrequests\"],\"verbs\":[\"create\",\"get\",\"list\","
	                   "\"delete\"]}]",
	                   "{\"kind\":\"ServiceAccount\",\"name\":\"csr-maker\",\"namespace\":\"default\"}");
	ts.expiration_seconds = 3600;
	cr_assert_eq(kube_token_request(kc, "default", "csr-maker", &ts, &tok, &e), 0, "%s", e.msg);
	t = kj_xstrdup(tok.token);
	kube_token_done(&tok);
	kube_client_free(kc);
	{
		struct kube_access a = {.verb = "create",
		                        .group = "certificates.k8s.io",
		                        .resource = "certificatesigningrequests"};

		wait_until_allowed(t, &a);
	}
	return t;
}

enum admin_answer { ANSWER_APPROVE, ANSWER_DENY, ANSWER_NONE };
struct waiter {
	enum admin_answer answer;
	int asked;
	char name[128];
};

static void deny(struct kube_client *kc, const char *name)
{
	const struct kube_kind *k = kube_kind(KUBE_CSR);
	char *path = kube_kind_subpath(k, NULL, name, "approval");
	cJSON *obj = NULL, *conds, *c;
	char *body;
	kj_err e = {0};

	cr_assert_eq(kube_get(kc, KUBE_CSR, NULL, name, &obj, &e), 0, "%s", e.msg);
	conds = cJSON_AddArrayToObject(cJSON_GetObjectItem(obj, "status")
	                                   ? cJSON_GetObjectItem(obj, "status")
	                                   : cJSON_AddObjectToObject(obj, "status"),
	                               "conditions");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "type", "Denied");
	cJSON_AddStringToObject(c, "status", "True");
	cJSON_AddStringToObject(c, "reason", "NotToday");
	cJSON_AddStringToObject(c, "message", "no certificates for you");
	cJSON_AddItemToArray(conds, c);
	body = cJSON_PrintUnformatted(obj);
	cr_assert_eq(kube_request(kc, "PUT", path, NULL, body, NULL, &e), 0, "%s", e.msg);
	free(body);
	free(path);
	cJSON_Delete(obj);
}

/* The progress callback plays the admin reading the message. */
static int admin_reads(void *ud, const char *msg)
{
	struct waiter *w = ud;
	struct kube_client *kc;
	const char *cmd;
	kj_err e = {0};

	if (!msg || w->asked)
		return 0;
	cmd = strstr(msg, "kubectl certificate approve ");
	cr_assert_not_null(cmd, "the exact approve command is shown: %s", msg);
	snprintf(w->name, sizeof(w->name), "%s", cmd + strlen("kubectl certificate approve "));
	w->asked = 1;
	if (w->answer == ANSWER_NONE)
		return 0;
	kc = admin_client();
	if (w->answer == ANSWER_APPROVE)
		cr_assert_eq(kube_csr_approve(kc, w->name, "Admin", "approved by the test admin", &e), 0,
		             "%s", e.msg);
	else
		deny(kc, w->name);
	kube_client_free(kc);
	return 0;
}

static int run_csr(enum admin_answer answer, struct waiter *w, struct target_add_result *r, kj_err *e)
{
	struct target_spec s = {0};
	char *tok = csr_maker_token();
	int rc;

	memset(w, 0, sizeof(*w));
	w->answer = answer;
	s.name = "csr";
	s.auth = TARGET_AUTH_CLIENT_CERT;
	s.csr = 1;
	s.csr_cn = "waiting-user";
	s.server = demo_url(dc);
	s.ca_pem = demo_ca_pem(dc);
	s.token = tok;
	s.approve_timeout = answer == ANSWER_NONE ? 1 : 10;
	s.progress = admin_reads;
	s.progress_ud = w;
	rc = target_add(en, &s, r, e);
	free(tok);
	return rc;
}

Test(target, csr_approved_by_an_admin_while_waiting)
{
	struct waiter w;
	struct target_add_result r;
	kj_err e = {0};

	cr_assert_eq(run_csr(ANSWER_APPROVE, &w, &r, &e), 0, "%s / %s", e.msg, e.hint);
	cr_assert(w.asked);
	cr_assert_str_eq(r.csr_name, w.name);
	cr_assert_str_eq(r.report->username, "waiting-user");
	target_add_result_done(&r);
}

Test(target, csr_denied)
{
	struct waiter w;
	struct target_add_result r;
	kj_err e = {0};

	cr_assert_eq(run_csr(ANSWER_DENY, &w, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_DENIED);
	cr_assert(strstr(e.msg, "denied"), "%s", e.msg);
	cr_assert(strstr(e.msg, "no certificates for you"), "keeps the admin's message: %s", e.msg);
	cr_assert_eq(count_targets(), 0);
}

Test(target, csr_never_approved_times_out)
{
	struct waiter w;
	struct target_add_result r;
	struct kube_client *kc;
	kj_err e = {0};

	cr_assert_eq(run_csr(ANSWER_NONE, &w, &r, &e), -1);
	cr_assert(strstr(e.msg, "not approved within 1s"), "%s", e.msg);
	cr_assert(strstr(e.hint, "--approve-timeout"), "%s", e.hint);
	cr_assert_eq(count_targets(), 0);
	/* the useless request is gone from the cluster */
	kc = admin_client();
	cr_assert_eq(kube_get(kc, KUBE_CSR, NULL, w.name, NULL, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
	kube_client_free(kc);
}

/* ---- bad input ----------------------------------------------------------------- */

Test(target, unreachable_endpoint)
{
	struct target_spec s;
	struct target_add_result r;
	kj_err e = {0};

	token_spec(&s, "gone", token_of("kube-system/kubejit-jit"));
	s.server = "https://127.0.0.1:1";
	cr_assert_eq(target_add(en, &s, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NETWORK, "%s", e.msg);
	cr_assert(strstr(e.msg, "127.0.0.1:1"), "%s", e.msg);
	cr_assert(strstr(e.hint, "Nothing was saved") || strstr(e.hint, "server"), "%s", e.hint);
	cr_assert_eq(count_targets(), 0);
}

Test(target, wrong_ca)
{
	struct target_spec s;
	struct target_add_result r;
	kj_err e = {0};

	token_spec(&s, "badca", token_of("kube-system/kubejit-jit"));
	s.ca_pem = demo_admin_cert_pem(dc); /* a certificate, but not the one that signed the server */
	cr_assert_eq(target_add(en, &s, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NETWORK, "%s", e.msg);
	cr_assert(strstr(e.hint, "--ca-file"), "%s / %s", e.msg, e.hint);
	cr_assert_eq(count_targets(), 0);
}

Test(target, token_rejected)
{
	struct target_spec s;
	struct target_add_result r;
	kj_err e = {0};

	token_spec(&s, "badtoken", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJub2JvZHkifQ.c2lnbmF0dXJl");
	cr_assert_eq(target_add(en, &s, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_AUTH, "%s", e.msg);
	cr_assert(strstr(e.msg, "rejected"), "%s", e.msg);
	cr_assert(strstr(e.msg, "401"), "%s", e.msg);
	cr_assert_eq(count_targets(), 0);
}

Test(target, expired_certificate)
{
	struct target_spec s = {0};
	struct target_add_result r;
	kj_err e = {0};

	s.name = "old";
	s.auth = TARGET_AUTH_CLIENT_CERT;
	s.server = demo_url(dc);
	s.ca_pem = demo_ca_pem(dc);
	s.client_cert_pem = demo_admin_cert_pem(dc);
	s.client_key_pem = demo_admin_key_pem(dc);
	kj_time_set_offset(50LL * 365 * 86400);
	cr_assert_eq(target_add(en, &s, &r, &e), -1);
	kj_time_set_offset(0);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert(strstr(e.msg, "client certificate expired on"), "%s", e.msg);
	cr_assert_eq(count_targets(), 0);
}

Test(target, certificate_and_key_must_match)
{
	struct target_spec s = {0};
	struct target_add_result r;
	kj_err e = {0};

	s.name = "mixed";
	s.auth = TARGET_AUTH_CLIENT_CERT;
	s.server = demo_url(dc);
	s.ca_pem = demo_ca_pem(dc);
	s.client_cert_pem = demo_ca_pem(dc);
	s.client_key_pem = demo_admin_key_pem(dc);
	cr_assert_eq(target_add(en, &s, &r, &e), -1);
	cr_assert(strstr(e.msg, "does not belong"), "%s", e.msg);
	cr_assert_eq(count_targets(), 0);
}

Test(target, name_taken_and_bad_names)
{
	struct target_spec s;
	struct target_add_result r;
	kj_err e = {0};

	add_token_target("prod", "kube-system/kubejit-jit", &r);
	target_add_result_done(&r);
	token_spec(&s, "prod", token_of("kube-system/token-request-sa"));
	cr_assert_eq(target_add(en, &s, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_CONFLICT);
	cr_assert(strstr(e.msg, "already exists"), "%s", e.msg);
	cr_assert(strstr(e.hint, "kubejit target rm prod"), "%s", e.hint);
	token_spec(&s, "Prod_EU", token_of("kube-system/kubejit-jit"));
	cr_assert_eq(target_add(en, &s, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	token_spec(&s, "plain", token_of("kube-system/kubejit-jit"));
	s.server = "http://127.0.0.1:80";
	cr_assert_eq(target_add(en, &s, &r, &e), -1);
	cr_assert(strstr(e.msg, "https://"), "%s", e.msg);
	cr_assert_eq(count_targets(), 1);
}

/* ---- check, remove, bootstrap ------------------------------------------------------- */

Test(target, check_records_outcome_and_remove_forgets)
{
	struct target_add_result r;
	struct preflight_report *rep;
	struct target got;
	kj_err e = {0};

	add_token_target("prod", "kube-system/kubejit-jit", &r);
	target_add_result_done(&r);
	kj_time_set_offset(60);
	cr_assert_eq(target_check(en, "prod", NULL, &rep, &e), 0, "%s", e.msg);
	cr_assert_eq(rep->health, TARGET_HEALTH_OK);
	preflight_report_free(rep);
	cr_assert_eq(target_get(en, "prod", &got, &e), 0);
	cr_assert_geq(got.preflight_at, kj_now() - 5);
	target_done(&got);
	kj_time_set_offset(0);

	/* the cluster goes away: check fails, the failure is recorded */
	demo_fault_add(dc, NULL, "/version", 1, DEMO_FAULT_STATUS, 401, 0);
	cr_assert_eq(target_check(en, "prod", NULL, &rep, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_AUTH, "%s", e.msg);
	cr_assert_eq(rep->health, TARGET_HEALTH_FAIL);
	preflight_report_free(rep);
	cr_assert_eq(target_get(en, "prod", &got, &e), 0);
	cr_assert_eq(got.health, TARGET_HEALTH_FAIL);
	target_done(&got);

	cr_assert_eq(target_remove(en, "prod", &e), 0, "%s", e.msg);
	cr_assert_eq(target_remove(en, "prod", &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
	cr_assert_eq(target_check(en, "prod", NULL, &rep, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
}

Test(target, bootstrap_dynamic_and_fixed)
{
	struct target_bootstrap_spec b = {0};
	struct target_add_result r;
	kj_err e = {0};

	b.name = "boot-dyn";
	b.mode = TARGET_MODE_DYNAMIC;
	b.kubeconfig_path = demo_kubeconfig_path(dc);
	b.namespace_ = "default";
	b.sa_name = "kj-boot";
	cr_assert_eq(target_bootstrap(en, &b, &r, &e), 0, "%s / %s", e.msg, e.hint);
	cr_assert_str_eq(r.report->username, "system:serviceaccount:default:kj-boot");
	cr_assert(r.report->dynamic_ready && r.report->sweep_ready, "%s", r.report->summary);
	target_add_result_done(&r);

	b.name = "boot-fixed";
	b.mode = TARGET_MODE_FIXED;
	b.sa_name = "kj-fixed";
	cr_assert_eq(target_bootstrap(en, &b, &r, &e), 0, "%s / %s", e.msg, e.hint);
	cr_assert(r.report->fixed_ready && r.report->fixed_revocable, "%s", r.report->summary);
	cr_assert_not(r.report->dynamic_ready);
	target_add_result_done(&r);

	/* running it again brings the objects in line and refuses the taken name */
	cr_assert_eq(target_bootstrap(en, &b, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_CONFLICT);
	b.name = "boot-fixed-2";
	cr_assert_eq(target_bootstrap(en, &b, &r, &e), 0, "%s / %s", e.msg, e.hint);
	target_add_result_done(&r);
	cr_assert_eq(count_targets(), 3);
}

/* ---- the command line ---------------------------------------------------------------- */

Test(target, replace_rotates_the_connection_and_keeps_the_target)
{
	struct target_spec s;
	struct target_add_result r;
	struct target got;
	struct target_cred c;
	struct secret sec;
	kj_err e = {0};
	int64_t id;

	add_token_target("prod", "kube-system/token-request-sa", &r);
	id = r.target.id;
	target_add_result_done(&r);
	secret_init(&sec);
	sec.path = kj_xstrdup("/prod/dash");
	sec.target = kj_xstrdup("prod");
	sec.mode = SECRET_FIXED;
	sec.ns = kj_xstrdup("kubernetes-dashboard");
	sec.service_account = kj_xstrdup("kubernetes-dashboard");
	cr_assert_eq(secret_add(en, &sec, &e), 0, "%s", e.msg);
	secret_done(&sec);

	/* a bad new connection changes nothing */
	token_spec(&s, "prod", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJub2JvZHkifQ.c2lnbmF0dXJl");
	s.replace = 1;
	cr_assert_eq(target_add(en, &s, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_AUTH, "%s", e.msg);
	cr_assert_eq(target_get_cred(en, "prod", &c, &e), 0);
	cr_assert_str_eq(c.token, token_of("kube-system/token-request-sa"));
	target_cred_done(&c);

	/* a good one replaces token, identity and report in place */
	token_spec(&s, "prod", token_of("kube-system/kubejit-jit"));
	s.replace = 1;
	cr_assert_eq(target_add(en, &s, &r, &e), 0, "%s / %s", e.msg, e.hint);
	target_add_result_done(&r);
	cr_assert_eq(target_get(en, "prod", &got, &e), 0);
	cr_assert_eq(got.id, id, "same row: secrets still point at it");
	cr_assert_str_eq(got.identity, "system:serviceaccount:kube-system:kubejit-jit");
	cr_assert_eq(got.health, TARGET_HEALTH_OK);
	target_done(&got);
	cr_assert_eq(target_get_cred(en, "prod", &c, &e), 0);
	cr_assert_str_eq(c.token, token_of("kube-system/kubejit-jit"));
	target_cred_done(&c);
	cr_assert_eq(count_targets(), 1);

	token_spec(&s, "nothere", token_of("kube-system/kubejit-jit"));
	s.replace = 1;
	cr_assert_eq(target_add(en, &s, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
}

Test(target, wrong_tls_server_name)
{
	struct target_spec s;
	struct target_add_result r;
	kj_err e = {0};

	token_spec(&s, "badname", token_of("kube-system/kubejit-jit"));
	s.tls_server_name = "api.example.com";
	cr_assert_eq(target_add(en, &s, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NETWORK, "%s", e.msg);
	cr_assert(strstr(e.hint, "--tls-server-name"), "%s / %s", e.msg, e.hint);
	cr_assert(strstr(e.hint, "Nothing was saved"), "%s", e.hint);
	cr_assert_eq(count_targets(), 0);
}

Test(target, bootstrap_with_a_context_that_may_not)
{
	struct target_bootstrap_spec b = {0};
	struct target_add_result r;
	struct kubeconfig_spec k = {0};
	char *path = kj_xasprintf("%s/weak.kubeconfig", tmp);
	kj_err e = {0};

	k.cluster_name = "demo";
	k.user_name = "dash";
	k.context_name = "weak";
	k.server = demo_url(dc);
	k.ca_pem = demo_ca_pem(dc);
	k.token = token_of("kubernetes-dashboard/kubernetes-dashboard");
	cr_assert_eq(kubeconfig_write(path, &k, 1, &e), 0, "%s", e.msg);
	b.name = "weak";
	b.mode = TARGET_MODE_DYNAMIC;
	b.kubeconfig_path = path;
	cr_assert_eq(target_bootstrap(en, &b, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_DENIED, "%s", e.msg);
	cr_assert(strstr(e.msg, "context \"weak\""), "%s", e.msg);
	cr_assert(strstr(e.hint, "admin context"), "%s", e.hint);
	cr_assert_eq(count_targets(), 0);
	b.context = "missing";
	cr_assert_eq(target_bootstrap(en, &b, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND, "%s", e.msg);
	free(path);
}

Test(target, kubeconfig_auth_provider_user_refused)
{
	struct target_spec s = {0};
	struct target_add_result r;
	char *yaml = kj_xasprintf("apiVersion: v1\nkind: Config\n"
	                          "clusters:\n- name: c\n  cluster:\n    server: %s\n"
	                          "users:\n- name: oidc-user\n  user:\n    auth-provider:\n      name: oidc\n"
	                          "      config: {client-id: kubectl}\n"
	                          "contexts:\n- name: oidc\n  context: {cluster: c, user: oidc-user}\n"
	                          "current-context: oidc\n",
	                          demo_url(dc));
	char *kc = write_file("kc-oidc", yaml);
	kj_err e = {0};

	s.name = "oidc";
	s.auth = TARGET_AUTH_KUBECONFIG;
	s.kubeconfig_path = kc;
	cr_assert_eq(target_add(en, &s, &r, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID, "%s", e.msg);
	cr_assert(strstr(e.msg, "oidc-user"), "names the user: %s", e.msg);
	cr_assert_eq(count_targets(), 0);
	free(yaml);
	free(kc);
}

/* ---- targets that stay alive ------------------------------------------------------ */

static int whoami_as_target(const char *name, char **who)
{
	struct kube_client *kc;
	struct kube_user_info u;
	kj_err e = {0};

	*who = NULL;
	if (engine_client(en, name, &kc, &e) < 0 || kube_whoami(kc, &u, &e) < 0)
		return -1;
	*who = kj_xstrdup(u.username);
	kube_user_info_done(&u);
	return 0;
}

/* A 10-minute token kept alive for an hour of (injected) time, sealed. */
Test(target, ten_minute_token_renews_itself_for_an_hour)
{
	struct target_bootstrap_spec b = {0};
	struct target_add_result r;
	struct target t;
	struct target_cred raw, opened;
	kj_err e = {0};
	char *first = NULL, *who = NULL;
	int renewals = 0;
	int64_t last_renewed = 0;

	b.name = "alive";
	b.mode = TARGET_MODE_FIXED;
	b.kubeconfig_path = demo_kubeconfig_path(dc);
	b.namespace_ = "default";
	b.sa_name = "kj-alive";
	b.token_seconds = 600;
	cr_assert_eq(target_bootstrap(en, &b, &r, &e), 0, "%s / %s", e.msg, e.hint);
	cr_assert_str_eq(r.target.renew_sa, "default/kj-alive");
	cr_assert_eq(r.target.token_seconds, 600);
	cr_assert_eq(target_renew_due(&r.target), r.target.token_expires_at - 120, "renewed at 80%%");
	target_add_result_done(&r);
	cr_assert_eq(engine_seal(en, "correct horse", &e), 0, "%s", e.msg);
	cr_assert_eq(target_get_cred(en, "alive", &opened, &e), 0, "%s", e.msg);
	first = kj_xstrdup(opened.token);
	target_cred_done(&opened);

	for (int minute = 0; minute <= 60; minute++) {
		kj_time_set_offset(minute * 60);
		cr_assert_eq(whoami_as_target("alive", &who), 0, "minute %d: the target stopped working",
		             minute);
		cr_assert_str_eq(who, "system:serviceaccount:default:kj-alive");
		free(who);
		cr_assert_eq(target_get(en, "alive", &t, &e), 0);
		if (t.renewed_at != last_renewed) {
			renewals++;
			last_renewed = t.renewed_at;
		}
		cr_assert_gt(t.token_expires_at, kj_now(), "minute %d", minute);
		target_done(&t);
	}
	cr_assert_geq(renewals, 6, "an hour of 10-minute tokens renewed at 8 minutes: %d", renewals);
	/* the first token is dead by now: the test would fail without renewal */
	struct kube_client *old = NULL;
	struct kube_conn conn = {.server = demo_url(dc), .ca = demo_ca_pem(dc), .token = first};
	struct kube_user_info u;
	cr_assert_eq(kube_client_new(&conn, &old, &e), 0, "%s", e.msg);
	/* refused once the API server's token cache (1 s here) forgets it */
	int64_t t0 = kj_mono_ms();
	while (kube_whoami(old, &u, &e) == 0) {
		kube_user_info_done(&u);
		cr_assert_lt(kj_mono_ms() - t0, 5000, "the expired first token is still accepted");
		usleep(50000);
	}
	cr_assert_eq(e.cls, KJ_ERR_AUTH, "%s", e.msg);
	kube_client_free(old);
	kj_free_secret(first);
	/* kept sealed like the first */
	cr_assert_eq(target_get(en, "alive", &t, &e), 0);
	cr_assert_eq(store_target_get_cred(engine_db(en), t.id, &raw, &e), 0, "%s", e.msg);
	/* a JWT starts with eyJ; a sealed value is random-looking text that may
	 * hold those three letters anywhere, so look at its start only */
	cr_assert(strncmp(raw.token, "eyJ", 3) != 0, "the renewed token is stored sealed");
	target_cred_done(&raw);
	target_done(&t);
	cr_assert_eq(target_get_cred(en, "alive", &opened, &e), 0, "%s", e.msg);
	cr_assert(strncmp(opened.token, "eyJ", 3) == 0);
	target_cred_done(&opened);
	kj_time_set_offset(0);
}

Test(target, renew_by_hand_and_what_cannot_renew)
{
	struct target_bootstrap_spec b = {0};
	struct target_add_result r;
	struct target_renew_result rr;
	struct target t;
	kj_err e = {0};

	b.name = "byhand";
	b.mode = TARGET_MODE_DYNAMIC;
	b.kubeconfig_path = demo_kubeconfig_path(dc);
	b.namespace_ = "default";
	b.sa_name = "kj-byhand";
	b.token_seconds = 3600;
	cr_assert_eq(target_bootstrap(en, &b, &r, &e), 0, "%s / %s", e.msg, e.hint);
	int64_t old_exp = r.target.token_expires_at;
	target_add_result_done(&r);
	kj_time_set_offset(120);
	cr_assert_eq(target_renew(en, "byhand", &rr, &e), 0, "%s / %s", e.msg, e.hint);
	cr_assert_str_eq(rr.service_account, "default/kj-byhand");
	cr_assert_eq(rr.seconds, 3600);
	cr_assert_gt(rr.expires_at, old_exp);
	target_renew_result_done(&rr);
	cr_assert_eq(target_get(en, "byhand", &t, &e), 0);
	cr_assert_gt(t.renewed_at, 0);
	target_done(&t);
	kj_time_set_offset(0);

	/* the demo's admin kubeconfig holds a client certificate */
	struct target_spec s = {0};
	s.name = "certy";
	s.auth = TARGET_AUTH_KUBECONFIG;
	s.kubeconfig_path = demo_kubeconfig_path(dc);
	cr_assert_eq(target_add(en, &s, &r, &e), 0, "%s", e.msg);
	target_add_result_done(&r);
	cr_assert_eq(target_renew(en, "certy", &rr, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert(strstr(e.hint, "--csr"), "%s", e.hint);
	cr_assert_eq(target_renew(en, "nope", &rr, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
}

/* ---- a CSR-made certificate renews through a new CSR ----------------------------- */

/* RBAC for user `cn` to submit and approve its own client certificates. */
static void grant_self_renewal(const char *cn)
{
	char *subject = kj_xasprintf("{\"kind\":\"User\",\"name\":\"%s\"}", cn);

	grant_cluster_role(
	    "cert-self-renewal",
	    "[{\"apiGroups\":[\"certificates.k8s.io\"],\"resources\":[\"certificatesigningrequests\"],"
	    "\"verbs\":[\"create\",\"get\",\"list\",\"delete\"]},"
	    "{\"apiGroups\":[\"certificates.k8s.io\"],\"resources\":[\"certificatesigningrequests/"
	    "approval\"],\"verbs\":[\"update\"]},"
	    "{\"apiGroups\":[\"certificates.k8s.io\"],\"resources\":[\"signers\"],"
	    "\"resourceNames\":[\"kubernetes.io/kube-apiserver-client\"],\"verbs\":[\"approve\"]}]",
	    subject);
	free(subject);
}

/* Add CSR-made target `name` for user `cn` (a 600 s certificate), keep
 * what it was saved as in *old (and its credentials in *oldc unless NULL),
 * then renew it by hand: target_renew()'s return. */
static int renew_csr_target(const char *name, const char *cn, struct target *old, struct target_cred *oldc,
                            struct target_renew_result *rr, kj_err *e)
{
	struct target_spec s;
	struct target_add_result r;

	csr_spec(&s, name, cn);
	s.cert_seconds = 600;
	cr_assert_eq(target_add(en, &s, &r, e), 0, "%s / %s", e->msg, e->hint);
	target_add_result_done(&r);
	cr_assert_eq(target_get(en, name, old, e), 0, "%s", e->msg);
	if (oldc)
		cr_assert_eq(target_get_cred(en, name, oldc, e), 0, "%s", e->msg);
	/* 600 s asked; the signer backdates notBefore by 5 minutes: due at 80 % of 900 s */
	cr_assert_eq(target_renew_due(old), old->cert_not_after - 180);
	return target_renew(en, name, rr, e);
}

Test(target, csr_certificate_renews_through_a_new_csr)
{
	struct target_renew_result rr = {0};
	struct target old, t;
	struct target_cred oldc, c;
	struct audit_entry *v = NULL;
	struct audit_filter af = {.action = TARGET_AUDIT_RENEW};
	size_t n = 0;
	char *who = NULL;
	kj_err e = {0};

	grant_self_renewal("jit-renewer");
	cr_assert_eq(renew_csr_target("certy", "jit-renewer", &old, &oldc, &rr, &e), 0, "%s / %s", e.msg,
	             e.hint);
	cr_assert_not_null(rr.csr_name);
	cr_assert_null(rr.service_account);
	cr_assert_eq(rr.seconds, 900, "the same lifetime as the first: %lld", (long long)rr.seconds);
	cr_assert_eq(target_get(en, "certy", &t, &e), 0);
	cr_assert_eq(target_get_cred(en, "certy", &c, &e), 0, "%s", e.msg);
	cr_assert_str_neq(t.client_cert_pem, old.client_cert_pem, "a new certificate");
	cr_assert_str_neq(c.client_key_pem, oldc.client_key_pem, "a new key");
	cr_assert(strstr(c.client_key_pem, "BEGIN") != NULL);
	cr_assert_str_eq(t.csr_name, rr.csr_name);
	cr_assert_str_neq(t.csr_name, old.csr_name);
	cr_assert_gt(t.renewed_at, 0);
	cr_assert_geq(t.cert_not_after, old.cert_not_after);
	target_done(&t);
	target_cred_done(&c);
	target_renew_result_done(&rr);
	cr_assert_eq(whoami_as_target("certy", &who), 0, "the renewed certificate works");
	cr_assert_str_eq(who, "jit-renewer");
	free(who);
	cr_assert_eq(audit_list(en, &af, &v, &n, &e), 0);
	cr_assert_eq(n, 1);
	cr_assert(strstr(v[0].detail, "CertificateSigningRequest"), "%s", v[0].detail);
	audit_list_free(v, n);

	/* on use, once 80 % of its lifetime has passed */
	kj_time_set_offset(target_renew_due(&old) - kj_now() + 90);
	cr_assert_eq(target_get(en, "certy", &t, &e), 0);
	int64_t before = t.renewed_at;
	char *cert_before = kj_xstrdup(t.client_cert_pem);
	target_done(&t);
	engine_drop_client(en, "certy");
	cr_assert_eq(whoami_as_target("certy", &who), 0, "%s", e.msg);
	cr_assert_str_eq(who, "jit-renewer");
	free(who);
	cr_assert_eq(target_get(en, "certy", &t, &e), 0);
	cr_assert_gt(t.renewed_at, before, "renewed by itself on use");
	cr_assert_str_neq(t.client_cert_pem, cert_before);
	free(cert_before);
	target_done(&t);
	kj_time_set_offset(0);
	target_done(&old);
	target_cred_done(&oldc);
}

Test(target, csr_certificate_that_may_not_approve_keeps_its_certificate)
{
	struct target_renew_result rr = {0};
	struct target old, t;
	kj_err e = {0};

	cr_assert_eq(renew_csr_target("plain", "jit-no-rights", &old, NULL, &rr, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_DENIED, "%s", e.msg);
	cr_assert(strstr(e.msg, "renewing the certificate of target \"plain\""), "%s", e.msg);
	cr_assert(strstr(e.hint, "kubernetes.io/kube-apiserver-client"), "%s", e.hint);
	cr_assert(strstr(e.hint, "--replace --csr --cn jit-no-rights"), "%s", e.hint);
	cr_assert_eq(target_get(en, "plain", &t, &e), 0);
	cr_assert_str_eq(t.client_cert_pem, old.client_cert_pem, "the old certificate stays");
	cr_assert_eq(t.renewed_at, 0);
	target_done(&t);
	target_done(&old);
}

/* A target nobody uses is renewed by the sweep (a timer), not only on use. */
Test(target, sweep_renews_targets_nobody_uses)
{
	struct target_bootstrap_spec b = {0};
	struct target_add_result r;
	struct sweep_opts o = {.local = 1};
	struct sweep_report rep;
	struct target t;
	kj_err e = {0};
	int64_t due;

	b.name = "idle";
	b.mode = TARGET_MODE_FIXED;
	b.kubeconfig_path = demo_kubeconfig_path(dc);
	b.namespace_ = "default";
	b.sa_name = "kj-idle";
	b.token_seconds = 600;
	cr_assert_eq(target_bootstrap(en, &b, &r, &e), 0, "%s / %s", e.msg, e.hint);
	due = target_renew_due(&r.target);
	target_add_result_done(&r);
	engine_drop_client(en, "idle");

	cr_assert_eq(sweep_run(en, &o, &rep, &e), 0, "%s", e.msg);
	cr_assert_eq(rep.n_actions, 0, "not due yet: nothing to renew");
	sweep_report_done(&rep);

	kj_time_set_offset(due - kj_now() + 30);
	o.dry_run = 1;
	cr_assert_eq(sweep_run(en, &o, &rep, &e), 0, "%s", e.msg);
	cr_assert_eq(rep.n_actions, 1);
	cr_assert_str_eq(rep.actions[0].kind, "Target");
	cr_assert_str_eq(rep.actions[0].target, "idle");
	sweep_report_done(&rep);
	cr_assert_eq(target_get(en, "idle", &t, &e), 0);
	cr_assert_eq(t.renewed_at, 0, "a dry run renews nothing");
	target_done(&t);

	o.dry_run = 0;
	cr_assert_eq(sweep_run(en, &o, &rep, &e), 0, "%s", e.msg);
	cr_assert_eq(rep.n_actions, 1);
	cr_assert_null(rep.actions[0].error, "%s", rep.actions[0].error);
	cr_assert_eq(rep.failures, 0);
	sweep_report_done(&rep);
	cr_assert_eq(target_get(en, "idle", &t, &e), 0);
	cr_assert_gt(t.renewed_at, 0, "renewed by the sweep");
	cr_assert_gt(target_renew_due(&t), kj_now(), "and not due again");
	target_done(&t);
	kj_time_set_offset(0);
}
