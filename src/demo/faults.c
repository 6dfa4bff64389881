/* faults: injected failures for tests (demo_fault_add in demo.h).  A fault
 * counts the requests that match its method and path glob and fires once,
 * on the nth, then disarms. */
#include "demo/internal.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/i18n.h"
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
	out->throttled = dc->n_throttled;
	pthread_mutex_unlock(&m->lock);
}

int demo_duration_parse(const char *s, const char *what, int64_t *ms, kj_err *e)
{
	const char *p = s;
	double total = 0;

	if (!s || !*s)
		return kj_err_set(e, KJ_ERR_USAGE,
		                  _("%s wants a duration such as 250ms, 10s or 1m (got \"\")"), what);
	if (!strcmp(s, "0")) {
		*ms = 0;
		return 0;
	}
	while (*p) {
		char *end;
		double v;
		double unit;

		if (!isdigit((unsigned char)*p) && *p != '.')
			goto bad;
		v = strtod(p, &end);
		if (end == p)
			goto bad;
		p = end;
		if (!strncmp(p, "ms", 2)) {
			unit = 1;
			p += 2;
		} else if (*p == 's') {
			unit = 1000;
			p++;
		} else if (*p == 'm') {
			unit = 60000;
			p++;
		} else if (*p == 'h') {
			unit = 3600000;
			p++;
		} else {
			goto bad;
		}
		total += v * unit;
	}
	if (total > 1e12)
		goto bad;
	*ms = (int64_t)(total + 0.5);
	return 0;
bad:
	return kj_err_set(e, KJ_ERR_USAGE,
	                  _("%s wants a duration such as 250ms, 10s, 1m30s or 0 (got \"%s\")"), what, s);
}

int demo_fault_add_spec(struct demo_cluster *dc, const char *spec, kj_err *e)
{
	static const char *const methods[] = {"GET",    "POST", "PUT",     "PATCH",
	                                      "DELETE", "HEAD", "OPTIONS", NULL};
	const char *c1 = strchr(spec, ':'), *c3 = strrchr(spec, ':'), *c2;
	char method[16], *path = NULL, *end;
	const char *action;
	long nth;
	int64_t ms = 0;
	int status = 0, rc;
	enum demo_fault_kind kind;
	size_t i;

	for (c2 = c3 ? c3 - 1 : NULL; c2 && c2 > spec && *c2 != ':'; c2--)
		;
	if (!c1 || !c3 || !c2 || c2 <= c1 || (size_t)(c1 - spec) >= sizeof(method))
		return kj_err_set(e, KJ_ERR_USAGE,
		                  _("fault \"%s\": want METHOD:PATH-GLOB:NTH:ACTION, e.g. "
		                    "POST:/api/v1/namespaces/*/serviceaccounts:1:status=503"),
		                  spec);
	memcpy(method, spec, (size_t)(c1 - spec));
	method[c1 - spec] = '\0';
	for (i = 0; methods[i] && strcasecmp(methods[i], method); i++)
		;
	if (strcmp(method, "*") && !methods[i])
		return kj_err_set(
		    e, KJ_ERR_USAGE,
		    _("fault \"%s\": \"%s\" is not an HTTP method (GET, POST, PUT, PATCH, DELETE, "
		      "HEAD, OPTIONS or *)"),
		    spec, method);
	if (methods[i])
		snprintf(method, sizeof(method), "%s", methods[i]);
	if (c2 == c1 + 1 || c1[1] != '/')
		return kj_err_set(e, KJ_ERR_USAGE, _("fault \"%s\": the path glob must start with /"), spec);
	nth = strtol(c2 + 1, &end, 10);
	if (end != c3 || nth < 1 || nth > 1000000)
		return kj_err_set(e, KJ_ERR_USAGE,
		                  _("fault \"%s\": NTH must be a request count of 1 or more (1 = the next "
		                    "matching request)"),
		                  spec);
	action = c3 + 1;
	if (!strncmp(action, "status=", 7)) {
		long code = strtol(action + 7, &end, 10);

		if (*end || end == action + 7 || code < 100 || code > 599)
			return kj_err_set(
			    e, KJ_ERR_USAGE,
			    _("fault \"%s\": status= wants an HTTP status code from 100 to 599"), spec);
		kind = DEMO_FAULT_STATUS;
		status = (int)code;
	} else if (!strncmp(action, "delay=", 6)) {
		if (demo_duration_parse(action + 6, "fault delay=", &ms, e) < 0)
			return -1;
		if (ms > INT_MAX) /* demo_fault_add() takes an int */
			return kj_err_set(e, KJ_ERR_USAGE,
			                  _("fault \"%s\": delay= is at most 596h (2^31 ms)"), spec);
		kind = DEMO_FAULT_DELAY;
	} else if (!strcmp(action, "drop")) {
		kind = DEMO_FAULT_DROP;
	} else {
		return kj_err_set(e, KJ_ERR_USAGE,
		                  _("fault \"%s\": the action must be status=CODE, delay=DURATION or drop"),
		                  spec);
	}
	path = kj_xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
	rc = demo_fault_add(dc, strcmp(method, "*") ? method : NULL, path, (int)nth, kind, status, (int)ms);
	free(path);
	if (rc < 0)
		return kj_err_set(e, KJ_ERR_USAGE, _("fault \"%s\" is not valid"), spec);
	return 0;
}

cJSON *demo_faults_json(struct demo_cluster *dc)
{
	cJSON *arr = cJSON_CreateArray();
	struct demo_fault *f;

	pthread_mutex_lock(&dc->lock);
	for (f = dc->faults; f; f = f->next) {
		cJSON *o = cJSON_CreateObject();
		char *act;

		if (f->hit.kind == DEMO_FAULT_STATUS)
			act = kj_xasprintf("status=%d", f->hit.status);
		else if (f->hit.kind == DEMO_FAULT_DELAY)
			act = kj_xasprintf("delay=%dms", f->hit.delay_ms);
		else
			act = kj_xstrdup("drop");
		cJSON_AddStringToObject(o, "method", f->method ? f->method : "*");
		cJSON_AddStringToObject(o, "path", f->path);
		cJSON_AddNumberToObject(o, "nth", f->nth);
		cJSON_AddStringToObject(o, "action", act);
		cJSON_AddNumberToObject(o, "seen", f->seen);
		cJSON_AddBoolToObject(o, "fired", f->fired);
		cJSON_AddItemToArray(arr, o);
		free(act);
	}
	pthread_mutex_unlock(&dc->lock);
	return arr;
}
