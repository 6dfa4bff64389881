#include "ui/table.h"

#include <stdlib.h>
#include <string.h>

#include "ui/text.h"
#include "util/i18n.h"
#include "util/strbuf.h"

struct ui_table {
	const struct ui_table_col *cols;
	int ncols;
	const struct ui_table_ops *ops;
	void *ud;
	const char *rows;
	size_t nrows, elem;
	size_t *idx; /* shown rows */
	size_t nidx;
	size_t sel, top;
	int sort_col, sort_rev;
	struct ui_field filter;
	int filtering;
	char *sel_id;
	char *empty;
	int page;                          /* rows per page at the last draw */
	const struct ui_table_source *src; /* rows from a source instead of rows/idx */
	void *src_ud;
	char *tip_id; /* the row whose cut-off cells the status line last showed */
	char *cells;  /* the cells on screen, formatted once per draw (CELL_MAX each) */
	size_t cells_cap;
};

/* Bytes kept of a cell's text. */
#define CELL_MAX 512

struct ui_table *ui_table_new(const struct ui_table_col *cols, int ncols, const struct ui_table_ops *ops,
                              void *ud)
{
	struct ui_table *t = kj_xcalloc(1, sizeof(*t));

	t->cols = cols;
	t->ncols = ncols;
	t->ops = ops;
	t->ud = ud;
	t->sort_col = -1;
	t->page = 10;
	ui_field_init(&t->filter, "", 0);
	return t;
}

void ui_table_free(struct ui_table *t)
{
	if (!t)
		return;
	free(t->idx);
	free(t->sel_id);
	free(t->empty);
	free(t->tip_id);
	free(t->cells);
	ui_field_done(&t->filter);
	free(t);
}

static void move_sel(struct ui_table *t, long d);

static const void *row_at(const struct ui_table *t, size_t i)
{
	return t->rows + i * t->elem;
}

/* Row i of those shown, in the order shown. */
static const void *shown(const struct ui_table *t, size_t i)
{
	if (t->src)
		return t->src->row(t->src_ud, i);
	return row_at(t, t->idx[i]);
}

static void remember_sel(struct ui_table *t)
{
	const void *r = ui_table_selected(t);

	if (r) {
		free(t->sel_id);
		t->sel_id = kj_xstrdup(t->ops->id(t->ud, r));
	}
}

/* qsort has no context argument: sort through file-scope pointers (main
 * thread only).  Text columns are formatted once per sort, not per
 * comparison: with 100,000 rows that is the difference between 0.5 s and
 * a few tens of milliseconds. */
static struct ui_table *sorting;
static char **sort_keys;

static int cmp_rows(const void *a, const void *b)
{
	struct ui_table *t = sorting;
	const void *ra = row_at(t, *(const size_t *)a), *rb = row_at(t, *(const size_t *)b);
	int c = 0;

	if (t->cols[t->sort_col].numeric && t->ops->num) {
		int64_t x = t->ops->num(t->ud, ra, t->sort_col), y = t->ops->num(t->ud, rb, t->sort_col);
		c = x < y ? -1 : x > y;
	} else {
		c = strcmp(sort_keys[*(const size_t *)a], sort_keys[*(const size_t *)b]);
	}
	if (c == 0) /* stable: keep the caller's order */
		c = *(const size_t *)a < *(const size_t *)b ? -1 : 1;
	else if (t->sort_rev)
		c = -c;
	return c;
}

static int row_matches(struct ui_table *t, const void *r)
{
	int c;
	char buf[512];

	if (!t->filter.len)
		return 1;
	for (c = 0; c < t->ncols; c++) {
		t->ops->cell(t->ud, r, c, buf, sizeof(buf));
		if (ui_text_contains(buf, t->filter.buf))
			return 1;
	}
	return ui_text_contains(t->ops->id(t->ud, r), t->filter.buf);
}

void ui_table_refilter(struct ui_table *t)
{
	size_t i;

	if (t->src) {
		long pos;
		t->nidx = t->src->query(t->src_ud, t->filter.buf, t->sort_col, t->sort_rev, &t->nrows);
		t->sel = 0;
		if (t->sel_id && (pos = t->src->find(t->src_ud, t->sel_id)) >= 0 && (size_t)pos < t->nidx)
			t->sel = (size_t)pos;
		return;
	}
	free(t->idx);
	t->idx = t->nrows ? kj_xmalloc(t->nrows * sizeof(size_t)) : NULL;
	t->nidx = 0;
	for (i = 0; i < t->nrows; i++)
		if (row_matches(t, row_at(t, i)))
			t->idx[t->nidx++] = i;
	if (t->sort_col >= 0 && t->nidx > 1) {
		int text = !(t->cols[t->sort_col].numeric && t->ops->num);
		if (text) {
			char buf[256];
			sort_keys = kj_xcalloc(t->nrows, sizeof(char *));
			for (i = 0; i < t->nidx; i++) {
				t->ops->cell(t->ud, row_at(t, t->idx[i]), t->sort_col, buf, sizeof(buf));
				sort_keys[t->idx[i]] = kj_xstrdup(buf);
			}
		}
		sorting = t;
		qsort(t->idx, t->nidx, sizeof(size_t), cmp_rows);
		sorting = NULL;
		if (text) {
			for (i = 0; i < t->nidx; i++)
				free(sort_keys[t->idx[i]]);
			free(sort_keys);
			sort_keys = NULL;
		}
	}
	t->sel = 0;
	if (t->sel_id)
		for (i = 0; i < t->nidx; i++)
			if (!strcmp(t->ops->id(t->ud, row_at(t, t->idx[i])), t->sel_id)) {
				t->sel = i;
				break;
			}
}

void ui_table_set_source(struct ui_table *t, const struct ui_table_source *src, void *src_ud)
{
	free(t->idx);
	t->idx = NULL;
	t->src = src;
	t->src_ud = src_ud;
	ui_table_refilter(t);
}

void ui_table_set_rows(struct ui_table *t, const void *rows, size_t n, size_t elem)
{
	t->rows = rows;
	t->nrows = n;
	t->elem = elem;
	ui_table_refilter(t);
}

const void *ui_table_selected(const struct ui_table *t)
{
	return t->nidx ? shown(t, t->sel) : NULL;
}

size_t ui_table_count(const struct ui_table *t)
{
	return t->nidx;
}

const void *ui_table_row(const struct ui_table *t, size_t i)
{
	return i < t->nidx ? shown(t, i) : NULL;
}

const char *ui_table_filter(const struct ui_table *t)
{
	return t->filter.buf;
}

void ui_table_set_filter(struct ui_table *t, const char *f)
{
	ui_field_set(&t->filter, f);
	remember_sel(t);
	ui_table_refilter(t);
}

void ui_table_set_sort(struct ui_table *t, int col, int reverse)
{
	remember_sel(t);
	t->sort_col = col;
	t->sort_rev = reverse;
	ui_table_refilter(t);
}

int ui_table_select(struct ui_table *t, const char *id)
{
	size_t i;

	if (t->src) {
		long pos = t->src->find(t->src_ud, id);
		if (pos < 0 || (size_t)pos >= t->nidx)
			return -1;
		t->sel = (size_t)pos;
		remember_sel(t);
		return 0;
	}
	for (i = 0; i < t->nidx; i++)
		if (!strcmp(t->ops->id(t->ud, row_at(t, t->idx[i])), id)) {
			t->sel = i;
			remember_sel(t);
			return 0;
		}
	return -1;
}

void ui_table_move(struct ui_table *t, long d)
{
	move_sel(t, d);
}

void ui_table_set_empty_text(struct ui_table *t, const char *text)
{
	free(t->empty);
	t->empty = kj_xstrdup(text);
}

int ui_table_filtering(const struct ui_table *t)
{
	return t->filtering;
}

static void move_sel(struct ui_table *t, long d)
{
	long s = (long)t->sel + d;

	if (!t->nidx)
		return;
	if (s < 0)
		s = 0;
	if (s >= (long)t->nidx)
		s = (long)t->nidx - 1;
	t->sel = (size_t)s;
	remember_sel(t);
}

int ui_table_key(struct ui_table *t, int ch, enum ui_action act)
{
	if (t->filtering) {
		/* looked up here, not taken from the screen: printable keys are
		 * text on the filter line whatever the screen binds them to */
		enum ui_action fa = ui_keys_lookup(ch, SC_FILTER);

		if (fa == ACT_ENTER) {
			t->filtering = 0;
		} else if (fa == ACT_BACK) {
			t->filtering = 0;
			ui_table_set_filter(t, "");
		} else if (fa == ACT_UP || fa == ACT_DOWN) {
			move_sel(t, fa == ACT_UP ? -1 : 1);
		} else {
			ui_field_key(&t->filter, ch);
			remember_sel(t);
			ui_table_refilter(t);
		}
		return UI_HANDLED;
	}
	switch (act) {
	case ACT_UP:
		move_sel(t, -1);
		return UI_HANDLED;
	case ACT_DOWN:
		move_sel(t, 1);
		return UI_HANDLED;
	case ACT_PGUP:
		move_sel(t, -t->page);
		return UI_HANDLED;
	case ACT_PGDN:
		move_sel(t, t->page);
		return UI_HANDLED;
	case ACT_HOME:
		move_sel(t, -(long)t->nidx);
		return UI_HANDLED;
	case ACT_END:
		move_sel(t, (long)t->nidx);
		return UI_HANDLED;
	case ACT_SORT:
		ui_table_set_sort(t, (t->sort_col + 1) % t->ncols, 0);
		return UI_HANDLED;
	case ACT_SORT_REVERSE:
		ui_table_set_sort(t, t->sort_col < 0 ? 0 : t->sort_col, !t->sort_rev);
		return UI_HANDLED;
	case ACT_FILTER:
		t->filtering = 1;
		return UI_HANDLED;
	case ACT_BACK:
		/* Esc first clears a filter, then goes back */
		if (t->filter.len) {
			ui_table_set_filter(t, "");
			return UI_HANDLED;
		}
		return 0;
	default:
		return 0;
	}
}

/* Column widths: every header whole (translated headers differ in length:
 * MODE is MODUS in German) and every value of the rows on screen whole when
 * the width allows; the spare goes to the flexible columns.  When it does
 * not fit, the flexible columns give up their longest values first, down to
 * their header or minimum; past that, columns shrink from the right. */
static void layout(const struct ui_table *t, int cols, size_t first, size_t nrows, int *w, char *cells,
                   const char *const *title)
{
	int need[32], want[32], i, sum = 0, flex = 0, spare;
	size_t r;

	for (i = 0; i < t->ncols; i++) {
		int hw = ui_text_width(title[i]) + (i == t->sort_col);
		need[i] = t->cols[i].min > hw ? t->cols[i].min : hw;
		want[i] = need[i];
		flex += t->cols[i].flex;
	}
	for (r = first; r < t->nidx && r < first + nrows; r++) {
		const void *row = shown(t, r);
		for (i = 0; i < t->ncols; i++) {
			/* kept for the draw: each cell is formatted once */
			char *buf = cells + ((r - first) * (size_t)t->ncols + (size_t)i) * CELL_MAX;
			int vw;
			t->ops->cell(t->ud, row, i, buf, CELL_MAX);
			vw = ui_text_width(buf);
			if (vw > want[i])
				want[i] = vw;
		}
	}
	for (i = 0; i < t->ncols; i++) {
		/* short fixed columns (times, states) get their values first */
		w[i] = t->cols[i].flex ? need[i] : want[i];
		sum += w[i] + 1;
	}
	spare = cols - sum;
	/* the flexible columns grow towards their longest value, by their share */
	while (spare > 0) {
		int short_flex = 0, given = 0;
		for (i = 0; i < t->ncols; i++)
			if (t->cols[i].flex && w[i] < want[i])
				short_flex += t->cols[i].flex;
		if (!short_flex)
			break;
		for (i = 0; i < t->ncols && spare > 0; i++)
			if (t->cols[i].flex && w[i] < want[i]) {
				int add = spare * t->cols[i].flex / short_flex;
				if (add < 1)
					add = 1;
				if (add > want[i] - w[i])
					add = want[i] - w[i];
				if (add > spare)
					add = spare;
				w[i] += add;
				spare -= add;
				given += add;
			}
		if (!given)
			break;
	}
	/* what is left over widens the flexible columns, by their share */
	if (spare > 0 && flex > 0) {
		int given = 0, last = -1;
		for (i = 0; i < t->ncols; i++)
			if (t->cols[i].flex) {
				int add = spare * t->cols[i].flex / flex;
				w[i] += add;
				given += add;
				last = i;
			}
		if (last >= 0)
			w[last] += spare - given;
	}
	/* too narrow: flexible columns down to their header, then shrink from
	 * the right, never below 3 columns */
	for (i = t->ncols - 1; spare < 0 && i >= 0; i--)
		if (t->cols[i].flex) {
			int hw = ui_text_width(title[i]) + (i == t->sort_col);
			int cut = w[i] - (hw > 3 ? hw : 3);
			if (cut > -spare)
				cut = -spare;
			if (cut > 0) {
				w[i] -= cut;
				spare += cut;
			}
		}
	for (i = t->ncols - 1; spare < 0 && i >= 0; i--) {
		int cut = w[i] - 3;
		if (cut > -spare)
			cut = -spare;
		if (cut > 0) {
			w[i] -= cut;
			spare += cut;
		}
	}
}

struct empty_wrap {
	WINDOW *w;
	int y, maxy;
};

static void empty_line(void *ctx, const char *p, size_t n)
{
	struct empty_wrap *c = ctx;
	char buf[512];

	if (c->y >= c->maxy - 1)
		return;
	snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
	ui_put(c->w, c->y++, 2, COLS - 4, buf, ui_attr(R_DIM), 0);
}

/* When the cursor comes to a row with cut-off cells, the status line shows
 * their whole values for a while (the details view shows them too). */
static void show_tip(struct ui_table *t, struct ui_app *app, const kj_buf *tip)
{
	const void *r = ui_table_selected(t);
	const char *id = r ? t->ops->id(t->ud, r) : "";

	if (t->tip_id && !strcmp(t->tip_id, id))
		return;
	free(t->tip_id);
	t->tip_id = kj_xstrdup(id);
	ui_app_tip(app, tip->len ? tip->data : NULL);
}

void ui_table_draw(struct ui_table *t, struct ui_app *app, WINDOW *w, int y, int h, int cols)
{
	int widths[32], i, x, rows;
	const char *title[32];
	size_t r;
	char buf[512];
	kj_buf tip;

	if (t->ncols > 32 || h < 2)
		return;
	kj_buf_init(&tip);
	rows = h - 1;
	if (t->filtering || t->filter.len)
		rows--;
	if (rows < 1)
		rows = 1;
	t->page = rows > 1 ? rows - 1 : 1;
	if (t->sel < t->top)
		t->top = t->sel;
	if (t->sel >= t->top + (size_t)rows)
		t->top = t->sel - (size_t)rows + 1;
	if (t->top + (size_t)rows > t->nidx)
		t->top = t->nidx > (size_t)rows ? t->nidx - (size_t)rows : 0;
	if ((size_t)rows * (size_t)t->ncols * CELL_MAX > t->cells_cap) {
		t->cells_cap = (size_t)rows * (size_t)t->ncols * CELL_MAX;
		free(t->cells);
		t->cells = kj_xmalloc(t->cells_cap);
	}
	for (i = 0; i < t->ncols; i++)
		title[i] = _(t->cols[i].title);
	layout(t, cols - 1, t->top, (size_t)rows, widths, t->cells, title);
	x = 1;
	for (i = 0; i < t->ncols; i++) {
		const char *name = title[i];
		/* the title keeps one blank before the next column, and the sort
		 * arrow stays visible even when the title must be cut for it */
		int tw = i == t->sort_col ? widths[i] - 1 : widths[i];
		ui_put(w, y, x, widths[i] + (i + 1 < t->ncols ? 1 : 0), "", ui_attr(R_HEADER), 1);
		tw = ui_put(w, y, x, tw, name, ui_attr(R_HEADER), 0);
		if (i == t->sort_col)
			ui_put(w, y, x + tw, 1, ui_glyph(t->sort_rev ? G_ARROW_UP : G_ARROW_DOWN),
			       ui_attr(R_HEADER), 0);
		x += widths[i] + 1;
	}
	if (!t->nidx) {
		const char *msg = t->filter.len ? _("No rows match the filter (Esc clears it).")
		                                : (t->empty ? t->empty : _("Nothing here yet."));
		struct empty_wrap ew = {w, y + 2, y + h};
		ui_text_wrap(msg, cols - 4, empty_line, &ew);
	}
	for (r = t->top; r < t->nidx && (int)(r - t->top) < rows; r++) {
		const void *row = shown(t, r);
		int sel = r == t->sel;
		chtype at =
		    sel ? ui_attr(R_SELECTED) : ui_attr(t->ops->role ? t->ops->role(t->ud, row) : R_NORMAL);
		int yy = y + 1 + (int)(r - t->top);

		ui_put(w, yy, 0, cols, sel ? ">" : " ", at, 1);
		x = 1;
		for (i = 0; i < t->ncols; i++) {
			const char *c = t->cells + ((r - t->top) * (size_t)t->ncols + (size_t)i) * CELL_MAX;
			ui_put_ellipsis(w, yy, x, widths[i], c, at, 0);
			if (sel && ui_text_width(c) > widths[i])
				kj_buf_printf(&tip, "%s%s: %s", tip.len ? "  " : "", title[i], c);
			x += widths[i] + 1;
		}
	}
	show_tip(t, app, &tip);
	kj_buf_done(&tip);
	if (t->filtering || t->filter.len) {
		int fy = y + h - 1;
		char lab[64];
		snprintf(lab, sizeof(lab), "%s ", _("Filter:"));
		int lw = ui_put(w, fy, 1, cols - 2, lab, A_BOLD, 0);
		if (t->filtering)
			ui_field_draw(&t->filter, app, w, fy, 1 + lw,
			              cols - lw - 30 > 10 ? cols - lw - 30 : 10, 1);
		else
			ui_put(w, fy, 1 + lw, cols - lw - 30, t->filter.buf, A_NORMAL, 0);
		snprintf(buf, sizeof(buf), _("%zu of %zu shown"), t->nidx, t->nrows);
		ui_put(w, fy, cols - 1 - ui_text_width(buf), ui_text_width(buf), buf, ui_attr(R_DIM), 0);
	}
}
