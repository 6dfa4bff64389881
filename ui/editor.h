/* editor: the multi-line YAML editor widget.
 *
 * Holds the text as an array of lines with a cursor; handles insert and
 * delete, line split (Enter keeps the indent) and join (Backspace at the
 * start / Delete at the end), arrows, Home/End, PgUp/PgDn, vertical and
 * horizontal scrolling for long lines, YAML syntax colouring, and live
 * validation: after each change the `validate` callback runs and its
 * line:column error is drawn beside that line.  Also: templates from the
 * data directory and "open in $EDITOR".  Main thread only; owns its text. */
#ifndef KJ_UI_EDITOR_H
#define KJ_UI_EDITOR_H

#include <curses.h>
#include <stddef.h>

#include "ui/app.h"

/* Returns 0 when valid; else fills line/column (1-based, 0 = unknown) and msg. */
typedef int (*ui_editor_validate_fn)(const char *text, int *line, int *col, char *msg, size_t n);

struct ui_editor;

struct ui_editor *ui_editor_new(const char *text, ui_editor_validate_fn validate);
void ui_editor_free(struct ui_editor *ed);
void ui_editor_set_text(struct ui_editor *ed, const char *text);
char *ui_editor_text(const struct ui_editor *ed); /* malloc'd, lines joined with '\n' */
int ui_editor_key(struct ui_editor *ed, int ch, enum ui_action act);
void ui_editor_draw(struct ui_editor *ed, struct ui_app *app, WINDOW *w, int y, int h, int cols);
/* The current validation result: 0 valid, -1 with message and position. */
int ui_editor_error(const struct ui_editor *ed, int *line, int *col, const char **msg);
int ui_editor_is_empty(const struct ui_editor *ed);

/* Run $VISUAL / $EDITOR (else vi) on the text; the terminal is handed over
 * and taken back.  Returns 0, or -1 with `e` filled (text unchanged). */
int ui_editor_external(struct ui_editor *ed, struct ui_app *app, kj_err *e);

/* Templates: the directory ($KUBEJIT_DATADIR/templates, else
 * PKGDATADIR/templates) and its *.yaml names, sorted.  Free with
 * ui_templates_free().  Reading one returns a malloc'd text or NULL. */
char **ui_templates_list(size_t *n);
void ui_templates_free(char **v, size_t n);
char *ui_template_read(const char *name, kj_err *e);

#endif
