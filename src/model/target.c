#include "model/target.h"

#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

static const char *const auth_names[] = {"token", "client-cert", "in-cluster", "kubeconfig", "exec"};
static const char *const health_names[] = {"never", "ok", "warn", "fail"};

const char *target_auth_name(enum target_auth a)
{
	return (unsigned)a < TARGET_AUTH_COUNT ? auth_names[a] : "?";
}

/* Index of `s` in a table of `n` names, -1 when absent. */
static int name_index(const char *const *names, int n, const char *s)
{
	for (int i = 0; s && i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

int target_auth_parse(const char *s)
{
	return name_index(auth_names, TARGET_AUTH_COUNT, s);
}

const char *target_health_name(enum target_health h)
{
	return (unsigned)h < 4 ? health_names[h] : "?";
}

int target_health_parse(const char *s)
{
	return name_index(health_names, 4, s);
}

void target_done(struct target *t)
{
	if (!t)
		return;
	free(t->name);
	free(t->server);
	free(t->ca_pem);
	free(t->tls_server_name);
	free(t->token_file);
	free(t->sa_dir);
	free(t->client_cert_pem);
	free(t->csr_name);
	free(t->kubeconfig_path);
	free(t->kubeconfig_context);
	free(t->exec_json);
	free(t->proxy_url);
	free(t->renew_sa);
	free(t->identity);
	free(t->preflight_summary);
	free(t->preflight_json);
	free(t->created_by);
	memset(t, 0, sizeof(*t));
}

void target_cred_done(struct target_cred *c)
{
	if (!c)
		return;
	kj_free_secret(c->token);
	kj_free_secret(c->client_key_pem);
	free(c->conn);
	memset(c, 0, sizeof(*c));
}

void target_copy(struct target *dst, const struct target *src)
{
	*dst = *src;
	dst->name = kj_xstrdup(src->name);
	dst->server = kj_xstrdup(src->server);
	dst->ca_pem = kj_xstrdup(src->ca_pem);
	dst->tls_server_name = kj_xstrdup(src->tls_server_name);
	dst->token_file = kj_xstrdup(src->token_file);
	dst->sa_dir = kj_xstrdup(src->sa_dir);
	dst->client_cert_pem = kj_xstrdup(src->client_cert_pem);
	dst->csr_name = kj_xstrdup(src->csr_name);
	dst->kubeconfig_path = kj_xstrdup(src->kubeconfig_path);
	dst->kubeconfig_context = kj_xstrdup(src->kubeconfig_context);
	dst->exec_json = kj_xstrdup(src->exec_json);
	dst->proxy_url = kj_xstrdup(src->proxy_url);
	dst->renew_sa = kj_xstrdup(src->renew_sa);
	dst->identity = kj_xstrdup(src->identity);
	dst->preflight_summary = kj_xstrdup(src->preflight_summary);
	dst->preflight_json = kj_xstrdup(src->preflight_json);
	dst->created_by = kj_xstrdup(src->created_by);
}

void target_list_free(struct target *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		target_done(&v[i]);
	free(v);
}
