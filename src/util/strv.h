/* strv: small owned lists the plain structs of src/model use — a list of strings
 * and a list of key=value pairs (labels, annotations).
 *
 * Zero-initialised structs are valid empty lists.  Push copies its input;
 * *_done frees everything and leaves an empty list.  Not thread-safe. */
#ifndef KJ_UTIL_STRV_H
#define KJ_UTIL_STRV_H

#include <stddef.h>

struct kj_strv {
	char **v;
	size_t n;
};

struct kj_kv {
	char *key;
	char *value;
};

struct kj_kvv {
	struct kj_kv *v;
	size_t n;
};

void kj_strv_push(struct kj_strv *sv, const char *s);
void kj_strv_done(struct kj_strv *sv);
void kj_strv_copy(struct kj_strv *dst, const struct kj_strv *src); /* dst must be empty */
int kj_strv_contains(const struct kj_strv *sv, const char *s);
/* Split "a, b,c" on commas, trimming blanks; empty items are dropped. */
void kj_strv_split(struct kj_strv *sv, const char *csv);
/* Join with `sep` into a new malloc'd string ("" for an empty list). */
char *kj_strv_join(const struct kj_strv *sv, const char *sep);

/* Set key to value (replacing an existing key). */
void kj_kvv_set(struct kj_kvv *kv, const char *key, const char *value);
const char *kj_kvv_get(const struct kj_kvv *kv, const char *key);
void kj_kvv_done(struct kj_kvv *kv);
void kj_kvv_copy(struct kj_kvv *dst, const struct kj_kvv *src);

/* NULL-terminated string arrays (char **), the shape reports hand to front
 * ends: a NULL array is empty.  Push appends a copy and keeps the
 * terminator; free frees the strings and the array. */
size_t kj_nullv_len(char *const *v);
void kj_nullv_push(char ***v, const char *s);
/* Format a line and append it (a report's notices). */
void kj_nullv_pushf(char ***v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int kj_nullv_contains(char *const *v, const char *s);
void kj_nullv_free(char **v);

#endif
