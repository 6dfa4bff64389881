#include "engine_fixture.h"

#include <criterion/criterion.h>

#include "model/target.h"
#include "store/targets.h"
#include "util/strbuf.h"

struct kube_client *ef_client(struct demo_cluster *c, const char *token)
{
	struct kube_conn conn = {0};
	struct kube_client *kc;
	kj_err e;

	conn.server = demo_url(c);
	conn.ca = demo_ca_pem(c);
	conn.token = token;
	cr_assert_eq(kube_client_new(&conn, &kc, &e), 0, "%s", e.msg);
	return kc;
}

void ef_add_target(struct demo_cluster *c, struct engine *eng, const char *name, const char *account)
{
	struct target t = {0};
	struct target_cred cred = {0};
	const char *tok = demo_account_token(c, account);
	kj_err e;

	cr_assert_not_null(tok, "no token for %s", account);
	t.name = kj_xstrdup(name);
	t.server = kj_xstrdup(demo_url(c));
	t.ca_pem = kj_xstrdup(demo_ca_pem(c));
	t.auth = TARGET_AUTH_TOKEN;
	t.created_by = kj_xstrdup("test@host");
	cred.token = kj_xstrdup(tok);
	cr_assert_eq(store_target_insert(engine_db(eng), &t, &cred, &e), 0, "%s", e.msg);
	target_done(&t);
	target_cred_done(&cred);
}
