/* store/leases: the leases and lease_objects tables.
 *
 * Rows map onto struct lease / struct lease_object (model/lease.h).
 * Tokens are never stored: a lease keeps only the token's sha256
 * fingerprint and its `jti`.  Objects are kept in creation order (seq).
 *
 * Memory: filled structs are the caller's (lease_done, lease_list_free).
 * Errors: NOTFOUND for a missing lease, INVALID for an ambiguous prefix,
 * FAIL (db_fail) for SQLite errors.  Thread-safety: as kj_db. */
#ifndef KJ_STORE_LEASES_H
#define KJ_STORE_LEASES_H

#include <stddef.h>
#include <stdint.h>

#include "model/lease.h"
#include "store/db.h"
#include "util/err.h"

/* Leases.  insert writes the row and its objects; update rewrites the
 * mutable columns (state, expiries, service account, fingerprint, jti,
 * error, ended_at, revocable). */
int store_lease_insert(kj_db *db, const struct lease *l, kj_err *e);
int store_lease_update(kj_db *db, const struct lease *l, kj_err *e);
/* Compare-and-set: the update happens only while the stored state is still
 * `from`.  Returns 0 when it happened, 1 when the lease was in another state
 * (or is gone) and nothing was written, -1 on error.  Plain
 * store_lease_update() is this with from = l->state (no state change). */
int store_lease_update_from(kj_db *db, const struct lease *l, enum lease_state from, kj_err *e);
/* Append object `o` as number `seq` (creation order, 0-based). */
int store_lease_add_object(kj_db *db, const char *lease_id, size_t seq, const struct lease_object *o,
                           kj_err *e);
int store_lease_object_deleted(kj_db *db, const char *lease_id, size_t seq, kj_err *e);
/* `id` exact or a unique prefix of ≥ 4 characters; fills objects. */
int store_lease_get(kj_db *db, const char *id, struct lease *out, kj_err *e);
/* Newest first; objects are filled only when `with_objects`.  `due_before`
 * > 0 keeps live leases whose lease_expiry ≤ due_before (the sweep). */
int store_lease_list(kj_db *db, const struct lease_filter *f, int with_objects, int64_t due_before,
                     struct lease **out, size_t *n, kj_err *e);
/* 1 when a lease with this id exists, 0 when not, -1 on error. */
int store_lease_exists(kj_db *db, const char *id, kj_err *e);
/* Same, and its state in *state when it exists. */
int store_lease_state(kj_db *db, const char *id, enum lease_state *state, kj_err *e);

/* The lease table's window (engine/lease.h, struct lease_view).  Every
 * order has an index (schema v5) ending in created_at DESC and the rowid,
 * and the same order within each group of lease_groups (schema v10), which
 * triggers keep per secret, namespace, mode and state with its count.  A
 * filter always selects whole groups (struct lease_view: model/lease.h), so
 * the counts are sums over the groups, and a page either walks the order's
 * index (no filter, one every lease matches, or a dense one over many
 * groups, within a budget) or merges the matching groups, each read in
 * order through its group index: the cost is the rows shown and skipped,
 * not the rows the filter leaves out (store/leases_view.c, MERGE_ROWS_PER_GROUP). */
int store_lease_view_count(kj_db *db, const struct lease_view *v, size_t *n, kj_err *e);
int store_lease_view_page(kj_db *db, const struct lease_view *v, size_t offset, size_t limit,
                          struct lease **out, size_t *n, kj_err *e);
int store_lease_view_position(kj_db *db, const struct lease_view *v, const char *id, long *pos, kj_err *e);
int store_lease_counts(kj_db *db, struct lease_counts *out, kj_err *e);
extern const char store_lease_schema_v5[];
extern const char store_lease_schema_v7[];
extern const char store_lease_schema_v10[];

#endif
