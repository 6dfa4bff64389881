/* seal: passphrase encryption of secret material at rest.
 *
 * A key is derived from the passphrase with scrypt (N=2^15, r=8, p=1) and a
 * random 16-byte salt kept in the store; values are sealed with
 * AES-256-GCM under a fresh 12-byte nonce each, and stored as text:
 * "kjseal1:" + base64(nonce | ciphertext | tag).  A wrong passphrase or a
 * changed value fails the tag check.
 *
 * Pure functions on caller memory, thread-safe.  Returned strings are
 * malloc'd; plaintext results are secrets (kj_free_secret). */
#ifndef KJ_STORE_SEAL_H
#define KJ_STORE_SEAL_H

#include <stddef.h>

#include "util/err.h"

#define SEAL_PREFIX   "kjseal1:"
#define SEAL_KEY_LEN  32
#define SEAL_SALT_LEN 16

int seal_derive(const char *passphrase, const unsigned char salt[SEAL_SALT_LEN],
                unsigned char key[SEAL_KEY_LEN], kj_err *e);
char *seal_encrypt(const unsigned char key[SEAL_KEY_LEN], const char *plain);
/* KJ_ERR_AUTH when the key is wrong or the value was changed. */
int seal_decrypt(const unsigned char key[SEAL_KEY_LEN], const char *sealed, char **plain, kj_err *e);
int seal_is_sealed(const char *s); /* starts with SEAL_PREFIX */

#endif
