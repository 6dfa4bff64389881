#include "demo/statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/file.h"
#include "util/i18n.h"
#include "util/strbuf.h"

int demo_state_dir_check(const char *dir, kj_err *e)
{
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return kj_err_set(e, KJ_ERR_FAIL, _("cannot create state directory %s: %s"), dir,
		                  strerror(errno));
	if (lstat(dir, &st) < 0)
		return kj_err_set(e, KJ_ERR_FAIL, _("cannot read state directory %s: %s"), dir,
		                  strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		kj_err_set(e, KJ_ERR_INVALID, _("state directory %s is not a directory (%s)"), dir,
		           S_ISLNK(st.st_mode) ? _("a symbolic link") : _("a file"));
		return kj_err_hint(e, _("give a directory of your own, or leave out --state"));
	}
	if (st.st_uid != geteuid()) {
		kj_err_set(e, KJ_ERR_INVALID,
		           _("state directory %s belongs to another user (uid %ld): its keys and tokens "
		             "cannot be trusted"),
		           dir, (long)st.st_uid);
		return kj_err_hint(e, _("give a directory of your own (mkdir -m 700 DIR), or leave out "
		                        "--state"));
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		kj_err_set(e, KJ_ERR_INVALID,
		           _("state directory %s may be written by other users (mode %04o): its keys "
		             "and tokens cannot be trusted"),
		           dir, (unsigned)(st.st_mode & 07777));
		return kj_err_hint(e, _("chmod 700 %s, or give a directory of your own"), dir);
	}
	return 0;
}

int demo_state_write(const char *path, const void *data, size_t len, kj_err *e)
{
	/* forced: a file (or a planted symlink) of that name is replaced by a
	 * rename, never followed */
	return kj_file_write_private(path, data, len, 1, e);
}

void demo_note_secret(const char *s)
{
	const char *path = getenv("KUBEJIT_TEST_SECRETS");
	kj_buf b;
	int fd;

	if (!path || !*path || !s || !*s)
		return;
	kj_buf_init(&b);
	if (strstr(s, "-----BEGIN")) {
		for (const char *p = s; *p;) {
			size_t n = strcspn(p, "\n");

			if (n >= 40 && strncmp(p, "-----", 5))
				kj_buf_printf(&b, "%.*s\n", (int)n, p);
			p += n;
			if (*p)
				p++;
		}
	} else {
		kj_buf_printf(&b, "%s\n", s);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		if (write(fd, b.data ? b.data : "", b.len) < 0) {
			/* a test aid: nothing to do about it */
		}
		close(fd);
	}
	kj_buf_done(&b);
}
