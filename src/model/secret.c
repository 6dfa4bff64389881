#include "model/secret.h"

#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

void secret_init(struct secret *s)
{
	memset(s, 0, sizeof(*s));
	s->revocable = 1;
	s->default_ttl = SECRET_DEFAULT_TTL;
	s->max_ttl = SECRET_DEFAULT_MAX_TTL;
}

void secret_done(struct secret *s)
{
	free(s->path);
	free(s->description);
	kj_strv_done(&s->tags);
	free(s->target);
	free(s->ns);
	free(s->service_account);
	free(s->role_name);
	free(s->role_yaml);
	kj_strv_done(&s->allowed_namespaces);
	kj_strv_done(&s->audiences);
	free(s->name_prefix);
	kj_kvv_done(&s->labels);
	kj_kvv_done(&s->annotations);
	memset(s, 0, sizeof(*s));
}

void secret_copy(struct secret *dst, const struct secret *src)
{
	*dst = *src;
	dst->path = kj_xstrdup(src->path);
	dst->description = kj_xstrdup(src->description);
	kj_strv_copy(&dst->tags, &src->tags);
	dst->target = kj_xstrdup(src->target);
	dst->ns = kj_xstrdup(src->ns);
	dst->service_account = kj_xstrdup(src->service_account);
	dst->role_name = kj_xstrdup(src->role_name);
	dst->role_yaml = kj_xstrdup(src->role_yaml);
	kj_strv_copy(&dst->allowed_namespaces, &src->allowed_namespaces);
	kj_strv_copy(&dst->audiences, &src->audiences);
	dst->name_prefix = kj_xstrdup(src->name_prefix);
	kj_kvv_copy(&dst->labels, &src->labels);
	kj_kvv_copy(&dst->annotations, &src->annotations);
}

void secret_list_free(struct secret *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		secret_done(&v[i]);
	free(v);
}

const char *secret_mode_name(enum secret_mode m)
{
	return m == SECRET_DYNAMIC ? "dynamic" : "fixed";
}

int secret_mode_parse(const char *s, enum secret_mode *out)
{
	if (s && !strcmp(s, "fixed"))
		*out = SECRET_FIXED;
	else if (s && !strcmp(s, "dynamic"))
		*out = SECRET_DYNAMIC;
	else
		return -1;
	return 0;
}

const char *secret_role_source_name(enum secret_role_source r)
{
	switch (r) {
	case ROLE_SOURCE_ROLE:
		return "role";
	case ROLE_SOURCE_CLUSTER_ROLE:
		return "cluster-role";
	case ROLE_SOURCE_YAML:
		return "yaml";
	default:
		return "none";
	}
}
