/* http_tls: TLS material from memory for the HTTPS client (kube/http.h). */
#ifdef HAVE_CONFIG_H
#include "config.h" /* first: _GNU_SOURCE for memmem */
#endif
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "kube/http_priv.h"
#include "util/b64.h"
#include "util/i18n.h"
#include "util/strbuf.h"

/* PEM text as given, or decoded from base64; NULL if neither looks like PEM. */
char *http_pem_or_b64(const char *s)
{
	if (strstr(s, "-----BEGIN "))
		return kj_xstrdup(s);
	size_t n = 0;
	unsigned char *d = kj_b64_decode(s, &n);
	if (!d)
		return NULL;
	if (!memmem(d, n, "-----BEGIN ", 11) || memchr(d, '\0', n)) {
		kj_wipe(d, n);
		free(d);
		return NULL;
	}
	return (char *)d;
}

char *kube_ca_to_pem(const char *ca, kj_err *e)
{
	char *pem = ca ? http_pem_or_b64(ca) : NULL;
	if (!pem) {
		kj_err_set(e, KJ_ERR_INVALID, _("the CA is neither PEM nor base64-encoded PEM"));
		kj_err_hint(e,
		            _("give the cluster CA certificate (ca.crt, or certificate-authority-data from a "
		              "kubeconfig)"));
		return NULL;
	}
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (!x) {
		free(pem);
		kj_err_set(e, KJ_ERR_INVALID, _("the CA does not hold a readable PEM certificate"));
		kj_err_hint(e,
		            _("give the cluster CA certificate (ca.crt, or certificate-authority-data from a "
		              "kubeconfig)"));
		return NULL;
	}
	X509_free(x);
	return pem;
}

/* A wrong pair would only show up as a vague TLS failure at the first
 * request; say it when the client is made. */
int http_check_cert_key(const char *cert_pem, const char *key_pem, kj_err *e)
{
	BIO *b = BIO_new_mem_buf(cert_pem, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	b = BIO_new_mem_buf(key_pem, -1);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	int rc = 0;
	if (!x)
		rc = kj_err_set(e, KJ_ERR_INVALID,
		                _("the client certificate is not a readable PEM certificate"));
	else if (!k)
		rc = kj_err_set(e, KJ_ERR_INVALID,
		                _("the client key is not a readable, unencrypted PEM private key"));
	else if (X509_check_private_key(x, k) != 1)
		rc =
		    kj_err_set(e, KJ_ERR_INVALID, _("the client certificate and key do not belong together"));
	if (rc < 0)
		kj_err_hint(e, _("give the certificate and the private key it was issued for, both in PEM"));
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}
