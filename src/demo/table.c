/* table: meta.k8s.io/v1 Table responses for `kubectl get` (doc/KUBERNETES.md, "What kubectl needs"),
 * with the printer columns of pods, serviceaccounts, namespaces, configmaps,
 * secrets and (cluster)rolebindings, and the default Name / Created At table
 * for everything else. */
#include "demo/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/ttl.h"

struct column {
	const char *name, *type, *format, *description;
	int priority;
};

#define NAME_DESC                                                                                            \
	"Name must be unique within a namespace. Is required when creating resources, although some "        \
	"resources may "                                                                                     \
	"allow a client to request the generation of an appropriate name automatically. Name is primarily "  \
	"intended "                                                                                          \
	"for creation idempotence and configuration definition. Cannot be updated. More info: "              \
	"https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
#define AGE_DESC                                                                                             \
	"CreationTimestamp is a timestamp representing the server time when this object was created. It is " \
	"not "                                                                                               \
	"guaranteed to be set in happens-before order across separate operations. Clients may not set this " \
	"value. "                                                                                            \
	"It is represented in RFC3339 form and is in UTC."

static const struct column pod_cols[] = {
    {"Name", "string", "name", NAME_DESC, 0},
    {"Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.", 0},
    {"Status", "string", "", "The aggregate status of the containers in this pod.", 0},
    {"Restarts", "string", "",
     "The number of times the containers in this pod have been restarted and when the last container in this "
     "pod "
     "has restarted.",
     0},
    {"Age", "string", "", AGE_DESC, 0},
    {"IP", "string", "",
     "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet "
     "allocated.",
     1},
    {"Node", "string", "", "NodeName is a request to schedule this pod onto a specific node.", 1},
    {"Nominated Node", "string", "",
     "nominatedNodeName is set when this pod preempts other pods on the node.", 1},
    {"Readiness Gates", "string", "",
     "If specified, all readiness gates will be evaluated for pod readiness.", 1},
    {NULL, NULL, NULL, NULL, 0},
};
static const struct column sa_cols[] = {
    {"Name", "string", "name", NAME_DESC, 0},
    {"Secrets", "string", "",
     "Secrets is a list of the secrets in the same namespace that pods running using this "
     "ServiceAccount are allowed to use.",
     0},
    {"Age", "string", "", AGE_DESC, 0},
    {NULL, NULL, NULL, NULL, 0},
};
static const struct column ns_cols[] = {
    {"Name", "string", "name", NAME_DESC, 0},
    {"Status", "string", "", "The status of the namespace", 0},
    {"Age", "string", "", AGE_DESC, 0},
    {NULL, NULL, NULL, NULL, 0},
};
static const struct column cm_cols[] = {
    {"Name", "string", "name", NAME_DESC, 0},
    {"Data", "string", "", "Data contains the configuration data.", 0},
    {"Age", "string", "", AGE_DESC, 0},
    {NULL, NULL, NULL, NULL, 0},
};
static const struct column secret_cols[] = {
    {"Name", "string", "name", NAME_DESC, 0},
    {"Type", "string", "", "Used to facilitate programmatic handling of secret data.", 0},
    {"Data", "string", "", "Data contains the secret data.", 0},
    {"Age", "string", "", AGE_DESC, 0},
    {NULL, NULL, NULL, NULL, 0},
};
static const struct column rb_cols[] = {
    {"Name", "string", "name", NAME_DESC, 0},
    {"Role", "string", "",
     "RoleRef can reference a Role in the current namespace or a ClusterRole in the global "
     "namespace.",
     0},
    {"Age", "string", "", AGE_DESC, 0},
    {"Users", "string", "", "Users in the roleBinding", 1},
    {"Groups", "string", "", "Groups in the roleBinding", 1},
    {"ServiceAccounts", "string", "", "ServiceAccounts in the roleBinding", 1},
    {NULL, NULL, NULL, NULL, 0},
};
static const struct column csr_cols[] = {
    {"Name", "string", "name", NAME_DESC, 0},
    {"Age", "string", "", AGE_DESC, 0},
    {"SignerName", "string", "", "Only one of these fields is set.", 0},
    {"Requestor", "string", "", "Request user name", 0},
    {"RequestedDuration", "string", "", "Requested certificate duration", 0},
    {"Condition", "string", "", "Request condition", 0},
    {NULL, NULL, NULL, NULL, 0},
};
static const struct column default_cols[] = {
    {"Name", "string", "name", NAME_DESC, 0},
    {"Created At", "date", "", AGE_DESC, 0},
    {NULL, NULL, NULL, NULL, 0},
};

int demo_table_wanted(struct demo_req *r)
{
	const char *acc = demo_req_header(r, "Accept");

	return acc && strstr(acc, "as=Table") != NULL;
}

static const struct column *columns_for(const char *resource)
{
	if (!strcmp(resource, "pods"))
		return pod_cols;
	if (!strcmp(resource, "serviceaccounts"))
		return sa_cols;
	if (!strcmp(resource, "namespaces"))
		return ns_cols;
	if (!strcmp(resource, "configmaps"))
		return cm_cols;
	if (!strcmp(resource, "secrets"))
		return secret_cols;
	if (!strcmp(resource, "rolebindings") || !strcmp(resource, "clusterrolebindings"))
		return rb_cols;
	if (!strcmp(resource, "certificatesigningrequests"))
		return csr_cols;
	return default_cols;
}

static cJSON *age(const cJSON *obj)
{
	int64_t t;
	char buf[32];

	if (kj_time_parse_rfc3339(obj_meta_str(obj, "creationTimestamp"), &t) < 0)
		return cJSON_CreateString("<unknown>");
	if (kj_now() - t < -1)
		return cJSON_CreateString("<invalid>");
	kj_ttl_human(kj_now() - t < 0 ? 0 : kj_now() - t, buf, sizeof(buf));
	return cJSON_CreateString(buf);
}

static cJSON *count_of(const cJSON *obj, const char *key)
{
	return cJSON_CreateNumber(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(obj, key)));
}

static cJSON *or_none(const char *s)
{
	return cJSON_CreateString(s && *s ? s : "<none>");
}

/* Comma-joined subject names of one kind ("ns/name" for ServiceAccounts). */
static cJSON *subjects_of(const cJSON *obj, const char *kind)
{
	const cJSON *s;
	kj_buf b;
	cJSON *out;

	kj_buf_init(&b);
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(obj, "subjects"))
	{
		if (strcmp(obj_str(s, "kind"), kind))
			continue;
		if (b.len)
			kj_buf_addc(&b, ',');
		if (!strcmp(kind, "ServiceAccount"))
			kj_buf_printf(&b, "%s/%s", obj_str(s, "namespace"), obj_str(s, "name"));
		else
			kj_buf_adds(&b, obj_str(s, "name"));
	}
	out = cJSON_CreateString(b.len ? b.data : "");
	kj_buf_done(&b);
	return out;
}

/* CSR conditions as kubectl shows them: "Approved,Issued", "Denied", "Pending". */
static void csr_cells(cJSON *cells, const cJSON *obj)
{
	const cJSON *c, *secs = cJSON_GetObjectItemCaseSensitive(
	                    cJSON_GetObjectItemCaseSensitive(obj, "spec"), "expirationSeconds");
	kj_buf b;
	char dur[32];

	cJSON_AddItemToArray(cells, age(obj));
	cJSON_AddItemToArray(cells, cJSON_CreateString(obj_str(obj, "spec.signerName")));
	cJSON_AddItemToArray(cells, cJSON_CreateString(obj_str(obj, "spec.username")));
	if (cJSON_IsNumber(secs)) {
		kj_ttl_human(kj_clamp_double(secs->valuedouble, 0, INT32_MAX), dur, sizeof(dur));
		cJSON_AddItemToArray(cells, cJSON_CreateString(dur));
	} else {
		cJSON_AddItemToArray(cells, cJSON_CreateString("<none>"));
	}
	kj_buf_init(&b);
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(
	                          cJSON_GetObjectItemCaseSensitive(obj, "status"), "conditions"))
	{
		if (b.len)
			kj_buf_addc(&b, ',');
		kj_buf_adds(&b, obj_str(c, "type"));
	}
	if (*obj_str(obj, "status.certificate"))
		kj_buf_adds(&b, b.len ? ",Issued" : "Issued");
	cJSON_AddItemToArray(cells, cJSON_CreateString(b.len ? b.data : "Pending"));
	kj_buf_done(&b);
}

static void pod_cells(cJSON *cells, const cJSON *obj)
{
	const cJSON *cs = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "status"),
	                                                   "containerStatuses");
	const cJSON *c;
	int total = cJSON_GetArraySize(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "spec"), "containers"));
	int ready = 0, restarts = 0;
	char buf[32];
	const char *phase = obj_str(obj, "status.phase");

	cJSON_ArrayForEach(c, cs)
	{
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "ready")))
			ready++;
		restarts += cJSON_GetObjectItemCaseSensitive(c, "restartCount")
		                ? cJSON_GetObjectItemCaseSensitive(c, "restartCount")->valueint
		                : 0;
	}
	snprintf(buf, sizeof(buf), "%d/%d", ready, total);
	cJSON_AddItemToArray(cells, cJSON_CreateString(buf));
	cJSON_AddItemToArray(cells, cJSON_CreateString(*phase ? phase : "Pending"));
	cJSON_AddItemToArray(cells, cJSON_CreateNumber(restarts));
	cJSON_AddItemToArray(cells, age(obj));
	cJSON_AddItemToArray(cells, or_none(obj_str(obj, "status.podIP")));
	cJSON_AddItemToArray(cells, or_none(obj_str(obj, "spec.nodeName")));
	cJSON_AddItemToArray(cells, or_none(obj_str(obj, "status.nominatedNodeName")));
	cJSON_AddItemToArray(cells, cJSON_CreateString("<none>"));
}

static cJSON *row_cells(const char *resource, const cJSON *obj)
{
	cJSON *cells = cJSON_CreateArray();

	cJSON_AddItemToArray(cells, cJSON_CreateString(obj_meta_str(obj, "name")));
	if (!strcmp(resource, "pods")) {
		pod_cells(cells, obj);
	} else if (!strcmp(resource, "certificatesigningrequests")) {
		csr_cells(cells, obj);
	} else if (!strcmp(resource, "serviceaccounts")) {
		cJSON_AddItemToArray(cells, count_of(obj, "secrets"));
		cJSON_AddItemToArray(cells, age(obj));
	} else if (!strcmp(resource, "namespaces")) {
		const char *phase = obj_str(obj, "status.phase");

		cJSON_AddItemToArray(cells, cJSON_CreateString(*phase ? phase : "Active"));
		cJSON_AddItemToArray(cells, age(obj));
	} else if (!strcmp(resource, "configmaps")) {
		cJSON_AddItemToArray(
		    cells, cJSON_CreateNumber(cJSON_GetArraySize(cJSON_GetObjectItem(obj, "data")) +
		                              cJSON_GetArraySize(cJSON_GetObjectItem(obj, "binaryData"))));
		cJSON_AddItemToArray(cells, age(obj));
	} else if (!strcmp(resource, "secrets")) {
		cJSON_AddItemToArray(cells, cJSON_CreateString(obj_str(obj, "type")));
		cJSON_AddItemToArray(cells, count_of(obj, "data"));
		cJSON_AddItemToArray(cells, age(obj));
	} else if (!strcmp(resource, "rolebindings") || !strcmp(resource, "clusterrolebindings")) {
		char *role =
		    kj_xasprintf("%s/%s", obj_str(obj, "roleRef.kind"), obj_str(obj, "roleRef.name"));

		cJSON_AddItemToArray(cells, cJSON_CreateString(role));
		free(role);
		cJSON_AddItemToArray(cells, age(obj));
		cJSON_AddItemToArray(cells, subjects_of(obj, "User"));
		cJSON_AddItemToArray(cells, subjects_of(obj, "Group"));
		cJSON_AddItemToArray(cells, subjects_of(obj, "ServiceAccount"));
	} else {
		cJSON_AddItemToArray(cells, cJSON_CreateString(obj_meta_str(obj, "creationTimestamp")));
	}
	return cells;
}

static cJSON *partial_meta(const cJSON *obj)
{
	cJSON *o = cJSON_CreateObject();
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");

	cJSON_AddStringToObject(o, "kind", "PartialObjectMetadata");
	cJSON_AddStringToObject(o, "apiVersion", "meta.k8s.io/v1");
	cJSON_AddItemToObject(o, "metadata", meta ? cJSON_Duplicate(meta, 1) : cJSON_CreateObject());
	return o;
}

cJSON *demo_table_from_list(struct demo_req *r, const cJSON *items, uint64_t rv)
{
	const char *resource = r->res ? r->res->name : r->resource;
	const struct column *c;
	cJSON *t = cJSON_CreateObject(), *meta, *defs, *rows;
	const cJSON *it;
	char rvs[24];

	cJSON_AddStringToObject(t, "kind", "Table");
	cJSON_AddStringToObject(t, "apiVersion", "meta.k8s.io/v1");
	meta = cJSON_AddObjectToObject(t, "metadata");
	snprintf(rvs, sizeof(rvs), "%llu", (unsigned long long)rv);
	cJSON_AddStringToObject(meta, "resourceVersion", rvs);
	defs = cJSON_AddArrayToObject(t, "columnDefinitions");
	for (c = columns_for(resource); c->name; c++) {
		cJSON *d = cJSON_CreateObject();

		cJSON_AddStringToObject(d, "name", c->name);
		cJSON_AddStringToObject(d, "type", c->type);
		cJSON_AddStringToObject(d, "format", c->format);
		cJSON_AddStringToObject(d, "description", c->description);
		cJSON_AddNumberToObject(d, "priority", c->priority);
		cJSON_AddItemToArray(defs, d);
	}
	rows = cJSON_AddArrayToObject(t, "rows");
	cJSON_ArrayForEach(it, items)
	{
		cJSON *row = cJSON_CreateObject();

		cJSON_AddItemToObject(row, "cells", row_cells(resource, it));
		cJSON_AddItemToObject(row, "object", partial_meta(it));
		cJSON_AddItemToArray(rows, row);
	}
	return t;
}
