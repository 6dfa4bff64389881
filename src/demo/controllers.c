/* controllers: the demo cluster's kube-controller-manager (internal.h).
 *
 * One thread runs queued jobs when they fall due (a job without delay runs at
 * once, on the caller's thread): the garbage collector
 * (pkg/controller/garbagecollector: dependents of a deleted owner, and the
 * foregroundDeletion / orphan finalizers), the namespace controller
 * (pkg/controller/namespace/deletion: content, then the namespace) and the
 * CSR signer (pkg/controller/certificates/signer).  It also compacts the
 * store's history every 5 minutes, as kube-apiserver asks etcd to
 * (--etcd-compaction-interval). */
#include "demo/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/i18n.h"

#define COMPACTION_INTERVAL_MS (5 * 60 * 1000)

struct job {
	struct job *next;
	enum demo_job kind;
	int64_t due_ms;
	char *group, *resource, *ns, *name, *uid;
};

struct demo_controllers {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *jobs; /* sorted by due_ms */
	struct job *last; /* the last of jobs: every delay is the same, so a new
	                     job goes there without walking the queue */
	int stop;
	int64_t next_compaction_ms;
};

static void job_free(struct job *j)
{
	free(j->group);
	free(j->resource);
	free(j->ns);
	free(j->name);
	free(j->uid);
	free(j);
}

/* Remove the owner if it is still the one the job was made for. */
static void delete_owner(struct demo_cluster *dc, const struct job *j)
{
	cJSON *o = objstore_get(dc->store, j->group, j->resource, j->ns, j->name);

	if (o && !strcmp(obj_meta_str(o, "uid"), j->uid))
		objstore_delete(dc->store, j->group, j->resource, j->ns, j->name, NULL);
	cJSON_Delete(o);
}

static void run(struct demo_cluster *dc, const struct job *j)
{
	switch (j->kind) {
	case DEMO_JOB_COLLECT:
		objstore_collect(dc->store, j->uid, OBJ_PROPAGATE_BACKGROUND);
		break;
	case DEMO_JOB_FOREGROUND:
		objstore_release_dependents(dc->store, j->uid, 0);
		delete_owner(dc, j);
		break;
	case DEMO_JOB_ORPHAN:
		objstore_release_dependents(dc->store, j->uid, 1);
		delete_owner(dc, j);
		break;
	case DEMO_JOB_NAMESPACE:
		objstore_delete_namespace_content(dc->store, j->name);
		delete_owner(dc, j);
		break;
	case DEMO_JOB_SIGN_CSR:
		if (dc->hooks.sign_csr)
			dc->hooks.sign_csr(dc, j->name);
		break;
	}
}

static void *loop(void *arg)
{
	struct demo_cluster *dc = arg;
	struct demo_controllers *c = dc->ctl;

	pthread_mutex_lock(&c->lock);
	while (!c->stop) {
		int64_t now = kj_mono_ms(), wait_ms = c->next_compaction_ms - now;
		struct timespec ts;

		if (c->jobs && c->jobs->due_ms <= now) {
			struct job *j = c->jobs;

			c->jobs = j->next;
			if (!c->jobs)
				c->last = NULL;
			pthread_mutex_unlock(&c->lock);
			run(dc, j);
			job_free(j);
			pthread_mutex_lock(&c->lock);
			continue;
		}
		if (wait_ms <= 0) {
			c->next_compaction_ms = now + COMPACTION_INTERVAL_MS;
			pthread_mutex_unlock(&c->lock);
			objstore_compact(dc->store);
			pthread_mutex_lock(&c->lock);
			continue;
		}
		if (c->jobs && c->jobs->due_ms - now < wait_ms)
			wait_ms = c->jobs->due_ms - now;
		kj_realtime_after(wait_ms, &ts);
		pthread_cond_timedwait(&c->cond, &c->lock, &ts);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

int demo_controllers_start(struct demo_cluster *dc, kj_err *e)
{
	struct demo_controllers *c = kj_xcalloc(1, sizeof(*c));
	int rc;

	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond, NULL);
	c->next_compaction_ms = kj_mono_ms() + COMPACTION_INTERVAL_MS;
	dc->ctl = c;
	if ((rc = pthread_create(&c->thread, NULL, loop, dc)) != 0) {
		pthread_cond_destroy(&c->cond);
		pthread_mutex_destroy(&c->lock);
		free(c);
		dc->ctl = NULL;
		return kj_err_set(e, KJ_ERR_FAIL, _("cannot start the demo cluster's controllers: %s"),
		                  strerror(rc));
	}
	return 0;
}

void demo_controllers_stop(struct demo_cluster *dc)
{
	struct demo_controllers *c = dc->ctl;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = 1;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	while (c->jobs) {
		struct job *j = c->jobs;

		c->jobs = j->next;
		job_free(j);
	}
	c->last = NULL;
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	free(c);
	dc->ctl = NULL;
}

void demo_controllers_enqueue(struct demo_cluster *dc, enum demo_job kind, const char *group,
                              const char *resource, const char *ns, const char *name, const char *uid,
                              int64_t delay_ms)
{
	struct demo_controllers *c = dc->ctl;
	struct job *j, **at;

	if (!c)
		return;
	j = kj_xcalloc(1, sizeof(*j));
	if (delay_ms <= 0) {
		/* no delay: the ideal server, done before the request is answered */
		j->kind = kind;
		j->group = kj_xstrdup(group ? group : "");
		j->resource = kj_xstrdup(resource ? resource : "");
		j->ns = kj_xstrdup(ns ? ns : "");
		j->name = kj_xstrdup(name ? name : "");
		j->uid = kj_xstrdup(uid ? uid : "");
		run(dc, j);
		job_free(j);
		return;
	}
	j->kind = kind;
	j->due_ms = kj_mono_ms() + (delay_ms > 0 ? delay_ms : 0);
	j->group = kj_xstrdup(group ? group : "");
	j->resource = kj_xstrdup(resource ? resource : "");
	j->ns = kj_xstrdup(ns ? ns : "");
	j->name = kj_xstrdup(name ? name : "");
	j->uid = kj_xstrdup(uid ? uid : "");
	pthread_mutex_lock(&c->lock);
	if (c->last && c->last->due_ms <= j->due_ms) {
		at = &c->last->next;
	} else {
		for (at = &c->jobs; *at && (*at)->due_ms <= j->due_ms; at = &(*at)->next)
			;
	}
	j->next = *at;
	*at = j;
	if (!j->next)
		c->last = j;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
}
