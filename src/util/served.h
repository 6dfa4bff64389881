/* served: the last-served records of the exec-plugin cache (the rerun
 * signal of `kubejit get`, src/engine/execcache.h, EXECCACHE_RERUN_MS).
 *
 * One small file per cache entry: a line "<ms since the epoch> <parent pid>"
 * per recent serve, at most KJ_SERVED_MAX, newest last.  Written in place
 * without fsync and without a temporary file: a lost or torn record only
 * loses a signal, and the plugin's cached path stays free of an fsync.
 * Best effort both ways: errors are ignored.  libc only, so the kubejit
 * executable's own cached path (src/cli/fastget.c) uses it too. */
#ifndef KJ_UTIL_SERVED_H
#define KJ_UTIL_SERVED_H

#include <stdint.h>

#define KJ_SERVED_MAX 8

/* Record that the entry was handed to process `parent` now (mode 0600). */
void kj_served_mark(const char *path, long parent, int64_t window_ms);
/* 1 when `parent` was served less than `window_ms` ago, else 0. */
int kj_served_recently(const char *path, long parent, int64_t window_ms);

#endif
