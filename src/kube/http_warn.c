/* http_warn: Warning headers (RFC 7234 section 5.5) of API server answers. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <stdlib.h>

#include "kube/http.h"
#include "util/safetext.h"
#include "util/strbuf.h"

size_t kube_warning_parse(const char *v, char ***list, size_t *n)
{
	size_t added = 0;
	const char *p = v;
	while (p && *p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			break;
		/* warn-code */
		const char *q = p;
		while (*q >= '0' && *q <= '9')
			q++;
		if (q == p || *q != ' ')
			break;
		p = q + 1;
		/* warn-agent */
		while (*p && *p != ' ')
			p++;
		if (*p != ' ')
			break;
		p++;
		if (*p != '"')
			break;
		p++;
		kj_buf t;
		kj_buf_init(&t);
		while (*p && *p != '"') {
			if (*p == '\\' && p[1])
				p++;
			kj_buf_addc(&t, *p++);
		}
		if (*p != '"') {
			kj_buf_done(&t);
			break;
		}
		p++;
		/* optional warn-date: SP quoted-string */
		if (*p == ' ' && p[1] == '"') {
			p += 2;
			while (*p && *p != '"')
				p++;
			if (*p == '"')
				p++;
		}
		*list = kj_xrealloc(*list, (*n + 1) * sizeof **list);
		/* shown and stored as the server wrote it, minus control
		 * sequences (util/safetext.h) */
		(*list)[(*n)++] = kj_safe_dup(t.data ? t.data : "", 0);
		kj_buf_done(&t);
		added++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ',')
			break;
	}
	return added;
}
