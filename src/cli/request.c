/* `kubejit request`, `requests`, `approve`, `deny`: access requests with
 * approval (engine/request.h). */
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
#include "engine/output.h"
#include "engine/request.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

enum {
	O_TARGET = 400,
	O_REASON,
	O_EXPIRES,
	O_WAIT,
	O_COLLECT,
	O_CANCEL,
	O_OUT,
	O_FORCE,
	O_JSON,
	O_ALL,
	O_WAIT_TIMEOUT,
	O_READY,
};

static cJSON *request_json(const struct request *r)
{
	cJSON *o = cJSON_CreateObject(), *g = cJSON_CreateArray();
	size_t i;

	cJSON_AddStringToObject(o, "id", r->id ? r->id : "");
	kj_json_add_str_or_null(o, "target", r->target);
	kj_json_add_str_or_null(o, "requester", r->requester);
	for (i = 0; i < r->requester_groups.n; i++)
		cJSON_AddItemToArray(g, cJSON_CreateString(r->requester_groups.v[i]));
	cJSON_AddItemToObject(o, "requesterGroups", g);
	kj_json_add_str_or_null(o, "secret", r->secret);
	kj_json_add_str_or_null(o, "namespace", r->ns);
	if (r->ttl)
		cJSON_AddNumberToObject(o, "ttlSeconds", (double)r->ttl);
	kj_json_add_str_or_null(o, "reason", r->reason);
	cJSON_AddStringToObject(o, "state", request_state_name(r->state));
	kj_json_add_time(o, "createdAt", r->created_at);
	kj_json_add_time(o, "expiresAt", r->expires_at);
	kj_json_add_str_or_null(o, "decidedBy", r->decided_by);
	kj_json_add_time(o, "decidedAt", r->decided_at);
	kj_json_add_str_or_null(o, "denyReason", r->deny_reason);
	kj_json_add_str_or_null(o, "lease", r->lease_id);
	cJSON_AddBoolToObject(o, "delivered", r->delivered);
	cJSON_AddBoolToObject(o, "mine", r->mine);
	return o;
}

static void request_show(const struct request *r)
{
	char when[80], *g = kj_strv_join(&r->requester_groups, ", ");

	printf("%-12s %s\n", _("Request:"), r->id);
	printf("%-12s %s\n", _("State:"), request_state_name(r->state));
	printf("%-12s %s  (%s: %s)\n", _("Requester:"), r->requester ? r->requester : "?", _("groups"), g);
	printf("%-12s %s\n", _("Secret:"), r->secret ? r->secret : "?");
	printf("%-12s %s\n", _("Namespace:"), r->ns ? r->ns : _("(the secret's)"));
	if (r->ttl) {
		char t[32];

		kj_ttl_format(r->ttl, t, sizeof t);
		printf("%-12s %s\n", _("TTL:"), t);
	} else {
		printf("%-12s %s\n", _("TTL:"), _("(the secret's default)"));
	}
	printf("%-12s %s\n", _("Reason:"), r->reason ? r->reason : "");
	cli_when(r->created_at, when, sizeof when);
	printf("%-12s %s\n", _("Created:"), when);
	cli_when(r->expires_at, when, sizeof when);
	printf("%-12s %s\n", _("Expires:"), when);
	if (r->decided_by)
		printf("%-12s %s\n", _("Decided by:"), r->decided_by);
	if (r->deny_reason)
		printf("%-12s %s\n", _("Denied:"), r->deny_reason);
	if (r->lease_id)
		printf("%-12s %s\n", _("Lease:"), r->lease_id);
	free(g);
}

static int open_engine(const struct kj_globals *g, struct engine **en, kj_err *e)
{
	return engine_open(g->home, en, e);
}

/* ---- kubejit request ----------------------------------------------------------- */

static void request_usage(FILE *out)
{
	fputs(_("Usage: kubejit request SECRET --reason TEXT [--namespace NS] [--ttl DUR]\n"
	        "                       [--expires-in DUR] [--target T] [--wait [-o FMT | --out FILE]]\n"
	        "       kubejit request --collect ID [--wait] (-o FMT | --out FILE) [--force]\n"
	        "       kubejit request --cancel ID\n"
	        "Ask an approver for a credential of SECRET (a secret path in the approver's\n"
	        "kubejit), collect it once approved, or withdraw the request.\n\n"
	        "The request is a CertificateSigningRequest with signer kubejit.io/access-request\n"
	        "sent through your own target: the API server records who you are, and approvers\n"
	        "see that name, never one you wrote.  The credential comes back encrypted to a\n"
	        "key that only this home holds.\n\n"
	        "Options:\n"
	        "  -r, --reason TEXT     why you need it (required; approvers read it)\n"
	        "  -n, --namespace NS    namespace to ask for (default: the secret's)\n"
	        "  -t, --ttl DUR         lease length to ask for (default: the secret's)\n"
	        "      --expires-in DUR  how long the request stays open (default 1h, at most 23h)\n"
	        "      --target T        your target (default: the only one)\n"
	        "      --wait            wait for the decision and collect the credential\n"
	        "      --wait-timeout DUR  give up waiting after DUR (default: until it expires)\n"
	        "      --collect ID      collect the credential of an approved request\n"
	        "      --cancel ID       withdraw a request\n"
	        "  -o, --output FMT      token, exec, exec-v1beta1, kubeconfig, json\n"
	        "      --out FILE        write the credential to FILE (0600; -o defaults to kubeconfig)\n"
	        "      --force           replace FILE if it exists\n"
	        "      --json            print the request as JSON\n"
	        "  -h, --help            show this help\n\n"
	        "Examples:\n"
	        "  kubejit request /prod/read-pods -n shop --ttl 30m --reason \"INC-4711\" --wait --out "
	        "prod.kubeconfig\n"
	        "  kubejit request --collect kjr-b7x2k9mqpd -o token\n"
	        "Exit codes: 0 ok, 1 error (also: still pending), 2 usage, 3 denied, 4 not found or "
	        "expired.\n"),
	      out);
}

struct wait_ctx {
	int quiet;
	enum request_state last;
	int said;
	int64_t deadline_ms; /* 0 = none */
};

static int on_wait(void *ud, enum request_state st)
{
	struct wait_ctx *w = ud;

	if (!w->quiet && (!w->said || st != w->last)) {
		fprintf(stderr, st == REQUEST_APPROVED
		                    ? _("approved; waiting for the sealed credential ...\n")
		                    : _("waiting for an approver ...\n"));
		w->said = 1;
		w->last = st;
	}
	return w->deadline_ms && kj_mono_ms() >= w->deadline_ms;
}

static int hand_over(struct mint_result *m, enum output_format fmt, const char *out_file, int force,
                     int quiet, kj_err *e)
{
	char *text = output_render(m, fmt), a[80];
	int rc = 0;

	if (out_file) {
		rc = output_write_file(out_file, text, force, e);
	} else {
		fputs(text, stdout);
		fflush(stdout);
	}
	kj_free_secret(text);
	if (m->warning)
		fprintf(stderr, _("kubejit: warning: %s\n"), m->warning);
	if (!quiet && rc == 0) {
		cli_when(m->lease_expiry, a, sizeof a);
		fprintf(stderr, _("lease %s: %s in %s\n  lease ends  %s\n"), m->lease_id,
		        m->secret ? m->secret : "?", m->ns ? m->ns : "?", a);
		if (out_file)
			fprintf(stderr, _("  written to  %s\n"), out_file);
	}
	return rc;
}

int cli_request(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"reason", required_argument, NULL, 'r'},
	    {"namespace", required_argument, NULL, 'n'},
	    {"ttl", required_argument, NULL, 't'},
	    {"expires-in", required_argument, NULL, O_EXPIRES},
	    {"target", required_argument, NULL, O_TARGET},
	    {"wait", no_argument, NULL, O_WAIT},
	    {"wait-timeout", required_argument, NULL, O_WAIT_TIMEOUT},
	    {"collect", required_argument, NULL, O_COLLECT},
	    {"cancel", required_argument, NULL, O_CANCEL},
	    {"output", required_argument, NULL, 'o'},
	    {"out", required_argument, NULL, O_OUT},
	    {"force", no_argument, NULL, O_FORCE},
	    {"json", no_argument, NULL, O_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct request_new rq;
	struct request made;
	struct mint_result m;
	struct engine *en = NULL;
	enum output_format fmt = OUTPUT_KUBECONFIG;
	const char *collect = NULL, *cancel = NULL, *out_file = NULL, *id;
	int wait = 0, force = 0, json = 0, have_fmt = 0, ch, rc;
	int64_t wait_ms = 0;
	struct wait_ctx w = {0};
	kj_err e;

	memset(&rq, 0, sizeof rq);
	kj_err_clear(&e);
	while ((ch = getopt_long(argc, argv, "r:n:t:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			rq.reason = optarg;
			break;
		case 'n':
			rq.ns = optarg;
			break;
		case 't':
			if (kj_ttl_parse(optarg, "--ttl", &rq.ttl, &e) < 0)
				return cli_fail(&e);
			break;
		case O_EXPIRES:
			if (request_parse_expiry(optarg, &rq.expires_in, &e) < 0)
				return cli_fail(&e);
			break;
		case O_TARGET:
			rq.target = optarg;
			break;
		case O_WAIT:
			wait = 1;
			break;
		case O_WAIT_TIMEOUT:
			if (kj_ttl_parse(optarg, "--wait-timeout", &wait_ms, &e) < 0)
				return cli_fail(&e);
			wait_ms *= 1000;
			break;
		case O_COLLECT:
			collect = optarg;
			break;
		case O_CANCEL:
			cancel = optarg;
			break;
		case 'o':
			if (output_format_parse(optarg, &fmt, &e) < 0)
				return cli_fail(&e);
			have_fmt = 1;
			break;
		case O_OUT:
			out_file = optarg;
			break;
		case O_FORCE:
			force = 1;
			break;
		case O_JSON:
			json = 1;
			break;
		case 'h':
			request_usage(stdout);
			return 0;
		default:
			return cli_usage_error("request", _("unknown option"));
		}
	}
	if (collect && cancel)
		return cli_usage_error("request", _("--collect and --cancel exclude each other"));
	if ((collect || cancel) && optind != argc)
		return cli_usage_error("request", _("--collect and --cancel take an ID, not a SECRET"));
	if (!collect && !cancel && optind + 1 != argc)
		return cli_usage_error("request",
		                       _("request takes one SECRET path (or --collect ID / --cancel ID)"));
	if (cancel && (wait || have_fmt || out_file))
		return cli_usage_error("request", _("--cancel takes no output options"));
	if ((collect || wait) && !have_fmt && !out_file)
		return cli_usage_error(
		    "request", _("say how to hand the credential over: -o token|exec|kubeconfig|json, "
		                 "or --out FILE"));
	if (!collect && !wait && (have_fmt || out_file))
		return cli_usage_error("request", _("-o and --out need --wait or --collect"));
	if (out_file && !force && access(out_file, F_OK) == 0) {
		kj_err_set(&e, KJ_ERR_CONFLICT, _("%s already exists; not overwriting it"), out_file);
		kj_err_hint(&e, _("pass --force to replace it, or choose another --out file"));
		return cli_fail(&e);
	}
	if (open_engine(g, &en, &e) < 0)
		return cli_fail(&e);
	if (cancel) {
		rc = request_cancel(en, rq.target, cancel, &e);
		if (rc == 0 && !g->quiet)
			fprintf(stderr, _("request %s cancelled and removed from the cluster\n"), cancel);
		engine_close(en);
		return rc < 0 ? cli_fail(&e) : 0;
	}
	id = collect;
	memset(&made, 0, sizeof made);
	if (!collect) {
		rq.secret = argv[optind];
		if (request_create(en, &rq, &made, &e) < 0) {
			engine_close(en);
			return cli_fail(&e);
		}
		id = made.id;
		if (json && !wait) {
			cli_print_json("AccessRequest", request_json(&made));
		} else if (!wait) {
			printf("%s\n", made.id);
		}
		if (!g->quiet) {
			char when[80];

			cli_when(made.expires_at, when, sizeof when);
			fprintf(
			    stderr,
			    _("request %s for %s sent as %s; it stays open until %s\n"
			      "  an approver runs: kubejit approve %s\n"
			      "  collect it with:  kubejit request --collect %s -o kubeconfig --out FILE\n"),
			    made.id, made.secret, made.requester ? made.requester : "?", when, made.id,
			    made.id);
		}
		if (!wait) {
			request_done(&made);
			engine_close(en);
			return 0;
		}
	}
	w.quiet = g->quiet;
	w.deadline_ms = wait_ms ? kj_mono_ms() + wait_ms : 0;
	rc = wait ? request_wait(en, rq.target, id, on_wait, &w, &m, &e)
	          : request_collect(en, rq.target, id, &m, &e);
	if (rc == 0) {
		rc = hand_over(&m, fmt, out_file, force, g->quiet, &e);
		mint_result_done(&m);
	}
	request_done(&made);
	engine_close(en);
	return rc < 0 ? cli_fail(&e) : 0;
}

/* ---- kubejit requests ------------------------------------------------------------ */

static void requests_usage(FILE *out)
{
	fputs(_("Usage: kubejit requests [ID] [--target T] [--all] [--json]\n"
	        "List the kubejit access requests on a target's cluster (pending ones unless\n"
	        "--all), or show one.  The requester is the name the API server authenticated.\n"
	        "Expired requests are deleted from the cluster on the way.\n\n"
	        "Options:\n"
	        "      --target T  the target whose cluster to look at (default: the only one)\n"
	        "  -a, --all       also approved, denied and expired requests, and this home's\n"
	        "                  collected and cancelled ones\n"
	        "      --json      print JSON\n"
	        "  -h, --help      show this help\n\n"
	        "Examples:\n"
	        "  kubejit requests\n"
	        "  kubejit requests kjr-b7x2k9mqpd --json\n"
	        "Exit codes: 0 ok, 1 error, 2 usage, 3 not allowed (RBAC), 4 not found.\n"),
	      out);
}

int cli_requests(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"target", required_argument, NULL, O_TARGET},
	    {"all", no_argument, NULL, 'a'},
	    {"json", no_argument, NULL, O_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *target = NULL;
	int all = 0, json = 0, ch;
	struct engine *en = NULL;
	struct request *v = NULL, one;
	size_t n = 0, i;
	kj_err e;

	kj_err_clear(&e);
	while ((ch = getopt_long(argc, argv, "ah", opts, NULL)) != -1) {
		switch (ch) {
		case O_TARGET:
			target = optarg;
			break;
		case 'a':
			all = 1;
			break;
		case O_JSON:
			json = 1;
			break;
		case 'h':
			requests_usage(stdout);
			return 0;
		default:
			return cli_usage_error("requests", _("unknown option"));
		}
	}
	if (optind + 1 < argc)
		return cli_usage_error("requests", _("requests takes at most one ID"));
	if (open_engine(g, &en, &e) < 0)
		return cli_fail(&e);
	if (optind < argc) {
		if (request_get(en, target, argv[optind], &one, &e) < 0) {
			engine_close(en);
			return cli_fail(&e);
		}
		if (json)
			cli_print_json("AccessRequest", request_json(&one));
		else
			request_show(&one);
		request_done(&one);
		engine_close(en);
		return 0;
	}
	if (request_list(en, target, all ? REQUEST_LIST_ALL | REQUEST_LIST_LOCAL : 0, &v, &n, &e) < 0) {
		engine_close(en);
		return cli_fail(&e);
	}
	if (json) {
		cJSON *a = cJSON_CreateArray();

		for (i = 0; i < n; i++)
			cJSON_AddItemToArray(a, request_json(&v[i]));
		cli_print_json("AccessRequest", a);
	} else if (!n) {
		if (!g->quiet)
			fprintf(stderr, all ? _("no access requests\n") : _("no pending access requests\n"));
	} else {
		int wr = 9, ws = 6;

		for (i = 0; i < n; i++) {
			if (v[i].requester && (int)strlen(v[i].requester) > wr)
				wr = (int)strlen(v[i].requester);
			if (v[i].secret && (int)strlen(v[i].secret) > ws)
				ws = (int)strlen(v[i].secret);
		}
		printf("%-15s %-10s %-*s %-*s %-12s %-8s %-9s %s\n", _("ID"), _("STATE"), wr, _("REQUESTER"),
		       ws, _("SECRET"), _("NAMESPACE"), _("TTL"), _("EXPIRES"), _("REASON"));
		for (i = 0; i < n; i++) {
			char ttl[32], left[32];
			int64_t rest = v[i].expires_at - kj_now();

			if (v[i].ttl)
				kj_ttl_format(v[i].ttl, ttl, sizeof ttl);
			else
				snprintf(ttl, sizeof ttl, "-");
			if (rest > 0)
				kj_ttl_human(rest, left, sizeof left);
			else
				snprintf(left, sizeof left, "-");
			printf("%-15s %-10s %-*s %-*s %-12s %-8s %-9s %s\n", v[i].id,
			       request_state_name(v[i].state), wr, v[i].requester ? v[i].requester : "?", ws,
			       v[i].secret ? v[i].secret : "?", v[i].ns ? v[i].ns : "-", ttl, left,
			       v[i].reason ? v[i].reason : "");
		}
	}
	request_list_free(v, n);
	engine_close(en);
	return 0;
}

/* ---- kubejit approve / deny ---------------------------------------------------- */

static void approve_usage(FILE *out)
{
	fputs(_("Usage: kubejit approve ID [--target T] [--ttl DUR] [--ready-timeout DUR]\n"
	        "Approve an access request: mint the secret it asks for with this home's\n"
	        "target, mark the request Approved, and leave the credential in the cluster\n"
	        "encrypted to the requester's key.  The namespace and TTL cannot exceed what\n"
	        "the secret allows; your own request is refused unless the secret allows\n"
	        "self-approval.  Your identity needs 'approve' on signers\n"
	        "kubejit.io/access-request (see 'kubejit rbac approver').\n\n"
	        "Options:\n"
	        "      --target T   the target whose cluster holds the request (default: the only one)\n"
	        "  -t, --ttl DUR    grant less than was asked for\n"
	        "      --ready-timeout DUR  as for 'kubejit mint'\n"
	        "  -h, --help       show this help\n\n"
	        "Example:\n  kubejit approve kjr-b7x2k9mqpd\n"
	        "Exit codes: 0 ok, 1 error (also: decided already), 2 usage, 3 not allowed, 4 not found.\n"),
	      out);
}

int cli_approve(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"target", required_argument, NULL, O_TARGET},
	    {"ttl", required_argument, NULL, 't'},
	    {"ready-timeout", required_argument, NULL, O_READY},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct request_approve_opts o;
	const char *target = NULL;
	struct engine *en = NULL;
	char *lease = NULL;
	int ch, rc;
	kj_err e;

	memset(&o, 0, sizeof o);
	kj_err_clear(&e);
	while ((ch = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
		switch (ch) {
		case O_TARGET:
			target = optarg;
			break;
		case 't':
			if (kj_ttl_parse(optarg, "--ttl", &o.ttl, &e) < 0)
				return cli_fail(&e);
			break;
		case O_READY:
			if (cli_parse_wait(optarg, "--ready-timeout", &o.ready_timeout_ms, &e) < 0)
				return cli_fail(&e);
			break;
		case 'h':
			approve_usage(stdout);
			return 0;
		default:
			return cli_usage_error("approve", _("unknown option"));
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("approve", _("approve takes one request ID"));
	if (open_engine(g, &en, &e) < 0)
		return cli_fail(&e);
	rc = request_approve(en, target, argv[optind], &o, &lease, &e);
	if (rc == 0 && !g->quiet)
		fprintf(stderr, _("request %s approved: lease %s; the requester can collect it now\n"),
		        argv[optind], lease);
	free(lease);
	engine_close(en);
	return rc < 0 ? cli_fail(&e) : 0;
}

static void deny_usage(FILE *out)
{
	fputs(_("Usage: kubejit deny ID --reason TEXT [--target T]\n"
	        "Deny an access request; the requester sees the reason.  Needs the same\n"
	        "permission as approving.\n\n"
	        "Options:\n"
	        "  -r, --reason TEXT  why (required)\n"
	        "      --target T     the target whose cluster holds the request\n"
	        "  -h, --help         show this help\n\n"
	        "Example:\n  kubejit deny kjr-b7x2k9mqpd --reason \"use the read-only secret\"\n"
	        "Exit codes: 0 ok, 1 error (also: decided already), 2 usage, 3 not allowed, 4 not found.\n"),
	      out);
}

int cli_deny(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"target", required_argument, NULL, O_TARGET},
	    {"reason", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *target = NULL, *reason = NULL;
	struct engine *en = NULL;
	int ch, rc;
	kj_err e;

	kj_err_clear(&e);
	while ((ch = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
		switch (ch) {
		case O_TARGET:
			target = optarg;
			break;
		case 'r':
			reason = optarg;
			break;
		case 'h':
			deny_usage(stdout);
			return 0;
		default:
			return cli_usage_error("deny", _("unknown option"));
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("deny", _("deny takes one request ID"));
	if (!reason)
		return cli_usage_error("deny", _("say why with --reason TEXT"));
	if (open_engine(g, &en, &e) < 0)
		return cli_fail(&e);
	rc = request_deny(en, target, argv[optind], reason, &e);
	if (rc == 0 && !g->quiet)
		fprintf(stderr, _("request %s denied\n"), argv[optind]);
	engine_close(en);
	return rc < 0 ? cli_fail(&e) : 0;
}
