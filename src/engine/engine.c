#include "engine/engine.h"

#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kube/execcred.h"
#include "kube/http.h"
#include "store/seal.h"
#include "store/targets.h"
#include "util/b64.h"
#include "util/i18n.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/ttl.h"

#define CERT_WARN_DEFAULT (30 * 86400)

struct cached_client {
	char *name;
	struct kube_client *kc;
};

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
};

#define SEAL_SALT_SETTING  "seal.salt"
#define SEAL_CHECK_SETTING "seal.check"
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

int engine_resolve_home(const char *home_arg, char **out, kj_err *e)
{
	const char *v;
	const char *h;

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
	/* XDG: only an absolute $XDG_DATA_HOME counts */
	v = getenv("XDG_DATA_HOME");
	if (v && v[0] == '/') {
		*out = kj_xasprintf("%s/kubejit", v);
		return 0;
	}
	h = user_home();
	if (!h) {
		kj_err_set(e, KJ_ERR_FAIL, _("cannot find your home directory for the kubejit store"));
		return kj_err_hint(e, _("set $KUBEJIT_HOME or pass --home DIR"));
	}
	*out = kj_xasprintf("%s/.local/share/kubejit", h);
	return 0;
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

static char *read_small_file(const char *path)
{
	FILE *f = fopen(path, "re");
	kj_buf b;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	kj_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len < 1024 * 1024)
		kj_buf_add(&b, chunk, n);
	fclose(f);
	return kj_buf_steal(&b);
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
	return 0;
}

int engine_connect(struct engine *en, const struct target *t, const struct target_cred *cred,
                   struct kube_client **out, kj_err *e)
{
	struct kube_conn conn = {0};
	struct kube_exec_config exec = {0};
	char *ca = NULL;
	int rc;

	(void)en;
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
	conn.server = t->server;
	conn.ca = t->ca_pem;
	/* in-cluster: the CA bundle can rotate like the token; read it afresh */
	if (t->sa_dir) {
		char *path = kj_xasprintf("%s/ca.crt", t->sa_dir);

		ca = read_small_file(path);
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
	size_t i;
	int rc;

	*out = NULL;
	for (i = 0; i < en->n_clients; i++) {
		if (!strcmp(en->clients[i].name, name)) {
			*out = en->clients[i].kc;
			return 0;
		}
	}
	if (store_target_get(en->db, name, &t, e) < 0)
		return -1;
	if (store_target_get_cred(en->db, t.id, &cred, e) < 0) {
		target_done(&t);
		return -1;
	}
	rc = engine_cred_open(en, &cred, e);
	if (rc == 0)
		rc = engine_connect(en, &t, &cred, &kc, e);
	target_cred_done(&cred);
	target_done(&t);
	if (rc < 0)
		return -1;
	engine_keep_client(en, name, kc);
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
		en->clients[i] = en->clients[--en->n_clients];
		return;
	}
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
 * may have sealed or unsealed it meanwhile), else 0. */
static int seal_salt(struct engine *en, unsigned char salt[SEAL_SALT_LEN], kj_err *e)
{
	char *b64 = NULL;
	unsigned char *raw;
	size_t len = 0;

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
	return 1;
}

enum engine_seal_state engine_seal_state(struct engine *en)
{
	unsigned char salt[SEAL_SALT_LEN];
	kj_err ignore = {0};

	if (seal_salt(en, salt, &ignore) <= 0)
		return ENGINE_SEAL_PLAIN;
	return en->have_key ? ENGINE_SEAL_OPEN : ENGINE_SEAL_LOCKED;
}

int engine_unlock(struct engine *en, const char *passphrase, kj_err *e)
{
	unsigned char salt[SEAL_SALT_LEN], key[SEAL_KEY_LEN];
	char *check = NULL, *plain = NULL;
	int rc = seal_salt(en, salt, e);

	if (rc <= 0)
		return rc < 0 ? -1 : kj_err_set(e, KJ_ERR_USAGE, _("the store is not sealed"));
	if (seal_derive(passphrase, salt, key, e) < 0 ||
	    db_setting_get(en->db, SEAL_CHECK_SETTING, &check, e) < 0)
		return -1;
	rc = seal_decrypt(key, check ? check : "", &plain, e);
	free(check);
	if (rc == 0 && strcmp(plain, SEAL_CHECK_TEXT))
		rc = kj_err_set(e, KJ_ERR_AUTH, _("the passphrase does not open the store's sealed secrets"));
	kj_free_secret(plain);
	if (rc == 0) {
		memcpy(en->key, key, sizeof(key));
		en->have_key = 1;
	}
	kj_wipe(key, sizeof(key));
	return rc;
}

static char *passphrase_from_file(const char *path, kj_err *e)
{
	FILE *f = fopen(path, "re");
	char buf[PASSPHRASE_MAX];
	size_t n;

	if (!f) {
		kj_err_set(e, KJ_ERR_FAIL, _("cannot read the passphrase file %s"), path);
		kj_err_hint(e, _("check $KUBEJIT_PASSPHRASE_FILE"));
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	{
		char *out = kj_xstrdup(buf);

		kj_wipe(buf, sizeof(buf));
		return out;
	}
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
		if (!(pass = passphrase_from_file(file, e)))
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

static int seal_field(struct engine *en, char **f)
{
	char *sealed;

	if (!*f || seal_is_sealed(*f))
		return 0;
	sealed = seal_encrypt(en->key, *f);
	kj_free_secret(*f);
	*f = sealed;
	return 0;
}

static int open_field(struct engine *en, char **f, kj_err *e)
{
	char *plain;

	if (!*f || !seal_is_sealed(*f))
		return 0;
	if (seal_decrypt(en->key, *f, &plain, e) < 0)
		return -1;
	free(*f);
	*f = plain;
	return 0;
}

int engine_cred_seal(struct engine *en, struct target_cred *c, kj_err *e)
{
	unsigned char salt[SEAL_SALT_LEN];
	int rc = seal_salt(en, salt, e);

	if (rc <= 0)
		return rc;
	if (need_key(en, e) < 0)
		return -1;
	seal_field(en, &c->token);
	seal_field(en, &c->client_key_pem);
	return 0;
}

int engine_cred_open(struct engine *en, struct target_cred *c, kj_err *e)
{
	if (!seal_is_sealed(c->token) && !seal_is_sealed(c->client_key_pem))
		return 0;
	if (need_key(en, e) < 0 || open_field(en, &c->token, e) < 0 ||
	    open_field(en, &c->client_key_pem, e) < 0)
		return -1;
	return 0;
}

/* Rewrite every target's secret material, sealed (`seal`) or plain. */
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
			seal_field(en, &c.token);
			seal_field(en, &c.client_key_pem);
		} else if (open_field(en, &c.token, e) < 0 || open_field(en, &c.client_key_pem, e) < 0) {
			target_cred_done(&c);
			break;
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

int engine_seal(struct engine *en, const char *passphrase, kj_err *e)
{
	unsigned char salt[SEAL_SALT_LEN];
	char *b64, *check;
	int rc;

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
	kj_random_bytes(salt, sizeof(salt));
	if (seal_derive(passphrase, salt, en->key, e) < 0) {
		db_rollback(en->db);
		return -1;
	}
	en->have_key = 1;
	b64 = kj_b64_encode(salt, sizeof(salt));
	check = seal_encrypt(en->key, SEAL_CHECK_TEXT);
	rc = db_setting_set(en->db, SEAL_SALT_SETTING, b64, e) < 0 ||
	             db_setting_set(en->db, SEAL_CHECK_SETTING, check, e) < 0 || rewrite_all(en, 1, e) < 0 ||
	             db_commit(en->db, e) < 0
	         ? -1
	         : 0;
	free(b64);
	free(check);
	if (rc == 0)
		db_scrub(en->db);
	if (rc < 0) {
		db_rollback(en->db);
		en->have_key = 0;
		kj_wipe(en->key, sizeof(en->key));
	}
	return rc;
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
	    db_setting_set(en->db, SEAL_CHECK_SETTING, NULL, e) < 0 || db_commit(en->db, e) < 0) {
		db_rollback(en->db);
		return -1;
	}
	en->have_key = 0;
	kj_wipe(en->key, sizeof(en->key));
	db_scrub(en->db);
	return 0;
}
