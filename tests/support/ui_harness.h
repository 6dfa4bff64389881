/* ui_harness: drive the terminal interface in a test without a tty.
 *
 * th_app_new() runs newterm() with LINES/COLUMNS pinned, TERM xterm-256color,
 * keys read from a pipe (th_pipe_keys) or pushed one by one (th_keys), the
 * output thrown away, a fake clock (th_now) and animations off.  The screen
 * is read back with th_screen() and compared with tests/support/golden/NAME.txt by
 * th_golden(); KJ_UPDATE_GOLDEN=1 rewrites the golden file instead. */
#ifndef KJ_TESTS_UI_HARNESS_H
#define KJ_TESTS_UI_HARNESS_H

#include <stdint.h>

#include "ui/app.h"

extern int64_t th_now;

struct th {
	struct ui_app *app;
	int pipe_w; /* write end of the key pipe */
	FILE *in, *out;
	int own_out;      /* out was opened here (else the caller's, left open) */
	char *locale_dir; /* a catalogue directory made for th_language(), or NULL */
};

/* `opts` may be NULL; its in/term/clock/no_anim are set here, and out
 * unless the caller gives one (to read what the terminal was sent). */
void th_start(struct th *t, int lines, int cols, struct ui_opts *opts);
/* Before th_start: show the interface in `lang` ("de"), from the catalogue
 * built in po/ (LANGUAGE with the C.UTF-8 locale, as no other is needed). */
void th_language(const char *lang);
void th_stop(struct th *t);
/* Push each byte of `s` as a key and handle it. */
void th_keys(struct th *t, const char *s);
/* Push one curses key code (KEY_DOWN, 27, ...) and handle it. */
void th_key(struct th *t, int key);
/* Write raw bytes into the input pipe (read by curses as a terminal would). */
void th_pipe_keys(struct th *t, const char *bytes);
/* Let one second pass on the fake clock and tick. */
void th_tick(struct th *t, int seconds);
/* The screen (malloc'd), and whether it contains `needle`. */
char *th_screen(struct th *t);
int th_screen_has(struct th *t, const char *needle);
/* Compare with tests/support/golden/NAME.txt; returns 1 when equal (or updated). */
int th_golden(struct th *t, const char *name);
/* ... with each `from` on the screen read as `to` (same length), for a
 * value the test cannot pin; NULL `from`: none. */
int th_golden_masked(struct th *t, const char *name, const char *from, const char *to);

#endif
