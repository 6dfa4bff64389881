/* file: whole files in and out, secrets included.
 *
 * kj_file_read() reads a whole file into a NUL-terminated heap string; the
 * read buffer is wiped, so the caller only has to wipe the result when it
 * holds a secret (kj_free_secret).  kj_file_write_private() writes a file
 * only its owner can read (0600): through a temporary file in the same
 * folder, fsync'd, then moved into place, so a reader never sees half a
 * file.  Without `force` an existing file is never replaced, not even one
 * created meanwhile (the temporary file is hard-linked, which fails on an
 * existing name).  Both return 0, or -1 with `e` naming the path. */
#ifndef KJ_UTIL_FILE_H
#define KJ_UTIL_FILE_H

#include <stddef.h>

#include "util/err.h"

/* `max` bytes at most (0: 16 MiB): a larger file is KJ_ERR_INVALID.  A
 * missing file is KJ_ERR_NOTFOUND.  `len` may be NULL.  On failure errno
 * says why (ENOENT, EACCES, EIO, EFBIG for a file over `max`), for callers
 * that word their own message. */
int kj_file_read(const char *path, size_t max, char **out, size_t *len, kj_err *e);
/* The same, but a file longer than `max` (0: 16 MiB) is cut at `max` bytes
 * instead of refused: for small files read for their start. */
int kj_file_read_head(const char *path, size_t max, char **out, size_t *len, kj_err *e);
/* The first line of the file, its line ending removed (the rule of `pass`
 * and other password files), from its first `max` bytes at most.  The
 * buffer read is wiped: the line may be a secret. */
int kj_file_read_line(const char *path, size_t max, char **out, kj_err *e);

/* An existing `path` without `force`: KJ_ERR_CONFLICT, with a hint to pass
 * --force. */
int kj_file_write_private(const char *path, const char *data, size_t len, int force, kj_err *e);

#endif
