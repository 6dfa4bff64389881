/* objects_priv.h: the object store's insides, shared by src/demo/objects.c
 * (objects, their indexes, create/update/delete/list) and
 * src/demo/objects_history.c (the change history watches and informers
 * read, and the change counters). */
#ifndef KJ_DEMO_OBJECTS_PRIV_H
#define KJ_DEMO_OBJECTS_PRIV_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "demo/objects.h"
#include "util/strmap.h"

struct entry {
	char *group;
	char *resource;
	char *ns;
	char *name;
	cJSON *obj;
	int owned;      /* number of metadata.ownerReferences: only these are GC candidates */
	char owner[40]; /* the uid of the owner when there is exactly one */
	uint64_t hash;  /* of (group, resource, ns, name): its slot in the index */
	char *uid;      /* metadata.uid (never changes) */
	char **owners;  /* the owner uids it is filed under in dependents */
	size_t nowners;
	char **labels; /* the "key SEP value" it is filed under in by_label */
	size_t nlabels;
};

/* The dependents of one owner uid (the uids of the objects naming it in
 * their ownerReferences). */
struct deps {
	char **uids;
	size_t n, cap;
	/* uid -> 1 + its index in uids: taking one out of a list of
	 * thousands (every object with one common label) walks none */
	struct kj_strmap pos;
};

/* Change counters per API group, so a cache built from one group (the
 * RBAC policy snapshot) is rebuilt only when that group changes, not on
 * every write to the store. */
#define GROUP_SLOTS 16

/* The change history that watches and the authorizer's informer read: a
 * ring of the latest events, like the apiserver's watch cache over etcd. */
#define LOG_CAP 4096

struct event {
	uint64_t rv;
	int64_t at_ms; /* kj_mono_ms() when it happened */
	enum obj_event type;
	char *group, *resource, *ns;
	cJSON *obj;
};

struct objstore {
	pthread_mutex_t lock;
	struct entry *v; /* in no particular order: lists sort what they return */
	size_t n, cap;
	/* (group, resource, ns, name) -> 1 + index in v; open addressing with
	 * linear probing, at most half full.  A real API server's storage finds
	 * an object by key without walking the others; so must this, or every
	 * request costs more the more objects there are. */
	size_t *slots;
	size_t nslots; /* 0 or a power of two */
	/* uid -> 1 + index in v, and owner uid -> struct deps: the garbage
	 * collector and a delete's dependents check find an object's owners
	 * and dependents without walking every object, as the real garbage
	 * collector's graph does (pkg/controller/garbagecollector/graph.go). */
	struct kj_strmap by_uid;
	struct kj_strmap dependents;
	/* "label key SEP value" -> struct deps (the uids of the objects with
	 * that label): a list by `key=v` or `key in (...)`, as a bulk revoke's
	 * deletecollection sends, reads the objects with those labels, not
	 * every object of the store. */
	struct kj_strmap by_label;
	size_t no_uid; /* objects without a uid: lists then walk the store */
	uint64_t rv;
	uint64_t gen; /* bumped by every change; never reused */
	struct {
		char *group;
		uint64_t gen;
	} groups[GROUP_SLOTS];
	struct event *log; /* ring of LOG_CAP */
	size_t log_head, log_n;
	uint64_t floor_rv;     /* history at or below this is gone (compaction, overflow) */
	uint64_t compacted_rv; /* the last compaction's resourceVersion */
	pthread_cond_t changed;
	int closing;
};

/* objects_history.c, under the lock: */
/* Remember a change for watchers and informers. */
void objstore_record(struct objstore *s, enum obj_event type, const char *group, const char *resource,
                     const char *ns, const cJSON *obj, uint64_t rv);
/* Count a change of an object of `group`. */
void objstore_touch(struct objstore *s, const char *group);
/* Free what an event holds. */
void objstore_event_done(struct event *ev);

#endif
