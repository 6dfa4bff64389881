/* kinds: the one table of Kubernetes resource kinds kubejit touches.
 *
 * Every API call builds its path from this table (never from string literals):
 * group, version, Kind, plural, scope, and for subresources (TokenRequest) the
 * parent kind and subresource name.  The table is static, read-only data and
 * thread-safe.  Paths returned are malloc'd (caller frees); name and namespace
 * segments are percent-escaped where needed. */
#ifndef KJ_KUBE_KINDS_H
#define KJ_KUBE_KINDS_H

#include <stddef.h>

enum kube_kind_id {
	KUBE_SERVICEACCOUNT,
	KUBE_SECRET,
	KUBE_NAMESPACE,
	KUBE_POD,
	KUBE_CONFIGMAP,
	KUBE_ROLE,
	KUBE_CLUSTERROLE,
	KUBE_ROLEBINDING,
	KUBE_CLUSTERROLEBINDING,
	KUBE_CSR,               /* certificates.k8s.io/v1 CertificateSigningRequest */
	KUBE_TOKENREQUEST,      /* serviceaccounts/token subresource */
	KUBE_SELFSUBJECTREVIEW, /* authentication.k8s.io/v1 */
	KUBE_SSAR,              /* SelfSubjectAccessReview */
	KUBE_SSRR,              /* SelfSubjectRulesReview */
	KUBE_KIND_COUNT
};

struct kube_kind {
	enum kube_kind_id id;
	const char *group;       /* "" for core */
	const char *version;     /* "v1" */
	const char *api_version; /* "v1" or "<group>/v1", as in objects */
	const char *kind;        /* "ServiceAccount" */
	const char *plural;      /* "serviceaccounts"; for subresources the parent's plural */
	const char *subresource; /* "token" for TokenRequest, else NULL */
	int namespaced;          /* 1 namespaced, 0 cluster-scoped */
	int create_only;         /* reviews and TokenRequest: POST only, nothing stored */
};

const struct kube_kind *kube_kind(enum kube_kind_id id);

/* Look a kind up by Kind ("Role"), plural ("roles"), or resource.group
 * ("roles.rbac.authorization.k8s.io"); case-insensitive for Kind.  NULL if
 * unknown. */
const struct kube_kind *kube_kind_find(const char *name);

/* GroupResource text as the API server writes it in messages: "serviceaccounts",
 * "roles.rbac.authorization.k8s.io" (plus "/token" for subresources). */
const char *kube_kind_resource(const struct kube_kind *k, char *buf, size_t n);

/* Path of a collection (name NULL) or an item.  For namespaced kinds `ns`
 * NULL or "" means all namespaces (list only); cluster-scoped kinds ignore
 * `ns`.  Subresource kinds need `name` (the parent's name): TokenRequest ->
 * /api/v1/namespaces/NS/serviceaccounts/NAME/token.  Returns NULL if the
 * request is impossible (subresource without name). */
char *kube_kind_path(const struct kube_kind *k, const char *ns, const char *name);

/* Item path plus "/<sub>", e.g. CSR approval: ".../certificatesigningrequests/x/approval". */
char *kube_kind_subpath(const struct kube_kind *k, const char *ns, const char *name, const char *sub);

#endif
