/* secrets: the dynamic secrets as a folder tree, with new / edit / delete /
 * mint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/secret.h"
#include "ui/dialog.h"
#include "ui/screens.h"
#include "ui/table.h"
#include "ui/text.h"
#include "ui/theme.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/ttl.h"

enum { C_NAME, C_MODE, C_TARGET, C_TTL, C_DESC, C_COUNT };

static const struct ui_table_col cols[C_COUNT] = {
    {N_("NAME"), 22, 3, 0},
    {N_("MODE"), 7, 0, 0},
    {N_("TARGET"), 10, 1, 0},
    {N_("TTL/MAX"), 9, 0, 0},
    {N_("DESCRIPTION / TAGS"), 14, 4, 0},
};

/* One tree row: a folder or a secret (index into the list). */
struct trow {
	char *label; /* indented name with tree glyphs */
	char *key;   /* folder path with '/' suffix, or secret path */
	int secret;  /* index into v, -1 for a folder */
};

struct secrets {
	struct ui_screen base;
	struct ui_table *table;
	struct secret *v;
	size_t n;
	struct trow *rows;
	size_t nrows;
};

static void cell(void *ud, const void *row, int col, char *buf, size_t n)
{
	struct secrets *ss = ud;
	const struct trow *r = row;
	const struct secret *s;
	char a[32], b[32];
	char *tags;

	buf[0] = '\0';
	if (r->secret < 0) {
		if (col == C_NAME)
			snprintf(buf, n, "%s", r->label);
		return;
	}
	s = &ss->v[r->secret];
	switch (col) {
	case C_NAME:
		snprintf(buf, n, "%s%s", r->label, s->delete_protection ? " [P]" : "");
		break;
	case C_MODE:
		snprintf(buf, n, "%s", secret_mode_name(s->mode));
		break;
	case C_TARGET:
		snprintf(buf, n, "%s", s->target ? s->target : "");
		break;
	case C_TTL:
		kj_ttl_format(s->default_ttl, a, sizeof(a));
		kj_ttl_format(s->max_ttl, b, sizeof(b));
		snprintf(buf, n, "%s/%s", a, b);
		break;
	case C_DESC:
		tags = kj_strv_join(&s->tags, ",");
		snprintf(buf, n, "%s%s%s%s", s->description ? s->description : "", tags[0] ? " [" : "", tags,
		         tags[0] ? "]" : "");
		free(tags);
		break;
	}
}

static enum ui_role role(void *ud, const void *row)
{
	(void)ud;
	return ((const struct trow *)row)->secret < 0 ? R_HEADER : R_NORMAL;
}

static const char *row_id(void *ud, const void *row)
{
	(void)ud;
	return ((const struct trow *)row)->key;
}

static const struct ui_table_ops table_ops = {cell, NULL, role, row_id};

static void free_rows(struct secrets *ss)
{
	size_t i;

	for (i = 0; i < ss->nrows; i++) {
		free(ss->rows[i].label);
		free(ss->rows[i].key);
	}
	free(ss->rows);
	ss->rows = NULL;
	ss->nrows = 0;
}

static void add_row(struct secrets *ss, size_t *cap, char *label, char *key, int secret)
{
	if (ss->nrows == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		ss->rows = kj_xrealloc(ss->rows, *cap * sizeof(struct trow));
	}
	ss->rows[ss->nrows].label = label;
	ss->rows[ss->nrows].key = key;
	ss->rows[ss->nrows].secret = secret;
	ss->nrows++;
}

/* Build the tree: the list is sorted by path, so a folder header is due
 * whenever a path's folder differs from the previous one's. */
static void build_tree(struct secrets *ss)
{
	size_t cap = 0, i;
	char prev[1024] = "";

	free_rows(ss);
	for (i = 0; i < ss->n; i++) {
		const char *p = ss->v[i].path;
		char *folder = secret_path_folder(p);
		const char *base = strrchr(p, '/');
		int depth = 0;
		const char *q;

		/* emit each folder level not yet shown */
		if (strcmp(folder, "/") != 0) {
			const char *seg = folder + 1;
			char partial[1024] = "";
			int d = 0;
			while (*seg) {
				const char *sl = strchr(seg, '/');
				size_t len = sl ? (size_t)(sl - seg) : strlen(seg);
				snprintf(partial + strlen(partial), sizeof(partial) - strlen(partial),
				         "/%.*s", (int)len, seg);
				if (strncmp(prev, partial, strlen(partial)) != 0 ||
				    (prev[strlen(partial)] != '/' && prev[strlen(partial)] != '\0')) {
					kj_buf lb;
					kj_buf_init(&lb);
					for (int k = 0; k < d; k++)
						kj_buf_adds(&lb, "  ");
					kj_buf_printf(&lb, "%.*s/", (int)len, seg);
					add_row(ss, &cap, kj_buf_steal(&lb), kj_xasprintf("%s/", partial),
					        -1);
				}
				d++;
				seg += len;
				if (*seg == '/')
					seg++;
			}
		}
		for (q = folder; *q; q++)
			if (*q == '/')
				depth++;
		if (!strcmp(folder, "/"))
			depth = 0;
		{
			kj_buf lb;
			kj_buf_init(&lb);
			for (int k = 0; k < depth; k++)
				kj_buf_adds(&lb, "  ");
			kj_buf_adds(&lb, base ? base + 1 : p);
			add_row(ss, &cap, kj_buf_steal(&lb), kj_xstrdup(p), (int)i);
		}
		snprintf(prev, sizeof(prev), "%s", folder);
		free(folder);
	}
	ui_table_set_rows(ss->table, ss->rows, ss->nrows, sizeof(struct trow));
	{
		/* rest the cursor on a secret, not on a folder heading */
		const struct trow *r = ui_table_selected(ss->table);
		if (r && r->secret < 0)
			ui_table_move(ss->table, 1);
	}
}

static void reload(struct secrets *ss)
{
	struct secret *v = NULL;
	size_t n = 0;
	kj_err e;

	if (!ui_app_engine(ss->base.app))
		return;
	kj_err_clear(&e);
	if (secret_list(ui_app_engine(ss->base.app), NULL, &v, &n, &e) != 0) {
		ui_app_error(ss->base.app, &e);
		return;
	}
	/* the table points into the rows: rebuild before freeing the old list */
	secret_list_free(ss->v, ss->n);
	ss->v = v;
	ss->n = n;
	build_tree(ss);
}

static void draw(struct ui_screen *s, WINDOW *w, int y, int h, int cols_)
{
	struct secrets *ss = (struct secrets *)s;
	char line[200];

	snprintf(line, sizeof(line), _("%zu secrets  ([P] = delete protection)"), ss->n);
	ui_put(w, y, 1, cols_ - 2, line, ui_attr(R_DIM), 0);
	ui_table_draw(ss->table, s->app, w, y + 1, h - 1, cols_);
}

static const struct secret *selected(struct secrets *ss)
{
	const struct trow *r = ui_table_selected(ss->table);

	return r && r->secret >= 0 ? &ss->v[r->secret] : NULL;
}

static void details(struct secrets *ss, const struct secret *s)
{
	kj_buf b;
	char a[32], m[32];
	char *t;
	size_t i;

	kj_buf_init(&b);
	kj_ttl_format(s->default_ttl, a, sizeof(a));
	kj_ttl_format(s->max_ttl, m, sizeof(m));
	kj_buf_printf(&b, "%s:\n", _("Secret"));
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("path"), 20), s->path);
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("description"), 20), s->description ? s->description : "");
	t = kj_strv_join(&s->tags, ", ");
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("tags"), 20), t);
	free(t);
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("delete protection"), 20),
	              s->delete_protection ? _("on") : _("off"));
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("target"), 20), s->target);
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("mode"), 20), secret_mode_name(s->mode));
	if (s->mode == SECRET_FIXED) {
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("namespace"), 20), s->ns ? s->ns : "");
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("service account"), 20),
		              s->service_account ? s->service_account : "");
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("revocable"), 20),
		              s->revocable ? _("yes") : _("no"));
	} else {
		t = kj_strv_join(&s->allowed_namespaces, ", ");
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("role source"), 20),
		              secret_role_source_name(s->role_source));
		if (s->role_name)
			kj_buf_printf(&b, "  %s %s%s\n", ui_padded(_("role"), 20), s->role_name,
			              s->cluster_scope ? _(" (cluster-wide)") : "");
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("allowed namespaces"), 20), t);
		free(t);
	}
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("default TTL"), 20), a);
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("max TTL"), 20), m);
	t = kj_strv_join(&s->audiences, ", ");
	kj_buf_printf(&b, "  %s %s\n", ui_padded(_("audiences"), 20), t[0] ? t : _("(cluster default)"));
	free(t);
	for (i = 0; i < s->labels.n; i++)
		kj_buf_printf(&b, "  %s %s=%s\n", ui_padded(_("label"), 20), s->labels.v[i].key,
		              s->labels.v[i].value);
	if (s->role_yaml)
		kj_buf_printf(&b, "\n%s:\n%s\n", _("Role YAML"), s->role_yaml);
	ui_app_push(ss->base.app, ui_textview_new(ss->base.app, s->path, b.data, 0));
	kj_buf_done(&b);
}

static void delete_confirmed(struct ui_screen *owner, void *ctx, int yes)
{
	char *path = ctx;
	kj_err e;

	if (owner && yes) {
		kj_err_clear(&e);
		if (secret_delete(ui_app_engine(owner->app), path, &e) != 0)
			ui_app_error(owner->app, &e);
		else
			ui_app_status(owner->app, _("secret %s deleted"), path);
		reload((struct secrets *)owner);
	}
	free(path);
}

static int key(struct ui_screen *s, int ch, enum ui_action act)
{
	struct secrets *ss = (struct secrets *)s;
	const struct secret *sel;
	char *q;

	if (ui_table_key(ss->table, ch, act) == UI_HANDLED)
		return UI_HANDLED;
	sel = selected(ss);
	switch (act) {
	case ACT_ENTER:
		if (sel)
			details(ss, sel);
		return UI_HANDLED;
	case ACT_NEW:
		ui_app_push(s->app, ui_wiz_secret_new(s->app, NULL));
		return UI_HANDLED;
	case ACT_EDIT:
		if (sel)
			ui_app_push(s->app, ui_wiz_secret_new(s->app, sel->path));
		else
			ui_app_status(s->app, "%s", _("select a secret (not a folder) to edit"));
		return UI_HANDLED;
	case ACT_MINT:
		if (sel)
			ui_app_push(s->app, ui_wiz_mint_new(s->app, sel->path));
		else
			ui_app_status(s->app, "%s", _("select a secret (not a folder) to mint from"));
		return UI_HANDLED;
	case ACT_DELETE:
		if (!sel)
			return UI_HANDLED;
		q = kj_xasprintf(
		    _("Delete secret %s? Live leases keep working until they are revoked or expire."),
		    sel->path);
		ui_dialog_confirm(s->app, s, _("Delete secret"), q, delete_confirmed, kj_xstrdup(sel->path));
		free(q);
		return UI_HANDLED;
	default:
		return 0;
	}
}

static void tick(struct ui_screen *s)
{
	(void)s;
}

static unsigned cur_scope(struct ui_screen *s)
{
	return ui_table_filtering(((struct secrets *)s)->table) ? SC_FILTER : SC_SECRETS;
}

static void sfree(struct ui_screen *s)
{
	struct secrets *ss = (struct secrets *)s;

	ui_table_free(ss->table);
	free_rows(ss);
	secret_list_free(ss->v, ss->n);
	free(ss);
}

static void resume(struct ui_screen *s)
{
	/* coming back from a wizard or dialog: show what it saved */
	reload((struct secrets *)s);
}

static const struct ui_screen_ops ops = {
    .name = N_("Secrets"),
    .scope = SC_SECRETS,
    .draw = draw,
    .key = key,
    .tick = tick,
    .resume = resume,
    .cur_scope = cur_scope,
    .free = sfree,
};

struct ui_screen *ui_secrets_new(struct ui_app *app)
{
	struct secrets *ss = kj_xcalloc(1, sizeof(*ss));

	ss->base.ops = &ops;
	ss->base.app = app;
	ss->table = ui_table_new(cols, C_COUNT, &table_ops, ss);
	ui_table_set_empty_text(ss->table, _("No secrets yet. Press n to define one: it says which target "
	                                     "mints, in which mode, for which namespaces and how long."));
	reload(ss);
	return &ss->base;
}

void ui_secrets_focus(struct ui_app *app, const char *path)
{
	struct ui_screen *s = ui_app_top(app);

	if (!s || s->ops != &ops)
		return;
	reload((struct secrets *)s);
	ui_table_select(((struct secrets *)s)->table, path);
}
