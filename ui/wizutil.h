/* wizutil: pieces the wizards share — TTL value + unit rows, showing an
 * engine error beside a field, pick lists (menus) for choice rows, and the
 * namespace / name lists read from a target's cluster.  Main thread only;
 * lists are NULL-terminated arrays freed with ui_wiz_items_free(). */
#ifndef KJ_UI_WIZUTIL_H
#define KJ_UI_WIZUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "util/strv.h"
#include "ui/form.h"
#include "ui/wizard.h"
#include "util/err.h"

struct secret;

/* Two rows: the value (text) and its unit (s/m/h/d choice).  Returns the
 * value row; the unit row follows it, and Left/Right on the value change it. */
int ui_wiz_ttl_rows(struct ui_form *f, const char *label, int64_t secs, const char *help);
/* Read them back (a value with its own unit, "90s" / "1h30m", wins). */
int ui_wiz_ttl_read(const struct ui_form *f, int row, const char *what, int64_t *out, kj_err *e);

/* The error's message and hint beside `row`. */
void ui_wiz_form_error(struct ui_form *f, int row, const kj_err *e);

/* Menu for choice row `row` of the wizard's form. */
void ui_wiz_pick_choice(struct ui_wizard *w, int row, const char *const *items, int n);

void ui_wiz_items_free(char **items);

/* Exact namespaces a secret allows, plus the cluster's namespaces matching
 * its patterns when the cluster can be listed. */
char **ui_wiz_allowed_namespaces(struct ui_app *app, const struct secret *s, size_t *n);

/* Ctrl-P on a text row: read names of `kind` (enum browse_kind) from
 * target `target`'s cluster on the worker, then let the user pick one (or,
 * with `multi`, several: the row gets "a, b") into row `row` of the step
 * that asked.  Errors (e.g. Forbidden) go to the status bar. */
void ui_wiz_pick_from_cluster(struct ui_wizard *w, int row, const char *target, int kind, const char *ns,
                              int multi);

/* Same, keeping only names that match one of `allowed` (exact names, "*"
 * or globs such as team-*); the list is copied. */
void ui_wiz_pick_from_cluster_allowed(struct ui_wizard *w, int row, const char *target, int kind,
                                      const struct kj_strv *allowed);

/* Read a whole small file (PEM) into a malloc'd string; -1 with `e`. */
int ui_wiz_read_file(const char *path, const char *what, char **out, kj_err *e);

#endif
