/* Background work: one worker thread runs a job's function while the main
 * thread keeps drawing; a user's job started during the background sweep
 * waits in a one-job slot behind it (ui/app.h). */
#include "ui/app_priv.h"

#include <string.h>

#include "util/i18n.h"
#include "util/timeutil.h"

static void *job_main(void *p)
{
	struct ui_app *app = p;

	kj_err_clear(&app->job.err);
	app->job.rc = app->job.fn(app->job.arg, &app->job.err);
	atomic_store(&app->job.finished, 1);
	return NULL;
}

static int job_start(struct ui_app *app, struct ui_screen *owner, const char *label, ui_job_fn fn,
                     ui_job_done done, void *arg, int quiet)
{
	struct ui_job *j = &app->job;

	/* a screen uncovered while the interface closes may ask to reload;
	 * nothing is left to join such a job before the engines close */
	if (app->closing)
		return -1;
	if (j->running && j->quiet && !quiet && !app->pending.set) {
		/* the background sweep is running: start right after it */
		app->pending.set = 1;
		app->pending.owner = owner;
		snprintf(app->pending.label, sizeof(app->pending.label), "%s", label);
		app->pending.fn = fn;
		app->pending.done = done;
		app->pending.arg = arg;
		return 0;
	}
	if (j->running || app->pending.set) {
		ui_app_status(app, _("busy: %s (wait, or press Esc to cancel)"), j->label);
		return -1;
	}
	memset(j, 0, sizeof(*j));
	j->owner = owner;
	snprintf(j->label, sizeof(j->label), "%s", label);
	j->fn = fn;
	j->done = done;
	j->arg = arg;
	j->started_ms = kj_mono_ms();
	j->quiet = quiet;
	if (pthread_create(&j->thread, NULL, job_main, app) != 0) {
		/* no thread: run inline rather than not at all */
		j->rc = fn(arg, &j->err);
		if (done)
			done(ui_app_on_stack(app, owner) ? owner : NULL, arg, j->rc, &j->err);
		return 0;
	}
	j->running = 1;
	return 0;
}

int ui_app_job(struct ui_app *app, struct ui_screen *owner, const char *label, ui_job_fn fn, ui_job_done done,
               void *arg)
{
	return job_start(app, owner, label, fn, done, arg, 0);
}

int ui_app_job_quiet(struct ui_app *app, struct ui_screen *owner, const char *label, ui_job_fn fn,
                     ui_job_done done, void *arg)
{
	return job_start(app, owner, label, fn, done, arg, 1);
}

int ui_app_busy(struct ui_app *app)
{
	return app->job.running || app->pending.set;
}

int ui_app_job_cancelled(struct ui_app *app)
{
	return atomic_load(&app->job.cancelled);
}

void ui_app_job_message(struct ui_app *app, const char *msg)
{
	pthread_mutex_lock(&app->job_lock);
	snprintf(app->job.msg, sizeof(app->job.msg), "%s", msg ? msg : "");
	pthread_mutex_unlock(&app->job_lock);
}

void ui_app_job_progress(struct ui_app *app, int done, int total)
{
	atomic_store(&app->job.prog_done, done);
	atomic_store(&app->job.prog_total, total);
}

void app_job_finish(struct ui_app *app)
{
	struct ui_job *j = &app->job;
	struct ui_screen *owner;
	kj_err err;

	if (!j->running || !atomic_load(&j->finished))
		return;
	pthread_join(j->thread, NULL);
	j->running = 0;
	owner = j->owner;
	if (atomic_load(&j->cancelled) || (owner && !ui_app_on_stack(app, owner)))
		owner = NULL;
	err = j->err;
	if (j->done)
		j->done(owner, j->arg, j->rc, &err);
	if (app->pending.set) {
		struct pending_job p = app->pending;
		memset(&app->pending, 0, sizeof(app->pending));
		if (p.owner && !ui_app_on_stack(app, p.owner))
			p.owner = NULL;
		if (app->closing) {
			kj_err ce;
			kj_err_clear(&ce);
			kj_err_set(&ce, KJ_ERR_CANCELLED, "%s", _("cancelled"));
			if (p.done)
				p.done(NULL, p.arg, -1, &ce);
		} else {
			job_start(app, p.owner, p.label, p.fn, p.done, p.arg, 0);
		}
	}
}

int app_job_esc(struct ui_app *app)
{
	if (app->pending.set) {
		struct pending_job p = app->pending;
		kj_err ce;
		memset(&app->pending, 0, sizeof(app->pending));
		kj_err_clear(&ce);
		kj_err_set(&ce, KJ_ERR_CANCELLED, "%s", _("cancelled"));
		if (p.done)
			p.done(NULL, p.arg, -1, &ce);
		ui_app_status(app, "%s", _("cancelled"));
		return 1;
	}
	if (app->job.running && !app->job.quiet) {
		atomic_store(&app->job.cancelled, 1);
		ui_app_status(app, _("cancelled: %s (the operation may still finish in the background)"),
		              app->job.label);
		return 1;
	}
	return 0;
}

void app_job_stop(struct ui_app *app)
{
	if (app->job.running) {
		/* the worker may be blocked on the network: let it finish first */
		atomic_store(&app->job.cancelled, 1);
		pthread_join(app->job.thread, NULL);
		atomic_store(&app->job.finished, 1);
		app_job_finish(app);
	}
}
