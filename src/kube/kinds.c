/* kinds: the resource table and path building. */
#include "kube/kinds.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/strbuf.h"

#define RBAC  "rbac.authorization.k8s.io"
#define AUTHN "authentication.k8s.io"
#define AUTHZ "authorization.k8s.io"
#define CERTS "certificates.k8s.io"

/* Indexed by enum kube_kind_id. */
static const struct kube_kind kinds[KUBE_KIND_COUNT] = {
    [KUBE_SERVICEACCOUNT] = {KUBE_SERVICEACCOUNT, "", "v1", "v1", "ServiceAccount", "serviceaccounts", NULL,
                             1, 0},
    [KUBE_SECRET] = {KUBE_SECRET, "", "v1", "v1", "Secret", "secrets", NULL, 1, 0},
    [KUBE_NAMESPACE] = {KUBE_NAMESPACE, "", "v1", "v1", "Namespace", "namespaces", NULL, 0, 0},
    [KUBE_POD] = {KUBE_POD, "", "v1", "v1", "Pod", "pods", NULL, 1, 0},
    [KUBE_CONFIGMAP] = {KUBE_CONFIGMAP, "", "v1", "v1", "ConfigMap", "configmaps", NULL, 1, 0},
    [KUBE_ROLE] = {KUBE_ROLE, RBAC, "v1", RBAC "/v1", "Role", "roles", NULL, 1, 0},
    [KUBE_CLUSTERROLE] = {KUBE_CLUSTERROLE, RBAC, "v1", RBAC "/v1", "ClusterRole", "clusterroles", NULL, 0,
                          0},
    [KUBE_ROLEBINDING] = {KUBE_ROLEBINDING, RBAC, "v1", RBAC "/v1", "RoleBinding", "rolebindings", NULL, 1,
                          0},
    [KUBE_CLUSTERROLEBINDING] = {KUBE_CLUSTERROLEBINDING, RBAC, "v1", RBAC "/v1", "ClusterRoleBinding",
                                 "clusterrolebindings", NULL, 0, 0},
    [KUBE_CSR] = {KUBE_CSR, CERTS, "v1", CERTS "/v1", "CertificateSigningRequest",
                  "certificatesigningrequests", NULL, 0, 0},
    /* TokenRequest lives under the core group's serviceaccounts but is an
     * authentication.k8s.io/v1 object. */
    [KUBE_TOKENREQUEST] = {KUBE_TOKENREQUEST, "", "v1", AUTHN "/v1", "TokenRequest", "serviceaccounts",
                           "token", 1, 1},
    [KUBE_SELFSUBJECTREVIEW] = {KUBE_SELFSUBJECTREVIEW, AUTHN, "v1", AUTHN "/v1", "SelfSubjectReview",
                                "selfsubjectreviews", NULL, 0, 1},
    [KUBE_SSAR] = {KUBE_SSAR, AUTHZ, "v1", AUTHZ "/v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews",
                   NULL, 0, 1},
    [KUBE_SSRR] = {KUBE_SSRR, AUTHZ, "v1", AUTHZ "/v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews",
                   NULL, 0, 1},
};

const struct kube_kind *kube_kind(enum kube_kind_id id)
{
	if ((int)id < 0 || id >= KUBE_KIND_COUNT)
		return NULL;
	return &kinds[id];
}

const struct kube_kind *kube_kind_find(const char *name)
{
	if (!name)
		return NULL;
	for (int i = 0; i < KUBE_KIND_COUNT; i++) {
		const struct kube_kind *k = &kinds[i];
		char res[128];
		if (k->subresource) {
			snprintf(res, sizeof res, "%s/%s", k->plural, k->subresource);
			if (strcmp(name, res) == 0 || strcasecmp(name, k->kind) == 0)
				return k;
			continue;
		}
		if (strcasecmp(name, k->kind) == 0 || strcmp(name, k->plural) == 0)
			return k;
		if (k->group[0]) {
			snprintf(res, sizeof res, "%s.%s", k->plural, k->group);
			if (strcmp(name, res) == 0)
				return k;
		}
	}
	return NULL;
}

const char *kube_kind_resource(const struct kube_kind *k, char *buf, size_t n)
{
	if (k->subresource)
		snprintf(buf, n, "%s/%s", k->plural, k->subresource);
	else if (k->group[0])
		snprintf(buf, n, "%s.%s", k->plural, k->group);
	else
		snprintf(buf, n, "%s", k->plural);
	return buf;
}

/* Names in paths: Kubernetes forbids '/' and '%' in names, but RBAC names may
 * hold ':' and other characters; escape anything outside the safe set. */
static void add_segment(kj_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	kj_buf_addc(b, '/');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    strchr("-._~:@", ch)) {
			kj_buf_addc(b, (char)ch);
		} else {
			kj_buf_addc(b, '%');
			kj_buf_addc(b, hex[ch >> 4]);
			kj_buf_addc(b, hex[ch & 15]);
		}
	}
}

static void add_base(kj_buf *b, const struct kube_kind *k)
{
	if (k->group[0])
		kj_buf_printf(b, "/apis/%s/%s", k->group, k->version);
	else
		kj_buf_printf(b, "/api/%s", k->version);
}

char *kube_kind_subpath(const struct kube_kind *k, const char *ns, const char *name, const char *sub)
{
	if (!k || (k->subresource && (!name || !*name)) || (sub && (!name || !*name)))
		return NULL;
	if (k->namespaced && name && *name && (!ns || !*ns))
		return NULL; /* an item of a namespaced kind needs its namespace */
	kj_buf b;
	kj_buf_init(&b);
	add_base(&b, k);
	if (k->namespaced && ns && *ns) {
		kj_buf_adds(&b, "/namespaces");
		add_segment(&b, ns);
	}
	kj_buf_addc(&b, '/');
	kj_buf_adds(&b, k->plural);
	if (name && *name)
		add_segment(&b, name);
	if (k->subresource) {
		kj_buf_addc(&b, '/');
		kj_buf_adds(&b, k->subresource);
	}
	if (sub) {
		kj_buf_addc(&b, '/');
		kj_buf_adds(&b, sub);
	}
	return kj_buf_steal(&b);
}

char *kube_kind_path(const struct kube_kind *k, const char *ns, const char *name)
{
	return kube_kind_subpath(k, ns, name, NULL);
}
