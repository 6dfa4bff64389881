/* app_priv: the state the parts of the application loop share.
 *
 * struct ui_app is opaque to screens (they use ui/app.h); only ui/app*.c
 * include this header (tests/layering.sh checks).  The parts:
 *   app.c         terminal, signals, plugin terminal hand-over, lifetime,
 *                 the key loop (read, dispatch, tick)
 *   app_stack.c   the screen stack and the accessors screens use
 *   app_jobs.c    the one worker thread and the job waiting behind the sweep
 *   app_status.c  the status bar: messages, tips, job line, key hints
 *   app_draw.c    title bar, screens, guide panel, screen dump for tests
 * Everything runs on the main thread except a job's function (ui/app.h). */
#ifndef KJ_UI_APP_PRIV_H
#define KJ_UI_APP_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "ui/app.h"

#define STACK_MAX 32

struct ui_job {
	pthread_t thread;
	int running;          /* main thread: a thread exists to join */
	atomic_int finished;  /* worker: fn returned */
	atomic_int cancelled; /* main: user asked to cancel */
	atomic_int prog_done, prog_total;
	struct ui_screen *owner;
	char label[128];
	ui_job_fn fn;
	ui_job_done done;
	void *arg;
	int rc;
	kj_err err;
	int64_t started_ms;
	int quiet;
	char msg[256]; /* under ui_app.job_lock */
};

struct pending_job {
	int set;
	struct ui_screen *owner;
	char label[128];
	ui_job_fn fn;
	ui_job_done done;
	void *arg;
};

struct ui_app {
	struct ui_opts opts;
	SCREEN *scr;
	FILE *in, *out;
	struct ui_screen *stack[STACK_MAX];
	int depth;
	int quit;
	int repaint;
	int cur_y, cur_x;
	char msg[512];
	int msg_error;
	int64_t msg_until_ms;
	char tip[512]; /* the whole value of a cut-off cell, shown when no message is */
	int64_t tip_until_ms;
	int64_t last_tick_ms;
	struct ui_job job;
	pthread_mutex_t job_lock;
	struct pending_job pending;
	ui_app_idle_fn idle;
	void *idle_ctx;
	int guide_shown;
	char badge[64]; /* right end of the key line (pending requests) */
	int closing;    /* ui_app_free() runs: no job may start */
};

/* app_stack.c */
/* Index of the lowest screen drawn: the topmost one that is not an overlay
 * (0 when there is none). */
int app_base(struct ui_app *app);
/* Tell every screen the terminal's new size and repaint everything. */
void app_resize_screens(struct ui_app *app);

/* app_jobs.c */
/* A finished job: join its thread, call its done callback, start the job
 * that waited behind it.  Does nothing while the job runs. */
void app_job_finish(struct ui_app *app);
/* Esc while a job runs or waits: cancel it.  Returns 1 when it took the key. */
int app_job_esc(struct ui_app *app);
/* On teardown: cancel a running job, wait for it and finish it. */
void app_job_stop(struct ui_app *app);

/* app_status.c */
void app_draw_status(struct ui_app *app, int y, int cols);

#endif
