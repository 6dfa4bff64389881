#include "util/jwt.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/b64.h"
#include "util/i18n.h"
#include "util/strbuf.h"

static cJSON *part(const char *s, size_t n)
{
	char *seg = kj_xstrndup(s, n);
	unsigned char *raw = kj_b64url_decode(seg, NULL);
	cJSON *j = NULL;

	free(seg);
	if (raw)
		j = cJSON_Parse((char *)raw);
	free(raw);
	return j;
}

int kj_jwt_decode(const char *token, cJSON **header, cJSON **claims, kj_err *e)
{
	const char *d1, *d2;
	cJSON *h, *c;

	if (header)
		*header = NULL;
	if (claims)
		*claims = NULL;
	if (!token || !(d1 = strchr(token, '.')) || !(d2 = strchr(d1 + 1, '.')))
		return kj_err_set(e, KJ_ERR_INVALID,
		                  _("the token is not a JWT (expected three dot-separated parts)"));
	h = part(token, (size_t)(d1 - token));
	c = part(d1 + 1, (size_t)(d2 - d1 - 1));
	if (!h || !c || !cJSON_IsObject(h) || !cJSON_IsObject(c)) {
		cJSON_Delete(h);
		cJSON_Delete(c);
		return kj_err_set(e, KJ_ERR_INVALID,
		                  _("the token's header or claims are not base64url JSON"));
	}
	if (header)
		*header = h;
	else
		cJSON_Delete(h);
	if (claims)
		*claims = c;
	else
		cJSON_Delete(c);
	return 0;
}

void kj_token_fingerprint(const char *token, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	int i;

	SHA256((const unsigned char *)token, strlen(token), md);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}
