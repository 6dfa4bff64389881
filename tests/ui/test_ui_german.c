/* Every screen in German at 80x24 against golden screens: translated
 * headers and labels are longer than the English ones, so these catch a
 * header cut short (MODUS as MODU), a label pushed off its field or a hint
 * cut at the edge.  The catalogue is po/de.gmo of the source tree. */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lease.h"
#include "engine/secret.h"
#include "ui/screens.h"
#include "tests/support/ui_demo.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#define CTRL(c) ((c)&0x1f)

/* Times, lease ids and generated names change from run to run: the golden
 * screen holds a fixed stand-in of the same width. */
static void mask(char *s, const char *pattern, char with)
{
	regex_t re;
	regmatch_t m;
	char *p = s;

	cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED), 0);
	while (regexec(&re, p, 1, &m, p == s ? 0 : REG_NOTBOL) == 0 && m.rm_eo > m.rm_so) {
		for (regoff_t i = m.rm_so; i < m.rm_eo; i++)
			if (p[i] != ' ' && p[i] != '-' && p[i] != ':')
				p[i] = with;
		p += m.rm_eo;
	}
	regfree(&re);
}

/* Replace `from` by the no longer `to` in place, padding the end of that
 * line with spaces so that the screen keeps its width. */
static void subst(char *s, const char *from, const char *to)
{
	size_t lf = strlen(from), lt = strlen(to);
	char *p, *eol;

	while ((p = strstr(s, from)) != NULL) {
		eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		memcpy(p, to, lt);
		memmove(p + lt, p + lf, (size_t)(eol - (p + lf)));
		memset(eol - (lf - lt), ' ', lf - lt);
	}
}

static int golden_de(struct ud *u, const char *name)
{
	char *path, *want, *got = th_screen(&u->t);
	const char *top = getenv("top_srcdir");
	FILE *f;
	kj_buf b;
	char chunk[4096];
	size_t n;
	int eq;

	mask(got, "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}", '9');
	mask(got, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", 'x');
	mask(got, "kubejit-[a-z0-9-]+-[a-z0-9]{5}\\b", 'x');
	mask(got, "127\\.0\\.0\\.1:[0-9]+", '9');
	mask(got, "\\b[0-9a-f]{8}\\b|\\b[0-9a-f]{16}\\.\\.\\.", 'x');
	mask(got, "\\b[0-9]{3}d\\b", '9');      /* days left of the demo's certificates */
	mask(got, "[0-9]+\\.[0-9]+ s\\b", '9'); /* how long the readiness check took */
	/* the token asks for what is left of the lease, in whole seconds; when
	 * the second turns during the TokenRequest it ends a second after it */
	subst(got, "in 1h1s (", "in 1h (");
	subst(got, " 1h1s   ", " 1h     ");
	path = kj_xasprintf("%s/tests/support/golden/de/%s.txt", top ? top : ".", name);
	if (getenv("KJ_UPDATE_GOLDEN")) {
		f = fopen(path, "w");
		cr_assert_not_null(f, "cannot write %s", path);
		fputs(got, f);
		fclose(f);
		free(path);
		free(got);
		return 1;
	}
	f = fopen(path, "r");
	cr_assert_not_null(f, "missing golden file %s (run with KJ_UPDATE_GOLDEN=1 to create it)", path);
	kj_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		kj_buf_add(&b, chunk, n);
	fclose(f);
	want = kj_buf_steal(&b);
	eq = !strcmp(want ? want : "", got);
	if (!eq)
		fprintf(stderr, "screen differs from %s\n--- want\n%s--- got\n%s", path, want, got);
	free(want);
	free(path);
	free(got);
	return eq;
}

static void start_de(struct ud *u)
{
#if !ENABLE_NLS
	cr_skip_test("built with --disable-nls: there is no German catalogue to show");
#endif
	th_language("de");
	ud_start(u, 24, 80);
	ud_add_target(u, "demo", "kube-system/kubejit-jit");
}

Test(ui_german, lists_details_help_and_jump)
{
	struct ud u;
	const char *id;

	start_de(&u);
	ud_fixed_secret(&u, "/team/dev-default", "dev", "default", 86400);
	id = ud_mint(&u, "/team/dev-default", NULL, 3600);
	{
		/* the clock of the screens: the lease's own start (on a slow
		 * build the mint takes seconds) */
		struct lease_filter f = LEASE_FILTER_ANY;
		struct lease *v = NULL;
		size_t n = 0;
		kj_err e;
		kj_err_clear(&e);
		cr_assert_eq(lease_list(u.eng, &f, &v, &n, &e), 0, "%s", e.msg);
		cr_assert_eq(n, 1);
		th_now = v[0].created_at;
		lease_list_free(v, n);
	}
	(void)id;
	ui_app_push(u.t.app, ui_leases_new(u.t.app));
	cr_assert(th_screen_has(&u.t, "MODUS"));
	cr_assert(golden_de(&u, "leases"));
	ud_type(&u, "\n");
	cr_assert(golden_de(&u, "lease-details"));
	ud_type(&u, "q");
	ud_type(&u, ":");
	cr_assert(golden_de(&u, "jump"));
	th_key(&u.t, 27);
	ui_app_push(u.t.app, ui_secrets_new(u.t.app));
	cr_assert(golden_de(&u, "secrets"));
	ud_type(&u, "\n");
	cr_assert(golden_de(&u, "secret-details"));
	ud_type(&u, "q");
	ud_type(&u, "q");
	ui_app_push(u.t.app, ui_targets_new(u.t.app));
	cr_assert(golden_de(&u, "targets"));
	ud_type(&u, "q");
	ui_app_push(u.t.app, ui_audit_new(u.t.app));
	cr_assert(golden_de(&u, "audit"));
	ud_type(&u, "q");
	ui_app_push(u.t.app, ui_help_new(u.t.app));
	cr_assert(golden_de(&u, "help"));
	ud_stop(&u);
}

Test(ui_german, secret_wizard_steps)
{
	struct ud u;

	start_de(&u);
	ui_app_push(u.t.app, ui_secrets_new(u.t.app));
	cr_assert(golden_de(&u, "secrets-empty"));
	ud_type(&u, "n");
	cr_assert(golden_de(&u, "secret-name"));
	ud_type(&u, "/dyn/pods\n");
	cr_assert(golden_de(&u, "secret-about"));
	ud_type(&u, "\n\n");
	cr_assert(golden_de(&u, "secret-mode"));
	ud_type(&u, "\n");
	cr_assert(golden_de(&u, "secret-role"));
	th_key(&u.t, KEY_DOWN);
	ud_type(&u, "dev\n");
	cr_assert(golden_de(&u, "secret-yaml-empty"));
	th_key(&u.t, CTRL('t'));
	cr_assert(golden_de(&u, "secret-templates"));
	ud_type(&u, "pods\n");
	cr_assert(golden_de(&u, "secret-yaml"));
	th_key(&u.t, 27);
	cr_assert(golden_de(&u, "secret-ttl"));
	ud_type(&u, "\n");
	cr_assert(golden_de(&u, "secret-audiences"));
	ud_type(&u, "\n");
	cr_assert(golden_de(&u, "secret-review"));
	ud_stop(&u);
}

Test(ui_german, fixed_secret_and_target_wizards)
{
	struct ud u;

	start_de(&u);
	ui_app_push(u.t.app, ui_secrets_new(u.t.app));
	ud_type(&u, "n");
	ud_type(&u, "/ops/dev\n\n\n");
	th_key(&u.t, KEY_RIGHT); /* fixed */
	ud_type(&u, "\n");
	cr_assert(golden_de(&u, "secret-fixed"));
	th_key(&u.t, CTRL('x'));
	ud_type(&u, "q");
	ui_app_push(u.t.app, ui_targets_new(u.t.app));
	ud_type(&u, "n");
	cr_assert(golden_de(&u, "target-name"));
	ud_type(&u, "zwei\n");
	cr_assert(golden_de(&u, "target-auth"));
	ud_type(&u, "\n");
	cr_assert(golden_de(&u, "target-details"));
	ud_stop(&u);
}

Test(ui_german, mint_wizard_steps_and_result)
{
	struct ud u;
	struct secret s;
	kj_err e;

	start_de(&u);
	secret_init(&s);
	s.path = kj_xstrdup("/dyn/view");
	s.target = kj_xstrdup("demo");
	s.mode = SECRET_DYNAMIC;
	s.role_source = ROLE_SOURCE_CLUSTER_ROLE;
	s.role_name = kj_xstrdup("view");
	kj_strv_push(&s.allowed_namespaces, "dev");
	kj_strv_push(&s.allowed_namespaces, "team-*");
	kj_err_clear(&e);
	cr_assert_eq(secret_add(u.eng, &s, &e), 0, "%s", e.msg);
	secret_done(&s);
	ui_app_push(u.t.app, ui_leases_new(u.t.app));
	cr_assert(golden_de(&u, "leases-empty"));
	ud_type(&u, "m");
	cr_assert(golden_de(&u, "mint-secret"));
	ud_type(&u, "\n");
	cr_assert(golden_de(&u, "mint-namespace"));
	ud_type(&u, "dev\n");
	cr_assert(golden_de(&u, "mint-ttl"));
	ud_type(&u, "\n");
	cr_assert(golden_de(&u, "mint-review"));
	th_now = kj_now();
	ud_type(&u, "\n");
	cr_assert(th_screen_has(&u.t, "Token:"));
	{
		/* count down from the lease's own start: on a busy machine the
		 * mint may begin a second after the key was typed */
		struct lease_filter f = LEASE_FILTER_ANY;
		struct lease *v = NULL;
		size_t n = 0;
		cr_assert_eq(lease_list(u.eng, &f, &v, &n, &e), 0, "%s", e.msg);
		cr_assert_eq(n, 1);
		th_now = v[0].created_at;
		lease_list_free(v, n);
		th_tick(&u.t, 0);
	}
	cr_assert(golden_de(&u, "mint-result"));
	ud_type(&u, "q");
	ud_type(&u, "r");
	cr_assert(golden_de(&u, "revoke-confirm"));
	ud_stop(&u);
}
