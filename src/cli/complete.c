/* `kubejit __complete WHAT`: words for the bash and zsh completion scripts.
 *
 * Hidden from the help.  It reads the local store only (no network) and
 * prints one word per line; an absent store prints nothing and creates
 * nothing, so pressing Tab never sets up a home directory. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/lease.h"
#include "engine/request.h"
#include "engine/secret.h"
#include "engine/target.h"
#include "util/i18n.h"
#include "util/strbuf.h"

static int complete_store(const char *what, const struct kj_globals *g)
{
	struct engine *en = NULL;
	kj_err e;
	size_t n = 0, i;

	if (!engine_store_exists(g->home) || engine_open(g->home, &en, &e) < 0)
		return 0;
	if (!strcmp(what, "secrets")) {
		struct secret *v = NULL;

		if (secret_list(en, NULL, &v, &n, &e) == 0) {
			for (i = 0; i < n; i++)
				printf("%s\n", v[i].path);
			secret_list_free(v, n);
		}
	} else if (!strcmp(what, "targets")) {
		struct target *v = NULL;

		if (target_list(en, &v, &n, &e) == 0) {
			for (i = 0; i < n; i++)
				printf("%s\n", v[i].name);
			target_list_free(v, n);
		}
	} else if (!strcmp(what, "requests")) {
		struct request *v = NULL;

		/* this home's open requests, from its records: no network */
		if (request_list_local(en, &v, &n, &e) == 0) {
			for (i = 0; i < n; i++)
				printf("%s\n", v[i].id);
			request_list_free(v, n);
		}
	} else if (!strcmp(what, "leases")) {
		struct lease_filter f = LEASE_FILTER_ANY;
		struct lease *v = NULL;

		f.live_only = 1;
		if (lease_list(en, &f, &v, &n, &e) == 0) {
			for (i = 0; i < n; i++)
				printf("%s\n", v[i].id);
			lease_list_free(v, n);
		}
	}
	engine_close(en);
	return 0;
}

int cli_complete(int argc, char **argv, const struct kj_globals *g)
{
	const struct kj_cmd *c;

	if (argc < 2)
		return cli_usage_error(NULL,
		                       _("__complete needs commands, subcommands CMD, secrets, targets, "
		                         "leases or requests"));
	if (!strcmp(argv[1], "commands")) {
		for (c = cli_commands(); c->name; c++)
			if (c->summary) /* hidden commands have none */
				printf("%s\n", c->name);
		return 0;
	}
	if (!strcmp(argv[1], "subcommands")) {
		c = argc > 2 ? cli_find(cli_commands(), argv[2]) : NULL;
		for (c = c ? c->subs : NULL; c && c->name; c++)
			if (c->summary) /* aliases have none */
				printf("%s\n", c->name);
		return 0;
	}
	if (!strcmp(argv[1], "secrets") || !strcmp(argv[1], "targets") || !strcmp(argv[1], "leases") ||
	    !strcmp(argv[1], "requests"))
		return complete_store(argv[1], g);
	return cli_usage_error(NULL, _("__complete: unknown word list \"%s\""), argv[1]);
}
