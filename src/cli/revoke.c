/* `kubejit revoke`: end leases now, one by one or in bulk. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "engine/cluster_lease.h"
#include "engine/engine.h"
#include "engine/execcache.h"
#include "engine/lease.h"
#include "engine/mint.h"
#include "engine/output.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/strv.h"
#include "util/ttl.h"

static void revoke_usage(FILE *out)
{
	fputs(_("Usage: kubejit revoke ID... [--wait [--token-file F] [--wait-timeout DUR]]\n"
	        "       kubejit revoke --all [--secret P] [--target T] [--namespace NS] [--parallel N]\n"
	        "                      [--wait [--wait-timeout DUR]]\n"
	        "       kubejit revoke --cluster ID... [--target T]\n"
	        "Revoke leases now: the ServiceAccount or anchor Secret, which invalidates the\n"
	        "token, and the bindings and roles are deleted together.  Revoking twice is fine.\n"
	        "IDs may be abbreviated (at least 4 characters).\n\n"
	        "With --cluster, the IDs are those 'kubejit leases --cluster' lists: anyone's\n"
	        "lease on the target's cluster, as far as the target's RBAC lets it delete the\n"
	        "lease's objects.  The audit log records the lease's owner; a lease this store\n"
	        "holds is closed here too.  --target may be left out when one target is saved.\n\n"
	        "An API server remembers a token that authenticated in the last 10 s (its\n"
	        "token cache), so a revoked token stops working within about 10 s, on every\n"
	        "API server instance.  --wait returns only once it is refused: kubejit asks\n"
	        "as the token (SelfSubjectReview) until the answer is 401 Unauthorized.\n"
	        "kubejit keeps no copy of a token; it asks with the exec plugin's cached\n"
	        "token, or the one in --token-file; without either it waits the 10 s out.\n\n"
	        "Options:\n"
	        "      --wait             return once the token is refused (see above)\n"
	        "      --token-file F     the lease's token, to ask as it (- = stdin; one ID)\n"
	        "      --wait-timeout DUR  give up waiting after DUR (default 30s)\n"
	        "      --parallel N       with --all: at most N delete requests at a time\n"
	        "                         (1 to 31, default 24)\n\n"
	        "Examples:\n"
	        "  kubejit revoke 3f2a9c1e\n"
	        "  kubejit mint /prod/read-pods -o token --out tok && ...\n"
	        "  kubejit revoke 3f2a9c1e --wait --token-file tok\n"
	        "  kubejit revoke --all --secret /prod/read-pods\n"
	        "  kubejit revoke --cluster --target prod 3f2a9c1e\n"),
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

/* revoke --cluster ID...: 0, or the exit code of the first failure. */
static int revoke_cluster(struct engine *en, const struct kj_globals *g, const char *target, char **ids,
                          int n)
{
	kj_err e, first;
	int fails = 0;

	kj_err_clear(&first);
	for (int i = 0; i < n; i++) {
		struct cluster_revoke_result r;
		char *owner;

		kj_err_clear(&e);
		if (cluster_lease_revoke(en, target, ids[i], &r, &e) < 0) {
			if (!fails++)
				first = e;
			cli_fail(&e);
			if (r.deleted && !g->quiet)
				fprintf(stderr,
				        _("kubejit: %zu object(s) of lease %.8s were deleted before that\n"),
				        r.deleted, r.lease.id);
			cluster_revoke_result_done(&r);
			continue;
		}
		owner = cluster_lease_owner_text(&r.lease);
		if (!g->quiet)
			printf(_("lease %s of %s revoked from the cluster: %zu object(s) deleted%s; API "
			         "servers may still accept its token for up to their token cache time (10 s "
			         "by default)\n"),
			       r.lease.id, owner, r.deleted,
			       r.local_closed ? _(", closed in this store too") : "");
		free(owner);
		cluster_revoke_result_done(&r);
	}
	if (fails)
		return kj_err_exit_code(&first) ? kj_err_exit_code(&first) : 1;
	return 0;
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
	    {"all", no_argument, NULL, CLI_LEASE_OPT_ALL},
	    {"secret", required_argument, NULL, CLI_LEASE_OPT_SECRET},
	    {"target", required_argument, NULL, CLI_LEASE_OPT_TARGET},
	    {"namespace", required_argument, NULL, 'n'},
	    {"parallel", required_argument, NULL, CLI_LEASE_OPT_PARALLEL},
	    {"wait", no_argument, NULL, CLI_LEASE_OPT_WAIT},
	    {"token-file", required_argument, NULL, CLI_LEASE_OPT_TOKEN_FILE},
	    {"wait-timeout", required_argument, NULL, CLI_LEASE_OPT_WAIT_TIMEOUT},
	    {"cluster", no_argument, NULL, CLI_LEASE_OPT_CLUSTER},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct lease_filter f = LEASE_FILTER_ANY;
	struct engine *en = NULL;
	int all = 0, parallel = LEASE_REVOKE_PARALLEL, ch, r, fails = 0, wait = 0, cluster = 0;
	int64_t wait_ms = 0;
	const char *token_file = NULL;
	char *token = NULL;
	struct kj_strv done_ids = {0};
	kj_err e, first;

	kj_err_clear(&e);
	kj_err_clear(&first);
	while ((ch = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		if ((r = cli_lease_filter_option(ch, &f, &e)) < 0)
			return cli_fail(&e);
		if (r)
			continue;
		if (ch == CLI_LEASE_OPT_ALL)
			all = 1;
		else if (ch == CLI_LEASE_OPT_PARALLEL) {
			char *end;
			long v;
			errno = 0;
			v = strtol(optarg, &end, 10);
			parallel = (!*optarg || *end || errno || v < 1 || v > 31) ? 0 : (int)v;
		} else if (ch == CLI_LEASE_OPT_WAIT)
			wait = 1;
		else if (ch == CLI_LEASE_OPT_CLUSTER)
			cluster = 1;
		else if (ch == CLI_LEASE_OPT_TOKEN_FILE)
			token_file = optarg;
		else if (ch == CLI_LEASE_OPT_WAIT_TIMEOUT) {
			if (cli_parse_wait(optarg, "--wait-timeout", &wait_ms, &e) < 0)
				return cli_fail(&e);
		} else if (ch == 'h') {
			revoke_usage(stdout);
			return 0;
		} else
			return cli_usage_error("revoke", _("unknown option"));
	}
	if (cluster) {
		if (all || wait || f.secret || f.ns || f.state >= 0)
			return cli_usage_error("revoke",
			                       _("--cluster revokes the leases named by ID; it takes "
			                         "only --target"));
		if (optind >= argc)
			return cli_usage_error("revoke", _("give the IDs 'kubejit leases --cluster' shows"));
		if (engine_open(g->home, &en, &e) < 0)
			return cli_fail(&e);
		r = revoke_cluster(en, g, f.target, argv + optind, argc - optind);
		engine_close(en);
		return r;
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
	if (parallel < 1 || parallel > 31)
		return cli_usage_error("revoke", _("--parallel must be a whole number from 1 to 31"));
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
