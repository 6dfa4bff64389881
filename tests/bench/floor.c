/* floor: the least a C program can do to mint a fixed-mode credential — the
 * same two HTTPS requests kubejit sends (anchor Secret, then a TokenRequest
 * bound to it) over one reused libcurl connection, with no store and no
 * checks.  bench-mint.sh times kubejit against it and against kubectl.
 *
 * usage: floor URL CA_FILE TOKEN_FILE NAMESPACE SERVICEACCOUNT */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct sink {
	char buf[16384];
	size_t len;
};

static size_t collect(char *p, size_t sz, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t k = sz * n;

	if (s->len + k >= sizeof(s->buf))
		k = sizeof(s->buf) - 1 - s->len;
	memcpy(s->buf + s->len, p, k);
	s->len += k;
	s->buf[s->len] = '\0';
	return sz * n;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = malloc((size_t)n + 1);
	if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(s);
		return NULL;
	}
	fclose(f);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	s[n] = '\0';
	return s;
}

static long post(CURL *c, const char *url, const char *body, struct sink *out)
{
	long code = 0;

	out->len = 0;
	out->buf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	if (curl_easy_perform(c) != CURLE_OK)
		return -1;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	return code;
}

/* pull "uid":"..." out of the created Secret without a JSON library */
static int find_uid(const char *json, char *uid, size_t n)
{
	const char *p = strstr(json, "\"uid\":\"");
	const char *q;

	if (!p)
		return -1;
	p += 7;
	q = strchr(p, '"');
	if (!q || (size_t)(q - p) >= n)
		return -1;
	memcpy(uid, p, (size_t)(q - p));
	uid[q - p] = '\0';
	return 0;
}

int main(int argc, char **argv)
{
	struct curl_slist *h = NULL;
	struct sink out;
	char url[1024], body[2048], auth[4096], name[64], uid[64];
	struct curl_blob ca;
	char *ca_pem, *token;
	struct timespec ts;
	CURL *c;

	if (argc != 6) {
		fprintf(stderr, "usage: %s URL CA_FILE TOKEN_FILE NAMESPACE SERVICEACCOUNT\n", argv[0]);
		return 2;
	}
	ca_pem = slurp(argv[2]);
	token = slurp(argv[3]);
	if (!ca_pem || !token) {
		fprintf(stderr, "floor: cannot read the CA or token file\n");
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	c = curl_easy_init();
	ca.data = ca_pem;
	ca.len = strlen(ca_pem);
	ca.flags = CURL_BLOB_COPY;
	curl_easy_setopt(c, CURLOPT_CAPATH, NULL); /* the blob alone, as the client */
	curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &ca);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Accept: application/json");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(name, sizeof(name), "floor-%ld-%ld-%ld", (long)getpid(), (long)ts.tv_sec, ts.tv_nsec);
	snprintf(url, sizeof(url), "%s/api/v1/namespaces/%s/secrets", argv[1], argv[4]);
	snprintf(body, sizeof(body),
	         "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"%s\","
	         "\"labels\":{\"app.kubernetes.io/managed-by\":\"kubejit-bench\"}}}",
	         name);
	if (post(c, url, body, &out) != 201 || find_uid(out.buf, uid, sizeof(uid))) {
		fprintf(stderr, "floor: creating the anchor Secret failed\n");
		return 1;
	}
	snprintf(url, sizeof(url), "%s/api/v1/namespaces/%s/serviceaccounts/%s/token", argv[1], argv[4],
	         argv[5]);
	snprintf(body, sizeof(body),
	         "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{"
	         "\"expirationSeconds\":900,\"boundObjectRef\":{\"kind\":\"Secret\",\"apiVersion\":\"v1\","
	         "\"name\":\"%s\",\"uid\":\"%s\"}}}",
	         name, uid);
	if (post(c, url, body, &out) != 201 || !strstr(out.buf, "\"token\":\"")) {
		fprintf(stderr, "floor: the TokenRequest failed\n");
		return 1;
	}
	puts("minted");
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	free(ca_pem);
	free(token);
	return 0;
}
