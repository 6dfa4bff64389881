/* incluster: the connection a pod gets from Kubernetes.
 *
 * Follows client-go's InClusterConfig: server https://$KUBERNETES_SERVICE_HOST:
 * $KUBERNETES_SERVICE_PORT (IPv6 addresses bracketed), the service-account
 * directory /var/run/secrets/kubernetes.io/serviceaccount with `token`
 * (kept as a path: the client re-reads it when kubelet rotates it), `ca.crt`
 * and `namespace`.  The directory can be moved for tests with the `sa_dir`
 * argument or the KUBEJIT_SERVICEACCOUNT_DIR environment variable (argument
 * first).  Namespace: $POD_NAMESPACE, else the namespace file, else "default".
 *
 * Memory: kube_incluster_done() frees.  Reads the environment: call from one
 * thread while nothing changes it. */
#ifndef KJ_KUBE_INCLUSTER_H
#define KJ_KUBE_INCLUSTER_H

#include "kube/http.h"
#include "util/err.h"

#define KUBE_INCLUSTER_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

struct kube_incluster {
	char *server;     /* "https://10.96.0.1:443", "https://[fd00::1]:443" */
	char *ca_pem;     /* NULL if ca.crt could not be read (not fatal, as client-go) */
	char *token_file; /* absolute path of the token file */
	char *namespace;
	char *sa_dir;
};

/* Fails (KJ_ERR_NOTFOUND) with client-go's message when the env variables are
 * missing, and when the token file is missing or unreadable. */
int kube_incluster_load(const char *sa_dir, struct kube_incluster *out, kj_err *e);
void kube_incluster_done(struct kube_incluster *ic);

/* Point `conn` at `ic` (no copies). */
void kube_incluster_to_conn(const struct kube_incluster *ic, struct kube_conn *conn);

#endif
