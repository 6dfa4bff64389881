/* b64: standard and URL-safe base64.  Results are malloc'd, NUL-terminated
 * (decoded data may contain NULs; use *outlen).  Decoders accept missing
 * padding and ignore ASCII whitespace; they return NULL on bad input. */
#ifndef KJ_UTIL_B64_H
#define KJ_UTIL_B64_H

#include <stddef.h>

char *kj_b64_encode(const void *data, size_t len);
char *kj_b64url_encode(const void *data, size_t len); /* no padding */
unsigned char *kj_b64_decode(const char *s, size_t *outlen);
unsigned char *kj_b64url_decode(const char *s, size_t *outlen);

#endif
