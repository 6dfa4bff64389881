/* crud_write: create, update and patch for the generic CRUD handler
 * (crud.c): body decoding, defaults, validation, escalation check. */
#include "demo/crud_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_rbac(const struct demo_resource *res)
{
	return !strcmp(res->group, "rbac.authorization.k8s.io");
}

/* Decode checks shared by create and update: kind/apiVersion and the
 * namespace of the body against the URL.  Returns the body or NULL (replied). */
cJSON *demo_crud_decode_body(struct demo_req *r)
{
	const struct demo_resource *res = r->res;
	cJSON *obj = demo_req_json(r), *meta;
	const cJSON *av, *kind;
	char gv[128];

	if (!obj)
		return NULL;
	demo_crud_gv_of(res, gv, sizeof(gv));
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
	if (demo_check_fields(r, obj) < 0)
		return NULL;
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

void demo_crud_create(struct demo_req *r)
{
	const struct demo_resource *res = r->res;
	cJSON *obj, *out = NULL, *meta;
	char taken[256] = "";
	enum obj_rc rc;

	if (res->namespaced && !*r->ns) {
		demo_reply_method_not_supported(r, "create");
		return;
	}
	if (!(obj = demo_crud_decode_body(r)) || !namespace_exists(r))
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
	demo_crud_with_type(res, obj);
	rc = (demo_crud_dry_run(r) ? objstore_create_dry : objstore_create)(
	    r->dc->store, res->group, res->name, res->namespaced ? r->ns : "", obj, &out, taken,
	    sizeof(taken));
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

void demo_crud_update(struct demo_req *r, cJSON *obj)
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
	if (!strcmp(res->name, "namespaces") || !strcmp(res->name, "certificatesigningrequests")) {
		/* spec and status of a namespace are not changed through PUT on it;
		 * nor are a CSR's (its requester, request and conditions), as
		 * pkg/registry/certificates/certificates/strategy.go PrepareForUpdate
		 * keeps them: only metadata changes */
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
	demo_crud_with_type(res, obj);
	rc = (demo_crud_dry_run(r) ? objstore_update_dry : objstore_update)(
	    r->dc->store, res->group, res->name, r->ns, r->name, obj, &out);
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

void demo_crud_patch(struct demo_req *r)
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
	if (!(obj = demo_crud_decode_body(r)))
		return;
	demo_crud_update(r, obj);
}
