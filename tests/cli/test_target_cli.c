/* Targets through the command line, the expiry warning, the audit log,
 * targets in use by secrets and the sealed store; against the in-process
 * demo cluster. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/audit.h"
#include "engine/secret.h"
#include "kube/kubeconfig.h"
#include "store/seal.h"
#include "store/targets.h"
#include "tests/support/target_fixture.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

TestSuite(target_cli, .init = tf_setup, .fini = tf_teardown, .timeout = 60);

Test(target_cli, cli_add_list_show_check_rm)
{
	const char *tok = token_of("kube-system/kubejit-jit");
	char *ca = write_file("ca.crt", demo_ca_pem(dc));
	char *tf = write_file("jit.token", tok);
	char *out;
	cJSON *j;

	chmod(tf, 0600);
	cr_assert_eq(
	    run(&out, "target add cli --server %s --ca-file %s --token-file - < %s", demo_url(dc), ca, tf), 0,
	    "%s", out);
	cr_assert(strstr(out, "target \"cli\" saved"), "%s", out);
	cr_assert_null(strstr(out, tok), "no token in the output");
	free(out);

	cr_assert_eq(run(&out, "target list --json"), 0, "%s", out);
	j = cJSON_Parse(out);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "kind")->valuestring, "TargetList", "%s", out);
	{
		const cJSON *it = cJSON_GetObjectItem(j, "items");
		cr_assert(cJSON_IsArray(it), "%s", out);
		cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(it, 0), "name")->valuestring, "cli");
		cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(it, 0), "health")->valuestring, "ok");
	}
	cJSON_Delete(j);
	free(out);

	cr_assert_eq(run(&out, "target show cli"), 0, "%s", out);
	cr_assert_null(strstr(out, tok), "show hides the token");
	cr_assert(strstr(out, "--reveal"), "%s", out);
	free(out);
	cr_assert_eq(run(&out, "target show cli --reveal --json"), 0, "%s", out);
	j = cJSON_Parse(out);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "token")->valuestring, tok);
	cJSON_Delete(j);
	free(out);

	cr_assert_eq(run(&out, "target check cli --json"), 0, "%s", out);
	j = cJSON_Parse(out);
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "preflight"), "health")->valuestring,
	                 "ok");
	cJSON_Delete(j);
	free(out);

	cr_assert_eq(
	    run(&out, "target add cli --server %s --ca-file %s --token-file %s", demo_url(dc), ca, tf), 1,
	    "%s", out);
	cr_assert(strstr(out, "already exists"), "%s", out);
	free(out);
	cr_assert_eq(run(&out, "target show nope"), 4, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "target add x --server %s", demo_url(dc)), 2, "%s", out);
	cr_assert(strstr(out, "choose how to authenticate"), "%s", out);
	free(out);
	cr_assert_eq(run(&out, "target rm cli"), 0, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "target rm cli"), 4, "%s", out);
	free(out);
	free(ca);
	free(tf);
}

Test(target_cli, cli_rbac_and_help)
{
	char *out;

	cr_assert_eq(run(&out, "rbac fixed --namespace kubejit"), 0, "%s", out);
	cr_assert(strstr(out, "namespace: kubejit"), "%s", out);
	cr_assert(strstr(out, "\"secrets\""), "%s", out);
	free(out);
	cr_assert_eq(run(&out, "rbac sideways"), 2, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "target add --help"), 0, "%s", out);
	cr_assert(strstr(out, "Examples:"), "%s", out);
	free(out);
	cr_assert_eq(run(&out, "target bootstrap --help"), 0, "%s", out);
	cr_assert(strstr(out, "Examples:"), "%s", out);
	free(out);
}

Test(target_cli, warns_before_the_client_certificate_expires)
{
	struct target_spec s = {0};
	struct target_add_result r;
	struct target *v;
	size_t n;
	kj_err e = {0};

	s.name = "short";
	s.auth = TARGET_AUTH_CLIENT_CERT;
	s.csr = 1;
	s.csr_cn = "short-lived";
	s.kubeconfig_path = demo_kubeconfig_path(dc);
	s.cert_seconds = 10 * 86400;
	cr_assert_eq(target_add(en, &s, &r, &e), 0, "%s / %s", e.msg, e.hint);
	cr_assert_leq(r.target.cert_not_after, kj_now() + 10 * 86400 + 60,
	              "the signer honoured the lifetime asked for");
	cr_assert_eq(r.report->health, TARGET_HEALTH_WARN);
	cr_assert(has_notice(r.report->notices, "client certificate expires on"), "%s", r.report->summary);
	target_add_result_done(&r);
	cr_assert_eq(target_list(en, &v, &n, &e), 0);
	cr_assert(target_expiry_warning(en, &v[0]));
	/* a shorter window: no warning */
	engine_set_cert_warn(en, 86400);
	cr_assert_not(target_expiry_warning(en, &v[0]));
	target_list_free(v, n);
}

Test(target_cli, in_use_by_a_secret_is_kept_and_everything_is_audited)
{
	struct target_spec s;
	struct target_add_result r;
	struct secret sec;
	struct audit_entry *a;
	size_t n, i;
	int adds = 0, removes = 0, failed_removes = 0;
	kj_err e = {0};

	token_spec(&s, "prod", token_of("kube-system/kubejit-jit"));
	cr_assert_eq(target_add(en, &s, &r, &e), 0, "%s", e.msg);
	target_add_result_done(&r);
	secret_init(&sec);
	sec.path = kj_xstrdup("/prod/dashboard");
	sec.target = kj_xstrdup("prod");
	sec.mode = SECRET_FIXED;
	sec.ns = kj_xstrdup("kubernetes-dashboard");
	sec.service_account = kj_xstrdup("kubernetes-dashboard");
	cr_assert_eq(secret_add(en, &sec, &e), 0, "%s", e.msg);
	cr_assert_eq(target_remove(en, "prod", &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_CONFLICT);
	cr_assert(strstr(e.msg, "1 secret(s)"), "%s", e.msg);
	cr_assert_eq(secret_delete(en, "/prod/dashboard", &e), 0, "%s", e.msg);
	cr_assert_eq(target_remove(en, "prod", &e), 0, "%s", e.msg);
	secret_done(&sec);

	cr_assert_eq(audit_list(en, NULL, &a, &n, &e), 0, "%s", e.msg);
	for (i = 0; i < n; i++) {
		cr_assert_null(strstr(a[i].detail ? a[i].detail : "", token_of("kube-system/kubejit-jit")));
		if (!strcmp(a[i].action, TARGET_AUDIT_ADD) && a[i].ok) {
			const char *as =
			    strstr(a[i].detail, " as system:serviceaccount:kube-system:kubejit-jit");
			cr_assert_not_null(as, "the identity is named: %s", a[i].detail);
			cr_assert_null(strstr(as + 4, " as "), "the identity is named once: %s", a[i].detail);
			adds++;
		}
		if (!strcmp(a[i].action, TARGET_AUDIT_REMOVE))
			a[i].ok ? removes++ : failed_removes++;
	}
	cr_assert_eq(adds, 1);
	cr_assert_eq(removes, 1);
	cr_assert_eq(failed_removes, 1);
	audit_list_free(a, n);
}

Test(target_cli, cli_csr_with_the_admin_kubeconfig)
{
	char *out;
	cJSON *j;

	cr_assert_eq(run(&out,
	                 "target add made --csr --cn cli-user --org ops --key-type ec --kubeconfig %s --json",
	                 demo_kubeconfig_path(dc)),
	             0, "%s", out);
	j = cJSON_Parse(out);
	cr_assert_not_null(j, "%s", out);
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "target"), "auth")->valuestring,
	                 "client-cert");
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "target"), "csrName")));
	cr_assert_str_eq(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "preflight"), "user"), "username")
	        ->valuestring,
	    "cli-user");
	cJSON_Delete(j);
	free(out);
	cr_assert_eq(run(&out, "target show made"), 0, "%s", out);
	cr_assert_null(strstr(out, "PRIVATE KEY"), "the key stays hidden: %s", out);
	free(out);
	cr_assert_eq(run(&out, "target show made --reveal"), 0, "%s", out);
	cr_assert(strstr(out, "PRIVATE KEY"), "%s", out);
	free(out);
	cr_assert_eq(run(&out, "target add x --csr --kubeconfig %s", demo_kubeconfig_path(dc)), 2, "%s", out);
	cr_assert(strstr(out, "--cn"), "%s", out);
	free(out);
	cr_assert_eq(run(&out, "target add x --from-kubeconfig --kubeconfig %s --context nope",
	                 demo_kubeconfig_path(dc)),
	             4, "%s", out);
	cr_assert(strstr(out, "kubejit-demo"), "lists the contexts there are: %s", out);
	free(out);
}

Test(target_cli, seal_on_status_reveal_off)
{
	const char *tok = token_of("kube-system/kubejit-jit");
	char *ca = write_file("ca.crt", demo_ca_pem(dc));
	char *tf = write_file("jit.token", tok);
	char *pf = write_file("pass", "a long passphrase\n");
	char *out;

	cr_assert_eq(
	    run(&out, "target add cli --server %s --ca-file %s --token-file %s", demo_url(dc), ca, tf), 0,
	    "%s", out);
	free(out);
	cr_assert_eq(run(&out, "seal status --json"), 0, "%s", out);
	cr_assert(strstr(out, "\"kind\":\t\"SealStatus\"") && strstr(out, "\"sealed\":\tfalse"), "%s", out);
	free(out);
	cr_assert_eq(run(&out, "seal on --passphrase-file %s", pf), 0, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "seal status --json"), 0, "%s", out);
	cr_assert(strstr(out, "\"sealed\":\ttrue"), "%s", out);
	free(out);
	/* no passphrase and no terminal to ask on (setsid: no controlling tty) */
	unsetenv("KUBEJIT_PASSPHRASE_FILE");
	{
		char *cmd = kj_xasprintf(
		    "setsid -w '%s' --home '%s/cli-home' target show cli --reveal 2>&1 </dev/null",
		    getenv("KUBEJIT_BIN"), tmp);
		FILE *p = popen(cmd, "r");
		char buf[2048];
		size_t n = fread(buf, 1, sizeof(buf) - 1, p);
		int st = pclose(p);

		buf[n] = '\0';
		cr_assert_eq(WEXITSTATUS(st), 3, "%s", buf);
		cr_assert(strstr(buf, "sealed"), "%s", buf);
		cr_assert(strstr(buf, "KUBEJIT_PASSPHRASE_FILE"), "%s", buf);
		cr_assert_null(strstr(buf, tok));
		free(cmd);
	}
	setenv("KUBEJIT_PASSPHRASE_FILE", pf, 1);
	cr_assert_eq(run(&out, "target show cli --reveal"), 0, "%s", out);
	cr_assert(strstr(out, tok), "the passphrase opens it");
	free(out);
	cr_assert_eq(run(&out, "seal off"), 0, "%s", out);
	free(out);
	unsetenv("KUBEJIT_PASSPHRASE_FILE");
	cr_assert_eq(run(&out, "target show cli --reveal"), 0, "%s", out);
	cr_assert(strstr(out, tok), "plain again");
	free(out);
	cr_assert_eq(run(&out, "seal sideways"), 2, "%s", out);
	free(out);
	free(ca);
	free(tf);
	free(pf);
}

/* Does <home>/<file> contain `needle` anywhere (a missing file holds nothing)? */
static int file_holds(const char *file, const char *needle)
{
	char *path = kj_xasprintf("%s/home/%s", tmp, file);
	FILE *f = fopen(path, "rb");
	kj_buf b;
	char chunk[65536];
	size_t n;
	int found;

	free(path);
	if (!f)
		return 0;
	kj_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		kj_buf_add(&b, chunk, n);
	fclose(f);
	found = b.len && memmem(b.data, b.len, needle, strlen(needle)) != NULL;
	kj_buf_done(&b);
	return found;
}

static char *raw_token(struct engine *eng, const char *name)
{
	struct target t;
	struct target_cred c;
	kj_err e = {0};
	char *tok;

	cr_assert_eq(store_target_get(engine_db(eng), name, &t, &e), 0, "%s", e.msg);
	cr_assert_eq(store_target_get_cred(engine_db(eng), t.id, &c, &e), 0, "%s", e.msg);
	tok = kj_xstrdup(c.token);
	target_cred_done(&c);
	target_done(&t);
	return tok;
}

Test(target_cli, sealed_store_needs_the_passphrase)
{
	struct target_spec s;
	struct target_add_result r;
	struct preflight_report *rep;
	struct engine *other;
	struct kube_client *kc;
	char *home = kj_xasprintf("%s/home", tmp);
	char *pf = write_file("pass", "s3cret phrase\n");
	char *bad = write_file("bad", "nope\n");
	char *raw;
	kj_err e = {0};

	token_spec(&s, "prod", token_of("kube-system/kubejit-jit"));
	cr_assert_eq(target_add(en, &s, &r, &e), 0, "%s", e.msg);
	target_add_result_done(&r);
	cr_assert_eq(engine_seal_state(en), ENGINE_SEAL_PLAIN);
	cr_assert_eq(engine_seal(en, "s3cret phrase", &e), 0, "%s", e.msg);
	cr_assert_eq(engine_seal_state(en), ENGINE_SEAL_OPEN);
	raw = raw_token(en, "prod");
	cr_assert(seal_is_sealed(raw), "stored sealed");
	cr_assert_null(strstr(raw, token_of("kube-system/kubejit-jit")));
	free(raw);
	cr_assert_not(file_holds("kubejit.db", token_of("kube-system/kubejit-jit")),
	              "no plaintext left in the store");
	cr_assert_not(file_holds("kubejit.db-wal", token_of("kube-system/kubejit-jit")), "nor in its WAL");
	cr_assert_eq(engine_seal(en, "again", &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_CONFLICT);

	/* another process: no passphrase, no way in */
	unsetenv("KUBEJIT_PASSPHRASE_FILE");
	cr_assert_eq(engine_open(home, &other, &e), 0, "%s", e.msg);
	cr_assert_eq(engine_seal_state(other), ENGINE_SEAL_LOCKED);
	cr_assert_eq(engine_client(other, "prod", &kc, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_DENIED);
	cr_assert(strstr(e.hint, "KUBEJIT_PASSPHRASE_FILE"), "%s", e.hint);
	setenv("KUBEJIT_PASSPHRASE_FILE", bad, 1);
	cr_assert_eq(engine_client(other, "prod", &kc, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_AUTH);
	setenv("KUBEJIT_PASSPHRASE_FILE", pf, 1);
	cr_assert_eq(target_check(other, "prod", NULL, &rep, &e), 0, "%s", e.msg);
	cr_assert_eq(rep->health, TARGET_HEALTH_OK);
	preflight_report_free(rep);
	/* what is added to a sealed store is sealed too */
	token_spec(&s, "fixed", token_of("kube-system/token-request-sa"));
	cr_assert_eq(target_add(other, &s, &r, &e), 0, "%s", e.msg);
	target_add_result_done(&r);
	raw = raw_token(other, "fixed");
	cr_assert(seal_is_sealed(raw));
	free(raw);
	engine_close(other);

	cr_assert_eq(engine_unseal(en, &e), 0, "%s", e.msg);
	cr_assert_eq(engine_seal_state(en), ENGINE_SEAL_PLAIN);
	raw = raw_token(en, "fixed");
	cr_assert_str_eq(raw, token_of("kube-system/token-request-sa"));
	free(raw);
	unsetenv("KUBEJIT_PASSPHRASE_FILE");
	free(home);
	free(pf);
	free(bad);
}
