/* mint: turn a dynamic secret into a working token.
 *
 * Fixed mode: [anchor Secret] -> TokenRequest(expirationSeconds = max(ttl,600),
 *   audiences, boundObjectRef -> the anchor Secret with its uid).  Deleting the
 *   anchor invalidates the token.  When the target may not create Secrets the token
 *   is minted expiry-only and the result says so (revocable = 0, warning set).
 *   Spare anchors (doc/ARCHITECTURE.md, "The data flow of a mint"): each
 *   revocable fixed mint also makes a spare anchor Secret for the next one,
 *   which then relabels it, requests the token bound to it and makes the
 *   next spare in a single round trip.
 * Dynamic mode: namespace checked against the allowed list -> lease row
 *   `creating` -> ServiceAccount, then Role and (Cluster)RoleBinding ->
 *   TokenRequest -> `active`.  Any failure deletes what was made, newest first;
 *   what cannot be deleted stays on the (failed) lease for the sweep.
 * Dynamic stages: ServiceAccount and Role together, then RoleBinding and
 * TokenRequest together (a target without `bind` may bind a role only once
 * it exists), so a target needs no `bind` or `escalate` for roles whose
 * rules it holds.
 * Minted means working: before a dynamic token is handed over, kubejit asks
 * as the new token (engine/ready.h), on the mint's connection, a
 * SelfSubjectAccessReview for one rule the role grants
 * with backoff until it is allowed or `ready_timeout_ms` passes; a
 * credential that never becomes ready is revoked and the mint fails.  Not
 * checked when the token is asked for other audiences than the API server's
 * (then the API server need not accept it), nor in fixed mode, where nothing
 * is new to the authoriser and the authenticator reads the ServiceAccount and
 * the bound Secret from storage when its informer lags
 * (pkg/controller/serviceaccount/tokengetter.go); the result says so.
 * In both modes the lease expires at its TTL (even under 600 s: the sweep
 * revokes it then); the token's own expiry comes from the server.
 *
 * Memory: mint_result_done() wipes and frees the token and everything else.
 * The token is in memory only; never store or log it.  Blocking; call from
 * one thread per engine context. */
#ifndef KJ_ENGINE_MINT_H
#define KJ_ENGINE_MINT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/lease.h"
#include "engine/secret.h"
#include "util/err.h"

struct engine;

/* Optional step reporting for a front end ("creating ServiceAccount", ...). */
typedef void (*mint_step_fn)(void *ud, const char *step);

struct mint_request {
	const char *secret;              /* secret path */
	const char *ns;                  /* NULL: the secret's fixed namespace / only allowed one */
	int64_t ttl;                     /* seconds; 0 = the secret's default TTL */
	const struct kj_strv *audiences; /* NULL or empty: the secret's audiences */
	mint_step_fn step;               /* may be NULL */
	void *step_ud;
	int64_t ready_timeout_ms; /* bound of the readiness check; 0 = READY_TIMEOUT_MS */
};

struct mint_result {
	char lease_id[37];
	char *token; /* the bearer token — wipe with mint_result_done() */
	int64_t lease_expiry;
	int64_t token_expiry;
	int revocable;
	enum secret_mode mode;
	char *secret;
	char *target;
	char *ns;
	char *service_account;
	char fingerprint[65];
	char *jti;
	struct lease_object *objects; /* created, in order */
	size_t n_objects;
	char *warning;     /* e.g. expiry-only fallback, server capped the expiry; NULL if none */
	int64_t ready_ms;  /* how long the readiness check took; -1 = not checked */
	char *ready_check; /* what was asked as the token ("get pods in dev"), or why not checked */
	/* The cluster the token is for, so outputs need no further lookup. */
	char *server;          /* https://host:port */
	char *ca_pem;          /* may be NULL (system trust) */
	char *tls_server_name; /* may be NULL */
};

/* Settings key (+ target name): when the target was refused the update
 * that adopts a spare anchor Secret (unix seconds). */
#define MINT_SPARES_DENIED_PREFIX "spares-denied:"

int mint_run(struct engine *eng, const struct mint_request *req, struct mint_result *out, kj_err *e);
void mint_result_done(struct mint_result *r);

/* Generated object name "<prefix or kubejit>-<secret slug>-<5 random>", a
 * DNS-1123 label of at most 63 chars.  `out` needs 64 bytes. */
void mint_object_name(const char *prefix, const char *secret_path, char out[64]);

/* expirationSeconds actually requested for a TTL: max(ttl, 600). */
int64_t mint_token_seconds(int64_t ttl);

#endif
