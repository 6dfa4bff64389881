#include "ui/dialog.h"

#include <stdlib.h>
#include <string.h>

#include "ui/form.h"
#include "ui/text.h"
#include "ui/theme.h"
#include "util/i18n.h"
#include "util/strbuf.h"

enum dlg_kind { DLG_MESSAGE, DLG_CONFIRM, DLG_MENU, DLG_INPUT, DLG_MULTI };

struct dialog {
	struct ui_screen base;
	enum dlg_kind kind;
	char *title;
	char *text;
	int is_error;
	struct ui_screen *owner;
	void *ctx;
	ui_confirm_fn confirm;
	ui_menu_fn menu;
	ui_input_fn input;
	char **items;
	int nitems, sel, top;
	char *checked; /* DLG_MULTI: one flag per item */
	int yes;       /* confirm: focus on Yes */
	struct ui_field field;
	int scroll;
	char typed[32]; /* menu type-ahead: the letters typed so far */
	size_t ntyped;
	int64_t typed_at;
	int answered; /* the callback has run (or is about to) */
};

static void dlg_free(struct ui_screen *s)
{
	struct dialog *d = (struct dialog *)s;
	int i;

	/* Closed without an answer (the interface ends with the dialog open):
	 * the callback still runs, as a cancel with no owner, so that it frees
	 * its context (ui/dialog.h). */
	if (!d->answered) {
		d->answered = 1;
		if (d->kind == DLG_CONFIRM && d->confirm)
			d->confirm(NULL, d->ctx, 0);
		else if (d->kind == DLG_MENU && d->menu)
			d->menu(NULL, d->ctx, -1);
		else if ((d->kind == DLG_INPUT || d->kind == DLG_MULTI) && d->input)
			d->input(NULL, d->ctx, NULL);
	}
	free(d->title);
	free(d->text);
	for (i = 0; i < d->nitems; i++)
		free(d->items[i]);
	free(d->items);
	free(d->checked);
	ui_field_done(&d->field);
	free(d);
}

struct wrap_collect {
	char **lines;
	int n, cap;
};

static void collect(void *ctx, const char *p, size_t n)
{
	struct wrap_collect *c = ctx;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->lines = kj_xrealloc(c->lines, (size_t)c->cap * sizeof(char *));
	}
	c->lines[c->n++] = kj_xstrndup(p, n);
}

static void dlg_draw(struct ui_screen *s, WINDOW *w, int y, int h, int cols)
{
	struct dialog *d = (struct dialog *)s;
	struct wrap_collect wc = {0};
	int bw = cols - 8 > 70 ? 70 : cols - 8;
	int inner = bw - 4, bh, by, bx, i, row, extra = 0, maxtext;

	if (d->text)
		ui_text_wrap(d->text, inner, collect, &wc);
	if (d->kind == DLG_MENU || d->kind == DLG_MULTI)
		extra = d->nitems + 1 + (d->kind == DLG_MULTI);
	else if (d->kind == DLG_INPUT)
		extra = 2;
	else
		extra = 2;
	maxtext = h - 4 - extra;
	if ((d->kind == DLG_MENU || d->kind == DLG_MULTI) && maxtext < 2) {
		extra = h - 4 - 2;
		maxtext = 2;
	}
	if (maxtext < 1)
		maxtext = 1;
	bh = (wc.n < maxtext ? wc.n : maxtext) + extra + 2;
	if (bh > h)
		bh = h;
	by = y + (h - bh) / 2;
	bx = (cols - bw) / 2;
	for (i = 0; i < bh; i++)
		ui_put(w, by + i, bx, bw, "", A_NORMAL, 1);
	ui_box(w, by, bx, bh, bw, d->title);
	row = by + 1;
	if (d->scroll > wc.n - maxtext)
		d->scroll = wc.n - maxtext > 0 ? wc.n - maxtext : 0;
	for (i = d->scroll; i < wc.n && i - d->scroll < maxtext; i++)
		ui_put(w, row++, bx + 2, inner, wc.lines[i],
		       d->is_error && i == 0 ? ui_attr(R_ERROR) : A_NORMAL, 0);
	for (i = 0; i < wc.n; i++)
		free(wc.lines[i]);
	free(wc.lines);
	switch (d->kind) {
	case DLG_MESSAGE:
		row++;
		ui_put(w, row, bx + 2, inner, _("[ OK ]  (Enter)"), ui_attr(R_FOCUS), 0);
		break;
	case DLG_CONFIRM: {
		row++;
		ui_put(w, row, bx + 2, 9, _("[ Yes ]"), ui_attr(d->yes ? R_FOCUS : R_FIELD), 0);
		ui_put(w, row, bx + 12, 9, _("[ No ]"), ui_attr(d->yes ? R_FIELD : R_FOCUS), 0);
		ui_put(w, row, bx + 22, inner - 20, _("y/n, Enter, Esc"), ui_attr(R_DIM), 0);
		break;
	}
	case DLG_MENU: {
		int vis = by + bh - 1 - row;
		if (vis < 1)
			vis = 1;
		if (d->sel < d->top)
			d->top = d->sel;
		if (d->sel >= d->top + vis)
			d->top = d->sel - vis + 1;
		for (i = d->top; i < d->nitems && row < by + bh - 1; i++)
			ui_put_ellipsis(w, row++, bx + 2, inner, d->items[i],
			                i == d->sel ? ui_attr(R_SELECTED) : A_NORMAL, 1);
		break;
	}
	case DLG_INPUT:
		row++;
		ui_field_draw(&d->field, s->app, w, row, bx + 2, inner, 1);
		break;
	case DLG_MULTI: {
		int vis = by + bh - 2 - row;
		if (vis < 1)
			vis = 1;
		if (d->sel < d->top)
			d->top = d->sel;
		if (d->sel >= d->top + vis)
			d->top = d->sel - vis + 1;
		for (i = d->top; i < d->nitems && row < by + bh - 2; i++) {
			char line[300];
			snprintf(line, sizeof(line), "[%s] %s", d->checked[i] ? "x" : " ", d->items[i]);
			ui_put_ellipsis(w, row++, bx + 2, inner, line,
			                i == d->sel ? ui_attr(R_SELECTED) : A_NORMAL, 1);
		}
		ui_put(w, by + bh - 2, bx + 2, inner, _("Space checks, Enter accepts, Esc cancels"),
		       ui_attr(R_DIM), 0);
		break;
	}
	}
}

/* close first, then call back: the callback may push another dialog */
static void dlg_close(struct dialog *d, int result, const char *text)
{
	struct ui_app *app = d->base.app;
	struct ui_screen *owner = ui_app_on_stack(app, d->owner) ? d->owner : NULL;
	ui_confirm_fn cf = d->confirm;
	ui_menu_fn mf = d->menu;
	ui_input_fn inf = d->input;
	void *ctx = d->ctx;
	char *copy = text ? kj_xstrdup(text) : NULL;
	enum dlg_kind kind = d->kind;

	d->answered = 1;
	ui_app_pop(app);
	if (kind == DLG_CONFIRM && cf)
		cf(owner, ctx, result);
	else if (kind == DLG_MENU && mf)
		mf(owner, ctx, result);
	else if ((kind == DLG_INPUT || kind == DLG_MULTI) && inf)
		inf(owner, ctx, copy);
	kj_free_secret(copy);
}

/* Lists wrap at both ends; Home/End go to the first and last item. */
static int list_move(struct dialog *d, enum ui_action act)
{
	int n = d->nitems;

	if (n <= 0)
		return 0;
	if (act == ACT_DOWN)
		d->sel = (d->sel + 1) % n;
	else if (act == ACT_UP)
		d->sel = (d->sel + n - 1) % n;
	else if (act == ACT_PGDN)
		d->sel = d->sel + 10 < n ? d->sel + 10 : n - 1;
	else if (act == ACT_PGUP)
		d->sel = d->sel > 10 ? d->sel - 10 : 0;
	else if (act == ACT_HOME)
		d->sel = 0;
	else if (act == ACT_END)
		d->sel = n - 1;
	else
		return 0;
	d->ntyped = 0;
	return 1;
}

static int starts_with(const char *item, const char *typed, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!item[i] || ((unsigned char)item[i] | 0x20) != ((unsigned char)typed[i] | 0x20))
			return 0;
	return 1;
}

/* Typing selects: the letters typed within a second form a prefix ("pods"
 * picks pods-read-only over pod-logs-reader); the same letter again steps
 * to the next item starting with it. */
static void type_ahead(struct dialog *d, int c)
{
	int64_t now = ui_app_now(d->base.app);
	int i, same = 1;
	size_t k;

	if (c > 0x7f || d->nitems <= 0)
		return;
	if (now - d->typed_at > 1 || d->ntyped + 1 >= sizeof(d->typed))
		d->ntyped = 0;
	d->typed_at = now;
	d->typed[d->ntyped++] = (char)c;
	for (k = 1; k < d->ntyped; k++)
		if ((d->typed[k] | 0x20) != (d->typed[0] | 0x20))
			same = 0;
	if (!same)
		for (i = 0; i < d->nitems; i++) {
			int at = (d->sel + i) % d->nitems;
			if (starts_with(d->items[at], d->typed, d->ntyped)) {
				d->sel = at;
				return;
			}
		}
	/* a new first letter, or the same one again: the next item with it */
	if (!same) {
		d->typed[0] = (char)c;
		d->ntyped = 1;
	}
	for (i = 1; i <= d->nitems; i++) {
		int at = (d->sel + i) % d->nitems;
		if (starts_with(d->items[at], d->typed, 1)) {
			d->sel = at;
			return;
		}
	}
}

/* The keys come as actions of the dialog's scope in the key table
 * (ui/keys.c); only text (type-ahead, the input line) is read from ch. */
static int dlg_key(struct ui_screen *s, int ch, enum ui_action act)
{
	struct dialog *d = (struct dialog *)s;

	if (act == ACT_REDRAW)
		return 0;
	switch (d->kind) {
	case DLG_MESSAGE:
		if (act == ACT_BACK)
			dlg_close(d, 0, NULL);
		else if (act == ACT_DOWN)
			d->scroll++;
		else if (act == ACT_UP && d->scroll > 0)
			d->scroll--;
		return UI_HANDLED;
	case DLG_CONFIRM:
		if (act == ACT_YES)
			dlg_close(d, 1, NULL);
		else if (act == ACT_NO)
			dlg_close(d, 0, NULL);
		else if (act == ACT_ENTER)
			dlg_close(d, d->yes, NULL);
		else if (act == ACT_TOGGLE)
			d->yes = !d->yes;
		return UI_HANDLED;
	case DLG_MENU:
		if (list_move(d, act))
			return UI_HANDLED;
		if (act == ACT_ENTER && d->nitems) {
			dlg_close(d, d->sel, NULL);
		} else if (act == ACT_BACK) {
			dlg_close(d, -1, NULL);
		} else if (act == ACT_NONE && ui_key_char(ch)) {
			type_ahead(d, ui_key_char(ch));
		}
		return UI_HANDLED;
	case DLG_MULTI:
		if (list_move(d, act))
			return UI_HANDLED;
		if (act == ACT_SPACE && d->nitems) {
			d->checked[d->sel] = !d->checked[d->sel];
		} else if (act == ACT_ENTER) {
			kj_buf b;
			int i;
			kj_buf_init(&b);
			for (i = 0; i < d->nitems; i++)
				if (d->checked[i])
					kj_buf_printf(&b, "%s%s", b.len ? ", " : "", d->items[i]);
			{
				char *res = kj_buf_steal(&b);
				dlg_close(d, 0, res);
				free(res);
			}
		} else if (act == ACT_BACK) {
			dlg_close(d, 0, NULL);
		}
		return UI_HANDLED;
	case DLG_INPUT:
		if (act == ACT_ENTER)
			dlg_close(d, 0, d->field.buf);
		else if (act == ACT_BACK)
			dlg_close(d, 0, NULL);
		else
			ui_field_key(&d->field, ch);
		return UI_HANDLED;
	}
	return UI_HANDLED;
}

static unsigned dlg_scope(struct ui_screen *s)
{
	static const unsigned scopes[] = {
	    [DLG_MESSAGE] = SC_MESSAGE, [DLG_CONFIRM] = SC_CONFIRM, [DLG_MENU] = SC_MENU,
	    [DLG_INPUT] = SC_INPUT,     [DLG_MULTI] = SC_CHECKLIST,
	};

	return scopes[((struct dialog *)s)->kind];
}

static const struct ui_screen_ops dlg_ops = {
    .name = N_("Dialog"),
    .scope = SC_MESSAGE,
    .draw = dlg_draw,
    .key = dlg_key,
    .cur_scope = dlg_scope,
    .free = dlg_free,
};

static struct dialog *dlg_new(struct ui_app *app, enum dlg_kind kind, const char *title, const char *text)
{
	struct dialog *d = kj_xcalloc(1, sizeof(*d));

	d->base.ops = &dlg_ops;
	d->base.overlay = 1;
	d->kind = kind;
	d->title = kj_xstrdup(title ? title : "");
	d->text = text ? kj_xstrdup(text) : NULL;
	ui_field_init(&d->field, "", 0);
	(void)app;
	return d;
}

void ui_dialog_message(struct ui_app *app, const char *title, const char *text)
{
	ui_app_push(app, &dlg_new(app, DLG_MESSAGE, title, text)->base);
}

void ui_dialog_error(struct ui_app *app, const kj_err *e)
{
	char *text;
	struct dialog *d;

	if (e->hint[0])
		text = kj_xasprintf("%s\n\n%s %s", e->msg[0] ? e->msg : kj_err_class_name(e->cls), _("Hint:"),
		                    e->hint);
	else
		text = kj_xasprintf("%s", e->msg[0] ? e->msg : kj_err_class_name(e->cls));
	d = dlg_new(app, DLG_MESSAGE, _("Error"), text);
	d->is_error = 1;
	free(text);
	ui_app_push(app, &d->base);
}

void ui_dialog_confirm(struct ui_app *app, struct ui_screen *owner, const char *title, const char *text,
                       ui_confirm_fn fn, void *ctx)
{
	struct dialog *d = dlg_new(app, DLG_CONFIRM, title, text);

	d->owner = owner;
	d->confirm = fn;
	d->ctx = ctx;
	d->yes = 0; /* destructive questions default to No */
	ui_app_push(app, &d->base);
}

void ui_dialog_menu(struct ui_app *app, struct ui_screen *owner, const char *title, const char *const *items,
                    int n, int selected, ui_menu_fn fn, void *ctx)
{
	struct dialog *d = dlg_new(app, DLG_MENU, title, NULL);
	int i;

	d->owner = owner;
	d->menu = fn;
	d->ctx = ctx;
	d->items = n ? kj_xcalloc((size_t)n, sizeof(char *)) : NULL;
	for (i = 0; i < n; i++)
		d->items[i] = kj_xstrdup(items[i]);
	d->nitems = n;
	d->sel = selected >= 0 && selected < n ? selected : 0;
	ui_app_push(app, &d->base);
}

void ui_dialog_multi(struct ui_app *app, struct ui_screen *owner, const char *title, const char *const *items,
                     int n, const char *checked_csv, ui_input_fn fn, void *ctx)
{
	struct dialog *d = dlg_new(app, DLG_MULTI, title, NULL);
	int i;

	d->owner = owner;
	d->input = fn;
	d->ctx = ctx;
	d->items = n ? kj_xcalloc((size_t)n, sizeof(char *)) : NULL;
	d->checked = kj_xcalloc((size_t)n + 1, 1);
	for (i = 0; i < n; i++) {
		const char *p = checked_csv;
		size_t len = strlen(items[i]);
		d->items[i] = kj_xstrdup(items[i]);
		/* checked when it appears as a whole item of the list */
		while (p && (p = strstr(p, items[i]))) {
			int start = p == checked_csv || p[-1] == ',' || p[-1] == ' ';
			int end = p[len] == '\0' || p[len] == ',' || p[len] == ' ';
			if (start && end) {
				d->checked[i] = 1;
				break;
			}
			p += len;
		}
	}
	d->nitems = n;
	ui_app_push(app, &d->base);
}

void ui_dialog_input(struct ui_app *app, struct ui_screen *owner, const char *title, const char *prompt,
                     const char *initial, int masked, ui_input_fn fn, void *ctx)
{
	struct dialog *d = dlg_new(app, DLG_INPUT, title, prompt);

	d->owner = owner;
	d->input = fn;
	d->ctx = ctx;
	ui_field_done(&d->field);
	ui_field_init(&d->field, initial, masked);
	ui_app_push(app, &d->base);
}

void ui_progress_draw(WINDOW *w, int y, int x, int cols, int done, int total)
{
	char label[32];
	int bar, fill, i, lw;

	snprintf(label, sizeof(label), " %d/%d", done, total);
	lw = (int)strlen(label);
	bar = cols - lw;
	if (bar < 1)
		return;
	fill = total > 0 ? (int)((long)bar * done / total) : 0;
	wmove(w, y, x);
	for (i = 0; i < bar; i++)
		waddstr(w, ui_glyph(i < fill ? G_BAR_FULL : G_BAR_EMPTY));
	waddstr(w, label);
}
