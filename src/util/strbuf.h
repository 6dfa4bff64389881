/* strbuf: a growable, always NUL-terminated byte buffer.
 *
 * Embedded value: kj_buf_init() / kj_buf_done().  `data` is owned by the
 * buffer; kj_buf_steal() hands it to the caller (free with free()).
 * Allocation failure aborts: kubejit treats out-of-memory as fatal. */
#ifndef KJ_UTIL_STRBUF_H
#define KJ_UTIL_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct kj_buf {
	char *data;
	size_t len;
	size_t cap;
} kj_buf;

void kj_buf_init(kj_buf *b);
void kj_buf_done(kj_buf *b);  /* frees; wipes first (may hold secrets) */
void kj_buf_reset(kj_buf *b); /* length 0, keeps memory */
void kj_buf_add(kj_buf *b, const void *p, size_t n);
void kj_buf_adds(kj_buf *b, const char *s);
void kj_buf_addc(kj_buf *b, char c);
void kj_buf_printf(kj_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kj_buf_vprintf(kj_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
char *kj_buf_steal(kj_buf *b); /* returns data ("" if empty), buffer re-initialised */

/* Allocation helpers that abort on failure. */
void *kj_xmalloc(size_t n);
void *kj_xcalloc(size_t n, size_t m);
void *kj_xrealloc(void *p, size_t n);
char *kj_xstrdup(const char *s); /* NULL in, NULL out */
char *kj_xstrndup(const char *s, size_t n);
char *kj_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A copy of `s` that is safe to print and to store in an annotation: at
 * most `max` bytes (cut on a character boundary), control characters (C0,
 * DEL, C1) and bytes that are not UTF-8 each replaced by '?'.  For text
 * that comes from other people (cluster annotations, $USER, identities a
 * server reports), so that it cannot move a terminal's cursor or forge a
 * line.  NULL in, NULL out. */
char *kj_printable(const char *s, size_t max);

/* Overwrite memory that held a secret, in a way the compiler keeps. */
void kj_wipe(void *p, size_t n);
/* Wipe a NUL-terminated string and free it; NULL allowed. */
void kj_free_secret(char *s);

#endif
