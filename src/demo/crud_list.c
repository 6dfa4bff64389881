/* crud_list: list for the generic CRUD handler (crud.c): label and field
 * selectors, tables, and paging with limit and continue. */
#include "demo/crud_priv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/b64.h"
#include "util/json.h"
#include "util/safetext.h"

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

const char *const *demo_crud_fields_allowed(const struct demo_req *r)
{
	if (!strcmp(r->res->name, "pods"))
		return pod_fields;
	if (!strcmp(r->res->name, "secrets"))
		return secret_fields;
	if (!strcmp(r->res->name, "namespaces"))
		return ns_fields;
	return meta_fields;
}

/* Drop the items a fieldSelector rejects; 0, or -1 after a 400. */
static int filter_fields(struct demo_req *r, cJSON *items)
{
	const char *s = demo_req_query(r, "fieldSelector");
	struct objsel *sel;
	char err[256];
	int i;

	if (!s || !*s)
		return 0;
	sel = objsel_parse_fields(s, demo_crud_fields_allowed(r), err, sizeof(err));
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

/* The storage key of a listed object below the list's prefix: "name", or
 * "ns/name" when one list spans namespaces (etcd3 store keys). */
static char *list_key(const struct demo_req *r, const cJSON *obj)
{
	if (r->res->namespaced && !*r->ns)
		return kj_xasprintf("%s/%s", obj_meta_str(obj, "namespace"), obj_meta_str(obj, "name"));
	return kj_xstrdup(obj_meta_str(obj, "name"));
}

/* (ns, name) order of the store, from keys as list_key() makes them */
static int key_cmp(const char *a, const char *b)
{
	const char *sa = strchr(a, '/'), *sb = strchr(b, '/');

	if (sa && sb) {
		size_t la = (size_t)(sa - a), lb = (size_t)(sb - b);
		int c = strncmp(a, b, la < lb ? la : lb);

		if (c)
			return c;
		if (la != lb)
			return la < lb ? -1 : 1;
		return strcmp(sa + 1, sb + 1);
	}
	return strcmp(a, b);
}

/* storage.EncodeContinue: base64url(JSON{"v","rv","start"}) with start the
 * key after which the next page begins ("key\x00"). */
static char *encode_continue(const char *key, int64_t rv)
{
	cJSON *o = cJSON_CreateObject();
	char *json, *tok;

	/* the apiserver's start is "key\x00"; cJSON cannot carry a NUL, so the
	 * key itself goes in and pages begin strictly after it */
	cJSON_AddStringToObject(o, "v", "meta.k8s.io/v1");
	cJSON_AddNumberToObject(o, "rv", (double)rv);
	cJSON_AddStringToObject(o, "start", key);
	json = cJSON_PrintUnformatted(o);
	tok = kj_b64url_encode(json, strlen(json));
	free(json);
	cJSON_Delete(o);
	return tok;
}

/* A query parameter that the API server decodes into an integer with
 * strconv.ParseInt / ParseUint (ListOptions' limit and timeoutSeconds):
 * 1 with *out, 0 when absent or empty, -1 after the 400 that decoding
 * fails with. */
int demo_crud_query_int(struct demo_req *r, const char *key, int64_t *out)
{
	const char *s = demo_req_query(r, key);
	char *end = NULL, *shown;
	long long v = 0;
	int ok;

	if (!s || !*s)
		return 0;
	errno = 0;
	ok = (isdigit((unsigned char)s[0]) || s[0] == '-' || s[0] == '+');
	if (ok)
		v = strtoll(s, &end, 10);
	if (ok && !*end && end != s && errno != ERANGE) {
		*out = v;
		return 1;
	}
	shown = kj_safe_dup(s, 0);
	demo_reply_bad_request(r, "strconv.ParseInt: parsing \"%.64s\": %s", shown,
	                       ok && errno == ERANGE ? "value out of range" : "invalid syntax");
	free(shown);
	return -1;
}

/* 0 with *key (malloc'd) and *rv, or -1 after a 400 */
static int decode_continue(struct demo_req *r, const char *tok, char **key, int64_t *rv)
{
	size_t n = 0;
	unsigned char *raw = kj_b64url_decode(tok, &n);
	cJSON *o = raw ? cJSON_ParseWithLength((const char *)raw, n) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "v"),
	            *rvj = cJSON_GetObjectItemCaseSensitive(o, "rv"),
	            *st = cJSON_GetObjectItemCaseSensitive(o, "start");
	int64_t whole = 0;
	int ok = cJSON_IsString(v) && !strcmp(v->valuestring, "meta.k8s.io/v1") &&
	         kj_json_whole(rvj, INT64_MIN, INT64_MAX, &whole) && cJSON_IsString(st) && *st->valuestring &&
	         whole != 0;

	if (ok) {
		*key = kj_xstrdup(st->valuestring);
		*rv = whole;
	} else {
		demo_reply_bad_request(
		    r, "continue key is not valid: %s",
		    !raw || !o ? "illegal base64 data or not JSON"
		               : "incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
	}
	free(raw);
	cJSON_Delete(o);
	return ok ? 0 : -1;
}

/* The store's continue handling (staging/src/k8s.io/apiserver/pkg/storage/
 * etcd3/store.go GetList): items after the token's key, at most `limit`,
 * metadata.continue and remainingItemCount when more remain (the count only
 * without selectors); a token older than the last compaction is 410 Expired,
 * with a token that continues inconsistently.  The demo serves the later
 * pages from the current state, not the first page's snapshot.  Returns -1
 * after replying. */
static int paginate(struct demo_req *r, cJSON *items, uint64_t *rv, cJSON *meta_out, int filtered)
{
	const char *cont = demo_req_query(r, "continue");
	char *start = NULL;
	int64_t tok_rv = 0, limit = 0;
	int i, n;

	/* a negative limit means none (storage only pages when limit > 0) */
	if (demo_crud_query_int(r, "limit", &limit) < 0)
		return -1;
	if (limit < 0)
		limit = 0;
	if (cont && *cont) {
		if (decode_continue(r, cont, &start, &tok_rv) < 0)
			return -1;
		if (tok_rv > 0 && (uint64_t)tok_rv < objstore_compacted_rv(r->dc->store)) {
			char *next = encode_continue(start, -1);

			/* errors.NewResourceExpired + ListMeta.Continue */
			demo_reply_status(
			    r, 410, "Expired",
			    "The provided continue parameter is too old to display a consistent list result. "
			    "You "
			    "can start a new list without the continue parameter, or use the continue token "
			    "in "
			    "this response to retrieve the remainder of the results. Continuing with the "
			    "provided token results in an inconsistent list - objects that were created, "
			    "modified, or deleted between the time the first chunk was returned and now may "
			    "show up in the list.",
			    NULL);
			if (r->resp_body) {
				cJSON *st = cJSON_Parse(r->resp_body);
				cJSON *m = cJSON_GetObjectItemCaseSensitive(st, "metadata");

				if (m) {
					cJSON_AddStringToObject(m, "continue", next);
					free(r->resp_body);
					r->resp_body = cJSON_PrintUnformatted(st);
				}
				cJSON_Delete(st);
			}
			free(next);
			free(start);
			return -1;
		}
		if (tok_rv > 0)
			*rv = (uint64_t)tok_rv;
	}
	n = cJSON_GetArraySize(items);
	for (i = n - 1; i >= 0 && start; i--) {
		char *k = list_key(r, cJSON_GetArrayItem(items, i));

		if (key_cmp(k, start) <= 0)
			cJSON_DeleteItemFromArray(items, i);
		free(k);
	}
	free(start);
	n = cJSON_GetArraySize(items);
	if (limit > 0 && n > limit) {
		char *k;
		char *next;

		for (i = n - 1; i >= (int)limit; i--)
			cJSON_DeleteItemFromArray(items, i);
		k = list_key(r, cJSON_GetArrayItem(items, (int)limit - 1));
		next = encode_continue(k, (int64_t)*rv);
		cJSON_AddStringToObject(meta_out, "continue", next);
		if (!filtered)
			cJSON_AddNumberToObject(meta_out, "remainingItemCount", n - (int)limit);
		free(next);
		free(k);
	}
	return 0;
}

void demo_crud_list(struct demo_req *r, int watch)
{
	const struct demo_resource *res = r->res;
	int bad;
	struct objsel *sel = demo_crud_selector(r, &bad);
	uint64_t rv;
	cJSON *items, *out, *meta, *page_meta;
	char gv[128], rvs[24];
	const char *fs = demo_req_query(r, "fieldSelector");
	int filtered = sel != NULL || (fs && *fs);

	if (bad)
		return;
	if (watch && !demo_crud_watch_params_ok(r)) {
		objsel_free(sel);
		return;
	}
	items = objstore_list(r->dc->store, res->group, res->name,
	                      res->namespaced ? (*r->ns ? r->ns : NULL) : "", sel, &rv);
	objsel_free(sel);
	if (filter_fields(r, items) < 0) {
		cJSON_Delete(items);
		return;
	}
	if (watch) {
		demo_crud_watch(r, items, rv);
		cJSON_Delete(items);
		return;
	}
	page_meta = cJSON_CreateObject();
	if (paginate(r, items, &rv, page_meta, filtered) < 0) {
		cJSON_Delete(page_meta);
		cJSON_Delete(items);
		return;
	}
	if (demo_table_wanted(r)) {
		cJSON *t = demo_table_from_list(r, items, rv), *it;

		meta = cJSON_GetObjectItemCaseSensitive(t, "metadata");
		while ((it = page_meta->child)) {
			cJSON_DetachItemViaPointer(page_meta, it);
			cJSON_AddItemToObject(meta, it->string, it);
		}
		cJSON_Delete(page_meta);
		demo_reply_json(r, 200, t);
		cJSON_Delete(items);
		return;
	}
	demo_crud_strip_types(items);
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "kind", res->list_kind);
	cJSON_AddStringToObject(out, "apiVersion", demo_crud_gv_of(res, gv, sizeof(gv)));
	meta = cJSON_AddObjectToObject(out, "metadata");
	snprintf(rvs, sizeof(rvs), "%llu", (unsigned long long)rv);
	cJSON_AddStringToObject(meta, "resourceVersion", rvs);
	{
		cJSON *it;

		while ((it = page_meta->child)) {
			cJSON_DetachItemViaPointer(page_meta, it);
			cJSON_AddItemToObject(meta, it->string, it);
		}
	}
	cJSON_Delete(page_meta);
	cJSON_AddItemToObject(out, "items", items);
	demo_reply_json(r, 200, out);
}
