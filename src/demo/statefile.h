/* statefile: the demo cluster's state directory, where its CA, keys and
 * tokens live.  Such a directory must be the user's alone: one that
 * another user owns or may write is refused (they could plant a CA or swap
 * a key for a symlink), and files are written to a fresh mkstemp() file,
 * 0600, then renamed over the name, so a symlink planted there is replaced,
 * never followed.  Thread-safe (no shared state). */
#ifndef KJ_DEMO_STATEFILE_H
#define KJ_DEMO_STATEFILE_H

#include <stddef.h>

#include "util/err.h"

/* Create `dir` 0700 if missing; refuse it if it is a symlink, not a
 * directory, not owned by the effective user, or group/world-writable. */
int demo_state_dir_check(const char *dir, kj_err *e);
/* Write `len` bytes to `path` as above. */
int demo_state_write(const char *path, const void *data, size_t len, kj_err *e);

/* Test suites only: when $KUBEJIT_TEST_SECRETS names a file, append `s`
 * (a token; for a PEM key, each base64 line of its body) to it, so a test
 * run at the end of `make check` can grep every log for every secret the
 * demo clusters made (tests/no-secrets.sh).  Does nothing otherwise. */
void demo_note_secret(const char *s);

#endif
