#include "ui_harness.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/i18n.h"
#include "util/strbuf.h"

int64_t th_now = 1800000000; /* 2027-01-15T08:00:00Z */

static int64_t fake_clock(void)
{
	return th_now;
}

static const char *th_lang;

void th_language(const char *lang)
{
	th_lang = lang;
}

/* $top_srcdir/po/LANG.gmo as LANG/LC_MESSAGES/kubejit.mo in a new folder */
static char *bind_language(const char *lang)
{
	const char *top = getenv("top_srcdir");
	char *dir = kj_xstrdup("/tmp/kubejit-locale.XXXXXX"), *gmo, *abs, *sub, *mo;

	cr_assert_not_null(mkdtemp(dir));
	gmo = kj_xasprintf("%s/po/%s.gmo", top ? top : ".", lang);
	abs = realpath(gmo, NULL);
	cr_assert_not_null(abs, "no catalogue %s (is po/ built?)", gmo);
	sub = kj_xasprintf("%s/%s", dir, lang);
	cr_assert_eq(mkdir(sub, 0700), 0);
	free(sub);
	sub = kj_xasprintf("%s/%s/LC_MESSAGES", dir, lang);
	cr_assert_eq(mkdir(sub, 0700), 0);
	mo = kj_xasprintf("%s/%s.mo", sub, PACKAGE);
	cr_assert_eq(symlink(abs, mo), 0);
	setenv("LANGUAGE", lang, 1);
#if ENABLE_NLS
	bindtextdomain(PACKAGE, dir);
	textdomain(PACKAGE);
#endif
	free(mo);
	free(sub);
	free(abs);
	free(gmo);
	return dir;
}

void th_start(struct th *t, int lines, int cols, struct ui_opts *opts)
{
	struct ui_opts o = {0};
	int fds[2];
	char buf[16];
	kj_err e;

	if (opts)
		o = *opts;
	setlocale(LC_ALL, "C.UTF-8");
	t->locale_dir = th_lang ? bind_language(th_lang) : NULL;
	setenv("TZ", "UTC", 1);
	snprintf(buf, sizeof(buf), "%d", lines);
	setenv("LINES", buf, 1);
	snprintf(buf, sizeof(buf), "%d", cols);
	setenv("COLUMNS", buf, 1);
	cr_assert_eq(pipe(fds), 0);
	t->pipe_w = fds[1];
	t->in = fdopen(fds[0], "r");
	t->own_out = !(opts && opts->out);
	t->out = t->own_out ? fopen("/dev/null", "w") : opts->out;
	cr_assert(t->in && t->out);
	o.in = t->in;
	o.out = t->out;
	o.term = "xterm-256color";
	o.clock = fake_clock;
	o.no_anim = 1;
	if (!o.sweep_interval)
		o.sweep_interval = -1;
	kj_err_clear(&e);
	t->app = ui_app_new(&o, &e);
	cr_assert_not_null(t->app, "ui_app_new: %s", e.msg);
}

void th_stop(struct th *t)
{
	ui_app_free(t->app);
	fclose(t->in);
	if (t->own_out)
		fclose(t->out);
	close(t->pipe_w);
	if (t->locale_dir) {
		char *cmd = kj_xasprintf("rm -rf '%s'", t->locale_dir);
		cr_assert_eq(system(cmd), 0);
		free(cmd);
		free(t->locale_dir);
		t->locale_dir = NULL;
	}
}

void th_key(struct th *t, int key)
{
	if (key >= 256 && key < KEY_MIN)
		unget_wch((wchar_t)key);
	else
		ungetch(key);
	ui_app_step(t->app, 0);
	ui_app_settle(t->app);
}

void th_keys(struct th *t, const char *s)
{
	for (; *s; s++)
		th_key(t, (unsigned char)*s);
}

void th_pipe_keys(struct th *t, const char *bytes)
{
	size_t n = strlen(bytes);
	int i;

	cr_assert_eq(write(t->pipe_w, bytes, n), (ssize_t)n);
	/* each step reads at most one key; a few spare steps drain the pipe */
	for (i = 0; i < (int)n + 2; i++)
		ui_app_step(t->app, 50);
	ui_app_settle(t->app);
}

void th_tick(struct th *t, int seconds)
{
	th_now += seconds;
	ui_app_force_tick(t->app);
	ui_app_step(t->app, 0);
	ui_app_settle(t->app);
}

char *th_screen(struct th *t)
{
	ui_app_draw(t->app);
	return ui_app_screen_text(t->app);
}

int th_screen_has(struct th *t, const char *needle)
{
	char *s = th_screen(t);
	int r = strstr(s, needle) != NULL;

	if (!r)
		fprintf(stderr, "screen lacks \"%s\":\n%s\n", needle, s);
	free(s);
	return r;
}

int th_golden(struct th *t, const char *name)
{
	return th_golden_masked(t, name, NULL, NULL);
}

int th_golden_masked(struct th *t, const char *name, const char *from, const char *to)
{
	const char *top = getenv("top_srcdir");
	char *path = kj_xasprintf("%s/tests/support/golden/%s.txt", top ? top : ".", name);
	char *got = th_screen(t);
	FILE *f;
	kj_buf want;
	char chunk[4096];
	size_t n;
	int eq;

	if (from) {
		cr_assert_eq(strlen(from), strlen(to), "a mask keeps the screen's layout");
		for (char *p = strstr(got, from); p; p = strstr(p + strlen(to), from))
			memcpy(p, to, strlen(to));
	}

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
	kj_buf_init(&want);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		kj_buf_add(&want, chunk, n);
	fclose(f);
	eq = !strcmp(want.data ? want.data : "", got);
	if (!eq)
		fprintf(stderr, "screen differs from %s\n--- want\n%s--- got\n%s", path, want.data, got);
	kj_buf_done(&want);
	free(path);
	free(got);
	return eq;
}
