#include "demo/objects.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/names.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/timeutil.h"
#include "demo/objects_priv.h"

struct objstore *objstore_new(void)
{
	struct objstore *s = kj_xcalloc(1, sizeof(*s));

	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->changed, NULL);
	s->log = kj_xcalloc(LOG_CAP, sizeof(*s->log));
	return s;
}

static void entry_done(struct entry *e)
{
	for (size_t i = 0; i < e->nowners; i++)
		free(e->owners[i]);
	free(e->owners);
	for (size_t i = 0; i < e->nlabels; i++)
		free(e->labels[i]);
	free(e->labels);
	free(e->uid);
	free(e->group);
	free(e->resource);
	free(e->ns);
	free(e->name);
	cJSON_Delete(e->obj);
}

static void deps_free(void *v)
{
	struct deps *d = v;

	for (size_t i = 0; i < d->n; i++)
		free(d->uids[i]);
	free(d->uids);
	kj_strmap_done(&d->pos, NULL);
	free(d);
}

void objstore_free(struct objstore *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		entry_done(&s->v[i]);
	free(s->v);
	free(s->slots);
	kj_strmap_done(&s->by_uid, NULL);
	kj_strmap_done(&s->dependents, deps_free);
	kj_strmap_done(&s->by_label, deps_free);
	for (i = 0; i < GROUP_SLOTS; i++)
		free(s->groups[i].group);
	for (i = 0; i < s->log_n; i++)
		objstore_event_done(&s->log[(s->log_head + i) % LOG_CAP]);
	free(s->log);
	pthread_cond_destroy(&s->changed);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

const char *obj_str(const cJSON *obj, const char *path)
{
	const cJSON *cur = obj;
	char part[128];
	const char *p = path;

	while (cur && *p) {
		size_t n = strcspn(p, ".");

		if (n >= sizeof(part))
			return "";
		memcpy(part, p, n);
		part[n] = '\0';
		cur = cJSON_IsObject(cur) ? cJSON_GetObjectItemCaseSensitive(cur, part) : NULL;
		p += n;
		if (*p == '.')
			p++;
	}
	return cJSON_IsString(cur) && cur->valuestring ? cur->valuestring : "";
}

const char *obj_meta_str(const cJSON *obj, const char *field)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, field);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

static int key_eq(const struct entry *e, const char *group, const char *resource, const char *ns)
{
	return !strcmp(e->resource, resource) && !strcmp(e->group, group) && (!ns || !strcmp(e->ns, ns));
}

/* FNV-1a over the four parts of the key, each with its terminator. */
static uint64_t key_hash(const char *group, const char *resource, const char *ns, const char *name)
{
	const char *parts[4] = {group, resource, ns, name};
	uint64_t h = 14695981039346656037ULL;

	for (int k = 0; k < 4; k++) {
		const unsigned char *p = (const unsigned char *)parts[k];
		do {
			h ^= *p;
			h *= 1099511628211ULL;
		} while (*p++);
	}
	return h;
}

/* The slot holding entry i (which must be indexed). */
static size_t slot_of(const struct objstore *s, size_t i)
{
	size_t mask = s->nslots - 1, k = (size_t)s->v[i].hash & mask;

	while (s->slots[k] != i + 1)
		k = (k + 1) & mask;
	return k;
}

static void index_put(struct objstore *s, size_t i)
{
	size_t mask = s->nslots - 1, k = (size_t)s->v[i].hash & mask;

	while (s->slots[k])
		k = (k + 1) & mask;
	s->slots[k] = i + 1;
}

/* Make room for one more entry: keep the table at most half full. */
static void index_grow(struct objstore *s)
{
	size_t i;

	if ((s->n + 1) * 2 <= s->nslots)
		return;
	free(s->slots);
	s->nslots = s->nslots ? s->nslots * 2 : 256;
	while ((s->n + 1) * 2 > s->nslots)
		s->nslots *= 2;
	s->slots = kj_xcalloc(s->nslots, sizeof(*s->slots));
	for (i = 0; i < s->n; i++)
		index_put(s, i);
}

/* Remove slot k, moving later entries of its probe run back (no tombstones). */
static void index_del(struct objstore *s, size_t k)
{
	size_t mask = s->nslots - 1, j = k;

	s->slots[k] = 0;
	for (;;) {
		size_t home;
		j = (j + 1) & mask;
		if (!s->slots[j])
			return;
		home = (size_t)s->v[s->slots[j] - 1].hash & mask;
		/* the entry at j may move to k when its home is not in (k, j] */
		if ((j > k && (home <= k || home > j)) || (j < k && home <= k && home > j)) {
			s->slots[k] = s->slots[j];
			s->slots[j] = 0;
			k = j;
		}
	}
}

static struct entry *find(struct objstore *s, const char *group, const char *resource, const char *ns,
                          const char *name)
{
	uint64_t h;
	size_t mask, k;

	if (!s->nslots)
		return NULL;
	h = key_hash(group, resource, ns, name);
	mask = s->nslots - 1;
	for (k = (size_t)h & mask; s->slots[k]; k = (k + 1) & mask) {
		struct entry *e = &s->v[s->slots[k] - 1];
		if (e->hash == h && key_eq(e, group, resource, ns) && !strcmp(e->name, name))
			return e;
	}
	return NULL;
}

static struct entry *find_uid(struct objstore *s, const char *uid)
{
	uintptr_t i = (uintptr_t)kj_strmap_get(&s->by_uid, uid);

	return i ? &s->v[i - 1] : NULL;
}

/* File entry i under its uid (none: an object without one is never an
 * owner anyone can name). */
static void uid_put(struct objstore *s, size_t i)
{
	if (s->v[i].uid && *s->v[i].uid)
		*kj_strmap_slot(&s->by_uid, s->v[i].uid) = (void *)(uintptr_t)(i + 1);
}

static void uid_del(struct objstore *s, size_t i)
{
	if (s->v[i].uid && *s->v[i].uid && find_uid(s, s->v[i].uid) == &s->v[i])
		kj_strmap_del(&s->by_uid, s->v[i].uid);
}

static void deps_add(struct kj_strmap *m, const char *owner, const char *uid)
{
	void **slot = kj_strmap_slot(m, owner);
	struct deps *d = *slot;

	if (!d)
		*slot = d = kj_xcalloc(1, sizeof *d);
	slot = kj_strmap_slot(&d->pos, uid);
	if (*slot)
		return;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 4;
		d->uids = kj_xrealloc(d->uids, d->cap * sizeof *d->uids);
	}
	d->uids[d->n++] = kj_xstrdup(uid);
	*slot = (void *)(uintptr_t)d->n;
}

static void deps_del(struct kj_strmap *m, const char *owner, const char *uid)
{
	struct deps *d = kj_strmap_get(m, owner);
	uintptr_t at = d ? (uintptr_t)kj_strmap_del(&d->pos, uid) : 0;

	if (!at)
		return;
	free(d->uids[at - 1]);
	if (at < d->n) {
		d->uids[at - 1] = d->uids[d->n - 1];
		*kj_strmap_slot(&d->pos, d->uids[at - 1]) = (void *)at;
	}
	if (!--d->n)
		deps_free(kj_strmap_del(m, owner));
}

/* Take entry e out of the dependents of its owners. */
static void owners_unfile(struct objstore *s, struct entry *e)
{
	for (size_t i = 0; i < e->nowners; i++) {
		deps_del(&s->dependents, e->owners[i], e->uid ? e->uid : "");
		free(e->owners[i]);
	}
	free(e->owners);
	e->owners = NULL;
	e->nowners = 0;
}

cJSON *objstore_get(struct objstore *s, const char *group, const char *resource, const char *ns,
                    const char *name)
{
	struct entry *e;
	cJSON *copy = NULL;

	pthread_mutex_lock(&s->lock);
	e = find(s, group, resource, ns ? ns : "", name);
	if (e)
		copy = cJSON_Duplicate(e->obj, 1);
	pthread_mutex_unlock(&s->lock);
	return copy;
}

static cJSON *meta_of(cJSON *obj)
{
	cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "metadata");

	if (!cJSON_IsObject(m)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "metadata");
		m = cJSON_AddObjectToObject(obj, "metadata");
	}
	return m;
}

static void set_str(cJSON *o, const char *key, const char *val)
{
	if (cJSON_GetObjectItemCaseSensitive(o, key))
		cJSON_ReplaceItemInObjectCaseSensitive(o, key, cJSON_CreateString(val));
	else
		cJSON_AddStringToObject(o, key, val);
}

static void set_rv(struct objstore *s, cJSON *meta)
{
	char rv[24];

	snprintf(rv, sizeof(rv), "%llu", (unsigned long long)++s->rv);
	set_str(meta, "resourceVersion", rv);
}

/* Keep metadata fields in the order the apiserver emits them. */
static void order_meta(cJSON *meta)
{
	static const char *const order[] = {
	    "name",       "generateName",      "namespace",         "uid", "resourceVersion",
	    "generation", "creationTimestamp", "deletionTimestamp", NULL};
	cJSON *sorted = cJSON_CreateObject();
	cJSON *it;
	size_t i;

	for (i = 0; order[i]; i++) {
		it = cJSON_DetachItemFromObjectCaseSensitive(meta, order[i]);
		if (it)
			cJSON_AddItemToObject(sorted, order[i], it);
	}
	while ((it = meta->child)) {
		cJSON_DetachItemViaPointer(meta, it);
		cJSON_AddItemToObject(sorted, it->string, it);
	}
	while ((it = sorted->child)) {
		cJSON_DetachItemViaPointer(sorted, it);
		cJSON_AddItemToObject(meta, it->string, it);
	}
	cJSON_Delete(sorted);
}

#define LABEL_SEP "\x1f" /* in no label key */

static void labels_unfile(struct objstore *s, struct entry *e)
{
	for (size_t i = 0; i < e->nlabels; i++) {
		deps_del(&s->by_label, e->labels[i], e->uid);
		free(e->labels[i]);
	}
	free(e->labels);
	e->labels = NULL;
	e->nlabels = 0;
}

static void labels_file(struct objstore *s, struct entry *e)
{
	const cJSON *labels =
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(e->obj, "metadata"), "labels");
	const cJSON *kv, *list = cJSON_IsObject(labels) ? labels : NULL;

	labels_unfile(s, e);
	if (!e->uid || !*e->uid)
		return;
	cJSON_ArrayForEach(kv, list)
	{
		char *k;

		if (!cJSON_IsString(kv) || !kv->string)
			continue;
		k = kj_xasprintf("%s" LABEL_SEP "%s", kv->string, kv->valuestring);
		e->labels = kj_xrealloc(e->labels, (e->nlabels + 1) * sizeof *e->labels);
		e->labels[e->nlabels++] = k;
		deps_add(&s->by_label, k, e->uid);
	}
}

/* Cache what collect() asks of every object on every delete, and file the
 * object under each owner it names and each label it has. */
static void note_owners(struct objstore *s, struct entry *e)
{
	const cJSON *refs = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(e->obj, "metadata"), "ownerReferences");
	const cJSON *r, *list = cJSON_IsArray(refs) ? refs : NULL;
	const char *uid;

	owners_unfile(s, e);
	labels_file(s, e);
	cJSON_ArrayForEach(r, list)
	{
		const char *o = obj_str(r, "uid");
		size_t i;

		for (i = 0; i < e->nowners && strcmp(e->owners[i], o); i++)
			;
		if (i < e->nowners)
			continue;
		e->owners = kj_xrealloc(e->owners, (e->nowners + 1) * sizeof *e->owners);
		e->owners[e->nowners++] = kj_xstrdup(o);
		deps_add(&s->dependents, o, e->uid ? e->uid : "");
	}

	e->owned = cJSON_IsArray(refs) ? cJSON_GetArraySize(refs) : refs ? 1 : 0;
	e->owner[0] = '\0';
	if (e->owned == 1 && cJSON_IsArray(refs)) {
		uid = obj_str(refs->child, "uid");
		if (strlen(uid) < sizeof(e->owner))
			memcpy(e->owner, uid, strlen(uid) + 1);
		else
			e->owned = 2; /* no shortcut: ask owned_by() */
	}
}

static int owned_by(cJSON *obj, const char *uid, int drop);

/* owned_by(obj, uid, 0) without walking the JSON for the usual case. */
static int maybe_owned_by(const struct entry *e, const char *uid)
{
	if (!e->owned)
		return 0;
	if (e->owned == 1 && e->owner[0])
		return !strcmp(e->owner, uid);
	return owned_by(e->obj, uid, 0);
}

static void push(struct objstore *s, const char *group, const char *resource, const char *ns,
                 const char *name, cJSON *obj)
{
	struct entry *e;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = kj_xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	index_grow(s);
	e = &s->v[s->n++];
	e->group = kj_xstrdup(group);
	e->resource = kj_xstrdup(resource);
	e->ns = kj_xstrdup(ns);
	e->name = kj_xstrdup(name);
	e->hash = key_hash(group, resource, ns, name);
	index_put(s, s->n - 1);
	e->obj = obj;
	e->uid = kj_xstrdup(obj_meta_str(obj, "uid"));
	e->owners = NULL;
	e->nowners = 0;
	e->labels = NULL;
	e->nlabels = 0;
	if (!*e->uid)
		s->no_uid++;
	uid_put(s, s->n - 1);
	note_owners(s, e);
	objstore_touch(s, group);
}

static enum obj_rc create(struct objstore *s, const char *group, const char *resource, const char *ns,
                          const cJSON *obj, cJSON **out, char *name_out, size_t name_size, int dry)
{
	cJSON *copy = cJSON_Duplicate(obj, 1);
	cJSON *meta = meta_of(copy);
	const char *name = obj_meta_str(copy, "name");
	const char *gen = obj_meta_str(copy, "generateName");
	char namebuf[64 + 8], uid[37], ts[32];
	int tries;
	enum obj_rc rc = OBJ_OK;

	ns = ns ? ns : "";
	if (out)
		*out = NULL;
	pthread_mutex_lock(&s->lock);
	if (!*name && *gen) {
		for (tries = 0; tries < 8; tries++) {
			char suffix[6];

			kj_random_suffix(suffix, 5);
			snprintf(namebuf, sizeof(namebuf), "%.58s%s", gen, suffix);
			if (!find(s, group, resource, ns, namebuf))
				break;
		}
		if (tries == 8)
			rc = OBJ_GENNAME_TAKEN;
		set_str(meta, "name", namebuf);
	} else {
		if (find(s, group, resource, ns, name))
			rc = OBJ_EXISTS;
	}
	name = obj_meta_str(copy, "name");
	if (rc != OBJ_OK) {
		if (name_out)
			snprintf(name_out, name_size, "%s", name);
		pthread_mutex_unlock(&s->lock);
		cJSON_Delete(copy);
		return rc;
	}
	if (*ns)
		set_str(meta, "namespace", ns);
	else
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "namespace");
	/* a uid chosen by the caller (the seed) is kept; API handlers strip it */
	if (!*obj_meta_str(copy, "uid")) {
		kj_uuid4(uid);
		set_str(meta, "uid", uid);
	}
	if (!dry)
		set_rv(s, meta);
	kj_time_rfc3339(kj_now(), ts, sizeof(ts));
	set_str(meta, "creationTimestamp", ts);
	order_meta(meta);
	if (out)
		*out = cJSON_Duplicate(copy, 1);
	if (dry) {
		cJSON_Delete(copy);
	} else {
		push(s, group, resource, ns, name, copy);
		objstore_record(s, OBJ_ADDED, group, resource, ns, copy, s->rv);
	}
	pthread_mutex_unlock(&s->lock);
	return OBJ_OK;
}

enum obj_rc objstore_create(struct objstore *s, const char *group, const char *resource, const char *ns,
                            const cJSON *obj, cJSON **out, char *name_out, size_t name_size)
{
	return create(s, group, resource, ns, obj, out, name_out, name_size, 0);
}

enum obj_rc objstore_create_dry(struct objstore *s, const char *group, const char *resource, const char *ns,
                                const cJSON *obj, cJSON **out, char *name_out, size_t name_size)
{
	return create(s, group, resource, ns, obj, out, name_out, name_size, 1);
}

static enum obj_rc update(struct objstore *s, const char *group, const char *resource, const char *ns,
                          const char *name, const cJSON *obj, cJSON **out, int dry)
{
	struct entry *e;
	cJSON *copy, *meta;
	const char *rv;
	static const char *const keep[] = {"uid", "creationTimestamp", "name", "namespace", NULL};
	size_t i;

	if (out)
		*out = NULL;
	pthread_mutex_lock(&s->lock);
	e = find(s, group, resource, ns ? ns : "", name);
	if (!e) {
		pthread_mutex_unlock(&s->lock);
		return OBJ_NOTFOUND;
	}
	rv = obj_meta_str(obj, "resourceVersion");
	if (*rv && strcmp(rv, obj_meta_str(e->obj, "resourceVersion"))) {
		pthread_mutex_unlock(&s->lock);
		return OBJ_CONFLICT;
	}
	copy = cJSON_Duplicate(obj, 1);
	meta = meta_of(copy);
	for (i = 0; keep[i]; i++) {
		const char *v = obj_meta_str(e->obj, keep[i]);

		if (*v)
			set_str(meta, keep[i], v);
		else
			cJSON_DeleteItemFromObjectCaseSensitive(meta, keep[i]);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "generateName");
	if (dry) {
		set_str(meta, "resourceVersion", obj_meta_str(e->obj, "resourceVersion"));
	} else {
		set_rv(s, meta);
	}
	order_meta(meta);
	if (out)
		*out = cJSON_Duplicate(copy, 1);
	if (dry) {
		cJSON_Delete(copy);
	} else {
		cJSON_Delete(e->obj);
		e->obj = copy;
		note_owners(s, e);
		objstore_touch(s, e->group);
		objstore_record(s, OBJ_MODIFIED, e->group, e->resource, e->ns, copy, s->rv);
	}
	pthread_mutex_unlock(&s->lock);
	return OBJ_OK;
}

enum obj_rc objstore_update(struct objstore *s, const char *group, const char *resource, const char *ns,
                            const char *name, const cJSON *obj, cJSON **out)
{
	return update(s, group, resource, ns, name, obj, out, 0);
}

enum obj_rc objstore_update_dry(struct objstore *s, const char *group, const char *resource, const char *ns,
                                const char *name, const cJSON *obj, cJSON **out)
{
	return update(s, group, resource, ns, name, obj, out, 1);
}

static void remove_at(struct objstore *s, size_t i, cJSON **taken)
{
	set_rv(s, meta_of(s->v[i].obj));
	objstore_record(s, OBJ_DELETED, s->v[i].group, s->v[i].resource, s->v[i].ns, s->v[i].obj, s->rv);
	objstore_touch(s, s->v[i].group);
	if (taken)
		*taken = s->v[i].obj;
	else
		cJSON_Delete(s->v[i].obj);
	s->v[i].obj = NULL;
	index_del(s, slot_of(s, i));
	owners_unfile(s, &s->v[i]);
	labels_unfile(s, &s->v[i]);
	if (!s->v[i].uid || !*s->v[i].uid)
		s->no_uid--;
	uid_del(s, i);
	entry_done(&s->v[i]);
	/* the last entry takes its place: O(1), and order does not matter */
	if (i + 1 < s->n) {
		size_t k = slot_of(s, s->n - 1);
		uid_del(s, s->n - 1);
		s->v[i] = s->v[s->n - 1];
		s->slots[k] = i + 1;
		uid_put(s, i);
	}
	s->n--;
}

/* Does `obj` reference `uid` among its owners?  With `drop`, remove the reference. */
static int owned_by(cJSON *obj, const char *uid, int drop)
{
	cJSON *refs = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
	                                               "ownerReferences");
	cJSON *r;
	int i = 0;

	cJSON_ArrayForEach(r, refs)
	{
		if (!strcmp(obj_str(r, "uid"), uid)) {
			if (drop) {
				cJSON_DeleteItemFromArray(refs, i);
				if (!cJSON_GetArraySize(refs))
					cJSON_DeleteItemFromObjectCaseSensitive(
					    cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
					    "ownerReferences");
			}
			return 1;
		}
		i++;
	}
	return 0;
}

/* Any owner of `obj` other than `gone_uid` still stored? */
static int has_live_owner(struct objstore *s, const cJSON *obj, const char *gone_uid)
{
	const cJSON *refs = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(obj, "metadata"), "ownerReferences");
	const cJSON *r;

	cJSON_ArrayForEach(r, refs)
	{
		const char *u = obj_str(r, "uid");

		if (strcmp(u, gone_uid) && find_uid(s, u))
			return 1;
	}
	return 0;
}

/* Garbage-collect dependents of a removed object (uid), transitively. */
static void collect(struct objstore *s, const char *uid, enum obj_propagation prop)
{
	const struct deps *d = kj_strmap_get(&s->dependents, uid);
	struct strv {
		char **v;
		size_t n;
	} deps_now = {NULL, 0};

	if (!d)
		return;
	/* a copy: handling one dependent changes the list */
	deps_now.v = kj_xcalloc(d->n, sizeof *deps_now.v);
	for (size_t j = 0; j < d->n; j++)
		deps_now.v[deps_now.n++] = kj_xstrdup(d->uids[j]);
	for (size_t j = 0; j < deps_now.n; j++) {
		struct entry *e = find_uid(s, deps_now.v[j]);
		size_t i;
		cJSON *obj;

		if (!e || !maybe_owned_by(e, uid))
			continue;
		i = (size_t)(e - s->v);
		obj = e->obj;
		if (prop == OBJ_PROPAGATE_ORPHAN || has_live_owner(s, obj, uid)) {
			owned_by(obj, uid, 1);
			note_owners(s, &s->v[i]);
			set_rv(s, meta_of(obj));
			objstore_touch(s, s->v[i].group);
			objstore_record(s, OBJ_MODIFIED, s->v[i].group, s->v[i].resource, s->v[i].ns, obj,
			                s->rv);
			continue;
		}
		{
			cJSON *gone;

			remove_at(s, i, &gone);
			cJSON_Delete(gone);
			collect(s, deps_now.v[j], OBJ_PROPAGATE_BACKGROUND);
		}
	}
	for (size_t j = 0; j < deps_now.n; j++)
		free(deps_now.v[j]);
	free(deps_now.v);
}

enum obj_rc objstore_delete(struct objstore *s, const char *group, const char *resource, const char *ns,
                            const char *name, cJSON **deleted)
{
	struct entry *e;
	cJSON *gone;

	if (deleted)
		*deleted = NULL;
	pthread_mutex_lock(&s->lock);
	e = find(s, group, resource, ns ? ns : "", name);
	if (!e) {
		pthread_mutex_unlock(&s->lock);
		return OBJ_NOTFOUND;
	}
	remove_at(s, (size_t)(e - s->v), &gone);
	if (deleted)
		*deleted = gone;
	else
		cJSON_Delete(gone);
	pthread_mutex_unlock(&s->lock);
	return OBJ_OK;
}

void objstore_collect(struct objstore *s, const char *uid, enum obj_propagation prop)
{
	pthread_mutex_lock(&s->lock);
	if (!find_uid(s, uid))
		collect(s, uid, prop);
	pthread_mutex_unlock(&s->lock);
}

int objstore_has_dependents(struct objstore *s, const char *uid)
{
	int n;

	pthread_mutex_lock(&s->lock);
	n = kj_strmap_get(&s->dependents, uid) != NULL;
	pthread_mutex_unlock(&s->lock);
	return n;
}

void objstore_release_dependents(struct objstore *s, const char *uid, int orphan)
{
	pthread_mutex_lock(&s->lock);
	collect(s, uid, orphan ? OBJ_PROPAGATE_ORPHAN : OBJ_PROPAGATE_BACKGROUND);
	pthread_mutex_unlock(&s->lock);
}

void objstore_delete_namespace_content(struct objstore *s, const char *ns)
{
	size_t i = 0;

	if (!ns || !*ns)
		return;
	pthread_mutex_lock(&s->lock);
	while (i < s->n) {
		if (!strcmp(s->v[i].ns, ns)) {
			remove_at(s, i, NULL);
			continue;
		}
		i++;
	}
	pthread_mutex_unlock(&s->lock);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = *(const struct entry *const *)a, *y = *(const struct entry *const *)b;
	int c = strcmp(x->ns, y->ns);

	return c ? c : strcmp(x->name, y->name);
}

cJSON *objstore_list(struct objstore *s, const char *group, const char *resource, const char *ns,
                     const struct objsel *sel, uint64_t *rv)
{
	cJSON *arr = cJSON_CreateArray();
	struct entry **hits;
	size_t i, n = 0, nvals = 0, k2, qn;
	const char *key = NULL, *qkey;
	char *const *vals = NULL, *const * qvals;

	pthread_mutex_lock(&s->lock);
	/* the requirement naming the fewest objects: kubejit's selectors
	 * start with a label every object it makes has */
	for (size_t q = 0, best = (size_t)-1;
	     !s->no_uid && objsel_required_values(sel, q, &qkey, &qvals, &qn); q++) {
		size_t objs = 0;

		for (size_t v = 0; v < qn && objs < best; v++) {
			char *k = kj_xasprintf("%s" LABEL_SEP "%s", qkey, qvals[v]);
			const struct deps *d = kj_strmap_get(&s->by_label, k);

			free(k);
			objs += d ? d->n : 0;
		}
		if (objs < best) {
			best = objs;
			key = qkey;
			vals = qvals;
			nvals = qn;
		}
	}
	if (nvals) {
		/* only the objects with one of the required values */
		size_t cap = 0;

		hits = NULL;
		for (size_t v = 0; v < nvals; v++) {
			char *k = kj_xasprintf("%s" LABEL_SEP "%s", key, vals[v]);
			const struct deps *d = kj_strmap_get(&s->by_label, k);

			free(k);
			for (size_t j = 0; d && j < d->n; j++) {
				struct entry *e = find_uid(s, d->uids[j]);

				if (!e || !key_eq(e, group, resource, ns) || !objsel_matches(sel, e->obj))
					continue;
				if (n == cap) {
					cap = cap ? cap * 2 : 16;
					hits = kj_xrealloc(hits, cap * sizeof(*hits));
				}
				hits[n++] = e;
			}
		}
	} else {
		hits = kj_xcalloc(s->n + 1, sizeof(*hits));
		for (i = 0; i < s->n; i++)
			if (key_eq(&s->v[i], group, resource, ns) && objsel_matches(sel, s->v[i].obj))
				hits[n++] = &s->v[i];
	}
	if (n > 1)
		qsort(hits, n, sizeof(*hits), cmp_entry);
	/* a value named twice in `in (...)` found its objects twice */
	for (i = 1, k2 = n ? 1 : 0; i < n; i++)
		if (hits[i] != hits[k2 - 1])
			hits[k2++] = hits[i];
	n = k2;
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_Duplicate(hits[i]->obj, 1));
	if (rv)
		*rv = s->rv;
	pthread_mutex_unlock(&s->lock);
	free(hits);
	return arr;
}

int objstore_foreach(struct objstore *s, const char *group, const char *resource, const char *ns,
                     int (*fn)(const cJSON *obj, void *ctx), void *ctx)
{
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->n && !rc; i++)
		if (key_eq(&s->v[i], group, resource, ns))
			rc = fn(s->v[i].obj, ctx);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void objstore_put(struct objstore *s, const char *group, const char *resource, const char *ns,
                  const char *name, const cJSON *obj)
{
	struct entry *e;

	pthread_mutex_lock(&s->lock);
	e = find(s, group, resource, ns ? ns : "", name);
	if (e) {
		size_t i = (size_t)(e - s->v);

		cJSON_Delete(e->obj);
		e->obj = cJSON_Duplicate(obj, 1);
		/* a copy of an object deleted and made again under its name */
		if (strcmp(e->uid, obj_meta_str(e->obj, "uid"))) {
			owners_unfile(s, e);
			labels_unfile(s, e);
			if (!*e->uid)
				s->no_uid--;
			uid_del(s, i);
			free(e->uid);
			e->uid = kj_xstrdup(obj_meta_str(e->obj, "uid"));
			if (!*e->uid)
				s->no_uid++;
			uid_put(s, i);
		}
		note_owners(s, e);
		objstore_touch(s, group);
	} else {
		push(s, group, resource, ns ? ns : "", name, cJSON_Duplicate(obj, 1));
	}
	pthread_mutex_unlock(&s->lock);
}

void objstore_remove(struct objstore *s, const char *group, const char *resource, const char *ns,
                     const char *name)
{
	struct entry *e;

	pthread_mutex_lock(&s->lock);
	e = find(s, group, resource, ns ? ns : "", name);
	if (e)
		remove_at(s, (size_t)(e - s->v), NULL);
	pthread_mutex_unlock(&s->lock);
}
