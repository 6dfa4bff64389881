/* seal: passphrase encryption of secret material at rest.
 *
 * A key is derived from the passphrase with scrypt and a random 16-byte
 * salt kept in the store, beside the scrypt parameters it was made with
 * (struct seal_kdf: N = 2^17, r = 8, p = 1 today; stores sealed before the
 * parameters were kept used N = 2^15 and still open).  Values are sealed
 * with AES-256-GCM under a fresh 12-byte nonce each, and stored as text:
 * "kjseal2:" + base64(nonce | ciphertext | tag).  The associated data binds
 * a value to where it is kept (table, row, column: seal_ad()), so a sealed
 * value copied into another row or column fails the tag check like a
 * changed one.  Values of the first format, "kjseal1:", carry no associated
 * data; they still open (the engine re-seals them in the new format).
 *
 * Pure functions on caller memory, thread-safe.  Returned strings are
 * malloc'd; plaintext results are secrets (kj_free_secret). */
#ifndef KJ_STORE_SEAL_H
#define KJ_STORE_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define SEAL_PREFIX    "kjseal2:"
#define SEAL_PREFIX_V1 "kjseal1:"
#define SEAL_KEY_LEN   32
#define SEAL_SALT_LEN  16

/* scrypt cost.  Text form (kept beside the salt): "scrypt:N=131072:r=8:p=1". */
struct seal_kdf {
	uint64_t n;
	uint32_t r, p;
};
extern const struct seal_kdf seal_kdf_current; /* what new seals use */
extern const struct seal_kdf seal_kdf_v1;      /* stores that kept no parameters */
char *seal_kdf_format(const struct seal_kdf *k);
/* NULL text = seal_kdf_v1.  KJ_ERR_FAIL on text that is not ours or whose
 * cost is out of bounds (a hostile store must not make us allocate 1 TiB). */
int seal_kdf_parse(const char *text, struct seal_kdf *out, kj_err *e);

int seal_derive_kdf(const char *passphrase, const unsigned char salt[SEAL_SALT_LEN], const struct seal_kdf *k,
                    unsigned char key[SEAL_KEY_LEN], kj_err *e);
/* seal_derive_kdf() with seal_kdf_current. */
int seal_derive(const char *passphrase, const unsigned char salt[SEAL_SALT_LEN],
                unsigned char key[SEAL_KEY_LEN], kj_err *e);

/* The associated data of a value kept in table/row/column (malloc'd). */
char *seal_ad(const char *table, const char *row, const char *column);
/* `ad` NULL = none.  Always the current format. */
char *seal_encrypt_ad(const unsigned char key[SEAL_KEY_LEN], const char *ad, const char *plain);
/* KJ_ERR_AUTH when the key is wrong, the value was changed or it belongs
 * elsewhere (another `ad`).  A "kjseal1:" value is opened without `ad`. */
int seal_decrypt_ad(const unsigned char key[SEAL_KEY_LEN], const char *ad, const char *sealed, char **plain,
                    kj_err *e);
char *seal_encrypt(const unsigned char key[SEAL_KEY_LEN], const char *plain); /* ad NULL */
int seal_decrypt(const unsigned char key[SEAL_KEY_LEN], const char *sealed, char **plain, kj_err *e);
int seal_is_sealed(const char *s);    /* either format */
int seal_is_sealed_v1(const char *s); /* the first format, without associated data */

#endif
