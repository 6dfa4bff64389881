/* kubeconfig: read and write kubectl configuration files (libyaml).
 *
 * Reading: kubeconfig_load() takes a colon-separated list of files (as
 * $KUBECONFIG); NULL means $KUBECONFIG, else ~/.kube/config.  Files are merged
 * the way kubectl does: the first file that defines a cluster, user or context
 * name (or current-context) wins; missing files in the list are skipped.
 * kubeconfig_resolve() turns a context into what a kube_client needs: paths
 * (certificate-authority, client-certificate, client-key) are read into
 * memory, relative to the file that named them; tokenFile stays a path (the
 * client re-reads it).  An exec user becomes a kube_exec_config (its command
 * made absolute when it names a path, as clientcmd does); auth-provider
 * users, which kubectl no longer supports, are refused with the name of the
 * exec plugin that replaced each.
 *
 * Writing: kubeconfig_render() emits one cluster + one user + one context with
 * libyaml's emitter (so every scalar is quoted correctly);
 * kubeconfig_write() creates the file 0600 with O_EXCL unless `force`, and
 * writes it in full or not at all.
 *
 * Memory: everything returned is owned by the caller and freed with the
 * matching *_free/_done function; secrets (token, client key) are wiped.
 * Thread-safety: no shared state; a struct kubeconfig is read-only after load. */
#ifndef KJ_KUBE_KUBECONFIG_H
#define KJ_KUBE_KUBECONFIG_H

#include <stddef.h>

#include "kube/execcred.h"
#include "kube/http.h"
#include "util/err.h"

struct kubeconfig;

/* Load and merge `paths` (colon-separated; NULL = $KUBECONFIG or
 * ~/.kube/config).  Fails with KJ_ERR_NOTFOUND when no file exists, and with
 * KJ_ERR_INVALID (file:line:column) on YAML errors. */
/* Where kubectl looks when no file is given: $KUBECONFIG (a ":"-separated
 * list) when set, else $HOME/.kube/config; NULL when neither is set.
 * Malloc'd. */
char *kubeconfig_default_paths(void);

int kubeconfig_load(const char *paths, struct kubeconfig **out, kj_err *e);
/* Parse one document from memory; `origin` names it in errors and is the
 * base for relative paths (its directory). */
int kubeconfig_load_buffer(const char *yaml, size_t len, const char *origin, struct kubeconfig **out,
                           kj_err *e);
void kubeconfig_free(struct kubeconfig *kc);

size_t kubeconfig_n_contexts(const struct kubeconfig *kc);
const char *kubeconfig_context_name(const struct kubeconfig *kc, size_t i); /* in file order */
const char *kubeconfig_current_context(const struct kubeconfig *kc);        /* NULL if unset */

/* A context resolved into connection material. */
struct kube_context_info {
	char *context, *cluster, *user;
	char *namespace; /* NULL if the context sets none */
	char *server;
	char *ca_pem;  /* from certificate-authority-data or -authority (read) */
	char *ca_path; /* the certificate-authority path if one was given */
	char *tls_server_name;
	char *proxy_url;                          /* proxy-url, or NULL */
	int insecure;                             /* insecure-skip-tls-verify */
	int disable_compression;                  /* disable-compression */
	char *token;                              /* secret */
	char *token_file;                         /* tokenFile (absolute) */
	char *client_cert_pem;                    /* from -data or file */
	char *client_key_pem;                     /* secret */
	char *client_cert_path, *client_key_path; /* if given as paths */
	struct kube_exec_config *exec;            /* exec user without a token or certificate */
};
void kube_context_info_done(struct kube_context_info *ci);

/* Resolve `context` (NULL = current-context).  Unknown context ->
 * KJ_ERR_NOTFOUND listing the available ones; auth-provider user or a bad
 * exec section -> KJ_ERR_INVALID; a user with no usable credentials is
 * allowed (token, certs and exec NULL) — the caller decides. */
int kubeconfig_resolve(const struct kubeconfig *kc, const char *context, struct kube_context_info *out,
                       kj_err *e);

/* Point `conn` at the fields of `ci` (no copies: `ci` must outlive `conn`'s
 * use in kube_client_new, which copies them).  Timeouts and the rest are
 * left as they were. */
void kube_context_to_conn(const struct kube_context_info *ci, struct kube_conn *conn);

/* ---- writing -------------------------------------------------------------- */
struct kubeconfig_env {
	const char *name, *value;
};
struct kubeconfig_spec {
	const char *cluster_name; /* names; NULL = "kubejit" */
	const char *user_name;
	const char *context_name;
	const char *server;
	const char *ca_pem;          /* written as certificate-authority-data (base64) */
	const char *tls_server_name; /* optional */
	int insecure;                /* written only when true and no CA */
	const char *namespace;       /* context namespace, optional */
	/* user: a token, or client cert + key, or an exec plugin */
	const char *token; /* secret */
	const char *client_cert_pem, *client_key_pem;
	const char *exec_command;     /* exec user when set */
	const char *exec_api_version; /* NULL = "client.authentication.k8s.io/v1" */
	const char *const *exec_args;
	size_t n_exec_args;
	const struct kubeconfig_env *exec_env;
	size_t n_exec_env;
	int exec_provide_cluster_info;
	const char *exec_install_hint; /* optional */
};
/* YAML text (malloc'd; holds secrets when a token/key is in the spec: free
 * with kj_free_secret). Writes interactiveMode: Never for exec users. */
char *kubeconfig_render(const struct kubeconfig_spec *spec, kj_err *e);
/* Render and write to `path` (mode 0600; O_EXCL unless `force`, in which case
 * an existing file is replaced atomically through a temporary file in the
 * same directory). */
int kubeconfig_write(const char *path, const struct kubeconfig_spec *spec, int force, kj_err *e);

#endif
