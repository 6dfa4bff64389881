/* safetext into growing buffers (util/safetext.h). */
#include "util/safetext.h"

#include <string.h>

size_t kj_safe_append(kj_buf *out, const char *s, size_t len, int flags, int final)
{
	size_t i = 0, n;
	char esc[8];

	while (i < len) {
		n = kj_safe_prefix(s + i, len - i, flags);
		if (n) {
			kj_buf_add(out, s + i, n);
			i += n;
			continue;
		}
		n = kj_safe_step(s + i, len - i, final, esc, flags);
		if (n == 0)
			break;
		kj_buf_adds(out, esc);
		i += n;
	}
	return i;
}

char *kj_safe_dup(const char *s, int flags)
{
	kj_buf b;

	if (!s)
		return kj_xstrdup("");
	if (kj_safe_is_clean(s, strlen(s), flags))
		return kj_xstrdup(s);
	kj_buf_init(&b);
	kj_safe_append(&b, s, strlen(s), flags, 1);
	return kj_buf_steal(&b);
}
