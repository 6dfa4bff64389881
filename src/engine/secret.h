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

#include "engine/rolespec.h"
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

/* What a save reports besides success: the role YAML's notices (parts that
 * were ignored, with their line and column), none for other roles.  Free
 * with secret_saved_done(). */
struct secret_saved {
	char *path;                      /* as stored (normalised) */
	struct rolespec_notice *notices; /* engine/rolespec.h */
	size_t n_notices;
};
void secret_saved_done(struct secret_saved *r);
/* secret_add(), also filling `out` (may be NULL). */
int secret_add_report(struct engine *eng, const struct secret *s, struct secret_saved *out, kj_err *e);

/* A change to some fields of a secret: each SECRET_SET_* bit in `set` takes
 * that field from `v` (SECRET_SET_ROLE takes role_source, role_name and
 * role_yaml together; SECRET_SET_PATH renames to v.path).  Fields whose bit
 * is clear are kept.  Built with secret_patch_init(), freed with
 * secret_patch_done(). */
enum {
	SECRET_SET_PATH = 1u << 0,
	SECRET_SET_TARGET = 1u << 1,
	SECRET_SET_MODE = 1u << 2,
	SECRET_SET_NS = 1u << 3,
	SECRET_SET_SA = 1u << 4,
	SECRET_SET_REVOCABLE = 1u << 5,
	SECRET_SET_ALLOWED = 1u << 6,
	SECRET_SET_ROLE = 1u << 7,
	SECRET_SET_CLUSTER_SCOPE = 1u << 8,
	SECRET_SET_TTL = 1u << 9,
	SECRET_SET_MAX_TTL = 1u << 10,
	SECRET_SET_AUDIENCES = 1u << 11,
	SECRET_SET_DESCRIPTION = 1u << 12,
	SECRET_SET_TAGS = 1u << 13,
	SECRET_SET_PROTECT = 1u << 14,
	SECRET_SET_SELF_APPROVAL = 1u << 15,
	SECRET_SET_LABELS = 1u << 16,
	SECRET_SET_ANNOTATIONS = 1u << 17,
	SECRET_SET_PREFIX = 1u << 18,
};
struct secret_patch {
	unsigned set;
	struct secret v;
};
void secret_patch_init(struct secret_patch *p);
void secret_patch_done(struct secret_patch *p);
/* Apply `p` to the record `s` in memory (no store, no checks): how a new
 * secret is built from the same options an edit takes. */
void secret_patch_to(struct secret *s, const struct secret_patch *p);
/* Read the secret at `path`, apply `p`, validate and write it back (under a
 * new path with SECRET_SET_PATH) in one transaction; fills `out` (may be
 * NULL) as secret_add_report() does. */
int secret_patch(struct engine *eng, const char *path, const struct secret_patch *p, struct secret_saved *out,
                 kj_err *e);
/* All secrets under `folder` (NULL or "/" = all), sorted by path. */
int secret_list(struct engine *eng, const char *folder, struct secret **out, size_t *n, kj_err *e);
/* KJ_ERR_DENIED while delete protection is on; live leases are left alone
 * (they keep working until revoked or expired). */
int secret_delete(struct engine *eng, const char *path, kj_err *e);

#endif
