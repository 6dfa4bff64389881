/* The command line as scripts see it, against the demo cluster started in
 * this process: --json shapes, exit codes, --quiet, --help everywhere, no
 * terminal control codes when stdout is not a terminal, and no secret in any
 * output that did not ask for one. */
#include "config.h"
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <glob.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "demo/demo.h"
#include "engine/engine.h"
#include "engine/lease.h"
#include "store/leases.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

static struct demo_cluster *dc;
static char home[64];
static char *ca_file, *token_file;

struct run {
	int rc;
	char *out, *err;
};

static char *slurp(const char *path)
{
	kj_buf b;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	kj_buf_init(&b);
	if (f) {
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			kj_buf_add(&b, chunk, n);
		fclose(f);
	}
	return kj_buf_steal(&b);
}

/* Run kubejit with `args` (shell words), stdout and stderr captured
 * separately, neither a terminal. */
static struct run kj(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct run kj(const char *fmt, ...)
{
	struct run r;
	va_list ap;
	char *args, *cmd, *outp, *errp;
	int st;

	va_start(ap, fmt);
	cr_assert(vasprintf(&args, fmt, ap) >= 0);
	va_end(ap);
	outp = kj_xasprintf("%s/out", home);
	errp = kj_xasprintf("%s/err", home);
	cmd = kj_xasprintf("KUBEJIT_HOME='%s' '%s' %s </dev/null >'%s' 2>'%s'", home, getenv("KUBEJIT_BIN"),
	                   args, outp, errp);
	st = system(cmd);
	r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r.out = slurp(outp);
	r.err = slurp(errp);
	/* never a control sequence on a pipe */
	cr_assert(strchr(r.out, '\033') == NULL, "escape sequence in stdout of: kubejit %s", args);
	cr_assert(strchr(r.err, '\033') == NULL, "escape sequence in stderr of: kubejit %s", args);
	free(cmd);
	free(outp);
	free(errp);
	free(args);
	return r;
}

static void run_done(struct run *r)
{
	free(r->out);
	free(r->err);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	struct demo_opts o = {0};
	kj_err e;
	char *unset = getenv("KUBEJIT_BIN");

	cr_assert_not_null(unset, "KUBEJIT_BIN must point at the built binary");
	unsetenv("XDG_DATA_HOME");
	unsetenv("XDG_RUNTIME_DIR");
	unsetenv("KUBERNETES_EXEC_INFO");
	setenv("NO_COLOR", "1", 1);
	snprintf(home, sizeof(home), "/tmp/kubejit-clijson.XXXXXX");
	cr_assert_not_null(mkdtemp(home));
	cr_assert_eq(demo_start(&o, &dc, &e), 0, "%s", e.msg);
	ca_file = kj_xasprintf("%s/ca.crt", home);
	write_file(ca_file, demo_ca_pem(dc));
	token_file = kj_xasprintf("%s/tokens/kubejit-jit.token", demo_state_dir(dc));
}

static void teardown(void)
{
	char *cmd = kj_xasprintf("rm -rf '%s'", home);

	demo_stop(dc);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	free(ca_file);
	free(token_file);
}

/* A target on the privileged demo account and a dynamic secret on it. */
static void add_target_and_secret(void)
{
	struct run r;

	r = kj("--quiet target add demo --server '%s' --ca-file '%s' --token-file '%s'", demo_url(dc),
	       ca_file, token_file);
	cr_assert_eq(r.rc, 0, "target add: %s", r.err);
	{
		char *nl = strchr(r.out, '\n');
		cr_assert(!nl || !nl[1], "--quiet target add prints one line, got: %s", r.out);
	}
	run_done(&r);
	r = kj("--quiet secret add /team/read-pods --target demo --mode dynamic --allowed-namespaces "
	       "dev,staging "
	       "--cluster-role view --ttl 15m --max-ttl 1h --description 'read pods'");
	cr_assert_eq(r.rc, 0, "secret add: %s", r.err);
	run_done(&r);
}

/* Every JSON document has apiVersion and kind; a list is a KIND List with
 * its items (returned as the array) */
static cJSON *parse(const struct run *r, int type_array)
{
	cJSON *j = cJSON_Parse(r->out), *items;

	/* outputs may hold a token: never echo them into the test log */
	cr_assert_not_null(j, "the output is not JSON");
	cr_assert(cJSON_IsObject(j), "a JSON document is an object");
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(j, "apiVersion")), "no apiVersion");
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(j, "kind")), "no kind");
	if (!type_array)
		return j;
	cr_assert(strstr(cJSON_GetObjectItem(j, "kind")->valuestring, "List") != NULL, "not a list: %s",
	          cJSON_GetObjectItem(j, "kind")->valuestring);
	items = cJSON_DetachItemFromObject(j, "items");
	cJSON_Delete(j);
	if (!items) /* an empty list has no items member: empty fields are omitted */
		items = cJSON_CreateArray();
	return items;
}

static void has(const cJSON *o, const char *const *fields)
{
	for (; *fields; fields++)
		cr_assert(cJSON_HasObjectItem(o, *fields), "field \"%s\" missing", *fields);
}

TestSuite(cli_json, .init = setup, .fini = teardown, .timeout = 60);

Test(cli_json, json_shapes_are_stable)
{
	static const char *const target_fields[] = {"name", "server", "auth", NULL};
	static const char *const secret_fields[] = {"path", "target", "mode", NULL};
	static const char *const mint_fields[] = {"lease", "secret", "target", "namespace", "token", NULL};
	static const char *const lease_fields[] = {"id", "secret", "target", "namespace", "state", NULL};
	static const char *const audit_fields[] = {"action", "actor", NULL};
	char *token = NULL;
	struct run r;
	cJSON *j;

	add_target_and_secret();

	r = kj("target list --json");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	j = parse(&r, 1);
	cr_assert_eq(cJSON_GetArraySize(j), 1);
	has(cJSON_GetArrayItem(j, 0), target_fields);
	cJSON_Delete(j);
	run_done(&r);

	r = kj("target show demo --json");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	j = parse(&r, 0);
	has(j, target_fields);
	cJSON_Delete(j);
	{
		char *tok = kj_xasprintf("%s", demo_account_token(dc, "kube-system/kubejit-jit"));
		cr_assert(strstr(r.out, tok) == NULL, "target show printed the target's token");
		free(tok);
	}
	run_done(&r);

	r = kj("secret list --json");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	j = parse(&r, 1);
	has(cJSON_GetArrayItem(j, 0), secret_fields);
	cJSON_Delete(j);
	run_done(&r);

	r = kj("secret show /team/read-pods --json");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	j = parse(&r, 0);
	has(j, secret_fields);
	cJSON_Delete(j);
	run_done(&r);

	r = kj("mint /team/read-pods --namespace dev -o json");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	j = parse(&r, 0);
	has(j, mint_fields);
	token = kj_xstrdup(cJSON_GetObjectItem(j, "token")->valuestring);
	cr_assert(strlen(token) > 20);
	{
		/* minted means working: checked as the new token, time shown */
		cJSON *rd = cJSON_GetObjectItem(j, "ready");
		cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(rd, "checked")));
		cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(rd, "seconds")));
		cr_assert_geq(cJSON_GetObjectItem(rd, "seconds")->valuedouble, 0.0);
		/* the first rule of ClusterRole view */
		cr_assert_str_eq(cJSON_GetObjectItem(rd, "check")->valuestring, "get configmaps in dev");
	}
	cr_assert(strstr(r.err, "ready after "), "the summary shows the readiness time: %s", r.err);
	cJSON_Delete(j);
	run_done(&r);

	r = kj("leases --json");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	j = parse(&r, 1);
	cr_assert_eq(cJSON_GetArraySize(j), 1);
	has(cJSON_GetArrayItem(j, 0), lease_fields);
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "state")->valuestring, "active");
	cr_assert(strstr(r.out, token) == NULL, "leases --json printed the token");
	cJSON_Delete(j);
	run_done(&r);

	r = kj("audit --json");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	j = parse(&r, 1);
	cr_assert(cJSON_GetArraySize(j) >= 1);
	has(cJSON_GetArrayItem(j, 0), audit_fields);
	cr_assert(strstr(r.out, token) == NULL, "audit --json printed the token");
	cJSON_Delete(j);
	run_done(&r);
	kj_free_secret(token);
}

Test(cli_json, exit_codes_follow_the_table)
{
	struct run r;

	add_target_and_secret();

	r = kj("secret show /no/such/secret");
	cr_assert_eq(r.rc, 4, "not found must exit 4, got %d: %s", r.rc, r.err);
	cr_assert(strncmp(r.err, "kubejit: ", 9) == 0, "errors start with 'kubejit: ': %s", r.err);
	run_done(&r);
	r = kj("target show nosuchtarget");
	cr_assert_eq(r.rc, 4, "%s", r.err);
	run_done(&r);
	r = kj("mint /team/read-pods --namespace kube-system -o token");
	cr_assert_eq(r.rc, 3, "a namespace the secret does not allow must exit 3, got %d: %s", r.rc, r.err);
	cr_assert(strstr(r.err, "kube-system") != NULL, "%s", r.err);
	run_done(&r);
	r = kj("mint /team/read-pods --namespace dev --ttl 5h -o token");
	cr_assert_eq(r.rc, 3, "a TTL over the max must exit 3, got %d: %s", r.rc, r.err);
	run_done(&r);
	r = kj("mint /team/read-pods --namespace dev --ttl soon -o token");
	cr_assert_eq(r.rc, 2, "an unparseable TTL is a usage error, got %d: %s", r.rc, r.err);
	run_done(&r);
	r = kj("leases --no-such-option");
	cr_assert_eq(r.rc, 2, "%s", r.err);
	run_done(&r);
	r = kj("get");
	cr_assert_eq(r.rc, 2, "%s", r.err);
	run_done(&r);
	r = kj("get /no/such/secret");
	cr_assert_eq(r.rc, 4, "%s", r.err);
	cr_assert_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1, "the exec plugin fails in one line: %s",
	             r.err);
	run_done(&r);
}

Test(cli_json, quiet_help_and_plugin_output)
{
	static const char *const cmds[] = {"target add",  "target list", "target show", "target check",
	                                   "target rm",   "secret add",  "secret edit", "secret list",
	                                   "secret show", "secret rm",   "mint",        "get",
	                                   "kubeconfig",  "leases",      "revoke",      "sweep",
	                                   "audit",       "rbac",        NULL};
	const char *const *c;
	struct run r;
	cJSON *j, *st;

	for (c = cmds; *c; c++) {
		r = kj("%s --help", *c);
		cr_assert_eq(r.rc, 0, "kubejit %s --help: %s", *c, r.err);
		cr_assert(strstr(r.out, "Usage: kubejit") != NULL, "kubejit %s --help has no usage line", *c);
		cr_assert(strstr(r.out, "Example") != NULL, "kubejit %s --help has no examples", *c);
		run_done(&r);
	}

	add_target_and_secret();
	/* --quiet mint prints the token and nothing else */
	r = kj("--quiet mint /team/read-pods --namespace dev -o token");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	{
		char *nl = strchr(r.out, '\n');
		cr_assert(r.out[0] && (!nl || nl == r.out + strlen(r.out) - 1),
		          "mint -o token printed more than the token");
	}
	cr_assert_str_empty(r.err);
	run_done(&r);

	/* the plugin: v1 when kubectl asks for it, with an expiry */
	r = kj("get /team/read-pods --namespace dev");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	j = parse(&r, 0);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "apiVersion")->valuestring,
	                 "client.authentication.k8s.io/v1beta1");
	cJSON_Delete(j);
	run_done(&r);
	setenv("KUBERNETES_EXEC_INFO",
	       "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\","
	       "\"spec\":{\"interactive\":false}}",
	       1);
	r = kj("get /team/read-pods --namespace dev");
	unsetenv("KUBERNETES_EXEC_INFO");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	j = parse(&r, 0);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "apiVersion")->valuestring,
	                 "client.authentication.k8s.io/v1");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "kind")->valuestring, "ExecCredential");
	st = cJSON_GetObjectItem(j, "status");
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(st, "token")));
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(st, "expirationTimestamp")));
	cJSON_Delete(j);
	run_done(&r);
}

/* The token of `kubejit get`, kept in memory only. */
static char *plugin_token(void)
{
	struct run r = kj("get /team/read-pods --namespace dev");
	cJSON *j, *st;
	char *tok;

	cr_assert_eq(r.rc, 0, "%s", r.err);
	j = parse(&r, 0);
	st = cJSON_GetObjectItem(j, "status");
	cr_assert(cJSON_IsString(cJSON_GetObjectItem(st, "token")));
	tok = kj_xstrdup(cJSON_GetObjectItem(st, "token")->valuestring);
	cJSON_Delete(j);
	run_done(&r);
	return tok;
}

static int count_leases(const char *filter)
{
	struct run r = kj("leases --all --json %s", filter);
	cJSON *j;
	int n;

	cr_assert_eq(r.rc, 0, "%s", r.err);
	j = parse(&r, 1);
	n = cJSON_GetArraySize(j);
	cJSON_Delete(j);
	run_done(&r);
	return n;
}

/* Rewrite the cached lease's times, as if it had run for an hour and had a
 * minute left: inside the last 10 %. */
static void age_cache_entry(void)
{
	char *cmd = kj_xasprintf("ls %s/exec-cache/*.json", home), path[512];
	FILE *p = popen(cmd, "r"), *f;
	char *text;
	cJSON *j;
	long n;

	cr_assert_not_null(fgets(path, sizeof(path), p), "no cache entry");
	pclose(p);
	path[strcspn(path, "\n")] = '\0';
	text = slurp(path);
	j = cJSON_Parse(text);
	cr_assert_not_null(j);
	n = (long)time(NULL);
	cJSON_ReplaceItemInObject(j, "issued_at", cJSON_CreateNumber((double)(n - 3600)));
	cJSON_ReplaceItemInObject(j, "lease_end", cJSON_CreateNumber((double)(n + 60)));
	kj_free_secret(text);
	text = cJSON_PrintUnformatted(j);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	kj_free_secret(text);
	cJSON_Delete(j);
	free(cmd);
}

Test(cli_json, exec_plugin_reuses_refreshes_and_respects_revoke)
{
	char *t1, *t2, *t3, *t4;
	struct run r;
	cJSON *j;
	char *id;

	add_target_and_secret();
	t1 = plugin_token();
	t2 = plugin_token();
	cr_assert(!strcmp(t1, t2), "a live lease's token is served again");
	cr_assert_eq(count_leases("--secret /team/read-pods"), 1, "two plugin calls, one lease");

	r = kj("leases --json --secret /team/read-pods");
	j = parse(&r, 1);
	id = kj_xstrdup(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "id")->valuestring);
	cJSON_Delete(j);
	run_done(&r);
	r = kj("revoke %s", id);
	cr_assert_eq(r.rc, 0, "%s", r.err);
	/* revoked is not yet refused: say so */
	cr_assert(strstr(r.out, "may still accept its token for up to their token cache time (10 s"), "%s",
	          r.out);
	cr_assert(strstr(r.out, "--wait"), "%s", r.out);
	run_done(&r);
	/* the exec plugin's cache still has the token: --wait asks as it */
	r = kj("revoke %s --wait --wait-timeout 20s", id);
	cr_assert_eq(r.rc, 0, "%s", r.err);
	cr_assert(strstr(r.out, "refused (401) after"), "%s", r.out);
	run_done(&r);
	t3 = plugin_token();
	cr_assert(strcmp(t3, t1), "a revoked lease's token is never served from the cache");
	cr_assert_eq(count_leases("--secret /team/read-pods"), 2);
	cr_assert_eq(count_leases("--secret /team/read-pods --state active"), 1);

	age_cache_entry();
	t4 = plugin_token();
	cr_assert(strcmp(t4, t3), "within the last 10 %% of its lease, a new one is minted");
	cr_assert_eq(count_leases("--secret /team/read-pods"), 3);

	kj_free_secret(t1);
	kj_free_secret(t2);
	kj_free_secret(t3);
	kj_free_secret(t4);
	free(id);
}

Test(cli_json, exec_plugin_failure_is_one_line_and_leaves_no_cache)
{
	struct run r;
	char *tok;

	add_target_and_secret();
	cr_assert_eq(demo_fault_add(dc, "POST", "/api/v1/namespaces/*/serviceaccounts/*/token", 1,
	                            DEMO_FAULT_STATUS, 500, 0),
	             0);
	r = kj("get /team/read-pods --namespace dev");
	cr_assert_eq(r.rc, 1, "a failed mint exits 1, got %d", r.rc);
	cr_assert_str_empty(r.out, "nothing on stdout for kubectl to parse");
	cr_assert(strncmp(r.err, "kubejit: ", 9) == 0 && strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
	          "one line on stderr: %s", r.err);
	run_done(&r);
	cr_assert_eq(count_leases("--secret /team/read-pods --state active"), 0,
	             "the failed mint left no lease");
	{
		char *pat = kj_xasprintf("%s/exec-cache/*.json", home);
		glob_t gl;

		cr_assert_eq(glob(pat, 0, NULL, &gl), GLOB_NOMATCH, "the failed mint left a cache entry");
		free(pat);
	}

	/* the fault fired once: the next call mints and works */
	tok = plugin_token();
	cr_assert_eq(count_leases("--secret /team/read-pods --state active"), 1);
	kj_free_secret(tok);
}

static void ends_with_newline(const char *what, const char *text)
{
	size_t n = strlen(text);

	cr_assert(n > 0, "%s printed nothing", what);
	cr_assert_eq(text[n - 1], '\n', "%s does not end with a newline", what);
	cr_assert(n < 2 || text[n - 2] != '\n', "%s ends with an empty line", what);
}

Test(cli_json, every_text_output_ends_with_one_newline)
{
	static const char *const fmts[] = {"token", "exec", "exec-v1beta1", "kubeconfig", "json", NULL};
	static const char *const cmds[] = {"target list",
	                                   "target list --json",
	                                   "target show demo",
	                                   "target show demo --json",
	                                   "secret list",
	                                   "secret list --json",
	                                   "secret show /team/read-pods",
	                                   "secret show /team/read-pods --json",
	                                   "leases",
	                                   "leases --json",
	                                   "audit",
	                                   "audit --json",
	                                   "rbac fixed",
	                                   "rbac dynamic",
	                                   "kubeconfig /team/read-pods --namespace dev",
	                                   "get /team/read-pods --namespace dev",
	                                   "leases --all",
	                                   "sweep",
	                                   "sweep --json",
	                                   NULL};
	const char *const *f;
	struct run r;

	add_target_and_secret();
	for (f = fmts; *f; f++) {
		char *path = kj_xasprintf("%s/out.%s", home, *f), *text, *what;

		r = kj("--quiet mint /team/read-pods --namespace dev -o %s", *f);
		cr_assert_eq(r.rc, 0, "mint -o %s: %s", *f, r.err);
		what = kj_xasprintf("mint -o %s", *f);
		ends_with_newline(what, r.out);
		free(what);
		run_done(&r);
		r = kj("--quiet mint /team/read-pods --namespace dev -o %s --out '%s'", *f, path);
		cr_assert_eq(r.rc, 0, "mint -o %s --out: %s", *f, r.err);
		run_done(&r);
		text = slurp(path);
		what = kj_xasprintf("the file of mint -o %s --out", *f);
		ends_with_newline(what, text);
		free(what);
		kj_free_secret(text);
		free(path);
	}
	for (f = cmds; *f; f++) {
		r = kj("%s", *f);
		cr_assert_eq(r.rc, 0, "kubejit %s: %s", *f, r.err);
		/* a report with nothing to report goes to stderr alone */
		ends_with_newline(*f, r.out[0] ? r.out : r.err);
		run_done(&r);
	}
	{
		char *path = kj_xasprintf("%s/dev.kubeconfig", home), *text;

		r = kj("kubeconfig /team/read-pods --namespace dev --out '%s'", path);
		cr_assert_eq(r.rc, 0, "kubeconfig --out: %s", r.err);
		run_done(&r);
		text = slurp(path);
		ends_with_newline("the file of kubeconfig --out", text);
		free(text);
		free(path);
	}
}

/* The exec plugin checks a new credential as that token before its first
 * answer; a cached answer needs no check (and no network). */
Test(cli_json, exec_plugin_checks_a_new_credential_before_answering)
{
	struct run r;
	char *t1, *t2;

	add_target_and_secret();
	/* the cluster never confirms the new token's access */
	for (int i = 0; i < 40; i++)
		cr_assert_eq(demo_fault_add(dc, "POST",
		                            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", 1,
		                            DEMO_FAULT_STATUS, 401, 0),
		             0);
	r = kj("get /team/read-pods --namespace dev --ready-timeout 1s");
	cr_assert_eq(r.rc, 1, "%s", r.err);
	cr_assert_str_empty(r.out, "no credential for kubectl");
	cr_assert(strstr(r.err, "not ready within"), "%s", r.err);
	cr_assert(strstr(r.err, "revoked"), "%s", r.err);
	run_done(&r);
	cr_assert_eq(count_leases("--secret /team/read-pods --state active"), 0);
	cr_assert_eq(count_leases("--secret /team/read-pods --state failed"), 1);

	demo_fault_clear(dc);
	t1 = plugin_token();
	/* the cached path asks nothing: even a cluster that refuses every
	 * review does not stop it */
	for (int i = 0; i < 40; i++)
		cr_assert_eq(demo_fault_add(dc, "POST",
		                            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", 1,
		                            DEMO_FAULT_STATUS, 401, 0),
		             0);
	t2 = plugin_token();
	cr_assert(!strcmp(t1, t2));
	demo_fault_clear(dc);
	kj_free_secret(t1);
	kj_free_secret(t2);

	r = kj("get /team/read-pods --ready-timeout 0s");
	cr_assert_eq(r.rc, 2, "%s", r.err);
	cr_assert(strstr(r.err, "--ready-timeout"), "%s", r.err);
	run_done(&r);
}

Test(cli_json, revoke_wait_options_are_checked)
{
	struct run r;

	r = kj("revoke abcd --token-file /dev/null");
	cr_assert_eq(r.rc, 2, "%s", r.err);
	cr_assert(strstr(r.err, "go with --wait"), "%s", r.err);
	run_done(&r);
	r = kj("revoke abcd efgh --wait --token-file /dev/null");
	cr_assert_eq(r.rc, 2, "%s", r.err);
	cr_assert(strstr(r.err, "one ID"), "%s", r.err);
	run_done(&r);
	r = kj("revoke abcd --wait --wait-timeout 11m");
	cr_assert_eq(r.rc, 2, "%s", r.err);
	cr_assert(strstr(r.err, "--wait-timeout"), "%s", r.err);
	run_done(&r);
}

/* ---- leases past their TTL that no sweep closed ---- */

static char *mint_id(const char *how)
{
	struct run r = kj("--quiet mint /team/read-pods --namespace dev -o json %s", how);
	cJSON *j;
	char *id;

	cr_assert_eq(r.rc, 0, "%s", r.err);
	j = parse(&r, 0);
	id = kj_xstrdup(cJSON_GetObjectItem(j, "lease")->valuestring);
	cJSON_Delete(j);
	run_done(&r);
	return id;
}

/* As if the lease's TTL had passed with no sweep running since. */
static void make_overdue(const char *id)
{
	struct engine *en;
	struct lease l;
	kj_err e;

	kj_err_clear(&e);
	memset(&l, 0, sizeof(l));
	cr_assert_eq(engine_open(home, &en, &e), 0, "%s", e.msg);
	cr_assert_eq(store_lease_get(engine_db(en), id, &l, &e), 0, "%s", e.msg);
	l.lease_expiry = kj_now() - 5;
	cr_assert_eq(store_lease_update(engine_db(en), &l, &e), 0, "%s", e.msg);
	lease_done(&l);
	engine_close(en);
}

static cJSON *lease_doc(const char *id)
{
	struct run r = kj("leases %s --json", id);
	cJSON *j;

	cr_assert_eq(r.rc, 0, "%s", r.err);
	j = parse(&r, 0);
	run_done(&r);
	return j;
}

static int objects_deleted(const cJSON *lease)
{
	const cJSON *o, *objs = cJSON_GetObjectItem(lease, "objects");
	int all = cJSON_GetArraySize(objs) > 0;

	cJSON_ArrayForEach(o, objs) all &= cJSON_IsTrue(cJSON_GetObjectItem(o, "deleted"));
	return all;
}

Test(cli_json, a_lease_past_its_ttl_shows_expired_until_a_command_on_its_target_closes_it)
{
	char *a, *b;
	struct run r;
	cJSON *j;

	add_target_and_secret();
	a = mint_id("");
	b = mint_id("");
	make_overdue(a);

	r = kj("leases");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	cr_assert(strstr(r.out, "expired*") != NULL, "the overdue lease shows as expired: %s", r.out);
	cr_assert(strstr(r.err, "objects not yet removed") != NULL, "%s", r.err);
	cr_assert(strstr(r.err, "systemctl --user enable --now kubejit-sweep.timer") != NULL,
	          "leases says how to set up the sweep timer: %s", r.err);
	run_done(&r);
	r = kj("leases --help");
	cr_assert(strstr(r.out, "kubejit-sweep.timer") != NULL);
	run_done(&r);
	j = lease_doc(a);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "state")->valuestring, "expired");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "cleanupPending")));
	cr_assert_not(objects_deleted(j), "no sweep ran: its objects are still there");
	cJSON_Delete(j);
	r = kj("leases %s", a);
	cr_assert(strstr(r.out, "objects not yet removed") != NULL, "%s", r.out);
	run_done(&r);
	cr_assert_eq(count_leases("--state expired"), 1);
	cr_assert_eq(count_leases("--state active"), 1, "the overdue lease is not active any more");

	/* the next command on the target finishes it, after its own work */
	r = kj("mint /team/read-pods --namespace dev -o token");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	cr_assert(strstr(r.err, "closed 1 lease(s) of target demo") != NULL, "%s", r.err);
	run_done(&r);
	j = lease_doc(a);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "state")->valuestring, "expired");
	cr_assert_null(cJSON_GetObjectItem(j, "cleanupPending"));
	cr_assert(objects_deleted(j), "its ServiceAccount, Role and binding are gone");
	cJSON_Delete(j);
	j = lease_doc(b);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "state")->valuestring, "active", "a live lease is untouched");
	cJSON_Delete(j);
	free(a);
	free(b);
}

Test(cli_json, the_exec_plugin_closes_overdue_leases_only_when_it_mints)
{
	char *a, *tok;
	struct run r;
	cJSON *j;

	add_target_and_secret();
	tok = plugin_token(); /* minted and cached */
	kj_free_secret(tok);
	a = mint_id("");
	make_overdue(a);
	tok = plugin_token(); /* the cached path: no cluster, no store writes */
	kj_free_secret(tok);
	j = lease_doc(a);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "cleanupPending")), "the cached path never sweeps");
	cJSON_Delete(j);
	r = kj("leases --json --secret /team/read-pods --state active");
	j = parse(&r, 1);
	{
		char *id = kj_xstrdup(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "id")->valuestring);
		struct run rv = kj("--quiet revoke %s", id);
		cr_assert_eq(rv.rc, 0, "%s", rv.err);
		run_done(&rv);
		free(id);
	}
	cJSON_Delete(j);
	run_done(&r);
	tok = plugin_token(); /* mints: it talked to the target, so it finishes its leases */
	kj_free_secret(tok);
	j = lease_doc(a);
	cr_assert_null(cJSON_GetObjectItem(j, "cleanupPending"));
	cr_assert(objects_deleted(j));
	cJSON_Delete(j);
	free(a);
}

Test(cli_json, closing_overdue_leases_is_bounded)
{
	char *ids[3];
	struct engine *en;
	struct lease_bulk_result res;
	kj_err e;
	int i;

	add_target_and_secret();
	for (i = 0; i < 3; i++)
		ids[i] = mint_id("");
	for (i = 0; i < 3; i++) /* after the mints: each would close the one before */
		make_overdue(ids[i]);
	kj_err_clear(&e);
	cr_assert_eq(engine_open(home, &en, &e), 0, "%s", e.msg);
	cr_assert_eq(lease_expire_due(en, "demo", 2, 8, &res, &e), 0, "%s", e.msg);
	cr_assert_eq(res.total, 2);
	cr_assert_eq(res.revoked, 2);
	cr_assert_eq(lease_expire_due(en, "other", 2, 8, &res, &e), 0, "%s", e.msg);
	cr_assert_eq(res.total, 0, "another target's leases are not this command's business");
	engine_close(en);
	cr_assert_eq(count_leases("--state expired"), 3);
	{
		struct run r = kj("leases --json --all");
		cJSON *j = parse(&r, 1), *o;
		int pending = 0;
		cJSON_ArrayForEach(o, j) pending += cJSON_IsTrue(cJSON_GetObjectItem(o, "cleanupPending"));
		cr_assert_eq(pending, 1, "one is left for the next command or the sweep");
		cJSON_Delete(j);
		run_done(&r);
	}
	for (i = 0; i < 3; i++)
		free(ids[i]);
}

/* kubejit(1), JSON OUTPUT: camelCase names, times as ...At, nothing empty,
 * apiVersion and kind first. */
static void follows_the_convention(const char *what, const cJSON *o, int top)
{
	const cJSON *c;
	regex_t camel, rfc3339;

	cr_assert_eq(regcomp(&camel, "^[a-z][a-zA-Z0-9]*$", REG_EXTENDED | REG_NOSUB), 0);
	cr_assert_eq(regcomp(&rfc3339, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T", REG_EXTENDED | REG_NOSUB), 0);
	if (top) {
		cr_assert(cJSON_IsObject(o), "%s: not an object", what);
		cr_assert_str_eq(o->child->string, "apiVersion", "%s: apiVersion comes first", what);
		cr_assert_str_eq(o->child->valuestring, "kubejit.io/v1alpha1", "%s", what);
		cr_assert_str_eq(o->child->next->string, "kind", "%s: then kind", what);
	}
	cJSON_ArrayForEach(c, o)
	{
		if (cJSON_IsObject(o)) {
			size_t n = strlen(c->string);
			cr_assert_eq(regexec(&camel, c->string, 0, NULL, 0), 0, "%s: \"%s\" is not camelCase",
			             what, c->string);
			cr_assert_not(cJSON_IsNull(c), "%s: %s is null (empty fields are omitted)", what,
			              c->string);
			cr_assert_not(cJSON_IsString(c) && !c->valuestring[0], "%s: %s is \"\"", what,
			              c->string);
			cr_assert_not((cJSON_IsArray(c) || cJSON_IsObject(c)) && !c->child, "%s: %s is empty",
			              what, c->string);
			if (cJSON_IsString(c) && !regexec(&rfc3339, c->valuestring, 0, NULL, 0))
				cr_assert(n > 2 && !strcmp(c->string + n - 2, "At"),
				          "%s: time %s is not named ...At", what, c->string);
		}
		if (cJSON_IsObject(c) || cJSON_IsArray(c))
			follows_the_convention(what, c, 0);
	}
	regfree(&camel);
	regfree(&rfc3339);
}

Test(cli_json, every_json_document_follows_one_convention)
{
	static const struct {
		const char *args, *kind;
	} docs[] = {
	    {"target list --json", "TargetList"},
	    {"target show demo --json", "Target"},
	    {"target check demo --json", "TargetCheck"},
	    {"secret list --json", "SecretList"},
	    {"secret show /team/read-pods --json", "Secret"},
	    {"--quiet mint /team/read-pods --namespace dev -o json", "MintResult"},
	    {"leases --json", "LeaseList"},
	    {"audit --json", "AuditEntryList"},
	    {"sweep --json", "SweepReport"},
	    {"seal status --json", "SealStatus"},
	    {NULL, NULL},
	};
	struct run r;
	int i;

	add_target_and_secret();
	for (i = 0; docs[i].args; i++) {
		cJSON *j;

		r = kj("%s", docs[i].args);
		cr_assert_eq(r.rc, 0, "kubejit %s: %s", docs[i].args, r.err);
		j = cJSON_Parse(r.out);
		cr_assert_not_null(j, "kubejit %s: not JSON", docs[i].args);
		follows_the_convention(docs[i].args, j, 1);
		cr_assert_str_eq(cJSON_GetObjectItem(j, "kind")->valuestring, docs[i].kind, "%s",
		                 docs[i].args);
		if (strstr(docs[i].kind, "List")) {
			const cJSON *it;
			cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "items"))
			    follows_the_convention(docs[i].args, it, 1);
		}
		cJSON_Delete(j);
		run_done(&r);
	}
	/* the lease's times by their Kubernetes-style names */
	r = kj("leases --json");
	{
		cJSON *v = parse(&r, 1), *l = cJSON_GetArrayItem(v, 0);
		cr_assert(cJSON_IsString(cJSON_GetObjectItem(l, "createdAt")));
		cr_assert(cJSON_IsString(cJSON_GetObjectItem(l, "expiresAt")));
		cr_assert(cJSON_IsString(cJSON_GetObjectItem(l, "tokenExpiresAt")));
		cr_assert_str_eq(cJSON_GetObjectItem(l, "kind")->valuestring, "Lease");
		cJSON_Delete(v);
	}
	run_done(&r);
}
