/* cli: the headless command line, a front end of the engine.
 *
 * cli_main() parses the global options, then runs one row of the command
 * table in cli.c.  That table, with the sub-command tables of the commands
 * that have them, is the one list of what kubejit can be asked: dispatch,
 * `--help` and shell completion (`kubejit __complete`) all read it.
 *
 * Every command lives in src/cli/<command>.c and has one shape: parse its
 * options with getopt_long, make one engine call, print text or JSON.
 * Commands reach the cluster and the store only through the engine headers.
 * Results go to stdout, errors to stderr (one line "kubejit: <message>"
 * plus an indented hint; "kubectl jit:" when run as the kubectl plugin, see
 * cli_prog()), and the return value is the process exit code:
 * 0 ok, 1 error, 2 usage, 3 not allowed, 4 not found. */
#ifndef KJ_CLI_H
#define KJ_CLI_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "model/lease.h"
#include "util/err.h"
#include "util/i18n.h"

struct kj_globals {
	const char *home; /* --home or $KUBEJIT_HOME; NULL = XDG default */
	int quiet;        /* --quiet: only results, no notices */
	int color;        /* stdout is a terminal and NO_COLOR is unset */
};

typedef int (*kj_cmd_fn)(int argc, char **argv, const struct kj_globals *g);

/* One row of a command or sub-command table; tables end with a row whose
 * name is NULL. */
struct kj_cmd {
	const char *name;
	kj_cmd_fn run;             /* NULL when the command has sub-commands */
	const char *summary;       /* N_() marked, one line; NULL = hidden (aliases, __complete) */
	const struct kj_cmd *subs; /* sub-command table, or NULL */
	void (*usage)(FILE *out);  /* help text of a command with sub-commands */
};

int cli_main(int argc, char **argv);

/* The command table, for help output and completion. */
const struct kj_cmd *cli_commands(void);
/* The row called `name` in `table`, NULL when none. */
const struct kj_cmd *cli_find(const struct kj_cmd *table, const char *name);

/* ---- the program's name (prog.c) ---- */

/* "kubejit", or "kubectl jit" when run through the kubectl-jit link (kubectl
 * finds plugins as kubectl-NAME on PATH and runs them with that path as
 * argv[0]).  cli_set_prog() decides, from argv[0], before anything prints. */
void cli_set_prog(const char *argv0);
const char *cli_prog(void);
/* `s` with every invocation of kubejit ("kubejit: ...", "kubejit mint",
 * "'kubejit --help'") naming cli_prog() instead; prose that names the
 * program ("kubejit keeps ...") and names such as kubejit.io/lease are left
 * alone.  Returns `s` itself unless run as a kubectl plugin; the result lives
 * as long as the process. */
const char *cli_text(const char *s) __attribute__((format_arg(1)));
/* The same for a message built at run time; a new string to free(). */
char *cli_rename_invocations(const char *s);
/* Every translated message of the command line goes through cli_text(), so
 * help and errors show the command the user typed. */
#undef _
#if ENABLE_NLS
#define _(s) cli_text(gettext(s))
#else
#define _(s) cli_text(s)
#endif

/* ---- shared by the commands (common.c) ---- */

/* Print an error the way every command does, and return its exit code. */
int cli_fail(const kj_err *e);

/* From here on, standard output and error escape control sequences
 * (util/safetext.h; newlines and tabs pass): for commands, never for the
 * terminal interface, which draws with curses.  safeout.c */
void cli_safe_output(void);
/* Usage error for `cmd`: message, then "try 'kubejit CMD --help'". Returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Read a whole file, or stdin for "-" (once per process; not echoed on a
 * terminal), of at most 1 MiB.  Used for secrets too: the caller wipes what
 * it read.  `what` names the input in errors ("token file"). */
int cli_read_input(const char *path, const char *what, char **out, kj_err *e);
/* A bounded wait such as --ready-timeout or --wait-timeout: a duration
 * ("10s", "2m") above zero and at most 10 minutes, in milliseconds. */
/* Before any cluster work: --out FILE can be written (not empty, not an
 * existing file unless `force`, its folder writable), so nothing is minted
 * for a file that cannot take it. */
int cli_check_out_file(const char *path, int force, kj_err *e);
/* A duration option between min and max seconds, else a usage error that
 * names the option and the range. */
int cli_parse_duration(const char *arg, const char *opt, int64_t min, int64_t max, int64_t *secs, kj_err *e);
int cli_parse_wait(const char *arg, const char *opt, int64_t *ms, kj_err *e);
/* Print `body` as a kubejit JSON document of `kind` (util/json.h:
 * apiVersion and kind first, empty fields omitted; an array becomes a
 * KIND List) with a newline, then free it. */
void cli_print_json(const char *kind, cJSON *body);
/* "2026-01-02T03:04:05Z (in 14m)", or "-" for 0. */
void cli_when(int64_t t, char *buf, size_t n);

/* The lease filter options of `leases` and `revoke`. */
enum cli_lease_opt {
	CLI_LEASE_OPT_SECRET = 300,
	CLI_LEASE_OPT_TARGET,
	CLI_LEASE_OPT_STATE,
	CLI_LEASE_OPT_ALL,
	CLI_LEASE_OPT_JSON,
	CLI_LEASE_OPT_PARALLEL,
	CLI_LEASE_OPT_WAIT,
	CLI_LEASE_OPT_TOKEN_FILE,
	CLI_LEASE_OPT_WAIT_TIMEOUT,
	CLI_LEASE_OPT_CLUSTER,
};
/* Apply option `ch` (with optarg) to `f`: 1 taken, 0 not a filter option,
 * -1 bad value (`e` filled). */
int cli_lease_filter_option(int ch, struct lease_filter *f, kj_err *e);

struct engine;
/* After a command's own work on `target`: close that target's overdue
 * leases (engine lease_expire_due(), bounded), so leases expire even where
 * no sweep timer runs.  Says what it did on stderr unless `quiet`; never
 * changes the command's result. */
void cli_expire_due(struct engine *en, const char *target, int quiet);

/* The terminal prompt for the store passphrase (engine_set_passphrase_fn);
 * every command that opens an engine should install it (seal.c). */
char *cli_ask_passphrase(void *ud, int is_new);

/* ---- commands: one file each, named after the command ---- */

int cli_complete(int argc, char **argv, const struct kj_globals *g);     /* complete.c */
int cli_demo_cluster(int argc, char **argv, const struct kj_globals *g); /* demo_cluster.c */
int cli_get(int argc, char **argv, const struct kj_globals *g);          /* get.c */
int cli_kubeconfig(int argc, char **argv, const struct kj_globals *g);   /* kubeconfig.c */
int cli_mint(int argc, char **argv, const struct kj_globals *g);         /* mint.c */
int cli_leases(int argc, char **argv, const struct kj_globals *g);       /* leases.c */
int cli_revoke(int argc, char **argv, const struct kj_globals *g);       /* revoke.c */
int cli_sweep(int argc, char **argv, const struct kj_globals *g);        /* sweep.c */
int cli_audit(int argc, char **argv, const struct kj_globals *g);        /* audit.c */
int cli_seal(int argc, char **argv, const struct kj_globals *g);         /* seal.c */
/* request.c */
int cli_request(int argc, char **argv, const struct kj_globals *g);
int cli_requests(int argc, char **argv, const struct kj_globals *g);
int cli_approve(int argc, char **argv, const struct kj_globals *g);
int cli_deny(int argc, char **argv, const struct kj_globals *g);

/* rbac.c */
void cli_rbac_usage(FILE *out);
int cli_rbac_fixed(int argc, char **argv, const struct kj_globals *g);
int cli_rbac_dynamic(int argc, char **argv, const struct kj_globals *g);
int cli_rbac_requester(int argc, char **argv, const struct kj_globals *g);
int cli_rbac_approver(int argc, char **argv, const struct kj_globals *g);

/* secret.c */
void cli_secret_usage(FILE *out);
int cli_secret_add(int argc, char **argv, const struct kj_globals *g);
int cli_secret_edit(int argc, char **argv, const struct kj_globals *g);
int cli_secret_list(int argc, char **argv, const struct kj_globals *g);
int cli_secret_show(int argc, char **argv, const struct kj_globals *g);
int cli_secret_rm(int argc, char **argv, const struct kj_globals *g);

/* target.c (add, bootstrap) and target_view.c (list, show, check, rm) */
void cli_target_usage(FILE *out);
int cli_target_add(int argc, char **argv, const struct kj_globals *g);
int cli_target_bootstrap(int argc, char **argv, const struct kj_globals *g);
int cli_target_renew(int argc, char **argv, const struct kj_globals *g);
int cli_target_list(int argc, char **argv, const struct kj_globals *g);
int cli_target_show(int argc, char **argv, const struct kj_globals *g);
int cli_target_check(int argc, char **argv, const struct kj_globals *g);
int cli_target_rm(int argc, char **argv, const struct kj_globals *g);

#endif
