/* The HTTPS client (src/kube/http.h) for the `kubejit` command: every call
 * goes to net.so, loaded on the first one, so that commands which never
 * reach a cluster (a cached `kubejit get`, `leases`, `secret list`...) do not
 * load libcurl and the ~30 libraries it pulls in. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dl/loader.h"
#include "kube/http.h"

static struct {
	void (*response_done)(struct kube_response *);
	int (*client_new)(const struct kube_conn *, struct kube_client **, kj_err *);
	void (*client_free)(struct kube_client *);
	int (*client_with_token)(struct kube_client *, const char *, struct kube_client **, kj_err *);
	const char *(*client_server)(const struct kube_client *);
	void (*client_get_stats)(const struct kube_client *, struct kube_client_stats *);
	void (*set_warning_handler)(struct kube_client *, kube_warning_fn, void *);
	int (*set_parallel)(struct kube_client *, int);
	int (*request)(struct kube_client *, const char *, const char *, const char *, const char *,
	               struct kube_response *, kj_err *);
	int (*request_many)(struct kube_client *, struct kube_call *, size_t, kj_err *);
	size_t (*warning_parse)(const char *, char ***, size_t *);
	char *(*ca_to_pem)(const char *, kj_err *);
} net;

static pthread_once_t net_once = PTHREAD_ONCE_INIT;
static kj_err net_err;
static int net_ok;

static void net_resolve(void)
{
	const struct {
		const char *name;
		void **slot;
	} syms[] = {
	    {"kube_response_done", (void **)&net.response_done},
	    {"kube_client_new", (void **)&net.client_new},
	    {"kube_client_free", (void **)&net.client_free},
	    {"kube_client_with_token", (void **)&net.client_with_token},
	    {"kube_client_server", (void **)&net.client_server},
	    {"kube_client_get_stats", (void **)&net.client_get_stats},
	    {"kube_client_set_warning_handler", (void **)&net.set_warning_handler},
	    {"kube_client_set_parallel", (void **)&net.set_parallel},
	    {"kube_request", (void **)&net.request},
	    {"kube_request_many", (void **)&net.request_many},
	    {"kube_warning_parse", (void **)&net.warning_parse},
	    {"kube_ca_to_pem", (void **)&net.ca_to_pem},
	};
	size_t i;

	kj_err_clear(&net_err);
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		if (!(*syms[i].slot = kj_module_sym(KJ_MODULE_NET, syms[i].name, &net_err)))
			return;
	net_ok = 1;
}

static int net_load(kj_err *e)
{
	pthread_once(&net_once, net_resolve);
	if (!net_ok && e)
		*e = net_err;
	return net_ok ? 0 : -1;
}

void kube_response_done(struct kube_response *r)
{
	size_t i;

	if (!r)
		return;
	if (net_load(NULL) == 0) {
		net.response_done(r);
		return;
	}
	/* no module, so nothing it allocated: free what the caller put there */
	free(r->body);
	for (i = 0; i < r->n_warnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof(*r));
}

int kube_client_new(const struct kube_conn *conn, struct kube_client **out, kj_err *e)
{
	*out = NULL;
	if (net_load(e) < 0)
		return -1;
	return net.client_new(conn, out, e);
}

int kube_client_with_token(struct kube_client *base, const char *token, struct kube_client **out, kj_err *e)
{
	*out = NULL;
	if (net_load(e) < 0)
		return -1;
	return net.client_with_token(base, token, out, e);
}

/* A client exists only if net.so made it, so the calls below find it loaded. */
void kube_client_free(struct kube_client *c)
{
	if (c && net_load(NULL) == 0)
		net.client_free(c);
}

const char *kube_client_server(const struct kube_client *c)
{
	return net_load(NULL) == 0 ? net.client_server(c) : "";
}

void kube_client_get_stats(const struct kube_client *c, struct kube_client_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (net_load(NULL) == 0)
		net.client_get_stats(c, out);
}

int kube_client_set_parallel(struct kube_client *c, int n)
{
	/* a client exists only once net.so is loaded */
	return net_load(NULL) == 0 ? net.set_parallel(c, n) : 0;
}

void kube_client_set_warning_handler(struct kube_client *c, kube_warning_fn fn, void *ud)
{
	if (net_load(NULL) == 0)
		net.set_warning_handler(c, fn, ud);
}

int kube_request(struct kube_client *c, const char *method, const char *path, const char *query,
                 const char *body, struct kube_response *resp, kj_err *e)
{
	if (resp)
		memset(resp, 0, sizeof(*resp));
	if (net_load(e) < 0)
		return -1;
	return net.request(c, method, path, query, body, resp, e);
}

int kube_request_many(struct kube_client *c, struct kube_call *calls, size_t n, kj_err *e)
{
	size_t i;

	if (net_load(e) < 0) {
		for (i = 0; i < n; i++) {
			memset(&calls[i].resp, 0, sizeof(calls[i].resp));
			calls[i].rc = -1;
			calls[i].err = net_err;
		}
		return -1;
	}
	return net.request_many(c, calls, n, e);
}

size_t kube_warning_parse(const char *value, char ***list, size_t *n)
{
	return net_load(NULL) == 0 ? net.warning_parse(value, list, n) : 0;
}

char *kube_ca_to_pem(const char *ca, kj_err *e)
{
	if (net_load(e) < 0)
		return NULL;
	return net.ca_to_pem(ca, e);
}
