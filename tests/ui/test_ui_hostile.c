/* Hostile input in every text field of the Secret, Mint and Target wizards:
 * values such as "", "../x", "UPPER", "a b", a leading dash, 10 kB of text,
 * non-ASCII letters and TTLs like 99999999999, 0 or 1e9.  Each row
 * types the value into its field, goes on as a user would, and asserts the
 * specific error the wizard shows (beside the field or on the review page),
 * that the interface is still running, and that nothing was saved.  Bytes
 * that are not UTF-8 never reach a field (the terminal input is decoded by
 * curses, which drops them); the command line, which does get them, is
 * tested with them in tests/e2e/hostile.sh. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "engine/lease.h"
#include "engine/secret.h"
#include "engine/target.h"
#include "ui/screens.h"
#include "tests/support/ui_demo.h"
#include "util/strbuf.h"

#define CTRL(c) ((c)&0x1f)

static char *big(void)
{
	static char b[10241];

	memset(b, 'a', sizeof(b) - 1);
	b[sizeof(b) - 1] = '\0';
	return b;
}

static size_t secrets(struct ud *u)
{
	struct secret *v = NULL;
	size_t n = 0;
	kj_err e;

	kj_err_clear(&e);
	cr_assert_eq(secret_list(u->eng, NULL, &v, &n, &e), 0, "%s", e.msg);
	secret_list_free(v, n);
	return n;
}

static size_t leases(struct ud *u)
{
	struct lease *v = NULL;
	size_t n = 0;
	kj_err e;
	struct lease_filter f = LEASE_FILTER_ANY;

	kj_err_clear(&e);
	cr_assert_eq(lease_list(u->eng, &f, &v, &n, &e), 0, "%s", e.msg);
	lease_list_free(v, n);
	return n;
}

static size_t targets(struct ud *u)
{
	struct target *v = NULL;
	size_t n = 0;
	kj_err e;

	kj_err_clear(&e);
	cr_assert_eq(target_list(u->eng, &v, &n, &e), 0, "%s", e.msg);
	target_list_free(v, n);
	return n;
}

/* The fields of the fixed-mode Secret wizard, typed step by step; NULL
 * takes a valid value. */
struct secret_row {
	const char *path, *desc, *tags, *ns, *sa, *aud, *prefix;
	const char *want; /* text of the error on screen */
};

/* Clear the focused field and type `v`: through the terminal's input pipe
 * when it holds bytes above ASCII, so curses decodes them as a terminal's
 * input would be (one key per character, not per byte). */
static void type_field(struct ud *u, const char *v)
{
	th_key(&u->t, CTRL('u'));
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p >= 0x80) {
			th_pipe_keys(&u->t, v);
			return;
		}
	ud_type(u, v);
}

static int run_secret_row(struct ud *u, const struct secret_row *r)
{
	size_t before = secrets(u);

	ui_app_push(u->t.app, ui_secrets_new(u->t.app));
	ud_type(u, "n");
	cr_assert(th_screen_has(&u->t, "step 1 of"), "the wizard opens");
	type_field(u, r->path ? r->path : "/hostile/row");
	ud_type(u, "\n");
	if (th_screen_has(&u->t, r->want))
		goto refused;
	type_field(u, r->desc ? r->desc : "");
	ud_type(u, "\t");
	type_field(u, r->tags ? r->tags : "");
	ud_type(u, "\n\n");       /* about, then the target */
	th_key(&u->t, KEY_RIGHT); /* mode: fixed */
	ud_type(u, "\n");
	type_field(u, r->ns ? r->ns : "dev");
	ud_type(u, "\t");
	type_field(u, r->sa ? r->sa : "default");
	ud_type(u, "\n");
	if (th_screen_has(&u->t, r->want))
		goto refused;
	ud_type(u, "\n"); /* TTLs: the defaults */
	cr_assert(th_screen_has(&u->t, "Name prefix"), "on the audiences step");
	type_field(u, r->aud ? r->aud : "");
	ud_type(u, "\t");
	type_field(u, r->prefix ? r->prefix : "");
	ud_type(u, "\n");
	if (r->aud || r->prefix) {
		/* refused beside the field: the wizard stays on its step */
		if (!th_screen_has(&u->t, r->want) || !th_screen_has(&u->t, "Name prefix")) {
			ui_app_pop_to_root(u->t.app);
			return 0;
		}
		goto refused;
	}
	if (!th_screen_has(&u->t, r->want)) {
		ui_app_pop_to_root(u->t.app);
		return 0;
	}
	ud_type(u, "\n"); /* Enter on a review page with a problem saves nothing */
refused:
	cr_assert_eq(secrets(u), before, "nothing was saved");
	ui_app_pop_to_root(u->t.app);
	return 1;
}

Test(ui_hostile, secret_wizard_fields, .timeout = 300)
{
	const struct secret_row rows[] = {
	    {.path = "", .want = "is empty"},
	    {.path = "/a/../b", .want = "are not folder names"},
	    {.path = "a b", .want = "is not allowed"},
	    {.path = "/d\xc3\xa9v", .want = "is not allowed"},
	    {.path = big(), .want = "the limit is 255"},
	    {.desc = big(), .want = "description is 10240 bytes long"},
	    {.tags = big(), .want = "tag is 10240 bytes long"},
	    {.ns = "../x", .want = "is not a valid namespace name"},
	    {.ns = "UPPER", .want = "is not a valid namespace name"},
	    {.ns = "-x", .want = "is not a valid namespace name"},
	    {.ns = big(), .want = "(10240"},
	    {.ns = "d\xc3\xa9v", .want = "is not a valid namespace name"},
	    {.sa = "a b", .want = "is not a valid ServiceAccount name"},
	    {.sa = "../x", .want = "is not a valid ServiceAccount name"},
	    {.ns = "", .want = "the namespace of the ServiceAccount is required"},
	    {.sa = "", .want = "the ServiceAccount is required"},
	    /* audiences and name prefix: secret_validate()'s rules, as on the
	     * command line (tests/e2e/hostile.sh) */
	    {.aud = "vault,,x", .want = "an audience may not be empty"},
	    {.aud = "vault,", .want = "an audience may not be empty"},
	    {.aud = ",", .want = "an audience may not be empty"},
	    {.aud = big(), .want = "audience is 10240 bytes long; the limit is 1024"},
	    {.prefix = "BAD_", .want = "name prefix \"BAD_\" is not usable in object names"},
	    {.prefix = "-x", .want = "name prefix \"-x\" is not usable"},
	    {.prefix = "a.b", .want = "name prefix \"a.b\" is not usable"},
	    {.prefix = "../x", .want = "name prefix \"../x\" is not usable"},
	    {.prefix = "d\xc3\xa9v", .want = "name prefix \"d\xc3\xa9v\" is not usable"},
	    {.prefix = "abcdefghijklmnopqrstu", .want = "is not usable in object names"},
	    {.prefix = big(), .want = "is not usable in object names"},
	};
	struct ud u;

	ud_start(&u, 30, 120);
	ud_add_target(&u, "demo", "kube-system/kubejit-jit");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		cr_expect(run_secret_row(&u, &rows[i]), "row %zu: no \"%s\" on screen", i, rows[i].want);
	cr_assert_eq(secrets(&u), 0);
	ud_stop(&u);
}

/* Dynamic mode: the role name and the allowed namespaces. */
Test(ui_hostile, secret_wizard_role_fields, .timeout = 300)
{
	static const struct {
		const char *role, *allowed, *want;
	} rows[] = {
	    {"../x", "dev", "role name \"../x\" is not valid"},
	    {"a/b", "dev", "is not valid"},
	    {NULL, "dev,DEV", "allowed namespace \"DEV\" is neither"},
	    {NULL, "../*", "is neither a namespace name nor a pattern"},
	    {NULL, "a b", "is neither a namespace name nor a pattern"},
	    {NULL, "dev,,x", "has an empty entry"},
	    {NULL, "dev,", "has an empty entry"},
	};
	struct ud u;

	ud_start(&u, 30, 120);
	ud_add_target(&u, "demo", "kube-system/kubejit-jit");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *role = rows[i].role ? rows[i].role : "view";
		ui_app_push(u.t.app, ui_secrets_new(u.t.app));
		ud_type(&u, "n");
		type_field(&u, "/hostile/dyn");
		ud_type(&u, "\n\n\n\n"); /* path, about, target, mode: dynamic */
		th_key(&u.t, KEY_RIGHT);
		th_key(&u.t, KEY_RIGHT); /* existing ClusterRole */
		th_key(&u.t, KEY_DOWN);
		type_field(&u, role);
		th_key(&u.t, KEY_DOWN);
		th_key(&u.t, KEY_DOWN);
		type_field(&u, rows[i].allowed);
		ud_type(&u, "\n\n\n"); /* role, TTLs, audiences: on the review page */
		cr_expect(th_screen_has(&u.t, rows[i].want), "row %zu: no \"%s\" on screen", i, rows[i].want);
		ud_type(&u, "\n");
		cr_assert_eq(secrets(&u), 0, "row %zu: nothing was saved", i);
		ui_app_pop_to_root(u.t.app);
	}
	ud_stop(&u);
}

/* The Mint wizard: the namespace and the TTL. */
Test(ui_hostile, mint_wizard_fields, .timeout = 300)
{
	static const struct {
		const char *ns, *ttl, *want;
	} rows[] = {
	    {"../x", NULL, "is not a valid namespace name"},
	    {"UPPER", NULL, "is not a valid namespace name"},
	    {"-x", NULL, "is not a valid namespace name"},
	    {"prod", NULL, "not allowed"},
	    {NULL, "99999999999", "\xe2\x9c\x97"},
	    {NULL, "0", "\xe2\x9c\x97"},
	    {NULL, "1e9", "\xe2\x9c\x97"},
	    {NULL, "-5", "\xe2\x9c\x97"},
	    {NULL, "", "\xe2\x9c\x97"},
	};
	struct ud u;
	struct secret s;
	kj_err e;

	ud_start(&u, 30, 120);
	ud_add_target(&u, "demo", "kube-system/kubejit-jit");
	secret_init(&s);
	s.path = kj_xstrdup("/dyn/view");
	s.target = kj_xstrdup("demo");
	s.mode = SECRET_DYNAMIC;
	s.role_source = ROLE_SOURCE_CLUSTER_ROLE;
	s.role_name = kj_xstrdup("view");
	kj_strv_push(&s.allowed_namespaces, "dev");
	s.default_ttl = 600;
	s.max_ttl = 1800;
	kj_err_clear(&e);
	cr_assert_eq(secret_add(u.eng, &s, &e), 0, "%s", e.msg);
	secret_done(&s);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		ui_app_push(u.t.app, ui_wiz_mint_new(u.t.app, "/dyn/view"));
		ud_type(&u, "\n"); /* the secret */
		type_field(&u, rows[i].ns ? rows[i].ns : "dev");
		ud_type(&u, "\n");
		if (rows[i].ttl) {
			type_field(&u, rows[i].ttl);
			ud_type(&u, "\n");
		}
		cr_expect(th_screen_has(&u.t, rows[i].want), "row %zu: no \"%s\" on screen", i, rows[i].want);
		cr_expect(!th_screen_has(&u.t, "Press Enter to mint"), "row %zu: the wizard went on", i);
		cr_assert_eq(leases(&u), 0, "row %zu: nothing was minted", i);
		ui_app_pop_to_root(u.t.app);
	}
	ud_stop(&u);
}

/* The Target wizard: the name and the server URL. */
Test(ui_hostile, target_wizard_fields, .timeout = 300)
{
	const struct {
		const char *name, *server, *want;
	} rows[] = {
	    {"", NULL, "\xe2\x9c\x97"},
	    {big(), NULL, "\xe2\x9c\x97"},
	    {"../x", NULL, "\xe2\x9c\x97"},
	    {"UPPER", NULL, "\xe2\x9c\x97"},
	    {"-x", NULL, "\xe2\x9c\x97"},
	    {"d\xc3\xa9v", NULL, "\xe2\x9c\x97"},
	    {NULL, "http://127.0.0.1:1", "https://"},
	    {NULL, "ftp://x", "https://"},
	    {NULL, "https://u@h:1", "carries a user name"},
	    {NULL, "https://h:1/../x", "'..' segment"},
	    {NULL, "https://h:1/?q", "a query or a fragment"},
	    {NULL, "https://", "names no host"},
	};
	struct ud u;

	ud_start(&u, 30, 120);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *keys;
		ui_app_push(u.t.app, ui_targets_new(u.t.app));
		ud_type(&u, "n");
		type_field(&u, rows[i].name ? rows[i].name : "hostile");
		ud_type(&u, "\n");
		if (!rows[i].name) {
			ud_type(&u, "\n"); /* the default strategy: token + CA */
			keys = kj_xasprintf("%s\t%s\t\tsometoken\n", rows[i].server, u.ca_file);
			th_key(&u.t, CTRL('u'));
			ud_type(&u, keys);
			free(keys);
		}
		cr_expect(th_screen_has(&u.t, rows[i].want), "row %zu: no \"%s\" on screen", i, rows[i].want);
		cr_expect(th_screen_has(&u.t, rows[i].name ? "step 1 of 4" : "step 3 of 4"),
		          "row %zu: the wizard went on", i);
		cr_assert_eq(targets(&u), 0, "row %zu: nothing was saved", i);
		ui_app_pop_to_root(u.t.app);
	}
	ud_stop(&u);
}
