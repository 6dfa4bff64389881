/* objects: the demo cluster's in-memory object store.
 *
 * Objects are kept as full cJSON documents exactly as the API returns them
 * (kind, apiVersion, metadata, ...), keyed by (group, resource plural,
 * namespace, name); the namespace is "" for cluster-scoped kinds.  The store
 * assigns metadata.uid (UUIDv4), metadata.resourceVersion (one global,
 * increasing counter) and metadata.creationTimestamp, resolves generateName
 * and checks resourceVersion on update.  Deleting an object does not touch its
 * dependents: the garbage collector (controllers.c) calls objstore_collect()
 * later, as kube-controller-manager does.  Every change is kept in a bounded
 * history (watches, the authorizer's informer) until compaction.  Nothing is
 * persisted.
 *
 * Every function is thread-safe (one mutex).  Objects handed out are deep
 * copies owned by the caller (cJSON_Delete); objects passed in are copied.
 * objstore_foreach() runs its callback under the lock: the callback must not
 * call back into the store. */
#ifndef KJ_DEMO_OBJECTS_H
#define KJ_DEMO_OBJECTS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct objstore;

enum obj_rc {
	OBJ_OK = 0,
	OBJ_NOTFOUND,      /* no such object */
	OBJ_EXISTS,        /* create: name taken */
	OBJ_CONFLICT,      /* update: resourceVersion differs */
	OBJ_GENNAME_TAKEN, /* create: generateName collided 8 times */
};

/* DeleteOptions.propagationPolicy. */
enum obj_propagation {
	OBJ_PROPAGATE_BACKGROUND = 0,
	OBJ_PROPAGATE_FOREGROUND,
	OBJ_PROPAGATE_ORPHAN,
};

struct objstore *objstore_new(void);
void objstore_free(struct objstore *s);

/* Current resourceVersion (the last one handed out). */
uint64_t objstore_rv(struct objstore *s);

/* A counter that grows whenever an object of API group `group` is created,
 * changed or removed (0: never); for caches built from one group. */
uint64_t objstore_group_version(struct objstore *s, const char *group);

/* Copy of one object, NULL if missing.  `group` "" = core, `ns` "" = cluster. */
cJSON *objstore_get(struct objstore *s, const char *group, const char *resource, const char *ns,
                    const char *name);

/* Store a new object.  Its metadata.name is used, or when empty a name made
 * from metadata.generateName (prefix cut to 58 chars + 5 random chars, up to
 * 8 tries).  metadata.namespace is set to `ns` ("" removes it); uid,
 * resourceVersion, creationTimestamp are filled.  *out (may be NULL) gets a
 * copy of the stored object; a metadata.uid already set is kept (the seed uses
 * that for stable uids; API handlers remove client-sent ones).  On OBJ_EXISTS / OBJ_GENNAME_TAKEN, `name_out`
 * (may be NULL, size >= 254) gets the name that collided. */
enum obj_rc objstore_create(struct objstore *s, const char *group, const char *resource, const char *ns,
                            const cJSON *obj, cJSON **out, char *name_out, size_t name_size);

/* Replace an object.  If obj carries metadata.resourceVersion it must equal
 * the stored one (else OBJ_CONFLICT); without it the update is unconditional.
 * uid, creationTimestamp, name and namespace are kept from the stored object,
 * resourceVersion is bumped. */
enum obj_rc objstore_update(struct objstore *s, const char *group, const char *resource, const char *ns,
                            const char *name, const cJSON *obj, cJSON **out);

/* The same checks and the object the call would return, without storing
 * anything (server-side dry run, ?dryRun=All). */
enum obj_rc objstore_create_dry(struct objstore *s, const char *group, const char *resource, const char *ns,
                                const cJSON *obj, cJSON **out, char *name_out, size_t name_size);
enum obj_rc objstore_update_dry(struct objstore *s, const char *group, const char *resource, const char *ns,
                                const char *name, const cJSON *obj, cJSON **out);

/* Remove an object (its DELETED event gets a new resourceVersion); *deleted
 * (may be NULL) gets it.  Dependents are left to objstore_collect(). */
enum obj_rc objstore_delete(struct objstore *s, const char *group, const char *resource, const char *ns,
                            const char *name, cJSON **deleted);

/* Garbage collection of the dependents of the object `uid` once it is gone
 * (nothing happens while an object with that uid exists): dependents whose
 * other owners are gone too are deleted, transitively (Background); the rest
 * lose the reference.  ORPHAN: every dependent just loses the reference. */
void objstore_collect(struct objstore *s, const char *uid, enum obj_propagation prop);
/* The same for an owner that still exists (Foreground and Orphan deletion,
 * which remove the owner afterwards). */
void objstore_release_dependents(struct objstore *s, const char *uid, int orphan);
/* 1 when some object names `uid` among its ownerReferences. */
int objstore_has_dependents(struct objstore *s, const char *uid);

/* Remove every namespaced object in `ns` (the namespace controller). */
void objstore_delete_namespace_content(struct objstore *s, const char *ns);

/* Label selectors: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`,
 * `!a`, comma-separated (all must match).  Parse returns NULL and fills
 * `err` with the apiserver's message on bad syntax.  An empty string selects
 * everything. */
struct objsel;
struct objsel *objsel_parse(const char *s, char *err, size_t err_size);
void objsel_free(struct objsel *sel);
int objsel_matches(const struct objsel *sel, const cJSON *obj); /* 1 on match; NULL sel matches */
/* The i-th (from 0) `key=v`, `key==v` or `key in (...)` label requirement:
 * *key and its *nvals allowed *vals (owned by sel); only objects with one
 * of them can match.  0 when there is no i-th one. */
int objsel_required_values(const struct objsel *sel, size_t i, const char **key, char *const **vals,
                           size_t *nvals);
/* Field selectors: `path=v`, `path==v`, `path!=v`, comma-separated, where
 * path is a dotted field ("metadata.name", "status.phase") that must be in
 * the NULL-terminated `allowed` list (else "field label not supported: x"). */
struct objsel *objsel_parse_fields(const char *s, const char *const *allowed, char *err, size_t err_size);

/* List copies of matching objects, sorted by namespace then name, as a cJSON
 * array (never NULL).  `ns` NULL = all namespaces; `sel` NULL = no filter.
 * *rv (may be NULL) gets the list's resourceVersion. */
cJSON *objstore_list(struct objstore *s, const char *group, const char *resource, const char *ns,
                     const struct objsel *sel, uint64_t *rv);

/* Visit matching objects in place, under the lock; stop when fn returns
 * non-zero (that value is returned).  `ns` NULL = all namespaces. */
int objstore_foreach(struct objstore *s, const char *group, const char *resource, const char *ns,
                     int (*fn)(const cJSON *obj, void *ctx), void *ctx);

/* History.  Events with resourceVersion > after_rv that happened at or before
 * until_ms (kj_mono_ms(); -1 = no limit) are passed to fn in order, under the
 * lock (fn must not call back into the store; non-zero stops).  *last_rv gets
 * the last one passed.  Returns -1 when after_rv is older than the kept
 * history (compacted: the client must relist), else 0. */
enum obj_event { OBJ_ADDED, OBJ_MODIFIED, OBJ_DELETED };
typedef int (*objstore_event_fn)(enum obj_event type, const char *group, const char *resource, const char *ns,
                                 const cJSON *obj, void *ctx);
int objstore_events(struct objstore *s, uint64_t after_rv, int64_t until_ms, objstore_event_fn fn, void *ctx,
                    uint64_t *last_rv);
/* Block until the store's resourceVersion passes after_rv, timeout_ms passes
 * or objstore_close() is called; returns 1 when closed. */
int objstore_wait(struct objstore *s, uint64_t after_rv, int64_t timeout_ms);
void objstore_close(struct objstore *s);
/* Forget the history up to now (etcd compaction). */
void objstore_compact(struct objstore *s);
uint64_t objstore_compacted_rv(struct objstore *s);

/* A cache's own copy, stored verbatim (no resourceVersion, no history):
 * put replaces or adds, remove drops. */
void objstore_put(struct objstore *s, const char *group, const char *resource, const char *ns,
                  const char *name, const cJSON *obj);
void objstore_remove(struct objstore *s, const char *group, const char *resource, const char *ns,
                     const char *name);

/* Small accessors on stored object JSON; "" when absent, never NULL. */
const char *obj_meta_str(const cJSON *obj, const char *field); /* metadata.<field> */
const char *obj_str(const cJSON *obj, const char *path);       /* dotted path: "roleRef.name" */

#endif
