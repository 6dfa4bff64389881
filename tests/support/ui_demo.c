#include "ui_demo.h"

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/mint.h"
#include "engine/secret.h"
#include "engine/target.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static FILE *start_out;
static int start_approver;

void ud_start_approval(struct ud *u, int lines, int cols)
{
	start_approver = 1;
	ud_start(u, lines, cols);
	start_approver = 0;
}

void ud_start_out(struct ud *u, int lines, int cols, FILE *out)
{
	start_out = out;
	ud_start(u, lines, cols);
	start_out = NULL;
}

void ud_start(struct ud *u, int lines, int cols)
{
	struct demo_opts o = {0};
	struct ui_opts uo = {0};
	char tmpl[] = "/tmp/kubejit-uitest-XXXXXX";
	kj_err e;
	FILE *f;

	memset(u, 0, sizeof(*u));
	kj_err_clear(&e);
	o.seed_approver = start_approver;
	cr_assert_not_null(mkdtemp(tmpl));
	u->home = kj_xstrdup(tmpl);
	setenv("HOME", u->home, 1);
	setenv("USER", "tester", 1);
	cr_assert_eq(demo_start(&o, &u->dc, &e), 0, "demo_start: %s", e.msg);
	cr_assert_eq(engine_open(u->home, &u->eng, &e), 0, "%s", e.msg);
	cr_assert_eq(engine_open(u->home, &u->weng, &e), 0, "%s", e.msg);
	engine_set_actor(u->eng, "tester@host");
	engine_set_actor(u->weng, "tester@host");
	u->ca_file = kj_xasprintf("%s/ca.pem", u->home);
	f = fopen(u->ca_file, "w");
	cr_assert_not_null(f);
	fputs(demo_ca_pem(u->dc), f);
	fclose(f);
	uo.engine = u->eng;
	uo.worker_engine = u->weng;
	uo.out = start_out;
	th_start(&u->t, lines, cols, &uo);
}

void ud_add_target(struct ud *u, const char *name, const char *account)
{
	struct target_spec spec = {0};
	struct target_add_result res;
	kj_err e;

	kj_err_clear(&e);
	memset(&res, 0, sizeof(res));
	spec.name = name;
	spec.auth = TARGET_AUTH_TOKEN;
	spec.server = demo_url(u->dc);
	spec.ca_pem = demo_ca_pem(u->dc);
	spec.token = demo_account_token(u->dc, account);
	cr_assert_not_null(spec.token, "no token for %s", account);
	cr_assert_eq(target_add(u->eng, &spec, &res, &e), 0, "target_add: %s", e.msg);
	target_add_result_done(&res);
}

void ud_stop(struct ud *u)
{
	th_stop(&u->t);
	engine_close(u->weng);
	engine_close(u->eng);
	demo_stop(u->dc);
	nftw(u->home, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(u->home);
	free(u->ca_file);
}

void ud_type(struct ud *u, const char *s)
{
	th_keys(&u->t, s);
	ui_app_settle(u->t.app);
}

void ud_idle(struct ud *u)
{
	int64_t end = kj_mono_ms() + 60000;

	ui_app_settle(u->t.app);
	while (ui_app_busy(u->t.app)) {
		cr_assert(kj_mono_ms() < end, "a job still runs after 60 s:\n%s", th_screen(&u->t));
		ui_app_step(u->t.app, 5);
	}
}

void ud_fixed_secret(struct ud *u, const char *path, const char *ns, const char *sa, int64_t max_ttl)
{
	struct secret s;
	kj_err e;

	kj_err_clear(&e);
	secret_init(&s);
	s.path = kj_xstrdup(path);
	s.target = kj_xstrdup("demo");
	s.mode = SECRET_FIXED;
	s.ns = kj_xstrdup(ns);
	s.service_account = kj_xstrdup(sa);
	s.revocable = 1;
	s.max_ttl = max_ttl;
	if (s.default_ttl > max_ttl)
		s.default_ttl = max_ttl;
	cr_assert_eq(secret_add(u->eng, &s, &e), 0, "secret_add: %s", e.msg);
	secret_done(&s);
}

const char *ud_mint(struct ud *u, const char *path, const char *ns, int64_t ttl)
{
	static char id[37];
	struct mint_request rq = {0};
	struct mint_result r;
	kj_err e;

	kj_err_clear(&e);
	memset(&r, 0, sizeof(r));
	rq.secret = path;
	rq.ns = ns;
	rq.ttl = ttl;
	cr_assert_eq(mint_run(u->eng, &rq, &r, &e), 0, "mint_run: %s", e.msg);
	memcpy(id, r.lease_id, sizeof(id));
	mint_result_done(&r);
	return id;
}
