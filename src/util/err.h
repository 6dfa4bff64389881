/* err: the one error type of kubejit.
 *
 * Every fallible function returns an int (0 ok, -1 failure) and fills a
 * caller-owned `kj_err` with a message (what failed, where) and a hint (how to
 * fix it).  Front ends render both.  The struct is plain data: no heap, safe to
 * copy, safe to reuse (kj_err_clear).  Messages must never contain secrets.
 *
 * Messages and hints are safe text whatever was formatted into them
 * (control characters and bytes that are not UTF-8 escaped, util/safetext.h),
 * and a double-quoted value longer than 120 bytes is shortened in the middle
 * and followed by its length, so a hostile value can neither rewrite the
 * terminal nor crowd out the rest of the sentence. */
#ifndef KJ_UTIL_ERR_H
#define KJ_UTIL_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* Error classes; each maps to a documented process exit code. */
enum kj_err_class {
	KJ_ERR_NONE = 0,
	KJ_ERR_FAIL = 1,      /* generic failure: exit 1 */
	KJ_ERR_USAGE = 2,     /* bad command line or input: exit 2 */
	KJ_ERR_DENIED = 3,    /* not allowed by policy or RBAC: exit 3 */
	KJ_ERR_NOTFOUND = 4,  /* the named thing does not exist: exit 4 */
	KJ_ERR_CONFLICT = 5,  /* already exists / changed meanwhile: exit 1 */
	KJ_ERR_NETWORK = 6,   /* unreachable, TLS, timeout: exit 1 */
	KJ_ERR_AUTH = 7,      /* credentials rejected (401): exit 1 */
	KJ_ERR_INVALID = 8,   /* input failed validation: exit 2 */
	KJ_ERR_CANCELLED = 9, /* the user cancelled: exit 1 */
};

#define KJ_ERR_MSG_MAX  1024
#define KJ_ERR_HINT_MAX 512

typedef struct kj_err {
	enum kj_err_class cls;
	int http_status; /* HTTP status when it came from a server, else 0 */
	char reason[48]; /* Kubernetes Status reason ("Forbidden"), may be "" */
	char msg[KJ_ERR_MSG_MAX];
	char hint[KJ_ERR_HINT_MAX];
} kj_err;

void kj_err_clear(kj_err *e);

/* Set class and message (printf-style); the hint is left empty.  Returns -1 so
 * callers can write `return kj_err_set(e, KJ_ERR_FAIL, "...");`.  A NULL `e`
 * is allowed and ignored. */
int kj_err_set(kj_err *e, enum kj_err_class cls, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int kj_err_vset(kj_err *e, enum kj_err_class cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Set or replace the hint. Returns -1. */
int kj_err_hint(kj_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefix the current message with context: "loading target prod: <old msg>". */
int kj_err_prefix(kj_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copy `src` into dst (capacity n) by the rule above; returns the length
 * written.  For text shown with a kj_err, such as a usage error. */
size_t kj_err_text(char *dst, size_t n, const char *src);

/* The process exit code for an error class (0, 1, 2, 3 or 4). */
int kj_err_exit_code(const kj_err *e);

/* Short, translated name of the class ("not found", "not allowed", ...). */
const char *kj_err_class_name(enum kj_err_class cls);

#endif
