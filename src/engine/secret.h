/* secret: dynamic secrets — what kubejit may mint, on which target, how.
 *
 * A secret has a path-like name with virtual folders ("/prod/web/read-pods"),
 * a target, and a mode: fixed (tokens for one existing ServiceAccount) or
 * dynamic (a fresh ServiceAccount + RBAC per lease).  Secrets live in the
 * store; nothing is created in a cluster when a secret is saved.
 *
 * Memory: struct secret is a plain value.  secret_init() zeroes it and sets
 * defaults; secret_done() frees every owned field.  Strings are malloc'd and
 * owned by the struct; front ends may assign fields with kj_xstrdup().
 * secret_get()/secret_list() fill caller structs the caller must free.
 *
 * Call order: secret_validate() is pure (no store, no network) and is what a
 * form runs live; secret_add()/secret_edit() validate again, check that the
 * target exists, and write.  All functions return 0 or -1 with `e` filled.
 * Not thread-safe on one engine context. */
#ifndef KJ_ENGINE_SECRET_H
#define KJ_ENGINE_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "engine/strv.h"
#include "util/err.h"

struct engine; /* engine context, src/engine/engine.h */

enum secret_mode {
	SECRET_FIXED = 0,
	SECRET_DYNAMIC = 1,
};

/* Where a dynamic secret's permissions come from. */
enum secret_role_source {
	ROLE_SOURCE_NONE = 0,     /* fixed mode */
	ROLE_SOURCE_ROLE,         /* existing Role in the mint namespace, bound by a RoleBinding */
	ROLE_SOURCE_CLUSTER_ROLE, /* existing ClusterRole: RoleBinding per namespace, or a
	                           * ClusterRoleBinding when cluster_scope is set */
	ROLE_SOURCE_YAML,         /* Role(+RoleBinding) or ClusterRole(+ClusterRoleBinding) YAML */
};

/* TTL limits applied when a secret does not say. */
#define SECRET_DEFAULT_TTL     3600  /* 1h */
#define SECRET_DEFAULT_MAX_TTL 86400 /* 1d */
#define SECRET_MIN_TTL         60    /* below a minute the sweep cannot keep up */
#define SECRET_MAX_TTL_LIMIT   (30 * 86400)

struct secret {
	char *path;        /* normalised: leading '/', no trailing '/', no empty segment */
	char *description; /* may be NULL */
	struct kj_strv tags;
	int delete_protection; /* 1: secret_delete() refuses until turned off */
	char *target;          /* target name */
	enum secret_mode mode;

	/* fixed mode */
	char *ns;              /* namespace of the ServiceAccount */
	char *service_account; /* existing ServiceAccount */
	int revocable;         /* 1: bind each token to an anchor Secret (default 1) */

	/* dynamic mode */
	enum secret_role_source role_source;
	char *role_name;                   /* ROLE / CLUSTER_ROLE: name of the existing role */
	int cluster_scope;                 /* CLUSTER_ROLE: bind cluster-wide (ClusterRoleBinding) */
	char *role_yaml;                   /* YAML: the role document(s), text as the user wrote it */
	struct kj_strv allowed_namespaces; /* exact names, "*", globs ("team-*") */

	/* both modes */
	int64_t default_ttl;      /* seconds */
	int64_t max_ttl;          /* seconds */
	struct kj_strv audiences; /* empty: the cluster's default audience */
	char *name_prefix;        /* generated object names start with it; NULL = "kubejit" */
	struct kj_kvv labels;     /* extra labels on created objects */
	struct kj_kvv annotations;

	int64_t created_at; /* set by the store */
	int64_t updated_at;
};

void secret_init(struct secret *s); /* zero + defaults (revocable, TTLs) */
void secret_done(struct secret *s);
void secret_copy(struct secret *dst, const struct secret *src); /* dst uninitialised */

/* "prod/web//read-pods/" -> "/prod/web/read-pods".  Segments: [A-Za-z0-9._-],
 * not "." or "..".  `out` gets a malloc'd string. */
int secret_path_normalize(const char *in, char **out, kj_err *e);
/* The folder part of a normalised path ("/prod/web"), "/" at the top.  Malloc'd. */
char *secret_path_folder(const char *path);

/* Every rule that needs neither store nor network: path, mode fields, names,
 * namespace patterns, TTL bounds, label/annotation keys, name prefix, and the
 * role YAML (through rolespec).  Errors name the field, the value and the fix. */
int secret_validate(const struct secret *s, kj_err *e);

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

const char *secret_mode_name(enum secret_mode m); /* "fixed" / "dynamic" */
int secret_mode_parse(const char *s, enum secret_mode *out);
const char *secret_role_source_name(enum secret_role_source r); /* "role", "cluster-role", "yaml" */

/* Store operations. */
int secret_add(struct engine *eng, const struct secret *s, kj_err *e);
/* Replace the secret stored at `path` with `s` (s->path may differ: rename). */
int secret_edit(struct engine *eng, const char *path, const struct secret *s, kj_err *e);
int secret_get(struct engine *eng, const char *path, struct secret *out, kj_err *e);
/* All secrets under `folder` (NULL or "/" = all), sorted by path. */
int secret_list(struct engine *eng, const char *folder, struct secret **out, size_t *n, kj_err *e);
void secret_list_free(struct secret *v, size_t n);
/* KJ_ERR_DENIED while delete protection is on; live leases are left alone
 * (they keep working until revoked or expired). */
int secret_delete(struct engine *eng, const char *path, kj_err *e);

#endif
