/* The command line's standard output and error pass through util/safetext:
 * whatever a command prints — a name, an annotation or a message from the
 * cluster, a line from a kubeconfig — reaches the terminal (or the pipe,
 * or the log a pipe fills) without control sequences.  One filter here
 * instead of one call at each printf.  Newlines and tabs pass; kubejit
 * itself prints no escape sequences on these streams. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/safetext.h"
#include "util/strbuf.h"

struct safe_out {
	int fd;
	char pending[4]; /* the start of a UTF-8 sequence cut by a write */
	size_t npending;
};

static struct safe_out outs[2] = {{STDOUT_FILENO, {0}, 0}, {STDERR_FILENO, {0}, 0}};

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int pass(struct safe_out *o, const char *buf, size_t len, int final)
{
	kj_buf in, out;
	size_t used;
	int rc;

	kj_buf_init(&in);
	kj_buf_init(&out);
	kj_buf_add(&in, o->pending, o->npending);
	kj_buf_add(&in, buf, len);
	used = in.len ? kj_safe_append(&out, in.data, in.len, KJ_SAFE_LINES, final) : 0;
	o->npending = in.len - used; /* at most 3 bytes */
	memcpy(o->pending, in.data + used, o->npending);
	rc = write_all(o->fd, out.data, out.len);
	kj_buf_done(&in);
	kj_buf_done(&out);
	return rc;
}

static ssize_t safe_write(void *cookie, const char *buf, size_t len)
{
	return pass(cookie, buf, len, 0) < 0 ? -1 : (ssize_t)len;
}

static void flush_pending(void)
{
	size_t i;

	fflush(stdout);
	fflush(stderr);
	/* a sequence still cut at exit is not UTF-8: it is escaped */
	for (i = 0; i < 2; i++)
		if (outs[i].npending)
			(void)pass(&outs[i], "", 0, 1);
}

void cli_safe_output(void)
{
	static const cookie_io_functions_t io = {NULL, safe_write, NULL, NULL};
	FILE *o, *e;

	fflush(stdout);
	fflush(stderr);
	o = fopencookie(&outs[0], "w", io);
	e = fopencookie(&outs[1], "w", io);
	if (!o || !e) {
		if (o)
			fclose(o);
		if (e)
			fclose(e);
		return;
	}
	setvbuf(o, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ);
	setvbuf(e, NULL, _IONBF, 0);
	stdout = o;
	stderr = e;
	atexit(flush_pending);
}
