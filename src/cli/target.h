/* cli/target: what the target commands share.  target.c parses
 * `target add` and `target bootstrap`; target_view.c has list, show, check and rm and the human and JSON
 * forms of a target and a preflight report.  Output goes to stdout; the
 * helpers never print secret material. */
#ifndef KJ_CLI_TARGET_H
#define KJ_CLI_TARGET_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/cli.h"
#include "engine/engine.h"
#include "engine/preflight.h"
#include "engine/target.h"

/* getopt_long ids of the long options (shared so they stay distinct). */
enum cli_target_opt {
	O_SERVER = 256,
	O_CA,
	O_TLSNAME,
	O_TOKEN,
	O_CERT,
	O_KEY,
	O_CSR,
	O_CN,
	O_ORG,
	O_KEYTYPE,
	O_APPROVE,
	O_CERTTTL,
	O_INCLUSTER,
	O_SADIR,
	O_FROMKC,
	O_KUBECONFIG,
	O_CONTEXT,
	O_JSON,
	O_HELP,
	O_REVEAL,
	O_NAMESPACE,
	O_MODE,
	O_NAME,
	O_TOKENTTL,
	O_CERTWARN,
	O_REPLACE,
	O_USER,
	O_ISSUE,
	O_REMOVE,
	O_YES,
};

/* --cert-warn DUR from the command line (0 = the engine's window). */
extern int64_t cli_target_cert_warn;

/* engine_open() with the global --home, applying --cert-warn; 0 or the exit code. */
int cli_target_open_engine(const struct kj_globals *g, struct engine **en);
/* The stable JSON form of a target (no secret material). */
cJSON *cli_target_json(const struct target *t);
/* Human form of a report; `full` lists every permission and both YAMLs. */
void cli_target_print_report(const struct preflight_report *r, int full);
/* "note: ..." lines, unless --quiet. */
void cli_target_print_notices(FILE *f, char **notices, const struct kj_globals *g);

/* "in 9m" / "expired" / "-" and "3m ago" / "never" / "-" for lists. */
void cli_target_expiry_cells(const struct target *t, char *exp, size_t ne, char *ren, size_t nr);

#endif
