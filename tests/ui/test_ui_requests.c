/* The Requests screen against the demo cluster, with its two people: the
 * seeded user "developer" (client certificate, only the requester RBAC)
 * asks through the engine, the privileged target approves or denies on
 * the screen; the developer's own interface collects.  Random request ids
 * are masked before the screens are compared with their golden files. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/mint.h"
#include "engine/request.h"
#include "engine/secret.h"
#include "engine/target.h"
#include "ui/screens.h"
#include "tests/support/ui_demo.h"
#include "util/strbuf.h"

/* A second home on the same cluster, inside the test's home. */
struct home {
	char *dir;
	struct engine *eng;
};

static void home_open(struct home *h, struct ud *u, const char *name)
{
	kj_err e;

	kj_err_clear(&e);
	h->dir = kj_xasprintf("%s/%s", u->home, name);
	cr_assert_eq(engine_open(h->dir, &h->eng, &e), 0, "%s", e.msg);
	engine_set_actor(h->eng, name);
}

static void home_close(struct home *h)
{
	engine_close(h->eng); /* the directory goes with the test's home */
	free(h->dir);
}

/* The developer's target: its client certificate, nothing else. */
static void add_developer_target(struct ud *u, struct engine *eng)
{
	struct target_spec spec = {0};
	struct target_add_result res;
	kj_err e;

	kj_err_clear(&e);
	memset(&res, 0, sizeof(res));
	spec.name = "demo";
	spec.auth = TARGET_AUTH_CLIENT_CERT;
	spec.server = demo_url(u->dc);
	spec.ca_pem = demo_ca_pem(u->dc);
	spec.client_cert_pem = demo_developer_cert_pem(u->dc);
	spec.client_key_pem = demo_developer_key_pem(u->dc);
	cr_assert_eq(target_add(eng, &spec, &res, &e), 0, "target_add: %s", e.msg);
	target_add_result_done(&res);
}

static void add_token_target(struct ud *u, struct engine *eng, const char *name, const char *account)
{
	struct target_spec spec = {0};
	struct target_add_result res;
	kj_err e;

	kj_err_clear(&e);
	memset(&res, 0, sizeof(res));
	spec.name = name;
	spec.auth = TARGET_AUTH_TOKEN;
	spec.server = demo_url(u->dc);
	spec.ca_pem = demo_ca_pem(u->dc);
	spec.token = demo_account_token(u->dc, account);
	cr_assert_eq(target_add(eng, &spec, &res, &e), 0, "target_add: %s", e.msg);
	target_add_result_done(&res);
}

static void add_fixed_secret(struct engine *eng, const char *path, const char *target)
{
	struct secret s;
	kj_err e;

	kj_err_clear(&e);
	secret_init(&s);
	s.path = kj_xstrdup(path);
	s.target = kj_xstrdup(target);
	s.mode = SECRET_FIXED;
	s.ns = kj_xstrdup("dev");
	s.service_account = kj_xstrdup("default");
	s.revocable = 1;
	s.max_ttl = 3600;
	s.default_ttl = 900;
	cr_assert_eq(secret_add(eng, &s, &e), 0, "secret_add: %s", e.msg);
	secret_done(&s);
}

/* The developer asks; returns the request id (static buffer). */
static const char *ask(struct ud *u, struct engine *dev, const char *secret, const char *reason)
{
	static char id[64];
	struct request_new rq = {0};
	struct request r;
	kj_err e;

	ud_idle(u);
	kj_err_clear(&e);
	memset(&r, 0, sizeof(r));
	rq.secret = secret;
	rq.ns = "dev";
	rq.ttl = 600;
	rq.reason = reason;
	cr_assert_eq(request_create(dev, &rq, &r, &e), 0, "request_create: %s", e.msg);
	cr_assert_str_eq(r.requester, "developer", "the API server names the requester");
	snprintf(id, sizeof(id), "%s", r.id);
	th_now = r.created_at; /* ages on the screen start at 0s */
	request_done(&r);
	return id;
}

/* The screen with every occurrence of `id` replaced by a fixed mask. */
static char *masked_screen(struct ud *u, const char *id)
{
	char *s = th_screen(&u->t), *p;
	size_t n = strlen(id);

	while ((p = strstr(s, id)) != NULL) {
		memset(p, 'X', n);
		memcpy(p, "kjr-", 4);
	}
	return s;
}

/* Like th_golden(), on the masked screen. */
static int golden_masked(struct ud *u, const char *id, const char *name)
{
	const char *top = getenv("top_srcdir");
	char *path = kj_xasprintf("%s/tests/support/golden/%s.txt", top ? top : ".", name);
	char *got = masked_screen(u, id);
	char *want = NULL;
	FILE *f;
	int eq;

	if (getenv("KJ_UPDATE_GOLDEN")) {
		f = fopen(path, "w");
		cr_assert_not_null(f, "cannot write %s", path);
		fputs(got, f);
		fclose(f);
		free(path);
		free(got);
		return 1;
	}
	f = fopen(path, "r");
	cr_assert_not_null(f, "missing golden file %s (run with KJ_UPDATE_GOLDEN=1 to create it)", path);
	{
		kj_buf b;
		char chunk[4096];
		size_t k;
		kj_buf_init(&b);
		while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
			kj_buf_add(&b, chunk, k);
		want = kj_buf_steal(&b);
	}
	fclose(f);
	eq = !strcmp(want ? want : "", got);
	if (!eq)
		fprintf(stderr, "screen differs from %s\n--- want\n%s--- got\n%s", path, want, got);
	free(want);
	free(path);
	free(got);
	return eq;
}

static enum request_state state_seen_by(struct ud *u, struct engine *eng, const char *id)
{
	struct request r;
	enum request_state s;
	kj_err e;

	ud_idle(u);
	kj_err_clear(&e);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(request_get(eng, NULL, id, &r, &e), 0, "request_get: %s", e.msg);
	s = r.state;
	request_done(&r);
	return s;
}

static void open_requests(struct ud *u)
{
	ui_app_push(u->t.app, ui_requests_new(u->t.app));
	ui_app_settle(u->t.app);
}

Test(ui_requests, approve_on_the_screen_then_the_developer_collects)
{
	struct ud u;
	struct home dev;
	struct mint_result res;
	const char *id;
	char *s;
	kj_err e;

	ud_start_approval(&u, 24, 80);
	ud_add_target(&u, "demo", "kube-system/kubejit-jit");
	add_fixed_secret(u.eng, "/team/dev-default", "demo");
	home_open(&dev, &u, "developer");
	add_developer_target(&u, dev.eng);
	id = ask(&u, dev.eng, "/team/dev-default", "look at the pods");

	open_requests(&u);
	cr_assert(golden_masked(&u, id, "requests-pending"));

	/* details: who asked, as the API server authenticated them */
	ud_type(&u, "\r");
	s = th_screen(&u.t);
	cr_assert(strstr(s, "Access request") && strstr(s, "developers") && strstr(s, "look at the pods"),
	          "%s", s);
	free(s);
	ud_type(&u, "q");

	/* approve asks first; n leaves the request pending */
	ud_type(&u, "a");
	cr_assert(golden_masked(&u, id, "requests-approve-confirm"));
	ud_type(&u, "n");
	cr_assert_eq(state_seen_by(&u, u.eng, id), REQUEST_PENDING);

	ud_type(&u, "a");
	ud_type(&u, "y");
	cr_assert(th_screen_has(&u.t, "approved"), "%s", th_screen(&u.t));
	cr_assert_eq(state_seen_by(&u, u.eng, id), REQUEST_APPROVED);

	/* approving twice is refused by the cluster, and the screen says why */
	ud_type(&u, "a");
	cr_assert(th_screen_has(&u.t, "only a pending request can be approved"));

	/* the developer's kubejit opens the sealed credential */
	ud_idle(&u);
	memset(&res, 0, sizeof(res));
	kj_err_clear(&e);
	cr_assert_eq(request_collect(dev.eng, NULL, id, &res, &e), 0, "request_collect: %s", e.msg);
	cr_assert(res.token && *res.token);
	cr_assert_str_eq(res.ns, "dev");
	mint_result_done(&res);

	home_close(&dev);
	ud_stop(&u);
}

Test(ui_requests, deny_wants_a_reason_and_the_requester_reads_it)
{
	struct ud u;
	struct home dev;
	struct mint_result res;
	const char *id;
	kj_err e;

	ud_start_approval(&u, 24, 80);
	ud_add_target(&u, "demo", "kube-system/kubejit-jit");
	add_fixed_secret(u.eng, "/team/dev-default", "demo");
	home_open(&dev, &u, "developer");
	add_developer_target(&u, dev.eng);
	id = ask(&u, dev.eng, "/team/dev-default", "just because");
	open_requests(&u);

	ud_type(&u, "d");
	cr_assert(th_screen_has(&u.t, "Deny request"));
	ud_type(&u, "\r"); /* no reason */
	cr_assert(th_screen_has(&u.t, "a reason is required"), "%s", th_screen(&u.t));
	ud_type(&u, "\r");
	cr_assert_eq(state_seen_by(&u, u.eng, id), REQUEST_PENDING);

	ud_type(&u, "d");
	ud_type(&u, "not in dev today\r");
	cr_assert(th_screen_has(&u.t, "denied"), "%s", th_screen(&u.t));
	cr_assert_eq(state_seen_by(&u, u.eng, id), REQUEST_DENIED);

	ud_idle(&u);
	memset(&res, 0, sizeof(res));
	kj_err_clear(&e);
	cr_assert_eq(request_collect(dev.eng, NULL, id, &res, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_DENIED);
	cr_assert(strstr(e.msg, "not in dev today"), "%s", e.msg);

	home_close(&dev);
	ud_stop(&u);
}

Test(ui_requests, without_approve_rights_the_error_says_so)
{
	struct ud u;
	struct secret sec;
	const char *id;
	char *s;
	kj_err e;

	ud_start_approval(&u, 24, 80);
	/* the developer holds a secret that even allows approving one's own
	 * request: what stops it is the cluster's RBAC (approve on the signer) */
	add_developer_target(&u, u.eng);
	add_fixed_secret(u.eng, "/team/dev-default", "demo");
	kj_err_clear(&e);
	secret_init(&sec);
	cr_assert_eq(secret_get(u.eng, "/team/dev-default", &sec, &e), 0, "%s", e.msg);
	sec.self_approval = 1;
	cr_assert_eq(secret_edit(u.eng, "/team/dev-default", &sec, &e), 0, "%s", e.msg);
	secret_done(&sec);
	id = ask(&u, u.eng, "/team/dev-default", "please");

	open_requests(&u);
	ud_type(&u, "a");
	ud_type(&u, "y");
	s = th_screen(&u.t);
	cr_assert(strstr(s, "may not decide request") && strstr(s, "approve"), "%s", s);
	free(s);
	ud_type(&u, "\r");
	cr_assert_eq(state_seen_by(&u, u.eng, id), REQUEST_PENDING);
	ud_stop(&u);
}

Test(ui_requests, the_requester_sees_its_own_and_collects_into_a_private_kubeconfig)
{
	struct ud u;
	struct home appr;
	struct request_approve_opts ao = {0};
	struct stat st;
	const char *id;
	char *path, *s;
	kj_err e;

	ud_start_approval(&u, 24, 80);
	/* the interface is the developer's; the approver works elsewhere */
	add_developer_target(&u, u.eng);
	home_open(&appr, &u, "approver");
	add_token_target(&u, appr.eng, "demo", "kube-system/kubejit-jit");
	add_fixed_secret(appr.eng, "/team/dev-default", "demo");
	id = ask(&u, u.eng, "/team/dev-default", "on call");

	open_requests(&u);
	cr_assert(th_screen_has(&u.t, "developer*"), "own requests are marked: %s", th_screen(&u.t));
	ud_type(&u, "c");
	cr_assert(th_screen_has(&u.t, "only an approved request can be collected"));

	ud_idle(&u);
	kj_err_clear(&e);
	cr_assert_eq(request_approve(appr.eng, NULL, id, &ao, NULL, &e), 0, "request_approve: %s", e.msg);
	th_tick(&u.t, 1);
	th_tick(&u.t, 1);
	th_tick(&u.t, 1);
	cr_assert(th_screen_has(&u.t, "approved"), "the list refreshes by itself: %s", th_screen(&u.t));

	ud_type(&u, "c");
	s = th_screen(&u.t);
	cr_assert(strstr(s, "Collected credential") && strstr(s, "hidden: v shows it"), "%s", s);
	free(s);
	path = kj_xasprintf("%s/dev.kubeconfig", u.home);
	ud_type(&u, "w");
	th_key(&u.t, 21); /* Ctrl-U clears the proposed name */
	ud_type(&u, path);
	ud_type(&u, "\r");
	cr_assert_eq(stat(path, &st), 0, "%s", th_screen(&u.t));
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(state_seen_by(&u, u.eng, id), REQUEST_COLLECTED);
	free(path);

	home_close(&appr);
	ud_stop(&u);
}

Test(ui_requests, the_status_bar_counts_pending_requests)
{
	struct ud u;
	struct home dev;
	int i;

	ud_start_approval(&u, 24, 80);
	ud_add_target(&u, "demo", "kube-system/kubejit-jit");
	add_fixed_secret(u.eng, "/team/dev-default", "demo");
	home_open(&dev, &u, "developer");
	add_developer_target(&u, dev.eng);
	ui_app_push(u.t.app, ui_leases_new(u.t.app));
	ui_app_settle(u.t.app);
	for (i = 0; i < 4; i++)
		th_tick(&u.t, 1);
	cr_assert(!th_screen_has(&u.t, "pending"), "no counter without requests: %s", th_screen(&u.t));

	ask(&u, dev.eng, "/team/dev-default", "first");
	ask(&u, dev.eng, "/team/dev-default", "second");
	for (i = 0; i < 11; i++)
		th_tick(&u.t, 1);
	cr_assert(th_screen_has(&u.t, "A requests: 2 pending"), "%s", th_screen(&u.t));

	/* the key named there opens the screen */
	ud_type(&u, "A");
	cr_assert(th_screen_has(&u.t, "2 pending of 2 requests"), "%s", th_screen(&u.t));

	home_close(&dev);
	ud_stop(&u);
}
