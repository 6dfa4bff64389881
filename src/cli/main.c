#include <locale.h>
#include <sys/resource.h>

#include "cli/cli.h"
#include "util/i18n.h"

int main(int argc, char **argv)
{
	struct rlimit no_core = {0, 0};

	/* secrets pass through memory: never leave them in a core file */
	setrlimit(RLIMIT_CORE, &no_core);
	setlocale(LC_ALL, "");
#if ENABLE_NLS
	bindtextdomain(PACKAGE, LOCALEDIR);
	textdomain(PACKAGE);
#endif
	return cli_main(argc, argv);
}
