/* `kubejit target add` and `target bootstrap`: saving cluster connections
 * (list, show, check and rm are in target_view.c).
 *
 * Secrets (tokens, keys) are read from files or stdin (`-`), never from
 * argv.  `show` prints secret material only with --reveal.  --json output
 * is one JSON document on stdout whose keys are stable. */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/target.h"
#include "engine/engine.h"
#include "engine/preflight.h"
#include "engine/target.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

/* A certificate subject's common name or organisation: X.509 allows 64
 * characters (ub-common-name, RFC 5280), and the cluster takes it as the
 * user or group name, so no control characters. */
static int check_subject_part(const char *opt, const char *v, kj_err *e)
{
	size_t n = strlen(v);

	if (!n || n > 64) {
		kj_err_set(e, KJ_ERR_USAGE, _("%s \"%s\" must be 1 to 64 characters long"), opt, v);
		return kj_err_hint(
		    e, _("give the user (--cn) or group (--org) name the cluster should see, e.g. "
		         "--cn jit-operator"));
	}
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			kj_err_set(e, KJ_ERR_USAGE, _("%s \"%s\" has a control character"), opt, v);
			return kj_err_hint(
			    e, _("give the user (--cn) or group (--org) name the cluster should see, "
			         "e.g. --cn jit-operator"));
		}
	return 0;
}

#define DAY  (24 * 3600)
#define YEAR (365 * DAY)

/* ---- small helpers ---------------------------------------------------------- */

/* ---- target add ------------------------------------------------------------- */

static void add_usage(FILE *f)
{
	fputs(
	    _("Usage: kubejit target add NAME [--replace] --server URL [--ca-file F] [--tls-server-name N]\n"
	      "         ( --token-file F\n"
	      "         | --client-cert F --client-key F\n"
	      "         | --csr --cn CN [--org O] [--key-type rsa|ec] [--approve-timeout DUR]\n"
	      "                [--issue-timeout DUR] [--cert-ttl DUR]\n"
	      "                [--token-file F | --kubeconfig F --context C]\n"
	      "         | --in-cluster [--sa-dir DIR]\n"
	      "         | --from-kubeconfig [--kubeconfig F] [--context C] ) [--json]\n"
	      "Save a connection to a cluster after checking it (preflight): nothing is saved\n"
	      "if the cluster cannot be reached or refuses the credentials.\n\n"
	      "  --server URL           the API server, https://HOST:PORT\n"
	      "  --ca-file F            the cluster's CA certificate (PEM)\n"
	      "  --tls-server-name N    verify the server certificate for this name\n"
	      "  --token-file F         bearer token from file F (- = stdin)\n"
	      "  --client-cert F        client certificate (PEM) ...\n"
	      "  --client-key F         ... and its private key (PEM; - = stdin)\n"
	      "  --csr                  make a key and get a certificate through a "
	      "CertificateSigningRequest,\n"
	      "                         submitted with --token-file or a kubeconfig context; approved by\n"
	      "                         kubejit when those credentials may, else by an admin\n"
	      "  --cn CN, --org O       the certificate's user name and group\n"
	      "  --key-type rsa|ec      RSA-2048 (default) or EC P-256\n"
	      "  --approve-timeout DUR  how long to wait for approval (default 5m)\n"
	      "  --issue-timeout DUR    how long the signer may take after approval (default 1m)\n"
	      "  --cert-ttl DUR         certificate lifetime to ask for (default: the signer's)\n"
	      "  --in-cluster           the pod's service account (KUBERNETES_SERVICE_HOST/PORT)\n"
	      "  --sa-dir DIR           service-account directory (default\n"
	      "                         /var/run/secrets/kubernetes.io/serviceaccount)\n"
	      "  --from-kubeconfig      copy server, CA and credentials from a kubeconfig context\n"
	      "  --kubeconfig F         kubeconfig file (default $KUBECONFIG, ~/.kube/config)\n"
	      "  --context C            context to use (default: current-context)\n"
	      "  --json                 print the saved target and preflight report as JSON\n"
	      "  --cert-warn DUR        warn when the credentials expire within DUR (default 30d,\n"
	      "                         or $KUBEJIT_CERT_WARN)\n"
	      "  --replace              give an existing target a new connection (rotated token, renewed\n"
	      "                         certificate); kept as it was unless the new one passes preflight\n\n"
	      "Examples:\n"
	      "  kubejit target add prod --server https://10.0.0.1:6443 --ca-file ca.crt --token-file "
	      "jit.token\n"
	      "  kubectl create token kubejit-jit -n kube-system | \\\n"
	      "    kubejit target add prod --server https://10.0.0.1:6443 --ca-file ca.crt --token-file -\n"
	      "  kubejit target add lab --server https://lab:6443 --ca-file ca.crt --csr --cn kubejit --org "
	      "ops\n"
	      "  kubejit target add here --in-cluster\n"
	      "  kubejit target add kind --from-kubeconfig --context kind-kind\n"
	      "  kubejit target add prod --replace --server https://10.0.0.1:6443 --ca-file ca.crt \\\n"
	      "    --token-file new.token\n\n"
	      "Exit codes: 0 saved, 1 error (unreachable, TLS, rejected), 2 usage, 3 denied, 4 not found.\n"),
	    f);
}

static int progress_print(void *ud, const char *msg)
{
	(void)ud;
	if (msg)
		fprintf(stderr, "%s: %s\n", cli_prog(), msg);
	return 0;
}

int cli_target_add(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"server", required_argument, NULL, O_SERVER},
	    {"ca-file", required_argument, NULL, O_CA},
	    {"tls-server-name", required_argument, NULL, O_TLSNAME},
	    {"token-file", required_argument, NULL, O_TOKEN},
	    {"client-cert", required_argument, NULL, O_CERT},
	    {"client-key", required_argument, NULL, O_KEY},
	    {"csr", no_argument, NULL, O_CSR},
	    {"cn", required_argument, NULL, O_CN},
	    {"org", required_argument, NULL, O_ORG},
	    {"key-type", required_argument, NULL, O_KEYTYPE},
	    {"approve-timeout", required_argument, NULL, O_APPROVE},
	    {"issue-timeout", required_argument, NULL, O_ISSUE},
	    {"cert-ttl", required_argument, NULL, O_CERTTTL},
	    {"in-cluster", no_argument, NULL, O_INCLUSTER},
	    {"sa-dir", required_argument, NULL, O_SADIR},
	    {"from-kubeconfig", no_argument, NULL, O_FROMKC},
	    {"kubeconfig", required_argument, NULL, O_KUBECONFIG},
	    {"context", required_argument, NULL, O_CONTEXT},
	    {"json", no_argument, NULL, O_JSON},
	    {"cert-warn", required_argument, NULL, O_CERTWARN},
	    {"replace", no_argument, NULL, O_REPLACE},
	    {"help", no_argument, NULL, O_HELP},
	    {NULL, 0, NULL, 0},
	};
	const char *ca_file = NULL, *token_file = NULL, *cert_file = NULL, *key_file = NULL;
	struct target_spec s = {0};
	struct target_add_result res = {0};
	struct engine *en = NULL;
	char *ca = NULL, *token = NULL, *cert = NULL, *key = NULL;
	int json = 0, strategies = 0, ch, rc;
	kj_err e = {0};

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case O_SERVER:
			s.server = optarg;
			break;
		case O_CA:
			ca_file = optarg;
			break;
		case O_TLSNAME:
			s.tls_server_name = optarg;
			break;
		case O_TOKEN:
			token_file = optarg;
			break;
		case O_CERT:
			cert_file = optarg;
			break;
		case O_KEY:
			key_file = optarg;
			break;
		case O_CSR:
			s.csr = 1;
			break;
		case O_CN:
		case O_ORG:
			if (check_subject_part(ch == O_CN ? "--cn" : "--org", optarg, &e) < 0)
				return cli_fail(&e);
			if (ch == O_CN)
				s.csr_cn = optarg;
			else
				s.csr_org = optarg;
			break;
		case O_KEYTYPE:
			if (!strcmp(optarg, "rsa"))
				s.key_type = TARGET_KEY_RSA2048;
			else if (!strcmp(optarg, "ec"))
				s.key_type = TARGET_KEY_EC_P256;
			else
				return cli_usage_error(
				    "target add", _("--key-type must be rsa or ec (got \"%s\")"), optarg);
			break;
		case O_ISSUE:
			if (cli_parse_duration(optarg, "--issue-timeout", 1, DAY, &s.issue_timeout, &e) < 0)
				return cli_fail(&e);
			break;
		case O_APPROVE:
		case O_CERTTTL:
			/* Kubernetes refuses a CSR expirationSeconds under 600
			 * (pkg/apis/certificates/validation/validation.go) */
			if (ch == O_APPROVE ? cli_parse_duration(optarg, "--approve-timeout", 1, DAY,
			                                         &s.approve_timeout, &e) < 0
			                    : cli_parse_duration(optarg, "--cert-ttl", 600, 10 * YEAR,
			                                         &s.cert_seconds, &e) < 0)
				return cli_fail(&e);
			break;
		case O_INCLUSTER:
			s.auth = TARGET_AUTH_IN_CLUSTER;
			strategies++;
			break;
		case O_SADIR:
			s.sa_dir = optarg;
			break;
		case O_FROMKC:
			s.auth = TARGET_AUTH_KUBECONFIG;
			strategies++;
			break;
		case O_KUBECONFIG:
			s.kubeconfig_path = optarg;
			break;
		case O_CONTEXT:
			if (!*optarg)
				return cli_usage_error("target", _("--context is empty; leave it out to use "
				                                   "the kubeconfig's current-context"));
			s.context = optarg;
			break;
		case O_JSON:
			json = 1;
			break;
		case O_REPLACE:
			s.replace = 1;
			break;
		case O_CERTWARN:
			if (cli_parse_duration(optarg, "--cert-warn", 1, YEAR, &cli_target_cert_warn, &e) < 0)
				return cli_fail(&e);
			break;
		case 'h':
		case O_HELP:
			add_usage(stdout);
			return 0;
		default:
			return cli_usage_error("target add", _("unknown option"));
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("target add", optind >= argc ? _("missing the target NAME")
		                                                    : _("too many arguments"));
	s.name = argv[optind];
	if (s.csr) {
		s.auth = TARGET_AUTH_CLIENT_CERT;
		strategies++;
		if (!s.csr_cn)
			return cli_usage_error("target add",
			                       _("--csr needs --cn (the certificate's user name)"));
	} else if (cert_file || key_file) {
		s.auth = TARGET_AUTH_CLIENT_CERT;
		strategies++;
		if (token_file)
			strategies++;
		if (!cert_file || !key_file)
			return cli_usage_error("target add", _("--client-cert and --client-key go together"));
	} else if (token_file) {
		s.auth = TARGET_AUTH_TOKEN;
		strategies++;
	}
	if (strategies != 1)
		return cli_usage_error("target add", strategies
		                                         ? _("choose only one way to authenticate")
		                                         : _("choose how to authenticate: --token-file, "
		                                             "--client-cert/--client-key, --csr, "
		                                             "--in-cluster or --from-kubeconfig"));
	if ((s.auth == TARGET_AUTH_TOKEN || (s.auth == TARGET_AUTH_CLIENT_CERT && !s.csr)) && !s.server)
		return cli_usage_error("target add", _("--server URL is required"));

	if ((ca_file && cli_read_input(ca_file, _("CA file"), &ca, &e) < 0) ||
	    (token_file && cli_read_input(token_file, _("token file"), &token, &e) < 0) ||
	    (cert_file && cli_read_input(cert_file, _("client certificate"), &cert, &e) < 0) ||
	    (key_file && cli_read_input(key_file, _("client key"), &key, &e) < 0)) {
		rc = cli_fail(&e);
		goto out;
	}
	if (ca && !ca[strspn(ca, " \t\r\n")]) {
		/* an empty CA would silently mean "trust the system's CAs" */
		kj_err_set(&e, KJ_ERR_USAGE, _("--ca-file %s is empty"), ca_file);
		kj_err_hint(&e, _("give the cluster's CA certificate (ca.crt, PEM), or leave out --ca-file "
		                  "to trust the system's CAs"));
		rc = cli_fail(&e);
		goto out;
	}
	if (s.tls_server_name &&
	    (!*s.tls_server_name || strlen(s.tls_server_name) > 253 ||
	     strspn(s.tls_server_name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                               "0123456789.-:") != strlen(s.tls_server_name))) {
		kj_err_set(&e, KJ_ERR_USAGE, _("--tls-server-name \"%s\" is not a host name"),
		           s.tls_server_name);
		kj_err_hint(&e, _("give the name in the server's certificate, e.g. --tls-server-name "
		                  "kubernetes.default.svc"));
		rc = cli_fail(&e);
		goto out;
	}
	s.ca_pem = ca;
	s.token = token;
	s.client_cert_pem = cert;
	s.client_key_pem = key;
	s.progress = progress_print;
	if ((rc = cli_target_open_engine(g, &en)) != 0)
		goto out;
	if (target_add(en, &s, &res, &e) < 0) {
		rc = cli_fail(&e);
		goto out;
	}
	if (json) {
		cJSON *j = cJSON_CreateObject();
		char **p;

		cJSON_AddItemToObject(j, "target", cli_target_json(&res.target));
		cJSON_AddItemToObject(j, "preflight", preflight_report_to_json(res.report));
		cJSON *n = cJSON_AddArrayToObject(j, "notices");
		for (p = res.notices; p && *p; p++)
			cJSON_AddItemToArray(n, cJSON_CreateString(*p));
		cli_print_json("TargetAddResult", j);
	} else {
		printf(s.replace ? _("target \"%s\" replaced: %s, %s\n") : _("target \"%s\" saved: %s, %s\n"),
		       res.target.name, res.target.server, target_auth_name(res.target.auth));
		if (res.csr_name)
			printf(_("certificate issued through CertificateSigningRequest %s\n"), res.csr_name);
		/* --quiet: the saved line is the result, the report a notice */
		if (!g->quiet)
			cli_target_print_report(res.report, 0);
	}
	rc = 0;
out:
	target_add_result_done(&res);
	engine_close(en);
	free(ca);
	kj_free_secret(token);
	free(cert);
	kj_free_secret(key);
	return rc;
}

/* ---- bootstrap ----------------------------------------------------------------- */

static void bootstrap_usage(FILE *f)
{
	fputs(_("Usage: kubejit target bootstrap NAME --mode fixed|dynamic [--kubeconfig F] [--context C]\n"
	        "         [--namespace NS] [--name SA] [--token-ttl DUR] [--json]\n"
	        "       kubejit target bootstrap --remove NAME [--yes] [--kubeconfig F] [--context C] "
	        "[--json]\n"
	        "With an admin context from your kubeconfig: create the ServiceAccount, ClusterRole\n"
	        "and ClusterRoleBinding the mode needs ('kubejit rbac MODE' shows them), mint the\n"
	        "ServiceAccount's token with TokenRequest, and save the target.\n\n"
	        "  --mode fixed|dynamic  the permissions to grant\n"
	        "  --context C           admin context (default: current-context)\n"
	        "  --namespace NS        namespace of the ServiceAccount (default kube-system)\n"
	        "  --name SA             ServiceAccount/role name (default kubejit-token-request or "
	        "kubejit-jit)\n"
	        "  --token-ttl DUR       lifetime of the target's token (default 1y; the cluster may cap "
	        "it)\n\n"
	        "  --remove              delete what bootstrap made for target NAME (found by its\n"
	        "                        label, listed first) and the target; refused while it has\n"
	        "                        live leases\n"
	        "  --yes                 with --remove: do not ask\n\n"
	        "Examples:\n  kubejit target bootstrap prod --mode dynamic --context prod-admin\n"
	        "  kubejit target bootstrap lab --mode fixed --namespace kubejit\n"
	        "  kubejit target bootstrap --remove lab --context lab-admin\n\n"
	        "Exit codes: 0 saved (removed), 1 error, 2 usage, 3 the admin context may not, 4 no such\n"
	        "context.\n"),
	      f);
}

static void print_found(const struct target_bootstrap_found *f)
{
	for (size_t i = 0; i < f->n; i++) {
		if (f->v[i].ns)
			printf("  %s %s/%s\n", f->v[i].kind, f->v[i].ns, f->v[i].name);
		else
			printf("  %s %s\n", f->v[i].kind, f->v[i].name);
	}
}

static cJSON *found_json(const struct target_bootstrap_found *f)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < f->n; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "kind", f->v[i].kind);
		kj_json_add_str_or_null(o, "namespace", f->v[i].ns);
		cJSON_AddStringToObject(o, "name", f->v[i].name);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

/* target bootstrap --remove NAME: list, ask (unless --yes), delete. */
static int bootstrap_remove(const struct target_bootstrap_spec *s, int yes, int json,
                            const struct kj_globals *g)
{
	struct target_bootstrap_found f = {0}, del = {0};
	struct engine *en;
	int rc, kept = 0;
	kj_err e = {0};

	if ((rc = cli_target_open_engine(g, &en)) != 0)
		return rc;
	if (target_bootstrap_find(en, s, &f, &e) < 0) {
		engine_close(en);
		return cli_fail(&e);
	}
	if (!yes) {
		char line[16] = "";

		if (!isatty(STDIN_FILENO)) {
			target_bootstrap_found_done(&f);
			engine_close(en);
			return cli_usage_error(
			    "target bootstrap",
			    _("standard input is not a terminal: give --yes to delete without "
			      "asking"));
		}
		if (f.n) {
			printf(_("Bootstrap made these for target \"%s\":\n"), s->name);
			print_found(&f);
		} else {
			printf(_("Nothing labelled %s=%s is left on the cluster.\n"), TARGET_BOOTSTRAP_LABEL,
			       s->name);
		}
		printf(_("Delete them and the target \"%s\"? [y/N] "), s->name);
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin) || (line[0] != 'y' && line[0] != 'Y')) {
			printf(_("Nothing was deleted.\n"));
			target_bootstrap_found_done(&f);
			engine_close(en);
			return 1;
		}
	}
	target_bootstrap_found_done(&f);
	if (target_bootstrap_remove(en, s, &del, &kept, &e) < 0) {
		engine_close(en);
		return cli_fail(&e);
	}
	if (json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "target", s->name);
		cJSON_AddItemToObject(j, "deleted", found_json(&del));
		cJSON_AddBoolToObject(j, "targetRemoved", !kept);
		cli_print_json("TargetBootstrapRemoval", j);
	} else {
		printf(_("deleted for target \"%s\":\n"), s->name);
		print_found(&del);
		if (!del.n)
			printf(_("  (nothing was left on the cluster)\n"));
		if (kept)
			printf(_("target \"%s\" is kept: secrets still use it ('kubejit secret list')\n"),
			       s->name);
		else
			printf(_("target \"%s\" removed\n"), s->name);
	}
	target_bootstrap_found_done(&del);
	engine_close(en);
	return 0;
}

int cli_target_bootstrap(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"mode", required_argument, NULL, O_MODE},
	    {"kubeconfig", required_argument, NULL, O_KUBECONFIG},
	    {"context", required_argument, NULL, O_CONTEXT},
	    {"namespace", required_argument, NULL, O_NAMESPACE},
	    {"name", required_argument, NULL, O_NAME},
	    {"token-ttl", required_argument, NULL, O_TOKENTTL},
	    {"remove", no_argument, NULL, O_REMOVE},
	    {"yes", no_argument, NULL, O_YES},
	    {"json", no_argument, NULL, O_JSON},
	    {"help", no_argument, NULL, O_HELP},
	    {NULL, 0, NULL, 0},
	};
	struct target_bootstrap_spec s = {0};
	struct target_add_result res = {0};
	struct engine *en;
	int json = 0, mode = -1, ch, rc, remove = 0, yes = 0;
	kj_err e = {0};

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case O_MODE:
			if ((mode = target_mode_parse(optarg)) < 0)
				return cli_usage_error("target bootstrap",
				                       _("--mode must be fixed or dynamic"));
			break;
		case O_KUBECONFIG:
			s.kubeconfig_path = optarg;
			break;
		case O_CONTEXT:
			if (!*optarg)
				return cli_usage_error("target", _("--context is empty; leave it out to use "
				                                   "the kubeconfig's current-context"));
			s.context = optarg;
			break;
		case O_NAMESPACE:
			s.namespace_ = optarg;
			break;
		case O_NAME:
			s.sa_name = optarg;
			break;
		case O_TOKENTTL:
			/* TokenRequest's expirationSeconds: at least 10 minutes
			 * (pkg/apis/authentication/validation/validation.go) */
			if (cli_parse_duration(optarg, "--token-ttl", 600, 10 * YEAR, &s.token_seconds, &e) <
			    0)
				return cli_fail(&e);
			break;
		case O_REMOVE:
			remove = 1;
			break;
		case O_YES:
			yes = 1;
			break;
		case O_JSON:
			json = 1;
			break;
		case 'h':
		case O_HELP:
			bootstrap_usage(stdout);
			return 0;
		default:
			return cli_usage_error("target bootstrap", _("unknown option"));
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("target bootstrap", _("give exactly one target NAME"));
	if (remove) {
		if (mode >= 0 || s.namespace_ || s.sa_name || s.token_seconds)
			return cli_usage_error(
			    "target bootstrap",
			    _("--remove takes only --kubeconfig, --context, --yes and --json"));
		s.name = argv[optind];
		return bootstrap_remove(&s, yes, json, g);
	}
	if (yes)
		return cli_usage_error("target bootstrap", _("--yes goes with --remove"));
	if (mode < 0)
		return cli_usage_error("target bootstrap", _("--mode fixed|dynamic is required"));
	s.name = argv[optind];
	s.mode = (enum target_mode)mode;
	s.progress = progress_print;
	if ((rc = cli_target_open_engine(g, &en)) != 0)
		return rc;
	if (target_bootstrap(en, &s, &res, &e) < 0) {
		engine_close(en);
		return cli_fail(&e);
	}
	if (json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddItemToObject(j, "target", cli_target_json(&res.target));
		cJSON_AddItemToObject(j, "preflight", preflight_report_to_json(res.report));
		cli_print_json("TargetBootstrapResult", j);
	} else {
		printf(_("target \"%s\" saved: %s, %s mode, as %s\n"), res.target.name, res.target.server,
		       target_mode_name(s.mode), res.target.identity ? res.target.identity : "?");
		cli_target_print_notices(stdout, res.notices, g);
	}
	target_add_result_done(&res);
	engine_close(en);
	return 0;
}

/* ---- renew ---------------------------------------------------------------------- */

static void renew_usage(FILE *f)
{
	fputs(_("Usage: kubejit target renew NAME [--json]\n"
	        "Renew the target's own token now: a TokenRequest for its ServiceAccount, asked with\n"
	        "the current token, for the same lifetime.  kubejit also does this by itself once\n"
	        "80%% of the token's lifetime has passed.  The new token is sealed like the first.\n"
	        "A client certificate made with --csr is renewed through a new\n"
	        "CertificateSigningRequest (new key, same user and lifetime), which the target\n"
	        "submits and approves itself, then waits for the signer; the old key is wiped.\n\n"
	        "Examples:\n  kubejit target renew prod\n\n"
	        "Exit codes: 0 renewed, 1 error (also: the target cannot renew), 3 not allowed,\n"
	        "4 no such target.\n"),
	      f);
}

int cli_target_renew(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, O_JSON},
	    {"help", no_argument, NULL, O_HELP},
	    {NULL, 0, NULL, 0},
	};
	struct target_renew_result res = {0};
	struct engine *en;
	int json = 0, ch, rc;
	char when[32];
	kj_err e = {0};

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case O_JSON:
			json = 1;
			break;
		case O_HELP:
		case 'h':
			renew_usage(stdout);
			return 0;
		default:
			renew_usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("target renew", _("give exactly one target NAME"));
	if ((rc = cli_target_open_engine(g, &en)) != 0)
		return rc;
	if (target_renew(en, argv[optind], &res, &e) < 0) {
		engine_close(en);
		return cli_fail(&e);
	}
	if (json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "target", argv[optind]);
		if (res.service_account)
			cJSON_AddStringToObject(j, "serviceAccount", res.service_account);
		if (res.csr_name)
			cJSON_AddStringToObject(j, "certificateSigningRequest", res.csr_name);
		kj_json_add_time(j, "renewedAt", res.renewed_at);
		kj_json_add_time(j, "expiresAt", res.expires_at);
		cJSON_AddNumberToObject(j, "expirationSeconds", (double)res.seconds);
		cli_print_json("TargetRenewal", j);
	} else {
		kj_time_rfc3339(res.expires_at, when, sizeof(when));
		if (res.csr_name)
			printf(_("target \"%s\": client certificate renewed (CertificateSigningRequest %s), "
			         "expires %s\n"),
			       argv[optind], res.csr_name, when);
		else
			printf(_("target \"%s\": token renewed (ServiceAccount %s), expires %s\n"),
			       argv[optind], res.service_account, when);
		for (char **w = res.warnings; w && *w; w++)
			printf(_("note: the cluster shortened the token: %s\n"), *w);
	}
	target_renew_result_done(&res);
	engine_close(en);
	return 0;
}

void cli_target_usage(FILE *f)
{
	fputs(_("Usage: kubejit target add|list|show|check|rm|bootstrap|renew ...\n"
	        "Saved connections to clusters, checked before they are saved.\n\n"
	        "Examples:\n"
	        "  kubejit target add prod --server https://10.0.0.1:6443 --ca-file ca.crt --token-file "
	        "jit.token\n"
	        "  kubejit target bootstrap lab --mode dynamic --context lab-admin\n"
	        "  kubejit target check prod\n\n"
	        "Exit codes: 0 ok, 1 error, 2 usage, 3 not allowed, 4 not found.\n"),
	      f);
}
