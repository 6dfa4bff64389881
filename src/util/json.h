/* json: the small cJSON accessors every area needs.
 *
 * Getters never allocate; returned strings belong to the tree.  Adders copy
 * their arguments into the object. */
#ifndef KJ_UTIL_JSON_H
#define KJ_UTIL_JSON_H

#include <cjson/cJSON.h>
#include <stdint.h>

/* o[key] when it is a string, else NULL (also for a NULL o). */
const char *kj_json_str(const cJSON *o, const char *key);
/* Same, but "" instead of NULL: for code that compares names. */
const char *kj_json_str0(const cJSON *o, const char *key);
/* o.metadata[key] as kj_json_str0. */
const char *kj_json_meta0(const cJSON *o, const char *key);

/* o[key] when it is an array, else NULL; its length (0 when absent). */
const cJSON *kj_json_array(const cJSON *o, const char *key);
int kj_json_array_len(const cJSON *o, const char *key);
/* Whether array `a` holds the string `s` (NULL a: no). */
int kj_json_array_has(const cJSON *a, const char *s);
/* A JSON array of the `n` strings of `v`. */
cJSON *kj_json_strings(const char *const *v, size_t n);

/* The latest time kubejit reads from outside: 9999-12-31T23:59:59Z, the
 * last instant RFC 3339 can write.  Times beyond it are clamped to it. */
#define KJ_TIME_MAX INT64_C(253402300799)

/* A JSON number as an integer in [lo, hi]: truncated toward zero and clamped
 * to the range (so 1e300 or -1e300 from a server never becomes undefined
 * behaviour or garbage).  kj_json_int() gives `dflt` when o[key] is not a
 * number. */
int64_t kj_clamp_double(double v, int64_t lo, int64_t hi);
int64_t kj_json_int(const cJSON *o, const char *key, int64_t lo, int64_t hi, int64_t dflt);
/* 1 with *out when `v` is a JSON number that is a whole number in [lo, hi]
 * (what decoding it into a Go integer type of that range accepts), else 0. */
int kj_json_whole(const cJSON *v, int64_t lo, int64_t hi, int64_t *out);

/* o[key] = RFC 3339 time, or null when t is 0 (unknown). */
void kj_json_add_time(cJSON *o, const char *key, int64_t t);
/* o[key] = s, or null when s is NULL. */
void kj_json_add_str_or_null(cJSON *o, const char *key, const char *s);

/* kubejit's own JSON documents (the --json and -o json outputs) follow one
 * convention, documented in kubejit(1): camelCase names, times as RFC 3339
 * strings named ...At (createdAt, updatedAt, expiresAt), empty fields
 * omitted rather than null or "", and apiVersion + kind first in every
 * document so that its shape can evolve. */
#define KJ_JSON_API_VERSION "kubejit.io/v1alpha1"

/* Turn `body` into a document of `kind` and take ownership of it: an object
 * gets apiVersion and kind first; an array becomes {apiVersion, kind:
 * KIND "List", items: [...]} with each item a document of `kind`.  Null,
 * empty-string, empty-array and empty-object members are dropped, at every
 * depth.  Returns the document (free with cJSON_Delete). */
cJSON *kj_json_document(const char *kind, cJSON *body);
/* Drop null, "", [] and {} members of `o` and of everything below it. */
void kj_json_prune(cJSON *o);

#endif
