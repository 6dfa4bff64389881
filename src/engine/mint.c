#include "engine/mint.h"

#include <stdlib.h>
#include <string.h>

#include "util/names.h"
#include "util/strbuf.h"

#define TOKEN_MIN_SECONDS 600 /* TokenRequest refuses less (k8s-api.md §1.2) */

int64_t mint_token_seconds(int64_t ttl)
{
	return ttl < TOKEN_MIN_SECONDS ? TOKEN_MIN_SECONDS : ttl;
}

void mint_object_name(const char *prefix, const char *secret_path, char out[64])
{
	char pre[24], slug[64], rnd[6];
	size_t room, o = 0, n;

	kj_slug(prefix && *prefix ? prefix : "kubejit", 20, pre, sizeof(pre));
	kj_random_suffix(rnd, 5);
	/* <pre>-<slug>-<rnd>: 63 = len(pre) + 1 + slug + 1 + 5 */
	room = 63 - strlen(pre) - 7;
	kj_slug(secret_path, room, slug, sizeof(slug));
	/* assembled by hand: the lengths above guarantee ≤ 63 */
	n = strlen(pre);
	memcpy(out, pre, n);
	o = n;
	out[o++] = '-';
	n = strlen(slug);
	memcpy(out + o, slug, n);
	o += n;
	out[o++] = '-';
	memcpy(out + o, rnd, 5);
	out[o + 5] = '\0';
}

void mint_result_done(struct mint_result *r)
{
	kj_free_secret(r->token);
	free(r->secret);
	free(r->target);
	free(r->ns);
	free(r->service_account);
	free(r->jti);
	lease_objects_free(r->objects, r->n_objects);
	free(r->warning);
	free(r->server);
	free(r->ca_pem);
	free(r->tls_server_name);
	memset(r, 0, sizeof(*r));
}
