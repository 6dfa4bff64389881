/* demo: the embedded demo cluster, an HTTPS server speaking the Kubernetes API.
 *
 * Used three ways: `kubejit demo-cluster` (foreground server), `kubejit --demo`
 * (in-process, throwaway state) and the test suites (in-process, free port).
 * Call order: demo_start() -> accessors / faults -> demo_stop().  The server
 * runs on its own threads; every function here is thread-safe.  Strings
 * returned by accessors are owned by the cluster and live until demo_stop().
 * The cluster reads time through kj_now(), so tests may shift it. */
#ifndef KJ_DEMO_DEMO_H
#define KJ_DEMO_DEMO_H

#include <stdint.h>

#include "util/err.h"

struct demo_cluster;

struct demo_opts {
	const char *listen;           /* "127.0.0.1:0" when NULL; port 0 = pick a free one */
	const char *state_dir;        /* CA, keys, tokens, kubeconfig; NULL = new temp dir, removed on stop */
	const char *seed_file;        /* YAML seed; NULL = the built-in seed (data/seed.yaml content) */
	const char *kubeconfig_out;   /* admin kubeconfig path; NULL = <state_dir>/admin.kubeconfig */
	int64_t max_token_expiration; /* seconds; 0 = no cap */
	int seed_approver;            /* also let kube-system/kubejit-jit approve access requests
	                                 (ClusterRole kubejit-approver, as `kubejit rbac approver`) */

	/* Production behaviour, on by default: a zeroed struct gets what a
	 * kube-apiserver v1.32 with its controller manager does.  Durations are
	 * milliseconds; 0 means the default, DEMO_ZERO a real zero (off). */
	int64_t token_cache_ttl_ms;  /* successful token authentications cached: 10 s */
	int64_t rbac_delay_ms;       /* RBAC changes reach the authorizer after: 250 ms */
	int64_t gc_delay_ms;         /* garbage and namespace collectors act after: 1 s */
	int64_t csr_signer_delay_ms; /* an approved CSR is signed after: 1 s */
	int csr_signer_none;         /* 1: the kube-apiserver-client signer never issues */
	int max_inflight;            /* requests in flight before 429: 400; DEMO_ZERO = no limit */
	int64_t latency_ms;          /* added to every response: 0 */
	const char *const *faults;   /* NULL-terminated fault specs (demo_fault_parse) */
};
#define DEMO_ZERO (-1)

int demo_start(const struct demo_opts *opts, struct demo_cluster **out, kj_err *e);
void demo_stop(struct demo_cluster *dc);

const char *demo_url(const struct demo_cluster *dc); /* "https://127.0.0.1:PORT" */
int demo_port(const struct demo_cluster *dc);
const char *demo_ca_pem(const struct demo_cluster *dc); /* PEM of the cluster CA */
const char *demo_state_dir(const struct demo_cluster *dc);
const char *demo_kubeconfig_path(const struct demo_cluster *dc); /* admin kubeconfig */
/* Admin credentials: a client certificate in system:masters and a static token. */
const char *demo_admin_cert_pem(const struct demo_cluster *dc);
const char *demo_admin_key_pem(const struct demo_cluster *dc);
const char *demo_admin_token(const struct demo_cluster *dc);
/* A second person for approval demos: a client certificate for the user
 * "developer" (group "developers"), whom the seed binds only to the
 * ClusterRole kubejit-requester (what `kubejit rbac requester` prints), and
 * a kubeconfig for it (<state>/developer.kubeconfig, 0600). */
#define DEMO_DEVELOPER_USER  "developer"
#define DEMO_DEVELOPER_GROUP "developers"
const char *demo_developer_cert_pem(const struct demo_cluster *dc);
const char *demo_developer_key_pem(const struct demo_cluster *dc);
const char *demo_developer_kubeconfig_path(const struct demo_cluster *dc);
/* Bearer token of a seeded privileged ServiceAccount ("kube-system/token-request-sa",
 * "kube-system/kubejit-jit", "kubernetes-dashboard/kubernetes-dashboard"), as written to
 * <state>/tokens/<name>.token; NULL if unknown or before the auth modules mint tokens. */
const char *demo_account_token(const struct demo_cluster *dc, const char *ns_name);

/* Fault injection for tests; off by default.  A fault fires on the `nth`
 * (1-based) request whose method matches (NULL = any) and whose path matches
 * the glob `path` (e.g. "/apis/rbac.authorization.k8s.io/v1/namespaces/ * /roles"
 * without spaces), then disarms. */
enum demo_fault_kind {
	DEMO_FAULT_STATUS, /* answer with `status` and a matching Status body */
	DEMO_FAULT_DELAY,  /* sleep delay_ms, then serve normally */
	DEMO_FAULT_DROP,   /* close the connection without an answer */
};
int demo_fault_add(struct demo_cluster *dc, const char *method, const char *path, int nth,
                   enum demo_fault_kind kind, int status, int delay_ms);
void demo_fault_clear(struct demo_cluster *dc);
/* Add a fault from its text form METHOD:PATH-GLOB:NTH:ACTION, where METHOD
 * is an HTTP method or "*", ACTION is status=CODE, delay=DUR or drop
 * ("POST:/api/v1/namespaces/ * /serviceaccounts:1:status=503", no spaces).
 * Returns 0, or -1 with e set (what is wrong, KJ_ERR_USAGE). */
int demo_fault_add_spec(struct demo_cluster *dc, const char *spec, kj_err *e);

/* "250ms", "1s", "1m30s", "0": Go-style duration to milliseconds.  `what`
 * names the option in errors.  0 or -1 with e set (KJ_ERR_USAGE). */
int demo_duration_parse(const char *s, const char *what, int64_t *ms, kj_err *e);

/* Compact the store's history now, as kube-apiserver does every 5 minutes:
 * continue tokens and watch resourceVersions from before this point answer
 * 410 Gone (reason Expired). */
void demo_compact(struct demo_cluster *dc);

struct demo_stats {
	uint64_t requests;       /* HTTP requests answered */
	uint64_t connections;    /* TCP connections accepted */
	uint64_t tls_handshakes; /* completed TLS handshakes */
	uint64_t throttled;      /* 429 Too Many Requests answers */
};
void demo_get_stats(const struct demo_cluster *dc, struct demo_stats *out);

#endif
