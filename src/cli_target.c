/* `kubejit target ...` and `kubejit rbac ...`: saved cluster connections
 * and the RBAC manifests they need.
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

#include "cli.h"
#include "engine/engine.h"
#include "engine/preflight.h"
#include "engine/rbac_manifest.h"
#include "engine/target.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

#define MAX_INPUT (1024 * 1024)

/* ---- small helpers ---------------------------------------------------------- */

static int stdin_used;
/* --cert-warn DUR: warning window for expiring credentials (0 = the engine's) */
static int64_t cert_warn_arg;

/* Read a whole file (or stdin for "-") into memory.  Used for secrets too:
 * the caller wipes what it read. */
static int read_input(const char *path, const char *what, char **out, kj_err *e)
{
	FILE *f;
	kj_buf b;
	char chunk[4096];
	size_t n;

	*out = NULL;
	if (!strcmp(path, "-")) {
		if (stdin_used++) {
			kj_err_set(e, KJ_ERR_USAGE, _("only one input can come from stdin (%s)"), what);
			return kj_err_hint(e, _("put the others in files"));
		}
		f = stdin;
	} else if (!(f = fopen(path, "re"))) {
		kj_err_set(e, errno == ENOENT ? KJ_ERR_NOTFOUND : KJ_ERR_FAIL, _("cannot read %s %s: %s"),
		           what, path, strerror(errno));
		return kj_err_hint(e, _("check the path and that you may read it"));
	}
	kj_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len <= MAX_INPUT)
		kj_buf_add(&b, chunk, n);
	kj_wipe(chunk, sizeof(chunk));
	if (f != stdin)
		fclose(f);
	if (b.len > MAX_INPUT) {
		kj_buf_done(&b);
		return kj_err_set(e, KJ_ERR_INVALID, _("%s %s is larger than 1 MiB"), what, path);
	}
	*out = kj_buf_steal(&b);
	return 0;
}

static void print_json(cJSON *j)
{
	char *s = cJSON_Print(j);

	fputs(s, stdout);
	fputc('\n', stdout);
	free(s);
	cJSON_Delete(j);
}

static void add_time(cJSON *o, const char *key, int64_t t)
{
	char buf[32];

	if (!t) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	kj_time_rfc3339(t, buf, sizeof(buf));
	cJSON_AddStringToObject(o, key, buf);
}

static void add_str(cJSON *o, const char *key, const char *s)
{
	if (s)
		cJSON_AddStringToObject(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *target_json(const struct target *t)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", t->name);
	cJSON_AddStringToObject(o, "server", t->server);
	cJSON_AddStringToObject(o, "auth", target_auth_name(t->auth));
	add_str(o, "tlsServerName", t->tls_server_name);
	cJSON_AddBoolToObject(o, "hasCA", t->ca_pem != NULL);
	add_str(o, "identity", t->identity);
	cJSON_AddStringToObject(o, "health", target_health_name(t->health));
	add_time(o, "checkedAt", t->preflight_at);
	add_str(o, "summary", t->preflight_summary);
	add_time(o, "certNotAfter", t->cert_not_after);
	add_time(o, "tokenExpiresAt", t->token_expires_at);
	add_str(o, "tokenFile", t->token_file);
	add_str(o, "serviceAccountDir", t->sa_dir);
	add_str(o, "csrName", t->csr_name);
	add_str(o, "kubeconfig", t->kubeconfig_path);
	add_str(o, "context", t->kubeconfig_context);
	add_time(o, "createdAt", t->created_at);
	add_str(o, "createdBy", t->created_by);
	return o;
}

static int open_engine(const struct kj_globals *g, struct engine **en)
{
	kj_err e = {0};

	if (engine_open(g->home, en, &e) < 0)
		return cli_fail(&e);
	if (cert_warn_arg > 0)
		engine_set_cert_warn(*en, cert_warn_arg);
	return 0;
}

static void print_notices(FILE *f, char **notices, const struct kj_globals *g)
{
	if (g->quiet)
		return;
	for (; notices && *notices; notices++)
		fprintf(f, "%s %s\n", _("note:"), *notices);
}

static const char *mode_state(int ready, int partial)
{
	return ready ? _("ready") : partial ? _("expiry-only") : _("missing");
}

/* The human form of a preflight report; `full` lists every permission. */
static void print_report(const struct preflight_report *r, int full)
{
	char when[32];
	size_t i;

	kj_time_rfc3339(r->at, when, sizeof(when));
	printf(_("Checked:     %s (%s)\n"), when, target_health_name(r->health));
	if (r->failure) {
		printf(_("Failure:     %s\n"), r->failure);
		return;
	}
	printf(_("Server:      %s (%s%s)\n"), r->server, r->server_version ? r->server_version : "?",
	       r->tls_verified ? _(", TLS verified") : "");
	printf(_("Identity:    %s\n"), r->username ? r->username : _("(unknown)"));
	if (r->cert_not_after) {
		kj_time_rfc3339(r->cert_not_after, when, sizeof(when));
		printf(_("Certificate: expires %s\n"), when);
	}
	if (r->token_expires_at) {
		kj_time_rfc3339(r->token_expires_at, when, sizeof(when));
		printf(_("Token:       expires %s\n"), when);
	}
	printf(_("Fixed:       %s\n"), r->fixed_revocable ? _("ready (revocable tokens)")
	                               : r->fixed_ready   ? _("ready, expiry-only (no Secret permissions)")
	                                                  : _("missing permissions"));
	printf(_("Dynamic:     %s\n"), mode_state(r->dynamic_ready, 0));
	printf(_("Sweep:       %s\n"), mode_state(r->sweep_ready, 0));
	if (full) {
		printf(_("Permissions:\n"));
		for (i = 0; i < r->n_perms; i++) {
			const struct preflight_perm *p = &r->perms[i];
			char res[96];

			snprintf(res, sizeof(res), "%s%s%s", p->resource, p->group[0] ? "." : "", p->group);
			printf("  %-8s %-9s %-46s %s", preflight_state_name(p->state), p->verb, res,
			       _(p->why));
			if (p->state == PREFLIGHT_PARTIAL && p->namespaces) {
				fputs(_(" (only in"), stdout);
				for (char **n = p->namespaces; *n; n++)
					printf(" %s", *n);
				fputc(')', stdout);
			}
			fputc('\n', stdout);
		}
	}
	for (i = 0; r->notices && r->notices[i]; i++)
		printf("%s %s\n", _("note:"), r->notices[i]);
	if (r->fix_yaml_fixed) {
		printf(_("\nRBAC that grants what fixed mode lacks (apply with an admin context):\n---\n%s"),
		       r->fix_yaml_fixed);
	}
	if (full && r->fix_yaml_dynamic) {
		printf(_("\nRBAC that grants what dynamic mode and sweeps lack:\n---\n%s"),
		       r->fix_yaml_dynamic);
	}
}

/* ---- target add ------------------------------------------------------------- */

static void add_usage(FILE *f)
{
	fputs(
	    _("Usage: kubejit target add NAME --server URL [--ca-file F] [--tls-server-name N]\n"
	      "         ( --token-file F\n"
	      "         | --client-cert F --client-key F\n"
	      "         | --csr --cn CN [--org O] [--key-type rsa|ec] [--approve-timeout DUR]\n"
	      "                [--cert-ttl DUR] [--token-file F | --kubeconfig F --context C]\n"
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
	      "  --cert-ttl DUR         certificate lifetime to ask for (default: the signer's)\n"
	      "  --in-cluster           the pod's service account (KUBERNETES_SERVICE_HOST/PORT)\n"
	      "  --sa-dir DIR           service-account directory (default\n"
	      "                         /var/run/secrets/kubernetes.io/serviceaccount)\n"
	      "  --from-kubeconfig      copy server, CA and credentials from a kubeconfig context\n"
	      "  --kubeconfig F         kubeconfig file (default $KUBECONFIG, ~/.kube/config)\n"
	      "  --context C            context to use (default: current-context)\n"
	      "  --json                 print the saved target and preflight report as JSON\n"
	      "  --cert-warn DUR        warn when the credentials expire within DUR (default 30d,\n"
	      "                         or $KUBEJIT_CERT_WARN)\n\n"
	      "Examples:\n"
	      "  kubejit target add prod --server https://10.0.0.1:6443 --ca-file ca.crt --token-file "
	      "jit.token\n"
	      "  kubectl create token kubejit-jit -n kube-system | \\\n"
	      "    kubejit target add prod --server https://10.0.0.1:6443 --ca-file ca.crt --token-file -\n"
	      "  kubejit target add lab --server https://lab:6443 --ca-file ca.crt --csr --cn kubejit --org "
	      "ops\n"
	      "  kubejit target add here --in-cluster\n"
	      "  kubejit target add kind --from-kubeconfig --context kind-kind\n\n"
	      "Exit codes: 0 saved, 1 error (unreachable, TLS, rejected), 2 usage, 3 denied, 4 not found.\n"),
	    f);
}

static int progress_print(void *ud, const char *msg)
{
	(void)ud;
	if (msg)
		fprintf(stderr, "kubejit: %s\n", msg);
	return 0;
}

enum add_opt {
	O_SERVER = 256,
	O_CA,
	O_TLSNAME,
	O_TOKEN,
	O_CERT,
	O_KEY,
	O_CSR,
	O_CN,
	O_ORG,
	O_KEYTYPE,
	O_APPROVE,
	O_CERTTTL,
	O_INCLUSTER,
	O_SADIR,
	O_FROMKC,
	O_KUBECONFIG,
	O_CONTEXT,
	O_JSON,
	O_HELP,
	O_REVEAL,
	O_NAMESPACE,
	O_MODE,
	O_NAME,
	O_TOKENTTL,
	O_CERTWARN,
};

static int target_add_cmd(int argc, char **argv, const struct kj_globals *g)
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
	    {"cert-ttl", required_argument, NULL, O_CERTTTL},
	    {"in-cluster", no_argument, NULL, O_INCLUSTER},
	    {"sa-dir", required_argument, NULL, O_SADIR},
	    {"from-kubeconfig", no_argument, NULL, O_FROMKC},
	    {"kubeconfig", required_argument, NULL, O_KUBECONFIG},
	    {"context", required_argument, NULL, O_CONTEXT},
	    {"json", no_argument, NULL, O_JSON},
	    {"cert-warn", required_argument, NULL, O_CERTWARN},
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
			s.csr_cn = optarg;
			break;
		case O_ORG:
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
		case O_APPROVE:
		case O_CERTTTL:
			if (kj_ttl_parse(optarg, ch == O_APPROVE ? "--approve-timeout" : "--cert-ttl",
			                 ch == O_APPROVE ? &s.approve_timeout : &s.cert_seconds, &e) < 0)
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
			s.context = optarg;
			break;
		case O_JSON:
			json = 1;
			break;
		case O_CERTWARN:
			if (kj_ttl_parse(optarg, "--cert-warn", &cert_warn_arg, &e) < 0)
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

	if ((ca_file && read_input(ca_file, _("CA file"), &ca, &e) < 0) ||
	    (token_file && read_input(token_file, _("token file"), &token, &e) < 0) ||
	    (cert_file && read_input(cert_file, _("client certificate"), &cert, &e) < 0) ||
	    (key_file && read_input(key_file, _("client key"), &key, &e) < 0)) {
		rc = cli_fail(&e);
		goto out;
	}
	s.ca_pem = ca;
	s.token = token;
	s.client_cert_pem = cert;
	s.client_key_pem = key;
	s.progress = progress_print;
	if ((rc = open_engine(g, &en)) != 0)
		goto out;
	if (target_add(en, &s, &res, &e) < 0) {
		rc = cli_fail(&e);
		goto out;
	}
	if (json) {
		cJSON *j = cJSON_CreateObject();
		char **p;

		cJSON_AddItemToObject(j, "target", target_json(&res.target));
		cJSON_AddItemToObject(j, "preflight", preflight_report_to_json(res.report));
		cJSON *n = cJSON_AddArrayToObject(j, "notices");
		for (p = res.notices; p && *p; p++)
			cJSON_AddItemToArray(n, cJSON_CreateString(*p));
		print_json(j);
	} else {
		printf(_("target \"%s\" saved: %s, %s\n"), res.target.name, res.target.server,
		       target_auth_name(res.target.auth));
		if (res.csr_name)
			printf(_("certificate issued through CertificateSigningRequest %s\n"), res.csr_name);
		/* --quiet: the saved line is the result, the report a notice */
		if (!g->quiet)
			print_report(res.report, 0);
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

/* ---- list / show / check / rm ----------------------------------------------- */

static int one_name(int argc, char **argv, const char *cmd, int *json, int *reveal, const char ***nss,
                    void (*usage)(FILE *))
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, O_JSON},
	    {"reveal", no_argument, NULL, O_REVEAL},
	    {"namespace", required_argument, NULL, O_NAMESPACE},
	    {"cert-warn", required_argument, NULL, O_CERTWARN},
	    {"help", no_argument, NULL, O_HELP},
	    {NULL, 0, NULL, 0},
	};
	size_t n_ns = 0;
	kj_err e = {0};
	int ch;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case O_JSON:
			*json = 1;
			break;
		case O_REVEAL:
			if (!reveal)
				return cli_usage_error(cmd, _("--reveal only goes with 'target show'"));
			*reveal = 1;
			break;
		case O_CERTWARN:
			if (kj_ttl_parse(optarg, "--cert-warn", &cert_warn_arg, &e) < 0)
				return cli_fail(&e);
			break;
		case O_NAMESPACE:
			if (!nss)
				return cli_usage_error(cmd, _("--namespace only goes with 'target check'"));
			*nss = kj_xrealloc(*nss, (n_ns + 2) * sizeof(char *));
			(*nss)[n_ns++] = optarg;
			(*nss)[n_ns] = NULL;
			break;
		case 'h':
		case O_HELP:
			usage(stdout);
			return -1;
		default:
			return cli_usage_error(cmd, _("unknown option"));
		}
	}
	return 0;
}

static void list_usage(FILE *f)
{
	fputs(_("Usage: kubejit target list [--cert-warn DUR] [--json]\n"
	        "List saved targets with how they authenticate and their last preflight; targets\n"
	        "whose certificate or token expires within --cert-warn (default 30d, or\n"
	        "$KUBEJIT_CERT_WARN) are marked.\n\n"
	        "Examples:\n  kubejit target list\n  kubejit target list --json | jq -r '.[].name'\n\n"
	        "Exit codes: 0 ok, 1 error, 2 usage.\n"),
	      f);
}

static int target_list_cmd(int argc, char **argv, const struct kj_globals *g)
{
	struct engine *en;
	struct target *v;
	size_t n, i;
	int json = 0, rc;
	kj_err e = {0};

	if ((rc = one_name(argc, argv, "target list", &json, NULL, NULL, list_usage)) != 0)
		return rc < 0 ? 0 : rc;
	if (optind != argc)
		return cli_usage_error("target list", _("too many arguments"));
	if ((rc = open_engine(g, &en)) != 0)
		return rc;
	if (target_list(en, &v, &n, &e) < 0) {
		engine_close(en);
		return cli_fail(&e);
	}
	if (json) {
		cJSON *a = cJSON_CreateArray();

		for (i = 0; i < n; i++)
			cJSON_AddItemToArray(a, target_json(&v[i]));
		print_json(a);
	} else if (n == 0) {
		if (!g->quiet)
			fputs(_("No targets yet; add one with 'kubejit target add NAME ...'.\n"), stderr);
	} else {
		printf("%-20s %-12s %-6s %-40s %s\n", _("NAME"), _("AUTH"), _("HEALTH"), _("SERVER"),
		       _("IDENTITY"));
		for (i = 0; i < n; i++) {
			printf("%-20s %-12s %-6s %-40s %s", v[i].name, target_auth_name(v[i].auth),
			       target_health_name(v[i].health), v[i].server,
			       v[i].identity ? v[i].identity : "-");
			if (target_expiry_warning(en, &v[i])) {
				char left[32];

				kj_ttl_human(target_expires_in(&v[i]), left, sizeof(left));
				printf(_("  (credentials expire in %s)"), left);
			}
			fputc('\n', stdout);
		}
	}
	target_list_free(v, n);
	engine_close(en);
	return 0;
}

static void show_usage(FILE *f)
{
	fputs(_("Usage: kubejit target show NAME [--reveal] [--json]\n"
	        "Show a saved target and its last preflight.  Secret material (token, client key)\n"
	        "is shown only with --reveal.\n\n"
	        "Examples:\n  kubejit target show prod\n  kubejit target show prod --json\n\n"
	        "Exit codes: 0 ok, 1 error, 2 usage, 4 no such target.\n"),
	      f);
}

static int target_show_cmd(int argc, char **argv, const struct kj_globals *g)
{
	struct engine *en;
	struct target t;
	struct target_cred c = {0};
	struct preflight_report *r = NULL;
	int json = 0, reveal = 0, rc;
	char when[32];
	kj_err e = {0};

	if ((rc = one_name(argc, argv, "target show", &json, &reveal, NULL, show_usage)) != 0)
		return rc < 0 ? 0 : rc;
	if (optind + 1 != argc)
		return cli_usage_error("target show", _("give exactly one target NAME"));
	if ((rc = open_engine(g, &en)) != 0)
		return rc;
	if (target_get(en, argv[optind], &t, &e) < 0 || (reveal && target_get_cred(en, t.name, &c, &e) < 0)) {
		engine_close(en);
		return cli_fail(&e);
	}
	if (t.preflight_json)
		preflight_report_from_json(t.preflight_json, &r, &e);
	if (json) {
		cJSON *j = target_json(&t);

		if (t.ca_pem)
			cJSON_AddStringToObject(j, "caPEM", t.ca_pem);
		add_str(j, "clientCertificatePEM", t.client_cert_pem);
		if (reveal) {
			add_str(j, "token", c.token);
			add_str(j, "clientKeyPEM", c.client_key_pem);
		}
		if (r)
			cJSON_AddItemToObject(j, "preflight", preflight_report_to_json(r));
		else
			cJSON_AddNullToObject(j, "preflight");
		print_json(j);
	} else {
		printf(_("Target:      %s\n"), t.name);
		printf(_("Server:      %s\n"), t.server);
		if (t.tls_server_name)
			printf(_("TLS name:    %s\n"), t.tls_server_name);
		printf(_("CA:          %s\n"), t.ca_pem ? _("given (PEM)") : _("system trust store"));
		printf(_("Auth:        %s\n"), target_auth_name(t.auth));
		if (t.token_file)
			printf(_("Token file:  %s\n"), t.token_file);
		if (t.kubeconfig_context)
			printf(_("From:        context %s of %s\n"), t.kubeconfig_context, t.kubeconfig_path);
		if (t.csr_name)
			printf(_("CSR:         %s\n"), t.csr_name);
		kj_time_rfc3339(t.created_at, when, sizeof(when));
		printf(_("Created:     %s by %s\n"), when, t.created_by);
		if (reveal) {
			if (c.token)
				printf(_("Bearer token: %s\n"), c.token);
			if (t.client_cert_pem)
				printf(_("Client certificate:\n%s"), t.client_cert_pem);
			if (c.client_key_pem)
				printf(_("Client key:\n%s"), c.client_key_pem);
		} else if (c.token || t.auth == TARGET_AUTH_TOKEN || t.client_cert_pem) {
			printf(_("Secrets:     hidden (--reveal shows them)\n"));
		}
		if (r)
			print_report(r, 1);
		else
			printf(_("Checked:     never (run 'kubejit target check %s')\n"), t.name);
	}
	preflight_report_free(r);
	target_cred_done(&c);
	target_done(&t);
	engine_close(en);
	return 0;
}

static void check_usage(FILE *f)
{
	fputs(_("Usage: kubejit target check NAME [--namespace NS]... [--cert-warn DUR] [--json]\n"
	        "Run the preflight again: reach the cluster, verify TLS, ask who the credentials\n"
	        "are and which permissions each mode needs are held, and print the RBAC YAML that\n"
	        "grants what is missing.  --namespace adds namespaces to inspect for\n"
	        "namespace-only grants.\n\n"
	        "Examples:\n  kubejit target check prod\n  kubejit target check prod --namespace team-a "
	        "--json\n\n"
	        "Exit codes: 0 usable (permissions may be missing), 1 unreachable or rejected, 2 usage,\n"
	        "4 no such target.\n"),
	      f);
}

static int target_check_cmd(int argc, char **argv, const struct kj_globals *g)
{
	struct engine *en;
	struct preflight_report *r = NULL;
	const char **nss = NULL;
	int json = 0, rc;
	kj_err e = {0};

	if ((rc = one_name(argc, argv, "target check", &json, NULL, &nss, check_usage)) != 0) {
		free(nss);
		return rc < 0 ? 0 : rc;
	}
	if (optind + 1 != argc) {
		free(nss);
		return cli_usage_error("target check", _("give exactly one target NAME"));
	}
	if ((rc = open_engine(g, &en)) != 0) {
		free(nss);
		return rc;
	}
	rc = target_check(en, argv[optind], nss, &r, &e);
	if (r && json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "target", argv[optind]);
		cJSON_AddItemToObject(j, "preflight", preflight_report_to_json(r));
		print_json(j);
	} else if (r && rc == 0) {
		printf(_("Target:      %s\n"), argv[optind]);
		print_report(r, 1);
	}
	preflight_report_free(r);
	engine_close(en);
	free(nss);
	return rc < 0 ? cli_fail(&e) : 0;
}

static void rm_usage(FILE *f)
{
	fputs(_("Usage: kubejit target rm NAME [--json]\n"
	        "Remove a saved target and its secret material from the store.  Nothing changes on\n"
	        "the cluster.  Refused while secrets still use the target.\n\n"
	        "Example:\n  kubejit target rm old-lab\n\n"
	        "Exit codes: 0 removed, 1 error (still in use), 2 usage, 4 no such target.\n"),
	      f);
}

static int target_rm_cmd(int argc, char **argv, const struct kj_globals *g)
{
	struct engine *en;
	int json = 0, rc;
	kj_err e = {0};

	if ((rc = one_name(argc, argv, "target rm", &json, NULL, NULL, rm_usage)) != 0)
		return rc < 0 ? 0 : rc;
	if (optind + 1 != argc)
		return cli_usage_error("target rm", _("give exactly one target NAME"));
	if ((rc = open_engine(g, &en)) != 0)
		return rc;
	rc = target_remove(en, argv[optind], &e);
	engine_close(en);
	if (rc < 0)
		return cli_fail(&e);
	if (json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "removed", argv[optind]);
		print_json(j);
	} else if (!g->quiet) {
		printf(_("target \"%s\" removed\n"), argv[optind]);
	}
	return 0;
}

/* ---- bootstrap ----------------------------------------------------------------- */

static void bootstrap_usage(FILE *f)
{
	fputs(_("Usage: kubejit target bootstrap NAME --mode fixed|dynamic [--kubeconfig F] [--context C]\n"
	        "         [--namespace NS] [--name SA] [--token-ttl DUR] [--json]\n"
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
	        "Examples:\n  kubejit target bootstrap prod --mode dynamic --context prod-admin\n"
	        "  kubejit target bootstrap lab --mode fixed --namespace kubejit\n\n"
	        "Exit codes: 0 saved, 1 error, 2 usage, 3 the admin context may not, 4 no such context.\n"),
	      f);
}

static int target_bootstrap_cmd(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"mode", required_argument, NULL, O_MODE},
	    {"kubeconfig", required_argument, NULL, O_KUBECONFIG},
	    {"context", required_argument, NULL, O_CONTEXT},
	    {"namespace", required_argument, NULL, O_NAMESPACE},
	    {"name", required_argument, NULL, O_NAME},
	    {"token-ttl", required_argument, NULL, O_TOKENTTL},
	    {"json", no_argument, NULL, O_JSON},
	    {"help", no_argument, NULL, O_HELP},
	    {NULL, 0, NULL, 0},
	};
	struct target_bootstrap_spec s = {0};
	struct target_add_result res = {0};
	struct engine *en;
	int json = 0, mode = -1, ch, rc;
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
			s.context = optarg;
			break;
		case O_NAMESPACE:
			s.namespace_ = optarg;
			break;
		case O_NAME:
			s.sa_name = optarg;
			break;
		case O_TOKENTTL:
			if (kj_ttl_parse(optarg, "--token-ttl", &s.token_seconds, &e) < 0)
				return cli_fail(&e);
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
	if (mode < 0)
		return cli_usage_error("target bootstrap", _("--mode fixed|dynamic is required"));
	s.name = argv[optind];
	s.mode = (enum target_mode)mode;
	s.progress = progress_print;
	if ((rc = open_engine(g, &en)) != 0)
		return rc;
	if (target_bootstrap(en, &s, &res, &e) < 0) {
		engine_close(en);
		return cli_fail(&e);
	}
	if (json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddItemToObject(j, "target", target_json(&res.target));
		cJSON_AddItemToObject(j, "preflight", preflight_report_to_json(res.report));
		print_json(j);
	} else {
		printf(_("target \"%s\" saved: %s, %s mode, as %s\n"), res.target.name, res.target.server,
		       target_mode_name(s.mode), res.target.identity ? res.target.identity : "?");
		print_notices(stdout, res.notices, g);
	}
	target_add_result_done(&res);
	engine_close(en);
	return 0;
}

/* ---- dispatch ------------------------------------------------------------------- */

static const struct {
	const char *name;
	kj_cmd_fn run;
} target_cmds[] = {
    {"add", target_add_cmd},
    {"list", target_list_cmd},
    {"ls", target_list_cmd},
    {"show", target_show_cmd},
    {"check", target_check_cmd},
    {"rm", target_rm_cmd},
    {"bootstrap", target_bootstrap_cmd},
};

static void target_usage(FILE *f)
{
	fputs(_("Usage: kubejit target add|list|show|check|rm|bootstrap ...\n"
	        "Saved connections to clusters, checked before they are saved.\n\n"
	        "  add NAME ...          save a target (token, client certificate, CSR, in-cluster, "
	        "kubeconfig)\n"
	        "  list                  list targets\n"
	        "  show NAME [--reveal]  show one target and its last preflight\n"
	        "  check NAME            run the preflight again\n"
	        "  rm NAME               remove a target\n"
	        "  bootstrap NAME --mode fixed|dynamic   grant, mint and save with an admin context\n\n"
	        "Examples:\n"
	        "  kubejit target add prod --server https://10.0.0.1:6443 --ca-file ca.crt --token-file "
	        "jit.token\n"
	        "  kubejit target bootstrap lab --mode dynamic --context lab-admin\n"
	        "  kubejit target check prod\n\n"
	        "Run 'kubejit target SUBCOMMAND --help' for options and examples.\n"
	        "Exit codes: 0 ok, 1 error, 2 usage, 3 not allowed, 4 not found.\n"),
	      f);
}

int cli_target(int argc, char **argv, const struct kj_globals *g)
{
	size_t i;

	if (argc < 2)
		return cli_usage_error("target",
		                       _("missing a subcommand (add, list, show, check, rm, bootstrap)"));
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		target_usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(target_cmds) / sizeof(target_cmds[0]); i++) {
		if (!strcmp(argv[1], target_cmds[i].name)) {
			optind = 0;
			return target_cmds[i].run(argc - 1, argv + 1, g);
		}
	}
	return cli_usage_error("target", _("unknown subcommand \"%s\""), argv[1]);
}

/* ---- rbac ----------------------------------------------------------------------- */

static void rbac_usage(FILE *f)
{
	fputs(_("Usage: kubejit rbac fixed|dynamic [--namespace NS] [--name NAME]\n"
	        "Print the ServiceAccount, ClusterRole and ClusterRoleBinding a target needs:\n"
	        "  fixed    tokens for existing ServiceAccounts (the reference tokenrequest role)\n"
	        "           plus Secret permissions, so fixed tokens can be revoked\n"
	        "  dynamic  a new ServiceAccount, Role and binding per lease (the reference\n"
	        "           sa-request role) plus list permissions for cluster sweeps\n\n"
	        "  --namespace NS  namespace of the ServiceAccount (default kube-system)\n"
	        "  --name NAME     name of the ServiceAccount, ClusterRole and binding\n\n"
	        "Examples:\n  kubejit rbac dynamic | kubectl apply -f -\n"
	        "  kubejit rbac fixed --namespace kubejit --name jit-fixed > fixed.yaml\n\n"
	        "Exit codes: 0 ok, 2 usage (bad mode or name).\n"),
	      f);
}

int cli_rbac(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"namespace", required_argument, NULL, O_NAMESPACE},
	    {"name", required_argument, NULL, O_NAME},
	    {"help", no_argument, NULL, O_HELP},
	    {NULL, 0, NULL, 0},
	};
	struct rbac_manifest_opts o = {0};
	int mode, ch;
	char *yaml;
	kj_err e = {0};

	(void)g;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case O_NAMESPACE:
			o.namespace_ = optarg;
			break;
		case O_NAME:
			o.name = optarg;
			break;
		case 'h':
		case O_HELP:
			rbac_usage(stdout);
			return 0;
		default:
			return cli_usage_error("rbac", _("unknown option"));
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("rbac", _("give the mode: fixed or dynamic"));
	if ((mode = target_mode_parse(argv[optind])) < 0)
		return cli_usage_error("rbac", _("unknown mode \"%s\" (fixed or dynamic)"), argv[optind]);
	o.mode = (enum target_mode)mode;
	yaml = rbac_manifest_yaml(&o, &e);
	if (!yaml)
		return cli_fail(&e);
	fputs(yaml, stdout);
	free(yaml);
	return 0;
}
