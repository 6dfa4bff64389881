/* csr: client certificates made by kubejit, and checks on given ones.
 *
 * csr_make() generates a private key (RSA-2048 or EC P-256) and a PKCS#10
 * request with Subject CN (the user name the cluster will see) and
 * optionally O (a group).  csr_obtain() turns the request into a
 * certificate through the cluster's certificates.k8s.io/v1 API: it submits
 * a CertificateSigningRequest (signer kubernetes.io/kube-apiserver-client,
 * usage client auth), approves it when the submitting credentials may, or
 * else reports the exact `kubectl certificate approve NAME` line through
 * the progress callback, and polls until it is issued or denied.
 * Approval and issuance are separate waits: `approve_timeout` until it is
 * approved, then `issue_timeout` for the signer, which on a real cluster is
 * a controller that issues a moment later, and on many managed clusters
 * never does (then the error says so and names what to use instead).  A
 * CSR that ends without a certificate is deleted again (best effort), since
 * its key is thrown away.
 *
 * Memory: returned PEM strings are malloc'd; private keys are secrets
 * (free with kj_free_secret). */
#ifndef KJ_ENGINE_CSR_H
#define KJ_ENGINE_CSR_H

#include <stdint.h>

#include "engine/target.h"
#include "util/err.h"

struct kube_client;

int csr_make(enum target_key_type type, const char *cn, const char *org, char **key_pem, char **csr_pem,
             kj_err *e);

#define CSR_ISSUE_TIMEOUT 60 /* seconds the signer gets after approval */

struct csr_opts {
	const char *name;           /* CSR object name; NULL = "kubejit-<cn>-<random>" */
	int64_t approve_timeout;    /* seconds; 0 = 300 */
	int64_t issue_timeout;      /* seconds after approval; 0 = CSR_ISSUE_TIMEOUT */
	int64_t expiration_seconds; /* asked of the signer; 0 = its default */
	int64_t poll_ms;            /* 0 = 500 */
	int own_approval_only;      /* 1: when the submitter may not approve, give up at once
	                               (KJ_ERR_DENIED, the request deleted) instead of waiting */
	target_progress_fn progress;
	void *progress_ud;
};

/* Submit, approve or wait, fetch.  *cert_pem gets the issued certificate,
 * *name_out (may be NULL) the CSR's name.  Errors: KJ_ERR_DENIED when the
 * CSR was denied or may not be created, KJ_ERR_FAIL when approval (hint:
 * the approve command) or issuance (hint: a token target) timed out,
 * KJ_ERR_CANCELLED when progress said stop. */
int csr_obtain(struct kube_client *kc, const char *csr_pem, const struct csr_opts *o, char **cert_pem,
               char **name_out, kj_err *e);

/* Facts about a certificate PEM (the first certificate in it). */
struct csr_cert_info {
	int64_t not_before, not_after;
	char subject_cn[256];
	char subject_o[256]; /* first O, "" if none */
};
int csr_cert_info(const char *cert_pem, struct csr_cert_info *out, kj_err *e);

/* The type of a PEM private key: EC P-256 for an EC key, else RSA-2048. */
enum target_key_type csr_key_type(const char *key_pem);

/* Check a certificate and key belong together and the key parses. */
int csr_check_pair(const char *cert_pem, const char *key_pem, kj_err *e);

#endif
