/* objects_history: the object store's change history (a ring of the latest
 * events, like the API server's watch cache over etcd) that watches and the
 * authorizer's informer read, its compaction, and the change counters per
 * API group. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo/objects_priv.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

void objstore_event_done(struct event *ev)
{
	free(ev->group);
	free(ev->resource);
	free(ev->ns);
	cJSON_Delete(ev->obj);
	memset(ev, 0, sizeof(*ev));
}

/* Under the lock: remember a change for watchers and informers. */
void objstore_record(struct objstore *s, enum obj_event type, const char *group, const char *resource,
                     const char *ns, const cJSON *obj, uint64_t rv)
{
	struct event *ev;

	if (s->log_n == LOG_CAP) {
		ev = &s->log[s->log_head];
		s->floor_rv = ev->rv;
		objstore_event_done(ev);
		s->log_head = (s->log_head + 1) % LOG_CAP;
		s->log_n--;
	}
	ev = &s->log[(s->log_head + s->log_n) % LOG_CAP];
	s->log_n++;
	ev->rv = rv;
	ev->at_ms = kj_mono_ms();
	ev->type = type;
	ev->group = kj_xstrdup(group);
	ev->resource = kj_xstrdup(resource);
	ev->ns = kj_xstrdup(ns);
	ev->obj = cJSON_Duplicate(obj, 1);
	pthread_cond_broadcast(&s->changed);
}

/* A counter of the store, read under its lock. */
static uint64_t read_locked(struct objstore *s, const uint64_t *field)
{
	uint64_t v;

	pthread_mutex_lock(&s->lock);
	v = *field;
	pthread_mutex_unlock(&s->lock);
	return v;
}

uint64_t objstore_rv(struct objstore *s)
{
	return read_locked(s, &s->rv);
}

/* Called under the lock whenever an object of `group` changes.  When the
 * slots run out every group shares the last one (always correct, just
 * rebuilt more often). */
void objstore_touch(struct objstore *s, const char *group)
{
	size_t i;

	s->gen++;
	for (i = 0; i < GROUP_SLOTS - 1 && s->groups[i].group; i++)
		if (!strcmp(s->groups[i].group, group))
			break;
	if (!s->groups[i].group && i < GROUP_SLOTS - 1)
		s->groups[i].group = kj_xstrdup(group);
	s->groups[i].gen = s->gen;
	s->groups[GROUP_SLOTS - 1].gen = s->gen;
}

uint64_t objstore_group_version(struct objstore *s, const char *group)
{
	uint64_t v = 0;
	size_t i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < GROUP_SLOTS - 1 && s->groups[i].group; i++)
		if (!strcmp(s->groups[i].group, group))
			break;
	v = s->groups[i].group || i == GROUP_SLOTS - 1 ? s->groups[i].gen : 0;
	pthread_mutex_unlock(&s->lock);
	return v;
}

int objstore_events(struct objstore *s, uint64_t after_rv, int64_t until_ms, objstore_event_fn fn, void *ctx,
                    uint64_t *last_rv)
{
	size_t i, lo, hi;
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	if (after_rv < s->floor_rv) {
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	/* the ring is in resourceVersion order: find the first event after
	 * after_rv without walking the ones before it (an informer asks on
	 * every request, mostly when nothing new happened) */
	lo = 0;
	hi = s->log_n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->log[(s->log_head + mid) % LOG_CAP].rv <= after_rv)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < s->log_n; i++) {
		const struct event *ev = &s->log[(s->log_head + i) % LOG_CAP];

		if (until_ms >= 0 && ev->at_ms > until_ms)
			break;
		if (last_rv)
			*last_rv = ev->rv;
		if ((rc = fn(ev->type, ev->group, ev->resource, ev->ns, ev->obj, ctx)) != 0)
			break;
	}
	pthread_mutex_unlock(&s->lock);
	return rc > 0 ? rc : 0;
}

int objstore_wait(struct objstore *s, uint64_t after_rv, int64_t timeout_ms)
{
	struct timespec ts;
	int closing;

	kj_realtime_after(timeout_ms, &ts);
	pthread_mutex_lock(&s->lock);
	while (!s->closing && s->rv <= after_rv)
		if (pthread_cond_timedwait(&s->changed, &s->lock, &ts) != 0)
			break;
	closing = s->closing;
	pthread_mutex_unlock(&s->lock);
	return closing;
}

void objstore_close(struct objstore *s)
{
	pthread_mutex_lock(&s->lock);
	s->closing = 1;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
}

void objstore_compact(struct objstore *s)
{
	pthread_mutex_lock(&s->lock);
	s->compacted_rv = s->rv;
	if (s->floor_rv < s->rv)
		s->floor_rv = s->rv;
	while (s->log_n) {
		objstore_event_done(&s->log[s->log_head]);
		s->log_head = (s->log_head + 1) % LOG_CAP;
		s->log_n--;
	}
	pthread_mutex_unlock(&s->lock);
}

uint64_t objstore_compacted_rv(struct objstore *s)
{
	return read_locked(s, &s->compacted_rv);
}
