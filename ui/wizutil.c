#include "ui/wizutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/secret.h"
#include "ui/dialog.h"
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
