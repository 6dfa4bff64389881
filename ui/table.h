/* table: a scrolling table with a cursor, sort by any column and a `/`
 * filter, drawn without flicker (only the visible rows are formatted).
 *
 * The caller owns the row array and keeps it alive while the table shows it;
 * the table only keeps an index of the rows that pass the filter, in sort
 * order.  Cells are formatted on demand through the ops, so a countdown
 * column stays live without rebuilding anything.  The cursor follows the
 * selected row's id across ui_table_set_rows() calls.  Main thread only. */
#ifndef KJ_UI_TABLE_H
#define KJ_UI_TABLE_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

#include "ui/app.h"
#include "ui/form.h"
#include "ui/theme.h"

struct ui_table_col {
	const char *title; /* N_() */
	int min;           /* columns */
	int flex;          /* share of the spare width */
	int numeric;       /* sort by ops->num instead of the text */
};

struct ui_table_ops {
	void (*cell)(void *ud, const void *row, int col, char *buf, size_t n);
	int64_t (*num)(void *ud, const void *row, int col); /* may be NULL */
	enum ui_role (*role)(void *ud, const void *row);    /* may be NULL */
	const char *(*id)(void *ud, const void *row);
};

struct ui_table;

struct ui_table *ui_table_new(const struct ui_table_col *cols, int ncols, const struct ui_table_ops *ops,
                              void *ud);
void ui_table_free(struct ui_table *t);
/* Show `n` rows of `elem` bytes each at `rows`; re-applies filter and sort. */
void ui_table_set_rows(struct ui_table *t, const void *rows, size_t n, size_t elem);
void ui_table_refilter(struct ui_table *t);
/* Keys: movement, s/S sort, `/` filter (while the filter is edited every
 * key goes to it).  Returns UI_HANDLED when used. */
int ui_table_key(struct ui_table *t, int ch, enum ui_action act);
int ui_table_filtering(const struct ui_table *t); /* the filter line has the keys */
void ui_table_draw(struct ui_table *t, struct ui_app *app, WINDOW *w, int y, int h, int cols);
/* The selected row, or NULL; the rows shown (filtered, sorted). */
const void *ui_table_selected(const struct ui_table *t);
size_t ui_table_count(const struct ui_table *t);
const void *ui_table_row(const struct ui_table *t, size_t i);
const char *ui_table_filter(const struct ui_table *t);
void ui_table_set_filter(struct ui_table *t, const char *f);
void ui_table_set_sort(struct ui_table *t, int col, int reverse);
/* Put the cursor on the row with this id (if shown); 0 or -1. */
int ui_table_select(struct ui_table *t, const char *id);
/* Move the cursor by `d` rows. */
void ui_table_move(struct ui_table *t, long d);
/* A table over rows it does not hold (e.g. a million leases in SQLite):
 * the source filters, sorts and counts, and hands out the rows the table
 * draws.  The table then keeps no index of its own; ui_table_refilter()
 * re-runs the query (after the data changed) and keeps the cursor on the
 * selected row's id. */
struct ui_table_source {
	/* Apply the filter text and the sort (col -1: the source's own order);
	 * returns how many rows show, and the number of rows in `*total`. */
	size_t (*query)(void *ud, const char *filter, int sort_col, int sort_rev, size_t *total);
	/* Row i (0-based) of the last query, or NULL; valid until the next call. */
	const void *(*row)(void *ud, size_t i);
	/* Where the row with this id stands in the last query, or -1. */
	long (*find)(void *ud, const char *id);
};
/* Switch the table to `src` (kept, not copied) and run its first query. */
void ui_table_set_source(struct ui_table *t, const struct ui_table_source *src, void *src_ud);

/* Text shown when there are no rows (copied). */
void ui_table_set_empty_text(struct ui_table *t, const char *text);

#endif
