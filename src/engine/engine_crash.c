/* engine_crash: what lets a crash be found and tested: lease locks, which
 * the kernel drops when their process dies, and the test crash points
 * (engine/engine.h). */
#include "engine/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/strbuf.h"

static char *lease_lock_path(struct engine *en, const char *lease_id, int mkdirs)
{
	char *dir = kj_xasprintf("%s/run", engine_home(en)), *path;

	if (mkdirs && mkdir(dir, 0700) < 0 && errno != EEXIST) {
		free(dir);
		return NULL;
	}
	path = kj_xasprintf("%s/%s.lock", dir, lease_id);
	free(dir);
	return path;
}

int engine_lease_hold(struct engine *en, const char *lease_id)
{
	char *path;
	int fd;

	if (!lease_id || !*lease_id || strchr(lease_id, '/') || !(path = lease_lock_path(en, lease_id, 1)))
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(path);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void engine_lease_release(struct engine *en, const char *lease_id, int fd)
{
	char *path;

	if (fd < 0)
		return;
	if ((path = lease_lock_path(en, lease_id, 0))) {
		unlink(path); /* while still locked: no one else can be holding it */
		free(path);
	}
	close(fd);
}

int engine_lease_held(struct engine *en, const char *lease_id)
{
	char *path;
	int fd, held;

	if (!lease_id || !*lease_id || strchr(lease_id, '/') || !(path = lease_lock_path(en, lease_id, 0)))
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return 0;
	held = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

void engine_crash_point(const char *step)
{
	const char *at = getenv("KUBEJIT_TEST_PAUSE_AT");

	if (!at || !step || strcmp(at, step))
		return;
	fprintf(stderr, "kubejit: paused at %s\n", step);
	fflush(stderr);
	for (;;)
		pause();
}
