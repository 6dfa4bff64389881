/* execcache: the token cache behind `kubejit get` (the kubectl exec plugin).
 *
 * kubectl runs its exec plugin on every invocation and keeps nothing on disk,
 * so without a cache each `kubectl get pods` would mint a new lease.  This
 * module keeps one file per (secret, namespace) under <home>/exec-cache/
 * (directory 0700, files 0600, written to a temporary file and renamed into
 * place, so a reader sees the old entry or the new one, never half of one).
 * The file name is a hash of the key, so several secrets and namespaces
 * coexist and no secret path ends up in a file name.
 *
 * Entries with `sealed` set keep the token under AES-256-GCM (bound to
 * secret, namespace and lease); the caller sets it when the store itself is
 * sealed with a passphrase (and `kubejit seal on` seals the entries already
 * there: execcache_reseal).  The key is a 0600 file in a private runtime
 * directory, never beside the cache: $XDG_RUNTIME_DIR, /run/user/UID, or
 * ${TMPDIR:-/tmp}/kubejit-UID (made 0700, refused unless owned by the user
 * and private).  An entry whose key is gone reads as absent, which costs one
 * new mint.  Unsealed
 * entries are plain 0600 files, like kubectl's own token files, and keep
 * OpenSSL (a millisecond to load) off the fast path.
 *
 * The fast path (execcache_load + execcache_usable) touches only the file
 * system: no network, no TLS, no database.  Callers check the lease's state in
 * the store themselves before serving a cached token.
 *
 * The kubejit executable reads unsealed entries itself, before it loads
 * this module (src/cli/fastget.c mirrors the key hash, the layout and
 * execcache_usable()): a change to the key hash, to a field's meaning or to
 * when a cached entry may be served must bump CACHE_VERSION or add a field,
 * either of which makes that path decline and leave the call to
 * src/cli/get.c.
 *
 * Call order for a refresh: execcache_lock() (serialises concurrent plugins
 * of the same key, so parallel kubectl calls mint once), execcache_load()
 * again (another process may have refreshed meanwhile), mint,
 * execcache_store(), execcache_unlock().
 *
 * Memory: an entry's token is heap memory owned by the entry; release it with
 * execcache_entry_done(), which wipes it.  Not thread-safe per entry. */
#ifndef KJ_ENGINE_EXECCACHE_H
#define KJ_ENGINE_EXECCACHE_H

#include <stdint.h>

#include "util/err.h"

struct execcache_entry {
	char lease_id[64];     /* the lease the token belongs to */
	char *token;           /* bearer token (secret) */
	int64_t issued_at;     /* when the lease started (seconds since the epoch) */
	int64_t lease_end;     /* when the lease ends (revoked by kubejit) */
	int64_t token_expiry;  /* the token's own hard expiry; 0 = unknown */
	int sealed;            /* keep the token encrypted on disk */
	char store_stamp[128]; /* execcache_store_stamp() when the lease was last seen
	                          active in the store; "" = never checked */
};

/* Free and wipe the token; the entry may be reused afterwards. */
void execcache_entry_done(struct execcache_entry *ent);

/* When the credential stops being valid: the earlier of the lease end and
 * the token's expiry. */
int64_t execcache_valid_until(const struct execcache_entry *ent);

/* 1 when the cached token may still be handed out at `now`: it is not within
 * the last 10 % of its lifetime (nor within 5 seconds of its end), else 0. */
int execcache_usable(const struct execcache_entry *ent, int64_t now);

/* A cheap fingerprint of the store's state: size, mtime and inode of the
 * database and its write-ahead log.  Any commit changes it, so a cached
 * lease that was active when the store had this stamp is still active
 * while the stamp is unchanged — without opening the database.  Take the
 * stamp before reading the lease, never after. */
void execcache_store_stamp(const char *home, char out[128]);

/* Read the entry for (secret, namespace); `ns` may be NULL or "" for the
 * secret's default namespace.  Returns 1 and fills `ent` when an entry
 * exists, 0 when there is none (or it is unreadable garbage, which is treated
 * as absent), -1 with `e` set on a real error (e.g. the file is not private). */
int execcache_load(const char *home, const char *secret, const char *ns, struct execcache_entry *ent,
                   kj_err *e);

/* Write the entry atomically (0600, temporary file + rename). */
int execcache_store(const char *home, const char *secret, const char *ns, const struct execcache_entry *ent,
                    kj_err *e);

/* Remove the entry, if any.  0 also when there was none. */
int execcache_drop(const char *home, const char *secret, const char *ns, kj_err *e);

/* Take an exclusive lock for the key (blocks, at most `timeout_ms`).
 * Returns a descriptor for execcache_unlock(), or -1 with `e` set. */
int execcache_lock(const char *home, const char *secret, const char *ns, int timeout_ms, kj_err *e);
void execcache_unlock(int fd);

/* Seal every unsealed entry under `home` in place (for `kubejit seal on`);
 * an entry that cannot be read or sealed is removed, so no token is left in
 * clear.  Also removes temporary files a cut-short write left behind.
 * 0, or -1 with `e` set after trying every entry. */
int execcache_reseal(const char *home, kj_err *e);

/* The rerun signal.  client-go runs its exec plugin again right after a
 * request was answered 401 (plugin/pkg/client/auth/exec/exec.go), in the
 * same process, so a second call for the same key from the same parent
 * process within EXECCACHE_RERUN_MS says the token handed out was refused.
 * Separate kubectl processes in a loop have other parents and do not count.
 * The last-served records live beside the entry (<hash>.served: one line
 * "<ms since the epoch> <parent pid>" per recent serve, at most a few),
 * written without fsync and without rewriting the entry: losing one only
 * loses a signal, and the fast path stays free of an fsync.  Best effort
 * both ways: errors are ignored. */
#define EXECCACHE_RERUN_MS 5000
/* Record that the entry was handed to process `parent` now. */
void execcache_mark_served(const char *home, const char *secret, const char *ns, long parent);
/* 1 when the entry was handed to `parent` less than `window_ms` ago, else 0. */
int execcache_served_recently(const char *home, const char *secret, const char *ns, long parent,
                              int64_t window_ms);

/* The cache file's path for a key (malloc'd), for messages and tests. */
char *execcache_path(const char *home, const char *secret, const char *ns);

#endif
