/* `kubejit get` (the kubectl exec plugin) and `kubejit kubeconfig` (a
 * kubeconfig whose user runs it). */
#include "config.h"

#include <cjson/cJSON.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "engine/engine.h"
#include "engine/execcache.h"
#include "engine/lease.h"
#include "engine/mint.h"
#include "engine/output.h"
#include "engine/secret.h"
#include "kube/kubeconfig.h"
#include "engine/target.h"
#include "util/i18n.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

#define EXEC_API_V1      "client.authentication.k8s.io/v1"
#define EXEC_API_V1BETA1 "client.authentication.k8s.io/v1beta1"
#define LOCK_TIMEOUT_MS  60000

/* ---- kubejit get ---------------------------------------------------------- */

static void get_usage(FILE *out)
{
	fputs(_("Usage: kubejit get SECRET [--namespace NS] [--ttl DUR] [--ready-timeout DUR]\n"
	        "Print an ExecCredential for kubectl: kubejit as a kubectl exec plugin.\n\n"
	        "kubectl runs the plugin on every call, so kubejit keeps the token of the\n"
	        "current lease in a private cache (<home>/exec-cache, mode 0600) and hands\n"
	        "it out again until the last 10 % of the lease; then it mints a new one.\n"
	        "A lease that was revoked or expired is never served from the cache.\n"
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
	/* a store sealed with a passphrase gets a sealed cache (DESIGN §4) */
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

	/* Fast path: the cache file and two stat() calls.  The store is read
	 * only when it changed since the lease was last seen active there (a
	 * revoke, a sweep, any other write); reading never writes to it. */
	now = kj_now();
	if (execcache_load(home, secret, ns, &ent, &e) < 0)
		goto fail;
	if (ent.token && execcache_usable(&ent, now)) {
		char stamp[sizeof(ent.store_stamp)];

		execcache_store_stamp(home, stamp); /* before the read, so no change slips by */
		if (ent.store_stamp[0] && !strcmp(stamp, ent.store_stamp))
			goto print;
		if (engine_open(g->home, &en, &e) < 0)
			goto fail;
		live = lease_still_active(en, ent.lease_id, now, &e);
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
	fprintf(stderr, "kubejit: %s%s%s\n", e.msg[0] ? e.msg : kj_err_class_name(e.cls),
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

/* ---- kubejit kubeconfig --------------------------------------------------- */

static void kubeconfig_usage(FILE *out)
{
	fputs(_("Usage: kubejit kubeconfig SECRET [--namespace NS] [--out FILE] [--force]\n"
	        "                          [--ready-timeout DUR]\n"
	        "Write a kubeconfig whose user runs 'kubejit get SECRET' as a kubectl exec\n"
	        "plugin: every kubectl call gets a live credential, and one lease serves\n"
	        "many calls.  The file holds no token.  The cluster (server, CA, TLS server\n"
	        "name) is the secret's target; the context's namespace is the credential's.\n\n"
	        "Options:\n"
	        "  -n, --namespace NS  namespace of the credential and the context\n"
	        "  -o, --out FILE      write to FILE (mode 0600) instead of standard output\n"
	        "  -f, --force         replace FILE if it exists\n"
	        "      --ready-timeout DUR  passed to 'kubejit get': how long a new credential\n"
	        "                      may take to be accepted (default 10s)\n"
	        "  -h, --help          show this help\n\n"
	        "Examples:\n"
	        "  kubejit kubeconfig /prod/read-pods --namespace dev --out ~/.kube/dev-read\n"
	        "  KUBECONFIG=~/.kube/dev-read kubectl get pods\n"),
	      out);
}

/* The absolute path of this binary, for the kubeconfig's exec command. */
static char *self_path(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0) /* no /proc: let kubectl look it up in PATH */
		return kj_xstrdup("kubejit");
	buf[n] = '\0';
	return kj_xstrdup(buf);
}

/* The home kubejit uses when neither --home nor $KUBEJIT_HOME says. */
static int is_default_home(const char *home)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *h = getenv("HOME");
	char *def = NULL;
	int same;

	if (xdg && xdg[0] == '/')
		def = kj_xasprintf("%s/kubejit", xdg);
	else if (h && h[0])
		def = kj_xasprintf("%s/.local/share/kubejit", h);
	same = def && !strcmp(def, home);
	free(def);
	return same;
}

int cli_kubeconfig(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"namespace", required_argument, NULL, 'n'},
	    {"out", required_argument, NULL, 'o'},
	    {"force", no_argument, NULL, 'f'},
	    {"ready-timeout", required_argument, NULL, 'R'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *ns_arg = NULL, *outpath = NULL, *ready_arg = NULL;
	const char *args[8];
	int64_t ready_ms = 0;
	size_t n_args = 0;
	char *path = NULL, *ns = NULL, *home = NULL, *self = NULL, *text = NULL, *user = NULL, *ctx = NULL;
	char *pass_abs = NULL;
	const char *pass;
	struct kubeconfig_env env;
	char slug[40];
	struct engine *en = NULL;
	struct secret s;
	struct target t;
	struct kubeconfig_spec spec;
	kj_err e;
	int ch, force = 0, rc = 1;

	kj_err_clear(&e);
	secret_init(&s);
	memset(&t, 0, sizeof(t));
	memset(&spec, 0, sizeof(spec));
	while ((ch = getopt_long(argc, argv, "n:o:fh", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			ns_arg = optarg[0] ? optarg : NULL;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'R':
			if (cli_parse_wait(optarg, "--ready-timeout", &ready_ms, &e) < 0)
				goto fail;
			ready_arg = optarg;
			break;
		case 'h':
			kubeconfig_usage(stdout);
			return 0;
		default:
			return cli_usage_error("kubeconfig", _("unknown option"));
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("kubeconfig", optind >= argc ? _("which secret? give its path")
		                                                    : _("too many arguments"));
	if (secret_path_normalize(argv[optind], &path, &e) < 0 || engine_open(g->home, &en, &e) < 0 ||
	    secret_get(en, path, &s, &e) < 0 || secret_resolve_namespace(&s, ns_arg, &ns, &e) < 0 ||
	    target_get(en, s.target, &t, &e) < 0)
		goto fail;

	/* kubectl runs the plugin from any directory: the home must be absolute */
	home = realpath(engine_home(en), NULL);
	if (!home)
		home = kj_xstrdup(engine_home(en));
	self = self_path();
	if (!is_default_home(home)) {
		args[n_args++] = "--home";
		args[n_args++] = home;
	}
	args[n_args++] = "get";
	args[n_args++] = path;
	args[n_args++] = "--namespace";
	args[n_args++] = ns;
	if (ready_arg) {
		args[n_args++] = "--ready-timeout";
		args[n_args++] = ready_arg;
	}

	kj_slug(path, 30, slug, sizeof(slug));
	user = kj_xasprintf("kubejit-%s", slug);
	ctx = kj_xasprintf("%s-%s-%s", t.name, slug, ns);
	spec.cluster_name = t.name;
	spec.user_name = user;
	spec.context_name = ctx;
	spec.server = t.server;
	spec.ca_pem = t.ca_pem;
	spec.tls_server_name = t.tls_server_name;
	spec.namespace = ns;
	spec.exec_command = self;
	spec.exec_api_version = EXEC_API_V1;
	spec.exec_args = args;
	spec.n_exec_args = n_args;
	spec.exec_provide_cluster_info = 0;
	/* a sealed store needs its passphrase to mint, and the plugin has no
	 * terminal to ask on: hand over the file this shell uses */
	pass = getenv("KUBEJIT_PASSPHRASE_FILE");
	if (pass && pass[0]) {
		pass_abs = realpath(pass, NULL);
		env.name = "KUBEJIT_PASSPHRASE_FILE";
		env.value = pass_abs ? pass_abs : pass;
		spec.exec_env = &env;
		spec.n_exec_env = 1;
	}
	spec.exec_install_hint = _("kubejit is needed to get credentials for this kubeconfig");

	if (outpath) {
		if (kubeconfig_write(outpath, &spec, force, &e) < 0)
			goto fail;
		if (!g->quiet)
			fprintf(stderr, _("kubejit: wrote %s (context %s)\n"), outpath, ctx);
	} else {
		text = kubeconfig_render(&spec, &e);
		if (!text)
			goto fail;
		fputs(text, stdout);
	}
	rc = 0;
	goto out;
fail:
	rc = cli_fail(&e);
out:
	free(pass_abs);
	free(text);
	free(user);
	free(ctx);
	free(self);
	free(home);
	free(ns);
	free(path);
	target_done(&t);
	secret_done(&s);
	engine_close(en);
	return rc;
}
