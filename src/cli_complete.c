/* `kubejit __complete WHAT`: words for the bash and zsh completion scripts.
 *
 * Hidden from the help.  It reads the local store only (no network) and
 * prints one word per line; an absent store prints nothing and creates
 * nothing, so pressing Tab never sets up a home directory. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/i18n.h"

/* Sub-commands of the commands that have them. */
static const struct {
	const char *cmd;
	const char *words;
} subcommands[] = {
    {"target", "add list show check rm bootstrap"},
    {"secret", "add edit list show rm"},
    {"rbac", "fixed dynamic"},
};

int cli_complete(int argc, char **argv, const struct kj_globals *g)
{
	const struct kj_cmd *c;
	size_t i;

	if (argc < 2)
		return cli_usage_error(NULL,
		                       _("__complete needs commands, subcommands CMD, secrets, targets or "
		                         "leases"));
	if (!strcmp(argv[1], "commands")) {
		for (c = cli_commands(); c->name; c++)
			if (c->summary) /* hidden commands have none */
				printf("%s\n", c->name);
		return 0;
	}
	if (!strcmp(argv[1], "subcommands")) {
		for (i = 0; argc > 2 && i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
			if (strcmp(subcommands[i].cmd, argv[2]))
				continue;
			for (const char *p = subcommands[i].words; *p;) {
				size_t n = strcspn(p, " ");
				printf("%.*s\n", (int)n, p);
				p += n + (p[n] == ' ');
			}
		}
		return 0;
	}
	if (!strcmp(argv[1], "secrets") || !strcmp(argv[1], "targets") || !strcmp(argv[1], "leases"))
		return 0; /* filled from the store once its lists are there */
	return cli_usage_error(NULL, _("__complete: unknown word list \"%s\""), argv[1]);
}
