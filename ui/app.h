/* app: the terminal interface's main loop, screen stack, timers and worker.
 *
 * Call order: ui_app_new() (newterm on the FILE* pair given, so tests need no
 * tty) -> ui_app_push() the home screen -> ui_app_run() (or ui_app_step()
 * from tests) -> ui_app_free() (always restores the terminal).
 *
 * Screens are a small vtable plus private state; a key goes to the top
 * screen first (with the action the key table gives for its scope), then to
 * the global bindings (help, jump, redraw, back, quit).  Handlers return
 * UI_HANDLED or 0.  The app owns pushed screens and frees them when popped.
 *
 * Threads: everything here runs on the main thread, except the job function
 * given to ui_app_job(), which runs on one worker thread.  While a job runs
 * the main thread keeps reading keys and drawing; it must not use the
 * engine context (ui_app_busy() tells).  A job's done callback runs on the
 * main thread; when its owner screen was popped or the user cancelled, it
 * gets owner == NULL and must only free its argument.
 *
 * Signals: SIGINT/SIGTERM end the loop cleanly; SIGSEGV/SIGBUS/SIGABRT/
 * SIGFPE restore the terminal modes before dying. */
#ifndef KJ_UI_APP_H
#define KJ_UI_APP_H

#include <curses.h>
#include <stdint.h>
#include <stdio.h>

#include "ui/keys.h"
#include "util/err.h"

struct ui_app;
struct ui_screen;
struct engine;

#define UI_HANDLED 1

struct ui_screen_ops {
	const char *name; /* N_() title */
	unsigned scope;   /* enum ui_scope for key lookup and the status bar */
	/* draw into rows y..y+h-1 of stdscr */
	void (*draw)(struct ui_screen *s, WINDOW *w, int y, int h, int cols);
	int (*key)(struct ui_screen *s, int ch, enum ui_action act);
	void (*tick)(struct ui_screen *s);                        /* about once a second; may be NULL */
	void (*resize)(struct ui_screen *s, int lines, int cols); /* may be NULL */
	unsigned (*cur_scope)(struct ui_screen *s);               /* NULL = ops->scope */
	void (*resume)(struct ui_screen *s); /* on top again after a pop (reload data); may be NULL */
	void (*free)(struct ui_screen *s);
};

struct ui_screen {
	const struct ui_screen_ops *ops;
	struct ui_app *app;
	int overlay;       /* drawn over the screen below it (dialogs) */
	const char *title; /* NULL = _(ops->name) */
};

struct ui_opts {
	FILE *in, *out;               /* NULL = stdin / stdout */
	const char *term;             /* NULL = $TERM */
	int mono;                     /* no colour even if the terminal has it */
	int ascii;                    /* ASCII line drawing */
	int no_anim;                  /* spinner drawn still (tests) */
	int64_t (*clock)(void);       /* wall clock in seconds; NULL = kj_now */
	int sweep_interval;           /* seconds between background sweeps; 0 = 10, <0 = off */
	struct engine *engine;        /* main thread's context; may be NULL (tests of widgets) */
	struct engine *worker_engine; /* the worker thread's own context (engine.h: one per thread) */
	const char *banner;           /* right side of the title bar ("demo cluster"), may be NULL */
	const char *guide;            /* first-steps guide text; NULL = none */
	int show_guide;               /* open with the guide shown */
	const char *request_hint;     /* the Requests screen's text while empty (demo); NULL = its own */
	/* `:` jumps: opens screen `id` (enum ui_screen_id); NULL = no jumps (tests) */
	void (*jump)(struct ui_app *app, int id);
};

struct ui_app *ui_app_new(const struct ui_opts *opts, kj_err *e);
void ui_app_free(struct ui_app *app);

void ui_app_push(struct ui_app *app, struct ui_screen *s);
void ui_app_pop(struct ui_app *app); /* frees the top screen */
/* pop every screen above the root (home) screen */
void ui_app_pop_to_root(struct ui_app *app);
struct ui_screen *ui_app_top(struct ui_app *app);
int ui_app_on_stack(struct ui_app *app, const struct ui_screen *s);

/* Run until quit; returns 0, or 1 after SIGINT/SIGTERM. */
int ui_app_run(struct ui_app *app);
/* One iteration: wait up to wait_ms for a key, handle it, tick, finish
 * jobs, draw.  Returns 1 once the app wants to quit.  For tests. */
int ui_app_step(struct ui_app *app, int wait_ms);
/* Process input until none is pending and no job runs (tests). */
void ui_app_settle(struct ui_app *app);
void ui_app_quit(struct ui_app *app);
/* Screens call this from draw() to show the text cursor at (y, x). */
void ui_app_cursor(struct ui_app *app, int y, int x);
/* Draw now (wnoutrefresh + doupdate). */
void ui_app_draw(struct ui_app *app);
/* Force a full repaint on the next draw (Ctrl-L, after $EDITOR). */
void ui_app_repaint(struct ui_app *app);

int64_t ui_app_now(struct ui_app *app);
struct engine *ui_app_engine(struct ui_app *app);
/* The context job functions must use (never the main one). */
struct engine *ui_app_worker_engine(struct ui_app *app);
const struct ui_opts *ui_app_opts(struct ui_app *app);
FILE *ui_app_out(struct ui_app *app);

/* A one-line message in the status bar for a few seconds. */
void ui_app_status(struct ui_app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A tooltip for the status line (the whole text of what the screen had to
 * cut), shown for a few seconds when no status message is; NULL clears. */
void ui_app_tip(struct ui_app *app, const char *text);
/* A short text at the right end of the status bar while it shows the
 * keys (the pending access requests); NULL or "" removes it.  Copied. */
void ui_app_set_badge(struct ui_app *app, const char *text);
/* An error dialog with message and hint (nothing exits). */
void ui_app_error(struct ui_app *app, const kj_err *e);

/* Background work.  Returns -1 (and says so in the status bar) when a job is
 * already running. */
typedef int (*ui_job_fn)(void *arg, kj_err *e);
typedef void (*ui_job_done)(struct ui_screen *owner, void *arg, int rc, const kj_err *e);
int ui_app_job(struct ui_app *app, struct ui_screen *owner, const char *label, ui_job_fn fn, ui_job_done done,
               void *arg);
/* A background job (the sweep): no spinner, Esc is not taken from the
 * screens, and a user's job started meanwhile waits for it (one slot). */
int ui_app_job_quiet(struct ui_app *app, struct ui_screen *owner, const char *label, ui_job_fn fn,
                     ui_job_done done, void *arg);
int ui_app_busy(struct ui_app *app);
/* Called on the worker thread by long jobs: has the user cancelled? */
int ui_app_job_cancelled(struct ui_app *app);
/* A line about the running job for the status bar (thread-safe), e.g. the
 * kubectl command an admin must run; NULL clears it. */
void ui_app_job_message(struct ui_app *app, const char *msg);
/* Progress for the status bar, 0..total (thread-safe). */
void ui_app_job_progress(struct ui_app *app, int done, int total);

/* Called once a second while idle, on the main thread (background sweep). */
typedef void (*ui_app_idle_fn)(struct ui_app *app, void *ctx);
void ui_app_set_idle(struct ui_app *app, ui_app_idle_fn fn, void *ctx);

/* Jump to a screen through opts.jump (does nothing without it). */
void ui_app_jump(struct ui_app *app, int id);

/* Guide panel (demo): toggled by `g`. */
void ui_app_toggle_guide(struct ui_app *app);
int ui_app_guide_shown(struct ui_app *app);
/* Rows the guide needs at this width (box included). */
int ui_app_guide_rows(struct ui_app *app, int cols);
void ui_app_draw_guide(struct ui_app *app, WINDOW *w, int y, int h, int cols);

/* Make the next step tick at once (tests with a fake clock). */
void ui_app_force_tick(struct ui_app *app);
/* The screen as text, one line per row, trailing spaces kept (tests). */
char *ui_app_screen_text(struct ui_app *app);
/* Resize the virtual terminal (tests; SIGWINCH does this for real use). */
void ui_app_resize(struct ui_app *app, int lines, int cols);

/* Keys >= 256 that are characters, not curses key codes, carry this bit. */
#define UI_WCHAR 0x1000000
/* The character a key stands for (0 when it is a function key / control). */
int ui_key_char(int ch);

/* Smallest usable terminal. */
#define UI_MIN_LINES 16
#define UI_MIN_COLS  60

#endif
