#include "util/strbuf.h"

#include <openssl/crypto.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(void)
{
	fputs("kubejit: out of memory\n", stderr);
	abort();
}

void *kj_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *kj_xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (!p)
		oom();
	return p;
}

void *kj_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom();
	return q;
}

char *kj_xstrdup(const char *s)
{
	return s ? kj_xstrndup(s, strlen(s)) : NULL;
}

char *kj_xstrndup(const char *s, size_t n)
{
	char *p;

	if (!s)
		return NULL;
	p = kj_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *kj_xasprintf(const char *fmt, ...)
{
	kj_buf b;
	va_list ap;

	kj_buf_init(&b);
	va_start(ap, fmt);
	kj_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return kj_buf_steal(&b);
}

void kj_wipe(void *p, size_t n)
{
	if (p && n)
		OPENSSL_cleanse(p, n);
}

void kj_free_secret(char *s)
{
	if (!s)
		return;
	kj_wipe(s, strlen(s));
	free(s);
}

void kj_buf_init(kj_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void kj_buf_done(kj_buf *b)
{
	if (b->data)
		kj_wipe(b->data, b->cap);
	free(b->data);
	kj_buf_init(b);
}

void kj_buf_reset(kj_buf *b)
{
	if (b->data)
		kj_wipe(b->data, b->len);
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static void grow(kj_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	size_t cap;

	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	/* not realloc(): it may leave a copy of what the buffer held (a token,
	 * a key) in the freed block; copy, then wipe the old one */
	{
		char *fresh = kj_xmalloc(cap);

		if (b->data) {
			memcpy(fresh, b->data, b->len + 1 <= b->cap ? b->len + 1 : b->cap);
			kj_wipe(b->data, b->cap);
			free(b->data);
		}
		b->data = fresh;
	}
	b->cap = cap;
}

void kj_buf_add(kj_buf *b, const void *p, size_t n)
{
	grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void kj_buf_adds(kj_buf *b, const char *s)
{
	kj_buf_add(b, s, strlen(s));
}

void kj_buf_addc(kj_buf *b, char c)
{
	kj_buf_add(b, &c, 1);
}

void kj_buf_vprintf(kj_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void kj_buf_printf(kj_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kj_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *kj_buf_steal(kj_buf *b)
{
	char *p;

	if (!b->data)
		return kj_xstrdup("");
	p = b->data;
	kj_buf_init(b);
	return p;
}

/* Length of the UTF-8 sequence at s (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms and surrogates are not UTF-8 */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

char *kj_printable(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	kj_buf b;

	if (!s)
		return NULL;
	kj_buf_init(&b);
	while (*p) {
		size_t n = utf8_len(p);
		/* C0, DEL and C1 (U+0080..U+009F, two bytes) controls */
		int control =
		    (n == 1 && (*p < 0x20 || *p == 0x7f)) || (n == 2 && p[0] == 0xc2 && p[1] <= 0x9f);

		if (n == 0 || control) {
			if (b.len + 1 > max)
				break;
			kj_buf_addc(&b, '?');
			p += n ? n : 1;
			continue;
		}
		if (b.len + n > max)
			break;
		kj_buf_add(&b, p, n);
		p += n;
	}
	return kj_buf_steal(&b);
}
