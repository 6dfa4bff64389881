/* request: access requests with approval, kept in the cluster.
 *
 * A requester asks for a credential of a secret it does not hold; an
 * approver (someone whose kubejit holds that secret and whose identity may
 * approve) mints it with its own target and hands it over.  The cluster is
 * the only meeting point: no CRD, controller or extra service.
 *
 * The request is a CertificateSigningRequest (certificates.k8s.io/v1) with
 * the signer name REQUEST_SIGNER:
 *   - spec.request is a PKCS#10 request over a fresh P-256 public key made
 *     by the requester (its self-signature proves the requester holds the
 *     private key); the private key stays in the requester's home
 *     (<home>/requests/<id>.json, 0600; sealed when the store is sealed);
 *   - spec.username, spec.groups and spec.uid are written by the API server
 *     from the authenticated caller (pkg/registry/certificates/
 *     certificates/strategy.go, PrepareForCreate): this is the requester
 *     an approver sees, whatever the request itself says;
 *   - the details (secret path, namespace, TTL, reason, how long the
 *     request stays open) are annotations (REQUEST_ANN_*);
 *   - approval and denial are the Approved / Denied conditions written
 *     through the `approval` subresource, which the API server allows only
 *     to callers with `approve` on signers/REQUEST_SIGNER
 *     (plugin/pkg/admission/certificates/approval) and refuses twice
 *     (pkg/apis/certificates/validation);
 *   - the credential travels as an annotation (REQUEST_ANN_SEALED) that is
 *     ciphertext only: ECDH P-256 with a fresh key of the approver, HKDF-
 *     SHA256, AES-256-GCM with the request's name and uid as associated data
 *     (engine/reqcrypt.h).  The requester deletes the CSR once it has
 *     collected it; an expired request is deleted by whoever sees it.
 *
 * Who is who: every call names the target it talks through.  For the
 * requester that is its own target (an identity with `kubejit rbac
 * requester`); for the approver its minting target (plus `kubejit rbac
 * approver`).  `target` NULL means the only target of the home (KJ_ERR_USAGE
 * when there are several).
 *
 * Memory: struct request is a plain value; request_done() frees its fields,
 * request_list_free() a list.  Blocking calls; one thread per engine
 * context.  All functions return 0 or -1 with `e` filled. */
#ifndef KJ_ENGINE_REQUEST_H
#define KJ_ENGINE_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "engine/mint.h"
#include "util/err.h"
#include "util/strv.h"

struct engine;

/* The CSR signer name of kubejit's access requests.  No Kubernetes signer
 * controller signs for it, so such a CSR never gets a certificate. */
#define REQUEST_SIGNER "kubejit.io/access-request"

/* Annotations on the CSR (the requester writes the first five; the
 * approver the sealed credential and the lease facts). */
#define REQUEST_ANN_SECRET    "kubejit.io/request-secret"
#define REQUEST_ANN_NAMESPACE "kubejit.io/request-namespace"
#define REQUEST_ANN_TTL       "kubejit.io/request-ttl" /* seconds, "0" = the secret's default */
#define REQUEST_ANN_REASON    "kubejit.io/request-reason"
#define REQUEST_ANN_EXPIRES   "kubejit.io/request-expires" /* seconds the request stays open */
#define REQUEST_ANN_SEALED    "kubejit.io/request-credential"
#define REQUEST_ANN_LEASE     "kubejit.io/request-lease"
#define REQUEST_ANN_LEASE_EXP "kubejit.io/request-lease-expires" /* RFC 3339 */
#define REQUEST_ANN_DECIDER   "kubejit.io/request-decided-by"

/* Condition reasons kubejit writes. */
#define REQUEST_REASON_APPROVED "KubejitApproved"
#define REQUEST_REASON_DENIED   "KubejitDenied"

/* How long a request stays open.  The upper bound is below the 24 h after
 * which kube-controller-manager's CSR cleaner deletes a pending CSR
 * (pkg/controller/certificates/cleaner/cleaner.go). */
#define REQUEST_DEFAULT_EXPIRY 3600
#define REQUEST_MIN_EXPIRY     1
#define REQUEST_MAX_EXPIRY     (23 * 3600)
#define REQUEST_REASON_MAX     512

/* Audit actions (both sides). */
#define REQUEST_AUDIT_CREATE  "request"
#define REQUEST_AUDIT_APPROVE "request-approve"
#define REQUEST_AUDIT_DENY    "request-deny"
#define REQUEST_AUDIT_CANCEL  "request-cancel"
#define REQUEST_AUDIT_COLLECT "request-collect"
#define REQUEST_AUDIT_EXPIRE  "request-expire"

enum request_state {
	REQUEST_PENDING = 0, /* waiting for an approver */
	REQUEST_APPROVED,    /* approved; the sealed credential waits (see `delivered`) */
	REQUEST_DENIED,
	REQUEST_EXPIRED,   /* not decided (or not collected) in time */
	REQUEST_COLLECTED, /* the requester took the credential (local record) */
	REQUEST_CANCELLED, /* the requester withdrew it (local record) */
};
/* "pending", "approved", "denied", "expired", "collected", "cancelled". */
const char *request_state_name(enum request_state s);

struct request {
	char *id;     /* the CSR's name ("kjr-" + 10 random characters) */
	char *uid;    /* the CSR's metadata.uid */
	char *target; /* the target it was read through */
	/* The requester as the API server authenticated it (spec.username,
	 * spec.groups, spec.uid): never what the requester wrote. */
	char *requester;
	struct kj_strv requester_groups;
	char *requester_uid; /* may be NULL */
	char *secret;        /* secret path asked for */
	char *ns;            /* namespace asked for; NULL = the secret's */
	int64_t ttl;         /* seconds asked for; 0 = the secret's default */
	char *reason;
	int64_t created_at; /* metadata.creationTimestamp: the server's clock */
	int64_t expires_at; /* created_at + how long it stays open; once approved,
	                       when the minted lease ends */
	enum request_state state;
	char *decided_by;   /* approver or denier as its kubejit recorded it; NULL while pending */
	char *deny_reason;  /* NULL unless denied */
	int64_t decided_at; /* 0 while pending */
	char *lease_id;     /* the approver's lease; NULL before approval */
	int delivered;      /* 1: the sealed credential is in the cluster */
	int mine;           /* 1: this home holds the request's private key */
};
void request_done(struct request *r);
void request_list_free(struct request *v, size_t n);

/* ---- requester side ------------------------------------------------------ */
struct request_new {
	const char *target; /* requester's target; NULL = the only one */
	const char *secret; /* path of the secret in the approver's kubejit */
	const char *ns;     /* NULL = the secret's default */
	int64_t ttl;        /* seconds; 0 = the secret's default */
	const char *reason; /* required, at most REQUEST_REASON_MAX bytes */
	int64_t expires_in; /* seconds the request stays open; 0 = REQUEST_DEFAULT_EXPIRY */
};
/* Make the key pair, submit the CSR, keep the private key locally, audit.
 * *out (may be NULL) is the request as the server recorded it. */
int request_create(struct engine *en, const struct request_new *rq, struct request *out, kj_err *e);

/* Collect an approved request: decrypt the credential with the local key,
 * delete the CSR from the cluster, mark the local record collected, audit.
 * *out is filled as by mint_run() (token, lease id and expiry, cluster,
 * namespace) so output_render() prints any format; free with
 * mint_result_done().  Errors: KJ_ERR_CONFLICT while still pending (or
 * approved but not yet delivered), KJ_ERR_DENIED when denied (message has
 * the reason), KJ_ERR_NOTFOUND for an unknown id or no local key,
 * KJ_ERR_AUTH when the ciphertext does not open with our key. */
int request_collect(struct engine *en, const char *target, const char *id, struct mint_result *out,
                    kj_err *e);

/* request_collect() until it succeeds, fails otherwise, the request
 * expires, or `progress` returns non-zero (KJ_ERR_CANCELLED).  `progress`
 * (may be NULL) is called about twice a second with the current state. */
typedef int (*request_wait_fn)(void *ud, enum request_state state);
int request_wait(struct engine *en, const char *target, const char *id, request_wait_fn progress, void *ud,
                 struct mint_result *out, kj_err *e);

/* Withdraw a pending (or uncollected) request of this home: delete the CSR
 * with its credential, mark the local record cancelled, audit. */
int request_cancel(struct engine *en, const char *target, const char *id, kj_err *e);

/* ---- both sides ------------------------------------------------------------ */
enum {
	REQUEST_LIST_ALL = 1u << 0,   /* also decided and expired requests (default: pending) */
	REQUEST_LIST_LOCAL = 1u << 1, /* also this home's collected/cancelled records */
};
/* Every kubejit request on the target's cluster (a list of CSRs with
 * signer REQUEST_SIGNER), newest first.  Expired ones are deleted from the
 * cluster on the way (best effort, audited) and listed as expired. */
int request_list(struct engine *en, const char *target, unsigned flags, struct request **out, size_t *n,
                 kj_err *e);
/* This home's own requests that are still open (pending or approved, not
 * collected), from its local records only: no cluster call. */
int request_list_local(struct engine *en, struct request **out, size_t *n, kj_err *e);
/* One request by id (KJ_ERR_NOTFOUND when neither the cluster nor this
 * home knows it). */
int request_get(struct engine *en, const char *target, const char *id, struct request *out, kj_err *e);
/* Delete the target's expired requests (and denied ones past their time)
 * with their ciphertext, audited; `ids` gets the ids deleted (or, with
 * `dry_run`, those that would be).  For `kubejit sweep`: an approved CSR
 * that never got a certificate is never removed by kube-controller-manager's
 * CSR cleaner, so kubejit removes it. */
int request_sweep(struct engine *en, const char *target, int dry_run, struct kj_strv *ids, kj_err *e);
/* Number of pending requests on the target's cluster (status-bar counter). */
int request_count_pending(struct engine *en, const char *target, size_t *n, kj_err *e);

/* ---- approver side --------------------------------------------------------- */
struct request_approve_opts {
	int64_t ttl; /* 0 = as requested; else at most what was requested */
	mint_step_fn step;
	void *step_ud;
	int64_t ready_timeout_ms; /* passed to mint_run() */
};
/* Check the request (pending, not expired, secret known here, namespace and
 * TTL within the secret, not the approver's own unless the secret allows
 * self-approval, the approver may `approve` the signer), mint with the
 * secret's target, approve, seal the credential to the requester's key and
 * store the ciphertext on the CSR; audit.  *lease_id (may be NULL) gets the
 * minted lease (malloc'd).  Errors: KJ_ERR_DENIED (no `approve` on the
 * signer, self-approval, namespace or TTL beyond the secret),
 * KJ_ERR_CONFLICT (already decided), KJ_ERR_NOTFOUND (request or secret). */
int request_approve(struct engine *en, const char *target, const char *id,
                    const struct request_approve_opts *o, char **lease_id, kj_err *e);
/* Deny with a reason (required): a Denied condition; audit. */
int request_deny(struct engine *en, const char *target, const char *id, const char *reason, kj_err *e);

/* ---- RBAC -------------------------------------------------------------------- */
struct request_rbac_opts {
	int approver;      /* 0: what requesters need; 1: what approvers need */
	const char *name;  /* ClusterRole and binding; NULL = kubejit-requester / kubejit-approver */
	const char *user;  /* bind this User, or */
	const char *group; /* this Group (default kubejit:requesters / kubejit:approvers), or */
	const char *service_account; /* this ServiceAccount, "NAMESPACE:NAME" */
};
/* The minimum ClusterRole and its ClusterRoleBinding as YAML (malloc'd),
 * each rule with a comment saying which step needs it; NULL with `e`
 * (KJ_ERR_USAGE) on a bad name or more than one subject. */
char *request_rbac_yaml(const struct request_rbac_opts *o, kj_err *e);

/* "1h" etc. for --expires-in; KJ_ERR_INVALID outside the bounds above. */
int request_parse_expiry(const char *text, int64_t *out, kj_err *e);

#endif
