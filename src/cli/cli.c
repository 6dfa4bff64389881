/* cli: global options, the command tables and dispatch. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "ui/ui.h"
#include "util/i18n.h"

static const struct kj_cmd target_subs[] = {
    {"add", cli_target_add, N_("save a target (token, client certificate, CSR, in-cluster, kubeconfig)"),
     NULL, NULL},
    {"list", cli_target_list, N_("list targets"), NULL, NULL},
    {"ls", cli_target_list, NULL, NULL, NULL},
    {"show", cli_target_show, N_("show one target and its last preflight (--reveal: its credentials)"), NULL,
     NULL},
    {"check", cli_target_check, N_("run the preflight again"), NULL, NULL},
    {"rm", cli_target_rm, N_("remove a target"), NULL, NULL},
    {"bootstrap", cli_target_bootstrap, N_("grant, mint and save with an admin context"), NULL, NULL},
    {"renew", cli_target_renew, N_("renew the target's own ServiceAccount token now"), NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static const struct kj_cmd secret_subs[] = {
    {"add", cli_secret_add, N_("save a secret"), NULL, NULL},
    {"edit", cli_secret_edit, N_("change or rename a secret"), NULL, NULL},
    {"list", cli_secret_list, N_("list secrets, all or under a folder"), NULL, NULL},
    {"ls", cli_secret_list, NULL, NULL, NULL},
    {"show", cli_secret_show, N_("show one secret"), NULL, NULL},
    {"rm", cli_secret_rm, N_("remove a secret"), NULL, NULL},
    {"delete", cli_secret_rm, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static const struct kj_cmd rbac_subs[] = {
    {"fixed", cli_rbac_fixed, N_("tokens for existing ServiceAccounts, revocable through Secrets"), NULL,
     NULL},
    {"dynamic", cli_rbac_dynamic, N_("a new ServiceAccount, Role and binding per lease"), NULL, NULL},
    {"requester", cli_rbac_requester, N_("what a requester of access requests needs"), NULL, NULL},
    {"approver", cli_rbac_approver, N_("what an approver of access requests needs"), NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static const struct kj_cmd commands[] = {
    /* hidden (no summary): word lists for the shell completion scripts */
    {"__complete", cli_complete, NULL, NULL, NULL},
    {"target", NULL, N_("saved cluster connections: add, list, show, check, rm, bootstrap, renew"),
     target_subs, cli_target_usage},
    {"rbac", NULL, N_("print the RBAC a target (fixed, dynamic), requester or approver needs"), rbac_subs,
     cli_rbac_usage},
    {"seal", cli_seal, N_("encrypt the targets' secret material under a passphrase"), NULL, NULL},
    {"demo-cluster", cli_demo_cluster, N_("run the embedded demo Kubernetes API server"), NULL, NULL},
    {"secret", NULL, N_("add, edit, list, show or remove dynamic secrets"), secret_subs, cli_secret_usage},
    {"mint", cli_mint, N_("mint a credential from a secret (starts a lease)"), NULL, NULL},
    {"get", cli_get, N_("print an ExecCredential for kubectl (exec plugin)"), NULL, NULL},
    {"kubeconfig", cli_kubeconfig, N_("write a kubeconfig that runs 'kubejit get'"), NULL, NULL},
    {"leases", cli_leases, N_("list leases, or show one with its objects"), NULL, NULL},
    {"revoke", cli_revoke, N_("revoke leases now"), NULL, NULL},
    {"request", cli_request, N_("ask an approver for a credential; collect or cancel a request"), NULL, NULL},
    {"requests", cli_requests, N_("list access requests, or show one"), NULL, NULL},
    {"approve", cli_approve, N_("approve an access request: mint and seal it to the requester"), NULL, NULL},
    {"deny", cli_deny, N_("deny an access request with a reason"), NULL, NULL},
    {"sweep", cli_sweep, N_("close expired leases and remove leftovers from clusters"), NULL, NULL},
    {"audit", cli_audit, N_("show the audit log"), NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

const struct kj_cmd *cli_commands(void)
{
	return commands;
}

const struct kj_cmd *cli_find(const struct kj_cmd *table, const char *name)
{
	for (; table && table->name; table++)
		if (name && !strcmp(table->name, name))
			return table;
	return NULL;
}

/* "add, list, show" from the visible rows of a sub-command table. */
static void sub_names(const struct kj_cmd *subs, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (; subs->name; subs++) {
		if (!subs->summary)
			continue;
		len +=
		    (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s", len ? ", " : "", subs->name);
		if (len >= n)
			break;
	}
}

/* `kubejit CMD --help` for a command with sub-commands: its text, then the
 * table. */
static void sub_usage(const struct kj_cmd *c, FILE *out)
{
	const struct kj_cmd *s;

	c->usage(out);
	fputs(_("\nSubcommands:\n"), out);
	for (s = c->subs; s->name; s++)
		if (s->summary)
			fprintf(out, "  %-10s %s\n", s->name, _(s->summary));
	fprintf(out, _("\nRun 'kubejit %s SUBCOMMAND --help' for its options and examples.\n"), c->name);
}

/* Run row `c` with argv[0] its name; commands with sub-commands dispatch on
 * argv[1]. */
static int run_command(const struct kj_cmd *c, int argc, char **argv, const struct kj_globals *g)
{
	const struct kj_cmd *s;
	char names[160];

	optind = 0; /* full getopt reset for the command */
	if (!c->subs)
		return c->run(argc, argv, g);
	sub_names(c->subs, names, sizeof(names));
	if (argc < 2)
		return cli_usage_error(c->name, _("missing a subcommand (%s)"), names);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		sub_usage(c, stdout);
		return 0;
	}
	s = cli_find(c->subs, argv[1]);
	if (!s)
		return cli_usage_error(c->name, _("unknown subcommand \"%s\" (%s)"), argv[1], names);
	return s->run(argc - 1, argv + 1, g);
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

	cli_set_prog(argc > 0 ? argv[0] : NULL);
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
	c = cli_find(commands, argv[optind]);
	if (c) {
		cli_safe_output();
		/* headless commands ask for a sealed store's passphrase on the terminal */
		engine_set_default_passphrase_fn(cli_ask_passphrase, NULL);
		return run_command(c, argc - optind, argv + optind, &g);
	}
	return cli_usage_error(NULL, _("unknown command \"%s\""), argv[optind]);
}
