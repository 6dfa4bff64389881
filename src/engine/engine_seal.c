/* engine_seal: the sealed store (engine/engine.h): the passphrase and the
 * key derived from it, sealing and opening the targets' secret material and
 * other values, and turning sealing on and off. */
#include "engine/engine.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "engine/engine_priv.h"
#include "engine/execcache.h"
#include "store/db.h"
#include "store/seal.h"
#include "store/targets.h"
#include "util/b64.h"
#include "util/file.h"
#include "util/i18n.h"
#include "util/names.h"
#include "util/strbuf.h"

#define SEAL_SALT_SETTING  "seal.salt"
#define SEAL_CHECK_SETTING "seal.check"
#define SEAL_KDF_SETTING   "seal.kdf"
#define SEAL_CHECK_TEXT    "kubejit sealed store"
#define PASSPHRASE_MAX     4096

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
