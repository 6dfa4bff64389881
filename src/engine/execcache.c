#include "engine/execcache.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/db.h"
#include "util/b64.h"
#include "util/file.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/jwt.h"
#include "util/names.h"
#include "util/served.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#define CACHE_DIR      "exec-cache"
#define CACHE_VERSION  3
#define CACHE_MAX_SIZE (64 * 1024)

void execcache_entry_done(struct execcache_entry *ent)
{
	if (!ent)
		return;
	kj_free_secret(ent->token);
	memset(ent, 0, sizeof(*ent));
}

int64_t execcache_valid_until(const struct execcache_entry *ent)
{
	if (ent->token_expiry > 0 && ent->token_expiry < ent->lease_end)
		return ent->token_expiry;
	return ent->lease_end;
}

int execcache_usable(const struct execcache_entry *ent, int64_t now)
{
	int64_t end = execcache_valid_until(ent);
	int64_t life = end - ent->issued_at;
	int64_t margin = life > 0 ? life / 10 : 0;

	/* a token that would die within seconds of being handed to kubectl
	 * only produces a 401 on the next request */
	if (margin < 5)
		margin = 5;
	return ent->token && ent->token[0] && ent->lease_id[0] && now < end - margin;
}

static void stamp_file(const char *path, kj_buf *b)
{
	struct stat st;

	if (stat(path, &st) < 0)
		kj_buf_adds(b, "-|");
	else
		kj_buf_printf(b, "%lld.%09ld:%lld:%llu|", (long long)st.st_mtim.tv_sec,
		              (long)st.st_mtim.tv_nsec, (long long)st.st_size, (unsigned long long)st.st_ino);
}

void execcache_store_stamp(const char *home, char out[128])
{
	char *path = kj_xasprintf("%s/" DB_FILE_NAME, home);
	char *wal = kj_xasprintf("%s-wal", path);
	kj_buf b;

	kj_buf_init(&b);
	stamp_file(path, &b);
	stamp_file(wal, &b);
	snprintf(out, 128, "%s", b.data);
	kj_buf_done(&b);
	free(wal);
	free(path);
}

/* The key is hashed (64-bit FNV-1a): file names then say nothing about
 * secret paths, and any path or namespace maps to a safe name.  Not a
 * cryptographic hash on purpose: loading one from OpenSSL costs a
 * millisecond on the plugin's fast path, and a collision is harmless — the
 * entry names its secret and namespace, and a mismatch reads as absent. */
static void key_hash(const char *secret, const char *ns, char out[17])
{
	uint64_t h = 14695981039346656037ULL;
	const char *parts[3] = {secret, "\n", ns ? ns : ""};
	size_t i;

	for (i = 0; i < 3; i++)
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++) {
			h ^= *p;
			h *= 1099511628211ULL;
		}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static char *cache_dir(const char *home)
{
	return kj_xasprintf("%s/" CACHE_DIR, home);
}

char *execcache_path(const char *home, const char *secret, const char *ns)
{
	char h[17];

	key_hash(secret, ns, h);
	return kj_xasprintf("%s/" CACHE_DIR "/%s.json", home, h);
}

static int ensure_dir(const char *home, kj_err *e)
{
	char *dir = cache_dir(home);
	struct stat st;
	int rc = 0;

	if (mkdir(home, 0700) < 0 && errno != EEXIST)
		rc = kj_err_set(e, KJ_ERR_FAIL, _("cannot create %s: %s"), home, strerror(errno));
	else if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		rc = kj_err_set(e, KJ_ERR_FAIL, _("cannot create %s: %s"), dir, strerror(errno));
	else if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		rc = kj_err_set(e, KJ_ERR_FAIL, _("%s is not a directory"), dir);
	else if ((st.st_mode & 077) && chmod(dir, 0700) < 0)
		rc = kj_err_set(e, KJ_ERR_FAIL, _("cannot make %s private: %s"), dir, strerror(errno));
	if (rc == 0) {
		/* older versions kept the key beside the cache without a
		 * private runtime directory; entries sealed with it read as
		 * absent from now on (one new mint each) */
		char *legacy = kj_xasprintf("%s/.key", dir);

		(void)unlink(legacy);
		free(legacy);
	}
	free(dir);
	return rc;
}

/* ---- sealing ------------------------------------------------------------
 * The token is sealed with AES-256-GCM.  The key never sits next to the
 * cache it protects: a copy of the home directory (a backup, a synced
 * dotfile folder) must not carry both.  It lives in a per-user runtime
 * directory: $XDG_RUNTIME_DIR when that is private, else /run/user/UID
 * when that is, else ${TMPDIR:-/tmp}/kubejit-UID, which kubejit makes 0700
 * and uses only when it is a real directory owned by the user and private
 * (another user could create it first in a shared /tmp).  A lost key only
 * costs one new mint. */

#define KEY_LEN   32
#define NONCE_LEN 12
#define TAG_LEN   16

/* 1 when `dir` is a directory (not a symbolic link) owned by us that
 * nobody else may enter. */
static int private_dir(const char *dir)
{
	struct stat st;

	return dir && dir[0] == '/' && lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	       st.st_uid == geteuid() && !(st.st_mode & 077);
}

static char *fallback_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	return kj_xasprintf("%s/kubejit-%lu", tmp && tmp[0] == '/' ? tmp : "/tmp", (unsigned long)geteuid());
}

/* The runtime directory for the key (malloc'd), or NULL with errno set. */
static char *runtime_dir(void)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	char *dir;

	if (private_dir(rt))
		return kj_xstrdup(rt);
	dir = kj_xasprintf("/run/user/%lu", (unsigned long)geteuid());
	if (private_dir(dir))
		return dir;
	free(dir);
	dir = fallback_dir();
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		free(dir);
		return NULL;
	}
	if (!private_dir(dir)) {
		free(dir);
		errno = EPERM;
		return NULL;
	}
	return dir;
}

/* Where the key is (malloc'd), or NULL when there is no private runtime
 * directory. */
static char *key_path(const char *home)
{
	char *rt = runtime_dir(), *path, h[65];

	if (!rt)
		return NULL;
	/* one key per home, so throwaway homes do not share one */
	kj_token_fingerprint(home, h);
	h[16] = '\0';
	path = kj_xasprintf("%s/kubejit-exec-cache-%s.key", rt, h);
	free(rt);
	return path;
}

static int read_key(const char *path, unsigned char key[KEY_LEN])
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -1;
	n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 077)
	        ? read(fd, key, KEY_LEN)
	        : -1;
	close(fd);
	return n == KEY_LEN ? 0 : -1;
}

/* The key, made on first use when `create`.  0 or -1. */
static int cache_key(const char *home, int create, unsigned char key[KEY_LEN])
{
	char *path = key_path(home), *tmp;
	int fd, rc = -1;

	if (!path)
		return -1;
	if (read_key(path, key) == 0) {
		free(path);
		return 0;
	}
	if (!create) {
		free(path);
		return -1;
	}
	kj_random_bytes(key, KEY_LEN);
	tmp = kj_xasprintf("%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd >= 0) {
		if (fchmod(fd, 0600) == 0 && write(fd, key, KEY_LEN) == KEY_LEN && fsync(fd) == 0)
			/* link() fails if another process made a key meanwhile:
			 * then use theirs */
			rc = link(tmp, path) == 0 ? 0 : read_key(path, key);
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	free(path);
	if (rc < 0)
		kj_wipe(key, KEY_LEN);
	return rc;
}

static char *aad_of(const char *secret, const char *ns, const char *lease)
{
	return kj_xasprintf("kubejit-exec-cache\n%s\n%s\n%s", secret, ns ? ns : "", lease);
}

/* base64(nonce | ciphertext | tag), or NULL. */
static char *seal(const unsigned char key[KEY_LEN], const char *aad, const char *plain)
{
	size_t n = strlen(plain);
	unsigned char *buf = kj_xmalloc(NONCE_LEN + n + TAG_LEN);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	char *out = NULL;
	int len, ok;

	kj_random_bytes(buf, NONCE_LEN);
	ok = c && EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, buf) == 1 &&
	     EVP_EncryptUpdate(c, NULL, &len, (const unsigned char *)aad, (int)strlen(aad)) == 1 &&
	     EVP_EncryptUpdate(c, buf + NONCE_LEN, &len, (const unsigned char *)plain, (int)n) == 1 &&
	     EVP_EncryptFinal_ex(c, buf + NONCE_LEN + len, &len) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, buf + NONCE_LEN + n) == 1;
	if (ok)
		out = kj_b64_encode(buf, NONCE_LEN + n + TAG_LEN);
	EVP_CIPHER_CTX_free(c);
	free(buf);
	return out;
}

/* The plain text (a secret: kj_free_secret), or NULL when the key or the
 * data do not match. */
static char *unseal(const unsigned char key[KEY_LEN], const char *aad, const char *sealed)
{
	size_t n = 0;
	unsigned char *buf = kj_b64_decode(sealed, &n);
	EVP_CIPHER_CTX *c;
	char *out = NULL;
	int len, ok;

	if (!buf || n < NONCE_LEN + TAG_LEN) {
		free(buf);
		return NULL;
	}
	n -= NONCE_LEN + TAG_LEN;
	out = kj_xmalloc(n + 1);
	c = EVP_CIPHER_CTX_new();
	ok = c && EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, buf) == 1 &&
	     EVP_DecryptUpdate(c, NULL, &len, (const unsigned char *)aad, (int)strlen(aad)) == 1 &&
	     EVP_DecryptUpdate(c, (unsigned char *)out, &len, buf + NONCE_LEN, (int)n) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, buf + NONCE_LEN + n) == 1 &&
	     EVP_DecryptFinal_ex(c, (unsigned char *)out + len, &len) == 1;
	EVP_CIPHER_CTX_free(c);
	free(buf);
	if (!ok) {
		kj_wipe(out, n + 1);
		free(out);
		return NULL;
	}
	out[n] = '\0';
	return out;
}

static int64_t num(const cJSON *o, const char *k)
{
	return kj_json_int(o, k, 0, KJ_TIME_MAX, 0);
}

/* 1 when the parsed document is an entry for exactly this key. */
static int parse_entry(const cJSON *j, const char *home, const char *secret, const char *ns,
                       struct execcache_entry *ent)
{
	const char *s = kj_json_str(j, "secret"), *n = kj_json_str(j, "namespace"),
	           *lease = kj_json_str(j, "lease"), *plain = kj_json_str(j, "token"),
	           *sealed = kj_json_str(j, "sealed_token");
	unsigned char key[KEY_LEN];
	char *aad;

	if (num(j, "version") != CACHE_VERSION || !s || !n || !lease || (!plain && !sealed))
		return 0;
	/* a hash collision or a copied file must not hand out another
	 * secret's token */
	if (strcmp(s, secret) || strcmp(n, ns ? ns : "") || strlen(lease) >= sizeof(ent->lease_id))
		return 0;
	if (plain) {
		ent->token = kj_xstrdup(plain);
	} else {
		if (cache_key(home, 0, key) < 0)
			return 0;
		aad = aad_of(secret, ns, lease);
		ent->token = unseal(key, aad, sealed);
		kj_wipe(key, sizeof(key));
		free(aad);
		if (!ent->token)
			return 0;
		ent->sealed = 1;
	}
	snprintf(ent->lease_id, sizeof(ent->lease_id), "%s", lease);
	ent->issued_at = num(j, "issued_at");
	ent->lease_end = num(j, "lease_end");
	ent->token_expiry = num(j, "token_expiry");
	snprintf(ent->store_stamp, sizeof(ent->store_stamp), "%s", kj_json_str0(j, "store_stamp"));
	return 1;
}

int execcache_load(const char *home, const char *secret, const char *ns, struct execcache_entry *ent,
                   kj_err *e)
{
	char *path = execcache_path(home, secret, ns);
	char *buf = NULL;
	struct stat st;
	cJSON *j;
	ssize_t got;
	int fd, rc = 0;

	memset(ent, 0, sizeof(*ent));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno != ENOENT)
			rc = kj_err_set(e, KJ_ERR_FAIL, _("cannot read %s: %s"), path, strerror(errno));
		free(path);
		return rc;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = kj_err_set(e, KJ_ERR_FAIL, _("%s is not a regular file"), path);
		goto out;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		rc = kj_err_set(e, KJ_ERR_FAIL, _("%s is readable by others; refusing to use it"), path);
		kj_err_hint(e, _("remove the file; kubejit writes a new one with mode 0600"));
		goto out;
	}
	if (st.st_size <= 0 || st.st_size > CACHE_MAX_SIZE)
		goto out;
	buf = kj_xmalloc((size_t)st.st_size + 1);
	got = read(fd, buf, (size_t)st.st_size);
	if (got != st.st_size)
		goto out;
	buf[got] = '\0';
	j = cJSON_Parse(buf);
	if (j) {
		cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "token");

		rc = parse_entry(j, home, secret, ns, ent);
		if (cJSON_IsString(t)) /* the parsed tree holds the token too */
			kj_wipe(t->valuestring, strlen(t->valuestring));
		cJSON_Delete(j);
	}
out:
	if (buf)
		kj_wipe(buf, (size_t)st.st_size);
	free(buf);
	close(fd);
	free(path);
	return rc;
}

int execcache_store(const char *home, const char *secret, const char *ns, const struct execcache_entry *ent,
                    kj_err *e)
{
	unsigned char key[KEY_LEN];
	char *path, *text, *aad, *sealed = NULL;
	cJSON *j;
	int rc;

	if (ensure_dir(home, e) < 0)
		return -1;
	if (ent->sealed) {
		if (cache_key(home, 1, key) < 0) {
			char *fb = fallback_dir();

			kj_err_set(e, KJ_ERR_FAIL, _("cannot make the exec-plugin cache key: %s"),
			           strerror(errno));
			kj_err_hint(e,
			            _("set XDG_RUNTIME_DIR to a private directory (mode 0700), or remove %s "
			              "if it is not yours or not private"),
			            fb);
			free(fb);
			return -1;
		}
		aad = aad_of(secret, ns, ent->lease_id);
		sealed = seal(key, aad, ent->token ? ent->token : "");
		kj_wipe(key, sizeof(key));
		free(aad);
		if (!sealed)
			return kj_err_set(e, KJ_ERR_FAIL,
			                  _("cannot seal the token for the exec-plugin cache"));
	}
	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "version", CACHE_VERSION);
	cJSON_AddStringToObject(j, "secret", secret);
	cJSON_AddStringToObject(j, "namespace", ns ? ns : "");
	cJSON_AddStringToObject(j, "lease", ent->lease_id);
	cJSON_AddNumberToObject(j, "issued_at", (double)ent->issued_at);
	cJSON_AddNumberToObject(j, "lease_end", (double)ent->lease_end);
	cJSON_AddNumberToObject(j, "token_expiry", (double)ent->token_expiry);
	cJSON_AddStringToObject(j, "store_stamp", ent->store_stamp);
	if (sealed) {
		cJSON_AddStringToObject(j, "sealed_token", sealed);
		text = cJSON_PrintUnformatted(j);
	} else {
		cJSON *t = cJSON_AddStringToObject(j, "token", ent->token ? ent->token : "");

		text = cJSON_PrintUnformatted(j);
		kj_wipe(t->valuestring, strlen(t->valuestring));
	}
	cJSON_Delete(j);
	free(sealed);

	path = execcache_path(home, secret, ns);
	rc = kj_file_write_private(path, text, strlen(text), 1, e);
	kj_free_secret(text); /* holds the token when not sealed */
	free(path);
	return rc;
}

int execcache_drop(const char *home, const char *secret, const char *ns, kj_err *e)
{
	char *path = execcache_path(home, secret, ns);
	int rc = 0;

	if (unlink(path) < 0 && errno != ENOENT)
		rc = kj_err_set(e, KJ_ERR_FAIL, _("cannot remove %s: %s"), path, strerror(errno));
	free(path);
	return rc;
}

int execcache_lock(const char *home, const char *secret, const char *ns, int timeout_ms, kj_err *e)
{
	char *path, *lock;
	int64_t deadline;
	int fd;

	if (ensure_dir(home, e) < 0)
		return -1;
	path = execcache_path(home, secret, ns);
	lock = kj_xasprintf("%.*s.lock", (int)(strlen(path) - strlen(".json")), path);
	free(path);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		kj_err_set(e, KJ_ERR_FAIL, _("cannot open %s: %s"), lock, strerror(errno));
		free(lock);
		return -1;
	}
	deadline = kj_mono_ms() + timeout_ms;
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		struct timespec ts = {0, 20 * 1000 * 1000};

		if (errno != EWOULDBLOCK && errno != EINTR) {
			kj_err_set(e, KJ_ERR_FAIL, _("cannot lock %s: %s"), lock, strerror(errno));
			goto fail;
		}
		if (kj_mono_ms() >= deadline) {
			kj_err_set(e, KJ_ERR_FAIL,
			           _("another kubejit is still minting for this secret (%s is locked)"),
			           lock);
			kj_err_hint(e, _("try again in a moment"));
			goto fail;
		}
		nanosleep(&ts, NULL);
	}
	free(lock);
	return fd;
fail:
	close(fd);
	free(lock);
	return -1;
}

void execcache_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

/* The secret and namespace an entry file names (malloc'd), or -1 when the
 * file is not an entry. */
static int entry_names(const char *path, char **secret, char **ns)
{
	size_t len = 0;
	char *text = NULL;
	cJSON *j, *t;
	int rc = -1;
	kj_err ignored;

	if (kj_file_read(path, CACHE_MAX_SIZE, &text, &len, &ignored) < 0)
		return -1;
	j = cJSON_Parse(text);
	kj_wipe(text, len);
	free(text);
	if (!j)
		return -1;
	if (kj_json_str(j, "secret") && kj_json_str(j, "namespace")) {
		*secret = kj_xstrdup(kj_json_str(j, "secret"));
		*ns = kj_xstrdup(kj_json_str(j, "namespace"));
		rc = 0;
	}
	t = cJSON_GetObjectItemCaseSensitive(j, "token");
	if (cJSON_IsString(t))
		kj_wipe(t->valuestring, strlen(t->valuestring));
	cJSON_Delete(j);
	return rc;
}

/* Seal one entry file in place, or remove it.  Holds the key's lock, so a
 * `kubejit get` minting meanwhile writes after us, under the new state. */
static int reseal_one(const char *home, const char *path, kj_err *e)
{
	struct execcache_entry ent;
	char *secret = NULL, *ns = NULL, *want;
	int fd, rc = 0, got;

	if (entry_names(path, &secret, &ns) < 0)
		goto drop;
	want = execcache_path(home, secret, ns);
	got = strcmp(want, path) == 0;
	free(want);
	if (!got)
		goto drop;
	fd = execcache_lock(home, secret, ns, 10000, e);
	if (fd < 0) {
		rc = -1;
		goto drop;
	}
	got = execcache_load(home, secret, ns, &ent, e);
	if (got == 1 && !ent.sealed) {
		ent.sealed = 1;
		if (execcache_store(home, secret, ns, &ent, e) < 0)
			got = rc = -1;
	}
	execcache_entry_done(&ent);
	execcache_unlock(fd);
	if (got == 1) {
		free(secret);
		free(ns);
		return 0;
	}
	if (got < 0)
		rc = -1;
drop:
	free(secret);
	free(ns);
	/* nothing in clear stays behind: what cannot be sealed goes */
	if (unlink(path) < 0 && errno != ENOENT && rc == 0)
		rc = kj_err_set(e, KJ_ERR_FAIL, _("cannot remove %s: %s"), path, strerror(errno));
	return rc;
}

int execcache_reseal(const char *home, kj_err *e)
{
	char *dir = cache_dir(home), *path;
	struct dirent *d;
	DIR *dh;
	int rc = 0;
	size_t n;

	dh = opendir(dir);
	if (!dh) {
		if (errno != ENOENT)
			rc = kj_err_set(e, KJ_ERR_FAIL, _("cannot read %s: %s"), dir, strerror(errno));
		free(dir);
		return rc;
	}
	while ((d = readdir(dh))) {
		n = strlen(d->d_name);
		path = kj_xasprintf("%s/%s", dir, d->d_name);
		if (n > 5 && !strcmp(d->d_name + n - 5, ".json")) {
			if (reseal_one(home, path, rc < 0 ? NULL : e) < 0)
				rc = -1;
		} else if (!strncmp(d->d_name, ".kubejit-tmp.", 13) || !strcmp(d->d_name, ".key")) {
			/* a write cut short may have left a token in clear */
			(void)unlink(path);
		}
		free(path);
	}
	closedir(dh);
	free(dir);
	return rc;
}

/* ---- last-served records (see execcache.h, EXECCACHE_RERUN_MS) ---------- */

static char *served_path(const char *home, const char *secret, const char *ns)
{
	char *path = execcache_path(home, secret, ns);
	char *out = kj_xasprintf("%.*s.served", (int)(strlen(path) - strlen(".json")), path);

	free(path);
	return out;
}

void execcache_mark_served(const char *home, const char *secret, const char *ns, long parent)
{
	char *path = served_path(home, secret, ns);

	kj_served_mark(path, parent, EXECCACHE_RERUN_MS);
	free(path);
}

int execcache_served_recently(const char *home, const char *secret, const char *ns, long parent,
                              int64_t window_ms)
{
	char *path = served_path(home, secret, ns);
	int hit = kj_served_recently(path, parent, window_ms);

	free(path);
	return hit;
}
