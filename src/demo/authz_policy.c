/* The RBAC objects the authorizer reads, indexed as kube-apiserver's
 * listers index theirs (plugin/pkg/auth/authorizer/rbac/rbac.go reads
 * informer caches): a Role or ClusterRole by namespace and name, and a
 * binding by the subjects it names, so that a request's cost does not grow
 * with the number of bindings held for other subjects.  The index is kept
 * up to date one object at a time (authz_policy_put / authz_policy_remove),
 * never rebuilt whole after a change. */
#include <stdlib.h>
#include <string.h>

#include "demo/authz.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/strmap.h"

/* Field separator inside index keys: no Kubernetes namespace or resource
 * contains it, and a user or group name, which may, is always last. */
#define SEP "\x1f"

enum { R_ROLES, R_CLUSTERROLES, R_ROLEBINDINGS, R_CLUSTERROLEBINDINGS, R_N };

static const char *const res_names[R_N] = {"roles", "clusterroles", "rolebindings", "clusterrolebindings"};

/* One stored RBAC object. */
struct pobj {
	cJSON *obj;
	int res;
	const char *ns, *name; /* in obj */
	char **subj;           /* subject keys it is filed under (bindings) */
	size_t nsubj;
};

/* The bindings filed under one subject key. */
struct blist {
	struct pobj **v;
	size_t n, cap;
};

struct authz_policy {
	struct kj_strmap objs;     /* "resource SEP ns SEP name" -> struct pobj */
	struct kj_strmap subjects; /* subject key -> struct blist */
	/* ClusterRoles by name: aggregation visits them all in name order */
	struct pobj **clusterroles;
	size_t ncr, cr_cap;
	size_t count[R_N];
};

static int res_index(const char *resource)
{
	for (int k = 0; k < R_N; k++)
		if (!strcmp(resource, res_names[k]))
			return k;
	return -1;
}

static char *obj_key(int res, const char *ns, const char *name)
{
	return kj_xasprintf("%s" SEP "%s" SEP "%s", res_names[res], ns, name);
}

/* The index key of one subject of a binding in namespace bns ("" for a
 * ClusterRoleBinding), NULL for a subject that names nobody.  A
 * ServiceAccount is filed under the user name it authenticates as, which
 * is how subject_applies() in authz.c compares it. */
static char *subject_key(const cJSON *s, const char *bns)
{
	const char *kind = kj_json_str0(s, "kind"), *name = kj_json_str0(s, "name");

	if (!strcmp(kind, "User"))
		return kj_xasprintf("%s" SEP "U" SEP "%s", bns, name);
	if (!strcmp(kind, "Group"))
		return kj_xasprintf("%s" SEP "G" SEP "%s", bns, name);
	if (!strcmp(kind, "ServiceAccount")) {
		const char *sns = *kj_json_str0(s, "namespace") ? kj_json_str0(s, "namespace") : bns;

		if (!*sns)
			return NULL;
		return kj_xasprintf("%s" SEP "U" SEP "system:serviceaccount:%s:%s", bns, sns, name);
	}
	return NULL;
}

static int cmp_name(const void *a, const void *b)
{
	const struct pobj *x = *(struct pobj *const *)a, *y = *(struct pobj *const *)b;
	int c = strcmp(x->ns, y->ns);

	return c ? c : strcmp(x->name, y->name);
}

static void file_subjects(struct authz_policy *p, struct pobj *o)
{
	const cJSON *s;
	const char *bns = o->res == R_ROLEBINDINGS ? o->ns : "";

	cJSON_ArrayForEach(s, kj_json_array(o->obj, "subjects"))
	{
		char *key = subject_key(s, bns);
		void **slot;
		struct blist *l;
		size_t i;

		if (!key)
			continue;
		for (i = 0; i < o->nsubj && strcmp(o->subj[i], key); i++)
			;
		if (i < o->nsubj) { /* two subjects for one user: filed once */
			free(key);
			continue;
		}
		slot = kj_strmap_slot(&p->subjects, key);
		if (!*slot)
			*slot = kj_xcalloc(1, sizeof(struct blist));
		l = *slot;
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 4;
			l->v = kj_xrealloc(l->v, l->cap * sizeof *l->v);
		}
		l->v[l->n++] = o;
		o->subj = kj_xrealloc(o->subj, (o->nsubj + 1) * sizeof *o->subj);
		o->subj[o->nsubj++] = key;
	}
}

static void unfile_subjects(struct authz_policy *p, struct pobj *o)
{
	for (size_t i = 0; i < o->nsubj; i++) {
		struct blist *l = kj_strmap_get(&p->subjects, o->subj[i]);

		for (size_t j = 0; l && j < l->n; j++) {
			if (l->v[j] != o)
				continue;
			l->v[j] = l->v[--l->n];
			break;
		}
		if (l && !l->n) {
			kj_strmap_del(&p->subjects, o->subj[i]);
			free(l->v);
			free(l);
		}
		free(o->subj[i]);
	}
	free(o->subj);
	o->subj = NULL;
	o->nsubj = 0;
}

/* Position of a ClusterRole named `name` in the sorted array, or where it
 * would go. */
static size_t cr_pos(const struct authz_policy *p, const char *name, int *found)
{
	size_t lo = 0, hi = p->ncr;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(p->clusterroles[mid]->name, name);

		if (!c) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void pobj_free(struct pobj *o)
{
	for (size_t i = 0; i < o->nsubj; i++)
		free(o->subj[i]);
	free(o->subj);
	cJSON_Delete(o->obj);
	free(o);
}

static void drop(struct authz_policy *p, struct pobj *o)
{
	if (o->res == R_CLUSTERROLES) {
		int found;
		size_t i = cr_pos(p, o->name, &found);

		if (found) {
			memmove(p->clusterroles + i, p->clusterroles + i + 1,
			        (p->ncr - i - 1) * sizeof *p->clusterroles);
			p->ncr--;
		}
	}
	unfile_subjects(p, o);
	p->count[o->res]--;
	pobj_free(o);
}

struct authz_policy *authz_policy_new(void)
{
	return kj_xcalloc(1, sizeof(struct authz_policy));
}

static void free_pobj(void *v)
{
	pobj_free(v);
}

static void free_blist(void *v)
{
	struct blist *l = v;

	free(l->v);
	free(l);
}

void authz_policy_free(struct authz_policy *p)
{
	if (!p)
		return;
	kj_strmap_done(&p->objs, free_pobj);
	kj_strmap_done(&p->subjects, free_blist);
	free(p->clusterroles);
	free(p);
}

int authz_policy_put(struct authz_policy *p, const char *resource, const cJSON *obj)
{
	int res = res_index(resource);
	const char *ns = kj_json_meta0(obj, "namespace"), *name = kj_json_meta0(obj, "name");
	struct pobj *o, *old;
	void **slot;
	char *key;

	if (res < 0)
		return -1;
	if (res == R_CLUSTERROLES || res == R_CLUSTERROLEBINDINGS)
		ns = "";
	key = obj_key(res, ns, name);
	slot = kj_strmap_slot(&p->objs, key);
	free(key);
	if ((old = *slot))
		drop(p, old);
	o = kj_xcalloc(1, sizeof *o);
	o->obj = cJSON_Duplicate(obj, 1);
	o->res = res;
	o->ns = kj_json_meta0(o->obj, "namespace");
	if (res == R_CLUSTERROLES || res == R_CLUSTERROLEBINDINGS)
		o->ns = "";
	o->name = kj_json_meta0(o->obj, "name");
	*slot = o;
	p->count[res]++;
	if (res == R_ROLEBINDINGS || res == R_CLUSTERROLEBINDINGS)
		file_subjects(p, o);
	if (res == R_CLUSTERROLES) {
		int found;
		size_t i = cr_pos(p, o->name, &found);

		if (p->ncr == p->cr_cap) {
			p->cr_cap = p->cr_cap ? p->cr_cap * 2 : 64;
			p->clusterroles = kj_xrealloc(p->clusterroles, p->cr_cap * sizeof *p->clusterroles);
		}
		memmove(p->clusterroles + i + 1, p->clusterroles + i, (p->ncr - i) * sizeof *p->clusterroles);
		p->clusterroles[i] = o;
		p->ncr++;
	}
	return 0;
}

void authz_policy_remove(struct authz_policy *p, const char *resource, const char *ns, const char *name)
{
	int res = res_index(resource);
	struct pobj *o;
	char *key;

	if (res < 0)
		return;
	key = obj_key(res, res == R_ROLES || res == R_ROLEBINDINGS ? ns : "", name);
	o = kj_strmap_del(&p->objs, key);
	free(key);
	if (o)
		drop(p, o);
}

size_t authz_policy_count(const struct authz_policy *p, const char *resource)
{
	int res = res_index(resource);

	return res < 0 ? 0 : p->count[res];
}

const cJSON *authz_policy_find(const struct authz_policy *p, const char *resource, const char *ns,
                               const char *name)
{
	int res = res_index(resource);
	struct pobj *o;
	char *key;

	if (res < 0)
		return NULL;
	key = obj_key(res, res == R_ROLES || res == R_ROLEBINDINGS ? ns : "", name);
	o = kj_strmap_get(&p->objs, key);
	free(key);
	return o ? o->obj : NULL;
}

void authz_policy_foreach_clusterrole(const struct authz_policy *p, int (*fn)(const cJSON *cr, void *ctx),
                                      void *ctx)
{
	for (size_t i = 0; i < p->ncr; i++)
		if (fn(p->clusterroles[i]->obj, ctx))
			return;
}

static void collect(const struct authz_policy *p, const char *key, struct pobj ***v, size_t *n, size_t *cap)
{
	const struct blist *l = kj_strmap_get(&p->subjects, key);

	for (size_t i = 0; l && i < l->n; i++) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 8;
			*v = kj_xrealloc(*v, *cap * sizeof **v);
		}
		(*v)[(*n)++] = l->v[i];
	}
}

size_t authz_policy_bindings_for(const struct authz_policy *p, const char *ns, const struct demo_user *u,
                                 const cJSON ***out)
{
	struct pobj **v = NULL;
	size_t n = 0, cap = 0, k = 0;
	const cJSON **objs;
	char *key;

	key = kj_xasprintf("%s" SEP "U" SEP "%s", ns, u->name);
	collect(p, key, &v, &n, &cap);
	free(key);
	for (size_t g = 0; g < u->ngroups; g++) {
		key = kj_xasprintf("%s" SEP "G" SEP "%s", ns, u->groups[g]);
		collect(p, key, &v, &n, &cap);
		free(key);
	}
	/* the listers' order (namespace, then name), each binding once */
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_name);
	objs = kj_xcalloc(n ? n : 1, sizeof *objs);
	for (size_t i = 0; i < n; i++)
		if (!i || v[i] != v[i - 1])
			objs[k++] = v[i]->obj;
	free(v);
	*out = objs;
	return k;
}

struct loading {
	struct authz_policy *p;
	const char *resource;
};

static int load_one(const cJSON *obj, void *ctx)
{
	struct loading *l = ctx;

	authz_policy_put(l->p, l->resource, obj);
	return 0;
}

void authz_policy_load(struct authz_policy *p, struct objstore *s)
{
	for (int k = 0; k < R_N; k++) {
		struct loading l = {p, res_names[k]};

		objstore_foreach(s, AUTHZ_RBAC_GROUP, res_names[k], NULL, load_one, &l);
	}
}

int authz_policy_add_all(struct authz_policy *p, const char *resource, const cJSON *objects)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, objects)
	{
		if (authz_policy_put(p, resource, it) < 0)
			return -1;
	}
	return 0;
}
