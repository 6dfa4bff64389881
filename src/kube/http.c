/* http: libcurl client for one Kubernetes API server. */
#ifdef HAVE_CONFIG_H
#include "config.h" /* first: _GNU_SOURCE for memmem */
#endif
#include "kube/http.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "kube/execcred.h"
#include "kube/proxy.h"
#include "kube/status.h"
#include "util/b64.h"
#include "util/i18n.h"
#include "util/safetext.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#define DEFAULT_CONNECT_MS 10000L
#define DEFAULT_TOTAL_MS   30000L
#define DEFAULT_PARALLEL   8
#define MAX_PARALLEL       31          /* pool slots are an int bitmap */
#define MAX_BODY           (64u << 20) /* refuse absurd answers rather than eat memory */
#define MAX_TOKEN_FILE     (64u << 10)

struct kube_client {
	char *server;      /* as given, for messages */
	char *base;        /* scheme://authority[/prefix] requests are made against */
	char *host_header; /* "Host: <original authority>" when a TLS server name is used */
	struct curl_slist *connect_to;
	char *ca_pem;
	char *cert_pem;
	char *key_pem; /* secret */
	char *token;   /* secret; the current token (from conn or file) */
	char *token_file;
	struct stat token_st;
	int token_from_file;
	int insecure;
	int is_https;
	long connect_timeout_ms, timeout_ms;
	int max_parallel;
	char *user_agent;
	char *proxy;       /* the proxy requests go through (proxy.h), or NULL */
	char *host, *port; /* of the server URL, for the proxy choice */
	char *proxy_url;   /* as configured (kubeconfig proxy-url), for exec plugins */
	char *tls_name;
	int compress;
	struct kube_exec_config *exec; /* credential plugin, or NULL */
	struct kube_exec_cred exec_cred;
	CURLM *multi;
	CURL **pool;
	kube_warning_fn warn_fn;
	void *warn_ud;
	struct kube_client_stats stats;
};

/* One transfer in flight. */
struct xfer {
	CURL *h;
	struct curl_slist *headers;
	kj_buf body;
	int too_big;
	char **warnings;
	size_t n_warnings;
	char errbuf[CURL_ERROR_SIZE];
	struct kube_call *call;
	long retry_after; /* seconds from a Retry-After header, -1 = none */
	long waited_ms;   /* spent waiting before resends of this call */
	int64_t due_ms;   /* monotonic time the next attempt may start */
	int queued;       /* waiting for its (next) attempt */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- Warning headers ------------------------------------------------------ */

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

static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * nitems;
	if (len >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		/* A new response (after 100 Continue): forget the old warnings. */
		for (size_t i = 0; i < x->n_warnings; i++)
			free(x->warnings[i]);
		free(x->warnings);
		x->warnings = NULL;
		x->n_warnings = 0;
		x->retry_after = -1;
		return len;
	}
	if (len > 12 && strncasecmp(buf, "retry-after:", 12) == 0) {
		/* delta-seconds only; the HTTP-date form counts as absent */
		char *end;
		const char *v = buf + 12;
		while (*v == ' ' || *v == '\t')
			v++;
		long sec = strtol(v, &end, 10);
		if (end != v && sec >= 0)
			x->retry_after = sec;
		return len;
	}
	if (len > 8 && strncasecmp(buf, "warning:", 8) == 0) {
		char *v = kj_xstrndup(buf + 8, len - 8);
		size_t l = strlen(v);
		while (l && (v[l - 1] == '\r' || v[l - 1] == '\n' || v[l - 1] == ' '))
			v[--l] = '\0';
		kube_warning_parse(v, &x->warnings, &x->n_warnings);
		free(v);
	}
	return len;
}

static size_t on_body(char *buf, size_t size, size_t nitems, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * nitems;
	if (x->body.len + len > MAX_BODY) {
		x->too_big = 1;
		return 0;
	}
	kj_buf_add(&x->body, buf, len);
	return len;
}

/* ---- TLS material ------------------------------------------------------------ */

/* PEM text as given, or decoded from base64; NULL if neither looks like PEM. */
static char *pem_or_b64(const char *s)
{
	if (strstr(s, "-----BEGIN "))
		return kj_xstrdup(s);
	size_t n = 0;
	unsigned char *d = kj_b64_decode(s, &n);
	if (!d)
		return NULL;
	if (!memmem(d, n, "-----BEGIN ", 11) || memchr(d, '\0', n)) {
		kj_wipe(d, n);
		free(d);
		return NULL;
	}
	return (char *)d;
}

char *kube_ca_to_pem(const char *ca, kj_err *e)
{
	char *pem = ca ? pem_or_b64(ca) : NULL;
	if (!pem) {
		kj_err_set(e, KJ_ERR_INVALID, _("the CA is neither PEM nor base64-encoded PEM"));
		kj_err_hint(e,
		            _("give the cluster CA certificate (ca.crt, or certificate-authority-data from a "
		              "kubeconfig)"));
		return NULL;
	}
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (!x) {
		free(pem);
		kj_err_set(e, KJ_ERR_INVALID, _("the CA does not hold a readable PEM certificate"));
		kj_err_hint(e,
		            _("give the cluster CA certificate (ca.crt, or certificate-authority-data from a "
		              "kubeconfig)"));
		return NULL;
	}
	X509_free(x);
	return pem;
}

/* A wrong pair would only show up as a vague TLS failure at the first
 * request; say it when the client is made. */
static int check_cert_key(const char *cert_pem, const char *key_pem, kj_err *e)
{
	BIO *b = BIO_new_mem_buf(cert_pem, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	b = BIO_new_mem_buf(key_pem, -1);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	int rc = 0;
	if (!x)
		rc = kj_err_set(e, KJ_ERR_INVALID,
		                _("the client certificate is not a readable PEM certificate"));
	else if (!k)
		rc = kj_err_set(e, KJ_ERR_INVALID,
		                _("the client key is not a readable, unencrypted PEM private key"));
	else if (X509_check_private_key(x, k) != 1)
		rc =
		    kj_err_set(e, KJ_ERR_INVALID, _("the client certificate and key do not belong together"));
	if (rc < 0)
		kj_err_hint(e, _("give the certificate and the private key it was issued for, both in PEM"));
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

/* ---- client ------------------------------------------------------------------ */

/* A token goes into a header line: no white space or control characters. */
static int token_ok(const char *t)
{
	for (; *t; t++)
		if ((unsigned char)*t <= 0x20 || *t == 0x7f)
			return 0;
	return 1;
}

/* Split the server URL; with a TLS server name, point the URL at that name and
 * pin the real address with CONNECT_TO. */
static int setup_url(struct kube_client *c, const struct kube_conn *conn, kj_err *e)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	int rc = -1;
	if (!u)
		abort();
	if (curl_url_set(u, CURLUPART_URL, conn->server, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		kj_err_set(e, KJ_ERR_INVALID, _("server \"%s\" is not a valid URL"), conn->server);
		kj_err_hint(e, _("use the form https://HOST:PORT"));
		goto out;
	}
	if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
		kj_err_set(e, KJ_ERR_INVALID, _("server \"%s\": scheme must be https (or http)"),
		           conn->server);
		goto out;
	}
	c->is_https = strcmp(scheme, "https") == 0;
	c->host = kj_xstrdup(host);
	c->port = kj_xstrdup(port);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	size_t pl = path ? strlen(path) : 0;
	while (pl && path[pl - 1] == '/')
		pl--;
	if (conn->tls_server_name && *conn->tls_server_name) {
		if (strchr(conn->tls_server_name, ':') || strchr(conn->tls_server_name, '/')) {
			kj_err_set(e, KJ_ERR_INVALID, _("TLS server name \"%s\" is not a host name"),
			           conn->tls_server_name);
			goto out;
		}
		c->base = kj_xasprintf("%s://%s:%s%.*s", scheme, conn->tls_server_name, port, (int)pl,
		                       path ? path : "");
		char *ct = kj_xasprintf("%s:%s:%s:%s", conn->tls_server_name, port, host, port);
		c->connect_to = curl_slist_append(NULL, ct);
		free(ct);
		char *authority = NULL;
		if (curl_url_get(u, CURLUPART_PORT, &authority, 0) == CURLUE_OK) {
			c->host_header = kj_xasprintf("Host: %s:%s", host, authority);
			curl_free(authority);
		} else {
			c->host_header = kj_xasprintf("Host: %s", host);
		}
	} else {
		c->base = kj_xasprintf("%s://%s:%s%.*s", scheme, host, port, (int)pl, path ? path : "");
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

static CURLM *new_multi(const struct kube_client *c)
{
	CURLM *m = curl_multi_init();
	if (!m)
		abort();
	curl_multi_setopt(m, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)c->max_parallel);
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)c->max_parallel);
	return m;
}

int kube_client_new(const struct kube_conn *conn, struct kube_client **out, kj_err *e)
{
	*out = NULL;
	if (!conn || !conn->server || !*conn->server)
		return kj_err_set(e, KJ_ERR_INVALID, _("no server URL given"));
	if (conn->insecure && conn->ca && *conn->ca) {
		kj_err_set(e, KJ_ERR_INVALID,
		           _("specifying a root certificates file with the insecure flag is not allowed"));
		return kj_err_hint(e, _("drop either the CA or insecure-skip-tls-verify"));
	}
	if ((conn->client_cert && *conn->client_cert) != (conn->client_key && *conn->client_key))
		return kj_err_set(e, KJ_ERR_INVALID,
		                  _("a client certificate needs its private key, and a key its certificate"));
	pthread_once(&curl_once, curl_init_once);

	struct kube_client *c = kj_xcalloc(1, sizeof *c);
	c->server = kj_xstrdup(conn->server);
	if (setup_url(c, conn, e) < 0)
		goto fail;
	if (conn->ca && *conn->ca) {
		c->ca_pem = kube_ca_to_pem(conn->ca, e);
		if (!c->ca_pem)
			goto fail;
	}
	if (conn->client_cert && *conn->client_cert) {
		c->cert_pem = pem_or_b64(conn->client_cert);
		c->key_pem = pem_or_b64(conn->client_key);
		if (!c->cert_pem || !c->key_pem) {
			kj_err_set(e, KJ_ERR_INVALID, _("the client certificate or key is not PEM"));
			goto fail;
		}
		if (check_cert_key(c->cert_pem, c->key_pem, e) < 0)
			goto fail;
	}
	if (conn->token && *conn->token) {
		if (!token_ok(conn->token)) {
			kj_err_set(e, KJ_ERR_INVALID,
			           _("the bearer token contains spaces or control characters"));
			goto fail;
		}
		c->token = kj_xstrdup(conn->token);
	} else if (conn->token_file && *conn->token_file)
		c->token_file = kj_xstrdup(conn->token_file);
	c->insecure = conn->insecure;
	c->connect_timeout_ms = conn->connect_timeout_ms > 0 ? conn->connect_timeout_ms : DEFAULT_CONNECT_MS;
	c->timeout_ms = conn->timeout_ms > 0 ? conn->timeout_ms : DEFAULT_TOTAL_MS;
	c->max_parallel = conn->max_parallel > 0 ? conn->max_parallel : DEFAULT_PARALLEL;
	if (c->max_parallel > MAX_PARALLEL)
		c->max_parallel = MAX_PARALLEL;
#ifdef PACKAGE_VERSION
	c->user_agent =
	    conn->user_agent ? kj_xstrdup(conn->user_agent) : kj_xstrdup("kubejit/" PACKAGE_VERSION);
#else
	c->user_agent = kj_xstrdup(conn->user_agent ? conn->user_agent : "kubejit");
#endif
	if (kube_proxy_select(c->is_https ? "https" : "http", c->host, c->port, conn->proxy_url, &c->proxy,
	                      e) < 0)
		goto fail;
	c->compress = !conn->disable_compression;
	c->proxy_url = kj_xstrdup(conn->proxy_url);
	c->tls_name = kj_xstrdup(conn->tls_server_name);
	if (conn->exec) {
		c->exec = kj_xcalloc(1, sizeof *c->exec);
		kube_exec_config_copy(c->exec, conn->exec);
	}
	c->multi = new_multi(c);
	c->pool =
	    kj_xcalloc(MAX_PARALLEL, sizeof *c->pool); /* kube_client_set_parallel() may raise the bound */
	*out = c;
	return 0;
fail:
	kube_client_free(c);
	return -1;
}

void kube_client_free(struct kube_client *c)
{
	if (!c)
		return;
	for (int i = 0; c->pool && i < MAX_PARALLEL; i++)
		if (c->pool[i])
			curl_easy_cleanup(c->pool[i]);
	free(c->pool);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	curl_slist_free_all(c->connect_to);
	free(c->server);
	free(c->base);
	free(c->host_header);
	free(c->ca_pem);
	free(c->cert_pem);
	kj_free_secret(c->key_pem);
	kj_free_secret(c->token);
	free(c->token_file);
	free(c->user_agent);
	free(c->proxy);
	free(c->host);
	free(c->port);
	free(c->proxy_url);
	free(c->tls_name);
	if (c->exec) {
		kube_exec_config_done(c->exec);
		free(c->exec);
	}
	kube_exec_cred_done(&c->exec_cred);
	free(c);
}

const char *kube_client_server(const struct kube_client *c)
{
	return c->server;
}

void kube_client_get_stats(const struct kube_client *c, struct kube_client_stats *out)
{
	*out = c->stats;
}

void kube_client_set_warning_handler(struct kube_client *c, kube_warning_fn fn, void *ud)
{
	c->warn_fn = fn;
	c->warn_ud = ud;
}

void kube_response_done(struct kube_response *r)
{
	if (!r)
		return;
	/* Bodies may hold tokens (TokenRequest) or Secret data. */
	if (r->body)
		kj_wipe(r->body, r->body_len);
	free(r->body);
	for (size_t i = 0; i < r->n_warnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof *r);
}

/* Re-read the token file when it changed (kubelet rotates projected tokens by
 * replacing the file, which changes inode and mtime). */
static int refresh_token(struct kube_client *c, kj_err *e)
{
	if (!c->token_file)
		return 0;
	struct stat st;
	if (stat(c->token_file, &st) == 0 && c->token && st.st_ino == c->token_st.st_ino &&
	    st.st_mtim.tv_sec == c->token_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == c->token_st.st_mtim.tv_nsec && st.st_size == c->token_st.st_size)
		return 0;
	int fd = open(c->token_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (c->token)
			return 0; /* keep the last good token, as client-go does */
		kj_err_set(e, KJ_ERR_AUTH, _("cannot read token file %s: %s"), c->token_file,
		           strerror(errno));
		return kj_err_hint(e, _("check that the file exists and is readable"));
	}
	char *buf = kj_xmalloc(MAX_TOKEN_FILE + 1);
	size_t n = 0;
	ssize_t r;
	while (n < MAX_TOKEN_FILE && (r = read(fd, buf + n, MAX_TOKEN_FILE - n)) > 0)
		n += (size_t)r;
	fstat(fd, &st);
	close(fd);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	if (!n) {
		kj_wipe(buf, MAX_TOKEN_FILE + 1);
		free(buf);
		if (c->token)
			return 0;
		return kj_err_set(e, KJ_ERR_AUTH, _("token file %s is empty"), c->token_file);
	}
	if (!token_ok(buf)) {
		kj_wipe(buf, MAX_TOKEN_FILE + 1);
		free(buf);
		return kj_err_set(e, KJ_ERR_AUTH,
		                  _("token file %s holds more than one token or control characters"),
		                  c->token_file);
	}
	kj_free_secret(c->token);
	c->token = kj_xstrdup(buf);
	kj_wipe(buf, MAX_TOKEN_FILE + 1);
	free(buf);
	c->token_st = st;
	c->stats.token_reads++;
	return 0;
}

int kube_client_set_parallel(struct kube_client *c, int n)
{
	int old = c->max_parallel;

	c->max_parallel = n < 1 ? DEFAULT_PARALLEL : n > MAX_PARALLEL ? MAX_PARALLEL : n;
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)c->max_parallel);
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)c->max_parallel);
	return old;
}

static CURL *pool_take(struct kube_client *c, int *slot)
{
	for (int i = 0; i < c->max_parallel; i++) {
		if (!c->pool[i]) {
			c->pool[i] = curl_easy_init();
			if (!c->pool[i])
				abort();
		}
		if (!(*slot & (1 << i))) {
			*slot |= 1 << i;
			return c->pool[i];
		}
	}
	return NULL;
}

static void pool_give(struct kube_client *c, int *slot, CURL *h)
{
	for (int i = 0; i < c->max_parallel; i++)
		if (c->pool[i] == h)
			*slot &= ~(1 << i);
}

static void free_headers(struct curl_slist *h)
{
	/* The Authorization line holds the token. */
	for (struct curl_slist *p = h; p; p = p->next)
		kj_wipe(p->data, strlen(p->data));
	curl_slist_free_all(h);
}

static void setup_xfer(struct kube_client *c, struct xfer *x)
{
	struct kube_call *k = x->call;
	CURL *h = x->h;
	curl_easy_reset(h);
	char *url = kj_xasprintf("%s%s%s%s", c->base, k->path, k->query && *k->query ? "?" : "",
	                         k->query ? k->query : "");
	curl_easy_setopt(h, CURLOPT_URL, url);
	free(url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	if (c->connect_to)
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, c->connect_to);
	/* "" turns off libcurl's own reading of the environment: proxy.h decided */
	curl_easy_setopt(h, CURLOPT_PROXY, c->proxy ? c->proxy : "");
	if (c->proxy && c->ca_pem && strncmp(c->proxy, "https://", 8) == 0) {
		struct curl_blob pca = {c->ca_pem, strlen(c->ca_pem), CURL_BLOB_NOCOPY};
		curl_easy_setopt(h, CURLOPT_PROXY_CAINFO_BLOB, &pca);
	}
	if (c->compress)
		curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip");
	if (c->is_https) {
		if (c->insecure) {
			curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
		} else if (c->ca_pem) {
			struct curl_blob ca = {c->ca_pem, strlen(c->ca_pem), CURL_BLOB_NOCOPY};
			/* The blob replaces libcurl's CA file but not its CA directory
			 * (Debian builds with --with-ca-path=/etc/ssl/certs): without
			 * clearing both, any system-trusted CA could stand in for the
			 * cluster's and receive the token.  kubectl trusts the given CA
			 * alone, and so do we. */
			curl_easy_setopt(h, CURLOPT_CAINFO, NULL);
			curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
			curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca);
		}
		if (c->cert_pem) {
			struct curl_blob cert = {c->cert_pem, strlen(c->cert_pem), CURL_BLOB_NOCOPY};
			struct curl_blob key = {c->key_pem, strlen(c->key_pem), CURL_BLOB_NOCOPY};
			curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cert);
			curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
			curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &key);
			curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
		}
	}
	struct curl_slist *hd = NULL;
	hd = curl_slist_append(hd, "Accept: application/json");
	hd = curl_slist_append(hd, "Expect:");
	if (c->host_header)
		hd = curl_slist_append(hd, c->host_header);
	if (c->token) {
		char *a = kj_xasprintf("Authorization: Bearer %s", c->token);
		hd = curl_slist_append(hd, a);
		kj_free_secret(a);
	}
	const char *m = k->method ? k->method : "GET";
	if (k->body) {
		hd = curl_slist_append(hd, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, k->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(k->body));
		if (strcmp(m, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
	} else if (strcmp(m, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(m, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
	}
	x->headers = hd;
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
}

/* Failures of the proxy itself, named as such (1 when it was one). */
static int proxy_error(struct kube_client *c, struct xfer *x, CURLcode rc, long oserr, kj_err *e)
{
	long code = 0;
	char *px = kube_proxy_display(c->proxy);
	int done = 1;

	curl_easy_getinfo(x->h, CURLINFO_HTTP_CONNECTCODE, &code);
#if LIBCURL_VERSION_NUM >= 0x073400
	long verify = 0;

	/* an https proxy is verified with the cluster's CAs (Go's transport
	 * has one TLS config), so its certificate is a proxy problem, not the
	 * cluster's */
	if (strncmp(c->proxy, "https://", 8) == 0 && rc == CURLE_PEER_FAILED_VERIFICATION &&
	    curl_easy_getinfo(x->h, CURLINFO_PROXY_SSL_VERIFYRESULT, &verify) == CURLE_OK && verify != 0) {
		kj_err_set(e, KJ_ERR_NETWORK,
		           _("TLS: cannot verify the certificate of the proxy %s (for %s): %s"), px,
		           c->server, x->errbuf);
		kj_err_hint(e, _("kubejit, like kubectl, verifies an https proxy with the cluster's CA (or "
		                 "the system's CAs when none is given): the proxy needs a certificate "
		                 "from it, or use an http:// proxy"));
		free(px);
		return 1;
	}
#endif
	if (code >= 300) {
		kj_err_set(e, KJ_ERR_NETWORK,
		           _("the proxy %s refused to connect to %s (it answered the CONNECT with HTTP %ld)"),
		           px, c->server, code);
		kj_err_hint(e,
		            _("the proxy does not allow this destination or wants credentials; ask its "
		              "administrator, or set NO_PROXY (or the kubeconfig's proxy-url) to avoid it"));
	} else if (rc == CURLE_COULDNT_CONNECT) {
		kj_err_set(e, KJ_ERR_NETWORK, _("cannot connect to the proxy %s (for %s): %s"), px, c->server,
		           oserr ? strerror((int)oserr) : x->errbuf);
		kj_err_hint(e,
		            _("check that the proxy (HTTPS_PROXY, or the kubeconfig's proxy-url) is up and "
		              "reachable"));
#if LIBCURL_VERSION_NUM >= 0x074900
	} else if (rc == CURLE_PROXY) {
		kj_err_set(e, KJ_ERR_NETWORK, _("the proxy %s could not connect to %s: %s"), px, c->server,
		           x->errbuf);
		kj_err_hint(e, _("check the server address, and that the proxy may reach it"));
#endif
	} else {
		done = 0;
	}
	free(px);
	return done;
}

/* Transport failure -> KJ_ERR_NETWORK with what happened and what to try. */
static void transport_error(struct kube_client *c, struct xfer *x, CURLcode rc, kj_err *e)
{
	const char *srv = c->server;
	long oserr = 0;
	curl_easy_getinfo(x->h, CURLINFO_OS_ERRNO, &oserr);
	if (c->proxy && proxy_error(c, x, rc, oserr, e))
		return;
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		kj_err_set(e, KJ_ERR_NETWORK, _("cannot resolve the host name of %s"), srv);
		kj_err_hint(e, _("check the server URL and your DNS"));
		break;
	case CURLE_COULDNT_RESOLVE_PROXY:
		kj_err_set(e, KJ_ERR_NETWORK, _("cannot resolve the proxy for %s: %s"), srv, x->errbuf);
		kj_err_hint(e, _("check proxy-url in the kubeconfig and $HTTPS_PROXY"));
		break;
	case CURLE_COULDNT_CONNECT:
		if (oserr == ECONNREFUSED) {
			kj_err_set(e, KJ_ERR_NETWORK, _("cannot connect to %s: connection refused"), srv);
			kj_err_hint(e, _("is the API server up, and is the port right?"));
		} else {
			kj_err_set(e, KJ_ERR_NETWORK, _("cannot connect to %s: %s"), srv,
			           oserr ? strerror((int)oserr) : x->errbuf);
			kj_err_hint(e, _("check the server address and that the network path to it is open"));
		}
		break;
	case CURLE_OPERATION_TIMEDOUT: {
		curl_off_t pre = 0;
		curl_easy_getinfo(x->h, CURLINFO_PRETRANSFER_TIME_T, &pre);
		if (pre == 0) {
			kj_err_set(e, KJ_ERR_NETWORK,
			           _("connecting to %s timed out after %ld ms (connect timeout)"), srv,
			           c->connect_timeout_ms);
			kj_err_hint(e,
			            _("is the address reachable from here (firewall, VPN)? raise the connect "
			              "timeout if the link is slow"));
		} else {
			kj_err_set(e, KJ_ERR_NETWORK,
			           _("%s did not answer %s %s within %ld ms (request timeout)"), srv,
			           x->call->method ? x->call->method : "GET", x->call->path, c->timeout_ms);
			kj_err_hint(
			    e,
			    _("the API server is slow or overloaded; retry, or raise the request timeout"));
		}
		break;
	}
	case CURLE_PEER_FAILED_VERIFICATION:
		if (strstr(x->errbuf, "subject name") || strstr(x->errbuf, "does not match") ||
		    strstr(x->errbuf, "hostname")) {
			kj_err_set(
			    e, KJ_ERR_NETWORK,
			    _("TLS: the certificate of %s is not valid for the host name it was reached by"),
			    srv);
			kj_err_hint(
			    e, _("use the name the certificate was issued for, or set --tls-server-name to "
			         "it"));
		} else {
			kj_err_set(e, KJ_ERR_NETWORK, _("TLS: cannot verify the certificate of %s (%s)"), srv,
			           x->errbuf);
			if (c->ca_pem)
				kj_err_hint(e,
				            _("the CA given does not match the server; use the cluster's CA "
				              "(certificate-authority-data of its kubeconfig, or ca.crt)"));
			else
				kj_err_hint(
				    e, _("no CA was given, so the system's trusted CAs were used; give the "
				         "cluster's CA (certificate-authority-data of its kubeconfig, or "
				         "ca.crt)"));
		}
		break;
	case CURLE_SSL_CACERT_BADFILE:
		kj_err_set(e, KJ_ERR_NETWORK, _("TLS: the CA for %s could not be loaded (%s)"), srv,
		           x->errbuf);
		kj_err_hint(e, _("give the cluster CA as a PEM certificate"));
		break;
	case CURLE_SSL_CERTPROBLEM:
		kj_err_set(e, KJ_ERR_NETWORK, _("TLS: the client certificate or key for %s is unusable (%s)"),
		           srv, x->errbuf);
		kj_err_hint(e, _("check that the certificate and key are PEM and belong together"));
		break;
	case CURLE_SSL_CONNECT_ERROR:
		kj_err_set(e, KJ_ERR_NETWORK, _("TLS handshake with %s failed (%s)"), srv, x->errbuf);
		kj_err_hint(e, _("is it an HTTPS port of a Kubernetes API server? if it asks for a client "
		                 "certificate, give one"));
		break;
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		kj_err_set(e, KJ_ERR_NETWORK, _("%s closed the connection during %s %s"), srv,
		           x->call->method ? x->call->method : "GET", x->call->path);
		kj_err_hint(e, _("the API server or a proxy in between dropped it; retry"));
		break;
	case CURLE_WRITE_ERROR:
		if (x->too_big) {
			kj_err_set(e, KJ_ERR_FAIL, _("the answer of %s to %s is larger than %u MiB"), srv,
			           x->call->path, MAX_BODY >> 20);
			break;
		}
		/* fallthrough */
	default:
		kj_err_set(e, KJ_ERR_NETWORK, _("request to %s failed: %s"), srv,
		           *x->errbuf ? x->errbuf : curl_easy_strerror(rc));
		break;
	}
}

static void finish_xfer(struct kube_client *c, struct xfer *x, CURLcode rc)
{
	struct kube_call *k = x->call;
	struct kube_response *r = &k->resp;
	long conns = 0, ver = 0;
	curl_easy_getinfo(x->h, CURLINFO_NUM_CONNECTS, &conns);
	c->stats.connections += (uint64_t)conns;
	kj_err_clear(&k->err);
	r->warnings = x->warnings;
	r->n_warnings = x->n_warnings;
	x->warnings = NULL;
	x->n_warnings = 0;
	for (size_t i = 0; c->warn_fn && i < r->n_warnings; i++)
		c->warn_fn(r->warnings[i], c->warn_ud);
	if (rc != CURLE_OK) {
		r->status = 0;
		r->body = kj_xstrdup("");
		k->rc = -1;
		transport_error(c, x, rc, &k->err);
		kj_buf_done(&x->body);
		return;
	}
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(x->h, CURLINFO_HTTP_VERSION, &ver);
	r->http_version = ver == CURL_HTTP_VERSION_2_0 ? 2 : 1;
	if (r->http_version == 2)
		c->stats.http2++;
	r->body_len = x->body.len;
	r->body = kj_buf_steal(&x->body);
	if (r->status >= 200 && r->status < 300) {
		k->rc = 0;
	} else {
		k->rc = -1;
		kube_status_to_err(r->status, r->body, r->body_len, c->server, &k->err);
	}
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether a finished attempt is to be resent, and after how long (ms). */
static int want_retry(const struct xfer *x, CURLcode rc, long *wait_ms)
{
	const struct kube_call *k = x->call;
	long st = 0;
	if (rc != CURLE_OK)
		return 0;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &st);
	if (st != 429 && st != 503)
		return 0;
	const char *m = k->method ? k->method : "GET";
	int idempotent = strcmp(m, "POST") != 0 && strcmp(m, "PATCH") != 0;
	if (st == 503 && !idempotent && !k->retry_post)
		return 0;
	if (k->retries >= KUBE_RETRY_MAX)
		return 0;
	long w = x->retry_after >= 0 ? x->retry_after * 1000L : 1000L;
	if (w > 10000L)
		w = 10000L;
	if (x->waited_ms + w > KUBE_RETRY_BUDGET_MS)
		return 0;
	*wait_ms = w;
	return 1;
}

static void start_xfer(struct kube_client *c, struct xfer *x, int *used)
{
	kj_buf_init(&x->body);
	x->too_big = 0;
	x->retry_after = -1;
	x->errbuf[0] = '\0';
	x->h = pool_take(c, used);
	setup_xfer(c, x);
	c->stats.requests++;
	curl_multi_add_handle(c->multi, x->h);
}

/* Run the calls (pointers into the caller's array) to completion,
 * resending as want_retry() says. */
static void run_calls(struct kube_client *c, struct kube_call **calls, size_t n)
{
	struct xfer *xs = kj_xcalloc(n, sizeof *xs);
	for (size_t i = 0; i < n; i++) {
		xs[i].call = calls[i];
		xs[i].queued = 1;
	}
	int used = 0; /* bitmap of pool slots in use */
	size_t active = 0, done = 0;
	int limit = c->max_parallel;
	while (done < n) {
		int64_t now = mono_ms(), next_due = -1;
		/* in array order, so a first attempt is never overtaken by a resend */
		for (size_t i = 0; i < n && active < (size_t)limit; i++) {
			struct xfer *x = &xs[i];
			if (!x->queued)
				continue;
			if (x->due_ms > now) {
				if (next_due < 0 || x->due_ms < next_due)
					next_due = x->due_ms;
				continue;
			}
			x->queued = 0;
			start_xfer(c, x, &used);
			active++;
		}
		int running = 0;
		CURLMcode mc = curl_multi_perform(c->multi, &running);
		if (mc != CURLM_OK)
			abort(); /* only on misuse or out of memory */
		CURLMsg *msg;
		int q;
		while ((msg = curl_multi_info_read(c->multi, &q))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			struct xfer *x = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			CURLcode rc = msg->data.result;
			long wait_ms = 0;
			curl_multi_remove_handle(c->multi, x->h);
			if (want_retry(x, rc, &wait_ms)) {
				for (size_t i = 0; i < x->n_warnings; i++)
					free(x->warnings[i]);
				free(x->warnings);
				x->warnings = NULL;
				x->n_warnings = 0;
				kj_buf_done(&x->body);
				x->call->retries++;
				x->waited_ms += wait_ms;
				x->due_ms = mono_ms() + wait_ms;
				x->queued = 1;
			} else {
				finish_xfer(c, x, rc);
				done++;
			}
			free_headers(x->headers);
			x->headers = NULL;
			pool_give(c, &used, x->h);
			active--;
		}
		if (done < n) {
			int wait = active > 0 ? 100 : 1000;
			if (next_due >= 0) {
				int64_t d = next_due - mono_ms();
				if (d < wait)
					wait = d < 0 ? 0 : (int)d;
			}
			if (active > 0 || running)
				curl_multi_poll(c->multi, NULL, 0, wait, NULL);
			else if (wait > 0) {
				struct timespec ts = {wait / 1000, (long)(wait % 1000) * 1000000L};
				nanosleep(&ts, NULL);
			}
		}
	}
	free(xs);
}

/* A new client certificate must not ride on connections made with the old
 * one (client-go closes them too). */
static void reset_connections(struct kube_client *c)
{
	for (int i = 0; i < MAX_PARALLEL; i++) {
		if (c->pool[i])
			curl_easy_cleanup(c->pool[i]);
		c->pool[i] = NULL;
	}
	curl_multi_cleanup(c->multi);
	c->multi = new_multi(c);
}

/* Run the credential plugin when there is no credential yet, when it has
 * expired, or (force) after the server refused it. */
static int exec_credential(struct kube_client *c, int force, kj_err *e)
{
	struct kube_exec_cred n;
	int new_cert;

	if (!c->exec || (!force && !kube_exec_cred_expired(&c->exec_cred, kj_now())))
		return 0;
	struct kube_exec_cluster cl = {
	    .server = c->server,
	    .tls_server_name = c->tls_name,
	    .insecure = c->insecure,
	    .ca_pem = c->ca_pem,
	    .proxy_url = c->proxy_url,
	    .disable_compression = !c->compress,
	};
	if (kube_exec_run(c->exec, &cl, &n, e) < 0)
		return kj_err_prefix(e, _("getting credentials"));
	c->stats.exec_runs++;
	new_cert = (n.client_cert_pem || c->cert_pem) &&
	           (!n.client_cert_pem || !c->cert_pem || strcmp(n.client_cert_pem, c->cert_pem) != 0);
	kj_free_secret(c->token);
	free(c->cert_pem);
	kj_free_secret(c->key_pem);
	c->token = kj_xstrdup(n.token);
	c->cert_pem = kj_xstrdup(n.client_cert_pem);
	c->key_pem = kj_xstrdup(n.client_key_pem);
	kube_exec_cred_done(&c->exec_cred);
	c->exec_cred = n;
	if (new_cert)
		reset_connections(c);
	return 0;
}

int64_t kube_client_exec_expiry(const struct kube_client *c)
{
	return c->exec ? c->exec_cred.expires_at : 0;
}

int kube_request_many(struct kube_client *c, struct kube_call *calls, size_t n, kj_err *e)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!calls[i].path || calls[i].path[0] != '/')
			abort(); /* a caller bug, not a runtime condition */
		memset(&calls[i].resp, 0, sizeof calls[i].resp);
		kj_err_clear(&calls[i].err);
		calls[i].rc = -1;
		calls[i].retries = 0;
	}
	kj_err terr;
	kj_err_clear(&terr);
	if (refresh_token(c, &terr) < 0 || exec_credential(c, 0, &terr) < 0) {
		for (size_t i = 0; i < n; i++) {
			calls[i].resp.body = kj_xstrdup("");
			calls[i].err = terr;
		}
		if (e)
			*e = terr;
		return -1;
	}
	struct kube_call **ptrs = kj_xcalloc(n, sizeof *ptrs);
	for (size_t i = 0; i < n; i++)
		ptrs[i] = &calls[i];
	run_calls(c, ptrs, n);
	if (c->exec) {
		/* A refused credential: fetch a new one, then resend what was refused
		 * (nothing of it was processed, authentication comes first). */
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (calls[i].rc != 0 && calls[i].resp.status == 401)
				ptrs[m++] = &calls[i];
		if (m && exec_credential(c, 1, &terr) == 0) {
			for (size_t i = 0; i < m; i++) {
				kube_response_done(&ptrs[i]->resp);
				kj_err_clear(&ptrs[i]->err);
				ptrs[i]->rc = -1;
			}
			run_calls(c, ptrs, m);
		} else if (m) {
			for (size_t i = 0; i < m; i++)
				ptrs[i]->err = terr;
		}
	}
	free(ptrs);
	int ret = 0;
	for (size_t i = 0; i < n; i++) {
		if (calls[i].rc != 0) {
			if (ret == 0 && e)
				*e = calls[i].err;
			ret = -1;
		}
	}
	return ret;
}

int kube_request(struct kube_client *c, const char *method, const char *path, const char *query,
                 const char *body, struct kube_response *resp, kj_err *e)
{
	struct kube_call call = {.method = method, .path = path, .query = query, .body = body};
	int rc = kube_request_many(c, &call, 1, e);
	if (resp)
		*resp = call.resp;
	else
		kube_response_done(&call.resp);
	return rc;
}
