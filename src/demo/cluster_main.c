/* cluster_main: `kubejit demo-cluster`, the demo cluster in the foreground.
 * The one place in src/demo that prints. */
#include "demo/internal.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "util/i18n.h"
#include "util/ttl.h"

static void usage(FILE *out)
{
	fputs(_("Usage: kubejit demo-cluster [OPTIONS]\n"
	        "Run the embedded demo Kubernetes API server in the foreground until\n"
	        "interrupted (Ctrl-C, SIGTERM).  Objects live in memory only; the CA, keys,\n"
	        "token files and the admin kubeconfig are kept in the state directory.\n\n"
	        "Options:\n"
	        "  --listen HOST:PORT            address to serve on (default 127.0.0.1:0, a free port)\n"
	        "  --state DIR                   keep CA, keys and tokens in DIR (default: a temporary\n"
	        "                                directory removed at exit)\n"
	        "  --kubeconfig FILE             write the admin kubeconfig to FILE\n"
	        "                                (default DIR/admin.kubeconfig)\n"
	        "  --max-token-expiration DUR    cap TokenRequest lifetimes (e.g. 24h; 1h or more)\n"
	        "  --seed FILE                   load these objects instead of the built-in seed\n"
	        "  -h, --help                    show this help\n\n"
	        "Example:\n"
	        "  kubejit demo-cluster --listen 127.0.0.1:6443 --state ~/.kubejit-demo &\n"
	        "  KUBECONFIG=~/.kubejit-demo/admin.kubeconfig kubectl get pods -n dev\n"),
	      out);
}

int demo_cluster_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"state", required_argument, NULL, 's'},
	    {"kubeconfig", required_argument, NULL, 'k'},
	    {"max-token-expiration", required_argument, NULL, 'm'},
	    {"seed", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct demo_opts o = {0};
	struct demo_cluster *dc;
	kj_err e;
	sigset_t set;
	int ch, sig;

	kj_err_clear(&e);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			o.listen = optarg;
			break;
		case 's':
			o.state_dir = optarg;
			break;
		case 'k':
			o.kubeconfig_out = optarg;
			break;
		case 'S':
			o.seed_file = optarg;
			break;
		case 'm':
			if (kj_ttl_parse(optarg, "--max-token-expiration", &o.max_token_expiration, &e) < 0) {
				fprintf(stderr, "kubejit: %s\n", e.msg);
				return 2;
			}
			if (o.max_token_expiration < 3600 || o.max_token_expiration > 4294967296LL) {
				fprintf(
				    stderr,
				    _("kubejit: --max-token-expiration must be between 1h and 2^32 seconds "
				      "(got %s)\n"),
				    optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fputs(_("Try 'kubejit demo-cluster --help' for more information.\n"), stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("kubejit: demo-cluster takes no arguments (got \"%s\")\n"), argv[optind]);
		fputs(_("Try 'kubejit demo-cluster --help' for more information.\n"), stderr);
		return 2;
	}
	/* block the signals before the server threads exist, so they inherit the mask */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (demo_start(&o, &dc, &e) < 0) {
		fprintf(stderr, "kubejit: %s\n", e.msg);
		if (e.hint[0])
			fprintf(stderr, "  %s %s\n", _("hint:"), e.hint);
		return kj_err_exit_code(&e) ? kj_err_exit_code(&e) : 1;
	}
	printf(_("demo cluster listening on %s\n"), demo_url(dc));
	printf(_("admin kubeconfig: %s\n"), demo_kubeconfig_path(dc));
	printf(_("account tokens:   %s/tokens/\n"), demo_state_dir(dc));
	fflush(stdout);
	sigwait(&set, &sig);
	demo_stop(dc);
	printf(_("demo cluster stopped (%s)\n"), sig == SIGINT ? "SIGINT" : "SIGTERM");
	return 0;
}
