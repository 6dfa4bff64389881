#include "engine/output.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "kube/kubeconfig.h"
#include "util/b64.h"
#include "util/file.h"
#include "util/i18n.h"
#include "util/names.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#define EXEC_V1      "client.authentication.k8s.io/v1"
#define EXEC_V1BETA1 "client.authentication.k8s.io/v1beta1"

int output_format_parse(const char *s, enum output_format *out, kj_err *e)
{
	static const struct {
		const char *name;
		enum output_format f;
	} names[] = {
	    {"token", OUTPUT_TOKEN},           {"exec", OUTPUT_EXEC},
	    {"exec-v1", OUTPUT_EXEC},          {"exec-v1beta1", OUTPUT_EXEC_V1BETA1},
	    {"kubeconfig", OUTPUT_KUBECONFIG}, {"json", OUTPUT_JSON},
	};
	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i].name)) {
			*out = names[i].f;
			return 0;
		}
	}
	kj_err_set(e, KJ_ERR_USAGE, _("output format \"%s\" is not known"), s ? s : "");
	return kj_err_hint(e, _("use -o token, exec, exec-v1beta1, kubeconfig or json"));
}

/* cJSON_Print copies; the copy holds the token, the tree is wiped too. */
static char *print_secret_json(cJSON *root, cJSON *token_item)
{
	char *s = cJSON_Print(root), *line;

	if (token_item && token_item->valuestring)
		kj_wipe(token_item->valuestring, strlen(token_item->valuestring));
	cJSON_Delete(root);
	/* text ends with a newline, in a file as on a terminal */
	line = kj_xasprintf("%s\n", s);
	kj_free_secret(s);
	return line;
}

char *output_exec_credential(const char *api_version, const char *token, int64_t expiry)
{
	cJSON *root = cJSON_CreateObject(), *status, *tok;
	char ts[32];

	cJSON_AddStringToObject(root, "apiVersion", api_version ? api_version : EXEC_V1);
	cJSON_AddStringToObject(root, "kind", "ExecCredential");
	status = cJSON_AddObjectToObject(root, "status");
	tok = cJSON_AddStringToObject(status, "token", token ? token : "");
	if (expiry > 0) {
		kj_time_rfc3339(expiry, ts, sizeof(ts));
		cJSON_AddStringToObject(status, "expirationTimestamp", ts);
	}
	return print_secret_json(root, tok);
}

char *output_kubeconfig(const struct output_kubeconfig *k)
{
	struct kubeconfig_spec spec;
	kj_err e;

	memset(&spec, 0, sizeof(spec));
	spec.cluster_name = k->cluster_name;
	spec.context_name = k->cluster_name;
	spec.user_name = k->user_name;
	spec.server = k->server;
	spec.ca_pem = k->ca_pem;
	spec.tls_server_name = k->tls_server_name;
	spec.namespace = k->ns;
	spec.token = k->token;
	return kubeconfig_render(&spec, &e);
}

static char *render_json(const struct mint_result *r)
{
	cJSON *root = cJSON_CreateObject(), *objs, *tok;

	cJSON_AddStringToObject(root, "lease", r->lease_id);
	cJSON_AddStringToObject(root, "secret", r->secret ? r->secret : "");
	cJSON_AddStringToObject(root, "target", r->target ? r->target : "");
	cJSON_AddStringToObject(root, "mode", secret_mode_name(r->mode));
	cJSON_AddStringToObject(root, "namespace", r->ns ? r->ns : "");
	cJSON_AddStringToObject(root, "serviceAccount", r->service_account ? r->service_account : "");
	cJSON_AddBoolToObject(root, "revocable", r->revocable);
	kj_json_add_time(root, "expiresAt", r->lease_expiry);
	kj_json_add_time(root, "tokenExpiresAt", r->token_expiry);
	cJSON_AddStringToObject(root, "server", r->server ? r->server : "");
	cJSON_AddStringToObject(root, "fingerprint", r->fingerprint);
	if (r->jti)
		cJSON_AddStringToObject(root, "jti", r->jti);
	objs = cJSON_AddArrayToObject(root, "objects");
	for (size_t i = 0; i < r->n_objects; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", r->objects[i].kind);
		if (r->objects[i].ns)
			cJSON_AddStringToObject(o, "namespace", r->objects[i].ns);
		cJSON_AddStringToObject(o, "name", r->objects[i].name);
		if (r->objects[i].uid)
			cJSON_AddStringToObject(o, "uid", r->objects[i].uid);
		cJSON_AddItemToArray(objs, o);
	}
	if (r->warning)
		cJSON_AddStringToObject(root, "warning", r->warning);
	if (r->ready_check) {
		cJSON *rd = cJSON_AddObjectToObject(root, "ready");
		cJSON_AddBoolToObject(rd, "checked", r->ready_ms >= 0);
		if (r->ready_ms >= 0)
			cJSON_AddNumberToObject(rd, "seconds", (double)r->ready_ms / 1000.0);
		cJSON_AddStringToObject(rd, "check", r->ready_check);
	}
	tok = cJSON_AddStringToObject(root, "token", r->token ? r->token : "");
	return print_secret_json(kj_json_document("MintResult", root), tok);
}

/* When the credential stops working: a revocable lease is revoked at its
 * end, which may come before the token's own expiry (TTL under 10 minutes);
 * an expiry-only token lives until its expiry whatever the lease says. */
static int64_t credential_end(const struct mint_result *r)
{
	if (r->revocable && r->lease_expiry && (!r->token_expiry || r->lease_expiry < r->token_expiry))
		return r->lease_expiry;
	return r->token_expiry;
}

char *output_render(const struct mint_result *r, enum output_format f)
{
	char slug[40], user[64], cluster[128];
	struct output_kubeconfig k;

	switch (f) {
	case OUTPUT_TOKEN:
		/* one line, like kubectl create token: `$(...)` strips the newline */
		return kj_xasprintf("%s\n", r->token ? r->token : "");
	case OUTPUT_EXEC:
		return output_exec_credential(EXEC_V1, r->token, credential_end(r));
	case OUTPUT_EXEC_V1BETA1:
		return output_exec_credential(EXEC_V1BETA1, r->token, credential_end(r));
	case OUTPUT_KUBECONFIG:
		kj_slug(r->secret, 40, slug, sizeof(slug));
		snprintf(user, sizeof(user), "kubejit-%s", slug);
		snprintf(cluster, sizeof(cluster), "%s", r->target && *r->target ? r->target : "kubejit");
		memset(&k, 0, sizeof(k));
		k.cluster_name = cluster;
		k.server = r->server;
		k.ca_pem = r->ca_pem;
		k.tls_server_name = r->tls_server_name;
		k.user_name = user;
		k.token = r->token;
		k.ns = r->ns;
		return output_kubeconfig(&k);
	case OUTPUT_JSON:
		return render_json(r);
	}
	return NULL;
}

int output_write_file(const char *path, const char *data, int force, kj_err *e)
{
	return kj_file_write_private(path, data, strlen(data), force, e);
}
