/* jwt: decode (never verify) a JSON Web Token's header and claims, so the
 * front ends can show what a minted token says.  The token itself is not
 * kept.  Returned cJSON trees are owned by the caller (cJSON_Delete). */
#ifndef KJ_UTIL_JWT_H
#define KJ_UTIL_JWT_H

#include <cjson/cJSON.h>

#include "util/err.h"

/* Split and decode; header and/or claims may be NULL if unwanted. */
int kj_jwt_decode(const char *token, cJSON **header, cJSON **claims, kj_err *e);

/* SHA-256 of the token as lower-case hex (65 bytes incl. NUL). */
void kj_token_fingerprint(const char *token, char out[65]);

#endif
