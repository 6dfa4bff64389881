/* The Targets screen and the Target wizard against the in-process demo
 * cluster: happy path with the preflight checklist, validation errors at
 * each step, an unprivileged account with its RBAC fix. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/target.h"
#include "ui/screens.h"
#include "tests/support/ui_demo.h"
#include "util/strbuf.h"

#define CTRL(c) ((c)&0x1f)

static void open_wizard(struct ud *u)
{
	ui_app_push(u->t.app, ui_targets_new(u->t.app));
	cr_assert(th_screen_has(&u->t, "No targets yet"));
	ud_type(u, "n");
	cr_assert(th_screen_has(&u->t, "step 1 of 4: Name"));
}

/* name -> token strategy -> details, up to the review page */
static void fill_token_target(struct ud *u, const char *name, const char *account)
{
	char *keys;

	ud_type(u, name);
	ud_type(u, "\n\n"); /* name, then the default strategy: token + CA */
	keys =
	    kj_xasprintf("%s\t%s\t\t%s\n", demo_url(u->dc), u->ca_file, demo_account_token(u->dc, account));
	ud_type(u, keys);
	free(keys);
	cr_assert(th_screen_has(&u->t, "step 4 of 4: Review"));
	cr_assert(th_screen_has(&u->t, "(given, hidden)"), "the review never shows the token");
}

Test(ui_targets, wizard_saves_a_privileged_target_and_shows_preflight)
{
	struct ud u;
	struct target t;
	kj_err e;
	char *scr;

	ud_start(&u, 24, 80);
	open_wizard(&u);
	fill_token_target(&u, "demo", "kube-system/kubejit-jit");
	ud_type(&u, "\n"); /* check and save */
	cr_assert(th_screen_has(&u.t, "Target demo saved."));
	cr_assert(th_screen_has(&u.t, "authenticated as system:serviceaccount:kube-system:kubejit-jit"));
	scr = th_screen(&u.t);
	cr_assert_null(strstr(scr, demo_account_token(u.dc, "kube-system/kubejit-jit")));
	free(scr);
	/* scroll to the per-mode checklist */
	ud_type(&u, "jjjjjjj");
	cr_assert(th_screen_has(&u.t, "dynamic mode: ready") || th_screen_has(&u.t, "fixed mode: ready"));
	ud_type(&u, "q");
	cr_assert(th_screen_has(&u.t, "demo"));
	cr_assert(th_screen_has(&u.t, "token"));
	kj_err_clear(&e);
	memset(&t, 0, sizeof(t));
	cr_assert_eq(target_get(u.eng, "demo", &t, &e), 0);
	cr_assert_eq(t.auth, TARGET_AUTH_TOKEN);
	target_done(&t);
	ud_stop(&u);
}

Test(ui_targets, wizard_validates_each_step_as_it_is_left)
{
	struct ud u;

	ud_start(&u, 24, 80);
	open_wizard(&u);
	ud_type(&u, "Bad_Name\n");
	cr_assert(th_golden(&u.t, "target-bad-name"));
	th_key(&u.t, CTRL('u'));
	ud_type(&u, "demo\n\n");
	ud_type(&u, "http://insecure\n");
	cr_assert(th_screen_has(&u.t, "the API server URL starts with https://"));
	th_key(&u.t, CTRL('u'));
	ud_type(&u, "https://127.0.0.1:1\t/nonexistent/ca.pem\t\tx\n");
	cr_assert(th_screen_has(&u.t, "cannot read /nonexistent/ca.pem"));
	/* Back keeps what was typed; Esc on the first step cancels */
	th_key(&u.t, 27);
	cr_assert(th_screen_has(&u.t, "step 2 of 4: Strategy"));
	th_key(&u.t, 27);
	cr_assert(th_screen_has(&u.t, "demo"));
	th_key(&u.t, 27);
	cr_assert(th_screen_has(&u.t, "No targets yet"));
	ud_stop(&u);
}

Test(ui_targets, unreachable_cluster_saves_nothing_and_says_why)
{
	struct ud u;
	struct target *v = NULL;
	size_t n = 9;
	kj_err e;
	char *keys;

	ud_start(&u, 24, 80);
	open_wizard(&u);
	ud_type(&u, "gone\n\n");
	keys = kj_xasprintf("https://127.0.0.1:1\t%s\t\tsometoken\n", u.ca_file);
	ud_type(&u, keys);
	free(keys);
	ud_type(&u, "\n");
	cr_assert(th_screen_has(&u.t, "Error"));
	kj_err_clear(&e);
	cr_assert_eq(target_list(u.eng, &v, &n, &e), 0);
	cr_assert_eq(n, 0, "nothing half-saved");
	target_list_free(v, n);
	ud_type(&u, "\n"); /* close the error; still on the review page */
	cr_assert(th_screen_has(&u.t, "Review"));
	ud_stop(&u);
}

Test(ui_targets, unprivileged_account_gets_its_rbac_fix)
{
	struct ud u;

	ud_start(&u, 40, 100);
	open_wizard(&u);
	fill_token_target(&u, "viewer", "kubernetes-dashboard/kubernetes-dashboard");
	ud_type(&u, "\n");
	cr_assert(th_screen_has(&u.t, "Target viewer saved."));
	cr_assert(th_screen_has(&u.t, "NOT ready"));
	th_key(&u.t, KEY_END);
	th_key(&u.t, KEY_NPAGE);
	th_key(&u.t, KEY_NPAGE);
	th_key(&u.t, KEY_NPAGE);
	th_key(&u.t, KEY_NPAGE);
	th_key(&u.t, KEY_NPAGE);
	cr_assert(th_screen_has(&u.t, "kind: ClusterRole"), "the RBAC YAML to fix it is shown");
	ud_stop(&u);
}

/* The picker reads the file with the engine's kubeconfig loader: contexts
 * in any YAML layout the import accepts are offered, and a file the import
 * would refuse is refused here with the loader's error. */
Test(ui_targets, kubeconfig_picker_reads_the_file_as_the_import_does)
{
	struct ud u;
	char *good, *bad, *keys;
	FILE *f;

	ud_start(&u, 30, 100);
	good = kj_xasprintf("%s/indented.yaml", u.home);
	bad = kj_xasprintf("%s/broken.yaml", u.home);
	f = fopen(good, "w");
	cr_assert_not_null(f);
	fputs("apiVersion: v1\nkind: Config\nclusters:\n  - name: c\n    cluster: {server: "
	      "\"https://127.0.0.1:1\"}\nusers:\n  - name: u\n    user: {}\ncontexts:\n"
	      "  - name: \"alpha\"\n    context: {cluster: c, user: u}\n"
	      "  - {context: {cluster: c, user: u}, name: beta}\ncurrent-context: beta\n",
	      f);
	fclose(f);
	f = fopen(bad, "w");
	cr_assert_not_null(f);
	fputs("contexts: [\n", f);
	fclose(f);
	open_wizard(&u);
	ud_type(&u, "imported\n");
	th_key(&u.t, KEY_LEFT);
	cr_assert(th_screen_has(&u.t, "import a kubeconfig context"));
	ud_type(&u, "\n");
	th_key(&u.t, CTRL('u'));
	keys = kj_xasprintf("%s\t", good);
	ud_type(&u, keys);
	free(keys);
	th_key(&u.t, CTRL('p'));
	cr_assert(th_screen_has(&u.t, "alpha"), "an indented list item is a context");
	cr_assert(th_screen_has(&u.t, "beta"), "so is a flow mapping");
	th_key(&u.t, 27); /* close the menu */
	th_key(&u.t, KEY_BTAB);
	th_key(&u.t, CTRL('u'));
	keys = kj_xasprintf("%s\t", bad);
	ud_type(&u, keys);
	free(keys);
	th_key(&u.t, CTRL('p'));
	cr_assert(th_screen_has(&u.t, "reading kubeconfig"), "the loader's error, not an empty list");
	cr_assert(th_screen_has(&u.t, "broken.yaml"));
	free(good);
	free(bad);
	ud_stop(&u);
}

Test(ui_targets, kubeconfig_context_picked_from_the_file)
{
	struct ud u;
	char *keys;
	struct target t;
	kj_err e;

	ud_start(&u, 30, 100);
	open_wizard(&u);
	ud_type(&u, "imported\n");
	/* strategy: the fifth choice, import a kubeconfig context */
	th_key(&u.t, KEY_LEFT);
	cr_assert(th_screen_has(&u.t, "import a kubeconfig context"));
	ud_type(&u, "\n");
	th_key(&u.t, CTRL('u'));
	keys = kj_xasprintf("%s\t", demo_kubeconfig_path(u.dc));
	ud_type(&u, keys);
	free(keys);
	th_key(&u.t, CTRL('p'));
	cr_assert(th_screen_has(&u.t, "Context"));
	ud_type(&u, "\n"); /* the first context of the file */
	ud_type(&u, "\n"); /* details done */
	cr_assert(th_screen_has(&u.t, "Review"));
	ud_type(&u, "\n");
	cr_assert(th_screen_has(&u.t, "Target imported saved."));
	kj_err_clear(&e);
	memset(&t, 0, sizeof(t));
	cr_assert_eq(target_get(u.eng, "imported", &t, &e), 0, "%s", e.msg);
	cr_assert_eq(t.auth, TARGET_AUTH_KUBECONFIG);
	cr_assert_not_null(t.kubeconfig_context);
	target_done(&t);
	ud_stop(&u);
}
