#include "util/names.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int label_n(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 63)
		return 0;
	if (!alnum_lower(s[0]) || !alnum_lower(s[n - 1]))
		return 0;
	for (i = 1; i + 1 < n; i++)
		if (!alnum_lower(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

int kj_is_dns1123_label(const char *s)
{
	return s && label_n(s, strlen(s));
}

int kj_is_dns1123_subdomain(const char *s)
{
	const char *p, *dot;

	if (!s || !*s || strlen(s) > 253)
		return 0;
	for (p = s;; p = dot + 1) {
		dot = strchr(p, '.');
		/* subdomain parts may exceed 63 only in theory; Kubernetes' regex
		 * checks the charset, the overall length caps it */
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		size_t i;
		if (n == 0 || !alnum_lower(p[0]) || !alnum_lower(p[n - 1]))
			return 0;
		for (i = 1; i + 1 < n; i++)
			if (!alnum_lower(p[i]) && p[i] != '-')
				return 0;
		if (!dot)
			return 1;
	}
}

void kj_slug(const char *s, size_t max, char *out, size_t n)
{
	size_t o = 0;
	int dash = 0;

	if (n == 0)
		return;
	if (max > n - 1)
		max = n - 1;
	for (; s && *s && o < max; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (alnum_lower(c)) {
			if (dash && o > 0 && o + 1 < max)
				out[o++] = '-';
			dash = 0;
			out[o++] = c;
		} else {
			dash = 1;
		}
	}
	while (o > 0 && out[o - 1] == '-')
		o--;
	if (o == 0)
		out[o++] = 'x';
	out[o] = '\0';
}

void kj_random_bytes(void *p, size_t n)
{
	if (RAND_bytes(p, (int)n) != 1) {
		fputs("kubejit: random number generator failed\n", stderr);
		abort();
	}
}

void kj_random_suffix(char *out, size_t n_chars)
{
	static const char alpha[] = "bcdfghjklmnpqrstvwxz2456789";
	unsigned char r[64];
	size_t i;

	while (n_chars > 0) {
		size_t k = n_chars < sizeof(r) ? n_chars : sizeof(r);
		kj_random_bytes(r, k);
		for (i = 0; i < k; i++)
			*out++ = alpha[r[i] % (sizeof(alpha) - 1)];
		n_chars -= k;
	}
	*out = '\0';
}

void kj_uuid4(char out[37])
{
	unsigned char b[16];

	kj_random_bytes(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
	         b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

int kj_glob_match(const char *p, const char *s)
{
	const char *star = NULL, *ss = NULL;

	while (*s) {
		if (*p == '*') {
			star = p++;
			ss = s;
		} else if (*p == '?' || *p == *s) {
			p++;
			s++;
		} else if (star) {
			p = star + 1;
			s = ++ss;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}
