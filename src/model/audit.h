/* model/audit: one row of the append-only audit log (what is recorded and
 * when is engine/audit.h).  Memory: audit_list_free() frees a list. */
#ifndef KJ_MODEL_AUDIT_H
#define KJ_MODEL_AUDIT_H

#include <stddef.h>
#include <stdint.h>

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

void audit_list_free(struct audit_entry *v, size_t n);

#endif
