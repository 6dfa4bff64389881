/* audit: the append-only log of what kubejit did.
 *
 * One row per mint, revoke, sweep action, secret change and failure: time,
 * actor (user@host), action, secret, lease, target, result ("ok"/"error")
 * and a detail text (never a secret).  Rows are never updated or deleted by
 * kubejit.  The record (struct audit_entry) lives in model/audit.h; free a
 * list with audit_list_free().  Functions return 0 or -1 with `e` filled. */
#ifndef KJ_ENGINE_AUDIT_H
#define KJ_ENGINE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "model/audit.h"
#include "util/err.h"

struct engine;

/* Append a row with the engine's actor and kj_now(). */
int audit_record(struct engine *eng, const char *action, const char *secret, const char *lease,
                 const char *target, int ok, const char *detail, kj_err *e);
/* Newest first. */
int audit_list(struct engine *eng, const struct audit_filter *f, struct audit_entry **out, size_t *n,
               kj_err *e);

#endif
