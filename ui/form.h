/* form: single-line input fields and a vertical form of labelled fields.
 *
 * A ui_field is an embedded value (ui_field_init/ui_field_done) holding a
 * UTF-8 line with a cursor; masked fields show bullets and are wiped when
 * done.  A ui_form is an array of rows (text, masked, choice, check box,
 * plain note) with one focused row; ui_form_key() handles editing and
 * moving between rows and returns UI_HANDLED when it used the key.  Errors
 * found by the caller's validation are set per row (ui_form_set_error) and
 * drawn under the row.  Main thread only; the form owns its strings. */
#ifndef KJ_UI_FORM_H
#define KJ_UI_FORM_H

#include <curses.h>
#include <stddef.h>

#include "ui/app.h"

struct ui_field {
	char *buf;
	size_t len, cap, cur;
	int masked;
};

void ui_field_init(struct ui_field *f, const char *initial, int masked);
void ui_field_done(struct ui_field *f);
void ui_field_set(struct ui_field *f, const char *s);
/* Edit keys: characters, Backspace, Delete, Left/Right, Home/End, Ctrl-U, Ctrl-W. */
int ui_field_key(struct ui_field *f, int ch);
/* Draw in `cols` columns; when focused, places the cursor through the app. */
void ui_field_draw(struct ui_field *f, struct ui_app *app, WINDOW *w, int y, int x, int cols, int focused);

enum ui_row_kind {
	ROW_TEXT,
	ROW_MASKED,
	ROW_CHOICE, /* Left/Right cycle, Space/Ctrl-P pick from a menu */
	ROW_CHECK,  /* Space toggles */
	ROW_NOTE,   /* text only, never focused */
};

#define UI_FORM_MAX 16

struct ui_form_row {
	enum ui_row_kind kind;
	char *label;
	char *help; /* shown under the focused row */
	struct ui_field field;
	char **choices;
	int nchoices;
	int choice;
	int checked;
	char *error;
	int pick;     /* text row with a Ctrl-P pick list (caller handles ACT via ui_form_pick_requested) */
	int unit_row; /* text row: Left/Right cycle the choice row with this index (0 = none) */
	int hidden;   /* does not apply now: not drawn, never focused */
};

struct ui_form {
	struct ui_form_row rows[UI_FORM_MAX];
	int n;
	int focus;
	int pick_requested; /* set when Ctrl-P/Space asked for a pick list on a row */
	int top;            /* first row drawn (scrolling) */
};

void ui_form_init(struct ui_form *f);
void ui_form_done(struct ui_form *f);
void ui_form_clear(struct ui_form *f); /* done + init */
int ui_form_text(struct ui_form *f, const char *label, const char *value, const char *help);
int ui_form_masked(struct ui_form *f, const char *label, const char *help);
int ui_form_choice(struct ui_form *f, const char *label, const char *const *choices, int n, int sel,
                   const char *help);
int ui_form_check(struct ui_form *f, const char *label, int checked, const char *help);
int ui_form_note(struct ui_form *f, const char *text);
void ui_form_set_choices(struct ui_form *f, int row, const char *const *choices, int n, int sel);
const char *ui_form_value(const struct ui_form *f, int row); /* text or chosen item */
void ui_form_set_value(struct ui_form *f, int row, const char *value);
void ui_form_set_error(struct ui_form *f, int row, const char *msg); /* NULL clears */
void ui_form_clear_errors(struct ui_form *f);
/* Keys: Tab/Down/Up/Shift-Tab move, the rest goes to the focused row. */
int ui_form_key(struct ui_form *f, int ch, enum ui_action act);
/* Draw from row y for h rows; returns the rows used. */
int ui_form_draw(struct ui_form *f, struct ui_app *app, WINDOW *w, int y, int h, int cols);
void ui_form_focus_first(struct ui_form *f);
/* Hide or show a row; a hidden focused row passes the focus on. */
void ui_form_set_hidden(struct ui_form *f, int row, int hidden);

#endif
