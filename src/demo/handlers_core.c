/* handlers_core: generic create/get/list/watch/update/patch/delete for the
 * stored resources of the table in discovery.c, in the apiserver's check
 * order (k8s-api.md §0.6, §2). */
#include "demo/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *gv_of(const struct demo_resource *res, char *buf, size_t n)
{
	if (*res->group)
		snprintf(buf, n, "%s/%s", res->group, res->version);
	else
		snprintf(buf, n, "%s", res->version);
	return buf;
}

/* ?dryRun=All, or DeleteOptions.dryRun ["All"] in a DELETE body: every
 * check runs, nothing is stored. */
static int dry_run(struct demo_req *r)
{
	const char *d = demo_req_query(r, "dryRun");
	cJSON *opts, *it;
	int dry = 0;

	if (d)
		return !strcmp(d, "All");
	if (strcmp(r->method, "DELETE") || !r->body_len)
		return 0;
	opts = cJSON_ParseWithLength(r->body, r->body_len);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(opts, "dryRun"))
	{
		if (cJSON_IsString(it) && !strcmp(it->valuestring, "All"))
			dry = 1;
	}
	cJSON_Delete(opts);
	return dry;
}

static int is_rbac(const struct demo_resource *res)
{
	return !strcmp(res->group, "rbac.authorization.k8s.io");
}

/* Put kind + apiVersion first, as the apiserver does. */
static cJSON *with_type(const struct demo_resource *res, cJSON *obj)
{
	cJSON *tmp = cJSON_CreateObject(), *it;
	char gv[128];

	cJSON_DeleteItemFromObjectCaseSensitive(obj, "kind");
	cJSON_DeleteItemFromObjectCaseSensitive(obj, "apiVersion");
	while ((it = obj->child)) {
		cJSON_DetachItemViaPointer(obj, it);
		cJSON_AddItemToObject(tmp, it->string, it);
	}
	cJSON_AddStringToObject(obj, "kind", res->kind);
	cJSON_AddStringToObject(obj, "apiVersion", gv_of(res, gv, sizeof(gv)));
	while ((it = tmp->child)) {
		cJSON_DetachItemViaPointer(tmp, it);
		cJSON_AddItemToObject(obj, it->string, it);
	}
	cJSON_Delete(tmp);
	return obj;
}

static void reply_object(struct demo_req *r, int code, cJSON *obj, uint64_t rv)
{
	if (code == 200 && demo_table_wanted(r)) {
		cJSON *items = cJSON_CreateArray();

		cJSON_AddItemToArray(items, obj);
		demo_reply_json(r, 200, demo_table_from_list(r, items, rv));
		cJSON_Delete(items);
		return;
	}
	demo_reply_json(r, code, with_type(r->res, obj));
}

static struct objsel *selector(struct demo_req *r, int *bad)
{
	const char *s = demo_req_query(r, "labelSelector");
	char err[256];
	struct objsel *sel;

	*bad = 0;
	if (!s || !*s)
		return NULL;
	sel = objsel_parse(s, err, sizeof(err));
	if (!sel) {
		*bad = 1;
		demo_reply_bad_request(r, "%s", err);
	}
	return sel;
}

static void strip_types(cJSON *items)
{
	cJSON *it;

	cJSON_ArrayForEach(it, items)
	{
		cJSON_DeleteItemFromObjectCaseSensitive(it, "kind");
		cJSON_DeleteItemFromObjectCaseSensitive(it, "apiVersion");
	}
}

/* Field selectors the apiserver accepts per resource (metadata.* for all). */
static const char *const pod_fields[] = {"metadata.name",
                                         "metadata.namespace",
                                         "spec.nodeName",
                                         "spec.serviceAccountName",
                                         "spec.restartPolicy",
                                         "spec.schedulerName",
                                         "status.phase",
                                         "status.podIP",
                                         NULL};
static const char *const secret_fields[] = {"metadata.name", "metadata.namespace", "type", NULL};
static const char *const ns_fields[] = {"metadata.name", "metadata.namespace", "status.phase", NULL};
static const char *const meta_fields[] = {"metadata.name", "metadata.namespace", NULL};

/* Drop the items a fieldSelector rejects; 0, or -1 after a 400. */
static int filter_fields(struct demo_req *r, cJSON *items)
{
	const char *s = demo_req_query(r, "fieldSelector");
	const char *const *allowed = meta_fields;
	struct objsel *sel;
	char err[256];
	int i;

	if (!s || !*s)
		return 0;
	if (!strcmp(r->res->name, "pods"))
		allowed = pod_fields;
	else if (!strcmp(r->res->name, "secrets"))
		allowed = secret_fields;
	else if (!strcmp(r->res->name, "namespaces"))
		allowed = ns_fields;
	sel = objsel_parse_fields(s, allowed, err, sizeof(err));
	if (!sel) {
		demo_reply_bad_request(r, "%s", err);
		return -1;
	}
	for (i = cJSON_GetArraySize(items) - 1; i >= 0; i--)
		if (!objsel_matches(sel, cJSON_GetArrayItem(items, i)))
			cJSON_DeleteItemFromArray(items, i);
	objsel_free(sel);
	return 0;
}

static void do_list(struct demo_req *r, int watch)
{
	const struct demo_resource *res = r->res;
	int bad;
	struct objsel *sel = selector(r, &bad);
	uint64_t rv;
	cJSON *items, *out, *meta;
	char gv[128], rvs[24];

	if (bad)
		return;
	items = objstore_list(r->dc->store, res->group, res->name,
	                      res->namespaced ? (*r->ns ? r->ns : NULL) : "", sel, &rv);
	objsel_free(sel);
	if (filter_fields(r, items) < 0) {
		cJSON_Delete(items);
		return;
	}
	if (watch) {
		/* A short watch: every current object as ADDED, then the stream ends.
		 * From a resourceVersion (kubectl get -w after its list) nothing has
		 * changed that the stream could report, so it ends at once. */
		const char *from = demo_req_query(r, "resourceVersion");
		kj_buf b;
		cJSON *it;

		if (from && *from && strcmp(from, "0")) {
			cJSON_Delete(items);
			items = cJSON_CreateArray();
		}
		kj_buf_init(&b);
		cJSON_ArrayForEach(it, items)
		{
			cJSON *ev = cJSON_CreateObject();
			char *s;

			cJSON_AddStringToObject(ev, "type", "ADDED");
			cJSON_AddItemToObject(ev, "object", with_type(res, cJSON_Duplicate(it, 1)));
			s = cJSON_PrintUnformatted(ev);
			kj_buf_printf(&b, "%s\n", s);
			free(s);
			cJSON_Delete(ev);
		}
		cJSON_Delete(items);
		demo_reply_raw(r, 200, "application/json", kj_buf_steal(&b));
		return;
	}
	if (demo_table_wanted(r)) {
		demo_reply_json(r, 200, demo_table_from_list(r, items, rv));
		cJSON_Delete(items);
		return;
	}
	strip_types(items);
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "kind", res->list_kind);
	cJSON_AddStringToObject(out, "apiVersion", gv_of(res, gv, sizeof(gv)));
	meta = cJSON_AddObjectToObject(out, "metadata");
	snprintf(rvs, sizeof(rvs), "%llu", (unsigned long long)rv);
	cJSON_AddStringToObject(meta, "resourceVersion", rvs);
	cJSON_AddItemToObject(out, "items", items);
	demo_reply_json(r, 200, out);
}

static void do_get(struct demo_req *r)
{
	cJSON *obj = objstore_get(r->dc->store, r->res->group, r->res->name, r->ns, r->name);

	if (!obj) {
		demo_reply_not_found(r, r->res->group, r->res->name, r->name);
		return;
	}
	reply_object(r, 200, obj, objstore_rv(r->dc->store));
}

/* Decode checks shared by create and update: kind/apiVersion and the
 * namespace of the body against the URL.  Returns the body or NULL (replied). */
static cJSON *decode_body(struct demo_req *r)
{
	const struct demo_resource *res = r->res;
	cJSON *obj = demo_req_json(r), *meta;
	const cJSON *av, *kind;
	char gv[128];

	if (!obj)
		return NULL;
	gv_of(res, gv, sizeof(gv));
	av = cJSON_GetObjectItemCaseSensitive(obj, "apiVersion");
	kind = cJSON_GetObjectItemCaseSensitive(obj, "kind");
	if (av && (!cJSON_IsString(av) || strcmp(av->valuestring, gv))) {
		demo_reply_bad_request(
		    r, "the API version in the data (%s) does not match the expected API version (%s)",
		    cJSON_IsString(av) ? av->valuestring : "", gv);
		return NULL;
	}
	if (kind && (!cJSON_IsString(kind) || strcmp(kind->valuestring, res->kind))) {
		demo_reply_bad_request(
		    r, "%s in version \"%s\" cannot be handled as a %s: no kind \"%s\" is registered",
		    cJSON_IsString(kind) ? kind->valuestring : "", res->version, res->kind,
		    cJSON_IsString(kind) ? kind->valuestring : "");
		return NULL;
	}
	meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	if (meta && !cJSON_IsObject(meta)) {
		demo_reply_bad_request(
		    r, "%s in version \"%s\" cannot be handled as a %s: metadata must be an object",
		    res->kind, res->version, res->kind);
		return NULL;
	}
	if (!meta)
		meta = cJSON_AddObjectToObject(obj, "metadata");
	if (res->namespaced) {
		const char *ns = obj_meta_str(obj, "namespace");

		if (*ns && strcmp(ns, r->ns)) {
			demo_reply_bad_request(
			    r, "the namespace of the provided object does not match the namespace "
			       "sent on the request");
			return NULL;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "namespace");
		cJSON_AddStringToObject(meta, "namespace", r->ns);
	} else {
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "namespace");
	}
	return obj;
}

static int namespace_exists(struct demo_req *r)
{
	cJSON *ns;

	if (!r->res->namespaced)
		return 1;
	ns = objstore_get(r->dc->store, "", "namespaces", "", r->ns);
	if (!ns) {
		demo_reply_not_found(r, "", "namespaces", r->ns);
		return 0;
	}
	cJSON_Delete(ns);
	return 1;
}

static int validate(struct demo_req *r, const cJSON *obj, const cJSON *old)
{
	struct demo_ferrs f;
	int ok;

	demo_ferrs_init(&f);
	demo_validate_meta(&f, r->res, obj);
	demo_validate_rbac(&f, r->res, obj, old);
	ok = f.n == 0;
	if (!ok)
		demo_reply_invalid(r, r->res->group, r->res->kind, obj_meta_str(obj, "name"), &f);
	demo_ferrs_done(&f);
	return ok;
}

static void do_create(struct demo_req *r)
{
	const struct demo_resource *res = r->res;
	cJSON *obj, *out = NULL, *meta;
	char taken[256] = "";
	enum obj_rc rc;

	if (res->namespaced && !*r->ns) {
		demo_reply_method_not_supported(r, "create");
		return;
	}
	if (!(obj = decode_body(r)) || !namespace_exists(r))
		return;
	if (is_rbac(res) && r->dc->hooks.check_escalation && r->dc->hooks.check_escalation(r, obj) < 0)
		return;
	meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	/* server-owned fields are never taken from the client */
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "uid");
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "resourceVersion");
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "creationTimestamp");
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "deletionTimestamp");
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "managedFields");
	demo_apply_defaults(res, obj);
	if (!validate(r, obj, NULL))
		return;
	with_type(res, obj);
	rc = (dry_run(r) ? objstore_create_dry : objstore_create)(r->dc->store, res->group, res->name,
	                                                          res->namespaced ? r->ns : "", obj, &out,
	                                                          taken, sizeof(taken));
	if (rc == OBJ_EXISTS) {
		demo_reply_exists(r, res->group, res->name, taken);
	} else if (rc == OBJ_GENNAME_TAKEN) {
		char gr[160];
		char *msg =
		    kj_xasprintf("%s \"%s\" already exists, the server was not able to generate a unique "
		                 "name for the object",
		                 demo_gr(res->group, res->name, gr, sizeof(gr)), taken);
		cJSON *d = demo_details(taken, res->group, res->name, NULL);

		cJSON_AddNumberToObject(d, "retryAfterSeconds", 1);
		demo_reply_status(r, 409, "AlreadyExists", msg, d);
		free(msg);
	} else {
		demo_reply_json(r, 201, out);
	}
}

static void do_update(struct demo_req *r, cJSON *obj)
{
	const struct demo_resource *res = r->res;
	cJSON *old, *out = NULL;
	enum obj_rc rc;
	const char *name = obj_meta_str(obj, "name");

	if (*name && strcmp(name, r->name)) {
		demo_reply_bad_request(
		    r, "the name of the object (%s) does not match the name on the URL (%s)", name, r->name);
		return;
	}
	old = objstore_get(r->dc->store, res->group, res->name, r->ns, r->name);
	if (!old) {
		demo_reply_not_found(r, res->group, res->name, r->name);
		return;
	}
	if (!*name)
		cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "name", r->name);
	if (is_rbac(res) && r->dc->hooks.check_escalation && r->dc->hooks.check_escalation(r, obj) < 0) {
		cJSON_Delete(old);
		return;
	}
	if (!strcmp(res->name, "namespaces")) {
		/* spec and status of a namespace are not changed through PUT on it */
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "spec");
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
		cJSON_AddItemToObject(obj, "spec", cJSON_Duplicate(cJSON_GetObjectItem(old, "spec"), 1));
		cJSON_AddItemToObject(obj, "status", cJSON_Duplicate(cJSON_GetObjectItem(old, "status"), 1));
	}
	demo_apply_defaults(res, obj);
	if (!validate(r, obj, old)) {
		cJSON_Delete(old);
		return;
	}
	cJSON_Delete(old);
	with_type(res, obj);
	rc = (dry_run(r) ? objstore_update_dry : objstore_update)(r->dc->store, res->group, res->name, r->ns,
	                                                          r->name, obj, &out);
	if (rc == OBJ_NOTFOUND)
		demo_reply_not_found(r, res->group, res->name, r->name);
	else if (rc == OBJ_CONFLICT)
		demo_reply_conflict(
		    r, res->group, res->name, r->name,
		    "the object has been modified; please apply your changes to the latest version and "
		    "try again");
	else
		demo_reply_json(r, 200, out);
}

/* RFC 7386 JSON merge patch; strategic merge patches are applied the same
 * way (lists are replaced, which is what kubectl label/annotate need). */
static void merge_patch(cJSON *target, const cJSON *patch)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, patch)
	{
		cJSON *t = cJSON_GetObjectItemCaseSensitive(target, p->string);

		if (cJSON_IsNull(p)) {
			cJSON_DeleteItemFromObjectCaseSensitive(target, p->string);
		} else if (cJSON_IsObject(p) && cJSON_IsObject(t)) {
			merge_patch(t, p);
		} else {
			cJSON *copy = cJSON_Duplicate(p, 1);

			if (cJSON_IsObject(copy)) {
				cJSON *clean = cJSON_CreateObject();

				merge_patch(clean, copy);
				cJSON_Delete(copy);
				copy = clean;
			}
			if (t)
				cJSON_ReplaceItemInObjectCaseSensitive(target, p->string, copy);
			else
				cJSON_AddItemToObject(target, p->string, copy);
		}
	}
}

static void do_patch(struct demo_req *r)
{
	const char *ct = demo_req_header(r, "Content-Type");
	cJSON *patch, *obj;

	if (!ct || (!strstr(ct, "merge-patch+json") && !strstr(ct, "strategic-merge-patch+json"))) {
		demo_reply_status(
		    r, 415, "UnsupportedMediaType",
		    "the body of the request was in an unknown format - accepted media types include: "
		    "application/merge-patch+json, application/strategic-merge-patch+json",
		    NULL);
		return;
	}
	if (!(patch = demo_req_json(r)))
		return;
	obj = objstore_get(r->dc->store, r->res->group, r->res->name, r->ns, r->name);
	if (!obj) {
		demo_reply_not_found(r, r->res->group, r->res->name, r->name);
		return;
	}
	merge_patch(obj, patch);
	/* r->json now becomes the patched object for the update path */
	cJSON_Delete(r->json);
	r->json = obj;
	if (!(obj = decode_body(r)))
		return;
	do_update(r, obj);
}

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

static void do_delete(struct demo_req *r)
{
	const struct demo_resource *res = r->res;
	cJSON *gone = NULL;

	if (!strcmp(res->name, "namespaces") &&
	    (!strcmp(r->name, "default") || !strcmp(r->name, "kube-system") ||
	     !strcmp(r->name, "kube-public"))) {
		demo_reply_forbidden(r, "", "namespaces", r->name, "this namespace may not be deleted");
		return;
	}
	if (dry_run(r)) {
		gone = objstore_get(r->dc->store, res->group, res->name, r->ns, r->name);
		if (!gone)
			demo_reply_not_found(r, res->group, res->name, r->name);
		else
			reply_deleted(r, gone);
		return;
	}
	if (objstore_delete(r->dc->store, res->group, res->name, r->ns, r->name, propagation(r), &gone) !=
	    OBJ_OK) {
		demo_reply_not_found(r, res->group, res->name, r->name);
		return;
	}
	if (!strcmp(res->name, "namespaces")) {
		char ts[32];
		cJSON *st = cJSON_GetObjectItemCaseSensitive(gone, "status");

		objstore_delete_namespace_content(r->dc->store, r->name);
		kj_time_rfc3339(kj_now(), ts, sizeof(ts));
		cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(gone, "metadata"),
		                        "deletionTimestamp", ts);
		if (cJSON_IsObject(st))
			cJSON_ReplaceItemInObjectCaseSensitive(st, "phase",
			                                       cJSON_CreateString("Terminating"));
	}
	reply_deleted(r, gone);
}

static void do_delete_collection(struct demo_req *r)
{
	const struct demo_resource *res = r->res;
	int bad;
	struct objsel *sel = selector(r, &bad);
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
		if (dry_run(r))
			continue;
		objstore_delete(r->dc->store, res->group, res->name, obj_meta_str(it, "namespace"),
		                obj_meta_str(it, "name"), prop, NULL);
		if (!strcmp(res->name, "namespaces"))
			objstore_delete_namespace_content(r->dc->store, obj_meta_str(it, "name"));
	}
	strip_types(items);
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "kind", res->list_kind);
	cJSON_AddStringToObject(out, "apiVersion", gv_of(res, gv, sizeof(gv)));
	cJSON_AddObjectToObject(out, "metadata");
	cJSON_AddItemToObject(out, "items", items);
	demo_reply_json(r, 200, out);
}

/* Is `verb` among the resource's discovery verbs (space separated)? */
static int verb_served(const struct demo_resource *res, const char *verb)
{
	const char *p = res->verbs;
	size_t n = strlen(verb);

	if (!n)
		return 0;
	while ((p = strstr(p, verb))) {
		if ((p == res->verbs || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

void demo_crud_handle(struct demo_req *r)
{
	const char *v = r->verb;

	if (*r->subresource || !r->res->list_kind) {
		demo_reply_path_not_found(r);
		return;
	}
	if (!verb_served(r->res, v) ||
	    (r->res->read_only && strcmp(v, "get") && strcmp(v, "list") && strcmp(v, "watch"))) {
		demo_reply_method_not_supported(r, *v ? v : r->method);
		return;
	}
	if (!strcmp(v, "get"))
		do_get(r);
	else if (!strcmp(v, "list"))
		do_list(r, 0);
	else if (!strcmp(v, "watch"))
		do_list(r, 1);
	else if (!strcmp(v, "create") && !*r->name)
		do_create(r);
	else if (!strcmp(v, "update")) {
		cJSON *obj = decode_body(r);

		if (obj)
			do_update(r, obj);
	} else if (!strcmp(v, "patch"))
		do_patch(r);
	else if (!strcmp(v, "delete"))
		do_delete(r);
	else if (!strcmp(v, "deletecollection"))
		do_delete_collection(r);
	else
		demo_reply_method_not_supported(r, *v ? v : r->method);
}
