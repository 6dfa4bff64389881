/* strmap: a hash table from a string key (copied) to a pointer, for the
 * indexes that keep a lookup from growing with the number of entries
 * (the demo cluster's RBAC listers and owner references).  Not
 * thread-safe: callers lock. */
#ifndef KJ_UTIL_STRMAP_H
#define KJ_UTIL_STRMAP_H

#include <stddef.h>

struct kj_strmap_ent;

struct kj_strmap {
	struct kj_strmap_ent **b;
	size_t nb; /* 0 or a power of two */
	size_t n;  /* entries */
};

#define KJ_STRMAP_INIT                                                                                       \
	{                                                                                                    \
		NULL, 0, 0                                                                                   \
	}

/* The value under key, NULL when none. */
void *kj_strmap_get(const struct kj_strmap *m, const char *key);
/* The place of key's value, made (holding NULL) when missing; valid until
 * the next change to the map. */
void **kj_strmap_slot(struct kj_strmap *m, const char *key);
/* Remove key; returns its value (NULL when none). */
void *kj_strmap_del(struct kj_strmap *m, const char *key);
/* Every entry until fn returns non-zero (that value is returned); fn must
 * not change the map. */
int kj_strmap_foreach(const struct kj_strmap *m, int (*fn)(const char *key, void *val, void *ctx), void *ctx);
/* Free the table; free_val (may be NULL) gets each value. */
void kj_strmap_done(struct kj_strmap *m, void (*free_val)(void *));

#endif
