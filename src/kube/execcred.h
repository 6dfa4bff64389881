/* execcred: client-go credential plugins (a kubeconfig user's `exec`).
 *
 * Runs the plugin the way client-go does (staging/src/k8s.io/client-go/
 * plugin/pkg/client/auth/exec/exec.go, API client.authentication.k8s.io v1
 * and v1beta1; v1alpha1 was removed in Kubernetes 1.24):
 *   - `command` is looked up on PATH unless it contains a '/', in which case
 *     kubeconfig_resolve() has made it absolute against the directory of the
 *     kubeconfig that named it (clientcmd ResolvePaths);
 *   - `args` as given; `env` added to this process's environment (the
 *     plugin's values win), plus KUBERNETES_EXEC_INFO, an ExecCredential
 *     whose spec.interactive says whether stdin is handed over and, with
 *     provideClusterInfo, spec.cluster describes the cluster;
 *   - interactiveMode Never (stdin is /dev/null), IfAvailable (stdin is
 *     passed when it is a terminal), Always (a terminal is required);
 *   - stdout is the answer (token, or client certificate and key, and an
 *     optional expirationTimestamp); it is never logged or echoed, and
 *     wiped after parsing;
 *   - stderr is read and passed on, as it comes, to this process's stderr
 *     stream (the command line's escapes control sequences,
 *     src/cli/safeout.c), or to the stderr hook when one is set (the TUI
 *     shows it instead of letting it scribble over curses); an interactive
 *     plugin talks to the terminal itself, as under kubectl.
 * While an interactive plugin runs, the tty hook is called with suspend = 1
 * before and 0 after, so a full-screen front end can leave curses mode.
 *
 * Memory: structs are owned by the caller; *_done() frees (and wipes the
 * credential).  Thread-safety: the hooks are process-wide and set once at
 * start-up; kube_exec_run() itself keeps no state. */
#ifndef KJ_KUBE_EXECCRED_H
#define KJ_KUBE_EXECCRED_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "util/err.h"

#define KUBE_EXEC_V1      "client.authentication.k8s.io/v1"
#define KUBE_EXEC_V1BETA1 "client.authentication.k8s.io/v1beta1"

enum kube_exec_interactive {
	KUBE_EXEC_NEVER = 0,
	KUBE_EXEC_IF_AVAILABLE,
	KUBE_EXEC_ALWAYS,
};

struct kube_exec_env {
	char *name, *value;
};

struct kube_exec_config {
	char *user; /* the kubeconfig user, for messages */
	char *api_version;
	char *command;
	char **args;
	size_t n_args;
	struct kube_exec_env *env;
	size_t n_env;
	enum kube_exec_interactive interactive;
	int provide_cluster_info;
	char *install_hint;
	char *cluster_config; /* JSON of the cluster's client.authentication.k8s.io/exec
	                         extension (spec.cluster.config), or NULL */
};
void kube_exec_config_done(struct kube_exec_config *c);
void kube_exec_config_copy(struct kube_exec_config *dst, const struct kube_exec_config *src);

/* From a kubeconfig user's `exec` mapping (strings as YAML gave them), with
 * client-go's validation: apiVersion and command required, interactiveMode
 * required for v1 (v1beta1 defaults to IfAvailable).  `dir` resolves a
 * command that contains a '/'. */
int kube_exec_config_from_kubeconfig(const cJSON *exec, const char *user, const char *dir,
                                     struct kube_exec_config *out, kj_err *e);
/* The store's form: a JSON object (kube_exec_config_to_json) and back. */
cJSON *kube_exec_config_to_json(const struct kube_exec_config *c);
int kube_exec_config_from_json(const char *json, struct kube_exec_config *out, kj_err *e);
/* "aws eks get-token ..." for messages (args joined, shortened). */
char *kube_exec_config_describe(const struct kube_exec_config *c);
const char *kube_exec_interactive_name(enum kube_exec_interactive m);

/* What KUBERNETES_EXEC_INFO tells a plugin about the cluster. */
struct kube_exec_cluster {
	const char *server;
	const char *tls_server_name;
	int insecure;
	const char *ca_pem; /* sent base64-encoded as certificate-authority-data */
	const char *proxy_url;
	int disable_compression;
};

struct kube_exec_cred {
	char *token;           /* secret */
	char *client_cert_pem; /* with client_key_pem */
	char *client_key_pem;  /* secret */
	int64_t expires_at;    /* unix s (kj_now clock); 0 = no expiry given */
};
void kube_exec_cred_done(struct kube_exec_cred *c);

/* Run the plugin and read its answer.  Errors name the command (never its
 * output): KJ_ERR_NOTFOUND when the executable is missing (with the install
 * hint), KJ_ERR_AUTH when it fails or answers wrongly, KJ_ERR_USAGE when it
 * needs a terminal and stdin is none. */
int kube_exec_run(const struct kube_exec_config *c, const struct kube_exec_cluster *cl,
                  struct kube_exec_cred *out, kj_err *e);

/* 1 when the credential must be fetched again at `now`: client-go reuses it
 * until strictly after expirationTimestamp. */
int kube_exec_cred_expired(const struct kube_exec_cred *c, int64_t now);

typedef void (*kube_exec_tty_fn)(int suspend, void *ud);
typedef void (*kube_exec_stderr_fn)(const char *text, void *ud);
/* Process-wide hooks (NULL = none): see the top of this file. */
void kube_exec_set_hooks(kube_exec_tty_fn tty, kube_exec_stderr_fn err, void *ud);

/* Counts plugin runs in this process, for tests and benchmarks. */
uint64_t kube_exec_runs(void);

#endif
