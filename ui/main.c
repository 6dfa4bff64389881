/* main: `kubejit` without a command, and `kubejit --demo`. */
#include "ui/ui.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/target.h"
#include "ui/app.h"
#include "ui/keys.h"
#include "ui/screens.h"
#include "util/i18n.h"
#include "util/strbuf.h"
#include "demo/demo.h"

void ui_print_keys(FILE *out, int roff)
{
	ui_keys_print(out, roff);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void rm_tree(const char *dir)
{
	if (dir)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void ui_jump_to_id(struct ui_app *app, int id)
{
	ui_jump_to(app, (enum ui_screen_id)id);
}

struct demo_ctx {
	char *home;
	char *dev_home; /* the developer's kubejit home, inside `home` */
	char *guide;
	char *request_hint;
	char *banner;
	struct demo_cluster *dc;
};

#define DEMO_TARGET "demo"
/* What the developer asks for in the guide: the secret step 1 defines. */
#define DEMO_SECRET_HINT "/demo/read-pods"

static int demo_setup(struct demo_ctx *d, kj_err *e)
{
	const char *tmp = getenv("TMPDIR");
	struct demo_opts dopts = {0};
	char tmpl[512];

	snprintf(tmpl, sizeof(tmpl), "%s/kubejit-demo-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl))
		return kj_err_set(e, KJ_ERR_FAIL, _("cannot create a temporary home for the demo: %s"),
		                  strerror(errno));
	d->home = kj_xstrdup(tmpl);
	/* the demo's target approves what the seeded developer asks for */
	dopts.seed_approver = 1;
	fprintf(stderr, "%s\n", _("kubejit: starting the demo cluster..."));
	if (demo_start(&dopts, &d->dc, e) != 0)
		return kj_err_prefix(e, "%s", _("starting the demo cluster: "));
	d->banner = kj_xasprintf(_("demo cluster %s "), demo_url(d->dc));
	d->dev_home = kj_xasprintf("%s/developer", d->home);
	d->guide = kj_xasprintf(
	    _("A demo cluster runs inside kubejit at %s; the target \"%s\" uses its privileged account.\n"
	      "1. Define a secret: press : and pick Secrets, then n. Path %s, mode dynamic, role source "
	      "YAML; in the editor Ctrl-T loads a template. Allow namespace dev.\n"
	      "2. Mint: m, TTL 2m, Enter. v reveals the token, w writes a kubeconfig.\n"
	      "3. Watch the countdown here; r revokes: the token stops working within about 10 s.\n"
	      "4. Approval: a developer who may only ask requests it from a second terminal; press : "
	      "and pick Requests for the commands, a approves.\n"
	      "Admin beside it: kubectl --kubeconfig %s get pods -A\n"
	      "? help   : jump   g hides this guide   Q quits"),
	    demo_url(d->dc), DEMO_TARGET, DEMO_SECRET_HINT, demo_kubeconfig_path(d->dc));
	/* the Requests screen shows these while no request is there */
	d->request_hint = kj_xasprintf(
	    _("No requests yet. The developer (a user who may only ask for access) works in a second "
	      "terminal:\n"
	      "  export KUBEJIT_HOME=%s\n"
	      "  kubejit request %s --namespace dev --ttl 10m --reason \"look at the pods\" --wait --out "
	      "dev.kubeconfig\n"
	      "The request appears here: a approves, d denies. The developer's kubejit then writes the "
	      "kubeconfig:\n"
	      "  kubectl --kubeconfig dev.kubeconfig get pods -n dev"),
	    d->dev_home, DEMO_SECRET_HINT);
	return 0;
}

static int demo_target(struct demo_ctx *d, struct engine *eng, kj_err *e)
{
	struct target_spec spec = {0};
	struct target_add_result res;
	const char *tok = demo_account_token(d->dc, "kube-system/kubejit-jit");

	if (!tok)
		return kj_err_set(e, KJ_ERR_FAIL, "%s",
		                  _("the demo cluster has no kube-system/kubejit-jit account"));
	memset(&res, 0, sizeof(res));
	spec.name = DEMO_TARGET;
	spec.auth = TARGET_AUTH_TOKEN;
	spec.server = demo_url(d->dc);
	spec.ca_pem = demo_ca_pem(d->dc);
	spec.token = tok;
	if (target_add(eng, &spec, &res, e) != 0)
		return kj_err_prefix(e, "%s", _("setting up the demo target: "));
	target_add_result_done(&res);
	return 0;
}

/* The developer's home: a target on the same cluster as the user
 * "developer", whose RBAC allows asking for access and nothing else (the
 * seed binds it to the ClusterRole kubejit-requester).  Preflight reports
 * that it cannot mint, which is the point. */
static int demo_developer(struct demo_ctx *d, kj_err *e)
{
	struct engine *eng = NULL;
	struct target_spec spec = {0};
	struct target_add_result res;
	int rc;

	if (engine_open(d->dev_home, &eng, e) != 0)
		return kj_err_prefix(e, "%s", _("setting up the demo developer's home: "));
	memset(&res, 0, sizeof(res));
	spec.name = DEMO_TARGET;
	spec.auth = TARGET_AUTH_CLIENT_CERT;
	spec.server = demo_url(d->dc);
	spec.ca_pem = demo_ca_pem(d->dc);
	spec.client_cert_pem = demo_developer_cert_pem(d->dc);
	spec.client_key_pem = demo_developer_key_pem(d->dc);
	rc = target_add(eng, &spec, &res, e);
	if (rc != 0)
		kj_err_prefix(e, "%s", _("setting up the demo developer's target: "));
	else
		target_add_result_done(&res);
	engine_close(eng);
	return rc;
}

static void demo_teardown(struct demo_ctx *d)
{
	if (d->dc)
		demo_stop(d->dc);
	rm_tree(d->home);
	free(d->home);
	free(d->dev_home);
	free(d->guide);
	free(d->request_hint);
	free(d->banner);
}

int ui_main(const struct ui_main_opts *o, kj_err *e)
{
	struct demo_ctx d = {0};
	struct engine *eng = NULL, *weng = NULL;
	struct ui_opts uo = {0};
	struct ui_app *app = NULL;
	const char *home = o->home;
	int rc = -1;

	if (o->demo) {
		if (demo_setup(&d, e) != 0)
			goto out;
		home = d.home;
	}
	if (engine_open(home, &eng, e) != 0 || engine_open(home, &weng, e) != 0)
		goto out;
	if (o->demo && (demo_target(&d, eng, e) != 0 || demo_developer(&d, e) != 0))
		goto out;
	uo.engine = eng;
	uo.worker_engine = weng;
	uo.banner = d.banner;
	uo.guide = d.guide;
	uo.request_hint = d.request_hint;
	uo.show_guide = o->demo;
	uo.jump = ui_jump_to_id;
	if (getenv("KUBEJIT_ASCII"))
		uo.ascii = 1;
	app = ui_app_new(&uo, e);
	if (!app)
		goto out;
	ui_app_push(app, ui_leases_new(app));
	rc = ui_app_run(app);
	ui_app_free(app);
	if (o->demo)
		printf("%s\n", _("kubejit: the demo cluster and its temporary home are gone."));
out:
	engine_close(weng);
	engine_close(eng);
	if (o->demo)
		demo_teardown(&d);
	return rc;
}
