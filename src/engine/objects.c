#include "engine/objects.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

/* People's text (a path, $USER, a username an identity provider chose) as
 * an annotation that prints safely wherever a colleague reads it. */
static void add_text(cJSON *ann, const char *key, const char *value)
{
	char *v = kj_printable(value, OBJECTS_TEXT_MAX);

	if (v && *v)
		cJSON_AddStringToObject(ann, key, v);
	free(v);
}

cJSON *objects_new(const char *name, const char *ns, const struct secret *s, const struct lease *l,
                   struct engine *eng)
{
	cJSON *o = cJSON_CreateObject(), *meta, *labels, *ann;
	char ts[32];

	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	if (ns)
		cJSON_AddStringToObject(meta, "namespace", ns);
	labels = cJSON_AddObjectToObject(meta, "labels");
	ann = cJSON_AddObjectToObject(meta, "annotations");
	/* extras first, so kubejit's own keys are never overridden */
	for (size_t i = 0; i < s->labels.n; i++)
		cJSON_AddStringToObject(labels, s->labels.v[i].key, s->labels.v[i].value);
	for (size_t i = 0; i < s->annotations.n; i++)
		cJSON_AddStringToObject(ann, s->annotations.v[i].key, s->annotations.v[i].value);
	cJSON_DeleteItemFromObjectCaseSensitive(labels, OBJECTS_MANAGED_BY);
	cJSON_DeleteItemFromObjectCaseSensitive(labels, OBJECTS_LEASE_LABEL);
	cJSON_AddStringToObject(labels, OBJECTS_MANAGED_BY, "kubejit");
	cJSON_AddStringToObject(labels, OBJECTS_LEASE_LABEL, l->id);
	if (l->ns && kj_is_dns1123_label(l->ns))
		cJSON_AddStringToObject(labels, OBJECTS_NS_LABEL, l->ns);
	cJSON_AddStringToObject(labels, OBJECTS_MODE_LABEL, secret_mode_name(l->mode));
	kj_time_rfc3339(l->lease_expiry, ts, sizeof(ts));
	cJSON_AddStringToObject(ann, OBJECTS_EXPIRES_AT, ts);
	add_text(ann, OBJECTS_SECRET_ANN, s->path);
	add_text(ann, OBJECTS_OWNER_ANN, engine_identity_cached(eng, s->target));
	add_text(ann, OBJECTS_CREATED_BY, engine_actor(eng));
	return o;
}

cJSON *objects_spare_new(const char *name, const char *ns, const struct secret *s, int64_t expires,
                         struct engine *eng)
{
	struct lease l;
	cJSON *o, *labels;

	memset(&l, 0, sizeof(l));
	l.ns = (char *)ns;
	l.mode = SECRET_FIXED;
	l.lease_expiry = expires;
	o = objects_new(name, ns, s, &l, eng);
	labels = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "metadata"), "labels");
	cJSON_DeleteItemFromObjectCaseSensitive(labels, OBJECTS_LEASE_LABEL);
	cJSON_DeleteItemFromObjectCaseSensitive(labels, OBJECTS_SPARE_LABEL);
	cJSON_AddStringToObject(labels, OBJECTS_SPARE_LABEL, "true");
	cJSON_AddStringToObject(o, "type", "Opaque");
	return o;
}

void objects_owned_by_sa(cJSON *obj, const char *sa_name, const char *sa_uid)
{
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	cJSON *refs, *r;

	if (!meta || !sa_uid)
		return;
	refs = cJSON_AddArrayToObject(meta, "ownerReferences");
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "apiVersion", "v1");
	cJSON_AddStringToObject(r, "kind", "ServiceAccount");
	cJSON_AddStringToObject(r, "name", sa_name);
	cJSON_AddStringToObject(r, "uid", sa_uid);
	cJSON_AddItemToArray(refs, r);
}

static const struct {
	const char *kind;
	enum kube_kind_id id;
	int rank;
} kinds[] = {
    {"ServiceAccount", KUBE_SERVICEACCOUNT, 0},
    {"Secret", KUBE_SECRET, 0},
    {"RoleBinding", KUBE_ROLEBINDING, 1},
    {"ClusterRoleBinding", KUBE_CLUSTERROLEBINDING, 1},
    {"Role", KUBE_ROLE, 2},
    {"ClusterRole", KUBE_CLUSTERROLE, 2},
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

enum kube_kind_id objects_kind_id(const char *kind)
{
	for (size_t i = 0; kind && i < N_KINDS; i++)
		if (!strcmp(kinds[i].kind, kind))
			return kinds[i].id;
	return KUBE_KIND_COUNT;
}

int objects_revoke_rank(const char *kind)
{
	for (size_t i = 0; kind && i < N_KINDS; i++)
		if (!strcmp(kinds[i].kind, kind))
			return kinds[i].rank;
	return 3;
}

int objects_delete(struct kube_client *kc, const struct lease_object *o, kj_err *e)
{
	enum kube_kind_id id = objects_kind_id(o->kind);

	if (id == KUBE_KIND_COUNT)
		return kj_err_set(e, KJ_ERR_FAIL, "unknown object kind \"%s\"", o->kind ? o->kind : "");
	return kube_delete(kc, id, o->ns, o->name, e);
}

int objects_delete_labelled(struct kube_client *kc, const char *lease_id, const char *ns, size_t *deleted,
                            kj_err *e)
{
	char *sel = kj_xasprintf(OBJECTS_SELECTOR "," OBJECTS_LEASE_LABEL "=%s", lease_id);
	int rc = 0;

	*deleted = 0;
	for (int rank = 0; rank < 3; rank++) {
		for (size_t i = 0; i < N_KINDS; i++) {
			const struct kube_kind *k = kube_kind(kinds[i].id);
			cJSON *list = NULL, *it;
			kj_err le;

			if (kinds[i].rank != rank)
				continue;
			if (kube_list(kc, kinds[i].id, k->namespaced ? ns : NULL, sel, &list, &le) < 0) {
				/* a kind we may not list cannot have been made by us either */
				if (le.cls != KJ_ERR_DENIED && !rc) {
					*e = le;
					rc = -1;
				}
				continue;
			}
			cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(list, "items"))
			{
				int d = kube_delete(kc, kinds[i].id, kube_meta(it, "namespace"),
				                    kube_meta(it, "name"), &le);
				if (d == 0)
					(*deleted)++;
				else if (d < 0 && !rc) {
					*e = le;
					rc = -1;
				}
			}
			cJSON_Delete(list);
		}
	}
	free(sel);
	return rc;
}

int objects_token_request(struct kube_client *kc, const char *ns, const char *sa, const cJSON *body,
                          cJSON **answer, kj_err *e)
{
	struct kube_op op;
	int rc;

	memset(&op, 0, sizeof(op));
	op.verb = KUBE_OP_CREATE;
	op.kind = KUBE_TOKENREQUEST;
	op.ns = ns;
	op.name = sa;
	op.obj = body;
	rc = kube_batch(kc, &op, 1, e);
	*answer = op.result;
	return rc;
}

static void wipe_strings(cJSON *j)
{
	for (; j; j = j->next) {
		if (cJSON_IsString(j) && j->valuestring)
			kj_wipe(j->valuestring, strlen(j->valuestring));
		wipe_strings(j->child);
	}
}

void objects_json_wipe(cJSON *j)
{
	if (!j)
		return;
	wipe_strings(j->child);
	cJSON_Delete(j);
}
