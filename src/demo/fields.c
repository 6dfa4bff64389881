/* fields: unknown and duplicate fields in a create or update body, as the
 * API server's decoder finds them, and what the request's fieldValidation
 * makes of them (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/create.go
 * and update.go): "Strict" refuses the body (400, "strict decoding error:
 * unknown field \"spec.foo\""), "Warn" (the default) stores the object
 * without them and adds a Warning header per field, "Ignore" drops them
 * quietly.  kubectl asks for Strict unless given --validate=false.
 *
 * The schemas below are the fields of the kinds the demo cluster stores
 * (staging/src/k8s.io/api/{core,rbac,certificates}/v1/types.go).  Below a
 * field whose schema is NULL nothing is checked (map values, the Pod spec,
 * status). */
#include "demo/internal.h"

#include <stdlib.h>
#include <string.h>

struct field {
	const char *name;
	const struct field *sub; /* its fields, or NULL: not checked below */
	int list;                /* a list of objects with `sub`'s fields */
};

static const struct field owner_ref[] = {
    {"apiVersion", NULL, 0}, {"kind", NULL, 0},       {"name", NULL, 0},
    {"uid", NULL, 0},        {"controller", NULL, 0}, {"blockOwnerDeletion", NULL, 0},
    {NULL, NULL, 0},
};
static const struct field managed_field[] = {
    {"manager", NULL, 0},    {"operation", NULL, 0}, {"apiVersion", NULL, 0},  {"time", NULL, 0},
    {"fieldsType", NULL, 0}, {"fieldsV1", NULL, 0},  {"subresource", NULL, 0}, {NULL, NULL, 0},
};
static const struct field meta[] = {
    {"name", NULL, 0},
    {"generateName", NULL, 0},
    {"namespace", NULL, 0},
    {"selfLink", NULL, 0},
    {"uid", NULL, 0},
    {"resourceVersion", NULL, 0},
    {"generation", NULL, 0},
    {"creationTimestamp", NULL, 0},
    {"deletionTimestamp", NULL, 0},
    {"deletionGracePeriodSeconds", NULL, 0},
    {"labels", NULL, 0},
    {"annotations", NULL, 0},
    {"ownerReferences", owner_ref, 1},
    {"finalizers", NULL, 0},
    {"managedFields", managed_field, 1},
    {NULL, NULL, 0},
};
static const struct field policy_rule[] = {
    {"verbs", NULL, 0},         {"apiGroups", NULL, 0},       {"resources", NULL, 0},
    {"resourceNames", NULL, 0}, {"nonResourceURLs", NULL, 0}, {NULL, NULL, 0},
};
static const struct field subject[] = {
    {"kind", NULL, 0}, {"apiGroup", NULL, 0}, {"name", NULL, 0}, {"namespace", NULL, 0}, {NULL, NULL, 0},
};
static const struct field role_ref[] = {
    {"apiGroup", NULL, 0},
    {"kind", NULL, 0},
    {"name", NULL, 0},
    {NULL, NULL, 0},
};
static const struct field aggregation[] = {{"clusterRoleSelectors", NULL, 0}, {NULL, NULL, 0}};
static const struct field ns_spec[] = {{"finalizers", NULL, 0}, {NULL, NULL, 0}};
static const struct field csr_spec[] = {
    {"request", NULL, 0}, {"signerName", NULL, 0}, {"expirationSeconds", NULL, 0},
    {"usages", NULL, 0},  {"username", NULL, 0},   {"uid", NULL, 0},
    {"groups", NULL, 0},  {"extra", NULL, 0},      {NULL, NULL, 0},
};

#define TYPE_META                                                                                            \
	{"apiVersion", NULL, 0}, {"kind", NULL, 0},                                                          \
	{                                                                                                    \
		"metadata", meta, 0                                                                          \
	}

static const struct field role[] = {TYPE_META, {"rules", policy_rule, 1}, {NULL, NULL, 0}};
static const struct field cluster_role[] = {
    TYPE_META, {"rules", policy_rule, 1}, {"aggregationRule", aggregation, 0}, {NULL, NULL, 0}};
static const struct field binding[] = {
    TYPE_META, {"subjects", subject, 1}, {"roleRef", role_ref, 0}, {NULL, NULL, 0}};
static const struct field service_account[] = {
    TYPE_META,
    {"secrets", NULL, 0},
    {"imagePullSecrets", NULL, 0},
    {"automountServiceAccountToken", NULL, 0},
    {NULL, NULL, 0},
};
static const struct field secret[] = {
    TYPE_META,         {"immutable", NULL, 0}, {"data", NULL, 0}, {"stringData", NULL, 0},
    {"type", NULL, 0}, {NULL, NULL, 0},
};
static const struct field config_map[] = {
    TYPE_META, {"immutable", NULL, 0}, {"data", NULL, 0}, {"binaryData", NULL, 0}, {NULL, NULL, 0},
};
static const struct field namespace_[] = {
    TYPE_META, {"spec", ns_spec, 0}, {"status", NULL, 0}, {NULL, NULL, 0}};
static const struct field pod[] = {TYPE_META, {"spec", NULL, 0}, {"status", NULL, 0}, {NULL, NULL, 0}};
static const struct field csr[] = {TYPE_META, {"spec", csr_spec, 0}, {"status", NULL, 0}, {NULL, NULL, 0}};

static const struct {
	const char *kind;
	const struct field *fields;
} kinds[] = {
    {"Role", role},
    {"ClusterRole", cluster_role},
    {"RoleBinding", binding},
    {"ClusterRoleBinding", binding},
    {"ServiceAccount", service_account},
    {"Secret", secret},
    {"ConfigMap", config_map},
    {"Namespace", namespace_},
    {"Pod", pod},
    {"CertificateSigningRequest", csr},
};

static const struct field *lookup(const struct field *fs, const char *name)
{
	for (; fs->name; fs++)
		if (!strcmp(fs->name, name))
			return fs;
	return NULL;
}

struct found {
	char **v;
	size_t n;
};

static void add_error(struct found *f, const char *what, const char *path)
{
	f->v = kj_xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
	f->v[f->n++] = kj_xasprintf("%s field \"%s\"", what, path);
}

/* Check `obj` against `fs`, dropping unknown fields and all but the last of
 * duplicated ones (JSON decoding keeps the last). */
static void walk(cJSON *obj, const struct field *fs, const char *path, struct found *found)
{
	cJSON *it = obj->child;

	while (it) {
		cJSON *next = it->next, *earlier = NULL;
		const char *key = it->string ? it->string : "";
		const struct field *f = lookup(fs, key);
		char *sub = *path ? kj_xasprintf("%s.%s", path, key) : kj_xstrdup(key);

		for (cJSON *p = obj->child; p != it; p = p->next)
			if (p->string && !strcmp(p->string, key))
				earlier = p;
		if (earlier) {
			add_error(found, "duplicate", sub);
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, earlier));
		}
		if (!f) {
			if (!earlier)
				add_error(found, "unknown", sub);
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, it));
		} else if (f->sub && f->list && cJSON_IsArray(it)) {
			int i = 0;
			cJSON *el;

			cJSON_ArrayForEach(el, it)
			{
				char *at = kj_xasprintf("%s[%d]", sub, i++);
				if (cJSON_IsObject(el))
					walk(el, f->sub, at, found);
				free(at);
			}
		} else if (f->sub && !f->list && cJSON_IsObject(it)) {
			walk(it, f->sub, sub, found);
		}
		free(sub);
		it = next;
	}
}

int demo_check_fields(struct demo_req *r, cJSON *obj)
{
	const char *mode = demo_req_query(r, "fieldValidation");
	const struct field *fs = NULL;
	struct found found = {NULL, 0};
	int strict, ignore, rc = 0;

	if (!mode)
		mode = "";
	strict = !strcmp(mode, "Strict");
	ignore = !strcmp(mode, "Ignore");
	if (*mode && !strict && !ignore && strcmp(mode, "Warn")) {
		demo_reply_bad_request(r,
		                       "fieldValidation: Unsupported value: \"%s\": supported values: "
		                       "\"Ignore\", \"Strict\", \"Warn\"",
		                       mode);
		return -1;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].kind, r->res->kind))
			fs = kinds[i].fields;
	if (!fs || !cJSON_IsObject(obj))
		return 0;
	walk(obj, fs, "", &found);
	if (found.n && strict) {
		kj_buf all;

		kj_buf_init(&all);
		for (size_t i = 0; i < found.n; i++)
			kj_buf_printf(&all, "%s%s", i ? ", " : "", found.v[i]);
		demo_reply_bad_request(
		    r, "%s in version \"%s\" cannot be handled as a %s: strict decoding error: %s",
		    r->res->kind, r->res->version, r->res->kind, all.data);
		kj_buf_done(&all);
		rc = -1;
	}
	for (size_t i = 0; i < found.n; i++) {
		if (!strict && !ignore)
			demo_add_warning(r, "%s", found.v[i]);
		free(found.v[i]);
	}
	free(found.v);
	return rc;
}
