/* status: Kubernetes `Status` error bodies turned into kubejit errors.
 *
 * Pure functions over buffers (no I/O), used by http.c for every non-2xx
 * answer and exposed for tests.  The server's message is kept verbatim (it
 * names the object and the reason), e->reason gets the Status reason
 * ("Forbidden", "AlreadyExists"...) and e->http_status the code.  Bodies that
 * are not a Status with "status":"Failure" (HTML from a proxy, plain text, an
 * empty body) still give a specific message built from the HTTP code and the
 * first line of the body. */
#ifndef KJ_KUBE_STATUS_H
#define KJ_KUBE_STATUS_H

#include <stddef.h>

#include "util/err.h"

/* Fields of a decoded Status; strings point into a cJSON tree owned by the
 * struct (kube_status_done frees it). */
struct kube_status {
	const char *status;  /* "Failure" / "Success" */
	const char *message; /* may be NULL */
	const char *reason;  /* may be NULL */
	long code;           /* 0 if absent */
	const char *details_name, *details_group, *details_kind;
	long retry_after; /* details.retryAfterSeconds, 0 if absent */
	void *json_;      /* private */
};

/* 0 if `body` is a JSON object with "kind":"Status", -1 otherwise. */
int kube_status_parse(const char *body, size_t len, struct kube_status *st);
void kube_status_done(struct kube_status *st);

/* The error class for an HTTP status code (401 AUTH, 403 DENIED, 404 NOTFOUND,
 * 409 CONFLICT, 400/422 INVALID, else FAIL). */
enum kj_err_class kube_status_class(long http_status);

/* Fill `e` for an HTTP error answer.  `server` names the cluster in hints
 * (may be NULL).  Always returns -1. */
int kube_status_to_err(long http_status, const char *body, size_t len, const char *server, kj_err *e);

#endif
