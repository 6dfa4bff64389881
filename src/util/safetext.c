/* The escaping itself, with no dependency beyond libc: the kubejit
 * executable links it with util/err.c (src/local.mk).  The kj_buf
 * functions are in safetext_buf.c. */
#include "util/safetext.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at s (1..4) with its code point,
 * 0 when the bytes are not one, -1 when it is cut short by the end. */
static int utf8_seq(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	int n, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((size_t)i >= len)
			return -1;
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		/* overlong forms, surrogates and > U+10FFFF */
		if (i == 1 && ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
		               (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f)))
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	*cp = v;
	return n;
}

static int unsafe_cp(uint32_t cp, int flags)
{
	if (cp < 0x20)
		return !((flags & KJ_SAFE_LINES) && (cp == '\n' || cp == '\t'));
	if (cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
		return 1;
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

/* One step: the bytes consumed at s (0 only when a sequence is cut short
 * and more may follow), the safe form written to esc (NUL-terminated, ""
 * when the bytes pass unchanged). */
size_t kj_safe_step(const char *s, size_t len, int final, char esc[8], int flags)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t cp;
	int n = utf8_seq(u, len, &cp);

	esc[0] = '\0';
	if (n < 0 && !final)
		return 0;
	if (n <= 0) {
		snprintf(esc, 8, "\\x%02X", u[0]);
		return 1;
	}
	if (unsafe_cp(cp, flags))
		snprintf(esc, 8, "\\u%04X", (unsigned)cp);
	return (size_t)n;
}

size_t kj_safe_prefix(const char *s, size_t len, int flags)
{
	size_t i = 0, n;
	char esc[8];

	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		/* plain ASCII is the common case */
		if (c >= 0x20 && c < 0x7f) {
			i++;
			continue;
		}
		n = kj_safe_step(s + i, len - i, 1, esc, flags);
		if (esc[0])
			break;
		i += n;
	}
	return i;
}

int kj_safe_is_clean(const char *s, size_t len, int flags)
{
	return kj_safe_prefix(s, len, flags) == len;
}

size_t kj_safe_copy(char *dst, size_t size, const char *s, int flags)
{
	size_t len, i = 0, o = 0, n;
	char esc[8];

	if (size == 0)
		return 0;
	if (!s)
		s = "";
	len = strlen(s);
	while (i < len) {
		n = kj_safe_step(s + i, len - i, 1, esc, flags);
		if (esc[0]) {
			size_t el = strlen(esc);

			if (o + el >= size)
				break;
			memcpy(dst + o, esc, el);
			o += el;
		} else {
			if (o + n >= size)
				break;
			memcpy(dst + o, s + i, n);
			o += n;
		}
		i += n;
	}
	dst[o] = '\0';
	return o;
}
