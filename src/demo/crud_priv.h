/* crud_priv.h: what the files of the demo's generic CRUD handler
 * (src/demo/crud*.c) share and nothing else includes.
 *   crud.c         the dispatch by verb, get, and helpers of all verbs
 *   crud_list.c    list: field selectors and paging (limit, continue)
 *   crud_watch.c   watch: the event stream of a list
 *   crud_write.c   create, update and patch
 *   crud_delete.c  delete and deletecollection, with propagation
 * Each handler replies on r (demo/internal.h) and returns nothing. */
#ifndef KJ_DEMO_CRUD_PRIV_H
#define KJ_DEMO_CRUD_PRIV_H

#include "demo/internal.h"

/* crud.c: "group/version" (or "version" for the core group) into buf. */
const char *demo_crud_gv_of(const struct demo_resource *res, char *buf, size_t n);
/* crud.c: ?dryRun=All, or DeleteOptions.dryRun ["All"] in a DELETE body. */
int demo_crud_dry_run(struct demo_req *r);
/* crud.c: put kind + apiVersion first, as the apiserver does; returns obj. */
cJSON *demo_crud_with_type(const struct demo_resource *res, cJSON *obj);
/* crud.c: the request's labelSelector, NULL when none; *bad = 1 when it did
 * not parse (then the request has been answered). */
struct objsel *demo_crud_selector(struct demo_req *r, int *bad);
/* crud.c: drop kind and apiVersion of each list item. */
void demo_crud_strip_types(cJSON *items);

/* crud_list.c: a query parameter the API server decodes into an integer
 * (limit, timeoutSeconds): 1 with *out, 0 when absent or empty, -1 after
 * the 400 answer. */
int demo_crud_query_int(struct demo_req *r, const char *key, int64_t *out);
/* crud_list.c: the field selectors the resource of r accepts. */
const char *const *demo_crud_fields_allowed(const struct demo_req *r);
/* crud_list.c: list, or with watch the watch of a list. */
void demo_crud_list(struct demo_req *r, int watch);

/* crud_watch.c: 1 when the watch parameters are valid, else 0 (replied). */
int demo_crud_watch_params_ok(struct demo_req *r);
/* crud_watch.c: turn r into a watch stream from the listed items at rv. */
void demo_crud_watch(struct demo_req *r, cJSON *items, uint64_t rv);

/* crud_write.c: the request body checked against the URL, or NULL (replied). */
cJSON *demo_crud_decode_body(struct demo_req *r);
void demo_crud_create(struct demo_req *r);
void demo_crud_update(struct demo_req *r, cJSON *obj);
void demo_crud_patch(struct demo_req *r);

/* crud_delete.c */
void demo_crud_delete(struct demo_req *r);
void demo_crud_delete_collection(struct demo_req *r);

#endif
