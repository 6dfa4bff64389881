/* sweep: close expired leases and remove what kubejit left in clusters.
 *
 * Local pass: leases past their TTL (revoked, state expired), stuck in
 * `creating` for longer than the grace period (a crash mid-mint), and `failed`
 * leases with objects left (retried).  Cluster pass: on each target (or the
 * in-cluster account), objects labelled app.kubernetes.io/managed-by=kubejit
 * whose kubejit.io/expires-at has passed, or whose lease is unknown to the
 * local store and which are older than the grace period.  The cluster pass
 * works with an empty local store, so any machine (or an in-cluster CronJob)
 * can clean up after any other.  The cluster pass also deletes expired
 * access requests with their sealed credentials (engine/request.h).
 *
 * Every action is audited.  Dry run lists what would be done and changes
 * nothing.  Memory: sweep_report_done() frees the report. */
#ifndef KJ_ENGINE_SWEEP_H
#define KJ_ENGINE_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct engine;

#define SWEEP_DEFAULT_GRACE 3600 /* orphan / stuck-creating grace, seconds */
/* How long after a mint failed the sweep looks again for objects of its
 * lease: a create whose answer was lost (timeout, dropped connection) can
 * still complete on the API server after the mint rolled back, up to the
 * server's own request timeout (kube-apiserver --request-timeout, 1 minute
 * by default). */
#define SWEEP_LATE_CREATE_SECONDS 180

struct sweep_opts {
	int local;          /* run the local pass */
	int cluster;        /* run the cluster pass */
	int dry_run;        /* report only */
	int in_cluster;     /* cluster pass with the pod's ServiceAccount, not the store's targets */
	const char *target; /* cluster pass on this target only (NULL = every target) */
	int64_t grace;      /* seconds; 0 = SWEEP_DEFAULT_GRACE */
	int orphans;        /* also remove objects whose lease this store does not know, once older
	                     * than `grace`, even before their expires-at: only safe when this store
	                     * is the only one minting on the cluster */
};

struct sweep_action {
	char *lease_id; /* may be NULL (object without a lease label) */
	char *target;   /* NULL for in-cluster */
	char *kind;     /* NULL for a lease-only action */
	char *ns;
	char *name;
	char *reason; /* "expired", "orphaned", "stuck creating", "failed leftovers" */
	int done;     /* 1 done (or would be, in dry run) */
	char *error;  /* NULL on success */
};

struct sweep_report {
	size_t leases_closed;   /* local leases revoked/expired/cleaned */
	size_t objects_deleted; /* cluster objects removed */
	size_t failures;
	struct sweep_action *actions;
	size_t n_actions;
	const char *hint; /* what to do about the failures (untranslated, static); NULL when none */
};

/* Returns -1 only if no pass could run at all (e.g. store unreadable);
 * per-object failures are in the report.  With `in_cluster`, `eng` may be
 * NULL: that pass reads and writes nothing but the cluster. */
int sweep_run(struct engine *eng, const struct sweep_opts *o, struct sweep_report *out, kj_err *e);
void sweep_report_done(struct sweep_report *r);

#endif
