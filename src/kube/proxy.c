/* proxy: client-go's choice of proxy. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "kube/proxy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/i18n.h"
#include "util/strbuf.h"

/* An IPv4 or IPv6 address in 16 bytes (IPv4 mapped as ::ffff:a.b.c.d, as
 * Go's net.IP holds it); 0 when `s` is none. */
static int parse_ip(const char *s, unsigned char ip[16])
{
	struct in_addr a4;
	char buf[64];
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']' && n - 2 < sizeof buf) {
		memcpy(buf, s + 1, n - 2);
		buf[n - 2] = '\0';
		s = buf;
	}
	if (inet_pton(AF_INET, s, &a4) == 1) {
		memset(ip, 0, 10);
		ip[10] = ip[11] = 0xff;
		memcpy(ip + 12, &a4, 4);
		return 1;
	}
	return inet_pton(AF_INET6, s, ip) == 1;
}

static int is_v4(const unsigned char ip[16])
{
	static const unsigned char pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return memcmp(ip, pre, 12) == 0;
}

static int is_loopback(const unsigned char ip[16])
{
	static const unsigned char v6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	return is_v4(ip) ? ip[12] == 127 : memcmp(ip, v6, 16) == 0;
}

/* a.b.c.d/n or x::/n containing ip */
static int cidr_match(const char *entry, const unsigned char ip[16])
{
	char net[64];
	const char *slash = strchr(entry, '/');
	unsigned char nip[16];
	char *end;
	long bits;

	if (!slash || (size_t)(slash - entry) >= sizeof net)
		return 0;
	memcpy(net, entry, (size_t)(slash - entry));
	net[slash - entry] = '\0';
	bits = strtol(slash + 1, &end, 10);
	if (*end || !parse_ip(net, nip))
		return 0;
	if (is_v4(nip)) {
		if (!is_v4(ip) || bits < 0 || bits > 32)
			return 0;
		bits += 96;
	} else if (bits < 0 || bits > 128) {
		return 0;
	}
	for (long i = 0; i < bits; i++) {
		int mask = 0x80 >> (i % 8);
		if ((nip[i / 8] & mask) != (ip[i / 8] & mask))
			return 0;
	}
	return 1;
}

int kube_proxy_bypass(const char *no_proxy, const char *host_in, const char *port)
{
	unsigned char ip[16];
	char host[256];
	int have_ip;
	char *list, *save = NULL;
	int hit = 0;

	snprintf(host, sizeof host, "%s", host_in ? host_in : "");
	for (char *p = host; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strcmp(host, "localhost") == 0)
		return 1;
	have_ip = parse_ip(host, ip);
	if (have_ip && is_loopback(ip))
		return 1;
	if (!no_proxy || !*no_proxy)
		return 0;
	list = kj_xstrdup(no_proxy);
	for (char *tok = strtok_r(list, ",", &save); tok && !hit; tok = strtok_r(NULL, ",", &save)) {
		char *t = tok, *ep, *pport = NULL;
		unsigned char eip[16];

		while (isspace((unsigned char)*t))
			t++;
		ep = t + strlen(t);
		while (ep > t && isspace((unsigned char)ep[-1]))
			*--ep = '\0';
		for (char *p = t; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!*t)
			continue;
		if (strcmp(t, "*") == 0) {
			hit = 1;
			break;
		}
		if (strchr(t, '/')) {
			hit = have_ip && cidr_match(t, ip);
			continue;
		}
		/* host:port, [v6]:port, or a bare v6 address */
		if (t[0] == '[') {
			char *rb = strchr(t, ']');
			if (rb && rb[1] == ':')
				pport = rb + 2;
			if (rb)
				rb[1] = '\0';
		} else if (strchr(t, ':') && strchr(t, ':') == strrchr(t, ':')) {
			pport = strchr(t, ':');
			*pport++ = '\0';
		}
		if (parse_ip(t, eip)) {
			hit = have_ip && memcmp(eip, ip, 16) == 0 && (!pport || strcmp(pport, port) == 0);
			continue;
		}
		/* domain: "*.x" and ".x" match subdomains; "x" also x itself */
		int match_host = 0;
		if (t[0] == '*' && t[1] == '.')
			t++;
		char *dom = t[0] == '.' ? kj_xstrdup(t) : kj_xasprintf(".%s", t);
		match_host = t[0] != '.';
		size_t hl = strlen(host), dl = strlen(dom);
		if ((hl >= dl && strcmp(host + hl - dl, dom) == 0) ||
		    (match_host && strcmp(host, dom + 1) == 0))
			hit = !pport || strcmp(pport, port) == 0;
		free(dom);
	}
	free(list);
	return hit;
}

static const char *env2(const char *upper, const char *lower)
{
	const char *v = getenv(upper);
	if (!v || !*v)
		v = getenv(lower);
	return v && *v ? v : NULL;
}

/* curl's spelling of a Go proxy URL; NULL when the scheme is not one Go
 * dials (http, https, socks5). */
static char *for_curl(const char *url)
{
	if (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0)
		return kj_xstrdup(url);
	if (strncasecmp(url, "socks5://", 9) == 0 || strncasecmp(url, "socks5h://", 10) == 0)
		return kj_xasprintf("socks5h://%s", strchr(url, ':') + 3);
	return NULL;
}

char *kube_proxy_display(const char *url)
{
	const char *s = strstr(url, "://");
	const char *start = s ? s + 3 : url;
	const char *at = strchr(start, '@');
	const char *slash = strchr(start, '/');

	/* for_curl() spells every socks5 proxy socks5h; Go (and the user) say socks5 */
	const char *scheme = strncasecmp(url, "socks5h://", 10) == 0 ? "socks5://" : NULL;

	if (!at || (slash && slash < at))
		at = start - 1;
	if (scheme)
		return kj_xasprintf("%s%s", scheme, at + 1);
	return kj_xasprintf("%.*s%s", (int)(start - url), url, at + 1);
}

int kube_proxy_select(const char *scheme, const char *host, const char *port, const char *explicit_url,
                      char **out, kj_err *e)
{
	const char *v;

	*out = NULL;
	if (explicit_url && *explicit_url) {
		*out = for_curl(explicit_url);
		if (!*out) {
			char *shown = kube_proxy_display(explicit_url);
			const char *colon = strstr(explicit_url, "://");
			kj_err_set(e, KJ_ERR_INVALID,
			           _("proxy-url \"%s\": unsupported scheme \"%.*s\", must be http, https, or "
			             "socks5"),
			           shown, colon ? (int)(colon - explicit_url) : 0, explicit_url);
			free(shown);
			return kj_err_hint(e, _("write it as http://HOST:PORT, https://HOST:PORT or "
			                        "socks5://HOST:PORT"));
		}
		return 0;
	}
	if (strcmp(scheme, "https") == 0)
		v = env2("HTTPS_PROXY", "https_proxy");
	else
		v = env2("HTTP_PROXY", "http_proxy");
	if (!v || kube_proxy_bypass(env2("NO_PROXY", "no_proxy"), host, port))
		return 0;
	*out = for_curl(v);
	if (!*out) /* Go reads "host:port" (no scheme) as an http proxy */
		*out = strstr(v, "://") ? NULL : kj_xasprintf("http://%s", v);
	if (!*out) {
		char *shown = kube_proxy_display(v);
		kj_err_set(e, KJ_ERR_INVALID,
		           _("the proxy \"%s\" from the environment has a scheme kubejit "
		             "cannot use"),
		           shown);
		free(shown);
		return kj_err_hint(e, _("set HTTPS_PROXY to http://HOST:PORT, https://HOST:PORT or "
		                        "socks5://HOST:PORT"));
	}
	return 0;
}
