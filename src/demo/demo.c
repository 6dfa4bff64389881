/* demo: the public lifecycle of the demo cluster (demo.h): state dir, PKI,
 * store and seed, auth hooks, server; accessors. */
#define _XOPEN_SOURCE 700
#include "demo/internal.h"
#include "demo/statefile.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/b64.h"
#include "util/file.h"
#include "util/i18n.h"
#include "util/names.h"

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* The first line of a small state file; NULL when missing or empty. */
static char *read_small(const char *path)
{
	char *line;

	if (kj_file_read_line(path, 511, &line, NULL) < 0)
		return NULL;
	if (!line[0]) {
		free(line);
		return NULL;
	}
	return line;
}

/* The static admin token survives restarts with the rest of the state. */
static void admin_token(struct demo_cluster *dc)
{
	char *path = kj_xasprintf("%s/tokens/admin.token", dc->state_dir);
	unsigned char raw[32];

	dc->admin_token = read_small(path);
	free(path);
	if (!dc->admin_token) {
		kj_random_bytes(raw, sizeof(raw));
		dc->admin_token = kj_b64url_encode(raw, sizeof(raw));
		kj_wipe(raw, sizeof(raw));
	}
	demo_note_secret(dc->admin_token);
}

static int parse_listen(const char *listen, char *host, size_t n, int *port, kj_err *e)
{
	const char *colon = strrchr(listen, ':');
	char *end;
	long p;

	if (!colon || colon == listen || (size_t)(colon - listen) >= n)
		return kj_err_set(e, KJ_ERR_USAGE, _("--listen wants HOST:PORT, got \"%s\""), listen);
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	p = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || p < 0 || p > 65535)
		return kj_err_set(e, KJ_ERR_USAGE, _("--listen wants HOST:PORT, got \"%s\""), listen);
	*port = (int)p;
	return 0;
}

static int make_state_dir(struct demo_cluster *dc, const char *dir, kj_err *e)
{
	if (!dir) {
		const char *tmp = getenv("TMPDIR");
		char *tmpl = kj_xasprintf("%s/kubejit-demo.XXXXXX", tmp && *tmp ? tmp : "/tmp");

		if (!mkdtemp(tmpl)) {
			free(tmpl);
			return kj_err_set(e, KJ_ERR_FAIL, _("cannot create a temporary state directory: %s"),
			                  strerror(errno));
		}
		dc->state_dir = tmpl;
		dc->state_tmp = 1;
		return 0;
	}
	if (demo_state_dir_check(dir, e) < 0)
		return -1;
	dc->state_dir = kj_xstrdup(dir);
	return 0;
}

/* 0 -> the default, DEMO_ZERO -> 0, anything else as given */
static int64_t or_default(int64_t v, int64_t def)
{
	return v == 0 ? def : v < 0 ? 0 : v;
}

/* What a kube-apiserver v1.32 with kube-controller-manager does by default. */
#define DEFAULT_TOKEN_CACHE_TTL_MS  10000
#define DEFAULT_RBAC_DELAY_MS       250
#define DEFAULT_GC_DELAY_MS         1000
#define DEFAULT_CSR_SIGNER_DELAY_MS 1000

static void apply_realism(struct demo_cluster *dc, const struct demo_opts *o)
{
	/* pkg/kubeapiserver/options/authentication.go: TokenSuccessCacheTTL */
	dc->token_cache_ttl_ms = or_default(o->token_cache_ttl_ms, DEFAULT_TOKEN_CACHE_TTL_MS);
	/* watch delivery to the RBAC authorizer's informers */
	dc->rbac_delay_ms = or_default(o->rbac_delay_ms, DEFAULT_RBAC_DELAY_MS);
	dc->gc_delay_ms = or_default(o->gc_delay_ms, DEFAULT_GC_DELAY_MS);
	dc->csr_signer_delay_ms = or_default(o->csr_signer_delay_ms, DEFAULT_CSR_SIGNER_DELAY_MS);
	dc->csr_signer_none = o->csr_signer_none;
	/* --max-requests-inflight */
	dc->max_inflight = (int)or_default(o->max_inflight, 400);
	dc->latency_ms = o->latency_ms > 0 ? o->latency_ms : 0;
}

int demo_start(const struct demo_opts *opts, struct demo_cluster **out, kj_err *e)
{
	struct demo_opts none = {0};
	struct demo_cluster *dc;
	char host[128];
	int port = 0;

	*out = NULL;
	if (!opts)
		opts = &none;
	if (parse_listen(opts->listen ? opts->listen : "127.0.0.1:0", host, sizeof(host), &port, e) < 0)
		return -1;
	dc = kj_xcalloc(1, sizeof(*dc));
	pthread_mutex_init(&dc->lock, NULL);
	dc->opts = *opts;
	dc->max_token_expiration = opts->max_token_expiration;
	apply_realism(dc, opts);
	dc->store = objstore_new();
	demo_server_default_hooks(dc);
	if (make_state_dir(dc, opts->state_dir, e) < 0)
		goto fail;
	dc->kubeconfig_path = opts->kubeconfig_out ? kj_xstrdup(opts->kubeconfig_out)
	                                           : kj_xasprintf("%s/admin.kubeconfig", dc->state_dir);
	dc->developer_kubeconfig_path = kj_xasprintf("%s/developer.kubeconfig", dc->state_dir);
	admin_token(dc);
	if (demo_pki_init(dc, dc->state_dir, e) < 0 || demo_seed_load(dc, opts->seed_file, e) < 0)
		goto fail;
	if (demo_auth_install(dc, e) < 0)
		goto fail;
	for (size_t i = 0; opts->faults && opts->faults[i]; i++)
		if (demo_fault_add_spec(dc, opts->faults[i], e) < 0)
			goto fail;
	if (demo_controllers_start(dc, e) < 0)
		goto fail;
	if (demo_server_start(dc, host, port, e) < 0 || demo_seed_write_credentials(dc, e) < 0)
		goto fail;
	*out = dc;
	return 0;
fail:
	demo_stop(dc);
	return -1;
}

void demo_stop(struct demo_cluster *dc)
{
	size_t i;

	if (!dc)
		return;
	objstore_close(dc->store); /* ends open watches */
	demo_server_stop(dc);
	demo_controllers_stop(dc);
	if (dc->hooks.cleanup)
		dc->hooks.cleanup(dc);
	if (dc->state_tmp && dc->state_dir)
		nftw(dc->state_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	objstore_free(dc->store);
	demo_pki_done(dc);
	demo_faults_free(dc);
	for (i = 0; i < dc->naccounts; i++) {
		free(dc->account_keys[i]);
		kj_free_secret(dc->account_tokens[i]);
	}
	free(dc->account_keys);
	free(dc->account_tokens);
	kj_free_secret(dc->admin_token);
	free(dc->url);
	free(dc->state_dir);
	free(dc->kubeconfig_path);
	free(dc->developer_kubeconfig_path);
	pthread_mutex_destroy(&dc->lock);
	free(dc);
}

const char *demo_url(const struct demo_cluster *dc)
{
	return dc->url;
}

int demo_port(const struct demo_cluster *dc)
{
	return dc->port;
}

const char *demo_ca_pem(const struct demo_cluster *dc)
{
	return dc->ca.cert_pem;
}

const char *demo_state_dir(const struct demo_cluster *dc)
{
	return dc->state_dir;
}

const char *demo_kubeconfig_path(const struct demo_cluster *dc)
{
	return dc->kubeconfig_path;
}

const char *demo_admin_cert_pem(const struct demo_cluster *dc)
{
	return dc->admin.cert_pem;
}

const char *demo_admin_key_pem(const struct demo_cluster *dc)
{
	return dc->admin.key_pem;
}

const char *demo_admin_token(const struct demo_cluster *dc)
{
	return dc->admin_token;
}

const char *demo_developer_cert_pem(const struct demo_cluster *dc)
{
	return dc->developer.cert_pem;
}

const char *demo_developer_key_pem(const struct demo_cluster *dc)
{
	return dc->developer.key_pem;
}

const char *demo_developer_kubeconfig_path(const struct demo_cluster *dc)
{
	return dc->developer_kubeconfig_path;
}

void demo_compact(struct demo_cluster *dc)
{
	objstore_compact(dc->store);
}

const char *demo_account_token(const struct demo_cluster *dc, const char *ns_name)
{
	size_t i;

	for (i = 0; ns_name && i < dc->naccounts; i++)
		if (!strcmp(dc->account_keys[i], ns_name))
			return dc->account_tokens[i];
	return NULL;
}
