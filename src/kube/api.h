/* api: typed Kubernetes calls on cJSON objects, over one kube_client.
 *
 * Small and composable: generic get/list/create/update/delete of any kind in
 * kinds.h, a parallel batch of those, and the few special calls kubejit needs
 * (TokenRequest, the self reviews, /version, CertificateSigningRequests).
 *
 * Memory: cJSON trees handed in are only read; trees handed out (`**out`) are
 * owned by the caller (cJSON_Delete).  Out-pointers may be NULL when the
 * result is not wanted.  Structs filled by calls are released with their
 * *_done() function, which wipes secrets (tokens).
 *
 * Thread-safety: as the client (one thread at a time per client).
 * Errors: as http.h; messages are the server's (Status message) and keep the
 * reason. */
#ifndef KJ_KUBE_API_H
#define KJ_KUBE_API_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "kube/http.h"
#include "kube/kinds.h"
#include "util/err.h"

/* The label kubejit puts on every object of a lease; a create resent after a
 * 429/503 that meets 409 is ours when the existing object carries the same
 * value (kube_batch). */
#define KUBE_LEASE_LABEL "kubejit.io/lease"

/* Items per page of a list (kubectl's own chunk size). */
#define KUBE_LIST_PAGE 500

/* Returned by kube_delete() (and batch deletes) when the object was already
 * gone (404).  `e` is still filled, so callers that care can show it. */
#define KUBE_GONE 1

/* GET one object.  `ns` is ignored for cluster-scoped kinds. */
int kube_get(struct kube_client *c, enum kube_kind_id kind, const char *ns, const char *name, cJSON **out,
             kj_err *e);

/* LIST a collection; `ns` NULL = all namespaces; `label_selector` NULL = all
 * ("app.kubernetes.io/managed-by=kubejit,kubejit.io/lease").  Pages through
 * the list (limit/continue, KUBE_LIST_PAGE items a page), restarting when a
 * continue token has expired (410).  *out is one List object holding every
 * page's items in its "items" array. */
int kube_list(struct kube_client *c, enum kube_kind_id kind, const char *ns, const char *label_selector,
              cJSON **out, kj_err *e);

/* POST `obj` to the collection (namespace from `ns`, or from the object's
 * metadata.namespace when `ns` is NULL).  kind/apiVersion are added to the
 * body when missing.  *out is the created object as the server returned it. */
int kube_create(struct kube_client *c, enum kube_kind_id kind, const char *ns, const cJSON *obj, cJSON **out,
                kj_err *e);

/* PUT `obj` to the item (name from metadata.name).  The object must carry
 * metadata.resourceVersion; a stale one gives KJ_ERR_CONFLICT. */
int kube_update(struct kube_client *c, enum kube_kind_id kind, const char *ns, const cJSON *obj, cJSON **out,
                kj_err *e);

/* DELETE with propagationPolicy Background.  Returns 0 when deleted,
 * KUBE_GONE when it was not there (404), -1 on other errors. */
int kube_delete(struct kube_client *c, enum kube_kind_id kind, const char *ns, const char *name, kj_err *e);

/* ---- batches: independent operations run in parallel --------------------- */
/* KUBE_OP_DELETE_COLLECTION: DELETE on the collection (verb
 * "deletecollection") with a label selector.  The API server lists what the
 * selector matches and deletes each (a concurrent delete of one is no
 * error), and answers the list of the objects it deleted
 * (staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go,
 * DeleteCollection). */
enum kube_op_verb { KUBE_OP_GET, KUBE_OP_CREATE, KUBE_OP_UPDATE, KUBE_OP_DELETE, KUBE_OP_DELETE_COLLECTION };
struct kube_op {
	enum kube_op_verb verb; /* in */
	enum kube_kind_id kind; /* in */
	const char *ns;         /* in */
	const char *name;       /* in: GET/DELETE; for TokenRequest create: the SA */
	const cJSON *obj;       /* in: CREATE/UPDATE body */
	const char *selector;   /* in: DELETE_COLLECTION's label selector (required) */
	int rc;                 /* out: 0, KUBE_GONE (delete), or -1 */
	cJSON *result;          /* out: returned object (GET/CREATE/UPDATE), the list of
	                           deleted objects (DELETE_COLLECTION), caller frees */
	kj_err err;             /* out when rc != 0 */
};
/* Run all ops (bounded by the client's max_parallel).  Every op completes.
 * Creates of objects labelled KUBE_LEASE_LABEL are resent after 503 too; a
 * 409 after such a resend is answered by a GET, and when the existing object
 * carries our lease label the op succeeds with it.
 * Returns 0 if every op gave 0 or KUBE_GONE, else -1 with `e` = the first
 * failure in array order. */
int kube_batch(struct kube_client *c, struct kube_op *ops, size_t n, kj_err *e);

/* ---- TokenRequest --------------------------------------------------------- */
struct kube_token_spec {
	int64_t expiration_seconds;   /* 0 = server default (3600); server minimum 600 */
	const char *const *audiences; /* NULL/0 = the API server's audiences */
	size_t n_audiences;
	const char *bound_kind;        /* "Secret" / "Pod"; NULL = not bound */
	const char *bound_api_version; /* NULL = "v1" */
	const char *bound_name;
	const char *bound_uid; /* optional but recommended */
};
struct kube_token {
	char *token;                /* secret: wiped by kube_token_done() */
	int64_t expires_at;         /* status.expirationTimestamp, unix seconds */
	int64_t expiration_seconds; /* spec.expirationSeconds granted (after any cap) */
	char **warnings;            /* Warning texts of this answer (e.g. the cap) */
	size_t n_warnings;
};
void kube_token_done(struct kube_token *t);

/* POST /api/v1/namespaces/NS/serviceaccounts/SA/token. */
int kube_token_request(struct kube_client *c, const char *ns, const char *sa,
                       const struct kube_token_spec *spec, struct kube_token *out, kj_err *e);
/* The TokenRequest body for `spec` (caller frees), and the parser of an
 * answer, for callers that put TokenRequests in a kube_batch (kind
 * KUBE_TOKENREQUEST, name = the ServiceAccount). */
cJSON *kube_token_request_body(const struct kube_token_spec *spec);
int kube_token_parse(const cJSON *answer, struct kube_token *out, kj_err *e);

/* ---- who am I / what may I do -------------------------------------------- */
struct kube_user_info {
	char *username;
	char *uid; /* may be NULL */
	char **groups;
	size_t n_groups;
	cJSON *extra; /* may be NULL; owned */
};
void kube_user_info_done(struct kube_user_info *u);
/* SelfSubjectReview (authentication.k8s.io/v1). */
int kube_whoami(struct kube_client *c, struct kube_user_info *out, kj_err *e);

/* SelfSubjectAccessReview.  Resource form when `resource` is set, else
 * non-resource form with `path`.  `ns` NULL/"" = cluster-wide. */
struct kube_access {
	const char *verb;
	const char *group;       /* "" core */
	const char *resource;    /* plural, e.g. "serviceaccounts" */
	const char *subresource; /* e.g. "token", or NULL */
	const char *name;        /* or NULL */
	const char *ns;          /* or NULL */
	const char *path;        /* non-resource URL, when resource is NULL */
};
/* *allowed = 1/0; *reason (may be NULL) gets status.reason (malloc'd or NULL). */
int kube_can_i(struct kube_client *c, const struct kube_access *a, int *allowed, char **reason, kj_err *e);

/* SelfSubjectRulesReview in `ns` (required).  *status_out is the review's
 * "status" object: resourceRules, nonResourceRules, incomplete,
 * evaluationError. */
int kube_rules_review(struct kube_client *c, const char *ns, cJSON **status_out, kj_err *e);

/* ---- /version -------------------------------------------------------------- */
struct kube_version {
	char *git_version; /* "v1.32.0" */
	char *major, *minor;
	char *platform; /* may be NULL */
};
void kube_version_done(struct kube_version *v);
int kube_server_version(struct kube_client *c, struct kube_version *out, kj_err *e);

/* ---- CertificateSigningRequests (certificates.k8s.io/v1) ------------------ */
/* Create CSR `name` from `csr_pem` (PKCS#10 PEM), signer `signer` (NULL =
 * "kubernetes.io/kube-apiserver-client"), usages ["client auth"],
 * expirationSeconds if > 0.  *out is the created CSR. */
int kube_csr_create(struct kube_client *c, const char *name, const char *csr_pem, const char *signer,
                    int64_t expiration_seconds, cJSON **out, kj_err *e);
/* GET the CSR, add an Approved=True condition and PUT .../approval. */
int kube_csr_approve(struct kube_client *c, const char *name, const char *reason, const char *message,
                     kj_err *e);
enum kube_csr_state {
	KUBE_CSR_PENDING,
	KUBE_CSR_APPROVED,
	KUBE_CSR_ISSUED,
	KUBE_CSR_DENIED,
	KUBE_CSR_FAILED
};
/* State of a CSR object; when ISSUED, *cert_pem gets status.certificate
 * decoded (malloc'd PEM); when DENIED/FAILED, *why gets the condition message.
 * Both out-pointers may be NULL. */
enum kube_csr_state kube_csr_state_of(const cJSON *csr, char **cert_pem, char **why);

/* ---- helpers on objects ----------------------------------------------------- */
/* Wipe every string of a tree, then cJSON_Delete it: for answers that hold
 * tokens (TokenRequest results from kube_batch) or Secret data.  NULL ok. */
void kube_json_free_secret(cJSON *j);

/* metadata.<field> string or NULL ("name", "namespace", "uid", "resourceVersion"). */
const char *kube_meta(const cJSON *obj, const char *field);
/* metadata.labels[key] / metadata.annotations[key], or NULL. */
const char *kube_label(const cJSON *obj, const char *key);
const char *kube_annotation(const cJSON *obj, const char *key);

#endif
