/* seed: load the seed objects (YAML, several documents) into the store and
 * write the credentials a user needs: tokens/<account>.token for the seeded
 * privileged accounts and the admin kubeconfig, all 0600. */
#include "demo/internal.h"
#include "demo/statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <yaml.h>

#include "util/b64.h"
#include "util/i18n.h"

/* Generated from data/seed.yaml at build time (seed_data.c). */
extern const char demo_seed_yaml[];

const char *const demo_seed_accounts[] = {
    "kube-system/token-request-sa",
    "kube-system/kubejit-jit",
    "kubernetes-dashboard/kubernetes-dashboard",
    NULL,
};

/* Seeded account tokens live this long (a year): they stand for the
 * long-lived credentials an operator configures a target with. */
#define ACCOUNT_TOKEN_SECONDS (365 * 86400)

static cJSON *scalar(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;
	char *end;
	long long ll;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return cJSON_CreateString(v);
	if (!strcmp(v, "true"))
		return cJSON_CreateTrue();
	if (!strcmp(v, "false"))
		return cJSON_CreateFalse();
	if (!strcmp(v, "null") || !strcmp(v, "~") || !*v)
		return cJSON_CreateNull();
	ll = strtoll(v, &end, 10);
	if (*v && !*end && (v[0] != '0' || !v[1]))
		return cJSON_CreateNumber((double)ll);
	return cJSON_CreateString(v);
}

static cJSON *to_json(yaml_document_t *doc, const yaml_node_t *n, int depth)
{
	cJSON *out;

	if (!n || depth > 64)
		return cJSON_CreateNull();
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return scalar(n);
	case YAML_SEQUENCE_NODE: {
		yaml_node_item_t *it;

		out = cJSON_CreateArray();
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
			cJSON_AddItemToArray(out, to_json(doc, yaml_document_get_node(doc, *it), depth + 1));
		return out;
	}
	case YAML_MAPPING_NODE: {
		yaml_node_pair_t *p;

		out = cJSON_CreateObject();
		for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			const yaml_node_t *k = yaml_document_get_node(doc, p->key);

			if (!k || k->type != YAML_SCALAR_NODE)
				continue;
			cJSON_AddItemToObject(out, (const char *)k->data.scalar.value,
			                      to_json(doc, yaml_document_get_node(doc, p->value), depth + 1));
		}
		return out;
	}
	default:
		return cJSON_CreateNull();
	}
}

static const struct demo_resource *resource_of(const cJSON *obj)
{
	const char *kind = obj_str(obj, "kind"), *av = obj_str(obj, "apiVersion");
	const char *slash = strchr(av, '/');
	const struct demo_resource *d;

	for (d = demo_resources; d->name; d++) {
		size_t gl = slash ? (size_t)(slash - av) : 0;

		if (strcmp(d->kind, kind) || !d->list_kind || strchr(d->name, '/'))
			continue;
		if (slash ? (strlen(d->group) == gl && !strncmp(d->group, av, gl) &&
		             !strcmp(d->version, slash + 1))
		          : (!*d->group && !strcmp(d->version, av)))
			return d;
	}
	return NULL;
}

/* Seeded objects get uids derived from the cluster CA and their key, so a
 * restart on the same state dir gives the seeded ServiceAccounts the same
 * uids and the tokens written before stay valid. */
static void seed_uid(struct demo_cluster *dc, cJSON *obj, const char *group, const char *resource,
                     const char *ns)
{
	unsigned char md[32];
	unsigned int n = 0;
	char *key = kj_xasprintf("%s\n%s\n%s\n%s\n%s", dc->ca.cert_pem, group, resource, ns,
	                         obj_meta_str(obj, "name"));
	char uid[37];
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");

	if (!cJSON_IsObject(meta) || !EVP_Digest(key, strlen(key), md, &n, EVP_sha256(), NULL)) {
		free(key);
		return;
	}
	free(key);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x40); /* version 4 layout */
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	snprintf(uid, sizeof(uid), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	         md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11], md[12],
	         md[13], md[14], md[15]);
	cJSON_DeleteItemFromObjectCaseSensitive(meta, "uid");
	cJSON_AddStringToObject(meta, "uid", uid);
}

static void add_namespace_defaults(struct demo_cluster *dc, const char *ns)
{
	cJSON *sa = cJSON_CreateObject(), *cm = cJSON_CreateObject(), *m, *data;

	cJSON_AddStringToObject(sa, "kind", "ServiceAccount");
	cJSON_AddStringToObject(sa, "apiVersion", "v1");
	m = cJSON_AddObjectToObject(sa, "metadata");
	cJSON_AddStringToObject(m, "name", "default");
	seed_uid(dc, sa, "", "serviceaccounts", ns);
	objstore_create(dc->store, "", "serviceaccounts", ns, sa, NULL, NULL, 0);
	cJSON_AddStringToObject(cm, "kind", "ConfigMap");
	cJSON_AddStringToObject(cm, "apiVersion", "v1");
	m = cJSON_AddObjectToObject(cm, "metadata");
	cJSON_AddStringToObject(m, "name", "kube-root-ca.crt");
	data = cJSON_AddObjectToObject(cm, "data");
	cJSON_AddStringToObject(data, "ca.crt", dc->ca.cert_pem);
	seed_uid(dc, cm, "", "configmaps", ns);
	objstore_create(dc->store, "", "configmaps", ns, cm, NULL, NULL, 0);
	cJSON_Delete(sa);
	cJSON_Delete(cm);
}

/* Seeded pods started when the cluster did: fill status.startTime and the
 * running containers' startedAt that a YAML file cannot know. */
static void pod_times(cJSON *pod)
{
	cJSON *status = cJSON_GetObjectItemCaseSensitive(pod, "status"), *cs;
	char ts[32];

	if (!cJSON_IsObject(status))
		return;
	kj_time_rfc3339(kj_now(), ts, sizeof(ts));
	if (!cJSON_GetObjectItemCaseSensitive(status, "startTime"))
		cJSON_AddStringToObject(status, "startTime", ts);
	cJSON_ArrayForEach(cs, cJSON_GetObjectItemCaseSensitive(status, "containerStatuses"))
	{
		cJSON *run = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cs, "state"),
		                                              "running");

		if (cJSON_IsObject(run) && !cJSON_GetObjectItemCaseSensitive(run, "startedAt"))
			cJSON_AddStringToObject(run, "startedAt", ts);
	}
}

static int load_object(struct demo_cluster *dc, cJSON *obj, int docno, const char *src, kj_err *e)
{
	const struct demo_resource *res = resource_of(obj);
	const char *ns;

	if (!res)
		return kj_err_set(e, KJ_ERR_INVALID,
		                  _("%s: document %d: kind \"%s\" (%s) is not served by the demo cluster"),
		                  src, docno, obj_str(obj, "kind"), obj_str(obj, "apiVersion"));
	ns = res->namespaced ? obj_meta_str(obj, "namespace") : "";
	if (res->namespaced && !*ns)
		ns = "default";
	demo_apply_defaults(res, obj);
	if (!strcmp(res->name, "pods"))
		pod_times(obj);
	seed_uid(dc, obj, res->group, res->name, ns);
	if (objstore_create(dc->store, res->group, res->name, ns, obj, NULL, NULL, 0) != OBJ_OK)
		return kj_err_set(e, KJ_ERR_INVALID, _("%s: document %d: %s \"%s\" is defined twice"), src,
		                  docno, res->kind, obj_meta_str(obj, "name"));
	if (!strcmp(res->name, "namespaces"))
		add_namespace_defaults(dc, obj_meta_str(obj, "name"));
	return 0;
}

/* What `kubejit rbac approver --serviceaccount kube-system:kubejit-jit`
 * grants, for demo_opts.seed_approver: the demo's privileged target may
 * then decide the developer's access requests. */
static const char approver_yaml[] =
    "apiVersion: rbac.authorization.k8s.io/v1\n"
    "kind: ClusterRole\n"
    "metadata: {name: kubejit-approver, labels: {app.kubernetes.io/managed-by: kubejit}}\n"
    "rules:\n"
    "- {apiGroups: [\"certificates.k8s.io\"], resources: [\"certificatesigningrequests\"], verbs: "
    "[\"get\", \"list\", \"update\", \"delete\"]}\n"
    "- {apiGroups: [\"certificates.k8s.io\"], resources: [\"certificatesigningrequests/approval\"], "
    "verbs: [\"update\"]}\n"
    "- {apiGroups: [\"certificates.k8s.io\"], resources: [\"signers\"], resourceNames: "
    "[\"kubejit.io/access-request\"], verbs: [\"approve\"]}\n"
    "---\n"
    "apiVersion: rbac.authorization.k8s.io/v1\n"
    "kind: ClusterRoleBinding\n"
    "metadata: {name: kubejit-approver, labels: {app.kubernetes.io/managed-by: kubejit}}\n"
    "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kubejit-approver}\n"
    "subjects:\n"
    "- {kind: ServiceAccount, name: kubejit-jit, namespace: kube-system}\n";

/* Load the YAML documents of `f`, or else of `text`, named `src` in errors. */
static int load_yaml(struct demo_cluster *dc, FILE *f, const char *text, const char *src, kj_err *e)
{
	yaml_parser_t p;
	int docno = 0, rc = 0;

	yaml_parser_initialize(&p);
	if (f)
		yaml_parser_set_input_file(&p, f);
	else
		yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
	while (!rc) {
		yaml_document_t doc;
		yaml_node_t *root;
		cJSON *obj;

		if (!yaml_parser_load(&p, &doc)) {
			rc = kj_err_set(e, KJ_ERR_INVALID, _("%s:%lu:%lu: %s"), src,
			                (unsigned long)p.problem_mark.line + 1,
			                (unsigned long)p.problem_mark.column + 1,
			                p.problem ? p.problem : "YAML error");
			break;
		}
		root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		docno++;
		obj = to_json(&doc, root, 0);
		yaml_document_delete(&doc);
		if (cJSON_IsObject(obj) && obj->child)
			rc = load_object(dc, obj, docno, src, e);
		cJSON_Delete(obj);
	}
	yaml_parser_delete(&p);
	return rc;
}

int demo_seed_load(struct demo_cluster *dc, const char *file, kj_err *e)
{
	FILE *f = NULL;
	int rc;

	if (file && !(f = fopen(file, "r")))
		return kj_err_set(e, KJ_ERR_NOTFOUND, _("cannot read seed file %s: %s"), file,
		                  strerror(errno));
	rc = load_yaml(dc, f, demo_seed_yaml, file ? file : "built-in seed", e);
	if (f)
		fclose(f);
	if (!rc && dc->opts.seed_approver)
		rc = load_yaml(dc, NULL, approver_yaml, "built-in approver role", e);
	return rc;
}

static int write_secret_file(const char *path, const char *data, kj_err *e)
{
	return demo_state_write(path, data, strlen(data), e);
}

static int write_kubeconfig(struct demo_cluster *dc, kj_err *e)
{
	char *ca = kj_b64_encode(dc->ca.cert_pem, strlen(dc->ca.cert_pem));
	char *crt = kj_b64_encode(dc->admin.cert_pem, strlen(dc->admin.cert_pem));
	char *key = kj_b64_encode(dc->admin.key_pem, strlen(dc->admin.key_pem));
	kj_buf b;
	int rc;

	kj_buf_init(&b);
	kj_buf_printf(&b,
	              "apiVersion: v1\n"
	              "kind: Config\n"
	              "clusters:\n"
	              "- name: kubejit-demo\n"
	              "  cluster:\n"
	              "    server: %s\n"
	              "    certificate-authority-data: %s\n"
	              "users:\n"
	              "- name: kubernetes-admin\n"
	              "  user:\n"
	              "    client-certificate-data: %s\n"
	              "    client-key-data: %s\n"
	              "- name: admin-token\n"
	              "  user:\n"
	              "    token: %s\n"
	              "contexts:\n"
	              "- name: kubejit-demo\n"
	              "  context:\n"
	              "    cluster: kubejit-demo\n"
	              "    user: kubernetes-admin\n"
	              "    namespace: default\n"
	              "- name: kubejit-demo-token\n"
	              "  context:\n"
	              "    cluster: kubejit-demo\n"
	              "    user: admin-token\n"
	              "    namespace: default\n"
	              "current-context: kubejit-demo\n",
	              dc->url, ca, crt, key, dc->admin_token);
	rc = write_secret_file(dc->kubeconfig_path, b.data, e);
	kj_buf_done(&b);
	free(crt);
	kj_free_secret(key);
	if (rc == 0) {
		/* the developer: who they are, nothing they may do beyond asking */
		crt = kj_b64_encode(dc->developer.cert_pem, strlen(dc->developer.cert_pem));
		key = kj_b64_encode(dc->developer.key_pem, strlen(dc->developer.key_pem));
		kj_buf_init(&b);
		kj_buf_printf(&b,
		              "apiVersion: v1\n"
		              "kind: Config\n"
		              "clusters:\n"
		              "- name: kubejit-demo\n"
		              "  cluster:\n"
		              "    server: %s\n"
		              "    certificate-authority-data: %s\n"
		              "users:\n"
		              "- name: developer\n"
		              "  user:\n"
		              "    client-certificate-data: %s\n"
		              "    client-key-data: %s\n"
		              "contexts:\n"
		              "- name: kubejit-demo-developer\n"
		              "  context:\n"
		              "    cluster: kubejit-demo\n"
		              "    user: developer\n"
		              "    namespace: default\n"
		              "current-context: kubejit-demo-developer\n",
		              dc->url, ca, crt, key);
		rc = write_secret_file(dc->developer_kubeconfig_path, b.data, e);
		kj_wipe(b.data, b.len);
		kj_buf_done(&b);
		free(crt);
		kj_free_secret(key);
	}
	free(ca);
	return rc;
}

static void remember(struct demo_cluster *dc, const char *key, char *token)
{
	dc->account_keys = kj_xrealloc(dc->account_keys, (dc->naccounts + 1) * sizeof(char *));
	dc->account_tokens = kj_xrealloc(dc->account_tokens, (dc->naccounts + 1) * sizeof(char *));
	dc->account_keys[dc->naccounts] = kj_xstrdup(key);
	dc->account_tokens[dc->naccounts] = token;
	dc->naccounts++;
}

int demo_seed_write_credentials(struct demo_cluster *dc, kj_err *e)
{
	char *dir = kj_xasprintf("%s/tokens", dc->state_dir), *path;
	size_t i;
	int rc = 0;

	if (demo_state_dir_check(dir, e) < 0) {
		free(dir);
		return -1;
	}
	path = kj_xasprintf("%s/admin.token", dir);
	rc = write_secret_file(path, dc->admin_token, e);
	free(path);
	for (i = 0; !rc && demo_seed_accounts[i] && dc->hooks.mint_sa_token; i++) {
		const char *key = demo_seed_accounts[i], *slash = strchr(key, '/');
		char *ns = kj_xstrndup(key, (size_t)(slash - key));
		char *tok = dc->hooks.mint_sa_token(dc, ns, slash + 1, ACCOUNT_TOKEN_SECONDS);

		free(ns);
		if (!tok)
			continue;
		path = kj_xasprintf("%s/%s.token", dir, slash + 1);
		rc = write_secret_file(path, tok, e);
		free(path);
		remember(dc, key, tok);
	}
	free(dir);
	if (!rc)
		rc = write_kubeconfig(dc, e);
	return rc;
}
