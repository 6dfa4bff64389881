/* incluster: client-go's in-cluster configuration. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "kube/incluster.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/file.h"
#include "util/i18n.h"
#include "util/strbuf.h"

/* Small text file (its first MiB), trailing white space trimmed if `trim`;
 * NULL on error. */
static char *read_small(const char *path, int trim)
{
	char *buf;
	size_t len;

	if (kj_file_read_head(path, 1u << 20, &buf, &len, NULL) < 0)
		return NULL;
	while (trim && len && strchr(" \t\r\n", buf[len - 1]))
		buf[--len] = '\0';
	return buf;
}

void kube_incluster_done(struct kube_incluster *ic)
{
	if (!ic)
		return;
	free(ic->server);
	free(ic->ca_pem);
	free(ic->token_file);
	free(ic->namespace);
	free(ic->sa_dir);
	memset(ic, 0, sizeof *ic);
}

int kube_incluster_load(const char *sa_dir, struct kube_incluster *ic, kj_err *e)
{
	memset(ic, 0, sizeof *ic);
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	if (!host || !*host || !port || !*port) {
		kj_err_set(e, KJ_ERR_NOTFOUND,
		           _("unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
		             "KUBERNETES_SERVICE_PORT must be defined"));
		return kj_err_hint(e,
		                   _("run inside a pod, or add the target with --server and --token-file"));
	}
	if (!sa_dir || !*sa_dir)
		sa_dir = getenv("KUBEJIT_SERVICEACCOUNT_DIR");
	if (!sa_dir || !*sa_dir)
		sa_dir = KUBE_INCLUSTER_SA_DIR;
	ic->sa_dir = kj_xstrdup(sa_dir);
	/* JoinHostPort: an IPv6 address gets brackets. */
	if (strchr(host, ':') && host[0] != '[')
		ic->server = kj_xasprintf("https://[%s]:%s", host, port);
	else
		ic->server = kj_xasprintf("https://%s:%s", host, port);
	ic->token_file = kj_xasprintf("%s/token", sa_dir);
	if (access(ic->token_file, R_OK) < 0) {
		kj_err_set(e, KJ_ERR_NOTFOUND, _("cannot read the service account token %s: %s"),
		           ic->token_file, strerror(errno));
		kj_err_hint(
		    e, _("the pod needs a mounted service account token (automountServiceAccountToken)"));
		kube_incluster_done(ic);
		return -1;
	}
	char *ca_path = kj_xasprintf("%s/ca.crt", sa_dir);
	ic->ca_pem = read_small(ca_path, 0); /* missing CA is not fatal, as in client-go */
	if (ic->ca_pem && !*ic->ca_pem) {
		free(ic->ca_pem);
		ic->ca_pem = NULL;
	}
	free(ca_path);
	const char *ns = getenv("POD_NAMESPACE");
	if (ns && *ns) {
		ic->namespace = kj_xstrdup(ns);
	} else {
		char *ns_path = kj_xasprintf("%s/namespace", sa_dir);
		ic->namespace = read_small(ns_path, 1);
		free(ns_path);
		if (!ic->namespace || !*ic->namespace) {
			free(ic->namespace);
			ic->namespace = kj_xstrdup("default");
		}
	}
	return 0;
}

void kube_incluster_to_conn(const struct kube_incluster *ic, struct kube_conn *conn)
{
	conn->server = ic->server;
	conn->ca = ic->ca_pem;
	conn->token = NULL;
	conn->token_file = ic->token_file;
}
