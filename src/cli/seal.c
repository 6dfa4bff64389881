/* `kubejit seal on|off|status`: keep the targets' secret material encrypted
 * under a passphrase, and the terminal prompt every command uses to ask
 * for it. */
#include "config.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "util/i18n.h"
#include "util/strbuf.h"

/* One line from the terminal without echo; NULL when there is no terminal. */
static char *read_hidden(const char *prompt)
{
	struct termios old, quiet;
	char buf[4096];
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	FILE *tty;
	char *out = NULL;
	int restore;

	if (fd < 0)
		return NULL;
	tty = fdopen(fd, "r+");
	if (!tty) {
		close(fd);
		return NULL;
	}
	restore = tcgetattr(fd, &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	fputs(prompt, tty);
	fflush(tty);
	if (fgets(buf, sizeof(buf), tty)) {
		buf[strcspn(buf, "\r\n")] = '\0';
		out = kj_xstrdup(buf);
	}
	kj_wipe(buf, sizeof(buf));
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	return out;
}

char *cli_ask_passphrase(void *ud, int is_new)
{
	char *a, *b;

	(void)ud;
	a = read_hidden(is_new ? _("New passphrase for kubejit's store: ")
	                       : _("Passphrase for kubejit's store: "));
	if (!a || !is_new)
		return a;
	b = read_hidden(_("The same again: "));
	if (!b || strcmp(a, b)) {
		fputs(_("kubejit: the passphrases differ\n"), stderr);
		kj_free_secret(a);
		kj_free_secret(b);
		return NULL;
	}
	kj_free_secret(b);
	return a;
}

static void seal_usage(FILE *f)
{
	fputs(_("Usage: kubejit seal on|off|status [--passphrase-file F]\n"
	        "Keep the targets' secret material (tokens, client keys) encrypted in the store\n"
	        "under a passphrase (scrypt + AES-256-GCM).  Commands then ask for the\n"
	        "passphrase on the terminal, or read it from the file named by\n"
	        "$KUBEJIT_PASSPHRASE_FILE.\n\n"
	        "  on      seal (asks for a new passphrase twice)\n"
	        "  off     store secret material unencrypted again\n"
	        "  status  say whether the store is sealed\n"
	        "  --passphrase-file F  read the passphrase from F instead of the terminal\n\n"
	        "Examples:\n  kubejit seal on\n  KUBEJIT_PASSPHRASE_FILE=~/.kj-pass kubejit target list\n"
	        "  kubejit seal status --json\n\n"
	        "Exit codes: 0 ok, 1 error (wrong passphrase), 2 usage.\n"),
	      f);
}

int cli_seal(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"passphrase-file", required_argument, NULL, 'p'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *file = NULL;
	struct engine *en;
	char *pass = NULL;
	int json = 0, ch, rc = 0;
	kj_err e = {0};

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			file = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			seal_usage(stdout);
			return 0;
		default:
			return cli_usage_error("seal", _("unknown option"));
		}
	}
	if (optind + 1 != argc ||
	    (strcmp(argv[optind], "on") && strcmp(argv[optind], "off") && strcmp(argv[optind], "status")))
		return cli_usage_error("seal", _("say on, off or status"));
	if (file)
		setenv("KUBEJIT_PASSPHRASE_FILE", file, 1);
	if (engine_open(g->home, &en, &e) < 0)
		return cli_fail(&e);
	engine_set_passphrase_fn(en, cli_ask_passphrase, NULL);
	if (!strcmp(argv[optind], "status")) {
		int sealed = engine_seal_state(en) != ENGINE_SEAL_PLAIN;

		if (json) {
			cJSON *j = cJSON_CreateObject();
			cJSON_AddBoolToObject(j, "sealed", sealed);
			cli_print_json("SealStatus", j);
		} else {
			puts(sealed
			         ? _("sealed: secret material is encrypted under a passphrase")
			         : _("not sealed: secret material is stored unencrypted (files are 0600)"));
		}
	} else if (!strcmp(argv[optind], "on")) {
		const char *pf = getenv("KUBEJIT_PASSPHRASE_FILE");

		if (pf && *pf) {
			pass = engine_passphrase_from_file(pf, &e);
		} else {
			pass = cli_ask_passphrase(NULL, 1);
		}
		if (!pass && pf && *pf) {
			rc = cli_fail(&e);
		} else if (!pass) {
			kj_err_set(&e, KJ_ERR_USAGE, _("no passphrase given"));
			kj_err_hint(&e, _("run in a terminal, or give --passphrase-file F"));
			rc = cli_fail(&e);
		} else if (engine_seal(en, pass, &e) < 0) {
			rc = cli_fail(&e);
		} else if (!g->quiet) {
			puts(_("sealed: secret material is now encrypted under the passphrase"));
		}
		kj_free_secret(pass);
	} else if (engine_unseal(en, &e) < 0) {
		rc = cli_fail(&e);
	} else if (!g->quiet) {
		puts(_("not sealed: secret material is stored unencrypted again"));
	}
	engine_close(en);
	return rc;
}
