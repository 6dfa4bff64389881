#include "store/seal.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "util/b64.h"
#include "util/i18n.h"
#include "util/names.h"
#include "util/strbuf.h"

#define NONCE_LEN 12
#define TAG_LEN   16

int seal_derive(const char *passphrase, const unsigned char salt[SEAL_SALT_LEN],
                unsigned char key[SEAL_KEY_LEN], kj_err *e)
{
	if (!passphrase || !*passphrase) {
		kj_err_set(e, KJ_ERR_USAGE, _("the passphrase is empty"));
		return kj_err_hint(e, _("give a passphrase of at least one character"));
	}
	/* 2^15 * 8 * 128 bytes = 32 MiB of work memory, ~0.1 s */
	if (EVP_PBE_scrypt(passphrase, strlen(passphrase), salt, SEAL_SALT_LEN, 1u << 15, 8, 1, 64u << 20,
	                   key, SEAL_KEY_LEN) != 1)
		return kj_err_set(e, KJ_ERR_FAIL,
		                  _("OpenSSL could not derive a key from the passphrase (scrypt)"));
	return 0;
}

int seal_is_sealed(const char *s)
{
	return s && !strncmp(s, SEAL_PREFIX, strlen(SEAL_PREFIX));
}

char *seal_encrypt(const unsigned char key[SEAL_KEY_LEN], const char *plain)
{
	size_t len = strlen(plain);
	unsigned char *buf = kj_xmalloc(NONCE_LEN + len + TAG_LEN);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	char *b64, *out = NULL;
	int n = 0, fin = 0;

	kj_random_bytes(buf, NONCE_LEN);
	if (ctx && EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) == 1 &&
	    EVP_EncryptInit_ex(ctx, NULL, NULL, key, buf) == 1 &&
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

int seal_decrypt(const unsigned char key[SEAL_KEY_LEN], const char *sealed, char **plain, kj_err *e)
{
	unsigned char *raw;
	size_t len;
	EVP_CIPHER_CTX *ctx;
	char *out;
	int n = 0, fin = 0, ok;

	*plain = NULL;
	raw = seal_is_sealed(sealed) ? kj_b64_decode(sealed + strlen(SEAL_PREFIX), &len) : NULL;
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
