/* `kubejit target list|show|check|rm`, and how targets and preflight
 * reports are shown. */
#include "config.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/target.h"
#include "util/json.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

int64_t cli_target_cert_warn;

void cli_target_expiry_cells(const struct target *t, char *exp, size_t ne, char *ren, size_t nr)
{
	int64_t left = target_expires_in(t);
	char d[32];

	if (left == INT64_MAX) {
		snprintf(exp, ne, "-");
	} else if (left <= 0) {
		snprintf(exp, ne, "%s", _("expired"));
	} else {
		kj_ttl_human(left, d, sizeof(d));
		snprintf(exp, ne, _("in %s"), d);
	}
	if (!t->renewed_at) {
		snprintf(ren, nr, "%s", target_renew_due(t) ? _("never") : "-");
	} else {
		kj_ttl_human(kj_now() - t->renewed_at, d, sizeof(d));
		snprintf(ren, nr, _("%s ago"), d);
	}
}

/* Expiry and renewal lines of show and check. */
static void print_expiry(const struct target *t)
{
	char when[32];

	if (t->token_expires_at) {
		kj_time_rfc3339(t->token_expires_at, when, sizeof(when));
		printf(_("Expires:     %s (token)\n"), when);
	} else if (t->cert_not_after) {
		kj_time_rfc3339(t->cert_not_after, when, sizeof(when));
		printf(_("Expires:     %s (client certificate)\n"), when);
	}
	if (t->renew_sa) {
		if (t->renewed_at) {
			kj_time_rfc3339(t->renewed_at, when, sizeof(when));
			printf(
			    _("Renewed:     %s (ServiceAccount %s renews itself at 80%% of the lifetime)\n"),
			    when, t->renew_sa);
		} else {
			printf(_("Renewed:     never (ServiceAccount %s renews itself at 80%% of the "
			         "lifetime)\n"),
			       t->renew_sa);
		}
	} else if (t->token_expires_at || t->cert_not_after) {
		printf(_("Renewed:     cannot renew itself; replace it before it expires\n"));
	}
}

cJSON *cli_target_json(const struct target *t)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", t->name);
	cJSON_AddStringToObject(o, "server", t->server);
	cJSON_AddStringToObject(o, "auth", target_auth_name(t->auth));
	kj_json_add_str_or_null(o, "tlsServerName", t->tls_server_name);
	cJSON_AddBoolToObject(o, "hasCA", t->ca_pem != NULL);
	cJSON_AddStringToObject(o, "trust", t->ca_pem ? "ca" : "system");
	kj_json_add_str_or_null(o, "identity", t->identity);
	cJSON_AddStringToObject(o, "health", target_health_name(t->health));
	kj_json_add_time(o, "checkedAt", t->preflight_at);
	kj_json_add_str_or_null(o, "summary", t->preflight_summary);
	kj_json_add_time(o, "certExpiresAt", t->cert_not_after);
	kj_json_add_time(o, "tokenExpiresAt", t->token_expires_at);
	kj_json_add_str_or_null(o, "tokenFile", t->token_file);
	kj_json_add_str_or_null(o, "serviceAccountDir", t->sa_dir);
	kj_json_add_str_or_null(o, "csrName", t->csr_name);
	kj_json_add_str_or_null(o, "kubeconfig", t->kubeconfig_path);
	kj_json_add_str_or_null(o, "context", t->kubeconfig_context);
	if (t->exec_json)
		cJSON_AddItemToObject(o, "exec", cJSON_Parse(t->exec_json));
	else
		cJSON_AddNullToObject(o, "exec");
	kj_json_add_str_or_null(o, "proxyURL", t->proxy_url);
	kj_json_add_str_or_null(o, "renewServiceAccount", t->renew_sa);
	kj_json_add_time(o, "renewedAt", t->renewed_at);
	kj_json_add_time(o, "createdAt", t->created_at);
	kj_json_add_str_or_null(o, "createdBy", t->created_by);
	return o;
}

int cli_target_open_engine(const struct kj_globals *g, struct engine **en)
{
	kj_err e = {0};

	if (engine_open(g->home, en, &e) < 0)
		return cli_fail(&e);
	if (cli_target_cert_warn > 0)
		engine_set_cert_warn(*en, cli_target_cert_warn);
	return 0;
}

void cli_target_print_notices(FILE *f, char **notices, const struct kj_globals *g)
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
void cli_target_print_report(const struct preflight_report *r, int full)
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
			if (cli_parse_duration(optarg, "--cert-warn", 1, 365 * 24 * 3600,
			                       &cli_target_cert_warn, &e) < 0)
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
	        "Examples:\n  kubejit target list\n  kubejit target list --json | jq -r '.items[]?.name'\n\n"
	        "Exit codes: 0 ok, 1 error, 2 usage.\n"),
	      f);
}

int cli_target_list(int argc, char **argv, const struct kj_globals *g)
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
	if ((rc = cli_target_open_engine(g, &en)) != 0)
		return rc;
	if (target_list(en, &v, &n, &e) < 0) {
		engine_close(en);
		return cli_fail(&e);
	}
	if (json) {
		cJSON *a = cJSON_CreateArray();

		for (i = 0; i < n; i++)
			cJSON_AddItemToArray(a, cli_target_json(&v[i]));
		cli_print_json("Target", a);
	} else if (n == 0) {
		if (!g->quiet)
			fputs(_("No targets yet; add one with 'kubejit target add NAME ...'.\n"), stderr);
	} else {
		printf("%-20s %-12s %-6s %-9s %-9s %-40s %s\n", _("NAME"), _("AUTH"), _("HEALTH"),
		       _("EXPIRES"), _("RENEWED"), _("SERVER"), _("IDENTITY"));
		for (i = 0; i < n; i++) {
			char exp[32], ren[32];

			cli_target_expiry_cells(&v[i], exp, sizeof(exp), ren, sizeof(ren));
			printf("%-20s %-12s %-6s %-9s %-9s %-40s %s", v[i].name, target_auth_name(v[i].auth),
			       target_health_name(v[i].health), exp, ren, v[i].server,
			       v[i].identity ? v[i].identity : "-");
			if (target_expiry_warning(en, &v[i]) && !target_renew_due(&v[i])) {
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

int cli_target_show(int argc, char **argv, const struct kj_globals *g)
{
	struct engine *en;
	struct target_details d;
	const struct target *t = &d.t;
	const struct target_cred *c = &d.cred;
	int json = 0, reveal = 0, rc;
	char when[32];
	kj_err e = {0};

	if ((rc = one_name(argc, argv, "target show", &json, &reveal, NULL, show_usage)) != 0)
		return rc < 0 ? 0 : rc;
	if (optind + 1 != argc)
		return cli_usage_error("target show", _("give exactly one target NAME"));
	if ((rc = cli_target_open_engine(g, &en)) != 0)
		return rc;
	rc = target_details_get(en, argv[optind], reveal, &d, &e);
	engine_close(en);
	if (rc < 0)
		return cli_fail(&e);
	if (json) {
		cJSON *j = cli_target_json(t);

		if (t->ca_pem)
			cJSON_AddStringToObject(j, "caPEM", t->ca_pem);
		kj_json_add_str_or_null(j, "clientCertificatePEM", t->client_cert_pem);
		if (reveal) {
			kj_json_add_str_or_null(j, "token", c->token);
			kj_json_add_str_or_null(j, "clientKeyPEM", c->client_key_pem);
		}
		if (d.report)
			cJSON_AddItemToObject(j, "preflight", preflight_report_to_json(d.report));
		else
			cJSON_AddNullToObject(j, "preflight");
		cli_print_json("Target", j);
	} else {
		printf(_("Target:      %s\n"), t->name);
		printf(_("Server:      %s\n"), t->server);
		if (t->tls_server_name)
			printf(_("TLS name:    %s\n"), t->tls_server_name);
		printf(_("CA:          %s\n"), t->ca_pem
		                                   ? _("given (PEM), trusted alone: the system's CAs are not")
		                                   : _("none given: the system trust store is used"));
		printf(_("Auth:        %s\n"), target_auth_name(t->auth));
		if (t->token_file)
			printf(_("Token file:  %s\n"), t->token_file);
		if (t->kubeconfig_context)
			printf(_("From:        context %s of %s\n"), t->kubeconfig_context,
			       t->kubeconfig_path);
		if (t->exec_json) {
			char *cmd = target_exec_describe(t);

			printf(_("Exec plugin: %s\n"), cmd);
			free(cmd);
		}
		print_expiry(t);
		if (t->proxy_url) {
			char *px = target_proxy_display(t);

			printf(_("Proxy:       %s\n"), px);
			free(px);
		}
		if (t->csr_name)
			printf(_("CSR:         %s\n"), t->csr_name);
		kj_time_rfc3339(t->created_at, when, sizeof(when));
		printf(_("Created:     %s by %s\n"), when, t->created_by);
		if (reveal) {
			if (c->token)
				printf(_("Bearer token: %s\n"), c->token);
			if (t->client_cert_pem)
				printf(_("Client certificate:\n%s"), t->client_cert_pem);
			if (c->client_key_pem)
				printf(_("Client key:\n%s"), c->client_key_pem);
		} else if (c->token || t->auth == TARGET_AUTH_TOKEN || t->client_cert_pem) {
			printf(_("Secrets:     hidden (--reveal shows them)\n"));
		}
		if (d.report)
			cli_target_print_report(d.report, 1);
		else
			printf(_("Checked:     never (run 'kubejit target check %s')\n"), t->name);
	}
	target_details_done(&d);
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

int cli_target_check(int argc, char **argv, const struct kj_globals *g)
{
	struct engine *en;
	struct target_check_result cr;
	const struct preflight_report *r;
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
	if ((rc = cli_target_open_engine(g, &en)) != 0) {
		free(nss);
		return rc;
	}
	rc = target_check_report(en, argv[optind], nss, &cr, &e);
	r = cr.report;
	if (r && json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "target", argv[optind]);
		cJSON_AddItemToObject(j, "preflight", preflight_report_to_json(r));
		if (cr.have_target) {
			int64_t at = target_expires_in(&cr.t);

			kj_json_add_time(j, "expiresAt", at == INT64_MAX ? 0 : kj_now() + at);
			kj_json_add_time(j, "renewedAt", cr.t.renewed_at);
			kj_json_add_str_or_null(j, "renewServiceAccount", cr.t.renew_sa);
		}
		cli_print_json("TargetCheck", j);
	} else if (r && rc == 0) {
		printf(_("Target:      %s\n"), argv[optind]);
		cli_target_print_report(r, 1);
		if (cr.have_target)
			print_expiry(&cr.t);
	}
	target_check_result_done(&cr);
	if (rc == 0)
		cli_expire_due(en, argv[optind], g->quiet || json);
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

int cli_target_rm(int argc, char **argv, const struct kj_globals *g)
{
	struct engine *en;
	int json = 0, rc;
	kj_err e = {0};

	if ((rc = one_name(argc, argv, "target rm", &json, NULL, NULL, rm_usage)) != 0)
		return rc < 0 ? 0 : rc;
	if (optind + 1 != argc)
		return cli_usage_error("target rm", _("give exactly one target NAME"));
	if ((rc = cli_target_open_engine(g, &en)) != 0)
		return rc;
	rc = target_remove(en, argv[optind], &e);
	engine_close(en);
	if (rc < 0)
		return cli_fail(&e);
	if (json) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "removed", argv[optind]);
		cli_print_json("TargetRemoval", j);
	} else if (!g->quiet) {
		printf(_("target \"%s\" removed\n"), argv[optind]);
	}
	return 0;
}
