/* What the commands share: errors and usage errors, waits, JSON and time
 * output, the lease filter options. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/lease.h"
#include "util/file.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/names.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

int cli_fail(const kj_err *e)
{
	char *msg = cli_rename_invocations(e->msg[0] ? e->msg : kj_err_class_name(e->cls));

	fprintf(stderr, "%s: %s\n", cli_prog(), msg);
	free(msg);
	if (e->hint[0]) {
		char *hint = cli_rename_invocations(e->hint);
		fprintf(stderr, "  %s %s\n", _("hint:"), hint);
		free(hint);
	}
	return kj_err_exit_code(e) ? kj_err_exit_code(e) : 1;
}

#define MAX_INPUT (1024 * 1024)

static int stdin_used;

/* Read a whole file (or stdin for "-") into memory.  Used for secrets too:
 * the caller wipes what it read. */
int cli_read_input(const char *path, const char *what, char **out, kj_err *e)
{
	FILE *f;
	kj_buf b;
	char chunk[4096];
	size_t n;
	struct termios old, hidden;
	int restore = 0;

	*out = NULL;
	if (!strcmp(path, "-")) {
		if (stdin_used++) {
			kj_err_set(e, KJ_ERR_USAGE, _("only one input can come from stdin (%s)"), what);
			return kj_err_hint(e, _("put the others in files"));
		}
		f = stdin;
		/* typed or pasted on a terminal: never echo a secret into the
		 * scrollback */
		if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0) {
			hidden = old;
			hidden.c_lflag &= ~(tcflag_t)ECHO;
			restore = tcsetattr(STDIN_FILENO, TCSAFLUSH, &hidden) == 0;
			fprintf(stderr, _("%s (not shown; end with Ctrl-D): "), what);
		}
	} else {
		return kj_file_read(path, MAX_INPUT, out, NULL, e) < 0 ? kj_err_prefix(e, "%s", what) : 0;
	}
	kj_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len <= MAX_INPUT)
		kj_buf_add(&b, chunk, n);
	kj_wipe(chunk, sizeof(chunk));
	if (restore) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (f != stdin)
		fclose(f);
	if (b.len > MAX_INPUT) {
		kj_buf_done(&b);
		return kj_err_set(e, KJ_ERR_INVALID, _("%s %s is larger than 1 MiB"), what, path);
	}
	*out = kj_buf_steal(&b);
	return 0;
}

int cli_check_out_file(const char *path, int force, kj_err *e)
{
	char *dir, *slash;
	int ok;

	if (!*path) {
		kj_err_set(e, KJ_ERR_USAGE, _("--out is empty"));
		return kj_err_hint(e, _("give a file name, e.g. --out dev.kubeconfig"));
	}
	if (!force && access(path, F_OK) == 0) {
		kj_err_set(e, KJ_ERR_CONFLICT, _("%s already exists; not overwriting it"), path);
		return kj_err_hint(e, _("pass --force to replace it, or choose another --out file"));
	}
	dir = kj_xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	ok = access(dir, W_OK | X_OK) == 0;
	if (!ok) {
		kj_err_set(e, KJ_ERR_FAIL, _("--out %s: cannot write in the folder %s: %s"), path, dir,
		           strerror(errno));
		free(dir);
		return kj_err_hint(e, _("check that the folder exists and is writable"));
	}
	free(dir);
	return 0;
}

int cli_parse_duration(const char *arg, const char *opt, int64_t min, int64_t max, int64_t *secs, kj_err *e)
{
	int64_t v = 0;
	char a[32], b[32];

	if (kj_ttl_parse(arg, opt, &v, e) < 0)
		return -1;
	if (v < min || v > max) {
		kj_ttl_format(min, a, sizeof(a));
		kj_ttl_format(max, b, sizeof(b));
		kj_err_set(e, KJ_ERR_USAGE, _("%s %s is out of range"), opt, arg);
		return kj_err_hint(e, _("give a duration from %s to %s"), a, b);
	}
	*secs = v;
	return 0;
}

int cli_parse_wait(const char *arg, const char *opt, int64_t *ms, kj_err *e)
{
	int64_t secs = 0;

	if (kj_ttl_parse(arg, opt, &secs, e) < 0)
		return -1;
	if (secs <= 0 || secs > 600) {
		kj_err_set(e, KJ_ERR_USAGE, _("%s %s is out of range"), opt, arg);
		return kj_err_hint(e, _("give a duration from 1s to 10m, e.g. %s 30s"), opt);
	}
	*ms = secs * 1000;
	return 0;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	kj_buf b;
	char text[KJ_ERR_MSG_MAX];

	/* the same printable text as a kj_err: an argument may hold anything */
	kj_buf_init(&b);
	va_start(ap, fmt);
	kj_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	kj_err_text(text, sizeof(text), b.data ? b.data : "");
	kj_buf_done(&b);
	fprintf(stderr, "%s: %s\n", cli_prog(), text);
	if (cmd)
		fprintf(stderr, _("Try 'kubejit %s --help' for more information.\n"), cmd);
	else
		fputs(_("Try 'kubejit --help' for more information.\n"), stderr);
	return 2;
}

void cli_print_json(const char *kind, cJSON *body)
{
	cJSON *doc = kj_json_document(kind, body);
	char *s = cJSON_Print(doc);

	printf("%s\n", s);
	free(s);
	cJSON_Delete(doc);
}

void cli_when(int64_t t, char *buf, size_t n)
{
	char ts[32], d[32];
	int64_t now = kj_now();

	if (!t) {
		snprintf(buf, n, "-");
		return;
	}
	kj_time_rfc3339(t, ts, sizeof(ts));
	kj_ttl_human(t > now ? t - now : now - t, d, sizeof(d));
	snprintf(buf, n, t > now ? _("%s (in %s)") : _("%s (%s ago)"), ts, d);
}

int cli_lease_filter_option(int ch, struct lease_filter *f, kj_err *e)
{
	enum lease_state st;

	switch (ch) {
	case CLI_LEASE_OPT_SECRET:
		f->secret = optarg;
		return 1;
	case CLI_LEASE_OPT_TARGET:
		/* a filter that can match nothing is a typo, not an empty result */
		if (!kj_is_dns1123_label(optarg)) {
			kj_err_set(e, KJ_ERR_USAGE, _("--target \"%s\" is not a valid target name"), optarg);
			kj_err_hint(e, _("give a name from 'kubejit target list'"));
			return -1;
		}
		f->target = optarg;
		return 1;
	case 'n':
		if (!kj_is_dns1123_label(optarg)) {
			kj_err_set(e, KJ_ERR_USAGE, _("--namespace \"%s\" is not a valid namespace name"),
			           optarg);
			kj_err_hint(e,
			            _("namespaces are lower-case letters, digits and '-', ≤ 63 characters"));
			return -1;
		}
		f->ns = optarg;
		return 1;
	case CLI_LEASE_OPT_STATE:
		if (lease_state_parse(optarg, &st) < 0) {
			kj_err_set(e, KJ_ERR_USAGE, _("--state \"%s\" is not a lease state"), optarg);
			kj_err_hint(e, _("use creating, active, revoking, revoked, expired or failed"));
			return -1;
		}
		f->state = (int)st;
		return 1;
	default:
		return 0;
	}
}

/* A command waits for these on top of its own work: a few round trips at
 * most, the rest is left to the next command or the sweep. */
#define EXPIRE_DUE_MAX      32
#define EXPIRE_DUE_PARALLEL 8

void cli_expire_due(struct engine *en, const char *target, int quiet)
{
	struct lease_bulk_result res;
	kj_err e;

	kj_err_clear(&e);
	if (!en || !target || lease_expire_due(en, target, EXPIRE_DUE_MAX, EXPIRE_DUE_PARALLEL, &res, &e) < 0)
		return;
	if (quiet || !res.total)
		return;
	if (res.revoked)
		fprintf(stderr,
		        _("kubejit: closed %zu lease(s) of target %s past their TTL (no sweep had run)\n"),
		        res.revoked, target);
	if (res.failed)
		fprintf(stderr,
		        _("kubejit: %zu expired lease(s) of target %s could not be closed yet; "
		          "kubejit sweep retries them\n"),
		        res.failed, target);
}
