/* ttl: durations as people type them ("90s", "15m", "2h", "1d", "1h30m").
 *
 * Pure functions over caller buffers; no allocation. */
#ifndef KJ_UTIL_TTL_H
#define KJ_UTIL_TTL_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Parse a duration into seconds.  Accepts one or more <integer><unit> groups
 * with units s, m, h, d (e.g. "1h30m"); a bare integer means seconds.
 * `what` names the field in errors ("--ttl").  Zero and negative values are
 * refused.  Returns 0 or -1 with `e` filled (KJ_ERR_INVALID). */
int kj_ttl_parse(const char *s, const char *what, int64_t *out, kj_err *e);

/* Format seconds compactly: 90 -> "1m30s", 3600 -> "1h", 86400 -> "1d",
 * 0 -> "0s".  Negative values get a leading '-'. */
void kj_ttl_format(int64_t secs, char *buf, size_t n);

/* Kubernetes' HumanDuration (kubectl AGE column): "45s", "5m30s", "3h", "2d4h". */
void kj_ttl_human(int64_t secs, char *buf, size_t n);

#endif
