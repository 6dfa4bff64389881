/* http_xfer: the HTTPS client's transfer loop: easy handles from the
 * client's pool, the request set-up, resends of throttled calls, and what a
 * failed transfer means for the user. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "kube/http_priv.h"
#include "kube/proxy.h"
#include "kube/status.h"
#include "util/i18n.h"
#include "util/strbuf.h"

#define MAX_BODY (64u << 20) /* refuse absurd answers rather than eat memory */

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
	curl_easy_setopt(h, CURLOPT_PIPEWAIT, c->pipewait ? 1L : 0L);
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
	else
		c->stats.http1++;
	c->pipewait = r->http_version == 2;
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
void http_run_calls(struct kube_client *c, struct kube_call **calls, size_t n)
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
