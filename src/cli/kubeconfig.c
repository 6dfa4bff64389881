/* `kubejit kubeconfig`: a kubeconfig whose user runs `kubejit get`. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/output.h"
#include "util/i18n.h"

static void kubeconfig_usage(FILE *out)
{
	fputs(_("Usage: kubejit kubeconfig SECRET [--namespace NS] [--out FILE] [--force]\n"
	        "                          [--ready-timeout DUR]\n"
	        "Write a kubeconfig whose user runs 'kubejit get SECRET' as a kubectl exec\n"
	        "plugin: every kubectl call gets a live credential, and one lease serves\n"
	        "many calls.  The file holds no token.  The cluster (server, CA, TLS server\n"
	        "name) is the secret's target; the context's namespace is the credential's.\n\n"
	        "Options:\n"
	        "  -n, --namespace NS  namespace of the credential and the context\n"
	        "  -o, --out FILE      write to FILE (mode 0600) instead of standard output\n"
	        "  -f, --force         replace FILE if it exists\n"
	        "      --ready-timeout DUR  passed to 'kubejit get': how long a new credential\n"
	        "                      may take to be accepted (default 10s)\n"
	        "  -h, --help          show this help\n\n"
	        "Examples:\n"
	        "  kubejit kubeconfig /prod/read-pods --namespace dev --out ~/.kube/dev-read\n"
	        "  KUBECONFIG=~/.kube/dev-read kubectl get pods\n"),
	      out);
}

int cli_kubeconfig(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"namespace", required_argument, NULL, 'n'},
	    {"out", required_argument, NULL, 'o'},
	    {"force", no_argument, NULL, 'f'},
	    {"ready-timeout", required_argument, NULL, 'R'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct output_plugin p = {0};
	const char *outpath = NULL;
	int64_t ready_ms = 0;
	char *text = NULL, *ctx = NULL;
	struct engine *en = NULL;
	kj_err e;
	int ch, force = 0, rc = 1;

	kj_err_clear(&e);
	while ((ch = getopt_long(argc, argv, "n:o:fh", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			p.ns = optarg[0] ? optarg : NULL;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'R':
			if (cli_parse_wait(optarg, "--ready-timeout", &ready_ms, &e) < 0)
				return cli_fail(&e);
			p.ready_timeout = optarg;
			break;
		case 'h':
			kubeconfig_usage(stdout);
			return 0;
		default:
			return cli_usage_error("kubeconfig", _("unknown option"));
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("kubeconfig", optind >= argc ? _("which secret? give its path")
		                                                    : _("too many arguments"));
	p.secret = argv[optind];
	if (outpath && cli_check_out_file(outpath, force, &e) < 0)
		return cli_fail(&e);
	if (engine_open(g->home, &en, &e) < 0 || output_plugin_kubeconfig(en, &p, &text, &ctx, &e) < 0)
		goto fail;
	if (outpath) {
		if (output_write_file(outpath, text, force, &e) < 0)
			goto fail;
		if (!g->quiet)
			fprintf(stderr, _("kubejit: wrote %s (context %s)\n"), outpath, ctx);
	} else {
		fputs(text, stdout);
	}
	rc = 0;
	goto out;
fail:
	rc = cli_fail(&e);
out:
	free(text);
	free(ctx);
	engine_close(en);
	return rc;
}
