/* execcred: run client-go credential plugins. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "kube/execcred.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "util/b64.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

extern char **environ;

#define MAX_ANSWER (1u << 20) /* a token or a certificate and key fit many times over */

static kube_exec_tty_fn tty_hook;
static kube_exec_stderr_fn stderr_hook;
static void *hook_ud;
static atomic_uint_fast64_t n_runs;

void kube_exec_set_hooks(kube_exec_tty_fn tty, kube_exec_stderr_fn err, void *ud)
{
	tty_hook = tty;
	stderr_hook = err;
	hook_ud = ud;
}

uint64_t kube_exec_runs(void)
{
	return (uint64_t)atomic_load(&n_runs);
}

static const char *const interactive_names[] = {"Never", "IfAvailable", "Always"};

const char *kube_exec_interactive_name(enum kube_exec_interactive m)
{
	return (unsigned)m < 3 ? interactive_names[m] : "?";
}

/* ---- configuration ------------------------------------------------------------ */

void kube_exec_config_done(struct kube_exec_config *c)
{
	if (!c)
		return;
	free(c->user);
	free(c->api_version);
	free(c->command);
	for (size_t i = 0; i < c->n_args; i++)
		free(c->args[i]);
	free(c->args);
	/* env values may carry settings such as profiles; not secrets, but wipe anyway */
	for (size_t i = 0; i < c->n_env; i++) {
		free(c->env[i].name);
		kj_free_secret(c->env[i].value);
	}
	free(c->env);
	free(c->install_hint);
	free(c->cluster_config);
	memset(c, 0, sizeof *c);
}

void kube_exec_config_copy(struct kube_exec_config *dst, const struct kube_exec_config *src)
{
	*dst = *src;
	dst->user = kj_xstrdup(src->user);
	dst->api_version = kj_xstrdup(src->api_version);
	dst->command = kj_xstrdup(src->command);
	dst->args = src->n_args ? kj_xcalloc(src->n_args, sizeof *dst->args) : NULL;
	for (size_t i = 0; i < src->n_args; i++)
		dst->args[i] = kj_xstrdup(src->args[i]);
	dst->env = src->n_env ? kj_xcalloc(src->n_env, sizeof *dst->env) : NULL;
	for (size_t i = 0; i < src->n_env; i++) {
		dst->env[i].name = kj_xstrdup(src->env[i].name);
		dst->env[i].value = kj_xstrdup(src->env[i].value);
	}
	dst->install_hint = kj_xstrdup(src->install_hint);
	dst->cluster_config = kj_xstrdup(src->cluster_config);
}

static int api_version_ok(const char *v)
{
	return v && (strcmp(v, KUBE_EXEC_V1) == 0 || strcmp(v, KUBE_EXEC_V1BETA1) == 0);
}

/* YAML 1.1 booleans as kubectl reads them. */
static int yaml_bool(const cJSON *v)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
	if (cJSON_IsTrue(v))
		return 1;
	for (size_t i = 0; cJSON_IsString(v) && i < sizeof yes / sizeof *yes; i++)
		if (strcmp(v->valuestring, yes[i]) == 0)
			return 1;
	return 0;
}

static int fill_lists(const cJSON *exec, struct kube_exec_config *c, const char *user, kj_err *e)
{
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(exec, "args");
	const cJSON *env = cJSON_GetObjectItemCaseSensitive(exec, "env");
	const cJSON *it;

	if (args && !cJSON_IsNull(args) && !cJSON_IsArray(args))
		return kj_err_set(e, KJ_ERR_INVALID, _("user \"%s\": exec args must be a list"), user);
	if (env && !cJSON_IsNull(env) && !cJSON_IsArray(env))
		return kj_err_set(e, KJ_ERR_INVALID,
		                  _("user \"%s\": exec env must be a list of name/value pairs"), user);
	c->n_args = (size_t)cJSON_GetArraySize(args);
	c->args = c->n_args ? kj_xcalloc(c->n_args, sizeof *c->args) : NULL;
	size_t i = 0;
	cJSON_ArrayForEach(it, args)
	{
		c->args[i++] = kj_xstrdup(cJSON_IsString(it) ? it->valuestring : "");
	}
	c->n_env = (size_t)cJSON_GetArraySize(env);
	c->env = c->n_env ? kj_xcalloc(c->n_env, sizeof *c->env) : NULL;
	i = 0;
	cJSON_ArrayForEach(it, env)
	{
		const char *n = kj_json_str(it, "name");
		const char *v = kj_json_str(it, "value");
		if (!n || !*n || strchr(n, '='))
			return kj_err_set(e, KJ_ERR_INVALID,
			                  _("user \"%s\": exec env entry %zu has no valid name"), user,
			                  i + 1);
		c->env[i].name = kj_xstrdup(n);
		c->env[i].value = kj_xstrdup(v ? v : "");
		i++;
	}
	return 0;
}

int kube_exec_config_from_kubeconfig(const cJSON *exec, const char *user, const char *dir,
                                     struct kube_exec_config *out, kj_err *e)
{
	const char *api = kj_json_str(exec, "apiVersion");
	const char *cmd = kj_json_str(exec, "command");
	const char *mode = kj_json_str(exec, "interactiveMode");
	const char *hint = kj_json_str(exec, "installHint");

	memset(out, 0, sizeof *out);
	user = user ? user : "";
	/* the messages of clientcmd/validation.go */
	if (!cmd || !*cmd) {
		kj_err_set(e, KJ_ERR_INVALID,
		           _("command must be specified for %s to use exec authentication plugin"), user);
		return kj_err_hint(e, _("fix the user's exec section in the kubeconfig"));
	}
	if (!api || !*api) {
		kj_err_set(e, KJ_ERR_INVALID,
		           _("apiVersion must be specified for %s to use exec authentication plugin"), user);
		return kj_err_hint(e, _("set exec.apiVersion to %s"), KUBE_EXEC_V1);
	}
	if (!api_version_ok(api)) {
		kj_err_set(e, KJ_ERR_INVALID, _("exec plugin: invalid apiVersion \"%s\" (user \"%s\")"), api,
		           user);
		return kj_err_hint(e,
		                   _("use %s or %s (v1alpha1 was removed in Kubernetes 1.24); update the "
		                     "plugin and the kubeconfig it wrote"),
		                   KUBE_EXEC_V1, KUBE_EXEC_V1BETA1);
	}
	if (!mode || !*mode) {
		if (strcmp(api, KUBE_EXEC_V1) == 0) {
			kj_err_set(e, KJ_ERR_INVALID,
			           _("interactiveMode must be specified for %s to use exec authentication "
			             "plugin"),
			           user);
			return kj_err_hint(e, _("set exec.interactiveMode to Never, IfAvailable or Always"));
		}
		out->interactive = KUBE_EXEC_IF_AVAILABLE;
	} else if (strcmp(mode, "Never") == 0) {
		out->interactive = KUBE_EXEC_NEVER;
	} else if (strcmp(mode, "IfAvailable") == 0) {
		out->interactive = KUBE_EXEC_IF_AVAILABLE;
	} else if (strcmp(mode, "Always") == 0) {
		out->interactive = KUBE_EXEC_ALWAYS;
	} else {
		kj_err_set(e, KJ_ERR_INVALID, _("invalid interactiveMode for %s: \"%s\""), user, mode);
		return kj_err_hint(e, _("use Never, IfAvailable or Always"));
	}
	out->user = kj_xstrdup(user);
	out->api_version = kj_xstrdup(api);
	if (strchr(cmd, '/') && cmd[0] != '/' && dir && *dir) {
		while (cmd[0] == '.' && cmd[1] == '/') /* filepath.Join cleans these */
			cmd += 2;
		out->command = kj_xasprintf("%s/%s", dir, cmd);
	} else
		out->command = kj_xstrdup(cmd);
	out->provide_cluster_info = yaml_bool(cJSON_GetObjectItemCaseSensitive(exec, "provideClusterInfo"));
	out->install_hint = hint && *hint ? kj_xstrdup(hint) : NULL;
	if (fill_lists(exec, out, user, e) < 0) {
		kube_exec_config_done(out);
		return -1;
	}
	return 0;
}

cJSON *kube_exec_config_to_json(const struct kube_exec_config *c)
{
	cJSON *j = cJSON_CreateObject();
	cJSON *a = cJSON_AddArrayToObject(j, "args");
	cJSON *v = cJSON_AddArrayToObject(j, "env");

	cJSON_AddStringToObject(j, "user", c->user ? c->user : "");
	cJSON_AddStringToObject(j, "apiVersion", c->api_version);
	cJSON_AddStringToObject(j, "command", c->command);
	for (size_t i = 0; i < c->n_args; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(c->args[i]));
	for (size_t i = 0; i < c->n_env; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", c->env[i].name);
		cJSON_AddStringToObject(o, "value", c->env[i].value);
		cJSON_AddItemToArray(v, o);
	}
	cJSON_AddStringToObject(j, "interactiveMode", kube_exec_interactive_name(c->interactive));
	cJSON_AddBoolToObject(j, "provideClusterInfo", c->provide_cluster_info);
	if (c->install_hint)
		cJSON_AddStringToObject(j, "installHint", c->install_hint);
	if (c->cluster_config)
		cJSON_AddItemToObject(j, "clusterConfig", cJSON_Parse(c->cluster_config));
	return j;
}

int kube_exec_config_from_json(const char *json, struct kube_exec_config *out, kj_err *e)
{
	cJSON *j = json ? cJSON_Parse(json) : NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return kj_err_set(e, KJ_ERR_FAIL, _("the stored exec plugin settings are unreadable"));
	}
	rc = kube_exec_config_from_kubeconfig(j, kj_json_str(j, "user"), NULL, out, e);
	if (rc == 0) {
		const cJSON *cc = cJSON_GetObjectItemCaseSensitive(j, "clusterConfig");
		if (cc && !cJSON_IsNull(cc))
			out->cluster_config = cJSON_PrintUnformatted(cc);
	}
	cJSON_Delete(j);
	return rc;
}

char *kube_exec_config_describe(const struct kube_exec_config *c)
{
	kj_buf b;
	kj_buf_init(&b);
	kj_buf_adds(&b, c->command ? c->command : "?");
	for (size_t i = 0; i < c->n_args && b.len < 120; i++)
		kj_buf_printf(&b, " %s", c->args[i]);
	if (b.len > 120) {
		b.len = 117;
		kj_buf_adds(&b, "...");
	}
	return kj_buf_steal(&b);
}

/* ---- running -------------------------------------------------------------------- */

void kube_exec_cred_done(struct kube_exec_cred *c)
{
	if (!c)
		return;
	kj_free_secret(c->token);
	free(c->client_cert_pem);
	kj_free_secret(c->client_key_pem);
	memset(c, 0, sizeof *c);
}

int kube_exec_cred_expired(const struct kube_exec_cred *c, int64_t now)
{
	if (!c->token && !c->client_cert_pem)
		return 1;
	return c->expires_at && now > c->expires_at;
}

/* KUBERNETES_EXEC_INFO: the ExecCredential client-go encodes (field order
 * of staging/src/k8s.io/client-go/pkg/apis/clientauthentication/v1/types.go). */
static char *exec_info(const struct kube_exec_config *c, const struct kube_exec_cluster *cl, int interactive)
{
	cJSON *j = cJSON_CreateObject();
	cJSON *spec;
	char *s;

	cJSON_AddStringToObject(j, "kind", "ExecCredential");
	cJSON_AddStringToObject(j, "apiVersion", c->api_version);
	spec = cJSON_AddObjectToObject(j, "spec");
	if (c->provide_cluster_info && cl) {
		cJSON *k = cJSON_AddObjectToObject(spec, "cluster");
		cJSON_AddStringToObject(k, "server", cl->server ? cl->server : "");
		if (cl->tls_server_name && *cl->tls_server_name)
			cJSON_AddStringToObject(k, "tls-server-name", cl->tls_server_name);
		if (cl->insecure)
			cJSON_AddTrueToObject(k, "insecure-skip-tls-verify");
		if (cl->ca_pem && *cl->ca_pem) {
			char *b = kj_b64_encode(cl->ca_pem, strlen(cl->ca_pem));
			cJSON_AddStringToObject(k, "certificate-authority-data", b);
			free(b);
		}
		if (cl->proxy_url && *cl->proxy_url)
			cJSON_AddStringToObject(k, "proxy-url", cl->proxy_url);
		if (cl->disable_compression)
			cJSON_AddTrueToObject(k, "disable-compression");
		/* a RawExtension is a struct: omitempty does not drop it, it is null */
		cJSON *cfg = c->cluster_config ? cJSON_Parse(c->cluster_config) : NULL;
		cJSON_AddItemToObject(k, "config", cfg ? cfg : cJSON_CreateNull());
	}
	cJSON_AddBoolToObject(spec, "interactive", interactive);
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	/* Go's json.Encoder ends the document with a newline; plugins see it */
	char *nl = kj_xasprintf("%s\n", s);
	free(s);
	return nl;
}

/* environ + the plugin's env (its values win, as Go's exec keeps the last
 * duplicate) + KUBERNETES_EXEC_INFO. */
static char **build_env(const struct kube_exec_config *c, const char *info)
{
	size_t n = 0, k = 0;
	char **v;

	while (environ && environ[n])
		n++;
	v = kj_xcalloc(n + c->n_env + 2, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t nl = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		int replaced = nl == strlen("KUBERNETES_EXEC_INFO") &&
		               strncmp(environ[i], "KUBERNETES_EXEC_INFO", nl) == 0;
		for (size_t j = 0; !replaced && j < c->n_env; j++)
			replaced =
			    strlen(c->env[j].name) == nl && strncmp(environ[i], c->env[j].name, nl) == 0;
		if (!replaced)
			v[k++] = kj_xstrdup(environ[i]);
	}
	for (size_t j = 0; j < c->n_env; j++) {
		int later = 0;
		for (size_t m = j + 1; !later && m < c->n_env; m++) /* a later duplicate wins too */
			later = strcmp(c->env[m].name, c->env[j].name) == 0;
		if (!later)
			v[k++] =
			    kj_xasprintf("%s=%s", c->env[j].name, c->env[j].value ? c->env[j].value : "");
	}
	v[k++] = kj_xasprintf("KUBERNETES_EXEC_INFO=%s", info);
	v[k] = NULL;
	return v;
}

static void free_env(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		kj_free_secret(v[i]);
	free(v);
}

/* Read stdout (and stderr when captured) until both close.  With `relay`,
 * stderr passes on to this process's stderr stream as it comes (a prompt
 * or progress shows at once), where the front end's filter applies. */
static int drain(int out_fd, int err_fd, kj_buf *out, kj_buf *err, int *too_big, int relay)
{
	struct pollfd p[2];
	char chunk[4096];

	p[0].fd = out_fd;
	p[0].events = POLLIN;
	p[1].fd = err_fd;
	p[1].events = POLLIN;
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t r = read(p[i].fd, chunk, sizeof chunk);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				continue;
			}
			if (i == 1 && relay) {
				fwrite(chunk, 1, (size_t)r, stderr);
				fflush(stderr);
				continue;
			}
			kj_buf *b = i == 0 ? out : err;
			if (b->len + (size_t)r > MAX_ANSWER)
				*too_big = 1;
			else
				kj_buf_add(b, chunk, (size_t)r);
		}
	}
	kj_wipe(chunk, sizeof chunk);
	return 0;
}

static void not_found(const struct kube_exec_config *c, kj_err *e)
{
	kj_err_set(e, KJ_ERR_NOTFOUND, _("exec: executable %s not found (credential plugin of user \"%s\")"),
	           c->command, c->user ? c->user : "");
	if (c->install_hint)
		kj_err_hint(e, "%s", c->install_hint);
	else if (strchr(c->command, '/'))
		kj_err_hint(e, _("install the plugin at that path, or fix exec.command in the kubeconfig"));
	else
		kj_err_hint(e, _("install the plugin, or add its directory to PATH"));
}

/* 0 when `path` is a file this process may execute, else why not (an
 * errno value: ENOENT, ENOTDIR, EACCES, EISDIR...). */
static int executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno;
	if (S_ISDIR(st.st_mode))
		return EISDIR;
	return access(path, X_OK) == 0 ? 0 : errno;
}

/* The plugin's file for a bare command name, found as client-go's os/exec
 * LookPath finds it: each PATH entry in turn (an empty one is the current
 * directory), the first regular file this process may execute.  A directory
 * that cannot be searched or read is passed over, never an error of its own,
 * so the only failures are "not found" and a find relative to the current
 * directory, which os/exec refuses.  Returns the path (malloc'd), or NULL
 * with *relative set when the only find was relative. */
static char *look_path(const char *file, int *relative)
{
	const char *path = getenv("PATH");
	const char *p = path ? path : "";

	*relative = 0;
	for (;;) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char *cand = n ? kj_xasprintf("%.*s/%s", (int)n, p, file) : kj_xasprintf("./%s", file);

		if (executable(cand) == 0) {
			if (cand[0] == '/')
				return cand;
			*relative = 1;
			free(cand);
			return NULL;
		}
		free(cand);
		if (!end)
			return NULL;
		p = end + 1;
	}
}

/* A PEM certificate and key that belong together (the check behind Go's
 * tls.X509KeyPair). */
static int check_pair(const char *cert, const char *key, kj_err *e)
{
	BIO *b = BIO_new_mem_buf(cert, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	EVP_PKEY *k;
	int ok;

	BIO_free(b);
	b = BIO_new_mem_buf(key, -1);
	k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	ok = x && k && X509_check_private_key(x, k) == 1;
	X509_free(x);
	EVP_PKEY_free(k);
	ERR_clear_error();
	if (!ok)
		return kj_err_set(e, KJ_ERR_AUTH,
		                  _("failed parsing client key/certificate: the plugin's certificate and key "
		                    "are not a matching PEM pair"));
	return 0;
}

static int parse_answer(const struct kube_exec_config *c, const char *buf, struct kube_exec_cred *out,
                        kj_err *e)
{
	cJSON *j = cJSON_Parse(buf);
	const cJSON *st;
	const char *api, *kind, *tok, *cert, *key, *exp;
	int rc = -1;

	if (!cJSON_IsObject(j)) {
		kj_err_set(e, KJ_ERR_AUTH, _("decoding stdout: the plugin %s did not answer with JSON"),
		           c->command);
		goto out;
	}
	api = kj_json_str(j, "apiVersion");
	kind = kj_json_str(j, "kind");
	if (!kind || strcmp(kind, "ExecCredential") != 0) {
		kj_err_set(e, KJ_ERR_AUTH,
		           _("decoding stdout: the plugin %s answered kind \"%s\", not ExecCredential"),
		           c->command, kind ? kind : "");
		goto out;
	}
	if (!api || strcmp(api, c->api_version) != 0) {
		kj_err_set(e, KJ_ERR_AUTH,
		           _("exec plugin is configured to use API version %s, plugin returned version %s"),
		           c->api_version, api ? api : "\"\"");
		goto out;
	}
	st = cJSON_GetObjectItemCaseSensitive(j, "status");
	if (!cJSON_IsObject(st)) {
		kj_err_set(e, KJ_ERR_AUTH, _("exec plugin didn't return a status field"));
		goto out;
	}
	tok = kj_json_str(st, "token");
	cert = kj_json_str(st, "clientCertificateData");
	key = kj_json_str(st, "clientKeyData");
	exp = kj_json_str(st, "expirationTimestamp");
	if (tok && !*tok)
		tok = NULL;
	if (cert && !*cert)
		cert = NULL;
	if (key && !*key)
		key = NULL;
	if (!tok && !cert && !key) {
		kj_err_set(e, KJ_ERR_AUTH, _("exec plugin didn't return a token or cert/key pair"));
		goto out;
	}
	if (!cert != !key) {
		kj_err_set(e, KJ_ERR_AUTH, _("exec plugin returned only certificate or key, not both"));
		goto out;
	}
	if (cert && check_pair(cert, key, e) < 0)
		goto out;
	if (tok) {
		for (const char *p = tok; *p; p++) {
			if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
				kj_err_set(
				    e, KJ_ERR_AUTH,
				    _("the token from the plugin %s contains spaces or control characters"),
				    c->command);
				goto out;
			}
		}
	}
	if (exp && *exp && kj_time_parse_rfc3339(exp, &out->expires_at) < 0) {
		kj_err_set(e, KJ_ERR_AUTH, _("decoding stdout: expirationTimestamp \"%s\" is not RFC 3339"),
		           exp);
		goto out;
	}
	out->token = kj_xstrdup(tok);
	if (cert) {
		out->client_cert_pem = kj_xstrdup(cert);
		out->client_key_pem = kj_xstrdup(key);
	}
	rc = 0;
out:
	if (rc < 0)
		kj_err_hint(e, _("run the plugin by hand to see what it prints: %s"), c->command);
	if (j) {
		/* the answer holds the credential */
		cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "status");
		for (cJSON *it = s ? s->child : NULL; it; it = it->next)
			if (cJSON_IsString(it))
				kj_wipe(it->valuestring, strlen(it->valuestring));
	}
	cJSON_Delete(j);
	return rc;
}

int kube_exec_run(const struct kube_exec_config *c, const struct kube_exec_cluster *cl,
                  struct kube_exec_cred *out, kj_err *e)
{
	/* not interactive, stderr is always read: the plugin's text is
	 * someone else's and must not reach the terminal raw (the hook, or
	 * the command line's filtered stderr, escapes it) */
	int interactive = 0, capture_err = 1;
	int outp[2] = {-1, -1}, errp[2] = {-1, -1};
	posix_spawn_file_actions_t fa;
	char **argv, **envp;
	char *info;
	pid_t pid;
	int rc, status = 0, too_big = 0, relative = 0;
	kj_buf ob, eb;

	memset(out, 0, sizeof *out);
	if (c->interactive != KUBE_EXEC_NEVER)
		interactive = isatty(STDIN_FILENO);
	if (c->interactive == KUBE_EXEC_ALWAYS && !interactive) {
		kj_err_set(e, KJ_ERR_USAGE,
		           _("exec plugin cannot support interactive mode: standard input is not a terminal "
		             "(plugin %s, user \"%s\")"),
		           c->command, c->user ? c->user : "");
		return kj_err_hint(e, _("run kubejit from a terminal, or log in with the plugin first"));
	}
	if (interactive)
		capture_err = 0; /* the front end is suspended: the plugin talks to the terminal */
	if (pipe2(outp, O_CLOEXEC) < 0 || (capture_err && pipe2(errp, O_CLOEXEC) < 0)) {
		kj_err_set(e, KJ_ERR_FAIL, _("cannot run %s: %s"), c->command, strerror(errno));
		if (outp[0] >= 0) {
			close(outp[0]);
			close(outp[1]);
		}
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	if (!interactive)
		posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], STDOUT_FILENO);
	if (capture_err)
		posix_spawn_file_actions_adddup2(&fa, errp[1], STDERR_FILENO);
	argv = kj_xcalloc(c->n_args + 2, sizeof *argv);
	argv[0] = c->command;
	for (size_t i = 0; i < c->n_args; i++)
		argv[i + 1] = c->args[i];
	info = exec_info(c, cl, interactive);
	envp = build_env(c, info);
	free(info);

	if (interactive && tty_hook)
		tty_hook(1, hook_ud);
	atomic_fetch_add(&n_runs, 1);
	if (strchr(c->command, '/')) {
		/* checked before the spawn, as os/exec's Command does: a spawn
		 * that cannot report exec's error (valgrind, some emulators)
		 * would show a missing plugin as exit code 127 */
		rc = executable(c->command);
		if (rc == 0)
			rc = posix_spawn(&pid, c->command, &fa, NULL, argv, envp);
	} else {
		char *file = look_path(c->command, &relative);

		rc = file ? posix_spawn(&pid, file, &fa, NULL, argv, envp) : ENOENT;
		free(file);
	}
	posix_spawn_file_actions_destroy(&fa);
	free(argv);
	free_env(envp);
	close(outp[1]);
	if (capture_err)
		close(errp[1]);
	kj_buf_init(&ob);
	kj_buf_init(&eb);
	if (rc != 0) {
		close(outp[0]);
		if (capture_err)
			close(errp[0]);
		if (interactive && tty_hook)
			tty_hook(0, hook_ud);
		if (relative) {
			kj_err_set(
			    e, KJ_ERR_AUTH,
			    _("exec: \"%s\": cannot run executable found relative to current directory"),
			    c->command);
			kj_err_hint(e,
			            _("give exec.command as an absolute path, or put the plugin's directory "
			              "in PATH as an absolute path"));
		} else if (rc == ENOENT || rc == ENOTDIR) {
			not_found(c, e);
		} else {
			kj_err_set(e, KJ_ERR_AUTH, _("exec: cannot run %s: %s"), c->command, strerror(rc));
			kj_err_hint(e, _("check that the plugin is an executable file"));
		}
		return -1;
	}
	drain(outp[0], capture_err ? errp[0] : -1, &ob, &eb, &too_big, stderr_hook == NULL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (interactive && tty_hook)
		tty_hook(0, hook_ud);
	if (eb.len && stderr_hook)
		stderr_hook(eb.data, hook_ud);
	kj_buf_done(&eb);
	rc = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			kj_err_set(e, KJ_ERR_AUTH, _("exec: executable %s failed with exit code %d"),
			           c->command, WEXITSTATUS(status));
		else
			kj_err_set(e, KJ_ERR_AUTH, _("exec: executable %s was killed by signal %d"),
			           c->command, WTERMSIG(status));
		kj_err_hint(e,
		            _("its error output above says why; the plugin of user \"%s\" may need you to "
		              "log in first"),
		            c->user ? c->user : "");
	} else if (too_big) {
		kj_err_set(e, KJ_ERR_AUTH, _("decoding stdout: the answer of %s is larger than %u KiB"),
		           c->command, MAX_ANSWER >> 10);
	} else {
		rc = parse_answer(c, ob.data, out, e);
	}
	kj_buf_done(&ob); /* wipes */
	return rc;
}
