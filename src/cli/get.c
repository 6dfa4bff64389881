/* `kubejit get`: the kubectl exec plugin (an ExecCredential on stdout). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/execcache.h"
#include "engine/lease.h"
#include "engine/mint.h"
#include "engine/output.h"
#include "engine/secret.h"
#include "engine/target.h"
#include "util/i18n.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

#define EXEC_API_V1      "client.authentication.k8s.io/v1"
#define EXEC_API_V1BETA1 "client.authentication.k8s.io/v1beta1"
#define LOCK_TIMEOUT_MS  60000
#define RECHECK_MS       3000 /* the SelfSubjectReview of a rerun: kubectl waits for it */

static void get_usage(FILE *out)
{
	fputs(_("Usage: kubejit get SECRET [--namespace NS] [--ttl DUR] [--ready-timeout DUR]\n"
	        "Print an ExecCredential for kubectl: kubejit as a kubectl exec plugin.\n\n"
	        "kubectl runs the plugin on every call, so kubejit keeps the token of the\n"
	        "current lease in a private cache (<home>/exec-cache, mode 0600) and hands\n"
	        "it out again until the last 10 % of the lease; then it mints a new one.\n"
	        "A lease that was revoked or expired is never served from the cache.\n"
	        "kubectl runs the plugin again right after a 401: a second call from the\n"
	        "same process within 5 s makes kubejit ask the cluster as the cached token\n"
	        "(one SelfSubjectReview); if the cluster refuses it (revoked or deleted\n"
	        "elsewhere), kubejit closes the lease and mints a new one.\n"
	        "A new credential is handed out only once the cluster accepts it: kubejit\n"
	        "asks as the new token first, and revokes it if it never works.\n\n"
	        "The ExecCredential version follows $KUBERNETES_EXEC_INFO, which kubectl\n"
	        "sets (client.authentication.k8s.io/v1 or v1beta1; v1beta1 when unset).\n\n"
	        "Options:\n"
	        "  -n, --namespace NS  namespace of the credential (default: the secret's)\n"
	        "  -t, --ttl DUR       lease length of a new mint, e.g. 15m, 2h (default:\n"
	        "                      the secret's default TTL)\n"
	        "      --ready-timeout DUR  how long a new credential may take to be accepted\n"
	        "                      (default 10s)\n"
	        "  -h, --help          show this help\n\n"
	        "Examples:\n"
	        "  kubejit get /prod/read-pods --namespace dev\n"
	        "  kubejit kubeconfig /prod/read-pods --namespace dev --out ~/.kube/dev-read\n"
	        "  KUBECONFIG=~/.kube/dev-read kubectl get pods\n"),
	      out);
}

/* The ExecCredential apiVersion kubectl expects, from KUBERNETES_EXEC_INFO. */
static int exec_api_version(const char **out, kj_err *e)
{
	const char *info = getenv("KUBERNETES_EXEC_INFO");
	const cJSON *v;
	cJSON *j;
	int rc = 0;

	*out = EXEC_API_V1BETA1;
	if (!info || !info[0])
		return 0;
	j = cJSON_Parse(info);
	v = cJSON_GetObjectItemCaseSensitive(j, "apiVersion");
	if (!j || !cJSON_IsString(v)) {
		rc = kj_err_set(e, KJ_ERR_USAGE,
		                _("KUBERNETES_EXEC_INFO is not an ExecCredential with an apiVersion"));
	} else if (!strcmp(v->valuestring, EXEC_API_V1)) {
		*out = EXEC_API_V1;
	} else if (!strcmp(v->valuestring, EXEC_API_V1BETA1)) {
		*out = EXEC_API_V1BETA1;
	} else {
		rc = kj_err_set(e, KJ_ERR_USAGE,
		                _("kubectl asks for ExecCredential version \"%s\"; kubejit speaks %s and %s"),
		                v->valuestring, EXEC_API_V1, EXEC_API_V1BETA1);
		kj_err_hint(e, _("set apiVersion: %s in the kubeconfig's exec section"), EXEC_API_V1);
	}
	cJSON_Delete(j);
	return rc;
}

static int print_credential(const char *api, const struct execcache_entry *ent)
{
	char *json = output_exec_credential(api, ent->token, execcache_valid_until(ent));
	int rc = 0;

	if (fputs(json, stdout) == EOF ||
	    (json[0] && json[strlen(json) - 1] != '\n' && putchar('\n') == EOF) || fflush(stdout) == EOF)
		rc = -1;
	kj_free_secret(json);
	return rc;
}

/* Is the cached lease still live in the store?  A read, no write: the store
 * knows when kubejit (here or in the TUI) revoked it or the sweep expired it. */
static int lease_still_active(struct engine *en, const char *id, int64_t now, kj_err *e)
{
	struct lease l;
	int live;

	memset(&l, 0, sizeof(l));
	if (lease_get(en, id, &l, e) < 0)
		return e->cls == KJ_ERR_NOTFOUND ? 0 : -1;
	live = l.state == LEASE_ACTIVE && (l.lease_expiry == 0 || now < l.lease_expiry);
	lease_done(&l);
	return live;
}

/* Mint a new lease and cache it; called with the key's lock held. */
static int mint_into_cache(struct engine *en, const char *home, const char *secret, const char *ns,
                           int64_t ttl, int64_t ready_ms, struct execcache_entry *ent, char **target,
                           kj_err *e)
{
	struct mint_request req;
	struct mint_result res;
	int rc;

	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	req.secret = secret;
	req.ns = ns;
	req.ttl = ttl;
	req.ready_timeout_ms = ready_ms;
	if (mint_run(en, &req, &res, e) < 0) {
		mint_result_done(&res);
		return -1;
	}
	snprintf(ent->lease_id, sizeof(ent->lease_id), "%s", res.lease_id);
	ent->token = kj_xstrdup(res.token);
	ent->issued_at = kj_now();
	ent->lease_end = res.lease_expiry;
	ent->token_expiry = res.token_expiry;
	/* a store sealed with a passphrase gets a sealed cache (doc/ARCHITECTURE.md, "Outputs and files") */
	ent->sealed = engine_seal_state(en) != ENGINE_SEAL_PLAIN;
	rc = execcache_store(home, secret, ns, ent, e);
	*target = res.target ? kj_xstrdup(res.target) : NULL;
	mint_result_done(&res);
	return rc;
}

int cli_get(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"namespace", required_argument, NULL, 'n'},
	    {"ttl", required_argument, NULL, 't'},
	    {"ready-timeout", required_argument, NULL, 'R'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *ns = NULL, *api, *secret;
	int64_t ready_ms = 0;
	char *home = NULL, *path = NULL, *minted_on = NULL;
	struct execcache_entry ent;
	struct engine *en = NULL;
	int64_t ttl = 0, now;
	kj_err e;
	int ch, fd = -1, rc = 1, live;

	kj_err_clear(&e);
	memset(&ent, 0, sizeof(ent));
	while ((ch = getopt_long(argc, argv, "n:t:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			ns = optarg[0] ? optarg : NULL;
			break;
		case 't':
			if (kj_ttl_parse(optarg, "--ttl", &ttl, &e) < 0)
				goto fail;
			break;
		case 'R':
			if (cli_parse_wait(optarg, "--ready-timeout", &ready_ms, &e) < 0)
				goto fail;
			break;
		case 'h':
			get_usage(stdout);
			return 0;
		default:
			return cli_usage_error("get", _("unknown option"));
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("get", optind >= argc ? _("which secret? give its path")
		                                             : _("too many arguments"));
	if (exec_api_version(&api, &e) < 0 || secret_path_normalize(argv[optind], &path, &e) < 0 ||
	    engine_resolve_home(g->home, &home, &e) < 0)
		goto fail;
	secret = path;

	/* The executable has already answered when the entry was seen active
	 * at the store's current stamp (src/cli/fastget.h); here the same
	 * check runs again, then the store is read if needed.
	 * Fast path: the cache file and two stat() calls.  The store is read
	 * only when it changed since the lease was last seen active there (a
	 * revoke, a sweep, any other write); reading never writes to it. */
	now = kj_now();
	if (execcache_load(home, secret, ns, &ent, &e) < 0)
		goto fail;
	if (ent.token && execcache_usable(&ent, now)) {
		char stamp[sizeof(ent.store_stamp)];
		int rerun = execcache_served_recently(home, secret, ns, (long)getppid(), EXECCACHE_RERUN_MS);

		execcache_store_stamp(home, stamp); /* before the read, so no change slips by */
		if (!rerun && ent.store_stamp[0] && !strcmp(stamp, ent.store_stamp))
			goto print;
		if (engine_open(g->home, &en, &e) < 0)
			goto fail;
		live = lease_still_active(en, ent.lease_id, now, &e);
		if (live > 0 && rerun) {
			/* the client was refused with this token a moment ago */
			live = lease_recheck_token(en, ent.lease_id, ent.token, RECHECK_MS, &e);
			if (live == 0)
				fprintf(
				    stderr,
				    _("%s: the cluster refused the cached credential of lease %.8s (its "
				      "objects were removed outside this kubejit): lease closed, minting a "
				      "new one\n"),
				    cli_prog(), ent.lease_id);
		}
		if (live < 0)
			goto fail;
		if (live) {
			kj_err ignored;

			/* remember this state; best effort: losing the race
			 * to another writer, or a read-only home, only costs
			 * a store read next time */
			snprintf(ent.store_stamp, sizeof(ent.store_stamp), "%s", stamp);
			ent.sealed = engine_seal_state(en) != ENGINE_SEAL_PLAIN;
			(void)execcache_store(home, secret, ns, &ent, &ignored);
			goto print;
		}
	}
	execcache_entry_done(&ent);

	/* Slow path: one minter per key; whoever waited re-reads the cache. */
	fd = execcache_lock(home, secret, ns, LOCK_TIMEOUT_MS, &e);
	if (fd < 0)
		goto fail;
	if (!en && engine_open(g->home, &en, &e) < 0)
		goto fail;
	now = kj_now();
	if (execcache_load(home, secret, ns, &ent, &e) < 0)
		goto fail;
	if (ent.token && execcache_usable(&ent, now) &&
	    (live = lease_still_active(en, ent.lease_id, now, &e)) != 0) {
		if (live < 0)
			goto fail;
		goto print;
	}
	execcache_entry_done(&ent);
	if (execcache_drop(home, secret, ns, &e) < 0 ||
	    mint_into_cache(en, home, secret, ns, ttl, ready_ms, &ent, &minted_on, &e) < 0)
		goto fail;
print:
	if (print_credential(api, &ent) < 0) {
		kj_err_set(&e, KJ_ERR_FAIL, _("cannot write the credential to standard output"));
		goto fail;
	}
	rc = 0;
	execcache_mark_served(home, secret, ns, (long)getppid());
	if (minted_on) {
		/* this call talked to the target anyway; the cached path never does.
		 * Quiet: kubectl passes the plugin's stderr through. */
		execcache_unlock(fd);
		fd = -1;
		cli_expire_due(en, minted_on, 1);
	}
	goto out;
fail:
	/* kubectl passes the plugin's stderr through: one line, hint included */
	fprintf(stderr, "%s: %s%s%s\n", cli_prog(), e.msg[0] ? e.msg : kj_err_class_name(e.cls),
	        e.hint[0] ? "; " : "", e.hint);
	rc = kj_err_exit_code(&e) ? kj_err_exit_code(&e) : 1;
out:
	execcache_unlock(fd);
	execcache_entry_done(&ent);
	engine_close(en);
	free(minted_on);
	free(home);
	free(path);
	return rc;
}
