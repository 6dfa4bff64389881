/* output: what a minted credential looks like to the user and to kubectl.
 *
 * Formats: the raw token; an ExecCredential (client.authentication.k8s.io v1
 * or v1beta1) with status.token and status.expirationTimestamp; a complete
 * kubeconfig (cluster with CA data and TLS server name, user with the token,
 * context with the namespace, current-context); and kubejit's JSON (lease
 * details plus the token).  Pure string builders: the result is malloc'd and
 * holds the token, so free it with kj_free_secret().
 *
 * output_write_file() writes 0600, refuses to replace an existing file unless
 * `force`, and replaces atomically (temp file + rename) when it does. */
#ifndef KJ_ENGINE_OUTPUT_H
#define KJ_ENGINE_OUTPUT_H

#include <stdint.h>

#include "engine/mint.h"
#include "util/err.h"

enum output_format {
	OUTPUT_TOKEN = 0,
	OUTPUT_EXEC,         /* ExecCredential v1 */
	OUTPUT_EXEC_V1BETA1, /* ExecCredential v1beta1 */
	OUTPUT_KUBECONFIG,
	OUTPUT_JSON,
};

/* "token", "exec" (= v1), "exec-v1beta1", "kubeconfig", "json". */
int output_format_parse(const char *s, enum output_format *out, kj_err *e);

/* ExecCredential JSON; `api_version` "client.authentication.k8s.io/v1" or
 * ".../v1beta1"; expiry 0 omits expirationTimestamp. */
char *output_exec_credential(const char *api_version, const char *token, int64_t expiry);

struct output_kubeconfig {
	const char *cluster_name; /* also used for the context name */
	const char *server;
	const char *ca_pem;          /* NULL: no certificate-authority-data */
	const char *tls_server_name; /* NULL: omitted */
	const char *user_name;
	const char *token;
	const char *ns; /* context namespace, NULL: omitted */
};
/* Rendered by kube/kubeconfig.c (kubeconfig_render); NULL without a server. */
char *output_kubeconfig(const struct output_kubeconfig *k);

/* Render a mint result in `f` (names derived from target and secret); the
 * text ends with a newline, a token included. */
char *output_render(const struct mint_result *r, enum output_format f);

/* Write `data` to `path` with mode 0600.  Existing file without `force`:
 * KJ_ERR_CONFLICT with a hint to pass --force. */
int output_write_file(const char *path, const char *data, int force, kj_err *e);

struct engine;

/* What `kubejit kubeconfig` asks for.  Strings are borrowed. */
struct output_plugin {
	const char *secret;        /* path of the secret */
	const char *ns;            /* NULL: the secret's namespace */
	const char *ready_timeout; /* passed on to `kubejit get`; NULL: its default */
};
/* A kubeconfig whose user runs this binary's `get SECRET --namespace NS` as
 * a kubectl exec plugin (client.authentication.k8s.io/v1): the cluster is
 * the secret's target, the context's namespace the credential's, and the
 * file holds no token.  A home other than the default is passed with
 * --home; $KUBEJIT_PASSPHRASE_FILE is handed on for a sealed store.
 * *text (YAML) and *context (the context's name) are the caller's to free. */
int output_plugin_kubeconfig(struct engine *en, const struct output_plugin *p, char **text, char **context,
                             kj_err *e);

#endif
