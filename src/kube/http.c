/* http: libcurl client for one Kubernetes API server: making and freeing
 * the client, and requests (the transfer loop is in http_xfer.c). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "kube/http.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "kube/http_priv.h"
#include "kube/proxy.h"
#include "util/i18n.h"
#include "util/strbuf.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- client ------------------------------------------------------------------ */

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

CURLM *http_new_multi(const struct kube_client *c)
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
		c->cert_pem = http_pem_or_b64(conn->client_cert);
		c->key_pem = http_pem_or_b64(conn->client_key);
		if (!c->cert_pem || !c->key_pem) {
			kj_err_set(e, KJ_ERR_INVALID, _("the client certificate or key is not PEM"));
			goto fail;
		}
		if (http_check_cert_key(c->cert_pem, c->key_pem, e) < 0)
			goto fail;
	}
	if (conn->token && *conn->token) {
		if (!http_token_ok(conn->token)) {
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
	c->pipewait = !conn->http1_seen;
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
	c->multi = http_new_multi(c);
	c->pool =
	    kj_xcalloc(MAX_PARALLEL, sizeof *c->pool); /* kube_client_set_parallel() may raise the bound */
	*out = c;
	return 0;
fail:
	kube_client_free(c);
	return -1;
}

int kube_client_with_token(struct kube_client *base, const char *token, struct kube_client **out, kj_err *e)
{
	struct kube_client *c;

	*out = NULL;
	if (!token || !*token || !http_token_ok(token))
		return kj_err_set(e, KJ_ERR_INVALID,
		                  _("the bearer token contains spaces or control characters"));
	c = kj_xcalloc(1, sizeof *c);
	c->server = kj_xstrdup(base->server);
	c->base = kj_xstrdup(base->base);
	c->host_header = kj_xstrdup(base->host_header);
	for (struct curl_slist *p = base->connect_to; p; p = p->next)
		c->connect_to = curl_slist_append(c->connect_to, p->data);
	c->ca_pem = kj_xstrdup(base->ca_pem);
	c->token = kj_xstrdup(token);
	c->insecure = base->insecure;
	c->is_https = base->is_https;
	c->connect_timeout_ms = base->connect_timeout_ms;
	c->timeout_ms = base->timeout_ms;
	c->max_parallel = base->max_parallel;
	c->pipewait = base->pipewait;
	c->user_agent = kj_xstrdup(base->user_agent);
	c->proxy = kj_xstrdup(base->proxy);
	c->host = kj_xstrdup(base->host);
	c->port = kj_xstrdup(base->port);
	c->proxy_url = kj_xstrdup(base->proxy_url);
	c->tls_name = kj_xstrdup(base->tls_name);
	c->compress = base->compress;
	/* A connection that presented a client certificate authenticates
	 * every request on it as that certificate's user (the x509
	 * authenticator runs before the bearer token one), so only a base
	 * without one lends its connections. */
	if (!base->cert_pem && !base->exec_cred.client_cert_pem) {
		c->multi = base->multi;
		c->multi_shared = 1;
	} else {
		c->multi = http_new_multi(c);
	}
	c->pool = kj_xcalloc(MAX_PARALLEL, sizeof *c->pool);
	*out = c;
	return 0;
}

void kube_client_free(struct kube_client *c)
{
	if (!c)
		return;
	for (int i = 0; c->pool && i < MAX_PARALLEL; i++)
		if (c->pool[i])
			curl_easy_cleanup(c->pool[i]);
	free(c->pool);
	if (c->multi && !c->multi_shared)
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

int kube_client_set_parallel(struct kube_client *c, int n)
{
	int old = c->max_parallel;

	c->max_parallel = n < 1 ? DEFAULT_PARALLEL : n > MAX_PARALLEL ? MAX_PARALLEL : n;
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)c->max_parallel);
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)c->max_parallel);
	return old;
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
	if (http_refresh_token(c, &terr) < 0 || http_exec_credential(c, 0, &terr) < 0) {
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
	http_run_calls(c, ptrs, n);
	if (c->exec) {
		/* A refused credential: fetch a new one, then resend what was refused
		 * (nothing of it was processed, authentication comes first). */
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (calls[i].rc != 0 && calls[i].resp.status == 401)
				ptrs[m++] = &calls[i];
		if (m && http_exec_credential(c, 1, &terr) == 0) {
			for (size_t i = 0; i < m; i++) {
				kube_response_done(&ptrs[i]->resp);
				kj_err_clear(&ptrs[i]->err);
				ptrs[i]->rc = -1;
			}
			http_run_calls(c, ptrs, m);
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
