/* target: saved connections to clusters, as the front ends see them.
 *
 * A target is a cluster endpoint plus credentials that hold the
 * privileges kubejit mints with.  Four ways to set one up:
 *   token        bearer token + CA + endpoint;
 *   client-cert  a client certificate and key, given, or made here: a new
 *                RSA-2048 / EC P-256 key, a CSR submitted as a
 *                CertificateSigningRequest, approved (by us when the
 *                submitting credentials may, else by an admin), fetched;
 *   in-cluster   the pod's service account (KUBERNETES_SERVICE_HOST/PORT;
 *                the token file and ca.crt are re-read on every connect,
 *                since both rotate);
 *   kubeconfig   copied from a kubeconfig context (token, tokenFile, client
 *                certificate; auth-provider users are refused);
 *   exec         a kubeconfig context whose user is an exec credential
 *                plugin: the target keeps the plugin's settings (never a
 *                credential) and runs it whenever it needs one.
 * Kubeconfig imports keep the cluster's proxy-url and disable-compression.
 *
 * Adding runs a preflight first (preflight.h); if the cluster cannot be
 * reached or refuses the credentials nothing is saved.  Missing permissions
 * do not stop the save: the report says what is missing and how to grant it.
 *
 * The record itself (struct target, struct target_cred) is defined in
 * model/target.h; every string in it is owned by the struct (target_done).
 * Secret inputs (token, key) are read by the caller from files or stdin,
 * never from argv, passed here in memory, and wiped by the caller.
 *
 * All functions return 0 or -1 with `e` filled (kj_err classes: NOTFOUND
 * for a missing target, CONFLICT for a taken name, NETWORK for unreachable
 * or TLS failures, AUTH for rejected credentials, INVALID for bad input,
 * DENIED when RBAC refuses, FAIL otherwise). */
#ifndef KJ_ENGINE_TARGET_H
#define KJ_ENGINE_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "model/target.h"
#include "util/err.h"
#include "util/strv.h"

struct preflight_report;

/* Audit actions written by target_add/remove/bootstrap (engine/audit.h). */
#define TARGET_AUDIT_ADD         "target-add"
#define TARGET_AUDIT_REMOVE      "target-remove"
#define TARGET_AUDIT_BOOTSTRAP   "target-bootstrap"
#define TARGET_AUDIT_RENEW       "target-renew"
#define TARGET_AUDIT_UNBOOTSTRAP "target-bootstrap-remove"

/* The label target_bootstrap() puts on what it creates: the target's name. */
#define TARGET_BOOTSTRAP_LABEL "kubejit.io/bootstrap-target"

/* Where the service-account files are when none is given. */
#define TARGET_SA_DIR_DEFAULT "/var/run/secrets/kubernetes.io/serviceaccount"

enum target_key_type {
	TARGET_KEY_RSA2048 = 0,
	TARGET_KEY_EC_P256,
};

/* Progress during long steps (CSR waiting for approval).  `msg` is one
 * translated line, e.g. the exact `kubectl certificate approve NAME` to
 * run, or NULL for a tick while waiting (about twice a second).  Return
 * non-zero to cancel (the add fails with KJ_ERR_CANCELLED and cleans up). */
typedef int (*target_progress_fn)(void *ud, const char *msg);

/* What the user asked for.  Strings are borrowed for the call. */
struct target_spec {
	const char *name; /* DNS-1123 label, unique */
	enum target_auth auth;
	const char *server;          /* required for token and client-cert; in-cluster and
	                                kubeconfig take it from their source when NULL */
	const char *ca_pem;          /* PEM (or base64 of PEM); NULL = from the source / system trust */
	const char *tls_server_name; /* optional */

	/* token */
	const char *token; /* secret, in memory */

	/* client-cert, given */
	const char *client_cert_pem;
	const char *client_key_pem; /* secret */

	/* client-cert, made through a CertificateSigningRequest: set csr = 1.
	 * The CSR is submitted with `token` when set, else with the kubeconfig
	 * context below (kubeconfig_path / context, NULL = the current one). */
	int csr;
	const char *csr_cn;  /* the user name the certificate will carry */
	const char *csr_org; /* optional group (Subject O) */
	enum target_key_type key_type;
	int64_t approve_timeout; /* seconds to wait for approval; 0 = 5 minutes */
	int64_t issue_timeout;   /* seconds for the signer after approval; 0 = 1 minute */
	int64_t cert_seconds;    /* spec.expirationSeconds asked for; 0 = signer default */

	/* in-cluster */
	const char *sa_dir; /* NULL = TARGET_SA_DIR_DEFAULT */

	/* kubeconfig (and the CSR submitter) */
	const char *kubeconfig_path; /* NULL = $KUBECONFIG (first file), else ~/.kube/config */
	const char *context;         /* NULL = current-context */

	target_progress_fn progress;
	void *progress_ud;

	/* 1: the target exists and gets this new connection (rotated token,
	 * renewed certificate); its name, secrets and leases stay.  Nothing
	 * changes unless the new connection passes preflight. */
	int replace;
};

/* Result of an add or check. */
struct target_add_result {
	struct target target;            /* the saved record */
	struct preflight_report *report; /* free with preflight_report_free() */
	char *csr_name;                  /* CSR made, if any */
	char **notices;                  /* translated lines for the user (warnings); NULL-terminated */
};
void target_add_result_done(struct target_add_result *r);

/* Check input, build the credentials (making key + certificate for a CSR),
 * preflight, and save target + secret material in one transaction.  On any
 * failure nothing is left in the store, or, with spec->replace, the old
 * connection is kept (a CSR that found no use is deleted again where the
 * credentials allow). */
int target_add(struct engine *en, const struct target_spec *spec, struct target_add_result *out, kj_err *e);

/* All saved targets, sorted by name. */
int target_list(struct engine *en, struct target **out, size_t *n, kj_err *e);

/* One target by name (no secret material). */
int target_get(struct engine *en, const char *name, struct target *out, kj_err *e);

/* The secret material of a saved target (for `show --reveal` and exports);
 * wipe with target_cred_done(). */
int target_get_cred(struct engine *en, const char *name, struct target_cred *out, kj_err *e);

/* What `target show` prints: the target, its secret material only when
 * `reveal` (else left empty), and its last preflight (NULL when it was never
 * checked or the stored report no longer reads). */
struct target_details {
	struct target t;
	struct target_cred cred;
	struct preflight_report *report;
};
int target_details_get(struct engine *en, const char *name, int reveal, struct target_details *out,
                       kj_err *e);
void target_details_done(struct target_details *d);

/* Preflight a saved target now and record the outcome in the store (also
 * when it fails).  It connects afresh, replacing the engine's cached client
 * of this target: pointers from an earlier engine_client() for it become
 * invalid.  Namespace-only grants are looked for in the account's own
 * namespace, "default", the namespaces the target's secrets mint in, and
 * `namespaces` (NULL-terminated, may be NULL). */
int target_check(struct engine *en, const char *name, const char *const *namespaces,
                 struct preflight_report **out, kj_err *e);

/* What `target check` prints, from one call: target_check()'s report and the
 * target as saved after the check (its expiry and renewal).  `have_target`
 * is 0 when the target could not be read back; `report` may be set also
 * when the call fails (the failure is in it).  Free with
 * target_check_result_done(). */
struct target_check_result {
	struct preflight_report *report;
	struct target t;
	int have_target;
};
int target_check_report(struct engine *en, const char *name, const char *const *namespaces,
                        struct target_check_result *out, kj_err *e);
void target_check_result_done(struct target_check_result *r);

/* Remove a target and its secret material (nothing changes on the
 * cluster).  Fails with KJ_ERR_CONFLICT while secrets or live leases still
 * name it.  Drops the cached client, as target_check() does. */
int target_remove(struct engine *en, const char *name, kj_err *e);

/* "aws eks get-token ... (client.authentication.k8s.io/v1beta1,
 * interactiveMode IfAvailable)" for an exec target, NULL for others. */
char *target_exec_describe(const struct target *t);
/* The target's proxy-url without credentials, NULL when it has none. */
char *target_proxy_display(const struct target *t);

/* The kubeconfig kubectl would read ($KUBECONFIG, else ~/.kube/config), for
 * a form to start from; NULL when neither is set.  Malloc'd. */
char *target_kubeconfig_default(void);
/* Append the context names of the kubeconfig at `paths` (":"-separated as
 * $KUBECONFIG; NULL or "" = target_kubeconfig_default()) to `out`, in file
 * order, as the import of a context reads the file (the same loader, so a
 * picker offers exactly the contexts an import accepts).  0, or -1 with the
 * loader's error (file:line:column for YAML errors). */
int target_kubeconfig_contexts(const char *paths, struct kj_strv *out, kj_err *e);

/* Seconds until the target's client certificate (or stored token) expires;
 * INT64_MAX when there is no expiry.  Negative once expired. */
int64_t target_expires_in(const struct target *t);
/* 1 when that falls within the engine's warning window (engine_cert_warn). */
int target_expiry_warning(struct engine *en, const struct target *t);

/* --- renewal --------------------------------------------------------------- */

/* A token target whose token is a ServiceAccount's expiring JWT renews it
 * with a TokenRequest for that ServiceAccount, asked as itself, once 80 %
 * of its lifetime has passed (kubelet rotates projected tokens alike); the
 * new token is sealed like the first when the store is sealed.  It needs
 * `create serviceaccounts/token` on its own account, which both bootstrap
 * modes grant.  engine_client() renews on the way when it is due; a
 * failed renewal keeps the current token and is tried again a minute later.
 * A client-certificate target is not renewed this way: its expiry is
 * warned about ahead (engine_cert_warn). */

/* Fill t->renew_sa and t->token_seconds from `token`'s claims (cleared when
 * it is not an expiring ServiceAccount token). */
void target_token_renewal(struct target *t, const char *token);
/* When the token is due for renewal (unix s), 0 when it is never renewed. */
int64_t target_renew_due(const struct target *t);

struct target_renew_result {
	int64_t expires_at;    /* the new token's (or certificate's) expiry */
	int64_t renewed_at;    /* now */
	int64_t seconds;       /* lifetime granted (the cluster may cap it) */
	char *service_account; /* "namespace/name"; NULL for a certificate */
	char *csr_name;        /* a certificate's new CertificateSigningRequest, else NULL */
	char **warnings;       /* the cluster's Warning headers; NULL-terminated */
};
void target_renew_result_done(struct target_renew_result *r);

/* Renew the target's token now (`kubejit target renew NAME`), or its client
 * certificate when it was made through a CertificateSigningRequest: a new
 * key and a new request for the same user name, group and lifetime,
 * submitted and approved as the target itself (it needs `create` on
 * certificatesigningrequests, `update` on their approval subresource and
 * `approve` on the kubernetes.io/kube-apiserver-client signer), then waited
 * for until the signer issues; the certificate and the new key replace the
 * old ones in one transaction and the old key is wiped.  Fails with
 * KJ_ERR_INVALID for targets that cannot renew (strategy, no expiring
 * ServiceAccount token, a certificate not made through a CSR), KJ_ERR_DENIED
 * when the account may not, KJ_ERR_AUTH when its token or certificate has
 * already expired, KJ_ERR_FAIL when the cluster's signer does not issue. */
int target_renew(struct engine *en, const char *name, struct target_renew_result *out, kj_err *e);

/* Used by engine_client(): renew `t` (+ `cred`, opened) in place when due
 * (80 % of the token's or the CSR-made certificate's lifetime).
 * Returns 1 when renewed, 0 when not due or it failed (the failure is
 * recorded in `e` for the caller to show or not). */
int target_renew_if_due(struct engine *en, struct target *t, struct target_cred *cred, kj_err *e);

/* --- bootstrap ----------------------------------------------------------- */

enum target_mode {
	TARGET_MODE_FIXED = 0, /* tokens for existing service accounts (+ revocable anchors) */
	TARGET_MODE_DYNAMIC,   /* new service accounts, roles and bindings per lease */
};
const char *target_mode_name(enum target_mode m); /* "fixed", "dynamic" */
int target_mode_parse(const char *s);             /* -1 unknown */

struct target_bootstrap_spec {
	const char *name; /* target to save */
	enum target_mode mode;
	const char *kubeconfig_path; /* admin kubeconfig; NULL = default */
	const char *context;         /* admin context; NULL = current */
	const char *namespace_;      /* of the privileged ServiceAccount; NULL = "kube-system" */
	const char *sa_name;         /* NULL = "kubejit-fixed" / "kubejit-dynamic" */
	int64_t token_seconds;       /* TokenRequest expirationSeconds; 0 = 1 year */
	target_progress_fn progress;
	void *progress_ud;
};

/* With the admin context: apply the ServiceAccount, ClusterRole and
 * ClusterRoleBinding of rbac_manifest for the mode (create, or update when
 * they exist), mint the ServiceAccount's token with TokenRequest, then add
 * the target (token strategy, the admin context's server and CA) as
 * target_add() does. */
/* Refuse a kubeconfig context kubejit would not send credentials through:
 * insecure-skip-tls-verify without a CA, or a `server` (the context's, or
 * the one that overrides it) that is not https://.  One rule for
 * --from-kubeconfig, the CSR submitter and bootstrap's admin context. */
struct kube_context_info;
int target_check_context(const struct kube_context_info *ci, const char *server, kj_err *e);

int target_bootstrap(struct engine *en, const struct target_bootstrap_spec *spec,
                     struct target_add_result *out, kj_err *e);

/* --- undoing a bootstrap ------------------------------------------------------ */

struct target_bootstrap_object {
	char *kind; /* "ClusterRoleBinding", "ClusterRole", "ServiceAccount" */
	char *ns;   /* NULL for cluster-scoped objects */
	char *name;
};
struct target_bootstrap_found {
	struct target_bootstrap_object *v; /* in deletion order: bindings, roles, accounts */
	size_t n;
};
void target_bootstrap_found_done(struct target_bootstrap_found *f);

/* With the admin context (kubeconfig_path/context of `spec`; mode and the
 * rest are ignored): the objects bootstrap made for target spec->name,
 * found by their TARGET_BOOTSTRAP_LABEL.  Fails with KJ_ERR_CONFLICT while
 * the target has live leases (they need its account to be revoked). */
int target_bootstrap_find(struct engine *en, const struct target_bootstrap_spec *spec,
                          struct target_bootstrap_found *out, kj_err *e);
/* Find them again and delete them (bindings first, so the account loses
 * its rights at once; 404 counts as gone), then remove the target from the
 * store unless secrets still name it (*target_kept = 1 then). */
int target_bootstrap_remove(struct engine *en, const struct target_bootstrap_spec *spec,
                            struct target_bootstrap_found *deleted, int *target_kept, kj_err *e);

#endif
