/* names: Kubernetes name rules, slugs and random identifiers.
 *
 * Checks return 1 when valid, 0 otherwise.  Random helpers use OpenSSL's
 * CSPRNG and abort if it fails. */
#ifndef KJ_UTIL_NAMES_H
#define KJ_UTIL_NAMES_H

#include <stddef.h>

int kj_is_dns1123_label(const char *s);     /* ≤63, [a-z0-9]([-a-z0-9]*[a-z0-9])? */
int kj_is_dns1123_subdomain(const char *s); /* ≤253, labels joined by '.' */

/* Lower-case DNS-label slug of free text ("/prod/Read Pods" -> "prod-read-pods"),
 * at most `max` chars (≤ n-1), never empty ("x" if nothing usable). */
void kj_slug(const char *s, size_t max, char *out, size_t n);

/* `n` random chars from "bcdfghjklmnpqrstvwxz2456789" (Kubernetes' alphabet). */
void kj_random_suffix(char *out, size_t n_chars);
/* RFC 4122 version 4 UUID, 36 chars + NUL. */
void kj_uuid4(char out[37]);
/* Fill with cryptographically random bytes. */
void kj_random_bytes(void *p, size_t n);

/* Shell-style glob match on names: '*' any run, '?' one char.  1 on match. */
int kj_glob_match(const char *pattern, const char *s);

#endif
