/* `kubejit demo-cluster`: the demo cluster in the foreground. */
#include "config.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "demo/demo.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/ttl.h"

static void usage(FILE *out)
{
	fputs(_("Usage: kubejit demo-cluster [OPTIONS]\n"
	        "Run the embedded demo Kubernetes API server in the foreground until\n"
	        "interrupted (Ctrl-C, SIGTERM).  Objects live in memory only; the CA, keys,\n"
	        "token files, the admin kubeconfig and developer.kubeconfig (the user\n"
	        "\"developer\", who may only request access) are kept in the state directory.\n\n"
	        "Options:\n"
	        "  --listen HOST:PORT            address to serve on (default 127.0.0.1:0, a free port)\n"
	        "  --state DIR                   keep CA, keys and tokens in DIR (default: a temporary\n"
	        "                                directory removed at exit)\n"
	        "  --kubeconfig FILE             write the admin kubeconfig to FILE\n"
	        "                                (default DIR/admin.kubeconfig)\n"
	        "  --max-token-expiration DUR    cap TokenRequest lifetimes (e.g. 24h; 1h or more)\n"
	        "  --seed FILE                   load these objects instead of the built-in seed\n"
	        "  -h, --help                    show this help\n\n"
	        "Production behaviour (on by default, as kube-apiserver v1.32 and\n"
	        "kube-controller-manager do; shorten the delays for tests, 0 turns one off):\n"
	        "  --token-cache-ttl DUR         successful token authentications are remembered\n"
	        "                                this long, so a revoked token keeps working until\n"
	        "                                then (apiserver token cache; default 10s)\n"
	        "  --rbac-delay DUR              RBAC changes reach the authorizer this much later\n"
	        "                                (informer caches; default 250ms)\n"
	        "  --gc-delay DUR                the garbage collector and the namespace controller\n"
	        "                                delete dependents and namespace content this much\n"
	        "                                later (default 1s)\n"
	        "  --csr-signer-delay DUR        an approved CertificateSigningRequest is signed\n"
	        "                                this much later (signer controller; default 1s)\n"
	        "  --csr-signer none             never sign kube-apiserver-client requests, as many\n"
	        "                                managed clusters (default: kube-apiserver-client)\n"
	        "  --max-inflight N              beyond N requests in flight answer 429 with\n"
	        "                                Retry-After: 1 (--max-requests-inflight; default\n"
	        "                                400, 0 = no limit)\n"
	        "  --latency DUR                 add this to every response, like a remote cluster\n"
	        "                                (default 0)\n"
	        "  --fault SPEC                  inject a failure, repeatable:\n"
	        "                                METHOD:PATH-GLOB:NTH:status=CODE|delay=DUR|drop\n"
	        "                                (METHOD may be *; also POST/GET/DELETE\n"
	        "                                /kubejit/faults as an admin at run time)\n"
	        "Durations: 250ms, 10s, 1m30s, 0.\n\n"
	        "Example:\n"
	        "  kubejit demo-cluster --listen 127.0.0.1:6443 --state ~/.kubejit-demo &\n"
	        "  KUBECONFIG=~/.kubejit-demo/admin.kubeconfig kubectl get pods -n dev\n"),
	      out);
}

/* A duration option: 0 means off, kept apart from "not given" (the default). */
static int duration(const char *arg, const char *what, int64_t *ms)
{
	kj_err e;

	kj_err_clear(&e);
	if (demo_duration_parse(arg, what, ms, &e) < 0) {
		fprintf(stderr, "%s: %s\n", cli_prog(), e.msg);
		return -1;
	}
	if (*ms == 0)
		*ms = DEMO_ZERO;
	return 0;
}

int cli_demo_cluster(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"state", required_argument, NULL, 's'},
	    {"kubeconfig", required_argument, NULL, 'k'},
	    {"max-token-expiration", required_argument, NULL, 'm'},
	    {"seed", required_argument, NULL, 'S'},
	    {"token-cache-ttl", required_argument, NULL, 'T'},
	    {"rbac-delay", required_argument, NULL, 'R'},
	    {"gc-delay", required_argument, NULL, 'G'},
	    {"csr-signer-delay", required_argument, NULL, 'C'},
	    {"csr-signer", required_argument, NULL, 'N'},
	    {"max-inflight", required_argument, NULL, 'I'},
	    {"latency", required_argument, NULL, 'L'},
	    {"fault", required_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct demo_opts o = {0};
	struct demo_cluster *dc;
	kj_err e;
	sigset_t set;
	int ch, sig, rc;
	const char **faults = kj_xcalloc((size_t)argc + 1, sizeof(*faults));
	size_t nfaults = 0;

	(void)g;
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
				fprintf(stderr, "%s: %s\n", cli_prog(), e.msg);
				goto usage_fail;
			}
			if (o.max_token_expiration < 3600 || o.max_token_expiration > 4294967296LL) {
				fprintf(
				    stderr,
				    _("kubejit: --max-token-expiration must be between 1h and 2^32 seconds "
				      "(got %s)\n"),
				    optarg);
				goto usage_fail;
			}
			break;
		case 'T':
			if (duration(optarg, "--token-cache-ttl", &o.token_cache_ttl_ms) < 0)
				goto usage_fail;
			break;
		case 'R':
			if (duration(optarg, "--rbac-delay", &o.rbac_delay_ms) < 0)
				goto usage_fail;
			break;
		case 'G':
			if (duration(optarg, "--gc-delay", &o.gc_delay_ms) < 0)
				goto usage_fail;
			break;
		case 'C':
			if (duration(optarg, "--csr-signer-delay", &o.csr_signer_delay_ms) < 0)
				goto usage_fail;
			break;
		case 'L':
			if (duration(optarg, "--latency", &o.latency_ms) < 0)
				goto usage_fail;
			break;
		case 'N':
			if (!strcmp(optarg, "none")) {
				o.csr_signer_none = 1;
			} else if (strcmp(optarg, "kube-apiserver-client")) {
				fprintf(stderr,
				        _("kubejit: --csr-signer wants none or kube-apiserver-client (got "
				          "\"%s\")\n"),
				        optarg);
				goto usage_fail;
			}
			break;
		case 'I': {
			char *end;
			long n = strtol(optarg, &end, 10);

			if (!*optarg || *end || n < 0 || n > 1000000) {
				fprintf(
				    stderr,
				    _("kubejit: --max-inflight wants a number of requests, 0 for no limit "
				      "(got \"%s\")\n"),
				    optarg);
				goto usage_fail;
			}
			o.max_inflight = n ? (int)n : DEMO_ZERO;
			break;
		}
		case 'F':
			faults[nfaults++] = optarg;
			break;
		case 'h':
			usage(stdout);
			free(faults);
			return 0;
		default:
			goto usage_fail;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("kubejit: demo-cluster takes no arguments (got \"%s\")\n"), argv[optind]);
		goto usage_fail;
	}
	o.faults = faults;
	/* block the signals before the server threads exist, so they inherit the mask */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	rc = demo_start(&o, &dc, &e);
	free(faults);
	if (rc < 0)
		return cli_fail(&e);
	printf(_("demo cluster listening on %s\n"), demo_url(dc));
	printf(_("admin kubeconfig: %s\n"), demo_kubeconfig_path(dc));
	printf(_("developer (may only request access): %s\n"), demo_developer_kubeconfig_path(dc));
	printf(_("account tokens:   %s/tokens/\n"), demo_state_dir(dc));
	fflush(stdout);
	sigwait(&set, &sig);
	demo_stop(dc);
	printf(_("demo cluster stopped (%s)\n"), sig == SIGINT ? "SIGINT" : "SIGTERM");
	return 0;
usage_fail:
	free(faults);
	fputs(_("Try 'kubejit demo-cluster --help' for more information.\n"), stderr);
	return 2;
}
