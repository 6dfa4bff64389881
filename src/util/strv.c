#include "util/strv.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

void kj_strv_push(struct kj_strv *sv, const char *s)
{
	sv->v = kj_xrealloc(sv->v, (sv->n + 1) * sizeof(*sv->v));
	sv->v[sv->n++] = kj_xstrdup(s ? s : "");
}

void kj_strv_done(struct kj_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

void kj_strv_copy(struct kj_strv *dst, const struct kj_strv *src)
{
	dst->v = NULL;
	dst->n = 0;
	for (size_t i = 0; i < src->n; i++)
		kj_strv_push(dst, src->v[i]);
}

int kj_strv_contains(const struct kj_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (!strcmp(sv->v[i], s))
			return 1;
	return 0;
}

void kj_strv_split(struct kj_strv *sv, const char *csv)
{
	const char *p = csv;

	while (p && *p) {
		const char *end = strchr(p, ',');
		const char *a = p, *b = end ? end : p + strlen(p);

		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (b > a) {
			char *item = kj_xstrndup(a, (size_t)(b - a));
			kj_strv_push(sv, item);
			free(item);
		}
		p = end ? end + 1 : NULL;
	}
}

char *kj_strv_join(const struct kj_strv *sv, const char *sep)
{
	kj_buf b;

	kj_buf_init(&b);
	for (size_t i = 0; i < sv->n; i++) {
		if (i)
			kj_buf_adds(&b, sep);
		kj_buf_adds(&b, sv->v[i]);
	}
	return kj_buf_steal(&b);
}

void kj_kvv_set(struct kj_kvv *kv, const char *key, const char *value)
{
	for (size_t i = 0; i < kv->n; i++) {
		if (!strcmp(kv->v[i].key, key)) {
			free(kv->v[i].value);
			kv->v[i].value = kj_xstrdup(value ? value : "");
			return;
		}
	}
	kv->v = kj_xrealloc(kv->v, (kv->n + 1) * sizeof(*kv->v));
	kv->v[kv->n].key = kj_xstrdup(key);
	kv->v[kv->n].value = kj_xstrdup(value ? value : "");
	kv->n++;
}

const char *kj_kvv_get(const struct kj_kvv *kv, const char *key)
{
	for (size_t i = 0; i < kv->n; i++)
		if (!strcmp(kv->v[i].key, key))
			return kv->v[i].value;
	return NULL;
}

void kj_kvv_done(struct kj_kvv *kv)
{
	for (size_t i = 0; i < kv->n; i++) {
		free(kv->v[i].key);
		free(kv->v[i].value);
	}
	free(kv->v);
	kv->v = NULL;
	kv->n = 0;
}

void kj_kvv_copy(struct kj_kvv *dst, const struct kj_kvv *src)
{
	dst->v = NULL;
	dst->n = 0;
	for (size_t i = 0; i < src->n; i++)
		kj_kvv_set(dst, src->v[i].key, src->v[i].value);
}

size_t kj_nullv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

void kj_nullv_push(char ***v, const char *s)
{
	size_t n = kj_nullv_len(*v);

	*v = kj_xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = kj_xstrdup(s ? s : "");
	(*v)[n + 1] = NULL;
}

void kj_nullv_pushf(char ***v, const char *fmt, ...)
{
	va_list ap;
	kj_buf b;

	kj_buf_init(&b);
	va_start(ap, fmt);
	kj_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	kj_nullv_push(v, b.data);
	kj_buf_done(&b);
}

int kj_nullv_contains(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return 1;
	return 0;
}

void kj_nullv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}
