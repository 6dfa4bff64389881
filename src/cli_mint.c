/* `kubejit mint`, `leases` and `revoke`. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "engine/engine.h"
#include "engine/execcache.h"
#include "engine/lease.h"
#include "engine/mint.h"
#include "engine/output.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

static void print_json(cJSON *j)
{
	char *s = cJSON_Print(j);

	printf("%s\n", s);
	free(s);
	cJSON_Delete(j);
}

/* "2026-01-02T03:04:05Z (in 14m)" */
static void when(int64_t t, char *buf, size_t n)
{
	char ts[32], d[32];
	int64_t now = kj_now();

	if (!t) {
		snprintf(buf, n, "-");
		return;
	}
	kj_time_rfc3339(t, ts, sizeof(ts));
	kj_ttl_human(t > now ? t - now : now - t, d, sizeof(d));
	snprintf(buf, n, t > now ? _("%s (in %s)") : _("%s (%s ago)"), ts, d);
}

/* ---- mint ------------------------------------------------------------------- */

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
	      "                       credential (default 10s): kubejit asks as the new token\n"
	      "                       before handing it over, and revokes it if it never works\n"
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
	if (out_file && !force && access(out_file, F_OK) == 0) {
		kj_strv_done(&aud);
		kj_err_set(&e, KJ_ERR_CONFLICT, _("%s already exists; not overwriting it"), out_file);
		kj_err_hint(&e, _("pass --force to replace it, or choose another --out file"));
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
		when(res.lease_expiry, a, sizeof(a));
		when(res.token_expiry, b, sizeof(b));
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

/* ---- leases ------------------------------------------------------------------ */

static cJSON *lease_json(const struct lease *l)
{
	cJSON *o = cJSON_CreateObject(), *objs;
	char ts[32];

	cJSON_AddStringToObject(o, "id", l->id);
	cJSON_AddStringToObject(o, "secret", l->secret ? l->secret : "");
	cJSON_AddStringToObject(o, "target", l->target ? l->target : "");
	cJSON_AddStringToObject(o, "mode", secret_mode_name(l->mode));
	cJSON_AddStringToObject(o, "namespace", l->ns ? l->ns : "");
	if (l->service_account)
		cJSON_AddStringToObject(o, "serviceAccount", l->service_account);
	cJSON_AddStringToObject(o, "state", lease_shown_state(l, kj_now()));
	if (lease_is_overdue(l, kj_now()))
		cJSON_AddBoolToObject(o, "cleanupPending", 1);
	cJSON_AddBoolToObject(o, "revocable", l->revocable);
	kj_time_rfc3339(l->created_at, ts, sizeof(ts));
	cJSON_AddStringToObject(o, "created", ts);
	kj_time_rfc3339(l->lease_expiry, ts, sizeof(ts));
	cJSON_AddStringToObject(o, "leaseExpiry", ts);
	if (l->token_expiry) {
		kj_time_rfc3339(l->token_expiry, ts, sizeof(ts));
		cJSON_AddStringToObject(o, "tokenExpiry", ts);
	}
	if (l->ended_at) {
		kj_time_rfc3339(l->ended_at, ts, sizeof(ts));
		cJSON_AddStringToObject(o, "ended", ts);
	}
	cJSON_AddStringToObject(o, "createdBy", l->created_by ? l->created_by : "");
	if (l->fingerprint[0])
		cJSON_AddStringToObject(o, "fingerprint", l->fingerprint);
	if (l->jti)
		cJSON_AddStringToObject(o, "jti", l->jti);
	if (l->error)
		cJSON_AddStringToObject(o, "error", l->error);
	if (l->n_objects) {
		objs = cJSON_AddArrayToObject(o, "objects");
		for (size_t i = 0; i < l->n_objects; i++) {
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "kind", l->objects[i].kind);
			if (l->objects[i].ns)
				cJSON_AddStringToObject(x, "namespace", l->objects[i].ns);
			cJSON_AddStringToObject(x, "name", l->objects[i].name);
			if (l->objects[i].uid)
				cJSON_AddStringToObject(x, "uid", l->objects[i].uid);
			cJSON_AddBoolToObject(x, "deleted", l->objects[i].deleted);
			cJSON_AddItemToArray(objs, x);
		}
	}
	return o;
}

static void lease_show(const struct lease *l)
{
	char a[80];

	printf("%-14s %s\n", _("Lease:"), l->id);
	printf("%-14s %s\n", _("Secret:"), l->secret);
	printf("%-14s %s (%s)\n", _("Target:"), l->target, secret_mode_name(l->mode));
	printf("%-14s %s\n", _("Namespace:"), l->ns);
	if (l->service_account)
		printf("%-14s %s\n", _("ServiceAcct:"), l->service_account);
	printf("%-14s %s%s\n", _("State:"), lease_shown_state(l, kj_now()),
	       l->revocable ? "" : _(" (expiry-only)"));
	if (lease_is_overdue(l, kj_now()))
		printf("%-14s %s\n", "", _("past its TTL, objects not yet removed: no sweep has run since"));
	when(l->created_at, a, sizeof(a));
	printf("%-14s %s by %s\n", _("Created:"), a, l->created_by);
	when(l->lease_expiry, a, sizeof(a));
	printf("%-14s %s\n", _("Lease ends:"), a);
	when(l->token_expiry, a, sizeof(a));
	printf("%-14s %s\n", _("Token dies:"), a);
	if (l->ended_at) {
		when(l->ended_at, a, sizeof(a));
		printf("%-14s %s\n", _("Ended:"), a);
	}
	if (l->fingerprint[0])
		printf("%-14s sha256:%s\n", _("Fingerprint:"), l->fingerprint);
	if (l->jti)
		printf("%-14s %s\n", _("JTI:"), l->jti);
	if (l->error)
		printf("%-14s %s\n", _("Note:"), l->error);
	for (size_t i = 0; i < l->n_objects; i++)
		printf("%-14s %s %s%s%s%s\n", i ? "" : _("Objects:"), l->objects[i].kind,
		       l->objects[i].ns ? l->objects[i].ns : "", l->objects[i].ns ? "/" : "",
		       l->objects[i].name, l->objects[i].deleted ? _(" (deleted)") : "");
}

static void leases_usage(FILE *out)
{
	fputs(_("Usage: kubejit leases [--secret P] [--target T] [--namespace NS] [--state S] [--all] "
	        "[--json]\n"
	        "       kubejit leases ID [--json]\n"
	        "List leases (live ones unless --all or --state), or show one with its objects.\n"
	        "States: creating, active, revoking, revoked, expired, failed.  A lease past its\n"
	        "TTL is closed by the next sweep, or by the next command on its target; until then\n"
	        "it shows as expired* (objects not yet removed).  To sweep every few minutes:\n"
	        "  systemctl --user enable --now kubejit-sweep.timer\n"
	        "(or a crontab line: */5 * * * * kubejit sweep)\n\n"
	        "Examples:\n"
	        "  kubejit leases\n"
	        "  kubejit leases --secret /prod/read-pods --state expired --json\n"
	        "  kubejit leases 3f2a\n"),
	      out);
}

enum {
	OPT_SECRET = 300,
	OPT_TARGET,
	OPT_STATE,
	OPT_ALL,
	OPT_JSON,
	OPT_PARALLEL,
	OPT_WAIT,
	OPT_TOKEN_FILE,
	OPT_WAIT_TIMEOUT
};

static int parse_filter(int ch, struct lease_filter *f, kj_err *e)
{
	enum lease_state st;

	switch (ch) {
	case OPT_SECRET:
		f->secret = optarg;
		return 1;
	case OPT_TARGET:
		f->target = optarg;
		return 1;
	case 'n':
		f->ns = optarg;
		return 1;
	case OPT_STATE:
		if (lease_state_parse(optarg, &st) < 0) {
			kj_err_set(e, KJ_ERR_USAGE, _("--state \"%s\" is not a lease state"), optarg);
			kj_err_hint(e, _("use creating, active, revoking, revoked, expired or failed"));
			return -1;
		}
		f->state = (int)st;
		return 1;
	default:
		return 0;
	}
}

/* lease_list() by the state shown: a lease past its TTL that no sweep
 * closed yet is stored as active but shown (and filtered) as expired. */
static int list_shown(struct engine *en, const struct lease_filter *f, struct lease **v, size_t *n, kj_err *e)
{
	struct lease_filter af = *f;
	struct lease *extra = NULL;
	size_t nx = 0, k = 0;
	int64_t now = kj_now();

	if (lease_list(en, f, v, n, e) < 0)
		return -1;
	if (f->state == LEASE_ACTIVE) {
		for (size_t i = 0; i < *n; i++) {
			if (lease_is_overdue(&(*v)[i], now))
				lease_done(&(*v)[i]);
			else
				(*v)[k++] = (*v)[i];
		}
		*n = k;
		return 0;
	}
	if (f->state != LEASE_EXPIRED)
		return 0;
	af.state = LEASE_ACTIVE;
	if (lease_list(en, &af, &extra, &nx, e) < 0)
		return -1;
	for (size_t i = 0; i < nx; i++) {
		if (!lease_is_overdue(&extra[i], now)) {
			lease_done(&extra[i]);
			continue;
		}
		*v = kj_xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = extra[i];
	}
	free(extra);
	return 0;
}

int cli_leases(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"secret", required_argument, NULL, OPT_SECRET},
	    {"target", required_argument, NULL, OPT_TARGET},
	    {"namespace", required_argument, NULL, 'n'},
	    {"state", required_argument, NULL, OPT_STATE},
	    {"all", no_argument, NULL, OPT_ALL},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct lease_filter f = LEASE_FILTER_ANY;
	struct engine *en = NULL;
	struct lease *v = NULL;
	size_t n = 0;
	int json = 0, all = 0, ch, r;
	kj_err e;

	kj_err_clear(&e);
	while ((ch = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		if ((r = parse_filter(ch, &f, &e)) < 0)
			return cli_fail(&e);
		if (r)
			continue;
		if (ch == OPT_ALL)
			all = 1;
		else if (ch == OPT_JSON)
			json = 1;
		else if (ch == 'h') {
			leases_usage(stdout);
			return 0;
		} else
			return cli_usage_error("leases", _("unknown option"));
	}
	f.live_only = !all && f.state < 0;
	if (engine_open(g->home, &en, &e) < 0)
		return cli_fail(&e);
	if (optind < argc) {
		struct lease l;
		if (lease_get(en, argv[optind], &l, &e) < 0) {
			engine_close(en);
			return cli_fail(&e);
		}
		if (json)
			print_json(lease_json(&l));
		else
			lease_show(&l);
		lease_done(&l);
		engine_close(en);
		return 0;
	}
	if (list_shown(en, &f, &v, &n, &e) < 0) {
		engine_close(en);
		return cli_fail(&e);
	}
	if (json) {
		cJSON *a = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(a, lease_json(&v[i]));
		print_json(a);
	} else if (n) {
		int64_t now = kj_now();
		size_t overdue = 0;
		printf("%-8s  %-28s %-14s %-9s %-10s %-10s\n", _("ID"), _("SECRET"), _("NAMESPACE"),
		       _("STATE"), _("LEASE"), _("TOKEN"));
		for (size_t i = 0; i < n; i++) {
			char a[32], b[32];
			kj_ttl_human(v[i].lease_expiry > now ? v[i].lease_expiry - now : 0, a, sizeof(a));
			if (!v[i].token_expiry)
				snprintf(b, sizeof(b), "-");
			else
				kj_ttl_human(v[i].token_expiry > now ? v[i].token_expiry - now : 0, b,
				             sizeof(b));
			int live = lease_is_live(&v[i]) && v[i].state != LEASE_FAILED;
			int due = lease_is_overdue(&v[i], now);
			overdue += due;
			printf("%-8.8s  %-28s %-14s %-9s %-10s %-10s%s\n", v[i].id, v[i].secret, v[i].ns,
			       due ? _("expired*") : lease_state_name(v[i].state),
			       live && v[i].lease_expiry > now ? a : "-", v[i].token_expiry > now ? b : "-",
			       v[i].revocable ? "" : _(" expiry-only"));
		}
		if (overdue && !g->quiet)
			fprintf(
			    stderr,
			    _("* past its TTL, objects not yet removed: no sweep has run since.  The next "
			      "command on its target (mint, revoke, target check) or 'kubejit sweep' "
			      "removes them; to sweep every few minutes, enable the timer:\n"
			      "    systemctl --user enable --now kubejit-sweep.timer\n"));
	} else if (!g->quiet) {
		fputs(all || f.state >= 0 ? _("no leases match\n") : _("no live leases\n"), stderr);
	}
	lease_list_free(v, n);
	engine_close(en);
	return 0;
}

/* ---- revoke -------------------------------------------------------------------- */

static void revoke_usage(FILE *out)
{
	fputs(_("Usage: kubejit revoke ID... [--wait [--token-file F] [--wait-timeout DUR]]\n"
	        "       kubejit revoke --all [--secret P] [--target T] [--namespace NS] [--parallel N]\n"
	        "                      [--wait [--wait-timeout DUR]]\n"
	        "Revoke leases now: the ServiceAccount or anchor Secret goes first, which\n"
	        "invalidates the token; then bindings and roles.  Revoking twice is fine.\n"
	        "IDs may be abbreviated (at least 4 characters).\n\n"
	        "An API server remembers a token that authenticated in the last 10 s (its\n"
	        "token cache), so a revoked token stops working within about 10 s, on every\n"
	        "API server instance.  --wait returns only once it is refused: kubejit asks\n"
	        "as the token (SelfSubjectReview) until the answer is 401 Unauthorized.\n"
	        "kubejit keeps no copy of a token; it asks with the exec plugin's cached\n"
	        "token, or the one in --token-file; without either it waits the 10 s out.\n\n"
	        "Options:\n"
	        "      --wait             return once the token is refused (see above)\n"
	        "      --token-file F     the lease's token, to ask as it (- = stdin; one ID)\n"
	        "      --wait-timeout DUR  give up waiting after DUR (default 30s)\n\n"
	        "Examples:\n"
	        "  kubejit revoke 3f2a9c1e\n"
	        "  kubejit mint /prod/read-pods -o token --out tok && ...\n"
	        "  kubejit revoke 3f2a9c1e --wait --token-file tok\n"
	        "  kubejit revoke --all --secret /prod/read-pods\n"),
	      out);
}

/* A revoked fixed lease without an anchor Secret leaves a live token behind:
 * say so, with the time it dies, rather than let "revoked" promise more. */
static void say_expiry_only(struct engine *en, const char *id)
{
	struct lease l;
	kj_err ignore;
	char ts[32];

	if (lease_get(en, id, &l, &ignore) < 0)
		return;
	if (!l.revocable && l.token_expiry > kj_now()) {
		kj_time_rfc3339(l.token_expiry, ts, sizeof(ts));
		fprintf(stderr,
		        _("kubejit: note: lease %.8s was expiry-only: its token stays valid until %s\n"), id,
		        ts);
	}
	lease_done(&l);
}

struct bulk_ctx {
	const struct kj_globals *g;
	struct engine *en;
	struct kj_strv revoked; /* ids, for --wait */
};

static void bulk_progress(void *ud, size_t done, size_t total, const char *id, const kj_err *err)
{
	const struct bulk_ctx *c = ud;

	if (err) {
		fprintf(stderr, _("kubejit: lease %s: %s\n"), id, err->msg);
		return;
	}
	if (!c->g->quiet)
		fprintf(stderr, _("revoked %s (%zu/%zu)\n"), id, done, total);
	say_expiry_only(c->en, id);
	kj_strv_push(&((struct bulk_ctx *)ud)->revoked, id);
}

/* The exec plugin's cached token of lease `l`, if its cache still holds it. */
static char *cached_token(struct engine *en, const struct lease *l)
{
	const char *nss[2] = {l->ns, NULL};
	char *tok = NULL;

	for (size_t i = 0; i < 2 && !tok; i++) {
		struct execcache_entry ent;
		kj_err ignore;

		memset(&ent, 0, sizeof(ent));
		if (execcache_load(engine_home(en), l->secret, nss[i], &ent, &ignore) == 1 && ent.token &&
		    !strcmp(ent.lease_id, l->id))
			tok = kj_xstrdup(ent.token);
		execcache_entry_done(&ent);
	}
	return tok;
}

/* revoke --wait for one revoked lease: 0, or -1 with `e`. */
static int wait_refused(struct engine *en, const char *id, const char *given_token, int64_t timeout_ms,
                        int quiet, kj_err *e)
{
	struct lease l;
	char *tok;
	int64_t took = 0;
	int asked = 0, rc;

	if (lease_get(en, id, &l, e) < 0)
		return -1;
	tok = given_token ? kj_xstrdup(given_token) : cached_token(en, &l);
	rc = lease_wait_refused(en, &l, tok, timeout_ms, &asked, &took, e);
	if (rc == 0 && !quiet) {
		if (asked)
			printf(_("lease %.8s: its token is refused (401) after %.1f s\n"), l.id,
			       (double)took / 1000.0);
		else
			printf(
			    _("lease %.8s: waited out the API servers' token cache (%d s since the revoke); "
			      "kubejit keeps no copy of the token, so it could not ask as it (--token-file "
			      "lets it)\n"),
			    l.id, LEASE_TOKEN_CACHE_SECONDS);
	}
	kj_free_secret(tok);
	lease_done(&l);
	return rc;
}

/* After revoking: the targets of leases `ids` had their other overdue
 * leases closed too (each target once). */
static void expire_due_of(struct engine *en, const struct kj_strv *ids, int quiet)
{
	struct kj_strv targets = {0};

	for (size_t i = 0; i < ids->n; i++) {
		struct lease l;
		kj_err e;
		int seen = 0;

		kj_err_clear(&e);
		memset(&l, 0, sizeof(l));
		if (lease_get(en, ids->v[i], &l, &e) < 0)
			continue;
		for (size_t k = 0; k < targets.n; k++)
			seen |= l.target && !strcmp(targets.v[k], l.target);
		if (!seen && l.target) {
			kj_strv_push(&targets, l.target);
			cli_expire_due(en, l.target, quiet);
		}
		lease_done(&l);
	}
	kj_strv_done(&targets);
}

int cli_revoke(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"all", no_argument, NULL, OPT_ALL},
	    {"secret", required_argument, NULL, OPT_SECRET},
	    {"target", required_argument, NULL, OPT_TARGET},
	    {"namespace", required_argument, NULL, 'n'},
	    {"parallel", required_argument, NULL, OPT_PARALLEL},
	    {"wait", no_argument, NULL, OPT_WAIT},
	    {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
	    {"wait-timeout", required_argument, NULL, OPT_WAIT_TIMEOUT},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct lease_filter f = LEASE_FILTER_ANY;
	struct engine *en = NULL;
	int all = 0, parallel = 8, ch, r, fails = 0, wait = 0;
	int64_t wait_ms = 0;
	const char *token_file = NULL;
	char *token = NULL;
	struct kj_strv done_ids = {0};
	kj_err e, first;

	kj_err_clear(&e);
	kj_err_clear(&first);
	while ((ch = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		if ((r = parse_filter(ch, &f, &e)) < 0)
			return cli_fail(&e);
		if (r)
			continue;
		if (ch == OPT_ALL)
			all = 1;
		else if (ch == OPT_PARALLEL)
			parallel = atoi(optarg);
		else if (ch == OPT_WAIT)
			wait = 1;
		else if (ch == OPT_TOKEN_FILE)
			token_file = optarg;
		else if (ch == OPT_WAIT_TIMEOUT) {
			if (cli_parse_wait(optarg, "--wait-timeout", &wait_ms, &e) < 0)
				return cli_fail(&e);
		} else if (ch == 'h') {
			revoke_usage(stdout);
			return 0;
		} else
			return cli_usage_error("revoke", _("unknown option"));
	}
	if ((token_file || wait_ms) && !wait)
		return cli_usage_error("revoke", _("--token-file and --wait-timeout go with --wait"));
	if (token_file && (all || argc - optind != 1))
		return cli_usage_error("revoke", _("--token-file is the token of one lease: give one ID"));
	if (!all && optind >= argc)
		return cli_usage_error("revoke", _("give lease IDs, or --all with optional filters"));
	if (all && optind < argc)
		return cli_usage_error("revoke", _("give either lease IDs or --all, not both"));
	if (!all && (f.secret || f.target || f.ns))
		return cli_usage_error("revoke", _("--secret, --target and --namespace filter --all"));
	if (parallel < 1 || parallel > 64)
		return cli_usage_error("revoke", _("--parallel must be between 1 and 64"));
	if (token_file) {
		if (cli_read_input(token_file, _("token file"), &token, &e) < 0)
			return cli_fail(&e);
		size_t n = strlen(token);
		while (n && (token[n - 1] == '\n' || token[n - 1] == '\r' || token[n - 1] == ' '))
			token[--n] = '\0';
	}
	if (engine_open(g->home, &en, &e) < 0) {
		kj_free_secret(token);
		return cli_fail(&e);
	}
	if (all) {
		struct lease_bulk_result res;
		struct bulk_ctx ctx = {g, en, {0}};
		if (lease_revoke_all(en, &f, parallel, bulk_progress, &ctx, &res, &e) < 0) {
			kj_strv_done(&ctx.revoked);
			engine_close(en);
			return cli_fail(&e);
		}
		if (!g->quiet)
			printf(_("%zu lease(s) revoked, %zu failed\n"), res.revoked, res.failed);
		for (size_t i = 0; wait && i < ctx.revoked.n; i++) {
			if (wait_refused(en, ctx.revoked.v[i], NULL, wait_ms, g->quiet, &e) < 0) {
				res.failed++;
				cli_fail(&e);
			}
		}
		if (!wait && !g->quiet && res.revoked)
			fputs(_("API servers may still accept these tokens for up to their token cache time "
			        "(10 s by default); --wait returns once they are refused\n"),
			      stderr);
		expire_due_of(en, &ctx.revoked, g->quiet);
		kj_strv_done(&ctx.revoked);
		engine_close(en);
		return res.failed ? 1 : 0;
	}
	for (int i = optind; i < argc; i++) {
		if (lease_revoke(en, argv[i], &e) < 0) {
			if (!fails++)
				first = e;
			cli_fail(&e);
			continue;
		}
		if (!g->quiet && wait)
			printf(_("lease %s revoked\n"), argv[i]);
		else if (!g->quiet)
			printf(_("lease %s revoked; API servers may still accept its token for up to their "
			         "token cache time (10 s by default): --wait returns once it is refused\n"),
			       argv[i]);
		fflush(stdout);
		kj_strv_push(&done_ids, argv[i]);
		say_expiry_only(en, argv[i]);
		if (wait && wait_refused(en, argv[i], token, wait_ms, g->quiet, &e) < 0) {
			if (!fails++)
				first = e;
			cli_fail(&e);
		}
	}
	kj_free_secret(token);
	expire_due_of(en, &done_ids, g->quiet);
	kj_strv_done(&done_ids);
	engine_close(en);
	if (fails)
		return kj_err_exit_code(&first) ? kj_err_exit_code(&first) : 1;
	return 0;
}
