/* lease: one minted credential and the cluster objects behind it.
 *
 * A lease is written to the store before the first object is created, so
 * nothing kubejit makes is ever unaccounted for.  States:
 *   creating -> active -> revoking -> revoked | expired
 *   any -> failed (error kept, objects that could not be deleted kept for the sweep)
 * Tokens are never stored: only their sha256 fingerprint and JWT `jti`.
 *
 * Revoke deletes the ServiceAccount (dynamic) or the anchor Secret (fixed,
 * revocable) — that alone invalidates the token — and the bindings and
 * roles in one stage (delete_objects() in lease.c says why that is safe).  Invalidated is not yet refused: an
 * API server remembers a token that authenticated in the last 10 s (TokenSuccessCacheTTL,
 * pkg/kubeapiserver/options/authentication.go), each instance on its own,
 * so a revoked token stops working within about 10 s; lease_wait_refused()
 * waits for that.  404 counts as deleted; revoking twice is fine.  Fixed tokens that
 * are not revocable (no anchor) stay valid until their token expiry; revoke
 * then only closes the lease and says so in the lease's `error` text.
 *
 * The record (struct lease, struct lease_object) lives in model/lease.h;
 * free with lease_done(), lists with lease_list_free().  Functions return 0 or -1 with `e` filled.
 * lease_revoke_all() revokes up to 256 leases of one target together, with
 * up to `parallel` delete requests in flight (parallel HTTP requests, no
 * threads; a 429 or 503 is resent after its Retry-After), and calls
 * `progress` on the calling thread, so a curses front end may draw from it. */
#ifndef KJ_ENGINE_LEASE_H
#define KJ_ENGINE_LEASE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/secret.h"
#include "model/lease.h"
#include "util/err.h"

struct engine;

/* The lease table's view (model/lease.h: struct lease_view). */
/* How many leases the view shows. */
int lease_view_count(struct engine *eng, const struct lease_view *v, size_t *n, kj_err *e);
/* Rows offset..offset+limit-1 of the view, in its order (objects not filled). */
int lease_view_page(struct engine *eng, const struct lease_view *v, size_t offset, size_t limit,
                    struct lease **out, size_t *n, kj_err *e);
/* Where the lease `id` stands in the view: 0-based, or -1 if it is not in it. */
int lease_view_position(struct engine *eng, const struct lease_view *v, const char *id, long *pos, kj_err *e);
/* Totals for a table header, from counters kept by the store. */
int lease_counts(struct engine *eng, struct lease_counts *out, kj_err *e);

void lease_done(struct lease *l);
void lease_objects_free(struct lease_object *v, size_t n);
void lease_list_free(struct lease *v, size_t n);

/* Newest first.  Filters combine with AND. */
int lease_list(struct engine *eng, const struct lease_filter *f, struct lease **out, size_t *n, kj_err *e);
/* Whether the store may hold other leases or states than when `mark` was
 * last updated (the caller's two counters, zeroed at first): 1 yes (or
 * cannot tell), 0 no.  Lets a lease table skip re-reading an unchanged
 * store. */
int lease_store_changed(struct engine *eng, int64_t mark[2]);
/* `id` may be a unique prefix (≥ 4 chars).  Fills objects. */
int lease_get(struct engine *eng, const char *id, struct lease *out, kj_err *e);

/* Revoke one lease now (see header comment).  Records an audit row. */
int lease_revoke(struct engine *eng, const char *id, kj_err *e);
/* Revoke a lease already loaded with lease_get(), ending in `final`
 * (LEASE_REVOKED, or LEASE_EXPIRED for the sweep).  Updates `l`. */
int lease_revoke_now(struct engine *eng, struct lease *l, enum lease_state final, kj_err *e);

/* The token cache time kube-apiserver gives successful authentications. */
#define LEASE_TOKEN_CACHE_SECONDS 10

/* After lease `l` was revoked: return once its token is refused.  With the
 * token (`token` not NULL; it must match the lease's fingerprint), ask
 * SelfSubjectReview as the token until the API server answers 401, bounded
 * by `timeout_ms` (≤ 0: 30 s).  Without it (kubejit keeps no copy of a
 * token), wait until LEASE_TOKEN_CACHE_SECONDS + 1 have passed since the
 * revoke, and set *asked to 0.  *took_ms is the time spent here.  Fails for
 * a lease that is not revoked, or an expiry-only one (its token lives until
 * its expiry). */
int lease_wait_refused(struct engine *eng, const struct lease *l, const char *token, int64_t timeout_ms,
                       int *asked, int64_t *took_ms, kj_err *e);

/* For a cached token handed out again within seconds to the same client:
 * client-go runs its exec plugin again right after a request was answered
 * 401 (plugin/pkg/client/auth/exec/exec.go, maybeRefreshCreds), so the
 * token may have died behind kubejit's back (a colleague's revoke, a sweep
 * on another machine, an admin deleting the ServiceAccount).  Asks the
 * cluster as `token` (one SelfSubjectReview, at most `timeout_ms`).  When
 * the answer is 401 while lease `id` is active here, the lease is closed:
 * what is left of its objects deleted, state revoked, the reason in its
 * error text and in an audit row; returns 0.  Returns 1 when the token is
 * accepted or the answer says nothing about it (unreachable, timeout, 5xx):
 * the cached token stays.  An API server remembers a token that
 * authenticated in the last LEASE_TOKEN_CACHE_SECONDS, so a token killed
 * just now may still pass; the next rerun asks again.  -1 with `e` only
 * when the store cannot be read. */
int lease_recheck_token(struct engine *eng, const char *id, const char *token, int64_t timeout_ms, kj_err *e);

/* Progress of a bulk revoke: called once per finished lease (err NULL on
 * success) on the calling thread. */
typedef void (*lease_progress_fn)(void *ud, size_t done, size_t total, const char *lease_id,
                                  const kj_err *err);

struct lease_bulk_result {
	size_t total;
	size_t revoked;
	size_t failed;
};

/* Requests in flight of a bulk revoke by default, well below an API
 * server's --max-mutating-requests-inflight (200).  Objects beyond that
 * many go in deletes by label, so 200 dynamic leases (600 objects) take one
 * round of 24 requests on HTTP/1.1 (doc/BENCHMARKS.md). */
#define LEASE_REVOKE_PARALLEL 24

/* Revoke every live lease matching `f` with at most `parallel` requests in
 * flight (≤ 0: LEASE_REVOKE_PARALLEL; at most 31).  Returns -1 only when nothing could be attempted;
 * individual failures are counted in `res` and reported through `progress`. */
int lease_revoke_all(struct engine *eng, const struct lease_filter *f, int parallel,
                     lease_progress_fn progress, void *ud, struct lease_bulk_result *res, kj_err *e);
/* As lease_revoke_all(), for the leases `ids` (exact ids, as the store
 * keeps them): the live and failed ones are revoked together, grouped by
 * target; one closed meanwhile, or no longer in the store, counts as
 * revoked.  Returns 0. */
int lease_revoke_ids(struct engine *eng, char *const *ids, size_t n_ids, int parallel,
                     lease_progress_fn progress, void *ud, struct lease_bulk_result *res, kj_err *e);

/* Close target `target`'s overdue leases (active past their TTL, see
 * lease_is_overdue()) the way the sweep does: objects deleted, state
 * expired, an audit row each.  At most `max` leases (oldest due first),
 * `parallel` of them deleted together.  For commands that already talk to
 * the target, after their own work, so that leases expire on a machine
 * without a sweep timer too.  Returns -1 only when nothing could be tried;
 * failures are counted in `res` (the sweep retries them). */
int lease_expire_due(struct engine *eng, const char *target, size_t max, int parallel,
                     struct lease_bulk_result *res, kj_err *e);

#endif
