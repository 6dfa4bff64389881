/* `kubejit mint SECRET`: one mint, its credential in the asked format. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/lease.h"
#include "engine/mint.h"
#include "engine/output.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/strv.h"
#include "util/ttl.h"

static void mint_usage(FILE *out)
{
	fputs(
	    _("Usage: kubejit mint SECRET [--namespace NS] [--ttl DUR] [--audience A]...\n"
	      "                    (-o token|exec|exec-v1beta1|kubeconfig|json | --out FILE) [--force]\n"
	      "Mint a credential from a secret and start a lease.\n\n"
	      "The token is printed only in the format asked for with -o, or written to\n"
	      "--out FILE (mode 0600, never replacing a file unless --force; -o defaults\n"
	      "to kubeconfig then).  The lease summary goes to stderr.\n\n"
	      "Options:\n"
	      "  -n, --namespace NS   namespace (default: the secret's fixed or only one)\n"
	      "  -t, --ttl DUR        lease length, up to the secret's max (default: its TTL);\n"
	      "                       below 10m the token lives 10m but the lease is revoked at\n"
	      "                       the TTL by 'kubejit sweep'\n"
	      "  -a, --audience A     token audience (repeat; default: the secret's)\n"
	      "  -o, --output FMT     token, exec (ExecCredential v1), exec-v1beta1,\n"
	      "                       kubeconfig, json (lease details with the token)\n"
	      "      --out FILE       write the output to FILE instead of stdout\n"
	      "      --force          replace FILE if it exists\n"
	      "      --ready-timeout DUR  how long to wait for the cluster to accept the new\n"
	      "                       credential (default 10s): kubejit asks as a new dynamic\n"
	      "                       token before handing it over, and revokes it if it never\n"
	      "                       works\n"
	      "  -h, --help           show this help\n\n"
	      "Examples:\n"
	      "  kubejit mint /prod/read-pods --namespace dev --ttl 15m -o kubeconfig --out dev.kubeconfig\n"
	      "  KUBECONFIG=dev.kubeconfig kubectl get pods\n"
	      "  TOKEN=$(kubejit mint /dash/view -o token)\n"
	      "Exit codes: 0 ok, 1 error, 2 usage, 3 not allowed (namespace, TTL, RBAC), 4 not found.\n"),
	    out);
}

int cli_mint(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"namespace", required_argument, NULL, 'n'},
	    {"ttl", required_argument, NULL, 't'},
	    {"audience", required_argument, NULL, 'a'},
	    {"output", required_argument, NULL, 'o'},
	    {"out", required_argument, NULL, 'O'},
	    {"force", no_argument, NULL, 'f'},
	    {"ready-timeout", required_argument, NULL, 'R'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct mint_request req;
	struct mint_result res;
	struct kj_strv aud = {0};
	struct engine *en = NULL;
	enum output_format fmt = OUTPUT_KUBECONFIG;
	const char *out_file = NULL;
	int have_fmt = 0, force = 0, ch, rc = 0;
	char *text;
	kj_err e;

	memset(&req, 0, sizeof(req));
	kj_err_clear(&e);
	while ((ch = getopt_long(argc, argv, "n:t:a:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			req.ns = optarg;
			break;
		case 't':
			if (kj_ttl_parse(optarg, "--ttl", &req.ttl, &e) < 0) {
				kj_strv_done(&aud);
				return cli_fail(&e);
			}
			break;
		case 'a':
			kj_strv_push(&aud, optarg);
			break;
		case 'o':
			if (output_format_parse(optarg, &fmt, &e) < 0) {
				kj_strv_done(&aud);
				return cli_fail(&e);
			}
			have_fmt = 1;
			break;
		case 'O':
			out_file = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'R':
			if (cli_parse_wait(optarg, "--ready-timeout", &req.ready_timeout_ms, &e) < 0) {
				kj_strv_done(&aud);
				return cli_fail(&e);
			}
			break;
		case 'h':
			mint_usage(stdout);
			kj_strv_done(&aud);
			return 0;
		default:
			kj_strv_done(&aud);
			return cli_usage_error("mint", _("unknown option"));
		}
	}
	if (optind + 1 != argc) {
		kj_strv_done(&aud);
		return cli_usage_error("mint", _("mint takes one SECRET path"));
	}
	if (!have_fmt && !out_file) {
		kj_strv_done(&aud);
		return cli_usage_error(
		    "mint", _("say how to hand the credential over: -o token|exec|kubeconfig|json, "
		              "or --out FILE"));
	}
	/* refuse before minting, so no lease is made for nothing */
	if (out_file && cli_check_out_file(out_file, force, &e) < 0) {
		kj_strv_done(&aud);
		return cli_fail(&e);
	}
	req.secret = argv[optind];
	req.audiences = &aud;
	if (engine_open(g->home, &en, &e) < 0) {
		kj_strv_done(&aud);
		return cli_fail(&e);
	}
	if (mint_run(en, &req, &res, &e) < 0) {
		kj_strv_done(&aud);
		engine_close(en);
		return cli_fail(&e);
	}
	text = output_render(&res, fmt);
	if (out_file) {
		rc = output_write_file(out_file, text, force, &e);
	} else {
		fputs(text, stdout);
		fflush(stdout);
	}
	kj_free_secret(text);
	if (res.warning)
		fprintf(stderr, _("kubejit: warning: %s\n"), res.warning);
	if (!g->quiet && rc == 0) {
		char a[80], b[80];
		cli_when(res.lease_expiry, a, sizeof(a));
		cli_when(res.token_expiry, b, sizeof(b));
		fprintf(stderr, _("lease %s: %s in %s as %s\n  lease ends  %s\n  token dies  %s%s\n"),
		        res.lease_id, res.secret, res.ns, res.service_account ? res.service_account : "?", a,
		        b, res.revocable ? "" : _(" (expiry-only: cannot be revoked earlier)"));
		if (res.ready_ms >= 0)
			fprintf(stderr, _("  ready after %.2f s (asked as the new token: %s)\n"),
			        (double)res.ready_ms / 1000.0, res.ready_check);
		else if (res.ready_check)
			fprintf(stderr, _("  ready       %s\n"), res.ready_check);
		if (out_file)
			fprintf(stderr, _("  written to  %s\n"), out_file);
	}
	if (rc < 0) {
		/* the credential could not be handed over: do not leave it alive */
		kj_err re;
		lease_revoke(en, res.lease_id, &re);
	} else {
		cli_expire_due(en, res.target, g->quiet);
	}
	mint_result_done(&res);
	kj_strv_done(&aud);
	engine_close(en);
	return rc < 0 ? cli_fail(&e) : 0;
}
