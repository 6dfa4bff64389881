/* proto: decode Kubernetes protobuf request bodies into the JSON the
 * handlers work on.  kubectl 1.32 sends typed-client bodies (create sa,
 * role, binding, secret, configmap, namespace, token, the self reviews) as
 * `application/vnd.kubernetes.protobuf`: the "k8s\0" magic, then a
 * runtime.Unknown {typeMeta{apiVersion, kind}, raw, ...} whose raw bytes are
 * the object.  Field numbers follow k8s.io/api generated.proto.  Empty
 * scalars and messages are dropped, as JSON omitempty would; fields that are
 * pointers in Go (KEEP) survive with zero values. */
#include "demo/internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/b64.h"

enum ptype { P_STR, P_INT, P_BOOL, P_BYTES, P_MSG, P_TIME, P_MAP_STR, P_MAP_BYTES, P_MAP_MSG };

struct pmsg;
struct pfield {
	int num;
	const char *json;
	enum ptype type;
	int flags;
	const struct pmsg *msg;
};
#define REP  1 /* repeated */
#define KEEP 2 /* Go pointer: keep zero values */
struct pmsg {
	const struct pfield *f;
};

#define END                                                                                                  \
	{                                                                                                    \
		0, NULL, P_STR, 0, NULL                                                                      \
	}
#define M(x) (&(x))

static const struct pfield owner_f[] = {{1, "kind", P_STR, 0, NULL},
                                        {3, "name", P_STR, 0, NULL},
                                        {4, "uid", P_STR, 0, NULL},
                                        {5, "apiVersion", P_STR, 0, NULL},
                                        {6, "controller", P_BOOL, KEEP, NULL},
                                        {7, "blockOwnerDeletion", P_BOOL, KEEP, NULL},
                                        END};
static const struct pmsg owner_m = {owner_f};
static const struct pfield meta_f[] = {{1, "name", P_STR, 0, NULL},
                                       {2, "generateName", P_STR, 0, NULL},
                                       {3, "namespace", P_STR, 0, NULL},
                                       {5, "uid", P_STR, 0, NULL},
                                       {6, "resourceVersion", P_STR, 0, NULL},
                                       {8, "creationTimestamp", P_TIME, 0, NULL},
                                       {11, "labels", P_MAP_STR, 0, NULL},
                                       {12, "annotations", P_MAP_STR, 0, NULL},
                                       {13, "ownerReferences", P_MSG, REP, M(owner_m)},
                                       {14, "finalizers", P_STR, REP, NULL},
                                       END};
static const struct pmsg meta_m = {meta_f};

static const struct pfield objref_f[] = {{1, "kind", P_STR, 0, NULL},       {2, "namespace", P_STR, 0, NULL},
                                         {3, "name", P_STR, 0, NULL},       {4, "uid", P_STR, 0, NULL},
                                         {5, "apiVersion", P_STR, 0, NULL}, END};
static const struct pmsg objref_m = {objref_f};
static const struct pfield localref_f[] = {{1, "name", P_STR, 0, NULL}, END};
static const struct pmsg localref_m = {localref_f};
static const struct pfield sa_f[] = {{1, "metadata", P_MSG, 0, M(meta_m)},
                                     {2, "secrets", P_MSG, REP, M(objref_m)},
                                     {3, "imagePullSecrets", P_MSG, REP, M(localref_m)},
                                     {4, "automountServiceAccountToken", P_BOOL, KEEP, NULL},
                                     END};
static const struct pmsg sa_m = {sa_f};

static const struct pfield rule_f[] = {
    {1, "verbs", P_STR, REP, NULL},           {2, "apiGroups", P_STR, REP, NULL},
    {3, "resources", P_STR, REP, NULL},       {4, "resourceNames", P_STR, REP, NULL},
    {5, "nonResourceURLs", P_STR, REP, NULL}, END};
static const struct pmsg rule_m = {rule_f};
static const struct pfield selreq_f[] = {
    {1, "key", P_STR, 0, NULL}, {2, "operator", P_STR, 0, NULL}, {3, "values", P_STR, REP, NULL}, END};
static const struct pmsg selreq_m = {selreq_f};
static const struct pfield labelsel_f[] = {
    {1, "matchLabels", P_MAP_STR, 0, NULL}, {2, "matchExpressions", P_MSG, REP, M(selreq_m)}, END};
static const struct pmsg labelsel_m = {labelsel_f};
static const struct pfield aggr_f[] = {{1, "clusterRoleSelectors", P_MSG, REP, M(labelsel_m)}, END};
static const struct pmsg aggr_m = {aggr_f};
static const struct pfield role_f[] = {{1, "metadata", P_MSG, 0, M(meta_m)},
                                       {2, "rules", P_MSG, REP, M(rule_m)},
                                       {3, "aggregationRule", P_MSG, 0, M(aggr_m)},
                                       END};
static const struct pmsg role_m = {role_f};
static const struct pfield subject_f[] = {{1, "kind", P_STR, 0, NULL},
                                          {2, "apiGroup", P_STR, 0, NULL},
                                          {3, "name", P_STR, 0, NULL},
                                          {4, "namespace", P_STR, 0, NULL},
                                          END};
static const struct pmsg subject_m = {subject_f};
static const struct pfield roleref_f[] = {
    {1, "apiGroup", P_STR, 0, NULL}, {2, "kind", P_STR, 0, NULL}, {3, "name", P_STR, 0, NULL}, END};
static const struct pmsg roleref_m = {roleref_f};
static const struct pfield binding_f[] = {{1, "metadata", P_MSG, 0, M(meta_m)},
                                          {2, "subjects", P_MSG, REP, M(subject_m)},
                                          {3, "roleRef", P_MSG, 0, M(roleref_m)},
                                          END};
static const struct pmsg binding_m = {binding_f};

static const struct pfield nsspec_f[] = {{1, "finalizers", P_STR, REP, NULL}, END};
static const struct pmsg nsspec_m = {nsspec_f};
static const struct pfield nsstatus_f[] = {{1, "phase", P_STR, 0, NULL}, END};
static const struct pmsg nsstatus_m = {nsstatus_f};
static const struct pfield ns_f[] = {{1, "metadata", P_MSG, 0, M(meta_m)},
                                     {2, "spec", P_MSG, 0, M(nsspec_m)},
                                     {3, "status", P_MSG, 0, M(nsstatus_m)},
                                     END};
static const struct pmsg ns_m = {ns_f};
static const struct pfield secret_f[] = {
    {1, "metadata", P_MSG, 0, M(meta_m)},  {2, "data", P_MAP_BYTES, 0, NULL},    {3, "type", P_STR, 0, NULL},
    {4, "stringData", P_MAP_STR, 0, NULL}, {5, "immutable", P_BOOL, KEEP, NULL}, END};
static const struct pmsg secret_m = {secret_f};
static const struct pfield cm_f[] = {{1, "metadata", P_MSG, 0, M(meta_m)},
                                     {2, "data", P_MAP_STR, 0, NULL},
                                     {3, "binaryData", P_MAP_BYTES, 0, NULL},
                                     {4, "immutable", P_BOOL, KEEP, NULL},
                                     END};
static const struct pmsg cm_m = {cm_f};

static const struct pfield bound_f[] = {{1, "kind", P_STR, 0, NULL},
                                        {2, "apiVersion", P_STR, 0, NULL},
                                        {3, "name", P_STR, 0, NULL},
                                        {4, "uid", P_STR, 0, NULL},
                                        END};
static const struct pmsg bound_m = {bound_f};
static const struct pfield trspec_f[] = {{1, "audiences", P_STR, REP, NULL},
                                         {4, "expirationSeconds", P_INT, KEEP, NULL},
                                         {3, "boundObjectRef", P_MSG, 0, M(bound_m)},
                                         END};
static const struct pmsg trspec_m = {trspec_f};
static const struct pfield tr_f[] = {
    {1, "metadata", P_MSG, 0, M(meta_m)}, {2, "spec", P_MSG, 0, M(trspec_m)}, END};
static const struct pmsg tr_m = {tr_f};

static const struct pfield resattr_f[] = {
    {1, "namespace", P_STR, 0, NULL}, {2, "verb", P_STR, 0, NULL},
    {3, "group", P_STR, 0, NULL},     {4, "version", P_STR, 0, NULL},
    {5, "resource", P_STR, 0, NULL},  {6, "subresource", P_STR, 0, NULL},
    {7, "name", P_STR, 0, NULL},      END};
static const struct pmsg resattr_m = {resattr_f};
static const struct pfield nonres_f[] = {{1, "path", P_STR, 0, NULL}, {2, "verb", P_STR, 0, NULL}, END};
static const struct pmsg nonres_m = {nonres_f};
static const struct pfield extra_f[] = {{1, "items", P_STR, REP, NULL}, END};
static const struct pmsg extra_m = {extra_f};
static const struct pfield sarspec_f[] = {{1, "resourceAttributes", P_MSG, 0, M(resattr_m)},
                                          {2, "nonResourceAttributes", P_MSG, 0, M(nonres_m)},
                                          {3, "user", P_STR, 0, NULL},
                                          {4, "groups", P_STR, REP, NULL},
                                          {5, "extra", P_MAP_MSG, 0, M(extra_m)},
                                          {6, "uid", P_STR, 0, NULL},
                                          END};
static const struct pmsg sarspec_m = {sarspec_f};
static const struct pfield sar_f[] = {
    {1, "metadata", P_MSG, 0, M(meta_m)}, {2, "spec", P_MSG, 0, M(sarspec_m)}, END};
static const struct pmsg sar_m = {sar_f};
static const struct pfield ssrrspec_f[] = {{1, "namespace", P_STR, 0, NULL}, END};
static const struct pmsg ssrrspec_m = {ssrrspec_f};
static const struct pfield ssrr_f[] = {
    {1, "metadata", P_MSG, 0, M(meta_m)}, {2, "spec", P_MSG, 0, M(ssrrspec_m)}, END};
static const struct pmsg ssrr_m = {ssrr_f};
static const struct pfield ssr_f[] = {{1, "metadata", P_MSG, 0, M(meta_m)}, END};
static const struct pmsg ssr_m = {ssr_f};
static const struct pfield trvspec_f[] = {
    {1, "token", P_STR, 0, NULL}, {2, "audiences", P_STR, REP, NULL}, END};
static const struct pmsg trvspec_m = {trvspec_f};
static const struct pfield trv_f[] = {
    {1, "metadata", P_MSG, 0, M(meta_m)}, {2, "spec", P_MSG, 0, M(trvspec_m)}, END};
static const struct pmsg trv_m = {trv_f};
static const struct pfield csrspec_f[] = {{1, "request", P_BYTES, 0, NULL},
                                          {7, "signerName", P_STR, 0, NULL},
                                          {8, "expirationSeconds", P_INT, KEEP, NULL},
                                          {5, "usages", P_STR, REP, NULL},
                                          {2, "username", P_STR, 0, NULL},
                                          {3, "uid", P_STR, 0, NULL},
                                          {4, "groups", P_STR, REP, NULL},
                                          {6, "extra", P_MAP_MSG, 0, M(extra_m)},
                                          END};
static const struct pmsg csrspec_m = {csrspec_f};
/* status travels in `kubectl certificate approve|deny` (PUT .../approval) */
static const struct pfield csrcond_f[] = {{1, "type", P_STR, 0, NULL},
                                          {6, "status", P_STR, 0, NULL},
                                          {2, "reason", P_STR, 0, NULL},
                                          {3, "message", P_STR, 0, NULL},
                                          {4, "lastUpdateTime", P_TIME, 0, NULL},
                                          {5, "lastTransitionTime", P_TIME, 0, NULL},
                                          END};
static const struct pmsg csrcond_m = {csrcond_f};
static const struct pfield csrstatus_f[] = {
    {1, "conditions", P_MSG, REP, M(csrcond_m)}, {2, "certificate", P_BYTES, 0, NULL}, END};
static const struct pmsg csrstatus_m = {csrstatus_f};
static const struct pfield csr_f[] = {{1, "metadata", P_MSG, 0, M(meta_m)},
                                      {2, "spec", P_MSG, 0, M(csrspec_m)},
                                      {3, "status", P_MSG, 0, M(csrstatus_m)},
                                      END};
static const struct pmsg csr_m = {csr_f};
static const struct pfield delopts_f[] = {{1, "gracePeriodSeconds", P_INT, KEEP, NULL},
                                          {3, "orphanDependents", P_BOOL, KEEP, NULL},
                                          {4, "propagationPolicy", P_STR, 0, NULL},
                                          {5, "dryRun", P_STR, REP, NULL},
                                          END};
static const struct pmsg delopts_m = {delopts_f};

static const struct {
	const char *kind;
	const struct pmsg *msg;
} kinds[] = {
    {"ServiceAccount", &sa_m},
    {"Role", &role_m},
    {"ClusterRole", &role_m},
    {"RoleBinding", &binding_m},
    {"ClusterRoleBinding", &binding_m},
    {"Namespace", &ns_m},
    {"Secret", &secret_m},
    {"ConfigMap", &cm_m},
    {"TokenRequest", &tr_m},
    {"SelfSubjectAccessReview", &sar_m},
    {"LocalSubjectAccessReview", &sar_m},
    {"SubjectAccessReview", &sar_m},
    {"SelfSubjectRulesReview", &ssrr_m},
    {"SelfSubjectReview", &ssr_m},
    {"TokenReview", &trv_m},
    {"CertificateSigningRequest", &csr_m},
    {"DeleteOptions", &delopts_m},
};

struct rd {
	const unsigned char *p, *end;
};

static int varint(struct rd *r, uint64_t *out)
{
	uint64_t v = 0;
	int shift = 0;

	while (r->p < r->end && shift < 64) {
		unsigned char c = *r->p++;

		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

/* Next field: number, wire type, and for length-delimited its bytes. */
static int next(struct rd *r, int *num, int *wt, uint64_t *v, struct rd *sub)
{
	uint64_t key;

	if (varint(r, &key) < 0 || key >> 3 == 0 || key >> 3 > 536870911)
		return -1;
	*num = (int)(key >> 3);
	*wt = (int)(key & 7);
	switch (*wt) {
	case 0:
		return varint(r, v);
	case 1:
		if (r->end - r->p < 8)
			return -1;
		r->p += 8;
		return 0;
	case 5:
		if (r->end - r->p < 4)
			return -1;
		r->p += 4;
		return 0;
	case 2:
		if (varint(r, v) < 0 || *v > (uint64_t)(r->end - r->p))
			return -1;
		sub->p = r->p;
		sub->end = r->p + *v;
		r->p += *v;
		return 0;
	default:
		return -1;
	}
}

static cJSON *decode_msg(struct rd *r, const struct pmsg *m, int depth);

static char *str_of(const struct rd *s)
{
	return kj_xstrndup((const char *)s->p, (size_t)(s->end - s->p));
}

static cJSON *time_of(struct rd *s)
{
	int num, wt;
	uint64_t v, secs = 0;
	struct rd sub;
	char buf[32];

	while (s->p < s->end) {
		if (next(s, &num, &wt, &v, &sub) < 0)
			return NULL;
		if (num == 1 && wt == 0)
			secs = v;
	}
	if (!secs)
		return NULL;
	kj_time_rfc3339((int64_t)secs, buf, sizeof(buf));
	return cJSON_CreateString(buf);
}

/* One map entry {1: key, 2: value}. */
static int map_entry(struct rd *s, const struct pfield *f, cJSON *obj, int depth)
{
	int num, wt;
	uint64_t v;
	struct rd sub, val = {NULL, NULL};
	char *key = NULL;
	cJSON *j = NULL;

	while (s->p < s->end) {
		if (next(s, &num, &wt, &v, &sub) < 0) {
			free(key);
			return -1;
		}
		if (num == 1 && wt == 2) {
			free(key);
			key = str_of(&sub);
		} else if (num == 2 && wt == 2) {
			val = sub;
		}
	}
	if (!key)
		return 0;
	if (f->type == P_MAP_STR) {
		char *s2 = val.p ? str_of(&val) : kj_xstrdup("");

		j = cJSON_CreateString(s2);
		free(s2);
	} else if (f->type == P_MAP_BYTES) {
		char *b = kj_b64_encode(val.p ? val.p : (const unsigned char *)"",
		                        val.p ? (size_t)(val.end - val.p) : 0);

		j = cJSON_CreateString(b);
		free(b);
	} else {
		j = val.p ? decode_msg(&val, f->msg, depth + 1) : cJSON_CreateObject();
		if (!j) {
			free(key);
			return -1;
		}
		if (cJSON_GetObjectItem(j, "items")) { /* ExtraValue is a bare list in JSON */
			cJSON *items = cJSON_DetachItemFromObject(j, "items");

			cJSON_Delete(j);
			j = items;
		}
	}
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddItemToObject(obj, key, j);
	free(key);
	return 0;
}

static const struct pfield *field_of(const struct pmsg *m, int num)
{
	const struct pfield *f;

	for (f = m->f; f->json; f++)
		if (f->num == num)
			return f;
	return NULL;
}

static int empty(const cJSON *j)
{
	return !j || (cJSON_IsString(j) && !*j->valuestring) || (cJSON_IsObject(j) && !j->child);
}

static cJSON *decode_msg(struct rd *r, const struct pmsg *m, int depth)
{
	cJSON *obj = cJSON_CreateObject();
	int num, wt;
	uint64_t v;
	struct rd sub;

	if (depth > 16)
		goto bad;
	while (r->p < r->end) {
		const struct pfield *f;
		cJSON *j = NULL, *arr;

		if (next(r, &num, &wt, &v, &sub) < 0)
			goto bad;
		f = field_of(m, num);
		if (!f)
			continue;
		if (f->type == P_MAP_STR || f->type == P_MAP_BYTES || f->type == P_MAP_MSG) {
			cJSON *map = cJSON_GetObjectItemCaseSensitive(obj, f->json);

			if (wt != 2)
				goto bad;
			if (!map)
				map = cJSON_AddObjectToObject(obj, f->json);
			if (map_entry(&sub, f, map, depth) < 0)
				goto bad;
			continue;
		}
		if (f->type == P_INT || f->type == P_BOOL) {
			if (wt != 0)
				goto bad;
			if (!v && !(f->flags & KEEP))
				continue;
			j = f->type == P_INT ? cJSON_CreateNumber((double)(int64_t)v)
			                     : cJSON_CreateBool(v != 0);
		} else {
			if (wt != 2)
				goto bad;
			if (f->type == P_STR) {
				char *s = str_of(&sub);

				j = cJSON_CreateString(s);
				free(s);
			} else if (f->type == P_BYTES) {
				char *b = kj_b64_encode(sub.p, (size_t)(sub.end - sub.p));

				j = cJSON_CreateString(b);
				free(b);
			} else if (f->type == P_TIME) {
				j = time_of(&sub);
			} else {
				j = decode_msg(&sub, f->msg, depth + 1);
				if (!j)
					goto bad;
			}
		}
		if (f->flags & REP) {
			arr = cJSON_GetObjectItemCaseSensitive(obj, f->json);
			if (!arr)
				arr = cJSON_AddArrayToObject(obj, f->json);
			cJSON_AddItemToArray(arr, j ? j : cJSON_CreateObject());
		} else if (empty(j)) {
			cJSON_Delete(j);
		} else {
			cJSON_DeleteItemFromObjectCaseSensitive(obj, f->json);
			cJSON_AddItemToObject(obj, f->json, j);
		}
	}
	return obj;
bad:
	cJSON_Delete(obj);
	return NULL;
}

cJSON *demo_proto_decode(const void *data, size_t len)
{
	struct rd r = {data, (const unsigned char *)data + len}, sub, raw = {NULL, NULL}, tm = {NULL, NULL};
	int num, wt;
	uint64_t v;
	char *api = NULL, *kind = NULL;
	cJSON *out = NULL, *body;
	size_t i;

	if (len < 4 || memcmp(data, "k8s\0", 4))
		return NULL;
	r.p += 4;
	while (r.p < r.end) {
		if (next(&r, &num, &wt, &v, &sub) < 0)
			return NULL;
		if (num == 1 && wt == 2)
			tm = sub;
		else if (num == 2 && wt == 2)
			raw = sub;
	}
	while (tm.p && tm.p < tm.end) {
		if (next(&tm, &num, &wt, &v, &sub) < 0)
			goto done;
		if (num == 1 && wt == 2) {
			free(api);
			api = str_of(&sub);
		} else if (num == 2 && wt == 2) {
			free(kind);
			kind = str_of(&sub);
		}
	}
	if (!kind || !raw.p)
		goto done;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].kind, kind))
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		goto done;
	body = decode_msg(&raw, kinds[i].msg, 0);
	if (!body)
		goto done;
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "kind", kind);
	cJSON_AddStringToObject(out, "apiVersion", api ? api : "");
	while (body->child) {
		cJSON *it = body->child;

		cJSON_DetachItemViaPointer(body, it);
		cJSON_AddItemToObject(out, it->string, it);
	}
	cJSON_Delete(body);
done:
	free(api);
	free(kind);
	return out;
}
