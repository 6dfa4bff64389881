/* store/targets: the targets and target_secrets tables.
 *
 * A target row holds everything about a saved cluster connection that is
 * not secret (server, CA, how it authenticates, the client certificate,
 * the last preflight).  The secret material (bearer token, client private
 * key) lives in a separate table, target_secrets, read only when a
 * connection is made (store_target_get_cred) and wiped after use.  Rows map
 * onto struct target / struct target_cred (model/target.h).
 *
 * Memory: filled structs are the caller's (target_done, target_cred_done,
 * target_list_free).  Functions that fill a struct expect it zeroed or done.
 *
 * Other tables refer to a target by `targets.id` (INTEGER, foreign key,
 * ON DELETE RESTRICT for things that must be cleaned up first). */
#ifndef KJ_STORE_TARGETS_H
#define KJ_STORE_TARGETS_H

#include <stddef.h>
#include <stdint.h>

#include "model/target.h"
#include "store/db.h"
#include "util/err.h"

/* Migration 1 (tables targets and target_secrets), run by db.c. */
extern const char store_target_schema_v1[];
/* Migration 4: the exec strategy, proxy settings and token renewal (the
 * table is rebuilt for its CHECK constraint; db.c runs migrations with
 * foreign keys off and checks them before committing). */
extern const char store_target_schema_v4[];

/* Insert a new target and its secret material in one transaction; sets
 * t->id.  A taken name fails with KJ_ERR_CONFLICT and leaves nothing. */
int store_target_insert(kj_db *db, struct target *t, const struct target_cred *cred, kj_err *e);
/* Rewrite the non-secret fields of a saved target (by id). */
int store_target_update(kj_db *db, const struct target *t, kj_err *e);
/* Replace the secret material of a saved target. */
int store_target_set_cred(kj_db *db, int64_t id, const struct target_cred *cred, kj_err *e);
/* Record a preflight outcome (identity may be NULL to keep the old one). */
int store_target_set_preflight(kj_db *db, int64_t id, enum target_health health, int64_t at,
                               const char *identity, const char *summary, const char *json, kj_err *e);

/* Fetch by name; KJ_ERR_NOTFOUND when there is none. */
int store_target_get(kj_db *db, const char *name, struct target *out, kj_err *e);
int store_target_get_by_id(kj_db *db, int64_t id, struct target *out, kj_err *e);
int store_target_get_cred(kj_db *db, int64_t id, struct target_cred *out, kj_err *e);
/* All targets sorted by name; free with target_list_free(). */
int store_target_list(kj_db *db, struct target **out, size_t *n, kj_err *e);
/* Delete a target and its secret material; KJ_ERR_NOTFOUND when missing,
 * KJ_ERR_CONFLICT when other rows (secrets, leases) still use it. */
int store_target_delete(kj_db *db, const char *name, kj_err *e);

#endif
