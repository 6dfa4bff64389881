/* audit: the audit log screen, newest first, refreshed while open. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/audit.h"
#include "engine/engine.h"
#include "ui/screens.h"
#include "ui/table.h"
#include "ui/text.h"
#include "ui/theme.h"
#include "util/i18n.h"
#include "util/strbuf.h"

enum { A_TIME, A_ACTOR, A_ACTION, A_SECRET, A_LEASE, A_RESULT, A_DETAIL, A_COUNT };

static const struct ui_table_col acols[A_COUNT] = {
    {N_("TIME (UTC)"), 19, 0, 1}, {N_("ACTOR"), 10, 1, 0}, {N_("ACTION"), 11, 0, 0}, {N_("SECRET"), 10, 1, 0},
    {N_("LEASE"), 8, 0, 0},       {N_("RESULT"), 6, 0, 0}, {N_("DETAIL"), 10, 3, 0},
};

struct audit {
	struct ui_screen base;
	struct ui_table *table;
	struct audit_entry *v;
	size_t n;
	char idbuf[32];
};

static void acell(void *ud, const void *row, int col, char *buf, size_t n)
{
	const struct audit_entry *a = row;

	(void)ud;
	buf[0] = '\0';
	switch (col) {
	case A_TIME:
		ui_fmt_time(a->time, buf, n);
		break;
	case A_ACTOR:
		snprintf(buf, n, "%s", a->actor ? a->actor : "");
		break;
	case A_ACTION:
		snprintf(buf, n, "%s", a->action ? a->action : "");
		break;
	case A_SECRET:
		snprintf(buf, n, "%s", a->secret ? a->secret : "");
		break;
	case A_LEASE:
		snprintf(buf, n, "%.8s", a->lease ? a->lease : "");
		break;
	case A_RESULT:
		snprintf(buf, n, "%s", a->ok ? _("ok") : _("error"));
		break;
	case A_DETAIL:
		snprintf(buf, n, "%s", a->detail ? a->detail : "");
		break;
	}
}

static int64_t anum(void *ud, const void *row, int col)
{
	(void)ud;
	(void)col;
	return ((const struct audit_entry *)row)->time;
}

static enum ui_role arole(void *ud, const void *row)
{
	(void)ud;
	return ((const struct audit_entry *)row)->ok ? R_NORMAL : R_ERROR;
}

static const char *aid(void *ud, const void *row)
{
	struct audit *au = ud;

	snprintf(au->idbuf, sizeof(au->idbuf), "%lld", (long long)((const struct audit_entry *)row)->id);
	return au->idbuf;
}

static const struct ui_table_ops aops = {acell, anum, arole, aid};

static void areload(struct audit *au)
{
	struct audit_filter f = {0};
	struct audit_entry *v = NULL;
	size_t n = 0;
	kj_err e;

	if (!ui_app_engine(au->base.app))
		return;
	kj_err_clear(&e);
	f.limit = 5000;
	if (audit_list(ui_app_engine(au->base.app), &f, &v, &n, &e) != 0) {
		ui_app_error(au->base.app, &e);
		return;
	}
	ui_table_set_rows(au->table, v, n, sizeof(*v));
	audit_list_free(au->v, au->n);
	au->v = v;
	au->n = n;
}

static void adraw(struct ui_screen *s, WINDOW *w, int y, int h, int cols)
{
	struct audit *au = (struct audit *)s;
	char line[160];

	snprintf(line, sizeof(line), _("%zu entries, newest first (mint, revoke, sweep, secret changes)"),
	         au->n);
	{
		int n = ui_put_wrap(w, y, 1, cols - 2, 0, 2, y + h, line, ui_attr(R_DIM));
		ui_table_draw(au->table, s->app, w, y + n, h - n, cols);
	}
}

static int akey(struct ui_screen *s, int ch, enum ui_action act)
{
	struct audit *au = (struct audit *)s;
	const struct audit_entry *a;

	if (ui_table_key(au->table, ch, act) == UI_HANDLED)
		return UI_HANDLED;
	if (act == ACT_ENTER && (a = ui_table_selected(au->table))) {
		kj_buf b;
		char tm[32];
		ui_fmt_time(a->time, tm, sizeof(tm));
		kj_buf_init(&b);
		kj_buf_printf(&b, "%s:\n", _("Audit entry"));
		kj_buf_printf(&b, "  %s %s UTC\n", ui_padded(_("time"), 10), tm);
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("actor"), 10), a->actor ? a->actor : "");
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("action"), 10), a->action ? a->action : "");
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("secret"), 10), a->secret ? a->secret : "-");
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("lease"), 10), a->lease ? a->lease : "-");
		kj_buf_printf(&b, "  %s %s\n", ui_padded(_("target"), 10), a->target ? a->target : "-");
		kj_buf_printf(&b, "  %s %s\n\n%s\n", ui_padded(_("result"), 10), a->ok ? _("ok") : _("error"),
		              a->detail ? a->detail : "");
		ui_app_push(s->app, ui_textview_new(s->app, _("Audit entry"), b.data, 0));
		kj_buf_done(&b);
		return UI_HANDLED;
	}
	return 0;
}

static void atick(struct ui_screen *s)
{
	struct audit *au = (struct audit *)s;
	static int every;

	/* the sweep appends rows while the screen is open */
	if (++every % 3 == 0 && !ui_table_filtering(au->table))
		areload(au);
}

static unsigned ascope(struct ui_screen *s)
{
	return ui_table_filtering(((struct audit *)s)->table) ? SC_FILTER : SC_AUDIT;
}

static void afree(struct ui_screen *s)
{
	struct audit *au = (struct audit *)s;

	ui_table_free(au->table);
	audit_list_free(au->v, au->n);
	free(au);
}

static const struct ui_screen_ops aops_screen = {
    .name = N_("Audit log"),
    .scope = SC_AUDIT,
    .draw = adraw,
    .key = akey,
    .tick = atick,
    .cur_scope = ascope,
    .free = afree,
};

struct ui_screen *ui_audit_new(struct ui_app *app)
{
	struct audit *au = kj_xcalloc(1, sizeof(*au));

	au->base.ops = &aops_screen;
	au->base.app = app;
	au->table = ui_table_new(acols, A_COUNT, &aops, au);
	ui_table_set_empty_text(au->table,
	                        _("The audit log is empty: nothing has been minted or revoked yet."));
	areload(au);
	return &au->base;
}
