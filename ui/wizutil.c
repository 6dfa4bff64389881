#include "ui/wizutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/browse.h"
#include "engine/secret.h"
#include "ui/dialog.h"
#include "util/file.h"
#include "util/i18n.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/ttl.h"

static const char *const units[] = {"s", "m", "h", "d"};
static const int64_t unit_secs[] = {1, 60, 3600, 86400};

int ui_wiz_ttl_rows(struct ui_form *f, const char *label, int64_t secs, const char *help)
{
	int u = 0, row, i;
	char v[32];
	const char *names[4];

	for (i = 3; i > 0; i--)
		if (secs > 0 && secs % unit_secs[i] == 0) {
			u = i;
			break;
		}
	snprintf(v, sizeof(v), "%lld", (long long)(secs > 0 ? secs / unit_secs[u] : 0));
	row = ui_form_text(f, label, v, help);
	for (i = 0; i < 4; i++)
		names[i] = units[i];
	{
		char ul[128];
		snprintf(ul, sizeof(ul), _("  unit"));
		ui_form_choice(f, ul, names, 4, u, _("s = seconds, m = minutes, h = hours, d = days"));
	}
	f->rows[row].unit_row = row + 1;
	return row;
}

int ui_wiz_ttl_read(const struct ui_form *f, int row, const char *what, int64_t *out, kj_err *e)
{
	const char *v = ui_form_value(f, row);
	int has_unit = 0, digits = 0;
	const char *p;
	int64_t n;

	for (p = v; *p; p++) {
		if (isalpha((unsigned char)*p))
			has_unit = 1;
		if (isdigit((unsigned char)*p))
			digits = 1;
	}
	if (!digits)
		return kj_err_set(e, KJ_ERR_INVALID, _("%s: type a number (for example 15)"), what);
	if (has_unit)
		return kj_ttl_parse(v, what, out, e);
	if (kj_ttl_parse(v, what, &n, e) != 0)
		return -1;
	*out = n * unit_secs[f->rows[row + 1].choice];
	return 0;
}

void ui_wiz_form_error(struct ui_form *f, int row, const kj_err *e)
{
	char buf[KJ_ERR_MSG_MAX + KJ_ERR_HINT_MAX + 8];

	if (e->hint[0])
		snprintf(buf, sizeof(buf), "%s (%s)", e->msg, e->hint);
	else
		snprintf(buf, sizeof(buf), "%s", e->msg);
	ui_form_set_error(f, row, buf);
}

struct pick_ctx {
	int row;
};

static void pick_chosen(struct ui_screen *owner, void *ctx, int choice)
{
	struct ui_wizard *w = (struct ui_wizard *)owner;
	struct pick_ctx *pc = ctx;

	if (w && choice >= 0 && pc->row < w->form.n)
		w->form.rows[pc->row].choice = choice;
	free(pc);
}

void ui_wiz_pick_choice(struct ui_wizard *w, int row, const char *const *items, int n)
{
	struct pick_ctx *pc;

	if (n <= 0)
		return;
	pc = kj_xcalloc(1, sizeof(*pc));
	pc->row = row;
	ui_dialog_menu(w->base.app, &w->base, w->form.rows[row].label, items, n, w->form.rows[row].choice,
	               pick_chosen, pc);
}

void ui_wiz_items_free(char **items)
{
	size_t i;

	if (!items)
		return;
	for (i = 0; items[i]; i++)
		free(items[i]);
	free(items);
}

char **ui_wiz_allowed_namespaces(struct ui_app *app, const struct secret *s, size_t *n)
{
	char **v = kj_xcalloc(s->allowed_namespaces.n + 2, sizeof(char *));
	size_t i;

	(void)app;
	*n = 0;
	if (s->mode == SECRET_FIXED) {
		if (s->ns)
			v[(*n)++] = kj_xstrdup(s->ns);
		return v;
	}
	for (i = 0; i < s->allowed_namespaces.n; i++) {
		const char *a = s->allowed_namespaces.v[i];
		if (!strpbrk(a, "*?["))
			v[(*n)++] = kj_xstrdup(a);
	}
	return v;
}

struct browse_job {
	struct engine *eng;
	struct ui_wizard *w;
	int step, row, kind, multi;
	char *target, *ns;
	struct kj_strv allowed; /* empty = keep every name */
	char **names;
	size_t n;
};

static void browse_job_free(struct browse_job *j)
{
	browse_names_free(j->names, j->n);
	kj_strv_done(&j->allowed);
	free(j->target);
	free(j->ns);
	free(j);
}

static int browse_run(void *arg, kj_err *e)
{
	struct browse_job *j = arg;
	size_t i, k = 0, a;

	if (browse_names(j->eng, j->target, (enum browse_kind)j->kind, j->ns, &j->names, &j->n, e) != 0)
		return -1;
	if (!j->allowed.n)
		return 0;
	for (i = 0; i < j->n; i++) {
		int ok = 0;
		for (a = 0; a < j->allowed.n && !ok; a++)
			ok = kj_glob_match(j->allowed.v[a], j->names[i]);
		if (ok)
			j->names[k++] = j->names[i];
		else
			free(j->names[i]);
	}
	j->n = k;
	return 0;
}

struct pick_row {
	int step, row;
	char **names;
	size_t n;
};

static void pick_row_free(struct pick_row *pr)
{
	browse_names_free(pr->names, pr->n);
	free(pr);
}

static void picked_text(struct ui_screen *owner, void *ctx, const char *text)
{
	struct ui_wizard *w = (struct ui_wizard *)owner;
	struct pick_row *pr = ctx;

	if (w && text && w->step == pr->step && pr->row < w->form.n)
		ui_form_set_value(&w->form, pr->row, text);
	pick_row_free(pr);
}

static void picked_one(struct ui_screen *owner, void *ctx, int choice)
{
	struct ui_wizard *w = (struct ui_wizard *)owner;
	struct pick_row *pr = ctx;

	if (w && choice >= 0 && (size_t)choice < pr->n && w->step == pr->step && pr->row < w->form.n)
		ui_form_set_value(&w->form, pr->row, pr->names[choice]);
	pick_row_free(pr);
}

static void browse_done(struct ui_screen *owner, void *arg, int rc, const kj_err *e)
{
	struct browse_job *j = arg;
	struct ui_wizard *w = (struct ui_wizard *)owner;
	struct pick_row *pr;

	if (!w || w->step != j->step) {
		browse_job_free(j);
		return;
	}
	if (rc != 0) {
		ui_app_status(owner->app, _("cannot list from the cluster: %s (type the name instead)"),
		              e->msg);
		browse_job_free(j);
		return;
	}
	if (!j->n) {
		ui_app_status(owner->app, "%s", _("the cluster returned nothing to pick; type the name"));
		browse_job_free(j);
		return;
	}
	pr = kj_xcalloc(1, sizeof(*pr));
	pr->step = j->step;
	pr->row = j->row;
	pr->names = j->names;
	pr->n = j->n;
	j->names = NULL;
	j->n = 0;
	if (j->multi)
		ui_dialog_multi(owner->app, owner, w->form.rows[j->row].label, (const char *const *)pr->names,
		                (int)pr->n, ui_form_value(&w->form, j->row), picked_text, pr);
	else
		ui_dialog_menu(owner->app, owner, w->form.rows[j->row].label, (const char *const *)pr->names,
		               (int)pr->n, 0, picked_one, pr);
	browse_job_free(j);
}

void ui_wiz_pick_from_cluster_allowed(struct ui_wizard *w, int row, const char *target, int kind,
                                      const struct kj_strv *allowed)
{
	struct browse_job *j;

	j = kj_xcalloc(1, sizeof(*j));
	j->eng = ui_app_worker_engine(w->base.app);
	j->step = w->step;
	j->row = row;
	j->kind = kind;
	j->target = kj_xstrdup(target);
	kj_strv_copy(&j->allowed, allowed);
	if (ui_app_job(w->base.app, &w->base, _("reading names from the cluster"), browse_run, browse_done,
	               j) != 0)
		browse_job_free(j);
}

void ui_wiz_pick_from_cluster(struct ui_wizard *w, int row, const char *target, int kind, const char *ns,
                              int multi)
{
	struct browse_job *j;

	if (!target || !*target) {
		ui_app_status(w->base.app, "%s", _("choose a target first"));
		return;
	}
	j = kj_xcalloc(1, sizeof(*j));
	j->eng = ui_app_worker_engine(w->base.app);
	j->step = w->step;
	j->row = row;
	j->kind = kind;
	j->multi = multi;
	j->target = kj_xstrdup(target);
	j->ns = ns && *ns ? kj_xstrdup(ns) : NULL;
	if (ui_app_job(w->base.app, &w->base, _("reading names from the cluster"), browse_run, browse_done,
	               j) != 0)
		browse_job_free(j);
}

int ui_wiz_read_file(const char *path, const char *what, char **out, kj_err *e)
{
	if (kj_file_read(path, 1u << 20, out, NULL, e) < 0) {
		kj_err_prefix(e, "%s", what);
		return kj_err_hint(e, "%s", _("type the path of a readable file"));
	}
	return 0;
}
