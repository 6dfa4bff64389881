#include "util/err.h"

#include <stdio.h>
#include <string.h>

#include "util/i18n.h"
#include "util/safetext.h"

void kj_err_clear(kj_err *e)
{
	if (!e)
		return;
	memset(e, 0, sizeof(*e));
}

int kj_err_vset(kj_err *e, enum kj_err_class cls, const char *fmt, va_list ap)
{
	char tmp[KJ_ERR_MSG_MAX];

	if (!e)
		return -1;
	kj_err_clear(e);
	e->cls = cls == KJ_ERR_NONE ? KJ_ERR_FAIL : cls;
	/* messages carry server text (Status messages, names, plugin
	 * output): one line, no control sequences, wherever they are shown
	 * or stored (util/safetext.h) */
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	kj_safe_copy(e->msg, sizeof(e->msg), tmp, 0);
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
	char tmp[KJ_ERR_HINT_MAX];
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	kj_safe_copy(e->hint, sizeof(e->hint), tmp, 0);
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
	vsnprintf(pre, sizeof(pre), fmt, ap);
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
