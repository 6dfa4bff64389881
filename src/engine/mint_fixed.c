/* mint_fixed: a fixed-mode mint.  A revocable token is bound to a
 * per-lease anchor Secret; each mint also makes a spare anchor for the next
 * mint of that secret and namespace, so that the next one is a single
 * stage (doc/ARCHITECTURE.md, "The data flow of a mint"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/mint_priv.h"
#include "engine/objects.h"
#include "kube/api.h"
#include "store/db.h"
#include "store/leases.h"
#include "store/spares.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#define SPARE_TTL_SECONDS     86400 /* a spare not adopted within a day is swept */
#define SPARE_MARGIN_SECONDS  600   /* a spare this close to its expiry may be swept while adopted */
#define SPARES_DENIED_SECONDS 86400

static void denied_key(struct minting *m, char *key, size_t size)
{
	snprintf(key, size, MINT_SPARES_DENIED_PREFIX "%s", m->s->target);
}

/* The target may not update Secrets (RBAC from before spares): it cannot
 * adopt one, so it gets none for a day rather than a wasted round trip on
 * every other mint. */
static int spares_denied(struct minting *m)
{
	char key[300], *v = NULL;
	int64_t t, now = kj_now();
	kj_err e;

	denied_key(m, key, sizeof(key));
	if (db_setting_get(engine_db(m->eng), key, &v, &e) < 0 || !v)
		return 0;
	t = strtoll(v, NULL, 10);
	free(v);
	return t > 0 && t <= now && now - t < SPARES_DENIED_SECONDS;
}

static void spares_deny(struct minting *m)
{
	char key[300], v[32];
	kj_err e;

	denied_key(m, key, sizeof(key));
	snprintf(v, sizeof(v), "%lld", (long long)kj_now());
	db_setting_set(engine_db(m->eng), key, v, &e);
}

/* A spare made alongside this mint, for the next one. */
struct spare_make {
	int on;
	char name[64];
	cJSON *obj;
};

/* Plan a spare when none is waiting.  Its row is written first (pending),
 * so a Secret whose create answer is lost is still known to the sweep. */
static void spare_plan(struct minting *m, struct spare_make *sp)
{
	struct store_spare row;
	int64_t now = kj_now();
	size_t n = 1;
	kj_err e;

	memset(sp, 0, sizeof(*sp));
	if (!m->s->revocable || spares_denied(m) ||
	    store_spare_count(engine_db(m->eng), m->s->target, m->s->path, m->lease.ns, &n, &e) < 0 || n)
		return;
	mint_object_name(m->s->name_prefix, m->s->path, sp->name);
	memset(&row, 0, sizeof(row));
	row.target = m->s->target;
	row.secret = m->s->path;
	row.ns = m->lease.ns;
	row.name = sp->name;
	row.created_at = now;
	row.expires_at = now + SPARE_TTL_SECONDS;
	if (store_spare_add(engine_db(m->eng), &row, &e) < 0)
		return;
	sp->obj = objects_spare_new(sp->name, m->lease.ns, m->s, row.expires_at, m->eng);
	sp->on = 1;
}

static void spare_fill_op(struct spare_make *sp, const char *ns, struct kube_op *op)
{
	memset(op, 0, sizeof(*op));
	op->verb = KUBE_OP_CREATE;
	op->kind = KUBE_SECRET;
	op->ns = ns;
	op->obj = sp->obj;
}

/* After the spare's create ran: keep it with its uid, delete it when it is
 * not wanted after all (`keep` 0), or forget a create the server refused.
 * A create that got no answer keeps its pending row: the sweep deletes
 * the Secret if it was made. */
static void spare_done(struct minting *m, struct spare_make *sp, struct kube_op *op, int keep)
{
	kj_db *db = engine_db(m->eng);
	kj_err e;

	if (!sp->on)
		return;
	if (op->rc == 0) {
		const char *uid = kube_meta(op->result, "uid"),
		           *rv = kube_meta(op->result, "resourceVersion");
		struct lease_object o = {.kind = "Secret", .ns = m->lease.ns, .name = sp->name};

		if (keep && uid && rv)
			store_spare_made(db, m->s->target, m->lease.ns, sp->name, uid, rv, &e);
		else if (objects_delete(m->kc, &o, &e) >= 0)
			store_spare_drop(db, m->s->target, m->lease.ns, sp->name, &e);
	} else if (op->err.http_status) {
		store_spare_drop(db, m->s->target, m->lease.ns, sp->name, &e);
	}
	cJSON_Delete(op->result);
	op->result = NULL;
	cJSON_Delete(sp->obj);
	sp->obj = NULL;
	sp->on = 0;
}

/* Take a spare and record it as the lease's next object in one
 * transaction: from then on it is this lease's anchor and no other mint
 * can take it.  Returns the object's index, or -1 when there is none. */
static long spare_take(struct minting *m, struct store_spare *sp)
{
	kj_db *db = engine_db(m->eng);
	struct lease_object o;
	struct lease *l = &m->lease;
	kj_err e;
	int rc;

	memset(sp, 0, sizeof(*sp));
	if (!m->s->revocable || spares_denied(m) || db_begin(db, &e) < 0)
		return -1;
	rc = store_spare_take(db, m->s->target, m->s->path, l->ns, kj_now() + SPARE_MARGIN_SECONDS, sp, &e);
	memset(&o, 0, sizeof(o));
	o.kind = "Secret";
	o.ns = l->ns;
	o.name = sp->name;
	o.uid = sp->uid;
	if (rc != 1 || store_lease_add_object(db, l->id, l->n_objects, &o, &e) < 0) {
		db_rollback(db);
		store_spare_done(sp);
		return -1;
	}
	if (db_commit(db, &e) < 0) {
		store_spare_done(sp);
		return -1;
	}
	l->objects = kj_xrealloc(l->objects, (l->n_objects + 1) * sizeof(*l->objects));
	l->objects[l->n_objects].kind = kj_xstrdup("Secret");
	l->objects[l->n_objects].ns = kj_xstrdup(l->ns);
	l->objects[l->n_objects].name = kj_xstrdup(sp->name);
	l->objects[l->n_objects].uid = kj_xstrdup(sp->uid);
	l->objects[l->n_objects].deleted = 0;
	return (long)l->n_objects++;
}

/* One round trip with a spare: relabel it as the lease's anchor, request
 * the token bound to it, and make the next spare, together.  1 = minted,
 * 0 = the spare could not serve (deleted, the mint goes on without it),
 * -1 = error in `e`. */
static int mint_with_spare(struct minting *m, long idx, const struct store_spare *sp, struct mint_result *out,
                           kj_err *e)
{
	const char *ns = m->lease.ns;
	struct spare_make next;
	struct kube_op ops[3];
	cJSON *adopt, *meta, *body;
	size_t n = 2;
	int ok, rc = 0, denied;

	mint_step(m, "mint:token", _("requesting the token"));
	spare_plan(m, &next);
	adopt = objects_new(sp->name, ns, m->s, &m->lease, m->eng);
	cJSON_AddStringToObject(adopt, "type", "Opaque");
	meta = cJSON_GetObjectItemCaseSensitive(adopt, "metadata");
	cJSON_AddStringToObject(meta, "uid", sp->uid);
	cJSON_AddStringToObject(meta, "resourceVersion", sp->resource_version);
	body = mint_token_body(m, sp->name, sp->uid);
	memset(ops, 0, sizeof(ops));
	ops[0].verb = KUBE_OP_UPDATE;
	ops[0].kind = KUBE_SECRET;
	ops[0].ns = ns;
	ops[0].obj = adopt;
	ops[1].verb = KUBE_OP_CREATE;
	ops[1].kind = KUBE_TOKENREQUEST;
	ops[1].ns = ns;
	ops[1].name = m->s->service_account;
	ops[1].obj = body;
	if (next.on)
		spare_fill_op(&next, ns, &ops[n++]);
	kube_batch(m->kc, ops, n, NULL);
	ok = ops[0].rc == 0 && ops[1].rc == 0;
	denied = ops[0].rc != 0 && ops[0].err.cls == KJ_ERR_DENIED;
	if (ok) {
		m->lease.revocable = 1;
		rc = mint_take_token(m, ops[1].result, out, e) < 0 ? -1 : 1;
	} else {
		/* deleting it kills any token bound to it; what cannot be
		 * deleted stays on the lease for revoke and the sweep */
		struct lease_object *o = &m->lease.objects[idx];
		kj_err de;

		if (objects_delete(m->kc, o, &de) >= 0) {
			o->deleted = 1;
			store_lease_object_deleted(engine_db(m->eng), m->lease.id, (size_t)idx, &de);
		}
		if (denied)
			spares_deny(m);
	}
	if (next.on)
		spare_done(m, &next, &ops[2], !denied);
	cJSON_Delete(ops[0].result);
	objects_json_wipe(ops[1].result);
	cJSON_Delete(adopt);
	cJSON_Delete(body);
	return rc;
}

int mint_fixed(struct minting *m, struct mint_result *out, kj_err *e)
{
	const char *ns = m->lease.ns, *sa = m->s->service_account;
	cJSON *created = NULL, *body, *answer = NULL;
	const char *bound = NULL, *uid = NULL;
	struct store_spare sp;
	char what[160];
	long idx;
	int rc;

	idx = spare_take(m, &sp);
	if (idx >= 0) {
		rc = mint_with_spare(m, idx, &sp, out, e);
		store_spare_done(&sp);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
	}
	if (m->s->revocable) {
		struct spare_make next;
		int tries = 0;

		mint_step(m, "mint:anchor", _("creating the anchor Secret"));
		/* the next mint's spare goes with the anchor: a create on a
		 * connection of its own costs no extra round trip here */
		spare_plan(m, &next);
		do {
			struct kube_op ops[2];
			size_t n = 1;

			memset(ops, 0, sizeof(ops));
			ops[0].verb = KUBE_OP_CREATE;
			ops[0].kind = KUBE_SECRET;
			ops[0].ns = ns;
			ops[0].obj = objects_new(m->name, ns, m->s, &m->lease, m->eng);
			cJSON_AddStringToObject((cJSON *)ops[0].obj, "type", "Opaque");
			if (next.on)
				spare_fill_op(&next, ns, &ops[n++]);
			kube_batch(m->kc, ops, n, NULL);
			cJSON_Delete((cJSON *)ops[0].obj);
			if (next.on)
				spare_done(m, &next, &ops[1],
				           ops[0].rc == 0 || ops[0].err.cls != KJ_ERR_DENIED);
			rc = ops[0].rc;
			created = ops[0].result;
			if (rc != 0)
				*e = ops[0].err;
		} while (rc < 0 && mint_retry_with_new_name(m, &tries, e));
		if (rc == 0) {
			mint_record(m, KUBE_SECRET, created);
			bound = m->lease.objects[m->lease.n_objects - 1].name;
			uid = m->lease.objects[m->lease.n_objects - 1].uid;
			m->lease.revocable = 1;
		} else if (e->cls == KJ_ERR_DENIED) {
			/* no anchor Secret, so nothing to revoke the token by: say so and fall back to
			 * expiry-only */
			snprintf(what, sizeof(what),
			         _("target %s may not create Secrets in %s: this token cannot be revoked and "
			           "lives "
			           "until it expires"),
			         m->s->target, ns);
			mint_warn(m, what);
			m->lease.revocable = 0;
			kj_err_clear(e);
		} else {
			snprintf(what, sizeof(what), _("creating anchor Secret %s in %s"), m->name, ns);
			return mint_explain(m, what, e);
		}
	}
	mint_step(m, "mint:token", _("requesting the token"));
	body = mint_token_body(m, bound, uid);
	rc = objects_token_request(m->kc, ns, sa, body, &answer, e);
	cJSON_Delete(body);
	cJSON_Delete(created);
	if (rc < 0) {
		objects_json_wipe(answer);
		snprintf(what, sizeof(what), _("requesting a token for ServiceAccount %s/%s"), ns, sa);
		return mint_explain(m, what, e);
	}
	rc = mint_take_token(m, answer, out, e);
	objects_json_wipe(answer);
	return rc;
}

/* The role and binding objects of a dynamic secret, by role source. */
