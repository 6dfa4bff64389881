/* reqcrypt: ECDH P-256 + HKDF-SHA256 + AES-256-GCM (see reqcrypt.h). */
#include "engine/reqcrypt.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "engine/csr.h"
#include "util/b64.h"
#include "util/i18n.h"
#include "util/names.h"
#include "util/strbuf.h"

#define POINT_LEN 65 /* uncompressed P-256 point */
#define NONCE_LEN 12
#define TAG_LEN   16
#define KEY_LEN   32
#define HKDF_INFO "kubejit access request v1"

int reqcrypt_keygen(const char *cn, char **key_pem, char **csr_pem, kj_err *e)
{
	return csr_make(TARGET_KEY_EC_P256, cn && *cn ? cn : "kubejit-access-request", NULL, key_pem, csr_pem,
	                e);
}

static X509_REQ *read_req(const char *pem)
{
	BIO *b = pem ? BIO_new_mem_buf(pem, -1) : NULL;
	X509_REQ *r = b ? PEM_read_bio_X509_REQ(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return r;
}

static int is_p256(EVP_PKEY *k)
{
	char group[32];
	size_t n = 0;

	return k && EVP_PKEY_is_a(k, "EC") &&
	       EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &n) == 1 &&
	       !strcmp(group, "prime256v1");
}

/* The request's public key when the request is sound, else NULL. */
static EVP_PKEY *req_key(const char *csr_pem, kj_err *e)
{
	X509_REQ *r = read_req(csr_pem);
	EVP_PKEY *k = r ? X509_REQ_get_pubkey(r) : NULL;

	if (!r) {
		kj_err_set(e, KJ_ERR_INVALID,
		           _("the request's spec.request is not a PEM certificate request"));
	} else if (!is_p256(k)) {
		kj_err_set(e, KJ_ERR_INVALID, _("the request's public key is not a P-256 key"));
	} else if (X509_REQ_verify(r, k) != 1) {
		kj_err_set(e, KJ_ERR_INVALID,
		           _("the request's certificate request is not signed by its own key"));
	} else {
		X509_REQ_free(r);
		ERR_clear_error();
		return k;
	}
	kj_err_hint(e, _("it was not made by kubejit; deny it, and ask the requester to run "
	                 "'kubejit request' again"));
	EVP_PKEY_free(k);
	X509_REQ_free(r);
	ERR_clear_error();
	return NULL;
}

int reqcrypt_check_csr(const char *csr_pem, kj_err *e)
{
	EVP_PKEY *k = req_key(csr_pem, e);

	EVP_PKEY_free(k);
	return k ? 0 : -1;
}

char *reqcrypt_aad(const char *name, const char *uid)
{
	return kj_xasprintf("kubejit.io/access-request\n%s\n%s", name ? name : "", uid ? uid : "");
}

static int point_of(EVP_PKEY *k, unsigned char out[POINT_LEN])
{
	size_t n = 0;

	return EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, out, POINT_LEN, &n) == 1 &&
	               n == POINT_LEN
	           ? 0
	           : -1;
}

/* HKDF-SHA256 over the ECDH secret of `mine` and `peer`; the salt is the
 * ephemeral point followed by the recipient's point. */
static int derive(EVP_PKEY *mine, EVP_PKEY *peer, const unsigned char eph[POINT_LEN],
                  const unsigned char rcpt[POINT_LEN], unsigned char key[KEY_LEN])
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(mine, NULL), *h = NULL;
	unsigned char z[32], salt[2 * POINT_LEN];
	size_t zn = sizeof z, kn = KEY_LEN;
	int ok;

	ok = c && EVP_PKEY_derive_init(c) == 1 && EVP_PKEY_derive_set_peer(c, peer) == 1 &&
	     EVP_PKEY_derive(c, z, &zn) == 1 && zn == sizeof z;
	EVP_PKEY_CTX_free(c);
	memcpy(salt, eph, POINT_LEN);
	memcpy(salt + POINT_LEN, rcpt, POINT_LEN);
	ok = ok && (h = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL)) && EVP_PKEY_derive_init(h) == 1 &&
	     EVP_PKEY_CTX_set_hkdf_md(h, EVP_sha256()) == 1 &&
	     EVP_PKEY_CTX_set1_hkdf_salt(h, salt, sizeof salt) == 1 &&
	     EVP_PKEY_CTX_set1_hkdf_key(h, z, (int)zn) == 1 &&
	     EVP_PKEY_CTX_add1_hkdf_info(h, (const unsigned char *)HKDF_INFO, (int)strlen(HKDF_INFO)) == 1 &&
	     EVP_PKEY_derive(h, key, &kn) == 1 && kn == KEY_LEN;
	EVP_PKEY_CTX_free(h);
	kj_wipe(z, sizeof z);
	return ok ? 0 : -1;
}

static EVP_PKEY *read_key(const char *pem)
{
	BIO *b = pem ? BIO_new_mem_buf(pem, -1) : NULL;
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return k;
}

static EVP_PKEY *new_p256(void)
{
	return EVP_EC_gen("P-256");
}

static int seal_key(EVP_PKEY *rcpt, EVP_PKEY *eph, const unsigned char nonce[NONCE_LEN], const char *aad,
                    const char *plain, char **out, kj_err *e)
{
	size_t n = strlen(plain), total = POINT_LEN + NONCE_LEN + n + TAG_LEN;
	unsigned char *buf = kj_xmalloc(total), rp[POINT_LEN], key[KEY_LEN];
	EVP_CIPHER_CTX *c = NULL;
	int len = 0, ok;
	char *b64;

	*out = NULL;
	ok = is_p256(eph) && point_of(eph, buf) == 0 && point_of(rcpt, rp) == 0 &&
	     derive(eph, rcpt, buf, rp, key) == 0;
	memcpy(buf + POINT_LEN, nonce, NONCE_LEN);
	ok = ok && (c = EVP_CIPHER_CTX_new()) &&
	     EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, buf + POINT_LEN) == 1 &&
	     EVP_EncryptUpdate(c, NULL, &len, (const unsigned char *)aad, (int)strlen(aad)) == 1 &&
	     EVP_EncryptUpdate(c, buf + POINT_LEN + NONCE_LEN, &len, (const unsigned char *)plain, (int)n) ==
	         1 &&
	     EVP_EncryptFinal_ex(c, buf + POINT_LEN + NONCE_LEN + len, &len) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, buf + POINT_LEN + NONCE_LEN + n) == 1;
	EVP_CIPHER_CTX_free(c);
	kj_wipe(key, sizeof key);
	if (ok) {
		b64 = kj_b64_encode(buf, total);
		*out = kj_xasprintf(REQCRYPT_PREFIX "%s", b64);
		free(b64);
	}
	kj_wipe(buf, total);
	free(buf);
	ERR_clear_error();
	if (!ok)
		return kj_err_set(e, KJ_ERR_FAIL, _("OpenSSL could not encrypt the credential"));
	return 0;
}

int reqcrypt_seal_with(const char *csr_pem, const char *eph_key_pem, const unsigned char nonce[12],
                       const char *aad, const char *plain, char **out, kj_err *e)
{
	EVP_PKEY *rcpt = req_key(csr_pem, e), *eph;
	int rc;

	*out = NULL;
	if (!rcpt)
		return -1;
	eph = read_key(eph_key_pem);
	if (!eph) {
		EVP_PKEY_free(rcpt);
		return kj_err_set(e, KJ_ERR_INVALID, _("the ephemeral key is not a PEM private key"));
	}
	rc = seal_key(rcpt, eph, nonce, aad, plain, out, e);
	EVP_PKEY_free(eph);
	EVP_PKEY_free(rcpt);
	return rc;
}

int reqcrypt_seal(const char *csr_pem, const char *aad, const char *plain, char **out, kj_err *e)
{
	EVP_PKEY *rcpt = req_key(csr_pem, e), *eph;
	unsigned char nonce[NONCE_LEN];
	int rc;

	*out = NULL;
	if (!rcpt)
		return -1;
	eph = new_p256();
	if (!eph) {
		EVP_PKEY_free(rcpt);
		return kj_err_set(e, KJ_ERR_FAIL, _("OpenSSL could not generate an EC P-256 key"));
	}
	kj_random_bytes(nonce, sizeof nonce);
	rc = seal_key(rcpt, eph, nonce, aad, plain, out, e);
	EVP_PKEY_free(eph); /* the ephemeral key is forgotten: only the requester can open */
	EVP_PKEY_free(rcpt);
	return rc;
}

/* The public key of a P-256 point. */
static EVP_PKEY *point_key(const unsigned char p[POINT_LEN])
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *k = NULL;
	OSSL_PARAM params[3];

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"prime256v1", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)p, POINT_LEN);
	params[2] = OSSL_PARAM_construct_end();
	if (!c || EVP_PKEY_fromdata_init(c) != 1 ||
	    EVP_PKEY_fromdata(c, &k, EVP_PKEY_PUBLIC_KEY, params) != 1)
		k = NULL;
	EVP_PKEY_CTX_free(c);
	return k;
}

int reqcrypt_open(const char *key_pem, const char *aad, const char *sealed, char **plain, kj_err *e)
{
	size_t n = 0, plen = strlen(REQCRYPT_PREFIX);
	unsigned char *buf, rp[POINT_LEN], key[KEY_LEN];
	EVP_PKEY *mine = NULL, *eph = NULL;
	EVP_CIPHER_CTX *c = NULL;
	char *out = NULL;
	int len = 0, ok;

	*plain = NULL;
	buf = sealed && !strncmp(sealed, REQCRYPT_PREFIX, plen) ? kj_b64_decode(sealed + plen, &n) : NULL;
	if (!buf || n < POINT_LEN + NONCE_LEN + TAG_LEN) {
		free(buf);
		kj_err_set(e, KJ_ERR_INVALID, _("the request's credential is not a kubejit sealed text"));
		return kj_err_hint(e, _("someone changed the request in the cluster; ask for a new one"));
	}
	mine = read_key(key_pem);
	eph = point_key(buf);
	ok = mine && eph && is_p256(mine) && point_of(mine, rp) == 0 && derive(mine, eph, buf, rp, key) == 0;
	n -= POINT_LEN + NONCE_LEN + TAG_LEN;
	out = kj_xmalloc(n + 1);
	ok = ok && (c = EVP_CIPHER_CTX_new()) &&
	     EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, buf + POINT_LEN) == 1 &&
	     EVP_DecryptUpdate(c, NULL, &len, (const unsigned char *)aad, (int)strlen(aad)) == 1 &&
	     EVP_DecryptUpdate(c, (unsigned char *)out, &len, buf + POINT_LEN + NONCE_LEN, (int)n) == 1 &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, buf + POINT_LEN + NONCE_LEN + n) == 1 &&
	     EVP_DecryptFinal_ex(c, (unsigned char *)out + len, &len) == 1;
	EVP_CIPHER_CTX_free(c);
	EVP_PKEY_free(mine);
	EVP_PKEY_free(eph);
	kj_wipe(key, sizeof key);
	free(buf);
	ERR_clear_error();
	if (!ok) {
		kj_wipe(out, n + 1);
		free(out);
		kj_err_set(e, KJ_ERR_AUTH, _("the request's credential does not open with this home's key"));
		return kj_err_hint(e, _("it was sealed to another key or changed in the cluster; ask for a "
		                        "new request"));
	}
	out[n] = '\0';
	*plain = out;
	return 0;
}
