/* openapi: a minimal OpenAPI v3 discovery so `kubectl create -f` and
 * `kubectl apply -f` work without --validate=false.  kubectl asks
 * /openapi/v3 for its group-versions, then looks in each document for a
 * PATCH operation of the object's kind that takes the `fieldValidation`
 * query parameter; when it finds one it leaves validation to the server
 * (which the demo cluster does on create) instead of downloading full
 * schemas.  The documents carry paths and operations only, no schemas.
 * Kinds that are only created (reviews) have no PATCH, so kubectl validates
 * them itself against /openapi/v2, and skips kinds that document does not
 * describe: the demo's /openapi/v2 describes none (an empty protobuf
 * Document, or its JSON form), so valid and invalid reviews alike reach the
 * server, which answers as for any create. */
#include "demo/internal.h"

#include <stdlib.h>
#include <string.h>

static char *gv_path(const struct demo_resource *d)
{
	return *d->group ? kj_xasprintf("apis/%s/%s", d->group, d->version)
	                 : kj_xasprintf("api/%s", d->version);
}

static cJSON *operation(const struct demo_resource *d)
{
	cJSON *op = cJSON_CreateObject(), *gvk, *params, *p;

	cJSON_AddStringToObject(op, "operationId", d->kind);
	gvk = cJSON_AddObjectToObject(op, "x-kubernetes-group-version-kind");
	cJSON_AddStringToObject(gvk, "group", d->group);
	cJSON_AddStringToObject(gvk, "version", d->version);
	cJSON_AddStringToObject(gvk, "kind", d->kind);
	params = cJSON_AddArrayToObject(op, "parameters");
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "name", "fieldValidation");
	cJSON_AddStringToObject(p, "in", "query");
	cJSON_AddItemToObject(p, "schema", cJSON_CreateObject());
	cJSON_AddStringToObject(cJSON_GetObjectItem(p, "schema"), "type", "string");
	cJSON_AddItemToArray(params, p);
	return op;
}

static void reply_index(struct demo_req *r)
{
	cJSON *o = cJSON_CreateObject(), *paths = cJSON_AddObjectToObject(o, "paths");
	const struct demo_resource *d;

	for (d = demo_resources; d->name; d++) {
		char *gv, *url;
		cJSON *e;

		if (strchr(d->name, '/'))
			continue;
		gv = gv_path(d);
		if (!cJSON_GetObjectItemCaseSensitive(paths, gv)) {
			e = cJSON_AddObjectToObject(paths, gv);
			url = kj_xasprintf("/openapi/v3/%s?hash=kubejit-demo", gv);
			cJSON_AddStringToObject(e, "serverRelativeURL", url);
			free(url);
		}
		free(gv);
	}
	demo_reply_json(r, 200, o);
}

static int reply_group_version(struct demo_req *r, const char *want)
{
	cJSON *o = cJSON_CreateObject(), *info, *paths;
	const struct demo_resource *d;
	int found = 0;

	cJSON_AddStringToObject(o, "openapi", "3.0.0");
	info = cJSON_AddObjectToObject(o, "info");
	cJSON_AddStringToObject(info, "title", "Kubernetes");
	cJSON_AddStringToObject(info, "version", "v1.32.0");
	paths = cJSON_AddObjectToObject(o, "paths");
	for (d = demo_resources; d->name; d++) {
		char *gv, *path;
		cJSON *item;

		if (strchr(d->name, '/'))
			continue;
		gv = gv_path(d);
		if (strcmp(gv, want)) {
			free(gv);
			continue;
		}
		found = 1;
		if (d->list_kind) {
			path = d->namespaced
			           ? kj_xasprintf("/%s/namespaces/{namespace}/%s/{name}", gv, d->name)
			           : kj_xasprintf("/%s/%s/{name}", gv, d->name);
			item = cJSON_AddObjectToObject(paths, path);
			cJSON_AddItemToObject(item, "patch", operation(d));
		} else {
			/* a review is created and never stored: a POST on the
			 * collection only, as the API server documents it */
			path = d->namespaced ? kj_xasprintf("/%s/namespaces/{namespace}/%s", gv, d->name)
			                     : kj_xasprintf("/%s/%s", gv, d->name);
			item = cJSON_AddObjectToObject(paths, path);
			cJSON_AddItemToObject(item, "post", operation(d));
		}
		free(path);
		free(gv);
	}
	if (!found) {
		cJSON_Delete(o);
		return 0;
	}
	demo_reply_json(r, 200, o);
	return 1;
}

static void reply_v2(struct demo_req *r)
{
	const char *accept = demo_req_header(r, "Accept");
	cJSON *o, *info;

	if (accept && strstr(accept, "application/com.github.proto-openapi.spec.v2")) {
		/* an empty message is a valid, empty Document; the answer names
		 * the type without the "@", which is not valid in a media type */
		demo_reply_raw(r, 200, "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
		               kj_xstrdup(""));
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "swagger", "2.0");
	info = cJSON_AddObjectToObject(o, "info");
	cJSON_AddStringToObject(info, "title", "Kubernetes");
	cJSON_AddStringToObject(info, "version", "v1.32.0");
	cJSON_AddObjectToObject(o, "paths");
	cJSON_AddObjectToObject(o, "definitions");
	demo_reply_json(r, 200, o);
}

int demo_openapi_handle(struct demo_req *r)
{
	if (strcmp(r->method, "GET"))
		return 0;
	if (!strcmp(r->path, "/openapi/v2")) {
		reply_v2(r);
		return 1;
	}
	if (!strcmp(r->path, "/openapi/v3") || !strcmp(r->path, "/openapi/v3/")) {
		reply_index(r);
		return 1;
	}
	if (!strncmp(r->path, "/openapi/v3/", 12))
		return reply_group_version(r, r->path + 12);
	return 0;
}
