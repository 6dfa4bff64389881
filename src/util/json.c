#include "util/json.h"

#include <math.h>
#include <stdio.h>

#include <string.h>

#include "util/timeutil.h"

const char *kj_json_str(const cJSON *o, const char *key)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *kj_json_str0(const cJSON *o, const char *key)
{
	const char *s = kj_json_str(o, key);

	return s ? s : "";
}

int64_t kj_clamp_double(double v, int64_t lo, int64_t hi)
{
	if (!(v == v)) /* NaN */
		return lo;
	if (v <= (double)lo)
		return lo;
	if (v >= (double)hi)
		return hi;
	return (int64_t)v;
}

int kj_json_whole(const cJSON *v, int64_t lo, int64_t hi, int64_t *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return 0;
	d = v->valuedouble;
	/* 2^63 is the first double past INT64_MAX */
	if (!(d == d) || d != floor(d) || d < (double)lo || d >= 9223372036854775808.0 || d > (double)hi)
		return 0;
	*out = (int64_t)d;
	return 1;
}

int64_t kj_json_int(const cJSON *o, const char *key, int64_t lo, int64_t hi, int64_t dflt)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;

	return cJSON_IsNumber(v) ? kj_clamp_double(v->valuedouble, lo, hi) : dflt;
}

const char *kj_json_meta0(const cJSON *o, const char *key)
{
	return kj_json_str0(o ? cJSON_GetObjectItemCaseSensitive(o, "metadata") : NULL, key);
}

const cJSON *kj_json_array(const cJSON *o, const char *key)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;

	return cJSON_IsArray(v) ? v : NULL;
}

int kj_json_array_len(const cJSON *o, const char *key)
{
	const cJSON *a = kj_json_array(o, key);

	return a ? cJSON_GetArraySize(a) : 0;
}

int kj_json_array_has(const cJSON *a, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, a)
	{
		if (cJSON_IsString(it) && !strcmp(it->valuestring, s))
			return 1;
	}
	return 0;
}

void kj_json_add_time(cJSON *o, const char *key, int64_t t)
{
	char buf[32];

	if (!t) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	kj_time_rfc3339(t, buf, sizeof(buf));
	cJSON_AddStringToObject(o, key, buf);
}

void kj_json_add_str_or_null(cJSON *o, const char *key, const char *s)
{
	if (s)
		cJSON_AddStringToObject(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

static int empty_member(const cJSON *c)
{
	return cJSON_IsNull(c) || (cJSON_IsString(c) && (!c->valuestring || !c->valuestring[0])) ||
	       ((cJSON_IsArray(c) || cJSON_IsObject(c)) && !c->child);
}

void kj_json_prune(cJSON *o)
{
	cJSON *c, *next;

	if (!o || !(cJSON_IsArray(o) || cJSON_IsObject(o)))
		return;
	for (c = o->child; c; c = next) {
		next = c->next;
		kj_json_prune(c);
		/* array elements keep their places; members of objects go */
		if (cJSON_IsObject(o) && empty_member(c))
			cJSON_Delete(cJSON_DetachItemViaPointer(o, c));
	}
}

static cJSON *object_document(const char *kind, cJSON *body)
{
	cJSON *doc = cJSON_CreateObject(), *c;

	cJSON_AddStringToObject(doc, "apiVersion", KJ_JSON_API_VERSION);
	cJSON_AddStringToObject(doc, "kind", kind);
	while ((c = body->child) != NULL) {
		cJSON_DetachItemViaPointer(body, c);
		if (!strcmp(c->string, "apiVersion") || !strcmp(c->string, "kind")) {
			cJSON_Delete(c);
			continue;
		}
		cJSON_AddItemToObject(doc, c->string, c);
	}
	cJSON_Delete(body);
	return doc;
}

cJSON *kj_json_document(const char *kind, cJSON *body)
{
	cJSON *doc;

	kj_json_prune(body);
	if (cJSON_IsArray(body)) {
		cJSON *items, *c;
		char list[64];

		snprintf(list, sizeof(list), "%sList", kind);
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "apiVersion", KJ_JSON_API_VERSION);
		cJSON_AddStringToObject(doc, "kind", list);
		items = cJSON_AddArrayToObject(doc, "items");
		while ((c = body->child) != NULL) {
			cJSON_DetachItemViaPointer(body, c);
			cJSON_AddItemToArray(items, cJSON_IsObject(c) ? object_document(kind, c) : c);
		}
		cJSON_Delete(body);
		return doc;
	}
	return object_document(kind, body);
}

cJSON *kj_json_strings(const char *const *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}
