#include "ui/form.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui/text.h"
#include "ui/theme.h"
#include "util/i18n.h"
#include "util/strbuf.h"

#define CTRL(c) ((c)&0x1f)

void ui_field_init(struct ui_field *f, const char *initial, int masked)
{
	memset(f, 0, sizeof(*f));
	f->masked = masked;
	f->cap = 64;
	f->buf = kj_xcalloc(1, f->cap);
	ui_field_set(f, initial);
}

void ui_field_done(struct ui_field *f)
{
	if (f->buf) {
		kj_wipe(f->buf, f->cap);
		free(f->buf);
	}
	memset(f, 0, sizeof(*f));
}

static void field_reserve(struct ui_field *f, size_t need)
{
	char *nb;

	if (need < f->cap)
		return;
	/* grow by copy so a masked value never lingers in freed memory */
	while (f->cap <= need)
		f->cap *= 2;
	nb = kj_xcalloc(1, f->cap);
	memcpy(nb, f->buf, f->len + 1);
	kj_wipe(f->buf, f->len);
	free(f->buf);
	f->buf = nb;
}

void ui_field_set(struct ui_field *f, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	field_reserve(f, n + 1);
	kj_wipe(f->buf, f->len);
	if (n)
		memcpy(f->buf, s, n);
	f->buf[n] = '\0';
	f->len = n;
	f->cur = n;
}

static void field_insert(struct ui_field *f, const char *p, size_t n)
{
	field_reserve(f, f->len + n + 1);
	memmove(f->buf + f->cur + n, f->buf + f->cur, f->len - f->cur + 1);
	memcpy(f->buf + f->cur, p, n);
	f->len += n;
	f->cur += n;
}

static void field_delete(struct ui_field *f, size_t from, size_t to)
{
	memmove(f->buf + from, f->buf + to, f->len - to + 1);
	f->len -= to - from;
	f->cur = from;
}

int ui_field_key(struct ui_field *f, int ch)
{
	int c = ui_key_char(ch);

	if (c) {
		char mb[MB_LEN_MAX];
		mbstate_t st;
		size_t n;

		memset(&st, 0, sizeof(st));
		n = wcrtomb(mb, (wchar_t)c, &st);
		if (n == (size_t)-1) {
			mb[0] = '?';
			n = 1;
		}
		field_insert(f, mb, n);
		return UI_HANDLED;
	}
	switch (ch) {
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (f->cur > 0)
			field_delete(f, ui_text_prev(f->buf, f->cur), f->cur);
		return UI_HANDLED;
	case KEY_DC:
		if (f->cur < f->len) {
			size_t nx = ui_text_next(f->buf, f->len, f->cur);
			size_t keep = f->cur;
			field_delete(f, f->cur, nx);
			f->cur = keep;
		}
		return UI_HANDLED;
	case KEY_LEFT:
		f->cur = ui_text_prev(f->buf, f->cur);
		return UI_HANDLED;
	case KEY_RIGHT:
		f->cur = ui_text_next(f->buf, f->len, f->cur);
		return UI_HANDLED;
	case KEY_HOME:
	case CTRL('a'):
		f->cur = 0;
		return UI_HANDLED;
	case KEY_END:
	case CTRL('e'):
		f->cur = f->len;
		return UI_HANDLED;
	case CTRL('u'):
		field_delete(f, 0, f->cur);
		return UI_HANDLED;
	case CTRL('w'): {
		size_t p = f->cur;
		while (p > 0 && f->buf[p - 1] == ' ')
			p--;
		while (p > 0 && f->buf[p - 1] != ' ')
			p--;
		field_delete(f, p, f->cur);
		return UI_HANDLED;
	}
	default:
		return 0;
	}
}

void ui_field_draw(struct ui_field *f, struct ui_app *app, WINDOW *w, int y, int x, int cols, int focused)
{
	char *shown;
	size_t start = 0;
	int curcol;
	chtype at = ui_attr(focused ? R_FOCUS : R_FIELD);

	if (cols < 2)
		return;
	if (f->masked) {
		/* one bullet per character, never the value */
		kj_buf b;
		size_t i;
		kj_buf_init(&b);
		for (i = 0; i < f->len; i = ui_text_next(f->buf, f->len, i))
			kj_buf_adds(&b, ui_glyph(G_BULLET));
		shown = kj_buf_steal(&b);
		{
			/* cursor column = bullets before the cursor */
			size_t k;
			curcol = 0;
			for (k = 0; k < f->cur; k = ui_text_next(f->buf, f->len, k))
				curcol++;
		}
	} else {
		char save = f->buf[f->cur];
		f->buf[f->cur] = '\0';
		curcol = ui_text_width(f->buf);
		f->buf[f->cur] = save;
		shown = kj_xstrdup(f->buf);
	}
	/* scroll horizontally so the cursor stays visible */
	while (curcol >= cols - 1 && shown[start]) {
		size_t nx = ui_text_next(shown, strlen(shown), start);
		char save = shown[nx];
		shown[nx] = '\0';
		curcol -= ui_text_width(shown + start);
		shown[nx] = save;
		start = nx;
	}
	ui_put(w, y, x, cols, shown + start, at, 1);
	if (focused)
		ui_app_cursor(app, y, x + curcol);
	free(shown);
}

/* ---- form ---- */

void ui_form_init(struct ui_form *f)
{
	memset(f, 0, sizeof(*f));
}

static void row_done(struct ui_form_row *r)
{
	int i;

	free(r->label);
	free(r->help);
	free(r->error);
	ui_field_done(&r->field);
	for (i = 0; i < r->nchoices; i++)
		free(r->choices[i]);
	free(r->choices);
	memset(r, 0, sizeof(*r));
}

void ui_form_done(struct ui_form *f)
{
	int i;

	for (i = 0; i < f->n; i++)
		row_done(&f->rows[i]);
	f->n = 0;
}

void ui_form_clear(struct ui_form *f)
{
	ui_form_done(f);
	ui_form_init(f);
}

static struct ui_form_row *add_row(struct ui_form *f, enum ui_row_kind kind, const char *label,
                                   const char *help)
{
	struct ui_form_row *r;

	if (f->n == UI_FORM_MAX)
		abort(); /* a programming error: forms are static */
	r = &f->rows[f->n++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->label = kj_xstrdup(label ? label : "");
	r->help = help ? kj_xstrdup(help) : NULL;
	ui_field_init(&r->field, "", kind == ROW_MASKED);
	return r;
}

int ui_form_text(struct ui_form *f, const char *label, const char *value, const char *help)
{
	struct ui_form_row *r = add_row(f, ROW_TEXT, label, help);
	ui_field_set(&r->field, value);
	return f->n - 1;
}

int ui_form_masked(struct ui_form *f, const char *label, const char *help)
{
	add_row(f, ROW_MASKED, label, help);
	return f->n - 1;
}

void ui_form_set_choices(struct ui_form *f, int row, const char *const *choices, int n, int sel)
{
	struct ui_form_row *r = &f->rows[row];
	int i;

	for (i = 0; i < r->nchoices; i++)
		free(r->choices[i]);
	free(r->choices);
	r->choices = n ? kj_xcalloc((size_t)n, sizeof(char *)) : NULL;
	for (i = 0; i < n; i++)
		r->choices[i] = kj_xstrdup(choices[i]);
	r->nchoices = n;
	r->choice = sel >= 0 && sel < n ? sel : 0;
}

int ui_form_choice(struct ui_form *f, const char *label, const char *const *choices, int n, int sel,
                   const char *help)
{
	add_row(f, ROW_CHOICE, label, help);
	ui_form_set_choices(f, f->n - 1, choices, n, sel);
	return f->n - 1;
}

int ui_form_check(struct ui_form *f, const char *label, int checked, const char *help)
{
	struct ui_form_row *r = add_row(f, ROW_CHECK, label, help);
	r->checked = checked;
	return f->n - 1;
}

int ui_form_note(struct ui_form *f, const char *text)
{
	add_row(f, ROW_NOTE, text, NULL);
	return f->n - 1;
}

const char *ui_form_value(const struct ui_form *f, int row)
{
	const struct ui_form_row *r = &f->rows[row];

	if (r->kind == ROW_CHOICE)
		return r->nchoices ? r->choices[r->choice] : "";
	if (r->kind == ROW_CHECK)
		return r->checked ? "yes" : "no";
	return r->field.buf;
}

void ui_form_set_value(struct ui_form *f, int row, const char *value)
{
	struct ui_form_row *r = &f->rows[row];
	int i;

	if (r->kind == ROW_CHOICE) {
		for (i = 0; i < r->nchoices; i++)
			if (!strcmp(r->choices[i], value))
				r->choice = i;
		return;
	}
	ui_field_set(&r->field, value);
}

void ui_form_set_error(struct ui_form *f, int row, const char *msg)
{
	free(f->rows[row].error);
	f->rows[row].error = msg ? kj_xstrdup(msg) : NULL;
	if (msg)
		f->focus = row;
}

void ui_form_clear_errors(struct ui_form *f)
{
	int i;

	for (i = 0; i < f->n; i++) {
		free(f->rows[i].error);
		f->rows[i].error = NULL;
	}
}

static int focusable(const struct ui_form_row *r)
{
	return r->kind != ROW_NOTE && !r->hidden;
}

void ui_form_focus_first(struct ui_form *f)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (focusable(&f->rows[i])) {
			f->focus = i;
			return;
		}
}

static int move_focus(struct ui_form *f, int dir)
{
	int i = f->focus;

	do {
		i += dir;
	} while (i >= 0 && i < f->n && !focusable(&f->rows[i]));
	if (i < 0 || i >= f->n)
		return -1;
	f->focus = i;
	return 0;
}

void ui_form_set_hidden(struct ui_form *f, int row, int hidden)
{
	if (row < 0 || row >= f->n)
		return;
	f->rows[row].hidden = hidden;
	if (hidden && f->focus == row && move_focus(f, 1) != 0)
		move_focus(f, -1);
}

int ui_form_key(struct ui_form *f, int ch, enum ui_action act)
{
	struct ui_form_row *r;

	if (!f->n)
		return 0;
	r = &f->rows[f->focus];
	if (act == ACT_NEXT) {
		move_focus(f, 1);
		return UI_HANDLED;
	}
	if (act == ACT_PREV) {
		move_focus(f, -1);
		return UI_HANDLED;
	}
	switch (r->kind) {
	case ROW_TEXT:
	case ROW_MASKED:
		if (act == ACT_PICK && r->pick) {
			f->pick_requested = 1;
			return UI_HANDLED;
		}
		if ((act == ACT_LEFT || act == ACT_RIGHT) && r->unit_row > 0 && r->unit_row < f->n) {
			/* a number with its unit on the next row: the arrows change the
			 * unit, which is what the number's hint promises */
			struct ui_form_row *u = &f->rows[r->unit_row];
			if (u->nchoices)
				u->choice =
				    (u->choice + (act == ACT_LEFT ? u->nchoices - 1 : 1)) % u->nchoices;
			return UI_HANDLED;
		}
		return ui_field_key(&r->field, ch);
	case ROW_CHOICE:
		if (!r->nchoices)
			return 0;
		if (act == ACT_LEFT) {
			r->choice = (r->choice + r->nchoices - 1) % r->nchoices;
			return UI_HANDLED;
		}
		if (act == ACT_RIGHT) {
			r->choice = (r->choice + 1) % r->nchoices;
			return UI_HANDLED;
		}
		if (act == ACT_SPACE || act == ACT_PICK) {
			f->pick_requested = 1;
			return UI_HANDLED;
		}
		return 0;
	case ROW_CHECK:
		if (act == ACT_SPACE || act == ACT_LEFT || act == ACT_RIGHT) {
			r->checked = !r->checked;
			return UI_HANDLED;
		}
		return 0;
	default:
		return 0;
	}
}

/* errors wrap over at most three lines under their field */
struct err_wrap {
	WINDOW *w;
	int y, x, cols, maxy, n;
};

static void err_line(void *ctx, const char *p, size_t n)
{
	struct err_wrap *c = ctx;
	char buf[1200];

	if (c->y >= c->maxy || c->n >= 3)
		return;
	snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
	ui_put(c->w, c->y++, c->x, c->cols, buf, ui_attr(R_ERROR), 0);
	c->n++;
}

static void note_line(void *ctx, const char *p, size_t n)
{
	struct err_wrap *c = ctx;
	char buf[1200];

	if (c->y >= c->maxy || c->n >= 3)
		return;
	snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
	ui_put(c->w, c->y++, c->x, c->cols, buf, ui_attr(R_DIM) | A_BOLD, 0);
	c->n++;
}

int ui_form_draw(struct ui_form *f, struct ui_app *app, WINDOW *w, int y, int h, int cols)
{
	int i, row = y, lw = 0;
	int need_focus;

	for (i = 0; i < f->n; i++)
		if (focusable(&f->rows[i])) {
			int lwi = ui_text_width(f->rows[i].label);
			if (lwi > lw)
				lw = lwi;
		}
	if (lw > cols / 3)
		lw = cols / 3;
	/* keep the focused row on screen: each row takes 1 line, + error/help lines */
	if (f->focus < f->top)
		f->top = f->focus;
	need_focus = 1;
	while (need_focus && f->top < f->focus) {
		int lines = 0, hl;
		for (i = f->top; i <= f->focus; i++)
			if (!f->rows[i].hidden)
				lines += 1 + (f->rows[i].error ? 3 : 0);
		hl = f->rows[f->focus].help
		         ? ui_wrap_lines(f->rows[f->focus].help, cols - (2 + lw + 2) - 1, 0)
		         : 0;
		lines += hl > 3 ? 3 : hl; /* the focused row's help */
		if (lines <= h)
			need_focus = 0;
		else
			f->top++;
	}
	for (i = f->top; i < f->n && row < y + h; i++) {
		struct ui_form_row *r = &f->rows[i];
		int focused = i == f->focus;
		int vx = 2 + lw + 2, vw = cols - vx - 2;

		if (r->hidden)
			continue;
		if (r->kind == ROW_NOTE) {
			struct err_wrap ew = {w, row, 2, cols - 4, y + h, -2};
			ui_text_wrap(r->label, cols - 4, note_line, &ew);
			row = ew.y;
			continue;
		}
		ui_put(w, row, 2, lw + 1, r->label, focused ? A_BOLD : A_NORMAL, 0);
		switch (r->kind) {
		case ROW_TEXT:
		case ROW_MASKED:
			ui_field_draw(&r->field, app, w, row, vx, vw, focused);
			break;
		case ROW_CHOICE: {
			char buf[512];
			snprintf(buf, sizeof(buf), "< %s >",
			         r->nchoices ? r->choices[r->choice] : _("(none)"));
			ui_put(w, row, vx, vw, buf, ui_attr(focused ? R_FOCUS : R_FIELD), 0);
			break;
		}
		case ROW_CHECK:
			ui_put(w, row, vx, vw, r->checked ? "[x]" : "[ ]",
			       ui_attr(focused ? R_FOCUS : R_FIELD), 0);
			break;
		default:
			break;
		}
		row++;
		if (r->error && row < y + h) {
			char buf[1200];
			struct err_wrap ew = {w, row, vx, cols - vx - 1, y + h, 0};
			snprintf(buf, sizeof(buf), "%s %s", ui_glyph(G_CROSS), r->error);
			ui_text_wrap(buf, cols - vx - 1, err_line, &ew);
			row = ew.y;
		}
		if (focused && r->help && row < y + h)
			row += ui_put_wrap(w, row, vx, cols - vx - 1, 0, 3, y + h, r->help, ui_attr(R_DIM));
	}
	return row - y;
}
