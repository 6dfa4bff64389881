/* The lease table against the demo cluster: live countdown, sort, filter,
 * details, revoke one and revoke all shown with a progress bar. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cluster_lease.h"
#include "engine/engine.h"
#include "engine/lease.h"
#include "engine/mint.h"
#include "engine/secret.h"
#include "engine/target.h"
#include "store/leases.h"
#include "ui/screens.h"
#include "tests/support/ui_demo.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

static int64_t created_at(struct ud *u, const char *id)
{
	struct lease l;
	kj_err e;
	int64_t t;

	memset(&l, 0, sizeof(l));
	kj_err_clear(&e);
	cr_assert_eq(lease_get(u->eng, id, &l, &e), 0, "%s", e.msg);
	t = l.created_at;
	lease_done(&l);
	return t;
}

static enum lease_state state_of(struct ud *u, const char *id)
{
	struct lease l;
	kj_err e;
	enum lease_state s;

	memset(&l, 0, sizeof(l));
	kj_err_clear(&e);
	cr_assert_eq(lease_get(u->eng, id, &l, &e), 0, "%s", e.msg);
	s = l.state;
	lease_done(&l);
	return s;
}

/* the row (0 = first data row) of the line containing `needle`, or -1 */
static int row_of(struct ud *u, const char *needle)
{
	char *s = th_screen(&u->t), *line = s;
	int row = -3; /* title, count line, header */

	while (line && *line) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (row >= 0 && strstr(line, needle)) {
			free(s);
			return row;
		}
		row++;
		line = nl ? nl + 1 : NULL;
	}
	free(s);
	return -1;
}

static void setup(struct ud *u)
{
	ud_start(u, 24, 80);
	ud_add_target(u, "demo", "kube-system/kubejit-jit");
	ud_fixed_secret(u, "/team/dev-default", "dev", "default", 86400);
	ud_fixed_secret(u, "/team/staging-default", "staging", "default", 86400);
	ud_fixed_secret(u, "/team/prod-default", "prod", "default", 86400);
}

Test(ui_leases, countdown_moves_every_second)
{
	struct ud u;
	const char *id;
	struct lease l;
	kj_err e;
	int64_t skew;

	setup(&u);
	id = ud_mint(&u, "/team/dev-default", NULL, 120);
	th_now = created_at(&u, id);
	/* the token expires 600 s after its TokenRequest: a second later than
	 * the lease's start when a second turned between the two (a loaded
	 * machine), which the fake clock cannot pin */
	memset(&l, 0, sizeof(l));
	kj_err_clear(&e);
	cr_assert_eq(lease_get(u.eng, id, &l, &e), 0, "%s", e.msg);
	skew = l.token_expiry - l.created_at - 600;
	lease_done(&l);
	cr_assert(skew == 0 || skew == 1, "the token expires %lld s after the lease starts",
	          (long long)(skew + 600));
	ui_app_push(u.t.app, ui_leases_new(u.t.app));
	cr_assert(th_golden_masked(&u.t, "leases-countdown", skew ? " 10m1s " : NULL, " 10m   "));
	th_tick(&u.t, 1);
	cr_assert(th_screen_has(&u.t, "1m59s"));
	cr_assert(th_screen_has(&u.t, skew ? " 10m " : "9m59s"),
	          "the token's own expiry (10-minute minimum) counts too");
	th_tick(&u.t, 60);
	cr_assert(th_screen_has(&u.t, "59s"));
	th_tick(&u.t, 60);
	cr_assert(th_screen_has(&u.t, "due"), "past its TTL and not yet swept");
	ud_stop(&u);
}

Test(ui_leases, sort_by_any_column_and_filter)
{
	struct ud u;

	setup(&u);
	ud_mint(&u, "/team/staging-default", NULL, 3600);
	ud_mint(&u, "/team/dev-default", NULL, 120);
	ud_mint(&u, "/team/prod-default", NULL, 600);
	th_now = kj_now();
	ui_app_push(u.t.app, ui_leases_new(u.t.app));
	cr_assert(th_screen_has(&u.t, "3 live of 3 leases"));
	/* s cycles the sort column: SECRET, MODE, NAMESPACE, ... EXPIRES is the 6th */
	ud_type(&u, "ssssss");
	cr_assert(th_screen_has(&u.t, "EXPIRES\xe2\x96\xbc") || th_screen_has(&u.t, "EXPIRES v"));
	cr_assert_eq(row_of(&u, "fix  dev "), 0, "soonest expiry first");
	cr_assert_eq(row_of(&u, "fix  prod "), 1);
	cr_assert_eq(row_of(&u, "fix  staging "), 2);
	ud_type(&u, "S");
	cr_assert_eq(row_of(&u, "fix  staging "), 0, "S reverses");
	ud_type(&u, "sss"); /* back to SECRET */
	cr_assert_eq(row_of(&u, "fix  dev "), 0);
	ud_type(&u, "/prod");
	cr_assert(th_screen_has(&u.t, "1 of 3 shown"));
	ud_type(&u, "\n");
	cr_assert_eq(row_of(&u, "fix  prod "), 0);
	cr_assert_eq(row_of(&u, "fix  dev "), -1);
	th_key(&u.t, 27); /* Esc clears the filter */
	cr_assert_eq(row_of(&u, "fix  dev "), 0);
	ud_stop(&u);
}

Test(ui_leases, details_list_the_objects_created)
{
	struct ud u;

	setup(&u);
	ud_mint(&u, "/team/dev-default", NULL, 300);
	th_now = kj_now();
	ui_app_push(u.t.app, ui_leases_new(u.t.app));
	ud_type(&u, "\n");
	cr_assert(th_screen_has(&u.t, "Objects created (in order)"));
	cr_assert(th_screen_has(&u.t, "Secret dev/"), "the anchor Secret of a revocable fixed token");
	ud_type(&u, "q");
	cr_assert(th_screen_has(&u.t, "1 live of 1 leases"));
	ud_stop(&u);
}

Test(ui_leases, revoke_asks_then_revokes)
{
	struct ud u;
	char id[37];

	setup(&u);
	memcpy(id, ud_mint(&u, "/team/dev-default", NULL, 300), sizeof(id));
	th_now = kj_now();
	ui_app_push(u.t.app, ui_leases_new(u.t.app));
	ud_type(&u, "r");
	cr_assert(th_screen_has(&u.t, "Revoke lease"));
	cr_assert(th_screen_has(&u.t, "about 10 s"), "revoke promises only what a real cluster does");
	ud_type(&u, "n"); /* No keeps it */
	cr_assert_eq(state_of(&u, id), LEASE_ACTIVE);
	ud_type(&u, "ry");
	cr_assert_eq(state_of(&u, id), LEASE_REVOKED);
	cr_assert(th_screen_has(&u.t, "revoked"));
	ud_type(&u, "r");
	cr_assert(th_screen_has(&u.t, "not live"), "revoking twice says why nothing happens");
	ud_stop(&u);
}

Test(ui_leases, revoke_all_shown_respects_the_filter)
{
	struct ud u;
	char a[37], b[37], c[37];

	setup(&u);
	memcpy(a, ud_mint(&u, "/team/dev-default", NULL, 300), sizeof(a));
	memcpy(b, ud_mint(&u, "/team/dev-default", NULL, 600), sizeof(b));
	memcpy(c, ud_mint(&u, "/team/prod-default", NULL, 300), sizeof(c));
	th_now = kj_now();
	ui_app_push(u.t.app, ui_leases_new(u.t.app));
	ud_type(&u, "/dev\n");
	ud_type(&u, "R");
	cr_assert(th_screen_has(&u.t, "Revoke all 2 live leases shown (filter \"dev\")"));
	ud_type(&u, "y");
	cr_assert(th_screen_has(&u.t, "2 leases revoked"));
	cr_assert_eq(state_of(&u, a), LEASE_REVOKED);
	cr_assert_eq(state_of(&u, b), LEASE_REVOKED);
	cr_assert_eq(state_of(&u, c), LEASE_ACTIVE, "a lease outside the filter stays");
	ud_stop(&u);
}

Test(ui_leases, revoke_all_without_a_filter_uses_the_parallel_bulk_revoke)
{
	struct ud u;
	char ids[4][37];
	int i;

	setup(&u);
	memcpy(ids[0], ud_mint(&u, "/team/dev-default", NULL, 300), 37);
	memcpy(ids[1], ud_mint(&u, "/team/staging-default", NULL, 300), 37);
	memcpy(ids[2], ud_mint(&u, "/team/prod-default", NULL, 300), 37);
	memcpy(ids[3], ud_mint(&u, "/team/prod-default", NULL, 600), 37);
	th_now = kj_now();
	ui_app_push(u.t.app, ui_leases_new(u.t.app));
	ud_type(&u, "R");
	cr_assert(th_screen_has(&u.t, "Revoke all 4 live leases shown?"));
	ud_type(&u, "y");
	cr_assert(th_screen_has(&u.t, "4 leases revoked"));
	for (i = 0; i < 4; i++)
		cr_assert_eq(state_of(&u, ids[i]), LEASE_REVOKED, "lease %d", i);
	cr_assert(th_screen_has(&u.t, "0 live of 4 leases"));
	ud_stop(&u);
}

Test(ui_leases, cut_off_cells_show_whole_in_the_status_line_and_the_details)
{
	struct ud u;
	const char *id;

	setup(&u);
	ud_fixed_secret(&u, "/platform/kubernetes-dashboard/viewer", "kubernetes-dashboard",
	                "kubernetes-dashboard", 86400);
	id = ud_mint(&u, "/platform/kubernetes-dashboard/viewer", NULL, 3600);
	th_now = created_at(&u, id);
	ui_app_push(u.t.app, ui_leases_new(u.t.app));
	cr_assert(th_screen_has(&u.t, "SECRET: /platform/kubernetes-dashboard/viewer"),
	          "the status line shows the whole secret path the column cut");
	cr_assert(th_golden(&u.t, "leases-cut-cell-tip"));
	ud_type(&u, "\n");
	cr_assert(th_screen_has(&u.t, "/platform/kubernetes-dashboard/viewer"));
	cr_assert(th_screen_has(&u.t, "service account  kubernetes-dashboard"),
	          "the details name the service account whole");
	ud_stop(&u);
}

Test(ui_leases, a_lease_past_its_ttl_that_no_sweep_closed_shows_expired)
{
	struct ud u;
	struct lease l;
	const char *id;
	kj_err e;

	setup(&u);
	id = ud_mint(&u, "/team/dev-default", NULL, 3600);
	memset(&l, 0, sizeof(l));
	kj_err_clear(&e);
	cr_assert_eq(store_lease_get(engine_db(u.eng), id, &l, &e), 0, "%s", e.msg);
	l.lease_expiry = kj_now() - 5;
	cr_assert_eq(store_lease_update(engine_db(u.eng), &l, &e), 0, "%s", e.msg);
	lease_done(&l);
	th_now = kj_now();
	ui_app_push(u.t.app, ui_leases_new(u.t.app)); /* the harness runs no sweep */
	cr_assert(th_screen_has(&u.t, "expired*"));
	ud_type(&u, "\n");
	cr_assert(th_screen_has(&u.t, "objects not yet removed"));
	ud_stop(&u);
}

/* Tick the screen (its background reads) until `needle` shows, or fail
 * after `secs` seconds of wall time. */
static void wait_screen(struct ud *u, const char *needle, int secs)
{
	int64_t end = kj_mono_ms() + secs * 1000;

	while (!th_screen_has(&u->t, needle)) {
		cr_assert(kj_mono_ms() < end, "no \"%s\" within %d s:\n%s", needle, secs, th_screen(&u->t));
		th_tick(&u->t, 1);
		ud_idle(u);
	}
}

/* Is lease `id` still on the cluster as an active lease? */
static int active_on_cluster(struct ud *u, const char *id)
{
	struct cluster_lease_list l;
	const struct cluster_lease *c;
	kj_err e;
	int active;

	ud_idle(u);
	memset(&l, 0, sizeof(l));
	kj_err_clear(&e);
	cr_assert_eq(cluster_lease_list(u->eng, "demo", &l, &e), 0, "%s", e.msg);
	c = cluster_lease_find(&l, id, &e);
	active = c && c->state == LEASE_ACTIVE;
	cluster_lease_list_done(&l);
	return active;
}

Test(ui_leases, everyone_view_shows_another_homes_lease_with_its_owner_and_revokes_it)
{
	struct ud u;
	struct engine *alice;
	struct target_spec spec = {0};
	struct target_add_result res;
	struct mint_request rq = {0};
	struct mint_result r;
	struct secret s;
	char *dir, id[37], short_id[9];
	int64_t end;
	kj_err e;

	ud_start(&u, 24, 160);
	ud_add_target(&u, "demo", "kube-system/kubejit-jit");

	/* a second home on the same cluster mints a lease of its own */
	kj_err_clear(&e);
	dir = kj_xasprintf("%s/alice", u.home);
	cr_assert_eq(engine_open(dir, &alice, &e), 0, "%s", e.msg);
	engine_set_actor(alice, "alice@laptop");
	memset(&res, 0, sizeof(res));
	spec.name = "demo";
	spec.auth = TARGET_AUTH_TOKEN;
	spec.server = demo_url(u.dc);
	spec.ca_pem = demo_ca_pem(u.dc);
	spec.token = demo_account_token(u.dc, "kube-system/kubejit-jit");
	cr_assert_eq(target_add(alice, &spec, &res, &e), 0, "target_add: %s", e.msg);
	target_add_result_done(&res);
	secret_init(&s);
	s.path = kj_xstrdup("/team/alice-dev");
	s.target = kj_xstrdup("demo");
	s.mode = SECRET_FIXED;
	s.ns = kj_xstrdup("dev");
	s.service_account = kj_xstrdup("default");
	s.revocable = 1;
	s.max_ttl = 3600;
	s.default_ttl = 900;
	cr_assert_eq(secret_add(alice, &s, &e), 0, "secret_add: %s", e.msg);
	secret_done(&s);
	memset(&r, 0, sizeof(r));
	rq.secret = "/team/alice-dev";
	rq.ttl = 1800;
	cr_assert_eq(mint_run(alice, &rq, &r, &e), 0, "mint_run: %s", e.msg);
	memcpy(id, r.lease_id, sizeof(id));
	mint_result_done(&r);
	snprintf(short_id, sizeof(short_id), "%.8s", id);
	th_now = kj_now();

	/* our own store has no lease; everyone's view has alice's, with its owner */
	ui_app_push(u.t.app, ui_leases_new(u.t.app));
	cr_assert(th_screen_has(&u.t, "0 live of 0 leases"), "%s", th_screen(&u.t));
	cr_assert(th_screen_has(&u.t, "everyone"), "the status bar names the toggle");
	ud_type(&u, "e");
	wait_screen(&u, short_id, 20);
	cr_assert(th_screen_has(&u.t, "OWNER"), "%s", th_screen(&u.t));
	cr_assert(th_screen_has(&u.t, "alice@laptop"), "%s", th_screen(&u.t));
	cr_assert(th_screen_has(&u.t, "/team/alice-dev"), "%s", th_screen(&u.t));
	cr_assert(th_screen_has(&u.t, "everyone's leases on target demo: 1"), "%s", th_screen(&u.t));

	/* t moves the view to the next saved target's cluster, and back */
	ud_add_target(&u, "zz-second", "kube-system/kubejit-jit");
	ud_type(&u, "t");
	wait_screen(&u, "everyone's leases on target zz-second: 1", 20);
	cr_assert(th_screen_has(&u.t, short_id), "%s", th_screen(&u.t));
	ud_type(&u, "t");
	wait_screen(&u, "everyone's leases on target demo: 1", 20);

	/* revoke asks first, naming the owner; n keeps it */
	ud_type(&u, "r");
	cr_assert(th_screen_has(&u.t, "Revoke lease"), "%s", th_screen(&u.t));
	cr_assert(th_screen_has(&u.t, "alice@laptop"), "%s", th_screen(&u.t));
	cr_assert(th_screen_has(&u.t, "about 10 s"), "revoke promises only what a real cluster does");
	ud_type(&u, "n");
	cr_assert(active_on_cluster(&u, id));
	ud_type(&u, "ry");
	ud_idle(&u);
	cr_assert(th_screen_has(&u.t, "revoked from the cluster"), "%s", th_screen(&u.t));
	cr_assert(!active_on_cluster(&u, id), "the lease's first object is gone");
	/* the view follows the cluster: the lease leaves it once its objects are gone */
	end = kj_mono_ms() + 20000;
	while (th_screen_has(&u.t, short_id)) {
		cr_assert(kj_mono_ms() < end, "revoked lease still listed:\n%s", th_screen(&u.t));
		th_tick(&u.t, 1);
		ud_idle(&u);
	}

	/* e goes back to this store's leases */
	ud_type(&u, "e");
	cr_assert(th_screen_has(&u.t, "0 live of 0 leases"), "%s", th_screen(&u.t));

	engine_close(alice);
	free(dir);
	ud_stop(&u);
}
