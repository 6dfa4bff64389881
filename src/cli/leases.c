/* `kubejit leases`: list leases, or show one with its objects. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "engine/cluster_lease.h"
#include "engine/engine.h"
#include "engine/lease.h"
#include "engine/mint.h"
#include "engine/output.h"
#include "engine/secret.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/ttl.h"

static cJSON *lease_json(const struct lease *l)
{
	cJSON *o = cJSON_CreateObject(), *objs;

	cJSON_AddStringToObject(o, "id", l->id);
	cJSON_AddStringToObject(o, "secret", l->secret ? l->secret : "");
	cJSON_AddStringToObject(o, "target", l->target ? l->target : "");
	cJSON_AddStringToObject(o, "mode", secret_mode_name(l->mode));
	cJSON_AddStringToObject(o, "namespace", l->ns ? l->ns : "");
	if (l->service_account)
		cJSON_AddStringToObject(o, "serviceAccount", l->service_account);
	cJSON_AddStringToObject(o, "state", lease_shown_state(l, kj_now()));
	if (lease_is_overdue(l, kj_now()))
		cJSON_AddBoolToObject(o, "cleanupPending", 1);
	cJSON_AddBoolToObject(o, "revocable", l->revocable);
	kj_json_add_time(o, "createdAt", l->created_at);
	kj_json_add_time(o, "expiresAt", l->lease_expiry);
	kj_json_add_time(o, "tokenExpiresAt", l->token_expiry);
	kj_json_add_time(o, "endedAt", l->ended_at);
	cJSON_AddStringToObject(o, "createdBy", l->created_by ? l->created_by : "");
	if (l->fingerprint[0])
		cJSON_AddStringToObject(o, "fingerprint", l->fingerprint);
	if (l->jti)
		cJSON_AddStringToObject(o, "jti", l->jti);
	if (l->error)
		cJSON_AddStringToObject(o, "error", l->error);
	if (l->n_objects) {
		objs = cJSON_AddArrayToObject(o, "objects");
		for (size_t i = 0; i < l->n_objects; i++) {
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "kind", l->objects[i].kind);
			if (l->objects[i].ns)
				cJSON_AddStringToObject(x, "namespace", l->objects[i].ns);
			cJSON_AddStringToObject(x, "name", l->objects[i].name);
			if (l->objects[i].uid)
				cJSON_AddStringToObject(x, "uid", l->objects[i].uid);
			cJSON_AddBoolToObject(x, "deleted", l->objects[i].deleted);
			cJSON_AddItemToArray(objs, x);
		}
	}
	return o;
}

static void lease_show(const struct lease *l)
{
	char a[80];

	printf("%-14s %s\n", _("Lease:"), l->id);
	printf("%-14s %s\n", _("Secret:"), l->secret);
	printf("%-14s %s (%s)\n", _("Target:"), l->target, secret_mode_name(l->mode));
	printf("%-14s %s\n", _("Namespace:"), l->ns);
	if (l->service_account)
		printf("%-14s %s\n", _("ServiceAcct:"), l->service_account);
	printf("%-14s %s%s\n", _("State:"), lease_shown_state(l, kj_now()),
	       l->revocable ? "" : _(" (expiry-only)"));
	if (lease_is_overdue(l, kj_now()))
		printf("%-14s %s\n", "", _("past its TTL, objects not yet removed: no sweep has run since"));
	cli_when(l->created_at, a, sizeof(a));
	printf("%-14s %s by %s\n", _("Created:"), a, l->created_by);
	cli_when(l->lease_expiry, a, sizeof(a));
	printf("%-14s %s\n", _("Lease ends:"), a);
	cli_when(l->token_expiry, a, sizeof(a));
	printf("%-14s %s\n", _("Token dies:"), a);
	if (l->ended_at) {
		cli_when(l->ended_at, a, sizeof(a));
		printf("%-14s %s\n", _("Ended:"), a);
	}
	if (l->fingerprint[0])
		printf("%-14s sha256:%s\n", _("Fingerprint:"), l->fingerprint);
	if (l->jti)
		printf("%-14s %s\n", _("JTI:"), l->jti);
	if (l->error)
		printf("%-14s %s\n", _("Note:"), l->error);
	for (size_t i = 0; i < l->n_objects; i++)
		printf("%-14s %s %s%s%s%s\n", i ? "" : _("Objects:"), l->objects[i].kind,
		       l->objects[i].ns ? l->objects[i].ns : "", l->objects[i].ns ? "/" : "",
		       l->objects[i].name, l->objects[i].deleted ? _(" (deleted)") : "");
}

static void leases_usage(FILE *out)
{
	fputs(_("Usage: kubejit leases [--secret P] [--target T] [--namespace NS] [--state S] [--all] "
	        "[--json]\n"
	        "       kubejit leases ID [--json]\n"
	        "       kubejit leases --cluster [--target T] [--secret P] [--namespace NS] [--state S] "
	        "[--json]\n"
	        "List leases (live ones unless --all or --state), or show one with its objects.\n"
	        "With --cluster: every kubejit lease on the target's cluster, whoever minted it,\n"
	        "read from the labels and annotations of the objects kubejit made (one paged list\n"
	        "per kind); OWNER is who the API server authenticated the minting target as, and\n"
	        "the minter's user@host.  --target may be left out when one target is saved.\n"
	        "Kinds the target may not list are named on stderr: leases made of them are\n"
	        "missing.  Exit code 3 when it may list none.\n"
	        "States: creating, active, revoking, revoked, expired, failed.  A lease past its\n"
	        "TTL is closed by the next sweep, or by the next command on its target; until then\n"
	        "it shows as expired* (objects not yet removed).  To sweep every few minutes:\n"
	        "  systemctl --user enable --now kubejit-sweep.timer\n"
	        "(or a crontab line: */5 * * * * kubejit sweep)\n\n"
	        "Examples:\n"
	        "  kubejit leases\n"
	        "  kubejit leases --secret /prod/read-pods --state expired --json\n"
	        "  kubejit leases 3f2a\n"
	        "  kubejit leases --cluster --target prod\n"),
	      out);
}

/* lease_list() by the state shown: a lease past its TTL that no sweep
 * closed yet is stored as active but shown (and filtered) as expired. */
static int list_shown(struct engine *en, const struct lease_filter *f, struct lease **v, size_t *n, kj_err *e)
{
	struct lease_filter af = *f;
	struct lease *extra = NULL;
	size_t nx = 0, k = 0;
	int64_t now = kj_now();

	if (lease_list(en, f, v, n, e) < 0)
		return -1;
	if (f->state == LEASE_ACTIVE) {
		for (size_t i = 0; i < *n; i++) {
			if (lease_is_overdue(&(*v)[i], now))
				lease_done(&(*v)[i]);
			else
				(*v)[k++] = (*v)[i];
		}
		*n = k;
		return 0;
	}
	if (f->state != LEASE_EXPIRED)
		return 0;
	af.state = LEASE_ACTIVE;
	if (lease_list(en, &af, &extra, &nx, e) < 0)
		return -1;
	for (size_t i = 0; i < nx; i++) {
		if (!lease_is_overdue(&extra[i], now)) {
			lease_done(&extra[i]);
			continue;
		}
		*v = kj_xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = extra[i];
	}
	free(extra);
	return 0;
}

static cJSON *cluster_lease_json(const struct cluster_lease *c)
{
	cJSON *o = cJSON_CreateObject(), *objs;

	cJSON_AddStringToObject(o, "id", c->id);
	if (c->owner)
		cJSON_AddStringToObject(o, "owner", c->owner);
	if (c->created_by)
		cJSON_AddStringToObject(o, "createdBy", c->created_by);
	if (c->secret)
		cJSON_AddStringToObject(o, "secret", c->secret);
	if (c->ns)
		cJSON_AddStringToObject(o, "namespace", c->ns);
	if (c->mode >= 0)
		cJSON_AddStringToObject(o, "mode", secret_mode_name((enum secret_mode)c->mode));
	cJSON_AddStringToObject(o, "state", lease_state_name(c->state));
	kj_json_add_time(o, "createdAt", c->created_at);
	kj_json_add_time(o, "expiresAt", c->expires_at);
	cJSON_AddBoolToObject(o, "mine", c->local);
	objs = cJSON_AddArrayToObject(o, "objects");
	for (size_t i = 0; i < c->n_objects; i++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "kind", c->objects[i].kind);
		if (c->objects[i].ns)
			cJSON_AddStringToObject(x, "namespace", c->objects[i].ns);
		cJSON_AddStringToObject(x, "name", c->objects[i].name);
		if (c->objects[i].uid)
			cJSON_AddStringToObject(x, "uid", c->objects[i].uid);
		if (c->objects[i].deleted)
			cJSON_AddBoolToObject(x, "terminating", 1);
		cJSON_AddItemToArray(objs, x);
	}
	return o;
}

/* --secret, --namespace and --state of `leases --cluster`. */
static int cluster_matches(const struct cluster_lease *c, const struct lease_filter *f)
{
	if (f->secret && (!c->secret || strcmp(c->secret, f->secret)))
		return 0;
	if (f->ns && (!c->ns || strcmp(c->ns, f->ns)))
		return 0;
	return f->state < 0 || (int)c->state == f->state;
}

static int leases_cluster(struct engine *en, const struct kj_globals *g, const struct lease_filter *f,
                          int json)
{
	struct cluster_lease_list cl;
	struct lease_filter nf = *f;
	char *path = NULL;
	kj_err e;

	kj_err_clear(&e);
	if (f->secret && secret_path_normalize(f->secret, &path, &e) < 0)
		return cli_fail(&e);
	nf.secret = path;
	if (cluster_lease_list(en, f->target, &cl, &e) < 0) {
		free(path);
		return cli_fail(&e);
	}
	for (size_t i = 0; i < cl.n_denied; i++)
		fprintf(stderr,
		        _("kubejit: target %s may not list %s (the 'list' verb is missing): leases made of "
		          "%s objects are not shown: %s\n"),
		        cl.target, cl.denied[i].resource, cl.denied[i].kind, cl.denied[i].message);
	if (json) {
		cJSON *a = cJSON_CreateArray(), *doc, *den;
		char *s;

		for (size_t i = 0; i < cl.n; i++)
			if (cluster_matches(&cl.v[i], &nf))
				cJSON_AddItemToArray(a, cluster_lease_json(&cl.v[i]));
		doc = kj_json_document("ClusterLease", a);
		cJSON_AddStringToObject(doc, "target", cl.target);
		cJSON_AddBoolToObject(doc, "complete", cl.n_denied == 0);
		den = cJSON_AddArrayToObject(doc, "denied");
		for (size_t i = 0; i < cl.n_denied; i++) {
			cJSON *d = cJSON_CreateObject();
			cJSON_AddStringToObject(d, "kind", cl.denied[i].kind);
			cJSON_AddStringToObject(d, "resource", cl.denied[i].resource);
			cJSON_AddStringToObject(d, "verb", cl.denied[i].verb);
			cJSON_AddStringToObject(d, "message", cl.denied[i].message);
			cJSON_AddItemToArray(den, d);
		}
		s = cJSON_Print(doc);
		printf("%s\n", s);
		free(s);
		cJSON_Delete(doc);
	} else {
		int64_t now = kj_now();
		size_t shown = 0;

		for (size_t i = 0; i < cl.n; i++) {
			const struct cluster_lease *c = &cl.v[i];
			char left[32], *owner;

			if (!cluster_matches(c, &nf))
				continue;
			if (!shown++)
				printf("%-8s  %-40s %-24s %-14s %-9s %s\n", _("ID"), _("OWNER"), _("SECRET"),
				       _("NAMESPACE"), _("EXPIRES"), _("STATE"));
			if (!c->expires_at)
				snprintf(left, sizeof(left), "?");
			else if (c->expires_at <= now)
				snprintf(left, sizeof(left), "-");
			else
				kj_ttl_human(c->expires_at - now, left, sizeof(left));
			owner = cluster_lease_owner_text(c);
			printf("%-8.8s  %-40s %-24s %-14s %-9s %s%s\n", c->id, owner,
			       c->secret ? c->secret : "?", c->ns ? c->ns : "?", left,
			       lease_state_name(c->state), c->local ? _(" (mine)") : "");
			free(owner);
		}
		if (!shown && !g->quiet)
			fprintf(stderr, _("no kubejit leases on target %s\n"), cl.target);
	}
	cluster_lease_list_done(&cl);
	free(path);
	return 0;
}

int cli_leases(int argc, char **argv, const struct kj_globals *g)
{
	static const struct option opts[] = {
	    {"secret", required_argument, NULL, CLI_LEASE_OPT_SECRET},
	    {"target", required_argument, NULL, CLI_LEASE_OPT_TARGET},
	    {"namespace", required_argument, NULL, 'n'},
	    {"state", required_argument, NULL, CLI_LEASE_OPT_STATE},
	    {"all", no_argument, NULL, CLI_LEASE_OPT_ALL},
	    {"json", no_argument, NULL, CLI_LEASE_OPT_JSON},
	    {"cluster", no_argument, NULL, CLI_LEASE_OPT_CLUSTER},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct lease_filter f = LEASE_FILTER_ANY;
	struct engine *en = NULL;
	struct lease *v = NULL;
	size_t n = 0;
	int json = 0, all = 0, cluster = 0, ch, r;
	kj_err e;

	kj_err_clear(&e);
	while ((ch = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		if ((r = cli_lease_filter_option(ch, &f, &e)) < 0)
			return cli_fail(&e);
		if (r)
			continue;
		if (ch == CLI_LEASE_OPT_ALL)
			all = 1;
		else if (ch == CLI_LEASE_OPT_JSON)
			json = 1;
		else if (ch == CLI_LEASE_OPT_CLUSTER)
			cluster = 1;
		else if (ch == 'h') {
			leases_usage(stdout);
			return 0;
		} else
			return cli_usage_error("leases", _("unknown option"));
	}
	if (cluster && (all || optind < argc))
		return cli_usage_error("leases",
		                       _("--cluster lists the leases the cluster holds, all of them "
		                         "live: it takes neither --all nor an ID"));
	f.live_only = !all && f.state < 0;
	if (engine_open(g->home, &en, &e) < 0)
		return cli_fail(&e);
	if (cluster) {
		r = leases_cluster(en, g, &f, json);
		engine_close(en);
		return r;
	}
	if (optind < argc) {
		struct lease l;
		if (lease_get(en, argv[optind], &l, &e) < 0) {
			engine_close(en);
			return cli_fail(&e);
		}
		if (json)
			cli_print_json("Lease", lease_json(&l));
		else
			lease_show(&l);
		lease_done(&l);
		engine_close(en);
		return 0;
	}
	if (list_shown(en, &f, &v, &n, &e) < 0) {
		engine_close(en);
		return cli_fail(&e);
	}
	if (json) {
		cJSON *a = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(a, lease_json(&v[i]));
		cli_print_json("Lease", a);
	} else if (n) {
		int64_t now = kj_now();
		size_t overdue = 0;
		printf("%-8s  %-28s %-14s %-9s %-10s %-10s\n", _("ID"), _("SECRET"), _("NAMESPACE"),
		       _("STATE"), _("LEASE"), _("TOKEN"));
		for (size_t i = 0; i < n; i++) {
			char a[32], b[32];
			kj_ttl_human(v[i].lease_expiry > now ? v[i].lease_expiry - now : 0, a, sizeof(a));
			if (!v[i].token_expiry)
				snprintf(b, sizeof(b), "-");
			else
				kj_ttl_human(v[i].token_expiry > now ? v[i].token_expiry - now : 0, b,
				             sizeof(b));
			int live = lease_is_live(&v[i]) && v[i].state != LEASE_FAILED;
			int due = lease_is_overdue(&v[i], now);
			overdue += due;
			printf("%-8.8s  %-28s %-14s %-9s %-10s %-10s%s\n", v[i].id, v[i].secret, v[i].ns,
			       due ? _("expired*") : lease_state_name(v[i].state),
			       live && v[i].lease_expiry > now ? a : "-", v[i].token_expiry > now ? b : "-",
			       v[i].revocable ? "" : _(" expiry-only"));
		}
		if (overdue && !g->quiet)
			fprintf(
			    stderr,
			    _("* past its TTL, objects not yet removed: no sweep has run since.  The next "
			      "command on its target (mint, revoke, target check) or 'kubejit sweep' "
			      "removes them; to sweep every few minutes, enable the timer:\n"
			      "    systemctl --user enable --now kubejit-sweep.timer\n"));
	} else if (!g->quiet) {
		fputs(all || f.state >= 0 ? _("no leases match\n") : _("no live leases\n"), stderr);
	}
	lease_list_free(v, n);
	engine_close(en);
	return 0;
}
