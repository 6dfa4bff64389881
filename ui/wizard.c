#include "ui/wizard.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/text.h"
#include "ui/theme.h"
#include "util/i18n.h"
#include "util/strbuf.h"

void ui_wizard_set_note(struct ui_wizard *w, int error, const char *fmt, ...)
{
	va_list ap;
	kj_buf b;

	free(w->note);
	w->note = NULL;
	if (!fmt)
		return;
	kj_buf_init(&b);
	va_start(ap, fmt);
	kj_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	w->note = kj_buf_steal(&b);
	w->note_error = error;
}

static int applies(struct ui_wizard *w, int step)
{
	return !w->wops->skip || !w->wops->skip(w, step);
}

void ui_wizard_goto(struct ui_wizard *w, int step)
{
	w->step = step;
	ui_form_clear(&w->form);
	ui_wizard_set_note(w, 0, NULL);
	w->wops->enter(w, step);
	if (w->wops->sync_rows)
		w->wops->sync_rows(w, step);
	ui_form_focus_first(&w->form);
}

void ui_wizard_next(struct ui_wizard *w)
{
	int s = w->step + 1;

	while (s < w->wops->nsteps && !applies(w, s))
		s++;
	if (s < w->wops->nsteps)
		ui_wizard_goto(w, s);
}

void ui_wizard_back(struct ui_wizard *w)
{
	int s = w->step - 1;

	while (s >= 0 && !applies(w, s))
		s--;
	if (s < 0) {
		ui_wizard_close(w);
		return;
	}
	ui_wizard_goto(w, s);
}

void ui_wizard_close(struct ui_wizard *w)
{
	struct ui_app *app = w->base.app;

	if (ui_app_top(app) == &w->base)
		ui_app_pop(app);
}

static void wdraw(struct ui_screen *s, WINDOW *win, int y, int h, int cols)
{
	struct ui_wizard *w = (struct ui_wizard *)s;
	char head[256];
	int shown = 0, pos = 0, i, used, x;

	for (i = 0; i < w->wops->nsteps; i++)
		if (applies(w, i)) {
			shown++;
			if (i <= w->step)
				pos++;
		}
	snprintf(head, sizeof(head), _("%s %s step %d of %d: %s"), _(w->wops->title), ui_glyph(G_BULLET), pos,
	         shown, w->wops->step_name(w, w->step));
	ui_put(win, y, 1, cols - 2, head, A_BOLD, 0);
	/* breadcrumb of the steps that apply */
	x = 1;
	for (i = 0; i < w->wops->nsteps && x < cols - 2; i++) {
		const char *n;
		if (!applies(w, i))
			continue;
		n = w->wops->step_name(w, i);
		x += ui_put(
		    win, y + 1, x, cols - 1 - x, n,
		    i == w->step ? ui_attr(R_FOCUS) : (i < w->step ? ui_attr(R_GOOD) : ui_attr(R_DIM)), 0);
		if (x < cols - 4)
			x += ui_put(win, y + 1, x, 3, " > ", ui_attr(R_DIM), 0);
	}
	if (w->wops->sync_rows)
		w->wops->sync_rows(w, w->step);
	used = 3;
	if (w->note) {
		used += ui_put_wrap(win, y + used, 2, cols - 4, 0, 4, y + h, w->note,
		                    w->note_error ? ui_attr(R_ERROR) : ui_attr(R_WARN));
		used++;
	}
	used += ui_form_draw(&w->form, s->app, win, y + used, h - used, cols);
	if (w->wops->draw && h - used - 1 > 0)
		w->wops->draw(w, w->step, win, y + used + (w->form.n ? 1 : 0), h - used - (w->form.n ? 1 : 0),
		              cols);
}

static int wkey(struct ui_screen *s, int ch, enum ui_action act)
{
	struct ui_wizard *w = (struct ui_wizard *)s;
	int r;

	if (w->wops->key) {
		r = w->wops->key(w, w->step, ch, act);
		if (r == UI_HANDLED)
			return r;
	}
	if (act == ACT_CANCEL) {
		ui_wizard_close(w);
		return UI_HANDLED;
	}
	if (act == ACT_BACK) {
		ui_wizard_back(w);
		return UI_HANDLED;
	}
	if (act == ACT_REDRAW || act == ACT_HELP || act == ACT_JUMP || act == ACT_QUIT)
		return 0;
	if (act == ACT_ENTER) {
		ui_form_clear_errors(&w->form);
		if (w->wops->leave(w, w->step) != 0)
			return UI_HANDLED;
		{
			int s2 = w->step + 1;
			while (s2 < w->wops->nsteps && !applies(w, s2))
				s2++;
			if (s2 >= w->wops->nsteps)
				w->wops->finish(w);
			else
				ui_wizard_goto(w, s2);
		}
		return UI_HANDLED;
	}
	w->form.pick_requested = 0;
	r = ui_form_key(&w->form, ch, act);
	if (w->wops->sync_rows)
		w->wops->sync_rows(w, w->step);
	if (w->form.pick_requested) {
		w->form.pick_requested = 0;
		if (w->wops->pick)
			w->wops->pick(w, w->step, w->form.focus);
	}
	/* a wizard keeps every key: letters are text here */
	(void)r;
	return UI_HANDLED;
}

static unsigned wscope(struct ui_screen *s)
{
	struct ui_wizard *w = (struct ui_wizard *)s;

	return w->wops->scope ? w->wops->scope(w, w->step) : SC_WIZARD;
}

static void wtick(struct ui_screen *s)
{
	struct ui_wizard *w = (struct ui_wizard *)s;

	if (w->wops->tick)
		w->wops->tick(w, w->step);
}

static void wfree(struct ui_screen *s)
{
	struct ui_wizard *w = (struct ui_wizard *)s;

	ui_form_done(&w->form);
	free(w->note);
	w->wops->free(w);
}

static const struct ui_screen_ops wizard_screen_ops = {
    .name = N_("Wizard"),
    .scope = SC_WIZARD,
    .draw = wdraw,
    .key = wkey,
    .tick = wtick,
    .cur_scope = wscope,
    .free = wfree,
};

void ui_wizard_init(struct ui_wizard *w, struct ui_app *app, const struct ui_wizard_ops *ops)
{
	int s = 0;

	w->base.ops = &wizard_screen_ops;
	w->base.app = app;
	w->base.title = _(ops->title);
	w->wops = ops;
	ui_form_init(&w->form);
	while (s < ops->nsteps && !applies(w, s))
		s++;
	ui_wizard_goto(w, s);
}
