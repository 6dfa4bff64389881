#include "kube_fixture.h"

#include <criterion/criterion.h>

void kube_fixture_start(void)
{
	kj_err e;
	/* realistic, with the token cache and controllers' delays shortened */
	struct demo_opts o = {.max_token_expiration = 86400,
	                      .token_cache_ttl_ms = 1000,
	                      .gc_delay_ms = 200,
	                      .csr_signer_delay_ms = 200};
	cr_assert_eq(demo_start(&o, &dc, &e), 0, "demo_start: %s", e.msg);
}

void kube_fixture_stop(void)
{
	demo_stop(dc);
	dc = NULL;
}

struct kube_client *client_with(const char *token, const char *cert, const char *key)
{
	struct kube_conn conn = {
	    .server = demo_url(dc),
	    .ca = demo_ca_pem(dc),
	    .token = token,
	    .client_cert = cert,
	    .client_key = key,
	};
	struct kube_client *c = NULL;
	kj_err e;
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	return c;
}

struct kube_client *kube_admin(void)
{
	return client_with(demo_admin_token(dc), NULL, NULL);
}

cJSON *sa_object(const char *name)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *m = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(m, "name", name);
	cJSON *l = cJSON_AddObjectToObject(m, "labels");
	cJSON_AddStringToObject(l, "app.kubernetes.io/managed-by", "kubejit");
	return o;
}
