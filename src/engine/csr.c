#include "engine/csr.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kube/api.h"
#include "util/i18n.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

static EVP_PKEY *gen_key(enum target_key_type type)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pkey = NULL;

	ctx = EVP_PKEY_CTX_new_id(type == TARGET_KEY_EC_P256 ? EVP_PKEY_EC : EVP_PKEY_RSA, NULL);
	if (!ctx)
		return NULL;
	if (EVP_PKEY_keygen_init(ctx) <= 0)
		goto out;
	if (type == TARGET_KEY_EC_P256) {
		if (EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, NID_X9_62_prime256v1) <= 0 ||
		    EVP_PKEY_CTX_set_ec_param_enc(ctx, OPENSSL_EC_NAMED_CURVE) <= 0)
			goto out;
	} else if (EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) <= 0) {
		goto out;
	}
	if (EVP_PKEY_keygen(ctx, &pkey) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

static char *bio_string(BIO *bio)
{
	char *data;
	long len = BIO_get_mem_data(bio, &data);

	return kj_xstrndup(data, (size_t)len);
}

int csr_make(enum target_key_type type, const char *cn, const char *org, char **key_pem, char **csr_pem,
             kj_err *e)
{
	EVP_PKEY *pkey;
	X509_REQ *req = NULL;
	X509_NAME *subj;
	BIO *kb = NULL, *rb = NULL;
	int rc = -1;

	*key_pem = *csr_pem = NULL;
	if (!cn || !*cn) {
		kj_err_set(e, KJ_ERR_USAGE, _("a certificate request needs a common name (the user name)"));
		return kj_err_hint(e, _("give it with --cn NAME"));
	}
	pkey = gen_key(type);
	if (!pkey)
		return kj_err_set(e, KJ_ERR_FAIL, _("OpenSSL could not generate a %s key"),
		                  type == TARGET_KEY_EC_P256 ? "EC P-256" : "RSA-2048");
	req = X509_REQ_new();
	subj = req ? X509_REQ_get_subject_name(req) : NULL;
	if (!subj || !X509_REQ_set_version(req, 0) ||
	    (org && *org &&
	     !X509_NAME_add_entry_by_txt(subj, "O", MBSTRING_UTF8, (const unsigned char *)org, -1, -1, 0)) ||
	    !X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0) ||
	    !X509_REQ_set_pubkey(req, pkey) || !X509_REQ_sign(req, pkey, EVP_sha256())) {
		kj_err_set(e, KJ_ERR_FAIL, _("OpenSSL could not build the certificate request for \"%s\""),
		           cn);
		goto out;
	}
	kb = BIO_new(BIO_s_secmem());
	rb = BIO_new(BIO_s_mem());
	if (!kb || !rb || !PEM_write_bio_PrivateKey(kb, pkey, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_X509_REQ(rb, req)) {
		kj_err_set(e, KJ_ERR_FAIL, _("OpenSSL could not encode the key and request"));
		goto out;
	}
	*key_pem = bio_string(kb);
	*csr_pem = bio_string(rb);
	rc = 0;
out:
	BIO_free(kb);
	BIO_free(rb);
	X509_REQ_free(req);
	EVP_PKEY_free(pkey);
	return rc;
}

static X509 *read_cert(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	return x;
}

static int64_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	return (int64_t)timegm(&tm);
}

int csr_cert_info(const char *cert_pem, struct csr_cert_info *out, kj_err *e)
{
	X509 *x;
	X509_NAME *subj;

	memset(out, 0, sizeof(*out));
	x = cert_pem ? read_cert(cert_pem) : NULL;
	if (!x) {
		kj_err_set(e, KJ_ERR_INVALID, _("the client certificate is not a PEM certificate"));
		return kj_err_hint(e, _("give the file that starts with -----BEGIN CERTIFICATE-----"));
	}
	out->not_before = asn1_time(X509_get0_notBefore(x));
	out->not_after = asn1_time(X509_get0_notAfter(x));
	subj = X509_get_subject_name(x);
	X509_NAME_get_text_by_NID(subj, NID_commonName, out->subject_cn, sizeof(out->subject_cn));
	X509_NAME_get_text_by_NID(subj, NID_organizationName, out->subject_o, sizeof(out->subject_o));
	X509_free(x);
	return 0;
}

int csr_check_pair(const char *cert_pem, const char *key_pem, kj_err *e)
{
	X509 *x = cert_pem ? read_cert(cert_pem) : NULL;
	BIO *bio;
	EVP_PKEY *pkey = NULL;
	int rc = -1;

	if (!x) {
		kj_err_set(e, KJ_ERR_INVALID, _("the client certificate is not a PEM certificate"));
		return kj_err_hint(e, _("give the file that starts with -----BEGIN CERTIFICATE-----"));
	}
	bio = key_pem ? BIO_new_mem_buf(key_pem, -1) : NULL;
	if (bio)
		pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!pkey) {
		kj_err_set(e, KJ_ERR_INVALID,
		           _("the client key is not a PEM private key (or it is encrypted)"));
		kj_err_hint(
		    e, _("give an unencrypted key file that starts with -----BEGIN ... PRIVATE KEY-----"));
	} else if (X509_check_private_key(x, pkey) != 1) {
		kj_err_set(e, KJ_ERR_INVALID, _("the client key does not belong to the client certificate"));
		kj_err_hint(e, _("pass the key that was made together with this certificate"));
	} else {
		rc = 0;
	}
	EVP_PKEY_free(pkey);
	X509_free(x);
	return rc;
}

enum target_key_type csr_key_type(const char *key_pem)
{
	BIO *bio = key_pem ? BIO_new_mem_buf(key_pem, -1) : NULL;
	EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	enum target_key_type t =
	    k && EVP_PKEY_base_id(k) == EVP_PKEY_EC ? TARGET_KEY_EC_P256 : TARGET_KEY_RSA2048;

	EVP_PKEY_free(k);
	BIO_free(bio);
	return t;
}

static int say(const struct csr_opts *o, const char *msg)
{
	return o->progress ? o->progress(o->progress_ud, msg) : 0;
}

static void forget_csr(struct kube_client *kc, const char *name)
{
	kj_err ignore = {0};

	kube_delete(kc, KUBE_CSR, NULL, name, &ignore);
}

int csr_obtain(struct kube_client *kc, const char *csr_pem, const struct csr_opts *o, char **cert_pem,
               char **name_out, kj_err *e)
{
	int64_t timeout = o->approve_timeout > 0 ? o->approve_timeout : 300;
	int64_t issue = o->issue_timeout > 0 ? o->issue_timeout : CSR_ISSUE_TIMEOUT;
	int64_t poll = o->poll_ms > 0 ? o->poll_ms : 500;
	int64_t deadline;
	char name[64];
	char *msg;
	int approved_by_us = 0, approved = 0;
	kj_err ae = {0};

	*cert_pem = NULL;
	if (name_out)
		*name_out = NULL;
	if (o->name) {
		snprintf(name, sizeof(name), "%s", o->name);
	} else {
		char rnd[6];

		kj_random_suffix(rnd, 5);
		rnd[5] = '\0';
		snprintf(name, sizeof(name), "kubejit-%s", rnd);
	}
	if (kube_csr_create(kc, name, csr_pem, NULL, o->expiration_seconds, NULL, e) < 0) {
		if (e->cls == KJ_ERR_DENIED)
			kj_err_hint(e, _("the credentials used to submit the request may not create"
			                 " certificatesigningrequests; use an admin context (--context)"));
		return kj_err_prefix(e, _("submitting certificate request %s"), name);
	}
	if (name_out)
		*name_out = kj_xstrdup(name);

	/* approving needs `update certificatesigningrequests/approval` and
	 * `approve` on the signer; just try, and fall back to an admin */
	if (kube_csr_approve(kc, name, "KubejitApprove", "approved by kubejit target add", &ae) == 0) {
		approved_by_us = 1;
	} else if (ae.cls == KJ_ERR_DENIED && o->own_approval_only) {
		forget_csr(kc, name);
		*e = ae;
		return kj_err_prefix(e, _("approving certificate request %s"), name);
	} else if (ae.cls == KJ_ERR_DENIED) {
		msg =
		    kj_xasprintf(_("certificate request %s waits for approval; an admin can approve it with:"
		                   "  kubectl certificate approve %s"),
		                 name, name);
		if (say(o, msg)) {
			free(msg);
			forget_csr(kc, name);
			return kj_err_set(e, KJ_ERR_CANCELLED,
			                  _("cancelled while certificate request %s waited"), name);
		}
		free(msg);
	} else {
		forget_csr(kc, name);
		*e = ae;
		return kj_err_prefix(e, _("approving certificate request %s"), name);
	}

	/* Two waits: approval (a person or kubejit) and issuance (the signer
	 * controller in kube-controller-manager, a moment after approval —
	 * pkg/controller/certificates/signer/signer.go — or never, where the
	 * controller manager has no --cluster-signing-* keys). */
	deadline = kj_mono_ms() + timeout * 1000;
	for (;;) {
		cJSON *obj = NULL;
		char *why = NULL;
		enum kube_csr_state st;

		if (kube_get(kc, KUBE_CSR, NULL, name, &obj, e) < 0) {
			forget_csr(kc, name);
			return kj_err_prefix(e, _("reading certificate request %s"), name);
		}
		st = kube_csr_state_of(obj, cert_pem, &why);
		cJSON_Delete(obj);
		if (st == KUBE_CSR_ISSUED && *cert_pem)
			return 0;
		if (st == KUBE_CSR_DENIED || st == KUBE_CSR_FAILED) {
			kj_err_set(e, KJ_ERR_DENIED,
			           st == KUBE_CSR_DENIED ? _("certificate request %s was denied%s%s")
			                                 : _("certificate request %s failed%s%s"),
			           name, why ? ": " : "", why ? why : "");
			kj_err_hint(e, _("ask the cluster admin why, or make a new request with 'kubejit "
			                 "target add --csr'"));
			free(why);
			forget_csr(kc, name);
			return -1;
		}
		free(why);
		if (st == KUBE_CSR_APPROVED && !approved) {
			/* approval is in: the signer gets its own, shorter wait */
			approved = 1;
			deadline = kj_mono_ms() + issue * 1000;
			if (!approved_by_us) {
				msg = kj_xasprintf(_("certificate request %s was approved; waiting for the "
				                     "signer to issue the certificate"),
				                   name);
				if (say(o, msg)) {
					free(msg);
					forget_csr(kc, name);
					return kj_err_set(e, KJ_ERR_CANCELLED,
					                  _("cancelled while certificate request %s waited"),
					                  name);
				}
				free(msg);
			}
		}
		if (kj_mono_ms() >= deadline)
			break;
		if (say(o, NULL)) {
			forget_csr(kc, name);
			return kj_err_set(e, KJ_ERR_CANCELLED,
			                  _("cancelled while certificate request %s waited"), name);
		}
		usleep((useconds_t)(poll * 1000));
	}
	forget_csr(kc, name);
	if (approved) {
		kj_err_set(
		    e, KJ_ERR_FAIL,
		    _("certificate request %s was approved, but no certificate was issued within %llds: "
		      "the cluster does not run the kubernetes.io/kube-apiserver-client signer"),
		    name, (long long)issue);
		return kj_err_hint(
		    e, _("many managed clusters never sign these requests (their controller manager has no "
		         "--cluster-signing-* keys for this signer); use a token target instead: 'kubejit "
		         "target bootstrap NAME --mode fixed|dynamic' makes one with an admin context, or "
		         "'kubejit target add NAME --token-file F' takes a ServiceAccount token; a slow "
		         "signer may need a longer --issue-timeout"));
	}
	kj_err_set(e, KJ_ERR_FAIL, _("certificate request %s was not approved within %llds"), name,
	           (long long)timeout);
	return kj_err_hint(
	    e, _("have an admin run 'kubectl certificate approve <name>' while kubejit waits, or wait"
	         " longer with --approve-timeout"));
}
