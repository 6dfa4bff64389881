/* spares: spare anchor Secrets, made ahead so that the next revocable
 * fixed mint of a secret in a namespace needs a single round trip
 * (engine/mint.h).  A row is written before its Secret is created
 * ("pending": no uid yet), completed with the uid and resourceVersion the
 * API server answered, and taken (deleted) by the mint that adopts it in
 * the same transaction that records it on the lease, so a spare belongs to
 * at most one lease.  The sweep deletes rows (and their Secrets) that are
 * pending for too long, past their expiry or whose secret is gone.
 *
 * Memory: store_spare_done() frees one row's strings. */
#ifndef KJ_STORE_SPARES_H
#define KJ_STORE_SPARES_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "util/err.h"

extern const char store_spare_schema_v9[];

struct store_spare {
	char *target, *secret, *ns, *name;
	char *uid;              /* NULL while pending */
	char *resource_version; /* NULL while pending */
	int64_t created_at, expires_at;
};
void store_spare_done(struct store_spare *s);
void store_spare_list_free(struct store_spare *v, size_t n);

/* Record a spare about to be created (pending). */
int store_spare_add(kj_db *db, const struct store_spare *s, kj_err *e);
/* The API server created it: its uid and resourceVersion. */
int store_spare_made(kj_db *db, const char *target, const char *ns, const char *name, const char *uid,
                     const char *rv, kj_err *e);
/* Forget a row (its Secret was never made or is deleted). */
int store_spare_drop(kj_db *db, const char *target, const char *ns, const char *name, kj_err *e);
/* Take the oldest made spare of (target, secret, ns) that expires after
 * `min_expiry`: the row is deleted and handed out.  1 taken, 0 none, -1
 * error.  Call inside the caller's transaction to record it elsewhere
 * atomically. */
int store_spare_take(kj_db *db, const char *target, const char *secret, const char *ns, int64_t min_expiry,
                     struct store_spare *out, kj_err *e);
/* How many rows (pending or made) there are for (target, secret, ns). */
int store_spare_count(kj_db *db, const char *target, const char *secret, const char *ns, size_t *n,
                      kj_err *e);
/* Every row (target NULL = of every target). */
int store_spare_list(kj_db *db, const char *target, struct store_spare **v, size_t *n, kj_err *e);

#endif
