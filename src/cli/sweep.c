/* `kubejit sweep`: close expired leases, remove leftovers from clusters. */
#include "config.h"

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
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

enum { OPT_SECRET = 300, OPT_TARGET, OPT_JSON };

static void sweep_usage(FILE *out)
{
	fputs(_("Usage: kubejit sweep [--cluster] [--dry-run] [--in-cluster] [--target T] [--grace DUR]\n"
	        "                     [--orphans] [--json]\n"
	        "Close leases past their TTL (and those stuck mid-mint or with leftovers); with\n"
	        "--cluster, also delete objects labelled app.kubernetes.io/managed-by=kubejit\n"
	        "whose kubejit.io/expires-at has passed, on every target — even ones this\n"
	        "machine never minted.  Meant for cron, a systemd timer or the CronJob in\n"
	        "the data directory (cronjob-sweep.yaml).  It also renews the token or\n"
	        "CSR-made certificate of every target that is due (see 'target renew'), so\n"
	        "targets nobody uses stay alive.\n\n"
	        "Options:\n"
	        "  --cluster       also sweep the clusters by label\n"
	        "  --in-cluster    sweep the cluster this pod runs in, with its ServiceAccount\n"
	        "                  (implies --cluster; no local leases)\n"
	        "  --target T      only this target\n"
	        "  --dry-run       print what would be done, change nothing\n"
	        "  --grace DUR     age before objects without expiry are orphans (default 1h)\n"
	        "  --orphans       also delete objects whose lease this store does not know once\n"
	        "                  older than the grace (only if no other machine mints there)\n"
	        "  --json          machine-readable report\n\n"
	        "Examples:\n"
	        "  kubejit sweep\n"
	        "  kubejit sweep --cluster --dry-run\n"
	        "  kubejit sweep --cluster --in-cluster\n"),
	      out);
}

int cli_sweep(int argc, char **argv, const struct kj_globals *g)
{
	enum { O_CLUSTER = 400, O_DRY, O_INCLUSTER, O_GRACE, O_ORPHANS };
	static const struct option opts[] = {
	    {"cluster", no_argument, NULL, O_CLUSTER},
	    {"dry-run", no_argument, NULL, O_DRY},
	    {"in-cluster", no_argument, NULL, O_INCLUSTER},
	    {"target", required_argument, NULL, OPT_TARGET},
	    {"grace", required_argument, NULL, O_GRACE},
	    {"orphans", no_argument, NULL, O_ORPHANS},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct sweep_opts o;
	struct sweep_report rep;
	struct engine *en = NULL;
	int json = 0, ch;
	kj_err e;

	memset(&o, 0, sizeof(o));
	o.local = 1;
	kj_err_clear(&e);
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case O_CLUSTER:
			o.cluster = 1;
			break;
		case O_DRY:
			o.dry_run = 1;
			break;
		case O_INCLUSTER:
			o.in_cluster = 1;
			o.cluster = 1;
			break;
		case OPT_TARGET:
			o.target = optarg;
			break;
		case O_GRACE:
			if (cli_parse_duration(optarg, "--grace", 1, 365 * 24 * 3600, &o.grace, &e) < 0)
				return cli_fail(&e);
			break;
		case O_ORPHANS:
			o.orphans = 1;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case 'h':
			sweep_usage(stdout);
			return 0;
		default:
			return cli_usage_error("sweep", _("unknown option"));
		}
	}
	if (optind < argc)
		return cli_usage_error("sweep", _("sweep takes no arguments"));
	/* In a pod the cluster is the only state: no home, no store, so the
	 * sweeper runs with a read-only root file system and no writable home. */
	if (!o.in_cluster && engine_open(g->home, &en, &e) < 0)
		return cli_fail(&e);
	if (o.target && !o.in_cluster) {
		/* sweeping a misspelt target would report "0 closed" as if all
		 * were well */
		struct target t;
		if (target_get(en, o.target, &t, &e) < 0) {
			engine_close(en);
			return cli_fail(&e);
		}
		target_done(&t);
	}
	if (sweep_run(en, &o, &rep, &e) < 0) {
		engine_close(en);
		return cli_fail(&e);
	}
	if (json) {
		cJSON *root = cJSON_CreateObject(), *acts = cJSON_AddArrayToObject(root, "actions");
		cJSON_AddBoolToObject(root, "dryRun", o.dry_run);
		cJSON_AddNumberToObject(root, "leasesClosed", (double)rep.leases_closed);
		cJSON_AddNumberToObject(root, "objectsDeleted", (double)rep.objects_deleted);
		cJSON_AddNumberToObject(root, "failures", (double)rep.failures);
		for (size_t i = 0; i < rep.n_actions; i++) {
			struct sweep_action *a = &rep.actions[i];
			cJSON *x = cJSON_CreateObject();
			if (a->lease_id)
				cJSON_AddStringToObject(x, "lease", a->lease_id);
			if (a->target)
				cJSON_AddStringToObject(x, "target", a->target);
			if (a->kind)
				cJSON_AddStringToObject(x, "kind", a->kind);
			if (a->ns)
				cJSON_AddStringToObject(x, "namespace", a->ns);
			if (a->name)
				cJSON_AddStringToObject(x, "name", a->name);
			cJSON_AddStringToObject(x, "reason", a->reason);
			cJSON_AddBoolToObject(x, "done", a->done);
			if (a->error)
				cJSON_AddStringToObject(x, "error", a->error);
			cJSON_AddItemToArray(acts, x);
		}
		cli_print_json("SweepReport", root);
	} else {
		for (size_t i = 0; i < rep.n_actions; i++) {
			struct sweep_action *a = &rep.actions[i];
			if (a->kind && !strcmp(a->kind, "Target"))
				printf(o.dry_run  ? _("would renew the credential of target %s%s%s\n")
				       : a->error ? _("target %s: renewing its credential failed%s%s\n")
				                  : _("target %s: credential renewed%s%s\n"),
				       a->target, a->error ? " — " : "", a->error ? a->error : "");
			else if (a->kind && a->name)
				printf("%s%s %s %s%s%s: %s%s%s\n", o.dry_run ? _("would delete ") : "",
				       a->target ? a->target : "in-cluster", a->kind, a->ns ? a->ns : "",
				       a->ns ? "/" : "", a->name, _(a->reason), a->error ? " — " : "",
				       a->error ? a->error : "");
			else if (a->lease_id)
				printf("%s%s %.8s: %s%s%s\n",
				       o.dry_run ? _("would close lease ") : _("lease "),
				       a->target ? a->target : "", a->lease_id, _(a->reason),
				       a->error ? " — " : "", a->error ? a->error : "");
			else if (!g->quiet) /* a pass that could not run: a notice, not a result */
				fprintf(stderr, "%s: %s %s: %s — %s\n", cli_prog(),
				        a->target ? a->target : "in-cluster", a->kind ? a->kind : "",
				        _(a->reason), a->error ? a->error : "");
		}
		if (!g->quiet)
			fprintf(stderr,
			        _("sweep: %zu lease(s) closed, %zu object(s) deleted, %zu failure(s)%s\n"),
			        rep.leases_closed, rep.objects_deleted, rep.failures,
			        o.dry_run ? _(" (dry run)") : "");
		if (rep.hint)
			fprintf(stderr, _("hint: %s\n"), _(rep.hint));
	}
	ch = rep.failures ? 1 : 0;
	sweep_report_done(&rep);
	engine_close(en);
	return ch;
}
