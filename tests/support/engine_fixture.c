#include "engine_fixture.h"

#include <criterion/criterion.h>
#include <string.h>

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

void ef_add_token_target(struct demo_cluster *c, struct engine *eng, const char *name, const char *token,
                         const char *identity)
{
	struct target t = {0};
	struct target_cred cred = {0};
	kj_err e;

	t.name = kj_xstrdup(name);
	t.server = kj_xstrdup(demo_url(c));
	t.ca_pem = kj_xstrdup(demo_ca_pem(c));
	t.auth = TARGET_AUTH_TOKEN;
	t.created_by = kj_xstrdup("test@host");
	t.identity = identity ? kj_xstrdup(identity) : NULL;
	cred.token = kj_xstrdup(token);
	cr_assert_eq(store_target_insert(engine_db(eng), &t, &cred, &e), 0, "%s", e.msg);
	target_done(&t);
	target_cred_done(&cred);
}

static const char *account_token(struct demo_cluster *c, const char *account)
{
	const char *tok = demo_account_token(c, account);

	cr_assert_not_null(tok, "no token for %s", account);
	return tok;
}

void ef_add_target(struct demo_cluster *c, struct engine *eng, const char *name, const char *account)
{
	ef_add_token_target(c, eng, name, account_token(c, account), NULL);
}

void ef_add_checked_target(struct demo_cluster *c, struct engine *eng, const char *name, const char *account)
{
	const char *slash = strchr(account, '/');
	char *user;

	cr_assert_not_null(slash, "account %s is not namespace/name", account);
	user = kj_xasprintf("system:serviceaccount:%.*s:%s", (int)(slash - account), account, slash + 1);
	ef_add_token_target(c, eng, name, account_token(c, account), user);
	free(user);
}
