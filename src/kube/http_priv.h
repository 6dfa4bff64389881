/* http_priv.h: what the files of the HTTPS client (src/kube/http*.c) share
 * and nothing else includes: the client itself and the calls between its
 * parts.
 *   http.c       the client: make, configure, free; requests and their retry
 *                of a refused credential
 *   http_tls.c   TLS material from memory (PEM or base64 PEM, key pairs)
 *   http_auth.c  the bearer token file re-read and exec plugin credentials
 *   http_xfer.c  the transfer loop: easy handles, retries, transport errors
 *   http_warn.c  Warning headers
 * Thread safety as in kube/http.h: one client, one thread at a time. */
#ifndef KJ_KUBE_HTTP_PRIV_H
#define KJ_KUBE_HTTP_PRIV_H

#include <sys/stat.h>

#include <curl/curl.h>

#include "kube/execcred.h"
#include "kube/http.h"

#define DEFAULT_CONNECT_MS 10000L
#define DEFAULT_TOTAL_MS   30000L
#define DEFAULT_PARALLEL   8
#define MAX_PARALLEL       31 /* pool slots are an int bitmap */

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
	int pipewait; /* wait for a connection that may become HTTP/2 (http.h) */
	char *user_agent;
	char *proxy;       /* the proxy requests go through (proxy.h), or NULL */
	char *host, *port; /* of the server URL, for the proxy choice */
	char *proxy_url;   /* as configured (kubeconfig proxy-url), for exec plugins */
	char *tls_name;
	int compress;
	struct kube_exec_config *exec; /* credential plugin, or NULL */
	struct kube_exec_cred exec_cred;
	CURLM *multi;
	int multi_shared; /* `multi` is another client's (kube_client_with_token) */
	CURL **pool;
	kube_warning_fn warn_fn;
	void *warn_ud;
	struct kube_client_stats stats;
};

/* http.c: a multi handle sized for the client's parallel bound. */
CURLM *http_new_multi(const struct kube_client *c);

/* http_tls.c: PEM text as given, or decoded from base64; NULL if neither
 * looks like PEM.  The caller frees it. */
char *http_pem_or_b64(const char *s);
/* http_tls.c: 0 when the certificate and the key belong together, else -1
 * with what is wrong. */
int http_check_cert_key(const char *cert_pem, const char *key_pem, kj_err *e);

/* http_auth.c: whether a token can go into a header line. */
int http_token_ok(const char *t);
/* http_auth.c: re-read the token file when it changed. */
int http_refresh_token(struct kube_client *c, kj_err *e);
/* http_auth.c: run the exec plugin when there is no credential yet, when it
 * has expired, or (force) after the server refused it. */
int http_exec_credential(struct kube_client *c, int force, kj_err *e);

/* http_xfer.c: run the calls (pointers into the caller's array) to
 * completion, resending throttled ones. */
void http_run_calls(struct kube_client *c, struct kube_call **calls, size_t n);

#endif
