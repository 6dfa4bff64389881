#include "store/seal.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/b64.h"
#include "util/i18n.h"
#include "util/names.h"
#include "util/strbuf.h"

#define NONCE_LEN 12
#define TAG_LEN   16

const struct seal_kdf seal_kdf_current = {1u << 17, 8, 1};
const struct seal_kdf seal_kdf_v1 = {1u << 15, 8, 1};

char *seal_kdf_format(const struct seal_kdf *k)
{
	return kj_xasprintf("scrypt:N=%llu:r=%u:p=%u", (unsigned long long)k->n, k->r, k->p);
}

int seal_kdf_parse(const char *text, struct seal_kdf *out, kj_err *e)
{
	unsigned long long n;
	unsigned r, p;
	int used = 0;

	if (!text) {
		*out = seal_kdf_v1;
		return 0;
	}
	/* bounds: a store someone else wrote must not cost us more than 1 GiB
	 * or minutes of work, nor get away with less than the old default */
	if (sscanf(text, "scrypt:N=%llu:r=%u:p=%u%n", &n, &r, &p, &used) != 3 || text[used] ||
	    n < (1u << 15) || n > (1u << 20) || (n & (n - 1)) || r < 8 || r > 32 || p < 1 || p > 16 ||
	    128ull * n * r > (1ull << 30))
		return kj_err_set(e, KJ_ERR_FAIL, _("the store's sealing parameters are damaged (\"%s\")"),
		                  text);
	out->n = n;
	out->r = r;
	out->p = p;
	return 0;
}

int seal_derive_kdf(const char *passphrase, const unsigned char salt[SEAL_SALT_LEN], const struct seal_kdf *k,
                    unsigned char key[SEAL_KEY_LEN], kj_err *e)
{
	if (!passphrase || !*passphrase) {
		kj_err_set(e, KJ_ERR_USAGE, _("the passphrase is empty"));
		return kj_err_hint(e, _("give a passphrase of at least one character"));
	}
	/* work memory 128 * N * r bytes (128 MiB today), with room to spare */
	if (EVP_PBE_scrypt(passphrase, strlen(passphrase), salt, SEAL_SALT_LEN, k->n, k->r, k->p,
	                   256ull * k->n * k->r + (1u << 20), key, SEAL_KEY_LEN) != 1)
		return kj_err_set(e, KJ_ERR_FAIL,
		                  _("OpenSSL could not derive a key from the passphrase (scrypt)"));
	return 0;
}

int seal_derive(const char *passphrase, const unsigned char salt[SEAL_SALT_LEN],
                unsigned char key[SEAL_KEY_LEN], kj_err *e)
{
	return seal_derive_kdf(passphrase, salt, &seal_kdf_current, key, e);
}

int seal_is_sealed(const char *s)
{
	return s && (!strncmp(s, SEAL_PREFIX, strlen(SEAL_PREFIX)) || seal_is_sealed_v1(s));
}

int seal_is_sealed_v1(const char *s)
{
	return s && !strncmp(s, SEAL_PREFIX_V1, strlen(SEAL_PREFIX_V1));
}

char *seal_ad(const char *table, const char *row, const char *column)
{
	/* NUL-free separators that cannot occur in names: "a|b" never equals "a" + "|b" */
	return kj_xasprintf("kubejit-seal-v2\x1f%s\x1f%s\x1f%s", table, row, column);
}

char *seal_encrypt_ad(const unsigned char key[SEAL_KEY_LEN], const char *ad, const char *plain)
{
	size_t len = strlen(plain);
	unsigned char *buf = kj_xmalloc(NONCE_LEN + len + TAG_LEN);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	char *b64, *out = NULL;
	int n = 0, fin = 0, adn = 0;

	kj_random_bytes(buf, NONCE_LEN);
	if (ctx && EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1 &&
	    EVP_EncryptInit_ex(ctx, NULL, NULL, key, buf) == 1 &&
	    (!ad || EVP_EncryptUpdate(ctx, NULL, &adn, (const unsigned char *)ad, (int)strlen(ad)) == 1) &&
	    EVP_EncryptUpdate(ctx, buf + NONCE_LEN, &n, (const unsigned char *)plain, (int)len) == 1 &&
	    EVP_EncryptFinal_ex(ctx, buf + NONCE_LEN + n, &fin) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, buf + NONCE_LEN + n + fin) == 1) {
		b64 = kj_b64_encode(buf, NONCE_LEN + (size_t)n + (size_t)fin + TAG_LEN);
		out = kj_xasprintf("%s%s", SEAL_PREFIX, b64);
		free(b64);
	}
	EVP_CIPHER_CTX_free(ctx);
	kj_wipe(buf, NONCE_LEN + len + TAG_LEN);
	free(buf);
	if (!out)
		abort(); /* AES-GCM with valid parameters does not fail */
	return out;
}

char *seal_encrypt(const unsigned char key[SEAL_KEY_LEN], const char *plain)
{
	return seal_encrypt_ad(key, NULL, plain);
}

int seal_decrypt_ad(const unsigned char key[SEAL_KEY_LEN], const char *ad, const char *sealed, char **plain,
                    kj_err *e)
{
	unsigned char *raw = NULL;
	size_t len = 0;
	EVP_CIPHER_CTX *ctx;
	char *out;
	int n = 0, fin = 0, adn = 0, ok;

	*plain = NULL;
	if (seal_is_sealed_v1(sealed))
		ad = NULL; /* the first format bound nothing */
	if (seal_is_sealed(sealed))
		raw = kj_b64_decode(sealed + strlen(SEAL_PREFIX), &len);
	if (!raw || len < NONCE_LEN + TAG_LEN) {
		free(raw);
		return kj_err_set(e, KJ_ERR_FAIL, _("a sealed value in the store is damaged"));
	}
	len -= NONCE_LEN + TAG_LEN;
	out = kj_xmalloc(len + 1);
	ctx = EVP_CIPHER_CTX_new();
	ok = ctx && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1 &&
	     EVP_DecryptInit_ex(ctx, NULL, NULL, key, raw) == 1 &&
	     (!ad || EVP_DecryptUpdate(ctx, NULL, &adn, (const unsigned char *)ad, (int)strlen(ad)) == 1) &&
	     EVP_DecryptUpdate(ctx, (unsigned char *)out, &n, raw + NONCE_LEN, (int)len) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, raw + NONCE_LEN + len) == 1 &&
	     EVP_DecryptFinal_ex(ctx, (unsigned char *)out + n, &fin) == 1;
	EVP_CIPHER_CTX_free(ctx);
	free(raw);
	if (!ok) {
		kj_wipe(out, len + 1);
		free(out);
		kj_err_set(e, KJ_ERR_AUTH, _("the passphrase does not open the store's sealed secrets"));
		return kj_err_hint(e, _("check the passphrase ($KUBEJIT_PASSPHRASE_FILE or the prompt)"));
	}
	out[n + fin] = '\0';
	*plain = out;
	return 0;
}

int seal_decrypt(const unsigned char key[SEAL_KEY_LEN], const char *sealed, char **plain, kj_err *e)
{
	return seal_decrypt_ad(key, NULL, sealed, plain, e);
}
