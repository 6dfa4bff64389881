/* The shared fixture of the target suites (target_fixture.h). */
#include "config.h"
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target_fixture.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

struct engine *en;
char tmp[64];

void tf_setup(void)
{
	/* realistic, with the token cache and controllers' delays shortened */
	struct demo_opts o = {.token_cache_ttl_ms = 1000, .gc_delay_ms = 200, .csr_signer_delay_ms = 200};

	tf_setup_with(&o);
}

void tf_setup_with(const struct demo_opts *o)
{
	kj_err e = {0};
	char *home;

	strcpy(tmp, "/tmp/kj-target-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
	cr_assert_eq(demo_start(o, &dc, &e), 0, "demo: %s", e.msg);
	home = kj_xasprintf("%s/home", tmp);
	cr_assert_eq(engine_open(home, &en, &e), 0, "%s", e.msg);
	free(home);
}

void tf_teardown(void)
{
	char *cmd = kj_xasprintf("rm -rf '%s'", tmp);

	engine_close(en);
	demo_stop(dc);
	kj_time_set_offset(0);
	if (system(cmd) != 0)
		cr_log_warn("cleanup failed");
	free(cmd);
}

size_t count_targets(void)
{
	struct target *v;
	size_t n;
	kj_err e = {0};

	cr_assert_eq(target_list(en, &v, &n, &e), 0, "%s", e.msg);
	target_list_free(v, n);
	return n;
}

const char *token_of(const char *account)
{
	const char *t = demo_account_token(dc, account);

	cr_assert_not_null(t, "no token for %s", account);
	return t;
}

void token_spec(struct target_spec *s, const char *name, const char *token)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->auth = TARGET_AUTH_TOKEN;
	s->server = demo_url(dc);
	s->ca_pem = demo_ca_pem(dc);
	s->token = token;
}

void add_token_target(const char *name, const char *account, struct target_add_result *r)
{
	struct target_spec s;
	kj_err e = {0};

	token_spec(&s, name, token_of(account));
	cr_assert_eq(target_add(en, &s, r, &e), 0, "adding target %s as %s: %s / %s", name, account, e.msg,
	             e.hint);
}

const struct preflight_perm *perm(const struct preflight_report *r, const char *verb, const char *res)
{
	size_t i;

	for (i = 0; i < r->n_perms; i++)
		if (!strcmp(r->perms[i].verb, verb) && !strcmp(r->perms[i].resource, res))
			return &r->perms[i];
	cr_assert_fail("no check for %s %s", verb, res);
	return NULL;
}

int has_notice(char **v, const char *needle)
{
	for (; v && *v; v++)
		if (strstr(*v, needle))
			return 1;
	return 0;
}

/* An admin client (system:masters certificate) for arranging the cluster. */
struct kube_client *admin_client(void)
{
	struct kube_conn c = {0};
	struct kube_client *kc;
	kj_err e = {0};

	c.server = demo_url(dc);
	c.ca = demo_ca_pem(dc);
	c.client_cert = demo_admin_cert_pem(dc);
	c.client_key = demo_admin_key_pem(dc);
	cr_assert_eq(kube_client_new(&c, &kc, &e), 0, "%s", e.msg);
	return kc;
}

void wait_until_allowed(const char *token, const struct kube_access *a)
{
	struct kube_conn c = {0};
	struct kube_client *kc;
	int64_t t0 = kj_mono_ms();
	int allowed = 0;
	kj_err e = {0};

	c.server = demo_url(dc);
	c.ca = demo_ca_pem(dc);
	c.token = token;
	cr_assert_eq(kube_client_new(&c, &kc, &e), 0, "%s", e.msg);
	while (!allowed && kj_mono_ms() - t0 < 5000) {
		if (kube_can_i(kc, a, &allowed, NULL, &e) < 0)
			allowed = 0;
		if (!allowed)
			usleep(50 * 1000);
	}
	kube_client_free(kc);
	cr_assert(allowed, "%s %s was not allowed within 5 s", a->verb, a->resource ? a->resource : a->path);
}

char *write_file(const char *name, const char *content)
{
	char *path = kj_xasprintf("%s/%s", tmp, name);
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(content, f);
	fclose(f);
	return path;
}

/* ---- strategies ------------------------------------------------------------ */

int strv_has(char **v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return 1;
	return 0;
}

int run(char **out, const char *fmt, ...)
{
	const char *bin = getenv("KUBEJIT_BIN");
	char *args, *cmd;
	va_list ap;
	kj_buf b;
	char chunk[512];
	size_t n;
	FILE *p;
	int st;

	cr_assert_not_null(bin, "KUBEJIT_BIN must point at the built binary");
	va_start(ap, fmt);
	kj_buf_init(&b);
	kj_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	args = kj_buf_steal(&b);
	cmd = kj_xasprintf("NO_COLOR=1 '%s' --home '%s/cli-home' %s 2>&1", bin, tmp, args);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		kj_buf_add(&b, chunk, n);
	st = pclose(p);
	free(cmd);
	free(args);
	*out = kj_buf_steal(&b);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
