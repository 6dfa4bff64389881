#include "engine/cluster_lease.h"

#include <stdlib.h>
#include <string.h>

#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/lease.h"
#include "engine/objects.h"
#include "kube/api.h"
#include "store/leases.h"
#include "store/targets.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

/* The kinds kubejit creates, in revoke order. */
static const enum kube_kind_id kinds[] = {
    KUBE_SERVICEACCOUNT, KUBE_SECRET, KUBE_ROLEBINDING, KUBE_CLUSTERROLEBINDING, KUBE_ROLE, KUBE_CLUSTERROLE,
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

static void lease_free_fields(struct cluster_lease *c)
{
	free(c->secret);
	free(c->ns);
	free(c->owner);
	free(c->created_by);
	lease_objects_free(c->objects, c->n_objects);
	memset(c, 0, sizeof(*c));
}

void cluster_lease_list_done(struct cluster_lease_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		lease_free_fields(&l->v[i]);
	free(l->v);
	for (size_t i = 0; i < l->n_denied; i++) {
		free(l->denied[i].resource);
		free(l->denied[i].message);
	}
	free(l->denied);
	free(l->target);
	memset(l, 0, sizeof(*l));
}

void cluster_revoke_result_done(struct cluster_revoke_result *r)
{
	lease_free_fields(&r->lease);
	memset(r, 0, sizeof(*r));
}

/* A lease id as kubejit writes it: a lower-case UUID. */
static int is_lease_id(const char *s)
{
	if (!s || strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
			return 0;
		}
	}
	return 1;
}

static struct cluster_lease *lease_for(struct cluster_lease_list *l, const char *id)
{
	struct cluster_lease *c;

	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].id, id))
			return &l->v[i];
	l->v = kj_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	c = &l->v[l->n++];
	memset(c, 0, sizeof(*c));
	memcpy(c->id, id, sizeof(c->id));
	c->mode = -1;
	c->state = LEASE_ACTIVE;
	return c;
}

/* Keep the first value seen: every object of a lease carries the same. */
static void take_text(char **dst, const char *value)
{
	if (!*dst && value && *value)
		*dst = kj_printable(value, OBJECTS_TEXT_MAX);
}

void cluster_lease_add_items(struct cluster_lease_list *l, const char *kind, const cJSON *list)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(list, "items"))
	{
		const char *id = kube_label(it, OBJECTS_LEASE_LABEL), *v, *name = kube_meta(it, "name");
		const cJSON *meta = cJSON_GetObjectItemCaseSensitive(it, "metadata");
		struct cluster_lease *c;
		struct lease_object *o;
		int64_t t;

		v = kube_label(it, OBJECTS_MANAGED_BY);
		/* a label someone else set, or a malformed one, is not a lease */
		if (!v || strcmp(v, "kubejit") || !is_lease_id(id) || !name)
			continue;
		c = lease_for(l, id);
		take_text(&c->secret, kube_annotation(it, OBJECTS_SECRET_ANN));
		take_text(&c->owner, kube_annotation(it, OBJECTS_OWNER_ANN));
		take_text(&c->created_by, kube_annotation(it, OBJECTS_CREATED_BY));
		v = kube_label(it, OBJECTS_NS_LABEL);
		take_text(&c->ns, v ? v : kube_meta(it, "namespace"));
		v = kube_label(it, OBJECTS_MODE_LABEL);
		if (c->mode < 0 && v) {
			enum secret_mode m;
			if (secret_mode_parse(v, &m) == 0)
				c->mode = (int)m;
		}
		v = kube_annotation(it, OBJECTS_EXPIRES_AT);
		if (v && kj_time_parse_rfc3339(v, &t) == 0 && (!c->expires_at || t < c->expires_at))
			c->expires_at = t;
		v = kube_meta(it, "creationTimestamp");
		if (v && kj_time_parse_rfc3339(v, &t) == 0 && (!c->created_at || t < c->created_at))
			c->created_at = t;
		c->objects = kj_xrealloc(c->objects, (c->n_objects + 1) * sizeof(*c->objects));
		o = &c->objects[c->n_objects++];
		memset(o, 0, sizeof(*o));
		o->kind = kj_xstrdup(kind);
		o->ns = kube_meta(it, "namespace") ? kj_printable(kube_meta(it, "namespace"), 253) : NULL;
		o->name = kj_printable(name, 253);
		o->uid = kube_meta(it, "uid") ? kj_printable(kube_meta(it, "uid"), 64) : NULL;
		o->deleted = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(meta, "deletionTimestamp"));
	}
}

static int by_rank(const void *a, const void *b)
{
	const struct lease_object *x = a, *y = b;
	int d = objects_revoke_rank(x->kind) - objects_revoke_rank(y->kind);

	return d ? d : strcmp(x->name, y->name);
}

static int by_expiry(const void *a, const void *b)
{
	const struct cluster_lease *x = a, *y = b;

	if (x->expires_at != y->expires_at)
		return x->expires_at < y->expires_at ? -1 : 1;
	return strcmp(x->id, y->id);
}

void cluster_lease_finish(struct cluster_lease_list *l, int64_t now)
{
	for (size_t i = 0; i < l->n; i++) {
		struct cluster_lease *c = &l->v[i];
		const char *first = NULL;
		int alive = 0, has_sa = 0;

		qsort(c->objects, c->n_objects, sizeof(*c->objects), by_rank);
		for (size_t k = 0; k < c->n_objects; k++)
			has_sa |= !strcmp(c->objects[k].kind, "ServiceAccount");
		/* the object whose deletion kills the token */
		if (c->mode == SECRET_DYNAMIC || (c->mode < 0 && has_sa))
			first = "ServiceAccount";
		else
			first = "Secret";
		for (size_t k = 0; k < c->n_objects; k++)
			if (!strcmp(c->objects[k].kind, first) && !c->objects[k].deleted)
				alive = 1;
		if (!alive)
			c->state = LEASE_REVOKING;
		else if (c->expires_at && c->expires_at <= now)
			c->state = LEASE_EXPIRED;
		else
			c->state = LEASE_ACTIVE;
	}
	if (l->n > 1) /* qsort may not be given the NULL of an empty list */
		qsort(l->v, l->n, sizeof(*l->v), by_expiry);
}

const struct cluster_lease *cluster_lease_find(const struct cluster_lease_list *l, const char *id, kj_err *e)
{
	const struct cluster_lease *hit = NULL;
	size_t n = id ? strlen(id) : 0, hits = 0;

	if (n < 4) {
		kj_err_set(e, KJ_ERR_USAGE, _("lease id \"%s\" is too short"), id ? id : "");
		kj_err_hint(e, _("give at least 4 characters of the id 'kubejit leases --cluster' shows"));
		return NULL;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (strncmp(l->v[i].id, id, n))
			continue;
		hit = &l->v[i];
		hits++;
	}
	if (hits == 1)
		return hit;
	if (hits > 1) {
		kj_err_set(e, KJ_ERR_USAGE, _("lease id %s matches %zu leases on target %s"), id, hits,
		           l->target ? l->target : "?");
		kj_err_hint(e, _("give more characters of the id"));
		return NULL;
	}
	kj_err_set(e, KJ_ERR_NOTFOUND, _("no kubejit lease %s on target %s"), id,
	           l->target ? l->target : "?");
	if (l->n_denied)
		kj_err_hint(e,
		            _("the target may not list %s%s: a lease made only of those is invisible to it "
		              "(see 'kubejit rbac dynamic' for the list rights)"),
		            l->denied[0].resource, l->n_denied > 1 ? _(" and other kinds") : "");
	else
		kj_err_hint(e, _("'kubejit leases --cluster --target %s' lists the leases there"),
		            l->target ? l->target : "T");
	return NULL;
}

char *cluster_lease_owner_text(const struct cluster_lease *c)
{
	if (c->owner && c->created_by)
		return kj_xasprintf("%s (%s)", c->owner, c->created_by);
	if (c->owner || c->created_by)
		return kj_xstrdup(c->owner ? c->owner : c->created_by);
	return kj_xstrdup("?");
}

/* The target named, or the only one saved. */
static int pick_target(struct engine *eng, const char *target, char **out, kj_err *e)
{
	struct target *ts = NULL;
	size_t n = 0;
	kj_buf names;

	if (target) {
		*out = kj_xstrdup(target);
		return 0;
	}
	if (store_target_list(engine_db(eng), &ts, &n, e) < 0)
		return -1;
	if (n == 1) {
		*out = kj_xstrdup(ts[0].name);
		target_list_free(ts, n);
		return 0;
	}
	kj_buf_init(&names);
	for (size_t i = 0; i < n; i++)
		kj_buf_printf(&names, "%s%s", i ? ", " : "", ts[i].name);
	target_list_free(ts, n);
	if (!n) {
		kj_buf_done(&names);
		kj_err_set(e, KJ_ERR_NOTFOUND, _("no target is saved"));
		return kj_err_hint(e, _("add one with 'kubejit target add'"));
	}
	kj_err_set(e, KJ_ERR_USAGE, _("%zu targets are saved: say which cluster to read"), n);
	kj_err_hint(e, _("add --target NAME (one of: %s)"), names.data);
	kj_buf_done(&names);
	return -1;
}

int cluster_lease_list(struct engine *eng, const char *target, struct cluster_lease_list *out, kj_err *e)
{
	struct kube_client *kc;
	size_t listed = 0;

	memset(out, 0, sizeof(*out));
	if (pick_target(eng, target, &out->target, e) < 0)
		return -1;
	if (engine_client(eng, out->target, &kc, e) < 0)
		return -1;
	for (size_t k = 0; k < N_KINDS; k++) {
		const struct kube_kind *kind = kube_kind(kinds[k]);
		cJSON *list = NULL;
		kj_err le;

		if (kube_list(kc, kinds[k], NULL, OBJECTS_SELECTOR, &list, &le) < 0) {
			struct cluster_denied *d;
			char res[96];

			if (le.cls != KJ_ERR_DENIED) {
				*e = le;
				kj_err_prefix(e, _("listing %s on target %s"), kind->plural, out->target);
				cluster_lease_list_done(out);
				return -1;
			}
			out->denied = kj_xrealloc(out->denied, (out->n_denied + 1) * sizeof(*out->denied));
			d = &out->denied[out->n_denied++];
			d->kind = kind->kind;
			d->resource = kj_xstrdup(kube_kind_resource(kind, res, sizeof(res)));
			d->verb = "list";
			d->message = kj_printable(le.msg, 512);
			continue;
		}
		listed++;
		cluster_lease_add_items(out, kind->kind, list);
		cJSON_Delete(list);
	}
	if (!listed) {
		kj_buf kinds_text;

		kj_buf_init(&kinds_text);
		for (size_t i = 0; i < out->n_denied; i++)
			kj_buf_printf(&kinds_text, "%s%s", i ? ", " : "", out->denied[i].resource);
		kj_err_set(e, KJ_ERR_DENIED,
		           _("target %s may not list any kind kubejit creates (the 'list' verb is missing "
		             "on %s in all namespaces); first refusal: %s"),
		           out->target, kinds_text.data, out->denied[0].message);
		kj_buf_done(&kinds_text);
		kj_err_hint(
		    e, _("grant it 'list' on serviceaccounts, secrets, roles, rolebindings, clusterroles "
		         "and clusterrolebindings (what 'kubejit rbac dynamic' prints)"));
		cluster_lease_list_done(out);
		return -1;
	}
	cluster_lease_finish(out, kj_now());
	for (size_t i = 0; i < out->n; i++) {
		struct cluster_lease *c = &out->v[i];
		enum lease_state st;
		kj_err ignore;

		if (store_lease_state(engine_db(eng), c->id, &st, &ignore) != 1)
			continue;
		c->local = 1;
		/* the minting process knows more than the objects tell */
		if (st == LEASE_CREATING || st == LEASE_FAILED)
			c->state = st;
	}
	return 0;
}

static void copy_lease(struct cluster_lease *dst, const struct cluster_lease *src)
{
	*dst = *src;
	dst->secret = kj_xstrdup(src->secret);
	dst->ns = kj_xstrdup(src->ns);
	dst->owner = kj_xstrdup(src->owner);
	dst->created_by = kj_xstrdup(src->created_by);
	dst->objects = kj_xcalloc(src->n_objects ? src->n_objects : 1, sizeof(*dst->objects));
	for (size_t i = 0; i < src->n_objects; i++) {
		dst->objects[i] = src->objects[i];
		dst->objects[i].kind = kj_xstrdup(src->objects[i].kind);
		dst->objects[i].ns = kj_xstrdup(src->objects[i].ns);
		dst->objects[i].name = kj_xstrdup(src->objects[i].name);
		dst->objects[i].uid = kj_xstrdup(src->objects[i].uid);
	}
}

/* Delete the objects of `c` rank by rank (each rank in one parallel batch).
 * Every object is tried; the first failure is kept in `e`. */
static int delete_ranked(struct kube_client *kc, struct cluster_lease *c, size_t *deleted, kj_err *e)
{
	int rc = 0;

	for (int rank = 0; rank < 3; rank++) {
		struct kube_op ops[16];
		size_t idx[16], m = 0;

		for (size_t i = 0; i < c->n_objects && m < 16; i++) {
			struct lease_object *o = &c->objects[i];
			if (objects_revoke_rank(o->kind) != rank ||
			    objects_kind_id(o->kind) == KUBE_KIND_COUNT)
				continue;
			memset(&ops[m], 0, sizeof(ops[m]));
			ops[m].verb = KUBE_OP_DELETE;
			ops[m].kind = objects_kind_id(o->kind);
			ops[m].ns = o->ns;
			ops[m].name = o->name;
			idx[m++] = i;
		}
		if (!m)
			continue;
		kube_batch(kc, ops, m, NULL);
		for (size_t k = 0; k < m; k++) {
			struct lease_object *o = &c->objects[idx[k]];
			if (ops[k].rc == 0 || ops[k].rc == KUBE_GONE) {
				o->deleted = 1;
				(*deleted)++;
			} else if (!rc) {
				*e = ops[k].err;
				if (o->ns)
					kj_err_prefix(e, _("deleting %s %s/%s"), o->kind, o->ns, o->name);
				else
					kj_err_prefix(e, _("deleting %s %s"), o->kind, o->name);
				rc = -1;
			}
			cJSON_Delete(ops[k].result);
		}
	}
	return rc;
}

int cluster_lease_revoke(struct engine *eng, const char *target, const char *id,
                         struct cluster_revoke_result *r, kj_err *e)
{
	struct cluster_lease_list all;
	const struct cluster_lease *found;
	struct kube_client *kc;
	struct lease local;
	char *owner, *detail;
	int rc = 0;
	kj_err de, ignore;

	memset(r, 0, sizeof(*r));
	if (cluster_lease_list(eng, target, &all, e) < 0)
		return -1;
	found = cluster_lease_find(&all, id, e);
	if (!found) {
		cluster_lease_list_done(&all);
		return -1;
	}
	copy_lease(&r->lease, found);
	if (engine_client(eng, all.target, &kc, e) < 0) {
		cluster_lease_list_done(&all);
		return -1;
	}
	kj_err_clear(&de);
	/* a lease of ours goes the local way: recorded objects, state, audit */
	if (lease_get(eng, r->lease.id, &local, &ignore) == 0) {
		if (lease_is_live(&local) || local.state == LEASE_FAILED) {
			if (lease_revoke_now(eng, &local, LEASE_REVOKED, &de) == 0)
				r->local_closed = 1;
			else
				rc = -1;
		} else {
			r->local_closed = 1; /* closed already; its objects were left in the cluster */
		}
		lease_done(&local);
	}
	/* what the cluster holds beyond the local record (or everything, for a
	 * colleague's lease); 404 counts as deleted */
	{
		kj_err xe;
		if (delete_ranked(kc, &r->lease, &r->deleted, &xe) < 0 && rc == 0) {
			de = xe;
			rc = -1;
		}
	}
	owner = cluster_lease_owner_text(&r->lease);
	if (rc == 0)
		detail = kj_xasprintf(_("revoked from the cluster (target %s): lease of %s, %zu object(s) "
		                        "deleted"),
		                      all.target, owner, r->deleted);
	else
		detail = kj_xasprintf(_("revoke from the cluster (target %s) of the lease of %s failed: %s"),
		                      all.target, owner, de.msg);
	audit_record(eng, AUDIT_REVOKE, r->lease.secret, r->lease.id, all.target, rc == 0, detail, &ignore);
	free(detail);
	free(owner);
	if (rc < 0) {
		*e = de;
		if (de.cls == KJ_ERR_DENIED && !de.hint[0])
			kj_err_hint(e,
			            _("target %s may not delete this kind: an operator whose target may (for "
			              "example the lease's owner) can revoke it, or grant 'delete' on it"),
			            all.target);
		kj_err_prefix(e, _("lease %.8s"), r->lease.id);
	}
	cluster_lease_list_done(&all);
	return rc;
}
