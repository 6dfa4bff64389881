/* crud: generic create/get/list/watch/update/patch/delete for the stored
 * resources of the table in discovery.c, in the apiserver's check order
 * (doc/KUBERNETES.md, "Request order" and "Objects kubejit creates").
 * This file dispatches by verb and answers get; the other verbs are in
 * crud_list.c, crud_watch.c, crud_write.c and crud_delete.c. */
#include "demo/crud_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *demo_crud_gv_of(const struct demo_resource *res, char *buf, size_t n)
{
	if (*res->group)
		snprintf(buf, n, "%s/%s", res->group, res->version);
	else
		snprintf(buf, n, "%s", res->version);
	return buf;
}

/* ?dryRun=All, or DeleteOptions.dryRun ["All"] in a DELETE body: every
 * check runs, nothing is stored. */
int demo_crud_dry_run(struct demo_req *r)
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

/* Put kind + apiVersion first, as the apiserver does. */
cJSON *demo_crud_with_type(const struct demo_resource *res, cJSON *obj)
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
	cJSON_AddStringToObject(obj, "apiVersion", demo_crud_gv_of(res, gv, sizeof(gv)));
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
	demo_reply_json(r, code, demo_crud_with_type(r->res, obj));
}

struct objsel *demo_crud_selector(struct demo_req *r, int *bad)
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

void demo_crud_strip_types(cJSON *items)
{
	cJSON *it;

	cJSON_ArrayForEach(it, items)
	{
		cJSON_DeleteItemFromObjectCaseSensitive(it, "kind");
		cJSON_DeleteItemFromObjectCaseSensitive(it, "apiVersion");
	}
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
		demo_crud_list(r, 0);
	else if (!strcmp(v, "watch"))
		demo_crud_list(r, 1);
	else if (!strcmp(v, "create") && !*r->name)
		demo_crud_create(r);
	else if (!strcmp(v, "update")) {
		cJSON *obj = demo_crud_decode_body(r);

		if (obj)
			demo_crud_update(r, obj);
	} else if (!strcmp(v, "patch"))
		demo_crud_patch(r);
	else if (!strcmp(v, "delete"))
		demo_crud_delete(r);
	else if (!strcmp(v, "deletecollection"))
		demo_crud_delete_collection(r);
	else
		demo_reply_method_not_supported(r, *v ? v : r->method);
}
