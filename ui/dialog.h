/* dialog: small modal screens drawn over the current one.
 *
 * Each function pushes an overlay screen onto the app's stack.  Callbacks
 * run on the main thread after the dialog has closed itself, with `owner`
 * set to the screen that asked when it is still open, else NULL (then only
 * free `ctx`).  A dialog torn down unanswered (the interface ends with it
 * open) calls back once as a cancel with `owner` NULL.  Texts are copied. */
#ifndef KJ_UI_DIALOG_H
#define KJ_UI_DIALOG_H

#include "ui/app.h"

/* Message box; any of Enter/Esc/q closes it. */
void ui_dialog_message(struct ui_app *app, const char *title, const char *text);
/* Error box: message, hint and the error class. */
void ui_dialog_error(struct ui_app *app, const kj_err *e);

/* Yes/no question; `yes` is 1 for y/Enter on "Yes". */
typedef void (*ui_confirm_fn)(struct ui_screen *owner, void *ctx, int yes);
void ui_dialog_confirm(struct ui_app *app, struct ui_screen *owner, const char *title, const char *text,
                       ui_confirm_fn fn, void *ctx);

/* Pick one of `n` items (copied); `choice` is the index or -1 on Esc. */
typedef void (*ui_menu_fn)(struct ui_screen *owner, void *ctx, int choice);
void ui_dialog_menu(struct ui_app *app, struct ui_screen *owner, const char *title, const char *const *items,
                    int n, int selected, ui_menu_fn fn, void *ctx);

/* One line of text; `text` is NULL on Esc.  `masked` hides what is typed. */
typedef void (*ui_input_fn)(struct ui_screen *owner, void *ctx, const char *text);
void ui_dialog_input(struct ui_app *app, struct ui_screen *owner, const char *title, const char *prompt,
                     const char *initial, int masked, ui_input_fn fn, void *ctx);

/* Check several of `n` items (Space toggles, Enter accepts); the callback
 * gets the checked items joined with ", " (NULL on Esc).  Items named in
 * `checked_csv` start checked. */
void ui_dialog_multi(struct ui_app *app, struct ui_screen *owner, const char *title, const char *const *items,
                     int n, const char *checked_csv, ui_input_fn fn, void *ctx);

/* Draw a progress bar of `cols` columns for done/total. */
void ui_progress_draw(WINDOW *w, int y, int x, int cols, int done, int total);

#endif
