#include "util/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

struct kj_strmap_ent {
	char *key;
	void *val;
	struct kj_strmap_ent *next;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Where key's entry is or would be linked; NULL for an empty table. */
static struct kj_strmap_ent **link_of(const struct kj_strmap *m, const char *key)
{
	struct kj_strmap_ent **p;

	if (!m->nb)
		return NULL;
	for (p = &m->b[hash(key) & (m->nb - 1)]; *p; p = &(*p)->next)
		if (!strcmp((*p)->key, key))
			return p;
	return p;
}

void *kj_strmap_get(const struct kj_strmap *m, const char *key)
{
	struct kj_strmap_ent **p = link_of(m, key);

	return p && *p ? (*p)->val : NULL;
}

/* At most one entry per bucket on average. */
static void grow(struct kj_strmap *m)
{
	size_t nb = m->nb ? m->nb * 2 : 64;
	struct kj_strmap_ent **b = kj_xcalloc(nb, sizeof *b);

	for (size_t i = 0; i < m->nb; i++) {
		struct kj_strmap_ent *e = m->b[i], *next;

		for (; e; e = next) {
			size_t k = hash(e->key) & (nb - 1);

			next = e->next;
			e->next = b[k];
			b[k] = e;
		}
	}
	free(m->b);
	m->b = b;
	m->nb = nb;
}

void **kj_strmap_slot(struct kj_strmap *m, const char *key)
{
	struct kj_strmap_ent **p, *e;

	if (m->n + 1 > m->nb)
		grow(m);
	p = link_of(m, key);
	if (!*p) {
		e = kj_xcalloc(1, sizeof *e);
		e->key = kj_xstrdup(key);
		*p = e;
		m->n++;
	}
	return &(*p)->val;
}

void *kj_strmap_del(struct kj_strmap *m, const char *key)
{
	struct kj_strmap_ent **p = link_of(m, key), *e;
	void *val;

	if (!p || !*p)
		return NULL;
	e = *p;
	*p = e->next;
	val = e->val;
	free(e->key);
	free(e);
	m->n--;
	return val;
}

int kj_strmap_foreach(const struct kj_strmap *m, int (*fn)(const char *key, void *val, void *ctx), void *ctx)
{
	for (size_t i = 0; i < m->nb; i++)
		for (const struct kj_strmap_ent *e = m->b[i]; e; e = e->next) {
			int rc = fn(e->key, e->val, ctx);

			if (rc)
				return rc;
		}
	return 0;
}

void kj_strmap_done(struct kj_strmap *m, void (*free_val)(void *))
{
	for (size_t i = 0; i < m->nb; i++) {
		struct kj_strmap_ent *e = m->b[i], *next;

		for (; e; e = next) {
			next = e->next;
			if (free_val)
				free_val(e->val);
			free(e->key);
			free(e);
		}
	}
	free(m->b);
	memset(m, 0, sizeof *m);
}
