/* The Secret and Mint wizards against the demo cluster: happy paths, the
 * validation error of each step, the YAML editor with templates, resize
 * in the middle of a wizard, and the mint result's token handling. */
#define _GNU_SOURCE 1 /* memmem */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/lease.h"
#include "engine/secret.h"
#include "ui/screens.h"
#include "tests/support/ui_demo.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#define CTRL(c) ((c)&0x1f)

static void open_secret_wizard(struct ud *u)
{
	ud_add_target(u, "demo", "kube-system/kubejit-jit");
	ui_app_push(u->t.app, ui_secrets_new(u->t.app));
	ud_type(u, "n");
	cr_assert(th_screen_has(&u->t, "Secret"));
}

Test(ui_wizards, secret_fixed_mode_happy_path)
{
	struct ud u;
	struct secret s;
	kj_err e;

	ud_start(&u, 24, 80);
	open_secret_wizard(&u);
	ud_type(&u, "/ops/dev/view\n");
	ud_type(&u, "read-only view of dev\tops, dev\t \n"); /* description, tags, protection on */
	ud_type(&u, "\n");                                   /* target demo */
	th_key(&u.t, KEY_RIGHT);                             /* mode: fixed */
	ud_type(&u, "\n");
	cr_assert(th_screen_has(&u.t, "Service account"));
	ud_type(&u, "dev\tdefault\n");
	ud_type(&u, "\n\n"); /* TTLs, audiences: defaults */
	cr_assert(th_screen_has(&u.t, "Press Enter to save."));
	cr_assert(th_golden(&u.t, "secret-review-fixed"));
	ud_type(&u, "\n");
	cr_assert(th_screen_has(&u.t, "view"), "the Secrets screen lists it");
	memset(&s, 0, sizeof(s));
	kj_err_clear(&e);
	cr_assert_eq(secret_get(u.eng, "/ops/dev/view", &s, &e), 0, "%s", e.msg);
	cr_assert_eq(s.mode, SECRET_FIXED);
	cr_assert_str_eq(s.ns, "dev");
	cr_assert_str_eq(s.service_account, "default");
	cr_assert(s.delete_protection);
	cr_assert_eq(s.tags.n, 2);
	secret_done(&s);
	ud_stop(&u);
}

Test(ui_wizards, secret_steps_refuse_bad_input)
{
	struct ud u;

	ud_start(&u, 24, 80);
	open_secret_wizard(&u);
	ud_fixed_secret(&u, "/taken", "dev", "default", 3600);
	ud_type(&u, "bad path!\n");
	cr_assert(th_screen_has(&u.t, "\xe2\x9c\x97"), "an error mark beside the field");
	th_key(&u.t, CTRL('u'));
	ud_type(&u, "/taken\n");
	cr_assert(th_screen_has(&u.t, "exists already"));
	th_key(&u.t, CTRL('u'));
	ud_type(&u, "/new\n\n\n");
	th_key(&u.t, KEY_RIGHT); /* fixed */
	ud_type(&u, "\n\n");     /* no namespace, no service account */
	cr_assert(th_screen_has(&u.t, "the namespace of the ServiceAccount is required"));
	ud_type(&u, "dev\tdefault\n");
	cr_assert(th_screen_has(&u.t, "Default TTL"));
	th_key(&u.t, CTRL('u'));
	ud_type(&u, "3\t"); /* 3, then the unit: h -> d */
	th_key(&u.t, KEY_RIGHT);
	ud_type(&u, "\n");
	cr_assert(th_screen_has(&u.t, "longer than the max TTL"));
	cr_assert(th_golden(&u.t, "secret-ttl-error"));
	ud_stop(&u);
}

Test(ui_wizards, secret_dynamic_yaml_with_live_validation_and_template)
{
	struct ud u;
	struct secret s;
	kj_err e;

	ud_start(&u, 30, 100);
	open_secret_wizard(&u);
	ud_type(&u, "/dyn/pods\n\n\n\n"); /* path, about, target, mode dynamic */
	th_key(&u.t, KEY_DOWN);
	th_key(&u.t, KEY_DOWN);
	th_key(&u.t, KEY_DOWN);
	ud_type(&u, "dev, team-*\n");
	cr_assert(th_screen_has(&u.t, "YAML"));
	ud_type(&u, "kind: Role\nrules:\n- apiGroups: [\"\"]\nresources: [pods]\nverbs: get\n");
	cr_assert(th_screen_has(&u.t, "role.yaml:5:"), "the engine's line:column error beside the line");
	th_key(&u.t, 27); /* done refuses while invalid */
	cr_assert(th_screen_has(&u.t, "fix the YAML first"));
	/* replace it with a template */
	th_key(&u.t, CTRL('t'));
	cr_assert(th_screen_has(&u.t, "pods-read-only"));
	ud_type(&u, "pp\n");
	cr_assert(th_screen_has(&u.t, "Replace the text?"), "typed text is not replaced without asking");
	ud_type(&u, "y");
	cr_assert(th_screen_has(&u.t, "valid"));
	th_key(&u.t, 27);
	cr_assert(th_screen_has(&u.t, "Default TTL"));
	ud_type(&u, "\n\n\n");
	memset(&s, 0, sizeof(s));
	kj_err_clear(&e);
	cr_assert_eq(secret_get(u.eng, "/dyn/pods", &s, &e), 0, "%s", e.msg);
	cr_assert_eq(s.role_source, ROLE_SOURCE_YAML);
	cr_assert(strstr(s.role_yaml, "kind: Role") != NULL);
	cr_assert_eq(s.allowed_namespaces.n, 2);
	secret_done(&s);
	ud_stop(&u);
}

Test(ui_wizards, resize_in_the_middle_of_a_wizard_keeps_the_input)
{
	struct ud u;

	ud_start(&u, 30, 100);
	open_secret_wizard(&u);
	ud_type(&u, "/keep/me\n");
	ud_type(&u, "typed before the resize");
	ui_app_resize(u.t.app, 24, 80);
	cr_assert(th_screen_has(&u.t, "typed before the resize"));
	ui_app_resize(u.t.app, 12, 40);
	cr_assert(th_screen_has(&u.t, "Terminal too small"));
	ud_type(&u, "x"); /* keys are not lost into the form while too small */
	ui_app_resize(u.t.app, 24, 80);
	cr_assert(th_screen_has(&u.t, "typed before the resize"));
	cr_assert(th_golden(&u.t, "secret-after-resize"));
	ud_stop(&u);
}

/* ---- mint ---- */

Test(ui_wizards, mint_happy_path_masks_reveals_writes_and_clears)
{
	struct ud u;
	char *scr, *path;
	struct stat st;
	struct lease *v = NULL;
	size_t n = 0;
	kj_err e;
	struct lease_filter f = LEASE_FILTER_ANY;

	ud_start(&u, 30, 100);
	ud_add_target(&u, "demo", "kube-system/kubejit-jit");
	ud_fixed_secret(&u, "/team/dev-default", "dev", "default", 3600);
	ui_app_push(u.t.app, ui_leases_new(u.t.app));
	th_now = kj_now();
	ud_type(&u, "m");
	cr_assert(th_screen_has(&u.t, "/team/dev-default"));
	ud_type(&u, "\n"); /* secret; fixed mode skips the namespace step */
	cr_assert(th_screen_has(&u.t, "At most 1h"));
	th_key(&u.t, CTRL('u'));
	ud_type(&u, "2m\n");
	cr_assert(th_screen_has(&u.t, "Press Enter to mint"));
	ud_type(&u, "\n");
	cr_assert(th_screen_has(&u.t, "hidden: v shows it"));
	cr_assert(th_screen_has(&u.t, "Lease ends in"));
	/* a fixed token needs no readiness check, and the screen says why */
	cr_assert(th_screen_has(&u.t, "not needed: nothing a fixed token relies on"),
	          "why it was not checked");
	cr_assert(th_screen_has(&u.t, "serviceaccount=default"), "decoded claims");
	kj_err_clear(&e);
	cr_assert_eq(lease_list(u.eng, &f, &v, &n, &e), 0);
	cr_assert_eq(n, 1);
	scr = th_screen(&u.t);
	cr_assert_null(strstr(scr, "eyJ"), "the token is masked until revealed");
	free(scr);
	ud_type(&u, "v");
	cr_assert(th_screen_has(&u.t, "eyJ"));
	ud_type(&u, "v");
	scr = th_screen(&u.t);
	cr_assert_null(strstr(scr, "eyJ"));
	free(scr);
	ud_type(&u, "x");
	cr_assert(th_screen_has(&u.t, "ExecCredential"));
	cr_assert(th_screen_has(&u.t, "expirationTimestamp"));
	ud_type(&u, "q");
	ud_type(&u, "w");
	cr_assert(th_screen_has(&u.t, "Write kubeconfig"));
	path = kj_xasprintf("%s/out.kubeconfig", u.home);
	th_key(&u.t, CTRL('u'));
	ud_type(&u, path);
	ud_type(&u, "\n");
	cr_assert(th_screen_has(&u.t, "kubeconfig written"));
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	ud_type(&u, "w");
	th_key(&u.t, CTRL('u'));
	ud_type(&u, path);
	ud_type(&u, "\n");
	cr_assert(th_screen_has(&u.t, "Error"), "an existing file is never replaced");
	ud_type(&u, "\n");
	free(path);
	ud_type(&u, "q"); /* leaving: back to the lease table with the new lease */
	cr_assert(th_screen_has(&u.t, "1 live of 1 leases"));
	scr = th_screen(&u.t);
	cr_assert_null(strstr(scr, "eyJ"));
	free(scr);
	lease_list_free(v, n);
	ud_stop(&u);
}

Test(ui_wizards, mint_refuses_ttl_over_max_and_namespaces_not_allowed)
{
	struct ud u;
	struct secret s;
	kj_err e;

	ud_start(&u, 24, 80);
	ud_add_target(&u, "demo", "kube-system/kubejit-jit");
	secret_init(&s);
	s.path = kj_xstrdup("/dyn/view");
	s.target = kj_xstrdup("demo");
	s.mode = SECRET_DYNAMIC;
	s.role_source = ROLE_SOURCE_CLUSTER_ROLE;
	s.role_name = kj_xstrdup("view");
	kj_strv_push(&s.allowed_namespaces, "dev");
	kj_strv_push(&s.allowed_namespaces, "team-*");
	s.default_ttl = 600;
	s.max_ttl = 1800;
	kj_err_clear(&e);
	cr_assert_eq(secret_add(u.eng, &s, &e), 0, "%s", e.msg);
	secret_done(&s);
	ui_app_push(u.t.app, ui_wiz_mint_new(u.t.app, "/dyn/view"));
	ud_type(&u, "\n");
	th_key(&u.t, CTRL('u'));
	ud_type(&u, "prod\n");
	cr_assert(th_screen_has(&u.t, "prod"));
	cr_assert(th_screen_has(&u.t, "not allowed"));
	cr_assert(th_golden(&u.t, "mint-namespace-denied"));
	th_key(&u.t, CTRL('u'));
	ud_type(&u, "dev\n");
	th_key(&u.t, CTRL('u'));
	ud_type(&u, "2h\n");
	cr_assert(th_screen_has(&u.t, "\xe2\x9c\x97"), "over the secret's max TTL");
	th_key(&u.t, CTRL('u'));
	ud_type(&u, "abc\n");
	cr_assert(th_screen_has(&u.t, "type a number"));
	ud_stop(&u);
}

static void add_dynamic_view(struct ud *u, const char *path, const char *allowed, int protect)
{
	struct secret s;
	kj_err e;

	secret_init(&s);
	s.path = kj_xstrdup(path);
	s.target = kj_xstrdup("demo");
	s.mode = SECRET_DYNAMIC;
	s.role_source = ROLE_SOURCE_CLUSTER_ROLE;
	s.role_name = kj_xstrdup("view");
	kj_strv_split(&s.allowed_namespaces, allowed);
	s.delete_protection = protect;
	kj_err_clear(&e);
	cr_assert_eq(secret_add(u->eng, &s, &e), 0, "%s", e.msg);
	secret_done(&s);
}

Test(ui_wizards, mint_picks_namespaces_matching_the_patterns)
{
	struct ud u;

	ud_start(&u, 30, 100);
	ud_add_target(&u, "demo", "kube-system/kubejit-jit");
	add_dynamic_view(&u, "/dyn/view", "dev, sta*", 0);
	ui_app_push(u.t.app, ui_wiz_mint_new(u.t.app, "/dyn/view"));
	ud_type(&u, "\n");
	th_key(&u.t, CTRL('p'));
	ui_app_settle(u.t.app);
	cr_assert(th_screen_has(&u.t, "staging"), "a namespace matching sta* is offered");
	cr_assert(th_screen_has(&u.t, " dev "));
	{
		char *scr = th_screen(&u.t);
		cr_assert_null(strstr(scr, " prod "), "prod is not allowed, so not offered");
		free(scr);
	}
	th_key(&u.t, KEY_DOWN);
	ud_type(&u, "\n");
	cr_assert(th_screen_has(&u.t, "Namespace  staging"));
	ud_stop(&u);
}

Test(ui_wizards, edit_keeps_values_and_protection_blocks_delete)
{
	struct ud u;
	struct secret s;
	kj_err e;

	ud_start(&u, 24, 80);
	ud_add_target(&u, "demo", "kube-system/kubejit-jit");
	add_dynamic_view(&u, "/dyn/view", "dev", 1);
	ui_app_push(u.t.app, ui_secrets_new(u.t.app));
	ud_type(&u, "e");
	cr_assert(th_screen_has(&u.t, "Edit secret"));
	cr_assert(th_screen_has(&u.t, "/dyn/view"));
	ud_type(&u, "\nnow described\n\n\n"); /* path kept, description, target, mode */
	cr_assert(th_screen_has(&u.t, "existing ClusterRole"), "the role source is kept");
	ud_type(&u, "\n\n\n"); /* role, TTL, audiences */
	ud_type(&u, "\n");     /* save */
	memset(&s, 0, sizeof(s));
	kj_err_clear(&e);
	cr_assert_eq(secret_get(u.eng, "/dyn/view", &s, &e), 0, "%s", e.msg);
	cr_assert_str_eq(s.description, "now described");
	cr_assert_str_eq(s.role_name, "view");
	secret_done(&s);
	ud_type(&u, "dy");
	cr_assert(th_screen_has(&u.t, "Error"), "delete protection refuses, in a dialog");
	cr_assert(th_screen_has(&u.t, "protected"));
	ud_type(&u, "\n");
	memset(&s, 0, sizeof(s));
	cr_assert_eq(secret_get(u.eng, "/dyn/view", &s, &e), 0, "the secret is still there");
	secret_done(&s);
	ud_stop(&u);
}

Test(ui_wizards, mint_copies_the_token_with_osc52)
{
	struct ud u;
	FILE *out = tmpfile();
	char *buf;
	long len;

	ud_start_out(&u, 30, 100, out);
	ud_add_target(&u, "demo", "kube-system/kubejit-jit");
	ud_fixed_secret(&u, "/team/dev-default", "dev", "default", 3600);
	ui_app_push(u.t.app, ui_wiz_mint_new(u.t.app, "/team/dev-default"));
	ud_type(&u, "\n\n\n");
	cr_assert(th_screen_has(&u.t, "hidden: v shows it"));
	ud_type(&u, "c");
	cr_assert(th_screen_has(&u.t, "copied to the clipboard"));
	fflush(out);
	len = ftell(out);
	buf = calloc(1, (size_t)len + 1);
	rewind(out);
	cr_assert_eq(fread(buf, 1, (size_t)len, out), (size_t)len);
	/* OSC 52 with the base64 of a JWT ("eyJ" encodes as "ZXlK") */
	cr_assert(memmem(buf, (size_t)len, "\033]52;c;ZXlK", 11) != NULL, "no OSC 52 sequence was sent");
	free(buf);
	ud_stop(&u);
	fclose(out);
}

Test(ui_wizards, mint_ttl_left_right_on_the_number_change_the_unit)
{
	struct ud u;

	ud_start(&u, 24, 80);
	ud_add_target(&u, "demo", "kube-system/kubejit-jit");
	ud_fixed_secret(&u, "/team/dev-default", "dev", "default", 86400);
	ui_app_push(u.t.app, ui_wiz_mint_new(u.t.app, "/team/dev-default"));
	ud_type(&u, "\n"); /* secret; fixed mode skips the namespace step */
	cr_assert(th_screen_has(&u.t, "Left/Right changes the unit"));
	cr_assert(th_screen_has(&u.t, "unit  < h >"));
	th_key(&u.t, KEY_RIGHT); /* the cursor is on the number, as the hint says */
	cr_assert(th_screen_has(&u.t, "unit  < d >"));
	cr_assert(th_golden(&u.t, "mint-ttl-unit-right"));
	th_key(&u.t, KEY_LEFT);
	th_key(&u.t, KEY_LEFT);
	cr_assert(th_screen_has(&u.t, "unit  < m >"));
	th_key(&u.t, KEY_LEFT);
	th_key(&u.t, KEY_LEFT); /* wraps from s to d */
	cr_assert(th_screen_has(&u.t, "unit  < d >"));
	th_key(&u.t, KEY_RIGHT);
	th_key(&u.t, KEY_RIGHT);
	th_key(&u.t, KEY_RIGHT); /* d -> s -> m -> h */
	th_key(&u.t, CTRL('u'));
	ud_type(&u, "2");
	th_key(&u.t, KEY_LEFT); /* h -> m: 2 minutes */
	ud_type(&u, "\n");
	cr_assert(th_screen_has(&u.t, "Press Enter to mint"));
	cr_assert(th_screen_has(&u.t, "TTL          2m"));
	ud_stop(&u);
}

static int screen_lacks(struct th *t, const char *needle)
{
	char *s = th_screen(t);
	int r = strstr(s, needle) == NULL;

	if (!r)
		fprintf(stderr, "screen has \"%s\":\n%s\n", needle, s);
	free(s);
	return r;
}

Test(ui_wizards, role_step_shows_only_the_fields_of_the_role_source)
{
	struct ud u;

	ud_start(&u, 24, 80);
	open_secret_wizard(&u);
	ud_type(&u, "/dyn/pods\n\n\n\n"); /* path, about, target, mode dynamic */
	cr_assert(th_screen_has(&u.t, "YAML role"));
	cr_assert(screen_lacks(&u.t, "Role name"), "a YAML role has no name to bind");
	cr_assert(screen_lacks(&u.t, "Cluster-wide"));
	th_key(&u.t, KEY_DOWN); /* straight to the namespaces */
	ud_type(&u, "dev");
	cr_assert(th_screen_has(&u.t, "Allowed namespaces  dev"));
	cr_assert(th_golden(&u.t, "secret-role-yaml"));
	th_key(&u.t, KEY_UP);
	th_key(&u.t, KEY_RIGHT); /* existing Role */
	cr_assert(th_screen_has(&u.t, "Role name"));
	cr_assert(screen_lacks(&u.t, "Cluster-wide"), "a Role binds in its namespace only");
	th_key(&u.t, KEY_RIGHT); /* existing ClusterRole */
	cr_assert(th_screen_has(&u.t, "Role name"));
	cr_assert(th_screen_has(&u.t, "Cluster-wide"));
	th_key(&u.t, KEY_DOWN);
	ud_type(&u, "view");
	th_key(&u.t, KEY_DOWN);
	th_key(&u.t, KEY_DOWN);
	cr_assert(th_screen_has(&u.t, "comma-separated"),
	          "the focus went through Cluster-wide to the namespaces");
	th_key(&u.t, KEY_UP);
	th_key(&u.t, KEY_UP);
	th_key(&u.t, KEY_UP);
	th_key(&u.t, KEY_RIGHT); /* back to YAML: the name row goes away */
	cr_assert(screen_lacks(&u.t, "Role name"));
	ud_type(&u, "\n");
	cr_assert(th_screen_has(&u.t, "step 6 of 9: YAML"));
	ud_stop(&u);
}

Test(ui_wizards, empty_editor_says_what_to_do_and_templates_ask_before_replacing)
{
	struct ud u;

	ud_start(&u, 24, 80);
	open_secret_wizard(&u);
	ud_type(&u, "/dyn/pods\n\n\n\n"); /* path, about, target, mode dynamic */
	th_key(&u.t, KEY_DOWN);           /* YAML role; the allowed namespaces */
	ud_type(&u, "dev\n");
	cr_assert(th_screen_has(&u.t, "empty: Ctrl-T loads a template, or type a Role"));
	cr_assert(screen_lacks(&u.t, "\xe2\x9c\x97"), "an empty buffer is no mistake");
	cr_assert(th_golden(&u.t, "editor-empty"));
	ud_type(&u, "kind: Role\n");
	th_key(&u.t, CTRL('t'));
	ud_type(&u, "pods\n");
	cr_assert(th_screen_has(&u.t, "Replace the text?"));
	cr_assert(th_golden(&u.t, "editor-template-replace"));
	ud_type(&u, "n");
	cr_assert(th_screen_has(&u.t, "your text is kept"));
	cr_assert(screen_lacks(&u.t, "pods-read-only"));
	cr_assert(th_screen_has(&u.t, "kind: Role"));
	th_key(&u.t, CTRL('t'));
	ud_type(&u, "pods\n");
	ud_type(&u, "y");
	cr_assert(th_screen_has(&u.t, "name: pods-read-only"));
	/* an untouched template is no typed text: the next one just replaces it */
	th_key(&u.t, CTRL('t'));
	ud_type(&u, "con\n");
	cr_assert(screen_lacks(&u.t, "Replace the text?"));
	cr_assert(th_screen_has(&u.t, "name: configmap-reader"));
	ud_stop(&u);
}
