/* Live tests of the cluster client (src/kube) against the demo cluster:
 * authentication strategies (bearer token, token file, client certificate),
 * error classes, TokenRequest, self reviews, CSRs and kubeconfig files. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "demo/demo.h"
#include "tests/support/kube_fixture.h"
#include "kube/api.h"
#include "kube/execcred.h"
#include "kube/http.h"
#include "kube/kubeconfig.h"
#include "util/err.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

TestSuite(auth, .init = kube_fixture_start, .fini = kube_fixture_stop, .timeout = 60);

static void assert_user(struct kube_client *c, const char *want)
{
	struct kube_user_info u;
	kj_err e;
	cr_assert_eq(kube_whoami(c, &u, &e), 0, "%s", e.msg);
	cr_assert_str_eq(u.username, want);
	kube_user_info_done(&u);
}

/* ---- authentication strategies ---------------------------------------------- */

Test(auth, bearer_token_and_client_certificate_authenticate)
{
	struct kube_client *c = client_with(demo_account_token(dc, "kube-system/kubejit-jit"), NULL, NULL);
	assert_user(c, "system:serviceaccount:kube-system:kubejit-jit");
	kube_client_free(c);

	c = client_with(NULL, demo_admin_cert_pem(dc), demo_admin_key_pem(dc));
	struct kube_user_info u;
	kj_err e;
	cr_assert_eq(kube_whoami(c, &u, &e), 0, "%s", e.msg);
	int masters = 0;
	for (size_t i = 0; i < u.n_groups; i++)
		masters |= strcmp(u.groups[i], "system:masters") == 0;
	cr_assert(masters, "client certificate user %s is not in system:masters", u.username);
	kube_user_info_done(&u);
	kube_client_free(c);
}

Test(auth, token_file_is_reread_when_it_rotates)
{
	char dir[] = "/tmp/kube-live-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *path = kj_xasprintf("%s/token", dir);
	char *tmp = kj_xasprintf("%s/token.new", dir);
	FILE *f = fopen(path, "w");
	fprintf(f, "%s\n", demo_account_token(dc, "kube-system/kubejit-jit"));
	fclose(f);
	struct kube_conn conn = {.server = demo_url(dc), .ca = demo_ca_pem(dc), .token_file = path};
	struct kube_client *c = NULL;
	kj_err e;
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	assert_user(c, "system:serviceaccount:kube-system:kubejit-jit");
	assert_user(c, "system:serviceaccount:kube-system:kubejit-jit");
	/* kubelet replaces the file (new inode), as an atomic rename. */
	f = fopen(tmp, "w");
	fprintf(f, "%s", demo_account_token(dc, "kubernetes-dashboard/kubernetes-dashboard"));
	fclose(f);
	cr_assert_eq(rename(tmp, path), 0);
	assert_user(c, "system:serviceaccount:kubernetes-dashboard:kubernetes-dashboard");
	struct kube_client_stats st;
	kube_client_get_stats(c, &st);
	cr_assert_eq(st.token_reads, 2);
	kube_client_free(c);
	unlink(path);
	rmdir(dir);
	free(path);
	free(tmp);
}

Test(auth, whoami_tries_older_api_versions_on_404)
{
	struct kube_client *c = client_with(demo_admin_token(dc), NULL, NULL);
	kj_err e;
	cr_assert_eq(demo_fault_add(dc, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", 1,
	                            DEMO_FAULT_STATUS, 404, 0),
	             0);
	struct kube_user_info u;
	cr_assert_eq(kube_whoami(c, &u, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
	struct kube_client_stats st;
	kube_client_get_stats(c, &st);
	cr_assert_eq(st.requests, 3, "v1, then v1beta1 and v1alpha1: %llu", (unsigned long long)st.requests);
	/* The fault disarmed: v1 answers again. */
	assert_user(c, "kubernetes-admin");
	kube_client_free(c);
}

/* ---- errors of other users -------------------------------------------------- */

Test(auth, status_errors_map_to_classes)
{
	kj_err e;
	struct kube_client *bad = client_with("not-a-valid-token", NULL, NULL);
	struct kube_user_info u;
	cr_assert_eq(kube_whoami(bad, &u, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_AUTH);
	cr_assert_eq(e.http_status, 401);
	cr_assert_str_eq(e.reason, "Unauthorized");
	kube_client_free(bad);

	struct kube_client *dash =
	    client_with(demo_account_token(dc, "kubernetes-dashboard/kubernetes-dashboard"), NULL, NULL);
	cJSON *sa = sa_object("intruder");
	cr_assert_eq(kube_create(dash, KUBE_SERVICEACCOUNT, "kube-system", sa, NULL, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_DENIED);
	cr_assert_eq(e.http_status, 403);
	cr_assert_str_eq(e.reason, "Forbidden");
	cr_assert(strstr(e.msg, "cannot create resource \"serviceaccounts\""), "%s", e.msg);
	kube_client_free(dash);
	cJSON_Delete(sa);

	struct kube_client *c = kube_admin();
	cJSON *obj = NULL;
	cr_assert_eq(kube_get(c, KUBE_SERVICEACCOUNT, "dev", "nope", &obj, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
	cr_assert_str_eq(e.msg, "serviceaccounts \"nope\" not found");
	cr_assert_eq(kube_delete(c, KUBE_SERVICEACCOUNT, "dev", "nope", &e), KUBE_GONE);

	sa = sa_object("twice");
	cr_assert_eq(kube_create(c, KUBE_SERVICEACCOUNT, "dev", sa, NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(kube_create(c, KUBE_SERVICEACCOUNT, "dev", sa, NULL, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_CONFLICT);
	cr_assert_str_eq(e.reason, "AlreadyExists");
	cr_assert_eq(kube_delete(c, KUBE_SERVICEACCOUNT, "dev", "twice", &e), 0, "%s", e.msg);
	cJSON_Delete(sa);

	sa = sa_object("Bad_Name");
	cr_assert_eq(kube_create(c, KUBE_SERVICEACCOUNT, "dev", sa, NULL, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert_eq(e.http_status, 422);
	cr_assert(strstr(e.msg, "ServiceAccount \"Bad_Name\" is invalid"), "%s", e.msg);
	cJSON_Delete(sa);

	struct kube_token t;
	struct kube_token_spec spec = {.expiration_seconds = 60};
	cr_assert_eq(kube_token_request(c, "dev", "default", &spec, &t, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert(strstr(e.msg, "may not specify a duration less than 10 minutes"), "%s", e.msg);
	kube_client_free(c);
}

/* ---- TokenRequest, reviews --------------------------------------------------------------- */

Test(auth, token_request_bound_to_a_secret_and_capped_with_a_warning)
{
	struct kube_client *jit = client_with(demo_account_token(dc, "kube-system/kubejit-jit"), NULL, NULL);
	kj_err e;
	cJSON *sec = cJSON_CreateObject();
	cJSON_AddStringToObject(cJSON_AddObjectToObject(sec, "metadata"), "name", "anchor-1");
	cJSON *made = NULL;
	cr_assert_eq(kube_create(jit, KUBE_SECRET, "kube-system", sec, &made, &e), 0, "%s", e.msg);
	struct kube_token_spec spec = {.expiration_seconds = 600,
	                               .bound_kind = "Secret",
	                               .bound_name = "anchor-1",
	                               .bound_uid = kube_meta(made, "uid")};
	struct kube_token t;
	int64_t now = kj_now();
	cr_assert_eq(kube_token_request(jit, "kube-system", "token-request-sa", &spec, &t, &e), 0, "%s",
	             e.msg);
	cr_assert_gt(strlen(t.token), 20);
	cr_assert_geq(t.expires_at, now + 600 - 2);
	cr_assert_leq(t.expires_at, now + 600 + 2);
	cr_assert_eq(t.expiration_seconds, 600);

	struct kube_client *minted = client_with(t.token, NULL, NULL);
	assert_user(minted, "system:serviceaccount:kube-system:token-request-sa");
	/* Deleting the anchor Secret kills the token, once the API server's
	 * token cache (1 s here) forgets it. */
	cr_assert_eq(kube_delete(jit, KUBE_SECRET, "kube-system", "anchor-1", &e), 0, "%s", e.msg);
	struct kube_user_info u;
	int64_t t0 = kj_mono_ms();
	while (kube_whoami(minted, &u, &e) == 0) {
		kube_user_info_done(&u);
		cr_assert_lt(kj_mono_ms() - t0, 3000, "the token outlived the token cache");
		usleep(20000);
	}
	cr_assert_eq(e.cls, KJ_ERR_AUTH);
	kube_client_free(minted);
	kube_token_done(&t);

	spec = (struct kube_token_spec){.expiration_seconds = 200000};
	cr_assert_eq(kube_token_request(jit, "kube-system", "token-request-sa", &spec, &t, &e), 0, "%s",
	             e.msg);
	cr_assert_eq(t.expiration_seconds, 86400);
	cr_assert_eq(t.n_warnings, 1);
	cr_assert_str_eq(t.warnings[0], "requested expiration of 200000 seconds shortened to 86400 seconds");
	kube_token_done(&t);
	cJSON_Delete(sec);
	cJSON_Delete(made);
	kube_client_free(jit);
}

Test(auth, access_and_rules_reviews)
{
	struct kube_client *c =
	    client_with(demo_account_token(dc, "kube-system/token-request-sa"), NULL, NULL);
	kj_err e;
	int allowed = -1;
	char *reason = NULL;
	struct kube_access a = {.verb = "create",
	                        .group = "",
	                        .resource = "serviceaccounts",
	                        .subresource = "token",
	                        .ns = "dev"};
	cr_assert_eq(kube_can_i(c, &a, &allowed, &reason, &e), 0, "%s", e.msg);
	cr_assert_eq(allowed, 1);
	free(reason);
	a = (struct kube_access){.verb = "create", .group = "", .resource = "secrets", .ns = "dev"};
	cr_assert_eq(kube_can_i(c, &a, &allowed, NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(allowed, 0);
	a = (struct kube_access){.verb = "get", .path = "/version"};
	cr_assert_eq(kube_can_i(c, &a, &allowed, NULL, &e), 0, "%s", e.msg);
	cr_assert_eq(allowed, 1);

	cJSON *st = NULL;
	cr_assert_eq(kube_rules_review(c, "dev", &st, &e), 0, "%s", e.msg);
	cr_assert(cJSON_IsArray(cJSON_GetObjectItem(st, "resourceRules")));
	cr_assert_gt(cJSON_GetArraySize(cJSON_GetObjectItem(st, "resourceRules")), 0);
	cJSON_Delete(st);
	cr_assert_eq(kube_rules_review(c, "", &st, &e), -1);
	kube_client_free(c);
}

/* ---- CertificateSigningRequest ------------------------------------------------------------ */

static char *make_csr(const char *cn, const char *org, char **key_pem)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	cr_assert_not_null(k);
	X509_REQ *r = X509_REQ_new();
	X509_REQ_set_pubkey(r, k);
	X509_NAME *n = X509_REQ_get_subject_name(r);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)org, -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	cr_assert(X509_REQ_sign(r, k, EVP_sha256()) > 0);
	BIO *b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509_REQ(b, r);
	char *p;
	long n1 = BIO_get_mem_data(b, &p);
	char *csr = kj_xstrndup(p, (size_t)n1);
	BIO_free(b);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	n1 = BIO_get_mem_data(b, &p);
	*key_pem = kj_xstrndup(p, (size_t)n1);
	BIO_free(b);
	X509_REQ_free(r);
	EVP_PKEY_free(k);
	return csr;
}

Test(auth, csr_created_approved_issued_and_usable)
{
	struct kube_client *c = kube_admin();
	kj_err e;
	char *key = NULL;
	char *csr = make_csr("alice", "team-a", &key);
	cJSON *made = NULL;
	cr_assert_eq(kube_csr_create(c, "alice-1", csr, NULL, 3600, &made, &e), 0, "%s", e.msg);
	cr_assert_eq(kube_csr_state_of(made, NULL, NULL), KUBE_CSR_PENDING);
	cJSON_Delete(made);
	cr_assert_eq(kube_csr_approve(c, "alice-1", "Test", "approved by the test", &e), 0, "%s", e.msg);
	char *cert = NULL;
	enum kube_csr_state s = KUBE_CSR_PENDING;
	for (int i = 0; i < 50 && s != KUBE_CSR_ISSUED; i++) {
		cJSON *got = NULL;
		cr_assert_eq(kube_get(c, KUBE_CSR, NULL, "alice-1", &got, &e), 0, "%s", e.msg);
		s = kube_csr_state_of(got, &cert, NULL);
		cJSON_Delete(got);
		if (s != KUBE_CSR_ISSUED)
			usleep(20000);
	}
	cr_assert_eq(s, KUBE_CSR_ISSUED);
	cr_assert(strstr(cert, "BEGIN CERTIFICATE"));
	struct kube_client *alice = client_with(NULL, cert, key);
	assert_user(alice, "alice");
	kube_client_free(alice);
	free(cert);
	free(csr);
	kj_free_secret(key);
	kube_client_free(c);
}

Test(auth, client_certificate_and_key_must_belong_together)
{
	char *key = NULL;
	char *csr = make_csr("mallory", "x", &key);
	struct kube_conn conn = {.server = demo_url(dc),
	                         .ca = demo_ca_pem(dc),
	                         .client_cert = demo_admin_cert_pem(dc),
	                         .client_key = key};
	struct kube_client *c = NULL;
	kj_err e;
	cr_assert_eq(kube_client_new(&conn, &c, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert_str_eq(e.msg, "the client certificate and key do not belong together");
	conn.client_key = "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n";
	cr_assert_eq(kube_client_new(&conn, &c, &e), -1);
	cr_assert(strstr(e.msg, "client key"), "%s", e.msg);
	free(csr);
	kj_free_secret(key);
}

/* ---- kubeconfig files with the demo cluster ------------------------------------------------ */

Test(auth, demo_admin_kubeconfig_and_a_written_one_both_work)
{
	struct kubeconfig *kc = NULL;
	kj_err e;
	cr_assert_eq(kubeconfig_load(demo_kubeconfig_path(dc), &kc, &e), 0, "%s", e.msg);
	struct kube_context_info ci;
	cr_assert_eq(kubeconfig_resolve(kc, NULL, &ci, &e), 0, "%s", e.msg);
	struct kube_conn conn = {0};
	kube_context_to_conn(&ci, &conn);
	struct kube_client *c = NULL;
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	struct kube_version v;
	cr_assert_eq(kube_server_version(c, &v, &e), 0, "%s", e.msg);
	kube_version_done(&v);
	kube_client_free(c);
	kube_context_info_done(&ci);
	kubeconfig_free(kc);

	char dir[] = "/tmp/kube-live-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *path = kj_xasprintf("%s/sa.kubeconfig", dir);
	struct kubeconfig_spec spec = {.server = demo_url(dc),
	                               .ca_pem = demo_ca_pem(dc),
	                               .namespace = "dev",
	                               .token = demo_account_token(dc, "kube-system/kubejit-jit")};
	cr_assert_eq(kubeconfig_write(path, &spec, 0, &e), 0, "%s", e.msg);
	cr_assert_eq(kubeconfig_load(path, &kc, &e), 0, "%s", e.msg);
	cr_assert_eq(kubeconfig_resolve(kc, NULL, &ci, &e), 0, "%s", e.msg);
	cr_assert_str_eq(ci.namespace, "dev");
	conn = (struct kube_conn){0};
	kube_context_to_conn(&ci, &conn);
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	assert_user(c, "system:serviceaccount:kube-system:kubejit-jit");
	kube_client_free(c);
	kube_context_info_done(&ci);
	kubeconfig_free(kc);
	unlink(path);
	rmdir(dir);
	free(path);
}

/* ---- exec credential plugins --------------------------------------------------------- */

/* A plugin that counts its runs in <path>.count and answers run N with
 * answers[min(N, n)-1]. */
static char *counting_plugin(const char *dir, const char *const *answers, int n)
{
	char *path = kj_xasprintf("%s/plugin", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "#!/bin/sh\nn=$(cat \"$0.count\" 2>/dev/null || echo 0)\nn=$((n+1))\n"
	           "echo $n > \"$0.count\"\ncase $n in\n");
	for (int i = 0; i < n; i++) {
		char label[16];
		snprintf(label, sizeof label, "%d", i + 1);
		fprintf(f, "%s) cat <<'EOF'\n%s\nEOF\n;;\n", i == n - 1 ? "*" : label, answers[i]);
	}
	fprintf(f, "esac\n");
	fclose(f);
	chmod(path, 0755);
	return path;
}

static int plugin_runs(const char *path)
{
	char *cp = kj_xasprintf("%s.count", path);
	FILE *f = fopen(cp, "r");
	int n = 0;
	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = 0;
		fclose(f);
	}
	free(cp);
	return n;
}

static struct kube_client *exec_client(const char *cmd)
{
	static struct kube_exec_config c;
	kube_exec_config_done(&c);
	c.user = kj_xstrdup("exec-user");
	c.api_version = kj_xstrdup(KUBE_EXEC_V1);
	c.command = kj_xstrdup(cmd);
	struct kube_conn conn = {.server = demo_url(dc), .ca = demo_ca_pem(dc), .exec = &c};
	struct kube_client *kc = NULL;
	kj_err e;
	cr_assert_eq(kube_client_new(&conn, &kc, &e), 0, "%s", e.msg);
	return kc;
}

Test(auth, exec_plugin_token_is_reused_until_it_expires)
{
	char dir[] = "/tmp/kube-exec-live-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char when[32];
	kj_time_rfc3339(kj_now() + 120, when, sizeof when);
	char *answer = kj_xasprintf("{\"apiVersion\":\"client.authentication.k8s.io/v1\","
	                            "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\","
	                            "\"expirationTimestamp\":\"%s\"}}",
	                            demo_admin_token(dc), when);
	const char *answers[] = {answer};
	char *p = counting_plugin(dir, answers, 1);
	struct kube_client *c = exec_client(p);
	assert_user(c, "kubernetes-admin");
	assert_user(c, "kubernetes-admin");
	cr_assert_eq(plugin_runs(p), 1, "one run while the credential is fresh");
	kj_time_set_offset(121);
	assert_user(c, "kubernetes-admin");
	kj_time_set_offset(0);
	cr_assert_eq(plugin_runs(p), 2, "expired: run again");
	struct kube_client_stats st;
	kube_client_get_stats(c, &st);
	cr_assert_eq(st.exec_runs, 2);
	kube_client_free(c);
	free(p);
	free(answer);
}

Test(auth, exec_plugin_runs_again_once_on_401_and_the_request_succeeds)
{
	char dir[] = "/tmp/kube-exec-live-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *good = kj_xasprintf("{\"apiVersion\":\"client.authentication.k8s.io/v1\","
	                          "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"%s\"}}",
	                          demo_admin_token(dc));
	const char *answers[] = {"{\"apiVersion\":\"client.authentication.k8s.io/v1\","
	                         "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"stale-token\"}}",
	                         good};
	char *p = counting_plugin(dir, answers, 2);
	struct kube_client *c = exec_client(p);
	assert_user(c, "kubernetes-admin");
	cr_assert_eq(plugin_runs(p), 2, "the refused token was replaced once");
	assert_user(c, "kubernetes-admin");
	cr_assert_eq(plugin_runs(p), 2, "no expiry given: kept until a 401");
	kube_client_free(c);
	free(p);

	/* a plugin whose every answer is refused: one re-run, then the 401 */
	char dir2[] = "/tmp/kube-exec-live-XXXXXX";
	cr_assert_not_null(mkdtemp(dir2));
	const char *bad[] = {answers[0]};
	p = counting_plugin(dir2, bad, 1);
	c = exec_client(p);
	struct kube_user_info u;
	kj_err e;
	cr_assert_eq(kube_whoami(c, &u, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_AUTH);
	cr_assert_eq(plugin_runs(p), 2);
	kube_client_free(c);
	free(p);
	free(good);
}

Test(auth, exec_plugin_client_certificate_answer)
{
	char dir[] = "/tmp/kube-exec-live-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "apiVersion", KUBE_EXEC_V1);
	cJSON_AddStringToObject(j, "kind", "ExecCredential");
	cJSON *st = cJSON_AddObjectToObject(j, "status");
	cJSON_AddStringToObject(st, "clientCertificateData", demo_admin_cert_pem(dc));
	cJSON_AddStringToObject(st, "clientKeyData", demo_admin_key_pem(dc));
	char *answer = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	const char *answers[] = {answer};
	char *p = counting_plugin(dir, answers, 1);
	struct kube_client *c = exec_client(p);
	struct kube_user_info u;
	kj_err e;
	cr_assert_eq(kube_whoami(c, &u, &e), 0, "%s", e.msg);
	cr_assert_not_null(u.username);
	kube_user_info_done(&u);
	cr_assert_eq(plugin_runs(p), 1);
	kube_client_free(c);
	free(p);
	free(answer);
}
