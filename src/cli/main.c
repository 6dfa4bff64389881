/* The kubejit executable: answers a cached `kubejit get` itself
 * (src/cli/fastget.h), else loads core.so and runs the command line
 * (src/dl/loader.h).  It links libc alone, so kubectl's commonest call maps
 * nothing else. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "cli/fastget.h"
#include "dl/loader.h"
#include "util/i18n.h"

int main(int argc, char **argv)
{
	struct rlimit no_core = {0, 0};
	int (*cli_main)(int, char **);
	kj_err e;
	int rc;

	/* secrets pass through memory in every kubejit process (the TUI, each
	 * command, the exec plugin, demo-cluster): no core file, and no
	 * ptrace or /proc/PID/mem by other processes of the same user */
	setrlimit(RLIMIT_CORE, &no_core);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* before the locale: a cached answer needs no messages */
	rc = fastget_try(argc, argv);
	if (rc > 0)
		return 0;
	setlocale(LC_ALL, "");
#if ENABLE_NLS
	bindtextdomain(PACKAGE, kj_locale_dir());
	textdomain(PACKAGE);
#endif
	if (rc < 0) {
		/* as src/cli/get.c says it */
		fprintf(stderr, "kubejit: %s\n", _("cannot write the credential to standard output"));
		return 1;
	}
	kj_err_clear(&e);
	*(void **)&cli_main = kj_module_sym(KJ_MODULE_CORE, "cli_main", &e);
	if (!cli_main) {
		fprintf(stderr, "kubejit: %s\n", e.msg);
		if (e.hint[0])
			fprintf(stderr, "  %s %s\n", _("hint:"), e.hint);
		return 1;
	}
	return cli_main(argc, argv);
}
