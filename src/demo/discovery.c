/* discovery: the served resource table and the legacy discovery documents
 * (/version, /api, /apis, /api/v1, /apis/<g>, /apis/<g>/<v>), doc/KUBERNETES.md, "What kubectl needs".
 * Plain APIVersions / APIGroupList / APIResourceList are served; kubectl
 * accepts them as the non-aggregated fallback. */
#include "demo/internal.h"

#include <stdlib.h>
#include <string.h>

#define CRUD     "create delete deletecollection get list patch update watch"
#define NS_VERBS "create delete get list patch update watch"
#define RBAC     "rbac.authorization.k8s.io"
#define AUTHN    "authentication.k8s.io"
#define AUTHZ    "authorization.k8s.io"
#define CERTS    "certificates.k8s.io"

/* Answer through the auth modules' handler, 404 until they are installed. */
static void auth_dispatch(struct demo_req *r)
{
	if (r->dc->hooks.handle_auth)
		r->dc->hooks.handle_auth(r);
	else
		demo_reply_path_not_found(r);
}

/* clang-format off */
const struct demo_resource demo_resources[] = {
	{"", "v1", "configmaps", "configmap", "ConfigMap", "ConfigMapList", 1, CRUD, "cm", DEMO_NAME_SUBDOMAIN, NULL, 0},
	{"", "v1", "namespaces", "namespace", "Namespace", "NamespaceList", 0, NS_VERBS, "ns", DEMO_NAME_LABEL, NULL, 0},
	{"", "v1", "pods", "pod", "Pod", "PodList", 1, CRUD, "po", DEMO_NAME_SUBDOMAIN, NULL, 0},
	{"", "v1", "secrets", "secret", "Secret", "SecretList", 1, CRUD, NULL, DEMO_NAME_SUBDOMAIN, NULL, 0},
	{"", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", "ServiceAccountList", 1, CRUD, "sa",
	 DEMO_NAME_SUBDOMAIN, NULL, 0},
	{"", "v1", "serviceaccounts/token", "", "TokenRequest", NULL, 1, "create", NULL, DEMO_NAME_NONE,
	 auth_dispatch, 0},
	{AUTHN, "v1", "selfsubjectreviews", "selfsubjectreview", "SelfSubjectReview", NULL, 0, "create", NULL,
	 DEMO_NAME_NONE, auth_dispatch, 0},
	{AUTHN, "v1", "tokenreviews", "tokenreview", "TokenReview", NULL, 0, "create", NULL, DEMO_NAME_NONE,
	 auth_dispatch, 0},
	{AUTHZ, "v1", "localsubjectaccessreviews", "localsubjectaccessreview", "LocalSubjectAccessReview", NULL, 1,
	 "create", NULL, DEMO_NAME_NONE, auth_dispatch, 0},
	{AUTHZ, "v1", "selfsubjectaccessreviews", "selfsubjectaccessreview", "SelfSubjectAccessReview", NULL, 0,
	 "create", NULL, DEMO_NAME_NONE, auth_dispatch, 0},
	{AUTHZ, "v1", "selfsubjectrulesreviews", "selfsubjectrulesreview", "SelfSubjectRulesReview", NULL, 0,
	 "create", NULL, DEMO_NAME_NONE, auth_dispatch, 0},
	{AUTHZ, "v1", "subjectaccessreviews", "subjectaccessreview", "SubjectAccessReview", NULL, 0, "create", NULL,
	 DEMO_NAME_NONE, auth_dispatch, 0},
	{CERTS, "v1", "certificatesigningrequests", "certificatesigningrequest", "CertificateSigningRequest",
	 "CertificateSigningRequestList", 0, CRUD, "csr", DEMO_NAME_SUBDOMAIN, auth_dispatch, 0},
	{CERTS, "v1", "certificatesigningrequests/approval", "", "CertificateSigningRequest", NULL, 0,
	 "get patch update", NULL, DEMO_NAME_SUBDOMAIN, auth_dispatch, 0},
	{CERTS, "v1", "certificatesigningrequests/status", "", "CertificateSigningRequest", NULL, 0,
	 "get patch update", NULL, DEMO_NAME_SUBDOMAIN, auth_dispatch, 0},
	{RBAC, "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", "ClusterRoleBindingList", 0,
	 CRUD, NULL, DEMO_NAME_PATH, NULL, 0},
	{RBAC, "v1", "clusterroles", "clusterrole", "ClusterRole", "ClusterRoleList", 0, CRUD, NULL, DEMO_NAME_PATH,
	 NULL, 0},
	{RBAC, "v1", "rolebindings", "rolebinding", "RoleBinding", "RoleBindingList", 1, CRUD, NULL, DEMO_NAME_PATH,
	 NULL, 0},
	{RBAC, "v1", "roles", "role", "Role", "RoleList", 1, CRUD, NULL, DEMO_NAME_PATH, NULL, 0},
	{NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, DEMO_NAME_NONE, NULL, 0},
};
/* clang-format on */

const struct demo_resource *demo_resource_find(const char *group, const char *resource, const char *sub)
{
	const struct demo_resource *d;
	size_t n = strlen(resource);

	for (d = demo_resources; d->name; d++) {
		if (strcmp(d->group, group) || strncmp(d->name, resource, n))
			continue;
		if (sub && *sub ? (d->name[n] == '/' && !strcmp(d->name + n + 1, sub)) : !d->name[n])
			return d;
	}
	return NULL;
}

static cJSON *words(const char *s)
{
	cJSON *a = cJSON_CreateArray();

	while (s && *s) {
		size_t n = strcspn(s, " ");
		char *w = kj_xstrndup(s, n);

		cJSON_AddItemToArray(a, cJSON_CreateString(w));
		free(w);
		s += n;
		while (*s == ' ')
			s++;
	}
	return a;
}

static cJSON *gv_entry(const char *group, const char *version)
{
	cJSON *o = cJSON_CreateObject();
	char *gv = kj_xasprintf("%s/%s", group, version);

	cJSON_AddStringToObject(o, "groupVersion", gv);
	cJSON_AddStringToObject(o, "version", version);
	free(gv);
	return o;
}

static cJSON *api_group(const char *group)
{
	cJSON *g = cJSON_CreateObject(), *vs;

	cJSON_AddStringToObject(g, "name", group);
	vs = cJSON_AddArrayToObject(g, "versions");
	cJSON_AddItemToArray(vs, gv_entry(group, "v1"));
	cJSON_AddItemToObject(g, "preferredVersion", gv_entry(group, "v1"));
	return g;
}

static int group_known(const char *group)
{
	const struct demo_resource *d;

	for (d = demo_resources; d->name; d++)
		if (*group && !strcmp(d->group, group))
			return 1;
	return 0;
}

static void reply_resource_list(struct demo_req *r, const char *group, const char *version)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	const struct demo_resource *d;
	char *gv = *group ? kj_xasprintf("%s/%s", group, version) : kj_xstrdup(version);

	cJSON_AddStringToObject(o, "kind", "APIResourceList");
	cJSON_AddStringToObject(o, "apiVersion", "v1");
	cJSON_AddStringToObject(o, "groupVersion", gv);
	arr = cJSON_AddArrayToObject(o, "resources");
	for (d = demo_resources; d->name; d++) {
		cJSON *e;

		if (strcmp(d->group, group) || strcmp(d->version, version))
			continue;
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", d->name);
		cJSON_AddStringToObject(e, "singularName", d->singular);
		cJSON_AddBoolToObject(e, "namespaced", d->namespaced);
		if (!strcmp(d->name, "serviceaccounts/token")) {
			cJSON_AddStringToObject(e, "group", AUTHN);
			cJSON_AddStringToObject(e, "version", "v1");
		}
		cJSON_AddStringToObject(e, "kind", d->kind);
		cJSON_AddItemToObject(e, "verbs", words(d->verbs));
		if (d->short_names)
			cJSON_AddItemToObject(e, "shortNames", words(d->short_names));
		if (!strcmp(d->name, "pods"))
			cJSON_AddItemToObject(e, "categories", words("all"));
		cJSON_AddItemToArray(arr, e);
	}
	free(gv);
	demo_reply_json(r, 200, o);
}

static void reply_version(struct demo_req *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "major", "1");
	cJSON_AddStringToObject(o, "minor", "32");
	cJSON_AddStringToObject(o, "gitVersion", "v1.32.0-kubejit-demo");
	cJSON_AddStringToObject(o, "gitCommit", "0000000000000000000000000000000000000000");
	cJSON_AddStringToObject(o, "gitTreeState", "clean");
	cJSON_AddStringToObject(o, "buildDate", "2024-12-11T00:00:00Z");
	cJSON_AddStringToObject(o, "goVersion", "go1.23.4");
	cJSON_AddStringToObject(o, "compiler", "gc");
	cJSON_AddStringToObject(o, "platform", "linux/amd64");
	demo_reply_json(r, 200, o);
}

int demo_discovery_handle(struct demo_req *r)
{
	const char *p = r->path;
	const struct demo_resource *d;

	if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD"))
		return 0;
	if (!strcmp(p, "/version") || !strcmp(p, "/version/")) {
		reply_version(r);
		return 1;
	}
	if (!strcmp(p, "/api") || !strcmp(p, "/api/")) {
		cJSON *o = cJSON_CreateObject(), *cidr = cJSON_CreateObject(), *arr;
		char *addr = kj_xasprintf("127.0.0.1:%d", r->dc->port);

		cJSON_AddStringToObject(o, "kind", "APIVersions");
		cJSON_AddItemToObject(o, "versions", words("v1"));
		arr = cJSON_AddArrayToObject(o, "serverAddressByClientCIDRs");
		cJSON_AddStringToObject(cidr, "clientCIDR", "0.0.0.0/0");
		cJSON_AddStringToObject(cidr, "serverAddress", addr);
		cJSON_AddItemToArray(arr, cidr);
		free(addr);
		demo_reply_json(r, 200, o);
		return 1;
	}
	if (!strcmp(p, "/api/v1") || !strcmp(p, "/api/v1/")) {
		reply_resource_list(r, "", "v1");
		return 1;
	}
	if (!strcmp(p, "/apis") || !strcmp(p, "/apis/")) {
		cJSON *o = cJSON_CreateObject(), *groups;
		const struct demo_resource *e;

		cJSON_AddStringToObject(o, "kind", "APIGroupList");
		cJSON_AddStringToObject(o, "apiVersion", "v1");
		groups = cJSON_AddArrayToObject(o, "groups");
		for (d = demo_resources; d->name; d++) {
			if (!*d->group)
				continue;
			for (e = demo_resources; e != d && strcmp(e->group, d->group); e++)
				;
			if (e == d)
				cJSON_AddItemToArray(groups, api_group(d->group));
		}
		demo_reply_json(r, 200, o);
		return 1;
	}
	if (!strncmp(p, "/apis/", 6)) {
		const char *g = p + 6;
		size_t n = strcspn(g, "/");
		char *group = kj_xstrndup(g, n);
		const char *rest = g + n;
		int done = 0;

		if (group_known(group)) {
			if (!*rest || !strcmp(rest, "/")) {
				cJSON *o = api_group(group);

				cJSON_AddStringToObject(o, "kind", "APIGroup");
				cJSON_AddStringToObject(o, "apiVersion", "v1");
				demo_reply_json(r, 200, o);
				done = 1;
			} else if (!strcmp(rest, "/v1") || !strcmp(rest, "/v1/")) {
				reply_resource_list(r, group, "v1");
				done = 1;
			}
		}
		free(group);
		return done;
	}
	return 0;
}
