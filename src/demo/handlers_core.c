/* handlers_core: generic create/get/list/watch/update/patch/delete for the
 * stored resources of the table in discovery.c, in the apiserver's check
 * order (doc/KUBERNETES.md, "Request order" and "Objects kubejit creates"). */
#include "demo/internal.h"

#include <ctype.h>
#include <errno.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/b64.h"
#include "util/json.h"
#include "util/safetext.h"

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

static const char *const *fields_allowed(const struct demo_req *r)
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
	sel = objsel_parse_fields(s, fields_allowed(r), err, sizeof(err));
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

/* ------------------------------------------------------------- paging */

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
static int query_int(struct demo_req *r, const char *key, int64_t *out)
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
	if (query_int(r, "limit", &limit) < 0)
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

/* ------------------------------------------------------------- watch */

/* A watch stays open until its timeoutSeconds (the apiserver's default is
 * between 30 and 60 minutes; 30 here) and sends each change as it happens,
 * one JSON event a line.  Read on the connection's thread by server.c. */
struct watch {
	struct demo_cluster *dc;
	const struct demo_resource *res;
	char *ns; /* NULL = all namespaces */
	struct objsel *labels, *fields;
	int table;
	uint64_t rv;
	int64_t deadline_ms;
	kj_buf out;
	size_t off;
	int done;
};

static void watch_free(void *p)
{
	struct watch *w = p;

	objsel_free(w->labels);
	objsel_free(w->fields);
	free(w->ns);
	kj_buf_done(&w->out);
	free(w);
}

static void watch_event(struct watch *w, const char *type, const cJSON *obj)
{
	cJSON *ev = cJSON_CreateObject(), *o;
	char *s;

	if (w->table) {
		struct demo_req fake;
		cJSON *items = cJSON_CreateArray();

		memset(&fake, 0, sizeof(fake));
		fake.res = w->res;
		fake.resource = (char *)w->res->name;
		cJSON_AddItemToArray(items, cJSON_Duplicate(obj, 1));
		o = demo_table_from_list(&fake, items, w->rv);
		cJSON_Delete(items);
	} else {
		o = with_type(w->res, cJSON_Duplicate(obj, 1));
	}
	cJSON_AddStringToObject(ev, "type", type);
	cJSON_AddItemToObject(ev, "object", o);
	s = cJSON_PrintUnformatted(ev);
	kj_buf_printf(&w->out, "%s\n", s);
	free(s);
	cJSON_Delete(ev);
}

static int watch_collect(enum obj_event type, const char *group, const char *resource, const char *ns,
                         const cJSON *obj, void *ctx)
{
	struct watch *w = ctx;
	static const char *const names[] = {"ADDED", "MODIFIED", "DELETED"};

	if (strcmp(group, w->res->group) || strcmp(resource, w->res->name) || (w->ns && strcmp(ns, w->ns)) ||
	    !objsel_matches(w->labels, obj) || !objsel_matches(w->fields, obj))
		return 0;
	watch_event(w, names[type], obj);
	return 0;
}

/* The watch cache's answer to a resourceVersion it no longer has. */
static void watch_expired(struct watch *w)
{
	cJSON *ev = cJSON_CreateObject(), *st = cJSON_CreateObject();
	char *s, *msg = kj_xasprintf("too old resource version: %llu (%llu)", (unsigned long long)w->rv,
	                             (unsigned long long)objstore_compacted_rv(w->dc->store));

	cJSON_AddStringToObject(st, "kind", "Status");
	cJSON_AddStringToObject(st, "apiVersion", "v1");
	cJSON_AddObjectToObject(st, "metadata");
	cJSON_AddStringToObject(st, "status", "Failure");
	cJSON_AddStringToObject(st, "message", msg);
	cJSON_AddStringToObject(st, "reason", "Expired");
	cJSON_AddNumberToObject(st, "code", 410);
	cJSON_AddStringToObject(ev, "type", "ERROR");
	cJSON_AddItemToObject(ev, "object", st);
	s = cJSON_PrintUnformatted(ev);
	kj_buf_printf(&w->out, "%s\n", s);
	free(s);
	free(msg);
	cJSON_Delete(ev);
	w->done = 1;
}

static long watch_read(void *p, char *buf, size_t max)
{
	struct watch *w = p;

	for (;;) {
		int64_t now, left;

		if (w->off < w->out.len) {
			size_t n = w->out.len - w->off;

			if (n > max)
				n = max;
			memcpy(buf, w->out.data + w->off, n);
			w->off += n;
			if (w->off == w->out.len) {
				w->off = 0;
				w->out.len = 0;
			}
			return (long)n;
		}
		if (w->done)
			return -1;
		if (objstore_events(w->dc->store, w->rv, -1, watch_collect, w, &w->rv) < 0) {
			watch_expired(w);
			continue;
		}
		if (w->out.len)
			continue;
		now = kj_mono_ms();
		left = w->deadline_ms - now;
		if (left <= 0)
			return -1;
		if (objstore_wait(w->dc->store, w->rv, left < 1000 ? left : 1000))
			return -1;
	}
}

/* timeoutSeconds decodes as an int64 (400 otherwise); a resourceVersion
 * to watch from must be a uint64, else etcd3's ParseResourceVersion fails
 * and the watch is a 422 (storage.NewInvalidError through
 * InterpretWatchError).  1 = fine, 0 after replying. */
static int watch_params_ok(struct demo_req *r)
{
	const char *from = demo_req_query(r, "resourceVersion");
	int64_t secs;
	char *end = NULL;

	if (query_int(r, "timeoutSeconds", &secs) < 0)
		return 0;
	if (from && *from) {
		errno = 0;
		if (!isdigit((unsigned char)from[0]) || (strtoull(from, &end, 10), *end) || errno == ERANGE) {
			struct demo_ferrs f;
			char *shown = kj_safe_dup(from, 0);
			char *detail =
			    kj_xasprintf("strconv.ParseUint: parsing \"%.64s\": %s", shown,
			                 errno == ERANGE ? "value out of range" : "invalid syntax");

			demo_ferrs_init(&f);
			demo_ferr_add_str(&f, DEMO_FERR_INVALID, "resourceVersion", shown, detail);
			demo_reply_invalid(r, r->res->group, r->res->name, "", &f);
			demo_ferrs_done(&f);
			free(shown);
			free(detail);
			return 0;
		}
	}
	return 1;
}

static void do_watch(struct demo_req *r, cJSON *items, uint64_t rv)
{
	struct watch *w = kj_xcalloc(1, sizeof(*w));
	const char *from = demo_req_query(r, "resourceVersion"), *to = demo_req_query(r, "timeoutSeconds");
	const char *fs = demo_req_query(r, "fieldSelector"), *ls = demo_req_query(r, "labelSelector");
	int64_t secs = to ? strtoll(to, NULL, 10) : 0; /* checked by do_list() */
	char err[256];
	cJSON *it;

	w->dc = r->dc;
	w->res = r->res;
	w->ns = r->res->namespaced && *r->ns ? kj_xstrdup(r->ns) : NULL;
	w->labels = ls && *ls ? objsel_parse(ls, err, sizeof(err)) : NULL;
	w->fields = fs && *fs ? objsel_parse_fields(fs, fields_allowed(r), err, sizeof(err)) : NULL;
	w->table = demo_table_wanted(r);
	/* no overflow of the deadline: a watch lasts a day at most here */
	w->deadline_ms = kj_mono_ms() + (secs > 0 ? (secs < 86400 ? secs : 86400) : 1800) * 1000;
	kj_buf_init(&w->out);
	if (from && *from && strcmp(from, "0")) {
		/* from a list's resourceVersion: only what changed since */
		w->rv = strtoull(from, NULL, 10);
	} else {
		w->rv = rv;
		cJSON_ArrayForEach(it, items) watch_event(w, "ADDED", it);
	}
	r->stream = w;
	r->stream_read = watch_read;
	r->stream_free = watch_free;
	r->status = 200;
	r->resp_type = "application/json";
	r->replied = 1;
}

static void do_list(struct demo_req *r, int watch)
{
	const struct demo_resource *res = r->res;
	int bad;
	struct objsel *sel = selector(r, &bad);
	uint64_t rv;
	cJSON *items, *out, *meta, *page_meta;
	char gv[128], rvs[24];
	const char *fs = demo_req_query(r, "fieldSelector");
	int filtered = sel != NULL || (fs && *fs);

	if (bad)
		return;
	if (watch && !watch_params_ok(r)) {
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
		do_watch(r, items, rv);
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
	strip_types(items);
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "kind", res->list_kind);
	cJSON_AddStringToObject(out, "apiVersion", gv_of(res, gv, sizeof(gv)));
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

static void do_delete(struct demo_req *r)
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
	if (dry_run(r)) {
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
		demo_reply_json(r, 200, with_type(res, gone)); /* still there: the object, not a Status */
	else
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
		cJSON *gone = NULL;
		int pending;

		if (dry_run(r))
			continue;
		delete_one(r, obj_meta_str(it, "namespace"), obj_meta_str(it, "name"), prop, &gone, &pending);
		cJSON_Delete(gone);
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
