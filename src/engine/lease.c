#include "engine/lease.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/objects.h"
#include "engine/ready.h"
#include "store/db.h"
#include "store/leases.h"
#include "util/i18n.h"
#include "util/jwt.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

/* The filter with its secret path in normal form ("prod/x/" -> "/prod/x"). */
static int normal_filter(const struct lease_filter *f, struct lease_filter *out, char **path, kj_err *e)
{
	*out = f ? *f : (struct lease_filter)LEASE_FILTER_ANY;
	*path = NULL;
	if (out->secret) {
		if (secret_path_normalize(out->secret, path, e) < 0)
			return -1;
		out->secret = *path;
	}
	return 0;
}

int lease_list(struct engine *eng, const struct lease_filter *f, struct lease **out, size_t *n, kj_err *e)
{
	struct lease_filter nf;
	char *path;
	int rc;

	*out = NULL;
	*n = 0;
	if (normal_filter(f, &nf, &path, e) < 0)
		return -1;
	rc = store_lease_list(engine_db(eng), &nf, 0, 0, out, n, e);
	free(path);
	return rc;
}

int lease_view_count(struct engine *eng, const struct lease_view *v, size_t *n, kj_err *e)
{
	return store_lease_view_count(engine_db(eng), v, n, e);
}

int lease_view_page(struct engine *eng, const struct lease_view *v, size_t offset, size_t limit,
                    struct lease **out, size_t *n, kj_err *e)
{
	return store_lease_view_page(engine_db(eng), v, offset, limit, out, n, e);
}

int lease_view_position(struct engine *eng, const struct lease_view *v, const char *id, long *pos, kj_err *e)
{
	return store_lease_view_position(engine_db(eng), v, id, pos, e);
}

int lease_counts(struct engine *eng, struct lease_counts *out, kj_err *e)
{
	return store_lease_counts(engine_db(eng), out, e);
}

int lease_store_changed(struct engine *eng, int64_t mark[2])
{
	return db_changed_since(engine_db(eng), mark) != 0;
}

int lease_get(struct engine *eng, const char *id, struct lease *out, kj_err *e)
{
	return store_lease_get(engine_db(eng), id, out, e);
}

/* ---- revoke ---------------------------------------------------------------- */

static void close_lease(struct engine *eng, struct lease *l, enum lease_state final, kj_err *e)
{
	size_t left = 0;

	for (size_t i = 0; i < l->n_objects; i++)
		if (!l->objects[i].deleted)
			left++;
	if (left) {
		l->state = LEASE_FAILED;
		free(l->error);
		l->error = kj_xasprintf(_("revoke incomplete: %zu object(s) left (%s); the sweep retries"),
		                        left, e && e->msg[0] ? e->msg : "?");
	} else {
		l->state = final;
		if (!l->revocable && l->mode == SECRET_FIXED && l->token_expiry > kj_now()) {
			char ts[32];
			kj_time_rfc3339(l->token_expiry, ts, sizeof(ts));
			free(l->error);
			l->error = kj_xasprintf(_("expiry-only token: it stays valid until %s"), ts);
		}
	}
	l->ended_at = kj_now();
}

/* The store writes of a group of leases go in one transaction: one commit
 * instead of several per lease.  Without the write lock they are made one
 * by one, as before. */
static int batch_begin(struct engine *eng)
{
	kj_err ignore;

	return db_begin(engine_db(eng), &ignore) == 0;
}

static void batch_end(struct engine *eng, int began)
{
	kj_err ignore;

	if (began)
		db_commit(engine_db(eng), &ignore);
}

/* One object of a lease to delete. */
struct doomed {
	struct lease_object *o;
	struct lease *owner;
	size_t seq; /* its index in owner->objects */
	int op;     /* the op that deletes it in this pass */
	int again;  /* a collection delete did not report it: by name next */
};

/* At most this many leases' objects in one collection delete: the label
 * selector travels in the URL. */
#define COLLECTION_MAX 100

/* Plan the first pass: one op per object, except that when there are more
 * objects than parallel requests, the objects of one kind and namespace go
 * in collection deletes (label selector: kubejit's objects of these leases),
 * spread over about `parallel` requests so the API server deletes them on
 * several connections at once.  Returns the number of ops. */
static size_t plan_deletes(struct doomed *d, size_t m, int parallel, struct kube_op *ops, char **sels)
{
	size_t chunk =
	    parallel > 0 && m > (size_t)parallel ? (m + (size_t)parallel - 1) / (size_t)parallel : 1;
	size_t n_ops = 0;
	char *grouped = kj_xcalloc(m ? m : 1, 1);

	if (chunk > COLLECTION_MAX)
		chunk = COLLECTION_MAX;
	for (size_t i = 0; i < m; i++) {
		enum kube_kind_id kind = objects_kind_id(d[i].o->kind);
		const struct kube_kind *k = kube_kind(kind);
		size_t in_chunk = 0;
		kj_buf sel;

		if (grouped[i])
			continue;
		memset(&ops[n_ops], 0, sizeof(ops[n_ops]));
		sels[n_ops] = NULL;
		ops[n_ops].kind = kind;
		ops[n_ops].ns = d[i].o->ns;
		if (chunk < 2 || !k || !k->namespaced || !d[i].o->ns) {
			ops[n_ops].verb = KUBE_OP_DELETE;
			ops[n_ops].name = d[i].o->name;
			d[i].op = (int)n_ops++;
			grouped[i] = 1;
			continue;
		}
		/* the following objects of this kind and namespace, up to `chunk` */
		kj_buf_init(&sel);
		kj_buf_adds(&sel, OBJECTS_SELECTOR "," OBJECTS_LEASE_LABEL " in (");
		for (size_t j = i; j < m && in_chunk < chunk; j++) {
			if (grouped[j] || objects_kind_id(d[j].o->kind) != kind || !d[j].o->ns ||
			    strcmp(d[j].o->ns, d[i].o->ns))
				continue;
			grouped[j] = 1;
			d[j].op = (int)n_ops;
			if (in_chunk++)
				kj_buf_addc(&sel, ',');
			kj_buf_adds(&sel, d[j].owner->id);
		}
		kj_buf_addc(&sel, ')');
		sels[n_ops] = kj_buf_steal(&sel);
		if (in_chunk < 2) {
			free(sels[n_ops]);
			sels[n_ops] = NULL;
			ops[n_ops].verb = KUBE_OP_DELETE;
			ops[n_ops].name = d[i].o->name;
		} else {
			ops[n_ops].verb = KUBE_OP_DELETE_COLLECTION;
			ops[n_ops].selector = sels[n_ops];
		}
		n_ops++;
	}
	free(grouped);
	return n_ops;
}

/* Whether collection delete answer `list` names object `o`. */
static int in_deleted_list(const cJSON *list, const struct lease_object *o)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(list, "items"))
	{
		const char *name = kube_meta(it, "name");
		if (name && o->name && !strcmp(name, o->name))
			return 1;
	}
	return 0;
}

/* Delete the objects of several leases on one client, in one stage: the
 * deletes do not depend on each other (a binding to a missing role grants
 * nothing, nor does a role nobody is bound to), so they all go out at once,
 * every ServiceAccount and anchor Secret first (the tokens die with them),
 * then the bindings, then the roles.  On HTTP/1.1 a stage costs (its
 * requests / the parallel bound) round trips, which is why many objects go
 * in collection deletes (plan_deletes()).  An object that a collection
 * delete did not report deleted (a target without the deletecollection
 * verb, an object that lost its label) is deleted by name in a second
 * pass.  Marks lease objects deleted (404 counts).  Returns the first
 * error's class in `e`, or 0 when all went. */
static int delete_objects(struct engine *eng, struct kube_client *kc, struct lease **ls, size_t n,
                          int parallel, kj_err *e)
{
	struct doomed *d = NULL;
	size_t m = 0, cap = 0;
	int rc = 0;

	for (int rank = 0; rank < 3; rank++) {
		for (size_t i = 0; i < n; i++) {
			for (size_t j = 0; j < ls[i]->n_objects; j++) {
				struct lease_object *o = &ls[i]->objects[j];
				if (o->deleted || objects_revoke_rank(o->kind) != rank)
					continue;
				if (m == cap) {
					cap = cap ? cap * 2 : 16;
					d = kj_xrealloc(d, cap * sizeof(*d));
				}
				d[m].o = o;
				d[m].owner = ls[i];
				d[m].seq = j;
				d[m].op = -1;
				d[m].again = 0;
				m++;
			}
		}
	}
	for (int pass = 0; pass < 2 && m; pass++) {
		struct kube_op *ops = kj_xcalloc(m, sizeof(*ops));
		char **sels = kj_xcalloc(m, sizeof(*sels));
		size_t n_ops = 0, left = 0;
		int began;

		if (pass == 0) {
			n_ops = plan_deletes(d, m, parallel, ops, sels);
		} else {
			for (size_t i = 0; i < m; i++) {
				d[i].op = -1;
				if (d[i].o->deleted || !d[i].again)
					continue;
				ops[n_ops].verb = KUBE_OP_DELETE;
				ops[n_ops].kind = objects_kind_id(d[i].o->kind);
				ops[n_ops].ns = d[i].o->ns;
				ops[n_ops].name = d[i].o->name;
				d[i].op = (int)n_ops++;
			}
		}
		if (n_ops)
			kube_batch(kc, ops, n_ops, NULL);
		began = n_ops ? batch_begin(eng) : 0;
		for (size_t i = 0; i < m; i++) {
			struct kube_op *op;
			kj_err ignore;

			if (d[i].o->deleted || d[i].op < 0)
				continue;
			op = &ops[d[i].op];
			if (op->verb == KUBE_OP_DELETE_COLLECTION) {
				if (op->rc == 0 && in_deleted_list(op->result, d[i].o)) {
					d[i].o->deleted = 1;
					store_lease_object_deleted(engine_db(eng), d[i].owner->id, d[i].seq,
					                           &ignore);
				} else {
					d[i].again = 1;
					left++;
				}
			} else if (op->rc == 0 || op->rc == KUBE_GONE) {
				d[i].o->deleted = 1;
				store_lease_object_deleted(engine_db(eng), d[i].owner->id, d[i].seq, &ignore);
			} else if (!rc) {
				*e = op->err;
				rc = -1;
			}
		}
		batch_end(eng, began);
		for (size_t k = 0; k < n_ops; k++) {
			cJSON_Delete(ops[k].result);
			free(sels[k]);
		}
		free(ops);
		free(sels);
		if (!left)
			break;
	}
	free(d);
	return rc;
}

/* Move `l` to `revoking` from the state it was read in.  When another
 * process moved it meanwhile (a mint made it `active`, a revoke closed it),
 * read it again (with the objects recorded since) and retry from there.
 * Returns 1 when the lease is now ours to revoke, 0 when it is closed. */
static int mark_revoking(struct engine *eng, struct lease *l)
{
	for (int tries = 0; tries < 8; tries++) {
		enum lease_state from = l->state;
		struct lease fresh;
		kj_err ignore;
		int rc;

		l->state = LEASE_REVOKING;
		rc = store_lease_update_from(engine_db(eng), l, from, &ignore);
		if (rc <= 0)
			return 1; /* done, or a store error: revoke anyway, the cluster is the truth */
		if (store_lease_get(engine_db(eng), l->id, &fresh, &ignore) < 0)
			return 0; /* the row is gone */
		lease_done(l);
		*l = fresh;
		if (!lease_is_live(l) && l->state != LEASE_FAILED)
			return 0;
	}
	return 1;
}

/* Revoke leases that share one target, all in `final` state when done,
 * with at most `parallel` requests in flight. */
static void revoke_group(struct engine *eng, struct lease **ls, size_t n, enum lease_state final,
                         const char *action, int parallel, int *ok, kj_err *errs)
{
	struct kube_client *kc = NULL;
	char closed[256];
	int hold[256];
	kj_err e;
	int rc, began;

	kj_err_clear(&e);
	began = batch_begin(eng);
	for (size_t i = 0; i < n; i++) {
		/* taken before the state changes: a sweep that finds a `revoking`
		 * lease without its lock knows the revoke died midway */
		hold[i] = engine_lease_hold(eng, ls[i]->id);
		closed[i] = !mark_revoking(eng, ls[i]);
	}
	batch_end(eng, began);
	engine_crash_point("revoke:revoking");
	rc = engine_client(eng, ls[0]->target, &kc, &e);
	if (rc == 0) {
		int was = kube_client_set_parallel(kc, parallel);

		rc = delete_objects(eng, kc, ls, n, parallel, &e);
		kube_client_set_parallel(kc, was);
	}
	engine_crash_point("revoke:deleted");
	/* a lease stuck in `creating` may own objects it never recorded */
	for (size_t i = 0; kc && i < n; i++) {
		size_t swept = 0;
		kj_err le;
		if (ls[i]->jti == NULL &&
		    objects_delete_labelled(kc, ls[i]->id, ls[i]->ns, &swept, &le) < 0 && !rc) {
			e = le;
			rc = -1;
		}
	}
	began = batch_begin(eng);
	for (size_t i = 0; i < n; i++) {
		kj_err ignore;
		if (closed[i]) {
			/* another process closed it meanwhile: nothing of ours to record */
			ok[i] = 1;
			continue;
		}
		close_lease(eng, ls[i], final, rc < 0 ? &e : NULL);
		store_lease_update_from(engine_db(eng), ls[i], LEASE_REVOKING, &ignore);
		/* a failed lease whose leftovers are all gone is a cleanup done */
		ok[i] = ls[i]->state != LEASE_FAILED || (final == LEASE_FAILED && rc == 0);
		if (!ok[i]) {
			errs[i] = e;
			if (rc == 0)
				kj_err_set(&errs[i], KJ_ERR_FAIL, "%s", ls[i]->error);
		}
		audit_record(eng, action, ls[i]->secret, ls[i]->id, ls[i]->target, ok[i], ls[i]->error,
		             &ignore);
	}
	batch_end(eng, began);
	for (size_t i = 0; i < n; i++)
		engine_lease_release(eng, ls[i]->id, hold[i]);
}

int lease_revoke_now(struct engine *eng, struct lease *l, enum lease_state final, kj_err *e)
{
	struct lease *one = l;
	int ok = 0;
	kj_err err;

	kj_err_clear(&err);
	revoke_group(eng, &one, 1, final, final == LEASE_EXPIRED ? AUDIT_EXPIRE : AUDIT_REVOKE, 0, &ok, &err);
	if (!ok) {
		*e = err;
		return -1;
	}
	return 0;
}

int lease_revoke(struct engine *eng, const char *id, kj_err *e)
{
	struct lease l;
	int rc;

	if (lease_get(eng, id, &l, e) < 0)
		return -1;
	if (!lease_is_live(&l) && l.state != LEASE_FAILED) {
		lease_done(&l); /* already closed: revoking again is fine */
		return 0;
	}
	rc = lease_revoke_now(eng, &l, LEASE_REVOKED, e);
	if (rc < 0)
		kj_err_prefix(e, _("revoking lease %s"), l.id);
	lease_done(&l);
	return rc;
}

int lease_wait_refused(struct engine *eng, const struct lease *l, const char *token, int64_t timeout_ms,
                       int *asked, int64_t *took_ms, kj_err *e)
{
	struct kube_client *kc = NULL;
	char fp[65];
	int rc;

	*asked = 0;
	*took_ms = 0;
	if (l->state != LEASE_REVOKED && l->state != LEASE_EXPIRED) {
		kj_err_set(e, KJ_ERR_FAIL,
		           _("lease %.8s is %s, not revoked: its token is not meant to be refused"), l->id,
		           lease_state_name(l->state));
		return -1;
	}
	if (!l->revocable) {
		char ts[32];
		kj_time_rfc3339(l->token_expiry, ts, sizeof(ts));
		kj_err_set(
		    e, KJ_ERR_FAIL,
		    _("lease %.8s was expiry-only: its token stays valid until %s, there is nothing to "
		      "wait for"),
		    l->id, ts);
		return -1;
	}
	if (!token) {
		/* kubejit keeps no copy of the token, so it cannot ask as it:
		 * wait out the cache instead (ended_at has whole seconds) */
		int64_t t0 = kj_mono_ms();
		int64_t until = l->ended_at + LEASE_TOKEN_CACHE_SECONDS + 1, now = kj_now();
		while (now < until) {
			struct timespec ts = {1, 0};
			if (until - now < 1)
				ts.tv_sec = 0;
			nanosleep(&ts, NULL);
			now = kj_now();
		}
		*took_ms = kj_mono_ms() - t0;
		return 0;
	}
	kj_token_fingerprint(token, fp);
	if (!l->fingerprint[0] || strcmp(fp, l->fingerprint) != 0) {
		kj_err_set(e, KJ_ERR_USAGE,
		           _("the token given is not the token of lease %.8s (the fingerprints differ)"),
		           l->id);
		return kj_err_hint(e, _("give the token this lease minted, or leave the token out"));
	}
	if (engine_token_client(eng, l->target, token, &kc, e) < 0)
		return -1;
	*asked = 1;
	rc = ready_wait_refused(kc, timeout_ms, took_ms, e);
	kube_client_free(kc);
	if (rc < 0)
		kj_err_prefix(e, _("lease %.8s"), l->id);
	return rc;
}

int lease_recheck_token(struct engine *eng, const char *id, const char *token, int64_t timeout_ms, kj_err *e)
{
	struct kube_client *kc = NULL;
	struct kube_user_info u;
	int64_t saved = engine_request_timeout(eng);
	struct lease l;
	char fp[65];
	kj_err qe;
	int rc;

	if (lease_get(eng, id, &l, e) < 0)
		return e->cls == KJ_ERR_NOTFOUND ? 0 : -1;
	kj_token_fingerprint(token, fp);
	/* only this lease's own token may close it */
	if (l.state != LEASE_ACTIVE || (l.fingerprint[0] && strcmp(fp, l.fingerprint) != 0)) {
		rc = l.state == LEASE_ACTIVE;
		lease_done(&l);
		return rc;
	}
	kj_err_clear(&qe);
	engine_set_request_timeout(eng, timeout_ms);
	rc = engine_token_client(eng, l.target, token, &kc, &qe);
	engine_set_request_timeout(eng, saved);
	if (rc == 0) {
		rc = kube_whoami(kc, &u, &qe);
		kube_user_info_done(&u);
		kube_client_free(kc);
	}
	if (rc == 0 || qe.http_status != 401) {
		lease_done(&l);
		return 1;
	}
	free(l.error);
	l.error = kj_xstrdup(_("the cluster refused the token (401 Unauthorized) while the lease was "
	                       "active: its objects were removed outside this kubejit; closed"));
	/* a failure leaves it failed with its leftovers for the sweep: closed
	 * all the same, so the caller mints anew either way */
	(void)lease_revoke_now(eng, &l, LEASE_REVOKED, &qe);
	lease_done(&l);
	return 0;
}

/* Revoke leases `v` (n of them, live), grouped by target; `done` counts
 * progress across calls' earlier ids, `total` is the whole job's size. */
static void revoke_leases(struct engine *eng, struct lease *v, size_t n, int parallel,
                          lease_progress_fn progress, void *ud, struct lease_bulk_result *res, size_t *done,
                          size_t total)
{
	/* Up to 256 leases of one target share one stage (delete_objects()):
	 * on HTTP/1.1 a stage costs (its requests / `parallel`) round trips,
	 * and a smaller group would add a partly empty round once per group. */
	char *taken = kj_xcalloc(n ? n : 1, 1);

	if (parallel <= 0)
		parallel = LEASE_REVOKE_PARALLEL;
	for (size_t i = 0; i < n; i++) {
		struct lease *group[256];
		int ok[256];
		kj_err errs[256];
		size_t g = 0, lim = 256;

		if (taken[i])
			continue;
		for (size_t j = i; j < n && g < lim; j++) {
			if (!taken[j] &&
			    !strcmp(v[j].target ? v[j].target : "", v[i].target ? v[i].target : "")) {
				taken[j] = 1;
				group[g++] = &v[j];
			}
		}
		revoke_group(eng, group, g, LEASE_REVOKED, AUDIT_REVOKE, parallel, ok, errs);
		for (size_t k = 0; k < g; k++) {
			(*done)++;
			if (ok[k])
				res->revoked++;
			else
				res->failed++;
			if (progress)
				progress(ud, *done, total, group[k]->id, ok[k] ? NULL : &errs[k]);
		}
	}
	free(taken);
}

int lease_revoke_all(struct engine *eng, const struct lease_filter *f, int parallel,
                     lease_progress_fn progress, void *ud, struct lease_bulk_result *res, kj_err *e)
{
	struct lease_filter lf;
	struct lease *v = NULL;
	size_t n = 0, done = 0;
	char *path;
	int rc;

	memset(res, 0, sizeof(*res));
	if (normal_filter(f, &lf, &path, e) < 0)
		return -1;
	lf.live_only = 1;
	rc = store_lease_list(engine_db(eng), &lf, 1, 0, &v, &n, e);
	free(path);
	if (rc < 0)
		return -1;
	res->total = n;
	revoke_leases(eng, v, n, parallel, progress, ud, res, &done, n);
	lease_list_free(v, n);
	return 0;
}

int lease_revoke_ids(struct engine *eng, char *const *ids, size_t n_ids, int parallel,
                     lease_progress_fn progress, void *ud, struct lease_bulk_result *res, kj_err *e)
{
	struct lease *v = kj_xcalloc(n_ids ? n_ids : 1, sizeof(*v));
	size_t n = 0, done = 0;

	(void)e;
	memset(res, 0, sizeof(*res));
	res->total = n_ids;
	for (size_t i = 0; i < n_ids; i++) {
		kj_err le;
		int got = store_lease_get(engine_db(eng), ids[i], &v[n], &le) == 0;

		if (got && (lease_is_live(&v[n]) || v[n].state == LEASE_FAILED)) {
			n++;
			continue;
		}
		if (got) {
			lease_done(&v[n]);
			memset(&v[n], 0, sizeof(v[n]));
		}
		/* closed meanwhile, or gone: nothing left to revoke */
		done++;
		if (got || le.cls == KJ_ERR_NOTFOUND)
			res->revoked++;
		else
			res->failed++;
		if (progress)
			progress(ud, done, n_ids, ids[i], got || le.cls == KJ_ERR_NOTFOUND ? NULL : &le);
	}
	revoke_leases(eng, v, n, parallel, progress, ud, res, &done, n_ids);
	lease_list_free(v, n);
	return 0;
}

int lease_expire_due(struct engine *eng, const char *target, size_t max, int parallel,
                     struct lease_bulk_result *res, kj_err *e)
{
	struct lease_filter f = LEASE_FILTER_ANY;
	struct lease *v = NULL, *group[64];
	size_t n = 0, i, g = 0;
	int64_t now = kj_now();
	int ok[64];
	kj_err errs[64];

	memset(res, 0, sizeof(*res));
	if (!target || max == 0)
		return 0;
	if (parallel <= 0)
		parallel = 8;
	if (parallel > 64)
		parallel = 64;
	f.target = target;
	f.state = LEASE_ACTIVE;
	if (store_lease_list(engine_db(eng), &f, 1, now, &v, &n, e) < 0)
		return -1;
	/* newest first from the store: the oldest due are at the end */
	for (i = n; i-- > 0 && res->total < max;) {
		if (!lease_is_overdue(&v[i], now))
			continue;
		group[g++] = &v[i];
		res->total++;
		if (g == (size_t)parallel || res->total == max || i == 0) {
			revoke_group(eng, group, g, LEASE_EXPIRED, AUDIT_EXPIRE, parallel, ok, errs);
			for (size_t k = 0; k < g; k++)
				ok[k] ? res->revoked++ : res->failed++;
			g = 0;
		}
	}
	if (g) {
		revoke_group(eng, group, g, LEASE_EXPIRED, AUDIT_EXPIRE, parallel, ok, errs);
		for (size_t k = 0; k < g; k++)
			ok[k] ? res->revoked++ : res->failed++;
	}
	lease_list_free(v, n);
	return 0;
}
