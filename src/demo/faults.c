/* faults: injected failures for tests (demo_fault_add in demo.h).  A fault
 * counts the requests that match its method and path glob and fires once,
 * on the nth, then disarms. */
#include "demo/internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/names.h"

struct demo_fault {
	struct demo_fault *next;
	char *method; /* NULL = any */
	char *path;
	int nth, seen, fired;
	struct demo_fault_hit hit;
};

int demo_fault_add(struct demo_cluster *dc, const char *method, const char *path, int nth,
                   enum demo_fault_kind kind, int status, int delay_ms)
{
	struct demo_fault *f, **tail;

	if (!dc || !path || nth < 1 || (kind == DEMO_FAULT_STATUS && (status < 100 || status > 599)) ||
	    (kind == DEMO_FAULT_DELAY && delay_ms < 0))
		return -1;
	f = kj_xcalloc(1, sizeof(*f));
	f->method = kj_xstrdup(method);
	f->path = kj_xstrdup(path);
	f->nth = nth;
	f->hit.kind = kind;
	f->hit.status = status;
	f->hit.delay_ms = delay_ms;
	pthread_mutex_lock(&dc->lock);
	for (tail = &dc->faults; *tail; tail = &(*tail)->next)
		;
	*tail = f;
	pthread_mutex_unlock(&dc->lock);
	return 0;
}

static void free_list(struct demo_fault *f)
{
	while (f) {
		struct demo_fault *next = f->next;

		free(f->method);
		free(f->path);
		free(f);
		f = next;
	}
}

void demo_fault_clear(struct demo_cluster *dc)
{
	struct demo_fault *f;

	pthread_mutex_lock(&dc->lock);
	f = dc->faults;
	dc->faults = NULL;
	pthread_mutex_unlock(&dc->lock);
	free_list(f);
}

void demo_faults_free(struct demo_cluster *dc)
{
	free_list(dc->faults);
	dc->faults = NULL;
}

int demo_faults_match(struct demo_cluster *dc, const char *method, const char *path,
                      struct demo_fault_hit *out)
{
	struct demo_fault *f;
	int hit = 0;

	pthread_mutex_lock(&dc->lock);
	for (f = dc->faults; f && !hit; f = f->next) {
		if (f->fired || (f->method && strcmp(f->method, method)) || !kj_glob_match(f->path, path))
			continue;
		if (++f->seen == f->nth) {
			f->fired = 1;
			*out = f->hit;
			hit = 1;
		}
	}
	pthread_mutex_unlock(&dc->lock);
	return hit;
}

void demo_get_stats(const struct demo_cluster *dc, struct demo_stats *out)
{
	struct demo_cluster *m = (struct demo_cluster *)dc;

	pthread_mutex_lock(&m->lock);
	out->requests = dc->n_requests;
	out->connections = dc->n_connections;
	out->tls_handshakes = dc->n_handshakes;
	pthread_mutex_unlock(&m->lock);
}
