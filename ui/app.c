#include "ui/app.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <termios.h>
#include <unistd.h>

#include "engine/engine.h"
#include "ui/dialog.h"
#include "ui/screens.h"
#include "ui/text.h"
#include "ui/theme.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

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
};

static volatile sig_atomic_t got_stop;
static int crash_fd = -1;
static int crash_in_fd = -1;
static struct termios crash_tio;
static int crash_have_tio;

static void on_stop(int sig)
{
	(void)sig;
	got_stop = 1;
}

/* Async-signal-safe: put the terminal back as we found it, then die. */
static void on_crash(int sig)
{
	static const char reset[] = "\033[0m\033[?25h\033[?1049l\r\n";

	if (crash_fd >= 0) {
		ssize_t r = write(crash_fd, reset, sizeof(reset) - 1);
		(void)r;
	}
	if (crash_have_tio)
		tcsetattr(crash_in_fd, TCSANOW, &crash_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	struct sigaction sa;
	static const int crash_sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop; /* no SA_RESTART: the key wait returns at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < sizeof(crash_sigs) / sizeof(crash_sigs[0]); i++)
		sigaction(crash_sigs[i], &sa, NULL);
}

/* An interactive credential plugin needs the terminal.  It runs on the job
 * thread, which asks the UI thread to leave curses and waits; the UI thread
 * reads no keys until the plugin is done, then redraws everything. */
static pthread_mutex_t tty_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tty_cond = PTHREAD_COND_INITIALIZER;
static int tty_want, tty_suspended, tty_gone;
static pthread_t ui_thread;
static struct ui_app *plugin_app;

static void leave_curses(void)
{
	def_prog_mode();
	endwin();
}

static void back_to_curses(void)
{
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
}

static void on_plugin_tty(int suspend, void *ud)
{
	(void)ud;
	if (pthread_equal(pthread_self(), ui_thread)) {
		if (suspend)
			leave_curses();
		else
			back_to_curses();
		return;
	}
	pthread_mutex_lock(&tty_lock);
	tty_want = suspend;
	pthread_cond_broadcast(&tty_cond);
	while (!tty_gone && tty_suspended != suspend)
		pthread_cond_wait(&tty_cond, &tty_lock);
	pthread_mutex_unlock(&tty_lock);
}

/* On the UI thread, between keys. */
static void serve_plugin_tty(void)
{
	pthread_mutex_lock(&tty_lock);
	if (tty_want && !tty_suspended) {
		leave_curses();
		tty_suspended = 1;
		pthread_cond_broadcast(&tty_cond);
		while (tty_want && !tty_gone)
			pthread_cond_wait(&tty_cond, &tty_lock);
		back_to_curses();
		tty_suspended = 0;
		pthread_cond_broadcast(&tty_cond);
	}
	pthread_mutex_unlock(&tty_lock);
}

/* A plugin's stderr (a login prompt's hint, an error) goes to the status
 * line instead of scribbling over the screen: its last non-empty line. */
static void on_plugin_stderr(const char *text, void *ud)
{
	const char *end = text + strlen(text), *start;
	char line[200];

	(void)ud;
	while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	if (!plugin_app || end == start)
		return;
	snprintf(line, sizeof(line), _("credential plugin: %.*s"), (int)(end - start), start);
	ui_app_job_message(plugin_app, line);
}

struct ui_app *ui_app_new(const struct ui_opts *opts, kj_err *e)
{
	struct ui_app *app = kj_xcalloc(1, sizeof(*app));
	const char *term;

	app->opts = *opts;
	app->in = opts->in ? opts->in : stdin;
	app->out = opts->out ? opts->out : stdout;
	term = opts->term ? opts->term : getenv("TERM");
	if (!term || !*term)
		term = "vt100";
	crash_in_fd = fileno(app->in);
	crash_have_tio = isatty(crash_in_fd) && tcgetattr(crash_in_fd, &crash_tio) == 0;
	app->scr = newterm(term, app->out, app->in);
	if (!app->scr) {
		free(app);
		kj_err_set(e, KJ_ERR_FAIL, _("cannot start the terminal interface on terminal type \"%s\""),
		           term);
		kj_err_hint(
		    e, _("set TERM to your terminal's type (for example xterm-256color), or use the commands "
		         "(kubejit --help)"));
		return NULL;
	}
	set_term(app->scr);
	crash_fd = fileno(app->out);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	/* Esc must feel immediate, yet arrow keys over a slow SSH link arrive as
	 * Esc + "[A" a little apart: 100 ms is the usual compromise */
	set_escdelay(100);
	curs_set(0);
	ui_theme_init(opts->mono, opts->ascii);
	install_signals();
	ui_thread = pthread_self();
	plugin_app = app;
	tty_gone = tty_want = tty_suspended = 0;
	engine_set_plugin_hooks(on_plugin_tty, on_plugin_stderr, NULL);
	app->guide_shown = opts->guide && opts->show_guide;
	pthread_mutex_init(&app->job_lock, NULL);
	app->cur_y = -1;
	app->last_tick_ms = kj_mono_ms();
	if (app->opts.sweep_interval == 0)
		app->opts.sweep_interval = 10;
	return app;
}

static void job_finish(struct ui_app *app);

void ui_app_free(struct ui_app *app)
{
	if (!app)
		return;
	pthread_mutex_lock(&tty_lock);
	tty_gone = 1; /* a job waiting for the terminal must not wait forever */
	pthread_cond_broadcast(&tty_cond);
	pthread_mutex_unlock(&tty_lock);
	engine_set_plugin_hooks(NULL, NULL, NULL);
	plugin_app = NULL;
	if (app->job.running) {
		/* the worker may be blocked on the network: let it finish first */
		atomic_store(&app->job.cancelled, 1);
		pthread_join(app->job.thread, NULL);
		atomic_store(&app->job.finished, 1);
		job_finish(app);
	}
	while (app->depth > 0)
		ui_app_pop(app);
	endwin();
	delscreen(app->scr);
	pthread_mutex_destroy(&app->job_lock);
	crash_fd = -1;
	crash_have_tio = 0;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	free(app);
}

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

void ui_app_status(struct ui_app *app, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(app->msg, sizeof(app->msg), fmt, ap);
	va_end(ap);
	app->msg_error = 0;
	app->msg_until_ms = kj_mono_ms() + 5000;
}

void ui_app_tip(struct ui_app *app, const char *text)
{
	snprintf(app->tip, sizeof(app->tip), "%s", text ? text : "");
	app->tip_until_ms = kj_mono_ms() + 5000;
}

void ui_app_error(struct ui_app *app, const kj_err *e)
{
	ui_dialog_error(app, e);
}

int ui_key_char(int ch)
{
	if (ch & UI_WCHAR)
		return ch & ~UI_WCHAR;
	if (ch >= 32 && ch < 256 && ch != 127)
		return ch;
	return 0;
}

/* ---- worker ---- */

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

static void job_finish(struct ui_app *app)
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
		job_start(app, p.owner, p.label, p.fn, p.done, p.arg, 0);
	}
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

/* ---- guide ---- */

void ui_app_toggle_guide(struct ui_app *app)
{
	if (!app->opts.guide) {
		ui_app_status(app, "%s", _("no guide in this session (it comes with kubejit --demo)"));
		return;
	}
	app->guide_shown = !app->guide_shown;
}

int ui_app_guide_shown(struct ui_app *app)
{
	return app->guide_shown && app->opts.guide;
}

struct wrap_ctx {
	WINDOW *w;
	int y, x, cols, maxy;
};

static void guide_line(void *ctx, const char *p, size_t n)
{
	struct wrap_ctx *c = ctx;
	char tmp[512];

	if (c->y >= c->maxy)
		return;
	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	ui_put(c->w, c->y++, c->x, c->cols, tmp, A_NORMAL, 1);
}

static void count_line(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
}

int ui_app_guide_rows(struct ui_app *app, int cols)
{
	if (!app->opts.guide)
		return 0;
	return ui_text_wrap(app->opts.guide, cols - 4, count_line, NULL) + 2;
}

void ui_app_draw_guide(struct ui_app *app, WINDOW *w, int y, int h, int cols)
{
	struct wrap_ctx c = {w, y + 1, 2, cols - 4, y + h - 1};
	int i;

	for (i = 0; i < h; i++)
		ui_put(w, y + i, 0, cols, "", A_NORMAL, 1);
	ui_box(w, y, 0, h, cols, _("First steps (g hides this guide)"));
	ui_text_wrap(app->opts.guide, cols - 4, guide_line, &c);
}

/* ---- drawing ---- */

static void draw_title(struct ui_app *app, int cols)
{
	struct ui_screen *top = ui_app_top(app);
	struct ui_screen *base = NULL;
	char left[256];
	int i, used;

	for (i = app->depth - 1; i >= 0; i--)
		if (!app->stack[i]->overlay) {
			base = app->stack[i];
			break;
		}
	(void)top;
	snprintf(left, sizeof(left), " kubejit %s %s", ui_glyph(G_BULLET),
	         base ? (base->title ? base->title : _(base->ops->name)) : "");
	ui_put(stdscr, 0, 0, cols, left, ui_attr(R_TITLE), 1);
	used = ui_text_width(left);
	if (app->opts.banner) {
		int bw = ui_text_width(app->opts.banner) + 1;
		if (used + bw + 2 <= cols)
			ui_put(stdscr, 0, cols - bw, bw, app->opts.banner, ui_attr(R_TITLE), 1);
	}
}

static void draw_status(struct ui_app *app, int y, int cols)
{
	static const char *const spin_utf8[] = {"\u280b", "\u2819", "\u2839", "\u2838", "\u283c",
	                                        "\u2834", "\u2826", "\u2827", "\u2807", "\u280f"};
	static const char *const spin_ascii[] = {"|", "/", "-", "\\"};
	struct ui_screen *top = ui_app_top(app);
	unsigned scope;
	const struct ui_key *k;
	int x = 0;

	ui_put(stdscr, y, 0, cols, "", ui_attr(R_STATUS), 1);
	if ((app->job.running && !app->job.quiet) || app->pending.set) {
		const char *label = app->pending.set ? app->pending.label : app->job.label;
		int64_t t = app->opts.no_anim ? 0 : (kj_mono_ms() - app->job.started_ms) / 100;
		const char *f = ui_theme_utf8() ? spin_utf8[t % 10] : spin_ascii[t % 4];
		char line[700];
		int pd = atomic_load(&app->job.prog_done), pt = atomic_load(&app->job.prog_total);

		char jm[256];

		pthread_mutex_lock(&app->job_lock);
		snprintf(jm, sizeof(jm), "%s", app->job.msg);
		pthread_mutex_unlock(&app->job_lock);
		if (jm[0])
			snprintf(line, sizeof(line), " %s %s: %s  %s", f, label, jm, _("Esc: cancel"));
		else if (pt > 0)
			snprintf(line, sizeof(line), " %s %s (%d/%d)  %s", f, label, pd, pt,
			         _("Esc: cancel"));
		else
			snprintf(line, sizeof(line), " %s %s%s  %s", f, label, ui_glyph(G_ELLIPSIS),
			         _("Esc: cancel"));
		ui_put(stdscr, y, 0, cols, line, ui_attr(R_STATUS) | A_BOLD, 1);
		if (pt > 0 && cols > 60) {
			wattrset(stdscr, ui_attr(R_STATUS));
			ui_progress_draw(stdscr, y, cols - 30, 29, pd, pt);
			wattrset(stdscr, A_NORMAL);
		}
		return;
	}
	if (app->msg[0] && kj_mono_ms() < app->msg_until_ms) {
		char line[600];
		snprintf(line, sizeof(line), " %s", app->msg);
		ui_put(stdscr, y, 0, cols, line, ui_attr(R_STATUS) | (app->msg_error ? A_BOLD : 0), 1);
		return;
	}
	app->msg[0] = '\0';
	if (app->tip[0] && kj_mono_ms() < app->tip_until_ms) {
		char line[600];
		snprintf(line, sizeof(line), " %s", app->tip);
		ui_put_wrap(stdscr, y, 0, cols, 0, 1, y + 1, line, ui_attr(R_STATUS));
		return;
	}
	app->tip[0] = '\0';
	if (!top)
		return;
	scope = top->ops->cur_scope ? top->ops->cur_scope(top) : top->ops->scope;
	for (k = ui_keys_table(); k->act != ACT_NONE; k++) {
		char name[24];
		const char *comma;
		size_t n;
		int need;

		if (!k->label || !(k->scopes & scope) || (k->scopes == SC_ALL))
			continue;
		if (k->act == ACT_GUIDE && !app->opts.guide)
			continue;
		comma = strchr(k->names, ',');
		n = comma ? (size_t)(comma - k->names) : strlen(k->names);
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, k->names, n);
		name[n] = '\0';
		need = ui_text_width(name) + ui_text_width(_(k->label)) + 3;
		if (x + need > cols)
			break;
		x += ui_put(stdscr, y, x, cols - x, " ", ui_attr(R_STATUS), 0);
		x += ui_put(stdscr, y, x, cols - x, name, ui_attr(R_KEY), 0);
		x += ui_put(stdscr, y, x, cols - x, " ", ui_attr(R_STATUS), 0);
		x += ui_put(stdscr, y, x, cols - x, _(k->label), ui_attr(R_STATUS), 0);
		x += ui_put(stdscr, y, x, cols - x, " ", ui_attr(R_STATUS), 0);
	}
}

static void draw_too_small(void)
{
	char a[128], b[256];
	struct wrap_ctx c;
	int y = LINES / 2 - 2;

	snprintf(a, sizeof(a), _("Terminal too small: %dx%d"), COLS, LINES);
	snprintf(b, sizeof(b), _("kubejit needs at least %dx%d. Enlarge the window, or press Q to quit."),
	         UI_MIN_COLS, UI_MIN_LINES);
	if (y < 0)
		y = 0;
	ui_put(stdscr, y, 0, COLS, a, A_BOLD, 0);
	c.w = stdscr;
	c.y = y + 1;
	c.x = 0;
	c.cols = COLS;
	c.maxy = LINES;
	ui_text_wrap(b, COLS, guide_line, &c);
}

void ui_app_draw(struct ui_app *app)
{
	int base = 0, i;

	if (app->repaint) {
		clearok(curscr, TRUE);
		app->repaint = 0;
	}
	werase(stdscr);
	app->cur_y = -1;
	if (LINES < UI_MIN_LINES || COLS < UI_MIN_COLS) {
		draw_too_small();
	} else {
		for (i = app->depth - 1; i >= 0; i--)
			if (!app->stack[i]->overlay) {
				base = i;
				break;
			}
		draw_title(app, COLS);
		for (i = base; i < app->depth; i++) {
			struct ui_screen *s = app->stack[i];
			s->ops->draw(s, stdscr, 1, LINES - 2, COLS);
		}
		draw_status(app, LINES - 1, COLS);
	}
	if (app->cur_y >= 0) {
		curs_set(1);
		wmove(stdscr, app->cur_y, app->cur_x);
	} else {
		curs_set(0);
		wmove(stdscr, LINES - 1, 0);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---- input ---- */

static void handle_resize(struct ui_app *app)
{
	int i;

	for (i = 0; i < app->depth; i++)
		if (app->stack[i]->ops->resize)
			app->stack[i]->ops->resize(app->stack[i], LINES, COLS);
	app->repaint = 1;
}

void ui_app_resize(struct ui_app *app, int lines, int cols)
{
	resizeterm(lines, cols);
	handle_resize(app);
	ui_app_draw(app);
}

static void global_action(struct ui_app *app, int ch, enum ui_action act)
{
	switch (act) {
	case ACT_HELP:
		/* already on the Help screen: nothing to open */
		if (!(ui_app_top(app) && ui_app_top(app)->ops->cur_scope &&
		      ui_app_top(app)->ops->cur_scope(ui_app_top(app)) == SC_HELP))
			ui_app_push(app, ui_help_new(app));
		break;
	case ACT_JUMP:
		ui_app_push(app, ui_jump_new(app));
		break;
	case ACT_REDRAW:
		app->repaint = 1;
		break;
	case ACT_QUIT:
		app->quit = 1;
		break;
	case ACT_BACK:
		if (app->depth > 1)
			ui_app_pop(app);
		else
			app->quit = 1;
		break;
	default:
		(void)ch;
		break;
	}
}

static void dispatch(struct ui_app *app, int ch)
{
	struct ui_screen *top = ui_app_top(app);
	unsigned scope;
	enum ui_action act;

	if (LINES < UI_MIN_LINES || COLS < UI_MIN_COLS) {
		/* only the capital Q the message names: a stray q must not end a demo */
		if (ch == 'Q')
			app->quit = 1;
		return;
	}
	/* a running job takes Esc as "cancel" */
	if (app->pending.set && ch == 27) {
		struct pending_job p = app->pending;
		kj_err ce;
		memset(&app->pending, 0, sizeof(app->pending));
		kj_err_clear(&ce);
		kj_err_set(&ce, KJ_ERR_CANCELLED, "%s", _("cancelled"));
		if (p.done)
			p.done(NULL, p.arg, -1, &ce);
		ui_app_status(app, "%s", _("cancelled"));
		return;
	}
	if (app->job.running && !app->job.quiet && ch == 27) {
		atomic_store(&app->job.cancelled, 1);
		ui_app_status(app, _("cancelled: %s (the operation may still finish in the background)"),
		              app->job.label);
		return;
	}
	if (!top)
		return;
	scope = top->ops->cur_scope ? top->ops->cur_scope(top) : top->ops->scope;
	act = ui_keys_lookup(ch, scope);
	if (top->ops->key(top, ch, act) == UI_HANDLED)
		return;
	global_action(app, ch, act);
}

static void tick(struct ui_app *app)
{
	int64_t now = kj_mono_ms();
	int i, base = 0;

	if (now - app->last_tick_ms < 1000)
		return;
	app->last_tick_ms = now;
	for (i = app->depth - 1; i >= 0; i--)
		if (!app->stack[i]->overlay) {
			base = i;
			break;
		}
	for (i = base; i < app->depth; i++)
		if (app->stack[i]->ops->tick)
			app->stack[i]->ops->tick(app->stack[i]);
	if (app->idle && !app->job.running)
		app->idle(app, app->idle_ctx);
}

static int read_key(struct ui_app *app, int wait_ms)
{
	wint_t wch;
	int r;

	(void)app;
	wtimeout(stdscr, wait_ms);
	r = wget_wch(stdscr, &wch);
	if (r == ERR)
		return ERR;
	if (r == KEY_CODE_YES)
		return (int)wch;
	if (wch >= 256)
		return (int)wch | UI_WCHAR;
	return (int)wch;
}

int ui_app_step(struct ui_app *app, int wait_ms)
{
	int ch;

	if (got_stop) {
		app->quit = 1;
		return 1;
	}
	serve_plugin_tty();
	ch = read_key(app, wait_ms);
	if (ch == KEY_RESIZE)
		handle_resize(app);
	else if (ch != ERR)
		dispatch(app, ch);
	job_finish(app);
	tick(app);
	if (app->depth == 0)
		app->quit = 1;
	if (!app->quit)
		ui_app_draw(app);
	return app->quit;
}

void ui_app_settle(struct ui_app *app)
{
	while (app->job.running || app->pending.set) {
		ui_app_step(app, 5);
	}
	ui_app_step(app, 0);
}

int ui_app_run(struct ui_app *app)
{
	ui_app_draw(app);
	while (!app->quit) {
		/* a spinner needs 10 frames a second; a countdown needs one */
		int wait = app->job.running ? 100 : 250;
		ui_app_step(app, wait);
	}
	return got_stop ? 1 : 0;
}

void ui_app_force_tick(struct ui_app *app)
{
	app->last_tick_ms = kj_mono_ms() - 1000;
}

char *ui_app_screen_text(struct ui_app *app)
{
	kj_buf b;
	int y, x;

	(void)app;
	kj_buf_init(&b);
	for (y = 0; y < LINES; y++) {
		for (x = 0; x < COLS; x++) {
			cchar_t cc;
			wchar_t ws[CCHARW_MAX + 1];
			attr_t at;
			short pair;
			char mb[MB_LEN_MAX * (CCHARW_MAX + 1) + 1];
			size_t n;

			if (mvwin_wch(stdscr, y, x, &cc) == ERR ||
			    getcchar(&cc, ws, &at, &pair, NULL) == ERR) {
				kj_buf_addc(&b, ' ');
				continue;
			}
			if (!ws[0])
				continue;
			n = wcstombs(mb, ws, sizeof(mb));
			if (n == (size_t)-1)
				kj_buf_addc(&b, '?');
			else
				kj_buf_add(&b, mb, n);
		}
		kj_buf_addc(&b, '\n');
	}
	return kj_buf_steal(&b);
}
