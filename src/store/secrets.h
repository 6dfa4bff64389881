/* store/secrets: the secrets table, and migration 2 that creates it with
 * the leases, lease_objects and audit tables (store/leases.h, store/audit.h).
 *
 * Rows map one to one onto struct secret (model/secret.h); list-like
 * fields (tags, namespaces, audiences, labels) are stored as JSON text.
 *
 * Memory: structs filled here are owned by the caller (secret_done,
 * lease_done, audit_list_free).  Errors: NOTFOUND for a missing row,
 * CONFLICT for a taken path, FAIL (db_fail) for SQLite errors.
 * Thread-safety: as kj_db (one thread per handle). */
#ifndef KJ_STORE_SECRETS_H
#define KJ_STORE_SECRETS_H

#include <stddef.h>
#include <stdint.h>

#include "model/secret.h"
#include "store/db.h"
#include "util/err.h"

/* Migration 2: secrets, leases, lease_objects, audit. */
extern const char store_secret_schema_v2[];

int store_secret_insert(kj_db *db, const struct secret *s, kj_err *e);
int store_secret_update(kj_db *db, const char *old_path, const struct secret *s, kj_err *e);
int store_secret_get(kj_db *db, const char *path, struct secret *out, kj_err *e);
int store_secret_list(kj_db *db, const char *folder, struct secret **out, size_t *n, kj_err *e);
int store_secret_delete(kj_db *db, const char *path, kj_err *e);

#endif
