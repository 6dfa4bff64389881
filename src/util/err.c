#include "util/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/i18n.h"
#include "util/safetext.h"

/* Back up from `p` to the start of a UTF-8 sequence. */
static size_t utf8_floor(const char *s, size_t p)
{
	while (p > 0 && ((unsigned char)s[p] & 0xc0) == 0x80)
		p--;
	return p;
}

#define QUOTED_MAX  120
#define QUOTED_HEAD 80
#define QUOTED_TAIL 24

/* A copy of `src` (malloc'd) with every double-quoted value longer than
 * QUOTED_MAX bytes cut in the middle and followed by its length: a value of
 * 10 kB would otherwise push the rest of the sentence (what is wrong with
 * it) out of the message.  NULL when out of memory. */
static char *shorten_quoted(const char *src)
{
	size_t len = strlen(src), o = 0, i = 0;
	char *out = malloc(len + 1 + (len / QUOTED_MAX + 1) * 40);

	if (!out)
		return NULL;
	while (i < len) {
		const char *q = src[i] == '"' ? strchr(src + i + 1, '"') : NULL;
		size_t span = q ? (size_t)(q - (src + i + 1)) : 0;

		if (q && span > QUOTED_MAX) {
			const char *v = src + i + 1;
			size_t head = utf8_floor(v, QUOTED_HEAD), tail = utf8_floor(v, span - QUOTED_TAIL);

			out[o++] = '"';
			memcpy(out + o, v, head);
			o += head;
			memcpy(out + o, "\xe2\x80\xa6", 3); /* U+2026 */
			o += 3;
			memcpy(out + o, v + tail, span - tail);
			o += span - tail;
			o += (size_t)sprintf(out + o, _("\" (%zu bytes)"), span);
			i += span + 2;
			continue;
		}
		out[o++] = src[i++];
	}
	out[o] = '\0';
	return out;
}

size_t kj_err_text(char *dst, size_t n, const char *src)
{
	char *tmp = shorten_quoted(src);
	size_t r = kj_safe_copy(dst, n, tmp ? tmp : src, 0);

	free(tmp);
	return r;
}

/* Format in full first (a hostile value may be far longer than the
 * message), shorten long quoted values, then make the text safe. */
static void set_text(char *dst, size_t n, const char *fmt, va_list ap)
{
	char *tmp;
	va_list cp;
	int len;

	/* libc only: the kubejit executable links this file without the rest
	 * of util (src/local.mk) */
	va_copy(cp, ap);
	len = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	tmp = len >= 0 ? malloc((size_t)len + 1) : NULL;
	if (!tmp) {
		char small[KJ_ERR_MSG_MAX];
		vsnprintf(small, sizeof(small), fmt, ap);
		kj_safe_copy(dst, n, small, 0);
		return;
	}
	vsnprintf(tmp, (size_t)len + 1, fmt, ap);
	kj_err_text(dst, n, tmp);
	free(tmp);
}

void kj_err_clear(kj_err *e)
{
	if (!e)
		return;
	memset(e, 0, sizeof(*e));
}

int kj_err_vset(kj_err *e, enum kj_err_class cls, const char *fmt, va_list ap)
{
	if (!e)
		return -1;
	kj_err_clear(e);
	e->cls = cls == KJ_ERR_NONE ? KJ_ERR_FAIL : cls;
	/* messages carry server text (Status messages, names, plugin
	 * output) and what the user typed: one line, no control sequences,
	 * wherever they are shown or stored (util/safetext.h) */
	set_text(e->msg, sizeof(e->msg), fmt, ap);
	return -1;
}

int kj_err_set(kj_err *e, enum kj_err_class cls, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kj_err_vset(e, cls, fmt, ap);
	va_end(ap);
	return -1;
}

int kj_err_hint(kj_err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	set_text(e->hint, sizeof(e->hint), fmt, ap);
	va_end(ap);
	return -1;
}

/* "<a>: <b>", truncated to fit */
static void kj_err_join(char *dst, size_t n, const char *a, const char *b)
{
	size_t la = strlen(a), lb;

	if (la + 2 >= n) {
		snprintf(dst, n, "%s", a);
		return;
	}
	memcpy(dst, a, la);
	memcpy(dst + la, ": ", 2);
	lb = strlen(b);
	if (lb > n - la - 3)
		lb = n - la - 3;
	memcpy(dst + la + 2, b, lb);
	dst[la + 2 + lb] = '\0';
}

int kj_err_prefix(kj_err *e, const char *fmt, ...)
{
	char pre[KJ_ERR_MSG_MAX];
	char old[KJ_ERR_MSG_MAX];
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	set_text(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	kj_err_join(old, sizeof(old), pre, e->msg);
	kj_safe_copy(e->msg, sizeof(e->msg), old, 0);
	return -1;
}

int kj_err_exit_code(const kj_err *e)
{
	if (!e)
		return 0;
	switch (e->cls) {
	case KJ_ERR_NONE:
		return 0;
	case KJ_ERR_USAGE:
	case KJ_ERR_INVALID:
		return 2;
	case KJ_ERR_DENIED:
		return 3;
	case KJ_ERR_NOTFOUND:
		return 4;
	default:
		return 1;
	}
}

const char *kj_err_class_name(enum kj_err_class cls)
{
	switch (cls) {
	case KJ_ERR_NONE:
		return _("no error");
	case KJ_ERR_FAIL:
		return _("error");
	case KJ_ERR_USAGE:
		return _("usage error");
	case KJ_ERR_DENIED:
		return _("not allowed");
	case KJ_ERR_NOTFOUND:
		return _("not found");
	case KJ_ERR_CONFLICT:
		return _("conflict");
	case KJ_ERR_NETWORK:
		return _("network error");
	case KJ_ERR_AUTH:
		return _("unauthorized");
	case KJ_ERR_INVALID:
		return _("invalid");
	case KJ_ERR_CANCELLED:
		return _("cancelled");
	}
	return _("error");
}
