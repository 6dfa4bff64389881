#include "util/served.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The records younger than `window_ms` at `now`, newest last; returns how many. */
static size_t served_read(const char *path, int64_t now, int64_t window_ms, int64_t ms[KJ_SERVED_MAX],
                          long pid[KJ_SERVED_MAX])
{
	char buf[KJ_SERVED_MAX * 48 + 1];
	size_t n = 0;
	ssize_t got;
	char *p, *end;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return 0;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got <= 0)
		return 0;
	buf[got] = '\0';
	for (p = buf; *p && n < KJ_SERVED_MAX; p = end) {
		long long t = strtoll(p, &end, 10);
		long who = end != p ? strtol(end, &end, 10) : 0;

		if (end == p || *end != '\n')
			break;
		end++;
		/* a clock set back makes a record from the "future": not recent */
		if (who > 0 && t <= now && now - t < window_ms) {
			ms[n] = t;
			pid[n] = who;
			n++;
		}
	}
	return n;
}

void kj_served_mark(const char *path, long parent, int64_t window_ms)
{
	int64_t ms[KJ_SERVED_MAX], now = wall_ms();
	long pid[KJ_SERVED_MAX];
	size_t n = served_read(path, now, window_ms, ms, pid), others = 0, skip;
	char buf[KJ_SERVED_MAX * 48]; /* a line has at most 20 + 1 + 20 + 1 characters */
	size_t len = 0;
	ssize_t w;
	int fd;

	/* the newest records of other parents, then this serve */
	for (size_t i = 0; i < n; i++)
		others += pid[i] != parent;
	skip = others > KJ_SERVED_MAX - 1 ? others - (KJ_SERVED_MAX - 1) : 0;
	for (size_t i = 0; i < n; i++) {
		if (pid[i] == parent)
			continue;
		if (skip) {
			skip--;
			continue;
		}
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%lld %ld\n", (long long)ms[i], pid[i]);
	}
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%lld %ld\n", (long long)now, parent);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		w = write(fd, buf, len); /* a lost record only loses a signal */
		(void)w;
		close(fd);
	}
}

int kj_served_recently(const char *path, long parent, int64_t window_ms)
{
	int64_t ms[KJ_SERVED_MAX];
	long pid[KJ_SERVED_MAX];
	size_t n = served_read(path, wall_ms(), window_ms, ms, pid);

	for (size_t i = 0; i < n; i++)
		if (pid[i] == parent)
			return 1;
	return 0;
}
