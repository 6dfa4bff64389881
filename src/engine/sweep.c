#include "engine/sweep.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/lease.h"
#include "engine/objects.h"
#include "engine/request.h"
#include "engine/secret.h"
#include "engine/target.h"
#include "kube/api.h"
#include "kube/incluster.h"
#include "store/leases.h"
#include "store/spares.h"
#include "store/targets.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

/* A mint takes seconds; a lease still `creating` after this was interrupted. */
#define SWEEP_STUCK_SECONDS 300

static struct sweep_action *add_action(struct sweep_report *r, const char *lease_id, const char *target,
                                       const char *kind, const char *ns, const char *name, const char *reason)
{
	struct sweep_action *a;

	r->actions = kj_xrealloc(r->actions, (r->n_actions + 1) * sizeof(*r->actions));
	a = &r->actions[r->n_actions++];
	memset(a, 0, sizeof(*a));
	a->lease_id = kj_xstrdup(lease_id);
	a->target = kj_xstrdup(target);
	a->kind = kj_xstrdup(kind);
	a->ns = kj_xstrdup(ns);
	a->name = kj_xstrdup(name);
	a->reason = kj_xstrdup(reason);
	return a;
}

void sweep_report_done(struct sweep_report *r)
{
	for (size_t i = 0; i < r->n_actions; i++) {
		struct sweep_action *a = &r->actions[i];
		free(a->lease_id);
		free(a->target);
		free(a->kind);
		free(a->ns);
		free(a->name);
		free(a->reason);
		free(a->error);
	}
	free(r->actions);
	memset(r, 0, sizeof(*r));
}

/* Why a live lease needs the sweep now, or NULL. */
static const char *lease_reason(struct engine *eng, const struct lease *l, int64_t now,
                                enum lease_state *final)
{
	/* no process on this machine holds the lease's lock: its mint or
	 * revoke was killed (or the machine restarted) and will not resume */
	int orphaned =
	    (l->state == LEASE_CREATING || l->state == LEASE_REVOKING) && !engine_lease_held(eng, l->id);

	if (l->lease_expiry <= now) {
		*final = LEASE_EXPIRED;
		return N_("expired");
	}
	if (l->state == LEASE_CREATING && (orphaned || l->created_at + SWEEP_STUCK_SECONDS <= now)) {
		*final = LEASE_FAILED;
		return N_("stuck creating");
	}
	if (l->state == LEASE_REVOKING && (orphaned || l->created_at + SWEEP_STUCK_SECONDS <= now)) {
		*final = LEASE_REVOKED;
		return N_("stuck revoking");
	}
	if (l->state == LEASE_FAILED) {
		*final = LEASE_FAILED;
		return N_("failed leftovers");
	}
	return NULL;
}

/* Leases whose mint failed a short while ago: a create that outlived the
 * client's patience may have landed after the rollback.  Their label finds
 * such late objects. */
static void late_creates_pass(struct engine *eng, const struct sweep_opts *o, struct sweep_report *r)
{
	struct lease_filter f = LEASE_FILTER_ANY;
	struct lease *v = NULL;
	size_t n = 0;
	int64_t now = kj_now();
	kj_err e;

	f.state = LEASE_FAILED;
	f.target = o->target;
	if (store_lease_list(engine_db(eng), &f, 0, 0, &v, &n, &e) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		struct lease *l = &v[i];
		struct kube_client *kc = NULL;
		struct sweep_action *a;
		size_t swept = 0;

		if (!l->ended_at || l->ended_at + SWEEP_LATE_CREATE_SECONDS < now || l->ended_at > now + 60)
			continue;
		if (o->dry_run || engine_client(eng, l->target, &kc, &e) < 0)
			continue;
		if (objects_delete_labelled(kc, l->id, l->ns, &swept, &e) < 0) {
			a = add_action(r, l->id, l->target, NULL, l->ns, NULL, N_("late leftovers"));
			a->error = kj_xstrdup(e.msg);
			r->failures++;
		} else if (swept) {
			char *d = kj_xasprintf(_("%zu object(s) created after the mint had failed"), swept);

			a = add_action(r, l->id, l->target, NULL, l->ns, NULL, N_("late leftovers"));
			a->done = 1;
			r->objects_deleted += swept;
			audit_record(eng, AUDIT_SWEEP, l->secret, l->id, l->target, 1, d, &e);
			free(d);
		}
	}
	lease_list_free(v, n);
}

/* Why a spare anchor Secret of this store goes (NULL: it stays). */
static const char *spare_reason(struct engine *eng, const struct store_spare *sp, int64_t now)
{
	struct secret s;
	const char *why = NULL;
	kj_err e;

	if (!sp->uid && sp->created_at + SWEEP_LATE_CREATE_SECONDS < now)
		return N_("spare never confirmed"); /* its create got no answer */
	if (sp->expires_at <= now)
		return N_("expired");
	if (secret_get(eng, sp->secret, &s, &e) < 0)
		return e.cls == KJ_ERR_NOTFOUND ? N_("secret gone") : NULL;
	if (s.mode != SECRET_FIXED || !s.revocable || strcmp(s.target, sp->target))
		why = N_("secret changed");
	secret_done(&s);
	return why;
}

/* Spare anchor Secrets (engine/mint.h) nobody will adopt.  A spare is
 * never a lease's object until a mint takes its row, so nothing in use is
 * touched here. */
static void spares_pass(struct engine *eng, const struct sweep_opts *o, struct sweep_report *r)
{
	struct store_spare *v = NULL;
	size_t n = 0;
	int64_t now = kj_now();
	kj_err e;

	if (store_spare_list(engine_db(eng), o->target, &v, &n, &e) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *why = spare_reason(eng, &v[i], now);
		struct kube_client *kc = NULL;
		struct sweep_action *a;
		int rc;

		if (!why)
			continue;
		a = add_action(r, NULL, v[i].target, "Secret", v[i].ns, v[i].name, why);
		a->done = 1;
		if (o->dry_run)
			continue;
		if (engine_client(eng, v[i].target, &kc, &e) < 0) {
			/* a target that is gone took its spares with it from here;
			 * the cluster sweep finds them at their expiry */
			if (e.cls == KJ_ERR_NOTFOUND) {
				store_spare_drop(engine_db(eng), v[i].target, v[i].ns, v[i].name, &e);
				continue;
			}
			rc = -1;
		} else {
			rc = kube_delete(kc, KUBE_SECRET, v[i].ns, v[i].name, &e);
		}
		if (rc < 0) {
			a->done = 0;
			a->error = kj_xstrdup(e.msg);
			r->failures++;
			continue;
		}
		store_spare_drop(engine_db(eng), v[i].target, v[i].ns, v[i].name, &e);
		r->objects_deleted += rc == 0;
	}
	store_spare_list_free(v, n);
}

static int local_pass(struct engine *eng, const struct sweep_opts *o, struct sweep_report *r, kj_err *e)
{
	struct lease_filter f = LEASE_FILTER_ANY;
	struct lease *v = NULL;
	size_t n = 0;
	int64_t now = kj_now();

	f.live_only = 1;
	f.target = o->target;
	if (store_lease_list(engine_db(eng), &f, 1, 0, &v, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct lease *l = &v[i];
		enum lease_state final = LEASE_EXPIRED;
		const char *why = lease_reason(eng, l, now, &final);
		struct sweep_action *a;
		kj_err le;

		if (!why)
			continue;
		if (l->state == LEASE_CREATING || l->state == LEASE_REVOKING) {
			/* the list is a snapshot: read the state again, after the lock
			 * was found free (its owner sets the final state before it
			 * lets go), and leave a lease that moved on meanwhile alone */
			enum lease_state now_state;
			kj_err se;

			if (store_lease_state(engine_db(eng), l->id, &now_state, &se) != 1 ||
			    now_state != l->state)
				continue;
		}
		a = add_action(r, l->id, l->target, NULL, l->ns, NULL, why);
		a->done = 1;
		if (o->dry_run)
			continue;
		if (final == LEASE_FAILED && l->state == LEASE_CREATING) {
			free(l->error);
			l->error =
			    kj_xstrdup(_("the mint was interrupted; the sweep removed what it had made"));
		}
		if (lease_revoke_now(eng, l, final, &le) < 0) {
			a->done = 0;
			a->error = kj_xstrdup(le.msg);
			r->failures++;
		} else {
			r->leases_closed++;
		}
	}
	lease_list_free(v, n);
	late_creates_pass(eng, o, r);
	spares_pass(eng, o, r);
	return 0;
}

/* The cluster pass on one client.  `target` names it in the report (NULL
 * in-cluster). */
static void cluster_pass_one(struct engine *eng, struct kube_client *kc, const char *target,
                             const struct sweep_opts *o, int64_t grace, struct sweep_report *r)
{
	static const enum kube_kind_id order[] = {
	    KUBE_SERVICEACCOUNT,     KUBE_SECRET, KUBE_ROLEBINDING,
	    KUBE_CLUSTERROLEBINDING, KUBE_ROLE,   KUBE_CLUSTERROLE,
	};
	int64_t now = kj_now();

	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		const struct kube_kind *kind = kube_kind(order[k]);
		cJSON *list = NULL, *it;
		kj_err e;

		if (kube_list(kc, order[k], NULL, OBJECTS_SELECTOR, &list, &e) < 0) {
			/* a target without list rights (a fixed-only one) cannot have
			 * made objects of that kind as a dynamic target: note, not fail */
			int denied = e.cls == KJ_ERR_DENIED;
			struct sweep_action *a = add_action(r, NULL, target, kind->kind, NULL, NULL,
			                                    denied ? N_("not listable") : N_("list"));
			a->error = kj_xstrdup(e.msg);
			if (!denied)
				r->failures++;
			continue;
		}
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(list, "items"))
		{
			const char *lease_id = kube_label(it, OBJECTS_LEASE_LABEL);
			const char *exp_s = kube_annotation(it, OBJECTS_EXPIRES_AT);
			const char *created_s = kube_meta(it, "creationTimestamp");
			int64_t exp = 0, created = 0;
			const char *why = NULL;
			struct sweep_action *a;
			int known = 0, rc;
			enum lease_state state = LEASE_ACTIVE;

			/* Only a lease's objects are kubejit's to sweep: the RBAC that
			 * `kubejit rbac` prints and an admin applies carries the
			 * managed-by label too, and must outlive every lease. */
			if (!lease_id || !*lease_id) {
				/* a spare anchor (engine/mint.h) goes at its expiry */
				const char *spare = kube_label(it, OBJECTS_SPARE_LABEL);

				if (order[k] != KUBE_SECRET || !spare || strcmp(spare, "true") || !exp_s ||
				    kj_time_parse_rfc3339(exp_s, &exp) < 0 || exp > now)
					continue;
				lease_id = NULL;
				why = N_("expired spare");
				goto sweep_it;
			}
			if (!exp_s || kj_time_parse_rfc3339(exp_s, &exp) < 0)
				exp = 0;
			if (!created_s || kj_time_parse_rfc3339(created_s, &created) < 0)
				created = 0;
			if (lease_id && !o->in_cluster)
				known = store_lease_state(engine_db(eng), lease_id, &state, &e) == 1;
			if (exp && exp <= now)
				why = N_("expired");
			else if (known && state != LEASE_CREATING && state != LEASE_ACTIVE &&
			         state != LEASE_REVOKING)
				why = N_("lease ended"); /* e.g. made by a create that outlived its mint */
			else if (!exp && created + grace <= now)
				why = N_("orphaned");
			else if (o->orphans && !known && created + grace <= now)
				why = N_("orphaned");
			if (!why)
				continue;
		sweep_it:
			a = add_action(r, lease_id, target, kind->kind, kube_meta(it, "namespace"),
			               kube_meta(it, "name"), why);
			a->done = 1;
			if (o->dry_run)
				continue;
			rc = kube_delete(kc, order[k], kube_meta(it, "namespace"), kube_meta(it, "name"), &e);
			if (rc < 0) {
				a->done = 0;
				a->error = kj_xstrdup(e.msg);
				r->failures++;
			} else {
				/* KUBE_GONE: the garbage collector beat us to it (owned by a
				 * ServiceAccount deleted a moment ago): removed all the same */
				r->objects_deleted++;
				if (!lease_id && !o->in_cluster)
					store_spare_drop(engine_db(eng), target, kube_meta(it, "namespace"),
					                 kube_meta(it, "name"), &e);
			}
			if (!o->in_cluster) {
				char *d = kj_xasprintf("%s %s/%s: %s", kind->kind, a->ns ? a->ns : "",
				                       a->name, why);
				audit_record(eng, AUDIT_SWEEP, NULL, lease_id, target, rc >= 0,
				             rc < 0 ? a->error : d, &e);
				free(d);
			}
		}
		cJSON_Delete(list);
	}
}

/* Expired access requests (engine/request.h) hold a sealed credential;
 * a target that may not list requests has none to clean: no failure. */
static void requests_pass(struct engine *eng, const char *target, const struct sweep_opts *o,
                          struct sweep_report *r)
{
	struct kj_strv ids = {0};
	kj_err re;
	size_t i;

	if (request_sweep(eng, target, o->dry_run, &ids, &re) < 0)
		return;
	for (i = 0; i < ids.n; i++) {
		add_action(r, NULL, target, "CertificateSigningRequest", NULL, ids.v[i],
		           N_("expired access request"))
		    ->done = 1;
		r->objects_deleted += !o->dry_run;
	}
	kj_strv_done(&ids);
}

static int cluster_pass(struct engine *eng, const struct sweep_opts *o, int64_t grace, struct sweep_report *r,
                        kj_err *e)
{
	struct target *ts = NULL;
	size_t n = 0;

	if (o->in_cluster) {
		struct kube_incluster ic;
		struct kube_conn conn;
		struct kube_client *kc;

		if (kube_incluster_load(NULL, &ic, e) < 0)
			return -1;
		memset(&conn, 0, sizeof(conn));
		kube_incluster_to_conn(&ic, &conn);
		if (engine_check_server("in-cluster", conn.server, e) < 0 ||
		    kube_client_new(&conn, &kc, e) < 0) {
			kube_incluster_done(&ic);
			return -1;
		}
		cluster_pass_one(eng, kc, NULL, o, grace, r);
		kube_client_free(kc);
		kube_incluster_done(&ic);
		return 0;
	}
	if (store_target_list(engine_db(eng), &ts, &n, e) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct kube_client *kc;
		kj_err ce;

		if (o->target && strcmp(o->target, ts[i].name))
			continue;
		if (engine_client(eng, ts[i].name, &kc, &ce) < 0) {
			struct sweep_action *a =
			    add_action(r, NULL, ts[i].name, NULL, NULL, NULL, N_("connect"));
			a->error = kj_xstrdup(ce.msg);
			r->failures++;
			continue;
		}
		cluster_pass_one(eng, kc, ts[i].name, o, grace, r);
		requests_pass(eng, ts[i].name, o, r);
	}
	target_list_free(ts, n);
	return 0;
}

/* A target nobody uses would die with its token or certificate, since
 * renewal otherwise happens on use (engine_client()): the sweep, which a
 * timer runs every few minutes, renews every target that is due. */
static void renew_pass(struct engine *eng, const struct sweep_opts *o, struct sweep_report *r)
{
	struct target *ts = NULL;
	size_t n = 0;
	kj_err e;

	if (store_target_list(engine_db(eng), &ts, &n, &e) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		int64_t due = target_renew_due(&ts[i]);
		struct target_renew_result rr = {0};
		struct sweep_action *a;

		if ((o->target && strcmp(o->target, ts[i].name)) || !due || kj_now() < due)
			continue;
		a = add_action(r, NULL, ts[i].name, "Target", NULL, ts[i].name,
		               N_("credential due for renewal"));
		a->done = 1;
		if (o->dry_run)
			continue;
		/* shown, but no sweep failure: the credential still works until its
		 * end, is warned about ahead, and the next run tries again */
		if (target_renew(eng, ts[i].name, &rr, &e) < 0) {
			a->done = 0;
			a->error = kj_xstrdup(e.msg);
		}
		target_renew_result_done(&rr);
	}
	target_list_free(ts, n);
}

int sweep_run(struct engine *eng, const struct sweep_opts *o, struct sweep_report *out, kj_err *e)
{
	int64_t grace = o->grace > 0 ? o->grace : SWEEP_DEFAULT_GRACE;
	int ran = 0;

	memset(out, 0, sizeof(*out));
	if (o->local && !o->in_cluster) {
		if (local_pass(eng, o, out, e) < 0)
			return -1;
		renew_pass(eng, o, out);
		ran = 1;
	}
	if (o->cluster) {
		if (cluster_pass(eng, o, grace, out, e) < 0 && !ran)
			return -1;
	}
	if (out->failures)
		out->hint =
		    N_("what could not be removed keeps its kubejit labels and its lease, so nothing is "
		       "lost: fix the cause shown and run kubejit sweep again (a 403 means the target "
		       "lacks list or delete rights: kubejit rbac dynamic prints them)");
	return 0;
}
