/* The exec-plugin cache reader (src/engine/execcache.c): whatever a cache
 * file holds, loading it gives an entry, "absent" or an error. */
#include "tests/fuzz/fuzz.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/execcache.h"

static char home[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct execcache_entry ent;
	char *path;
	int fd;
	kj_err e;

	if (!home[0]) {
		char tmpl[] = "/tmp/kj-fuzz-execcache-XXXXXX";

		if (!mkdtemp(tmpl))
			abort();
		snprintf(home, sizeof home, "%s", tmpl);
		setenv("XDG_RUNTIME_DIR", home, 1);
	}
	path = execcache_path(home, "/fuzz/secret", "dev");
	{
		char *dir = strdup(path), *slash = strrchr(dir, '/');

		*slash = '\0';
		mkdir(dir, 0700);
		free(dir);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	memset(&ent, 0, sizeof ent);
	kj_err_clear(&e);
	if (execcache_load(home, "/fuzz/secret", "dev", &ent, &e) == 1) {
		(void)execcache_usable(&ent, 1700000000);
		(void)execcache_valid_until(&ent);
		execcache_entry_done(&ent);
	}
	free(path);
	return 0;
}
