/* model/secret: the record of a dynamic secret — what kubejit may mint, on
 * which target, how (the rules and store operations are engine/secret.h).
 *
 * Memory: struct secret is a plain value.  secret_init() zeroes it and sets
 * defaults; secret_done() frees every owned field.  Strings are malloc'd and
 * owned by the struct; front ends may assign fields with kj_xstrdup().
 * Pure functions, no store, no network. */
#ifndef KJ_MODEL_SECRET_H
#define KJ_MODEL_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "util/strv.h"

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
	/* access requests (engine/request.h): 1 lets an approver approve a
	 * request it made itself; 0 (default) refuses that */
	int self_approval;

	int64_t created_at; /* set by the store */
	int64_t updated_at;
};

void secret_init(struct secret *s); /* zero + defaults (revocable, TTLs) */
void secret_done(struct secret *s);
void secret_copy(struct secret *dst, const struct secret *src); /* dst uninitialised */
void secret_list_free(struct secret *v, size_t n);

const char *secret_mode_name(enum secret_mode m); /* "fixed" / "dynamic" */
int secret_mode_parse(const char *s, enum secret_mode *out);
const char *secret_role_source_name(enum secret_role_source r); /* "role", "cluster-role", "yaml" */

#endif
