/* timeutil: RFC 3339 time stamps and the one clock kubejit reads.
 *
 * kj_now() is the wall clock in whole seconds; tests (and the demo cluster)
 * may shift it with kj_time_set_offset() to make TTLs pass without sleeping.
 * The offset is process-wide and atomic. */
#ifndef KJ_UTIL_TIMEUTIL_H
#define KJ_UTIL_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

int64_t kj_now(void);
void kj_time_set_offset(int64_t secs);
int64_t kj_time_offset(void);
/* Monotonic milliseconds, for timeouts and spinners (not shifted). */
int64_t kj_mono_ms(void);
/* The CLOCK_REALTIME time `ms` milliseconds from now, for
 * pthread_cond_timedwait(). */
struct timespec;
void kj_realtime_after(int64_t ms, struct timespec *ts);

/* "2025-01-02T03:04:05Z" (UTC, second precision); buf needs 21 bytes. */
void kj_time_rfc3339(int64_t t, char *buf, size_t n);
/* Parse RFC 3339 with optional fraction and Z or +hh:mm offset.  0 or -1. */
int kj_time_parse_rfc3339(const char *s, int64_t *out);

#endif
