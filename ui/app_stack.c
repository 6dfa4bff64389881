/* The screen stack and the accessors screens use (ui/app.h). */
#include "ui/app_priv.h"

#include "util/timeutil.h"
#include "util/i18n.h"

void ui_app_push(struct ui_app *app, struct ui_screen *s)
{
	if (!s)
		return;
	if (app->depth == STACK_MAX) {
		s->ops->free(s);
		ui_app_status(app, "%s", _("too many screens open; close some with q"));
		return;
	}
	s->app = app;
	app->stack[app->depth++] = s;
	app->tip[0] = '\0'; /* it spoke of the screen below */
	if (s->ops->resize)
		s->ops->resize(s, LINES, COLS);
}

void ui_app_pop(struct ui_app *app)
{
	struct ui_screen *s;

	if (app->depth == 0)
		return;
	s = app->stack[--app->depth];
	app->stack[app->depth] = NULL;
	app->tip[0] = '\0';
	if (app->job.running && app->job.owner == s)
		app->job.owner = NULL;
	s->ops->free(s);
	if (app->depth > 0 && app->stack[app->depth - 1]->ops->resume)
		app->stack[app->depth - 1]->ops->resume(app->stack[app->depth - 1]);
}

void ui_app_pop_to_root(struct ui_app *app)
{
	while (app->depth > 1)
		ui_app_pop(app);
}

struct ui_screen *ui_app_top(struct ui_app *app)
{
	return app->depth ? app->stack[app->depth - 1] : NULL;
}

int ui_app_on_stack(struct ui_app *app, const struct ui_screen *s)
{
	int i;

	for (i = 0; i < app->depth; i++)
		if (app->stack[i] == s)
			return 1;
	return 0;
}

int64_t ui_app_now(struct ui_app *app)
{
	return app->opts.clock ? app->opts.clock() : kj_now();
}

struct engine *ui_app_engine(struct ui_app *app)
{
	return app->opts.engine;
}

struct engine *ui_app_worker_engine(struct ui_app *app)
{
	return app->opts.worker_engine ? app->opts.worker_engine : app->opts.engine;
}

const struct ui_opts *ui_app_opts(struct ui_app *app)
{
	return &app->opts;
}

FILE *ui_app_out(struct ui_app *app)
{
	return app->out;
}

void ui_app_quit(struct ui_app *app)
{
	app->quit = 1;
}

void ui_app_repaint(struct ui_app *app)
{
	app->repaint = 1;
}

void ui_app_cursor(struct ui_app *app, int y, int x)
{
	app->cur_y = y;
	app->cur_x = x;
}

void ui_app_jump(struct ui_app *app, int id)
{
	if (app->opts.jump)
		app->opts.jump(app, id);
}

void ui_app_set_idle(struct ui_app *app, ui_app_idle_fn fn, void *ctx)
{
	app->idle = fn;
	app->idle_ctx = ctx;
}

int app_base(struct ui_app *app)
{
	int i;

	for (i = app->depth - 1; i >= 0; i--)
		if (!app->stack[i]->overlay)
			return i;
	return 0;
}

void app_resize_screens(struct ui_app *app)
{
	int i;

	for (i = 0; i < app->depth; i++)
		if (app->stack[i]->ops->resize)
			app->stack[i]->ops->resize(app->stack[i], LINES, COLS);
	app->repaint = 1;
}
