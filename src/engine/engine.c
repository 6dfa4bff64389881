
#include "engine/engine.h"

#include <limits.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine_priv.h"
#include "engine/mint.h"
#include "engine/target.h"
#include "kube/api.h"
#include "kube/execcred.h"
#include "kube/http.h"
#include "store/db.h"
#include "store/targets.h"
#include "util/file.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

#define CERT_WARN_DEFAULT (30 * 86400)

#define RENEW_RETRY 60 /* a failed token renewal is tried again this much later */

/* engine_set_default_passphrase_fn(): set once at start, before engines open */
static engine_passphrase_fn default_ask;
static void *default_ask_ud;

static const char *user_home(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h && *h)
		return h;
	pw = getpwuid(getuid());
	return pw ? pw->pw_dir : NULL;
}

/* The home when neither --home nor $KUBEJIT_HOME says: XDG (only an
 * absolute $XDG_DATA_HOME counts), else ~/.local/share; NULL without a
 * home directory. */
static char *default_home(void)
{
	const char *v = getenv("XDG_DATA_HOME");
	const char *h;

	if (v && v[0] == '/')
		return kj_xasprintf("%s/kubejit", v);
	h = user_home();
	return h ? kj_xasprintf("%s/.local/share/kubejit", h) : NULL;
}

int engine_resolve_home(const char *home_arg, char **out, kj_err *e)
{
	const char *v;

	*out = NULL;
	if (home_arg && *home_arg) {
		*out = kj_xstrdup(home_arg);
		return 0;
	}
	v = getenv("KUBEJIT_HOME");
	if (v && *v) {
		*out = kj_xstrdup(v);
		return 0;
	}
	*out = default_home();
	if (!*out) {
		kj_err_set(e, KJ_ERR_FAIL, _("cannot find your home directory for the kubejit store"));
		return kj_err_hint(e, _("set $KUBEJIT_HOME or pass --home DIR"));
	}
	return 0;
}

int engine_home_is_default(const char *home)
{
	char *def = default_home();
	int same = def && home && !strcmp(def, home);

	free(def);
	return same;
}

int engine_store_exists(const char *home_arg)
{
	struct stat st;
	char *home = NULL, *db;
	kj_err e;
	int ok;

	if (engine_resolve_home(home_arg, &home, &e) < 0)
		return 0;
	db = kj_xasprintf("%s/" DB_FILE_NAME, home);
	ok = stat(db, &st) == 0;
	free(db);
	free(home);
	return ok;
}

static char *default_actor(void)
{
	const char *user = getenv("USER");
	struct passwd *pw;
	char host[HOST_NAME_MAX + 1];

	if (!user || !*user) {
		pw = getpwuid(getuid());
		user = pw ? pw->pw_name : "unknown";
	}
	if (gethostname(host, sizeof(host)) < 0 || !host[0])
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	return kj_xasprintf("%s@%s", user, host);
}

int engine_open(const char *home_arg, struct engine **out, kj_err *e)
{
	struct engine *en;
	const char *w;

	*out = NULL;
	en = kj_xcalloc(1, sizeof(*en));
	if (engine_resolve_home(home_arg, &en->home, e) < 0 || db_open(en->home, &en->db, e) < 0) {
		engine_close(en);
		return -1;
	}
	en->actor = default_actor();
	en->ask = default_ask;
	en->ask_ud = default_ask_ud;
	en->cert_warn = CERT_WARN_DEFAULT;
	w = getenv("KUBEJIT_CERT_WARN");
	if (w && *w) {
		int64_t secs;

		if (kj_ttl_parse(w, "$KUBEJIT_CERT_WARN", &secs, e) < 0) {
			engine_close(en);
			return -1;
		}
		en->cert_warn = secs;
	}
	*out = en;
	return 0;
}

/* Whether a target's API server speaks HTTP/1.1 only is remembered in the
 * store (setting "http1:TARGET"), so the next run opens its parallel
 * connections at once instead of waiting for HTTP/2 (src/kube/http.h). */
static char *http1_key(const char *target)
{
	return kj_xasprintf(ENGINE_HTTP1_PREFIX "%s", target);
}

static int http1_recalled(struct engine *en, const char *target)
{
	char *key = http1_key(target), *v = NULL;
	kj_err ignore;
	int yes;

	yes = db_setting_get(en->db, key, &v, &ignore) == 0 && v && !strcmp(v, "1");
	free(v);
	free(key);
	return yes;
}

/* Remember what this run's answers came over, when it changed. */
static void http1_remember(struct engine *en, const struct cached_client *cc)
{
	struct kube_client_stats st;
	char *key;
	kj_err ignore;
	int now;

	kube_client_get_stats(cc->kc, &st);
	if (st.http2)
		now = 0;
	else if (st.http1)
		now = 1;
	else
		return;
	if (now == cc->http1)
		return;
	key = http1_key(cc->name);
	db_setting_set(en->db, key, now ? "1" : NULL, &ignore);
	free(key);
}

static void drop_at(struct engine *en, size_t i, int remember)
{
	if (remember)
		http1_remember(en, &en->clients[i]);
	kube_client_free(en->clients[i].kc);
	free(en->clients[i].name);
	free(en->clients[i].identity);
	en->clients[i] = en->clients[--en->n_clients];
}

void engine_close(struct engine *en)
{
	if (!en)
		return;
	while (en->n_clients)
		drop_at(en, en->n_clients - 1, 1);
	free(en->clients);
	kj_wipe(en->key, sizeof(en->key));
	db_close(en->db);
	free(en->home);
	free(en->actor);
	free(en);
}

const char *engine_home(const struct engine *en)
{
	return en->home;
}

kj_db *engine_db(struct engine *en)
{
	return en->db;
}

const char *engine_actor(const struct engine *en)
{
	return en->actor;
}

void engine_set_request_timeout(struct engine *en, int64_t ms)
{
	en->request_timeout_ms = ms > 0 ? ms : 0;
}

int64_t engine_request_timeout(const struct engine *en)
{
	return en->request_timeout_ms;
}

void engine_set_actor(struct engine *en, const char *actor)
{
	free(en->actor);
	en->actor = kj_xstrdup(actor);
}

int64_t engine_cert_warn(const struct engine *en)
{
	return en->cert_warn;
}

void engine_set_cert_warn(struct engine *en, int64_t secs)
{
	en->cert_warn = secs;
}

int engine_check_server(const char *name, const char *server, kj_err *e)
{
	if (!server || !*server) {
		kj_err_set(e, KJ_ERR_USAGE, _("target \"%s\" needs the cluster's URL"), name ? name : "?");
		return kj_err_hint(e, _("give it with --server https://HOST:PORT"));
	}
	if (strncmp(server, "https://", 8) != 0) {
		kj_err_set(e, KJ_ERR_INVALID, _("server \"%s\" is not an https:// URL"), server);
		return kj_err_hint(
		    e, _("kubejit sends credentials only over verified TLS: use https://HOST:PORT"));
	}
	{
		const char *host = server + 8, *path = strchr(host, '/');
		size_t hlen = path ? (size_t)(path - host) : strlen(host);
		const char *why = NULL;

		for (const unsigned char *p = (const unsigned char *)server; *p && !why; p++)
			if (*p <= 0x20 || *p == 0x7f)
				why = _("it has a space or a control character");
		if (!why && !hlen)
			why = _("it names no host");
		else if (!why && memchr(host, '@', hlen))
			why = _("it carries a user name (give credentials with the options, not in the URL)");
		else if (!why && strpbrk(server, "?#"))
			why = _("it has a query or a fragment");
		else if (!why && path &&
		         (strstr(path, "/../") || strstr(path, "/./") ||
		          (strlen(path) >= 3 && !strcmp(path + strlen(path) - 3, "/..")) ||
		          (strlen(path) >= 2 && !strcmp(path + strlen(path) - 2, "/."))))
			why = _("its path has a '.' or '..' segment");
		if (why) {
			kj_err_set(e, KJ_ERR_INVALID, _("server \"%s\" is not usable: %s"), server, why);
			return kj_err_hint(e, _("give the API server's URL as in a kubeconfig: "
			                        "https://HOST:PORT, optionally with a path prefix"));
		}
	}
	return 0;
}

int engine_connect(struct engine *en, const struct target *t, const struct target_cred *cred,
                   struct kube_client **out, kj_err *e)
{
	struct kube_conn conn = {0};
	struct kube_exec_config exec = {0};
	char *ca = NULL;
	int rc;

	*out = NULL;
	/* every strategy passes here before its first byte is sent */
	if (engine_check_server(t->name, t->server, e) < 0)
		return -1;
	if (t->auth == TARGET_AUTH_EXEC) {
		if (kube_exec_config_from_json(t->exec_json, &exec, e) < 0)
			return kj_err_prefix(e, _("target \"%s\""), t->name ? t->name : "?");
		conn.exec = &exec;
	}
	conn.proxy_url = t->proxy_url;
	conn.http1_seen = en && t->name && http1_recalled(en, t->name);
	conn.disable_compression = t->disable_compression;
	conn.timeout_ms = en ? en->request_timeout_ms : 0;
	conn.server = t->server;
	conn.ca = t->ca_pem;
	/* in-cluster: the CA bundle can rotate like the token; read it afresh */
	if (t->sa_dir) {
		char *path = kj_xasprintf("%s/ca.crt", t->sa_dir);

		if (kj_file_read_head(path, 1024 * 1024, &ca, NULL, NULL) < 0)
			ca = NULL;
		free(path);
		if (ca && strstr(ca, "-----BEGIN CERTIFICATE-----"))
			conn.ca = ca;
	}
	conn.tls_server_name = t->tls_server_name;
	conn.token_file = t->token_file;
	conn.token = t->token_file ? NULL : (cred ? cred->token : NULL);
	if (t->client_cert_pem && cred && cred->client_key_pem) {
		conn.client_cert = t->client_cert_pem;
		conn.client_key = cred->client_key_pem;
	}
	rc = kube_client_new(&conn, out, e);
	free(ca);
	kube_exec_config_done(&exec);
	if (rc < 0)
		return kj_err_prefix(e, _("target \"%s\""), t->name ? t->name : "?");
	return 0;
}

int engine_client(struct engine *en, const char *name, struct kube_client **out, kj_err *e)
{
	struct target t;
	struct target_cred cred;
	struct kube_client *kc;
	kj_err re = {0};
	int64_t next;
	size_t i;
	int rc;

	*out = NULL;
	for (i = 0; i < en->n_clients; i++) {
		if (!strcmp(en->clients[i].name, name)) {
			if (!en->clients[i].renew_at || kj_now() < en->clients[i].renew_at) {
				*out = en->clients[i].kc;
				return 0;
			}
			engine_drop_client(en, name); /* its token is due for renewal */
			break;
		}
	}
	if (store_target_get(en->db, name, &t, e) < 0)
		return -1;
	if (store_target_get_cred(en->db, t.id, &cred, e) < 0) {
		target_done(&t);
		return -1;
	}
	rc = engine_cred_open(en, &t, &cred, e);
	/* a failed renewal keeps the current token, which still works */
	if (rc == 0 && target_renew_if_due(en, &t, &cred, &re) == 0 && re.msg[0])
		next = kj_now() + RENEW_RETRY;
	else
		next = target_renew_due(&t);
	if (rc == 0)
		rc = engine_connect(en, &t, &cred, &kc, e);
	target_cred_done(&cred);
	target_done(&t);
	if (rc < 0)
		return -1;
	engine_keep_client(en, name, kc);
	en->clients[en->n_clients - 1].renew_at = next;
	*out = kc;
	return 0;
}

int engine_token_client(struct engine *en, const char *name, const char *token, struct kube_client **out,
                        kj_err *e)
{
	struct target t;
	struct target_cred cred = {0};
	int rc;

	*out = NULL;
	if (store_target_get(en->db, name, &t, e) < 0)
		return -1;
	/* a minted token goes where the target's own credentials may go */
	if (engine_check_target(en, &t, e) < 0) {
		target_done(&t);
		return -1;
	}
	/* only the cluster's address and CA: none of the target's own credential */
	free(t.token_file);
	t.token_file = NULL;
	free(t.client_cert_pem);
	t.client_cert_pem = NULL;
	cred.token = (char *)token;
	rc = engine_connect(en, &t, &cred, out, e);
	target_done(&t);
	return rc;
}

void engine_keep_client(struct engine *en, const char *name, struct kube_client *kc)
{
	engine_drop_client(en, name);
	en->clients = kj_xrealloc(en->clients, (en->n_clients + 1) * sizeof(*en->clients));
	en->clients[en->n_clients].name = kj_xstrdup(name);
	en->clients[en->n_clients].kc = kc;
	en->clients[en->n_clients].renew_at = 0;
	en->clients[en->n_clients].identity = NULL;
	en->clients[en->n_clients].http1 = http1_recalled(en, name);
	{
		struct target t;
		kj_err ignore = {0};

		if (store_target_get(en->db, name, &t, &ignore) == 0) {
			en->clients[en->n_clients].renew_at = target_renew_due(&t);
			target_done(&t);
		}
	}
	en->n_clients++;
}

void engine_drop_client(struct engine *en, const char *name)
{
	for (size_t i = 0; i < en->n_clients; i++) {
		if (!strcmp(en->clients[i].name, name)) {
			drop_at(en, i, 1);
			return;
		}
	}
}

void engine_forget_target(struct engine *en, const char *name)
{
	char *key = http1_key(name);
	kj_err ignore;

	for (size_t i = 0; i < en->n_clients; i++) {
		if (!strcmp(en->clients[i].name, name)) {
			drop_at(en, i, 0);
			break;
		}
	}
	db_setting_set(en->db, key, NULL, &ignore);
	free(key);
	/* a target added again under this name starts with spares allowed */
	key = kj_xasprintf(MINT_SPARES_DENIED_PREFIX "%s", name);
	db_setting_set(en->db, key, NULL, &ignore);
	free(key);
}

static struct cached_client *cached(struct engine *en, const char *name)
{
	for (size_t i = 0; i < en->n_clients; i++)
		if (!strcmp(en->clients[i].name, name))
			return &en->clients[i];
	return NULL;
}

const char *engine_identity_cached(struct engine *en, const char *name)
{
	struct cached_client *c = name ? cached(en, name) : NULL;

	return c ? c->identity : NULL;
}

const char *engine_identity(struct engine *en, const char *name, kj_err *e)
{
	struct kube_client *kc;
	struct cached_client *c;
	struct kube_user_info who;
	struct target t;
	char *id = NULL;

	if (engine_client(en, name, &kc, e) < 0)
		return NULL;
	c = cached(en, name);
	if (c->identity)
		return c->identity;
	/* the preflight asked already; only a credential plugin may answer
	 * as someone else from one run to the next */
	if (store_target_get(en->db, name, &t, e) < 0)
		return NULL;
	if (t.identity && *t.identity && t.auth != TARGET_AUTH_EXEC)
		id = kj_printable(t.identity, ENGINE_IDENTITY_MAX);
	target_done(&t);
	if (!id) {
		memset(&who, 0, sizeof(who));
		if (kube_whoami(kc, &who, e) < 0) {
			kj_err_prefix(e, _("asking target %s who it is (SelfSubjectReview)"), name);
			return NULL;
		}
		if (who.username && *who.username)
			id = kj_printable(who.username, ENGINE_IDENTITY_MAX);
		kube_user_info_done(&who);
		if (!id) {
			kj_err_set(e, KJ_ERR_FAIL, _("target %s: the API server reported no username"), name);
			return NULL;
		}
	}
	c = cached(en, name); /* the client list may have moved */
	c->identity = id;
	return id;
}

void engine_set_plugin_hooks(engine_plugin_tty_fn tty, engine_plugin_stderr_fn err, void *ud)
{
	kube_exec_set_hooks(tty, err, ud);
}

void engine_set_default_passphrase_fn(engine_passphrase_fn fn, void *ud)
{
	default_ask = fn;
	default_ask_ud = ud;
}
