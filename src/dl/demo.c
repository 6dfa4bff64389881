/* The demo cluster (src/demo/demo.h) for the `kubejit` command: every call
 * goes to demo.so, loaded on the first one (`kubejit demo-cluster`,
 * `kubejit --demo`), so that no other command loads libmicrohttpd and GnuTLS. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "demo/demo.h"
#include "dl/loader.h"
#include "util/i18n.h"

static struct {
	int (*start)(const struct demo_opts *, struct demo_cluster **, kj_err *);
	void (*stop)(struct demo_cluster *);
	const char *(*url)(const struct demo_cluster *);
	int (*port)(const struct demo_cluster *);
	const char *(*ca_pem)(const struct demo_cluster *);
	const char *(*state_dir)(const struct demo_cluster *);
	const char *(*kubeconfig_path)(const struct demo_cluster *);
	const char *(*admin_cert_pem)(const struct demo_cluster *);
	const char *(*admin_key_pem)(const struct demo_cluster *);
	const char *(*admin_token)(const struct demo_cluster *);
	const char *(*developer_cert_pem)(const struct demo_cluster *);
	const char *(*developer_key_pem)(const struct demo_cluster *);
	const char *(*developer_kubeconfig_path)(const struct demo_cluster *);
	const char *(*account_token)(const struct demo_cluster *, const char *);
	int (*fault_add)(struct demo_cluster *, const char *, const char *, int, enum demo_fault_kind, int,
	                 int);
	void (*fault_clear)(struct demo_cluster *);
	void (*get_stats)(const struct demo_cluster *, struct demo_stats *);
	int (*duration_parse)(const char *, const char *, int64_t *, kj_err *);
} demo;

static pthread_once_t demo_once = PTHREAD_ONCE_INIT;
static kj_err demo_err;
static int demo_ok;

static void demo_resolve(void)
{
	const struct {
		const char *name;
		void **slot;
	} syms[] = {
	    {"demo_start", (void **)&demo.start},
	    {"demo_stop", (void **)&demo.stop},
	    {"demo_url", (void **)&demo.url},
	    {"demo_port", (void **)&demo.port},
	    {"demo_ca_pem", (void **)&demo.ca_pem},
	    {"demo_state_dir", (void **)&demo.state_dir},
	    {"demo_kubeconfig_path", (void **)&demo.kubeconfig_path},
	    {"demo_admin_cert_pem", (void **)&demo.admin_cert_pem},
	    {"demo_admin_key_pem", (void **)&demo.admin_key_pem},
	    {"demo_admin_token", (void **)&demo.admin_token},
	    {"demo_developer_cert_pem", (void **)&demo.developer_cert_pem},
	    {"demo_developer_key_pem", (void **)&demo.developer_key_pem},
	    {"demo_developer_kubeconfig_path", (void **)&demo.developer_kubeconfig_path},
	    {"demo_account_token", (void **)&demo.account_token},
	    {"demo_fault_add", (void **)&demo.fault_add},
	    {"demo_fault_clear", (void **)&demo.fault_clear},
	    {"demo_get_stats", (void **)&demo.get_stats},
	    {"demo_duration_parse", (void **)&demo.duration_parse},
	};
	size_t i;

	kj_err_clear(&demo_err);
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		if (!(*syms[i].slot = kj_module_sym(KJ_MODULE_DEMO, syms[i].name, &demo_err)))
			return;
	demo_ok = 1;
}

static int demo_load(kj_err *e)
{
	pthread_once(&demo_once, demo_resolve);
	if (!demo_ok && e)
		*e = demo_err;
	return demo_ok ? 0 : -1;
}

int demo_start(const struct demo_opts *opts, struct demo_cluster **out, kj_err *e)
{
	*out = NULL;
	if (demo_load(e) < 0)
		return -1;
	return demo.start(opts, out, e);
}

/* A cluster exists only if demo.so started it: the calls below that take
 * one find the module loaded. */
void demo_stop(struct demo_cluster *dc)
{
	if (dc && demo_load(NULL) == 0)
		demo.stop(dc);
}

#define DEMO_GETTER(type, fn, field, fallback)                                                               \
	type fn(const struct demo_cluster *dc)                                                               \
	{                                                                                                    \
		return demo_load(NULL) == 0 ? demo.field(dc) : (fallback);                                   \
	}
DEMO_GETTER(const char *, demo_url, url, "")
DEMO_GETTER(int, demo_port, port, 0)
DEMO_GETTER(const char *, demo_ca_pem, ca_pem, "")
DEMO_GETTER(const char *, demo_state_dir, state_dir, "")
DEMO_GETTER(const char *, demo_kubeconfig_path, kubeconfig_path, "")
DEMO_GETTER(const char *, demo_admin_cert_pem, admin_cert_pem, "")
DEMO_GETTER(const char *, demo_admin_key_pem, admin_key_pem, "")
DEMO_GETTER(const char *, demo_admin_token, admin_token, "")
DEMO_GETTER(const char *, demo_developer_cert_pem, developer_cert_pem, "")
DEMO_GETTER(const char *, demo_developer_key_pem, developer_key_pem, "")
DEMO_GETTER(const char *, demo_developer_kubeconfig_path, developer_kubeconfig_path, "")

const char *demo_account_token(const struct demo_cluster *dc, const char *ns_name)
{
	return demo_load(NULL) == 0 ? demo.account_token(dc, ns_name) : NULL;
}

int demo_fault_add(struct demo_cluster *dc, const char *method, const char *path, int nth,
                   enum demo_fault_kind kind, int status, int delay_ms)
{
	return demo_load(NULL) == 0 ? demo.fault_add(dc, method, path, nth, kind, status, delay_ms) : -1;
}

void demo_fault_clear(struct demo_cluster *dc)
{
	if (demo_load(NULL) == 0)
		demo.fault_clear(dc);
}

void demo_get_stats(const struct demo_cluster *dc, struct demo_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (demo_load(NULL) == 0)
		demo.get_stats(dc, out);
}

int demo_duration_parse(const char *s, const char *what, int64_t *ms, kj_err *e)
{
	if (demo_load(e) < 0)
		return -1;
	return demo.duration_parse(s, what, ms, e);
}
