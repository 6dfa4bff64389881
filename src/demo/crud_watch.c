/* crud_watch: watch for the generic CRUD handler (crud.c): the stream of
 * changes after a list's resourceVersion. */
#include "demo/crud_priv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/safetext.h"

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
		o = demo_crud_with_type(w->res, cJSON_Duplicate(obj, 1));
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
int demo_crud_watch_params_ok(struct demo_req *r)
{
	const char *from = demo_req_query(r, "resourceVersion");
	int64_t secs;
	char *end = NULL;

	if (demo_crud_query_int(r, "timeoutSeconds", &secs) < 0)
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

void demo_crud_watch(struct demo_req *r, cJSON *items, uint64_t rv)
{
	struct watch *w = kj_xcalloc(1, sizeof(*w));
	const char *from = demo_req_query(r, "resourceVersion"), *to = demo_req_query(r, "timeoutSeconds");
	const char *fs = demo_req_query(r, "fieldSelector"), *ls = demo_req_query(r, "labelSelector");
	int64_t secs = to ? strtoll(to, NULL, 10) : 0; /* checked by demo_crud_list() */
	char err[256];
	cJSON *it;

	w->dc = r->dc;
	w->res = r->res;
	w->ns = r->res->namespaced && *r->ns ? kj_xstrdup(r->ns) : NULL;
	w->labels = ls && *ls ? objsel_parse(ls, err, sizeof(err)) : NULL;
	w->fields = fs && *fs ? objsel_parse_fields(fs, demo_crud_fields_allowed(r), err, sizeof(err)) : NULL;
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
