/* The binary's entry points, run as a user would run them. */
#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "util/strbuf.h"

static int run(const char *args, char **out)
{
	const char *bin = getenv("KUBEJIT_BIN");
	char *cmd;
	FILE *p;
	kj_buf b;
	char chunk[512];
	size_t n;
	int st;

	cr_assert_not_null(bin, "KUBEJIT_BIN must point at the built binary");
	cmd = kj_xasprintf("NO_COLOR=1 '%s' %s 2>&1", bin, args);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	kj_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		kj_buf_add(&b, chunk, n);
	st = pclose(p);
	free(cmd);
	*out = kj_buf_steal(&b);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(cli, version_prints_name_and_version)
{
	char *out;

	cr_assert_eq(run("--version", &out), 0);
	cr_assert(strncmp(out, "kubejit " PACKAGE_VERSION "\n", strlen("kubejit " PACKAGE_VERSION "\n")) == 0,
	          "got: %s", out);
	free(out);
}

Test(cli, help_lists_global_options_and_exit_codes)
{
	char *out;

	cr_assert_eq(run("--help", &out), 0);
	cr_assert(strstr(out, "Usage: kubejit") != NULL);
	cr_assert(strstr(out, "--home DIR") != NULL);
	cr_assert(strstr(out, "--demo") != NULL);
	cr_assert(strstr(out, "Exit codes") != NULL);
	free(out);
}

Test(cli, unknown_command_is_a_usage_error)
{
	char *out;

	cr_assert_eq(run("frobnicate", &out), 2);
	cr_assert(strstr(out, "unknown command \"frobnicate\"") != NULL, "got: %s", out);
	cr_assert(strstr(out, "kubejit --help") != NULL);
	free(out);
}

Test(cli, unknown_global_option_is_a_usage_error)
{
	char *out;

	cr_assert_eq(run("--frobnicate", &out), 2);
	free(out);
}
