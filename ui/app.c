/* The application loop: terminal set-up and teardown, signals, handing the
 * terminal to an interactive credential plugin, and the key loop.  The other
 * parts are listed in ui/app_priv.h. */
#include "ui/app_priv.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "engine/engine.h"
#include "ui/screens.h"
#include "ui/theme.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

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
	app->closing = 1;
	app_job_stop(app);
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

/* ---- input ---- */

void ui_app_resize(struct ui_app *app, int lines, int cols)
{
	resizeterm(lines, cols);
	app_resize_screens(app);
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
	case ACT_REQUESTS:
		/* also where the `:` menu is off (tests): the key is in the status bar */
		ui_jump_to(app, UI_SCR_REQUESTS);
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
		if (ui_keys_lookup(ch, SC_TOO_SMALL) == ACT_QUIT)
			app->quit = 1;
		return;
	}
	/* a running job takes Esc as "cancel" */
	if (ui_keys_lookup(ch, SC_BUSY) == ACT_CANCEL && app_job_esc(app))
		return;
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
	int i;

	if (now - app->last_tick_ms < 1000)
		return;
	app->last_tick_ms = now;
	for (i = app_base(app); i < app->depth; i++)
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
		app_resize_screens(app);
	else if (ch != ERR)
		dispatch(app, ch);
	app_job_finish(app);
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

int ui_key_char(int ch)
{
	if (ch & UI_WCHAR)
		return ch & ~UI_WCHAR;
	if (ch >= 32 && ch < 256 && ch != 127)
		return ch;
	return 0;
}
