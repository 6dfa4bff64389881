/* model/target: the record of a saved cluster connection and its secret
 * material (how targets are added and checked is engine/target.h, how they
 * are stored is store/targets.h).
 *
 * Memory: every string in struct target / struct target_cred is heap
 * memory owned by the struct; release with target_done() /
 * target_cred_done() (the latter wipes), lists with target_list_free(). */
#ifndef KJ_MODEL_TARGET_H
#define KJ_MODEL_TARGET_H

#include <stddef.h>
#include <stdint.h>

/* How the target authenticates (the strategy it was set up with). */
enum target_auth {
	TARGET_AUTH_TOKEN = 0,   /* bearer token + CA + endpoint */
	TARGET_AUTH_CLIENT_CERT, /* client certificate (given, or made through a CSR) */
	TARGET_AUTH_IN_CLUSTER,  /* the pod's service account: token file + ca.crt */
	TARGET_AUTH_KUBECONFIG,  /* imported from a kubeconfig context */
	TARGET_AUTH_EXEC,        /* a kubeconfig user's credential plugin, run when a credential is needed */
};
#define TARGET_AUTH_COUNT 5

/* Outcome of the last preflight. */
enum target_health {
	TARGET_HEALTH_NEVER = 0, /* never checked */
	TARGET_HEALTH_OK,        /* reachable, authenticated, every mode ready */
	TARGET_HEALTH_WARN,      /* usable, but a mode lacks permissions or a credential expires soon */
	TARGET_HEALTH_FAIL,      /* unreachable, TLS or credentials rejected */
};

struct target {
	int64_t id;            /* 0 until saved */
	char *name;            /* DNS-1123 label */
	char *server;          /* "https://host:port" */
	char *ca_pem;          /* PEM bundle; NULL = the system trust store */
	char *tls_server_name; /* NULL = host of `server` */
	enum target_auth auth;

	/* Credentials that are not secret, or that stay on disk elsewhere. */
	char *token_file;         /* bearer token re-read from this file on every connect (in-cluster,
	                             kubeconfig tokenFile); NULL = token kept in the store */
	char *sa_dir;             /* in-cluster: service-account directory (token, ca.crt, namespace) */
	char *client_cert_pem;    /* client-cert (and kubeconfig with a cert): the certificate */
	int64_t cert_not_after;   /* expiry of client_cert_pem (unix s), 0 = no certificate */
	int64_t token_expires_at; /* expiry from the token's `exp`, 0 = unknown or none */
	char *csr_name;           /* CertificateSigningRequest that issued the certificate */
	char *kubeconfig_path;    /* kubeconfig import: where it came from */
	char *kubeconfig_context;
	char *exec_json;         /* exec: the plugin's settings (kube_exec_config_to_json) */
	char *proxy_url;         /* kubeconfig proxy-url; NULL = the environment's proxy */
	int disable_compression; /* kubeconfig disable-compression */
	char *renew_sa;          /* "namespace/name" of the ServiceAccount whose TokenRequest
	                            renews the token; NULL = the token cannot be renewed so */
	int64_t token_seconds;   /* expirationSeconds asked for when renewing */
	int64_t renewed_at;      /* last renewal (unix s), 0 = never */

	/* Last preflight. */
	char *identity; /* username the cluster saw (SelfSubjectReview) */
	enum target_health health;
	int64_t preflight_at;    /* unix s, 0 = never */
	char *preflight_summary; /* one line, for lists */
	char *preflight_json;    /* full report (preflight_report_to_json), for show/check */

	int64_t created_at;
	char *created_by; /* user@host */
	int64_t updated_at;
};

/* Secret material; only what the strategy needs is set. */
struct target_cred {
	char *token;          /* bearer token (NULL when token_file is used) */
	char *client_key_pem; /* private key of client_cert_pem */
	char *conn;           /* sealed stores: the sealed digest of the connection fields */
};

void target_done(struct target *t);
void target_cred_done(struct target_cred *c); /* wipes, then frees */
/* Deep copy; `dst` is overwritten. */
void target_copy(struct target *dst, const struct target *src);
void target_list_free(struct target *v, size_t n);

/* "token", "client-cert", "in-cluster", "kubeconfig", "exec" and back (-1 unknown). */
const char *target_auth_name(enum target_auth a);
int target_auth_parse(const char *s);
/* "never", "ok", "warn", "fail" and back (-1 unknown). */
const char *target_health_name(enum target_health h);
int target_health_parse(const char *s);

#endif
