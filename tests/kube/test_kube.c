/* Unit tests of the cluster client (src/kube): parsers, paths, kubeconfig
 * files and in-cluster set-up, without a cluster. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "kube/execcred.h"
#include "kube/http.h"
#include "kube/incluster.h"
#include "kube/proxy.h"
#include "kube/kinds.h"
#include "kube/kubeconfig.h"
#include "kube/status.h"
#include "util/b64.h"
#include "util/err.h"
#include "util/strbuf.h"

Test(kinds, paths_follow_group_scope_and_subresource)
{
	char *p = kube_kind_path(kube_kind(KUBE_SERVICEACCOUNT), "dev", "ci");
	cr_assert_str_eq(p, "/api/v1/namespaces/dev/serviceaccounts/ci");
	free(p);
	p = kube_kind_path(kube_kind(KUBE_ROLE), "dev", NULL);
	cr_assert_str_eq(p, "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles");
	free(p);
	p = kube_kind_path(kube_kind(KUBE_ROLE), NULL, NULL);
	cr_assert_str_eq(p, "/apis/rbac.authorization.k8s.io/v1/roles");
	free(p);
	p = kube_kind_path(kube_kind(KUBE_CLUSTERROLE), "ignored", "system:basic-user");
	cr_assert_str_eq(p, "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:basic-user");
	free(p);
	p = kube_kind_path(kube_kind(KUBE_TOKENREQUEST), "kube-system", "token-request-sa");
	cr_assert_str_eq(p, "/api/v1/namespaces/kube-system/serviceaccounts/token-request-sa/token");
	free(p);
	p = kube_kind_path(kube_kind(KUBE_NAMESPACE), NULL, "prod");
	cr_assert_str_eq(p, "/api/v1/namespaces/prod");
	free(p);
	p = kube_kind_subpath(kube_kind(KUBE_CSR), NULL, "alice", "approval");
	cr_assert_str_eq(p, "/apis/certificates.k8s.io/v1/certificatesigningrequests/alice/approval");
	free(p);
	p = kube_kind_path(kube_kind(KUBE_SSAR), NULL, NULL);
	cr_assert_str_eq(p, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews");
	free(p);
	p = kube_kind_path(kube_kind(KUBE_SELFSUBJECTREVIEW), NULL, NULL);
	cr_assert_str_eq(p, "/apis/authentication.k8s.io/v1/selfsubjectreviews");
	free(p);
}

Test(kinds, odd_names_are_escaped_and_impossible_paths_refused)
{
	char *p = kube_kind_path(kube_kind(KUBE_ROLE), "dev", "a b/c");
	cr_assert_str_eq(p, "/apis/rbac.authorization.k8s.io/v1/namespaces/dev/roles/a%20b%2Fc");
	free(p);
	cr_assert_null(kube_kind_path(kube_kind(KUBE_TOKENREQUEST), "dev", NULL));
	cr_assert_null(kube_kind_path(kube_kind(KUBE_SECRET), NULL, "x"));
	cr_assert_null(kube_kind(KUBE_KIND_COUNT));
}

Test(kinds, lookup_by_kind_plural_and_resource)
{
	cr_assert_eq(kube_kind_find("Role")->id, KUBE_ROLE);
	cr_assert_eq(kube_kind_find("clusterrolebindings")->id, KUBE_CLUSTERROLEBINDING);
	cr_assert_eq(kube_kind_find("roles.rbac.authorization.k8s.io")->id, KUBE_ROLE);
	cr_assert_eq(kube_kind_find("serviceaccounts/token")->id, KUBE_TOKENREQUEST);
	cr_assert_eq(kube_kind_find("serviceaccounts")->id, KUBE_SERVICEACCOUNT);
	cr_assert_null(kube_kind_find("deployments"));
	char buf[96];
	cr_assert_str_eq(kube_kind_resource(kube_kind(KUBE_ROLEBINDING), buf, sizeof buf),
	                 "rolebindings.rbac.authorization.k8s.io");
	cr_assert_str_eq(kube_kind_resource(kube_kind(KUBE_SECRET), buf, sizeof buf), "secrets");
	cr_assert_str_eq(kube_kind_resource(kube_kind(KUBE_TOKENREQUEST), buf, sizeof buf),
	                 "serviceaccounts/token");
	cr_assert_str_eq(kube_kind(KUBE_TOKENREQUEST)->api_version, "authentication.k8s.io/v1");
	cr_assert_eq(kube_kind(KUBE_CLUSTERROLE)->namespaced, 0);
}

static void decode(long code, const char *body, kj_err *e)
{
	kj_err_clear(e);
	cr_assert_eq(kube_status_to_err(code, body, body ? strlen(body) : 0, "https://127.0.0.1:6443", e),
	             -1);
}

Test(status, forbidden_keeps_reason_and_message)
{
	kj_err e;
	decode(
	    403,
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":"
	    "\"serviceaccounts \\\"sa\\\" is forbidden: User \\\"bob\\\" cannot create resource "
	    "\\\"serviceaccounts/token\\\" in API group \\\"\\\" in the namespace \\\"dev\\\"\","
	    "\"reason\":\"Forbidden\",\"details\":{\"name\":\"sa\",\"kind\":\"serviceaccounts\"},\"code\":"
	    "403}",
	    &e);
	cr_assert_eq(e.cls, KJ_ERR_DENIED);
	cr_assert_eq(e.http_status, 403);
	cr_assert_str_eq(e.reason, "Forbidden");
	cr_assert_str_eq(e.msg, "serviceaccounts \"sa\" is forbidden: User \"bob\" cannot create resource "
	                        "\"serviceaccounts/token\" in API group \"\" in the namespace \"dev\"");
	cr_assert(strlen(e.hint) > 0);
}

Test(status, classes_follow_http_codes)
{
	kj_err e;
	decode(401,
	       "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
	       "\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}",
	       &e);
	cr_assert_eq(e.cls, KJ_ERR_AUTH);
	cr_assert_str_eq(e.msg, "Unauthorized");
	decode(
	    404,
	    "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"serviceaccounts \\\"x\\\" not found\","
	    "\"reason\":\"NotFound\",\"code\":404}",
	    &e);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
	cr_assert_str_eq(e.reason, "NotFound");
	cr_assert_str_eq(e.hint, "");
	decode(404,
	       "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"the server could not find the "
	       "requested resource\",\"reason\":\"NotFound\",\"code\":404}",
	       &e);
	cr_assert(strstr(e.hint, "does not serve this API"), "%s", e.hint);
	decode(409,
	       "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"roles.rbac.authorization.k8s.io "
	       "\\\"foo\\\" already exists\",\"reason\":\"AlreadyExists\",\"code\":409}",
	       &e);
	cr_assert_eq(e.cls, KJ_ERR_CONFLICT);
	cr_assert_str_eq(e.reason, "AlreadyExists");
	decode(
	    422,
	    "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"TokenRequest.authentication.k8s.io "
	    "\\\"\\\" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less "
	    "than 10 minutes\",\"reason\":\"Invalid\",\"code\":422}",
	    &e);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert(strstr(e.msg, "less than 10 minutes"));
	decode(400,
	       "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"no namespace on request\","
	       "\"reason\":\"BadRequest\",\"code\":400}",
	       &e);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert_eq(kube_status_class(500), KJ_ERR_FAIL);
}

Test(status, non_status_bodies_give_specific_messages)
{
	kj_err e;
	decode(502, "<html><head><title>502 Bad Gateway</title></head>\n<body>nginx</body></html>", &e);
	cr_assert_eq(e.cls, KJ_ERR_FAIL);
	cr_assert_eq(e.http_status, 502);
	cr_assert_str_eq(e.msg, "the server answered HTTP 502 (BadGateway): <html><head><title>502 Bad "
	                        "Gateway</title></head>");
	decode(403, "", &e);
	cr_assert_eq(e.cls, KJ_ERR_DENIED);
	cr_assert_str_eq(e.msg, "the server answered HTTP 403 (Forbidden)");
	decode(401, NULL, &e);
	cr_assert_eq(e.cls, KJ_ERR_AUTH);
	/* A Status that is not a Failure is not trusted as an error text. */
	decode(500, "{\"kind\":\"Status\",\"status\":\"Success\",\"reason\":\"Weird\"}", &e);
	cr_assert_str_eq(e.msg, "the server answered HTTP 500 (Weird)");
	decode(418, "short and stout", &e);
	cr_assert_str_eq(e.msg, "the server answered HTTP 418: short and stout");
}

Test(status, parse_exposes_details)
{
	struct kube_status st;
	const char *b =
	    "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"m\",\"reason\":\"AlreadyExists\","
	    "\"details\":{\"name\":\"foo\",\"group\":\"rbac.authorization.k8s.io\",\"kind\":\"roles\","
	    "\"retryAfterSeconds\":1},\"code\":409}";
	cr_assert_eq(kube_status_parse(b, strlen(b), &st), 0);
	cr_assert_str_eq(st.details_name, "foo");
	cr_assert_str_eq(st.details_group, "rbac.authorization.k8s.io");
	cr_assert_str_eq(st.details_kind, "roles");
	cr_assert_eq(st.retry_after, 1);
	cr_assert_eq(st.code, 409);
	kube_status_done(&st);
	cr_assert_eq(kube_status_parse("{\"kind\":\"Pod\"}", 14, &st), -1);
	cr_assert_eq(kube_status_parse("nope", 4, &st), -1);
}

/* ---- Warning headers ------------------------------------------------------------ */

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

Test(warning, parses_one_several_and_escaped_texts)
{
	char **l = NULL;
	size_t n = 0;
	cr_assert_eq(
	    kube_warning_parse("299 - \"requested expiration of 100000 seconds shortened to 86400 seconds\"",
	                       &l, &n),
	    1);
	cr_assert_str_eq(l[0], "requested expiration of 100000 seconds shortened to 86400 seconds");
	cr_assert_eq(
	    kube_warning_parse("299 - \"a \\\"quoted\\\" word\", 299 kube-apiserver \"second\" \"Sat, 01 Jan "
	                       "2000 00:00:00 GMT\"",
	                       &l, &n),
	    2);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(l[1], "a \"quoted\" word");
	cr_assert_str_eq(l[2], "second");
	free_list(l, n);
}

Test(warning, malformed_values_add_nothing)
{
	char **l = NULL;
	size_t n = 0;
	cr_assert_eq(kube_warning_parse("", &l, &n), 0);
	cr_assert_eq(kube_warning_parse("garbage", &l, &n), 0);
	cr_assert_eq(kube_warning_parse("299 - unquoted", &l, &n), 0);
	cr_assert_eq(kube_warning_parse("299 - \"unterminated", &l, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(l);
}

/* ---- client construction ---------------------------------------------------------- */

static char *data_path(const char *name)
{
	const char *top = getenv("top_srcdir");
	return kj_xasprintf("%s/tests/support/data/%s", top ? top : ".", name);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	kj_buf b;
	kj_buf_init(&b);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		kj_buf_add(&b, chunk, n);
	fclose(f);
	return kj_buf_steal(&b);
}

Test(client, validates_its_description)
{
	kj_err e;
	struct kube_client *c = NULL;
	struct kube_conn conn = {.server = "ftp://x"};
	cr_assert_eq(kube_client_new(&conn, &c, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	conn.server = "not a url at all";
	cr_assert_eq(kube_client_new(&conn, &c, &e), -1);
	conn.server = "https://127.0.0.1:6443";
	conn.ca = "definitely not a certificate";
	cr_assert_eq(kube_client_new(&conn, &c, &e), -1);
	cr_assert(strstr(e.msg, "CA"));
	conn.ca = NULL;
	conn.client_cert = "-----BEGIN CERTIFICATE-----\n";
	cr_assert_eq(kube_client_new(&conn, &c, &e), -1);
	cr_assert(strstr(e.msg, "key"));
	conn.client_cert = NULL;

	char *path = data_path("kube-ca.crt");
	char *pem = slurp(path);
	conn.ca = pem;
	conn.insecure = 1;
	cr_assert_eq(kube_client_new(&conn, &c, &e), -1);
	cr_assert_str_eq(e.msg, "specifying a root certificates file with the insecure flag is not allowed");
	conn.insecure = 0;
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	cr_assert_str_eq(kube_client_server(c), "https://127.0.0.1:6443");
	kube_client_free(c);
	/* base64 of PEM, as in certificate-authority-data */
	char *b64 = kj_b64_encode(pem, strlen(pem));
	char *back = kube_ca_to_pem(b64, &e);
	cr_assert_str_eq(back, pem);
	free(back);
	free(b64);
	free(pem);
	free(path);
}

/* ---- kubeconfig --------------------------------------------------------------------- */

static struct kubeconfig *load_ab(void)
{
	char *a = data_path("kubeconfig-a.yaml"), *b = data_path("kubeconfig-b.yaml");
	char *missing = data_path("no-such-kubeconfig");
	char *list = kj_xasprintf("%s:%s:%s", missing, a, b);
	struct kubeconfig *kc = NULL;
	kj_err e;
	cr_assert_eq(kubeconfig_load(list, &kc, &e), 0, "%s", e.msg);
	free(a);
	free(b);
	free(missing);
	free(list);
	return kc;
}

Test(kubeconfig, merges_first_definition_wins)
{
	struct kubeconfig *kc = load_ab();
	cr_assert_str_eq(kubeconfig_current_context(kc), "dev");
	cr_assert_eq(kubeconfig_n_contexts(kc), 12);
	cr_assert_str_eq(kubeconfig_context_name(kc, 0), "dev");
	cr_assert_str_eq(kubeconfig_context_name(kc, 11), "other");

	struct kube_context_info ci;
	kj_err e;
	cr_assert_eq(kubeconfig_resolve(kc, NULL, &ci, &e), 0, "%s", e.msg);
	cr_assert_str_eq(ci.context, "dev");
	cr_assert_str_eq(ci.server, "https://127.0.0.1:6443");
	cr_assert_str_eq(ci.token, "abc.def.ghi");
	cr_assert_str_eq(ci.namespace, "team-a");
	cr_assert_str_eq(ci.tls_server_name, "kubernetes.default");
	cr_assert(strstr(ci.ca_pem, "BEGIN CERTIFICATE"));
	cr_assert(strstr(ci.ca_path, "tests/support/data/kube-ca.crt"));
	struct kube_conn conn = {0};
	kube_context_to_conn(&ci, &conn);
	struct kube_client *c = NULL;
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	kube_client_free(c);
	kube_context_info_done(&ci);

	cr_assert_eq(kubeconfig_resolve(kc, "other", &ci, &e), 0, "%s", e.msg);
	cr_assert_str_eq(ci.server, "https://second.example:443");
	cr_assert_str_eq(ci.proxy_url, "http://proxy.example:3128");
	cr_assert_str_eq(ci.token, "second-token");
	cr_assert_str_eq(ci.namespace, "prod");
	kube_context_info_done(&ci);
	kubeconfig_free(kc);
}

Test(kubeconfig, token_files_certs_and_insecure)
{
	struct kubeconfig *kc = load_ab();
	struct kube_context_info ci;
	kj_err e;
	cr_assert_eq(kubeconfig_resolve(kc, "files", &ci, &e), 0, "%s", e.msg);
	cr_assert_null(ci.token);
	cr_assert_eq(ci.token_file[0], '/');
	cr_assert(strstr(ci.token_file, "tests/support/data/kube-token.txt"));
	kube_context_info_done(&ci);

	cr_assert_eq(kubeconfig_resolve(kc, "certs", &ci, &e), 0, "%s", e.msg);
	cr_assert_eq(ci.insecure, 1);
	cr_assert_null(ci.ca_pem);
	cr_assert_str_eq(ci.client_cert_pem,
	                 "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n");
	cr_assert(strstr(ci.client_key_pem, "PRIVATE KEY"));
	kube_context_info_done(&ci);

	cr_assert_eq(kubeconfig_resolve(kc, "conflict", &ci, &e), -1);
	cr_assert(strstr(e.msg, "insecure flag is not allowed"));
	kubeconfig_free(kc);
}

Test(kubeconfig, exec_users_resolve_and_auth_providers_name_their_replacement)
{
	struct kubeconfig *kc = load_ab();
	struct kube_context_info ci;
	kj_err e;
	cr_assert_eq(kubeconfig_resolve(kc, "sso", &ci, &e), 0, "%s", e.msg);
	cr_assert_not_null(ci.exec);
	cr_assert_str_eq(ci.exec->command, "kubelogin"); /* PATH lookup: left as it is */
	cr_assert_str_eq(ci.exec->user, "oidc");
	kube_context_info_done(&ci);
	cr_assert_eq(kubeconfig_resolve(kc, "eks", &ci, &e), 0, "%s", e.msg);
	cr_assert_str_eq(ci.exec->api_version, "client.authentication.k8s.io/v1beta1");
	cr_assert_eq(ci.exec->interactive, KUBE_EXEC_IF_AVAILABLE, "v1beta1 defaults to IfAvailable");
	cr_assert_eq(ci.exec->n_args, 6);
	cr_assert_str_eq(ci.exec->env[0].name, "AWS_PROFILE");
	cr_assert_null(ci.token);
	kube_context_info_done(&ci);
	/* a command with a '/' is relative to the kubeconfig's directory */
	char *dir = data_path("");
	char *real = realpath(dir, NULL);
	char *want_real = kj_xasprintf("%s/bin/cred-helper", real);
	cr_assert_eq(kubeconfig_resolve(kc, "local-plugin", &ci, &e), 0, "%s", e.msg);
	cr_assert(strcmp(ci.exec->command, want_real) == 0, "%s", ci.exec->command);
	cr_assert_eq(ci.exec->interactive, KUBE_EXEC_ALWAYS);
	cr_assert_str_eq(ci.exec->install_hint, "get cred-helper from the team wiki");
	kube_context_info_done(&ci);
	free(dir);
	free(real);
	free(want_real);

	cr_assert_eq(kubeconfig_resolve(kc, "gke", &ci, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert(strstr(e.msg, "user \"gcp\"") && strstr(e.msg, "auth-provider"), "%s", e.msg);
	cr_assert(strstr(e.msg, "gke-gcloud-auth-plugin"), "%s", e.msg);
	cr_assert_eq(kubeconfig_resolve(kc, "aks-legacy", &ci, &e), -1);
	cr_assert(strstr(e.msg, "\"azure\" auth-provider") && strstr(e.msg, "kubelogin"), "%s", e.msg);
	cr_assert(strstr(e.hint, "convert-kubeconfig"), "%s", e.hint);
	cr_assert_eq(kubeconfig_resolve(kc, "oidc-legacy", &ci, &e), -1);
	cr_assert(strstr(e.msg, "\"oidc\" auth-provider") && strstr(e.msg, "kubelogin"), "%s", e.msg);
	cr_assert(strstr(e.hint, "oidc-login"), "%s", e.hint);

	cr_assert_eq(kubeconfig_resolve(kc, "nope", &ci, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
	cr_assert(strstr(e.msg, "context \"nope\" not found"), "%s", e.msg);
	cr_assert(strstr(e.msg,
	                 "available contexts: dev, files, certs, sso, gke, aks-legacy, oidc-legacy, eks, "
	                 "local-plugin, broken, conflict, other"),
	          "%s", e.msg);
	cr_assert_eq(kubeconfig_resolve(kc, "broken", &ci, &e), -1);
	cr_assert(strstr(e.msg, "cluster \"nowhere\""), "%s", e.msg);
	kubeconfig_free(kc);
}

Test(kubeconfig, load_errors)
{
	struct kubeconfig *kc = NULL;
	kj_err e;
	char *bad = data_path("kubeconfig-bad.yaml");
	cr_assert_eq(kubeconfig_load(bad, &kc, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert(strstr(e.msg, "kubeconfig-bad.yaml:"), "%s", e.msg);
	free(bad);
	cr_assert_eq(kubeconfig_load("/nonexistent/a:/nonexistent/b", &kc, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND);
	cr_assert_eq(kubeconfig_load_buffer("[1, 2]", 6, "mem", &kc, &e), -1);
	cr_assert_eq(kubeconfig_load_buffer("", 0, "mem", &kc, &e), 0);
	cr_assert_eq(kubeconfig_resolve(kc, NULL, &(struct kube_context_info){0}, &e), -1);
	cr_assert(strstr(e.msg, "no current-context"), "%s", e.msg);
	kubeconfig_free(kc);
}

Test(kubeconfig, written_token_config_reads_back)
{
	char *capath = data_path("kube-ca.crt");
	char *ca = slurp(capath);
	struct kubeconfig_spec s = {
	    .cluster_name = "true",
	    .user_name = "123",
	    .context_name = "a: b #c",
	    .server = "https://[::1]:6443",
	    .ca_pem = ca,
	    .tls_server_name = "kubernetes.default.svc",
	    .namespace = "yes",
	    .token = "eyJhbGciOi.x-y_z.sig",
	};
	kj_err e;
	char *text = kubeconfig_render(&s, &e);
	cr_assert_not_null(text, "%s", e.msg);
	cr_assert(strstr(text, "- name: \"true\""), "%s", text);
	cr_assert(strstr(text, "namespace: \"yes\""), "%s", text);
	struct kubeconfig *kc = NULL;
	cr_assert_eq(kubeconfig_load_buffer(text, strlen(text), "written", &kc, &e), 0, "%s", e.msg);
	cr_assert_str_eq(kubeconfig_current_context(kc), "a: b #c");
	struct kube_context_info ci;
	cr_assert_eq(kubeconfig_resolve(kc, NULL, &ci, &e), 0, "%s", e.msg);
	cr_assert_str_eq(ci.cluster, "true");
	cr_assert_str_eq(ci.user, "123");
	cr_assert_str_eq(ci.server, "https://[::1]:6443");
	cr_assert_str_eq(ci.ca_pem, ca);
	cr_assert_str_eq(ci.tls_server_name, "kubernetes.default.svc");
	cr_assert_str_eq(ci.namespace, "yes");
	cr_assert_str_eq(ci.token, "eyJhbGciOi.x-y_z.sig");
	kube_context_info_done(&ci);
	kubeconfig_free(kc);
	kj_free_secret(text);
	free(ca);
	free(capath);
}

Test(kubeconfig, written_exec_config_has_what_kubectl_requires)
{
	const char *args[] = {"get", "/prod/read pods", "--namespace", "dev"};
	struct kubeconfig_env env[] = {{"KUBEJIT_HOME", "/home/op/.local/share/kubejit"}, {"EMPTY", ""}};
	struct kubeconfig_spec s = {
	    .server = "https://127.0.0.1:6443",
	    .namespace = "dev",
	    .exec_command = "/usr/bin/kubejit",
	    .exec_args = args,
	    .n_exec_args = 4,
	    .exec_env = env,
	    .n_exec_env = 2,
	    .exec_provide_cluster_info = 1,
	};
	kj_err e;
	char *text = kubeconfig_render(&s, &e);
	cr_assert_not_null(text, "%s", e.msg);
	cr_assert(strstr(text, "apiVersion: client.authentication.k8s.io/v1\n"), "%s", text);
	cr_assert(strstr(text, "interactiveMode: Never\n"), "%s", text);
	cr_assert(strstr(text, "provideClusterInfo: true\n"), "%s", text);
	cr_assert(strstr(text, "- /prod/read pods\n"), "%s", text);
	cr_assert(strstr(text, "value: \"\"\n"), "%s", text);
	cr_assert(strstr(text, "current-context: kubejit\n"), "%s", text);
	/* It reads back as the exec user it describes. */
	struct kubeconfig *kc = NULL;
	cr_assert_eq(kubeconfig_load_buffer(text, strlen(text), "written", &kc, &e), 0, "%s", e.msg);
	struct kube_context_info ci;
	cr_assert_eq(kubeconfig_resolve(kc, "kubejit", &ci, &e), 0, "%s", e.msg);
	cr_assert_not_null(ci.exec);
	cr_assert_str_eq(ci.exec->command, "/usr/bin/kubejit");
	cr_assert_eq(ci.exec->n_args, 4);
	cr_assert_str_eq(ci.exec->args[1], "/prod/read pods");
	cr_assert_eq(ci.exec->n_env, 2);
	cr_assert_str_eq(ci.exec->env[1].value, "");
	cr_assert_eq(ci.exec->interactive, KUBE_EXEC_NEVER);
	cr_assert(ci.exec->provide_cluster_info);
	kube_context_info_done(&ci);
	kubeconfig_free(kc);
	free(text);
}

Test(kubeconfig, write_is_private_and_exclusive)
{
	char dir[] = "/tmp/kube-test-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *path = kj_xasprintf("%s/config", dir);
	struct kubeconfig_spec s = {.server = "https://127.0.0.1:6443", .token = "t1"};
	kj_err e;
	cr_assert_eq(kubeconfig_write(path, &s, 0, &e), 0, "%s", e.msg);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(kubeconfig_write(path, &s, 0, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_CONFLICT);
	cr_assert(strstr(e.hint, "--force"));
	s.token = "t2";
	cr_assert_eq(kubeconfig_write(path, &s, 1, &e), 0, "%s", e.msg);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	char *text = slurp(path);
	cr_assert(strstr(text, "token: t2"));
	free(text);
	unlink(path);
	rmdir(dir);
	free(path);
}

/* ---- in-cluster --------------------------------------------------------------------- */

static void write_file(const char *dir, const char *name, const char *text)
{
	char *p = kj_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

Test(incluster, needs_both_variables_with_client_go_text)
{
	unsetenv("KUBERNETES_SERVICE_HOST");
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	struct kube_incluster ic;
	kj_err e;
	cr_assert_eq(kube_incluster_load("/nonexistent", &ic, &e), -1);
	cr_assert_str_eq(e.msg, "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
	                        "KUBERNETES_SERVICE_PORT must be defined");
	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	cr_assert_eq(kube_incluster_load("/nonexistent", &ic, &e), -1);
	cr_assert(strstr(e.msg, "/nonexistent/token"), "%s", e.msg);
}

Test(incluster, reads_the_service_account_directory)
{
	char dir[] = "/tmp/kube-sa-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	write_file(dir, "token", "tok\n");
	char *capath = data_path("kube-ca.crt");
	char *ca = slurp(capath);
	write_file(dir, "ca.crt", ca);
	write_file(dir, "namespace", "team-a\n");
	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	unsetenv("POD_NAMESPACE");
	setenv("KUBEJIT_SERVICEACCOUNT_DIR", dir, 1);
	struct kube_incluster ic;
	kj_err e;
	cr_assert_eq(kube_incluster_load(NULL, &ic, &e), 0, "%s", e.msg);
	cr_assert_str_eq(ic.server, "https://[fd00::1]:443");
	cr_assert_str_eq(ic.namespace, "team-a");
	cr_assert_str_eq(ic.ca_pem, ca);
	char *tf = kj_xasprintf("%s/token", dir);
	cr_assert_str_eq(ic.token_file, tf);
	struct kube_conn conn = {0};
	kube_incluster_to_conn(&ic, &conn);
	struct kube_client *c = NULL;
	cr_assert_eq(kube_client_new(&conn, &c, &e), 0, "%s", e.msg);
	kube_client_free(c);
	kube_incluster_done(&ic);

	setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
	setenv("POD_NAMESPACE", "from-env", 1);
	cr_assert_eq(kube_incluster_load(dir, &ic, &e), 0, "%s", e.msg);
	cr_assert_str_eq(ic.server, "https://10.96.0.1:443");
	cr_assert_str_eq(ic.namespace, "from-env");
	kube_incluster_done(&ic);
	unsetenv("POD_NAMESPACE");
	char *nsp = kj_xasprintf("%s/namespace", dir);
	unlink(nsp);
	cr_assert_eq(kube_incluster_load(dir, &ic, &e), 0, "%s", e.msg);
	cr_assert_str_eq(ic.namespace, "default");
	kube_incluster_done(&ic);
	char *cap = kj_xasprintf("%s/ca.crt", dir);
	unlink(cap);
	unlink(tf);
	rmdir(dir);
	free(cap);
	free(nsp);
	free(tf);
	free(ca);
	free(capath);
}

/* ---- proxies -------------------------------------------------------------------------- */

Test(proxy, no_proxy_matches_as_go_does)
{
	/* loopback and localhost never go through an environment proxy */
	cr_assert(kube_proxy_bypass(NULL, "localhost", "443"));
	cr_assert(kube_proxy_bypass("", "127.0.0.2", "443"));
	cr_assert(kube_proxy_bypass("", "[::1]", "443"));
	cr_assert_not(kube_proxy_bypass("", "10.0.0.1", "443"));
	cr_assert(kube_proxy_bypass("*", "api.example.com", "443"));
	cr_assert(kube_proxy_bypass("example.com", "example.com", "443"));
	cr_assert(kube_proxy_bypass("example.com", "api.example.com", "443"));
	cr_assert_not(kube_proxy_bypass(".example.com", "example.com", "443"));
	cr_assert(kube_proxy_bypass("*.example.com", "api.example.com", "443"));
	cr_assert_not(kube_proxy_bypass("example.com", "badexample.com", "443"));
	cr_assert(kube_proxy_bypass(" other.org , EXAMPLE.com:6443", "Api.Example.com", "6443"));
	cr_assert_not(kube_proxy_bypass("example.com:6443", "api.example.com", "443"));
	cr_assert(kube_proxy_bypass("10.0.0.0/8", "10.1.2.3", "443"));
	cr_assert_not(kube_proxy_bypass("10.0.0.0/8", "11.1.2.3", "443"));
	cr_assert(kube_proxy_bypass("10.1.2.3", "10.1.2.3", "443"));
	cr_assert(kube_proxy_bypass("fd00::/8", "[fd00::5]", "443"));
}

Test(proxy, environment_and_proxy_url_as_client_go)
{
	char *px = NULL;
	kj_err e;
	setenv("HTTPS_PROXY", "proxy.corp:3128", 1); /* no scheme: http */
	setenv("NO_PROXY", ".internal", 1);
	cr_assert_eq(kube_proxy_select("https", "api.example.com", "443", NULL, &px, &e), 0, "%s", e.msg);
	cr_assert_str_eq(px, "http://proxy.corp:3128");
	free(px);
	cr_assert_eq(kube_proxy_select("https", "k8s.internal", "443", NULL, &px, &e), 0);
	cr_assert_null(px);
	cr_assert_eq(kube_proxy_select("https", "127.0.0.1", "6443", NULL, &px, &e), 0);
	cr_assert_null(px, "loopback bypasses the environment proxy");
	/* proxy-url applies to every host, loopback included; socks5 sends names */
	cr_assert_eq(kube_proxy_select("https", "127.0.0.1", "6443", "socks5://user:pw@gw:1080", &px, &e), 0);
	cr_assert_str_eq(px, "socks5h://user:pw@gw:1080");
	char *shown = kube_proxy_display(px);
	cr_assert_str_eq(shown, "socks5://gw:1080", "shown as written, without the credentials");
	free(shown);
	free(px);
	cr_assert_eq(kube_proxy_select("https", "h", "1", "ftp://gw:21", &px, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_INVALID);
	cr_assert(strstr(e.msg, "unsupported scheme \"ftp\""), "%s", e.msg);
	unsetenv("HTTPS_PROXY");
	unsetenv("NO_PROXY");
	setenv("https_proxy", "http://lower:1", 1);
	cr_assert_eq(kube_proxy_select("https", "a.b", "443", NULL, &px, &e), 0);
	cr_assert_str_eq(px, "http://lower:1");
	free(px);
	cr_assert_eq(kube_proxy_select("http", "a.b", "80", NULL, &px, &e), 0);
	cr_assert_null(px, "https_proxy is not used for http:// servers");
	unsetenv("https_proxy");
}

/* ---- exec credential plugins ------------------------------------------------------------- */

/* A plugin script in `dir` that records its arguments, environment and
 * stdin kind, then prints `answer` (or exits with `status`). */
static char *plugin(const char *dir, const char *name, const char *answer, int status)
{
	char *path = kj_xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f,
	        "#!/bin/sh\n"
	        "printf '%%s\\n' \"$@\" > \"$0.args\"\n"
	        "printf '%%s' \"$KUBERNETES_EXEC_INFO\" > \"$0.info\"\n"
	        "printf '%%s' \"$PLUGIN_SETTING\" > \"$0.env\"\n"
	        "echo 'plugin says hello on stderr' >&2\n"
	        "cat <<'EOF'\n%s\nEOF\n"
	        "exit %d\n",
	        answer, status);
	fclose(f);
	chmod(path, 0755);
	return path;
}

static void exec_config(struct kube_exec_config *c, const char *cmd, const char *api)
{
	memset(c, 0, sizeof *c);
	c->user = kj_xstrdup("tester");
	c->api_version = kj_xstrdup(api);
	c->command = kj_xstrdup(cmd);
	c->n_args = 2;
	c->args = kj_xcalloc(2, sizeof(char *));
	c->args[0] = kj_xstrdup("get-token");
	c->args[1] = kj_xstrdup("--cluster=demo");
	c->n_env = 1;
	c->env = kj_xcalloc(1, sizeof *c->env);
	c->env[0].name = kj_xstrdup("PLUGIN_SETTING");
	c->env[0].value = kj_xstrdup("from-kubeconfig");
	c->interactive = KUBE_EXEC_NEVER;
	c->provide_cluster_info = 1;
}

static char stderr_seen[256];
static void on_stderr(const char *text, void *ud)
{
	(void)ud;
	snprintf(stderr_seen, sizeof stderr_seen, "%s", text);
}

Test(execcred, token_answer_env_args_and_cluster_info)
{
	char dir[] = "/tmp/kube-exec-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *p = plugin(dir, "cred",
	                 "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
	                 "\"status\":{\"token\":\"secret-token-123\",\"expirationTimestamp\":"
	                 "\"2030-01-02T03:04:05.123+01:00\"}}",
	                 0);
	struct kube_exec_config c;
	exec_config(&c, p, KUBE_EXEC_V1);
	c.cluster_config = kj_xstrdup("{\"region\":\"eu-west-1\"}");
	struct kube_exec_cluster cl = {.server = "https://10.0.0.1:443",
	                               .tls_server_name = "kubernetes",
	                               .ca_pem =
	                                   "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n",
	                               .proxy_url = "http://proxy:3128"};
	struct kube_exec_cred cred;
	kj_err e;
	setenv("PLUGIN_SETTING", "from-environment", 1);
	kube_exec_set_hooks(NULL, on_stderr, NULL);
	stderr_seen[0] = '\0';
	cr_assert_eq(kube_exec_run(&c, &cl, &cred, &e), 0, "%s", e.msg);
	kube_exec_set_hooks(NULL, NULL, NULL);
	unsetenv("PLUGIN_SETTING");
	cr_assert_str_eq(cred.token, "secret-token-123");
	cr_assert_eq(cred.expires_at, 1893549845); /* 2030-01-02T02:04:05Z */
	cr_assert_not(kube_exec_cred_expired(&cred, 1893549845), "reused up to the second itself");
	cr_assert(kube_exec_cred_expired(&cred, 1893549846));
	cr_assert(strstr(stderr_seen, "plugin says hello"), "stderr handed over: %s", stderr_seen);

	char *path = kj_xasprintf("%s.args", p);
	char *args = slurp(path);
	cr_assert_str_eq(args, "get-token\n--cluster=demo\n");
	free(path);
	free(args);
	path = kj_xasprintf("%s.env", p);
	args = slurp(path);
	cr_assert_str_eq(args, "from-kubeconfig", "the kubeconfig's env wins over ours");
	free(path);
	free(args);
	path = kj_xasprintf("%s.info", p);
	char *info = slurp(path);
	cJSON *j = cJSON_Parse(info);
	cr_assert_not_null(j, "%s", info);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "kind")->valuestring, "ExecCredential");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "apiVersion")->valuestring, KUBE_EXEC_V1);
	cJSON *spec = cJSON_GetObjectItem(j, "spec");
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(spec, "interactive")), "%s", info);
	cJSON *k = cJSON_GetObjectItem(spec, "cluster");
	cr_assert_str_eq(cJSON_GetObjectItem(k, "server")->valuestring, "https://10.0.0.1:443");
	cr_assert_str_eq(cJSON_GetObjectItem(k, "tls-server-name")->valuestring, "kubernetes");
	cr_assert_str_eq(cJSON_GetObjectItem(k, "proxy-url")->valuestring, "http://proxy:3128");
	size_t n = 0;
	unsigned char *ca =
	    kj_b64_decode(cJSON_GetObjectItem(k, "certificate-authority-data")->valuestring, &n);
	cr_assert(ca && strstr((char *)ca, "BEGIN CERTIFICATE"));
	free(ca);
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(k, "config"), "region")->valuestring,
	                 "eu-west-1");
	cJSON_Delete(j);
	free(info);
	free(path);
	kube_exec_cred_done(&cred);
	kube_exec_config_done(&c);
	free(p);
}

Test(execcred, wrong_answers_give_client_go_errors_without_the_output)
{
	char dir[] = "/tmp/kube-exec-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	struct {
		const char *answer;
		int status;
		const char *want;
	} cases[] = {
	    {"{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\","
	     "\"status\":{\"token\":\"leaked-1\"}}",
	     0,
	     "configured to use API version client.authentication.k8s.io/v1, plugin returned version "
	     "client.authentication.k8s.io/v1beta1"},
	    {"{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\"}", 0,
	     "didn't return a status field"},
	    {"{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
	     "\"status\":{}}",
	     0, "didn't return a token or cert/key pair"},
	    {"{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
	     "\"status\":{\"clientCertificateData\":\"leaked-2\"}}",
	     0, "returned only certificate or key, not both"},
	    {"token leaked-3", 0, "did not answer with JSON"},
	    {"{\"status\":{\"token\":\"leaked-4\"}}", 1, "failed with exit code 1"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char name[16];
		snprintf(name, sizeof name, "bad%zu", i);
		char *p = plugin(dir, name, cases[i].answer, cases[i].status);
		struct kube_exec_config c;
		struct kube_exec_cred cred;
		kj_err e;
		exec_config(&c, p, KUBE_EXEC_V1);
		cr_assert_eq(kube_exec_run(&c, NULL, &cred, &e), -1, "case %zu", i);
		cr_assert_eq(e.cls, KJ_ERR_AUTH);
		cr_assert(strstr(e.msg, cases[i].want), "case %zu: %s", i, e.msg);
		cr_assert_null(strstr(e.msg, "leaked"), "%s", e.msg);
		cr_assert_null(strstr(e.hint, "leaked"), "%s", e.hint);
		kube_exec_config_done(&c);
		free(p);
	}
}

Test(execcred, missing_command_shows_the_install_hint_and_always_needs_a_terminal)
{
	struct kube_exec_config c;
	struct kube_exec_cred cred;
	kj_err e;
	exec_config(&c, "kubejit-test-no-such-plugin", KUBE_EXEC_V1BETA1);
	c.install_hint = kj_xstrdup("install it with: apt install no-such-plugin");
	cr_assert_eq(kube_exec_run(&c, NULL, &cred, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND, "%s", e.msg);
	cr_assert(strstr(e.msg, "exec: executable kubejit-test-no-such-plugin not found"), "%s", e.msg);
	cr_assert_str_eq(e.hint, "install it with: apt install no-such-plugin");
	free(c.command);
	c.command = kj_xstrdup("/nonexistent/dir/plugin");
	cr_assert_eq(kube_exec_run(&c, NULL, &cred, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND, "%s", e.msg);
	/* Always with stdin not a terminal (the test's stdin is not one) */
	c.interactive = KUBE_EXEC_ALWAYS;
	cr_assert_eq(kube_exec_run(&c, NULL, &cred, &e), -1);
	cr_assert(strstr(e.msg, "standard input is not a terminal"), "%s", e.msg);
	kube_exec_config_done(&c);
}

/* A bare command is looked up in PATH as os/exec does: entries that are
 * files, missing, or hold a same-named file that may not be executed are
 * passed over; the first executable file wins; a find relative to the
 * current directory is refused. */
Test(execcred, bare_command_is_found_in_path_as_os_exec_does)
{
	char dir[] = "/tmp/kube-exec-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *plain = kj_xasprintf("%s/plain", dir), *noexec = kj_xasprintf("%s/noexec", dir),
	     *bin = kj_xasprintf("%s/bin", dir);
	cr_assert_eq(mkdir(noexec, 0755), 0);
	cr_assert_eq(mkdir(bin, 0755), 0);
	FILE *f = fopen(plain, "w");
	cr_assert_not_null(f);
	fclose(f);
	char *fake = plugin(noexec, "kj-cred", "{}", 0);
	chmod(fake, 0644); /* same name, not executable: skipped */
	char *real = plugin(bin, "kj-cred",
	                    "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
	                    "\"status\":{\"token\":\"from-path\"}}",
	                    0);
	char *path = kj_xasprintf("/nonexistent:%s:%s:%s:/usr/bin:/bin", plain, noexec, bin);
	char *old = getenv("PATH") ? kj_xstrdup(getenv("PATH")) : NULL;
	setenv("PATH", path, 1);

	struct kube_exec_config c;
	struct kube_exec_cred cred;
	kj_err e;
	exec_config(&c, "kj-cred", KUBE_EXEC_V1);
	cr_assert_eq(kube_exec_run(&c, NULL, &cred, &e), 0, "%s", e.msg);
	cr_assert_str_eq(cred.token, "from-path");
	kube_exec_cred_done(&cred);

	/* only the unusable ones left: not found, as client-go says it */
	free(path);
	path = kj_xasprintf("/nonexistent:%s:%s", plain, noexec);
	setenv("PATH", path, 1);
	cr_assert_eq(kube_exec_run(&c, NULL, &cred, &e), -1);
	cr_assert_eq(e.cls, KJ_ERR_NOTFOUND, "%s", e.msg);
	cr_assert(strstr(e.msg, "exec: executable kj-cred not found"), "%s", e.msg);

	/* an empty entry is the current directory: found there, refused */
	char cwd[4096];
	cr_assert_not_null(getcwd(cwd, sizeof cwd));
	cr_assert_eq(chdir(bin), 0);
	setenv("PATH", "/nonexistent::/usr/bin", 1);
	cr_assert_eq(kube_exec_run(&c, NULL, &cred, &e), -1);
	cr_assert(strstr(e.msg, "cannot run executable found relative to current directory"), "%s", e.msg);
	cr_assert_eq(chdir(cwd), 0);

	if (old)
		setenv("PATH", old, 1);
	else
		unsetenv("PATH");
	free(old);
	kube_exec_config_done(&c);
	free(path);
	free(fake);
	free(real);
	free(plain);
	free(noexec);
	free(bin);
}

Test(execcred, kubeconfig_validation_as_clientcmd)
{
	struct {
		const char *yaml, *want;
	} cases[] = {
	    {"{apiVersion: client.authentication.k8s.io/v1, command: x}",
	     "interactiveMode must be specified for u to use exec authentication plugin"},
	    {"{apiVersion: client.authentication.k8s.io/v1alpha1, command: x}",
	     "exec plugin: invalid apiVersion \"client.authentication.k8s.io/v1alpha1\""},
	    {"{command: x}", "apiVersion must be specified for u"},
	    {"{apiVersion: client.authentication.k8s.io/v1, interactiveMode: Never}",
	     "command must be specified for u"},
	    {"{apiVersion: client.authentication.k8s.io/v1, command: x, interactiveMode: Sometimes}",
	     "invalid interactiveMode for u: \"Sometimes\""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *doc = kj_xasprintf("clusters: [{name: c, cluster: {server: https://h:1}}]\n"
		                         "users: [{name: u, user: {exec: %s}}]\n"
		                         "contexts: [{name: x, context: {cluster: c, user: u}}]\n",
		                         cases[i].yaml);
		struct kubeconfig *kc = NULL;
		struct kube_context_info ci;
		kj_err e;
		cr_assert_eq(kubeconfig_load_buffer(doc, strlen(doc), "t.yaml", &kc, &e), 0, "%s", e.msg);
		cr_assert_eq(kubeconfig_resolve(kc, "x", &ci, &e), -1, "case %zu", i);
		cr_assert(strstr(e.msg, cases[i].want), "case %zu: %s", i, e.msg);
		kubeconfig_free(kc);
		free(doc);
	}
	/* a token next to exec wins, as in client-go */
	const char *doc = "clusters: [{name: c, cluster: {server: https://h:1}}]\n"
	                  "users: [{name: u, user: {token: t0k, exec: {command: x}}}]\n"
	                  "contexts: [{name: x, context: {cluster: c, user: u}}]\n";
	struct kubeconfig *kc = NULL;
	struct kube_context_info ci;
	kj_err e;
	cr_assert_eq(kubeconfig_load_buffer(doc, strlen(doc), "t.yaml", &kc, &e), 0, "%s", e.msg);
	cr_assert_eq(kubeconfig_resolve(kc, "x", &ci, &e), 0, "%s", e.msg);
	cr_assert_null(ci.exec);
	cr_assert_str_eq(ci.token, "t0k");
	kube_context_info_done(&ci);
	kubeconfig_free(kc);
}
