/* pki: the demo cluster's certificate authority (OpenSSL).
 *
 * One EC P-256 CA signs the server certificate (SAN 127.0.0.1 + localhost,
 * EKU serverAuth), the admin client certificate (CN=kubernetes-admin,
 * O=system:masters, EKU clientAuth), the developer's client certificate
 * (CN=developer, O=developers: a person who may only ask for access) and
 * client certificates requested through CertificateSigningRequests.  PEM files live in the state dir, keys
 * 0600, and are reused across restarts. */
#include "demo/internal.h"
#include "demo/statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util/file.h"
#include "util/i18n.h"
#include "util/names.h"

#define CA_DAYS   3650
#define LEAF_DAYS 365

static EVP_PKEY *new_key(void)
{
	return EVP_EC_gen("P-256");
}

static char *bio_string(BIO *b)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);

	return kj_xstrndup(data, (size_t)n);
}

static char *cert_pem(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s;

	PEM_write_bio_X509(b, x);
	s = bio_string(b);
	BIO_free(b);
	return s;
}

static char *key_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *s;

	PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	s = bio_string(b);
	BIO_free(b);
	return s;
}

static X509 *pem_cert(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);

	BIO_free(b);
	return x;
}

static EVP_PKEY *pem_key(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);

	BIO_free(b);
	return k;
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ex;

	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ex) {
		X509_add_ext(x, ex, -1);
		X509_EXTENSION_free(ex);
	}
}

/* Build and sign a certificate.  `subject` NULL = copy from `subj_from`. */
static X509 *make_cert(X509_NAME *subject, EVP_PKEY *pub, X509 *issuer, EVP_PKEY *issuer_key, int is_ca,
                       const char *eku, const char *san, int64_t seconds)
{
	X509 *x = X509_new();
	unsigned char serial[16];
	BIGNUM *bn;

	X509_set_version(x, 2);
	kj_random_bytes(serial, sizeof(serial));
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	X509_gmtime_adj(X509_getm_notBefore(x), -300);
	X509_gmtime_adj(X509_getm_notAfter(x), (long)seconds);
	X509_set_subject_name(x, subject);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subject);
	X509_set_pubkey(x, pub);
	if (is_ca) {
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
		add_ext(x, issuer, NID_subject_key_identifier, "hash");
	} else {
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(x, issuer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
		add_ext(x, issuer, NID_ext_key_usage, eku);
		add_ext(x, issuer, NID_authority_key_identifier, "keyid:always");
		if (san)
			add_ext(x, issuer, NID_subject_alt_name, san);
	}
	if (!X509_sign(x, issuer_key, EVP_sha256())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static X509_NAME *name_of(const char *cn, const char *org)
{
	X509_NAME *n = X509_NAME_new();

	if (org)
		X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)org, -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	return n;
}

/* NULL when missing or unreadable: the caller makes a new key pair then. */
static char *read_file(const char *path)
{
	char *out = NULL;
	kj_err ignore;

	kj_file_read(path, 0, &out, NULL, &ignore);
	return out;
}

static int write_file(const char *path, const char *data, kj_err *e)
{
	return demo_state_write(path, data, strlen(data), e);
}

/* Load <dir>/<base>.crt/.key into kp; 1 loaded, 0 absent. */
static int load_pair(const char *dir, const char *base, struct demo_keypair *kp)
{
	char *c = kj_xasprintf("%s/%s.crt", dir, base), *k = kj_xasprintf("%s/%s.key", dir, base);

	kp->cert_pem = read_file(c);
	kp->key_pem = read_file(k);
	demo_note_secret(kp->key_pem);
	free(c);
	free(k);
	if (kp->cert_pem && kp->key_pem && strstr(kp->cert_pem, "BEGIN CERT") &&
	    strstr(kp->key_pem, "PRIVATE KEY"))
		return 1;
	kj_free_secret(kp->key_pem);
	free(kp->cert_pem);
	kp->cert_pem = kp->key_pem = NULL;
	return 0;
}

static int save_pair(const char *dir, const char *base, const struct demo_keypair *kp, kj_err *e)
{
	char *c = kj_xasprintf("%s/%s.crt", dir, base), *k = kj_xasprintf("%s/%s.key", dir, base);
	int rc = write_file(c, kp->cert_pem, e);

	if (!rc)
		rc = write_file(k, kp->key_pem, e);
	free(c);
	free(k);
	return rc;
}

/* Issue a leaf for `kp` signed by the CA. */
static int issue(struct demo_cluster *dc, struct demo_keypair *kp, const char *cn, const char *org,
                 const char *eku, const char *san, kj_err *e)
{
	X509 *ca = pem_cert(dc->ca.cert_pem), *x;
	EVP_PKEY *cak = pem_key(dc->ca.key_pem), *k = new_key();
	X509_NAME *n = name_of(cn, org);
	int rc = 0;

	x = (ca && cak && k) ? make_cert(n, k, ca, cak, 0, eku, san, (int64_t)LEAF_DAYS * 86400) : NULL;
	if (!x) {
		rc = kj_err_set(e, KJ_ERR_FAIL, _("cannot issue the demo certificate for %s"), cn);
	} else {
		kp->cert_pem = cert_pem(x);
		kp->key_pem = key_pem(k);
		demo_note_secret(kp->key_pem);
	}
	X509_NAME_free(n);
	X509_free(x);
	X509_free(ca);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(k);
	return rc;
}

int demo_pki_init(struct demo_cluster *dc, const char *dir, kj_err *e)
{
	if (!load_pair(dir, "ca", &dc->ca)) {
		EVP_PKEY *k = new_key();
		X509_NAME *n = name_of("kubejit-demo-ca", NULL);
		X509 *x = k ? make_cert(n, k, NULL, k, 1, NULL, NULL, (int64_t)CA_DAYS * 86400) : NULL;

		X509_NAME_free(n);
		if (!x) {
			EVP_PKEY_free(k);
			return kj_err_set(e, KJ_ERR_FAIL, _("cannot create the demo cluster CA"));
		}
		dc->ca.cert_pem = cert_pem(x);
		dc->ca.key_pem = key_pem(k);
		demo_note_secret(dc->ca.key_pem);
		X509_free(x);
		EVP_PKEY_free(k);
		if (save_pair(dir, "ca", &dc->ca, e) < 0)
			return -1;
	}
	if (!load_pair(dir, "apiserver", &dc->server)) {
		if (issue(dc, &dc->server, "kube-apiserver", NULL, "serverAuth", "IP:127.0.0.1,DNS:localhost",
		          e) < 0 ||
		    save_pair(dir, "apiserver", &dc->server, e) < 0)
			return -1;
	}
	if (!load_pair(dir, "admin", &dc->admin)) {
		if (issue(dc, &dc->admin, "kubernetes-admin", "system:masters", "clientAuth", NULL, e) < 0 ||
		    save_pair(dir, "admin", &dc->admin, e) < 0)
			return -1;
	}
	if (!load_pair(dir, "developer", &dc->developer)) {
		if (issue(dc, &dc->developer, DEMO_DEVELOPER_USER, DEMO_DEVELOPER_GROUP, "clientAuth", NULL,
		          e) < 0 ||
		    save_pair(dir, "developer", &dc->developer, e) < 0)
			return -1;
	}
	return 0;
}

static void pair_done(struct demo_keypair *kp)
{
	free(kp->cert_pem);
	kj_free_secret(kp->key_pem);
	kp->cert_pem = kp->key_pem = NULL;
}

void demo_pki_done(struct demo_cluster *dc)
{
	pair_done(&dc->ca);
	pair_done(&dc->server);
	pair_done(&dc->admin);
	pair_done(&dc->developer);
}

char *demo_pki_sign_csr(struct demo_cluster *dc, const char *csr_pem, int64_t seconds, kj_err *e)
{
	BIO *b = BIO_new_mem_buf(csr_pem ? csr_pem : "", -1);
	X509_REQ *req = PEM_read_bio_X509_REQ(b, NULL, NULL, NULL);
	X509 *ca = NULL, *x = NULL;
	EVP_PKEY *cak = NULL, *pub = NULL;
	char *out = NULL;

	BIO_free(b);
	if (!req) {
		kj_err_set(e, KJ_ERR_INVALID, _("the certificate request is not a PEM CERTIFICATE REQUEST"));
		goto done;
	}
	pub = X509_REQ_get_pubkey(req);
	if (!pub || X509_REQ_verify(req, pub) != 1) {
		kj_err_set(e, KJ_ERR_INVALID, _("the certificate request's signature does not verify"));
		goto done;
	}
	ca = pem_cert(dc->ca.cert_pem);
	cak = pem_key(dc->ca.key_pem);
	if (seconds <= 0)
		seconds = (int64_t)LEAF_DAYS * 86400;
	x = make_cert(X509_REQ_get_subject_name(req), pub, ca, cak, 0, "clientAuth", NULL, seconds);
	if (!x) {
		kj_err_set(e, KJ_ERR_FAIL, _("cannot sign the certificate request"));
		goto done;
	}
	out = cert_pem(x);
done:
	X509_REQ_free(req);
	X509_free(x);
	X509_free(ca);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(pub);
	ERR_clear_error();
	return out;
}

int demo_pki_verify_client(struct demo_cluster *dc, const unsigned char *der, size_t len, struct demo_user *u)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len), *ca = pem_cert(dc->ca.cert_pem);
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_NAME *subj;
	int rc = -1, i;
	char buf[512];

	if (!x || !ca || !st || !ctx)
		goto done;
	X509_STORE_add_cert(st, ca);
	if (!X509_STORE_CTX_init(ctx, st, x, NULL))
		goto done;
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)kj_now());
	if (X509_verify_cert(ctx) != 1)
		goto done;
	subj = X509_get_subject_name(x);
	if (X509_NAME_get_text_by_NID(subj, NID_commonName, buf, sizeof(buf)) <= 0 || !buf[0])
		goto done;
	demo_user_set(u, buf, "");
	for (i = -1; (i = X509_NAME_get_index_by_NID(subj, NID_organizationName, i)) >= 0;) {
		ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, i));
		unsigned char *utf8 = NULL;
		int n = ASN1_STRING_to_UTF8(&utf8, s);

		if (n > 0) {
			char *g = kj_xstrndup((const char *)utf8, (size_t)n);

			demo_user_add_group(u, g);
			free(g);
		}
		OPENSSL_free(utf8);
	}
	rc = 0;
done:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	X509_free(x);
	X509_free(ca);
	ERR_clear_error();
	return rc;
}
