/* reqcrypt: the end-to-end encryption of an access request's credential.
 *
 * The requester makes a P-256 key pair and puts the public key into the
 * PKCS#10 request of its CertificateSigningRequest (self-signed, so the
 * request proves it holds the private key).  The approver seals the
 * credential to that key:
 *   e     = a fresh P-256 key of the approver (never reused)
 *   z     = ECDH(e, requester public key)
 *   key   = HKDF-SHA256(ikm z, salt = E || R (uncompressed points),
 *                       info "kubejit access request v1", 32 bytes)
 *   c|tag = AES-256-GCM(key, nonce (12 random bytes), aad, plaintext)
 * and the text form is "kjreq1:" + base64(E (65) | nonce (12) | c | tag (16)).
 * The associated data names the request (reqcrypt_aad: its name and uid),
 * so a ciphertext moved to another request does not open.
 *
 * All through OpenSSL EVP.  Returned strings are malloc'd; private keys and
 * plaintexts are secrets (kj_free_secret).  Thread-safe. */
#ifndef KJ_ENGINE_REQCRYPT_H
#define KJ_ENGINE_REQCRYPT_H

#include <stddef.h>

#include "util/err.h"

#define REQCRYPT_PREFIX "kjreq1:"

/* A new P-256 key (PKCS#8 PEM) and a PKCS#10 request over it (PEM), signed
 * with it; `cn` is only a label (the API server records who asked). */
int reqcrypt_keygen(const char *cn, char **key_pem, char **csr_pem, kj_err *e);

/* Check a PKCS#10 request: it parses, its self-signature verifies and its
 * key is P-256.  KJ_ERR_INVALID otherwise. */
int reqcrypt_check_csr(const char *csr_pem, kj_err *e);

/* "kubejit.io/access-request\n<name>\n<uid>" (malloc'd). */
char *reqcrypt_aad(const char *name, const char *uid);

/* Seal `plain` to the public key in `csr_pem`. */
int reqcrypt_seal(const char *csr_pem, const char *aad, const char *plain, char **out, kj_err *e);
/* The same with a given ephemeral key (PEM) and nonce: for known-answer
 * tests only; never call it with a key or nonce used before. */
int reqcrypt_seal_with(const char *csr_pem, const char *eph_key_pem, const unsigned char nonce[12],
                       const char *aad, const char *plain, char **out, kj_err *e);

/* Open a sealed text with the requester's private key.  KJ_ERR_AUTH when
 * it does not open (another key, another request, changed on the way),
 * KJ_ERR_INVALID when it is not a sealed text at all. */
int reqcrypt_open(const char *key_pem, const char *aad, const char *sealed, char **plain, kj_err *e);

#endif
