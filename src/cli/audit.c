/* `kubejit audit`: the audit log, newest first. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "engine/audit.h"
#include "engine/engine.h"
#include "engine/sweep.h"
#include "engine/target.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

static const char *const actions[] = {
    AUDIT_MINT,          AUDIT_REVOKE,           AUDIT_EXPIRE,        AUDIT_SWEEP,
    AUDIT_SECRET_ADD,    AUDIT_SECRET_EDIT,      AUDIT_SECRET_DELETE, TARGET_AUDIT_ADD,
    TARGET_AUDIT_REMOVE, TARGET_AUDIT_BOOTSTRAP, TARGET_AUDIT_RENEW,  TARGET_AUDIT_UNBOOTSTRAP,
};

/* A misspelt --action would otherwise list nothing, as if nothing had
 * happened. */
static int audit_action_known(const char *a)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (!strcmp(a, actions[i]))
			return 1;
	return 0;
}

enum { OPT_SECRET = 300, OPT_TARGET, OPT_JSON };

int cli_audit(int argc, char **argv, const struct kj_globals *g)
{
	enum { O_ACTION = 500, O_LEASE, O_LIMIT };
	static const struct option opts[] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    {"action", required_argument, NULL, O_ACTION},
	    {"secret", required_argument, NULL, OPT_SECRET},
	    {"lease", required_argument, NULL, O_LEASE},
	    {"limit", required_argument, NULL, O_LIMIT},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct audit_filter f;
	struct audit_entry *v = NULL;
	struct engine *en = NULL;
	size_t n = 0;
	int json = 0, ch;
	kj_err e;

	memset(&f, 0, sizeof(f));
	f.limit = 200;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_JSON:
			json = 1;
			break;
		case O_ACTION:
			if (!audit_action_known(optarg)) {
				kj_err_set(&e, KJ_ERR_USAGE, _("--action \"%s\" is not an audit action"),
				           optarg);
				kj_err_hint(&e,
				            _("use mint, revoke, expire, sweep, secret-add, secret-edit, "
				              "secret-delete, target-add, target-remove, target-bootstrap, "
				              "target-renew or target-bootstrap-remove"));
				return cli_fail(&e);
			}
			f.action = optarg;
			break;
		case OPT_SECRET:
			f.secret = optarg;
			break;
		case O_LEASE:
			f.lease = optarg;
			break;
		case O_LIMIT: {
			char *end;
			unsigned long long lim;
			errno = 0;
			lim = strtoull(optarg, &end, 10);
			if (!isdigit((unsigned char)optarg[0]) || *end || errno || lim > 1000000000ULL) {
				kj_err_set(&e, KJ_ERR_USAGE, _("--limit \"%s\" is not a number of rows"),
				           optarg);
				kj_err_hint(&e, _("give a whole number from 0 (all rows) to 1000000000, e.g. "
				                  "--limit 50"));
				return cli_fail(&e);
			}
			f.limit = (size_t)lim;
			break;
		}
		case 'h':
			fputs(
			    _("Usage: kubejit audit [--action A] [--secret P] [--lease ID] [--limit N] "
			      "[--json]\n"
			      "The audit log, newest first (default the last 200 rows; --limit 0 for all).\n"
			      "Actions: mint, revoke, expire, sweep, secret-add, secret-edit, "
			      "secret-delete.\n\n"
			      "Examples:\n"
			      "  kubejit audit\n"
			      "  kubejit audit --action mint --json\n"),
			    stdout);
			return 0;
		default:
			return cli_usage_error("audit", _("unknown option"));
		}
	}
	if (engine_open(g->home, &en, &e) < 0)
		return cli_fail(&e);
	if (audit_list(en, &f, &v, &n, &e) < 0) {
		engine_close(en);
		return cli_fail(&e);
	}
	if (json) {
		cJSON *a = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++) {
			cJSON *x = cJSON_CreateObject();
			kj_json_add_time(x, "createdAt", v[i].time);
			cJSON_AddStringToObject(x, "actor", v[i].actor);
			cJSON_AddStringToObject(x, "action", v[i].action);
			if (v[i].secret)
				cJSON_AddStringToObject(x, "secret", v[i].secret);
			if (v[i].lease)
				cJSON_AddStringToObject(x, "lease", v[i].lease);
			if (v[i].target)
				cJSON_AddStringToObject(x, "target", v[i].target);
			cJSON_AddStringToObject(x, "result", v[i].ok ? "ok" : "error");
			if (v[i].detail)
				cJSON_AddStringToObject(x, "detail", v[i].detail);
			cJSON_AddItemToArray(a, x);
		}
		cli_print_json("AuditEntry", a);
	} else {
		for (size_t i = n; i-- > 0;) {
			char ts[32];
			kj_time_rfc3339(v[i].time, ts, sizeof(ts));
			printf("%s  %-20s %-13s %-5s %-24s %.8s %s\n", ts, v[i].actor, v[i].action,
			       v[i].ok ? "ok" : "ERROR", v[i].secret ? v[i].secret : "-",
			       v[i].lease ? v[i].lease : "-", v[i].detail ? v[i].detail : "");
		}
		if (!n && !g->quiet)
			fputs(_("the audit log is empty\n"), stderr);
	}
	audit_list_free(v, n);
	engine_close(en);
	return 0;
}
