/* The demo cluster's request handling (src/demo/): fuzzed method, path,
 * query, headers and body (JSON or protobuf) sent over one keep-alive HTTPS
 * connection to an in-process demo cluster, as the admin or anonymously.
 * After every request the server must still answer a known request
 * correctly; protobuf bodies are also decoded directly. */
#include "tests/fuzz/fuzz.h"

#include <curl/curl.h>
#include <stdio.h>
#include <strings.h>

#include "demo/demo.h"
#include "demo/internal.h"

static struct demo_cluster *dc;
static CURL *curl;
static char auth_admin[4096];

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return sz * n;
}

static void setup(void)
{
	struct demo_opts o;
	kj_err e;
	struct curl_blob ca;

	memset(&o, 0, sizeof o);
	kj_err_clear(&e);
	if (demo_start(&o, &dc, &e) != 0) {
		fprintf(stderr, "fuzz_demo: the demo cluster did not start: %s\n", e.msg);
		abort();
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	curl = curl_easy_init();
	ca.data = (void *)demo_ca_pem(dc);
	ca.len = strlen(demo_ca_pem(dc));
	ca.flags = CURL_BLOB_COPY;
	curl_easy_setopt(curl, CURLOPT_CAINFO_BLOB, &ca);
	curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L); /* an open watch ends here */
	snprintf(auth_admin, sizeof auth_admin, "Authorization: Bearer %s", demo_admin_token(dc));
}

/* Split the input at NUL bytes: method selector, path and query, headers
 * (one per line), body. */
static const char *next_part(const uint8_t **p, const uint8_t *end, size_t *len)
{
	const uint8_t *s = *p, *z = s;

	while (z < end && *z)
		z++;
	*len = (size_t)(z - s);
	*p = z < end ? z + 1 : end;
	return (const char *)s;
}

static long do_request(const char *method, const char *url, struct curl_slist *hdrs, const char *body,
                       size_t body_len)
{
	long code = 0;

	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(curl, CURLOPT_NOBODY, 0L);
	if (!strcmp(method, "HEAD")) {
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L); /* a HEAD answer has no body to wait for */
	} else if (body) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)body_len);
	} else {
		curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	}
	if (curl_easy_perform(curl) != CURLE_OK)
		return -1;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	return code;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
	static unsigned long count;
	const uint8_t *p = data, *end = data + size;
	struct curl_slist *hdrs = NULL;
	char url[2048], *line, *hcopy;
	const char *path, *hdr, *body;
	size_t plen, hlen, blen;
	unsigned sel;
	long code;
	cJSON *pj;

	if (!dc)
		setup();
	if (size < 1)
		return 0;
	sel = data[0];
	p++;
	path = next_part(&p, end, &plen);
	hdr = next_part(&p, end, &hlen);
	body = (const char *)p;
	blen = (size_t)(end - p);

	pj = demo_proto_decode(body, blen);
	cJSON_Delete(pj);

	if (plen > 1500)
		plen = 1500;
	/* The path goes to libcurl as typed; a URL libcurl refuses is skipped. */
	snprintf(url, sizeof url, "%s/%.*s", demo_url(dc), (int)plen, path);
	if (sel & 0x10)
		hdrs = curl_slist_append(hdrs, auth_admin);
	hcopy = fuzz_cstr((const uint8_t *)hdr, hlen);
	for (line = strtok(hcopy, "\r\n"); line; line = strtok(NULL, "\r\n"))
		if (strchr(line, ':') && strncasecmp(line, "host", 4) != 0 &&
		    strncasecmp(line, "content-length", 14) != 0 &&
		    strncasecmp(line, "transfer-encoding", 17) != 0)
			hdrs = curl_slist_append(hdrs, line);
	free(hcopy);
	if ((sel & 0x20) && !(sel & 0x40))
		hdrs = curl_slist_append(hdrs, "Content-Type: application/vnd.kubernetes.protobuf");
	else if (sel & 0x40)
		hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	code = do_request(methods[(sel & 0x0f) % 7], url, hdrs, (sel & 0x80) ? body : NULL, blen);
	curl_slist_free_all(hdrs);
	if (code >= 0 && (code < 200 || code > 599))
		abort();

	/* Every 64 inputs: the server still answers a known request right. */
	if (++count % 64 == 0) {
		struct curl_slist *h = curl_slist_append(NULL, auth_admin);

		snprintf(url, sizeof url, "%s/version", demo_url(dc));
		code = do_request("GET", url, h, NULL, 0);
		curl_slist_free_all(h);
		if (code != 200) {
			fprintf(stderr, "fuzz_demo: GET /version answered %ld after fuzzing\n", code);
			abort();
		}
	}
	return 0;
}
