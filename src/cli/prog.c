/* The program's name in messages: "kubejit", or "kubectl jit" when run as
 * the kubectl plugin (see cli_prog() in cli/cli.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/strbuf.h"

#define KUBECTL_PLUGIN_NAME "kubectl-jit"

static const char *prog = "kubejit";
static int as_plugin; /* argv[0] is the kubectl-jit link */

const char *cli_prog(void)
{
	return prog;
}

/* Does `p`, just past a "kubejit " of `s`, start an invocation: a command, a
 * placeholder for one, an option list or --help? */
static int invocation_follows(const char *p)
{
	static const char *const words[] = {"COMMAND", "SUBCOMMAND", "[", "--help", "--version"};
	size_t n = strcspn(p, " \n'\")");
	const struct kj_cmd *c;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strncmp(p, words[i], strlen(words[i])))
			return 1;
	for (c = cli_commands(); c->name; c++)
		if (strlen(c->name) == n && !strncmp(p, c->name, n))
			return 1;
	return 0;
}

/* `s` with invocations of kubejit renamed to `prog`.  A line
 * indented past a renamed invocation on the line before it (the rest of a
 * usage line, an example's continuation) moves right with it, so columns
 * still line up. */
char *cli_rename_invocations(const char *s)
{
	static const char self[] = "kubejit";
	const size_t self_len = sizeof(self) - 1;
	long anchor = -1; /* column of the previous line's first renamed invocation */
	kj_buf b, lb;

	if (!as_plugin)
		return kj_xstrdup(s);
	kj_buf_init(&b);
	kj_buf_init(&lb);
	for (const char *line = s; *line;) {
		size_t len = strcspn(line, "\n"), indent = strspn(line, " ");
		const char *p = line, *end = line + len, *q;
		long first = -1;

		kj_buf_reset(&lb);
		while ((q = strstr(p, self)) && q < end) {
			const char *after = q + self_len;
			int renamed =
			    (q == s || strchr(" '`(\"", q[-1])) &&
			    ((q == s && *after == ':') || (*after == ' ' && invocation_follows(after + 1)));

			if (renamed && first < 0)
				first = q - line;
			kj_buf_add(&lb, p, (size_t)(q - p));
			kj_buf_adds(&lb, renamed ? prog : self);
			p = after;
		}
		kj_buf_add(&lb, p, (size_t)(end - p));
		if (first < 0 && len && anchor >= 0 && (long)indent > anchor)
			for (size_t i = self_len; i < strlen(prog); i++)
				kj_buf_addc(&b, ' ');
		kj_buf_add(&b, lb.data, lb.len);
		if (first >= 0)
			anchor = first;
		else if (!len)
			anchor = -1;
		line = *end ? end + 1 : end;
		if (*end)
			kj_buf_addc(&b, '\n');
	}
	kj_buf_done(&lb);
	return kj_buf_steal(&b);
}

const char *cli_text(const char *s)
{
	/* gettext's strings live as long as the process: one copy of each */
	static struct {
		const char *from;
		char *to;
	} * seen;
	static size_t n_seen;

	if (!as_plugin || !s || !strstr(s, "kubejit"))
		return s;
	for (size_t i = 0; i < n_seen; i++)
		if (seen[i].from == s)
			return seen[i].to;
	seen = kj_xrealloc(seen, (n_seen + 1) * sizeof(*seen));
	seen[n_seen].from = s;
	seen[n_seen].to = cli_rename_invocations(s);
	return seen[n_seen++].to;
}

void cli_set_prog(const char *argv0)
{
	const char *base = argv0 ? strrchr(argv0, '/') : NULL;

	if (argv0 && !strcmp(base ? base + 1 : argv0, KUBECTL_PLUGIN_NAME)) {
		prog = "kubectl jit";
		as_plugin = 1;
	}
}
