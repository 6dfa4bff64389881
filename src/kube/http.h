/* http: the HTTPS client kubejit uses to talk to one Kubernetes API server.
 *
 * A client is made from a connection description (struct kube_conn) and owns
 * one libcurl multi handle with a small pool of easy handles, so connections
 * stay open between requests (keep-alive) and are shared by single and
 * parallel requests.  HTTP/2 is used when the server offers it through ALPN
 * (then parallel requests are multiplexed on one connection); otherwise
 * HTTP/1.1 with at most `max_parallel` connections.
 *
 * TLS material comes from memory only, never from temporary files:
 *   - CA: PEM text, or base64 of PEM (as in kubeconfig's *-data fields), given
 *     to libcurl with CURLOPT_CAINFO_BLOB, with libcurl's CA file and CA
 *     directory cleared: the given CA is trusted alone, as kubectl does.
 *     NULL = the system trust store (libcurl's CA file and directory).
 *   - client certificate and key: PEM, CURLOPT_SSLCERT_BLOB / CURLOPT_SSLKEY_BLOB.
 *   - TLS server name: libcurl has no option to verify against a name other
 *     than the URL's host, so the client rewrites the URL's host to the TLS
 *     server name and pins the real address with CURLOPT_CONNECT_TO
 *     ("name:port:host:port").  SNI and certificate verification then use the
 *     TLS server name, while the Host header keeps the original authority.
 * Bearer token: given directly, or a token file that is re-read whenever its
 * size, mtime or inode changes (in-cluster projected tokens rotate).  Secrets
 * are copied into the client, wiped on kube_client_free(), and never appear in
 * error messages.
 *
 * Proxies: chosen as client-go chooses (proxy.h): `proxy_url` for every
 * request when given, else HTTPS_PROXY/HTTP_PROXY unless NO_PROXY, "localhost"
 * or a loopback address exempts the server.  An https:// proxy is verified
 * with the cluster's CA, as Go's transport does (one TLS configuration).
 *
 * Compression: responses are asked for gzip-compressed (Go's transport
 * default) unless `disable_compression`.
 *
 * Exec credential plugins (execcred.h): with `exec`, the client runs the
 * plugin before its first request and whenever the credential has expired,
 * and uses its token or client certificate.  A 401 answer runs the plugin
 * again (once per credential, as client-go) and, since authentication comes
 * before anything else on the server, sends the refused requests once more
 * with the new credential.  A new client certificate closes the open
 * connections.
 *
 * Retries: an API server that is throttling (max-inflight, API Priority and
 * Fairness) answers 429 with Retry-After; one that is briefly unable to serve
 * answers 503.  Both are resent after Retry-After seconds (1 s when absent,
 * each wait at most 10 s), at most KUBE_RETRY_MAX times and KUBE_RETRY_BUDGET_MS
 * of waiting per call, as client-go does (staging/src/k8s.io/client-go/rest/
 * request.go, checkWait).  GET, HEAD, PUT and DELETE are resent; a POST only
 * when the caller sets `retry_post` (reviews and TokenRequests, which store
 * nothing, and creates whose caller recognises its own object on a 409:
 * kube_batch() does by the kubejit.io/lease label).  A 429 is resent for
 * every method: the API server refuses it in its filter chain, before any
 * handler ran.
 * libcurl itself resends a request once on a new connection when a
 * kept-alive connection turns out dead and nothing at all came back — for any
 * method, so in the rare case that a server processed a POST and then closed
 * without answering, the POST runs twice (a create then sees 409
 * AlreadyExists).  Go's client does not resend POSTs in that case.
 *
 * Call order: kube_client_new() -> kube_request()/kube_request_many() any
 * number of times -> kube_client_free().
 *
 * Thread-safety: a client must be used by one thread at a time (libcurl easy
 * and multi handles are not thread-safe).  Different clients may be used from
 * different threads at once; curl_global_init() is run once internally.
 *
 * Errors (kj_err):
 *   - transport failures -> KJ_ERR_NETWORK with a message naming the server
 *     and what failed (connection refused, TLS verification, host name
 *     mismatch, connect or total timeout, connection dropped, DNS) and a hint;
 *   - HTTP errors -> decoded from the Kubernetes Status body (status.h):
 *     401 KJ_ERR_AUTH, 403 KJ_ERR_DENIED, 404 KJ_ERR_NOTFOUND,
 *     409 KJ_ERR_CONFLICT, 400/422 KJ_ERR_INVALID, others KJ_ERR_FAIL;
 *     e->http_status and e->reason are set. */
#ifndef KJ_KUBE_HTTP_H
#define KJ_KUBE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct kube_exec_config;

/* How to reach and authenticate to one API server.  All strings are copied
 * by kube_client_new(); the caller keeps ownership of its own copies. */
struct kube_conn {
	const char *server;                  /* "https://host:port" (http:// allowed, then no TLS) */
	const char *ca;                      /* PEM or base64(PEM); NULL = system trust store */
	const char *tls_server_name;         /* verify the certificate for this name; NULL = URL host */
	int insecure;                        /* skip TLS verification; refused together with `ca` */
	const char *token;                   /* bearer token (secret); NULL = none */
	const char *token_file;              /* bearer token file, re-read on change; used if token NULL */
	const char *client_cert;             /* client certificate PEM; NULL = none */
	const char *client_key;              /* its private key PEM (secret); required with client_cert */
	long connect_timeout_ms;             /* 0 = 10000 */
	long timeout_ms;                     /* whole request, 0 = 30000 */
	int max_parallel;                    /* kube_request_many() bound; 0 = 8 */
	const char *user_agent;              /* NULL = "kubejit/<version>" */
	const char *proxy_url;               /* kubeconfig proxy-url; NULL = $HTTPS_PROXY etc. */
	int disable_compression;             /* kubeconfig disable-compression */
	const struct kube_exec_config *exec; /* credential plugin (copied); NULL = none */
	int http1_seen;                      /* the server answered over HTTP/1.1 before (see below) */
};

struct kube_client;

/* A parsed `Warning: 299 - "text"` header; only the text is kept. */
struct kube_response {
	long status; /* HTTP status; 0 if no answer came */
	char *body;  /* response body, NUL-terminated (may be ""), owned */
	size_t body_len;
	char **warnings; /* warning texts, owned */
	size_t n_warnings;
	int http_version; /* 1 or 2 */
};
void kube_response_done(struct kube_response *r); /* frees; safe on a zeroed struct */

/* Counters for benchmarks and tests. */
struct kube_client_stats {
	uint64_t requests;    /* requests sent (including failed ones) */
	uint64_t connections; /* new connections opened (each one TLS handshake for https) */
	uint64_t http2;       /* responses that came over HTTP/2 */
	uint64_t http1;       /* responses that came over HTTP/1.x */
	uint64_t token_reads; /* times the token file was (re-)read */
	uint64_t exec_runs;   /* times the credential plugin ran for this client */
};

/* Make a client.  Validates the description (server URL, CA decodes as PEM,
 * cert without key, CA together with insecure...) but does not connect. */
int kube_client_new(const struct kube_conn *conn, struct kube_client **out, kj_err *e);
void kube_client_free(struct kube_client *c); /* NULL allowed */

/* A client for the same server that sends `token` instead of the base's
 * credentials (no client certificate, token file or plugin), and reuses
 * the base's open connections: asking as a newly minted token costs no
 * new TCP and TLS handshake.  The API server authenticates every request
 * on its own, so requests with different tokens may share a connection;
 * a base that presents a client certificate does not lend its connections
 * (that certificate would win over the token).  Use the two clients one
 * after the other, never at once, and free this one before the base. */
int kube_client_with_token(struct kube_client *base, const char *token, struct kube_client **out, kj_err *e);

const char *kube_client_server(const struct kube_client *c); /* as given */
void kube_client_get_stats(const struct kube_client *c, struct kube_client_stats *out);

/* Called for every Warning header received by this client (e.g. to show
 * "requested expiration of 100000 seconds shortened to 86400 seconds"). */
typedef void (*kube_warning_fn)(const char *text, void *ud);
void kube_client_set_warning_handler(struct kube_client *c, kube_warning_fn fn, void *ud);

/* One request.  `path` starts with '/' (e.g. "/api/v1/namespaces/dev/pods");
 * `query` is the part after '?' (NULL = none), already escaped; `body` is JSON
 * (NULL = no body).  JSON is sent as Content-Type application/json.
 * Returns 0 for a 2xx answer.  Returns -1 for transport failures (resp->status
 * 0) and for HTTP errors (resp filled, e decoded from the Status body).
 * `resp` may be NULL when the caller wants only success or the error; when
 * given, the caller frees it with kube_response_done() in every case. */
int kube_request(struct kube_client *c, const char *method, const char *path, const char *query,
                 const char *body, struct kube_response *resp, kj_err *e);

#define KUBE_RETRY_MAX       6     /* resends after 429/503 per call */
#define KUBE_RETRY_BUDGET_MS 20000 /* total waiting per call */

/* One of several independent requests run together. */
struct kube_call {
	const char *method, *path, *query, *body; /* in, as kube_request() */
	int retry_post;                           /* in: a POST may be resent after 503 (see above) */
	struct kube_response resp;                /* out; free with kube_response_done() */
	int rc;                                   /* out: 0 or -1 */
	unsigned retries;                         /* out: times resent after 429/503 */
	kj_err err;                               /* out, when rc == -1 */
};

/* Run `n` calls in parallel, at most max_parallel in flight (HTTP/2: streams
 * on one connection; HTTP/1.1: that many connections).  Every call completes
 * (no early abort).  Returns 0 when all succeeded, else -1 with `e` set to the
 * error of the first failed call in array order. */
int kube_request_many(struct kube_client *c, struct kube_call *calls, size_t n, kj_err *e);

/* HTTP/2 is asked for through ALPN.  While the client does not know what
 * the server speaks, parallel requests wait for the first connection's
 * answer (CURLOPT_PIPEWAIT) so that they can share it as HTTP/2 streams.
 * A server that speaks HTTP/1.1 only costs every other connection that wait
 * (a TCP and TLS handshake, 2 round trips).  `http1_seen` in kube_conn
 * (remembered from an earlier run) and any HTTP/1.1 answer on this client
 * stop the waiting; an HTTP/2 answer starts it again. */

/* Change the client's max_parallel (clamped to 1..31; < 1 gives the
 * default 8) for the calls that follow; returns the previous bound.  Not
 * while a call runs on the client. */
int kube_client_set_parallel(struct kube_client *c, int n);

/* Parse one Warning header value into texts (`299 - "a", 299 - "b"` gives two).
 * Appends to *list / *n (malloc'd strings).  Returns how many were added.
 * Exposed for tests. */
size_t kube_warning_parse(const char *value, char ***list, size_t *n);

/* The credential plugin's answer's expiry (unix s; 0 = none or no plugin). */
int64_t kube_client_exec_expiry(const struct kube_client *c);

/* Decode a CA given as PEM or base64(PEM) into PEM text (malloc'd), or NULL
 * with e set if it is neither.  Exposed for kubeconfig/target code. */
char *kube_ca_to_pem(const char *ca, kj_err *e);

#endif
