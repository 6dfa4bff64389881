/* crud_delete: delete and deletecollection for the generic CRUD handler
 * (crud.c), with the propagation policies of the generic registry. */
#include "demo/crud_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum obj_propagation propagation(struct demo_req *r)
{
	cJSON *opts = r->body_len ? cJSON_ParseWithLength(r->body, r->body_len) : NULL;
	const char *p = obj_str(opts, "propagationPolicy");
	enum obj_propagation prop = OBJ_PROPAGATE_BACKGROUND;
	const char *q = demo_req_query(r, "propagationPolicy");

	if (q)
		p = q;
	if (!strcmp(p, "Orphan") || cJSON_IsTrue(cJSON_GetObjectItem(opts, "orphanDependents")))
		prop = OBJ_PROPAGATE_ORPHAN;
	else if (!strcmp(p, "Foreground"))
		prop = OBJ_PROPAGATE_FOREGROUND;
	cJSON_Delete(opts);
	return prop;
}

static void reply_deleted(struct demo_req *r, cJSON *gone)
{
	const struct demo_resource *res = r->res;
	cJSON *s;

	/* ServiceAccount, Pod and Namespace stores return the object itself */
	if (!strcmp(res->name, "serviceaccounts") || !strcmp(res->name, "pods") ||
	    !strcmp(res->name, "namespaces")) {
		demo_reply_json(r, 200, gone);
		return;
	}
	s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "kind", "Status");
	cJSON_AddStringToObject(s, "apiVersion", "v1");
	cJSON_AddObjectToObject(s, "metadata");
	cJSON_AddStringToObject(s, "status", "Success");
	cJSON_AddItemToObject(
	    s, "details",
	    demo_details(obj_meta_str(gone, "name"), res->group, res->name, obj_meta_str(gone, "uid")));
	cJSON_Delete(gone);
	demo_reply_json(r, 200, s);
}

static void add_finalizer(cJSON *list_parent, const char *key, const char *fin)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(list_parent, key), *it;

	if (!cJSON_IsArray(arr)) {
		cJSON_DeleteItemFromObjectCaseSensitive(list_parent, key);
		arr = cJSON_AddArrayToObject(list_parent, key);
	}
	cJSON_ArrayForEach(it, arr)
	{
		if (cJSON_IsString(it) && !strcmp(it->valuestring, fin))
			return;
	}
	cJSON_AddItemToArray(arr, cJSON_CreateString(fin));
}

/* One DELETE as the generic registry does it (staging/src/k8s.io/apiserver/
 * pkg/registry/generic/registry/store.go): Background removes the object and
 * leaves its dependents to the garbage collector; Foreground and Orphan only
 * mark it (deletionTimestamp + finalizer foregroundDeletion / orphan) and the
 * collector finishes; a namespace goes Terminating (pkg/registry/core/
 * namespace/storage/storage.go) and the namespace controller empties and
 * removes it.  *out gets the object to answer with; *pending is 1 when the
 * object is still there.  OBJ_NOTFOUND when there is no such object. */
static enum obj_rc delete_one(struct demo_req *r, const char *ns, const char *name, enum obj_propagation prop,
                              cJSON **out, int *pending)
{
	const struct demo_resource *res = r->res;
	struct demo_cluster *dc = r->dc;
	int is_ns = !strcmp(res->name, "namespaces") && !*res->group;
	cJSON *cur = objstore_get(dc->store, res->group, res->name, ns, name), *gone = NULL, *meta;
	char uid[64], ts[32];

	*out = NULL;
	*pending = 0;
	if (!cur)
		return OBJ_NOTFOUND;
	snprintf(uid, sizeof(uid), "%s", obj_meta_str(cur, "uid"));
	if (is_ns || prop != OBJ_PROPAGATE_BACKGROUND) {
		cJSON *upd = NULL;
		enum demo_job job = is_ns                              ? DEMO_JOB_NAMESPACE
		                    : prop == OBJ_PROPAGATE_FOREGROUND ? DEMO_JOB_FOREGROUND
		                                                       : DEMO_JOB_ORPHAN;

		*pending = 1;
		if (*obj_meta_str(cur, "deletionTimestamp")) {
			*out = cur; /* already on its way */
			return OBJ_OK;
		}
		meta = cJSON_GetObjectItemCaseSensitive(cur, "metadata");
		kj_time_rfc3339(kj_now(), ts, sizeof(ts));
		cJSON_AddStringToObject(meta, "deletionTimestamp", ts);
		cJSON_AddNumberToObject(meta, "deletionGracePeriodSeconds", 0);
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "resourceVersion");
		if (is_ns) {
			cJSON *st = cJSON_GetObjectItemCaseSensitive(cur, "status"), *spec;

			if (!cJSON_IsObject(st)) {
				cJSON_DeleteItemFromObjectCaseSensitive(cur, "status");
				st = cJSON_AddObjectToObject(cur, "status");
			}
			cJSON_DeleteItemFromObjectCaseSensitive(st, "phase");
			cJSON_AddStringToObject(st, "phase", "Terminating");
			spec = cJSON_GetObjectItemCaseSensitive(cur, "spec");
			if (!cJSON_IsObject(spec)) {
				cJSON_DeleteItemFromObjectCaseSensitive(cur, "spec");
				spec = cJSON_AddObjectToObject(cur, "spec");
			}
			add_finalizer(spec, "finalizers", "kubernetes");
		} else {
			add_finalizer(meta, "finalizers",
			              prop == OBJ_PROPAGATE_FOREGROUND ? "foregroundDeletion" : "orphan");
		}
		if (objstore_update(dc->store, res->group, res->name, ns, name, cur, &upd) != OBJ_OK) {
			cJSON_Delete(cur);
			return OBJ_NOTFOUND;
		}
		cJSON_Delete(cur);
		demo_controllers_enqueue(dc, job, res->group, res->name, ns, name, uid, dc->gc_delay_ms);
		*out = upd;
		return OBJ_OK;
	}
	cJSON_Delete(cur);
	if (objstore_delete(dc->store, res->group, res->name, ns, name, &gone) != OBJ_OK)
		return OBJ_NOTFOUND;
	if (objstore_has_dependents(dc->store, uid))
		demo_controllers_enqueue(dc, DEMO_JOB_COLLECT, res->group, res->name, ns, name, uid,
		                         dc->gc_delay_ms);
	*out = gone;
	return OBJ_OK;
}

void demo_crud_delete(struct demo_req *r)
{
	const struct demo_resource *res = r->res;
	cJSON *gone = NULL;
	int pending = 0;

	if (!strcmp(res->name, "namespaces") &&
	    (!strcmp(r->name, "default") || !strcmp(r->name, "kube-system") ||
	     !strcmp(r->name, "kube-public"))) {
		demo_reply_forbidden(r, "", "namespaces", r->name, "this namespace may not be deleted");
		return;
	}
	if (demo_crud_dry_run(r)) {
		gone = objstore_get(r->dc->store, res->group, res->name, r->ns, r->name);
		if (!gone)
			demo_reply_not_found(r, res->group, res->name, r->name);
		else
			reply_deleted(r, gone);
		return;
	}
	if (delete_one(r, r->ns, r->name, propagation(r), &gone, &pending) != OBJ_OK) {
		demo_reply_not_found(r, res->group, res->name, r->name);
		return;
	}
	if (pending)
		demo_reply_json(r, 200,
		                demo_crud_with_type(res, gone)); /* still there: the object, not a Status */
	else
		reply_deleted(r, gone);
}

void demo_crud_delete_collection(struct demo_req *r)
{
	const struct demo_resource *res = r->res;
	int bad;
	struct objsel *sel = demo_crud_selector(r, &bad);
	cJSON *items, *it, *out;
	enum obj_propagation prop = propagation(r);
	char gv[128];

	if (bad)
		return;
	items = objstore_list(r->dc->store, res->group, res->name,
	                      res->namespaced ? (*r->ns ? r->ns : NULL) : "", sel, NULL);
	objsel_free(sel);
	cJSON_ArrayForEach(it, items)
	{
		cJSON *gone = NULL;
		int pending;

		if (demo_crud_dry_run(r))
			continue;
		delete_one(r, obj_meta_str(it, "namespace"), obj_meta_str(it, "name"), prop, &gone, &pending);
		cJSON_Delete(gone);
	}
	demo_crud_strip_types(items);
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "kind", res->list_kind);
	cJSON_AddStringToObject(out, "apiVersion", demo_crud_gv_of(res, gv, sizeof(gv)));
	cJSON_AddObjectToObject(out, "metadata");
	cJSON_AddItemToObject(out, "items", items);
	demo_reply_json(r, 200, out);
}
