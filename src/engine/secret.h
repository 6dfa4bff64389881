/* secret: dynamic secrets — what kubejit may mint, on which target, how.
 *
 * A secret has a path-like name with virtual folders ("/prod/web/read-pods"),
 * a target, and a mode: fixed (tokens for one existing ServiceAccount) or
 * dynamic (a fresh ServiceAccount + RBAC per lease).  Secrets live in the
 * store; nothing is created in a cluster when a secret is saved.
 *
 * The record (struct secret) lives in model/secret.h.
 * secret_get()/secret_list() fill caller structs the caller must free
 * (secret_done, secret_list_free).
 *
 * Call order: secret_validate() is pure (no store, no network) and is what a
 * form runs live; secret_add()/secret_edit() validate again, check that the
 * target exists, and write.  All functions return 0 or -1 with `e` filled.
 * Not thread-safe on one engine context. */
#ifndef KJ_ENGINE_SECRET_H
#define KJ_ENGINE_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "model/secret.h"
#include "util/err.h"

struct engine; /* engine context, src/engine/engine.h */

/* "prod/web//read-pods/" -> "/prod/web/read-pods".  Segments: [A-Za-z0-9._-],
 * not "." or "..".  `out` gets a malloc'd string. */
int secret_path_normalize(const char *in, char **out, kj_err *e);
/* The folder part of a normalised path ("/prod/web"), "/" at the top.  Malloc'd. */
char *secret_path_folder(const char *path);

/* Every rule that needs neither store nor network: path, mode fields, names,
 * namespace patterns, TTL bounds, label/annotation keys, name prefix, and the
 * role YAML (through rolespec).  Errors name the field, the value and the fix. */
int secret_validate(const struct secret *s, kj_err *e);
/* The rules secret_validate() applies to one audience (not empty, plain
 * text on one line, at most 1024 bytes) and to the name prefix (NULL or ""
 * for none; else a DNS label of at most 20 characters): for front ends that
 * check a field as it is left. */
int secret_check_audience(const char *a, kj_err *e);
int secret_check_name_prefix(const char *p, kj_err *e);

/* Is `ns` allowed for this secret?  Fixed: equal to s->ns.  Dynamic: matches
 * an entry of allowed_namespaces (exact, "*", or glob).  1 yes, 0 no. */
int secret_namespace_allowed(const struct secret *s, const char *ns);
/* Pick the namespace of a mint: `requested` if given, else the fixed
 * namespace, else the only exact entry of the allowed list.  Errors
 * (KJ_ERR_DENIED / KJ_ERR_USAGE) name the namespace, the secret and the list. */
int secret_resolve_namespace(const struct secret *s, const char *requested, char **out, kj_err *e);
/* Effective TTL of a mint: `requested` 0 means the secret's default; over the
 * secret's max is KJ_ERR_DENIED. */
int secret_resolve_ttl(const struct secret *s, int64_t requested, int64_t *out, kj_err *e);

/* Store operations. */
int secret_add(struct engine *eng, const struct secret *s, kj_err *e);
/* Replace the secret stored at `path` with `s` (s->path may differ: rename). */
int secret_edit(struct engine *eng, const char *path, const struct secret *s, kj_err *e);
int secret_get(struct engine *eng, const char *path, struct secret *out, kj_err *e);
/* All secrets under `folder` (NULL or "/" = all), sorted by path. */
int secret_list(struct engine *eng, const char *folder, struct secret **out, size_t *n, kj_err *e);
/* KJ_ERR_DENIED while delete protection is on; live leases are left alone
 * (they keep working until revoked or expired). */
int secret_delete(struct engine *eng, const char *path, kj_err *e);

#endif
