/* cli: the headless command line.
 *
 * cli_main() parses the global options, then runs one command from the
 * table in cli.c; each command lives in its own src/cli_*.c and parses its
 * own options with getopt_long.  Commands write results to stdout, errors to
 * stderr (one line "kubejit: <message>" plus an indented hint) and return the
 * process exit code: 0 ok, 1 error, 2 usage, 3 not allowed, 4 not found. */
#ifndef KJ_CLI_H
#define KJ_CLI_H

#include <stdio.h>

#include <stdint.h>

#include "util/err.h"

struct engine;

struct kj_globals {
	const char *home; /* --home or $KUBEJIT_HOME; NULL = XDG default */
	int quiet;        /* --quiet: only results, no notices */
	int color;        /* stdout is a terminal and NO_COLOR is unset */
};

typedef int (*kj_cmd_fn)(int argc, char **argv, const struct kj_globals *g);

struct kj_cmd {
	const char *name;
	kj_cmd_fn run;
	const char *summary; /* N_() marked, one line; NULL = hidden command */
};

int cli_main(int argc, char **argv);

/* Command entry points (one per row of the table in cli.c). */
int cli_demo_cluster(int argc, char **argv, const struct kj_globals *g);

/* Print an error the way every command does, and return its exit code. */
int cli_fail(const kj_err *e);
/* Usage error for `cmd`: message, then "try 'kubejit CMD --help'". Returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read a whole file, or stdin for "-" (once per process; not echoed on a
 * terminal), of at most 1 MiB.  Used for secrets too: the caller wipes what
 * it read.  `what` names the input in errors ("token file"). */
int cli_read_input(const char *path, const char *what, char **out, kj_err *e);

/* A bounded wait such as --ready-timeout or --wait-timeout: a duration
 * ("10s", "2m") above zero and at most 10 minutes, in milliseconds. */
int cli_parse_wait(const char *arg, const char *opt, int64_t *ms, kj_err *e);

/* After a command's own work on `target`: close that target's overdue
 * leases (engine lease_expire_due(), bounded), so leases expire even where
 * no sweep timer runs.  Says what it did on stderr unless `quiet`; never
 * changes the command's result. */
void cli_expire_due(struct engine *en, const char *target, int quiet);

/* Commands (src/cli_*.c). */
int cli_get(int argc, char **argv, const struct kj_globals *g);        /* cli_get.c */
int cli_kubeconfig(int argc, char **argv, const struct kj_globals *g); /* cli_get.c */
int cli_complete(int argc, char **argv, const struct kj_globals *g);   /* cli_complete.c */
int cli_target(int argc, char **argv, const struct kj_globals *g);     /* cli_target.c */
int cli_rbac(int argc, char **argv, const struct kj_globals *g);       /* cli_rbac.c */
int cli_seal(int argc, char **argv, const struct kj_globals *g);       /* cli_seal.c */
/* The terminal prompt for the store passphrase (engine_set_passphrase_fn);
 * every command that opens an engine should install it. */
char *cli_ask_passphrase(void *ud, int is_new);
int cli_secret(int argc, char **argv, const struct kj_globals *g); /* cli_secret.c */
int cli_mint(int argc, char **argv, const struct kj_globals *g);   /* cli_mint.c */
int cli_leases(int argc, char **argv, const struct kj_globals *g); /* cli_mint.c */
int cli_revoke(int argc, char **argv, const struct kj_globals *g); /* cli_mint.c */
int cli_sweep(int argc, char **argv, const struct kj_globals *g);  /* cli_sweep.c */
int cli_audit(int argc, char **argv, const struct kj_globals *g);  /* cli_sweep.c */

/* The command table (NULL-terminated) for help output and completion.
 * Rows without a summary are hidden from the help. */
const struct kj_cmd *cli_commands(void);

#endif
