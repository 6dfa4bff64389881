/* audit: the append-only log of what kubejit did.
 *
 * One row per mint, revoke, sweep action, secret change and failure: time,
 * actor (user@host), action, secret, lease, target, result ("ok"/"error")
 * and a detail text (never a secret).  Rows are never updated or deleted by
 * kubejit.  Memory: audit_list_free() frees a list.  Functions return 0 or -1
 * with `e` filled. */
#ifndef KJ_ENGINE_AUDIT_H
#define KJ_ENGINE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct engine;

/* Action names used by the engine. */
#define AUDIT_MINT          "mint"
#define AUDIT_REVOKE        "revoke"
#define AUDIT_EXPIRE        "expire"
#define AUDIT_SWEEP         "sweep"
#define AUDIT_SECRET_ADD    "secret-add"
#define AUDIT_SECRET_EDIT   "secret-edit"
#define AUDIT_SECRET_DELETE "secret-delete"

struct audit_entry {
	int64_t id;
	int64_t time;
	char *actor;
	char *action;
	char *secret; /* may be NULL */
	char *lease;  /* may be NULL */
	char *target; /* may be NULL */
	int ok;       /* 1 ok, 0 error */
	char *detail; /* may be NULL */
};

struct audit_filter {
	const char *action; /* NULL = any */
	const char *secret;
	const char *lease;
	int64_t since; /* 0 = from the start */
	size_t limit;  /* 0 = all */
};

/* Append a row with the engine's actor and kj_now(). */
int audit_record(struct engine *eng, const char *action, const char *secret, const char *lease,
                 const char *target, int ok, const char *detail, kj_err *e);
/* Newest first. */
int audit_list(struct engine *eng, const struct audit_filter *f, struct audit_entry **out, size_t *n,
               kj_err *e);
void audit_list_free(struct audit_entry *v, size_t n);

#endif
