#include "util/b64.h"

#include <string.h>

#include <stdlib.h>

#include "util/strbuf.h"

static const char std_tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *encode(const unsigned char *p, size_t len, const char *tab, int pad)
{
	char *out = kj_xmalloc(4 * ((len + 2) / 3) + 1);
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
		out[o++] = tab[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0);
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		if (i + 1 < len)
			out[o++] = tab[v >> 6 & 63];
		else if (pad)
			out[o++] = '=';
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

char *kj_b64_encode(const void *data, size_t len)
{
	return encode(data, len, std_tab, 1);
}

char *kj_b64url_encode(const void *data, size_t len)
{
	return encode(data, len, url_tab, 0);
}

static int val(char c, int url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

static unsigned char *decode(const char *s, size_t *outlen, int url)
{
	size_t n = strlen(s);
	unsigned char *out = kj_xmalloc(n / 4 * 3 + 4);
	unsigned acc = 0;
	int bits = 0, pads = 0;
	size_t o = 0;

	for (; *s; s++) {
		int v;
		if (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
			continue;
		if (*s == '=') {
			pads++;
			continue;
		}
		if (pads)
			goto bad;
		v = val(*s, url);
		if (v < 0)
			goto bad;
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	if (bits >= 6 || pads > 2)
		goto bad;
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return out;
bad:
	kj_wipe(out, n / 4 * 3 + 4);
	free(out);
	return NULL;
}

unsigned char *kj_b64_decode(const char *s, size_t *outlen)
{
	return decode(s, outlen, 0);
}

unsigned char *kj_b64url_decode(const char *s, size_t *outlen)
{
	return decode(s, outlen, 1);
}
