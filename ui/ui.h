/* ui: entry point of the terminal interface for src/cli/cli.c.
 *
 * ui_main() opens the engine on the user's home (or, with `demo`, starts the
 * in-process demo cluster with a throwaway home and sets up a target for
 * it), runs the interface on the controlling terminal and returns the
 * process exit code.  Errors before the interface starts are printed by the
 * caller from `e`. */
#ifndef KJ_UI_UI_H
#define KJ_UI_UI_H

#include <stdio.h>

#include "util/err.h"

struct ui_main_opts {
	const char *home; /* --home, NULL = the engine's default */
	int demo;         /* --demo */
};

/* Returns 0 on a normal quit, 1 after SIGINT/SIGTERM, -1 with `e` filled
 * when the interface could not start. */
int ui_main(const struct ui_main_opts *o, kj_err *e);

/* The key list for the man page (see keys.h). */
void ui_print_keys(FILE *out, int roff);

#endif
