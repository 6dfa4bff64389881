#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/i18n.h"
#include "util/strbuf.h"

#define READ_MAX_DEFAULT (16u << 20)

static int file_read(const char *path, size_t max, int cut, char **out, size_t *len, kj_err *e)
{
	char chunk[4096];
	FILE *f;
	kj_buf b;
	size_t n;
	int err, err_no;

	*out = NULL;
	if (!max)
		max = READ_MAX_DEFAULT;
	f = fopen(path, "re");
	if (!f) {
		err = errno;
		kj_err_set(e, err == ENOENT ? KJ_ERR_NOTFOUND : KJ_ERR_FAIL, _("cannot read %s: %s"), path,
		           strerror(err));
		kj_err_hint(e, _("check the path and that you may read it"));
		errno = err;
		return -1;
	}
	kj_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len <= max)
		kj_buf_add(&b, chunk, n);
	err = ferror(f);
	err_no = errno;
	kj_wipe(chunk, sizeof(chunk));
	fclose(f);
	if (err) {
		kj_buf_done(&b);
		kj_err_set(e, KJ_ERR_FAIL, _("cannot read %s: %s"), path, strerror(err_no ? err_no : EIO));
		kj_err_hint(e, _("give a regular file that you may read"));
		errno = EIO;
		return -1;
	}
	if (b.len > max && !cut) {
		kj_buf_done(&b);
		kj_err_set(e, KJ_ERR_INVALID, _("%s is larger than %zu bytes"), path, max);
		kj_err_hint(e, _("give the file meant here; it is far smaller"));
		errno = EFBIG;
		return -1;
	}
	if (b.len > max) {
		kj_wipe(b.data + max, b.len - max);
		b.len = max;
		b.data[max] = '\0';
	}
	if (len)
		*len = b.len;
	*out = kj_buf_steal(&b);
	return 0;
}

int kj_file_read(const char *path, size_t max, char **out, size_t *len, kj_err *e)
{
	return file_read(path, max, 0, out, len, e);
}

int kj_file_read_head(const char *path, size_t max, char **out, size_t *len, kj_err *e)
{
	return file_read(path, max, 1, out, len, e);
}

int kj_file_read_line(const char *path, size_t max, char **out, kj_err *e)
{
	char *all;
	size_t len, n;

	if (file_read(path, max, 1, &all, &len, e) < 0) {
		*out = NULL;
		return -1;
	}
	n = strcspn(all, "\r\n");
	*out = kj_xstrndup(all, n);
	kj_wipe(all, len);
	free(all);
	return 0;
}

int kj_file_write_private(const char *path, const char *data, size_t len, int force, kj_err *e)
{
	char *dup = kj_xstrdup(path), *tmp;
	const char *dir = dirname(dup);
	size_t off = 0;
	int fd, rc = -1;

	if (!force && access(path, F_OK) == 0) {
		free(dup);
		kj_err_set(e, KJ_ERR_CONFLICT, _("%s already exists; not overwriting it"), path);
		return kj_err_hint(e, _("pass --force to replace it, or choose another file"));
	}
	tmp = kj_xasprintf("%s/.kubejit-tmp.XXXXXX", dir);
	free(dup);
	fd = mkstemp(tmp); /* mkstemp creates 0600 */
	if (fd < 0) {
		kj_err_set(e, KJ_ERR_FAIL, _("cannot write in the folder of %s: %s"), path, strerror(errno));
		free(tmp);
		return kj_err_hint(e, _("check that the folder exists and is writable"));
	}
	(void)fchmod(fd, 0600);
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			kj_err_set(e, KJ_ERR_FAIL, _("writing %s: %s"), path, strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0) {
		kj_err_set(e, KJ_ERR_FAIL, _("writing %s: %s"), path, strerror(errno));
		goto out;
	}
	if (force) {
		if (rename(tmp, path) < 0) {
			kj_err_set(e, KJ_ERR_FAIL, _("cannot replace %s: %s"), path, strerror(errno));
			goto out;
		}
	} else if (link(tmp, path) < 0) {
		/* link() never replaces: a file created meanwhile is not clobbered */
		if (errno == EEXIST) {
			kj_err_set(e, KJ_ERR_CONFLICT, _("%s already exists; not overwriting it"), path);
			kj_err_hint(e, _("pass --force to replace it, or choose another file"));
		} else {
			kj_err_set(e, KJ_ERR_FAIL, _("cannot create %s: %s"), path, strerror(errno));
		}
		goto out;
	}
	rc = 0;
out:
	close(fd);
	unlink(tmp); /* after rename this is a no-op (ENOENT) */
	free(tmp);
	return rc;
}
