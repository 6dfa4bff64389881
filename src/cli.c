#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "demo/demo.h"
#include "ui/ui.h"
#include "engine/engine.h"
#include "engine/lease.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/ttl.h"

/* `kubejit demo-cluster`: the demo cluster parses its own options. */
int cli_demo_cluster(int argc, char **argv, const struct kj_globals *g)
{
	(void)g;
	return demo_cluster_main(argc, argv);
}

/* One row per command; rows are added as commands land in src/cli_*.c. */
static const struct kj_cmd commands[] = {
    /* hidden (no summary): word lists for the shell completion scripts */
    {"__complete", cli_complete, NULL},
    {"target", cli_target, N_("saved cluster connections: add, list, show, check, rm, bootstrap")},
    {"rbac", cli_rbac, N_("print the RBAC a target needs for fixed or dynamic mode")},
    {"seal", cli_seal, N_("encrypt the targets' secret material under a passphrase")},
    {"demo-cluster", cli_demo_cluster, N_("run the embedded demo Kubernetes API server")},
    {"secret", cli_secret, N_("add, edit, list, show or remove dynamic secrets")},
    {"mint", cli_mint, N_("mint a credential from a secret (starts a lease)")},
    {"get", cli_get, N_("print an ExecCredential for kubectl (exec plugin)")},
    {"kubeconfig", cli_kubeconfig, N_("write a kubeconfig that runs 'kubejit get'")},
    {"leases", cli_leases, N_("list leases, or show one with its objects")},
    {"revoke", cli_revoke, N_("revoke leases now")},
    {"sweep", cli_sweep, N_("close expired leases and remove leftovers from clusters")},
    {"audit", cli_audit, N_("show the audit log")},
    {NULL, NULL, NULL},
};

const struct kj_cmd *cli_commands(void)
{
	return commands;
}

int cli_fail(const kj_err *e)
{
	fprintf(stderr, "kubejit: %s\n", e->msg[0] ? e->msg : kj_err_class_name(e->cls));
	if (e->hint[0])
		fprintf(stderr, "  %s %s\n", _("hint:"), e->hint);
	return kj_err_exit_code(e) ? kj_err_exit_code(e) : 1;
}

#define MAX_INPUT (1024 * 1024)

static int stdin_used;

/* Read a whole file (or stdin for "-") into memory.  Used for secrets too:
 * the caller wipes what it read. */
int cli_read_input(const char *path, const char *what, char **out, kj_err *e)
{
	FILE *f;
	kj_buf b;
	char chunk[4096];
	size_t n;
	struct termios old, hidden;
	int restore = 0;

	*out = NULL;
	if (!strcmp(path, "-")) {
		if (stdin_used++) {
			kj_err_set(e, KJ_ERR_USAGE, _("only one input can come from stdin (%s)"), what);
			return kj_err_hint(e, _("put the others in files"));
		}
		f = stdin;
		/* typed or pasted on a terminal: never echo a secret into the
		 * scrollback */
		if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0) {
			hidden = old;
			hidden.c_lflag &= ~(tcflag_t)ECHO;
			restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &hidden) == 0;
			fprintf(stderr, _("%s (not shown; end with Ctrl-D): "), what);
		}
	} else if (!(f = fopen(path, "re"))) {
		kj_err_set(e, errno == ENOENT ? KJ_ERR_NOTFOUND : KJ_ERR_FAIL, _("cannot read %s %s: %s"),
		           what, path, strerror(errno));
		return kj_err_hint(e, _("check the path and that you may read it"));
	}
	kj_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len <= MAX_INPUT)
		kj_buf_add(&b, chunk, n);
	kj_wipe(chunk, sizeof(chunk));
	if (restore) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (f != stdin)
		fclose(f);
	if (b.len > MAX_INPUT) {
		kj_buf_done(&b);
		return kj_err_set(e, KJ_ERR_INVALID, _("%s %s is larger than 1 MiB"), what, path);
	}
	*out = kj_buf_steal(&b);
	return 0;
}

int cli_parse_wait(const char *arg, const char *opt, int64_t *ms, kj_err *e)
{
	int64_t secs = 0;

	if (kj_ttl_parse(arg, opt, &secs, e) < 0)
		return -1;
	if (secs <= 0 || secs > 600) {
		kj_err_set(e, KJ_ERR_USAGE, _("%s %s is out of range"), opt, arg);
		return kj_err_hint(e, _("give a duration from 1s to 10m, e.g. %s 30s"), opt);
	}
	*ms = secs * 1000;
	return 0;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("kubejit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd)
		fprintf(stderr, _("Try 'kubejit %s --help' for more information.\n"), cmd);
	else
		fputs(_("Try 'kubejit --help' for more information.\n"), stderr);
	return 2;
}

static void usage(FILE *out)
{
	const struct kj_cmd *c;

	fprintf(out, _("Usage: kubejit [--home DIR] [--demo] [COMMAND [ARGS]]\n"
	               "Just-in-time Kubernetes credentials from a terminal.\n\n"
	               "Without a command, kubejit opens its terminal interface.\n\n"));
	fputs(_("Global options:\n"), out);
	fputs(_("  --home DIR     keep targets, secrets and leases in DIR (default $KUBEJIT_HOME,\n"
	        "                 else $XDG_DATA_HOME/kubejit)\n"
	        "  --demo         open the interface on a throwaway embedded demo cluster\n"
	        "  -q, --quiet    print results only, no notices\n"
	        "  -h, --help     show this help\n"
	        "  -V, --version  show the version\n"),
	      out);
	if (commands[0].name) {
		fputs(_("\nCommands:\n"), out);
		for (c = commands; c->name; c++)
			if (c->summary)
				fprintf(out, "  %-14s %s\n", c->name, _(c->summary));
		fputs(_("\nRun 'kubejit COMMAND --help' for a command's options and examples.\n"), out);
	}
	fputs(_("\nExit codes: 0 ok, 1 error, 2 usage, 3 not allowed, 4 not found.\n"), out);
}

static void version(void)
{
	printf("kubejit %s\n", PACKAGE_VERSION);
}

int cli_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"home", required_argument, NULL, 'H'}, {"demo", no_argument, NULL, 'D'},
	    {"quiet", no_argument, NULL, 'q'},      {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},    {NULL, 0, NULL, 0},
	};
	struct kj_globals g = {0};
	const struct kj_cmd *c;
	int demo = 0;
	int ch;

	g.home = getenv("KUBEJIT_HOME");
	g.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	/* '+': stop at the first non-option, the command parses the rest */
	while ((ch = getopt_long(argc, argv, "+qhV", opts, NULL)) != -1) {
		switch (ch) {
		case 'H':
			g.home = optarg;
			break;
		case 'D':
			demo = 1;
			break;
		case 'q':
			g.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			version();
			return 0;
		default:
			return cli_usage_error(NULL, _("unknown global option"));
		}
	}
	if (optind >= argc) {
		struct ui_main_opts uo = {g.home, demo};
		kj_err e;
		int rc;

		kj_err_clear(&e);
		rc = ui_main(&uo, &e);
		return rc < 0 ? cli_fail(&e) : rc;
	}
	if (demo)
		return cli_usage_error(NULL, _("--demo opens the interface; it takes no command"));
	if (!strcmp(argv[optind], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[optind], "version")) {
		version();
		return 0;
	}
	for (c = commands; c->name; c++) {
		if (!strcmp(c->name, argv[optind])) {
			int sub_argc = argc - optind;
			char **sub_argv = argv + optind;
			optind = 0; /* full getopt reset for the command */
			/* headless commands ask for a sealed store's passphrase on the terminal */
			engine_set_default_passphrase_fn(cli_ask_passphrase, NULL);
			return c->run(sub_argc, sub_argv, &g);
		}
	}
	return cli_usage_error(NULL, _("unknown command \"%s\""), argv[optind]);
}

/* A command waits for these on top of its own work: a few round trips at
 * most, the rest is left to the next command or the sweep. */
#define EXPIRE_DUE_MAX      32
#define EXPIRE_DUE_PARALLEL 8

void cli_expire_due(struct engine *en, const char *target, int quiet)
{
	struct lease_bulk_result res;
	kj_err e;

	kj_err_clear(&e);
	if (!en || !target || lease_expire_due(en, target, EXPIRE_DUE_MAX, EXPIRE_DUE_PARALLEL, &res, &e) < 0)
		return;
	if (quiet || !res.total)
		return;
	if (res.revoked)
		fprintf(stderr,
		        _("kubejit: closed %zu lease(s) of target %s past their TTL (no sweep had run)\n"),
		        res.revoked, target);
	if (res.failed)
		fprintf(stderr,
		        _("kubejit: %zu expired lease(s) of target %s could not be closed yet; "
		          "kubejit sweep retries them\n"),
		        res.failed, target);
}
