/* internal: the seams between the demo cluster's modules.
 *
 * Shared by server.c (HTTP, routing, request pipeline), crud*.c
 * (generic CRUD), discovery/openapi/table, proto.c (kubectl's protobuf
 * bodies, decoded by demo_req_json), pki.c, seed.c, faults.c and the
 * authentication/authorisation side (authn, authz, jwtsign, handlers_auth).
 * Nothing here is visible outside src/demo/.
 *
 * Request pipeline (doc/KUBERNETES.md, "Request order"), run by server.c for every request:
 *   faults -> authenticate (hooks.authenticate; 401) -> authorize
 *   (hooks.authorize, for resource AND non-resource requests; 403) ->
 *   handler.  Handlers answer through the demo_reply_* helpers exactly once.
 *
 * The auth side plugs in through `struct demo_auth_hooks` in the cluster:
 * demo_start() fills safe defaults (static admin token, verified client
 * certificates, system:masters allowed, everyone else only discovery), then
 * calls demo_auth_install() which replaces any of them.  Threads: one per connection; hooks must be
 * thread-safe; `dc` is read-only after demo_start() except through the store
 * and the locked fields. */
#ifndef KJ_DEMO_INTERNAL_H
#define KJ_DEMO_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "demo/demo.h"
#include "demo/objects.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

/* Request body limit; the apiserver's 3 MiB (413 RequestEntityTooLarge). */
#define DEMO_MAX_BODY (3 * 1024 * 1024)

/* ---------------------------------------------------------------- users */

/* An authenticated (or anonymous) user; all strings owned by the struct. */
struct demo_user {
	char *name;    /* "kubernetes-admin", "system:serviceaccount:ns:sa", "system:anonymous" */
	char *uid;     /* "" when none */
	char **groups; /* in authenticator order, system:authenticated last */
	size_t ngroups;
	cJSON *extra; /* object: key -> array of strings; NULL when none */
};
void demo_user_init(struct demo_user *u);
void demo_user_done(struct demo_user *u);
void demo_user_set(struct demo_user *u, const char *name, const char *uid);
void demo_user_add_group(struct demo_user *u, const char *group); /* skips duplicates */
void demo_user_add_extra(struct demo_user *u, const char *key, const char *value);
int demo_user_in_group(const struct demo_user *u, const char *group);

/* ------------------------------------------------------------- resources */

struct demo_req;
typedef void (*demo_handler_fn)(struct demo_req *r);

/* Name rule of a kind (doc/KUBERNETES.md, "Names and validation"). */
enum demo_name_rule {
	DEMO_NAME_SUBDOMAIN, /* ServiceAccount, Pod, Secret, ConfigMap, CSR */
	DEMO_NAME_LABEL,     /* Namespace */
	DEMO_NAME_PATH,      /* RBAC kinds: not "." / "..", no '/' or '%' */
	DEMO_NAME_NONE,      /* reviews: no stored name */
};

/* One row per served resource (and subresource, name "serviceaccounts/token").
 * The table drives discovery, routing and the generic CRUD handler. */
struct demo_resource {
	const char *group; /* "" = core */
	const char *version;
	const char *name; /* plural, or "plural/subresource" */
	const char *singular;
	const char *kind;
	const char *list_kind; /* NULL for create-only resources */
	int namespaced;
	const char *verbs;       /* space separated, discovery order */
	const char *short_names; /* space separated, may be NULL */
	enum demo_name_rule name_rule;
	demo_handler_fn handler; /* NULL = generic CRUD (crud.c) */
	int read_only;           /* create/update/delete -> 405 */
};
/* NULL-terminated table (server.c). */
extern const struct demo_resource demo_resources[];
/* Look up by group + plural (+ subresource, "" for the main resource). */
const struct demo_resource *demo_resource_find(const char *group, const char *resource, const char *sub);
/* "serviceaccounts" for core, "roles.rbac.authorization.k8s.io" otherwise; buf >= 128. */
const char *demo_gr(const char *group, const char *resource, char *buf, size_t n);

/* ---------------------------------------------------------------- request */

struct demo_fault;

struct demo_req {
	struct demo_cluster *dc;
	struct MHD_Connection *conn;
	const char *method; /* "GET", "POST", "PUT", "PATCH", "DELETE", ... */
	char *path;         /* URL path, without query */

	/* Parsed path; "" when absent, never NULL. */
	int is_resource; /* 1 for /api/v1/... and /apis/<g>/<v>/<...> with a resource */
	char *group;
	char *version;
	char *ns;
	char *resource; /* plural */
	char *name;
	char *subresource;
	const char *verb; /* k8s verb: get list watch create update patch delete deletecollection,
	                     or the lower-case HTTP method for non-resource requests */
	const struct demo_resource *res; /* matched table row, NULL if none */

	/* Body (NUL-terminated) and its lazily parsed JSON (demo_req_json). */
	char *body;
	size_t body_len;
	cJSON *json;

	struct demo_user user;
	int authenticated; /* 0 = anonymous */

	/* A list/watch's fieldSelector=metadata.name=X: the name authorised
	 * (requestinfo.go); "" when none.  Owned. */
	char *selector_name;
	int fault_delay_ms; /* an injected delay, served inside the in-flight window */

	/* Response, filled by demo_reply_*; sent by server.c afterwards. */
	int replied;
	/* A streamed body (watch): server.c sends it with
	 * MHD_create_response_from_callback; `stream_read` may block. */
	void *stream;
	long (*stream_read)(void *stream, char *buf, size_t max); /* bytes, or -1 at the end */
	void (*stream_free)(void *stream);
	int status;
	char *resp_body;
	const char *resp_type; /* Content-Type, static string */
	char **warnings;
	size_t nwarnings;
	int retry_after; /* seconds for a Retry-After header; 0 = none */
};

/* Query parameter or request header; NULL when absent. */
const char *demo_req_query(struct demo_req *r, const char *key);
const char *demo_req_header(struct demo_req *r, const char *key);
/* The body parsed as a JSON object; NULL after replying 400 when it is not
 * one (caller just returns). */
cJSON *demo_req_json(struct demo_req *r);

/* ------------------------------------------------------------- replies */

/* Send `body` (taken over) with `status` as application/json. */
void demo_reply_json(struct demo_req *r, int status, cJSON *body);
void demo_reply_raw(struct demo_req *r, int status, const char *content_type, char *body /* taken */);
/* `Warning: 299 - "<text>"` header on the response. */
void demo_add_warning(struct demo_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Status bodies (doc/KUBERNETES.md, "Status bodies").  `details` is taken over; NULL leaves the
 * field out (BadRequest, Unauthorized), an empty object is sent as "details":{}
 * like the apiserver's NotFound/Forbidden with no name or group. */
void demo_reply_status(struct demo_req *r, int code, const char *reason, const char *message, cJSON *details);
cJSON *demo_details(const char *name, const char *group, const char *kind, const char *uid);
void demo_reply_not_found(struct demo_req *r, const char *group, const char *resource, const char *name);
void demo_reply_exists(struct demo_req *r, const char *group, const char *resource, const char *name);
void demo_reply_conflict(struct demo_req *r, const char *group, const char *resource, const char *name,
                         const char *why);
/* `<gr> "<name>" is forbidden: <why>` (name "" -> `<gr> is forbidden: ...`). */
void demo_reply_forbidden(struct demo_req *r, const char *group, const char *resource, const char *name,
                          const char *why);
void demo_reply_unauthorized(struct demo_req *r);
void demo_reply_bad_request(struct demo_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* encoding/json's name for what a JSON value is, for decoding errors: "number 1.5",
 * "string", "bool", "array", "object" (static buffer per thread). */
const char *demo_json_type(const cJSON *v);
void demo_reply_internal(struct demo_req *r, const char *why);
void demo_reply_method_not_supported(struct demo_req *r, const char *action);
void demo_reply_path_not_found(struct demo_req *r); /* unknown URL */

/* Field errors for 422 (doc/KUBERNETES.md, "Field errors"). */
enum demo_ferr_type {
	DEMO_FERR_INVALID,       /* FieldValueInvalid: "Invalid value: <v>: <detail>" */
	DEMO_FERR_REQUIRED,      /* FieldValueRequired */
	DEMO_FERR_NOT_SUPPORTED, /* FieldValueNotSupported; detail = `supported values: ...` */
	DEMO_FERR_FORBIDDEN,     /* FieldValueForbidden */
	DEMO_FERR_TOO_LONG,      /* FieldValueTooLong */
	DEMO_FERR_DUPLICATE,     /* FieldValueDuplicate */
};
struct demo_ferrs {
	cJSON *causes; /* array of {reason, message, field} */
	kj_buf msg;    /* aggregate "field: body" texts */
	size_t n;
};
void demo_ferrs_init(struct demo_ferrs *f);
void demo_ferrs_done(struct demo_ferrs *f);
/* `value` is printed Go-style: a cJSON string is quoted, numbers/bools bare;
 * NULL for Required/Forbidden/TooLong without a value. */
void demo_ferr_add(struct demo_ferrs *f, enum demo_ferr_type t, const char *field, const cJSON *value,
                   const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));
void demo_ferr_add_str(struct demo_ferrs *f, enum demo_ferr_type t, const char *field, const char *value,
                       const char *detail);
/* 422 `<Kind[.group]> "<name>" is invalid: ...` with details.kind = Kind. */
void demo_reply_invalid(struct demo_req *r, const char *group, const char *kind, const char *name,
                        struct demo_ferrs *f);

/* ------------------------------------------------------- authorisation */

struct demo_authz_attrs {
	const struct demo_user *user;
	const char *verb;
	int resource_request; /* 0 = non-resource URL (path + verb) */
	const char *group;    /* resource requests; "" = core */
	const char *resource;
	const char *subresource;
	const char *name;
	const char *ns;
	const char *path; /* non-resource requests */
};
enum demo_decision { DEMO_DENY = 0, DEMO_ALLOW = 1 };

/* The standard forbidden text `User "u" cannot verb resource "r" in API group
 * "g" in the namespace "n"` (+ ": reason"); malloc'd. */
char *demo_forbidden_text(const struct demo_authz_attrs *a, const char *reason);

/* ----------------------------------------------------------- auth hooks */

struct demo_auth_hooks {
	/* Fill r->user from the TLS peer certificate (MHD_CONNECTION_INFO_GNUTLS_SESSION)
	 * or `Authorization: Bearer`.  Return 1 authenticated, 0 no credentials
	 * (anonymous), -1 credentials rejected (server answers 401). */
	int (*authenticate)(struct demo_req *r);
	/* Decide; *reason (malloc'd, may stay NULL) for the message / SSAR. */
	enum demo_decision (*authorize)(struct demo_cluster *dc, const struct demo_authz_attrs *a,
	                                char **reason);
	/* Role/ClusterRole/RoleBinding/ClusterRoleBinding create+update, after
	 * decode and namespace checks, before validation.  `obj` is the new
	 * object.  Return 0 to proceed, or reply (403/404) and return -1. */
	int (*check_escalation)(struct demo_req *r, const cJSON *obj);
	/* Handler for serviceaccounts/token, selfsubjectaccessreviews,
	 * selfsubjectrulesreviews, selfsubjectreviews, tokenreviews,
	 * certificatesigningrequests (+ /approval, /status); NULL = 404. */
	demo_handler_fn handle_auth;
	/* Non-resource paths the core does not serve (e.g. /openid/v1/jwks,
	 * /.well-known/openid-configuration); return 1 when answered.  May be NULL. */
	int (*handle_path)(struct demo_req *r);
	/* Long-lived ServiceAccount JWT for a seeded account's token file;
	 * malloc'd, NULL on failure.  NULL hook = no SA token files. */
	char *(*mint_sa_token)(struct demo_cluster *dc, const char *ns, const char *name, int64_t seconds);
	/* The CSR signer controller: sign the approved request `name` if it
	 * still waits for a certificate.  May be NULL. */
	void (*sign_csr)(struct demo_cluster *dc, const char *name);
	/* Release `auth_state` at demo_stop(). */
	void (*cleanup)(struct demo_cluster *dc);
};

/* Implemented by the auth modules: set their hooks and state.  Called once by
 * demo_start() after PKI, store and seed exist, before token files are written. */
int demo_auth_install(struct demo_cluster *dc, kj_err *e);

/* --------------------------------------------------------------- pki */

/* PEM strings of one certificate + its key. */
struct demo_keypair {
	char *cert_pem;
	char *key_pem;
};
/* Load or create CA, server and admin credentials under `dir` (0600 keys). */
int demo_pki_init(struct demo_cluster *dc, const char *dir, kj_err *e);
void demo_pki_done(struct demo_cluster *dc);
/* Sign a client certificate for a PEM CSR with the cluster CA: subject taken
 * from the CSR (CN = user, O = groups), EKU clientAuth, valid `seconds`.
 * Returns malloc'd PEM or NULL with e set (bad CSR, bad signature). */
char *demo_pki_sign_csr(struct demo_cluster *dc, const char *csr_pem, int64_t seconds, kj_err *e);
/* Verify a DER certificate chain leaf against the CA (clientAuth); on success
 * fill CN and the O values.  Returns 0 or -1. */
int demo_pki_verify_client(struct demo_cluster *dc, const unsigned char *der, size_t len,
                           struct demo_user *u);

/* --------------------------------------------------------------- cluster */

struct demo_cluster {
	struct demo_opts opts;
	char *url;
	int port;
	char *state_dir;
	int state_tmp; /* remove state_dir on stop */
	char *kubeconfig_path;
	int64_t max_token_expiration; /* seconds, 0 = none */

	struct demo_keypair ca, server, admin;
	struct demo_keypair developer; /* CN=developer: bound to the requester ClusterRole only */
	char *developer_kubeconfig_path;
	char *admin_token; /* static bearer token of "kubernetes-admin" */
	/* Seeded accounts: "ns/name" -> token (written to tokens/<name>.token). */
	char **account_keys;
	char **account_tokens;
	size_t naccounts;

	struct objstore *store;
	struct demo_auth_hooks hooks;
	void *auth_state; /* owned by the auth modules */

	/* demo_opts with the defaults applied; milliseconds, 0 = off */
	int64_t token_cache_ttl_ms, rbac_delay_ms, gc_delay_ms, csr_signer_delay_ms, latency_ms;
	int csr_signer_none;
	int max_inflight; /* 0 = no limit */

	struct MHD_Daemon *mhd;
	pthread_mutex_t lock; /* faults, stats, inflight */
	struct demo_fault *faults;
	uint64_t n_requests, n_connections, n_handshakes;
	uint64_t n_throttled; /* 429 answers */
	int inflight;

	struct demo_controllers *ctl; /* controllers.c */
};

/* controllers.c: what kube-controller-manager does beside the API server,
 * on one background thread: the garbage collector, the namespace controller,
 * the CSR signer, and etcd's periodic compaction.  Work is queued with a due
 * time (now + the configured delay). */
enum demo_job {
	DEMO_JOB_COLLECT,    /* dependents of a deleted owner (uid) */
	DEMO_JOB_FOREGROUND, /* delete the dependents, then the owner */
	DEMO_JOB_ORPHAN,     /* release the dependents, then delete the owner */
	DEMO_JOB_NAMESPACE,  /* delete a Terminating namespace's content, then it */
	DEMO_JOB_SIGN_CSR,   /* the kube-apiserver-client signer */
};
int demo_controllers_start(struct demo_cluster *dc, kj_err *e);
void demo_controllers_stop(struct demo_cluster *dc);
void demo_controllers_enqueue(struct demo_cluster *dc, enum demo_job job, const char *group,
                              const char *resource, const char *ns, const char *name, const char *uid,
                              int64_t delay_ms);

/* server.c */
void demo_server_default_hooks(struct demo_cluster *dc);
int demo_server_start(struct demo_cluster *dc, const char *host, int port, kj_err *e);
void demo_server_stop(struct demo_cluster *dc);

/* crud.c: generic CRUD on table resources; usable by auth handlers
 * (e.g. CSR get/list/delete). */
void demo_crud_handle(struct demo_req *r);

/* fields.c: unknown and duplicate fields of a create or update body handled
 * as its fieldValidation asks (dropped with a Warning by default); -1 when
 * the body is refused (replied). */
int demo_check_fields(struct demo_req *r, cJSON *obj);
/* validate.c: object validation (doc/KUBERNETES.md, "Names and validation"); adds field errors. */
void demo_validate_name(struct demo_ferrs *f, enum demo_name_rule rule, const char *field, const char *name,
                        int is_prefix);
void demo_validate_meta(struct demo_ferrs *f, const struct demo_resource *res, const cJSON *obj);
void demo_validate_rbac(struct demo_ferrs *f, const struct demo_resource *res, const cJSON *obj,
                        const cJSON *old);
/* Defaults the apiserver applies on create/update (roleRef.apiGroup, subject
 * apiGroup, Secret type, Namespace phase). */
void demo_apply_defaults(const struct demo_resource *res, cJSON *obj);

/* proto.c: a Kubernetes protobuf body ("k8s\0" + runtime.Unknown) of a kind
 * the demo cluster accepts, as the equivalent JSON object; NULL if it cannot
 * be decoded.  demo_req_json() uses it for application/vnd.kubernetes.protobuf. */
cJSON *demo_proto_decode(const void *data, size_t len);

/* discovery.c: /version, /api, /apis, /api/v1, /apis/<g>[/<v>]; 1 when it answered. */
int demo_discovery_handle(struct demo_req *r);
/* openapi.c: /openapi/v3 and its group-version documents (paths only); 1 when it answered. */
int demo_openapi_handle(struct demo_req *r);
/* table.c: 1 when the request asked for a Table (Accept as=Table). */
int demo_table_wanted(struct demo_req *r);
cJSON *demo_table_from_list(struct demo_req *r, const cJSON *items, uint64_t rv);

/* faults.c: consulted by server.c per request; returns the fault to apply
 * (copied into *out) or 0. */
struct demo_fault_hit {
	enum demo_fault_kind kind;
	int status;
	int delay_ms;
};
int demo_faults_match(struct demo_cluster *dc, const char *method, const char *path,
                      struct demo_fault_hit *out);
void demo_faults_free(struct demo_cluster *dc);
/* The armed and fired faults, for GET /kubejit/faults. */
cJSON *demo_faults_json(struct demo_cluster *dc);

/* seed.c: load YAML seed (file or built-in) into the store. */
int demo_seed_load(struct demo_cluster *dc, const char *file, kj_err *e);
/* The privileged accounts whose token files are written ("ns/name"). */
extern const char *const demo_seed_accounts[];
/* Write tokens/<account>.token and the admin kubeconfig. */
int demo_seed_write_credentials(struct demo_cluster *dc, kj_err *e);

#endif
