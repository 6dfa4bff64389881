/* proxy: which proxy a request to the API server goes through, decided as
 * client-go decides it.
 *
 * A kubeconfig cluster's proxy-url is used for every request (client-go
 * sets http.ProxyURL; NO_PROXY does not apply) and must be http://,
 * https:// or socks5:// (clientcmd parseProxyURL).  Without one, Go's
 * http.ProxyFromEnvironment applies (golang.org/x/net/http/httpproxy):
 * HTTPS_PROXY or https_proxy for https servers, HTTP_PROXY or http_proxy
 * for http ones (upper case first; a value without a scheme means
 * http://), except for "localhost", loopback addresses and hosts that
 * NO_PROXY (or no_proxy) lists: "*", IP addresses, CIDR ranges and domain
 * names (matching the name and its subdomains; a leading "." or "*."
 * matches subdomains only), each with an optional ":port".
 *
 * The result is a URL for libcurl: Go's socks5 sends host names to the
 * proxy unresolved, which is libcurl's socks5h.
 *
 * Memory: returned strings are malloc'd, owned by the caller.  Pure
 * functions apart from reading the environment; thread-safe. */
#ifndef KJ_KUBE_PROXY_H
#define KJ_KUBE_PROXY_H

#include "util/err.h"

/* Proxy for `scheme`://`host`:`port` ("https", "10.0.0.1", "6443"):
 * *out = URL for libcurl, or NULL for a direct connection.  `explicit_url`
 * is the kubeconfig's proxy-url (NULL = environment).  Fails only on a bad
 * explicit_url (KJ_ERR_INVALID). */
int kube_proxy_select(const char *scheme, const char *host, const char *port, const char *explicit_url,
                      char **out, kj_err *e);

/* 1 when NO_PROXY-style `no_proxy` exempts host:port (Go's useProxy
 * inverted; loopback and "localhost" always exempt).  Exposed for tests. */
int kube_proxy_bypass(const char *no_proxy, const char *host, const char *port);

/* The proxy URL without user:password, for messages (malloc'd). */
char *kube_proxy_display(const char *url);

#endif
