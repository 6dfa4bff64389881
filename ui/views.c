/* views: the read-only text view, the Help screen (generated from the key
 * table) and the `:` jump menu. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui/dialog.h"
#include "ui/screens.h"
#include "ui/text.h"
#include "ui/theme.h"
#include "util/file.h"
#include "util/i18n.h"
#include "util/strbuf.h"

struct textview {
	struct ui_screen base;
	char *title;
	char *text;
	int wipe;
	char **lines;
	int nlines, cap, top, width;
	unsigned scope;
};

static void tv_clear_lines(struct textview *v)
{
	int i;

	for (i = 0; i < v->nlines; i++) {
		if (v->wipe)
			kj_free_secret(v->lines[i]);
		else
			free(v->lines[i]);
	}
	v->nlines = 0;
}

static void tv_line(void *ctx, const char *p, size_t n)
{
	struct textview *v = ctx;

	if (v->nlines == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 64;
		v->lines = kj_xrealloc(v->lines, (size_t)v->cap * sizeof(char *));
	}
	v->lines[v->nlines++] = kj_xstrndup(p, n);
}

/* Where a wrapped line goes on: under the value of a "label   value" line
 * (two or more spaces after the label), else under its own indent. */
static int hang_indent(const char *l, size_t n, int width)
{
	size_t i = 0, lead;
	char tmp[512];

	while (i < n && l[i] == ' ')
		i++;
	lead = i;
	while (i < n && !(l[i] == ' ' && i + 1 < n && l[i + 1] == ' '))
		i++;
	while (i < n && l[i] == ' ')
		i++;
	if (i >= n || i >= sizeof(tmp))
		return (int)lead;
	memcpy(tmp, l, i);
	tmp[i] = '\0';
	return ui_text_width(tmp) < width / 2 ? ui_text_width(tmp) : (int)lead;
}

static void tv_wrap(struct textview *v, const char *text, int width)
{
	while (*text) {
		size_t n = strcspn(text, "\n"), next, len;
		const char *l = text;
		int hang = hang_indent(l, n, width), first = 1;
		char *seg = kj_xstrndup(l, n), *p = seg;

		if (!*p)
			tv_line(v, "", 0);
		while (*p) {
			len = ui_text_wrap_next(p, first ? width : width - hang, &next);
			if (first) {
				tv_line(v, p, len);
			} else {
				char *ind = kj_xasprintf("%*s%.*s", hang, "", (int)len, p);
				tv_line(v, ind, strlen(ind));
				if (v->wipe)
					kj_wipe(ind, strlen(ind));
				free(ind);
			}
			first = 0;
			p += next;
		}
		if (v->wipe)
			kj_wipe(seg, n);
		free(seg);
		text += n;
		if (*text == '\n')
			text++;
	}
}

static void tv_resize(struct ui_screen *s, int lines, int cols)
{
	struct textview *v = (struct textview *)s;

	(void)lines;
	if (v->width == cols - 4)
		return;
	v->width = cols - 4;
	tv_clear_lines(v);
	tv_wrap(v, v->text, v->width > 10 ? v->width : 10);
}

static void tv_draw(struct ui_screen *s, WINDOW *w, int y, int h, int cols)
{
	struct textview *v = (struct textview *)s;
	int i;

	if (v->width != cols - 4)
		tv_resize(s, h, cols);
	ui_put(w, y, 1, cols - 2, v->title, A_BOLD, 0);
	if (v->top > v->nlines - (h - 2))
		v->top = v->nlines - (h - 2) > 0 ? v->nlines - (h - 2) : 0;
	for (i = 0; i < h - 2 && v->top + i < v->nlines; i++) {
		const char *l = v->lines[v->top + i];
		/* a line ending in ':' with no indent is a heading */
		chtype at = (l[0] && l[0] != ' ' && l[strlen(l) - 1] == ':') ? ui_attr(R_HEADER) : A_NORMAL;
		ui_put(w, y + 2 + i, 2, cols - 4, l, at, 0);
	}
	if (v->nlines > h - 2) {
		char pos[32];
		snprintf(pos, sizeof(pos), "%d/%d", v->top + 1, v->nlines);
		ui_put(w, y, cols - 1 - (int)strlen(pos), (int)strlen(pos), pos, ui_attr(R_DIM), 0);
	}
}

int ui_save_text(struct ui_app *app, const char *path, const char *text)
{
	kj_err e;

	kj_err_clear(&e);
	if (kj_file_write_private(path, text, strlen(text), 0, &e) < 0) {
		if (e.cls == KJ_ERR_CONFLICT)
			kj_err_hint(&e, "%s",
			            _("choose another file name; kubejit never overwrites a file from here"));
		ui_app_error(app, &e);
		return -1;
	}
	ui_app_status(app, _("saved to %s (mode 0600)"), path);
	return 0;
}

static void tv_save_done(struct ui_screen *owner, void *ctx, const char *path)
{
	struct textview *v = (struct textview *)owner;

	(void)ctx;
	if (!v || !path || !*path)
		return;
	ui_save_text(v->base.app, path, v->text);
}

static int tv_key(struct ui_screen *s, int ch, enum ui_action act)
{
	struct textview *v = (struct textview *)s;
	int page = LINES - 6 > 1 ? LINES - 6 : 1;

	(void)ch;
	switch (act) {
	case ACT_DOWN:
		if (v->top < v->nlines - 1)
			v->top++;
		return UI_HANDLED;
	case ACT_UP:
		if (v->top > 0)
			v->top--;
		return UI_HANDLED;
	case ACT_PGDN:
		v->top += page;
		if (v->top > v->nlines - 1)
			v->top = v->nlines > 0 ? v->nlines - 1 : 0;
		return UI_HANDLED;
	case ACT_PGUP:
		v->top = v->top > page ? v->top - page : 0;
		return UI_HANDLED;
	case ACT_HOME:
		v->top = 0;
		return UI_HANDLED;
	case ACT_END:
		v->top = v->nlines;
		return UI_HANDLED;
	case ACT_SAVE_FILE:
		if (v->wipe)
			return UI_HANDLED; /* secrets leave only through the mint result's actions */
		ui_dialog_input(s->app, s, _("Save to file"), _("File name (created with mode 0600):"), "", 0,
		                tv_save_done, NULL);
		return UI_HANDLED;
	default:
		return 0;
	}
}

static void tv_free(struct ui_screen *s)
{
	struct textview *v = (struct textview *)s;

	tv_clear_lines(v);
	free(v->lines);
	if (v->wipe)
		kj_free_secret(v->text);
	else
		free(v->text);
	free(v->title);
	free(v);
}

static unsigned tv_scope(struct ui_screen *s)
{
	return ((struct textview *)s)->scope;
}

static const struct ui_screen_ops tv_ops = {
    .name = N_("Details"),
    .scope = SC_DETAIL,
    .draw = tv_draw,
    .key = tv_key,
    .resize = tv_resize,
    .cur_scope = tv_scope,
    .free = tv_free,
};

static struct textview *tv_new(const char *title, const char *text, int wipe, unsigned scope)
{
	struct textview *v = kj_xcalloc(1, sizeof(*v));

	v->base.ops = &tv_ops;
	v->base.title = NULL;
	v->title = kj_xstrdup(title);
	v->text = kj_xstrdup(text);
	v->wipe = wipe;
	v->width = -1;
	v->scope = scope;
	return v;
}

struct ui_screen *ui_textview_new(struct ui_app *app, const char *title, const char *text, int wipe)
{
	struct textview *v = tv_new(title, text, wipe, SC_DETAIL);

	(void)app;
	v->base.title = v->title;
	return &v->base;
}

struct ui_screen *ui_help_new(struct ui_app *app)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&buf, &len);
	struct textview *v;

	(void)app;
	fprintf(mf, "%s\n\n",
	        _("kubejit mints short-lived Kubernetes credentials. A target is a cluster "
	          "connection with minting rights; a secret says what to mint (fixed: an existing "
	          "ServiceAccount; dynamic: a fresh ServiceAccount with a role per lease); a "
	          "lease is one minted credential, revoked at its TTL or when you press r."));
	ui_keys_print(mf, 0);
	fclose(mf);
	v = tv_new(_("Keys (the status bar shows the ones that apply)"), buf, 0, SC_HELP);
	free(buf);
	v->base.title = _("Help");
	return &v->base;
}

/* ---- jump menu ---- */

/* menu order; the first letters differ, as the menu jumps by them */
static const struct {
	const char *name;
	enum ui_screen_id id;
} jumps[] = {
    {N_("Leases"), UI_SCR_LEASES},     {N_("Secrets"), UI_SCR_SECRETS}, {N_("Targets"), UI_SCR_TARGETS},
    {N_("Requests"), UI_SCR_REQUESTS}, {N_("Audit log"), UI_SCR_AUDIT}, {N_("Help"), UI_SCR_HELP},
};
#define NJUMPS ((int)(sizeof(jumps) / sizeof(jumps[0])))

static void jump_chosen(struct ui_screen *owner, void *ctx, int choice)
{
	struct ui_app *app = ctx;

	(void)owner;
	if (choice >= 0 && choice < NJUMPS)
		ui_app_jump(app, (int)jumps[choice].id);
}

struct ui_screen *ui_jump_new(struct ui_app *app)
{
	const char *items[NJUMPS];
	int i;

	for (i = 0; i < NJUMPS; i++)
		items[i] = _(jumps[i].name);
	/* the menu pushes itself; return nothing for the caller to push */
	ui_dialog_menu(app, NULL, _("Jump to (type the first letter, Enter)"), items, NJUMPS, 0, jump_chosen,
	               app);
	return NULL;
}
