#include <locale.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "cli/cli.h"
#include "util/i18n.h"

int main(int argc, char **argv)
{
	struct rlimit no_core = {0, 0};

	/* secrets pass through memory in every kubejit process (the TUI, each
	 * command, the exec plugin, demo-cluster): no core file, and no
	 * ptrace or /proc/PID/mem by other processes of the same user */
	setrlimit(RLIMIT_CORE, &no_core);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setlocale(LC_ALL, "");
#if ENABLE_NLS
	bindtextdomain(PACKAGE, LOCALEDIR);
	textdomain(PACKAGE);
#endif
	return cli_main(argc, argv);
}
