/* wizard: the step machine shared by the Target, Secret and Mint wizards.
 *
 * A wizard is a screen with numbered steps.  Entering a step builds its
 * form from the wizard's draft (enter); leaving it forward reads and
 * validates the form (leave) and stays on the step with the errors shown
 * beside the fields when that fails.  Esc goes one step back (from the
 * first step: cancel), Ctrl-X cancels, Enter on the last step runs finish.
 * Steps can be skipped (next/prev return another index), draw extra
 * content (review text, the YAML editor, the mint result) and take keys.
 * Resizing at any step only re-lays out: nothing typed is lost.
 *
 * A concrete wizard embeds struct ui_wizard first and fills the ops.
 * Main thread only; the wizard owns its form and draft. */
#ifndef KJ_UI_WIZARD_H
#define KJ_UI_WIZARD_H

#include "ui/app.h"
#include "ui/form.h"

struct ui_wizard;

struct ui_wizard_ops {
	const char *title; /* N_() */
	int nsteps;
	const char *(*step_name)(struct ui_wizard *w, int step); /* translated */
	void (*enter)(struct ui_wizard *w, int step);            /* build w->form */
	int (*leave)(struct ui_wizard *w, int step);             /* 0 ok; -1 stay (errors set) */
	int (*skip)(struct ui_wizard *w, int step);              /* 1: step does not apply; may be NULL */
	/* extra content under the form; returns nothing; may be NULL */
	void (*draw)(struct ui_wizard *w, int step, WINDOW *win, int y, int h, int cols);
	/* keys before the form; UI_HANDLED stops them; may be NULL */
	int (*key)(struct ui_wizard *w, int step, int ch, enum ui_action act);
	unsigned (*scope)(struct ui_wizard *w, int step);     /* NULL = SC_WIZARD */
	void (*pick)(struct ui_wizard *w, int step, int row); /* Ctrl-P / Space on a row; may be NULL */
	void (*finish)(struct ui_wizard *w);                  /* Enter on the last step */
	void (*free)(struct ui_wizard *w);                    /* free the concrete part */
	void (*tick)(struct ui_wizard *w, int step);          /* may be NULL */
	/* after a key and before drawing: show the rows that apply; may be NULL */
	void (*sync_rows)(struct ui_wizard *w, int step);
};

struct ui_wizard {
	struct ui_screen base;
	const struct ui_wizard_ops *wops;
	struct ui_form form;
	int step;
	char *note;     /* a line shown above the form (step notices), may be NULL */
	int note_error; /* draw the note as an error */
};

/* Initialise and enter the first step that applies. */
void ui_wizard_init(struct ui_wizard *w, struct ui_app *app, const struct ui_wizard_ops *ops);
/* Go to `step` (entering it). */
void ui_wizard_goto(struct ui_wizard *w, int step);
void ui_wizard_next(struct ui_wizard *w);
void ui_wizard_back(struct ui_wizard *w);
void ui_wizard_set_note(struct ui_wizard *w, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Close the wizard (pops it). */
void ui_wizard_close(struct ui_wizard *w);

#endif
