#include "util/ttl.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util/i18n.h"

static int64_t unit_secs(char u)
{
	switch (u) {
	case 's':
		return 1;
	case 'm':
		return 60;
	case 'h':
		return 3600;
	case 'd':
		return 86400;
	default:
		return 0;
	}
}

int kj_ttl_parse(const char *s, const char *what, int64_t *out, kj_err *e)
{
	const char *p = s;
	int64_t total = 0;
	int groups = 0;

	if (!what)
		what = _("duration");
	if (!s || !*s)
		return kj_err_set(e, KJ_ERR_INVALID, _("%s: empty duration"), what),
		       kj_err_hint(e, _("write a number with a unit: 90s, 15m, 2h or 1d"));
	while (*p) {
		int64_t v = 0;
		int64_t mul;
		const char *start = p;

		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p)) {
			if (v > (INT64_MAX - 9) / 10)
				goto big;
			v = v * 10 + (*p - '0');
			p++;
		}
		if (!*p && groups == 0) {
			mul = 1;
		} else {
			mul = unit_secs(*p);
			if (!mul || p == start)
				goto bad;
			p++;
		}
		if (v > INT64_MAX / mul || total > INT64_MAX - v * mul)
			goto big;
		total += v * mul;
		groups++;
	}
	if (total <= 0)
		return kj_err_set(e, KJ_ERR_INVALID, _("%s: \"%s\" must be longer than zero"), what, s),
		       kj_err_hint(e, _("write a number with a unit: 90s, 15m, 2h or 1d"));
	*out = total;
	return 0;
bad:
	kj_err_set(e, KJ_ERR_INVALID, _("%s: \"%s\" is not a duration"), what, s);
	return kj_err_hint(e, _("write a number with a unit: 90s, 15m, 2h or 1d (units s, m, h, d)"));
big:
	kj_err_set(e, KJ_ERR_INVALID, _("%s: \"%s\" is too large"), what, s);
	return kj_err_hint(e, _("use a shorter duration"));
}

void kj_ttl_format(int64_t secs, char *buf, size_t n)
{
	static const struct {
		char u;
		int64_t s;
	} units[] = {{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
	size_t off = 0;
	size_t i;

	if (n == 0)
		return;
	buf[0] = '\0';
	if (secs < 0) {
		off += (size_t)snprintf(buf, n, "-");
		secs = -secs;
	}
	if (secs == 0) {
		snprintf(buf + off, n - off, "0s");
		return;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]) && off < n; i++) {
		if (secs >= units[i].s) {
			int w = snprintf(buf + off, n - off, "%lld%c", (long long)(secs / units[i].s),
			                 units[i].u);
			if (w < 0)
				return;
			off += (size_t)w;
			secs %= units[i].s;
		}
	}
}

void kj_ttl_human(int64_t secs, char *buf, size_t n)
{
	int64_t m, h, d, y;

	if (secs < -1) {
		snprintf(buf, n, "<invalid>");
		return;
	}
	if (secs < 0)
		secs = 0;
	if (secs < 120) {
		snprintf(buf, n, "%llds", (long long)secs);
		return;
	}
	m = secs / 60;
	if (m < 10) {
		int64_t s = secs % 60;
		if (s == 0)
			snprintf(buf, n, "%lldm", (long long)m);
		else
			snprintf(buf, n, "%lldm%llds", (long long)m, (long long)s);
		return;
	}
	if (m < 180) {
		snprintf(buf, n, "%lldm", (long long)m);
		return;
	}
	h = secs / 3600;
	if (h < 8) {
		int64_t mm = m % 60;
		if (mm == 0)
			snprintf(buf, n, "%lldh", (long long)h);
		else
			snprintf(buf, n, "%lldh%lldm", (long long)h, (long long)mm);
		return;
	}
	if (h < 48) {
		snprintf(buf, n, "%lldh", (long long)h);
		return;
	}
	if (h < 192) {
		int64_t hh = h % 24;
		if (hh == 0)
			snprintf(buf, n, "%lldd", (long long)(h / 24));
		else
			snprintf(buf, n, "%lldd%lldh", (long long)(h / 24), (long long)hh);
		return;
	}
	d = h / 24;
	if (d < 365 * 2) {
		snprintf(buf, n, "%lldd", (long long)d);
		return;
	}
	y = d / 365;
	if (y < 8) {
		int64_t dd = d % 365;
		if (dd == 0)
			snprintf(buf, n, "%lldy", (long long)y);
		else
			snprintf(buf, n, "%lldy%lldd", (long long)y, (long long)dd);
		return;
	}
	snprintf(buf, n, "%lldy", (long long)y);
}
