#include "engine/engine.h"

#include <limits.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "engine/execcache.h"
#include "engine/target.h"
#include "kube/api.h"
#include "kube/execcred.h"
#include "kube/http.h"
#include "store/db.h"
#include "store/seal.h"
#include "store/targets.h"
#include "util/b64.h"
#include "util/file.h"
#include "util/i18n.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

#define CERT_WARN_DEFAULT (30 * 86400)

struct cached_client {
	char *name;
	struct kube_client *kc;
	int64_t renew_at; /* reload (and renew the token) from then on; 0 = never */
	char *identity;   /* engine_identity(), once learned */
};

#define RENEW_RETRY 60 /* a failed token renewal is tried again this much later */

struct engine {
	char *home;
	kj_db *db;
	char *actor;
	int64_t cert_warn;
	struct cached_client *clients;
	size_t n_clients;
	int have_key; /* key holds the sealing key */
	unsigned char key[SEAL_KEY_LEN];
	engine_passphrase_fn ask;
	void *ask_ud;
	int64_t request_timeout_ms; /* 0 = the client's default */
};

#define SEAL_SALT_SETTING  "seal.salt"
#define SEAL_CHECK_SETTING "seal.check"
#define SEAL_KDF_SETTING   "seal.kdf"
#define SEAL_CHECK_TEXT    "kubejit sealed store"
#define PASSPHRASE_MAX     4096

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

void engine_close(struct engine *en)
{
	size_t i;

	if (!en)
		return;
	for (i = 0; i < en->n_clients; i++) {
		kube_client_free(en->clients[i].kc);
		free(en->clients[i].name);
		free(en->clients[i].identity);
	}
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

static char *lease_lock_path(struct engine *en, const char *lease_id, int mkdirs)
{
	char *dir = kj_xasprintf("%s/run", en->home), *path;

	if (mkdirs && mkdir(dir, 0700) < 0 && errno != EEXIST) {
		free(dir);
		return NULL;
	}
	path = kj_xasprintf("%s/%s.lock", dir, lease_id);
	free(dir);
	return path;
}

int engine_lease_hold(struct engine *en, const char *lease_id)
{
	char *path;
	int fd;

	if (!lease_id || !*lease_id || strchr(lease_id, '/') || !(path = lease_lock_path(en, lease_id, 1)))
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(path);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void engine_lease_release(struct engine *en, const char *lease_id, int fd)
{
	char *path;

	if (fd < 0)
		return;
	if ((path = lease_lock_path(en, lease_id, 0))) {
		unlink(path); /* while still locked: no one else can be holding it */
		free(path);
	}
	close(fd);
}

int engine_lease_held(struct engine *en, const char *lease_id)
{
	char *path;
	int fd, held;

	if (!lease_id || !*lease_id || strchr(lease_id, '/') || !(path = lease_lock_path(en, lease_id, 0)))
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return 0;
	held = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

void engine_crash_point(const char *step)
{
	const char *at = getenv("KUBEJIT_TEST_PAUSE_AT");

	if (!at || !step || strcmp(at, step))
		return;
	fprintf(stderr, "kubejit: paused at %s\n", step);
	fflush(stderr);
	for (;;)
		pause();
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
	size_t i;

	for (i = 0; i < en->n_clients; i++) {
		if (strcmp(en->clients[i].name, name))
			continue;
		kube_client_free(en->clients[i].kc);
		free(en->clients[i].name);
		free(en->clients[i].identity);
		en->clients[i] = en->clients[--en->n_clients];
		return;
	}
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

/* ---- sealed secret material ------------------------------------------------ */

void engine_set_plugin_hooks(engine_plugin_tty_fn tty, engine_plugin_stderr_fn err, void *ud)
{
	kube_exec_set_hooks(tty, err, ud);
}

void engine_set_default_passphrase_fn(engine_passphrase_fn fn, void *ud)
{
	default_ask = fn;
	default_ask_ud = ud;
}

void engine_set_passphrase_fn(struct engine *en, engine_passphrase_fn fn, void *ud)
{
	en->ask = fn;
	en->ask_ud = ud;
}

/* The salt when the store is sealed (re-read each time: another process
 * may have sealed or unsealed it meanwhile), else 0.  `kdf` (may be NULL)
 * gets the scrypt parameters kept beside it. */
static int seal_salt_kdf(struct engine *en, unsigned char salt[SEAL_SALT_LEN], struct seal_kdf *kdf,
                         kj_err *e)
{
	char *b64 = NULL, *text = NULL;
	unsigned char *raw;
	size_t len = 0;
	int rc;

	if (db_setting_get(en->db, SEAL_SALT_SETTING, &b64, e) < 0)
		return -1;
	if (!b64)
		return 0;
	raw = kj_b64_decode(b64, &len);
	free(b64);
	if (!raw || len != SEAL_SALT_LEN) {
		free(raw);
		return kj_err_set(e, KJ_ERR_FAIL, _("the store's sealing salt is damaged"));
	}
	memcpy(salt, raw, SEAL_SALT_LEN);
	free(raw);
	if (!kdf)
		return 1;
	if (db_setting_get(en->db, SEAL_KDF_SETTING, &text, e) < 0)
		return -1;
	rc = seal_kdf_parse(text, kdf, e);
	free(text);
	return rc < 0 ? -1 : 1;
}

static int seal_salt(struct engine *en, unsigned char salt[SEAL_SALT_LEN], kj_err *e)
{
	return seal_salt_kdf(en, salt, NULL, e);
}

enum engine_seal_state engine_seal_state(struct engine *en)
{
	unsigned char salt[SEAL_SALT_LEN];
	kj_err ignore = {0};

	if (seal_salt(en, salt, &ignore) <= 0)
		return ENGINE_SEAL_PLAIN;
	return en->have_key ? ENGINE_SEAL_OPEN : ENGINE_SEAL_LOCKED;
}

static char *check_ad(void)
{
	return seal_ad("settings", SEAL_CHECK_SETTING, "value");
}

/* Seal with a fresh salt under the current parameters: the settings and
 * every target's secret material (which must be plain in the store). */
static int seal_store(struct engine *en, const char *passphrase, kj_err *e);
static int rewrite_all(struct engine *en, int seal, kj_err *e);

/* A store sealed before the parameters were kept beside the salt, or
 * before values were bound to their place, is re-sealed at once under the
 * current parameters and format, in one transaction. */
static int upgrade_store(struct engine *en, const char *passphrase, kj_err *e)
{
	if (db_begin(en->db, e) < 0)
		return -1;
	if (rewrite_all(en, 0, e) < 0 || db_setting_set(en->db, SEAL_SALT_SETTING, NULL, e) < 0 ||
	    db_setting_set(en->db, SEAL_KDF_SETTING, NULL, e) < 0 || seal_store(en, passphrase, e) < 0 ||
	    db_commit(en->db, e) < 0) {
		db_rollback(en->db);
		return -1;
	}
	db_scrub(en->db);
	return 0;
}

int engine_unlock(struct engine *en, const char *passphrase, kj_err *e)
{
	unsigned char salt[SEAL_SALT_LEN], key[SEAL_KEY_LEN];
	struct seal_kdf kdf;
	char *check = NULL, *plain = NULL, *ad;
	int rc = seal_salt_kdf(en, salt, &kdf, e), old;

	if (rc <= 0)
		return rc < 0 ? -1 : kj_err_set(e, KJ_ERR_USAGE, _("the store is not sealed"));
	if (seal_derive_kdf(passphrase, salt, &kdf, key, e) < 0 ||
	    db_setting_get(en->db, SEAL_CHECK_SETTING, &check, e) < 0)
		return -1;
	ad = check_ad();
	rc = seal_decrypt_ad(key, ad, check ? check : "", &plain, e);
	free(ad);
	old = seal_is_sealed_v1(check) || kdf.n != seal_kdf_current.n || kdf.r != seal_kdf_current.r ||
	      kdf.p != seal_kdf_current.p;
	free(check);
	if (rc == 0 && strcmp(plain, SEAL_CHECK_TEXT))
		rc = kj_err_set(e, KJ_ERR_AUTH, _("the passphrase does not open the store's sealed secrets"));
	kj_free_secret(plain);
	if (rc == 0) {
		memcpy(en->key, key, sizeof(key));
		en->have_key = 1;
		if (old && upgrade_store(en, passphrase, e) < 0)
			rc = kj_err_prefix(e, _("re-sealing the store under the current parameters"));
	}
	kj_wipe(key, sizeof(key));
	return rc;
}

/* The first line of the file, its line ending removed: the rule of `pass`
 * and others, for sealing and unlocking alike. */
char *engine_passphrase_from_file(const char *path, kj_err *e)
{
	char *line;

	if (kj_file_read_line(path, PASSPHRASE_MAX - 1, &line, NULL) < 0) {
		kj_err_set(e, KJ_ERR_FAIL, _("cannot read the passphrase file %s"), path);
		kj_err_hint(e, _("check $KUBEJIT_PASSPHRASE_FILE"));
		return NULL;
	}
	return line;
}

/* Get the key of a sealed store: file, then the front end, else fail. */
static int need_key(struct engine *en, kj_err *e)
{
	const char *file = getenv("KUBEJIT_PASSPHRASE_FILE");
	char *pass = NULL;
	int rc;

	if (en->have_key)
		return 0;
	if (file && *file) {
		if (!(pass = engine_passphrase_from_file(file, e)))
			return -1;
	} else if (en->ask) {
		if (!(pass = en->ask(en->ask_ud, 0))) {
			kj_err_set(e, KJ_ERR_DENIED,
			           _("the store's secret material is sealed and no passphrase was given"));
			return kj_err_hint(
			    e,
			    _("type it at the prompt, or set KUBEJIT_PASSPHRASE_FILE to a file holding it"));
		}
	} else {
		kj_err_set(e, KJ_ERR_DENIED, _("the store's secret material is sealed with a passphrase"));
		return kj_err_hint(
		    e, _("set KUBEJIT_PASSPHRASE_FILE to a file holding it, or run kubejit in a terminal"));
	}
	rc = engine_unlock(en, pass, e);
	kj_free_secret(pass);
	return rc;
}

/* Where a target's sealed value lives: table, target name, column. */
static char *cred_ad(const char *target, const char *column)
{
	return seal_ad("target_secrets", target ? target : "", column);
}

static void seal_field(struct engine *en, const char *target, const char *column, char **f)
{
	char *ad, *sealed;

	if (!*f)
		return;
	ad = cred_ad(target, column);
	sealed = seal_encrypt_ad(en->key, ad, *f);
	free(ad);
	kj_free_secret(*f);
	*f = sealed;
}

/* Open a value that must be sealed (the store is): plaintext is refused,
 * as a value that belongs to another row or column is. */
static int open_field(struct engine *en, const char *target, const char *column, char **f, kj_err *e)
{
	char *plain, *ad;
	int rc;

	if (!*f)
		return 0;
	if (!seal_is_sealed(*f)) {
		kj_err_set(e, KJ_ERR_AUTH,
		           _("target \"%s\": its %s is stored in plain text in a sealed store"), target,
		           column);
		return kj_err_hint(e, _("someone wrote the store outside kubejit; add the target again "
		                        "(kubejit target add --replace) with credentials you trust"));
	}
	ad = cred_ad(target, column);
	rc = seal_decrypt_ad(en->key, ad, *f, &plain, e);
	free(ad);
	if (rc < 0) {
		if (e->cls == KJ_ERR_AUTH) {
			kj_err_set(e, KJ_ERR_AUTH,
			           _("target \"%s\": its sealed %s does not belong to it (changed or "
			             "copied from elsewhere)"),
			           target, column);
			kj_err_hint(e, _("someone wrote the store outside kubejit; add the target again "
			                 "(kubejit target add --replace) with credentials you trust"));
		}
		return -1;
	}
	free(*f);
	*f = plain;
	return 0;
}

/* A digest of everything that decides where a target's credentials go,
 * whom they trust and what runs to get them (an exec plugin's command); sealed beside them, so a changed
 * server or CA is found before the credentials are used. */
static char *conn_digest(const struct target *t)
{
	const char *f[] = {
	    t->name,       t->server,    t->ca_pem,          t->tls_server_name, target_auth_name(t->auth),
	    t->token_file, t->sa_dir,    t->client_cert_pem, t->kubeconfig_path, t->kubeconfig_context,
	    t->exec_json,  t->proxy_url, t->renew_sa};
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char *hex;

	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		abort();
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		/* length-prefixed, NULL apart from "": no two field lists collide */
		char len[24];
		int n = snprintf(len, sizeof len, "%zd:", f[i] ? (ssize_t)strlen(f[i]) : (ssize_t)-1);

		EVP_DigestUpdate(ctx, len, (size_t)n);
		if (f[i])
			EVP_DigestUpdate(ctx, f[i], strlen(f[i]));
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	hex = kj_xmalloc(2 * mdlen + 1);
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return hex;
}

static void seal_conn(struct engine *en, const struct target *t, struct target_cred *c)
{
	char *digest = conn_digest(t);

	free(c->conn);
	c->conn = digest;
	seal_field(en, t->name, "connection", &c->conn);
}

static int verify_conn(struct engine *en, const struct target *t, struct target_cred *c, kj_err *e)
{
	char *digest;
	int rc;

	if (!c->conn) {
		kj_err_set(e, KJ_ERR_AUTH, _("target \"%s\": its connection is not sealed in a sealed store"),
		           t->name);
		return kj_err_hint(e, _("someone wrote the store outside kubejit; add the target again "
		                        "(kubejit target add --replace) with a server and CA you trust"));
	}
	if (open_field(en, t->name, "connection", &c->conn, e) < 0)
		return -1;
	digest = conn_digest(t);
	rc = strcmp(digest, c->conn);
	free(digest);
	if (rc) {
		kj_err_set(e, KJ_ERR_AUTH,
		           _("target \"%s\": its server, CA or credentials source changed outside kubejit "
		             "since it was sealed"),
		           t->name);
		return kj_err_hint(e, _("nothing was sent; add the target again (kubejit target add "
		                        "--replace) with a server and CA you trust"));
	}
	return 0;
}

int engine_cred_seal(struct engine *en, const struct target *t, struct target_cred *c, kj_err *e)
{
	unsigned char salt[SEAL_SALT_LEN];
	int rc = seal_salt(en, salt, e);

	if (rc <= 0)
		return rc;
	if (need_key(en, e) < 0)
		return -1;
	seal_field(en, t->name, "token", &c->token);
	seal_field(en, t->name, "client_key_pem", &c->client_key_pem);
	seal_conn(en, t, c);
	return 0;
}

int engine_cred_open(struct engine *en, const struct target *t, struct target_cred *c, kj_err *e)
{
	unsigned char salt[SEAL_SALT_LEN];
	int rc = seal_salt(en, salt, e);

	if (rc < 0)
		return -1;
	if (rc == 0) {
		if (seal_is_sealed(c->token) || seal_is_sealed(c->client_key_pem)) {
			kj_err_set(e, KJ_ERR_FAIL,
			           _("target \"%s\": its secret material is sealed but the store is not"),
			           t->name);
			return kj_err_hint(e, _("add the target again (kubejit target add --replace)"));
		}
		return 0;
	}
	if (need_key(en, e) < 0 || verify_conn(en, t, c, e) < 0 ||
	    open_field(en, t->name, "token", &c->token, e) < 0 ||
	    open_field(en, t->name, "client_key_pem", &c->client_key_pem, e) < 0)
		return -1;
	return 0;
}

int engine_value_seal(struct engine *en, const char *ad, const char *plain, char **out, kj_err *e)
{
	unsigned char salt[SEAL_SALT_LEN];
	int rc = seal_salt(en, salt, e);

	*out = NULL;
	if (rc < 0)
		return -1;
	if (rc == 0) {
		*out = kj_xstrdup(plain);
		return 0;
	}
	if (need_key(en, e) < 0)
		return -1;
	*out = seal_encrypt_ad(en->key, ad, plain);
	return *out ? 0 : kj_err_set(e, KJ_ERR_FAIL, _("cannot seal a value for %s"), ad);
}

int engine_value_open(struct engine *en, const char *ad, const char *stored, char **plain, kj_err *e)
{
	unsigned char salt[SEAL_SALT_LEN];
	int rc = seal_salt(en, salt, e);

	*plain = NULL;
	if (rc < 0)
		return -1;
	if (!seal_is_sealed(stored)) {
		if (rc > 0) {
			kj_err_set(e, KJ_ERR_AUTH, _("%s is kept in plain text in a sealed store"), ad);
			return kj_err_hint(e, _("someone wrote it outside kubejit, or it was kept before the "
			                        "store was sealed; make it again"));
		}
		*plain = kj_xstrdup(stored);
		return 0;
	}
	if (rc == 0) {
		kj_err_set(e, KJ_ERR_FAIL, _("%s is sealed but the store is not"), ad);
		return kj_err_hint(e, _("make it again"));
	}
	if (need_key(en, e) < 0)
		return -1;
	return seal_decrypt_ad(en->key, ad, stored, plain, e);
}

int engine_check_target(struct engine *en, const struct target *t, kj_err *e)
{
	struct target_cred c;
	int rc;

	if (store_target_get_cred(en->db, t->id, &c, e) < 0)
		return -1;
	rc = engine_cred_open(en, t, &c, e);
	target_cred_done(&c);
	return rc;
}

/* Rewrite every target's secret material, sealed (`seal`) or plain.
 * Sealing takes plain values; opening takes either format. */
static int rewrite_all(struct engine *en, int seal, kj_err *e)
{
	struct target *v;
	size_t n, i;

	if (store_target_list(en->db, &v, &n, e) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct target_cred c;

		if (store_target_get_cred(en->db, v[i].id, &c, e) < 0)
			break;
		if (seal) {
			seal_field(en, v[i].name, "token", &c.token);
			seal_field(en, v[i].name, "client_key_pem", &c.client_key_pem);
			seal_conn(en, &v[i], &c);
		} else {
			/* a store from before the connection was sealed has none */
			if ((c.conn && verify_conn(en, &v[i], &c, e) < 0) ||
			    open_field(en, v[i].name, "token", &c.token, e) < 0 ||
			    open_field(en, v[i].name, "client_key_pem", &c.client_key_pem, e) < 0) {
				target_cred_done(&c);
				break;
			}
			free(c.conn);
			c.conn = NULL;
		}
		if (store_target_set_cred(en->db, v[i].id, &c, e) < 0) {
			target_cred_done(&c);
			break;
		}
		target_cred_done(&c);
	}
	target_list_free(v, n);
	return i == n ? 0 : -1;
}

static int seal_store(struct engine *en, const char *passphrase, kj_err *e)
{
	unsigned char salt[SEAL_SALT_LEN];
	char *b64, *check, *kdf, *ad;
	int rc;

	kj_random_bytes(salt, sizeof(salt));
	if (seal_derive_kdf(passphrase, salt, &seal_kdf_current, en->key, e) < 0)
		return -1;
	en->have_key = 1;
	b64 = kj_b64_encode(salt, sizeof(salt));
	kdf = seal_kdf_format(&seal_kdf_current);
	ad = check_ad();
	check = seal_encrypt_ad(en->key, ad, SEAL_CHECK_TEXT);
	rc = db_setting_set(en->db, SEAL_SALT_SETTING, b64, e) < 0 ||
	             db_setting_set(en->db, SEAL_KDF_SETTING, kdf, e) < 0 ||
	             db_setting_set(en->db, SEAL_CHECK_SETTING, check, e) < 0 || rewrite_all(en, 1, e) < 0
	         ? -1
	         : 0;
	free(b64);
	free(kdf);
	free(ad);
	free(check);
	return rc;
}

int engine_seal(struct engine *en, const char *passphrase, kj_err *e)
{
	unsigned char salt[SEAL_SALT_LEN];
	int rc;

	if (!passphrase || !*passphrase) {
		kj_err_set(e, KJ_ERR_USAGE, _("the passphrase is empty"));
		return kj_err_hint(e, _("give a passphrase of at least one character"));
	}
	if (db_begin(en->db, e) < 0)
		return -1;
	rc = seal_salt(en, salt, e);
	if (rc != 0) {
		db_rollback(en->db);
		if (rc < 0)
			return -1;
		kj_err_set(e, KJ_ERR_CONFLICT, _("the store is sealed already"));
		return kj_err_hint(e, _("to change the passphrase, turn sealing off and on again"));
	}
	rc = seal_store(en, passphrase, e) < 0 || db_commit(en->db, e) < 0 ? -1 : 0;
	if (rc < 0) {
		db_rollback(en->db);
		en->have_key = 0;
		kj_wipe(en->key, sizeof(en->key));
		return -1;
	}
	db_scrub(en->db);
	/* the exec plugin's cache holds tokens too: none stays in clear
	 * until the next `kubejit get` */
	return execcache_reseal(en->home, e);
}

int engine_unseal(struct engine *en, kj_err *e)
{
	unsigned char salt[SEAL_SALT_LEN];
	int rc = seal_salt(en, salt, e);

	if (rc <= 0)
		return rc < 0 ? -1 : kj_err_set(e, KJ_ERR_USAGE, _("the store is not sealed"));
	if (need_key(en, e) < 0 || db_begin(en->db, e) < 0)
		return -1;
	if (rewrite_all(en, 0, e) < 0 || db_setting_set(en->db, SEAL_SALT_SETTING, NULL, e) < 0 ||
	    db_setting_set(en->db, SEAL_KDF_SETTING, NULL, e) < 0 ||
	    db_setting_set(en->db, SEAL_CHECK_SETTING, NULL, e) < 0 || db_commit(en->db, e) < 0) {
		db_rollback(en->db);
		return -1;
	}
	en->have_key = 0;
	kj_wipe(en->key, sizeof(en->key));
	db_scrub(en->db);
	return 0;
}
