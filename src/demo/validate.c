/* validate: object validation and defaulting with the apiserver's field
 * error texts (doc/KUBERNETES.md, "Names and validation"; apimachinery validation.go,
 * pkg/apis/rbac/validation). */
#include "demo/internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "util/names.h"
#include "util/timeutil.h"

#define SUBDOMAIN_MSG                                                                                        \
	"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "    \
	"and must "                                                                                          \
	"start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "    \
	"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define LABEL_MSG                                                                                            \
	"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "    \
	"start and "                                                                                         \
	"end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "   \
	"'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define LABEL_VALUE_MSG                                                                                      \
	"a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and " \
	"must "                                                                                              \
	"start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex "  \
	"used "                                                                                              \
	"for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
#define NAME_PART_MSG                                                                                        \
	"name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "   \
	"an "                                                                                                \
	"alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is " \
	"'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define RBAC_GROUP "rbac.authorization.k8s.io"

void demo_validate_name(struct demo_ferrs *f, enum demo_name_rule rule, const char *field, const char *name,
                        int is_prefix)
{
	char *n = kj_xstrdup(name);
	size_t len = strlen(n);

	/* generateName is checked as a prefix: a trailing '-' is tolerated */
	if (is_prefix && len && n[len - 1] == '-' && rule != DEMO_NAME_PATH)
		n[--len] = '\0';
	switch (rule) {
	case DEMO_NAME_SUBDOMAIN:
		if (len > 253)
			demo_ferr_add_str(f, DEMO_FERR_INVALID, field, name,
			                  "must be no more than 253 characters");
		if (!kj_is_dns1123_subdomain(n) && !(len > 253))
			demo_ferr_add_str(f, DEMO_FERR_INVALID, field, name, SUBDOMAIN_MSG);
		break;
	case DEMO_NAME_LABEL:
		if (len > 63)
			demo_ferr_add_str(f, DEMO_FERR_INVALID, field, name,
			                  "must be no more than 63 characters");
		if (!kj_is_dns1123_label(n) && len <= 63) {
			if (kj_is_dns1123_subdomain(n))
				demo_ferr_add_str(f, DEMO_FERR_INVALID, field, name, "must not contain dots");
			else
				demo_ferr_add_str(f, DEMO_FERR_INVALID, field, name, LABEL_MSG);
		}
		break;
	case DEMO_NAME_PATH:
		if (!is_prefix && !strcmp(n, "."))
			demo_ferr_add_str(f, DEMO_FERR_INVALID, field, name, "may not be '.'");
		else if (!is_prefix && !strcmp(n, ".."))
			demo_ferr_add_str(f, DEMO_FERR_INVALID, field, name, "may not be '..'");
		if (strchr(n, '/'))
			demo_ferr_add_str(f, DEMO_FERR_INVALID, field, name, "may not contain '/'");
		if (strchr(n, '%'))
			demo_ferr_add_str(f, DEMO_FERR_INVALID, field, name, "may not contain '%'");
		break;
	case DEMO_NAME_NONE:
		break;
	}
	free(n);
}

static int label_part_ok(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return 0;
	if (!isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[len - 1]))
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return 0;
	return 1;
}

static void validate_labels(struct demo_ferrs *f, const cJSON *labels)
{
	const cJSON *l;

	if (!labels)
		return;
	cJSON_ArrayForEach(l, labels)
	{
		const char *key = l->string, *slash = strrchr(key, '/');
		const char *part = slash ? slash + 1 : key;

		if (slash) {
			char *prefix = kj_xstrndup(key, (size_t)(slash - key));

			if (!kj_is_dns1123_subdomain(prefix))
				demo_ferr_add_str(f, DEMO_FERR_INVALID, "metadata.labels", key,
				                  "prefix part " SUBDOMAIN_MSG);
			free(prefix);
		}
		if (strlen(part) > 63)
			demo_ferr_add_str(f, DEMO_FERR_INVALID, "metadata.labels", key,
			                  "name part must be no more than 63 characters");
		else if (!label_part_ok(part, strlen(part)))
			demo_ferr_add_str(f, DEMO_FERR_INVALID, "metadata.labels", key, NAME_PART_MSG);
		if (!cJSON_IsString(l)) {
			demo_ferr_add(f, DEMO_FERR_INVALID, "metadata.labels", l, "%s", LABEL_VALUE_MSG);
			continue;
		}
		if (strlen(l->valuestring) > 63)
			demo_ferr_add_str(f, DEMO_FERR_INVALID, "metadata.labels", l->valuestring,
			                  "must be no more than 63 characters");
		else if (*l->valuestring && !label_part_ok(l->valuestring, strlen(l->valuestring)))
			demo_ferr_add_str(f, DEMO_FERR_INVALID, "metadata.labels", l->valuestring,
			                  LABEL_VALUE_MSG);
	}
}

/* Annotation values are free text, but all of them together are capped. */
static void validate_annotations(struct demo_ferrs *f, const cJSON *ann)
{
	const cJSON *a;
	size_t total = 0;

	cJSON_ArrayForEach(a, ann)
	{
		total += strlen(a->string);
		if (cJSON_IsString(a))
			total += strlen(a->valuestring);
		else
			demo_ferr_add(f, DEMO_FERR_INVALID, "metadata.annotations", a, "must be a string");
	}
	if (total > 262144)
		demo_ferr_add(f, DEMO_FERR_TOO_LONG, "metadata.annotations", NULL,
		              "must have at most 262144 bytes");
}

void demo_validate_meta(struct demo_ferrs *f, const struct demo_resource *res, const cJSON *obj)
{
	const char *name = obj_meta_str(obj, "name"), *gen = obj_meta_str(obj, "generateName");
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");

	if (*name)
		demo_validate_name(f, res->name_rule, "metadata.name", name, 0);
	else if (*gen)
		demo_validate_name(f, res->name_rule, "metadata.generateName", gen, 1);
	else
		demo_ferr_add(f, DEMO_FERR_REQUIRED, "metadata.name", NULL,
		              "name or generateName is required");
	if (res->namespaced && !*obj_meta_str(obj, "namespace"))
		demo_ferr_add(f, DEMO_FERR_REQUIRED, "metadata.namespace", NULL, NULL);
	validate_labels(f, cJSON_GetObjectItemCaseSensitive(meta, "labels"));
	validate_annotations(f, cJSON_GetObjectItemCaseSensitive(meta, "annotations"));
}

static int str_array_nonempty(const cJSON *a)
{
	return cJSON_IsArray(a) && cJSON_GetArraySize(a) > 0;
}

static void validate_rules(struct demo_ferrs *f, const cJSON *rules, int namespaced)
{
	const cJSON *rule;
	int i = 0;
	char field[64];

	cJSON_ArrayForEach(rule, rules)
	{
		const cJSON *urls = cJSON_GetObjectItemCaseSensitive(rule, "nonResourceURLs");
		const cJSON *res = cJSON_GetObjectItemCaseSensitive(rule, "resources");
		const cJSON *groups = cJSON_GetObjectItemCaseSensitive(rule, "apiGroups");
		const cJSON *names = cJSON_GetObjectItemCaseSensitive(rule, "resourceNames");

		if (!str_array_nonempty(cJSON_GetObjectItemCaseSensitive(rule, "verbs"))) {
			snprintf(field, sizeof(field), "rules[%d].verbs", i);
			demo_ferr_add(f, DEMO_FERR_REQUIRED, field, NULL,
			              "verbs must contain at least one value");
		}
		if (str_array_nonempty(urls)) {
			snprintf(field, sizeof(field), "rules[%d].nonResourceURLs", i);
			if (namespaced)
				demo_ferr_add(f, DEMO_FERR_INVALID, field, urls,
				              "namespaced rules cannot apply to non-resource URLs");
			if (str_array_nonempty(groups) || str_array_nonempty(res))
				demo_ferr_add(
				    f, DEMO_FERR_INVALID, field, urls,
				    "rules cannot apply to both regular resources and non-resource URLs");
		} else {
			if (!str_array_nonempty(groups)) {
				snprintf(field, sizeof(field), "rules[%d].apiGroups", i);
				demo_ferr_add(f, DEMO_FERR_REQUIRED, field, NULL,
				              "resource rules must supply at least one api group");
			}
			if (!str_array_nonempty(res)) {
				snprintf(field, sizeof(field), "rules[%d].resources", i);
				demo_ferr_add(f, DEMO_FERR_REQUIRED, field, NULL,
				              "resource rules must supply at least one resource");
			}
		}
		if (str_array_nonempty(names) && cJSON_GetArraySize(res) > 1) {
			snprintf(field, sizeof(field), "rules[%d].resourceNames", i);
			demo_ferr_add(f, DEMO_FERR_REQUIRED, field, NULL,
			              "resource names cannot apply to multiple resources");
		}
		i++;
	}
}

static void validate_binding(struct demo_ferrs *f, const cJSON *obj, int cluster, const cJSON *old)
{
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(obj, "roleRef");
	const cJSON *subj;
	const char *kind = obj_str(obj, "roleRef.kind"), *group = obj_str(obj, "roleRef.apiGroup");
	int i = 0;
	char field[64];

	if (strcmp(group, RBAC_GROUP))
		demo_ferr_add(f, DEMO_FERR_NOT_SUPPORTED, "roleRef.apiGroup",
		              cJSON_GetObjectItem(ref, "apiGroup"), "supported values: \"%s\"", RBAC_GROUP);
	if (cluster && strcmp(kind, "ClusterRole"))
		demo_ferr_add_str(f, DEMO_FERR_NOT_SUPPORTED, "roleRef.kind", kind,
		                  "supported values: \"ClusterRole\"");
	else if (!cluster && strcmp(kind, "Role") && strcmp(kind, "ClusterRole"))
		demo_ferr_add_str(f, DEMO_FERR_NOT_SUPPORTED, "roleRef.kind", kind,
		                  "supported values: \"Role\", \"ClusterRole\"");
	if (!*obj_str(obj, "roleRef.name"))
		demo_ferr_add(f, DEMO_FERR_REQUIRED, "roleRef.name", NULL, NULL);
	else
		demo_validate_name(f, DEMO_NAME_PATH, "roleRef.name", obj_str(obj, "roleRef.name"), 0);
	if (old) {
		char *a = cJSON_PrintUnformatted(ref),
		     *b = cJSON_PrintUnformatted(cJSON_GetObjectItem(old, "roleRef"));

		if (!a || !b || strcmp(a, b))
			demo_ferr_add(f, DEMO_FERR_INVALID, "roleRef", ref, "cannot change roleRef");
		free(a);
		free(b);
	}
	cJSON_ArrayForEach(subj, cJSON_GetObjectItemCaseSensitive(obj, "subjects"))
	{
		const char *sk = obj_str(subj, "kind"), *sn = obj_str(subj, "name"),
		           *sg = obj_str(subj, "apiGroup");

		if (!*sn) {
			snprintf(field, sizeof(field), "subjects[%d].name", i);
			demo_ferr_add(f, DEMO_FERR_REQUIRED, field, NULL, NULL);
		}
		if (!strcmp(sk, "ServiceAccount")) {
			if (*sn) {
				snprintf(field, sizeof(field), "subjects[%d].name", i);
				demo_validate_name(f, DEMO_NAME_SUBDOMAIN, field, sn, 0);
			}
			if (*sg) {
				snprintf(field, sizeof(field), "subjects[%d].apiGroup", i);
				demo_ferr_add_str(f, DEMO_FERR_NOT_SUPPORTED, field, sg,
				                  "supported values: \"\"");
			}
			if (cluster && !*obj_str(subj, "namespace")) {
				snprintf(field, sizeof(field), "subjects[%d].namespace", i);
				demo_ferr_add(f, DEMO_FERR_REQUIRED, field, NULL, NULL);
			}
		} else if (!strcmp(sk, "User") || !strcmp(sk, "Group")) {
			if (strcmp(sg, RBAC_GROUP)) {
				snprintf(field, sizeof(field), "subjects[%d].apiGroup", i);
				demo_ferr_add_str(f, DEMO_FERR_NOT_SUPPORTED, field, sg,
				                  "supported values: \"" RBAC_GROUP "\"");
			}
		} else {
			snprintf(field, sizeof(field), "subjects[%d].kind", i);
			demo_ferr_add_str(f, DEMO_FERR_NOT_SUPPORTED, field, sk,
			                  "supported values: \"ServiceAccount\", \"User\", \"Group\"");
		}
		i++;
	}
}

void demo_validate_rbac(struct demo_ferrs *f, const struct demo_resource *res, const cJSON *obj,
                        const cJSON *old)
{
	if (!strcmp(res->name, "roles"))
		validate_rules(f, cJSON_GetObjectItemCaseSensitive(obj, "rules"), 1);
	else if (!strcmp(res->name, "clusterroles"))
		validate_rules(f, cJSON_GetObjectItemCaseSensitive(obj, "rules"), 0);
	else if (!strcmp(res->name, "rolebindings"))
		validate_binding(f, obj, 0, old);
	else if (!strcmp(res->name, "clusterrolebindings"))
		validate_binding(f, obj, 1, old);
}

static void default_str(cJSON *o, const char *key, const char *val)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v && cJSON_IsString(v) && *v->valuestring)
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddStringToObject(o, key, val);
}

static cJSON *child_object(cJSON *o, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsObject(v)) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, key);
		v = cJSON_AddObjectToObject(o, key);
	}
	return v;
}

static void default_num(cJSON *o, const char *key, double val)
{
	if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, key))) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, key);
		cJSON_AddNumberToObject(o, key, val);
	}
}

static void default_bool(cJSON *o, const char *key, int val)
{
	if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(o, key))) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, key);
		cJSON_AddBoolToObject(o, key, val);
	}
}

/* A stable made-up digest for an image, as a container runtime reports one. */
static void image_digest(const char *image, const char *prefix, char *out, size_t n)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];
	size_t i;

	SHA256((const unsigned char *)image, strlen(image), md);
	for (i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	snprintf(out, n, "%s%s", prefix, hex);
}

/* What the Pod strategy and defaulting (pkg/apis/core/v1/defaults.go), the
 * scheduler and the kubelet fill in; the official clients reject a container
 * status without name, image, imageID, ready and restartCount. */
static void pod_defaults(cJSON *obj)
{
	cJSON *spec = child_object(obj, "spec"), *status = child_object(obj, "status"), *c;
	const cJSON *cs;
	const char *phase;
	char now[32], digest[128];

	default_str(spec, "restartPolicy", "Always");
	default_num(spec, "terminationGracePeriodSeconds", 30);
	default_str(spec, "dnsPolicy", "ClusterFirst");
	default_str(spec, "serviceAccountName", "default");
	default_str(spec, "serviceAccount", obj_str(spec, "serviceAccountName"));
	child_object(spec, "securityContext");
	default_str(spec, "schedulerName", "default-scheduler");
	default_num(spec, "priority", 0);
	default_bool(spec, "enableServiceLinks", 1);
	default_str(spec, "preemptionPolicy", "PreemptLowerPriority");
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(spec, "containers"))
	{
		const char *image = obj_str(c, "image"), *tag = strrchr(image, ':');

		if (!cJSON_IsObject(c))
			continue;
		child_object(c, "resources");
		default_str(c, "terminationMessagePath", "/dev/termination-log");
		default_str(c, "terminationMessagePolicy", "File");
		default_str(c, "imagePullPolicy",
		            !tag || strchr(tag, '/') || !strcmp(tag, ":latest") ? "Always" : "IfNotPresent");
	}
	default_str(status, "phase", "Pending");
	default_str(status, "qosClass", "BestEffort");
	phase = obj_str(status, "phase");
	kj_time_rfc3339(kj_now(), now, sizeof(now));
	if (!strcmp(phase, "Running"))
		default_str(status, "startTime", now);
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(status, "containerStatuses"))
	{
		const char *name = obj_str(c, "name"), *image = "";
		cJSON *state;

		if (!cJSON_IsObject(c))
			continue;
		cJSON_ArrayForEach(cs, cJSON_GetObjectItemCaseSensitive(spec, "containers"))
		{
			if (!strcmp(obj_str(cs, "name"), name))
				image = obj_str(cs, "image");
		}
		default_str(c, "image", image);
		image_digest(obj_str(c, "image"), "sha256:", digest, sizeof(digest));
		{
			char *id = kj_xasprintf("%.*s@%s", (int)strcspn(image, ":@"), image, digest);

			default_str(c, "imageID", id);
			free(id);
		}
		image_digest(name, "containerd://", digest, sizeof(digest));
		default_str(c, "containerID", digest);
		default_bool(c, "ready", 0);
		default_num(c, "restartCount", 0);
		state = child_object(c, "state");
		if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(state, "running")))
			default_str(cJSON_GetObjectItemCaseSensitive(state, "running"), "startedAt", now);
		default_bool(c, "started", cJSON_GetObjectItemCaseSensitive(state, "running") != NULL);
		child_object(c, "lastState");
	}
	if (!strcmp(phase, "Running") && !cJSON_GetObjectItemCaseSensitive(status, "conditions")) {
		static const char *const types[] = {"PodReadyToStartContainers", "Initialized",  "Ready",
		                                    "ContainersReady",           "PodScheduled", NULL};
		cJSON *conds = cJSON_AddArrayToObject(status, "conditions");

		for (size_t i = 0; types[i]; i++) {
			cJSON *k = cJSON_CreateObject();

			cJSON_AddStringToObject(k, "type", types[i]);
			cJSON_AddStringToObject(k, "status", "True");
			cJSON_AddNullToObject(k, "lastProbeTime");
			cJSON_AddStringToObject(k, "lastTransitionTime", now);
			cJSON_AddItemToArray(conds, k);
		}
	}
}

void demo_apply_defaults(const struct demo_resource *res, cJSON *obj)
{
	cJSON *it;

	if (!strcmp(res->name, "pods") && !*res->group) {
		pod_defaults(obj);
		return;
	}

	if (!strcmp(res->name, "rolebindings") || !strcmp(res->name, "clusterrolebindings")) {
		cJSON *ref = cJSON_GetObjectItemCaseSensitive(obj, "roleRef");

		if (cJSON_IsObject(ref))
			default_str(ref, "apiGroup", RBAC_GROUP);
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(obj, "subjects"))
		{
			const char *k = obj_str(it, "kind");

			if (cJSON_IsObject(it) && (!strcmp(k, "User") || !strcmp(k, "Group")))
				default_str(it, "apiGroup", RBAC_GROUP);
		}
	} else if (!strcmp(res->name, "roles") || !strcmp(res->name, "clusterroles")) {
		if (!cJSON_GetObjectItemCaseSensitive(obj, "rules"))
			cJSON_AddNullToObject(obj, "rules");
	} else if (!strcmp(res->name, "secrets")) {
		default_str(obj, "type", "Opaque");
	} else if (!strcmp(res->name, "namespaces")) {
		cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
		cJSON *labels = cJSON_GetObjectItemCaseSensitive(meta, "labels");
		cJSON *spec, *status;

		if (!cJSON_IsObject(labels)) {
			cJSON_DeleteItemFromObjectCaseSensitive(meta, "labels");
			labels = cJSON_AddObjectToObject(meta, "labels");
		}
		default_str(labels, "kubernetes.io/metadata.name", obj_meta_str(obj, "name"));
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "spec");
		spec = cJSON_AddObjectToObject(obj, "spec");
		cJSON_AddItemToObject(spec, "finalizers",
		                      cJSON_CreateStringArray((const char *[]){"kubernetes"}, 1));
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
		status = cJSON_AddObjectToObject(obj, "status");
		cJSON_AddStringToObject(status, "phase", "Active");
	}
}
