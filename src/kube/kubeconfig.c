/* kubeconfig: kubectl configuration files, read and written with libyaml. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "kube/kubeconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <yaml.h>

#include "util/json.h"
#include "util/b64.h"
#include "util/file.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "util/yamlguard.h"

/* Entries keep the directory of the file that defined them, for relative paths. */
struct kubeconfig {
	cJSON *clusters; /* name -> {"v": {...}, "dir": "..."} */
	cJSON *users;
	cJSON *contexts;
	cJSON *order; /* context names in file order */
	char *current;
	char *paths; /* for messages */
};

/* ---- YAML -> cJSON (scalars stay strings) ------------------------------------ */

static void json_wipe(cJSON *j)
{
	if (j->valuestring)
		kj_wipe(j->valuestring, strlen(j->valuestring));
	for (cJSON *c = j->child; c; c = c->next)
		json_wipe(c);
}

static void json_free_secret(cJSON *j)
{
	if (!j)
		return;
	json_wipe(j);
	cJSON_Delete(j);
}

static cJSON *yaml_node(yaml_document_t *doc, yaml_node_t *n, int depth)
{
	if (!n || depth > 64)
		return cJSON_CreateNull();
	switch (n->type) {
	case YAML_SCALAR_NODE: {
		char *s = kj_xstrndup((const char *)n->data.scalar.value, n->data.scalar.length);
		cJSON *v;
		/* A plain "null"/"~"/empty value is YAML's null. */
		if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    (!*s || strcmp(s, "null") == 0 || strcmp(s, "~") == 0))
			v = cJSON_CreateNull();
		else
			v = cJSON_CreateString(s);
		kj_wipe(s, strlen(s));
		free(s);
		return v;
	}
	case YAML_SEQUENCE_NODE: {
		cJSON *a = cJSON_CreateArray();
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
		     it++)
			cJSON_AddItemToArray(a, yaml_node(doc, yaml_document_get_node(doc, *it), depth + 1));
		return a;
	}
	case YAML_MAPPING_NODE: {
		cJSON *o = cJSON_CreateObject();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);
			if (!k || k->type != YAML_SCALAR_NODE)
				continue;
			char *key = kj_xstrndup((const char *)k->data.scalar.value, k->data.scalar.length);
			cJSON_DeleteItemFromObjectCaseSensitive(o, key);
			cJSON_AddItemToObject(
			    o, key, yaml_node(doc, yaml_document_get_node(doc, p->value), depth + 1));
			free(key);
		}
		return o;
	}
	default:
		return cJSON_CreateNull();
	}
}

static cJSON *yaml_to_json(const char *buf, size_t len, const char *origin, kj_err *e)
{
	/* a kubeconfig may come from anyone: no alias bombs, no endless nesting */
	static const struct kj_yaml_limits lim = {16u << 20, 64, 200000, 1, N_("a kubeconfig")};
	yaml_parser_t p;
	yaml_document_t doc;
	if (kj_yaml_check(buf, len, origin, &lim, e) < 0)
		return NULL;
	if (!yaml_parser_initialize(&p))
		abort();
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&p, &doc)) {
		kj_err_set(e, KJ_ERR_INVALID, _("%s:%zu:%zu: %s"), origin, p.problem_mark.line + 1,
		           p.problem_mark.column + 1, p.problem ? p.problem : _("invalid YAML"));
		yaml_parser_delete(&p);
		return NULL;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	cJSON *j = root ? yaml_node(&doc, root, 0) : cJSON_CreateObject();
	yaml_document_delete(&doc);
	yaml_parser_delete(&p);
	if (cJSON_IsNull(j)) {
		cJSON_Delete(j);
		j = cJSON_CreateObject(); /* an empty file is an empty config */
	}
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		kj_err_set(e, KJ_ERR_INVALID, _("%s: not a kubeconfig (the top level is not a mapping)"),
		           origin);
		return NULL;
	}
	return j;
}

/* ---- loading and merging ------------------------------------------------------- */

static struct kubeconfig *kc_new(void)
{
	struct kubeconfig *kc = kj_xcalloc(1, sizeof *kc);
	kc->clusters = cJSON_CreateObject();
	kc->users = cJSON_CreateObject();
	kc->contexts = cJSON_CreateObject();
	kc->order = cJSON_CreateArray();
	return kc;
}

void kubeconfig_free(struct kubeconfig *kc)
{
	if (!kc)
		return;
	cJSON_Delete(kc->clusters);
	json_free_secret(kc->users);
	cJSON_Delete(kc->contexts);
	cJSON_Delete(kc->order);
	free(kc->current);
	free(kc->paths);
	free(kc);
}

/* Add the named entries of list `key` ("clusters" with inner "cluster"...),
 * first definition wins. */
static void merge_list(struct kubeconfig *kc, cJSON *doc, const char *key, const char *inner, cJSON *into,
                       const char *dir)
{
	cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(doc, key))
	{
		const char *name = kj_json_str(it, "name");
		if (!name || cJSON_GetObjectItemCaseSensitive(into, name))
			continue;
		cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(it, inner);
		if (!cJSON_IsObject(v)) {
			cJSON_Delete(v);
			v = cJSON_CreateObject();
		}
		cJSON *entry = cJSON_CreateObject();
		cJSON_AddItemToObject(entry, "v", v);
		cJSON_AddStringToObject(entry, "dir", dir);
		cJSON_AddItemToObject(into, name, entry);
		if (into == kc->contexts)
			cJSON_AddItemToArray(kc->order, cJSON_CreateString(name));
	}
}

static void merge_doc(struct kubeconfig *kc, cJSON *doc, const char *origin)
{
	/* Relative paths in a kubeconfig are relative to its directory; keep it
	 * absolute so resolved paths stay valid when the process changes dir. */
	char *tmp = kj_xstrdup(origin);
	char *dir = realpath(dirname(tmp), NULL);
	merge_list(kc, doc, "clusters", "cluster", kc->clusters, dir ? dir : ".");
	merge_list(kc, doc, "users", "user", kc->users, dir ? dir : ".");
	merge_list(kc, doc, "contexts", "context", kc->contexts, dir ? dir : ".");
	const char *cur = kj_json_str(doc, "current-context");
	if (!kc->current && cur && *cur)
		kc->current = kj_xstrdup(cur);
	free(dir);
	free(tmp);
}

int kubeconfig_load_buffer(const char *yaml, size_t len, const char *origin, struct kubeconfig **out,
                           kj_err *e)
{
	*out = NULL;
	cJSON *doc = yaml_to_json(yaml, len, origin, e);
	if (!doc)
		return -1;
	struct kubeconfig *kc = kc_new();
	merge_doc(kc, doc, origin);
	kc->paths = kj_xstrdup(origin);
	json_free_secret(doc);
	*out = kc;
	return 0;
}

/* Whole file into memory (NUL-terminated); NULL with errno on failure:
 * the callers word the message (a missing file of a list is skipped). */
static char *read_file(const char *path, size_t *len)
{
	char *buf;

	return kj_file_read(path, 0, &buf, len, NULL) == 0 ? buf : NULL;
}

char *kubeconfig_default_paths(void)
{
	const char *env = getenv("KUBECONFIG"), *home = getenv("HOME");

	if (env && *env)
		return kj_xstrdup(env);
	return home && *home ? kj_xasprintf("%s/.kube/config", home) : NULL;
}

int kubeconfig_load(const char *paths, struct kubeconfig **out, kj_err *e)
{
	*out = NULL;
	char *list = paths && *paths ? kj_xstrdup(paths) : kubeconfig_default_paths();
	if (!list)
		return kj_err_set(e, KJ_ERR_NOTFOUND,
		                  _("no kubeconfig: neither $KUBECONFIG nor $HOME is set"));
	struct kubeconfig *kc = kc_new();
	kc->paths = kj_xstrdup(list);
	int found = 0;
	char *save = NULL;
	for (char *p = strtok_r(list, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
		size_t len = 0;
		char *buf = read_file(p, &len);
		if (!buf) {
			if (errno == ENOENT)
				continue; /* kubectl skips missing files of the list */
			kj_err_set(e, KJ_ERR_FAIL, _("cannot read kubeconfig %s: %s"), p, strerror(errno));
			goto fail;
		}
		cJSON *doc = yaml_to_json(buf, len, p, e);
		kj_wipe(buf, len);
		free(buf);
		if (!doc)
			goto fail;
		merge_doc(kc, doc, p);
		json_free_secret(doc);
		found++;
	}
	if (!found) {
		kj_err_set(e, KJ_ERR_NOTFOUND, _("no kubeconfig found at %s"), kc->paths);
		kj_err_hint(e, _("set $KUBECONFIG or pass --kubeconfig FILE"));
		goto fail;
	}
	free(list);
	*out = kc;
	return 0;
fail:
	free(list);
	kubeconfig_free(kc);
	return -1;
}

size_t kubeconfig_n_contexts(const struct kubeconfig *kc)
{
	return (size_t)cJSON_GetArraySize(kc->order);
}

const char *kubeconfig_context_name(const struct kubeconfig *kc, size_t i)
{
	const cJSON *s = cJSON_GetArrayItem(kc->order, (int)i);
	return cJSON_IsString(s) ? s->valuestring : NULL;
}

const char *kubeconfig_current_context(const struct kubeconfig *kc)
{
	return kc->current;
}

/* ---- resolving ------------------------------------------------------------------- */

void kube_context_info_done(struct kube_context_info *ci)
{
	if (!ci)
		return;
	free(ci->context);
	free(ci->cluster);
	free(ci->user);
	free(ci->namespace);
	free(ci->server);
	free(ci->ca_pem);
	free(ci->ca_path);
	free(ci->tls_server_name);
	free(ci->proxy_url);
	kj_free_secret(ci->token);
	free(ci->token_file);
	free(ci->client_cert_pem);
	kj_free_secret(ci->client_key_pem);
	free(ci->client_cert_path);
	free(ci->client_key_path);
	if (ci->exec) {
		kube_exec_config_done(ci->exec);
		free(ci->exec);
	}
	memset(ci, 0, sizeof *ci);
}

/* YAML 1.1 booleans, as kubectl's YAML reader takes them. */
static int yaml_true(const char *s)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
	                                  "on",   "On",   "ON",   "y",   "Y"};
	for (size_t i = 0; s && i < sizeof yes / sizeof *yes; i++)
		if (strcmp(s, yes[i]) == 0)
			return 1;
	return 0;
}

static char *available(const struct kubeconfig *kc)
{
	kj_buf b;
	kj_buf_init(&b);
	for (size_t i = 0; i < kubeconfig_n_contexts(kc); i++)
		kj_buf_printf(&b, "%s%s", i ? ", " : "", kubeconfig_context_name(kc, i));
	if (!b.len)
		kj_buf_adds(&b, _("(none)"));
	return kj_buf_steal(&b);
}

static char *abs_path(const char *dir, const char *p)
{
	/* client-go's ResolvePaths joins every relative path to the file's
	 * directory; it expands no "~" (a shell never saw the file). */
	if (p[0] == '/' || !dir || !*dir)
		return kj_xstrdup(p);
	return kj_xasprintf("%s/%s", dir, p);
}

/* `key`-data (base64) or `key` (a path, read): PEM text into *pem. */
static int load_material(const cJSON *v, const char *dir, const char *key, const char *what, char **pem,
                         char **path_out, kj_err *e)
{
	char dkey[64];
	snprintf(dkey, sizeof dkey, "%s-data", key);
	const char *data = kj_json_str(v, dkey);
	const char *path = kj_json_str(v, key);
	if (data && *data) {
		size_t n = 0;
		unsigned char *d = kj_b64_decode(data, &n);
		if (!d || memchr(d, '\0', n)) {
			free(d);
			return kj_err_set(e, KJ_ERR_INVALID, _("%s: %s is not valid base64"), what, dkey);
		}
		*pem = (char *)d;
		return 0;
	}
	if (path && *path) {
		char *full = abs_path(dir, path);
		*pem = read_file(full, NULL);
		if (!*pem) {
			kj_err_set(e, KJ_ERR_NOTFOUND, _("%s: cannot read %s %s: %s"), what, key, full,
			           strerror(errno));
			free(full);
			return -1;
		}
		*path_out = full;
	}
	return 0;
}

/* The legacy auth-provider plugins were removed from kubectl (1.26); each
 * has an exec plugin in its place. */
static void auth_provider_error(const cJSON *ap, const char *user, const char *context, kj_err *e)
{
	static const struct {
		const char *provider, *plugin, *how;
	} repl[] = {
	    {"gcp", "gke-gcloud-auth-plugin",
	     N_("install gke-gcloud-auth-plugin ('gcloud components install gke-gcloud-auth-plugin') and "
	        "run 'gcloud container clusters get-credentials CLUSTER' to rewrite the kubeconfig")},
	    {"azure", "kubelogin",
	     N_("install kubelogin (github.com/Azure/kubelogin) and run 'kubelogin convert-kubeconfig' "
	        "to rewrite the kubeconfig")},
	    {"oidc", "kubelogin",
	     N_("install kubelogin (github.com/int128/kubelogin, 'kubectl oidc-login') and replace the "
	        "user's auth-provider with an exec section running 'kubectl oidc-login get-token'")},
	};
	const char *name = kj_json_str(ap, "name");

	for (size_t i = 0; name && i < sizeof repl / sizeof *repl; i++) {
		if (strcmp(name, repl[i].provider) != 0)
			continue;
		kj_err_set(e, KJ_ERR_INVALID,
		           _("user \"%s\" of context \"%s\" uses the \"%s\" auth-provider, which kubectl "
		             "and client-go no longer support; its replacement is the exec plugin %s"),
		           user, context, name, repl[i].plugin);
		kj_err_hint(e, "%s", _(repl[i].how));
		return;
	}
	kj_err_set(e, KJ_ERR_INVALID,
	           _("user \"%s\" of context \"%s\" uses the auth-provider \"%s\", which kubectl and "
	             "client-go no longer support"),
	           user, context, name ? name : "");
	kj_err_hint(e, _("replace it with the exec credential plugin its vendor provides"));
}

/* The cluster's client.authentication.k8s.io/exec extension, as JSON, for
 * KUBERNETES_EXEC_INFO's spec.cluster.config. */
static char *exec_extension(const cJSON *cluster)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(cluster, "extensions"))
	{
		const char *n = kj_json_str(it, "name");
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(it, "extension");
		if (n && strcmp(n, "client.authentication.k8s.io/exec") == 0 && x)
			return cJSON_PrintUnformatted(x);
	}
	return NULL;
}

int kubeconfig_resolve(const struct kubeconfig *kc, const char *context, struct kube_context_info *ci,
                       kj_err *e)
{
	memset(ci, 0, sizeof *ci);
	const char *name = context && *context ? context : kc->current;
	if (!name) {
		char *av = available(kc);
		kj_err_set(e, KJ_ERR_NOTFOUND, _("%s sets no current-context; available contexts: %s"),
		           kc->paths, av);
		free(av);
		return kj_err_hint(e, _("name one with --context"));
	}
	const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(kc->contexts, name);
	if (!ctx) {
		char *av = available(kc);
		kj_err_set(e, KJ_ERR_NOTFOUND, _("context \"%s\" not found in %s; available contexts: %s"),
		           name, kc->paths, av);
		free(av);
		return kj_err_hint(e, _("list them with 'kubectl config get-contexts'"));
	}
	const cJSON *cv = cJSON_GetObjectItemCaseSensitive(ctx, "v");
	const char *cname = kj_json_str(cv, "cluster");
	const char *uname = kj_json_str(cv, "user");
	ci->context = kj_xstrdup(name);
	ci->cluster = kj_xstrdup(cname);
	ci->user = kj_xstrdup(uname);
	const char *ns = kj_json_str(cv, "namespace");
	ci->namespace = ns && *ns ? kj_xstrdup(ns) : NULL;

	const cJSON *cl = cname ? cJSON_GetObjectItemCaseSensitive(kc->clusters, cname) : NULL;
	if (!cl) {
		kj_err_set(e, KJ_ERR_NOTFOUND,
		           _("context \"%s\" refers to cluster \"%s\", which %s does not define"), name,
		           cname ? cname : "", kc->paths);
		goto fail;
	}
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(cl, "v");
	const char *cdir = kj_json_str(cl, "dir");
	const char *server = kj_json_str(c, "server");
	if (!server || !*server) {
		kj_err_set(e, KJ_ERR_INVALID, _("cluster \"%s\" has no server"), cname);
		goto fail;
	}
	ci->server = kj_xstrdup(server);
	const char *tsn = kj_json_str(c, "tls-server-name");
	ci->tls_server_name = tsn && *tsn ? kj_xstrdup(tsn) : NULL;
	const char *px = kj_json_str(c, "proxy-url");
	ci->proxy_url = px && *px ? kj_xstrdup(px) : NULL;
	ci->insecure = yaml_true(kj_json_str(c, "insecure-skip-tls-verify"));
	ci->disable_compression = yaml_true(kj_json_str(c, "disable-compression"));
	char what[256];
	snprintf(what, sizeof what, _("cluster \"%s\""), cname);
	if (load_material(c, cdir, "certificate-authority", what, &ci->ca_pem, &ci->ca_path, e) < 0)
		goto fail;
	if (ci->insecure && ci->ca_pem) {
		kj_err_set(
		    e, KJ_ERR_INVALID,
		    _("cluster \"%s\": specifying a root certificates file with the insecure flag is not "
		      "allowed"),
		    cname);
		goto fail;
	}

	if (!uname || !*uname)
		return 0; /* no credentials: the caller decides */
	const cJSON *us = cJSON_GetObjectItemCaseSensitive(kc->users, uname);
	if (!us) {
		kj_err_set(e, KJ_ERR_NOTFOUND,
		           _("context \"%s\" refers to user \"%s\", which %s does not define"), name, uname,
		           kc->paths);
		goto fail;
	}
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(us, "v");
	const char *udir = kj_json_str(us, "dir");
	const cJSON *ap = cJSON_GetObjectItemCaseSensitive(u, "auth-provider");
	if (cJSON_IsObject(ap)) {
		auth_provider_error(ap, uname, name, e);
		goto fail;
	}
	if (kj_json_str(u, "username") || kj_json_str(u, "password")) {
		kj_err_set(
		    e, KJ_ERR_INVALID,
		    _("user \"%s\" of context \"%s\" uses basic authentication, which Kubernetes no longer "
		      "supports"),
		    uname, name);
		kj_err_hint(e, _("give the target a ServiceAccount token or a client certificate"));
		goto fail;
	}
	const char *tok = kj_json_str(u, "token");
	const char *tf = kj_json_str(u, "tokenFile");
	if (tok && *tok)
		ci->token = kj_xstrdup(tok);
	else if (tf && *tf)
		ci->token_file = abs_path(udir, tf);
	snprintf(what, sizeof what, _("user \"%s\""), uname);
	if (load_material(u, udir, "client-certificate", what, &ci->client_cert_pem, &ci->client_cert_path,
	                  e) < 0 ||
	    load_material(u, udir, "client-key", what, &ci->client_key_pem, &ci->client_key_path, e) < 0)
		goto fail;
	if (!ci->client_cert_pem != !ci->client_key_pem) {
		kj_err_set(e, KJ_ERR_INVALID,
		           _("user \"%s\": a client certificate needs its key and a key its "
		             "certificate"),
		           uname);
		goto fail;
	}
	/* A token or certificate in the kubeconfig wins over the plugin, as in
	 * client-go's exec Authenticator.UpdateTransportConfig. */
	const cJSON *exec = cJSON_GetObjectItemCaseSensitive(u, "exec");
	if (cJSON_IsObject(exec) && !ci->token && !ci->token_file && !ci->client_cert_pem) {
		ci->exec = kj_xcalloc(1, sizeof *ci->exec);
		if (kube_exec_config_from_kubeconfig(exec, uname, udir, ci->exec, e) < 0)
			goto fail;
		ci->exec->cluster_config = exec_extension(c);
	} else if (exec && !cJSON_IsNull(exec) && !cJSON_IsObject(exec)) {
		kj_err_set(e, KJ_ERR_INVALID, _("user \"%s\": exec must be a mapping"), uname);
		goto fail;
	}
	return 0;
fail:
	kube_context_info_done(ci);
	return -1;
}

void kube_context_to_conn(const struct kube_context_info *ci, struct kube_conn *conn)
{
	conn->server = ci->server;
	conn->ca = ci->ca_pem;
	conn->tls_server_name = ci->tls_server_name;
	conn->proxy_url = ci->proxy_url;
	conn->insecure = ci->insecure;
	conn->token = ci->token;
	conn->token_file = ci->token_file;
	conn->client_cert = ci->client_cert_pem;
	conn->client_key = ci->client_key_pem;
	conn->disable_compression = ci->disable_compression;
	conn->exec = ci->exec;
}

/* ---- writing ----------------------------------------------------------------------- */

struct emit {
	yaml_emitter_t em;
	kj_buf out;
	int failed;
};

static int emit_write(void *ud, unsigned char *buf, size_t n)
{
	kj_buf_add(ud, buf, n);
	return 1;
}

static void ev(struct emit *m, yaml_event_t *event)
{
	if (!m->failed && !yaml_emitter_emit(&m->em, event))
		m->failed = 1;
}

/* Would a plain scalar read back as something other than a string
 * (bool, null, number)?  Then it must be quoted. */
static int looks_typed(const char *s)
{
	static const char *const words[] = {"",     "~",     "null",  "Null",  "NULL", "true", "True",
	                                    "TRUE", "false", "False", "FALSE", "yes",  "Yes",  "YES",
	                                    "no",   "No",    "NO",    "on",    "On",   "ON",   "off",
	                                    "Off",  "OFF",   "y",     "Y",     "n",    "N"};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strcmp(s, words[i]) == 0)
			return 1;
	char *end;
	strtod(s, &end);
	if (end != s && *end == '\0')
		return 1;
	return (s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) || s[0] == '.';
}

static void scalar(struct emit *m, const char *s)
{
	yaml_event_t e;
	yaml_scalar_style_t style = looks_typed(s) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE;
	yaml_scalar_event_initialize(&e, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1, style);
	ev(m, &e);
}

/* Booleans are written plain (true/false), so they read back as booleans. */
static void boolean(struct emit *m, int v)
{
	yaml_event_t e;
	const char *s = v ? "true" : "false";
	yaml_scalar_event_initialize(&e, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 0,
	                             YAML_PLAIN_SCALAR_STYLE);
	ev(m, &e);
}

static void kv(struct emit *m, const char *k, const char *v)
{
	if (!v)
		return;
	scalar(m, k);
	scalar(m, v);
}

static void map_start(struct emit *m)
{
	yaml_event_t e;
	yaml_mapping_start_event_initialize(&e, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	ev(m, &e);
}

static void map_end(struct emit *m)
{
	yaml_event_t e;
	yaml_mapping_end_event_initialize(&e);
	ev(m, &e);
}

static void seq_start(struct emit *m)
{
	yaml_event_t e;
	yaml_sequence_start_event_initialize(&e, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
	ev(m, &e);
}

static void seq_end(struct emit *m)
{
	yaml_event_t e;
	yaml_sequence_end_event_initialize(&e);
	ev(m, &e);
}

/* "- name: N\n  <inner>:" and leaves the inner mapping open. */
static void named_entry(struct emit *m, const char *name, const char *inner)
{
	map_start(m);
	kv(m, "name", name);
	scalar(m, inner);
	map_start(m);
}

static void emit_user(struct emit *m, const struct kubeconfig_spec *s)
{
	if (s->exec_command) {
		scalar(m, "exec");
		map_start(m);
		kv(m, "apiVersion",
		   s->exec_api_version ? s->exec_api_version : "client.authentication.k8s.io/v1");
		kv(m, "command", s->exec_command);
		scalar(m, "args");
		seq_start(m);
		for (size_t i = 0; i < s->n_exec_args; i++)
			scalar(m, s->exec_args[i]);
		seq_end(m);
		if (s->n_exec_env) {
			scalar(m, "env");
			seq_start(m);
			for (size_t i = 0; i < s->n_exec_env; i++) {
				map_start(m);
				kv(m, "name", s->exec_env[i].name);
				kv(m, "value", s->exec_env[i].value ? s->exec_env[i].value : "");
				map_end(m);
			}
			seq_end(m);
		}
		kv(m, "interactiveMode", "Never");
		scalar(m, "provideClusterInfo");
		boolean(m, s->exec_provide_cluster_info);
		kv(m, "installHint", s->exec_install_hint);
		map_end(m);
		return;
	}
	kv(m, "token", s->token);
	if (s->client_cert_pem && s->client_key_pem) {
		char *c = kj_b64_encode(s->client_cert_pem, strlen(s->client_cert_pem));
		char *k = kj_b64_encode(s->client_key_pem, strlen(s->client_key_pem));
		kv(m, "client-certificate-data", c);
		kv(m, "client-key-data", k);
		free(c);
		kj_free_secret(k);
	}
}

char *kubeconfig_render(const struct kubeconfig_spec *s, kj_err *e)
{
	if (!s->server || !*s->server) {
		kj_err_set(e, KJ_ERR_USAGE, _("a kubeconfig needs a server"));
		return NULL;
	}
	const char *cluster = s->cluster_name ? s->cluster_name : "kubejit";
	const char *user = s->user_name ? s->user_name : "kubejit";
	const char *context = s->context_name ? s->context_name : "kubejit";
	struct emit m = {0};
	yaml_event_t event;
	if (!yaml_emitter_initialize(&m.em))
		abort();
	kj_buf_init(&m.out);
	yaml_emitter_set_output(&m.em, emit_write, &m.out);
	yaml_emitter_set_width(&m.em, -1); /* never fold base64 */
	yaml_emitter_set_unicode(&m.em, 1);
	yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING);
	ev(&m, &event);
	yaml_document_start_event_initialize(&event, NULL, NULL, NULL, 1);
	ev(&m, &event);
	map_start(&m);
	kv(&m, "apiVersion", "v1");
	kv(&m, "kind", "Config");

	scalar(&m, "clusters");
	seq_start(&m);
	named_entry(&m, cluster, "cluster");
	kv(&m, "server", s->server);
	if (s->ca_pem && *s->ca_pem) {
		char *ca = kj_b64_encode(s->ca_pem, strlen(s->ca_pem));
		kv(&m, "certificate-authority-data", ca);
		free(ca);
	} else if (s->insecure) {
		scalar(&m, "insecure-skip-tls-verify");
		boolean(&m, 1);
	}
	kv(&m, "tls-server-name", s->tls_server_name && *s->tls_server_name ? s->tls_server_name : NULL);
	map_end(&m);
	map_end(&m);
	seq_end(&m);

	scalar(&m, "users");
	seq_start(&m);
	named_entry(&m, user, "user");
	emit_user(&m, s);
	map_end(&m);
	map_end(&m);
	seq_end(&m);

	scalar(&m, "contexts");
	seq_start(&m);
	named_entry(&m, context, "context");
	kv(&m, "cluster", cluster);
	kv(&m, "user", user);
	kv(&m, "namespace", s->namespace && *s->namespace ? s->namespace : NULL);
	map_end(&m);
	map_end(&m);
	seq_end(&m);

	kv(&m, "current-context", context);
	map_end(&m);
	yaml_document_end_event_initialize(&event, 1);
	ev(&m, &event);
	yaml_stream_end_event_initialize(&event);
	ev(&m, &event);
	yaml_emitter_flush(&m.em);
	int failed = m.failed;
	const char *problem = m.em.problem;
	if (failed)
		kj_err_set(e, KJ_ERR_FAIL, _("cannot write the kubeconfig: %s"),
		           problem ? problem : "libyaml");
	yaml_emitter_delete(&m.em);
	if (failed) {
		kj_buf_done(&m.out);
		return NULL;
	}
	return kj_buf_steal(&m.out);
}

int kubeconfig_write(const char *path, const struct kubeconfig_spec *spec, int force, kj_err *e)
{
	char *text = kubeconfig_render(spec, e);
	if (!text)
		return -1;
	int rc = kj_file_write_private(path, text, strlen(text), force, e);
	kj_free_secret(text);
	return rc;
}
